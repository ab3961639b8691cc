/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's first process, from clone3 to the supervisor loop or
 * the image's init. The order matters:
 *   1. die with the monitor (PDEATHSIG), wait for its go (cgroup attach,
 *      network setup happen meanwhile), then on v1 enter a new cgroup
 *      namespace, rooted at the cgroup the parent has just put us in;
 *   2. mounts: private propagation, root file system, API file systems,
 *      cgroup mounts, binds, init layer, then read-only and pivot_root,
 *      which makes the host unreachable by path (the console slave is
 *      opened before that);
 *   3. close every fd but stdio and the error pipe (no host fd inside);
 *   4. seccomp (needs CAP_SYS_ADMIN, so before dropping), no_new_privs,
 *      capabilities;
 *   5. the supervisor loop (app) or exec of init (boot).
 * User= is resolved after pivot_root, from the container's own
 * /etc/passwd and /etc/group (container-user.h), and applied by the
 * supervisor to the payload only: PID 1 stays root to reap and stop.
 * In app mode PID 1 also takes the name "corral-init" (comm, cmdline,
 * an empty environ), so that ps inside shows no host command line. */

#include <fcntl.h>
#include <inttypes.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "capability.h"
#include "console.h"
#include "container.h"
#include "container-user.h"
#include "fd-util.h"
#include "log.h"
#include "mount-setup.h"
#include "os-release.h"
#include "signal-util.h"
#include "string-util.h"
#include "supervisor.h"
#include "time-util.h"

int container_find_command(const char *root, const char *command) {
        _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        static const char *const path[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                            "/usr/bin", "/sbin", "/bin" };
        if (rootfd < 0)
                return -errno;

        for (size_t i = 0; i < (strchr(command, '/') ? 1 : ELEMENTSOF(path)); i++) {
                _cleanup_free_ char *p = strchr(command, '/') ? strdup(command)
                                                                : strprintf("%s/%s", path[i], command);
                struct stat st;
                if (!p)
                        return -ENOMEM;
                _cleanup_close_ int fd = open_in_root(rootfd, p, 0);
                if (fd < 0)
                        continue;
                if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
                        return 1;
        }
        return 0;
}

_noreturn_ static void fail(const ContainerSetup *s, int r) {
        int e = r < 0 ? r : -EIO;
        (void) !write(s->error_fd, &e, sizeof(e));
        _exit(EXIT_FAILURE);
}

/* Debug timing of the setup phases (CORRAL_LOG_LEVEL=debug), for the
 * benchmark's "where does the time go". */
static void phase(const char *what, usec_t *t) {
        usec_t n = now(CLOCK_MONOTONIC);
        log_debug("child: %s took %" PRIu64 " us", what, (uint64_t) (n - *t));
        *t = n;
}

static int setup_mounts(const ContainerSetup *s) {
        const RunConfig *c = s->config;
        _cleanup_free_ char *root = NULL;
        usec_t t = now(CLOCK_MONOTONIC);
        int r;

        r = mount_setup_private();
        if (r < 0)
                return r;
        r = mount_setup_rootfs(c, &root);
        if (r < 0)
                return r;
        phase("root file system", &t);
        r = mount_setup_api(c, root, s->console_slave);
        if (r < 0)
                return r;
        phase("API file systems", &t);
        if (s->cgroup) {
                _cleanup_free_ char *cg = strprintf("%s/sys/fs/cgroup", root);
                if (!cg)
                        return log_oom();
                r = cgroup_mount_in_container(s->cgroup, cg);
                if (r < 0)
                        return log_error_errno(r, "Failed to mount cgroups in the container: %m");
        }
        phase("cgroup mounts", &t);
        r = init_layer_setup(c, root, &s->id);
        if (r < 0)
                return r;
        if (c->boot) {
                /* An OS container learns about its host here (as under nspawn). */
                _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                r = rootfd < 0 ? -errno : os_release_copy_host(rootfd);
                if (r < 0)
                        log_warning_errno(r, "Failed to provide /run/host/os-release, ignoring: %m");
        }
        /* Binds after the init layer: its /etc overlay would otherwise hide
         * binds into /etc (the network's shared /etc/hosts, a user's
         * --bind onto /etc/...). */
        phase("init layer", &t);
        r = mount_setup_binds(c, root);
        if (r < 0)
                return r;
        if (s->console == CONSOLE_INTERACTIVE) {
                r = console_attach_slave(s->console_slave);
                if (r < 0)
                        return log_error_errno(r, "Failed to attach to the console '%s': %m", s->console_slave);
        }
        r = mount_setup_finish(c, root);
        phase("binds, console, pivot_root", &t);
        return r;
}

static int drop_privileges(const ContainerSetup *s) {
        int r;

        r = seccomp_load_bpf_fd(s->seccomp_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to load the system call filter: %m");
        safe_close(s->seccomp_fd);
        if (s->config->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(-errno, "Failed to set no_new_privs: %m");
        r = capability_apply(s->capabilities);
        if (r < 0)
                return log_error_errno(r, "Failed to drop capabilities: %m");
        return 0;
}

static int resolve_user(const RunConfig *c, char **base_env, ContainerUser **ret_user, char ***ret_env) {
        _cleanup_(container_user_freep) ContainerUser *u = NULL;
        _cleanup_strv_free_ char **env = NULL;
        int r;

        r = container_user_resolve(c->user, &u);
        if (r == -ESRCH)
                return log_error_errno(r, "User '%s' does not exist in the container.", c->user);
        if (r < 0)
                return log_error_errno(r, "Failed to look up user '%s' in the container: %m", c->user);
        env = strv_copy(base_env);
        if (!env)
                return log_oom();
        r = container_user_environment(u, c->environment, &env);
        if (r < 0)
                return log_oom();
        *ret_user = TAKE_PTR(u);
        *ret_env = TAKE_PTR(env);
        return 0;
}

/* Fallback when PR_SET_MM is refused: overwrite the original argv and
 * environ areas in place. Their bounds come from /proc/self/stat (fields
 * 48-51), which is the container's /proc by now. */
static int overwrite_arg_area(const char *name) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/stat", "re");
        char buf[2048], *p;
        unsigned long v[4];

        if (!f)
                return -errno;
        if (!fgets(buf, sizeof buf, f))
                return -EIO;
        p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        /* After ")" comes field 3; arg_start is field 48. */
        for (int field = 3; field <= 48; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -EIO;
        }
        if (sscanf(p, " %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3]) != 4 || v[1] <= v[0] || v[3] < v[2])
                return -EIO;
        char *a = (char *) v[0];
        size_t n = v[1] - v[0], l = MIN(strlen(name), n - 1);
        memset(a, 0, n);
        memcpy(a, name, l);
        /* A last byte that is not NUL makes the kernel read the area as
         * one string (setproctitle() style): cmdline is the name alone,
         * not the name and a tail of NULs. */
        if (n > l + 1)
                a[n - 1] = ' ';
        memset((void *) v[2], 0, v[3] - v[2]);
        return 0;
}

/* PID 1 in app mode is a clone of corral-run: its comm and /proc/1/cmdline
 * would show the host's command line (corral-run --machine web1 --root
 * /tmp/...), host paths that ps inside must not see. Like systemd's
 * rename_process() for its stub PID 1: a fresh page holds the name and
 * the kernel is told that argv (and an empty environ) live there.
 * PR_SET_MM needs CAP_SYS_RESOURCE: call this before the capabilities go.
 * The kernel checks start <= end on every single update, so when the new
 * page lies above the old area the ends must move first. */
static int rename_pid1(const char *name) {
        size_t l = strlen(name) + 1;
        long page = sysconf(_SC_PAGESIZE);

        if (prctl(PR_SET_NAME, (unsigned long) name, 0, 0, 0) < 0)
                return -errno;

        char *p = mmap(NULL, (size_t) page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return -errno;
        memcpy(p, name, l);
        unsigned long start = (unsigned long) p, end = start + l;
        static const int order[2][4] = {
                { PR_SET_MM_ARG_START, PR_SET_MM_ARG_END, PR_SET_MM_ENV_START, PR_SET_MM_ENV_END },
                { PR_SET_MM_ARG_END, PR_SET_MM_ARG_START, PR_SET_MM_ENV_END, PR_SET_MM_ENV_START },
        };
        for (size_t o = 0; o < ELEMENTSOF(order); o++) {
                bool ok = true;
                for (size_t i = 0; ok && i < 4; i++) {
                        int what = order[o][i];
                        unsigned long a = what == PR_SET_MM_ARG_START ? start : end;
                        ok = prctl(PR_SET_MM, what, a, 0, 0) >= 0;
                }
                if (ok)
                        return 0;
                if (errno != EINVAL)
                        break;
        }
        /* The page stays mapped: a partial update may already point there. */
        log_debug_errno(-errno, "PR_SET_MM failed, overwriting the argument area instead: %m");
        return overwrite_arg_area(name);
}

_noreturn_ void container_child(const ContainerSetup *s) {
        const RunConfig *c = s->config;
        char go;
        int r;

        /* The monitor's death takes the container with it; the go byte
         * (or EOF) tells whether it died before we set that up. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                _exit(EXIT_FAILURE);
        if (read(s->sync_fd, &go, 1) != 1)
                _exit(EXIT_FAILURE);
        safe_close(s->sync_fd);

        /* Detached (the monitor): what goes wrong from here on belongs in
         * the machine's console log, not in the monitor's stderr. */
        log_set_hook(NULL, NULL);
        if (s->stderr_to_console) {
                int fd = open(s->console_slave, O_WRONLY | O_NOCTTY | O_CLOEXEC);
                if (fd >= 0) {
                        (void) dup2(fd, STDERR_FILENO);
                        safe_close(fd);
                }
        }

        if (s->unshare_cgroup && unshare(CLONE_NEWCGROUP) < 0)
                fail(s, log_error_errno(-errno, "Failed to enter a new cgroup namespace: %m"));

        r = setup_mounts(s);
        if (r < 0)
                fail(s, r);

        /* Now "/" is the container's: its passwd, not the host's. */
        _cleanup_(container_user_freep) ContainerUser *user = NULL;
        _cleanup_strv_free_ char **env = NULL;
        if (c->user && !c->boot) {
                r = resolve_user(c, s->env, &user, &env);
                if (r < 0)
                        fail(s, r);
        }

        /* Nothing of the host's besides stdio goes further (the error pipe
         * is O_CLOEXEC and closed below in app mode). */
        int keep[] = { s->error_fd, s->seccomp_fd };
        r = close_all_fds_except(keep, ELEMENTSOF(keep));
        if (r < 0)
                fail(s, log_error_errno(r, "Failed to close inherited fds: %m"));

        if (!c->boot) {
                r = rename_pid1("corral-init");
                if (r < 0)
                        log_warning_errno(r, "Failed to rename PID 1, ignoring: %m");
        }

        usec_t t = now(CLOCK_MONOTONIC);
        r = drop_privileges(s);
        if (r < 0)
                fail(s, r);
        phase("seccomp and capabilities", &t);

        if (c->boot) {
                if (c->working_directory && chdir(c->working_directory) < 0)
                        fail(s, log_error_errno(-errno, "Failed to change to '%s': %m", c->working_directory));
                (void) reset_all_signal_handlers();
                (void) reset_signal_mask();
                execve(s->argv[0], s->argv, s->env);
                fail(s, log_error_errno(-errno, "Failed to execute '%s': %m", s->argv[0]));
        }

        /* App mode: the setup is done, the supervisor takes over as PID 1. */
        safe_close(s->error_fd);
        SupervisorConfig sc = {
                .argv = s->argv,
                .envp = env ?: s->env,
                .working_directory = c->working_directory,
                .kill_signal = c->kill_signal,
                .stop_timeout = c->stop_timeout,
                .notify_socket = c->notify_socket,
                .wait_ready = c->notify_ready,
        };
        if (user) {
                sc.change_user = true;
                sc.uid = user->uid;
                sc.gid = user->gid;
                sc.groups = user->groups;
                sc.n_groups = user->n_groups;
        }
        int status = EXIT_FAILURE;
        SupervisorExit how = SUPERVISOR_EXIT_NORMAL;
        r = supervisor_run(&sc, &status, &how);
        if (r < 0)
                _exit(EXIT_FAILURE);
        _exit(supervisor_finish(status, how));
}

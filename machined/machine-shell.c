/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Programs inside a running machine (shell, login, command); see
 * machine-shell.h. */

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>

#include "pty-util.h"
#include "cgroup.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "machine-shell.h"
#include "manager.h"
#include "parse-util.h"
#include "signal-util.h"
#include "string-util.h"

/* Splits a colon-separated line into at most n fields (in place). */
static size_t split_fields(char *line, char **f, size_t n) {
        size_t i = 0;

        f[i++] = line;
        for (char *p = line; *p && i < n; p++)
                if (*p == ':') {
                        *p = 0;
                        f[i++] = p + 1;
                }
        return i;
}

int passwd_find(const char *passwd, const char *user, PasswdEntry *ret) {
        _cleanup_free_ char *copy = strdup(passwd);
        uid_t want_uid = (uid_t) -1;
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        if (parse_uint32(user, &want_uid) < 0)
                want_uid = (uid_t) -1;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[7];
                PasswdEntry e = {};
                uint32_t u, g;

                if (split_fields(line, f, 7) != 7)
                        continue;
                if (parse_uint32(f[2], &u) < 0 || parse_uint32(f[3], &g) < 0)
                        continue;
                if (!streq(f[0], user) && u != want_uid)
                        continue;
                e.uid = u;
                e.gid = g;
                snprintf(e.home, sizeof e.home, "%s", isempty(f[5]) ? "/" : f[5]);
                snprintf(e.shell, sizeof e.shell, "%s", isempty(f[6]) ? "/bin/sh" : f[6]);
                *ret = e;
                return 0;
        }
        return -ENOENT;
}

int group_list_for(const char *group, const char *user, gid_t gid, gid_t *groups, size_t max, size_t *ret_n) {
        _cleanup_free_ char *copy = group ? strdup(group) : NULL;
        char *save = NULL;
        size_t n = 0;

        if (max == 0)
                return -ENOBUFS;
        groups[n++] = gid;
        if (!copy) {
                *ret_n = n;
                return group ? -ENOMEM : 0;
        }
        for (char *line = strtok_r(copy, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
                char *f[4], *s2 = NULL;
                uint32_t g;

                if (split_fields(line, f, 4) != 4 || parse_uint32(f[2], &g) < 0 || g == gid)
                        continue;
                for (char *mem = strtok_r(f[3], ",", &s2); mem; mem = strtok_r(NULL, ",", &s2))
                        if (streq(mem, user)) {
                                groups[n++] = g;
                                break;
                        }
        }
        *ret_n = n;
        return 0;
}

/* The leader's capability bounding set, read on the host side (its PID
 * means nothing in the container's /proc). */
static int read_bounding_set(pid_t leader, uint64_t *ret) {
        _cleanup_free_ char *p = strprintf("/proc/%d/status", (int) leader), *buf = NULL;
        const char *l;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_full_file_at(AT_FDCWD, p, 0, &buf, NULL);
        if (r < 0)
                return r;
        l = strstr(buf, "\nCapBnd:");
        if (!l || sscanf(l + 8, "%" SCNx64, ret) != 1)
                return -EBADMSG;
        return 0;
}

/* Drops every capability from the bounding set that the container's
 * leader does not have in its own, so that a shell is no more powerful
 * than the container's PID 1. */
static int drop_bounding_set_to(uint64_t bnd) {
        for (int cap = 0; cap <= 63; cap++) {
                if (bnd & (UINT64_C(1) << cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        }
        return 0;
}

static bool same_namespace(pid_t leader, const char *ns) {
        _cleanup_free_ char *a = strprintf("/proc/self/ns/%s", ns), *b = strprintf("/proc/%d/ns/%s", (int) leader, ns);
        struct stat sa, sb;

        if (!a || !b || stat(a, &sa) < 0 || stat(b, &sb) < 0)
                return false;
        return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/* The grandchild: already in every namespace; becomes the program. */
_noreturn_ static void exec_program(const MachineCommand *cmd, uint64_t bounding_set) {
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        _cleanup_strv_free_ char **env = NULL, **argv = NULL;
        const char *user = isempty(cmd->user) ? "root" : cmd->user;
        PasswdEntry pw = { .uid = 0, .gid = 0, .home = "/root", .shell = "/bin/sh" };
        gid_t groups[64];
        size_t n_groups = 0;
        const char *path;
        int r;

        if (setsid() < 0)
                _exit(126);
        if (isatty(STDIN_FILENO))
                (void) ioctl(STDIN_FILENO, TIOCSCTTY, 0);

        /* We are in the container's mount namespace, at its root. */
        (void) read_full_file_at(AT_FDCWD, "/etc/passwd", 0, &passwd, NULL);
        (void) read_full_file_at(AT_FDCWD, "/etc/group", 0, &group, NULL);
        r = passwd ? passwd_find(passwd, user, &pw) : -ENOENT;
        if (r < 0 && !streq(user, "root")) {
                fprintf(stderr, "No user '%s' in the machine's /etc/passwd.\n", user);
                _exit(126);
        }
        if (group_list_for(group, user, pw.gid, groups, ELEMENTSOF(groups), &n_groups) < 0)
                n_groups = 0;

        if (drop_bounding_set_to(bounding_set) < 0) {
                fprintf(stderr, "Failed to drop capabilities: %m\n");
                _exit(126);
        }
        if (setgroups(n_groups, groups) < 0 || setresgid(pw.gid, pw.gid, pw.gid) < 0 ||
            setresuid(pw.uid, pw.uid, pw.uid) < 0) {
                fprintf(stderr, "Failed to become user '%s': %m\n", user);
                _exit(126);
        }
        if (chdir(pw.home) < 0)
                (void) chdir("/");

        path = isempty(cmd->path) ? pw.shell : cmd->path;
        env = strv_copy((char *[]) { (char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     (char *) "container=corral", NULL });
        if (!env || strv_consume(&env, strprintf("HOME=%s", pw.home)) < 0 ||
            strv_consume(&env, strprintf("SHELL=%s", pw.shell)) < 0 ||
            strv_consume(&env, strprintf("USER=%s", user)) < 0 ||
            strv_consume(&env, strprintf("LOGNAME=%s", user)) < 0 ||
            (isatty(STDIN_FILENO) && strv_extend(&env, "TERM=vt220") < 0))
                _exit(126);
        STRV_FOREACH(e, cmd->env)
                if (strchr(*e, '=') && strv_env_set(&env, *e) < 0)
                        _exit(126);

        if (strv_length(cmd->args) > 0)
                argv = strv_copy(cmd->args);
        else
                argv = strv_copy((char *[]) { (char *) path, NULL });
        if (!argv)
                _exit(126);
        if (cmd->login) {
                const char *base = strrchr(argv[0], '/');
                char *a = strprintf("-%s", base ? base + 1 : argv[0]);
                if (!a)
                        _exit(126);
                free(argv[0]);
                argv[0] = a;
        }
        (void) reset_signal_mask();
        execve(path, argv, env);
        fprintf(stderr, "Failed to execute '%s': %m\n", path);
        _exit(errno == ENOENT ? 127 : 126);
}

/* The forked child: joins cgroup and namespaces, forks the program (a
 * setns() into a PID namespace applies to children only) and waits. */
_noreturn_ static void run_waiter(Machine *m, const MachineCommand *cmd, const int stdio[3],
                                  const char *pty_path) {
        int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
        int fds[3] = { -EBADF, -EBADF, -EBADF };
        siginfo_t si = {};
        uint64_t bounding_set;
        pid_t pid;

        /* Not dumpable until exec: a process of the container must not reach
         * corrald's binary through /proc/PID/exe or its memory. */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        (void) reset_all_signal_handlers();

        /* Into the machine's cgroup first: it needs the cgroup's directory
         * fds, which go with the rest below. */
        if (m->cgroup && cgroup_machine_attach(m->cgroup, getpid()) < 0)
                _exit(126);

        if (pty_path) {
                int fd = open(pty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (fd < 0)
                        _exit(126);
                fds[0] = fds[1] = fds[2] = fd;
        } else
                memcpy(fds, stdio, sizeof fds);
        for (int i = 0; i < 3; i++) {
                /* Moves to 0..2 without clobbering a source still needed. */
                int d = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
                if (d < 0)
                        _exit(126);
                fds[i] = d;
        }
        for (int i = 0; i < 3; i++)
                if (dup2(fds[i], i) < 0)
                        _exit(126);
        (void) close_all_fds_except((int[]) { m->leader_pidfd }, 1);
        /* The program gets the limit corrald was started with, not its
         * raised one; only now, since with corrald's fds open no new one
         * could be had below it. */
        manager_child_reset_rlimits(m->manager);

        if (read_bounding_set(m->leader, &bounding_set) < 0) {
                fprintf(stderr, "Failed to read the capabilities of machine '%s': %m\n", m->name);
                _exit(126);
        }
        if (!same_namespace(m->leader, "user"))
                flags |= CLONE_NEWUSER;
        if (setns(m->leader_pidfd, flags) < 0) {
                fprintf(stderr, "Failed to enter the namespaces of machine '%s': %m\n", m->name);
                _exit(126);
        }
        safe_close(m->leader_pidfd);

        pid = fork();
        if (pid < 0)
                _exit(126);
        if (pid == 0)
                exec_program(cmd, bounding_set);

        /* The waiter holds nothing of the client's: only the program does. */
        for (int i = 0; i < 3; i++) {
                int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd >= 0 && fd != i) {
                        (void) dup2(fd, i);
                        safe_close(fd);
                }
        }
        while (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        _exit(126);
        _exit(si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status);
}

static int spawn(Machine *m, const MachineCommand *cmd, const int stdio[3], const char *pty_path,
                 pid_t *ret_pid, int *ret_pidfd) {
        pid_t pid;
        int pidfd;

        CgroupMachine *cg;

        if (m->state != MACHINE_RUNNING || m->leader_pidfd < 0)
                return -ESRCH;
        /* Opened here, so that the child only writes cgroup.procs. */
        if (machine_get_cgroup(m, &cg) < 0)
                log_debug("Machine '%s' has no cgroup to put the command in.", m->name);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                run_waiter(m, cmd, stdio, pty_path);
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                int r = -errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        *ret_pid = pid;
        *ret_pidfd = pidfd;
        return 0;
}

int machine_spawn_command(Machine *m, const MachineCommand *cmd, const int stdio[3], pid_t *ret_pid,
                          int *ret_pidfd) {
        return spawn(m, cmd, stdio, NULL, ret_pid, ret_pidfd);
}

int machine_open_pty_command(Machine *m, const MachineCommand *cmd, int *ret_master, char **ret_pty_path,
                             pid_t *ret_pid, int *ret_pidfd) {
        _cleanup_close_ int master = -EBADF;
        char *path;
        int r;

        r = pty_open(&master, &path);
        if (r < 0)
                return r;
        r = spawn(m, cmd, NULL, path, ret_pid, ret_pidfd);
        if (r < 0) {
                free(path);
                return r;
        }
        *ret_master = TAKE_FD(master);
        *ret_pty_path = path;
        return 0;
}

int machine_command_reap(int pidfd) {
        siginfo_t si = {};

        if (waitid((idtype_t) P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOHANG) < 0)
                return -errno;
        if (si.si_pid == 0)
                return -EAGAIN;
        return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

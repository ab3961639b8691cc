/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Payload start-up; see spawn.h. Between fork() and exec() the child only
 * uses what the parent prepared (environment block, error pipe): the
 * parent is single-threaded, but keeping the child short keeps the
 * failure modes few. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "exit-status.h"
#include "fd-util.h"
#include "signal-util.h"
#include "spawn.h"
#include "string-util.h"

extern char **environ;

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const spawn_stage_names[_SPAWN_STAGE_MAX] = {
        [SPAWN_STAGE_SESSION] = "set up the session of",
        [SPAWN_STAGE_USER] = "change the user of",
        [SPAWN_STAGE_DIRECTORY] = "change the working directory of",
        [SPAWN_STAGE_FDS] = "close the file descriptors of",
        [SPAWN_STAGE_SIGNALS] = "reset the signals of",
        [SPAWN_STAGE_EXEC] = "execute",
};

const char *spawn_stage_to_string(SpawnStage s) {
        if ((unsigned) s >= _SPAWN_STAGE_MAX)
                return NULL;
        return spawn_stage_names[s];
}

typedef struct SpawnReport {
        int stage;
        int error;
} SpawnReport;

/* The payload's session. Normally a new session that takes stdin as its
 * controlling terminal (job control works). Two cases need care:
 * - stdin is the controlling terminal of our own session and we lead it
 *   (corral-run made the console PID 1's terminal): the new session
 *   takes it over (TIOCSCTTY with force, as PID 1 may).
 * - stdin is the controlling terminal of our session and we do not lead it
 *   (corral-init started from an interactive shell): a new session could
 *   not get the terminal without stealing it from the shell, so the
 *   payload gets its own process group in the foreground instead, as tini
 *   does.
 * Signals are still blocked here, so tcsetpgrp() from the background
 * does not stop us with SIGTTOU. */
static int setup_session(void) {
        pid_t sid;

        if (!isatty(STDIN_FILENO))
                return setsid() < 0 ? -errno : 0;

        if (ioctl(STDIN_FILENO, TIOCGSID, &sid) >= 0) {
                if (sid == getppid()) {
                        if (setsid() < 0)
                                return -errno;
                        if (ioctl(STDIN_FILENO, TIOCSCTTY, 1) < 0)
                                return -errno;
                        return 0;
                }
                if (setpgid(0, 0) < 0)
                        return -errno;
                if (tcsetpgrp(STDIN_FILENO, getpid()) < 0)
                        return -errno;
                return 0;
        }

        /* Not our terminal: take it if nobody has it. EPERM means another
         * session owns it; the payload then runs without one. */
        if (setsid() < 0)
                return -errno;
        if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0 && errno != EPERM)
                return -errno;
        return 0;
}

static int setup_user(const SupervisorConfig *c) {
        if (!c->change_user)
                return 0;
        if (setgroups(c->n_groups, c->groups) < 0)
                return -errno;
        if (setresgid(c->gid, c->gid, c->gid) < 0)
                return -errno;
        if (setresuid(c->uid, c->uid, c->uid) < 0)
                return -errno;
        return 0;
}

static _noreturn_ void child_fail(int fd, SpawnStage stage, int error) {
        SpawnReport rep = { .stage = stage, .error = error };

        (void) !write(fd, &rep, sizeof rep);
        _exit(stage == SPAWN_STAGE_EXEC ? exit_status_from_exec_errno(error) : EXIT_STATUS_CANNOT_EXECUTE);
}

/* execvp() without its fallback of running a file that is no program
 * through /bin/sh: the image may have no shell, and a payload that is not
 * a program is an error (126) here, as it is for runc and crun. The
 * payload's own PATH is searched. Returns the error when nothing could be
 * executed: EACCES if a candidate was found but refused, as execvp() does. */
static int exec_search(char **argv, char **env) {
        const char *path = strv_env_get(env, "PATH") ?: DEFAULT_PATH;
        const char *name = argv[0];
        size_t nl = strlen(name);
        int saved = -ENOENT;

        if (strchr(name, '/')) {
                execve(name, argv, env);
                return -errno;
        }

        for (const char *p = path;; p++) {
                const char *e = strchrnul(p, ':');
                size_t dl = (size_t) (e - p);
                char full[dl + 1 + nl + 1];

                /* An empty entry means the current directory. */
                snprintf(full, sizeof full, "%.*s%s%s", (int) dl, p, dl > 0 ? "/" : "", name);
                execve(full, argv, env);
                if (errno == EACCES)
                        saved = -EACCES;
                else if (!IN_SET(errno, ENOENT, ENOTDIR, ESTALE, ELOOP, ENAMETOOLONG, ENODEV, ETIMEDOUT))
                        return -errno;
                if (*e == 0)
                        return saved;
                p = e;
        }
}

static _noreturn_ void child_run(const SupervisorConfig *c, char **env, char *listen_pid, int errfd) {
        int keep[c->n_listen_fds + 1];
        int r;

        r = setup_session();
        if (r < 0)
                child_fail(errfd, SPAWN_STAGE_SESSION, r);
        r = setup_user(c);
        if (r < 0)
                child_fail(errfd, SPAWN_STAGE_USER, r);
        if (c->working_directory && chdir(c->working_directory) < 0)
                child_fail(errfd, SPAWN_STAGE_DIRECTORY, -errno);

        for (unsigned i = 0; i < c->n_listen_fds; i++) {
                keep[i] = 3 + (int) i;
                r = fd_cloexec(keep[i], false);
                if (r < 0)
                        child_fail(errfd, SPAWN_STAGE_FDS, r);
        }
        keep[c->n_listen_fds] = errfd;
        r = close_all_fds_except(keep, c->n_listen_fds + 1);
        if (r < 0)
                child_fail(errfd, SPAWN_STAGE_FDS, r);
        if (listen_pid)
                snprintf(listen_pid, 32, "LISTEN_PID=%d", (int) getpid());

        r = reset_all_signal_handlers();
        if (r >= 0)
                r = reset_signal_mask();
        if (r < 0)
                child_fail(errfd, SPAWN_STAGE_SIGNALS, r);

        child_fail(errfd, SPAWN_STAGE_EXEC, exec_search(c->argv, env));
}

int payload_build_env(const SupervisorConfig *c, const char *notify_address, char ***ret,
                     char **ret_listen_pid) {
        _cleanup_strv_free_ char **env = NULL;
        char *lp = NULL;
        int r;

        env = strv_copy(c->envp ?: environ);
        if (!env)
                return -ENOMEM;

        (void) strv_env_unset(env, "NOTIFY_SOCKET");
        if (notify_address) {
                _cleanup_free_ char *a = strprintf("NOTIFY_SOCKET=%s", notify_address);
                if (!a)
                        return -ENOMEM;
                r = strv_env_set(&env, a);
                if (r < 0)
                        return r;
        }

        (void) strv_env_unset(env, "LISTEN_PID");
        if (c->n_listen_fds > 0) {
                char fds[32];
                snprintf(fds, sizeof fds, "LISTEN_FDS=%u", c->n_listen_fds);
                r = strv_env_set(&env, fds);
                if (r < 0)
                        return r;
                lp = calloc(1, 32);
                if (!lp)
                        return -ENOMEM;
                strcpy(lp, "LISTEN_PID=0");
                r = strv_consume(&env, lp);
                if (r < 0)
                        return r;
        } else {
                (void) strv_env_unset(env, "LISTEN_FDS");
                (void) strv_env_unset(env, "LISTEN_FDNAMES");
        }

        *ret = TAKE_PTR(env);
        *ret_listen_pid = lp;
        return 0;
}

/* Moves fd above the LISTEN_FDS range (and above 0-2, which may have been
 * closed when we were started), so that the child can keep it while it
 * lays out its fds. */
static int fd_move_above(int fd, int min) {
        int nfd;

        if (fd >= min)
                return fd;
        nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);
        if (nfd < 0)
                return -errno;
        safe_close(fd);
        return nfd;
}

int payload_spawn(const SupervisorConfig *c, const char *notify_address, SpawnResult *ret) {
        _cleanup_close_pair_ int pipefd[2] = { -EBADF, -EBADF };
        _cleanup_strv_free_ char **env = NULL;
        SpawnReport rep = {};
        char *listen_pid = NULL;
        int min = 3 + (int) c->n_listen_fds;
        ssize_t n;
        pid_t pid;
        int r;

        if (!c->argv || !c->argv[0])
                return -EINVAL;

        r = payload_build_env(c, notify_address, &env, &listen_pid);
        if (r < 0)
                return r;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        for (int i = 0; i < 2; i++) {
                r = fd_move_above(pipefd[i], min);
                if (r < 0)
                        return r;
                pipefd[i] = r;
        }

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                pipefd[0] = safe_close(pipefd[0]);
                child_run(c, env, listen_pid, pipefd[1]);
        }

        pipefd[1] = safe_close(pipefd[1]);
        /* EOF: exec succeeded (the pipe was close-on-exec). */
        do
                n = read(pipefd[0], &rep, sizeof rep);
        while (n < 0 && errno == EINTR);

        *ret = (SpawnResult) { .pid = pid };
        if (n == (ssize_t) sizeof rep) {
                ret->error = rep.error < 0 ? rep.error : -EIO;
                ret->stage = (SpawnStage) rep.stage;
        } else if (n != 0) {
                ret->error = -EIO;
                ret->stage = SPAWN_STAGE_EXEC;
        }
        return 0;
}

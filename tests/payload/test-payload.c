/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-test-payload: the one static program the root tests run inside
 * containers and under corral-init. It links nothing of ours and no
 * shared library, so it works in any rootfs.
 *
 *   corral-test-payload CMD [ARGS...] [+ CMD [ARGS...]]...
 *
 * Commands run in order; '+' separates them. A command that does not
 * return (sleep, spin, signals, ...) ends the chain. Exit status 0 unless a
 * command says otherwise; 99 for a usage error. To add a command, write a
 * run function and add a line to the table at the bottom. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define USAGE_ERROR 99
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

typedef struct Command {
        const char *name;
        const char *args;
        const char *help;
        int min_args, max_args;
        /* Returns an exit status to stop the chain with, or -1 to go on. */
        int (*run)(int argc, char **argv);
} Command;

__attribute__((format(printf, 1, 2)))
static int usage(const char *fmt, ...) {
        va_list ap;


        fprintf(stderr, "corral-test-payload: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return USAGE_ERROR;
}

static int parse_nonneg(const char *s, long *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

static void sleep_seconds(double sec) {
        struct timespec ts = { .tv_sec = (time_t) sec,
                               .tv_nsec = (long) ((sec - (double) (time_t) sec) * 1e9) };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int write_file(const char *path, const char *text, int flags) {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
        if (fd < 0)
                return -errno;
        size_t l = strlen(text);
        ssize_t n = write(fd, text, l);
        close(fd);
        return n == (ssize_t) l ? 0 : -EIO;
}

/* Signal names for the log of 'signals'; RT ones as RTMIN+N. */
static const char *const sig_names[] = {
        [SIGHUP] = "HUP", [SIGINT] = "INT", [SIGQUIT] = "QUIT", [SIGUSR1] = "USR1",
        [SIGUSR2] = "USR2", [SIGPIPE] = "PIPE", [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
        [SIGCHLD] = "CHLD", [SIGCONT] = "CONT", [SIGTSTP] = "TSTP", [SIGTTIN] = "TTIN",
        [SIGTTOU] = "TTOU", [SIGURG] = "URG", [SIGWINCH] = "WINCH", [SIGPWR] = "PWR",
};

static void sig_name(int sig, char buf[static 24]) {
        if (sig > 0 && sig < (int) ELEMENTSOF(sig_names) && sig_names[sig])
                snprintf(buf, 24, "%s", sig_names[sig]);
        else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
                snprintf(buf, 24, "RTMIN+%d", sig - SIGRTMIN);
        else
                snprintf(buf, 24, "%d", sig);
}

static int cmd_sleep(int argc, char **argv) {
        if (argc > 1) {
                char *end;
                double sec = strtod(argv[1], &end);
                if (end == argv[1] || *end || sec < 0)
                        return usage("sleep: invalid time '%s'", argv[1]);
                sleep_seconds(sec);
                return -1;
        }
        for (;;)
                pause();
}

static int cmd_exit(int argc, char **argv) {
        long code;
        if (parse_nonneg(argv[1], &code) < 0 || code > 255)
                return usage("exit: invalid code '%s'", argv[1]);
        return (int) code;
}

static int cmd_kill_self(int argc, char **argv) {
        int sig = atoi(argv[1]);
        sigset_t ss;

        if (sig <= 0 || sig > SIGRTMAX)
                return usage("kill-self: invalid signal '%s'", argv[1]);
        signal(sig, SIG_DFL);
        sigemptyset(&ss);
        sigaddset(&ss, sig);
        sigprocmask(SIG_UNBLOCK, &ss, NULL);
        raise(sig);
        return 1; /* a signal whose default is to be ignored */
}

/* Logs every signal it receives to FILE, one name a line, in the order it
 * takes them; exits 0 after N of them when N is given. The file exists
 * (empty) once every signal is being caught. */
static int cmd_signals(int argc, char **argv) {
        long max = -1, n = 0;
        sigset_t all;
        int fd;

        if (argc > 2 && parse_nonneg(argv[2], &max) < 0)
                return usage("signals: invalid count '%s'", argv[2]);
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
                return usage("signals: cannot open '%s'", argv[1]);
        for (;;) {
                char name[24], line[32];
                int sig = sigwaitinfo(&all, NULL);
                if (sig < 0)
                        continue;
                sig_name(sig, name);
                int l = snprintf(line, sizeof line, "%s\n", name);
                (void) !write(fd, line, (size_t) l);
                if (max >= 0 && ++n >= max)
                        return 0;
        }
}

static int cmd_ignore_term(int argc, char **argv) {
        signal(SIGTERM, SIG_IGN);
        return -1;
}

/* Leaves N orphans behind: a child forks N grandchildren and exits at
 * once, so they are re-parented to PID 1 or the subreaper. They live SEC
 * seconds (default: until killed), then exit and must be reaped. Prints
 * "orphan=PID" for each. */
static int cmd_orphans(int argc, char **argv) {
        long n;
        double sec = -1;
        pid_t pid;

        if (parse_nonneg(argv[1], &n) < 0)
                return usage("orphans: invalid count '%s'", argv[1]);
        if (argc > 2)
                sec = strtod(argv[2], NULL);

        pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                for (long i = 0; i < n; i++) {
                        pid_t o = fork();
                        if (o > 0)
                                printf("orphan=%d\n", (int) o);
                        if (o == 0) {
                                if (sec >= 0)
                                        sleep_seconds(sec);
                                else
                                        for (;;)
                                                pause();
                                _exit(0);
                        }
                }
                fflush(stdout);
                _exit(0);
        }
        (void) waitpid(pid, NULL, 0);
        return -1;
}

static int read_status_line(const char *key, char *buf, size_t size) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        size_t kl = strlen(key);
        int r = -ENOENT;

        if (!f)
                return -errno;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
                        char *v = line + kl + 1;
                        v += strspn(v, " \t");
                        v[strcspn(v, "\n")] = 0;
                        snprintf(buf, size, "%s", v);
                        r = 0;
                        break;
                }
        fclose(f);
        return r;
}

/* Prints what makes a process "fresh": its ids, session, terminal and
 * signal state, one key=value a line. */
static int cmd_status(int argc, char **argv) {
        char stat[1024], blk[64] = "?", ign[64] = "?";
        /* Every id from /proc, so that they are all in the namespace of the
         * /proc mounted here (getpid() would be our own namespace's). */
        int pid = 0, ppid = 0, pgrp = 0, sid = 0, tty = 0, tpgid = 0;
        FILE *f, *out = stdout;

        f = fopen("/proc/self/stat", "re");
        if (f) {
                if (fgets(stat, sizeof stat, f)) {
                        char *p = strrchr(stat, ')');
                        pid = atoi(stat);
                        if (p)
                                (void) sscanf(p + 1, " %*c %d %d %d %d %d", &ppid, &pgrp, &sid, &tty, &tpgid);
                }
                fclose(f);
        }
        (void) read_status_line("SigBlk", blk, sizeof blk);
        (void) read_status_line("SigIgn", ign, sizeof ign);

        if (argc > 1) {
                out = fopen(argv[1], "we");
                if (!out)
                        return usage("status: cannot open '%s'", argv[1]);
        }
        fprintf(out, "pid=%d\nppid=%d\npgid=%d\nsid=%d\ntty_nr=%d\ntpgid=%d\nSigBlk=%s\nSigIgn=%s\n",
                pid, ppid, pgrp, sid, tty, tpgid, blk, ign);
        if (out != stdout)
                fclose(out);
        else
                fflush(out);
        return -1;
}

/* Prints the open fds (besides the one reading the list), one a line. */
static int cmd_fds(int argc, char **argv) {
        DIR *d = opendir("/proc/self/fd");
        FILE *out = stdout;
        struct dirent *de;

        if (!d)
                return 1;
        if (argc > 1) {
                out = fopen(argv[1], "we");
                if (!out)
                        return usage("fds: cannot open '%s'", argv[1]);
        }
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d) &&
                    (out == stdout || atoi(de->d_name) != fileno(out)))
                        fprintf(out, "%s\n", de->d_name);
        closedir(d);
        if (out != stdout)
                fclose(out);
        else
                fflush(out);
        return -1;
}

/* Prints NAME=value for each variable (NAME= when unset). */
static int cmd_env(int argc, char **argv) {
        for (int i = 1; i < argc; i++)
                printf("%s=%s\n", argv[i], getenv(argv[i]) ?: "");
        fflush(stdout);
        return -1;
}

/* Prints uid, gid, supplementary groups and the working directory. */
static int cmd_ids(int argc, char **argv) {
        gid_t groups[64];
        char cwd[4096];
        int n = getgroups(64, groups);

        printf("uid=%d\ngid=%d\ngroups=", (int) getuid(), (int) getgid());
        for (int i = 0; i < n; i++)
                printf("%s%d", i ? "," : "", (int) groups[i]);
        printf("\ncwd=%s\n", getcwd(cwd, sizeof cwd) ?: "?");
        fflush(stdout);
        return -1;
}

static int cmd_write(int argc, char **argv) {
        char text[4096] = "";

        for (int i = 2; i < argc; i++)
                snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", i > 2 ? " " : "", argv[i]);
        if (write_file(argv[1], text, O_TRUNC) < 0)
                return usage("write: cannot write '%s'", argv[1]);
        return -1;
}

/* Waits until FILE exists (polling every 10 ms): lets a test order
 * its steps against the payload's. */
static int cmd_wait_file(int argc, char **argv) {
        while (access(argv[1], F_OK) < 0)
                sleep_seconds(0.01);
        return -1;
}

static int cmd_alloc(int argc, char **argv) {
        long mb;
        volatile char *p;

        if (parse_nonneg(argv[1], &mb) < 0)
                return usage("alloc: invalid size '%s'", argv[1]);
        p = malloc((size_t) mb << 20);
        if (!p)
                return 1;
        /* Touch every page so that it is really charged; volatile, or the
         * compiler drops the stores and the malloc() with them. */
        for (size_t i = 0; i < ((size_t) mb << 20); i += 4096)
                p[i] = 1;
        return -1;
}

/* Forks children that pause until fork fails or N are made (default: no
 * limit), prints how many it made, and goes on. */
static int cmd_forkbomb(int argc, char **argv) {
        long max = -1, n = 0;

        if (argc > 1 && parse_nonneg(argv[1], &max) < 0)
                return usage("forkbomb: invalid count '%s'", argv[1]);
        while (max < 0 || n < max) {
                pid_t pid = fork();
                if (pid < 0)
                        break;
                if (pid == 0)
                        for (;;)
                                pause();
                n++;
        }
        printf("forked=%ld\n", n);
        fflush(stdout);
        return -1;
}

/* Starts N chains of processes that each fork a child and exit at once,
 * forever: the PIDs keep changing, so only a kill that stops forking first
 * (freezer, cgroup.kill) catches them all. The caller goes on. */
static int cmd_forkloop(int argc, char **argv) {
        long n = 4;

        if (argc > 1 && parse_nonneg(argv[1], &n) < 0)
                return usage("forkloop: invalid count '%s'", argv[1]);
        for (long i = 0; i < n; i++) {
                pid_t pid = fork();
                if (pid < 0)
                        return 1;
                if (pid > 0)
                        continue;
                for (;;) {
                        pid_t c = fork();
                        if (c > 0)
                                _exit(0);
                        if (c < 0) /* out of PIDs for a moment: try again */
                                sleep_seconds(0.001);
                }
        }
        return -1;
}

static int cmd_spin(int argc, char **argv) {
        volatile unsigned long i = 0;

        for (;;)
                i++;
        return -1;
}

/* Sends READY=1 (and STATUS=TEXT) to $NOTIFY_SOCKET. */
static int cmd_notify_ready(int argc, char **argv) {
        const char *e = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char msg[512];
        socklen_t sl;
        int fd, l;

        if (!e || !*e || strlen(e) >= sizeof sa.sun_path)
                return usage("notify-ready: no usable NOTIFY_SOCKET '%s'", e ?: "");
        memcpy(sa.sun_path, e, strlen(e));
        if (e[0] == '@')
                sa.sun_path[0] = 0;
        sl = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(e) + (e[0] != '@'));
        l = snprintf(msg, sizeof msg, "READY=1\n%s%s", argc > 1 ? "STATUS=" : "", argc > 1 ? argv[1] : "");
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, msg, (size_t) l, 0, (struct sockaddr *) &sa, sl) < 0)
                return 1;
        close(fd);
        return -1;
}

static int cmd_help(int argc, char **argv);

static const Command commands[] = {
        { "sleep", "[SEC]", "sleep SEC seconds, or forever", 0, 1, cmd_sleep },
        { "exit", "CODE", "exit with CODE", 1, 1, cmd_exit },
        { "kill-self", "SIGNO", "die of signal SIGNO", 1, 1, cmd_kill_self },
        { "signals", "FILE [N]", "log each signal to FILE in order; exit after N", 1, 2, cmd_signals },
        { "ignore-term", "", "ignore SIGTERM from now on", 0, 0, cmd_ignore_term },
        { "orphans", "N [SEC]", "leave N orphaned grandchildren living SEC seconds", 1, 2, cmd_orphans },
        { "status", "[FILE]", "print pid, sid, pgid, terminal and signal state", 0, 1, cmd_status },
        { "fds", "[FILE]", "print the open file descriptors", 0, 1, cmd_fds },
        { "env", "NAME...", "print environment variables", 1, 64, cmd_env },
        { "ids", "", "print uid, gid, groups and working directory", 0, 0, cmd_ids },
        { "write", "FILE [TEXT...]", "write TEXT to FILE (a readiness marker)", 1, 64, cmd_write },
        { "wait-file", "FILE", "wait until FILE exists", 1, 1, cmd_wait_file },
        { "alloc", "MB", "allocate and touch MB MiB", 1, 1, cmd_alloc },
        { "forkbomb", "[N]", "fork pausing children until failure (or N)", 0, 1, cmd_forkbomb },
        { "forkloop", "[N]", "start N (4) chains that fork and exit, forever", 0, 1, cmd_forkloop },
        { "spin", "", "burn CPU forever", 0, 0, cmd_spin },
        { "notify-ready", "[STATUS]", "send READY=1 to $NOTIFY_SOCKET", 0, 1, cmd_notify_ready },
        { "help", "", "list the commands", 0, 0, cmd_help },
};

static int cmd_help(int argc, char **argv) {
        printf("corral-test-payload CMD [ARGS...] [+ CMD [ARGS...]]...\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                printf("  %-12s %-15s %s\n", commands[i].name, commands[i].args, commands[i].help);
        return -1;
}

int main(int argc, char *argv[]) {
        int i = 1;

        if (argc < 2)
                return usage("%s", "no command; try 'help'");
        while (i < argc) {
                const Command *cmd = NULL;
                int j = i, r;

                while (j < argc && strcmp(argv[j], "+") != 0)
                        j++;
                for (size_t k = 0; k < ELEMENTSOF(commands); k++)
                        if (strcmp(commands[k].name, argv[i]) == 0)
                                cmd = &commands[k];
                if (!cmd)
                        return usage("unknown command '%s'", argv[i]);
                if (j - i - 1 < cmd->min_args || j - i - 1 > cmd->max_args)
                        return usage("wrong number of arguments for '%s'", cmd->name);

                argv[j < argc ? j : argc] = NULL;
                r = cmd->run(j - i, argv + i);
                if (r >= 0)
                        return r;
                i = j + 1;
        }
        return 0;
}

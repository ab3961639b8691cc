/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* login and shell. login attaches to the console pty that corrald hands
 * out (OpenMachineLogin). shell runs a command through
 * RunMachineCommand(name, user, path, args, env, h stdin, h stdout,
 * h stderr) -> i status, whose reply comes when the command exits:
 *  - stdin is a terminal: we open a pty pair here, pass the slave as all
 *    three fds and relay our raw terminal to the master;
 *  - otherwise: three pipes, so only pipes (never a host file the caller
 *    redirected to) reach into the machine, and stdin EOF passes through.
 * A corrald without RunMachineCommand gets OpenMachineShell (pty only, no
 * exit status). The protocol is written down in docs/architecture.md. */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pty-util.h"
#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-relay.h"
#include "ctl.h"
#include "fd-util.h"
#include "log.h"
#include "string-util.h"

/* The command may run for days; sd-bus wants a finite timeout. */
#define RUN_TIMEOUT_USEC (3650ULL * USEC_PER_DAY)

typedef struct RunState {
        bool done;
        int status;
        int error;
        sd_bus_error bus_error;
} RunState;

static int on_run_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        RunState *s = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        int32_t status;

        s->done = true;
        if (e) {
                s->error = -sd_bus_error_get_errno(e) ?: -EIO;
                (void) sd_bus_error_copy(&s->bus_error, e);
                return 0;
        }
        if (sd_bus_message_read(m, "i", &status) < 0) {
                s->error = -EBADMSG;
                return 0;
        }
        s->status = status;
        return 0;
}

static int relay_session(CtlContext *c, CtlChannel *ch, size_t n, const bool *done, int master) {
        struct termios saved;
        bool raw = false;
        CtlRelay relay = {
                .channels = ch,
                .n_channels = n,
                .bus = c->bus,
                .done = done,
                .winch_master = master,
        };

        if (master >= 0 && c->stdin_tty && ctl_terminal_raw(STDIN_FILENO, &saved) >= 0)
                raw = true;
        int r = ctl_relay_run(&relay);
        if (raw)
                ctl_terminal_restore(STDIN_FILENO, &saved);
        return r;
}

static int open_pty(int *ret_master, int *ret_slave) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        _cleanup_free_ char *name = NULL;

        int r = pty_open(&master, &name);
        if (r < 0)
                return r;
        slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

static int append_strv(sd_bus_message *m, char **l) {
        return sd_bus_message_append_strv(m, l);
}

static int build_env(CtlContext *c, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        const char *term = getenv("TERM");
        int r;

        if (c->stdin_tty && term) {
                _cleanup_free_ char *t = strprintf("TERM=%s", term);
                if (!t || (r = strv_extend(&env, t)) < 0)
                        return -ENOMEM;
        }
        STRV_FOREACH(e, c->args->setenv) {
                r = strv_env_set(&env, *e);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(env);
        return 0;
}

/* Fallback for a corrald that only has machine1's OpenMachineShell. */
static int shell_via_open(CtlContext *c, const char *name, const char *user, const char *path, char **argv,
                          char **env) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_close_ int master = -EBADF;
        const char *pty_path;
        int fd, r;

        r = sd_bus_message_new_method_call(c->bus, &m, CORRAL_BUS_NAME, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE,
                                           "OpenMachineShell");
        if (r >= 0)
                r = sd_bus_message_append(m, "sss", name, user, path);
        if (r >= 0)
                r = append_strv(m, argv);
        if (r >= 0)
                r = append_strv(m, env);
        if (r < 0)
                return log_error_errno(r, "Failed to build OpenMachineShell call: %m");
        r = sd_bus_call(c->bus, m, 0, &error, &reply);
        if (r < 0)
                return ctl_log_error("open a shell in", "machine", name, &error, r);
        r = sd_bus_message_read(reply, "hs", &fd, &pty_path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse OpenMachineShell reply: %m");
        master = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (master < 0)
                return log_error_errno(-errno, "Failed to duplicate pty fd: %m");

        CtlChannel ch[2] = {
                { .src = STDIN_FILENO, .dst = master },
                { .src = master, .dst = STDOUT_FILENO, .output = true },
        };
        r = relay_session(c, ch, ELEMENTSOF(ch), NULL, master);
        return r < 0 ? log_error_errno(r, "Failed to relay the shell of '%s': %m", name) : 0;
}

int verb_shell(CtlContext *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        _cleanup_close_pair_ int in[2] = { -EBADF, -EBADF }, out[2] = { -EBADF, -EBADF },
                                 err[2] = { -EBADF, -EBADF };
        _cleanup_strv_free_ char **env = NULL;
        const char *name = c->args->names[0];
        const char *user = strempty(c->args->user);
        char **argv = c->args->command;
        const char *path = argv ? argv[0] : "";
        bool pty = c->stdin_tty;
        RunState s = { .bus_error = SD_BUS_ERROR_NULL };
        int r;

        r = build_env(c, &env);
        if (r < 0)
                return log_oom(), CTL_EXIT_FAILURE;

        if (pty)
                r = open_pty(&master, &slave);
        else if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                r = -errno;
        if (r < 0)
                return log_error_errno(r, "Failed to set up the session's %s: %m", pty ? "pty" : "pipes"),
                       CTL_EXIT_FAILURE;

        r = sd_bus_message_new_method_call(c->bus, &m, CORRAL_BUS_NAME, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE,
                                           "RunMachineCommand");
        if (r >= 0)
                r = sd_bus_message_append(m, "sss", name, user, path);
        if (r >= 0)
                r = append_strv(m, argv);
        if (r >= 0)
                r = append_strv(m, env);
        /* The message holds its own copies of the fds from here on. */
        if (r >= 0)
                r = pty ? sd_bus_message_append(m, "hhh", slave, slave, slave)
                        : sd_bus_message_append(m, "hhh", in[0], out[1], err[1]);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, &slot, m, on_run_reply, &s, RUN_TIMEOUT_USEC);
        if (r < 0)
                return log_error_errno(r, "Failed to call RunMachineCommand: %m"), CTL_EXIT_FAILURE;
        /* Drop every copy of the far ends we hold, or we would never see EOF. */
        m = sd_bus_message_unref(m);
        r = sd_bus_flush(c->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to send RunMachineCommand: %m"), CTL_EXIT_FAILURE;
        slave = safe_close(slave);
        in[0] = safe_close(in[0]);
        out[1] = safe_close(out[1]);
        err[1] = safe_close(err[1]);

        if (pty) {
                struct winsize ws;
                if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0)
                        (void) ioctl(master, TIOCSWINSZ, &ws);
                CtlChannel ch[2] = {
                        { .src = STDIN_FILENO, .dst = master },
                        { .src = master, .dst = STDOUT_FILENO, .output = true },
                };
                r = relay_session(c, ch, ELEMENTSOF(ch), &s.done, master);
        } else {
                CtlChannel ch[3] = {
                        { .src = STDIN_FILENO, .dst = in[1], .close_dst_on_eof = true },
                        { .src = out[0], .dst = STDOUT_FILENO, .output = true },
                        { .src = err[0], .dst = STDERR_FILENO, .output = true },
                };
                in[1] = -EBADF; /* the relay closes it at stdin's EOF */
                r = relay_session(c, ch, ELEMENTSOF(ch), &s.done, -EBADF);
                safe_close(ch[0].dst);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to relay the session with '%s': %m", name), CTL_EXIT_FAILURE;

        if (s.error < 0) {
                r = s.error;
                if (pty && sd_bus_error_has_name(&s.bus_error, SD_BUS_ERROR_UNKNOWN_METHOD)) {
                        sd_bus_error_free(&s.bus_error);
                        return shell_via_open(c, name, user, path, argv, env) < 0 ? CTL_EXIT_FAILURE : 0;
                }
                ctl_log_error("run a command in", "machine", name, &s.bus_error, r);
                sd_bus_error_free(&s.bus_error);
                return CTL_EXIT_FAILURE;
        }
        return s.status;
}

int verb_login(CtlContext *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int master = -EBADF;
        const char *name = c->args->names[0], *pty_path;
        int fd, r;

        r = ctl_call_manager(c->bus, "OpenMachineLogin", &error, &reply, "s", name);
        if (r < 0)
                return ctl_log_error("log into", "machine", name, &error, r), CTL_EXIT_FAILURE;
        r = sd_bus_message_read(reply, "hs", &fd, &pty_path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse OpenMachineLogin reply: %m"), CTL_EXIT_FAILURE;
        master = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (master < 0)
                return log_error_errno(-errno, "Failed to duplicate pty fd: %m"), CTL_EXIT_FAILURE;
        reply = sd_bus_message_unref(reply);

        fprintf(stderr, "Connected to machine %s. Press ^] three times within 1s to exit session.\n", name);
        CtlChannel ch[2] = {
                { .src = STDIN_FILENO, .dst = master, .escape = true },
                { .src = master, .dst = STDOUT_FILENO, .output = true },
        };
        r = relay_session(c, ch, ELEMENTSOF(ch), NULL, master);
        if (r < 0)
                return log_error_errno(r, "Failed to relay the console of '%s': %m", name), CTL_EXIT_FAILURE;
        fprintf(stderr, "\nConnection to machine %s terminated.\n", name);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-bus-shell: drives corrald's shell methods for the root tests,
 * which busctl cannot (it passes no fds).
 *
 *   corral-bus-shell ADDRESS pty NAME USER CMD [ARGS...]
 *       OpenMachineShell; copies the pty to stdout until it hangs up
 *       (EOF only comes if corrald kept no copy of the other end).
 *   corral-bus-shell ADDRESS login NAME
 *       OpenMachineLogin; writes stdin to the pty, copies the pty to stdout.
 *   corral-bus-shell ADDRESS run NAME USER CMD [ARGS...]
 *       RunMachineCommand with our stdin/stdout/stderr; exits with its status. */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "macro.h"

static int connect_bus(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, true);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

static int copy_pty(int master, bool with_stdin) {
        char buf[4096];
        bool in_open = with_stdin;

        for (;;) {
                struct pollfd p[2] = { { master, POLLIN, 0 }, { in_open ? STDIN_FILENO : -1, POLLIN, 0 } };
                if (poll(p, 2, -1) < 0)
                        return -errno;
                if (p[1].revents) {
                        ssize_t k = read(STDIN_FILENO, buf, sizeof buf);
                        if (k <= 0)
                                in_open = false;
                        else if (write(master, buf, (size_t) k) < 0)
                                return -errno;
                }
                if (p[0].revents) {
                        ssize_t k = read(master, buf, sizeof buf);
                        if (k <= 0) /* EIO: every slave fd is closed */
                                return 0;
                        if (write(STDOUT_FILENO, buf, (size_t) k) < 0)
                                return -errno;
                }
        }
}

int main(int argc, char *argv[]) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus *bus = NULL;
        const char *method;
        int r, fd, status = 0;

        if (argc < 4) {
                fprintf(stderr, "usage: corral-bus-shell ADDRESS pty|login|run NAME [USER CMD ARGS...]\n");
                return 99;
        }
        r = connect_bus(argv[1], &bus);
        if (r < 0) {
                fprintf(stderr, "connect: %s\n", strerror(-r));
                return 99;
        }
        method = strcmp(argv[2], "pty") == 0 ? "OpenMachineShell" :
                 strcmp(argv[2], "login") == 0 ? "OpenMachineLogin" : "RunMachineCommand";
        r = sd_bus_message_new_method_call(bus, &m, "org.corral.machine1", "/org/corral/machine1",
                                           "org.corral.machine1.Manager", method);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[3]);
        if (r >= 0 && strcmp(argv[2], "login") != 0) {
                if (argc < 6) {
                        fprintf(stderr, "USER and CMD needed\n");
                        return 99;
                }
                r = sd_bus_message_append(m, "ss", argv[4], argv[5]);
                if (r >= 0)
                        r = sd_bus_message_append_strv(m, argv + 5);
                if (r >= 0)
                        r = sd_bus_message_append_strv(m, (char *[]) { (char *) "CORRAL_SHELL_TEST=1", NULL });
                if (r >= 0 && strcmp(argv[2], "run") == 0)
                        r = sd_bus_message_append(m, "hhh", STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO);
        }
        if (r < 0) {
                fprintf(stderr, "message: %s\n", strerror(-r));
                return 99;
        }
        r = sd_bus_call(bus, m, UINT64_MAX, &error, &reply);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", error.name ?: "error", error.message ?: strerror(-r));
                return 98;
        }
        if (strcmp(argv[2], "run") == 0) {
                int32_t st;
                r = sd_bus_message_read(reply, "i", &st);
                status = r < 0 ? 97 : st;
        } else {
                const char *path;
                r = sd_bus_message_read(reply, "hs", &fd, &path);
                if (r < 0)
                        return 97;
                r = copy_pty(fd, strcmp(argv[2], "login") == 0);
                if (r < 0)
                        return 96;
        }
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        sd_bus_flush_close_unref(bus);
        return status;
}

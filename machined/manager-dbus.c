/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The org.corral.machine1.Manager object at /org/corral/machine1. Each
 * method validates its arguments, checks the caller where it changes
 * something, calls the core (manager.c, machine.c, machine-shell.c) and
 * replies; -errno from the core becomes one of our error names with a
 * sentence a user can act on. */

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "log.h"
#include "image-dbus.h"
#include "machine-console.h"
#include "machine-dbus.h"
#include "machine-shell.h"
#include "manager-dbus.h"
#include "signal-util.h"
#include "string-util.h"

int bus_error_from_machine_errno(sd_bus_error *error, int r, const char *name, const char *verb) {
        switch (-r) {
        case ENOENT:
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_MACHINE, "No machine '%s'.", name);
        case ESRCH:
                return sd_bus_error_setf(error, BUS_ERROR_NOT_RUNNING, "Machine '%s' is not running.", name);
        case EBUSY:
                return sd_bus_error_setf(error, BUS_ERROR_BUSY, "Machine '%s' is stopping, try again when it has stopped.", name);
        default:
                return sd_bus_error_setf(error, BUS_ERROR_FAILED, "Failed to %s machine '%s': %s.", verb, name,
                                         strerror(-r));
        }
}

/* Whether the sender's groups (as the bus daemon saw them at connect,
 * SO_PEERGROUPS; libsystemd 252 does not ask for them) include gid. */
static int sender_in_group(sd_bus_message *msg, gid_t gid) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus *bus = sd_bus_message_get_bus(msg);
        const char *key;
        int r, found = 0;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionCredentials", NULL, &reply, "s", sd_bus_message_get_sender(msg));
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "UnixGroupIDs")) {
                        const uint32_t *gids;
                        size_t n;

                        r = sd_bus_message_enter_container(reply, 'v', "au");
                        if (r < 0)
                                return r;
                        r = sd_bus_message_read_array(reply, 'u', (const void **) &gids, &n);
                        if (r < 0)
                                return r;
                        for (size_t i = 0; i < n / sizeof(uint32_t); i++)
                                if (gids[i] == gid)
                                        found = 1;
                        r = sd_bus_message_exit_container(reply);
                } else
                        r = sd_bus_message_skip(reply, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        return r < 0 ? r : found;
}

/* Methods that change something: root, or a member of the configured
 * group. The credentials come from the bus daemon (SO_PEERCRED and
 * SO_PEERGROUPS at connect), never from the sender's /proc entry, which
 * it could race. */
static int check_privileged(sd_bus_message *msg, Manager *m, const char *what, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        int r;

        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID, &creds);
        if (r < 0)
                return r;
        if (sd_bus_creds_get_euid(creds, &uid) < 0 && sd_bus_creds_get_uid(creds, &uid) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "Cannot tell who is asking to %s.", what);
        if (uid == 0)
                return 0;
        if (m->access_gid != (gid_t) -1 && sender_in_group(msg, m->access_gid) > 0)
                return 0;
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "Only root may %s.", what);
}

static int lookup_machine(Manager *m, const char *name, Machine **ret, sd_bus_error *error) {
        Machine *machine = manager_get_machine(m, name);
        const RefusedDefinition *refused;

        if (machine) {
                *ret = machine;
                return 0;
        }
        refused = manager_get_refused(m, name);
        if (refused)
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_DEFINITION,
                                         "The definition of machine '%s' is invalid:\n%s", name, refused->error);
        return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_MACHINE, "No machine '%s'.", name);
}

static int method_list_machines(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssso)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_machines; i++) {
                r = sd_bus_message_append(reply, "(ssso)", m->machines[i]->name, "container", "corral",
                                          m->machines[i]->path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ListMachines plus the properties a listing needs, in one reply: a
 * client listing 1,000 machines would otherwise make 1,000 GetAll() round
 * trips, each computing every property (cgroup accounting, os-release,
 * network records) of which the listing shows a few. */
static int method_list_machines_with_properties(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **properties = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_read_strv(msg, &properties);
        if (r < 0)
                return r;
        STRV_FOREACH(p, properties)
                if (!machine_property_is_known(*p))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
                                                 "Machines have no property '%s'.", *p);

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(soa{sv})");
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_machines; i++) {
                Machine *machine = m->machines[i];

                r = sd_bus_message_open_container(reply, 'r', "soa{sv}");
                if (r < 0)
                        return r;
                r = sd_bus_message_append(reply, "so", machine->name, machine->path);
                if (r < 0)
                        return r;
                r = machine_bus_append_properties(reply, machine, properties, error);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(reply);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list_refused(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ss)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_refused; i++) {
                r = sd_bus_message_append(reply, "(ss)", m->refused[i].name, m->refused[i].error);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_machine(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Machine *machine;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = lookup_machine(userdata, name, &machine, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "o", machine->path);
}

static int method_get_machine_by_pid(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Machine *machine;
        uint32_t pid;
        int r;

        r = sd_bus_message_read(msg, "u", &pid);
        if (r < 0)
                return r;
        if (pid == 0) {
                _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
                pid_t p;
                r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_PID, &creds);
                if (r < 0)
                        return r;
                r = sd_bus_creds_get_pid(creds, &p);
                if (r < 0)
                        return r;
                pid = (uint32_t) p;
        }
        machine = manager_get_machine_by_pid(userdata, (pid_t) pid);
        if (!machine)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_MACHINE, "PID %u belongs to no machine.", pid);
        return sd_bus_reply_method_return(msg, "o", machine->path);
}

static int method_get_machine_addresses(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Machine *machine;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = lookup_machine(userdata, name, &machine, error);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = machine_bus_append_addresses(reply, machine, error);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

typedef enum Action {
        ACTION_START,
        ACTION_STOP,
        ACTION_REBOOT,
        ACTION_TERMINATE,
        ACTION_ENABLE,
        ACTION_DISABLE,
        _ACTION_MAX,
} Action;

static const struct {
        const char *verb;
        const char *what; /* for "Only root may %s." */
} action_table[_ACTION_MAX] = {
        [ACTION_START] = { "start", "start machines" },
        [ACTION_STOP] = { "stop", "stop machines" },
        [ACTION_REBOOT] = { "reboot", "reboot machines" },
        [ACTION_TERMINATE] = { "terminate", "terminate machines" },
        [ACTION_ENABLE] = { "enable", "enable machines" },
        [ACTION_DISABLE] = { "disable", "disable machines" },
};

static int machine_action(sd_bus_message *msg, Manager *m, Action a, sd_bus_error *error) {
        Machine *machine;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = check_privileged(msg, m, action_table[a].what, error);
        if (r < 0)
                return r;
        r = lookup_machine(m, name, &machine, error);
        if (r < 0)
                return r;

        switch (a) {
        case ACTION_START:
                r = machine_start(machine);
                break;
        case ACTION_STOP:
                r = machine_stop(machine);
                break;
        case ACTION_REBOOT:
                r = machine_reboot(machine);
                break;
        case ACTION_TERMINATE:
                r = machine_terminate(machine);
                break;
        case ACTION_ENABLE:
        case ACTION_DISABLE:
                r = manager_set_autostart(m, machine, a == ACTION_ENABLE);
                break;
        default:
                r = -EINVAL;
        }
        /* Starting a started machine or stopping a stopped one is fine. */
        if (r == -EALREADY)
                r = 0;
        if (r == -ENOENT && a == ACTION_START)
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_DEFINITION,
                                         "Machine '%s' has no definition any more and cannot be started.", name);
        if (r < 0)
                return bus_error_from_machine_errno(error, r, name, action_table[a].verb);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_start(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return machine_action(msg, userdata, ACTION_START, error);
}
static int method_stop(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return machine_action(msg, userdata, ACTION_STOP, error);
}
static int method_reboot(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return machine_action(msg, userdata, ACTION_REBOOT, error);
}
static int method_terminate(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return machine_action(msg, userdata, ACTION_TERMINATE, error);
}
static int method_enable(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return machine_action(msg, userdata, ACTION_ENABLE, error);
}
static int method_disable(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return machine_action(msg, userdata, ACTION_DISABLE, error);
}

static int method_kill(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name, *whom_s;
        Machine *machine;
        KillWhom whom;
        int32_t sig;
        int r;

        r = sd_bus_message_read(msg, "ssi", &name, &whom_s, &sig);
        if (r < 0)
                return r;
        whom = isempty(whom_s) ? KILL_ALL : kill_whom_from_string(whom_s);
        if (whom < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid whom '%s': 'leader' or 'all'.", whom_s);
        if (sig <= 0 || sig >= _NSIG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid signal %d.", (int) sig);
        r = check_privileged(msg, m, "kill machines", error);
        if (r < 0)
                return r;
        r = lookup_machine(m, name, &machine, error);
        if (r < 0)
                return r;
        r = machine_kill(machine, whom, sig);
        if (r < 0)
                return bus_error_from_machine_errno(error, r, name, "kill");
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = check_privileged(msg, m, "reload the definitions", error);
        if (r < 0)
                return r;
        r = manager_load_definitions(m);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_FAILED, "Failed to reload the definitions: %s.", strerror(-r));
        return sd_bus_reply_method_return(msg, NULL);
}

/* Reaps a shell's waiter; with a pending RunMachineCommand call, replies
 * to it with the exit status. */
typedef struct CommandWait {
        sd_event_source *source;
        int pidfd;
        sd_bus_message *call;
} CommandWait;

static int on_command_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        CommandWait *w = userdata;
        int status = machine_command_reap(w->pidfd);

        if (w->call) {
                int r = sd_bus_reply_method_return(w->call, "i", (int32_t) (status < 0 ? 255 : status));
                if (r < 0)
                        log_debug_errno(r, "Failed to reply to RunMachineCommand, ignoring: %m");
                sd_bus_message_unref(w->call);
        }
        sd_event_source_disable_unref(w->source);
        safe_close(w->pidfd);
        free(w);
        return 0;
}

static int watch_command(Manager *m, int pidfd, sd_bus_message *call) {
        CommandWait *w = calloc(1, sizeof *w);
        int r;

        if (!w) {
                safe_close(pidfd);
                return -ENOMEM;
        }
        w->pidfd = pidfd;
        r = sd_event_add_io(m->event, &w->source, pidfd, EPOLLIN, on_command_exit, w);
        if (r < 0) {
                safe_close(pidfd);
                free(w);
                return r;
        }
        w->call = sd_bus_message_ref(call);
        return 0;
}

static int read_command(sd_bus_message *msg, MachineCommand *cmd, char ***args, char ***env) {
        int r;

        r = sd_bus_message_read(msg, "ss", &cmd->user, &cmd->path);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(msg, args);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(msg, env);
        if (r < 0)
                return r;
        cmd->args = *args;
        cmd->env = *env;
        if (!isempty(cmd->path) && cmd->path[0] != '/')
                return -EINVAL;
        STRV_FOREACH(e, *env)
                if (!strchr(*e, '=') || (*e)[0] == '=')
                        return -EINVAL;
        return 0;
}

static int open_pty(sd_bus_message *msg, Manager *m, const char *name, const MachineCommand *cmd,
                    sd_bus_error *error) {
        _cleanup_free_ char *pty_path = NULL;
        _cleanup_close_ int master = -EBADF;
        Machine *machine;
        pid_t pid;
        int pidfd, r;

        r = check_privileged(msg, m, "open a shell in a machine", error);
        if (r < 0)
                return r;
        r = lookup_machine(m, name, &machine, error);
        if (r < 0)
                return r;
        r = machine_open_pty_command(machine, cmd, &master, &pty_path, &pid, &pidfd);
        if (r < 0)
                return bus_error_from_machine_errno(error, r, name, "open a shell in");
        r = watch_command(m, pidfd, NULL);
        if (r < 0)
                return r;
        /* sd-bus sends a duplicate; our copy closes on return. */
        return sd_bus_reply_method_return(msg, "hs", master, pty_path);
}

static int method_open_shell(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **args = NULL, **env = NULL;
        MachineCommand cmd = {};
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = read_command(msg, &cmd, &args, &env);
        if (r == -EINVAL)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "The path must be absolute and env entries KEY=VALUE.");
        if (r < 0)
                return r;
        return open_pty(msg, userdata, name, &cmd, error);
}

static int method_open_login(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        /* The machine's console (machine-console.h): its getty or, in an
         * app machine, its payload's stdin and output. */
        _cleanup_free_ char *pty_path = NULL;
        _cleanup_close_ int master = -EBADF;
        Manager *m = userdata;
        Machine *machine;
        const char *name;
        pid_t pid;
        int pidfd, r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = check_privileged(msg, m, "log into a machine", error);
        if (r < 0)
                return r;
        r = lookup_machine(m, name, &machine, error);
        if (r < 0)
                return r;
        r = machine_open_console(machine, &master, &pty_path, &pid, &pidfd);
        if (r < 0)
                return bus_error_from_machine_errno(error, r, name, "attach to the console of");
        r = watch_command(m, pidfd, NULL);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "hs", master, pty_path);
}

static int method_run_command(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **args = NULL, **env = NULL;
        Manager *m = userdata;
        MachineCommand cmd = {};
        Machine *machine;
        const char *name;
        int stdio[3];
        pid_t pid;
        int pidfd, r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = read_command(msg, &cmd, &args, &env);
        if (r == -EINVAL)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "The path must be absolute and env entries KEY=VALUE.");
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "hhh", &stdio[0], &stdio[1], &stdio[2]);
        if (r < 0)
                return r;
        r = check_privileged(msg, m, "run commands in a machine", error);
        if (r < 0)
                return r;
        r = lookup_machine(m, name, &machine, error);
        if (r < 0)
                return r;
        /* The child gets copies of the fds the message carries. */
        r = machine_spawn_command(machine, &cmd, stdio, &pid, &pidfd);
        if (r < 0)
                return bus_error_from_machine_errno(error, r, name, "run a command in");
        /* The message (kept for the deferred reply) owns our copies of the
         * client's fds: point them at /dev/null now, so that only the command
         * holds the pipes and the client sees EOF when it ends. The message
         * closes the /dev/null copies later. */
        _cleanup_close_ int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int i = 0; i < 3 && null_fd >= 0; i++)
                (void) dup3(null_fd, stdio[i], O_CLOEXEC);
        r = watch_command(m, pidfd, msg);
        if (r < 0)
                return r;
        return 1; /* replied to later */
}

static int method_open_log(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *p = NULL;
        _cleanup_close_ int fd = -EBADF;
        Manager *m = userdata;
        Machine *machine;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = lookup_machine(m, name, &machine, error);
        if (r < 0)
                return r;
        p = strprintf("run/corral/machines/%s/log", name);
        if (!p)
                return -ENOMEM;
        fd = openat(m->root_fd, p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return sd_bus_error_setf(error, BUS_ERROR_FAILED, "Machine '%s' has no log yet.", name);
        return sd_bus_reply_method_return(msg, "h", fd);
}

static void on_machine_new(Manager *m, Machine *machine, void *userdata) {
        int r = sd_bus_emit_signal(userdata, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE, "MachineNew", "so",
                                   machine->name, machine->path);
        if (r < 0)
                log_debug_errno(r, "Failed to emit MachineNew, ignoring: %m");
}

static void on_machine_removed(Manager *m, Machine *machine, void *userdata) {
        int r = sd_bus_emit_signal(userdata, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE, "MachineRemoved", "so",
                                   machine->name, machine->path);
        if (r < 0)
                log_debug_errno(r, "Failed to emit MachineRemoved, ignoring: %m");
}

static void on_machine_changed(Manager *m, Machine *machine, void *userdata) {
        int r = machine_send_changed(userdata, machine);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged, ignoring: %m");
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ListMachines", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a(ssso)", machines), method_list_machines, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListMachinesWithProperties", SD_BUS_ARGS("as", properties),
                                SD_BUS_RESULT("a(soa{sv})", machines), method_list_machines_with_properties,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListRefusedDefinitions", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a(ss)", definitions), method_list_refused, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetMachine", SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("o", machine), method_get_machine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetMachineByPID", SD_BUS_ARGS("u", pid),
                                SD_BUS_RESULT("o", machine), method_get_machine_by_pid, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetMachineAddresses", SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("a(iay)", addresses), method_get_machine_addresses,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StartMachine", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StopMachine", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RebootMachine", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                method_reboot, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("TerminateMachine", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                method_terminate, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("KillMachine", SD_BUS_ARGS("s", name, "s", whom, "i", signal),
                                SD_BUS_NO_RESULT, method_kill, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("EnableMachine", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                method_enable, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("DisableMachine", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                method_disable, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenMachineShell",
                                SD_BUS_ARGS("s", name, "s", user, "s", path, "as", args, "as", environment),
                                SD_BUS_RESULT("h", pty, "s", pty_path), method_open_shell, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenMachineLogin", SD_BUS_ARGS("s", name),
                                SD_BUS_RESULT("h", pty, "s", pty_path), method_open_login, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RunMachineCommand",
                                SD_BUS_ARGS("s", name, "s", user, "s", path, "as", args, "as", environment,
                                            "h", stdin, "h", stdout, "h", stderr),
                                SD_BUS_RESULT("i", status), method_run_command, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenMachineLog", SD_BUS_ARGS("s", name), SD_BUS_RESULT("h", log),
                                method_open_log, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("MachineNew", SD_BUS_ARGS("s", machine, "o", path), 0),
        SD_BUS_SIGNAL_WITH_ARGS("MachineRemoved", SD_BUS_ARGS("s", machine, "o", path), 0),
        SD_BUS_VTABLE_END,
};

int manager_bus_attach(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the manager object: %m");
        r = sd_bus_add_fallback_vtable(bus, NULL, CORRAL_BUS_MACHINE_PREFIX, CORRAL_MACHINE_IFACE, machine_vtable,
                                       machine_object_find, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the machine objects: %m");
        r = sd_bus_add_node_enumerator(bus, NULL, CORRAL_BUS_MACHINE_PREFIX, machine_node_enumerator, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the machine enumerator: %m");
        r = sd_bus_add_object_manager(bus, NULL, CORRAL_BUS_PATH);
        if (r < 0)
                return log_error_errno(r, "Failed to add the object manager: %m");

        m->hooks = (ManagerHooks) {
                .machine_new = on_machine_new,
                .machine_removed = on_machine_removed,
                .machine_changed = on_machine_changed,
                .userdata = bus,
        };

        r = image_bus_attach(m, bus);
        if (r < 0)
                return r;

        r = sd_bus_request_name(bus, CORRAL_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the name '%s': %m", CORRAL_BUS_NAME);
        return 0;
}

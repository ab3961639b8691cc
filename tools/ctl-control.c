/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that change machines: start (and waiting until the machine
 * runs), stop, reboot, terminate, kill, enable, disable, and
 * daemon-reload. One table maps each verb to its Manager method. */

#include <assert.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-json.h"
#include "ctl.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

static const struct {
        const char *verb;
        const char *method;
} control_methods[] = {
        { "start", "StartMachine" },         { "stop", "StopMachine" },
        { "reboot", "RebootMachine" },       { "terminate", "TerminateMachine" },
        { "enable", "EnableMachine" },       { "disable", "DisableMachine" },
};

typedef struct StartWait {
        char *state;      /* the newest State seen, from a signal or a Get */
        bool left_stopped; /* a state other than "stopped" was seen since the call */
        bool polled;       /* seen in the current poll */
} StartWait;

static void start_wait_set(StartWait *w, const char *state) {
        if (!state || streq_ptr(w->state, state))
                return;
        char *s = strdup(state);
        if (!s)
                return; /* the next poll will tell again */
        free(w->state);
        w->state = s;
        if (!streq(state, "stopped"))
                w->left_stopped = true;
}

static int get_state(sd_bus *bus, const char *path, StartWait *w) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *state = NULL;
        int r = sd_bus_get_property_string(bus, CORRAL_BUS_NAME, path, CORRAL_MACHINE_IFACE, "State", &error,
                                           &state);
        if (r < 0)
                return r;
        start_wait_set(w, state);
        return 0;
}

static void report_failure(CtlContext *c, const char *name, const char *path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(json_object_putp) json_object *props = NULL;
        _cleanup_free_ char *log = NULL;
        const char *reason = NULL;
        char buf[64] = "";

        if (ctl_bus_get_all(c->bus, path, CORRAL_MACHINE_IFACE, &error, &props) >= 0) {
                reason = ctl_prop_string(props, "Error");
                int64_t st = ctl_prop_int64(props, "ExitStatus", -1);
                if (st >= 0)
                        snprintf(buf, sizeof buf, "exit status %" PRIi64, st);
        }
        if (isempty(reason))
                reason = *buf ? buf : "no reason given";
        fprintf(stderr, "Machine '%s' failed to start: %s\n", name, reason);

        sd_bus_error_free(&error);
        if (ctl_log_tail(c->bus, name, 10, &error, &log) >= 0 && !isempty(log)) {
                fprintf(stderr, "Last log lines of '%s':\n", name);
                for (const char *l = log; *l;) {
                        size_t n = strcspn(l, "\n");
                        fprintf(stderr, "  %.*s\n", (int) n, l);
                        l += n + (l[n] == '\n');
                }
        }
}

/* start NAME...: every StartMachine call goes out first (so that the
 * machines come up in parallel), then, unless --no-block, we wait until
 * each is running (fine) or failed (reported with reason and log lines).
 * One PropertiesChanged match for every machine object goes in before the
 * calls so that no change is missed (one per machine would run into
 * dbus-daemon's 512 match rules per connection); a slow poll of all
 * states in one call backs it up. */
typedef struct StartOne {
        const char *name;
        char *path;
        StartWait wait;
        bool done;
} StartOne;

typedef struct StartAll {
        StartOne *machines;
        size_t n;
} StartAll;

static void start_one_done(StartOne *s) {
        free(s->path);
        free(s->wait.state);
}

/* A name may be given twice: every entry of that path learns the state. */
static void start_set_state(StartAll *a, const char *path, const char *state, bool polled) {
        for (size_t i = 0; path && i < a->n; i++) {
                StartOne *s = &a->machines[i];
                if (s->done || !streq(s->path, path))
                        continue;
                start_wait_set(&s->wait, state);
                s->wait.polled = s->wait.polled || polled;
        }
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(json_object_putp) json_object *changed = NULL;
        const char *iface;

        if (sd_bus_message_read(m, "s", &iface) < 0 || !streq(iface, CORRAL_MACHINE_IFACE))
                return 0;
        if (ctl_bus_read_value(m, &changed) <= 0)
                return 0;
        start_set_state(userdata, sd_bus_message_get_path(m), ctl_prop_string(changed, "State"), false);
        return 0;
}

static int poll_one(const char *name, const char *path, json_object *props, void *userdata) {
        start_set_state(userdata, path, ctl_prop_string(props, "State"), true);
        return 0;
}

/* Every machine's State in one call (ListMachinesWithProperties); a
 * corrald without it is asked machine by machine. */
static int poll_states(CtlContext *c, StartAll *a) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        static const char *const state[] = { "State", NULL };
        int r;

        r = ctl_list_machines_with_properties(c->bus, state, &error, poll_one, a);
        if (r < 0) {
                if (!sd_bus_error_has_name(&error, SD_BUS_ERROR_UNKNOWN_METHOD))
                        return r;
                for (size_t i = 0; i < a->n; i++)
                        if (!a->machines[i].done && get_state(c->bus, a->machines[i].path, &a->machines[i].wait) < 0) {
                                log_error("Lost machine '%s' while waiting for it to start.", a->machines[i].name);
                                a->machines[i].done = true;
                        }
                return 0;
        }
        /* Not listed any more (its definition went away while stopped). */
        for (size_t i = 0; i < a->n; i++) {
                StartOne *s = &a->machines[i];
                if (!s->done && !s->wait.polled) {
                        log_error("Lost machine '%s' while waiting for it to start.", s->name);
                        s->done = true;
                }
                s->wait.polled = false;
        }
        return 0;
}

static int verb_start(CtlContext *c) {
        size_t n = strv_length(c->args->names), left = 0;
        _cleanup_free_ StartOne *s = calloc(n ?: 1, sizeof(StartOne));
        _cleanup_free_ sd_bus_error *errors = calloc(n ?: 1, sizeof(sd_bus_error));
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        StartAll all = { s, n };
        int ret = 0, r = 0;

        if (!s || !errors)
                return log_oom(), CTL_EXIT_FAILURE;
        for (size_t i = 0; i < n; i++) {
                s[i].name = c->args->names[i];
                /* The object path is the name escaped as sd-bus does (corrald's
                 * GetMachine gives the same); StartMachine itself says when
                 * there is no such machine. */
                r = sd_bus_path_encode(CORRAL_MACHINE_PATH_PREFIX, s[i].name, &s[i].path);
                if (r < 0)
                        return log_oom(), CTL_EXIT_FAILURE;
        }
        if (!c->args->no_block) {
                r = sd_bus_add_match(c->bus, &slot,
                                     "type='signal',sender='" CORRAL_BUS_NAME "',"
                                     "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
                                     "path_namespace='" CORRAL_MACHINE_PATH_PREFIX "'",
                                     on_properties_changed, &all);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch the machines: %m"), CTL_EXIT_FAILURE;
        }
        r = ctl_call_manager_each(c->bus, "StartMachine", c->args->names, errors);
        if (r < 0) {
                log_error_errno(r, "Lost the bus while starting machines: %m");
                ret = CTL_EXIT_FAILURE;
        }
        for (size_t i = 0; i < n; i++) {
                if (r < 0 || sd_bus_error_is_set(&errors[i])) {
                        if (r >= 0)
                                ctl_log_error("start", "machine", s[i].name, &errors[i], -EIO);
                        s[i].done = true;
                        ret = CTL_EXIT_FAILURE;
                } else if (c->args->no_block)
                        s[i].done = true;
                else
                        left++;
                sd_bus_error_free(&errors[i]);
        }

        usec_t next_poll = 0;
        while (left > 0) {
                usec_t nw = now(CLOCK_MONOTONIC);
                if (nw >= next_poll) {
                        next_poll = nw + 250 * USEC_PER_MSEC;
                        r = poll_states(c, &all);
                        if (r < 0)
                                break;
                }
                for (size_t i = 0; i < n; i++) {
                        StartWait *w = &s[i].wait;
                        if (s[i].done)
                                continue;
                        if (streq_ptr(w->state, "running"))
                                s[i].done = true;
                        else if (streq_ptr(w->state, "failed") || (streq_ptr(w->state, "stopped") && w->left_stopped)) {
                                report_failure(c, s[i].name, s[i].path);
                                s[i].done = true;
                        }
                }
                left = 0;
                for (size_t i = 0; i < n; i++)
                        if (!s[i].done)
                                left++;
                if (left == 0)
                        break;

                r = sd_bus_process(c->bus, NULL);
                if (r < 0)
                        break;
                if (r == 0) {
                        r = sd_bus_wait(c->bus, 250 * USEC_PER_MSEC);
                        if (r < 0 && r != -EINTR)
                                break;
                }
        }
        if (r < 0 && r != -EINTR) {
                log_error_errno(r, "Lost the bus while waiting for machines to start: %m");
                ret = CTL_EXIT_FAILURE;
        }
        for (size_t i = 0; i < n; i++) {
                if (!c->args->no_block && !streq_ptr(s[i].wait.state, "running"))
                        ret = CTL_EXIT_FAILURE;
                start_one_done(&s[i]);
        }
        return ret;
}

int verb_control(CtlContext *c) {
        const char *verb = c->args->verb->name, *method = NULL;
        size_t n = strv_length(c->args->names);
        _cleanup_free_ sd_bus_error *errors = NULL;
        int ret = 0, r;

        for (size_t i = 0; i < ELEMENTSOF(control_methods); i++)
                if (streq(verb, control_methods[i].verb))
                        method = control_methods[i].method;
        assert(method);
        if (streq(verb, "start"))
                return verb_start(c);

        errors = calloc(n ?: 1, sizeof(sd_bus_error));
        if (!errors)
                return log_oom(), CTL_EXIT_FAILURE;
        r = ctl_call_manager_each(c->bus, method, c->args->names, errors);
        if (r < 0) {
                log_error_errno(r, "Lost the bus: %m");
                ret = CTL_EXIT_FAILURE;
        }
        for (size_t i = 0; i < n; i++) {
                if (sd_bus_error_is_set(&errors[i])) {
                        ctl_log_error(verb, "machine", c->args->names[i], &errors[i], -EIO);
                        ret = CTL_EXIT_FAILURE;
                }
                sd_bus_error_free(&errors[i]);
        }
        return ret;
}

int verb_kill(CtlContext *c) {
        const char *whom = c->args->kill_whom ?: "all";
        int sig = c->args->signal > 0 ? c->args->signal : SIGTERM, ret = 0;

        STRV_FOREACH(name, c->args->names) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r = ctl_call_manager(c->bus, "KillMachine", &error, NULL, "ssi", *name, whom, (int32_t) sig);
                if (r < 0) {
                        ctl_log_error("kill", "machine", *name, &error, r);
                        ret = CTL_EXIT_FAILURE;
                }
        }
        return ret;
}

int verb_daemon_reload(CtlContext *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = ctl_call_manager(c->bus, "Reload", &error, NULL, NULL);
        if (r < 0)
                return ctl_log_error("reload corrald", NULL, NULL, &error, r), CTL_EXIT_FAILURE;
        return 0;
}

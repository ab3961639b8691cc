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

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        StartWait *w = userdata;
        _cleanup_(json_object_putp) json_object *changed = NULL;
        const char *iface;

        if (sd_bus_message_read(m, "s", &iface) < 0 || !streq(iface, CORRAL_MACHINE_IFACE))
                return 0;
        if (ctl_bus_read_value(m, &changed) <= 0)
                return 0;
        start_wait_set(w, ctl_prop_string(changed, "State"));
        return 0;
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
 * The PropertiesChanged match of a machine goes in before its call so that
 * no change is missed; a slow Get poll backs it up. */
typedef struct StartOne {
        const char *name;
        char *path;
        sd_bus_slot *slot;
        StartWait wait;
        bool done;
} StartOne;

static void start_one_done(StartOne *s) {
        free(s->path);
        sd_bus_slot_unref(s->slot);
        free(s->wait.state);
}

static int start_call(CtlContext *c, StartOne *s) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = ctl_machine_path(c->bus, s->name, &error, &s->path);
        if (r < 0)
                return ctl_log_error("start", "machine", s->name, &error, r);
        if (!c->args->no_block) {
                r = sd_bus_match_signal(c->bus, &s->slot, CORRAL_BUS_NAME, s->path,
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        on_properties_changed, &s->wait);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch machine '%s': %m", s->name);
        }
        r = ctl_call_manager(c->bus, "StartMachine", &error, NULL, "s", s->name);
        if (r < 0)
                return ctl_log_error("start", "machine", s->name, &error, r);
        return 0;
}

static int verb_start(CtlContext *c) {
        size_t n = strv_length(c->args->names), left = 0;
        _cleanup_free_ StartOne *s = calloc(n, sizeof(StartOne));
        int ret = 0, r = 0;

        if (!s)
                return log_oom(), CTL_EXIT_FAILURE;
        for (size_t i = 0; i < n; i++) {
                s[i].name = c->args->names[i];
                if (start_call(c, &s[i]) < 0) {
                        s[i].done = true;
                        ret = CTL_EXIT_FAILURE;
                } else if (c->args->no_block)
                        s[i].done = true;
                else
                        left++;
        }

        usec_t next_poll = 0;
        while (left > 0) {
                usec_t nw = now(CLOCK_MONOTONIC);
                bool poll_now = nw >= next_poll;
                if (poll_now)
                        next_poll = nw + 250 * USEC_PER_MSEC;

                for (size_t i = 0; i < n; i++) {
                        StartWait *w = &s[i].wait;
                        if (s[i].done)
                                continue;
                        if (poll_now && get_state(c->bus, s[i].path, w) < 0) {
                                log_error("Lost machine '%s' while waiting for it to start.", s[i].name);
                                s[i].done = true;
                        } else if (streq_ptr(w->state, "running"))
                                s[i].done = true;
                        else if (streq_ptr(w->state, "failed") || (streq_ptr(w->state, "stopped") && w->left_stopped)) {
                                report_failure(c, s[i].name, s[i].path);
                                s[i].done = true;
                        }
                        if (s[i].done) {
                                left--;
                                if (!streq_ptr(w->state, "running"))
                                        ret = CTL_EXIT_FAILURE;
                        }
                }
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
        if (r < 0) {
                log_error_errno(r, "Lost the bus while waiting for machines to start: %m");
                ret = CTL_EXIT_FAILURE;
        }
        for (size_t i = 0; i < n; i++)
                start_one_done(&s[i]);
        return ret;
}

int verb_control(CtlContext *c) {
        const char *verb = c->args->verb->name, *method = NULL;
        int ret = 0;

        for (size_t i = 0; i < ELEMENTSOF(control_methods); i++)
                if (streq(verb, control_methods[i].verb))
                        method = control_methods[i].method;
        assert(method);
        if (streq(verb, "start"))
                return verb_start(c);

        STRV_FOREACH(name, c->args->names) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r;

                r = ctl_call_manager(c->bus, method, &error, NULL, "s", *name);
                if (r < 0) {
                        ctl_log_error(verb, "machine", *name, &error, r);
                        ret = CTL_EXIT_FAILURE;
                }
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

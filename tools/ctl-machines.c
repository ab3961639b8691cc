/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reading verbs about machines: list, status, show. Each gathers the
 * machine's properties with one GetAll() and prints them as a table, as
 * text or as JSON (stable snake_case field names for list and status; show
 * keeps the D-Bus property names). */

#include <inttypes.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-format.h"
#include "ctl-json.h"
#include "ctl-table.h"
#include "ctl.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

static const struct {
        const char *state;
        const char *color;
} state_colors[] = {
        { "running", ANSI_GREEN },   { "starting", ANSI_YELLOW }, { "stopping", ANSI_YELLOW },
        { "failed", ANSI_RED },      { "refused", ANSI_RED },
};

static const char *state_color(const char *state) {
        for (size_t i = 0; i < ELEMENTSOF(state_colors); i++)
                if (streq_ptr(state, state_colors[i].state))
                        return state_colors[i].color;
        return NULL;
}

static bool state_is_active(const char *state) {
        return state && !streq(state, "stopped") && !streq(state, "failed");
}

/* The property as one line: arrays joined with sep. */
static char *prop_text(json_object *props, const char *key, const char *sep) {
        json_object *v;
        if (!json_object_object_get_ex(props, key, &v))
                return strdup("");
        if (!json_object_is_type(v, json_type_array))
                return ctl_json_to_text(v);
        char *s = strdup("");
        for (size_t i = 0; s && i < json_object_array_length(v); i++) {
                _cleanup_free_ char *e = ctl_json_to_text(json_object_array_get_idx(v, i));
                if (!e)
                        return mfree(s);
                char *n = strprintf("%s%s%s", s, i > 0 ? sep : "", e);
                free(s);
                s = n;
        }
        return s;
}

static int json_compare_names(const void *a, const void *b) {
        json_object *const *x = a, *const *y = b;
        json_object *nx = json_object_object_get(*x, "name"), *ny = json_object_object_get(*y, "name");
        return strcmp(json_object_get_string(nx) ?: "", json_object_get_string(ny) ?: "");
}

static int list_add(CtlContext *c, CtlTable *t, json_object *array, const char *name, const char *class,
                    json_object *props, const char *error) {
        const char *state = props ? ctl_prop_string(props, "State") : "refused";
        const char *image = props ? ctl_prop_string(props, "Image") : NULL;
        const char *dir = props ? ctl_prop_string(props, "RootDirectory") : NULL;
        uint64_t leader = props ? ctl_prop_uint64(props, "Leader", 0) : 0;
        json_object *addresses = NULL;
        int r;

        if (props)
                (void) json_object_object_get_ex(props, "Addresses", &addresses);

        if (array) {
                _cleanup_(json_object_putp) json_object *o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
                if ((r = ctl_json_add_string(o, "name", name)) < 0 ||
                    (r = ctl_json_add_string(o, "state", state)) < 0 ||
                    (r = ctl_json_add_string(o, "class", class)) < 0 ||
                    (r = ctl_json_add_string(o, "image", image)) < 0 ||
                    (r = ctl_json_add_string(o, "directory", dir)) < 0 ||
                    (r = leader > 0 ? ctl_json_add_uint64(o, "leader", leader)
                                    : ctl_json_add_ref(o, "leader", NULL)) < 0)
                        return r;
                if (addresses && json_object_is_type(addresses, json_type_array))
                        r = ctl_json_add_ref(o, "addresses", addresses);
                else
                        r = json_object_object_add(o, "addresses", json_object_new_array());
                if (r < 0)
                        return r;
                r = ctl_json_add_string(o, "error", error ?: (props ? ctl_prop_string(props, "Error") : NULL));
                if (r < 0)
                        return r;
                return json_object_array_add(array, TAKE_PTR(o)) < 0 ? -ENOMEM : 0;
        }

        _cleanup_free_ char *addr = props ? prop_text(props, "Addresses", ",") : NULL;
        char pid[32] = "";
        if (leader > 0)
                snprintf(pid, sizeof pid, "%" PRIu64, leader);
        const char *cells[] = { name, state, class, isempty(image) ? dir : image, pid, addr };
        const char *colors[] = { NULL, state_color(state), NULL, NULL, NULL, NULL };
        return ctl_table_add_row(t, cells, colors);
}

/* Refused definitions (ListRefusedDefinitions, a(ss) name, error); a
 * corrald without that method simply has none to show. */
static int list_refused(CtlContext *c, CtlTable *t, json_object *array, char ***errors) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name, *msg;
        int r;

        r = ctl_call_manager(c->bus, "ListRefusedDefinitions", &error, &reply, NULL);
        if (r < 0)
                return sd_bus_error_has_name(&error, SD_BUS_ERROR_UNKNOWN_METHOD)
                               ? 0
                               : ctl_log_error("list refused definitions", NULL, NULL, &error, r);
        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(ss)", &name, &msg)) > 0) {
                r = list_add(c, t, array, name, NULL, NULL, msg);
                if (r < 0)
                        return r;
                r = strv_consume(errors, strprintf("%s: %s", name, msg));
                if (r < 0)
                        return r;
        }
        return r;
}

/* The properties list shows, for ListMachinesWithProperties(). */
static const char *const list_properties[] = { "Class", "State", "Image", "RootDirectory", "Leader", "Addresses",
                                               "Error", NULL };

static int list_add_filtered(CtlContext *c, CtlTable *t, json_object *array, const char *name, const char *class,
                             json_object *props) {
        if (!c->args->all && !state_is_active(ctl_prop_string(props, "State")))
                return 0;
        return list_add(c, t, array, name, class, props, NULL);
}

typedef struct ListContext {
        CtlContext *c;
        CtlTable *t;
        json_object *array;
} ListContext;

static int list_one(const char *name, const char *path, json_object *props, void *userdata) {
        ListContext *l = userdata;
        return list_add_filtered(l->c, l->t, l->array, name, ctl_prop_string(props, "Class"), props);
}

/* One call for every machine and the properties the listing needs
 * (corrald's ListMachinesWithProperties). 0 when corrald does not have
 * the method, 1 when listed. */
static int list_batched(CtlContext *c, CtlTable *t, json_object *array) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        ListContext l = { c, t, array };
        int r;

        r = ctl_list_machines_with_properties(c->bus, list_properties, &error, list_one, &l);
        if (r == -ENOMEM)
                return log_oom();
        if (r == -EBADMSG)
                return log_error_errno(r, "Failed to parse the reply of ListMachinesWithProperties: %m");
        if (r < 0) {
                if (sd_bus_error_has_names(&error, SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_PROPERTY))
                        return 0;
                return ctl_log_error("list machines", NULL, NULL, &error, r);
        }
        return 1;
}

/* A corrald without ListMachinesWithProperties: ListMachines, then one
 * GetAll() per machine. */
static int list_each(CtlContext *c, CtlTable *t, json_object *array) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name, *class, *service, *path;
        int r;

        r = ctl_call_manager(c->bus, "ListMachines", &error, &reply, NULL);
        if (r < 0)
                return ctl_log_error("list machines", NULL, NULL, &error, r);

        r = sd_bus_message_enter_container(reply, 'a', "(ssso)");
        if (r < 0)
                goto bad_reply;
        while ((r = sd_bus_message_read(reply, "(ssso)", &name, &class, &service, &path)) > 0) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                _cleanup_(json_object_putp) json_object *props = NULL;

                /* A machine removed between the two calls is simply gone. */
                if (ctl_bus_get_all(c->bus, path, CORRAL_MACHINE_IFACE, &e, &props) < 0)
                        continue;
                r = list_add_filtered(c, t, array, name, class, props);
                if (r < 0)
                        return log_oom();
        }
        if (r < 0)
                goto bad_reply;
        return 0;

bad_reply:
        return log_error_errno(r, "Failed to parse the reply of ListMachines: %m");
}

int verb_list(CtlContext *c) {
        _cleanup_(ctl_table_freep) CtlTable *t = NULL;
        _cleanup_(json_object_putp) json_object *array = NULL;
        _cleanup_strv_free_ char **errors = NULL;
        static const char *const headers[] = { "NAME", "STATE", "CLASS", "IMAGE", "LEADER", "ADDRESSES" };
        int r;

        if (c->args->json != CTL_JSON_OFF) {
                array = json_object_new_array();
                if (!array)
                        return log_oom(), CTL_EXIT_FAILURE;
        } else if (ctl_table_new(headers, ELEMENTSOF(headers), &t) < 0)
                return log_oom(), CTL_EXIT_FAILURE;

        r = list_batched(c, t, array);
        if (r == 0)
                r = list_each(c, t, array);
        if (r < 0)
                return CTL_EXIT_FAILURE;

        if (c->args->all) {
                r = list_refused(c, t, array, &errors);
                if (r < 0)
                        return CTL_EXIT_FAILURE;
        }

        if (array) {
                json_object_array_sort(array, json_compare_names);
                return ctl_json_print(array, c->args->json, c->out) < 0 ? CTL_EXIT_FAILURE : 0;
        }

        ctl_table_sort(t, 0);
        size_t n = ctl_table_rows(t);
        if (n > 0 || !c->args->no_legend)
                (void) ctl_table_print(t, c->out, !c->args->no_legend, c->colors);
        if (!c->args->no_legend) {
                fprintf(c->out, "\n%zu machine%s listed.\n", n, n == 1 ? "" : "s");
                STRV_FOREACH(e, errors)
                        fprintf(c->out, "refused %s\n", *e);
        }
        return 0;
}

typedef struct Machine {
        char *name;
        char *path;
        json_object *props;
} Machine;

static void machine_done(Machine *m) {
        free(m->name);
        free(m->path);
        json_object_put(m->props);
}

static int machine_get(CtlContext *c, const char *action, const char *name, Machine *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        json_object *props = NULL;
        int r;

        r = ctl_machine_path(c->bus, name, &error, &path);
        if (r >= 0)
                r = ctl_bus_get_all(c->bus, path, CORRAL_MACHINE_IFACE, &error, &props);
        if (r < 0)
                return ctl_log_error(action, "machine", name, &error, r);
        *ret = (Machine) { .name = strdup(name), .path = TAKE_PTR(path), .props = props };
        return 0;
}

static void status_line(CtlContext *c, const char *label, const char *value) {
        if (!isempty(value))
                fprintf(c->out, "%12s: %s\n", label, value);
}

static char *limit_text(const char *what, uint64_t current, uint64_t max, bool bytes) {
        char a[32], b[32];
        if (current == UINT64_MAX)
                return NULL;
        if (bytes)
                ctl_format_bytes(a, sizeof a, current);
        else
                snprintf(a, sizeof a, "%" PRIu64, current);
        if (max == UINT64_MAX)
                return strdup(a);
        if (bytes)
                ctl_format_bytes(b, sizeof b, max);
        else
                snprintf(b, sizeof b, "%" PRIu64, max);
        return strprintf("%s (%s %s)", a, what, b);
}

static int status_text(CtlContext *c, const Machine *m, const char *log) {
        json_object *p = m->props;
        const char *state = ctl_prop_string(p, "State");
        const char *desc = ctl_prop_string(p, "Description");
        const char *color = c->colors ? state_color(state) : NULL;
        usec_t since = ctl_prop_uint64(p, "Timestamp", 0);
        uint64_t leader = ctl_prop_uint64(p, "Leader", 0);
        int64_t exit_status = ctl_prop_int64(p, "ExitStatus", -1);
        char buf[64], ts[64], ago[64];

        fprintf(c->out, "%s●%s %s%s%s\n", color ?: "", color ? ANSI_NORMAL : "", m->name,
                isempty(desc) ? "" : " - ", strempty(desc));

        _cleanup_free_ char *st = NULL;
        if (since > 0 && state_is_active(state))
                st = strprintf("%s%s%s since %s; %s", color ?: "", strempty(state), color ? ANSI_NORMAL : "",
                               ctl_format_timestamp(ts, sizeof ts, since),
                               ctl_format_ago(ago, sizeof ago, since, now(CLOCK_REALTIME)));
        else
                st = strprintf("%s%s%s", color ?: "", state ?: "unknown", color ? ANSI_NORMAL : "");
        status_line(c, "State", st);
        status_line(c, "Class", ctl_prop_string(p, "Class"));
        status_line(c, "Image", ctl_prop_string(p, "Image"));
        status_line(c, "Directory", ctl_prop_string(p, "RootDirectory"));
        status_line(c, "OS", ctl_prop_string(p, "OperatingSystem"));
        if (leader > 0) {
                snprintf(buf, sizeof buf, "%" PRIu64, leader);
                status_line(c, "Leader", buf);
        }
        status_line(c, "Autostart", json_object_object_get(p, "Autostart")
                                            ? (json_object_get_boolean(json_object_object_get(p, "Autostart")) ? "yes" : "no")
                                            : NULL);
        uint64_t restarts = ctl_prop_uint64(p, "RestartCount", UINT64_MAX);
        if (restarts != UINT64_MAX) {
                snprintf(buf, sizeof buf, "%" PRIu64, restarts);
                status_line(c, "Restarts", buf);
        }
        if (exit_status >= 0 && !state_is_active(state)) {
                snprintf(buf, sizeof buf, "%" PRIi64, exit_status);
                status_line(c, "Exit status", buf);
        }
        status_line(c, "Error", ctl_prop_string(p, "Error"));

        _cleanup_free_ char *mem = limit_text("max", ctl_prop_uint64(p, "MemoryCurrent", UINT64_MAX),
                                               ctl_prop_uint64(p, "MemoryMax", UINT64_MAX), true);
        status_line(c, "Memory", mem);
        _cleanup_free_ char *tasks = limit_text("max", ctl_prop_uint64(p, "TasksCurrent", UINT64_MAX),
                                                 ctl_prop_uint64(p, "TasksMax", UINT64_MAX), false);
        status_line(c, "Tasks", tasks);
        uint64_t cpu = ctl_prop_uint64(p, "CPUUsageNSec", UINT64_MAX);
        uint64_t quota = ctl_prop_uint64(p, "CPUQuotaPerSecUSec", UINT64_MAX);
        if (cpu != UINT64_MAX) {
                _cleanup_free_ char *s = NULL;
                format_timespan(buf, sizeof buf, cpu / NSEC_PER_USEC);
                if (quota != UINT64_MAX)
                        s = strprintf("%s (quota %" PRIu64 "%%)", buf, quota / 10000);
                status_line(c, "CPU", s ?: buf);
        }
        _cleanup_free_ char *addr = prop_text(p, "Addresses", ", ");
        status_line(c, "Addresses", addr);
        _cleanup_free_ char *ifs = prop_text(p, "NetworkInterfaces", ", ");
        status_line(c, "Interfaces", ifs);

        if (!isempty(log)) {
                fputc('\n', c->out);
                for (const char *l = log; *l;) {
                        size_t n = strcspn(l, "\n");
                        fprintf(c->out, "  %.*s\n", (int) n, l);
                        l += n + (l[n] == '\n');
                }
        }
        return 0;
}

static int status_json(const Machine *m, const char *log, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object(), *lines = json_object_new_array();
        json_object *p = m->props, *v;
        uint64_t leader = ctl_prop_uint64(p, "Leader", 0), since = ctl_prop_uint64(p, "Timestamp", 0);
        /* A negative ExitStatus means the machine has not exited yet. */
        int64_t exit_status = ctl_prop_int64(p, "ExitStatus", -1);
        int r = 0;

        if (!o || !lines)
                return -ENOMEM;
        static const struct {
                const char *field, *property;
        } strings[] = {
                { "name", "Name" },       { "state", "State" },       { "class", "Class" },
                { "description", "Description" }, { "image", "Image" }, { "directory", "RootDirectory" },
                { "error", "Error" },
        };
        for (size_t i = 0; i < ELEMENTSOF(strings) && r >= 0; i++)
                r = ctl_json_add_string(o, strings[i].field,
                                        i == 0 ? m->name : ctl_prop_string(p, strings[i].property));
        static const struct {
                const char *field, *property;
        } numbers[] = {
                { "restarts", "RestartCount" },
                { "memory_current", "MemoryCurrent" },
                { "memory_max", "MemoryMax" },
                { "memory_high", "MemoryHigh" },
                { "tasks_current", "TasksCurrent" },
                { "tasks_max", "TasksMax" },
                { "cpu_usage_nsec", "CPUUsageNSec" },
                { "cpu_quota_per_sec_usec", "CPUQuotaPerSecUSec" },
                { "cpu_weight", "CPUWeight" },
        };
        for (size_t i = 0; i < ELEMENTSOF(numbers) && r >= 0; i++)
                r = ctl_json_add_uint64_or_null(o, numbers[i].field, ctl_prop_uint64(p, numbers[i].property, UINT64_MAX));
        if (r >= 0)
                r = leader > 0 ? ctl_json_add_uint64(o, "leader", leader) : ctl_json_add_ref(o, "leader", NULL);
        if (r >= 0)
                r = since > 0 ? ctl_json_add_uint64(o, "since_usec", since) : ctl_json_add_ref(o, "since_usec", NULL);
        if (r >= 0)
                r = exit_status >= 0 ? ctl_json_add_int64(o, "exit_status", exit_status)
                                             : ctl_json_add_ref(o, "exit_status", NULL);
        if (r >= 0) {
                json_object *a = json_object_object_get(p, "Autostart");
                r = a ? ctl_json_add_bool(o, "autostart", json_object_get_boolean(a)) : ctl_json_add_ref(o, "autostart", NULL);
        }
        static const struct {
                const char *field, *property;
        } arrays[] = { { "addresses", "Addresses" }, { "interfaces", "NetworkInterfaces" } };
        for (size_t i = 0; i < ELEMENTSOF(arrays) && r >= 0; i++) {
                if (json_object_object_get_ex(p, arrays[i].property, &v) && json_object_is_type(v, json_type_array))
                        r = ctl_json_add_ref(o, arrays[i].field, v);
                else
                        r = json_object_object_add(o, arrays[i].field, json_object_new_array());
        }
        if (r < 0)
                return r;
        for (const char *l = log; l && *l;) {
                size_t n = strcspn(l, "\n");
                json_object_array_add(lines, json_object_new_string_len(l, (int) n));
                l += n + (l[n] == '\n');
        }
        json_object_object_add(o, "log", TAKE_PTR(lines));
        *ret = TAKE_PTR(o);
        return 0;
}

int verb_status(CtlContext *c) {
        _cleanup_(json_object_putp) json_object *array = NULL;
        uint64_t n_lines = c->args->lines == UINT64_MAX ? 10 : c->args->lines;
        int ret = 0, r;

        if (c->args->json != CTL_JSON_OFF && !(array = json_object_new_array()))
                return log_oom(), CTL_EXIT_FAILURE;

        STRV_FOREACH(name, c->args->names) {
                _cleanup_(machine_done) Machine m = {};
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *log = NULL;

                if (machine_get(c, "get status of", *name, &m) < 0) {
                        ret = CTL_EXIT_FAILURE;
                        continue;
                }
                /* The log is a bonus: status without it is still status. */
                if (n_lines > 0)
                        (void) ctl_log_tail(c->bus, *name, n_lines, &error, &log);

                if (array) {
                        json_object *o;
                        r = status_json(&m, log, &o);
                        if (r < 0)
                                return log_oom(), CTL_EXIT_FAILURE;
                        json_object_array_add(array, o);
                } else {
                        if (name != c->args->names)
                                fputc('\n', c->out);
                        status_text(c, &m, log);
                }
        }
        if (array && json_object_array_length(array) > 0)
                (void) ctl_json_print(strv_length(c->args->names) == 1 ? json_object_array_get_idx(array, 0) : array,
                                      c->args->json, c->out);
        return ret;
}

static int compare_keys(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void show_text(CtlContext *c, json_object *props) {
        _cleanup_strv_free_ char **keys = NULL;

        json_object_object_foreach(props, key, val) {
                (void) val;
                if (strv_extend(&keys, key) < 0)
                        return (void) log_oom();
        }
        if (keys)
                qsort(keys, strv_length(keys), sizeof(char *), compare_keys);

        STRV_FOREACH(k, keys) {
                json_object *v = json_object_object_get(props, *k);
                _cleanup_free_ char *text = NULL;
                char ts[64];

                if (startswith(*k, "Timestamp") && json_object_is_type(v, json_type_int))
                        text = strdup(ctl_format_timestamp(ts, sizeof ts, json_object_get_uint64(v)));
                else if (json_object_is_type(v, json_type_int) && json_object_get_uint64(v) == UINT64_MAX)
                        /* As systemctl show: limits are "infinity", unknown values "[not set]". */
                        text = strdup(endswith(*k, "Max") || endswith(*k, "High") || endswith(*k, "USec") ||
                                                      endswith(*k, "Weight")
                                              ? "infinity"
                                              : "[not set]");
                else
                        text = ctl_json_to_text(v);
                if (!text)
                        return (void) log_oom();
                if (c->args->value)
                        fprintf(c->out, "%s\n", text);
                else
                        fprintf(c->out, "%s=%s\n", *k, text);
        }
}

int verb_show(CtlContext *c) {
        _cleanup_(json_object_putp) json_object *array = NULL;
        int ret = 0;

        if (c->args->json != CTL_JSON_OFF && !(array = json_object_new_array()))
                return log_oom(), CTL_EXIT_FAILURE;

        STRV_FOREACH(name, c->args->names) {
                _cleanup_(machine_done) Machine m = {};

                if (machine_get(c, "show", *name, &m) < 0) {
                        ret = CTL_EXIT_FAILURE;
                        continue;
                }
                if (c->args->properties) {
                        json_object *keep = json_object_new_object();
                        if (!keep)
                                return log_oom(), CTL_EXIT_FAILURE;
                        STRV_FOREACH(p, c->args->properties) {
                                json_object *v;
                                if (json_object_object_get_ex(m.props, *p, &v))
                                        json_object_object_add(keep, *p, json_object_get(v));
                        }
                        json_object_put(m.props);
                        m.props = keep;
                }
                if (array)
                        json_object_array_add(array, json_object_get(m.props));
                else {
                        if (name != c->args->names && !c->args->value)
                                fputc('\n', c->out);
                        show_text(c, m.props);
                }
        }
        if (array && json_object_array_length(array) > 0)
                (void) ctl_json_print(strv_length(c->args->names) == 1 ? json_object_array_get_idx(array, 0) : array,
                                      c->args->json, c->out);
        return ret;
}

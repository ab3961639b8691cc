/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MachineDefinition -> RunConfig for corral-run --machine; see
 * run-config-definition.h for the precedence rules. */

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "cgroup.h"
#include "definition-dirs.h"
#include "log.h"
#include "run-config-definition.h"
#include "string-util.h"

typedef struct Refusals {
        const char *filename;
        char **lines;
        bool oom;
} Refusals;

static void refuse(Refusals *r, const char *format, ...) _printf_(2, 3);
static void refuse(Refusals *r, const char *format, ...) {
        va_list ap;
        char *m;

        va_start(ap, format);
        int k = vasprintf(&m, format, ap);
        va_end(ap);
        if (k < 0) {
                r->oom = true;
                return;
        }
        char *line = strprintf("%s: %s", r->filename, m);
        free(m);
        if (!line || strv_consume(&r->lines, line) < 0)
                r->oom = true;
}

static int set_string(char **field, const char *value) {
        if (*field || !value)
                return 0;
        *field = strdup(value);
        return *field ? 0 : -ENOMEM;
}

static int apply_strings(RunConfig *c, const MachineDefinition *d, const char *root) {
        int r;

        if (!c->machine_name && (r = set_string(&c->machine_name, d->name)) < 0)
                return r;
        /* One root file system: a -D or --image on the command line wins. */
        if (!c->directory && !c->image) {
                if (d->image)
                        r = set_string(&c->image, d->image);
                else if (d->directory_implicit && !isempty(root) && !streq(root, "/"))
                        r = (c->directory = strprintf("%s%s", root, d->directory)) ? 0 : -ENOMEM;
                else
                        r = set_string(&c->directory, d->directory);
                if (r < 0)
                        return r;
        }
        if ((r = set_string(&c->user, d->user)) < 0 || (r = set_string(&c->working_directory, d->working_directory)) < 0 ||
            (r = set_string(&c->hostname, d->hostname)) < 0 || (r = set_string(&c->network_bridge, d->network_bridge)) < 0 ||
            (r = set_string(&c->network_zone, d->network_zone)) < 0)
                return r;
        if (!c->argv && d->parameters) {
                c->argv = strv_copy(d->parameters);
                if (!c->argv)
                        return -ENOMEM;
        }
        return 0;
}

static int apply_lists(RunConfig *c, const MachineDefinition *d) {
        int r;

        /* The command line's -E KEY=... wins over the file's KEY. */
        STRV_FOREACH(e, d->environment) {
                _cleanup_free_ char *key = strndup(*e, strcspn(*e, "="));
                if (!key)
                        return -ENOMEM;
                if (strv_env_get(c->environment, key))
                        continue;
                r = strv_env_set(&c->environment, *e);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(f, d->syscall_filter)
                if ((r = strv_extend(&c->syscall_filter, *f)) < 0)
                        return r;
        STRV_FOREACH(p, d->ports)
                if ((r = strv_extend(&c->ports, *p)) < 0)
                        return r;

        for (size_t i = 0; i < d->n_binds; i++) {
                const DefinitionBind *b = &d->binds[i];
                if (b->source_in_root || !b->recursive)
                        continue; /* refused in check_unsupported() */
                BindMount *n = realloc(c->binds, (c->n_binds + 1) * sizeof(BindMount));
                if (!n)
                        return -ENOMEM;
                c->binds = n;
                c->binds[c->n_binds] = (BindMount) {
                        .source = strdup(b->source),
                        .destination = strdup(b->destination),
                        .read_only = b->read_only,
                };
                c->n_binds++;
                if (!n[c->n_binds - 1].source || !n[c->n_binds - 1].destination)
                        return -ENOMEM;
        }
        return 0;
}

/* [Resources] key by key: a -p KEY= on the command line wins. The
 * definition's values pass through the same parser once more, formatted
 * the way the cgroup module prints them. */
static int apply_limits(RunConfig *c, const MachineDefinition *d) {
        if (!d->limits)
                return 0;
        if (!c->limits) {
                int r = cgroup_limits_new(&c->limits);
                if (r < 0)
                        return r;
        }
        for (int k = 0; k < _CGROUP_LIMIT_MAX; k++) {
                _cleanup_free_ char *v = NULL;
                if (!cgroup_limits_has(d->limits, k) || cgroup_limits_has(c->limits, k))
                        continue;
                int r = cgroup_limits_format(d->limits, k, &v);
                if (r < 0)
                        return r;
                r = cgroup_limits_set(c->limits, cgroup_limit_key_to_string(k), v);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_address(RunConfig *c, const MachineDefinition *d, Refusals *ref) {
        if (!d->addresses || c->network_address)
                return 0;
        if (strv_length(d->addresses) > 1) {
                refuse(ref, "[Network] Address=: corral-run supports one address per machine");
                return 0;
        }
        return set_string(&c->network_address, d->addresses[0]);
}

static int apply_user_namespace(RunConfig *c, const MachineDefinition *d, Refusals *ref) {
        static const UserNamespaceMode map[_PRIVATE_USERS_MODE_MAX] = {
                [PRIVATE_USERS_NO] = USER_NAMESPACE_NO,
                [PRIVATE_USERS_YES] = _USER_NAMESPACE_MODE_INVALID,
                [PRIVATE_USERS_PICK] = USER_NAMESPACE_PICK,
                [PRIVATE_USERS_IDENTITY] = _USER_NAMESPACE_MODE_INVALID,
                [PRIVATE_USERS_FIXED] = USER_NAMESPACE_FIXED,
        };

        if (d->private_users == PRIVATE_USERS_NO || c->private_users != USER_NAMESPACE_NO)
                return 0;
        if (map[d->private_users] < 0) {
                refuse(ref, "[Exec] PrivateUsers=%s is not supported by corral-run",
                       private_users_mode_to_string(d->private_users));
                return 0;
        }
        c->private_users = map[d->private_users];
        c->uid_shift = d->uid_shift;
        c->uid_range = d->uid_range;
        return 0;
}

/* What the definition asks for and RunConfig has no field for (yet). */
static void check_unsupported(const MachineDefinition *d, Refusals *ref) {
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (d->rlimit[i])
                        refuse(ref, "[Exec] %s= is not supported by corral-run yet", rlimit_to_key(i));
        if (d->ambient_capability)
                refuse(ref, "[Exec] AmbientCapability= is not supported by corral-run yet");
        if (d->oom_score_adjust_set)
                refuse(ref, "[Exec] OOMScoreAdjust= is not supported by corral-run yet");
        if (d->timezone != TIMEZONE_AUTO)
                refuse(ref, "[Exec] Timezone=%s is not supported by corral-run yet",
                       timezone_mode_to_string(d->timezone));
        if (d->volatile_mode != VOLATILE_NO)
                refuse(ref, "[Files] Volatile=%s is not supported by corral-run yet",
                       volatile_mode_to_string(d->volatile_mode));
        if (d->n_tmpfs > 0)
                refuse(ref, "[Files] TemporaryFileSystem= is not supported by corral-run yet");
        for (size_t i = 0; i < d->n_binds; i++) {
                if (d->binds[i].source_in_root)
                        refuse(ref, "[Files] %s=+%s: sources inside the container are not supported by corral-run yet",
                               d->binds[i].read_only ? "BindReadOnly" : "Bind", d->binds[i].source);
                if (!d->binds[i].recursive)
                        refuse(ref, "[Files] %s=...:norbind is not supported by corral-run (binds are recursive)",
                               d->binds[i].read_only ? "BindReadOnly" : "Bind");
        }
}

int run_config_apply_definition(RunConfig *c, const MachineDefinition *d, char **ret_error) {
        Refusals ref = { .filename = d->path ?: d->name };
        int r;

        check_unsupported(d, &ref);
        r = apply_user_namespace(c, d, &ref);
        if (r >= 0)
                r = apply_address(c, d, &ref);
        if (r >= 0 && !ref.oom && ref.lines) {
                if (ret_error) {
                        *ret_error = strv_join(ref.lines, "\n");
                        r = *ret_error ? -EOPNOTSUPP : -ENOMEM;
                } else
                        r = -EOPNOTSUPP;
        }
        strv_free(ref.lines);
        if (ref.oom)
                return -ENOMEM;
        if (r < 0)
                return r;

        if ((r = apply_strings(c, d, c->root)) < 0 || (r = apply_lists(c, d)) < 0 || (r = apply_limits(c, d)) < 0)
                return r;

        c->boot = c->boot || d->boot;
        c->ephemeral = c->ephemeral || d->ephemeral;
        c->read_only = c->read_only || d->read_only;
        c->cap_add |= d->capability;
        c->cap_drop |= d->drop_capability;
        c->no_new_privileges = c->no_new_privileges || d->no_new_privileges > 0;
        if (c->kill_signal == 0)
                c->kill_signal = d->kill_signal;
        if (c->stop_timeout == 0)
                c->stop_timeout = d->stop_timeout;
        c->private_network = c->private_network || d->private_network;
        c->network_veth = c->network_veth || d->network_veth;
        c->notify_ready = c->notify_ready || d->notify_ready;
        return 0;
}

/* One log line per problem (each already "FILE:LINE: message"), so that
 * a journal or a terminal shows them as the separate facts they are. */
static int log_refusal(int r, const char *path, const char *error) {
        _cleanup_strv_free_ char **lines = NULL;

        if (strv_split(strempty(error), "\n", &lines) < 0)
                return log_oom();
        STRV_FOREACH(l, lines)
                log_error("%s", *l);
        return log_error_errno(r, "Refusing machine definition '%s'.", path);
}

int run_config_load_machine(RunConfig *c) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = NULL;
        _cleanup_free_ char *path = NULL, *error = NULL;
        int r;

        if (!c->machine)
                return 0;
        if (strchr(c->machine, '/'))
                path = strdup(c->machine);
        else {
                r = definition_dirs_find(c->root, c->machine, &path);
                if (r == -EINVAL)
                        return log_error_errno(r, "Invalid machine name: '%s'", c->machine);
                if (r == -ENOENT)
                        return log_error_errno(r, "No definition for machine '%s' below '%s'", c->machine,
                                               isempty(c->root) ? "/" : c->root);
                if (r < 0)
                        return log_error_errno(r, "Failed to look for machine '%s': %m", c->machine);
        }
        if (!path)
                return log_oom();

        r = machine_definition_load(path, &d, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_refusal(r, path, error);
        r = run_config_apply_definition(c, d, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_refusal(r, path, error);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RunConfig construction, bind specs and defaults; see run-config.h. */

#include <string.h>

#include "cgroup.h"
#include "hostname-util.h"
#include "run-config.h"
#include "string-util.h"

int run_config_new(RunConfig **ret) {
        RunConfig *c = calloc(1, sizeof(RunConfig));
        if (!c)
                return -ENOMEM;
        c->root = strdup("/");
        if (!c->root) {
                free(c);
                return -ENOMEM;
        }
        c->private_users = USER_NAMESPACE_NO;
        *ret = c;
        return 0;
}

RunConfig *run_config_free(RunConfig *c) {
        if (!c)
                return NULL;
        free(c->root);
        free(c->directory);
        strv_free(c->argv);
        strv_free(c->environment);
        free(c->working_directory);
        free(c->user);
        free(c->machine_name);
        free(c->hostname);
        for (size_t i = 0; i < c->n_binds; i++) {
                free(c->binds[i].source);
                free(c->binds[i].destination);
        }
        free(c->binds);
        strv_free(c->syscall_filter);
        cgroup_limits_free(c->limits);
        free(c->network_bridge);
        strv_free(c->ports);
        free(c->network_zone);
        free(c->network_address);
        free(c->image);
        strv_free(c->lower_dirs);
        free(c->upper_dir);
        free(c->work_dir);
        free(c->machine);
        free(c->state_dir);
        free(c->notify_socket);
        free(c);
        return NULL;
}

static bool path_is_sane(const char *p) {
        /* Absolute, no "..", no empty string: a bind target must stay
         * below the container's root however it is resolved. */
        if (!p || p[0] != '/')
                return false;
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
                        return false;
        return true;
}

int run_config_add_bind(RunConfig *c, const char *spec, bool read_only) {
        _cleanup_free_ char *src = NULL, *dst = NULL;
        const char *colon, *opts = NULL;

        colon = strchr(spec, ':');
        if (colon) {
                src = strndup(spec, colon - spec);
                const char *d = colon + 1;
                const char *colon2 = strchr(d, ':');
                if (colon2) {
                        opts = colon2 + 1;
                        dst = strndup(d, colon2 - d);
                } else
                        dst = strdup(d);
        } else {
                src = strdup(spec);
                dst = strdup(spec);
        }
        if (!src || !dst)
                return -ENOMEM;
        if (opts) {
                if (streq(opts, "ro"))
                        read_only = true;
                else if (streq(opts, "rw"))
                        read_only = false;
                else
                        return -EINVAL;
        }
        if (!path_is_sane(src) || !path_is_sane(dst))
                return -EINVAL;

        BindMount *n = realloc(c->binds, (c->n_binds + 1) * sizeof(BindMount));
        if (!n)
                return -ENOMEM;
        c->binds = n;
        c->binds[c->n_binds++] = (BindMount) {
                .source = TAKE_PTR(src),
                .destination = TAKE_PTR(dst),
                .read_only = read_only,
        };
        return 0;
}

int run_config_finalize(RunConfig *c) {
        /* A directory, or an image resolved into overlay lowers (image-run.c). */
        if (!c->directory && !c->lower_dirs)
                return -EINVAL;
        if (c->directory && c->directory[0] != '/')
                return -EINVAL;
        if (!c->machine_name) {
                /* The last path element of the directory, as nspawn does. */
                const char *e = c->directory + strlen(c->directory);
                while (e > c->directory + 1 && e[-1] == '/')
                        e--;
                const char *b = e;
                while (b > c->directory && b[-1] != '/')
                        b--;
                c->machine_name = strndup(b, e - b);
                if (!c->machine_name)
                        return -ENOMEM;
                if (!machine_name_is_valid(c->machine_name)) {
                        free(c->machine_name);
                        c->machine_name = strdup("container");
                        if (!c->machine_name)
                                return -ENOMEM;
                }
        }
        if (!c->hostname) {
                c->hostname = strdup(c->machine_name);
                if (!c->hostname)
                        return -ENOMEM;
        }
        if (c->private_users != USER_NAMESPACE_NO)
                return -EOPNOTSUPP;
        return 0;
}

static const char *const console_mode_table[_CONSOLE_MODE_MAX] = {
        [CONSOLE_AUTO] = "auto",
        [CONSOLE_INTERACTIVE] = "interactive",
        [CONSOLE_PIPE] = "pipe",
};

const char *console_mode_to_string(ConsoleMode m) {
        return m >= 0 && m < _CONSOLE_MODE_MAX ? console_mode_table[m] : NULL;
}

ConsoleMode console_mode_from_string(const char *s) {
        for (int i = 0; i < _CONSOLE_MODE_MAX; i++)
                if (streq_ptr(console_mode_table[i], s))
                        return i;
        return _CONSOLE_MODE_INVALID;
}

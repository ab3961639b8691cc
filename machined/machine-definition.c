/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Machine definitions: the key table, the value parsers specific to
 * machines, and the checks that need the whole file (required keys,
 * keys that exclude each other, nspawn's implications). The generic INI
 * machinery is config.c. */

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "capability-util.h"
#include "cgroup.h"
#include "config.h"
#include "fileio.h"
#include "hostname-util.h"
#include "image-store.h"
#include "machine-definition.h"
#include "network-pool.h"
#include "nft.h"
#include "parse-util.h"
#include "seccomp-policy.h"
#include "string-util.h"

static ssize_t table_index(const char *const *table, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (ssize_t) i;
        return -EINVAL;
}

static const char *const restart_policy_table[_RESTART_POLICY_MAX] = {
        [RESTART_NO] = "no",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ALWAYS] = "always",
};

const char *restart_policy_to_string(RestartPolicy p) {
        return p >= 0 && p < _RESTART_POLICY_MAX ? restart_policy_table[p] : NULL;
}

RestartPolicy restart_policy_from_string(const char *s) {
        return (RestartPolicy) table_index(restart_policy_table, _RESTART_POLICY_MAX, s);
}

static const char *const volatile_mode_table[_VOLATILE_MODE_MAX] = {
        [VOLATILE_NO] = "no",
        [VOLATILE_YES] = "yes",
        [VOLATILE_STATE] = "state",
        [VOLATILE_OVERLAY] = "overlay",
};

const char *volatile_mode_to_string(VolatileMode m) {
        return m >= 0 && m < _VOLATILE_MODE_MAX ? volatile_mode_table[m] : NULL;
}

VolatileMode volatile_mode_from_string(const char *s) {
        /* Booleans in any spelling, as nspawn accepts them. */
        int b = parse_boolean(s);
        if (b >= 0)
                return b ? VOLATILE_YES : VOLATILE_NO;
        return (VolatileMode) table_index(volatile_mode_table, _VOLATILE_MODE_MAX, s);
}

static const char *const private_users_mode_table[_PRIVATE_USERS_MODE_MAX] = {
        [PRIVATE_USERS_NO] = "no",
        [PRIVATE_USERS_YES] = "yes",
        [PRIVATE_USERS_PICK] = "pick",
        [PRIVATE_USERS_IDENTITY] = "identity",
        [PRIVATE_USERS_FIXED] = "fixed",
};

const char *private_users_mode_to_string(PrivateUsersMode m) {
        return m >= 0 && m < _PRIVATE_USERS_MODE_MAX ? private_users_mode_table[m] : NULL;
}

static const char *const timezone_mode_table[_TIMEZONE_MODE_MAX] = {
        [TIMEZONE_AUTO] = "auto",
        [TIMEZONE_OFF] = "off",
        [TIMEZONE_COPY] = "copy",
        [TIMEZONE_BIND] = "bind",
        [TIMEZONE_SYMLINK] = "symlink",
        [TIMEZONE_DELETE] = "delete",
};

const char *timezone_mode_to_string(TimezoneMode m) {
        return m >= 0 && m < _TIMEZONE_MODE_MAX ? timezone_mode_table[m] : NULL;
}

TimezoneMode timezone_mode_from_string(const char *s) {
        return (TimezoneMode) table_index(timezone_mode_table, _TIMEZONE_MODE_MAX, s);
}

/* How the value of each Limit*= key is written (systemd.exec(5)). */
typedef enum RlimitUnit {
        RLIMIT_UNIT_NUMBER,
        RLIMIT_UNIT_BYTES,   /* 1024-based suffixes */
        RLIMIT_UNIT_SECONDS, /* a time span, stored in seconds */
        RLIMIT_UNIT_USEC,    /* a time span, stored in microseconds */
        RLIMIT_UNIT_NICE,    /* "+N"/"-N" nice level or raw 0..40 */
} RlimitUnit;

static const struct {
        const char *key;
        RlimitUnit unit;
} rlimit_table[RLIM_NLIMITS] = {
        [RLIMIT_CPU] = { "LimitCPU", RLIMIT_UNIT_SECONDS },
        [RLIMIT_FSIZE] = { "LimitFSIZE", RLIMIT_UNIT_BYTES },
        [RLIMIT_DATA] = { "LimitDATA", RLIMIT_UNIT_BYTES },
        [RLIMIT_STACK] = { "LimitSTACK", RLIMIT_UNIT_BYTES },
        [RLIMIT_CORE] = { "LimitCORE", RLIMIT_UNIT_BYTES },
        [RLIMIT_RSS] = { "LimitRSS", RLIMIT_UNIT_BYTES },
        [RLIMIT_NPROC] = { "LimitNPROC", RLIMIT_UNIT_NUMBER },
        [RLIMIT_NOFILE] = { "LimitNOFILE", RLIMIT_UNIT_NUMBER },
        [RLIMIT_MEMLOCK] = { "LimitMEMLOCK", RLIMIT_UNIT_BYTES },
        [RLIMIT_AS] = { "LimitAS", RLIMIT_UNIT_BYTES },
        [RLIMIT_LOCKS] = { "LimitLOCKS", RLIMIT_UNIT_NUMBER },
        [RLIMIT_SIGPENDING] = { "LimitSIGPENDING", RLIMIT_UNIT_NUMBER },
        [RLIMIT_MSGQUEUE] = { "LimitMSGQUEUE", RLIMIT_UNIT_BYTES },
        [RLIMIT_NICE] = { "LimitNICE", RLIMIT_UNIT_NICE },
        [RLIMIT_RTPRIO] = { "LimitRTPRIO", RLIMIT_UNIT_NUMBER },
        [RLIMIT_RTTIME] = { "LimitRTTIME", RLIMIT_UNIT_USEC },
};

const char *rlimit_to_key(int resource) {
        return resource >= 0 && resource < RLIM_NLIMITS ? rlimit_table[resource].key : NULL;
}

int rlimit_from_key(const char *key) {
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (rlimit_table[i].key && streq_ptr(rlimit_table[i].key, key))
                        return i;
        return -EINVAL;
}

/* ---- value parsers ---- */

static int parse_restart(ConfigParser *p, const char *value, int ltype, void *data) {
        RestartPolicy r = restart_policy_from_string(value);
        if (r < 0)
                return config_error(p, r, "Invalid value for %s=: '%s' (want no, on-failure or always)",
                                    p->key, value);
        *(RestartPolicy *) data = r;
        return 0;
}

static int parse_volatile(ConfigParser *p, const char *value, int ltype, void *data) {
        VolatileMode m = volatile_mode_from_string(value);
        if (m < 0)
                return config_error(p, m, "Invalid value for %s=: '%s' (want no, yes, state or overlay)",
                                    p->key, value);
        *(VolatileMode *) data = m;
        return 0;
}

static int parse_timezone(ConfigParser *p, const char *value, int ltype, void *data) {
        TimezoneMode m = timezone_mode_from_string(value);
        if (m < 0)
                return config_error(p, m, "Invalid value for %s=: '%s'", p->key, value);
        *(TimezoneMode *) data = m;
        return 0;
}

static int parse_private_users(ConfigParser *p, const char *value, int ltype, void *data) {
        MachineDefinition *d = p->userdata;
        uint32_t shift, range = 65536;

        int b = parse_boolean(value);
        if (b >= 0) {
                d->private_users = b ? PRIVATE_USERS_YES : PRIVATE_USERS_NO;
                return 0;
        }
        ssize_t i = table_index(private_users_mode_table, _PRIVATE_USERS_MODE_MAX, value);
        if (i == PRIVATE_USERS_PICK || i == PRIVATE_USERS_IDENTITY) {
                d->private_users = (PrivateUsersMode) i;
                return 0;
        }

        /* "UID" or "UID:RANGE": a fixed shift. */
        const char *colon = strchr(value, ':');
        _cleanup_free_ char *first = strndup(value, colon ? (size_t) (colon - value) : strlen(value));
        if (!first)
                return -ENOMEM;
        if (parse_uint32(first, &shift) < 0 || (colon && parse_uint32(colon + 1, &range) < 0) || range == 0 ||
            (uint64_t) shift + range > UINT32_MAX)
                return config_error(p, -EINVAL,
                                    "Invalid value for %s=: '%s' (want yes, no, pick, identity or UID[:RANGE])",
                                    p->key, value);
        d->private_users = PRIVATE_USERS_FIXED;
        d->uid_shift = shift;
        d->uid_range = range;
        return 0;
}

static bool env_name_is_valid(const char *s, size_t l) {
        if (l == 0 || isdigit((unsigned char) s[0]))
                return false;
        for (size_t i = 0; i < l; i++)
                if (!isalnum((unsigned char) s[i]) && s[i] != '_')
                        return false;
        return true;
}

static int parse_environment(ConfigParser *p, const char *value, int ltype, void *data) {
        char ***env = data;
        _cleanup_strv_free_ char **words = NULL;

        if (isempty(value)) {
                *env = strv_free(*env);
                return 0;
        }
        int r = config_split_words(p, value, &words);
        if (r < 0)
                return r;
        STRV_FOREACH(w, words) {
                const char *eq = strchr(*w, '=');
                if (!eq || !env_name_is_valid(*w, (size_t) (eq - *w)))
                        return config_error(p, -EINVAL, "Invalid assignment in %s=: '%s' (want NAME=VALUE)",
                                            p->key, *w);
        }
        STRV_FOREACH(w, words) {
                r = strv_env_set(env, *w);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_user(ConfigParser *p, const char *value, int ltype, void *data) {
        size_t l = strlen(value);

        /* A user name as useradd(8) allows it, or a numeric UID. */
        bool ok = l > 0 && l <= 256 && value[0] != '-';
        for (size_t i = 0; ok && i < l; i++)
                ok = isalnum((unsigned char) value[i]) || strchr("_.-", value[i]) ||
                     (value[i] == '$' && i == l - 1);
        if (!ok)
                return config_error(p, -EINVAL, "Invalid user name for %s=: '%s'", p->key, value);
        return config_parse_string(p, value, ltype, data);
}

static int parse_hostname(ConfigParser *p, const char *value, int ltype, void *data) {
        if (!isempty(value) && !hostname_is_valid(value))
                return config_error(p, -EINVAL, "Invalid host name for %s=: '%s'", p->key, value);
        return config_parse_string(p, value, ltype, data);
}

/* The image store's own rule, so that a definition names only images
 * that can exist. */
static int parse_image_name(ConfigParser *p, const char *value, int ltype, void *data) {
        if (!isempty(value) && !image_name_is_valid(value))
                return config_error(p, -EINVAL, "Invalid image name for %s=: '%s'", p->key, value);
        return config_parse_string(p, value, ltype, data);
}

/* Space-separated capability names or "all"; they accumulate, and an
 * empty value resets the list (nspawn's semantics). */
static int parse_capability(ConfigParser *p, const char *value, int ltype, void *data) {
        uint64_t *mask = data, add = 0;
        _cleanup_strv_free_ char **words = NULL;

        if (isempty(value)) {
                *mask = 0;
                return 0;
        }
        int r = config_split_words(p, value, &words);
        if (r < 0)
                return r;
        STRV_FOREACH(w, words) {
                if (streq(*w, "all")) {
                        add |= capability_mask_all();
                        continue;
                }
                int c = capability_from_name(*w);
                if (c < 0)
                        return config_error(p, c, "Unknown capability in %s=: '%s'", p->key, *w);
                add |= UINT64_C(1) << c;
        }
        *mask |= add;
        return 0;
}

static int parse_syscall_filter(ConfigParser *p, const char *value, int ltype, void *data) {
        char ***l = data;
        _cleanup_free_ char *bad = NULL;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }
        int r = seccomp_filter_validate(value, &bad);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_error(p, r, "Unknown system call or group in %s=: '%s'", p->key,
                                    bad ?: value);
        return strv_extend(l, value);
}

static int parse_rlimit_value(RlimitUnit unit, const char *s, rlim_t *ret) {
        uint64_t v;
        usec_t t;
        int r, n;

        if (streq(s, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        switch (unit) {
        case RLIMIT_UNIT_BYTES:
                r = parse_size(s, &v);
                break;
        case RLIMIT_UNIT_SECONDS:
                r = parse_sec(s, &t);
                /* Round up: a limit of "500ms" must not become 0 seconds. */
                v = r < 0 ? 0 : (t + USEC_PER_SEC - 1) / USEC_PER_SEC;
                break;
        case RLIMIT_UNIT_USEC:
                r = parse_sec(s, &t);
                v = t;
                break;
        case RLIMIT_UNIT_NICE:
                if (s[0] == '+' || s[0] == '-') {
                        r = parse_int(s, &n);
                        if (r >= 0 && (n < -20 || n > 19))
                                r = -ERANGE;
                        v = (uint64_t) (20 - n);
                } else {
                        r = parse_uint64(s, &v);
                        if (r >= 0 && v > 40)
                                r = -ERANGE;
                }
                break;
        default:
                r = parse_uint64(s, &v);
        }
        if (r < 0)
                return r;
        if (v >= RLIM_INFINITY)
                return -ERANGE;
        *ret = (rlim_t) v;
        return 0;
}

/* "VALUE" (soft and hard) or "SOFT:HARD"; ltype is the RLIMIT_*. */
static int parse_rlimit(ConfigParser *p, const char *value, int ltype, void *data) {
        struct rlimit **slot = (struct rlimit **) data + ltype;
        struct rlimit rl;

        if (isempty(value)) {
                *slot = mfree(*slot);
                return 0;
        }
        const char *colon = strchr(value, ':');
        _cleanup_free_ char *soft = strndup(value, colon ? (size_t) (colon - value) : strlen(value));
        if (!soft)
                return -ENOMEM;
        if (parse_rlimit_value(rlimit_table[ltype].unit, soft, &rl.rlim_cur) < 0 ||
            parse_rlimit_value(rlimit_table[ltype].unit, colon ? colon + 1 : soft, &rl.rlim_max) < 0)
                return config_error(p, -EINVAL, "Invalid resource limit for %s=: '%s'", p->key, value);
        if (rl.rlim_cur > rl.rlim_max)
                return config_error(p, -EINVAL, "Soft limit above hard limit in %s=: '%s'", p->key, value);
        if (!*slot) {
                *slot = malloc(sizeof(struct rlimit));
                if (!*slot)
                        return -ENOMEM;
        }
        **slot = rl;
        return 0;
}

static int parse_oom_score_adjust(ConfigParser *p, const char *value, int ltype, void *data) {
        MachineDefinition *d = p->userdata;
        int v;

        if (isempty(value)) {
                d->oom_score_adjust_set = false;
                return 0;
        }
        if (parse_int(value, &v) < 0 || v < -1000 || v > 1000)
                return config_error(p, -EINVAL, "Invalid value for %s=: '%s' (want -1000...1000)", p->key,
                                    value);
        d->oom_score_adjust = v;
        d->oom_score_adjust_set = true;
        return 0;
}

/* Splits "A:B:C" at colons that are not escaped as "\:" (nspawn's
 * syntax for paths with colons), unescaping "\:" and "\\". */
static int split_colons(const char *s, size_t max, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        _cleanup_free_ char *cur = malloc(strlen(s) + 1);
        size_t n = 0;

        if (!l || !cur)
                return -ENOMEM;
        for (;; s++) {
                if (*s == '\\' && (s[1] == ':' || s[1] == '\\')) {
                        cur[n++] = *++s;
                        continue;
                }
                if (*s && *s != ':') {
                        cur[n++] = *s;
                        continue;
                }
                cur[n] = 0;
                if (strv_length(l) >= max || strv_extend(&l, cur) < 0)
                        return strv_length(l) >= max ? -EINVAL : -ENOMEM;
                n = 0;
                if (!*s)
                        break;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* nspawn's "SRC[:DST[:OPTIONS]]"; ltype is 1 for BindReadOnly=. */
static int parse_bind(ConfigParser *p, const char *value, int ltype, void *data) {
        MachineDefinition *d = p->userdata;
        _cleanup_strv_free_ char **parts = NULL;
        _cleanup_free_ char *src = NULL, *dst = NULL;
        bool in_root = false, recursive = true;

        int r = split_colons(value, 3, &parts);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || isempty(parts[0]))
                return config_error(p, -EINVAL, "Invalid bind mount for %s=: '%s' (want SRC[:DST[:OPTIONS]])",
                                    p->key, value);
        const char *s = parts[0];
        if (s[0] == '+') {
                in_root = true;
                s++;
        }
        r = path_normalize_absolute(s, &src);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_error(p, r, "Bind mount source of %s= must be an absolute path: '%s'", p->key,
                                    parts[0]);
        r = path_normalize_absolute(isempty(parts[1]) ? s : parts[1], &dst);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_error(p, r, "Bind mount destination of %s= must be an absolute path: '%s'",
                                    p->key, parts[1]);
        if (parts[1] && parts[2]) {
                _cleanup_strv_free_ char **opts = NULL;
                if (strv_split(parts[2], ",", &opts) < 0)
                        return -ENOMEM;
                STRV_FOREACH(o, opts) {
                        if (streq(*o, "rbind"))
                                recursive = true;
                        else if (streq(*o, "norbind"))
                                recursive = false;
                        else
                                return config_error(p, -EINVAL,
                                                    "Unsupported bind mount option in %s=: '%s' (corral knows rbind, norbind)",
                                                    p->key, *o);
                }
        }

        DefinitionBind *b = realloc(d->binds, (d->n_binds + 1) * sizeof(DefinitionBind));
        if (!b)
                return -ENOMEM;
        d->binds = b;
        d->binds[d->n_binds++] = (DefinitionBind) {
                .source = TAKE_PTR(src),
                .source_in_root = in_root,
                .destination = TAKE_PTR(dst),
                .read_only = ltype,
                .recursive = recursive,
        };
        return 0;
}

static int parse_tmpfs(ConfigParser *p, const char *value, int ltype, void *data) {
        MachineDefinition *d = p->userdata;
        _cleanup_strv_free_ char **parts = NULL;
        _cleanup_free_ char *path = NULL, *opts = NULL;

        int r = split_colons(value, 2, &parts);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || isempty(parts[0]))
                return config_error(p, -EINVAL, "Invalid value for %s=: '%s' (want PATH[:OPTIONS])", p->key,
                                    value);
        r = path_normalize_absolute(parts[0], &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_error(p, r, "%s= needs an absolute path: '%s'", p->key, parts[0]);
        if (!isempty(parts[1])) {
                for (const char *c = parts[1]; *c; c++)
                        if (!isgraph((unsigned char) *c))
                                return config_error(p, -EINVAL, "Invalid mount options in %s=: '%s'",
                                                    p->key, parts[1]);
                opts = strdup(parts[1]);
                if (!opts)
                        return -ENOMEM;
        }

        DefinitionTmpfs *t = realloc(d->tmpfs, (d->n_tmpfs + 1) * sizeof(DefinitionTmpfs));
        if (!t)
                return -ENOMEM;
        d->tmpfs = t;
        d->tmpfs[d->n_tmpfs++] = (DefinitionTmpfs) { .path = TAKE_PTR(path), .options = TAKE_PTR(opts) };
        return 0;
}

/* A network interface name as the kernel takes it (IFNAMSIZ - 1 bytes);
 * ltype is the room a prefix takes ("vz-" for zones). */
static int parse_ifname(ConfigParser *p, const char *value, int ltype, void *data) {
        size_t l = strlen(value);
        bool ok = l > 0 && l + (size_t) ltype <= 15 && !streq(value, ".") && !streq(value, "..");
        for (const char *c = value; ok && *c; c++)
                ok = isgraph((unsigned char) *c) && !strchr("/:", *c);
        if (!isempty(value) && !ok)
                return config_error(p, -EINVAL, "Invalid interface name for %s=: '%s'", p->key, value);
        return config_parse_string(p, value, ltype, data);
}

/* nspawn's "[tcp|udp:]HOST[:CONTAINER]", parsed by the network code that
 * uses it and stored in its canonical "proto:host:container" form. */
static int parse_port(ConfigParser *p, const char *value, int ltype, void *data) {
        char ***l = data;
        char buf[32];
        PortForward pf;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }
        if (port_forward_parse(value, &pf) < 0)
                return config_error(p, -EINVAL, "Invalid port mapping for %s=: '%s' (want [tcp|udp:]HOST[:CONTAINER])",
                                    p->key, value);
        return strv_extend(l, port_forward_to_string(&pf, buf, sizeof buf));
}

/* corral's static address: "A.B.C.D[/N]" (N defaults to 24), as
 * corral-run --address takes it, stored as "A.B.C.D/N". */
static int parse_address(ConfigParser *p, const char *value, int ltype, void *data) {
        char ***l = data;
        char a[INET_ADDRSTRLEN];
        struct in_addr addr;
        unsigned prefix;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }
        if (address_parse(value, 24, &addr, &prefix) < 0 || !inet_ntop(AF_INET, &addr, a, sizeof a))
                return config_error(p, -EINVAL, "Invalid address for %s=: '%s' (want A.B.C.D[/N])", p->key,
                                    value);
        char *s = strprintf("%s/%u", a, prefix);
        if (!s)
                return -ENOMEM;
        return strv_consume(l, s);
}

/* Every [Resources] key: the cgroup module owns names and syntax. */
static int parse_resource(ConfigParser *p, const char *value, int ltype, void *data) {
        CgroupLimits **limits = data;

        if (!*limits) {
                int r = cgroup_limits_new(limits);
                if (r < 0)
                        return r;
        }
        int r = cgroup_limits_set(*limits, p->key, value);
        if (r == -ENOENT || r == -ENOMEM)
                return r;
        if (r < 0)
                return config_error(p, r, "Invalid value for %s=: '%s'", p->key, value);
        return 0;
}

#define DEF(field) offsetof(MachineDefinition, field)
#define UNSUPPORTED(section, key) { section, key, config_parse_unsupported, 0, 0 }

static const ConfigTableItem machine_definition_table[] = {
        { "Machine", "Description", config_parse_string, 0, DEF(description) },
        { "Machine", "Image", parse_image_name, 0, DEF(image) },
        { "Machine", "Directory", config_parse_path, 0, DEF(directory) },
        { "Machine", "Autostart", config_parse_bool, 0, DEF(autostart) },
        { "Machine", "Restart", parse_restart, 0, DEF(restart) },
        { "Machine", "RestartSec", config_parse_sec, 0, DEF(restart_sec) },
        { "Machine", "StopTimeoutSec", config_parse_sec, 0, DEF(stop_timeout) },

        { "Exec", "Boot", config_parse_bool, 0, DEF(boot) },
        { "Exec", "Ephemeral", config_parse_bool, 0, DEF(ephemeral) },
        { "Exec", "ProcessTwo", config_parse_bool, 0, DEF(process_two) },
        { "Exec", "Parameters", config_parse_strv, 0, DEF(parameters) },
        { "Exec", "Environment", parse_environment, 0, DEF(environment) },
        { "Exec", "User", parse_user, 0, DEF(user) },
        { "Exec", "WorkingDirectory", config_parse_path, 0, DEF(working_directory) },
        { "Exec", "Hostname", parse_hostname, 0, DEF(hostname) },
        { "Exec", "KillSignal", config_parse_signal, 0, DEF(kill_signal) },
        { "Exec", "NotifyReady", config_parse_bool, 0, DEF(notify_ready) },
        { "Exec", "Capability", parse_capability, 0, DEF(capability) },
        { "Exec", "DropCapability", parse_capability, 0, DEF(drop_capability) },
        { "Exec", "AmbientCapability", parse_capability, 0, DEF(ambient_capability) },
        { "Exec", "NoNewPrivileges", config_parse_tristate, 0, DEF(no_new_privileges) },
        { "Exec", "SystemCallFilter", parse_syscall_filter, 0, DEF(syscall_filter) },
        { "Exec", "PrivateUsers", parse_private_users, 0, 0 },
        { "Exec", "OOMScoreAdjust", parse_oom_score_adjust, 0, 0 },
        { "Exec", "Timezone", parse_timezone, 0, DEF(timezone) },
        { "Exec", "LimitCPU", parse_rlimit, RLIMIT_CPU, DEF(rlimit) },
        { "Exec", "LimitFSIZE", parse_rlimit, RLIMIT_FSIZE, DEF(rlimit) },
        { "Exec", "LimitDATA", parse_rlimit, RLIMIT_DATA, DEF(rlimit) },
        { "Exec", "LimitSTACK", parse_rlimit, RLIMIT_STACK, DEF(rlimit) },
        { "Exec", "LimitCORE", parse_rlimit, RLIMIT_CORE, DEF(rlimit) },
        { "Exec", "LimitRSS", parse_rlimit, RLIMIT_RSS, DEF(rlimit) },
        { "Exec", "LimitNOFILE", parse_rlimit, RLIMIT_NOFILE, DEF(rlimit) },
        { "Exec", "LimitAS", parse_rlimit, RLIMIT_AS, DEF(rlimit) },
        { "Exec", "LimitNPROC", parse_rlimit, RLIMIT_NPROC, DEF(rlimit) },
        { "Exec", "LimitMEMLOCK", parse_rlimit, RLIMIT_MEMLOCK, DEF(rlimit) },
        { "Exec", "LimitLOCKS", parse_rlimit, RLIMIT_LOCKS, DEF(rlimit) },
        { "Exec", "LimitSIGPENDING", parse_rlimit, RLIMIT_SIGPENDING, DEF(rlimit) },
        { "Exec", "LimitMSGQUEUE", parse_rlimit, RLIMIT_MSGQUEUE, DEF(rlimit) },
        { "Exec", "LimitNICE", parse_rlimit, RLIMIT_NICE, DEF(rlimit) },
        { "Exec", "LimitRTPRIO", parse_rlimit, RLIMIT_RTPRIO, DEF(rlimit) },
        { "Exec", "LimitRTTIME", parse_rlimit, RLIMIT_RTTIME, DEF(rlimit) },
        UNSUPPORTED("Exec", "PivotRoot"),
        UNSUPPORTED("Exec", "Personality"),
        UNSUPPORTED("Exec", "MachineID"),
        UNSUPPORTED("Exec", "CPUAffinity"),
        UNSUPPORTED("Exec", "ResolvConf"),
        UNSUPPORTED("Exec", "LinkJournal"),
        UNSUPPORTED("Exec", "SuppressSync"),

        { "Files", "ReadOnly", config_parse_bool, 0, DEF(read_only) },
        { "Files", "Volatile", parse_volatile, 0, DEF(volatile_mode) },
        { "Files", "Bind", parse_bind, 0, 0 },
        { "Files", "BindReadOnly", parse_bind, 1, 0 },
        { "Files", "TemporaryFileSystem", parse_tmpfs, 0, 0 },
        UNSUPPORTED("Files", "Inaccessible"),
        UNSUPPORTED("Files", "Overlay"),
        UNSUPPORTED("Files", "OverlayReadOnly"),
        UNSUPPORTED("Files", "BindUser"),
        UNSUPPORTED("Files", "PrivateUsersOwnership"),
        UNSUPPORTED("Files", "PrivateUsersChown"),

        { "Network", "Private", config_parse_bool, 0, DEF(private_network) },
        { "Network", "VirtualEthernet", config_parse_bool, 0, DEF(network_veth) },
        { "Network", "Bridge", parse_ifname, 0, DEF(network_bridge) },
        { "Network", "Zone", parse_ifname, 3, DEF(network_zone) },
        { "Network", "Port", parse_port, 0, DEF(ports) },
        { "Network", "Address", parse_address, 0, DEF(addresses) },
        UNSUPPORTED("Network", "VirtualEthernetExtra"),
        UNSUPPORTED("Network", "Interface"),
        UNSUPPORTED("Network", "MACVLAN"),
        UNSUPPORTED("Network", "IPVLAN"),

        { "Resources", NULL, parse_resource, 0, DEF(limits) },
};

/* ---- whole-file checks ---- */

static int verify(ConfigParser *p, MachineDefinition *d, bool nspawn) {
        if (d->image && d->directory)
                config_error(p, -EINVAL, "[Machine] sets both Image= and Directory=; exactly one is needed");
        else if (!d->image && !d->directory) {
                if (nspawn) {
                        /* What systemd-nspawn -M NAME would boot. */
                        d->directory = strprintf("/var/lib/machines/%s", d->name);
                        if (!d->directory)
                                return -ENOMEM;
                        d->directory_implicit = true;
                } else
                        config_error(p, -EINVAL, "[Machine] needs Image= or Directory=; neither is set");
        }
        if (d->boot && d->process_two)
                config_error(p, -EINVAL, "[Exec] Boot= and ProcessTwo= cannot both be enabled");
        if (d->ephemeral && d->volatile_mode != VOLATILE_NO)
                config_error(p, -EINVAL, "[Exec] Ephemeral= and [Files] Volatile= cannot be combined");

        /* nspawn: a bridge, a zone or a port all need a veth, which needs a
         * network namespace of its own. */
        if (d->network_bridge && d->network_zone)
                config_error(p, -EINVAL, "[Network] Bridge= and Zone= cannot be combined");
        if (d->network_bridge || d->network_zone || d->ports)
                d->network_veth = true;
        if (d->network_veth || d->addresses)
                d->private_network = true;
        return 0;
}

int machine_definition_new(const char *name, MachineDefinition **ret) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = calloc(1, sizeof(MachineDefinition));
        if (!d)
                return -ENOMEM;
        d->n_ref = 1;
        d->restart = RESTART_NO;
        d->restart_sec = 1 * USEC_PER_SEC;
        d->stop_timeout = 10 * USEC_PER_SEC;
        d->no_new_privileges = -1;
        d->timezone = TIMEZONE_AUTO;
        d->name = strdup(name);
        if (!d->name)
                return -ENOMEM;
        *ret = TAKE_PTR(d);
        return 0;
}

MachineDefinition *machine_definition_ref(MachineDefinition *d) {
        if (d)
                d->n_ref++;
        return d;
}

MachineDefinition *machine_definition_unref(MachineDefinition *d) {
        if (!d || --d->n_ref > 0)
                return NULL;
        free(d->name);
        free(d->path);
        free(d->description);
        free(d->image);
        free(d->directory);
        strv_free(d->parameters);
        strv_free(d->environment);
        free(d->user);
        free(d->working_directory);
        free(d->hostname);
        strv_free(d->syscall_filter);
        for (size_t i = 0; i < RLIM_NLIMITS; i++)
                free(d->rlimit[i]);
        for (size_t i = 0; i < d->n_binds; i++) {
                free(d->binds[i].source);
                free(d->binds[i].destination);
        }
        free(d->binds);
        for (size_t i = 0; i < d->n_tmpfs; i++) {
                free(d->tmpfs[i].path);
                free(d->tmpfs[i].options);
        }
        free(d->tmpfs);
        free(d->network_bridge);
        free(d->network_zone);
        strv_free(d->ports);
        strv_free(d->addresses);
        cgroup_limits_free(d->limits);
        return mfree(d);
}

int machine_definition_parse_buffer(const char *name, const char *filename, bool nspawn, const char *data,
                                    size_t size, MachineDefinition **ret, char **ret_error) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = NULL;
        ConfigParser p;

        int r = machine_definition_new(name, &d);
        if (r < 0)
                return r;

        config_parser_init(&p, filename, d);
        r = config_parse_buffer(&p, data, size, machine_definition_table, ELEMENTSOF(machine_definition_table));
        if (r >= 0 || r == -EINVAL)
                r = verify(&p, d, nspawn);
        if (r >= 0 && p.n_errors > 0) {
                if (ret_error) {
                        *ret_error = config_errors_join(&p);
                        if (!*ret_error)
                                r = -ENOMEM;
                }
                if (r >= 0)
                        r = -EINVAL;
        }
        config_parser_done(&p);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

int machine_definition_name_from_filename(const char *filename, char **ret, bool *ret_nspawn) {
        const char *base = strrchr(filename, '/');
        base = base ? base + 1 : filename;

        const char *e = endswith(base, ".machine");
        bool nspawn = false;
        if (!e) {
                e = endswith(base, ".nspawn");
                nspawn = true;
        }
        if (!e)
                return -EINVAL;
        _cleanup_free_ char *n = strndup(base, (size_t) (e - base));
        if (!n)
                return -ENOMEM;
        if (!machine_name_is_valid(n))
                return -EINVAL;
        *ret = TAKE_PTR(n);
        if (ret_nspawn)
                *ret_nspawn = nspawn;
        return 0;
}

int machine_definition_load(const char *path, MachineDefinition **ret, char **ret_error) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = NULL;
        _cleanup_free_ char *name = NULL, *data = NULL;
        size_t size;
        bool nspawn;

        int r = machine_definition_name_from_filename(path, &name, &nspawn);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (ret_error)
                        *ret_error = strprintf("%s: not a valid machine name followed by .machine or .nspawn", path);
                return r;
        }
        r = read_full_file_at(AT_FDCWD, path, 1024 * 1024, &data, &size);
        if (r < 0) {
                if (ret_error)
                        *ret_error = strprintf("%s: cannot be read: %s", path, strerror(-r));
                return r;
        }
        r = machine_definition_parse_buffer(name, path, nspawn, data, size, &d, ret_error);
        if (r < 0)
                return r;
        d->path = strdup(path);
        if (!d->path)
                return -ENOMEM;
        *ret = TAKE_PTR(d);
        return 0;
}

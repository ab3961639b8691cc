/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's user from its own passwd and group files; see
 * container-user.h. The files belong to the image, so every line is
 * untrusted input: malformed lines are skipped, never trusted halfway. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container-user.h"
#include "parse-util.h"
#include "string-util.h"

ContainerUser *container_user_free(ContainerUser *u) {
        if (!u)
                return NULL;
        free(u->name);
        free(u->groups);
        free(u->home);
        free(u->shell);
        free(u);
        return NULL;
}

bool container_user_spec_is_valid(const char *spec) {
        if (isempty(spec) || spec[0] == ':')
                return false;
        for (const char *p = spec; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 0x7f)
                        return false;
        const char *colon = strchr(spec, ':');
        return !colon || (colon[1] && !strchr(colon + 1, ':'));
}

/* A number that is a valid uid/gid (not -1, the "no change" value). */
static bool parse_id(const char *s, uint32_t *ret) {
        uint32_t v;
        if (isempty(s) || parse_uint32(s, &v) < 0 || v == UINT32_MAX)
                return false;
        *ret = v;
        return true;
}

/* Splits line into exactly n ':'-separated fields in place. */
static bool split_fields(char *line, char **fields, size_t n) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '#' || line[0] == '+' || line[0] == '-' || line[0] == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                fields[i] = line;
                char *c = strchr(line, ':');
                if (i + 1 < n) {
                        if (!c)
                                return false;
                        *c = 0;
                        line = c + 1;
                } else if (c)
                        return false;
        }
        return true;
}

typedef struct PasswdEntry {
        char *name, *home, *shell;
        uint32_t uid, gid;
} PasswdEntry;

/* 1 and *ret filled if found, 0 if not. Numeric keys match the uid. */
static int passwd_find(FILE *f, const char *key, PasswdEntry *ret) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        uint32_t want = 0;
        bool numeric = parse_id(key, &want);

        if (!f)
                return 0;
        rewind(f);
        while (getline(&line, &size, f) >= 0) {
                char *fld[7];
                uint32_t uid, gid;
                if (!split_fields(line, fld, 7) || !parse_id(fld[2], &uid) || !parse_id(fld[3], &gid))
                        continue;
                if (numeric ? uid != want : !streq(fld[0], key))
                        continue;
                PasswdEntry e = {
                        .name = strdup(fld[0]),
                        .home = strdup(isempty(fld[5]) ? "/" : fld[5]),
                        .shell = isempty(fld[6]) ? NULL : strdup(fld[6]),
                        .uid = uid,
                        .gid = gid,
                };
                if (!e.name || !e.home || (!isempty(fld[6]) && !e.shell)) {
                        free(e.name);
                        free(e.home);
                        free(e.shell);
                        return -ENOMEM;
                }
                *ret = e;
                return 1;
        }
        return ferror(f) ? -EIO : 0;
}

static int add_group(ContainerUser *u, gid_t g) {
        for (size_t i = 0; i < u->n_groups; i++)
                if (u->groups[i] == g)
                        return 0;
        gid_t *n = realloc(u->groups, (u->n_groups + 1) * sizeof(gid_t));
        if (!n)
                return -ENOMEM;
        u->groups = n;
        u->groups[u->n_groups++] = g;
        return 0;
}

/* With group_key: resolves it (name or number) into *ret_gid, 1 if found.
 * Always: adds every group listing member to u's supplementary groups. */
static int group_scan(FILE *f, const char *group_key, gid_t *ret_gid, const char *member, ContainerUser *u) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        uint32_t want = 0;
        bool numeric = group_key && parse_id(group_key, &want);
        int found = 0, r;

        if (!f)
                return 0;
        rewind(f);
        while (getline(&line, &size, f) >= 0) {
                char *fld[4];
                uint32_t gid;
                if (!split_fields(line, fld, 4) || !parse_id(fld[2], &gid))
                        continue;
                if (group_key && !found && (numeric ? gid == want : streq(fld[0], group_key))) {
                        *ret_gid = gid;
                        found = 1;
                }
                if (!member || !u)
                        continue;
                for (char *m = fld[3], *e; m && *m; m = e ? e + 1 : NULL) {
                        e = strchr(m, ',');
                        if (e)
                                *e = 0;
                        if (streq(m, member)) {
                                r = add_group(u, gid);
                                if (r < 0)
                                        return r;
                                break;
                        }
                }
        }
        return ferror(f) ? -EIO : found;
}

int container_user_lookup(FILE *passwd, FILE *group, const char *spec, ContainerUser **ret) {
        _cleanup_(container_user_freep) ContainerUser *u = NULL;
        _cleanup_free_ char *user_key = NULL;
        const char *group_key = NULL;
        PasswdEntry e = {};
        uint32_t id;
        int r;

        if (!container_user_spec_is_valid(spec))
                return -EINVAL;
        user_key = strndup(spec, strcspn(spec, ":"));
        if (!user_key)
                return -ENOMEM;
        if (strchr(spec, ':'))
                group_key = strchr(spec, ':') + 1;

        u = calloc(1, sizeof(ContainerUser));
        if (!u)
                return -ENOMEM;
        r = passwd_find(passwd, user_key, &e);
        if (r < 0)
                return r;
        if (r > 0)
                *u = (ContainerUser) { .name = e.name, .uid = e.uid, .gid = e.gid, .home = e.home, .shell = e.shell };
        else {
                if (!parse_id(user_key, &id))
                        return -ESRCH;
                u->uid = id;
                u->gid = id;
                u->name = strdup(user_key);
                u->home = strdup("/");
                if (!u->name || !u->home)
                        return -ENOMEM;
        }

        if (group_key) {
                gid_t g;
                r = group_scan(group, group_key, &g, NULL, NULL);
                if (r < 0)
                        return r;
                if (r == 0 && !parse_id(group_key, &id))
                        return -ESRCH;
                u->gid = r > 0 ? g : id;
        }

        r = add_group(u, u->gid);
        if (r < 0)
                return r;
        /* Only a real entry's name can be a member; a bare number is not. */
        if (e.name) {
                r = group_scan(group, NULL, NULL, u->name, u);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(u);
        return 0;
}

/* Opens a file of the container's /etc for reading: regular files only,
 * so a FIFO or a device planted there cannot block or feed the setup. */
static int open_etc_file(const char *path, FILE **ret) {
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(fd, &st) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        if (!S_ISREG(st.st_mode)) {
                close(fd);
                return -EBADFD;
        }
        FILE *f = fdopen(fd, "re");
        if (!f) {
                close(fd);
                return -ENOMEM;
        }
        *ret = f;
        return 1;
}

int container_user_resolve(const char *spec, ContainerUser **ret) {
        _cleanup_fclose_ FILE *passwd = NULL, *group = NULL;
        int r;

        r = open_etc_file("/etc/passwd", &passwd);
        if (r < 0)
                return r;
        r = open_etc_file("/etc/group", &group);
        if (r < 0)
                return r;
        return container_user_lookup(passwd, group, spec, ret);
}

int container_user_environment(const ContainerUser *u, char *const *given, char ***env) {
        const struct {
                const char *key, *value;
        } vars[] = {
                { "HOME", u->home },
                { "USER", u->name },
                { "LOGNAME", u->name },
                { "SHELL", u->shell },
        };

        for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                if (!vars[i].value || strv_env_get(given, vars[i].key))
                        continue;
                _cleanup_free_ char *a = strprintf("%s=%s", vars[i].key, vars[i].value);
                if (!a)
                        return -ENOMEM;
                int r = strv_env_set(env, a);
                if (r < 0)
                        return r;
        }
        return 0;
}

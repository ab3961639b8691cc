/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading every machine definition of a host, with precedence, masking
 * and refused entries; see definition-dirs.h. */

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "definition-dirs.h"
#include "hostname-util.h"
#include "string-util.h"

const char *const definition_dirs[3] = {
        "etc/corral/machines",
        "run/corral/machines",
        "usr/lib/corral/machines",
};

/* Within a directory, .machine is looked at first and so wins. */
static const char *const suffixes[] = { ".machine", ".nspawn" };

static char *dir_path(const char *root, const char *dir) {
        if (isempty(root) || streq(root, "/"))
                return strprintf("/%s", dir);
        size_t l = strlen(root);
        return strprintf("%.*s/%s", (int) (root[l - 1] == '/' ? l - 1 : l), root, dir);
}

static void entry_done(DefinitionEntry *e) {
        free(e->name);
        free(e->path);
        machine_definition_unref(e->definition);
        free(e->error);
}

DefinitionSet *definition_set_free(DefinitionSet *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_entries; i++)
                entry_done(&s->entries[i]);
        free(s->entries);
        return mfree(s);
}

const DefinitionEntry *definition_set_find(const DefinitionSet *s, const char *name) {
        size_t lo = 0, hi = s && name ? s->n_entries : 0;

        /* The entries are sorted by name. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(name, s->entries[mid].name);
                if (c == 0)
                        return &s->entries[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

/* Names already decided (loaded, refused or masked) by a higher directory
 * or suffix, sorted: a host with 1,000 definitions looks each name up
 * once, so a walk over the list would cost a million comparisons. */
typedef struct Seen {
        char **names;
        size_t n;
} Seen;

static void seen_done(Seen *seen) {
        for (size_t i = 0; i < seen->n; i++)
                free(seen->names[i]);
        free(seen->names);
}

/* 0 when name was not seen yet and is now, 1 when it was, -ENOMEM. */
static int seen_add(Seen *seen, const char *name) {
        size_t lo = 0, hi = seen->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(name, seen->names[mid]);
                if (c == 0)
                        return 1;
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        char **a = reallocarray(seen->names, seen->n + 1, sizeof(char *));
        if (!a)
                return -ENOMEM;
        seen->names = a;
        char *copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        memmove(a + lo + 1, a + lo, (seen->n - lo) * sizeof(char *));
        a[lo] = copy;
        seen->n++;
        return 0;
}

static bool is_masked(const char *path) {
        char target[16];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n < 0)
                return false;
        target[n] = 0;
        return streq(target, "/dev/null");
}

static int set_add(DefinitionSet *s, DefinitionEntry *e) {
        DefinitionEntry *n = realloc(s->entries, (s->n_entries + 1) * sizeof(DefinitionEntry));
        if (!n)
                return -ENOMEM;
        s->entries = n;
        s->entries[s->n_entries++] = *e;
        *e = (DefinitionEntry) {};
        return 0;
}

static int load_one(DefinitionSet *s, const char *dir, const char *name, const char *file) {
        DefinitionEntry e = {};
        struct stat st;
        int r;

        e.name = strdup(name);
        e.path = strprintf("%s/%s", dir, file);
        if (!e.name || !e.path) {
                entry_done(&e);
                return -ENOMEM;
        }
        if (stat(e.path, &st) < 0)
                e.error = strprintf("%s: cannot be read: %s", e.path, strerror(errno));
        else if (!S_ISREG(st.st_mode))
                e.error = strprintf("%s: not a regular file", e.path);
        else if (!machine_name_is_valid(name))
                e.error = strprintf("%s: '%s' is not a valid machine name (letters, digits, '-' and "
                                    "dot-separated labels, at most 64 characters)",
                                    e.path, name);
        else {
                r = machine_definition_load(e.path, &e.definition, &e.error);
                if (r == -ENOMEM) {
                        entry_done(&e);
                        return r;
                }
                if (r < 0 && !e.error)
                        e.error = strprintf("%s: %s", e.path, strerror(-r));
        }
        if (!e.definition && !e.error) {
                entry_done(&e);
                return -ENOMEM;
        }
        r = set_add(s, &e);
        if (r < 0)
                entry_done(&e);
        return r;
}

static int load_dir(DefinitionSet *s, Seen *seen, const char *dir) {
        for (size_t k = 0; k < ELEMENTSOF(suffixes); k++) {
                DIR *d = opendir(dir);
                if (!d)
                        return 0; /* a missing directory is simply empty */

                struct dirent *de;
                int r = 0;
                while (r >= 0 && (de = readdir(d))) {
                        const char *end = endswith(de->d_name, suffixes[k]);
                        if (de->d_name[0] == '.' || !end)
                                continue;
                        _cleanup_free_ char *name = strndup(de->d_name, (size_t) (end - de->d_name));
                        _cleanup_free_ char *path = strprintf("%s/%s", dir, de->d_name);
                        if (!name || !path) {
                                r = -ENOMEM;
                                break;
                        }
                        r = seen_add(seen, name);
                        if (r != 0)
                                continue;
                        /* Only a symlink can be a mask: no readlink() for every file. */
                        if (IN_SET(de->d_type, DT_LNK, DT_UNKNOWN) && is_masked(path))
                                continue;
                        r = load_one(s, dir, name, de->d_name);
                }
                closedir(d);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int entry_compare(const void *a, const void *b) {
        return strcmp(((const DefinitionEntry *) a)->name, ((const DefinitionEntry *) b)->name);
}

int definition_dirs_load(const char *root, DefinitionSet **ret) {
        _cleanup_(definition_set_freep) DefinitionSet *s = calloc(1, sizeof(DefinitionSet));
        Seen seen = {};
        int r = 0;

        if (!s)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(definition_dirs); i++) {
                _cleanup_free_ char *dir = dir_path(root, definition_dirs[i]);
                r = dir ? load_dir(s, &seen, dir) : -ENOMEM;
        }
        seen_done(&seen);
        if (r < 0)
                return r;
        if (s->n_entries > 1)
                qsort(s->entries, s->n_entries, sizeof(DefinitionEntry), entry_compare);
        *ret = TAKE_PTR(s);
        return 0;
}

int definition_dirs_find(const char *root, const char *name, char **ret_path) {
        if (!machine_name_is_valid(name))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(definition_dirs); i++) {
                _cleanup_free_ char *dir = dir_path(root, definition_dirs[i]);
                if (!dir)
                        return -ENOMEM;
                for (size_t k = 0; k < ELEMENTSOF(suffixes); k++) {
                        _cleanup_free_ char *path = strprintf("%s/%s%s", dir, name, suffixes[k]);
                        if (!path)
                                return -ENOMEM;
                        if (is_masked(path))
                                return -ENOENT;
                        if (access(path, F_OK) < 0)
                                continue;
                        *ret_path = TAKE_PTR(path);
                        return 0;
                }
        }
        return -ENOENT;
}

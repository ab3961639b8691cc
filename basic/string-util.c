/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String and string-vector helpers; see string-util.h. */

#include <ctype.h>
#include <stdarg.h>

#include "string-util.h"

char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? (char *) s + l : NULL;
}

char *endswith(const char *s, const char *suffix) {
        size_t sl = strlen(s), xl = strlen(suffix);
        if (xl > sl)
                return NULL;
        return streq(s + sl - xl, suffix) ? (char *) s + sl - xl : NULL;
}

char *strstrip(char *s) {
        while (isspace((unsigned char) *s))
                s++;
        size_t l = strlen(s);
        while (l > 0 && isspace((unsigned char) s[l - 1]))
                s[--l] = 0;
        return s;
}

char *strprintf(const char *format, ...) {
        va_list ap;
        char *s;
        va_start(ap, format);
        int r = vasprintf(&s, format, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

char **strv_free(char **l) {
        STRV_FOREACH(s, l)
                free(*s);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

char **strv_copy(char *const *l) {
        size_t n = strv_length(l);
        char **c = calloc(n + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(l[i]);
                if (!c[i])
                        return strv_free(c);
        }
        return c;
}

int strv_consume(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **c = realloc(*l, (n + 2) * sizeof(char *));
        if (!c) {
                free(value);
                return -ENOMEM;
        }
        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        char *v = strdup(value);
        if (!v)
                return -ENOMEM;
        return strv_consume(l, v);
}

bool strv_contains(char *const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

static char **env_find(char *const *l, const char *key, size_t keylen) {
        for (size_t i = 0; l && l[i]; i++)
                if (strncmp(l[i], key, keylen) == 0 && l[i][keylen] == '=')
                        return (char **) &l[i];
        return NULL;
}

int strv_env_set(char ***l, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        if (!eq || eq == assignment)
                return -EINVAL;
        char *v = strdup(assignment);
        if (!v)
                return -ENOMEM;
        char **slot = env_find(*l, assignment, (size_t) (eq - assignment));
        if (slot) {
                free(*slot);
                *slot = v;
                return 0;
        }
        return strv_consume(l, v);
}

const char *strv_env_get(char *const *l, const char *key) {
        char **slot = env_find(l, key, strlen(key));
        return slot ? *slot + strlen(key) + 1 : NULL;
}

int strv_split(const char *s, const char *separators, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while (*s) {
                size_t skip = strspn(s, separators);
                s += skip;
                size_t len = strcspn(s, separators);
                if (len == 0)
                        break;
                char *w = strndup(s, len);
                if (!w || strv_consume(&l, w) < 0)
                        return -ENOMEM;
                s += len;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

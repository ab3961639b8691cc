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

int strv_env_unset(char **l, const char *key) {
        char **slot = env_find(l, key, strlen(key));
        if (!slot)
                return 0;
        free(*slot);
        /* Shift the rest down, NULL included. */
        for (; *slot; slot++)
                *slot = slot[1];
        return 1;
}

const char *strv_env_get(char *const *l, const char *key) {
        char **slot = env_find(l, key, strlen(key));
        return slot ? *slot + strlen(key) + 1 : NULL;
}

char *strv_join(char *const *l, const char *separator) {
        size_t n = 0, k = strlen(separator);
        STRV_FOREACH(s, (char **) l)
                n += strlen(*s) + k;

        char *r = malloc(n + 1), *p = r;
        if (!r)
                return NULL;
        STRV_FOREACH(s, (char **) l) {
                if (s != l)
                        p = stpcpy(p, separator);
                p = stpcpy(p, *s);
        }
        *p = 0;
        return r;
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

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

/* One escape behind a backslash at s; returns how many characters it took. */
static int unescape_one(const char *s, char *ret) {
        static const struct {
                char in, out;
        } simple[] = {
                { 'a', '\a' }, { 'b', '\b' }, { 'f', '\f' }, { 'n', '\n' }, { 'r', '\r' },
                { 't', '\t' }, { 'v', '\v' }, { 's', ' ' },  { '\\', '\\' }, { '"', '"' },
                { '\'', '\'' }, { ' ', ' ' },
        };

        for (size_t i = 0; i < ELEMENTSOF(simple); i++)
                if (*s == simple[i].in) {
                        *ret = simple[i].out;
                        return 1;
                }
        if (*s == 'x') {
                int a = unhex(s[1]), b = a < 0 ? -EINVAL : unhex(s[2]);
                /* NUL would end the word early: refuse it like systemd does. */
                if (a < 0 || b < 0 || (a == 0 && b == 0))
                        return -EINVAL;
                *ret = (char) (a << 4 | b);
                return 3;
        }
        return -EINVAL;
}

int extract_first_word(const char **p, char **ret) {
        return extract_first_word_full(p, ret, 0);
}

int extract_first_word_full(const char **p, char **ret, ExtractFlags flags) {
        const char *s = *p;
        char quote = 0;

        s += strspn(s, WHITESPACE);
        if (!*s)
                return 0;

        /* The word is never longer than what is left of the input. */
        _cleanup_free_ char *w = malloc(strlen(s) + 1);
        if (!w)
                return -ENOMEM;
        size_t n = 0;

        for (; *s; s++) {
                if (*s == '\\' && (flags & EXTRACT_RETAIN_ESCAPE)) {
                        if (!s[1])
                                return -EINVAL;
                        w[n++] = *s++;
                        w[n++] = *s;
                } else if (*s == '\\') {
                        char c;
                        int k = unescape_one(s + 1, &c);
                        if (k < 0)
                                return -EINVAL;
                        w[n++] = c;
                        s += k;
                } else if (quote) {
                        if (*s == quote)
                                quote = 0;
                        else
                                w[n++] = *s;
                } else if (*s == '"' || *s == '\'')
                        quote = *s;
                else if (strchr(WHITESPACE, *s))
                        break;
                else
                        w[n++] = *s;
        }
        if (quote)
                return -EINVAL;

        w[n] = 0;
        *p = s;
        *ret = TAKE_PTR(w);
        return 1;
}

int strv_split_quoted(const char *s, char ***ret) {
        return strv_split_quoted_full(s, 0, ret);
}

int strv_split_quoted_full(const char *s, ExtractFlags flags, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (;;) {
                char *w;
                int r = extract_first_word_full(&s, &w, flags);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = strv_consume(&l, w);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

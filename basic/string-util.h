/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* String and string-vector (NULL-terminated char**) helpers. */

#include <string.h>

#include "macro.h"

#define WHITESPACE " \t\n\r"

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}
static inline bool isempty(const char *s) {
        return !s || !*s;
}
static inline const char *strempty(const char *s) {
        return s ?: "";
}

/* Returns a pointer behind the prefix, or NULL. */
char *startswith(const char *s, const char *prefix);
char *endswith(const char *s, const char *suffix);
/* Strips leading and trailing white space in place. */
char *strstrip(char *s);
/* Like asprintf(), but returns the string or NULL. */
char *strprintf(const char *format, ...) _printf_(1, 2);

char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
size_t strv_length(char *const *l);
char **strv_copy(char *const *l);
/* Appends a copy of value; returns 0 or -ENOMEM. */
int strv_extend(char ***l, const char *value);
/* Appends value itself (taking ownership even on failure). */
int strv_consume(char ***l, char *value);
bool strv_contains(char *const *l, const char *s);
/* Sets or replaces "KEY=..." in an environment block. */
int strv_env_set(char ***l, const char *assignment);
const char *strv_env_get(char *const *l, const char *key);
/* Removes KEY=... from an environment block; 1 if it was there, 0 if not. */
int strv_env_unset(char **l, const char *key);

#define STRV_FOREACH(s, l) for (char **s = (l); s && *s; s++)

/* The strings of l with separator between them ("" for an empty list). */
char *strv_join(char *const *l, const char *separator);

/* Splits s at any of the separator characters, dropping empty words. */
int strv_split(const char *s, const char *separators, char ***ret);

/* Word splitting with systemd's quoting rules, as unit files and
 * .nspawn files use them: words are separated by white space; "..." and
 * '...' group (the quotes are removed, and may appear mid-word: a'b c'
 * is one word "ab c"); a backslash escapes the next character, with the C
 * escapes \a \b \f \n \r \t \v \\ \" \' \s (space) and \xHH
 * translated, inside quotes too. Returns 1 and the word in *ret, 0 at the
 * end of the string, -EINVAL for an unterminated quote, a trailing
 * backslash or an unknown escape (then *p is left alone). */
int extract_first_word(const char **p, char **ret);
/* All words of s, split as extract_first_word() does. */
int strv_split_quoted(const char *s, char ***ret);

typedef enum ExtractFlags {
        /* A backslash still protects the next character (a quote or a
         * blank loses its meaning) but both stay in the word, unchanged:
         * how systemd splits list settings of unit and .nspawn files
         * (config_parse_strv: Parameters=, Environment=, ...). */
        EXTRACT_RETAIN_ESCAPE = 1 << 0,
} ExtractFlags;
int extract_first_word_full(const char **p, char **ret, ExtractFlags flags);
int strv_split_quoted_full(const char *s, ExtractFlags flags, char ***ret);

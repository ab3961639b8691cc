/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A table-driven INI parser over inih, for machine definitions and any
 * other corral file in that format. A table lists (section, key, parser,
 * field offset); the parser of a matching line is called with a pointer
 * to the field inside the caller's object. Every problem (unknown section
 * or key, bad value, bad line) becomes one ConfigError with its line and
 * parsing goes on, so that a user sees every mistake of a file at once.
 *
 * This is the only file that includes <ini.h>. inih splits lines into
 * section, key and value; our line reader in front of it counts lines
 * (INI_HANDLER_LINENO must stay undefined to match Debian's build), joins
 * systemd-style backslash continuations, and keeps the whole raw line, so
 * that values are taken verbatim: inih's inline ';' comments and its
 * 200-byte line buffer would otherwise cut "Parameters=sh -c 'a; b'". */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

typedef struct ConfigError {
        unsigned line; /* 0: about the whole file (a missing key) */
        char *message; /* names the key, e.g. "Invalid value for Boot=: 'maybe'" */
} ConfigError;

/* Where parsing stands; handed to every value parser. */
typedef struct ConfigParser {
        const char *filename; /* as shown in messages */
        unsigned line;
        const char *section;
        const char *key;

        ConfigError *errors;
        size_t n_errors;
        /* The caller's object; table offsets are relative to it. */
        void *userdata;
} ConfigParser;

/* Parses value for p->key into *data (the field at the item's offset).
 * Returns 0, or a negative errno after calling config_error() with a
 * specific message; a parser that returns -EINVAL/-ERANGE without
 * recording anything gets a generic "Invalid value for KEY=" message, and
 * -ENOENT means "no such key" (for whole-section parsers). */
typedef int (*ConfigParseFunc)(ConfigParser *p, const char *value, int ltype, void *data);

typedef struct ConfigTableItem {
        const char *section;
        const char *key;       /* NULL: every key of the section goes to parse */
        ConfigParseFunc parse;
        int ltype;             /* passed to parse: a variant, an RLIMIT_*, ... */
        size_t offset;         /* of the field inside userdata */
} ConfigTableItem;

void config_parser_init(ConfigParser *p, const char *filename, void *userdata);
/* Frees the collected errors (not userdata). */
void config_parser_done(ConfigParser *p);

/* Parses the INI text in data[0..size) (need not be NUL-terminated; a NUL
 * byte inside is an error). Returns 0 when the file is clean, -EINVAL
 * when errors were collected in p, -ENOMEM. */
int config_parse_buffer(ConfigParser *p, const char *data, size_t size,
                        const ConfigTableItem *table, size_t n_table);
/* Reads path (at most 1 MiB) and parses it; -errno when it cannot be read. */
int config_parse_file(ConfigParser *p, const char *path, const ConfigTableItem *table, size_t n_table);

/* Records "message" for the current line (line 0 after parsing: the whole
 * file) and returns r (or -EINVAL for r == 0). */
int config_error(ConfigParser *p, int r, const char *format, ...) _printf_(3, 4);
/* "FILE:LINE: message" of error i, or "FILE: message" for line 0. */
char *config_error_format(const ConfigParser *p, size_t i);
/* All errors, one "FILE:LINE: message" per line; NULL when there is none. */
char *config_errors_join(const ConfigParser *p);

/* Generic value parsers. Strings and lists own their memory; an empty
 * value resets a field to its default (NULL, empty list), as systemd does. */
int config_parse_string(ConfigParser *p, const char *value, int ltype, void *data);     /* char * */
int config_parse_bool(ConfigParser *p, const char *value, int ltype, void *data);       /* bool */
int config_parse_tristate(ConfigParser *p, const char *value, int ltype, void *data);   /* int: -1 unset, 0, 1 */
int config_parse_sec(ConfigParser *p, const char *value, int ltype, void *data);        /* usec_t */
int config_parse_signal(ConfigParser *p, const char *value, int ltype, void *data);     /* int, 0 unset */
/* Splits value into words with systemd's quoting (see config_parse_strv());
 * bad quoting is an error naming the key. */
int config_split_words(ConfigParser *p, const char *value, char ***ret);
/* char **: words split with systemd's quoting as its config_parse_strv()
 * does it (quotes removed, a backslash protects the next character and
 * stays), appended; empty resets. */
int config_parse_strv(ConfigParser *p, const char *value, int ltype, void *data);
/* char *: an absolute path without "." or ".." components, "//" folded. */
int config_parse_path(ConfigParser *p, const char *value, int ltype, void *data);
/* A key corral knows from nspawn but does not implement: always an error,
 * never silently accepted. */
int config_parse_unsupported(ConfigParser *p, const char *value, int ltype, void *data);

/* The path checks config_parse_path() uses: absolute, no "." or ".."
 * components. Returns a copy with "//" and a trailing "/" folded. */
int path_normalize_absolute(const char *path, char **ret);

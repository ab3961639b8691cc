/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table-driven INI parser over inih; see config.h for why the line
 * reader in front of inih exists. */

#include <ctype.h>
#include <ini.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "fileio.h"
#include "parse-util.h"
#include "signal-util.h"
#include "string-util.h"
#include "time-util.h"

#define CONFIG_FILE_SIZE_MAX (1024 * 1024)

/* State shared by the line reader and the inih handler. inih calls the
 * handler for a line before it asks for the next one, so "the line just
 * read" is the line being handled. */
typedef struct LineReader {
        ConfigParser *p;
        const ConfigTableItem *table;
        size_t n_table;

        const char *data;
        size_t size;
        size_t pos;
        unsigned next_line;   /* physical number of the next line to read */

        char *raw;            /* current logical line: continuations joined, leading blanks gone */
        bool section_known;   /* the last [Section] header was in the table */
        bool failed_oom;

        /* Logical line index (as inih counts) -> physical line, for the
         * unlikely case that inih itself reports an error. */
        unsigned *lines;
        size_t n_lines;
} LineReader;

void config_parser_init(ConfigParser *p, const char *filename, void *userdata) {
        *p = (ConfigParser) {
                .filename = filename,
                .userdata = userdata,
        };
}

void config_parser_done(ConfigParser *p) {
        for (size_t i = 0; i < p->n_errors; i++)
                free(p->errors[i].message);
        p->errors = mfree(p->errors);
        p->n_errors = 0;
}

static int config_error_va(ConfigParser *p, unsigned line, int r, const char *format, va_list ap) _printf_(4, 0);
static int config_error_va(ConfigParser *p, unsigned line, int r, const char *format, va_list ap) {
        char *m;
        if (vasprintf(&m, format, ap) < 0)
                return -ENOMEM;
        ConfigError *e = realloc(p->errors, (p->n_errors + 1) * sizeof(ConfigError));
        if (!e) {
                free(m);
                return -ENOMEM;
        }
        p->errors = e;
        p->errors[p->n_errors++] = (ConfigError) { .line = line, .message = m };
        return r < 0 ? r : -EINVAL;
}

int config_error(ConfigParser *p, int r, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        int k = config_error_va(p, p->line, r, format, ap);
        va_end(ap);
        return k;
}

static int config_error_at(ConfigParser *p, unsigned line, const char *format, ...) _printf_(3, 4);
static int config_error_at(ConfigParser *p, unsigned line, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        int k = config_error_va(p, line, -EINVAL, format, ap);
        va_end(ap);
        return k;
}

char *config_error_format(const ConfigParser *p, size_t i) {
        const ConfigError *e = &p->errors[i];
        if (e->line > 0)
                return strprintf("%s:%u: %s", p->filename, e->line, e->message);
        return strprintf("%s: %s", p->filename, e->message);
}

char *config_errors_join(const ConfigParser *p) {
        char *s = NULL;
        size_t len = 0;

        for (size_t i = 0; i < p->n_errors; i++) {
                _cleanup_free_ char *m = config_error_format(p, i);
                if (!m)
                        return mfree(s);
                size_t ml = strlen(m);
                char *n = realloc(s, len + ml + 2);
                if (!n)
                        return mfree(s);
                s = n;
                if (len > 0)
                        s[len++] = '\n';
                memcpy(s + len, m, ml + 1);
                len += ml;
        }
        return s;
}

static bool section_in_table(const ConfigTableItem *table, size_t n, const char *section) {
        for (size_t i = 0; i < n; i++)
                if (streq(table[i].section, section))
                        return true;
        return false;
}

static bool key_valid(const char *k, size_t l) {
        if (l == 0)
                return false;
        for (size_t i = 0; i < l; i++)
                if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
                      (k[i] >= '0' && k[i] <= '9') || IN_SET(k[i], '_', '-', '.')))
                        return false;
        return true;
}

/* Reads one physical line (without '\n' and a trailing '\r') from r into
 * *ret (not NUL-terminated) and its length. */
static void next_physical_line(LineReader *r, const char **ret, size_t *ret_len) {
        const char *s = r->data + r->pos;
        size_t left = r->size - r->pos;
        const char *nl = memchr(s, '\n', left);
        size_t l = nl ? (size_t) (nl - s) : left;

        r->pos += nl ? l + 1 : l;
        r->next_line++;
        if (l > 0 && s[l - 1] == '\r')
                l--;
        *ret = s;
        *ret_len = l;
}

/* Builds the next logical line in r->raw: physical lines ending in a
 * backslash continue on the next one (the backslash becomes a space, as
 * in systemd unit files); comment lines do not continue. */
static int read_logical_line(LineReader *r) {
        char *buf = NULL;
        size_t len = 0;
        bool first = true;

        r->p->line = r->next_line;
        for (;;) {
                const char *s;
                size_t l;

                next_physical_line(r, &s, &l);
                if (memchr(s, 0, l)) {
                        config_error(r->p, -EINVAL, "Line contains a NUL byte, ignoring the line");
                        l = 0;
                }
                if (first) {
                        /* A UTF-8 byte order mark, as inih allows it too. */
                        if (r->p->line == 1 && l >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
                                s += 3;
                                l -= 3;
                        }
                        while (l > 0 && strchr(WHITESPACE, *s)) {
                                s++;
                                l--;
                        }
                }
                char *n = realloc(buf, len + l + 2);
                if (!n) {
                        free(buf);
                        return -ENOMEM;
                }
                buf = n;
                memcpy(buf + len, s, l);
                len += l;
                buf[len] = 0;

                bool comment = first && len > 0 && strchr("#;", buf[0]);
                first = false;
                if (comment || len == 0 || buf[len - 1] != '\\' || r->pos >= r->size)
                        break;
                buf[len - 1] = ' ';
        }
        free(r->raw);
        r->raw = buf;
        return 0;
}

/* Checks the shape of r->raw and writes what inih should see into str:
 * the line itself (cut to fit inih's buffer, as the handler takes the
 * value from r->raw anyway), or an empty line for what we already
 * reported or skip, so that inih never reports a second error. */
static void feed_line(LineReader *r, char *str, int num) {
        const char *s = r->raw;
        size_t l = strlen(s);

        str[0] = '\n';
        str[1] = 0;

        while (l > 0 && strchr(WHITESPACE, s[l - 1]))
                l--;
        if (l == 0 || strchr("#;", s[0]))
                return;

        if (s[0] == '[') {
                if (s[l - 1] != ']' || l < 3 || !key_valid(s + 1, l - 2)) {
                        config_error(r->p, -EINVAL, "Invalid section header '%.*s'", (int) l, s);
                        r->section_known = false;
                        return;
                }
                r->section_known = section_in_table(r->table, r->n_table, strndupa(s + 1, l - 2));
                if (!r->section_known)
                        config_error(r->p, -EINVAL, "Unknown section '%.*s'", (int) l, s);
        } else {
                const char *eq = memchr(s, '=', l);
                size_t kl = eq ? (size_t) (eq - s) : 0;
                while (kl > 0 && strchr(WHITESPACE, s[kl - 1]))
                        kl--;
                if (!eq || !key_valid(s, kl)) {
                        config_error(r->p, -EINVAL, "Invalid line '%.*s', expected KEY=VALUE or [Section]",
                                     (int) MIN(l, 80u), s);
                        return;
                }
                if ((size_t) num < kl + 4) {
                        config_error(r->p, -EINVAL, "Key '%.*s' is too long", (int) MIN(kl, 80u), s);
                        return;
                }
        }

        /* inih's buffer holds num - 1 characters including the newline. */
        size_t n = MIN(l, (size_t) num - 2);
        memcpy(str, s, n);
        str[n] = '\n';
        str[n + 1] = 0;
}

static char *ini_reader_cb(char *str, int num, void *stream) {
        LineReader *r = stream;

        if (r->failed_oom || r->pos >= r->size || num < 8)
                return NULL;
        if (read_logical_line(r) < 0) {
                r->failed_oom = true;
                return NULL;
        }
        unsigned *lines = realloc(r->lines, (r->n_lines + 1) * sizeof(unsigned));
        if (!lines) {
                r->failed_oom = true;
                return NULL;
        }
        r->lines = lines;
        r->lines[r->n_lines++] = r->p->line;

        feed_line(r, str, num);
        return str;
}

static const ConfigTableItem *table_lookup(const ConfigTableItem *table, size_t n, const char *section,
                                           const char *key) {
        const ConfigTableItem *wildcard = NULL;
        for (size_t i = 0; i < n; i++) {
                if (!streq(table[i].section, section))
                        continue;
                if (!table[i].key)
                        wildcard = &table[i];
                else if (streq(table[i].key, key))
                        return &table[i];
        }
        return wildcard;
}

/* The value as written: everything behind the first '=' of the raw line,
 * blanks stripped at both ends. */
static char *raw_value(const char *raw) {
        const char *eq = strchr(raw, '=');
        const char *s = eq ? eq + 1 : "";
        while (isspace((unsigned char) *s))
                s++;
        char *v = strdup(s);
        if (!v)
                return NULL;
        /* Trailing blanks only: v must stay the start of the allocation. */
        size_t l = strlen(v);
        while (l > 0 && isspace((unsigned char) v[l - 1]))
                v[--l] = 0;
        return v;
}

static int ini_handler_cb(void *user, const char *section, const char *name, const char *value) {
        LineReader *r = user;
        ConfigParser *p = r->p;

        if (!name) /* a new section, if this inih calls us for those */
                return 1;
        if (isempty(section)) {
                config_error(p, -EINVAL, "Assignment to %s= outside of any section", name);
                return 1;
        }
        if (!r->section_known) /* reported at its header already */
                return 1;

        const ConfigTableItem *item = table_lookup(r->table, r->n_table, section, name);
        if (!item) {
                config_error(p, -ENOENT, "Unknown key %s= in section [%s]", name, section);
                return 1;
        }

        _cleanup_free_ char *v = raw_value(r->raw);
        if (!v) {
                r->failed_oom = true;
                return 0;
        }

        size_t before = p->n_errors;
        p->section = section;
        p->key = name;
        int k = item->parse(p, v, item->ltype, (uint8_t *) p->userdata + item->offset);
        p->section = p->key = NULL;
        if (k == -ENOMEM) {
                r->failed_oom = true;
                return 0;
        }
        if (k < 0 && p->n_errors == before) {
                if (k == -ENOENT)
                        config_error(p, k, "Unknown key %s= in section [%s]", name, section);
                else
                        config_error(p, k, "Invalid value for %s=: '%s'", name, v);
        }
        return 1;
}

int config_parse_buffer(ConfigParser *p, const char *data, size_t size, const ConfigTableItem *table,
                        size_t n_table) {
        LineReader r = {
                .p = p,
                .table = table,
                .n_table = n_table,
                .data = data,
                .size = size,
                .next_line = 1,
        };

        int k = ini_parse_stream(ini_reader_cb, &r, ini_handler_cb, &r);
        if (k > 0 && !r.failed_oom) {
                /* inih saw a problem in a line we had let through. */
                unsigned line = (size_t) k <= r.n_lines ? r.lines[k - 1] : 0;
                config_error_at(p, line, "Syntax error");
        }
        free(r.raw);
        free(r.lines);
        p->line = 0;
        if (r.failed_oom || k == -2)
                return -ENOMEM;
        return p->n_errors > 0 ? -EINVAL : 0;
}

int config_parse_file(ConfigParser *p, const char *path, const ConfigTableItem *table, size_t n_table) {
        _cleanup_free_ char *data = NULL;
        size_t size;

        int r = read_full_file_at(AT_FDCWD, path, CONFIG_FILE_SIZE_MAX, &data, &size);
        if (r < 0)
                return r;
        return config_parse_buffer(p, data, size, table, n_table);
}

int config_parse_string(ConfigParser *p, const char *value, int ltype, void *data) {
        char **s = data;
        char *n = NULL;

        if (!isempty(value)) {
                n = strdup(value);
                if (!n)
                        return -ENOMEM;
        }
        free(*s);
        *s = n;
        return 0;
}

int config_parse_bool(ConfigParser *p, const char *value, int ltype, void *data) {
        int b = parse_boolean(value);
        if (b < 0)
                return config_error(p, b, "Invalid boolean for %s=: '%s'", p->key, value);
        *(bool *) data = b;
        return 0;
}

int config_parse_tristate(ConfigParser *p, const char *value, int ltype, void *data) {
        if (isempty(value)) {
                *(int *) data = -1;
                return 0;
        }
        int b = parse_boolean(value);
        if (b < 0)
                return config_error(p, b, "Invalid boolean for %s=: '%s'", p->key, value);
        *(int *) data = b;
        return 0;
}

int config_parse_sec(ConfigParser *p, const char *value, int ltype, void *data) {
        usec_t t;
        int r = parse_sec(value, &t);
        if (r < 0)
                return config_error(p, r, "Invalid time span for %s=: '%s'", p->key, value);
        *(usec_t *) data = t;
        return 0;
}

int config_parse_signal(ConfigParser *p, const char *value, int ltype, void *data) {
        if (isempty(value)) {
                *(int *) data = 0;
                return 0;
        }
        int sig = signal_from_string(value);
        if (sig <= 0)
                return config_error(p, -EINVAL, "Invalid signal for %s=: '%s'", p->key, value);
        *(int *) data = sig;
        return 0;
}

int config_split_words(ConfigParser *p, const char *value, char ***ret) {
        int r = strv_split_quoted_full(value, EXTRACT_RETAIN_ESCAPE, ret);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_error(p, r, "Invalid quoting in %s=: '%s'", p->key, value);
        return 0;
}

int config_parse_strv(ConfigParser *p, const char *value, int ltype, void *data) {
        char ***l = data;
        _cleanup_strv_free_ char **words = NULL;

        if (isempty(value)) {
                *l = strv_free(*l);
                return 0;
        }
        int r = config_split_words(p, value, &words);
        if (r < 0)
                return r;
        STRV_FOREACH(w, words) {
                r = strv_extend(l, *w);
                if (r < 0)
                        return r;
        }
        return 0;
}

int path_normalize_absolute(const char *path, char **ret) {
        if (!path || path[0] != '/')
                return -EINVAL;

        char *n = malloc(strlen(path) + 1);
        if (!n)
                return -ENOMEM;
        size_t len = 0;
        for (const char *s = path; *s;) {
                s += strspn(s, "/");
                size_t l = strcspn(s, "/");
                if (l == 0)
                        break;
                if ((l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.')) {
                        free(n);
                        return -EINVAL;
                }
                n[len++] = '/';
                memcpy(n + len, s, l);
                len += l;
                s += l;
        }
        if (len == 0)
                n[len++] = '/';
        n[len] = 0;
        *ret = n;
        return 0;
}

int config_parse_path(ConfigParser *p, const char *value, int ltype, void *data) {
        char **s = data;
        char *n = NULL;

        if (!isempty(value)) {
                int r = path_normalize_absolute(value, &n);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return config_error(p, r, "%s= wants an absolute path without '.' or '..': '%s'",
                                            p->key, value);
        }
        free(*s);
        *s = n;
        return 0;
}

int config_parse_unsupported(ConfigParser *p, const char *value, int ltype, void *data) {
        return config_error(p, -EOPNOTSUPP, "%s= (in [%s]) is a systemd-nspawn setting that corral does not support",
                            p->key, p->section);
}

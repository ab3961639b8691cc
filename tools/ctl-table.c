/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Table output; see ctl-table.h. Widths count UTF-8 code points, not
 * bytes, so that names with accents still line up. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-table.h"
#include "macro.h"
#include "string-util.h"

typedef struct Cell {
        char *text;
        const char *color;
} Cell;

struct CtlTable {
        size_t n_columns;
        size_t n_rows; /* without the header */
        Cell *cells;   /* (n_rows + 1) * n_columns, header first */
};

static size_t text_width(const char *s) {
        size_t w = 0;
        for (; *s; s++)
                if (((unsigned char) *s & 0xC0) != 0x80)
                        w++;
        return w;
}

int ctl_table_new(const char *const *headers, size_t n_columns, CtlTable **ret) {
        CtlTable *t = calloc(1, sizeof(CtlTable));
        if (!t)
                return -ENOMEM;
        t->n_columns = n_columns;
        t->cells = calloc(n_columns, sizeof(Cell));
        if (!t->cells)
                return free(t), -ENOMEM;
        for (size_t i = 0; i < n_columns; i++) {
                t->cells[i].text = strdup(headers[i]);
                if (!t->cells[i].text)
                        return ctl_table_free(t), -ENOMEM;
        }
        *ret = t;
        return 0;
}

CtlTable *ctl_table_free(CtlTable *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < (t->n_rows + 1) * t->n_columns; i++)
                free(t->cells[i].text);
        free(t->cells);
        return mfree(t);
}

int ctl_table_add_row(CtlTable *t, const char *const *cells, const char *const *colors) {
        Cell *c = realloc(t->cells, (t->n_rows + 2) * t->n_columns * sizeof(Cell));
        if (!c)
                return -ENOMEM;
        t->cells = c;
        Cell *row = c + (t->n_rows + 1) * t->n_columns;
        for (size_t i = 0; i < t->n_columns; i++) {
                row[i].text = strdup(isempty(cells[i]) ? "-" : cells[i]);
                row[i].color = colors ? colors[i] : NULL;
                if (!row[i].text) {
                        while (i > 0)
                                free(row[--i].text);
                        return -ENOMEM;
                }
        }
        t->n_rows++;
        return 0;
}

size_t ctl_table_rows(const CtlTable *t) {
        return t->n_rows;
}

void ctl_table_sort(CtlTable *t, size_t column) {
        /* Rows are contiguous runs of n_columns cells; sort them as units.
         * Insertion sort: tables are small, it is stable, and qsort() would
         * need the column in a global. */
        size_t n = t->n_columns;
        Cell *rows = t->cells + n;
        Cell *tmp = malloc(n * sizeof(Cell));
        if (!tmp)
                return; /* unsorted output is still correct output */
        for (size_t i = 1; i < t->n_rows; i++) {
                memcpy(tmp, rows + i * n, n * sizeof(Cell));
                size_t j = i;
                while (j > 0 && strcmp(rows[(j - 1) * n + column].text, tmp[column].text) > 0) {
                        memcpy(rows + j * n, rows + (j - 1) * n, n * sizeof(Cell));
                        j--;
                }
                memcpy(rows + j * n, tmp, n * sizeof(Cell));
        }
        free(tmp);
}

int ctl_table_print(const CtlTable *t, FILE *f, bool header, bool colors) {
        _cleanup_free_ size_t *width = calloc(t->n_columns, sizeof(size_t));
        if (!width)
                return -ENOMEM;

        for (size_t r = header ? 0 : 1; r <= t->n_rows; r++)
                for (size_t i = 0; i < t->n_columns; i++)
                        width[i] = MAX(width[i], text_width(t->cells[r * t->n_columns + i].text));

        for (size_t r = header ? 0 : 1; r <= t->n_rows; r++) {
                for (size_t i = 0; i < t->n_columns; i++) {
                        const Cell *c = &t->cells[r * t->n_columns + i];
                        const char *on = !colors ? NULL : r == 0 ? ANSI_BOLD : c->color;
                        bool last = i + 1 == t->n_columns;
                        fprintf(f, "%s%s%s", on ?: "", c->text, on ? ANSI_NORMAL : "");
                        if (!last)
                                fprintf(f, "%*s", (int) (width[i] - text_width(c->text) + 1), "");
                }
                fputc('\n', f);
        }
        return ferror(f) ? -EIO : 0;
}

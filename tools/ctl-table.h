/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* machinectl-style tables: a header line, columns padded to the widest
 * cell, one space between columns, "-" for empty cells; header bold and
 * cells coloured only when the caller says colours are on. */

#include <stdbool.h>
#include <stdio.h>

typedef struct CtlTable CtlTable;

int ctl_table_new(const char *const *headers, size_t n_columns, CtlTable **ret);
CtlTable *ctl_table_free(CtlTable *t);
/* Appends a row of n_columns cells (NULL or "" print as "-"); colors may be
 * NULL or hold an ANSI sequence (or NULL) per cell. */
int ctl_table_add_row(CtlTable *t, const char *const *cells, const char *const *colors);
size_t ctl_table_rows(const CtlTable *t);
/* Sorts the rows by the text of column. */
void ctl_table_sort(CtlTable *t, size_t column);
int ctl_table_print(const CtlTable *t, FILE *f, bool header, bool colors);

static inline void ctl_table_freep(CtlTable **t) {
        ctl_table_free(*t);
}

#define ANSI_BOLD "\x1B[1m"
#define ANSI_RED "\x1B[0;31m"
#define ANSI_GREEN "\x1B[0;32m"
#define ANSI_YELLOW "\x1B[0;33m"
#define ANSI_GREY "\x1B[0;90m"
#define ANSI_NORMAL "\x1B[0m"

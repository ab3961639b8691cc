/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Optional libraries loaded with dlopen() when first needed, the way
 * systemd loads its optional dependencies: a binary that only sometimes
 * needs a large library (libcrypto for digests, libnftables for port
 * forwards) does not carry it in DT_NEEDED, so the loader neither maps
 * nor relocates it at every exec. The user keeps typed pointers
 * (DLOPEN_SYM_DECLARE) and a table of their names; dlopen_library()
 * resolves the whole table once, or nothing.
 *
 * Where a library is loaded matters for exe-protect.h: a library mapped
 * after the re-exec comes from the host's writable mounts, so a process
 * that may still become (or clone) a container must not load one; do it
 * in a short-lived helper process instead (see nft.c). */

#include <stddef.h>

#include "macro.h"

typedef struct DlopenSymbol {
        const char *name;
        void **ptr;
} DlopenSymbol;

typedef struct DlopenLibrary {
        const char *soname;             /* "libnftables.so.1" */
        const DlopenSymbol *symbols;    /* ends with { NULL, NULL } */
        void *handle;                   /* set once every symbol resolved */
} DlopenLibrary;

/* A typed pointer sym_NAME for the library function NAME (its prototype
 * comes from the library's header; no link-time reference is made). */
#define DLOPEN_SYM_DECLARE(name) static typeof(name) *sym_##name
/* One table entry for sym_NAME. */
#define DLOPEN_SYM(name) { #name, (void **) &sym_##name }

/* Loads lib->soname and resolves every symbol of the table, the first
 * time; afterwards returns 0 at once. On failure nothing is kept (the
 * pointers stay NULL, the library is closed, the next call tries again)
 * and the result is -EOPNOTSUPP when the library cannot be loaded,
 * -ENXIO when it lacks a symbol; *ret_error (may be NULL) then gets a
 * sentence that names the library and what is wrong. */
int dlopen_library(DlopenLibrary *lib, char **ret_error);

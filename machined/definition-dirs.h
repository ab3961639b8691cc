/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* All machine definitions of a host: NAME.machine (or NAME.nspawn) files
 * in /etc/corral/machines, /run/corral/machines and
 * /usr/lib/corral/machines below a root (--root), in that order of
 * precedence. The first directory that has a NAME wins; within one
 * directory NAME.machine wins over NAME.nspawn; a symlink to /dev/null
 * masks NAME in the directories below (as systemd does for units).
 *
 * A file that cannot be used (bad name, unreadable, any error in it)
 * becomes a refused entry that carries the reason: it is listed, never
 * started, and it never stops the other files from loading. Loading
 * logs nothing; the caller decides what to say about refused entries. */

#include <stddef.h>

#include "machine-definition.h"

typedef struct DefinitionEntry {
        char *name;                    /* the file name without its suffix */
        char *path;                    /* the file that won */
        MachineDefinition *definition; /* NULL: refused */
        char *error;                   /* refused: "FILE:LINE: message" lines */
} DefinitionEntry;

typedef struct DefinitionSet {
        DefinitionEntry *entries;      /* sorted by name */
        size_t n_entries;
} DefinitionSet;

/* The directories, highest precedence first, relative to the root. */
extern const char *const definition_dirs[3];

/* Reads every definition below root ("/" or NULL: the host). Fails only
 * for -ENOMEM; unreadable directories are skipped. */
int definition_dirs_load(const char *root, DefinitionSet **ret);
DefinitionSet *definition_set_free(DefinitionSet *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(DefinitionSet *, definition_set_free);

const DefinitionEntry *definition_set_find(const DefinitionSet *s, const char *name);

/* The path of the file that defines name, by the same precedence rules:
 * -ENOENT when there is none or it is masked, -EINVAL for a bad name. */
int definition_dirs_find(const char *root, const char *name, char **ret_path);

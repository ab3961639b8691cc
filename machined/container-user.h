/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* User= / --user of an app container: the user is looked up in the
 * container's own /etc/passwd and /etc/group (after pivot_root), never
 * through the host's NSS, whose answer would describe another system.
 * The parser takes FILE streams so that unit tests feed it strings; the
 * container's first process calls container_user_resolve() once its root
 * is "/". The result goes to the supervisor (SupervisorConfig.change_user),
 * which switches the payload before exec.
 *
 * Spec: "NAME", "UID" (a number: accepted without a passwd entry, then
 * gid = uid, HOME=/ as docker and systemd's ALLOW_MISSING do), optionally
 * ":GROUP" (name or number) for the primary group, as OCI images write
 * their user. Supplementary groups: the primary group plus every group of
 * /etc/group that lists the user's name (what initgroups() would give).
 *
 * An unknown user is a setup failure of the container's first process,
 * like a failed mount: one line naming the user on stderr, corral-run
 * exits 1 and the payload never starts (not a 127 from inside). Boot
 * mode refuses User= before anything is made, as systemd-nspawn does. */

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "macro.h"

typedef struct ContainerUser {
        char *name;      /* the passwd name; for a numeric uid without entry, the number */
        uid_t uid;
        gid_t gid;
        gid_t *groups;   /* supplementary groups, primary first */
        size_t n_groups;
        char *home;      /* "/" when the entry has none */
        char *shell;     /* NULL: keep the default environment's */
} ContainerUser;

ContainerUser *container_user_free(ContainerUser *u);
static inline void container_user_freep(ContainerUser **u) {
        container_user_free(*u);
}

/* Syntax only: non-empty, no control characters, at most one ':'. */
bool container_user_spec_is_valid(const char *spec);

/* Looks spec up in the passwd and group streams (group may be NULL: no
 * supplementary groups). -ESRCH: no such user (or group), -EINVAL: bad
 * spec, -ENOMEM. */
int container_user_lookup(FILE *passwd, FILE *group, const char *spec, ContainerUser **ret);

/* The same on /etc/passwd and /etc/group of the current root (call after
 * pivot_root). A missing /etc/group counts as empty; a missing
 * /etc/passwd only allows numeric uids. */
int container_user_resolve(const char *spec, ContainerUser **ret);

/* Sets HOME, USER, LOGNAME and SHELL in *env from u, each unless given
 * (the keys of "KEY=VALUE" strings the user set explicitly). */
int container_user_environment(const ContainerUser *u, char *const *given, char ***env);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The "init layer": what makes a directory a machine with an identity,
 * without writing to the directory. The host name, /etc/hostname,
 * /etc/hosts with it, the host's /etc/resolv.conf and, when the image has
 * none, /etc/machine-id. Generated files live on a per-run tmpfs and are
 * bind-mounted over the image's files; when the image lacks one of them,
 * /etc becomes an overlay with a throwaway upper layer instead (so that
 * the file can appear without being created in the image). */

#include <stdint.h>

#include "run-config.h"

typedef struct ContainerId {
        uint8_t bytes[16];
} ContainerId;

int container_id_random(ContainerId *ret);
/* 32 hex digits (machine-id format), buf at least 33 bytes. */
char *container_id_to_hex(const ContainerId *id, char *buf);
/* 8-4-4-4-12 (container_uuid format), buf at least 37 bytes. */
char *container_id_to_uuid(const ContainerId *id, char *buf);

/* Called before pivot_root with the container's root path (/dev must
 * already be a tmpfs: the staging tmpfs is mounted below it for a moment). */
int init_layer_setup(const RunConfig *c, const char *root, const ContainerId *id);

/* The environment of the container's first process and payload:
 * container=corral, container_uuid, PATH, HOME, TERM (when interactive),
 * then c->environment on top. */
int init_layer_environment(const RunConfig *c, const ContainerId *id, bool interactive, char ***ret);

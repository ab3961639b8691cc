/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's capabilities: systemd-nspawn's default bounding set,
 * "--capability"/"--drop-capability" lists, and applying the result in the
 * container's first process. Sets are uint64_t masks, bit N = capability
 * N; names come from basic/capability-util. */

#include <stdbool.h>
#include <stdint.h>

/* nspawn's default retained set (CAP_NET_ADMIN only with a private network). */
uint64_t capability_default_set(bool private_network);

/* "CAP_A,CAP_B" or "all": ORs the named capabilities into *mask. -EINVAL
 * (and the offending word in *ret_bad, to be freed) for an unknown name. */
int capability_parse_list(const char *s, uint64_t *mask, char **ret_bad);

/* Drops every capability not in keep from the bounding set, clears the
 * ambient set, and leaves keep as permitted, effective and inheritable. */
int capability_apply(uint64_t keep);

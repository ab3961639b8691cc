/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* IPv4 subnets and the address pool of corral's default bridge: choosing
 * a /16 in 10.x that the host does not use, and giving each machine an
 * address that stays the same across restarts: a hash of the machine name
 * picks the first candidate, linear probing skips taken ones, and a lease
 * file per machine (LEASEDIR/NAME, one dotted address) remembers the
 * result. The pure parts take arrays and strings; the lease functions take
 * the lease directory so tests point them at a temporary tree. The caller
 * serialises lease changes (network.c holds a lock file). */

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

typedef struct Subnet {
        struct in_addr network;   /* host bits zero */
        unsigned prefixlen;
} Subnet;

/* "A.B.C.D/N" (host bits are masked off) into *ret. */
int subnet_parse(const char *s, Subnet *ret);
/* "A.B.C.D/N" into buf (at least SUBNET_STRING_MAX bytes). */
#define SUBNET_STRING_MAX (INET_ADDRSTRLEN + 4)
const char *subnet_to_string(const Subnet *s, char *buf);
bool subnet_contains(const Subnet *s, struct in_addr a);
bool subnet_overlaps(const Subnet *a, const Subnet *b);
/* The first host address: the bridge's (gateway's) address. */
struct in_addr subnet_gateway(const Subnet *s);

/* "A.B.C.D" or "A.B.C.D/N" (N defaults to default_prefixlen). */
int address_parse(const char *s, unsigned default_prefixlen, struct in_addr *ret, unsigned *ret_prefixlen);

/* FNV-1a, 64 bit: stable across versions and hosts, which is all the
 * address and name derivations need (they are not a security boundary). */
uint64_t network_hash(const void *p, size_t n);

/* The first 10.N.0.0/16 (N = 88..255, then 0..87) that overlaps none of
 * in_use; -ENOSPC when all do. */
int pool_choose_subnet(const Subnet *in_use, size_t n_in_use, Subnet *ret);

/* A host address of pool for name: hash(name) picks the start, then the
 * next free one, skipping the network, gateway and broadcast addresses and
 * every address in used. -ENOSPC when the pool is full. */
int pool_pick_address(const Subnet *pool, const char *name, const struct in_addr *used, size_t n_used,
                      struct in_addr *ret);

/* Reads every lease in lease_dir: names (strv) and addresses; returns the
 * number. A missing directory is an empty set. Unparsable files are
 * skipped. */
int lease_load_all(const char *lease_dir, char ***ret_names, struct in_addr **ret_addrs);
/* The lease of name in pool: the remembered address when it is still in
 * pool and not taken by another lease or by extra_used, otherwise a new
 * one (pool_pick_address), written to lease_dir/name. */
int lease_acquire(const char *lease_dir, const Subnet *pool, const char *name,
                  const struct in_addr *extra_used, size_t n_extra_used, struct in_addr *ret);

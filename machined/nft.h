/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* corral's nftables table (`table ip corral`): port forwards (DNAT for
 * traffic arriving from elsewhere and for connections the host makes
 * itself) and outbound masquerading of the default bridge's pool. The
 * whole table is generated as text from the list of running machines and
 * replaced in one libnftables transaction; with nothing to do it is
 * deleted. No other table is ever named, so the host's own rules stay as
 * they are. Text generation is pure and unit tested; nft_apply() is the
 * only call into libnftables. */

#include <netinet/in.h>
#include <stdint.h>

#include "macro.h"
#include "network-pool.h"

#define NFT_TABLE_FAMILY "ip"
#define NFT_TABLE_NAME "corral"
/* The table's comment: this prefix and a hash of its content. */
#define NFT_COMMENT_PREFIX "corral:"

typedef struct PortForward {
        int protocol;             /* IPPROTO_TCP or IPPROTO_UDP */
        uint16_t host_port;
        uint16_t container_port;
} PortForward;

/* "[tcp|udp:]HOST[:CONTAINER]" (nspawn's --port, without address
 * ranges): protocol defaults to tcp, CONTAINER to HOST. */
int port_forward_parse(const char *spec, PortForward *ret);
/* "tcp:8080:80" (the canonical form) into buf, at least 24 bytes. */
const char *port_forward_to_string(const PortForward *p, char *buf, size_t size);

typedef struct NftForward {
        PortForward port;
        struct in_addr address;   /* the machine's address */
} NftForward;

typedef struct NftMasquerade {
        Subnet subnet;            /* a pool */
        const char *bridge;       /* its bridge: traffic staying there is not masqueraded */
} NftMasquerade;

/* The transaction that makes the table exactly this (replacing any
 * previous version atomically), or, with no forwards and no masquerades,
 * the one that removes it. */
int nft_ruleset_text(const NftMasquerade *masq, size_t n_masq, const NftForward *fwd, size_t n_fwd,
                     char **ret);

/* 1 when the kernel's table already is what text makes it (same content
 * hash in the comment, or both absent), 0 when not: a cheap netlink query
 * that saves the ~10 ms of a libnftables run on most starts and stops. */
int nft_table_is(const char *text);

/* Runs text (from nft_ruleset_text()) through libnftables; on failure the
 * library's message goes into *ret_error (may be NULL). */
int nft_apply(const char *text, char **ret_error);

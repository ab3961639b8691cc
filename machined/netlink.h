/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* rtnetlink through libmnl: the handful of link, address and route
 * operations corral's network setup needs (veth pairs with one end in a
 * container's network namespace, bridges, addresses, routes). One Rtnl is
 * one NETLINK_ROUTE socket bound to the network namespace it was opened
 * in; rtnl_open_netns() opens one inside a container's namespace without
 * forking, so the monitor can configure the inside from the host.
 *
 * Every call is synchronous (request, then wait for the kernel's ack) and
 * returns the kernel's -errno. Nothing here logs. */

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

typedef struct Rtnl Rtnl;

/* A socket in the caller's network namespace. */
int rtnl_open(Rtnl **ret);
/* A socket in the network namespace netns_fd refers to (an fd of
 * /proc/PID/ns/net); the caller's thread returns to its own namespace. */
int rtnl_open_netns(int netns_fd, Rtnl **ret);
Rtnl *rtnl_free(Rtnl *r);
static inline void rtnl_freep(Rtnl **r) {
        rtnl_free(*r);
}
#define _cleanup_rtnl_ _cleanup_(rtnl_freep)

/* ifindex (> 0) of the link called name, or -ENODEV. */
int rtnl_link_index(Rtnl *r, const char *name);

/* A veth pair: host_name here (up, and a port of master when > 0),
 * peer_name in the namespace netns_fd (-1: here too). MACs may be NULL
 * (kernel picks random ones). -EEXIST when host_name exists. */
int rtnl_veth_create(Rtnl *r, const char *host_name, const uint8_t host_mac[6],
                     const char *peer_name, const uint8_t peer_mac[6], int netns_fd, int master);
/* A bridge named name, with alias (IFLA_IFALIAS, may be NULL) as a mark
 * of who made it. */
int rtnl_bridge_create(Rtnl *r, const char *name, const char *alias);
/* The link's alias into *ret (NULL when it has none). */
int rtnl_link_get_alias(Rtnl *r, int ifindex, char **ret);
/* Sets master (0: none) and brings the link up or leaves it. */
int rtnl_link_set(Rtnl *r, int ifindex, int master, bool up);
int rtnl_link_delete(Rtnl *r, int ifindex);
/* Names of the links whose master is ifindex (bridge ports), in *ret
 * (a strv); returns their number. */
int rtnl_link_list_ports(Rtnl *r, int ifindex, char ***ret);

int rtnl_addr_add_v4(Rtnl *r, int ifindex, struct in_addr addr, unsigned prefixlen);
/* IPv4 addresses of ifindex (0: of every link) with their prefix lengths;
 * returns the number found. *ret_prefixes may be NULL. */
int rtnl_addr_list_v4(Rtnl *r, int ifindex, struct in_addr **ret_addrs, unsigned **ret_prefixes);
/* Destinations of every IPv4 route in the main table (default route
 * excluded), as address + prefix length; returns the number found. */
int rtnl_route_list_v4(Rtnl *r, struct in_addr **ret_dsts, unsigned **ret_prefixes);
/* Default route through gateway (on-link) out of ifindex. */
int rtnl_route_add_default_v4(Rtnl *r, int ifindex, struct in_addr gateway);

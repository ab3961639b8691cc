/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between network.c (the plan and the monitor's hooks) and
 * network-state.c (what several monitors share: lock, runtime records,
 * hosts files, the nft table, bridges and the pool). Not for other
 * modules: they use network.h. */

#include <stdint.h>

#include "netlink.h"
#include "network.h"

struct NetworkPlan {
        char *root;
        char *machine;
        NetworkMode mode;
        char host_ifname[IFNAMSIZ];
        char bridge[IFNAMSIZ];
        bool use_pool;          /* the default bridge: pool address, gateway, NAT */
        bool bridge_managed;    /* created when missing, removed when unused */

        PortForward *ports;
        size_t n_ports;

        bool have_static;
        struct in_addr static_address;
        unsigned static_prefixlen;

        /* Results of attach. */
        bool attached;
        pid_t leader;
        uint64_t netns;
        bool have_address;
        struct in_addr address;
        unsigned prefixlen;
        bool have_pool;
        Subnet pool;

        char *net_dir;          /* ROOT/run/corral/network */
        char *state_file;       /* .../machines/NAME */
        char *hosts_file;       /* .../hosts/NAME or NULL */
        char *lease_dir;        /* ROOT/var/lib/corral/network/leases */
        char *pool_file;        /* ROOT/var/lib/corral/network/pool */
        char *pool_config;      /* ROOT/etc/corral/network/pool */
};

/* One running machine's runtime record. */
typedef struct Record {
        char name[256];
        char interface[IFNAMSIZ];
        char bridge[IFNAMSIZ];
        bool have_address;
        struct in_addr address;
        unsigned prefixlen;
        bool have_pool;
        Subnet pool;
        PortForward ports[32];
        size_t n_ports;
        pid_t leader;
        uint64_t netns;         /* inode of the leader's network namespace */
} Record;

/* ROOT/rel, for a root of "/" or any directory. */
char *network_root_path(const char *root, const char *rel);
/* Takes the lock of p's root (an fd; closing it unlocks). */
int network_lock(const NetworkPlan *p);
/* Every running machine's record; stale ones (monitor killed) are removed. */
int network_records_load(const NetworkPlan *p, Record **ret);
int network_record_write(const NetworkPlan *p);
/* Hosts files of p's bridge and the nft table, from the records. */
int network_shared_update(const NetworkPlan *p);
/* The bridge of p, made when managed and missing, with the pool's gateway
 * on corral0; returns its ifindex. Logs. */
int network_bridge_ensure(NetworkPlan *p, Rtnl *rt);
/* Deletes p's bridge when corral made it and no record uses it. */
int network_bridge_maybe_remove(const NetworkPlan *p, Rtnl *rt, const Record *recs, size_t n);

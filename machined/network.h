/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A machine's network, in systemd-nspawn's vocabulary:
 *
 *   host (default)   the host's namespace, nothing to do
 *   Private=yes      own network namespace with only lo (up)
 *   VirtualEthernet  a veth pair, "host0" inside, "ve-NAME" outside
 *   Bridge=BR        the same, host end "vb-NAME" joined to BR; the default
 *                    bridge corral0 is created when missing, carries the
 *                    gateway address of the pool and gives every machine a
 *                    stable address, a default route and /etc/hosts
 *   Zone=Z           Bridge=vz-Z, created when missing, removed when empty
 *   Address=A[/N]    a static IPv4 address on host0
 *   Port=            forwards from host ports to the machine's address
 *
 * Interface names longer than 15 characters are shortened the way nspawn
 * does: the first 11 characters plus 4 characters of a hash of the whole.
 *
 * The container's monitor (corral-run) drives it through four hooks:
 *
 *   network_plan_new()      while parsing: validates, decides names
 *   network_plan_prepare()  before clone: state dirs, the hosts file to
 *                           bind at /etc/hosts (network_plan_hosts_file())
 *   network_plan_attach()   after clone, before the child continues: links,
 *                           addresses, routes, nft rules; configures the
 *                           inside from the host through a netlink socket
 *                           opened in the child's namespace
 *   network_plan_detach()   after the container stopped: hosts file, nft
 *                           table, the bridge when corral made it and it is
 *                           unused. The veth is NOT deleted here: deleting
 *                           one costs ~16 ms, and the kernel removes the
 *                           pair by itself when the container's namespace
 *                           dies, off every stop path.
 *
 * Runtime record (for corrald's NetworkInterfaces/Addresses, through
 * network_machine_info()): ROOT/run/corral/network/machines/NAME with
 * lines "interface=IFNAME", "bridge=BR", "address=A.B.C.D/N", "pool=",
 * "port=tcp:H:C", "leader=PID", "netns=INODE". Hosts file bound onto the
 * machine's /etc/hosts: ROOT/run/corral/network/hosts/NAME. Leases (stable
 * addresses): ROOT/var/lib/corral/network/leases/NAME. The pool:
 * ROOT/etc/corral/network/pool (admin, "A.B.C.D/N") or else the one chosen
 * at first use, remembered in ROOT/var/lib/corral/network/pool.
 *
 * Limitation: bridges are host-wide, records are per ROOT. Two corral
 * instances with different --root on one bridge do not see each other's
 * machines; the last machine of either removes a bridge corral made. */

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

#include "macro.h"
#include "network-pool.h"
#include "nft.h"

#define NETWORK_DEFAULT_BRIDGE "corral0"
/* IFLA_IFALIAS of bridges corral created, so that only those are removed. */
#define NETWORK_BRIDGE_ALIAS "corral-managed"
#define NETWORK_CONTAINER_IFNAME "host0"

typedef enum NetworkMode {
        NETWORK_MODE_HOST,
        NETWORK_MODE_PRIVATE,
        NETWORK_MODE_VETH,
        NETWORK_MODE_BRIDGE,
        _NETWORK_MODE_MAX,
        _NETWORK_MODE_INVALID = -EINVAL,
} NetworkMode;

const char *network_mode_to_string(NetworkMode m);
NetworkMode network_mode_from_string(const char *s);

/* What the command line or the [Network] section asked for. */
typedef struct NetworkOptions {
        bool private_network;
        bool veth;
        const char *bridge;
        const char *zone;
        char *const *ports;      /* "[tcp|udp:]HOST[:CONTAINER]" */
        const char *address;     /* "A.B.C.D[/N]" */
} NetworkOptions;

typedef struct NetworkPlan NetworkPlan;

/* prefix + machine name, shortened to fit IFNAMSIZ as nspawn does.
 * Returns 1 when shortened, 0 when not. */
int network_ifname(const char *prefix, const char *machine, char ret[IFNAMSIZ]);

/* Validates o for machine (logs what is wrong) and decides names. */
int network_plan_new(const char *root, const char *machine, const NetworkOptions *o, NetworkPlan **ret);
NetworkPlan *network_plan_free(NetworkPlan *p);
static inline void network_plan_freep(NetworkPlan **p) {
        network_plan_free(*p);
}
#define _cleanup_network_plan_ _cleanup_(network_plan_freep)

NetworkMode network_plan_mode(const NetworkPlan *p);
/* Whether the container needs CLONE_NEWNET. */
bool network_plan_private(const NetworkPlan *p);
/* The host end of the veth ("" without one). */
const char *network_plan_host_ifname(const NetworkPlan *p);
const char *network_plan_bridge(const NetworkPlan *p);

int network_plan_prepare(NetworkPlan *p);
/* The file to bind read-only onto /etc/hosts, NULL for none (host network,
 * or no address). Valid after network_plan_prepare(). */
const char *network_plan_hosts_file(const NetworkPlan *p);

/* p may be NULL (nothing to do), as for detach. */
int network_plan_attach(NetworkPlan *p, pid_t pid);
/* The address the machine got (after attach); -ENODATA without one. */
int network_plan_address(const NetworkPlan *p, struct in_addr *ret, unsigned *ret_prefixlen);

/* Never fails the stop: problems are logged, the return value says
 * whether everything went. Idempotent. */
int network_plan_detach(NetworkPlan *p);

/* What a running machine's network is, from its runtime record, for
 * corrald's NetworkInterfaces and Addresses properties: the host-side
 * interface names and the addresses ("A.B.C.D/N"), each a strv (possibly
 * empty). -ENOENT when the machine has no record (host or private
 * network, or not running). */
int network_machine_info(const char *root, const char *machine, char ***ret_interfaces, char ***ret_addresses);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A machine's network plan and the monitor's hooks that carry it out (see
 * network.h): options into a plan, the veth, the inside of the container's
 * namespace. What several monitors share (bridges, leases, hosts files,
 * the nft table) is in network-state.c, under one lock. */

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "hostname-util.h"
#include "log.h"
#include "netlink.h"
#include "network-internal.h"
#include "string-util.h"


static const char *const network_mode_table[_NETWORK_MODE_MAX] = {
        [NETWORK_MODE_HOST] = "host",
        [NETWORK_MODE_PRIVATE] = "private",
        [NETWORK_MODE_VETH] = "veth",
        [NETWORK_MODE_BRIDGE] = "bridge",
};

const char *network_mode_to_string(NetworkMode m) {
        if (m < 0 || m >= _NETWORK_MODE_MAX)
                return NULL;
        return network_mode_table[m];
}

NetworkMode network_mode_from_string(const char *s) {
        for (int i = 0; s && i < _NETWORK_MODE_MAX; i++)
                if (streq(network_mode_table[i], s))
                        return (NetworkMode) i;
        return _NETWORK_MODE_INVALID;
}

static char urlsafe_base64char(unsigned v) {
        static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return table[v & 63];
}

int network_ifname(const char *prefix, const char *machine, char ret[IFNAMSIZ]) {
        char full[256];
        int l = snprintf(full, sizeof(full), "%s%s", prefix, machine);

        if (l < 0 || (size_t) l >= sizeof(full))
                return -EINVAL;
        if (l < IFNAMSIZ) {
                memcpy(ret, full, (size_t) l + 1);
                return 0;
        }
        /* nspawn's rule: keep the first IFNAMSIZ-5 characters and end in
         * four characters (24 bits) of a hash of the whole name, so that
         * long names sharing a prefix still get different links. */
        uint64_t h = network_hash(full, (size_t) l);
        memcpy(ret, full, IFNAMSIZ - 5);
        ret[IFNAMSIZ - 5] = urlsafe_base64char((unsigned) (h >> 18));
        ret[IFNAMSIZ - 4] = urlsafe_base64char((unsigned) (h >> 12));
        ret[IFNAMSIZ - 3] = urlsafe_base64char((unsigned) (h >> 6));
        ret[IFNAMSIZ - 2] = urlsafe_base64char((unsigned) h);
        ret[IFNAMSIZ - 1] = 0;
        return 1;
}

static bool ifname_is_valid(const char *s) {
        if (isempty(s) || strlen(s) >= IFNAMSIZ || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *c = s; *c; c++)
                if (*c <= ' ' || *c > '~' || strchr(":/\"'\\%", *c))
                        return false;
        return true;
}


NetworkPlan *network_plan_free(NetworkPlan *p) {
        if (!p)
                return NULL;
        free(p->root);
        free(p->machine);
        free(p->ports);
        free(p->net_dir);
        free(p->state_file);
        free(p->hosts_file);
        free(p->lease_dir);
        free(p->pool_file);
        free(p->pool_config);
        free(p);
        return NULL;
}

static int plan_decide(NetworkPlan *p, const NetworkOptions *o) {
        int k;

        if (o->bridge && o->zone)
                return log_error_errno(-EINVAL, "Bridge= and Zone= exclude each other.");
        if (o->bridge) {
                if (!ifname_is_valid(o->bridge))
                        return log_error_errno(-EINVAL, "Invalid bridge name '%s'.", o->bridge);
                strcpy(p->bridge, o->bridge);
                p->use_pool = streq(o->bridge, NETWORK_DEFAULT_BRIDGE);
                p->bridge_managed = p->use_pool;
        } else if (o->zone) {
                char z[64];
                snprintf(z, sizeof(z), "vz-%s", o->zone);
                if (!ifname_is_valid(z) || strchr(o->zone, '.'))
                        return log_error_errno(-EINVAL, "Invalid zone name '%s' (at most %d characters).",
                                               o->zone, IFNAMSIZ - 4);
                strcpy(p->bridge, z);
                p->bridge_managed = true;
        }

        if (p->bridge[0])
                p->mode = NETWORK_MODE_BRIDGE;
        else if (o->veth)
                p->mode = NETWORK_MODE_VETH;
        else if (o->private_network)
                p->mode = NETWORK_MODE_PRIVATE;
        else
                p->mode = NETWORK_MODE_HOST;

        if (IN_SET(p->mode, NETWORK_MODE_VETH, NETWORK_MODE_BRIDGE)) {
                k = network_ifname(p->mode == NETWORK_MODE_BRIDGE ? "vb-" : "ve-", p->machine, p->host_ifname);
                if (k < 0)
                        return log_error_errno(k, "Machine name '%s' is too long for an interface name.",
                                               p->machine);
                if (k > 0)
                        log_info("Host interface of machine '%s' is '%s' (shortened).", p->machine, p->host_ifname);
        }

        if (o->address) {
                if (!IN_SET(p->mode, NETWORK_MODE_VETH, NETWORK_MODE_BRIDGE))
                        return log_error_errno(-EINVAL, "Address= needs VirtualEthernet= or Bridge=.");
                k = address_parse(o->address, p->use_pool ? 16 : 24, &p->static_address, &p->static_prefixlen);
                if (k < 0 || p->static_prefixlen == 0 || p->static_prefixlen > 30)
                        return log_error_errno(-EINVAL, "Invalid address '%s'.", o->address);
                p->have_static = true;
        }

        STRV_FOREACH(s, (char **) o->ports) {
                PortForward f;
                if (port_forward_parse(*s, &f) < 0)
                        return log_error_errno(-EINVAL, "Invalid port forward '%s'.", *s);
                PortForward *n = reallocarray(p->ports, p->n_ports + 1, sizeof(*n));
                if (!n)
                        return log_oom();
                p->ports = n;
                p->ports[p->n_ports++] = f;
        }
        if (p->n_ports > 0 && !p->use_pool && !p->have_static)
                return log_error_errno(-EINVAL, "Port= needs an address: Bridge=" NETWORK_DEFAULT_BRIDGE
                                       " or Address=.");
        return 0;
}

int network_plan_new(const char *root, const char *machine, const NetworkOptions *o, NetworkPlan **ret) {
        _cleanup_network_plan_ NetworkPlan *p = NULL;
        int k;

        if (!machine_name_is_valid(machine))
                return log_error_errno(-EINVAL, "Invalid machine name '%s'.", strempty(machine));

        p = calloc(1, sizeof(NetworkPlan));
        if (!p)
                return log_oom();
        p->root = strdup(root ?: "/");
        p->machine = strdup(machine);
        if (!p->root || !p->machine)
                return log_oom();

        k = plan_decide(p, o);
        if (k < 0)
                return k;

        p->net_dir = network_root_path(root, "run/corral/network");
        p->state_file = network_root_path(root, "run/corral/network/machines");
        p->lease_dir = network_root_path(root, "var/lib/corral/network/leases");
        p->pool_file = network_root_path(root, "var/lib/corral/network/pool");
        p->pool_config = network_root_path(root, "etc/corral/network/pool");
        if (!p->net_dir || !p->state_file || !p->lease_dir || !p->pool_file || !p->pool_config)
                return log_oom();
        char *s = strprintf("%s/%s", p->state_file, machine);
        if (!s)
                return log_oom();
        free(p->state_file);
        p->state_file = s;

        /* Every addressed machine has a hosts file of its own, listing the
         * machines on its bridge so that each finds the others by name.
         * Its own, not one shared file: a machine with CAP_SYS_ADMIN could
         * remount its read-only bind writable, and must not be able to
         * redirect its neighbours' names. All copies are rewritten in
         * place (the bind mounts keep the inode) when a machine comes or
         * goes. */
        if (IN_SET(p->mode, NETWORK_MODE_BRIDGE, NETWORK_MODE_VETH) && (p->use_pool || p->have_static)) {
                p->hosts_file = strprintf("%s/hosts/%s", p->net_dir, machine);
                if (!p->hosts_file)
                        return log_oom();
        }

        *ret = TAKE_PTR(p);
        return 0;
}

NetworkMode network_plan_mode(const NetworkPlan *p) {
        return p->mode;
}

bool network_plan_private(const NetworkPlan *p) {
        return p->mode != NETWORK_MODE_HOST;
}

const char *network_plan_host_ifname(const NetworkPlan *p) {
        return p->host_ifname;
}

const char *network_plan_bridge(const NetworkPlan *p) {
        return p->bridge;
}

const char *network_plan_hosts_file(const NetworkPlan *p) {
        return p->hosts_file;
}

int network_plan_address(const NetworkPlan *p, struct in_addr *ret, unsigned *ret_prefixlen) {
        if (!p->have_address)
                return -ENODATA;
        *ret = p->address;
        if (ret_prefixlen)
                *ret_prefixlen = p->prefixlen;
        return 0;
}

/* The machine's hosts file must exist before the child binds it (content
 * follows in attach); detach removes it, so every attach makes it again. */
static int hosts_file_create(const NetworkPlan *p) {
        if (!p->hosts_file)
                return 0;
        int fd = open(p->hosts_file, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "Failed to create '%s': %m", p->hosts_file);
        safe_close(fd);
        return 0;
}

int network_plan_prepare(NetworkPlan *p) {
        _cleanup_free_ char *machines = NULL, *hosts = NULL;
        int k;

        if (p->mode == NETWORK_MODE_HOST || p->mode == NETWORK_MODE_PRIVATE)
                return 0;

        machines = strprintf("%s/machines", p->net_dir);
        hosts = strprintf("%s/hosts", p->net_dir);
        if (!machines || !hosts)
                return log_oom();
        k = mkdir_p_at(AT_FDCWD, machines, 0755);
        if (k >= 0)
                k = mkdir_p_at(AT_FDCWD, hosts, 0755);
        if (k < 0)
                return log_error_errno(k, "Failed to create '%s': %m", p->net_dir);
        return hosts_file_create(p);
}


/* ---- attach / detach ---- */

static void mac_for(const char *what, const char *machine, uint8_t mac[6]) {
        char buf[300];
        int l = snprintf(buf, sizeof(buf), "%s:%s", what, machine);
        uint64_t h = network_hash(buf, (size_t) MAX(l, 0));
        memcpy(mac, &h, 6);
        mac[0] = (uint8_t) ((mac[0] & 0xfe) | 0x02);   /* unicast, locally administered */
}

static int configure_inside(NetworkPlan *p, int netns_fd, struct in_addr gateway, bool have_gateway) {
        _cleanup_rtnl_ Rtnl *in = NULL;
        int k, idx;

        k = rtnl_open_netns(netns_fd, &in);
        if (k < 0)
                return log_error_errno(k, "Failed to open netlink in the container's namespace: %m");
        /* lo is ifindex 1 in every new network namespace. */
        k = rtnl_link_set(in, 1, -1, true);
        if (k < 0)
                return log_error_errno(k, "Failed to bring up lo in the container: %m");
        if (p->mode == NETWORK_MODE_PRIVATE)
                return 0;

        idx = rtnl_link_index(in, NETWORK_CONTAINER_IFNAME);
        if (idx < 0)
                return log_error_errno(idx, "Container interface " NETWORK_CONTAINER_IFNAME " missing: %m");
        k = rtnl_link_set(in, idx, -1, true);
        if (k < 0)
                return log_error_errno(k, "Failed to bring up " NETWORK_CONTAINER_IFNAME ": %m");
        if (p->have_address) {
                k = rtnl_addr_add_v4(in, idx, p->address, p->prefixlen);
                if (k < 0)
                        return log_error_errno(k, "Failed to add address %s to host0: %m", inet_ntoa(p->address));
        }
        if (have_gateway) {
                k = rtnl_route_add_default_v4(in, idx, gateway);
                if (k < 0)
                        return log_error_errno(k, "Failed to add the default route in the container: %m");
        }
        return 0;
}

static int attach_links(NetworkPlan *p, Rtnl *rt, int netns_fd) {
        uint8_t mac_host[6], mac_container[6];
        int bridge_idx = 0, k;

        if (p->mode == NETWORK_MODE_BRIDGE) {
                bridge_idx = network_bridge_ensure(p, rt);
                if (bridge_idx < 0)
                        return bridge_idx;
        }

        mac_for("host", p->machine, mac_host);
        mac_for("container", p->machine, mac_container);
        k = rtnl_veth_create(rt, p->host_ifname, mac_host, NETWORK_CONTAINER_IFNAME, mac_container, netns_fd,
                             bridge_idx);
        if (k == -EEXIST) {
                /* A leftover of the previous run of this machine whose
                 * namespace the kernel has not finished tearing down, or of
                 * a crash. Only this rare path pays for a synchronous delete. */
                int old = rtnl_link_index(rt, p->host_ifname);
                if (old > 0)
                        (void) rtnl_link_delete(rt, old);
                k = rtnl_veth_create(rt, p->host_ifname, mac_host, NETWORK_CONTAINER_IFNAME, mac_container,
                                     netns_fd, bridge_idx);
        }
        if (k < 0)
                return log_error_errno(k, "Failed to create veth '%s'%s%s: %m", p->host_ifname,
                                       bridge_idx > 0 ? " on bridge " : "", bridge_idx > 0 ? p->bridge : "");
        return 0;
}

int network_plan_attach(NetworkPlan *p, pid_t pid) {
        _cleanup_close_ int netns_fd = -EBADF, lock_fd = -EBADF;
        _cleanup_rtnl_ Rtnl *rt = NULL;
        _cleanup_free_ Record *recs = NULL;
        char path[64];
        struct in_addr gateway = {};
        bool have_gateway = false;
        int k, n;

        if (!p || p->mode == NETWORK_MODE_HOST)
                return 0;

        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
        netns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (netns_fd < 0)
                return log_error_errno(-errno, "Failed to open '%s': %m", path);
        struct stat st;
        if (fstat(netns_fd, &st) < 0)
                return log_error_errno(-errno, "Failed to stat '%s': %m", path);
        p->leader = pid;
        p->netns = (uint64_t) st.st_ino;

        if (p->mode == NETWORK_MODE_PRIVATE)
                return configure_inside(p, netns_fd, gateway, false);

        k = rtnl_open(&rt);
        if (k < 0)
                return log_error_errno(k, "Failed to open netlink: %m");
        lock_fd = network_lock(p);
        if (lock_fd < 0)
                return log_error_errno(lock_fd, "Failed to lock '%s': %m", p->net_dir);

        /* From here on network_plan_detach() has something to undo,
         * also when the rest fails (a bridge made for nothing). */
        p->attached = true;
        k = attach_links(p, rt, netns_fd);
        if (k < 0)
                return k;

        if (p->have_static) {
                /* Two running machines with one address would both half work. */
                n = network_records_load(p, &recs);
                if (n < 0)
                        return log_error_errno(n, "Failed to read network records: %m");
                for (int i = 0; i < n; i++)
                        if (recs[i].have_address && recs[i].address.s_addr == p->static_address.s_addr &&
                            !streq(recs[i].name, p->machine))
                                return log_error_errno(-EADDRINUSE, "Address %s is in use by machine '%s'.",
                                                       inet_ntoa(p->static_address), recs[i].name);
                p->address = p->static_address;
                p->prefixlen = p->static_prefixlen;
                p->have_address = true;
        } else if (p->have_pool) {
                _cleanup_free_ struct in_addr *taken = NULL;
                size_t n_taken = 0;

                /* Static addresses of running machines are off limits too. */
                n = network_records_load(p, &recs);
                if (n < 0)
                        return log_error_errno(n, "Failed to read network records: %m");
                taken = calloc((size_t) n + 1, sizeof(struct in_addr));
                if (!taken)
                        return log_oom();
                for (int i = 0; i < n; i++)
                        if (recs[i].have_address && !streq(recs[i].name, p->machine))
                                taken[n_taken++] = recs[i].address;
                k = lease_acquire(p->lease_dir, &p->pool, p->machine, taken, n_taken, &p->address);
                if (k < 0)
                        return log_error_errno(k, "Failed to get an address for '%s' from the pool: %m",
                                               p->machine);
                p->prefixlen = p->pool.prefixlen;
                p->have_address = true;
        }
        if (p->have_pool && subnet_contains(&p->pool, p->address)) {
                gateway = subnet_gateway(&p->pool);
                have_gateway = true;
        }

        k = hosts_file_create(p);
        if (k < 0)
                return k;
        k = network_record_write(p);
        if (k < 0)
                return log_error_errno(k, "Failed to write '%s': %m", p->state_file);
        k = network_shared_update(p);
        if (k < 0)
                return k;
        lock_fd = safe_close(lock_fd);

        /* The inside needs no lock: nobody else knows this namespace. */
        return configure_inside(p, netns_fd, gateway, have_gateway);
}

int network_plan_detach(NetworkPlan *p) {
        _cleanup_close_ int lock_fd = -EBADF;
        _cleanup_rtnl_ Rtnl *rt = NULL;
        _cleanup_free_ Record *recs = NULL;
        int k, n, r = 0;

        if (!p || !IN_SET(p->mode, NETWORK_MODE_VETH, NETWORK_MODE_BRIDGE) || !p->attached)
                return 0;

        lock_fd = network_lock(p);
        if (lock_fd < 0)
                return log_warning_errno(lock_fd, "Failed to lock '%s', network left as is: %m", p->net_dir);

        if (unlink(p->state_file) < 0 && errno != ENOENT)
                r = log_warning_errno(-errno, "Failed to remove '%s', ignoring: %m", p->state_file);
        if (p->hosts_file && unlink(p->hosts_file) < 0 && errno != ENOENT)
                r = log_warning_errno(-errno, "Failed to remove '%s', ignoring: %m", p->hosts_file);
        k = network_shared_update(p);
        if (k < 0)
                r = k;

        if (p->bridge_managed) {
                n = network_records_load(p, &recs);
                k = n < 0 ? n : rtnl_open(&rt);
                if (k >= 0)
                        k = network_bridge_maybe_remove(p, rt, recs, (size_t) n);
                if (k < 0)
                        r = log_warning_errno(k, "Failed to remove bridge '%s', ignoring: %m", p->bridge);
        }
        p->attached = false;
        return r;
}


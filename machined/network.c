/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A machine's network plan and the monitor's hooks that carry it out (see
 * network.h). Everything that several monitors share (bridges, leases,
 * the hosts file of a bridge, the nft table) changes under one lock file,
 * ROOT/run/corral/network/lock, and is regenerated from the runtime
 * records of all running machines rather than patched, so that a crashed
 * monitor leaves nothing that the next change does not put right. */

#include <arpa/inet.h>
#include <inttypes.h>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "hostname-util.h"
#include "log.h"
#include "netlink.h"
#include "network.h"
#include "parse-util.h"
#include "string-util.h"

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

static char *root_path(const char *root, const char *rel) {
        const char *r = root ?: "/";
        size_t l = strlen(r);
        while (l > 0 && r[l - 1] == '/')
                l--;
        return strprintf("%.*s/%s", (int) l, r, rel);
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

        p->net_dir = root_path(root, "run/corral/network");
        p->state_file = root_path(root, "run/corral/network/machines");
        p->lease_dir = root_path(root, "var/lib/corral/network/leases");
        p->pool_file = root_path(root, "var/lib/corral/network/pool");
        p->pool_config = root_path(root, "etc/corral/network/pool");
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
        if (p->hosts_file) {
                /* Must exist before the child binds it; content follows
                 * in attach. */
                int fd = open(p->hosts_file, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
                if (fd < 0)
                        return log_error_errno(-errno, "Failed to create '%s': %m", p->hosts_file);
                safe_close(fd);
        }
        return 0;
}

/* ---- shared state under the lock ---- */

static int network_lock(const NetworkPlan *p) {
        _cleanup_free_ char *path = strprintf("%s/lock", p->net_dir);
        if (!path)
                return -ENOMEM;
        int k = mkdir_p_at(AT_FDCWD, p->net_dir, 0755);
        if (k < 0)
                return k;
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                k = -errno;
                safe_close(fd);
                return k;
        }
        return fd;
}

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

static int record_parse(const char *name, char *text, Record *r) {
        char *save = NULL;

        *r = (Record) {};
        snprintf(r->name, sizeof(r->name), "%s", name);
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *v;
                if ((v = startswith(line, "interface=")))
                        snprintf(r->interface, sizeof(r->interface), "%s", v);
                else if ((v = startswith(line, "bridge=")))
                        snprintf(r->bridge, sizeof(r->bridge), "%s", v);
                else if ((v = startswith(line, "address=")))
                        r->have_address = address_parse(v, 32, &r->address, &r->prefixlen) >= 0;
                else if ((v = startswith(line, "pool=")))
                        r->have_pool = subnet_parse(v, &r->pool) >= 0;
                else if ((v = startswith(line, "leader=")))
                        (void) parse_pid(v, &r->leader);
                else if ((v = startswith(line, "netns=")))
                        (void) parse_uint64(v, &r->netns);
                else if ((v = startswith(line, "port=")) && r->n_ports < ELEMENTSOF(r->ports)) {
                        if (port_forward_parse(v, &r->ports[r->n_ports]) >= 0)
                                r->n_ports++;
                }
        }
        return 0;
}

/* A record whose leader no longer lives in the namespace it was given
 * (compared by inode, so a reused PID does not count). */
static bool record_is_stale(const Record *r) {
        char path[64];
        struct stat st;

        if (r->leader <= 0 || r->netns == 0)
                return false;
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) r->leader);
        return stat(path, &st) < 0 || (uint64_t) st.st_ino != r->netns;
}

static int records_load(const NetworkPlan *p, Record **ret) {
        _cleanup_free_ char *dir = strprintf("%s/machines", p->net_dir);
        _cleanup_free_ Record *recs = NULL;
        size_t n = 0;
        DIR *d;
        struct dirent *de;

        if (!dir)
                return -ENOMEM;
        d = opendir(dir);
        if (!d && errno != ENOENT)
                return -errno;
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *text = NULL;
                /* Skips temporary files a crash left behind (NAME.tmp.PID). */
                if (!machine_name_is_valid(de->d_name) || strstr(de->d_name, ".tmp."))
                        continue;
                if (read_full_file_at(dirfd(d), de->d_name, 64 * 1024, &text, NULL) < 0)
                        continue;
                Record *nr = reallocarray(recs, n + 1, sizeof(Record));
                if (!nr) {
                        closedir(d);
                        return -ENOMEM;
                }
                recs = nr;
                record_parse(de->d_name, text, &recs[n]);
                if (record_is_stale(&recs[n])) {
                        /* Its monitor was killed before it could detach: the
                         * machine is gone (PDEATHSIG), so is its namespace.
                         * Forget it, so that its bridge, rules and name go. */
                        (void) unlinkat(dirfd(d), de->d_name, 0);
                        _cleanup_free_ char *h = strprintf("%s/hosts/%s", p->net_dir, de->d_name);
                        if (h)
                                (void) unlink(h);
                        continue;
                }
                n++;
        }
        if (d)
                closedir(d);
        *ret = TAKE_PTR(recs);
        return (int) n;
}

static int record_write(const NetworkPlan *p) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "mode=%s\n", network_mode_to_string(p->mode));
        if (p->leader > 0)
                fprintf(f, "leader=%d\nnetns=%" PRIu64 "\n", (int) p->leader, p->netns);
        if (p->host_ifname[0])
                fprintf(f, "interface=%s\n", p->host_ifname);
        if (p->bridge[0])
                fprintf(f, "bridge=%s\n", p->bridge);
        if (p->have_address)
                fprintf(f, "address=%s/%u\n", inet_ntoa(p->address), p->prefixlen);
        if (p->have_pool) {
                char s[SUBNET_STRING_MAX];
                fprintf(f, "pool=%s\n", subnet_to_string(&p->pool, s));
        }
        for (size_t i = 0; i < p->n_ports; i++) {
                char s[32];
                fprintf(f, "port=%s\n", port_forward_to_string(&p->ports[i], s, sizeof(s)));
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_file_atomic_at(AT_FDCWD, p->state_file, buf, size, 0644);
}

static int write_in_place(const char *path, const char *buf, size_t size) {
        /* In place, not by rename: machines see it through a bind mount
         * of this very inode. No O_CREAT: a machine that is gone keeps
         * its file gone. */
        _cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (write(fd, buf, size) != (ssize_t) size)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

/* Rewrites the hosts files of every machine on p's bridge (or of p's own
 * veth) from the records. */
static int hosts_update(const NetworkPlan *p, const Record *recs, size_t n) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        char host[HOST_NAME_MAX + 1] = "localhost";
        const Subnet *pool = p->have_pool ? &p->pool : NULL;
        FILE *f;
        int r = 0;

        if (!p->hosts_file && !p->bridge[0])
                return 0;

#define SAME(rec) (p->bridge[0] ? streq((rec)->bridge, p->bridge) : streq((rec)->interface, p->host_ifname))
        for (size_t i = 0; i < n && !pool; i++)
                if (SAME(&recs[i]) && recs[i].have_pool)
                        pool = &recs[i].pool;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        (void) gethostname(host, sizeof(host));
        fprintf(f, "# Written by corral for the machines on %s.\n"
                   "127.0.0.1\tlocalhost\n"
                   "::1\tlocalhost ip6-localhost ip6-loopback\n",
                p->bridge[0] ? p->bridge : p->host_ifname);
        if (pool) {
                struct in_addr gw = subnet_gateway(pool);
                fprintf(f, "%s\t%s _gateway\n", inet_ntoa(gw), host);
        }
        for (size_t i = 0; i < n; i++)
                if (SAME(&recs[i]) && recs[i].have_address)
                        fprintf(f, "%s\t%s\n", inet_ntoa(recs[i].address), recs[i].name);
        if (fclose(f) != 0)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                if (!SAME(&recs[i]) || !recs[i].have_address)
                        continue;
                _cleanup_free_ char *path = strprintf("%s/hosts/%s", p->net_dir, recs[i].name);
                if (!path)
                        return -ENOMEM;
                int k = write_in_place(path, buf, size);
                if (k < 0 && k != -ENOENT && r == 0)
                        r = k;
        }
#undef SAME
        return r;
}

/* Regenerates corral's nft table from the records; skips libnftables when
 * the kernel's table already has this content. */
static int nft_update(const NetworkPlan *p, const Record *recs, size_t n) {
        _cleanup_free_ NftForward *fwd = NULL;
        _cleanup_free_ NftMasquerade *masq = NULL;
        _cleanup_free_ char *text = NULL, *err = NULL;
        size_t n_fwd = 0, n_masq = 0, total = 0;
        int k;

        for (size_t i = 0; i < n; i++)
                total += recs[i].n_ports;
        fwd = calloc(total + 1, sizeof(NftForward));
        masq = calloc(n + 1, sizeof(NftMasquerade));
        if (!fwd || !masq)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                const Record *r = &recs[i];
                if (r->have_address)
                        for (size_t j = 0; j < r->n_ports; j++)
                                fwd[n_fwd++] = (NftForward) { .port = r->ports[j], .address = r->address };
                if (r->have_pool) {
                        bool dup = false;
                        for (size_t j = 0; j < n_masq && !dup; j++)
                                dup = streq(masq[j].bridge, r->bridge) &&
                                      masq[j].subnet.network.s_addr == r->pool.network.s_addr;
                        if (!dup)
                                masq[n_masq++] = (NftMasquerade) { .subnet = r->pool, .bridge = r->bridge };
                }
        }

        k = nft_ruleset_text(masq, n_masq, fwd, n_fwd, &text);
        if (k < 0)
                return k;
        /* The kernel, not a file of ours, says what is in force: the table
         * is host-wide, and anyone may have removed it meanwhile. */
        if (nft_table_is(text) > 0)
                return 0;
        k = nft_apply(text, &err);
        if (k < 0)
                return log_error_errno(k, "Failed to apply corral's nftables table: %s", strempty(err));
        return 0;
}

static int shared_update(const NetworkPlan *p) {
        _cleanup_free_ Record *recs = NULL;
        int n = records_load(p, &recs);
        if (n < 0)
                return log_error_errno(n, "Failed to read network records in '%s': %m", p->net_dir);
        int k = hosts_update(p, recs, (size_t) n);
        if (k < 0)
                return log_error_errno(k, "Failed to write the hosts files in '%s/hosts': %m", p->net_dir);
        return nft_update(p, recs, (size_t) n);
}

/* ---- the default bridge and its pool ---- */

static int pool_from_host(const NetworkPlan *p, Rtnl *rt, Subnet *ret) {
        _cleanup_free_ struct in_addr *addrs = NULL, *dsts = NULL;
        _cleanup_free_ unsigned *ap = NULL, *dp = NULL;
        _cleanup_free_ Subnet *in_use = NULL;
        _cleanup_free_ char *line = NULL;
        size_t n_use = 0;
        Subnet s;
        int na, nd, k;

        /* An administrator's choice wins, unchecked. */
        if (read_one_line_file_at(AT_FDCWD, p->pool_config, &line) >= 0) {
                if (subnet_parse(strstrip(line), &s) < 0 || s.prefixlen > 29)
                        return log_error_errno(-EINVAL, "Invalid pool '%s' in '%s'.", line, p->pool_config);
                *ret = s;
                return 0;
        }

        na = rtnl_addr_list_v4(rt, 0, &addrs, &ap);
        if (na < 0)
                return log_error_errno(na, "Failed to list the host's addresses: %m");
        nd = rtnl_route_list_v4(rt, &dsts, &dp);
        if (nd < 0)
                return log_error_errno(nd, "Failed to list the host's routes: %m");
        in_use = calloc((size_t) na + (size_t) nd + 1, sizeof(Subnet));
        if (!in_use)
                return log_oom();
        for (int i = 0; i < na; i++)
                in_use[n_use++] = (Subnet) { .network = addrs[i], .prefixlen = ap[i] };
        for (int i = 0; i < nd; i++)
                in_use[n_use++] = (Subnet) { .network = dsts[i], .prefixlen = dp[i] };

        /* The pool used last time, when the host still leaves it free:
         * leases stay valid across restarts of everything. */
        line = mfree(line);
        if (read_one_line_file_at(AT_FDCWD, p->pool_file, &line) >= 0 && subnet_parse(strstrip(line), &s) >= 0) {
                bool busy = false;
                for (size_t i = 0; i < n_use && !busy; i++)
                        busy = subnet_overlaps(&s, &in_use[i]);
                if (!busy) {
                        *ret = s;
                        return 0;
                }
                log_notice("Pool %s is in use on the host now, choosing another.", line);
        }

        k = pool_choose_subnet(in_use, n_use, &s);
        if (k < 0)
                return log_error_errno(k, "No free /16 in 10.0.0.0/8 for the machine pool.");
        char text[SUBNET_STRING_MAX + 1];
        subnet_to_string(&s, text);
        strcat(text, "\n");
        _cleanup_free_ char *dir = root_path(p->root, "var/lib/corral/network");
        if (!dir)
                return log_oom();
        k = mkdir_p_at(AT_FDCWD, dir, 0755);
        if (k >= 0)
                k = write_file_atomic_at(AT_FDCWD, p->pool_file, text, strlen(text), 0644);
        if (k < 0)
                log_warning_errno(k, "Failed to remember the pool in '%s', ignoring: %m", p->pool_file);
        *ret = s;
        return 0;
}

/* Makes sure the bridge exists (creating a managed one), gives the default
 * bridge its gateway address, and returns its ifindex. */
static int bridge_ensure(NetworkPlan *p, Rtnl *rt) {
        _cleanup_free_ struct in_addr *addrs = NULL;
        _cleanup_free_ unsigned *prefixes = NULL;
        int idx, n, k;

        idx = rtnl_link_index(rt, p->bridge);
        if (idx == -ENODEV && p->bridge_managed) {
                idx = rtnl_bridge_create(rt, p->bridge, NETWORK_BRIDGE_ALIAS);
                if (idx == -EEXIST)   /* someone outside our lock was quicker */
                        idx = rtnl_link_index(rt, p->bridge);
        }
        if (idx == -ENODEV)
                return log_error_errno(idx, "Bridge '%s' does not exist.", p->bridge);
        if (idx < 0)
                return log_error_errno(idx, "Failed to set up bridge '%s': %m", p->bridge);
        if (!p->use_pool)
                return idx;

        n = rtnl_addr_list_v4(rt, idx, &addrs, &prefixes);
        if (n < 0)
                return log_error_errno(n, "Failed to read the addresses of '%s': %m", p->bridge);
        if (n > 0) {
                /* The bridge's address says which pool is live. */
                p->pool = (Subnet) { .network = addrs[0], .prefixlen = prefixes[0] };
                p->pool.network.s_addr &= htonl(prefixes[0] == 0 ? 0 : 0xffffffffU << (32 - prefixes[0]));
        } else {
                k = pool_from_host(p, rt, &p->pool);
                if (k < 0)
                        return k;
                k = rtnl_addr_add_v4(rt, idx, subnet_gateway(&p->pool), p->pool.prefixlen);
                if (k < 0)
                        return log_error_errno(k, "Failed to add the gateway address to '%s': %m", p->bridge);
        }
        p->have_pool = true;

        /* Forwarding only for packets arriving on our bridge (outbound NAT,
         * hairpin): the host-wide net.ipv4.ip_forward stays as it is, and
         * the setting goes away with the bridge. */
        _cleanup_free_ char *sysctl = strprintf("/proc/sys/net/ipv4/conf/%s/forwarding", p->bridge);
        if (!sysctl)
                return log_oom();
        k = write_string_file_at(AT_FDCWD, sysctl, "1");
        if (k < 0)
                log_warning_errno(k, "Failed to enable forwarding on '%s', ignoring: %m", p->bridge);
        return idx;
}

/* Removes a bridge corral made once no running machine uses it. Lingering
 * vb-* ports are ends of veths whose namespaces the kernel is still
 * tearing down; anything else means someone else uses the bridge. */
static int bridge_maybe_remove(const NetworkPlan *p, Rtnl *rt, const Record *recs, size_t n) {
        _cleanup_strv_free_ char **ports = NULL;
        _cleanup_free_ char *alias = NULL;
        int idx, k;

        for (size_t i = 0; i < n; i++)
                if (streq(recs[i].bridge, p->bridge))
                        return 0;
        idx = rtnl_link_index(rt, p->bridge);
        if (idx == -ENODEV)
                return 0;
        if (idx < 0)
                return idx;
        k = rtnl_link_get_alias(rt, idx, &alias);
        if (k < 0)
                return k;
        if (!streq_ptr(alias, NETWORK_BRIDGE_ALIAS))
                return 0;
        k = rtnl_link_list_ports(rt, idx, &ports);
        if (k < 0)
                return k;
        STRV_FOREACH(s, ports)
                if (!startswith(*s, "vb-"))
                        return 0;
        k = rtnl_link_delete(rt, idx);
        return k == -ENODEV ? 0 : k;
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
                bridge_idx = bridge_ensure(p, rt);
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
                p->address = p->static_address;
                p->prefixlen = p->static_prefixlen;
                p->have_address = true;
        } else if (p->have_pool) {
                _cleanup_free_ struct in_addr *taken = NULL;
                size_t n_taken = 0;

                /* Static addresses of running machines are off limits too. */
                n = records_load(p, &recs);
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

        k = record_write(p);
        if (k < 0)
                return log_error_errno(k, "Failed to write '%s': %m", p->state_file);
        k = shared_update(p);
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
        k = shared_update(p);
        if (k < 0)
                r = k;

        if (p->bridge_managed) {
                n = records_load(p, &recs);
                k = n < 0 ? n : rtnl_open(&rt);
                if (k >= 0)
                        k = bridge_maybe_remove(p, rt, recs, (size_t) n);
                if (k < 0)
                        r = log_warning_errno(k, "Failed to remove bridge '%s', ignoring: %m", p->bridge);
        }
        p->attached = false;
        return r;
}

int network_machine_info(const char *root, const char *machine, char ***ret_interfaces, char ***ret_addresses) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_strv_free_ char **ifs = NULL, **addrs = NULL;
        Record r;
        int k;

        if (!machine_name_is_valid(machine))
                return -EINVAL;
        path = root_path(root, "run/corral/network/machines");
        if (!path)
                return -ENOMEM;
        char *full = strprintf("%s/%s", path, machine);
        if (!full)
                return -ENOMEM;
        free(path);
        path = full;

        k = read_full_file_at(AT_FDCWD, path, 64 * 1024, &text, NULL);
        if (k < 0)
                return k;
        record_parse(machine, text, &r);
        if (record_is_stale(&r))
                return -ENOENT;

        ifs = calloc(1, sizeof(char *));
        addrs = calloc(1, sizeof(char *));
        if (!ifs || !addrs)
                return -ENOMEM;
        if (r.interface[0] && strv_extend(&ifs, r.interface) < 0)
                return -ENOMEM;
        if (r.have_address) {
                char a[INET_ADDRSTRLEN + 4];
                char s[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &r.address, s, sizeof(s));
                snprintf(a, sizeof(a), "%s/%u", s, r.prefixlen);
                if (strv_extend(&addrs, a) < 0)
                        return -ENOMEM;
        }
        *ret_interfaces = TAKE_PTR(ifs);
        *ret_addresses = TAKE_PTR(addrs);
        return 0;
}

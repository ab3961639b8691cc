/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the monitors of several machines share, changed only under the
 * lock file ROOT/run/corral/network/lock and regenerated from the runtime
 * records of all running machines rather than patched: the records
 * themselves, the hosts file of every addressed machine, corral's nft
 * table, the bridges corral makes and the pool of the default bridge. */

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "hostname-util.h"
#include "log.h"
#include "network-internal.h"
#include "parse-util.h"
#include "string-util.h"

char *network_root_path(const char *root, const char *rel) {
        const char *r = root ?: "/";
        size_t l = strlen(r);
        while (l > 0 && r[l - 1] == '/')
                l--;
        return strprintf("%.*s/%s", (int) l, r, rel);
}

/* ---- shared state under the lock ---- */

int network_lock(const NetworkPlan *p) {
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

int network_records_load(const NetworkPlan *p, Record **ret) {
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

int network_record_write(const NetworkPlan *p) {
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
         * its file gone. No O_TRUNC either: freeing the old blocks first
         * costs milliseconds on a journaling file system, and the file
         * mostly grows; ftruncate() only cuts what is left over. */
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (pwrite(fd, buf, size, 0) != (ssize_t) size)
                return errno > 0 ? -errno : -EIO;
        if (ftruncate(fd, (off_t) size) < 0)
                return -errno;
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

int network_shared_update(const NetworkPlan *p) {
        _cleanup_free_ Record *recs = NULL;
        int n = network_records_load(p, &recs);
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
        _cleanup_free_ char *dir = network_root_path(p->root, "var/lib/corral/network");
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
int network_bridge_ensure(NetworkPlan *p, Rtnl *rt) {
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
int network_bridge_maybe_remove(const NetworkPlan *p, Rtnl *rt, const Record *recs, size_t n) {
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

int network_machine_info(const char *root, const char *machine, char ***ret_interfaces, char ***ret_addresses) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_strv_free_ char **ifs = NULL, **addrs = NULL;
        Record r;
        int k;

        if (!machine_name_is_valid(machine))
                return -EINVAL;
        path = network_root_path(root, "run/corral/network/machines");
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Subnet arithmetic, the choice of the default pool, hash-and-probe
 * address allocation and the lease files that keep addresses stable. */

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fd-util.h"
#include "fileio.h"
#include "hostname-util.h"
#include "network-pool.h"
#include "parse-util.h"
#include "string-util.h"

static uint32_t prefix_mask(unsigned prefixlen) {
        return prefixlen == 0 ? 0 : 0xffffffffU << (32 - prefixlen);
}

int address_parse(const char *s, unsigned default_prefixlen, struct in_addr *ret, unsigned *ret_prefixlen) {
        char buf[INET_ADDRSTRLEN];
        const char *slash;
        unsigned prefixlen = default_prefixlen;
        struct in_addr a;

        if (isempty(s))
                return -EINVAL;
        slash = strchr(s, '/');
        size_t l = slash ? (size_t) (slash - s) : strlen(s);
        if (l >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, l);
        buf[l] = 0;
        if (inet_pton(AF_INET, buf, &a) != 1)
                return -EINVAL;
        if (slash) {
                uint32_t p;
                if (parse_uint32(slash + 1, &p) < 0 || p > 32)
                        return -EINVAL;
                prefixlen = p;
        }
        if (prefixlen > 32)
                return -EINVAL;
        *ret = a;
        if (ret_prefixlen)
                *ret_prefixlen = prefixlen;
        return 0;
}

int subnet_parse(const char *s, Subnet *ret) {
        struct in_addr a;
        unsigned p;

        if (!s || !strchr(s, '/'))
                return -EINVAL;
        int k = address_parse(s, 32, &a, &p);
        if (k < 0)
                return k;
        a.s_addr = htonl(ntohl(a.s_addr) & prefix_mask(p));
        *ret = (Subnet) { .network = a, .prefixlen = p };
        return 0;
}

const char *subnet_to_string(const Subnet *s, char *buf) {
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &s->network, a, sizeof(a));
        snprintf(buf, SUBNET_STRING_MAX, "%s/%u", a, s->prefixlen);
        return buf;
}

bool subnet_contains(const Subnet *s, struct in_addr a) {
        uint32_t m = prefix_mask(s->prefixlen);
        return (ntohl(a.s_addr) & m) == (ntohl(s->network.s_addr) & m);
}

bool subnet_overlaps(const Subnet *a, const Subnet *b) {
        /* Two prefixes overlap iff they agree on the shorter one's bits. */
        uint32_t m = prefix_mask(MIN(a->prefixlen, b->prefixlen));
        return (ntohl(a->network.s_addr) & m) == (ntohl(b->network.s_addr) & m);
}

struct in_addr subnet_gateway(const Subnet *s) {
        return (struct in_addr) { .s_addr = htonl(ntohl(s->network.s_addr) + 1) };
}

uint64_t network_hash(const void *p, size_t n) {
        const uint8_t *b = p;
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < n; i++) {
                h ^= b[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

int pool_choose_subnet(const Subnet *in_use, size_t n_in_use, Subnet *ret) {
        /* 10.88 upwards first: below are the ranges people type by hand
         * (10.0.x, 10.1.x, ...), so collisions with later static setups
         * are less likely. */
        for (unsigned i = 0; i < 256; i++) {
                unsigned n = (88 + i) % 256;
                Subnet c = { .network.s_addr = htonl((10U << 24) | (n << 16)), .prefixlen = 16 };
                bool busy = false;
                for (size_t j = 0; j < n_in_use && !busy; j++)
                        busy = subnet_overlaps(&c, &in_use[j]);
                if (!busy) {
                        *ret = c;
                        return 0;
                }
        }
        return -ENOSPC;
}

static bool address_in(struct in_addr a, const struct in_addr *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (l[i].s_addr == a.s_addr)
                        return true;
        return false;
}

int pool_pick_address(const Subnet *pool, const char *name, const struct in_addr *used, size_t n_used,
                      struct in_addr *ret) {
        if (pool->prefixlen > 29 || isempty(name))
                return -EINVAL;

        /* Host numbers 2 .. size-2: 0 is the network, 1 the gateway, the
         * last the broadcast address. */
        uint32_t size = pool->prefixlen == 0 ? 0 : 1U << (32 - pool->prefixlen);
        uint32_t n_hosts = size - 3;
        uint32_t base = ntohl(pool->network.s_addr);
        uint32_t start = (uint32_t) (network_hash(name, strlen(name)) % n_hosts);

        for (uint32_t i = 0; i < n_hosts; i++) {
                uint32_t host = 2 + (start + i) % n_hosts;
                struct in_addr a = { .s_addr = htonl(base + host) };
                if (!address_in(a, used, n_used)) {
                        *ret = a;
                        return 0;
                }
        }
        return -ENOSPC;
}

int lease_load_all(const char *lease_dir, char ***ret_names, struct in_addr **ret_addrs) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ struct in_addr *addrs = NULL;
        _cleanup_close_ int dfd = -EBADF;
        DIR *d;
        struct dirent *de;
        size_t n = 0;

        dfd = open(lease_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 && errno != ENOENT)
                return -errno;
        if (dfd >= 0) {
                d = opendir_dup(dfd);
                if (!d)
                        return -errno;
                while ((de = readdir(d))) {
                        _cleanup_free_ char *line = NULL;
                        struct in_addr a;

                        /* Skips temporary files a crash left behind (NAME.tmp.PID). */
                        if (!machine_name_is_valid(de->d_name) || strstr(de->d_name, ".tmp."))
                                continue;
                        if (read_one_line_file_at(dfd, de->d_name, &line) < 0 ||
                            address_parse(strstrip(line), 32, &a, NULL) < 0)
                                continue;
                        struct in_addr *na = reallocarray(addrs, n + 1, sizeof(*na));
                        if (!na || strv_extend(&names, de->d_name) < 0) {
                                if (na)
                                        addrs = na;
                                closedir(d);
                                return -ENOMEM;
                        }
                        addrs = na;
                        addrs[n++] = a;
                }
                closedir(d);
        }
        *ret_names = TAKE_PTR(names);
        *ret_addrs = TAKE_PTR(addrs);
        return (int) n;
}

int lease_acquire(const char *lease_dir, const Subnet *pool, const char *name,
                  const struct in_addr *extra_used, size_t n_extra_used, struct in_addr *ret) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ struct in_addr *addrs = NULL, *used = NULL;
        size_t n_used = 0;
        struct in_addr a;
        bool have = false;
        int n, k;

        if (!machine_name_is_valid(name))
                return -EINVAL;
        n = lease_load_all(lease_dir, &names, &addrs);
        if (n < 0)
                return n;

        used = calloc((size_t) n + n_extra_used + 1, sizeof(struct in_addr));
        if (!used)
                return -ENOMEM;
        for (size_t i = 0; i < n_extra_used; i++)
                used[n_used++] = extra_used[i];
        for (int i = 0; i < n; i++) {
                if (streq(names[i], name)) {
                        a = addrs[i];
                        have = subnet_contains(pool, a);
                } else
                        used[n_used++] = addrs[i];
        }
        if (have && address_in(a, used, n_used))
                have = false;   /* someone else holds it now (e.g. a static Address=) */
        if (have) {
                *ret = a;
                return 0;
        }

        k = pool_pick_address(pool, name, used, n_used, &a);
        if (k < 0)
                return k;

        char text[INET_ADDRSTRLEN + 1];
        inet_ntop(AF_INET, &a, text, INET_ADDRSTRLEN);
        strcat(text, "\n");
        k = mkdir_p_at(AT_FDCWD, lease_dir, 0755);
        if (k < 0)
                return k;
        _cleanup_free_ char *path = strprintf("%s/%s", lease_dir, name);
        if (!path)
                return -ENOMEM;
        k = write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0644);
        if (k < 0)
                return k;
        *ret = a;
        return 0;
}

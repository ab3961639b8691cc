/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure parts of corral's networking: interface name shortening, port
 * forward specs, subnet arithmetic, pool choice, hash-and-probe address
 * allocation, lease files, the nft table text and plan validation. */

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fileio.h"
#include "network-pool.h"
#include "network.h"
#include "nft.h"
#include "string-util.h"

static struct in_addr A(const char *s) {
        struct in_addr a;
        assert_int_equal(inet_pton(AF_INET, s, &a), 1);
        return a;
}

static const char *S(struct in_addr a) {
        static char buf[4][INET_ADDRSTRLEN];
        static int i;
        i = (i + 1) % 4;
        return inet_ntop(AF_INET, &a, buf[i], INET_ADDRSTRLEN);
}

static void test_ifname(void **state) {
        char n[IFNAMSIZ], m[IFNAMSIZ];

        assert_int_equal(network_ifname("ve-", "web", n), 0);
        assert_string_equal(n, "ve-web");
        /* 15 characters fit exactly. */
        assert_int_equal(network_ifname("ve-", "abcdefghijkl", n), 0);
        assert_string_equal(n, "ve-abcdefghijkl");

        /* Longer: first 11 characters kept, 4 hash characters appended. */
        assert_int_equal(network_ifname("ve-", "abcdefghijklm", n), 1);
        assert_int_equal(strlen(n), IFNAMSIZ - 1);
        assert_memory_equal(n, "ve-abcdefgh", 11);
        for (int i = 11; i < 15; i++)
                assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", n[i]));

        /* Stable, and different for names that share the first 11. */
        assert_int_equal(network_ifname("ve-", "abcdefghijklm", m), 1);
        assert_string_equal(n, m);
        assert_int_equal(network_ifname("ve-", "abcdefghijkln", m), 1);
        assert_string_not_equal(n, m);
        assert_memory_equal(n, m, 11);

        /* The prefix takes part in the hash (vb- vs ve-). */
        assert_int_equal(network_ifname("vb-", "abcdefghijklm", m), 1);
        assert_string_not_equal(n + 3, m + 3);
}

static void test_port_parse(void **state) {
        PortForward p;
        char buf[32];

        assert_int_equal(port_forward_parse("8080:80", &p), 0);
        assert_int_equal(p.protocol, IPPROTO_TCP);
        assert_int_equal(p.host_port, 8080);
        assert_int_equal(p.container_port, 80);

        assert_int_equal(port_forward_parse("udp:53", &p), 0);
        assert_int_equal(p.protocol, IPPROTO_UDP);
        assert_int_equal(p.host_port, 53);
        assert_int_equal(p.container_port, 53);
        assert_string_equal(port_forward_to_string(&p, buf, sizeof(buf)), "udp:53:53");

        assert_int_equal(port_forward_parse("tcp:2222:22", &p), 0);
        assert_int_equal(p.protocol, IPPROTO_TCP);
        assert_string_equal(port_forward_to_string(&p, buf, sizeof(buf)), "tcp:2222:22");

        p.host_port = 7;
        assert_int_equal(port_forward_parse("", &p), -EINVAL);
        assert_int_equal(port_forward_parse("0", &p), -EINVAL);
        assert_int_equal(port_forward_parse("65536", &p), -EINVAL);
        assert_int_equal(port_forward_parse("sctp:80", &p), -EINVAL);
        assert_int_equal(port_forward_parse("80:", &p), -EINVAL);
        assert_int_equal(port_forward_parse(":80", &p), -EINVAL);
        assert_int_equal(port_forward_parse("80:81:82", &p), -EINVAL);
        assert_int_equal(port_forward_parse("tcp:", &p), -EINVAL);
        assert_int_equal(port_forward_parse("-1", &p), -EINVAL);
        assert_int_equal(p.host_port, 7); /* untouched on failure */
}

static void test_subnet(void **state) {
        Subnet s, t;
        char buf[SUBNET_STRING_MAX];
        struct in_addr a;
        unsigned p;

        assert_int_equal(subnet_parse("10.88.3.4/16", &s), 0);
        assert_string_equal(subnet_to_string(&s, buf), "10.88.0.0/16");
        assert_true(subnet_contains(&s, A("10.88.255.254")));
        assert_false(subnet_contains(&s, A("10.89.0.1")));
        assert_string_equal(S(subnet_gateway(&s)), "10.88.0.1");

        assert_int_equal(subnet_parse("10.0.0.0/8", &t), 0);
        assert_true(subnet_overlaps(&s, &t));
        assert_true(subnet_overlaps(&t, &s));
        assert_int_equal(subnet_parse("192.0.2.0/24", &t), 0);
        assert_false(subnet_overlaps(&s, &t));

        assert_int_equal(subnet_parse("10.1.2.3", &s), -EINVAL);
        assert_int_equal(subnet_parse("10.1.2.3/33", &s), -EINVAL);
        assert_int_equal(subnet_parse("10.1.2/8", &s), -EINVAL);

        assert_int_equal(address_parse("10.1.2.3", 24, &a, &p), 0);
        assert_int_equal(p, 24);
        assert_int_equal(address_parse("10.1.2.3/30", 24, &a, &p), 0);
        assert_int_equal(p, 30);
        assert_string_equal(S(a), "10.1.2.3");
        assert_int_equal(address_parse("10.1.2.3/x", 24, &a, &p), -EINVAL);
        assert_int_equal(address_parse("host", 24, &a, &p), -EINVAL);
}

static void test_pool_choose(void **state) {
        Subnet used[4], s;
        char buf[SUBNET_STRING_MAX];

        /* Nothing in use: the first candidate. */
        assert_int_equal(pool_choose_subnet(NULL, 0, &s), 0);
        assert_string_equal(subnet_to_string(&s, buf), "10.88.0.0/16");

        /* A /24 inside 10.88 and a /15 over 10.89-10.90 push it on. */
        assert_int_equal(subnet_parse("10.88.7.0/24", &used[0]), 0);
        assert_int_equal(subnet_parse("10.90.0.0/15", &used[1]), 0);
        assert_int_equal(subnet_parse("192.0.2.0/24", &used[2]), 0);
        assert_int_equal(pool_choose_subnet(used, 3, &s), 0);
        assert_string_equal(subnet_to_string(&s, buf), "10.89.0.0/16");
        assert_int_equal(subnet_parse("10.88.0.0/13", &used[3]), 0);  /* 10.88 - 10.95 */
        assert_int_equal(pool_choose_subnet(used, 4, &s), 0);
        assert_string_equal(subnet_to_string(&s, buf), "10.96.0.0/16");

        /* 10.0.0.0/8 taken as a whole: nothing left. */
        assert_int_equal(subnet_parse("10.0.0.0/8", &used[0]), 0);
        assert_int_equal(pool_choose_subnet(used, 1, &s), -ENOSPC);
}

static void test_pool_pick(void **state) {
        Subnet pool;
        struct in_addr a, b, used[8];

        assert_int_equal(subnet_parse("10.88.0.0/16", &pool), 0);
        assert_int_equal(pool_pick_address(&pool, "web", NULL, 0, &a), 0);
        assert_true(subnet_contains(&pool, a));
        /* Deterministic. */
        assert_int_equal(pool_pick_address(&pool, "web", NULL, 0, &b), 0);
        assert_int_equal(a.s_addr, b.s_addr);
        /* Taken: the next one (linear probing). */
        used[0] = a;
        assert_int_equal(pool_pick_address(&pool, "web", used, 1, &b), 0);
        assert_int_equal(ntohl(b.s_addr), ntohl(a.s_addr) + 1 == 0x0a58ffff ? 0x0a580002 : ntohl(a.s_addr) + 1);
        /* Different names land elsewhere (for these two at least). */
        assert_int_equal(pool_pick_address(&pool, "db", NULL, 0, &b), 0);
        assert_int_not_equal(a.s_addr, b.s_addr);

        /* A /29 has hosts .2 .. .6: never network, gateway or broadcast;
         * with all five taken it is full. */
        assert_int_equal(subnet_parse("10.1.1.0/29", &pool), 0);
        for (int i = 0; i < 5; i++) {
                assert_int_equal(pool_pick_address(&pool, "m", used, (size_t) i, &used[i]), 0);
                uint32_t h = ntohl(used[i].s_addr) & 7;
                assert_true(h >= 2 && h <= 6);
                for (int j = 0; j < i; j++)
                        assert_int_not_equal(used[i].s_addr, used[j].s_addr);
        }
        assert_int_equal(pool_pick_address(&pool, "m", used, 5, &a), -ENOSPC);
        assert_int_equal(subnet_parse("10.1.1.0/30", &pool), 0);
        assert_int_equal(pool_pick_address(&pool, "m", NULL, 0, &a), -EINVAL);
}

static void test_leases(void **state) {
        char dir[] = "/tmp/test-network-XXXXXX";
        _cleanup_free_ char *leases = NULL, *text = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ struct in_addr *addrs = NULL;
        Subnet pool, other;
        struct in_addr a, b, c, taken;

        assert_non_null(mkdtemp(dir));
        leases = strprintf("%s/leases", dir);
        assert_int_equal(subnet_parse("10.88.0.0/16", &pool), 0);

        /* No directory yet: empty set. */
        assert_int_equal(lease_load_all(leases, &names, &addrs), 0);
        names = strv_free(names);
        addrs = mfree(addrs);

        assert_int_equal(lease_acquire(leases, &pool, "web", NULL, 0, &a), 0);
        assert_int_equal(lease_acquire(leases, &pool, "web", NULL, 0, &b), 0);
        assert_int_equal(a.s_addr, b.s_addr);
        _cleanup_free_ char *web = strprintf("%s/web", leases);
        assert_int_equal(read_one_line_file_at(AT_FDCWD, web, &text), 0);
        assert_string_equal(text, S(a));

        /* Another machine never gets an address that is leased or in
         * extra_used. */
        assert_int_equal(lease_acquire(leases, &pool, "db", &a, 1, &c), 0);
        assert_int_not_equal(c.s_addr, a.s_addr);
        assert_int_equal(lease_load_all(leases, &names, &addrs), 2);

        /* A remembered address now taken by someone else (a static one):
         * a new address, and the lease file follows. */
        taken = a;
        assert_int_equal(lease_acquire(leases, &pool, "web", &taken, 1, &b), 0);
        assert_int_not_equal(b.s_addr, a.s_addr);
        assert_int_equal(lease_acquire(leases, &pool, "web", NULL, 0, &c), 0);
        assert_int_equal(c.s_addr, b.s_addr);

        /* The pool changed: leases outside it are replaced. */
        assert_int_equal(subnet_parse("10.99.0.0/16", &other), 0);
        assert_int_equal(lease_acquire(leases, &other, "web", NULL, 0, &c), 0);
        assert_true(subnet_contains(&other, c));

        assert_int_equal(lease_acquire(leases, &pool, "../evil", NULL, 0, &c), -EINVAL);
        assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static void test_nft_text(void **state) {
        _cleanup_free_ char *t = NULL, *empty = NULL;
        NftMasquerade m = { .bridge = "corral0" };
        NftForward f[2] = {
                { .port = { IPPROTO_TCP, 8080, 80 }, .address = A("10.88.1.2") },
                { .port = { IPPROTO_UDP, 5353, 53 }, .address = A("10.88.1.3") },
        };

        assert_int_equal(subnet_parse("10.88.0.0/16", &m.subnet), 0);
        assert_int_equal(nft_ruleset_text(&m, 1, f, 2, &t), 0);
        assert_string_equal(t,
                "add table ip corral\n"
                "delete table ip corral\n"
                "table ip corral {\n"
                "\tcomment \"corral:f9d531f45ba2c1b3\"\n"
                "\tchain prerouting {\n"
                "\t\ttype nat hook prerouting priority -100; policy accept;\n"
                "\t\tfib daddr type local tcp dport 8080 dnat to 10.88.1.2:80\n"
                "\t\tfib daddr type local udp dport 5353 dnat to 10.88.1.3:53\n"
                "\t}\n"
                "\tchain output {\n"
                "\t\ttype nat hook output priority -100; policy accept;\n"
                "\t\tip daddr != 127.0.0.0/8 fib daddr type local tcp dport 8080 dnat to 10.88.1.2:80\n"
                "\t\tip daddr != 127.0.0.0/8 fib daddr type local udp dport 5353 dnat to 10.88.1.3:53\n"
                "\t}\n"
                "\tchain postrouting {\n"
                "\t\ttype nat hook postrouting priority 100; policy accept;\n"
                "\t\tip saddr 10.88.0.0/16 oifname != \"corral0\" masquerade\n"
                "\t\tct status dnat ip saddr 10.88.0.0/16 oifname \"corral0\" masquerade\n"
                "\t}\n"
                "}\n");

        /* The comment (a hash of the content) changes with the content. */
        _cleanup_free_ char *t2 = NULL;
        assert_int_equal(nft_ruleset_text(&m, 1, f, 1, &t2), 0);
        assert_non_null(strstr(t2, "comment \"corral:"));
        assert_null(strstr(t2, "f9d531f45ba2c1b3"));

        /* Nothing to do: the transaction removes the table (and only it). */
        assert_int_equal(nft_ruleset_text(NULL, 0, NULL, 0, &empty), 0);
        assert_string_equal(empty, "add table ip corral\ndelete table ip corral\n");
}

static void test_plan(void **state) {
        NetworkPlan *p = NULL;
        char *ports[] = { (char *) "8080:80", NULL };
        char *bad_ports[] = { (char *) "http", NULL };

        assert_int_equal(network_plan_new("/tmp/x", "web", &(NetworkOptions) {}, &p), 0);
        assert_int_equal(network_plan_mode(p), NETWORK_MODE_HOST);
        assert_false(network_plan_private(p));
        assert_null(network_plan_hosts_file(p));
        p = network_plan_free(p);

        assert_int_equal(network_plan_new("/tmp/x", "web", &(NetworkOptions) { .private_network = true }, &p), 0);
        assert_int_equal(network_plan_mode(p), NETWORK_MODE_PRIVATE);
        assert_true(network_plan_private(p));
        p = network_plan_free(p);

        assert_int_equal(network_plan_new("/tmp/x", "web", &(NetworkOptions) { .veth = true }, &p), 0);
        assert_int_equal(network_plan_mode(p), NETWORK_MODE_VETH);
        assert_string_equal(network_plan_host_ifname(p), "ve-web");
        assert_null(network_plan_hosts_file(p));
        p = network_plan_free(p);

        assert_int_equal(network_plan_new("/tmp/x/", "web",
                                          &(NetworkOptions) { .bridge = "corral0", .ports = ports }, &p), 0);
        assert_int_equal(network_plan_mode(p), NETWORK_MODE_BRIDGE);
        assert_string_equal(network_plan_host_ifname(p), "vb-web");
        assert_string_equal(network_plan_bridge(p), "corral0");
        assert_string_equal(network_plan_hosts_file(p), "/tmp/x/run/corral/network/hosts/web");
        p = network_plan_free(p);

        assert_int_equal(network_plan_new("/", "web", &(NetworkOptions) { .zone = "blue" }, &p), 0);
        assert_string_equal(network_plan_bridge(p), "vz-blue");
        p = network_plan_free(p);

        /* Invalid combinations and values. */
        assert_int_equal(network_plan_new("/", "web", &(NetworkOptions) { .bridge = "a", .zone = "b" }, &p), -EINVAL);
        assert_int_equal(network_plan_new("/", "web", &(NetworkOptions) { .zone = "averyveryverylongzone" }, &p),
                         -EINVAL);
        assert_int_equal(network_plan_new("/", "web", &(NetworkOptions) { .bridge = "bad/name" }, &p), -EINVAL);
        /* A port forward needs an address: a plain veth has none. */
        assert_int_equal(network_plan_new("/", "web", &(NetworkOptions) { .veth = true, .ports = ports }, &p),
                         -EINVAL);
        assert_int_equal(network_plan_new("/", "web",
                                          &(NetworkOptions) { .veth = true, .ports = ports, .address = "10.5.0.2/24" },
                                          &p), 0);
        p = network_plan_free(p);
        assert_int_equal(network_plan_new("/", "web", &(NetworkOptions) { .bridge = "corral0", .ports = bad_ports }, &p),
                         -EINVAL);
        assert_int_equal(network_plan_new("/", "web", &(NetworkOptions) { .address = "10.5.0.2" }, &p), -EINVAL);
        assert_int_equal(network_plan_new("/", "web", &(NetworkOptions) { .veth = true, .address = "10.5.0.2/31" }, &p),
                         -EINVAL);
        assert_int_equal(network_plan_new("/", "no/pe", &(NetworkOptions) {}, &p), -EINVAL);
        assert_null(p);
}

static void test_machine_info(void **state) {
        char dir[] = "/tmp/test-network-info-XXXXXX";
        _cleanup_free_ char *mdir = NULL, *rec = NULL;
        _cleanup_strv_free_ char **ifs = NULL, **addrs = NULL;
        const char *text = "mode=bridge\ninterface=vb-web\nbridge=corral0\naddress=10.88.3.4/16\n"
                           "pool=10.88.0.0/16\nport=tcp:8080:80\n";

        assert_non_null(mkdtemp(dir));
        mdir = strprintf("%s/run/corral/network/machines", dir);
        assert_int_equal(mkdir_p_at(AT_FDCWD, mdir, 0755), 0);
        rec = strprintf("%s/web", mdir);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, rec, text, strlen(text), 0644), 0);

        assert_int_equal(network_machine_info(dir, "web", &ifs, &addrs), 0);
        assert_int_equal(strv_length(ifs), 1);
        assert_string_equal(ifs[0], "vb-web");
        assert_int_equal(strv_length(addrs), 1);
        assert_string_equal(addrs[0], "10.88.3.4/16");

        /* A record naming a leader that no longer lives in the namespace
         * it names is stale: as if the machine had none. */
        struct stat st;
        assert_int_equal(stat("/proc/self/ns/net", &st), 0);
        _cleanup_free_ char *live = strprintf("%sleader=%d\nnetns=%llu\n", text, (int) getpid(),
                                              (unsigned long long) st.st_ino);
        _cleanup_free_ char *dead = strprintf("%sleader=%d\nnetns=%llu\n", text, (int) getpid(),
                                              (unsigned long long) st.st_ino + 1);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, rec, live, strlen(live), 0644), 0);
        ifs = strv_free(ifs);
        addrs = strv_free(addrs);
        assert_int_equal(network_machine_info(dir, "web", &ifs, &addrs), 0);
        assert_string_equal(ifs[0], "vb-web");
        assert_int_equal(write_file_atomic_at(AT_FDCWD, rec, dead, strlen(dead), 0644), 0);
        assert_int_equal(network_machine_info(dir, "web", &ifs, &addrs), -ENOENT);

        assert_int_equal(network_machine_info(dir, "db", &ifs, &addrs), -ENOENT);
        assert_int_equal(network_machine_info(dir, "../x", &ifs, &addrs), -EINVAL);
        assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static void test_mode_table(void **state) {
        for (int i = 0; i < _NETWORK_MODE_MAX; i++)
                assert_int_equal(network_mode_from_string(network_mode_to_string((NetworkMode) i)), i);
        assert_int_equal(network_mode_from_string("bogus"), _NETWORK_MODE_INVALID);
        assert_null(network_mode_to_string(_NETWORK_MODE_MAX));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ifname),
                cmocka_unit_test(test_port_parse),
                cmocka_unit_test(test_subnet),
                cmocka_unit_test(test_pool_choose),
                cmocka_unit_test(test_pool_pick),
                cmocka_unit_test(test_leases),
                cmocka_unit_test(test_nft_text),
                cmocka_unit_test(test_plan),
                cmocka_unit_test(test_machine_info),
                cmocka_unit_test(test_mode_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

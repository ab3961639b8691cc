/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Machine definitions: every key of the table with good and bad values,
 * FILE:LINE and the key in every error, the whole-file checks, and an
 * nspawn file read as it is. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>

#include "capability-util.h"
#include "cgroup.h"
#include "machine-definition.h"
#include "string-util.h"

/* A [Machine] section that satisfies the required keys, 2 lines long. */
#define MACHINE_HEADER "[Machine]\nDirectory=/srv/m\n"

static int parse_text(const char *text, bool nspawn, MachineDefinition **ret, char **ret_error) {
        return machine_definition_parse_buffer("m", "m.machine", nspawn, text, strlen(text), ret, ret_error);
}

/* Parses MACHINE_HEADER + "[section]\nkey=value\n". */
static int parse_one(const char *section, const char *key, const char *value, MachineDefinition **ret,
                     char **ret_error) {
        /* Image= wants Directory= unset: an empty assignment resets it. */
        const char *header = streq(key, "Image") ? "[Machine]\nDirectory=\n" : MACHINE_HEADER;
        _cleanup_free_ char *text = strprintf("%s[%s]\n%s=%s\n", header, section, key, value);
        assert_non_null(text);
        return parse_text(text, false, ret, ret_error);
}

typedef struct Case {
        const char *section, *key, *value;
        bool good;
} Case;

/* Every key of the table at least once each way. */
static const Case cases[] = {
        { "Machine", "Description", "A web server", true },
        { "Machine", "Image", "debian-12", true },
        { "Machine", "Image", "a/b", false },
        { "Machine", "Image", "-rf", false },
        { "Machine", "Image", "alpine:3.19", false },
        { "Machine", "Directory", "/var/lib/x", true },
        { "Machine", "Directory", "var/lib/x", false },
        { "Machine", "Autostart", "yes", true },
        { "Machine", "Autostart", "sometimes", false },
        { "Machine", "Restart", "on-failure", true },
        { "Machine", "Restart", "on-abort", false },
        { "Machine", "RestartSec", "500ms", true },
        { "Machine", "RestartSec", "soon", false },
        { "Machine", "StopTimeoutSec", "1min", true },
        { "Machine", "StopTimeoutSec", "-1", false },

        { "Exec", "Boot", "true", true },
        { "Exec", "Boot", "2", false },
        { "Exec", "Ephemeral", "on", true },
        { "Exec", "Ephemeral", "x", false },
        { "Exec", "ProcessTwo", "yes", true },
        { "Exec", "ProcessTwo", "maybe", false },
        { "Exec", "Parameters", "/bin/sh -c 'echo hi'", true },
        { "Exec", "Parameters", "/bin/sh -c 'echo hi", false },
        { "Exec", "Environment", "A=1 \"B=two words\"", true },
        { "Exec", "Environment", "NOVALUE", false },
        { "Exec", "Environment", "1X=1", false },
        { "Exec", "User", "daemon", true },
        { "Exec", "User", "1000", true },
        { "Exec", "User", "-rf", false },
        { "Exec", "User", "a b", false },
        { "Exec", "WorkingDirectory", "/srv/app", true },
        { "Exec", "WorkingDirectory", "srv", false },
        { "Exec", "Hostname", "web-1.example", true },
        { "Exec", "Hostname", "web_1", false },
        { "Exec", "KillSignal", "SIGUSR2", true },
        { "Exec", "KillSignal", "SIGNOPE", false },
        { "Exec", "NotifyReady", "yes", true },
        { "Exec", "NotifyReady", "y3s", false },
        { "Exec", "Capability", "CAP_NET_ADMIN cap_sys_time", true },
        { "Exec", "Capability", "CAP_FLY", false },
        { "Exec", "DropCapability", "all", true },
        { "Exec", "DropCapability", "CAP_CHOWN,CAP_KILL", false },
        { "Exec", "AmbientCapability", "CAP_NET_BIND_SERVICE", true },
        { "Exec", "AmbientCapability", "NET_BIND_SERVICE", false },
        { "Exec", "NoNewPrivileges", "yes", true },
        { "Exec", "NoNewPrivileges", "never", false },
        { "Exec", "SystemCallFilter", "~@clock reboot", true },
        { "Exec", "SystemCallFilter", "not_a_syscall", false },
        { "Exec", "PrivateUsers", "pick", true },
        { "Exec", "PrivateUsers", "65536:65536", true },
        { "Exec", "PrivateUsers", "65536:0", false },
        { "Exec", "PrivateUsers", "lots", false },
        { "Exec", "OOMScoreAdjust", "-500", true },
        { "Exec", "OOMScoreAdjust", "1001", false },
        { "Exec", "Timezone", "copy", true },
        { "Exec", "Timezone", "utc", false },
        { "Exec", "LimitCPU", "1h", true },
        { "Exec", "LimitFSIZE", "1G", true },
        { "Exec", "LimitDATA", "infinity", true },
        { "Exec", "LimitSTACK", "8M:infinity", true },
        { "Exec", "LimitCORE", "0", true },
        { "Exec", "LimitRSS", "1T", true },
        { "Exec", "LimitNOFILE", "1024:4096", true },
        { "Exec", "LimitNOFILE", "4096:1024", false },
        { "Exec", "LimitNOFILE", "many", false },
        { "Exec", "LimitAS", "4G", true },
        { "Exec", "LimitNPROC", "512", true },
        { "Exec", "LimitNPROC", "1K", false },
        { "Exec", "LimitMEMLOCK", "64K", true },
        { "Exec", "LimitLOCKS", "100", true },
        { "Exec", "LimitSIGPENDING", "100", true },
        { "Exec", "LimitMSGQUEUE", "800K", true },
        { "Exec", "LimitNICE", "-5", true },
        { "Exec", "LimitNICE", "41", false },
        { "Exec", "LimitNICE", "+20", false },
        { "Exec", "LimitRTPRIO", "10", true },
        { "Exec", "LimitRTTIME", "10ms", true },
        { "Exec", "LimitRTTIME", "a while", false },
        { "Exec", "PivotRoot", "/usr", false },
        { "Exec", "Personality", "x86", false },
        { "Exec", "MachineID", "0123456789abcdef0123456789abcdef", false },
        { "Exec", "CPUAffinity", "0-1", false },
        { "Exec", "ResolvConf", "auto", false },
        { "Exec", "LinkJournal", "no", false },
        { "Exec", "SuppressSync", "yes", false },

        { "Files", "ReadOnly", "yes", true },
        { "Files", "ReadOnly", "ro", false },
        { "Files", "Volatile", "state", true },
        { "Files", "Volatile", "yes", true },
        { "Files", "Volatile", "partly", false },
        { "Files", "Bind", "/srv/data", true },
        { "Files", "Bind", "/srv/data:/data:norbind", true },
        { "Files", "Bind", "data:/data", false },
        { "Files", "Bind", "/srv/data:/data:idmap", false },
        { "Files", "Bind", "/a:/b:rbind:extra", false },
        { "Files", "BindReadOnly", "+/etc:/mnt/etc", true },
        { "Files", "BindReadOnly", "/a:rel", false },
        { "Files", "TemporaryFileSystem", "/tmp:size=10M,mode=1777", true },
        { "Files", "TemporaryFileSystem", "tmp", false },
        { "Files", "Inaccessible", "/secret", false },
        { "Files", "Overlay", "/a:/b", false },
        { "Files", "OverlayReadOnly", "/a:/b", false },
        { "Files", "BindUser", "alice", false },
        { "Files", "PrivateUsersOwnership", "auto", false },
        { "Files", "PrivateUsersChown", "yes", false },

        { "Network", "Private", "yes", true },
        { "Network", "Private", "mostly", false },
        { "Network", "VirtualEthernet", "yes", true },
        { "Network", "VirtualEthernet", "veth", false },
        { "Network", "Bridge", "br0", true },
        { "Network", "Bridge", "a-very-long-bridge-name", false },
        { "Network", "Zone", "web", true },
        { "Network", "Zone", "thirteenchars", false },
        { "Network", "Port", "tcp:8080:80", true },
        { "Network", "Port", "53", true },
        { "Network", "Port", "sctp:1:2", false },
        { "Network", "Port", "0", false },
        { "Network", "Port", "70000", false },
        { "Network", "Port", "tcp::80", false },
        { "Network", "Port", "1:2:3:4", false },
        { "Network", "Port", "udp:53:", false },
        { "Network", "Address", "10.0.0.2/24", true },
        { "Network", "Address", "10.0.0.2", true },
        { "Network", "Address", "fd00::2/64", false },
        { "Network", "Address", "10.0.0.2/33", false },
        { "Network", "Address", "example.com/24", false },
        { "Network", "VirtualEthernetExtra", "a:b", false },
        { "Network", "Interface", "eth1", false },
        { "Network", "MACVLAN", "eth0", false },
        { "Network", "IPVLAN", "eth0", false },

        { "Resources", "MemoryMax", "64M", true },
        { "Resources", "MemoryMax", "lots", false },
        { "Resources", "MemoryHigh", "48M", true },
        { "Resources", "CPUQuota", "20%", true },
        { "Resources", "CPUQuota", "20", false },
        { "Resources", "CPUWeight", "200", true },
        { "Resources", "TasksMax", "64", true },
        { "Resources", "TasksMax", "-1", false },
        { "Resources", "IOWeight", "100", true },
        { "Resources", "MemoryLimit", "64M", false },
};

static void test_every_key(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Case *c = &cases[i];
                _cleanup_(machine_definition_unrefp) MachineDefinition *d = NULL;
                _cleanup_free_ char *e = NULL;

                int r = parse_one(c->section, c->key, c->value, &d, &e);
                if (c->good) {
                        if (r != 0)
                                fail_msg("[%s] %s=%s refused: %s", c->section, c->key, c->value, strempty(e));
                        assert_non_null(d);
                        continue;
                }
                if (r != -EINVAL)
                        fail_msg("[%s] %s=%s accepted", c->section, c->key, c->value);
                assert_null(d);
                assert_non_null(e);
                /* The value is on line 4 and the (first) message names its key;
                 * a bad Image= also leaves [Machine] without a root. */
                _cleanup_free_ char *key = strprintf("%s=", c->key);
                char *nl = strchr(e, '\n');
                if (nl && streq(c->key, "Image"))
                        *nl = 0;
                if (!startswith(e, "m.machine:4: ") || !strstr(e, key) || strchr(e, '\n'))
                        fail_msg("[%s] %s=%s: bad message '%s'", c->section, c->key, c->value, e);
        }
}

static void test_values(void **state) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = NULL;
        _cleanup_free_ char *e = NULL;
        const char *text = "[Machine]\n"
                           "Description=Test machine\n"
                           "Image=alpine\n"
                           "Autostart=yes\n"
                           "Restart=always\n"
                           "RestartSec=2s\n"
                           "StopTimeoutSec=30s\n"
                           "[Exec]\n"
                           "Parameters=/bin/sh -c \"echo 'hi there'\"\n"
                           "Parameters=--extra a\\ b\n"
                           "Environment=A=1 B=2\n"
                           "Environment=A=3 'C=x y'\n"
                           "User=nobody\n"
                           "WorkingDirectory=/srv//app/\n"
                           "Hostname=box\n"
                           "KillSignal=RTMIN+4\n"
                           "NotifyReady=yes\n"
                           "Capability=CAP_NET_ADMIN\n"
                           "Capability=CAP_SYS_TIME\n"
                           "DropCapability=CAP_MKNOD\n"
                           "NoNewPrivileges=no\n"
                           "SystemCallFilter=@clock\n"
                           "SystemCallFilter=~reboot\n"
                           "PrivateUsers=100000:65536\n"
                           "OOMScoreAdjust=-100\n"
                           "Timezone=off\n"
                           "LimitNOFILE=1024:4096\n"
                           "LimitCPU=1500ms\n"
                           "LimitNICE=-5\n"
                           "LimitSTACK=infinity\n"
                           "[Files]\n"
                           "ReadOnly=yes\n"
                           "Volatile=overlay\n"
                           "Bind=/srv/a\\:b:/data:norbind\n"
                           "BindReadOnly=/etc/resolv.conf\n"
                           "TemporaryFileSystem=/run:size=5M\n"
                           "TemporaryFileSystem=/tmp\n"
                           "[Network]\n"
                           "Port=8080\n"
                           "Port=udp:53:5353\n"
                           "Address=10.1.0.2/24\n"
                           "Address=10.2.0.3\n"
                           "Zone=web\n"
                           "[Resources]\n"
                           "MemoryMax=64M\n"
                           "CPUQuota=50%\n";

        assert_int_equal(parse_text(text, false, &d, &e), 0);
        assert_null(e);
        assert_string_equal(d->name, "m");
        assert_string_equal(d->description, "Test machine");
        assert_string_equal(d->image, "alpine");
        assert_null(d->directory);
        assert_true(d->autostart);
        assert_int_equal(d->restart, RESTART_ALWAYS);
        assert_true(d->restart_sec == 2 * USEC_PER_SEC);
        assert_true(d->stop_timeout == 30 * USEC_PER_SEC);

        assert_int_equal(strv_length(d->parameters), 5);
        assert_string_equal(d->parameters[2], "echo 'hi there'");
        assert_string_equal(d->parameters[3], "--extra");
        assert_string_equal(d->parameters[4], "a\\ b"); /* nspawn keeps the backslash */
        assert_int_equal(strv_length(d->environment), 3);
        assert_string_equal(strv_env_get(d->environment, "A"), "3");
        assert_string_equal(strv_env_get(d->environment, "C"), "x y");
        assert_string_equal(d->user, "nobody");
        assert_string_equal(d->working_directory, "/srv/app");
        assert_string_equal(d->hostname, "box");
        assert_int_equal(d->kill_signal, SIGRTMIN + 4);
        assert_true(d->notify_ready);
        assert_true(d->capability == ((UINT64_C(1) << 12) | (UINT64_C(1) << 25)));
        assert_true(d->drop_capability == (UINT64_C(1) << 27));
        assert_int_equal(d->no_new_privileges, 0);
        assert_int_equal(strv_length(d->syscall_filter), 2);
        assert_string_equal(d->syscall_filter[1], "~reboot");
        assert_int_equal(d->private_users, PRIVATE_USERS_FIXED);
        assert_int_equal(d->uid_shift, 100000);
        assert_int_equal(d->uid_range, 65536);
        assert_true(d->oom_score_adjust_set);
        assert_int_equal(d->oom_score_adjust, -100);
        assert_int_equal(d->timezone, TIMEZONE_OFF);
        assert_non_null(d->rlimit[RLIMIT_NOFILE]);
        assert_int_equal(d->rlimit[RLIMIT_NOFILE]->rlim_cur, 1024);
        assert_int_equal(d->rlimit[RLIMIT_NOFILE]->rlim_max, 4096);
        assert_int_equal(d->rlimit[RLIMIT_CPU]->rlim_cur, 2); /* rounded up */
        assert_int_equal(d->rlimit[RLIMIT_NICE]->rlim_cur, 25);
        assert_true(d->rlimit[RLIMIT_STACK]->rlim_max == RLIM_INFINITY);
        assert_null(d->rlimit[RLIMIT_AS]);

        assert_true(d->read_only);
        assert_int_equal(d->volatile_mode, VOLATILE_OVERLAY);
        assert_int_equal(d->n_binds, 2);
        assert_string_equal(d->binds[0].source, "/srv/a:b");
        assert_string_equal(d->binds[0].destination, "/data");
        assert_false(d->binds[0].read_only);
        assert_false(d->binds[0].recursive);
        assert_string_equal(d->binds[1].source, "/etc/resolv.conf");
        assert_string_equal(d->binds[1].destination, "/etc/resolv.conf");
        assert_true(d->binds[1].read_only);
        assert_true(d->binds[1].recursive);
        assert_int_equal(d->n_tmpfs, 2);
        assert_string_equal(d->tmpfs[0].path, "/run");
        assert_string_equal(d->tmpfs[0].options, "size=5M");
        assert_null(d->tmpfs[1].options);

        assert_int_equal(strv_length(d->ports), 2);
        assert_string_equal(d->ports[0], "tcp:8080:8080");
        assert_string_equal(d->ports[1], "udp:53:5353");
        assert_string_equal(d->addresses[0], "10.1.0.2/24");
        assert_string_equal(d->addresses[1], "10.2.0.3/24");
        assert_string_equal(d->network_zone, "web");
        /* Zone= and Port= imply a veth, which implies a private network. */
        assert_true(d->network_veth);
        assert_true(d->private_network);

        assert_non_null(d->limits);
        assert_true(cgroup_limits_has(d->limits, CGROUP_LIMIT_MEMORY_MAX));
        assert_true(d->limits->memory_max == 64ULL << 20);
        assert_true(cgroup_limits_has(d->limits, CGROUP_LIMIT_CPU_QUOTA));
        assert_false(cgroup_limits_has(d->limits, CGROUP_LIMIT_TASKS_MAX));
}

static void test_defaults_and_resets(void **state) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = NULL;
        const char *text = MACHINE_HEADER "[Exec]\n"
                                          "Parameters=a b\n"
                                          "Parameters=\n"
                                          "Environment=A=1\n"
                                          "Environment=\n"
                                          "Capability=all\n"
                                          "Capability=\n"
                                          "LimitNOFILE=10\n"
                                          "LimitNOFILE=\n";
        assert_int_equal(parse_text(text, false, &d, NULL), 0);
        assert_null(d->parameters);
        assert_null(d->environment);
        assert_true(d->capability == 0);
        assert_null(d->rlimit[RLIMIT_NOFILE]);
        assert_false(d->boot);
        assert_int_equal(d->restart, RESTART_NO);
        assert_true(d->restart_sec == USEC_PER_SEC);
        assert_true(d->stop_timeout == 10 * USEC_PER_SEC);
        assert_int_equal(d->kill_signal, 0);
        assert_int_equal(d->no_new_privileges, -1);
        assert_int_equal(d->private_users, PRIVATE_USERS_NO);
        assert_false(d->private_network);
        assert_null(d->limits);
        assert_string_equal(d->directory, "/srv/m");
        assert_false(d->directory_implicit);

        _cleanup_(machine_definition_unrefp) MachineDefinition *all = NULL;
        assert_int_equal(parse_text(MACHINE_HEADER "[Exec]\nDropCapability=all\n", false, &all, NULL), 0);
        assert_true(all->drop_capability == capability_mask_all());
}

static void test_whole_file_errors(void **state) {
        MachineDefinition *d = NULL;
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;

        assert_int_equal(parse_text("[Exec]\nBoot=yes\n", false, &d, &e1), -EINVAL);
        assert_string_equal(e1, "m.machine: [Machine] needs Image= or Directory=; neither is set");

        assert_int_equal(parse_text("[Machine]\nImage=a\nDirectory=/b\n", false, &d, &e2), -EINVAL);
        assert_string_equal(e2, "m.machine: [Machine] sets both Image= and Directory=; exactly one is needed");

        assert_int_equal(parse_text(MACHINE_HEADER "[Exec]\nBoot=yes\nProcessTwo=yes\n"
                                                   "[Network]\nBridge=br0\nZone=z\n",
                                    false, &d, &e3),
                         -EINVAL);
        assert_string_equal(e3, "m.machine: [Exec] Boot= and ProcessTwo= cannot both be enabled\n"
                                "m.machine: [Network] Bridge= and Zone= cannot be combined");

        /* Several mistakes: all of them, in order, each with its line. */
        assert_int_equal(parse_text("[Machine]\n"
                                    "Directory=/x\n"
                                    "Bogus=1\n"
                                    "[Exec]\n"
                                    "Boot=perhaps\n"
                                    "[Extra]\n"
                                    "A=b\n",
                                    false, &d, &e4),
                         -EINVAL);
        assert_string_equal(e4, "m.machine:3: Unknown key Bogus= in section [Machine]\n"
                                "m.machine:5: Invalid boolean for Boot=: 'perhaps'\n"
                                "m.machine:6: Unknown section '[Extra]'");
        assert_null(d);
}

/* An nspawn file as systemd.nspawn(5) documents them, read unchanged. */
static void test_nspawn_compat(void **state) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = NULL, *d2 = NULL;
        _cleanup_free_ char *e = NULL;
        const char *text = "# /etc/systemd/nspawn/web.nspawn\n"
                           "[Exec]\n"
                           "Boot=on\n"
                           "PrivateUsers=pick\n"
                           "Environment=LANG=C.UTF-8\n"
                           "KillSignal=SIGRTMIN+3\n"
                           "\n"
                           "[Files]\n"
                           "BindReadOnly=/srv/www:/var/www\n"
                           "TemporaryFileSystem=/var/tmp:mode=1777\n"
                           "\n"
                           "[Network]\n"
                           "VirtualEthernet=yes\n"
                           "Port=tcp:8080:80\n";

        assert_int_equal(machine_definition_parse_buffer("web", "web.nspawn", true, text, strlen(text), &d, &e), 0);
        assert_null(e);
        assert_true(d->boot);
        assert_int_equal(d->private_users, PRIVATE_USERS_PICK);
        assert_string_equal(d->directory, "/var/lib/machines/web");
        assert_true(d->directory_implicit);
        assert_string_equal(d->binds[0].destination, "/var/www");
        assert_true(d->network_veth);
        assert_true(d->private_network);

        /* The same text as a .machine file lacks the [Machine] section. */
        assert_int_equal(machine_definition_parse_buffer("web", "web.machine", false, text, strlen(text), &d2, &e),
                         -EINVAL);
        assert_string_equal(e, "web.machine: [Machine] needs Image= or Directory=; neither is set");
}

static void test_ref(void **state) {
        MachineDefinition *d = NULL;
        assert_int_equal(machine_definition_new("x", &d), 0);
        assert_ptr_equal(machine_definition_ref(d), d);
        assert_null(machine_definition_unref(d));
        assert_string_equal(d->name, "x"); /* still alive */
        assert_null(machine_definition_unref(d));
        assert_null(machine_definition_unref(NULL));
}

static void test_names_and_tables(void **state) {
        char *n = NULL;
        bool nspawn;

        assert_int_equal(machine_definition_name_from_filename("/etc/corral/machines/web.machine", &n, &nspawn), 0);
        assert_string_equal(n, "web");
        assert_false(nspawn);
        free(n);
        assert_int_equal(machine_definition_name_from_filename("db-1.nspawn", &n, &nspawn), 0);
        assert_string_equal(n, "db-1");
        assert_true(nspawn);
        free(n);
        assert_int_equal(machine_definition_name_from_filename("web.conf", &n, NULL), -EINVAL);
        assert_int_equal(machine_definition_name_from_filename(".machine", &n, NULL), -EINVAL);
        assert_int_equal(machine_definition_name_from_filename("a_b.machine", &n, NULL), -EINVAL);
        assert_int_equal(machine_definition_name_from_filename("a..b.machine", &n, NULL), -EINVAL);

        for (int i = 0; i < _RESTART_POLICY_MAX; i++)
                assert_int_equal(restart_policy_from_string(restart_policy_to_string(i)), i);
        assert_int_equal(restart_policy_from_string("sometimes"), _RESTART_POLICY_INVALID);
        assert_null(restart_policy_to_string(_RESTART_POLICY_MAX));
        for (int i = 0; i < _VOLATILE_MODE_MAX; i++)
                assert_int_equal(volatile_mode_from_string(volatile_mode_to_string(i)), i);
        for (int i = 0; i < _TIMEZONE_MODE_MAX; i++)
                assert_int_equal(timezone_mode_from_string(timezone_mode_to_string(i)), i);
        for (int i = 0; i < _PRIVATE_USERS_MODE_MAX; i++)
                assert_non_null(private_users_mode_to_string(i));
        for (int i = 0; i < RLIM_NLIMITS; i++)
                assert_int_equal(rlimit_from_key(rlimit_to_key(i)), i);
        assert_int_equal(rlimit_from_key("LimitFOO"), -EINVAL);
}

static void test_load_file(void **state) {
        char dir[] = "/tmp/test-machine-definition-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *good = strprintf("%s/box.machine", dir), *bad = strprintf("%s/bad_name.machine", dir),
                            *missing = strprintf("%s/gone.machine", dir);
        FILE *f = fopen(good, "we");
        assert_non_null(f);
        fputs(MACHINE_HEADER "[Exec]\nBoot=maybe\n", f);
        fclose(f);

        MachineDefinition *d = NULL;
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL;
        assert_int_equal(machine_definition_load(good, &d, &e1), -EINVAL);
        _cleanup_free_ char *want = strprintf("%s:4: Invalid boolean for Boot=: 'maybe'", good);
        assert_string_equal(e1, want);

        f = fopen(good, "we");
        fputs(MACHINE_HEADER, f);
        fclose(f);
        assert_int_equal(machine_definition_load(good, &d, NULL), 0);
        assert_string_equal(d->name, "box");
        assert_string_equal(d->path, good);
        machine_definition_unref(d);
        d = NULL;

        assert_int_equal(machine_definition_load(bad, &d, &e2), -EINVAL);
        assert_non_null(strstr(e2, "not a valid machine name"));
        assert_int_equal(machine_definition_load(missing, &d, &e3), -ENOENT);
        assert_non_null(strstr(e3, "cannot be read"));
        assert_null(d);

        unlink(good);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_key),         cmocka_unit_test(test_values),
                cmocka_unit_test(test_defaults_and_resets), cmocka_unit_test(test_whole_file_errors),
                cmocka_unit_test(test_nspawn_compat),     cmocka_unit_test(test_ref),
                cmocka_unit_test(test_names_and_tables),  cmocka_unit_test(test_load_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network module's own cost, without the rest of a container start:
 * N "machines" (processes in a fresh network namespace) get their network
 * through network_plan_attach() and lose it through network_plan_detach(),
 * one after another and all at once, in a given mode. Also what deleting
 * a veth costs against letting the namespace's death take it. Prints
 * figures; used by bench-network.sh.
 *
 *   bench-network-core ROOT MODE N      MODE: veth | bridge | private
 *   bench-network-core ROOT veth-delete N */

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"
#include "network.h"
#include "time-util.h"

typedef struct Machine {
        pid_t pid;
        NetworkPlan *plan;
} Machine;

static double ms(usec_t u) {
        return (double) u / 1000.0;
}

/* CPU time (user + system) of this process so far: on a loaded host the
 * wall-clock figures mostly measure the wait for a CPU. */
static usec_t cpu_now(void) {
        struct rusage ru;
        (void) getrusage(RUSAGE_SELF, &ru);
        return (usec_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * USEC_PER_SEC +
               (usec_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* A process that sits in a new network namespace until killed. */
static pid_t spawn_netns(void) {
        int p[2];
        char c;

        if (pipe(p) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                close(p[0]);
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(1);
                (void) write(p[1], "x", 1);
                for (;;)
                        pause();
        }
        close(p[1]);
        if (read(p[0], &c, 1) != 1) {
                close(p[0]);
                return -EIO;
        }
        close(p[0]);
        return pid;
}

static int make_plan(const char *root, const char *mode, int i, NetworkPlan **ret) {
        char name[32];
        NetworkOptions o = {};

        snprintf(name, sizeof(name), "bnc-%d", i);
        if (strcmp(mode, "bridge") == 0)
                o.bridge = NETWORK_DEFAULT_BRIDGE;
        else if (strcmp(mode, "veth") == 0)
                o.veth = true;
        else
                o.private_network = true;
        int r = network_plan_new(root, name, &o, ret);
        if (r < 0)
                return r;
        return network_plan_prepare(*ret);
}

static void kill_machine(Machine *m) {
        (void) kill(m->pid, SIGKILL);
        (void) waitpid(m->pid, NULL, 0);
}

static int bench_sequential(const char *root, const char *mode, int n) {
        Machine *ms_ = calloc((size_t) n, sizeof(Machine));
        usec_t attach = 0, detach = 0, cattach = 0, cdetach = 0, t, c;

        if (!ms_)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                ms_[i].pid = spawn_netns();
                if (ms_[i].pid < 0 || make_plan(root, mode, i, &ms_[i].plan) < 0)
                        return -EIO;
                t = now(CLOCK_MONOTONIC);
                c = cpu_now();
                if (network_plan_attach(ms_[i].plan, ms_[i].pid) < 0)
                        return -EIO;
                cattach += cpu_now() - c;
                attach += now(CLOCK_MONOTONIC) - t;
        }
        for (int i = 0; i < n; i++) {
                kill_machine(&ms_[i]);
                t = now(CLOCK_MONOTONIC);
                c = cpu_now();
                (void) network_plan_detach(ms_[i].plan);
                cdetach += cpu_now() - c;
                detach += now(CLOCK_MONOTONIC) - t;
                network_plan_free(ms_[i].plan);
        }
        printf("%-8s sequential: attach %.3f ms (CPU %.3f ms), detach %.3f ms (CPU %.3f ms) (mean of %d)\n",
               mode, ms(attach) / n, ms(cattach) / n, ms(detach) / n, ms(cdetach) / n, n);
        free(ms_);
        return 0;
}

/* n workers, each with one machine: attach all at once, then detach all
 * at once; wall-clock time of each phase. */
static int bench_parallel(const char *root, const char *mode, int n) {
        int go[2], done[2], again[2];
        usec_t t0, t1, t2;
        char c;

        if (pipe(go) < 0 || pipe(done) < 0 || pipe(again) < 0)
                return -errno;
        for (int i = 0; i < n; i++) {
                pid_t w = fork();
                if (w < 0)
                        return -errno;
                if (w == 0) {
                        Machine m = {};
                        close(go[1]);
                        close(again[1]);
                        m.pid = spawn_netns();
                        if (m.pid < 0 || make_plan(root, mode, 1000 + i, &m.plan) < 0)
                                _exit(1);
                        (void) write(done[1], "r", 1);
                        if (read(go[0], &c, 1) != 0)   /* EOF is the start signal */
                                _exit(1);
                        int r = network_plan_attach(m.plan, m.pid);
                        (void) write(done[1], r < 0 ? "e" : "a", 1);
                        if (read(again[0], &c, 1) != 0)
                                _exit(1);
                        kill_machine(&m);
                        (void) network_plan_detach(m.plan);
                        (void) write(done[1], "d", 1);
                        network_plan_free(m.plan);
                        _exit(r < 0);
                }
        }
        close(go[0]);
        close(again[0]);
        close(done[1]);
        for (int i = 0; i < n; i++)
                if (read(done[0], &c, 1) != 1 || c != 'r')
                        return -EIO;
        t0 = now(CLOCK_MONOTONIC);
        close(go[1]);
        int errors = 0;
        for (int i = 0; i < n; i++)
                if (read(done[0], &c, 1) != 1 || c != 'a')
                        errors++;
        t1 = now(CLOCK_MONOTONIC);
        close(again[1]);
        for (int i = 0; i < n; i++)
                if (read(done[0], &c, 1) != 1)
                        errors++;
        t2 = now(CLOCK_MONOTONIC);
        while (wait(NULL) > 0)
                ;
        printf("%-8s parallel:   attach %.1f ms, detach %.1f ms for all %d (%.3f / %.3f ms each)%s\n", mode,
               ms(t1 - t0), ms(t2 - t1), n, ms(t1 - t0) / n, ms(t2 - t1) / n, errors ? " ERRORS" : "");
        return errors ? -EIO : 0;
}

/* Explicit deletion of a veth against the namespace's death taking it. */
static int bench_veth_delete(int n) {
        Rtnl *r = NULL;
        usec_t del = 0, gone = 0, t;
        char a[16];

        if (rtnl_open(&r) < 0)
                return -EIO;
        for (int i = 0; i < n; i++) {
                snprintf(a, sizeof(a), "bnc-x%d", i);
                if (rtnl_veth_create(r, a, NULL, "bnc-y", NULL, -1, 0) < 0)
                        return -EIO;
                int idx = rtnl_link_index(r, a);
                t = now(CLOCK_MONOTONIC);
                (void) rtnl_link_delete(r, idx);
                del += now(CLOCK_MONOTONIC) - t;
        }
        for (int i = 0; i < n; i++) {
                pid_t pid = spawn_netns();
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                snprintf(a, sizeof(a), "bnc-x%d", i);
                if (fd < 0 || rtnl_veth_create(r, a, NULL, "host0", NULL, fd, 0) < 0)
                        return -EIO;
                close(fd);
                t = now(CLOCK_MONOTONIC);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                while (rtnl_link_index(r, a) > 0)
                        usleep(200);
                gone += now(CLOCK_MONOTONIC) - t;
        }
        printf("veth: explicit delete %.3f ms (the caller waits); namespace death removes it %.3f ms after "
               "the kill (nobody waits) (mean of %d)\n", ms(del) / n, ms(gone) / n, n);
        rtnl_free(r);
        return 0;
}

int main(int argc, char *argv[]) {
        if (argc != 4) {
                fprintf(stderr, "usage: %s ROOT veth|bridge|private|veth-delete N\n", argv[0]);
                return 2;
        }
        int n = atoi(argv[3]);
        if (n <= 0)
                return 2;
        log_set_max_level(LOG_WARNING);
        if (strcmp(argv[2], "veth-delete") == 0)
                return bench_veth_delete(n) < 0;
        if (bench_sequential(argv[1], argv[2], n) < 0)
                return 1;
        return bench_parallel(argv[1], argv[2], n) < 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How long reading machine definitions takes: one definition parsed
 * from memory (a small one and one with every key), and a whole set of N
 * files loaded from the three directories below a temporary root, as
 * corrald does at start and on every Reload(). Prints figures only. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "definition-dirs.h"
#include "fileio.h"
#include "string-util.h"
#include "time-util.h"

static const char small[] = "[Machine]\nDirectory=/var/lib/machines/web\n[Exec]\nParameters=/bin/httpd -f\n";

static const char full[] =
        "[Machine]\nDescription=All keys\nImage=alpine\nAutostart=yes\nRestart=on-failure\nRestartSec=2s\n"
        "StopTimeoutSec=30s\n[Exec]\nParameters=/bin/sh -c \"echo hi; sleep 1\"\nEnvironment=A=1 'B=x y'\n"
        "User=nobody\nWorkingDirectory=/srv\nHostname=box\nKillSignal=SIGRTMIN+3\nNotifyReady=yes\n"
        "Capability=CAP_NET_ADMIN\nDropCapability=CAP_MKNOD\nNoNewPrivileges=yes\nSystemCallFilter=~@clock reboot\n"
        "PrivateUsers=pick\nLimitNOFILE=1024:4096\nLimitCPU=1h\n[Files]\nReadOnly=yes\nBind=/a:/c\n"
        "BindReadOnly=/etc/ssl\nTemporaryFileSystem=/tmp:size=1M\n[Network]\nZone=web\nPort=udp:53:5353\n"
        "Address=10.0.0.2/24\n[Resources]\nMemoryMax=64M\nCPUQuota=20%\nTasksMax=32\n";

static double parse_usec(const char *text, unsigned n) {
        usec_t t0 = now(CLOCK_MONOTONIC);
        for (unsigned i = 0; i < n; i++) {
                MachineDefinition *d = NULL;
                if (machine_definition_parse_buffer("bench", "bench.machine", false, text, strlen(text), &d, NULL) < 0)
                        abort();
                machine_definition_unref(d);
        }
        return (double) (now(CLOCK_MONOTONIC) - t0) / n;
}

int main(int argc, char *argv[]) {
        unsigned n_files = argc > 1 ? (unsigned) atoi(argv[1]) : 1000;
        char root[] = "/tmp/bench-definitions-XXXXXX";

        printf("parse small definition:      %8.1f us\n", parse_usec(small, 2000));
        printf("parse every-key definition:  %8.1f us\n", parse_usec(full, 2000));

        if (!mkdtemp(root))
                return 1;
        for (size_t k = 0; k < ELEMENTSOF(definition_dirs); k++) {
                _cleanup_free_ char *dir = strprintf("%s/%s", root, definition_dirs[k]);
                if (!dir || mkdir_p_at(AT_FDCWD, dir, 0755) < 0)
                        return 1;
                /* The same names in every directory: precedence decides. */
                for (unsigned i = 0; i < n_files; i++) {
                        _cleanup_free_ char *p = strprintf("%s/m%u.machine", dir, i);
                        const char *text = i % 2 ? full : small;
                        if (!p || write_file_atomic_at(AT_FDCWD, p, text, strlen(text), 0644) < 0)
                                return 1;
                }
        }

        usec_t best = USEC_INFINITY;
        for (int round = 0; round < 5; round++) {
                DefinitionSet *s = NULL;
                usec_t t0 = now(CLOCK_MONOTONIC);
                if (definition_dirs_load(root, &s) < 0 || s->n_entries != n_files)
                        return 1;
                usec_t t = now(CLOCK_MONOTONIC) - t0;
                best = MIN(best, t);
                definition_set_free(s);
        }
        printf("load %u machines (x3 dirs):  %8.1f ms (best of 5), %.1f us per machine\n", n_files,
               (double) best / USEC_PER_MSEC, (double) best / n_files);
        return rm_rf_at(AT_FDCWD, root) < 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding and signalling leftovers; see kill-all.h. */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "kill-all.h"
#include "parse-util.h"
#include "string-util.h"

int proc_stat_parse_ppid(const char *stat, pid_t *ret) {
        const char *p = strrchr(stat, ')');
        char state;
        int ppid;

        if (!p)
                return -EINVAL;
        if (sscanf(p + 1, " %c %d", &state, &ppid) != 2 || ppid < 0)
                return -EINVAL;
        *ret = (pid_t) ppid;
        return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

typedef struct ProcEntry {
        pid_t pid, ppid;
        bool below;
} ProcEntry;

static int proc_snapshot(ProcEntry **ret, size_t *ret_n) {
        _cleanup_free_ ProcEntry *list = NULL;
        size_t n = 0, allocated = 0;
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        d = opendir("/proc");
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *stat = NULL;
                char path[64];
                pid_t pid, ppid;

                if (parse_pid(de->d_name, &pid) < 0)
                        continue;
                snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
                /* Gone in the meantime, or not readable: not ours to care about. */
                if (read_full_file(path, &stat, NULL) < 0)
                        continue;
                if (proc_stat_parse_ppid(stat, &ppid) < 0)
                        continue;
                if (n == allocated) {
                        size_t na = allocated ? allocated * 2 : 256;
                        ProcEntry *nl = realloc(list, na * sizeof *nl);
                        if (!nl)
                                return -ENOMEM;
                        list = nl;
                        allocated = na;
                }
                list[n++] = (ProcEntry) { .pid = pid, .ppid = ppid };
        }
        *ret = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}

static bool is_marked(const ProcEntry *list, size_t n, pid_t pid) {
        for (size_t i = 0; i < n; i++)
                if (list[i].pid == pid)
                        return list[i].below;
        return false;
}

int kill_all_descendants(pid_t self, int sig, bool pid1) {
        _cleanup_free_ ProcEntry *list = NULL;
        size_t n = 0;
        bool changed;
        int r, count = 0;

        if (pid1) {
                if (kill(-1, sig) < 0)
                        return errno == ESRCH ? 0 : -errno;
                return 1;
        }

        r = proc_snapshot(&list, &n);
        if (r < 0)
                return r;

        /* Mark the tree below self; passes repeat until nothing changes, since
         * /proc lists parents and children in no particular order. */
        do {
                changed = false;
                for (size_t i = 0; i < n; i++)
                        if (!list[i].below &&
                            (list[i].ppid == self || is_marked(list, n, list[i].ppid))) {
                                list[i].below = true;
                                changed = true;
                        }
        } while (changed);

        for (size_t i = 0; i < n; i++)
                if (list[i].below && kill(list[i].pid, sig) >= 0)
                        count++;
        return count;
}

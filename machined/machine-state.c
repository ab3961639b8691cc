/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Machine states and the state file; see machine-state.h for the format. */

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "machine-state.h"
#include "parse-util.h"
#include "string-util.h"

static const char *const machine_state_table[_MACHINE_STATE_MAX] = {
        [MACHINE_STOPPED] = "stopped",
        [MACHINE_STARTING] = "starting",
        [MACHINE_RUNNING] = "running",
        [MACHINE_STOPPING] = "stopping",
        [MACHINE_FAILED] = "failed",
};

const char *machine_state_to_string(MachineState s) {
        return s >= 0 && s < _MACHINE_STATE_MAX ? machine_state_table[s] : NULL;
}

MachineState machine_state_from_string(const char *s) {
        for (size_t i = 0; s && i < _MACHINE_STATE_MAX; i++)
                if (streq(machine_state_table[i], s))
                        return (MachineState) i;
        return _MACHINE_STATE_INVALID;
}

void machine_state_file_init(MachineStateFile *f) {
        *f = (MachineStateFile) {
                .state = MACHINE_STOPPED,
                .exit_status = -1,
        };
}

int machine_state_file_format(const MachineStateFile *f, char **ret) {
        const char *state = machine_state_to_string(f->state);
        if (!state)
                return -EINVAL;
        char *s = strprintf("STATE=%s\n"
                            "LEADER=%d\n"
                            "LEADER_STARTTIME=%llu\n"
                            "MONITOR=%d\n"
                            "TIMESTAMP=%llu\n"
                            "EXIT_STATUS=%d\n"
                            "RESTART_COUNT=%u\n",
                            state, (int) f->leader, (unsigned long long) f->leader_starttime, (int) f->monitor,
                            (unsigned long long) f->timestamp, f->exit_status, f->restart_count);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int parse_pid_or_zero(const char *v, pid_t *ret) {
        return streq(v, "0") ? (*ret = 0, 0) : parse_pid(v, ret);
}

static int parse_field(MachineStateFile *f, const char *key, const char *v, bool *have_state) {
        uint32_t u;
        int r;

        if (streq(key, "STATE")) {
                MachineState s = machine_state_from_string(v);
                if (s < 0)
                        return -EBADMSG;
                f->state = s;
                *have_state = true;
                return 0;
        }
        if (streq(key, "LEADER"))
                r = parse_pid_or_zero(v, &f->leader);
        else if (streq(key, "LEADER_STARTTIME"))
                r = parse_uint64(v, &f->leader_starttime);
        else if (streq(key, "MONITOR"))
                r = parse_pid_or_zero(v, &f->monitor);
        else if (streq(key, "TIMESTAMP"))
                r = parse_uint64(v, &f->timestamp);
        else if (streq(key, "EXIT_STATUS")) {
                r = parse_int(v, &f->exit_status);
                if (r >= 0 && (f->exit_status < -1 || f->exit_status > 255))
                        r = -ERANGE;
        } else if (streq(key, "RESTART_COUNT")) {
                r = parse_uint32(v, &u);
                f->restart_count = u;
        } else
                return 0; /* written by a newer corral: not ours to judge */
        return r < 0 ? -EBADMSG : 0;
}

int machine_state_file_parse(const char *text, MachineStateFile *ret) {
        MachineStateFile f;
        bool have_state = false;

        machine_state_file_init(&f);
        for (const char *p = text; *p;) {
                size_t l = strcspn(p, "\n");
                _cleanup_free_ char *line = strndup(p, l);
                if (!line)
                        return -ENOMEM;
                p += l + (p[l] == '\n');

                char *s = strstrip(line);
                if (*s == 0 || *s == '#')
                        continue;
                char *eq = strchr(s, '=');
                if (!eq || eq == s)
                        return -EBADMSG;
                *eq = 0;
                int r = parse_field(&f, s, eq + 1, &have_state);
                if (r < 0)
                        return r;
        }
        if (!have_state)
                return -EBADMSG;
        *ret = f;
        return 0;
}

int machine_state_file_read(int dirfd, MachineStateFile *ret) {
        _cleanup_free_ char *text = NULL;
        size_t size;

        int r = read_full_file_at(dirfd, MACHINE_STATE_FILE_NAME, 64 * 1024, &text, &size);
        if (r < 0)
                return r;
        if (strlen(text) != size)
                return -EBADMSG;
        return machine_state_file_parse(text, ret);
}

int machine_state_file_write(int dirfd, const MachineStateFile *f) {
        _cleanup_free_ char *text = NULL;

        int r = machine_state_file_format(f, &text);
        if (r < 0)
                return r;
        return write_file_atomic_at(dirfd, MACHINE_STATE_FILE_NAME, text, strlen(text), 0644);
}

int process_get_starttime(pid_t pid, uint64_t *ret) {
        _cleanup_free_ char *path = strprintf("/proc/%d/stat", (int) pid), *line = NULL;
        unsigned long long t;

        if (pid <= 0)
                return -EINVAL;
        if (!path)
                return -ENOMEM;
        int r = read_one_line_file_at(AT_FDCWD, path, &line);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        /* The command name (field 2) may contain spaces and parentheses:
         * the fields after it start behind the last ')'. */
        const char *p = strrchr(line, ')');
        if (!p)
                return -EBADMSG;
        p++;
        /* Fields 3..21 to skip, then starttime is field 22. */
        for (int field = 3; field <= 21; field++) {
                p += strspn(p, " ");
                p += strcspn(p, " ");
                if (!*p)
                        return -EBADMSG;
        }
        if (sscanf(p, " %llu", &t) != 1)
                return -EBADMSG;
        *ret = t;
        return 0;
}

int process_is_same(pid_t pid, uint64_t starttime) {
        uint64_t t;

        int r = process_get_starttime(pid, &t);
        if (r == -ESRCH)
                return 0;
        if (r < 0)
                return r;
        return starttime == 0 || t == starttime;
}

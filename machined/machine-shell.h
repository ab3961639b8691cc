/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running a program inside a running machine, for OpenMachineShell,
 * OpenMachineLogin and RunMachineCommand: the process joins the
 * machine's cgroup and every namespace of its leader (setns through the
 * leader's pidfd), takes the container's capability bounding set, runs as
 * the given user (looked up in the container's own /etc/passwd, parsed
 * here rather than through NSS so that no library of the container is
 * ever loaded into a privileged process) with a clean environment.
 *
 * The process corrald gets back (pid/pidfd) is a small waiter on the host
 * side of the PID namespace; it exits with the program's status (128+N
 * for a signal), so the caller can reap it through the pidfd. */

#include <stdbool.h>
#include <sys/types.h>

#include "machine.h"

typedef struct MachineCommand {
        const char *user;   /* NULL or "": root */
        const char *path;   /* NULL or "": the user's shell, else /bin/sh */
        char **args;        /* NULL or empty: { path } */
        char **env;         /* extra "K=V" over the clean environment */
        bool login;         /* argv[0] of the shell gets a leading '-' */
} MachineCommand;

/* Starts cmd with stdio[0..2] as its fds 0, 1, 2 (a new session; when
 * stdio[0] is a terminal it becomes the controlling one). The caller keeps
 * (and should close) its copies of stdio. */
int machine_spawn_command(Machine *m, const MachineCommand *cmd, const int stdio[3],
                          pid_t *ret_pid, int *ret_pidfd);

/* As above on a new pty: returns its master and the slave's path; corrald
 * never holds the slave (the child opens it), so the client sees EOF when
 * the program ends. */
int machine_open_pty_command(Machine *m, const MachineCommand *cmd, int *ret_master, char **ret_pty_path,
                             pid_t *ret_pid, int *ret_pidfd);

/* The waiter's exit status as a shell reports it (128+N for signal N). */
int machine_command_reap(int pidfd);

/* One /etc/passwd line's fields, for a name or "UID" (a number). */
typedef struct PasswdEntry {
        uid_t uid;
        gid_t gid;
        char home[256];
        char shell[256];
} PasswdEntry;

/* Finds user in passwd text (pure: unit tested). -ENOENT if absent. */
int passwd_find(const char *passwd, const char *user, PasswdEntry *ret);
/* The groups (from group text) that list user as a member, plus gid. */
int group_list_for(const char *group, const char *user, gid_t gid, gid_t *groups, size_t max, size_t *ret_n);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's system call filter (libseccomp): the calls
 * systemd-nspawn refuses by default fail with EPERM, capabilities that
 * were granted on top of the default set re-allow their calls, and
 * "--system-call-filter" adds to either side in nspawn's syntax: a list
 * of names and @groups allows them, a list starting with "~" denies them.
 * Parsing and building are separate so that the parser is unit tested
 * and bad names are refused before anything is started. */

#include <stdbool.h>
#include <stdint.h>

typedef struct SeccompPolicy SeccompPolicy;

int seccomp_policy_new(uint64_t capabilities, SeccompPolicy **ret);
SeccompPolicy *seccomp_policy_free(SeccompPolicy *p);
static inline void seccomp_policy_freep(SeccompPolicy **p) {
        seccomp_policy_free(*p);
}

/* One --system-call-filter value. -EINVAL for an unknown name or group,
 * which is then returned in *ret_bad (to be freed). */
int seccomp_policy_add_filter(SeccompPolicy *p, const char *value, char **ret_bad);

/* 1 when the policy denies the call (by name), 0 when it allows it,
 * -EINVAL for a name libseccomp does not know. For tests and --help. */
int seccomp_policy_denies(const SeccompPolicy *p, const char *name);

/* Loads the filter into the calling process (and its future children). */
int seccomp_policy_load(const SeccompPolicy *p);

/* Building the BPF program with libseccomp is the slowest step of a
 * container's setup, so the monitor does it while the child mounts:
 * export writes the program to fd (a pipe), the child reads it to EOF and
 * loads it. */
int seccomp_policy_export(const SeccompPolicy *p, int fd);
int seccomp_load_bpf_fd(int fd);

/* Checks a filter value without a policy, for argument parsing. */
int seccomp_filter_validate(const char *value, char **ret_bad);

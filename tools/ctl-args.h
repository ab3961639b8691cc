/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* corralctl's command line: the verb table (name, argument counts, the
 * options each verb accepts, its help text) and the parser that turns
 * argv into a CtlArgs. Parsing does nothing else, so it is unit tested
 * without a bus. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct CtlContext;

typedef enum CtlJsonMode {
        CTL_JSON_OFF,
        CTL_JSON_SHORT,
        CTL_JSON_PRETTY,
} CtlJsonMode;

/* Options a verb accepts besides the global ones (--help, --no-pager,
 * --no-legend, --bus); any other is a usage error for that verb. */
typedef enum CtlOption {
        CTL_OPT_JSON = 1u << 0,
        CTL_OPT_ALL = 1u << 1,
        CTL_OPT_PROPERTY = 1u << 2, /* -p KEY, --value */
        CTL_OPT_NO_BLOCK = 1u << 3,
        CTL_OPT_SIGNAL = 1u << 4,
        CTL_OPT_KILL_WHOM = 1u << 5,
        CTL_OPT_FOLLOW = 1u << 6,
        CTL_OPT_LINES = 1u << 7,
        CTL_OPT_SHELL = 1u << 8, /* --uid, -E/--setenv */
} CtlOption;

typedef struct CtlVerb {
        const char *name;
        unsigned min_args;
        unsigned max_args; /* UINT32_MAX: any number */
        unsigned options;  /* CtlOption mask */
        int (*func)(struct CtlContext *c);
        const char *synopsis;
        const char *help;
} CtlVerb;

typedef struct CtlArgs {
        const CtlVerb *verb;
        char **names;   /* positional arguments after the verb */
        char **command; /* shell: the words after "--" (or after NAME) */
        CtlJsonMode json;
        bool no_pager;
        bool no_legend;
        bool all;
        bool no_block;
        bool follow;
        bool value; /* show --value: values only */
        char **properties;
        int signal;            /* 0: the verb's default */
        const char *kill_whom; /* NULL: "all" */
        uint64_t lines;        /* UINT64_MAX: not given */
        char *user;            /* shell --uid, or USER@ in front of NAME */
        char **setenv;
        const char *bus_address;
} CtlArgs;

/* Returns 0 when a verb should run, 1 when help or the version was printed
 * (exit 0), -EINVAL on a usage error (already reported on stderr), -ENOMEM.
 * args must be zero-initialised; ctl_args_done() frees it. */
int ctl_parse_argv(int argc, char *argv[], CtlArgs *args);
void ctl_args_done(CtlArgs *args);

const CtlVerb *ctl_verb_find(const char *name);
/* Every verb, in table order (for help and completion). */
const CtlVerb *ctl_verbs(size_t *ret_n);

/* Helpers the verbs share. */
int ctl_parse_kill_whom(const char *s, const char **ret);
int ctl_parse_json_mode(const char *s, CtlJsonMode *ret);

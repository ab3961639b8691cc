/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corralctl's verb table and command-line parser; see ctl-args.h. Options
 * may come before or after the verb (as with systemctl); words after "--"
 * are never options, which is how `shell NAME -- CMD -x` passes CMD's own
 * options through. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "corral-config.h"
#include "ctl.h"
#include "log.h"
#include "parse-util.h"
#include "signal-util.h"
#include "string-util.h"

#define ANY_ARGS UINT32_MAX

static const CtlVerb verbs[] = {
        { "list", 0, 0, CTL_OPT_JSON | CTL_OPT_ALL, verb_list, "",
          "List running machines; with --all also stopped machines and refused definitions." },
        { "status", 1, ANY_ARGS, CTL_OPT_JSON | CTL_OPT_LINES, verb_status, "NAME...",
          "Show state, image, leader, uptime, limits and usage, addresses and the last log lines." },
        { "show", 1, ANY_ARGS, CTL_OPT_JSON | CTL_OPT_PROPERTY, verb_show, "NAME...",
          "Show the machine's properties as Key=Value lines." },
        { "start", 1, ANY_ARGS, CTL_OPT_NO_BLOCK, verb_control, "NAME...",
          "Start machines and wait until they run (or failed); --no-block returns at once." },
        { "stop", 1, ANY_ARGS, 0, verb_control, "NAME...",
          "Stop machines cleanly (killed after their stop timeout)." },
        { "reboot", 1, ANY_ARGS, 0, verb_control, "NAME...", "Reboot machines." },
        { "terminate", 1, ANY_ARGS, 0, verb_control, "NAME...", "Kill machines at once." },
        { "kill", 1, ANY_ARGS, CTL_OPT_SIGNAL | CTL_OPT_KILL_WHOM, verb_kill, "NAME...",
          "Send a signal (--signal, default SIGTERM) to the leader or all processes (--kill-whom)." },
        { "enable", 1, ANY_ARGS, 0, verb_control, "NAME...", "Start machines when corrald starts." },
        { "disable", 1, ANY_ARGS, 0, verb_control, "NAME...", "Do not start machines when corrald starts." },
        { "login", 1, 1, 0, verb_login, "NAME",
          "Attach to the machine's console; press ^] three times within a second to leave." },
        { "shell", 1, ANY_ARGS, CTL_OPT_SHELL, verb_shell, "[USER@]NAME [-- COMMAND...]",
          "Run a command (default: the user's shell) inside the machine and exit with its status." },
        { "logs", 1, 1, CTL_OPT_FOLLOW | CTL_OPT_LINES, verb_logs, "NAME",
          "Show the machine's console log (-n N last lines, -f follow)." },
        { "images", 0, 0, CTL_OPT_JSON, verb_images, "", "List images." },
        { "import-tar", 2, 2, 0, verb_import, "FILE NAME", "Import a tar archive as an image." },
        { "import-oci", 2, 2, 0, verb_import, "DIR[:TAG] NAME", "Import an OCI image layout." },
        { "import-docker", 2, 2, 0, verb_import, "FILE NAME", "Import a 'docker save' archive." },
        { "remove-image", 1, ANY_ARGS, 0, verb_remove_image, "NAME...", "Remove images." },
        { "daemon-reload", 0, 0, 0, verb_daemon_reload, "", "Make corrald re-read the machine definitions." },
};

static const struct {
        CtlOption option;
        const char *text;
} option_help[] = {
        { CTL_OPT_JSON, "     --json[=short|pretty]  Print JSON" },
        { CTL_OPT_ALL, "  -a --all                Also stopped machines and refused definitions" },
        { CTL_OPT_PROPERTY, "  -p --property=KEY       Only this property (repeatable, or KEY1,KEY2)\n"
                            "     --value             Print values only" },
        { CTL_OPT_NO_BLOCK, "     --no-block          Do not wait until the machine runs" },
        { CTL_OPT_SIGNAL, "  -s --signal=SIGNAL      Signal to send (default SIGTERM)" },
        { CTL_OPT_KILL_WHOM, "     --kill-whom=WHOM    'leader' or 'all' (default)" },
        { CTL_OPT_FOLLOW, "  -f --follow            Keep printing new lines" },
        { CTL_OPT_LINES, "  -n --lines=N            Number of log lines" },
        { CTL_OPT_SHELL, "     --uid=USER          Run as USER (default root)\n"
                         "  -E --setenv=VAR=VALUE   Set an environment variable (repeatable)" },
};

static const char global_help[] =
        "  -h --help               Show this help\n"
        "     --version            Show the version\n"
        "     --no-pager           Do not pipe output into a pager\n"
        "     --no-legend          Do not print headers and footers\n"
        "     --bus=ADDRESS        Talk to corrald on this bus (or $CORRAL_BUS_ADDRESS)\n";

const CtlVerb *ctl_verbs(size_t *ret_n) {
        *ret_n = ELEMENTSOF(verbs);
        return verbs;
}

const CtlVerb *ctl_verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

int ctl_parse_kill_whom(const char *s, const char **ret) {
        static const char *const whom[] = { "leader", "all" };
        for (size_t i = 0; i < ELEMENTSOF(whom); i++)
                if (streq(s, whom[i])) {
                        *ret = whom[i];
                        return 0;
                }
        return -EINVAL;
}

int ctl_parse_json_mode(const char *s, CtlJsonMode *ret) {
        static const struct {
                const char *name;
                CtlJsonMode mode;
        } modes[] = {
                { "short", CTL_JSON_SHORT }, { "pretty", CTL_JSON_PRETTY }, { "off", CTL_JSON_OFF },
        };
        if (!s) {
                *ret = CTL_JSON_SHORT;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(modes); i++)
                if (streq(s, modes[i].name)) {
                        *ret = modes[i].mode;
                        return 0;
                }
        return -EINVAL;
}

static void help_main(void) {
        size_t n;
        const CtlVerb *v = ctl_verbs(&n);

        printf("corralctl [OPTIONS...] COMMAND ...\n\n"
               "Control the machines of corrald.\n\nCommands:\n");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *head = strprintf("%s %s", v[i].name, v[i].synopsis);
                printf("  %-32s %s\n", head ?: v[i].name, v[i].help);
        }
        printf("\nOptions:\n%s", global_help);
        for (size_t i = 0; i < ELEMENTSOF(option_help); i++)
                printf("%s\n", option_help[i].text);
        printf("\n'corralctl COMMAND --help' shows the options of one command.\n"
               "See the corralctl(1) man page for details.\n");
}

static void help_verb(const CtlVerb *v) {
        printf("corralctl [OPTIONS...] %s %s\n\n%s\n\nOptions:\n%s", v->name, v->synopsis, v->help,
               global_help);
        for (size_t i = 0; i < ELEMENTSOF(option_help); i++)
                if (v->options & option_help[i].option)
                        printf("%s\n", option_help[i].text);
}

/* The name of the option for "--signal is not valid for 'list'" messages. */
static const struct {
        CtlOption option;
        const char *name;
} option_names[] = {
        { CTL_OPT_JSON, "--json" },          { CTL_OPT_ALL, "--all" },
        { CTL_OPT_PROPERTY, "--property" },  { CTL_OPT_NO_BLOCK, "--no-block" },
        { CTL_OPT_SIGNAL, "--signal" },      { CTL_OPT_KILL_WHOM, "--kill-whom" },
        { CTL_OPT_FOLLOW, "--follow" },      { CTL_OPT_LINES, "--lines" },
        { CTL_OPT_SHELL, "--uid/--setenv" },
};

enum {
        ARG_VERSION = 0x100,
        ARG_NO_PAGER,
        ARG_NO_LEGEND,
        ARG_BUS,
        ARG_JSON,
        ARG_VALUE,
        ARG_NO_BLOCK,
        ARG_KILL_WHOM,
        ARG_UID,
};

static int add_properties(CtlArgs *args, const char *s) {
        _cleanup_strv_free_ char **l = NULL;
        int r = strv_split(s, ",", &l);
        if (r < 0)
                return r;
        STRV_FOREACH(p, l) {
                r = strv_extend(&args->properties, *p);
                if (r < 0)
                        return r;
        }
        return 0;
}

#define usage_error(...) (log_error(__VA_ARGS__), -EINVAL)

int ctl_parse_argv(int argc, char *argv[], CtlArgs *args) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
                { "bus", required_argument, NULL, ARG_BUS },
                { "json", optional_argument, NULL, ARG_JSON },
                { "all", no_argument, NULL, 'a' },
                { "property", required_argument, NULL, 'p' },
                { "value", no_argument, NULL, ARG_VALUE },
                { "no-block", no_argument, NULL, ARG_NO_BLOCK },
                { "signal", required_argument, NULL, 's' },
                { "kill-whom", required_argument, NULL, ARG_KILL_WHOM },
                { "follow", no_argument, NULL, 'f' },
                { "lines", required_argument, NULL, 'n' },
                { "uid", required_argument, NULL, ARG_UID },
                { "setenv", required_argument, NULL, 'E' },
                {}
        };
        unsigned seen = 0;
        bool help = false;
        int c, r;

        args->lines = UINT64_MAX;
        optind = 0; /* full reset, so that tests can parse many times */
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":hap:s:fn:E:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help = true;
                        break;
                case ARG_VERSION:
                        printf("corralctl %s\n", CORRAL_VERSION);
                        return 1;
                case ARG_NO_PAGER:
                        args->no_pager = true;
                        break;
                case ARG_NO_LEGEND:
                        args->no_legend = true;
                        break;
                case ARG_BUS:
                        args->bus_address = optarg;
                        break;
                case ARG_JSON:
                        if (ctl_parse_json_mode(optarg, &args->json) < 0)
                                return usage_error("Invalid --json= mode '%s', expected 'short' or 'pretty'.", optarg);
                        seen |= CTL_OPT_JSON;
                        break;
                case 'a':
                        args->all = true;
                        seen |= CTL_OPT_ALL;
                        break;
                case 'p':
                        r = add_properties(args, optarg);
                        if (r < 0)
                                return r;
                        seen |= CTL_OPT_PROPERTY;
                        break;
                case ARG_VALUE:
                        args->value = true;
                        seen |= CTL_OPT_PROPERTY;
                        break;
                case ARG_NO_BLOCK:
                        args->no_block = true;
                        seen |= CTL_OPT_NO_BLOCK;
                        break;
                case 's':
                        args->signal = signal_from_string(optarg);
                        if (args->signal <= 0)
                                return usage_error("Unknown signal '%s'.", optarg);
                        seen |= CTL_OPT_SIGNAL;
                        break;
                case ARG_KILL_WHOM:
                        if (ctl_parse_kill_whom(optarg, &args->kill_whom) < 0)
                                return usage_error("Invalid --kill-whom= '%s', expected 'leader' or 'all'.", optarg);
                        seen |= CTL_OPT_KILL_WHOM;
                        break;
                case 'f':
                        args->follow = true;
                        seen |= CTL_OPT_FOLLOW;
                        break;
                case 'n':
                        if (streq(optarg, "all"))
                                args->lines = UINT64_MAX - 1;
                        else if (parse_uint64(optarg, &args->lines) < 0 || args->lines >= UINT64_MAX - 1)
                                return usage_error("Invalid number of lines '%s'.", optarg);
                        seen |= CTL_OPT_LINES;
                        break;
                case ARG_UID:
                        free(args->user);
                        args->user = strdup(optarg);
                        if (!args->user)
                                return -ENOMEM;
                        seen |= CTL_OPT_SHELL;
                        break;
                case 'E':
                        if (!strchr(optarg, '=') || optarg[0] == '=')
                                return usage_error("Invalid environment assignment '%s', expected VAR=VALUE.", optarg);
                        r = strv_extend(&args->setenv, optarg);
                        if (r < 0)
                                return r;
                        seen |= CTL_OPT_SHELL;
                        break;
                case ':':
                        return usage_error("Option '%s' needs an argument.", argv[optind - 1]);
                default:
                        return usage_error("Unknown option '%s'.", argv[optind - 1]);
                }

        if (help && optind >= argc) {
                help_main();
                return 1;
        }
        const char *verb_name = optind < argc ? argv[optind++] : "list";
        if (streq(verb_name, "help")) {
                const CtlVerb *v = optind < argc ? ctl_verb_find(argv[optind]) : NULL;
                if (optind < argc && !v)
                        return usage_error("Unknown command '%s'.", argv[optind]);
                if (v)
                        help_verb(v);
                else
                        help_main();
                return 1;
        }

        const CtlVerb *v = ctl_verb_find(verb_name);
        if (!v) {
                if (help) {
                        help_main();
                        return 1;
                }
                return usage_error("Unknown command '%s'. See 'corralctl --help'.", verb_name);
        }
        if (help) {
                help_verb(v);
                return 1;
        }
        args->verb = v;

        for (size_t i = 0; i < ELEMENTSOF(option_names); i++)
                if ((seen & option_names[i].option) && !(v->options & option_names[i].option))
                        return usage_error("Option %s does not apply to '%s'.", option_names[i].name, v->name);

        unsigned n = argc - optind;
        if (v->func == verb_shell) {
                /* shell [USER@]NAME [CMD...]: everything behind NAME is the command. */
                if (n < 1)
                        return usage_error("'shell' needs a machine name.");
                const char *at = strchr(argv[optind], '@');
                if (at) {
                        free(args->user);
                        args->user = strndup(argv[optind], at - argv[optind]);
                        if (!args->user)
                                return -ENOMEM;
                }
                r = strv_extend(&args->names, at ? at + 1 : argv[optind]);
                if (r < 0)
                        return r;
                for (int i = optind + 1; i < argc; i++) {
                        r = strv_extend(&args->command, argv[i]);
                        if (r < 0)
                                return r;
                }
                if (isempty(args->names[0]))
                        return usage_error("'shell' needs a machine name.");
                /* As machinectl: the machine's PATH is not ours to search. */
                if (args->command && args->command[0][0] != '/')
                        return usage_error("The command to run must be an absolute path, not '%s'.", args->command[0]);
                return 0;
        }

        if (n < v->min_args)
                return usage_error("'%s' needs %s%s.", v->name, v->min_args > 1 ? "the arguments " : "",
                                   v->synopsis);
        if (v->max_args != ANY_ARGS && n > v->max_args)
                return usage_error("Too many arguments for '%s' (usage: %s %s).", v->name, v->name,
                                   v->synopsis);
        for (int i = optind; i < argc; i++) {
                if (isempty(argv[i]))
                        return usage_error("Empty name given to '%s'.", v->name);
                r = strv_extend(&args->names, argv[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

void ctl_args_done(CtlArgs *args) {
        args->names = strv_free(args->names);
        args->command = strv_free(args->command);
        args->properties = strv_free(args->properties);
        args->setenv = strv_free(args->setenv);
        args->user = mfree(args->user);
}

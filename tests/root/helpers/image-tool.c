/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-tool: drives the image store core of libcorral-machined without a
 * daemon, for the root tests and the benchmark (corrald's ImportImage,
 * ListImages and RemoveImage call the same functions).
 *
 *   image-tool --root DIR import [--format F] [--ref REF] [--cancel-after BYTES] PATH NAME
 *   image-tool --root DIR list                 NAME LAYERS SIZE, one line each
 *   image-tool --root DIR layers NAME          layer directories, top first
 *   image-tool --root DIR remove [--force] NAME   exit 2 when in use
 *   image-tool --root DIR use NAME CMD...      runs CMD holding NAME in use
 *   image-tool --root DIR mount [--legacy] NAME TARGET SCRATCH
 *                                              overlay on TARGET, upper/work in SCRATCH
 *
 * SIGINT/SIGTERM during an import set the cancel flag. */

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "image-import.h"
#include "image-store.h"
#include "log.h"
#include "overlay.h"
#include "parse-util.h"
#include "string-util.h"

static atomic_bool arg_cancel;
static uint64_t arg_cancel_after = UINT64_MAX;
static const char *arg_root;

static void on_signal(int sig) {
        atomic_store(&arg_cancel, true);
}

static void on_progress(uint64_t done, uint64_t total, void *userdata) {
        if (done >= arg_cancel_after)
                atomic_store(&arg_cancel, true);
}

static int cmd_import(ImageStore *s, int argc, char **argv) {
        ImportOptions o = { .progress = on_progress, .cancel = &arg_cancel };
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "ref", required_argument, NULL, 'r' },
                { "cancel-after", required_argument, NULL, 'c' },
                {},
        };
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) >= 0)
                switch (c) {
                case 'f':
                        o.format = image_format_from_string(optarg);
                        if (o.format < 0)
                                return log_error_errno(-EINVAL, "Unknown format '%s'.", optarg);
                        break;
                case 'r':
                        o.ref = optarg;
                        break;
                case 'c':
                        if (parse_uint64(optarg, &arg_cancel_after) < 0)
                                return log_error_errno(-EINVAL, "Bad byte count '%s'.", optarg);
                        break;
                default:
                        return -EINVAL;
                }
        if (argc - optind != 2)
                return log_error_errno(-EINVAL, "import needs PATH NAME.");

        struct sigaction sa = { .sa_handler = on_signal };
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        return image_import(s, argv[optind], argv[optind + 1], &o);
}

static int cmd_list(ImageStore *s) {
        Image **l;
        size_t n;
        int r = image_store_list(s, &l, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to list images: %m");
        for (size_t i = 0; i < n; i++)
                printf("%s %zu %" PRIu64 "\n", l[i]->name, strv_length(l[i]->layers), image_size(l[i]));
        image_list_free(l, n);
        return 0;
}

static int cmd_layers(ImageStore *s, const char *name) {
        _cleanup_(image_freep) Image *i = NULL;
        int r = image_store_get(s, name, &i);
        if (r < 0)
                return log_error_errno(r, "Failed to read image '%s': %m", name);
        for (size_t k = strv_length(i->layers); k > 0; k--) {
                _cleanup_free_ char *p = NULL;
                if (image_store_layer_path(s, i->layers[k - 1], &p) < 0)
                        return -EBADMSG;
                puts(p);
        }
        return 0;
}

static int cmd_mount(ImageStore *s, bool legacy, const char *name, const char *target, const char *scratch) {
        _cleanup_(image_freep) Image *i = NULL;
        int r = image_store_get(s, name, &i);
        if (r < 0)
                return log_error_errno(r, "Failed to read image '%s': %m", name);
        size_t n = strv_length(i->layers);
        _cleanup_strv_free_ char **lowers = calloc(n + 1, sizeof(char *));
        _cleanup_free_ char *upper = strprintf("%s/upper", scratch), *work = strprintf("%s/work", scratch);
        if (!lowers || !upper || !work)
                return log_oom();
        for (size_t k = 0; k < n; k++)
                if (image_store_layer_path(s, i->layers[n - 1 - k], &lowers[k]) < 0)
                        return -EBADMSG;
        if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
                return log_error_errno(-errno, "Failed to create upper/work in '%s': %m", scratch);
        r = overlay_mount(target, lowers, upper, work, legacy ? OVERLAY_MOUNT_LEGACY : 0);
        if (r < 0)
                return log_error_errno(r, "Failed to mount the overlay of %zu layers: %m", n);
        return 0;
}

static int cmd_use(ImageStore *s, const char *name, char **argv) {
        _cleanup_close_ int fd = -EBADF;
        int r = image_store_use(s, name, &fd, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to use image '%s': %m", name);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execvp(argv[0], argv);
                _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

int main(int argc, char **argv) {
        log_set_program_name("image-tool");
        log_parse_environment();

        if (argc >= 3 && streq(argv[1], "--root")) {
                arg_root = argv[2];
                argc -= 2;
                argv += 2;
        }
        if (!arg_root || argc < 2) {
                fprintf(stderr, "usage: image-tool --root DIR import|list|layers|remove|use|mount ...\n");
                return 1;
        }
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        int r = image_store_open(arg_root, &s);
        if (r < 0) {
                log_error_errno(r, "Failed to open the store below '%s': %m", arg_root);
                return 1;
        }

        const char *verb = argv[1];
        argc--;
        argv++;
        if (streq(verb, "import"))
                r = cmd_import(s, argc, argv);
        else if (streq(verb, "list"))
                r = cmd_list(s);
        else if (streq(verb, "layers") && argc == 2)
                r = cmd_layers(s, argv[1]);
        else if (streq(verb, "remove") && argc >= 2) {
                bool force = streq(argv[1], "--force");
                const char *name = argv[force ? 2 : 1];
                r = name ? image_store_remove(s, name, force) : -EINVAL;
                if (r == -EBUSY) {
                        log_error("Image '%s' is in use.", name);
                        return 2;
                }
                if (r < 0)
                        log_error_errno(r, "Failed to remove image '%s': %m", strempty(name));
        } else if (streq(verb, "use") && argc >= 3)
                r = cmd_use(s, argv[1], argv + 2);
        else if (streq(verb, "mount") && argc >= 4) {
                bool legacy = streq(argv[1], "--legacy");
                if (argc != (legacy ? 5 : 4))
                        r = log_error_errno(-EINVAL, "mount needs [--legacy] NAME TARGET SCRATCH.");
                else
                        r = cmd_mount(s, legacy, argv[legacy ? 2 : 1], argv[legacy ? 3 : 2], argv[legacy ? 4 : 3]);
        } else
                r = log_error_errno(-EINVAL, "Unknown or incomplete command '%s'.", verb);
        return r < 0 ? 1 : 0;
}

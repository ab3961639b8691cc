/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* From an image name to a mounted container root; see image-run.h. */

#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "image-run.h"
#include "image-store.h"
#include "log.h"
#include "overlay.h"
#include "string-util.h"

/* The payload: an explicit command line replaces the image's Cmd (and,
 * as with `docker run IMAGE CMD`, keeps its Entrypoint). */
static int merge_argv(RunConfig *c, const ImageConfig *ic) {
        _cleanup_strv_free_ char **argv = NULL;
        STRV_FOREACH(s, ic->entrypoint)
                if (strv_extend(&argv, *s) < 0)
                        return -ENOMEM;
        char **tail = strv_length(c->argv) > 0 ? c->argv : ic->cmd;
        STRV_FOREACH(s, tail)
                if (strv_extend(&argv, *s) < 0)
                        return -ENOMEM;
        if (!argv)
                return 0; /* neither: the container's own default */
        strv_free(c->argv);
        c->argv = TAKE_PTR(argv);
        return 0;
}

/* Image Env first, then the configuration's, which wins key by key. */
static int merge_env(RunConfig *c, const ImageConfig *ic) {
        if (!ic->env)
                return 0;
        _cleanup_strv_free_ char **env = strv_copy(ic->env);
        if (!env)
                return -ENOMEM;
        STRV_FOREACH(s, c->environment)
                if (strv_env_set(&env, *s) < 0)
                        return -ENOMEM;
        strv_free(c->environment);
        c->environment = TAKE_PTR(env);
        return 0;
}

static int set_default(char **field, const char *value) {
        if (*field || !value)
                return 0;
        *field = strdup(value);
        return *field ? 0 : -ENOMEM;
}

int image_run_prepare(RunConfig *c, int *ret_use_fd) {
        if (!c->image)
                return -EINVAL;
        if (c->directory)
                return log_error_errno(-EINVAL, "An image and a directory are mutually exclusive.");

        _cleanup_(image_store_freep) ImageStore *s = NULL;
        int r = image_store_open(c->root ?: "/", &s);
        if (r < 0)
                return log_error_errno(r, "Failed to open the image store below '%s': %m", c->root ?: "/");

        _cleanup_close_ int use_fd = -EBADF;
        _cleanup_(image_freep) Image *image = NULL;
        r = image_store_use(s, c->image, &use_fd, &image);
        if (r == -ENOENT)
                return log_error_errno(r, "No image '%s' in the store.", c->image);
        if (r < 0)
                return log_error_errno(r, "Failed to open image '%s': %m", c->image);

        size_t n = strv_length(image->layers);
        if (n == 0)
                return log_error_errno(-EBADMSG, "Image '%s' has no layers.", c->image);
        _cleanup_strv_free_ char **lowers = calloc(n + 1, sizeof(char *));
        if (!lowers)
                return log_oom();
        for (size_t k = 0; k < n; k++) {
                /* Stored bottom first, overlayfs wants the top first. */
                r = image_store_layer_path(s, image->layers[n - 1 - k], &lowers[k]);
                if (r < 0)
                        return log_error_errno(r, "Bad layer '%s' in image '%s'.", image->layers[n - 1 - k], c->image);
                if (access(lowers[k], F_OK) < 0)
                        return log_error_errno(-errno, "Layer '%s' of image '%s' is missing: %m",
                                               image->layers[n - 1 - k], c->image);
        }

        if ((r = set_default(&c->machine_name, c->image)) < 0 ||
            (r = set_default(&c->working_directory, image->config.working_dir)) < 0 ||
            (r = set_default(&c->user, image->config.user)) < 0 || (r = merge_argv(c, &image->config)) < 0 ||
            (r = merge_env(c, &image->config)) < 0)
                return log_oom();

        strv_free(c->lower_dirs);
        c->lower_dirs = TAKE_PTR(lowers);
        c->upper_dir = mfree(c->upper_dir);
        c->work_dir = mfree(c->work_dir);
        if (!c->ephemeral) {
                c->upper_dir = strprintf("%s/machines/%s/upper", s->path, c->machine_name);
                c->work_dir = strprintf("%s/machines/%s/work", s->path, c->machine_name);
                if (!c->upper_dir || !c->work_dir)
                        return log_oom();
        }
        *ret_use_fd = TAKE_FD(use_fd);
        return 0;
}

int image_mount_rootfs(const RunConfig *c, char **ret_root) {
        if (!c->lower_dirs || !c->machine_name)
                return log_error_errno(-EINVAL, "No image resolved for this machine.");

        _cleanup_free_ char *base = strprintf("%s%s" IMAGE_STORE_DIR "/machines/%s", c->root ?: "/",
                                              endswith(c->root ?: "/", "/") ? "" : "/", c->machine_name);
        if (!base)
                return log_oom();
        int r = mkdir_p_at(AT_FDCWD, base, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", base);

        _cleanup_free_ char *upper = NULL, *work = NULL, *root = NULL;
        if (c->upper_dir) {
                upper = strdup(c->upper_dir);
                work = strdup(c->work_dir);
        } else {
                /* Volatile/ephemeral: a tmpfs over the machine directory, in
                 * our mount namespace only, holds upper and work; it goes
                 * with the namespace, even after SIGKILL. */
                if (mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
                        return log_error_errno(-errno, "Failed to mount the ephemeral layer on '%s': %m", base);
                upper = strprintf("%s/upper", base);
                work = strprintf("%s/work", base);
        }
        root = strprintf("%s/root", base);
        if (!upper || !work || !root)
                return log_oom();
        bool fresh = access(upper, F_OK) < 0;
        if ((r = mkdir_p_at(AT_FDCWD, upper, 0755)) < 0 || (r = mkdir_p_at(AT_FDCWD, work, 0700)) < 0 ||
            (r = mkdir_p_at(AT_FDCWD, root, 0755)) < 0)
                return log_error_errno(r, "Failed to create the writable layer of '%s': %m", c->machine_name);
        /* The upper directory's own owner and mode are those of the
         * container's "/": a new one starts as the image's top layer has it. */
        struct stat st;
        if (fresh && stat(c->lower_dirs[0], &st) >= 0 &&
            (chown(upper, st.st_uid, st.st_gid) < 0 || chmod(upper, st.st_mode & 07777) < 0))
                return log_error_errno(-errno, "Failed to set up the writable layer of '%s': %m", c->machine_name);

        r = overlay_mount(root, c->lower_dirs, upper, work, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to mount the overlay of image '%s' (%zu layers): %m",
                                       strempty(c->image), strv_length(c->lower_dirs));
        *ret_root = TAKE_PTR(root);
        return 0;
}

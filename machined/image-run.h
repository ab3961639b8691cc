/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running a machine on an image of the store (corral-run --image NAME,
 * Image= in a definition): image_run_prepare() resolves the image under
 * the RunConfig's --root into overlay lowers (top first) and the
 * machine's persistent upper/work in var/lib/corral/machines/NAME, and
 * fills in the image's Entrypoint/Cmd, Env, WorkingDir and User where the
 * configuration left them unset; it holds the image "in use" through the
 * returned fd, which the caller keeps open while the machine exists.
 * image_mount_rootfs(), called in the container's private mount
 * namespace, mounts the overlay and returns the new root: it costs the
 * same whatever the image size (no copy, only a mount). */

#include "run-config.h"

/* Returns 0 and an fd (O_CLOEXEC) that keeps the image in use, or < 0
 * (logged). With c->ephemeral, no upper/work is set: the writable layer
 * is a tmpfs made by image_mount_rootfs(). */
int image_run_prepare(RunConfig *c, int *ret_use_fd);

/* Mounts the machine's overlay below its machine directory (hidden under
 * a tmpfs for an ephemeral machine) and returns the root path. Must run in
 * a private mount namespace. Logs its errors. */
int image_mount_rootfs(const RunConfig *c, char **ret_root);

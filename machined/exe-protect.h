/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Keeps the container from writing the host's corral-run binary or its
 * libraries (CVE-2019-5736 and its map_files variant). The container's
 * first process is a clone of corral-run, so /proc/1/exe and
 * /proc/1/map_files/ inside lead to the host files it maps. corral-run
 * therefore re-executes itself once at start, in a private mount
 * namespace in which every mount is read-only, so that the binary and
 * every library the loader maps come from read-only mounts; then it
 * returns to the host's mount namespace. Opening those files for writing
 * through any /proc link then fails with EROFS, and the mounts cannot be
 * made writable again: they are in no namespace anymore. */

/* Call first thing in main(). Returns 0 when the process now runs from
 * read-only mounts (the exec happened), < 0 on failure. Does not return
 * on the first call when the exec succeeds. */
int exe_protect_reexec(char **argv);

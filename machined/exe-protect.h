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
 * made writable again: they are in no namespace anymore.
 *
 * The installed corral-run is a small static launcher (corral-run-
 * launcher.c) that does this step and execs the real binary,
 * corral-run-real; started directly, corral-run-real re-executes itself.
 * corrald does the launcher's step itself in the vfork() child that
 * starts a monitor (exe_protect_spawn_child()) and execs corral-run-real
 * directly, which saves an exec per start. */

/* The environment entry that carries "MNTFD:CWDFD" across the exec: the
 * host's mount namespace and working directory to return to. */
#define EXE_PROTECT_ENV "CORRAL_RUN_PROTECTED"
/* The fds exe_protect_spawn_child() leaves them on. */
#define EXE_PROTECT_SPAWN_MNTFD 3
#define EXE_PROTECT_SPAWN_CWDFD 4
#define EXE_PROTECT_SPAWN_ENTRY EXE_PROTECT_ENV "=3:4"

/* Enters a private mount namespace with every mount read-only and execs
 * exe there (with argv and a marker in the environment that
 * exe_protect_reexec() in the new image picks up). Returns only on
 * failure. Used by the static corral-run launcher, so that the heavy
 * dynamically linked binary is loaded only once. */
int exe_protect_exec(const char *exe, char **argv);

/* Call first thing in main(). Returns 0 when the process now runs from
 * read-only mounts (the exec happened), < 0 on failure. Does not return
 * on the first call when the exec succeeds. */
int exe_protect_reexec(char **argv);

/* For a spawner's child after fork()/vfork(), with every fd above stderr
 * closed, right before it execs corral-run-real with
 * EXE_PROTECT_SPAWN_ENTRY in the environment: puts the host's mount
 * namespace and cwd on fds 3 and 4 (not close-on-exec) and enters the
 * read-only view, exactly as exe_protect_exec() does. System calls only,
 * nothing allocated. < 0 on failure; the child must then exit. */
int exe_protect_spawn_child(void);

/* Where corral-run-real is for the launcher at path launcher (resolved):
 * next to it, else in the libexec directory. -errno of the last access()
 * when there is none. */
int exe_protect_find_real(const char *launcher, char **ret);

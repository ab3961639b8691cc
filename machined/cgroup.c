/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup context and the machine cgroup's life cycle, whatever the
 * backend: reads mountinfo once, decides the layout (v2, hybrid, v1) and
 * with it the ops table, finds corral's parent cgroup (configured root,
 * default corral.slice, or our own delegated subtree under systemd),
 * creates, opens and removes machine cgroups in every hierarchy in use.
 * The v1/v2 specific work (limits, kill, attach, accounting, mounts for
 * the container) happens behind CgroupOps in cgroup-v1.c and cgroup-v2.c;
 * the cgroupfs helpers all of them use are in cgroup-util.c. */

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>

#include "cgroup-internal.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"

#define CGROUP_DEFAULT_ROOT "corral.slice"
#define CGROUP_DELEGATED_ROOT "machines"
#define CGROUP_DELEGATED_LEAF "monitor"

static const char *const layout_table[_CGROUP_LAYOUT_MAX] = {
        [CGROUP_LAYOUT_UNIFIED] = "unified",
        [CGROUP_LAYOUT_HYBRID] = "hybrid",
        [CGROUP_LAYOUT_LEGACY] = "legacy",
};

const char *cgroup_layout_to_string(CgroupLayout l) {
        if (l < 0 || l >= _CGROUP_LAYOUT_MAX)
                return NULL;
        return layout_table[l];
}

int cgroup_layout_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(layout_table); i++)
                if (streq(layout_table[i], s))
                        return (int) i;
        return -EINVAL;
}

static const char *const controller_table[_CGROUP_CONTROLLER_MAX] = {
        [CGROUP_CONTROLLER_CPU] = "cpu",
        [CGROUP_CONTROLLER_CPUACCT] = "cpuacct",
        [CGROUP_CONTROLLER_CPUSET] = "cpuset",
        [CGROUP_CONTROLLER_MEMORY] = "memory",
        [CGROUP_CONTROLLER_DEVICES] = "devices",
        [CGROUP_CONTROLLER_FREEZER] = "freezer",
        [CGROUP_CONTROLLER_BLKIO] = "blkio",
        [CGROUP_CONTROLLER_PIDS] = "pids",
        [CGROUP_CONTROLLER_IO] = "io",
        [CGROUP_CONTROLLER_NAME_SYSTEMD] = "name=systemd",
};

const char *cgroup_controller_to_string(CgroupController c) {
        if (c < 0 || c >= _CGROUP_CONTROLLER_MAX)
                return NULL;
        return controller_table[c];
}

int cgroup_controller_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(controller_table); i++)
                if (streq(controller_table[i], s))
                        return (int) i;
        return -EINVAL;
}

/* ---- mountinfo ---- */

/* Undoes mountinfo's octal escapes ("\040" for a blank) in place. */
static void unoctal(char *s) {
        char *w = s;
        for (char *p = s; *p;) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        *w++ = (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
                        p += 4;
                } else
                        *w++ = *p++;
        }
        *w = 0;
}

static void hierarchy_clear(CgroupHierarchy *h) {
        free(h->mount_path);
        free(h->options);
        free(h->parent_path);
        safe_close(h->parent_fd);
}

void cgroup_hierarchies_free(CgroupHierarchy *h, size_t n) {
        for (size_t i = 0; h && i < n; i++)
                hierarchy_clear(&h[i]);
        free(h);
}

static uint32_t v1_controllers_from_options(const char *superopts, char **ret_options) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *opts = NULL;
        uint32_t mask = 0;

        if (strv_split(superopts, ",", &words) < 0)
                return 0;
        STRV_FOREACH(w, words) {
                int c = cgroup_controller_from_string(*w);
                if (c < 0 || c == CGROUP_CONTROLLER_IO)
                        continue;
                mask |= CGROUP_MASK(c);
                char *n = opts ? strprintf("%s,%s", opts, *w) : strdup(*w);
                if (!n)
                        return 0;
                free(opts);
                opts = n;
        }
        *ret_options = TAKE_PTR(opts);
        return mask;
}

int cgroup_parse_mountinfo(const char *text, CgroupHierarchy **ret, size_t *ret_n) {
        _cleanup_strv_free_ char **lines = NULL;
        CgroupHierarchy *h = NULL;
        size_t n = 0;
        bool have_unified = false;
        int r;

        r = strv_split(text, "\n", &lines);
        if (r < 0)
                return r;

        STRV_FOREACH(line, lines) {
                _cleanup_strv_free_ char **f = NULL;
                if (strv_split(*line, " ", &f) < 0)
                        goto oom;
                size_t nf = strv_length(f), sep = 0;
                for (size_t i = 6; i < nf; i++)
                        if (streq(f[i], "-")) {
                                sep = i;
                                break;
                        }
                if (sep == 0 || nf < sep + 4)
                        continue; /* malformed: not ours to judge */
                const char *fstype = f[sep + 1], *superopts = f[sep + 3];
                bool unified = streq(fstype, "cgroup2");
                if (!unified && !streq(fstype, "cgroup"))
                        continue;

                _cleanup_free_ char *options = NULL;
                uint32_t mask = 0;
                if (unified) {
                        if (have_unified) /* the first cgroup2 mount wins */
                                continue;
                } else {
                        mask = v1_controllers_from_options(superopts, &options);
                        if (mask == 0)
                                continue; /* a hierarchy corral does not use */
                        bool dup = false;
                        for (size_t i = 0; i < n; i++)
                                if (!h[i].unified && h[i].controllers == mask)
                                        dup = true; /* bind mount of one we have */
                        if (dup)
                                continue;
                }

                CgroupHierarchy *nh = realloc(h, (n + 1) * sizeof(CgroupHierarchy));
                if (!nh)
                        goto oom;
                h = nh;
                unoctal(f[4]);
                h[n] = (CgroupHierarchy) {
                        .mount_path = strdup(f[4]),
                        .options = TAKE_PTR(options),
                        .controllers = mask,
                        .unified = unified,
                        .parent_fd = -EBADF,
                };
                n++;
                if (!h[n - 1].mount_path)
                        goto oom;
                have_unified = have_unified || unified;
        }

        *ret = h;
        *ret_n = n;
        return 0;
oom:
        cgroup_hierarchies_free(h, n);
        return -ENOMEM;
}

int cgroup_layout_detect(const CgroupHierarchy *h, size_t n) {
        bool v1_controllers = false, unified = false;
        for (size_t i = 0; i < n; i++) {
                if (h[i].unified)
                        unified = true;
                else if (h[i].controllers & ~CGROUP_MASK(CGROUP_CONTROLLER_NAME_SYSTEMD))
                        v1_controllers = true;
        }
        /* A v2 host that also mounts name=systemd for old containers is
         * still unified: only v1 controllers make it hybrid or legacy. */
        if (v1_controllers)
                return unified ? CGROUP_LAYOUT_HYBRID : CGROUP_LAYOUT_LEGACY;
        if (unified)
                return CGROUP_LAYOUT_UNIFIED;
        return -ENOMEDIUM;
}

/* ---- /proc/self/cgroup ---- */

/* Our own cgroup in hierarchy h, from /proc/self/cgroup text. */
static int own_cgroup_path(const char *text, const CgroupHierarchy *h, char **ret) {
        _cleanup_strv_free_ char **lines = NULL;
        int r = strv_split(text, "\n", &lines);
        if (r < 0)
                return r;
        STRV_FOREACH(line, lines) {
                /* "ID:CONTROLLERS:PATH" */
                char *a = strchr(*line, ':');
                char *b = a ? strchr(a + 1, ':') : NULL;
                if (!b)
                        continue;
                *b = 0;
                const char *ctl = a + 1, *path = b + 1;
                bool match = h->unified ? isempty(ctl) : streq_ptr(ctl, h->options);
                if (!match)
                        continue;
                char *p = strdup(path);
                if (!p)
                        return -ENOMEM;
                *ret = p;
                return 0;
        }
        return -ENOENT;
}

int cgroup_context_find(const CgroupContext *c, CgroupController ctl) {
        for (size_t i = 0; i < c->n_hierarchies; i++)
                if (c->hierarchies[i].controllers & CGROUP_MASK(ctl))
                        return (int) i;
        return -ENOENT;
}

int cgroup_context_tracking(const CgroupContext *c) {
        if (c->n_hierarchies == 0)
                return -ENOENT;
        if (c->layout == CGROUP_LAYOUT_UNIFIED)
                for (size_t i = 0; i < c->n_hierarchies; i++)
                        if (c->hierarchies[i].unified)
                                return (int) i;
        int i = cgroup_context_find(c, CGROUP_CONTROLLER_NAME_SYSTEMD);
        return i >= 0 ? i : 0;
}

/* ---- context ---- */

CgroupContext *cgroup_context_free(CgroupContext *c) {
        if (!c)
                return NULL;
        cgroup_hierarchies_free(c->hierarchies, c->n_hierarchies);
        free(c->root);
        safe_close(c->device_prog_fd);
        return mfree(c);
}

CgroupLayout cgroup_context_layout(const CgroupContext *c) {
        return c->layout;
}

const char *cgroup_context_root(const CgroupContext *c) {
        int i = cgroup_context_tracking(c);
        return i < 0 ? NULL : c->hierarchies[i].parent_path;
}

static int validate_relative_path(const char *p) {
        if (isempty(p) || strlen(p) > 1024)
                return -EINVAL;
        _cleanup_strv_free_ char **parts = NULL;
        int r = strv_split(p, "/", &parts);
        if (r < 0)
                return r;
        if (!parts || !parts[0])
                return -EINVAL;
        STRV_FOREACH(s, parts)
                if (streq(*s, ".") || streq(*s, ".."))
                        return -EINVAL;
        return 0;
}

/* Under systemd with Delegate=yes our unit's cgroup is ours: systemd
 * (251 and later) marks such a cgroup with the trusted.delegate (or, for
 * user managers, user.delegate) xattr. Then the process moves into a leaf
 * (v2 allows no processes in inner cgroups) and the machines go next to
 * it; without the mark corral keeps out of systemd's cgroups. */
static bool is_delegated(const char *path) {
        static const char *const names[] = { "trusted.delegate", "user.delegate" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char v[8];
                ssize_t n = getxattr(path, names[i], v, sizeof(v) - 1);
                if (n <= 0)
                        continue;
                v[n] = 0;
                if (parse_boolean(v) > 0)
                        return true;
        }
        return false;
}

/* The delegated cgroup we run in, if any: our own cgroup in hierarchy h
 * or its closest ancestor that systemd marked. A process started by
 * corrald (corral-run) sits in corrald.service/monitor, and must find
 * corrald.service as corrald itself does. Returns 1 and the path relative
 * to the hierarchy, or 0. */
static int find_delegated(const CgroupHierarchy *h, const char *proc_self_cgroup, char **ret_rel) {
        _cleanup_free_ char *own = NULL;
        if (own_cgroup_path(proc_self_cgroup, h, &own) < 0)
                return 0;
        for (;;) {
                char *slash = strrchr(own, '/');
                if (isempty(own) || streq(own, "/") || !slash)
                        return 0;
                _cleanup_free_ char *p = strprintf("%s%s", h->mount_path, own);
                if (!p)
                        return -ENOMEM;
                if (is_delegated(p)) {
                        *ret_rel = TAKE_PTR(own);
                        return 1;
                }
                *slash = 0;
        }
}

/* mkdir of every component of rel below base_fd; the backend prepares
 * each level (seeds cpusets on v1, enables controllers on v2). */
static int make_cgroup_path(CgroupContext *c, size_t i, int base_fd, const char *rel, int *ret_fd) {
        _cleanup_strv_free_ char **parts = NULL;
        _cleanup_close_ int fd = fcntl(base_fd, F_DUPFD_CLOEXEC, 3);
        int r;

        if (fd < 0)
                return -errno;
        r = strv_split(rel, "/", &parts);
        if (r < 0)
                return r;
        STRV_FOREACH(p, parts) {
                if (mkdirat(fd, *p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                int sub = openat(fd, *p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0)
                        return -errno;
                r = c->ops->prepare_cgroup(c, i, fd, sub);
                safe_close(fd);
                fd = sub;
                if (r < 0)
                        return r;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int cgroup_context_new_full(const char *mountinfo_path, const char *proc_self_cgroup,
                            int systemd_running, const char *root_path, CgroupContext **ret) {
        _cleanup_(cgroup_context_freep) CgroupContext *c = NULL;
        _cleanup_free_ char *mi = NULL, *self = NULL, *base_rel = NULL;
        int r;

        r = read_full_file_at(AT_FDCWD, mountinfo_path ?: "/proc/self/mountinfo", 0, &mi, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m",
                                       mountinfo_path ?: "/proc/self/mountinfo");

        c = calloc(1, sizeof(CgroupContext));
        if (!c)
                return log_oom();
        c->device_prog_fd = -EBADF;
        r = cgroup_parse_mountinfo(mi, &c->hierarchies, &c->n_hierarchies);
        if (r < 0)
                return log_oom();
        r = cgroup_layout_detect(c->hierarchies, c->n_hierarchies);
        if (r < 0)
                return log_error_errno(r, "No usable cgroup hierarchy is mounted.");
        c->layout = (CgroupLayout) r;
        c->ops = c->layout == CGROUP_LAYOUT_UNIFIED ? &cgroup_v2_ops : &cgroup_v1_ops;

        /* On a unified host a v1 name=systemd mount is only there for old
         * containers; corral leaves it alone. */
        if (c->layout == CGROUP_LAYOUT_UNIFIED) {
                size_t w = 0;
                for (size_t i = 0; i < c->n_hierarchies; i++) {
                        if (c->hierarchies[i].unified)
                                c->hierarchies[w++] = c->hierarchies[i];
                        else
                                hierarchy_clear(&c->hierarchies[i]);
                }
                c->n_hierarchies = w;
        }

        if (root_path) {
                r = validate_relative_path(root_path + strspn(root_path, "/"));
                if (r < 0)
                        return log_error_errno(r, "Invalid cgroup root '%s'.", root_path);
                c->root = strdup(root_path + strspn(root_path, "/"));
        } else {
                if (systemd_running < 0)
                        systemd_running = access("/run/systemd/system", F_OK) >= 0;
                if (systemd_running) {
                        int t = cgroup_context_tracking(c);
                        r = read_full_file_at(AT_FDCWD, proc_self_cgroup ?: "/proc/self/cgroup", 0,
                                              &self, NULL);
                        if (r < 0)
                                return log_error_errno(r, "Failed to read our own cgroup: %m");
                        r = find_delegated(&c->hierarchies[t], self, &base_rel);
                        if (r < 0)
                                return log_oom();
                        c->delegated = r > 0;
                }
                c->root = strdup(c->delegated ? CGROUP_DELEGATED_ROOT : CGROUP_DEFAULT_ROOT);
        }
        if (!c->root)
                return log_oom();

        for (size_t i = 0; i < c->n_hierarchies; i++) {
                CgroupHierarchy *h = &c->hierarchies[i];
                _cleanup_free_ char *base = NULL;
                _cleanup_close_ int base_fd = -EBADF;

                /* systemd gives a delegated unit the same path in every
                 * hierarchy. */
                base = strprintf("%s%s", h->mount_path, c->delegated ? base_rel : "");
                h->parent_path = strprintf("%s/%s", base ?: "", c->root);
                if (!base || !h->parent_path)
                        return log_oom();
                base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (base_fd < 0)
                        return log_error_errno(-errno, "Failed to open cgroup '%s': %m", base);

                if (c->delegated) {
                        _cleanup_close_ int leaf_fd = -EBADF;
                        char pid[32];
                        snprintf(pid, sizeof(pid), "%d", (int) getpid());
                        r = make_cgroup_path(c, i, base_fd, CGROUP_DELEGATED_LEAF, &leaf_fd);
                        if (r >= 0)
                                r = cg_write(leaf_fd, "cgroup.procs", pid);
                        if (r < 0)
                                return log_error_errno(r, "Failed to move ourselves into '%s/%s': %m",
                                                       base, CGROUP_DELEGATED_LEAF);
                }
                r = make_cgroup_path(c, i, base_fd, c->root, &h->parent_fd);
                if (r < 0)
                        return log_error_errno(r, "Failed to create cgroup '%s': %m", h->parent_path);
        }

        r = c->ops->setup_parent(c);
        if (r < 0)
                return log_error_errno(r, "Failed to set up corral's cgroup '%s': %m", c->root);

        log_debug("cgroup layout %s, corral parent '%s'%s.", cgroup_layout_to_string(c->layout),
                  c->root, c->delegated ? " (delegated by systemd)" : "");
        *ret = TAKE_PTR(c);
        return 0;
}

int cgroup_context_new(const char *mountinfo_path, const char *root_path, CgroupContext **ret) {
        return cgroup_context_new_full(mountinfo_path, NULL, -1, root_path, ret);
}

/* ---- machines ---- */

static int validate_machine_name(const char *name) {
        if (isempty(name) || strlen(name) > 255 || name[0] == '.' || strchr(name, '/'))
                return -EINVAL;
        for (const char *p = name; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return -EINVAL;
        return 0;
}

const char *cgroup_machine_path(const CgroupMachine *m) {
        return m ? m->path : NULL;
}

CgroupMachine *cgroup_machine_free(CgroupMachine *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; m->fds && i < m->context->n_hierarchies; i++)
                safe_close(m->fds[i]);
        free(m->fds);
        free(m->name);
        free(m->path);
        return mfree(m);
}

static int machine_alloc(CgroupContext *c, const char *name, CgroupMachine **ret) {
        int r = validate_machine_name(name);
        if (r < 0)
                return r;
        CgroupMachine *m = calloc(1, sizeof(CgroupMachine));
        if (!m)
                return -ENOMEM;
        m->context = c;
        m->name = strdup(name);
        m->fds = malloc(MAX(c->n_hierarchies, (size_t) 1) * sizeof(int));
        m->path = strprintf("%s/%s", strempty(cgroup_context_root(c)), name);
        if (!m->name || !m->fds || !m->path) {
                cgroup_machine_free(m);
                return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_hierarchies; i++)
                m->fds[i] = -EBADF;
        *ret = m;
        return 0;
}

static int populated_at(int dfd) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = cg_read_pids_recursive(dfd, &pids, &n);
        if (r < 0)
                return r;
        return n > 0;
}

int cgroup_machine_is_populated(CgroupMachine *m) {
        /* A cgroup2 (v2, or the hybrid one) says it in one read, for the
         * whole subtree. */
        for (size_t i = 0; i < m->context->n_hierarchies; i++) {
                uint64_t v;
                if (!m->context->hierarchies[i].unified || m->fds[i] < 0)
                        continue;
                if (cg_read_keyed_u64(m->fds[i], "cgroup.events", "populated", &v) >= 0)
                        return v > 0;
        }
        for (size_t i = 0; i < m->context->n_hierarchies; i++) {
                if (m->fds[i] < 0)
                        continue;
                int r = populated_at(m->fds[i]);
                if (r != 0)
                        return r;
        }
        return 0;
}

/* Removes the machine's cgroup from every hierarchy, best effort, first
 * error returned. */
static int machine_remove(CgroupMachine *m) {
        int r = 0;
        for (size_t i = 0; i < m->context->n_hierarchies; i++) {
                m->fds[i] = safe_close(m->fds[i]);
                int k = cg_rmdir_recursive(m->context->hierarchies[i].parent_fd, m->name);
                if (k < 0 && r >= 0)
                        r = k;
        }
        return r;
}

/* (Re)opens the machine's directory in every hierarchy where it still
 * exists. */
static int cgroup_machine_open_fds(CgroupMachine *m) {
        for (size_t i = 0; i < m->context->n_hierarchies; i++) {
                if (m->fds[i] >= 0)
                        continue;
                m->fds[i] = openat(m->context->hierarchies[i].parent_fd, m->name,
                                   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (m->fds[i] < 0 && errno != ENOENT)
                        return -errno;
        }
        return 0;
}

int cgroup_machine_open(CgroupContext *c, const char *name, CgroupMachine **ret) {
        _cleanup_(cgroup_machine_freep) CgroupMachine *m = NULL;
        int r = machine_alloc(c, name, &m);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_hierarchies; i++) {
                m->fds[i] = openat(c->hierarchies[i].parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (m->fds[i] < 0)
                        return -errno;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

int cgroup_machine_create(CgroupContext *c, const char *name, const CgroupLimits *limits,
                          CgroupMachine **ret) {
        _cleanup_(cgroup_machine_freep) CgroupMachine *m = NULL;
        int r = machine_alloc(c, name, &m);
        if (r < 0)
                return r;

        /* A cgroup of that name left by a crash goes first, but only when
         * nothing runs in it: then it is a machine that is still alive. */
        for (size_t i = 0; i < c->n_hierarchies; i++) {
                _cleanup_close_ int fd = openat(c->hierarchies[i].parent_fd, name,
                                                O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                r = populated_at(fd);
                if (r < 0)
                        return r;
                if (r > 0)
                        return -EBUSY;
                log_debug("Removing stale cgroup '%s/%s'.", c->hierarchies[i].parent_path, name);
                fd = safe_close(fd);
                r = cg_rmdir_recursive(c->hierarchies[i].parent_fd, name);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < c->n_hierarchies; i++) {
                if (mkdirat(c->hierarchies[i].parent_fd, name, 0755) < 0 ||
                    (m->fds[i] = openat(c->hierarchies[i].parent_fd, name,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                        r = -errno;
                        goto fail;
                }
        }
        for (size_t i = 0; i < c->n_hierarchies; i++) {
                r = c->ops->prepare_cgroup(c, i, c->hierarchies[i].parent_fd, m->fds[i]);
                if (r < 0)
                        goto fail;
        }
        if (limits) {
                r = c->ops->apply_limits(m, limits);
                if (r < 0)
                        goto fail;
        }
        *ret = TAKE_PTR(m);
        return 0;
fail:
        (void) machine_remove(m);
        return r;
}

int cgroup_machine_apply(CgroupMachine *m, const CgroupLimits *limits) {
        if (!limits)
                return 0;
        return m->context->ops->apply_limits(m, limits);
}

int cgroup_machine_clone_fd(CgroupMachine *m) {
        return m->context->ops->clone_fd(m);
}

int cgroup_machine_attach(CgroupMachine *m, pid_t pid) {
        if (pid <= 0)
                return -EINVAL;
        return m->context->ops->attach(m, pid);
}

static int chown_cgroup(int dfd, uid_t uid, gid_t gid) {
        if (fchown(dfd, uid, gid) < 0)
                return -errno;
        DIR *d = opendir_dup(dfd);
        if (!d)
                return -errno;
        /* The files a delegated subtree's owner may write (cgroup.procs,
         * cgroup.subtree_control, ...); the limits stay root's, as systemd
         * leaves them when it delegates. */
        static const char *const files[] = {
                "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "tasks",
                "cgroup.clone_children", "notify_on_release",
        };
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (fchownat(dirfd(d), files[i], uid, gid, 0) < 0 && errno != ENOENT && r >= 0)
                        r = -errno;
        closedir(d);
        return r;
}

int cgroup_machine_chown(CgroupMachine *m, uid_t uid, gid_t gid) {
        for (size_t i = 0; i < m->context->n_hierarchies; i++) {
                int r = chown_cgroup(m->fds[i], uid, gid);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_machine_kill(CgroupMachine *m, int sig) {
        if (sig <= 0 || sig >= _NSIG)
                return -EINVAL;
        return m->context->ops->kill(m, sig);
}

int cgroup_machine_wait_empty(CgroupMachine *m, usec_t timeout) {
        usec_t deadline = timeout == USEC_INFINITY ? USEC_INFINITY : now(CLOCK_MONOTONIC) + timeout;
        long ns = 100 * 1000;
        for (;;) {
                int r = cgroup_machine_is_populated(m);
                if (r <= 0)
                        return r;
                if (now(CLOCK_MONOTONIC) >= deadline)
                        return -ETIMEDOUT;
                nanosleep(&(struct timespec) { .tv_nsec = ns }, NULL);
                ns = MIN(ns * 2, 20L * 1000 * 1000);
        }
}

int cgroup_machine_destroy(CgroupMachine *m) {
        if (!m)
                return 0;
        /* The common case is an empty cgroup: remove first, and only when
         * the kernel refuses because processes are left, kill them, wait
         * and remove again. */
        int r = machine_remove(m);
        if (r == -EBUSY) {
                r = cgroup_machine_open_fds(m);
                if (r >= 0) {
                        (void) cgroup_machine_kill(m, SIGKILL);
                        r = cgroup_machine_wait_empty(m, 5 * USEC_PER_SEC);
                        int k = machine_remove(m);
                        if (r >= 0)
                                r = k;
                }
        }
        cgroup_machine_free(m);
        return r;
}

int cgroup_machine_get_accounting(CgroupMachine *m, CgroupAccounting *ret) {
        CgroupAccounting a = {
                .memory_current = UINT64_MAX,
                .memory_peak = UINT64_MAX,
                .cpu_usage_nsec = UINT64_MAX,
                .tasks_current = UINT64_MAX,
                .oom_kills = UINT64_MAX,
        };
        int r = m->context->ops->get_accounting(m, &a);
        if (r < 0)
                return r;
        *ret = a;
        return 0;
}

int cgroup_mount_in_container(const CgroupContext *c, const char *target) {
        return c->ops->mount_in_container(c, target);
}

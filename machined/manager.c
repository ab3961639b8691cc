/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corrald's core: the registry of machines, definitions, adoption,
 * autostart and the Enable/Disable override; see manager.h. */

#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "corral-config.h"
#include "definition-dirs.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

int manager_new(sd_event *event, const char *root, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        *m = (Manager) {
                .event = sd_event_ref(event),
                .root_fd = -EBADF,
                .inotify_fd = -EBADF,
                .access_gid = (gid_t) -1,
        };
        m->root = strdup(root ?: "/");
        m->corral_run = strdup(CORRAL_BINDIR "/corral-run");
        if (!m->root || !m->corral_run)
                return -ENOMEM;
        m->root_fd = open(m->root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (m->root_fd < 0)
                return -errno;
        *ret = TAKE_PTR(m);
        return 0;
}

static void refused_clear(Manager *m) {
        for (size_t i = 0; i < m->n_refused; i++) {
                free(m->refused[i].name);
                free(m->refused[i].error);
        }
        m->refused = mfree(m->refused);
        m->n_refused = 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        m->hooks = (ManagerHooks) {};
        for (size_t i = 0; i < m->n_machines; i++)
                machine_free(m->machines[i]);
        free(m->machines);
        refused_clear(m);
        m->inotify_source = sd_event_source_disable_unref(m->inotify_source);
        safe_close(m->inotify_fd);
        cgroup_context_free(m->cgroup);
        free(m->cgroup_mountinfo);
        free(m->cgroup_root);
        strv_free(m->monitor_env);
        safe_close(m->root_fd);
        free(m->corral_run);
        free(m->root);
        sd_event_unref(m->event);
        return mfree(m);
}

int manager_set_corral_run(Manager *m, const char *path) {
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        free(m->corral_run);
        m->corral_run = p;
        return 0;
}

void manager_child_reset_rlimits(const Manager *m) {
        if (m->child_nofile_set)
                (void) setrlimit(RLIMIT_NOFILE, &m->child_nofile);
}

/* The registry is kept sorted by name, so that a lookup (every method
 * call naming a machine, every message to a machine object, every entry
 * of a Reload) is a binary search rather than a walk over 1,000 names.
 * Returns the index of name, or where it would be inserted. */
static size_t manager_find_index(Manager *m, const char *name, bool *ret_found) {
        size_t lo = 0, hi = m->n_machines;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(name, m->machines[mid]->name);
                if (c == 0) {
                        *ret_found = true;
                        return mid;
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        *ret_found = false;
        return lo;
}

Machine *manager_get_machine(Manager *m, const char *name) {
        bool found;
        size_t i = manager_find_index(m, name, &found);

        return found ? m->machines[i] : NULL;
}

const RefusedDefinition *manager_get_refused(Manager *m, const char *name) {
        for (size_t i = 0; i < m->n_refused; i++)
                if (streq(m->refused[i].name, name))
                        return &m->refused[i];
        return NULL;
}

static int manager_add_machine(Manager *m, const char *name, Machine **ret) {
        Machine **a, *machine;
        bool found;
        size_t i;
        int r;

        i = manager_find_index(m, name, &found);
        assert(!found);
        a = reallocarray(m->machines, m->n_machines + 1, sizeof *a);
        if (!a)
                return -ENOMEM;
        m->machines = a;
        r = machine_new(m, name, &machine);
        if (r < 0)
                return r;
        memmove(m->machines + i + 1, m->machines + i, (m->n_machines - i) * sizeof *m->machines);
        m->machines[i] = machine;
        m->n_machines++;
        if (m->hooks.machine_new)
                m->hooks.machine_new(m, machine, m->hooks.userdata);
        *ret = machine;
        return 0;
}

static void manager_remove_machine(Manager *m, size_t i) {
        Machine *machine = m->machines[i];

        if (m->hooks.machine_removed)
                m->hooks.machine_removed(m, machine, m->hooks.userdata);
        memmove(m->machines + i, m->machines + i + 1, (m->n_machines - i - 1) * sizeof *m->machines);
        m->n_machines--;
        machine_free(machine);
}

void manager_gc(Manager *m) {
        for (size_t i = m->n_machines; i > 0; i--) {
                Machine *machine = m->machines[i - 1];
                if (!machine->definition && IN_SET(machine->state, MACHINE_STOPPED, MACHINE_FAILED) &&
                    !machine->restart_pending)
                        manager_remove_machine(m, i - 1);
        }
}

void manager_notify_changed(Manager *m, Machine *machine) {
        if (m->hooks.machine_changed)
                m->hooks.machine_changed(m, machine, m->hooks.userdata);
}

int manager_load_definitions(Manager *m) {
        _cleanup_(definition_set_freep) DefinitionSet *set = NULL;
        int r;

        r = definition_dirs_load(m->root, &set);
        if (r < 0)
                return log_error_errno(r, "Failed to read machine definitions below '%s': %m", m->root);

        refused_clear(m);
        /* A machine that is not (validly) defined any more loses its
         * definition; manager_gc() drops it once it is stopped. */
        for (size_t i = 0; i < m->n_machines; i++) {
                Machine *machine = m->machines[i];
                const DefinitionEntry *e = definition_set_find(set, machine->name);
                bool autostart;

                if (!machine->definition || (e && e->definition))
                        continue;
                autostart = machine->definition->autostart;
                machine->definition = machine_definition_unref(machine->definition);
                if (autostart)
                        manager_notify_changed(m, machine);
        }

        for (size_t i = 0; i < set->n_entries; i++) {
                const DefinitionEntry *e = &set->entries[i];
                MachineDefinition *old;
                Machine *machine;

                if (!e->definition) {
                        RefusedDefinition *a = reallocarray(m->refused, m->n_refused + 1, sizeof *a);
                        if (!a)
                                return log_oom();
                        m->refused = a;
                        a[m->n_refused] = (RefusedDefinition) { strdup(e->name), strdup(strempty(e->error)) };
                        if (!a[m->n_refused].name || !a[m->n_refused].error)
                                return log_oom();
                        m->n_refused++;
                        log_warning("Machine definition '%s' refused:\n%s", e->name, strempty(e->error));
                        continue;
                }
                machine = manager_get_machine(m, e->name);
                if (!machine) {
                        r = manager_add_machine(m, e->name, &machine);
                        if (r < 0)
                                return log_oom();
                }
                /* Of the properties that signal changes, a definition only
                 * decides Autostart (unless EnableMachine's override does): a
                 * reload of 1,000 unchanged definitions sends no
                 * PropertiesChanged, each of which cost corrald more than
                 * parsing the file. A machine that had none is new to its
                 * watchers. */
                old = machine->definition;
                machine->definition = machine_definition_ref(e->definition);
                if (!old || old->autostart != e->definition->autostart)
                        manager_notify_changed(m, machine);
                machine_definition_unref(old);
        }
        manager_gc(m);
        log_debug("Loaded %zu machine definitions, %zu refused.", m->n_machines, m->n_refused);
        return 0;
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        union {
                struct inotify_event ev;
                char buf[4096];
        } u;

        for (;;) {
                ssize_t k = read(fd, &u, sizeof u);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                log_warning_errno(-errno, "Failed to read inotify events, ignoring: %m");
                        return 0;
                }
                for (char *p = u.buf; p < u.buf + k;) {
                        struct inotify_event *e = (struct inotify_event *) p;
                        if (e->len > 0 && streq(e->name, "state"))
                                for (size_t i = 0; i < m->n_machines; i++)
                                        if (m->machines[i]->state_watch == e->wd) {
                                                machine_state_changed(m->machines[i]);
                                                break;
                                        }
                        p += sizeof *e + e->len;
                }
        }
}

int manager_watch_machine(Manager *m, Machine *machine) {
        _cleanup_free_ char *dir = NULL, *abs = NULL;
        int r, wd;

        if (m->inotify_fd < 0) {
                m->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
                if (m->inotify_fd < 0)
                        return log_error_errno(-errno, "Failed to create inotify fd: %m");
                r = sd_event_add_io(m->event, &m->inotify_source, m->inotify_fd, EPOLLIN, on_inotify, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch inotify fd: %m");
        }
        dir = machine_state_dir(machine);
        if (!dir)
                return log_oom();
        abs = strprintf("%s/%s", m->root, dir);
        if (!abs)
                return log_oom();
        /* The state file is replaced by rename (IN_MOVED_TO); a close after
         * writing counts too for writers that do not rename. */
        wd = inotify_add_watch(m->inotify_fd, abs, IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
        if (wd < 0)
                return log_error_errno(-errno, "Failed to watch '%s': %m", abs);
        machine->state_watch = wd;
        return 0;
}

void manager_unwatch_machine(Manager *m, Machine *machine) {
        if (machine->state_watch >= 0 && m->inotify_fd >= 0)
                (void) inotify_rm_watch(m->inotify_fd, machine->state_watch);
        machine->state_watch = -1;
}

int manager_adopt_all(Manager *m) {
        _cleanup_close_ int dfd = -EBADF;
        DIR *d;
        struct dirent *de;

        dfd = openat(m->root_fd, "run/corral/machines", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : log_error_errno(-errno, "Failed to open state directory: %m");
        d = fdopendir(TAKE_FD(dfd));
        if (!d)
                return log_error_errno(-errno, "Failed to open state directory: %m");

        while ((de = readdir(d))) {
                _cleanup_close_ int mfd = -EBADF;
                MachineStateFile f;
                Machine *machine;
                int r;

                if (de->d_name[0] == '.' || de->d_type != DT_DIR)
                        continue;
                mfd = openat(dirfd(d), de->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
                if (mfd < 0)
                        continue;
                r = machine_state_file_read(mfd, &f);
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        log_warning_errno(r, "Unreadable state file of machine '%s', removing it: %m", de->d_name);
                        (void) unlinkat(mfd, "state", 0);
                        continue;
                }
                machine = manager_get_machine(m, de->d_name);
                if (!machine) {
                        /* Still running, but its definition is gone: keep it until it stops. */
                        r = manager_add_machine(m, de->d_name, &machine);
                        if (r < 0) {
                                closedir(d);
                                return log_oom();
                        }
                }
                r = machine_adopt(machine, &f);
                if (r < 0)
                        log_warning_errno(r, "Failed to adopt machine '%s', ignoring: %m", de->d_name);
        }
        closedir(d);
        manager_gc(m);
        return 0;
}

int manager_get_autostart_override(Manager *m, const char *name) {
        _cleanup_free_ char *p = strprintf("var/lib/corral/autostart/%s", name), *v = NULL;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_one_line_file_at(m->root_fd, p, &v);
        if (r < 0)
                return r;
        return streq(strstrip(v), "yes");
}

int manager_set_autostart(Manager *m, Machine *machine, bool enable) {
        _cleanup_free_ char *p = strprintf("var/lib/corral/autostart/%s", machine->name);
        const char *v = enable ? "yes\n" : "no\n";
        int r;

        if (!p)
                return -ENOMEM;
        r = mkdir_p_at(m->root_fd, "var/lib/corral/autostart", 0755);
        if (r < 0)
                return r;
        r = write_file_atomic_at(m->root_fd, p, v, strlen(v), 0644);
        if (r < 0)
                return r;
        manager_notify_changed(m, machine);
        return 0;
}

int manager_autostart(Manager *m) {
        for (size_t i = 0; i < m->n_machines; i++) {
                Machine *machine = m->machines[i];
                int r;

                if (!machine_get_autostart(machine) || !IN_SET(machine->state, MACHINE_STOPPED) ||
                    machine->restart_pending)
                        continue;
                /* Asynchronous: a start forks the monitor and returns, so one slow
                 * machine never holds the others. */
                r = machine_start(machine);
                if (r < 0)
                        log_warning_errno(r, "Failed to autostart machine '%s', ignoring: %m", machine->name);
        }
        return 0;
}

int manager_startup(Manager *m) {
        int r;

        r = manager_load_definitions(m);
        if (r < 0)
                return r;
        r = manager_adopt_all(m);
        if (r < 0)
                return r;
        return manager_autostart(m);
}

int manager_get_cgroup_context(Manager *m, CgroupContext **ret) {
        int r;

        if (!m->cgroup) {
                r = cgroup_context_new(m->cgroup_mountinfo, m->cgroup_root, &m->cgroup);
                if (r < 0)
                        return r;
        }
        *ret = m->cgroup;
        return 0;
}

/* Whether the cgroup line "ID:CONTROLLERS:/rel/path" puts its process in
 * (or below) the cgroup whose file system path is cgroup_path. */
static bool cgroup_line_within(const char *line, size_t len, const char *cgroup_path) {
        const char *colon = memrchr(line, ':', len);
        size_t rl, cl = strlen(cgroup_path);

        if (!colon)
                return false;
        colon++;
        rl = len - (size_t) (colon - line);
        /* Cut components off the end until the rest ends cgroup_path. */
        while (rl > 1) {
                if (rl <= cl && memcmp(cgroup_path + cl - rl, colon, rl) == 0 &&
                    (rl == cl || cgroup_path[cl - rl - 1] == '/' || colon[0] == '/'))
                        return true;
                const char *slash = memrchr(colon, '/', rl);
                if (!slash || slash == colon)
                        return false;
                rl = (size_t) (slash - colon);
        }
        return false;
}

Machine *manager_get_machine_by_pid(Manager *m, pid_t pid) {
        _cleanup_free_ char *p = NULL, *buf = NULL;

        if (pid <= 0)
                return NULL;
        for (size_t i = 0; i < m->n_machines; i++)
                if (m->machines[i]->leader == pid)
                        return m->machines[i];

        /* Any other process: by its cgroup. */
        p = strprintf("/proc/%d/cgroup", (int) pid);
        if (!p || read_full_file_at(AT_FDCWD, p, 0, &buf, NULL) < 0)
                return NULL;
        for (size_t i = 0; i < m->n_machines; i++) {
                Machine *machine = m->machines[i];
                CgroupMachine *cg;

                if (machine->leader <= 0 || machine_get_cgroup(machine, &cg) < 0)
                        continue;
                for (const char *line = buf; *line;) {
                        const char *nl = strchrnul(line, '\n');
                        if (cgroup_line_within(line, (size_t) (nl - line), cgroup_machine_path(cg)))
                                return machine;
                        line = *nl ? nl + 1 : nl;
                }
        }
        return NULL;
}

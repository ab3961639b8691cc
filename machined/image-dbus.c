/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Images over D-Bus; see image-dbus.h. An import runs in a forked worker
 * (image_import() of image-import.c blocks for as long as the archive
 * takes), so the bus never waits on it: the worker writes {done, total}
 * records into a pipe, its exit status is 0 or an errno, and it cancels
 * cleanly (image_import's cancel flag) as soon as the other end of its
 * cancel pipe becomes readable or hangs up - on Cancel(), or when corrald
 * goes away. The worker never touches sd-bus or sd-event: libsystemd
 * objects do not survive a fork. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "image-dbus.h"
#include "image-import.h"
#include "image-store.h"
#include "log.h"
#include "machine-dbus.h"
#include "signal-util.h"
#include "string-util.h"
#include "time-util.h"

typedef struct ImageBus ImageBus;

typedef struct ImageJob {
        ImageBus *owner;
        uint32_t id;
        char *path;
        char *image;
        char *state; /* running, done, failed, cancelled */
        char *error;
        uint64_t done, total;
        usec_t last_changed;
        pid_t pid;
        int pidfd;
        int progress_fd;
        int cancel_fd;
        sd_event_source *pid_source;
        sd_event_source *progress_source;
} ImageJob;

struct ImageBus {
        Manager *manager;
        sd_bus *bus;
        ImageJob **jobs;
        size_t n_jobs;
        uint32_t next_id;
};

typedef struct Progress {
        uint64_t done, total;
} Progress;

static ImageJob *job_free(ImageJob *j) {
        if (!j)
                return NULL;
        sd_event_source_disable_unref(j->pid_source);
        sd_event_source_disable_unref(j->progress_source);
        if (j->pidfd >= 0 && j->state && streq(j->state, "running"))
                (void) syscall(SYS_pidfd_send_signal, j->pidfd, SIGKILL, NULL, 0);
        safe_close(j->pidfd);
        safe_close(j->progress_fd);
        safe_close(j->cancel_fd);
        free(j->path);
        free(j->image);
        free(j->state);
        free(j->error);
        return mfree(j);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(ImageJob *, job_free);

static void image_bus_free(void *userdata) {
        ImageBus *ib = userdata;
        for (size_t i = 0; i < ib->n_jobs; i++)
                job_free(ib->jobs[i]);
        free(ib->jobs);
        free(ib);
}

/* The same rule as the manager's other mutating methods: root, or a
 * member of the configured access group. */
static int check_privileged(sd_bus_message *msg, ImageBus *ib, const char *what, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const gid_t *gids;
        uid_t uid;
        gid_t gid;
        int r, n;

        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS,
                                      &creds);
        if (r < 0)
                return r;
        if (sd_bus_creds_get_euid(creds, &uid) >= 0 && uid == 0)
                return 0;
        gid_t access = ib->manager->access_gid;
        if (access != (gid_t) -1) {
                if (sd_bus_creds_get_egid(creds, &gid) >= 0 && gid == access)
                        return 0;
                n = sd_bus_creds_get_supplementary_gids(creds, &gids);
                for (int i = 0; i < n; i++)
                        if (gids[i] == access)
                                return 0;
        }
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "Only root may %s.", what);
}

static int open_store(ImageBus *ib, ImageStore **ret, sd_bus_error *error) {
        int r = image_store_open(ib->manager->root, ret);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_FAILED, "Cannot open the image store: %s.", strerror(-r));
        return 0;
}

static int image_path(const char *name, char **ret) {
        return sd_bus_path_encode(CORRAL_BUS_IMAGE_PREFIX, name, ret);
}

static int method_list_images(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        ImageBus *ib = userdata;
        Image **images = NULL;
        size_t n = 0;
        int r;

        r = open_store(ib, &s, error);
        if (r < 0)
                return r;
        r = image_store_list(s, &images, &n);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_FAILED, "Cannot list images: %s.", strerror(-r));

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssbttto)");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *p = NULL;
                r = image_path(images[i]->name, &p);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "(ssbttto)", images[i]->name, "layered", true,
                                                  (uint64_t) images[i]->created, (uint64_t) images[i]->created,
                                                  image_size(images[i]), p);
        }
        image_list_free(images, n);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int lookup_image(ImageBus *ib, const char *name, sd_bus_error *error) {
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        _cleanup_(image_freep) Image *i = NULL;
        int r;

        if (!image_name_is_valid(name))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid image name '%s'.", name);
        r = open_store(ib, &s, error);
        if (r < 0)
                return r;
        r = image_store_get(s, name, &i);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_IMAGE, "No image '%s'.", name);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_FAILED, "Cannot read image '%s': %s.", name, strerror(-r));
        return 0;
}

static int method_get_image(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *p = NULL;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = lookup_image(userdata, name, error);
        if (r < 0)
                return r;
        r = image_path(name, &p);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "o", p);
}

static int method_remove_image(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        ImageBus *ib = userdata;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = check_privileged(msg, ib, "remove images", error);
        if (r < 0)
                return r;
        r = lookup_image(ib, name, error);
        if (r < 0)
                return r;
        r = open_store(ib, &s, error);
        if (r < 0)
                return r;
        r = image_store_remove(s, name, false);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, BUS_ERROR_IMAGE_IN_USE, "Image '%s' is in use by a machine.", name);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_IMAGE, "No image '%s'.", name);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_FAILED, "Cannot remove image '%s': %s.", name, strerror(-r));
        log_info("Removed image '%s'.", name);
        return sd_bus_reply_method_return(msg, NULL);
}

/* Worker side. */
typedef struct Worker {
        int progress_fd;
        int cancel_fd;
        atomic_bool cancel;
} Worker;

static void worker_progress(uint64_t done, uint64_t total, void *userdata) {
        Worker *w = userdata;
        Progress p = { done, total };
        struct pollfd pfd = { .fd = w->cancel_fd, .events = POLLIN };

        /* Non-blocking: a full pipe only means the parent is behind. */
        (void) write(w->progress_fd, &p, sizeof p);
        /* A byte (Cancel()) or a hang-up (corrald gone) cancels. */
        if (poll(&pfd, 1, 0) > 0)
                atomic_store(&w->cancel, true);
}

_noreturn_ static void worker(const char *root, const char *path, const char *name, ImageFormat format,
                              const char *ref, int progress_fd, int cancel_fd) {
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        Worker w = { .progress_fd = progress_fd, .cancel_fd = cancel_fd };
        int r;

        (void) reset_all_signal_handlers();
        (void) reset_signal_mask();
        (void) close_all_fds_except((int[]) { STDERR_FILENO, progress_fd, cancel_fd }, 3);

        r = image_store_open(root, &s);
        if (r < 0)
                _exit(MIN(-r, 255));
        ImportOptions o = {
                .format = format,
                .ref = ref,
                .progress = worker_progress,
                .userdata = &w,
                .cancel = &w.cancel,
        };
        r = image_import(s, path, name, &o);
        _exit(r < 0 ? MIN(-r, 255) : 0);
}

/* Parent side. */
static int job_send_changed(ImageJob *j) {
        return sd_bus_emit_properties_changed(j->owner->bus, j->path, CORRAL_JOB_IFACE, "State", "BytesDone",
                                              "BytesTotal", "Progress", NULL);
}

static void job_remove(ImageJob *j) {
        ImageBus *ib = j->owner;
        (void) sd_bus_emit_signal(ib->bus, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE, "JobRemoved", "uoss", j->id,
                                  j->path, j->state, strempty(j->error));
        for (size_t i = 0; i < ib->n_jobs; i++)
                if (ib->jobs[i] == j) {
                        memmove(ib->jobs + i, ib->jobs + i + 1, (ib->n_jobs - i - 1) * sizeof(ImageJob *));
                        ib->n_jobs--;
                        break;
                }
        job_free(j);
}

static int set_string(char **p, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        free(*p);
        *p = c;
        return 0;
}

static int on_progress(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ImageJob *j = userdata;
        Progress p;
        bool any = false;

        while (read(fd, &p, sizeof p) == sizeof p) {
                j->done = p.done;
                j->total = p.total;
                any = true;
        }
        if (revents & (EPOLLHUP | EPOLLERR))
                j->progress_source = sd_event_source_disable_unref(j->progress_source);
        /* At most ten PropertiesChanged a second. */
        usec_t n = now(CLOCK_MONOTONIC);
        if (any && n - j->last_changed >= 100 * USEC_PER_MSEC) {
                j->last_changed = n;
                (void) job_send_changed(j);
        }
        return 0;
}

static int on_worker_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ImageJob *j = userdata;
        siginfo_t si = {};

        if (waitid((idtype_t) P_PIDFD, (id_t) fd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
                return 0;
        /* The last progress records, then the verdict. */
        if (j->progress_source)
                (void) on_progress(NULL, j->progress_fd, 0, j);
        int status = si.si_code == CLD_EXITED ? si.si_status : EINTR;
        (void) set_string(&j->state, status == 0 ? "done" : status == ECANCELED ? "cancelled" : "failed");
        if (status != 0 && status != ECANCELED)
                (void) set_string(&j->error, strerror(status));
        if (status == 0)
                log_info("Imported image '%s'.", j->image);
        else
                log_warning("Import of image '%s' %s: %s", j->image, j->state, strerror(status));
        (void) job_send_changed(j);
        job_remove(j);
        return 0;
}

static int parse_format(const char *path, const char *format, ImageFormat *ret, char **ret_path, char **ret_ref) {
        _cleanup_free_ char *p = strdup(path), *ref = NULL;
        struct stat st;

        if (!p)
                return -ENOMEM;
        if (streq(format, "oci")) {
                /* DIR[:TAG], or an OCI archive file. */
                char *colon = strrchr(p, ':');
                if (stat(p, &st) < 0 && colon) {
                        ref = strdup(colon + 1);
                        if (!ref)
                                return -ENOMEM;
                        *colon = 0;
                }
                *ret = stat(p, &st) >= 0 && S_ISDIR(st.st_mode) ? IMAGE_FORMAT_OCI : IMAGE_FORMAT_OCI_ARCHIVE;
        } else if (streq(format, "docker"))
                *ret = IMAGE_FORMAT_DOCKER_ARCHIVE;
        else {
                ImageFormat f = image_format_from_string(format);
                if (f < 0)
                        return -EINVAL;
                *ret = f;
        }
        *ret_path = TAKE_PTR(p);
        *ret_ref = TAKE_PTR(ref);
        return 0;
}

static int method_import_image(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        _cleanup_(image_freep) Image *existing = NULL;
        _cleanup_close_pair_ int progress[2] = { -EBADF, -EBADF }, cancel[2] = { -EBADF, -EBADF };
        _cleanup_free_ char *source = NULL, *ref = NULL;
        ImageBus *ib = userdata;
        const char *path, *name, *format;
        ImageFormat f;
        int r;

        r = sd_bus_message_read(msg, "sss", &path, &name, &format);
        if (r < 0)
                return r;
        r = check_privileged(msg, ib, "import images", error);
        if (r < 0)
                return r;
        if (!image_name_is_valid(name))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid image name '%s'.", name);
        if (path[0] != '/')
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "The path '%s' is not absolute.", path);
        r = parse_format(path, format, &f, &source, &ref);
        if (r == -EINVAL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Unknown format '%s': 'tar', 'oci' or 'docker'.", format);
        if (r < 0)
                return r;
        if (access(source, R_OK) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Cannot read '%s': %s.", source,
                                         strerror(errno));
        r = open_store(ib, &s, error);
        if (r < 0)
                return r;
        if (image_store_get(s, name, &existing) >= 0)
                return sd_bus_error_setf(error, BUS_ERROR_IMAGE_EXISTS, "Image '%s' exists already.", name);

        if (pipe2(progress, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(cancel, O_CLOEXEC) < 0)
                return -errno;

        _cleanup_(job_freep) ImageJob *j = calloc(1, sizeof(ImageJob));
        if (!j)
                return -ENOMEM;
        *j = (ImageJob) { .owner = ib, .id = ++ib->next_id, .pidfd = -EBADF, .progress_fd = -EBADF,
                          .cancel_fd = -EBADF };
        j->path = strprintf("%s/%u", CORRAL_BUS_JOB_PREFIX, j->id);
        j->image = strdup(name);
        j->state = strdup("running");
        if (!j->path || !j->image || !j->state)
                return -ENOMEM;

        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                worker(ib->manager->root, source, name, f, ref, progress[1], cancel[0]);

        j->pid = pid;
        j->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (j->pidfd < 0) {
                r = -errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        j->progress_fd = TAKE_FD(progress[0]);
        j->cancel_fd = TAKE_FD(cancel[1]);
        r = sd_event_add_io(ib->manager->event, &j->progress_source, j->progress_fd, EPOLLIN, on_progress, j);
        if (r < 0)
                return r;
        r = sd_event_add_io(ib->manager->event, &j->pid_source, j->pidfd, EPOLLIN, on_worker_exit, j);
        if (r < 0)
                return r;

        ImageJob **l = realloc(ib->jobs, (ib->n_jobs + 1) * sizeof(ImageJob *));
        if (!l)
                return -ENOMEM;
        ib->jobs = l;
        ib->jobs[ib->n_jobs++] = j;
        log_info("Importing '%s' as image '%s' (job %u).", path, name, j->id);
        return sd_bus_reply_method_return(msg, "o", TAKE_PTR(j)->path);
}

static int method_cancel(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        ImageJob *j = userdata;
        int r = check_privileged(msg, j->owner, "cancel imports", error);
        if (r < 0)
                return r;
        /* The worker notices at its next progress step and cleans up. */
        if (j->cancel_fd >= 0)
                (void) write(j->cancel_fd, "c", 1);
        return sd_bus_reply_method_return(msg, NULL);
}

static int property_get_progress(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        ImageJob *j = userdata;
        double p = j->total > 0 ? (double) MIN(j->done, j->total) / (double) j->total : 0.0;
        return sd_bus_message_append(reply, "d", p);
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        ImageJob *j = userdata;
        const char *v = streq(property, "State") ? j->state : streq(property, "Image") ? j->image : j->error;
        return sd_bus_message_append(reply, "s", strempty(v));
}

static int job_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                    sd_bus_error *error) {
        ImageBus *ib = userdata;
        for (size_t i = 0; i < ib->n_jobs; i++)
                if (streq(ib->jobs[i]->path, path)) {
                        *found = ib->jobs[i];
                        return 1;
                }
        return 0;
}

static int job_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        ImageBus *ib = userdata;
        for (size_t i = 0; i < ib->n_jobs; i++)
                if (strv_extend(&l, ib->jobs[i]->path) < 0)
                        return -ENOMEM;
        *nodes = TAKE_PTR(l);
        return 1;
}

static const sd_bus_vtable job_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "u", NULL, offsetof(ImageJob, id), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Image", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Error", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BytesDone", "t", NULL, offsetof(ImageJob, done), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BytesTotal", "t", NULL, offsetof(ImageJob, total), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Progress", "d", property_get_progress, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Cancel", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_cancel,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable image_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ListImages", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ssbttto)", images),
                                method_list_images, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetImage", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", image), method_get_image,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ImportImage", SD_BUS_ARGS("s", path, "s", name, "s", format),
                                SD_BUS_RESULT("o", job), method_import_image, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveImage", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, method_remove_image,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("JobRemoved", SD_BUS_ARGS("u", id, "o", job, "s", result, "s", error), 0),
        SD_BUS_VTABLE_END,
};

int image_bus_attach(Manager *m, sd_bus *bus) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        ImageBus *ib;
        int r;

        ib = calloc(1, sizeof(ImageBus));
        if (!ib)
                return log_oom();
        ib->manager = m;
        ib->bus = bus;

        r = sd_bus_add_object_vtable(bus, &slot, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE, image_manager_vtable, ib);
        if (r < 0) {
                free(ib);
                return log_error_errno(r, "Failed to add the image methods: %m");
        }
        /* The state goes with the connection: freed when the slot is. */
        (void) sd_bus_slot_set_destroy_callback(slot, image_bus_free);
        (void) sd_bus_slot_set_floating(slot, true);

        r = sd_bus_add_fallback_vtable(bus, NULL, CORRAL_BUS_JOB_PREFIX, CORRAL_JOB_IFACE, job_vtable, job_find, ib);
        if (r < 0)
                return log_error_errno(r, "Failed to add the job objects: %m");
        r = sd_bus_add_node_enumerator(bus, NULL, CORRAL_BUS_JOB_PREFIX, job_enumerator, ib);
        if (r < 0)
                return log_error_errno(r, "Failed to add the job enumerator: %m");
        return 0;
}

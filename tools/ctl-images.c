/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* images, import-tar, import-oci, import-docker, remove-image. An import
 * is a job on corrald's side (ImportImage -> o job): we subscribe to
 * JobRemoved before the call, then poll the job's BytesDone/BytesTotal for
 * a progress bar on a terminal (plain lines when stderr is not one) until
 * the job is removed. */

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"

#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-format.h"
#include "ctl-json.h"
#include "ctl-table.h"
#include "ctl.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

int verb_images(CtlContext *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(ctl_table_freep) CtlTable *t = NULL;
        _cleanup_(json_object_putp) json_object *array = NULL;
        static const char *const headers[] = { "NAME", "TYPE", "RO", "USAGE", "CREATED", "MODIFIED" };
        const char *name, *type, *path;
        uint64_t created, modified, usage;
        int ro, r;

        r = ctl_call_manager(c->bus, "ListImages", &error, &reply, NULL);
        if (r < 0)
                return ctl_log_error("list images", NULL, NULL, &error, r), CTL_EXIT_FAILURE;

        if (c->args->json != CTL_JSON_OFF) {
                if (!(array = json_object_new_array()))
                        return log_oom(), CTL_EXIT_FAILURE;
        } else if (ctl_table_new(headers, ELEMENTSOF(headers), &t) < 0)
                return log_oom(), CTL_EXIT_FAILURE;

        r = sd_bus_message_enter_container(reply, 'a', "(ssbttto)");
        while (r >= 0 &&
               (r = sd_bus_message_read(reply, "(ssbttto)", &name, &type, &ro, &created, &modified, &usage, &path)) > 0) {
                if (array) {
                        json_object *o = json_object_new_object();
                        if (!o || ctl_json_add_string(o, "name", name) < 0 || ctl_json_add_string(o, "type", type) < 0 ||
                            ctl_json_add_bool(o, "read_only", ro) < 0 ||
                            ctl_json_add_uint64_or_null(o, "created_usec", created ?: UINT64_MAX) < 0 ||
                            ctl_json_add_uint64_or_null(o, "modified_usec", modified ?: UINT64_MAX) < 0 ||
                            ctl_json_add_uint64_or_null(o, "usage_bytes", usage) < 0 ||
                            json_object_array_add(array, o) < 0)
                                return json_object_put(o), log_oom(), CTL_EXIT_FAILURE;
                        continue;
                }
                char u[32], cr[64], mo[64];
                const char *cells[] = {
                        name, type, ro ? "yes" : "no",
                        usage == UINT64_MAX ? "-" : ctl_format_bytes(u, sizeof u, usage),
                        ctl_format_timestamp(cr, sizeof cr, created), ctl_format_timestamp(mo, sizeof mo, modified),
                };
                if (ctl_table_add_row(t, cells, NULL) < 0)
                        return log_oom(), CTL_EXIT_FAILURE;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply of ListImages: %m"), CTL_EXIT_FAILURE;

        if (array)
                return ctl_json_print(array, c->args->json, c->out) < 0 ? CTL_EXIT_FAILURE : 0;
        ctl_table_sort(t, 0);
        size_t n = ctl_table_rows(t);
        if (n > 0 || !c->args->no_legend)
                (void) ctl_table_print(t, c->out, !c->args->no_legend, c->colors);
        if (!c->args->no_legend)
                fprintf(c->out, "\n%zu image%s listed.\n", n, n == 1 ? "" : "s");
        return 0;
}

typedef struct ImportWait {
        const char *job;
        bool removed;
        char *result;
        char *error;
        bool tty;
        usec_t started;
        unsigned last_step;
        uint64_t last_done;
        uint64_t last_total;
} ImportWait;

static void show_progress(bool tty, uint64_t done, uint64_t total, usec_t started, unsigned *last_step);

static void import_progress(ImportWait *w, json_object *props) {
        uint64_t total = ctl_prop_uint64(props, "BytesTotal", w->last_total);
        uint64_t done = ctl_prop_uint64(props, "BytesDone", 0);
        /* A polled value may be older than a signal already shown. */
        if (done < w->last_done)
                return;
        w->last_done = done;
        w->last_total = total;
        show_progress(w->tty, done, total, w->started, &w->last_step);
}

/* Progress pushed by the job (PropertiesChanged), which also covers imports
 * quicker than our polling. */
static int on_job_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        ImportWait *w = userdata;
        _cleanup_(json_object_putp) json_object *changed = NULL;
        const char *iface;

        if (!w->job || !streq_ptr(sd_bus_message_get_path(m), w->job))
                return 0;
        if (sd_bus_message_read(m, "s", &iface) < 0 || !streq(iface, CORRAL_JOB_IFACE))
                return 0;
        if (ctl_bus_read_value(m, &changed) <= 0)
                return 0;
        if (json_object_object_get(changed, "BytesDone"))
                import_progress(w, changed);
        return 0;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        ImportWait *w = userdata;
        const char *path, *result, *error;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &result, &error) < 0 || !streq(path, w->job))
                return 0;
        w->removed = true;
        w->result = strdup(result);
        w->error = strdup(error);
        return 0;
}

/* The path argument as corrald must see it: absolute, since corrald runs
 * elsewhere; for "DIR:TAG" only DIR is resolved. */
static char *absolute_source(const char *arg, bool oci) {
        char buf[PATH_MAX];
        struct stat st;

        if (stat(arg, &st) >= 0 || !oci || !strrchr(arg, ':'))
                return realpath(arg, buf) ? strdup(buf) : NULL;
        const char *colon = strrchr(arg, ':');
        _cleanup_free_ char *dir = strndup(arg, colon - arg);
        if (!dir || !realpath(dir, buf))
                return NULL;
        return strprintf("%s%s", buf, colon);
}

static void show_progress(bool tty, uint64_t done, uint64_t total, usec_t started, unsigned *last_step) {
        usec_t el = now(CLOCK_MONOTONIC) - started;
        uint64_t rate = el > 0 ? (uint64_t) ((double) done * USEC_PER_SEC / (double) el) : 0;
        _cleanup_free_ char *line = ctl_format_progress(done, total, rate, tty ? 30 : 0);

        if (!line)
                return;
        if (tty) {
                if (done == 0 && total == 0)
                        return; /* nothing known yet */
                fprintf(stderr, "\r%s\x1B[K", line);
                return;
        }
        /* Plain lines: one per tenth of the way (or per 8 MiB when the total
         * is unknown), none before the first byte. */
        if (done == 0)
                return;
        unsigned step = total > 0 ? (unsigned) (done * 10 / total) : (unsigned) (done >> 23);
        if (step != *last_step) {
                *last_step = step;
                _cleanup_free_ char *plain = ctl_format_progress(done, total, rate, 0);
                /* Without a bar the line starts with "[] "; drop it. */
                const char *p = plain ? (startswith(plain, "[] ") ?: plain) : line;
                fprintf(stderr, "%s\n", p);
        }
}

int verb_import(CtlContext *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL, *changed_slot = NULL;
        const char *format = startswith(c->args->verb->name, "import-");
        const char *name = c->args->names[1], *job;
        bool tty = isatty(STDERR_FILENO);
        int r;

        if (streq(format, "tar") || streq(format, "docker") || streq(format, "oci"))
                ;
        else
                return log_error("Unknown import format '%s'.", format), CTL_EXIT_USAGE;

        _cleanup_free_ char *source = absolute_source(c->args->names[0], streq(format, "oci"));
        if (!source)
                return log_error_errno(-errno, "Cannot import '%s': %m", c->args->names[0]), CTL_EXIT_FAILURE;

        ImportWait w = { .tty = tty, .last_step = UINT32_MAX };
        r = sd_bus_match_signal(c->bus, &slot, CORRAL_BUS_NAME, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE, "JobRemoved",
                                on_job_removed, &w);
        if (r >= 0)
                r = sd_bus_match_signal(c->bus, &changed_slot, CORRAL_BUS_NAME, NULL, "org.freedesktop.DBus.Properties",
                                        "PropertiesChanged", on_job_changed, &w);
        if (r < 0)
                return log_error_errno(r, "Failed to watch import jobs: %m"), CTL_EXIT_FAILURE;

        r = ctl_call_manager(c->bus, "ImportImage", &error, &reply, "sss", source, name, format);
        if (r < 0)
                return ctl_log_error("import", "image", name, &error, r), CTL_EXIT_FAILURE;
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply of ImportImage: %m"), CTL_EXIT_FAILURE;
        w.job = job;

        /* ^C cancels the job (once; a second one leaves at once), as
         * machinectl does with its transfers. */
        sigset_t mask, old_mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, &old_mask);
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        bool cancelling = false;

        usec_t next_poll = 0;
        w.started = now(CLOCK_MONOTONIC);
        bool gone = false;
        while (!w.removed && !gone) {
                if (now(CLOCK_MONOTONIC) >= next_poll) {
                        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                        _cleanup_(json_object_putp) json_object *props = NULL;
                        if (ctl_bus_get_all(c->bus, job, CORRAL_JOB_IFACE, &e, &props) < 0)
                                gone = true; /* finished before we looked; GetImage tells how */
                        else
                                import_progress(&w, props);
                        next_poll = now(CLOCK_MONOTONIC) + 100 * USEC_PER_MSEC;
                }
                r = sd_bus_process(c->bus, NULL);
                if (r < 0)
                        return log_error_errno(r, "Lost corrald during the import: %m"), CTL_EXIT_FAILURE;
                if (r > 0)
                        continue;

                struct pollfd p[2] = {
                        { .fd = sd_bus_get_fd(c->bus), .events = (short) sd_bus_get_events(c->bus) },
                        { .fd = sfd, .events = POLLIN },
                };
                (void) poll(p, sfd >= 0 ? 2 : 1, 100);
                struct signalfd_siginfo si;
                if (sfd >= 0 && read(sfd, &si, sizeof si) == sizeof si) {
                        if (cancelling) {
                                fprintf(stderr, "\nLeaving; the import of '%s' may still be cancelling.\n", name);
                                return CTL_EXIT_FAILURE;
                        }
                        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                        cancelling = true;
                        fprintf(stderr, "%sCancelling the import of '%s'.\n", tty ? "\n" : "", name);
                        r = sd_bus_call_method(c->bus, CORRAL_BUS_NAME, job, CORRAL_JOB_IFACE, "Cancel", &e, NULL, NULL);
                        if (r < 0)
                                ctl_log_error("cancel the import of", "image", name, &e, r);
                }
        }
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        bool ok;
        if (w.removed)
                ok = streq_ptr(w.result, "done");
        else {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *r2 = NULL;
                sd_bus_error_free(&error);
                ok = ctl_call_manager(c->bus, "GetImage", &error, &r2, "s", name) >= 0;
        }
        if (tty) {
                /* The last frame: all of it, when it all went in. */
                if (ok && w.last_total > 0)
                        show_progress(tty, w.last_total, w.last_total, w.started, &w.last_step);
                fputc('\n', stderr);
        }
        if (!ok) {
                const char *why = !isempty(w.error) ? w.error : !isempty(w.result) ? w.result : "the import failed";
                fprintf(stderr, "Failed to import image '%s': %s\n", name, why);
        } else
                fprintf(stderr, "Imported image '%s'.\n", name);
        free(w.result);
        free(w.error);
        return ok ? 0 : CTL_EXIT_FAILURE;
}

int verb_remove_image(CtlContext *c) {
        int ret = 0;
        STRV_FOREACH(name, c->args->names) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r = ctl_call_manager(c->bus, "RemoveImage", &error, NULL, "s", *name);
                if (r < 0) {
                        ctl_log_error("remove", "image", *name, &error, r);
                        ret = CTL_EXIT_FAILURE;
                }
        }
        return ret;
}

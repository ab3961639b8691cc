/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* D-Bus error name -> one-line message; see ctl-error.h. Templates use
 * %A (action), %K (kind), %N (name), %M (the daemon's message, or
 * strerror when it sent none). Each entry has a form for calls about one
 * named object and one for calls without a name (list, daemon-reload). */

#include <string.h>

#include "ctl-error.h"
#include "log.h"
#include "macro.h"
#include "string-util.h"

static const struct {
        const char *error_name;
        const char *with_name;
        const char *without_name;
} error_table[] = {
        { "org.corral.machine1.NoSuchMachine", "No machine '%N'", "No such machine: %M" },
        { "org.corral.machine1.NoSuchImage", "No image '%N'", "No such image: %M" },
        { "org.freedesktop.DBus.Error.AccessDenied", "Failed to %A %K '%N': Access denied: %M",
          "Failed to %A: Access denied: %M" },
        { "org.freedesktop.DBus.Error.ServiceUnknown", "Failed to %A %K '%N': corrald is not running (%M)",
          "Failed to %A: corrald is not running (%M)" },
        { "org.freedesktop.DBus.Error.NameHasNoOwner", "Failed to %A %K '%N': corrald is not running (%M)",
          "Failed to %A: corrald is not running (%M)" },
        { "org.freedesktop.DBus.Error.UnknownMethod", "Failed to %A %K '%N': this corrald does not support it (%M)",
          "Failed to %A: this corrald does not support it (%M)" },
        { "org.freedesktop.DBus.Error.NoReply", "Failed to %A %K '%N': corrald did not answer in time",
          "Failed to %A: corrald did not answer in time" },
        { "org.freedesktop.DBus.Error.Timeout", "Failed to %A %K '%N': corrald did not answer in time",
          "Failed to %A: corrald did not answer in time" },
};

static int append(char **buf, size_t *len, const char *s, size_t n) {
        char *b = realloc(*buf, *len + n + 1);
        if (!b)
                return -ENOMEM;
        memcpy(b + *len, s, n);
        *len += n;
        b[*len] = 0;
        *buf = b;
        return 0;
}

static char *render(const char *template, const char *action, const char *kind, const char *name,
                    const char *message) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;

        for (const char *p = template; *p; p++) {
                const char *s = NULL;
                if (*p == '%' && p[1]) {
                        switch (p[1]) {
                        case 'A':
                                s = action;
                                break;
                        case 'K':
                                s = kind;
                                break;
                        case 'N':
                                s = name;
                                break;
                        case 'M':
                                s = message;
                                break;
                        }
                }
                if (s) {
                        if (append(&buf, &len, s, strlen(s)) < 0)
                                return NULL;
                        p++;
                } else if (append(&buf, &len, p, 1) < 0)
                        return NULL;
        }
        if (!buf)
                return strdup("");
        /* One line, whatever the daemon's message looked like. */
        for (char *q = buf; *q; q++)
                if (*q == '\n' || *q == '\r')
                        *q = ' ';
        strstrip(buf);
        return TAKE_PTR(buf);
}

char *ctl_error_message(const char *action, const char *kind, const char *name, const sd_bus_error *error,
                        int r) {
        const char *error_name = error && error->name ? error->name : NULL;
        const char *message = error && !isempty(error->message) ? error->message : strerror(r < 0 ? -r : r);
        const char *with = "Failed to %A %K '%N': %M", *without = "Failed to %A: %M";

        for (size_t i = 0; error_name && i < ELEMENTSOF(error_table); i++)
                if (streq(error_name, error_table[i].error_name)) {
                        with = error_table[i].with_name;
                        without = error_table[i].without_name;
                        break;
                }

        /* "Failed to start 'web'" when the caller gave no kind. */
        if (name && !kind) {
                _cleanup_free_ char *t = NULL;
                const char *k = strstr(with, "%K ");
                if (k) {
                        t = strdup(with);
                        if (!t)
                                return NULL;
                        memmove(t + (k - with), t + (k - with) + 3, strlen(t + (k - with) + 3) + 1);
                }
                return render(t ?: with, action, "", name, message);
        }
        return render(name ? with : without, action ?: "talk to corrald", kind ?: "", name, message);
}

int ctl_log_error(const char *action, const char *kind, const char *name, const sd_bus_error *error, int r) {
        _cleanup_free_ char *m = ctl_error_message(action, kind, name, error, r);
        fprintf(stderr, "%s\n", m ?: "Out of memory.");
        return r < 0 ? r : -EIO;
}

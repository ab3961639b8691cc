/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify protocol helpers; see notify.h. */

#include <errno.h>
#include <string.h>

#include "fd-util.h"
#include "notify.h"
#include "string-util.h"

int notify_address_from_string(const char *s, struct sockaddr_un *ret, socklen_t *ret_len) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t l;

        if (isempty(s) || !IN_SET(s[0], '/', '@'))
                return -EINVAL;
        l = strlen(s);
        /* A path needs its NUL inside sun_path; an abstract name does not. */
        if (l >= sizeof sa.sun_path + (s[0] == '@'))
                return -EINVAL;
        if (s[0] == '@' && l < 2)
                return -EINVAL;

        memcpy(sa.sun_path, s, l);
        if (s[0] == '@')
                sa.sun_path[0] = 0;
        *ret = sa;
        *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + l + (s[0] == '/'));
        return 0;
}

int notify_format_ready(const char *program, char **ret) {
        char *m;

        if (program)
                m = strprintf("READY=1\nSTATUS=Running '%s'.\n", program);
        else
                m = strprintf("READY=1\n");
        if (!m)
                return -ENOMEM;
        *ret = m;
        return 0;
}

int notify_format_exit(int status, bool reboot, char **ret) {
        char *m;

        if (status < 0 || status > 255)
                return -EINVAL;
        m = strprintf("STOPPING=1\nEXIT_STATUS=%d\nSTATUS=Payload ended with status %d%s.\n",
                      status, status, reboot ? ", reboot requested" : "");
        if (!m)
                return -ENOMEM;
        *ret = m;
        return 0;
}

/* Finds the line "key..." in buf (not NUL-terminated); returns the start
 * of the value or NULL, and its length. */
static const char *find_line(const char *buf, size_t size, const char *key, size_t *ret_len) {
        size_t kl = strlen(key);
        const char *p = buf, *end = buf + size;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *le = nl ?: end;

                if ((size_t) (le - p) >= kl && memcmp(p, key, kl) == 0) {
                        *ret_len = (size_t) (le - p) - kl;
                        return p + kl;
                }
                p = le + 1;
        }
        return NULL;
}

bool notify_message_is_ready(const char *buf, size_t size) {
        size_t l;
        const char *v = find_line(buf, size, "READY=", &l);

        return v && l == 1 && v[0] == '1';
}

int notify_message_status(const char *buf, size_t size, char **ret) {
        size_t l;
        const char *v = find_line(buf, size, "STATUS=", &l);
        char *s;

        if (!v)
                return 0;
        s = strndup(v, l);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 1;
}

int notify_send(const char *address, const char *message) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa;
        socklen_t sl;
        int r;

        r = notify_address_from_string(address, &sa, &sl);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *) &sa, sl) < 0)
                return -errno;
        return 0;
}

int notify_listen(int *ret_fd, char **ret_address) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        socklen_t sl = sizeof(sa_family_t);
        char *a;

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* Binding only the family makes the kernel pick a free abstract name. */
        if (bind(fd, (struct sockaddr *) &sa, sl) < 0)
                return -errno;
        sl = sizeof sa;
        if (getsockname(fd, (struct sockaddr *) &sa, &sl) < 0)
                return -errno;
        if (sl <= offsetof(struct sockaddr_un, sun_path) + 1 || sa.sun_path[0] != 0)
                return -EADDRNOTAVAIL;

        a = strprintf("@%.*s", (int) (sl - offsetof(struct sockaddr_un, sun_path) - 1),
                      sa.sun_path + 1);
        if (!a)
                return -ENOMEM;
        *ret_address = a;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pager; see ctl-pager.h. */

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl-pager.h"
#include "fd-util.h"
#include "string-util.h"

int ctl_pager_open(CtlPager *p, bool no_pager) {
        _cleanup_close_pair_ int fds[2] = { -EBADF, -EBADF };
        const char *pager;

        p->pid = 0;
        p->saved_stdout = -EBADF;
        if (no_pager || !isatty(STDOUT_FILENO))
                return 0;
        pager = getenv("CORRAL_PAGER") ?: getenv("PAGER");
        if (pager && (isempty(pager) || streq(pager, "cat")))
                return 0;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (dup2(fds[0], STDIN_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                setenv("LESS", "FRXMK", 0);
                if (pager)
                        execlp("/bin/sh", "sh", "-c", pager, (char *) NULL);
                else {
                        execlp("less", "less", (char *) NULL);
                        execlp("more", "more", (char *) NULL);
                }
                /* No pager at all: copy through, so the output is not lost. */
                execlp("cat", "cat", (char *) NULL);
                _exit(EXIT_FAILURE);
        }

        p->saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (p->saved_stdout < 0 || dup2(fds[1], STDOUT_FILENO) < 0) {
                int r = -errno;
                kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                p->saved_stdout = safe_close(p->saved_stdout);
                return r;
        }
        p->pid = pid;
        /* A pager that quits early must not kill us with SIGPIPE mid-line. */
        signal(SIGPIPE, SIG_IGN);
        return 1;
}

void ctl_pager_close(CtlPager *p) {
        if (p->pid <= 0)
                return;
        fflush(stdout);
        (void) dup2(p->saved_stdout, STDOUT_FILENO);
        p->saved_stdout = safe_close(p->saved_stdout);
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        p->pid = 0;
}

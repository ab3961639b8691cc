/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The cleanup and ownership helpers every corral file uses: owning locals
 * carry a _cleanup_ attribute, ownership leaves a scope only through
 * TAKE_PTR()/TAKE_FD(). */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Returns the value of *p and clears it, for handing ownership on. */
#define TAKE_GENERIC(var, type, nullvalue)                \
        ({                                                \
                type *_pvar_ = &(var);                    \
                type _var_ = *_pvar_;                     \
                type _nullvalue_ = nullvalue;             \
                *_pvar_ = _nullvalue_;                    \
                _var_;                                    \
        })
#define TAKE_PTR(p) TAKE_GENERIC(p, __typeof__(p), NULL)
#define TAKE_FD(fd) TAKE_GENERIC(fd, int, -EBADF)

/* Defines a function suitable for _cleanup_() from a function that frees
 * its argument (and accepts NULL). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)        \
        static inline void func##p(type *p) {          \
                if (*p)                                \
                        func(*p);                      \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

/* errno as a negative value, never 0, for "return -errno" right after a
 * libc call that is documented to set it. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

#define RET_NERRNO(expr)                           \
        ({                                         \
                __typeof__(expr) _r_ = (expr);     \
                _r_ < 0 ? negative_errno() : _r_;  \
        })

#define ERRNO_IS_NOT_SUPPORTED(r) \
        (IN_SET(abs(r), EOPNOTSUPP, ENOTTY, ENOSYS, EAFNOSUPPORT, EPFNOSUPPORT, EPROTONOSUPPORT, \
                ESOCKTNOSUPPORT, EINVAL))

#define IN_SET(x, first, ...)                                          \
        ({                                                             \
                const __typeof__(first) _set_[] = { first, __VA_ARGS__ }; \
                bool _found_ = false;                                  \
                for (size_t _i_ = 0; _i_ < ELEMENTSOF(_set_); _i_++)   \
                        if ((x) == _set_[_i_]) {                       \
                                _found_ = true;                        \
                                break;                                 \
                        }                                              \
                _found_;                                               \
        })

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parsers for the value syntaxes shared by command lines and machine
 * definitions. All return 0 or -EINVAL/-ERANGE and write *ret only on
 * success. */

#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

/* yes/no, true/false, on/off, 1/0. Returns 1 or 0. */
int parse_boolean(const char *s);
int parse_uint64(const char *s, uint64_t *ret);
int parse_uint32(const char *s, uint32_t *ret);
int parse_int(const char *s, int *ret);
int parse_pid(const char *s, pid_t *ret);

/* Byte sizes with base-1024 suffixes K, M, G, T, P, E (optionally with a
 * trailing B); "infinity" is UINT64_MAX. */
int parse_size(const char *s, uint64_t *ret);

/* "20%" (also "12.5%") into parts per ten thousand (20% = 2000). */
int parse_permyriad(const char *s, uint32_t *ret);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Content digests of image blobs and layers: "sha256:HEX" strings as OCI
 * and docker write them, and the SHA-256 computation behind them, done by
 * OpenSSL's EVP interface (never by code of ours). Only sha256 is accepted:
 * it is what every registry and tool writes, and a store keyed by one
 * algorithm cannot confuse two digests of the same bytes. */

#include <stdint.h>

#include "macro.h"

#define SHA256_HEX_LEN 64

/* "sha256:" followed by 64 lower-case hex digits. Returns 0 and a pointer
 * to the hex part in *ret_hex (inside digest), or -EINVAL. */
int digest_parse(const char *digest, const char **ret_hex);
static inline bool digest_is_valid(const char *digest) {
        return digest_parse(digest, NULL) >= 0;
}
/* 64 lower-case hex digits. */
bool digest_hex_is_valid(const char *hex);

typedef struct DigestContext DigestContext;
int digest_context_new(DigestContext **ret);
DigestContext *digest_context_free(DigestContext *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(DigestContext *, digest_context_free);
int digest_context_update(DigestContext *c, const void *data, size_t size);
/* Writes the 64 hex digits and a NUL to ret_hex (SHA256_HEX_LEN + 1 bytes). */
int digest_context_final(DigestContext *c, char ret_hex[static SHA256_HEX_LEN + 1]);

/* Hashes everything readable from fd (from its current offset). on_bytes,
 * when set, is told the size of every chunk read and may return < 0 to
 * stop (cancellation); that value is returned. */
typedef int (*DigestProgress)(uint64_t bytes, void *userdata);
int digest_fd(int fd, DigestProgress on_bytes, void *userdata, char ret_hex[static SHA256_HEX_LEN + 1]);

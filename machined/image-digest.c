/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sha256 digests of blobs through OpenSSL EVP; see image-digest.h.
 * libcrypto is dlopen()ed at the first digest: only image imports need
 * it, and as a DT_NEEDED library it cost every exec of corral-run-real
 * its relocation (~400 KiB of dirty pages in each of a machine's three
 * processes). Imports run in a worker process, never in one that
 * becomes a container (dlopen-util.h). */

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "dlopen-util.h"
#include "image-digest.h"
#include "log.h"
#include "string-util.h"

/* Resolved once per process by crypto_load(); the only state here. */
DLOPEN_SYM_DECLARE(EVP_MD_CTX_new);
DLOPEN_SYM_DECLARE(EVP_MD_CTX_free);
DLOPEN_SYM_DECLARE(EVP_sha256);
DLOPEN_SYM_DECLARE(EVP_DigestInit_ex);
DLOPEN_SYM_DECLARE(EVP_DigestUpdate);
DLOPEN_SYM_DECLARE(EVP_DigestFinal_ex);

static const DlopenSymbol crypto_symbols[] = {
        DLOPEN_SYM(EVP_MD_CTX_new),    DLOPEN_SYM(EVP_MD_CTX_free),  DLOPEN_SYM(EVP_sha256),
        DLOPEN_SYM(EVP_DigestInit_ex), DLOPEN_SYM(EVP_DigestUpdate), DLOPEN_SYM(EVP_DigestFinal_ex),
        { NULL, NULL },
};
static DlopenLibrary crypto_library = { .soname = "libcrypto.so.3", .symbols = crypto_symbols };

static int crypto_load(void) {
        _cleanup_free_ char *error = NULL;
        int r = dlopen_library(&crypto_library, &error);
        /* Logged here: callers only see the errno, and an import failing
         * with "Operation not supported" would not say what to install. */
        if (r < 0)
                log_error_errno(r, "Cannot compute sha256 digests: %s", error ?: "out of memory");
        return r;
}

struct DigestContext {
        EVP_MD_CTX *md;
};

bool digest_hex_is_valid(const char *hex) {
        if (!hex || strlen(hex) != SHA256_HEX_LEN)
                return false;
        for (const char *p = hex; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

int digest_parse(const char *digest, const char **ret_hex) {
        const char *hex = digest ? startswith(digest, "sha256:") : NULL;
        if (!hex || !digest_hex_is_valid(hex))
                return -EINVAL;
        if (ret_hex)
                *ret_hex = hex;
        return 0;
}

int digest_context_new(DigestContext **ret) {
        int r = crypto_load();
        if (r < 0)
                return r;
        _cleanup_free_ DigestContext *c = calloc(1, sizeof(DigestContext));
        if (!c)
                return -ENOMEM;
        c->md = sym_EVP_MD_CTX_new();
        if (!c->md)
                return -ENOMEM;
        if (sym_EVP_DigestInit_ex(c->md, sym_EVP_sha256(), NULL) != 1) {
                sym_EVP_MD_CTX_free(c->md);
                return -EIO;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

DigestContext *digest_context_free(DigestContext *c) {
        if (!c)
                return NULL;
        /* A context exists only once crypto_load() succeeded. */
        sym_EVP_MD_CTX_free(c->md);
        return mfree(c);
}

int digest_context_update(DigestContext *c, const void *data, size_t size) {
        if (size == 0)
                return 0;
        return sym_EVP_DigestUpdate(c->md, data, size) == 1 ? 0 : -EIO;
}

int digest_context_final(DigestContext *c, char ret_hex[static SHA256_HEX_LEN + 1]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        if (sym_EVP_DigestFinal_ex(c->md, md, &n) != 1 || n != SHA256_HEX_LEN / 2)
                return -EIO;
        static const char hexchars[] = "0123456789abcdef";
        for (unsigned i = 0; i < n; i++) {
                ret_hex[2 * i] = hexchars[md[i] >> 4];
                ret_hex[2 * i + 1] = hexchars[md[i] & 15];
        }
        ret_hex[SHA256_HEX_LEN] = 0;
        return 0;
}

int digest_fd(int fd, DigestProgress on_bytes, void *userdata, char ret_hex[static SHA256_HEX_LEN + 1]) {
        _cleanup_(digest_context_freep) DigestContext *c = NULL;
        int r = digest_context_new(&c);
        if (r < 0)
                return r;

        _cleanup_free_ char *buf = malloc(256 * 1024);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf, 256 * 1024);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                r = digest_context_update(c, buf, (size_t) k);
                if (r < 0)
                        return r;
                if (on_bytes) {
                        r = on_bytes((uint64_t) k, userdata);
                        if (r < 0)
                                return r;
                }
        }
        return digest_context_final(c, ret_hex);
}

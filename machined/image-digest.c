/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sha256 digests of blobs through OpenSSL EVP; see image-digest.h. */

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "image-digest.h"
#include "string-util.h"

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
        _cleanup_free_ DigestContext *c = calloc(1, sizeof(DigestContext));
        if (!c)
                return -ENOMEM;
        c->md = EVP_MD_CTX_new();
        if (!c->md)
                return -ENOMEM;
        if (EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(c->md);
                return -EIO;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

DigestContext *digest_context_free(DigestContext *c) {
        if (!c)
                return NULL;
        EVP_MD_CTX_free(c->md);
        return mfree(c);
}

int digest_context_update(DigestContext *c, const void *data, size_t size) {
        if (size == 0)
                return 0;
        return EVP_DigestUpdate(c->md, data, size) == 1 ? 0 : -EIO;
}

int digest_context_final(DigestContext *c, char ret_hex[static SHA256_HEX_LEN + 1]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        if (EVP_DigestFinal_ex(c->md, md, &n) != 1 || n != SHA256_HEX_LEN / 2)
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

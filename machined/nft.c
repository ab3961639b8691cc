/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port forward specs, the text of corral's nftables table, and applying
 * it through libnftables.
 *
 * libnftables (and libnftnl, libxtables, libjansson and libgmp behind it)
 * is dlopen()ed, and only in a short-lived child of nft_apply(): the
 * caller is corral-run's container process, which clones the container's
 * PID 1 again when it reboots in place, and a library mapped after
 * exe-protect's re-exec comes from the host's writable mounts, where PID
 * 1's /proc/1/map_files would reach it. The child costs a fork on the
 * rare start or stop that changes the table (nft_table_is() saves the
 * rest); every exec of corral-run-real no longer loads ~76 KiB of
 * relocated pages and six libraries it rarely uses. */

#include <arpa/inet.h>
#include <inttypes.h>
#include <signal.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dlopen-util.h"
#include "fd-util.h"
#include "fileio.h"
#include "nft.h"
#include "parse-util.h"
#include "string-util.h"

static int parse_port(const char *s, size_t n, uint16_t *ret) {
        char buf[8];
        uint32_t v;

        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = 0;
        if (parse_uint32(buf, &v) < 0 || v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

int port_forward_parse(const char *spec, PortForward *ret) {
        PortForward p = { .protocol = IPPROTO_TCP };
        const char *s = spec, *colon;

        if (isempty(spec))
                return -EINVAL;
        if ((colon = startswith(s, "tcp:")))
                s = colon;
        else if ((colon = startswith(s, "udp:"))) {
                p.protocol = IPPROTO_UDP;
                s = colon;
        }

        colon = strchr(s, ':');
        if (parse_port(s, colon ? (size_t) (colon - s) : strlen(s), &p.host_port) < 0)
                return -EINVAL;
        if (colon) {
                if (parse_port(colon + 1, strlen(colon + 1), &p.container_port) < 0)
                        return -EINVAL;
        } else
                p.container_port = p.host_port;

        *ret = p;
        return 0;
}

static const char *protocol_name(int protocol) {
        return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

const char *port_forward_to_string(const PortForward *p, char *buf, size_t size) {
        snprintf(buf, size, "%s:%u:%u", protocol_name(p->protocol), p->host_port, p->container_port);
        return buf;
}

/* Quotes an interface name for nft; names are checked by the caller to be
 * valid interface names, which never contain a double quote. */
static void put_dnat_rules(FILE *f, const NftForward *fwd, size_t n_fwd, const char *match) {
        for (size_t i = 0; i < n_fwd; i++) {
                char a[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &fwd[i].address, a, sizeof(a));
                fprintf(f, "\t\t%sfib daddr type local %s dport %u dnat to %s:%u\n",
                        match, protocol_name(fwd[i].port.protocol), fwd[i].port.host_port,
                        a, fwd[i].port.container_port);
        }
}

int nft_ruleset_text(const NftMasquerade *masq, size_t n_masq, const NftForward *fwd, size_t n_fwd,
                     char **ret) {
        _cleanup_free_ char *body = NULL;
        char *buf = NULL;
        size_t size = 0, body_size = 0;
        FILE *f;

        if (n_masq > 0 || n_fwd > 0) {
                f = open_memstream(&body, &body_size);
                if (!f)
                        return -ENOMEM;
                fprintf(f, "\tchain prerouting {\n"
                           "\t\ttype nat hook prerouting priority -100; policy accept;\n");
                put_dnat_rules(f, fwd, n_fwd, "");
                fprintf(f, "\t}\n");

                /* Connections the host itself opens to one of its own
                 * addresses; loopback is left alone, since replies could
                 * not be routed back to 127.0.0.0/8 from a bridge. */
                fprintf(f, "\tchain output {\n"
                           "\t\ttype nat hook output priority -100; policy accept;\n");
                put_dnat_rules(f, fwd, n_fwd, "ip daddr != 127.0.0.0/8 ");
                fprintf(f, "\t}\n");

                fprintf(f, "\tchain postrouting {\n"
                           "\t\ttype nat hook postrouting priority 100; policy accept;\n");
                for (size_t i = 0; i < n_masq; i++) {
                        char s[SUBNET_STRING_MAX];
                        subnet_to_string(&masq[i].subnet, s);
                        /* Outbound: leaving the pool's bridge. */
                        fprintf(f, "\t\tip saddr %s oifname != \"%s\" masquerade\n", s, masq[i].bridge);
                        /* Hairpin: a machine reaching another through a
                         * forwarded host port; without this the reply would
                         * bypass the host and be dropped by the caller. */
                        fprintf(f, "\t\tct status dnat ip saddr %s oifname \"%s\" masquerade\n",
                                s, masq[i].bridge);
                }
                fprintf(f, "\t}\n");
                if (fclose(f) != 0)
                        return -ENOMEM;
        }

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        /* "add" before "delete" makes the delete succeed whether or not
         * the table exists, and the statements are one transaction:
         * nobody ever sees a half-built table. */
        fprintf(f, "add table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME "\n"
                   "delete table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME "\n");
        if (body) {
                /* The comment names the content, so that nft_table_is()
                 * can tell from the kernel whether this text is in force. */
                fprintf(f, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " {\n"
                           "\tcomment \"" NFT_COMMENT_PREFIX "%016" PRIx64 "\"\n%s}\n",
                        network_hash(body, body_size), body);
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

/* The comment the text sets, or NULL for the text that removes the table. */
static const char *text_comment(const char *text, char *buf, size_t size) {
        const char *c = strstr(text, "comment \"" NFT_COMMENT_PREFIX);
        if (!c)
                return NULL;
        c += strlen("comment \"");
        size_t l = strcspn(c, "\"");
        if (l >= size)
                return NULL;
        memcpy(buf, c, l);
        buf[l] = 0;
        return buf;
}

static int table_cb(const struct nlmsghdr *nlh, void *data) {
        char *comment = data;
        const struct nlattr *a;

        mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
                if (mnl_attr_get_type(a) != NFTA_TABLE_USERDATA)
                        continue;
                /* libnftnl's user data: type (1 byte), length (1 byte),
                 * value; the table comment is type 0, NUL-terminated. */
                const uint8_t *p = mnl_attr_get_payload(a);
                size_t n = mnl_attr_get_payload_len(a);
                while (n >= 2 && (size_t) p[1] + 2 <= n) {
                        if (p[0] == 0 && p[1] > 0 && p[1] < 64) {
                                memcpy(comment, p + 2, p[1]);
                                comment[p[1]] = 0;
                        }
                        n -= (size_t) p[1] + 2;
                        p += p[1] + 2;
                }
        }
        return MNL_CB_OK;
}

/* The comment of corral's table in the kernel ("" without one), or -ENOENT. */
static int table_comment(char comment[static 65]) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct mnl_socket *nl;
        struct nlmsghdr *nlh;
        struct nfgenmsg *nfg;
        uint32_t seq = (uint32_t) time(NULL), portid;
        int r;

        nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                goto finish;
        }
        portid = mnl_socket_get_portid(nl);

        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = seq;
        nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
        nfg->nfgen_family = NFPROTO_IPV4;
        nfg->version = NFNETLINK_V0;
        mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, NFT_TABLE_NAME);

        comment[0] = 0;
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
                r = -errno;
                goto finish;
        }
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n < 0) {
                        r = -errno;
                        goto finish;
                }
                errno = 0;
                r = mnl_cb_run(buf, (size_t) n, seq, portid, table_cb, comment);
                if (r < 0) {
                        r = negative_errno();
                        goto finish;
                }
                if (r == MNL_CB_STOP)
                        break;
        }
        r = 0;
finish:
        mnl_socket_close(nl);
        return r;
}

int nft_table_is(const char *text) {
        char want[65], have[65];
        const char *w = text_comment(text, want, sizeof(want));
        int r = table_comment(have);

        if (r == -ENOENT)
                return !w;
        if (r < 0)
                return r;
        return w && streq(have, w);
}

DLOPEN_SYM_DECLARE(nft_ctx_new);
DLOPEN_SYM_DECLARE(nft_ctx_free);
DLOPEN_SYM_DECLARE(nft_ctx_buffer_output);
DLOPEN_SYM_DECLARE(nft_ctx_buffer_error);
DLOPEN_SYM_DECLARE(nft_ctx_get_error_buffer);
DLOPEN_SYM_DECLARE(nft_run_cmd_from_buffer);

static const DlopenSymbol nftables_symbols[] = {
        DLOPEN_SYM(nft_ctx_new),          DLOPEN_SYM(nft_ctx_free),
        DLOPEN_SYM(nft_ctx_buffer_output), DLOPEN_SYM(nft_ctx_buffer_error),
        DLOPEN_SYM(nft_ctx_get_error_buffer), DLOPEN_SYM(nft_run_cmd_from_buffer),
        { NULL, NULL },
};
/* Only ever filled in the child of nft_apply(). */
static DlopenLibrary nftables_library = { .soname = "libnftables.so.1", .symbols = nftables_symbols };

/* In the child: loads libnftables and runs text; a message for the
 * caller goes to error_fd. */
static int apply_in_child(const char *text, int error_fd) {
        _cleanup_free_ char *error = NULL;
        struct nft_ctx *ctx;
        int r;

        r = dlopen_library(&nftables_library, &error);
        if (r < 0) {
                if (error)
                        (void) dprintf(error_fd, "%s", error);
                return r;
        }
        ctx = sym_nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        if (sym_nft_ctx_buffer_output(ctx) < 0 || sym_nft_ctx_buffer_error(ctx) < 0)
                r = -ENOMEM;
        else if (sym_nft_run_cmd_from_buffer(ctx, text) != 0) {
                const char *e = strempty(sym_nft_ctx_get_error_buffer(ctx));
                (void) dprintf(error_fd, "%s", e);
                /* libnftables reports no errno; the kernel refusing a
                 * well-formed ruleset is most often a missing module. */
                r = -EOPNOTSUPP;
        }
        sym_nft_ctx_free(ctx);
        return r;
}

int nft_apply(const char *text, char **ret_error) {
        _cleanup_close_ int rfd = -EBADF, wfd = -EBADF;
        _cleanup_free_ char *error = NULL;
        int fds[2], status, r;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        rfd = fds[0];
        wfd = fds[1];

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                rfd = safe_close(rfd);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                r = apply_in_child(text, wfd);
                _exit(r < 0 ? (-r & 0xff) : 0);
        }

        /* Read to EOF before waiting: a long message could fill the pipe. */
        wfd = safe_close(wfd);
        r = read_full_fd(rfd, 64 * 1024, &error, NULL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status))
                return -EPROTO;
        if (WEXITSTATUS(status) != 0) {
                if (ret_error)
                        *ret_error = r >= 0 ? TAKE_PTR(error) : NULL;
                return -WEXITSTATUS(status);
        }
        return 0;
}

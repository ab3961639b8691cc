/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink requests through libmnl: build one message, send it, read the
 * replies until the kernel's ack or the end of a dump. Callbacks only
 * collect; errors come back as the kernel's -errno. */

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fd-util.h"
#include "netlink.h"
#include "string-util.h"

/* Dumps of a busy host come in chunks of up to a page each; a generous
 * receive buffer lets one recv() take several. */
#define RTNL_BUFFER_SIZE (32U * 1024U)

struct Rtnl {
        struct mnl_socket *nl;
        unsigned portid;
        uint32_t seq;
        char buf[RTNL_BUFFER_SIZE];
};

static int rtnl_from_fd(int fd, Rtnl **ret) {
        _cleanup_close_ int sfd = fd;
        Rtnl *r = calloc(1, sizeof(Rtnl));
        if (!r)
                return -ENOMEM;
        r->nl = mnl_socket_fdopen(sfd);
        if (!r->nl) {
                int e = negative_errno();
                free(r);
                return e;
        }
        TAKE_FD(sfd);
        if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int e = negative_errno();
                rtnl_free(r);
                return e;
        }
        r->portid = mnl_socket_get_portid(r->nl);
        r->seq = (uint32_t) time(NULL);
        *ret = r;
        return 0;
}

int rtnl_open(Rtnl **ret) {
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        return rtnl_from_fd(fd, ret);
}

int rtnl_open_netns(int netns_fd, Rtnl **ret) {
        _cleanup_close_ int self = -EBADF;
        int fd, saved;

        /* A netlink socket stays in the namespace it was created in, so a
         * short visit of this thread is enough: no fork, no helper. */
        self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return -errno;
        if (setns(netns_fd, CLONE_NEWNET) < 0)
                return -errno;
        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        saved = fd < 0 ? -errno : 0;
        /* Going back into our own namespace cannot fail short of a kernel
         * bug; staying in the container's would be a security hole. */
        if (setns(self, CLONE_NEWNET) < 0)
                abort();
        if (fd < 0)
                return saved;
        return rtnl_from_fd(fd, ret);
}

Rtnl *rtnl_free(Rtnl *r) {
        if (!r)
                return NULL;
        if (r->nl)
                mnl_socket_close(r->nl);
        free(r);
        return NULL;
}

static struct nlmsghdr *rtnl_message(Rtnl *r, uint16_t type, uint16_t flags) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        nlh->nlmsg_seq = ++r->seq;
        return nlh;
}

/* Sends nlh (built in r->buf) and reads until the ack or NLMSG_DONE; cb
 * sees every data message. */
static int rtnl_call(Rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
        uint32_t seq = nlh->nlmsg_seq;

        if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
                if (n < 0)
                        return -errno;
                errno = 0;
                int k = mnl_cb_run(r->buf, (size_t) n, seq, r->portid, cb, data);
                if (k < 0)
                        return negative_errno();
                if (k == MNL_CB_STOP)
                        return 0;
        }
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int ifindex, unsigned flags, unsigned change) {
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        ifi->ifi_flags = flags;
        ifi->ifi_change = change;
        return ifi;
}

/* ---- links ---- */

typedef struct LinkInfo {
        int ifindex;
        char *alias;
        int want_master;
        char **ports;
        int n_ports;
        int error;
} LinkInfo;

static int link_cb(const struct nlmsghdr *nlh, void *data) {
        LinkInfo *li = data;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *a;
        const char *name = NULL, *alias = NULL;
        int master = 0;

        if (nlh->nlmsg_type != RTM_NEWLINK)
                return MNL_CB_OK;
        mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
                switch (mnl_attr_get_type(a)) {
                case IFLA_IFNAME:
                        if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                                name = mnl_attr_get_str(a);
                        break;
                case IFLA_IFALIAS:
                        if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                                alias = mnl_attr_get_str(a);
                        break;
                case IFLA_MASTER:
                        if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                                master = (int) mnl_attr_get_u32(a);
                        break;
                }
        }

        if (li->want_master > 0) {
                if (master == li->want_master && name && li->error == 0) {
                        li->error = strv_extend(&li->ports, name);
                        li->n_ports++;
                }
                return MNL_CB_OK;
        }

        li->ifindex = ifi->ifi_index;
        if (alias && !li->alias) {
                li->alias = strdup(alias);
                if (!li->alias)
                        li->error = -ENOMEM;
        }
        return MNL_CB_OK;
}

static int link_get(Rtnl *r, int ifindex, const char *name, LinkInfo *li) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_GETLINK, NLM_F_ACK);
        put_ifinfo(nlh, ifindex, 0, 0);
        if (name)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        int k = rtnl_call(r, nlh, link_cb, li);
        if (k < 0)
                return k;
        return li->error;
}

int rtnl_link_index(Rtnl *r, const char *name) {
        LinkInfo li = {};

        if (isempty(name) || strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        int k = link_get(r, 0, name, &li);
        free(li.alias);
        if (k < 0)
                return k;
        return li.ifindex > 0 ? li.ifindex : -ENODEV;
}

int rtnl_link_get_alias(Rtnl *r, int ifindex, char **ret) {
        LinkInfo li = {};
        int k = link_get(r, ifindex, NULL, &li);
        if (k < 0) {
                free(li.alias);
                return k;
        }
        *ret = li.alias;
        return 0;
}

int rtnl_link_list_ports(Rtnl *r, int ifindex, char ***ret) {
        LinkInfo li = { .want_master = ifindex };
        struct nlmsghdr *nlh = rtnl_message(r, RTM_GETLINK, NLM_F_DUMP);
        put_ifinfo(nlh, 0, 0, 0);
        int k = rtnl_call(r, nlh, link_cb, &li);
        if (k >= 0)
                k = li.error;
        if (k < 0) {
                strv_free(li.ports);
                return k;
        }
        *ret = li.ports;
        return li.n_ports;
}

static int ack_cb(const struct nlmsghdr *nlh, void *data) {
        return MNL_CB_OK;
}

int rtnl_veth_create(Rtnl *r, const char *host_name, const uint8_t host_mac[6],
                     const char *peer_name, const uint8_t peer_mac[6], int netns_fd, int master) {
        struct nlmsghdr *nlh;
        struct nlattr *info, *data, *peer;

        if (isempty(host_name) || strlen(host_name) >= IFNAMSIZ ||
            isempty(peer_name) || strlen(peer_name) >= IFNAMSIZ)
                return -EINVAL;

        /* One message makes both ends, moves the peer into its namespace
         * and brings the host end up. Not the peer: the kernel configures
         * it before the two ends know each other, and opening a veth
         * without a peer fails with ENOTCONN; it goes up from inside. */
        nlh = rtnl_message(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        put_ifinfo(nlh, 0, IFF_UP, IFF_UP);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, host_name);
        if (host_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, host_mac);
        /* The kernel enslaves a new link to IFLA_MASTER right after
         * creating it: no second request, no window outside the bridge. */
        if (master > 0)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t) master);
        info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
        data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        put_ifinfo(nlh, 0, 0, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
        if (peer_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
        if (netns_fd >= 0)
                mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t) netns_fd);
        mnl_attr_nest_end(nlh, peer);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, info);
        return rtnl_call(r, nlh, ack_cb, NULL);
}

int rtnl_bridge_create(Rtnl *r, const char *name, const char *alias) {
        struct nlmsghdr *nlh;
        struct nlattr *info;
        int k, ifindex;

        if (isempty(name) || strlen(name) >= IFNAMSIZ)
                return -EINVAL;

        nlh = rtnl_message(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        put_ifinfo(nlh, 0, IFF_UP, IFF_UP);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(nlh, info);
        k = rtnl_call(r, nlh, ack_cb, NULL);
        if (k < 0)
                return k;

        ifindex = rtnl_link_index(r, name);
        if (ifindex < 0)
                return ifindex;
        if (alias) {
                /* The kernel takes IFLA_IFALIAS only on an existing link. */
                nlh = rtnl_message(r, RTM_NEWLINK, NLM_F_ACK);
                put_ifinfo(nlh, ifindex, 0, 0);
                mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
                k = rtnl_call(r, nlh, ack_cb, NULL);
                if (k < 0)
                        return k;
        }
        return ifindex;
}

int rtnl_link_set(Rtnl *r, int ifindex, int master, bool up) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWLINK, NLM_F_ACK);
        put_ifinfo(nlh, ifindex, up ? IFF_UP : 0, up ? IFF_UP : 0);
        if (master >= 0)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t) master);
        return rtnl_call(r, nlh, ack_cb, NULL);
}

int rtnl_link_delete(Rtnl *r, int ifindex) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_DELLINK, NLM_F_ACK);
        put_ifinfo(nlh, ifindex, 0, 0);
        return rtnl_call(r, nlh, ack_cb, NULL);
}

/* ---- addresses and routes ---- */

typedef struct AddrList {
        int ifindex;
        struct in_addr *addrs;
        unsigned *prefixes;
        size_t n;
        int error;
} AddrList;

static void addr_list_push(AddrList *l, struct in_addr a, unsigned prefix) {
        if (l->error < 0)
                return;
        struct in_addr *na = reallocarray(l->addrs, l->n + 1, sizeof(*na));
        if (!na) {
                l->error = -ENOMEM;
                return;
        }
        l->addrs = na;
        unsigned *np = reallocarray(l->prefixes, l->n + 1, sizeof(*np));
        if (!np) {
                l->error = -ENOMEM;
                return;
        }
        l->prefixes = np;
        l->addrs[l->n] = a;
        l->prefixes[l->n] = prefix;
        l->n++;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data) {
        AddrList *l = data;
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *a;
        const struct in_addr *local = NULL, *address = NULL;

        if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET)
                return MNL_CB_OK;
        if (l->ifindex > 0 && (int) ifa->ifa_index != l->ifindex)
                return MNL_CB_OK;
        mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
                if (mnl_attr_get_payload_len(a) != sizeof(struct in_addr))
                        continue;
                if (mnl_attr_get_type(a) == IFA_LOCAL)
                        local = mnl_attr_get_payload(a);
                else if (mnl_attr_get_type(a) == IFA_ADDRESS)
                        address = mnl_attr_get_payload(a);
        }
        if (local || address)
                addr_list_push(l, *(local ?: address), ifa->ifa_prefixlen);
        return MNL_CB_OK;
}

static int addr_list_return(AddrList *l, int k, struct in_addr **ret_addrs, unsigned **ret_prefixes) {
        if (k >= 0)
                k = l->error;
        if (k < 0) {
                free(l->addrs);
                free(l->prefixes);
                return k;
        }
        *ret_addrs = l->addrs;
        if (ret_prefixes)
                *ret_prefixes = l->prefixes;
        else
                free(l->prefixes);
        return (int) l->n;
}

int rtnl_addr_add_v4(Rtnl *r, int ifindex, struct in_addr addr, unsigned prefixlen) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

        if (prefixlen > 32)
                return -EINVAL;
        ifa->ifa_family = AF_INET;
        ifa->ifa_prefixlen = (unsigned char) prefixlen;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = (unsigned) ifindex;
        mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
        mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
        if (prefixlen < 31) {
                struct in_addr brd = {
                        .s_addr = addr.s_addr | htonl(prefixlen == 0 ? 0xffffffffU : (1U << (32 - prefixlen)) - 1),
                };
                mnl_attr_put(nlh, IFA_BROADCAST, sizeof(brd), &brd);
        }
        return rtnl_call(r, nlh, ack_cb, NULL);
}

int rtnl_addr_list_v4(Rtnl *r, int ifindex, struct in_addr **ret_addrs, unsigned **ret_prefixes) {
        AddrList l = { .ifindex = ifindex };
        struct nlmsghdr *nlh = rtnl_message(r, RTM_GETADDR, NLM_F_DUMP);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = AF_INET;
        int k = rtnl_call(r, nlh, addr_cb, &l);
        return addr_list_return(&l, k, ret_addrs, ret_prefixes);
}

static int route_cb(const struct nlmsghdr *nlh, void *data) {
        AddrList *l = data;
        const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *a;
        uint32_t table = rtm->rtm_table;
        const struct in_addr *dst = NULL;

        if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET || rtm->rtm_dst_len == 0)
                return MNL_CB_OK;
        mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
                if (mnl_attr_get_type(a) == RTA_TABLE && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                        table = mnl_attr_get_u32(a);
                else if (mnl_attr_get_type(a) == RTA_DST &&
                         mnl_attr_get_payload_len(a) == sizeof(struct in_addr))
                        dst = mnl_attr_get_payload(a);
        }
        if (table == RT_TABLE_MAIN && dst)
                addr_list_push(l, *dst, rtm->rtm_dst_len);
        return MNL_CB_OK;
}

int rtnl_route_list_v4(Rtnl *r, struct in_addr **ret_dsts, unsigned **ret_prefixes) {
        AddrList l = {};
        struct nlmsghdr *nlh = rtnl_message(r, RTM_GETROUTE, NLM_F_DUMP);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = AF_INET;
        int k = rtnl_call(r, nlh, route_cb, &l);
        return addr_list_return(&l, k, ret_dsts, ret_prefixes);
}

int rtnl_route_add_default_v4(Rtnl *r, int ifindex, struct in_addr gateway) {
        struct nlmsghdr *nlh = rtnl_message(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

        rtm->rtm_family = AF_INET;
        rtm->rtm_dst_len = 0;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gateway), &gateway);
        mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t) ifindex);
        return rtnl_call(r, nlh, ack_cb, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * fakenl.so: an LD_PRELOAD stand-in for the kernel side of netlink, so the
 * request, reply and output code of nhrpctl and of link_mgre.so can be
 * tested on a host without the mgre module.
 *
 * socket(AF_NETLINK, ..., NETLINK_ROUTE, NETLINK_GENERIC or NETLINK_XFRM)
 * returns one end
 * of an AF_UNIX datagram socketpair.  What the program sends is answered
 * at once, in-process, by writing netlink messages into the other end,
 * where the program's recvmsg() finds them.  The answers are canned:
 *
 *   rtnetlink  links lo (1), tun0 (5, mgre, "redirect on"), tun1 (6,
 *              mgre, "shortcut on")
 *   genetlink  family "mgre" (id 0x20) unless FAKENL_NO_MGRE is set;
 *              MAP/MCAST/NHS dumps and STATS of a fixed scenario; every
 *              change succeeds except the special cases in change_error()
 *   xfrm       the SA dump: ESP SAs 192.1.1.1 <-> 192.1.1.2 (both ways)
 *              and 192.1.1.1 -> 192.1.1.3 (one way); EPERM instead
 *              when FAKENL_XFRM_EPERM is set
 *
 * Every genetlink request of family mgre is logged to $FAKENL_LOG as
 * "CMD type=hex ...", and the IFLA_INFO_DATA of every RTM_NEWLINK (which
 * always succeeds) as "newlink type=hex ...".  FAKENL_NOCAP=1 sends
 * uncapped error ACKs (with the request copied back) even when the
 * program asked for capped ones.  FAKENL_NHS_GONE=1 fails the NHS dump of
 * tun1 (ENODEV, at its end).  FAKENL_LOG_SOCKETS=1 also logs every
 * netlink socket opened ("socket route" or "socket generic") and every
 * link dump ("getlink dump"), so tests can count them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include "mgre.h"

#define FAMILY_ID	0x20
#define MAX_FAKE	16
#define BUF_SIZE	8192

struct fake {
	int fd;			/* the program's end, -1: unused */
	int peer;		/* our end */
	int proto;
	bool cap_ack;
	bool ext_ack;
};

static struct fake fakes[MAX_FAKE];
static bool fakes_init;

#define REAL(ret, name, ...)						\
	static ret (*real_##name)(__VA_ARGS__);				\
	if (!real_##name)						\
		real_##name = dlsym(RTLD_NEXT, #name)

static struct fake *find_fake(int fd)
{
	int i;

	for (i = 0; fakes_init && i < MAX_FAKE; i++)
		if (fakes[i].fd == fd && fd >= 0)
			return &fakes[i];
	return NULL;
}

/* ---- message building ------------------------------------------------- */

struct buf {
	char data[BUF_SIZE];
	size_t len;
};

static void *put(struct buf *b, const void *data, size_t len)
{
	void *p = b->data + b->len;

	if (b->len + NLMSG_ALIGN(len) > sizeof(b->data))
		abort();
	memset(p, 0, NLMSG_ALIGN(len));
	if (data)
		memcpy(p, data, len);
	b->len += NLMSG_ALIGN(len);
	return p;
}

static struct nlmsghdr *msg_begin(struct buf *b, const struct nlmsghdr *req,
				  uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = put(b, NULL, NLMSG_HDRLEN);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = (uint32_t)getpid();	/* our getsockname() port */
	return nlh;
}

static void msg_end(struct buf *b, struct nlmsghdr *nlh)
{
	nlh->nlmsg_len = b->data + b->len - (char *)nlh;
}

static struct nlattr *attr(struct buf *b, uint16_t type, const void *data,
			   size_t len)
{
	struct nlattr *nla = put(b, NULL, NLA_HDRLEN);

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	put(b, data, len);
	return nla;
}

static void attr_u8(struct buf *b, uint16_t type, uint8_t v)
{
	attr(b, type, &v, 1);
}

static void attr_u16(struct buf *b, uint16_t type, uint16_t v)
{
	attr(b, type, &v, 2);
}

static void attr_u32(struct buf *b, uint16_t type, uint32_t v)
{
	attr(b, type, &v, 4);
}

static void attr_u64(struct buf *b, uint16_t type, uint64_t v)
{
	attr(b, type, &v, 8);
}

static void attr_ip(struct buf *b, uint16_t type, const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	attr(b, type, &a, 4);
}

static void attr_str(struct buf *b, uint16_t type, const char *s)
{
	attr(b, type, s, strlen(s) + 1);
}

static void nest_end(struct buf *b, struct nlattr *nla)
{
	nla->nla_len = b->data + b->len - (char *)nla;
}

static void send_buf(struct fake *f, struct buf *b)
{
	REAL(ssize_t, send, int, const void *, size_t, int);

	if (b->len && real_send(f->peer, b->data, b->len, 0) < 0)
		abort();
	b->len = 0;
}

/* NLMSG_ERROR: an ACK (error 0) or an error with an optional message */
static void send_ack(struct fake *f, const struct nlmsghdr *req, int error,
		     const char *extack)
{
	bool capped = f->cap_ack && !getenv("FAKENL_NOCAP");
	struct buf b = { .len = 0 };
	struct nlmsghdr *nlh;
	struct nlmsgerr e = { .error = error, .msg = *req };
	uint16_t flags = 0;

	if (error && capped)
		flags |= NLM_F_CAPPED;
	if (error && f->ext_ack && extack)
		flags |= NLM_F_ACK_TLVS;
	nlh = msg_begin(&b, req, NLMSG_ERROR, flags);
	put(&b, &e, sizeof(e));
	if (error && !capped)
		put(&b, NLMSG_DATA(req), req->nlmsg_len - NLMSG_HDRLEN);
	if (flags & NLM_F_ACK_TLVS)
		attr_str(&b, NLMSGERR_ATTR_MSG, extack);
	msg_end(&b, nlh);
	send_buf(f, &b);
}

static void send_done(struct fake *f, const struct nlmsghdr *req, int error,
		      const char *extack)
{
	struct buf b = { .len = 0 };
	struct nlmsghdr *nlh;
	uint16_t flags = NLM_F_MULTI;

	if (error && f->ext_ack && extack)
		flags |= NLM_F_ACK_TLVS;
	nlh = msg_begin(&b, req, NLMSG_DONE, flags);
	put(&b, &error, sizeof(error));
	if (flags & NLM_F_ACK_TLVS)
		attr_str(&b, NLMSGERR_ATTR_MSG, extack);
	msg_end(&b, nlh);
	send_buf(f, &b);
}

/* ---- request log ------------------------------------------------------ */

/* Appends "TAG type=hex ..." for the attributes at attrs to $FAKENL_LOG */
static void log_attrs(const char *tag, const void *attrs, int len)
{
	const char *path = getenv("FAKENL_LOG");
	const struct nlattr *nla = attrs;
	const unsigned char *p;
	FILE *log;
	int i;

	if (!path)
		return;
	log = fopen(path, "a");
	if (!log)
		return;
	fputs(tag, log);
	for (; len >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= len;
	     len -= NLA_ALIGN(nla->nla_len),
	     nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len))) {
		fprintf(log, " %d=", nla->nla_type);
		p = (const unsigned char *)nla + NLA_HDRLEN;
		for (i = 0; i < nla->nla_len - NLA_HDRLEN; i++)
			fprintf(log, "%02x", p[i]);
	}
	fputc('\n', log);
	fclose(log);
}

/* ---- rtnetlink -------------------------------------------------------- */

static const struct fake_link {
	int ifindex;
	const char *name;
	const char *kind;
} links[] = {
	{ 1, "lo", NULL },
	{ 5, "tun0", MGRE_KIND },
	{ 6, "tun1", MGRE_KIND },
};

static void put_link(struct buf *b, const struct nlmsghdr *req,
		     const struct fake_link *l, uint16_t flags)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = l->ifindex,
				 .ifi_flags = 0x91 };
	struct nlmsghdr *nlh = msg_begin(b, req, RTM_NEWLINK, flags);
	struct nlattr *li, *data;

	ifi.ifi_type = l->kind ? 778 : 772;	/* ARPHRD_IPGRE : LOOPBACK */
	put(b, &ifi, sizeof(ifi));
	attr_str(b, IFLA_IFNAME, l->name);
	attr_u32(b, IFLA_MTU, l->kind ? 1476 : 65536);
	attr_u32(b, IFLA_TXQLEN, l->kind ? 0 : 1000);
	if (l->kind) {
		li = attr(b, IFLA_LINKINFO, NULL, 0);
		attr_str(b, IFLA_INFO_KIND, l->kind);
		data = attr(b, IFLA_INFO_DATA, NULL, 0);
		if (l->ifindex == 5) {
			attr_ip(b, IFLA_MGRE_LOCAL, "192.1.1.1");
			attr_u32(b, IFLA_MGRE_KEY, 10000);
			attr_u8(b, IFLA_MGRE_TTL, 64);
			attr_u8(b, IFLA_MGRE_TOS, 1);
			attr_u8(b, IFLA_MGRE_PMTUDISC, 0);
			attr_u8(b, IFLA_MGRE_PROTECTION,
				MGRE_PROTECTION_REQUIRE);
			attr_u8(b, IFLA_MGRE_SUBNET_CHECK, 0);
			attr_u32(b, IFLA_MGRE_PER_NBMA_MAX, 4);
			attr_u32(b, IFLA_MGRE_MCAST_DYNAMIC_MAX,
				 MGRE_MCAST_DYNAMIC_MAX_DEFAULT);
			attr_u32(b, IFLA_MGRE_NHRP_MAX_SEND,
				 MGRE_NHRP_MAX_SEND_DEFAULT);
			attr_u32(b, IFLA_MGRE_NHRP_MAX_SEND_EVERY,
				 MGRE_NHRP_MAX_SEND_EVERY_DEFAULT);
			attr_u8(b, IFLA_MGRE_REDIRECT, 1);
			attr_u8(b, IFLA_MGRE_SHORTCUT, 0);
			attr_u16(b, IFLA_MGRE_REDIRECT_TIMEOUT, 10);
		} else {
			attr_u32(b, IFLA_MGRE_LINK, 1);
			attr_u8(b, IFLA_MGRE_TOS, 0x10);
			attr_u8(b, IFLA_MGRE_PROTECTION, MGRE_PROTECTION_OFF);
			attr_u8(b, IFLA_MGRE_SUBNET_CHECK, 1);
			attr_u32(b, IFLA_MGRE_PER_NBMA_MAX,
				 MGRE_PER_NBMA_MAX_DEFAULT);
			attr_u32(b, IFLA_MGRE_MCAST_DYNAMIC_MAX, 100);
			attr_u32(b, IFLA_MGRE_NHRP_MAX_SEND, 100);
			attr_u32(b, IFLA_MGRE_NHRP_MAX_SEND_EVERY, 10);
			attr_u8(b, IFLA_MGRE_REDIRECT, 0);
			attr_u8(b, IFLA_MGRE_SHORTCUT, 1);
			attr_u16(b, IFLA_MGRE_REDIRECT_TIMEOUT,
				 MGRE_REDIRECT_INTERVAL);
		}
		nest_end(b, data);
		nest_end(b, li);
	}
	msg_end(b, nlh);
}

static const struct fake_link *link_of(const struct nlmsghdr *req)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(req);
	const struct rtattr *rta = IFLA_RTA(ifi);
	int len = IFLA_PAYLOAD(req);
	size_t i;

	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		for (i = 0; rta->rta_type == IFLA_IFNAME &&
			    i < sizeof(links) / sizeof(links[0]); i++)
			if (!strcmp(RTA_DATA(rta), links[i].name))
				return &links[i];
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (ifi->ifi_index == links[i].ifindex)
			return &links[i];
	return NULL;
}

/*
 * RTM_NEWLINK: log the IFLA_INFO_DATA of "ip link add ... type mgre" and
 * accept it; answer ip's empty probe for RTM_NEWLINK as a kernel does.
 */
static void handle_newlink(struct fake *f, const struct nlmsghdr *req)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(req);
	const struct rtattr *rta = IFLA_RTA(ifi), *li;
	int len = IFLA_PAYLOAD(req), lilen;

	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != IFLA_LINKINFO)
			continue;
		li = RTA_DATA(rta);
		lilen = RTA_PAYLOAD(rta);
		for (; RTA_OK(li, lilen); li = RTA_NEXT(li, lilen))
			if (li->rta_type == IFLA_INFO_DATA)
				log_attrs("newlink", RTA_DATA(li), RTA_PAYLOAD(li));
		send_ack(f, req, 0, NULL);
		return;
	}
	send_ack(f, req, -ENODEV, NULL);
}

/* With FAKENL_LOG_SOCKETS set, appends line to $FAKENL_LOG */
static void log_event(const char *line)
{
	const char *path = getenv("FAKENL_LOG");
	FILE *log;

	if (!path || !getenv("FAKENL_LOG_SOCKETS"))
		return;
	log = fopen(path, "a");
	if (!log)
		return;
	fprintf(log, "%s\n", line);
	fclose(log);
}

static void handle_route(struct fake *f, const struct nlmsghdr *req)
{
	struct buf b = { .len = 0 };
	const struct fake_link *l;
	size_t i;

	if (req->nlmsg_type == RTM_NEWLINK) {
		handle_newlink(f, req);
		return;
	}
	if (req->nlmsg_type != RTM_GETLINK) {
		send_ack(f, req, -EOPNOTSUPP, "fakenl: not faked");
		return;
	}
	if (req->nlmsg_flags & NLM_F_DUMP) {
		log_event("getlink dump");
		for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
			put_link(&b, req, &links[i], NLM_F_MULTI);
		send_buf(f, &b);
		send_done(f, req, 0, NULL);
		return;
	}
	l = link_of(req);
	if (!l) {
		send_ack(f, req, -ENODEV, NULL);
		return;
	}
	put_link(&b, req, l, 0);
	send_buf(f, &b);
	if (req->nlmsg_flags & NLM_F_ACK)
		send_ack(f, req, 0, NULL);
}

/* ---- generic netlink -------------------------------------------------- */

static void genl_begin(struct buf *b, const struct nlmsghdr *req,
		       uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };

	msg_begin(b, req, type, flags);
	put(b, &g, sizeof(g));
}

static void handle_ctrl(struct fake *f, const struct nlmsghdr *req)
{
	struct buf b = { .len = 0 };
	struct nlmsghdr *nlh;

	if (getenv("FAKENL_NO_MGRE")) {
		send_ack(f, req, -ENOENT, NULL);
		return;
	}
	genl_begin(&b, req, GENL_ID_CTRL, 0, CTRL_CMD_NEWFAMILY);
	nlh = (struct nlmsghdr *)b.data;
	attr(&b, CTRL_ATTR_FAMILY_ID, &(uint16_t){ FAMILY_ID }, 2);
	attr_str(&b, CTRL_ATTR_FAMILY_NAME, MGRE_GENL_NAME);
	attr_u32(&b, CTRL_ATTR_VERSION, MGRE_GENL_VERSION);
	attr_u32(&b, CTRL_ATTR_HDRSIZE, 0);
	attr_u32(&b, CTRL_ATTR_MAXATTR, MGRE_A_MAX);
	msg_end(&b, nlh);
	send_buf(f, &b);
	if (req->nlmsg_flags & NLM_F_ACK)
		send_ack(f, req, 0, NULL);
}

/* Attributes of a request, by type (last one wins) */
static void parse_req(const struct nlmsghdr *req, const struct nlattr **tb)
{
	const struct nlattr *nla;
	int len = req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	memset(tb, 0, sizeof(*tb) * (MGRE_A_MAX + 1));
	nla = (const void *)((const char *)NLMSG_DATA(req) + GENL_HDRLEN);
	for (; len >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= len;
	     len -= NLA_ALIGN(nla->nla_len),
	     nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len)))
		if (nla->nla_type <= MGRE_A_MAX)
			tb[nla->nla_type] = nla;
}

static uint32_t ifindex_of(const struct nlattr **tb)
{
	return tb[MGRE_A_IFINDEX] ?
		*(const uint32_t *)((const char *)tb[MGRE_A_IFINDEX] + NLA_HDRLEN) : 0;
}

static bool attr_is_ip(const struct nlattr *nla, const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return nla && !memcmp((const char *)nla + NLA_HDRLEN, &a, 4);
}

/* The scenario's answer to a change; 0 = success */
static int change_error(uint8_t cmd, const struct nlattr **tb,
			const char **extack)
{
	*extack = NULL;
	if (cmd == MGRE_CMD_MAP_ADD && attr_is_ip(tb[MGRE_A_PROTO], "172.1.1.2")) {
		*extack = "static entry exists";
		return -EEXIST;
	}
	if (cmd == MGRE_CMD_MAP_ADD && attr_is_ip(tb[MGRE_A_PROTO], "10.255.255.255"))
		return -ENOSPC;
	if (cmd == MGRE_CMD_MAP_DEL && attr_is_ip(tb[MGRE_A_PROTO], "172.1.1.99"))
		return -ENOENT;
	if (cmd == MGRE_CMD_MCAST_ADD && attr_is_ip(tb[MGRE_A_NBMA], "9.9.9.9"))
		return -EPERM;
	if (cmd == MGRE_CMD_NHS_DEL && attr_is_ip(tb[MGRE_A_PROTO], "9.9.9.9"))
		return -EOPNOTSUPP;
	return 0;
}

/* (next_hop: a shortcut's, NULL for other entries) */
static void cache_entry(struct buf *b, const struct nlmsghdr *req,
			uint32_t ifindex, const char *proto, uint8_t plen,
			const char *nbma, uint8_t type, uint32_t flags,
			uint64_t age, int expires, int used,
			const char *next_hop)
{
	struct nlmsghdr *nlh = (void *)(b->data + b->len);

	genl_begin(b, req, FAMILY_ID, NLM_F_MULTI, MGRE_CMD_MAP_GET);
	attr_u32(b, MGRE_A_IFINDEX, ifindex);
	attr_ip(b, MGRE_A_PROTO, proto);
	attr_u8(b, MGRE_A_PREFIXLEN, plen);
	attr_ip(b, MGRE_A_NBMA, nbma);
	attr_u8(b, MGRE_A_TYPE, type);
	attr_u32(b, MGRE_A_FLAGS, flags);
	attr_u64(b, MGRE_A_AGE, age);
	if (expires >= 0)
		attr_u32(b, MGRE_A_EXPIRES, expires);
	if (used >= 0)
		attr_u32(b, MGRE_A_USED, used);
	if (next_hop)
		attr_ip(b, MGRE_A_NEXT_HOP, next_hop);
	msg_end(b, nlh);
}

/*
 * tun1 is a phase 3 spoke: a shortcut to 192.168.3.0/24 through
 * 172.1.1.3 (IOS "nho"), and 172.1.1.3's own entry, after a prefix
 * being resolved
 */
static void dump_cache(struct buf *b, const struct nlmsghdr *req,
		       uint32_t ifindex)
{
	if (ifindex == 5) {
		cache_entry(b, req, 5, "172.1.1.2", 32, "192.1.1.2",
			    MGRE_ENTRY_STATIC, MGRE_F_USED, 83, -1, 3, NULL);
		cache_entry(b, req, 5, "172.1.1.3", 32, "192.1.1.3",
			    MGRE_ENTRY_DYNAMIC,
			    MGRE_F_UNIQUE | MGRE_F_REGISTERED | MGRE_F_USED,
			    90061, 432, -1, NULL);
	} else {
		cache_entry(b, req, 6, "192.168.3.0", 24, "192.1.1.3",
			    MGRE_ENTRY_CACHED,
			    MGRE_F_ROUTER | MGRE_F_SHORTCUT | MGRE_F_USED,
			    53, 7147, 1, "172.1.1.3");
		cache_entry(b, req, 6, "10.0.0.0", 24, "0.0.0.0",
			    MGRE_ENTRY_INCOMPLETE, 1U << 31, 700000, 5, -1,
			    NULL);
		cache_entry(b, req, 6, "172.1.1.3", 32, "192.1.1.3",
			    MGRE_ENTRY_CACHED, MGRE_F_ROUTER | MGRE_F_USED,
			    53, 7147, 1, NULL);
	}
}

static void dump_mcast(struct buf *b, const struct nlmsghdr *req,
		       uint32_t ifindex)
{
	struct nlmsghdr *nlh = (void *)(b->data + b->len);

	if (ifindex != 5)
		return;
	genl_begin(b, req, FAMILY_ID, NLM_F_MULTI, MGRE_CMD_MCAST_GET);
	attr_u32(b, MGRE_A_IFINDEX, 5);
	attr_ip(b, MGRE_A_NBMA, "192.1.1.2");
	attr_u8(b, MGRE_A_TYPE, MGRE_ENTRY_STATIC);
	msg_end(b, nlh);
	nlh = (void *)(b->data + b->len);
	genl_begin(b, req, FAMILY_ID, NLM_F_MULTI, MGRE_CMD_MCAST_GET);
	attr_u32(b, MGRE_A_IFINDEX, 5);
	attr(b, MGRE_A_MCAST_DYNAMIC, NULL, 0);
	msg_end(b, nlh);
	nlh = (void *)(b->data + b->len);
	genl_begin(b, req, FAMILY_ID, NLM_F_MULTI, MGRE_CMD_MCAST_GET);
	attr_u32(b, MGRE_A_IFINDEX, 5);
	attr_ip(b, MGRE_A_NBMA, "192.1.1.3");
	attr_u8(b, MGRE_A_TYPE, MGRE_ENTRY_DYNAMIC);
	msg_end(b, nlh);
}

static void dump_nhs(struct buf *b, const struct nlmsghdr *req,
		     uint32_t ifindex)
{
	struct nlmsghdr *nlh = (void *)(b->data + b->len);

	if (ifindex != 5)
		return;
	genl_begin(b, req, FAMILY_ID, NLM_F_MULTI, MGRE_CMD_NHS_GET);
	attr_u32(b, MGRE_A_IFINDEX, 5);
	attr_ip(b, MGRE_A_PROTO, "172.1.1.1");
	attr_ip(b, MGRE_A_NBMA, "192.1.1.1");
	attr_u8(b, MGRE_A_PRIORITY, 0);
	attr_u8(b, MGRE_A_NHS_STATE, MGRE_NHS_RESPONDING);
	attr_u32(b, MGRE_A_NHS_REQ_SENT, 12);
	attr_u32(b, MGRE_A_NHS_REQ_FAILED, 1);
	attr_u32(b, MGRE_A_NHS_REPL_RECV, 11);
	attr_u32(b, MGRE_A_NHS_LAST_REPLY, 5);
	msg_end(b, nlh);
	nlh = (void *)(b->data + b->len);
	genl_begin(b, req, FAMILY_ID, NLM_F_MULTI, MGRE_CMD_NHS_GET);
	attr_u32(b, MGRE_A_IFINDEX, 5);
	attr_ip(b, MGRE_A_PROTO, "172.1.1.254");
	attr_u32(b, MGRE_A_NBMA, 0);
	attr_u8(b, MGRE_A_PRIORITY, 5);
	attr_u8(b, MGRE_A_NHS_STATE, MGRE_NHS_WAITING);
	attr_u32(b, MGRE_A_NHS_REQ_SENT, 3);
	attr_u32(b, MGRE_A_NHS_REQ_FAILED, 3);
	attr_u32(b, MGRE_A_NHS_REPL_RECV, 0);
	msg_end(b, nlh);
}

static void reply_stats(struct buf *b, const struct nlmsghdr *req,
			uint32_t ifindex)
{
	struct nlmsghdr *nlh = (void *)(b->data + b->len);
	struct nlattr *nest;
	int s;

	genl_begin(b, req, FAMILY_ID, 0, MGRE_CMD_STATS_GET);
	if (ifindex)
		attr_u32(b, MGRE_A_IFINDEX, ifindex);
	nest = attr(b, MGRE_A_STATS, NULL, 0);
	if (!ifindex) {
		for (s = MGRE_STAT_RX_NO_TUNNEL; s <= MGRE_STAT_RX_CSUM_ERR; s++)
			attr_u64(b, s + 1, s);
	} else {
		for (s = 0; s < MGRE_STAT_RX_NO_TUNNEL; s++)
			attr_u64(b, s + 1, ifindex * 100 + s);
		/* NHRP packets by type: sent 1-8, received 11-18 */
		for (s = MGRE_STAT_NHRP_TX_RES_REQ;
		     s <= MGRE_STAT_NHRP_RX_TRAFFIC_IND; s++)
			attr_u64(b, s + 1, s - MGRE_STAT_NHRP_TX_RES_REQ +
				 (s >= MGRE_STAT_NHRP_RX_RES_REQ ? 3 : 1));
		/* phase 3 (the last ones) */
		for (s = MGRE_STAT_NHRP_REDIRECT_LIMITED;
		     s <= MGRE_STAT_NHRP_SHORTCUT_ROUTE_GONE; s++)
			attr_u64(b, s + 1, ifindex * 100 + s);
		attr_u64(b, 200 + 1, 7);	/* unknown to the tool */
	}
	nest_end(b, nest);
	msg_end(b, nlh);
}

static void handle_mgre(struct fake *f, const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = NLMSG_DATA(req);
	const struct nlattr *tb[MGRE_A_MAX + 1];
	struct buf b = { .len = 0 };
	uint32_t ifindex;
	const char *extack;
	char tag[8];
	int err;

	snprintf(tag, sizeof(tag), "%u", g->cmd);
	log_attrs(tag, (const char *)g + GENL_HDRLEN,
		  req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
	parse_req(req, tb);
	ifindex = ifindex_of(tb);
	switch (g->cmd) {
	case MGRE_CMD_MAP_GET:
	case MGRE_CMD_MCAST_GET:
	case MGRE_CMD_NHS_GET:
		if (!ifindex) {
			send_ack(f, req, -EINVAL, "IFINDEX is required");
			return;
		}
		if (g->cmd == MGRE_CMD_NHS_GET && ifindex == 6 &&
		    getenv("FAKENL_NHS_GONE")) {
			send_done(f, req, -ENODEV, "device is going away");
			return;
		}
		if (g->cmd == MGRE_CMD_MAP_GET)
			dump_cache(&b, req, ifindex);
		else if (g->cmd == MGRE_CMD_MCAST_GET)
			dump_mcast(&b, req, ifindex);
		else
			dump_nhs(&b, req, ifindex);
		send_buf(f, &b);
		send_done(f, req, 0, NULL);
		return;
	case MGRE_CMD_STATS_GET:
		reply_stats(&b, req, ifindex);
		send_buf(f, &b);
		break;
	default:
		err = change_error(g->cmd, tb, &extack);
		if (err) {
			send_ack(f, req, err, extack);
			return;
		}
	}
	if (req->nlmsg_flags & NLM_F_ACK)
		send_ack(f, req, 0, NULL);
}

/* ---- xfrm ------------------------------------------------------------- */

static void handle_xfrm(struct fake *f, const struct nlmsghdr *req)
{
	static const struct { const char *src, *dst; uint32_t spi; } sas[] = {
		{ "192.1.1.1", "192.1.1.2", 0xc0000102 },
		{ "192.1.1.2", "192.1.1.1", 0xc0000201 },
		{ "192.1.1.1", "192.1.1.3", 0xc0000103 },
	};
	struct buf b = { .len = 0 };
	struct nlmsghdr *nlh;
	size_t i;

	if (req->nlmsg_type != XFRM_MSG_GETSA ||
	    !(req->nlmsg_flags & NLM_F_DUMP) || getenv("FAKENL_XFRM_EPERM")) {
		send_ack(f, req, -EPERM, NULL);
		return;
	}
	for (i = 0; i < sizeof(sas) / sizeof(sas[0]); i++) {
		struct xfrm_usersa_info sa = { .family = AF_INET };

		inet_pton(AF_INET, sas[i].src, &sa.saddr.a4);
		inet_pton(AF_INET, sas[i].dst, &sa.id.daddr.a4);
		sa.id.spi = htonl(sas[i].spi);
		sa.id.proto = IPPROTO_ESP;
		nlh = msg_begin(&b, req, XFRM_MSG_NEWSA, NLM_F_MULTI);
		put(&b, &sa, sizeof(sa));
		msg_end(&b, nlh);
	}
	send_buf(f, &b);
	send_done(f, req, 0, NULL);
}

static void handle(struct fake *f, const void *data, size_t len)
{
	const struct nlmsghdr *req = data;
	int left = len;

	for (; NLMSG_OK(req, left); req = NLMSG_NEXT(req, left)) {
		if (f->proto == NETLINK_ROUTE)
			handle_route(f, req);
		else if (f->proto == NETLINK_XFRM)
			handle_xfrm(f, req);
		else if (req->nlmsg_type == GENL_ID_CTRL)
			handle_ctrl(f, req);
		else if (req->nlmsg_type == FAMILY_ID)
			handle_mgre(f, req);
		else
			send_ack(f, req, -EOPNOTSUPP, NULL);
	}
}

/* ---- intercepted calls ------------------------------------------------ */

int socket(int domain, int type, int protocol)
{
	REAL(int, socket, int, int, int);
	int sv[2], i;

	if (domain != AF_NETLINK ||
	    (protocol != NETLINK_ROUTE && protocol != NETLINK_GENERIC &&
	     protocol != NETLINK_XFRM))
		return real_socket(domain, type, protocol);
	if (!fakes_init) {
		for (i = 0; i < MAX_FAKE; i++)
			fakes[i].fd = -1;
		fakes_init = true;
	}
	for (i = 0; i < MAX_FAKE && fakes[i].fd >= 0; i++)
		;
	if (i == MAX_FAKE) {
		errno = EMFILE;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | (type & SOCK_CLOEXEC), 0, sv))
		return -1;
	fakes[i] = (struct fake){ .fd = sv[0], .peer = sv[1],
				  .proto = protocol };
	log_event(protocol == NETLINK_ROUTE ? "socket route" :
		  protocol == NETLINK_XFRM ? "socket xfrm" : "socket generic");
	return sv[0];
}

int close(int fd)
{
	REAL(int, close, int);
	struct fake *f = find_fake(fd);

	if (f) {
		real_close(f->peer);
		f->fd = -1;
	}
	return real_close(fd);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	REAL(int, bind, int, const struct sockaddr *, socklen_t);

	return find_fake(fd) ? 0 : real_bind(fd, addr, len);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	REAL(int, getsockname, int, struct sockaddr *, socklen_t *);
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK,
				  .nl_pid = (uint32_t)getpid() };

	if (!find_fake(fd))
		return real_getsockname(fd, addr, len);
	memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
	*len = sizeof(nl);
	return 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	REAL(int, setsockopt, int, int, int, const void *, socklen_t);
	struct fake *f = find_fake(fd);

	if (!f || level != SOL_NETLINK)
		return real_setsockopt(fd, level, name, val, len);
	if (name == NETLINK_CAP_ACK)
		f->cap_ack = *(const int *)val;
	if (name == NETLINK_EXT_ACK)
		f->ext_ack = *(const int *)val;
	return 0;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	REAL(ssize_t, sendmsg, int, const struct msghdr *, int);
	struct fake *f = find_fake(fd);
	char data[BUF_SIZE];
	size_t len = 0, i;

	if (!f)
		return real_sendmsg(fd, msg, flags);
	for (i = 0; i < msg->msg_iovlen; i++) {
		if (len + msg->msg_iov[i].iov_len > sizeof(data))
			abort();
		memcpy(data + len, msg->msg_iov[i].iov_base,
		       msg->msg_iov[i].iov_len);
		len += msg->msg_iov[i].iov_len;
	}
	handle(f, data, len);
	return len;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	REAL(ssize_t, sendto, int, const void *, size_t, int,
	     const struct sockaddr *, socklen_t);
	struct fake *f = find_fake(fd);

	if (!f)
		return real_sendto(fd, buf, len, flags, addr, alen);
	handle(f, buf, len);
	return len;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	REAL(ssize_t, recvmsg, int, struct msghdr *, int);
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	void *name = msg->msg_name;
	socklen_t namelen = msg->msg_namelen;
	ssize_t n;

	if (!find_fake(fd))
		return real_recvmsg(fd, msg, flags);
	msg->msg_name = NULL;
	msg->msg_namelen = 0;
	n = real_recvmsg(fd, msg, flags);
	msg->msg_name = name;
	msg->msg_namelen = 0;
	if (name) {
		memcpy(name, &nl, namelen < sizeof(nl) ? namelen : sizeof(nl));
		msg->msg_namelen = sizeof(nl);
	}
	return n;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * nhrpctl: netlink plumbing.
 *
 * Requests go to the generic netlink family "mgre" (kmod/uapi/mgre.h).
 * One request at a time: nhrp_nl_request() sends it and reads replies
 * until the ACK, the error or the end of the dump, passing each reply's
 * attributes to a handler.  Events (nhrpctl monitor) come on a socket of
 * their own.  Devices are looked up with libnl-route.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "nhrpctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NHRP_RECV_BUF	32768

struct nhrp_nl {
	struct nl_sock *sk;
	int family;
};

/* What the kernel may send in a reply; anything else is ignored */
static struct nla_policy mgre_policy[MGRE_A_MAX + 1] = {
	[MGRE_A_IFINDEX]	= { .type = NLA_U32 },
	[MGRE_A_IFNAME]		= { .type = NLA_STRING },
	[MGRE_A_PROTO]		= { .minlen = 4, .maxlen = 4 },
	[MGRE_A_PREFIXLEN]	= { .type = NLA_U8 },
	[MGRE_A_NBMA]		= { .type = NLA_U32 },
	[MGRE_A_TYPE]		= { .type = NLA_U8 },
	[MGRE_A_FLAGS]		= { .type = NLA_U32 },
	[MGRE_A_AGE]		= { .type = NLA_U64 },
	[MGRE_A_EXPIRES]	= { .type = NLA_U32 },
	[MGRE_A_MCAST_DYNAMIC]	= { .type = NLA_FLAG },
	[MGRE_A_PRIORITY]	= { .type = NLA_U8 },
	[MGRE_A_NHS_STATE]	= { .type = NLA_U8 },
	[MGRE_A_STATS]		= { .type = NLA_NESTED },
	[MGRE_A_USED]		= { .type = NLA_U32 },
	[MGRE_A_EVENT]		= { .type = NLA_U8 },
	[MGRE_A_OLD_TYPE]	= { .type = NLA_U8 },
	[MGRE_A_OLD_NBMA]	= { .type = NLA_U32 },
	[MGRE_A_CIE_CODE]	= { .type = NLA_U8 },
	[MGRE_A_ERROR_CODE]	= { .type = NLA_U16 },
	[MGRE_A_REQID]		= { .type = NLA_U32 },
	[MGRE_A_CARRIER]	= { .type = NLA_U8 },
	[MGRE_A_AUTH]		= { .maxlen = MGRE_AUTH_MAX },
	[MGRE_A_NHS_REQ_SENT]	= { .type = NLA_U32 },
	[MGRE_A_NHS_REQ_FAILED]	= { .type = NLA_U32 },
	[MGRE_A_NHS_REPL_RECV]	= { .type = NLA_U32 },
	[MGRE_A_NHS_LAST_REPLY]	= { .type = NLA_U32 },
	[MGRE_A_NEXT_HOP]	= { .type = NLA_U32 },
};

/*
 * Ask for extended ACKs (the kernel's error message) and for capped ACKs
 * (no copy of our request in error replies).  libnl 3.7 has no wrapper for
 * this.  Kernels without these options (before 4.12) just do not send the
 * message, so a failure here is not an error.
 */
static void enable_ext_ack(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk);
	int one = 1;

	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)))
		return;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		return;
}

int nhrp_nl_open(struct nhrp_nl **nlp)
{
	struct nhrp_nl *nl;
	int err;

	nl = calloc(1, sizeof(*nl));
	if (nl)
		nl->sk = nl_socket_alloc();
	if (!nl || !nl->sk) {
		free(nl);
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		err_msg("cannot open a generic netlink socket: %s",
			nl_geterror(err));
		goto fail;
	}
	enable_ext_ack(nl->sk);
	/*
	 * One recvmsg() per message, not a MSG_PEEK one first (libnl's
	 * default): the kernel never sends a generic netlink message or dump
	 * batch larger than 32 KiB to a reader that offers that much.
	 * Batches of 100,000 requests notice the difference.
	 */
	if (!nl_socket_set_msg_buf_size(nl->sk, NHRP_RECV_BUF))
		nl_socket_disable_msg_peek(nl->sk);
	nl->family = genl_ctrl_resolve(nl->sk, MGRE_GENL_NAME);
	if (nl->family < 0) {
		if (nl->family == -NLE_OBJ_NOTFOUND)
			err_msg("the mgre module is not loaded (modprobe mgre)");
		else
			err_msg("cannot resolve the generic netlink family \"%s\": %s",
				MGRE_GENL_NAME, nl_geterror(nl->family));
		goto fail;
	}
	*nlp = nl;
	return EXIT_OK;
fail:
	nhrp_nl_close(nl);
	return EXIT_FAIL;
}

void nhrp_nl_close(struct nhrp_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

/* Requests are a few attributes: no need for libnl's page-sized default */
#define NHRP_REQ_SIZE	512

struct nl_msg *nhrp_msg_new(struct nhrp_nl *nl, uint8_t cmd, bool dump)
{
	struct nl_msg *msg = nlmsg_alloc_size(NHRP_REQ_SIZE);

	if (msg && genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			       dump ? NLM_F_DUMP : 0, cmd, MGRE_GENL_VERSION))
		return msg;
	nlmsg_free(msg);
	err_msg("out of memory");
	return NULL;
}

/* ---- one request ------------------------------------------------------ */

struct request {
	nhrp_reply_fn fn;
	void *arg;
	struct nhrp_result *res;
	bool done;
};

/* Copies NLMSGERR_ATTR_MSG of an ACK or DONE whose TLVs start at off */
static void parse_extack(const struct nlmsghdr *nlh, size_t off,
			 struct nhrp_result *res)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t len = nlmsg_datalen(nlh);

	off = NLMSG_ALIGN(off);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off),
		      len - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(res->extack, tb[NLMSGERR_ATTR_MSG],
			    sizeof(res->extack));
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MGRE_A_MAX + 1];
	struct request *req = arg;
	int err;

	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, MGRE_A_MAX, mgre_policy);
	if (err < 0)
		err = -EBADMSG;
	else if (req->fn)
		err = req->fn(tb, req->arg);
	if (!err)
		return NL_OK;
	req->res->error = err;
	req->done = true;
	return NL_STOP;
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl passes the payload of the NLMSG_ERROR message */
	const struct nlmsghdr *nlh = (const void *)((char *)e - NLMSG_HDRLEN);
	struct request *req = arg;
	size_t off = sizeof(*e);

	(void)nla;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	req->res->error = e->error;
	parse_extack(nlh, off, req->res);
	req->done = true;
	return NL_STOP;
}

/* NLMSG_DONE of a dump carries the dump's error as an int */
static int finish_cb(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *req = arg;
	int err;

	if (nlmsg_datalen(nlh) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			req->res->error = err;
			parse_extack(nlh, sizeof(err), req->res);
		}
	}
	req->done = true;
	return NL_STOP;
}

/* An ACK (error 0) may carry a warning: the kernel's message */
static int ack_cb(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct nlmsgerr *e = nlmsg_data(nlh);
	struct request *req = arg;
	size_t off = sizeof(*e);

	if (nlmsg_datalen(nlh) >= (int)sizeof(*e)) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		parse_extack(nlh, off, req->res);
	}
	req->done = true;
	return NL_STOP;
}

static struct nl_cb *request_cb(struct request *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	if (nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, req) ||
	    nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, req) ||
	    nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, req) ||
	    nl_cb_err(cb, NL_CB_CUSTOM, error_cb, req)) {
		nl_cb_put(cb);
		return NULL;
	}
	return cb;
}

/*
 * Sends msg (and frees it) and handles the replies.  Returns 0 when the
 * kernel answered, the answer (error and message) being in *res, or an
 * exit code after printing a message when the exchange itself failed.
 */
int nhrp_nl_request(struct nhrp_nl *nl, struct nl_msg *msg,
		    nhrp_reply_fn fn, void *arg, struct nhrp_result *res)
{
	struct request req = { .fn = fn, .arg = arg, .res = res };
	struct nl_cb *cb;
	int err;

	memset(res, 0, sizeof(*res));
	cb = request_cb(&req);
	if (!cb) {
		nlmsg_free(msg);
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	/* like iproute2, no ACK for dumps: NLMSG_DONE ends them */
	nl_complete_msg(nl->sk, msg);
	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP)
		nlmsg_hdr(msg)->nlmsg_flags &= ~NLM_F_ACK;
	err = nl_send(nl->sk, msg);
	nlmsg_free(msg);
	while (err >= 0 && !req.done)
		err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (req.done)
		return EXIT_OK;
	err_msg("netlink error: %s", nl_geterror(err));
	return EXIT_FAIL;
}

static void describe_error(int err, const char *dev, const char *what,
			   const char *full, char *msg, size_t len)
{
	switch (err) {
	case ENODEV:
		snprintf(msg, len, "device \"%s\" does not exist", dev);
		return;
	case EOPNOTSUPP:
		snprintf(msg, len, "device \"%s\" is not an mgre device", dev);
		return;
	case EPERM:
	case EACCES:
		snprintf(msg, len, "permission denied (CAP_NET_ADMIN is required)");
		return;
	case EEXIST:
	case ENOENT:
		if (!what)
			break;
		snprintf(msg, len, "%s: %s %s", dev, what,
			 err == EEXIST ? "already exists" : "does not exist");
		return;
	case ENOSPC:
		if (!full)
			break;
		snprintf(msg, len, "%s: %s", dev, full);
		return;
	case EBADMSG:
		snprintf(msg, len, "%s: invalid reply from the kernel", dev);
		return;
	}
	snprintf(msg, len, "%s: %s", dev, strerror(err));
}

/*
 * Prints the error of a kernel answer about device dev.  what names the
 * object of the request for EEXIST/ENOENT ("NHRP entry 10.0.0.1"), full
 * the table for ENOSPC; both may be NULL.
 */
void nhrp_report_error(const struct nhrp_result *res, const char *dev,
		       const char *what, const char *full)
{
	char msg[160];

	describe_error(-res->error, dev, what, full, msg, sizeof(msg));
	if (res->extack[0])
		err_msg("%s (kernel: %s)", msg, res->extack);
	else
		err_msg("%s", msg);
}

int nhrp_request_report(struct nhrp_nl *nl, struct nl_msg *msg,
			const struct mgre_dev *dev, const char *what,
			const char *full, nhrp_reply_fn fn, void *arg)
{
	struct nhrp_result res;
	int ret;

	ret = nhrp_nl_request(nl, msg, fn, arg, &res);
	if (ret)
		return ret;
	if (!res.error) {
		/* done, with the kernel's remark (like ip's "Warning:") */
		if (res.extack[0])
			err_msg("warning: %s: %s", dev->name, res.extack);
		return EXIT_OK;
	}
	nhrp_report_error(&res, dev->name, what, full);
	return EXIT_FAIL;
}

/* ---- devices ---------------------------------------------------------- */

static int link_cache(struct nl_cache **cache)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (!err)
		err = rtnl_link_alloc_cache(sk, AF_UNSPEC, cache);
	nl_socket_free(sk);
	if (err < 0) {
		err_msg("cannot list network devices: %s", nl_geterror(err));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static bool link_is_mgre(struct rtnl_link *link)
{
	const char *kind = rtnl_link_get_type(link);

	return kind && !strcmp(kind, MGRE_KIND);
}

static void link_to_dev(struct rtnl_link *link, struct mgre_dev *dev)
{
	dev->ifindex = rtnl_link_get_ifindex(link);
	snprintf(dev->name, sizeof(dev->name), "%s", rtnl_link_get_name(link));
}

/*
 * Device lookups go through one link dump, kept until dev_cache_free(): a
 * batch of 100,000 lines naming the same device enumerates the devices
 * once, not per line.  A name missing from a dump older than this lookup
 * is looked up again in a fresh dump (the device may have been created
 * since); a kernel that no longer knows a cached ifindex answers ENODEV.
 */
static struct nl_cache *links;

void dev_cache_free(void)
{
	if (links)
		nl_cache_free(links);
	links = NULL;
}

static struct rtnl_link *cached_link(const char *name, bool *fresh)
{
	struct rtnl_link *link = NULL;

	*fresh = false;
	if (links)
		link = rtnl_link_get_by_name(links, name);
	if (link)
		return link;
	dev_cache_free();
	if (link_cache(&links))
		return NULL;
	*fresh = true;
	return rtnl_link_get_by_name(links, name);
}

int dev_lookup(const char *name, struct mgre_dev *dev)
{
	struct rtnl_link *link;
	bool fresh;
	int ret = EXIT_OK;

	link = cached_link(name, &fresh);
	if (!link) {
		if (!fresh)	/* the dump failed, with a message */
			return EXIT_FAIL;
		err_msg("device \"%s\" does not exist", name);
		return EXIT_FAIL;
	}
	if (!link_is_mgre(link)) {
		err_msg("device \"%s\" is not an mgre device", name);
		ret = EXIT_FAIL;
	} else {
		link_to_dev(link, dev);
	}
	rtnl_link_put(link);
	return ret;
}

static int cmp_ifindex(const void *a, const void *b)
{
	const struct mgre_dev *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* All mgre devices of the netns, by ifindex; *devs is malloc'ed */
int dev_list(struct mgre_dev **devs, size_t *ndevs)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	size_t n = 0;
	int ret;

	*devs = NULL;
	*ndevs = 0;
	ret = link_cache(&cache);
	if (ret)
		return ret;
	*devs = calloc(nl_cache_nitems(cache) + 1, sizeof(**devs));
	if (!*devs) {
		nl_cache_free(cache);
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
		if (link_is_mgre((struct rtnl_link *)obj))
			link_to_dev((struct rtnl_link *)obj, &(*devs)[n++]);
	nl_cache_free(cache);
	qsort(*devs, n, sizeof(**devs), cmp_ifindex);
	*ndevs = n;
	return EXIT_OK;
}

/* ---- events ----------------------------------------------------------- */

/* The socket's receive buffer: room for bursts (a hub's registrations) */
#define NHRP_EVENT_BUF	(1 << 20)

struct listener {
	nhrp_reply_fn fn;
	void *arg;
	int ret;
};

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MGRE_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct listener *l = arg;

	/* (anything else on the group, or malformed: not ours to print) */
	if (genlmsg_hdr(nlh)->cmd != MGRE_CMD_EVENT ||
	    genlmsg_parse(nlh, 0, tb, MGRE_A_MAX, mgre_policy) < 0)
		return NL_SKIP;
	l->ret = l->fn(tb, l->arg);
	return l->ret ? NL_STOP : NL_OK;
}

int nhrp_nl_listen(nhrp_reply_fn fn, void *arg)
{
	struct listener l = { .fn = fn, .arg = arg };
	struct nl_sock *sk = nl_socket_alloc();
	int grp, err;

	if (!sk) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	err = genl_connect(sk);
	if (err < 0) {
		err_msg("cannot open a generic netlink socket: %s",
			nl_geterror(err));
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(sk, MGRE_GENL_NAME, MGRE_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		if (genl_ctrl_resolve(sk, MGRE_GENL_NAME) < 0)
			err_msg("the mgre module is not loaded (modprobe mgre)");
		else
			err_msg("the mgre module has no \"%s\" group: it is older than this nhrpctl",
				MGRE_GENL_MCGRP_EVENTS);
		goto fail;
	}
	nl_socket_disable_seq_check(sk);
	/* (best effort: the default buffer works, it only overflows sooner) */
	nl_socket_set_buffer_size(sk, NHRP_EVENT_BUF, 0);
	err = nl_socket_add_membership(sk, grp);
	if (err < 0) {
		if (err == -NLE_PERM)
			err_msg("listening to events needs CAP_NET_ADMIN");
		else
			err_msg("cannot join the \"%s\" group: %s",
				MGRE_GENL_MCGRP_EVENTS, nl_geterror(err));
		goto fail;
	}
	err = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &l);
	if (err < 0) {
		err_msg("out of memory");
		goto fail;
	}
	for (;;) {
		err = nl_recvmsgs_default(sk);
		if (l.ret)
			break;
		/* ENOBUFS: the kernel dropped events for us; go on */
		if (err == -NLE_NOMEM) {
			err_msg("events lost: the socket's receive buffer overflowed");
			continue;
		}
		if (err < 0) {
			err_msg("receiving events: %s", nl_geterror(err));
			goto fail;
		}
	}
	nl_socket_free(sk);
	return l.ret > 0 ? l.ret : EXIT_FAIL;
fail:
	nl_socket_free(sk);
	return EXIT_FAIL;
}

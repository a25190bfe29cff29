// SPDX-License-Identifier: GPL-2.0
/*
 * Route injection: see route.h.
 *
 * The cache reports changes under its spinlock, often in softirq context,
 * so they are queued and a work item applies them through an rtnetlink
 * socket of the device's netns, as "ip route replace/del" would: the FIB
 * has no exported insert function, and rtnetlink validates and notifies
 * (routing daemons see the routes come and go).  The work takes RTNL
 * (inside rtnetlink), so it must never be waited for under RTNL: it holds
 * a reference on the device instead, and drops what it finds once the
 * device is being unregistered (the kernel then removes the device's
 * routes itself).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inetdevice.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "device.h"
#include "nhrp_int.h"
#include "route.h"

struct mgre_route_ev {
	struct list_head node;
	__be32 dst;
	__be32 gw;		/* a shortcut's next hop; 0: on link */
	u8 dst_len;
	bool add;
};

static struct workqueue_struct *mgre_route_wq;

int __init mgre_route_wq_init(void)
{
	mgre_route_wq = alloc_workqueue("mgre_route", WQ_UNBOUND, 1);
	return mgre_route_wq ? 0 : -ENOMEM;
}

/* After every device is gone: waits for the last work to return. */
void mgre_route_wq_uninit(void)
{
	destroy_workqueue(mgre_route_wq);
}

/* One RTM_NEWROUTE/RTM_DELROUTE with an ACK; returns its error. */
static int mgre_route_apply(struct socket *sock, int ifindex,
			    const struct mgre_route_ev *ev, u32 seq)
{
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
		struct nlattr dst_hdr;
		__be32 dst;
		struct nlattr oif_hdr;
		u32 oif;
		struct nlattr gw_hdr;	/* (last: left out without a gateway) */
		__be32 gw;
	} __packed req = {};
	struct {
		struct nlmsghdr n;
		struct nlmsgerr e;
	} ack;
	/*
	 * An explicit destination (the kernel, nl_pid 0) matters: it makes
	 * netlink skip the file-based capability check, and a kernel socket
	 * has no file.
	 */
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof(to) };
	struct kvec iov = { &req, sizeof(req) };
	int ret;

	BUILD_BUG_ON(sizeof(req) != NLMSG_LENGTH(sizeof(struct rtmsg)) +
		     3 * NLA_HDRLEN + 12);
	req.n.nlmsg_len = sizeof(req) - (ev->gw ? 0 : NLA_HDRLEN + 4);
	req.n.nlmsg_type = ev->add ? RTM_NEWROUTE : RTM_DELROUTE;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			    (ev->add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	req.n.nlmsg_seq = seq;
	req.r.rtm_family = AF_INET;
	req.r.rtm_dst_len = ev->dst_len;
	req.r.rtm_table = RT_TABLE_MAIN;
	req.r.rtm_protocol = MGRE_RTPROT_NHRP;
	/* (a delete matches any scope: a shortcut's route is universe) */
	req.r.rtm_scope = !ev->add ? RT_SCOPE_NOWHERE :
			  ev->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	req.r.rtm_type = RTN_UNICAST;
	req.dst_hdr.nla_len = NLA_HDRLEN + sizeof(req.dst);
	req.dst_hdr.nla_type = RTA_DST;
	req.dst = ev->dst;
	req.oif_hdr.nla_len = NLA_HDRLEN + sizeof(req.oif);
	req.oif_hdr.nla_type = RTA_OIF;
	req.oif = ifindex;
	req.gw_hdr.nla_len = NLA_HDRLEN + sizeof(req.gw);
	req.gw_hdr.nla_type = RTA_GATEWAY;
	req.gw = ev->gw;
	iov.iov_len = req.n.nlmsg_len;

	ret = kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
	if (ret < 0)
		return ret;
	/* rtnetlink answered while we sent: the ACK is queued already. */
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &ack;
	iov.iov_len = sizeof(ack);
	ret = kernel_recvmsg(sock, &msg, &iov, 1, sizeof(ack), MSG_DONTWAIT);
	if (ret < (int)sizeof(ack) || ack.n.nlmsg_type != NLMSG_ERROR)
		return ret < 0 ? ret : -EPROTO;
	ret = ack.e.error;
	/*
	 * Never replace a route we do not own: an existing route to the
	 * peer (an administrator's, or ours from before) stays, and our
	 * delete, which names protocol nhrp, leaves someone else's alone.
	 */
	if ((ret == -EEXIST && ev->add) || (ret == -ESRCH && !ev->add))
		ret = 0;
	return ret;
}

static bool mgre_route_special(__be32 dst)
{
	return ipv4_is_zeronet(dst) || ipv4_is_loopback(dst) ||
	       ipv4_is_multicast(dst) || ipv4_is_lbcast(dst);
}

/*
 * A peer chooses the addresses it registers: inject only what lies in a
 * subnet of the tunnel itself, never a special or local address, so that
 * no peer can pull the underlay's routes (its NHS's NBMA address, a
 * gateway) into the tunnel.  A shortcut's prefix lies outside the tunnel
 * (the answer was checked for that, nhrp_res.c): its next hop must lie
 * inside.  Process context.
 */
static bool mgre_route_allowed(struct mgre_device *md,
			       const struct mgre_route_ev *ev)
{
	return !mgre_route_special(ev->dst) &&
	       mgre_is_tunnel_host(md, ev->gw ? ev->gw : ev->dst);
}

static void mgre_route_work(struct work_struct *work)
{
	struct mgre_route *r = container_of(work, struct mgre_route, work);
	struct mgre_device *md = container_of(r, struct mgre_device, route);
	struct net_device *dev = r->dev;
	struct mgre_route_ev *ev, *tmp;
	struct socket *sock = NULL;
	LIST_HEAD(list);
	u32 seq = 0;
	int ret;

	spin_lock_bh(&r->lock);
	list_splice_init(&r->queue, &list);
	r->qlen = 0;
	r->scheduled = false;
	spin_unlock_bh(&r->lock);

	/* (a dying device's routes go with it) */
	if (READ_ONCE(dev->reg_state) == NETREG_REGISTERED &&
	    sock_create_kern(dev_net(dev), AF_NETLINK, SOCK_RAW,
			     NETLINK_ROUTE, &sock) < 0) {
		sock = NULL;
		mgre_stat_inc(md, MGRE_STAT_ROUTE_ERRORS);
	}
	list_for_each_entry_safe(ev, tmp, &list, node) {
		if (sock && ev->add && !mgre_route_allowed(md, ev)) {
			mgre_stat_inc(md, MGRE_STAT_ROUTE_ERRORS);
			net_dbg_ratelimited("%s: no route to %pI4: not in a subnet of the tunnel\n",
					    dev->name, &ev->dst);
		} else if (sock) {
			ret = mgre_route_apply(sock, dev->ifindex, ev, ++seq);
			if (ret) {
				mgre_stat_inc(md, MGRE_STAT_ROUTE_ERRORS);
				net_dbg_ratelimited("%s: cannot %s the route to %pI4: %d\n",
						    dev->name,
						    ev->add ? "add" : "delete",
						    &ev->dst, ret);
			}
		}
		list_del(&ev->node);
		kfree(ev);
		cond_resched();
	}
	if (sock)
		sock_release(sock);
	/* Last: the device may be freed from here on. */
	dev_put(dev);
}

void mgre_route_init(struct mgre_route *r, struct net_device *dev)
{
	r->dev = dev;
	r->enabled = false;
	spin_lock_init(&r->lock);
	INIT_LIST_HEAD(&r->queue);
	r->qlen = 0;
	r->scheduled = false;
	INIT_WORK(&r->work, mgre_route_work);
}

/* The device is being freed: no work is queued (it would hold a ref). */
void mgre_route_destroy(struct mgre_route *r)
{
	struct mgre_route_ev *ev, *tmp;

	list_for_each_entry_safe(ev, tmp, &r->queue, node)
		kfree(ev);
	INIT_LIST_HEAD(&r->queue);
}

bool mgre_route_event(struct mgre_route *r, __be32 proto, u8 prefixlen,
		      __be32 gw, bool add)
{
	struct mgre_device *md = container_of(r, struct mgre_device, route);
	struct mgre_route_ev *ev;

	if (!READ_ONCE(r->enabled) && add)
		return false;
	ev = kmalloc(sizeof(*ev), GFP_ATOMIC);
	if (!ev) {
		mgre_stat_inc(md, MGRE_STAT_ROUTE_ERRORS);
		return false;
	}
	ev->dst = proto;
	ev->dst_len = prefixlen;
	ev->gw = gw;
	ev->add = add;
	spin_lock_bh(&r->lock);
	/* (deletes are bounded by the entries, and cannot be retried) */
	if (add && r->qlen >= MGRE_ROUTE_QUEUE_MAX) {
		spin_unlock_bh(&r->lock);
		kfree(ev);
		mgre_stat_inc(md, MGRE_STAT_ROUTE_ERRORS);
		return false;
	}
	list_add_tail(&ev->node, &r->queue);
	r->qlen++;
	if (!r->scheduled) {
		r->scheduled = true;
		dev_hold(r->dev);
		if (!queue_work(mgre_route_wq, &r->work))
			dev_put(r->dev);
	}
	spin_unlock_bh(&r->lock);
	return true;
}

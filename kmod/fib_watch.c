// SPDX-License-Identifier: GPL-2.0
/*
 * The FIB watch: see fib_watch.h.
 *
 * One FIB notifier per netns, registered with the netns: the
 * registration replays the existing routes and takes RTNL, which the
 * device paths (newlink, changelink) already hold.  The notifier runs in
 * atomic context, under rcu_read_lock(), for every route change of the
 * netns (in 6.1: a route that becomes the first of its prefix is
 * reported as replaced, the last one's deletion as deleted; only the
 * first route of a prefix is reported).  It returns at once while no
 * device anywhere watches a cover; otherwise the netns's mgre devices
 * look the changed route up among the covers of their shortcuts, exactly
 * (prefix, length, table: no lookup, which could run before the route
 * is unlinked), and have their NHRP work remove the shortcuts of a cover
 * that went; what counts is the prefix's first route, the one in use.
 * Not seen: a nexthop object changed under a cover ("ip nexthop
 * replace").
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <net/fib_notifier.h>
#include <net/ip_fib.h>

#include "device.h"
#include "fib_watch.h"
#include "nhrp.h"

static int mgre_fib_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct mgre_fib_watch *w = container_of(nb, struct mgre_fib_watch,
						nb);
	struct fib_notifier_info *info = ptr;
	struct fib_entry_notifier_info *fen;
	struct net_device *dev;

	if (!mgre_cache_any_cover() || info->family != AF_INET ||
	    (event != FIB_EVENT_ENTRY_DEL && event != FIB_EVENT_ENTRY_REPLACE))
		return NOTIFY_DONE;
	fen = container_of(info, struct fib_entry_notifier_info, info);
	/*
	 * (our own shortcut routes, route-inject: never a cover, and never
	 * put before one, see mgre_entry_changed())
	 */
	if (fen->dst_len < 0 || fen->dst_len > 32 ||
	    (fen->fi && fen->fi->fib_protocol == MGRE_RTPROT_NHRP))
		return NOTIFY_DONE;
	/* (the chain runs under rcu_read_lock()) */
	for_each_netdev_rcu(w->net, dev)
		if (dev->rtnl_link_ops == &mgre_link_ops)
			mgre_nhrp_route_changed(netdev_priv(dev),
						htonl(fen->dst), fen->dst_len,
						fen->tb_id,
						event == FIB_EVENT_ENTRY_DEL,
						fen->fi, fen->type);
	return NOTIFY_DONE;
}

void mgre_fib_watch_init(struct mgre_fib_watch *w, struct net *net)
{
	int ret;

	w->net = net;
	w->nb.notifier_call = mgre_fib_event;
	ret = register_fib_notifier(net, &w->nb, NULL, NULL);
	w->registered = !ret;
	/* (not fatal to the netns: shortcuts then only expire) */
	if (ret)
		pr_warn("no FIB notifier (%d): shortcuts outlive the routes they override\n",
			ret);
}

void mgre_fib_watch_exit(struct mgre_fib_watch *w)
{
	if (w->registered)
		unregister_fib_notifier(w->net, &w->nb);
	w->registered = false;
}

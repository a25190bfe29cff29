// SPDX-License-Identifier: GPL-2.0
/*
 * The FIB watch: see fib_watch.h.
 *
 * One FIB notifier per netns, registered with the netns: the
 * registration replays the existing routes and takes RTNL, which the
 * device paths (newlink, changelink) already hold.  The notifier runs in
 * atomic context, under rcu_read_lock(), for every route change of the
 * netns; it returns at once while no device anywhere holds a shortcut,
 * and otherwise tells the netns's mgre devices that a route of that
 * length was deleted or replaced.  A device whose shortcuts override a
 * route of that length has its NHRP work check those routes (a lookup
 * each, see mgre_nhrp_recheck_work()): no queue of changes to overflow
 * under a routing storm, at most one walk per run of the work.
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

	/* (added routes take no cover away: a longer one only hides it) */
	if (!mgre_cache_any_shortcut() || info->family != AF_INET ||
	    (event != FIB_EVENT_ENTRY_DEL && event != FIB_EVENT_ENTRY_REPLACE))
		return NOTIFY_DONE;
	fen = container_of(info, struct fib_entry_notifier_info, info);
	/* (our own shortcut routes, route-inject: never a cover) */
	if (fen->dst_len < 0 || fen->dst_len > 32 ||
	    (fen->fi && fen->fi->fib_protocol == MGRE_RTPROT_NHRP))
		return NOTIFY_DONE;
	/* (the chain runs under rcu_read_lock()) */
	for_each_netdev_rcu(w->net, dev)
		if (dev->rtnl_link_ops == &mgre_link_ops)
			mgre_nhrp_route_changed(netdev_priv(dev),
						fen->dst_len);
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

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The FIB watch (phase 3; IOS watches the routes its NHRP routes rely on
 * so): a shortcut overrides the next hop of the route that took its
 * destination into the tunnel, its cover (a summary through the hub,
 * say); when that route is deleted or leads elsewhere, the shortcut goes
 * too, and with it its route (route-inject), so that traffic follows
 * the routing table again.
 */
#ifndef _MGRE_FIB_WATCH_H
#define _MGRE_FIB_WATCH_H

#include <linux/notifier.h>
#include <net/net_namespace.h>

struct mgre_fib_watch {
	struct notifier_block nb;
	struct net *net;
	bool registered;
};

/* A netns comes (not under RTNL: the registration takes it) and goes. */
void mgre_fib_watch_init(struct mgre_fib_watch *w, struct net *net);
void mgre_fib_watch_exit(struct mgre_fib_watch *w);

#endif /* _MGRE_FIB_WATCH_H */

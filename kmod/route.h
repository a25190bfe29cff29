/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Route injection (the analogue of Cisco's reverse route injection): with
 * "route-inject on", every peer NHRP learned (registered at a hub,
 * resolved at a spoke) gets a host route "PROTO/32 dev DEV proto nhrp"
 * in the main table of the device's netns, removed when the entry goes,
 * so a routing daemon can redistribute what NHRP knows; a shortcut gets
 * "PREFIX via NEXT_HOP dev DEV proto nhrp" (IOS's NHRP route, "H" in
 * "show ip route"), never replacing a route that is not ours.
 */
#ifndef _MGRE_ROUTE_H
#define _MGRE_ROUTE_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

/* "nhrp" in /etc/iproute2/rt_protos.d/frr.conf (FRR's RTPROT_NHRP) */
#define MGRE_RTPROT_NHRP	191
#define MGRE_ROUTE_QUEUE_MAX	4096	/* pending changes, at most */

struct mgre_route {
	struct net_device *dev;
	bool enabled;		/* READ_ONCE(); written under RTNL */
	spinlock_t lock;	/* protects the fields below */
	struct list_head queue;	/* struct mgre_route_ev, in order */
	unsigned int qlen;
	bool scheduled;		/* the work is queued and holds a dev ref */
	struct work_struct work;
};

int mgre_route_wq_init(void);
void mgre_route_wq_uninit(void);

void mgre_route_init(struct mgre_route *r, struct net_device *dev);
void mgre_route_destroy(struct mgre_route *r);

/*
 * The entry for @proto/@prefixlen became routable (@add; through @gw, a
 * shortcut's next hop, if not 0) or stopped being so.  Returns false when
 * the change could not be queued (counted).
 */
bool mgre_route_event(struct mgre_route *r, __be32 proto, u8 prefixlen,
		      __be32 gw, bool add);

#endif /* _MGRE_ROUTE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GRE keepalives (Cisco "keepalive" on a GRE tunnel, RFC 1701 style): the
 * reflector that sends a peer's keepalive back to it, and the originator
 * ("keepalive PERIOD RETRIES") that probes the remote end of a
 * point-to-point device or every NHS of a multipoint one.
 */
#ifndef _MGRE_KEEPALIVE_H
#define _MGRE_KEEPALIVE_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#define MGRE_KA_RETRIES_DEFAULT	3

struct mgre_device;

struct mgre_ka {
	spinlock_t lock;	/* the fields below, and queueing the work */
	struct delayed_work work;
	/* Under lock; written under RTNL: */
	bool running;		/* device up: the work may run */
	u16 interval;		/* seconds, 0 = off; READ_ONCE() */
	u8 retries;		/* unanswered in a row: peer down */
	/* Point-to-point peer, under lock: */
	u8 missed;		/* sent since the last answer */
	bool down;		/* READ_ONCE(): carrier off */
};

void mgre_ka_init(struct mgre_device *md);
void mgre_ka_set(struct mgre_device *md, u16 interval, u8 retries);
void mgre_ka_open(struct mgre_device *md);
void mgre_ka_stop(struct mgre_device *md);

bool mgre_ka_rcv(struct mgre_device *md, struct sk_buff *skb, int gre_hlen);
void mgre_ka_reply_rcv(struct mgre_device *md, struct sk_buff *skb);

#endif /* _MGRE_KEEPALIVE_H */

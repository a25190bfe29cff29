/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NHRP protocol engine (RFC 2332 + Cisco DMVPN behaviour):
 * registration (client and server), resolution, purge and error
 * indication.  Wire format in nhrp_codec.c.
 */
#ifndef _MGRE_NHRP_H
#define _MGRE_NHRP_H

#include <linux/skbuff.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <uapi/mgre.h>

#define MGRE_HOLDTIME_DEFAULT	7200

struct mgre_device;

#define MGRE_PURGED_MAX		16
/* Going down, an egress purges itself at this many peers, at most */
#define MGRE_PURGE_PEERS_MAX	64

/*
 * Per-device NHRP settings, from the link attributes (a new field goes in
 * mgre_nhrp_cfg_equal() too).
 */
struct mgre_nhrp_cfg {
	u32 network_id;		/* 0: NHRP off */
	u16 holdtime;
	u8 auth_len;
	u8 auth[MGRE_AUTH_MAX];
	bool no_unique;
	u16 reg_timeout;	/* 0: holdtime / 3 */
	bool if_state;		/* carrier follows the NHSes */
};

struct mgre_nhrp {
	struct mgre_nhrp_cfg cfg;	/* under lock; written under RTNL */
	spinlock_t lock;
	struct delayed_work work;	/* registration, expiry, retries */
	bool running;			/* device up: work may run; under lock */
	bool enabled;			/* cfg.network_id != 0; READ_ONCE() */
	bool any_subnet;		/* "subnet-check off"; READ_ONCE() */
	bool behind_nat;		/* an NHS saw us from another address;
					 * READ_ONCE()
					 */
	unsigned long last_walk;	/* jiffies of the last cache walk */
	struct ratelimit_state ei_rs;	/* error indications we send */
	/* Traffic Indications acted on (resolutions they start), from NHSes
	 * too: an indication's source address proves little without IPsec
	 */
	struct ratelimit_state ti_rs;
	bool redirect;			/* phase 3 hub; READ_ONCE() */
	u16 redirect_timeout;		/* seconds per pair; READ_ONCE() */
	bool shortcut;			/* phase 3 spoke; READ_ONCE() */
	/* Traffic Indications sent, by (source, destination) hash: lockless
	 * (nhrp_redirect.c); a slot holds one pair for the interval, so at
	 * most MGRE_REDIRECT_SLOTS are sent per interval
	 */
	u32 redirect_salt;
	unsigned long redirect_sent[MGRE_REDIRECT_SLOTS];	/* jiffies */
	/* Peers that purged themselves while we hold shortcuts: the work
	 * removes the shortcuts that lead to them (a walk: not in softirq).
	 * Under lock; more than MGRE_PURGED_MAX at once wait for expiry.
	 */
	unsigned int npurged;
	__be32 purged[MGRE_PURGED_MAX][2];	/* { via, nbma } */
};

void mgre_nhrp_init(struct mgre_device *md);
void mgre_nhrp_set_cfg(struct mgre_device *md, const struct mgre_nhrp_cfg *c);
bool mgre_nhrp_cfg_equal(const struct mgre_nhrp_cfg *a,
			 const struct mgre_nhrp_cfg *b);
void mgre_nhrp_get_cfg(struct mgre_device *md, struct mgre_nhrp_cfg *c);
void mgre_nhrp_open(struct mgre_device *md);
void mgre_nhrp_stop(struct mgre_device *md);
void mgre_nhrp_kick(struct mgre_device *md);

/*
 * An NHRP packet (GRE protocol type 0x2001) arrived on @md.  skb->data
 * points at the GRE header (ip_hdr() is the outer header); @gre_hlen is
 * the GRE header length.  Consumes @skb.
 */
void mgre_nhrp_rcv(struct mgre_device *md, struct sk_buff *skb, int gre_hlen);

/*
 * Transmit found no usable cache entry for next hop @proto: none at all,
 * or (@known) one being resolved or that failed to resolve.  Starts a
 * resolution when NHRP is on and there is no entry, and returns the NBMA
 * address of the NHS to send the packet through meanwhile, or 0 to drop
 * it.  Called under rcu_read_lock() from the data path; does not sleep;
 * with @known it takes no lock and allocates nothing.
 */
__be32 mgre_nhrp_miss(struct mgre_device *md, __be32 proto, bool known);
__be32 mgre_nhrp_mapped_nhs(struct mgre_device *md, __be32 proto);

/*
 * Phase 3 hub ("redirect"): @skb (IPv4, network header set) came in
 * through the device and goes out through it again: send its source's
 * spoke a Traffic Indication, within the rate limits.  Does not consume
 * @skb.  From transmit.
 */
void mgre_nhrp_redirect(struct mgre_device *md, struct sk_buff *skb);
/*
 * Spoke: the route @dst/@len of table @tb_id in the device's netns was
 * @deleted, or replaced by @fi (of @type); the shortcuts that override it
 * go if it no longer leads into the device (fib_watch.c; any context,
 * under rcu_read_lock()).
 */
struct fib_info;
void mgre_nhrp_route_changed(struct mgre_device *md, __be32 dst, u8 len,
			     u32 tb_id, bool deleted, struct fib_info *fi,
			     u8 type);

struct mgre_nhs;

__be32 mgre_local_nbma(struct mgre_device *md, __be32 peer);
/* The NBMA address of NHS @n (its own, or from the cache); 0 = unknown. */
__be32 mgre_nhs_nbma(struct mgre_device *md, const struct mgre_nhs *n);
bool mgre_nhrp_nhs_ka(struct mgre_device *md, struct mgre_nhs *n, bool alive);

/* Purge our registrations at the NHSes (device going down, NHS removed). */
struct mgre_nhs_id;
void mgre_nhrp_purge_nhs(struct mgre_device *md, const struct mgre_nhs_id *id);

#endif /* _MGRE_NHRP_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-peer route cache: for each NBMA address the device sends data to,
 * the route (and, under tunnel protection, the XFRM bundle) of its last
 * packets, in a per-CPU dst_cache, as vxlan keeps one per remote and
 * WireGuard one per peer.  A multipoint device otherwise routes every
 * packet, and with an IPsec policy resolves the bundle every packet: the
 * kernel's per-CPU "last bundle" helps only while one peer is sent to.
 *
 * Peers are made by the first data packet (unicast or a multicast copy)
 * to an address and reclaimed once idle, so a hub with 100,000 mostly
 * idle spokes pays per-CPU memory only for those that carry traffic.
 * NHRP packets and keepalives use a peer's cache when it exists and do
 * not make one.  A cached route is checked on every use (dst_cache: route
 * changes bump the route generation; XFRM policy and SA changes make
 * bundles stale) and all are dropped when the device's own parameters
 * (local address, underlay device, key, tos) change.
 */
#ifndef _MGRE_PEER_H
#define _MGRE_PEER_H

#include <linux/rhashtable.h>
#include <net/dst_cache.h>

#define MGRE_PEER_MAX		65536	/* peers with a route cache */
#define MGRE_PEER_IDLE		(30 * HZ)	/* reclaimed after this */

struct mgre_peer {
	struct rhash_head node;
	__be32 nbma;			/* key */
	unsigned long used;		/* jiffies of the last data packet */
	struct dst_cache dst_cache;
	struct rcu_head rcu;
};

struct mgre_peers {
	struct rhashtable ht;		/* RCU readers; writers: rhashtable */
	unsigned long last_gc;		/* jiffies; the NHRP work only */
};

int mgre_peers_init(struct mgre_peers *peers);
/* No readers are left (the device is being freed). */
void mgre_peers_destroy(struct mgre_peers *peers);

/*
 * The route cache for @nbma, made if @create and there is none (*@made
 * is then set); NULL if there is none (or no memory, or MGRE_PEER_MAX
 * peers exist).  Caller holds rcu_read_lock() and uses the result only
 * within it.
 */
struct dst_cache *mgre_peer_dst_cache(struct mgre_peers *peers, __be32 nbma,
				      bool create, bool *made);

/* Forget every cached route (the device's parameters changed); RTNL. */
void mgre_peers_reset(struct mgre_peers *peers);

/* Reclaim idle peers; process context, from the NHRP work.  Returns how
 * many.
 */
unsigned int mgre_peers_gc(struct mgre_peers *peers);

#ifdef MGRE_SELFTEST
bool mgre_peers_selftest(void);
#endif

static inline unsigned int mgre_peers_count(struct mgre_peers *peers)
{
	return atomic_read(&peers->ht.nelems);
}

#endif /* _MGRE_PEER_H */

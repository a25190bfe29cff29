// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: find the protocol next hop of each packet in the NHRP cache and
 * send it GRE-encapsulated to that peer's NBMA address; hand multicast and
 * broadcast to the multicast map for replication.
 *
 * Outer packets go through ip_tunnel_xmit(), which routes them with
 * flowi4_proto = IPPROTO_GRE (so XFRM policies for GRE apply), handles
 * PMTU and frag-needed, TTL/TOS inheritance and cross-netns underlays.
 */

#include <linux/ip.h>
#include <net/gre.h>
#include <net/ip_tunnels.h>
#include <net/route.h>

#include "device.h"
#include "nhrp.h"
#include "xmit.h"

void mgre_xmit_drop(struct mgre_device *md, struct sk_buff *skb,
		    enum mgre_stat why)
{
	mgre_stat_inc(md, why);
	DEV_STATS_INC(mgre_to_dev(md), tx_dropped);
	kfree_skb(skb);
}

/* Encapsulate @skb and send it to @nbma.  Consumes @skb. */
void mgre_xmit_one(struct mgre_device *md, struct sk_buff *skb, __be32 nbma)
{
	struct net_device *dev = mgre_to_dev(md);
	struct ip_tunnel *t = &md->t;
	const struct iphdr *tnl_params;
	struct iphdr params;

	if (skb_cow_head(skb, dev->needed_headroom))
		goto nomem;
	if (iptunnel_handle_offloads(skb, SKB_GSO_GRE))
		goto nomem;

	if (t->parms.iph.daddr) {
		/* Point-to-point: ip_tunnel caches the route. */
		tnl_params = &t->parms.iph;
	} else {
		params = t->parms.iph;
		params.daddr = nbma;
		tnl_params = &params;
	}

	gre_build_header(skb, t->tun_hlen, t->parms.o_flags, skb->protocol,
			 t->parms.o_key, 0);
	ip_tunnel_xmit(skb, dev, tnl_params, IPPROTO_GRE);
	return;

nomem:
	mgre_xmit_drop(md, skb, MGRE_STAT_TX_NOMEM);
}

static bool mgre_is_mcast(const struct rtable *rt, __be32 daddr)
{
	return ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr) ||
	       rt->rt_type == RTN_BROADCAST || rt->rt_type == RTN_MULTICAST;
}

static void mgre_xmit_ipv4(struct mgre_device *md, struct sk_buff *skb)
{
	const struct rtable *rt = skb_rtable(skb);
	__be32 nbma = 0, via = 0;
	struct mgre_entry *e;
	__be32 daddr, nh;
	u8 type;

	if (!rt) {
		mgre_xmit_drop(md, skb, MGRE_STAT_TX_UNSUPPORTED);
		return;
	}
	daddr = ip_hdr(skb)->daddr;
	if (mgre_is_mcast(rt, daddr)) {
		mgre_mcast_xmit(md, skb);
		return;
	}

	nh = rt_nexthop(rt, daddr);
	rcu_read_lock();
	e = mgre_cache_lookup(&md->cache, nh);
	if (e) {
		/* Pairs with smp_store_release() in mgre_entry_update(). */
		type = smp_load_acquire(&e->type);
		if (type != MGRE_ENTRY_INCOMPLETE &&
		    type != MGRE_ENTRY_NEGATIVE)
			nbma = READ_ONCE(e->nbma);
		if (nbma)
			mgre_entry_touch(e);
	}
	/* Resolve, and meanwhile send through the NHS if there is one. */
	if (!nbma)
		via = mgre_nhrp_miss(md, nh);
	rcu_read_unlock();

	if (via) {
		mgre_stat_inc(md, MGRE_STAT_TX_VIA_NHS);
		mgre_xmit_one(md, skb, via);
		return;
	}
	if (!nbma) {
		net_dbg_ratelimited("%s: no NHRP entry for next hop %pI4\n",
				    mgre_to_dev(md)->name, &nh);
		mgre_xmit_drop(md, skb, MGRE_STAT_TX_CACHE_MISS);
		return;
	}
	mgre_stat_inc(md, MGRE_STAT_TX_UNICAST);
	mgre_xmit_one(md, skb, nbma);
}

netdev_tx_t mgre_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct mgre_device *md = netdev_priv(dev);

	if (!pskb_inet_may_pull(skb)) {
		mgre_xmit_drop(md, skb, MGRE_STAT_TX_UNSUPPORTED);
		return NETDEV_TX_OK;
	}

	if (md->t.parms.iph.daddr) {
		mgre_stat_inc(md, MGRE_STAT_TX_UNICAST);
		mgre_xmit_one(md, skb, md->t.parms.iph.daddr);
	} else if (skb->protocol == htons(ETH_P_IP)) {
		mgre_xmit_ipv4(md, skb);
	} else {
		net_dbg_ratelimited("%s: cannot route protocol 0x%04x over multipoint GRE\n",
				    dev->name, ntohs(skb->protocol));
		mgre_xmit_drop(md, skb, MGRE_STAT_TX_UNSUPPORTED);
	}
	return NETDEV_TX_OK;
}

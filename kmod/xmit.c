// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: find the protocol next hop of each packet in the NHRP cache and
 * send it GRE-encapsulated to that peer's NBMA address; hand multicast and
 * broadcast to the multicast map for replication.
 *
 * Outer packets are routed with flowi4_proto = IPPROTO_GRE (so XFRM
 * policies for GRE apply) through the peer's route cache (peer.h), with
 * what ip_tunnel_xmit() does after routing: PMTU and frag-needed, TTL/TOS
 * inheritance, cross-netns underlays.  A point-to-point device (remote
 * set) goes through ip_tunnel_xmit() itself, which caches its one route.
 */

#include <linux/ip.h>
#include <net/gre.h>
#include <net/ip_tunnels.h>
#include <net/dst_metadata.h>
#include <net/icmp.h>
#include <net/inet_dscp.h>
#include <net/route.h>

#include "device.h"
#include "peer.h"
#include "nhrp.h"
#include "xmit.h"

void mgre_xmit_drop(struct mgre_device *md, struct sk_buff *skb,
		    enum mgre_stat why)
{
	mgre_stat_inc(md, why);
	DEV_STATS_INC(mgre_to_dev(md), tx_dropped);
	kfree_skb(skb);
}

/*
 * Frag-needed and the inner route's PMTU, as ip_tunnel's tnl_update_pmtu()
 * for an IPv4 payload (the only one a multipoint device carries).
 */
static int mgre_update_pmtu(struct net_device *dev, struct sk_buff *skb,
			    struct rtable *rt, __be16 df,
			    const struct iphdr *inner_iph)
{
	struct ip_tunnel *t = netdev_priv(dev);
	int pkt_size = skb->len - t->hlen;
	int mtu;

	if (df)
		mtu = dst_mtu(&rt->dst) - (sizeof(struct iphdr) + t->hlen);
	else
		mtu = skb_valid_dst(skb) ? dst_mtu(skb_dst(skb)) : dev->mtu;

	if (skb_valid_dst(skb))
		skb_dst_update_pmtu_no_confirm(skb, mtu);

	if (skb->protocol == htons(ETH_P_IP) && !skb_is_gso(skb) &&
	    (inner_iph->frag_off & htons(IP_DF)) && mtu < pkt_size) {
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
		return -E2BIG;
	}
	return 0;
}

/*
 * Route the outer packet to @nbma and send it: ip_tunnel_xmit() for a
 * multipoint device, with the peer's route cache (peer.h) where the flow
 * does not depend on the packet (not with "tos inherit").  Data packets
 * (@data) make the peer's cache; NHRP and keepalives use it if it exists.
 */
static void mgre_tunnel_xmit(struct mgre_device *md, struct sk_buff *skb,
			     __be32 nbma, bool data)
{
	struct net_device *dev = mgre_to_dev(md);
	struct ip_tunnel *t = &md->t;
	const struct iphdr *tnl = &t->parms.iph;
	const struct iphdr *inner_iph;
	unsigned int max_headroom;
	struct dst_cache *cache;
	bool ip, cacheable, made = false;
	struct flowi4 fl4;
	struct rtable *rt;
	u8 tos, ttl;
	__be16 df;

	inner_iph = (const struct iphdr *)skb_inner_network_header(skb);
	ip = skb_protocol(skb, true) == htons(ETH_P_IP);
	memset(&IPCB(skb)->opt, 0, sizeof(IPCB(skb)->opt));

	tos = tnl->tos;
	cacheable = true;
	if (tos & 0x1) {	/* "tos inherit" */
		tos &= ~0x1;
		if (ip) {
			tos = inner_iph->tos;
			cacheable = false;
		}
	}
	ip_tunnel_init_flow(&fl4, IPPROTO_GRE, nbma, tnl->saddr,
			    t->parms.o_key, tos & INET_DSCP_MASK, t->net,
			    READ_ONCE(t->parms.link), t->fwmark,
			    skb_get_hash(skb), 0);

	rcu_read_lock();
	cache = cacheable ?
		mgre_peer_dst_cache(&md->peers, nbma, data, &made) : NULL;
	if (made)
		mgre_stat_inc(md, MGRE_STAT_ROUTE_CACHES_MADE);
	rt = cache ? dst_cache_get_ip4(cache, &fl4.saddr) : NULL;
	if (rt) {
		mgre_stat_inc(md, MGRE_STAT_TX_ROUTE_CACHED);
	} else {
		mgre_stat_inc(md, MGRE_STAT_TX_ROUTE_LOOKUPS);
		rt = ip_route_output_key(t->net, &fl4);
		if (IS_ERR(rt)) {
			rcu_read_unlock();
			DEV_STATS_INC(dev, tx_carrier_errors);
			goto tx_error;
		}
		if (cache)
			dst_cache_set_ip4(cache, &rt->dst, fl4.saddr);
	}
	rcu_read_unlock();

	if (rt->dst.dev == dev) {
		ip_rt_put(rt);
		DEV_STATS_INC(dev, collisions);
		goto tx_error;
	}

	df = tnl->frag_off;
	if (ip && !t->ignore_df)
		df |= inner_iph->frag_off & htons(IP_DF);
	if (mgre_update_pmtu(dev, skb, rt, df, inner_iph)) {
		ip_rt_put(rt);
		goto tx_error;
	}

	tos = ip_tunnel_ecn_encap(tos, inner_iph, skb);
	ttl = tnl->ttl;
	if (!ttl)
		ttl = ip ? inner_iph->ttl : ip4_dst_hoplimit(&rt->dst);

	max_headroom = LL_RESERVED_SPACE(rt->dst.dev) + sizeof(struct iphdr) +
		       rt->dst.header_len;
	if (skb_cow_head(skb, max_headroom)) {
		ip_rt_put(rt);
		mgre_xmit_drop(md, skb, MGRE_STAT_TX_NOMEM);
		return;
	}
	ip_tunnel_adj_headroom(dev, max_headroom);

	iptunnel_xmit(NULL, rt, skb, fl4.saddr, fl4.daddr, IPPROTO_GRE, tos,
		      ttl, df, !net_eq(t->net, dev_net(dev)));
	return;

tx_error:
	mgre_stat_inc(md, MGRE_STAT_TX_ERRORS);
	DEV_STATS_INC(dev, tx_errors);
	kfree_skb(skb);
}

/*
 * Encapsulate @skb and send it to @nbma.  @data: a data packet (unicast
 * or a multicast copy), not NHRP or a keepalive.  Consumes @skb.
 */
void mgre_xmit_one(struct mgre_device *md, struct sk_buff *skb, __be32 nbma,
		   bool data)
{
	struct net_device *dev = mgre_to_dev(md);
	struct ip_tunnel *t = &md->t;

	if (skb_cow_head(skb, dev->needed_headroom))
		goto nomem;
	if (iptunnel_handle_offloads(skb, SKB_GSO_GRE))
		goto nomem;

	gre_build_header(skb, t->tun_hlen, t->parms.o_flags, skb->protocol,
			 t->parms.o_key, 0);
	if (t->parms.iph.daddr)	/* point-to-point: ip_tunnel caches the route */
		ip_tunnel_xmit(skb, dev, &t->parms.iph, IPPROTO_GRE);
	else
		mgre_tunnel_xmit(md, skb, nbma, data);
	return;

nomem:
	mgre_xmit_drop(md, skb, MGRE_STAT_TX_NOMEM);
}

static bool mgre_is_mcast(const struct rtable *rt, __be32 daddr)
{
	return ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr) ||
	       rt->rt_type == RTN_BROADCAST || rt->rt_type == RTN_MULTICAST;
}

/*
 * A shortcut (phase 3) for @daddr: the NBMA address that overrides the
 * route's next hop, or 0.  Costs a load while there is none.  Caller
 * holds rcu_read_lock().
 */
static __be32 mgre_shortcut_nbma(struct mgre_device *md, __be32 daddr)
{
	if (!READ_ONCE(md->cache.shortcuts))
		return 0;
	return mgre_cache_shortcut_nbma(&md->cache, daddr);
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
	/* Through us and back out (phase 3 hub): tell the source's spoke. */
	if (skb->skb_iif == mgre_to_dev(md)->ifindex &&
	    READ_ONCE(md->nhrp.redirect))
		mgre_nhrp_redirect(md, skb);
	rcu_read_lock();
	nbma = mgre_shortcut_nbma(md, daddr);
	if (nbma) {
		rcu_read_unlock();
		mgre_stat_inc(md, MGRE_STAT_TX_SHORTCUT);
		mgre_stat_inc(md, MGRE_STAT_TX_UNICAST);
		mgre_xmit_one(md, skb, nbma, true);
		return;
	}
	e = mgre_cache_lookup_lpm(&md->cache, nh);
	if (e) {
		/* Pairs with smp_store_release() in mgre_entry_update(). */
		type = smp_load_acquire(&e->type);
		if (!mgre_entry_pending(type))
			nbma = READ_ONCE(e->nbma);
		if (nbma)
			mgre_entry_touch(e);
	}
	/* An NHS given with its NBMA address: mapped by it. */
	if (!nbma)
		nbma = mgre_nhrp_mapped_nhs(md, nh);
	/* Resolve, and meanwhile send through the NHS if there is one. */
	if (!nbma)
		via = mgre_nhrp_miss(md, nh, !!e);
	rcu_read_unlock();

	if (via) {
		mgre_stat_inc(md, MGRE_STAT_TX_VIA_NHS);
		mgre_xmit_one(md, skb, via, true);
		return;
	}
	if (!nbma) {
		net_dbg_ratelimited("%s: no NHRP entry for next hop %pI4\n",
				    mgre_to_dev(md)->name, &nh);
		mgre_xmit_drop(md, skb, MGRE_STAT_TX_CACHE_MISS);
		return;
	}
	mgre_stat_inc(md, MGRE_STAT_TX_UNICAST);
	mgre_xmit_one(md, skb, nbma, true);
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
		mgre_xmit_one(md, skb, md->t.parms.iph.daddr, true);
	} else if (skb->protocol == htons(ETH_P_IP)) {
		mgre_xmit_ipv4(md, skb);
	} else {
		net_dbg_ratelimited("%s: cannot route protocol 0x%04x over multipoint GRE\n",
				    dev->name, ntohs(skb->protocol));
		mgre_xmit_drop(md, skb, MGRE_STAT_TX_UNSUPPORTED);
	}
	return NETDEV_TX_OK;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * GRE keepalive reflector.
 *
 * A Cisco router with "keepalive" on a GRE tunnel (RFC 1701 style) finds
 * out whether the far end is alive without any help from it: it builds the
 * GRE packet the far end would send back (outer source the far end,
 * destination itself, GRE protocol type 0), encapsulates that once more
 * and sends it to the far end:
 *
 *	outer IPv4 P -> us, GRE with the tunnel key, protocol IPv4
 *	  inner IPv4 us -> P, protocol 47
 *	    GRE with the tunnel key, protocol type 0 (no payload)
 *
 * The far end decapsulates it and routes the inner packet like any other,
 * which sends it back to P as plain GRE; P takes it as the answer.
 *
 * Linux would drop that inner packet as a martian (its source is one of
 * our own addresses) unless accept_local, rp_filter and forwarding were
 * all set up for it, and it would then leave as a forwarded packet.  So
 * the receive path hands every decapsulated IPv4 packet of protocol GRE
 * that goes from our outer address back to the outer source here, and we
 * send it back ourselves: routed in the underlay netns like the tunnel's
 * own packets (flowi4_proto IPPROTO_GRE, the tunnel's link and fwmark), so
 * the XFRM output policies for GRE to that peer apply and, with tunnel
 * protection, the answer leaves under ESP like everything else.
 */

#include <asm/unaligned.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <net/dst.h>
#include <net/gre.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/route.h>

#include "device.h"
#include "keepalive.h"

/*
 * The GRE header @off bytes into @skb must be what a keepalive carries:
 * version 0, protocol type 0.  Reflecting only that keeps the reflector
 * from being used to make us send other GRE (NHRP, say) to a peer, under
 * our address and our SA with it, for whoever spoofs that peer's
 * address.  Sets *key to its key (0 without one), as XFRM selectors for
 * GRE see it.
 */
static bool mgre_ka_gre(struct sk_buff *skb, unsigned int off, __be32 *key)
{
	const struct gre_base_hdr *greh;

	if (!pskb_may_pull(skb, off + sizeof(*greh)))
		return false;
	greh = (const struct gre_base_hdr *)(skb->data + off);
	if ((greh->flags & GRE_VERSION) || greh->protocol)
		return false;
	*key = 0;
	if (!(greh->flags & GRE_KEY))
		return true;
	/* RFC 1701: checksum and offset share the word before the key. */
	off += sizeof(*greh);
	if (greh->flags & (GRE_CSUM | GRE_ROUTING))
		off += 4;
	if (!pskb_may_pull(skb, off + sizeof(*key)))
		return false;
	*key = get_unaligned((__be32 *)(skb->data + off));
	return true;
}

/*
 * Is the packet behind the GRE header (@gre_hlen bytes at skb->data, the
 * outer IPv4 header before it) a keepalive to send back: IPv4 without
 * options, not fragmented, protocol GRE, from the outer destination (one
 * of our addresses) to the outer source, carrying GRE of protocol type 0?
 * Anything else, broken or not, takes the normal data path.
 */
static bool mgre_is_ka(struct sk_buff *skb, int gre_hlen, __be32 *key)
{
	const struct iphdr *outer, *inner;
	unsigned int len;

	if (skb_is_gso(skb) || !pskb_may_pull(skb, gre_hlen + sizeof(*inner)))
		return false;
	outer = ip_hdr(skb);
	inner = (const struct iphdr *)(skb->data + gre_hlen);
	if (inner->version != 4 || inner->ihl != 5 ||
	    inner->protocol != IPPROTO_GRE ||
	    inner->daddr != outer->saddr || inner->saddr != outer->daddr)
		return false;
	len = ntohs(inner->tot_len);
	if (len < sizeof(*inner) + sizeof(struct gre_base_hdr) ||
	    len > skb->len - gre_hlen || ip_is_fragment(inner) ||
	    ip_fast_csum(inner, inner->ihl))
		return false;
	/* A local unicast address, as the route lookup will demand. */
	if (!__ip_dev_find(dev_net(skb->dev), inner->saddr, false))
		return false;
	return mgre_ka_gre(skb, gre_hlen + sizeof(*inner), key);
}

/*
 * Called for GRE of protocol IPv4 that matched @md, with skb->data at the
 * GRE header (@gre_hlen bytes).  If it carries a keepalive, send the
 * inner packet back to the peer and return true (@skb consumed, either
 * way); otherwise return false and leave @skb to the data path.
 */
bool mgre_ka_rcv(struct mgre_device *md, struct sk_buff *skb, int gre_hlen)
{
	struct net *net = md->t.net;
	struct flowi4 fl4;
	struct rtable *rt;
	struct iphdr *iph;
	__be32 key;
	int err;

	if (!mgre_is_ka(skb, gre_hlen, &key))
		return false;

	/* From here on the packet is ours: reflected or dropped. */
	__skb_pull(skb, gre_hlen);
	skb_reset_network_header(skb);
	if (pskb_trim(skb, ntohs(ip_hdr(skb)->tot_len)) ||
	    skb_ensure_writable(skb, sizeof(*iph)))
		goto drop;
	iph = ip_hdr(skb);
	/* Routed like a forwarded packet: it loses one hop. */
	if (iph->ttl <= 1) {
		net_dbg_ratelimited("%s: keepalive from %pI4 with TTL %u: dropped\n",
				    mgre_to_dev(md)->name, &iph->daddr,
				    iph->ttl);
		goto drop;
	}

	ip_tunnel_init_flow(&fl4, IPPROTO_GRE, iph->daddr, iph->saddr, key,
			    RT_TOS(iph->tos), net, READ_ONCE(md->t.parms.link),
			    md->t.fwmark, 0, 0);
	/* Also looks up the XFRM bundle (ip_route_output_flow()). */
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		net_dbg_ratelimited("%s: no route to send a keepalive back to %pI4: %ld\n",
				    mgre_to_dev(md)->name, &iph->daddr,
				    PTR_ERR(rt));
		goto drop;
	}

	/* Forget the receive side: input route, secpath, conntrack. */
	skb_scrub_packet(skb, false);
	skb_dst_set(skb, &rt->dst);
	skb_set_transport_header(skb, sizeof(*iph));
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb->protocol = htons(ETH_P_IP);
	skb->ip_summed = CHECKSUM_NONE;
	iph->ttl--;		/* __ip_local_out() redoes the checksum */

	err = ip_local_out(net, NULL, skb);
	if (unlikely(net_xmit_eval(err))) {
		net_dbg_ratelimited("%s: keepalive answer to %pI4 not sent: %d\n",
				    mgre_to_dev(md)->name, &fl4.daddr, err);
		mgre_stat_inc(md, MGRE_STAT_KA_DROP);
		DEV_STATS_INC(mgre_to_dev(md), rx_dropped);
		return true;
	}
	mgre_stat_inc(md, MGRE_STAT_KA_REFLECTED);
	return true;

drop:
	mgre_stat_inc(md, MGRE_STAT_KA_DROP);
	DEV_STATS_INC(mgre_to_dev(md), rx_dropped);
	kfree_skb(skb);
	return true;
}

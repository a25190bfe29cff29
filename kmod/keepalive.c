// SPDX-License-Identifier: GPL-2.0
/*
 * GRE keepalives: the reflector, and the originator further down.
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
#include "nhrp.h"
#include "xmit.h"

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

#define MGRE_KA_MIN_GRE	12	/* bytes of GRE gre_rcv() pulls */

/*
 * The originator ("keepalive PERIOD RETRIES").  Every PERIOD seconds each
 * peer (the remote end of a point-to-point device, every NHS of a
 * multipoint one) gets the packet above, built for it to send back:
 * inner IPv4 peer -> us, GRE with our key and protocol type 0.  Its
 * reflector (an IOS router, or mgre_ka_rcv()) returns the inner packet,
 * which arrives here as GRE of protocol type 0.  A peer that left RETRIES
 * keepalives in a row unanswered, each for a full period, is down: a
 * point-to-point device turns its carrier off, an NHS goes out of use.
 * Probing goes on, and the first answer brings it back.
 */
static void mgre_ka_send(struct mgre_device *md, __be32 peer)
{
	struct net_device *dev = mgre_to_dev(md);
	struct ip_tunnel *t = &md->t;
	unsigned int hroom = LL_MAX_HEADER + dev->needed_headroom;
	unsigned int glen = gre_calc_hlen(t->parms.o_flags);
	/*
	 * gre_rcv() (gre_demux.c) drops GRE shorter than 12 bytes before any
	 * handler sees it, and the answer is exactly the GRE we build here:
	 * pad it with zeroes up to that.
	 */
	unsigned int pad = glen < MGRE_KA_MIN_GRE ? MGRE_KA_MIN_GRE - glen : 0;
	struct sk_buff *skb;
	struct iphdr *iph;
	__be32 local;

	local = mgre_local_nbma(md, peer);
	skb = local ? alloc_skb(hroom + sizeof(*iph) + glen + pad, GFP_ATOMIC) :
		      NULL;
	if (!skb) {
		net_dbg_ratelimited("%s: no keepalive to %pI4: %s\n", dev->name,
				    &peer, local ? "out of memory" :
						   "no local address");
		mgre_stat_inc(md, MGRE_STAT_KA_DROP);
		DEV_STATS_INC(dev, tx_dropped);
		return;
	}
	skb_reserve(skb, hroom + sizeof(*iph) + glen);
	skb_put_zero(skb, pad);
	/* What the peer sends back: GRE type 0 with our key. */
	gre_build_header(skb, glen, t->parms.o_flags, 0, t->parms.o_key, 0);
	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	*iph = (struct iphdr) {
		.version = 4,
		.ihl = sizeof(*iph) / 4,
		.tot_len = htons(skb->len),
		.ttl = 255,
		.protocol = IPPROTO_GRE,
		.saddr = peer,
		.daddr = local,
	};
	ip_send_check(iph);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = dev;
	mgre_stat_inc(md, MGRE_STAT_KA_SENT);

	local_bh_disable();
	mgre_xmit_one(md, skb, peer, false);
	local_bh_enable();
}

/* One period: mark the peers down that missed too many, probe them all. */
static void mgre_ka_tick(struct mgre_device *md, u8 retries)
{
	struct mgre_nhs_list *list = &md->nhs;
	__be32 remote = md->t.parms.iph.daddr;
	struct mgre_nhs *n;
	bool down, lost = false;

	if (remote) {
		spin_lock_bh(&md->ka.lock);
		down = md->ka.missed >= retries && !md->ka.down;
		if (down)
			WRITE_ONCE(md->ka.down, true);
		if (md->ka.missed < U8_MAX)
			md->ka.missed++;
		spin_unlock_bh(&md->ka.lock);
		if (down) {
			mgre_stat_inc(md, MGRE_STAT_KA_PEER_DOWN);
			netdev_info(mgre_to_dev(md),
				    "%pI4 does not answer keepalives: down\n",
				    &remote);
			mgre_nhrp_kick(md);	/* the carrier */
		}
		mgre_ka_send(md, remote);
		return;
	}

	rcu_read_lock();
	list_for_each_entry_rcu(n, &list->list, node) {
		__be32 nbma = mgre_nhs_nbma(md, n);

		if (!nbma)
			continue;
		spin_lock_bh(&list->lock);
		down = n->ka_missed >= retries && !n->ka_down;
		if (n->ka_missed < U8_MAX)
			n->ka_missed++;
		spin_unlock_bh(&list->lock);
		if (down) {
			mgre_stat_inc(md, MGRE_STAT_KA_PEER_DOWN);
			lost |= mgre_nhrp_nhs_ka(md, n, false);
		}
		mgre_ka_send(md, nbma);
	}
	rcu_read_unlock();
	/* As in mgre_nhrp_reg_tick(): negatives seen through it are stale. */
	if (lost)
		mgre_cache_flush(&md->cache, MGRE_ENTRY_NEGATIVE);
}

static void mgre_ka_work(struct work_struct *work)
{
	struct mgre_device *md = container_of(to_delayed_work(work),
					      struct mgre_device, ka.work);
	u16 interval;
	u8 retries;

	spin_lock_bh(&md->ka.lock);
	interval = md->ka.interval;
	retries = md->ka.retries;
	spin_unlock_bh(&md->ka.lock);
	if (!interval)
		return;
	mgre_ka_tick(md, retries);

	spin_lock_bh(&md->ka.lock);
	if (md->ka.running && md->ka.interval)
		queue_delayed_work(system_power_efficient_wq, &md->ka.work,
				   md->ka.interval * HZ);
	spin_unlock_bh(&md->ka.lock);
}

/*
 * GRE of protocol type 0 arrived on @md (skb->data at the GRE header):
 * the answer to one of our keepalives, or nothing we asked for.  Consumes
 * @skb.
 */
void mgre_ka_reply_rcv(struct mgre_device *md, struct sk_buff *skb)
{
	__be32 from = ip_hdr(skb)->saddr;
	struct mgre_nhs_list *list = &md->nhs;
	bool found = false, back = false;
	struct mgre_nhs *n;

	if (!READ_ONCE(md->ka.interval)) {
		/* found stays false */
	} else if (md->t.parms.iph.daddr) {
		if (from == md->t.parms.iph.daddr) {
			found = true;
			spin_lock(&md->ka.lock);
			md->ka.missed = 0;
			back = md->ka.down;
			WRITE_ONCE(md->ka.down, false);
			spin_unlock(&md->ka.lock);
		}
	} else {
		rcu_read_lock();
		list_for_each_entry_rcu(n, &list->list, node) {
			if (mgre_nhs_nbma(md, n) != from)
				continue;
			found = true;
			spin_lock(&list->lock);
			n->ka_missed = 0;
			back = n->ka_down;
			spin_unlock(&list->lock);
			if (back)
				mgre_nhrp_nhs_ka(md, n, true);
			back = false;
		}
		rcu_read_unlock();
	}

	if (!found) {
		net_dbg_ratelimited("%s: GRE type 0 from %pI4, which we send no keepalives to: dropped\n",
				    mgre_to_dev(md)->name, &from);
		mgre_stat_inc(md, MGRE_STAT_KA_UNSOLICITED);
		DEV_STATS_INC(mgre_to_dev(md), rx_dropped);
		kfree_skb(skb);
		return;
	}
	mgre_stat_inc(md, MGRE_STAT_KA_REPLIES);
	if (back) {
		netdev_info(mgre_to_dev(md), "%pI4 answers keepalives again\n",
			    &from);
		mgre_nhrp_kick(md);	/* the carrier */
	}
	consume_skb(skb);
}

void mgre_ka_init(struct mgre_device *md)
{
	spin_lock_init(&md->ka.lock);
	INIT_DELAYED_WORK(&md->ka.work, mgre_ka_work);
	md->ka.running = false;
	md->ka.interval = 0;
	md->ka.retries = MGRE_KA_RETRIES_DEFAULT;
	md->ka.missed = 0;
	md->ka.down = false;
}

/* Forget what the peers did; with the device up, probe them now. */
static void mgre_ka_restart(struct mgre_device *md)
{
	lockdep_assert_held(&md->ka.lock);
	md->ka.missed = 0;
	WRITE_ONCE(md->ka.down, false);
	if (md->ka.running && md->ka.interval)
		mod_delayed_work(system_power_efficient_wq, &md->ka.work, 0);
}

void mgre_ka_set(struct mgre_device *md, u16 interval, u8 retries)
{
	struct mgre_nhs *n;
	bool down;

	ASSERT_RTNL();
	spin_lock_bh(&md->ka.lock);
	WRITE_ONCE(md->ka.interval, interval);
	md->ka.retries = retries;
	mgre_ka_restart(md);
	spin_unlock_bh(&md->ka.lock);

	/* An NHS held down by keepalives is back in use (and registered
	 * with again) until the new settings say otherwise.
	 */
	rcu_read_lock();
	list_for_each_entry_rcu(n, &md->nhs.list, node) {
		spin_lock_bh(&md->nhs.lock);
		n->ka_missed = 0;
		down = n->ka_down;
		spin_unlock_bh(&md->nhs.lock);
		if (down)
			mgre_nhrp_nhs_ka(md, n, true);
	}
	rcu_read_unlock();
	mgre_nhrp_kick(md);	/* the carrier */
}

void mgre_ka_open(struct mgre_device *md)
{
	ASSERT_RTNL();
	spin_lock_bh(&md->ka.lock);
	md->ka.running = true;
	mgre_ka_restart(md);
	spin_unlock_bh(&md->ka.lock);
}

void mgre_ka_stop(struct mgre_device *md)
{
	ASSERT_RTNL();
	spin_lock_bh(&md->ka.lock);
	md->ka.running = false;
	spin_unlock_bh(&md->ka.lock);
	cancel_delayed_work_sync(&md->ka.work);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: claim GRE version 0 from gre_demux, find the mgre device by
 * key and local address, and either hand NHRP to the protocol engine or
 * decapsulate data through the ip_tunnel core (ECN, stats, GRO cells).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/gre.h>
#include <net/icmp.h>
#include <net/ip_tunnels.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "device.h"
#include "keepalive.h"
#include "nhrp.h"
#include "recv.h"

static bool log_ecn_error = true;
module_param(log_ecn_error, bool, 0644);
MODULE_PARM_DESC(log_ecn_error, "Log packets received with corrupted ECN");

/*
 * No device took the packet.  If a device listens on this local address
 * with a different (or no) key, charge the mismatch to it so that
 * "nhrpctl stats dev X" explains why a peer is not heard.
 */
static void mgre_rcv_unmatched(struct mgre_net *mn, const struct sk_buff *skb,
			       const struct tnl_ptk_info *tpi)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct mgre_device *md;

	mgre_net_stat_inc(mn, MGRE_STAT_RX_NO_TUNNEL);
	list_for_each_entry_rcu(md, &mn->devices, net_node) {
		const struct ip_tunnel_parm *p = &md->t.parms;

		if (!(mgre_to_dev(md)->flags & IFF_UP))
			continue;
		if (p->iph.saddr && p->iph.saddr != iph->daddr)
			continue;
		if (p->iph.daddr && p->iph.daddr != iph->saddr)
			continue;
		mgre_stat_inc(md, MGRE_STAT_RX_KEY_MISMATCH);
		net_dbg_ratelimited("%s: GRE from %pI4 with key %u%s does not match\n",
				    mgre_to_dev(md)->name, &iph->saddr,
				    be32_to_cpu(tpi->key),
				    tpi->flags & TUNNEL_KEY ? "" : " (none)");
		return;
	}
}

/*
 * Did @skb come in under IPsec ("protection require")?
 *
 * Transport-mode ESP or AH towards us is decrypted by the XFRM input path,
 * which then passes the packet, outer IPv4 header and all, through
 * ip_local_deliver() to gre_demux and on to us, with the SAs it went
 * through in its secpath.  By then ip_local_deliver_finish() has run
 * xfrm4_policy_check() for GRE (gre_demux does not set no_policy): a
 * "dir in" policy already drops GRE that should have come under IPsec and
 * did not.  But where no inbound policy matches (no IKE yet, a peer we
 * have no policy for, policies for other traffic only), plain GRE passes
 * that check, and re-running it here would not change its verdict.  So
 * we look at the secpath itself: the packet must have gone through an ESP
 * or AH state (IPComp alone protects nothing).  A transport-mode state
 * must belong to the packet's source: XFRM finds inbound SAs by
 * destination and SPI alone, so this stops a peer that holds an SA from
 * sending GRE under another peer's NBMA address.  A tunnel-mode state
 * (GRE inside an IPsec tunnel) has other endpoints and is taken as it is;
 * the policy check has matched its selectors.
 *
 * The secpath must be read here, before decapsulation: ip_tunnel_rcv()
 * scrubs the skb, and the inner packet no longer has it.
 */
static bool mgre_rx_protected(const struct sk_buff *skb)
{
	const struct sec_path *sp = skb_sec_path(skb);
	const struct xfrm_state *x;
	int i;

	if (!sp)
		return false;
	for (i = 0; i < sp->len; i++) {
		x = sp->xvec[i];
		if (x->id.proto != IPPROTO_ESP && x->id.proto != IPPROTO_AH)
			continue;
		if (x->props.mode == XFRM_MODE_TRANSPORT &&
		    (x->props.family != AF_INET ||
		     x->props.saddr.a4 != ip_hdr(skb)->saddr))
			continue;
		return true;
	}
	return false;
}

static int mgre_gre_rcv(struct sk_buff *skb)
{
	struct mgre_net *mn = mgre_pernet(dev_net(skb->dev));
	struct tnl_ptk_info tpi;
	const struct iphdr *iph;
	struct mgre_device *md;
	struct ip_tunnel *t;
	bool csum_err = false;
	int hdr_len;

	hdr_len = gre_parse_header(skb, &tpi, &csum_err, htons(ETH_P_IP), 0);
	if (hdr_len < 0) {
		mgre_net_stat_inc(mn, csum_err ? MGRE_STAT_RX_CSUM_ERR :
						 MGRE_STAT_RX_BAD_HEADER);
		goto drop;
	}

	iph = ip_hdr(skb);
	t = ip_tunnel_lookup(&mn->itn, skb->dev->ifindex, tpi.flags,
			     iph->saddr, iph->daddr, tpi.key);
	if (!t) {
		mgre_rcv_unmatched(mn, skb, &tpi);
		goto drop;
	}
	md = container_of(t, struct mgre_device, t);

	if (READ_ONCE(md->protection) == MGRE_PROTECTION_REQUIRE &&
	    !mgre_rx_protected(skb)) {
		net_dbg_ratelimited("%s: GRE from %pI4 did not come under IPsec: dropped\n",
				    t->dev->name, &iph->saddr);
		mgre_stat_inc(md, MGRE_STAT_RX_UNPROTECTED);
		DEV_STATS_INC(t->dev, rx_dropped);
		goto drop;
	}

	if (tpi.proto == htons(MGRE_ETH_P_NHRP)) {
		mgre_stat_inc(md, MGRE_STAT_RX_NHRP);
		mgre_nhrp_rcv(md, skb, hdr_len);
		return 0;
	}

	/* GRE type 0: the answer to one of our keepalives */
	if (!tpi.proto) {
		mgre_ka_reply_rcv(md, skb);
		return 0;
	}

	/* Cisco GRE keepalive: send it back (consumes it) */
	if (tpi.proto == htons(ETH_P_IP) && mgre_ka_rcv(md, skb, hdr_len))
		return 0;

	if (__iptunnel_pull_header(skb, hdr_len, tpi.proto, false, false)) {
		mgre_net_stat_inc(mn, MGRE_STAT_RX_BAD_HEADER);
		goto drop;
	}
	skb_reset_mac_header(skb);
	mgre_stat_inc(md, MGRE_STAT_RX_DATA);
	ip_tunnel_rcv(t, skb, &tpi, NULL, log_ecn_error);
	return 0;

drop:
	kfree_skb(skb);
	return 0;
}

/* ICMP errors about our outer packets: PMTU and redirects, as ip_gre. */
static void mgre_gre_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const int type = icmp_hdr(skb)->type;
	const int code = icmp_hdr(skb)->code;
	struct tnl_ptk_info tpi;

	if (gre_parse_header(skb, &tpi, NULL, htons(ETH_P_IP),
			     iph->ihl * 4) < 0)
		return;

	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(skb, dev_net(skb->dev), info,
				 skb->dev->ifindex, IPPROTO_GRE);
	else if (type == ICMP_REDIRECT)
		ipv4_redirect(skb, dev_net(skb->dev), skb->dev->ifindex,
			      IPPROTO_GRE);
}

static const struct gre_protocol mgre_gre_protocol = {
	.handler	= mgre_gre_rcv,
	.err_handler	= mgre_gre_err,
};

int __init mgre_recv_init(void)
{
	int ret;

	ret = gre_add_protocol(&mgre_gre_protocol, GREPROTO_CISCO);
	if (ret < 0)
		pr_err("GRE version 0 is already handled by another module (ip_gre?): unload it (rmmod ip_gre) to use mgre\n");
	return ret;
}

void mgre_recv_uninit(void)
{
	/* Waits for receivers still running (synchronize_rcu). */
	gre_del_protocol(&mgre_gre_protocol, GREPROTO_CISCO);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * DMVPN phase 3: Traffic Indications.  Hub ("redirect"): a packet that
 * came in through the device and goes out through it again (hairpin)
 * makes us tell the spoke it came from, with a Traffic Indication (type
 * 8, code 0, as IOS builds it: our binding, the packet's source as the
 * destination, the packet's first bytes) that there is a better way; the
 * packet is still forwarded.  Spoke ("shortcut"): a Traffic Indication
 * from one of our NHSes makes us resolve the destination of the packet it
 * quotes; the answer becomes a shortcut (nhrp_res.c, cache.c) that
 * overrides the route's next hop (xmit.c).
 */

#include <linux/ip.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <asm/unaligned.h>
#include <net/ip_fib.h>

#include "nhrp_int.h"

/*
 * How we route @addr in the device's namespace: into this device
 * (MGRE_EGRESS_TUNNEL, *@nh = the next hop), out of another device or to
 * ourselves (MGRE_EGRESS_OTHER, we are its egress), or neither
 * (MGRE_EGRESS_NONE: no route, a default route out of another device, or
 * a route of another type).  *@plen: the route's prefix length (32 for
 * our own address).
 */
enum mgre_egress mgre_route_egress(struct mgre_device *md, __be32 addr,
				   __be32 *nh, u8 *plen)
{
	struct net_device *dev = mgre_to_dev(md);
	struct flowi4 fl4 = { .daddr = addr };
	enum mgre_egress ret = MGRE_EGRESS_NONE;
	struct fib_nh_common *nhc;
	struct fib_result res;

	rcu_read_lock();
	if (fib_lookup(dev_net(dev), &fl4, &res, 0))
		goto out;
	if (res.type == RTN_LOCAL) {
		*plen = 32;
		ret = MGRE_EGRESS_OTHER;
		goto out;
	}
	if (res.type != RTN_UNICAST)
		goto out;
	nhc = res.nhc;
	*plen = res.prefixlen;
	if (nhc && nhc->nhc_dev == dev) {
		*nh = nhc->nhc_gw_family == AF_INET ? nhc->nhc_gw.ipv4 : addr;
		ret = MGRE_EGRESS_TUNNEL;
	} else if (res.prefixlen) {
		/* (never the default route: the Internet is nobody's LAN) */
		ret = MGRE_EGRESS_OTHER;
	}
out:
	rcu_read_unlock();
	return ret;
}

/*
 * The route a shortcut for @addr overrides (its "cover"): the unicast
 * route into this device that takes @addr there, not one of ours (a
 * shortcut's route, proto nhrp, with route-inject).  Its prefix length
 * and table in *@len and *@tb_id; false when there is none (or ours
 * holds @addr).
 */
bool mgre_route_cover(struct mgre_device *md, __be32 addr, u8 *len,
		      u32 *tb_id)
{
	struct net_device *dev = mgre_to_dev(md);
	struct flowi4 fl4 = { .daddr = addr };
	struct fib_result res;
	bool ret = false;

	rcu_read_lock();
	if (!fib_lookup(dev_net(dev), &fl4, &res, 0) &&
	    res.type == RTN_UNICAST && res.fi && res.nhc &&
	    res.nhc->nhc_dev == dev &&
	    res.fi->fib_protocol != MGRE_RTPROT_NHRP) {
		*len = res.prefixlen;
		*tb_id = res.table ? res.table->tb_id : RT_TABLE_MAIN;
		ret = true;
	}
	rcu_read_unlock();
	return ret;
}

void mgre_nhrp_route_changed(struct mgre_device *md, __be32 dst, u8 len,
			     u32 tb_id, bool deleted, struct fib_info *fi,
			     u8 type)
{
	struct fib_nh_common *nhc;
	bool gone = deleted;

	/* (replaced: gone unless the new route leads into us too) */
	if (!deleted) {
		nhc = fi ? fib_info_nhc(fi, 0) : NULL;
		gone = type != RTN_UNICAST || !nhc ||
		       nhc->nhc_dev != mgre_to_dev(md);
	}
	if (mgre_cache_cover_event(&md->cache, dst, len, tb_id, gone))
		mgre_nhrp_kick(md);
}

/* The work: remove the shortcuts whose covers went. */
void mgre_nhrp_covers_work(struct mgre_device *md)
{
	unsigned int gone = mgre_cache_covers_gone(&md->cache);

	if (gone) {
		mgre_stat_add(md, MGRE_STAT_NHRP_SHORTCUT_ROUTE_GONE, gone);
		net_dbg_ratelimited("%s: %u shortcut(s) removed: the route they overrode went\n",
				    mgre_to_dev(md)->name, gone);
	}
}

/* Bytes of the packet a Traffic Indication quotes: its IP header and the
 * first 8 bytes after it, as IOS.
 */
#define MGRE_TI_QUOTE	(60 + 8)

/*
 * Hub: @skb came in through the device and goes out through it again.
 * Tell its source's spoke, at most once per (source, destination) every
 * "redirect timeout" seconds: the pair's slot is taken for that long,
 * by it or by another pair that hashes there, so a hub sends at most
 * MGRE_REDIRECT_SLOTS indications per interval however many flows
 * hairpin (and they come out of max-send too).  The slots are read and
 * written without a lock: a race costs at most one more indication.
 */
void mgre_nhrp_redirect(struct mgre_device *md, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	__be32 src = iph->saddr, dst = iph->daddr, nh = 0, to = 0;
	unsigned long *slot;
	unsigned long now = jiffies;
	struct mgre_nhrp_cfg cfg;
	u8 quote[MGRE_TI_QUOTE];
	struct mgre_entry *e;
	struct mgre_msg *m;
	unsigned int len;
	u8 plen, type;

	if (!READ_ONCE(md->nhrp.enabled))
		return;
	slot = &md->nhrp.redirect_sent[jhash_2words((__force u32)src,
						    (__force u32)dst,
						    md->nhrp.redirect_salt) %
				       MGRE_REDIRECT_SLOTS];
	if (READ_ONCE(*slot) &&
	    time_before(now, READ_ONCE(*slot) +
			READ_ONCE(md->nhrp.redirect_timeout) * HZ)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_REDIRECT_LIMITED);
		return;
	}
	/* (taken also when no spoke is found: no route lookup per packet) */
	WRITE_ONCE(*slot, now ?: 1);
	/* The source's spoke: the next hop of our route back to it. */
	if (mgre_route_egress(md, src, &nh, &plen) == MGRE_EGRESS_TUNNEL) {
		rcu_read_lock();
		e = mgre_cache_lookup(&md->cache, nh);
		if (e) {
			/* Pairs with smp_store_release() in mgre_entry_update(). */
			type = smp_load_acquire(&e->type);
			if (!mgre_entry_pending(type) && type != MGRE_ENTRY_LOCAL)
				to = READ_ONCE(e->nbma);
		}
		rcu_read_unlock();
	}
	if (!to) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_REDIRECT_LIMITED);
		net_dbg_ratelimited("%s: no spoke to redirect for %pI4 -> %pI4\n",
				    mgre_to_dev(md)->name, &src, &dst);
		return;
	}
	len = min_t(unsigned int, skb->len, iph->ihl * 4 + 8);
	if (skb_copy_bits(skb, skb_network_offset(skb), quote, len))
		return;
	mgre_nhrp_get_cfg(md, &cfg);
	m = mgre_msg_new(md, NHRP_TYPE_TRAFFIC_IND);
	if (!m)
		return;
	mgre_msg_addrs(m, mgre_local_nbma(md, to), mgre_local_proto(md, nh),
		       src);
	nhrp_set_ti_code(&m->p, NHRP_TRAFFIC_REDIRECT);
	m->p.payload = quote;
	m->p.payload_len = len;
	/* IOS's extensions: empty transit records, authentication. */
	nhrp_ext_add(&m->p, NHRP_EXT_COMPULSORY | NHRP_EXT_FWD_TRANSIT);
	nhrp_ext_add(&m->p, NHRP_EXT_COMPULSORY | NHRP_EXT_REV_TRANSIT);
	mgre_msg_auth(m, &cfg);
	mgre_nhrp_xmit(md, m, to);
	kfree(m);
}

/*
 * Spoke: a Traffic Indication.  Acted on only with "shortcut", only from
 * one of our NHSes (the hub that forwarded our packet: anyone else could
 * make us send requests at will), and only for a destination we route
 * into the tunnel.  Starts a resolution of the quoted packet's
 * destination, as a shortcut, unless one exists or is in progress.
 */
void mgre_nhrp_traffic_ind(struct mgre_device *md, const struct nhrp_pkt *p,
			   __be32 outer_src)
{
	const struct iphdr *iph = (const struct iphdr *)p->payload;
	struct net_device *dev = mgre_to_dev(md);
	struct mgre_entry *e;
	__be32 dst, nh;
	bool known;
	u8 plen;

	if (!READ_ONCE(md->nhrp.shortcut) ||
	    nhrp_ti_code(p) != NHRP_TRAFFIC_REDIRECT ||
	    !mgre_is_nhs_nbma(md, outer_src) || !iph ||
	    p->payload_len < sizeof(*iph) || iph->version != 4)
		goto ignore;
	/* (the quote may sit at any offset) */
	dst = get_unaligned(&iph->daddr);
	if (ipv4_is_multicast(dst) || ipv4_is_lbcast(dst) ||
	    ipv4_is_zeronet(dst) || ipv4_is_loopback(dst) ||
	    mgre_route_egress(md, dst, &nh, &plen) != MGRE_EGRESS_TUNNEL)
		goto ignore;

	rcu_read_lock();
	e = mgre_cache_lookup_lpm(&md->cache, dst);
	known = e && (READ_ONCE(e->flags) & MGRE_F_SHORTCUT);
	rcu_read_unlock();
	if (known)
		return;		/* resolved, or being resolved */
	if (!__ratelimit(&md->nhrp.ti_rs))
		goto ignore;
	mgre_nhrp_resolve(md, dst, MGRE_F_SHORTCUT);
	return;

ignore:
	mgre_stat_inc(md, MGRE_STAT_NHRP_RX_TI_IGNORED);
	net_dbg_ratelimited("%s: traffic indication from %pI4 ignored\n",
			    dev->name, &outer_src);
}

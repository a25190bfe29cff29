// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending NHRP packets: our addresses, the checks every step
 * makes of the addresses it is given, a packet being built (struct
 * mgre_msg) and its common extensions, GRE encapsulation, and the error
 * indications we send.  Encoding is the pure codec's (nhrp_codec.c).
 */

#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <net/route.h>

#include "mgre_trace.h"
#include "nhrp_int.h"
#include "xmit.h"

#define MGRE_EI_QUOTE_MAX	512	/* bytes of a bad packet we quote */

/* Our NBMA address towards @peer: the configured source, or the route's. */
__be32 mgre_local_nbma(struct mgre_device *md, __be32 peer)
{
	struct ip_tunnel *t = &md->t;
	struct flowi4 fl4;
	struct rtable *rt;

	if (t->parms.iph.saddr)
		return t->parms.iph.saddr;
	rt = ip_route_output_gre(t->net, &fl4, peer, 0, t->parms.o_key,
				 RT_TOS(t->parms.iph.tos),
				 READ_ONCE(t->parms.link));
	if (IS_ERR(rt))
		return 0;
	ip_rt_put(rt);
	return fl4.saddr;
}

/* Our protocol (tunnel) address towards @peer. */
__be32 mgre_local_proto(struct mgre_device *md, __be32 peer)
{
	return inet_select_addr(mgre_to_dev(md), peer, RT_SCOPE_UNIVERSE);
}

/*
 * Is @match true of one of the device's IPv4 addresses (@addr, @mask: its
 * arguments)?  The walk the address checks below share.
 */
static bool mgre_any_ifa(struct mgre_device *md,
			 bool (*match)(const struct in_ifaddr *ifa,
				       __be32 addr, __be32 mask),
			 __be32 addr, __be32 mask)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	bool found = false;

	rcu_read_lock();
	in_dev = __in_dev_get_rcu(mgre_to_dev(md));
	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (match(ifa, addr, mask)) {
				found = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return found;
}

static bool mgre_ifa_is(const struct in_ifaddr *ifa, __be32 addr,
			__be32 mask)
{
	return ifa->ifa_local == addr;
}

bool mgre_is_local_proto(struct mgre_device *md, __be32 addr)
{
	return mgre_any_ifa(md, mgre_ifa_is, addr, 0);
}

/* @addr is a host address of @ifa's prefix (not its network or broadcast
 * address, for prefixes up to /30).
 */
static bool mgre_ifa_holds_host(const struct in_ifaddr *ifa, __be32 addr,
				__be32 mask)
{
	__be32 host = addr & ~ifa->ifa_mask;

	return inet_ifa_match(addr, ifa) &&
	       !(ntohl(ifa->ifa_mask) <= 0xfffffffc &&
		 (!host || host == ~ifa->ifa_mask));
}

/*
 * A host address of one of the device's subnets that is not one of its
 * own: what may be a route's destination or gateway (route.c).
 */
bool mgre_is_tunnel_host(struct mgre_device *md, __be32 addr)
{
	return mgre_any_ifa(md, mgre_ifa_holds_host, addr, 0) &&
	       !mgre_is_local_proto(md, addr);
}

/*
 * May NHRP bind protocol address @addr?  With "subnet-check" (the
 * default), only a host address of one of the device's IPv4 subnets:
 * inside the prefix of one of its addresses, and not that prefix's network
 * or broadcast address (prefixes up to /30).
 */
bool mgre_proto_allowed(struct mgre_device *md, __be32 addr)
{
	return READ_ONCE(md->nhrp.any_subnet) ||
	       mgre_any_ifa(md, mgre_ifa_holds_host, addr, 0);
}

/* Two prefixes overlap when they agree on the shorter one's bits. */
static bool mgre_ifa_overlaps(const struct in_ifaddr *ifa, __be32 addr,
			      __be32 mask)
{
	return !((ifa->ifa_local ^ addr) & (mask & ifa->ifa_mask));
}

/*
 * Would a shortcut to @addr/@plen overlap one of the device's subnets (a
 * peer claiming the tunnel's addresses, or a default route)?
 */
bool mgre_prefix_overlaps_tunnel(struct mgre_device *md, __be32 addr, u8 plen)
{
	return mgre_any_ifa(md, mgre_ifa_overlaps, addr, inet_make_mask(plen));
}

/* Is @nbma the NBMA address of one of our next-hop servers? */
bool mgre_is_nhs_nbma(struct mgre_device *md, __be32 nbma)
{
	struct mgre_nhs *n;
	bool found = false;

	rcu_read_lock();
	list_for_each_entry_rcu(n, &md->nhs.list, node) {
		if (mgre_nhs_nbma(md, n) == nbma) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * The NBMA address configured for the static NHS whose protocol address
 * is @proto, or 0.  IOS's "ip nhrp nhs X nbma Y" stands for "ip nhrp map
 * X Y" too: data for an NHS goes straight to it, never resolved (and
 * never relayed by another hub, which would expire what is sent with TTL
 * 1, such as OSPF's unicast packets).  Both addresses are configured; a
 * dynamic NHS's protocol address comes from its replies, which must not
 * steer data (a reply claiming another spoke's address would take its
 * traffic): it is not looked at.  Caller holds rcu_read_lock().
 */
__be32 mgre_nhrp_mapped_nhs(struct mgre_device *md, __be32 proto)
{
	struct mgre_nhs *n;

	if (!READ_ONCE(md->nhrp.enabled))
		return 0;
	list_for_each_entry_rcu(n, &md->nhs.list, node) {
		if (!n->dynamic && n->proto == proto)
			return n->nbma;
	}
	return 0;
}

/* Encode @m and send it GRE-encapsulated to @nbma. */
void mgre_nhrp_xmit(struct mgre_device *md, struct mgre_msg *m,
		    __be32 nbma)
{
	struct net_device *dev = mgre_to_dev(md);
	unsigned int hroom = LL_MAX_HEADER + dev->needed_headroom;
	struct sk_buff *skb;
	int len;

	if (m->p.type != NHRP_TYPE_REG_REQ &&
	    !mgre_budget_take(&md->nhrp_send)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_TX_RATELIMITED);
		net_dbg_ratelimited("%s: NHRP type %u to %pI4 not sent: over max-send\n",
				    dev->name, m->p.type, &nbma);
		return;
	}
	len = nhrp_encode(&m->p, NULL, 0);
	if (len < 0) {
		net_dbg_ratelimited("%s: cannot encode NHRP type %u: %s\n",
				    dev->name, m->p.type, nhrp_strerror(len));
		return;
	}
	skb = alloc_skb(hroom + len, GFP_ATOMIC);
	if (!skb) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_NOMEM);
		return;
	}
	skb_reserve(skb, hroom);
	if (WARN_ON_ONCE(nhrp_encode(&m->p, skb_put(skb, len), len) != len)) {
		kfree_skb(skb);
		return;
	}
	skb_reset_network_header(skb);
	skb->protocol = htons(MGRE_ETH_P_NHRP);
	skb->dev = dev;
	mgre_stat_inc(md, MGRE_STAT_NHRP_TX_RES_REQ + m->p.type - 1);
	trace_mgre_nhrp_tx(dev, &m->p, nbma);

	local_bh_disable();
	mgre_xmit_one(md, skb, nbma, false);
	local_bh_enable();
}

struct mgre_msg *mgre_msg_new(struct mgre_device *md, u8 type)
{
	struct mgre_msg *m = kzalloc(sizeof(*m), GFP_ATOMIC);

	if (!m) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_NOMEM);
		return NULL;
	}
	nhrp_pkt_init(&m->p, type, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	return m;
}

/* Point the mandatory addresses of @m at its own storage. */
void mgre_msg_addrs(struct mgre_msg *m, __be32 src_nbma,
		    __be32 src_proto, __be32 dst_proto)
{
	struct nhrp_pkt *p = &m->p;

	m->src_nbma = src_nbma;
	m->src_proto = src_proto;
	m->dst_proto = dst_proto;
	p->shtl = sizeof(__be32);
	p->sstl = 0;
	p->src_proto_len = sizeof(__be32);
	p->dst_proto_len = sizeof(__be32);
	p->src_nbma = (const u8 *)&m->src_nbma;
	p->src_proto = (const u8 *)&m->src_proto;
	p->dst_proto = (const u8 *)&m->dst_proto;
}

/* Append a CIE to extension @e (mandatory part if NULL). */
struct nhrp_cie *mgre_msg_cie(struct mgre_msg *m, struct nhrp_ext *e,
			      unsigned int slot, __be32 nbma,
			      __be32 proto, u16 holdtime, u16 mtu)
{
	struct nhrp_cie *c = nhrp_cie_add(&m->p, e);

	if (!c)
		return NULL;
	c->plen = 32;
	c->mtu = mtu;
	c->holdtime = holdtime;
	if (slot < ARRAY_SIZE(m->cie_nbma)) {
		m->cie_nbma[slot] = nbma;
		m->cie_proto[slot] = proto;
		nhrp_cie_set_addr(c, nbma ? (const u8 *)&m->cie_nbma[slot] :
				  NULL, nbma ? sizeof(nbma) : 0,
				  proto ? (const u8 *)&m->cie_proto[slot] :
				  NULL, proto ? sizeof(proto) : 0);
	}
	return c;
}

void mgre_msg_auth(struct mgre_msg *m, const struct mgre_nhrp_cfg *cfg)
{
	struct nhrp_ext *e;

	if (!cfg->auth_len)
		return;
	e = nhrp_ext_add(&m->p, NHRP_EXT_COMPULSORY | NHRP_EXT_AUTH);
	if (!e)
		return;
	memcpy(m->auth, cfg->auth, cfg->auth_len);
	nhrp_ext_set_auth(e, NHRP_AUTH_CLEARTEXT, m->auth, cfg->auth_len);
}

/*
 * The extensions Cisco puts in every request, in its order: responder
 * address (empty), forward and reverse transit records, authentication,
 * and the (non-compulsory) NAT address extension.
 */
struct nhrp_ext *mgre_msg_request_exts(struct mgre_msg *m,
				       const struct mgre_nhrp_cfg *cfg)
{
	struct nhrp_pkt *p = &m->p;

	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_RESPONDER);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_FWD_TRANSIT);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_REV_TRANSIT);
	mgre_msg_auth(m, cfg);
	return nhrp_ext_add(p, NHRP_EXT_NAT_ADDR);
}

/* Fill the Responder Address extension of a reply with our binding. */
void mgre_msg_responder(struct mgre_device *md, struct mgre_msg *m,
			const struct mgre_nhrp_cfg *cfg,
			__be32 nbma, __be32 proto)
{
	struct nhrp_ext *e = nhrp_ext_find(&m->p, NHRP_EXT_RESPONDER);

	if (!e)
		e = nhrp_ext_add(&m->p, NHRP_EXT_COMPULSORY | NHRP_EXT_RESPONDER);
	if (e && !e->cie_cnt)
		mgre_msg_cie(m, e, 1, nbma, proto, cfg->holdtime,
			     mgre_to_dev(md)->mtu);
}

/*
 * Append our binding to the transit record @type (forward or reverse) of a
 * request or reply being passed on, and send it to @to_nbma.  Without our
 * record, loops would go undetected: then it is not sent.
 */
void mgre_msg_transit_send(struct mgre_device *md,
			   const struct mgre_nhrp_cfg *cfg,
			   struct mgre_msg *m, u16 type, __be32 self,
			   __be32 to_nbma)
{
	struct nhrp_ext *e = nhrp_ext_find(&m->p, type);

	if (!e)
		e = nhrp_ext_add(&m->p, NHRP_EXT_COMPULSORY | type);
	if (e && self &&
	    mgre_msg_cie(m, e, 0, mgre_local_nbma(md, to_nbma), self,
			 cfg->holdtime, 0))
		mgre_nhrp_xmit(md, m, to_nbma);
}

/* The NBMA address of @proto in the Cisco NAT extension, else @nbma. */
__be32 mgre_nat_nbma(const struct nhrp_pkt *q, __be32 proto,
		     __be32 nbma)
{
	const struct nhrp_ext *e;
	const struct nhrp_cie *c;
	__be32 nat;

	e = nhrp_ext_find((struct nhrp_pkt *)q, NHRP_EXT_NAT_ADDR);
	if (!e || (e->flags & NHRP_EXTF_RAW))
		return nbma;
	c = nhrp_cie_find_proto(q, e, (const u8 *)&proto, sizeof(proto));
	nat = c ? mgre_get4(c->nbma, NHRP_TL_LEN(c->nbma_tl)) : 0;
	return nat ? nat : nbma;
}

/* Tell @nbma that its packet @bad (@len bytes) was refused with @code. */
void mgre_nhrp_send_error(struct mgre_device *md,
			  const u8 *bad, unsigned int len,
			  __be32 bad_src_proto, __be32 nbma,
			  u16 code, u16 offset)
{
	struct mgre_msg *m;

	/* Answering bad packets must not become an amplifier. */
	if (!__ratelimit(&md->nhrp.ei_rs))
		return;
	m = mgre_msg_new(md, NHRP_TYPE_ERROR_IND);
	if (!m)
		return;
	mgre_msg_addrs(m, mgre_local_nbma(md, nbma),
		       mgre_local_proto(md, bad_src_proto), bad_src_proto);
	nhrp_set_ei(&m->p, code, offset);
	m->p.payload = bad;
	m->p.payload_len = min_t(unsigned int, len, MGRE_EI_QUOTE_MAX);
	/* RFC 2332 5.2.7: no extensions, so no authentication either. */
	m->p.opts &= ~NHRP_PKT_EXTS;
	mgre_nhrp_xmit(md, m, nbma);
	kfree(m);
}

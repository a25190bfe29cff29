// SPDX-License-Identifier: GPL-2.0
/*
 * Resolution (RFC 2332 5.2.1, 5.2.2).  Requester: a next hop that missed
 * the cache starts a resolution (the data goes through the NHS
 * meanwhile), requests are sent and retransmitted from the cache walk, and
 * a reply is installed only if it carries the id of our request.  Owner:
 * answers requests for its own addresses, learning the requester only
 * when the packet proves the binding.  Server: forwards a request to the
 * registered owner, or answers negatively; relays replies back.
 */

#include <linux/slab.h>

#include "events.h"
#include "nhrp_int.h"

/* The NHS to send data and requests through: the best responding one. */
static __be32 mgre_best_nhs(struct mgre_device *md, __be32 *nhs_proto)
{
	struct mgre_nhs *n, *fallback = NULL;
	__be32 nbma = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(n, &md->nhs.list, node) {
		if (READ_ONCE(n->state) == MGRE_NHS_RESPONDING) {
			fallback = n;
			break;
		}
		if (!fallback && READ_ONCE(n->state) != MGRE_NHS_DOWN)
			fallback = n;
	}
	if (fallback) {
		nbma = mgre_nhs_nbma(md, fallback);
		if (nhs_proto)
			*nhs_proto = READ_ONCE(fallback->proto);
	}
	rcu_read_unlock();
	return nbma;
}

void mgre_nhrp_send_res_req(struct mgre_device *md,
			    const struct mgre_nhrp_cfg *cfg,
			    __be32 target, u32 reqid)
{
	__be32 nhs_proto = 0, nhs_nbma;
	struct mgre_msg *m;

	nhs_nbma = mgre_best_nhs(md, &nhs_proto);
	if (!nhs_nbma)
		return;
	m = mgre_msg_new(md, NHRP_TYPE_RES_REQ);
	if (!m)
		return;
	mgre_msg_addrs(m, mgre_local_nbma(md, nhs_nbma),
		       mgre_local_proto(md, target), target);
	m->p.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
		     NHRP_FLAG_CISCO_NAT;
	m->p.reqid = reqid;
	mgre_msg_cie(m, NULL, 0, 0, 0, cfg->holdtime, mgre_to_dev(md)->mtu);
	mgre_msg_request_exts(m, cfg);
	/* Before the request leaves: its reply may be handled on another
	 * CPU before xmit returns, and listeners see events in order.
	 */
	mgre_event_res_sent(md, target, reqid);
	mgre_nhrp_xmit(md, m, nhs_nbma);
	kfree(m);
}

__be32 mgre_nhrp_miss(struct mgre_device *md, __be32 proto, bool known)
{
	__be32 nbma;

	if (!READ_ONCE(md->nhrp.enabled))
		return 0;
	nbma = mgre_best_nhs(md, NULL);
	if (!nbma || known || READ_ONCE(md->nhrp.behind_nat))
		return nbma;
	mgre_nhrp_resolve(md, proto, 0);
	return nbma;
}

/*
 * Start resolving @proto (a next hop, or with MGRE_F_SHORTCUT a
 * destination) unless it is being resolved or known; the work sends the
 * request.
 */
void mgre_nhrp_resolve(struct mgre_device *md, __be32 proto, u32 flags)
{
	switch (mgre_cache_resolve_start(&md->cache, proto, flags)) {
	case MGRE_RESOLVE_STARTED:
		mgre_nhrp_kick(md);
		break;
	case MGRE_RESOLVE_LIMITED:
		mgre_stat_inc(md, MGRE_STAT_NHRP_RESOLVE_LIMITED);
		net_dbg_ratelimited("%s: no room to resolve %pI4: resolutions in progress or failed fill their share of the cache\n",
				    mgre_to_dev(md)->name, &proto);
		break;
	case MGRE_RESOLVE_NOMEM:
		mgre_stat_inc(md, MGRE_STAT_NHRP_NOMEM);
		break;
	case MGRE_RESOLVE_KNOWN:
		break;
	}
}

/*
 * Owner: answer a resolution request for one of our addresses, or (phase
 * 3, @plen < 33) as the egress of @target: then the entry names our
 * tunnel address and the prefix of our route to @target.  The
 * request names the requester and its binding, which anyone can write:
 * it is answered, and its binding learned, only if its outer source
 * proves it.  The requester itself sent it (the outer source is the
 * request's source NBMA address), or one of our NHSes forwarded it (it
 * checked the requester's registration, see mgre_nhrp_res_req()).  The
 * requester's address must be one of the tunnel's.  Learned only through
 * an NHS and never over another binding (mgre_cache_learn_request()).
 */
static void mgre_nhrp_res_answer(struct mgre_device *md,
				 const struct mgre_nhrp_cfg *cfg,
				 const struct nhrp_pkt *q, __be32 target,
				 u8 plen, __be32 outer_src)
{
	__be32 src_proto = mgre_get4(q->src_proto, q->src_proto_len);
	__be32 src_nbma = mgre_get4(q->src_nbma, NHRP_TL_LEN(q->shtl));
	unsigned int holdtime = q->mand_cies ? q->cie[0].holdtime :
					       cfg->holdtime;
	struct net_device *dev = mgre_to_dev(md);
	__be32 nbma, nat_nbma, self = target;
	struct nhrp_cie *c;
	struct nhrp_ext *e;
	struct mgre_msg *m;
	bool via_nhs;
	int ret;

	if (!src_nbma || !src_proto)
		return;
	if (plen <= 32) {
		self = mgre_local_proto(md, src_proto);
		if (!self)
			return;
	} else {
		plen = 32;
	}
	if (!mgre_proto_allowed(md, src_proto)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_OUT_OF_SUBNET);
		net_dbg_ratelimited("%s: resolution request from %pI4 for %pI4, outside the tunnel's subnets: dropped\n",
				    dev->name, &outer_src, &src_proto);
		return;
	}
	via_nhs = mgre_is_nhs_nbma(md, outer_src);
	if (!via_nhs && outer_src != src_nbma) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_RES_UNVERIFIED);
		net_dbg_ratelimited("%s: resolution request from %pI4 claiming %pI4 at %pI4: dropped\n",
				    dev->name, &outer_src, &src_proto,
				    &src_nbma);
		return;
	}
	/*
	 * The request carries the requester's binding: talk back direct.
	 * Unless the hub says it is behind NAT (its public binding in the NAT
	 * extension, which counts only from an NHS): plain GRE cannot open
	 * that NAT from here, so keep going through the hub, and answer to
	 * the public address.
	 */
	nat_nbma = via_nhs ? mgre_nat_nbma(q, src_proto, src_nbma) : src_nbma;
	if (nat_nbma == src_nbma) {
		ret = mgre_cache_learn_request(&md->cache, src_proto, src_nbma,
					       holdtime, via_nhs);
		if (ret == -EEXIST || ret == -ENOENT)
			mgre_stat_inc(md, MGRE_STAT_NHRP_RES_NOT_LEARNED);
	}
	src_nbma = nat_nbma;

	m = mgre_msg_new(md, NHRP_TYPE_RES_REPLY);
	if (!m)
		return;
	m->p = *q;
	m->p.type = NHRP_TYPE_RES_REPLY;
	m->p.hopcnt = 255;
	m->p.flags |= NHRP_FLAG_RES_A | NHRP_FLAG_RES_D | NHRP_FLAG_RES_U;
	nbma = mgre_local_nbma(md, src_nbma);
	/* Our binding goes into the request's (address-less) CIE. */
	if (q->mand_cies) {
		c = &m->p.cie[0];

		m->cie_nbma[0] = nbma;
		m->cie_proto[0] = self;
		c->code = NHRP_CODE_SUCCESS;
		c->plen = plen;
		c->mtu = dev->mtu;
		c->holdtime = cfg->holdtime;
		nhrp_cie_set_addr(c, (const u8 *)&m->cie_nbma[0], sizeof(nbma),
				  (const u8 *)&m->cie_proto[0], sizeof(target));
	} else {
		c = mgre_msg_cie(m, NULL, 0, nbma, self, cfg->holdtime,
				 dev->mtu);
		if (c)
			c->plen = plen;
	}
	mgre_msg_responder(md, m, cfg, nbma, self);
	e = nhrp_ext_find(&m->p, NHRP_EXT_AUTH);
	if (e && cfg->auth_len) {
		memcpy(m->auth, cfg->auth, cfg->auth_len);
		nhrp_ext_set_auth(e, NHRP_AUTH_CLEARTEXT, m->auth,
				  cfg->auth_len);
	}
	mgre_nhrp_xmit(md, m, src_nbma);
	kfree(m);
}

/* Server: forward a request to the owner of its target, hop count - 1. */
static void mgre_nhrp_res_forward(struct mgre_device *md,
				  const struct mgre_nhrp_cfg *cfg,
				  const struct nhrp_pkt *q, __be32 to_nbma,
				  __be32 self_proto, __be32 outer_src)
{
	__be32 src_proto = mgre_get4(q->src_proto, q->src_proto_len);
	__be32 src_nbma = mgre_get4(q->src_nbma, NHRP_TL_LEN(q->shtl));
	bool nat = src_nbma != outer_src && src_proto;
	struct nhrp_ext *e;
	struct mgre_msg *m;

	m = mgre_msg_new(md, NHRP_TYPE_RES_REQ);
	if (!m)
		return;
	m->p = *q;
	m->p.hopcnt = q->hopcnt - 1;
	/*
	 * The Cisco NAT extension tells the owner where to answer, so what
	 * a requester wrote there counts for nothing (an NHS's counts): it
	 * is replaced by ours.  A requester behind NAT (it talks to us from
	 * another address than it claims): its public binding, as IOS does;
	 * otherwise, the extension goes on empty.
	 */
	e = nhrp_ext_find(&m->p, NHRP_EXT_NAT_ADDR);
	if ((e || nat) && !mgre_is_nhs_nbma(md, outer_src)) {
		if (e)
			nhrp_ext_del(&m->p, e);
		e = nhrp_ext_add(&m->p, NHRP_EXT_NAT_ADDR);
		if (e && nat)
			mgre_msg_cie(m, e, 1, outer_src, src_proto, 0, 0);
	}
	mgre_msg_transit_send(md, cfg, m, NHRP_EXT_FWD_TRANSIT, self_proto,
			      to_nbma);
	kfree(m);
}

/* Server: no binding for the target: a negative reply. */
static void mgre_nhrp_res_negative(struct mgre_device *md,
				   const struct mgre_nhrp_cfg *cfg,
				   const struct nhrp_pkt *q, __be32 to_nbma)
{
	struct mgre_msg *m = mgre_msg_new(md, NHRP_TYPE_RES_REPLY);
	int i;

	if (!m)
		return;
	m->p = *q;
	m->p.type = NHRP_TYPE_RES_REPLY;
	m->p.hopcnt = 255;
	for (i = 0; i < q->mand_cies; i++)
		m->p.cie[i].code = NHRP_CODE_NO_BINDING;
	mgre_nhrp_xmit(md, m, to_nbma);
	kfree(m);
}

/*
 * Server: may the sender @outer of a resolution request speak for its
 * source address @proto?  Yes if @proto is registered (or statically
 * mapped) here at @outer, or if @outer is one of our own NHSes (which
 * checked the requester in turn).
 */
static bool mgre_nhrp_requester_ok(struct mgre_device *md, __be32 proto,
				   __be32 outer)
{
	struct mgre_entry *e;
	bool ok = false;
	u8 type;

	rcu_read_lock();
	e = mgre_cache_lookup(&md->cache, proto);
	if (e) {
		/* Pairs with smp_store_release() in mgre_entry_update(). */
		type = smp_load_acquire(&e->type);
		ok = (type == MGRE_ENTRY_DYNAMIC || type == MGRE_ENTRY_STATIC) &&
		     READ_ONCE(e->nbma) == outer;
	}
	rcu_read_unlock();
	return ok || mgre_is_nhs_nbma(md, outer);
}

void mgre_nhrp_res_req(struct mgre_device *md,
		       const struct mgre_nhrp_cfg *cfg,
		       const u8 *raw, const struct nhrp_pkt *q,
		       __be32 outer_src)
{
	__be32 target = mgre_get4(q->dst_proto, q->dst_proto_len);
	__be32 src_proto = mgre_get4(q->src_proto, q->src_proto_len);
	enum mgre_egress egress = MGRE_EGRESS_NONE;
	bool own = mgre_is_local_proto(md, target);
	const struct nhrp_ext *fwd;
	__be32 self, nh, nbma = 0;
	struct mgre_entry *e;
	u8 plen = 33;

	/* Phase 3: the egress of @target answers for its route's prefix. */
	if (!own && (READ_ONCE(md->nhrp.redirect) ||
		     READ_ONCE(md->nhrp.shortcut)))
		egress = mgre_route_egress(md, target, &nh, &plen);
	if (own || egress == MGRE_EGRESS_OTHER) {
		/* Behind NAT: let the requester keep using the hub. */
		if (!READ_ONCE(md->nhrp.behind_nat))
			mgre_nhrp_res_answer(md, cfg, q, target,
					     own ? 33 : plen, outer_src);
		return;
	}

	self = mgre_local_proto(md, target);
	fwd = nhrp_ext_find((struct nhrp_pkt *)q, NHRP_EXT_FWD_TRANSIT);
	if (fwd && self &&
	    nhrp_cie_find_proto(q, fwd, (const u8 *)&self, sizeof(self))) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_LOOP);
		mgre_nhrp_send_error(md, raw, q->pktsz, src_proto,
				     outer_src, NHRP_ERR_LOOP_DETECTED, 0);
		return;
	}
	if (q->hopcnt <= 1) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_HOPCNT);
		mgre_nhrp_send_error(md, raw, q->pktsz, src_proto,
				     outer_src, NHRP_ERR_HOP_COUNT, 0);
		return;
	}

	rcu_read_lock();
	e = mgre_cache_lookup(&md->cache, target);
	/*
	 * Not registered here: with "redirect", along our route to it, when
	 * that leads into the tunnel to a registered peer (RFC 2332 5.2.1:
	 * the next hop towards the destination).
	 */
	if (!e && egress == MGRE_EGRESS_TUNNEL && READ_ONCE(md->nhrp.redirect))
		e = mgre_cache_lookup(&md->cache, nh);
	if (e && (e->type == MGRE_ENTRY_DYNAMIC ||
		  e->type == MGRE_ENTRY_STATIC))
		nbma = READ_ONCE(e->nbma);
	rcu_read_unlock();

	if (!nbma || nbma == outer_src) {
		mgre_nhrp_res_negative(md, cfg, q, outer_src);
		return;
	}
	/* The owner trusts what we forward: the requester must be genuine. */
	if (!mgre_nhrp_requester_ok(md, src_proto, outer_src)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_RES_UNVERIFIED);
		net_dbg_ratelimited("%s: resolution request for %pI4 from %pI4 claiming %pI4, not registered from there: dropped\n",
				    mgre_to_dev(md)->name, &target, &outer_src,
				    &src_proto);
		return;
	}
	mgre_nhrp_res_forward(md, cfg, q, nbma, self, outer_src);
}

static void mgre_nhrp_res_reply_install(struct mgre_device *md,
					const struct nhrp_pkt *p,
					__be32 outer_src);

/*
 * Server: a reply for a requester behind us (the owner sent it along its
 * route): forward it there, hop count - 1, with our Reverse Transit record.
 */
static void mgre_nhrp_res_reply_forward(struct mgre_device *md,
					const struct mgre_nhrp_cfg *cfg,
					const struct nhrp_pkt *p,
					__be32 requester)
{
	const struct nhrp_ext *rev;
	struct mgre_entry *e;
	struct mgre_msg *m;
	__be32 self, nbma = 0;

	self = mgre_local_proto(md, requester);
	rev = nhrp_ext_find((struct nhrp_pkt *)p, NHRP_EXT_REV_TRANSIT);
	if (!self || p->hopcnt <= 1 ||
	    (rev && nhrp_cie_find_proto(p, rev, (const u8 *)&self,
					sizeof(self)))) {
		mgre_stat_inc(md, p->hopcnt <= 1 ? MGRE_STAT_NHRP_RX_HOPCNT :
						    MGRE_STAT_NHRP_RX_LOOP);
		return;
	}
	rcu_read_lock();
	e = mgre_cache_lookup(&md->cache, requester);
	if (e && (e->type == MGRE_ENTRY_DYNAMIC ||
		  e->type == MGRE_ENTRY_STATIC))
		nbma = READ_ONCE(e->nbma);
	rcu_read_unlock();
	if (!nbma) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNMATCHED);
		return;
	}
	m = mgre_msg_new(md, NHRP_TYPE_RES_REPLY);
	if (!m)
		return;
	m->p = *p;
	m->p.hopcnt = p->hopcnt - 1;
	mgre_msg_transit_send(md, cfg, m, NHRP_EXT_REV_TRANSIT, self, nbma);
	kfree(m);
}

/* Requester: install what the owner answered to our last request. */
void mgre_nhrp_res_reply(struct mgre_device *md,
			 const struct mgre_nhrp_cfg *cfg,
			 const struct nhrp_pkt *p, __be32 outer_src)
{
	__be32 requester = mgre_get4(p->src_proto, p->src_proto_len);

	if (requester && !mgre_is_local_proto(md, requester)) {
		mgre_nhrp_res_reply_forward(md, cfg, p, requester);
		return;
	}
	mgre_nhrp_res_reply_install(md, p, outer_src);
}

static void mgre_nhrp_res_reply_install(struct mgre_device *md,
					const struct nhrp_pkt *p,
					__be32 outer_src)
{
	const struct nhrp_ext *rev;
	u32 flags = MGRE_F_ROUTER;
	__be32 target = mgre_get4(p->dst_proto, p->dst_proto_len);
	const struct nhrp_cie *c = p->mand_cies ? &p->cie[0] : NULL;
	__be32 nbma = c ? mgre_get4(c->nbma, NHRP_TL_LEN(c->nbma_tl)) : 0;
	__be32 proto = c ? mgre_get4(c->proto, c->proto_len) : 0;
	struct mgre_answer a;
	u8 plen, route_plen;
	__be32 nh;
	int ret;

	if (!c || c->code != NHRP_CODE_SUCCESS || !nbma) {
		net_dbg_ratelimited("%s: resolution of %pI4 failed (code %u)\n",
				    mgre_to_dev(md)->name, &target,
				    c ? c->code : 0);
		return;
	}
	/*
	 * An egress's answer (phase 3) names its own tunnel address and the
	 * prefix @target is in.  The address must be one of the tunnel's;
	 * the prefix neither everything nor overlapping the tunnel's
	 * subnets, and no wider than our own route to @target (a shortcut
	 * overrides that route, not the more specific routes it holds).
	 * (Taken only for a shortcut, see mgre_cache_resolved().)
	 */
	/* (0 or above 32, as some send for a host: the address itself) */
	plen = c->plen && c->plen <= 32 ? c->plen : 32;
	if (plen < 32 || (proto && proto != target)) {
		if (!proto || !mgre_proto_allowed(md, proto) ||
		    mgre_prefix_overlaps_tunnel(md, target, plen)) {
			mgre_stat_inc(md, MGRE_STAT_NHRP_RX_OUT_OF_SUBNET);
			net_dbg_ratelimited("%s: resolution of %pI4: %pI4/%u via %pI4 refused\n",
					    mgre_to_dev(md)->name, &target,
					    &target, plen, &proto);
			return;
		}
		/*
		 * Not routed into the tunnel (any more): no wider than
		 * @target itself (with route-inject the prefix becomes a
		 * route, which must not take the underlay's traffic).
		 */
		if (mgre_route_egress(md, target, &nh, &route_plen) !=
		    MGRE_EGRESS_TUNNEL)
			plen = 32;
		else if (route_plen > plen)
			plen = route_plen;
	}
	/*
	 * Straight from the owner (no server on the way back) but from
	 * another address than it claims: it is behind NAT, and its public
	 * address, which this very reply just opened, is the one to use.
	 */
	rev = nhrp_ext_find((struct nhrp_pkt *)p, NHRP_EXT_REV_TRANSIT);
	if ((!rev || !rev->cie_cnt) && outer_src != nbma) {
		nbma = outer_src;
		flags |= MGRE_F_NAT;
	}
	a = (struct mgre_answer){
		.target = target,
		.reqid = p->reqid,
		.nbma = nbma,
		.via = proto ?: target,
		.prefixlen = plen,
		.flags = flags,
		.holdtime = c->holdtime,
		.shortcut_ok = READ_ONCE(md->nhrp.shortcut),
	};
	/* (a shortcut lives as long as the route it overrides) */
	a.covered = mgre_route_cover(md, target, &a.cover_len, &a.cover_tb);
	ret = mgre_cache_resolved(&md->cache, &a);
	if (ret == -ENOENT)
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNMATCHED);
	else if (ret)
		mgre_stat_inc(md, MGRE_STAT_NHRP_RES_NOT_LEARNED);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The NHRP protocol engine: RFC 2332 with the Cisco DMVPN behaviour seen
 * in real captures (hop count 255, Cisco NAT flag and extension, cleartext
 * authentication extension, forwarding of resolution requests to the
 * registered owner so that the answer is authoritative).
 *
 * Client (spoke): registers with every NHS when the device comes up and
 * every holdtime/3, with exponential retry; resolves next hops that miss
 * the cache while the data goes through the NHS; answers resolution
 * requests for its own addresses; purges its registrations going down.
 *
 * Server (hub): registrations create dynamic cache entries (and dynamic
 * multicast map entries with "multicast dynamic"); resolution requests
 * are forwarded to the owner or answered negatively; purges remove.
 *
 * Receive runs in softirq; timers run from one delayed work per device.
 * Packets are built with the pure codec in nhrp_codec.c.
 */

#include <crypto/algapi.h>
#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <net/route.h>

#include "device.h"
#include "nhrp.h"
#include "nhrp_codec.h"
#include "xmit.h"

#define MGRE_REG_RETRY_MAX	32	/* seconds between retries, at most */
#define MGRE_NHS_DOWN_FAILS	3	/* unanswered requests: NHS down */
#define MGRE_EI_QUOTE_MAX	512	/* bytes of a bad packet we quote */

/* A packet being built, with storage for the addresses it points to. */
struct mgre_msg {
	struct nhrp_pkt p;
	__be32 src_nbma;
	__be32 src_proto;
	__be32 dst_proto;
	__be32 cie_nbma[2];
	__be32 cie_proto[2];
	u8 auth[MGRE_AUTH_MAX];
};

static __be32 mgre_nat_nbma(const struct nhrp_pkt *q, __be32 proto,
			    __be32 nbma);

static __be32 get4(const u8 *p, unsigned int len)
{
	__be32 v = 0;

	if (p && len == sizeof(v))
		memcpy(&v, p, sizeof(v));
	return v;
}

void mgre_nhrp_get_cfg(struct mgre_device *md, struct mgre_nhrp_cfg *c)
{
	spin_lock_bh(&md->nhrp.lock);
	*c = md->nhrp.cfg;
	spin_unlock_bh(&md->nhrp.lock);
}

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
static __be32 mgre_local_proto(struct mgre_device *md, __be32 peer)
{
	return inet_select_addr(mgre_to_dev(md), peer, RT_SCOPE_UNIVERSE);
}

static bool mgre_is_local_proto(struct mgre_device *md, __be32 addr)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	bool found = false;

	rcu_read_lock();
	in_dev = __in_dev_get_rcu(mgre_to_dev(md));
	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (ifa->ifa_local == addr) {
				found = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * May NHRP bind protocol address @addr?  With "subnet-check" (the
 * default), only a host address of one of the device's IPv4 subnets:
 * inside the prefix of one of its addresses, and not that prefix's network
 * or broadcast address (prefixes up to /30).
 */
static bool mgre_proto_allowed(struct mgre_device *md, __be32 addr)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	bool found = false;

	if (READ_ONCE(md->nhrp.any_subnet))
		return true;
	rcu_read_lock();
	in_dev = __in_dev_get_rcu(mgre_to_dev(md));
	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			__be32 host = addr & ~ifa->ifa_mask;

			if (!inet_ifa_match(addr, ifa))
				continue;
			if (ntohl(ifa->ifa_mask) <= 0xfffffffc &&
			    (!host || host == ~ifa->ifa_mask))
				continue;
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Is @nbma the NBMA address of one of our next-hop servers? */
static bool mgre_is_nhs_nbma(struct mgre_device *md, __be32 nbma)
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

/* Encode @m and send it GRE-encapsulated to @nbma. */
static void mgre_nhrp_xmit(struct mgre_device *md, struct mgre_msg *m,
			   __be32 nbma)
{
	struct net_device *dev = mgre_to_dev(md);
	unsigned int hroom = LL_MAX_HEADER + dev->needed_headroom;
	struct sk_buff *skb;
	int len;

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

	local_bh_disable();
	mgre_xmit_one(md, skb, nbma);
	local_bh_enable();
}

static struct mgre_msg *mgre_msg_new(struct mgre_device *md, u8 type)
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
static void mgre_msg_addrs(struct mgre_msg *m, __be32 src_nbma,
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
static struct nhrp_cie *mgre_msg_cie(struct mgre_msg *m, struct nhrp_ext *e,
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

static void mgre_msg_auth(struct mgre_msg *m, const struct mgre_nhrp_cfg *cfg)
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
static struct nhrp_ext *mgre_msg_request_exts(struct mgre_msg *m,
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
static void mgre_msg_responder(struct mgre_device *md, struct mgre_msg *m,
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
static void mgre_msg_transit_send(struct mgre_device *md,
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

/* ---------------------------------------------------------------------- */
/* Error indication                                                        */
/* ---------------------------------------------------------------------- */

/* Tell @nbma that its packet @bad (@len bytes) was refused with @code. */
static void mgre_nhrp_send_error(struct mgre_device *md,
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

/* ---------------------------------------------------------------------- */
/* Registration                                                            */
/* ---------------------------------------------------------------------- */

static void mgre_nhrp_send_reg(struct mgre_device *md,
			       const struct mgre_nhrp_cfg *cfg,
			       __be32 nhs_proto, __be32 nhs_nbma, u32 reqid)
{
	struct net_device *dev = mgre_to_dev(md);
	struct nhrp_ext *nat;
	struct mgre_msg *m;
	__be32 proto;

	proto = mgre_local_proto(md, nhs_proto);
	if (!proto) {
		net_dbg_ratelimited("%s: no tunnel address to register\n",
				    dev->name);
		return;
	}
	m = mgre_msg_new(md, NHRP_TYPE_REG_REQ);
	if (!m)
		return;
	mgre_msg_addrs(m, mgre_local_nbma(md, nhs_nbma), proto, nhs_proto);
	m->p.flags = NHRP_FLAG_CISCO_NAT |
		     (cfg->no_unique ? 0 : NHRP_FLAG_REG_U);
	m->p.reqid = reqid;
	mgre_msg_cie(m, NULL, 0, 0, 0, cfg->holdtime, dev->mtu);
	nat = mgre_msg_request_exts(m, cfg);
	/* Cisco: the NHS's binding as this spoke sees it. */
	if (nat)
		mgre_msg_cie(m, nat, 1, nhs_nbma, nhs_proto, 0, 0);
	mgre_nhrp_xmit(md, m, nhs_nbma);
	kfree(m);
}

/* The NBMA address of an NHS: configured, or from the cache. */
__be32 mgre_nhs_nbma(struct mgre_device *md, const struct mgre_nhs *n)
{
	struct mgre_entry *e;
	__be32 nbma;

	nbma = READ_ONCE(n->nbma);
	if (nbma)
		return nbma;
	rcu_read_lock();
	e = mgre_cache_lookup(&md->cache, n->proto);
	if (e)
		nbma = READ_ONCE(e->nbma);
	rcu_read_unlock();
	return nbma;
}

static unsigned long mgre_reg_interval(const struct mgre_nhrp_cfg *cfg)
{
	if (cfg->reg_timeout)
		return cfg->reg_timeout * HZ;
	return max_t(unsigned long, cfg->holdtime / 3, 1) * HZ;
}

/* Exponential retry, never slower than the refresh interval. */
static unsigned long mgre_reg_retry(const struct mgre_nhrp_cfg *cfg, u8 fails)
{
	unsigned long secs = 1UL << min_t(u8, fails, 5);

	return min_t(unsigned long, secs * HZ,
		     min_t(unsigned long, MGRE_REG_RETRY_MAX * HZ,
			   mgre_reg_interval(cfg)));
}

/* @n refused our registration: down, and retry with backoff.  Under the
 * NHS list lock.
 */
static void mgre_nhs_refused(const struct mgre_nhrp_cfg *cfg,
			     struct mgre_nhs *n)
{
	WRITE_ONCE(n->state, MGRE_NHS_DOWN);
	if (n->fails < U8_MAX)
		n->fails++;
	n->next_send = jiffies + mgre_reg_retry(cfg, n->fails);
}

/* Send the registrations that are due; called from the work. */
static void mgre_nhrp_reg_tick(struct mgre_device *md,
			       const struct mgre_nhrp_cfg *cfg)
{
	struct mgre_nhs_list *list = &md->nhs;
	unsigned long now = jiffies;
	bool lost = false;
	struct mgre_nhs *n;

	rcu_read_lock();
	list_for_each_entry_rcu(n, &list->list, node) {
		__be32 nbma = mgre_nhs_nbma(md, n);
		bool send = false;
		u32 reqid = 0;

		if (!nbma)
			continue;
		spin_lock_bh(&list->lock);
		if (time_after_eq(now, n->next_send)) {
			if (n->awaiting) {
				/* The last request went unanswered. */
				mgre_stat_inc(md, MGRE_STAT_NHRP_REG_UNANSWERED);
				if (n->fails < U8_MAX)
					n->fails++;
				if (n->state == MGRE_NHS_RESPONDING)
					lost = true;
				/* (keepalives may hold it down) */
				WRITE_ONCE(n->state,
					   n->fails >= MGRE_NHS_DOWN_FAILS ||
					   n->ka_down ?
					   MGRE_NHS_DOWN : MGRE_NHS_EXPECTING);
			} else if (n->state == MGRE_NHS_WAITING) {
				WRITE_ONCE(n->state, MGRE_NHS_EXPECTING);
			}
			/* Cisco: a retransmission keeps its request id. */
			if (!n->awaiting)
				n->reqid = mgre_reqid_new();
			n->awaiting = true;
			n->next_send = now + mgre_reg_retry(cfg, n->fails);
			reqid = n->reqid;
			send = true;
		}
		spin_unlock_bh(&list->lock);
		if (send)
			mgre_nhrp_send_reg(md, cfg, n->proto, nbma, reqid);
	}
	rcu_read_unlock();
	/*
	 * An NHS stopped answering: resolutions and data now go through the
	 * next one.  Failures seen through the old one are not the next
	 * one's verdict: forget the negative entries, so they resolve again
	 * at once instead of after their hold-down.
	 */
	if (lost)
		mgre_cache_flush(&md->cache, MGRE_ENTRY_NEGATIVE);
}

static void mgre_nhrp_send_purge(struct mgre_device *md,
				 const struct mgre_nhrp_cfg *cfg,
				 __be32 nhs_proto, __be32 nhs_nbma);

/*
 * Client: a registration reply.  Taken only from the NHS we sent the
 * request to (its NBMA address) with the request's (random) id: a reply
 * from anyone else, or with another id, is counted as unmatched and
 * changes nothing (the NHS state, code 14 recovery).
 */
static void mgre_nhrp_reg_reply(struct mgre_device *md,
				const struct mgre_nhrp_cfg *cfg,
				const struct nhrp_pkt *p, __be32 outer_src)
{
	struct mgre_nhs_list *list = &md->nhs;
	__be32 nhs = get4(p->dst_proto, p->dst_proto_len);
	u8 code = p->mand_cies ? p->cie[0].code : NHRP_CODE_SUCCESS;
	__be32 purge_proto = 0, purge_nbma = 0;
	struct mgre_nhs *n;
	bool matched = false, kick = false;

	spin_lock_bh(&list->lock);
	list_for_each_entry(n, &list->list, node) {
		if (!n->awaiting || n->reqid != p->reqid ||
		    mgre_nhs_nbma(md, n) != outer_src)
			continue;
		matched = true;
		n->awaiting = false;
		if (code == NHRP_CODE_SUCCESS) {
			/* Keepalives say its data plane is down: not yet. */
			if (n->state != MGRE_NHS_RESPONDING && !n->ka_down)
				kick = true;
			WRITE_ONCE(n->state, n->ka_down ? MGRE_NHS_DOWN :
							 MGRE_NHS_RESPONDING);
			n->fails = 0;
			n->recovering = false;
			n->next_send = jiffies + mgre_reg_interval(cfg);
		} else if (code == NHRP_CODE_ALREADY_REGISTERED &&
			   !n->recovering) {
			/*
			 * Code 14: the NHS holds our address bound to another
			 * NBMA, typically our own stale binding (behind NAT,
			 * a new public address).  As IOS: purge it, and
			 * register again in a second, once; a second refusal
			 * is final until the next retry.
			 */
			n->recovering = true;
			WRITE_ONCE(n->state, n->ka_down ? MGRE_NHS_DOWN :
							 MGRE_NHS_EXPECTING);
			n->next_send = jiffies + HZ;
			purge_proto = n->proto;
			purge_nbma = READ_ONCE(n->nbma);
		} else {
			mgre_nhs_refused(cfg, n);
		}
		break;
	}
	spin_unlock_bh(&list->lock);

	if (matched && code == NHRP_CODE_SUCCESS) {
		/*
		 * The NHS returns our binding as it sees it in the Cisco NAT
		 * extension when we are behind NAT.  Plain GRE cannot cross
		 * that NAT to other spokes reliably (IOS needs IPsec NAT-T):
		 * then we stay on the hub path, neither resolving nor
		 * answering resolutions.
		 */
		__be32 self = get4(p->src_proto, p->src_proto_len);
		__be32 nbma = get4(p->src_nbma, NHRP_TL_LEN(p->shtl));
		__be32 seen = mgre_nat_nbma(p, self, nbma);
		bool nat = seen != nbma;

		if (READ_ONCE(md->nhrp.behind_nat) != nat)
			net_info_ratelimited("%s: %s NAT (NHS sees us as %pI4)\n",
					     mgre_to_dev(md)->name,
					     nat ? "behind" : "not behind", &seen);
		WRITE_ONCE(md->nhrp.behind_nat, nat);
	}
	/* A first answer: the work updates the carrier ("if-state nhrp"). */
	if (kick && cfg->if_state)
		mgre_nhrp_kick(md);
	if (purge_proto) {
		if (!purge_nbma) {
			struct mgre_entry *e;

			rcu_read_lock();
			e = mgre_cache_lookup(&md->cache, purge_proto);
			if (e)
				purge_nbma = READ_ONCE(e->nbma);
			rcu_read_unlock();
		}
		mgre_stat_inc(md, MGRE_STAT_NHRP_UNIQUE_RECOVER);
		net_info_ratelimited("%s: NHS %pI4 has our address registered from another NBMA (code 14): purging it and registering again\n",
				     mgre_to_dev(md)->name, &nhs);
		if (purge_nbma)
			mgre_nhrp_send_purge(md, cfg, purge_proto, purge_nbma);
	}
	if (!matched) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNMATCHED);
	} else if (code != NHRP_CODE_SUCCESS && !purge_proto) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_REG_FAILED);
		net_info_ratelimited("%s: NHS %pI4 refused our registration (code %u)\n",
				     mgre_to_dev(md)->name, &nhs, code);
	}
}

static u8 mgre_reg_code(int err)
{
	switch (err) {
	case 0:
	case -EPERM:	/* statically mapped here: keep the map, accept */
		return NHRP_CODE_SUCCESS;
	case -EEXIST:
		return NHRP_CODE_ALREADY_REGISTERED;
	default:
		return NHRP_CODE_NO_RESOURCES;
	}
}

/* Server: a registration request; answer it from a copy of itself. */
static void mgre_nhrp_reg_req(struct mgre_device *md,
			      const struct mgre_nhrp_cfg *cfg,
			      const struct nhrp_pkt *q, __be32 outer_src)
{
	__be32 src_proto = get4(q->src_proto, q->src_proto_len);
	__be32 src_nbma = get4(q->src_nbma, NHRP_TL_LEN(q->shtl));
	bool nat = src_nbma != outer_src;
	unsigned int holdtime = cfg->holdtime;
	struct mgre_msg *m;
	u32 flags;
	int i, ret;
	u8 code;

	if (!src_proto || mgre_is_local_proto(md, src_proto)) {
		code = NHRP_CODE_ADMIN_PROHIBITED;
		goto reply;
	}
	/* Only the tunnel's own subnets ("subnet-check"). */
	if (!mgre_proto_allowed(md, src_proto)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_OUT_OF_SUBNET);
		code = NHRP_CODE_ADMIN_PROHIBITED;
		goto reply;
	}
	if (q->mand_cies)
		holdtime = q->cie[0].holdtime;
	flags = MGRE_F_REGISTERED | (nat ? MGRE_F_NAT : 0) |
		(q->flags & NHRP_FLAG_REG_U ? MGRE_F_UNIQUE : 0);
	/* Behind NAT the packet's own NBMA is unreachable: use the outer. */
	/*
	 * The entry holds a reference in the multicast map ("dynamic"), as
	 * many as "per-nbma-max" per address, for at most
	 * "multicast-dynamic-max" addresses.
	 */
	ret = mgre_cache_learn(&md->cache, src_proto, outer_src,
			       MGRE_ENTRY_DYNAMIC, flags, holdtime);
	if (ret == -EDQUOT)
		mgre_stat_inc(md, MGRE_STAT_NHRP_REG_NBMA_LIMIT);
	else if (ret == -ENOBUFS)
		mgre_stat_inc(md, MGRE_STAT_NHRP_REG_MCAST_LIMIT);
	code = mgre_reg_code(ret);

reply:
	if (code != NHRP_CODE_SUCCESS) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_REG_REFUSED);
		net_info_ratelimited("%s: refused registration of %pI4 from %pI4 (code %u)\n",
				     mgre_to_dev(md)->name, &src_proto,
				     &outer_src, code);
	}
	m = mgre_msg_new(md, NHRP_TYPE_REG_REPLY);
	if (!m)
		return;
	m->p = *q;
	m->p.type = NHRP_TYPE_REG_REPLY;
	m->p.hopcnt = 255;
	/*
	 * Our own address as the destination: clients that register with
	 * themselves as destination ("nhs dynamic", FRR) learn the NHS's
	 * protocol address from it.
	 */
	m->dst_proto = mgre_local_proto(md, src_proto);
	if (m->dst_proto) {
		m->p.dst_proto = (const u8 *)&m->dst_proto;
		m->p.dst_proto_len = sizeof(m->dst_proto);
	}
	for (i = 0; i < q->mand_cies; i++)
		m->p.cie[i].code = code;
	if (!q->mand_cies) {
		struct nhrp_cie *c = mgre_msg_cie(m, NULL, 0, 0, 0,
						  cfg->holdtime, 0);

		if (c)
			c->code = code;
	}
	mgre_msg_responder(md, m, cfg, mgre_local_nbma(md, outer_src),
			   mgre_local_proto(md, src_proto));
	if (nat) {
		/* Cisco NAT extension: the client's address as we see it. */
		struct nhrp_ext *e = nhrp_ext_find(&m->p, NHRP_EXT_NAT_ADDR);

		if (e)
			nhrp_ext_del(&m->p, e);
		e = nhrp_ext_add(&m->p, NHRP_EXT_NAT_ADDR);
		if (e)
			mgre_msg_cie(m, e, 0, outer_src, src_proto,
				     holdtime, 0);
	}
	mgre_nhrp_xmit(md, m, outer_src);
	kfree(m);
}

/* ---------------------------------------------------------------------- */
/* Resolution                                                              */
/* ---------------------------------------------------------------------- */

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
			*nhs_proto = fallback->proto;
	}
	rcu_read_unlock();
	return nbma;
}

static void mgre_nhrp_send_res_req(struct mgre_device *md,
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
	mgre_nhrp_xmit(md, m, nhs_nbma);
	kfree(m);
}

__be32 mgre_nhrp_miss(struct mgre_device *md, __be32 proto)
{
	__be32 nbma;

	if (!READ_ONCE(md->nhrp.enabled))
		return 0;
	nbma = mgre_best_nhs(md, NULL);
	if (!nbma)
		return 0;
	if (!READ_ONCE(md->nhrp.behind_nat) &&
	    mgre_cache_resolve_start(&md->cache, proto))
		mgre_nhrp_kick(md);
	return nbma;
}

/* The NBMA address of @proto in the Cisco NAT extension, else @nbma. */
static __be32 mgre_nat_nbma(const struct nhrp_pkt *q, __be32 proto,
			    __be32 nbma)
{
	const struct nhrp_ext *e;
	const struct nhrp_cie *c;
	__be32 nat;

	e = nhrp_ext_find((struct nhrp_pkt *)q, NHRP_EXT_NAT_ADDR);
	if (!e || (e->flags & NHRP_EXTF_RAW))
		return nbma;
	c = nhrp_cie_find_proto(q, e, (const u8 *)&proto, sizeof(proto));
	nat = c ? get4(c->nbma, NHRP_TL_LEN(c->nbma_tl)) : 0;
	return nat ? nat : nbma;
}

/*
 * Owner: answer a resolution request for one of our addresses.  The
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
				 __be32 outer_src)
{
	__be32 src_proto = get4(q->src_proto, q->src_proto_len);
	__be32 src_nbma = get4(q->src_nbma, NHRP_TL_LEN(q->shtl));
	unsigned int holdtime = q->mand_cies ? q->cie[0].holdtime :
					       cfg->holdtime;
	struct net_device *dev = mgre_to_dev(md);
	__be32 nbma, nat_nbma;
	struct nhrp_ext *e;
	struct mgre_msg *m;
	bool via_nhs;
	int ret;

	if (!src_nbma || !src_proto)
		return;
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
		struct nhrp_cie *c = &m->p.cie[0];

		m->cie_nbma[0] = nbma;
		m->cie_proto[0] = target;
		c->code = NHRP_CODE_SUCCESS;
		c->plen = 32;
		c->mtu = dev->mtu;
		c->holdtime = cfg->holdtime;
		nhrp_cie_set_addr(c, (const u8 *)&m->cie_nbma[0], sizeof(nbma),
				  (const u8 *)&m->cie_proto[0], sizeof(target));
	} else {
		mgre_msg_cie(m, NULL, 0, nbma, target, cfg->holdtime, dev->mtu);
	}
	mgre_msg_responder(md, m, cfg, nbma, target);
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
	__be32 src_proto = get4(q->src_proto, q->src_proto_len);
	__be32 src_nbma = get4(q->src_nbma, NHRP_TL_LEN(q->shtl));
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

static void mgre_nhrp_res_req(struct mgre_device *md,
			      const struct mgre_nhrp_cfg *cfg,
			      const u8 *raw, const struct nhrp_pkt *q,
			      __be32 outer_src)
{
	__be32 target = get4(q->dst_proto, q->dst_proto_len);
	__be32 src_proto = get4(q->src_proto, q->src_proto_len);
	const struct nhrp_ext *fwd;
	struct mgre_entry *e;
	__be32 self, nbma = 0;

	if (mgre_is_local_proto(md, target)) {
		/* Behind NAT: let the requester keep using the hub. */
		if (!READ_ONCE(md->nhrp.behind_nat))
			mgre_nhrp_res_answer(md, cfg, q, target, outer_src);
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
static void mgre_nhrp_res_reply(struct mgre_device *md,
				const struct mgre_nhrp_cfg *cfg,
				const struct nhrp_pkt *p, __be32 outer_src)
{
	__be32 requester = get4(p->src_proto, p->src_proto_len);

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
	__be32 target = get4(p->dst_proto, p->dst_proto_len);
	const struct nhrp_cie *c = p->mand_cies ? &p->cie[0] : NULL;
	__be32 nbma = c ? get4(c->nbma, NHRP_TL_LEN(c->nbma_tl)) : 0;
	__be32 proto = c ? get4(c->proto, c->proto_len) : 0;

	if (!c || c->code != NHRP_CODE_SUCCESS || !nbma ||
	    (proto && proto != target)) {
		net_dbg_ratelimited("%s: resolution of %pI4 failed (code %u)\n",
				    mgre_to_dev(md)->name, &target,
				    c ? c->code : 0);
		return;
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
	if (mgre_cache_resolved(&md->cache, target, p->reqid, nbma, flags,
				c->holdtime))
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNMATCHED);
}

/* ---------------------------------------------------------------------- */
/* Purge                                                                   */
/* ---------------------------------------------------------------------- */

/* A purge from @outer names @proto: only its owner may remove it. */
static void mgre_nhrp_forget(struct mgre_device *md, __be32 proto,
			     __be32 outer)
{
	if (mgre_cache_forget(&md->cache, proto, outer) != -EPERM)
		return;
	mgre_stat_inc(md, MGRE_STAT_NHRP_PURGE_REFUSED);
	net_dbg_ratelimited("%s: purge of %pI4 from %pI4 refused: not its binding\n",
			    mgre_to_dev(md)->name, &proto, &outer);
}

static void mgre_nhrp_purge_req(struct mgre_device *md,
				const struct nhrp_pkt *q, __be32 outer_src)
{
	__be32 src_proto = get4(q->src_proto, q->src_proto_len);
	struct mgre_msg *m;
	int i;

	/*
	 * A client may purge its own bindings: those bound to the address
	 * the purge comes from.  Not a binding it names by an NBMA address
	 * written in the packet (a NAT'd spoke's private one, say): anybody
	 * can write that.
	 */
	for (i = 0; i < q->mand_cies; i++) {
		__be32 proto = get4(q->cie[i].proto, q->cie[i].proto_len);

		mgre_nhrp_forget(md, proto ? proto : src_proto, outer_src);
	}
	if (!q->mand_cies)
		mgre_nhrp_forget(md, src_proto, outer_src);

	if (q->flags & NHRP_FLAG_PURGE_N)
		return;
	m = mgre_msg_new(md, NHRP_TYPE_PURGE_REPLY);
	if (!m)
		return;
	m->p = *q;
	m->p.type = NHRP_TYPE_PURGE_REPLY;
	m->p.hopcnt = 255;
	mgre_nhrp_xmit(md, m, outer_src);
	kfree(m);
}

static void mgre_nhrp_send_purge(struct mgre_device *md,
				 const struct mgre_nhrp_cfg *cfg,
				 __be32 nhs_proto, __be32 nhs_nbma)
{
	__be32 proto = mgre_local_proto(md, nhs_proto);
	__be32 nbma = mgre_local_nbma(md, nhs_nbma);
	struct mgre_msg *m;

	if (!proto)
		return;
	m = mgre_msg_new(md, NHRP_TYPE_PURGE_REQ);
	if (!m)
		return;
	mgre_msg_addrs(m, nbma, proto, nhs_proto);
	m->p.flags = NHRP_FLAG_PURGE_N;
	m->p.reqid = mgre_reqid_new();
	mgre_msg_cie(m, NULL, 0, nbma, proto, 0, 0);
	mgre_msg_request_exts(m, cfg);
	mgre_nhrp_xmit(md, m, nhs_nbma);
	kfree(m);
}

/* Purge our registration at NHS @nhs_proto, or at all NHSes if 0. */
void mgre_nhrp_purge_nhs(struct mgre_device *md, __be32 nhs_proto)
{
	struct mgre_nhrp_cfg cfg;
	struct mgre_nhs *n;

	mgre_nhrp_get_cfg(md, &cfg);
	if (!cfg.network_id)
		return;
	rcu_read_lock();
	list_for_each_entry_rcu(n, &md->nhs.list, node) {
		__be32 nbma;

		if (nhs_proto && n->proto != nhs_proto)
			continue;
		if (READ_ONCE(n->state) != MGRE_NHS_RESPONDING)
			continue;
		nbma = mgre_nhs_nbma(md, n);
		if (nbma)
			mgre_nhrp_send_purge(md, &cfg, n->proto, nbma);
	}
	rcu_read_unlock();
}

/* ---------------------------------------------------------------------- */
/* Receive                                                                 */
/* ---------------------------------------------------------------------- */

static bool mgre_nhrp_auth_ok(const struct mgre_nhrp_cfg *cfg,
			      struct nhrp_pkt *p)
{
	const struct nhrp_ext *e;

	/* Error indications carry no extensions (RFC 2332 5.2.7). */
	if (!cfg->auth_len || p->type == NHRP_TYPE_ERROR_IND)
		return true;
	e = nhrp_ext_find(p, NHRP_EXT_AUTH);
	return e && e->hdr == NHRP_AUTH_CLEARTEXT &&
	       e->dlen == cfg->auth_len &&
	       !crypto_memneq(e->data, cfg->auth, cfg->auth_len);
}

/* IPv4 over IPv4, the only combination this release speaks. */
static bool mgre_nhrp_ipv4(const struct nhrp_pkt *p)
{
	if (p->afn != NHRP_AFN_IPV4 || p->pro_type != NHRP_PRO_IPV4 ||
	    NHRP_TL_LEN(p->shtl) != sizeof(__be32))
		return false;
	if (p->type == NHRP_TYPE_ERROR_IND || p->type == NHRP_TYPE_TRAFFIC_IND)
		return true;
	return p->src_proto_len == sizeof(__be32) &&
	       p->dst_proto_len == sizeof(__be32);
}

/*
 * An error indication quotes the packet it is about.  IOS pads the quote
 * (and may cut it short), so only its headers are decoded.  When it is a
 * registration of ours still awaiting its reply, the NHS refused it
 * (authentication failure, say): count it and retry with backoff instead
 * of waiting for the request to time out.
 */
static void mgre_nhrp_error_ind(struct mgre_device *md,
				const struct mgre_nhrp_cfg *cfg,
				const struct nhrp_pkt *p, __be32 outer_src)
{
	struct mgre_nhs_list *list = &md->nhs;
	struct nhrp_pkt *q;
	struct mgre_nhs *n;
	bool matched = false;

	net_info_ratelimited("%s: NHRP error indication %u from %pI4\n",
			     mgre_to_dev(md)->name, nhrp_ei_code(p), &outer_src);
	if (!p->payload_len)
		return;
	q = kmalloc(sizeof(*q), GFP_ATOMIC);
	if (!q) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_NOMEM);
		return;
	}
	if (nhrp_decode_flags(p->payload, p->payload_len, q,
			      NHRP_DECODE_HDR_ONLY) ||
	    q->type != NHRP_TYPE_REG_REQ)
		goto out;
	spin_lock_bh(&list->lock);
	list_for_each_entry(n, &list->list, node) {
		/* (Error indications are not authenticated: the NHS's.) */
		if (!n->awaiting || n->reqid != q->reqid ||
		    mgre_nhs_nbma(md, n) != outer_src)
			continue;
		matched = true;
		n->awaiting = false;
		mgre_nhs_refused(cfg, n);
		break;
	}
	spin_unlock_bh(&list->lock);
	if (matched)
		mgre_stat_inc(md, MGRE_STAT_NHRP_REG_FAILED);
out:
	kfree(q);
}

static void mgre_nhrp_dispatch(struct mgre_device *md,
			       const struct mgre_nhrp_cfg *cfg,
			       const u8 *raw, struct nhrp_pkt *p,
			       __be32 outer_src)
{
	switch (p->type) {
	case NHRP_TYPE_REG_REQ:
		mgre_nhrp_reg_req(md, cfg, p, outer_src);
		break;
	case NHRP_TYPE_REG_REPLY:
		mgre_nhrp_reg_reply(md, cfg, p, outer_src);
		break;
	case NHRP_TYPE_RES_REQ:
		mgre_nhrp_res_req(md, cfg, raw, p, outer_src);
		break;
	case NHRP_TYPE_RES_REPLY:
		mgre_nhrp_res_reply(md, cfg, p, outer_src);
		break;
	case NHRP_TYPE_PURGE_REQ:
		mgre_nhrp_purge_req(md, p, outer_src);
		break;
	case NHRP_TYPE_PURGE_REPLY:
		break;
	case NHRP_TYPE_ERROR_IND:
		mgre_nhrp_error_ind(md, cfg, p, outer_src);
		break;
	default:
		/* Traffic indications (DMVPN phase 3) are not acted on. */
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNSUPPORTED);
		break;
	}
}

void mgre_nhrp_rcv(struct mgre_device *md, struct sk_buff *skb, int gre_hlen)
{
	struct net_device *dev = mgre_to_dev(md);
	struct mgre_nhrp_cfg cfg;
	__be32 outer_src;
	struct nhrp_pkt *p;
	int ret;

	mgre_nhrp_get_cfg(md, &cfg);
	if (!cfg.network_id) {
		net_dbg_ratelimited("%s: NHRP from %pI4 dropped: no network-id\n",
				    dev->name, &ip_hdr(skb)->saddr);
		mgre_stat_inc(md, MGRE_STAT_RX_NHRP_DROP);
		goto drop;
	}
	outer_src = ip_hdr(skb)->saddr;
	if (!pskb_pull(skb, gre_hlen) || skb_linearize(skb)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_MALFORMED);
		goto drop;
	}
	p = kmalloc(sizeof(*p), GFP_ATOMIC);
	if (!p) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_NOMEM);
		goto drop;
	}

	ret = nhrp_decode(skb->data, skb->len, p);
	if (ret) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_MALFORMED);
		net_dbg_ratelimited("%s: bad NHRP from %pI4: %s\n", dev->name,
				    &outer_src, nhrp_strerror(ret));
		/* The headers are valid: say what we did not understand. */
		if (ret == -NHRP_E_EXT_COMPULSORY && mgre_nhrp_ipv4(p) &&
		    p->type != NHRP_TYPE_ERROR_IND)
			mgre_nhrp_send_error(md, skb->data, p->pktsz,
					     get4(p->src_proto,
						  p->src_proto_len),
					     outer_src,
					     NHRP_ERR_UNRECOGNIZED_EXT,
					     p->err_off);
		goto free;
	}
	mgre_stat_inc(md, MGRE_STAT_NHRP_RX_RES_REQ + p->type - 1);
	if (!mgre_nhrp_ipv4(p)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNSUPPORTED);
		goto free;
	}
	if (!mgre_nhrp_auth_ok(&cfg, p)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_AUTH_FAIL);
		net_info_ratelimited("%s: NHRP authentication failed for packet from %pI4\n",
				     dev->name, &outer_src);
		/* (Error indications are exempt: no error answers an error.) */
		mgre_nhrp_send_error(md, skb->data, p->pktsz,
				     get4(p->src_proto, p->src_proto_len),
				     outer_src, NHRP_ERR_AUTH_FAILURE, 0);
		goto free;
	}
	mgre_nhrp_dispatch(md, &cfg, skb->data, p, outer_src);
	kfree(p);
	consume_skb(skb);
	return;

free:
	kfree(p);
drop:
	/* (the reason is in the nhrp_* counters) */
	DEV_STATS_INC(dev, rx_dropped);
	kfree_skb(skb);
}

/* ---------------------------------------------------------------------- */
/* Timers and lifetime                                                     */
/* ---------------------------------------------------------------------- */

/*
 * Keepalives (keepalive.c): @n missed too many (@alive false), or answers
 * again.  Down, it is out of use as if its registrations had timed out;
 * back, it is registered with again at once and is used from the reply
 * on.  Called under rcu_read_lock(); @n may be on its way out of the list.
 * Returns true when @n was the NHS in use: the caller then flushes the
 * negative entries, outside the RCU read side (the cache walk may sleep).
 */
bool mgre_nhrp_nhs_ka(struct mgre_device *md, struct mgre_nhs *n, bool alive)
{
	struct mgre_nhs_list *list = &md->nhs;
	bool lost = false, changed;

	spin_lock_bh(&list->lock);
	changed = n->ka_down == alive;
	if (changed && !alive) {
		lost = n->state == MGRE_NHS_RESPONDING;
		WRITE_ONCE(n->state, MGRE_NHS_DOWN);
	}
	if (changed) {
		n->ka_down = !alive;
		n->awaiting = false;
		n->next_send = jiffies;
	}
	spin_unlock_bh(&list->lock);
	if (!changed)
		return false;
	netdev_info(mgre_to_dev(md), "NHS %pI4 %s\n", &n->proto,
		    alive ? "answers keepalives again: registering" :
			    "does not answer keepalives: down");
	mgre_nhrp_kick(md);
	return lost;
}

/*
 * "if-state nhrp": the carrier is on while one of the configured NHSes
 * answers our registrations (or when there is none), off otherwise, so
 * routing reacts to a cloud we cannot reach.  NHRP itself goes around
 * the device's queue and keeps registering while it is off.
 */
static void mgre_nhrp_carrier(struct mgre_device *md,
			      const struct mgre_nhrp_cfg *cfg)
{
	struct net_device *dev = mgre_to_dev(md);
	bool up = true, any = false;
	struct mgre_nhs *n;

	if (cfg->if_state && cfg->network_id) {
		rcu_read_lock();
		list_for_each_entry_rcu(n, &md->nhs.list, node) {
			any = true;
			if (READ_ONCE(n->state) == MGRE_NHS_RESPONDING)
				break;
		}
		/* (n is the list head when no NHS responds) */
		up = !any || &n->node != &md->nhs.list;
		rcu_read_unlock();
	}
	/* A point-to-point peer that does not answer keepalives. */
	if (READ_ONCE(md->ka.down))
		up = false;
	if (up == netif_carrier_ok(dev))
		return;
	netdev_info(dev, "carrier %s: %s\n", up ? "on" : "off",
		    up ? "the peers answer" :
		    READ_ONCE(md->ka.down) ? "the peer does not answer keepalives" :
		    "no NHS answers (if-state nhrp)");
	if (up)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
}

static void mgre_nhrp_work(struct work_struct *work)
{
	struct mgre_device *md = container_of(to_delayed_work(work),
					      struct mgre_device, nhrp.work);
	struct mgre_nhrp_cfg cfg;
	struct mgre_gc_result *res;
	unsigned long next = HZ;
	unsigned int i;

	mgre_nhrp_get_cfg(md, &cfg);
	if (cfg.network_id)
		mgre_nhrp_reg_tick(md, &cfg);
	mgre_nhrp_carrier(md, &cfg);

	/* A burst of misses kicks us often: walk at most 10 times a second. */
	if (time_after_eq(jiffies, md->nhrp.last_walk + HZ / 10)) {
		md->nhrp.last_walk = jiffies;
		res = kmalloc(sizeof(*res), GFP_KERNEL);
		if (res) {
			mgre_cache_gc(&md->cache, res);
			for (i = 0; cfg.network_id && i < res->nresolve; i++)
				mgre_nhrp_send_res_req(md, &cfg,
						       res->resolve[i],
						       res->reqid[i]);
			kfree(res);
		}
	} else {
		/*
		 * Kicked by a miss too soon after the last walk: walk when
		 * the tenth of a second is over, not at the next tick, or a
		 * new resolution would wait up to a second to be sent.
		 */
		next = clamp_t(long, md->nhrp.last_walk + HZ / 10 - jiffies,
			       1, HZ);
	}

	spin_lock_bh(&md->nhrp.lock);
	if (md->nhrp.running)
		queue_delayed_work(system_power_efficient_wq, &md->nhrp.work,
				   next);
	spin_unlock_bh(&md->nhrp.lock);
}

/* Run the work now, unless the device is down (checked under the lock that
 * mgre_nhrp_stop() clears it under, so nothing is queued after stop).
 */
void mgre_nhrp_kick(struct mgre_device *md)
{
	spin_lock_bh(&md->nhrp.lock);
	if (md->nhrp.running)
		mod_delayed_work(system_power_efficient_wq, &md->nhrp.work, 0);
	spin_unlock_bh(&md->nhrp.lock);
}

void mgre_nhrp_init(struct mgre_device *md)
{
	spin_lock_init(&md->nhrp.lock);
	INIT_DELAYED_WORK(&md->nhrp.work, mgre_nhrp_work);
	md->nhrp.cfg.holdtime = MGRE_HOLDTIME_DEFAULT;
	md->nhrp.running = false;
	md->nhrp.enabled = false;
	md->nhrp.behind_nat = false;
	md->nhrp.any_subnet = false;
	md->nhrp.last_walk = jiffies;
	ratelimit_state_init(&md->nhrp.ei_rs, HZ, 20);
	ratelimit_set_flags(&md->nhrp.ei_rs, RATELIMIT_MSG_ON_RELEASE);
}

void mgre_nhrp_set_cfg(struct mgre_device *md, const struct mgre_nhrp_cfg *c)
{
	ASSERT_RTNL();
	spin_lock_bh(&md->nhrp.lock);
	md->nhrp.cfg = *c;
	WRITE_ONCE(md->nhrp.enabled, !!c->network_id);
	spin_unlock_bh(&md->nhrp.lock);
	mgre_nhs_reset(&md->nhs);
	mgre_nhrp_kick(md);
}

/* Device up: register with every NHS right away. */
void mgre_nhrp_open(struct mgre_device *md)
{
	struct mgre_nhrp_cfg cfg;

	ASSERT_RTNL();
	mgre_nhs_reset(&md->nhs);
	/* Down until an NHS answers ("if-state nhrp"). */
	mgre_nhrp_get_cfg(md, &cfg);
	mgre_nhrp_carrier(md, &cfg);
	spin_lock_bh(&md->nhrp.lock);
	md->nhrp.running = true;
	mod_delayed_work(system_power_efficient_wq, &md->nhrp.work, 0);
	spin_unlock_bh(&md->nhrp.lock);
}

/* Device down: withdraw our registrations and stop the timers. */
void mgre_nhrp_stop(struct mgre_device *md)
{
	ASSERT_RTNL();
	mgre_nhrp_purge_nhs(md, 0);
	spin_lock_bh(&md->nhrp.lock);
	md->nhrp.running = false;
	spin_unlock_bh(&md->nhrp.lock);
	cancel_delayed_work_sync(&md->nhrp.work);
	/* Nothing is registered while down. */
	mgre_nhs_reset(&md->nhs);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Registration (RFC 2332 5.2.3, 5.2.4).  Client: the registrations to
 * every NHS, sent from the work when due, with exponential retry, and
 * their replies, which set the NHS state (and recover from a code-14
 * refusal with a purge).  Server: registration requests create or refresh
 * dynamic cache entries, within the tunnel's subnets and the per-NBMA
 * and multicast-map limits.
 */

#include <linux/slab.h>

#include "events.h"
#include "nhrp_int.h"

#define MGRE_REG_RETRY_MAX	32	/* seconds between retries, at most */
#define MGRE_NHS_DOWN_FAILS	3	/* unanswered requests: NHS down */

/* Returns whether the request went out (to mgre_nhrp_xmit()). */
static bool mgre_nhrp_send_reg(struct mgre_device *md,
			       const struct mgre_nhrp_cfg *cfg,
			       __be32 nhs_proto, __be32 nhs_nbma, u32 reqid)
{
	struct net_device *dev = mgre_to_dev(md);
	struct nhrp_ext *nat;
	struct mgre_msg *m;
	__be32 proto;

	/* (a dynamic NHS not yet heard from: our primary address) */
	proto = mgre_local_proto(md, nhs_proto);
	if (!proto) {
		net_dbg_ratelimited("%s: no tunnel address to register\n",
				    dev->name);
		return false;
	}
	m = mgre_msg_new(md, NHRP_TYPE_REG_REQ);
	if (!m)
		return false;
	/*
	 * To a dynamic NHS not yet heard from: ourselves as destination,
	 * as IOS and FRR; its reply puts its own address there.
	 */
	mgre_msg_addrs(m, mgre_local_nbma(md, nhs_nbma), proto,
		       nhs_proto ?: proto);
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
	return true;
}

/* The NBMA address of an NHS: configured, or from the cache. */
__be32 mgre_nhs_nbma(struct mgre_device *md, const struct mgre_nhs *n)
{
	struct mgre_entry *e;
	__be32 nbma;

	nbma = READ_ONCE(n->nbma);
	if (nbma)
		return nbma;
	/* (a static NHS: a dynamic one always has its NBMA address) */
	rcu_read_lock();
	e = mgre_cache_lookup(&md->cache, READ_ONCE(n->proto));
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

/*
 * Set @n's state; under the NHS list lock.  Coming up (answering our
 * registrations) and going down are events for "nhrpctl monitor" and,
 * with @why, lines in the kernel log (as IOS's %NHRP-5-NHS_UP/DOWN).
 * @cie_code, @error_code: the refusal that took it down, 0 if none.
 */
void mgre_nhs_set_state(struct mgre_device *md, struct mgre_nhs *n,
			u8 state, u8 cie_code, u16 error_code,
			const char *why)
{
	bool up = state == MGRE_NHS_RESPONDING;
	u8 old = n->state;
	__be32 nbma;

	lockdep_assert_held(&md->nhs.lock);
	if (old == state)
		return;
	/* The event before the new state is seen: the carrier follows the
	 * state (mgre_nhrp_carrier(), unlocked), so "NHS up" always comes
	 * before the "carrier on" it causes.
	 */
	if (up || state == MGRE_NHS_DOWN) {
		nbma = mgre_nhs_nbma(md, n);
		if (why)
			net_info_ratelimited("%s: NHS %pI4 (NBMA %pI4) %s\n",
					     mgre_to_dev(md)->name, &n->proto,
					     &nbma, why);
		mgre_event_nhs(md, n, nbma,
			       up ? MGRE_EV_NHS_UP : MGRE_EV_NHS_DOWN,
			       cie_code, error_code);
	}
	WRITE_ONCE(n->state, state);
}

/* @n refused our registration: down, and retry with backoff.  Under the
 * NHS list lock.
 */
void mgre_nhs_refused(struct mgre_device *md, const struct mgre_nhrp_cfg *cfg,
		      struct mgre_nhs *n, u8 cie_code, u16 error_code)
{
	mgre_nhs_set_state(md, n, MGRE_NHS_DOWN, cie_code, error_code,
			   "down: it refused our registration");
	WRITE_ONCE(n->req_failed, n->req_failed + 1);
	if (n->fails < U8_MAX)
		n->fails++;
	n->next_send = jiffies + mgre_reg_retry(cfg, n->fails);
}

/* Send the registrations that are due; called from the work. */
void mgre_nhrp_reg_tick(struct mgre_device *md,
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
				if (n->sent)
					WRITE_ONCE(n->req_failed,
						   n->req_failed + 1);
				if (n->fails < U8_MAX)
					n->fails++;
				if (n->state == MGRE_NHS_RESPONDING)
					lost = true;
				/* (keepalives may hold it down) */
				mgre_nhs_set_state(md, n,
						   n->fails >= MGRE_NHS_DOWN_FAILS ||
						   n->ka_down ?
						   MGRE_NHS_DOWN :
						   MGRE_NHS_EXPECTING, 0, 0,
						   "down: our registrations went unanswered");
			} else if (n->state == MGRE_NHS_WAITING) {
				mgre_nhs_set_state(md, n, MGRE_NHS_EXPECTING,
						   0, 0, NULL);
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
		if (!send)
			continue;
		/* (counted once it left: no tunnel address, no request) */
		send = mgre_nhrp_send_reg(md, cfg, READ_ONCE(n->proto), nbma,
					  reqid);
		spin_lock_bh(&list->lock);
		n->sent = send;
		if (send)
			WRITE_ONCE(n->req_sent, n->req_sent + 1);
		spin_unlock_bh(&list->lock);
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

/*
 * A dynamic NHS answered our registration: its protocol address is the
 * reply's destination (RFC 2332 5.2.4, the NHS's own address there).
 * Taken only if it could be an NHS of ours: in the tunnel's subnets, not
 * one of ours.  Under the NHS list lock.  Returns whether it is new.
 */
static bool mgre_nhs_learn(struct mgre_device *md, struct mgre_nhs *n,
			   __be32 proto)
{
	lockdep_assert_held(&md->nhs.lock);
	if (proto == n->proto)
		return false;
	if (!proto || mgre_is_local_proto(md, proto) ||
	    !mgre_proto_allowed(md, proto)) {
		net_info_ratelimited("%s: dynamic NHS at %pI4 answered with %pI4 as its address: not a peer's address in the tunnel's subnets, ignored\n",
				     mgre_to_dev(md)->name, &n->nbma, &proto);
		return false;
	}
	net_info_ratelimited("%s: dynamic NHS at %pI4 is %pI4\n",
			     mgre_to_dev(md)->name, &n->nbma, &proto);
	WRITE_ONCE(n->proto, proto);
	return true;
}

/*
 * Client: a registration reply.  Taken only from the NHS we sent the
 * request to (its NBMA address) with the request's (random) id: a reply
 * from anyone else, or with another id, is counted as unmatched and
 * changes nothing (the NHS state, code 14 recovery).
 */
void mgre_nhrp_reg_reply(struct mgre_device *md,
			 const struct mgre_nhrp_cfg *cfg,
			 const struct nhrp_pkt *p, __be32 outer_src)
{
	struct mgre_nhs_list *list = &md->nhs;
	__be32 nhs = mgre_get4(p->dst_proto, p->dst_proto_len);
	u8 code = p->mand_cies ? p->cie[0].code : NHRP_CODE_SUCCESS;
	__be32 purge_proto = 0, purge_nbma = 0, learned = 0;
	struct mgre_nhs *n;
	bool matched = false, kick = false, purge = false;

	spin_lock_bh(&list->lock);
	list_for_each_entry(n, &list->list, node) {
		if (!n->awaiting || n->reqid != p->reqid ||
		    mgre_nhs_nbma(md, n) != outer_src)
			continue;
		matched = true;
		n->awaiting = false;
		WRITE_ONCE(n->repl_recv, n->repl_recv + 1);
		/* (0 is "none": a reply at jiffies 0 says 1) */
		WRITE_ONCE(n->last_reply, jiffies ?: 1);
		/*
		 * (from any answer to our request, a refusal too: a code-14
		 * recovery purges there; before the "up" event, which names
		 * it)
		 */
		if (n->dynamic && mgre_nhs_learn(md, n, nhs))
			learned = nhs;
		if (code == NHRP_CODE_SUCCESS) {
			/* Keepalives say its data plane is down: not yet. */
			if (n->state != MGRE_NHS_RESPONDING && !n->ka_down)
				kick = true;
			/* (down: the keepalives' line said so) */
			mgre_nhs_set_state(md, n, n->ka_down ? MGRE_NHS_DOWN :
					   MGRE_NHS_RESPONDING, 0, 0,
					   n->ka_down ? NULL : "up");
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
			WRITE_ONCE(n->req_failed, n->req_failed + 1);
			mgre_nhs_set_state(md, n, n->ka_down ? MGRE_NHS_DOWN :
					   MGRE_NHS_EXPECTING, code, 0, NULL);
			n->next_send = jiffies + HZ;
			purge = true;
			/* (0: a dynamic NHS that did not say its address) */
			purge_proto = n->proto;
			purge_nbma = READ_ONCE(n->nbma);
		} else {
			mgre_nhs_refused(md, cfg, n, code, 0);
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
		__be32 self = mgre_get4(p->src_proto, p->src_proto_len);
		__be32 nbma = mgre_get4(p->src_nbma, NHRP_TL_LEN(p->shtl));
		__be32 seen = mgre_nat_nbma(p, self, nbma);
		bool nat = seen != nbma;

		if (READ_ONCE(md->nhrp.behind_nat) != nat)
			net_info_ratelimited("%s: %s NAT (NHS sees us as %pI4)\n",
					     mgre_to_dev(md)->name,
					     nat ? "behind" : "not behind", &seen);
		WRITE_ONCE(md->nhrp.behind_nat, nat);
	}
	/* (what the cache bound it to elsewhere is stale: the hub moved) */
	if (learned)
		mgre_cache_forget_moved(&md->cache, learned, outer_src);
	/* A first answer: the work updates the carrier ("if-state nhrp"). */
	if (kick && cfg->if_state)
		mgre_nhrp_kick(md);
	if (purge) {
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
	} else if (code != NHRP_CODE_SUCCESS && !purge) {
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
void mgre_nhrp_reg_req(struct mgre_device *md,
		       const struct mgre_nhrp_cfg *cfg,
		       const struct nhrp_pkt *q, __be32 outer_src)
{
	__be32 src_proto = mgre_get4(q->src_proto, q->src_proto_len);
	__be32 src_nbma = mgre_get4(q->src_nbma, NHRP_TL_LEN(q->shtl));
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
		mgre_event_reg_refused(md, src_proto, outer_src, code);
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

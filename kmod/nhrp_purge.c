// SPDX-License-Identifier: GPL-2.0
/*
 * Purge (RFC 2332 5.2.5, 5.2.6): we purge our registrations at the NHSes
 * going down; a purge we receive removes a binding only when it comes
 * from the binding's owner.
 */

#include <linux/slab.h>

#include "nhrp_int.h"

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

void mgre_nhrp_purge_req(struct mgre_device *md,
			 const struct nhrp_pkt *q, __be32 outer_src)
{
	__be32 src_proto = mgre_get4(q->src_proto, q->src_proto_len);
	struct mgre_msg *m;
	int i;

	/*
	 * A client may purge its own bindings: those bound to the address
	 * the purge comes from.  Not a binding it names by an NBMA address
	 * written in the packet (a NAT'd spoke's private one, say): anybody
	 * can write that.
	 */
	for (i = 0; i < q->mand_cies; i++) {
		__be32 proto = mgre_get4(q->cie[i].proto, q->cie[i].proto_len);

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

void mgre_nhrp_send_purge(struct mgre_device *md,
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
	/* (a dynamic NHS not yet heard from: to ourselves, as registrations) */
	mgre_msg_addrs(m, nbma, proto, nhs_proto ?: proto);
	m->p.flags = NHRP_FLAG_PURGE_N;
	m->p.reqid = mgre_reqid_new();
	mgre_msg_cie(m, NULL, 0, nbma, proto, 0, 0);
	mgre_msg_request_exts(m, cfg);
	mgre_nhrp_xmit(md, m, nhs_nbma);
	kfree(m);
}

/* Purge our registration at NHS @id, or at all NHSes if NULL. */
void mgre_nhrp_purge_nhs(struct mgre_device *md, const struct mgre_nhs_id *id)
{
	struct mgre_nhrp_cfg cfg;
	struct mgre_nhs *n;

	mgre_nhrp_get_cfg(md, &cfg);
	if (!cfg.network_id)
		return;
	rcu_read_lock();
	list_for_each_entry_rcu(n, &md->nhs.list, node) {
		__be32 nbma;

		if (id && !mgre_nhs_match(n, id))
			continue;
		if (READ_ONCE(n->state) != MGRE_NHS_RESPONDING)
			continue;
		nbma = mgre_nhs_nbma(md, n);
		if (nbma)
			mgre_nhrp_send_purge(md, &cfg, READ_ONCE(n->proto),
					     nbma);
	}
	rcu_read_unlock();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Purge (RFC 2332 5.2.5, 5.2.6): we purge our registrations at the NHSes
 * going down, and (phase 3) ourselves at the peers that resolved us, so
 * that their shortcuts to our LANs go; a purge we receive removes a
 * binding, and the shortcuts that lead to it, only when it comes from
 * the binding's owner.
 */

#include <linux/slab.h>

#include "nhrp_int.h"

/*
 * @via at @nbma purged itself: queue the removal of the shortcuts that
 * lead to it for the work (it walks the cache).
 */
static void mgre_nhrp_purged(struct mgre_device *md, __be32 via, __be32 nbma)
{
	struct mgre_nhrp *nhrp = &md->nhrp;
	bool queued = false;

	if (!READ_ONCE(md->cache.shortcuts))
		return;
	spin_lock_bh(&nhrp->lock);
	if (nhrp->npurged < MGRE_PURGED_MAX) {
		nhrp->purged[nhrp->npurged][0] = via;
		nhrp->purged[nhrp->npurged][1] = nbma;
		nhrp->npurged++;
		queued = true;
	}
	spin_unlock_bh(&nhrp->lock);
	if (queued)
		mgre_nhrp_kick(md);
}

/* The work: remove the shortcuts to the peers that purged themselves. */
void mgre_nhrp_purged_work(struct mgre_device *md)
{
	struct mgre_nhrp *nhrp = &md->nhrp;
	__be32 purged[MGRE_PURGED_MAX][2];
	unsigned int i, n;

	spin_lock_bh(&nhrp->lock);
	n = nhrp->npurged;
	memcpy(purged, nhrp->purged, n * sizeof(purged[0]));
	nhrp->npurged = 0;
	spin_unlock_bh(&nhrp->lock);
	for (i = 0; i < n; i++)
		mgre_cache_forget_via(&md->cache, purged[i][0], purged[i][1]);
}

/* A purge from @outer names @proto: only its owner may remove it. */
static void mgre_nhrp_forget(struct mgre_device *md, __be32 proto,
			     __be32 outer)
{
	mgre_nhrp_purged(md, proto, outer);
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

/*
 * Going down, an egress (phase 3) purges itself at the peers it holds
 * resolved bindings of (they may hold shortcuts to its LANs; IOS purges
 * the requesters it answered), at most MGRE_PURGE_PEERS_MAX of them: the
 * others' shortcuts expire.  No reply is asked for.
 */
void mgre_nhrp_purge_peers(struct mgre_device *md)
{
	struct mgre_nhrp_cfg cfg;
	unsigned int i, n;
	__be32 *nbma;

	mgre_nhrp_get_cfg(md, &cfg);
	if (!cfg.network_id || !(READ_ONCE(md->nhrp.shortcut) ||
				 READ_ONCE(md->nhrp.redirect)))
		return;
	nbma = kmalloc_array(MGRE_PURGE_PEERS_MAX, sizeof(*nbma), GFP_KERNEL);
	if (!nbma)
		return;
	n = mgre_cache_resolved_peers(&md->cache, nbma, MGRE_PURGE_PEERS_MAX);
	for (i = 0; i < n; i++)
		mgre_nhrp_send_purge(md, &cfg, 0, nbma[i]);
	kfree(nbma);
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

// SPDX-License-Identifier: GPL-2.0
/*
 * Per-peer route cache.  See peer.h.
 */

#include <linux/jiffies.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "peer.h"

static const struct rhashtable_params mgre_peer_params = {
	.key_len		= sizeof(__be32),
	.key_offset		= offsetof(struct mgre_peer, nbma),
	.head_offset		= offsetof(struct mgre_peer, node),
	.automatic_shrinking	= true,
};

int mgre_peers_init(struct mgre_peers *peers)
{
	peers->last_gc = jiffies;
	return rhashtable_init(&peers->ht, &mgre_peer_params);
}

static void mgre_peer_free(struct mgre_peer *p)
{
	dst_cache_destroy(&p->dst_cache);
	kfree(p);
}

static void mgre_peer_free_rcu(struct rcu_head *rcu)
{
	mgre_peer_free(container_of(rcu, struct mgre_peer, rcu));
}

static void mgre_peer_free_one(void *ptr, void *arg)
{
	mgre_peer_free(ptr);
}

void mgre_peers_destroy(struct mgre_peers *peers)
{
	rhashtable_free_and_destroy(&peers->ht, mgre_peer_free_one, NULL);
}

/* A new peer for @nbma (*@made), or the one another CPU added first. */
static struct mgre_peer *mgre_peer_new(struct mgre_peers *peers, __be32 nbma,
				       bool *made)
{
	struct mgre_peer *p, *old;

	if (mgre_peers_count(peers) >= MGRE_PEER_MAX)
		return NULL;
	p = kzalloc(sizeof(*p), GFP_ATOMIC);
	if (!p)
		return NULL;
	if (dst_cache_init(&p->dst_cache, GFP_ATOMIC)) {
		kfree(p);
		return NULL;
	}
	p->nbma = nbma;
	p->used = jiffies;
	old = rhashtable_lookup_get_insert_fast(&peers->ht, &p->node,
						mgre_peer_params);
	if (!old) {
		*made = true;
		return p;
	}
	mgre_peer_free(p);
	return IS_ERR(old) ? NULL : old;
}

struct dst_cache *mgre_peer_dst_cache(struct mgre_peers *peers, __be32 nbma,
				      bool create, bool *made)
{
	unsigned long now = jiffies;
	struct mgre_peer *p;

	p = rhashtable_lookup(&peers->ht, &nbma, mgre_peer_params);
	if (!p && create)
		p = mgre_peer_new(peers, nbma, made);
	if (!p)
		return NULL;
	/* (only data keeps a peer: see peer.h) */
	if (create && READ_ONCE(p->used) != now)
		WRITE_ONCE(p->used, now);
	return &p->dst_cache;
}

/* Call @fn on every peer; it returns true to remove it.  Returns the
 * peers removed.
 */
static unsigned int mgre_peers_walk(struct mgre_peers *peers,
				    bool (*fn)(struct mgre_peer *p,
					       unsigned long now))
{
	unsigned long now = jiffies;
	struct rhashtable_iter iter;
	struct mgre_peer *p;
	unsigned int n = 0;

	rhashtable_walk_enter(&peers->ht, &iter);
	rhashtable_walk_start(&iter);
	while ((p = rhashtable_walk_next(&iter))) {
		if (IS_ERR(p))
			continue;
		/* (only the NHRP work and RTNL remove: no double removal) */
		if (fn(p, now) &&
		    !rhashtable_remove_fast(&peers->ht, &p->node,
					    mgre_peer_params)) {
			call_rcu(&p->rcu, mgre_peer_free_rcu);
			n++;
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return n;
}

static bool mgre_peer_reset(struct mgre_peer *p, unsigned long now)
{
	dst_cache_reset(&p->dst_cache);
	return false;
}

void mgre_peers_reset(struct mgre_peers *peers)
{
	ASSERT_RTNL();
	if (mgre_peers_count(peers))
		mgre_peers_walk(peers, mgre_peer_reset);
}

static bool mgre_peer_idle(struct mgre_peer *p, unsigned long now)
{
	return time_after(now, READ_ONCE(p->used) + MGRE_PEER_IDLE);
}

unsigned int mgre_peers_gc(struct mgre_peers *peers)
{
	/* Every few seconds: a peer lives MGRE_PEER_IDLE at least anyway. */
	if (!mgre_peers_count(peers) ||
	    time_before(jiffies, peers->last_gc + MGRE_PEER_IDLE / 4))
		return 0;
	peers->last_gc = jiffies;
	return mgre_peers_walk(peers, mgre_peer_idle);
}

#ifdef MGRE_SELFTEST
/*
 * In-module selftest (the debug kernel's build, at module load): a peer
 * is made only by data, found again, reset, and reclaimed once idle.
 */
bool __init mgre_peers_selftest(void)
{
	__be32 a = htonl(0xc0000201), b = htonl(0xc0000202);
	struct mgre_peers *peers;
	struct mgre_peer *p;
	struct dst_cache *c;
	unsigned int step = 0;
	bool ok = false, made = false;

	peers = kzalloc(sizeof(*peers), GFP_KERNEL);
	if (!peers || mgre_peers_init(peers)) {
		kfree(peers);
		return false;
	}
	rcu_read_lock();
	/* NHRP to an address with no peer makes none. */
	++step;
	if (mgre_peer_dst_cache(peers, a, false, &made) ||
	    mgre_peers_count(peers) || made)
		goto out;
	/* Data does, once. */
	++step;
	c = mgre_peer_dst_cache(peers, a, true, &made);
	if (!c || !made || mgre_peer_dst_cache(peers, a, true, &made) != c ||
	    mgre_peer_dst_cache(peers, a, false, &made) != c ||
	    !mgre_peer_dst_cache(peers, b, true, &made) ||
	    mgre_peers_count(peers) != 2)
		goto out;
	rcu_read_unlock();
	/* Idle a is reclaimed, b (used now) is not; gc runs at most every
	 * MGRE_PEER_IDLE / 4.
	 */
	++step;
	rcu_read_lock();
	p = rhashtable_lookup(&peers->ht, &a, mgre_peer_params);
	if (p)
		p->used -= MGRE_PEER_IDLE + 1;
	rcu_read_unlock();
	mgre_peers_gc(peers);
	if (!p || mgre_peers_count(peers) != 2)
		goto out_unlocked;
	peers->last_gc -= MGRE_PEER_IDLE;
	if (mgre_peers_gc(peers) != 1)
		goto out_unlocked;
	rcu_barrier();
	rcu_read_lock();
	if (mgre_peers_count(peers) != 1 ||
	    mgre_peer_dst_cache(peers, a, false, &made) ||
	    !mgre_peer_dst_cache(peers, b, false, &made))
		goto out;
	rcu_read_unlock();
	/* A reset keeps the peers. */
	++step;
	rtnl_lock();
	mgre_peers_reset(peers);
	rtnl_unlock();
	if (mgre_peers_count(peers) != 1)
		goto out_unlocked;
	ok = true;
	goto out_unlocked;
out:
	rcu_read_unlock();
out_unlocked:
	rcu_barrier();	/* (peers reclaimed above: their callbacks) */
	mgre_peers_destroy(peers);
	kfree(peers);
	if (ok)
		pr_info("mgre: peer selftest: pass\n");
	else
		pr_err("mgre: peer selftest: step %u failed\n", step);
	return ok;
}
#endif

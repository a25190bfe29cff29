// SPDX-License-Identifier: GPL-2.0
/*
 * The multicast map and in-kernel replication.  See multicast.h.
 */

#include <linux/slab.h>
#include <uapi/mgre.h>

#include "device.h"
#include "xmit.h"

static const struct rhashtable_params mgre_mcast_params = {
	.key_len		= sizeof(__be32),
	.key_offset		= offsetof(struct mgre_mcast, nbma),
	.head_offset		= offsetof(struct mgre_mcast, hnode),
	.automatic_shrinking	= true,
};

/* Map entries come from their own slab cache: 56 bytes, not 64. */
static struct kmem_cache *mgre_mcast_cache __read_mostly;

int __init mgre_mcast_mod_init(void)
{
	mgre_mcast_cache = KMEM_CACHE(mgre_mcast, 0);
	return mgre_mcast_cache ? 0 : -ENOMEM;
}

/* After rcu_barrier(): see mgre_mcast_release(). */
void mgre_mcast_mod_exit(void)
{
	kmem_cache_destroy(mgre_mcast_cache);
}

static void mgre_mcast_free_cb(struct rcu_head *rcu)
{
	kmem_cache_free(mgre_mcast_cache,
			container_of(rcu, struct mgre_mcast, rcu));
}

int mgre_mcast_init(struct mgre_mcast_map *map)
{
	INIT_LIST_HEAD(&map->list);
	spin_lock_init(&map->lock);
	map->count = 0;
	map->dynamic_count = 0;
	map->dynamic_max = MGRE_MCAST_DYNAMIC_MAX_DEFAULT;
	map->per_nbma_max = MGRE_PER_NBMA_MAX_DEFAULT;
	map->dynamic = false;
	return rhashtable_init(&map->ht, &mgre_mcast_params);
}

/* No readers or writers are left (see mgre_dev_free()). */
void mgre_mcast_destroy(struct mgre_mcast_map *map)
{
	struct mgre_mcast *m, *tmp;

	list_for_each_entry_safe(m, tmp, &map->list, node) {
		list_del(&m->node);
		kmem_cache_free(mgre_mcast_cache, m);
	}
	map->count = 0;
	map->dynamic_count = 0;
	rhashtable_destroy(&map->ht);
}

static struct mgre_mcast *mgre_mcast_find(struct mgre_mcast_map *map,
					  __be32 nbma)
{
	lockdep_assert_held(&map->lock);
	return rhashtable_lookup_fast(&map->ht, &nbma, mgre_mcast_params);
}

static struct mgre_mcast *mgre_mcast_new(struct mgre_mcast_map *map,
					 __be32 nbma)
{
	struct mgre_mcast *m;

	lockdep_assert_held(&map->lock);
	if (map->count >= MGRE_MCAST_MAX)
		return NULL;
	m = kmem_cache_zalloc(mgre_mcast_cache, GFP_ATOMIC);
	if (!m)
		return NULL;
	m->nbma = nbma;
	if (rhashtable_insert_fast(&map->ht, &m->hnode, mgre_mcast_params)) {
		kmem_cache_free(mgre_mcast_cache, m);
		return NULL;
	}
	list_add_tail_rcu(&m->node, &map->list);
	map->count++;
	return m;
}

/* @m is neither static nor used by a registration any more: remove it. */
static void mgre_mcast_release(struct mgre_mcast_map *map,
			       struct mgre_mcast *m)
{
	lockdep_assert_held(&map->lock);
	if (m->is_static || m->refs)
		return;
	rhashtable_remove_fast(&map->ht, &m->hnode, mgre_mcast_params);
	list_del_rcu(&m->node);
	map->count--;
	/* (not kfree_rcu(): rcu_barrier() must wait for it at unload) */
	call_rcu(&m->rcu, mgre_mcast_free_cb);
}

int mgre_mcast_add(struct mgre_mcast_map *map, __be32 nbma,
		   struct netlink_ext_ack *extack)
{
	struct mgre_mcast *m;
	int ret = 0;

	spin_lock_bh(&map->lock);
	m = mgre_mcast_find(map, nbma);
	if (m && m->is_static) {
		NL_SET_ERR_MSG(extack, "this NBMA address is already in the multicast map");
		ret = -EEXIST;
	} else {
		if (m)
			/* (registrations use it: it was a dynamic one) */
			map->dynamic_count--;
		else
			m = mgre_mcast_new(map, nbma);
		if (m) {
			WRITE_ONCE(m->is_static, true);
		} else {
			NL_SET_ERR_MSG(extack, "the multicast map is full");
			ret = -ENOSPC;
		}
	}
	spin_unlock_bh(&map->lock);
	return ret;
}

int mgre_mcast_del(struct mgre_mcast_map *map, __be32 nbma,
		   struct netlink_ext_ack *extack)
{
	struct mgre_mcast *m;
	int ret = 0;

	spin_lock_bh(&map->lock);
	m = mgre_mcast_find(map, nbma);
	if (!m || !m->is_static) {
		NL_SET_ERR_MSG(extack, "this NBMA address is not in the multicast map");
		ret = -ENOENT;
	} else {
		WRITE_ONCE(m->is_static, false);
		/* Registrations still use it: it stays, as a dynamic one. */
		if (m->refs)
			map->dynamic_count++;
		mgre_mcast_release(map, m);
	}
	spin_unlock_bh(&map->lock);
	return ret;
}

/*
 * A registration (a dynamic cache entry, under the cache lock) is to use
 * @nbma: take a reference on it, within the limits.  An address holds at
 * most per_nbma_max registrations; registrations may add at most
 * dynamic_max addresses (besides the static ones), so that spoofed
 * registrations cannot turn the map into a list of victims to copy
 * multicast to.  Returns 0, -EDQUOT (the address holds its share),
 * -ENOBUFS (no room for another address) or -ENOMEM.
 */
int mgre_mcast_get(struct mgre_mcast_map *map, __be32 nbma)
{
	struct mgre_mcast *m;
	int ret = 0;

	spin_lock_bh(&map->lock);
	m = mgre_mcast_find(map, nbma);
	if (m) {
		if (m->refs >= READ_ONCE(map->per_nbma_max))
			ret = -EDQUOT;
	} else if (map->dynamic_count >= READ_ONCE(map->dynamic_max) ||
		   map->count >= MGRE_MCAST_MAX) {
		ret = -ENOBUFS;
	} else {
		m = mgre_mcast_new(map, nbma);
		if (m)
			map->dynamic_count++;
		else
			ret = -ENOMEM;
	}
	if (!ret)
		WRITE_ONCE(m->refs, m->refs + 1);
	spin_unlock_bh(&map->lock);
	return ret;
}

/* A registration of @nbma went away. */
void mgre_mcast_put(struct mgre_mcast_map *map, __be32 nbma)
{
	struct mgre_mcast *m;

	spin_lock_bh(&map->lock);
	m = mgre_mcast_find(map, nbma);
	if (m && m->refs) {
		WRITE_ONCE(m->refs, m->refs - 1);
		if (!m->refs && !m->is_static)
			map->dynamic_count--;
		mgre_mcast_release(map, m);
	}
	spin_unlock_bh(&map->lock);
}

int mgre_mcast_set_dynamic(struct mgre_mcast_map *map, bool on,
			   struct netlink_ext_ack *extack)
{
	int ret = 0;

	spin_lock_bh(&map->lock);
	if (map->dynamic && on) {
		NL_SET_ERR_MSG(extack, "multicast dynamic is already set");
		ret = -EEXIST;
	} else if (!map->dynamic && !on) {
		NL_SET_ERR_MSG(extack, "multicast dynamic is not set");
		ret = -ENOENT;
	} else {
		WRITE_ONCE(map->dynamic, on);
	}
	spin_unlock_bh(&map->lock);
	return ret;
}

/*
 * Send one copy of @skb to every NBMA address in the map: clones share the
 * payload; each gets a private header in mgre_xmit_one().  Consumes @skb.
 */
void mgre_mcast_xmit(struct mgre_device *md, struct sk_buff *skb)
{
	struct mgre_mcast *m;
	__be32 prev = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(m, &md->mcast.list, node) {
		struct sk_buff *nskb;

		if (!mgre_mcast_active(&md->mcast, m))
			continue;
		if (!prev) {
			prev = m->nbma;
			continue;
		}
		nskb = skb_clone(skb, GFP_ATOMIC);
		if (!nskb) {
			mgre_xmit_drop(md, NULL, MGRE_STAT_TX_NOMEM);
			continue;
		}
		mgre_stat_inc(md, MGRE_STAT_TX_MCAST_COPIES);
		mgre_xmit_one(md, nskb, prev, true);
		prev = m->nbma;
	}
	rcu_read_unlock();

	if (!prev) {
		mgre_xmit_drop(md, skb, MGRE_STAT_TX_NO_MCAST_MAP);
		return;
	}
	mgre_stat_inc(md, MGRE_STAT_TX_MCAST_COPIES);
	mgre_xmit_one(md, skb, prev, true);
}

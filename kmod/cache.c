// SPDX-License-Identifier: GPL-2.0
/*
 * The NHRP cache.  See cache.h.
 */

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <uapi/mgre.h>

#include "cache.h"

static const struct rhashtable_params mgre_cache_params = {
	.key_len		= sizeof(__be32),
	.key_offset		= offsetof(struct mgre_entry, proto),
	.head_offset		= offsetof(struct mgre_entry, node),
	.automatic_shrinking	= true,
};

int mgre_cache_init(struct mgre_cache *cache)
{
	spin_lock_init(&cache->lock);
	cache->max = MGRE_CACHE_MAX_DEFAULT;
	return rhashtable_init(&cache->ht, &mgre_cache_params);
}

static void mgre_entry_free(void *ptr, void *arg)
{
	kfree(ptr);
}

/* No readers or writers are left (see mgre_dev_free()). */
void mgre_cache_destroy(struct mgre_cache *cache)
{
	rhashtable_free_and_destroy(&cache->ht, mgre_entry_free, NULL);
}

struct mgre_entry *mgre_cache_lookup(struct mgre_cache *cache, __be32 proto)
{
	return rhashtable_lookup(&cache->ht, &proto, mgre_cache_params);
}

static struct mgre_entry *mgre_cache_lookup_locked(struct mgre_cache *cache,
						   __be32 proto)
{
	lockdep_assert_held(&cache->lock);
	return rhashtable_lookup_fast(&cache->ht, &proto, mgre_cache_params);
}

static void mgre_cache_unlink(struct mgre_cache *cache, struct mgre_entry *e)
{
	lockdep_assert_held(&cache->lock);
	rhashtable_remove_fast(&cache->ht, &e->node, mgre_cache_params);
	kfree_rcu(e, rcu);
}

int mgre_cache_add_static(struct mgre_cache *cache, __be32 proto, u8 prefixlen,
			  __be32 nbma, struct netlink_ext_ack *extack)
{
	struct mgre_entry *e, *old;
	int ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->proto = proto;
	e->nbma = nbma;
	e->type = MGRE_ENTRY_STATIC;
	e->prefixlen = prefixlen;
	e->created = jiffies;

	spin_lock_bh(&cache->lock);
	old = mgre_cache_lookup_locked(cache, proto);
	if (old && old->type == MGRE_ENTRY_STATIC) {
		NL_SET_ERR_MSG(extack, "a static entry for this address exists");
		ret = -EEXIST;
		goto err_unlock;
	}
	if (old) {
		/* A static map overrides what NHRP learned. */
		ret = rhashtable_replace_fast(&cache->ht, &old->node, &e->node,
					      mgre_cache_params);
		if (ret)
			goto err_unlock;
		kfree_rcu(old, rcu);
		spin_unlock_bh(&cache->lock);
		return 0;
	}
	if (mgre_cache_count(cache) >= cache->max) {
		NL_SET_ERR_MSG(extack, "the NHRP cache is full");
		ret = -ENOSPC;
		goto err_unlock;
	}
	ret = rhashtable_insert_fast(&cache->ht, &e->node, mgre_cache_params);
	if (ret)
		goto err_unlock;
	spin_unlock_bh(&cache->lock);
	return 0;

err_unlock:
	spin_unlock_bh(&cache->lock);
	kfree(e);
	return ret;
}

int mgre_cache_del_static(struct mgre_cache *cache, __be32 proto,
			  struct netlink_ext_ack *extack)
{
	struct mgre_entry *e;
	int ret = 0;

	spin_lock_bh(&cache->lock);
	e = mgre_cache_lookup_locked(cache, proto);
	if (!e || e->type != MGRE_ENTRY_STATIC) {
		NL_SET_ERR_MSG(extack, "no static entry for this address");
		ret = -ENOENT;
	} else {
		mgre_cache_unlink(cache, e);
	}
	spin_unlock_bh(&cache->lock);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The NHRP cache.  See cache.h.
 */

#include <linux/jiffies.h>
#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <uapi/mgre.h>

#include "cache.h"
#include "events.h"
#include "mgre_trace.h"
#include "multicast.h"
#include "route.h"

static const struct rhashtable_params mgre_cache_params = {
	.key_len		= sizeof(struct mgre_key),
	.key_offset		= offsetof(struct mgre_entry, key),
	.head_offset		= offsetof(struct mgre_entry, node),
	.automatic_shrinking	= true,
};

/*
 * @e changed (@op): the trace event, and the netlink event for "nhrpctl
 * monitor".  @old_type and @old_nbma: before an update.  (No device in
 * the in-module selftest: no netlink event.)
 */
static void mgre_cache_note(const struct mgre_cache *cache,
			    const struct mgre_entry *e, enum mgre_cache_op op,
			    u8 old_type, __be32 old_nbma)
{
	struct net_device *dev = cache->route ? cache->route->dev : NULL;

	trace_mgre_cache(dev, e, op, old_type, old_nbma);
	mgre_event_entry(dev, e, op, old_type, old_nbma);
}

static void mgre_cache_note_op(const struct mgre_cache *cache,
			       const struct mgre_entry *e,
			       enum mgre_cache_op op)
{
	mgre_cache_note(cache, e, op, e->type, e->nbma);
}

static struct mgre_key mgre_key(__be32 proto, u8 prefixlen)
{
	struct mgre_key k = {
		.proto = proto & inet_make_mask(prefixlen),
		.prefixlen = prefixlen,
	};

	return k;
}

/*
 * Entries come from their own slab cache: 104 bytes each instead of the
 * 128 of kmalloc-128 (a hub may hold 262,144 of them).
 */
static struct kmem_cache *mgre_entry_cache __read_mostly;

int __init mgre_cache_mod_init(void)
{
	mgre_entry_cache = KMEM_CACHE(mgre_entry, 0);
	return mgre_entry_cache ? 0 : -ENOMEM;
}

/* After rcu_barrier(): every entry freed by mgre_entry_free_rcu() is back. */
void mgre_cache_mod_exit(void)
{
	kmem_cache_destroy(mgre_entry_cache);
}

static struct mgre_entry *mgre_entry_alloc(gfp_t gfp)
{
	return kmem_cache_zalloc(mgre_entry_cache, gfp);
}

static void mgre_entry_free_now(struct mgre_entry *e)
{
	kmem_cache_free(mgre_entry_cache, e);
}

static void mgre_entry_free_cb(struct rcu_head *rcu)
{
	mgre_entry_free_now(container_of(rcu, struct mgre_entry, rcu));
}

/* (call_rcu(), not kfree_rcu(): rcu_barrier() waits for it, and the
 * module's exit needs that before it destroys the slab cache)
 */
static void mgre_entry_free_rcu(struct mgre_entry *e)
{
	call_rcu(&e->rcu, mgre_entry_free_cb);
}

int mgre_cache_init(struct mgre_cache *cache, struct mgre_mcast_map *mcast,
		    struct mgre_route *route)
{
	unsigned int i;
	int ret;

	spin_lock_init(&cache->lock);
	cache->mcast = mcast;
	cache->route = route;
	cache->max = MGRE_CACHE_MAX_DEFAULT;
	atomic_set(&cache->learned, 0);
	atomic_set(&cache->pending, 0);
	cache->wheel = kvmalloc_array(MGRE_WHEEL_SLOTS, sizeof(*cache->wheel),
				      GFP_KERNEL);
	if (!cache->wheel)
		return -ENOMEM;
	for (i = 0; i < MGRE_WHEEL_SLOTS; i++)
		INIT_LIST_HEAD(&cache->wheel[i]);
	cache->wheel_sec = jiffies / HZ;
	ret = rhashtable_init(&cache->ht, &mgre_cache_params);
	if (ret)
		kvfree(cache->wheel);
	return ret;
}

static void mgre_entry_free(void *ptr, void *arg)
{
	mgre_entry_free_now(ptr);
}

/* Caches whose shortcuts hold a cover (cache->ncovers != 0), all devices'. */
static atomic_t mgre_covering_caches = ATOMIC_INIT(0);

bool mgre_cache_any_cover(void)
{
	return atomic_read(&mgre_covering_caches);
}

/* No readers or writers are left (see mgre_dev_free()). */
void mgre_cache_destroy(struct mgre_cache *cache)
{
	if (cache->ncovers)
		atomic_dec(&mgre_covering_caches);
	rhashtable_free_and_destroy(&cache->ht, mgre_entry_free, NULL);
	kvfree(cache->wheel);
}

static struct mgre_entry *mgre_cache_lookup_key(struct mgre_cache *cache,
						__be32 addr, u8 prefixlen)
{
	struct mgre_key k = mgre_key(addr, prefixlen);

	return rhashtable_lookup(&cache->ht, &k, mgre_cache_params);
}

struct mgre_entry *mgre_cache_lookup(struct mgre_cache *cache, __be32 proto)
{
	return mgre_cache_lookup_key(cache, proto, 32);
}

/*
 * The prefix lengths a longest-prefix lookup tries, longest first: 32,
 * then those in @plens (a copy of cache->plens, consumed).  -1 when done:
 *
 *	for (p = 32; p >= 0; p = mgre_next_plen(&plens))
 */
static int mgre_next_plen(unsigned long *plens)
{
	unsigned int p;

	if (!*plens)
		return -1;
	p = __fls(*plens);
	*plens &= ~BIT(p);
	return p;
}

struct mgre_entry *mgre_cache_lookup_lpm(struct mgre_cache *cache,
					 __be32 addr)
{
	unsigned long plens = READ_ONCE(cache->plens);
	struct mgre_entry *e = NULL;
	int p;

	for (p = 32; p >= 0 && !e; p = mgre_next_plen(&plens))
		e = mgre_cache_lookup_key(cache, addr, p);
	return e;
}

__be32 mgre_cache_shortcut_nbma(struct mgre_cache *cache, __be32 addr)
{
	unsigned long plens = READ_ONCE(cache->plens);
	struct mgre_entry *e;
	__be32 nbma;
	u8 type;
	int p;

	for (p = 32; p >= 0; p = mgre_next_plen(&plens)) {
		e = mgre_cache_lookup_key(cache, addr, p);
		if (!e || !(READ_ONCE(e->flags) & MGRE_F_SHORTCUT))
			continue;
		/* Pairs with smp_store_release() in mgre_entry_update(). */
		type = smp_load_acquire(&e->type);
		nbma = mgre_entry_pending(type) ? 0 : READ_ONCE(e->nbma);
		if (nbma) {
			mgre_entry_touch(e);
			return nbma;
		}
	}
	return 0;
}

static struct mgre_entry *mgre_cache_find_locked(struct mgre_cache *cache,
						 __be32 proto, u8 prefixlen)
{
	struct mgre_key k = mgre_key(proto, prefixlen);

	lockdep_assert_held(&cache->lock);
	return rhashtable_lookup_fast(&cache->ht, &k, mgre_cache_params);
}

static struct mgre_entry *mgre_cache_lookup_locked(struct mgre_cache *cache,
						   __be32 proto)
{
	return mgre_cache_find_locked(cache, proto, 32);
}

static struct mgre_cover *mgre_cover_find(struct mgre_cache *cache,
					  __be32 net, u8 len, u32 tb_id)
{
	struct mgre_cover *c;

	lockdep_assert_held(&cache->lock);
	for (c = cache->covers; c < cache->covers + MGRE_COVERS_MAX; c++)
		if (c->refs && c->net == net && c->len == len &&
		    c->tb_id == tb_id)
			return c;
	return NULL;
}

/* Shortcut @e (its cover known) takes a slot for its cover: false if none
 * is left (it is then not watched).
 */
static bool mgre_cover_get(struct mgre_cache *cache, struct mgre_entry *e)
{
	struct mgre_cover *c = mgre_cover_find(cache, e->cover_net,
					       e->cover_len, e->cover_tb);

	lockdep_assert_held(&cache->lock);
	if (!c) {
		for (c = cache->covers; c->refs; c++)
			if (c == cache->covers + MGRE_COVERS_MAX - 1)
				return false;
		*c = (struct mgre_cover){
			.net = e->cover_net, .len = e->cover_len,
			.tb_id = e->cover_tb,
		};
		if (!cache->ncovers)
			atomic_inc(&mgre_covering_caches);
		WRITE_ONCE(cache->ncovers, cache->ncovers + 1);
		WRITE_ONCE(cache->cover_lens,
			   cache->cover_lens | BIT_ULL(e->cover_len));
	}
	c->refs++;
	e->watched = true;
	return true;
}

/* Shortcut @e lets go of its cover's slot (if it holds it). */
static void mgre_cover_put(struct mgre_cache *cache, struct mgre_entry *e)
{
	struct mgre_cover *c;
	u64 lens = 0;

	lockdep_assert_held(&cache->lock);
	if (!e->watched)
		return;
	e->watched = false;
	c = mgre_cover_find(cache, e->cover_net, e->cover_len, e->cover_tb);
	if (WARN_ON_ONCE(!c) || --c->refs)
		return;
	WRITE_ONCE(cache->ncovers, cache->ncovers - 1);
	if (!cache->ncovers)
		atomic_dec(&mgre_covering_caches);
	for (c = cache->covers; c < cache->covers + MGRE_COVERS_MAX; c++)
		if (c->refs)
			lens |= BIT_ULL(c->len);
	WRITE_ONCE(cache->cover_lens, lens);
}

/* @e joins (@n = 1) or leaves (-1) the table: the prefix, shortcut and
 * cover counts.
 */
static void mgre_cache_count_entry(struct mgre_cache *cache,
				   struct mgre_entry *e, int n)
{
	u8 p = mgre_entry_plen(e);

	lockdep_assert_held(&cache->lock);
	if (p < 32) {
		cache->plen_count[p] += n;
		WRITE_ONCE(cache->plens, cache->plen_count[p] ?
			   cache->plens | BIT(p) : cache->plens & ~BIT(p));
	}
	if (e->flags & MGRE_F_SHORTCUT)
		WRITE_ONCE(cache->shortcuts, cache->shortcuts + n);
	if (n > 0 && e->cover_known)
		mgre_cover_get(cache, e);
	else if (n < 0)
		mgre_cover_put(cache, e);
}

static int mgre_cache_hash_insert(struct mgre_cache *cache,
				  struct mgre_entry *e)
{
	int ret = rhashtable_insert_fast(&cache->ht, &e->node,
					 mgre_cache_params);

	if (!ret)
		mgre_cache_count_entry(cache, e, 1);
	return ret;
}

/*
 * Entry @e goes from (@old_type, @old_nbma) to (@type, @nbma); STATIC with
 * NBMA 0 stands for "no learned entry" on either side.  A registration's
 * NBMA address is in use by the multicast map (the caller took the new
 * reference, with mgre_mcast_get(), because it may be refused; the old one
 * is dropped here); registered and resolved peers have a host route with
 * "route-inject", resolved shortcuts a route to their prefix through
 * their next hop (@e->via, set before).
 */
static void mgre_entry_changed(struct mgre_cache *cache, struct mgre_entry *e,
			       u8 old_type, __be32 old_nbma, u8 type,
			       __be32 nbma)
{
	/*
	 * (not a shortcut for exactly the prefix of the route it overrides:
	 * that route is there already, and ours beside it would hide its
	 * going from the FIB watch)
	 */
	bool route = (type == MGRE_ENTRY_DYNAMIC ||
		      type == MGRE_ENTRY_CACHED) &&
		     READ_ONCE(cache->route->enabled) &&
		     !(e->cover_known && e->cover_len == mgre_entry_plen(e) &&
		       e->cover_net == mgre_entry_proto(e));
	__be32 gw = route ? e->via : 0;

	lockdep_assert_held(&cache->lock);
	if (mgre_entry_pending(type) != mgre_entry_pending(old_type))
		atomic_add(mgre_entry_pending(type) ? 1 : -1, &cache->pending);
	/* Another next hop: the route goes, and comes back through it. */
	if (e->routed && (!route || gw != e->routed_gw) &&
	    mgre_route_event(cache->route, mgre_entry_proto(e),
			     mgre_entry_plen(e), 0, false))
		e->routed = false;
	/* (not queued: the next change of the entry tries again) */
	if (route && !e->routed &&
	    mgre_route_event(cache->route, mgre_entry_proto(e),
			     mgre_entry_plen(e), gw, true)) {
		e->routed = true;
		e->routed_gw = gw;
	}
	if (old_type == type && old_nbma == nbma)
		return;
	if (old_type == MGRE_ENTRY_DYNAMIC)
		mgre_mcast_put(cache->mcast, old_nbma);
}

/* When @e next needs the engine. */
static unsigned long mgre_entry_due(const struct mgre_entry *e)
{
	if (e->type == MGRE_ENTRY_INCOMPLETE)
		return e->next_try;	/* the next request, or negative */
	if (e->type == MGRE_ENTRY_CACHED && e->tries < MGRE_RESOLVE_TRIES &&
	    time_before(e->next_try, e->expires))
		return e->next_try;	/* a refresh (if in use) */
	return e->expires;
}

/* File @e in the wheel slot of the second it is due (see cache.h). */
static void mgre_entry_schedule(struct mgre_cache *cache, struct mgre_entry *e)
{
	unsigned long sec;

	lockdep_assert_held(&cache->lock);
	if (!mgre_entry_learned(e->type)) {
		list_del_init(&e->wheel);
		return;
	}
	sec = mgre_entry_due(e) / HZ;
	/* Due already: in the slot the next (or this) pass visits first. */
	if (time_before(sec, cache->wheel_sec))
		sec = cache->wheel_sec;
	list_move_tail(&e->wheel, &cache->wheel[sec % MGRE_WHEEL_SLOTS]);
}

static void mgre_cache_unlink(struct mgre_cache *cache, struct mgre_entry *e,
			      enum mgre_cache_op op)
{
	lockdep_assert_held(&cache->lock);
	mgre_cache_note_op(cache, e, op);
	rhashtable_remove_fast(&cache->ht, &e->node, mgre_cache_params);
	mgre_cache_count_entry(cache, e, -1);
	list_del_init(&e->wheel);
	mgre_entry_changed(cache, e, e->type, e->nbma, MGRE_ENTRY_STATIC, 0);
	mgre_entry_free_rcu(e);
}

int mgre_cache_add_static(struct mgre_cache *cache, __be32 proto, u8 prefixlen,
			  __be32 nbma, struct netlink_ext_ack *extack)
{
	struct mgre_entry *e, *old;
	int ret;

	if (proto & ~inet_make_mask(prefixlen)) {
		NL_SET_ERR_MSG(extack, "the address has bits set beyond its prefix length");
		return -EINVAL;
	}
	e = mgre_entry_alloc(GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->key = mgre_key(proto, prefixlen);
	e->nbma = nbma;
	e->type = MGRE_ENTRY_STATIC;
	e->created = jiffies;
	INIT_LIST_HEAD(&e->wheel);

	spin_lock_bh(&cache->lock);
	old = mgre_cache_find_locked(cache, proto, prefixlen);
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
		/* (in this order: the length stays in the bitmap) */
		mgre_cache_count_entry(cache, e, 1);
		mgre_cache_count_entry(cache, old, -1);
		if (mgre_entry_learned(old->type))
			atomic_dec(&cache->learned);
		mgre_cache_note_op(cache, old, MGRE_CACHE_REPLACE);
		mgre_cache_note_op(cache, e, MGRE_CACHE_ADD);
		list_del_init(&old->wheel);
		mgre_entry_changed(cache, old, old->type, old->nbma,
				   MGRE_ENTRY_STATIC, 0);
		mgre_entry_free_rcu(old);
		spin_unlock_bh(&cache->lock);
		return 0;
	}
	if (mgre_cache_count(cache) >= READ_ONCE(cache->max)) {
		NL_SET_ERR_MSG(extack, "the NHRP cache is full");
		ret = -ENOSPC;
		goto err_unlock;
	}
	ret = mgre_cache_hash_insert(cache, e);
	if (ret)
		goto err_unlock;
	mgre_cache_note_op(cache, e, MGRE_CACHE_ADD);
	spin_unlock_bh(&cache->lock);
	return 0;

err_unlock:
	spin_unlock_bh(&cache->lock);
	mgre_entry_free_now(e);
	return ret;
}

int mgre_cache_del_static(struct mgre_cache *cache, __be32 proto,
			  u8 prefixlen, struct netlink_ext_ack *extack)
{
	struct mgre_entry *e;
	int ret = 0;

	spin_lock_bh(&cache->lock);
	e = mgre_cache_find_locked(cache, proto, prefixlen);
	if (!e || e->type != MGRE_ENTRY_STATIC) {
		NL_SET_ERR_MSG(extack, "no static entry for this address");
		ret = -ENOENT;
	} else {
		mgre_cache_unlink(cache, e, MGRE_CACHE_DEL);
	}
	spin_unlock_bh(&cache->lock);
	return ret;
}

/* Seconds to jiffies from now, saturating; 0 seconds = already expired. */
static unsigned long mgre_expiry(unsigned int secs)
{
	return jiffies + min_t(unsigned long, secs, 1UL << 24) * HZ;
}

/*
 * A binding was (re)learned for @holdtime seconds.  A cached one is
 * resolved again ahead of its expiry if it carries traffic (from 2/3 of
 * its life, as FRR nhrpd; IOS also re-resolves early), so that a shortcut
 * in use never lapses and falls back through the hub.
 */
static void mgre_entry_stamp(struct mgre_entry *e, u8 type,
			     unsigned int holdtime)
{
	unsigned long now = jiffies, expires = mgre_expiry(holdtime);

	e->learned = now;
	WRITE_ONCE(e->expires, expires);
	if (type == MGRE_ENTRY_CACHED) {
		e->next_try = now + (expires - now) / 3 * 2;
		e->tries = 0;
	}
}

static struct mgre_entry *mgre_entry_new(__be32 proto, __be32 nbma, u8 type,
					 u32 flags, unsigned int holdtime)
{
	struct mgre_entry *e = mgre_entry_alloc(GFP_ATOMIC);

	if (!e)
		return NULL;
	e->key = mgre_key(proto, 32);
	e->nbma = nbma;
	e->type = type;
	e->flags = flags;
	e->created = jiffies;
	INIT_LIST_HEAD(&e->wheel);
	mgre_entry_stamp(e, type, holdtime);
	return e;
}

static int mgre_cache_insert(struct mgre_cache *cache, struct mgre_entry *e)
{
	int ret;

	lockdep_assert_held(&cache->lock);
	if (mgre_cache_count(cache) >= READ_ONCE(cache->max)) {
		mgre_entry_free_now(e);
		return -ENOSPC;
	}
	ret = mgre_cache_hash_insert(cache, e);
	if (ret) {
		mgre_entry_free_now(e);
		return ret;
	}
	atomic_inc(&cache->learned);
	mgre_cache_note_op(cache, e, MGRE_CACHE_ADD);
	mgre_entry_changed(cache, e, MGRE_ENTRY_STATIC, 0, e->type, e->nbma);
	mgre_entry_schedule(cache, e);
	return 0;
}

/*
 * Rewrite a learned entry in place.  Readers check the type and then read
 * nbma; a zero nbma is a miss, so publish nbma before the type.
 */
static void mgre_entry_update(struct mgre_cache *cache, struct mgre_entry *e,
			      __be32 nbma, u8 type, u32 flags,
			      unsigned int holdtime)
{
	u8 old_type = e->type;
	__be32 old_nbma = e->nbma;

	/* (first: mgre_entry_changed() routes through the new @via) */
	if (!(flags & MGRE_F_SHORTCUT)) {
		WRITE_ONCE(e->via, 0);
		e->target = 0;
		mgre_cover_put(cache, e);
		e->cover_known = false;
	}
	mgre_entry_changed(cache, e, e->type, e->nbma, type, nbma);
	if ((e->flags ^ flags) & MGRE_F_SHORTCUT)
		WRITE_ONCE(cache->shortcuts, cache->shortcuts +
			   ((flags & MGRE_F_SHORTCUT) ? 1 : -1));
	if (e->type != type)
		e->created = jiffies;
	WRITE_ONCE(e->nbma, nbma);
	WRITE_ONCE(e->flags, flags);
	mgre_entry_stamp(e, type, holdtime);
	/* Pairs with smp_load_acquire() in mgre_xmit_ipv4(). */
	smp_store_release(&e->type, type);
	mgre_entry_schedule(cache, e);
	mgre_cache_note(cache, e, MGRE_CACHE_UPDATE, old_type, old_nbma);
}

/*
 * Learn or refresh a binding from NHRP: @type is MGRE_ENTRY_DYNAMIC (a
 * registration) or MGRE_ENTRY_CACHED (a resolution); @nbma is where we
 * reach the peer (behind NAT, not the address its packet names).  Returns
 * 0, -EEXIST when another NBMA holds a unique registration of @proto,
 * -EPERM when a static or local entry exists (it is kept), -ENOSPC (the
 * cache is full), -EDQUOT or -ENOBUFS (a registration beyond the multicast
 * map's limits, see mgre_mcast_get()) or -ENOMEM.
 */
int mgre_cache_learn(struct mgre_cache *cache, __be32 proto, __be32 nbma,
		     u8 type, u32 flags, unsigned int holdtime)
{
	struct mgre_entry *e;
	bool ref = false;
	int ret = 0;

	spin_lock_bh(&cache->lock);
	e = mgre_cache_lookup_locked(cache, proto);
	if (e && !mgre_entry_learned(e->type)) {
		ret = -EPERM;
		goto out;
	}
	if (e && e->type == MGRE_ENTRY_DYNAMIC && type == MGRE_ENTRY_DYNAMIC &&
	    e->nbma != nbma && (e->flags & MGRE_F_UNIQUE) &&
	    time_before(jiffies, e->expires)) {
		ret = -EEXIST;
		goto out;
	}
	/* A registration is authoritative: keep it. */
	if (e && e->type == MGRE_ENTRY_DYNAMIC && type != MGRE_ENTRY_DYNAMIC)
		goto out;
	if (!e && mgre_cache_count(cache) >= READ_ONCE(cache->max)) {
		ret = -ENOSPC;
		goto out;
	}
	/* A registration holds a reference on its NBMA address, if allowed. */
	if (type == MGRE_ENTRY_DYNAMIC &&
	    !(e && e->type == MGRE_ENTRY_DYNAMIC && e->nbma == nbma)) {
		ret = mgre_mcast_get(cache->mcast, nbma);
		if (ret)
			goto out;
		ref = true;
	}
	if (e) {
		mgre_entry_update(cache, e, nbma, type, flags, holdtime);
		goto out;
	}
	e = mgre_entry_new(proto, nbma, type, flags, holdtime);
	ret = e ? mgre_cache_insert(cache, e) : -ENOMEM;
	if (ret && ref)
		mgre_mcast_put(cache->mcast, nbma);
out:
	spin_unlock_bh(&cache->lock);
	return ret;
}

/*
 * The owner of the address a resolution request asks for learns the
 * requester's binding (@proto at @nbma) from it, as a cached entry, but
 * never over another binding: not over an entry bound to another NBMA
 * address, nor a resolution of @proto in progress (incomplete or negative
 * entry), nor a static, local or dynamic one.  The same binding is
 * refreshed; a new entry is made only with @create (the request came
 * through one of our NHSes, which vouch for the requester).  Returns 0
 * (learned, refreshed, or known already), -EEXIST (another binding or a
 * resolution is kept), -ENOENT (no entry, and not @create), -ENOSPC or
 * -ENOMEM.
 */
int mgre_cache_learn_request(struct mgre_cache *cache, __be32 proto,
			     __be32 nbma, unsigned int holdtime, bool create)
{
	struct mgre_entry *e;
	int ret = 0;

	spin_lock_bh(&cache->lock);
	e = mgre_cache_lookup_locked(cache, proto);
	if (!e) {
		if (create) {
			e = mgre_entry_new(proto, nbma, MGRE_ENTRY_CACHED, 0,
					   holdtime);
			ret = e ? mgre_cache_insert(cache, e) : -ENOMEM;
		} else {
			ret = -ENOENT;
		}
	} else if (e->type == MGRE_ENTRY_INCOMPLETE ||
		   e->type == MGRE_ENTRY_NEGATIVE || e->nbma != nbma) {
		ret = -EEXIST;
	} else if (e->type == MGRE_ENTRY_CACHED) {
		mgre_entry_update(cache, e, nbma, MGRE_ENTRY_CACHED, e->flags,
				  holdtime);
	}
	spin_unlock_bh(&cache->lock);
	return ret;
}

/*
 * Start resolving @proto: add an incomplete entry unless one exists, and
 * unless the resolutions in progress or failed fill their share of the
 * cache (a quarter of cache-max, at most MGRE_PENDING_MAX).  The data
 * path calls it only when its lookup found no entry at all: a packet to
 * a next hop being resolved takes no lock and allocates nothing.
 */
enum mgre_resolve_start mgre_cache_resolve_start(struct mgre_cache *cache,
						 __be32 proto, u32 flags)
{
	u32 limit = min_t(u32, MGRE_PENDING_MAX,
			  max_t(u32, READ_ONCE(cache->max) / 4, 1));
	enum mgre_resolve_start ret = MGRE_RESOLVE_KNOWN;
	struct mgre_entry *e;

	if (atomic_read(&cache->pending) >= limit)
		return MGRE_RESOLVE_LIMITED;
	spin_lock_bh(&cache->lock);
	if (mgre_cache_lookup_locked(cache, proto))
		goto out;
	ret = MGRE_RESOLVE_LIMITED;
	if (atomic_read(&cache->pending) >= limit)
		goto out;
	e = mgre_entry_new(proto, 0, MGRE_ENTRY_INCOMPLETE, flags,
			   MGRE_RESOLVE_HOLD);
	if (!e) {
		ret = MGRE_RESOLVE_NOMEM;
		goto out;
	}
	e->next_try = jiffies;
	if (!mgre_cache_insert(cache, e))	/* (else: cache-max) */
		ret = MGRE_RESOLVE_STARTED;
out:
	spin_unlock_bh(&cache->lock);
	return ret;
}

static void mgre_cache_remove(struct mgre_cache *cache, struct mgre_entry *e,
			      enum mgre_cache_op op)
{
	if (mgre_entry_learned(e->type))
		atomic_dec(&cache->learned);
	mgre_cache_unlink(cache, e, op);
}

/*
 * Forget the learned entry for @proto (a purge from @nbma, its outer
 * source), if it is bound to @nbma: only the owner of a binding, the
 * address it registered or answered from, may purge it; the NBMA
 * addresses written in the purge prove nothing.  Returns 0, -ENOENT (no
 * entry) or -EPERM (another address's binding, a resolution in progress,
 * or a static or local entry: kept).
 */
int mgre_cache_forget(struct mgre_cache *cache, __be32 proto, __be32 nbma)
{
	struct mgre_entry *e;
	int ret = -ENOENT;

	spin_lock_bh(&cache->lock);
	e = mgre_cache_lookup_locked(cache, proto);
	if (e && mgre_entry_learned(e->type) && e->nbma == nbma) {
		mgre_cache_remove(cache, e, MGRE_CACHE_PURGE);
		ret = 0;
	} else if (e) {
		ret = -EPERM;
	}
	spin_unlock_bh(&cache->lock);
	return ret;
}

/*
 * @proto is at @nbma now (a dynamic NHS there answered with it as its
 * address): the learned binding of @proto to another NBMA address is
 * stale (the hub moved) and goes, so that traffic to it resolves again.
 * Resolutions in progress or failed, static and local entries stay.
 */
void mgre_cache_forget_moved(struct mgre_cache *cache, __be32 proto,
			     __be32 nbma)
{
	struct mgre_entry *e;

	spin_lock_bh(&cache->lock);
	e = mgre_cache_lookup_locked(cache, proto);
	if (e && mgre_entry_learned(e->type) && !mgre_entry_pending(e->type) &&
	    e->nbma != nbma)
		mgre_cache_remove(cache, e, MGRE_CACHE_PURGE);
	spin_unlock_bh(&cache->lock);
}

/* The entry being resolved with request id @reqid: @target's own, or a
 * shortcut's (a prefix holding @target) being resolved again.
 */
static struct mgre_entry *mgre_cache_find_reqid(struct mgre_cache *cache,
						__be32 target, u32 reqid)
{
	unsigned long plens = cache->plens;
	struct mgre_entry *e;
	int p;

	lockdep_assert_held(&cache->lock);
	for (p = 32; p >= 0; p = mgre_next_plen(&plens)) {
		e = mgre_cache_find_locked(cache, target, p);
		/* (no request sent yet: no id to answer) */
		if (e && e->tries && e->reqid == reqid &&
		    (e->type == MGRE_ENTRY_INCOMPLETE ||
		     e->type == MGRE_ENTRY_NEGATIVE ||
		     e->type == MGRE_ENTRY_CACHED))
			return e;
	}
	return NULL;
}

/*
 * A shortcut @e takes the route it overrides from @a, if known (a refresh
 * that found our own route keeps the first).  @in_table: @e may hold its
 * cover's slot (a new entry takes it when inserted); one that found none
 * tries again.
 */
static void mgre_entry_cover(struct mgre_cache *cache, struct mgre_entry *e,
			     const struct mgre_answer *a, bool in_table)
{
	__be32 net;

	lockdep_assert_held(&cache->lock);
	if (!a->covered)
		return;
	net = a->target & inet_make_mask(a->cover_len);
	if (!e->cover_known || e->cover_len != a->cover_len ||
	    e->cover_tb != a->cover_tb || e->cover_net != net) {
		if (in_table)
			mgre_cover_put(cache, e);
		e->cover_known = true;
		e->cover_len = a->cover_len;
		e->cover_net = net;
		e->cover_tb = a->cover_tb;
	}
	if (in_table && !e->watched)
		mgre_cover_get(cache, e);
}

/*
 * A resolution reply: install it if it answers our last request (same,
 * random, request id) for an entry still being resolved, or being
 * resolved again ahead of its expiry (the owner's answer may name a new
 * NBMA address: it moved).  A shortcut's answer (@a->via set) may be a
 * prefix: its entry replaces the one that asked, as a shortcut.  Returns
 * 0, -ENOENT (no such request), -EPERM (a static or local entry holds the
 * prefix), -ENOSPC or -ENOMEM.
 */
int mgre_cache_resolved(struct mgre_cache *cache, const struct mgre_answer *a)
{
	struct mgre_entry *e, *old;
	u32 flags = a->flags;
	__be32 via = 0;
	int ret = -ENOENT;
	u8 plen = 32;

	spin_lock_bh(&cache->lock);
	e = mgre_cache_find_reqid(cache, a->target, a->reqid);
	if (!e)
		goto out;
	if (e->flags & MGRE_F_SHORTCUT) {
		/* ("shortcut off" since the request was sent) */
		if (!a->shortcut_ok) {
			ret = -EPERM;
			goto out;
		}
		flags |= MGRE_F_SHORTCUT;
		via = a->via;
		plen = a->prefixlen;
	} else if (a->via != a->target) {
		/* A next hop's answer names the next hop itself. */
		ret = -EPERM;
		goto out;
	}
	ret = 0;
	if (mgre_entry_plen(e) != plen) {
		/* Another prefix: the entry that asked gives way to it. */
		old = mgre_cache_find_locked(cache, a->target, plen);
		if (old && !mgre_entry_learned(old->type)) {
			ret = -EPERM;
			goto out;
		}
		mgre_cache_remove(cache, e, MGRE_CACHE_REPLACE);
		e = old;
		if (!e) {
			e = mgre_entry_new(a->target, a->nbma,
					   MGRE_ENTRY_CACHED, flags,
					   a->holdtime);
			if (!e) {
				ret = -ENOMEM;
				goto out;
			}
			e->key = mgre_key(a->target, plen);
			e->via = via;
			e->target = a->target;
			if (via)
				mgre_entry_cover(cache, e, a, false);
			ret = mgre_cache_insert(cache, e);
			goto out;
		}
	}
	WRITE_ONCE(e->via, via);
	if (via) {
		e->target = a->target;
		mgre_entry_cover(cache, e, a, true);
	}
	mgre_entry_update(cache, e, a->nbma, MGRE_ENTRY_CACHED, flags,
			  a->holdtime);
out:
	spin_unlock_bh(&cache->lock);
	return ret;
}

/*
 * Walk the whole table under the lock; @fn returns true to delete (as
 * @op).  Process context: it sleeps.
 */
static void mgre_cache_walk(struct mgre_cache *cache,
			    bool (*fn)(struct mgre_entry *e, void *arg),
			    void *arg, enum mgre_cache_op op)
{
	struct rhashtable_iter iter;
	unsigned int n = 0;
	struct mgre_entry *e;

	rhashtable_walk_enter(&cache->ht, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e))
			continue;
		spin_lock_bh(&cache->lock);
		/* Skip entries a concurrent writer already removed. */
		if (mgre_cache_find_locked(cache, mgre_entry_proto(e),
					   mgre_entry_plen(e)) == e &&
		    fn(e, arg))
			mgre_cache_remove(cache, e, op);
		spin_unlock_bh(&cache->lock);
		if (!(++n % 256)) {
			/* Large tables: let others run (e is not used again). */
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static bool mgre_flush_one(struct mgre_entry *e, void *arg)
{
	int type = *(int *)arg;

	return mgre_entry_learned(e->type) && (type < 0 || e->type == type);
}

/* Delete learned entries (of @type, or all with @type < 0). */
unsigned int mgre_cache_flush(struct mgre_cache *cache, int type)
{
	unsigned int before = atomic_read(&cache->learned);

	if (before)
		mgre_cache_walk(cache, mgre_flush_one, &type,
				MGRE_CACHE_FLUSH);
	return before - atomic_read(&cache->learned);
}

static bool mgre_route_sync_one(struct mgre_entry *e, void *arg)
{
	mgre_entry_changed(arg, e, e->type, e->nbma, e->type, e->nbma);
	return false;
}

void mgre_cache_route_sync(struct mgre_cache *cache)
{
	mgre_cache_walk(cache, mgre_route_sync_one, cache, MGRE_CACHE_FLUSH);
}

static bool mgre_route_resync_one(struct mgre_entry *e, void *arg)
{
	e->routed = false;
	return mgre_route_sync_one(e, arg);
}

/* The kernel dropped the device's routes (it went down): add them again. */
void mgre_cache_route_resync(struct mgre_cache *cache)
{
	mgre_cache_walk(cache, mgre_route_resync_one, cache, MGRE_CACHE_FLUSH);
}

static bool mgre_forget_via_one(struct mgre_entry *e, void *arg)
{
	const __be32 *via_nbma = arg;

	return (e->flags & MGRE_F_SHORTCUT) && e->via == via_nbma[0] &&
	       e->nbma == via_nbma[1];
}

/*
 * The peer @via at @nbma purged itself: the shortcuts that lead to it go
 * too (shortcuts to it at another NBMA address stay: only the owner of a
 * binding may purge it).  Process context.
 */
void mgre_cache_forget_via(struct mgre_cache *cache, __be32 via, __be32 nbma)
{
	__be32 via_nbma[2] = { via, nbma };

	if (READ_ONCE(cache->shortcuts))
		mgre_cache_walk(cache, mgre_forget_via_one, via_nbma,
				MGRE_CACHE_PURGE);
}

/*
 * The route @net/@len of table @tb_id changed (fib_watch.c): @gone, it
 * was deleted or leads out of another device now; or it leads into the
 * device again.  True when shortcuts override it and it is gone: the
 * caller has the work remove them (mgre_cache_covers_gone()).  Any
 * context.
 */
bool mgre_cache_cover_event(struct mgre_cache *cache, __be32 net, u8 len,
			    u32 tb_id, bool gone)
{
	struct mgre_cover *c;
	bool ret = false;

	if (!(READ_ONCE(cache->cover_lens) & BIT_ULL(len)))
		return false;
	spin_lock_bh(&cache->lock);
	c = mgre_cover_find(cache, net, len, tb_id);
	if (c) {
		c->gone = gone;
		if (gone)
			WRITE_ONCE(cache->covers_gone, true);
		ret = gone;
	}
	spin_unlock_bh(&cache->lock);
	return ret;
}

struct mgre_gone {
	struct mgre_cache *cache;
	unsigned int removed;
};

/* (the walk holds the lock: the slot's gone flag is read under it) */
static bool mgre_gone_one(struct mgre_entry *e, void *arg)
{
	struct mgre_gone *g = arg;
	const struct mgre_cover *c;

	if (!e->watched)
		return false;
	c = mgre_cover_find(g->cache, e->cover_net, e->cover_len,
			    e->cover_tb);
	if (!c || !c->gone)
		return false;
	g->removed++;
	return true;
}

/*
 * The shortcuts whose cover is gone go too, with their routes: traffic
 * follows the routing table again (IOS removes its NHRP routes so); the
 * cover's slot goes with its last shortcut.  Returns how many went.
 * Process context.
 */
unsigned int mgre_cache_covers_gone(struct mgre_cache *cache)
{
	struct mgre_gone g = { .cache = cache };

	if (!READ_ONCE(cache->covers_gone))
		return 0;
	spin_lock_bh(&cache->lock);
	WRITE_ONCE(cache->covers_gone, false);
	spin_unlock_bh(&cache->lock);
	mgre_cache_walk(cache, mgre_gone_one, &g, MGRE_CACHE_PURGE);
	return g.removed;
}

static bool mgre_shortcut_one(struct mgre_entry *e, void *arg)
{
	return e->flags & MGRE_F_SHORTCUT;
}

/*
 * "shortcut off": the shortcuts go (and their routes), resolved or being
 * resolved; traffic follows the routing table again.  Process context.
 */
void mgre_cache_flush_shortcuts(struct mgre_cache *cache)
{
	if (READ_ONCE(cache->shortcuts))
		mgre_cache_walk(cache, mgre_shortcut_one, NULL,
				MGRE_CACHE_FLUSH);
}

struct mgre_peer_list {
	__be32 *nbma;
	unsigned int n, max;
};

static bool mgre_resolved_peer_one(struct mgre_entry *e, void *arg)
{
	struct mgre_peer_list *l = arg;
	unsigned int i;

	if (e->type != MGRE_ENTRY_CACHED || (e->flags & MGRE_F_SHORTCUT))
		return false;
	for (i = 0; i < l->n; i++)
		if (l->nbma[i] == e->nbma)
			return false;
	if (l->n < l->max)
		l->nbma[l->n++] = e->nbma;
	return false;
}

/*
 * Up to @max distinct NBMA addresses of the peers we hold resolved
 * bindings of (they resolved us, or we them), into @nbma.  Process
 * context.
 */
unsigned int mgre_cache_resolved_peers(struct mgre_cache *cache,
				       __be32 *nbma, unsigned int max)
{
	struct mgre_peer_list l = { .nbma = nbma, .max = max };

	mgre_cache_walk(cache, mgre_resolved_peer_one, &l, MGRE_CACHE_FLUSH);
	return l.n;
}

/*
 * Queue a resolution request for @e (the first one, or a retransmission).
 * False if the batch is full: @e waits for the next pass.
 */
static bool mgre_gc_resolve(struct mgre_entry *e, struct mgre_gc_result *res,
			    unsigned long now)
{
	if (res->nresolve >= MGRE_GC_BATCH)
		return false;
	/*
	 * A new id for a new resolution; a retransmission keeps it (RFC 2332
	 * 5.2.0.1), so a late reply to the first request still matches.
	 */
	if (!e->tries)
		e->reqid = mgre_reqid_new();
	res->reqid[res->nresolve] = e->reqid;
	/* (a shortcut: the address it was resolved for, as the first time) */
	res->resolve[res->nresolve++] = e->target ?: mgre_entry_proto(e);
	e->next_try = now + HZ * min_t(unsigned int, 1U << e->tries,
				       MGRE_RESOLVE_RETRY_MAX);
	e->tries++;
	return true;
}

/*
 * @e is due: expire it, send its next resolution request, turn it
 * negative, or look again later.  Returns -1 to remove it, 0 when done
 * (it is filed again), 1 when the batch of requests is full.
 */
static int mgre_gc_one(struct mgre_cache *cache, struct mgre_entry *e,
		       struct mgre_gc_result *res, unsigned long now)
{
	unsigned long used;

	if (time_after_eq(now, e->expires))
		return -1;
	if (e->type == MGRE_ENTRY_INCOMPLETE) {
		if (e->tries >= MGRE_RESOLVE_TRIES) {
			/* Give up for a while: negative entry. */
			WRITE_ONCE(e->type, MGRE_ENTRY_NEGATIVE);
			WRITE_ONCE(e->expires, mgre_expiry(MGRE_NEGATIVE_HOLD));
			mgre_cache_note(cache, e, MGRE_CACHE_NEGATIVE,
					MGRE_ENTRY_INCOMPLETE, 0);
		} else if (!mgre_gc_resolve(e, res, now)) {
			return 1;
		}
	} else if (e->type == MGRE_ENTRY_CACHED &&
		   e->tries < MGRE_RESOLVE_TRIES) {
		/*
		 * Due for a refresh: only if it carried traffic since it was
		 * learned.  If not (yet), look again after a quarter of its
		 * remaining life: a few looks, not one a second.
		 */
		used = READ_ONCE(e->used);
		if (used && time_after_eq(used, e->learned)) {
			if (!mgre_gc_resolve(e, res, now))
				return 1;
		} else {
			e->next_try = now + max_t(unsigned long, HZ,
						  (e->expires - now) / 4);
		}
	}
	mgre_entry_schedule(cache, e);
	return 0;
}

/*
 * Visit one slot of the wheel: handle the entries due by @now, keep the
 * others (later turns).  Returns false when the batch of requests filled
 * up (the rest of the slot waits for the next pass).  Drops the lock now
 * and then on a large slot.
 */
static bool mgre_gc_slot(struct mgre_cache *cache, struct list_head *slot,
			 struct mgre_gc_result *res, unsigned long now)
{
	struct mgre_entry *e;
	unsigned int n = 0;
	bool more = true;
	LIST_HEAD(keep);
	int ret;

	lockdep_assert_held(&cache->lock);
	while ((e = list_first_entry_or_null(slot, struct mgre_entry,
					     wheel))) {
		res->visited++;
		/* (due derives from fields only changed with a refile) */
		if (time_after(mgre_entry_due(e), now)) {
			list_move_tail(&e->wheel, &keep);
			continue;
		}
		ret = mgre_gc_one(cache, e, res, now);
		if (ret > 0) {
			more = false;
			break;
		}
		if (ret < 0)
			mgre_cache_remove(cache, e, MGRE_CACHE_EXPIRE);
		if (!(++n % 64)) {
			/* (entries on keep may be refiled meanwhile: fine) */
			spin_unlock_bh(&cache->lock);
			cond_resched();
			spin_lock_bh(&cache->lock);
		}
	}
	list_splice(&keep, slot);
	return more;
}

/*
 * Expire learned entries and collect the resolutions to (re)send: visit
 * the wheel's slots of the seconds since the last pass (all of them,
 * once, after a long pause).  The cost is the entries due plus those of
 * later turns in the same slots (1/MGRE_WHEEL_SLOTS of the rest), not a
 * walk of the table.
 */
static void mgre_cache_gc_at(struct mgre_cache *cache,
			     struct mgre_gc_result *res, unsigned long now)
{
	unsigned long cur = now / HZ, sec;
	unsigned int n;

	res->nresolve = 0;
	res->visited = 0;
	spin_lock_bh(&cache->lock);
	if (!atomic_read(&cache->learned)) {
		cache->wheel_sec = cur;
		goto out;
	}
	for (sec = cache->wheel_sec, n = 1; ; sec++, n++) {
		/* (an entry filed now for a past second lands in this slot) */
		cache->wheel_sec = sec;
		if (!mgre_gc_slot(cache, &cache->wheel[sec % MGRE_WHEEL_SLOTS],
				  res, now))
			break;
		if (sec == cur || n >= MGRE_WHEEL_SLOTS) {
			cache->wheel_sec = cur;
			break;
		}
	}
out:
	spin_unlock_bh(&cache->lock);
}

void mgre_cache_gc(struct mgre_cache *cache, struct mgre_gc_result *res)
{
	mgre_cache_gc_at(cache, res, jiffies);
}

#ifdef MGRE_SELFTEST
static __be32 __init mgre_st_nbma(struct mgre_cache *cache, u32 addr)
{
	struct mgre_entry *e;
	__be32 nbma;

	rcu_read_lock();
	e = mgre_cache_lookup_lpm(cache, htonl(addr));
	nbma = e ? e->nbma : 0;
	rcu_read_unlock();
	return nbma;
}

/*
 * Prefixes: the longest match wins, lengths come and go from the bitmap,
 * and a shortcut's answer (a prefix) replaces the /32 that asked for it.
 */
static bool __init mgre_cache_selftest_lpm(struct mgre_cache *cache,
					   unsigned int *step)
{
	struct mgre_answer a = {
		.target = htonl(0x0a090909), .nbma = htonl(9),
		.via = htonl(0xac100003), .prefixlen = 24, .holdtime = 60,
		.shortcut_ok = true, .covered = true, .cover_len = 16,
		.cover_tb = RT_TABLE_MAIN,
	};
	__be32 net16 = htonl(0x0a090000);
	struct mgre_entry *e;

	++*step;
	if (mgre_cache_add_static(cache, htonl(0x0a010000), 16, htonl(1),
				  NULL) ||
	    mgre_cache_add_static(cache, htonl(0x0a010200), 24, htonl(2),
				  NULL) ||
	    mgre_cache_add_static(cache, htonl(0x0a010203), 32, htonl(3),
				  NULL) ||
	    mgre_cache_add_static(cache, htonl(0x0a010201), 24, htonl(4),
				  NULL) != -EINVAL)
		return false;
	++*step;
	if (mgre_st_nbma(cache, 0x0a010203) != htonl(3) ||
	    mgre_st_nbma(cache, 0x0a010204) != htonl(2) ||
	    mgre_st_nbma(cache, 0x0a010301) != htonl(1) ||
	    mgre_st_nbma(cache, 0x0a020000) ||
	    cache->plens != (BIT(16) | BIT(24)))
		return false;
	++*step;
	if (mgre_cache_del_static(cache, htonl(0x0a010200), 24, NULL) ||
	    mgre_st_nbma(cache, 0x0a010204) != htonl(1) ||
	    cache->plens != BIT(16))
		return false;
	/* A shortcut for 10.9.9.9 answered with 10.9.9.0/24 via .3. */
	++*step;
	if (mgre_cache_resolve_start(cache, a.target, MGRE_F_SHORTCUT) !=
	    MGRE_RESOLVE_STARTED)
		return false;
	spin_lock_bh(&cache->lock);
	e = mgre_cache_lookup_locked(cache, a.target);
	if (e) {
		e->tries = 1;
		e->reqid = 77;
	}
	spin_unlock_bh(&cache->lock);
	a.reqid = 78;
	if (!e || mgre_cache_resolved(cache, &a) != -ENOENT)
		return false;
	a.reqid = 77;
	a.shortcut_ok = false;	/* "shortcut off" since: refused */
	if (mgre_cache_resolved(cache, &a) != -EPERM)
		return false;
	a.shortcut_ok = true;
	if (mgre_cache_resolved(cache, &a) || cache->shortcuts != 1 ||
	    mgre_st_nbma(cache, 0x0a0909fe) != htonl(9) ||
	    cache->plens != (BIT(16) | BIT(24)))
		return false;
	rcu_read_lock();
	e = mgre_cache_lookup(cache, a.target);
	rcu_read_unlock();
	if (e)			/* the /32 gave way */
		return false;
	/* Refreshed in place: a request for the prefix, answered. */
	++*step;
	spin_lock_bh(&cache->lock);
	e = mgre_cache_find_locked(cache, a.target, 24);
	if (e) {
		e->tries = 1;
		e->reqid = 88;
	}
	spin_unlock_bh(&cache->lock);
	/* (asking for the address it was resolved for, as the walk does) */
	if (!e || e->target != a.target)
		return false;
	a.reqid = 88;
	a.nbma = htonl(10);
	a.covered = false;	/* (our own route answered: the cover stays) */
	if (!e || mgre_cache_resolved(cache, &a) ||
	    mgre_st_nbma(cache, 0x0a090901) != htonl(10) ||
	    cache->shortcuts != 1 || !e->watched || e->cover_len != 16 ||
	    cache->ncovers != 1 || cache->covers[0].refs != 1 ||
	    cache->covers[0].net != net16 || cache->cover_lens != BIT_ULL(16))
		return false;
	/*
	 * Other routes' changes are not its cover's; its cover leading into
	 * the tunnel again is not gone; gone, the shortcut goes, and the
	 * cover's slot with it.
	 */
	++*step;
	if (mgre_cache_cover_event(cache, net16, 24, RT_TABLE_MAIN, true) ||
	    mgre_cache_cover_event(cache, net16, 16, RT_TABLE_LOCAL, true) ||
	    mgre_cache_cover_event(cache, net16, 16, RT_TABLE_MAIN, false) ||
	    mgre_cache_covers_gone(cache) || cache->shortcuts != 1)
		return false;
	++*step;
	if (!mgre_cache_cover_event(cache, net16, 16, RT_TABLE_MAIN, true) ||
	    mgre_cache_covers_gone(cache) != 1 || cache->shortcuts ||
	    cache->ncovers || cache->cover_lens ||
	    mgre_st_nbma(cache, 0x0a090901))
		return false;
	++*step;
	mgre_cache_flush(cache, -1);
	if (cache->shortcuts || cache->plens != BIT(16))
		return false;
	return true;
}

/*
 * In-module selftest (the debug kernel's build, at module load): the
 * wheel finds what is due, and a pass costs what is due, not the table.
 * Passes are run at chosen times instead of waiting for the clock.
 */
bool __init mgre_cache_selftest(void)
{
	struct mgre_gc_result *res = NULL;
	struct mgre_cache *cache = NULL;
	struct mgre_route *route;
	unsigned long t0 = jiffies;
	unsigned int i, step = 0;
	bool ok = false;

	route = kzalloc(sizeof(*route), GFP_KERNEL);	/* (not enabled) */
	cache = kzalloc(sizeof(*cache), GFP_KERNEL);
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!route || !cache || !res || mgre_cache_init(cache, NULL, route))
		goto out_free;
	/* 2000 resolved entries for an hour, one for 5 s. */
	++step;
	for (i = 0; i < 2000; i++)
		if (mgre_cache_learn(cache, htonl(0x0a000000 + i), htonl(1),
				     MGRE_ENTRY_CACHED, 0, 3600))
			goto out;
	if (mgre_cache_learn(cache, htonl(0x0b000001), htonl(1),
			     MGRE_ENTRY_CACHED, 0, 5))
		goto out;
	/* 2 s on: nothing is due; the pass looks at (almost) nothing. */
	++step;
	mgre_cache_gc_at(cache, res, t0 + 2 * HZ);
	if (mgre_cache_count(cache) != 2001 || res->visited > 4)
		goto out;
	/* 6 s on: the short one expired, found among 2001. */
	++step;
	mgre_cache_gc_at(cache, res, t0 + 6 * HZ);
	if (mgre_cache_count(cache) != 2000 || res->visited > 4)
		goto out;
	/* Past their holdtime (a pause longer than the wheel's turn): every
	 * slot is visited once and the rest expire.
	 */
	++step;
	mgre_cache_gc_at(cache, res, t0 + 3602 * HZ);
	if (mgre_cache_count(cache) || atomic_read(&cache->learned))
		goto out;
	if (!mgre_cache_selftest_lpm(cache, &step))
		goto out;
	ok = true;
out:
	mgre_cache_destroy(cache);
out_free:
	kfree(res);
	kfree(cache);
	kfree(route);
	if (ok)
		pr_info("mgre: cache selftest: pass\n");
	else
		pr_err("mgre: cache selftest: step %u failed\n", step);
	return ok;
}
#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Per-source rate limit of NHRP input.  See ratelimit.h.
 *
 * Each entry holds tokens in nanoseconds: a packet costs a second divided
 * by the rate, the bucket holds at most one second (so "rate" packets may
 * come at once), and it refills with the time that passed since the last
 * packet of that source.
 */

#include <linux/bottom_half.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "ratelimit.h"

struct mgre_rl_entry {
	struct hlist_node node;		/* in a chain of rl->table */
	__be32 src;
	spinlock_t lock;		/* guards the two below */
	u64 last_ns;			/* time of the last packet */
	u64 tokens;			/* ns of credit */
	struct rcu_head rcu;
};

void mgre_rl_init(struct mgre_rl *rl, u32 rate)
{
	unsigned int i;

	for (i = 0; i < MGRE_RL_BUCKETS; i++)
		INIT_HLIST_HEAD(&rl->table[i]);
	spin_lock_init(&rl->lock);
	atomic_set(&rl->count, 0);
	get_random_bytes(&rl->key, sizeof(rl->key));
	rl->rate = rate;
}

static struct hlist_head *mgre_rl_bucket(struct mgre_rl *rl, __be32 src)
{
	return &rl->table[siphash_1u32((__force u32)src, &rl->key) &
			  (MGRE_RL_BUCKETS - 1)];
}

bool mgre_rl_allow(struct mgre_rl *rl, __be32 src, bool *untracked)
{
	u32 rate = READ_ONCE(rl->rate);
	struct hlist_head *bucket;
	struct mgre_rl_entry *e;
	u64 cost, now, tokens;
	bool ok;

	/* (rl->lock and the entries' locks are taken without _bh) */
	lockdep_assert_in_softirq();
	*untracked = false;
	if (!rate)
		return true;
	cost = NSEC_PER_SEC / rate;
	bucket = mgre_rl_bucket(rl, src);

	rcu_read_lock();
	hlist_for_each_entry_rcu(e, bucket, node) {
		if (e->src != src)
			continue;
		spin_lock(&e->lock);
		now = ktime_get_coarse_boottime_ns();
		tokens = min_t(u64, NSEC_PER_SEC,
			       e->tokens + (now - e->last_ns));
		WRITE_ONCE(e->last_ns, now);
		ok = tokens >= cost;
		e->tokens = ok ? tokens - cost : tokens;
		spin_unlock(&e->lock);
		rcu_read_unlock();
		return ok;
	}
	rcu_read_unlock();

	/* A new source: its first packet passes, with a full bucket left. */
	if (atomic_inc_return(&rl->count) > MGRE_RL_MAX)
		goto untracked;
	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		goto untracked;
	e->src = src;
	spin_lock_init(&e->lock);
	e->last_ns = ktime_get_coarse_boottime_ns();
	e->tokens = NSEC_PER_SEC - min_t(u64, cost, NSEC_PER_SEC);
	/*
	 * (Two first packets of one source on two CPUs may both add an
	 * entry: the lookup finds the newer, the older idles out.)
	 */
	spin_lock(&rl->lock);
	hlist_add_head_rcu(&e->node, bucket);
	spin_unlock(&rl->lock);
	return true;

untracked:
	atomic_dec(&rl->count);
	*untracked = true;
	return true;
}

void mgre_rl_gc(struct mgre_rl *rl)
{
	u64 now = ktime_get_coarse_boottime_ns();
	struct mgre_rl_entry *e;
	struct hlist_node *tmp;
	unsigned int i;

	if (!atomic_read(&rl->count))
		return;
	for (i = 0; i < MGRE_RL_BUCKETS; i++) {
		if (hlist_empty(&rl->table[i]))
			continue;
		spin_lock_bh(&rl->lock);
		hlist_for_each_entry_safe(e, tmp, &rl->table[i], node) {
			/* (last_ns is read unlocked: a stale value delays) */
			if ((s64)(now - READ_ONCE(e->last_ns)) > NSEC_PER_SEC) {
				hlist_del_rcu(&e->node);
				kfree_rcu(e, rcu);
				atomic_dec(&rl->count);
			}
		}
		spin_unlock_bh(&rl->lock);
	}
}

void mgre_rl_destroy(struct mgre_rl *rl)
{
	struct mgre_rl_entry *e;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < MGRE_RL_BUCKETS; i++) {
		hlist_for_each_entry_safe(e, tmp, &rl->table[i], node) {
			hlist_del(&e->node);
			kfree(e);
		}
	}
	atomic_set(&rl->count, 0);
}

void mgre_budget_set(struct mgre_budget *b, u32 count, u32 every)
{
	spin_lock_bh(&b->lock);
	WRITE_ONCE(b->count, count);
	b->every = max_t(u32, every, 1);
	b->tokens = (u64)b->every * NSEC_PER_SEC;
	b->last_ns = ktime_get_coarse_boottime_ns();
	spin_unlock_bh(&b->lock);
}

void mgre_budget_get(struct mgre_budget *b, u32 *count, u32 *every)
{
	spin_lock_bh(&b->lock);
	*count = b->count;
	*every = b->every;
	spin_unlock_bh(&b->lock);
}

bool mgre_budget_take(struct mgre_budget *b)
{
	u64 window, cost, now;
	bool ok;

	if (!READ_ONCE(b->count))
		return true;
	spin_lock_bh(&b->lock);
	if (!b->count) {
		ok = true;
		goto out;
	}
	window = (u64)b->every * NSEC_PER_SEC;
	cost = div_u64(window, b->count);
	now = ktime_get_coarse_boottime_ns();
	b->tokens = min_t(u64, window, b->tokens + (now - b->last_ns));
	b->last_ns = now;
	ok = b->tokens >= cost;
	if (ok)
		b->tokens -= cost;
out:
	spin_unlock_bh(&b->lock);
	return ok;
}

#ifdef MGRE_SELFTEST
/* The send budget: COUNT at once, then one per SECONDS / COUNT. */
static bool __init mgre_budget_selftest(void)
{
	struct mgre_budget b;
	unsigned int i;

	/* (not __SPIN_LOCK_UNLOCKED() on the stack: lockdep needs a static key) */
	spin_lock_init(&b.lock);
	mgre_budget_set(&b, 3, 10);
	for (i = 0; i < 3; i++)
		if (!mgre_budget_take(&b))
			return false;
	if (mgre_budget_take(&b))
		return false;
	/* 10/3 s later: one more, and only one. */
	b.last_ns -= 10 * NSEC_PER_SEC / 3 + 1;
	if (!mgre_budget_take(&b) || mgre_budget_take(&b))
		return false;
	/* A long idle time fills the bucket, no more. */
	b.last_ns -= 100 * NSEC_PER_SEC;
	for (i = 0; i < 3; i++)
		if (!mgre_budget_take(&b))
			return false;
	if (mgre_budget_take(&b))
		return false;
	/* Off: everything passes. */
	mgre_budget_set(&b, 0, 1);
	return mgre_budget_take(&b) && mgre_budget_take(&b);
}

/*
 * In-module selftest (built for the debug kernel, run at module load, as
 * WireGuard's): what the shell tests cannot reach, the bucket arithmetic,
 * the idle reclaim and the full table, without waiting on the clock.
 */
static struct mgre_rl_entry *mgre_rl_find(struct mgre_rl *rl, __be32 src)
{
	struct mgre_rl_entry *e;

	hlist_for_each_entry(e, mgre_rl_bucket(rl, src), node)
		if (e->src == src)
			return e;
	return NULL;
}

/* mgre_rl_allow() as the receive path calls it: in softirq context. */
static bool __init mgre_rl_allow_bh(struct mgre_rl *rl, __be32 src,
				    bool *untracked)
{
	bool ok;

	local_bh_disable();
	ok = mgre_rl_allow(rl, src, untracked);
	local_bh_enable();
	return ok;
}

bool __init mgre_rl_selftest(void)
{
	__be32 a = htonl(0xc0000201), b = htonl(0xc0000202);
	struct mgre_rl_entry *e;
	struct mgre_rl *rl;
	unsigned int step = 0;
	bool untracked;

	rl = kzalloc(sizeof(*rl), GFP_KERNEL);
	if (!rl)
		return false;
	/* One a second: the first packet passes, the next one does not
	 * (it would take a second to earn), another source has its own.
	 */
	mgre_rl_init(rl, 1);
	++step;
	if (!mgre_rl_allow_bh(rl, a, &untracked) || untracked)
		goto fail;
	++step;
	if (mgre_rl_allow_bh(rl, a, &untracked))
		goto fail;
	++step;
	if (!mgre_rl_allow_bh(rl, b, &untracked) ||
	    atomic_read(&rl->count) != 2)
		goto fail;
	/* A second's worth comes back after a second (the clock moved). */
	++step;
	e = mgre_rl_find(rl, a);
	if (!e)
		goto fail;
	e->last_ns -= NSEC_PER_SEC;
	if (!mgre_rl_allow_bh(rl, a, &untracked))
		goto fail;
	/* Idle for more than a second: reclaimed; b is not. */
	++step;
	e->last_ns -= 2 * NSEC_PER_SEC;
	mgre_rl_gc(rl);
	rcu_barrier();
	if (atomic_read(&rl->count) != 1 || mgre_rl_find(rl, a) ||
	    !mgre_rl_find(rl, b))
		goto fail;
	/* A full table lets a new source through, untracked. */
	++step;
	atomic_set(&rl->count, MGRE_RL_MAX);
	if (!mgre_rl_allow_bh(rl, a, &untracked) || !untracked ||
	    atomic_read(&rl->count) != MGRE_RL_MAX)
		goto fail;
	atomic_set(&rl->count, 1);
	/* No limit: everything passes, nothing is tracked. */
	++step;
	WRITE_ONCE(rl->rate, 0);
	if (!mgre_rl_allow_bh(rl, b, &untracked) ||
	    !mgre_rl_allow_bh(rl, b, &untracked) ||
	    !mgre_rl_allow_bh(rl, a, &untracked) ||
	    atomic_read(&rl->count) != 1)
		goto fail;
	++step;
	if (!mgre_budget_selftest())
		goto fail;
	mgre_rl_destroy(rl);
	kfree(rl);
	pr_info("mgre: ratelimit selftest: pass\n");
	return true;

fail:
	pr_err("mgre: ratelimit selftest: step %u failed\n", step);
	mgre_rl_destroy(rl);
	kfree(rl);
	return false;
}
#endif

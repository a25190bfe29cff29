/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A token bucket per NBMA source address for the NHRP packets a device
 * takes ("nhrp-rate-limit"), after WireGuard's ratelimiter.c: one source,
 * however fast it sends, gets at most that many packets a second
 * processed (a second's worth may come in one burst); many sources each
 * get their own.  The table is a fixed array of RCU hash chains; an entry
 * lives while its source sends, and is reclaimed one idle second later.
 */
#ifndef _MGRE_RATELIMIT_H
#define _MGRE_RATELIMIT_H

#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define MGRE_RL_BUCKETS		1024
#define MGRE_RL_MAX		16384	/* sources tracked at once */

struct mgre_rl {
	struct hlist_head table[MGRE_RL_BUCKETS];	/* RCU readers */
	spinlock_t lock;	/* serialises changes of the chains */
	atomic_t count;		/* entries in the table */
	siphash_key_t key;	/* of the bucket hash: random per device */
	u32 rate;		/* packets/s per source, 0 = off; READ_ONCE() */
};

void mgre_rl_init(struct mgre_rl *rl, u32 rate);
/* No readers are left (the device is being freed). */
void mgre_rl_destroy(struct mgre_rl *rl);

/*
 * May a packet from @src be processed?  Softirq, under no lock; false
 * means the source spent its tokens.  A source the table has no room for
 * (MGRE_RL_MAX others sent within the last second, or no memory) is let
 * through and *untracked is set: a storm from that many distinct sources
 * is a big cloud's, and the per-address state (cache-max, per-nbma-max)
 * bounds what it can do.
 */
bool mgre_rl_allow(struct mgre_rl *rl, __be32 src, bool *untracked);

/* Forget the sources idle for a second; process context. */
void mgre_rl_gc(struct mgre_rl *rl);

/*
 * A device's budget for the NHRP packets it sends ("max-send COUNT every
 * SECONDS", IOS "ip nhrp max-send"): a token bucket that holds COUNT
 * packets and refills at COUNT per SECONDS.
 */
struct mgre_budget {
	spinlock_t lock;	/* guards all below */
	u64 last_ns;		/* when tokens was last brought up to date */
	u64 tokens;		/* ns of credit, at most every * NSEC_PER_SEC */
	u32 count;		/* 0 = no budget; READ_ONCE() on the fast path */
	u32 every;		/* seconds, >= 1 */
};

/* (Re)configure @b, with a full bucket. */
void mgre_budget_set(struct mgre_budget *b, u32 count, u32 every);
void mgre_budget_get(struct mgre_budget *b, u32 *count, u32 *every);
/* Spend a packet's worth; false: over budget.  Any context. */
bool mgre_budget_take(struct mgre_budget *b);

#ifdef MGRE_SELFTEST
bool mgre_rl_selftest(void);
#endif

#endif /* _MGRE_RATELIMIT_H */

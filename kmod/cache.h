/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NHRP cache: protocol (tunnel) address -> NBMA (underlay) address.
 *
 * An rhashtable keyed by protocol address, read under RCU on the transmit
 * path and written under cache->lock.  Unlike the neighbour table there is
 * no NUD state machine and no per-entry timer, so it scales to hundreds of
 * thousands of entries; expiry is driven by the NHRP engine, through a
 * wheel of one-second slots (below), not by walking the table.
 */
#ifndef _MGRE_CACHE_H
#define _MGRE_CACHE_H

#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/netlink.h>
#include <uapi/mgre.h>

#define MGRE_CACHE_MAX_DEFAULT	262144
/*
 * A resolution is retransmitted 1, 2, 4, 8 and 8 s apart (RFC 2332 5.2.0.1:
 * with the same request id) and turns negative 23 s after its first
 * request: long enough for the usual reason a first reply is lost, the
 * IKE exchange that the reply itself triggers under "protection require"
 * (the kernel drops the packet that made it acquire an SA), even on a
 * slow or busy router.  FRR nhrpd also backs off from 1 s.
 */
#define MGRE_RESOLVE_TRIES	5	/* resolution requests before giving up */
#define MGRE_RESOLVE_RETRY_MAX	8	/* seconds between them, at most */
#define MGRE_RESOLVE_HOLD	30	/* seconds an incomplete entry lives */
#define MGRE_NEGATIVE_HOLD	10	/* seconds a failed resolution is held */
/*
 * Resolutions in progress or failed (incomplete and negative entries) take
 * at most a quarter of the cache, and never more than this: a host that
 * sends to many addresses nobody answers for cannot crowd out bindings.
 */
#define MGRE_PENDING_MAX	1024

/*
 * The key: a prefix.  Host entries (tunnel addresses, resolutions of next
 * hops) are /32; static maps and shortcuts may be shorter, and a lookup
 * that wants them takes the longest match (mgre_cache_lookup_lpm()).
 */
struct mgre_key {
	__be32 proto;		/* masked to prefixlen */
	u8 prefixlen;
	u8 pad[3];		/* zero */
};

struct mgre_entry {
	struct rhash_head node;
	struct mgre_key key;
	__be32 nbma;		/* READ_ONCE(): rewritten in place */
	/* A shortcut (MGRE_F_SHORTCUT): the tunnel address of the peer it
	 * leads to (the responder), READ_ONCE(); and the address it was
	 * resolved for (refreshes ask for it again), under lock.  0 for
	 * others.
	 */
	__be32 via;
	__be32 target;
	u8 type;		/* enum mgre_entry_type */
	u32 flags;		/* MGRE_F_*; READ_ONCE() */
	unsigned long created;	/* jiffies */
	unsigned long expires;	/* jiffies; 0 = never */
	unsigned long used;	/* jiffies of last transmit; 0 = never */
	unsigned long learned;	/* jiffies of the last (re)learning */
	/* Incomplete: the next resolution request.  Cached: when to
	 * re-resolve it if in use (2/3 of its holdtime), then the next
	 * request of that refresh.
	 */
	unsigned long next_try;
	u32 reqid;		/* incomplete, cached: id of the last request */
	u8 tries;		/* incomplete, cached: requests sent */
	/* A route was injected ("route-inject"), through @routed_gw (a
	 * shortcut's next hop) or on link (0); under lock.
	 */
	bool routed;
	/* A shortcut, if @cover_known: the route it overrides, its cover
	 * (the one that took @target into the tunnel when it was made, not
	 * ours): @cover_net/@cover_len in table @cover_tb.  @watched: it
	 * holds the cover's slot in cache->covers; when that route goes, so
	 * does the shortcut (fib_watch.c).  Under lock.
	 */
	bool cover_known;
	bool watched;
	u8 cover_len;
	__be32 routed_gw;
	__be32 cover_net;
	u32 cover_tb;
	/* Learned entries: in the wheel slot of the second they are due
	 * (expiry, the next request, a refresh); under lock.  Static and
	 * local entries: empty.
	 */
	struct list_head wheel;	/* when: mgre_entry_due() (cache.c) */
	struct rcu_head rcu;
};

#define mgre_entry_proto(e)	((e)->key.proto)
#define mgre_entry_plen(e)	((e)->key.prefixlen)

/*
 * Expiry and retries: learned entries sit in a wheel of one-second slots,
 * by the second they are next due; a slot also holds the entries due in
 * the same second of later turns.  The NHRP work visits the slots of the
 * seconds that passed: its cost is the entries due plus 1/MGRE_WHEEL_SLOTS
 * of the others, not a walk of up to 262,144 entries every second.
 */
#define MGRE_WHEEL_SLOTS	1024

struct mgre_mcast_map;
struct mgre_route;

/*
 * A route shortcuts override: @net/@len in table @tb_id.  @refs: the
 * shortcuts that hold it (0: a free slot).  @gone: deleted, or leading
 * out of another device now; the NHRP work removes those shortcuts.
 * More distinct routes than MGRE_COVERS_MAX at once: the shortcuts
 * made under the others are not watched until a slot is free (they
 * take one when refreshed, or expire when unused).
 */
#define MGRE_COVERS_MAX	64

struct mgre_cover {
	__be32 net;
	u32 tb_id;
	u8 len;
	bool gone;
	u32 refs;
};

struct mgre_cache {
	struct rhashtable ht;
	spinlock_t lock;	/* serialises writers */
	u32 max;		/* entry limit */
	atomic_t learned;	/* entries other than static and local */
	atomic_t pending;	/* incomplete and negative entries */
	/* Registrations (dynamic entries) hold references on their NBMA
	 * address in the multicast map, for "multicast dynamic".
	 */
	struct mgre_mcast_map *mcast;
	/* Registered and resolved peers may get host routes ("route-inject"). */
	struct mgre_route *route;
	struct list_head *wheel;	/* MGRE_WHEEL_SLOTS slots; under lock */
	unsigned long wheel_sec;	/* jiffies / HZ: the first slot the next
					 * pass visits; under lock
					 */
	/* Prefix lengths below 32 in use: entries per length (under lock),
	 * and bit N of @plens set while a /N exists (READ_ONCE(): the
	 * longest-prefix lookup tries only those lengths, and costs one
	 * lookup while there are none).
	 */
	u32 plen_count[32];
	unsigned long plens;
	/* Shortcut entries (MGRE_F_SHORTCUT): transmit consults them only
	 * while there is one.  Under lock, READ_ONCE().
	 */
	u32 shortcuts;
	/* The routes shortcuts override (their covers), each with the
	 * shortcuts that hold it: the FIB watch looks a route change up
	 * here.  Under lock; @ncovers (slots in use) READ_ONCE().
	 */
	struct mgre_cover covers[MGRE_COVERS_MAX];
	u32 ncovers;
	/* Bit N: a cover of length N is in use (READ_ONCE(): the FIB watch
	 * passes over other lengths without the lock); @covers_gone: one
	 * is gone, for the work.  Under lock.
	 */
	u64 cover_lens;
	bool covers_gone;
};

/* Learned entries that need the NHRP engine's attention after a walk. */
#define MGRE_GC_BATCH	64

struct mgre_gc_result {
	__be32 resolve[MGRE_GC_BATCH];	/* incomplete: send a request now */
	u32 reqid[MGRE_GC_BATCH];	/* ... with this request id */
	unsigned int nresolve;
	unsigned int visited;		/* entries the pass looked at */
};

int mgre_cache_mod_init(void);
void mgre_cache_mod_exit(void);
int mgre_cache_init(struct mgre_cache *cache, struct mgre_mcast_map *mcast,
		    struct mgre_route *route);
/* Inject or withdraw the routes after "route-inject" changed. */
void mgre_cache_route_sync(struct mgre_cache *cache);
void mgre_cache_route_resync(struct mgre_cache *cache);
void mgre_cache_destroy(struct mgre_cache *cache);

/* Caller holds rcu_read_lock().  The /32 entry of @proto. */
struct mgre_entry *mgre_cache_lookup(struct mgre_cache *cache, __be32 proto);
/* Caller holds rcu_read_lock().  The longest prefix that holds @addr. */
struct mgre_entry *mgre_cache_lookup_lpm(struct mgre_cache *cache,
					 __be32 addr);
/*
 * Caller holds rcu_read_lock().  The longest resolved shortcut that holds
 * @addr (shortcuts being resolved for longer prefixes are passed over);
 * its NBMA address, or 0.
 */
__be32 mgre_cache_shortcut_nbma(struct mgre_cache *cache, __be32 addr);

int mgre_cache_add_static(struct mgre_cache *cache, __be32 proto, u8 prefixlen,
			  __be32 nbma, struct netlink_ext_ack *extack);
int mgre_cache_del_static(struct mgre_cache *cache, __be32 proto,
			  u8 prefixlen, struct netlink_ext_ack *extack);

int mgre_cache_learn(struct mgre_cache *cache, __be32 proto, __be32 nbma,
		     u8 type, u32 flags, unsigned int holdtime);
int mgre_cache_learn_request(struct mgre_cache *cache, __be32 proto,
			     __be32 nbma, unsigned int holdtime, bool create);

/* How an entry changed (the mgre:mgre_cache trace event, mgre_trace.h). */
enum mgre_cache_op {
	MGRE_CACHE_ADD,		/* a new entry */
	MGRE_CACHE_UPDATE,	/* learned again (refreshed, moved, resolved) */
	MGRE_CACHE_NEGATIVE,	/* its resolution failed */
	MGRE_CACHE_EXPIRE,	/* its holdtime ran out */
	MGRE_CACHE_PURGE,	/* its owner purged it (a shortcut: or
				 * the route it overrode went)
				 */
	MGRE_CACHE_FLUSH,	/* flushed by the administrator */
	MGRE_CACHE_DEL,		/* a static entry deleted */
	MGRE_CACHE_REPLACE,	/* another entry took its place: a static
				 * one, or a shortcut's prefix (the /32
				 * that was resolved gives way to it)
				 */
};

enum mgre_resolve_start {
	MGRE_RESOLVE_STARTED,	/* a new incomplete entry: send a request */
	MGRE_RESOLVE_KNOWN,	/* an entry exists (added meanwhile) */
	MGRE_RESOLVE_LIMITED,	/* no room: MGRE_PENDING_MAX or cache-max */
	MGRE_RESOLVE_NOMEM,
};

enum mgre_resolve_start mgre_cache_resolve_start(struct mgre_cache *cache,
						 __be32 proto, u32 flags);

/* A resolution's answer (mgre_cache_resolved()). */
struct mgre_answer {
	__be32 target;		/* what was asked for */
	u32 reqid;
	__be32 nbma;
	__be32 via;		/* shortcut: the responder's tunnel address */
	u8 prefixlen;		/* shortcut: the prefix holding @target */
	u32 flags;
	unsigned int holdtime;
	bool shortcut_ok;	/* "shortcut on": a shortcut may be made */
	/* shortcut: the route it overrides holds @target, is @cover_len
	 * long and in table @cover_tb; unknown (ours, or none) if
	 * !@covered
	 */
	bool covered;
	u8 cover_len;
	u32 cover_tb;
};

int mgre_cache_resolved(struct mgre_cache *cache,
			const struct mgre_answer *a);
int mgre_cache_forget(struct mgre_cache *cache, __be32 proto, __be32 nbma);
void mgre_cache_forget_moved(struct mgre_cache *cache, __be32 proto,
			     __be32 nbma);
unsigned int mgre_cache_flush(struct mgre_cache *cache, int type);
void mgre_cache_flush_shortcuts(struct mgre_cache *cache);
void mgre_cache_forget_via(struct mgre_cache *cache, __be32 via, __be32 nbma);
bool mgre_cache_cover_event(struct mgre_cache *cache, __be32 net, u8 len,
			    u32 tb_id, bool gone);
unsigned int mgre_cache_covers_gone(struct mgre_cache *cache);
/* Does any device hold a watched cover?  (The FIB watch's first filter.) */
bool mgre_cache_any_cover(void);
unsigned int mgre_cache_resolved_peers(struct mgre_cache *cache,
				       __be32 *nbma, unsigned int max);
void mgre_cache_gc(struct mgre_cache *cache, struct mgre_gc_result *res);

#ifdef MGRE_SELFTEST
bool mgre_cache_selftest(void);
#endif

static inline bool mgre_entry_learned(u8 type)
{
	return type != MGRE_ENTRY_STATIC && type != MGRE_ENTRY_LOCAL;
}

/* A resolution in progress or failed: no NBMA address to send to. */
static inline bool mgre_entry_pending(u8 type)
{
	return type == MGRE_ENTRY_INCOMPLETE || type == MGRE_ENTRY_NEGATIVE;
}

/*
 * A new NHRP request id.  Random, each one: a reply is taken only if it
 * carries the id of the request it answers, which a sender that did not
 * see the request cannot guess (and knowing one id tells nothing of the
 * next).  Never 0.
 */
static inline u32 mgre_reqid_new(void)
{
	return get_random_u32() ?: 1;
}

static inline u32 mgre_cache_count(struct mgre_cache *cache)
{
	return atomic_read(&cache->ht.nelems);
}

/* Mark an entry as having carried a packet; cheap enough for the fast path. */
static inline void mgre_entry_touch(struct mgre_entry *e)
{
	unsigned long now = jiffies;

	if (READ_ONCE(e->used) != now)
		WRITE_ONCE(e->used, now);
}

#endif /* _MGRE_CACHE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The multicast map ("ip nhrp map multicast NBMA|dynamic"): the NBMA
 * addresses that receive a copy of every multicast or broadcast packet the
 * device sends.  Replication happens here, in the kernel.
 */
#ifndef _MGRE_MULTICAST_H
#define _MGRE_MULTICAST_H

#include <linux/list.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>

/* NBMA addresses in the map, configured and registered: as many as the
 * cache has entries (each registration holds its address here, see
 * mgre_mcast_get()).
 */
#define MGRE_MCAST_MAX	262144

struct mgre_device;

/*
 * One NBMA address of the map: configured ("static"), and/or in use by
 * registrations (refs > 0).  Registered addresses get copies only while
 * the map's "dynamic" setting is on.
 */
struct mgre_mcast {
	struct list_head node;	/* in map->list */
	struct rhash_head hnode;	/* in map->ht, by nbma */
	__be32 nbma;
	bool is_static;		/* READ_ONCE() on the fast path */
	u32 refs;		/* registrations using this NBMA */
	struct rcu_head rcu;
};

struct mgre_mcast_map {
	struct list_head list;	/* of struct mgre_mcast; RCU readers */
	struct rhashtable ht;	/* the same, by NBMA address: lookups */
	spinlock_t lock;	/* serialises writers */
	unsigned int count;
	unsigned int dynamic_count; /* addresses that are not static */
	/* Limits for registrations ("multicast-dynamic-max",
	 * "per-nbma-max"), written with WRITE_ONCE() under RTNL:
	 */
	u32 dynamic_max;	/* of dynamic_count */
	u32 per_nbma_max;	/* of an address's refs */
	bool dynamic;		/* "ip nhrp map multicast dynamic" */
};

int mgre_mcast_mod_init(void);
void mgre_mcast_mod_exit(void);
int mgre_mcast_init(struct mgre_mcast_map *map);
void mgre_mcast_destroy(struct mgre_mcast_map *map);
int mgre_mcast_add(struct mgre_mcast_map *map, __be32 nbma,
		   struct netlink_ext_ack *extack);
int mgre_mcast_del(struct mgre_mcast_map *map, __be32 nbma,
		   struct netlink_ext_ack *extack);
int mgre_mcast_get(struct mgre_mcast_map *map, __be32 nbma);
void mgre_mcast_put(struct mgre_mcast_map *map, __be32 nbma);
int mgre_mcast_set_dynamic(struct mgre_mcast_map *map, bool on,
			   struct netlink_ext_ack *extack);
/* Does @m receive copies now? */
static inline bool mgre_mcast_active(const struct mgre_mcast_map *map,
				     const struct mgre_mcast *m)
{
	return READ_ONCE(m->is_static) ||
	       (READ_ONCE(map->dynamic) && READ_ONCE(m->refs));
}

void mgre_mcast_xmit(struct mgre_device *md, struct sk_buff *skb);

#endif /* _MGRE_MULTICAST_H */

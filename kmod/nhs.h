/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Next-hop servers ("ip nhrp nhs PROTO [nbma NBMA] [priority N]", and
 * "ip nhrp nhs dynamic nbma NBMA": an NHS known by its NBMA address only,
 * whose protocol address its Registration Reply tells).
 */
#ifndef _MGRE_NHS_H
#define _MGRE_NHS_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/netlink.h>

#define MGRE_NHS_MAX	64

struct mgre_nhs {
	struct list_head node;
	/*
	 * Its protocol address.  Constant, except for a dynamic NHS: 0
	 * until its first Registration Reply, then what the reply said;
	 * written under the list lock, read with READ_ONCE() elsewhere.
	 */
	__be32 proto;
	__be32 nbma;		/* 0: take it from the NHRP cache */
	bool dynamic;		/* configured by NBMA only ("dynamic") */
	u8 priority;		/* 0 = most preferred */
	u8 state;		/* enum mgre_nhs_state */
	/* Registration state, under mgre_nhs_list.lock: */
	u8 fails;		/* consecutive unanswered or refused */
	bool awaiting;		/* a request is outstanding */
	bool recovering;	/* refused with code 14: purged, and
				 * registering again (once)
				 */
	u8 ka_missed;		/* keepalives sent since the last answer */
	bool ka_down;		/* too many of them went unanswered */
	u32 reqid;		/* of the outstanding request */
	bool sent;		/* it left (counted in req_sent) */
	unsigned long next_send; /* jiffies of the next request */
	/*
	 * Counters ("show ip nhrp nhs detail"), written under the list
	 * lock, read locklessly (READ_ONCE()) by dumps:
	 */
	u32 req_sent;		/* registration requests sent */
	u32 req_failed;		/* unanswered or refused */
	u32 repl_recv;		/* replies to our requests */
	unsigned long last_reply; /* jiffies of the last one; 0: none */
	struct rcu_head rcu;
};

struct mgre_nhs_list {
	struct list_head list;	/* sorted by priority; RCU readers */
	spinlock_t lock;	/* serialises writers */
	unsigned int count;
};

void mgre_nhs_init(struct mgre_nhs_list *nhs);
void mgre_nhs_destroy(struct mgre_nhs_list *nhs);
/*
 * Which NHS a request names: by its protocol address (@dynamic false), or
 * a dynamic one by its NBMA address (never 0: mgre_genl_nhs_id() checks).
 */
struct mgre_nhs_id {
	__be32 proto;
	__be32 nbma;
	bool dynamic;
};

bool mgre_nhs_match(const struct mgre_nhs *n, const struct mgre_nhs_id *id);
int mgre_nhs_add(struct mgre_nhs_list *nhs, const struct mgre_nhs_id *id,
		 u8 priority, struct netlink_ext_ack *extack);
int mgre_nhs_del(struct mgre_nhs_list *nhs, const struct mgre_nhs_id *id,
		 struct netlink_ext_ack *extack);
void mgre_nhs_reset(struct mgre_nhs_list *nhs);

#endif /* _MGRE_NHS_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mgre device: a multipoint GRE netdevice built on the kernel's ip_tunnel
 * core, with a per-device NHRP cache, multicast map and NHS list.
 */
#ifndef _MGRE_DEVICE_H
#define _MGRE_DEVICE_H

#include <linux/netdevice.h>
#include <linux/tracepoint-defs.h>
#include <linux/u64_stats_sync.h>
#include <net/ip_tunnels.h>
#include <uapi/mgre.h>

#include "cache.h"
#include "keepalive.h"
#include "multicast.h"
#include "nhs.h"
#include "nhrp.h"
#include "peer.h"
#include "ratelimit.h"
#include "fib_watch.h"
#include "route.h"

struct mgre_pcpu_stats {
	u64_stats_t cnt[__MGRE_STAT_MAX];
	struct u64_stats_sync syncp;
};

struct mgre_device {
	/* Must be first: the ip_tunnel helpers use netdev_priv() as this. */
	struct ip_tunnel t;
	struct mgre_cache cache;
	struct mgre_mcast_map mcast;
	struct mgre_nhs_list nhs;
	struct mgre_nhrp nhrp;
	struct mgre_route route;
	struct mgre_ka ka;
	struct mgre_rl nhrp_rl;		/* NHRP input, per NBMA source */
	struct mgre_budget nhrp_send;	/* NHRP output ("max-send") */
	struct mgre_peers peers;	/* route cache per NBMA address */
	struct mgre_pcpu_stats __percpu *stats;
	/* enum mgre_protection; READ_ONCE on receive, RTNL writers. */
	u8 protection;
	/* In mgre_net(t.net)->devices; RCU readers, RTNL writers. */
	struct list_head net_node;
};

/* Per-netns state, indexed by mgre_net_id. */
struct mgre_net {
	/* Must be first: the ip_tunnel helpers use net_generic() as this. */
	struct ip_tunnel_net itn;
	/* mgre devices whose underlay is this netns; RCU, RTNL writers. */
	struct list_head devices;
	/* Receive errors that belong to no device (rare: plain atomics). */
	atomic_long_t stats[__MGRE_STAT_MAX];
	/* The netns's route changes, for the shortcuts of its devices. */
	struct mgre_fib_watch fib_watch;
};

extern unsigned int mgre_net_id;
extern struct rtnl_link_ops mgre_link_ops;

static inline struct mgre_net *mgre_pernet(const struct net *net)
{
	return net_generic(net, mgre_net_id);
}

static inline struct net_device *mgre_to_dev(const struct mgre_device *md)
{
	return md->t.dev;
}

/* mgre:mgre_drop (mgre_trace.h) for the counters of drops and refusals */
DECLARE_TRACEPOINT(mgre_drop);
void mgre_trace_drop(struct mgre_device *md, enum mgre_stat idx);

static inline void mgre_stat_add(struct mgre_device *md, enum mgre_stat idx,
				 unsigned int n)
{
	struct mgre_pcpu_stats *s = get_cpu_ptr(md->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->cnt[idx], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(md->stats);
	/* (a static branch while the event is off) */
	if (tracepoint_enabled(mgre_drop))
		mgre_trace_drop(md, idx);
}

static inline void mgre_stat_inc(struct mgre_device *md, enum mgre_stat idx)
{
	mgre_stat_add(md, idx, 1);
}

static inline void mgre_net_stat_inc(struct mgre_net *mn, enum mgre_stat idx)
{
	atomic_long_inc(&mn->stats[idx]);
}

void mgre_stats_read(const struct mgre_device *md, u64 *out);

int mgre_device_init(void);
void mgre_device_uninit(void);

#endif /* _MGRE_DEVICE_H */

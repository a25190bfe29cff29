// SPDX-License-Identifier: GPL-2.0
/*
 * The NHRP protocol engine.  This release programs the cache statically;
 * NHRP packets are counted and dropped until the engine handles them.
 */

#include <linux/skbuff.h>

#include "device.h"
#include "nhrp.h"

void mgre_nhrp_rcv(struct mgre_device *md, struct sk_buff *skb, int gre_hlen)
{
	net_dbg_ratelimited("%s: NHRP packet from %pI4 dropped: engine not enabled\n",
			    mgre_to_dev(md)->name, &ip_hdr(skb)->saddr);
	mgre_stat_inc(md, MGRE_STAT_RX_NHRP_DROP);
	DEV_STATS_INC(mgre_to_dev(md), rx_dropped);
	kfree_skb(skb);
}

void mgre_nhrp_miss(struct mgre_device *md, __be32 proto)
{
}

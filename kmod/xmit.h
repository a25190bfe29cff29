/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MGRE_XMIT_H
#define _MGRE_XMIT_H

#include <linux/netdevice.h>
#include <uapi/mgre.h>

struct mgre_device;

netdev_tx_t mgre_xmit(struct sk_buff *skb, struct net_device *dev);
void mgre_xmit_one(struct mgre_device *md, struct sk_buff *skb, __be32 nbma,
		   bool data);
void mgre_xmit_drop(struct mgre_device *md, struct sk_buff *skb,
		    enum mgre_stat why);

#endif /* _MGRE_XMIT_H */

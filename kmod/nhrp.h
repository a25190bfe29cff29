/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the NHRP protocol engine (RFC 2332 + Cisco extensions).
 */
#ifndef _MGRE_NHRP_H
#define _MGRE_NHRP_H

#include <linux/skbuff.h>

struct mgre_device;

/*
 * An NHRP packet (GRE protocol type 0x2001) arrived on @md.  skb->data
 * points at the GRE header (ip_hdr() is the outer header); @gre_hlen is
 * the GRE header length.
 * Consumes @skb.
 */
void mgre_nhrp_rcv(struct mgre_device *md, struct sk_buff *skb, int gre_hlen);

/*
 * Transmit found no usable cache entry for next hop @proto.  Called under
 * rcu_read_lock() from the data path; must not sleep.
 */
void mgre_nhrp_miss(struct mgre_device *md, __be32 proto);

#endif /* _MGRE_NHRP_H */

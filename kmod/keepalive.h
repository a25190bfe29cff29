/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GRE keepalives (Cisco "keepalive" on a GRE tunnel, RFC 1701 style): the
 * reflector that sends a peer's keepalive back to it.
 */
#ifndef _MGRE_KEEPALIVE_H
#define _MGRE_KEEPALIVE_H

#include <linux/skbuff.h>

struct mgre_device;

bool mgre_ka_rcv(struct mgre_device *md, struct sk_buff *skb, int gre_hlen);

#endif /* _MGRE_KEEPALIVE_H */

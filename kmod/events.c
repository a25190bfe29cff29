// SPDX-License-Identifier: GPL-2.0
/*
 * Events: see events.h, and enum mgre_event in uapi/mgre.h for what each
 * carries.
 */

#include <net/genetlink.h>
#include <net/netlink.h>

#include "events.h"
#include "netlink.h"
#include "nhs.h"

/* The entry events follow enum mgre_cache_op. */
static_assert(MGRE_EV_ENTRY_ADD + MGRE_CACHE_ADD == MGRE_EV_ENTRY_ADD);
static_assert(MGRE_EV_ENTRY_ADD + MGRE_CACHE_UPDATE == MGRE_EV_ENTRY_UPDATE);
static_assert(MGRE_EV_ENTRY_ADD + MGRE_CACHE_NEGATIVE == MGRE_EV_ENTRY_NEGATIVE);
static_assert(MGRE_EV_ENTRY_ADD + MGRE_CACHE_EXPIRE == MGRE_EV_ENTRY_EXPIRE);
static_assert(MGRE_EV_ENTRY_ADD + MGRE_CACHE_PURGE == MGRE_EV_ENTRY_PURGE);
static_assert(MGRE_EV_ENTRY_ADD + MGRE_CACHE_FLUSH == MGRE_EV_ENTRY_FLUSH);
static_assert(MGRE_EV_ENTRY_ADD + MGRE_CACHE_DEL == MGRE_EV_ENTRY_DEL);
static_assert(MGRE_EV_ENTRY_ADD + MGRE_CACHE_REPLACE == MGRE_EV_ENTRY_REPLACE);

/* Large enough for every event (an entry's: about 120 bytes). */
#define MGRE_EVENT_SIZE	256

/* A new event message for @md, or NULL when nobody listens. */
static struct sk_buff *mgre_event_new(struct mgre_device *md, u8 event,
				      void **hdr)
{
	struct net_device *dev = mgre_to_dev(md);
	struct sk_buff *skb;

	if (!genl_has_listeners(&mgre_genl_family, dev_net(dev),
				MGRE_MCGRP_EVENTS))
		return NULL;
	skb = genlmsg_new(MGRE_EVENT_SIZE, GFP_ATOMIC);
	if (!skb)
		goto lost;
	*hdr = genlmsg_put(skb, 0, 0, &mgre_genl_family, 0, MGRE_CMD_EVENT);
	if (!*hdr)
		goto free;
	if (nla_put_u32(skb, MGRE_A_IFINDEX, dev->ifindex) ||
	    nla_put_u8(skb, MGRE_A_EVENT, event))
		goto free;
	return skb;

free:
	nlmsg_free(skb);
lost:
	mgre_stat_inc(md, MGRE_STAT_EVENTS_LOST);
	return NULL;
}

/*
 * Send the event, or drop it when building it failed (@err: a put ran out
 * of room, which MGRE_EVENT_SIZE rules out; no WARN on a path packets
 * reach): an event that does not reach its listeners is counted.
 */
static void mgre_event_end(struct mgre_device *md, struct sk_buff *skb,
			   void *hdr, bool err)
{
	int ret;

	if (err) {
		nlmsg_free(skb);
		mgre_stat_inc(md, MGRE_STAT_EVENTS_LOST);
		return;
	}
	genlmsg_end(skb, hdr);
	ret = genlmsg_multicast_netns(&mgre_genl_family,
				      dev_net(mgre_to_dev(md)), skb, 0,
				      MGRE_MCGRP_EVENTS, GFP_ATOMIC);
	/* (-ESRCH: the last listener left meanwhile) */
	if (ret && ret != -ESRCH)
		mgre_stat_inc(md, MGRE_STAT_EVENTS_LOST);
}

void mgre_event_entry(struct net_device *dev, const struct mgre_entry *e,
		      enum mgre_cache_op op, u8 old_type, __be32 old_nbma)
{
	unsigned long expires = READ_ONCE(e->expires), now = jiffies;
	struct mgre_device *md;
	struct sk_buff *skb;
	bool err;
	void *hdr;

	if (!dev)
		return;
	md = netdev_priv(dev);
	skb = mgre_event_new(md, MGRE_EV_ENTRY_ADD + op, &hdr);
	if (!skb)
		return;
	err = nla_put(skb, MGRE_A_PROTO, sizeof(e->key.proto), &e->key.proto) ||
	      nla_put_u8(skb, MGRE_A_PREFIXLEN, mgre_entry_plen(e)) ||
	      nla_put_in_addr(skb, MGRE_A_NBMA, READ_ONCE(e->nbma)) ||
	      nla_put_u8(skb, MGRE_A_TYPE, READ_ONCE(e->type)) ||
	      nla_put_u32(skb, MGRE_A_FLAGS, READ_ONCE(e->flags));
	if (!err && expires)
		err = nla_put_u32(skb, MGRE_A_EXPIRES, time_after(expires, now) ?
				  jiffies_to_msecs(expires - now) / MSEC_PER_SEC :
				  0);
	if (!err && READ_ONCE(e->via))
		err = nla_put_in_addr(skb, MGRE_A_NEXT_HOP, READ_ONCE(e->via));
	if (!err && op == MGRE_CACHE_UPDATE)
		err = nla_put_u8(skb, MGRE_A_OLD_TYPE, old_type) ||
		      nla_put_in_addr(skb, MGRE_A_OLD_NBMA, old_nbma);
	mgre_event_end(md, skb, hdr, err);
}

void mgre_event_reg_refused(struct mgre_device *md, __be32 proto,
			    __be32 nbma, u8 code)
{
	struct sk_buff *skb;
	void *hdr;

	skb = mgre_event_new(md, MGRE_EV_REG_REFUSED, &hdr);
	if (skb)
		mgre_event_end(md, skb, hdr,
			       nla_put(skb, MGRE_A_PROTO, sizeof(proto), &proto) ||
			       nla_put_in_addr(skb, MGRE_A_NBMA, nbma) ||
			       nla_put_u8(skb, MGRE_A_CIE_CODE, code));
}

void mgre_event_nhs(struct mgre_device *md, const struct mgre_nhs *n,
		    __be32 nbma, u8 event, u8 cie_code, u16 error_code)
{
	__be32 proto = READ_ONCE(n->proto);
	struct sk_buff *skb;
	void *hdr;

	skb = mgre_event_new(md, event, &hdr);
	if (skb)
		mgre_event_end(md, skb, hdr,
			       nla_put(skb, MGRE_A_PROTO, sizeof(proto),
				       &proto) ||
			       nla_put_in_addr(skb, MGRE_A_NBMA, nbma) ||
			       (cie_code &&
				nla_put_u8(skb, MGRE_A_CIE_CODE, cie_code)) ||
			       (error_code &&
				nla_put_u16(skb, MGRE_A_ERROR_CODE, error_code)));
}

void mgre_event_res_sent(struct mgre_device *md, __be32 proto, u32 reqid)
{
	struct sk_buff *skb;
	void *hdr;

	skb = mgre_event_new(md, MGRE_EV_RES_SENT, &hdr);
	if (skb)
		mgre_event_end(md, skb, hdr,
			       nla_put(skb, MGRE_A_PROTO, sizeof(proto), &proto) ||
			       nla_put_u32(skb, MGRE_A_REQID, reqid));
}

void mgre_event_carrier(struct mgre_device *md, bool on)
{
	struct sk_buff *skb;
	void *hdr;

	skb = mgre_event_new(md, MGRE_EV_CARRIER, &hdr);
	if (skb)
		mgre_event_end(md, skb, hdr,
			       nla_put_u8(skb, MGRE_A_CARRIER, on));
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events for "nhrpctl monitor": generic netlink notifications
 * (MGRE_CMD_EVENT) to the family's "events" group in the device's netns,
 * built only when someone listens there.  Callable from any context,
 * under spinlocks too (GFP_ATOMIC); an event that cannot be sent is
 * counted (events_lost).
 */
#ifndef _MGRE_EVENTS_H
#define _MGRE_EVENTS_H

#include "cache.h"
#include "device.h"

struct mgre_nhs;

/* @dev may be NULL (the cache's in-module selftest): no event. */
void mgre_event_entry(struct net_device *dev, const struct mgre_entry *e,
		      enum mgre_cache_op op, u8 old_type, __be32 old_nbma);
void mgre_event_reg_refused(struct mgre_device *md, __be32 proto,
			    __be32 nbma, u8 code);
/* MGRE_EV_NHS_UP or _DOWN; @cie_code, @error_code: 0 for none */
void mgre_event_nhs(struct mgre_device *md, const struct mgre_nhs *n,
		    __be32 nbma, u8 event, u8 cie_code, u16 error_code);
void mgre_event_res_sent(struct mgre_device *md, __be32 proto, u32 reqid);
void mgre_event_carrier(struct mgre_device *md, bool on);

#endif /* _MGRE_EVENTS_H */

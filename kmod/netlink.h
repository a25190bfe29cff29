/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MGRE_NETLINK_H
#define _MGRE_NETLINK_H

#include <net/genetlink.h>

/* The family "mgre" (netlink.c), and its multicast groups, in order. */
extern struct genl_family mgre_genl_family;

enum mgre_genl_mcgrp {
	MGRE_MCGRP_EVENTS,	/* MGRE_GENL_MCGRP_EVENTS, events.c */
};

int mgre_genetlink_init(void);
void mgre_genetlink_uninit(void);

#endif /* _MGRE_NETLINK_H */

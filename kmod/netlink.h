/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MGRE_NETLINK_H
#define _MGRE_NETLINK_H

int mgre_genetlink_init(void);
void mgre_genetlink_uninit(void);

#endif /* _MGRE_NETLINK_H */

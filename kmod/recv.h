/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MGRE_RECV_H
#define _MGRE_RECV_H

int mgre_recv_init(void);
void mgre_recv_uninit(void);

#endif /* _MGRE_RECV_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the NHRP engine: what its files share (nhrp.c receives and runs
 * the work; nhrp_reg.c, nhrp_res.c and nhrp_purge.c are the protocol
 * steps; nhrp_msg.c builds and sends).  The rest of the module uses
 * nhrp.h.
 */
#ifndef _MGRE_NHRP_INT_H
#define _MGRE_NHRP_INT_H

#include "device.h"
#include "nhrp.h"
#include "nhrp_codec.h"

struct mgre_nhs;

/* A packet being built, with storage for the addresses it points to. */
struct mgre_msg {
	struct nhrp_pkt p;
	__be32 src_nbma;
	__be32 src_proto;
	__be32 dst_proto;
	__be32 cie_nbma[2];
	__be32 cie_proto[2];
	u8 auth[MGRE_AUTH_MAX];
};

/* An IPv4 address from a field of @len bytes; 0 if it is not one. */
static inline __be32 mgre_get4(const u8 *p, unsigned int len)
{
	__be32 v = 0;

	if (p && len == sizeof(v))
		memcpy(&v, p, sizeof(v));
	return v;
}

/* nhrp_msg.c */
__be32 mgre_local_proto(struct mgre_device *md, __be32 peer);
bool mgre_is_local_proto(struct mgre_device *md, __be32 addr);
bool mgre_proto_allowed(struct mgre_device *md, __be32 addr);
bool mgre_is_tunnel_host(struct mgre_device *md, __be32 addr);
bool mgre_prefix_overlaps_tunnel(struct mgre_device *md, __be32 addr, u8 plen);
bool mgre_is_nhs_nbma(struct mgre_device *md, __be32 nbma);
void mgre_nhrp_xmit(struct mgre_device *md, struct mgre_msg *m,
		    __be32 nbma);
struct mgre_msg *mgre_msg_new(struct mgre_device *md, u8 type);
void mgre_msg_addrs(struct mgre_msg *m, __be32 src_nbma,
		    __be32 src_proto, __be32 dst_proto);
struct nhrp_cie *mgre_msg_cie(struct mgre_msg *m, struct nhrp_ext *e,
			      unsigned int slot, __be32 nbma,
			      __be32 proto, u16 holdtime, u16 mtu);
/* Our password, as the Authentication extension (if one is set). */
void mgre_msg_auth(struct mgre_msg *m, const struct mgre_nhrp_cfg *cfg);
struct nhrp_ext *mgre_msg_request_exts(struct mgre_msg *m,
				       const struct mgre_nhrp_cfg *cfg);
void mgre_msg_responder(struct mgre_device *md, struct mgre_msg *m,
			const struct mgre_nhrp_cfg *cfg,
			__be32 nbma, __be32 proto);
void mgre_msg_transit_send(struct mgre_device *md,
			   const struct mgre_nhrp_cfg *cfg,
			   struct mgre_msg *m, u16 type, __be32 self,
			   __be32 to_nbma);
__be32 mgre_nat_nbma(const struct nhrp_pkt *q, __be32 proto,
		     __be32 nbma);
void mgre_nhrp_send_error(struct mgre_device *md,
			  const u8 *bad, unsigned int len,
			  __be32 bad_src_proto, __be32 nbma,
			  u16 code, u16 offset);

/* nhrp_reg.c */
void mgre_nhs_set_state(struct mgre_device *md, struct mgre_nhs *n,
			u8 state, u8 cie_code, u16 error_code,
			const char *why);
void mgre_nhs_refused(struct mgre_device *md, const struct mgre_nhrp_cfg *cfg,
		      struct mgre_nhs *n, u8 cie_code, u16 error_code);
void mgre_nhrp_reg_tick(struct mgre_device *md,
			const struct mgre_nhrp_cfg *cfg);
void mgre_nhrp_reg_reply(struct mgre_device *md,
			 const struct mgre_nhrp_cfg *cfg,
			 const struct nhrp_pkt *p, __be32 outer_src);
void mgre_nhrp_reg_req(struct mgre_device *md,
		       const struct mgre_nhrp_cfg *cfg,
		       const struct nhrp_pkt *q, __be32 outer_src);

/* nhrp_res.c */
void mgre_nhrp_resolve(struct mgre_device *md, __be32 proto, u32 flags);
void mgre_nhrp_send_res_req(struct mgre_device *md,
			    const struct mgre_nhrp_cfg *cfg,
			    __be32 target, u32 reqid);
void mgre_nhrp_res_req(struct mgre_device *md,
		       const struct mgre_nhrp_cfg *cfg,
		       const u8 *raw, const struct nhrp_pkt *q,
		       __be32 outer_src);
void mgre_nhrp_res_reply(struct mgre_device *md,
			 const struct mgre_nhrp_cfg *cfg,
			 const struct nhrp_pkt *p, __be32 outer_src);

/* nhrp_redirect.c */
enum mgre_egress {
	MGRE_EGRESS_NONE,
	MGRE_EGRESS_TUNNEL,
	MGRE_EGRESS_OTHER,
};

enum mgre_egress mgre_route_egress(struct mgre_device *md, __be32 addr,
				   __be32 *nh, u8 *plen);
bool mgre_route_cover(struct mgre_device *md, __be32 addr, u8 *len,
		      u32 *tb_id);
void mgre_nhrp_traffic_ind(struct mgre_device *md, const struct nhrp_pkt *p,
			   __be32 outer_src);
void mgre_nhrp_covers_work(struct mgre_device *md);

/* nhrp_purge.c */
void mgre_nhrp_purge_req(struct mgre_device *md,
			 const struct nhrp_pkt *q, __be32 outer_src);
void mgre_nhrp_send_purge(struct mgre_device *md,
			  const struct mgre_nhrp_cfg *cfg,
			  __be32 nhs_proto, __be32 nhs_nbma);
void mgre_nhrp_purged_work(struct mgre_device *md);
void mgre_nhrp_purge_peers(struct mgre_device *md);

#endif /* _MGRE_NHRP_INT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events: what IOS's "debug nhrp packet" and "debug nhrp cache"
 * show, for tracefs, perf and trace-cmd (Documentation/debugging.md).
 *
 *   mgre:mgre_nhrp_rx	every NHRP packet that decoded, before it is
 *			checked (authentication, addresses, rate limits)
 *   mgre:mgre_nhrp_tx	every NHRP packet sent
 *   mgre:mgre_cache	every change of an NHRP cache entry
 *   mgre:mgre_drop	every packet dropped and every change refused,
 *			named by the counter that counts it (its name in
 *			"nhrpctl stats"; the counters of mgre_stat_drop[]
 *			in main.c)
 *
 * Each names the device and its network namespace (the inode number
 * "readlink /proc/PID/ns/net" prints), since a tracing buffer is global.
 * The events cost a static branch while disabled.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mgre

#if !defined(_MGRE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MGRE_TRACE_H

#include <linux/netdevice.h>
#include <linux/tracepoint.h>
#include <net/net_namespace.h>

#include "cache.h"
#include "nhrp_codec.h"

#ifndef _MGRE_TRACE_HELPERS
#define _MGRE_TRACE_HELPERS
/* @to: an IPv4 address from a field of @len bytes; 0.0.0.0 if not one. */
static inline void mgre_trace_addr(u8 *to, const u8 *p, unsigned int len)
{
	if (p && len == 4)
		memcpy(to, p, 4);
	else
		memset(to, 0, 4);
}

/*
 * The packet's code: an error indication's error code, the first CIE's
 * code of a reply; 0 for a request.
 */
static inline u16 mgre_trace_code(const struct nhrp_pkt *p)
{
	switch (p->type) {
	case NHRP_TYPE_ERROR_IND:
		return nhrp_ei_code(p);
	case NHRP_TYPE_RES_REPLY:
	case NHRP_TYPE_REG_REPLY:
	case NHRP_TYPE_PURGE_REPLY:
		return p->mand_cies ? p->cie[0].code : 0;
	default:
		return 0;
	}
}

static inline const char *mgre_trace_dev(const struct net_device *dev)
{
	return dev ? dev->name : "-";
}

static inline u32 mgre_trace_netns(const struct net_device *dev)
{
	return dev ? dev_net(dev)->ns.inum : 0;
}

/* Seconds until @e expires; 0 for never (or already). */
static inline u32 mgre_trace_expires(const struct mgre_entry *e)
{
	unsigned long expires = READ_ONCE(e->expires), now = jiffies;

	return expires && time_after(expires, now) ? (expires - now) / HZ : 0;
}
#endif /* _MGRE_TRACE_HELPERS */

/* (so that perf and trace-cmd can print the symbols too) */
TRACE_DEFINE_ENUM(NHRP_TYPE_RES_REQ);
TRACE_DEFINE_ENUM(NHRP_TYPE_RES_REPLY);
TRACE_DEFINE_ENUM(NHRP_TYPE_REG_REQ);
TRACE_DEFINE_ENUM(NHRP_TYPE_REG_REPLY);
TRACE_DEFINE_ENUM(NHRP_TYPE_PURGE_REQ);
TRACE_DEFINE_ENUM(NHRP_TYPE_PURGE_REPLY);
TRACE_DEFINE_ENUM(NHRP_TYPE_ERROR_IND);
TRACE_DEFINE_ENUM(NHRP_TYPE_TRAFFIC_IND);
TRACE_DEFINE_ENUM(MGRE_ENTRY_STATIC);
TRACE_DEFINE_ENUM(MGRE_ENTRY_DYNAMIC);
TRACE_DEFINE_ENUM(MGRE_ENTRY_CACHED);
TRACE_DEFINE_ENUM(MGRE_ENTRY_INCOMPLETE);
TRACE_DEFINE_ENUM(MGRE_ENTRY_NEGATIVE);
TRACE_DEFINE_ENUM(MGRE_ENTRY_LOCAL);
TRACE_DEFINE_ENUM(MGRE_CACHE_ADD);
TRACE_DEFINE_ENUM(MGRE_CACHE_UPDATE);
TRACE_DEFINE_ENUM(MGRE_CACHE_NEGATIVE);
TRACE_DEFINE_ENUM(MGRE_CACHE_EXPIRE);
TRACE_DEFINE_ENUM(MGRE_CACHE_PURGE);
TRACE_DEFINE_ENUM(MGRE_CACHE_FLUSH);
TRACE_DEFINE_ENUM(MGRE_CACHE_DEL);
TRACE_DEFINE_ENUM(MGRE_CACHE_REPLACE);

/*
 * @peer: where the packet came from (outer source) or goes to (NBMA
 * address).  src_nbma, src and dst are the packet's source NBMA,
 * source and destination protocol addresses (0.0.0.0 when not IPv4).
 */
DECLARE_EVENT_CLASS(mgre_nhrp_pkt,
		    TP_PROTO(const struct net_device *dev,
			     const struct nhrp_pkt *p, __be32 peer),
		    TP_ARGS(dev, p, peer),
		    TP_STRUCT__entry(__string(dev, mgre_trace_dev(dev))
				     __field(u32, netns)
				     __array(u8, peer, 4)
				     __array(u8, src_nbma, 4)
				     __array(u8, src, 4)
				     __array(u8, dst, 4)
				     __field(u32, reqid)
				     __field(u16, flags)
				     __field(u16, code)
				     __field(u8, type)
				     __field(u8, hopcnt)
				     __field(u8, cies)),
		    TP_fast_assign(__assign_str(dev, mgre_trace_dev(dev));
				   __entry->netns = mgre_trace_netns(dev);
				   memcpy(__entry->peer, &peer, 4);
				   mgre_trace_addr(__entry->src_nbma, p->src_nbma,
						   NHRP_TL_LEN(p->shtl));
				   mgre_trace_addr(__entry->src, p->src_proto,
						   p->src_proto_len);
				   mgre_trace_addr(__entry->dst, p->dst_proto,
						   p->dst_proto_len);
				   __entry->reqid = p->reqid;
				   __entry->flags = p->flags;
				   __entry->code = mgre_trace_code(p);
				   __entry->type = p->type;
				   __entry->hopcnt = p->hopcnt;
				   __entry->cies = p->mand_cies;),
		    TP_printk("dev=%s netns=%u peer=%pI4 type=%s id=%u flags=0x%04x hop=%u src_nbma=%pI4 src=%pI4 dst=%pI4 code=%u cies=%u",
			      __get_str(dev), __entry->netns, __entry->peer,
			      __print_symbolic(__entry->type,
					       { NHRP_TYPE_RES_REQ, "res-req" },
					       { NHRP_TYPE_RES_REPLY, "res-reply" },
					       { NHRP_TYPE_REG_REQ, "reg-req" },
					       { NHRP_TYPE_REG_REPLY, "reg-reply" },
					       { NHRP_TYPE_PURGE_REQ, "purge-req" },
					       { NHRP_TYPE_PURGE_REPLY, "purge-reply" },
					       { NHRP_TYPE_ERROR_IND, "error-ind" },
					       { NHRP_TYPE_TRAFFIC_IND, "traffic-ind" }),
			      __entry->reqid, __entry->flags, __entry->hopcnt,
			      __entry->src_nbma, __entry->src, __entry->dst,
			      __entry->code, __entry->cies)
);

DEFINE_EVENT(mgre_nhrp_pkt, mgre_nhrp_rx,
	     TP_PROTO(const struct net_device *dev, const struct nhrp_pkt *p,
		      __be32 peer),
	     TP_ARGS(dev, p, peer)
);

DEFINE_EVENT(mgre_nhrp_pkt, mgre_nhrp_tx,
	     TP_PROTO(const struct net_device *dev, const struct nhrp_pkt *p,
		      __be32 peer),
	     TP_ARGS(dev, p, peer)
);

/*
 * An entry changed: @op says how; type and nbma are what it is now
 * (what it was, for the removals), old_type and old_nbma what it was
 * before an update or a turn negative (the same as type and nbma for
 * the other operations).  expires: seconds left (0: never).
 */
#define MGRE_TRACE_ENTRY_TYPE(t)					\
	__print_symbolic(t,						\
			 { MGRE_ENTRY_STATIC, "static" },		\
			 { MGRE_ENTRY_DYNAMIC, "dynamic" },		\
			 { MGRE_ENTRY_CACHED, "cached" },		\
			 { MGRE_ENTRY_INCOMPLETE, "incomplete" },	\
			 { MGRE_ENTRY_NEGATIVE, "negative" },		\
			 { MGRE_ENTRY_LOCAL, "local" })

TRACE_EVENT(mgre_cache,
	    TP_PROTO(const struct net_device *dev, const struct mgre_entry *e,
		     enum mgre_cache_op op, u8 old_type, __be32 old_nbma),
	    TP_ARGS(dev, e, op, old_type, old_nbma),
	    TP_STRUCT__entry(__string(dev, mgre_trace_dev(dev))
			     __field(u32, netns)
			     __array(u8, proto, 4)
			     __array(u8, nbma, 4)
			     __array(u8, old_nbma, 4)
			     __field(u32, flags)
			     __field(u32, expires)
			     __field(u8, op)
			     __field(u8, prefixlen)
			     __field(u8, type)
			     __field(u8, old_type)),
	    TP_fast_assign(__assign_str(dev, mgre_trace_dev(dev));
			   __entry->netns = mgre_trace_netns(dev);
			   memcpy(__entry->proto, &e->key.proto, 4);
			   memcpy(__entry->nbma, &e->nbma, 4);
			   memcpy(__entry->old_nbma, &old_nbma, 4);
			   __entry->flags = e->flags;
			   __entry->expires = mgre_trace_expires(e);
			   __entry->op = op;
			   __entry->prefixlen = e->key.prefixlen;
			   __entry->type = e->type;
			   __entry->old_type = old_type;),
	    TP_printk("dev=%s netns=%u %s %pI4/%u type=%s nbma=%pI4 flags=0x%x expires=%u old_type=%s old_nbma=%pI4",
		      __get_str(dev), __entry->netns,
		      __print_symbolic(__entry->op,
				       { MGRE_CACHE_ADD, "add" },
				       { MGRE_CACHE_UPDATE, "update" },
				       { MGRE_CACHE_NEGATIVE, "negative" },
				       { MGRE_CACHE_EXPIRE, "expire" },
				       { MGRE_CACHE_PURGE, "purge" },
				       { MGRE_CACHE_FLUSH, "flush" },
				       { MGRE_CACHE_DEL, "del" },
				       { MGRE_CACHE_REPLACE, "replace" }),
		      __entry->proto, __entry->prefixlen,
		      MGRE_TRACE_ENTRY_TYPE(__entry->type),
		      __entry->nbma, __entry->flags, __entry->expires,
		      MGRE_TRACE_ENTRY_TYPE(__entry->old_type),
		      __entry->old_nbma)
);

/*
 * The counters of mgre_drop, by their names in "nhrpctl stats": those of
 * mgre_stat_drop[] (main.c).  (Their values in the format file, for perf
 * and trace-cmd.)
 */
TRACE_DEFINE_ENUM(MGRE_STAT_TX_CACHE_MISS);
TRACE_DEFINE_ENUM(MGRE_STAT_TX_NO_MCAST_MAP);
TRACE_DEFINE_ENUM(MGRE_STAT_TX_UNSUPPORTED);
TRACE_DEFINE_ENUM(MGRE_STAT_TX_NOMEM);
TRACE_DEFINE_ENUM(MGRE_STAT_RX_NHRP_DROP);
TRACE_DEFINE_ENUM(MGRE_STAT_RX_KEY_MISMATCH);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_MALFORMED);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_AUTH_FAIL);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_UNSUPPORTED);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_UNMATCHED);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_LOOP);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_HOPCNT);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_REG_REFUSED);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_NOMEM);
TRACE_DEFINE_ENUM(MGRE_STAT_RX_UNPROTECTED);
TRACE_DEFINE_ENUM(MGRE_STAT_KA_DROP);
TRACE_DEFINE_ENUM(MGRE_STAT_KA_UNSOLICITED);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_OUT_OF_SUBNET);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_RES_UNVERIFIED);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_PURGE_REFUSED);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_REG_NBMA_LIMIT);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_REG_MCAST_LIMIT);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_RATELIMITED);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_TX_RATELIMITED);
TRACE_DEFINE_ENUM(MGRE_STAT_TX_ERRORS);
TRACE_DEFINE_ENUM(MGRE_STAT_EVENTS_LOST);
TRACE_DEFINE_ENUM(MGRE_STAT_NHRP_RX_TI_IGNORED);

#define MGRE_TRACE_DROP(r)						\
	__print_symbolic(r,						\
			 { MGRE_STAT_TX_CACHE_MISS, "tx_cache_miss" },	\
			 { MGRE_STAT_TX_NO_MCAST_MAP, "tx_no_mcast_map" },	\
			 { MGRE_STAT_TX_UNSUPPORTED, "tx_unsupported" },	\
			 { MGRE_STAT_TX_NOMEM, "tx_nomem" },	\
			 { MGRE_STAT_RX_NHRP_DROP, "rx_nhrp_drop" },	\
			 { MGRE_STAT_RX_KEY_MISMATCH, "rx_key_mismatch" },	\
			 { MGRE_STAT_NHRP_RX_MALFORMED, "nhrp_rx_malformed" },	\
			 { MGRE_STAT_NHRP_RX_AUTH_FAIL, "nhrp_rx_auth_fail" },	\
			 { MGRE_STAT_NHRP_RX_UNSUPPORTED, "nhrp_rx_unsupported" },	\
			 { MGRE_STAT_NHRP_RX_UNMATCHED, "nhrp_rx_unmatched" },	\
			 { MGRE_STAT_NHRP_RX_LOOP, "nhrp_rx_loop" },	\
			 { MGRE_STAT_NHRP_RX_HOPCNT, "nhrp_rx_hopcnt" },	\
			 { MGRE_STAT_NHRP_REG_REFUSED, "nhrp_reg_refused" },	\
			 { MGRE_STAT_NHRP_NOMEM, "nhrp_nomem" },	\
			 { MGRE_STAT_RX_UNPROTECTED, "rx_unprotected" },	\
			 { MGRE_STAT_KA_DROP, "ka_drop" },	\
			 { MGRE_STAT_KA_UNSOLICITED, "ka_unsolicited" },	\
			 { MGRE_STAT_NHRP_RX_OUT_OF_SUBNET, "nhrp_rx_out_of_subnet" },	\
			 { MGRE_STAT_NHRP_RX_RES_UNVERIFIED, "nhrp_rx_res_unverified" },	\
			 { MGRE_STAT_NHRP_PURGE_REFUSED, "nhrp_purge_refused" },	\
			 { MGRE_STAT_NHRP_REG_NBMA_LIMIT, "nhrp_reg_nbma_limit" },	\
			 { MGRE_STAT_NHRP_REG_MCAST_LIMIT, "nhrp_reg_mcast_limit" },	\
			 { MGRE_STAT_NHRP_RX_RATELIMITED, "nhrp_rx_ratelimited" },	\
			 { MGRE_STAT_NHRP_TX_RATELIMITED, "nhrp_tx_ratelimited" },	\
			 { MGRE_STAT_TX_ERRORS, "tx_errors" },	\
			 { MGRE_STAT_EVENTS_LOST, "events_lost" },	\
			 { MGRE_STAT_NHRP_RX_TI_IGNORED, "nhrp_rx_ti_ignored" })

TRACE_EVENT(mgre_drop,
	    TP_PROTO(const struct net_device *dev, unsigned int reason),
	    TP_ARGS(dev, reason),
	    TP_STRUCT__entry(__string(dev, mgre_trace_dev(dev))
			     __field(u32, netns)
			     __field(u32, reason)),
	    TP_fast_assign(__assign_str(dev, mgre_trace_dev(dev));
			   __entry->netns = mgre_trace_netns(dev);
			   __entry->reason = reason;),
	    TP_printk("dev=%s netns=%u reason=%s", __get_str(dev),
		      __entry->netns, MGRE_TRACE_DROP(__entry->reason))
);

#endif /* _MGRE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mgre_trace
#include <trace/define_trace.h>

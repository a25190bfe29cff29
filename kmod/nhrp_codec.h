/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NHRP wire codec: RFC 2332 plus the Cisco DMVPN extensions.
 *
 * Pure code: no allocation, no locking, no libc, no kernel calls beyond
 * nhrp_shim.h.  The same source is built into the kernel module and into
 * the userspace unit tests and fuzzer.
 *
 * Decoding fills a caller-provided struct nhrp_pkt whose address, payload
 * and extension-value pointers point INTO the decoded buffer: the buffer
 * must outlive the struct (or at least its use).  For encoding, the
 * caller points them at its own storage.  The struct is about 1.1 KiB
 * with the default bounds; do not put it on a deep stack.
 *
 * Packet layout (all big endian):
 *   fixed header (20 bytes)      afn, pro.type, pro.snap[5], hopcnt, pktsz,
 *                                chksum, extoff, op.version, op.type,
 *                                shtl, sstl
 *   mandatory part (8 bytes)     src proto len, dst proto len, flags,
 *                                request id (Error Indication: error code
 *                                + error offset; Traffic Indication:
 *                                traffic code + unused)
 *   addresses                    src NBMA, src NBMA subaddr, src proto,
 *                                dst proto
 *   body                         types 1-6: CIEs; types 7 and 8: the
 *                                offending/triggering packet (payload)
 *   extensions (at extoff)       { type (0x8000 = compulsory), length,
 *                                value } ... End (0x8000, 0)
 *
 * CIEs: all CIEs of a packet live in one pool, p->cie[0..ncie).  The
 * mandatory part owns p->cie[0..mand_cies), each extension owns
 * p->cie[e->cie_first .. e->cie_first + e->cie_cnt).  Groups are stored
 * in packet order; nhrp_cie_add()/nhrp_ext_add()/nhrp_ext_del() keep that
 * invariant, so use them rather than editing the counts by hand.
 *
 * Round trip: nhrp_encode(nhrp_decode(b)) reproduces the ar$pktsz bytes
 * of b exactly (all reserved/unused fields, type bits, compulsory bits
 * and unknown extensions are kept).  Bytes past ar$pktsz are not part of
 * the packet and are not reproduced; a bad checksum accepted with
 * NHRP_DECODE_NO_CSUM is re-encoded correct.
 */
#ifndef _MGRE_NHRP_CODEC_H
#define _MGRE_NHRP_CODEC_H

#include "nhrp_shim.h"

/* Bounds of the decoded representation (compile-time tunable). */
#ifndef NHRP_MAX_CIES
#define NHRP_MAX_CIES		16	/* CIEs per packet, all groups */
#endif
#ifndef NHRP_MAX_EXTS
#define NHRP_MAX_EXTS		16	/* extensions per packet, w/o End */
#endif
#define NHRP_MAX_NBMA_LEN	20	/* NBMA address / subaddress (NSAP) */
#define NHRP_MAX_PROTO_LEN	16	/* protocol address (IPv6) */

#define NHRP_FIXED_LEN		20
#define NHRP_MAND_LEN		8	/* mandatory part without addresses */
#define NHRP_CIE_LEN		12	/* CIE without addresses */
#define NHRP_EXT_HDR_LEN	4
#define NHRP_VERSION		1

/* ar$afn (address family numbers) and ar$pro.type */
#define NHRP_AFN_IPV4		0x0001
#define NHRP_AFN_IPV6		0x0002
#define NHRP_PRO_IPV4		0x0800
#define NHRP_PRO_IPV6		0x86dd

/* ar$shtl, ar$sstl, CIE cli_addr_tl / cli_saddr_tl */
#define NHRP_TL_LEN_MASK	0x3f
#define NHRP_TL_E164		0x40	/* type bit: 0 = NSAP, 1 = E.164 */
#define NHRP_TL_LEN(tl)		((tl) & NHRP_TL_LEN_MASK)

/* ar$op.type */
enum nhrp_type {
	NHRP_TYPE_RES_REQ = 1,
	NHRP_TYPE_RES_REPLY = 2,
	NHRP_TYPE_REG_REQ = 3,
	NHRP_TYPE_REG_REPLY = 4,
	NHRP_TYPE_PURGE_REQ = 5,
	NHRP_TYPE_PURGE_REPLY = 6,
	NHRP_TYPE_ERROR_IND = 7,
	NHRP_TYPE_TRAFFIC_IND = 8,	/* Cisco / draft-detienne-dmvpn */
};

/* Mandatory-part flags (meaning depends on the packet type) */
#define NHRP_FLAG_RES_Q		0x8000	/* resolution: source is a router */
#define NHRP_FLAG_RES_A		0x4000	/* authoritative */
#define NHRP_FLAG_RES_D		0x2000	/* destination is stable */
#define NHRP_FLAG_RES_U		0x1000	/* unique */
#define NHRP_FLAG_RES_S		0x0800	/* source is stable */
#define NHRP_FLAG_REG_U		0x8000	/* registration: unique */
#define NHRP_FLAG_PURGE_N	0x8000	/* purge: no reply wanted */
#define NHRP_FLAG_CISCO_NAT	0x0002	/* Cisco: NAT extension supported */

/* Extension types; the wire type word is C(1) u(1) type(14) */
#define NHRP_EXT_COMPULSORY	0x8000
#define NHRP_EXT_TYPE_MASK	0x3fff
#define NHRP_EXT_TYPE(t)	((t) & NHRP_EXT_TYPE_MASK)
enum nhrp_ext_type {
	NHRP_EXT_END = 0,
	NHRP_EXT_RESPONDER = 3,		/* one CIE (replies) */
	NHRP_EXT_FWD_TRANSIT = 4,	/* CIEs, one per NHS on the way */
	NHRP_EXT_REV_TRANSIT = 5,	/* CIEs */
	NHRP_EXT_AUTH = 7,		/* Cisco: be32 type + secret */
	NHRP_EXT_VENDOR = 8,		/* 3-byte OUI + data */
	NHRP_EXT_NAT_ADDR = 9,		/* Cisco: CIEs with NAT'd NBMA */
};

#define NHRP_AUTH_CLEARTEXT	1	/* Cisco auth type word */
#define NHRP_OUI_CISCO		0x00000c

/* CIE codes */
#define NHRP_CODE_SUCCESS		0
#define NHRP_CODE_ADMIN_PROHIBITED	4
#define NHRP_CODE_NO_RESOURCES		5
#define NHRP_CODE_NO_BINDING		11
#define NHRP_CODE_BINDING_NON_UNIQUE	13
#define NHRP_CODE_ALREADY_REGISTERED	14

/* Error Indication codes (RFC 2332 5.2.7; loop detected is 3) */
#define NHRP_ERR_UNRECOGNIZED_EXT	1
#define NHRP_ERR_LOOP_DETECTED		3
#define NHRP_ERR_PROTO_UNREACHABLE	6
#define NHRP_ERR_PROTOCOL		7
#define NHRP_ERR_SDU_SIZE		8
#define NHRP_ERR_INVALID_EXT		9
#define NHRP_ERR_INVALID_RES_REPLY	10
#define NHRP_ERR_AUTH_FAILURE		11
#define NHRP_ERR_HOP_COUNT		15

/* Traffic Indication codes */
#define NHRP_TRAFFIC_REDIRECT		0

/*
 * Codec errors.  Functions return -NHRP_E_xxx.  The values are dense
 * (1 .. NHRP_E_MAX - 1) so they can index per-reason drop counters.
 */
enum nhrp_err {
	NHRP_OK = 0,
	NHRP_E_SHORT,		/* buffer shorter than the fixed header */
	NHRP_E_PKTSZ_BIG,	/* ar$pktsz larger than the buffer */
	NHRP_E_PKTSZ_SMALL,	/* ar$pktsz below fixed + mandatory header */
	NHRP_E_VERSION,		/* ar$op.version != 1 */
	NHRP_E_TYPE,		/* ar$op.type not 1..8 */
	NHRP_E_CSUM,		/* bad checksum */
	NHRP_E_EXTOFF_HDR,	/* ar$extoff inside the headers */
	NHRP_E_EXTOFF_PKT,	/* ar$extoff beyond ar$pktsz */
	NHRP_E_ADDR_LEN,	/* mandatory address length over the bounds */
	NHRP_E_MAND_TRUNC,	/* mandatory addresses overrun the packet */
	NHRP_E_CIE_TRUNC,	/* CIE header/addresses overrun its section */
	NHRP_E_CIE_ADDR_LEN,	/* CIE address length over the bounds */
	NHRP_E_TOO_MANY_CIES,	/* more than NHRP_MAX_CIES CIEs */
	NHRP_E_EXT_TRUNC,	/* extension header/value overruns packet */
	NHRP_E_TOO_MANY_EXTS,	/* more than NHRP_MAX_EXTS extensions */
	NHRP_E_EXT_NO_END,	/* extension list without End */
	NHRP_E_EXT_DUP_END,	/* second End extension */
	NHRP_E_EXT_TRAILING,	/* bytes after End within ar$pktsz */
	NHRP_E_EXT_END_LEN,	/* End extension with non-zero length */
	NHRP_E_EXT_COMPULSORY,	/* unknown extension with compulsory bit */
	NHRP_E_EXT_RESP_MULTI,	/* responder extension with > 1 CIE */
	NHRP_E_EXT_AUTH_LEN,	/* authentication extension shorter than 4 */
	NHRP_E_EXT_VENDOR_LEN,	/* vendor extension shorter than 3 */
	NHRP_E_NOSPACE,		/* encode: output buffer too small */
	NHRP_E_TOO_BIG,		/* encode: packet/extension over 65535 */
	NHRP_E_INVAL,		/* encode/helpers: inconsistent struct */
	NHRP_E_MAX
};

/*
 * Client Information Entry.  Addresses are pointers + lengths taken from
 * the TL bytes: nbma has NHRP_TL_LEN(nbma_tl) bytes, nbma_sub
 * NHRP_TL_LEN(nbma_stl) bytes and proto proto_len bytes.
 */
struct nhrp_cie {
	u8 code;
	u8 plen;		/* prefix length */
	u16 unused;		/* kept for byte-exact re-encoding */
	u16 mtu;
	u16 holdtime;
	u8 nbma_tl;		/* cli_addr_tl (raw, incl. type bit) */
	u8 nbma_stl;		/* cli_saddr_tl (raw) */
	u8 proto_len;		/* cli_proto_len */
	u8 pref;
	const u8 *nbma;
	const u8 *nbma_sub;
	const u8 *proto;
};

/*
 * One extension (End is not in the list, see nhrp_pkt.end_type).
 *
 * Value representation by type:
 *   RESPONDER, FWD_TRANSIT, REV_TRANSIT, NAT_ADDR: CIEs in the pool
 *	(cie_first, cie_cnt); data/dlen point at the raw value on decode
 *	but the encoder writes the CIEs.  A NAT_ADDR value that does not
 *	parse as CIEs (e.g. an RFC 2735 device-capabilities extension,
 *	which shares type 9) is kept raw with NHRP_EXTF_RAW set.
 *   AUTH:   hdr = 32-bit type/SPI word (1 = cleartext), data/dlen =
 *	the secret (wire length 4 + dlen).
 *   VENDOR: hdr = 24-bit OUI, data/dlen = the rest (wire len 3 + dlen).
 *   other:  data/dlen = the whole value, written back verbatim.
 */
struct nhrp_ext {
	u16 type;		/* wire type word, incl. compulsory bit */
	u16 len;		/* decode: wire value length (encode ignores) */
	u32 hdr;
	const u8 *data;
	u16 dlen;
	u8 flags;		/* NHRP_EXTF_* */
	u8 cie_first;
	u8 cie_cnt;
};

#define NHRP_EXTF_RAW	0x01	/* write data/dlen even for a CIE type */

struct nhrp_pkt {
	/* fixed header */
	u16 afn;
	u16 pro_type;
	u8 pro_snap[5];
	u8 hopcnt;
	u16 pktsz;		/* decode only: encode computes it */
	u16 csum;		/* decode only: encode computes it */
	u16 extoff;		/* decode only: encode computes it */
	u8 version;
	u8 type;		/* enum nhrp_type */
	u8 shtl;		/* src NBMA type/len (raw) */
	u8 sstl;		/* src NBMA subaddress type/len (raw) */
	/* mandatory part */
	u8 src_proto_len;
	u8 dst_proto_len;
	u16 flags;		/* NHRP_FLAG_*; unused in 7 and 8 */
	u32 reqid;		/* see nhrp_ei_code() / nhrp_ti_code() */
	const u8 *src_nbma;
	const u8 *src_nbma_sub;
	const u8 *src_proto;
	const u8 *dst_proto;
	/* Error/Traffic Indication: the quoted packet (may be truncated) */
	const u8 *payload;
	u16 payload_len;
	u16 end_type;		/* wire type word of End (normally 0x8000) */
	u16 err_off;		/* decode failure: offset of the bad item */
	u8 opts;		/* NHRP_PKT_* */
	u8 mand_cies;		/* CIEs of the mandatory part (types 1-6) */
	u8 ncie;		/* CIEs in the pool, all groups */
	u8 next;		/* extensions in ext[] */
	struct nhrp_cie cie[NHRP_MAX_CIES];
	struct nhrp_ext ext[NHRP_MAX_EXTS];
};

/* opts: the packet has an extension part (ar$extoff != 0, End present) */
#define NHRP_PKT_EXTS	0x01

/* nhrp_decode_flags() flags */
#define NHRP_DECODE_NO_CSUM	0x01	/* do not verify the checksum */
/*
 * Parse only the fixed header, the mandatory header and its addresses,
 * accept ar$pktsz > @len (a truncated copy) and skip the checksum: for
 * the packet quoted by an Error Indication (e.g. to find the request id
 * and destination of the request that failed).  The body, CIEs and
 * extensions are left empty.
 */
#define NHRP_DECODE_HDR_ONLY	0x02

/*
 * Decode the NHRP packet at @buf (@len linear bytes available, the
 * packet is ar$pktsz bytes; extra trailing bytes are ignored).
 * nhrp_decode() verifies the checksum.  Returns 0 or -NHRP_E_xxx.
 *
 * Checked: sizes, version 1, type 1..8, checksum, extoff, every length
 * against its section and the NHRP_MAX_* bounds, CIE/extension counts,
 * exactly one End (length 0) closing the extension part, Cisco auth
 * (>= 4 bytes) and vendor (>= 3 bytes) lengths, at most one responder
 * CIE, unknown extensions with the compulsory bit.  Not checked (the
 * engine's business): afn/protocol type vs address lengths, hop count,
 * flags, which extensions a packet type may carry.
 *
 * On failure p->err_off holds the offset of the offending field (usable
 * as the Error Offset of an Error Indication).  When the error comes
 * from the extension part (-NHRP_E_EXT_*, and notably
 * -NHRP_E_EXT_COMPULSORY, which calls for an Error Indication with code
 * NHRP_ERR_UNRECOGNIZED_EXT), the fixed header, mandatory part and body
 * of *p are valid.
 */
int nhrp_decode(const u8 *buf, size_t len, struct nhrp_pkt *p);
int nhrp_decode_flags(const u8 *buf, size_t len, struct nhrp_pkt *p,
		      unsigned int flags);

/*
 * Encode @p into @buf (at most @len bytes), computing ar$pktsz, ar$extoff
 * and ar$chksum.  The extension part (the extensions plus End, written
 * with p->end_type) is emitted when p->next > 0 or NHRP_PKT_EXTS is set.
 * Types 1-6 carry the mandatory CIEs, types 7 and 8 the payload (and
 * must have no mandatory CIEs).  Nothing else is validated: the encoder
 * writes whatever type, flags and hop count it is given.  With @buf NULL
 * only computes the size.  Returns the number of bytes (written) or
 * -NHRP_E_NOSPACE / -NHRP_E_TOO_BIG / -NHRP_E_INVAL.
 */
int nhrp_encode(const struct nhrp_pkt *p, u8 *buf, size_t len);

/*
 * Internet checksum (one's complement of the one's complement sum of the
 * big-endian 16-bit words, odd byte zero padded) of @buf.  Store the
 * result big endian in ar$chksum; a received packet is intact when
 * nhrp_csum() over its ar$pktsz bytes returns 0.
 */
u16 nhrp_csum(const u8 *buf, size_t len);

/* Static description of an error code (sign ignored). */
const char *nhrp_strerror(int err);

/*
 * Building.  nhrp_pkt_init() zeroes @p and sets version 1, hop count
 * 255 (what Cisco sends), End = 0x8000, NHRP_PKT_EXTS (Cisco always
 * sends an extension part) and the given type and families.  Set the
 * address pointers and the length fields (shtl, sstl, src_proto_len,
 * dst_proto_len) yourself.
 */
void nhrp_pkt_init(struct nhrp_pkt *p, u8 type, u16 afn, u16 pro_type);

/*
 * Append a zeroed CIE to the mandatory part (@e NULL) or to extension @e.
 * Returns NULL when the pool is full.  Pointers to CIEs of later groups
 * are invalidated (they move up by one slot).
 */
struct nhrp_cie *nhrp_cie_add(struct nhrp_pkt *p, struct nhrp_ext *e);

/* Set the addresses of a CIE (@nbma/@proto may be NULL with length 0). */
void nhrp_cie_set_addr(struct nhrp_cie *c, const u8 *nbma, u8 nbma_len,
		       const u8 *proto, u8 proto_len);

/*
 * Append an extension with wire type word @type (include
 * NHRP_EXT_COMPULSORY as wanted) and an empty value.  Returns NULL when
 * full.  Fill data/dlen/hdr or add CIEs with nhrp_cie_add().
 */
struct nhrp_ext *nhrp_ext_add(struct nhrp_pkt *p, u16 type);

/* Remove extension @e and its CIEs.  Pointers to later entries move. */
void nhrp_ext_del(struct nhrp_pkt *p, struct nhrp_ext *e);

/* First extension of type NHRP_EXT_TYPE(@type) (C bit ignored) or NULL */
struct nhrp_ext *nhrp_ext_find(struct nhrp_pkt *p, u16 type);

/*
 * First CIE of extension @e (mandatory part if @e is NULL) whose client
 * protocol address is @proto/@len, or NULL.  Loop detection: look for
 * our own address in the Forward Transit NHS Record of a request.
 */
const struct nhrp_cie *nhrp_cie_find_proto(const struct nhrp_pkt *p,
					   const struct nhrp_ext *e,
					   const u8 *proto, u8 len);

/* Set a Cisco authentication extension value (type word + secret). */
static inline void nhrp_ext_set_auth(struct nhrp_ext *e, u32 spi,
				     const u8 *secret, u16 len)
{
	e->hdr = spi;
	e->data = secret;
	e->dlen = len;
}

/* CIE @i of extension @e, mandatory part if @e is NULL (no checks). */
static inline struct nhrp_cie *nhrp_ext_cie(struct nhrp_pkt *p,
					    const struct nhrp_ext *e,
					    unsigned int i)
{
	return &p->cie[(e ? e->cie_first : 0) + i];
}

/* Number of CIEs in extension @e (mandatory part if @e is NULL). */
static inline unsigned int nhrp_ext_ncie(const struct nhrp_pkt *p,
					 const struct nhrp_ext *e)
{
	return e ? e->cie_cnt : p->mand_cies;
}

/* Error Indication: error code and offset share the request-id word. */
static inline u16 nhrp_ei_code(const struct nhrp_pkt *p)
{
	return (u16)(p->reqid >> 16);
}

static inline u16 nhrp_ei_offset(const struct nhrp_pkt *p)
{
	return (u16)(p->reqid & 0xffff);
}

static inline void nhrp_set_ei(struct nhrp_pkt *p, u16 code, u16 offset)
{
	p->reqid = (u32)code << 16 | offset;
}

/* Traffic Indication: traffic code in the upper half of that word. */
static inline u16 nhrp_ti_code(const struct nhrp_pkt *p)
{
	return (u16)(p->reqid >> 16);
}

static inline void nhrp_set_ti_code(struct nhrp_pkt *p, u16 code)
{
	p->reqid = (u32)code << 16 | (p->reqid & 0xffff);
}

#endif /* _MGRE_NHRP_CODEC_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * NHRP wire codec (RFC 2332 + Cisco DMVPN extensions).  See nhrp_codec.h.
 */
#include "nhrp_codec.h"

/* Offsets in the fixed header and the mandatory part */
#define OFF_AFN		0
#define OFF_PRO_TYPE	2
#define OFF_PRO_SNAP	4
#define OFF_HOPCNT	9
#define OFF_PKTSZ	10
#define OFF_CSUM	12
#define OFF_EXTOFF	14
#define OFF_VERSION	16
#define OFF_TYPE	17
#define OFF_SHTL	18
#define OFF_SSTL	19
#define OFF_SPL		20
#define OFF_DPL		21
#define OFF_FLAGS	22
#define OFF_REQID	24
#define OFF_ADDRS	(NHRP_FIXED_LEN + NHRP_MAND_LEN)

static const char * const nhrp_errstr[NHRP_E_MAX] = {
	[NHRP_OK] = "ok",
	[NHRP_E_SHORT] = "shorter than the fixed header",
	[NHRP_E_PKTSZ_BIG] = "packet size larger than the buffer",
	[NHRP_E_PKTSZ_SMALL] = "packet size smaller than the headers",
	[NHRP_E_VERSION] = "unsupported version",
	[NHRP_E_TYPE] = "unknown packet type",
	[NHRP_E_CSUM] = "bad checksum",
	[NHRP_E_EXTOFF_HDR] = "extension offset inside the headers",
	[NHRP_E_EXTOFF_PKT] = "extension offset beyond the packet",
	[NHRP_E_ADDR_LEN] = "address length out of bounds",
	[NHRP_E_MAND_TRUNC] = "mandatory part truncated",
	[NHRP_E_CIE_TRUNC] = "CIE truncated",
	[NHRP_E_CIE_ADDR_LEN] = "CIE address length out of bounds",
	[NHRP_E_TOO_MANY_CIES] = "too many CIEs",
	[NHRP_E_EXT_TRUNC] = "extension truncated",
	[NHRP_E_TOO_MANY_EXTS] = "too many extensions",
	[NHRP_E_EXT_NO_END] = "missing End extension",
	[NHRP_E_EXT_DUP_END] = "duplicate End extension",
	[NHRP_E_EXT_TRAILING] = "data after End extension",
	[NHRP_E_EXT_END_LEN] = "End extension with a value",
	[NHRP_E_EXT_COMPULSORY] = "unknown compulsory extension",
	[NHRP_E_EXT_RESP_MULTI] = "responder extension with several CIEs",
	[NHRP_E_EXT_AUTH_LEN] = "authentication extension too short",
	[NHRP_E_EXT_VENDOR_LEN] = "vendor extension too short",
	[NHRP_E_NOSPACE] = "output buffer too small",
	[NHRP_E_TOO_BIG] = "packet too big",
	[NHRP_E_INVAL] = "invalid packet description",
};

const char *nhrp_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= NHRP_E_MAX)
		return "unknown error";
	return nhrp_errstr[err];
}

u16 nhrp_csum(const u8 *buf, size_t len)
{
	u64 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)buf[i] << 8 | buf[i + 1];
	if (len & 1)
		sum += (u32)buf[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

static bool nhrp_is_cie_ext(u16 type)
{
	switch (NHRP_EXT_TYPE(type)) {
	case NHRP_EXT_RESPONDER:
	case NHRP_EXT_FWD_TRANSIT:
	case NHRP_EXT_REV_TRANSIT:
	case NHRP_EXT_NAT_ADDR:
		return true;
	}
	return false;
}

static bool nhrp_has_cies(u8 type)
{
	return type != NHRP_TYPE_ERROR_IND && type != NHRP_TYPE_TRAFFIC_IND;
}

static int nhrp_fail(struct nhrp_pkt *p, size_t off, int err)
{
	p->err_off = (u16)off;
	return -err;
}

/*
 * Parse the CIEs in buf[off, end) into the pool.  On success *cnt is the
 * number parsed.  On failure the pool is left with the entries parsed so
 * far (callers reset p->ncie when they need to).
 */
static int nhrp_parse_cies(struct nhrp_pkt *p, const u8 *buf, size_t off,
			   size_t end, u8 *cnt)
{
	*cnt = 0;
	while (off < end) {
		struct nhrp_cie *c;
		size_t nl, sl, pl;

		if (end - off < NHRP_CIE_LEN)
			return nhrp_fail(p, off, NHRP_E_CIE_TRUNC);
		nl = NHRP_TL_LEN(buf[off + 8]);
		sl = NHRP_TL_LEN(buf[off + 9]);
		pl = buf[off + 10];
		if (nl > NHRP_MAX_NBMA_LEN || sl > NHRP_MAX_NBMA_LEN ||
		    pl > NHRP_MAX_PROTO_LEN)
			return nhrp_fail(p, off + 8, NHRP_E_CIE_ADDR_LEN);
		if (end - off - NHRP_CIE_LEN < nl + sl + pl)
			return nhrp_fail(p, off, NHRP_E_CIE_TRUNC);
		if (p->ncie >= NHRP_MAX_CIES)
			return nhrp_fail(p, off, NHRP_E_TOO_MANY_CIES);

		c = &p->cie[p->ncie++];
		c->code = buf[off];
		c->plen = buf[off + 1];
		c->unused = get_unaligned_be16(buf + off + 2);
		c->mtu = get_unaligned_be16(buf + off + 4);
		c->holdtime = get_unaligned_be16(buf + off + 6);
		c->nbma_tl = buf[off + 8];
		c->nbma_stl = buf[off + 9];
		c->proto_len = buf[off + 10];
		c->pref = buf[off + 11];
		off += NHRP_CIE_LEN;
		c->nbma = nl ? buf + off : NULL;
		off += nl;
		c->nbma_sub = sl ? buf + off : NULL;
		off += sl;
		c->proto = pl ? buf + off : NULL;
		off += pl;
		(*cnt)++;
	}
	return 0;
}

static int nhrp_parse_ext(struct nhrp_pkt *p, const u8 *buf, size_t off,
			  struct nhrp_ext *e)
{
	const u8 *val = buf + off + NHRP_EXT_HDR_LEN;
	size_t vend = off + NHRP_EXT_HDR_LEN + e->len;
	u8 first = p->ncie;
	int err;

	e->data = e->len ? val : NULL;
	e->dlen = e->len;
	e->cie_first = first;

	switch (NHRP_EXT_TYPE(e->type)) {
	case NHRP_EXT_RESPONDER:
	case NHRP_EXT_FWD_TRANSIT:
	case NHRP_EXT_REV_TRANSIT:
		err = nhrp_parse_cies(p, buf, off + NHRP_EXT_HDR_LEN, vend,
				      &e->cie_cnt);
		if (err)
			return err;
		if (NHRP_EXT_TYPE(e->type) == NHRP_EXT_RESPONDER &&
		    e->cie_cnt > 1)
			return nhrp_fail(p, off, NHRP_E_EXT_RESP_MULTI);
		break;
	case NHRP_EXT_NAT_ADDR:
		err = nhrp_parse_cies(p, buf, off + NHRP_EXT_HDR_LEN, vend,
				      &e->cie_cnt);
		if (err == -NHRP_E_TOO_MANY_CIES)
			return err;
		if (err) {
			/* not CIEs (RFC 2735 device capabilities?): raw */
			p->ncie = first;
			e->cie_cnt = 0;
			e->flags |= NHRP_EXTF_RAW;
			p->err_off = 0;
		}
		break;
	case NHRP_EXT_AUTH:
		if (e->len < 4)
			return nhrp_fail(p, off, NHRP_E_EXT_AUTH_LEN);
		e->hdr = get_unaligned_be32(val);
		e->data = e->len > 4 ? val + 4 : NULL;
		e->dlen = e->len - 4;
		break;
	case NHRP_EXT_VENDOR:
		if (e->len < 3)
			return nhrp_fail(p, off, NHRP_E_EXT_VENDOR_LEN);
		e->hdr = (u32)val[0] << 16 | (u32)val[1] << 8 | val[2];
		e->data = e->len > 3 ? val + 3 : NULL;
		e->dlen = e->len - 3;
		break;
	default:
		if (e->type & NHRP_EXT_COMPULSORY)
			return nhrp_fail(p, off, NHRP_E_EXT_COMPULSORY);
		break;
	}
	return 0;
}

static int nhrp_parse_exts(struct nhrp_pkt *p, const u8 *buf, size_t off,
			   size_t end)
{
	for (;;) {
		struct nhrp_ext *e;
		u16 type, elen;
		int err;

		if (end - off < NHRP_EXT_HDR_LEN)
			return nhrp_fail(p, off, off == end ?
					 NHRP_E_EXT_NO_END : NHRP_E_EXT_TRUNC);
		type = get_unaligned_be16(buf + off);
		elen = get_unaligned_be16(buf + off + 2);
		if (end - off - NHRP_EXT_HDR_LEN < elen)
			return nhrp_fail(p, off, NHRP_E_EXT_TRUNC);

		if (NHRP_EXT_TYPE(type) == NHRP_EXT_END) {
			if (elen)
				return nhrp_fail(p, off, NHRP_E_EXT_END_LEN);
			p->end_type = type;
			off += NHRP_EXT_HDR_LEN;
			if (off == end)
				return 0;
			if (end - off >= 2 &&
			    !NHRP_EXT_TYPE(get_unaligned_be16(buf + off)))
				return nhrp_fail(p, off, NHRP_E_EXT_DUP_END);
			return nhrp_fail(p, off, NHRP_E_EXT_TRAILING);
		}

		if (p->next >= NHRP_MAX_EXTS)
			return nhrp_fail(p, off, NHRP_E_TOO_MANY_EXTS);
		e = &p->ext[p->next];
		memset(e, 0, sizeof(*e));
		e->type = type;
		e->len = elen;
		err = nhrp_parse_ext(p, buf, off, e);
		if (err)
			return err;
		p->next++;
		off += NHRP_EXT_HDR_LEN + elen;
	}
}

int nhrp_decode_flags(const u8 *buf, size_t len, struct nhrp_pkt *p,
		      unsigned int flags)
{
	size_t pktsz, extoff, end, off, shl, ssl;
	int err;

	memset(p, 0, offsetof(struct nhrp_pkt, cie));
	if (len < NHRP_FIXED_LEN)
		return nhrp_fail(p, 0, NHRP_E_SHORT);

	p->afn = get_unaligned_be16(buf + OFF_AFN);
	p->pro_type = get_unaligned_be16(buf + OFF_PRO_TYPE);
	memcpy(p->pro_snap, buf + OFF_PRO_SNAP, sizeof(p->pro_snap));
	p->hopcnt = buf[OFF_HOPCNT];
	p->pktsz = get_unaligned_be16(buf + OFF_PKTSZ);
	p->csum = get_unaligned_be16(buf + OFF_CSUM);
	p->extoff = get_unaligned_be16(buf + OFF_EXTOFF);
	p->version = buf[OFF_VERSION];
	p->type = buf[OFF_TYPE];
	p->shtl = buf[OFF_SHTL];
	p->sstl = buf[OFF_SSTL];

	pktsz = p->pktsz;
	if (pktsz > len) {
		if (!(flags & NHRP_DECODE_HDR_ONLY))
			return nhrp_fail(p, OFF_PKTSZ, NHRP_E_PKTSZ_BIG);
		pktsz = len;	/* truncated copy */
	}
	if (pktsz < OFF_ADDRS)
		return nhrp_fail(p, OFF_PKTSZ, NHRP_E_PKTSZ_SMALL);
	if (p->version != NHRP_VERSION)
		return nhrp_fail(p, OFF_VERSION, NHRP_E_VERSION);
	if (p->type < NHRP_TYPE_RES_REQ || p->type > NHRP_TYPE_TRAFFIC_IND)
		return nhrp_fail(p, OFF_TYPE, NHRP_E_TYPE);
	if (!(flags & (NHRP_DECODE_NO_CSUM | NHRP_DECODE_HDR_ONLY)) &&
	    nhrp_csum(buf, pktsz))
		return nhrp_fail(p, OFF_CSUM, NHRP_E_CSUM);

	extoff = flags & NHRP_DECODE_HDR_ONLY ? 0 : p->extoff;
	if (extoff) {
		if (extoff > pktsz)
			return nhrp_fail(p, OFF_EXTOFF, NHRP_E_EXTOFF_PKT);
		if (extoff < OFF_ADDRS)
			return nhrp_fail(p, OFF_EXTOFF, NHRP_E_EXTOFF_HDR);
		end = extoff;
	} else {
		end = pktsz;
	}

	p->src_proto_len = buf[OFF_SPL];
	p->dst_proto_len = buf[OFF_DPL];
	p->flags = get_unaligned_be16(buf + OFF_FLAGS);
	p->reqid = get_unaligned_be32(buf + OFF_REQID);

	shl = NHRP_TL_LEN(p->shtl);
	ssl = NHRP_TL_LEN(p->sstl);
	if (shl > NHRP_MAX_NBMA_LEN)
		return nhrp_fail(p, OFF_SHTL, NHRP_E_ADDR_LEN);
	if (ssl > NHRP_MAX_NBMA_LEN)
		return nhrp_fail(p, OFF_SSTL, NHRP_E_ADDR_LEN);
	if (p->src_proto_len > NHRP_MAX_PROTO_LEN)
		return nhrp_fail(p, OFF_SPL, NHRP_E_ADDR_LEN);
	if (p->dst_proto_len > NHRP_MAX_PROTO_LEN)
		return nhrp_fail(p, OFF_DPL, NHRP_E_ADDR_LEN);

	off = OFF_ADDRS + shl + ssl + p->src_proto_len + p->dst_proto_len;
	if (off > pktsz)
		return nhrp_fail(p, OFF_ADDRS, NHRP_E_MAND_TRUNC);
	if (off > end)
		return nhrp_fail(p, OFF_EXTOFF, NHRP_E_EXTOFF_HDR);

	off = OFF_ADDRS;
	p->src_nbma = shl ? buf + off : NULL;
	off += shl;
	p->src_nbma_sub = ssl ? buf + off : NULL;
	off += ssl;
	p->src_proto = p->src_proto_len ? buf + off : NULL;
	off += p->src_proto_len;
	p->dst_proto = p->dst_proto_len ? buf + off : NULL;
	off += p->dst_proto_len;
	if (flags & NHRP_DECODE_HDR_ONLY)
		return 0;

	if (nhrp_has_cies(p->type)) {
		err = nhrp_parse_cies(p, buf, off, end, &p->mand_cies);
		if (err)
			return err;
	} else {
		p->payload = end > off ? buf + off : NULL;
		p->payload_len = (u16)(end - off);
	}

	if (extoff) {
		p->opts |= NHRP_PKT_EXTS;
		err = nhrp_parse_exts(p, buf, extoff, pktsz);
		if (err)
			return err;
	}
	return 0;
}

int nhrp_decode(const u8 *buf, size_t len, struct nhrp_pkt *p)
{
	return nhrp_decode_flags(buf, len, p, 0);
}

/* Wire size of a CIE, or 0 if it is inconsistent. */
static size_t nhrp_cie_size(const struct nhrp_cie *c)
{
	size_t nl = NHRP_TL_LEN(c->nbma_tl), sl = NHRP_TL_LEN(c->nbma_stl);

	if (nl > NHRP_MAX_NBMA_LEN || sl > NHRP_MAX_NBMA_LEN ||
	    c->proto_len > NHRP_MAX_PROTO_LEN)
		return 0;
	if ((nl && !c->nbma) || (sl && !c->nbma_sub) ||
	    (c->proto_len && !c->proto))
		return 0;
	return NHRP_CIE_LEN + nl + sl + c->proto_len;
}

/* Wire size of CIEs [first, first + cnt), or 0 if inconsistent. */
static size_t nhrp_cies_size(const struct nhrp_pkt *p, unsigned int first,
			     unsigned int cnt, bool *bad)
{
	size_t sz = 0, s;
	unsigned int i;

	if (first + cnt > p->ncie || p->ncie > NHRP_MAX_CIES) {
		*bad = true;
		return 0;
	}
	for (i = first; i < first + cnt; i++) {
		s = nhrp_cie_size(&p->cie[i]);
		if (!s)
			*bad = true;
		sz += s;
	}
	return sz;
}

/* Wire length of the value of extension @e; sets *bad if inconsistent. */
static size_t nhrp_ext_vlen(const struct nhrp_pkt *p,
			    const struct nhrp_ext *e, bool *bad)
{
	size_t hl = 0;

	if (e->dlen && !e->data)
		*bad = true;
	if (nhrp_is_cie_ext(e->type) && !(e->flags & NHRP_EXTF_RAW))
		return nhrp_cies_size(p, e->cie_first, e->cie_cnt, bad);
	if (NHRP_EXT_TYPE(e->type) == NHRP_EXT_AUTH)
		hl = 4;
	else if (NHRP_EXT_TYPE(e->type) == NHRP_EXT_VENDOR)
		hl = 3;
	return hl + e->dlen;
}

static u8 *nhrp_put(u8 *d, const u8 *s, size_t n)
{
	if (n)
		memcpy(d, s, n);
	return d + n;
}

static u8 *nhrp_put_cies(u8 *d, const struct nhrp_pkt *p,
			 unsigned int first, unsigned int cnt)
{
	unsigned int i;

	for (i = first; i < first + cnt; i++) {
		const struct nhrp_cie *c = &p->cie[i];

		d[0] = c->code;
		d[1] = c->plen;
		put_unaligned_be16(c->unused, d + 2);
		put_unaligned_be16(c->mtu, d + 4);
		put_unaligned_be16(c->holdtime, d + 6);
		d[8] = c->nbma_tl;
		d[9] = c->nbma_stl;
		d[10] = c->proto_len;
		d[11] = c->pref;
		d += NHRP_CIE_LEN;
		d = nhrp_put(d, c->nbma, NHRP_TL_LEN(c->nbma_tl));
		d = nhrp_put(d, c->nbma_sub, NHRP_TL_LEN(c->nbma_stl));
		d = nhrp_put(d, c->proto, c->proto_len);
	}
	return d;
}

int nhrp_encode(const struct nhrp_pkt *p, u8 *buf, size_t len)
{
	size_t shl = NHRP_TL_LEN(p->shtl), ssl = NHRP_TL_LEN(p->sstl);
	size_t size, extoff = 0, vlen;
	bool bad = false;
	unsigned int i;
	u8 *d;

	if (shl > NHRP_MAX_NBMA_LEN || ssl > NHRP_MAX_NBMA_LEN ||
	    p->src_proto_len > NHRP_MAX_PROTO_LEN ||
	    p->dst_proto_len > NHRP_MAX_PROTO_LEN ||
	    (shl && !p->src_nbma) || (ssl && !p->src_nbma_sub) ||
	    (p->src_proto_len && !p->src_proto) ||
	    (p->dst_proto_len && !p->dst_proto) ||
	    p->next > NHRP_MAX_EXTS || p->mand_cies > p->ncie)
		return -NHRP_E_INVAL;

	size = OFF_ADDRS + shl + ssl + p->src_proto_len + p->dst_proto_len;
	if (nhrp_has_cies(p->type)) {
		size += nhrp_cies_size(p, 0, p->mand_cies, &bad);
	} else {
		if ((p->payload_len && !p->payload) || p->mand_cies)
			return -NHRP_E_INVAL;
		size += p->payload_len;
	}
	if (p->next || (p->opts & NHRP_PKT_EXTS)) {
		extoff = size;
		for (i = 0; i < p->next; i++) {
			vlen = nhrp_ext_vlen(p, &p->ext[i], &bad);
			if (vlen > 0xffff)
				return -NHRP_E_TOO_BIG;
			size += NHRP_EXT_HDR_LEN + vlen;
		}
		size += NHRP_EXT_HDR_LEN;
	}
	if (bad)
		return -NHRP_E_INVAL;
	if (size > 0xffff)
		return -NHRP_E_TOO_BIG;
	if (!buf)
		return (int)size;
	if (size > len)
		return -NHRP_E_NOSPACE;

	put_unaligned_be16(p->afn, buf + OFF_AFN);
	put_unaligned_be16(p->pro_type, buf + OFF_PRO_TYPE);
	memcpy(buf + OFF_PRO_SNAP, p->pro_snap, sizeof(p->pro_snap));
	buf[OFF_HOPCNT] = p->hopcnt;
	put_unaligned_be16((u16)size, buf + OFF_PKTSZ);
	put_unaligned_be16(0, buf + OFF_CSUM);
	put_unaligned_be16((u16)extoff, buf + OFF_EXTOFF);
	buf[OFF_VERSION] = p->version;
	buf[OFF_TYPE] = p->type;
	buf[OFF_SHTL] = p->shtl;
	buf[OFF_SSTL] = p->sstl;
	buf[OFF_SPL] = p->src_proto_len;
	buf[OFF_DPL] = p->dst_proto_len;
	put_unaligned_be16(p->flags, buf + OFF_FLAGS);
	put_unaligned_be32(p->reqid, buf + OFF_REQID);

	d = buf + OFF_ADDRS;
	d = nhrp_put(d, p->src_nbma, shl);
	d = nhrp_put(d, p->src_nbma_sub, ssl);
	d = nhrp_put(d, p->src_proto, p->src_proto_len);
	d = nhrp_put(d, p->dst_proto, p->dst_proto_len);
	if (nhrp_has_cies(p->type))
		d = nhrp_put_cies(d, p, 0, p->mand_cies);
	else
		d = nhrp_put(d, p->payload, p->payload_len);

	if (extoff) {
		for (i = 0; i < p->next; i++) {
			const struct nhrp_ext *e = &p->ext[i];

			vlen = nhrp_ext_vlen(p, e, &bad);
			put_unaligned_be16(e->type, d);
			put_unaligned_be16((u16)vlen, d + 2);
			d += NHRP_EXT_HDR_LEN;
			if (nhrp_is_cie_ext(e->type) &&
			    !(e->flags & NHRP_EXTF_RAW)) {
				d = nhrp_put_cies(d, p, e->cie_first,
						  e->cie_cnt);
				continue;
			}
			if (NHRP_EXT_TYPE(e->type) == NHRP_EXT_AUTH) {
				put_unaligned_be32(e->hdr, d);
				d += 4;
			} else if (NHRP_EXT_TYPE(e->type) == NHRP_EXT_VENDOR) {
				d[0] = (e->hdr >> 16) & 0xff;
				d[1] = (e->hdr >> 8) & 0xff;
				d[2] = e->hdr & 0xff;
				d += 3;
			}
			d = nhrp_put(d, e->data, e->dlen);
		}
		put_unaligned_be16(p->end_type, d);
		put_unaligned_be16(0, d + 2);
	}

	put_unaligned_be16(nhrp_csum(buf, size), buf + OFF_CSUM);
	return (int)size;
}

void nhrp_pkt_init(struct nhrp_pkt *p, u8 type, u16 afn, u16 pro_type)
{
	memset(p, 0, offsetof(struct nhrp_pkt, cie));
	p->type = type;
	p->afn = afn;
	p->pro_type = pro_type;
	p->version = NHRP_VERSION;
	p->hopcnt = 255;
	p->end_type = NHRP_EXT_COMPULSORY | NHRP_EXT_END;
	p->opts = NHRP_PKT_EXTS;
}

struct nhrp_cie *nhrp_cie_add(struct nhrp_pkt *p, struct nhrp_ext *e)
{
	unsigned int pos, i, from = 0;

	if (p->ncie >= NHRP_MAX_CIES)
		return NULL;
	if (e) {
		from = (unsigned int)(e - p->ext) + 1;
		pos = e->cie_first + e->cie_cnt;
		e->cie_cnt++;
	} else {
		pos = p->mand_cies;
		p->mand_cies++;
	}
	if (pos > p->ncie)
		pos = p->ncie;
	memmove(&p->cie[pos + 1], &p->cie[pos],
		(p->ncie - pos) * sizeof(p->cie[0]));
	for (i = from; i < p->next; i++)
		p->ext[i].cie_first++;
	p->ncie++;
	memset(&p->cie[pos], 0, sizeof(p->cie[pos]));
	return &p->cie[pos];
}

void nhrp_cie_set_addr(struct nhrp_cie *c, const u8 *nbma, u8 nbma_len,
		       const u8 *proto, u8 proto_len)
{
	c->nbma_tl = nbma_len & NHRP_TL_LEN_MASK;
	c->nbma = nbma_len ? nbma : NULL;
	c->proto_len = proto_len;
	c->proto = proto_len ? proto : NULL;
}

struct nhrp_ext *nhrp_ext_add(struct nhrp_pkt *p, u16 type)
{
	struct nhrp_ext *e;

	if (p->next >= NHRP_MAX_EXTS)
		return NULL;
	e = &p->ext[p->next++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->cie_first = p->ncie;
	return e;
}

void nhrp_ext_del(struct nhrp_pkt *p, struct nhrp_ext *e)
{
	unsigned int idx = (unsigned int)(e - p->ext);
	unsigned int first = e->cie_first, i;
	u8 cnt = e->cie_cnt;

	if (idx >= p->next)
		return;
	if (first + cnt <= p->ncie && cnt) {
		memmove(&p->cie[first], &p->cie[first + cnt],
			(p->ncie - first - cnt) * sizeof(p->cie[0]));
		p->ncie -= cnt;
		for (i = idx + 1; i < p->next; i++)
			p->ext[i].cie_first -= cnt;
	}
	memmove(&p->ext[idx], &p->ext[idx + 1],
		(p->next - idx - 1) * sizeof(p->ext[0]));
	p->next--;
}

struct nhrp_ext *nhrp_ext_find(struct nhrp_pkt *p, u16 type)
{
	unsigned int i;

	for (i = 0; i < p->next; i++)
		if (NHRP_EXT_TYPE(p->ext[i].type) == NHRP_EXT_TYPE(type))
			return &p->ext[i];
	return NULL;
}

const struct nhrp_cie *nhrp_cie_find_proto(const struct nhrp_pkt *p,
					   const struct nhrp_ext *e,
					   const u8 *proto, u8 len)
{
	unsigned int first = e ? e->cie_first : 0;
	unsigned int cnt = e ? e->cie_cnt : p->mand_cies, i;

	for (i = first; i < first + cnt && i < p->ncie; i++) {
		const struct nhrp_cie *c = &p->cie[i];

		if (c->proto_len == len && c->proto &&
		    !memcmp(c->proto, proto, len))
			return c;
	}
	return NULL;
}

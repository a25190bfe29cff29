// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the NHRP codec (kmod/nhrp_codec.c).
 *
 * The input is one NHRP packet.  Invariants checked (abort on violation):
 *  - decode never reads outside the input (ASan) and is deterministic;
 *  - strict decode of the input with its checksum fixed up gives the same
 *    result as decode with NHRP_DECODE_NO_CSUM;
 *  - NHRP_DECODE_HDR_ONLY accepts whatever the full decode accepts, with
 *    the same header fields;
 *  - a decoded packet re-encodes to exactly its ar$pktsz input bytes
 *    (apart from the checksum, which is recomputed);
 *  - after editing the decoded packet with the builder helpers, any
 *    packet the encoder produces decodes again and re-encodes identically.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp_codec.h"

#define MAXPKT 65536

static struct nhrp_pkt pa, pb;
static u8 copy[MAXPKT], out1[MAXPKT], out2[MAXPKT];

#define CHECK(cond) do { \
		if (!(cond)) { \
			fprintf(stderr, "invariant failed: %s (line %d)\n", \
				#cond, __LINE__); \
			abort(); \
		} \
	} while (0)

/* encode(p) -> decode -> encode must be a fixed point */
static void reencode(const struct nhrp_pkt *p)
{
	int n, m;

	n = nhrp_encode(p, out1, sizeof(out1));
	if (n < 0) {
		CHECK(n == -NHRP_E_TOO_BIG || n == -NHRP_E_INVAL);
		return;
	}
	CHECK(nhrp_encode(p, NULL, 0) == n);
	CHECK(nhrp_csum(out1, (size_t)n) == 0);
	if (nhrp_encode(p, out2, (size_t)n - 1) != -NHRP_E_NOSPACE)
		abort();
	/* mutate() keeps the packet valid, so it must decode */
	m = nhrp_decode(out1, (size_t)n, &pb);
	CHECK(m == 0);
	m = nhrp_encode(&pb, out2, sizeof(out2));
	CHECK(m == n && !memcmp(out1, out2, (size_t)n));
}

/* Edit the decoded packet the way the NHRP engine does. */
static void mutate(struct nhrp_pkt *p, const u8 *data, size_t size)
{
	static const u8 addr[16] = { 10, 0, 0, 1 };
	struct nhrp_ext *e;
	struct nhrp_cie *c;
	u8 sel = size ? data[size - 1] : 0;
	unsigned int i;

	p->hopcnt--;
	e = nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT);
	if (e && !nhrp_cie_find_proto(p, e, addr, 4)) {
		c = nhrp_cie_add(p, e);
		if (c) {
			c->plen = 32;
			nhrp_cie_set_addr(c, addr, 4, addr, 4);
		}
	}
	e = nhrp_ext_find(p, NHRP_EXT_RESPONDER);
	if (e && !e->cie_cnt) {
		c = nhrp_cie_add(p, e);
		if (c)
			nhrp_cie_set_addr(c, addr, 4, addr, 16);
	}
	if ((sel & 1) && p->type != NHRP_TYPE_ERROR_IND &&
	    p->type != NHRP_TYPE_TRAFFIC_IND)
		nhrp_cie_add(p, NULL);
	if ((sel & 2) && p->next)
		nhrp_ext_del(p, &p->ext[(sel >> 4) % p->next]);
	if (sel & 4) {
		e = nhrp_ext_add(p, NHRP_EXT_NAT_ADDR);
		if (e && (sel & 8))
			nhrp_cie_add(p, e);
	}
	/* the pool invariant must hold after every helper */
	CHECK(p->mand_cies <= p->ncie && p->ncie <= NHRP_MAX_CIES);
	for (i = 0; i < p->next; i++) {
		const struct nhrp_ext *x = &p->ext[i];

		CHECK(x->cie_first + x->cie_cnt <= p->ncie);
		CHECK(x->cie_first >= (i ? p->ext[i - 1].cie_first +
				       p->ext[i - 1].cie_cnt : p->mand_cies));
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	int r1, r2, r3, n;
	size_t sz;

	if (size > MAXPKT)
		return 0;

	r1 = nhrp_decode_flags(data, size, &pa, NHRP_DECODE_NO_CSUM);
	r2 = nhrp_decode_flags(data, size, &pb, NHRP_DECODE_NO_CSUM);
	CHECK(r1 == r2 && pa.err_off == pb.err_off);
	CHECK(r1 <= 0 && r1 > -NHRP_E_MAX);
	CHECK(nhrp_strerror(r1) != NULL);

	/* strict decode with a valid checksum must agree */
	memcpy(copy, data, size);
	if (size >= NHRP_FIXED_LEN) {
		sz = (size_t)copy[10] << 8 | copy[11];
		if (sz <= size) {
			copy[12] = 0;
			copy[13] = 0;
			put_unaligned_be16(nhrp_csum(copy, sz), copy + 12);
		}
	}
	r3 = nhrp_decode(copy, size, &pb);
	CHECK(r3 == r1);
	r3 = nhrp_decode(data, size, &pb);
	CHECK(r3 == r1 || r3 == -NHRP_E_CSUM);

	/* header-only decode (quoted packets) agrees on what both parse */
	r3 = nhrp_decode_flags(data, size, &pb, NHRP_DECODE_HDR_ONLY);
	CHECK(r3 <= 0 && r3 > -NHRP_E_MAX);
	if (!r1)
		CHECK(!r3 && pb.reqid == pa.reqid && pb.type == pa.type &&
		      pb.dst_proto == pa.dst_proto && !pb.ncie && !pb.next);

	if (r1)
		return 0;

	/* byte-exact round trip */
	sz = pa.pktsz;
	n = nhrp_encode(&pa, out1, sizeof(out1));
	CHECK(n == (int)sz);
	CHECK(!memcmp(out1, data, 12) && !memcmp(out1 + 14, data + 14,
						 sz - 14));
	CHECK(nhrp_csum(out1, sz) == 0);

	mutate(&pa, data, size);
	reencode(&pa);
	return 0;
}

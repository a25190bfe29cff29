// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the NHRP codec (kmod/nhrp_codec.c) against real Cisco
 * captures (shared/vectors) plus hand-made negative and builder tests.
 *
 * usage: test_codec [VECTORS_DIR]   (default $MGRE_VECTORS)
 * Output is TAP; exit status 1 if any test failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp_codec.h"
#include "tap.h"
#include "vectors.h"

int tap_n, tap_fail;

static struct vec *vecs;
static int nvecs;

/* ---- helpers ---------------------------------------------------------- */

static char errs[8192];

static void err_add(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void err_add(const char *fmt, ...)
{
	size_t l = strlen(errs);
	va_list ap;

	if (l > sizeof(errs) - 256)
		return;
	if (l)
		errs[l++] = ';', errs[l] = '\0';
	va_start(ap, fmt);
	vsnprintf(errs + l, sizeof(errs) - l, fmt, ap);
	va_end(ap);
}

/* Compare a string field, recording a mismatch. */
static void cmp_field(const char *what, const char *want, const char *got)
{
	if (strcmp(want, got))
		err_add("%s: tshark '%s' codec '%s'", what, want, got);
}

static void catf(char *s, size_t sz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void catf(char *s, size_t sz, const char *fmt, ...)
{
	size_t l = strlen(s);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s + l, sz - l, fmt, ap);
	va_end(ap);
}

/* Wireshark's rendering of an address: dotted quad or plain hex. */
static void fmt_addr(char *s, size_t sz, const u8 *a, size_t len)
{
	size_t i;

	s[0] = '\0';
	if (len == 4) {
		snprintf(s, sz, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	for (i = 0; i < len && 2 * i + 2 < sz; i++)
		snprintf(s + 2 * i, 3, "%02x", a[i]);
}

static void fmt_v4(char *s, size_t sz, const u8 *a, size_t len)
{
	s[0] = '\0';
	if (len == 4)
		fmt_addr(s, sz, a, len);
}

static void hexdump_diff(const u8 *want, size_t wl, const u8 *got, int gl)
{
	size_t i;

	if (gl < 0) {
		tap_diag("encode failed: %s", nhrp_strerror(gl));
		return;
	}
	if ((size_t)gl != wl)
		tap_diag("length: want %zu got %d", wl, gl);
	for (i = 0; i < wl && i < (size_t)gl; i++)
		if (want[i] != got[i]) {
			tap_diag("first diff at %zu: want %02x got %02x", i,
				 want[i], got[i]);
			break;
		}
}

static const struct vec *find_vec(const char *name, int frame)
{
	int i;

	for (i = 0; i < nvecs; i++)
		if (strstr(vecs[i].name, name) && vecs[i].frame == frame)
			return &vecs[i];
	return NULL;
}

static void fix_csum(u8 *b, size_t len)
{
	b[12] = 0;
	b[13] = 0;
	put_unaligned_be16(nhrp_csum(b, len), b + 12);
}

static void set_pktsz(u8 *b, size_t len)
{
	put_unaligned_be16((u16)len, b + 10);
	fix_csum(b, len);
}

static const u8 *ip4(const char *s)
{
	static u8 pool[64][4];
	static int next;
	u8 *a = pool[next++ % 64];

	if (inet_pton(AF_INET, s, a) != 1)
		abort();
	return a;
}

static const u8 *ip6(const char *s)
{
	static u8 pool[32][16];
	static int next;
	u8 *a = pool[next++ % 32];

	if (inet_pton(AF_INET6, s, a) != 1)
		abort();
	return a;
}

/* ---- capture vectors -------------------------------------------------- */

static const char *expect_secret(const char *name)
{
	static const struct {
		const char *file, *secret;
	} tab[] = {
		{ "NHRP_registration", "NHRPAUTH" },
		{ "NHRP-responder-address", "NHRPAUTH" },
		{ "ios_nhrp", "CISCO" },
		{ "nhrp-trace", "secret" },
		{ "nhrp.pcapng", "OTUS" },
		{ "networklessons/", "DMVPN" },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strstr(name, tab[i].file))
			return tab[i].secret;
	return NULL;
}

enum {
	F_FRAME, F_IPSRC, F_IPDST, F_GREKEY, F_AFN, F_PROTYPE, F_HOPCNT,
	F_PKTSZ, F_CKSUM, F_EXTOFF, F_VERSION, F_TYPE, F_FLAGS, F_REQID,
	F_SRCNBMA, F_SRCPROTO, F_DSTPROTO, F_CIECODE, F_CIEPLEN, F_CIEMTU,
	F_CIEHTIME, F_CIENBMA, F_CIEPROTO, F_EXTC, F_EXTTYPE, F_EXTLEN,
	F_ERRCODE, F_VENDOR, F_NFIELDS
};

/* Check the decode against the tshark field dump of the frame. */
static void check_fields(const struct vec *v, struct nhrp_pkt *p)
{
	char line[4096], *f[F_NFIELDS + 4], s[2048], a[64];
	unsigned int i;
	int n;

	snprintf(line, sizeof(line), "%s", v->fields);
	n = vec_split(line, '|', f, F_NFIELDS + 4);
	if (n < F_NFIELDS) {
		err_add("fields line has %d columns", n);
		return;
	}
#define CMPF(col, ...) do { \
		snprintf(s, sizeof(s), __VA_ARGS__); \
		cmp_field(#col, f[col], s); \
	} while (0)
	CMPF(F_AFN, "0x%04x", p->afn);
	CMPF(F_PROTYPE, "0x%04x", p->pro_type);
	CMPF(F_HOPCNT, "%u", p->hopcnt);
	CMPF(F_PKTSZ, "%u", p->pktsz);
	CMPF(F_CKSUM, "1");
	CMPF(F_EXTOFF, "%u", p->extoff);
	CMPF(F_VERSION, "%u", p->version);
	CMPF(F_TYPE, "%u", p->type);
	if (p->type == NHRP_TYPE_TRAFFIC_IND) {
		/* tshark shows neither; Cisco sends zeros */
		CMPF(F_FLAGS, "%s", p->flags ? "nonzero" : "");
		CMPF(F_REQID, "%s", p->reqid ? "nonzero" : "");
	} else {
		CMPF(F_FLAGS, "0x%04x", p->flags);
		CMPF(F_REQID, "0x%08x", p->reqid);
	}
	fmt_v4(a, sizeof(a), p->src_nbma, NHRP_TL_LEN(p->shtl));
	CMPF(F_SRCNBMA, "%s", a);
	fmt_v4(a, sizeof(a), p->src_proto, p->src_proto_len);
	CMPF(F_SRCPROTO, "%s", a);
	fmt_v4(a, sizeof(a), p->dst_proto, p->dst_proto_len);
	CMPF(F_DSTPROTO, "%s", a);

	/* CIE lists, all groups in packet order (pool order) */
#define CIELIST(col, fmt, expr) do { \
		s[0] = '\0'; \
		for (i = 0; i < p->ncie; i++) \
			catf(s, sizeof(s), "%s" fmt, i ? "," : "", expr); \
		cmp_field(#col, f[col], s); \
	} while (0)
	CIELIST(F_CIECODE, "%u", p->cie[i].code);
	CIELIST(F_CIEPLEN, "%u", p->cie[i].plen);
	CIELIST(F_CIEMTU, "%u", p->cie[i].mtu);
	CIELIST(F_CIEHTIME, "%u", p->cie[i].holdtime);
	s[0] = '\0';
	for (i = 0; i < p->ncie; i++) {
		if (NHRP_TL_LEN(p->cie[i].nbma_tl) != 4)
			continue;
		fmt_addr(a, sizeof(a), p->cie[i].nbma, 4);
		catf(s, sizeof(s), "%s%s", s[0] ? "," : "", a);
	}
	cmp_field("F_CIENBMA", f[F_CIENBMA], s);
	s[0] = '\0';
	for (i = 0; i < p->ncie; i++) {
		if (p->cie[i].proto_len != 4)
			continue;
		fmt_addr(a, sizeof(a), p->cie[i].proto, 4);
		catf(s, sizeof(s), "%s%s", s[0] ? "," : "", a);
	}
	cmp_field("F_CIEPROTO", f[F_CIEPROTO], s);

	/* extensions + End */
#define EXTLIST(col, fmt, expr, endv) do { \
		s[0] = '\0'; \
		for (i = 0; i < p->next; i++) \
			catf(s, sizeof(s), "%s" fmt, i ? "," : "", expr); \
		catf(s, sizeof(s), "%s" fmt, i ? "," : "", endv); \
		cmp_field(#col, f[col], s); \
	} while (0)
	EXTLIST(F_EXTC, "%u", !!(p->ext[i].type & NHRP_EXT_COMPULSORY),
		!!(p->end_type & NHRP_EXT_COMPULSORY));
	EXTLIST(F_EXTTYPE, "0x%04x", NHRP_EXT_TYPE(p->ext[i].type),
		NHRP_EXT_TYPE(p->end_type));
	EXTLIST(F_EXTLEN, "%u", p->ext[i].len, 0);
	CMPF(F_ERRCODE, "%s", "");
	s[0] = '\0';
	for (i = 0; i < p->next; i++)
		if (NHRP_EXT_TYPE(p->ext[i].type) == NHRP_EXT_VENDOR)
			catf(s, sizeof(s), "%s%u", s[0] ? "," : "",
			     p->ext[i].hdr);
	cmp_field("F_VENDOR", f[F_VENDOR], s);
#undef CMPF
#undef CIELIST
#undef EXTLIST
}

/*
 * Check the decode against the verbose tshark decode of the frame: header
 * fields, addresses (incl. IPv6, which the field dump lacks), every CIE
 * and extension, in packet order.
 */
static void check_tshark(const struct vec *v, struct nhrp_pkt *p)
{
	static const char * const labels[] = {
		"Hop Count: ", "Packet Length: ",
		"[NHRP Packet Checksum Status: ", "Extension Offset: ",
		"Flags: ", "Request ID: ",
		"Source NBMA Address: ", "Source Protocol Address: ",
		"Destination Protocol Address: ", "Prefix Length: ",
		"Max Transmission Unit: ", "Holding Time (s): ",
		"Client Protocol Length: ", "CIE Preference Value: ",
		"Client NBMA Address: ", "Client Protocol Address: ",
		"Extension length: ",
	};
	static char want[16384], got[16384];
	char a[64], *l, *text, *e, *start;
	unsigned int i, j;

	want[0] = '\0';
	got[0] = '\0';
	text = strdup(v->tshark);
	start = strstr(text, "Next Hop Resolution Protocol (");
	for (l = start ? start : text + strlen(text); *l; l = e + 1) {
		const char *d;

		e = strchr(l, '\n');
		if (e)
			*e = '\0';
		while (*l == ' ')
			l++;
		for (j = 0; j < sizeof(labels) / sizeof(labels[0]); j++) {
			if (strncmp(l, labels[j], strlen(labels[j])))
				continue;
			if (j == 4)	/* "Flags: 0x8002, Uniqueness Bit" */
				l[strcspn(l, ",")] = '\0';
			catf(want, sizeof(want), "%s|", l);
		}
		if (!strncmp(l, "Code: ", 6) && (d = strrchr(l, '(')))
			catf(want, sizeof(want), "Code: %d|", atoi(d + 1));
		d = strstr(l, "= Compulsory Flag: ");
		if (d)
			catf(want, sizeof(want), "C: %s|", d + 19);
		d = strstr(l, "= Extension Type: ");
		if (d)
			catf(want, sizeof(want), "Type: %s|", d + 18);
		if (!strncmp(l, "Extension Data: Vendor ID=", 26) &&
		    (d = strstr(l, "Data=")))
			catf(want, sizeof(want), "Vendor Data: %s|", d + 5);
		if (!e)
			break;
	}
	free(text);

#define G(...) catf(got, sizeof(got), __VA_ARGS__)
	G("Hop Count: %u|Packet Length: %u|", p->hopcnt, p->pktsz);
	G("[NHRP Packet Checksum Status: Good]|Extension Offset: %u|",
	  p->extoff);
	if (p->type != NHRP_TYPE_TRAFFIC_IND &&
	    p->type != NHRP_TYPE_ERROR_IND)
		G("Flags: 0x%04x|Request ID: 0x%08x (%u)|", p->flags, p->reqid,
		  p->reqid);
	if (NHRP_TL_LEN(p->shtl)) {
		fmt_addr(a, sizeof(a), p->src_nbma, NHRP_TL_LEN(p->shtl));
		G("Source NBMA Address: %s|", a);
	}
	if (p->src_proto_len) {
		fmt_addr(a, sizeof(a), p->src_proto, p->src_proto_len);
		G("Source Protocol Address: %s|", a);
	}
	if (p->dst_proto_len) {
		fmt_addr(a, sizeof(a), p->dst_proto, p->dst_proto_len);
		G("Destination Protocol Address: %s|", a);
	}
	for (j = 0; j <= p->next; j++) {
		const struct nhrp_ext *x = j ? &p->ext[j - 1] : NULL;
		unsigned int first = x ? x->cie_first : 0;

		if (x) {
			G("C: %s|Type: 0x%04x|Extension length: %u|",
			  x->type & NHRP_EXT_COMPULSORY ? "True" : "False",
			  NHRP_EXT_TYPE(x->type), x->len);
		}
		for (i = first; i < first + nhrp_ext_ncie(p, x); i++) {
			const struct nhrp_cie *c = &p->cie[i];

			G("Code: %u|Prefix Length: %u|", c->code, c->plen);
			G("Max Transmission Unit: %u|", c->mtu);
			G("Holding Time (s): %u|", c->holdtime);
			G("Client Protocol Length: %u|", c->proto_len);
			G("CIE Preference Value: %u|", c->pref);
			if (NHRP_TL_LEN(c->nbma_tl)) {
				fmt_addr(a, sizeof(a), c->nbma,
					 NHRP_TL_LEN(c->nbma_tl));
				G("Client NBMA Address: %s|", a);
			}
			if (c->proto_len) {
				fmt_addr(a, sizeof(a), c->proto, c->proto_len);
				G("Client Protocol Address: %s|", a);
			}
		}
		if (x && NHRP_EXT_TYPE(x->type) == NHRP_EXT_VENDOR) {
			G("Vendor Data: ");
			for (i = 0; i < x->dlen; i++)
				G("%02x", x->data[i]);
			G("|");
		}
	}
	G("C: %s|Type: 0x%04x|Extension length: 0|",
	  p->end_type & NHRP_EXT_COMPULSORY ? "True" : "False",
	  NHRP_EXT_TYPE(p->end_type));
#undef G
	cmp_field("tshark -V", want, got);
}

/* Extra per-packet semantic checks (auth, TI payload, structure). */
static void check_semantics(const struct vec *v, struct nhrp_pkt *p)
{
	const char *secret = expect_secret(v->name);
	struct nhrp_ext *e = nhrp_ext_find(p, NHRP_EXT_AUTH);
	size_t mand_end;

	if (!e) {
		err_add("no auth extension");
	} else {
		if (e->hdr != NHRP_AUTH_CLEARTEXT)
			err_add("auth type %u", e->hdr);
		if (!secret || e->dlen != strlen(secret) ||
		    memcmp(e->data, secret, e->dlen))
			err_add("auth secret '%.*s' want '%s'", e->dlen,
				(const char *)e->data, secret);
		if (e->len != 4 + e->dlen)
			err_add("auth len %u", e->len);
	}
	if (v->type != p->type)
		err_add("type %u want %d", p->type, v->type);
	if (p->pktsz != v->len)
		err_add("pktsz %u != captured %zu", p->pktsz, v->len);
	if (p->version != 1 || !(p->opts & NHRP_PKT_EXTS) ||
	    p->end_type != 0x8000)
		err_add("version/extension part/End");
	mand_end = NHRP_FIXED_LEN + NHRP_MAND_LEN + NHRP_TL_LEN(p->shtl) +
		   NHRP_TL_LEN(p->sstl) + p->src_proto_len +
		   p->dst_proto_len;
	if (p->type == NHRP_TYPE_TRAFFIC_IND) {
		/* the truncated packet that triggered the indication */
		if (!p->payload || p->payload_len != p->extoff - mand_end ||
		    p->payload != v->buf + mand_end)
			err_add("TI payload");
		else if (p->payload_len < 20 || p->payload[0] != 0x45)
			err_add("TI payload is not IPv4");
		else if (memcmp(p->payload + 12, p->dst_proto, 4))
			err_add("TI dst proto is not the inner source");
		if (nhrp_ti_code(p) != NHRP_TRAFFIC_REDIRECT)
			err_add("TI code %u", nhrp_ti_code(p));
		if (p->ncie)
			err_add("TI with CIEs");
	} else if (p->payload || p->payload_len) {
		err_add("payload on type %u", p->type);
	}
	if (p->pro_type == NHRP_PRO_IPV6 &&
	    (p->src_proto_len != 16 || p->dst_proto_len != 16))
		err_add("IPv6 protocol address lengths");
}

static void test_vectors(void)
{
	static struct nhrp_pkt pk;
	struct nhrp_pkt *p = &pk;
	char line[4096], *f[F_NFIELDS + 4];
	u8 out[2048];
	int i, rc, n;

	for (i = 0; i < nvecs; i++) {
		const struct vec *v = &vecs[i];
		const char *nm = v->name;

		if (strstr(nm, "pb_nhrp_1")) {
			/* fuzzed: afn 0x5dc9, pktsz 30547 in 40 bytes */
			rc = nhrp_decode(v->buf, v->len, p);
			tap_ok(rc == -NHRP_E_PKTSZ_BIG && p->err_off == 10,
			       "%s#%d malformed capture rejected (%s)", nm,
			       v->frame, nhrp_strerror(rc));
			rc = nhrp_decode_flags(v->buf, v->len, p,
					       NHRP_DECODE_NO_CSUM);
			tap_ok(rc == -NHRP_E_PKTSZ_BIG,
			       "%s#%d malformed capture rejected w/o csum",
			       nm, v->frame);
			continue;
		}

		rc = nhrp_decode(v->buf, v->len, p);
		if (!tap_ok(rc == 0, "%s#%d decode type %d (%zu bytes)", nm,
			    v->frame, v->type, v->len)) {
			tap_diag("error %s at offset %u", nhrp_strerror(rc),
				 p->err_off);
			continue;
		}

		errs[0] = '\0';
		if (!v->fields || vec_split(strcpy(line, v->fields), '|', f,
					    F_NFIELDS + 4) < F_NFIELDS) {
			/* nhrp.pcapng.fields.txt stops inside frame 18 */
			tap_ok(1, "%s#%d fields match tshark # SKIP no "
			       "complete line in fields.txt", nm, v->frame);
		} else {
			check_fields(v, p);
			if (!tap_ok(!errs[0], "%s#%d fields match tshark", nm,
				    v->frame))
				tap_diag("%s", errs);
		}

		errs[0] = '\0';
		if (!v->tshark)
			err_add("no tshark text");
		else
			check_tshark(v, p);
		if (!tap_ok(!errs[0], "%s#%d header, addresses, CIEs, extensions match tshark -V", nm,
			    v->frame))
			tap_diag("%s", errs);

		errs[0] = '\0';
		check_semantics(v, p);
		if (!tap_ok(!errs[0], "%s#%d auth/structure", nm, v->frame))
			tap_diag("%s", errs);

		memcpy(out, v->buf, v->len);
		out[12] = 0;
		out[13] = 0;
		tap_ok(nhrp_csum(v->buf, v->len) == 0 &&
		       nhrp_csum(out, v->len) == p->csum,
		       "%s#%d checksum 0x%04x verifies", nm, v->frame,
		       p->csum);

		memset(out, 0xa5, sizeof(out));
		n = nhrp_encode(p, out, sizeof(out));
		if (!tap_ok(n == (int)v->len && !memcmp(out, v->buf, v->len) &&
			    nhrp_encode(p, NULL, 0) == n,
			    "%s#%d encode(decode(p)) == p", nm, v->frame))
			hexdump_diff(v->buf, v->len, out, n);
	}
}

/* ---- negative tests ---------------------------------------------------- */

/* Decode @b (checksum fixed up first) expecting error @err. */
static void expect_err(const char *what, u8 *b, size_t len, int err,
		       int off)
{
	static struct nhrp_pkt pk;
	int rc;

	if (len >= 20 && get_unaligned_be16(b + 10) <= len)
		fix_csum(b, get_unaligned_be16(b + 10));
	rc = nhrp_decode(b, len, &pk);
	if (!tap_ok(rc == -err && (off < 0 || pk.err_off == off),
		    "reject %s: %s", what, nhrp_strerror(err)))
		tap_diag("got %d (%s) at offset %u", rc, nhrp_strerror(rc),
			 pk.err_off);
}

/* Copy of a capture frame into @b; returns its length. */
static size_t base_pkt(u8 *b, const char *name, int frame)
{
	const struct vec *v = find_vec(name, frame);

	if (!v) {
		tap_diag("missing vector %s#%d", name, frame);
		exit(1);
	}
	memcpy(b, v->buf, v->len);
	return v->len;
}

/* Insert @n bytes @ins at @at into a packet of @len bytes; new length. */
static size_t insert(u8 *b, size_t len, size_t at, const void *ins,
		     size_t n)
{
	memmove(b + at + n, b + at, len - at);
	memcpy(b + at, ins, n);
	set_pktsz(b, len + n);
	return len + n;
}

static void test_negative(void)
{
	static struct nhrp_pkt pk;
	struct nhrp_pkt *p = &pk;
	u8 b[4096], o[4096];
	size_t len;
	int i, n;

	/* NHRP_registration#1: 108 bytes, extoff 52, exts 3,4,5,7,9,End */
	len = base_pkt(b, "NHRP_registration", 1);
	expect_err("19-byte buffer", b, 19, NHRP_E_SHORT, 0);

	len = base_pkt(b, "NHRP_registration", 1);
	expect_err("buffer shorter than pktsz", b, len - 1, NHRP_E_PKTSZ_BIG,
		   10);

	len = base_pkt(b, "NHRP_registration", 1);
	put_unaligned_be16(27, b + 10);
	expect_err("pktsz 27", b, len, NHRP_E_PKTSZ_SMALL, 10);

	len = base_pkt(b, "NHRP_registration", 1);
	b[16] = 2;
	expect_err("version 2", b, len, NHRP_E_VERSION, 16);

	len = base_pkt(b, "NHRP_registration", 1);
	b[17] = 0;
	expect_err("type 0", b, len, NHRP_E_TYPE, 17);
	b[17] = 9;
	expect_err("type 9", b, len, NHRP_E_TYPE, 17);

	len = base_pkt(b, "NHRP_registration", 1);
	b[30] ^= 1;
	n = nhrp_decode(b, len, p);
	tap_ok(n == -NHRP_E_CSUM && p->err_off == 12,
	       "reject corrupted byte: %s", nhrp_strerror(NHRP_E_CSUM));
	n = nhrp_decode_flags(b, len, p, NHRP_DECODE_NO_CSUM);
	tap_ok(n == 0 && nhrp_encode(p, o, sizeof(o)) == (int)len &&
	       nhrp_csum(o, len) == 0 && !memcmp(o + 14, b + 14, len - 14),
	       "NHRP_DECODE_NO_CSUM accepts it, encode fixes the checksum");

	len = base_pkt(b, "NHRP_registration", 1);
	put_unaligned_be16(24, b + 14);
	expect_err("extoff 24", b, len, NHRP_E_EXTOFF_HDR, 14);
	put_unaligned_be16(30, b + 14);
	expect_err("extoff inside the addresses", b, len, NHRP_E_EXTOFF_HDR,
		   14);
	put_unaligned_be16((u16)(len + 1), b + 14);
	expect_err("extoff beyond pktsz", b, len, NHRP_E_EXTOFF_PKT, 14);

	len = base_pkt(b, "NHRP_registration", 1);
	b[18] = NHRP_MAX_NBMA_LEN + 1;
	expect_err("shtl 21", b, len, NHRP_E_ADDR_LEN, 18);
	len = base_pkt(b, "NHRP_registration", 1);
	b[19] = NHRP_MAX_NBMA_LEN + 1;
	expect_err("sstl 21", b, len, NHRP_E_ADDR_LEN, 19);
	len = base_pkt(b, "NHRP_registration", 1);
	b[20] = NHRP_MAX_PROTO_LEN + 1;
	expect_err("src proto len 17", b, len, NHRP_E_ADDR_LEN, 20);
	len = base_pkt(b, "NHRP_registration", 1);
	b[21] = 255;
	expect_err("dst proto len 255", b, len, NHRP_E_ADDR_LEN, 21);

	/* addresses longer than the packet: 40-byte packet, no CIE/exts */
	nhrp_pkt_init(p, NHRP_TYPE_PURGE_REQ, 1, 0x0800);
	p->opts = 0;
	p->shtl = 4;
	p->src_proto_len = 4;
	p->dst_proto_len = 4;
	p->src_nbma = ip4("1.1.1.1");
	p->src_proto = ip4("10.0.0.1");
	p->dst_proto = ip4("10.0.0.2");
	len = (size_t)nhrp_encode(p, b, sizeof(b));
	tap_ok(len == 40 && nhrp_decode(b, len, p) == 0 && !p->extoff,
	       "minimal purge request without extension part decodes");
	b[21] = 16;
	expect_err("addresses overrun pktsz", b, len, NHRP_E_MAND_TRUNC, 28);
	b[21] = 4;
	put_unaligned_be16(40, b + 14);
	expect_err("extoff == pktsz: no End", b, len, NHRP_E_EXT_NO_END, 40);
	len = insert(b, len, len, "\x80\x00\x00\x00", 4);
	tap_ok(nhrp_decode(b, len, p) == 0 && p->extoff == 40 && !p->next &&
	       (p->opts & NHRP_PKT_EXTS) && nhrp_encode(p, o, sizeof(o)) == 44
	       && !memcmp(o, b, 44), "extension part with only End");
	b[21] = 8;
	expect_err("addresses overrun extoff", b, len, NHRP_E_EXTOFF_HDR, 14);

	/* CIEs: mandatory CIE is b[40..52) */
	len = base_pkt(b, "NHRP_registration", 1);
	put_unaligned_be16(48, b + 14);
	expect_err("CIE header cut by extoff", b, len, NHRP_E_CIE_TRUNC, 40);
	len = base_pkt(b, "NHRP_registration", 1);
	b[48] = 4;
	expect_err("CIE address overruns its section", b, len,
		   NHRP_E_CIE_TRUNC, 40);
	len = base_pkt(b, "NHRP_registration", 1);
	b[50] = NHRP_MAX_PROTO_LEN + 1;
	expect_err("CIE proto len 17", b, len, NHRP_E_CIE_ADDR_LEN, 48);
	len = base_pkt(b, "NHRP_registration", 1);
	b[48] = 0x40 | (NHRP_MAX_NBMA_LEN + 1);
	expect_err("CIE NBMA len 21", b, len, NHRP_E_CIE_ADDR_LEN, 48);
	len = base_pkt(b, "NHRP_registration", 1);
	b[49] = NHRP_MAX_NBMA_LEN + 1;
	expect_err("CIE subaddress len 21", b, len, NHRP_E_CIE_ADDR_LEN, 48);

	/* NAT extension (at 84) CIE truncated is kept raw, not an error */
	len = base_pkt(b, "NHRP_registration", 1);
	b[94] = 5;
	n = nhrp_decode(b, len, p);
	tap_ok(n == -NHRP_E_CSUM, "checksum checked before extensions");
	fix_csum(b, len);
	n = nhrp_decode(b, len, p);
	tap_ok(n == 0 && p->next == 5 &&
	       (p->ext[4].flags & NHRP_EXTF_RAW) && p->ext[4].dlen == 20 &&
	       p->ncie == 1 && nhrp_encode(p, o, sizeof(o)) == (int)len &&
	       !memcmp(o, b, len),
	       "unparsable NAT extension kept raw and re-encoded verbatim");
	/* same in a responder extension is an error */
	len = base_pkt(b, "NHRP_registration", 2);
	b[20 + 8 + 12 + 12 + 4 + 10] = 5;
	expect_err("responder CIE overruns the extension", b, len,
		   NHRP_E_CIE_TRUNC, 56);

	/* 17 CIEs in the mandatory part */
	nhrp_pkt_init(p, NHRP_TYPE_RES_REPLY, 1, 0x0800);
	p->opts = 0;
	for (i = 0; i < NHRP_MAX_CIES; i++)
		nhrp_cie_add(p, NULL)->plen = (u8)i;
	tap_ok(!nhrp_cie_add(p, NULL) && !nhrp_cie_add(p, NULL),
	       "nhrp_cie_add refuses CIE %d", NHRP_MAX_CIES + 1);
	len = (size_t)nhrp_encode(p, b, sizeof(b));
	tap_ok(len == 28 + 12 * NHRP_MAX_CIES && nhrp_decode(b, len, p) == 0
	       && p->mand_cies == NHRP_MAX_CIES && p->cie[15].plen == 15,
	       "%d CIEs decode", NHRP_MAX_CIES);
	memset(b + len, 0, 12);
	set_pktsz(b, len + 12);
	expect_err("17 CIEs", b, len + 12, NHRP_E_TOO_MANY_CIES,
		   (int)len);

	/* extensions */
	len = base_pkt(b, "NHRP_registration", 1);
	put_unaligned_be16(200, b + 66);	/* auth ext length */
	expect_err("auth extension overruns pktsz", b, len,
		   NHRP_E_EXT_TRUNC, 64);
	len = base_pkt(b, "NHRP_registration", 1);
	set_pktsz(b, len - 2);
	expect_err("half an End", b, len - 2, NHRP_E_EXT_TRUNC, 104);
	len = base_pkt(b, "NHRP_registration", 1);
	set_pktsz(b, len - 4);
	expect_err("missing End", b, len - 4, NHRP_E_EXT_NO_END, 104);
	len = base_pkt(b, "NHRP_registration", 1);
	len = insert(b, len, len, "\x80\x00\x00\x00", 4);
	expect_err("two End extensions", b, len, NHRP_E_EXT_DUP_END, 108);
	len = base_pkt(b, "NHRP_registration", 1);
	len = insert(b, len, len, "\x00\x09\x00\x00", 4);
	expect_err("extension after End", b, len, NHRP_E_EXT_TRAILING, 108);
	len = base_pkt(b, "NHRP_registration", 1);
	len = insert(b, len, len, "\x00", 1);
	expect_err("odd byte after End", b, len, NHRP_E_EXT_TRAILING, 108);
	len = base_pkt(b, "NHRP_registration", 1);
	put_unaligned_be16(4, b + 106);
	len = insert(b, len, len, "\x00\x00\x00\x00", 4);
	expect_err("End with a value", b, len, NHRP_E_EXT_END_LEN, 104);

	len = base_pkt(b, "NHRP_registration", 1);
	len = insert(b, len, 64, "\x80\x2a\x00\x02zz", 6);
	expect_err("unknown compulsory extension 0x802a", b, len,
		   NHRP_E_EXT_COMPULSORY, 64);
	n = nhrp_decode(b, len, p);
	tap_ok(n == -NHRP_E_EXT_COMPULSORY && p->type == 3 &&
	       p->reqid == 1 && p->mand_cies == 1 &&
	       !memcmp(p->src_nbma, ip4("169.254.100.1"), 4) &&
	       !memcmp(p->src_proto, ip4("155.1.0.1"), 4),
	       "header, addresses and CIEs valid after a compulsory error");
	b[64] = 0x00;
	fix_csum(b, len);
	n = nhrp_decode(b, len, p);
	tap_ok(n == 0 && p->next == 6 && p->ext[3].type == 0x2a &&
	       p->ext[3].dlen == 2 && !memcmp(p->ext[3].data, "zz", 2) &&
	       nhrp_encode(p, o, sizeof(o)) == (int)len &&
	       !memcmp(o, b, len),
	       "unknown non-compulsory extension kept and re-encoded");

	len = base_pkt(b, "NHRP_registration", 2);
	len = insert(b, len, 76, "\x00\x20\x00\x00\x45\xf8\x1c\x20\x00\x00"
		     "\x00\x00", 12);
	put_unaligned_be16(32, b + 54);
	expect_err("responder extension with 2 CIEs", b, len,
		   NHRP_E_EXT_RESP_MULTI, 52);

	len = base_pkt(b, "NHRP_registration", 1);
	put_unaligned_be16(3, b + 66);
	memmove(b + 71, b + 80, len - 80);
	set_pktsz(b, len - 9);
	expect_err("auth extension of 3 bytes", b, len - 9,
		   NHRP_E_EXT_AUTH_LEN, 64);

	len = base_pkt(b, "NHRP_registration", 1);
	len = insert(b, len, 104, "\x00\x08\x00\x02\x00\x00", 6);
	expect_err("vendor extension of 2 bytes", b, len,
		   NHRP_E_EXT_VENDOR_LEN, 104);

	/* 16 extensions decode, 17 do not */
	nhrp_pkt_init(p, NHRP_TYPE_RES_REQ, 1, 0x0800);
	for (i = 0; i < NHRP_MAX_EXTS; i++)
		nhrp_ext_add(p, (u16)(0x20 + i));
	tap_ok(!nhrp_ext_add(p, 0x40), "nhrp_ext_add refuses extension %d",
	       NHRP_MAX_EXTS + 1);
	len = (size_t)nhrp_encode(p, b, sizeof(b));
	tap_ok(len == 28 + 4 * (NHRP_MAX_EXTS + 1) &&
	       nhrp_decode(b, len, p) == 0 && p->next == NHRP_MAX_EXTS,
	       "%d extensions decode", NHRP_MAX_EXTS);
	len = insert(b, len, len - 4, "\x00\x40\x00\x00", 4);
	expect_err("17 extensions", b, len, NHRP_E_TOO_MANY_EXTS,
		   (int)len - 8);

	/* CIEs in extensions count against the same pool */
	nhrp_pkt_init(p, NHRP_TYPE_RES_REQ, 1, 0x0800);
	nhrp_cie_add(p, nhrp_ext_add(p, 0x8004));
	for (i = 1; i < NHRP_MAX_CIES; i++)
		nhrp_cie_add(p, NULL);
	len = (size_t)nhrp_encode(p, b, sizeof(b));
	tap_ok(nhrp_decode(b, len, p) == 0 && p->ncie == NHRP_MAX_CIES,
	       "CIE pool shared by mandatory part and extensions");
	len = insert(b, len, len - 4, "\x80\x05\x00\x0c\0\0\0\0\0\0\0\0\0\0"
		     "\0\0", 16);
	expect_err("17th CIE in a reverse transit record", b, len,
		   NHRP_E_TOO_MANY_CIES, (int)len - 16);

	/* encoder errors */
	len = base_pkt(b, "NHRP_registration", 1);
	nhrp_decode(b, len, p);
	n = nhrp_encode(p, o, len - 1);
	tap_ok(n == -NHRP_E_NOSPACE, "encode into short buffer: %s",
	       nhrp_strerror(n));
	nhrp_pkt_init(p, NHRP_TYPE_TRAFFIC_IND, 1, 0x0800);
	p->payload = o;
	p->payload_len = 0xffff - 28;
	n = nhrp_encode(p, NULL, 0);
	tap_ok(n == -NHRP_E_TOO_BIG, "encode > 65535 bytes: %s",
	       nhrp_strerror(n));
	p->opts = 0;
	tap_ok(nhrp_encode(p, NULL, 0) == 0xffff, "encode 65535 bytes");
	p->payload = NULL;
	n = nhrp_encode(p, NULL, 0);
	tap_ok(n == -NHRP_E_INVAL, "encode payload without pointer: %s",
	       nhrp_strerror(n));
	nhrp_pkt_init(p, NHRP_TYPE_REG_REQ, 1, 0x0800);
	p->shtl = 4;
	tap_ok(nhrp_encode(p, o, sizeof(o)) == -NHRP_E_INVAL,
	       "encode NBMA length without address");
	p->shtl = 0;
	nhrp_cie_add(p, NULL)->proto_len = 4;
	tap_ok(nhrp_encode(p, o, sizeof(o)) == -NHRP_E_INVAL,
	       "encode CIE proto length without address");
	p->cie[0].proto = ip4("1.2.3.4");
	p->cie[0].nbma_tl = NHRP_MAX_NBMA_LEN + 1;
	tap_ok(nhrp_encode(p, o, sizeof(o)) == -NHRP_E_INVAL,
	       "encode CIE NBMA length over bound");

	/* every error code has its own description */
	n = 1;
	for (i = 0; i < NHRP_E_MAX; i++) {
		int j;

		for (j = 0; j < i; j++)
			if (!strcmp(nhrp_strerror(i), nhrp_strerror(j)))
				n = 0;
		if (!nhrp_strerror(-i) || strcmp(nhrp_strerror(i),
						  nhrp_strerror(-i)))
			n = 0;
	}
	tap_ok(n && !strcmp(nhrp_strerror(NHRP_E_MAX), "unknown error"),
	       "nhrp_strerror: %d distinct descriptions", NHRP_E_MAX);
}

/* ---- building packets like a Cisco router does ----------------------- */

/* Encode @p and compare with capture @name#@frame. */
static void expect_bytes(const char *what, struct nhrp_pkt *p,
			 const char *name, int frame)
{
	const struct vec *v = find_vec(name, frame);
	u8 out[2048];
	int n;

	if (!v) {
		tap_ok(0, "%s: no vector %s#%d", what, name, frame);
		return;
	}
	n = nhrp_encode(p, out, sizeof(out));
	if (!tap_ok(n == (int)v->len && !memcmp(out, v->buf, v->len),
		    "%s == %s#%d", what, name, frame))
		hexdump_diff(v->buf, v->len, out, n);
}

static void set_cie(struct nhrp_cie *c, u8 plen, u16 mtu, u16 htime,
		    u8 pref)
{
	c->code = NHRP_CODE_SUCCESS;
	c->plen = plen;
	c->mtu = mtu;
	c->holdtime = htime;
	c->pref = pref;
}

static void test_build(void)
{
	static struct nhrp_pkt pk, pk2;
	struct nhrp_pkt *p = &pk;
	const struct nhrp_cie *cc;
	const struct vec *v;
	struct nhrp_ext *e;
	struct nhrp_cie *c;
	u8 b[2048];
	int n;

	/* spoke registration request, IOL 2015 */
	nhrp_pkt_init(p, NHRP_TYPE_REG_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p->shtl = 4;
	p->src_proto_len = 4;
	p->dst_proto_len = 4;
	p->flags = NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT;
	p->reqid = 1;
	p->src_nbma = ip4("169.254.100.1");
	p->src_proto = ip4("155.1.0.1");
	p->dst_proto = ip4("155.1.0.5");
	set_cie(nhrp_cie_add(p, NULL), 32, 17912, 7200, 0);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_RESPONDER);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_FWD_TRANSIT);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_REV_TRANSIT);
	e = nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_AUTH);
	nhrp_ext_set_auth(e, NHRP_AUTH_CLEARTEXT, (const u8 *)"NHRPAUTH", 8);
	e = nhrp_ext_add(p, NHRP_EXT_NAT_ADDR);
	c = nhrp_cie_add(p, e);
	set_cie(c, 32, 17912, 0, 0);
	nhrp_cie_set_addr(c, ip4("169.254.100.5"), 4, ip4("155.1.0.5"), 4);
	expect_bytes("registration request built from scratch", p,
		     "NHRP_registration", 1);
	p->reqid = 2;
	expect_bytes("retransmission with request id 2", p,
		     "NHRP_registration", 3);

	/* hub reply: copy the request, fill in the responder extension */
	v = find_vec("NHRP_registration", 1);
	n = nhrp_decode(v->buf, v->len, p);
	p->type = NHRP_TYPE_REG_REPLY;
	c = nhrp_cie_add(p, nhrp_ext_find(p, NHRP_EXT_RESPONDER));
	set_cie(c, 32, 17912, 7200, 0);
	nhrp_cie_set_addr(c, ip4("169.254.100.5"), 4, ip4("155.1.0.5"), 4);
	tap_ok(n == 0 && p->ncie == 3 && p->ext[4].cie_first == 2,
	       "CIE added to responder extension shifts the NAT CIE");
	expect_bytes("registration reply from the request", p,
		     "NHRP_registration", 2);

	/* responder address differs from the destination protocol address */
	v = find_vec("NHRP-responder-address", 1);
	n = nhrp_decode(v->buf, v->len, p);
	p->type = NHRP_TYPE_REG_REPLY;
	c = nhrp_cie_add(p, nhrp_ext_find(p, NHRP_EXT_RESPONDER));
	set_cie(c, 32, 17912, 7200, 0);
	nhrp_cie_set_addr(c, ip4("6.6.6.6"), 4, ip4("155.1.146.6"), 4);
	expect_bytes("reply with responder 6.6.6.6/155.1.146.6", p,
		     "NHRP-responder-address", 2);

	/* hub forwards a resolution request: hop-1, forward transit CIE */
	v = find_vec("phase-2-nhrp-spoke-to-spoke", 1);
	n = nhrp_decode(v->buf, v->len, p);
	e = nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT);
	tap_ok(n == 0 && e && !nhrp_cie_find_proto(p, e, ip4("172.16.123.1"),
						    4),
	       "no loop: hub not yet in the forward transit record");
	p->hopcnt--;
	c = nhrp_cie_add(p, e);
	set_cie(c, 32, 17916, 7200, 0);
	nhrp_cie_set_addr(c, ip4("192.168.123.1"), 4, ip4("172.16.123.1"), 4);
	expect_bytes("forwarded resolution request", p,
		     "phase-2-nhrp-spoke-to-spoke", 2);

	/* loop detection on the forwarded copy */
	v = find_vec("phase-2-nhrp-spoke-to-spoke", 2);
	n = nhrp_decode(v->buf, v->len, p);
	e = nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT);
	cc = nhrp_cie_find_proto(p, e, ip4("172.16.123.1"), 4);
	tap_ok(n == 0 && cc && cc == nhrp_ext_cie(p, e, 0) &&
	       !nhrp_cie_find_proto(p, e, ip4("172.16.123.3"), 4) &&
	       !nhrp_cie_find_proto(p, NULL, ip4("172.16.123.1"), 4),
	       "loop detected: own address in forward transit record");

	/* spoke 3 answers the forwarded request */
	p->type = NHRP_TYPE_RES_REPLY;
	p->hopcnt = 255;
	p->flags |= NHRP_FLAG_RES_D | NHRP_FLAG_RES_U;
	c = nhrp_ext_cie(p, NULL, 0);
	nhrp_cie_set_addr(c, ip4("192.168.123.3"), 4, ip4("172.16.123.3"), 4);
	c = nhrp_cie_add(p, nhrp_ext_find(p, NHRP_EXT_RESPONDER));
	set_cie(c, 32, 17916, 7200, 0);
	nhrp_cie_set_addr(c, ip4("192.168.123.3"), 4, ip4("172.16.123.3"), 4);
	expect_bytes("resolution reply from the forwarded request", p,
		     "phase-2-nhrp-spoke-to-spoke", 3);

	/* traffic indication (2007 IOS 12.4T) quoting the ICMP packet */
	v = find_vec("nhrp-trace", 1);
	nhrp_pkt_init(p, NHRP_TYPE_TRAFFIC_IND, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p->shtl = 4;
	p->src_proto_len = 4;
	p->dst_proto_len = 4;
	nhrp_set_ti_code(p, NHRP_TRAFFIC_REDIRECT);
	p->src_nbma = ip4("192.168.200.1");
	p->src_proto = ip4("10.255.255.1");
	p->dst_proto = ip4("10.255.255.3");
	p->payload = v->buf + 40;
	p->payload_len = 28;
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_FWD_TRANSIT);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_REV_TRANSIT);
	e = nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_AUTH);
	nhrp_ext_set_auth(e, NHRP_AUTH_CLEARTEXT, (const u8 *)"secret", 6);
	nhrp_ext_add(p, NHRP_EXT_NAT_ADDR);
	expect_bytes("traffic indication built from scratch", p,
		     "nhrp-trace", 1);

	/* IPv6 over IPv4 registration request and its 2-CIE reply */
	nhrp_pkt_init(p, NHRP_TYPE_REG_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV6);
	p->shtl = 4;
	p->src_proto_len = 16;
	p->dst_proto_len = 16;
	p->flags = NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT;
	p->reqid = 5;
	p->src_nbma = ip4("192.168.123.2");
	p->src_proto = ip6("2001:db8::2");
	p->dst_proto = ip6("2001:db8::1");
	c = nhrp_cie_add(p, NULL);
	set_cie(c, 128, 17916, 7200, 255);
	nhrp_cie_set_addr(c, ip4("192.168.123.2"), 4,
			  ip6("fe80::f816:3eff:fe91:8a8a"), 16);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_RESPONDER);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_FWD_TRANSIT);
	nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_REV_TRANSIT);
	e = nhrp_ext_add(p, NHRP_EXT_COMPULSORY | NHRP_EXT_AUTH);
	nhrp_ext_set_auth(e, NHRP_AUTH_CLEARTEXT, (const u8 *)"DMVPN", 5);
	c = nhrp_cie_add(p, nhrp_ext_add(p, NHRP_EXT_NAT_ADDR));
	set_cie(c, 128, 17916, 0, 255);
	nhrp_cie_set_addr(c, ip4("192.168.123.1"), 4, ip6("2001:db8::1"), 16);
	expect_bytes("IPv6 registration request built from scratch", p,
		     "ipv6-over-ipv4-nhrp-registrations", 1);

	v = find_vec("ipv6-over-ipv4-nhrp-registrations", 1);
	n = nhrp_decode(v->buf, v->len, p);
	p->type = NHRP_TYPE_REG_REPLY;
	c = nhrp_cie_add(p, NULL);	/* hub's own link-local binding */
	set_cie(c, 128, 17916, 7200, 255);
	nhrp_cie_set_addr(c, ip4("192.168.123.1"), 4,
			  ip6("fe80::f816:3eff:fee9:86d9"), 16);
	c = nhrp_cie_add(p, nhrp_ext_find(p, NHRP_EXT_RESPONDER));
	set_cie(c, 128, 17916, 7200, 255);
	nhrp_cie_set_addr(c, ip4("192.168.123.1"), 4, ip6("2001:db8::1"), 16);
	tap_ok(n == 0 && p->mand_cies == 2 && p->ncie == 4,
	       "second mandatory CIE inserted before extension CIEs");
	expect_bytes("IPv6 registration reply from the request", p,
		     "ipv6-over-ipv4-nhrp-registrations", 2);

	/* per-tunnel QoS: vendor-private extension with Cisco OUI */
	v = find_vec("qos-nhrp-registrations", 1);
	n = nhrp_decode(v->buf, v->len, p);
	e = nhrp_ext_find(p, NHRP_EXT_VENDOR);
	tap_ok(n == 0 && e && e->type == NHRP_EXT_VENDOR &&
	       e->hdr == NHRP_OUI_CISCO && e->dlen == 10 &&
	       !memcmp(e->data, "\x01\x08SHAPE_1M", 10),
	       "vendor extension: OUI 00000c, 01 08 \"SHAPE_1M\"");
	e = nhrp_ext_find(p, NHRP_EXT_NAT_ADDR);
	nhrp_ext_del(p, e);
	tap_ok(p->next == 5 && p->ncie == 1 &&
	       NHRP_EXT_TYPE(p->ext[4].type) == NHRP_EXT_VENDOR &&
	       nhrp_encode(p, b, sizeof(b)) == (int)v->len - 24,
	       "nhrp_ext_del removes the NAT extension and its CIE");
	nhrp_ext_del(p, nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT));
	n = nhrp_encode(p, b, sizeof(b));
	tap_ok(n == (int)v->len - 28 && nhrp_decode(b, (size_t)n, &pk2) == 0 &&
	       pk2.next == 4 && pk2.ncie == 1,
	       "re-encoded packet without them decodes");

	/* error indication quoting the offending packet */
	v = find_vec("NHRP_registration", 1);
	nhrp_pkt_init(p, NHRP_TYPE_ERROR_IND, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p->opts = 0;
	p->shtl = 4;
	p->src_proto_len = 4;
	p->dst_proto_len = 4;
	p->src_nbma = ip4("169.254.100.5");
	p->src_proto = ip4("155.1.0.5");
	p->dst_proto = ip4("155.1.0.1");
	nhrp_set_ei(p, NHRP_ERR_AUTH_FAILURE, 64);
	p->payload = v->buf;
	p->payload_len = (u16)v->len;
	n = nhrp_encode(p, b, sizeof(b));
	tap_ok(n == 40 + (int)v->len && nhrp_decode(b, (size_t)n, &pk2) == 0 &&
	       pk2.type == NHRP_TYPE_ERROR_IND && !pk2.extoff &&
	       nhrp_ei_code(&pk2) == NHRP_ERR_AUTH_FAILURE &&
	       nhrp_ei_offset(&pk2) == 64 && pk2.payload_len == v->len &&
	       !memcmp(pk2.payload, v->buf, v->len),
	       "error indication round trip (code, offset, quoted packet)");
	n = nhrp_decode(pk2.payload, pk2.payload_len, p);
	tap_ok(n == 0 && p->reqid == 1, "quoted packet decodes");
	n = nhrp_decode(pk2.payload, 44, p);
	tap_ok(n == -NHRP_E_PKTSZ_BIG, "truncated quoted packet: %s",
	       nhrp_strerror(n));
	n = nhrp_decode_flags(pk2.payload, 44, p, NHRP_DECODE_HDR_ONLY);
	tap_ok(n == 0 && p->type == NHRP_TYPE_REG_REQ && p->reqid == 1 &&
	       p->pktsz == 108 && !p->ncie && !p->next &&
	       !memcmp(p->dst_proto, ip4("155.1.0.5"), 4),
	       "NHRP_DECODE_HDR_ONLY: request id and addresses of a "
	       "truncated quoted packet");
	n = nhrp_decode_flags(pk2.payload, 39, p, NHRP_DECODE_HDR_ONLY);
	tap_ok(n == -NHRP_E_MAND_TRUNC && p->reqid == 1,
	       "NHRP_DECODE_HDR_ONLY: addresses cut off: %s",
	       nhrp_strerror(n));

	/* purge request with N bit, E.164 type bit kept */
	nhrp_pkt_init(p, NHRP_TYPE_PURGE_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p->shtl = NHRP_TL_E164 | 4;
	p->src_proto_len = 4;
	p->dst_proto_len = 4;
	p->flags = NHRP_FLAG_PURGE_N;
	p->reqid = 0xdeadbeef;
	p->src_nbma = ip4("192.0.2.1");
	p->src_proto = ip4("10.0.0.1");
	p->dst_proto = ip4("10.0.0.2");
	c = nhrp_cie_add(p, NULL);
	set_cie(c, 24, 0, 0, 0);
	nhrp_cie_set_addr(c, NULL, 0, ip4("10.1.0.0"), 4);
	n = nhrp_encode(p, b, sizeof(b));
	tap_ok(n > 0 && nhrp_decode(b, (size_t)n, &pk2) == 0 &&
	       pk2.flags == NHRP_FLAG_PURGE_N && pk2.shtl == 0x44 &&
	       pk2.reqid == 0xdeadbeef && pk2.cie[0].plen == 24 &&
	       !pk2.cie[0].nbma && !memcmp(pk2.cie[0].proto,
					   ip4("10.1.0.0"), 4),
	       "purge request round trip (N flag, E.164 bit, CIE w/o NBMA)");

	/* trailing bytes beyond pktsz are not part of the packet */
	v = find_vec("ios_nhrp", 1);
	memcpy(b, v->buf, v->len);
	memset(b + v->len, 0, 9);
	n = nhrp_decode(b, v->len + 9, p);
	tap_ok(n == 0 && p->pktsz == v->len && p->cie[0].plen == 255 &&
	       p->cie[0].mtu == 1514 && p->cie[0].holdtime == 30,
	       "Ethernet padding after pktsz ignored (ios_nhrp)");

	/* checksum basics */
	tap_ok(nhrp_csum((const u8 *)"\x00\x01\xf2", 3) == 0x0dfe &&
	       nhrp_csum(NULL, 0) == 0xffff,
	       "checksum of odd-length data");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("MGRE_VECTORS");
	int ok_vectors;

	if (!dir) {
		fprintf(stderr, "usage: %s VECTORS_DIR (or MGRE_VECTORS)\n",
			argv[0]);
		return 2;
	}
	nvecs = vec_load(dir, &vecs);
	tap_diag("vectors: %s (%d NHRP packets)", dir, nvecs);
	ok_vectors = tap_ok(nvecs >= 60, "loaded %d capture vectors", nvecs);
	if (!ok_vectors) {
		printf("1..%d\n", tap_n);
		return 1;
	}

	test_vectors();
	test_negative();
	test_build();

	vec_free(vecs, nvecs);
	printf("# unit: %d passed, %d failed\n", tap_n - tap_fail, tap_fail);
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

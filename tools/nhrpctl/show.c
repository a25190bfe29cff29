// SPDX-License-Identifier: GPL-2.0
/*
 * nhrpctl: output of the show and stats commands, as Cisco-like text or
 * as JSON.  The formats are documented in nhrpctl.8; scripts and tests
 * depend on them, so change them only together with the man page.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>

#include "json.h"
#include "nhrpctl.h"

struct show_ctx {
	const struct out_opts *out;
	struct json json;
	const struct mgre_dev *dev;	/* the device being dumped */
	void *priv;			/* the command's own state */
	enum show_what what;
};

typedef void (*text_fn)(const struct show_ctx *ctx);

struct show_op {
	uint8_t cmd;
	nhrp_reply_fn reply;
	text_fn text_begin;		/* once, before all devices */
	text_fn text_dev;		/* before each device */
};

/* ---- helpers ---------------------------------------------------------- */

static uint32_t attr_u32(struct nlattr *a, uint32_t def)
{
	return a ? nla_get_u32(a) : def;
}

static uint8_t attr_u8(struct nlattr *a, uint8_t def)
{
	return a ? nla_get_u8(a) : def;
}

static const char *addr_str(const void *addr, char *buf)
{
	return inet_ntop(AF_INET, addr, buf, INET_ADDRSTRLEN);
}

/* The NBMA address (or a next hop), NULL if absent or 0.0.0.0 (unknown) */
static const char *nbma_str(struct nlattr *a, char *buf)
{
	uint32_t nbma = attr_u32(a, 0);

	return nbma ? addr_str(&nbma, buf) : NULL;
}

/* Cisco style: hh:mm:ss below a day, then 1d02h, then 2w3d */
static const char *duration_str(uint64_t s, char *buf, size_t len)
{
	if (s < 86400)
		snprintf(buf, len, "%02u:%02u:%02u", (unsigned int)(s / 3600),
			 (unsigned int)(s / 60 % 60), (unsigned int)(s % 60));
	else if (s < 7 * 86400)
		snprintf(buf, len, "%ud%02uh", (unsigned int)(s / 86400),
			 (unsigned int)(s / 3600 % 24));
	else
		snprintf(buf, len, "%" PRIu64 "w%ud", s / (7 * 86400),
			 (unsigned int)(s / 86400 % 7));
	return buf;
}

static void json_opt_u64(struct json *j, const char *key, struct nlattr *a,
			 uint64_t val)
{
	if (a)
		json_u64(j, key, val);
	else
		json_null(j, key);
}

static void json_opt_string(struct json *j, const char *key, const char *s)
{
	if (s)
		json_string(j, key, s);
	else
		json_null(j, key);
}

/* ---- NHRP cache ------------------------------------------------------- */

struct flag_buf {
	char s[128];
	size_t n;
};

/*
 * IOS's word for a flag where it is not the uapi's name (JSON and monitor
 * keep the uapi's): a shortcut is "nho", next-hop override
 */
static const char *flag_ios(const char *name)
{
	return strcmp(name, "shortcut") ? name : "nho";
}

static void flag_text(const char *name, void *arg)
{
	struct flag_buf *b = arg;

	name = flag_ios(name);
	if (b->n < sizeof(b->s))
		b->n += snprintf(b->s + b->n, sizeof(b->s) - b->n, "%s%s",
				 b->n ? " " : "", name);
}

/*
 * "via": a shortcut's next hop (MGRE_A_NEXT_HOP, its responder's tunnel
 * address), else the protocol address again
 */
static void cache_text(const struct show_ctx *ctx, struct nlattr **tb,
		       const char *proto, const char *nbma, const char *type,
		       const char *next_hop)
{
	struct flag_buf flags = { .n = 0 };
	char age[32], expires[32];

	flags_foreach(attr_u32(tb[MGRE_A_FLAGS], 0), flag_text, &flags);
	printf("%s/%u via %s\n", proto, attr_u8(tb[MGRE_A_PREFIXLEN], 32),
	       next_hop ? next_hop : proto);
	duration_str(tb[MGRE_A_AGE] ? nla_get_u64(tb[MGRE_A_AGE]) : 0,
		     age, sizeof(age));
	if (tb[MGRE_A_EXPIRES])
		printf("   %s created %s, expire %s\n", ctx->dev->name, age,
		       duration_str(nla_get_u32(tb[MGRE_A_EXPIRES]),
				    expires, sizeof(expires)));
	else
		printf("   %s created %s, never expire\n", ctx->dev->name, age);
	printf("   Type: %s, Flags: %s\n", type, flags.n ? flags.s : "none");
	printf("   NBMA address: %s\n", nbma ? nbma : "none");
}

static void cache_json(struct show_ctx *ctx, struct nlattr **tb,
		       const char *proto, const char *nbma, const char *type,
		       const char *next_hop)
{
	struct json *j = &ctx->json;

	json_open_object(j, NULL);
	json_string(j, "dev", ctx->dev->name);
	json_string(j, "proto", proto);
	json_u64(j, "prefixlen", attr_u8(tb[MGRE_A_PREFIXLEN], 32));
	json_opt_string(j, "nbma", nbma);
	json_opt_string(j, "next_hop", next_hop);
	json_string(j, "type", type);
	json_open_array(j, "flags");
	flags_foreach(attr_u32(tb[MGRE_A_FLAGS], 0), json_flag, j);
	json_close_array(j);
	json_u64(j, "age", tb[MGRE_A_AGE] ? nla_get_u64(tb[MGRE_A_AGE]) : 0);
	json_opt_u64(j, "expires", tb[MGRE_A_EXPIRES],
		     attr_u32(tb[MGRE_A_EXPIRES], 0));
	json_opt_u64(j, "used", tb[MGRE_A_USED], attr_u32(tb[MGRE_A_USED], 0));
	json_close_object(j);
}

static int cache_reply(struct nlattr **tb, void *arg)
{
	char proto[INET_ADDRSTRLEN], nbma[INET_ADDRSTRLEN], tbuf[16];
	char next_hop[INET_ADDRSTRLEN];
	struct show_ctx *ctx = arg;
	const char *type, *nh;

	if (!tb[MGRE_A_PROTO])
		return -EBADMSG;
	addr_str(nla_data(tb[MGRE_A_PROTO]), proto);
	type = entry_type_name(attr_u8(tb[MGRE_A_TYPE], MGRE_ENTRY_STATIC),
			       tbuf, sizeof(tbuf));
	nh = nbma_str(tb[MGRE_A_NEXT_HOP], next_hop);
	if (ctx->out->json)
		cache_json(ctx, tb, proto, nbma_str(tb[MGRE_A_NBMA], nbma),
			   type, nh);
	else
		cache_text(ctx, tb, proto, nbma_str(tb[MGRE_A_NBMA], nbma),
			   type, nh);
	return 0;
}

/* ---- show dmvpn: IOS's layout ------------------------------------------ */

/*
 * The text is IOS's "show dmvpn": the legend, then per device its role
 * (Hub: no NHS; Spoke: NHSes; Hub/Spoke: NHSes and "multicast dynamic")
 * and its number of NBMA peers, then the entries grouped by NBMA peer,
 * the first of each group with the group's size ("# Ent"); "detail" adds
 * IOS's "Target Network" and, under protection, each peer's SAs.  So the
 * entries are collected first; JSON is one object per entry, as they come.
 * A shortcut (T2) shows its next hop as the peer's tunnel address and its
 * prefix as the target network, as IOS does.
 *
 * State: NHRP while the entry resolves (incomplete, negative), else UP;
 * on a device with "protection require", UP only when IPsec SAs protect
 * both directions to the peer, IPSEC when one does, IKE when none does
 * yet (xfrm.c).
 */
struct dmvpn_row {
	uint32_t nbma;			/* network order; 0: unknown */
	uint32_t tunnel;		/* a shortcut's next hop, else proto */
	uint32_t proto;			/* with prefixlen: the target network */
	uint8_t prefixlen;
	uint64_t age;
	const char *state;
	char attrs[8];
	uint32_t spi_out, spi_in;	/* its SAs (protection); 0: none */
};

struct dmvpn_dev {
	struct dmvpn_row *rows;
	size_t n, cap;
	unsigned int nhs;		/* NHSes configured */
	bool mcast_dynamic;		/* "multicast dynamic": serves spokes */
	bool protect;			/* "protection require" */
	uint32_t local;			/* its "local"; 0: any */
	const struct xfrm_sas *sas;	/* of the netns */
	bool nomem;
};

static void dmvpn_legend(const struct show_ctx *ctx)
{
	(void)ctx;
	printf("Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete\n"
	       "        N - NATed, L - Local, X - Negative\n"
	       "        T2 - Nexthop-override\n"
	       "        C - Cached, U - Unique, R - Registered\n"
	       "        # Ent --> Number of NHRP entries with same NBMA peer\n"
	       "        UpDn Time --> Up or Down Time for a Tunnel\n"
	       "==========================================================================\n");
}

/*
 * Attribute letters: the type's (S, D, C, I, L; X for negative: N is
 * "NATed" to IOS users), then N, U, R, and T2 for a shortcut (IOS's
 * "Nexthop-override").  (IOS's T1, "Route Installed", has no flag here.)
 */
static void dmvpn_attrs(struct nlattr **tb, uint8_t t, const char *type,
			char *buf)
{
	uint32_t flags = attr_u32(tb[MGRE_A_FLAGS], 0);
	int n = 0;

	buf[n++] = t == MGRE_ENTRY_NEGATIVE ? 'X' :
		   (char)toupper((unsigned char)type[0]);
	if (flags & MGRE_F_NAT)
		buf[n++] = 'N';
	if (flags & MGRE_F_UNIQUE)
		buf[n++] = 'U';
	if (flags & MGRE_F_REGISTERED)
		buf[n++] = 'R';
	if (flags & MGRE_F_SHORTCUT) {
		buf[n++] = 'T';
		buf[n++] = '2';
	}
	buf[n] = '\0';
}

static int dmvpn_reply(struct nlattr **tb, void *arg)
{
	char proto[INET_ADDRSTRLEN], nbma[INET_ADDRSTRLEN], tbuf[16];
	char target[24];
	uint8_t t = attr_u8(tb[MGRE_A_TYPE], MGRE_ENTRY_STATIC);
	struct show_ctx *ctx = arg;
	struct dmvpn_dev *d = ctx->priv;
	struct dmvpn_row row = { 0 };
	struct json *j = &ctx->json;
	const char *type, *peer;

	if (!tb[MGRE_A_PROTO])
		return -EBADMSG;
	memcpy(&row.proto, nla_data(tb[MGRE_A_PROTO]), sizeof(row.proto));
	row.tunnel = attr_u32(tb[MGRE_A_NEXT_HOP], 0);
	if (!row.tunnel)
		row.tunnel = row.proto;
	row.nbma = attr_u32(tb[MGRE_A_NBMA], 0);
	row.prefixlen = attr_u8(tb[MGRE_A_PREFIXLEN], 32);
	type = entry_type_name(t, tbuf, sizeof(tbuf));
	row.state = (t == MGRE_ENTRY_INCOMPLETE || t == MGRE_ENTRY_NEGATIVE) ?
		    "NHRP" : "UP";
	/* (our own addresses need no SA) */
	if (!strcmp(row.state, "UP") && d->protect && d->sas->known &&
	    t != MGRE_ENTRY_LOCAL && row.nbma) {
		xfrm_sas_peer(d->sas, d->local, row.nbma, &row.spi_out,
			      &row.spi_in);
		row.state = row.spi_out && row.spi_in ? "UP" :
			    row.spi_out || row.spi_in ? "IPSEC" : "IKE";
	}
	row.age = tb[MGRE_A_AGE] ? nla_get_u64(tb[MGRE_A_AGE]) : 0;
	dmvpn_attrs(tb, t, type, row.attrs);
	if (!ctx->out->json) {
		if (d->n == d->cap) {
			size_t cap = d->cap ? 2 * d->cap : 64;
			struct dmvpn_row *v;

			v = realloc(d->rows, cap * sizeof(*v));
			if (!v) {
				d->nomem = true;
				return -ENOMEM;
			}
			d->rows = v;
			d->cap = cap;
		}
		d->rows[d->n++] = row;
		return 0;
	}
	peer = nbma_str(tb[MGRE_A_NBMA], nbma);
	json_open_object(j, NULL);
	json_string(j, "dev", ctx->dev->name);
	json_opt_string(j, "peer_nbma", peer);
	json_string(j, "peer_tunnel", addr_str(&row.tunnel, proto));
	json_string(j, "state", row.state);
	json_u64(j, "updn", row.age);
	json_string(j, "attrs", row.attrs);
	snprintf(target, sizeof(target), "%s/%u", addr_str(&row.proto, proto),
		 row.prefixlen);
	json_string(j, "target_network", target);
	if (row.spi_out)
		json_u64(j, "spi_out", row.spi_out);
	if (row.spi_in)
		json_u64(j, "spi_in", row.spi_in);
	json_close_object(j);
	return 0;
}

static int dmvpn_nhs_reply(struct nlattr **tb, void *arg)
{
	struct dmvpn_dev *d = ((struct show_ctx *)arg)->priv;

	(void)tb;
	d->nhs++;
	return 0;
}

static int dmvpn_mcast_reply(struct nlattr **tb, void *arg)
{
	struct dmvpn_dev *d = ((struct show_ctx *)arg)->priv;

	if (tb[MGRE_A_MCAST_DYNAMIC])
		d->mcast_dynamic = true;
	return 0;
}

/*
 * By NBMA address, unknown last; in a group by tunnel address, then
 * target network (a peer's own entry before the shortcuts through it)
 */
static int dmvpn_row_cmp(const void *a, const void *b)
{
	const struct dmvpn_row *x = a, *y = b;
	uint64_t kx = x->nbma ? ntohl(x->nbma) : UINT64_MAX;
	uint64_t ky = y->nbma ? ntohl(y->nbma) : UINT64_MAX;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (ntohl(x->tunnel) != ntohl(y->tunnel))
		return ntohl(x->tunnel) < ntohl(y->tunnel) ? -1 : 1;
	if (ntohl(x->proto) != ntohl(y->proto))
		return ntohl(x->proto) < ntohl(y->proto) ? -1 : 1;
	return (x->prefixlen > y->prefixlen) - (x->prefixlen < y->prefixlen);
}

static const char *spi_str(uint32_t spi, char *buf)
{
	if (!spi)
		return "none";
	sprintf(buf, "spi 0x%08x", spi);
	return buf;
}

/* detail, under protection: the SAs of a peer, after its group */
static void dmvpn_sas(const struct dmvpn_dev *d, const struct dmvpn_row *r)
{
	char out[16], in[16];

	if (!d->protect || !r->nbma)
		return;
	if (!d->sas->known)
		printf("  IPsec: unknown (reading SAs needs CAP_NET_ADMIN)\n");
	else if (!r->spi_out && !r->spi_in)
		printf("  IPsec: no SA\n");
	else
		printf("  IPsec: SA out %s, in %s\n",
		       spi_str(r->spi_out, out), spi_str(r->spi_in, in));
}

static void dmvpn_print(const struct show_ctx *ctx, struct dmvpn_dev *d)
{
	char proto[INET_ADDRSTRLEN], nbma[INET_ADDRSTRLEN], updn[32];
	bool detail = ctx->what == SHOW_DMVPN_DETAIL;
	const struct dmvpn_row *sa_row = NULL;
	unsigned int peers = 0;
	char target[24];
	size_t i, k;

	qsort(d->rows, d->n, sizeof(*d->rows), dmvpn_row_cmp);
	for (i = 0; i < d->n; i++)
		if (d->rows[i].nbma &&
		    (i == 0 || d->rows[i].nbma != d->rows[i - 1].nbma))
			peers++;
	printf("\nInterface: %s, IPv4 NHRP Details\n", ctx->dev->name);
	printf("Type:%s, NHRP Peers:%u,\n\n",
	       !d->nhs ? "Hub" : d->mcast_dynamic ? "Hub/Spoke" : "Spoke",
	       peers);
	printf("%6s %15s %15s %5s %8s %5s%s\n", "# Ent", "Peer NBMA Addr",
	       "Peer Tunnel Add", "State", "UpDn Tm", "Attrb",
	       detail ? "    Target Network" : "");
	printf("%6s %15s %15s %5s %8s %5s%s\n", "-----", "---------------",
	       "---------------", "-----", "--------", "-----",
	       detail ? " -----------------" : "");
	for (i = 0; i < d->n; i = k) {
		const struct dmvpn_row *r = &d->rows[i];

		/* the group: the entries of r's NBMA peer (unknown: one each) */
		for (k = i + 1; k < d->n && r->nbma &&
		     d->rows[k].nbma == r->nbma; k++)
			;
		for (; r < &d->rows[k]; r++) {
			if (r == &d->rows[i])
				printf("%6zu %-15s", r->nbma ? k - i : 0,
				       r->nbma ? addr_str(&r->nbma, nbma) :
						 "UNKNOWN");
			else
				printf("%6s %-15s", "", "");
			printf(" %15s %5s %8s %5s", addr_str(&r->tunnel, proto),
			       r->state, duration_str(r->age, updn,
						      sizeof(updn)),
			       r->attrs);
			if (detail) {
				snprintf(target, sizeof(target), "%s/%u",
					 addr_str(&r->proto, proto),
					 r->prefixlen);
				printf(" %17s", target);
			}
			putchar('\n');
			/* (the peer's SAs: those of any entry with them) */
			if (!sa_row || r->spi_out || r->spi_in)
				sa_row = r;
		}
		if (detail && sa_row)
			dmvpn_sas(d, sa_row);
		sa_row = NULL;
	}
}

/*
 * show dmvpn: each device's entries, and for the text its NHSes and
 * multicast map; the SAs of the netns once, if a device has protection.
 */
static int show_dmvpn(struct nhrp_nl *nl, struct show_ctx *ctx,
		      const struct mgre_dev *devs, size_t ndevs)
{
	struct xfrm_sas sas = { 0 };
	struct dmvpn_dev d = { .sas = &sas };
	bool json = ctx->out->json, tried = false;
	int ret = EXIT_OK;
	size_t i;

	if (json)
		json_open_array(&ctx->json, NULL);
	else
		dmvpn_legend(ctx);
	ctx->priv = &d;
	for (i = 0; i < ndevs && !ret; i++) {
		ctx->dev = &devs[i];
		d.n = 0;
		d.nhs = 0;
		d.mcast_dynamic = false;
		ret = link_protection(&devs[i], &d.protect, &d.local);
		/* (no SAs readable: the states stay NHRP's) */
		if (!ret && d.protect && !tried) {
			tried = true;
			xfrm_sas_read(&sas);
		}
		if (!ret && json) {
			ret = nhrp_query(nl, MGRE_CMD_MAP_GET, &devs[i],
					 dmvpn_reply, ctx);
			continue;
		}
		if (!ret)
			ret = nhrp_query(nl, MGRE_CMD_NHS_GET, &devs[i],
					 dmvpn_nhs_reply, ctx);
		if (!ret)
			ret = nhrp_query(nl, MGRE_CMD_MCAST_GET, &devs[i],
				    dmvpn_mcast_reply, ctx);
		if (!ret)
			ret = nhrp_query(nl, MGRE_CMD_MAP_GET, &devs[i],
				    dmvpn_reply, ctx);
		if (d.nomem) {
			err_msg("out of memory");
			ret = EXIT_FAIL;
		}
		if (!ret)
			dmvpn_print(ctx, &d);
	}
	if (json) {
		json_close_array(&ctx->json);
		json_end(&ctx->json);
	}
	xfrm_sas_free(&sas);
	free(d.rows);
	return ret;
}

/* ---- multicast map ---------------------------------------------------- */

static void mcast_header(const struct show_ctx *ctx)
{
	(void)ctx;
	printf("%-10s %s\n", "I/F", "NBMA address");
}

static int mcast_reply(struct nlattr **tb, void *arg)
{
	char buf[INET_ADDRSTRLEN], tbuf[16];
	struct show_ctx *ctx = arg;
	const char *nbma, *type;

	/* the "dynamic" keyword is configuration, so static by default */
	type = entry_type_name(attr_u8(tb[MGRE_A_TYPE], MGRE_ENTRY_STATIC),
			       tbuf, sizeof(tbuf));
	if (tb[MGRE_A_MCAST_DYNAMIC])
		nbma = "dynamic";
	else
		nbma = nbma_str(tb[MGRE_A_NBMA], buf);
	if (!nbma)
		return -EBADMSG;
	if (!ctx->out->json) {
		printf("%-10s %-16s Flags: %s\n", ctx->dev->name, nbma, type);
		return 0;
	}
	json_open_object(&ctx->json, NULL);
	json_string(&ctx->json, "dev", ctx->dev->name);
	json_string(&ctx->json, "nbma", nbma);
	json_string(&ctx->json, "type", type);
	json_close_object(&ctx->json);
	return 0;
}

/* ---- next-hop servers ------------------------------------------------- */

static void nhs_legend(const struct show_ctx *ctx)
{
	(void)ctx;
	printf("Legend: E=Expecting replies, R=Responding, W=Waiting, D=Down\n");
}

static void nhs_dev_header(const struct show_ctx *ctx)
{
	printf("%s:\n", ctx->dev->name);
}

/*
 * IOS "show ip nhrp nhs detail": "  req-sent 12  req-failed 0  repl-recv
 * 11 (00:00:05 ago)"; "never" with no reply yet, "?" from a module
 * without the counters.
 */
static void nhs_detail(struct nlattr **tb)
{
	char ago[32];

	if (!tb[MGRE_A_NHS_REQ_SENT]) {
		printf("  req-sent ?  req-failed ?  repl-recv ?");
		return;
	}
	printf("  req-sent %u  req-failed %u  repl-recv %u",
	       attr_u32(tb[MGRE_A_NHS_REQ_SENT], 0),
	       attr_u32(tb[MGRE_A_NHS_REQ_FAILED], 0),
	       attr_u32(tb[MGRE_A_NHS_REPL_RECV], 0));
	if (tb[MGRE_A_NHS_LAST_REPLY])
		printf(" (%s ago)",
		       duration_str(attr_u32(tb[MGRE_A_NHS_LAST_REPLY], 0),
				    ago, sizeof(ago)));
	else
		printf(" (never)");
}

static int nhs_reply(struct nlattr **tb, void *arg)
{
	char proto[INET_ADDRSTRLEN], nbma[INET_ADDRSTRLEN], sbuf[16];
	unsigned int state = attr_u8(tb[MGRE_A_NHS_STATE], MGRE_NHS_WAITING);
	unsigned int prio = attr_u8(tb[MGRE_A_PRIORITY], 0);
	struct show_ctx *ctx = arg;
	const char *name, *nb;
	struct json *j = &ctx->json;
	bool dynamic = !!tb[MGRE_A_NHS_DYNAMIC];

	if (!tb[MGRE_A_PROTO])
		return -EBADMSG;
	addr_str(nla_data(tb[MGRE_A_PROTO]), proto);
	nb = nbma_str(tb[MGRE_A_NBMA], nbma);
	name = nhs_state_name(state, sbuf, sizeof(sbuf));
	if (!ctx->out->json) {
		/* (a dynamic NHS that has not answered: no address yet) */
		printf("%s  %c priority = %u nbma = %s%s",
		       dynamic && !strcmp(proto, "0.0.0.0") ? "dynamic" : proto,
		       state < __MGRE_NHS_STATE_MAX ? toupper(name[0]) : '?',
		       prio, nb ? nb : "none", dynamic ? " (dynamic)" : "");
		if (ctx->what == SHOW_NHS_DETAIL)
			nhs_detail(tb);
		putchar('\n');
		return 0;
	}
	json_open_object(j, NULL);
	json_string(j, "dev", ctx->dev->name);
	json_string(j, "proto", proto);
	json_opt_string(j, "nbma", nb);
	json_u64(j, "priority", prio);
	json_bool(j, "dynamic", dynamic);
	json_string(j, "state", name);
	json_opt_u64(j, "req_sent", tb[MGRE_A_NHS_REQ_SENT],
		     attr_u32(tb[MGRE_A_NHS_REQ_SENT], 0));
	json_opt_u64(j, "req_failed", tb[MGRE_A_NHS_REQ_FAILED],
		     attr_u32(tb[MGRE_A_NHS_REQ_FAILED], 0));
	json_opt_u64(j, "repl_recv", tb[MGRE_A_NHS_REPL_RECV],
		     attr_u32(tb[MGRE_A_NHS_REPL_RECV], 0));
	json_opt_u64(j, "last_reply", tb[MGRE_A_NHS_LAST_REPLY],
		     attr_u32(tb[MGRE_A_NHS_LAST_REPLY], 0));
	json_close_object(j);
	return 0;
}

/* ---- counters --------------------------------------------------------- */

static int stats_reply(struct nlattr **tb, void *arg)
{
	struct show_ctx *ctx = arg;
	struct nlattr *a;
	char buf[16];
	const char *name;
	int rem;

	if (!tb[MGRE_A_STATS])
		return -EBADMSG;
	nla_for_each_nested(a, tb[MGRE_A_STATS], rem) {
		if (nla_type(a) < 1 || nla_len(a) < (int)sizeof(uint64_t))
			continue;
		name = stat_name(nla_type(a) - 1, buf, sizeof(buf));
		if (ctx->out->json)
			json_u64(&ctx->json, name, nla_get_u64(a));
		else
			printf("   %s: %" PRIu64 "\n", name, nla_get_u64(a));
	}
	return 0;
}

/* ---- show traffic: IOS's "show ip nhrp traffic" ----------------------- */

static int traffic_reply(struct nlattr **tb, void *arg)
{
	uint64_t *v = ((struct show_ctx *)arg)->priv;
	struct nlattr *a;
	int rem;

	if (!tb[MGRE_A_STATS])
		return -EBADMSG;
	nla_for_each_nested(a, tb[MGRE_A_STATS], rem)
		if (nla_type(a) >= 1 && nla_type(a) <= __MGRE_STAT_MAX &&
		    nla_len(a) >= (int)sizeof(uint64_t))
			v[nla_type(a) - 1] = nla_get_u64(a);
	return 0;
}

/* Sent or received packets by type, @first the counter of type 1 */
static void traffic_block(const char *what, const uint64_t *v,
			  unsigned int first)
{
	static const char *const names[] = {
		"Resolution Request", "Resolution Reply",
		"Registration Request", "Registration Reply",
		"Purge Request", "Purge Reply", "Error Indication",
		"Traffic Indication",
	};
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		total += v[first + i];
	printf("   %s: Total %" PRIu64 "\n", what, total);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		printf("%s%" PRIu64 " %s%s", i % 3 ? "  " : "         ",
		       v[first + i], names[i],
		       i % 3 == 2 || i + 1 == ARRAY_SIZE(names) ? "\n" : "");
}

/*
 * Per device: the NHRP packets sent and received by type, with totals,
 * as IOS prints them; the other counters (drops) are in "stats".
 */
static int show_traffic_text(struct nhrp_nl *nl, struct show_ctx *ctx,
			     const struct mgre_dev *devs, size_t ndevs)
{
	uint64_t v[__MGRE_STAT_MAX];
	int ret = EXIT_OK;
	size_t i;

	ctx->priv = v;
	for (i = 0; i < ndevs && !ret; i++) {
		memset(v, 0, sizeof(v));
		ctx->dev = &devs[i];
		ret = nhrp_query(nl, MGRE_CMD_STATS_GET, &devs[i], traffic_reply, ctx);
		if (ret)
			break;
		printf("%s:\n", devs[i].name);
		traffic_block("Sent", v, MGRE_STAT_NHRP_TX_RES_REQ);
		traffic_block("Rcvd", v, MGRE_STAT_NHRP_RX_RES_REQ);
	}
	return ret;
}

/* ---- requests --------------------------------------------------------- */

int nhrp_query(struct nhrp_nl *nl, uint8_t cmd, const struct mgre_dev *dev,
	       nhrp_reply_fn fn, void *arg)
{
	bool dump = cmd != MGRE_CMD_STATS_GET;
	struct nhrp_result res;
	struct nl_msg *msg;
	int ret;

	msg = nhrp_msg_new(nl, cmd, dump);
	if (!msg)
		return EXIT_FAIL;
	if (dev && nla_put_u32(msg, MGRE_A_IFINDEX, dev->ifindex) < 0) {
		nlmsg_free(msg);
		err_msg("cannot build the netlink request");
		return EXIT_FAIL;
	}
	ret = nhrp_nl_request(nl, msg, fn, arg, &res);
	if (ret)
		return ret;
	if (!res.error)
		return EXIT_OK;
	nhrp_report_error(&res, dev ? dev->name : "netns", NULL, NULL);
	return EXIT_FAIL;
}

/* stats: {"netns": {...}, "devices": {"tun0": {...}, ...}} */
static int show_stats(struct nhrp_nl *nl, struct show_ctx *ctx,
		      const struct mgre_dev *devs, size_t ndevs,
		      bool netns_stats)
{
	struct json *j = &ctx->json;
	int ret = EXIT_OK;
	size_t i;

	if (ctx->out->json)
		json_open_object(j, NULL);
	if (netns_stats) {
		if (ctx->out->json)
			json_open_object(j, "netns");
		else
			printf("netns:\n");
		ret = nhrp_query(nl, MGRE_CMD_STATS_GET, NULL, stats_reply, ctx);
		if (ctx->out->json)
			json_close_object(j);
	}
	if (ctx->out->json)
		json_open_object(j, "devices");
	for (i = 0; i < ndevs && !ret; i++) {
		ctx->dev = &devs[i];
		if (ctx->out->json)
			json_open_object(j, devs[i].name);
		else
			printf("%s:\n", devs[i].name);
		ret = nhrp_query(nl, MGRE_CMD_STATS_GET, &devs[i], stats_reply, ctx);
		if (ctx->out->json)
			json_close_object(j);
	}
	if (ctx->out->json) {
		json_close_object(j);
		json_close_object(j);
		json_end(j);
	}
	return ret;
}

static const struct show_op show_ops[] = {
	[SHOW_CACHE] = { MGRE_CMD_MAP_GET, cache_reply, NULL, NULL },
	[SHOW_MCAST] = { MGRE_CMD_MCAST_GET, mcast_reply, mcast_header, NULL },
	[SHOW_NHS] = { MGRE_CMD_NHS_GET, nhs_reply, nhs_legend,
		       nhs_dev_header },
	[SHOW_NHS_DETAIL] = { MGRE_CMD_NHS_GET, nhs_reply, nhs_legend,
			      nhs_dev_header },
	/* (show_dmvpn()) */
	[SHOW_DMVPN] = { MGRE_CMD_MAP_GET, dmvpn_reply, NULL, NULL },
	[SHOW_DMVPN_DETAIL] = { MGRE_CMD_MAP_GET, dmvpn_reply, NULL, NULL },
};

/* cache, multicast, nhs: one JSON array of the entries of all devices */
int do_show(struct nhrp_nl *nl, enum show_what what,
	    const struct mgre_dev *devs, size_t ndevs, bool netns_stats,
	    const struct out_opts *out)
{
	struct show_ctx ctx = { .out = out, .what = what };
	const struct show_op *op = &show_ops[what];
	int ret = EXIT_OK;
	size_t i;

	json_init(&ctx.json, stdout, out->pretty);
	if (what == SHOW_TRAFFIC && !out->json)
		return show_traffic_text(nl, &ctx, devs, ndevs);
	if (what == SHOW_STATS || what == SHOW_TRAFFIC)
		return show_stats(nl, &ctx, devs, ndevs, netns_stats);
	if (what == SHOW_DMVPN || what == SHOW_DMVPN_DETAIL)
		return show_dmvpn(nl, &ctx, devs, ndevs);
	if (out->json)
		json_open_array(&ctx.json, NULL);
	else if (op->text_begin)
		op->text_begin(&ctx);
	for (i = 0; i < ndevs && !ret; i++) {
		ctx.dev = &devs[i];
		if (!out->json && op->text_dev)
			op->text_dev(&ctx);
		ret = nhrp_query(nl, op->cmd, &devs[i], op->reply, &ctx);
	}
	if (out->json) {
		json_close_array(&ctx.json);
		json_end(&ctx.json);
	}
	return ret;
}

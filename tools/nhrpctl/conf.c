// SPDX-License-Identifier: GPL-2.0
/*
 * nhrpctl showconf / setconf: a device's NHRP configuration as a file,
 * and back ("wg showconf" / "wg setconf"; IOS "show running-config" and
 * "configure replace").
 *
 * The file is mgre-quick's format (mgre-quick(8)), one statement a line:
 *
 *   link OPTION...        the "ip link ... type mgre" options, every one
 *   map PROTO/LEN nbma NBMA
 *   multicast nbma NBMA | multicast dynamic
 *   nhs PROTO [nbma NBMA] priority N
 *   nhs dynamic nbma NBMA priority N   (the NBMA may be a host name)
 *
 * showconf prints every link option (the password too: CAP_NET_ADMIN),
 * the static maps, the static multicast map and the NHSes; what NHRP
 * learned is not configuration.  setconf makes the device's
 * configuration the file's: the link options through "ip link set"
 * (the plugin is the one parser of link options), then the maps,
 * multicast entries and NHSes the file does not have are deleted and
 * those it adds are added; those in both are left alone (an NHS keeps
 * its registration).  "address" and "route" statements are mgre-quick's
 * and skipped.  The whole file is parsed before anything changes; errors
 * name FILE:LINE.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netlink/attr.h>
#include <netlink/netlink.h>

#include "nhrpctl.h"

extern char **environ;

static uint8_t u8_or(struct nlattr *a, uint8_t def)
{
	return a ? nla_get_u8(a) : def;
}

/* ---- the link options (rtnetlink) ------------------------------------- */

struct link_conf {
	bool found;
	bool has[IFLA_MGRE_MAX + 1];
	uint32_t val[IFLA_MGRE_MAX + 1];	/* addresses: network order */
};

static int link_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct nlattr *d[IFLA_MGRE_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct link_conf *lc = arg;
	int i;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !li[IFLA_INFO_DATA] ||
	    nla_parse_nested(d, IFLA_MGRE_MAX, li[IFLA_INFO_DATA], NULL) < 0)
		return NL_SKIP;
	lc->found = true;
	for (i = 1; i <= IFLA_MGRE_MAX; i++) {
		if (!d[i])
			continue;
		switch (nla_len(d[i])) {
		case 1:
			lc->val[i] = nla_get_u8(d[i]);
			break;
		case 2:
			lc->val[i] = nla_get_u16(d[i]);
			break;
		case 4:
			lc->val[i] = nla_get_u32(d[i]);
			break;
		default:
			continue;
		}
		lc->has[i] = true;
	}
	return NL_OK;
}

static int link_conf_get(const struct mgre_dev *dev, struct link_conf *lc)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = (int)dev->ifindex };
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	memset(lc, 0, sizeof(*lc));
	if (!sk) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (!err)
		err = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM,
					  link_cb, lc);
	if (!err)
		err = nl_send_simple(sk, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (err < 0 || !lc->found) {
		err_msg("cannot read the link options of %s: %s", dev->name,
			err < 0 ? nl_geterror(err) : "no mgre options");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int link_protection(const struct mgre_dev *dev, bool *require,
		    uint32_t *local)
{
	struct link_conf lc;
	int ret = link_conf_get(dev, &lc);

	if (ret)
		return ret;
	*require = lc.has[IFLA_MGRE_PROTECTION] &&
		   lc.val[IFLA_MGRE_PROTECTION] == MGRE_PROTECTION_REQUIRE;
	*local = lc.has[IFLA_MGRE_LOCAL] ? lc.val[IFLA_MGRE_LOCAL] : 0;
	return EXIT_OK;
}

/* ---- the password (genl, CAP_NET_ADMIN) -------------------------------- */

struct auth {
	char pw[MGRE_AUTH_MAX + 1];
};

static int auth_reply(struct nlattr **tb, void *arg)
{
	struct auth *a = arg;
	int len;

	if (!tb[MGRE_A_AUTH])
		return 0;
	len = nla_len(tb[MGRE_A_AUTH]);
	if (len > MGRE_AUTH_MAX)
		return -EBADMSG;
	memcpy(a->pw, nla_data(tb[MGRE_A_AUTH]), len);
	a->pw[len] = '\0';
	return 0;
}

/* ---- showconf ---------------------------------------------------------- */

static const char *ip4(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* A password a file can hold: one word, printable, no comment sign */
static bool auth_printable(const char *pw)
{
	const char *p;

	for (p = pw; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == '#')
			return false;
	return true;
}

/* "on"/"off" style options: IFLA attribute, keyword, word for 1, for 0 */
static const struct link_word {
	int attr;
	const char *key;
	const char *word[2];		/* for 0, for 1 */
} link_words[] = {
	{ IFLA_MGRE_REG_NO_UNIQUE, "registration", { "unique", "no-unique" } },
	{ IFLA_MGRE_IF_STATE_NHRP, "if-state", { "none", "nhrp" } },
	{ IFLA_MGRE_ROUTE_INJECT, "route-inject", { "off", "on" } },
	{ IFLA_MGRE_SUBNET_CHECK, "subnet-check", { "off", "on" } },
	{ IFLA_MGRE_REDIRECT, "redirect", { "off", "on" } },
	{ IFLA_MGRE_SHORTCUT, "shortcut", { "off", "on" } },
};

/* "key N" options printed as they are: IFLA attribute, keyword */
static const struct link_num {
	int attr;
	const char *key;
} link_nums[] = {
	{ IFLA_MGRE_KEY, "key" },
	{ IFLA_MGRE_NETWORK_ID, "network-id" },
	{ IFLA_MGRE_HOLDTIME, "holdtime" },
	{ IFLA_MGRE_REG_TIMEOUT, "registration timeout" },
	{ IFLA_MGRE_CACHE_MAX, "cache-max" },
	{ IFLA_MGRE_PER_NBMA_MAX, "per-nbma-max" },
	{ IFLA_MGRE_MCAST_DYNAMIC_MAX, "multicast-dynamic-max" },
	{ IFLA_MGRE_REDIRECT_TIMEOUT, "redirect timeout" },
};

static int print_link(FILE *f, const struct mgre_dev *dev,
		      const struct link_conf *lc, const char *pw)
{
	const uint32_t *v = lc->val;
	char buf[INET_ADDRSTRLEN], ifname[IF_NAMESIZE];
	size_t i;

	fputs("link", f);
	if (v[IFLA_MGRE_LOCAL] && v[IFLA_MGRE_LINK])
		err_msg("warning: %s: bound to a device and to a local address: the file has the address only (ip takes one of them)",
			dev->name);
	if (v[IFLA_MGRE_LOCAL] || !v[IFLA_MGRE_LINK])
		fprintf(f, " local %s", v[IFLA_MGRE_LOCAL] ?
			ip4(v[IFLA_MGRE_LOCAL], buf) : "any");
	else if (if_indextoname(v[IFLA_MGRE_LINK], ifname))
		fprintf(f, " dev %s", ifname);
	if (v[IFLA_MGRE_REMOTE])
		fprintf(f, " remote %s", ip4(v[IFLA_MGRE_REMOTE], buf));
	if (lc->has[IFLA_MGRE_TTL])
		fprintf(f, v[IFLA_MGRE_TTL] ? " ttl %u" : " ttl inherit",
			v[IFLA_MGRE_TTL]);
	if (lc->has[IFLA_MGRE_TOS])
		fprintf(f, v[IFLA_MGRE_TOS] == 1 ? " tos inherit" : " tos 0x%x",
			v[IFLA_MGRE_TOS]);
	if (lc->has[IFLA_MGRE_PMTUDISC])
		fputs(v[IFLA_MGRE_PMTUDISC] ? " pmtudisc" : " nopmtudisc", f);
	for (i = 0; i < ARRAY_SIZE(link_nums); i++)
		if (lc->has[link_nums[i].attr])
			fprintf(f, " %s %u", link_nums[i].key,
				v[link_nums[i].attr]);
	if (*pw)
		fprintf(f, " auth %s", pw);
	for (i = 0; i < ARRAY_SIZE(link_words); i++)
		if (lc->has[link_words[i].attr])
			fprintf(f, " %s %s", link_words[i].key,
				link_words[i].word[!!v[link_words[i].attr]]);
	if (lc->has[IFLA_MGRE_PROTECTION]) {
		if (v[IFLA_MGRE_PROTECTION] == MGRE_PROTECTION_REQUIRE)
			fputs(" protection require", f);
		else if (v[IFLA_MGRE_PROTECTION] == MGRE_PROTECTION_OFF)
			fputs(" protection off", f);
		else
			goto unknown;
	}
	if (lc->has[IFLA_MGRE_KEEPALIVE]) {
		if (!v[IFLA_MGRE_KEEPALIVE])
			fputs(" keepalive off", f);
		else
			fprintf(f, " keepalive %u %u", v[IFLA_MGRE_KEEPALIVE],
				v[IFLA_MGRE_KEEPALIVE_RETRIES]);
	}
	if (lc->has[IFLA_MGRE_NHRP_RATE_LIMIT])
		fprintf(f, v[IFLA_MGRE_NHRP_RATE_LIMIT] ?
			" nhrp-rate-limit %u" : " nhrp-rate-limit off",
			v[IFLA_MGRE_NHRP_RATE_LIMIT]);
	if (lc->has[IFLA_MGRE_NHRP_MAX_SEND] && v[IFLA_MGRE_NHRP_MAX_SEND])
		fprintf(f, " max-send %u every %u", v[IFLA_MGRE_NHRP_MAX_SEND],
			v[IFLA_MGRE_NHRP_MAX_SEND_EVERY]);
	else if (lc->has[IFLA_MGRE_NHRP_MAX_SEND])
		fputs(" max-send off", f);
	fputc('\n', f);
	return EXIT_OK;
unknown:
	fputc('\n', f);
	err_msg("%s: protection mode %u unknown to this nhrpctl", dev->name,
		v[IFLA_MGRE_PROTECTION]);
	return EXIT_FAIL;
}

/*
 * The maps and multicast entries, sorted (the kernel's order is its hash
 * table's): a file that does not change when nothing did.
 */
struct lines {
	struct line {
		uint64_t key;
		char text[80];
	} *v;
	size_t n, cap;
	bool nomem;
};

static struct line *line_new(struct lines *l, uint64_t key)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct line *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->nomem = true;
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].key = key;
	return &l->v[l->n++];
}

static int line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* Prints the lines in key order; frees them */
static int lines_flush(struct lines *l, FILE *f)
{
	size_t i;

	if (l->nomem) {
		err_msg("out of memory");
		free(l->v);
		memset(l, 0, sizeof(*l));
		return EXIT_FAIL;
	}
	qsort(l->v, l->n, sizeof(*l->v), line_cmp);
	for (i = 0; i < l->n; i++)
		fprintf(f, "%s\n", l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof(*l));
	return EXIT_OK;
}

static int map_line(struct nlattr **tb, void *arg)
{
	char proto[INET_ADDRSTRLEN], nbma[INET_ADDRSTRLEN];
	uint8_t plen = u8_or(tb[MGRE_A_PREFIXLEN], 32);
	uint32_t p;
	struct line *l;

	if (!tb[MGRE_A_PROTO] || !tb[MGRE_A_NBMA] ||
	    u8_or(tb[MGRE_A_TYPE], MGRE_ENTRY_STATIC) != MGRE_ENTRY_STATIC)
		return 0;
	memcpy(&p, nla_data(tb[MGRE_A_PROTO]), sizeof(p));
	l = line_new(arg, (uint64_t)ntohl(p) << 8 | plen);
	if (!l)
		return -ENOMEM;
	snprintf(l->text, sizeof(l->text), "map %s/%u nbma %s", ip4(p, proto),
		 plen, ip4(nla_get_u32(tb[MGRE_A_NBMA]), nbma));
	return 0;
}

static int mcast_line(struct nlattr **tb, void *arg)
{
	char nbma[INET_ADDRSTRLEN];
	struct line *l;

	if (u8_or(tb[MGRE_A_TYPE], MGRE_ENTRY_STATIC) != MGRE_ENTRY_STATIC ||
	    (!tb[MGRE_A_MCAST_DYNAMIC] && !tb[MGRE_A_NBMA]))
		return 0;
	/* (dynamic last) */
	l = line_new(arg, tb[MGRE_A_MCAST_DYNAMIC] ? UINT64_MAX :
			  ntohl(nla_get_u32(tb[MGRE_A_NBMA])));
	if (!l)
		return -ENOMEM;
	if (tb[MGRE_A_MCAST_DYNAMIC])
		snprintf(l->text, sizeof(l->text), "multicast dynamic");
	else
		snprintf(l->text, sizeof(l->text), "multicast nbma %s",
			 ip4(nla_get_u32(tb[MGRE_A_NBMA]), nbma));
	return 0;
}

static int nhs_line(struct nlattr **tb, void *arg)
{
	char proto[INET_ADDRSTRLEN], nbma[INET_ADDRSTRLEN];
	uint32_t nb = tb[MGRE_A_NBMA] ? nla_get_u32(tb[MGRE_A_NBMA]) : 0;

	if (!tb[MGRE_A_PROTO])
		return -EBADMSG;
	/* (a dynamic NHS: its NBMA only, whatever address it told) */
	if (tb[MGRE_A_NHS_DYNAMIC])
		fprintf(arg, "nhs dynamic");
	else
		fprintf(arg, "nhs %s",
			inet_ntop(AF_INET, nla_data(tb[MGRE_A_PROTO]), proto,
				  sizeof(proto)));
	if (nb)
		fprintf(arg, " nbma %s", ip4(nb, nbma));
	fprintf(arg, " priority %u\n",
		u8_or(tb[MGRE_A_PRIORITY], 0));
	return 0;
}

int do_showconf(struct nhrp_nl *nl, const struct mgre_dev *dev)
{
	struct lines lines = { 0 };
	struct link_conf lc;
	struct auth a = { "" };
	struct nl_msg *msg;
	int ret;

	ret = link_conf_get(dev, &lc);
	if (ret)
		return ret;
	msg = nhrp_msg_new(nl, MGRE_CMD_AUTH_GET, false);
	if (!msg)
		return EXIT_FAIL;
	if (nla_put_u32(msg, MGRE_A_IFINDEX, dev->ifindex) < 0) {
		nlmsg_free(msg);
		err_msg("cannot build the netlink request");
		return EXIT_FAIL;
	}
	ret = nhrp_request_report(nl, msg, dev, NULL, NULL, auth_reply,
				  &a);
	if (ret)
		return ret;
	if (!auth_printable(a.pw)) {
		err_msg("%s: the NHRP password has blanks, \"#\" or unprintable characters: a file cannot hold it",
			dev->name);
		return EXIT_FAIL;
	}
	printf("# %s: nhrpctl showconf (load with \"nhrpctl setconf FILE dev %s\")\n",
	       dev->name, dev->name);
	ret = print_link(stdout, dev, &lc, a.pw);
	memset(&a, 0, sizeof(a));
	if (!ret)
		ret = nhrp_query(nl, MGRE_CMD_MAP_GET, dev, map_line, &lines);
	if (!ret || lines.nomem)
		ret = lines_flush(&lines, stdout);
	if (!ret)
		ret = nhrp_query(nl, MGRE_CMD_MCAST_GET, dev, mcast_line,
				 &lines);
	if (!ret || lines.nomem)
		ret = lines_flush(&lines, stdout);
	free(lines.v);
	/* (the NHSes in the kernel's order: by priority, then as added) */
	if (!ret)
		ret = nhrp_query(nl, MGRE_CMD_NHS_GET, dev, nhs_line, stdout);
	return ret;
}

/* ---- setconf: the file ------------------------------------------------- */

enum stmt_kind { ST_MAP, ST_MCAST, ST_NHS };

struct stmt {
	enum stmt_kind kind;
	unsigned long line;
	struct in_addr proto, nbma;	/* nbma 0: none (nhs), dynamic */
	uint8_t plen, prio;
	bool dynamic;
	bool present;			/* the device has it already */
};

struct conf {
	const char *file;
	char **link;			/* the words after "link", or NULL */
	int nlink;
	unsigned long link_line;
	struct stmt *st;
	size_t n, cap;
	char *buf;			/* the file, the words point into it */
};

void conf_free(struct conf *c)
{
	if (!c)
		return;
	free(c->link);
	free(c->st);
	free(c->buf);
	free(c);
}

#define CONF_MAX_WORDS	64

/* The arguments of a map, multicast or nhs statement, in any order */
static int parse_stmt(enum stmt_kind kind, int argc, char **argv,
		      struct stmt *s)
{
	static const char *const name[] = { "map", "multicast", "nhs" };
	const char *proto = NULL, *nbma = NULL, *prio = NULL;
	unsigned long v;
	int i;

	for (i = 0; i < argc; i++) {
		const char **slot = NULL;

		if (!strcmp(argv[i], "nbma"))
			slot = &nbma;
		else if (!strcmp(argv[i], "priority") && kind == ST_NHS)
			slot = &prio;
		else if (!strcmp(argv[i], "dynamic") && kind != ST_MAP &&
			 !s->dynamic && !proto)
			s->dynamic = true;
		else if (kind != ST_MCAST && !proto && !s->dynamic)
			proto = argv[i];
		else
			goto bad;
		if (!slot)
			continue;
		if (*slot || i + 1 == argc)
			goto bad;
		*slot = argv[++i];
	}
	s->kind = kind;
	s->plen = 32;
	if (kind == ST_MCAST && !!nbma == s->dynamic) {
		err_msg("\"multicast\" needs \"nbma NBMA\" or \"dynamic\"");
		return EXIT_USAGE;
	}
	if (kind == ST_NHS && s->dynamic && !nbma) {
		err_msg("\"nhs dynamic\" needs \"nbma NBMA\"");
		return EXIT_USAGE;
	}
	if (kind != ST_MCAST && !proto && !s->dynamic) {
		err_msg("\"%s\" needs a protocol address", name[kind]);
		return EXIT_USAGE;
	}
	if (kind == ST_MAP && !nbma) {
		err_msg("\"map\" needs \"nbma NBMA\"");
		return EXIT_USAGE;
	}
	if (proto && parse_proto(proto, &s->proto, &s->plen))
		return EXIT_USAGE;
	if (kind == ST_NHS && s->plen != 32)
		return bad_address(proto, " (an NHS is one address)");
	/* (an NHS's may be a name, resolved now) */
	if (nbma && kind == ST_NHS) {
		int ret = parse_nbma_name(nbma, &s->nbma);

		if (ret)
			return ret;
	} else if (nbma && parse_nbma(nbma, &s->nbma)) {
		return EXIT_USAGE;
	}
	if (prio) {
		if (parse_uint(prio, 255, &v)) {
			err_msg("invalid priority \"%s\" (0-255)", prio);
			return EXIT_USAGE;
		}
		s->prio = v;
	}
	return EXIT_OK;
bad:
	err_msg("unexpected \"%s\" in a \"%s\" statement", argv[i], name[kind]);
	return EXIT_USAGE;
}

/*
 * A second statement for the same map, NHS or multicast entry: the
 * kernel would refuse it half way, so the file is refused.
 */
static bool conf_dup(const struct conf *c, const struct stmt *s)
{
	static const char *const name[] = { "map", "multicast", "nhs" };
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct stmt *o = &c->st[i];

		if (o->kind != s->kind)
			continue;
		if (s->kind != ST_MAP && (o->dynamic || s->dynamic) ?
		    o->dynamic == s->dynamic &&
		    o->nbma.s_addr == s->nbma.s_addr :
		    s->kind == ST_MCAST ? o->nbma.s_addr == s->nbma.s_addr :
		    o->proto.s_addr == s->proto.s_addr &&
		    (s->kind == ST_NHS || o->plen == s->plen)) {
			err_msg("a second \"%s\" statement for the same %s (the first is on line %lu)",
				name[s->kind],
				s->kind == ST_MCAST || s->dynamic ? "entry" :
				"address",
				o->line);
			return true;
		}
	}
	return false;
}

static int conf_line(struct conf *c, char *line, unsigned long n)
{
	char *w[CONF_MAX_WORDS], *hash;
	enum stmt_kind kind;
	struct stmt *s;
	int nw, ret;

	/* ("#" starts a comment anywhere, as in mgre-quick: a password
	 * cannot hold it)
	 */
	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	nw = split_words(line, w, CONF_MAX_WORDS);
	if (nw < 0) {
		err_msg("too many words (at most %d)", CONF_MAX_WORDS);
		return EXIT_USAGE;
	}
	if (!nw || !strcmp(w[0], "address") || !strcmp(w[0], "route"))
		return EXIT_OK;
	if (!strcmp(w[0], "link")) {
		if (c->link) {
			err_msg("a second \"link\" statement (the first is on line %lu)",
				c->link_line);
			return EXIT_USAGE;
		}
		c->link = calloc(nw, sizeof(*c->link));
		if (!c->link) {
			err_msg("out of memory");
			return EXIT_FAIL;
		}
		memcpy(c->link, w + 1, (nw - 1) * sizeof(*w));
		c->nlink = nw - 1;
		c->link_line = n;
		return EXIT_OK;
	}
	if (!strcmp(w[0], "map")) {
		kind = ST_MAP;
	} else if (!strcmp(w[0], "multicast")) {
		kind = ST_MCAST;
	} else if (!strcmp(w[0], "nhs")) {
		kind = ST_NHS;
	} else {
		err_msg("unknown statement \"%s\" (link, map, multicast, nhs; address and route are skipped)",
			w[0]);
		return EXIT_USAGE;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		struct stmt *v = realloc(c->st, cap * sizeof(*v));

		if (!v) {
			err_msg("out of memory");
			return EXIT_FAIL;
		}
		c->st = v;
		c->cap = cap;
	}
	s = &c->st[c->n];
	memset(s, 0, sizeof(*s));
	s->line = n;
	ret = parse_stmt(kind, nw - 1, w + 1, s);
	if (ret)
		return ret;
	if (conf_dup(c, s))
		return EXIT_USAGE;
	c->n++;
	return EXIT_OK;
}

/* Reads and parses the whole file: nothing is changed on an error */
static int conf_read(struct conf *c, const char *path)
{
	char *line, *next;
	unsigned long n = 0;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int ret = EXIT_OK;

	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		err_msg("cannot open \"%s\": %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	c->file = f == stdin ? "<stdin>" : path;
	for (got = 1; got;) {
		if (len + 4096 + 1 > cap) {
			char *b = realloc(c->buf, cap + 65536);

			if (!b) {
				err_msg("out of memory");
				ret = EXIT_FAIL;
				break;
			}
			c->buf = b;
			cap += 65536;
		}
		got = fread(c->buf + len, 1, cap - len - 1, f);
		len += got;
	}
	if (!ret && ferror(f)) {
		err_msg("cannot read \"%s\": %s", c->file, strerror(errno));
		ret = EXIT_FAIL;
	}
	if (f != stdin)
		fclose(f);
	if (ret)
		return ret;
	c->buf[len] = '\0';
	if (strlen(c->buf) != len) {
		err_msg("%s: a NUL byte: not a text file", c->file);
		return EXIT_USAGE;
	}
	for (line = c->buf; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line && !next)
			break;
		err_set_location(c->file, ++n);
		ret = conf_line(c, line, n);
		err_set_location(NULL, 0);
	}
	return ret;
}

/* ---- setconf: the device ----------------------------------------------- */

/* "ip link set dev DEV type mgre WORDS..." (and auth "" if none given) */
static int set_link(const struct conf *c, const struct mgre_dev *dev)
{
	char **argv = calloc(c->nlink + 10, sizeof(*argv));
	bool auth = false;
	int i, n = 0, status, err;
	pid_t pid;

	if (!argv) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	argv[n++] = "ip";
	argv[n++] = "link";
	argv[n++] = "set";
	argv[n++] = "dev";
	argv[n++] = (char *)dev->name;
	argv[n++] = "type";
	argv[n++] = MGRE_KIND;
	for (i = 0; i < c->nlink; i++) {
		auth |= !strcmp(c->link[i], "auth");
		argv[n++] = c->link[i];
	}
	if (!auth) {		/* the file has no password: none */
		argv[n++] = "auth";
		argv[n++] = "";
	}
	fflush(stdout);
	err = posix_spawnp(&pid, "ip", NULL, NULL, argv, environ);
	free(argv);
	if (err) {
		err_msg("cannot run \"ip\": %s", strerror(err));
		return EXIT_FAIL;
	}
	if (waitpid(pid, &status, 0) < 0) {
		err_msg("waiting for \"ip\": %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		err_msg("\"ip link set\" refused the link options (see its message above)");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

struct diff {
	struct conf *c;
	enum stmt_kind kind;
	struct stmt *gone;		/* the device's, not in the file */
	size_t ngone, cap;
	bool nomem;
};

/* Marks the file's statement equal to s present, or records s as gone */
static int diff_one(struct diff *d, const struct stmt *s)
{
	size_t i;

	for (i = 0; i < d->c->n; i++) {
		struct stmt *f = &d->c->st[i];

		if (f->kind == s->kind && f->proto.s_addr == s->proto.s_addr &&
		    f->plen == s->plen && f->nbma.s_addr == s->nbma.s_addr &&
		    f->prio == s->prio && f->dynamic == s->dynamic) {
			f->present = true;
			return 0;
		}
	}
	if (d->ngone == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 32;
		struct stmt *v = realloc(d->gone, cap * sizeof(*v));

		if (!v) {
			d->nomem = true;
			return -ENOMEM;
		}
		d->gone = v;
		d->cap = cap;
	}
	d->gone[d->ngone++] = *s;
	return 0;
}

static int diff_reply(struct nlattr **tb, void *arg)
{
	struct diff *d = arg;
	struct stmt s = { .kind = d->kind, .plen = 32 };

	if (u8_or(tb[MGRE_A_TYPE], MGRE_ENTRY_STATIC) !=
	    MGRE_ENTRY_STATIC && d->kind != ST_NHS)
		return 0;
	if (tb[MGRE_A_PROTO])
		memcpy(&s.proto, nla_data(tb[MGRE_A_PROTO]), sizeof(s.proto));
	if (tb[MGRE_A_PREFIXLEN])
		s.plen = nla_get_u8(tb[MGRE_A_PREFIXLEN]);
	if (tb[MGRE_A_NBMA])
		s.nbma.s_addr = nla_get_u32(tb[MGRE_A_NBMA]);
	if (tb[MGRE_A_PRIORITY])
		s.prio = nla_get_u8(tb[MGRE_A_PRIORITY]);
	s.dynamic = !!tb[MGRE_A_MCAST_DYNAMIC] || !!tb[MGRE_A_NHS_DYNAMIC];
	/* (a dynamic NHS is its NBMA: not the address it told) */
	if (d->kind == ST_NHS && s.dynamic)
		s.proto.s_addr = 0;
	return diff_one(d, &s);
}

static const uint8_t add_cmd[] = {
	[ST_MAP] = MGRE_CMD_MAP_ADD, [ST_MCAST] = MGRE_CMD_MCAST_ADD,
	[ST_NHS] = MGRE_CMD_NHS_ADD,
};
static const uint8_t del_cmd[] = {
	[ST_MAP] = MGRE_CMD_MAP_DEL, [ST_MCAST] = MGRE_CMD_MCAST_DEL,
	[ST_NHS] = MGRE_CMD_NHS_DEL,
};
static const uint8_t get_cmd[] = {
	[ST_MAP] = MGRE_CMD_MAP_GET, [ST_MCAST] = MGRE_CMD_MCAST_GET,
	[ST_NHS] = MGRE_CMD_NHS_GET,
};

/* Adds (add) or deletes s */
static int apply(struct nhrp_nl *nl, const struct mgre_dev *dev,
		 const struct stmt *s, bool add)
{
	char what[64], a1[INET_ADDRSTRLEN], a2[INET_ADDRSTRLEN];
	struct nl_msg *msg;
	int err;

	if (s->kind == ST_MCAST)
		snprintf(what, sizeof(what), "multicast entry %s",
			 s->dynamic ? "dynamic" : ip4(s->nbma.s_addr, a1));
	else if (s->kind == ST_NHS && s->dynamic)
		snprintf(what, sizeof(what), "NHS dynamic nbma %s",
			 ip4(s->nbma.s_addr, a1));
	else if (s->kind == ST_NHS)
		snprintf(what, sizeof(what), "NHS %s", ip4(s->proto.s_addr, a1));
	else
		snprintf(what, sizeof(what), "NHRP entry %s/%u nbma %s",
			 ip4(s->proto.s_addr, a1), s->plen,
			 ip4(s->nbma.s_addr, a2));

	msg = nhrp_msg_new(nl, add ? add_cmd[s->kind] : del_cmd[s->kind],
			   false);
	if (!msg)
		return EXIT_FAIL;
	err = nla_put_u32(msg, MGRE_A_IFINDEX, dev->ifindex);
	if (!err && s->kind != ST_MCAST && !s->dynamic)
		err = nla_put(msg, MGRE_A_PROTO, sizeof(s->proto), &s->proto);
	if (!err && s->kind == ST_MAP)
		err = nla_put_u8(msg, MGRE_A_PREFIXLEN, s->plen);
	if (!err && s->nbma.s_addr && (add || s->kind == ST_MCAST ||
					s->dynamic))
		err = nla_put_u32(msg, MGRE_A_NBMA, s->nbma.s_addr);
	if (!err && s->dynamic)
		err = nla_put_flag(msg, s->kind == ST_NHS ?
				   MGRE_A_NHS_DYNAMIC : MGRE_A_MCAST_DYNAMIC);
	if (!err && s->kind == ST_NHS && add)
		err = nla_put_u8(msg, MGRE_A_PRIORITY, s->prio);
	if (err < 0) {
		nlmsg_free(msg);
		err_msg("cannot build the netlink request");
		return EXIT_FAIL;
	}
	return nhrp_request_report(nl, msg, dev, what, NULL, NULL, NULL);
}

struct conf *setconf_read(const char *path, int *ret)
{
	struct conf *c = calloc(1, sizeof(*c));

	*ret = EXIT_FAIL;
	if (!c) {
		err_msg("out of memory");
		return NULL;
	}
	*ret = conf_read(c, path);
	if (*ret) {
		conf_free(c);
		return NULL;
	}
	return c;
}

int setconf_apply(struct nhrp_nl *nl, const struct mgre_dev *dev,
		  struct conf *c)
{
	struct diff d = { .c = c };
	enum stmt_kind k;
	int ret = EXIT_OK;
	size_t i;

	if (c->link) {
		err_set_location(c->file, c->link_line);
		ret = set_link(c, dev);
		err_set_location(NULL, 0);
	}
	/* What the device has that the file has not goes first. */
	for (k = ST_MAP; k <= ST_NHS && !ret; k++) {
		d.kind = k;
		ret = nhrp_query(nl, get_cmd[k], dev, diff_reply, &d);
		if (d.nomem) {
			err_msg("out of memory");
			ret = EXIT_FAIL;
		}
	}
	for (i = 0; i < d.ngone && !ret; i++)
		ret = apply(nl, dev, &d.gone[i], false);
	for (i = 0; i < c->n && !ret; i++) {
		if (c->st[i].present)
			continue;
		err_set_location(c->file, c->st[i].line);
		ret = apply(nl, dev, &c->st[i], true);
		err_set_location(NULL, 0);
	}
	free(d.gone);
	return ret;
}

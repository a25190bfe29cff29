// SPDX-License-Identifier: GPL-2.0
/*
 * link_mgre.so: iproute2 plugin for link kind "mgre".
 *
 *   ip link add tun0 type mgre local 192.1.1.1 key 10000
 *   ip -d link show tun0
 *
 * "ip" dlopen()s this file from $IP_LIB_DIR and uses mgre_link_util; the
 * helpers called here are exported by the ip binary (iproute2_abi.h).
 * Only the options given on the command line are sent, so "ip link set
 * ... type mgre ttl 64" changes the TTL alone.
 */
#define _GNU_SOURCE		/* dladdr1() */
#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "iproute2_abi.h"
#include "mgre.h"

#define MGRE_MAXLEN	1024	/* room for attributes, as in ip/link_gre.c */
#define EXPORT		__attribute__((visibility("default")))

static void mgre_print_help(struct link_util *lu, int argc, char **argv,
			    FILE *f)
{
	(void)argc;
	(void)argv;
	fprintf(f,
		"Usage: ... %s [ local ADDR | dev PHYS_DEV ] [ remote ADDR ]\n"
		"                [ key KEY ] [ ttl TTL ] [ tos TOS ]\n"
		"                [ [no]pmtudisc ]\n"
		"                [ network-id ID ] [ holdtime SECONDS ]\n"
		"                [ auth PASSWORD ] [ registration { unique | no-unique } ]\n"
		"                [ registration timeout SECONDS ] [ cache-max ENTRIES ]\n"
		"                [ if-state { nhrp | none } ] [ route-inject { on | off } ]\n"
		"                [ protection { require | off } ]\n"
		"                [ keepalive { PERIOD [ RETRIES ] | off } ]\n"
		"                [ subnet-check { on | off } ] [ per-nbma-max ENTRIES ]\n"
		"                [ multicast-dynamic-max ADDRESSES ]\n"
		"                [ nhrp-rate-limit { PACKETS_PER_SECOND | off } ]\n"
		"                [ max-send { PACKETS [ every SECONDS ] | off } ]\n"
		"                [ redirect { on | off } ] [ redirect timeout SECONDS ]\n"
		"                [ shortcut { on | off } ]\n"
		"\n"
		"Where: ADDR := { IPV4_ADDRESS | any }\n"
		"       KEY  := { NUMBER | DOTTED_QUAD }\n"
		"       TTL  := { 1..255 | inherit }\n"
		"       TOS  := { NUMBER | inherit }\n"
		"\n"
		"       ID   := 1..4294967295 (0 turns NHRP off)\n"
		"       PASSWORD := at most 8 characters (\"\" = none)\n"
		"\n"
		"Without remote (or with remote any) the device is multipoint;\n"
		"its peers are programmed with nhrpctl(8).\n",
		lu->id);
}

/* ---- parsing ---------------------------------------------------------- */

typedef int (*put_fn)(struct nlmsghdr *n, int attr, const char *key,
		      const char *arg);

static int put_addr(struct nlmsghdr *n, int attr, const char *key,
		    const char *arg)
{
	struct in_addr addr = { 0 };

	if (strcmp(arg, "any") && inet_pton(AF_INET, arg, &addr) != 1)
		invarg("an IPv4 address or \"any\" is expected", arg);
	(void)key;
	return addattr_l(n, MGRE_MAXLEN, attr, &addr.s_addr,
			 sizeof(addr.s_addr));
}

static int put_link(struct nlmsghdr *n, int attr, const char *key,
		    const char *arg)
{
	unsigned int ifindex = ll_name_to_index(arg);

	(void)key;
	if (!ifindex)
		exit(nodev(arg));
	return addattr32(n, MGRE_MAXLEN, attr, ifindex);
}

/* A number or a dotted quad, as ip_gre; the attribute is in host order */
static int put_key(struct nlmsghdr *n, int attr, const char *key,
		   const char *arg)
{
	return addattr32(n, MGRE_MAXLEN, attr, ntohl(tnl_parse_key(key, arg)));
}

static int put_ttl(struct nlmsghdr *n, int attr, const char *key,
		   const char *arg)
{
	__u8 ttl = 0;

	(void)key;
	if (strcmp(arg, "inherit") && get_u8(&ttl, arg, 0))
		invarg("TTL must be 0-255 or \"inherit\"", arg);
	return addattr8(n, MGRE_MAXLEN, attr, ttl);
}

static int put_tos(struct nlmsghdr *n, int attr, const char *key,
		   const char *arg)
{
	__u32 tos = 1;

	(void)key;
	if (strcmp(arg, "inherit") && rtnl_dsfield_a2n(&tos, arg))
		invarg("TOS must be a number or \"inherit\"", arg);
	return addattr8(n, MGRE_MAXLEN, attr, tos);
}

/* "pmtudisc" and "nopmtudisc", no argument */
static int put_pmtudisc(struct nlmsghdr *n, int attr, const char *key,
			const char *arg)
{
	(void)arg;
	return addattr8(n, MGRE_MAXLEN, attr, strcmp(key, "nopmtudisc") != 0);
}

static int put_u32(struct nlmsghdr *n, int attr, const char *key,
		   const char *arg)
{
	__u32 v;

	if (get_u32(&v, arg, 0) ||
	    (attr != IFLA_MGRE_NETWORK_ID && !v))
		invarg("a positive number is expected", arg);
	(void)key;
	return addattr32(n, MGRE_MAXLEN, attr, v);
}

/* "nhrp-rate-limit": packets a second, or "off" (0). */
static int put_rate(struct nlmsghdr *n, int attr, const char *key,
		    const char *arg)
{
	__u32 v = 0;

	if (strcmp(arg, "off") && (get_u32(&v, arg, 0) || !v))
		invarg("packets a second (a positive number) or \"off\" is expected",
		       arg);
	(void)key;
	return addattr32(n, MGRE_MAXLEN, attr, v);
}

static int put_holdtime(struct nlmsghdr *n, int attr, const char *key,
			const char *arg)
{
	__u16 v;

	if (get_u16(&v, arg, 0) || !v)
		invarg("holdtime must be 1-65535 seconds", arg);
	(void)key;
	return addattr16(n, MGRE_MAXLEN, attr, v);
}

/* Cisco "ip nhrp authentication": cleartext, at most 8 characters */
static int put_auth(struct nlmsghdr *n, int attr, const char *key,
		    const char *arg)
{
	size_t len = strlen(arg);

	if (len > MGRE_AUTH_MAX)
		invarg("the password is longer than 8 characters", arg);
	(void)key;
	return addattr_l(n, MGRE_MAXLEN, attr, arg, len);
}

/*
 * Options that take one of two words ("route-inject on|off", ...): the
 * kernel gets the value of the word given.  The first word is the one
 * named first in the error message.
 */
static const struct mgre_choice {
	const char *key;
	const char *word[2];
	__u8 value[2];
} mgre_choices[] = {
	/* Cisco "ip nhrp registration no-unique" */
	{ "registration", { "unique", "no-unique" }, { 0, 1 } },
	/* carrier follows the NHSes ("if-state nhrp") or not */
	{ "if-state", { "nhrp", "none" }, { 1, 0 } },
	{ "route-inject", { "on", "off" }, { 1, 0 } },
	/* accept GRE only under IPsec (XFRM) */
	{ "protection", { "require", "off" },
	  { MGRE_PROTECTION_REQUIRE, MGRE_PROTECTION_OFF } },
	/* NHRP binds only addresses of the device's subnets, or any */
	{ "subnet-check", { "on", "off" }, { 1, 0 } },
	/* DMVPN phase 3: Cisco "ip nhrp redirect" (hub), "ip nhrp shortcut" */
	{ "redirect", { "on", "off" }, { 1, 0 } },
	{ "shortcut", { "on", "off" }, { 1, 0 } },
};

static int put_choice(struct nlmsghdr *n, int attr, const char *key,
		      const char *arg)
{
	const struct mgre_choice *c = NULL;
	char msg[64];
	size_t i;

	for (i = 0; i < sizeof(mgre_choices) / sizeof(mgre_choices[0]); i++)
		if (!strcmp(key, mgre_choices[i].key))
			c = &mgre_choices[i];
	if (!c)
		invarg("internal error: no words for this option", key);
	for (i = 0; i < 2; i++)
		if (!strcmp(arg, c->word[i]))
			return addattr8(n, MGRE_MAXLEN, attr, c->value[i]);
	snprintf(msg, sizeof(msg), "\"%s\" or \"%s\" is expected",
		 c->word[0], c->word[1]);
	invarg(msg, arg);
}

static const struct mgre_opt {
	const char *name;
	int attr;
	bool has_arg;
	put_fn put;
} mgre_opts[] = {
	{ "local",	IFLA_MGRE_LOCAL,	true,	put_addr },
	{ "remote",	IFLA_MGRE_REMOTE,	true,	put_addr },
	{ "dev",	IFLA_MGRE_LINK,		true,	put_link },
	{ "key",	IFLA_MGRE_KEY,		true,	put_key },
	{ "ttl",	IFLA_MGRE_TTL,		true,	put_ttl },
	{ "hoplimit",	IFLA_MGRE_TTL,		true,	put_ttl },
	{ "tos",	IFLA_MGRE_TOS,		true,	put_tos },
	{ "dsfield",	IFLA_MGRE_TOS,		true,	put_tos },
	{ "pmtudisc",	IFLA_MGRE_PMTUDISC,	false,	put_pmtudisc },
	{ "nopmtudisc",	IFLA_MGRE_PMTUDISC,	false,	put_pmtudisc },
	{ "network-id",	IFLA_MGRE_NETWORK_ID,	true,	put_u32 },
	{ "holdtime",	IFLA_MGRE_HOLDTIME,	true,	put_holdtime },
	{ "auth",	IFLA_MGRE_AUTH,		true,	put_auth },
	{ "registration", IFLA_MGRE_REG_NO_UNIQUE, true, put_choice },
	{ "cache-max",	IFLA_MGRE_CACHE_MAX,	true,	put_u32 },
	{ "if-state",	IFLA_MGRE_IF_STATE_NHRP, true,	put_choice },
	{ "route-inject", IFLA_MGRE_ROUTE_INJECT, true,	put_choice },
	{ "protection",	IFLA_MGRE_PROTECTION,	true,	put_choice },
	{ "keepalive",	IFLA_MGRE_KEEPALIVE,	true,	NULL },
	{ "subnet-check", IFLA_MGRE_SUBNET_CHECK, true,	put_choice },
	{ "per-nbma-max", IFLA_MGRE_PER_NBMA_MAX, true,	put_u32 },
	{ "multicast-dynamic-max", IFLA_MGRE_MCAST_DYNAMIC_MAX, true, put_u32 },
	{ "nhrp-rate-limit", IFLA_MGRE_NHRP_RATE_LIMIT, true,	put_rate },
	{ "max-send",	IFLA_MGRE_NHRP_MAX_SEND, true,	NULL },
	{ "redirect",	IFLA_MGRE_REDIRECT,	true,	put_choice },
	{ "shortcut",	IFLA_MGRE_SHORTCUT,	true,	put_choice },
};

/* "OPTION timeout SECONDS": a u16 attribute of its own */
static const struct mgre_timeout {
	int opt_attr;		/* the option it follows */
	int attr;
	const char *name;
	__u16 min, max;
	const char *msg;
} mgre_timeouts[] = {
	{ IFLA_MGRE_REG_NO_UNIQUE, IFLA_MGRE_REG_TIMEOUT,
	  "registration timeout", 0, 65535,
	  "registration timeout must be 0-65535 seconds (0: holdtime/3)" },
	{ IFLA_MGRE_REDIRECT, IFLA_MGRE_REDIRECT_TIMEOUT,
	  "redirect timeout", 1, MGRE_REDIRECT_TIMEOUT_MAX,
	  "redirect timeout must be 1-60 seconds" },
};

static const struct mgre_timeout *find_timeout(int opt_attr)
{
	size_t i;

	for (i = 0; i < sizeof(mgre_timeouts) / sizeof(mgre_timeouts[0]); i++)
		if (mgre_timeouts[i].opt_attr == opt_attr)
			return &mgre_timeouts[i];
	return NULL;
}

static void put_timeout(struct nlmsghdr *n, unsigned int *seen,
			const struct mgre_timeout *t, const char *arg)
{
	__u16 v;

	if (*seen & (1U << t->attr))
		duparg(t->name, arg);
	*seen |= 1U << t->attr;
	if (get_u16(&v, arg, 0) || v < t->min || v > t->max)
		invarg(t->msg, arg);
	addattr16(n, MGRE_MAXLEN, t->attr, v);
}

static const struct mgre_opt *find_opt(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(mgre_opts) / sizeof(mgre_opts[0]); i++)
		if (!strcmp(name, mgre_opts[i].name))
			return &mgre_opts[i];
	return NULL;
}

/* (the options seen: one bit per attribute) */
_Static_assert(IFLA_MGRE_MAX < 32, "mgre_parse_opt()'s \"seen\" has 32 bits");

static int mgre_parse_opt(struct link_util *lu, int argc, char **argv,
			  struct nlmsghdr *n)
{
	const struct mgre_opt *opt;
	unsigned int seen = 0;
	const char *key;

	for (; argc > 0; argc--, argv++) {
		key = *argv;
		if (!strcmp(key, "help")) {
			mgre_print_help(lu, argc, argv, stdout);
			return -1;
		}
		opt = find_opt(key);
		if (!opt) {
			fprintf(stderr, "%s: unknown option \"%s\"?\n",
				lu->id, key);
			mgre_print_help(lu, argc, argv, stderr);
			return -1;
		}
		if (opt->has_arg)
			NEXT_ARG();
		/* Cisco "ip nhrp registration|redirect timeout N" */
		if (!strcmp(*argv, "timeout")) {
			const struct mgre_timeout *t = find_timeout(opt->attr);

			if (t) {
				NEXT_ARG();
				put_timeout(n, &seen, t, *argv);
				continue;
			}
		}
		if (seen & (1U << opt->attr))
			duparg(key, *argv);
		seen |= 1U << opt->attr;
		/* Cisco "keepalive [PERIOD [RETRIES]]"; "off" = "no keepalive" */
		if (opt->attr == IFLA_MGRE_KEEPALIVE) {
			__u16 period = 0;
			__u8 retries;

			if (strcmp(*argv, "off") &&
			    (get_u16(&period, *argv, 0) || !period))
				invarg("keepalive: PERIOD must be 1-65535 seconds, or \"off\"",
				       *argv);
			addattr16(n, MGRE_MAXLEN, IFLA_MGRE_KEEPALIVE, period);
			if (period && argc > 1 && isdigit((unsigned char)argv[1][0])) {
				NEXT_ARG();
				if (get_u8(&retries, *argv, 0) || !retries)
					invarg("keepalive: RETRIES must be 1-255", *argv);
				addattr8(n, MGRE_MAXLEN,
					 IFLA_MGRE_KEEPALIVE_RETRIES, retries);
			}
			continue;
		}
		/* Cisco "ip nhrp max-send PACKETS every SECONDS"; "off" */
		if (opt->attr == IFLA_MGRE_NHRP_MAX_SEND) {
			__u32 count = 0, every;

			if (strcmp(*argv, "off") &&
			    (get_u32(&count, *argv, 0) || !count || count > 65535))
				invarg("max-send: PACKETS must be 1-65535, or \"off\"",
				       *argv);
			addattr32(n, MGRE_MAXLEN, IFLA_MGRE_NHRP_MAX_SEND, count);
			if (count && argc > 1 && !strcmp(argv[1], "every")) {
				NEXT_ARG();
				NEXT_ARG();
				if (get_u32(&every, *argv, 0) || !every ||
				    every > 65535)
					invarg("max-send: every SECONDS must be 1-65535",
					       *argv);
				addattr32(n, MGRE_MAXLEN,
					  IFLA_MGRE_NHRP_MAX_SEND_EVERY, every);
			}
			continue;
		}
		if (opt->put(n, opt->attr, key, *argv))
			return -1;
	}
	if ((seen & (1U << IFLA_MGRE_LOCAL)) && (seen & (1U << IFLA_MGRE_LINK))) {
		fprintf(stderr, "%s: \"local\" and \"dev\" are mutually exclusive\n",
			lu->id);
		return -1;
	}
	return 0;
}

/* ---- printing --------------------------------------------------------- */

/* "remote 1.2.3.4 " or "remote any "; JSON "remote": "1.2.3.4" | "any" */
static void print_endpoint(const char *key, const struct rtattr *rta)
{
	__u32 addr = rta ? rta_getattr_u32(rta) : 0;
	char buf[INET_ADDRSTRLEN];
	const char *s = "any";

	if (addr)
		s = inet_ntop(AF_INET, &addr, buf, sizeof(buf));
	print_string(PRINT_FP, NULL, "%s ", key);
	print_string(PRINT_ANY, key, "%s ", s);
}

/* "ttl 64 " or "ttl inherit "; JSON "ttl": 64 (0 = inherit) */
static void print_ttl(const struct rtattr *rta)
{
	__u8 ttl = rta ? rta_getattr_u8(rta) : 0;

	if (ttl)
		print_uint(PRINT_ANY, "ttl", "ttl %u ", ttl);
	else
		print_string(PRINT_FP, NULL, "ttl %s ", "inherit");
	if (!ttl)
		print_uint(PRINT_JSON, "ttl", NULL, 0);
}

/* "tos inherit " or "tos 0x10 " (nothing for 0); JSON "tos": string */
static void print_tos(const struct rtattr *rta)
{
	__u8 tos = rta ? rta_getattr_u8(rta) : 0;
	char buf[8];

	snprintf(buf, sizeof(buf), "0x%x", tos);
	print_string(tos ? PRINT_ANY : PRINT_JSON, "tos", "tos %s ",
		     tos == 1 ? "inherit" : buf);
}

/*
 * "KEY N " (JSON @json: N) when the kernel reports @rta (u16 or u32, by
 * its size) with another value than @def
 */
static void print_nondefault(const struct rtattr *rta, __u32 def,
			     const char *json, const char *fmt)
{
	__u32 v;

	if (!rta)
		return;
	v = RTA_PAYLOAD(rta) == sizeof(__u16) ? rta_getattr_u16(rta) :
						rta_getattr_u32(rta);
	if (v != def)
		print_uint(PRINT_ANY, json, fmt, v);
}

/* NHRP settings; the password itself is never shown, only whether set. */
static void mgre_print_nhrp(struct rtattr *tb[])
{
	if (tb[IFLA_MGRE_NETWORK_ID] && rta_getattr_u32(tb[IFLA_MGRE_NETWORK_ID]))
		print_uint(PRINT_ANY, "network_id", "network-id %u ",
			   rta_getattr_u32(tb[IFLA_MGRE_NETWORK_ID]));
	if (tb[IFLA_MGRE_HOLDTIME])
		print_uint(PRINT_ANY, "holdtime", "holdtime %u ",
			   rta_getattr_u16(tb[IFLA_MGRE_HOLDTIME]));
	if (tb[IFLA_MGRE_AUTH_SET] && rta_getattr_u8(tb[IFLA_MGRE_AUTH_SET]))
		print_string(PRINT_ANY, "auth", "auth %s ", "(set)");
	if (tb[IFLA_MGRE_REG_NO_UNIQUE] && rta_getattr_u8(tb[IFLA_MGRE_REG_NO_UNIQUE]))
		print_string(PRINT_ANY, "registration", "registration %s ",
			     "no-unique");
	if (tb[IFLA_MGRE_CACHE_MAX])
		print_uint(PRINT_ANY, "cache_max", "cache-max %u ",
			   rta_getattr_u32(tb[IFLA_MGRE_CACHE_MAX]));
	print_nondefault(tb[IFLA_MGRE_REG_TIMEOUT], 0, "registration_timeout",
			 "registration timeout %u ");
	if (tb[IFLA_MGRE_IF_STATE_NHRP] && rta_getattr_u8(tb[IFLA_MGRE_IF_STATE_NHRP]))
		print_string(PRINT_ANY, "if_state", "if-state %s ", "nhrp");
	if (tb[IFLA_MGRE_ROUTE_INJECT] && rta_getattr_u8(tb[IFLA_MGRE_ROUTE_INJECT]))
		print_string(PRINT_ANY, "route_inject", "route-inject %s ", "on");
	if (tb[IFLA_MGRE_REDIRECT] && rta_getattr_u8(tb[IFLA_MGRE_REDIRECT]))
		print_string(PRINT_ANY, "redirect", "redirect %s ", "on");
	print_nondefault(tb[IFLA_MGRE_REDIRECT_TIMEOUT], MGRE_REDIRECT_INTERVAL,
			 "redirect_timeout", "redirect timeout %u ");
	if (tb[IFLA_MGRE_SHORTCUT] && rta_getattr_u8(tb[IFLA_MGRE_SHORTCUT]))
		print_string(PRINT_ANY, "shortcut", "shortcut %s ", "on");
}

/*
 * "protection require " (nothing when off, the default); JSON
 * "protection": "require" | "off" when the kernel reports it.
 */
static void mgre_print_protection(const struct rtattr *rta)
{
	__u8 v;

	if (!rta)
		return;
	v = rta_getattr_u8(rta);
	if (v == MGRE_PROTECTION_OFF) {
		print_string(PRINT_JSON, "protection", NULL, "off");
	} else if (v == MGRE_PROTECTION_REQUIRE) {
		print_string(PRINT_ANY, "protection", "protection %s ",
			     "require");
	} else {
		print_uint(PRINT_ANY, "protection", "protection %u ", v);
	}
}

/* "max-send N every S" or "max-send off", when not the default */
static void mgre_print_max_send(struct rtattr *tb[])
{
	__u32 count, every;

	if (!tb[IFLA_MGRE_NHRP_MAX_SEND] || !tb[IFLA_MGRE_NHRP_MAX_SEND_EVERY])
		return;
	count = rta_getattr_u32(tb[IFLA_MGRE_NHRP_MAX_SEND]);
	every = rta_getattr_u32(tb[IFLA_MGRE_NHRP_MAX_SEND_EVERY]);
	if (count == MGRE_NHRP_MAX_SEND_DEFAULT &&
	    every == MGRE_NHRP_MAX_SEND_EVERY_DEFAULT)
		return;
	/* (JSON: both numbers, 0 for off, as the attributes) */
	print_uint(PRINT_JSON, "max_send", NULL, count);
	print_uint(PRINT_JSON, "max_send_every", NULL, every);
	if (count) {
		print_uint(PRINT_FP, NULL, "max-send %u ", count);
		print_uint(PRINT_FP, NULL, "every %u ", every);
	} else {
		print_string(PRINT_FP, NULL, "max-send %s ", "off");
	}
}

/*
 * What NHRP may bind (Documentation/nhrp.md), shown only when not the
 * default: "subnet-check off", "per-nbma-max N", "multicast-dynamic-max N",
 * "nhrp-rate-limit N|off", "max-send N every S|off".
 */
static void mgre_print_limits(struct rtattr *tb[])
{
	if (tb[IFLA_MGRE_SUBNET_CHECK] && !rta_getattr_u8(tb[IFLA_MGRE_SUBNET_CHECK]))
		print_string(PRINT_ANY, "subnet_check", "subnet-check %s ", "off");
	print_nondefault(tb[IFLA_MGRE_PER_NBMA_MAX], MGRE_PER_NBMA_MAX_DEFAULT,
			 "per_nbma_max", "per-nbma-max %u ");
	print_nondefault(tb[IFLA_MGRE_MCAST_DYNAMIC_MAX],
			 MGRE_MCAST_DYNAMIC_MAX_DEFAULT, "multicast_dynamic_max",
			 "multicast-dynamic-max %u ");
	if (tb[IFLA_MGRE_NHRP_RATE_LIMIT] &&
	    rta_getattr_u32(tb[IFLA_MGRE_NHRP_RATE_LIMIT]) !=
	    MGRE_NHRP_RATE_LIMIT_DEFAULT) {
		__u32 v = rta_getattr_u32(tb[IFLA_MGRE_NHRP_RATE_LIMIT]);

		if (v) {
			print_uint(PRINT_ANY, "nhrp_rate_limit",
				   "nhrp-rate-limit %u ", v);
		} else {
			/* (JSON: 0, as the attribute) */
			print_uint(PRINT_JSON, "nhrp_rate_limit", NULL, 0);
			print_string(PRINT_FP, NULL, "nhrp-rate-limit %s ",
				     "off");
		}
	}
	mgre_print_max_send(tb);
}

static void mgre_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	(void)lu;
	(void)f;
	if (!tb)
		return;
	print_endpoint("remote", tb[IFLA_MGRE_REMOTE]);
	print_endpoint("local", tb[IFLA_MGRE_LOCAL]);
	if (tb[IFLA_MGRE_LINK] && rta_getattr_u32(tb[IFLA_MGRE_LINK]))
		print_string(PRINT_ANY, "link", "dev %s ",
			     ll_index_to_name(rta_getattr_u32(tb[IFLA_MGRE_LINK])));
	print_ttl(tb[IFLA_MGRE_TTL]);
	print_tos(tb[IFLA_MGRE_TOS]);
	if (tb[IFLA_MGRE_KEY])
		print_uint(PRINT_ANY, "key", "key %u ",
			   rta_getattr_u32(tb[IFLA_MGRE_KEY]));
	if (tb[IFLA_MGRE_PMTUDISC] && !rta_getattr_u8(tb[IFLA_MGRE_PMTUDISC]))
		print_bool(PRINT_ANY, "pmtudisc", "nopmtudisc ", false);
	else
		print_bool(PRINT_JSON, "pmtudisc", NULL, true);
	mgre_print_nhrp(tb);
	mgre_print_protection(tb[IFLA_MGRE_PROTECTION]);
	if (tb[IFLA_MGRE_KEEPALIVE] && rta_getattr_u16(tb[IFLA_MGRE_KEEPALIVE])) {
		print_uint(PRINT_ANY, "keepalive", "keepalive %u ",
			   rta_getattr_u16(tb[IFLA_MGRE_KEEPALIVE]));
		if (tb[IFLA_MGRE_KEEPALIVE_RETRIES])
			print_uint(PRINT_ANY, "keepalive_retries", "%u ",
				   rta_getattr_u8(tb[IFLA_MGRE_KEEPALIVE_RETRIES]));
	}
	mgre_print_limits(tb);
}

/* ---- the ip binary: is it the one this plugin was built for? ----------- */

/*
 * The helpers this plugin calls, all exported by Debian 12's ip (check_abi.sh
 * checks at build time that this list is the plugin's undefined symbols).
 * BEGIN IP SYMBOLS
 */
static const char *const mgre_ip_syms[] = {
	"addattr16", "addattr32", "addattr8", "addattr_l", "duparg", "get_u16",
	"get_u32", "get_u8", "incomplete_command", "invarg",
	"ll_index_to_name", "ll_name_to_index", "nodev", "print_color_bool",
	"print_color_string", "print_color_uint", "rtnl_dsfield_a2n",
	"tnl_parse_key",
};
/* END IP SYMBOLS */

/*
 * At load: "ip" reads mgre_link_util with its own struct link_util, and
 * resolves the helpers lazily, at their first call.  Another iproute2
 * would misread the one or miss the others, crashing in the middle of a
 * command; so compare first, with what this ip exports: the size of its
 * own gre_link_util (a struct link_util) and every helper.  A mismatch
 * stops ip with a message (before it reads anything of ours).  (The
 * test of the refusal builds a copy expecting another size.)
 */
#ifndef MGRE_LINK_UTIL_SIZE
#define MGRE_LINK_UTIL_SIZE	sizeof(struct link_util)
#endif
__attribute__((constructor)) static void mgre_check_ip(void)
{
	size_t want = MGRE_LINK_UTIL_SIZE;
	const ElfW(Sym) *sym = NULL;
	Dl_info info;
	char why[128] = "";
	void *gre;
	size_t i;

	gre = dlsym(RTLD_DEFAULT, "gre_link_util");
	if (!gre || !dladdr1(gre, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym)
		snprintf(why, sizeof(why), "it exports no gre_link_util");
	else if (sym->st_size != want)
		snprintf(why, sizeof(why),
			 "its struct link_util has %zu bytes, not %zu",
			 (size_t)sym->st_size, want);
	for (i = 0; !why[0] && i < sizeof(mgre_ip_syms) / sizeof(mgre_ip_syms[0]); i++)
		if (!dlsym(RTLD_DEFAULT, mgre_ip_syms[i]))
			snprintf(why, sizeof(why), "it exports no %s()",
				 mgre_ip_syms[i]);
	if (!why[0])
		return;
	fprintf(stderr,
		"link_mgre.so: this ip is not the iproute2 6.1 the plugin was built for (%s): rebuild the plugin against it (make -C tools/iproute2)\n",
		why);
	exit(1);
}

EXPORT struct link_util mgre_link_util = {
	.id		= MGRE_KIND,
	.maxattr	= IFLA_MGRE_MAX,
	.parse_opt	= mgre_parse_opt,
	.print_opt	= mgre_print_opt,
	.print_help	= mgre_print_help,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * nhrpctl: command line parsing and dispatch.
 *
 * Every command is one row of commands[]: the words that name it, the
 * keywords it accepts and needs, and what it does.  Keyword arguments may
 * come in any order, as in iproute2.
 *
 * Batch mode (-b FILE) runs one command per line of FILE, like "ip -batch",
 * over one generic netlink socket and one cached link dump.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>

#include "nhrpctl.h"

/* The batch file and line being run, for error messages */
static const char *err_file;
static unsigned long err_line;

void err_set_location(const char *file, unsigned long line)
{
	err_file = file;
	err_line = line;
}

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);		/* keep the order of output and errors */
	fputs("nhrpctl: ", stderr);
	if (err_file)
		fprintf(stderr, "%s:%lu: ", err_file, err_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- keywords --------------------------------------------------------- */

enum kw {
	KW_PROTO,		/* positional protocol address */
	KW_DEV,
	KW_NBMA,
	KW_PRIORITY,
	KW_DYNAMIC,
	KW_CACHED,
	KW_FILE,		/* positional file name (setconf) */
	KW_DETAIL,
	NR_KW
};

#define KW(k) (1U << (k))

static const struct keyword {
	const char *name;	/* NULL: the positional argument */
	const char *usage;
	bool has_arg;
} keywords[NR_KW] = {
	[KW_PROTO]	= { NULL,	"PROTO",	true },
	[KW_DEV]	= { "dev",	"dev DEV",	true },
	[KW_NBMA]	= { "nbma",	"nbma NBMA",	true },
	[KW_PRIORITY]	= { "priority",	"priority N",	true },
	[KW_DYNAMIC]	= { "dynamic",	"dynamic",	false },
	[KW_CACHED]	= { "cached",	"cached",	false },
	[KW_FILE]	= { NULL,	"FILE",		true },
	[KW_DETAIL]	= { "detail",	"detail",	false },
};

struct args {
	unsigned int seen;		/* KW() bits */
	const char *val[NR_KW];		/* as given */
	struct in_addr proto;
	struct in_addr nbma;
	uint8_t prefixlen;
	uint8_t priority;
};

/* ---- commands --------------------------------------------------------- */

/* What the commands of one run share: options, the netlink socket */
struct run_ctx {
	const struct out_opts *out;
	struct nhrp_nl *nl;		/* opened by the first command needing it */
	bool batch;			/* running the lines of -b */
};

struct command;
typedef int (*run_fn)(const struct command *cmd, const struct args *a,
		      struct run_ctx *ctx);

struct command {
	const char *word;
	const char *verb;		/* NULL: none */
	run_fn run;
	unsigned int allowed;		/* KW() bits */
	unsigned int required;
	unsigned int oneof;		/* exactly one of these */
	unsigned int atmostone;		/* at most one of these */
	enum kw positional;		/* what a bare word is: PROTO, FILE */
	uint8_t genl_cmd;		/* modify commands */
	enum show_what show;		/* show commands */
	const char *what;		/* object name in error messages */
	const char *full;		/* ENOSPC message */
};

static int run_modify(const struct command *cmd, const struct args *a,
		      struct run_ctx *ctx);
static int run_show(const struct command *cmd, const struct args *a,
		    struct run_ctx *ctx);
static int run_monitor(const struct command *cmd, const struct args *a,
		       struct run_ctx *ctx);
static int run_showconf(const struct command *cmd, const struct args *a,
			struct run_ctx *ctx);
static int run_setconf(const struct command *cmd, const struct args *a,
		       struct run_ctx *ctx);

#define MODIFY(w, v, c, al, req, one, wh, fu)				\
	{ .word = w, .verb = v, .run = run_modify, .allowed = al,	\
	  .required = req, .oneof = one, .genl_cmd = c, .what = wh,	\
	  .full = fu }
#define SHOW(w, v, s)							\
	{ .word = w, .verb = v, .run = run_show, .allowed = KW(KW_DEV),	\
	  .show = s }

static const struct command commands[] = {
	MODIFY("map", "add", MGRE_CMD_MAP_ADD,
	       KW(KW_PROTO) | KW(KW_NBMA) | KW(KW_DEV),
	       KW(KW_PROTO) | KW(KW_NBMA) | KW(KW_DEV), 0,
	       "NHRP entry", "the NHRP cache is full"),
	MODIFY("map", "del", MGRE_CMD_MAP_DEL,
	       KW(KW_PROTO) | KW(KW_DEV), KW(KW_PROTO) | KW(KW_DEV), 0,
	       "NHRP entry", NULL),
	MODIFY("multicast", "add", MGRE_CMD_MCAST_ADD,
	       KW(KW_NBMA) | KW(KW_DYNAMIC) | KW(KW_DEV), KW(KW_DEV),
	       KW(KW_NBMA) | KW(KW_DYNAMIC),
	       "multicast entry", "the multicast map is full"),
	MODIFY("multicast", "del", MGRE_CMD_MCAST_DEL,
	       KW(KW_NBMA) | KW(KW_DYNAMIC) | KW(KW_DEV), KW(KW_DEV),
	       KW(KW_NBMA) | KW(KW_DYNAMIC),
	       "multicast entry", NULL),
	MODIFY("nhs", "add", MGRE_CMD_NHS_ADD,
	       KW(KW_PROTO) | KW(KW_DYNAMIC) | KW(KW_NBMA) | KW(KW_PRIORITY) |
	       KW(KW_DEV), KW(KW_DEV), KW(KW_PROTO) | KW(KW_DYNAMIC),
	       "NHS", "the NHS list is full"),
	MODIFY("nhs", "del", MGRE_CMD_NHS_DEL,
	       KW(KW_PROTO) | KW(KW_DYNAMIC) | KW(KW_NBMA) | KW(KW_DEV),
	       KW(KW_DEV), KW(KW_PROTO) | KW(KW_DYNAMIC), "NHS", NULL),
	{ .word = "flush", .run = run_modify, .genl_cmd = MGRE_CMD_FLUSH,
	  .allowed = KW(KW_DYNAMIC) | KW(KW_CACHED) | KW(KW_DEV),
	  .required = KW(KW_DEV), .atmostone = KW(KW_DYNAMIC) | KW(KW_CACHED),
	  .what = "NHRP cache" },
	{ .word = "show", .verb = "dmvpn", .run = run_show,
	  .allowed = KW(KW_DEV) | KW(KW_DETAIL), .show = SHOW_DMVPN },
	{ .word = "dmvpn", .run = run_show,
	  .allowed = KW(KW_DEV) | KW(KW_DETAIL), .show = SHOW_DMVPN },
	SHOW("show", "multicast", SHOW_MCAST),
	{ .word = "show", .verb = "nhs", .run = run_show,
	  .allowed = KW(KW_DEV) | KW(KW_DETAIL), .show = SHOW_NHS },
	SHOW("show", "traffic", SHOW_TRAFFIC),
	SHOW("show", NULL, SHOW_CACHE),
	SHOW("stats", NULL, SHOW_STATS),
	{ .word = "monitor", .run = run_monitor, .allowed = KW(KW_DEV) },
	{ .word = "showconf", .run = run_showconf, .allowed = KW(KW_DEV),
	  .required = KW(KW_DEV) },
	{ .word = "setconf", .run = run_setconf,
	  .allowed = KW(KW_FILE) | KW(KW_DEV),
	  .required = KW(KW_FILE) | KW(KW_DEV), .positional = KW_FILE },
};

static void usage(FILE *f)
{
	fputs("Usage: nhrpctl [OPTIONS] COMMAND\n"
	      "       nhrpctl [OPTIONS] -b FILE    (one COMMAND per line; - = stdin)\n"
	      "\n"
	      "Commands (arguments in any order; DEV is an mgre device):\n"
	      "  map add PROTO[/LEN] nbma NBMA dev DEV\n"
	      "  map del PROTO[/LEN] dev DEV\n"
	      "  multicast {add|del} {nbma NBMA | dynamic} dev DEV\n"
	      "  nhs add PROTO [nbma NBMA] [priority N] dev DEV\n"
	      "  nhs add dynamic nbma NBMA [priority N] dev DEV\n"
	      "                              an NHS whose address its reply tells\n"
	      "  nhs del {PROTO | dynamic nbma NBMA} dev DEV\n"
	      "                              (an NHS's NBMA may be a host name)\n"
	      "  show [dev DEV]              NHRP cache (show ip nhrp)\n"
	      "  show multicast [dev DEV]    multicast map\n"
	      "  show nhs [detail] [dev DEV] next-hop servers [with their counters]\n"
	      "  stats [dev DEV]             every counter\n"
	      "  show traffic [dev DEV]      NHRP packets by type (show ip nhrp traffic)\n"
	      "  show dmvpn [detail] [dev DEV]\n"
	      "                              peers (show dmvpn); also \"dmvpn\"\n"
	      "  flush [dynamic|cached] dev DEV\n"
	      "                              delete learned entries (clear ip nhrp)\n"
	      "  monitor [dev DEV]           print events as they happen, until killed\n"
	      "  showconf dev DEV            the configuration, as a file setconf loads\n"
	      "  setconf FILE dev DEV        make the configuration FILE's (- = stdin)\n"
	      "  help\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json          JSON output\n"
	      "  -p, --pretty        pretty-printed JSON (implies -j)\n"
	      "  -n, --netns NAME    run in network namespace NAME\n"
	      "  -b, --batch FILE    run the commands in FILE (- = stdin), one a line\n"
	      "  -f, --force         with -b: go on after a failing line\n"
	      "  -V, --version       print the version\n"
	      "  -h, --help          print this help\n", f);
}

/* ---- argument parsing ------------------------------------------------- */

static int find_keyword(const char *word)
{
	int k;

	for (k = 0; k < NR_KW; k++)
		if (keywords[k].name && !strcmp(word, keywords[k].name))
			return k;
	return -1;
}

/* Collects the keyword arguments of cmd into a->val[] */
static int collect_args(const struct command *cmd, int argc, char **argv,
			struct args *a)
{
	int i, k;

	for (i = 0; i < argc; i++) {
		k = find_keyword(argv[i]);
		if (k < 0) {
			/* a bare word is the positional argument, once */
			k = cmd->positional;
			if (!(cmd->allowed & KW(k)) || (a->seen & KW(k))) {
				err_msg("unknown keyword \"%s\"", argv[i]);
				return EXIT_USAGE;
			}
			a->seen |= KW(k);
			a->val[k] = argv[i];
			continue;
		}
		if (!(cmd->allowed & KW(k))) {
			err_msg("\"%s\" is not valid with \"%s%s%s\"",
				argv[i], cmd->word, cmd->verb ? " " : "",
				cmd->verb ? cmd->verb : "");
			return EXIT_USAGE;
		}
		if (a->seen & KW(k)) {
			err_msg("duplicate keyword \"%s\"", argv[i]);
			return EXIT_USAGE;
		}
		if (keywords[k].has_arg && i + 1 >= argc) {
			err_msg("missing argument for \"%s\"", argv[i]);
			return EXIT_USAGE;
		}
		a->seen |= KW(k);
		a->val[k] = keywords[k].has_arg ? argv[++i] : argv[i];
	}
	return EXIT_OK;
}

/* "A" or "A or B" or ...: the usage of the keywords in mask */
static void keyword_list(unsigned int mask, char *list, size_t len)
{
	size_t n = 0;
	int k;

	list[0] = '\0';
	for (k = 0; k < NR_KW && n < len; k++)
		if (mask & KW(k))
			n += snprintf(list + n, len - n, "%s\"%s\"",
				      n ? " or " : "", keywords[k].usage);
}

static int check_required(const struct command *cmd, const struct args *a)
{
	unsigned int missing = cmd->required & ~a->seen;
	unsigned int one = cmd->oneof & a->seen;
	unsigned int some = cmd->atmostone & a->seen;
	char list[128];
	int k;

	for (k = 0; k < NR_KW; k++) {
		if (missing & KW(k)) {
			err_msg("missing \"%s\"", keywords[k].usage);
			return EXIT_USAGE;
		}
	}
	if (some & (some - 1)) {
		keyword_list(cmd->atmostone, list, sizeof(list));
		err_msg("at most one of %s is allowed", list);
		return EXIT_USAGE;
	}
	if (!cmd->oneof || (one && !(one & (one - 1))))
		return EXIT_OK;
	keyword_list(cmd->oneof, list, sizeof(list));
	err_msg("exactly one of %s is required", list);
	return EXIT_USAGE;
}

int bad_address(const char *s, const char *why)
{
	err_msg("invalid address \"%s\"%s", s, why);
	return EXIT_USAGE;
}

int parse_uint(const char *s, unsigned long max, unsigned long *val)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*val = strtoul(s, &end, 10);
	if (errno || *end || *val > max)
		return -1;
	return 0;
}

int parse_nbma(const char *s, struct in_addr *addr)
{
	if (inet_pton(AF_INET, s, addr) != 1)
		return bad_address(s, "");
	if (addr->s_addr == htonl(INADDR_ANY))
		return bad_address(s, " (NBMA address must not be 0.0.0.0)");
	return EXIT_OK;
}

/*
 * An NBMA address, or a host name resolved now (IPv4, the first address
 * the resolver gives): "nhs ... nbma hub.example.net".  Names are never
 * given to the kernel; "mgre-quick" resolves them again when the NHS stops
 * answering.
 */
int parse_nbma_name(const char *s, struct in_addr *addr)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	const char *c;
	int err;

	if (inet_pton(AF_INET, s, addr) == 1)
		return parse_nbma(s, addr);
	/* (letters, digits, "-" and "." and at least one letter: a name) */
	for (c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.')
			return bad_address(s, "");
	if (strspn(s, "0123456789.") == strlen(s) || strlen(s) > 253)
		return bad_address(s, "");
	err = getaddrinfo(s, NULL, &hints, &res);
	if (err) {
		err_msg("cannot resolve \"%s\": %s", s,
			err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
		return EXIT_FAIL;
	}
	*addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	if (addr->s_addr == htonl(INADDR_ANY))
		return bad_address(s, " (resolves to 0.0.0.0)");
	return EXIT_OK;
}

int parse_proto(const char *s, struct in_addr *addr, uint8_t *plen)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long bits = 32;
	uint32_t mask;

	if (len >= sizeof(buf))
		return bad_address(s, "");
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		return bad_address(s, "");
	if (slash && parse_uint(slash + 1, 32, &bits))
		return bad_address(s, " (prefix length must be 0-32)");
	mask = bits ? ~0U << (32 - bits) : 0;
	if (ntohl(addr->s_addr) & ~mask)
		return bad_address(s, " (host bits set)");
	*plen = bits;
	return EXIT_OK;
}

static bool is_nhs_cmd(const struct command *cmd)
{
	return cmd->genl_cmd == MGRE_CMD_NHS_ADD ||
	       cmd->genl_cmd == MGRE_CMD_NHS_DEL;
}

static int convert_args(const struct command *cmd, struct args *a)
{
	const char *dev = a->val[KW_DEV];
	unsigned long prio;
	int ret;

	if (dev && (!*dev || strlen(dev) >= IF_NAMESIZE)) {
		err_msg("invalid device name \"%s\"", dev);
		return EXIT_USAGE;
	}
	if (a->val[KW_PROTO]) {
		ret = parse_proto(a->val[KW_PROTO], &a->proto, &a->prefixlen);
		if (ret)
			return ret;
	}
	/* An NHS by name: "nhs add dynamic nbma hub.example.net" */
	if (a->val[KW_NBMA]) {
		ret = is_nhs_cmd(cmd) ?
		      parse_nbma_name(a->val[KW_NBMA], &a->nbma) :
		      parse_nbma(a->val[KW_NBMA], &a->nbma);
		if (ret)
			return ret;
	}
	if (is_nhs_cmd(cmd) && a->val[KW_PROTO] &&
	    strchr(a->val[KW_PROTO], '/'))
		return bad_address(a->val[KW_PROTO], " (an NHS is one address)");
	if (is_nhs_cmd(cmd) && a->val[KW_DYNAMIC] && !a->val[KW_NBMA]) {
		err_msg("a dynamic NHS needs \"nbma NBMA\" (its protocol address comes in its reply)");
		return EXIT_USAGE;
	}
	if (cmd->genl_cmd == MGRE_CMD_NHS_DEL && !a->val[KW_DYNAMIC] &&
	    a->val[KW_NBMA]) {
		err_msg("\"nbma\" names a dynamic NHS only: \"nhs del dynamic nbma NBMA\"");
		return EXIT_USAGE;
	}
	if (a->val[KW_PRIORITY]) {
		if (parse_uint(a->val[KW_PRIORITY], 255, &prio)) {
			err_msg("invalid priority \"%s\" (0-255)",
				a->val[KW_PRIORITY]);
			return EXIT_USAGE;
		}
		a->priority = prio;
	}
	return EXIT_OK;
}

static int parse_args(const struct command *cmd, int argc, char **argv,
		      struct args *a)
{
	int ret;

	ret = collect_args(cmd, argc, argv, a);
	if (!ret)
		ret = check_required(cmd, a);
	if (!ret)
		ret = convert_args(cmd, a);
	return ret;
}

/* Finds the command named by argv; *used is how many words name it */
static const struct command *find_command(int argc, char **argv, int *used)
{
	const struct command *c;
	bool known = false;

	for (c = commands; c < commands + ARRAY_SIZE(commands); c++) {
		if (strcmp(argv[0], c->word))
			continue;
		known = true;
		if (!c->verb) {
			*used = 1;
			return c;
		}
		if (argc > 1 && !strcmp(argv[1], c->verb)) {
			*used = 2;
			return c;
		}
	}
	if (!known)
		err_msg("unknown command \"%s\" (try \"nhrpctl help\")",
			argv[0]);
	else if (argc < 2)
		err_msg("incomplete command \"%s\" (try \"nhrpctl help\")",
			argv[0]);
	else
		err_msg("unknown command \"%s %s\" (try \"nhrpctl help\")",
			argv[0], argv[1]);
	return NULL;
}

/* ---- running commands ------------------------------------------------- */

static int put_args(struct nl_msg *msg, const struct command *cmd,
		    const struct mgre_dev *dev, const struct args *a)
{
	bool flush = cmd->genl_cmd == MGRE_CMD_FLUSH;
	int err = nla_put_u32(msg, MGRE_A_IFINDEX, dev->ifindex);

	if (!err && a->val[KW_PROTO])
		err = nla_put(msg, MGRE_A_PROTO, sizeof(a->proto), &a->proto);
	if (!err && a->val[KW_PROTO] && strchr(a->val[KW_PROTO], '/'))
		err = nla_put_u8(msg, MGRE_A_PREFIXLEN, a->prefixlen);
	if (!err && a->val[KW_NBMA])
		err = nla_put_u32(msg, MGRE_A_NBMA, a->nbma.s_addr);
	if (!err && a->val[KW_DYNAMIC] && is_nhs_cmd(cmd))
		err = nla_put_flag(msg, MGRE_A_NHS_DYNAMIC);
	else if (!err && a->val[KW_DYNAMIC] && !flush)
		err = nla_put_flag(msg, MGRE_A_MCAST_DYNAMIC);
	if (!err && a->val[KW_DYNAMIC] && flush)
		err = nla_put_u8(msg, MGRE_A_TYPE, MGRE_ENTRY_DYNAMIC);
	if (!err && a->val[KW_CACHED])
		err = nla_put_u8(msg, MGRE_A_TYPE, MGRE_ENTRY_CACHED);
	if (!err && a->val[KW_PRIORITY])
		err = nla_put_u8(msg, MGRE_A_PRIORITY, a->priority);
	return err;
}

/* The words naming the object of a modify command in messages */
static const char *object_key(const struct command *cmd,
			      const struct args *a, char *buf, size_t len)
{
	if (a->val[KW_PROTO])
		return a->val[KW_PROTO];
	if (is_nhs_cmd(cmd)) {
		snprintf(buf, len, "dynamic nbma %s", a->val[KW_NBMA]);
		return buf;
	}
	if (a->val[KW_NBMA])
		return a->val[KW_NBMA];
	return keywords[KW_DYNAMIC].name;
}

static int send_modify(struct nhrp_nl *nl, const struct command *cmd,
		       const struct mgre_dev *dev, const struct args *a)
{
	struct nl_msg *msg;
	char what[320], key[280];

	msg = nhrp_msg_new(nl, cmd->genl_cmd, false);
	if (!msg)
		return EXIT_FAIL;
	if (put_args(msg, cmd, dev, a) < 0) {
		nlmsg_free(msg);
		err_msg("cannot build the netlink request");
		return EXIT_FAIL;
	}
	snprintf(what, sizeof(what), "%s %s", cmd->what,
		 object_key(cmd, a, key, sizeof(key)));
	return nhrp_request_report(nl, msg, dev, what, cmd->full, NULL, NULL);
}

/* The run's generic netlink socket, opened on first use */
static int ctx_nl(struct run_ctx *ctx, struct nhrp_nl **nl)
{
	int ret;

	if (!ctx->nl) {
		ret = nhrp_nl_open(&ctx->nl);
		if (ret)
			return ret;
	}
	*nl = ctx->nl;
	return EXIT_OK;
}

static int run_modify(const struct command *cmd, const struct args *a,
		      struct run_ctx *ctx)
{
	struct mgre_dev dev;
	struct nhrp_nl *nl;
	int ret;

	ret = dev_lookup(a->val[KW_DEV], &dev);
	if (!ret)
		ret = ctx_nl(ctx, &nl);
	if (!ret)
		ret = send_modify(nl, cmd, &dev, a);
	return ret;
}

/* "show nhs detail", "show dmvpn detail" */
static enum show_what detail_of(enum show_what what, const struct args *a)
{
	if (!a->val[KW_DETAIL])
		return what;
	return what == SHOW_NHS ? SHOW_NHS_DETAIL : SHOW_DMVPN_DETAIL;
}

/*
 * With "dev", the device is checked before the module: its errors are the
 * more precise ones.  Without, a missing module is the error.
 */
static int run_show(const struct command *cmd, const struct args *a,
		    struct run_ctx *ctx)
{
	struct mgre_dev one, *list = NULL;
	const struct mgre_dev *devs = &one;
	struct nhrp_nl *nl;
	size_t ndevs = 1;
	int ret;

	if (a->val[KW_DEV]) {
		ret = dev_lookup(a->val[KW_DEV], &one);
		if (ret)
			return ret;
	}
	ret = ctx_nl(ctx, &nl);
	if (ret)
		return ret;
	if (!a->val[KW_DEV]) {
		ret = dev_list(&list, &ndevs);
		devs = list;
	}
	if (!ret)
		ret = do_show(nl, detail_of(cmd->show, a), devs, ndevs,
			      !a->val[KW_DEV], ctx->out);
	free(list);
	return ret;
}

static int run_showconf(const struct command *cmd, const struct args *a,
			struct run_ctx *ctx)
{
	struct mgre_dev dev;
	struct nhrp_nl *nl;
	int ret;

	(void)cmd;
	ret = dev_lookup(a->val[KW_DEV], &dev);
	if (!ret)
		ret = ctx_nl(ctx, &nl);
	if (!ret)
		ret = do_showconf(nl, &dev);
	return ret;
}

static int run_setconf(const struct command *cmd, const struct args *a,
		       struct run_ctx *ctx)
{
	struct mgre_dev dev;
	struct nhrp_nl *nl;
	struct conf *c;
	int ret;

	(void)cmd;
	/* the file first: a bad one changes nothing, device or not */
	c = setconf_read(a->val[KW_FILE], &ret);
	if (!c)
		return ret;
	ret = dev_lookup(a->val[KW_DEV], &dev);
	if (!ret)
		ret = ctx_nl(ctx, &nl);
	if (!ret)
		ret = setconf_apply(nl, &dev, c);
	conf_free(c);
	/* the device's options changed: look it up afresh next time */
	dev_cache_free();
	return ret;
}

static int run_monitor(const struct command *cmd, const struct args *a,
		       struct run_ctx *ctx)
{
	struct mgre_dev one;
	int ret;

	(void)cmd;
	if (ctx->batch) {
		err_msg("\"monitor\" runs until killed: not in a batch");
		return EXIT_USAGE;
	}
	if (a->val[KW_DEV]) {
		ret = dev_lookup(a->val[KW_DEV], &one);
		if (ret)
			return ret;
	}
	return do_monitor(a->val[KW_DEV] ? &one : NULL, ctx->out);
}

/*
 * Parses one command (argv without the program name and options) into
 * *cmdp and *a.  "help" prints the usage and sets *cmdp to NULL.
 */
static int parse_command(int argc, char **argv, const struct command **cmdp,
			 struct args *a)
{
	int used;

	*cmdp = NULL;
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	*cmdp = find_command(argc, argv, &used);
	if (!*cmdp)
		return EXIT_USAGE;
	return parse_args(*cmdp, argc - used, argv + used, a);
}

/* ---- main ------------------------------------------------------------- */

static int enter_netns(const char *name)
{
	char path[256];
	int fd, ret;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_msg("cannot open network namespace \"%s\": %s", name,
			strerror(errno));
		return EXIT_FAIL;
	}
	ret = setns(fd, CLONE_NEWNET);
	if (ret)
		err_msg("cannot enter network namespace \"%s\": %s", name,
			strerror(errno));
	close(fd);
	return ret ? EXIT_FAIL : EXIT_OK;
}

/* ---- batch mode ------------------------------------------------------- */

#define BATCH_MAX_WORDS	64

/*
 * Splits line into words at blanks, in place.  A word starting with '#'
 * starts a comment.  Returns the number of words, -1 if there are more
 * than max.
 */
int split_words(char *line, char **words, int max)
{
	static const char blanks[] = " \t\r\n\v\f";
	char *p = line;
	int n = 0;

	for (;;) {
		p += strspn(p, blanks);
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return -1;
		words[n++] = p;
		p += strcspn(p, blanks);
		if (*p)
			*p++ = '\0';
	}
}

/* Runs the command of one batch line */
static int run_line(char *line, struct run_ctx *ctx)
{
	char *words[BATCH_MAX_WORDS];
	const struct command *cmd;
	struct args a = { 0 };
	int n, ret;

	n = split_words(line, words, BATCH_MAX_WORDS);
	if (n == 0)
		return EXIT_OK;
	if (n < 0) {
		err_msg("too many words (at most %d)", BATCH_MAX_WORDS);
		return EXIT_USAGE;
	}
	ret = parse_command(n, words, &cmd, &a);
	if (!ret && cmd)
		ret = cmd->run(cmd, &a, ctx);
	return ret;
}

/*
 * Runs every line of path ("-": stdin).  Stops at the first failing line
 * unless force; exits 1 if any line failed.
 */
static int run_batch(const char *path, const char *netns, bool force,
		     struct run_ctx *ctx)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	unsigned long lineno = 0;
	int ret = EXIT_OK, failed = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	f = is_stdin ? stdin : fopen(path, "r");
	if (!f) {
		err_msg("cannot open \"%s\": %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	if (netns)
		ret = enter_netns(netns);
	while (!ret && getline(&line, &cap, f) >= 0) {
		lineno++;
		err_set_location(name, lineno);
		if (run_line(line, ctx)) {
			failed++;
			if (!force)
				ret = EXIT_FAIL;
		}
		err_set_location(NULL, 0);
	}
	if (!ret && ferror(f)) {
		err_msg("cannot read \"%s\": %s", name, strerror(errno));
		ret = EXIT_FAIL;
	}
	free(line);
	if (!is_stdin)
		fclose(f);
	return ret || failed ? EXIT_FAIL : EXIT_OK;
}

/* ---- options ---------------------------------------------------------- */

struct options {
	struct out_opts out;
	const char *netns;
	const char *batch;
	bool force;
};

static const struct option long_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "pretty",	no_argument,		NULL, 'p' },
	{ "netns",	required_argument,	NULL, 'n' },
	{ "batch",	required_argument,	NULL, 'b' },
	{ "force",	no_argument,		NULL, 'f' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 },
};

/* ip(8) spells these with one dash; getopt_long wants two */
static char ip_batch[] = "--batch", ip_force[] = "--force";

static void ip_style_options(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-batch"))
			argv[i] = ip_batch;
		else if (!strcmp(argv[i], "-force"))
			argv[i] = ip_force;
	}
}

/* Returns -1 to go on, or the exit code */
static int parse_options(int argc, char **argv, struct options *o)
{
	int c;

	ip_style_options(argc, argv);
	opterr = 0;	/* our messages, with our prefix */
	while ((c = getopt_long(argc, argv, ":jpn:b:fVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->out.json = true;
			break;
		case 'p':
			o->out.json = o->out.pretty = true;
			break;
		case 'n':
			o->netns = optarg;
			break;
		case 'b':
			o->batch = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case 'V':
			printf("nhrpctl %s (mgre genl family version %d)\n",
			       NHRPCTL_VERSION, MGRE_GENL_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case ':':
			err_msg("missing argument for \"%s\"",
				argv[optind - 1] == ip_batch ? "-batch" :
				argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				err_msg("unknown option \"-%c\"", optopt);
			else
				err_msg("unknown option \"%s\"", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct options o = { .netns = NULL };
	struct run_ctx ctx = { .out = &o.out };
	const struct command *cmd;
	struct args a = { 0 };
	int ret;

	ret = parse_options(argc, argv, &o);
	if (ret >= 0)
		return ret;
	argc -= optind;
	argv += optind;
	if (o.batch) {
		if (argc > 0) {
			err_msg("unexpected argument \"%s\": with -b the commands come from the file",
				argv[0]);
			return EXIT_USAGE;
		}
		ctx.batch = true;
		ret = run_batch(o.batch, o.netns, o.force, &ctx);
	} else {
		if (argc < 1) {
			err_msg("missing command (try \"nhrpctl help\")");
			return EXIT_USAGE;
		}
		ret = parse_command(argc, argv, &cmd, &a);
		if (ret || !cmd)
			return ret;
		if (o.netns)
			ret = enter_netns(o.netns);
		if (!ret)
			ret = cmd->run(cmd, &a, &ctx);
	}
	nhrp_nl_close(ctx.nl);
	dev_cache_free();
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nhrpctl: configure and show the NHRP state of mgre devices.
 *
 * Shared declarations of the three parts of the tool:
 *   main.c   command line parsing and dispatch, batch mode (-b)
 *   nl.c     netlink plumbing (generic netlink family "mgre", rtnetlink
 *            device lookup)
 *   show.c   text and JSON output of the show/stats commands
 *   monitor.c  the monitor command: events as they happen
 *   conf.c   showconf and setconf: the configuration as a file
 *   xfrm.c   the IPsec SAs, for the IKE/IPSEC states of "show dmvpn"
 * plus names.c (uapi enum -> name tables) and json.c (JSON writer).
 */
#ifndef NHRPCTL_H
#define NHRPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netlink/msg.h>

#include "mgre.h"

#ifndef NHRPCTL_VERSION
#define NHRPCTL_VERSION "0.1"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* operational error */
	EXIT_USAGE = 2,		/* bad command line */
};

/*
 * Prints "nhrpctl: MESSAGE" on stderr; in batch mode
 * "nhrpctl: FILE:LINE: MESSAGE" (see err_set_location()).
 */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void err_set_location(const char *file, unsigned long line);

/* Global output options */
struct out_opts {
	bool json;
	bool pretty;
};

/* An mgre device of the current netns */
struct mgre_dev {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
};

/* ---- main.c: argument parsing, shared with conf.c ---------------------- */

int bad_address(const char *s, const char *why);
/* Parses an unsigned decimal number in [0, max]; -1 if it is not one */
int parse_uint(const char *s, unsigned long max, unsigned long *val);
int parse_nbma(const char *s, struct in_addr *addr);
int parse_nbma_name(const char *s, struct in_addr *addr);
/* PROTO is A.B.C.D or A.B.C.D/LEN (no host bits set) */
int parse_proto(const char *s, struct in_addr *addr, uint8_t *plen);
/*
 * Splits line into words at blanks, in place; a word starting with '#'
 * starts a comment.  Returns the number of words, -1 if more than max.
 */
int split_words(char *line, char **words, int max);

/* ---- names.c ---------------------------------------------------------- */

const char *stat_name(unsigned int stat, char *buf, size_t len);
const char *entry_type_name(unsigned int type, char *buf, size_t len);
const char *nhs_state_name(unsigned int state, char *buf, size_t len);
const char *event_name(unsigned int event, char *buf, size_t len);

/* Calls fn(name, arg) for every flag set in flags, unknown bits as 0x%x */
void flags_foreach(uint32_t flags, void (*fn)(const char *name, void *arg),
		   void *arg);

/* ---- nl.c ------------------------------------------------------------- */

struct nhrp_nl;

/* Message handler of a request: called for every reply message */
typedef int (*nhrp_reply_fn)(struct nlattr **tb, void *arg);

/* Kernel answer of one request */
struct nhrp_result {
	int error;		/* 0 or a negative errno from the kernel */
	char extack[256];	/* the kernel's extended ACK message, or "" */
};

int nhrp_nl_open(struct nhrp_nl **nlp);
void nhrp_nl_close(struct nhrp_nl *nl);

struct nl_msg *nhrp_msg_new(struct nhrp_nl *nl, uint8_t cmd, bool dump);
int nhrp_nl_request(struct nhrp_nl *nl, struct nl_msg *msg,
		    nhrp_reply_fn fn, void *arg, struct nhrp_result *res);

void nhrp_report_error(const struct nhrp_result *res, const char *dev,
		       const char *what, const char *full);

/*
 * nhrp_nl_request() for one device: a kernel error is reported (what: the
 * object, as "NHS 172.1.1.1", or NULL; full: the ENOSPC message, or NULL)
 * and EXIT_FAIL returned; the kernel's remark on success is printed as a
 * warning.
 */
int nhrp_request_report(struct nhrp_nl *nl, struct nl_msg *msg,
			const struct mgre_dev *dev, const char *what,
			const char *full, nhrp_reply_fn fn, void *arg);

/*
 * Listens to the events group (a socket of its own) and calls fn for
 * every event until fn returns non-zero (returned) or receiving fails
 * (EXIT_FAIL, after a message).  Lost events are reported on stderr.
 */
int nhrp_nl_listen(nhrp_reply_fn fn, void *arg);

/* Looks name up in a cached link dump (see nl.c); dev_cache_free() drops it */
int dev_lookup(const char *name, struct mgre_dev *dev);
void dev_cache_free(void);
int dev_list(struct mgre_dev **devs, size_t *ndevs);

/* ---- conf.c ----------------------------------------------------------- */

int do_showconf(struct nhrp_nl *nl, const struct mgre_dev *dev);
/* dev's "protection require" and "local" (0: any), from rtnetlink */
int link_protection(const struct mgre_dev *dev, bool *require,
		    uint32_t *local);
struct conf;
/* Reads and checks the whole file (NULL, after a message, and *ret) */
struct conf *setconf_read(const char *path, int *ret);
/* Makes dev's configuration c's */
int setconf_apply(struct nhrp_nl *nl, const struct mgre_dev *dev,
		  struct conf *c);
void conf_free(struct conf *c);

/* ---- xfrm.c ----------------------------------------------------------- */

struct xfrm_sa_pair {
	uint32_t src, dst;		/* network order */
	uint32_t spi;			/* host order */
};

struct xfrm_sas {
	struct xfrm_sa_pair *sa;	/* the IPv4 ESP and AH SAs */
	size_t n, cap;
	bool nomem;
	bool known;			/* read (CAP_NET_ADMIN) */
};

/* 0, or a negative libnl error (the SAs are then unknown) */
int xfrm_sas_read(struct xfrm_sas *s);
void xfrm_sas_free(struct xfrm_sas *s);
void xfrm_sas_peer(const struct xfrm_sas *s, uint32_t local, uint32_t peer,
		   uint32_t *out, uint32_t *in);

/* ---- show.c ----------------------------------------------------------- */

enum show_what {
	SHOW_CACHE,
	SHOW_MCAST,
	SHOW_NHS,
	SHOW_STATS,
	SHOW_DMVPN,
	SHOW_TRAFFIC,	/* text: IOS's "show ip nhrp traffic"; JSON: stats */
	SHOW_NHS_DETAIL, /* show nhs with the counters of each */
	SHOW_DMVPN_DETAIL, /* show dmvpn with target networks and SAs */
};

/*
 * One request about dev (NULL: the netns; a dump but for STATS_GET),
 * replies passed to fn; a kernel error is reported, naming dev.
 */
int nhrp_query(struct nhrp_nl *nl, uint8_t cmd, const struct mgre_dev *dev,
	       nhrp_reply_fn fn, void *arg);

int do_show(struct nhrp_nl *nl, enum show_what what,
	    const struct mgre_dev *devs, size_t ndevs, bool netns_stats,
	    const struct out_opts *out);

/* ---- monitor.c -------------------------------------------------------- */

/* Prints events until killed; dev NULL: every device of the netns */
int do_monitor(const struct mgre_dev *dev, const struct out_opts *out);

#endif /* NHRPCTL_H */

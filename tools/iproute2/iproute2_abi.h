/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the iproute2 v6.1 ABI that link_mgre.so uses.
 *
 * iproute2 ships no development headers.  "ip" dlopen()s
 * $IP_LIB_DIR/link_<kind>.so (Debian 12: /usr/lib/x86_64-linux-gnu/ip),
 * looks up "<kind>_link_util" and calls into it; the plugin in turn calls
 * helpers that the ip binary exports (nm -D $(command -v ip)).  The
 * declarations below are copied from the iproute2 v6.1 sources (files
 * named in each section) and must match them exactly: any change of the
 * ip binary's ABI needs a matching change here.
 *
 * Checked against Debian 12 "ip utility, iproute2-6.1.0": every function
 * below is a " T " symbol of nm -D /usr/bin/ip, and sizeof(struct
 * link_util) == 72, as the size of the exported gre_link_util object.
 */
#ifndef MGRE_IPROUTE2_ABI_H
#define MGRE_IPROUTE2_ABI_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* ---- ip/ip_common.h ---------------------------------------------------- */

struct link_util {
	struct link_util	*next;
	const char		*id;
	int			maxattr;
	int			(*parse_opt)(struct link_util *, int, char **,
					     struct nlmsghdr *);
	void			(*print_opt)(struct link_util *, FILE *,
					     struct rtattr *[]);
	void			(*print_xstats)(struct link_util *, FILE *,
						struct rtattr *);
	void			(*print_help)(struct link_util *, int, char **,
					      FILE *);
	int			(*parse_ifla_xstats)(struct link_util *,
						     int, char **);
	int			(*print_ifla_xstats)(struct nlmsghdr *, void *);
};

_Static_assert(sizeof(struct link_util) == 9 * sizeof(void *),
	       "struct link_util does not match iproute2 v6.1");

/* ---- include/libnetlink.h --------------------------------------------- */

int addattr8(struct nlmsghdr *n, int maxlen, int type, __u8 data);
int addattr16(struct nlmsghdr *n, int maxlen, int type, __u16 data);
int addattr32(struct nlmsghdr *n, int maxlen, int type, __u32 data);
int addattr_l(struct nlmsghdr *n, int maxlen, int type,
	      const void *data, int alen);

static inline __u8 rta_getattr_u8(const struct rtattr *rta)
{
	return *(__u8 *)RTA_DATA(rta);
}

static inline __u16 rta_getattr_u16(const struct rtattr *rta)
{
	return *(__u16 *)RTA_DATA(rta);
}

static inline __u32 rta_getattr_u32(const struct rtattr *rta)
{
	return *(__u32 *)RTA_DATA(rta);
}

/* ---- include/utils.h -------------------------------------------------- */

void incomplete_command(void) __attribute__((noreturn));
#define NEXT_ARG() \
	do { argv++; if (--argc <= 0) incomplete_command(); } while (0)

void invarg(const char *msg, const char *arg) __attribute__((noreturn));
void duparg(const char *key, const char *arg) __attribute__((noreturn));
int get_u8(__u8 *val, const char *arg, int base);
int get_u16(__u16 *val, const char *arg, int base);
int get_u32(__u32 *val, const char *arg, int base);
int nodev(const char *dev);

/* ---- include/ll_map.h ------------------------------------------------- */

unsigned ll_name_to_index(const char *name);
const char *ll_index_to_name(unsigned int idx);

/* ---- include/rt_names.h ----------------------------------------------- */

int rtnl_dsfield_a2n(__u32 *id, const char *arg);

/* ---- ip/tunnel.h ------------------------------------------------------ */

__be32 tnl_parse_key(const char *name, const char *key);

/* ---- include/color.h -------------------------------------------------- */

enum color_attr {
	COLOR_IFNAME,
	COLOR_MAC,
	COLOR_INET,
	COLOR_INET6,
	COLOR_OPERSTATE_UP,
	COLOR_OPERSTATE_DOWN,
	COLOR_NONE
};

/* ---- include/json_print.h --------------------------------------------- */

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = 4,
};

bool is_json_context(void);

int print_color_string(enum output_type t, enum color_attr color,
		       const char *key, const char *fmt, const char *value);
int print_color_uint(enum output_type t, enum color_attr color,
		     const char *key, const char *fmt, unsigned int value);
int print_color_bool(enum output_type t, enum color_attr color,
		     const char *key, const char *fmt, bool value);

static inline int print_string(enum output_type t, const char *key,
			       const char *fmt, const char *value)
{
	return print_color_string(t, COLOR_NONE, key, fmt, value);
}

static inline int print_uint(enum output_type t, const char *key,
			     const char *fmt, unsigned int value)
{
	return print_color_uint(t, COLOR_NONE, key, fmt, value);
}

static inline int print_bool(enum output_type t, const char *key,
			     const char *fmt, bool value)
{
	return print_color_bool(t, COLOR_NONE, key, fmt, value);
}

#endif /* MGRE_IPROUTE2_ABI_H */

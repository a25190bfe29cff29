// SPDX-License-Identifier: GPL-2.0
/*
 * nhrpctl monitor: the events of the mgre devices of the netns as they
 * happen (enum mgre_event in kmod/uapi/mgre.h), like "ip monitor": one
 * line of text, or one JSON object per line with -j.  The formats are
 * documented in nhrpctl.8.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>

#include "json.h"
#include "nhrpctl.h"

struct monitor_ctx {
	const struct out_opts *out;
	uint32_t ifindex;		/* 0: every device */
};

static const char *addr_of(struct nlattr *a, char *buf)
{
	uint32_t v = 0;

	if (a && nla_len(a) == sizeof(v))
		memcpy(&v, nla_data(a), sizeof(v));
	return inet_ntop(AF_INET, &v, buf, INET_ADDRSTRLEN);
}

/* "entry_add" -> "entry add" */
static void words(const char *name, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", name);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = ' ';
}

static void flag_text(const char *name, void *arg)
{
	printf(" %s", name);
	(void)arg;
}

static void event_json(struct nlattr **tb, const char *event,
		       const char *dev)
{
	char a[INET_ADDRSTRLEN], tbuf[16];
	struct json j;

	json_init(&j, stdout, false);
	json_open_object(&j, NULL);
	json_string(&j, "event", event);
	json_string(&j, "dev", dev);
	if (tb[MGRE_A_PROTO])
		json_string(&j, "proto", addr_of(tb[MGRE_A_PROTO], a));
	if (tb[MGRE_A_PREFIXLEN])
		json_u64(&j, "prefixlen", nla_get_u8(tb[MGRE_A_PREFIXLEN]));
	if (tb[MGRE_A_NBMA])
		json_string(&j, "nbma", addr_of(tb[MGRE_A_NBMA], a));
	if (tb[MGRE_A_NEXT_HOP])
		json_string(&j, "next_hop", addr_of(tb[MGRE_A_NEXT_HOP], a));
	if (tb[MGRE_A_TYPE])
		json_string(&j, "type",
			    entry_type_name(nla_get_u8(tb[MGRE_A_TYPE]),
					    tbuf, sizeof(tbuf)));
	if (tb[MGRE_A_FLAGS]) {
		json_open_array(&j, "flags");
		flags_foreach(nla_get_u32(tb[MGRE_A_FLAGS]), json_flag, &j);
		json_close_array(&j);
	}
	if (tb[MGRE_A_EXPIRES])
		json_u64(&j, "expires", nla_get_u32(tb[MGRE_A_EXPIRES]));
	if (tb[MGRE_A_OLD_TYPE])
		json_string(&j, "old_type",
			    entry_type_name(nla_get_u8(tb[MGRE_A_OLD_TYPE]),
					    tbuf, sizeof(tbuf)));
	if (tb[MGRE_A_OLD_NBMA])
		json_string(&j, "old_nbma", addr_of(tb[MGRE_A_OLD_NBMA], a));
	if (tb[MGRE_A_CIE_CODE])
		json_u64(&j, "code", nla_get_u8(tb[MGRE_A_CIE_CODE]));
	if (tb[MGRE_A_ERROR_CODE])
		json_u64(&j, "error_code", nla_get_u16(tb[MGRE_A_ERROR_CODE]));
	if (tb[MGRE_A_REQID])
		json_u64(&j, "reqid", nla_get_u32(tb[MGRE_A_REQID]));
	if (tb[MGRE_A_CARRIER])
		json_string(&j, "carrier",
			    nla_get_u8(tb[MGRE_A_CARRIER]) ? "on" : "off");
	json_close_object(&j);
	json_end(&j);
}

/*
 * DEV EVENT [PROTO[/LEN]] [TYPE] [nbma NBMA] [via NEXT_HOP] [flags F...]
 * [expires S] [was TYPE nbma NBMA] [code N] [error N] [id N]
 * [carrier on|off]
 */
static void event_text(struct nlattr **tb, const char *event,
		       const char *dev)
{
	char a[INET_ADDRSTRLEN], tbuf[16], ev[32];

	words(event, ev, sizeof(ev));
	printf("%s %s", dev, ev);
	if (tb[MGRE_A_PROTO]) {
		printf(" %s", addr_of(tb[MGRE_A_PROTO], a));
		if (tb[MGRE_A_PREFIXLEN])
			printf("/%u", nla_get_u8(tb[MGRE_A_PREFIXLEN]));
	}
	if (tb[MGRE_A_TYPE])
		printf(" %s", entry_type_name(nla_get_u8(tb[MGRE_A_TYPE]),
					      tbuf, sizeof(tbuf)));
	if (tb[MGRE_A_NBMA])
		printf(" nbma %s", addr_of(tb[MGRE_A_NBMA], a));
	if (tb[MGRE_A_NEXT_HOP])
		printf(" via %s", addr_of(tb[MGRE_A_NEXT_HOP], a));
	if (tb[MGRE_A_FLAGS] && nla_get_u32(tb[MGRE_A_FLAGS])) {
		printf(" flags");
		flags_foreach(nla_get_u32(tb[MGRE_A_FLAGS]), flag_text, NULL);
	}
	if (tb[MGRE_A_EXPIRES])
		printf(" expires %u", nla_get_u32(tb[MGRE_A_EXPIRES]));
	if (tb[MGRE_A_OLD_TYPE] && tb[MGRE_A_OLD_NBMA])
		printf(" was %s nbma %s",
		       entry_type_name(nla_get_u8(tb[MGRE_A_OLD_TYPE]), tbuf,
				       sizeof(tbuf)),
		       addr_of(tb[MGRE_A_OLD_NBMA], a));
	if (tb[MGRE_A_CIE_CODE])
		printf(" code %u", nla_get_u8(tb[MGRE_A_CIE_CODE]));
	if (tb[MGRE_A_ERROR_CODE])
		printf(" error %u", nla_get_u16(tb[MGRE_A_ERROR_CODE]));
	if (tb[MGRE_A_REQID])
		printf(" id %u", nla_get_u32(tb[MGRE_A_REQID]));
	if (tb[MGRE_A_CARRIER])
		printf(" %s", nla_get_u8(tb[MGRE_A_CARRIER]) ? "on" : "off");
	putchar('\n');
}

static int event_reply(struct nlattr **tb, void *arg)
{
	char dev[IF_NAMESIZE + 16], ebuf[32];
	struct monitor_ctx *ctx = arg;
	const char *event;
	uint32_t ifindex;

	if (!tb[MGRE_A_IFINDEX] || !tb[MGRE_A_EVENT])
		return 0;
	ifindex = nla_get_u32(tb[MGRE_A_IFINDEX]);
	if (ctx->ifindex && ifindex != ctx->ifindex)
		return 0;
	/* (a device deleted since: its index) */
	if (!if_indextoname(ifindex, dev))
		snprintf(dev, sizeof(dev), "if%u", ifindex);
	event = event_name(nla_get_u8(tb[MGRE_A_EVENT]), ebuf, sizeof(ebuf));
	if (ctx->out->json)
		event_json(tb, event, dev);
	else
		event_text(tb, event, dev);
	/* (a reader sees each event as it happens, even through a pipe) */
	if (fflush(stdout)) {
		err_msg("cannot write the events: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

int do_monitor(const struct mgre_dev *dev, const struct out_opts *out)
{
	struct monitor_ctx ctx = { .out = out, .ifindex = dev ? dev->ifindex : 0 };

	return nhrp_nl_listen(event_reply, &ctx);
}

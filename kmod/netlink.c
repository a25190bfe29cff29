// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "mgre": program and read the NHRP cache, the
 * multicast map and the NHS list, and read counters; its group "events"
 * carries events.c's notifications.  The commands and attributes are
 * documented in uapi/mgre.h.
 */

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "device.h"
#include "netlink.h"

static const struct nla_policy mgre_genl_policy[MGRE_A_MAX + 1] = {
	[MGRE_A_IFINDEX]	= { .type = NLA_U32 },
	[MGRE_A_IFNAME]		= { .type = NLA_NUL_STRING,
				    .len = IFNAMSIZ - 1 },
	[MGRE_A_PROTO]		= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MGRE_A_PREFIXLEN]	= NLA_POLICY_MAX(NLA_U8, 32),
	[MGRE_A_NBMA]		= { .type = NLA_BE32 },
	[MGRE_A_MCAST_DYNAMIC]	= { .type = NLA_FLAG },
	[MGRE_A_PRIORITY]	= { .type = NLA_U8 },
	[MGRE_A_NHS_DYNAMIC]	= { .type = NLA_FLAG },
	[MGRE_A_TYPE]		= NLA_POLICY_MAX(NLA_U8, __MGRE_ENTRY_MAX - 1),
};

/* Returns a held device, or an ERR_PTR with extack set. */
static struct mgre_device *mgre_genl_dev(struct net *net,
					 struct nlattr **attrs,
					 struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;

	if (attrs[MGRE_A_IFINDEX]) {
		dev = dev_get_by_index(net, nla_get_u32(attrs[MGRE_A_IFINDEX]));
	} else if (attrs[MGRE_A_IFNAME]) {
		dev = dev_get_by_name(net, nla_data(attrs[MGRE_A_IFNAME]));
	} else {
		NL_SET_ERR_MSG(extack, "no device given");
		return ERR_PTR(-EINVAL);
	}
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (dev->rtnl_link_ops != &mgre_link_ops) {
		dev_put(dev);
		NL_SET_ERR_MSG(extack, "not an mgre device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static void mgre_genl_dev_put(struct mgre_device *md)
{
	dev_put(mgre_to_dev(md));
}

static __be32 mgre_genl_proto(struct nlattr *attr)
{
	__be32 proto;

	memcpy(&proto, nla_data(attr), sizeof(proto));
	return proto;
}

static int mgre_genl_map_add(struct sk_buff *skb, struct genl_info *info)
{
	struct mgre_device *md;
	u8 plen = 32;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, MGRE_A_PROTO) ||
	    GENL_REQ_ATTR_CHECK(info, MGRE_A_NBMA))
		return -EINVAL;
	if (info->attrs[MGRE_A_PREFIXLEN])
		plen = nla_get_u8(info->attrs[MGRE_A_PREFIXLEN]);

	md = mgre_genl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(md))
		return PTR_ERR(md);
	ret = mgre_cache_add_static(&md->cache,
				    mgre_genl_proto(info->attrs[MGRE_A_PROTO]),
				    plen, nla_get_be32(info->attrs[MGRE_A_NBMA]),
				    info->extack);
	mgre_genl_dev_put(md);
	return ret;
}

static int mgre_genl_map_del(struct sk_buff *skb, struct genl_info *info)
{
	struct mgre_device *md;
	u8 plen = 32;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, MGRE_A_PROTO))
		return -EINVAL;
	if (info->attrs[MGRE_A_PREFIXLEN])
		plen = nla_get_u8(info->attrs[MGRE_A_PREFIXLEN]);
	md = mgre_genl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(md))
		return PTR_ERR(md);
	ret = mgre_cache_del_static(&md->cache,
				    mgre_genl_proto(info->attrs[MGRE_A_PROTO]),
				    plen, info->extack);
	mgre_genl_dev_put(md);
	return ret;
}

static int mgre_genl_mcast_change(struct genl_info *info, bool add)
{
	struct nlattr *nbma = info->attrs[MGRE_A_NBMA];
	bool dyn = nla_get_flag(info->attrs[MGRE_A_MCAST_DYNAMIC]);
	struct mgre_device *md;
	int ret;

	if (!!nbma == dyn) {
		NL_SET_ERR_MSG(info->extack,
			       "give exactly one of NBMA address or dynamic");
		return -EINVAL;
	}
	md = mgre_genl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(md))
		return PTR_ERR(md);
	if (dyn) {
		ret = mgre_mcast_set_dynamic(&md->mcast, add, info->extack);
		if (!ret && add && !READ_ONCE(md->nhrp.enabled))
			NL_SET_ERR_MSG(info->extack,
				       "NHRP is off on this device (no network-id): no registration adds to the map until it is set");
	} else if (add) {
		ret = mgre_mcast_add(&md->mcast, nla_get_be32(nbma),
				     info->extack);
	} else {
		ret = mgre_mcast_del(&md->mcast, nla_get_be32(nbma),
				     info->extack);
	}
	mgre_genl_dev_put(md);
	return ret;
}

static int mgre_genl_mcast_add(struct sk_buff *skb, struct genl_info *info)
{
	return mgre_genl_mcast_change(info, true);
}

static int mgre_genl_mcast_del(struct sk_buff *skb, struct genl_info *info)
{
	return mgre_genl_mcast_change(info, false);
}

/*
 * The NHS a request names: PROTO, or NHS_DYNAMIC and NBMA (then no
 * PROTO).  NBMA too when @with_nbma (an add).
 */
static int mgre_genl_nhs_id(struct genl_info *info, struct mgre_nhs_id *id,
			    bool with_nbma)
{
	struct nlattr **attrs = info->attrs;

	memset(id, 0, sizeof(*id));
	id->dynamic = nla_get_flag(attrs[MGRE_A_NHS_DYNAMIC]);
	if (id->dynamic) {
		if (GENL_REQ_ATTR_CHECK(info, MGRE_A_NBMA))
			return -EINVAL;
		if (attrs[MGRE_A_PROTO]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[MGRE_A_PROTO],
					    "a dynamic NHS has no protocol address: its Registration Reply tells it");
			return -EINVAL;
		}
	} else {
		if (GENL_REQ_ATTR_CHECK(info, MGRE_A_PROTO))
			return -EINVAL;
		id->proto = mgre_genl_proto(attrs[MGRE_A_PROTO]);
	}
	if ((with_nbma || id->dynamic) && attrs[MGRE_A_NBMA])
		id->nbma = nla_get_be32(attrs[MGRE_A_NBMA]);
	if (id->dynamic && !id->nbma) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[MGRE_A_NBMA],
				    "a dynamic NHS needs its NBMA address");
		return -EINVAL;
	}
	return 0;
}

static int mgre_genl_nhs_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct mgre_device *md;
	struct mgre_nhs_id id;
	u8 prio = 0;
	int ret;

	ret = mgre_genl_nhs_id(info, &id, true);
	if (ret)
		return ret;
	if (attrs[MGRE_A_PRIORITY])
		prio = nla_get_u8(attrs[MGRE_A_PRIORITY]);
	md = mgre_genl_dev(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(md))
		return PTR_ERR(md);
	ret = mgre_nhs_add(&md->nhs, &id, prio, info->extack);
	if (!ret)
		mgre_nhrp_kick(md);
	/* Added, but nothing will happen: say so (a warning, as ip does). */
	if (!ret && !READ_ONCE(md->nhrp.enabled))
		NL_SET_ERR_MSG(info->extack,
			       "NHRP is off on this device (no network-id): no registration is sent until it is set");
	mgre_genl_dev_put(md);
	return ret;
}

static int mgre_genl_nhs_del(struct sk_buff *skb, struct genl_info *info)
{
	struct mgre_device *md;
	struct mgre_nhs_id id;
	int ret;

	ret = mgre_genl_nhs_id(info, &id, false);
	if (ret)
		return ret;
	md = mgre_genl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(md))
		return PTR_ERR(md);
	/* Withdraw our registration there first. */
	mgre_nhrp_purge_nhs(md, &id);
	ret = mgre_nhs_del(&md->nhs, &id, info->extack);
	mgre_genl_dev_put(md);
	return ret;
}

static int mgre_genl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct mgre_device *md;
	int type = -1;

	if (info->attrs[MGRE_A_TYPE]) {
		type = nla_get_u8(info->attrs[MGRE_A_TYPE]);
		if (!mgre_entry_learned(type)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[MGRE_A_TYPE],
					    "only learned entries can be flushed");
			return -EINVAL;
		}
	}
	md = mgre_genl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(md))
		return PTR_ERR(md);
	mgre_cache_flush(&md->cache, type);
	mgre_genl_dev_put(md);
	return 0;
}

/* Counters only a netns has (GRE that matched no device). */
static bool mgre_stat_netns(int i)
{
	return i >= MGRE_STAT_RX_NO_TUNNEL && i <= MGRE_STAT_RX_CSUM_ERR;
}

/*
 * Put a device's counters (@dev) or the netns-wide ones as a nest:
 * attribute type = stat index + 1, type 0 pads.
 */
static int mgre_put_stats(struct sk_buff *skb, const u64 *v, bool dev)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, MGRE_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __MGRE_STAT_MAX; i++) {
		if (mgre_stat_netns(i) == dev)
			continue;
		if (nla_put_u64_64bit(skb, i + 1, v[i], 0))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A one-message reply to @info's request, its header at *@hdr; or NULL. */
static struct sk_buff *mgre_genl_reply_new(struct genl_info *info, u8 cmd,
					   void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &mgre_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int mgre_genl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mgre_device *md = NULL;
	u64 v[__MGRE_STAT_MAX];
	struct sk_buff *msg;
	void *hdr;
	int i, ret;

	if (info->attrs[MGRE_A_IFINDEX] || info->attrs[MGRE_A_IFNAME]) {
		md = mgre_genl_dev(genl_info_net(info), info->attrs,
				   info->extack);
		if (IS_ERR(md))
			return PTR_ERR(md);
		mgre_stats_read(md, v);
	} else {
		struct mgre_net *mn = mgre_pernet(genl_info_net(info));

		for (i = 0; i < __MGRE_STAT_MAX; i++)
			v[i] = atomic_long_read(&mn->stats[i]);
	}

	ret = -ENOMEM;
	msg = mgre_genl_reply_new(info, MGRE_CMD_STATS_GET, &hdr);
	if (!msg)
		goto out;
	ret = -EMSGSIZE;
	if (md && nla_put_u32(msg, MGRE_A_IFINDEX, mgre_to_dev(md)->ifindex))
		goto err_free;
	/* A device's counters, or the netns-wide receive ones. */
	if (mgre_put_stats(msg, v, !!md))
		goto err_free;
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	goto out;

err_free:
	nlmsg_free(msg);
out:
	if (md)
		mgre_genl_dev_put(md);
	return ret;
}

/* The NHRP password (CAP_NET_ADMIN: the ops' flags). */
static int mgre_genl_auth_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mgre_nhrp_cfg cfg;
	struct mgre_device *md;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	md = mgre_genl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(md))
		return PTR_ERR(md);
	mgre_nhrp_get_cfg(md, &cfg);
	ret = -ENOMEM;
	msg = mgre_genl_reply_new(info, MGRE_CMD_AUTH_GET, &hdr);
	if (!msg)
		goto out;
	ret = -EMSGSIZE;
	if (nla_put_u32(msg, MGRE_A_IFINDEX, mgre_to_dev(md)->ifindex) ||
	    (cfg.auth_len && nla_put(msg, MGRE_A_AUTH, cfg.auth_len, cfg.auth)))
		goto err_free;
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	goto out;

err_free:
	nlmsg_free(msg);
out:
	memzero_explicit(&cfg, sizeof(cfg));
	mgre_genl_dev_put(md);
	return ret;
}

/*
 * Dumps.  One message per object.  The device is held from start to done;
 * the cache is walked with an rhashtable iterator (a resize during a dump
 * restarts the walk, so an entry may then be reported twice), the small
 * lists by position.
 */
struct mgre_dump {
	struct mgre_device *md;
	struct rhashtable_iter iter;
	bool walking;
	unsigned long pos;
};

static int mgre_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct mgre_dump *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->md = mgre_genl_dev(sock_net(cb->skb->sk), info->attrs, cb->extack);
	if (IS_ERR(d->md)) {
		int ret = PTR_ERR(d->md);

		kfree(d);
		return ret;
	}
	cb->args[0] = (long)d;
	return 0;
}

static int mgre_dump_done(struct netlink_callback *cb)
{
	struct mgre_dump *d = (struct mgre_dump *)cb->args[0];

	if (!d)
		return 0;
	if (d->walking)
		rhashtable_walk_exit(&d->iter);
	mgre_genl_dev_put(d->md);
	kfree(d);
	return 0;
}

static void *mgre_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct mgre_device *md, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mgre_genl_family, NLM_F_MULTI, cmd);
	if (hdr && nla_put_u32(skb, MGRE_A_IFINDEX, mgre_to_dev(md)->ifindex)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

static u32 mgre_secs_since(unsigned long then)
{
	return jiffies_to_msecs(jiffies - then) / MSEC_PER_SEC;
}

static int mgre_fill_entry(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct mgre_device *md,
			   const struct mgre_entry *e)
{
	unsigned long expires = READ_ONCE(e->expires);
	unsigned long used = READ_ONCE(e->used);
	void *hdr;

	hdr = mgre_dump_hdr(skb, cb, md, MGRE_CMD_MAP_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put(skb, MGRE_A_PROTO, sizeof(e->key.proto), &e->key.proto) ||
	    nla_put_u8(skb, MGRE_A_PREFIXLEN, mgre_entry_plen(e)) ||
	    nla_put_in_addr(skb, MGRE_A_NBMA, READ_ONCE(e->nbma)) ||
	    nla_put_u8(skb, MGRE_A_TYPE, e->type) ||
	    nla_put_u32(skb, MGRE_A_FLAGS, READ_ONCE(e->flags)) ||
	    nla_put_u64_64bit(skb, MGRE_A_AGE, mgre_secs_since(e->created),
			      MGRE_A_PAD))
		goto cancel;
	if (READ_ONCE(e->via) &&
	    nla_put_in_addr(skb, MGRE_A_NEXT_HOP, READ_ONCE(e->via)))
		goto cancel;
	if (expires &&
	    nla_put_u32(skb, MGRE_A_EXPIRES,
			time_after(expires, jiffies) ?
			jiffies_to_msecs(expires - jiffies) / MSEC_PER_SEC : 0))
		goto cancel;
	if (used && nla_put_u32(skb, MGRE_A_USED, mgre_secs_since(used)))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int mgre_dump_map(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mgre_dump *d = (struct mgre_dump *)cb->args[0];
	struct mgre_entry *e;
	int ret = 0;

	if (!d->walking) {
		rhashtable_walk_enter(&d->md->cache.ht, &d->iter);
		d->walking = true;
	}
	rhashtable_walk_start(&d->iter);
	for (e = rhashtable_walk_peek(&d->iter); e;
	     e = rhashtable_walk_next(&d->iter)) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;
			ret = PTR_ERR(e);
			break;
		}
		/* Full: the next call resumes at this entry. */
		if (mgre_fill_entry(skb, cb, d->md, e))
			break;
	}
	rhashtable_walk_stop(&d->iter);
	return skb->len ? skb->len : ret;
}

static int mgre_fill_mcast(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct mgre_device *md, __be32 nbma, u8 type)
{
	void *hdr = mgre_dump_hdr(skb, cb, md, MGRE_CMD_MCAST_GET);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u8(skb, MGRE_A_TYPE, type) ||
	    (nbma && nla_put_in_addr(skb, MGRE_A_NBMA, nbma)) ||
	    (!nbma && nla_put_flag(skb, MGRE_A_MCAST_DYNAMIC))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int mgre_dump_mcast(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mgre_dump *d = (struct mgre_dump *)cb->args[0];
	struct mgre_mcast_map *map = &d->md->mcast;
	bool dyn = READ_ONCE(map->dynamic);
	unsigned long i = 0;
	struct mgre_mcast *m;

	/* Position 0 is the "dynamic" setting, then one per address. */
	if (d->pos == 0) {
		/* The setting itself is configuration: static. */
		if (dyn && mgre_fill_mcast(skb, cb, d->md, 0, MGRE_ENTRY_STATIC))
			return skb->len;
		d->pos++;
	}
	rcu_read_lock();
	list_for_each_entry_rcu(m, &map->list, node) {
		u8 type = READ_ONCE(m->is_static) ? MGRE_ENTRY_STATIC :
						    MGRE_ENTRY_DYNAMIC;

		if (++i < d->pos)
			continue;
		if (mgre_mcast_active(map, m) &&
		    mgre_fill_mcast(skb, cb, d->md, m->nbma, type))
			break;
		d->pos++;
	}
	rcu_read_unlock();
	return skb->len;
}

static int mgre_fill_nhs(struct sk_buff *skb, struct netlink_callback *cb,
			 const struct mgre_device *md, const struct mgre_nhs *n)
{
	void *hdr = mgre_dump_hdr(skb, cb, md, MGRE_CMD_NHS_GET);
	unsigned long last = READ_ONCE(n->last_reply);
	__be32 proto = READ_ONCE(n->proto);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put(skb, MGRE_A_PROTO, sizeof(proto), &proto) ||
	    (n->dynamic && nla_put_flag(skb, MGRE_A_NHS_DYNAMIC)) ||
	    nla_put_in_addr(skb, MGRE_A_NBMA, n->nbma) ||
	    nla_put_u8(skb, MGRE_A_PRIORITY, n->priority) ||
	    nla_put_u8(skb, MGRE_A_NHS_STATE, READ_ONCE(n->state)) ||
	    nla_put_u32(skb, MGRE_A_NHS_REQ_SENT, READ_ONCE(n->req_sent)) ||
	    nla_put_u32(skb, MGRE_A_NHS_REQ_FAILED,
			READ_ONCE(n->req_failed)) ||
	    nla_put_u32(skb, MGRE_A_NHS_REPL_RECV, READ_ONCE(n->repl_recv)) ||
	    (last && nla_put_u32(skb, MGRE_A_NHS_LAST_REPLY,
				 (jiffies - last) / HZ))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int mgre_dump_nhs(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mgre_dump *d = (struct mgre_dump *)cb->args[0];
	unsigned long i = 0;
	struct mgre_nhs *n;

	rcu_read_lock();
	list_for_each_entry_rcu(n, &d->md->nhs.list, node) {
		if (i++ < d->pos)
			continue;
		if (mgre_fill_nhs(skb, cb, d->md, n))
			break;
		d->pos++;
	}
	rcu_read_unlock();
	return skb->len;
}

#define MGRE_DO(_cmd, _fn)						\
	{ .cmd = _cmd, .doit = _fn, .flags = GENL_UNS_ADMIN_PERM }
#define MGRE_DUMP(_cmd, _fn)						\
	{ .cmd = _cmd, .start = mgre_dump_start, .dumpit = _fn,		\
	  .done = mgre_dump_done, .flags = GENL_UNS_ADMIN_PERM }

static const struct genl_ops mgre_genl_ops[] = {
	MGRE_DO(MGRE_CMD_MAP_ADD, mgre_genl_map_add),
	MGRE_DO(MGRE_CMD_MAP_DEL, mgre_genl_map_del),
	MGRE_DUMP(MGRE_CMD_MAP_GET, mgre_dump_map),
	MGRE_DO(MGRE_CMD_MCAST_ADD, mgre_genl_mcast_add),
	MGRE_DO(MGRE_CMD_MCAST_DEL, mgre_genl_mcast_del),
	MGRE_DUMP(MGRE_CMD_MCAST_GET, mgre_dump_mcast),
	MGRE_DO(MGRE_CMD_NHS_ADD, mgre_genl_nhs_add),
	MGRE_DO(MGRE_CMD_NHS_DEL, mgre_genl_nhs_del),
	MGRE_DUMP(MGRE_CMD_NHS_GET, mgre_dump_nhs),
	{ .cmd = MGRE_CMD_STATS_GET, .doit = mgre_genl_stats_get },
	MGRE_DO(MGRE_CMD_FLUSH, mgre_genl_flush),
	MGRE_DO(MGRE_CMD_AUTH_GET, mgre_genl_auth_get),
};

/* Listening takes CAP_NET_ADMIN in the netns, as the dumps do. */
static const struct genl_multicast_group mgre_genl_mcgrps[] = {
	[MGRE_MCGRP_EVENTS] = { .name = MGRE_GENL_MCGRP_EVENTS,
				.flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family mgre_genl_family __ro_after_init = {
	.name		= MGRE_GENL_NAME,
	.version	= MGRE_GENL_VERSION,
	.maxattr	= MGRE_A_MAX,
	.policy		= mgre_genl_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.ops		= mgre_genl_ops,
	.n_ops		= ARRAY_SIZE(mgre_genl_ops),
	.mcgrps		= mgre_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mgre_genl_mcgrps),
	.resv_start_op	= MGRE_CMD_FLUSH + 1,
	.module		= THIS_MODULE,
};

int __init mgre_genetlink_init(void)
{
	return genl_register_family(&mgre_genl_family);
}

void mgre_genetlink_uninit(void)
{
	genl_unregister_family(&mgre_genl_family);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The mgre netdevice: rtnetlink link kind "mgre", its lifetime, and the
 * per-netns state.  Built on the ip_tunnel core like ip_gre: struct
 * ip_tunnel is the first member of struct mgre_device and struct
 * ip_tunnel_net the first member of struct mgre_net.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/gre.h>
#include <net/gro_cells.h>
#include <net/ip.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "xmit.h"

unsigned int mgre_net_id __read_mostly;

#define MGRE_DEFAULT_TTL	255	/* as Cisco IOS sends GRE */

#define MGRE_FEATURES (NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HIGHDMA | \
		       NETIF_F_HW_CSUM)

void mgre_stats_read(const struct mgre_device *md, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(*out) * __MGRE_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct mgre_pcpu_stats *s = per_cpu_ptr(md->stats, cpu);
		u64 v[__MGRE_STAT_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __MGRE_STAT_MAX; i++)
				v[i] = u64_stats_read(&s->cnt[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __MGRE_STAT_MAX; i++)
			out[i] += v[i];
	}
}

/*
 * Header length and headroom follow the GRE flags (key or not).  Adjust
 * by the difference: ip_tunnel_bind_dev() added the underlay's share.
 */
static void mgre_update_hlen(struct net_device *dev)
{
	struct ip_tunnel *t = netdev_priv(dev);
	int old = t->tun_hlen;

	t->tun_hlen = gre_calc_hlen(t->parms.o_flags);
	t->hlen = t->tun_hlen + t->encap_hlen;
	if (old)
		dev->needed_headroom += t->tun_hlen - old;
	else
		dev->needed_headroom = t->hlen + sizeof(struct iphdr);
}

static void mgre_dev_free(struct net_device *dev)
{
	struct mgre_device *md = netdev_priv(dev);

	/*
	 * Runs after the last reference is gone and an RCU grace period has
	 * passed since the device stopped being reachable, so nothing else
	 * can see the tables any more, nor queue the work again.
	 */
	cancel_delayed_work_sync(&md->nhrp.work);
	cancel_delayed_work_sync(&md->ka.work);
	mgre_nhs_destroy(&md->nhs);
	mgre_cache_destroy(&md->cache);
	mgre_mcast_destroy(&md->mcast);
	mgre_route_destroy(&md->route);
	mgre_rl_destroy(&md->nhrp_rl);
	mgre_peers_destroy(&md->peers);
	free_percpu(md->stats);

	/* What ip_tunnel_dev_free() does; ip_tunnel_init() installed it. */
	gro_cells_destroy(&md->t.gro_cells);
	dst_cache_destroy(&md->t.dst_cache);
	free_percpu(dev->tstats);
}

static int mgre_dev_init(struct net_device *dev)
{
	struct mgre_device *md = netdev_priv(dev);
	struct iphdr *iph = &md->t.parms.iph;
	int ret;

	md->stats = netdev_alloc_pcpu_stats(struct mgre_pcpu_stats);
	if (!md->stats)
		return -ENOMEM;
	ret = mgre_mcast_init(&md->mcast);
	if (ret)
		goto err_mcast;
	mgre_route_init(&md->route, dev);
	ret = mgre_cache_init(&md->cache, &md->mcast, &md->route);
	if (ret)
		goto err_cache;
	ret = mgre_peers_init(&md->peers);
	if (ret)
		goto err_peers;
	mgre_nhs_init(&md->nhs);
	mgre_nhrp_init(md);
	mgre_ka_init(md);
	mgre_rl_init(&md->nhrp_rl, MGRE_NHRP_RATE_LIMIT_DEFAULT);
	spin_lock_init(&md->nhrp_send.lock);
	mgre_budget_set(&md->nhrp_send, MGRE_NHRP_MAX_SEND_DEFAULT,
			MGRE_NHRP_MAX_SEND_EVERY_DEFAULT);

	iph->protocol = IPPROTO_GRE;
	mgre_update_hlen(dev);

	dev->features |= MGRE_FEATURES | NETIF_F_LLTX | NETIF_F_GSO_SOFTWARE;
	dev->hw_features |= MGRE_FEATURES | NETIF_F_GSO_SOFTWARE;

	__dev_addr_set(dev, &iph->saddr, 4);
	memcpy(dev->broadcast, &iph->daddr, 4);
	dev->addr_len = 4;
	dev->flags = IFF_NOARP | IFF_MULTICAST;
	if (iph->daddr)
		dev->flags |= IFF_POINTOPOINT;
	/* Transmit needs the route to find the protocol next hop. */
	netif_keep_dst(dev);

	ret = ip_tunnel_init(dev);
	if (ret)
		goto err_tunnel;
	dev->priv_destructor = mgre_dev_free;
	return 0;

err_tunnel:
	mgre_peers_destroy(&md->peers);
err_peers:
	mgre_cache_destroy(&md->cache);
err_cache:
	mgre_mcast_destroy(&md->mcast);
err_mcast:
	free_percpu(md->stats);
	return ret;
}

static int mgre_dev_open(struct net_device *dev)
{
	struct mgre_device *md = netdev_priv(dev);

	/* The kernel removed our routes when the device went down. */
	if (READ_ONCE(md->route.enabled))
		mgre_cache_route_resync(&md->cache);
	/* (before NHRP computes the carrier from the keepalive state) */
	mgre_ka_open(md);
	mgre_nhrp_open(md);
	return 0;
}

static int mgre_dev_stop(struct net_device *dev)
{
	mgre_ka_stop(netdev_priv(dev));
	mgre_nhrp_stop(netdev_priv(dev));
	return 0;
}

static void mgre_dev_uninit(struct net_device *dev)
{
	struct mgre_device *md = netdev_priv(dev);

	ASSERT_RTNL();
	/* Closed already; the work is not queued and cannot requeue. */
	cancel_delayed_work_sync(&md->nhrp.work);
	/* Empty when register_netdevice() failed before newlink linked it. */
	if (!list_empty(&md->net_node))
		list_del_rcu(&md->net_node);
	ip_tunnel_uninit(dev);
}

static const struct net_device_ops mgre_netdev_ops = {
	.ndo_init		= mgre_dev_init,
	.ndo_uninit		= mgre_dev_uninit,
	.ndo_open		= mgre_dev_open,
	.ndo_stop		= mgre_dev_stop,
	.ndo_start_xmit		= mgre_xmit,
	.ndo_change_mtu		= ip_tunnel_change_mtu,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_get_iflink		= ip_tunnel_get_iflink,
};

static void mgre_setup(struct net_device *dev)
{
	struct mgre_device *md = netdev_priv(dev);

	dev->netdev_ops = &mgre_netdev_ops;
	dev->type = ARPHRD_IPGRE;
	ip_tunnel_setup(dev, mgre_net_id);
	INIT_LIST_HEAD(&md->net_node);
}

/* (u32 ranges beyond what a policy's s16 min/max can say) */
static struct netlink_range_validation mgre_mcast_dynamic_range = {
	.min = 1,
	.max = MGRE_MCAST_MAX,
};

static struct netlink_range_validation mgre_max_send_range = {
	.max = 65535,
};

static struct netlink_range_validation mgre_max_send_every_range = {
	.min = 1,
	.max = 65535,
};

static struct netlink_range_validation mgre_redirect_timeout_range = {
	.min = 1,
	.max = MGRE_REDIRECT_TIMEOUT_MAX,
};

static const struct nla_policy mgre_policy[IFLA_MGRE_MAX + 1] = {
	[IFLA_MGRE_LINK]	= { .type = NLA_U32 },
	[IFLA_MGRE_LOCAL]	= { .type = NLA_BE32 },
	[IFLA_MGRE_REMOTE]	= { .type = NLA_BE32 },
	[IFLA_MGRE_KEY]		= { .type = NLA_U32 },
	[IFLA_MGRE_TTL]		= { .type = NLA_U8 },
	[IFLA_MGRE_TOS]		= { .type = NLA_U8 },
	[IFLA_MGRE_PMTUDISC]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_MGRE_NETWORK_ID]	= { .type = NLA_U32 },
	[IFLA_MGRE_HOLDTIME]	= NLA_POLICY_MIN(NLA_U16, 1),
	[IFLA_MGRE_AUTH]	= { .type = NLA_BINARY, .len = MGRE_AUTH_MAX },
	[IFLA_MGRE_REG_NO_UNIQUE] = NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_MGRE_CACHE_MAX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[IFLA_MGRE_AUTH_SET]	= { .type = NLA_REJECT },
	[IFLA_MGRE_REG_TIMEOUT]	= { .type = NLA_U16 },
	[IFLA_MGRE_IF_STATE_NHRP] = NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_MGRE_ROUTE_INJECT] = NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_MGRE_PROTECTION]	= NLA_POLICY_MAX(NLA_U8, MGRE_PROTECTION_MAX),
	[IFLA_MGRE_KEEPALIVE]	= { .type = NLA_U16 },
	[IFLA_MGRE_KEEPALIVE_RETRIES] = NLA_POLICY_MIN(NLA_U8, 1),
	[IFLA_MGRE_SUBNET_CHECK] = NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_MGRE_PER_NBMA_MAX] = NLA_POLICY_MIN(NLA_U32, 1),
	[IFLA_MGRE_MCAST_DYNAMIC_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &mgre_mcast_dynamic_range),
	[IFLA_MGRE_NHRP_RATE_LIMIT] = { .type = NLA_U32 },
	[IFLA_MGRE_NHRP_MAX_SEND] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &mgre_max_send_range),
	[IFLA_MGRE_NHRP_MAX_SEND_EVERY] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &mgre_max_send_every_range),
	[IFLA_MGRE_REDIRECT]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_MGRE_SHORTCUT]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_MGRE_REDIRECT_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U16, &mgre_redirect_timeout_range),
};

static int mgre_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	__be32 addr;

	if (!data)
		return 0;
	if (data[IFLA_MGRE_REMOTE]) {
		addr = nla_get_be32(data[IFLA_MGRE_REMOTE]);
		if (ipv4_is_multicast(addr) || ipv4_is_lbcast(addr)) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_MGRE_REMOTE],
					    "remote must be a unicast address");
			return -EINVAL;
		}
	}
	if (data[IFLA_MGRE_LOCAL]) {
		addr = nla_get_be32(data[IFLA_MGRE_LOCAL]);
		if (ipv4_is_multicast(addr) || ipv4_is_lbcast(addr)) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_MGRE_LOCAL],
					    "local must be a unicast address");
			return -EINVAL;
		}
	}
	return 0;
}

static void mgre_parms_default(struct ip_tunnel_parm *p)
{
	memset(p, 0, sizeof(*p));
	p->iph.version = 4;
	p->iph.ihl = 5;
	p->iph.protocol = IPPROTO_GRE;
	p->iph.ttl = MGRE_DEFAULT_TTL;
	p->iph.frag_off = htons(IP_DF);
}

/* Apply the attributes present in @data on top of @p. */
static void mgre_parms_apply(struct ip_tunnel_parm *p, struct nlattr *data[])
{
	if (!data)
		return;
	if (data[IFLA_MGRE_LINK])
		p->link = nla_get_u32(data[IFLA_MGRE_LINK]);
	if (data[IFLA_MGRE_LOCAL])
		p->iph.saddr = nla_get_be32(data[IFLA_MGRE_LOCAL]);
	if (data[IFLA_MGRE_REMOTE])
		p->iph.daddr = nla_get_be32(data[IFLA_MGRE_REMOTE]);
	if (data[IFLA_MGRE_KEY]) {
		p->i_key = cpu_to_be32(nla_get_u32(data[IFLA_MGRE_KEY]));
		p->o_key = p->i_key;
		p->i_flags |= TUNNEL_KEY;
		p->o_flags |= TUNNEL_KEY;
	}
	if (data[IFLA_MGRE_TTL])
		p->iph.ttl = nla_get_u8(data[IFLA_MGRE_TTL]);
	if (data[IFLA_MGRE_TOS])
		p->iph.tos = nla_get_u8(data[IFLA_MGRE_TOS]);
	if (data[IFLA_MGRE_PMTUDISC])
		p->iph.frag_off = nla_get_u8(data[IFLA_MGRE_PMTUDISC]) ?
				  htons(IP_DF) : 0;
}

/*
 * Apply the NHRP attributes present in @data on top of the current ones.
 * The same settings again ("nhrpctl setconf", a re-applied configuration)
 * leave the registrations alone; a change registers anew.
 */
static void mgre_nhrp_apply(struct mgre_device *md, struct nlattr *data[])
{
	struct mgre_nhrp_cfg cfg, old;

	if (!data)
		return;
	if (data[IFLA_MGRE_ROUTE_INJECT] &&
	    nla_get_u8(data[IFLA_MGRE_ROUTE_INJECT]) !=
	    READ_ONCE(md->route.enabled)) {
		WRITE_ONCE(md->route.enabled,
			   nla_get_u8(data[IFLA_MGRE_ROUTE_INJECT]));
		mgre_cache_route_sync(&md->cache);
	}
	if (data[IFLA_MGRE_CACHE_MAX])
		WRITE_ONCE(md->cache.max,
			   nla_get_u32(data[IFLA_MGRE_CACHE_MAX]));
	/* (what NHRP may bind; the bindings made already are kept) */
	if (data[IFLA_MGRE_SUBNET_CHECK])
		WRITE_ONCE(md->nhrp.any_subnet,
			   !nla_get_u8(data[IFLA_MGRE_SUBNET_CHECK]));
	if (data[IFLA_MGRE_REDIRECT])
		WRITE_ONCE(md->nhrp.redirect,
			   nla_get_u8(data[IFLA_MGRE_REDIRECT]));
	if (data[IFLA_MGRE_REDIRECT_TIMEOUT])
		WRITE_ONCE(md->nhrp.redirect_timeout,
			   nla_get_u16(data[IFLA_MGRE_REDIRECT_TIMEOUT]));
	/* (off: the shortcuts made go, with their routes) */
	if (data[IFLA_MGRE_SHORTCUT]) {
		u8 on = nla_get_u8(data[IFLA_MGRE_SHORTCUT]);

		WRITE_ONCE(md->nhrp.shortcut, on);
		if (!on)
			mgre_cache_flush_shortcuts(&md->cache);
	}
	if (data[IFLA_MGRE_PER_NBMA_MAX])
		WRITE_ONCE(md->mcast.per_nbma_max,
			   nla_get_u32(data[IFLA_MGRE_PER_NBMA_MAX]));
	if (data[IFLA_MGRE_MCAST_DYNAMIC_MAX])
		WRITE_ONCE(md->mcast.dynamic_max,
			   nla_get_u32(data[IFLA_MGRE_MCAST_DYNAMIC_MAX]));
	if (data[IFLA_MGRE_NHRP_RATE_LIMIT])
		WRITE_ONCE(md->nhrp_rl.rate,
			   nla_get_u32(data[IFLA_MGRE_NHRP_RATE_LIMIT]));
	if (data[IFLA_MGRE_NHRP_MAX_SEND] ||
	    data[IFLA_MGRE_NHRP_MAX_SEND_EVERY]) {
		u32 count, every, old_count, old_every;

		mgre_budget_get(&md->nhrp_send, &old_count, &old_every);
		count = old_count;
		every = old_every;
		if (data[IFLA_MGRE_NHRP_MAX_SEND])
			count = nla_get_u32(data[IFLA_MGRE_NHRP_MAX_SEND]);
		if (data[IFLA_MGRE_NHRP_MAX_SEND_EVERY])
			every = nla_get_u32(data[IFLA_MGRE_NHRP_MAX_SEND_EVERY]);
		/* (the same again: the budget is not refilled) */
		if (count != old_count || every != old_every)
			mgre_budget_set(&md->nhrp_send, count, every);
	}
	if (!data[IFLA_MGRE_NETWORK_ID] && !data[IFLA_MGRE_HOLDTIME] &&
	    !data[IFLA_MGRE_AUTH] && !data[IFLA_MGRE_REG_NO_UNIQUE] &&
	    !data[IFLA_MGRE_REG_TIMEOUT] && !data[IFLA_MGRE_IF_STATE_NHRP])
		return;
	mgre_nhrp_get_cfg(md, &old);
	cfg = old;
	if (data[IFLA_MGRE_NETWORK_ID])
		cfg.network_id = nla_get_u32(data[IFLA_MGRE_NETWORK_ID]);
	if (data[IFLA_MGRE_HOLDTIME])
		cfg.holdtime = nla_get_u16(data[IFLA_MGRE_HOLDTIME]);
	if (data[IFLA_MGRE_AUTH]) {
		memset(cfg.auth, 0, sizeof(cfg.auth));
		cfg.auth_len = nla_len(data[IFLA_MGRE_AUTH]);
		memcpy(cfg.auth, nla_data(data[IFLA_MGRE_AUTH]), cfg.auth_len);
	}
	if (data[IFLA_MGRE_REG_NO_UNIQUE])
		cfg.no_unique = nla_get_u8(data[IFLA_MGRE_REG_NO_UNIQUE]);
	if (data[IFLA_MGRE_REG_TIMEOUT])
		cfg.reg_timeout = nla_get_u16(data[IFLA_MGRE_REG_TIMEOUT]);
	if (data[IFLA_MGRE_IF_STATE_NHRP])
		cfg.if_state = nla_get_u8(data[IFLA_MGRE_IF_STATE_NHRP]);
	if (!mgre_nhrp_cfg_equal(&old, &cfg))
		mgre_nhrp_set_cfg(md, &cfg);
}

static void mgre_protection_apply(struct mgre_device *md,
				  struct nlattr *data[])
{
	if (data && data[IFLA_MGRE_PROTECTION])
		WRITE_ONCE(md->protection,
			   nla_get_u8(data[IFLA_MGRE_PROTECTION]));
}

static void mgre_keepalive_apply(struct mgre_device *md,
				 struct nlattr *data[])
{
	u16 interval = md->ka.interval;
	u8 retries = md->ka.retries;

	if (!data || (!data[IFLA_MGRE_KEEPALIVE] &&
		      !data[IFLA_MGRE_KEEPALIVE_RETRIES]))
		return;
	if (data[IFLA_MGRE_KEEPALIVE])
		interval = nla_get_u16(data[IFLA_MGRE_KEEPALIVE]);
	if (data[IFLA_MGRE_KEEPALIVE_RETRIES])
		retries = nla_get_u8(data[IFLA_MGRE_KEEPALIVE_RETRIES]);
	/* (the same again, as "nhrpctl setconf" gives: nothing restarts) */
	if (interval == md->ka.interval && retries == md->ka.retries)
		return;
	mgre_ka_set(md, interval, retries);
}

static int mgre_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct mgre_device *md = netdev_priv(dev);
	struct ip_tunnel_parm p;
	int ret;

	mgre_parms_default(&p);
	mgre_parms_apply(&p, data);
	/* Before the device can be found by the receive path. */
	mgre_protection_apply(md, data);
	ret = ip_tunnel_newlink(dev, tb, &p, 0);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_MOD(extack,
				   "an mgre device with the same local, remote and key exists");
	if (ret)
		return ret;
	list_add_tail_rcu(&md->net_node, &mgre_pernet(md->t.net)->devices);
	mgre_nhrp_apply(md, data);
	mgre_keepalive_apply(md, data);
	return 0;
}

static int mgre_changelink(struct net_device *dev, struct nlattr *tb[],
			   struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct ip_tunnel *t = netdev_priv(dev);
	int old_hlen = t->tun_hlen;
	struct ip_tunnel_parm p;
	int ret;

	p = t->parms;
	mgre_parms_apply(&p, data);
	if (!!p.iph.daddr != !!t->parms.iph.daddr) {
		NL_SET_ERR_MSG_MOD(extack,
				   "cannot switch between multipoint and point-to-point; recreate the device");
		return -EINVAL;
	}
	ret = ip_tunnel_changelink(dev, tb, &p, t->fwmark);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_MOD(extack,
				   "an mgre device with the same local, remote and key exists");
	if (ret)
		return ret;
	/* Routes cached for the old local address, device or key. */
	mgre_peers_reset(&container_of(t, struct mgre_device, t)->peers);

	mgre_nhrp_apply(netdev_priv(dev), data);
	mgre_protection_apply(netdev_priv(dev), data);

	/* ip_tunnel_changelink() leaves the GRE flags alone. */
	t->parms.i_flags = p.i_flags;
	t->parms.o_flags = p.o_flags;
	mgre_update_hlen(dev);
	if (!tb[IFLA_MTU])
		dev->mtu = max_t(int, dev->mtu - (t->tun_hlen - old_hlen),
				 IPV4_MIN_MTU);
	/* Last: it may send a keepalive with the new key right away. */
	mgre_keepalive_apply(netdev_priv(dev), data);
	return 0;
}

static size_t mgre_get_size(const struct net_device *dev)
{
	return nla_total_size(4) +	/* IFLA_MGRE_LINK */
	       nla_total_size(4) +	/* IFLA_MGRE_LOCAL */
	       nla_total_size(4) +	/* IFLA_MGRE_REMOTE */
	       nla_total_size(4) +	/* IFLA_MGRE_KEY */
	       nla_total_size(1) +	/* IFLA_MGRE_TTL */
	       nla_total_size(1) +	/* IFLA_MGRE_TOS */
	       nla_total_size(1) +	/* IFLA_MGRE_PMTUDISC */
	       nla_total_size(4) +	/* IFLA_MGRE_NETWORK_ID */
	       nla_total_size(2) +	/* IFLA_MGRE_HOLDTIME */
	       nla_total_size(1) +	/* IFLA_MGRE_REG_NO_UNIQUE */
	       nla_total_size(4) +	/* IFLA_MGRE_CACHE_MAX */
	       nla_total_size(1) +	/* IFLA_MGRE_AUTH_SET */
	       nla_total_size(2) +	/* IFLA_MGRE_REG_TIMEOUT */
	       nla_total_size(1) +	/* IFLA_MGRE_IF_STATE_NHRP */
	       nla_total_size(1) +	/* IFLA_MGRE_ROUTE_INJECT */
	       nla_total_size(1) +	/* IFLA_MGRE_PROTECTION */
	       nla_total_size(2) +	/* IFLA_MGRE_KEEPALIVE */
	       nla_total_size(1) +	/* IFLA_MGRE_KEEPALIVE_RETRIES */
	       nla_total_size(1) +	/* IFLA_MGRE_SUBNET_CHECK */
	       nla_total_size(4) +	/* IFLA_MGRE_PER_NBMA_MAX */
	       nla_total_size(4) +	/* IFLA_MGRE_MCAST_DYNAMIC_MAX */
	       nla_total_size(4) +	/* IFLA_MGRE_NHRP_RATE_LIMIT */
	       nla_total_size(4) +	/* IFLA_MGRE_NHRP_MAX_SEND */
	       nla_total_size(4) +	/* IFLA_MGRE_NHRP_MAX_SEND_EVERY */
	       nla_total_size(1) +	/* IFLA_MGRE_REDIRECT */
	       nla_total_size(1) +	/* IFLA_MGRE_SHORTCUT */
	       nla_total_size(2) +	/* IFLA_MGRE_REDIRECT_TIMEOUT */
	       0;
}

static int mgre_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct mgre_device *md = netdev_priv(dev);
	const struct ip_tunnel_parm *p = &md->t.parms;
	struct mgre_nhrp_cfg cfg;
	u32 send_count, send_every;

	mgre_nhrp_get_cfg(md, &cfg);
	mgre_budget_get(&md->nhrp_send, &send_count, &send_every);
	if (nla_put_u32(skb, IFLA_MGRE_NETWORK_ID, cfg.network_id) ||
	    nla_put_u16(skb, IFLA_MGRE_HOLDTIME, cfg.holdtime) ||
	    nla_put_u8(skb, IFLA_MGRE_REG_NO_UNIQUE, cfg.no_unique) ||
	    nla_put_u32(skb, IFLA_MGRE_CACHE_MAX, READ_ONCE(md->cache.max)) ||
	    nla_put_u8(skb, IFLA_MGRE_AUTH_SET, !!cfg.auth_len) ||
	    nla_put_u16(skb, IFLA_MGRE_REG_TIMEOUT, cfg.reg_timeout) ||
	    nla_put_u8(skb, IFLA_MGRE_IF_STATE_NHRP, cfg.if_state) ||
	    nla_put_u8(skb, IFLA_MGRE_ROUTE_INJECT,
		       READ_ONCE(md->route.enabled)) ||
	    nla_put_u8(skb, IFLA_MGRE_PROTECTION, READ_ONCE(md->protection)) ||
	    nla_put_u16(skb, IFLA_MGRE_KEEPALIVE, md->ka.interval) ||
	    nla_put_u8(skb, IFLA_MGRE_KEEPALIVE_RETRIES, md->ka.retries) ||
	    nla_put_u8(skb, IFLA_MGRE_SUBNET_CHECK,
		       !READ_ONCE(md->nhrp.any_subnet)) ||
	    nla_put_u32(skb, IFLA_MGRE_PER_NBMA_MAX,
			READ_ONCE(md->mcast.per_nbma_max)) ||
	    nla_put_u32(skb, IFLA_MGRE_MCAST_DYNAMIC_MAX,
			READ_ONCE(md->mcast.dynamic_max)) ||
	    nla_put_u32(skb, IFLA_MGRE_NHRP_RATE_LIMIT,
			READ_ONCE(md->nhrp_rl.rate)) ||
	    nla_put_u32(skb, IFLA_MGRE_NHRP_MAX_SEND, send_count) ||
	    nla_put_u32(skb, IFLA_MGRE_NHRP_MAX_SEND_EVERY, send_every) ||
	    nla_put_u8(skb, IFLA_MGRE_REDIRECT, READ_ONCE(md->nhrp.redirect)) ||
	    nla_put_u8(skb, IFLA_MGRE_SHORTCUT, READ_ONCE(md->nhrp.shortcut)) ||
	    nla_put_u16(skb, IFLA_MGRE_REDIRECT_TIMEOUT,
			READ_ONCE(md->nhrp.redirect_timeout)))
		return -EMSGSIZE;

	if (nla_put_u32(skb, IFLA_MGRE_LINK, READ_ONCE(p->link)) ||
	    nla_put_in_addr(skb, IFLA_MGRE_LOCAL, p->iph.saddr) ||
	    nla_put_u8(skb, IFLA_MGRE_TTL, p->iph.ttl) ||
	    nla_put_u8(skb, IFLA_MGRE_TOS, p->iph.tos) ||
	    nla_put_u8(skb, IFLA_MGRE_PMTUDISC,
		       !!(p->iph.frag_off & htons(IP_DF))))
		return -EMSGSIZE;
	if (p->iph.daddr &&
	    nla_put_in_addr(skb, IFLA_MGRE_REMOTE, p->iph.daddr))
		return -EMSGSIZE;
	if ((p->o_flags & TUNNEL_KEY) &&
	    nla_put_u32(skb, IFLA_MGRE_KEY, be32_to_cpu(p->o_key)))
		return -EMSGSIZE;
	return 0;
}

struct rtnl_link_ops mgre_link_ops __read_mostly = {
	.kind		= MGRE_KIND,
	.maxtype	= IFLA_MGRE_MAX,
	.policy		= mgre_policy,
	.priv_size	= sizeof(struct mgre_device),
	.setup		= mgre_setup,
	.validate	= mgre_validate,
	.newlink	= mgre_newlink,
	.changelink	= mgre_changelink,
	.dellink	= ip_tunnel_dellink,
	.get_size	= mgre_get_size,
	.fill_info	= mgre_fill_info,
	.get_link_net	= ip_tunnel_get_link_net,
};

static int __net_init mgre_init_net(struct net *net)
{
	struct mgre_net *mn = mgre_pernet(net);
	int ret;

	INIT_LIST_HEAD(&mn->devices);
	/* No fallback device: mgre devices only exist when asked for. */
	ret = ip_tunnel_init_net(net, mgre_net_id, NULL, NULL);
	if (ret)
		return ret;
	mgre_fib_watch_init(&mn->fib_watch, net);
	return 0;
}

/* (before the devices go, in mgre_exit_batch_net()) */
static void __net_exit mgre_exit_net(struct net *net)
{
	mgre_fib_watch_exit(&mgre_pernet(net)->fib_watch);
}

static void __net_exit mgre_exit_batch_net(struct list_head *net_list)
{
	ip_tunnel_delete_nets(net_list, mgre_net_id, &mgre_link_ops);
}

static struct pernet_operations mgre_net_ops = {
	.init		= mgre_init_net,
	.exit		= mgre_exit_net,
	.exit_batch	= mgre_exit_batch_net,
	.id		= &mgre_net_id,
	.size		= sizeof(struct mgre_net),
};

int __init mgre_device_init(void)
{
	int ret;

	ret = register_pernet_device(&mgre_net_ops);
	if (ret < 0)
		return ret;
	ret = rtnl_link_register(&mgre_link_ops);
	if (ret < 0)
		goto err_link;
	return 0;

err_link:
	unregister_pernet_device(&mgre_net_ops);
	return ret;
}

void mgre_device_uninit(void)
{
	rtnl_link_unregister(&mgre_link_ops);
	unregister_pernet_device(&mgre_net_ops);
}

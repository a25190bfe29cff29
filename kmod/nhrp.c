// SPDX-License-Identifier: GPL-2.0
/*
 * The NHRP protocol engine: RFC 2332 with the Cisco DMVPN behaviour seen
 * in real captures (hop count 255, Cisco NAT flag and extension, cleartext
 * authentication extension, forwarding of resolution requests to the
 * registered owner so that the answer is authoritative).
 *
 * Client (spoke): registers with every NHS when the device comes up and
 * every holdtime/3, with exponential retry; resolves next hops that miss
 * the cache while the data goes through the NHS; answers resolution
 * requests for its own addresses; purges its registrations going down.
 *
 * Server (hub): registrations create dynamic cache entries (and dynamic
 * multicast map entries with "multicast dynamic"); resolution requests
 * are forwarded to the owner or answered negatively; purges remove.
 *
 * Receive runs in softirq; timers run from one delayed work per device.
 * This file receives and dispatches, and runs the work; each protocol
 * step has its own file (nhrp_reg.c, nhrp_res.c, nhrp_purge.c), and
 * packets are built in nhrp_msg.c with the pure codec of nhrp_codec.c.
 */

#include <crypto/algapi.h>
#include <linux/slab.h>

#include "events.h"
#include "mgre_trace.h"
#include "nhrp_int.h"

void mgre_nhrp_get_cfg(struct mgre_device *md, struct mgre_nhrp_cfg *c)
{
	spin_lock_bh(&md->nhrp.lock);
	*c = md->nhrp.cfg;
	spin_unlock_bh(&md->nhrp.lock);
}

static bool mgre_nhrp_auth_ok(const struct mgre_nhrp_cfg *cfg,
			      struct nhrp_pkt *p)
{
	const struct nhrp_ext *e;

	/* Error indications carry no extensions (RFC 2332 5.2.7). */
	if (!cfg->auth_len || p->type == NHRP_TYPE_ERROR_IND)
		return true;
	e = nhrp_ext_find(p, NHRP_EXT_AUTH);
	return e && e->hdr == NHRP_AUTH_CLEARTEXT &&
	       e->dlen == cfg->auth_len &&
	       !crypto_memneq(e->data, cfg->auth, cfg->auth_len);
}

/* IPv4 over IPv4, the only combination this release speaks. */
static bool mgre_nhrp_ipv4(const struct nhrp_pkt *p)
{
	if (p->afn != NHRP_AFN_IPV4 || p->pro_type != NHRP_PRO_IPV4 ||
	    NHRP_TL_LEN(p->shtl) != sizeof(__be32))
		return false;
	if (p->type == NHRP_TYPE_ERROR_IND || p->type == NHRP_TYPE_TRAFFIC_IND)
		return true;
	return p->src_proto_len == sizeof(__be32) &&
	       p->dst_proto_len == sizeof(__be32);
}

/*
 * An error indication quotes the packet it is about.  IOS pads the quote
 * (and may cut it short), so only its headers are decoded.  When it is a
 * registration of ours still awaiting its reply, the NHS refused it
 * (authentication failure, say): count it and retry with backoff instead
 * of waiting for the request to time out.
 */
static void mgre_nhrp_error_ind(struct mgre_device *md,
				const struct mgre_nhrp_cfg *cfg,
				const struct nhrp_pkt *p, __be32 outer_src)
{
	struct mgre_nhs_list *list = &md->nhs;
	struct nhrp_pkt *q;
	struct mgre_nhs *n;
	bool matched = false;

	net_info_ratelimited("%s: NHRP error indication %u from %pI4\n",
			     mgre_to_dev(md)->name, nhrp_ei_code(p), &outer_src);
	if (!p->payload_len)
		return;
	q = kmalloc(sizeof(*q), GFP_ATOMIC);
	if (!q) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_NOMEM);
		return;
	}
	if (nhrp_decode_flags(p->payload, p->payload_len, q,
			      NHRP_DECODE_HDR_ONLY) ||
	    q->type != NHRP_TYPE_REG_REQ)
		goto out;
	spin_lock_bh(&list->lock);
	list_for_each_entry(n, &list->list, node) {
		/* (Error indications are not authenticated: the NHS's.) */
		if (!n->awaiting || n->reqid != q->reqid ||
		    mgre_nhs_nbma(md, n) != outer_src)
			continue;
		matched = true;
		n->awaiting = false;
		mgre_nhs_refused(md, cfg, n, 0, nhrp_ei_code(p));
		break;
	}
	spin_unlock_bh(&list->lock);
	if (matched)
		mgre_stat_inc(md, MGRE_STAT_NHRP_REG_FAILED);
out:
	kfree(q);
}

static void mgre_nhrp_dispatch(struct mgre_device *md,
			       const struct mgre_nhrp_cfg *cfg,
			       const u8 *raw, struct nhrp_pkt *p,
			       __be32 outer_src)
{
	switch (p->type) {
	case NHRP_TYPE_REG_REQ:
		mgre_nhrp_reg_req(md, cfg, p, outer_src);
		break;
	case NHRP_TYPE_REG_REPLY:
		mgre_nhrp_reg_reply(md, cfg, p, outer_src);
		break;
	case NHRP_TYPE_RES_REQ:
		mgre_nhrp_res_req(md, cfg, raw, p, outer_src);
		break;
	case NHRP_TYPE_RES_REPLY:
		mgre_nhrp_res_reply(md, cfg, p, outer_src);
		break;
	case NHRP_TYPE_PURGE_REQ:
		mgre_nhrp_purge_req(md, p, outer_src);
		break;
	case NHRP_TYPE_PURGE_REPLY:
		break;
	case NHRP_TYPE_ERROR_IND:
		mgre_nhrp_error_ind(md, cfg, p, outer_src);
		break;
	case NHRP_TYPE_TRAFFIC_IND:
		mgre_nhrp_traffic_ind(md, p, outer_src);
		break;
	default:
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNSUPPORTED);
		break;
	}
}

/*
 * Within the per-source rate limit?  Our NHSes are not limited: a hub
 * relays every spoke's requests and replies, and is trusted by
 * configuration.
 */
static bool mgre_nhrp_rate_ok(struct mgre_device *md, __be32 src)
{
	bool untracked;

	if (!READ_ONCE(md->nhrp_rl.rate) || mgre_is_nhs_nbma(md, src))
		return true;
	if (!mgre_rl_allow(&md->nhrp_rl, src, &untracked)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_RATELIMITED);
		net_dbg_ratelimited("%s: NHRP from %pI4 dropped: over nhrp-rate-limit\n",
				    mgre_to_dev(md)->name, &src);
		return false;
	}
	if (untracked)
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNTRACKED);
	return true;
}

void mgre_nhrp_rcv(struct mgre_device *md, struct sk_buff *skb, int gre_hlen)
{
	struct net_device *dev = mgre_to_dev(md);
	struct mgre_nhrp_cfg cfg;
	__be32 outer_src;
	struct nhrp_pkt *p;
	int ret;

	mgre_nhrp_get_cfg(md, &cfg);
	if (!cfg.network_id) {
		net_dbg_ratelimited("%s: NHRP from %pI4 dropped: no network-id\n",
				    dev->name, &ip_hdr(skb)->saddr);
		mgre_stat_inc(md, MGRE_STAT_RX_NHRP_DROP);
		goto drop;
	}
	outer_src = ip_hdr(skb)->saddr;
	if (!mgre_nhrp_rate_ok(md, outer_src))
		goto drop;
	if (!pskb_pull(skb, gre_hlen) || skb_linearize(skb)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_MALFORMED);
		goto drop;
	}
	p = kmalloc(sizeof(*p), GFP_ATOMIC);
	if (!p) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_NOMEM);
		goto drop;
	}

	ret = nhrp_decode(skb->data, skb->len, p);
	if (ret) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_MALFORMED);
		net_dbg_ratelimited("%s: bad NHRP from %pI4: %s\n", dev->name,
				    &outer_src, nhrp_strerror(ret));
		/* The headers are valid: say what we did not understand. */
		if (ret == -NHRP_E_EXT_COMPULSORY && mgre_nhrp_ipv4(p) &&
		    p->type != NHRP_TYPE_ERROR_IND)
			mgre_nhrp_send_error(md, skb->data, p->pktsz,
					     mgre_get4(p->src_proto,
						       p->src_proto_len),
					     outer_src,
					     NHRP_ERR_UNRECOGNIZED_EXT,
					     p->err_off);
		goto free;
	}
	trace_mgre_nhrp_rx(dev, p, outer_src);
	mgre_stat_inc(md, MGRE_STAT_NHRP_RX_RES_REQ + p->type - 1);
	if (!mgre_nhrp_ipv4(p)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_UNSUPPORTED);
		goto free;
	}
	if (!mgre_nhrp_auth_ok(&cfg, p)) {
		mgre_stat_inc(md, MGRE_STAT_NHRP_RX_AUTH_FAIL);
		net_info_ratelimited("%s: NHRP authentication failed for packet from %pI4\n",
				     dev->name, &outer_src);
		/* (Error indications are exempt: no error answers an error.) */
		mgre_nhrp_send_error(md, skb->data, p->pktsz,
				     mgre_get4(p->src_proto, p->src_proto_len),
				     outer_src, NHRP_ERR_AUTH_FAILURE, 0);
		goto free;
	}
	mgre_nhrp_dispatch(md, &cfg, skb->data, p, outer_src);
	kfree(p);
	consume_skb(skb);
	return;

free:
	kfree(p);
drop:
	/* (the reason is in the nhrp_* counters) */
	DEV_STATS_INC(dev, rx_dropped);
	kfree_skb(skb);
}

/*
 * Keepalives (keepalive.c): @n missed too many (@alive false), or answers
 * again.  Down, it is out of use as if its registrations had timed out;
 * back, it is registered with again at once and is used from the reply
 * on.  Called under rcu_read_lock(); @n may be on its way out of the list.
 * Returns true when @n was the NHS in use: the caller then flushes the
 * negative entries, outside the RCU read side (the cache walk may sleep).
 */
bool mgre_nhrp_nhs_ka(struct mgre_device *md, struct mgre_nhs *n, bool alive)
{
	struct mgre_nhs_list *list = &md->nhs;
	bool lost = false, changed;
	__be32 proto;

	spin_lock_bh(&list->lock);
	changed = n->ka_down == alive;
	if (changed && !alive) {
		lost = n->state == MGRE_NHS_RESPONDING;
		/* (the line below says so) */
		mgre_nhs_set_state(md, n, MGRE_NHS_DOWN, 0, 0, NULL);
	}
	if (changed) {
		n->ka_down = !alive;
		n->awaiting = false;
		n->next_send = jiffies;
	}
	spin_unlock_bh(&list->lock);
	if (!changed)
		return false;
	proto = READ_ONCE(n->proto);
	netdev_info(mgre_to_dev(md), "NHS %pI4 %s\n", &proto,
		    alive ? "answers keepalives again: registering" :
			    "does not answer keepalives: down");
	mgre_nhrp_kick(md);
	return lost;
}

/*
 * "if-state nhrp": the carrier is on while one of the configured NHSes
 * answers our registrations (or when there is none), off otherwise, so
 * routing reacts to a cloud we cannot reach.  NHRP itself goes around
 * the device's queue and keeps registering while it is off.
 */
static void mgre_nhrp_carrier(struct mgre_device *md,
			      const struct mgre_nhrp_cfg *cfg)
{
	struct net_device *dev = mgre_to_dev(md);
	bool up = true, any = false;
	struct mgre_nhs *n;

	if (cfg->if_state && cfg->network_id) {
		rcu_read_lock();
		list_for_each_entry_rcu(n, &md->nhs.list, node) {
			any = true;
			if (READ_ONCE(n->state) == MGRE_NHS_RESPONDING)
				break;
		}
		/* (n is the list head when no NHS responds) */
		up = !any || &n->node != &md->nhs.list;
		rcu_read_unlock();
	}
	/* A point-to-point peer that does not answer keepalives. */
	if (READ_ONCE(md->ka.down))
		up = false;
	if (up == netif_carrier_ok(dev))
		return;
	netdev_info(dev, "carrier %s: %s\n", up ? "on" : "off",
		    up ? "the peers answer" :
		    READ_ONCE(md->ka.down) ? "the peer does not answer keepalives" :
		    "no NHS answers (if-state nhrp)");
	if (up)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
	mgre_event_carrier(md, up);
}

static void mgre_nhrp_work(struct work_struct *work)
{
	struct mgre_device *md = container_of(to_delayed_work(work),
					      struct mgre_device, nhrp.work);
	struct mgre_nhrp_cfg cfg;
	struct mgre_gc_result *res;
	unsigned long next = HZ;
	unsigned int i;

	mgre_nhrp_get_cfg(md, &cfg);
	if (cfg.network_id)
		mgre_nhrp_reg_tick(md, &cfg);
	mgre_nhrp_carrier(md, &cfg);
	mgre_nhrp_purged_work(md);
	mgre_nhrp_covers_work(md);

	/* A burst of misses kicks us often: walk at most 10 times a second. */
	if (time_after_eq(jiffies, md->nhrp.last_walk + HZ / 10)) {
		md->nhrp.last_walk = jiffies;
		mgre_rl_gc(&md->nhrp_rl);
		mgre_stat_add(md, MGRE_STAT_ROUTE_CACHES_RECLAIMED,
			      mgre_peers_gc(&md->peers));
		res = kmalloc(sizeof(*res), GFP_KERNEL);
		if (res) {
			mgre_cache_gc(&md->cache, res);
			for (i = 0; cfg.network_id && i < res->nresolve; i++)
				mgre_nhrp_send_res_req(md, &cfg,
						       res->resolve[i],
						       res->reqid[i]);
			kfree(res);
		}
	} else {
		/*
		 * Kicked by a miss too soon after the last walk: walk when
		 * the tenth of a second is over, not at the next tick, or a
		 * new resolution would wait up to a second to be sent.
		 */
		next = clamp_t(long, md->nhrp.last_walk + HZ / 10 - jiffies,
			       1, HZ);
	}

	spin_lock_bh(&md->nhrp.lock);
	if (md->nhrp.running)
		queue_delayed_work(system_power_efficient_wq, &md->nhrp.work,
				   next);
	spin_unlock_bh(&md->nhrp.lock);
}

/* Run the work now, unless the device is down (checked under the lock that
 * mgre_nhrp_stop() clears it under, so nothing is queued after stop).
 */
void mgre_nhrp_kick(struct mgre_device *md)
{
	spin_lock_bh(&md->nhrp.lock);
	if (md->nhrp.running)
		mod_delayed_work(system_power_efficient_wq, &md->nhrp.work, 0);
	spin_unlock_bh(&md->nhrp.lock);
}

void mgre_nhrp_init(struct mgre_device *md)
{
	spin_lock_init(&md->nhrp.lock);
	INIT_DELAYED_WORK(&md->nhrp.work, mgre_nhrp_work);
	md->nhrp.cfg.holdtime = MGRE_HOLDTIME_DEFAULT;
	md->nhrp.running = false;
	md->nhrp.enabled = false;
	md->nhrp.behind_nat = false;
	md->nhrp.any_subnet = false;
	md->nhrp.redirect = false;
	md->nhrp.redirect_timeout = MGRE_REDIRECT_INTERVAL;
	md->nhrp.shortcut = false;
	md->nhrp.redirect_salt = get_random_u32();
	md->nhrp.last_walk = jiffies;
	ratelimit_state_init(&md->nhrp.ei_rs, HZ, 20);
	ratelimit_set_flags(&md->nhrp.ei_rs, RATELIMIT_MSG_ON_RELEASE);
	ratelimit_state_init(&md->nhrp.ti_rs, HZ, MGRE_TI_RATE);
	ratelimit_set_flags(&md->nhrp.ti_rs, RATELIMIT_MSG_ON_RELEASE);
}

/* Whether @a and @b set NHRP up the same (field by field: padding). */
bool mgre_nhrp_cfg_equal(const struct mgre_nhrp_cfg *a,
			 const struct mgre_nhrp_cfg *b)
{
	return a->network_id == b->network_id &&
	       a->holdtime == b->holdtime && a->auth_len == b->auth_len &&
	       !memcmp(a->auth, b->auth, a->auth_len) &&
	       a->no_unique == b->no_unique &&
	       a->reg_timeout == b->reg_timeout && a->if_state == b->if_state;
}

void mgre_nhrp_set_cfg(struct mgre_device *md, const struct mgre_nhrp_cfg *c)
{
	ASSERT_RTNL();
	spin_lock_bh(&md->nhrp.lock);
	md->nhrp.cfg = *c;
	WRITE_ONCE(md->nhrp.enabled, !!c->network_id);
	spin_unlock_bh(&md->nhrp.lock);
	mgre_nhs_reset(&md->nhs);
	mgre_nhrp_kick(md);
}

/* Device up: register with every NHS right away. */
void mgre_nhrp_open(struct mgre_device *md)
{
	struct mgre_nhrp_cfg cfg;

	ASSERT_RTNL();
	mgre_nhs_reset(&md->nhs);
	/* Down until an NHS answers ("if-state nhrp"). */
	mgre_nhrp_get_cfg(md, &cfg);
	mgre_nhrp_carrier(md, &cfg);
	spin_lock_bh(&md->nhrp.lock);
	md->nhrp.running = true;
	mod_delayed_work(system_power_efficient_wq, &md->nhrp.work, 0);
	spin_unlock_bh(&md->nhrp.lock);
}

/* Device down: withdraw our registrations and stop the timers. */
void mgre_nhrp_stop(struct mgre_device *md)
{
	ASSERT_RTNL();
	mgre_nhrp_purge_nhs(md, NULL);
	mgre_nhrp_purge_peers(md);
	spin_lock_bh(&md->nhrp.lock);
	md->nhrp.running = false;
	spin_unlock_bh(&md->nhrp.lock);
	cancel_delayed_work_sync(&md->nhrp.work);
	/* Nothing is registered while down. */
	mgre_nhs_reset(&md->nhs);
}

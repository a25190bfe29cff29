// SPDX-License-Identifier: GPL-2.0
/*
 * mgre: Cisco-DMVPN-compatible multipoint GRE with an in-kernel NHRP engine.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/genetlink.h>
#include <net/rtnetlink.h>

#include "cache.h"
#include "device.h"
#define CREATE_TRACE_POINTS
#include "mgre_trace.h"
#include "multicast.h"
#include "ratelimit.h"
#include "netlink.h"
#include "recv.h"
#include "route.h"

/*
 * The counters of drops and refusals: mgre:mgre_drop fires with each (the
 * same list names them in mgre_trace.h).
 */
static const bool mgre_stat_drop[__MGRE_STAT_MAX] = {
	[MGRE_STAT_TX_CACHE_MISS] = true,
	[MGRE_STAT_TX_NO_MCAST_MAP] = true,
	[MGRE_STAT_TX_UNSUPPORTED] = true,
	[MGRE_STAT_TX_NOMEM] = true,
	[MGRE_STAT_RX_NHRP_DROP] = true,
	[MGRE_STAT_RX_KEY_MISMATCH] = true,
	[MGRE_STAT_NHRP_RX_MALFORMED] = true,
	[MGRE_STAT_NHRP_RX_AUTH_FAIL] = true,
	[MGRE_STAT_NHRP_RX_UNSUPPORTED] = true,
	[MGRE_STAT_NHRP_RX_UNMATCHED] = true,
	[MGRE_STAT_NHRP_RX_LOOP] = true,
	[MGRE_STAT_NHRP_RX_HOPCNT] = true,
	[MGRE_STAT_NHRP_REG_REFUSED] = true,
	[MGRE_STAT_NHRP_NOMEM] = true,
	[MGRE_STAT_RX_UNPROTECTED] = true,
	[MGRE_STAT_KA_DROP] = true,
	[MGRE_STAT_KA_UNSOLICITED] = true,
	[MGRE_STAT_NHRP_RX_OUT_OF_SUBNET] = true,
	[MGRE_STAT_NHRP_RX_RES_UNVERIFIED] = true,
	[MGRE_STAT_NHRP_PURGE_REFUSED] = true,
	[MGRE_STAT_NHRP_REG_NBMA_LIMIT] = true,
	[MGRE_STAT_NHRP_REG_MCAST_LIMIT] = true,
	[MGRE_STAT_NHRP_RX_RATELIMITED] = true,
	[MGRE_STAT_NHRP_TX_RATELIMITED] = true,
	[MGRE_STAT_TX_ERRORS] = true,
	[MGRE_STAT_EVENTS_LOST] = true,
	[MGRE_STAT_NHRP_RX_TI_IGNORED] = true,
};

void mgre_trace_drop(struct mgre_device *md, enum mgre_stat idx)
{
	if (idx < __MGRE_STAT_MAX && mgre_stat_drop[idx])
		trace_mgre_drop(mgre_to_dev(md), idx);
}

/* The slab caches of NHRP entries and multicast map entries. */
static int __init mgre_slabs_init(void)
{
	int ret;

	ret = mgre_cache_mod_init();
	if (ret < 0)
		return ret;
	ret = mgre_mcast_mod_init();
	if (ret < 0)
		mgre_cache_mod_exit();
	return ret;
}

static void mgre_slabs_uninit(void)
{
	/* Entries, map entries and the peers' route caches are freed by
	 * call_rcu(): wait for those callbacks before the caches go.
	 */
	rcu_barrier();
	mgre_mcast_mod_exit();
	mgre_cache_mod_exit();
}

static int __init mgre_mod_init(void)
{
	int ret;

	ret = mgre_slabs_init();
	if (ret < 0)
		return ret;
#ifdef MGRE_SELFTEST
	/* (the debug kernel's build: see kmod/Kbuild) */
	if (!mgre_rl_selftest() || !mgre_peers_selftest() ||
	    !mgre_cache_selftest()) {
		ret = -ENOTRECOVERABLE;
		goto err_route;
	}
#endif
	ret = mgre_route_wq_init();
	if (ret < 0)
		goto err_route;

	ret = mgre_device_init();
	if (ret < 0)
		goto err_device;

	ret = mgre_genetlink_init();
	if (ret < 0)
		goto err_netlink;

	/* Last: from here on packets arrive. */
	ret = mgre_recv_init();
	if (ret < 0)
		goto err_recv;

	pr_info("multipoint GRE with NHRP loaded\n");
	return 0;

err_recv:
	mgre_genetlink_uninit();
err_netlink:
	mgre_device_uninit();
err_device:
	mgre_route_wq_uninit();
err_route:
	mgre_slabs_uninit();
	return ret;
}

static void __exit mgre_mod_exit(void)
{
	mgre_recv_uninit();
	mgre_genetlink_uninit();
	mgre_device_uninit();
	/* After the devices: their route work may still be finishing. */
	mgre_route_wq_uninit();
	mgre_slabs_uninit();
}

module_init(mgre_mod_init);
module_exit(mgre_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Multipoint GRE with NHRP (Cisco DMVPN compatible)");
MODULE_AUTHOR("The mgre authors");
MODULE_ALIAS_RTNL_LINK(MGRE_KIND);
MODULE_ALIAS_GENL_FAMILY(MGRE_GENL_NAME);

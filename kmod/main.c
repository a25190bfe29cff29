// SPDX-License-Identifier: GPL-2.0
/*
 * mgre: Cisco-DMVPN-compatible multipoint GRE with an in-kernel NHRP engine.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/genetlink.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "ratelimit.h"
#include "netlink.h"
#include "recv.h"
#include "route.h"

static int __init mgre_mod_init(void)
{
	int ret;

#ifdef MGRE_SELFTEST
	/* (the debug kernel's build: see kmod/Kbuild) */
	if (!mgre_rl_selftest() || !mgre_peers_selftest() ||
	    !mgre_cache_selftest())
		return -ENOTRECOVERABLE;
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
	return ret;
}

static void __exit mgre_mod_exit(void)
{
	mgre_recv_uninit();
	mgre_genetlink_uninit();
	mgre_device_uninit();
	/* After the devices: their route work may still be finishing. */
	mgre_route_wq_uninit();
	/* The peers' route caches are freed by call_rcu() (peer.c). */
	rcu_barrier();
}

module_init(mgre_mod_init);
module_exit(mgre_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Multipoint GRE with NHRP (Cisco DMVPN compatible)");
MODULE_AUTHOR("The mgre authors");
MODULE_ALIAS_RTNL_LINK(MGRE_KIND);
MODULE_ALIAS_GENL_FAMILY(MGRE_GENL_NAME);

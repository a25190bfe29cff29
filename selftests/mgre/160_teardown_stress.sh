#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 1800
#
# Teardown under load, STRESS_ITERATIONS (default 100; 25 on the debug
# kernel) rounds of: load
# mgre, build a small DMVPN (a hub and two spokes in their own network
# namespaces, NHRP with authentication and holdtime 3, so the spokes
# re-register every second; the hub with "multicast dynamic"), start
# traffic (spoke to spoke through the NHS while it resolves, spoke to hub,
# hub multicast to the registered spokes, and to unknown addresses), and
# with all of it flowing tear it down, a different way each round:
#   0  the namespaces go away (devices die in the netns exit path), rmmod
#   1  the tunnels are deleted one by one, then the namespaces, rmmod
#   2  rmmod with every device up and busy, then the namespaces
#   3  the hub's namespace goes away, rmmod while the spokes live
# The module must unload every round (and load again for the next), and
# the kernel must not complain (the runner checks dmesg; on the debug
# kernel KASAN, lockdep, kmemleak... watch).  Every 10th round checks that
# both spokes registered first.  The rounds run in one process,
# nlstress.py (netlink and system calls: every program started costs
# under emulation).  Unreclaimable slab must not grow over the rounds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3
# (25 rounds on the debug kernel, where a round takes ~4 times as long)
ITER=${STRESS_ITERATIONS:-$([ "$DEBUG_KERNEL" = 1 ] && echo 25 || echo 100)}

load_mgre	# (and its dependencies: ip_tunnel, gre)
sunreclaim() {	# kB of unreclaimable slab, after reclaimable caches are dropped
	local k v
	echo 2 > /proc/sys/vm/drop_caches
	while read -r k v _; do
		[ "$k" = SUnreclaim: ] && { echo "$v"; return; }
	done < /proc/meminfo
}

# A first round to warm up (slab caches, lockdep classes, ...).
python3 "$LIB_DIR/nlstress.py" --ko "$MGRE_KO" --rounds 1 ||
	ksft_fail "the first round failed"
_sleep 2
s0=$(sunreclaim)
python3 "$LIB_DIR/nlstress.py" --ko "$MGRE_KO" --rounds "$ITER" ||
	fail "nlstress.py failed"
[ ! -d /sys/module/mgre ] || fail "mgre loaded after the last round"

# Memory: a leaked netns or device per round would show.  Namespaces are
# dismantled asynchronously.
_sleep 3
s1=$(sunreclaim)
margin=16384
if grep -q 'KernelAddressSanitizer initialized' <(dmesg); then
	margin=$((margin + $(awk '$1 == "MemTotal:" { print int($2 / 32) }' /proc/meminfo)))
fi
log "SUnreclaim after the first round: $s0 kB, after $ITER more: $s1 kB (allowed growth $margin kB)"
[ $((s1 - s0)) -le "$margin" ] ||
	fail "unreclaimable slab grew by $((s1 - s0)) kB over $ITER rounds"

# Leave the module loaded and working for the next test.
load_mgre
exit_status

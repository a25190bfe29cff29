#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 1800
#
# Teardown under load, STRESS_ITERATIONS (default 40; 20 on the debug
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
# under emulation).  Listeners of the netlink events (nhrpctl monitor's
# group) are open in the hub's namespace (never read: it overflows) and
# in s1's.  Unreclaimable slab must not grow over the rounds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3
# Rounds: every teardown way (round % 4) ten times on Debian's kernel,
# five times on the debug kernel (where a round takes ~4 times as long and
# KASAN/lockdep/kmemleak watch each one); more rounds only repeat the same
# four paths.  At least 10, so nlstress.py prints a progress line (its
# traffic count is checked below) and checks registrations twice.
ITER=${STRESS_ITERATIONS:-$([ "$DEBUG_KERNEL" = 1 ] && echo 20 || echo 40)}
if ! [[ $ITER =~ ^[0-9]+$ ]] || [ "$ITER" -lt 10 ]; then
	ksft_fail "STRESS_ITERATIONS=$ITER: at least 10 rounds (every teardown way, a progress line)"
fi

# shellcheck disable=SC2119	# no module parameters
load_mgre	# (and its dependencies: ip_tunnel, gre)
# shellcheck disable=SC2317	# (called through wait_until)
sunreclaim() {	# kB of unreclaimable slab, after reclaimable caches are dropped
	local k v
	echo 2 > /proc/sys/vm/drop_caches
	while read -r k v _; do
		[ "$k" = SUnreclaim: ] && { echo "$v"; return 0; }
	done < /proc/meminfo
	return 1
}
# slab_settled: SUnreclaim changed by at most 256 kB since the last call
# (namespaces are dismantled asynchronously, by a workqueue, after the
# last reference goes: wait for that instead of sleeping); SLAB holds the
# last reading.
SLAB=
# shellcheck disable=SC2317
slab_settled() {
	local prev=$SLAB
	SLAB=$(sunreclaim) || return 1
	_sleep 0.5	# (a poll interval: the work runs in the background)
	[ -n "$prev" ] && [ $((SLAB - prev)) -le 256 ] && [ $((prev - SLAB)) -le 256 ]
}
# nlstress ROUNDS: run nlstress.py, its output in $TMPD/nlstress.out and
# the log; fails unless it reports ROUNDS rounds without a failure.
nlstress() {
	local rounds=$1 out rc
	python3 "$LIB_DIR/nlstress.py" --ko "$MGRE_KO" --rounds "$rounds" >"$TMPD/nlstress.out" 2>&1
	rc=$?
	while IFS= read -r out; do log "nlstress: $out"; done <"$TMPD/nlstress.out"
	[ "$rc" = 0 ] || { fail "nlstress.py --rounds $rounds exited $rc"; return 1; }
	grep -q "^$rounds rounds in .* 0 failure(s)$" "$TMPD/nlstress.out" ||
		{ fail "nlstress.py did not report $rounds rounds without failures"; return 1; }
}

# A first round to warm up (slab caches, lockdep classes, ...).
nlstress 1 || ksft_fail "the first round failed"
wait_until 10 slab_settled || log "SUnreclaim still moving after the first round"
s0=$SLAB
nlstress "$ITER"
# Load: the rounds sent traffic (a round whose sockets all failed would
# tear down idle devices), and events went to the listeners (nhrpctl
# monitor's group: one in the hub's namespace never read, so that it
# overflows, one in s1's).  nlstress.py prints the running totals every
# 10 rounds: "round N of M done (T s, D datagrams sent, E events)".
sent=$(sed -n 's/^round [0-9]* of [0-9]* done (.*, \([0-9]*\) datagrams sent, [0-9]* events)$/\1/p' "$TMPD/nlstress.out" | tail -n 1)
check_ge "${sent:-none}" $((ITER * 10)) "datagrams sent during the $ITER rounds"
events=$(sed -n 's/^round [0-9]* of [0-9]* done (.*, \([0-9]*\) events)$/\1/p' "$TMPD/nlstress.out" | tail -n 1)
check_ge "${events:-none}" 1 "events s1's listener received during the $ITER rounds"
[ ! -d /sys/module/mgre ] || fail "mgre loaded after the last round"

# Memory: a leaked netns or device per round would show.  Wait until the
# dismantling namespaces are gone (or at most 10 s x SLOW), then compare.
SLAB=
wait_until 10 slab_settled || log "SUnreclaim still moving after the rounds"
s1=$SLAB
margin=16384
if grep -q 'KernelAddressSanitizer initialized' <(dmesg); then
	margin=$((margin + $(awk '$1 == "MemTotal:" { print int($2 / 32) }' /proc/meminfo)))
fi
log "SUnreclaim after the first round: ${s0:-?} kB, after $ITER more: ${s1:-?} kB (allowed growth $margin kB)"
if [[ $s0 =~ ^[0-9]+$ && $s1 =~ ^[0-9]+$ ]]; then
	[ $((s1 - s0)) -le "$margin" ] ||
		fail "unreclaimable slab grew by $((s1 - s0)) kB over $ITER rounds"
else
	fail "could not read SUnreclaim from /proc/meminfo ('$s0', '$s1')"
fi

# Leave the module loaded and working for the next test.
# shellcheck disable=SC2119
load_mgre
exit_status

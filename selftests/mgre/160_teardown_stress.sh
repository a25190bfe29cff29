#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# Teardown under load, STRESS_ITERATIONS (default 100) times: load mgre,
# build a small DMVPN (a hub and two spokes in their own namespaces, NHRP
# with authentication, spokes registering every second or so, the hub
# with "multicast dynamic"), start traffic (spoke to spoke through the
# NHS while it resolves, spoke to hub, hub multicast to the registered
# spokes), and with all of it flowing tear it down, a different way each
# time:
#   0  delete the namespaces (devices die in the netns exit path), rmmod
#   1  delete the tunnels one by one, then the namespaces, rmmod
#   2  rmmod with every device up and busy, then delete the namespaces
#   3  delete the hub's namespace only, rmmod while the spokes live
# The module must unload every time (and load again for the next round),
# no namespace may be left, and the kernel must not complain (the runner
# checks dmesg; on the debug kernel KASAN, lockdep, kmemleak, ... watch).
# Every 10th round also checks that the spokes did register before the
# teardown.  Commands go through "ip -batch" and nsenter: every program
# started costs under emulation.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd nsenter
ITER=${STRESS_ITERATIONS:-100}
NS=(tsh tss1 tss2)
PINGS=()
NHRP="network-id 10000 holdtime 3 auth cisco123"

load_mgre	# (the dependencies: ip_tunnel, gre)
nsx() { local ns=$1; shift; nsenter "--net=/run/netns/$ns" "$@"; }

stop_traffic() {
	[ ${#PINGS[@]} -gt 0 ] || return 0
	kill -KILL "${PINGS[@]}" 2>/dev/null
	wait "${PINGS[@]}" 2>/dev/null
	PINGS=()
}
del_ns() {	# del_ns NS...: delete those that exist, one ip for all
	local ns cmds=
	for ns in "$@"; do
		[ -e "/run/netns/$ns" ] && cmds+="netns del $ns"$'\n'
	done
	[ -z "$cmds" ] || ip -force -batch - <<<"$cmds"
}
# shellcheck disable=SC2317	# (run at exit)
teardown_all() { stop_traffic; del_ns "${NS[@]}"; }
cleanup_add teardown_all

build() {
	ip -batch - <<-EOF || return 1
	netns add tsh
	netns add tss1
	netns add tss2
	link add eth0 netns tss1 type veth peer name p1 netns tsh
	link add eth0 netns tss2 type veth peer name p2 netns tsh
	EOF
	ip -n tsh -batch - <<-EOF || return 1
	link set lo up
	link add br0 type bridge
	addr add 192.1.1.1/24 dev br0
	link set br0 up
	link set p1 master br0 up
	link set p2 master br0 up
	link add tun0 type mgre local 192.1.1.1 key 10000 $NHRP
	addr add 172.1.1.1/24 dev tun0
	link set tun0 up
	EOF
	local i
	for i in 2 3; do
		ip -n "tss$((i - 1))" -batch - <<-EOF || return 1
		link set lo up
		addr add 192.1.1.$i/24 dev eth0
		link set eth0 up
		link add tun0 type mgre local 192.1.1.$i key 10000 $NHRP
		addr add 172.1.1.$i/24 dev tun0
		link set tun0 up
		EOF
	done
	nsx tsh "$NHRPCTL" multicast add dynamic dev tun0 || return 1
	nsx tss1 "$NHRPCTL" nhs add 172.1.1.1 nbma 192.1.1.1 dev tun0 || return 1
	nsx tss2 "$NHRPCTL" nhs add 172.1.1.1 nbma 192.1.1.1 dev tun0 || return 1
}

traffic() {
	nsx tss1 ping -q -i 0.05 -W 1 172.1.1.3 >/dev/null 2>&1 &
	PINGS+=($!)
	nsx tss2 ping -q -i 0.05 -W 1 172.1.1.1 >/dev/null 2>&1 &
	PINGS+=($!)
	nsx tsh ping -q -i 0.1 -W 1 -t 1 -I tun0 224.0.0.1 >/dev/null 2>&1 &
	PINGS+=($!)
}

registered() {	# both spokes registered at the hub
	[ "$(nsx tsh "$NHRPCTL" -j show dev tun0 | grep -o '"type": *"dynamic"' | wc -l)" -ge 2 ]
}

unload() {	# rmmod mgre (it may wait for namespaces being dismantled)
	local out
	[ -d /sys/module/mgre ] || return 0
	if ! out=$(rmmod mgre 2>&1); then
		fail "round $r: rmmod mgre failed: $out (refcnt $(cat /sys/module/mgre/refcnt 2>/dev/null))"
		return 1
	fi
	[ ! -d /sys/module/mgre ] || { fail "round $r: mgre still loaded after rmmod"; return 1; }
}

sunreclaim() {
	local k v
	echo 2 > /proc/sys/vm/drop_caches
	while read -r k v _; do
		[ "$k" = SUnreclaim: ] && { echo "$v"; return; }
	done < /proc/meminfo
}

t0=${EPOCHREALTIME/./}
for ((r = 0; r < ITER; r++)); do
	if [ ! -d /sys/module/mgre ]; then
		out=$(insmod "$MGRE_KO" 2>&1) || { fail "round $r: insmod failed: $out"; break; }
	fi
	build || { fail "round $r: building the DMVPN failed"; break; }
	traffic
	if [ $((r % 10)) = 0 ]; then
		wait_until 10 registered ||
			fail "round $r: the spokes did not register: $(nsx tsh "$NHRPCTL" show dev tun0)"
	else
		_sleep 0.5
	fi
	case $((r % 4)) in
	0)
		del_ns "${NS[@]}"
		stop_traffic
		unload ;;
	1)
		for ns in tsh tss1 tss2; do
			ip -n "$ns" link del tun0 || fail "round $r: cannot delete $ns's tun0"
		done
		stop_traffic
		del_ns "${NS[@]}"
		unload ;;
	2)
		unload
		for ns in tsh tss1 tss2; do
			if nsx "$ns" ip link show tun0 >/dev/null 2>&1; then
				fail "round $r: $ns's tun0 survived rmmod"
			fi
		done
		stop_traffic
		del_ns "${NS[@]}" ;;
	3)
		del_ns tsh
		_sleep 0.3
		unload
		stop_traffic
		del_ns tss1 tss2 ;;
	esac
	[ "$RET" = 0 ] || break
	[ "$r" != 0 ] || s0=$(sunreclaim)
	if [ $((r % 10)) = 9 ]; then
		log "round $((r + 1)) of $ITER done ($(( (${EPOCHREALTIME/./} - t0) / 1000000 )) s)"
	fi
done
log "$r rounds in $(( (${EPOCHREALTIME/./} - t0) / 1000000 )) s"
check_eq "$r" "$ITER" "rounds completed"
for ns in "${NS[@]}"; do
	[ ! -e "/run/netns/$ns" ] || fail "namespace $ns left"
done

# Memory: rounds must not accumulate unreclaimable slab (a leaked netns or
# device per round would).  Namespaces are dismantled asynchronously.
_sleep 3
s1=$(sunreclaim)
margin=16384
if grep -q 'KernelAddressSanitizer initialized' <(dmesg); then
	margin=$((margin + $(awk '$1 == "MemTotal:" { print int($2 / 32) }' /proc/meminfo)))
fi
log "SUnreclaim after round 1: ${s0:-?} kB, at the end: $s1 kB (allowed growth $margin kB)"
[ -z "${s0:-}" ] || [ $((s1 - s0)) -le "$margin" ] ||
	fail "unreclaimable slab grew by $((s1 - s0)) kB over $ITER rounds"

# Leave the module loaded and working for the next test.
load_mgre
exit_status

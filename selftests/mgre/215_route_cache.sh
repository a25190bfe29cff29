#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# The per-peer route cache (kmod/peer.c): a multipoint device routes most
# outer packets with the route (or XFRM bundle) cached for their NBMA
# address, and never sends one the way the kernel no longer would.  On the
# dynamic seed DMVPN, sp1's LAN pings sp2's LAN over the shortcut:
#   1. most outer packets to sp2 take the cached route (tx_route_cached),
#      route lookups stay few (tx_route_lookups); on the wire, plain GRE;
#   2. transport-mode ESP for GRE between sp1 and sp2 (policies and SAs)
#      added while the entry is cached: the next packets leave as ESP and
#      no plain GRE goes to sp2 (the cached plain route is not used);
#   3. the policies and SAs removed: plain GRE again, no ESP;
#   4. a blackhole route for sp2's NBMA address at sp1: the pings fail and
#      tx_errors counts them; the route removed: they pass again, and the
#      cache carries them again;
#   5. "tos inherit": the flow depends on each packet, nothing is cached:
#      a lookup per packet.
# Every ping must be answered except in 4.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd tcpdump tshark jq

topo_seed_dynamic
topo_spokes_registered
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 20 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve sp2: $(nhrpctl_in sp1 show dev tun0)"

N=20
# pings NAME [nocap]: N pings from sp1's LAN to sp2's LAN while sp1's
# eth0 is captured to $TMPD/NAME.pcap (not with nocap: GRE and ESP are
# then -1); sets GRE and ESP to the outer packets sp1 sent to sp2 (plain
# GRE, ESP), RX to the echo replies, and the deltas CACHED, LOOKUPS and
# ERRORS of sp1's counters.
pings() {
	local name=$1 cap=${2:-cap} c0 l0 e0
	c0=$(counter sp1 tx_route_cached)
	l0=$(counter sp1 tx_route_lookups)
	e0=$(counter sp1 tx_errors)
	is_count "$c0" "sp1's tx_route_cached"
	is_count "$l0" "sp1's tx_route_lookups"
	is_count "$e0" "sp1's tx_errors"
	[ "$cap" = nocap ] ||
		capture_start sp1 eth0 "dst host 192.1.1.3 and (ip proto 47 or ip proto 50)" \
			"$TMPD/$name.pcap"
	ping_count sp1 192.168.3.1 -I 192.168.2.1 -c "$N" -i 0.1 -W 2
	RX=$PING_RX
	GRE=-1 ESP=-1
	if [ "$cap" != nocap ]; then
		capture_stop "$TMPD/$name.pcap"
		GRE=$(capture_count "$TMPD/$name.pcap" gre)
		ESP=$(capture_count "$TMPD/$name.pcap" esp)
	fi
	CACHED=$(( $(counter sp1 tx_route_cached) - c0 ))
	LOOKUPS=$(( $(counter sp1 tx_route_lookups) - l0 ))
	ERRORS=$(( $(counter sp1 tx_errors) - e0 ))
	log "$name: $RX of $N answered; to sp2: $GRE GRE, $ESP ESP; route cached $CACHED, looked up $LOOKUPS, errors $ERRORS"
}

# 1. The cache carries the flow.
pings plain
# (the first data to the hub, while sp1 resolved, and to sp2 made them)
check_ge "$(counter sp1 route_caches_made)" 2 "route caches sp1 made (the hub's and sp2's)"
expect_eq "$N" "$RX" "1: echo replies"
check_ge "$GRE" "$N" "1: plain GRE to sp2 (the capture saw the pings)"
# (sp1's counters count all its outer packets, NHRP to the hub too, and
# the capture's promiscuous mode flushes the routes once: most, not all)
check_ge "$CACHED" $((N / 2)) "1: outer packets routed by the cache"
check_ge $((N / 4)) "$LOOKUPS" "1: route lookups (at most a quarter of the pings: the cache was warm)"

# 2. A policy appears: the cached plain route is not used any more.
topo_esp_pair sp1 192.1.1.2 sp2 192.1.1.3 0x3000
pings esp
expect_eq "$N" "$RX" "2: echo replies under ESP"
check_ge "$ESP" "$N" "2: ESP to sp2"
expect_eq 0 "$GRE" "2: plain GRE to sp2 after the policy was added"
check_ge "$CACHED" $((N / 2)) "2: outer packets routed by the cache (the bundle)"

# 3. The policy goes: plain GRE again (no stale bundle).
for ns in sp1 sp2; do
	in_ns "$ns" ip xfrm policy flush || fail "cannot flush $ns's policies"
	in_ns "$ns" ip xfrm state flush || fail "cannot flush $ns's SAs"
done
pings plain2
expect_eq "$N" "$RX" "3: echo replies after ESP was removed"
check_ge "$GRE" "$N" "3: plain GRE to sp2"
expect_eq 0 "$ESP" "3: ESP to sp2 after the SAs were removed"

# 4. A route change: sp2's NBMA address blackholed, then reachable again.
in_ns sp1 ip route add blackhole 192.1.1.3/32 || fail "cannot add the blackhole route"
# (no capture: the echo replies and tx_errors tell; the pings before and
# after are the controls)
pings blackhole nocap
expect_eq 0 "$RX" "4: echo replies with sp2's NBMA address blackholed"
check_ge "$ERRORS" "$N" "4: tx_errors (no route to sp2's NBMA address)"
in_ns sp1 ip route del blackhole 192.1.1.3/32 || fail "cannot remove the blackhole route"
pings back nocap
expect_eq "$N" "$RX" "4: echo replies once the route is back"
check_ge "$CACHED" $((N / 2)) "4: outer packets routed by the cache once the route is back"

# 5. "tos inherit": no cache.
ip -n sp1 link set tun0 type mgre tos inherit || fail "cannot set tos inherit"
pings inherit nocap
expect_eq "$N" "$RX" "5: echo replies with tos inherit"
check_ge "$LOOKUPS" "$N" "5: route lookups with tos inherit (one per packet)"

exit_status

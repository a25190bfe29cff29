#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# A backup hub with OSPF (the seeds' primary and backup hubs): hub
# (172.1.1.1, NBMA .1) and hub2 (172.1.1.4, NBMA .4) on one cloud, both
# NHS of the spokes sp1 and sp2 (priorities 0 and 1: the primary first;
# "nhs add 172.1.1.4 nbma 192.1.1.4", which maps the NHS too, as IOS's
# "ip nhrp nhs X nbma Y": OSPF's unicast to hub2 goes straight there, not
# relayed by the primary, which would expire it, TTL 1; multicast to
# both), both with "multicast
# add dynamic", each mapping the other, sending it multicast (a
# statically mapped peer that registers keeps its static map and takes
# no place in the dynamic multicast map) and using it as NHS (a
# resolution request one hub forwards to the other then comes from an
# NHS: answered, see nhrp.md), as IOS's dual-hub designs do.  FRR ospfd
# everywhere, broadcast: hub DR (priority 2), hub2 BDR (1), spokes 0.
# Both hubs announce the data centre 192.168.100.0/24 (the same address
# on a dummy: what answers a ping there is the hub it went to), hub2 at a
# higher cost.  Hosts h2 (192.168.20.10, behind sp1) and h3
# (192.168.30.10, behind sp2) talk directly (phase 2) throughout.
#   1. Before: every router Full with the hubs, the spokes route the data
#      centre via the primary and each other's LANs via each other.
#   2. The primary fails (its NBMA link down, its ospfd gone with it, as
#      when a router crashes): the spokes' route to the data centre
#      moves to hub2 and h2's traffic there is answered again;
#      the time from the failure is measured and printed (OSPF's dead
#      interval, 8 s here, plus the SPF).  h2 <-> h3 keeps working.
#   3. The primary returns (link up, ospfd started again: hub2 stays DR,
#      OSPF's election does not preempt): the spokes' registrations with
#      it are answered again, OSPF is Full with it again, the data centre's route and
#      traffic move back to it (time printed), and the established
#      spoke-to-spoke path loses nothing meanwhile (every echo request
#      answered, none through either hub).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq nft vtysh /usr/lib/frr/zebra /usr/lib/frr/ospfd

TOPO_NS=(_ hub sp1 sp2 hub2)
NH="network-id 10000 holdtime 500 auth cisco123 registration timeout 2"

# shellcheck disable=SC2317	# (called through wait_until)
dc_via() {	# VIA: sp1 routes the data centre via VIA, and h2 reaches it
	route_via sp1 192.168.100.0/24 "$1" ospf &&
		in_ns h2 ping -c 1 -W 1 192.168.100.1 >/dev/null
}

# diag NS...: what a failed adjacency leaves to read.
diag() {
	local ns

	for ns in "$@"; do
		log "--- $ns: OSPF neighbours: $(in_ns "$ns" vtysh -N "$ns" -c 'show ip ospf neighbor' 2>/dev/null)"
		log "--- $ns: NHRP: $(nhrpctl_in "$ns" show dev tun0)"
		log "--- $ns: tun0 counters: $(nhrpctl_in "$ns" -j stats dev tun0 |
			jq -c '.devices.tun0 | with_entries(select(.value != 0))')"
		log "--- $ns: ospfd log: $(tail -n 30 "/run/frr/$ns/ospfd.log")"
	done
}

OSPF="interface tun0
 ip ospf network broadcast
 ip ospf hello-interval 2
 ip ospf dead-interval 8
router ospf
 passive-interface lan0
 passive-interface dc0
 network 172.1.1.0/24 area 0
 network 192.168.0.0/16 area 0"

# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
for i in 1 2 3 4; do
	topo_router "$i"
	# shellcheck disable=SC2086
	topo_tunnel "$i" $NH
done
topo_lan_host h2 sp1 192.168.20
topo_lan_host h3 sp2 192.168.30
for h in 1 4; do
	ns=${TOPO_NS[$h]} o=$((5 - h))
	nhrpctl_in "$ns" multicast add dynamic dev tun0
	nhrpctl_in "$ns" map add "172.1.1.$o" nbma "192.1.1.$o" dev tun0
	nhrpctl_in "$ns" multicast add nbma "192.1.1.$o" dev tun0
	nhrpctl_in "$ns" nhs add "172.1.1.$o" dev tun0
	in_ns "$ns" ip link add dc0 type dummy
	in_ns "$ns" ip addr add 192.168.100.1/24 dev dc0
	in_ns "$ns" ip link set dc0 up
	relay_counter "$ns"
done
for i in 2 3; do
	ns=${TOPO_NS[$i]}
	nhrpctl_in "$ns" multicast add nbma 192.1.1.1 dev tun0
	nhrpctl_in "$ns" multicast add nbma 192.1.1.4 dev tun0
	nhrpctl_in "$ns" nhs add 172.1.1.1 nbma 192.1.1.1 priority 0 dev tun0
	nhrpctl_in "$ns" nhs add 172.1.1.4 nbma 192.1.1.4 priority 1 dev tun0
done
prio=(_ 2 0 0 1)
for i in 1 2 3 4; do
	ns=${TOPO_NS[$i]}
	frr_start "$ns" zebra "hostname $ns"
	cost=""
	[ "$i" != 4 ] || cost="interface dc0
 ip ospf cost 100"
	conf="$OSPF
 ospf router-id 172.1.1.$i
interface tun0
 ip ospf priority ${prio[$i]}
$cost"
	[ "$i" != 1 ] || HUB_OSPF=$conf
	frr_start "$ns" ospfd "$conf"
done

# --- 1. before ------------------------------------------------------------------------
t=$(now_ms)
wait_until 60 ospf_full hub 3 ||
	fail "the primary is not Full with hub2 and both spokes: $(in_ns hub vtysh -N hub -c 'show ip ospf neighbor' 2>/dev/null)"
for ns in sp1 sp2; do
	if ! wait_until 30 ospf_full "$ns" 2; then
		fail "$ns is not Full with both hubs: $(in_ns "$ns" vtysh -N "$ns" -c 'show ip ospf neighbor' 2>/dev/null)"
		diag hub2 "$ns"
	fi
done
check_match "$(in_ns sp1 vtysh -N sp1 -c 'show ip ospf neighbor' 2>/dev/null)" \
	'172\.1\.1\.1 +2 Full/DR .*172\.1\.1\.4 +1 Full/Backup|172\.1\.1\.4 +1 Full/Backup .*172\.1\.1\.1 +2 Full/DR' \
	"sp1's neighbours: the primary DR, hub2 BDR"
wait_until 30 dc_via 172.1.1.1 || fail "sp1 does not reach the data centre via the primary: $(in_ns sp1 ip route)"
wait_until 30 route_via sp1 192.168.30.0/24 172.1.1.3 ospf || fail "sp1 has no route to sp2's LAN via sp2"
wait_until 30 route_via sp2 192.168.20.0/24 172.1.1.2 ospf || fail "sp2 has no route to sp1's LAN via sp1"
log "OSPF over both hubs converged in $(( $(now_ms) - t )) ms"
# The spoke-to-spoke path, direct.
wait_until 20 in_ns h2 ping -c 1 -W 1 192.168.30.10 || fail "h2 cannot reach h3"
wait_until 20 p2_direct || fail "the spokes did not resolve each other: $(nhrpctl_in sp1 show dev tun0)"
# (the relay counters' positive control: the first packets went through
# the primary, the spokes' NHS while they resolved)
check_ge "$(relayed hub)" 1 "h2 -> h3 packets the primary relayed while the spokes resolved"

# --- 2. the primary fails ----------------------------------------------------------------
pings_start h2 192.168.30.10 "$TMPD/fail.txt"
t0=$(now_ms)
in_ns hub ip link set eth0 down
frr_stop hub ospfd
if wait_timed 40 dc_via 172.1.1.4; then
	log "FAILOVER: h2 reaches the data centre through hub2 $((WT_LO - t0))-$((WT_HI - t0)) ms after the primary failed" \
		"(the route moved: OSPF's dead interval, 8 s, then the SPF)"
else
	fail "the data centre's route did not move to hub2: $(in_ns sp1 ip route show 192.168.100.0/24)"
fi
wait_until 30 route_via sp1 192.168.30.0/24 172.1.1.3 ospf || fail "sp1 lost its route to sp2's LAN via sp2"
# (the primary is sp1's first NHS, priority 0)
wait_until 30 nhs_state_is sp1 down || fail "sp1 did not mark the primary down: $(nhrpctl_in sp1 show nhs dev tun0)"
wait_until 30 in_ns h2 ping -c 1 -W 1 192.168.30.10 || fail "h2 cannot reach h3 with the primary down"
pings_stop "$TMPD/fail.txt"
log "h2 -> h3 while the primary failed: $PINGS_RCVD of $PINGS_SENT pings answered" \
	"(the DR changed: OSPF recomputed the cloud's routes)"

# --- 3. the primary returns ----------------------------------------------------------------
r1=$(relayed hub) r4=$(relayed hub2)
pings_start h2 192.168.30.10 "$TMPD/return.txt"
t0=$(now_ms)
in_ns hub ip link set eth0 up
frr_start hub ospfd "$HUB_OSPF"
# (the primary kept the spokes' registrations while its link was down:
# the spokes' side tells that they registered again)
for ns in sp1 sp2; do
	wait_until 30 nhs_state_is "$ns" responding ||
		fail "$ns's registration with the primary not answered again: $(nhrpctl_in "$ns" show nhs dev tun0)"
done
wait_until 60 ospf_full hub 3 ||
	fail "the primary is not Full again: $(in_ns hub vtysh -N hub -c 'show ip ospf neighbor' 2>/dev/null)"
if wait_timed 60 dc_via 172.1.1.1; then
	log "RETURN: h2 reaches the data centre through the primary again $((WT_LO - t0))-$((WT_HI - t0)) ms after it returned"
else
	fail "the data centre's route did not move back to the primary: $(in_ns sp1 ip route show 192.168.100.0/24)"
fi
pings_stop "$TMPD/return.txt"
log "h2 -> h3 while the primary returned: $PINGS_RCVD of $PINGS_SENT pings answered ($PINGS_RUNS runs of ping -c 8)"
expect_eq "$PINGS_RUNS" "$PINGS_STATS" "runs of ping that printed their statistics"
check_ge "$PINGS_SENT" 16 "pings sent h2 -> h3 while the primary returned"
expect_eq "$PINGS_SENT" "$PINGS_RCVD" "pings answered h2 -> h3 while the primary returned" ||
	grep -v 'bytes from' "$TMPD/return.txt" | head -n 20
expect_eq "$r1" "$(relayed hub)" "spoke-to-spoke packets the primary relayed while it returned"
# (hub2's counter is the primary's rule, whose positive control is above)
expect_eq "$r4" "$(relayed hub2)" "spoke-to-spoke packets hub2 relayed while the primary returned"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# Routing protocols over the seed cloud, real FRR daemons started by the
# test (8.4: zebra with ospfd, bgpd, eigrpd), NHRP dynamic (the spokes
# know only the hub; 260_seed_demo runs OSPF broadcast with IPsec).  The
# traffic is between hosts h2 (192.168.20.10, behind sp1) and h3
# (192.168.30.10, behind sp2); the hub counts what it relays spoke to
# spoke (nftables, tun0 in and out):
#  1. OSPF point-to-multipoint with phase 3: adjacencies form through the
#     multicast maps (the spokes' static one, the hub's dynamic one); the
#     spokes learn each other's LANs via the hub (what p2mp gives); the
#     hub ("redirect on") relays the first spoke-to-spoke packets and
#     indicates, the spokes ("shortcut on") resolve and go direct: the
#     hub relays none after.
#  2. A spoke reboots (its daemons and its tunnel gone, then made again as
#     at boot, nothing done at the hub): its registration is answered
#     again (its new tunnel's NHS "responding"), OSPF comes
#     back to Full, the other spoke learns its LAN again, traffic flows.
#  3. BGP with the hub as route reflector and dynamic neighbours (`bgp
#     listen range`), the spokes its iBGP clients, phase 2 (no redirect):
#     each spoke's route to the other's LAN has the other spoke's tunnel
#     address as next hop, NHRP resolves it, traffic goes direct.
#  4. EIGRP: adjacencies over the cloud (multicast hellos, reliable
#     updates); the hub learns both spokes' LANs.  FRR 8.4's eigrpd has
#     no "no ip split-horizon eigrp" (it answers "split-horizon command
#     not implemented yet"), so a hub cannot pass one spoke's routes to
#     the other as seed 003 does on IOS; the phase-3 design replaces it:
#     the hub advertises a summary (a connected 192.168.0.0/16), the
#     spokes send through the hub, indications make the shortcuts, and
#     the hub relays nothing after.
# Each step stops the previous protocol's daemons and waits for zebra to
# remove their routes before the next starts.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq nft vtysh /usr/lib/frr/zebra /usr/lib/frr/ospfd /usr/lib/frr/bgpd /usr/lib/frr/eigrpd

# no_routes NS PROTO: NS has no route of PROTO left.
# shellcheck disable=SC2317	# (called through wait_until)
no_routes() {
	local out
	out=$(in_ns "$1" ip route show proto "$2") && [ -z "$out" ]
}
# ospf_below NS N: NS's ospfd answers and has fewer than N neighbours Full.
# shellcheck disable=SC2317	# (called through wait_until)
ospf_below() {
	local out n
	out=$(in_ns "$1" vtysh -N "$1" -c 'show ip ospf neighbor' 2>/dev/null) || return 1
	n=$(grep -c " Full/" <<<"$out")
	[ "$n" -lt "$2" ]
}
# lan_ping NS DST: one ping from host NS to DST answered.
lan_ping() { in_ns "$1" ping -c 1 -W 2 "$2" >/dev/null; }
# p3_direct: both spokes hold the phase-3 shortcut to the other's LAN.
# shellcheck disable=SC2317	# (called through wait_until)
p3_direct() {
	shortcut_to sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 &&
		shortcut_to sp2 192.168.20.0/24 192.1.1.2 172.1.1.2
}
# direct_after WHAT: traffic h2 <-> h3 (the spokes' LAN hosts): 10 pings
# answered and none relayed by the hub (the relay counter's positive
# control is the caller's: it saw the first packets relayed).
direct_after() {
	local r0 r1

	r0=$(relayed hub)
	if in_ns h2 ping -c 10 -i 0.2 -W 2 192.168.30.10 >/dev/null; then
		log "$1: 10 of 10 h2 -> h3 pings answered"
	else
		fail "$1: h2 -> h3 pings lost"
	fi
	r1=$(relayed hub)
	expect_eq "$r0" "$r1" "$1: spoke-to-spoke packets the hub relayed after resolution"
}
# stop_all DAEMON PROTO: DAEMON stopped on the three routers, its routes
# (PROTO) gone; the spokes' learned entries flushed.
stop_all() {
	local ns

	for ns in hub sp1 sp2; do
		frr_stop "$ns" "$1"
		wait_until 20 no_routes "$ns" "$2" ||
			fail "$ns still has $2 routes after $1 stopped: $(in_ns "$ns" ip route show proto "$2")"
	done
	nhrpctl_in sp1 flush cached dev tun0
	nhrpctl_in sp2 flush cached dev tun0
}
# spokes_talk WHAT CHECK...: h2 pings h3 until CHECK (the spokes' NHRP
# state for direct traffic) holds; the hub relayed the first packets;
# then direct_after.
spokes_talk() {
	local what=$1 r0 t

	shift
	r0=$(relayed hub)
	t=$(now_ms)
	bg_start ip netns exec h2 ping -q -i 0.3 -W 1 -c 2000 192.168.30.10 >/dev/null
	local pid=$BG_PID
	if wait_until 30 "$@"; then
		log "$what: direct after $(( $(now_ms) - t )) ms"
	else
		fail "$what: not direct: $(nhrpctl_in sp1 show dev tun0)"
	fi
	_kill_wait "$pid"
	check_ge "$(( $(relayed hub) - r0 ))" 1 "$what: the first packets relayed by the hub"
	direct_after "$what"
}

# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
for i in 1 2 3; do
	topo_router "$i"
done
topo_lan_host h2 sp1 192.168.20
topo_lan_host h3 sp2 192.168.30
# shellcheck disable=SC2086
topo_tunnel 1 $TOPO_NHRP redirect on
for i in 2 3; do
	# shellcheck disable=SC2086
	topo_tunnel "$i" $TOPO_NHRP shortcut on
done
nhrpctl_in hub multicast add dynamic dev tun0
relay_counter hub
for i in 1 2 3; do
	frr_start "${TOPO_NS[$i]}" zebra "hostname R$i"
done
for i in 2 3; do
	topo_spoke_nhrp "$i"
done
topo_spokes_registered

# --- 1. OSPF point-to-multipoint, phase 3 ----------------------------------------
OSPF_P2MP="interface tun0
 ip ospf network point-to-multipoint
 ip ospf hello-interval 2
 ip ospf dead-interval 8
router ospf
 passive-interface lan0
 network 172.1.1.0/24 area 0
 network 192.168.0.0/16 area 0"
t=$(now_ms)
for i in 1 2 3; do
	frr_start "${TOPO_NS[$i]}" ospfd "$OSPF_P2MP
 ospf router-id 172.1.1.$i"
done
wait_until 60 ospf_full hub 2 ||
	fail "OSPF p2mp: the hub is not Full with both spokes: $(in_ns hub vtysh -N hub -c 'show ip ospf neighbor' 2>/dev/null)"
wait_until 30 route_via sp1 192.168.30.0/24 172.1.1.1 ospf ||
	fail "OSPF p2mp: sp1 has no route to sp2's LAN via the hub: $(in_ns sp1 ip route)"
wait_until 30 route_via sp2 192.168.20.0/24 172.1.1.1 ospf ||
	fail "OSPF p2mp: sp2 has no route to sp1's LAN via the hub: $(in_ns sp2 ip route)"
log "OSPF p2mp converged in $(( $(now_ms) - t )) ms"
lan_ping h2 192.168.1.1 || fail "OSPF p2mp: h2 cannot reach the hub's LAN"
spokes_talk "OSPF p2mp + phase 3" p3_direct

# --- 2. a spoke reboots ----------------------------------------------------------
t=$(now_ms)
frr_stop sp2 ospfd
frr_stop sp2 zebra
in_ns sp2 ip link del tun0
wait_until 30 ospf_below hub 2 ||
	fail "reboot: the hub still has sp2 as a Full neighbour after its dead interval"
# shellcheck disable=SC2086
topo_tunnel 3 $TOPO_NHRP shortcut on
topo_spoke_nhrp 3
frr_start sp2 zebra "hostname R3"
frr_start sp2 ospfd "$OSPF_P2MP
 ospf router-id 172.1.1.3"
# (the hub still holds sp2's old registration: sp2's side tells)
wait_until 30 nhs_state_is sp2 responding ||
	fail "reboot: sp2's registration not answered: $(nhrpctl_in sp2 show nhs dev tun0)"
wait_until 60 ospf_full hub 2 ||
	fail "reboot: sp2 not Full again at the hub: $(in_ns hub vtysh -N hub -c 'show ip ospf neighbor' 2>/dev/null)"
wait_until 30 route_via sp2 192.168.20.0/24 172.1.1.1 ospf ||
	fail "reboot: sp2 did not learn sp1's LAN again: $(in_ns sp2 ip route)"
wait_until 30 lan_ping h2 192.168.30.10 || fail "reboot: h2 cannot reach h3 again"
log "sp2 rebooted: registered, Full and reachable again in $(( $(now_ms) - t )) ms"
wait_until 30 lan_ping h3 192.168.20.10 || fail "reboot: h3 cannot reach h2"
stop_all ospfd ospf

# --- 3. BGP, the hub a route reflector with dynamic neighbours, phase 2 -------------
ip -n hub link set tun0 type mgre redirect off || fail "cannot set redirect off on the hub"
bgp_nbr() {	# NEIGHBOR: fast timers, updates at once
	printf ' neighbor %s %s\n' "$1" "timers 3 9" "$1" "timers connect 2" \
		"$1" "advertisement-interval 0"
}
t=$(now_ms)
frr_start hub bgpd "router bgp 65000
 bgp router-id 172.1.1.1
 neighbor SPOKES peer-group
 neighbor SPOKES remote-as 65000
$(bgp_nbr SPOKES)
 bgp listen range 172.1.1.0/24 peer-group SPOKES
 address-family ipv4 unicast
  neighbor SPOKES route-reflector-client
  network 192.168.1.0/24
 exit-address-family"
for i in 2 3; do
	frr_start "${TOPO_NS[$i]}" bgpd "router bgp 65000
 bgp router-id 172.1.1.$i
 neighbor 172.1.1.1 remote-as 65000
$(bgp_nbr 172.1.1.1)
 address-family ipv4 unicast
  network 192.168.${i}0.0/24
 exit-address-family"
done
wait_until 60 route_via sp1 192.168.30.0/24 172.1.1.3 bgp ||
	fail "BGP: sp1 has no route to sp2's LAN via sp2 (reflected): $(in_ns sp1 ip route)"
wait_until 30 route_via sp2 192.168.20.0/24 172.1.1.2 bgp ||
	fail "BGP: sp2 has no route to sp1's LAN via sp1 (reflected): $(in_ns sp2 ip route)"
route_via hub 192.168.20.0/24 172.1.1.2 bgp || fail "BGP: the hub has no route to sp1's LAN"
log "BGP converged in $(( $(now_ms) - t )) ms"
spokes_talk "BGP route reflector, phase 2" p2_direct
stop_all bgpd bgp

# --- 4. EIGRP, the hub summarising, phase 3 ------------------------------------------
ip -n hub link set tun0 type mgre redirect on || fail "cannot set redirect on on the hub"
in_ns hub ip link add sum0 type dummy
in_ns hub ip addr add 192.168.0.1/16 dev sum0
in_ns hub ip link set sum0 up
t=$(now_ms)
frr_start hub eigrpd "router eigrp 1
 eigrp router-id 172.1.1.1
 network 172.1.1.0/24
 network 192.168.0.0/16"
for i in 2 3; do
	frr_start "${TOPO_NS[$i]}" eigrpd "router eigrp 1
 eigrp router-id 172.1.1.$i
 network 172.1.1.0/24
 network 192.168.${i}0.0/24"
done
for i in 2 3; do
	wait_until 60 route_via hub "192.168.${i}0.0/24" "172.1.1.$i" eigrp ||
		fail "EIGRP: the hub has no route to ${TOPO_NS[$i]}'s LAN: $(in_ns hub ip route)"
	wait_until 30 route_via "${TOPO_NS[$i]}" 192.168.0.0/16 172.1.1.1 eigrp ||
		fail "EIGRP: ${TOPO_NS[$i]} has no summary route via the hub: $(in_ns "${TOPO_NS[$i]}" ip route)"
done
log "EIGRP converged in $(( $(now_ms) - t )) ms"
spokes_talk "EIGRP summary + phase 3" p3_direct

exit_status

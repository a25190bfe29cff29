#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# DMVPN phase 3 (Documentation/nhrp.md): the hub ("redirect on", IOS "ip
# nhrp redirect") learns each spoke's LAN by BGP (FRR bgpd, eBGP over the
# tunnel, the spokes as dynamic neighbours) and advertises only the
# summary 192.168.0.0/16 to the spokes ("shortcut on", IOS "ip nhrp
# shortcut").  Hosts h2 (192.168.20.10, behind sp1) and h3
# (192.168.30.10, behind sp2) talk.  Shown on the wire and in the caches:
#  - the first spoke-to-spoke packets go through the hub, which sends
#    each source spoke a Traffic Indication (type 8, code 0, quoting the
#    packet) and still forwards the packet;
#  - the spoke resolves the quoted destination; the hub forwards the
#    request along its route (the destination is nobody's registered
#    address); the far spoke, the egress, answers with the prefix of its
#    route (the LAN /24) and its tunnel address;
#  - each spoke holds a shortcut for the other's LAN /24 (flag shortcut,
#    IOS "nho"), and from then on no data packet goes through the hub:
#    spoke-to-spoke GRE goes direct (positive control: the same capture
#    sees sp1's traffic to the hub itself);
#  - a shortcut carrying traffic is refreshed before it expires (holdtime
#    30-50 s, 10 s more of traffic: never through the hub again), and one without
#    traffic expires;
#  - under a flood of hairpin traffic (shortcut off at the source) the hub
#    sends one indication per pair every "redirect timeout" seconds (2
#    here, IOS "ip nhrp redirect timeout"), counts the rest
#    (nhrp_redirect_limited), and sp1 counts what it ignored;
#  - a Traffic Indication from anyone but an NHS changes nothing;
#  - static prefix maps (map add 10.9.9.0/24) match next hops by longest
#    prefix;
#  - with route-inject, a shortcut is a route "PREFIX via NEXT_HOP proto
#    nhrp"; when the route it overrides goes (bgpd withdraws the
#    summary), the shortcut and its route go (nhrp_shortcut_route_gone);
#    "shortcut off" removes shortcuts and routes (traffic goes through
#    the hub again);
#  - an egress going down purges itself at the spokes that resolved it:
#    their shortcuts to its LAN go at once;
#  - every NHRP packet dissects clean in tshark.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq /usr/lib/frr/zebra /usr/lib/frr/bgpd vtysh
! wire_checks || require_cmd tshark python3

# (tcpdump filters: topo.sh's nhrp_f and data_f; a Traffic Indication's
# quoted IPv4 header after its 40 bytes of NHRP headers, at ip[68])
DATA="$GRE_K and ip[22:2] = 0x0800"
TI=$(nhrp_f 8)
H2=$(hex 192.168.20.10) H3=$(hex 192.168.30.10)
S2S="(($(data_f 192.168.20.10 192.168.30.10)) or ($(data_f 192.168.30.10 192.168.20.10)))"

# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
for i in 1 2 3; do
	topo_router "$i"
done
topo_lan_host h2 sp1 192.168.20
topo_lan_host h3 sp2 192.168.30
capture_start wan p-hub "ip proto 47" "$TMPD/nhrp-hub.pcap"
capture_start wan p-sp1 "ip proto 47" "$TMPD/nhrp-sp1.pcap"

# (30 s, 50 s where SLOW is 3: long enough for the pauses between the
# steps under emulation, short enough for the refresh and the expiry to
# take a minute or two)
HOLD=$((20 + 10 * SLOW))
NHRP="network-id 10000 holdtime $HOLD auth cisco123"
# shellcheck disable=SC2086
topo_tunnel 1 $NHRP redirect on
nhrpctl_in hub multicast add dynamic dev tun0
for i in 2 3; do
	# shellcheck disable=SC2086
	topo_tunnel "$i" $NHRP shortcut on
	topo_spoke_nhrp "$i"
done
topo_spokes_registered

# The routing: eBGP over the tunnel.  The hub takes the spokes as dynamic
# neighbours (as a DMVPN hub does) and sends them only the summary.  On
# the debug kernel the same routes are installed by hand: bgpd's start
# and convergence take minutes there and run no code of mgre's that the
# routes themselves do not (the debug pass's time is make check's
# longest chain).
RT_PROTO=bgp
if [ "$DEBUG_KERNEL" = 1 ]; then
	RT_PROTO=boot
	log "routes: static on the debug kernel (bgpd on the others)"
	for i in 2 3; do
		in_ns hub ip route add "192.168.${i}0.0/24" via "172.1.1.$i"
		in_ns "${TOPO_NS[$i]}" ip route add 192.168.0.0/16 via 172.1.1.1
	done
else
	bgp_nbr() {	# NEIGHBOR: fast timers, updates at once
		printf ' neighbor %s %s\n' "$1" "timers 3 9" "$1" "timers connect 2" \
			"$1" "advertisement-interval 0"
	}
	for ns in hub sp1 sp2; do
		frr_start "$ns" zebra "hostname $ns"
	done
	frr_start hub bgpd "router bgp 65000
 bgp router-id 172.1.1.1
 no bgp ebgp-requires-policy
 neighbor SPOKES peer-group
 neighbor SPOKES remote-as external
$(bgp_nbr SPOKES)
 bgp listen range 172.1.1.0/24 peer-group SPOKES
 address-family ipv4 unicast
  aggregate-address 192.168.0.0/16 summary-only
 exit-address-family"
	for i in 2 3; do
		frr_start "${TOPO_NS[$i]}" bgpd "router bgp 6500$i
 bgp router-id 172.1.1.$i
 no bgp ebgp-requires-policy
 neighbor 172.1.1.1 remote-as 65000
$(bgp_nbr 172.1.1.1)
 address-family ipv4 unicast
  network 192.168.${i}0.0/24
 exit-address-family"
	done
fi
# has_route NS PREFIX VIA: NS's kernel routes PREFIX via VIA (from bgpd).
# shellcheck disable=SC2317	# (called through wait_until)
has_route() {
	in_ns "$1" ip route show "$2" proto "$RT_PROTO" | grep -q "via $3 dev tun0"
}
for i in 2 3; do
	wait_until 30 has_route hub "192.168.${i}0.0/24" "172.1.1.$i" ||
		fail "the hub has no BGP route to sp$((i - 1))'s LAN: $(in_ns hub ip route)"
	wait_until 30 has_route "${TOPO_NS[$i]}" 192.168.0.0/16 172.1.1.1 ||
		fail "${TOPO_NS[$i]} has no BGP summary route: $(in_ns "${TOPO_NS[$i]}" ip route)"
done
# (summary only: a spoke's route to the other's LAN is the summary's)
expect_eq "" "$(in_ns sp1 ip route show 192.168.30.0/24)" "sp1's route to exactly sp2's LAN"

check_match "$(in_ns hub ip -d link show tun0)" 'redirect on' "the hub's ip -d link show"
check_match "$(in_ns sp1 ip -d link show tun0)" 'shortcut on' "sp1's ip -d link show"

# shortcuts_up: both spokes hold their shortcut now, made by traffic if
# need be (an unused one expires: the checks between the steps take tens
# of seconds on a busy machine, and the step that follows counts what
# goes through the hub from its start).  The traffic goes on until both
# are there: the hub indicates a pair at most once per 5 s, and a step
# before may have taken the pair's slot (while sp1 had shortcut off) a
# moment ago.
# shellcheck disable=SC2317	# (called through wait_until)
shortcuts_made() {
	in_ns h2 ping -c 1 -W 1 192.168.30.10 >/dev/null
	shortcut_to sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 &&
		shortcut_to sp2 192.168.20.0/24 192.1.1.2 172.1.1.2
}
shortcuts_up() {
	wait_until 20 shortcuts_made ||
		fail "the spokes have no shortcuts to each other's LAN: $(nhrpctl_in sp1 show dev tun0; nhrpctl_in sp2 show dev tun0)"
}

# 1. The first packets through the hub, indications, resolution, shortcuts.
log "1. The first packets through the hub, indications, resolution"
ti0=$(counter hub nhrp_tx_traffic_ind)
is_count "$ti0" "the hub's nhrp_tx_traffic_ind"
ping_ok h2 192.168.30.10 || fail "h2 cannot reach h3 through the hub"
in_ns h2 ping -c 3 -i 0.3 -W 1 192.168.30.10 >/dev/null
wait_until 15 shortcut_to sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 ||
	fail "sp1 has no shortcut to sp2's LAN: $(nhrpctl_in sp1 show dev tun0)"
wait_until 15 shortcut_to sp2 192.168.20.0/24 192.1.1.2 172.1.1.2 ||
	fail "sp2 has no shortcut to sp1's LAN: $(nhrpctl_in sp2 show dev tun0)"
check_ge "$(counter hub nhrp_tx_traffic_ind)" $((ti0 + 2)) "Traffic Indications sent by the hub"
# On the wire: the hub's indications to both spokes, quoting the packet
# (the quoted IPv4 header's source and destination after the 40-byte
# mandatory part: ip[28 + 40 + 12] = ip[80]), its source as destination.
capture_wait 5 "$TMPD/nhrp-hub.pcap" 1 "src 192.1.1.1 and dst 192.1.1.2 and $TI and ip[64:4] = $H2 and ip[80:4] = $H2 and ip[84:4] = $H3" ||
	fail "no Traffic Indication hub -> sp1 quoting 192.168.20.10 -> 192.168.30.10: $(capture_dump "$TMPD/nhrp-hub.pcap" "$TI" | tail -n 6)"
capture_wait 5 "$TMPD/nhrp-hub.pcap" 1 "src 192.1.1.1 and dst 192.1.1.3 and $TI and ip[64:4] = $H3" ||
	fail "no Traffic Indication hub -> sp2"
# ... the first data went through the hub, and the far spoke answered the
# forwarded request itself (an egress's reply: to sp1, from sp2).
check_ge "$(capture_count_bpf "$TMPD/nhrp-hub.pcap" "src 192.1.1.1 and dst 192.1.1.3 and $S2S")" 1 \
	"spoke-to-spoke packets relayed by the hub before the shortcut"
capture_seen "$TMPD/nhrp-sp1.pcap" 1 "src 192.1.1.3 and dst 192.1.1.2 and $(nhrp_f 2) and ip[68] = 0"
check_ge "$(capture_count_bpf "$TMPD/nhrp-hub.pcap" "src 192.1.1.1 and dst 192.1.1.3 and $(nhrp_f 1 '' 192.168.30.10)")" 1 \
	"resolution requests for 192.168.30.10 the hub forwarded to sp2"
for ns in sp1 sp2; do
	check_match "$(nhrpctl_in "$ns" show dev tun0)" 'nho' "$ns's show (IOS flag nho)"
done
# show dmvpn: the shortcut at its peer, attribute T2 (IOS Nexthop-override)
n=$(nhrpctl_in sp1 -j show dmvpn detail dev tun0 | jq '[.[] | select(.peer_nbma == "192.1.1.3" and
	.target_network == "192.168.30.0/24" and (.attrs | test("T2")))] | length')
expect_eq 1 "$n" "sp1's show dmvpn entries for the shortcut (T2, target 192.168.30.0/24)"
check_match "$(nhrpctl_in sp1 show dmvpn dev tun0)" 'T2 - Nexthop-override' "sp1's show dmvpn legend"

# 2. Direct from now on: nothing through the hub, all direct.
log "2. Direct from now on: nothing through the hub, all direct"
shortcuts_up
capture_start wan p-hub "ip proto 47" "$TMPD/hub.pcap"
capture_start wan p-sp1 "ip proto 47" "$TMPD/sp1.pcap"
sc0=$(counter sp1 tx_shortcut)
is_count "$sc0" "sp1's tx_shortcut"
in_ns h2 ping -c 2 -i 0.2 -W 2 172.1.1.1 >/dev/null || fail "h2 cannot reach the hub"
ping_count h2 -c 10 -i 0.2 -W 2 192.168.30.10
expect_eq 10 "$PING_RX" "spoke-to-spoke echo replies over the shortcut"
capture_stop "$TMPD/hub.pcap" "$TMPD/sp1.pcap"
capture_seen "$TMPD/hub.pcap" 2 "src 192.1.1.2 and dst 192.1.1.1 and $(data_f 192.168.20.10 172.1.1.1)"
expect_eq 0 "$(capture_count_bpf "$TMPD/hub.pcap" "$S2S")" \
	"spoke-to-spoke packets through the hub after the shortcut"
expect_eq 10 "$(capture_count_bpf "$TMPD/sp1.pcap" "src 192.1.1.2 and dst 192.1.1.3 and $DATA and ip[40:4] = $H2")" \
	"direct GRE echo requests sp1 -> sp2"
check_ge "$(counter sp1 tx_shortcut)" $((sc0 + 10)) "sp1's packets sent by the shortcut"

# 3. Refreshed while in use: traffic for 10 s longer than the holdtime,
# never through the hub; the shortcut is still there after it.  (Not on the
# debug kernel: timers, not new kernel paths, and 50 s of the debug
# pass's time; the refresh's cache path is in the in-module selftest.)
log "3. Refreshed while in use: $((HOLD + 10)) s of traffic with a $HOLD s holdtime"
if [ "$DEBUG_KERNEL" = 1 ]; then
	log "refresh and expiry: not on the debug kernel"
else
shortcuts_up
capture_start wan p-hub "ip proto 47" "$TMPD/refresh.pcap"
req0=$(counter sp1 nhrp_tx_res_req)
is_count "$req0" "sp1's nhrp_tx_res_req"
ping_count h2 -c $(((HOLD + 10) * 2)) -i 0.5 -W 2 192.168.30.10
check_ge "$PING_RX" $(((HOLD + 10) * 2 - 1)) "echo replies during the refresh"
capture_stop "$TMPD/refresh.pcap"
# (the positive control: the same capture has sp1's refreshing request)
capture_seen "$TMPD/refresh.pcap" 1 "src 192.1.1.2 and dst 192.1.1.1 and $(nhrp_f 1 '' 192.168.30.10)"
expect_eq 0 "$(capture_count_bpf "$TMPD/refresh.pcap" "$S2S")" \
	"spoke-to-spoke packets through the hub while the shortcut was refreshed"
check_ge "$(counter sp1 nhrp_tx_res_req)" $((req0 + 1)) "sp1's refreshing resolution requests"
shortcut_to sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 ||
	fail "sp1's shortcut did not outlive its holdtime under traffic: $(nhrpctl_in sp1 show dev tun0)"

# 4. Expiry without traffic.
log "4. Expiry without traffic ($HOLD s holdtime)"
wait_until $((HOLD + 15)) no_shortcut sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 ||
	fail "sp1's unused shortcut did not expire: $(nhrpctl_in sp1 show dev tun0)"
fi

# 5. The rate limit under a flood of hairpin traffic: sp1 stops acting on
# indications, so everything it sends to sp2's LAN goes through the hub;
# the hub sends one indication per pair every "redirect timeout" seconds
# (2 here, 5 by default).  The flood lasts 7 s at least: 4 indications
# to sp1, 3 of them at least in the capture (2 with the default).  sp2
# sends its replies to sp1 directly (a route to sp1's LAN through sp1,
# phase 2 style): only the requests hairpin, so no other pair shares a
# slot with them.
# (Steps 5 and 6 not on the debug kernel: a flood and crafted packets
# cost minutes there, for a few lines of kmod/ the other steps reach.)
log "5. The rate limit under a flood of hairpin traffic: sp1 stops a"
if [ "$DEBUG_KERNEL" = 1 ]; then
	log "the flood and the crafted indications: not on the debug kernel"
else
nhrpctl_in sp1 flush cached dev tun0
nhrpctl_in sp2 flush cached dev tun0
ip -n sp1 link set tun0 type mgre shortcut off || fail "cannot set shortcut off on sp1"
ip -n sp2 link set tun0 type mgre shortcut off || fail "cannot set shortcut off on sp2"
ip -n hub link set tun0 type mgre redirect timeout 2 || fail "cannot set the hub's redirect timeout"
check_match "$(ip -n hub -d link show tun0)" 'redirect on redirect timeout 2 ' "the hub's ip -d link show"
in_ns sp2 ip route add 192.168.20.0/24 via 172.1.1.2 || fail "cannot route sp1's LAN through sp1 at sp2"
ping_ok h2 192.168.30.10 || fail "h2 cannot reach h3 before the flood"
capture_start wan p-hub "ip proto 47" "$TMPD/flood.pcap"
lim0=$(counter hub nhrp_redirect_limited)
ign0=$(counter sp1 nhrp_rx_ti_ignored)
is_count "$lim0" "the hub's nhrp_redirect_limited"
is_count "$ign0" "sp1's nhrp_rx_ti_ignored"
t0=$(now_ms)
ping_count h2 -c 700 -i 0.01 -W 2 192.168.30.10
secs=$(( ($(now_ms) - t0 + 999) / 1000 ))
capture_stop "$TMPD/flood.pcap"
in_ns sp2 ip route del 192.168.20.0/24 via 172.1.1.2 || fail "cannot remove sp2's route to sp1's LAN"
# (the positive control: the hub relayed the flood; tcpdump may miss
# some of it under emulation, the counter below does not)
capture_seen "$TMPD/flood.pcap" 100 "src 192.1.1.1 and dst 192.1.1.3 and $S2S and ip[40:4] = $H2"
n=$(capture_count_bpf "$TMPD/flood.pcap" "src 192.1.1.1 and dst 192.1.1.2 and $TI")
log "flood: $PING_TX packets in $secs s, $n indications to sp1"
check_ge "$n" 3 "indications to sp1 during the flood"
[ "$n" -le $(( secs / 2 + 1 )) ] ||
	fail "$n indications to sp1 in $secs s: more than one per 2 s for one pair"
check_ge "$(counter hub nhrp_redirect_limited)" $((lim0 + PING_TX / 2)) "hairpin packets not redirected (rate limit)"
check_ge "$(counter sp1 nhrp_rx_ti_ignored)" $((ign0 + 1)) "indications sp1 ignored with shortcut off"
expect_eq 0 "$(entries sp1 '.flags | index("shortcut")')" "shortcuts at sp1 with shortcut off"

# 6. A Traffic Indication (built as IOS builds it) from a host that is no
# NHS changes nothing; the same from the hub's address makes sp1 resolve
# the quoted destination and build the shortcut (the positive control).
log "6. A Traffic Indication (built as IOS builds it) from a host th"
for ns in sp1 sp2; do
	ip -n "$ns" link set tun0 type mgre shortcut on || fail "cannot set shortcut on on $ns"
done
nhrpctl_in sp1 flush cached dev tun0
ign0=$(counter sp1 nhrp_rx_ti_ignored)
is_count "$ign0" "sp1's nhrp_rx_ti_ignored"
topo_nbma_host evil 192.1.1.66
craft_ti() {	# OUTER: an indication to sp1 about 192.168.20.10 -> 192.168.30.10
	in_ns evil python3 "$(dirname "$0")/nhrp_craft.py" send traffic-ind \
		--outer "$1" --dst 192.1.1.2 --src-proto 172.1.1.1 \
		--dst-proto 192.168.20.10 --quote-src 192.168.20.10 \
		--quote-dst 192.168.30.10 --listen 0 >/dev/null ||
		fail "cannot send a crafted Traffic Indication from $1"
}
craft_ti 192.1.1.66
wait_until 5 stat_ge sp1 nhrp_rx_ti_ignored $((ign0 + 1)) ||
	fail "sp1 did not count the indication from a stranger"
expect_eq 0 "$(entries sp1 '.proto == "192.168.30.10" or .proto == "192.168.30.0"')" \
	"entries at sp1 for sp2's LAN after a stranger's indication"
craft_ti 192.1.1.1
wait_until 15 shortcut_to sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 ||
	fail "sp1 did not act on an indication from its NHS's address: $(nhrpctl_in sp1 show dev tun0)"
fi

# 7. Static prefix maps match by longest prefix: a next hop in
# 10.9.9.0/24 goes to the /24's NBMA address, one with its own /32 to
# that; an address with host bits beyond its length is refused.
log "7. Static prefix maps match by longest prefix: a next hop in"
nhrpctl_in sp1 map add 10.9.9.0/24 nbma 192.1.1.3 dev tun0 || fail "cannot map 10.9.9.0/24 at sp1"
nhrpctl_in sp1 map add 10.9.9.7 nbma 192.1.1.1 dev tun0 || fail "cannot map 10.9.9.7 at sp1"
check_cmd_fail "a map with host bits beyond its length" \
	nhrpctl_in sp1 map add 10.9.8.1/24 nbma 192.1.1.3 dev tun0
in_ns sp1 ip route add 10.50.0.0/16 via 10.9.9.5 dev tun0 onlink
in_ns sp1 ip route add 10.60.0.0/16 via 10.9.9.7 dev tun0 onlink
capture_start wan p-sp1 "ip proto 47" "$TMPD/prefix.pcap"
in_ns sp1 ping -c 2 -i 0.2 -W 1 10.50.0.1 >/dev/null
in_ns sp1 ping -c 2 -i 0.2 -W 1 10.60.0.1 >/dev/null
capture_stop "$TMPD/prefix.pcap"
expect_eq 2 "$(capture_count_bpf "$TMPD/prefix.pcap" "src 192.1.1.2 and dst 192.1.1.3 and $DATA and ip[44:4] = 0x0a320001")" \
	"packets to 10.50.0.1 (next hop 10.9.9.5: the /24's NBMA address)"
expect_eq 2 "$(capture_count_bpf "$TMPD/prefix.pcap" "src 192.1.1.2 and dst 192.1.1.1 and $DATA and ip[44:4] = 0x0a3c0001")" \
	"packets to 10.60.0.1 (next hop 10.9.9.7: its /32's NBMA address)"
nhrpctl_in sp1 map del 10.9.9.0/24 dev tun0 || fail "cannot unmap 10.9.9.0/24 at sp1"
expect_eq 0 "$(entries sp1 '.proto == "10.9.9.0"')" "sp1's entries for 10.9.9.0/24 after map del"

# 8. With route-inject, a shortcut is also a route "PREFIX via NEXT_HOP
# dev tun0 proto nhrp" (IOS's NHRP route) for routing daemons; "shortcut
# off" removes the shortcuts and their routes, and traffic follows the
# routing table again (through the hub).
log "8. Shortcut routes (route-inject) and shortcut off"
# nhrp_route NS ROUTE: "ip route show proto nhrp" in NS has ROUTE (ip
# ends its lines with a space).
# shellcheck disable=SC2317	# (called through wait_until too)
nhrp_route() { in_ns "$1" ip route show proto nhrp | grep -q "^$2 *\$"; }
# shellcheck disable=SC2317	# (called through wait_until)
no_nhrp_route() { ! nhrp_route "$@"; }
ip -n sp1 link set tun0 type mgre route-inject on || fail "cannot set route-inject on at sp1"
# (a fresh shortcut: the one of the steps before may expire during this;
# made once the old one's route is gone, or it would find that route,
# ours, rather than the summary it overrides)
nhrpctl_in sp1 flush cached dev tun0
wait_until 5 no_nhrp_route sp1 "192.168.30.0/24 via 172.1.1.3 dev tun0" ||
	fail "the flushed shortcut's route stayed: $(in_ns sp1 ip route show proto nhrp)"
shortcuts_up
wait_until 5 nhrp_route sp1 "192.168.30.0/24 via 172.1.1.3 dev tun0" ||
	fail "no route for sp1's shortcut: $(in_ns sp1 ip route show proto nhrp)"
# The route the shortcut overrides (the summary through the hub) goes:
# the shortcut and its route go with it (IOS's NHRP route watch); with
# the summary back, the next packets make a shortcut again.  bgpd
# withdraws it (its session to the hub shut) on Debian's kernel.
# shellcheck disable=SC2317	# (called through wait_until)
shortcut_gone() {
	no_shortcut sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 &&
		no_nhrp_route sp1 "192.168.30.0/24 via 172.1.1.3 dev tun0"
}
summary_route() {	# del|add: sp1's route to 192.168.0.0/16
	if [ "$RT_PROTO" = bgp ]; then
		local no=""
		[ "$1" = add ] && no="no "
		in_ns sp1 vtysh -N sp1 -c 'configure terminal' -c 'router bgp 65002' \
			-c "${no}neighbor 172.1.1.1 shutdown" >/dev/null 2>&1
	else
		in_ns sp1 ip route "$1" 192.168.0.0/16 via 172.1.1.1
	fi
}
gone0=$(counter sp1 nhrp_shortcut_route_gone)
is_count "$gone0" "sp1's nhrp_shortcut_route_gone"
summary_route del || fail "cannot withdraw sp1's summary route"
if wait_until 15 shortcut_gone; then
	log "sp1's shortcut and its route gone with the summary route"
else
	fail "sp1's shortcut outlived the route it overrides: $(nhrpctl_in sp1 show dev tun0; in_ns sp1 ip route)"
fi
check_ge "$(counter sp1 nhrp_shortcut_route_gone)" $((gone0 + 1)) "sp1's shortcuts removed with their route"
expect_eq "" "$(in_ns sp1 ip route show 192.168.0.0/16)" "sp1's summary route after the withdrawal"
summary_route add || fail "cannot restore sp1's summary route"
# (bgpd: the hub's route to sp1's LAN went with the session too)
if ! wait_until 30 has_route sp1 192.168.0.0/16 172.1.1.1 ||
   ! wait_until 30 has_route hub 192.168.20.0/24 172.1.1.2; then
	fail "the routes did not come back: $(in_ns sp1 ip route; in_ns hub ip route)"
fi
shortcuts_up
ip -n sp1 link set tun0 type mgre shortcut off || fail "cannot set shortcut off on sp1"
expect_eq 0 "$(entries sp1 '.flags | index("shortcut")')" "shortcuts at sp1 after shortcut off"
wait_until 5 no_nhrp_route sp1 "192.168.30.0/24 via 172.1.1.3 dev tun0" ||
	fail "the route of sp1's shortcut outlived shortcut off: $(in_ns sp1 ip route show proto nhrp)"
capture_start wan p-hub "ip proto 47" "$TMPD/off.pcap"
ping_count h2 -c 3 -i 0.2 -W 2 192.168.30.10
expect_eq 3 "$PING_RX" "echo replies with shortcut off at sp1"
capture_stop "$TMPD/off.pcap"
check_ge "$(capture_count_bpf "$TMPD/off.pcap" "src 192.1.1.2 and dst 192.1.1.1 and $S2S")" 3 \
	"sp1's packets to sp2's LAN through the hub with shortcut off"
ip -n sp1 link set tun0 type mgre shortcut on route-inject off ||
	fail "cannot set shortcut on and route-inject off on sp1"

# 9. The egress goes: sp2's tunnel down purges sp2 at the peers that
# resolved it (IOS purges the requesters it answered), and sp1's
# shortcut to sp2's LAN goes at once, not at its expiry (a fresh one:
# a whole holdtime left).
log "9. The egress goes: sp2's tunnel down purges sp2 at the peers t"
nhrpctl_in sp1 flush cached dev tun0
nhrpctl_in sp2 flush cached dev tun0
shortcuts_up
capture_start wan p-sp1 "ip proto 47" "$TMPD/purge.pcap"
t0=$(now_ms)
ip -n sp2 link set tun0 down || fail "cannot set sp2's tunnel down"
if wait_until 5 no_shortcut sp1 192.168.30.0/24 192.1.1.3 172.1.1.3; then
	log "sp1's shortcut to sp2's LAN gone $(( $(now_ms) - t0 )) ms after sp2 went down (holdtime $HOLD s)"
else
	fail "sp1's shortcut outlived sp2's purge: $(nhrpctl_in sp1 show dev tun0)"
fi
capture_stop "$TMPD/purge.pcap"
capture_seen "$TMPD/purge.pcap" 1 "src 192.1.1.3 and dst 192.1.1.2 and $(nhrp_f 5)"

capture_stop
wire_checks || { log "tshark checks skipped on the debug kernel"; exit_status; }
# (the hub's and sp1's captures ran from the start to here: the flood's
# indications and the purge are in them; a tshark start costs seconds)
for f in "$TMPD/nhrp-hub.pcap" "$TMPD/nhrp-sp1.pcap"; do
	nhrp_dissect "$f" >"$f.txt"
	log "${f##*/}: $(wc -l <"$f.txt") NHRP packets"
	nhrp_dissect_all "$f" "$f.txt" "NHRP packets dissected in ${f##*/} (tshark) vs captured (tcpdump)"
	expect_eq 0 "$(awk '$4 == 1' "$f.txt" | wc -l)" \
		"NHRP packets tshark finds malformed or in error in ${f##*/}"
done
# (the egress answers the requester directly: replies are seen at sp1)
types=$(awk '{ print $1 }' "$TMPD/nhrp-sp1.pcap.txt" | sort -u | tr '\n' ' ')
log "NHRP types at sp1: $types"
for t in 1 2 3 4 5 8; do
	grep -qw "$t" <<<"$types" || fail "no NHRP packet of type $t captured at sp1"
done

exit_status

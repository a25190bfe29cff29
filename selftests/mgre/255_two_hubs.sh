#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# DMVPN phase 3 with two hubs, each serving half the spokes: how a cloud
# grows past one hub without a protocol of its own.  hub (172.1.1.1)
# serves sp1, hub2 (172.1.1.4) serves sp2; the hubs map each other
# statically and are each other's NHS (IOS's daisy chain of NHSes), and
# exchange the spokes' routes with FRR bgpd (eBGP over the tunnel), while
# each sends its spokes only the summary 192.168.0.0/16.  Shown:
#  - the first h2 -> h3 packets go sp1 -> hub -> hub2 -> sp2; the hub
#    sends sp1 a Traffic Indication, hub2 sends sp2 one for the replies;
#  - sp1's Resolution Request for 192.168.30.10 crosses the hubs by
#    routing (hub -> hub2 -> sp2, on the wire), sp2 answers sp1 directly
#    with its LAN /24, and sp2 resolves sp1's LAN the same way back;
#  - from then on h2 <-> h3 goes direct: no spoke-to-spoke packet at
#    either hub (positive control: the direct packets at sp1's port).
# Not on the debug kernel (selftests/debug-pass.txt): 250_phase3 runs the
# same kernel paths there, and four bgpd take minutes on it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq /usr/lib/frr/zebra /usr/lib/frr/bgpd vtysh

DATA="$GRE_K and ip[22:2] = 0x0800"
TI=$(nhrp_f 8)
H2=$(hex 192.168.20.10) H3=$(hex 192.168.30.10)
S2S="(($(data_f 192.168.20.10 192.168.30.10)) or ($(data_f 192.168.30.10 192.168.20.10)))"
NHRP="network-id 10000 holdtime 120 auth cisco123"

# shellcheck disable=SC2034	# (read by topo.sh)
TOPO_NS[4]=hub2
# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
for i in 1 2 3 4; do
	topo_router "$i"
done
topo_lan_host h2 sp1 192.168.20
topo_lan_host h3 sp2 192.168.30
capture_start wan p-hub "ip proto 47" "$TMPD/hub.pcap"
capture_start wan p-hub2 "ip proto 47" "$TMPD/hub2.pcap"
capture_start wan p-sp1 "ip proto 47" "$TMPD/sp1.pcap"

# The hubs: redirect, multicast to whoever registers, the other hub
# mapped and its NHS.  The spokes: shortcut, their own hub only.
# shellcheck disable=SC2086
for i in 1 4; do
	o=$((5 - i))	# the other hub: 4 or 1
	topo_tunnel "$i" $NHRP redirect on
	nhrpctl_in "${TOPO_NS[$i]}" multicast add dynamic dev tun0
	nhrpctl_in "${TOPO_NS[$i]}" map add "172.1.1.$o" nbma "192.1.1.$o" dev tun0
	nhrpctl_in "${TOPO_NS[$i]}" nhs add "172.1.1.$o" dev tun0
done
for i in 2 3; do
	h=$([ "$i" = 2 ] && echo 1 || echo 4)	# its hub
	# shellcheck disable=SC2086
	topo_tunnel "$i" $NHRP shortcut on
	nhrpctl_in "${TOPO_NS[$i]}" map add "172.1.1.$h" nbma "192.1.1.$h" dev tun0
	nhrpctl_in "${TOPO_NS[$i]}" multicast add nbma "192.1.1.$h" dev tun0
	nhrpctl_in "${TOPO_NS[$i]}" nhs add "172.1.1.$h" dev tun0
done
wait_until 10 has_entry hub 172.1.1.2 dynamic registered ||
	fail "sp1 not registered at the hub: $(nhrpctl_in hub show dev tun0)"
wait_until 10 has_entry hub2 172.1.1.3 dynamic registered ||
	fail "sp2 not registered at hub2: $(nhrpctl_in hub2 show dev tun0)"

# The routing: eBGP over the tunnel.  A hub takes its spokes as dynamic
# neighbours and sends them only the summary; the hubs peer with each
# other and exchange everything, with themselves as next hop (eBGP would
# keep the spoke's address, on the shared subnet: the hub would then
# resolve the other hub's spoke itself, phase 2 between the hubs).
bgp_nbr() {	# NEIGHBOR: fast timers, updates at once
	printf ' neighbor %s %s\n' "$1" "timers 3 9" "$1" "timers connect 2" \
		"$1" "advertisement-interval 0"
}
for ns in hub hub2 sp1 sp2; do
	frr_start "$ns" zebra "hostname $ns"
done
for i in 1 4; do
	o=$((5 - i))
	frr_start "${TOPO_NS[$i]}" bgpd "ip prefix-list SUMMARY seq 5 permit 192.168.0.0/16
router bgp 651$i
 bgp router-id 172.1.1.$i
 no bgp ebgp-requires-policy
 neighbor SPOKES peer-group
 neighbor SPOKES remote-as external
$(bgp_nbr SPOKES)
 bgp listen range 172.1.1.0/24 peer-group SPOKES
 neighbor 172.1.1.$o remote-as 651$o
$(bgp_nbr "172.1.1.$o")
 address-family ipv4 unicast
  aggregate-address 192.168.0.0/16
  neighbor SPOKES prefix-list SUMMARY out
  neighbor 172.1.1.$o next-hop-self
 exit-address-family"
done
for i in 2 3; do
	h=$([ "$i" = 2 ] && echo 1 || echo 4)
	frr_start "${TOPO_NS[$i]}" bgpd "router bgp 6500$i
 bgp router-id 172.1.1.$i
 no bgp ebgp-requires-policy
 neighbor 172.1.1.$h remote-as 651$h
$(bgp_nbr "172.1.1.$h")
 address-family ipv4 unicast
  network 192.168.${i}0.0/24
 exit-address-family"
done
# has_route NS PREFIX VIA: NS's kernel routes PREFIX via VIA (from bgpd).
# shellcheck disable=SC2317	# (called through wait_until)
has_route() {
	in_ns "$1" ip route show "$2" proto bgp | grep -q "via $3 dev tun0"
}
for r in "hub 192.168.20.0/24 172.1.1.2" "hub 192.168.30.0/24 172.1.1.4" \
	 "hub2 192.168.30.0/24 172.1.1.3" "hub2 192.168.20.0/24 172.1.1.1" \
	 "sp1 192.168.0.0/16 172.1.1.1" "sp2 192.168.0.0/16 172.1.1.4"; do
	# shellcheck disable=SC2086
	wait_until 45 has_route $r ||
		fail "no BGP route ${r#* } at ${r%% *}: $(in_ns "${r%% *}" ip route; for ns in hub hub2; do
			in_ns "$ns" vtysh -N "$ns" -c 'show bgp summary' -c 'show ip bgp'; done 2>&1)"
done
expect_eq "" "$(in_ns sp1 ip route show 192.168.30.0/24)" "sp1's route to exactly sp2's LAN (summary only)"


log "1. The first packets through both hubs; resolution across the hubs"
ping_ok h2 192.168.30.10 || fail "h2 cannot reach h3 through the hubs"
in_ns h2 ping -c 3 -i 0.3 -W 1 192.168.30.10 >/dev/null
wait_until 15 shortcut_to sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 ||
	fail "sp1 has no shortcut to sp2's LAN: $(nhrpctl_in sp1 show dev tun0)"
wait_until 15 shortcut_to sp2 192.168.20.0/24 192.1.1.2 172.1.1.2 ||
	fail "sp2 has no shortcut to sp1's LAN: $(nhrpctl_in sp2 show dev tun0)"
# The path of the first packets, and of sp1's request: hub -> hub2 -> sp2.
capture_wait 5 "$TMPD/hub.pcap" 1 "src 192.1.1.1 and dst 192.1.1.4 and $(data_f 192.168.20.10 192.168.30.10)" ||
	fail "no packet h2 -> h3 relayed by the hub to hub2"
capture_wait 5 "$TMPD/hub2.pcap" 1 "src 192.1.1.4 and dst 192.1.1.3 and $(data_f 192.168.20.10 192.168.30.10)" ||
	fail "no packet h2 -> h3 relayed by hub2 to sp2"
capture_wait 5 "$TMPD/hub.pcap" 1 "src 192.1.1.1 and dst 192.1.1.2 and $TI and ip[80:4] = $H2 and ip[84:4] = $H3" ||
	fail "no Traffic Indication hub -> sp1 quoting h2 -> h3"
capture_wait 5 "$TMPD/hub2.pcap" 1 "src 192.1.1.4 and dst 192.1.1.3 and $TI and ip[80:4] = $H3 and ip[84:4] = $H2" ||
	fail "no Traffic Indication hub2 -> sp2 quoting h3 -> h2"
capture_seen "$TMPD/hub.pcap" 1 "src 192.1.1.1 and dst 192.1.1.4 and $(nhrp_f 1 172.1.1.2 192.168.30.10)"
capture_seen "$TMPD/hub2.pcap" 1 "src 192.1.1.4 and dst 192.1.1.3 and $(nhrp_f 1 172.1.1.2 192.168.30.10)"
capture_seen "$TMPD/hub2.pcap" 1 "src 192.1.1.4 and dst 192.1.1.1 and $(nhrp_f 1 172.1.1.3 192.168.20.10)"
# ... answered by the egress directly, with its LAN's prefix (the CIE's
# code at ip[68], its prefix length at ip[69]).
capture_seen "$TMPD/sp1.pcap" 1 "src 192.1.1.3 and dst 192.1.1.2 and $(nhrp_f 2 172.1.1.2 192.168.30.10) and ip[68] = 0 and ip[69] = 24"

log "2. Direct from now on: nothing through either hub"
in_ns h2 ping -c 2 -i 0.3 -W 1 192.168.30.10 >/dev/null
wait_until 15 shortcut_to sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 ||
	fail "sp1's shortcut went: $(nhrpctl_in sp1 show dev tun0)"
capture_start wan p-hub "ip proto 47" "$TMPD/hub-d.pcap"
capture_start wan p-hub2 "ip proto 47" "$TMPD/hub2-d.pcap"
capture_start wan p-sp1 "ip proto 47" "$TMPD/sp1-d.pcap"
ping_count h2 -c 10 -i 0.2 -W 2 192.168.30.10
expect_eq 10 "$PING_RX" "echo replies h2 -> h3 over the shortcuts"
# (the positive control of the hubs' empty captures: hub to hub traffic)
in_ns hub ping -c 2 -i 0.2 -W 2 172.1.1.4 >/dev/null || fail "the hub cannot ping hub2"
capture_stop "$TMPD/hub-d.pcap" "$TMPD/hub2-d.pcap" "$TMPD/sp1-d.pcap"
expect_eq 10 "$(capture_count_bpf "$TMPD/sp1-d.pcap" "src 192.1.1.2 and dst 192.1.1.3 and $DATA and ip[40:4] = $H2")" \
	"direct GRE echo requests sp1 -> sp2"
expect_eq 10 "$(capture_count_bpf "$TMPD/sp1-d.pcap" "src 192.1.1.3 and dst 192.1.1.2 and $DATA and ip[40:4] = $H3")" \
	"direct GRE echo replies sp2 -> sp1"
for f in hub-d hub2-d; do
	expect_eq 0 "$(capture_count_bpf "$TMPD/$f.pcap" "$S2S")" \
		"spoke-to-spoke packets at ${f%-d} after the shortcuts"
done
for f in hub-d hub2-d; do
	capture_seen "$TMPD/$f.pcap" 2 "src 192.1.1.1 and dst 192.1.1.4 and $(data_f 172.1.1.1 172.1.1.4)"
done

exit_status

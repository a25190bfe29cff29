#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Tunnel protection: the dynamic seed DMVPN with manually keyed
# transport-mode ESP for GRE between every pair of routers and
# "protection require" on every tunnel.  Registrations, spoke-to-hub and
# spoke-to-spoke traffic (resolved by NHRP) and multicast copies all work,
# and the NBMA bridge carries ESP only, no plain GRE.  Plain GRE from a
# host without an SA (data and an NHRP registration) is dropped and
# counted in rx_unprotected; after "protection off" the same packets are
# accepted (rx_data grows, the registration creates an entry) and
# rx_unprotected stays.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3 jq

# The routers first, then ESP, then the tunnels: NHRP starts protected.
topo_wan
for i in 1 2 3; do
	topo_router "$i"
done
topo_esp_pair hub 192.1.1.1 sp1 192.1.1.2 0x1000
topo_esp_pair hub 192.1.1.1 sp2 192.1.1.3 0x2000
topo_esp_pair sp1 192.1.1.2 sp2 192.1.1.3 0x3000
# (every bridge port: each packet is seen twice, in and out)
capture_start wan any "ip proto 47 or ip proto 50" "$TMPD/wan.pcap"
TOPO_NHRP="$TOPO_NHRP protection require"
topo_seed_dynamic

# The attribute round-trips through the ip plugin (text and JSON).
out=$(in_ns hub ip -d link show dev tun0)
check_match "$out" "protection require" "ip -d link show tun0 on the hub"
expect_eq require "$(in_ns sp1 ip -d -j link show dev tun0 |
	jq -r '.[0].linkinfo.info_data.protection')" "JSON protection on sp1"

# NHRP under protection: both spokes register.
for p in 172.1.1.2 172.1.1.3; do
	wait_until 20 has_entry hub "$p" dynamic unique registered ||
		fail "$p not registered at the hub: $(nhrpctl_in hub show)"
done
# Spoke to hub, hub to spoke, spoke to spoke (resolved, then direct).
ping_ok sp1 172.1.1.1 || fail "sp1 cannot ping the hub"
ping_ok sp2 172.1.1.1 || fail "sp2 cannot ping the hub"
ping_ok hub 172.1.1.3 || fail "the hub cannot ping sp2"
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot ping sp2 LAN"
wait_until 20 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve sp2: $(nhrpctl_in sp1 show)"
in_ns sp1 ping -c 3 -i 0.2 -W 2 -I 192.168.2.1 192.168.3.1 >/dev/null ||
	fail "spoke-to-spoke ping over the shortcut lost packets"
# Multicast copies (hub: "multicast dynamic") take the same way out and
# arrive: each spoke's tun0 receives the hub's echo request to 224.0.0.1
# (decapsulated, after ESP).  (The counter alone would not show it: it
# counts copies sent, whatever became of them.)
for ns in sp1 sp2; do
	capture_start "$ns" tun0 "icmp and dst 224.0.0.1" "$TMPD/mc-$ns.pcap"
done
copies=$(stat_get hub tun0 tx_mcast_copies)
# (no answer expected: icmp_echo_ignore_broadcasts; counted on the wire)
in_ns hub ping -c 1 -W 1 -I tun0 224.0.0.1 >/dev/null 2>&1
check_ge "$(stat_get hub tun0 tx_mcast_copies)" $((copies + 2)) "multicast copies sent by the hub"
for ns in sp1 sp2; do
	capture_wait 5 "$TMPD/mc-$ns.pcap" 1 ||
		fail "the hub's multicast echo request did not arrive on $ns's tun0"
done
capture_stop "$TMPD/wan.pcap" "$TMPD/mc-sp1.pcap" "$TMPD/mc-sp2.pcap"

# The positive controls first: the capture saw the protected traffic...
check_ge "$(capture_count_bpf "$TMPD/wan.pcap" "ip proto 50 and src 192.1.1.2 and dst 192.1.1.1")" 3 \
	"ESP sp1 -> hub (registrations, pings)"
check_ge "$(capture_count_bpf "$TMPD/wan.pcap" "ip proto 50 and src 192.1.1.1 and dst 192.1.1.3")" 3 \
	"ESP hub -> sp2 (registration replies, pings, multicast)"
check_ge "$(capture_count_bpf "$TMPD/wan.pcap" "ip proto 50 and src 192.1.1.2 and dst 192.1.1.3")" 3 \
	"ESP sp1 -> sp2 (NHRP reply, shortcut traffic)"
# ... and none of it in the clear.
n=$(capture_count_bpf "$TMPD/wan.pcap" "ip proto 47")
expect_eq 0 "$n" "plain GRE packets on the NBMA network"
[ "$n" = 0 ] || capture_dump "$TMPD/wan.pcap" "ip proto 47" | head -n 20
# (nothing refused: all of the above got through, see the pings)
for ns in hub sp1 sp2; do
	expect_eq 0 "$(stat_get "$ns" tun0 rx_unprotected)" "rx_unprotected on $ns after protected traffic"
done

# A host on the NBMA network without an SA: plain GRE data and a plain
# registration (right key, right password) are dropped.
topo_nbma_host atk 192.1.1.9

inject() {
	in_ns atk python3 "$LIB_DIR/nhrp_craft.py" inject --src 192.1.1.9 \
		--dst 192.1.1.1 "$@" >/dev/null || fail "nhrp_craft.py inject $* failed"
}

# What the hub's tun0 delivers from the attacker: nothing under
# protection, the echo request once it is off (the positive control).
capture_start hub tun0 "icmp and src 172.1.1.9" "$TMPD/atk.pcap"

# Exact counts: rx_unprotected counts nothing but GRE in the clear, and
# rx_data (IPv4 decapsulated by mgre) nothing but data: only the attacker
# sends GRE to the hub now (the spokes are idle, their next registration
# is minutes away, IPv6 never leaves an mgre device).  rx_dropped is the
# device's general drop counter: at least these two.
unprot0=$(stat_get hub tun0 rx_unprotected)
data0=$(stat_get hub tun0 rx_data)
drop0=$(in_ns hub cat /sys/class/net/tun0/statistics/rx_dropped)
inject data nhrp
wait_until 10 stat_ge hub rx_unprotected $((unprot0 + 2)) ||
	fail "rx_unprotected did not grow by 2"
expect_eq $((unprot0 + 2)) "$(stat_get hub tun0 rx_unprotected)" "rx_unprotected after plain data + NHRP"
expect_eq "$data0" "$(stat_get hub tun0 rx_data)" "rx_data after plain data under protection"
check_ge "$(in_ns hub cat /sys/class/net/tun0/statistics/rx_dropped)" $((drop0 + 2)) \
	"rx_dropped on the hub's tun0"
expect_eq 0 "$(entries hub '.proto == "172.1.1.9"')" "entries for the unprotected registration"

# "protection off" (changelink): the same packets are accepted.
in_ns hub ip link set tun0 type mgre protection off ||
	fail "ip link set tun0 type mgre protection off"
expect_eq off "$(in_ns hub ip -d -j link show dev tun0 |
	jq -r '.[0].linkinfo.info_data.protection')" "JSON protection after changelink"
check_match "$(in_ns hub ip -d link show dev tun0)" "network-id 10000" \
	"changelink kept the NHRP settings"
inject data nhrp
capture_wait 10 "$TMPD/atk.pcap" 1 || fail "plain data not delivered by tun0 with protection off"
wait_until 10 stat_ge hub rx_data $((data0 + 1)) || fail "plain data not accepted with protection off"
wait_until 10 has_entry hub 172.1.1.9 dynamic ||
	fail "plain registration not accepted with protection off: $(nhrpctl_in hub show)"
expect_eq $((unprot0 + 2)) "$(stat_get hub tun0 rx_unprotected)" "rx_unprotected with protection off"
expect_eq $((data0 + 1)) "$(stat_get hub tun0 rx_data)" "rx_data with protection off"
capture_stop "$TMPD/atk.pcap"
# One echo request in all: the one sent with protection off (the one sent
# before, under protection, was never delivered).
expect_eq 1 "$(capture_count_bpf "$TMPD/atk.pcap" "icmp[icmptype] = icmp-echo")" \
	"echo requests from the attacker delivered by the hub's tun0"

# The protected spokes are still fine.
ping_ok sp2 172.1.1.1 || fail "sp2 cannot ping the hub at the end"

exit_status

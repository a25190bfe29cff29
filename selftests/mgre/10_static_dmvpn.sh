#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# The seed topology with static NHRP maps: every router reaches every
# other router's tunnel address and LAN; on the wire, spoke-to-spoke
# traffic goes straight between the spokes' NBMA addresses with GRE key
# 10000, and the hub sees none of it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"


topo_seed_static

for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		ping_ok "${TOPO_NS[$i]}" "$(topo_tun "$j")" ||
			fail "${TOPO_NS[$i]} cannot ping tunnel address $(topo_tun "$j")"
		ping_ok "${TOPO_NS[$i]}" "$(topo_lan "$j")" -I "$(topo_lan "$i")" ||
			fail "${TOPO_NS[$i]} LAN cannot ping LAN $(topo_lan "$j")"
	done
done

# On the wire: 5 spoke-to-spoke echo requests, outer 192.1.1.2 -> .3, key
# 10000, GRE protocol IPv4; nothing of it at the hub's port.  The hub's
# port must see the same LAN's echoes to the hub's LAN (the positive
# control: that capture works and sees sp1's traffic for the hub).
capture_start wan p-sp1 "ip proto 47" "$TMPD/sp1.pcap"
capture_start wan p-hub "ip proto 47" "$TMPD/hub.pcap"
# (-c without -w: exactly 5 requests; -W waits for late replies)
ping_count sp1 -c 5 -i 0.2 -W $((2 * SLOW)) -I 192.168.2.1 192.168.3.1
expect_eq "5 5" "$PING_TX $PING_RX" "spoke-to-spoke LAN echoes sent, answered"
ping_count sp1 -c 2 -i 0.2 -W $((2 * SLOW)) -I 192.168.2.1 192.168.1.1
expect_eq "2 2" "$PING_TX $PING_RX" "spoke LAN to hub LAN echoes sent, answered"
capture_stop "$TMPD/sp1.pcap" "$TMPD/hub.pcap"
# (BPF offsets: GRE protocol at ip[22:2], key at ip[24:4], the inner IPv4
# header at ip[28]: its protocol at ip[37], source at ip[40:4],
# destination at ip[44:4], ICMP type at ip[48].  tcpdump starts in a
# second; tshark takes 10-30 s here.)
n=$(capture_count_bpf "$TMPD/sp1.pcap" \
	'src 192.1.1.2 and dst 192.1.1.3 and proto gre and ip[24:4] = 10000 and ip[22:2] = 0x0800 and ip[37] = 1 and ip[48] = 8 and ip[40:4] = 0xc0a80201 and ip[44:4] = 0xc0a80301')
expect_eq 5 "$n" "GRE-encapsulated echo requests 192.1.1.2 -> 192.1.1.3 key 10000"
n=$(capture_count_bpf "$TMPD/sp1.pcap" \
	'src 192.1.1.3 and dst 192.1.1.2 and proto gre and ip[24:4] = 10000 and ip[22:2] = 0x0800 and ip[37] = 1 and ip[48] = 0 and ip[40:4] = 0xc0a80301 and ip[44:4] = 0xc0a80201')
expect_eq 5 "$n" "GRE-encapsulated echo replies 192.1.1.3 -> 192.1.1.2 key 10000"
# Nothing to or from sp2's LAN address crossed the hub's port...
n=$(capture_count_bpf "$TMPD/hub.pcap" \
	'proto gre and ip[22:2] = 0x0800 and (ip[40:4] = 0xc0a80301 or ip[44:4] = 0xc0a80301)')
expect_eq 0 "$n" "spoke-to-spoke packets seen at the hub"
# ...while sp1's LAN echoes to the hub's LAN did, both ways.
capture_seen "$TMPD/hub.pcap" 2 \
	'src 192.1.1.2 and dst 192.1.1.1 and proto gre and ip[24:4] = 10000 and ip[37] = 1 and ip[48] = 8 and ip[40:4] = 0xc0a80201 and ip[44:4] = 0xc0a80101'
capture_seen "$TMPD/hub.pcap" 2 \
	'src 192.1.1.1 and dst 192.1.1.2 and proto gre and ip[24:4] = 10000 and ip[37] = 1 and ip[48] = 0 and ip[40:4] = 0xc0a80101 and ip[44:4] = 0xc0a80201'

# State: the spoke's cache holds the two static entries; Cisco-style text.
n=$(nhrpctl_in sp1 -j show dev tun0 |
	jq -c '[.[] | select(.type == "static") | "\(.proto)/\(.prefixlen) \(.nbma)"] | sort')
expect_eq '["172.1.1.1/32 192.1.1.1","172.1.1.3/32 192.1.1.3"]' "$n" "static entries in sp1's cache"
out=$(nhrpctl_in sp1 show dev tun0)
grep -q "^172.1.1.1/32 via 172.1.1.1" <<<"$out" || fail "show lacks hub entry: $out"
grep -q "NBMA address: 192.1.1.1" <<<"$out" || fail "show lacks hub NBMA: $out"
# The device counters agree with what was sent.
# (tx_cache_miss counts IPv4 without an NHRP entry only: the kernel's own
# IPv6 on tun0 is dropped as tx_unsupported; nothing here is unmapped.)
n=$(stat_get sp1 tun0 tx_unicast)
check_ge "$n" 15 "tx_unicast on sp1 (8 ping_ok requests and replies, 7 echoes)"
n=$(stat_get sp1 tun0 tx_cache_miss)
expect_eq 0 "$n" "cache misses on sp1"

exit_status

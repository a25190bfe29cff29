#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# Multicast from the hub (to 224.0.0.5, where OSPF speaks) is replicated in
# the kernel to every NBMA in the hub's multicast map: one GRE copy per
# spoke on the wire, and both spokes receive and answer it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

topo_seed_static
for ns in sp1 sp2; do
	in_ns "$ns" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
done

capture_start wan p-hub "ip proto 47" "$TMPD/hub.pcap"
capture_start sp1 tun0 "" "$TMPD/sp1.pcap"
capture_start sp2 tun0 "" "$TMPD/sp2.pcap"
in_ns hub ping -c 3 -i 0.3 -W 1 -t 1 -I tun0 224.0.0.5 >/dev/null 2>&1
capture_stop

# Both spokes answer an echo to all-hosts (224.0.0.1, joined by every
# multicast interface), so the copies were delivered, not just sent.
out=$(in_ns hub ping -c 3 -i 0.3 -W 2 -t 1 -I tun0 224.0.0.1 2>&1)
grep -q "from 172.1.1.2" <<<"$out" || fail "no answer from spoke 1: $out"
grep -q "from 172.1.1.3" <<<"$out" || fail "no answer from spoke 2: $out"
for s in 2 3; do
	# (the inner destination at ip[44:4]: see 10_static_dmvpn.sh)
	n=$(capture_count_bpf "$TMPD/hub.pcap" \
		"src 192.1.1.1 and dst 192.1.1.$s and proto gre and ip[24:4] = 10000 and ip[44:4] = 0xe0000005")
	expect_eq 3 "$n" "GRE copies of the multicast echo to 192.1.1.$s"
done
for s in sp1 sp2; do
	n=$(capture_count_bpf "$TMPD/$s.pcap" "dst 224.0.0.5 and icmp[icmptype] = icmp-echo")
	expect_eq 3 "$n" "multicast echoes received on $s tun0"
done
n=$(stat_get hub tun0 tx_mcast_copies)
expect_eq 12 "$n" "hub tx_mcast_copies (2 spokes x 6 echoes)"

# With an empty map, multicast is dropped and counted.
nhrpctl_in sp1 multicast del nbma 192.1.1.1 dev tun0
in_ns sp1 ping -c 2 -i 0.2 -W 1 -t 1 -I tun0 224.0.0.5 >/dev/null 2>&1
n=$(stat_get sp1 tun0 tx_no_mcast_map)
expect_eq 2 "$n" "multicast dropped for an empty map on sp1"

exit_status

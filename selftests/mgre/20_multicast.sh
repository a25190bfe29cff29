#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# Multicast from the hub (to 224.0.0.5, where OSPF speaks) is replicated in
# the kernel to every NBMA in the hub's multicast map: one GRE copy per
# spoke on the wire, and both spokes receive and answer it.  With an empty
# map, multicast is dropped (nothing on the wire) and counted.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"


topo_seed_static
for ns in sp1 sp2; do
	in_ns "$ns" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0 ||
		ksft_fail "cannot let $ns answer multicast echoes"
done

# tx_mcast_copies is compared exactly: only IPv4 multicast and broadcast
# reach the replication (the kernel's IPv6 MLD/ND/RS on tun0 is dropped
# before it, as tx_unsupported), the kernel sends no IGMP report for
# 224.0.0.1, the only group tun0 joined, and nothing else sends multicast.
copies0=$(stat_get hub tun0 tx_mcast_copies)
capture_start wan p-hub "ip proto 47" "$TMPD/hub.pcap"
capture_start sp1 tun0 "" "$TMPD/sp1.pcap"
capture_start sp2 tun0 "" "$TMPD/sp2.pcap"
# Nobody joined 224.0.0.5, so nobody answers; -c without -w sends 3.
ping_count hub -c 3 -i 0.3 -W 1 -t 1 -I tun0 224.0.0.5
expect_eq 3 "$PING_TX" "echoes the hub sent to 224.0.0.5"
# Both spokes answer an echo to all-hosts (224.0.0.1, joined by every
# multicast interface), so the copies were delivered, not just sent.
# (ping stops at the first answer to its last echo: the other spoke's
# is counted on the wire, below.)
ping_count hub -c 3 -i 0.3 -W $((2 * SLOW)) -t 1 -I tun0 224.0.0.1
expect_eq 3 "$PING_TX" "echoes the hub sent to 224.0.0.1"
for s in 2 3; do
	check_match "$PING_OUT" "bytes from 172\.1\.1\.$s:" "answer from spoke 172.1.1.$s to 224.0.0.1"
done
capture_stop "$TMPD/hub.pcap" "$TMPD/sp1.pcap" "$TMPD/sp2.pcap"
for s in 2 3; do
	# (the inner source at ip[40:4], destination at ip[44:4], ICMP type
	# at ip[48]: see 10_static_dmvpn.sh)
	for g in 5 1; do
		n=$(capture_count_bpf "$TMPD/hub.pcap" \
			"src 192.1.1.1 and dst 192.1.1.$s and proto gre and ip[24:4] = 10000 and ip[44:4] = 0xe000000$g and ip[48] = 8")
		expect_eq 3 "$n" "GRE copies of the echoes to 224.0.0.$g sent to 192.1.1.$s"
	done
	n=$(capture_count_bpf "$TMPD/hub.pcap" \
		"src 192.1.1.$s and dst 192.1.1.1 and proto gre and ip[24:4] = 10000 and ip[40:4] = 0xac01010$s and ip[44:4] = 0xac010101 and ip[48] = 0")
	expect_eq 3 "$n" "answers from 172.1.1.$s to the echoes to 224.0.0.1, on the wire"
done
for s in sp1 sp2; do
	n=$(capture_count_bpf "$TMPD/$s.pcap" "dst 224.0.0.5 and icmp[icmptype] = icmp-echo")
	expect_eq 3 "$n" "echoes to 224.0.0.5 received on $s tun0"
done
n=$(( $(stat_get hub tun0 tx_mcast_copies) - copies0 ))
expect_eq 12 "$n" "hub tx_mcast_copies (2 spokes x 6 echoes)"

# With an empty map, multicast is dropped and counted, and nothing goes on
# the wire; sp1's unicast to the hub, on the same port, is the positive
# control of that capture.
nhrpctl_in sp1 multicast del nbma 192.1.1.1 dev tun0 ||
	fail "cannot delete sp1's multicast map entry"
nomap0=$(stat_get sp1 tun0 tx_no_mcast_map)
capture_start wan p-sp1 "ip proto 47" "$TMPD/sp1-wire.pcap"
ping_count sp1 -c 2 -i 0.2 -W 1 -t 1 -I tun0 224.0.0.5
expect_eq 2 "$PING_TX" "echoes sp1 sent to 224.0.0.5"
mc_tx=$PING_TX
ping_count sp1 -c 1 -W $((2 * SLOW)) 172.1.1.1
expect_eq "1 1" "$PING_TX $PING_RX" "sp1's echo to the hub sent, answered"
capture_stop "$TMPD/sp1-wire.pcap"
n=$(( $(stat_get sp1 tun0 tx_no_mcast_map) - nomap0 ))
expect_eq "$mc_tx" "$n" "multicast dropped for an empty map on sp1 (tx_no_mcast_map)"
n=$(capture_count_bpf "$TMPD/sp1-wire.pcap" 'src 192.1.1.2 and proto gre and ip[44:4] = 0xe0000005')
expect_eq 0 "$n" "GRE from sp1 carrying multicast with an empty map"
capture_seen "$TMPD/sp1-wire.pcap" 1 \
	'src 192.1.1.2 and dst 192.1.1.1 and proto gre and ip[24:4] = 10000 and ip[37] = 1 and ip[48] = 8 and ip[44:4] = 0xac010101'

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# PMTU: with a 1400-byte NBMA network between the spokes, a DF packet from
# a LAN host behind sp1 that does not fit the tunnel gets ICMP frag-needed
# with the tunnel's path MTU (1400 - 20 - 8 = 1372); smaller ones pass, and
# without DF big packets are fragmented and get through.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

topo_seed_static
# A host on sp1's LAN.
ns_create h1
ip link add eth0 netns h1 type veth peer name lan1 netns sp1
in_ns h1 ip addr add 192.168.20.10/24 dev eth0
in_ns h1 ip link set eth0 up
in_ns h1 ip route add default via 192.168.20.1
in_ns sp1 ip addr add 192.168.20.1/24 dev lan1
in_ns sp1 ip link set lan1 up
in_ns sp2 ip route add 192.168.20.0/24 via 172.1.1.2
for ns in sp1 sp2; do
	in_ns "$ns" ip link set eth0 mtu 1400
	in_ns wan ip link set "p-$ns" mtu 1400
done

ping_ok h1 192.168.3.1 -M do -s 1300 || fail "1328-byte DF packet did not pass"
out=$(in_ns h1 ping -c 2 -W 2 -M do -s 1400 192.168.3.1 2>&1)
grep -q "mtu = 1372" <<<"$out" || fail "no frag-needed with mtu 1372: $out"
# The sender now knows the path MTU and sizes its packets down.
out=$(in_ns h1 ip route get 192.168.3.1)
grep -q "mtu 1372" <<<"$out" || fail "h1 did not learn PMTU 1372: $out"
# Without DF the big packet is fragmented and gets through.
ping_ok h1 192.168.3.1 -M dont -s 1400 || fail "fragmented packet did not pass"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# PMTU: with a 1400-byte NBMA network between the spokes, a DF packet from
# a LAN host behind sp1 that does not fit the tunnel gets ICMP frag-needed
# from sp1 with the tunnel's path MTU (1400 - 20 - 8 = 1372) and no
# answer; the host learns that MTU, and a DF packet of exactly 1372 bytes
# passes whole; without DF big packets are fragmented and get through.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"


# echo_whole SIZE DF: h1's echo with SIZE bytes of payload (ping -M DF)
# comes back whole (SIZE + 8 bytes of ICMP).
# shellcheck disable=SC2317	# (called through wait_until)
echo_whole() {
	local out

	out=$(in_ns h1 ping -c 1 -W 1 -M "$2" -s "$1" 192.168.3.1 2>&1)
	[[ $out == *"$(($1 + 8)) bytes from 192.168.3.1:"* ]]
}

topo_seed_static
# A host on sp1's LAN.
ns_create h1
ip link add eth0 netns h1 type veth peer name lan1 netns sp1 ||
	ksft_fail "cannot create h1's veth"
in_ns h1 ip -batch - <<'EOF' || ksft_fail "cannot set up h1"
addr add 192.168.20.10/24 dev eth0
link set eth0 up
route add default via 192.168.20.1
EOF
in_ns sp1 ip -batch - <<'EOF' || ksft_fail "cannot set up sp1"
addr add 192.168.20.1/24 dev lan1
link set lan1 up
link set eth0 mtu 1400
EOF
in_ns sp2 ip -batch - <<'EOF' || ksft_fail "cannot set up sp2"
route add 192.168.20.0/24 via 172.1.1.2
link set eth0 mtu 1400
EOF
in_ns wan ip -batch - <<'EOF' || ksft_fail "cannot set the NBMA ports' MTU"
link set p-sp1 mtu 1400
link set p-sp2 mtu 1400
EOF

wait_until 10 echo_whole 1300 "do" || fail "1328-byte DF packet did not pass whole"
# Too big: frag-needed from sp1 (its LAN address) with the tunnel's path
# MTU, and no answer (the second echo is refused by h1 itself: it knows).
ping_count h1 -c 2 -i 0.5 -W $((2 * SLOW)) -M "do" -s 1400 192.168.3.1
check_ge "$PING_TX" 1 "1428-byte DF echoes h1 sent"
expect_eq 0 "$PING_RX" "answers to 1428-byte DF echoes"
check_match "$PING_OUT" 'From 192\.168\.20\.1 .*[Ff]rag needed.*mtu = 1372' \
	"frag-needed from sp1 with mtu 1372"
# The sender now knows the path MTU and sizes its packets down.
out=$(in_ns h1 ip route get 192.168.3.1)
check_match "$out" ' mtu 1372( |$)' "h1's path MTU to 192.168.3.1"
# Exactly that much passes with DF.
wait_until 10 echo_whole 1344 "do" || fail "1372-byte DF packet did not pass whole"
# Without DF the big packet is fragmented and gets through: the answer
# comes back whole.
wait_until 10 echo_whole 1400 dont || fail "1428-byte packet without DF did not pass whole"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Forwarding benchmark, run inside the test VM (make bench).  Not a test:
# it prints packet rates measured side by side in one boot and their
# ratios.  Absolute numbers under TCG emulation mean little; the ratios
# between variants measured in the same run are the result.
#
#   ns gen --veth-- ns r1 ==(NBMA veth 10.0.0.0/24)== ns r2 --> dummy lan0
#   pktgen 64-byte UDP  forward into tunnel        decap, forward, count
#
# Variants, alternated ROUNDS times (mgre and ip_gre share the GRE slot, so
# one module is unloaded before the other is loaded):
#   plain   routed over the NBMA veth, no tunnel
#   ip_gre  ip_gre in NBMA mode, next hop resolved by a neighbour entry
#   mgre    mgre, next hop resolved by a static NHRP map entry
#   mgre100k / ip_gre100k: the same with 100k extra map / neighbour entries
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
export IP_LIB_DIR="$REPO/tools/iproute2"
NHRPCTL="$REPO/tools/nhrpctl/nhrpctl"
ROUNDS=${ROUNDS:-3}
COUNT=${COUNT:-300000}
BIG=${BIG:-100000}
TMP=$(mktemp -d)

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

cleanup() {
	local ns

	for ns in gen r1 r2; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

unload_gre() {
	rmmod mgre 2>/dev/null || true
	rmmod ip_gre 2>/dev/null || true
}

setup_base() {
	local ns

	cleanup
	mkdir -p "$TMP"
	for ns in gen r1 r2; do
		ip netns add "$ns"
		in_ns "$ns" ip link set lo up
	done
	ip link add g0 netns gen type veth peer name g1 netns r1
	ip link add u1 netns r1 type veth peer name u2 netns r2
	in_ns gen ip addr add 10.9.0.2/24 dev g0
	in_ns gen ip link set g0 up
	in_ns r1 ip addr add 10.9.0.1/24 dev g1
	in_ns r1 ip link set g1 up
	in_ns r1 ip addr add 10.0.0.1/24 dev u1
	in_ns r1 ip link set u1 up
	in_ns r2 ip addr add 10.0.0.2/24 dev u2
	in_ns r2 ip link set u2 up
	in_ns r2 ip link add lan0 type dummy
	in_ns r2 ip addr add 192.168.2.1/24 dev lan0
	in_ns r2 ip link set lan0 up
	in_ns r1 sysctl -qw net.ipv4.ip_forward=1
	in_ns r2 sysctl -qw net.ipv4.ip_forward=1
	in_ns r2 sysctl -qw net.ipv4.conf.all.rp_filter=0
	in_ns r2 sysctl -qw net.ipv4.conf.default.rp_filter=0
	in_ns r2 ip route add 10.9.0.0/24 via 10.0.0.1
}

# A file of N map lines (nhrpctl -b) or neighbour lines (ip -b).
big_batch() {
	python3 - "$1" "$BIG" <<'EOF'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    proto = "100.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
    nbma = "10.%d.%d.%d" % (1 + (i >> 16 & 255), i >> 8 & 255, 1 + i % 250)
    if kind == "mgre":
        print("map add %s nbma %s dev tun0" % (proto, nbma))
    else:
        print("neigh add %s lladdr %s dev tun0 nud permanent" % (proto, nbma))
EOF
}

setup_plain() {
	setup_base
	in_ns r1 ip route add 192.168.2.0/24 via 10.0.0.2
}

setup_mgre() {
	local big=$1

	setup_base
	unload_gre
	modprobe ip_tunnel
	insmod "$REPO/kmod/mgre.ko"
	in_ns r1 ip link add tun0 type mgre local 10.0.0.1 key 1
	in_ns r2 ip link add tun0 type mgre local 10.0.0.2 key 1
	in_ns r1 ip addr add 172.16.0.1/24 dev tun0
	in_ns r2 ip addr add 172.16.0.2/24 dev tun0
	in_ns r1 ip link set tun0 up
	in_ns r2 ip link set tun0 up
	in_ns r1 "$NHRPCTL" map add 172.16.0.2 nbma 10.0.0.2 dev tun0
	in_ns r2 "$NHRPCTL" map add 172.16.0.1 nbma 10.0.0.1 dev tun0
	if [ "$big" = 1 ]; then
		big_batch mgre >"$TMP/batch"
		in_ns r1 "$NHRPCTL" -b "$TMP/batch"
	fi
	in_ns r1 ip route add 192.168.2.0/24 via 172.16.0.2
}

setup_ip_gre() {
	local big=$1

	setup_base
	unload_gre
	modprobe ip_gre
	in_ns r1 ip link add tun0 type gre local 10.0.0.1 key 1
	in_ns r2 ip link add tun0 type gre local 10.0.0.2 key 1
	in_ns r1 ip addr add 172.16.0.1/24 dev tun0
	in_ns r2 ip addr add 172.16.0.2/24 dev tun0
	in_ns r1 ip link set tun0 up
	in_ns r2 ip link set tun0 up
	in_ns r1 ip neigh add 172.16.0.2 lladdr 10.0.0.2 dev tun0 nud permanent
	in_ns r2 ip neigh add 172.16.0.1 lladdr 10.0.0.1 dev tun0 nud permanent
	if [ "$big" = 1 ]; then
		in_ns r1 sysctl -qw net.ipv4.neigh.default.gc_thresh3=$((BIG * 2))
		in_ns r1 sysctl -qw net.ipv4.neigh.default.gc_thresh2=$((BIG * 2))
		big_batch ip_gre >"$TMP/batch"
		in_ns r1 ip -b "$TMP/batch"
	fi
	in_ns r1 ip route add 192.168.2.0/24 via 172.16.0.2
}

lan_tx() {
	in_ns r2 cat /sys/class/net/lan0/statistics/tx_packets
}

# Send COUNT 64-byte frames from gen; print delivered packets/s at r2.
measure() {
	local pg=/proc/net/pktgen mac before after usec

	mac=$(in_ns r1 cat /sys/class/net/g1/address)
	in_ns gen sh -c "
		echo rem_device_all > $pg/kpktgend_0
		echo add_device g0 > $pg/kpktgend_0
		echo 'count $COUNT' > $pg/g0
		echo 'pkt_size 60' > $pg/g0
		echo 'delay 0' > $pg/g0
		echo 'dst 192.168.2.10' > $pg/g0
		echo 'dst_mac $mac' > $pg/g0
		echo 'udp_dst_min 9' > $pg/g0
		echo 'udp_dst_max 9' > $pg/g0"
	# Warm the route and neighbour caches.
	in_ns gen ping -c 2 -W 1 10.9.0.1 >/dev/null 2>&1 || true
	before=$(lan_tx)
	in_ns gen sh -c "echo start > $pg/pgctrl"
	after=$(lan_tx)
	usec=$(in_ns gen sed -n 's/.*OK: \([0-9]*\)(c.*/\1/p' $pg/g0)
	python3 -c "print(int(($after - $before) * 1e6 / max($usec, 1)))"
}

declare -A total runs
record() {
	total[$1]=$(( ${total[$1]:-0} + $2 ))
	runs[$1]=$(( ${runs[$1]:-0} + 1 ))
	printf '  %-10s %8d pps delivered\n' "$1" "$2"
}

modprobe pktgen
for round in $(seq "$ROUNDS"); do
	echo "round $round/$ROUNDS"
	setup_plain; record plain "$(measure)"
	setup_ip_gre 0; record ip_gre "$(measure)"
	setup_mgre 0; record mgre "$(measure)"
	setup_ip_gre 1; record ip_gre100k "$(measure)"
	setup_mgre 1; record mgre100k "$(measure)"
done
cleanup
unload_gre

avg() { echo $(( total[$1] / runs[$1] )); }
echo
echo "mean delivered packets/s over $ROUNDS rounds, $COUNT x 64-byte UDP each:"
for v in plain ip_gre mgre ip_gre100k mgre100k; do
	printf '  %-10s %8d\n' "$v" "$(avg "$v")"
done
ratio() { python3 -c "print('%.2f' % ($(avg "$1") / max($(avg "$2"), 1)))"; }
echo "ratios:"
echo "  mgre / ip_gre            $(ratio mgre ip_gre)"
echo "  mgre / plain             $(ratio mgre plain)"
echo "  ip_gre / plain           $(ratio ip_gre plain)"
echo "  mgre100k / mgre          $(ratio mgre100k mgre)"
echo "  ip_gre100k / ip_gre      $(ratio ip_gre100k ip_gre)"
echo "  mgre100k / ip_gre100k    $(ratio mgre100k ip_gre100k)"

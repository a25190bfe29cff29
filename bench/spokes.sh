#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Hub scale benchmark, run inside the test VM (make bench, after
# bench/run.sh).  Not a test: it prints what a hub's state costs.
#
#   ns gen (192.1.1.9) --veth-- ns hub (192.1.1.1, tun0: mgre, NHRP server)
#
# P6, kernel memory per registered spoke: gen sends SPOKES (100000)
# authenticated registrations, each from its own NBMA address
# (100.64.0.1 on, spoofed; the hub routes 100.64.0.0/10 back to gen, which
# takes the replies as its own) for its own protocol address (10.128.0.1
# on, inside the hub's 10.0.0.0/8 on tun0), at RATE (4000) a second at
# most (nhrp_craft.py flood: the generator, not the hub, is the limit
# under TCG).  The hub's unreclaimable slab, vmalloc and per-CPU memory
# are read before and after (caches dropped, slabs shrunk), and divided
# by the entries registered.  Then the hub sends one data packet to each
# of ACTIVE (1000) of the spokes: each gets a route cache (kmod/peer.c),
# whose cost is measured the same way, and after 30 s without data
# (reclaimed) measured again.  Also printed: the registrations the hub
# answered, and how long it took (P4's mgre half, at the generator's
# rate).
#
# P4, FRR's half: then mgre is unloaded and FRR nhrpd (zebra beside it)
# runs as the hub on an ip_gre device in the same VM; gen sends it
# FRR_SPOKES (20000) registrations the same way, at the same RATE, and
# the registrations answered per second while sent are compared.
#
# Environment: SPOKES (100000), RATE (4000), ACTIVE (1000), FRR_SPOKES
# (20000).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
SPOKES=${SPOKES:-100000}
RATE=${RATE:-4000}
ACTIVE=${ACTIVE:-1000}
FRR_SPOKES=${FRR_SPOKES:-20000}
T_START=$EPOCHREALTIME

trap hub_cleanup EXIT

[ "$(id -u)" = 0 ] || die "must run as root (in the VM: make bench)"
[ "$SPOKES" -le 1000000 ] || die "SPOKES: at most 1000000"

load_mgre
hub_gen
ip -n hub link add tun0 type mgre local 192.1.1.1 key 10000 network-id 10000 \
	holdtime 3600 auth cisco123 cache-max $((SPOKES + 1000)) \
	multicast-dynamic-max $((SPOKES + 1000 > 262144 ? 262144 : SPOKES + 1000))
ip -n hub addr add 172.1.1.1/24 dev tun0
ip -n hub addr add 10.0.0.1/8 dev tun0
ip -n hub link set tun0 up
in_ns hub "$NHRPCTL" multicast add dynamic dev tun0

# memory: sets MEM to unreclaimable slab + vmalloc + per-CPU memory (kB)
# once reclaimable caches are dropped and every slab cache is shrunk.
MEM=0
memory() {
	local f k v _u slab=0 vm=0 pcpu=0
	sync
	echo 2 > /proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 2>/dev/null > "$f" || :
	done
	while read -r k v _u; do
		case $k in
		SUnreclaim:) slab=$v ;;
		VmallocUsed:) vm=$v ;;
		Percpu:) pcpu=$v ;;
		esac
	done < /proc/meminfo
	MEM=$((slab + vm + pcpu))
	MEMS="slab $slab kB, vmalloc $vm kB, percpu $pcpu kB"
}
entries() {	# the hub's dynamic (registered) entries
	in_ns hub "$NHRPCTL" -j show dev tun0 | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin) if e["type"] == "dynamic"))'
}
stat() { in_ns hub "$NHRPCTL" -j stats dev tun0 | python3 -c "import json,sys; print(json.load(sys.stdin)['devices']['tun0']['$1'])"; }

echo "bench: kernel $(uname -r), $(nproc) cpus; $SPOKES spokes registering at $RATE/s at most, then data to $ACTIVE of them"
memory; m0=$MEM; log0=$MEMS
t0=$EPOCHREALTIME
in_ns gen python3 "$CRAFT" flood --self-nbma 192.1.1.9 --first-nbma 100.64.0.1 \
	--first-proto 10.128.0.1 --count "$SPOKES" --rate "$RATE" --holdtime 3600 \
	>"$TMP/flood.json"
t1=$EPOCHREALTIME
n=$(entries)
memory; m1=$MEM; log1=$MEMS
rx=$(stat nhrp_rx_reg_req)
tx=$(stat nhrp_tx_reg_reply)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo
echo "P4 (mgre): $SPOKES registrations sent in $secs s ($(awk -v n="$SPOKES" -v s="$secs" 'BEGIN { printf "%d", n / s }')/s, the generator's pace): the hub received $rx, answered $tx, holds $n; the generator counted $(cat "$TMP/flood.json")"
echo "P6: kernel memory for $n registered spokes: $((m1 - m0)) kB ($log0 -> $log1)"
[ "$n" -gt 0 ] && echo "P6: $(( (m1 - m0) * 1024 / n )) bytes per registered spoke (entry, its multicast-map reference, the hash tables)"

# Data to ACTIVE spokes: a route cache each.
in_ns hub python3 -c '
import socket, sys, ipaddress
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
base = int(ipaddress.IPv4Address("10.128.0.1"))
for i in range(int(sys.argv[1])):
    s.sendto(b"x", (str(ipaddress.IPv4Address(base + i)), 9))
' "$ACTIVE"
memory; m2=$MEM; log2=$MEMS
echo "P6: data to $ACTIVE spokes: $(stat route_caches_made) route caches made, +$((m2 - m1)) kB ($log2): $(( (m2 - m1) * 1024 / ACTIVE )) bytes per spoke that carries traffic, on $(nproc) CPUs (the route cache, and the kernel's neighbour entry for the next hop on tun0)"
msg "waiting 45 s for the idle route caches to be reclaimed"
sleep 45
memory; m3=$MEM; log3=$MEMS
echo "P6: 45 s later: $(stat route_caches_reclaimed) route caches reclaimed; $((m3 - m1)) kB over the registered state ($log3; freed slab objects stay in their pages)"
mgre_rate=$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(int(sum(d["replies"].values()) / d["seconds"]))' <"$TMP/flood.json")

# P4, FRR's half, in the same VM: mgre unloaded (GRE version 0 is one
# module's), FRR nhrpd as the hub on an ip_gre device, as the FRR docs
# set it up (a /32 on gre1, the subnets routed to it), zebra beside it.
# FRR_SPOKES registrations from as many spoofed NBMA addresses, at the
# same RATE, without the authentication extension (FRR 8.4's nhrpd has
# none).  nhrpd installs a neighbour per registered spoke: the kernel's
# neighbour table limits are raised so that they are not what stops it.
sysctl -qw net.ipv4.neigh.default.gc_thresh1=$((FRR_SPOKES * 2)) \
	net.ipv4.neigh.default.gc_thresh2=$((FRR_SPOKES * 2)) \
	net.ipv4.neigh.default.gc_thresh3=$((FRR_SPOKES * 2))
frr_hub bench
msg "FRR: $FRR_SPOKES registrations at $RATE/s at most"
sleep 2
t0=$EPOCHREALTIME
in_ns gen python3 "$CRAFT" flood --self-nbma 192.1.1.9 --first-nbma 100.64.0.1 \
	--first-proto 10.128.0.1 --count "$FRR_SPOKES" --rate "$RATE" --holdtime 3600 \
	--secret "" >"$TMP/flood-frr.json"
t1=$EPOCHREALTIME
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
frr_rate=$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(int(sum(d["replies"].values()) / d["seconds"]))' <"$TMP/flood-frr.json")
sleep 5
echo "P4 (FRR nhrpd): $FRR_SPOKES registrations sent in $secs s: the generator counted $(cat "$TMP/flood-frr.json"); nhrpd holds $(frr_registered) 5 s later"
if [ "$frr_rate" -gt 0 ]; then
	echo "P4: registrations answered per second while sent: mgre $mgre_rate (all of them: the generator's pace), FRR nhrpd $frr_rate: mgre/FRR >= $(awk -v a="$mgre_rate" -v b="$frr_rate" 'BEGIN { printf "%.1f", a / b }')"
else
	echo "P4: registrations answered per second while sent: mgre $mgre_rate, FRR nhrpd 0 (see $FRR_DIR/nhrpd.log)"
	tail -n 20 "$FRR_DIR/nhrpd.log" >&2
fi
frr_stop
echo
echo "bench: done in $(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"

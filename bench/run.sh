#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Forwarding benchmark, run inside the test VM (make bench).  Not a test:
# it measures what forwarding a packet costs through each variant, side
# by side in one boot, and prints the costs and their ratios.  Absolute
# numbers under TCG emulation mean little; the ratios between variants
# measured in the same run are the result.
#
#   ns gen --veth g0/g1-- ns r1 ==(NBMA veth u1/u2, 10.0.0.0/24)== ns r2 --> dummy lan0
#   pktgen 64-byte UDP     forward into a tunnel                 decap, forward
#                                                                (counted here)
#
# Variants:
#   plain        routed over the NBMA veth, no tunnel
#   ip_gre       ip_gre in NBMA mode ("local", no "remote"), the next hop's
#                NBMA address in a permanent neighbour entry (lladdr)
#   ip_gre+100k  the same through a second ip_gre device that holds BIG
#                (100,000) more permanent neighbour entries ("ip -batch")
#   mgre         mgre, the next hop's NBMA address in a static NHRP map entry
#   mgre+100k    the same through a second mgre device that holds BIG more
#                map entries ("nhrpctl -b")
#   ... xPEERS   the same device kind (tun2: key 3, 172.18.0.0/24) with the
#                traffic spread over PEERS (100) next hops, each its own
#                NBMA address (10.0.1.1-100 on r2): a hub's traffic, where
#                a per-CPU cache of the last route or XFRM bundle cannot
#                help
#   ...+esp-null, ...+esp-gcm
#                mgre and ip_gre (1 peer and xPEERS) with transport-mode
#                ESP on the GRE (manual SAs, one per NBMA address; r1's
#                policy "proto gre dir out"): the null cipher (the IPsec
#                framework's cost, what hardware crypto leaves) and
#                rfc4106(gcm(aes))
# Each tunnel phase builds its devices (tun0: key 1, 172.16.0.0/24; tun1:
# key 2, 172.17.0.0/24, with the BIG entries on r1; tun2 for xPEERS) and
# then alternates between them REPEAT times by replacing r1's routes, so
# that a variant and its twins are measured minutes apart at most; the
# first window of a phase has a longer warm-up.  The ESP windows follow,
# SAs and policy added before and removed after each cipher.  mgre and ip_gre
# both claim GRE version 0 from the gre demultiplexer: one module is
# unloaded before the other is loaded, and a round is plain, the ip_gre
# phase, the mgre phase.  The load times of the BIG entries are reported.
#
# Measurement: pktgen in gen sends RATE (1000) 64-byte UDP frames per
# second to 192.168.2.10-109 (one address after the other; r1 routes them
# as one /24, or as PEERS /32s for xPEERS) from the kernel thread of the
# last CPU; RPS on
# r1's g1 hands every frame to CPU 0, which does all the forwarding (r1,
# both tunnel ends, r2).  The rate is far below what CPU 0 can forward, so
# nothing queues or drops and no queueing effect distorts the result (a
# saturating load did: with three softirq stages on one CPU, where the
# drops happen decides the throughput).  Over a window of DURATION seconds
# (after WARMUP seconds) the script counts the packets r2's lan0 sends
# and CPU 0's busy time (wall time minus CPU 0's idle time, which the
# kernel measures exactly when the tick is stopped), subtracts CPU 0's
# busy share measured without traffic for one second before and one
# after, and divides: microseconds of CPU per forwarded packet.  Counters come from
# /proc/PID/net/dev of processes in the namespaces and /proc/stat, read
# with shell builtins: no program is started during a window.  Before
# each window the script waits for CPU 0 to be idle (deferred work, such
# as freeing a namespace with 100,000 entries, must not run during a
# window) and pings across the path; afterwards it checks that r2's
# tunnel received the packets and warns if more than 2% were lost.
#
# Environment: ROUNDS (2), REPEAT (2), RATE (1000 pps), DURATION (5 s),
# WARMUP (1 s), BIG (100000; 0 = no +BIG variants), PEERS (100, at most
# 100; 0 = no xPEERS variants), ESP ("null gcm"; "" = no ESP variants),
# VARIANTS ("plain ip_gre mgre").
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
export IP_LIB_DIR="$REPO/tools/iproute2"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
NHRPCTL="$REPO/tools/nhrpctl/nhrpctl"
MGRE_KO=${MGRE_KO:-$REPO/kmod/mgre.ko}
ROUNDS=${ROUNDS:-2}
REPEAT=${REPEAT:-2}
RATE=${RATE:-1000}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
BIG=${BIG:-100000}
PEERS=${PEERS:-100}
ESP=${ESP-null gcm}
VARIANTS=${VARIANTS:-plain ip_gre mgre}
TMP=$(mktemp -d)
PG=/proc/net/pktgen
T_START=$EPOCHREALTIME

msg() { echo "bench: $*" >&2; }
die() { msg "error: $*"; exit 1; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Sleeping and timing without starting programs (each costs under TCG).
exec {SLEEP_FD}<> <(:)
nap() { read -r -t "$1" -u "$SLEEP_FD" _ 2>/dev/null || :; }
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

declare -A WATCH=()	# netns -> PID of a process in it (for /proc/PID/net)
teardown() {
	local ns
	for ns in "${!WATCH[@]}"; do
		kill "${WATCH[$ns]}" 2>/dev/null || :
		wait "${WATCH[$ns]}" 2>/dev/null || :
	done
	WATCH=()
	for ns in gen r1 r2; do
		ip netns del "$ns" 2>/dev/null || :
	done
}
cleanup() {
	teardown
	unload_gre
	rm -rf "$TMP"
}
trap cleanup EXIT

# --- modules ----------------------------------------------------------------------------

# unload MOD: rmmod, retrying while a netns being deleted still holds it.
unload() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -d "/sys/module/$1" ] || return 0
		rmmod "$1" 2>/dev/null && return 0
		nap 0.2
	done
	die "cannot unload $1"
}
unload_gre() {
	unload mgre
	unload ip_gre
}
load_mgre() {
	local d
	unload ip_gre
	[ -d /sys/module/mgre ] && return 0
	modprobe ip_tunnel
	modprobe gre
	for d in $(modinfo -F depends "$MGRE_KO" | tr ',' ' '); do
		modprobe "$d"
	done
	insmod "$MGRE_KO"
}
load_ip_gre() {
	unload mgre
	modprobe ip_gre
}

# --- topology -------------------------------------------------------------------------------

setup_base() {
	local ns

	teardown
	PEER_ROUTES=0
	for ns in gen r1 r2; do
		ip netns add "$ns"
		in_ns "$ns" ip link set lo up
	done
	ip link add g0 netns gen type veth peer name g1 netns r1
	ip link add u1 netns r1 type veth peer name u2 netns r2
	ip -n gen addr add 10.9.0.2/24 dev g0
	ip -n gen link set g0 up
	ip -n gen route add default via 10.9.0.1
	ip -n r1 addr add 10.9.0.1/24 dev g1
	ip -n r1 addr add 10.0.0.1/24 dev u1
	ip -n r2 addr add 10.0.0.2/24 dev u2
	ip -n r2 link add lan0 type dummy
	ip -n r2 addr add 192.168.2.1/24 dev lan0
	ip -n r2 link set lan0 up
	# CPU 0 forwards, whatever CPU pktgen runs on; r1 -> r2 through
	# u2's NAPI ring (see the header).
	in_ns r1 sh -c 'echo 1 > /sys/class/net/g1/queues/rx-0/rps_cpus'
	in_ns r1 ethtool -K u1 tso off
	in_ns r2 ethtool -K u2 gro on
	ip -n r1 link set g1 up
	ip -n r1 link set u1 up
	ip -n r2 link set u2 up
	ip -n r2 route add 10.9.0.0/24 via 10.0.0.1
	in_ns r1 sysctl -qw net.ipv4.ip_forward=1
	# (before the tunnels exist, so that they inherit rp_filter 0:
	# the traffic is asymmetric, replies do not use the tunnel)
	in_ns r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	# Processes whose /proc/PID/net/dev the sampling reads.
	for ns in gen r1 r2; do
		ip netns exec "$ns" sleep 100000 &
		WATCH[$ns]=$!
	done
}

setup_plain() {
	setup_base
	ip -n r1 route add 192.168.2.0/24 via 10.0.0.2
}

# Files of BIG extra entries for r1's tun1, made once: 100.A.B.C -> 10.X.B.Y
big_file() {
	local kind=$1 f=$TMP/big.$1
	[ -s "$f" ] || python3 - "$kind" "$BIG" >"$f" <<'EOF'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = []
for i in range(n):
    proto = "100.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
    nbma = "10.%d.%d.%d" % (1 + (i >> 16 & 255), i >> 8 & 255, 1 + i % 250)
    if kind == "mgre":
        out.append("map add %s nbma %s dev tun1" % (proto, nbma))
    else:
        out.append("neigh add %s lladdr %s dev tun1 nud permanent" % (proto, nbma))
print("\n".join(out))
EOF
	echo "$f"
}

declare -A LOAD_US=()
# timed NAME CMD...: run CMD, append its wall time (us) to LOAD_US[NAME]
timed() {
	local name=$1 t0
	shift
	t0=$(now_us)
	"$@"
	LOAD_US[$name]="${LOAD_US[$name]:-} $(( $(now_us) - t0 ))"
}

# setup_tunnels KIND: tun0 and tun1 of KIND (mgre or gre) in r1 and r2,
# each next hop mapped to its NBMA address, BIG more entries on r1's tun1.
setup_tunnels() {
	local kind=$1 i j net

	setup_base
	if [ "$kind" = mgre ]; then load_mgre; else load_ip_gre; fi
	for i in 0 1; do
		net=172.$((16 + i)).0
		for j in 1 2; do
			ip -n "r$j" link add "tun$i" type "$kind" local "10.0.0.$j" \
				key $((i + 1)) ttl 64
			ip -n "r$j" addr add "$net.$j/24" dev "tun$i"
			ip -n "r$j" link set "tun$i" up
		done
		if [ "$kind" = mgre ]; then
			in_ns r1 "$NHRPCTL" map add "$net.2" nbma 10.0.0.2 dev "tun$i"
			in_ns r2 "$NHRPCTL" map add "$net.1" nbma 10.0.0.1 dev "tun$i"
		else
			ip -n r1 neigh add "$net.2" lladdr 10.0.0.2 dev "tun$i" nud permanent
			ip -n r2 neigh add "$net.1" lladdr 10.0.0.1 dev "tun$i" nud permanent
		fi
	done
	if [ "$BIG" -gt 0 ]; then
		if [ "$kind" = mgre ]; then
			# (nhrpctl -b and ip -batch fail on any failing line)
			timed mgre in_ns r1 "$NHRPCTL" -b "$(big_file mgre)"
		else
			# Permanent entries are exempt from the neighbour garbage
			# collector in this kernel; raise the (global) thresholds
			# anyway.
			sysctl -qw net.ipv4.neigh.default.gc_thresh1=$((BIG * 2)) \
				net.ipv4.neigh.default.gc_thresh2=$((BIG * 2)) \
				net.ipv4.neigh.default.gc_thresh3=$((BIG * 4))
			timed ip_gre ip -n r1 -batch "$(big_file ip_gre)"
		fi
	fi
	ip -n r1 route add 192.168.2.0/24 via 172.16.0.2
	[ "$PEERS" -gt 0 ] && setup_peers "$kind"
	return 0
}

# setup_peers KIND: tun2 on r1 and r2 (r2's with "local any": it takes
# GRE to all its NBMA addresses), PEERS next hops 172.18.0.2... on r1,
# each mapped to its own NBMA address 10.0.1.1... of r2.
setup_peers() {
	local kind=$1 i b1='' b2='' m=''

	for i in 1 2; do
		ip -n "r$i" link add tun2 type "$kind" \
			local "$([ "$i" = 1 ] && echo 10.0.0.1 || echo any)" key 3 ttl 64
		ip -n "r$i" addr add "172.18.0.$i/24" dev tun2
		ip -n "r$i" link set tun2 up
	done
	ip -n r1 route add 10.0.1.0/24 dev u1
	for ((i = 1; i <= PEERS; i++)); do
		b2+="addr add 10.0.1.$i/24 dev u2"$'\n'
		if [ "$kind" = mgre ]; then
			m+="map add 172.18.0.$((i + 1)) nbma 10.0.1.$i dev tun2"$'\n'
		else
			b1+="neigh add 172.18.0.$((i + 1)) lladdr 10.0.1.$i dev tun2 nud permanent"$'\n'
		fi
	done
	ip -n r2 -batch - <<<"$b2"
	if [ "$kind" = mgre ]; then
		printf '%s' "$m" >"$TMP/peers.nhrp"
		in_ns r1 "$NHRPCTL" -b "$TMP/peers.nhrp"
	else
		ip -n r1 -batch - <<<"$b1"
	fi
}

# use_tunnel N: r1 routes the test traffic through its tunN (N = 2: each
# destination address through its own next hop, PEERS /32 routes)
PEER_ROUTES=0
use_tunnel() {
	local i b='' op=''
	if [ "$1" = 2 ]; then
		op=replace
	elif [ "$PEER_ROUTES" = 1 ]; then
		op=del
	fi
	if [ -n "$op" ]; then
		for ((i = 1; i <= PEERS; i++)); do
			b+="route $op 192.168.2.$((9 + i))/32"
			[ "$op" = del ] || b+=" via 172.18.0.$((i + 1))"
			b+=$'\n'
		done
		ip -n r1 -batch - <<<"$b"
		PEER_ROUTES=$([ "$op" = replace ] && echo 1 || echo 0)
	fi
	[ "$1" = 2 ] || ip -n r1 route replace 192.168.2.0/24 via "172.$((16 + $1)).0.2"
}

# esp_on CIPHER: transport-mode ESP for GRE from r1 to each of r2's NBMA
# addresses (10.0.0.2 and 10.0.1.1-PEERS): an SA each, on both sides,
# and r1's outbound policy for GRE to them.  esp_off: all removed.
esp_on() {
	local i d alg b=''
	case $1 in
	null) alg='enc cipher_null ""' ;;
	gcm) alg="aead rfc4106(gcm(aes)) 0x$(printf '%040x' 7) 128" ;;
	*) die "unknown ESP cipher $1 (ESP: null gcm)" ;;
	esac
	for ((i = 0; i <= PEERS; i++)); do
		d=$([ "$i" = 0 ] && echo 10.0.0.2 || echo "10.0.1.$i")
		b+="xfrm state add src 10.0.0.1 dst $d proto esp spi $((0x1000 + i)) mode transport $alg"$'\n'
	done
	ip -n r2 -batch - <<<"$b"
	b+="xfrm policy add src 10.0.0.1/32 dst 10.0.0.0/16 proto gre dir out tmpl proto esp mode transport"$'\n'
	ip -n r1 -batch - <<<"$b"
}
esp_off() {
	local ns
	for ns in r1 r2; do
		ip -n "$ns" xfrm policy flush
		ip -n "$ns" xfrm state flush
	done
}

# --- measurement ------------------------------------------------------------------------------

# counter NS IFNAME FIELD: sets COUNTER to field FIELD (2 = rx_packets,
# 10 = tx_packets, 12 = tx_drop) of IFNAME in NS's /proc/net/dev and T to
# the time it was read (us); COUNTER=0 and returns 1 if there is no IFNAME.
COUNTER=0 T=0
counter() {
	local line name f
	COUNTER=0
	while IFS= read -r line; do
		name=${line%%:*}
		name=${name// /}
		[ "$name" = "$2" ] || continue
		T=${EPOCHREALTIME/./}
		read -r -a f <<<"${line#*:}"
		COUNTER=${f[$(($3 - 1))]}
		return 0
	done < "/proc/${WATCH[$1]}/net/dev"
	return 1
}

# sent_g0: sets COUNTER to the frames pktgen sent on g0 (the veth counts
# those the peer refused as tx_drop, not in tx_packets)
sent_g0() {
	local sent
	counter gen g0 10
	sent=$COUNTER
	counter gen g0 12
	COUNTER=$((sent + COUNTER))
}

# settle: wait until CPU 0 is at least 95% idle over half a second (at
# most 120 s), so that deferred work of the previous step (netns cleanup,
# RCU callbacks) does not run during the next measurement.
settle() {
	local i i0 t0
	for ((i = 0; i < 240; i++)); do
		cpu0_idle
		i0=$IDLE0 t0=$T
		nap 0.5
		cpu0_idle
		(( (IDLE0 - i0) * 100 >= (T - t0) * 95 )) && return 0
	done
	msg "warning: CPU 0 did not settle in 120 s"
}

pg() { in_ns gen sh -c "echo '$1' > $PG/$2"; }

# cpu0_idle: sets IDLE0 to CPU 0's idle + iowait time (us, from
# /proc/stat in 1/100 s) and T to the time it was read (us)
IDLE0=0
cpu0_idle() {
	local name idle iowait
	while read -r name _ _ _ idle iowait _; do
		[ "$name" = cpu0 ] || continue
		T=${EPOCHREALTIME/./}
		IDLE0=$(( (idle + iowait) * 10000 ))
		return 0
	done < /proc/stat
	die "no cpu0 in /proc/stat"
}

# base_busy: sets BUSY0 to CPU 0's busy share (per mille) over one
# second without traffic
BUSY0=0
base_busy() {
	local i0 t0
	cpu0_idle; i0=$IDLE0 t0=$T
	nap 1
	cpu0_idle
	BUSY0=$(( (T - t0 - (IDLE0 - i0)) * 1000 / (T - t0) ))
	(( BUSY0 >= 0 )) || BUSY0=0
}

# measure VARIANT TUN [WARMUP]: one window.  Sets COST_NS (CPU 0 ns per delivered
# packet, background subtracted), DELIVERED and OFFERED (packets/s at
# r2's lan0 and out of pktgen), BUSY and BASE (CPU 0 busy per mille with
# and without traffic), TUN_RX (packets/s received on r2's TUN, "-"
# without TUN) and LOST (per mille of the sent frames not delivered).
COST_NS=0 DELIVERED=0 OFFERED=0 BUSY=0 BASE=0 TUN_RX=0 LOST=0
measure() {
	local variant=$1 tun=$2 warmup=${3:-$WARMUP} mac pgpid kt i0 i1 t0 t1 c0 c1 r0=0 r1=0 g0 g1 dt busy_us res b0

	settle
	# The path works and ARP is resolved: gen -> r1 -> (tunnel) -> r2.
	in_ns gen ping -c 2 -W 2 -q 192.168.2.1 >/dev/null 2>&1 ||
		die "$variant: gen cannot ping 192.168.2.1 across r1 and r2"
	mac=$(in_ns r1 cat /sys/class/net/g1/address)
	kt=kpktgend_$(( $(nproc) - 1 ))
	in_ns gen sh -c "
		for t in $PG/kpktgend_*; do echo rem_device_all > \$t; done
		echo add_device g0 > $PG/$kt
		echo 'count 0' > $PG/g0
		echo 'pkt_size 60' > $PG/g0
		echo 'delay $((1000000000 / RATE))' > $PG/g0
		echo 'dst_min 192.168.2.10' > $PG/g0
		echo 'dst_max 192.168.2.109' > $PG/g0
		echo 'dst_mac $mac' > $PG/g0
		echo 'udp_src_min 9' > $PG/g0
		echo 'udp_src_max 9' > $PG/g0
		echo 'udp_dst_min 9' > $PG/g0
		echo 'udp_dst_max 9' > $PG/g0"
	# CPU 0's background load without traffic, before and after.
	base_busy; b0=$BUSY0

	in_ns gen sh -c "echo start > $PG/pgctrl" &
	pgpid=$!
	nap "$warmup"
	# (the same order at both ends: the skews cancel)
	sent_g0; g0=$COUNTER
	counter r2 lan0 10 || die "no lan0 in r2"
	c0=$COUNTER
	cpu0_idle; i0=$IDLE0 t0=$T
	if [ -n "$tun" ]; then
		counter r2 "$tun" 2 || die "no $tun in r2"
		r0=$COUNTER
	fi
	nap "$DURATION"
	sent_g0; g1=$COUNTER
	counter r2 lan0 10; c1=$COUNTER
	cpu0_idle; i1=$IDLE0 t1=$T
	if [ -n "$tun" ]; then
		counter r2 "$tun" 2
		r1=$COUNTER
	fi
	pg stop pgctrl
	wait "$pgpid" || :
	res=$(in_ns gen cat "$PG/g0")
	base_busy
	BASE=$(( (b0 + BUSY0) / 2 ))

	dt=$((t1 - t0))
	(( c1 > c0 )) || die "$variant: nothing delivered to r2's lan0 (pktgen: $res)"
	DELIVERED=$(( (c1 - c0) * 1000000 / dt ))
	OFFERED=$(( (g1 - g0) * 1000000 / dt ))
	BUSY=$(( (dt - (i1 - i0)) * 1000 / dt ))
	(( BUSY >= 0 )) || BUSY=0
	busy_us=$(( (BUSY - BASE) * dt / 1000 ))
	(( busy_us >= 0 )) || busy_us=0
	COST_NS=$(( busy_us * 1000 / (c1 - c0) ))
	LOST=0
	(( g1 > g0 )) && LOST=$(( ((g1 - g0) - (c1 - c0)) * 1000 / (g1 - g0) ))
	(( LOST >= 0 )) || LOST=0
	if [ -z "$tun" ]; then
		TUN_RX=-
	else
		TUN_RX=$(( (r1 - r0) * 1000000 / dt ))
		(( r1 > r0 )) || die "$variant: nothing arrived on r2's $tun during the window"
	fi
	if (( LOST > 20 )); then
		msg "warning: $variant: $((LOST / 10)).$((LOST % 10))% of the frames were not delivered"
	fi
}

us() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }	# ns -> "us.d"

declare -A COSTS=()
ORDER=()
# run_variant VARIANT [TUN [WARMUP]]: measure and record one window
run_variant() {
	local v=$1
	measure "$v" "${2:-}" "${3:-}"
	[ -n "${COSTS[$v]:-}" ] || ORDER+=("$v")
	COSTS[$v]="${COSTS[$v]:-} $COST_NS"
	printf 'round %d/%d  %-20s %7s us/packet   (%d of %d pps delivered, lost %d.%d%%, CPU 0 busy %d.%d%%, without traffic %d.%d%%, r2 tunnel rx %s pps)\n' \
		"$round" "$ROUNDS" "$v" "$(us "$COST_NS")" "$DELIVERED" "$OFFERED" \
		$((LOST / 10)) $((LOST % 10)) $((BUSY / 10)) $((BUSY % 10)) \
		$((BASE / 10)) $((BASE % 10)) "$TUN_RX"
}

# --- run --------------------------------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "must run as root (in the VM: make bench)"
[ -f "$MGRE_KO" ] || die "$MGRE_KO missing: run make"
[ -x "$NHRPCTL" ] || die "$NHRPCTL missing: run make"
command -v ethtool >/dev/null || die "ethtool missing (scripts/deps.sh)"
[ "$PEERS" -le 100 ] || die "PEERS=$PEERS: at most 100 (the traffic goes to 100 addresses)"
modprobe pktgen
unload_gre
echo "bench: kernel $(uname -r), $(nproc) cpus; $ROUNDS rounds of: $VARIANTS;" \
	"$REPEAT windows of ${DURATION}s (after ${WARMUP}s) per tunnel variant at $RATE pps; BIG=$BIG"

# The name of the +BIG variants: +100k for 100000
if [ $((BIG % 1000)) = 0 ] && [ "$BIG" -gt 0 ]; then
	PLUS=+$((BIG / 1000))k
else
	PLUS=+$BIG
fi

for round in $(seq "$ROUNDS"); do
	for v in $VARIANTS; do
		case $v in
		plain)
			setup_plain
			run_variant plain
			continue ;;
		ip_gre) setup_tunnels gre ;;
		mgre) setup_tunnels mgre ;;
		*) die "unknown variant $v (VARIANTS: plain ip_gre mgre)" ;;
		esac
		for ((k = 0; k < REPEAT; k++)); do
			use_tunnel 0
			# (the phase's first window warms up longer)
			run_variant "$v" tun0 $((k ? WARMUP : WARMUP + 3))
			if [ "$BIG" -gt 0 ]; then
				use_tunnel 1
				run_variant "$v$PLUS" tun1
			fi
			if [ "$PEERS" -gt 0 ]; then
				use_tunnel 2
				run_variant "$v x$PEERS" tun2
			fi
		done
		for c in $ESP; do
			esp_on "$c"
			for ((k = 0; k < REPEAT; k++)); do
				use_tunnel 0
				run_variant "$v+esp-$c" tun0 $((k ? WARMUP : WARMUP + 2))
				if [ "$PEERS" -gt 0 ]; then
					use_tunnel 2
					run_variant "$v+esp-$c x$PEERS" tun2
				fi
			done
			esp_off
		done
	done
done
teardown
unload_gre

# --- report -----------------------------------------------------------------------------------

mean() { local s=0 n=0 x; for x in $1; do s=$((s + x)); n=$((n + 1)); done; echo $((n ? s / n : 0)); }
fmt_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
declare -A MEAN=()
for v in "${ORDER[@]}"; do
	MEAN[$v]=$(mean "${COSTS[$v]}")
done
echo
echo "CPU time per forwarded packet (64-byte UDP, gen -> r1 -> r2 -> lan0, $RATE pps):"
printf '  %-20s %10s %12s %9s  %s\n' variant "us/packet" "= pps/CPU" "vs plain" "us/packet of each window"
for v in "${ORDER[@]}"; do
	vs=-
	if [ -n "${MEAN[plain]:-}" ] && [ "${MEAN[plain]}" -gt 0 ]; then
		vs=$(fmt_ratio "${MEAN[$v]}" "${MEAN[plain]}")
	fi
	ws=
	for x in ${COSTS[$v]}; do ws="$ws $(us "$x")"; done
	pps=-
	[ "${MEAN[$v]}" -gt 0 ] && pps=$((1000000000 / MEAN[$v]))
	printf '  %-20s %10s %12s %9s  %s\n' "$v" "$(us "${MEAN[$v]}")" "$pps" "$vs" "${ws# }"
done

ratio() {
	[ -n "${MEAN[$1]:-}" ] && [ -n "${MEAN[$2]:-}" ] && [ "${MEAN[$2]}" -gt 0 ] || return 0
	printf '  %-36s %s\n' "$1 / $2" "$(fmt_ratio "${MEAN[$1]}" "${MEAN[$2]}")"
}
echo
echo "Cost ratios (of the mean us/packet; below 1 = cheaper):"
ratio mgre ip_gre
ratio "mgre$PLUS" "ip_gre$PLUS"
ratio "mgre x$PEERS" "ip_gre x$PEERS"
for c in $ESP; do
	c=esp-$c
	ratio "mgre+$c" "ip_gre+$c"
	ratio "mgre+$c x$PEERS" "ip_gre+$c x$PEERS"
done
ratio "mgre$PLUS" mgre
ratio "ip_gre$PLUS" ip_gre
ratio mgre plain
ratio ip_gre plain

if [ ${#LOAD_US[@]} -gt 0 ]; then
	echo
	echo "Loading $BIG entries into r1's tun1 (seconds, each round):"
	for k in mgre ip_gre; do
		[ -n "${LOAD_US[$k]:-}" ] || continue
		case $k in
		mgre) what="nhrpctl -b  (NHRP map entries)" ;;
		ip_gre) what="ip -batch   (neighbour entries)" ;;
		esac
		printf '  %-34s' "$what"
		for x in ${LOAD_US[$k]}; do
			printf ' %6s' "$(awk -v u="$x" 'BEGIN { printf "%.1f", u / 1e6 }')"
		done
		echo
	done
fi
echo
echo "bench: done in $(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"

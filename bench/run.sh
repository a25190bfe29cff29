#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Forwarding benchmark, run inside the test VM (make bench).  Not a test:
# it prints packet rates measured side by side in one boot and their
# ratios.  Absolute numbers under TCG emulation mean little; the ratios
# between variants measured in the same run are the result.
#
#   ns gen --veth g0/g1-- ns r1 ==(NBMA veth u1/u2 10.0.0.0/24)== ns r2 --> dummy lan0
#   pktgen 64-byte UDP    forward into tunnel                   decap, forward
#                                                                (counted here)
#
# Variants, measured in this order in each of ROUNDS rounds (mgre and
# ip_gre both claim GRE version 0 from the gre demultiplexer, so one
# module is unloaded before the other is loaded, twice a round):
#   plain        routed over the NBMA veth, no tunnel
#   ip_gre       ip_gre in NBMA mode ("local" only), the next hop's NBMA
#                address in a permanent neighbour entry (lladdr)
#   ip_gre+100k  the same after adding BIG (100,000) more permanent
#                neighbour entries to tun0 with "ip -batch"
#   mgre         mgre, the next hop's NBMA address in a static NHRP map entry
#   mgre+100k    the same after adding BIG more map entries with "nhrpctl -b"
# The load times of the BIG entries are reported too.
#
# Measurement: pktgen in gen sends 64-byte UDP frames to 192.168.2.10 as
# fast as it can, without end, from the kernel thread of the last CPU;
# RPS on r1's g1 hands every frame to CPU 0, which does all the
# forwarding (r1, the tunnel, r2).  After WARMUP seconds the tx_packets
# of r2's lan0 are sampled twice, DURATION seconds apart (read from
# /proc/PID/net/dev of a process in r2: no program is started in
# between), then pktgen is stopped.  The rate is delivered packets per
# second: what one CPU forwards, not what pktgen offers.  Before each
# measurement the script waits for the CPUs to be idle (deferred work of
# the previous variant, such as freeing 100,000 entries with their
# netns, must not run during a window), pings across the tunnel, and
# afterwards checks that r2's tunnel received packets during the window.
#
# Environment: ROUNDS (3), DURATION (3 s), WARMUP (1 s), BIG (100000;
# 0 skips the +BIG variants), VARIANTS ("plain ip_gre mgre").
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
export IP_LIB_DIR="$REPO/tools/iproute2"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
NHRPCTL="$REPO/tools/nhrpctl/nhrpctl"
MGRE_KO=${MGRE_KO:-$REPO/kmod/mgre.ko}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
BIG=${BIG:-100000}
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

WATCH_PID=
teardown() {
	local ns
	if [ -n "$WATCH_PID" ]; then
		kill "$WATCH_PID" 2>/dev/null || :
		wait "$WATCH_PID" 2>/dev/null || :
		WATCH_PID=
	fi
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
	ip -n r1 link set g1 up
	ip -n r1 addr add 10.0.0.1/24 dev u1
	ip -n r1 link set u1 up
	ip -n r2 addr add 10.0.0.2/24 dev u2
	ip -n r2 link set u2 up
	ip -n r2 link add lan0 type dummy
	ip -n r2 addr add 192.168.2.1/24 dev lan0
	ip -n r2 link set lan0 up
	ip -n r2 route add 10.9.0.0/24 via 10.0.0.1
	# RPS: whatever CPU pktgen runs on, CPU 0 forwards.
	in_ns r1 sh -c 'echo 1 > /sys/class/net/g1/queues/rx-0/rps_cpus'
	in_ns r1 sysctl -qw net.ipv4.ip_forward=1
	# (before the tunnels exist, so that they inherit rp_filter 0:
	# the traffic is asymmetric, replies do not use the tunnel)
	in_ns r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	# A process in r2 whose /proc/PID/net/dev the sampling reads.
	ip netns exec r2 sleep 100000 &
	WATCH_PID=$!
}

# tunnels KIND [ARGS]: tun0 in r1 and r2, 172.16.0.1 and .2/24
tunnels() {
	local kind=$1 i
	shift
	for i in 1 2; do
		ip -n "r$i" link add tun0 type "$kind" local "10.0.0.$i" key 1 ttl 64
		ip -n "r$i" addr add "172.16.0.$i/24" dev tun0
		ip -n "r$i" link set tun0 up
	done
}

setup_plain() {
	setup_base
	ip -n r1 route add 192.168.2.0/24 via 10.0.0.2
}

# Files of BIG extra entries, made once: 100.A.B.C -> 10.X.B.Y
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
        out.append("map add %s nbma %s dev tun0" % (proto, nbma))
    else:
        out.append("neigh add %s lladdr %s dev tun0 nud permanent" % (proto, nbma))
print("\n".join(out))
EOF
	echo "$f"
}

declare -A LOAD_S=()
# timed NAME CMD...: run CMD, add its wall time to LOAD_S[NAME]
timed() {
	local name=$1 t0
	shift
	t0=$(now_us)
	"$@"
	LOAD_S[$name]="${LOAD_S[$name]:-} $(( $(now_us) - t0 ))"
}

setup_mgre() {
	setup_base
	load_mgre
	tunnels mgre
	in_ns r1 "$NHRPCTL" map add 172.16.0.2 nbma 10.0.0.2 dev tun0
	in_ns r2 "$NHRPCTL" map add 172.16.0.1 nbma 10.0.0.1 dev tun0
	ip -n r1 route add 192.168.2.0/24 via 172.16.0.2
}

# BIG more NHRP map entries on r1's tun0 (nhrpctl -b fails on any error)
big_mgre() {
	timed mgre in_ns r1 "$NHRPCTL" -b "$(big_file mgre)"
}

setup_ip_gre() {
	setup_base
	load_ip_gre
	tunnels gre
	ip -n r1 neigh add 172.16.0.2 lladdr 10.0.0.2 dev tun0 nud permanent
	ip -n r2 neigh add 172.16.0.1 lladdr 10.0.0.1 dev tun0 nud permanent
	ip -n r1 route add 192.168.2.0/24 via 172.16.0.2
}

# BIG more permanent neighbour entries on r1's tun0 (ip -batch fails on
# any error).  Permanent entries are exempt from the neighbour garbage
# collector in this kernel; the (global) thresholds are raised anyway.
big_ip_gre() {
	sysctl -qw net.ipv4.neigh.default.gc_thresh1=$((BIG * 2)) \
		net.ipv4.neigh.default.gc_thresh2=$((BIG * 2)) \
		net.ipv4.neigh.default.gc_thresh3=$((BIG * 4))
	timed ip_gre ip -n r1 -batch "$(big_file ip_gre)"
}

# --- measurement ------------------------------------------------------------------------------

# counter IFNAME FIELD: sets COUNTER to field FIELD (1 = rx_bytes, 2 =
# rx_packets, 10 = tx_packets) of IFNAME in r2's /proc/net/dev, and T to
# the time read (us); COUNTER=0 and returns 1 if there is no IFNAME.
COUNTER='' T=''
counter() {
	local line name f
	COUNTER=0
	while IFS= read -r line; do
		name=${line%%:*}
		name=${name// /}
		[ "$name" = "$1" ] || continue
		T=${EPOCHREALTIME/./}
		read -r -a f <<<"${line#*:}"
		COUNTER=${f[$(($2 - 1))]}
		return 0
	done < "/proc/$WATCH_PID/net/dev"
	return 1
}

pg() { in_ns gen sh -c "echo '$1' > $PG/$2"; }

# cpu_times: sets IDLE and TOTAL to /proc/stat's jiffies, all CPUs
IDLE=0 TOTAL=0
cpu_times() {
	local user nice sys idle iowait irq softirq steal rest
	read -r _ user nice sys idle iowait irq softirq steal rest < /proc/stat
	IDLE=$((idle + iowait))
	TOTAL=$((user + nice + sys + idle + iowait + irq + softirq + steal))
}

# settle: wait until the CPUs are at least 90% idle over half a second
# (at most 120 s), so that deferred work of the previous variant (netns
# cleanup, RCU callbacks) does not run during the next measurement.
settle() {
	local i i0 t0
	for ((i = 0; i < 240; i++)); do
		cpu_times
		i0=$IDLE t0=$TOTAL
		nap 0.5
		cpu_times
		(( (IDLE - i0) * 100 >= (TOTAL - t0) * 90 )) && return 0
	done
	msg "warning: the CPUs did not settle in 120 s"
}

# measure VARIANT: sets RATE (delivered pps), OFFERED (pktgen pps), TUN
# (packets received on r2's tun0 during the window, "-" for plain)
RATE='' OFFERED='' TUN=''
measure() {
	local variant=$1 mac pgpid t0 t1 c0 c1 r0 r1 res kt

	settle
	# The path works and ARP is resolved: gen -> r1 -> (tunnel) -> r2.
	if ! in_ns gen ping -c 2 -W 2 -q 192.168.2.1 >/dev/null 2>&1; then
		die "$variant: gen cannot ping 192.168.2.1 across r1 and r2"
	fi
	mac=$(in_ns r1 cat /sys/class/net/g1/address)
	kt=kpktgend_$(( $(nproc) - 1 ))
	in_ns gen sh -c "
		for t in $PG/kpktgend_*; do echo rem_device_all > \$t; done
		echo add_device g0 > $PG/$kt
		echo 'count 0' > $PG/g0
		echo 'pkt_size 60' > $PG/g0
		echo 'delay 0' > $PG/g0
		echo 'dst 192.168.2.10' > $PG/g0
		echo 'dst_mac $mac' > $PG/g0
		echo 'udp_src_min 9' > $PG/g0
		echo 'udp_src_max 9' > $PG/g0
		echo 'udp_dst_min 9' > $PG/g0
		echo 'udp_dst_max 9' > $PG/g0"
	in_ns gen sh -c "echo start > $PG/pgctrl" &
	pgpid=$!
	nap "$WARMUP"
	counter tun0 2 || :
	r0=$COUNTER
	counter lan0 10 || die "no lan0 in r2"
	c0=$COUNTER t0=$T
	nap "$DURATION"
	counter lan0 10 || die "no lan0 in r2"
	c1=$COUNTER t1=$T
	counter tun0 2 || :
	r1=$COUNTER
	pg stop pgctrl
	wait "$pgpid" || :
	res=$(in_ns gen cat "$PG/g0")
	RATE=$(( (c1 - c0) * 1000000 / (t1 - t0) ))
	OFFERED=$(sed -n 's/.* \([0-9][0-9]*\)pps .*/\1/p' <<<"$res" | head -n 1)
	[ -n "$OFFERED" ] || OFFERED='?'
	if [ "$variant" = plain ]; then
		TUN=-
	else
		TUN=$((r1 - r0))
		[ "$TUN" -gt 0 ] || die "$variant: nothing arrived on r2's tun0 during the window"
	fi
	[ "$RATE" -gt 0 ] || die "$variant: nothing delivered to r2's lan0 (pktgen: $res)"
}

# --- run --------------------------------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "must run as root (in the VM: make bench)"
[ -f "$MGRE_KO" ] || die "$MGRE_KO missing: run make"
[ -x "$NHRPCTL" ] || die "$NHRPCTL missing: run make"
modprobe pktgen
unload_gre
echo "bench: kernel $(uname -r), $(nproc) cpus; rounds $ROUNDS, window ${DURATION}s after ${WARMUP}s warm-up, BIG=$BIG"
echo "bench: variants: $VARIANTS"

# The name of the +BIG variants: +100k for 100000
if [ $((BIG % 1000)) = 0 ] && [ "$BIG" -gt 0 ]; then
	PLUS=+$((BIG / 1000))k
else
	PLUS=+$BIG
fi

declare -A RATES=()
ORDER=()
run_variant() {
	local v=$1
	measure "$v"
	[ -n "${RATES[$v]:-}" ] || ORDER+=("$v")
	RATES[$v]="${RATES[$v]:-} $RATE"
	printf 'round %d/%d  %-12s %8d pps delivered  (pktgen offered %s pps, r2 tun0 rx %s)\n' \
		"$round" "$ROUNDS" "$v" "$RATE" "$OFFERED" "$TUN"
}

for round in $(seq "$ROUNDS"); do
	for v in $VARIANTS; do
		case $v in
		plain) setup_plain ;;
		ip_gre) setup_ip_gre ;;
		mgre) setup_mgre ;;
		*) die "unknown variant $v (VARIANTS: plain ip_gre mgre)" ;;
		esac
		run_variant "$v"
		if [ "$v" != plain ] && [ "$BIG" -gt 0 ]; then
			"big_$v"
			run_variant "$v$PLUS"
		fi
	done
done
teardown
unload_gre

# --- report -----------------------------------------------------------------------------------

mean() { local s=0 n=0 x; for x in $1; do s=$((s + x)); n=$((n + 1)); done; echo $((n ? s / n : 0)); }
declare -A MEAN=()
echo
echo "Delivered packets/s at r2's lan0 (64-byte UDP, pktgen at full speed):"
printf '  %-12s' variant
for round in $(seq "$ROUNDS"); do printf ' %9s' "round $round"; done
printf ' %9s %9s\n' mean "vs plain"
for v in "${ORDER[@]}"; do
	MEAN[$v]=$(mean "${RATES[$v]}")
done
for v in "${ORDER[@]}"; do
	printf '  %-12s' "$v"
	for x in ${RATES[$v]}; do printf ' %9d' "$x"; done
	if [ -n "${MEAN[plain]:-}" ] && [ "${MEAN[plain]}" -gt 0 ]; then
		printf ' %9d %9s\n' "${MEAN[$v]}" \
			"$(awk -v a="${MEAN[$v]}" -v b="${MEAN[plain]}" 'BEGIN { printf "%.2f", a / b }')"
	else
		printf ' %9d %9s\n' "${MEAN[$v]}" -
	fi
done

ratio() {
	[ -n "${MEAN[$1]:-}" ] && [ -n "${MEAN[$2]:-}" ] && [ "${MEAN[$2]}" -gt 0 ] || return 0
	printf '  %-24s %s\n' "$1 / $2" \
		"$(awk -v a="${MEAN[$1]}" -v b="${MEAN[$2]}" 'BEGIN { printf "%.2f", a / b }')"
}
echo
echo "Ratios of the means:"
ratio mgre ip_gre
ratio "mgre$PLUS" "ip_gre$PLUS"
ratio "mgre$PLUS" mgre
ratio "ip_gre$PLUS" ip_gre
ratio mgre plain
ratio ip_gre plain

if [ ${#LOAD_S[@]} -gt 0 ]; then
	echo
	echo "Loading $BIG extra entries into r1's tun0 (seconds, per round):"
	for k in mgre ip_gre; do
		[ -n "${LOAD_S[$k]:-}" ] || continue
		case $k in
		mgre) what="nhrpctl -b  (NHRP map entries)" ;;
		ip_gre) what="ip -batch   (neighbour entries)" ;;
		esac
		printf '  %-34s' "$what"
		for x in ${LOAD_S[$k]}; do
			printf ' %7s' "$(awk -v u="$x" 'BEGIN { printf "%.1f", u / 1e6 }')"
		done
		echo
	done
fi
echo
echo "bench: done in $(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"

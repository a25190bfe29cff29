#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# P5, multicast replication, run inside the test VM (make bench, after
# bench/spokes.sh).  Not a test: it prints what a copy costs.
#
#   ns gen (192.1.1.9) --veth-- ns hub (192.1.1.1)
#
# The hub has SPOKES (1000) registered spokes, each from its own NBMA
# address (100.64.0.1 on, spoofed by gen, which takes the hub's packets to
# them as its own), and sends PACKETS (150) UDP packets to 224.0.0.5 at
# PPS (75) a second into its tunnel; every registered spoke gets a copy.
# First mgre (tun0, "multicast add dynamic": replication in the kernel),
# then, in the same VM, mgre unloaded and FRR 8.4's nhrpd on ip_gre
# (gre1, "ip nhrp map multicast dynamic" and "nhrp multicast-nflog-group
# 1" with the nftables rules its documentation gives as iptables: the
# packets to 224.0.0.0/4 leaving gre1 go to NFLOG group 1 and are
# dropped; nhrpd reads them and sends a copy to each registered NBMA
# through its packet socket).  Measured: the copies gen receives (an
# nftables counter) and the CPU time of the whole guest during the send
# (busy time from /proc/stat, less the busy share measured for a second
# before without traffic), per copy; the ratio FRR/mgre is printed.
#
# Environment: SPOKES (1000), PACKETS (150), PPS (75).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
SPOKES=${SPOKES:-1000}
PACKETS=${PACKETS:-150}
PPS=${PPS:-75}

trap hub_cleanup EXIT

[ "$(id -u)" = 0 ] || die "must run as root (in the VM: make bench)"

# count_copies: gen counts the GRE packets it receives for the spokes.
count_copies() {
	in_ns gen nft -f - <<-EOF
	table ip count {
		chain pre {
			type filter hook prerouting priority -300;
			ip protocol gre ip daddr 100.64.0.0/10 counter
		}
	}
	EOF
}

copies() {	# GRE packets gen received for the spokes so far
	in_ns gen nft list chain ip count pre | awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# busy: sets BUSY_US to the guest's busy CPU time so far (all CPUs: not
# idle, not iowait; /proc/stat in 1/100 s) and T to now (us).
busy() {
	local name user nice sys irq softirq steal
	while read -r name user nice sys _ _ irq softirq steal _; do
		[ "$name" = cpu ] || continue
		T=${EPOCHREALTIME/./}
		BUSY_US=$(( (user + nice + sys + irq + softirq + steal) * 10000 ))
		return 0
	done < /proc/stat
	die "no cpu line in /proc/stat"
}

# register PROTO_FIRST SECRET: SPOKES registrations to the hub, slowly
# enough that all are answered; prints the generator's summary.
register() {
	in_ns gen python3 "$CRAFT" flood --self-nbma 192.1.1.9 --first-nbma 100.64.0.1 \
		--first-proto "$1" --count "$SPOKES" --rate 200 --holdtime 3600 --secret "$2"
}

# send_mcast DEV: PACKETS UDP packets to 224.0.0.5 at PPS from the hub
# out of DEV; sets COPIES (received at gen) and CPU_NS (guest CPU time
# above the idle baseline, per copy, ns).
send_mcast() {
	local dev=$1 b0 t0 b1 t1 c0 c1 base dt
	sleep 2
	busy; b0=$BUSY_US t0=$T
	sleep 1
	busy; base=$(( (BUSY_US - b0) * 1000000 / (T - t0) ))	# us of CPU per s
	c0=$(copies)
	busy; b0=$BUSY_US t0=$T
	in_ns hub python3 - "$dev" "$PACKETS" "$PPS" <<-'EOF'
	import socket, sys, time
	dev, n, pps = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3])
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev)
	s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
	t0 = time.time()
	for i in range(n):
	    try:
	        s.sendto(b"x" * 64, ("224.0.0.5", 9))
	    except PermissionError:
	        pass  # FRR's rule: NFLOG, then drop (nhrpd sends the copies)
	    ahead = (i + 1) / pps - (time.time() - t0)
	    if ahead > 0:
	        time.sleep(ahead)
	EOF
	sleep 2
	busy; b1=$BUSY_US t1=$T
	c1=$(copies)
	COPIES=$((c1 - c0))
	dt=$((t1 - t0))
	CPU_US=$(( b1 - b0 - base * dt / 1000000 ))
	(( CPU_US >= 0 )) || CPU_US=0
	CPU_NS=0
	[ "$COPIES" -gt 0 ] && CPU_NS=$(( CPU_US * 1000 / COPIES ))
	BASE=$base
}

echo "bench: kernel $(uname -r), $(nproc) cpus; $PACKETS multicast packets at $PPS/s to $SPOKES registered spokes"

# --- mgre -----------------------------------------------------------------
load_mgre
hub_gen
count_copies
ip -n hub link add tun0 type mgre local 192.1.1.1 key 10000 network-id 10000 \
	holdtime 3600 auth cisco123
ip -n hub addr add 172.1.1.1/24 dev tun0
ip -n hub addr add 10.0.0.1/8 dev tun0
ip -n hub link set tun0 up
in_ns hub "$NHRPCTL" multicast add dynamic dev tun0
msg "mgre: registering $SPOKES spokes: $(register 10.128.0.1 cisco123)"
n=$(in_ns hub "$NHRPCTL" -j show multicast dev tun0 | python3 -c 'import json, sys; print(sum(1 for e in json.load(sys.stdin) if e.get("nbma") != "dynamic"))')
send_mcast tun0
m_copies=$COPIES m_ns=$CPU_NS
echo "P5 (mgre): $PACKETS packets to $n multicast NBMAs: $COPIES copies received, $CPU_US us of CPU above the idle $BASE us/s: $CPU_NS ns per copy"

# --- FRR nhrpd ------------------------------------------------------------
frr_hub mcbench 'nhrp multicast-nflog-group 1'
count_copies
# (FRR's documentation, as nftables: multicast leaving gre1 goes to
# nhrpd through NFLOG group 1, and no further)
in_ns hub nft -f - <<-EOF
table ip nhrp {
	chain out {
		type filter hook output priority 0;
		oifname "gre1" ip daddr 224.0.0.0/4 log group 1
		oifname "gre1" ip daddr 224.0.0.0/4 drop
	}
}
EOF
sleep 2
msg "FRR: registering $SPOKES spokes: $(register 10.128.0.1 '')"
n=$(frr_registered)
send_mcast gre1
f_copies=$COPIES f_ns=$CPU_NS
echo "P5 (FRR nhrpd, NFLOG): $PACKETS packets to $n registered spokes: $COPIES copies received, $CPU_US us of CPU above the idle $BASE us/s: $CPU_NS ns per copy"
if [ "$m_ns" -gt 0 ] && [ "$f_copies" -gt 0 ]; then
	echo "P5: CPU per multicast copy, FRR nhrpd/mgre: $(awk -v f="$f_ns" -v m="$m_ns" 'BEGIN { printf "%.2f", f / m }') (copies: mgre $m_copies, FRR $f_copies of $((PACKETS * SPOKES)))"
else
	echo "P5: no ratio (mgre $m_copies copies, $m_ns ns each; FRR $f_copies copies, $f_ns ns each)"
	tail -n 20 "$FRR_DIR/nhrpd.log" >&2
fi

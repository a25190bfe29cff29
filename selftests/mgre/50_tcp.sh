#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# TCP through the tunnel, spoke LAN to spoke LAN: iperf3 moves data, and
# through the GSO path (tun0 transmits packets larger than its MTU, which
# only GSO makes); a file sent with socat arrives complete and unchanged.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd iperf3 jq socat

# tx_stats: "TX_PACKETS TX_BYTES" of sp1's tun0.
tx_stats() {
	local p b

	p=$(in_ns sp1 cat /sys/class/net/tun0/statistics/tx_packets) &&
	b=$(in_ns sp1 cat /sys/class/net/tun0/statistics/tx_bytes) &&
	echo "$p $b"
}

# shellcheck disable=SC2317	# (called through wait_until)
# listening NS PORT: a TCP socket listens on PORT in NS.
listening() {
	in_ns "$1" ss -Hltn "sport = :$2" | grep -q .
}

# shellcheck disable=SC2317	# (called through wait_until)
not_running() {
	! kill -0 "$1" 2>/dev/null
}

topo_seed_static
in_ns sp2 iperf3 -s -1 -B 192.168.3.1 -D --logfile "$TMPD/srv.log" \
	--pidfile "$TMPD/srv.pid" || ksft_fail "cannot start the iperf3 server"
wait_until 10 listening sp2 5201 ||
	ksft_fail "iperf3 server did not start: $(cat "$TMPD/srv.log" 2>&1)"
read -r pk0 by0 < <(tx_stats)
in_ns sp1 iperf3 -c 192.168.3.1 -B 192.168.2.1 -t 3 -J >"$TMPD/cli.json" ||
	fail "iperf3 client failed: $(cat "$TMPD/cli.json")"
read -r pk1 by1 < <(tx_stats)
read -r sent rcvd < <(jq -r '.end | "\(.sum_sent.bytes) \(.sum_received.bytes)"' "$TMPD/cli.json")
check_ge "$rcvd" 1000000 "bytes iperf3 received"
# A timed test ends with data in flight: the receiver may be a little
# behind the sender's count, never ahead, and not far behind.
if ! [[ $sent =~ ^[0-9]+$ && $rcvd =~ ^[0-9]+$ ]] ||
	[ "$rcvd" -gt "$sent" ] || [ "$rcvd" -lt $((sent * 9 / 10)) ]; then
	fail "iperf3 received $rcvd of $sent bytes sent"
fi
log "TCP spoke-to-spoke: $rcvd bytes in 3 s"
# GSO: the tunnel's own counters count one GSO packet as one packet with
# all its bytes (it is segmented after mgre encapsulated it), so on
# average tun0 sent more than an MTU per packet only if GSO was used.
if [[ $pk0 =~ ^[0-9]+$ && $pk1 =~ ^[0-9]+$ && $by0 =~ ^[0-9]+$ && $by1 =~ ^[0-9]+$ ]] &&
	[ "$pk1" -gt "$pk0" ]; then
	avg=$(( (by1 - by0) / (pk1 - pk0) ))
	log "tun0 sent $((pk1 - pk0)) packets, $avg bytes on average"
	check_ge "$avg" 1473 "average size of the packets tun0 sent (MTU 1472): no GSO?"
else
	fail "cannot read sp1's tun0 tx counters: '$pk0 $by0' -> '$pk1 $by1'"
fi
expect_eq 0 "$(stat_get sp1 tun0 tx_cache_miss)" "cache misses during TCP"

# Every byte: 4 MiB of random data from sp1's LAN address to sp2's.
head -c 4194304 /dev/urandom >"$TMPD/tx.bin"
bg_start ip netns exec sp2 socat -u TCP-LISTEN:5202,bind=192.168.3.1,reuseaddr \
	"CREATE:$TMPD/rx.bin"
srv=$BG_PID
wait_until 10 listening sp2 5202 || fail "socat did not listen"
in_ns sp1 socat -u "OPEN:$TMPD/tx.bin" TCP:192.168.3.1:5202,bind=192.168.2.1 ||
	fail "socat could not send the file"
# the receiver ends with the connection (after the last byte)
wait_until 30 not_running "$srv" || fail "socat did not receive to the end"
cmp -s "$TMPD/tx.bin" "$TMPD/rx.bin" ||
	fail "the file arrived changed: $(cmp "$TMPD/tx.bin" "$TMPD/rx.bin" 2>&1)"

exit_status

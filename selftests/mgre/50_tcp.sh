#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# TCP through the tunnel, spoke LAN to spoke LAN (iperf3), including the
# GSO path: the transfer completes and the receiver gets every byte.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd iperf3
topo_seed_static
in_ns sp2 iperf3 -s -1 -B 192.168.3.1 -D --logfile "$TMPD/srv.log" \
	--pidfile "$TMPD/srv.pid"
wait_until 10 in_ns sp2 sh -c 'ss -ltn | grep -q ":5201"' ||
	fail "iperf3 server did not start"
in_ns sp1 iperf3 -c 192.168.3.1 -B 192.168.2.1 -t 3 -J >"$TMPD/cli.json" ||
	fail "iperf3 client failed: $(cat "$TMPD/cli.json")"
read -r sent rcvd < <(python3 -c '
import json,sys
d = json.load(open(sys.argv[1]))["end"]
print(d["sum_sent"]["bytes"], d["sum_received"]["bytes"])' "$TMPD/cli.json")
[ "$rcvd" -gt 1000000 ] || fail "only $rcvd bytes received"
# A timed test ends with data in flight: the receiver may be a little
# behind the sender's count, never ahead, and not far behind.
[ "$rcvd" -le "$sent" ] && [ "$rcvd" -ge $((sent * 9 / 10)) ] ||
	fail "received $rcvd of $sent bytes sent"
log "TCP spoke-to-spoke: $rcvd bytes in 3 s"
expect_eq 0 "$(stat_get sp1 tun0 tx_cache_miss)" "cache misses during TCP"

exit_status

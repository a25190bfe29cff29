#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# Lifetimes of registrations: a spoke whose tunnel goes down purges its
# registration at the hub at once; brought up again it registers within a
# second; a spoke that silently disappears expires from the hub after the
# holdtime (6 s here), and registers again when it comes back.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

TOPO_NHRP="network-id 10000 holdtime 6 auth cisco123"
topo_seed_dynamic
wait_until 5 has_entry hub 172.1.1.2 dynamic registered || fail "sp1 not registered"
wait_until 5 has_entry hub 172.1.1.3 dynamic registered || fail "sp2 not registered"

gone() { [ "$(entries "$1" ".proto == \"$2\"")" = 0 ]; }
mcast_has() {
	nhrpctl_in hub -j show multicast dev tun0 | grep -q "\"$1\""
}

# Purge: sp1's tunnel goes down; the hub forgets it well before expiry.
capture_start sp1 eth0 "ip proto 47" "$TMPD/purge.pcap"
in_ns sp1 ip link set tun0 down
wait_until 2 gone hub 172.1.1.2 || fail "sp1's registration not purged"
capture_stop "$TMPD/purge.pcap"
if wire_checks; then
	nhrp_dissect "$TMPD/purge.pcap" >"$TMPD/purge.txt"
	[ "$(awk '$1 ~ /^5(,|$)/ && $4 == 0' "$TMPD/purge.txt" | wc -l)" -ge 1 ] ||
		fail "no cleanly dissected purge request: $(cat "$TMPD/purge.txt")"
fi
mcast_has 192.1.1.2 && fail "sp1 still in the hub's multicast map"
[ "$(stat_get hub tun0 nhrp_rx_purge_req)" -ge 1 ] || fail "no purge counted"

# Up again: registered within a second, timed on the wire (the tools are
# slow to start under emulation, so polling cannot time this).
capture_start sp1 eth0 "ip proto 47" "$TMPD/up.pcap"
in_ns sp1 ip link set tun0 up
# The link is up by the time "ip" returns (its start-up time, long under
# emulation, is not the kernel's to answer for).
t0=$(date +%s.%N)
wait_until 5 has_entry hub 172.1.1.2 dynamic registered ||
	fail "sp1 did not register again"
capture_stop "$TMPD/up.pcap"
# First NHRP registration reply (GRE protocol 0x2001, NHRP type 4 at
# byte 24 + 17 of the IP packet with a 4-byte key).
t1=$(tcpdump -r "$TMPD/up.pcap" -tt -n 'src 192.1.1.1 and ip[22:2] = 0x2001 and ip[45] = 4' 2>/dev/null |
	head -n 1 | cut -d' ' -f1)
ms=$(python3 -c "print(int((${t1:-0} - $t0) * 1000))")
log "sp1 registered (reply on the wire) ${ms} ms after its tunnel came up"
[ -n "$t1" ] && [ "$ms" -le 1000 ] || fail "registration took ${ms} ms (> 1 s)"
mcast_has 192.1.1.2 || fail "sp1 not back in the hub's multicast map"
# The hub reaches sp1's LAN at once, before sp1 sends anything itself
# (the seed's rebooted-branch problem).
ping_ok hub 192.168.2.1 || fail "the hub cannot reach sp1's LAN after it came back"

# Expiry: sp2 vanishes (its NBMA link goes down, nothing is purged).
in_ns sp2 ip link set eth0 down
t0=$(date +%s)
wait_until 15 gone hub 172.1.1.3 || fail "sp2's registration did not expire"
s=$(( $(date +%s) - t0 ))
log "sp2 expired ${s} s after it vanished (holdtime 6 s)"
[ "$s" -ge 3 ] || fail "sp2's entry vanished after ${s} s, before its holdtime"
mcast_has 192.1.1.3 && fail "expired sp2 still in the multicast map"

# sp2 comes back and registers again on its own.
in_ns sp2 ip link set eth0 up
wait_until 10 has_entry hub 172.1.1.3 dynamic registered ||
	fail "sp2 did not register again after coming back"
ping_ok hub 172.1.1.3 || fail "hub cannot reach sp2 after it came back"

exit_status

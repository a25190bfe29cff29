#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# The seed DMVPN, fully dynamic: both spokes register with the hub within
# a second of coming up; the hub learns them as dynamic unique registered
# entries and replicates multicast to them; spoke-to-spoke traffic first
# goes through the hub while NHRP resolves, then goes direct (the hub sees
# no more data) and both spokes hold cached entries.  Every NHRP packet
# dissects cleanly in tshark.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

load_mgre
topo_wan
for i in 1 2; do
	topo_router "$i"
done
capture_start wan p-hub "ip proto 47" "$TMPD/nhrp-hub.pcap"
capture_start wan p-sp1 "ip proto 47" "$TMPD/nhrp-sp1.pcap"
topo_seed_dynamic

# Registration: within a second of the spokes' tun0 coming up (they come
# up inside topo_seed_dynamic, a little earlier than this point).
wait_until 3 has_entry hub 172.1.1.2 dynamic unique registered ||
	fail "sp1 not registered at the hub: $(nhrpctl_in hub show)"
wait_until 3 has_entry hub 172.1.1.3 dynamic unique registered ||
	fail "sp2 not registered at the hub: $(nhrpctl_in hub show)"
expect_eq 192.1.1.2 "$(entry_field hub 172.1.1.2 nbma)" "sp1 NBMA at the hub"
expect_eq 2 "$(entries hub '.type == "dynamic"')" "dynamic entries at the hub"
nhs_responding() { [ "$(nhs_state "$1")" = responding ]; }
for ns in sp1 sp2; do
	wait_until 3 nhs_responding "$ns" ||
		expect_eq responding "$(nhs_state "$ns")" "NHS state on $ns"
done
n=$(nhrpctl_in hub -j show multicast dev tun0 |
	jq -c '[.[] | select(.nbma != "dynamic") | .nbma] | sort')
expect_eq '["192.1.1.2","192.1.1.3"]' "$n" "dynamic multicast map at the hub"

# Multicast from the hub reaches both (learned) spokes.
for ns in sp1 sp2; do
	in_ns "$ns" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
done
out=$(in_ns hub ping -c 2 -i 0.3 -W 2 -t 1 -I tun0 224.0.0.1 2>&1)
grep -q "from 172.1.1.2" <<<"$out" || fail "no multicast answer from sp1: $out"
grep -q "from 172.1.1.3" <<<"$out" || fail "no multicast answer from sp2: $out"

# Spoke to spoke: the first packets go via the hub, then direct.
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve 172.1.1.3: $(nhrpctl_in sp1 show)"
wait_until 10 has_entry sp2 172.1.1.2 cached ||
	fail "sp2 did not learn 172.1.1.2: $(nhrpctl_in sp2 show)"
expect_eq 192.1.1.3 "$(entry_field sp1 172.1.1.3 nbma)" "resolved NBMA of sp2"
n=$(stat_get sp1 tun0 tx_via_nhs)
[ "$n" -ge 1 ] || fail "no packet went through the hub while resolving"

capture_start wan p-hub "ip proto 47" "$TMPD/hub.pcap"
capture_start wan p-sp1 "ip proto 47" "$TMPD/sp1.pcap"
in_ns sp1 ping -c 5 -i 0.2 -I 192.168.2.1 192.168.3.1 >/dev/null ||
	fail "spoke-to-spoke ping lost packets after resolution"
capture_stop "$TMPD/hub.pcap" "$TMPD/sp1.pcap"
# (tcpdump filters: tshark is slow to start under emulation)
# GRE carrying anything but NHRP (GRE protocol field at IP offset 22).
expect_eq 0 "$(capture_count_bpf "$TMPD/hub.pcap" 'proto gre and ip[22:2] != 0x2001')" \
	"data packets through the hub after resolution"
expect_eq 5 "$(capture_count_bpf "$TMPD/sp1.pcap" 'src 192.1.1.2 and dst 192.1.1.3')" \
	"direct GRE packets sp1 -> sp2"

# Every NHRP packet type we sent dissects without errors.
capture_stop
wire_checks || { log "tshark checks skipped on the debug kernel"; exit_status; }
for f in "$TMPD"/nhrp-*.pcap; do
	nhrp_dissect "$f" >"$f.txt"
	log "$(basename "$f"): $(wc -l <"$f.txt") NHRP packets"
	expect_eq 0 "$(awk '$4 == 1' "$f.txt" | wc -l)" \
		"NHRP packets tshark finds malformed or in error in $(basename "$f")"
done
types=$(awk '{ print $1 }' "$TMPD/nhrp-sp1.pcap.txt" | sort -u | tr '\n' ' ')
log "NHRP types at sp1: $types"
for t in 1 2 3 4; do
	grep -qw "$t" <<<"$types" || fail "no NHRP packet of type $t captured"
done
n=$(awk '$1 == 3 && $2 == 255 && $3 == "0x8002"' "$TMPD/nhrp-hub.pcap.txt" | wc -l)
[ "$n" -ge 2 ] || fail "registrations lack Cisco hop count 255 / flags 0x8002 ($n)"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Hostile input: from a peer namespace on the NBMA network ("atk",
# 192.1.1.9), malformed GRE and NHRP at the hub and at a spoke of the
# dynamic seed DMVPN: truncated headers, every length field too large or
# too small, bad GRE and NHRP checksums, zero and overflowing extension
# lengths, unknown compulsory extensions, address lengths that do not
# match the protocol, hop count 0, loops in the transit records,
# registrations for 0.0.0.0, for the hub's own address and for another
# spoke's, a traffic indication without payload, spoofed purges and
# replies, and tcpdump's fuzzed pb_nhrp_1.pcap wrapped in GRE.  For each
# case (nhrp_craft.py hostile_cases()) the counters that must move do so
# by exactly one, the other error counters stay, and what comes back is
# what RFC 2332 asks for: an error indication with the right code (and
# offset, and no extensions) or a reply with the right CIE code, or
# nothing.  Every case of the plan must pass, and the attacker's capture
# must hold every packet sent.  The kernel must not complain (the runner checks dmesg; on the
# debug kernel KASAN/UBSAN/lockdep are watching), and afterwards the
# DMVPN still works.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3
VECTORS=${MGRE_VECTORS:-$REPO/../shared/vectors}
PCAP=$VECTORS/tcpdump/pb_nhrp_1.pcap
# tcpdump filter: NHRP in mgre's GRE (8-byte header, key only)
NHRP='ip[20:2] = 0x2000 and ip[22:2] = 0x2001'


topo_seed_dynamic
topo_spokes_registered

# The attacker: a plain namespace on the NBMA bridge, raw sockets only.
topo_nbma_host atk 192.1.1.9
capture_start atk eth0 "ip proto 47" "$TMPD/atk.pcap"

if [ ! -f "$PCAP" ]; then
	# (a case silently not run is coverage lost: not in CI)
	[ "${CI:-}" != true ] || fail "$PCAP not found (MGRE_VECTORS): its case would not run"
	log "WARNING: $PCAP not found: that case is not run"
fi
in_ns atk python3 "$LIB_DIR/nhrp_craft.py" hostile --nhrpctl "$NHRPCTL" \
	--self-nbma 192.1.1.9 --self-proto 172.1.1.9 --other-proto 172.1.1.3 \
	--pcap "$PCAP" >"$TMPD/hostile.tap" 2>&1
rc=$?
cat "$TMPD/hostile.tap"
# TAP: "1..N", then "ok I ..." / "not ok I ..." per case (the last one:
# no late answers).  Every case of the plan must have passed: a script that
# stopped early must not pass on the cases it ran.
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$TMPD/hostile.tap")
nok=$(grep -c '^ok ' "$TMPD/hostile.tap")
nbad=$(grep -c '^not ok ' "$TMPD/hostile.tap")
log "hostile cases: $nok passed, $nbad failed of ${plan:-?} (nhrp_craft.py exit $rc)"
[ "$rc" = 0 ] || fail "nhrp_craft.py hostile: $nbad case(s) failed (exit $rc)"
check_ge "${plan:-0}" 80 "hostile cases planned"
expect_eq "${plan:-none}" "$nok" "hostile cases passed (of the plan)"
capture_stop "$TMPD/atk.pcap"
# Each case sent one packet from 192.1.1.9 (the last TAP line is no case).
check_ge "$(capture_count_bpf "$TMPD/atk.pcap" 'src 192.1.1.9')" $(( ${plan:-1} - 1 )) \
	"hostile packets on the wire at the attacker's port"
log "$(capture_count_bpf "$TMPD/atk.pcap" "dst 192.1.1.9 and $NHRP") NHRP answers at the attacker's port"
# NHRP the hub dropped shows in the device's rx_dropped too ("ip -s link";
# >=: other drops count there as well).
malformed=$(counter hub nhrp_rx_malformed)
authfail=$(counter hub nhrp_rx_auth_fail)
check_ge "$malformed" 1 "malformed NHRP counted at the hub"
check_ge "$authfail" 1 "unauthenticated NHRP counted at the hub"
check_ge "$(in_ns hub cat /sys/class/net/tun0/statistics/rx_dropped)" $((malformed + authfail)) \
	"hub tun0 rx_dropped (nhrp_rx_malformed + nhrp_rx_auth_fail = $((malformed + authfail)))"

# Everything still works: registrations, NHS state, spoke-to-spoke.
for p in 172.1.1.2 172.1.1.3; do
	has_entry hub "$p" dynamic unique registered ||
		fail "$p lost its registration at the hub: $(nhrpctl_in hub show)"
done
expect_eq 192.1.1.2 "$(entry_field hub 172.1.1.2 nbma)" "sp1's binding at the hub"
for ns in sp1 sp2; do
	wait_until 3 nhs_state_is "$ns" responding ||
		expect_eq responding "$(nhs_state "$ns")" "NHS state on $ns"
done
ping_ok hub 172.1.1.2 || fail "the hub cannot reach sp1"
ping_ok hub 172.1.1.3 || fail "the hub cannot reach sp2"
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 cannot resolve sp2 any more: $(nhrpctl_in sp1 show)"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# A spoke with the wrong password is not registered: the hub drops and
# counts its packets and answers with an error indication (code 11).  A
# spoke claiming an address that another NBMA holds with the unique flag
# is refused with code 14, tries the code 14 recovery (purge, register
# again) once, and the legitimate binding stays.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

topo_seed_dynamic
wait_until 5 has_entry hub 172.1.1.2 dynamic unique registered ||
	fail "sp1 not registered"

# x4: wrong password.
TOPO_NS[4]=x4
topo_router 4
capture_start wan p-x4 "ip proto 47" "$TMPD/x4.pcap"
topo_tunnel 4 network-id 10000 holdtime 500 auth wrong
topo_spoke_nhrp 4
wait_until 10 stat_ge hub nhrp_rx_auth_fail 1 ||
	fail "no authentication failure counted at the hub"
wait_until 10 stat_ge x4 nhrp_rx_error_ind 1 ||
	fail "x4 got no error indication"
# The error indication quotes x4's registration: x4 takes it as the
# refusal it is, at once (a timeout would take 3 unanswered requests, 7 s).
wait_until 3 nhs_state_is x4 down ||
	fail "x4's NHS not down after the error indication: $(nhrpctl_in x4 show nhs)"
stat_ge x4 nhrp_reg_failed 1 || fail "x4 counted no failed registration"
[ "$(entries hub '.proto == "172.1.1.4"')" = 0 ] || fail "x4 registered with a wrong password"
[ "$(nhs_state x4)" = responding ] && fail "x4's NHS is responding"
capture_stop "$TMPD/x4.pcap"
if wire_checks; then
	codes=$(tshark -r "$TMPD/x4.pcap" -Y 'nhrp.hdr.op.type == 7' -T fields -e nhrp.err.code 2>/dev/null | sort -u | tr '\n' ' ')
	grep -qw 11 <<<"$codes" || fail "error indications lack code 11 (authentication failure): '$codes'"
	nhrp_dissect "$TMPD/x4.pcap" >"$TMPD/x4.txt"
	expect_eq 0 "$(awk '$4 == 1' "$TMPD/x4.txt" | wc -l)" "x4 NHRP packets tshark finds malformed"
	[ "$(awk '$1 ~ /^7(,|$)/' "$TMPD/x4.txt" | wc -l)" -ge 1 ] || fail "no error indication dissected"
fi

# x5: the right password, but sp1's address from another NBMA.
purges0=$(stat_get hub tun0 nhrp_rx_purge_req)
TOPO_NS[5]=x5
topo_router 5
capture_start wan p-x5 "ip proto 47" "$TMPD/x5.pcap"
topo_tunnel 5 network-id 10000 holdtime 500 auth cisco123
in_ns x5 ip addr flush dev tun0
in_ns x5 ip addr add 172.1.1.2/24 dev tun0
topo_spoke_nhrp 5
refused() { [ "$(stat_get hub tun0 nhrp_reg_refused)" -ge 1 ]; }
wait_until 10 refused || fail "the hub did not refuse the duplicate registration"
wait_until 10 nhs_state_is x5 down ||
	fail "x5's NHS not marked down after the refusal"
# x5 tried the code 14 recovery once (purge, register again); the hub
# does not let another NBMA purge sp1's binding.
expect_eq 1 "$(stat_get x5 tun0 nhrp_unique_recover)" "code 14 recoveries tried by x5"
stat_ge hub nhrp_rx_purge_req $((purges0 + 1)) || fail "x5's purge did not reach the hub"
expect_eq 192.1.1.2 "$(entry_field hub 172.1.1.2 nbma)" "the legitimate binding"
capture_stop "$TMPD/x5.pcap"
if wire_checks; then
	codes=$(tshark -r "$TMPD/x5.pcap" -Y 'nhrp.hdr.op.type == 4' -T fields -e nhrp.code 2>/dev/null | sort -u | tr '\n' ' ')
	grep -qw 14 <<<"$codes" || fail "registration reply lacks code 14: '$codes'"
	nhrp_dissect "$TMPD/x5.pcap" >"$TMPD/x5.txt"
	expect_eq 0 "$(awk '$4 == 1' "$TMPD/x5.txt" | wc -l)" "x5 NHRP packets tshark finds malformed"
fi
ping_ok hub 172.1.1.2 || fail "the hub lost sp1"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# A spoke with the wrong password is not registered: the hub drops and
# counts its packets and answers with an error indication (code 11), and
# nothing else.  A spoke claiming an address that another NBMA holds with
# the unique flag is refused with code 14, tries the code 14 recovery
# (purge, register again) once, is refused again, and the legitimate
# binding stays.  nhrpctl monitor shows the refusals: the hub's refused
# registration (code 14), each spoke's NHS down with the code it was
# refused with (error indication 11, reply code 14).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

# tcpdump filters: mgre's GRE header is 8 bytes (key only), so the GRE
# protocol is at IP offset 22 and the NHRP type at 45; with IPv4
# addresses, a reply's first CIE code is at 68 and an error indication's
# code at 52.
NHRP='ip[20:2] = 0x2000 and ip[22:2] = 0x2001'

# shellcheck disable=SC2317	# (called through wait_until)
stat_delta_ge() {	# NS NAME BASE DELTA: the counter moved by >= DELTA
	stat_ge "$1" "$2" $(($3 + $4))
}

topo_seed_dynamic
wait_until 5 has_entry hub 172.1.1.2 dynamic unique registered ||
	fail "sp1 not registered"
wait_until 5 has_entry hub 172.1.1.3 dynamic unique registered ||
	fail "sp2 not registered"

monitor_start hub "$TMPD/hub.json" -j
monitor_ready hub "$TMPD/hub.json"

# x4: wrong password.
authfail0=$(counter hub nhrp_rx_auth_fail)
is_count "$authfail0" "the hub's nhrp_rx_auth_fail"
TOPO_NS[4]=x4
topo_router 4
capture_start wan p-x4 "ip proto 47" "$TMPD/x4.pcap"
topo_tunnel 4 network-id 10000 holdtime 500 auth wrong
monitor_start x4 "$TMPD/x4.json" -j
monitor_ready x4 "$TMPD/x4.json"
topo_spoke_nhrp 4
wait_until 10 stat_delta_ge hub nhrp_rx_auth_fail "$authfail0" 1 ||
	fail "no authentication failure counted at the hub"
wait_until 10 stat_ge x4 nhrp_rx_error_ind 1 ||
	fail "x4 got no error indication"
# The error indication quotes x4's registration: x4 takes it as the
# refusal it is, at once (a timeout would take 3 unanswered requests, 7 s).
wait_until 3 nhs_state_is x4 down ||
	fail "x4's NHS not down after the error indication: $(nhrpctl_in x4 show nhs)"
stat_ge x4 nhrp_reg_failed 1 || fail "x4 counted no failed registration"
ev_wait 5 "$TMPD/x4.json" '.event == "nhs_down" and .proto == "172.1.1.1" and .error_code == 11' ||
	fail "x4's monitor shows no NHS down with error 11: $(cat "$TMPD/x4.json")"
# Not registered: one dump of the hub's cache that has sp1 (it is a
# real dump) and not x4.
out=$(nhrpctl_in hub -j show dev tun0 | jq -c '[.[] | .proto] | sort')
expect_eq '["172.1.1.2","172.1.1.3"]' "$out" "the hub's cache after x4's attempt (x4 must not be in it)"
capture_stop "$TMPD/x4.pcap"
# On the wire: x4's registrations (the positive control) were answered by
# error indications code 11 and by no registration reply.
capture_seen "$TMPD/x4.pcap" 1 "src 192.1.1.4 and dst 192.1.1.1 and $NHRP and ip[45] = 3"
capture_seen "$TMPD/x4.pcap" 1 "src 192.1.1.1 and dst 192.1.1.4 and $NHRP and ip[45] = 7 and ip[52:2] = 11"
expect_eq 0 "$(capture_count_bpf "$TMPD/x4.pcap" "src 192.1.1.1 and $NHRP and ip[45] = 4")" \
	"registration replies to x4"
if wire_checks; then
	codes=$(tshark -r "$TMPD/x4.pcap" -Y 'nhrp.hdr.op.type == 7' -T fields -e nhrp.err.code 2>/dev/null | sort -u | tr '\n' ' ')
	grep -qw 11 <<<"$codes" || fail "error indications lack code 11 (authentication failure): '$codes'"
	nhrp_dissect "$TMPD/x4.pcap" >"$TMPD/x4.txt"
	nhrp_dissect_all "$TMPD/x4.pcap" "$TMPD/x4.txt" "x4 NHRP packets dissected (tshark) vs captured (tcpdump)"
	expect_eq 0 "$(awk '$4 == 1' "$TMPD/x4.txt" | wc -l)" "x4 NHRP packets tshark finds malformed"
	[ "$(awk '$1 ~ /^7(,|$)/' "$TMPD/x4.txt" | wc -l)" -ge 1 ] || fail "no error indication dissected"
fi

# x5: the right password, but sp1's address from another NBMA.
purges0=$(counter hub nhrp_rx_purge_req)
is_count "$purges0" "the hub's nhrp_rx_purge_req"
refused0=$(counter hub nhrp_reg_refused)
is_count "$refused0" "the hub's nhrp_reg_refused"
prefused0=$(counter hub nhrp_purge_refused)
is_count "$prefused0" "the hub's nhrp_purge_refused"
TOPO_NS[5]=x5
topo_router 5
capture_start wan p-x5 "ip proto 47" "$TMPD/x5.pcap"
topo_tunnel 5 network-id 10000 holdtime 500 auth cisco123
in_ns x5 ip addr flush dev tun0
in_ns x5 ip addr add 172.1.1.2/24 dev tun0
monitor_start x5 "$TMPD/x5.json" -j
monitor_ready x5 "$TMPD/x5.json"
topo_spoke_nhrp 5
# Refused twice: the registration, and the one after the code 14 purge.
wait_until 10 stat_delta_ge hub nhrp_reg_refused "$refused0" 2 ||
	fail "the hub did not refuse x5's registration and its retry after the purge ($(stat_get hub tun0 nhrp_reg_refused) refusals, $refused0 before)"
wait_until 10 nhs_state_is x5 down ||
	fail "x5's NHS not marked down after the refusal"
# x5 tried the code 14 recovery once (purge, register again); the hub
# does not let another NBMA purge sp1's binding.  (Only code 14 replies
# to x5's own registrations move this counter, and the recovery is not
# tried again before a registration succeeds.)
expect_eq 1 "$(stat_get x5 tun0 nhrp_unique_recover)" "code 14 recoveries tried by x5"
stat_ge x5 nhrp_reg_failed 1 || fail "x5 counted no failed registration"
stat_ge hub nhrp_rx_purge_req $((purges0 + 1)) || fail "x5's purge did not reach the hub"
# ... where it was refused (not x5's binding).  (Only purges move it.)
stat_ge hub nhrp_purge_refused $((prefused0 + 1)) || fail "the hub did not count x5's purge as refused"
expect_eq 192.1.1.2 "$(entry_field hub 172.1.1.2 nbma)" "the legitimate binding"
ev_wait 5 "$TMPD/hub.json" '.event == "reg_refused" and .proto == "172.1.1.2" and .nbma == "192.1.1.5" and .code == 14' ||
	fail "the hub's monitor shows no refused registration of x5: $(cat "$TMPD/hub.json")"
ev_wait 5 "$TMPD/x5.json" '.event == "nhs_down" and .proto == "172.1.1.1" and .code == 14' ||
	fail "x5's monitor shows no NHS down with code 14: $(cat "$TMPD/x5.json")"
# (x5 never held the address, nor purged sp1's binding of it)
expect_eq "" "$(ev_line "$TMPD/hub.json" '.proto == "172.1.1.2" and .event != "reg_refused" and (.nbma == "192.1.1.5" or .event == "entry_purge")')" \
	"events binding 172.1.1.2 to x5 or purging it, at the hub"
capture_stop "$TMPD/x5.pcap"
capture_seen "$TMPD/x5.pcap" 1 "src 192.1.1.5 and dst 192.1.1.1 and $NHRP and ip[45] = 5"
capture_seen "$TMPD/x5.pcap" 2 "src 192.1.1.1 and dst 192.1.1.5 and $NHRP and ip[45] = 4 and ip[68] = 14"
expect_eq 0 "$(capture_count_bpf "$TMPD/x5.pcap" "src 192.1.1.1 and dst 192.1.1.5 and $NHRP and ip[45] = 4 and ip[68] = 0")" \
	"successful registration replies to x5"
if wire_checks; then
	codes=$(tshark -r "$TMPD/x5.pcap" -Y 'nhrp.hdr.op.type == 4' -T fields -e nhrp.code 2>/dev/null | sort -u | tr '\n' ' ')
	grep -qw 14 <<<"$codes" || fail "registration reply lacks code 14: '$codes'"
	nhrp_dissect "$TMPD/x5.pcap" >"$TMPD/x5.txt"
	nhrp_dissect_all "$TMPD/x5.pcap" "$TMPD/x5.txt" "x5 NHRP packets dissected (tshark) vs captured (tcpdump)"
	expect_eq 0 "$(awk '$4 == 1' "$TMPD/x5.txt" | wc -l)" "x5 NHRP packets tshark finds malformed"
fi
ping_ok hub 172.1.1.2 || fail "the hub lost sp1"

exit_status

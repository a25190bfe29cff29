#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mgre <-> FRR nhrpd interoperability (issue 4): the mgre side and the
# test driver.  Runs in the mgre guest started by run_frr.sh; the FRR guest
# (frr_node.sh agent) is reached over the NBMA link, eth0 here.
#
#   this guest: ns "wan" = bridge br0 (the NBMA network 192.1.1.0/24) with
#   eth0 (the link to the FRR guest), the mgre routers' eth0 and ctl0 (the
#   driver, 192.1.1.100, in the initial namespace).
#
#      ns hub  192.1.1.1  tun0 172.1.1.1   (mgre)
#      ns sp1  192.1.1.2  tun0 172.1.1.2   (mgre, phase 2)
#      ns sp2  192.1.1.3  tun0 172.1.1.3   (mgre)
#      FRR     192.1.1.10 gre1 172.1.1.10  (ip_gre + nhrpd, other guest)
#
# Phase 1: mgre hub, FRR spoke, mgre spoke sp2; then the FRR spoke with
# "nhs dynamic" (it knows the hub by its NBMA address only).
# Phase 2: FRR hub, mgre spokes sp1 and sp2.
# All tunnels: GRE key 10000, NHRP network-id 10000, holdtime 500, no
# authentication (FRR 8.4's nhrpd has none).
#
# Prints KTAP (one result per check below); the GRE traffic on the FRR
# link and at sp2's port is captured (frr.pcap and sp2.pcap, left in
# $MGRE_OUT with the FRR logs): the checks find the NHRP packets they are
# about on the wire, not only in counters.
source "$(dirname "$0")/../mgre/lib.sh"
source "$(dirname "$0")/../mgre/topo.sh"

FRR_NBMA=192.1.1.10
FRR_TUN=172.1.1.10
CTL_ADDR=192.1.1.100
CTL_PORT=7777
MGRE_NHRP="network-id 10000 holdtime 500"
OUT=${MGRE_OUT:-$TMPD}

SUBTESTS=(
	frr_spoke_registers_at_mgre_hub
	frr_spoke_sees_mgre_hub_as_nhs
	frr_spoke_pings_mgre_hub
	frr_spoke_pings_mgre_spoke_via_hub
	mgre_spoke_pings_frr_spoke
	mgre_spoke_resolves_frr_spoke
	mgre_hub_forwards_frr_resolution_reply
	frr_dynamic_nhs_spoke_learns_mgre_hub
	frr_spoke_shortcut_via_mgre_hub
	mgre_spokes_register_at_frr_hub
	frr_hub_caches_mgre_spokes
	mgre_spoke_and_frr_hub_ping
	mgre_spoke_to_spoke_via_frr_hub
	mgre_spoke_resolves_via_frr_hub
	mgre_spoke_shortcut_via_frr_hub
	nhrp_capture_dissects_cleanly
)

# --- KTAP ----------------------------------------------------------------------------

# Diagnostics are KTAP comments.
log() {
	local d=$(( ${EPOCHREALTIME/./} - _LIB_T0 ))
	printf '# [%3d.%03d] %s\n' $((d / 1000000)) $((d / 1000 % 1000)) "$*"
}
FIRST_FAIL=
fail() {
	RET=$((RET + 1))
	[ -n "$FIRST_FAIL" ] || FIRST_FAIL=$*
	log "FAIL: $*"
}
indent() { sed 's/^/#   /'; }

N=0 NPASS=0 NFAIL=0 ABORT=
echo "KTAP version 1"
echo "1..${#SUBTESTS[@]}"

# subtest NAME: run t_NAME as one KTAP result.
subtest() {
	local name=$1 t0=$SECONDS
	N=$((N + 1))
	[ "$name" = "${SUBTESTS[$((N - 1))]}" ] || log "warning: subtest $N is $name, the plan says ${SUBTESTS[$((N - 1))]}"
	if [ -n "$ABORT" ]; then
		NFAIL=$((NFAIL + 1))
		echo "not ok $N $name # not run: $ABORT"
		return
	fi
	RET=0 FIRST_FAIL=
	log "----- $N $name"
	"t_$name"
	if [ "$RET" = 0 ]; then
		NPASS=$((NPASS + 1))
		log "$name: passed ($((SECONDS - t0)) s)"
		echo "ok $N $name"
	else
		NFAIL=$((NFAIL + 1))
		dump_state
		echo "not ok $N $name # ${FIRST_FAIL:0:110}"
	fi
}

# abort REASON: the remaining subtests cannot run.
abort() {
	log "ABORT: $*"
	ABORT=$*
}

# --- the FRR guest -----------------------------------------------------------------------

# frr SNIPPET: run a bash snippet in the FRR guest (with frr_node.sh's
# helpers); its output on stdout, its exit status (255: agent unreachable).
frr() {
	local out rc
	out=$(printf '%s\n' "$1" | socat -t 120 -T 180 - \
		"TCP:$FRR_NBMA:$CTL_PORT,connect-timeout=3" 2>&1)
	if [[ $out != *'@@rc='* ]]; then
		printf '%s\n' "$out"
		return 255
	fi
	rc=${out##*@@rc=}
	printf '%s\n' "${out%$'\n'@@rc=*}"
	return "${rc%%[!0-9]*}"
}

frr_ok() { frr "$1" >/dev/null 2>&1; }

# frr_json QUERY: JSON from "vtysh -c 'QUERY json'".
frr_json() { frr "vty '$1 json'"; }

# json_count JSON EXPR: entries e of JSON's "table" for which EXPR holds.
json_count() {
	python3 -c '
import json, sys
try:
    t = json.loads(sys.argv[1]).get("table", [])
except ValueError:
    print(-1); sys.exit()
print(sum(1 for e in t if eval(sys.argv[2], {"e": e})))' "$1" "$2"
}

# frr_cache_has PROTO TYPE NBMA: FRR's NHRP cache holds PROTO -> NBMA, TYPE.
frr_cache_has() {
	[ "$(json_count "$(frr_json 'show ip nhrp cache')" \
		"e['protocol']=='$1' and e['type']=='$2' and e['nbma']=='$3'")" = 1 ]
}

frr_ping() { frr_ok "ping -c 1 -W 1 $1"; }

# frr_nhs_is PROTO NBMA: FRR's "show ip nhrp nhs" shows the NHS at NBMA
# registered, with protocol address PROTO (learned from the reply).
frr_nhs_is() {
	[ "$(json_count "$(frr_json 'show ip nhrp nhs')" \
		"e['nbma']=='$2' and e['protocol']=='$1'")" = 1 ]
}

nhs_responding() { [ "$(nhs_state "$1")" = responding ]; }

# --- what the captures must hold -------------------------------------------------------

# (filters: topo.sh's nhrp_f and data_f)
# on_wire FILE WHAT OUTER_SRC OUTER_DST FILTER: the capture FILE holds such
# a packet (waits for it a little: the capture may lag), else a failure
# naming WHAT.  Logs the count.
on_wire() {
	local file=$1 what=$2 f="src $3 and dst $4 and ($5)" n
	capture_wait 5 "$file" 1 "$f"
	n=$(capture_count_bpf "$file" "$f")
	log "on the wire (${file##*/}): $n x $what ($3 > $4)"
	[ "$n" -ge 1 ] || { fail "not on the wire (${file##*/}): $what ($3 > $4)"; return 1; }
}

dump_state() {
	local ns
	log "state after the failure:"
	for ns in hub sp1 sp2; do
		in_ns "$ns" ip link show tun0 >/dev/null 2>&1 || continue
		{
			echo "mgre $ns: cache:"; nhrpctl_in "$ns" show dev tun0
			echo "mgre $ns: nhs:"; nhrpctl_in "$ns" show nhs dev tun0
			echo "mgre $ns: stats:"
			nhrpctl_in "$ns" -j stats dev tun0 | python3 -c '
import json, sys
d = json.load(sys.stdin)["devices"]["tun0"]
print(" ".join("%s=%s" % kv for kv in sorted(d.items()) if kv[1]))'
		} 2>&1 | indent
	done
	frr "vty 'show ip nhrp cache' 'show ip nhrp nhs' 'show dmvpn'; ip route show dev gre1; ip neigh show dev gre1; echo 'nhrpd.log (tail):'; grep -v vici_reconnect /tmp/frr/nhrpd.log | tail -n 30" 2>&1 | indent
}

# --- setup ----------------------------------------------------------------------------------

require_root
require_cmd socat tcpdump tshark mergecap python3
# (a guest whose TSC was calibrated wrong on a busy host runs its clock
# several times too fast: every timeout here and in the kernel with it)
if dmesg | grep -q 'calibration deviates'; then
	log "warning: $(dmesg | grep -m 2 -E 'calibration deviates|Detected .* MHz processor' | tr '\n' ' ')- this guest's clock is off"
fi
# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
# (first: topo_router names the routers' NBMA interfaces eth0 too)
ip link set eth0 netns wan || ksft_fail "cannot move eth0 into the wan namespace"
in_ns wan ip link set eth0 master br0 up
for i in 1 2 3; do
	topo_router "$i"
done
ip link add ctl0 type veth peer name p-ctl netns wan
in_ns wan ip link set p-ctl master br0 up
ip addr add "$CTL_ADDR/24" dev ctl0
ip link set ctl0 up
cleanup_add ip link del ctl0
# (capture_start fails the whole test if tcpdump does not run)
capture_start wan eth0 "proto gre" "$TMPD/frr.pcap"
capture_start wan p-sp2 "proto gre" "$TMPD/sp2.pcap"

log "waiting for the FRR guest's agent on $FRR_NBMA:$CTL_PORT"
if wait_until 240 frr_ok true; then
	# shellcheck disable=SC2016	# expanded in the FRR guest
	log "FRR guest: $(frr 'echo "FRR $(dpkg-query -W -f="\${Version}" frr), kernel $(uname -r)"')"
else
	abort "the FRR guest's agent ($FRR_NBMA:$CTL_PORT) never answered"
fi

# --- phase 1: mgre hub, FRR spoke, mgre spoke ------------------------------------------------

phase1_setup() {
	local out
	# shellcheck disable=SC2086
	topo_tunnel 1 $MGRE_NHRP
	nhrpctl_in hub multicast add dynamic dev tun0
	# shellcheck disable=SC2086
	topo_tunnel 3 $MGRE_NHRP
	topo_spoke_nhrp 3
	wait_until 10 nhs_responding sp2 ||
		log "warning: mgre sp2 did not register with the mgre hub (mgre alone)"
	# The FRR docs' design: a host address on gre1, other tunnel
	# addresses routed via the hub (what a routing protocol installs).
	out=$(frr "gre_setup $FRR_TUN/32 '172.1.1.0/24 via 172.1.1.1 dev gre1 onlink' && nhrpd_start spoke") ||
		abort "cannot start the FRR spoke: $out"
}

t_frr_spoke_registers_at_mgre_hub() {
	wait_until 30 has_entry hub "$FRR_TUN" dynamic registered ||
		fail "no dynamic registered entry for the FRR spoke $FRR_TUN at the mgre hub"
	has_entry hub "$FRR_TUN" dynamic registered &&
		expect_eq "$FRR_NBMA" "$(entry_field hub "$FRR_TUN" nbma)" "FRR spoke's NBMA at the mgre hub"
	has_entry hub "$FRR_TUN" dynamic unique ||
		fail "FRR registers with the unique flag (its default), the entry should be unique"
	expect_eq 0 "$(stat_get hub tun0 nhrp_rx_malformed)" "malformed NHRP packets at the mgre hub"
	expect_eq 0 "$(stat_get hub tun0 nhrp_reg_refused)" "registrations the mgre hub refused"
}

t_frr_spoke_sees_mgre_hub_as_nhs() {
	wait_until 15 frr_nhs_is 172.1.1.1 192.1.1.1 ||
		fail "FRR's 'show ip nhrp nhs' does not show the hub 172.1.1.1 (NBMA 192.1.1.1) as registered"
	frr_cache_has 172.1.1.1 nhs 192.1.1.1 ||
		fail "FRR's cache lacks the nhs entry 172.1.1.1 -> 192.1.1.1"
}

t_frr_spoke_pings_mgre_hub() {
	wait_until 15 frr_ping 172.1.1.1 || fail "FRR spoke cannot ping the mgre hub 172.1.1.1"
}

t_frr_spoke_pings_mgre_spoke_via_hub() {
	wait_until 15 frr_ping 172.1.1.3 || fail "FRR spoke cannot ping the mgre spoke 172.1.1.3 (via the hub)"
	on_wire "$TMPD/frr.pcap" "FRR's data for sp2 through the mgre hub" \
		"$FRR_NBMA" 192.1.1.1 "$(data_f "$FRR_TUN" 172.1.1.3)"
}

t_mgre_spoke_pings_frr_spoke() {
	ping_ok sp2 "$FRR_TUN" || fail "mgre spoke sp2 cannot ping the FRR spoke $FRR_TUN"
}

# sp2's traffic to the FRR spoke missed its cache: it went via the hub and
# sp2 sent a resolution request, which the hub forwards to FRR (the owner),
# and sp2 got an answer (FRR's request for sp2 alone would give sp2 a
# cached entry too: the wire shows which).
t_mgre_spoke_resolves_frr_spoke() {
	local hub0 n
	hub0=$(stat_get hub tun0 nhrp_rx_res_reply)
	in_ns sp2 ping -c 3 -i 0.5 -W 1 "$FRR_TUN" >/dev/null
	if ! wait_until 15 has_entry sp2 "$FRR_TUN" cached; then
		fail "mgre sp2 did not resolve the FRR spoke $FRR_TUN (no cached entry)"
		n=$(stat_get hub tun0 nhrp_rx_res_reply)
		log "resolution replies received by the mgre hub meanwhile: $((n - hub0)) (unmatched there: $(stat_get hub tun0 nhrp_rx_unmatched))"
		log "FRR's nhrpd about it:"
		frr "grep -E 'Resolution|shortcut|Shortcut|PACKET' /tmp/frr/nhrpd.log | tail -n 12" | indent
	else
		expect_eq "$FRR_NBMA" "$(entry_field sp2 "$FRR_TUN" nbma)" "resolved NBMA of the FRR spoke"
	fi
	if frr_cache_has 172.1.1.3 dynamic 192.1.1.3; then
		log "FRR learned sp2 (172.1.1.3 -> 192.1.1.3) from the resolution request"
	fi
	on_wire "$TMPD/sp2.pcap" "sp2's Resolution Request for the FRR spoke, to the hub" \
		192.1.1.3 192.1.1.1 "$(nhrp_f 1 172.1.1.3 "$FRR_TUN")"
	on_wire "$TMPD/frr.pcap" "that request forwarded by the mgre hub to FRR" \
		192.1.1.1 "$FRR_NBMA" "$(nhrp_f 1 172.1.1.3 "$FRR_TUN")"
	# (from FRR directly or through the hub: the next check says which)
	n=$(capture_count_bpf "$TMPD/sp2.pcap" "dst 192.1.1.3 and $(nhrp_f 2 172.1.1.3 "$FRR_TUN") and ip[68] = 0")
	log "positive Resolution Replies to sp2's requests for the FRR spoke at sp2: $n"
	[ "$n" -ge 1 ] || fail "sp2 received no positive Resolution Reply for the FRR spoke"
}

# FRR sends its reply to sp2 (172.1.1.3) along its route to 172.1.1.3,
# i.e. via its NHS, the mgre hub, until it has a cache entry for sp2 (it
# makes one from the request, after choosing the next hop for the reply).
# RFC 2332 NHSs forward replies not addressed to them toward the
# requester (the Reverse Transit NHS Record extension records that path);
# FRR's own hub does.  A reply the hub drops costs sp2 a retry.
#
# On the wire: FRR's reply for sp2 (source protocol address 172.1.1.3, the
# requester) goes to the hub on the FRR link, and the hub sends it on to
# sp2 with the hop count decremented (its own replies carry 255), the
# CIE's code (success) untouched.  Without FRR's reply at the hub there
# is nothing to forward: that fails too (the check would prove nothing).
t_mgre_hub_forwards_frr_resolution_reply() {
	local rx unmatched fwd reply
	rx=$(stat_get hub tun0 nhrp_rx_res_reply)
	unmatched=$(stat_get hub tun0 nhrp_rx_unmatched)
	fwd=$(stat_get hub tun0 nhrp_tx_res_reply)
	log "mgre hub: $rx Resolution Replies received, $fwd sent, $unmatched NHRP packets unmatched"
	reply="$(nhrp_f 2 172.1.1.3 "$FRR_TUN") and ip[68] = 0"
	if ! on_wire "$TMPD/frr.pcap" "FRR's Resolution Reply for sp2, to the mgre hub" \
		"$FRR_NBMA" 192.1.1.1 "$reply"; then
		log "FRR answered sp2 directly $(capture_count_bpf "$TMPD/frr.pcap" \
			"src $FRR_NBMA and dst 192.1.1.3 and $reply") time(s); FRR's nhrpd sent its replies to:"
		frr "grep -A3 'Send Resolution-Reply' /tmp/frr/nhrpd.log | grep -E 'Resolution-Reply|PACKET: Send'" | indent
		return
	fi
	on_wire "$TMPD/sp2.pcap" "FRR's Resolution Reply forwarded by the mgre hub to sp2 (hop count < 255)" \
		192.1.1.1 192.1.1.3 "$reply and ip[37] < 255" ||
		capture_dump "$TMPD/sp2.pcap" "src 192.1.1.1 and ($(nhrp_f 2))" | head -n 20 | indent
	check_ge "$rx" 1 "Resolution Replies received by the mgre hub"
	# (nhrp_rx_unmatched: replies the hub had no requester for, among others)
	expect_eq 0 "$unmatched" "NHRP packets the mgre hub could not match"
}

t_frr_dynamic_nhs_spoke_learns_mgre_hub() {
	local out r0 proto
	r0=$(stat_get hub tun0 nhrp_rx_reg_req)
	out=$(frr "frr_kill nhrpd; gre_setup $FRR_TUN/32 '172.1.1.0/24 via 172.1.1.1 dev gre1 onlink' && nhrpd_start spoke-dynamic") ||
		{ fail "cannot restart the FRR spoke with 'nhs dynamic': $out"; return; }
	# shellcheck disable=SC2317	# called through wait_until
	hub_regs_after() { [ "$(stat_get hub tun0 nhrp_rx_reg_req)" -gt "$1" ]; }
	wait_until 30 hub_regs_after "$r0" ||
		fail "the mgre hub got no registration from the FRR spoke with 'nhs dynamic'"
	wait_until 30 has_entry hub "$FRR_TUN" dynamic registered ||
		fail "no dynamic registered entry for the FRR spoke at the mgre hub"
	if ! wait_until 15 frr_nhs_is 172.1.1.1 192.1.1.1; then
		proto=$(frr_json 'show ip nhrp nhs' | python3 -c '
import json, sys
print(",".join(e["protocol"] for e in json.load(sys.stdin).get("table", [])))' 2>&1)
		fail "FRR (nhs dynamic) took '$proto' as the hub's address from mgre's Registration Reply, not 172.1.1.1"
		frr "grep -E 'NHS: Register|Registration-Reply' /tmp/frr/nhrpd.log | tail -n 4; vty 'show ip nhrp nhs'" | indent
	fi
	wait_until 15 frr_ping 172.1.1.1 || fail "the FRR spoke with 'nhs dynamic' cannot ping the mgre hub 172.1.1.1"
}

# Phase 3 (issue 10): the mgre hub with "redirect on", sp2 with "shortcut
# on" (the egress answers for its LAN), the FRR spoke with "ip nhrp
# shortcut" (its configuration).  FRR (LAN 192.168.10.1/24) pings h3
# (192.168.30.10, behind sp2); both spokes route 192.168.0.0/16 via the
# hub, the hub has the LANs.  mgre must do what IOS does: the hub relays
# the first packets and sends FRR a Traffic Indication, forwards FRR's
# Resolution Request to sp2 by its route, and sp2 answers FRR directly
# with its LAN's /24.  What FRR then does with the answer (its shortcut
# handling has known failures, FRR issue 17611) is logged and, when FRR
# installed the shortcut, its traffic must go direct.
t_frr_spoke_shortcut_via_mgre_hub() {
	local out n
	ip -n hub link set tun0 type mgre redirect on || { fail "cannot set redirect on at the hub"; return; }
	ip -n sp2 link set tun0 type mgre shortcut on || { fail "cannot set shortcut on at sp2"; return; }
	topo_lan_host h3 sp2 192.168.30
	in_ns sp2 ip route add 192.168.0.0/16 via 172.1.1.1
	in_ns hub ip route add 192.168.30.0/24 via 172.1.1.3
	in_ns hub ip route add 192.168.10.0/24 via "$FRR_TUN"
	out=$(frr "ip link add lan0 type dummy && ip addr add 192.168.10.1/24 dev lan0 &&
		ip link set lan0 up && ip route add 192.168.0.0/16 via 172.1.1.1 dev gre1 onlink") ||
		{ fail "cannot give the FRR spoke its LAN and the summary route: $out"; return; }
	wait_until 15 frr_ok "ping -c 1 -W 1 -I 192.168.10.1 192.168.30.10" ||
		fail "FRR's LAN cannot reach h3 through the mgre hub"
	frr_ok "ping -c 3 -i 0.5 -W 1 -I 192.168.10.1 192.168.30.10"
	on_wire "$TMPD/frr.pcap" "the mgre hub's Traffic Indication to FRR, quoting 192.168.10.1 > 192.168.30.10" \
		192.1.1.1 "$FRR_NBMA" "$(nhrp_f 8) and ip[80:4] = $(hex 192.168.10.1) and ip[84:4] = $(hex 192.168.30.10)" || return
	on_wire "$TMPD/frr.pcap" "FRR's Resolution Request for 192.168.30.10, to the mgre hub" \
		"$FRR_NBMA" 192.1.1.1 "$(nhrp_f 1 "$FRR_TUN" 192.168.30.10)" || {
		frr "grep -iE 'traffic|indication|shortcut' /tmp/frr/nhrpd.log | tail -n 12" | indent
		return
	}
	on_wire "$TMPD/sp2.pcap" "that request forwarded by the mgre hub to sp2 (by its route)" \
		192.1.1.1 192.1.1.3 "$(nhrp_f 1 "$FRR_TUN" 192.168.30.10)"
	on_wire "$TMPD/frr.pcap" "sp2's answer to FRR: success, prefix /24" \
		192.1.1.3 "$FRR_NBMA" "$(nhrp_f 2 "$FRR_TUN" 192.168.30.10) and ip[68] = 0 and ip[69] = 24"
	# What FRR did with it.
	# shellcheck disable=SC2317	# called through wait_until
	frr_shortcut() { [[ $(frr "ip route show 192.168.30.0/24") == *"via 172.1.1.3"* ]]; }
	wait_until 5 frr_shortcut
	out=$(frr "vty 'show ip nhrp shortcut' 'show ip nhrp cache'; ip route show 192.168.30.0/24")
	log "FRR after sp2's answer:"
	printf '%s\n' "$out" | indent
	if frr_shortcut; then
		capture_start wan eth0 "proto gre" "$TMPD/frr-d.pcap"
		frr_ok "ping -c 5 -i 0.2 -W 1 -I 192.168.10.1 192.168.30.10"
		capture_stop "$TMPD/frr-d.pcap"
		n=$(capture_count_bpf "$TMPD/frr-d.pcap" "src $FRR_NBMA and dst 192.1.1.3 and $(data_f 192.168.10.1 192.168.30.10)")
		log "FRR's shortcut: $n of 5 echo requests went to sp2 directly"
		check_ge "$n" 5 "FRR's echo requests to h3 sent straight to sp2 over its shortcut"
	else
		log "FRR did not install the shortcut sp2 answered (its issue 17611): mgre's part is on the wire above"
	fi
}

# --- phase 2: FRR hub, mgre spokes sp1 and sp2 --------------------------------------------------

phase2_setup() {
	local out i
	frr "frr_kill nhrpd" >/dev/null
	in_ns hub ip link del tun0
	in_ns sp2 ip link del tun0
	out=$(frr "gre_setup $FRR_TUN/32 && nhrpd_start hub") ||
		{ abort "cannot start the FRR hub: $out"; return; }
	for i in 2 3; do
		# shellcheck disable=SC2086
		topo_tunnel "$i" $MGRE_NHRP
		nhrpctl_in "${TOPO_NS[$i]}" map add "$FRR_TUN" nbma "$FRR_NBMA" dev tun0
		nhrpctl_in "${TOPO_NS[$i]}" multicast add nbma "$FRR_NBMA" dev tun0
		nhrpctl_in "${TOPO_NS[$i]}" nhs add "$FRR_TUN" dev tun0
	done
}

t_mgre_spokes_register_at_frr_hub() {
	local ns
	for ns in sp1 sp2; do
		wait_until 30 nhs_responding "$ns" ||
			fail "mgre $ns: NHS $FRR_TUN (FRR hub) is '$(nhs_state "$ns")', not responding"
	done
	# (zeros: the positive control is "responding", the replies accepted;
	# registrations left unanswered are not counted against FRR: the
	# spokes' first ones may go out, and be retried, before FRR's nhrpd,
	# just started, has gre1 from zebra)
	for ns in sp1 sp2; do
		expect_eq 0 "$(stat_get "$ns" tun0 nhrp_reg_failed)" "registrations of $ns the FRR hub refused"
		log "registrations of $ns left unanswered meanwhile: $(stat_get "$ns" tun0 nhrp_reg_unanswered)"
		expect_eq 0 "$(stat_get "$ns" tun0 nhrp_rx_malformed)" "malformed NHRP packets at $ns"
	done
	on_wire "$TMPD/frr.pcap" "the FRR hub's Registration Reply to sp2" \
		"$FRR_NBMA" 192.1.1.3 "$(nhrp_f 4 172.1.1.3) and ip[68] = 0"
}

t_frr_hub_caches_mgre_spokes() {
	wait_until 15 frr_cache_has 172.1.1.2 dynamic 192.1.1.2 ||
		fail "FRR hub's cache lacks the dynamic entry 172.1.1.2 -> 192.1.1.2"
	frr_cache_has 172.1.1.3 dynamic 192.1.1.3 ||
		fail "FRR hub's cache lacks the dynamic entry 172.1.1.3 -> 192.1.1.3"
}

t_mgre_spoke_and_frr_hub_ping() {
	ping_ok sp1 "$FRR_TUN" || fail "mgre sp1 cannot ping the FRR hub $FRR_TUN"
	wait_until 10 frr_ping 172.1.1.2 || fail "the FRR hub cannot ping mgre sp1 172.1.1.2"
}

t_mgre_spoke_to_spoke_via_frr_hub() {
	local n0
	n0=$(stat_get sp1 tun0 tx_via_nhs)
	ping_ok sp1 172.1.1.3 || fail "mgre sp1 cannot ping mgre sp2 172.1.1.3 through the FRR hub"
	check_ge "$(stat_get sp1 tun0 tx_via_nhs)" $((n0 + 1)) "packets of sp1 sent via the FRR hub while resolving"
	on_wire "$TMPD/frr.pcap" "sp1's data for sp2, to the FRR hub" \
		192.1.1.2 "$FRR_NBMA" "$(data_f 172.1.1.2 172.1.1.3)"
	on_wire "$TMPD/frr.pcap" "sp1's data for sp2, forwarded by the FRR hub" \
		"$FRR_NBMA" 192.1.1.3 "$(data_f 172.1.1.2 172.1.1.3)"
}

# sp1's resolution request for sp2 goes to the FRR hub, which forwards it
# to sp2 (the registered owner); sp2 answers sp1 directly.
t_mgre_spoke_resolves_via_frr_hub() {
	local direct n
	wait_until 15 has_entry sp1 172.1.1.3 cached ||
		fail "mgre sp1 did not resolve sp2 172.1.1.3 through the FRR hub"
	has_entry sp1 172.1.1.3 cached &&
		expect_eq 192.1.1.3 "$(entry_field sp1 172.1.1.3 nbma)" "NBMA of sp2 resolved through the FRR hub"
	on_wire "$TMPD/frr.pcap" "sp1's Resolution Request for sp2, to the FRR hub" \
		192.1.1.2 "$FRR_NBMA" "$(nhrp_f 1 172.1.1.2 172.1.1.3)"
	on_wire "$TMPD/frr.pcap" "that request forwarded by the FRR hub to sp2" \
		"$FRR_NBMA" 192.1.1.3 "$(nhrp_f 1 172.1.1.2 172.1.1.3)"
	on_wire "$TMPD/sp2.pcap" "sp2's positive Resolution Reply, straight to sp1" \
		192.1.1.3 192.1.1.2 "$(nhrp_f 2 172.1.1.2 172.1.1.3) and ip[68] = 0"
	# The shortcut: the next echoes go straight to sp2.
	direct="src 192.1.1.2 and dst 192.1.1.3 and $(data_f 172.1.1.2 172.1.1.3)"
	n=$(capture_count_bpf "$TMPD/sp2.pcap" "$direct")
	in_ns sp1 ping -c 2 -i 0.3 -W 1 172.1.1.3 >/dev/null ||
		fail "sp1 -> sp2 lost packets after the resolution"
	capture_wait 5 "$TMPD/sp2.pcap" $((n + 2)) "$direct" ||
		fail "sp1's echoes after the resolution did not go straight to sp2 ($n before, $(capture_count_bpf "$TMPD/sp2.pcap" "$direct") after)"
}

# --- the capture ----------------------------------------------------------------------------------

t_nhrp_capture_dissects_cleanly() {
	local f=$TMPD/frr.pcap sum
	capture_stop "$f" "$TMPD/sp2.pcap"
	cp "$f" "$OUT/frr.pcap" 2>/dev/null
	cp "$TMPD/sp2.pcap" "$OUT/sp2.pcap" 2>/dev/null
	# (one tshark start for both captures: under emulation it costs;
	# what sp2 and FRR exchange is in both, and listed twice)
	mergecap -w "$TMPD/all.pcap" "$f" "$TMPD/sp2.pcap" ||
		{ fail "mergecap failed"; return; }
	f=$TMPD/all.pcap
	tshark -r "$f" -Y nhrp -T fields -E separator='|' -e frame.number \
		-e ip.src -e ip.dst -e nhrp.hdr.op.type -e nhrp.hdr.hopcnt \
		-e nhrp.flags -e nhrp.src.prot.addr -e nhrp.dst.prot.addr \
		-e nhrp.code -e _ws.malformed -e _ws.expert.severity \
		-e _ws.expert.message > "$TMPD/nhrp.txt" 2>"$TMPD/tshark.err" ||
		fail "tshark failed: $(head -n 3 "$TMPD/tshark.err")"
	cp "$TMPD/nhrp.txt" "$OUT/frr-nhrp.txt" 2>/dev/null
	sum=$(python3 - "$TMPD/nhrp.txt" <<'PY'
import sys
names = {1: "res-req", 2: "res-reply", 3: "reg-req", 4: "reg-reply",
         5: "purge-req", 6: "purge-reply", 7: "error-ind", 8: "traffic-ind"}
bad, types, rows = 0, set(), []
for line in open(sys.argv[1]):
    f = (line.rstrip("\n").split("|") + [""] * 12)[:12]
    no, src, dst, t, hop, flags, sp, dp, code, mal, sev, msg = f
    t = int(t.split(",")[0]) if t else 0
    err = bool(mal) or any(int(x, 0) >= 0x00800000 for x in sev.split(",") if x)
    bad += err
    types.add(t)
    rows.append("%4s %-10s > %-10s %-11s hop %-3s flags %-6s %s > %s code %s%s" % (
        no, src, dst, names.get(t, t), hop, flags, sp, dp, code or "-",
        "  ** " + msg if err else ""))
print("\n".join(rows))
print("BAD=%d TYPES=%s" % (bad, ",".join(str(t) for t in sorted(types))))
PY
)
	log "NHRP on the FRR link and at sp2:"
	printf '%s\n' "$sum" | sed '$d' | indent
	local last=${sum##*$'\n'}
	log "$last"
	# (the types are the positive control of BAD=0: tshark did dissect)
	[[ $last == *"BAD=0 "* ]] || fail "tshark finds NHRP packets on the FRR link or at sp2 malformed or in error ($last)"
	local t
	for t in 1 2 3 4; do
		[[ ,${last#*TYPES=}, == *",$t,"* ]] || fail "no NHRP packet of type $t on the FRR link or at sp2"
	done
}

# Phase 3 through an FRR hub: "ip nhrp redirect" with the NFLOG rule
# FRR's documentation gives (hairpin traffic on gre1 to an nflog group,
# "nhrp nflog-group 1"; nft here), mgre spokes with "shortcut on".  sp1
# pings h3 (behind sp2, from the phase-3 subtest above) from its LAN
# address; both spokes route 192.168.0.0/16 via the FRR hub.  mgre's part:
# sp1 acts on FRR's Traffic Indication (a request for 192.168.30.10 to its
# NHS), sp2 answers sp1 directly with its LAN's /24, sp1 makes the
# shortcut and its traffic goes direct.
t_mgre_spoke_shortcut_via_frr_hub() {
	local out i direct n
	for i in 2 3; do
		ip -n "${TOPO_NS[$i]}" link set tun0 type mgre shortcut on ||
			{ fail "cannot set shortcut on at ${TOPO_NS[$i]}"; return; }
		in_ns "${TOPO_NS[$i]}" ip route add 192.168.0.0/16 via "$FRR_TUN"
	done
	in_ns h3 true 2>/dev/null || { fail "h3 (behind sp2) is missing: the phase-3 subtest did not set it up"; return; }
	out=$(frr "ip route add 192.168.2.0/24 via 172.1.1.2 dev gre1 onlink &&
		ip route add 192.168.30.0/24 via 172.1.1.3 dev gre1 onlink &&
		nft add table ip nhrp && nft add chain ip nhrp hairpin '{ type filter hook forward priority 0; }' &&
		nft add rule ip nhrp hairpin iifname gre1 oifname gre1 limit rate 10/second log group 1 snaplen 128 &&
		vty 'configure terminal' 'nhrp nflog-group 1' 'interface gre1' 'ip nhrp redirect'") ||
		{ fail "cannot set up redirects at the FRR hub: $out"; return; }
	wait_until 15 in_ns sp1 ping -c 1 -W 1 -I 192.168.2.1 192.168.30.10 >/dev/null ||
		fail "sp1's LAN cannot reach h3 through the FRR hub"
	in_ns sp1 ping -c 3 -i 0.5 -W 1 -I 192.168.2.1 192.168.30.10 >/dev/null
	if ! on_wire "$TMPD/frr.pcap" "the FRR hub's Traffic Indication to sp1" \
		"$FRR_NBMA" 192.1.1.2 "$(nhrp_f 8)"; then
		frr "nft list ruleset; grep -iE 'nflog|redirect|indication' /tmp/frr/nhrpd.log | tail -n 12" | indent
		return
	fi
	on_wire "$TMPD/frr.pcap" "sp1's Resolution Request for 192.168.30.10, to the FRR hub" \
		192.1.1.2 "$FRR_NBMA" "$(nhrp_f 1 172.1.1.2 192.168.30.10)" || return
	if ! on_wire "$TMPD/frr.pcap" "that request forwarded by the FRR hub to sp2" \
		"$FRR_NBMA" 192.1.1.3 "$(nhrp_f 1 172.1.1.2 192.168.30.10)"; then
		frr "grep -iE 'resolution' /tmp/frr/nhrpd.log | tail -n 12" | indent
		return
	fi
	on_wire "$TMPD/sp2.pcap" "sp2's answer to sp1: success, prefix /24" \
		192.1.1.3 192.1.1.2 "$(nhrp_f 2 172.1.1.2 192.168.30.10) and ip[68] = 0 and ip[69] = 24"
	wait_until 10 shortcut_to sp1 192.168.30.0/24 192.1.1.3 172.1.1.3 ||
		{ fail "sp1 has no shortcut to 192.168.30.0/24 at sp2: $(nhrpctl_in sp1 show dev tun0)"; return; }
	direct="src 192.1.1.2 and dst 192.1.1.3 and $(data_f 192.168.2.1 192.168.30.10)"
	n=$(capture_count_bpf "$TMPD/sp2.pcap" "$direct")
	in_ns sp1 ping -c 3 -i 0.3 -W 1 -I 192.168.2.1 192.168.30.10 >/dev/null ||
		fail "sp1 -> h3 lost packets over the shortcut"
	capture_wait 5 "$TMPD/sp2.pcap" $((n + 3)) "$direct" ||
		fail "sp1's echoes to h3 did not go straight to sp2 ($n before, $(capture_count_bpf "$TMPD/sp2.pcap" "$direct") after)"
}

# --- run -----------------------------------------------------------------------------------------

[ -n "$ABORT" ] || phase1_setup
subtest frr_spoke_registers_at_mgre_hub
subtest frr_spoke_sees_mgre_hub_as_nhs
subtest frr_spoke_pings_mgre_hub
subtest frr_spoke_pings_mgre_spoke_via_hub
subtest mgre_spoke_pings_frr_spoke
subtest mgre_spoke_resolves_frr_spoke
subtest mgre_hub_forwards_frr_resolution_reply
subtest frr_dynamic_nhs_spoke_learns_mgre_hub
subtest frr_spoke_shortcut_via_mgre_hub

[ -n "$ABORT" ] || phase2_setup
subtest mgre_spokes_register_at_frr_hub
subtest frr_hub_caches_mgre_spokes
subtest mgre_spoke_and_frr_hub_ping
subtest mgre_spoke_to_spoke_via_frr_hub
subtest mgre_spoke_resolves_via_frr_hub
subtest mgre_spoke_shortcut_via_frr_hub

ABORT=
subtest nhrp_capture_dissects_cleanly

frr "agent_stop" >/dev/null || log "could not stop the FRR agent (it times out by itself)"
echo "# Totals: pass:$NPASS fail:$NFAIL xfail:0 xpass:0 skip:0 error:0"
[ "$NFAIL" = 0 ]

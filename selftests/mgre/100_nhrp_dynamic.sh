#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# The seed DMVPN, fully dynamic: both spokes register with the hub within
# a second of their tunnel coming up (timed from the link-up to the
# Registration Reply on the wire); the hub learns them as dynamic unique
# registered entries and replicates multicast to them; spoke-to-spoke
# traffic first goes through the hub while NHRP resolves, then goes direct
# (the hub sees no more of it, but still sees other traffic of the same
# spoke) and both spokes hold cached entries.  A resolution whose first
# replies are lost (as under IPsec, while IKE runs) keeps retransmitting
# and completes with no new traffic.  Every NHRP packet dissects cleanly
# in tshark.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd nft
! wire_checks || require_cmd tshark python3

# tcpdump filters (tshark is slow to start under emulation).  The GRE
# header of mgre's packets is 8 bytes (key only): GRE protocol at IP
# offset 22, NHRP type at 28 + 17 = 45, and with IPv4 addresses in NHRP
# the first CIE's code at 68; an inner IPv4 header at 28 (source at 40,
# destination at 44).
GRE_KEY='ip[20:2] = 0x2000'
REPLY_OK="$GRE_KEY and ip[22:2] = 0x2001 and ip[45] = 4 and ip[68] = 0"
DATA="$GRE_KEY and ip[22:2] = 0x0800"
LAN2=0xc0a80201 LAN3=0xc0a80301 HUB_TUN=0xac010101	# 192.168.2.1 192.168.3.1 172.1.1.1
S2S="$DATA and ((ip[40:4] = $LAN2 and ip[44:4] = $LAN3) or (ip[40:4] = $LAN3 and ip[44:4] = $LAN2))"


# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
for i in 1 2 3; do
	topo_router "$i"
done
# p-hub sees everything the hub sends and receives, p-sp1 all of sp1's.
capture_start wan p-hub "ip proto 47" "$TMPD/nhrp-hub.pcap"
capture_start wan p-sp1 "ip proto 47" "$TMPD/nhrp-sp1.pcap"
# topo_seed_dynamic, but the spokes are configured completely while their
# tun0 is down, so that the link-up is what starts their registration.
# shellcheck disable=SC2086
topo_tunnel 1 $TOPO_NHRP
nhrpctl_in hub multicast add dynamic dev tun0
for i in 2 3; do
	ns=${TOPO_NS[$i]}
	# shellcheck disable=SC2086
	ip -n "$ns" link add tun0 type mgre local "$(topo_nbma "$i")" key "$TOPO_KEY" $TOPO_NHRP ||
		ksft_fail "cannot create tun0 in $ns"
	ip -n "$ns" addr add "$(topo_tun "$i")/24" dev tun0
	topo_spoke_nhrp "$i"
done
# Up, timed: the link comes up while "ip" runs, so the time before it
# starts is an upper bound of the latency measured from it (ip's own
# start-up, 0.1-1 s under emulation, counts against the module).
declare -A up_us
for i in 2 3; do
	ns=${TOPO_NS[$i]}
	up_us[$ns]=${EPOCHREALTIME/./}
	ip -n "$ns" link set tun0 up || ksft_fail "cannot bring up tun0 in $ns"
done
for i in 1 2 3; do
	topo_routes "$i"
done

for i in 2 3; do
	ns=${TOPO_NS[$i]} p=$(topo_tun "$i") nbma=$(topo_nbma "$i")
	wait_until 3 has_entry hub "$p" dynamic unique registered ||
		fail "$ns not registered at the hub: $(nhrpctl_in hub show)"
	capture_wait 3 "$TMPD/nhrp-hub.pcap" 1 "src 192.1.1.1 and dst $nbma and $REPLY_OK" ||
		fail "no successful registration reply to $ns on the wire"
	t=$(first_ts "$TMPD/nhrp-hub.pcap" "src 192.1.1.1 and dst $nbma and $REPLY_OK")
	if [ -z "$t" ]; then
		fail "cannot read the time of the registration reply to $ns"
		continue
	fi
	ms=$(( (t - ${up_us[$ns]}) / 1000 ))
	log "$ns: registration reply on the wire $ms ms after its tun0 was set up (limit $((1000 * SLOW)) ms)"
	# (>= 0: the reply answers this link-up, not something earlier)
	if [ "$ms" -lt 0 ] || [ "$ms" -gt $((1000 * SLOW)) ]; then
		fail "$ns registered $ms ms after its tun0 came up (expected within 1 s x$SLOW)"
	fi
done
expect_eq 192.1.1.2 "$(entry_field hub 172.1.1.2 nbma)" "sp1 NBMA at the hub"
expect_eq 192.1.1.3 "$(entry_field hub 172.1.1.3 nbma)" "sp2 NBMA at the hub"
expect_eq 2 "$(entries hub '.type == "dynamic"')" "dynamic entries at the hub"
for ns in sp1 sp2; do
	wait_until 3 nhs_state_is "$ns" responding ||
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
via0=$(stat_get sp1 tun0 tx_via_nhs)
check_match "$via0" '^[0-9]+$' "sp1's tx_via_nhs before resolving"
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve 172.1.1.3: $(nhrpctl_in sp1 show)"
wait_until 10 has_entry sp2 172.1.1.2 cached ||
	fail "sp2 did not learn 172.1.1.2: $(nhrpctl_in sp2 show)"
expect_eq 192.1.1.3 "$(entry_field sp1 172.1.1.3 nbma)" "resolved NBMA of sp2"

# show dmvpn in IOS's layout (Documentation/nhrpctl.md): the hub is a Hub
# with its two spokes, sp1 a Spoke whose entries are grouped by NBMA peer
# (a second map to sp2's NBMA makes a group of 2); the columns are IOS's.
dmvpn_line() {	# NS ENT NBMA PROTO: the line of PROTO as it must be
	local attrs
	attrs=$(nhrpctl_in "$1" -j show dmvpn dev tun0 |
		jq -r --arg p "$4" '.[] | select(.peer_tunnel == $p) | .attrs')
	printf '%6s %-15s %15s %5s [0-9]{2}:[0-9]{2}:[0-9]{2} %5s\n' "$2" "$3" "$4" UP "$attrs" |
		sed 's/\./\\./g'
}
dmvpn_check() {	# NS TYPE LINE_REGEX...: the header and these lines
	local ns=$1 type=$2 txt peers re; shift 2
	txt=$(nhrpctl_in "$ns" show dmvpn dev tun0)
	peers=$(nhrpctl_in "$ns" -j show dmvpn dev tun0 |
		jq '[.[] | .peer_nbma | select(. != null)] | unique | length')
	for re in "Type:$type, NHRP Peers:$peers," \
		' # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb' \
		' ----- --------------- --------------- ----- -------- -----' \
		'        # Ent --> Number of NHRP entries with same NBMA peer'; do
		grep -qxF -- "$re" <<<"$txt" ||
			fail "$ns's show dmvpn lacks the line '$re': $txt"
	done
	for re in "$@"; do
		grep -qxE -- "$re" <<<"$txt" ||
			fail "$ns's show dmvpn lacks a line matching '$re': $txt"
	done
}
dmvpn_check hub Hub "$(dmvpn_line hub 1 192.1.1.2 172.1.1.2)" \
	"$(dmvpn_line hub 1 192.1.1.3 172.1.1.3)"
nhrpctl_in sp1 map add 172.1.1.99 nbma 192.1.1.3 dev tun0 ||
	fail "cannot map 172.1.1.99 at sp1"
dmvpn_check sp1 Spoke "$(dmvpn_line sp1 1 192.1.1.1 172.1.1.1)" \
	"$(dmvpn_line sp1 2 192.1.1.3 172.1.1.3)" "$(dmvpn_line sp1 '' '' 172.1.1.99)"
nhrpctl_in sp1 map del 172.1.1.99 dev tun0 || fail "cannot unmap 172.1.1.99 at sp1"
# show traffic in IOS's layout ("show ip nhrp traffic"): sp1 sent
# registrations and resolution requests, and received their replies; each
# total is the sum of its block (one dump: counters go on moving).
traffic=$(nhrpctl_in sp1 show traffic dev tun0)
for dir in Sent Rcvd; do
	block=$(awk -v d="$dir" '$1 == d":" { on = 1; print; next } /^   [A-Z]/ { on = 0 } on' <<<"$traffic")
	grep -qE "^   $dir: Total [0-9]+\$" <<<"$block" ||
		fail "show traffic has no '$dir: Total' line: $traffic"
	expect_eq "$(awk 'NR == 1 { print $3 }' <<<"$block")" \
		"$(awk 'NR > 1 { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' <<<"$block")" \
		"show traffic's $dir total and the sum of its lines"
	expect_eq 3 "$(awk 'NR > 1' <<<"$block" | wc -l)" "the lines of show traffic's $dir block"
done
for re in '^         [0-9]+ Resolution Request  [0-9]+ Resolution Reply  [0-9]+ Registration Request$' \
	'^         [0-9]+ Registration Reply  [0-9]+ Purge Request  [0-9]+ Purge Reply$' \
	'^         [0-9]+ Error Indication  [0-9]+ Traffic Indication$'; do
	expect_eq 2 "$(grep -cE "$re" <<<"$traffic")" "show traffic lines matching '$re'"
done
sent_line=$(grep -A1 '^   Sent:' <<<"$traffic" | tail -n 1)
rcvd_line=$(grep -A2 '^   Rcvd:' <<<"$traffic" | tail -n 1)
check_ge "$(awk '{ print $1 }' <<<"$sent_line")" 1 "resolution requests sent (show traffic)"
check_ge "$(awk '{ print $7 }' <<<"$sent_line")" 1 "registration requests sent (show traffic)"
check_ge "$(awk '{ print $1 }' <<<"$rcvd_line")" 1 "registration replies received (show traffic)"
check_ge "$(stat_get sp1 tun0 tx_via_nhs)" $((via0 + 1)) \
	"sp1's packets through the hub while resolving (tx_via_nhs)"
# ... and the hub relayed them on the wire (the capture that runs from
# the start).
check_ge "$(capture_count_bpf "$TMPD/nhrp-hub.pcap" "src 192.1.1.1 and dst 192.1.1.3 and $S2S")" 1 \
	"spoke-to-spoke packets relayed by the hub while resolving"

capture_start wan p-hub "ip proto 47" "$TMPD/hub.pcap"
capture_start wan p-sp1 "ip proto 47" "$TMPD/sp1.pcap"
# The positive control of "nothing through the hub": sp1's LAN talks to
# the hub itself in the same capture (same inner addresses and offsets).
in_ns sp1 ping -c 2 -i 0.2 -W 2 -I 192.168.2.1 172.1.1.1 >/dev/null ||
	fail "sp1 LAN cannot reach the hub"
in_ns sp1 ping -c 5 -i 0.2 -W 2 -I 192.168.2.1 192.168.3.1 >/dev/null ||
	fail "spoke-to-spoke ping lost packets after resolution"
capture_stop "$TMPD/hub.pcap" "$TMPD/sp1.pcap"
capture_seen "$TMPD/hub.pcap" 2 "src 192.1.1.2 and dst 192.1.1.1 and $DATA and ip[40:4] = $LAN2 and ip[44:4] = $HUB_TUN"
expect_eq 0 "$(capture_count_bpf "$TMPD/hub.pcap" "$S2S")" \
	"spoke-to-spoke packets through the hub after resolution"
expect_eq 5 "$(capture_count_bpf "$TMPD/sp1.pcap" "src 192.1.1.2 and dst 192.1.1.3 and $DATA and ip[40:4] = $LAN2")" \
	"direct GRE echo requests sp1 -> sp2"
expect_eq 5 "$(capture_count_bpf "$TMPD/sp1.pcap" "src 192.1.1.3 and dst 192.1.1.2 and $DATA and ip[44:4] = $LAN2")" \
	"direct GRE echo replies sp2 -> sp1"

# A resolution outlasts lost replies (under "protection require" the first
# reply triggers IKE and is lost with it, see 190): sp1 drops every GRE
# packet from sp2 while it sends its first three requests (0, 1 and 3 s),
# then takes them again, with no new traffic.  The retransmissions go on
# (4th at 7 s, 5th at 15 s, negative only at 23 s): resolved.
nhrpctl_in sp1 flush cached dev tun0
nhrpctl_in sp2 flush cached dev tun0
capture_start wan p-sp1 "ip proto 47" "$TMPD/lost.pcap"
in_ns sp1 nft -f - <<'NFT'
table ip lost {
	chain in {
		type filter hook input priority filter; policy accept;
		ip saddr 192.1.1.3 ip protocol gre counter drop
	}
}
NFT
# lost: GRE packets from sp2 that sp1 dropped.
lost() {
	in_ns sp1 nft list chain ip lost in | awk '/counter packets/ {
		for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }'
}
lost_ge() { local n; n=$(lost) && [ "$n" -ge "$1" ]; }
# (a successful resolution reply: NHRP type 2, the first CIE's code 0)
REPLY_SP2="src 192.1.1.3 and dst 192.1.1.2 and $GRE_KEY and ip[22:2] = 0x2001 and ip[45] = 2 and ip[68] = 0"
req0=$(counter sp1 nhrp_tx_res_req)
is_count "$req0" "sp1's nhrp_tx_res_req"
# (one packet: it starts the resolution, nothing else sends to sp2's LAN)
in_ns sp1 ping -c 1 -W 1 -I 192.168.2.1 192.168.3.1 >/dev/null
wait_until 15 stat_ge sp1 nhrp_tx_res_req $((req0 + 3)) ||
	fail "sp1 did not retransmit its resolution request: $((  $(counter sp1 nhrp_tx_res_req) - req0 )) sent"
# (sp2's answers to the three requests, and maybe its echo reply)
wait_until 10 lost_ge 3 || fail "sp1 dropped $(lost) GRE packets from sp2, expected >= 3"
expect_eq incomplete "$(entry_field sp1 172.1.1.3 type)" \
	"sp1's entry for sp2 after three lost replies"
in_ns sp1 nft delete table ip lost
if wait_until 25 has_entry sp1 172.1.1.3 cached; then
	log "sp1 resolved 172.1.1.3 after $(( $(counter sp1 nhrp_tx_res_req) - req0 )) requests," \
		"the replies to the first ones lost"
else
	fail "the resolution did not survive lost replies: $(nhrpctl_in sp1 show)"
fi
check_ge "$(counter sp1 nhrp_tx_res_req)" $((req0 + 4)) "resolution requests sent by sp1"
capture_stop "$TMPD/lost.pcap"
# (the positive control: sp2 did answer, the first answers were lost)
check_ge "$(capture_count_bpf "$TMPD/lost.pcap" "$REPLY_SP2")" 4 \
	"resolution replies sp2 -> sp1 on the wire" ||
	capture_dump "$TMPD/lost.pcap" | tail -n 40

# Every NHRP packet type we sent dissects without errors.
capture_stop
wire_checks || { log "tshark checks skipped on the debug kernel"; exit_status; }
for f in "$TMPD/nhrp-hub.pcap" "$TMPD/nhrp-sp1.pcap"; do
	nhrp_dissect "$f" >"$f.txt"
	n=$(wc -l <"$f.txt")
	log "${f##*/}: $n NHRP packets"
	# tshark must have read every NHRP packet tcpdump sees (at least a
	# registration, its reply, a resolution request and its reply or
	# the forwarded request).
	check_ge "$n" 4 "NHRP packets dissected in ${f##*/}"
	nhrp_dissect_all "$f" "$f.txt" "NHRP packets dissected in ${f##*/} (tshark) vs captured (tcpdump)"
	expect_eq 0 "$(awk '$4 == 1' "$f.txt" | wc -l)" \
		"NHRP packets tshark finds malformed or in error in ${f##*/}"
done
types=$(awk '{ print $1 }' "$TMPD/nhrp-sp1.pcap.txt" | sort -u | tr '\n' ' ')
log "NHRP types at sp1: $types"
for t in 1 2 3 4; do
	grep -qw "$t" <<<"$types" || fail "no NHRP packet of type $t captured"
done
n=$(awk '$1 == 3 && $2 == 255 && $3 == "0x8002"' "$TMPD/nhrp-hub.pcap.txt" | wc -l)
[ "$n" -ge 2 ] || fail "registrations lack Cisco hop count 255 / flags 0x8002 ($n)"

exit_status

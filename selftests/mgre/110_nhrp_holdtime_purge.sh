#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# Lifetimes of registrations: a spoke whose tunnel goes down purges its
# registration at the hub at once (sp1, registered for 60 s, is gone
# within 2 s and the purge is on the wire); brought up again it registers
# within a second (from the link-up to the Registration Reply on the
# wire); a spoke that silently disappears (sp2, holdtime 6 s) expires from
# the hub 6 +- 2 s after its last registration reached the hub, and
# registers again when it comes back.  A resolved spoke-to-spoke shortcut
# that carries traffic is resolved again before its holdtime ends: it
# never lapses back through the hub.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

HOLD=6		# sp2's holdtime: it refreshes every 2 s
TOPO_NHRP="network-id 10000 holdtime $HOLD auth cisco123"
# tcpdump filters: mgre's GRE header is 8 bytes (key only), so the GRE
# protocol is at IP offset 22, the NHRP type at 45 and, with IPv4
# addresses, the first CIE's code at 68.
NHRP='ip[20:2] = 0x2000 and ip[22:2] = 0x2001'
REQ="$NHRP and ip[45] = 3"
REPLY_OK="$NHRP and ip[45] = 4 and ip[68] = 0"
PURGE="$NHRP and ip[45] = 5"


# gone NS PROTO: NS's cache (a valid dump) has no entry for PROTO.
# (nhrpctl -n: one program per poll, no "ip netns exec", no jq)
# shellcheck disable=SC2317	# (called through wait_until)
gone() {
	local out
	out=$("$NHRPCTL" -n "$1" -j show dev tun0) && [[ $out == \[*\] ]] || return 2
	[[ $out != *"\"proto\":\"$2\""* ]]
}
# mcast_list: the hub's learned multicast NBMAs, sorted (JSON).
mcast_list() {
	nhrpctl_in hub -j show multicast dev tun0 |
		jq -ce '[.[] | select(.nbma != "dynamic") | .nbma] | sort'
}
# shellcheck disable=SC2317	# (called through wait_until)
hub_expires_ge() {	# the hub's entry for PROTO expires in >= SECONDS
	local e
	e=$(entry_field hub "$1" expires) && [ "$e" -ge "$2" ]
}

topo_seed_dynamic
wait_until 5 has_entry hub 172.1.1.2 dynamic registered || fail "sp1 not registered"
wait_until 5 has_entry hub 172.1.1.3 dynamic registered || fail "sp2 not registered"

# Purge: sp1 registers for 60 s, so that only its purge can remove it at
# once; its tunnel goes down and the hub forgets it within 2 s.
ip -n sp1 link set tun0 type mgre holdtime 60 || fail "cannot set sp1's holdtime"
wait_until 5 hub_expires_ge 172.1.1.2 30 ||
	fail "sp1's registration at the hub does not last 60 s: $(nhrpctl_in hub show)"
purges0=$(stat_get hub tun0 nhrp_rx_purge_req)
check_match "$purges0" '^[0-9]+$' "the hub's nhrp_rx_purge_req"
capture_start sp1 eth0 "ip proto 47" "$TMPD/purge.pcap"
t0=${EPOCHREALTIME/./}
ip -n sp1 link set tun0 down
if wait_until 2 gone hub 172.1.1.2; then
	log "sp1's registration purged $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms after its tun0 was set down"
else
	fail "sp1's registration not purged: $(nhrpctl_in hub show)"
fi
capture_stop "$TMPD/purge.pcap"
capture_seen "$TMPD/purge.pcap" 1 "src 192.1.1.2 and dst 192.1.1.1 and $PURGE"
if wire_checks; then
	nhrp_dissect "$TMPD/purge.pcap" >"$TMPD/purge.txt"
	[ "$(awk '$1 ~ /^5(,|$)/ && $4 == 0' "$TMPD/purge.txt" | wc -l)" -ge 1 ] ||
		fail "no cleanly dissected purge request: $(cat "$TMPD/purge.txt")"
fi
expect_eq '["192.1.1.3"]' "$(mcast_list)" "the hub's multicast map without sp1"
check_ge "$(stat_get hub tun0 nhrp_rx_purge_req)" $((purges0 + 1)) "purges counted at the hub"

# Up again: registered within a second, timed on the wire from the moment
# "ip" is started to set the link up (its start-up, long under emulation,
# counts against the module: the bound is conservative).
capture_start sp1 eth0 "ip proto 47" "$TMPD/up.pcap"
t0=${EPOCHREALTIME/./}
ip -n sp1 link set tun0 up
wait_until 5 has_entry hub 172.1.1.2 dynamic registered ||
	fail "sp1 did not register again"
capture_wait 3 "$TMPD/up.pcap" 1 "src 192.1.1.1 and $REPLY_OK" ||
	fail "no successful registration reply to sp1 on the wire"
capture_stop "$TMPD/up.pcap"
t1=$(first_ts "$TMPD/up.pcap" "src 192.1.1.1 and $REPLY_OK")
if [ -n "$t1" ]; then
	ms=$(( (t1 - t0) / 1000 ))
	log "sp1 registered (reply on the wire) $ms ms after its tun0 was set up (limit $((1000 * SLOW)) ms)"
	if [ "$ms" -lt 0 ] || [ "$ms" -gt $((1000 * SLOW)) ]; then
		fail "sp1's registration took $ms ms (expected within 1 s x$SLOW)"
	fi
else
	fail "cannot read the time of the registration reply to sp1"
fi
expect_eq '["192.1.1.2","192.1.1.3"]' "$(mcast_list)" "the hub's multicast map with sp1 back"
# The hub reaches sp1's LAN at once, before sp1 sends anything itself
# (the seed's rebooted-branch problem).
ping_ok hub 192.168.2.1 || fail "the hub cannot reach sp1's LAN after it came back"

# Expiry: sp2 vanishes (its NBMA link goes down, nothing is purged).  The
# holdtime runs from the last registration the hub received: wait for
# one of sp2's refreshes on the hub's side of the wire, take the link down
# (a later refresh, if any, is in the capture too), and poll the hub's
# cache (each poll ~0.1-0.5 s apart) for when the entry goes away.
capture_start hub eth0 "src 192.1.1.3 and ip proto 47" "$TMPD/expiry.pcap"
capture_wait $((HOLD / 3 + 2)) "$TMPD/expiry.pcap" 1 "$REQ" ||
	fail "no refresh of sp2's registration seen at the hub"
ip -n sp2 link set eth0 down
EXP_SEEN=0 EXP_GONE=0
# shellcheck disable=SC2317	# (called through wait_until)
expired() {	# records when the entry was last seen and first missed
	local t=${EPOCHREALTIME/./} rc

	gone hub 172.1.1.3
	rc=$?
	case $rc in
	0) EXP_GONE=${EPOCHREALTIME/./} ;;
	1) EXP_SEEN=$t ;;
	esac
	return "$rc"
}
wait_until $((HOLD + 4)) expired || fail "sp2's registration did not expire"
capture_stop "$TMPD/expiry.pcap"
treg=$(last_ts "$TMPD/expiry.pcap" "$REQ")
if [ -z "$treg" ] || [ "$EXP_GONE" = 0 ] || [ "$EXP_SEEN" = 0 ]; then
	fail "cannot time the expiry (last registration '${treg:-none}', seen $EXP_SEEN, gone $EXP_GONE)"
else
	seen=$(( (EXP_SEEN - treg) / 1000 )) gone=$(( (EXP_GONE - treg) / 1000 ))
	log "sp2 expired between $seen and $gone ms after its last registration reached the hub (holdtime $HOLD s)"
	# The whole uncertainty of the measurement (between the last poll
	# that saw the entry and the first that did not) must lie within
	# holdtime - 2 s and holdtime + 2 s (x SLOW: a slow VM polls late).
	[ "$seen" -ge $(( (HOLD - 2) * 1000 )) ] ||
		fail "sp2's entry was last seen $seen ms after its last registration and gone at $gone ms: more than 2 s before its holdtime ($HOLD s)"
	[ "$gone" -le $(( HOLD * 1000 + 2000 * SLOW )) ] ||
		fail "sp2's entry was still there $seen ms after its last registration, gone only after $gone ms (holdtime $HOLD s + 2 s x$SLOW)"
fi
expect_eq '["192.1.1.2"]' "$(mcast_list)" "the hub's multicast map without the expired sp2"

# sp2 comes back and registers again on its own.
ip -n sp2 link set eth0 up
wait_until 10 has_entry hub 172.1.1.3 dynamic registered ||
	fail "sp2 did not register again after coming back"
ping_ok hub 172.1.1.3 || fail "hub cannot reach sp2 after it came back"

# A shortcut in use does not lapse.  sp2 answers resolutions with a 12 s
# holdtime; sp1 resolves it again from 8 s while its traffic to sp2
# flows, so 30 s of pings after the first resolution all go direct: the
# hub relays none of them (its rx_data, which counted the packets it did
# relay while sp1 resolved: the positive control), sp1 holds its cached
# entry throughout (polled), and it sent refreshes.
ip -n sp2 link set tun0 type mgre holdtime 12 || fail "cannot set sp2's holdtime"
# (sp1's tun0 went down above, and its routes with it)
in_ns sp1 ip route replace 192.168.3.0/24 via 172.1.1.3 || fail "cannot route sp2's LAN at sp1"
hub0=$(counter hub rx_data)
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve 172.1.1.3: $(nhrpctl_in sp1 show)"
check_ge "$(counter hub rx_data)" $((hub0 + 1)) "data relayed by the hub while sp1 resolved"
log "sp1's entry for sp2 expires in $(entry_field sp1 172.1.1.3 expires) s (sp2's holdtime 12 s)"
hub0=$(counter hub rx_data) req0=$(counter sp1 nhrp_tx_res_req)
is_count "$req0" "sp1's nhrp_tx_res_req"
t0=$(now_ms)
in_ns sp1 ping -c 150 -i 0.2 -W 2 -I 192.168.2.1 192.168.3.1 >"$TMPD/inuse.txt" 2>&1 &
pid=$!
polls=0 lapsed=0
while kill -0 "$pid" 2>/dev/null; do
	polls=$((polls + 1))
	has_entry sp1 172.1.1.3 cached || lapsed=$((lapsed + 1))
	sleep 0.5
done
wait "$pid" || log "ping: $(tail -n 2 "$TMPD/inuse.txt" | tr '\n' ' ')"
req=$(( $(counter sp1 nhrp_tx_res_req) - req0 ))
log "$(( $(now_ms) - t0 )) ms of spoke-to-spoke pings: $(grep -o '[0-9]* received' "$TMPD/inuse.txt"), sp1 sent $req resolution requests, its entry not cached at $lapsed of $polls polls"
expect_eq 0 "$lapsed" "polls that found sp1's entry for sp2 not cached"
expect_eq 0 "$(( $(counter hub rx_data) - hub0 ))" "data packets through the hub while the shortcut was in use"
check_ge "$req" 2 "resolution requests sp1 sent to refresh its entry"

exit_status

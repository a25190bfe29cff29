#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# nhrpctl monitor: the events of the engine, as they happen and in order.
# sp1 ("registration timeout 2", "if-state nhrp") resolves sp2: its
# monitor shows the resolution sent, the incomplete entry and its
# answer (cached, was incomplete) with the request's id.  The hub then
# drops the spokes' GRE: its monitor shows sp2's registration (holdtime
# 6 s) expire; sp1's shows its NHS go down and the carrier go off.  The
# hub lets them through again: sp1's NHS comes up and its carrier on, and
# the hub's monitor shows sp2's new registration.  A second monitor of
# the hub, in text, shows the same events; the kernel log has the NHS
# down and up lines; no event was lost.  sp1's counters of its NHS (show
# nhs detail) count the failed registrations and the replies.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq nft

HUB=$TMPD/hub.json SP1=$TMPD/sp1.json TXT=$TMPD/hub.txt

topo_seed_dynamic
topo_spokes_registered
ip -n sp1 link set tun0 type mgre registration timeout 2 if-state nhrp ||
	fail "cannot set sp1's registration timeout and if-state"
ip -n sp2 link set tun0 type mgre holdtime 6 || fail "cannot set sp2's holdtime"
# shellcheck disable=SC2317	# (called through wait_until)
hub_expires_le() { local e; e=$(entry_field hub "$1" expires) && [ "$e" -le "$2" ]; }
wait_until 10 hub_expires_le 172.1.1.3 6 ||
	fail "sp2's registration at the hub does not last 6 s: $(nhrpctl_in hub show)"

monitor_start hub "$HUB" -j
monitor_start hub "$TXT"
monitor_start sp1 "$SP1" -j
{ monitor_ready hub "$HUB" && monitor_ready hub "$TXT" && monitor_ready sp1 "$SP1"; } ||
	exit_status

# --- a resolution --------------------------------------------------------
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
ev_wait 10 "$SP1" '.event == "entry_update" and .proto == "172.1.1.3" and .type == "cached"' ||
	fail "sp1's monitor shows no resolved entry for 172.1.1.3: $(tail -n 5 "$SP1")"
sent=$(ev_line "$SP1" '.event == "res_sent" and .proto == "172.1.1.3"')
inc=$(ev_line "$SP1" '.event == "entry_add" and .proto == "172.1.1.3" and .type == "incomplete"')
answered=$(ev_line "$SP1" '.event == "entry_update" and .proto == "172.1.1.3" and .type == "cached" and .nbma == "192.1.1.3" and .old_type == "incomplete"')
if [ -z "$sent" ] || [ -z "$inc" ] || [ -z "$answered" ]; then
	fail "sp1's resolution events (res_sent '$sent', incomplete '$inc', answered '$answered'): $(cat "$SP1")"
elif [ "$sent" -ge "$answered" ] || [ "$inc" -ge "$answered" ]; then
	fail "the resolution was answered (line $answered) before it started (line $inc) or was sent (line $sent)"
fi
id=$(jq -r 'select(.event == "res_sent" and .proto == "172.1.1.3") | .reqid' "$SP1" | head -n 1)
check_match "$id" '^[0-9]+$' "the resolution request's id"

# --- the hub stops answering: an expiry, an NHS down, the carrier off -----
# (and sp1's counters of its NHS, "show ip nhrp nhs detail")
nhs_count() {	# FIELD: sp1's counter FIELD of NHS 172.1.1.1
	nhrpctl_in sp1 -j show nhs dev tun0 |
		jq -r --arg f "$1" '.[] | select(.proto == "172.1.1.1") | .[$f]'
}
sent0=$(nhs_count req_sent) failed0=$(nhs_count req_failed) recv0=$(nhs_count repl_recv)
check_ge "$sent0" 1 "registrations sp1 sent its NHS"
check_ge "$recv0" 1 "replies sp1 had from its NHS"
is_count "$failed0" "sp1's failed registrations"
check_match "$(nhs_count last_reply)" '^[0-9]+$' "seconds since the NHS's last reply"
lost0=$(counter hub events_lost)
is_count "$lost0" "the hub's events_lost"
in_ns hub nft -f - <<'EOF' || fail "cannot install the hub's filter"
table ip mon {
	chain in {
		type filter hook input priority 0;
		ip saddr { 192.1.1.2, 192.1.1.3 } ip protocol gre counter drop
	}
}
EOF
cleanup_add ip netns exec hub nft delete table ip mon
ev_wait 20 "$HUB" '.event == "entry_expire" and .proto == "172.1.1.3"' ||
	fail "the hub's monitor shows no expiry of sp2's registration: $(nhrpctl_in hub show)"
ev_wait 30 "$SP1" '.event == "nhs_down" and .proto == "172.1.1.1" and .nbma == "192.1.1.1"' ||
	fail "sp1's monitor shows no NHS down: $(nhrpctl_in sp1 show nhs)"
ev_wait 10 "$SP1" '.event == "carrier" and .carrier == "off"' ||
	fail "sp1's monitor shows no carrier off"
check_ge "$(nhs_count req_failed)" $((failed0 + 1)) "sp1's failed registrations after the hub stopped answering"
check_ge "$(nhs_count req_sent)" $((sent0 + 1)) "sp1's registrations after the hub stopped answering"
# (the positive control: the hub did drop the spokes' packets)
check_ge "$(in_ns hub nft list table ip mon | grep -o 'packets [0-9]*' | awk '{ print $2 }')" 1 \
	"the spokes' GRE packets the hub dropped"

# --- and answers again -----------------------------------------------------
in_ns hub nft delete table ip mon || fail "cannot remove the hub's filter"
ev_wait 30 "$SP1" '.event == "nhs_up" and .proto == "172.1.1.1"' ||
	fail "sp1's monitor shows no NHS up after the hub returned: $(nhrpctl_in sp1 show nhs)"
ev_wait 10 "$SP1" '.event == "carrier" and .carrier == "on"' ||
	fail "sp1's monitor shows no carrier on"
check_ge "$(nhs_count repl_recv)" $((recv0 + 1)) "replies sp1 had from its NHS after it returned"
line=$(nhrpctl_in sp1 show nhs detail dev tun0 | grep '^172\.1\.1\.1 ')
check_match "$line" '^172\.1\.1\.1  R priority = 0 nbma = none  req-sent [0-9]+  req-failed [1-9][0-9]*  repl-recv [0-9]+ \([0-9]{2}:[0-9]{2}:[0-9]{2} ago\)$' \
	"sp1's show nhs detail line of its NHS"
ev_wait 20 "$HUB" '.event == "entry_add" and .proto == "172.1.1.3" and .type == "dynamic" and .nbma == "192.1.1.3"' ||
	fail "the hub's monitor shows no new registration of sp2: $(nhrpctl_in hub show)"

# In order: at the hub, sp2's expiry then its registration; at sp1, the
# resolution, then the NHS down and up, the carrier off and on.
expire=$(ev_line "$HUB" '.event == "entry_expire" and .proto == "172.1.1.3"')
readd=$(ev_line "$HUB" '.event == "entry_add" and .proto == "172.1.1.3" and .type == "dynamic"')
{ [ -n "$expire" ] && [ -n "$readd" ] && [ "$expire" -lt "$readd" ]; } ||
	fail "the hub's events out of order (expiry line $expire, registration line $readd): $(cat "$HUB")"
expect_eq "dynamic 192.1.1.3 unique,registered" \
	"$(jq -r 'select(.event == "entry_expire" and .proto == "172.1.1.3") | "\(.type) \(.nbma) \(.flags | join(","))"' "$HUB" | head -n 1)" \
	"the expired entry as the event shows it"
# (the carrier goes off at the first unanswered registration, before or
# after the NHS is down: two sequences)
in_order() {	# LABEL JQ_CONDITION...: the first matching lines ascend
	local label=$1 cond order="" last=0 n; shift
	for cond in "$@"; do
		n=$(ev_line "$SP1" "$cond")
		order+="${n:-none} "
		if [ -z "$n" ] || [ "$n" -le "$last" ]; then
			fail "sp1's events out of order ($label): lines $order"
			return 1
		fi
		last=$n
	done
}
RESOLVED='.event == "entry_update" and .proto == "172.1.1.3" and .type == "cached"'
in_order "resolved, NHS down, NHS up" "$RESOLVED" '.event == "nhs_down"' '.event == "nhs_up"'
in_order "resolved, carrier off, carrier on" "$RESOLVED" \
	'.event == "carrier" and .carrier == "off"' '.event == "carrier" and .carrier == "on"'
in_order "NHS up, then carrier on" '.event == "nhs_up"' '.event == "carrier" and .carrier == "on"'

# The text monitor saw the same, in its format.
grep -qE '^tun0 entry expire 172\.1\.1\.3/32 dynamic nbma 192\.1\.1\.3 flags unique registered( |$)' "$TXT" ||
	fail "the text monitor shows no expiry line: $(cat "$TXT")"
grep -qE '^tun0 entry add 172\.1\.1\.3/32 dynamic nbma 192\.1\.1\.3 flags unique registered expires [0-9]+$' "$TXT" ||
	fail "the text monitor shows no registration line: $(cat "$TXT")"
# The kernel log: sp1's NHS went down, and came back.
dmesg | grep -q 'tun0: NHS 172.1.1.1 (NBMA 192.1.1.1) down: our registrations went unanswered' ||
	fail "no NHS down line in the kernel log: $(dmesg | grep NHS | tail -n 3)"
dmesg | grep -q 'tun0: NHS 172.1.1.1 (NBMA 192.1.1.1) up' ||
	fail "no NHS up line in the kernel log"
# Nothing lost, nothing wrong.
expect_eq "$lost0" "$(counter hub events_lost)" "events the hub could not send"
for f in "$HUB" "$TXT" "$SP1"; do
	expect_eq "" "$(cat "$f.err")" "the errors of the monitor writing ${f##*/}"
done
log "sp1's events: $(jq -r .event "$SP1" | sort | uniq -c | tr -s ' \n' ' ')"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# The GRE keepalive originator ("keepalive PERIOD RETRIES", Cisco
# "keepalive 1 3" here).
#   - Multipoint: sp1 probes its NHS (the hub, an mgre device that
#     reflects them).  The hub's tunnel goes away: sp1 marks the NHS down
#     between RETRIES and (RETRIES + 1) * PERIOD seconds later, long
#     before a registration (every holdtime / 3) would notice; it comes
#     back: sp1 registers again at the first answer and the NHS is
#     responding within a period.
#   - Point-to-point: gre1 in sp1 (remote sp2, keepalives on) goes
#     NO-CARRIER when sp2's end is deleted and LOWER_UP again when it is
#     back; the peer needs no keepalive settings of its own.
#   - ip -d link show prints the setting; "keepalive off" stops the probes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq

PERIOD=1 RETRIES=3
# The kernel marks a dead peer down at the tick after RETRIES unanswered
# probes: more than RETRIES periods after it died (less the round trip of
# the last answer), at most RETRIES + 1; and it takes a returning peer
# back at its first answer, at most a period after it returned.  Far
# below the 166 s (holdtime 500 / 3) after which a registration would
# notice.  The test brackets both instants (see wait_timed), so the cost
# of the commands and of the polls (nhrpctl | jq, ip | jq: up to a second
# each on a busy machine) does not count against the kernel; SLACK_MS
# per unit of SLOW is for the kernel's own timers and work under
# emulation.
SLACK_MS=$((1000 * SLOW))
MIN_MS=$(( RETRIES * PERIOD * 1000 - 500 ))
LIMIT_MS=$(( (RETRIES + 1) * PERIOD * 1000 + SLACK_MS ))
BACK_MS=$(( PERIOD * 1000 + SLACK_MS ))

# check_down WHAT T_BEFORE T_AFTER: the peer went away during a command
# run from T_BEFORE to T_AFTER (now_ms), the last wait_timed saw WHAT
# happen: between RETRIES periods and LIMIT_MS later.  (Only what is
# certain fails: at least WT_LO - T_AFTER, at most WT_HI - T_BEFORE.)
check_down() {
	local lo=$(( WT_LO > $3 ? WT_LO - $3 : 0 )) hi=$(( WT_HI - $2 ))
	log "$1 ${lo}..${hi} ms after the peer went (keepalive $PERIOD $RETRIES: expected $MIN_MS..$LIMIT_MS ms, SLOW $SLOW)"
	[ "$hi" -ge "$MIN_MS" ] || fail "$1 at most $hi ms after the peer went: too early (< $MIN_MS ms)"
	[ "$lo" -le "$LIMIT_MS" ] || fail "$1 at least $lo ms after the peer went (> $LIMIT_MS ms)"
}
# check_back WHAT T_BEFORE T_AFTER: the same for the peer's return.
check_back() {
	local lo=$(( WT_LO > $3 ? WT_LO - $3 : 0 )) hi=$(( WT_HI - $2 ))
	log "$1 ${lo}..${hi} ms after the peer came back (expected <= $BACK_MS ms)"
	[ "$lo" -le "$BACK_MS" ] || fail "$1 at least $lo ms after the peer came back (> $BACK_MS ms)"
}

topo_seed_dynamic
for p in 172.1.1.2 172.1.1.3; do
	wait_until 10 has_entry hub "$p" dynamic registered ||
		fail "$p not registered: $(nhrpctl_in hub show)"
done

# --- multipoint: keepalives to the NHS ------------------------------------------
ip -n sp1 link set tun0 type mgre keepalive $PERIOD $RETRIES ||
	fail "cannot set keepalive on sp1"
check_match "$(ip -n sp1 -d link show tun0)" "keepalive $PERIOD $RETRIES" \
	"keepalive in ip -d link show"
wait_until 10 stat_ge sp1 ka_replies 3 ||
	fail "sp1 got no keepalive answers: sent $(stat_get sp1 tun0 ka_sent), answered $(stat_get sp1 tun0 ka_replies)"
check_ge "$(stat_get hub tun0 ka_reflected)" 3 "keepalives the hub reflected"
expect_eq responding "$(nhs_state sp1)" "sp1's NHS while the hub answers"
# (ka_peer_down counts nothing but keepalive verdicts: exact)
expect_eq 0 "$(stat_get sp1 tun0 ka_peer_down)" "ka_peer_down before the hub goes"

t0=$(now_ms)
in_ns hub ip link set tun0 down
t1=$(now_ms)
if wait_timed 15 nhs_state_is sp1 down; then
	check_down "hub gone: sp1 marked its NHS down" "$t0" "$t1"
else
	fail "sp1 did not mark the silent hub down: $(nhrpctl_in sp1 show nhs)"
fi
expect_eq 1 "$(stat_get sp1 tun0 ka_peer_down)" "ka_peer_down at sp1"

t0=$(now_ms)
in_ns hub ip link set tun0 up
t1=$(now_ms)
if wait_timed 15 nhs_state_is sp1 responding; then
	check_back "hub back: sp1's NHS responding" "$t0" "$t1"
else
	fail "sp1 did not come back to the hub: $(nhrpctl_in sp1 show nhs)"
fi
wait_until 10 has_entry hub 172.1.1.2 dynamic registered ||
	fail "sp1 not registered at the hub again: $(nhrpctl_in hub show)"
ping_ok sp1 172.1.1.1 || fail "sp1 cannot reach the hub after it came back"

# "keepalive off": no more probes.  (The positive control: ka_sent grew
# while they were on, ka_replies >= 3 above.)
ip -n sp1 link set tun0 type mgre keepalive off || fail "cannot set keepalive off"
ping_ok sp1 172.1.1.1 || fail "sp1 cannot reach the hub"
n0=$(stat_get sp1 tun0 ka_sent)
t0=$(now_ms)
# (Nothing to poll for: the absence of probes takes time to show.  Three
# periods, with a probe due in each if they were still on.)
_sleep $((3 * PERIOD))
expect_eq "$n0" "$(stat_get sp1 tun0 ka_sent)" \
	"keepalives sent in the $(( $(now_ms) - t0 )) ms after keepalive off"
out=$(ip -n sp1 -d link show tun0)
check_match "$out" "mgre" "ip -d link show tun0 after keepalive off"
[[ $out != *keepalive* ]] || fail "keepalive still shown after keepalive off: $out"

# --- point-to-point: the carrier follows the peer --------------------------------
ip -n sp1 link add gre1 type mgre local 192.1.1.2 remote 192.1.1.3 key 77 \
	keepalive $PERIOD $RETRIES || fail "cannot create sp1 gre1"
ip -n sp2 link add gre1 type mgre local 192.1.1.3 remote 192.1.1.2 key 77 ||
	fail "cannot create sp2 gre1"
in_ns sp1 ip addr add 10.77.0.1/30 dev gre1
in_ns sp2 ip addr add 10.77.0.2/30 dev gre1
in_ns sp1 ip link set gre1 up
in_ns sp2 ip link set gre1 up

# carrier NS DEV: "up" with LOWER_UP, "down" without
# shellcheck disable=SC2317	# (called through wait_until)
carrier() {
	ip -n "$1" -j link show "$2" |
		jq -er 'if (.[0].flags | index("LOWER_UP")) then "up" else "down" end'
}
# shellcheck disable=SC2317
carrier_is() { [ "$(carrier "$1" "$2")" = "$3" ]; }
gre1_stat() {
	nhrpctl_in sp1 -j stats dev gre1 | jq -er --arg k "$1" '.devices.gre1[$k]'
}
# shellcheck disable=SC2317
gre1_stat_ge() { local v; v=$(gre1_stat "$1") && [ "$v" -ge "$2" ]; }

wait_until 10 carrier_is sp1 gre1 up || fail "sp1 gre1 has no carrier while sp2 answers"
wait_until 10 gre1_stat_ge ka_replies 2 || fail "sp1 gre1 got no keepalive answers"
ping_ok sp1 10.77.0.2 || fail "no ping over the point-to-point tunnel"

# (Counted from here: sp1's first probes, sent before sp2's end existed,
# may already have taken the carrier down once.)
pd0=$(gre1_stat ka_peer_down)
t0=$(now_ms)
in_ns sp2 ip link del gre1
t1=$(now_ms)
if wait_timed 15 carrier_is sp1 gre1 down; then
	check_down "point-to-point peer gone: NO-CARRIER" "$t0" "$t1"
else
	fail "sp1 gre1 kept its carrier with the peer gone: $(ip -n sp1 link show gre1)"
fi
expect_eq $((pd0 + 1)) "$(gre1_stat ka_peer_down)" "ka_peer_down on gre1"

ip -n sp2 link add gre1 type mgre local 192.1.1.3 remote 192.1.1.2 key 77 ||
	fail "cannot create sp2 gre1 again"
in_ns sp2 ip addr add 10.77.0.2/30 dev gre1
# (from "up" on: a device that is down does not take GRE)
t0=$(now_ms)
in_ns sp2 ip link set gre1 up
t1=$(now_ms)
if wait_timed 10 carrier_is sp1 gre1 up; then
	check_back "point-to-point peer back: carrier on" "$t0" "$t1"
else
	fail "sp1 gre1 did not get its carrier back: $(ip -n sp1 link show gre1)"
fi
ping_ok sp1 10.77.0.2 || fail "no ping over the point-to-point tunnel after the peer came back"
# (gre1's answers, key 77, are not tun0's business; the positive control
# is gre1's ka_replies above)
expect_eq 0 "$(stat_get sp1 tun0 ka_unsolicited)" "ka_unsolicited on sp1 tun0"

exit_status

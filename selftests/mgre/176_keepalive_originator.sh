#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# The GRE keepalive originator ("keepalive PERIOD RETRIES", Cisco
# "keepalive 1 3" here).
#   - Multipoint: sp1 probes its NHS (the hub, an mgre device that
#     reflects them).  The hub's tunnel goes away: sp1 marks the NHS down
#     within (RETRIES + 1) * PERIOD seconds, long before a registration
#     (every holdtime / 3) would notice; it comes back: sp1 registers again
#     at the first answer and the NHS is responding within seconds.
#   - Point-to-point: gre1 in sp1 (remote sp2, keepalives on) goes
#     NO-CARRIER when sp2's end is deleted and LOWER_UP again when it is
#     back; the peer needs no keepalive settings of its own.
#   - ip -d link show prints the setting; "keepalive off" stops the probes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq

PERIOD=1 RETRIES=3
# Down at the tick after RETRIES unanswered probes: at most one more
# period after the peer died, plus the slack of emulation (the ip command
# that takes the peer away, the polling): 2.5 s, 5 s on the debug kernel,
# where one nhrpctl | jq poll alone can take a second.  Still far below
# the 166 s (holdtime 500 / 3) after which a registration would notice.
SLACK_MS=$([ "${DEBUG_KERNEL:-0}" = 1 ] && echo 5000 || echo 2500)
LIMIT_MS=$(( (RETRIES + 1) * PERIOD * 1000 + SLACK_MS ))

ms_since() { echo $(( (${EPOCHREALTIME/./} - $1) / 1000 )); }

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
expect_eq 0 "$(stat_get sp1 tun0 ka_peer_down)" "ka_peer_down before the hub goes"

t0=${EPOCHREALTIME/./}
in_ns hub ip link set tun0 down
wait_until 15 nhs_state_is sp1 down ||
	fail "sp1 did not mark the silent hub down: $(nhrpctl_in sp1 show nhs)"
down_ms=$(ms_since "$t0")
log "hub gone: sp1 marked its NHS down after ${down_ms} ms (keepalive $PERIOD $RETRIES)"
[ "$down_ms" -le "$LIMIT_MS" ] ||
	fail "NHS marked down after ${down_ms} ms (> ${LIMIT_MS} ms)"
expect_eq 1 "$(stat_get sp1 tun0 ka_peer_down)" "ka_peer_down at sp1"

t0=${EPOCHREALTIME/./}
in_ns hub ip link set tun0 up
wait_until 15 nhs_state_is sp1 responding ||
	fail "sp1 did not come back to the hub: $(nhrpctl_in sp1 show nhs)"
log "hub back: sp1's NHS responding after $(ms_since "$t0") ms"
wait_until 10 has_entry hub 172.1.1.2 dynamic registered ||
	fail "sp1 not registered at the hub again: $(nhrpctl_in hub show)"
ping_ok sp1 172.1.1.1 || fail "sp1 cannot reach the hub after it came back"

# "keepalive off": no more probes.
ip -n sp1 link set tun0 type mgre keepalive off || fail "cannot set keepalive off"
n0=$(stat_get sp1 tun0 ka_sent)
ping_ok sp1 172.1.1.1 -c 3 || fail "sp1 cannot reach the hub"
expect_eq "$n0" "$(stat_get sp1 tun0 ka_sent)" "keepalives sent after keepalive off"
if ip -n sp1 -d link show tun0 | grep -q keepalive; then
	fail "keepalive still shown after keepalive off"
fi

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
carrier() {
	ip -n "$1" -j link show "$2" |
		jq -r 'if (.[0].flags | index("LOWER_UP")) then "up" else "down" end'
}
carrier_is() { [ "$(carrier "$1" "$2")" = "$3" ]; }
gre1_stat() {
	nhrpctl_in sp1 -j stats dev gre1 | jq -er --arg k "$1" '.devices.gre1[$k]'
}

wait_until 10 carrier_is sp1 gre1 up || fail "sp1 gre1 has no carrier while sp2 answers"
wait_until 10 eval '[ "$(gre1_stat ka_replies)" -ge 2 ]' ||
	fail "sp1 gre1 got no keepalive answers"
ping_ok sp1 10.77.0.2 || fail "no ping over the point-to-point tunnel"

# (Counted from here: sp1's first probes, sent before sp2's end existed,
# may already have taken the carrier down once.)
pd0=$(gre1_stat ka_peer_down)
t0=${EPOCHREALTIME/./}
in_ns sp2 ip link del gre1
wait_until 15 carrier_is sp1 gre1 down ||
	fail "sp1 gre1 kept its carrier with the peer gone: $(ip -n sp1 link show gre1)"
down_ms=$(ms_since "$t0")
log "point-to-point peer gone: NO-CARRIER after ${down_ms} ms"
[ "$down_ms" -le "$LIMIT_MS" ] ||
	fail "carrier off after ${down_ms} ms (> ${LIMIT_MS} ms)"
expect_eq $((pd0 + 1)) "$(gre1_stat ka_peer_down)" "ka_peer_down on gre1"

t0=${EPOCHREALTIME/./}
ip -n sp2 link add gre1 type mgre local 192.1.1.3 remote 192.1.1.2 key 77
in_ns sp2 ip addr add 10.77.0.2/30 dev gre1
in_ns sp2 ip link set gre1 up
wait_until 10 carrier_is sp1 gre1 up ||
	fail "sp1 gre1 did not get its carrier back: $(ip -n sp1 link show gre1)"
log "point-to-point peer back: carrier on after $(ms_since "$t0") ms"
ping_ok sp1 10.77.0.2 || fail "no ping over the point-to-point tunnel after the peer came back"
expect_eq 0 "$(stat_get sp1 tun0 ka_unsolicited)" "ka_unsolicited on sp1 tun0"

exit_status

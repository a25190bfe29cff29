#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Dual-hub DMVPN failover (the seeds' primary/backup hubs).  hub
# (172.1.1.1, NBMA .1) is NHS priority 0, hub2 (172.1.1.4, NBMA .4)
# priority 1; the spokes sp1, sp2 and sp3 (.2, .3, .5) register with both
# every 2 s ("ip nhrp registration timeout 2").  Both hubs' bridge ports
# are captured throughout.
#   0. Before: sp1 -> sp2's LAN resolves through the primary (its capture
#      shows the request and the data it carried meanwhile; the backup's
#      shows sp1's registrations only).
#   1. The primary dies (its NBMA link goes down) while sp1 starts new
#      traffic to sp3's LAN.  sp1 and sp3 notice at their first unanswered
#      registration and send hub-path traffic and resolutions through
#      hub2: the failover time (from the failure to the first echo reply,
#      ping's own timestamps) is measured and bounded, and so is the time
#      until the NHS is marked down.  The backup's capture shows sp1's
#      traffic for sp3, the primary's none.  An established spoke-to-spoke
#      path (sp1 <-> sp2, pinged throughout) loses nothing.
#   2. The primary returns: the spokes register with it again and prefer
#      it (a new resolution, sp2 -> sp3, goes through hub, not hub2:
#      counters and both captures), again without a loss on the
#      established path (every echo request ping sent answered, and all
#      of them direct sp1 <-> sp2 on the wire).
#   3. "if-state nhrp" on sp1: with both hubs gone its tunnel's carrier
#      goes off (routing daemons and floating static routes see it), and
#      it comes back on at the first registration reply.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq

TOPO_NS=(_ hub sp1 sp2 hub2 sp3)
REG=2	# registration timeout (interval), seconds
# (holdtime: longer than the test, so that no cached entry in use is
# resolved again during it (from 2/3 of the holdtime, through the NHS in
# use then): every resolution request on the hubs' captures is one the
# test's traffic started)
NH="network-id 10000 holdtime 900 auth cisco123 registration timeout $REG"
# Time limits.  The first unanswered registration is sent at most REG s
# (+ a tick of the NHRP work, which runs every second) after the failure
# and found unanswered 1 s (+ a tick) later; from then on new work goes to
# hub2, for sp1 and, for the echo replies, for sp3: within REG + 3 s.
# The NHS is down after two more unanswered retries (1 + 2 + 2 s after
# the first request, see mgre_reg_retry()): not before REG + 3 s (the
# request before may have been lost, so less a little), not after REG +
# 7.  The measurements bracket the instants (ping's own timestamps,
# wait_timed), so the commands' and the polls' cost does not count
# against the kernel; SLACK_MS per unit of SLOW is for the kernel's own
# timers and work under emulation.
SLACK_MS=$((1000 * SLOW))
FAILOVER_MS=$(( (REG + 3) * 1000 + SLACK_MS ))
DOWN_MIN_MS=$(( (REG + 3) * 1000 - 500 ))
DOWN_MS=$(( (REG + 7) * 1000 + SLACK_MS ))


# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
for i in 1 2 3 4 5; do
	topo_router "$i"
	# shellcheck disable=SC2086
	topo_tunnel "$i" $NH
done
for h in hub hub2; do
	nhrpctl_in "$h" multicast add dynamic dev tun0
done
for i in 2 3 5; do
	ns=${TOPO_NS[$i]}
	nhrpctl_in "$ns" nhs add 172.1.1.1 nbma 192.1.1.1 priority 0 dev tun0
	nhrpctl_in "$ns" nhs add 172.1.1.4 nbma 192.1.1.4 priority 1 dev tun0
	for j in 2 3 5; do
		[ "$j" = "$i" ] && continue
		in_ns "$ns" ip route add "192.168.$j.0/24" via "172.1.1.$j"
	done
done
for h in 1 4; do
	for j in 2 3 5; do
		in_ns "${TOPO_NS[$h]}" ip route add "192.168.$j.0/24" via "172.1.1.$j"
	done
done

for h in hub hub2; do
	for p in 172.1.1.2 172.1.1.3 172.1.1.5; do
		wait_until 10 has_entry "$h" "$p" dynamic registered ||
			fail "$p not registered at $h: $(nhrpctl_in "$h" show)"
	done
done
# shellcheck disable=SC2317	# (called through wait_until)
nhs_of() {	# nhs_of NS PROTO: the state of that NHS
	nhrpctl_in "$1" -j show nhs dev tun0 |
		jq -er --arg p "$2" '.[] | select(.proto == $p) | .state'
}
# shellcheck disable=SC2317
nhs_is() { [ "$(nhs_of "$1" "$2")" = "$3" ]; }
res_req() { stat_get "$1" tun0 nhrp_rx_res_req; }

# What the hubs carry (topo.sh's nhrp_f and data_f filters): a resolution
# request for sp3 (from anyone)
RES_SP3="$(nhrp_f 1 "" 172.1.1.5)"

# --- 0. before: a resolution through the primary ------------------------------
capture_start wan p-hub "ip proto 47" "$TMPD/hub.pcap"
capture_start wan p-hub2 "ip proto 47" "$TMPD/hub2.pcap"
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached || fail "sp1 did not resolve sp2"
capture_wait 5 "$TMPD/hub.pcap" 1 "src 192.1.1.2 and $(nhrp_f 1 "" 172.1.1.3)" ||
	fail "the primary's capture lacks sp1's resolution request for sp2"
capture_wait 5 "$TMPD/hub.pcap" 1 "src 192.1.1.2 and dst 192.1.1.1 and $(data_f 192.168.2.1 192.168.3.1)" ||
	fail "the primary's capture lacks sp1's data for sp2 sent through it while resolving"
# (the backup's capture works: it sees sp1's registrations; its zero
# counts are taken at the end, over the whole capture)
capture_wait 5 "$TMPD/hub2.pcap" 1 "src 192.1.1.2 and dst 192.1.1.4 and $(nhrp_f 3)" ||
	fail "positive control: the backup's capture lacks sp1's registrations"
# "nhs add 172.1.1.4 nbma 192.1.1.4" maps the backup too (IOS's one-line
# form): sp1's ping to its tunnel address goes straight to it, without a
# resolution through the primary (whose capture has sp1's request for
# sp2 above: the positive control of the zero).
ping_ok sp1 172.1.1.4 || fail "sp1 cannot reach the backup's tunnel address"
capture_wait 5 "$TMPD/hub2.pcap" 1 "src 192.1.1.2 and dst 192.1.1.4 and $(data_f 172.1.1.2 172.1.1.4 8)" ||
	fail "sp1's ping to 172.1.1.4 did not go straight to the backup's NBMA address"
expect_eq 0 "$(capture_count_bpf "$TMPD/hub.pcap" "src 192.1.1.2 and ($(nhrp_f 1 "" 172.1.1.4) or $(data_f 172.1.1.2 172.1.1.4))")" \
	"sp1's resolution requests for, or data to, the backup's tunnel address at the primary"

# The established spoke-to-spoke path, pinged throughout: one "ping -c 8"
# after the other until told to stop (each run counts its own requests
# and waits for their replies; a marker line per run shows runs that
# printed no statistics).  Captured at sp1's port: all of it must go
# straight between sp1 and sp2.
capture_start wan p-sp1 "ip proto 47 and ip[22:2] = 0x0800" "$TMPD/sp1.pcap"
pings_start sp1 192.168.3.1 "$TMPD/est.txt" -I 192.168.2.1

# --- 1. the primary dies ------------------------------------------------------
r0=$(res_req hub2)
t0=$(now_ms)
in_ns hub ip link set eth0 down
t1=$(now_ms) t1_us=${EPOCHREALTIME/./}
# New traffic from the moment of the failure on, timestamped by ping
# itself (-D): the failover time is that of its first reply.  (-w: it
# ends by itself, after the limit and some.)
bg_start ip netns exec sp1 ping -n -D -i 0.2 -w $(( FAILOVER_MS / 1000 + 5 )) \
	-I 192.168.2.1 192.168.5.1 >"$TMPD/fo.txt" 2>&1
FO_PID=$BG_PID
if wait_until $(( FAILOVER_MS / 1000 + 5 )) grep -q 'bytes from' "$TMPD/fo.txt"; then
	# "[1712345678.123456] 64 bytes from 192.168.5.1: icmp_seq=17 ..."
	read -r ts seq < <(sed -n 's/^\[\([0-9]*\)\.\([0-9]\{6\}\)\] .*icmp_seq=\([0-9]*\) .*/\1\2 \3/p' "$TMPD/fo.txt" | head -n 1)
	[[ $ts =~ ^[0-9]+$ ]] || ts=$(( t1_us + 1000 * 1000000 ))	# (unparsable: fails below)
	# (from the end of the command that took the primary away: the
	# failover took at least this long)
	fo_ms=$(( (ts - t1_us) / 1000 ))
	log "FAILOVER: new traffic sp1 -> sp3's LAN (through hub2) answered ${fo_ms} ms after the primary failed" \
		"(ip link set down took $((t1 - t0)) ms; first answered request: #$seq, one every 200 ms;" \
		"limit ${FAILOVER_MS} ms, SLOW $SLOW)"
	[ "$fo_ms" -le "$FAILOVER_MS" ] || fail "failover took ${fo_ms} ms (> ${FAILOVER_MS} ms)"
else
	fail "sp1 LAN cannot reach sp3 LAN through the backup hub: $(tail -n 3 "$TMPD/fo.txt")"
fi
if wait_timed 15 nhs_is sp1 172.1.1.1 down; then
	# (certainly after lo, before hi)
	lo=$(( WT_LO > t1 ? WT_LO - t1 : 0 )) hi=$(( WT_HI - t0 ))
	log "sp1 marked the primary down ${lo}..${hi} ms after it failed (expected ${DOWN_MIN_MS}..${DOWN_MS} ms)"
	[ "$hi" -ge "$DOWN_MIN_MS" ] ||
		fail "primary marked down at most ${hi} ms after it failed: before three registrations went unanswered"
	[ "$lo" -le "$DOWN_MS" ] || fail "primary marked down at least ${lo} ms after it failed (> ${DOWN_MS} ms)"
else
	fail "sp1 did not mark the dead primary down: $(nhrpctl_in sp1 show nhs)"
fi
# The shortcut sp1 -> sp3, resolved through hub2.  (Allowing for the
# requests sp1 sent to the dead primary before it noticed: they count
# among its five tries, the next ones, at most 8 s apart, go to hub2.)
if wait_until 20 has_entry sp1 172.1.1.5 cached; then
	log "sp1 has its shortcut to sp3 (seen $(( $(now_ms) - t0 )) ms after the failure)"
else
	fail "sp1 did not resolve sp3 through hub2: $(nhrpctl_in sp1 show)"
fi
check_ge "$(( $(res_req hub2) - r0 ))" 1 "resolution requests at hub2 during the failover"
# The traffic moved: the backup carried sp1's hub-path traffic for sp3
# (its resolution requests, the data meanwhile), the primary none of it
# (it did carry sp1's for sp2 before: checked above).
capture_wait 5 "$TMPD/hub2.pcap" 1 \
	"src 192.1.1.2 and dst 192.1.1.4 and (($RES_SP3) or ($(data_f 192.168.2.1 192.168.5.1)))" ||
	fail "the backup's capture lacks sp1's traffic for sp3"
wait_until $(( FAILOVER_MS / 1000 + 10 )) _not_running "$FO_PID" || fail "the failover ping did not end"
wait "$FO_PID" 2>/dev/null

# --- 2. the primary returns and is preferred again ---------------------------------
t0=$(now_ms)
in_ns hub ip link set eth0 up
for ns in sp1 sp2 sp3; do
	wait_until 15 nhs_is "$ns" 172.1.1.1 responding ||
		fail "$ns did not register with the returning primary: $(nhrpctl_in "$ns" show nhs)"
done
log "primary hub back: the spokes registered with it again after $(( $(now_ms) - t0 )) ms"
# (nhrp_rx_res_req counts nothing but resolution requests, and nothing
# resolves now but sp2 -> sp3 (and sp3 -> sp2 for the answers): exact)
r1=$(res_req hub) r2=$(res_req hub2)
ping_ok sp2 192.168.5.1 -I 192.168.3.1 || fail "sp2 LAN cannot reach sp3 LAN"
wait_until 10 has_entry sp2 172.1.1.5 cached || fail "sp2 did not resolve sp3"
check_ge "$(( $(res_req hub) - r1 ))" 1 "resolution requests at the returned primary"
expect_eq 0 "$(( $(res_req hub2) - r2 ))" "resolution requests at hub2 once the primary is back"
capture_wait 5 "$TMPD/hub.pcap" 1 "src 192.1.1.3 and dst 192.1.1.1 and $RES_SP3" ||
	fail "the returned primary's capture lacks sp2's resolution request for sp3"

# The established path never noticed: stop the pings (the current run
# finishes), count.
pings_stop "$TMPD/est.txt"
runs=$PINGS_RUNS sent=$PINGS_SENT rcvd=$PINGS_RCVD stats=$PINGS_STATS
log "established sp1 -> sp2 path: $rcvd of $sent pings answered across both switchovers ($runs runs of ping -c 8)"
expect_eq "$runs" "$stats" "runs of ping on the established path that printed their statistics"
check_ge "$sent" 20 "pings sent on the established path"
expect_eq "$sent" "$rcvd" "pings answered on the established path" ||
	grep -v 'bytes from' "$TMPD/est.txt" | head -n 20
capture_stop "$TMPD/sp1.pcap" "$TMPD/hub.pcap" "$TMPD/hub2.pcap"
# On the wire, at sp1's port: every request went straight to sp2 and
# every answer came straight back.
n=$(capture_count_bpf "$TMPD/sp1.pcap" "src 192.1.1.2 and dst 192.1.1.3 and $(data_f 192.168.2.1 192.168.3.1 8)")
expect_eq "$sent" "$n" "echo requests sp1 -> sp2 sent straight to sp2's NBMA address"
n=$(capture_count_bpf "$TMPD/sp1.pcap" "src 192.1.1.3 and dst 192.1.1.2 and $(data_f 192.168.3.1 192.168.2.1 0)")
expect_eq "$sent" "$n" "echo replies sp2 -> sp1 straight from sp2's NBMA address"
# The hubs' whole captures (the positive controls of each were checked
# above: the primary's has sp1's and sp2's resolution requests, the
# backup's sp1's registrations and its traffic for sp3).
expect_eq 0 "$(capture_count_bpf "$TMPD/hub.pcap" \
	"src 192.1.1.2 and (($RES_SP3) or ($(data_f 192.168.2.1 192.168.5.1)))")" \
	"sp1's traffic for sp3 at the primary (it moved to the backup)"
expect_eq 0 "$(capture_count_bpf "$TMPD/hub2.pcap" \
	"src 192.1.1.2 and (($(nhrp_f 1 "" 172.1.1.3)) or ($(data_f 192.168.2.1 192.168.3.1)))")" \
	"sp1's traffic for sp2 at the backup (resolved through the primary before the failure)"
expect_eq 0 "$(capture_count_bpf "$TMPD/hub2.pcap" \
	"src 192.1.1.3 and (($RES_SP3) or ($(data_f 192.168.3.1 192.168.5.1)))")" \
	"sp2's traffic for sp3 at the backup (once the primary is back)"

# --- 3. if-state nhrp: the carrier follows the NHSes --------------------------------
# shellcheck disable=SC2317
carrier_is() { [ "$(in_ns sp1 cat /sys/class/net/tun0/carrier 2>/dev/null)" = "$1" ]; }
ip -n sp1 link set tun0 type mgre if-state nhrp || fail "cannot set if-state nhrp"
check_match "$(ip -n sp1 -d link show tun0)" "if-state nhrp" "if-state in ip -d link show"
wait_until 5 carrier_is 1 || fail "carrier off with both hubs answering"
t0=$(now_ms)
in_ns hub ip link set eth0 down
in_ns hub2 ip link set eth0 down
wait_until 20 carrier_is 0 ||
	fail "carrier still on with no NHS answering: $(nhrpctl_in sp1 show nhs)"
log "both hubs gone: sp1's carrier went off after $(( $(now_ms) - t0 )) ms"
check_match "$(ip -n sp1 link show tun0)" "NO-CARRIER" "ip link show after the NHSes died"
t0=$(now_ms)
in_ns hub2 ip link set eth0 up
wait_until 15 carrier_is 1 || fail "carrier still off after hub2 came back"
log "hub2 back: sp1's carrier came on after $(( $(now_ms) - t0 )) ms"
ping_ok sp1 172.1.1.4 || fail "sp1 cannot reach hub2 once its carrier is back"

exit_status

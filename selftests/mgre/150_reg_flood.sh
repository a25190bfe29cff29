#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Registration flood: a namespace on the NBMA network ("fl", 192.1.1.9)
# sends thousands of valid, authenticated registrations, each from its own
# spoofed NBMA address in 192.1.0.0/16 (outside the hub's 192.1.1.0/24;
# the hub routes that /16 back to "fl", so its replies go somewhere) for
# its own protocol address, at a hub whose cache is limited to 1000
# entries ("ip link set tun0 type mgre cache-max 1000"); every tenth
# claims sp1's address.  Throughout: the cache stays within the limit, the
# refused registrations are counted (and answered: code 5 when full, 14
# for sp1's address), sp1 and sp2 stay registered (their refreshes, every
# 10 s, still succeed with the cache full) and the hub reaches them.  A
# second flood once the cache is full must not grow kernel memory (the
# refusals cost nothing), and when the flood's registrations expire the
# cache and the dynamic multicast map are back to the two spokes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3 jq
MAX=1000
# registrations per flood (2000 on the debug kernel: still twice the limit)
N=${FLOOD_COUNT:-$([ "$DEBUG_KERNEL" = 1 ] && echo 2000 || echo 5000)}
RATE=${FLOOD_RATE:-1000}	# per second, at most
FLOOD_HOLD=60			# holdtime of the flood's registrations

# Spokes refresh every holdtime/3 = 10 s, several times during the test.
# shellcheck disable=SC2034	# (read by topo.sh)
TOPO_NHRP="network-id 10000 holdtime 30 auth cisco123"
topo_seed_dynamic
ip -n hub link set tun0 type mgre cache-max "$MAX" || fail "cannot set cache-max"
check_match "$(ip -n hub -d link show tun0)" "cache-max $MAX" "cache-max in ip -d link show"
for p in 172.1.1.2 172.1.1.3; do
	wait_until 10 has_entry hub "$p" dynamic unique registered ||
		fail "$p not registered at the hub: $(nhrpctl_in hub show)"
done

topo_nbma_host fl 192.1.1.9
in_ns hub ip route add 192.1.0.0/16 via 192.1.1.9
# "fl" takes the replies to the spoofed addresses (192.1.2.0 - 192.1.63.255)
# as its own, so the flood can count them.
for net in 192.1.2.0/23 192.1.4.0/22 192.1.8.0/21 192.1.16.0/20 192.1.32.0/19; do
	in_ns fl ip route add local "$net" dev lo
done

count() { entries hub; }
mcast_nbmas() {
	nhrpctl_in hub -j show multicast dev tun0 |
		jq '[.[] | select(.nbma != "dynamic")] | length'
}
sunreclaim() {	# kB of unreclaimable slab, after reclaimable caches are dropped
	local k v
	sync
	echo 2 > /proc/sys/vm/drop_caches
	while read -r k v _; do
		[ "$k" = SUnreclaim: ] && { echo "$v"; return; }
	done < /proc/meminfo
}
# spokes_ok: both spokes registered and reachable from the hub (one echo
# answered of up to three); else say which and why in $SPOKES_WHY.
spokes_ok() {
	local p

	for p in 172.1.1.2 172.1.1.3; do
		if ! has_entry hub "$p" dynamic unique registered; then
			SPOKES_WHY="$p not registered at the hub: $(nhrpctl_in hub show dev tun0 | grep -A1 "^$p[/ ]")"
			return 1
		fi
		if ! in_ns hub ping -c 3 -i 0.3 -W 2 "$p" >/dev/null; then
			SPOKES_WHY="$p registered but not answering pings from the hub; hub: $(stat_summary hub); softnet drops: $(softnet_drops)"
			return 1
		fi
	done
}
stat_summary() {	# the nonzero tx/rx drop counters of NS's tun0
	nhrpctl_in "$1" -j stats dev tun0 |
		jq -rc '.devices.tun0 | with_entries(select((.key | test("^(tx|rx)_")) and .value != 0))'
}
softnet_drops() {	# packets the backlog queues dropped, all CPUs
	local sum=0 l
	while read -r _ l _; do sum=$((sum + 16#$l)); done < /proc/net/softnet_stat
	echo "$sum"
}
# flood NAME FIRST_NBMA FIRST_PROTO: one flood in the background while the
# cache limit and the spokes are checked in a loop.
flood() {
	local name=$1 nbma=$2 proto=$3 n checks=0
	log "flood $name: $N registrations from $nbma on, at most $RATE/s"
	bg_start in_ns fl python3 "$LIB_DIR/nhrp_craft.py" flood --self-nbma 192.1.1.9 \
		--first-nbma "$nbma" --first-proto "$proto" --count "$N" --rate "$RATE" \
		--holdtime "$FLOOD_HOLD" --hijack 172.1.1.2 >"$TMPD/$name.json"
	local pid=$BG_PID
	while kill -0 "$pid" 2>/dev/null; do
		n=$(count)
		[ "$n" -le "$MAX" ] || fail "flood $name: $n cache entries, limit $MAX"
		spokes_ok || fail "flood $name: $SPOKES_WHY"
		checks=$((checks + 1))
	done
	wait "$pid" || fail "flood $name: nhrp_craft.py failed"
	log "flood $name: $(cat "$TMPD/$name.json") ($checks checks during it)"
}
# Refused, not merely late: under the flood a TCG hub can take more than
# the 1 s retransmission time to answer, which is counted apart
# (nhrp_reg_unanswered) and only logged.
reg_failed() { stat_get "$1" tun0 nhrp_reg_failed; }
reg_unanswered() { stat_get "$1" tun0 nhrp_reg_unanswered; }

s0=$(sunreclaim)
rf_sp1=$(reg_failed sp1) rf_sp2=$(reg_failed sp2)
ru_sp1=$(reg_unanswered sp1) ru_sp2=$(reg_unanswered sp2)
refused0=$(stat_get hub tun0 nhrp_reg_refused)
rx0=$(stat_get hub tun0 nhrp_rx_reg_req)

flood A 192.1.2.1 10.128.0.1
n=$(count)
log "after flood A: $n cache entries, $(mcast_nbmas) multicast NBMAs"
[ "$n" -le "$MAX" ] || fail "$n cache entries after flood A, limit $MAX"
check_ge "$n" $((MAX - 20)) "cache entries after flood A (the cache should be full)"
refused=$(( $(stat_get hub tun0 nhrp_reg_refused) - refused0 ))
rx=$(( $(stat_get hub tun0 nhrp_rx_reg_req) - rx0 ))
log "flood A: the hub received $rx registrations, refused $refused"
# (rx includes the spokes' refreshes, a few)
check_ge "$refused" $((rx - MAX - 20)) "refused registrations (received $rx, cache limit $MAX)"
check_ge "$rx" $((N / 2)) "registrations that reached the hub"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["replies"]
for code, what in (("0", "accepted"), ("5", "no resources (cache full)"), ("14", "already registered (sp1)")):
    if not r.get(code):
        print("no reply with code %s (%s): %s" % (code, what, r)); sys.exit(1)
' "$TMPD/A.json" || fail "flood A: the replies lack a code"
s1=$(sunreclaim)

flood B 192.1.40.1 10.160.0.1
s2=$(sunreclaim)
n=$(count)
[ "$n" -le "$MAX" ] || fail "$n cache entries after flood B, limit $MAX"
log "SUnreclaim: before ${s0} kB, after flood A ${s1} kB, after flood B ${s2} kB"
# A refused registration must not cost memory.  (KASAN keeps freed objects
# in quarantine, up to 1/32 of the memory: allow for it there.)
margin=8192
if grep -q 'KernelAddressSanitizer initialized' <(dmesg); then
	margin=$((margin + $(awk '$1 == "MemTotal:" { print int($2 / 32) }' /proc/meminfo)))
fi
[ $((s2 - s1)) -le "$margin" ] ||
	fail "flood B (all refused) grew unreclaimable slab by $((s2 - s1)) kB (allowed $margin kB)"
[ $((s1 - s0)) -le $((margin + 8192)) ] ||
	fail "flood A grew unreclaimable slab by $((s1 - s0)) kB for $MAX entries (allowed $((margin + 8192)) kB)"

# The flood's registrations expire: the cache and the multicast map shrink
# back to the two spokes.
back() { [ "$(count)" = 2 ] && [ "$(mcast_nbmas)" = 2 ]; }
wait_until $((FLOOD_HOLD + 60)) back ||
	fail "after expiry: $(count) cache entries (want 2), $(mcast_nbmas) multicast NBMAs (want 2)"
s3=$(sunreclaim)
log "after expiry: $(count) cache entries, $(mcast_nbmas) multicast NBMAs, SUnreclaim ${s3} kB"

wait_until 10 spokes_ok || fail "after the floods: $SPOKES_WHY"
for ns in sp1 sp2; do
	wait_until 10 nhs_state_is "$ns" responding ||
		expect_eq responding "$(nhs_state "$ns")" "NHS state on $ns"
done
log "registrations of the spokes answered late during the floods: sp1 $(( $(reg_unanswered sp1) - ru_sp1 )), sp2 $(( $(reg_unanswered sp2) - ru_sp2 ))"
expect_eq "$rf_sp1" "$(reg_failed sp1)" "sp1's failed registrations (refreshes refused?)"
expect_eq "$rf_sp2" "$(reg_failed sp2)" "sp2's failed registrations (refreshes refused?)"
expect_eq 192.1.1.2 "$(entry_field hub 172.1.1.2 nbma)" "sp1's binding at the hub"
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"

exit_status

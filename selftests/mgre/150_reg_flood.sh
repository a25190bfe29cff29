#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Registration flood: a namespace on the NBMA network ("fl", 192.1.1.9)
# sends thousands of valid, authenticated registrations, each from its own
# spoofed NBMA address in 192.1.0.0/16 (outside the hub's 192.1.1.0/24;
# the hub routes that /16 back to "fl", so its replies go somewhere) for
# its own protocol address, at a hub whose cache is limited to 1000
# entries ("ip link set tun0 type mgre cache-max 1000").  Three floods:
#   A  900 registrations, all accepted: what an entry costs in kernel
#      memory, measured (unreclaimable slab per registration);
#   B  5000 more, every tenth claiming sp1's address: the cache fills up
#      and stays within the limit, the rest is refused and counted, and
#      answered (code 5 when full, 14 for sp1's address);
#   C  5000 more with the cache full: all refused, and refusals cost no
#      memory (less than a tenth of what as many accepted ones cost);
#   D  (after C's entries expired, below) 1000 more at a hub with
#      "max-send 100 every 5": at most 100 + 20/s answered, the rest
#      counted as over the budget;
#   E  sp1 sends to 60 addresses nobody registered: its resolutions in
#      progress or failed take at most a quarter of its cache.
# Throughout, sp1 and sp2 stay registered (their refreshes still succeed
# with the cache full) and the hub reaches them.  Then the flood's
# registrations in the cache are refreshed with a holdtime of 3 s (with
# the cache full), and when they expire the cache and the dynamic
# multicast map are back to the two spokes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3 jq
MAX=1000
NA=900		# flood A: fewer than the 998 free entries, all accepted
# registrations per flood B and C (2000 on the debug kernel: still twice
# the limit)
N=${FLOOD_COUNT:-$([ "$DEBUG_KERNEL" = 1 ] && echo 2000 || echo 5000)}
RATE=${FLOOD_RATE:-1000}	# per second, at most
# Holdtime of the flood's registrations: flood A's entries must outlive
# flood C, however slow the VM (C accepting more than the entries left
# free would show it); at the end they are refreshed with REFRESH_HOLD.
FLOOD_HOLD=3600
REFRESH_HOLD=3

# Spokes refresh every holdtime/3 = 10 s, several times during the test.
# shellcheck disable=SC2034	# (read by topo.sh)
TOPO_NHRP="network-id 10000 holdtime 30 auth cisco123"
topo_seed_dynamic
ip -n hub link set tun0 type mgre cache-max "$MAX" || fail "cannot set cache-max"
# The flood's protocol addresses (10.128.0.1 on) must lie in one of the
# hub's tunnel subnets: NHRP binds nothing else ("subnet-check").
ip -n hub addr add 10.0.0.1/8 dev tun0 || fail "cannot add the flood's subnet to the hub's tun0"
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

count() {	# the hub's cache entries, -1 if it cannot be read
	local n
	n=$(entries hub)
	[[ $n =~ ^[0-9]+$ ]] || n=-1
	echo "$n"
}
mcast_nbmas() {
	nhrpctl_in hub -j show multicast dev tun0 |
		jq -e '[.[] | select(.nbma != "dynamic")] | length'
}
# measure: KMALLOC = bytes in use in the generic kmalloc caches (kmalloc-96,
# kmalloc-1k, ...: the hash tables' buckets and what mgre allocates per
# packet) and in mgre's own slab caches, mgre_entry and mgre_mcast (the
# entries and multicast references: read through /sys/kernel/slab, which
# names them also where SLUB merged one with another cache of its size),
# once the reclaimable caches are dropped and every slab cache is shrunk
# (per-CPU slabs flushed: their free objects would count as in use).
# Not the whole SUnreclaim: program starts and file accesses through
# the VM's 9p root move that by 100-300 kB, as much as 900 entries cost;
# the kmalloc caches are quiet (the kmalloc-cg-* ones, charged to the
# processes, are left out too).  SLAB = SUnreclaim in kB, for the log.
measure() {
	local f name active size k v
	sync
	echo 2 > /proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 2>/dev/null > "$f"
	done
	KMALLOC=0 SLAB=-1
	while read -r name active _ size _; do
		[[ $name =~ ^kmalloc-[0-9]+k?$ ]] && KMALLOC=$((KMALLOC + active * size))
	done < /proc/slabinfo
	for name in mgre_entry mgre_mcast; do
		if read -r active _ < "/sys/kernel/slab/$name/objects" &&
			read -r size < "/sys/kernel/slab/$name/slab_size"; then
			KMALLOC=$((KMALLOC + active * size))
		else
			fail "cannot read the slab cache $name in /sys/kernel/slab"
		fi
	done
	while read -r k v _; do
		[ "$k" = SUnreclaim: ] && SLAB=$v
	done < /proc/meminfo
}
# spokes_ok: both spokes registered and reachable from the hub (one echo
# answered of up to three); else say which and why in $SPOKES_WHY.
spokes_ok() {
	local p

	for p in 172.1.1.2 172.1.1.3; do
		if ! has_entry hub "$p" dynamic unique registered; then
			SPOKES_WHY="$p not registered at the hub: $(nhrpctl_in hub show dev tun0 | grep -A1 "^${p}[/ ]")"
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
# replies NAME CODE: how many replies with CIE code CODE flood NAME got.
replies() {
	jq -e --arg c "$2" '.replies[$c] // 0' "$TMPD/$1.json" 2>/dev/null || echo -1
}
# flood NAME COUNT FIRST_NBMA FIRST_PROTO [--hijack ADDR]: one flood in
# the background while the cache limit and the spokes are checked in a
# loop; sets RX and REFUSED to what the hub received and refused
# meanwhile.
flood() {
	local name=$1 cnt=$2 nbma=$3 proto=$4 n checks=0 rx0 ref0 pid
	shift 4
	rx0=$(counter hub nhrp_rx_reg_req)
	ref0=$(counter hub nhrp_reg_refused)
	is_count "$rx0" "the hub's nhrp_rx_reg_req"
	is_count "$ref0" "the hub's nhrp_reg_refused"
	log "flood $name: $cnt registrations from $nbma on, at most $RATE/s $*"
	bg_start in_ns fl python3 "$LIB_DIR/nhrp_craft.py" flood --self-nbma 192.1.1.9 \
		--first-nbma "$nbma" --first-proto "$proto" --count "$cnt" --rate "$RATE" \
		--holdtime "$FLOOD_HOLD" "$@" >"$TMPD/$name.json"
	pid=$BG_PID
	while kill -0 "$pid" 2>/dev/null; do
		n=$(count)
		check_ge "$n" 0 "flood $name: the hub's cache entries"
		[ "$n" -le "$MAX" ] || fail "flood $name: $n cache entries, limit $MAX"
		spokes_ok || fail "flood $name: $SPOKES_WHY"
		checks=$((checks + 1))
	done
	wait "$pid" || fail "flood $name: nhrp_craft.py failed"
	log "flood $name: $(cat "$TMPD/$name.json") ($checks checks during it)"
	# (the loop must have checked something while the flood ran)
	check_ge "$checks" 1 "flood $name: checks of the cache and the spokes during it"
	RX=$(( $(counter hub nhrp_rx_reg_req) - rx0 ))
	REFUSED=$(( $(counter hub nhrp_reg_refused) - ref0 ))
	log "flood $name: the hub received $RX registrations, refused $REFUSED"
}
# Refused, not merely late: under the flood a TCG hub can take more than
# the 1 s retransmission time to answer, which is counted apart
# (nhrp_reg_unanswered) and only logged.
reg_failed() { stat_get "$1" tun0 nhrp_reg_failed; }
reg_unanswered() { stat_get "$1" tun0 nhrp_reg_unanswered; }

rf_sp1=$(reg_failed sp1) rf_sp2=$(reg_failed sp2)
ru_sp1=$(reg_unanswered sp1) ru_sp2=$(reg_unanswered sp2)
is_count "$rf_sp1" "sp1's nhrp_reg_failed"
is_count "$rf_sp2" "sp2's nhrp_reg_failed"
n0=$(count)
expect_eq 2 "$n0" "cache entries before the floods"
measure	# (the first shrink frees what boot left behind)
measure; m0=$KMALLOC s0=$SLAB

# --- A: accepted registrations, the cost of an entry ----------------------------
t_a=${EPOCHREALTIME/./}
flood A "$NA" 192.1.2.1 10.128.0.1
measure; m1=$KMALLOC s1=$SLAB
na=$(count)
acc_a=$((na - n0))
log "after flood A: $na cache entries, $(mcast_nbmas) multicast NBMAs"
expect_eq 0 "$REFUSED" "registrations refused in flood A (the cache had room)"
# (the hub may drop some of the flood under emulation; the cost is per
# accepted registration)
check_ge "$acc_a" $((NA / 2)) "entries flood A added"
check_ge "$(replies A 0)" 1 "flood A: replies with code 0 (accepted)"

# --- B: the cache fills up; the rest is refused ------------------------------
flood B "$N" 192.1.40.1 10.160.0.1 --hijack 172.1.1.2
measure; m2=$KMALLOC s2=$SLAB
nb=$(count)
acc_b=$((nb - na)) rx_b=$RX
log "after flood B: $nb cache entries, $(mcast_nbmas) multicast NBMAs"
[ "$nb" -le "$MAX" ] || fail "$nb cache entries after flood B, limit $MAX"
check_ge "$nb" $((MAX - 20)) "cache entries after flood B (the cache should be full)"
# Everything beyond the free entries was refused (the received count
# includes a few refreshes of the spokes, accepted).
check_ge "$REFUSED" $((RX - (MAX - na) - 20)) \
	"refused registrations in flood B (received $RX, $((MAX - na)) entries free)"
check_ge "$RX" $((N / 2)) "registrations of flood B that reached the hub"
for code in 0 5 14; do	# accepted, no resources (cache full), sp1's address
	check_ge "$(replies B "$code")" 1 "flood B: replies with code $code"
done

# --- C: the cache is full: everything is refused --------------------------------
flood C "$N" 192.1.6.1 10.192.0.1 --hijack 172.1.1.2
measure; m3=$KMALLOC s3=$SLAB
nc=$(count)
log "after flood C: $nc cache entries, $(mcast_nbmas) multicast NBMAs"
log "floods A to C took $(( (${EPOCHREALTIME/./} - t_a) / 1000000 )) s"
[ "$nc" -le "$MAX" ] || fail "$nc cache entries after flood C, limit $MAX"
check_ge "$REFUSED" $((RX - 20)) "refused registrations in flood C (received $RX)"
check_ge "$RX" $((N / 2)) "registrations of flood C that reached the hub"
# (accepted only into entries left free by flood B: not into expired
# ones of flood A, which would make this no test of refusals)
acc_c=$(replies C 0)
is_count "$acc_c" "flood C: replies with code 0"
check_ge "$((MAX - nb))" "$acc_c" "flood C: replies with code 0 (at most the $((MAX - nb)) free entries)"
for code in 5 14; do
	check_ge "$(replies C "$code")" 1 "flood C: replies with code $code"
done

# --- memory --------------------------------------------------------------------------
# The cost of an entry, measured: flood A's growth of the kmalloc caches
# and mgre's per accepted registration (the entry, 104 bytes in
# mgre_entry, and its reference in the multicast map, 56 in mgre_mcast:
# 146 bytes measured on Debian's 6.1 kernel, 165-200 when they were in
# kmalloc-128 and kmalloc-64; 78 once, in a run where the kernel's other
# kmalloc users freed ~10 kB meanwhile).  It must be at least half the entry
# (else the measurement saw nothing and the bounds below would be
# vacuous) and at most 512 bytes (three times the entry and its
# reference: room for the hash table's growth).  Then, from that measured
# cost, or 112 bytes (about the entry) if the noise made it smaller:
#   B: its accepted registrations at 1.5 times the cost, plus a tenth of
#      it for each refused one;
#   C: a tenth of the cost for each refused registration (~80 kB for
#      5000): refusals must not keep memory;
#   and once the flood's entries have expired (below), at most half of
#   what they cost may be left.
# KASAN keeps freed objects in quarantine (up to 1/32 of the memory,
# shrunk to 3/4 of that in batches): there the growth is mostly the
# quarantine's and cannot be attributed; the numbers are logged, and
# leaks are kmemleak's (selftests/kmemleak_final.sh) to find.
log "kmalloc caches: before $m0 B, after flood A $m1 B, after B $m2 B, after C $m3 B (SUnreclaim $s0, $s1, $s2, $s3 kB)"
check_ge "$m0" 1 "bytes in the kmalloc caches before the floods"
if [ "$acc_a" -gt 0 ]; then
	cost=$(( (m1 - m0) / acc_a ))	# bytes per accepted registration
else
	cost=-1
fi
bcost=$(( cost < 112 ? 112 : cost ))
allow_b=$(( (acc_b * 3 / 2 + (rx_b - acc_b) / 10) * bcost ))
growth_b=$((m2 - m1))
allow_c=$(( N * bcost / 10 ))
growth_c=$((m3 - m2))
log "memory: $cost bytes per accepted registration (flood A: $((m1 - m0)) B for $acc_a); flood B $growth_b B (allowed $allow_b B: $acc_b accepted, $((rx_b - acc_b)) refused); flood C $growth_c B (allowed $allow_c B: $N refused)"
kasan=0
grep -q 'KernelAddressSanitizer initialized' <(dmesg) && kasan=1
if [ "$kasan" = 1 ]; then
	log "memory bounds not checked under KASAN (its quarantine holds freed objects)"
else
	if [ "$cost" -lt 56 ] || [ "$cost" -gt 512 ]; then
		fail "flood A: $cost bytes of kmalloc caches per accepted registration (expected 56-512)"
	fi
	[ "$growth_b" -le "$allow_b" ] ||
		fail "flood B grew the kmalloc caches by $growth_b B (allowed $allow_b B)"
	[ "$growth_c" -le "$allow_c" ] ||
		fail "flood C (all refused) grew the kmalloc caches by $growth_c B (allowed $allow_c B)"
fi

# The flood's registrations in the cache are refreshed (each from its
# own NBMA address, as a client would) with a holdtime of 3 s, and
# expire: the cache and the multicast map shrink back to the two spokes.
# (A slow hub may drop some of a burst: what was not refreshed, still
# expiring later than that, is sent again, up to twice.)
unrefreshed() {	# "NBMA PROTO" of the flood's entries not refreshed yet
	nhrpctl_in hub -j show dev tun0 |
		jq -r --argjson h "$REFRESH_HOLD" '.[] | select(.type == "dynamic" and
			(.nbma | startswith("192.1.1.") | not) and .expires > $h) |
			"\(.nbma) \(.proto)"'
}
for try in 1 2 3; do
	unrefreshed >"$TMPD/pairs.txt"
	npairs=$(wc -l <"$TMPD/pairs.txt")
	[ "$try" != 1 ] || expect_eq $((nc - 2)) "$npairs" "the flood's entries in the hub's cache"
	[ "$npairs" -gt 0 ] || break
	in_ns fl python3 "$LIB_DIR/nhrp_craft.py" flood --self-nbma 192.1.1.9 \
		--pairs "$TMPD/pairs.txt" --rate "$RATE" --holdtime "$REFRESH_HOLD" >"$TMPD/R.json" ||
		fail "refresh: nhrp_craft.py failed"
	log "refresh of $npairs of the flood's entries with holdtime $REFRESH_HOLD s: $(cat "$TMPD/R.json")"
done
# shellcheck disable=SC2317	# (called through wait_until)
back() { [ "$(count)" = 2 ] && [ "$(mcast_nbmas)" = 2 ]; }
wait_until $((REFRESH_HOLD + 10)) back ||
	fail "after expiry: $(count) cache entries (want 2), $(mcast_nbmas) multicast NBMAs (want 2)"
measure; m4=$KMALLOC s4=$SLAB
allow_e=$(( (acc_a + acc_b) * cost / 2 ))
log "after expiry: $(count) cache entries, $(mcast_nbmas) multicast NBMAs; kmalloc caches $((m4 - m0)) B over the start (allowed $allow_e B; SUnreclaim $((s4 - s0)) kB)"
if [ "$kasan" = 0 ] && [ $((m4 - m0)) -gt "$allow_e" ]; then
	fail "the expired entries left $((m4 - m0)) B in the kmalloc caches (allowed $allow_e B: half of what $((acc_a + acc_b)) entries cost)"
fi

# --- D: the hub's send budget ("max-send 100 every 5") ---------------------------
# Flood D (1000 registrations from new addresses, all answered at the
# default budget as floods A-C were) meets a hub that may send 100 NHRP
# packets at once and then 20 a second: it answers at most that many and
# counts the rest; replies under the budget still go out.
ip -n hub link set tun0 type mgre max-send 100 every 5 || fail "cannot set max-send"
check_match "$(ip -n hub -d link show tun0)" "max-send 100 every 5" "max-send in ip -d link show"
tl0=$(counter hub nhrp_tx_ratelimited)
is_count "$tl0" "the hub's nhrp_tx_ratelimited"
FLOOD_HOLD=60 flood D 1000 192.1.12.1 10.224.0.1
secs=$(jq -e '.seconds | ceil' "$TMPD/D.json") || secs=-1
is_count "$secs" "flood D: seconds it took"
rep_d=$(jq -e '[.replies[]] | add // 0' "$TMPD/D.json") || rep_d=-1
rep_c=$(jq -e '[.replies[]] | add // 0' "$TMPD/C.json") || rep_c=-1
tl=$(( $(counter hub nhrp_tx_ratelimited) - tl0 ))
# (the budget: 100 at once, 20/s while the flood ran and the replies
# drained, 2 s; the spokes' refreshes take a few)
allow_d=$(( 100 + 20 * (secs + 2) ))
log "flood D under max-send 100 every 5: $rep_d replies in $secs s (allowed $allow_d), $tl not sent; flood C at the default budget: $rep_c replies"
check_ge "$RX" $((allow_d + 100)) "flood D: registrations the hub received (more than the budget allows)"
check_ge "$allow_d" "$rep_d" "flood D: replies under max-send 100 every 5"
check_ge "$rep_d" 50 "flood D: replies within the budget (100 at once)"
check_ge "$tl" $((RX - allow_d)) "flood D: replies counted as over the budget (received $RX)"
check_ge "$rep_c" $((2 * allow_d)) "flood C (default budget): replies, the control"
ip -n hub link set tun0 type mgre max-send 10000 every 1 || fail "cannot set max-send back"

wait_until 10 spokes_ok || fail "after the floods: $SPOKES_WHY"
for ns in sp1 sp2; do
	wait_until 10 nhs_state_is "$ns" responding ||
		expect_eq responding "$(nhs_state "$ns")" "NHS state on $ns"
done
log "registrations of the spokes answered late during the floods: sp1 $(( $(reg_unanswered sp1) - ru_sp1 )), sp2 $(( $(reg_unanswered sp2) - ru_sp2 ))"
expect_eq "$rf_sp1" "$(reg_failed sp1)" "sp1's failed registrations (refreshes refused?)"
expect_eq "$rf_sp2" "$(reg_failed sp2)" "sp2's failed registrations (refreshes refused?)"
expect_eq 192.1.1.2 "$(entry_field hub 172.1.1.2 nbma)" "sp1's binding at the hub"
# --- E: resolutions that fail do not crowd out bindings (at sp1) ---------------
# sp1, with cache-max 20, sends to 60 addresses of a /16 routed into the
# tunnel that nobody registered: at most a quarter of its cache (5) goes
# to resolutions in progress or failed, the rest start none and are
# counted (and still go through the hub), and the cache keeps room for
# bindings: when sp2 resolves sp1 (sp2's LAN pings sp1's), sp1 learns
# sp2's binding from the request the hub forwards.  (The old code filled
# sp1's cache with 19 incomplete entries and learned nothing.)
has_entry sp1 172.1.1.3 cached && fail "sp1 resolved sp2 before section E (the control would prove nothing)"
ip -n sp1 link set tun0 type mgre cache-max 20 || fail "cannot set sp1's cache-max"
in_ns sp1 ip route add 10.200.0.0/16 dev tun0 || fail "cannot route 10.200.0.0/16 into sp1's tunnel"
rl0=$(counter sp1 nhrp_resolve_limited)
vn0=$(counter sp1 tx_via_nhs)
is_count "$rl0" "sp1's nhrp_resolve_limited"
is_count "$vn0" "sp1's tx_via_nhs"
in_ns sp1 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(1, 61):
    s.sendto(b"x", ("10.200.%d.%d" % (i // 250, i % 250 + 1), 9))
' || fail "sp1 could not send to 10.200.0.0/16"
pending=$(entries sp1 '.type == "incomplete" or .type == "negative"')
log "sp1 after 60 addresses: $pending incomplete or negative entries, $(entries sp1) in all, resolutions not started: $(( $(counter sp1 nhrp_resolve_limited) - rl0 )), sent via the hub: $(( $(counter sp1 tx_via_nhs) - vn0 ))"
check_ge "$pending" 1 "sp1's entries being resolved (the sends reached the tunnel)"
check_ge 5 "$pending" "sp1's incomplete and negative entries (a quarter of cache-max 20)"
check_ge "$(( $(counter sp1 nhrp_resolve_limited) - rl0 ))" 55 "sp1's resolutions not started (no room)"
check_ge "$(( $(counter sp1 tx_via_nhs) - vn0 ))" 60 "sp1's packets sent through the hub meanwhile"
ping_ok sp2 192.168.2.1 -I 192.168.3.1 || fail "sp2 LAN cannot reach sp1 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not learn sp2's binding with its resolutions' share full: $(nhrpctl_in sp1 show dev tun0)"
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"

exit_status

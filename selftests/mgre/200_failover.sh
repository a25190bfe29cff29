#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Dual-hub DMVPN failover (the seeds' primary/backup hubs).  hub
# (172.1.1.1, NBMA .1) is NHS priority 0, hub2 (172.1.1.4, NBMA .4)
# priority 1; the spokes sp1, sp2 and sp3 (.2, .3, .5) register with both
# every 2 s ("ip nhrp registration timeout 2").
#   1. The primary dies (its NBMA link goes down).  sp1 notices at the
#      first unanswered registration, and new resolutions (sp1 -> sp3's
#      LAN) go through hub2: the time from the failure until that traffic
#      flows is measured and bounded.  An established spoke-to-spoke path
#      (sp1 <-> sp2, pinging throughout) loses nothing.
#   2. The primary returns: the spokes register with it again and prefer
#      it (a new resolution, sp2 -> sp3, goes through hub, not hub2),
#      again without a loss on the established path.
#   3. "if-state nhrp" on sp1: with both hubs gone its tunnel's carrier
#      goes off (routing daemons and floating static routes see it), and
#      it comes back on at the first registration reply.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

TOPO_NS=(_ hub sp1 sp2 hub2 sp3)
NH="network-id 10000 holdtime 120 auth cisco123 registration timeout 2"
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
nhs_of() {	# nhs_of NS PROTO: the state of that NHS
	nhrpctl_in "$1" -j show nhs dev tun0 |
		jq -er --arg p "$2" '.[] | select(.proto == $p) | .state'
}
nhs_is() { [ "$(nhs_of "$1" "$2")" = "$3" ]; }
res_req() { stat_get "$1" tun0 nhrp_rx_res_req; }
ms_since() { echo $(( (${EPOCHREALTIME/./} - $1) / 1000 )); }

# The established spoke-to-spoke path, pinged throughout.
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached || fail "sp1 did not resolve sp2"
bg_start in_ns sp1 ping -i 0.25 -W 2 -I 192.168.2.1 192.168.3.1 >"$TMPD/est.txt" 2>&1
# Only the direct path counts: nothing of it through either hub.
capture_start wan p-hub "ip proto 47 and not ip[22:2] = 0x2001" "$TMPD/hub-data.pcap"

# 1. The primary dies.
r0=$(res_req hub2)
t0=${EPOCHREALTIME/./}
in_ns hub ip link set eth0 down
wait_until 15 nhs_is sp1 172.1.1.1 down ||
	fail "sp1 did not mark the dead primary down: $(nhrpctl_in sp1 show nhs)"
down_ms=$(ms_since "$t0")
wait_until 30 in_ns sp1 ping -c 1 -W 1 -I 192.168.2.1 192.168.5.1 ||
	fail "sp1 LAN cannot reach sp3 LAN through the backup hub"
moved_ms=$(ms_since "$t0")
log "primary hub failed: sp1 marked it down after ${down_ms} ms; new spoke-to-spoke traffic (via hub2, resolved) flowed after ${moved_ms} ms"
[ "$moved_ms" -le 20000 ] || fail "failover took ${moved_ms} ms (> 20 s)"
check_ge "$(( $(res_req hub2) - r0 ))" 1 "resolution requests at hub2 during the failover"
wait_until 10 has_entry sp1 172.1.1.5 cached || fail "sp1 did not resolve sp3 through hub2"

# 2. The primary returns and is preferred again.
t0=${EPOCHREALTIME/./}
in_ns hub ip link set eth0 up
for ns in sp1 sp2 sp3; do
	wait_until 15 nhs_is "$ns" 172.1.1.1 responding ||
		fail "$ns did not register with the returning primary: $(nhrpctl_in "$ns" show nhs)"
done
log "primary hub back: the spokes registered with it again after $(ms_since "$t0") ms"
r1=$(res_req hub) r2=$(res_req hub2)
ping_ok sp2 192.168.5.1 -I 192.168.3.1 || fail "sp2 LAN cannot reach sp3 LAN"
wait_until 10 has_entry sp2 172.1.1.5 cached || fail "sp2 did not resolve sp3"
check_ge "$(( $(res_req hub) - r1 ))" 1 "resolution requests at the returned primary"
expect_eq 0 "$(( $(res_req hub2) - r2 ))" "resolution requests at hub2 once the primary is back"

# The established path never noticed.
pkill -INT -f "ping -i 0.25 -W 2 -I 192.168.2.1 192.168.3.1"
wait_until 5 grep -q 'packets transmitted' "$TMPD/est.txt"
read -r sent rcvd < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$TMPD/est.txt")
log "established sp1 -> sp2 path: ${rcvd:-?} of ${sent:-?} pings answered across both switchovers"
check_ge "${sent:-0}" 20 "pings sent on the established path"
expect_eq "${sent:-x}" "${rcvd:-y}" "pings answered on the established path"
capture_stop "$TMPD/hub-data.pcap"
n=$(capture_count_bpf "$TMPD/hub-data.pcap" 'src 192.1.1.2 and dst 192.1.1.1 and ip[22:2] = 0x0800 and ip[40:4] = 0xc0a80201')
expect_eq 0 "$n" "established-path packets through the primary hub"

# 3. if-state nhrp: the carrier follows the NHSes.
carrier_is() { [ "$(in_ns sp1 cat /sys/class/net/tun0/carrier 2>/dev/null)" = "$1" ]; }
ip -n sp1 link set tun0 type mgre if-state nhrp || fail "cannot set if-state nhrp"
check_match "$(ip -n sp1 -d link show tun0)" "if-state nhrp" "if-state in ip -d link show"
wait_until 5 carrier_is 1 || fail "carrier off with both hubs answering"
t0=${EPOCHREALTIME/./}
in_ns hub ip link set eth0 down
in_ns hub2 ip link set eth0 down
wait_until 20 carrier_is 0 ||
	fail "carrier still on with no NHS answering: $(nhrpctl_in sp1 show nhs)"
log "both hubs gone: sp1's carrier went off after $(ms_since "$t0") ms"
check_match "$(ip -n sp1 link show tun0)" "NO-CARRIER" "ip link show after the NHSes died"
t0=${EPOCHREALTIME/./}
in_ns hub2 ip link set eth0 up
wait_until 15 carrier_is 1 || fail "carrier still off after hub2 came back"
log "hub2 back: sp1's carrier came on after $(ms_since "$t0") ms"
ping_ok sp1 172.1.1.4 || fail "sp1 cannot reach hub2 once its carrier is back"

exit_status

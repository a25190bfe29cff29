#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# A spoke behind NAT: sp2 (NBMA 10.0.0.2) reaches the NBMA network through
# a router namespace that masquerades to 192.1.1.3.  The hub registers it
# at the post-NAT address, flags the entry nat, returns that address in
# the Cisco NAT extension of its reply, and reaches sp2 through the NAT.
# When the NAT's public address changes, the hub refuses sp2's next
# registration (code 14: its unique binding is still at the old address);
# sp2's code 14 recovery (a purge, from the new address) is refused too,
# since a hub takes purges only from the address a binding was registered
# from, and sp2 is registered at its new address when the old binding
# expires: holdtime (9 s) to holdtime + one retry interval (3 s) after the
# last registration from the old address, timed on the wire.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd nft
HOLD=9		# sp2 refreshes every 3 s, and retries at most 3 s apart
TOPO_NHRP="network-id 10000 holdtime $HOLD auth cisco123"
# tcpdump filters: mgre's GRE header is 8 bytes (key only), so the GRE
# protocol is at IP offset 22, the NHRP type at 45 and, with IPv4
# addresses, a reply's first CIE code at 68; an inner IPv4 header at 28
# (source at 40, destination at 44).
NHRP='ip[20:2] = 0x2000 and ip[22:2] = 0x2001'
DATA='ip[20:2] = 0x2000 and ip[22:2] = 0x0800'
SP1_TUN=0xac010102 SP2_TUN=0xac010103	# 172.1.1.2 172.1.1.3


# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
topo_router 1
topo_router 2
# shellcheck disable=SC2086
topo_tunnel 1 $TOPO_NHRP
# shellcheck disable=SC2086
topo_tunnel 2 $TOPO_NHRP
nhrpctl_in hub multicast add dynamic dev tun0
topo_spoke_nhrp 2

# The NAT router: outside 192.1.1.3 on the NBMA bridge, inside 10.0.0.1.
topo_nbma_host nat 192.1.1.3
ns_create sp2
ip link add eth0 netns sp2 type veth peer name in0 netns nat
in_ns nat ip addr add 10.0.0.1/24 dev in0
in_ns nat ip link set in0 up
in_ns nat sysctl -qw net.ipv4.ip_forward=1
in_ns nat nft -f - <<'NFT'
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.0.0.0/24 oifname "eth0" masquerade
	}
}
NFT
in_ns sp2 ip addr add 10.0.0.2/24 dev eth0
in_ns sp2 ip link set eth0 up
in_ns sp2 ip route add default via 10.0.0.1
# shellcheck disable=SC2086
in_ns sp2 ip link add tun0 type mgre local 10.0.0.2 key "$TOPO_KEY" $TOPO_NHRP
in_ns sp2 ip addr add 172.1.1.3/24 dev tun0
# p-nat: sp2's traffic after the NAT (the NBMA side).
capture_start wan p-nat "ip proto 47" "$TMPD/nat.pcap"
in_ns sp2 ip link set tun0 up
topo_spoke_nhrp 3

wait_until 10 has_entry hub 172.1.1.3 dynamic registered nat ||
	fail "sp2 not registered with the nat flag: $(nhrpctl_in hub show)"
expect_eq 192.1.1.3 "$(entry_field hub 172.1.1.3 nbma)" "post-NAT NBMA at the hub"
# show dmvpn marks it N, as IOS does ("N - NATed").
expect_eq "DNUR" "$(nhrpctl_in hub -j show dmvpn dev tun0 | jq -r '.[] | select(.peer_tunnel == "172.1.1.3") | .attrs')" \
	"the hub's show dmvpn attributes of sp2"
nhrpctl_in hub show dmvpn dev tun0 | grep -qE '^ +1 192\.1\.1\.3 +172\.1\.1\.3 +UP +[0-9:]+ +DNUR$' ||
	fail "the hub's show dmvpn line for sp2: $(nhrpctl_in hub show dmvpn dev tun0)"
ping_ok hub 172.1.1.3 || fail "the hub cannot reach sp2 through the NAT"
# Spoke to spoke with one side behind NAT stays on the hub: plain GRE
# cannot reliably cross the NAT between spokes (IOS needs IPsec NAT-T), so
# sp2, told by the hub's NAT extension that it is behind NAT, neither
# resolves nor answers resolutions; it works, and keeps working.
wait_until 5 has_entry hub 172.1.1.2 dynamic registered || fail "sp1 not registered"
res0=$(counter sp1 nhrp_tx_res_req)
is_count "$res0" "sp1's nhrp_tx_res_req"
via0=$(counter sp2 tx_via_nhs)
is_count "$via0" "sp2's tx_via_nhs"
ping_ok sp2 172.1.1.2 || fail "sp2 cannot reach sp1 (via the hub)"
if ! in_ns sp2 ping -c 5 -i 0.5 -W 2 172.1.1.2 >"$TMPD/ping.txt" 2>&1; then
	fail "sp2 <-> sp1 lost packets after resolution: $(tail -n 2 "$TMPD/ping.txt")"
	for ns in hub sp1 sp2; do
		log "$ns: $(nhrpctl_in "$ns" show dmvpn dev tun0)"
	done
	log "nat conntrack: $(in_ns nat cat /proc/net/nf_conntrack 2>&1)"
fi
# sp1 asked for sp2 (its answers to sp2 missed its cache: the positive
# control), and learned nothing, certainly not sp2's private address; one
# dump, which has sp1's static map to the hub (a real dump).
check_ge "$(counter sp1 nhrp_tx_res_req)" $((res0 + 1)) "sp1's resolution requests for sp2"
dump=$(nhrpctl_in sp1 -j show dev tun0)
expect_eq 1 "$(jq '[.[] | select(.proto == "172.1.1.1" and .type == "static")] | length' <<<"$dump")" \
	"sp1's static map to the hub in its cache dump"
expect_eq 0 "$(jq '[.[] | select(.proto == "172.1.1.3" and (.type == "cached" or .nbma == "10.0.0.2"))] | length' <<<"$dump")" \
	"sp1's entries binding sp2 (cached, or at its private address): $dump"
# sp2 sent everything through the hub (the positive control) and cached
# nothing.
check_ge "$(counter sp2 tx_via_nhs)" $((via0 + 5)) "sp2's packets sent through the hub"
dump=$(nhrpctl_in sp2 -j show dev tun0)
expect_eq 1 "$(jq '[.[] | select(.proto == "172.1.1.1" and .type == "static")] | length' <<<"$dump")" \
	"sp2's static map to the hub in its cache dump"
expect_eq 0 "$(jq '[.[] | select(.type == "cached")] | length' <<<"$dump")" \
	"sp2's cached entries (behind NAT it must not go direct): $dump"
capture_stop
# On the wire: sp2's pings reached the hub (the positive control), and no
# packet went between sp1 and sp2's public address directly.
capture_seen "$TMPD/nat.pcap" 5 "src 192.1.1.3 and dst 192.1.1.1 and $DATA and ip[40:4] = $SP2_TUN and ip[44:4] = $SP1_TUN"
expect_eq 0 "$(capture_count_bpf "$TMPD/nat.pcap" 'host 192.1.1.2 and host 192.1.1.3')" \
	"packets between sp1 and sp2 (public address) that bypassed the hub"

# The registration carried the private address; the reply's NAT extension
# tells the spoke its public one.
if wire_checks; then
	f=$(tshark -r "$TMPD/nat.pcap" -Y 'nhrp.hdr.op.type == 3' -T fields -e nhrp.src.nbma.addr 2>/dev/null | sort -u)
	expect_eq 10.0.0.2 "$f" "source NBMA in sp2's registrations"
	f=$(tshark -r "$TMPD/nat.pcap" -Y 'nhrp.hdr.op.type == 4' -V 2>/dev/null |
		sed -n '/Cisco NAT Address Extension/,$p' | grep -c 'Client NBMA Address: 192.1.1.3')
	[ "$f" -ge 1 ] || fail "registration reply lacks the NAT extension with 192.1.1.3"
fi

# The NAT is renumbered (192.1.1.3 -> 192.1.1.13; masquerade drops the
# old mappings with the address) right after one of sp2's refreshes from
# the old address (the last one: its binding at the hub expires HOLD s
# after it).  sp2's next registration comes from the new address and is
# refused with code 14; sp2 purges "its stale binding" from the new
# address, which the hub refuses (not the binding's address: a purge from
# anybody else would let any host remove any binding), registers again a
# second later, refused again, and retries with backoff (at most every
# HOLD/3 s) until the old binding has expired.
REG="src 192.1.1.3 and dst 192.1.1.1 and $NHRP and ip[45] = 3"
REFUSED="src 192.1.1.1 and dst 192.1.1.13 and $NHRP and ip[45] = 4 and ip[68] = 14"
ACCEPTED="src 192.1.1.1 and dst 192.1.1.13 and $NHRP and ip[45] = 4 and ip[68] = 0"
refused0=$(counter hub nhrp_reg_refused)
is_count "$refused0" "the hub's nhrp_reg_refused"
prefused0=$(counter hub nhrp_purge_refused)
is_count "$prefused0" "the hub's nhrp_purge_refused"
failed0=$(counter sp2 nhrp_reg_failed)
is_count "$failed0" "sp2's nhrp_reg_failed"
recover0=$(counter sp2 nhrp_unique_recover)
is_count "$recover0" "sp2's nhrp_unique_recover"
capture_start wan p-nat "ip proto 47" "$TMPD/renum.pcap"
capture_wait $((HOLD / 3 + 2)) "$TMPD/renum.pcap" 1 "$REG" ||
	fail "no refresh of sp2's registration from 192.1.1.3 seen"
in_ns nat ip addr del 192.1.1.3/24 dev eth0
in_ns nat ip addr add 192.1.1.13/24 dev eth0
# shellcheck disable=SC2317	# (called through wait_until)
moved() { [ "$(entry_field hub 172.1.1.3 nbma)" = 192.1.1.13 ]; }
wait_until $((HOLD + HOLD / 3 + 4)) moved ||
	fail "sp2 not registered at its new public address: $(nhrpctl_in hub show)"
wait_until 3 nhs_state_is sp2 responding ||
	expect_eq responding "$(nhs_state sp2)" "sp2's NHS at its new address"
capture_wait 3 "$TMPD/renum.pcap" 1 "$ACCEPTED" ||
	fail "no successful registration reply to 192.1.1.13 on the wire"
capture_stop "$TMPD/renum.pcap"
t0=$(last_ts "$TMPD/renum.pcap" "$REG")
t1=$(first_ts "$TMPD/renum.pcap" "$REFUSED")
t2=$(first_ts "$TMPD/renum.pcap" "$ACCEPTED")
if [ -z "$t0" ] || [ -z "$t1" ] || [ -z "$t2" ]; then
	fail "renumbered NAT: last registration from 192.1.1.3 at '${t0:-none}', code 14 reply to 192.1.1.13 at '${t1:-none}', successful reply at '${t2:-none}' (all expected)"
else
	ms=$(( (t2 - t0) / 1000 ))
	log "renumbered NAT: code 14 $(( (t1 - t0) / 1000 )) ms, registered at 192.1.1.13 $ms ms after the last registration from 192.1.1.3 (holdtime $HOLD s)"
	# Not before the old binding expired (the purge from the new address
	# did not remove it), and at the first retry after (retries at most
	# HOLD/3 s apart; 2 s x SLOW of slack).
	if [ "$ms" -lt $(( (HOLD - 1) * 1000 )) ] || [ "$ms" -gt $(( (HOLD + HOLD / 3) * 1000 + 2000 * SLOW )) ]; then
		fail "sp2 registered at its new address $ms ms after its last registration from the old one (expected $HOLD s to $((HOLD + HOLD / 3)) s + 2 s x$SLOW)"
	fi
fi
capture_seen "$TMPD/renum.pcap" 1 "src 192.1.1.13 and dst 192.1.1.1 and $NHRP and ip[45] = 5"
# Cause-specific counters: only sp2's registrations and purge move them.
check_ge "$(counter hub nhrp_reg_refused)" $((refused0 + 2)) \
	"the hub refusing the registrations from the new address (code 14), recovery included"
check_ge "$(counter hub nhrp_purge_refused)" $((prefused0 + 1)) \
	"the hub refusing sp2's purge from its new address"
expect_eq $((recover0 + 1)) "$(counter sp2 nhrp_unique_recover)" "code 14 recoveries by sp2 (once, until a registration succeeds)"
check_ge "$(counter sp2 nhrp_reg_failed)" $((failed0 + 1)) "sp2's failed registrations (the recovery refused)"
has_entry hub 172.1.1.3 dynamic registered nat ||
	fail "sp2's new binding lacks flags: $(nhrpctl_in hub show)"
ping_ok hub 172.1.1.3 || fail "the hub cannot reach sp2 at its new address"

exit_status

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
# sp2 recovers at once by purging the stale binding and registering again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd nft
# holdtime 30: sp2 registers every 10 s (for the renumbering below)
TOPO_NHRP="network-id 10000 holdtime 30 auth cisco123"
load_mgre
topo_wan
topo_router 1
topo_router 2
topo_tunnel 1 $TOPO_NHRP
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
in_ns sp2 ip link add tun0 type mgre local 10.0.0.2 key "$TOPO_KEY" $TOPO_NHRP
in_ns sp2 ip addr add 172.1.1.3/24 dev tun0
capture_start wan p-nat "ip proto 47" "$TMPD/nat.pcap"
in_ns sp2 ip link set tun0 up
topo_spoke_nhrp 3

wait_until 10 has_entry hub 172.1.1.3 dynamic registered nat ||
	fail "sp2 not registered with the nat flag: $(nhrpctl_in hub show)"
expect_eq 192.1.1.3 "$(entry_field hub 172.1.1.3 nbma)" "post-NAT NBMA at the hub"
ping_ok hub 172.1.1.3 || fail "the hub cannot reach sp2 through the NAT"
# Spoke to spoke with one side behind NAT stays on the hub: plain GRE
# cannot reliably cross the NAT between spokes (IOS needs IPsec NAT-T), so
# sp2, told by the hub's NAT extension that it is behind NAT, neither
# resolves nor answers resolutions; it works, and keeps working.
ping_ok sp2 172.1.1.2 || fail "sp2 cannot reach sp1 (via the hub)"
if ! in_ns sp2 ping -c 5 -i 0.5 -W 2 172.1.1.2 >"$TMPD/ping.txt" 2>&1; then
	fail "sp2 <-> sp1 lost packets after resolution: $(tail -n 2 "$TMPD/ping.txt")"
	for ns in hub sp1 sp2; do
		log "$ns: $(nhrpctl_in "$ns" show dmvpn dev tun0)"
	done
	log "nat conntrack: $(in_ns nat cat /proc/net/nf_conntrack 2>&1)"
fi
[ "$(entries sp1 '.proto == "172.1.1.3" and .nbma == "10.0.0.2"')" = 0 ] ||
	fail "sp1 learned sp2's private NBMA address"
[ "$(entries sp2 '.type == "cached"')" = 0 ] ||
	fail "sp2, behind NAT, went direct: $(nhrpctl_in sp2 show)"
capture_stop

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
# old mappings with the address).  sp2's next registration comes from the
# new address and is refused with code 14; sp2 purges its stale binding
# (the hub accepts that from the same private NBMA of a nat entry) and
# registers again a second later, well before the old binding (holdtime
# 30 s) would have expired.
refused0=$(stat_get hub tun0 nhrp_reg_refused)
in_ns nat ip addr del 192.1.1.3/24 dev eth0
in_ns nat ip addr add 192.1.1.13/24 dev eth0
t0=${EPOCHREALTIME/./}
refused() { stat_ge hub nhrp_reg_refused $((refused0 + 1)); }
moved() { [ "$(entry_field hub 172.1.1.3 nbma)" = 192.1.1.13 ]; }
wait_until 15 refused && t1=${EPOCHREALTIME/./}
wait_until 20 moved ||
	fail "sp2 not registered at its new public address: $(nhrpctl_in hub show)"
t2=${EPOCHREALTIME/./}
log "renumbered NAT: code 14 after $(( (${t1:-$t0} - t0) / 1000 )) ms, registered at 192.1.1.13 $(( (t2 - ${t1:-$t0}) / 1000 )) ms later"
stat_ge hub nhrp_reg_refused $((refused0 + 1)) ||
	fail "the hub did not refuse the registration from the new address (code 14)"
expect_eq 1 "$(stat_get sp2 tun0 nhrp_unique_recover)" "code 14 recoveries by sp2"
has_entry hub 172.1.1.3 dynamic registered nat ||
	fail "sp2's new binding lacks flags: $(nhrpctl_in hub show)"
expect_eq responding "$(nhs_state sp2)" "sp2's NHS after the recovery"
ping_ok hub 172.1.1.3 || fail "the hub cannot reach sp2 at its new address"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Cisco's phase-3 frames replayed at an mgre spoke: the capture
# ../shared/vectors/networklessons/dmvpn-phase-3-traffic-indication.pcap
# (IOS hub 192.168.123.1 / 172.16.123.1, spokes .2 and .3, no GRE key,
# NHRP password "DMVPN") holds the hub's Traffic Indication to spoke 1
# (frame 1, quoting 2.2.2.2 -> 3.3.3.3), spoke 1's Resolution Request for
# 3.3.3.3 (2), the hub forwarding it to spoke 2 (3) and spoke 2's reply
# to spoke 1 (4: 3.3.3.3/32 at 192.168.123.3, 172.16.123.3).  Here the
# same addresses: an mgre spoke "r2" (the capture's spoke 1) behind an
# mgre hub "r1" (redirect on, a route to 3.3.3.0/24 through spoke 2's
# tunnel address), and a plain host "r3" at spoke 2's NBMA address that
# replays Cisco's bytes.  The spoke must take the step a Cisco spoke
# takes:
#  - on frame 1 (Cisco's bytes, from the hub's address) it resolves
#    3.3.3.3 through its NHS: a request like frame 2 (same addresses,
#    hop count 255, CIE prefix 32), which the hub forwards to .3 like
#    frame 3 (hop count 254);
#  - frame 4 as Cisco sent it (request id 5) is refused (not our
#    request: nhrp_rx_unmatched); the same bytes with our request id
#    make the shortcut 3.3.3.3/32 at 192.168.123.3 via 172.16.123.3,
#    and the spoke's packets to 3.3.3.3 go there directly.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3 jq
PCAP=${MGRE_VECTORS:-$REPO/../shared/vectors}/networklessons/dmvpn-phase-3-traffic-indication.pcap
[ -f "$PCAP" ] || ksft_fail "the Cisco capture $PCAP is missing (../shared/vectors beside the tree)"

# (no key: GRE flags 0 at ip[20:2]; NHRP at ip[24], its type at ip[41],
# request id ip[48:4], source NBMA ip[52:4], source and destination
# protocol addresses ip[56:4] and ip[60:4], the CIE's code and prefix
# length ip[64] and ip[65])
NHRP0="ip[20:2] = 0 and ip[22:2] = 0x2001"
REQ="$NHRP0 and ip[41] = 1 and ip[56:4] = $(hex 172.16.123.2) and ip[60:4] = $(hex 3.3.3.3)"

# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
for r in 1 2 3; do
	topo_nbma_host "r$r" "192.168.123.$r"
done
NHRP="network-id 1 holdtime 7200 auth DMVPN"
# shellcheck disable=SC2086
ip -n r1 link add tun0 type mgre local 192.168.123.1 $NHRP redirect on ||
	fail "cannot create the hub's tunnel"
# shellcheck disable=SC2086
ip -n r2 link add tun0 type mgre local 192.168.123.2 $NHRP shortcut on ||
	fail "cannot create the spoke's tunnel"
for r in 1 2; do
	in_ns "r$r" ip addr add "172.16.123.$r/24" dev tun0
	in_ns "r$r" ip link set tun0 up
done
nhrpctl_in r1 multicast add dynamic dev tun0
nhrpctl_in r1 map add 172.16.123.3 nbma 192.168.123.3 dev tun0
in_ns r1 ip route add 3.3.3.0/24 via 172.16.123.3
nhrpctl_in r2 map add 172.16.123.1 nbma 192.168.123.1 dev tun0
nhrpctl_in r2 multicast add nbma 192.168.123.1 dev tun0
nhrpctl_in r2 nhs add 172.16.123.1 dev tun0
in_ns r2 ip link add lo1 type dummy
in_ns r2 ip addr add 2.2.2.2/32 dev lo1
in_ns r2 ip link set lo1 up
in_ns r2 ip route add 3.3.3.0/24 via 172.16.123.1
wait_until 10 has_entry r1 172.16.123.2 dynamic registered ||
	fail "the spoke did not register at the hub: $(nhrpctl_in r1 show dev tun0)"

# replay ARGS: nhrp_craft.py replay of the capture, from r3.
replay() {
	in_ns r3 python3 "$LIB_DIR/nhrp_craft.py" replay --pcap "$PCAP" "$@"
}

log "1. Cisco's Traffic Indication (frame 1): the spoke resolves 3.3.3.3"
capture_start wan p-r1 "ip proto 47" "$TMPD/r1.pcap"
um0=$(counter r2 nhrp_rx_unmatched)
is_count "$um0" "the spoke's nhrp_rx_unmatched"
# From r3: frame 1 from the hub's address; when the hub forwards the
# spoke's request to .3, frame 4 as captured (request id 5), then with
# the request id of the request.
out=$(replay --first 1 --first-outer 192.168.123.1 --frame 4 --outer 192.168.123.3 \
	--dst 192.168.123.2 --reqid-of 1 --unchanged-first --pause "$SLOW" --seconds $((10 * SLOW))) ||
	fail "the replay failed: $out; the spoke: $(nhrpctl_in r2 show dev tun0)"
log "replay: $out"
capture_stop "$TMPD/r1.pcap"
# The spoke's request, as Cisco's frame 2: to its NHS, from its own NBMA
# and tunnel address, for the quoted destination, hop count 255, one CIE
# (code 0, prefix length 32).
capture_seen "$TMPD/r1.pcap" 1 "src 192.168.123.2 and dst 192.168.123.1 and $REQ and ip[33] = 255 and ip[52:4] = $(hex 192.168.123.2) and ip[64] = 0 and ip[65] = 32"
# ... forwarded by the hub to .3, as frame 3 (hop count 254).
capture_seen "$TMPD/r1.pcap" 1 "src 192.168.123.1 and dst 192.168.123.3 and $REQ and ip[33] = 254"
expect_eq '1 172.16.123.2 3.3.3.3 254' "$(jq -r '.received | "\(.type) \(.src_proto) \(.dst_proto) \(.hop)"' <<<"$out")" \
	"the request r3 received (type, source, destination, hop count)"

log "2. Cisco's Resolution Reply (frame 4): refused with its own id, taken with ours"
wait_until 5 stat_ge r2 nhrp_rx_unmatched $((um0 + 1)) ||
	fail "the spoke did not refuse Cisco's reply with request id 5 (nhrp_rx_unmatched $(counter r2 nhrp_rx_unmatched), was $um0)"
wait_until 5 shortcut_to r2 3.3.3.3/32 192.168.123.3 172.16.123.3 ||
	fail "no shortcut 3.3.3.3/32 at 192.168.123.3 from Cisco's reply: $(nhrpctl_in r2 show dev tun0)"

log "3. The spoke's packets to 3.3.3.3 go to 192.168.123.3 directly"
capture_start wan p-r2 "ip proto 47" "$TMPD/r2.pcap"
in_ns r2 ping -c 3 -i 0.2 -W 1 -I 2.2.2.2 3.3.3.3 >/dev/null
capture_stop "$TMPD/r2.pcap"
# (the inner header at ip[24], its addresses at ip[36:4] and ip[40:4])
DATA0="ip[20:2] = 0 and ip[22:2] = 0x0800 and ip[24] = 0x45 and ip[36:4] = $(hex 2.2.2.2) and ip[40:4] = $(hex 3.3.3.3)"
expect_eq 3 "$(capture_count_bpf "$TMPD/r2.pcap" "src 192.168.123.2 and dst 192.168.123.3 and $DATA0")" \
	"the spoke's packets to 3.3.3.3 sent straight to 192.168.123.3"
expect_eq 0 "$(capture_count_bpf "$TMPD/r2.pcap" "src 192.168.123.2 and dst 192.168.123.1 and $DATA0")" \
	"the spoke's packets to 3.3.3.3 sent through the hub"

exit_status

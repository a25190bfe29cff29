#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 360
#
# GRE keepalives (Cisco, RFC 1701 style).  A peer that is not an mgre
# device (namespace "ka", 192.1.1.9, raw sockets: what an IOS router with
# "keepalive" sends) sends the hub's tun0 GRE packets whose payload is the
# GRE packet hub -> peer with protocol type 0.  The hub sends each inner
# packet back: the peer receives GRE type 0 from 192.1.1.1 with the tunnel
# key and TTL 254, and ka_reflected counts them.  Inner GRE packets that
# are not addressed back to their sender take the data path and are not
# reflected.  With transport ESP for GRE and "protection require",
# keepalives sent under ESP are answered under ESP (no plain GRE from the
# hub on the wire), and a plain keepalive is dropped (rx_unprotected).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3 jq

# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
topo_router 1
topo_router 2
topo_tunnel 1

topo_nbma_host ka 192.1.1.9

# ka ARGS...: nhrp_craft.py inject from the peer to the hub; JSON on stdout.
# (It waits up to --timeout s for the answers: 10 s x SLOW.)
ka() {
	in_ns ka python3 "$LIB_DIR/nhrp_craft.py" inject --src 192.1.1.9 \
		--dst 192.1.1.1 --timeout $((10 * SLOW)) "$@"
}
hub_stat() { stat_get hub tun0 "$1"; }
# GRE from the hub to the peer: key only, protocol type 0, key 10000
ANSWER="src 192.1.1.1 and dst 192.1.1.9 and ip proto 47 and ip[20:2] = 0x2000 and ip[22:2] = 0 and ip[24:4] = 10000"
# The counters below are compared exactly: ka_reflected and rx_unprotected
# count nothing else, and rx_data (IPv4 mgre decapsulated) only GRE that
# reaches the hub's tun0, which only the peer sends here (sp1 has no
# tunnel; IPv6 never leaves an mgre device).

# --- plain GRE -----------------------------------------------------------------
capture_start ka eth0 "ip proto 47 or ip proto 50" "$TMPD/plain.pcap"
out=$(ka --via gre --replies 3 keepalive keepalive keepalive)
log "keepalives: $out"
expect_eq 3 "$(jq -r .replies <<<"$out")" "keepalive answers received by the peer"
expect_eq "[254,254,254]" "$(jq -c .ttl <<<"$out")" "TTL of the answers (255 - 1)"
expect_eq "[10000,10000,10000]" "$(jq -c .key <<<"$out")" "GRE key of the answers"
wait_until 10 stat_ge hub ka_reflected 3 || fail "ka_reflected did not reach 3"
expect_eq 3 "$(hub_stat ka_reflected)" "ka_reflected"
expect_eq 0 "$(hub_stat rx_data)" "rx_data (keepalives are not data)"
capture_stop "$TMPD/plain.pcap"
expect_eq 3 "$(capture_count_bpf "$TMPD/plain.pcap" "$ANSWER")" \
	"GRE type 0 answers from the hub on the peer's link"

# --- not keepalives ---------------------------------------------------------------
# Inner GRE hub -> sp1 (not back to the sender), 192.1.1.7 -> peer (not
# from the hub) and hub -> peer of GRE protocol type IPv4 (not a
# keepalive answer), then a keepalive: once its answer is back, the three
# before it have been handled.
capture_start sp1 eth0 "ip proto 47" "$TMPD/sp1.pcap"
capture_start ka eth0 "ip proto 47" "$TMPD/other.pcap"
out=$(ka --via gre --replies 1 inner:192.1.1.1:192.1.1.2 inner:192.1.1.7:192.1.1.9 \
	inner:192.1.1.1:192.1.1.9:0800 keepalive)
log "others + keepalive: $out"
expect_eq 1 "$(jq -r .replies <<<"$out")" "answers to the keepalive after three other packets"
wait_until 10 stat_ge hub ka_reflected 4 || fail "ka_reflected did not reach 4"
expect_eq 4 "$(hub_stat ka_reflected)" "ka_reflected after three non-keepalives"
expect_eq 3 "$(hub_stat rx_data)" "rx_data: the non-keepalives took the data path"
# The positive control of sp1's capture: GRE from the hub to sp1 does show
# there.  The hub sends sp1 an echo (GRE protocol type IPv4, key 10000)
# through a static map; the reflection would be GRE type 0.
nhrpctl_in hub map add 172.1.1.2 nbma 192.1.1.2 dev tun0 ||
	fail "cannot map 172.1.1.2 on the hub"
# (sp1 has no tunnel: no answer, the request is counted on the wire)
in_ns hub ping -c 1 -W 1 172.1.1.2 >/dev/null 2>&1
capture_wait 5 "$TMPD/sp1.pcap" 1 "src 192.1.1.1 and ip[22:2] = 0x0800 and ip[24:4] = 10000" ||
	fail "positive control: the hub's GRE to sp1 not seen in sp1's capture"
capture_stop "$TMPD/sp1.pcap" "$TMPD/other.pcap"
expect_eq 0 "$(capture_count_bpf "$TMPD/sp1.pcap" "src 192.1.1.1 and ip[22:2] = 0")" \
	"GRE type 0 from the hub at sp1 (inner packet hub -> sp1 reflected)"
expect_eq 1 "$(capture_count_bpf "$TMPD/sp1.pcap" "src 192.1.1.1")" \
	"GRE from the hub at sp1 (only the echo of the positive control)"
nhrpctl_in hub map del 172.1.1.2 dev tun0 || fail "cannot remove the map of 172.1.1.2"
# (the positive control of the zero below: the one answer, same capture)
expect_eq 1 "$(capture_count_bpf "$TMPD/other.pcap" "$ANSWER")" \
	"GRE type 0 answers from the hub at the peer"
expect_eq 0 "$(capture_count_bpf "$TMPD/other.pcap" "src 192.1.1.1 and ip[22:2] != 0")" \
	"GRE of another type from the hub at the peer (inner IPv4-in-GRE reflected)"
expect_eq 0 "$(hub_stat ka_drop)" "ka_drop"

# --- under ESP, protection require -----------------------------------------------
# Outbound policies only: plain GRE from the peer reaches mgre, and only
# "protection require" keeps it out.
topo_esp_pair hub 192.1.1.1 ka 192.1.1.9 0x5000 out
in_ns hub ip link set tun0 type mgre protection require ||
	fail "ip link set tun0 type mgre protection require"
unprot0=$(hub_stat rx_unprotected)
capture_start ka eth0 "ip proto 47 or ip proto 50" "$TMPD/esp.pcap"
out=$(ka --via gre --replies 2 keepalive keepalive)
log "keepalives under ESP: $out"
expect_eq 2 "$(jq -r .replies <<<"$out")" "answers to keepalives under ESP"
expect_eq "[254,254]" "$(jq -c .ttl <<<"$out")" "TTL of the answers under ESP"
wait_until 10 stat_ge hub ka_reflected 6 || fail "ka_reflected did not reach 6"
# A plain keepalive, then a protected one as a barrier.
out=$(ka --replies 1 keepalive/raw keepalive/gre)
log "plain + protected keepalive: $out"
expect_eq 1 "$(jq -r .replies <<<"$out")" "answers to a plain and a protected keepalive"
wait_until 10 stat_ge hub rx_unprotected $((unprot0 + 1)) ||
	fail "rx_unprotected did not grow"
expect_eq $((unprot0 + 1)) "$(hub_stat rx_unprotected)" "rx_unprotected after one plain keepalive"
wait_until 10 stat_ge hub ka_reflected 7 || fail "ka_reflected did not reach 7"
expect_eq 7 "$(hub_stat ka_reflected)" "ka_reflected (the plain keepalive is not answered)"
capture_stop "$TMPD/esp.pcap"
# (the ESP answers are the positive control of the first zero)
expect_eq 3 "$(capture_count_bpf "$TMPD/esp.pcap" "ip proto 50 and src 192.1.1.1 and dst 192.1.1.9")" \
	"ESP answers from the hub"
expect_eq 0 "$(capture_count_bpf "$TMPD/esp.pcap" "ip proto 47 and src 192.1.1.1")" \
	"plain GRE from the hub under protection"
expect_eq 1 "$(capture_count_bpf "$TMPD/esp.pcap" "ip proto 47 and src 192.1.1.9")" \
	"plain GRE from the peer (the one unprotected keepalive)"
expect_eq 3 "$(capture_count_bpf "$TMPD/esp.pcap" "ip proto 50 and src 192.1.1.9 and dst 192.1.1.1")" \
	"ESP keepalives from the peer"
expect_eq 0 "$(hub_stat ka_drop)" "ka_drop at the end"

exit_status

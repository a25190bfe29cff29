#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh: the seed network, the DMVPN a Cisco engineer would
# build, from stock Linux pieces: mgre tunnels with NHRP (the spokes know
# only the hub), FRR's ospfd on every router (OSPF broadcast over the
# tunnel, the hub DR), stock strongSwan on every router (transport ESP on
# GRE, any peer with the pre-shared key, on demand).  Runs as root where
# the mgre module can be loaded: normally inside the test VM through
# "make demo" (scripts/vm/run.sh -- scripts/demo.sh); selftest
# 260_seed_demo runs it too.
#
# It builds the routers of selftests/mgre/topo.sh (one hub, two spokes,
# each in its own network namespace, on a shared NBMA segment) with the
# configuration files of Documentation/examples/, shows each step as the
# IOS command it replaces, and checks what it shows: the spokes register,
# OSPF comes up with the hub as DR, the spokes learn each other's LANs
# with the other spoke as next hop, the first spoke-to-spoke packets go
# through the hub while NHRP resolves, then traffic goes direct over an
# IPsec SA that appeared on demand, and the NBMA network never carries
# GRE in the clear.  Everything is removed at exit.  Exit status: 0 when
# every check passed, 1 otherwise (each failure is printed "FAILED:").
#
# "scripts/demo.sh --phase 3" ("make demo PHASE=3") builds the same
# network as DMVPN phase 3: the hub "redirect on" (IOS "ip nhrp
# redirect"), the spokes "shortcut on" ("ip nhrp shortcut"), OSPF
# point-to-multipoint, so every spoke routes everything through the hub;
# the hub's Traffic Indication makes the spokes resolve the destination
# and their shortcuts override the route through the hub.

# shellcheck source-path=SCRIPTDIR source=../selftests/mgre/lib.sh
source "$(dirname "$0")/../selftests/mgre/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../selftests/mgre/topo.sh
source "$(dirname "$0")/../selftests/mgre/topo.sh"
# shellcheck source-path=SCRIPTDIR source=../selftests/mgre/ipsec.sh
source "$(dirname "$0")/../selftests/mgre/ipsec.sh"

PHASE=2
case "$*" in
"" | "--phase 2") ;;
"--phase 3") PHASE=3 ;;
*) echo "usage: $0 [--phase 2|3]" >&2; exit 2 ;;
esac

require_root
require_cmd ip ping jq nft tcpdump vtysh /usr/lib/frr/zebra /usr/lib/frr/ospfd
ipsec_require

rule() { printf '\n=== %s ===\n' "$*"; }
step() { printf '\n--- %s\n' "$*"; }
# cisco_linux CISCO LINUX: one row of a Cisco -> Linux table
cisco_linux() { printf '  %-46s -> %s\n' "$1" "$2"; }

# run NS CMD...: print "R# CMD" and run CMD in NS, output indented (less
# vtysh's and swanctl's complaints about files the demo does not use:
# vtysh.conf, strongSwan's plugins).  swanctl talks to NS's charon.
run() {
	local ns=$1 i show
	shift
	for i in 1 2 3; do [ "${TOPO_NS[$i]}" = "$ns" ] && break; done
	show=${*/#$NHRPCTL/nhrpctl}
	printf '%s# %s\n' "R$i" "${show/#vtysh -N $ns/vtysh}"
	[ "$1" != swanctl ] || set -- "$@" --uri "unix://${IPSEC_DIR[$ns]}/charon.vici"
	in_ns "$ns" "$@" 2>&1 |
		grep -v -e "^% Can't open configuration file" -e "^plugin '.*': failed to load" |
		sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

# claim WHAT CMD...: a check the demo makes, printed "ok" or "FAILED".
claim() {
	local what=$1

	shift
	if "$@"; then
		printf '  ok: %s\n' "$what"
	else
		printf '  FAILED: %s\n' "$what"
		RET=$((RET + 1))
	fi
}

secs() { local ms; ms=$(ms_since "$1"); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
ms_since() { echo $(( (${EPOCHREALTIME/./} - $1) / 1000 )); }


# esp_seen FILE SRC DST: ESP packets SRC -> DST in the capture FILE.
esp_seen() { capture_count_bpf "$1" "esp and src $2 and dst $3"; }

# --- the plan ----------------------------------------------------------------------
rule "The seed network: a DMVPN (phase $PHASE) with NHRP, OSPF and IPsec"
cat <<'EOF'
  NBMA network 192.1.1.0/24 (a bridge in netns "wan", the Internet's
  stand-in), tunnel 172.1.1.0/24, GRE key 10000; each router is a network
  namespace running mgre, FRR (zebra + ospfd) and strongSwan (charon):

    R1 hub   netns hub  eth0 192.1.1.1  tun0 172.1.1.1/24  lan0 192.168.1.1/24
    R2 spoke netns sp1  eth0 192.1.1.2  tun0 172.1.1.2/24  lan0 192.168.2.1/24
    R3 spoke netns sp2  eth0 192.1.1.3  tun0 172.1.1.3/24  lan0 192.168.3.1/24

  The spokes know only the hub.  No static route anywhere: OSPF learns
  every LAN.  No GRE in the clear: every GRE packet is ESP-protected, the
  SAs negotiated by IKEv2 when the first packet to a peer needs one.

  Every router (Cisco -> Linux):
EOF
cisco_linux "interface Tunnel0" "ip link add tun0 type mgre \\"
cisco_linux " tunnel source 192.1.1.X" "   local 192.1.1.X \\"
cisco_linux " tunnel mode gre multipoint" "   (multipoint: no \"remote\")"
cisco_linux " tunnel key 10000" "   key 10000 \\"
cisco_linux " ip nhrp network-id 10000" "   network-id 10000 \\"
cisco_linux " ip nhrp holdtime 500" "   holdtime 500 \\"
cisco_linux " ip nhrp authentication cisco123" "   auth cisco123 \\"
cisco_linux " tunnel protection ipsec profile P" "   protection require"
cisco_linux "" "   + charon, Documentation/examples/swanctl-{hub,spoke}.conf"
cisco_linux " ip address 172.1.1.X 255.255.255.0" "ip addr add 172.1.1.X/24 dev tun0"
cisco_linux " ip ospf network broadcast" "ospfd: Documentation/examples/ospfd-{hub,spoke}.conf"
cisco_linux "router ospf 1 / network ... area 0" "   (the same file)"
echo "  R1 (hub):"
cisco_linux " ip nhrp map multicast dynamic" "nhrpctl multicast add dynamic dev tun0"
cisco_linux " ip ospf priority 2" "   (ospfd-hub.conf)"
echo "  R2, R3 (spokes):"
cisco_linux " ip nhrp map 172.1.1.1 192.1.1.1" "nhrpctl map add 172.1.1.1 nbma 192.1.1.1 dev tun0"
cisco_linux " ip nhrp map multicast 192.1.1.1" "nhrpctl multicast add nbma 192.1.1.1 dev tun0"
cisco_linux " ip nhrp nhs 172.1.1.1" "nhrpctl nhs add 172.1.1.1 dev tun0"
cisco_linux " ip ospf priority 0" "   (ospfd-spoke.conf)"

# --- build -------------------------------------------------------------------------
rule "Building it"
T0=${EPOCHREALTIME/./}
# shellcheck disable=SC2119	# no module parameters
load_mgre
topo_wan
ipsec_crypto_warm
for i in 1 2 3; do
	topo_router "$i"
done
# Everything each router sends or receives on the NBMA network.
for ns in hub sp1 sp2; do
	capture_start wan "p-$ns" ip "$TMPD/$ns.pcap"
done
log "routers up, capturing their NBMA traffic"
# IPsec first: the trap policies are in place before the first GRE packet.
for ns in hub sp1 sp2; do
	charon_start "$ns"
done
charon_load hub "$EXAMPLES/swanctl-hub.conf"
charon_load sp1 "$EXAMPLES/swanctl-spoke.conf"
charon_load sp2 "$EXAMPLES/swanctl-spoke.conf"
# Phase 3: the hub redirects, the spokes take shortcuts.
P3_OPT=(_ "" "" "")
[ "$PHASE" = 2 ] || P3_OPT=(_ "redirect on" "shortcut on" "shortcut on")
for i in 1 2 3; do
	# shellcheck disable=SC2086
	topo_tunnel "$i" $TOPO_NHRP protection require ${P3_OPT[$i]}
done
nhrpctl_in hub multicast add dynamic dev tun0
# What the hub relays spoke to spoke (in on tun0, out on tun0).
relay_counter hub
OSPF_NET=broadcast
[ "$PHASE" = 2 ] || OSPF_NET=point-to-multipoint
for i in 1 2 3; do
	ns=${TOPO_NS[$i]}
	conf=$EXAMPLES/ospfd-$([ "$i" = 1 ] && echo hub || echo spoke).conf
	frr_start "$ns" zebra "hostname R$i"
	# (phase 3: point-to-multipoint, every route through the hub)
	frr_start "$ns" ospfd "$(sed "s/network broadcast/network ${OSPF_NET}/" "$conf")
router ospf
 ospf router-id $(topo_tun "$i")"
done
log "charon and FRR (zebra, ospfd) running on R1, R2, R3"
T1=${EPOCHREALTIME/./}
for i in 2 3; do
	topo_spoke_nhrp "$i"
done
log "the spokes' NHS configured: NHRP, IKE and OSPF start"

# --- registration and OSPF ---------------------------------------------------------
rule "The spokes register; OSPF comes up over the cloud"
for i in 2 3; do
	claim "R$i registered with the hub (through ESP)" \
		wait_until 60 has_entry hub "$(topo_tun "$i")" dynamic unique registered
done
log "both spokes registered $(secs "$T1") after their NHS was configured"
if [ "$PHASE" = 2 ]; then
	claim "the hub is FULL with both spokes, as DR" wait_until 90 ospf_full hub 2 DROther
	for ns in sp1 sp2; do
		claim "$ns is FULL with the hub, its DR" wait_until 30 ospf_full "$ns" 1 DR
	done
	claim "R2 learned R3's LAN via R3 (172.1.1.3)" wait_until 60 route_via sp1 192.168.3.0/24 172.1.1.3 ospf
	claim "R3 learned R2's LAN via R2 (172.1.1.2)" wait_until 60 route_via sp2 192.168.2.0/24 172.1.1.2 ospf
else
	# (point-to-multipoint: no DR; FRR prints the role as "-" or DROther)
	claim "the hub is FULL with both spokes" wait_until 90 ospf_full hub 2
	claim "R2 learned R3's LAN via the hub (172.1.1.1)" wait_until 60 route_via sp1 192.168.3.0/24 172.1.1.1 ospf
	claim "R3 learned R2's LAN via the hub (172.1.1.1)" wait_until 60 route_via sp2 192.168.2.0/24 172.1.1.1 ospf
fi
claim "R1 learned both spokes' LANs" wait_until 30 eval \
	'route_via hub 192.168.2.0/24 172.1.1.2 ospf && route_via hub 192.168.3.0/24 172.1.1.3 ospf'
log "OSPF converged $(secs "$T1") after the NHS was configured"

step "R1: the spokes, registered (Cisco: show dmvpn)"
run hub "$NHRPCTL" show dmvpn dev tun0
step "R1: OSPF neighbours (Cisco: show ip ospf neighbor)"
run hub vtysh -N hub -c 'show ip ospf neighbor'
step "R2: OSPF neighbours (Cisco: show ip ospf neighbor)"
run sp1 vtysh -N sp1 -c 'show ip ospf neighbor'
step "R2: routes from OSPF (Cisco: show ip route ospf)"
run sp1 ip route show proto ospf
step "R3: routes from OSPF (Cisco: show ip route ospf)"
run sp2 ip route show proto ospf
step "R1: IPsec with both spokes (Cisco: show crypto isakmp sa)"
run hub swanctl --list-sas

# --- spoke to spoke ----------------------------------------------------------------
rule "Spoke to spoke: R2's LAN -> R3's LAN (Cisco: ping 192.168.3.1 source 192.168.2.1)"
if [ "$PHASE" = 2 ]; then
	echo "  R2 routes 192.168.3.0/24 via 172.1.1.3, which it has no NHRP entry for:"
	echo "  the first packets go through the hub while R2 resolves 172.1.1.3; the"
	echo "  answer comes from R3 itself, and the first GRE packet between the"
	echo "  spokes makes strongSwan negotiate their SA.  Then traffic goes direct."
else
	echo "  R2 routes 192.168.3.0/24 via the hub.  The hub forwards the first"
	echo "  packets back into the tunnel and tells R2 so (a Traffic Indication);"
	echo "  R2 resolves 192.168.3.1, R3 answers with the prefix of its route to it"
	echo "  (its own address: a /32; a host on its LAN would get the /24), and"
	echo "  R2's shortcut overrides the route through the hub (flag nho).  The"
	echo "  first GRE packet between the spokes makes strongSwan negotiate their SA."
fi
T2=${EPOCHREALTIME/./}
relayed0=$(relayed hub)
bg_start ip netns exec sp1 ping -q -i 0.5 -W 1 -c 2000 -I 192.168.2.1 192.168.3.1 >/dev/null
ping_pid=$BG_PID
if [ "$PHASE" = 2 ]; then
	claim "R2 resolved R3 (172.1.1.3 -> 192.1.1.3)" wait_until 60 has_entry sp1 172.1.1.3 cached
	claim "R3 knows R2 directly too" wait_until 30 has_entry sp2 172.1.1.2 cached
else
	claim "R2 has a shortcut to 192.168.3.1 via R3 (192.1.1.3)" \
		wait_until 60 shortcut_to sp1 192.168.3.1/32 192.1.1.3 172.1.1.3
	claim "R3 has one back to 192.168.2.1 via R2 (192.1.1.2)" \
		wait_until 30 shortcut_to sp2 192.168.2.1/32 192.1.1.2 172.1.1.2
fi
claim "an IPsec SA between R2 and R3, negotiated on demand" wait_until 60 sa_up sp1 192.1.1.3
log "spoke to spoke direct and protected $(secs "$T2") after the first packet"
_kill_wait "$ping_pid"
relayed1=$(relayed hub)
printf '  the hub relayed %s spoke-to-spoke packets while NHRP and IKE ran\n' \
	"$((relayed1 - relayed0))"
claim "the first packets went through the hub" test "$((relayed1 - relayed0))" -ge 1

esp0=$(esp_seen "$TMPD/sp1.pcap" 192.1.1.2 192.1.1.3)
step "now direct"
if run sp1 ping -c 10 -i 0.2 -W 2 -I 192.168.2.1 192.168.3.1; then
	claim "10 of 10 answered" true
else
	claim "10 of 10 answered" false
fi
relayed2=$(relayed hub)
claim "the hub relayed none of them ($relayed1 -> $relayed2 packets)" test "$relayed2" = "$relayed1"
claim "they went R2 -> R3 directly, in ESP (the capture)" \
	capture_wait 5 "$TMPD/sp1.pcap" $((esp0 + 10)) "esp and src 192.1.1.2 and dst 192.1.1.3"

step "R2: the NHRP cache (Cisco: show ip nhrp)"
run sp1 "$NHRPCTL" show dev tun0
step "R2: its peers (Cisco: show dmvpn)"
run sp1 "$NHRPCTL" show dmvpn dev tun0
step "R2: IKE and IPsec SAs (Cisco: show crypto isakmp sa, show crypto ipsec sa)"
run sp1 swanctl --list-sas
step "R2: NHRP packets by type (Cisco: show ip nhrp traffic)"
run sp1 "$NHRPCTL" show traffic dev tun0
step "R1: NHRP packets by type (Cisco: show ip nhrp traffic)"
run hub "$NHRPCTL" show traffic dev tun0

# --- the wire ----------------------------------------------------------------------
rule "The NBMA network: only IKE and ESP"
capture_stop "$TMPD/hub.pcap" "$TMPD/sp1.pcap" "$TMPD/sp2.pcap"
for ns in hub sp1 sp2; do
	pcap=$TMPD/$ns.pcap
	total=$(capture_count_bpf "$pcap")
	esp=$(capture_count_bpf "$pcap" esp)
	ike=$(capture_count_bpf "$pcap" 'udp port 500 or udp port 4500')
	gre=$(capture_count_bpf "$pcap" 'ip proto 47')
	other=$(capture_count_bpf "$pcap" 'not esp and not (udp port 500 or udp port 4500)')
	printf '  %s: %s packets: %s ESP, %s IKE, %s GRE in the clear, %s other\n' \
		"$ns" "$total" "$esp" "$ike" "$gre" "$other"
	claim "$ns: ESP and IKE on the wire" test "$esp" -ge 10 -a "$ike" -ge 2
	claim "$ns: no GRE in the clear, nothing but ESP and IKE" test "$gre" = 0 -a "$other" = 0
done
for ns in hub sp1 sp2; do
	claim "$ns: no GRE in the clear received (rx_unprotected 0)" \
		test "$(stat_get "$ns" tun0 rx_unprotected)" = 0
done

echo
if [ "$RET" = 0 ]; then
	echo "demo: OK in $(secs "$T0"): every check above passed"
else
	echo "demo: FAILED: $RET check(s) failed, see FAILED above"
fi
exit_status

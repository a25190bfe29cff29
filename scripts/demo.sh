#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh: a three-router DMVPN built from mgre devices with static
# NHRP maps, shown the way a Cisco engineer would look at it.  Runs as root
# where the mgre module can be loaded: normally inside the test VM through
# "make demo" (scripts/vm/run.sh -- scripts/demo.sh).
#
# It builds the reference topology of selftests/mgre/topo.sh (one hub, two
# spokes, each in its own network namespace, on a shared NBMA segment),
# prints each router's NHRP state, pings spoke to spoke (LAN to LAN and
# tunnel to tunnel) and shows a spoke's counters.  Everything is removed
# at exit.  Exit status: 0 if every ping was answered, 1 otherwise.

# shellcheck source-path=SCRIPTDIR source=../selftests/mgre/lib.sh
source "$(dirname "$0")/../selftests/mgre/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../selftests/mgre/topo.sh
source "$(dirname "$0")/../selftests/mgre/topo.sh"

require_root
require_cmd ip ping python3

ROLE=(_ hub spoke spoke)
FAILED=0

rule() { printf '\n=== %s ===\n' "$*"; }
step() { printf '\n--- %s\n' "$*"; }
# cisco_linux CISCO LINUX: one row of a Cisco -> Linux table
cisco_linux() { printf '  %-44s -> %s\n' "$1" "$2"; }

# run NS CMD...: print "R# CMD" and run CMD in NS, output indented.
run() {
	local ns=$1 i
	shift
	for i in 1 2 3; do [ "${TOPO_NS[$i]}" = "$ns" ] && break; done
	printf '%s# %s\n' "R$i" "$*"
	in_ns "$ns" "$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

# --- build --------------------------------------------------------------------
rule "Building the reference DMVPN (static NHRP maps)"
cat <<'EOF'
  NBMA network 192.1.1.0/24 (a bridge in netns "wan"), tunnel 172.1.1.0/24,
  GRE key 10000; each router is a network namespace:

    R1 hub   netns hub  eth0 192.1.1.1  tun0 172.1.1.1/24  lan0 192.168.1.1/24
    R2 spoke netns sp1  eth0 192.1.1.2  tun0 172.1.1.2/24  lan0 192.168.2.1/24
    R3 spoke netns sp2  eth0 192.1.1.3  tun0 172.1.1.3/24  lan0 192.168.3.1/24

  Every router (Cisco -> Linux):
EOF
cisco_linux "interface Tunnel0" "ip link add tun0 type mgre \\"
cisco_linux " tunnel mode gre multipoint" "   (multipoint: no \"remote\")"
cisco_linux " tunnel source 192.1.1.X" "   local 192.1.1.X \\"
cisco_linux " tunnel key 10000" "   key 10000"
cisco_linux " ip address 172.1.1.X 255.255.255.0" "ip addr add 172.1.1.X/24 dev tun0"
cisco_linux " no shutdown" "ip link set tun0 up"
cisco_linux "ip route 192.168.Y.0 255.255.255.0 172.1.1.Y" "ip route add 192.168.Y.0/24 via 172.1.1.Y"
echo "  R1 (hub), for each spoke Y = 2, 3:"
cisco_linux " ip nhrp map 172.1.1.Y 192.1.1.Y" "nhrpctl map add 172.1.1.Y nbma 192.1.1.Y dev tun0"
cisco_linux " ip nhrp map multicast 192.1.1.Y" "nhrpctl multicast add nbma 192.1.1.Y dev tun0"
echo "  R2, R3 (spokes):"
cisco_linux " ip nhrp map 172.1.1.1 192.1.1.1" "nhrpctl map add 172.1.1.1 nbma 192.1.1.1 dev tun0"
cisco_linux " ip nhrp map 172.1.1.Z 192.1.1.Z (other spoke)" "nhrpctl map add 172.1.1.Z nbma 192.1.1.Z dev tun0"
cisco_linux " ip nhrp map multicast 192.1.1.1" "nhrpctl multicast add nbma 192.1.1.1 dev tun0"
cisco_linux " ip nhrp nhs 172.1.1.1" "nhrpctl nhs add 172.1.1.1 dev tun0"
echo
echo "  No \"ip nhrp network-id\" here: NHRP itself stays off (the spokes send"
echo "  no registrations, so their NHS shows W, waiting); every mapping is static."
echo
topo_seed_static
log "topology up"

step "R1 tun0 (Cisco: show interface Tunnel0)"
run hub ip -d link show dev tun0

# --- state of each router ---------------------------------------------------------
for i in 1 2 3; do
	ns=${TOPO_NS[$i]}
	rule "R$i (${ROLE[$i]}) $(topo_nbma "$i"): nhrpctl show / show multicast / show nhs"
	step "NHRP cache (Cisco: show ip nhrp)"
	run "$ns" "$NHRPCTL" show
	step "multicast map (Cisco: show ip nhrp multicast)"
	run "$ns" "$NHRPCTL" show multicast
	step "next-hop servers (Cisco: show ip nhrp nhs)"
	run "$ns" "$NHRPCTL" show nhs
done

rule "R1 (hub): the peers in one table, nhrpctl show dmvpn (Cisco: show dmvpn)"
run hub "$NHRPCTL" show dmvpn

# --- spoke-to-spoke traffic --------------------------------------------------------
rule "Spoke to spoke: R2 -> R3, straight over the NBMA network"
hub_rx_before=$(stat_get hub tun0 rx_data)

step "LAN to LAN (Cisco: ping 192.168.3.1 source 192.168.2.1)"
if ! run sp1 ping -c 3 -i 0.3 -W 2 -I 192.168.2.1 192.168.3.1; then
	echo "  FAILED: R2's LAN cannot reach R3's LAN"
	FAILED=1
fi
step "tunnel to tunnel (Cisco: ping 172.1.1.3 source Tunnel0)"
if ! run sp1 ping -c 3 -i 0.3 -W 2 -I 172.1.1.2 172.1.1.3; then
	echo "  FAILED: R2's tun0 cannot reach R3's tun0"
	FAILED=1
fi

hub_rx_after=$(stat_get hub tun0 rx_data)
if [ "$hub_rx_before" = "$hub_rx_after" ]; then
	echo
	echo "  R1 (hub) tun0 rx_data stayed at $hub_rx_after: the spokes talked directly."
else
	echo
	echo "  R1 (hub) tun0 rx_data went from $hub_rx_before to $hub_rx_after."
fi

rule "R2 (spoke) counters: nhrpctl stats dev tun0 (Cisco: show ip nhrp traffic)"
run sp1 "$NHRPCTL" stats dev tun0
echo
echo "  tx_unicast: packets sent to one peer; rx_data: packets received."
echo "  tx_unsupported: packets a multipoint tunnel cannot carry; here IPv6"
echo "  packets (router solicitations, ...) the kernel sends by itself on tun0."
echo "  The nhrp_* counters stay at 0 while NHRP is off."

echo
if [ "$FAILED" = 0 ]; then
	echo "demo: OK, every ping was answered"
else
	echo "demo: FAILED, see above"
fi
exit "$FAILED"

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The reference DMVPN topology in network namespaces, shared by the
# selftests and the demo.  Source after lib.sh.
#
#                 ns "wan" (bridge br0: the NBMA network 192.1.1.0/24)
#        +--------------------+--------------------+
#   eth0 192.1.1.1       eth0 192.1.1.2       eth0 192.1.1.3
#   ns "hub" (R1)        ns "sp1" (R2)        ns "sp2" (R3)
#   tun0 172.1.1.1/24    tun0 172.1.1.2/24    tun0 172.1.1.3/24
#   lan0 192.168.1.1/24  lan0 192.168.2.1/24  lan0 192.168.3.1/24
#
# Every tunnel: "type mgre local <NBMA> key 10000" (Cisco "tunnel source",
# "tunnel key 10000", "tunnel mode gre multipoint").

: "${REPO:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export IP_LIB_DIR="$REPO/tools/iproute2"
NHRPCTL="$REPO/tools/nhrpctl/nhrpctl"
TOPO_KEY=10000

# Router names and addresses, by index: 1 = hub, 2 = sp1, 3 = sp2.
TOPO_NS=(_ hub sp1 sp2)
topo_nbma() { echo "192.1.1.$1"; }
topo_tun() { echo "172.1.1.$1"; }
topo_lan() { echo "192.168.$1.1"; }

nhrpctl() { "$NHRPCTL" "$@"; }


# topo_wan: the NBMA network, a bridge in its own namespace.
topo_wan() {
	ns_create wan
	in_ns wan ip link add br0 type bridge
	in_ns wan ip link set br0 up
}

# topo_router IDX: namespace with eth0 on the NBMA bridge and a LAN.
topo_router() {
	local i=$1 ns=${TOPO_NS[$1]}

	ns_create "$ns"
	ip link add eth0 netns "$ns" type veth peer name "p-$ns" netns wan
	in_ns wan ip link set "p-$ns" master br0 up
	in_ns "$ns" ip addr add "$(topo_nbma "$i")/24" dev eth0
	in_ns "$ns" ip link set eth0 up
	in_ns "$ns" ip link add lan0 type dummy
	in_ns "$ns" ip addr add "$(topo_lan "$i")/24" dev lan0
	in_ns "$ns" ip link set lan0 up
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
}

# topo_tunnel IDX [extra ip-link args]: tun0 on router IDX.
topo_tunnel() {
	local i=$1 ns=${TOPO_NS[$1]}

	shift
	in_ns "$ns" ip link add tun0 type mgre local "$(topo_nbma "$i")" \
		key "$TOPO_KEY" "$@"
	in_ns "$ns" ip addr add "$(topo_tun "$i")/24" dev tun0
	in_ns "$ns" ip link set tun0 up
}

# topo_routes IDX: static routes to the other routers' LANs via the tunnel.
topo_routes() {
	local i=$1 j ns=${TOPO_NS[$1]}

	for j in 1 2 3; do
		[ "$j" = "$i" ] && continue
		in_ns "$ns" ip route add "192.168.$j.0/24" via "$(topo_tun "$j")"
	done
}

# topo_seed_static: the seed topology with static NHRP maps everywhere
# (Cisco "ip nhrp map", "ip nhrp map multicast", "ip nhrp nhs").
topo_seed_static() {
	local i j ns

	load_mgre
	topo_wan
	for i in 1 2 3; do
		topo_router "$i"
		topo_tunnel "$i"
	done
	# Hub: a static map and a multicast map entry for each spoke.
	for j in 2 3; do
		nhrpctl_in hub map add "$(topo_tun "$j")" \
			nbma "$(topo_nbma "$j")" dev tun0
		nhrpctl_in hub multicast add nbma "$(topo_nbma "$j")" dev tun0
	done
	# Spokes: the hub (map, multicast, NHS) and the other spoke.
	for i in 2 3; do
		ns=${TOPO_NS[$i]}
		for j in 1 2 3; do
			[ "$j" = "$i" ] && continue
			nhrpctl_in "$ns" map add "$(topo_tun "$j")" \
				nbma "$(topo_nbma "$j")" dev tun0
		done
		nhrpctl_in "$ns" multicast add nbma "$(topo_nbma 1)" dev tun0
		nhrpctl_in "$ns" nhs add "$(topo_tun 1)" dev tun0
	done
	for i in 1 2 3; do
		topo_routes "$i"
	done
}

nhrpctl_in() { local ns=$1; shift; in_ns "$ns" "$NHRPCTL" "$@"; }

# ping_ok NS DST [ping args]: succeeds when DST answers within 10 s.
ping_ok() {
	local ns=$1 dst=$2

	shift 2
	wait_until 10 in_ns "$ns" ping -c 1 -W 1 "$@" "$dst" >/dev/null
}

# stat_get NS DEV NAME: one counter from "nhrpctl -j stats dev DEV".
stat_get() {
	nhrpctl_in "$1" -j stats dev "$2" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["devices"][sys.argv[1]][sys.argv[2]])' "$2" "$3"
}

# netns_stat_get NS NAME: one netns-wide counter from "nhrpctl -j stats".
netns_stat_get() {
	nhrpctl_in "$1" -j stats |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["netns"][sys.argv[1]])' "$2"
}

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the benchmarks share (sourced by bench/*.sh, inside the test VM):
# the paths, messages, the hub/generator namespace pair of the hub-scale
# benchmarks and FRR's hub for their comparisons.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export IP_LIB_DIR="$REPO/tools/iproute2"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
# shellcheck disable=SC2034	# (for the scripts that source this)
NHRPCTL="$REPO/tools/nhrpctl/nhrpctl"
MGRE_KO=${MGRE_KO:-$REPO/kmod/mgre.ko}
# shellcheck disable=SC2034
CRAFT=$REPO/selftests/mgre/nhrp_craft.py

msg() { echo "bench: $*" >&2; }
die() { msg "error: $*"; exit 1; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# load_mgre: mgre loaded (ip_gre must not hold GRE version 0).
load_mgre() {
	[ -f "$MGRE_KO" ] || die "$MGRE_KO missing: run make"
	rmmod ip_gre 2>/dev/null || :
	if [ ! -d /sys/module/mgre ]; then
		modprobe ip_tunnel
		modprobe gre
		insmod "$MGRE_KO"
	fi
}

# hub_gen: (re)create the namespaces hub (192.1.1.1) and gen (192.1.1.9)
# joined by a veth; gen takes the spokes' NBMA addresses (100.64.0.0/10,
# which it spoofs) as its own and the hub routes them to it.
hub_gen() {
	local ns
	ip netns del gen 2>/dev/null || :
	ip netns del hub 2>/dev/null || :
	for ns in gen hub; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add eth0 netns hub type veth peer name eth0 netns gen
	ip -n hub addr add 192.1.1.1/24 dev eth0
	ip -n gen addr add 192.1.1.9/24 dev eth0
	ip -n hub link set eth0 up
	ip -n gen link set eth0 up
	ip -n hub route add 100.64.0.0/10 via 192.1.1.9
	ip -n gen route add local 100.64.0.0/10 dev lo
}

# frr_hub NAME NHRPD_LINE...: mgre unloaded, ip_gre loaded, and FRR's
# nhrpd (zebra beside it) as the hub in namespace hub, in FRR pathspace
# NAME (its sockets and here its files in FRR_DIR=/run/frr/NAME), on
# gre1 set up as FRR's documentation does (NBMA, a /32, the subnets
# routed to it).  The NHRPD_LINEs go before the interface section.
FRR_DIR=
frr_hub() {
	local name=$1 d
	shift
	ip netns del hub 2>/dev/null || :
	ip netns del gen 2>/dev/null || :
	if [ -d /sys/module/mgre ]; then
		rmmod mgre
	fi
	modprobe ip_gre
	hub_gen
	ip -n hub link add gre1 type gre key 10000 ttl 64 local 192.1.1.1 dev eth0
	ip -n hub addr add 172.1.1.1/32 dev gre1
	ip -n hub link set gre1 up
	ip -n hub route add 172.1.1.0/24 dev gre1
	ip -n hub route add 10.0.0.0/8 dev gre1
	FRR_DIR=/run/frr/$name
	mkdir -p "$FRR_DIR"
	printf 'hostname %s\n' "$name" >"$FRR_DIR/zebra.conf"
	printf '%s\n' "hostname $name" "$@" 'interface gre1' ' ip nhrp network-id 10000' \
		' ip nhrp holdtime 3600' ' ip nhrp map multicast dynamic' ' tunnel source eth0' \
		'exit' >"$FRR_DIR/nhrpd.conf"
	chown -R frr:frr /run/frr
	for d in zebra nhrpd; do
		in_ns hub "/usr/lib/frr/$d" -N "$name" -d -A 127.0.0.1 -f "$FRR_DIR/$d.conf" \
			-i "$FRR_DIR/$d.pid" --log "file:$FRR_DIR/$d.log" ||
			die "FRR $d did not start (log: $(tail -n 5 "$FRR_DIR/$d.log" 2>/dev/null))"
		for _ in $(seq 50); do
			[ -S "$FRR_DIR/$d.vty" ] && break
			sleep 0.2
		done
		[ -S "$FRR_DIR/$d.vty" ] || die "FRR $d: no vty socket"
	done
	msg "FRR $(dpkg-query -W -f='${Version}' frr 2>/dev/null) nhrpd up as the hub ($name)"
}

# frr_registered: the dynamic (registered) entries in nhrpd's cache.
frr_registered() {
	in_ns hub vtysh -N "${FRR_DIR##*/}" -c 'show ip nhrp cache json' 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin).get("table", []) if e.get("type") == "dynamic"))' 2>/dev/null || echo "?"
}

# frr_stop: FRR's daemons of frr_hub stopped, its files gone.
frr_stop() {
	local p
	[ -n "$FRR_DIR" ] || return 0
	for p in "$FRR_DIR"/*.pid; do
		if [ -f "$p" ]; then
			kill "$(cat "$p")" 2>/dev/null || :
		fi
	done
	rm -rf "$FRR_DIR"
}

# hub_cleanup: what the hub-scale benchmarks leave (their EXIT trap).
TMP=$(mktemp -d)
hub_cleanup() {
	frr_stop
	ip netns del gen 2>/dev/null || :
	ip netns del hub 2>/dev/null || :
	rm -rf "$TMP"
}

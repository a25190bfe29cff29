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
	[ -e /run/netns/wan ] && return 0
	ns_create wan
	in_ns wan ip link add br0 type bridge
	in_ns wan ip link set br0 up
}

# topo_nbma_host NS ADDR: a plain namespace NS with eth0 (ADDR/24) on the
# NBMA bridge: a peer that is no router of the topology (an attacker, a
# NAT router, a keepalive sender).
topo_nbma_host() {
	local ns=$1

	topo_wan
	ns_create "$ns"
	ip link add eth0 netns "$ns" type veth peer name "p-$ns" netns wan
	in_ns wan ip link set "p-$ns" master br0 up
	in_ns "$ns" ip addr add "$2/24" dev eth0
	in_ns "$ns" ip link set eth0 up
}

# topo_router IDX: namespace with eth0 on the NBMA bridge and a LAN.
topo_router() {
	local i=$1 ns=${TOPO_NS[$1]}

	[ -e "/run/netns/$ns" ] && return 0
	topo_nbma_host "$ns" "$(topo_nbma "$i")"
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

# nhrpctl_in NS ARGS...: nhrpctl in NS ("" or "-": the initial one); its
# -n only enters the network namespace (no "ip netns exec": no second
# program, no remount of /sys).
nhrpctl_in() {
	local ns=$1; shift
	if [ -z "$ns" ] || [ "$ns" = - ]; then
		"$NHRPCTL" "$@"
	else
		"$NHRPCTL" -n "$ns" "$@"
	fi
}

# frr_start NS DAEMON CONFIG: FRR's DAEMON (zebra, bgpd, ospfd) in
# namespace NS with pathspace NS ("vtysh -N NS"), CONFIG (text) as its
# configuration; its files (and log) in /run/frr/NS.  Start zebra first.
# Fails the test if the daemon does not come up, or rejects a line of
# CONFIG (FRR logs "on config line N" and goes on without it: the test
# would run another configuration than it says).  The daemons go with
# the namespace at exit.
frr_start() {
	local ns=$1 d=$2 dir=/run/frr/$1
	require_cmd "/usr/lib/frr/$d" vtysh
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir" || ksft_fail "cannot create $dir"
		cleanup_add rm -rf "$dir"
	fi
	printf '%s\n' "$3" > "$dir/$d.conf"
	chown -R frr:frr "$dir"
	in_ns "$ns" "/usr/lib/frr/$d" -N "$ns" -d -A 127.0.0.1 -f "$dir/$d.conf" \
		-i "$dir/$d.pid" --log "file:$dir/$d.log" >"$dir/$d.out" 2>&1 ||
		ksft_fail "cannot start $d in $ns: $(cat "$dir/$d.out")"
	wait_until 20 test -S "$dir/$d.vty" ||
		ksft_fail "$d in $ns did not come up: $(tail -n 5 "$dir/$d.log" 2>&1)"
	! grep -q "on config line" "$dir/$d.log" ||
		ksft_fail "$d in $ns did not take its configuration: $(grep 'on config line' "$dir/$d.log")"
}

# frr_stop NS DAEMON: stop FRR's DAEMON in NS (SIGTERM, as systemd does;
# zebra then removes the routes it had installed for it).
frr_stop() {
	local pid

	pid=$(cat "/run/frr/$1/$2.pid" 2>/dev/null) || ksft_fail "no $2 running in $1"
	kill -TERM "$pid" 2>/dev/null
	wait_until 20 _not_running "$pid" || ksft_fail "$2 in $1 did not stop"
	rm -f "/run/frr/$1/$2.vty"
}

# pings_start NS DST FILE [PING ARGS...]: an established path pinged
# throughout: one "ping -c 8" after the other from NS to DST until
# pings_stop (each run counts its own requests and waits for their
# replies; a marker line per run shows runs that printed no statistics),
# their output in FILE; PINGS_PID is the loop's.
# shellcheck disable=SC2317	# (run by bg_start)
_pings_loop() {
	local ns=$1 dst=$2 file=$3

	shift 3
	while [ ! -e "$file.stop" ]; do
		echo "@@run"
		in_ns "$ns" ping -n -c 8 -i 0.25 -W 2 "$@" "$dst"
	done >"$file" 2>&1
}
PINGS_PID=
pings_start() {
	bg_start _pings_loop "$@"
	PINGS_PID=$BG_PID
	wait_until 10 grep -q 'bytes from' "$3" ||
		fail "the first ping from $1 to $2 got no answer: $(cat "$3")"
}
# pings_stop FILE: stop the pings (the current run finishes) and count:
# PINGS_SENT, PINGS_RCVD, PINGS_RUNS, and PINGS_STATS the runs that
# printed their statistics (a failure each if it does not stop).
PINGS_SENT=0 PINGS_RCVD=0 PINGS_RUNS=0 PINGS_STATS=0
pings_stop() {
	local l

	touch "$1.stop"
	wait_until 10 _not_running "$PINGS_PID" || fail "the pings into $1 did not stop"
	wait "$PINGS_PID" 2>/dev/null
	PINGS_SENT=0 PINGS_RCVD=0 PINGS_RUNS=0 PINGS_STATS=0
	while IFS= read -r l; do
		if [ "$l" = @@run ]; then
			PINGS_RUNS=$((PINGS_RUNS + 1))
		elif [[ $l =~ ^([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]]; then
			PINGS_STATS=$((PINGS_STATS + 1))
			PINGS_SENT=$((PINGS_SENT + BASH_REMATCH[1]))
			PINGS_RCVD=$((PINGS_RCVD + BASH_REMATCH[2]))
		fi
	done <"$1"
}

# ospf_full NS N [ROLE]: NS's ospfd has at least N neighbours in state
# Full, with ROLE as NS sees it (DR, Backup, DROther) if given.
# shellcheck disable=SC2317	# (called through wait_until)
ospf_full() {
	local n
	n=$(in_ns "$1" vtysh -N "$1" -c 'show ip ospf neighbor' 2>/dev/null |
		grep -c " Full/${3:-[^ ]*} ")
	[ "$n" -ge "$2" ]
}

# route_via NS PREFIX VIA PROTO: NS's kernel routes PREFIX via VIA on
# tun0, installed by PROTO's daemon (ospf, bgp, eigrp).
# shellcheck disable=SC2317	# (called through wait_until)
route_via() {
	[[ $(in_ns "$1" ip route show "$2" proto "$4") == *"via $3 dev tun0 "* ]]
}

# p2_direct: sp1 and sp2 resolved each other's tunnel address (phase 2).
# shellcheck disable=SC2317	# (called through wait_until)
p2_direct() { has_entry sp1 172.1.1.3 cached && has_entry sp2 172.1.1.2 cached; }

# relay_counter NS: count, in NS's forward hook, the packets NS relays
# from tun0 back out of tun0 (a hub carrying spoke-to-spoke traffic);
# relayed NS reads the count.
relay_counter() {
	in_ns "$1" nft -f - <<-'EOF' || ksft_fail "cannot add the relay counter in $1"
	table ip relay {
		counter relayed {
		}
		chain forward {
			type filter hook forward priority 0;
			iifname "tun0" oifname "tun0" counter name relayed
		}
	}
	EOF
}
relayed() {
	in_ns "$1" nft list counter ip relay relayed | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# topo_esp_pair NS_A A NS_B B SPI [DIRS]: manually keyed transport-mode ESP
# for GRE between the NBMA addresses A (namespace NS_A) and B (NS_B), what
# Cisco "tunnel protection" negotiates with IKE: SAs A->B (SPI) and B->A
# (SPI+1), rfc4106(gcm(aes)) with keys derived from the SPI, on both
# sides, and on both sides "proto gre" policies for each direction in
# DIRS ("out in" by default; "out" alone leaves inbound plain GRE to
# mgre's "protection require").  See Documentation/protection.md.
topo_esp_pair() {
	local nsa=$1 a=$2 nsb=$3 b=$4 spi=$5 dirs=${6:-out in}
	local ns me peer d k1 k2 batch

	k1=0x$(printf '%040x' "$spi")
	k2=0x$(printf '%040x' "$((spi + 1))")
	for ns in "$nsa" "$nsb"; do
		if [ "$ns" = "$nsa" ]; then me=$a peer=$b; else me=$b peer=$a; fi
		batch="xfrm state add src $a dst $b proto esp spi $spi mode transport aead rfc4106(gcm(aes)) $k1 128
xfrm state add src $b dst $a proto esp spi $((spi + 1)) mode transport aead rfc4106(gcm(aes)) $k2 128"
		for d in $dirs; do
			case $d in
			out) batch+="
xfrm policy add src $me/32 dst $peer/32 proto gre dir out tmpl proto esp mode transport" ;;
			in) batch+="
xfrm policy add src $peer/32 dst $me/32 proto gre dir in tmpl proto esp mode transport" ;;
			esac
		done
		in_ns "$ns" ip -batch - <<<"$batch" ||
			ksft_fail "cannot set up ESP between $a and $b in $ns"
	done
}

# ping_ok NS DST [ping args]: succeeds when DST answers within 10 s.
ping_ok() {
	local ns=$1 dst=$2

	shift 2
	wait_until 10 in_ns "$ns" ping -c 1 -W 1 "$@" "$dst" >/dev/null
}

# stat_get NS DEV NAME: one counter of "nhrpctl stats dev DEV"; fails if
# it cannot be read.  (Read from the text output by the shell: jq takes
# 0.5-1 s to start under emulation, and the tests poll counters.)
stat_get() {
	local out line in_dev=0

	out=$(nhrpctl_in "$1" stats dev "$2") || return 1
	while IFS= read -r line; do
		if [[ $line != " "* ]]; then
			[ "$line" = "$2:" ] && in_dev=1 || in_dev=0
		elif [ "$in_dev" = 1 ] && [[ $line =~ ^\ +$3:\ ([0-9]+)$ ]]; then
			echo "${BASH_REMATCH[1]}"
			return 0
		fi
	done <<<"$out"
	return 1
}

# netns_stat_get NS NAME: one netns-wide counter from "nhrpctl -j stats".
netns_stat_get() {
	nhrpctl_in "$1" -j stats |
		jq -er --arg k "$2" '.netns[$k]'
}

# counter NS NAME: NS's tun0 counter NAME, or -1 if it cannot be read (a
# baseline: the caller checks it with is_count in its own shell, since a
# fail inside $(...) would be lost).
counter() {
	local v
	v=$(stat_get "$1" tun0 "$2")
	[[ $v =~ ^[0-9]+$ ]] || v=-1
	echo "$v"
}

# stat_ge NS NAME MIN: the tun0 counter NAME in NS is at least MIN.
stat_ge() {
	local v

	v=$(stat_get "$1" tun0 "$2") && [ "$v" -ge "$3" ]
}

# The seed's NHRP settings (Cisco "ip nhrp network-id 10000", "ip nhrp
# holdtime 500", "ip nhrp authentication cisco123"); TOPO_NHRP may be
# overridden before topo_seed_dynamic.
TOPO_NHRP=${TOPO_NHRP:-network-id 10000 holdtime 500 auth cisco123}

# topo_spoke_nhrp IDX: the spoke's NHRP config (static map to the hub,
# multicast to the hub, the hub as NHS).
topo_spoke_nhrp() {
	local ns=${TOPO_NS[$1]}

	nhrpctl_in "$ns" map add "$(topo_tun 1)" nbma "$(topo_nbma 1)" dev tun0
	nhrpctl_in "$ns" multicast add nbma "$(topo_nbma 1)" dev tun0
	nhrpctl_in "$ns" nhs add "$(topo_tun 1)" dev tun0
}

# topo_seed_dynamic: the seed DMVPN with NHRP.  The hub has only
# "multicast dynamic"; spokes a map to the hub, multicast to the hub and the
# hub as NHS.  Spoke LAN routes point at the other spoke's tunnel address
# (what OSPF installs in phase 2), so spoke-to-spoke traffic resolves.
topo_seed_dynamic() {
	local i

	load_mgre
	topo_wan
	for i in 1 2 3; do
		topo_router "$i"
		# shellcheck disable=SC2086
		topo_tunnel "$i" $TOPO_NHRP
	done
	nhrpctl_in hub multicast add dynamic dev tun0
	for i in 2 3; do
		topo_spoke_nhrp "$i"
	done
	for i in 1 2 3; do
		topo_routes "$i"
	done
}

# topo_spokes_registered: both spokes hold a unique registration at the
# hub (a test's starting point after topo_seed_dynamic); a failure each.
topo_spokes_registered() {
	local p

	for p in 172.1.1.2 172.1.1.3; do
		wait_until 10 has_entry hub "$p" dynamic unique registered ||
			fail "$p not registered at the hub: $(nhrpctl_in hub show)"
	done
}

# entries NS [FILTER]: number of cache entries (from "nhrpctl -j show dev
# tun0") for which the jq expression FILTER is true, e.g.
# '.type == "dynamic"'.  (jq, not python: a python start costs seconds
# under emulation, more on the debug kernel, and the tests poll this.)
entries() {
	nhrpctl_in "$1" -j show dev tun0 |
		jq -er "[.[] | select(${2:-true})] | length"
}

# has_entry NS PROTO TYPE [FLAG...]: NS has an entry PROTO of TYPE with FLAGs.
# (At least one: a dump that meets a resize of the cache's hash table
# starts over and may report an entry twice, as when a flood grows it.)
# Read from "nhrpctl show" by the shell, as stat_get (it is polled); the
# text names flag "shortcut" "nho", as IOS does.
has_entry() {
	local ns=$1 proto=$2 type=$3 out line cur="" flags f ok

	shift 3
	out=$(nhrpctl_in "$ns" show dev tun0) || return 1
	while IFS= read -r line; do
		if [[ $line =~ ^([0-9a-f.:]+)/[0-9]+\  ]]; then
			cur=${BASH_REMATCH[1]}
		elif [ "$cur" = "$proto" ] &&
		     [[ $line =~ ^\ +Type:\ ([^,]+),\ Flags:\ (.*)$ ]] &&
		     [ "${BASH_REMATCH[1]}" = "$type" ]; then
			flags=" ${BASH_REMATCH[2]} " ok=1
			for f; do
				[ "$f" != shortcut ] || f=nho
				[[ $flags == *" $f "* ]] || ok=0
			done
			[ "$ok" = 0 ] || return 0
		fi
	done <<<"$out"
	return 1
}

# entry_get NS PROTO FIELD: "type", "flags" (as "nhrpctl show" names
# them) or "nbma" of NS's first entry for PROTO; "" if none.  Read by the
# shell, as has_entry.
entry_get() {
	local out line found=0 type="" flags="" nbma=""

	out=$(nhrpctl_in "$1" show dev tun0) || return 1
	while IFS= read -r line; do
		if [[ $line =~ ^([0-9a-f.:]+)/[0-9]+\  ]]; then
			[ "$found" = 0 ] || break
			[ "${BASH_REMATCH[1]}" != "$2" ] || found=1
		elif [ "$found" = 1 ] && [[ $line =~ ^\ +Type:\ ([^,]+),\ Flags:\ (.*)$ ]]; then
			type=${BASH_REMATCH[1]} flags=${BASH_REMATCH[2]}
		elif [ "$found" = 1 ] && [[ $line =~ ^\ +NBMA\ address:\ (.*)$ ]]; then
			nbma=${BASH_REMATCH[1]}
			[ "$nbma" != none ] || nbma=""
		fi
	done <<<"$out"
	case $3 in
	type) echo "$type" ;;
	flags) echo "$flags" ;;
	nbma) echo "$nbma" ;;
	esac
}

# entry_field NS PROTO FIELD: one field of the entry for PROTO.
entry_field() {
	nhrpctl_in "$1" -j show dev tun0 |
		jq -er --arg p "$2" --arg f "$3" '[.[] | select(.proto == $p)][0][$f]'
}

# nhs_state NS: the state of the first NHS.
nhs_state() {
	nhrpctl_in "$1" -j show nhs dev tun0 |
		jq -er '.[0].state'
}

# nhs_state_is NS STATE: the first NHS of NS is in STATE.
nhs_state_is() { [ "$(nhs_state "$1")" = "$2" ]; }

# nhrp_dissect PCAP: one line per NHRP packet, "TYPE HOPCNT FLAGS BAD
# FRAME TIME", where BAD is 1 when tshark finds the packet malformed or
# reports an expert error on it, FRAME is its number in PCAP and TIME its
# time stamp (seconds.microseconds, as tcpdump -tt prints it).  One
# tshark run (slow to start under emulation); tshark's errors go to
# PCAP.tshark.err.
nhrp_dissect() {
	tshark -r "$1" -Y nhrp -T fields -E separator='|' \
		-e nhrp.hdr.op.type -e nhrp.hdr.hopcnt -e nhrp.flags \
		-e _ws.malformed -e _ws.expert.severity -e frame.number \
		-e frame.time_epoch 2>"$1.tshark.err" |
		python3 -c '
import sys
for line in sys.stdin:
    t, hop, flags, mal, sev, fr, ts = (line.rstrip("\n").split("|") + [""] * 7)[:7]
    bad = bool(mal) or any(int(x, 0) >= 0x00800000 for x in sev.split(",") if x)
    sec, _, frac = ts.partition(".")
    print(t, hop, flags or "-", int(bad), fr, "%s.%s" % (sec, (frac + "000000")[:6]))'
}

# nhrp_dissect_all PCAP TXT LABEL: every packet tcpdump finds NHRP in
# (GRE protocol 0x2001 behind an 8-byte GRE header) is in TXT, the
# output of nhrp_dissect PCAP (the packets are matched by time stamp);
# otherwise fail naming the frames tshark did not dissect as NHRP, with
# what tshark made of them.
nhrp_dissect_all() {
	local pcap=$1 txt=$2 label=$3 want got missing f frames=
	want=$(tcpdump -tt -n -r "$pcap" 'ip[22:2] = 0x2001' 2>/dev/null | awk '{ print $1 }' | sort)
	got=$(awk '{ print $6 }' "$txt" | sort)
	[ -n "$want" ] || { fail "$label: tcpdump finds no NHRP packet in ${pcap##*/}"; return 1; }
	[ "$want" = "$got" ] && return 0
	missing=$(comm -23 <(echo "$want") <(echo "$got"))
	for f in $missing; do
		frames+="$(tcpdump -# -tt -n -r "$pcap" 2>/dev/null | awk -v t="$f" '$2 == t { print $1; exit }') "
	done
	fail "$label: tcpdump finds $(echo "$want" | wc -l) NHRP packets in ${pcap##*/}, tshark dissects $(echo "$got" | grep -c .) as NHRP; not dissected: frames ${frames:-none} (time stamps $(echo "$missing" | tr '\n' ' '))"
	log "tshark's errors: $(head -c 500 "$pcap.tshark.err" 2>/dev/null)"
	for f in $frames; do
		log "frame $f (tshark): $(tshark -r "$pcap" -Y "frame.number == $f" -O gre,nhrp 2>&1 | head -40 | tr '\n' ' ')"
		tcpdump -# -n -v -XX -r "$pcap" 2>/dev/null | awk -v f="$f" '$1 == f { p = 1; print; next } /^ *[0-9]+  / { p = 0 } p' | head -14 >&2
	done
	return 1
}

# tcpdump filters for the reference topology's GRE: outer IPv4 without
# options, GRE with a key only (8 bytes, as mgre and ip_gre send it with
# "key 10000"), so the GRE payload starts at ip[28].
# hex A.B.C.D: the address as a 0x... constant for a filter.
hex() { local a b c d; IFS=. read -r a b c d <<<"$1"; printf '0x%02x%02x%02x%02x' "$a" "$b" "$c" "$d"; }
GRE_K="ip[0] = 0x45 and ip[20:2] = 0x2000"
# nhrp_f TYPE [SRC_PROTO [DST_PROTO]]: NHRP of TYPE (1 resolution request,
# 2 reply, 3 registration request, 4 reply) with 4-byte NBMA and protocol
# addresses: the fixed header at ip[28] (hop count ip[37], type ip[45]),
# source protocol address at ip[60:4], destination ip[64:4], the first
# CIE's code at ip[68].
nhrp_f() {
	local f="$GRE_K and ip[22:2] = 0x2001 and ip[45] = $1 and ip[46] = 4 and ip[48] = 4 and ip[49] = 4"
	[ -z "${2:-}" ] || f+=" and ip[60:4] = $(hex "$2")"
	[ -z "${3:-}" ] || f+=" and ip[64:4] = $(hex "$3")"
	echo "$f"
}
# data_f SRC DST [ICMP_TYPE]: GRE-encapsulated IPv4 SRC -> DST (the inner
# header at ip[28], its addresses at ip[40:4] and ip[44:4], ICMP at ip[48]).
data_f() {
	local f
	f="$GRE_K and ip[22:2] = 0x0800 and ip[28] = 0x45 and ip[40:4] = $(hex "$1") and ip[44:4] = $(hex "$2")"
	[ -z "${3:-}" ] || f+=" and ip[37] = 1 and ip[48] = $3"
	echo "$f"
}

# --- DMVPN phase 3 ------------------------------------------------------------

# topo_lan_host NS ROUTER NET: host NET.10/24 in a new namespace NS, behind
# ROUTER's lan1 (NET.1/24), its default route via ROUTER.
topo_lan_host() {
	ns_create "$1"
	ip link add lan1 netns "$2" type veth peer name eth0 netns "$1" ||
		ksft_fail "cannot create the LAN of $1"
	in_ns "$2" ip addr add "$3.1/24" dev lan1
	in_ns "$2" ip link set lan1 up
	in_ns "$1" ip addr add "$3.10/24" dev eth0
	in_ns "$1" ip link set eth0 up
	in_ns "$1" ip route add default via "$3.1"
}

# shortcuts_n NS PREFIX NBMA VIA: how many resolved shortcuts PREFIX
# (a.b.c.d/len) at NBMA, next hop VIA, NS's tun0 holds; fails if the
# cache cannot be read.
shortcuts_n() {
	local n
	n=$(nhrpctl_in "$1" -j show dev tun0 | jq -r --arg p "${2%/*}" --argjson l "${2#*/}" \
		--arg nbma "$3" --arg via "$4" '[.[] | select(.proto == $p and .prefixlen == $l and
			.type == "cached" and .nbma == $nbma and .next_hop == $via and
			(.flags | index("shortcut")))] | length')
	[[ $n =~ ^[0-9]+$ ]] || return 1
	echo "$n"
}
# shortcut_to NS PREFIX NBMA VIA: NS holds that shortcut.
shortcut_to() { local n; n=$(shortcuts_n "$@") && [ "$n" -ge 1 ]; }
# no_shortcut NS PREFIX NBMA VIA: NS holds none (read, not a failed read).
no_shortcut() { local n; n=$(shortcuts_n "$@") && [ "$n" = 0 ]; }

# --- nhrpctl monitor ----------------------------------------------------------

# monitor_start NS FILE [OPTIONS...]: "nhrpctl -n NS OPTIONS monitor" in
# the background, its events to FILE (its errors to FILE.err), stopped at
# exit.  Then monitor_ready before counting on it.
monitor_start() {
	local ns=$1 file=$2; shift 2
	bg_start "$NHRPCTL" -n "$ns" "$@" monitor >"$file" 2>"$file.err"
}

# monitor_ready NS FILE: the monitor writing FILE sees NS's events (a
# monitor that did not start, or not yet, proves nothing): a static map
# of 172.1.1.99 added and deleted on NS's tun0 until FILE shows the
# deletion.  Fails the test if it never does.
monitor_ready() {
	local ns=$1 file=$2 i
	for ((i = 0; i < 10; i++)); do
		nhrpctl_in "$ns" map add 172.1.1.99 nbma 192.1.1.99 dev tun0
		nhrpctl_in "$ns" map del 172.1.1.99 dev tun0
		wait_until 1 grep -q '172\.1\.1\.99.*[" ]entry[_ ]del\|entry[_ ]del.*172\.1\.1\.99' "$file" &&
			return 0
	done
	fail "the monitor of $ns ($file) saw no event of its own: $(head -c 300 "$file.err")"
	return 1
}

# ev_line FILE JQ_CONDITION: the line number of the first event of FILE
# (JSON lines) for which the condition holds, e.g.
#	ev_line "$f" '.event == "nhs_down" and .proto == "172.1.1.1"'
# Nothing if none.
ev_line() {
	jq -r "select($2) | input_line_number" "$1" 2>/dev/null | head -n 1
}

# ev_wait TIMEOUT FILE JQ_CONDITION: wait until FILE has such an event.
# shellcheck disable=SC2317	# (called through wait_until)
_ev_has() { [ -n "$(ev_line "$1" "$2")" ]; }
ev_wait() { wait_until "$1" _ev_has "$2" "$3"; }

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# Route injection ("route-inject on", the analogue of Cisco's reverse
# route injection): every peer NHRP learned gets a host route "PROTO/32
# dev tun0 proto nhrp" (protocol 191) in the main table, removed when the
# entry goes, so a routing daemon can redistribute it.
#   - the hub: a route per registered spoke; a spoke that purges its
#     registration (tunnel down) takes its route with it;
#   - a spoke: a route for a resolved spoke; "nhrpctl flush" removes it;
#   - "route-inject off" withdraws them all, "on" brings them back, and so
#     does the device coming up again after the kernel dropped them;
#   - static maps and the connected subnet are left alone;
#   - an address outside the tunnel's subnets (a peer registering an
#     underlay address) gets no route, and route_errors counts it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq python3

topo_seed_dynamic
for p in 172.1.1.2 172.1.1.3; do
	wait_until 10 has_entry hub "$p" dynamic registered ||
		fail "$p not registered: $(nhrpctl_in hub show)"
done
# (enabled after the registrations: the existing entries get routes too)
ip -n hub link set tun0 type mgre route-inject on || fail "cannot set route-inject on"
ip -n sp1 link set tun0 type mgre route-inject on || fail "cannot set route-inject on sp1"
check_match "$(ip -n hub -d link show tun0)" "route-inject on" "route-inject in ip -d link show"

# nhrp_routes NS: the injected routes, "DST DEV " each, sorted; fails
# (printing why) when ip or jq does, so that no route list compares equal
# to "" because the listing failed.
nhrp_routes() {
	local j r
	j=$(in_ns "$1" ip -j route show table main proto 191 2>&1) ||
		{ echo "(ip route failed: $j)"; return 1; }
	r=$(jq -r '.[] | "\(.dst) \(.dev)"' <<<"${j:-[]}" 2>&1) ||
		{ echo "(jq failed: $r)"; return 1; }
	[ -z "$r" ] || sort <<<"$r" | tr '\n' ' '
}
# shellcheck disable=SC2317	# (called through wait_until)
routes_are() { local r; r=$(nhrp_routes "$1") && [ "$r" = "$2" ]; }

wait_until 5 routes_are hub "172.1.1.2 tun0 172.1.1.3 tun0 " ||
	fail "hub's injected routes: '$(nhrp_routes hub)' (want both spokes)"
r=$(in_ns hub ip route show 172.1.1.2/32 proto 191)
check_match "$r" "172.1.1.2 dev tun0 .*scope link" "the hub's route to sp1"
# sp1 has only the static map to the hub so far: no route for it (and
# none later either: the exact lists below).
routes_are sp1 "" || fail "sp1 injected routes for static entries: '$(nhrp_routes sp1)'"

# A resolution at sp1 gets a route.
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached || fail "sp1 did not resolve sp2"
wait_until 5 routes_are sp1 "172.1.1.3 tun0 " ||
	fail "sp1's injected routes: '$(nhrp_routes sp1)' (want sp2)"

# sp2 goes down: it purges its registration, the hub drops its route.
in_ns sp2 ip link set tun0 down
wait_until 5 routes_are hub "172.1.1.2 tun0 " ||
	fail "hub kept a route for the purged sp2: '$(nhrp_routes hub)'"
in_ns sp2 ip link set tun0 up
wait_until 10 routes_are hub "172.1.1.2 tun0 172.1.1.3 tun0 " ||
	fail "no route for sp2 after it registered again: '$(nhrp_routes hub)'"

# Flushing sp1's learned entries removes their routes.
nhrpctl_in sp1 flush dev tun0 || fail "nhrpctl flush failed"
wait_until 5 routes_are sp1 "" || fail "sp1's routes after the flush: '$(nhrp_routes sp1)'"

# Off withdraws them, on brings them back.
ip -n hub link set tun0 type mgre route-inject off || fail "cannot set route-inject off"
wait_until 5 routes_are hub "" || fail "routes left after route-inject off: '$(nhrp_routes hub)'"
ip -n hub link set tun0 type mgre route-inject on || fail "cannot set route-inject on again"
wait_until 5 routes_are hub "172.1.1.2 tun0 172.1.1.3 tun0 " ||
	fail "routes not back after route-inject on: '$(nhrp_routes hub)'"
# Down, the kernel drops the device's routes; up, they are back.
in_ns hub ip link set tun0 down
wait_until 5 routes_are hub "" || fail "routes left with the hub's tunnel down: '$(nhrp_routes hub)'"
in_ns hub ip link set tun0 up
wait_until 5 routes_are hub "172.1.1.2 tun0 172.1.1.3 tun0 " ||
	fail "routes not back after down/up: '$(nhrp_routes hub)'"
expect_eq 0 "$(stat_get hub tun0 route_errors)" "route_errors at the hub"

# A peer registers an address outside the tunnel's subnet (here sp1's
# NBMA address).  By default (subnet-check on) NHRP refuses it (code 4,
# nhrp_rx_out_of_subnet) and makes no entry; with subnet-check off the
# entry is made, but route injection's own guard keeps the underlay out
# of the tunnel: no route, and the refusal is counted.
topo_nbma_host rogue 192.1.1.9
oos0=$(stat_get hub tun0 nhrp_rx_out_of_subnet)
in_ns rogue python3 "$LIB_DIR/nhrp_craft.py" inject --src 192.1.1.9 \
	--dst 192.1.1.1 --proto 192.1.1.2 nhrp >/dev/null ||
	fail "cannot send the rogue registration"
wait_until 10 stat_ge hub nhrp_rx_out_of_subnet $((oos0 + 1)) ||
	fail "the hub did not refuse the registration of 192.1.1.2 as out of the subnet"
expect_eq 0 "$(entries hub '.proto == "192.1.1.2"')" "entries for 192.1.1.2 with subnet-check on"
# (positive control: the spokes' own registrations are still there)
expect_eq 2 "$(entries hub '.type == "dynamic"')" "the spokes' dynamic entries at the hub"
in_ns hub ip link set tun0 type mgre subnet-check off ||
	fail "cannot turn subnet-check off"
in_ns rogue python3 "$LIB_DIR/nhrp_craft.py" inject --src 192.1.1.9 \
	--dst 192.1.1.1 --proto 192.1.1.2 nhrp >/dev/null ||
	fail "cannot send the rogue registration"
wait_until 10 has_entry hub 192.1.1.2 dynamic ||
	fail "the hub did not take the registration of 192.1.1.2: $(nhrpctl_in hub show)"
# (route_errors was 0 above and counts refused routes only: exactly this)
wait_until 5 stat_ge hub route_errors 1 || fail "route_errors did not count the refused route"
expect_eq 1 "$(stat_get hub tun0 route_errors)" "route_errors after the rogue registration"
routes_are hub "172.1.1.2 tun0 172.1.1.3 tun0 " ||
	fail "injected routes with the rogue entry: '$(nhrp_routes hub)'"
check_match "$(in_ns hub ip route get 192.1.1.2)" "dev eth0" "the hub's route to sp1's NBMA address"

# The connected route is untouched, and the hub still reaches the spokes.
check_match "$(in_ns hub ip route show 172.1.1.0/24)" "172.1.1.0/24 dev tun0 proto kernel" \
	"the hub's connected tunnel route"
ping_ok hub 172.1.1.3 || fail "hub cannot reach sp2"

# Deleting the device with routes in place: the kernel removes them.
routes_are hub "172.1.1.2 tun0 172.1.1.3 tun0 " ||
	fail "the hub's routes before deleting tun0: '$(nhrp_routes hub)'"
in_ns hub ip link del tun0 || fail "cannot delete the hub's tun0"
wait_until 5 routes_are hub "" || fail "routes left after deleting tun0: '$(nhrp_routes hub)'"

exit_status

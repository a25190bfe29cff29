#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# Lifetimes: a device moved to another netns keeps its underlay in the
# netns it was created in and keeps working; deleting either netns
# deletes it (and it leaves nothing behind: the same local+key can be
# created again); rmmod with devices up and traffic flowing both ways is
# safe, takes every device with it, and the module comes back working.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

# links NS: "ip -o link show" of NS; fails when NS cannot be listed (so
# that "tun0 is not there" is never concluded from an error).
links() {
	local out

	out=$(ip -n "$1" -o link show) && [[ $out == *" lo: "* ]] && echo "$out"
}

# has_tun0 NS / no_tun0 NS: NS can be listed and has (no) tun0.
has_tun0() {
	local out

	out=$(links "$1") && [[ $out == *" tun0@"* || $out == *" tun0:"* ]]
}
no_tun0() {
	local out

	out=$(links "$1") && [[ $out != *" tun0@"* && $out != *" tun0:"* ]]
}

topo_seed_static

# Move sp1's tun0 into a fresh netns "ov1": the overlay moves, the
# underlay (eth0 in sp1) stays: ov1 has no other device to send GRE on.
ns_create ov1
in_ns sp1 ip link set tun0 netns ov1 || ksft_fail "cannot move tun0 to ov1"
in_ns ov1 ip -batch - <<'EOF' || fail "cannot set up tun0 in ov1"
addr add 172.1.1.2/24 dev tun0
link set tun0 up
EOF
no_tun0 sp1 || fail "tun0 still in sp1 after the move"
ping_ok ov1 172.1.1.1 || fail "moved device cannot reach the hub"
nhrpctl_in ov1 show dev tun0 | grep -q "NBMA address: 192.1.1.1" ||
	fail "cache did not move with the device"
# Deleting the overlay netns deletes the device; the hub is unaffected.
# The device is gone once its local+key is free again in the underlay
# netns (the netns dies asynchronously).
ip netns del ov1 || fail "cannot delete ov1"
ns_forget ov1
wait_until 10 in_ns sp1 ip link add tun0 type mgre local 192.1.1.2 key 10000 ||
	fail "local 192.1.1.2 key 10000 still taken after ov1 was deleted"
ping_ok hub 172.1.1.3 || fail "hub lost sp2 after ov1 deletion"
# The new device works as sp1's tunnel.
in_ns sp1 ip -batch - <<'EOF' || fail "cannot set up sp1's new tun0"
addr add 172.1.1.2/24 dev tun0
link set tun0 up
EOF
nhrpctl_in sp1 map add 172.1.1.1 nbma 192.1.1.1 dev tun0 ||
	fail "cannot map the hub on sp1's new tun0"
ping_ok sp1 172.1.1.1 || fail "sp1's new tun0 cannot reach the hub"

# Move again from sp2 into ov2, then delete the *underlay* netns sp2:
# the device in ov2 goes away with it.
ns_create ov2
in_ns sp2 ip link set tun0 netns ov2 || ksft_fail "cannot move tun0 to ov2"
has_tun0 ov2 || fail "tun0 not in ov2"
ip netns del sp2 || fail "cannot delete sp2"
ns_forget sp2
wait_until 10 no_tun0 ov2 || fail "device survived deletion of its underlay netns"

# rmmod with devices up and traffic flowing both ways (the hub floods
# sp1 with echoes, sp1 answers), and devices in five more namespaces.
for i in 1 2 3 4 5; do
	ns_create "x$i"
	in_ns "x$i" ip -batch - <<-EOF || fail "cannot create tun0 in x$i"
		link add tun0 type mgre key $i
		link set tun0 up
	EOF
done
rx0=$(stat_get hub tun0 rx_data) || fail "cannot read the hub's rx_data"
bg_start ip netns exec hub ping -q -f -c 100000 -W 1 172.1.1.2 >/dev/null 2>&1
flood=$BG_PID
wait_until 10 stat_ge hub rx_data $((rx0 + 100)) ||
	fail "no traffic through the tunnels before rmmod"
rmmod mgre || fail "rmmod with devices up failed"
[ ! -d /sys/module/mgre ] || fail "mgre still loaded after rmmod"
for ns in hub sp1 x1 x2 x3 x4 x5; do
	no_tun0 "$ns" || fail "$ns tun0 survived rmmod"
done
kill "$flood" 2>/dev/null
# shellcheck disable=SC2119	# no module parameters
load_mgre
# The module comes back clean and works again.
in_ns hub ip link add tun0 type mgre local 192.1.1.1 key 10000 ||
	fail "cannot create a device after reload"
nhrpctl_in hub map add 172.1.1.2 nbma 192.1.1.2 dev tun0 ||
	fail "cannot add a map after reload"
n=$(nhrpctl_in hub -j show dev tun0 | jq -r '.[0].nbma')
expect_eq 192.1.1.2 "$n" "the map after reload"

exit_status

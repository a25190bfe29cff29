#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# Lifetimes: a device moved to another netns keeps its underlay in the
# netns it was created in and keeps working; deleting either netns
# deletes it; rmmod with devices up (and traffic flowing) is safe.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

topo_seed_static

# Move sp1's tun0 into a fresh netns "ov1": the overlay moves, the
# underlay (eth0 in sp1) stays.
ns_create ov1
in_ns sp1 ip link set tun0 netns ov1
in_ns ov1 ip addr add 172.1.1.2/24 dev tun0
in_ns ov1 ip link set tun0 up
ping_ok ov1 172.1.1.1 || fail "moved device cannot reach the hub"
nhrpctl_in ov1 show dev tun0 | grep -q "NBMA address: 192.1.1.1" ||
	fail "cache did not move with the device"
# Deleting the overlay netns deletes the device; the hub is unaffected.
ip netns del ov1
wait_until 10 sh -c '! ip netns list | grep -q "^ov1\b"' || fail "ov1 lingers"
ns_forget ov1
ping_ok hub 172.1.1.3 || fail "hub lost sp2 after ov1 deletion"

# Move again from sp2 into ov2, then delete the *underlay* netns sp2:
# the device in ov2 goes away with it.
ns_create ov2
in_ns sp2 ip link set tun0 netns ov2
in_ns ov2 ip link show tun0 >/dev/null || fail "tun0 not in ov2"
ip netns del sp2
ns_forget sp2
wait_until 10 sh -c '! ip netns exec ov2 ip link show tun0 2>/dev/null' ||
	fail "device survived deletion of its underlay netns"

# rmmod with devices up and traffic flowing.
bg_start in_ns hub ping -f -c 100000 -W 1 172.1.1.2 >/dev/null 2>&1
for i in $(seq 5); do
	ns_create "x$i"
	in_ns "x$i" ip link add tun0 type mgre key "$i"
	in_ns "x$i" ip link set tun0 up
done
rmmod mgre || fail "rmmod with devices up failed"
in_ns hub ip link show tun0 2>/dev/null && fail "hub tun0 survived rmmod"
load_mgre
# The module comes back clean and works again.
in_ns hub ip link add tun0 type mgre local 192.1.1.1 key 10000 ||
	fail "cannot create a device after reload"

exit_status

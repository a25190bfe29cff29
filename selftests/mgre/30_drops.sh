#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# Drops are counted: GRE with a wrong key (charged to the device listening
# on that address, and netns-wide), and packets whose next hop has no NHRP
# entry (tx_cache_miss and the device's tx_dropped).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

topo_seed_static

# Key mismatch: sp2 re-keyed to 999; the hub hears nothing from it.
in_ns sp2 ip link del tun0
in_ns sp2 ip link add tun0 type mgre local 192.1.1.3 key 999
in_ns sp2 ip addr add 172.1.1.3/24 dev tun0
in_ns sp2 ip link set tun0 up
nhrpctl_in sp2 map add 172.1.1.1 nbma 192.1.1.1 dev tun0
before=$(stat_get hub tun0 rx_key_mismatch)
if in_ns sp2 ping -c 3 -i 0.2 -W 1 172.1.1.1 >/dev/null 2>&1; then
	fail "ping with a mismatched key succeeded"
fi
after=$(stat_get hub tun0 rx_key_mismatch)
expect_eq 3 "$((after - before))" "rx_key_mismatch on the hub"
n=$(netns_stat_get hub rx_no_tunnel)
[ "$n" -ge 3 ] || fail "netns rx_no_tunnel is $n, expected >= 3"
# A keyless packet is a mismatch too.
in_ns sp2 ip link del tun0
in_ns sp2 ip link add tun0 type mgre local 192.1.1.3
in_ns sp2 ip addr add 172.1.1.3/24 dev tun0
in_ns sp2 ip link set tun0 up
nhrpctl_in sp2 map add 172.1.1.1 nbma 192.1.1.1 dev tun0
in_ns sp2 ping -c 2 -i 0.2 -W 1 172.1.1.1 >/dev/null 2>&1
after2=$(stat_get hub tun0 rx_key_mismatch)
expect_eq 2 "$((after2 - after))" "rx_key_mismatch for keyless GRE"

# Cache miss: a tunnel address nobody mapped.
drops() { in_ns sp1 cat /sys/class/net/tun0/statistics/tx_dropped; }
before=$(drops)
if in_ns sp1 ping -c 3 -i 0.2 -W 1 172.1.1.99 >/dev/null 2>&1; then
	fail "ping to an unmapped address succeeded"
fi
expect_eq 3 "$(stat_get sp1 tun0 tx_cache_miss)" "tx_cache_miss on sp1"
expect_eq 3 "$(( $(drops) - before ))" "tx_dropped on sp1 tun0"

# Deleting the map makes a reachable peer a miss.
nhrpctl_in sp1 map del 172.1.1.3 dev tun0
in_ns sp1 ping -c 1 -W 1 172.1.1.3 >/dev/null 2>&1 && fail "ping after map del succeeded"
expect_eq 4 "$(stat_get sp1 tun0 tx_cache_miss)" "tx_cache_miss after map del"

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# ip_gre and mgre both need GRE version 0 (gre_add_protocol is exclusive):
# with ip_gre loaded, mgre refuses to load with one clear message; without
# it mgre loads, and then ip_gre cannot load while mgre keeps the slot:
# GRE still reaches mgre (a spoke reaches the hub through it).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

# dmesg_lines: how many lines the kernel log has; dmesg_since N: the
# kernel messages after the first N lines.  (Counting
# lines, not "dmesg -C": the runner finds a test's kernel warnings by
# counting lines too, and a cleared log would hide them from it.)
dmesg_lines() {
	local -a l

	mapfile -t l < <(dmesg)
	echo "${#l[@]}"
}
dmesg_since() {
	local -a l
	local i

	mapfile -t l < <(dmesg)
	for ((i = $1; i < ${#l[@]}; i++)); do
		echo "${l[$i]}"
	done
}

modinfo ip_gre >/dev/null 2>&1 || missing_tool "kernel module 'ip_gre' not available"
unload_mgre || ksft_fail "cannot unload mgre"
[ ! -d /sys/module/mgre ] || ksft_fail "mgre is still loaded"
# Whatever happens, leave no ip_gre behind for the tests after this one.
cleanup_add rmmod ip_gre
modprobe ip_gre || ksft_fail "modprobe ip_gre failed"
mark=$(dmesg_lines)
if out=$(insmod "$MGRE_KO" 2>&1); then
	fail "mgre loaded while ip_gre holds GRE version 0"
	rmmod mgre
fi
# (the kernel's own notes on the first out-of-tree module of the boot,
# "loading out-of-tree module taints kernel" and "module verification
# failed", are not mgre's messages, nor is the in-module selftest's
# verdict, which the debug kernel's build prints first)
msg=$(dmesg_since "$mark" | grep 'mgre:' |
	grep -v -e 'taints kernel' -e 'module verification failed' -e 'selftest: pass')
grep -q "already handled by another module (ip_gre?)" <<<"$msg" ||
	fail "no clear message: '$msg' (insmod: $out)"
expect_eq 1 "$(grep -c 'mgre:' <<<"$msg")" "mgre kernel messages ($msg)"
[ ! -d /sys/module/mgre ] || fail "mgre is loaded after a failed insmod"
rmmod ip_gre || fail "rmmod ip_gre failed"
insmod "$MGRE_KO" || fail "mgre did not load after rmmod ip_gre"
# And the other way round: ip_gre cannot take the slot from mgre...
modprobe ip_gre 2>/dev/null && fail "ip_gre loaded alongside mgre"
[ ! -d /sys/module/ip_gre ] || fail "ip_gre is loaded alongside mgre"
# ...and mgre still has it: GRE is received and decapsulated (the hub
# and one spoke of the seed topology, static maps both ways).
topo_wan
for i in 1 2; do
	topo_router "$i"
	topo_tunnel "$i"
done
nhrpctl_in hub map add 172.1.1.2 nbma 192.1.1.2 dev tun0 || fail "cannot map sp1 on the hub"
nhrpctl_in sp1 map add 172.1.1.1 nbma 192.1.1.1 dev tun0 || fail "cannot map the hub on sp1"
ping_ok sp1 172.1.1.1 || fail "no GRE through mgre after ip_gre tried to load"

exit_status

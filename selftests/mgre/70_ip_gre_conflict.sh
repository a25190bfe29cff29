#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
#
# ip_gre and mgre both need GRE version 0 (gre_add_protocol is exclusive):
# with ip_gre loaded, mgre refuses to load with one clear message.
source "$(dirname "$0")/lib.sh"

unload_mgre
modprobe ip_gre || ksft_skip "no ip_gre module"
dmesg -C
if insmod "$MGRE_KO" 2>/dev/null; then
	fail "mgre loaded while ip_gre holds GRE version 0"
	rmmod mgre
fi
msg=$(dmesg | grep 'mgre:')
grep -q "already handled by another module (ip_gre?)" <<<"$msg" ||
	fail "no clear message: $msg"
expect_eq 1 "$(grep -c 'mgre:' <<<"$msg")" "mgre kernel messages"
rmmod ip_gre
insmod "$MGRE_KO" || fail "mgre did not load after rmmod ip_gre"
# And the other way round: ip_gre cannot take the slot from mgre.
modprobe ip_gre 2>/dev/null && fail "ip_gre loaded alongside mgre"

exit_status

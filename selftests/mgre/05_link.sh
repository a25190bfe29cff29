#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
#
# "ip link add NAME type mgre ..." through the iproute2 plugin: every
# option reaches the kernel and "ip -d link show" prints it back; MTU,
# flags and module autoloading are right.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

ns_create r
in_ns r ip link add eth0 type dummy
in_ns r ip addr add 192.1.1.1/24 dev eth0
in_ns r ip link set eth0 up

# Autoload: with the module installed, "ip link add type mgre" loads it
# through its rtnl-link alias.  depmod over the whole 9p tree takes minutes
# under TCG, so install into a private module tree and point the kernel's
# modprobe helper at it.
unload_mgre
kver=$(uname -r)
mroot=$TMPD/modroot
mkdir -p "$mroot/lib/modules/$kver/extra"
for m in ip_tunnel gre; do
	f=$(modinfo -n "$m") && cp "$f" "$mroot/lib/modules/$kver/extra/"
done
cp "$MGRE_KO" "$mroot/lib/modules/$kver/extra/"
cp /lib/modules/"$kver"/modules.builtin* "$mroot/lib/modules/$kver/"
depmod -b "$mroot" "$kver"
printf '#!/bin/sh\nexec /sbin/modprobe -d %s "$@"\n' "$mroot" >"$TMPD/modprobe"
chmod +x "$TMPD/modprobe"
old_modprobe=$(cat /proc/sys/kernel/modprobe)
cleanup_add sh -c "echo $old_modprobe > /proc/sys/kernel/modprobe"
echo "$TMPD/modprobe" >/proc/sys/kernel/modprobe
in_ns r ip link add tun0 type mgre local 192.1.1.1 key 10000 ||
	fail "ip link add type mgre did not autoload the module"
lsmod | grep -q '^mgre ' || fail "mgre not loaded after ip link add"
# Genl family alias: "modinfo" lists it.
modinfo -F alias "$MGRE_KO" | grep -q 'net-pf-16-proto-16-family-mgre' ||
	fail "no genl family alias"

j=$(in_ns r ip -j -d link show tun0)
get() { python3 -c 'import json,sys; d=json.loads(sys.argv[1])[0]; print(eval(sys.argv[2]))' "$j" "$1"; }
expect_eq mgre "$(get 'd["linkinfo"]["info_kind"]')" "kind"
expect_eq 192.1.1.1 "$(get 'd["linkinfo"]["info_data"]["local"]')" "local"
expect_eq 10000 "$(get 'd["linkinfo"]["info_data"]["key"]')" "key"
expect_eq 1472 "$(get 'd["mtu"]')" "MTU with a key (1500 - 20 - 8)"
flags=$(get '",".join(d["flags"])')
grep -q MULTICAST <<<"$flags" || fail "no MULTICAST flag: $flags"
grep -q NOARP <<<"$flags" || fail "no NOARP flag: $flags"
grep -q POINTOPOINT <<<"$flags" && fail "multipoint device has POINTOPOINT"
txt=$(in_ns r ip -d link show tun0)
grep -q "mgre .*local 192.1.1.1" <<<"$txt" || fail "ip -d link show: $txt"
grep -q "key 10000" <<<"$txt" || fail "ip -d link show lacks key: $txt"

# No key: 1476.  ttl/tos/nopmtudisc/dev round-trip.
in_ns r ip link add tun1 type mgre dev eth0 ttl 64 tos inherit nopmtudisc
j=$(in_ns r ip -j -d link show tun1)
expect_eq 1476 "$(get 'd["mtu"]')" "MTU without key"
expect_eq 64 "$(get 'd["linkinfo"]["info_data"]["ttl"]')" "ttl"
txt=$(in_ns r ip -d link show tun1)
grep -q "nopmtudisc" <<<"$txt" || fail "nopmtudisc not shown: $txt"
grep -q "tos inherit" <<<"$txt" || fail "tos inherit not shown: $txt"
grep -q "dev eth0" <<<"$txt" || fail "dev eth0 not shown: $txt"

# Point-to-point: remote sets POINTOPOINT.
in_ns r ip link add tun2 type mgre local 192.1.1.1 remote 192.1.1.9 key 7
j=$(in_ns r ip -j -d link show tun2)
flags=$(get '",".join(d["flags"])')
grep -q POINTOPOINT <<<"$flags" || fail "remote did not make POINTOPOINT: $flags"
expect_eq 192.1.1.9 "$(get 'd["linkinfo"]["info_data"]["remote"]')" "remote"

# Same local+key twice is refused; changing the key of a device works.
if in_ns r ip link add tun3 type mgre local 192.1.1.1 key 10000 2>/dev/null; then
	fail "duplicate local+key accepted"
fi
in_ns r ip link set tun0 type mgre key 20000 || fail "changing the key failed"
j=$(in_ns r ip -j -d link show tun0)
expect_eq 20000 "$(get 'd["linkinfo"]["info_data"]["key"]')" "key after change"
expect_eq 192.1.1.1 "$(get 'd["linkinfo"]["info_data"]["local"]')" "local kept on change"
# Switching multipoint <-> point-to-point is refused with a reason.
err=$(in_ns r ip link set tun0 type mgre remote 192.1.1.5 2>&1) &&
	fail "switching to point-to-point accepted"
grep -qi "recreate" <<<"$err" || fail "no reason given: $err"
# Bad input is refused.
in_ns r ip link add tun4 type mgre local 224.0.0.1 2>/dev/null &&
	fail "multicast local accepted"

exit_status

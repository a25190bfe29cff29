#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_plugin.sh PLUGIN_DIR FAKENL_SO: test link_mgre.so with the system's
# ip on a host without the mgre module.  fakenl.so (from
# tools/nhrpctl/test) stands in for the kernel: it logs the IFLA_INFO_DATA
# of RTM_NEWLINK and reports the mgre devices tun0 and tun1.  Ends with
# "N passed, N failed".

PLUGIN_DIR=$(realpath "${1:?usage: $0 PLUGIN_DIR FAKENL_SO}")
FAKENL=$(realpath "${2:?usage: $0 PLUGIN_DIR FAKENL_SO}")
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
export IP_LIB_DIR=$PLUGIN_DIR FAKENL_LOG=$TMP/log

passed=0
failed=0

ip_fake() {
	LD_PRELOAD=$FAKENL ip "$@" >"$TMP/out" 2>"$TMP/err"
}

ok() {
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: ip $1: $2"
	failed=$((failed + 1))
}

# check_data EXPECTED ARGS...: "ip link add t0 type mgre ARGS" succeeds and
# sends IFLA_INFO_DATA EXPECTED ("type=hex ..." in order)
check_data() {
	local expected=$1
	shift
	rm -f "$FAKENL_LOG"
	if ! ip_fake link add t0 type mgre "$@"; then
		fail "link add t0 type mgre $*" "failed: $(cat "$TMP/err")"
	elif [ "$(cat "$FAKENL_LOG")" != "newlink $expected" ]; then
		fail "link add t0 type mgre $*" "sent $(cat "$FAKENL_LOG")"
	else
		ok
	fi
}

# check_error MESSAGE ARGS...: "ip link add t0 type mgre ARGS" fails with
# MESSAGE as the first line of stderr, sending nothing
check_error() {
	local msg=$1
	shift
	rm -f "$FAKENL_LOG"
	if ip_fake link add t0 type mgre "$@"; then
		fail "link add t0 type mgre $*" "did not fail"
	elif [ "$(head -n1 "$TMP/err")" != "$msg" ]; then
		fail "link add t0 type mgre $*" "stderr: $(head -n1 "$TMP/err")"
	elif [ -e "$FAKENL_LOG" ]; then
		fail "link add t0 type mgre $*" "sent a request"
	else
		ok
	fi
}

# check_show EXPECTED ARGS...: stdout of "ip ARGS" contains EXPECTED
check_show() {
	local expected=$1
	shift
	if ! ip_fake "$@"; then
		fail "$*" "failed: $(cat "$TMP/err")"
	elif ! grep -qF -- "$expected" "$TMP/out"; then
		fail "$*" "no \"$expected\" in: $(cat "$TMP/out")"
	else
		ok
	fi
}

# ---- the plugin loads and helps ------------------------------------------------
ip link add t0 type mgre help >"$TMP/out" 2>&1
if grep -q '^Usage: ... mgre \[ local ADDR | dev PHYS_DEV \]' "$TMP/out"; then ok
else fail "link add t0 type mgre help" "no usage: $(cat "$TMP/out")"; fi
if ip link help mgre >"$TMP/out" 2>&1 && grep -q '^Usage: ... mgre' "$TMP/out"; then ok
else fail "link help mgre" "no usage: $(cat "$TMP/out")"; fi
# Every keyword of the usage is in the man page (ip-link-mgre.8).
MAN=$(dirname "$0")/ip-link-mgre.8
words=$(ip link help mgre 2>&1 | sed -n '/^Usage/,/^$/p' | sed 's/\[no\]pmtudisc/pmtudisc nopmtudisc/' |
	grep -oE '(^|[^A-Za-z_-])[a-z][a-z-]*' | grep -oE '[a-z][a-z-]*' | sort -u)
missing=""
for w in $words; do
	grep -qw -- "$w" "$MAN" || missing+="$w "
done
if [ -n "$words" ] && [ -z "$missing" ]; then ok
else fail "link help mgre" "keywords missing in ip-link-mgre.8: '$missing' (of: $(echo $words))"; fi

# ---- IFLA_INFO_DATA: 1 LINK, 2 LOCAL, 3 REMOTE, 4 KEY, 5 TTL, 6 TOS, 7 PMTUDISC
check_data "2=c0010101 4=10270000" local 192.1.1.1 key 10000
check_data "2=01020304 4=10270000 5=40 6=01 7=00" \
	local 1.2.3.4 key 10000 ttl 64 tos inherit nopmtudisc
check_data "1=01000000 3=00000000 4=04030201 7=01 6=10 5=00" \
	dev lo remote any key 1.2.3.4 pmtudisc tos 0x10 ttl inherit
check_data "2=00000000 3=0a000001 5=03 6=20" local any remote 10.0.0.1 hoplimit 3 dsfield 0x20
check_data "4=ffffffff 5=ff" key 4294967295 ttl 255
# NHRP: 8 NETWORK_ID, 9 HOLDTIME, 11 REG_NO_UNIQUE, 12 CACHE_MAX,
# 14 REG_TIMEOUT, 15 IF_STATE_NHRP, 16 ROUTE_INJECT
check_data "8=10270000 9=f401 11=01 14=0500 15=01" network-id 10000 holdtime 500 \
	registration no-unique registration timeout 5 if-state nhrp
check_data "14=0000 15=00 12=e8030000 16=01" registration timeout 0 if-state none cache-max 1000 \
	route-inject on
# 17 PROTECTION
check_data "2=c0010101 17=01" local 192.1.1.1 protection require
check_data "17=00" protection off
# 18 KEEPALIVE, 19 KEEPALIVE_RETRIES
check_data "18=0a00 19=03" keepalive 10 3
check_data "18=0500 2=c0010101" keepalive 5 local 192.1.1.1
check_data "18=0000" keepalive off
# 20 SUBNET_CHECK, 21 PER_NBMA_MAX, 22 MCAST_DYNAMIC_MAX
check_data "20=00 21=04000000 22=64000000" subnet-check off per-nbma-max 4 \
	multicast-dynamic-max 100
check_data "20=01" subnet-check on
# 23 NHRP_RATE_LIMIT
check_data "23=32000000" nhrp-rate-limit 50
check_data "23=00000000" nhrp-rate-limit off
# 24 NHRP_MAX_SEND, 25 NHRP_MAX_SEND_EVERY
check_data "24=64000000 25=0a000000" max-send 100 every 10
check_data "24=32000000" max-send 50
check_data "24=00000000" max-send off
# 26 REDIRECT, 27 SHORTCUT (DMVPN phase 3)
check_data "26=01" redirect on
check_data "27=01 26=00" shortcut on redirect off
check_data "27=00" shortcut off
# 28 REDIRECT_TIMEOUT (IOS "ip nhrp redirect timeout N")
check_data "26=01 28=0a00" redirect on redirect timeout 10
check_data "28=3c00" redirect timeout 60

# ---- parse errors --------------------------------------------------------------
check_error 'Error: argument "1.2.3" is wrong: an IPv4 address or "any" is expected' local 1.2.3
check_error 'Error: argument "300" is wrong: TTL must be 0-255 or "inherit"' ttl 300
check_error 'Error: argument "bogus" is wrong: TOS must be a number or "inherit"' tos bogus
check_error 'Error: duplicate "key": "2" is the second value.' key 1 key 2
check_error 'Error: duplicate "nopmtudisc": "nopmtudisc" is the second value.' pmtudisc nopmtudisc
check_error 'mgre: "local" and "dev" are mutually exclusive' local 1.2.3.4 dev lo
check_error 'mgre: unknown option "ikey"?' ikey 1
check_error 'Command line is not complete. Try option "help"' key
check_error 'invalid value for "key": "abc"; it should be an unsigned integer' key abc
check_error 'Error: argument "up" is wrong: "nhrp" or "none" is expected' if-state up
check_error 'Error: argument "x" is wrong: registration timeout must be 0-65535 seconds (0: holdtime/3)' \
	registration timeout x
check_error 'Error: argument "on" is wrong: "require" or "off" is expected' protection on
check_error 'Error: argument "yes" is wrong: "on" or "off" is expected' route-inject yes
check_error 'Error: argument "bogus" is wrong: "unique" or "no-unique" is expected' registration bogus
check_error 'Error: argument "0" is wrong: keepalive: PERIOD must be 1-65535 seconds, or "off"' keepalive 0
check_error 'Error: argument "0" is wrong: keepalive: RETRIES must be 1-255' keepalive 10 0
check_error 'Error: argument "0" is wrong: max-send: PACKETS must be 1-65535, or "off"' max-send 0
check_error 'Error: argument "65536" is wrong: max-send: PACKETS must be 1-65535, or "off"' max-send 65536
check_error 'Error: argument "0" is wrong: max-send: every SECONDS must be 1-65535' max-send 10 every 0
check_error 'Command line is not complete. Try option "help"' max-send 10 every
check_error 'Error: duplicate "protection": "off" is the second value.' protection require protection off
check_error 'Error: argument "yes" is wrong: "on" or "off" is expected' subnet-check yes
check_error 'Error: argument "0" is wrong: a positive number is expected' per-nbma-max 0
check_error 'Error: argument "0" is wrong: a positive number is expected' multicast-dynamic-max 0
check_error 'Error: argument "0" is wrong: packets a second (a positive number) or "off" is expected' nhrp-rate-limit 0
check_error 'Error: argument "x" is wrong: packets a second (a positive number) or "off" is expected' nhrp-rate-limit x
check_error 'Error: argument "yes" is wrong: "on" or "off" is expected' redirect yes
check_error 'Error: argument "0" is wrong: redirect timeout must be 1-60 seconds' redirect timeout 0
check_error 'Error: argument "61" is wrong: redirect timeout must be 1-60 seconds' redirect timeout 61
check_error 'Error: duplicate "redirect timeout": "6" is the second value.' redirect timeout 5 redirect timeout 6
check_error 'Command line is not complete. Try option "help"' shortcut
check_error 'Error: duplicate "shortcut": "off" is the second value.' shortcut on shortcut off

# ---- printing (ip -d link show) --------------------------------------------------
# (subnet-check, per-nbma-max, multicast-dynamic-max and max-send only when
# not the default, redirect and shortcut only when on, redirect timeout
# when not 5 s: tun0 has subnet-check off, per-nbma-max 4, redirect on
# and redirect timeout 10, tun1
# multicast-dynamic-max 100, max-send 100 every 10 and shortcut on)
check_show "mgre remote any local 192.1.1.1 ttl 64 tos inherit key 10000 nopmtudisc redirect on redirect timeout 10 protection require subnet-check off per-nbma-max 4 " \
	-d link show dev tun0
check_show "mgre remote any local any dev lo ttl inherit tos 0x10 shortcut on multicast-dynamic-max 100 max-send 100 every 10 " -d link show dev tun1
check_show '"info_data":{"remote":"any","local":"192.1.1.1","ttl":64,"tos":"inherit","key":10000,"pmtudisc":false,"redirect":"on","redirect_timeout":10,"protection":"require","subnet_check":"off","per_nbma_max":4}' \
	-j -d link show dev tun0
check_show '"info_data":{"remote":"any","local":"any","link":"lo","ttl":0,"tos":"0x10","pmtudisc":true,"shortcut":"on","protection":"off","multicast_dynamic_max":100,"max_send":100,"max_send_every":10}' \
	-j -d link show dev tun1

# ---- another iproute2: the plugin refuses at load ---------------------------
# (test-abi/link_mgre.so expects an 80-byte struct link_util: an ip whose
# own is 72 bytes is "another iproute2")
ABI_MSG="link_mgre.so: this ip is not the iproute2 6.1 the plugin was built for (its struct link_util has 72 bytes, not 80): rebuild the plugin against it (make -C tools/iproute2)"
for args in "link add t0 type mgre local 192.1.1.1" "-d link show"; do
	# shellcheck disable=SC2086
	IP_LIB_DIR=$PLUGIN_DIR/test-abi LD_PRELOAD=$FAKENL ip $args >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" != 1 ] || [ "$(cat "$TMP/err")" != "$ABI_MSG" ]; then
		fail "$args (plugin for another iproute2)" "exit $rc, stderr '$(cat "$TMP/err")'"
	else
		ok
	fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
#
# Every nhrpctl error path gives a clear message and a non-zero exit, and
# state is unchanged after a refused command.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

load_mgre
ns_create r
in_ns r ip link add eth0 type dummy
in_ns r ip link add tun0 type mgre local 10.0.0.1 key 1

# expect_fail CODE REGEX ARGS...: nhrpctl ARGS fails with exit CODE and a
# message matching REGEX.
expect_fail() {
	local code=$1 re=$2 out rc

	shift 2
	out=$(nhrpctl_in r "$@" 2>&1)
	rc=$?
	[ "$rc" = "$code" ] || fail "nhrpctl $*: exit $rc, expected $code ($out)"
	grep -Eq "$re" <<<"$out" || fail "nhrpctl $*: message '$out' !~ /$re/"
}

expect_fail 1 'does not exist' map add 1.1.1.1 nbma 2.2.2.2 dev nosuch
expect_fail 1 'not an mgre device' map add 1.1.1.1 nbma 2.2.2.2 dev eth0
expect_fail 1 'not an mgre device' show dev eth0
expect_fail 2 'invalid address' map add 1.1.1 nbma 2.2.2.2 dev tun0
expect_fail 2 'invalid address' map add 1.1.1.1 nbma 2.2.2.256 dev tun0
expect_fail 2 'invalid address' multicast add nbma foo dev tun0
expect_fail 2 'invalid address' nhs add 1.1.1.1/33 dev tun0
expect_fail 2 '' map add 1.1.1.1 dev tun0
expect_fail 2 '' map add 1.1.1.1 nbma 2.2.2.2
expect_fail 2 '' map frob 1.1.1.1 nbma 2.2.2.2 dev tun0
expect_fail 2 '' nhs add 1.1.1.1 priority 256 dev tun0

nhrpctl_in r map add 1.1.1.1 nbma 2.2.2.2 dev tun0 || fail "map add failed"
expect_fail 1 'already exists' map add 1.1.1.1 nbma 3.3.3.3 dev tun0
expect_fail 1 'does not exist' map del 1.1.1.9 dev tun0
nhrpctl_in r multicast add nbma 2.2.2.2 dev tun0 || fail "multicast add failed"
expect_fail 1 'already exists' multicast add nbma 2.2.2.2 dev tun0
expect_fail 1 'does not exist' multicast del nbma 9.9.9.9 dev tun0
nhrpctl_in r multicast add dynamic dev tun0 || fail "multicast dynamic failed"
expect_fail 1 'already exists' multicast add dynamic dev tun0
nhrpctl_in r nhs add 1.1.1.1 priority 5 dev tun0 || fail "nhs add failed"
expect_fail 1 'already exists' nhs add 1.1.1.1 dev tun0
expect_fail 1 'does not exist' nhs del 1.1.1.2 dev tun0

# The refused duplicate left the first entry untouched.
nhrpctl_in r show dev tun0 | grep -q "NBMA address: 2.2.2.2" ||
	fail "entry changed by a refused add"
n=$(nhrpctl_in r -j show multicast dev tun0 | jq length)
expect_eq 2 "$n" "multicast map entries (one static, dynamic)"
n=$(nhrpctl_in r -j show nhs dev tun0 | jq '.[0].priority')
expect_eq 5 "$n" "NHS priority"

# Without the module.
in_ns r ip link del tun0
unload_mgre
expect_fail 1 'module is not loaded' show
expect_fail 1 'module is not loaded' stats

exit_status

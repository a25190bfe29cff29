#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
#
# Every nhrpctl error path gives a clear message and a non-zero exit, and
# state is unchanged after a refused command (the cache, the multicast map
# and the NHS list compared before and after all of them).  Adding an NHS
# or the dynamic multicast map on a device with NHRP off works, with the
# kernel's warning that nothing will happen until it is on.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq

# expect_fail CODE REGEX ARGS...: nhrpctl ARGS fails with exit CODE and a
# message matching REGEX.
expect_fail() {
	local code=$1 re=$2 out rc

	shift 2
	out=$(nhrpctl_in r "$@" 2>&1)
	rc=$?
	[ "$rc" = "$code" ] || fail "nhrpctl $*: exit $rc, expected $code ($out)"
	[[ $out =~ $re ]] || fail "nhrpctl $*: message '$out' !~ /$re/"
}

# state: tun0's cache, multicast map and NHS list as one JSON value (one
# nhrpctl; an entry's age, an NHS's state and counters left out: they
# move with time, not with commands).
state() {
	printf '%s\n' 'show dev tun0' 'show multicast dev tun0' 'show nhs dev tun0' |
		nhrpctl_in r -j -b - |
		jq -cs 'map(map(del(.age, .state, .req_sent, .req_failed, .repl_recv, .last_reply)))'
}

# shellcheck disable=SC2119	# no module parameters
load_mgre
ns_create r
in_ns r ip -batch - <<'EOF' || ksft_fail "cannot set up netns r"
link add eth0 type dummy
link add tun0 type mgre local 10.0.0.1 key 1
EOF

nhrpctl_in r map add 1.1.1.1 nbma 2.2.2.2 dev tun0 || fail "map add failed"
nhrpctl_in r multicast add nbma 2.2.2.2 dev tun0 || fail "multicast add failed"
# (done, with the kernel's warning: NHRP is off, nothing would happen)
out=$(nhrpctl_in r multicast add dynamic dev tun0 2>&1) || fail "multicast dynamic failed: $out"
expect_eq "nhrpctl: warning: tun0: NHRP is off on this device (no network-id): no registration adds to the map until it is set" \
	"$out" "multicast add dynamic on a device with NHRP off"
out=$(nhrpctl_in r nhs add 1.1.1.1 priority 5 dev tun0 2>&1) || fail "nhs add failed: $out"
expect_eq "nhrpctl: warning: tun0: NHRP is off on this device (no network-id): no registration is sent until it is set" \
	"$out" "nhs add on a device with NHRP off"
before=$(state)
# (what was just added, so that "unchanged" below compares something)
n=$(jq -c '[(.[0][] | "\(.proto) \(.nbma)"), (.[1] | length), (.[2][] | "\(.proto) \(.priority)")]' <<<"$before")
expect_eq '["1.1.1.1 2.2.2.2",2,"1.1.1.1 5"]' "$n" "state before the refused commands"

expect_fail 1 'device "nosuch" does not exist' map add 1.1.1.1 nbma 2.2.2.2 dev nosuch
expect_fail 1 'device "eth0" is not an mgre device' map add 1.1.1.1 nbma 2.2.2.2 dev eth0
expect_fail 1 'device "eth0" is not an mgre device' show dev eth0
expect_fail 2 'invalid address "1\.1\.1"' map add 1.1.1 nbma 2.2.2.2 dev tun0
expect_fail 2 'invalid address "2\.2\.2\.256"' map add 1.1.1.1 nbma 2.2.2.256 dev tun0
expect_fail 2 'invalid address "foo"' multicast add nbma foo dev tun0
expect_fail 2 'invalid address "1\.1\.1\.1/33" \(prefix length must be 0-32\)' nhs add 1.1.1.1/33 dev tun0
expect_fail 2 'missing "nbma NBMA"' map add 1.1.1.1 dev tun0
expect_fail 2 'missing "dev DEV"' map add 1.1.1.1 nbma 2.2.2.2
expect_fail 2 'unknown command "map frob"' map frob 1.1.1.1 nbma 2.2.2.2 dev tun0
expect_fail 2 'invalid priority "256" \(0-255\)' nhs add 1.1.1.1 priority 256 dev tun0
expect_fail 1 'tun0: NHRP entry 1\.1\.1\.1 already exists' map add 1.1.1.1 nbma 3.3.3.3 dev tun0
expect_fail 1 'tun0: NHRP entry 1\.1\.1\.9 does not exist' map del 1.1.1.9 dev tun0
expect_fail 1 'tun0: multicast entry 2\.2\.2\.2 already exists' multicast add nbma 2.2.2.2 dev tun0
expect_fail 1 'tun0: multicast entry 9\.9\.9\.9 does not exist' multicast del nbma 9.9.9.9 dev tun0
expect_fail 1 'tun0: multicast entry dynamic already exists' multicast add dynamic dev tun0
expect_fail 1 'tun0: NHS 1\.1\.1\.1 already exists' nhs add 1.1.1.1 dev tun0
expect_fail 1 'tun0: NHS 1\.1\.1\.2 does not exist' nhs del 1.1.1.2 dev tun0

# Nothing refused changed anything (the duplicate map add left the first
# entry's NBMA, the duplicate nhs add its priority).
after=$(state)
expect_eq "$before" "$after" "cache, multicast map and NHS list after the refused commands"

# bash completion offers the netns's mgre devices (tun0, not eth0).
comp=$(
	# shellcheck disable=SC1091
	source "$REPO/tools/nhrpctl/nhrpctl.bash-completion" || exit 1
	COMP_WORDS=(nhrpctl -n r show dev "") COMP_CWORD=5
	_nhrpctl
	echo "${COMPREPLY[*]}"
)
expect_eq "tun0" "$comp" "the devices bash completion offers in netns r"

# With NHRP on, the same commands say nothing.
ip -n r link set tun0 type mgre network-id 1 || fail "cannot set a network-id"
out=$(nhrpctl_in r nhs add 1.1.1.3 dev tun0 2>&1) || fail "nhs add failed: $out"
expect_eq "" "$out" "nhs add's output with NHRP on"
nhrpctl_in r multicast del dynamic dev tun0 || fail "multicast del dynamic failed"
out=$(nhrpctl_in r multicast add dynamic dev tun0 2>&1) || fail "multicast dynamic failed: $out"
expect_eq "" "$out" "multicast add dynamic's output with NHRP on"

# Without the module.  (The kernel's modprobe helper is pointed at "true"
# meanwhile: nhrpctl's genl lookup would load an installed mgre.)
in_ns r ip link del tun0 || fail "cannot delete tun0"
unload_mgre || fail "cannot unload mgre"
old_modprobe=$(cat /proc/sys/kernel/modprobe)
cleanup_add sh -c "echo $old_modprobe > /proc/sys/kernel/modprobe"
type -P true >/proc/sys/kernel/modprobe || fail "cannot set the modprobe helper"
expect_fail 1 'module is not loaded' show
expect_fail 1 'module is not loaded' stats

exit_status

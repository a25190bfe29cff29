#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_completion.sh PLUGIN_DIR: ip-mgre.bash-completion completes the
# mgre options of "ip link add|set ... type mgre" from the plugin's usage
# (ip with IP_LIB_DIR=PLUGIN_DIR).  Ends with "N passed, N failed".
IP_LIB_DIR=$(realpath "${1:?usage: $0 PLUGIN_DIR}") && export IP_LIB_DIR
COMP=$(dirname "$0")/ip-mgre.bash-completion
passed=0 failed=0

# expect_comp LINE WORDS: completing the last word of LINE (after a space:
# a new word) offers WORDS (sorted)
expect_comp() {
	local line=$1 want=$2 got
	got=$(
		# shellcheck disable=SC1090
		source "$COMP" || exit 1
		read -ra COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_mgre_ip ip "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
	)
	if [ "$got" = "$want" ]; then
		passed=$((passed + 1))
	else
		echo "FAIL: completion of '$line': '$got', expected '$want'"
		failed=$((failed + 1))
	fi
}

expect_comp "ip link add tun0 type mgre " "auth cache-max dev holdtime if-state keepalive key local max-send multicast-dynamic-max network-id nhrp-rate-limit nopmtudisc per-nbma-max pmtudisc protection redirect registration remote route-inject shortcut subnet-check tos ttl"
expect_comp "ip link add tun0 type mgre ro" "route-inject"
expect_comp "ip link add tun0 type mgre re" "redirect registration remote"
expect_comp "ip link set tun0 type mgre shortcut " "off on"
expect_comp "ip link set tun0 type mgre redirect o" "off on"
expect_comp "ip link set tun0 type mgre redirect " "off on timeout"
expect_comp "ip link set tun0 type mgre route-inject " "off on"
expect_comp "ip link set tun0 type mgre protection r" "require"
expect_comp "ip link set tun0 type mgre registration " "no-unique timeout unique"
expect_comp "ip link set tun0 type mgre if-state " "nhrp none"
expect_comp "ip link set tun0 type mgre keepalive " "off"
expect_comp "ip link set tun0 type mgre max-send " "off"
expect_comp "ip link add tun0 type mgre local " ""
expect_comp "ip link add tun0 type mgre holdtime " ""
expect_comp "ip link add tun0 type mgre key 1 network-id " ""
expect_comp "ip link add tun0 type mgre key 1 net" "network-id"
# (not after "type mgre": not ours)
expect_comp "ip link add tun0 type " ""

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_cli.sh [NHRPCTL]: host-side tests of nhrpctl's command line and
# error paths.  Needs no mgre module and no privileges: device errors use
# "lo" and a name that does not exist, and the "module not loaded" checks
# run only when the mgre module is not loaded.  Ends with the line
# "N passed, N failed"; exits non-zero if any test failed.

NHRPCTL=${1:-$(dirname "$0")/nhrpctl}
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
NODEV=nhrpctl-nodev0	# 14 characters: a valid name that does not exist

fail() {
	echo "FAIL: nhrpctl $1: $2"
	sed 's/^/    stderr: /' "$TMP/err"
	failed=$((failed + 1))
}

# expect CODE MESSAGE ARGS...: exit code CODE; MESSAGE ("" for none) must
# be the whole stderr, a single line.
expect() {
	local code=$1 msg=$2 rc
	shift 2
	"$NHRPCTL" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	if [ $rc -ne "$code" ]; then
		fail "$*" "exit code $rc, expected $code"
	elif [ -n "$msg" ] && [ "$(cat "$TMP/err")" != "nhrpctl: $msg" ]; then
		fail "$*" "expected stderr: nhrpctl: $msg"
	else
		passed=$((passed + 1))
	fi
}

# expect_out CODE PATTERN ARGS...: exit code CODE, stdout matches PATTERN
expect_out() {
	local code=$1 pattern=$2 rc
	shift 2
	"$NHRPCTL" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -ne "$code" ]; then
		fail "$*" "exit code $rc, expected $code"
	elif ! grep -q -- "$pattern" "$TMP/out"; then
		fail "$*" "stdout does not match $pattern"
	else
		passed=$((passed + 1))
	fi
}

# ---- help and version ----------------------------------------------------
expect_out 0 '^Usage: nhrpctl' help
expect_out 0 '^Usage: nhrpctl' -h
expect_out 0 '^Usage: nhrpctl' --help
expect_out 0 '^nhrpctl [0-9]' -V
expect_out 0 '^nhrpctl [0-9]' --version
expect 2 'missing command (try "nhrpctl help")'

# ---- usage errors (exit 2) -----------------------------------------------
expect 2 'unknown command "foo" (try "nhrpctl help")' foo
expect 2 'incomplete command "map" (try "nhrpctl help")' map
expect 2 'unknown command "map foo" (try "nhrpctl help")' map foo
expect 2 'missing "dev DEV"' map add 1.2.3.4 nbma 5.6.7.8
expect 2 'missing "nbma NBMA"' map add 1.2.3.4 dev $NODEV
expect 2 'missing "PROTO"' map add nbma 5.6.7.8 dev $NODEV
expect 2 'missing "dev DEV"' map del 1.2.3.4
expect 2 'exactly one of "PROTO" or "dynamic" is required' nhs add dev $NODEV
expect 2 'exactly one of "PROTO" or "dynamic" is required' nhs add 1.2.3.4 dynamic nbma 5.6.7.8 dev $NODEV
expect 2 'exactly one of "PROTO" or "dynamic" is required' nhs del dev $NODEV
expect 2 'a dynamic NHS needs "nbma NBMA" (its protocol address comes in its reply)' nhs add dynamic dev $NODEV
expect 2 'a dynamic NHS needs "nbma NBMA" (its protocol address comes in its reply)' nhs del dynamic dev $NODEV
expect 2 '"nbma" names a dynamic NHS only: "nhs del dynamic nbma NBMA"' nhs del 1.2.3.4 nbma 5.6.7.8 dev $NODEV
expect 2 'invalid address "hub_1"' nhs add dynamic nbma hub_1 dev $NODEV
expect 2 'invalid address "1.2.3"' nhs add 1.2.3.4 nbma 1.2.3 dev $NODEV
expect 2 'invalid address "1.2.3.0/24" (an NHS is one address)' nhs add 1.2.3.0/24 dev $NODEV
expect 2 'invalid address "localhost"' map add 1.2.3.4 nbma localhost dev $NODEV
expect 2 'missing "dev DEV"' multicast add dynamic
expect 2 'duplicate keyword "dev"' map add 1.2.3.4 nbma 5.6.7.8 dev a dev b
expect 2 'duplicate keyword "nbma"' nhs add 1.2.3.4 nbma 5.6.7.8 nbma 5.6.7.9 dev a
expect 2 'missing argument for "nbma"' map add 1.2.3.4 dev $NODEV nbma
expect 2 'missing argument for "dev"' show dev
expect 2 'unknown keyword "5.6.7.8"' map add 1.2.3.4 5.6.7.8 dev $NODEV
expect 2 'unknown keyword "bogus"' show bogus
expect 2 'unknown keyword "1.2.3.4"' multicast add 1.2.3.4 dev $NODEV
expect 2 '"nbma" is not valid with "map del"' map del 1.2.3.4 nbma 5.6.7.8 dev $NODEV
expect 2 '"priority" is not valid with "nhs del"' nhs del 1.2.3.4 priority 1 dev $NODEV
expect 2 '"nbma" is not valid with "show"' show nbma 1.2.3.4
expect 2 'exactly one of "nbma NBMA" or "dynamic" is required' multicast add dev $NODEV
expect 2 'exactly one of "nbma NBMA" or "dynamic" is required' multicast del dynamic nbma 5.6.7.8 dev $NODEV
expect 2 'at most one of "dynamic" or "cached" is allowed' flush dynamic cached dev $NODEV
expect 2 'missing "dev DEV"' flush dynamic
expect 2 '"nbma" is not valid with "flush"' flush nbma 1.2.3.4 dev $NODEV
expect 2 'unknown keyword "1.2.3.4"' flush 1.2.3.4 dev $NODEV
expect 2 'invalid address "1.2.3"' map add 1.2.3 nbma 5.6.7.8 dev $NODEV
expect 2 'invalid address "5.6.7"' map add 1.2.3.4 nbma 5.6.7 dev $NODEV
expect 2 'invalid address "foo"' nhs add foo dev $NODEV
expect 2 'invalid address "0.0.0.0" (NBMA address must not be 0.0.0.0)' multicast add nbma 0.0.0.0 dev $NODEV
expect 2 'invalid address "10.0.0.1/24" (host bits set)' map add 10.0.0.1/24 nbma 5.6.7.8 dev $NODEV
expect 2 'invalid address "10.0.0.0/33" (prefix length must be 0-32)' map add 10.0.0.0/33 nbma 5.6.7.8 dev $NODEV
expect 2 'invalid address "10.0.0.0/" (prefix length must be 0-32)' map del 10.0.0.0/ dev $NODEV
expect 2 'invalid priority "256" (0-255)' nhs add 1.2.3.4 priority 256 dev $NODEV
expect 2 'invalid priority "1x" (0-255)' nhs add 1.2.3.4 priority 1x dev $NODEV
expect 2 'invalid device name "0123456789abcdef"' show dev 0123456789abcdef
expect 2 'unknown option "-x"' -x show
expect 2 'unknown option "-x"' show -jx
expect 2 'unknown option "--bogus"' --bogus show
expect 2 'missing argument for "-n"' show -n
expect 2 'missing argument for "--netns"' show --netns
expect 2 'missing argument for "dev"' monitor dev
expect 2 '"nbma" is not valid with "monitor"' monitor nbma 1.2.3.4
expect 2 'unknown keyword "1.2.3.4"' monitor 1.2.3.4
expect 2 'duplicate keyword "detail"' show dmvpn detail detail
expect 2 'duplicate keyword "detail"' show nhs detail detail

# ---- device errors (exit 1) ------------------------------------------------
expect 1 "device \"$NODEV\" does not exist" show dev $NODEV
expect 1 "device \"$NODEV\" does not exist" map add 1.2.3.4 nbma 5.6.7.8 dev $NODEV
expect 1 "device \"$NODEV\" does not exist" -j stats dev $NODEV
expect 1 'device "lo" is not an mgre device' show dev lo
expect 1 'device "lo" is not an mgre device' map add 172.1.1.2 nbma 192.1.1.2 dev lo
expect 1 'device "lo" is not an mgre device' multicast add dynamic dev lo
expect 1 'device "lo" is not an mgre device' nhs del 172.1.1.1 dev lo
expect 1 'device "lo" is not an mgre device' monitor dev lo
expect 1 "device \"$NODEV\" does not exist" -j monitor dev $NODEV
expect 1 'cannot open network namespace "nhrpctl-nons": No such file or directory' -n nhrpctl-nons show

# ---- batch mode (-b) --------------------------------------------------------
# expect_batch CODE INPUT STDERR [OPTIONS...]: run "nhrpctl OPTIONS -b
# $TMP/batch" with INPUT as the file ($B in STDERR is the file's name);
# exit code CODE and stderr exactly STDERR (lines of "nhrpctl: ...").
B=$TMP/batch
expect_batch() {
	local code=$1 input=$2 exp=$3 rc
	shift 3
	printf '%s' "$input" >"$B"
	"$NHRPCTL" "$@" -b "$B" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	if [ $rc -ne "$code" ]; then
		fail "$* -b <<<'$input'" "exit code $rc, expected $code"
	elif [ "$(cat "$TMP/err")" != "$exp" ]; then
		fail "$* -b <<<'$input'" "expected stderr: $exp"
	else
		passed=$((passed + 1))
	fi
}

expect 2 'missing argument for "-b"' -b
expect 2 'missing argument for "--batch"' --batch
expect 2 'missing argument for "-batch"' -batch
expect 1 'cannot open "/nonexistent/batch": No such file or directory' -b /nonexistent/batch
expect 2 'unexpected argument "show": with -b the commands come from the file' -b /dev/null show
printf 'help\n' >"$TMP/help"
expect_out 0 '^Usage: nhrpctl' -b "$TMP/help"
# comments and blank lines only: nothing to do, no netlink needed
expect_batch 0 $'# a comment\n\n   \t \n  # indented comment\n' ''
# the first failing line stops the batch, exit 1 whatever the error
expect_batch 1 $'# header\n\nfoo bar\nmap add 1.2.3\n' \
	"nhrpctl: $B:3: unknown command \"foo\" (try \"nhrpctl help\")"
expect_batch 1 $'map add 1.2.3 nbma 5.6.7.8 dev x # why\nfoo\n' \
	"nhrpctl: $B:1: invalid address \"1.2.3\""
expect_batch 1 $'show dev lo\n' "nhrpctl: $B:1: device \"lo\" is not an mgre device"
expect_batch 1 $'-j show\n' "nhrpctl: $B:1: unknown command \"-j\" (try \"nhrpctl help\")"
expect_batch 1 "map add $(printf 'x %.0s' $(seq 70))" "nhrpctl: $B:1: too many words (at most 64)"
# no newline at the end of the last line
expect_batch 1 $'\nmap del 1.2.3.4' "nhrpctl: $B:2: missing \"dev DEV\""
# -force (and --force, -f) go on and report every failing line
for force in -force --force -f; do
	expect_batch 1 $'foo\nmap add 1.2.3 nbma 5.6.7.8 dev x\n# ok\nshow dev lo\n' \
		"nhrpctl: $B:1: unknown command \"foo\" (try \"nhrpctl help\")
nhrpctl: $B:2: invalid address \"1.2.3\"
nhrpctl: $B:4: device \"lo\" is not an mgre device" $force
done
# "-b -" reads stdin
printf 'map\n' | "$NHRPCTL" -b - >"$TMP/out" 2>"$TMP/err"
if [ $? -eq 1 ] && [ "$(cat "$TMP/err")" = 'nhrpctl: <stdin>:1: incomplete command "map" (try "nhrpctl help")' ]; then
	passed=$((passed + 1))
else
	fail "-b - <<<map" "expected exit 1 and a <stdin>:1: message"
fi
expect_batch 1 $'show dev lo\n' \
	'nhrpctl: cannot open network namespace "nhrpctl-nons": No such file or directory' -n nhrpctl-nons
# monitor runs until killed: not a batch line (and nothing waits)
expect_batch 1 $'monitor\n' "nhrpctl: $B:1: \"monitor\" runs until killed: not in a batch"

# ---- setconf: the file is read and checked first (nothing changes) ----------
# expect_conf CODE TEXT MESSAGE: "setconf FILE dev $NODEV" with TEXT as
# FILE; a bad file is refused before the device is looked up.
C=$TMP/conf
expect_conf() {
	printf '%s' "$2" >"$C"
	expect "$1" "${3//\$C/$C}" setconf "$C" dev "$NODEV"
}
expect_conf 2 $'link ttl 3\nmap 1.2.3.4\n' '$C:2: "map" needs "nbma NBMA"'
expect_conf 2 $'foo bar\n' '$C:1: unknown statement "foo" (link, map, multicast, nhs; address and route are skipped)'
expect_conf 2 $'nhs 1.2.3.4 priority 300\n' '$C:1: invalid priority "300" (0-255)'
expect_conf 2 $'nhs 1.2.3.4 priority\n' '$C:1: unexpected "priority" in a "nhs" statement'
expect_conf 2 $'multicast nbma 1.1.1.1 dynamic\n' '$C:1: "multicast" needs "nbma NBMA" or "dynamic"'
expect_conf 2 $'multicast\n' '$C:1: "multicast" needs "nbma NBMA" or "dynamic"'
expect_conf 2 $'nhs 1.2.3.0/24\n' '$C:1: invalid address "1.2.3.0/24" (an NHS is one address)'
expect_conf 2 $'nhs dynamic\n' '$C:1: "nhs dynamic" needs "nbma NBMA"'
expect_conf 2 $'nhs dynamic 1.2.3.4 nbma 5.6.7.8\n' '$C:1: unexpected "1.2.3.4" in a "nhs" statement'
expect_conf 2 $'nhs dynamic nbma 5.6.7.8\nnhs dynamic nbma 5.6.7.8 priority 1\n' '$C:2: a second "nhs" statement for the same entry (the first is on line 1)'
expect_conf 2 $'map 1.2.3.4 nbma localhost\n' '$C:1: invalid address "localhost"'
expect_conf 2 $'\n\nmap 1.2.3.4 nbma 0.0.0.0\n' '$C:3: invalid address "0.0.0.0" (NBMA address must not be 0.0.0.0)'
expect_conf 2 $'map 1.2.3.4 nbma 2.2.2.2 priority 3\n' '$C:1: unexpected "priority" in a "map" statement'
expect_conf 2 $'map 1.2.3.4 1.2.3.5 nbma 2.2.2.2\n' '$C:1: unexpected "1.2.3.5" in a "map" statement'
expect_conf 2 $'link a\nlink b\n' '$C:2: a second "link" statement (the first is on line 1)'
expect_conf 2 $'map 1.2.3.4 nbma 2.2.2.2\nmap 1.2.3.4/32 nbma 2.2.2.3\n' '$C:2: a second "map" statement for the same address (the first is on line 1)'
expect_conf 2 $'nhs 1.2.3.4\n#\nnhs 1.2.3.4 priority 3\n' '$C:3: a second "nhs" statement for the same address (the first is on line 1)'
expect_conf 2 $'multicast dynamic\nmulticast dynamic\n' '$C:2: a second "multicast" statement for the same entry (the first is on line 1)'
expect_conf 2 $'multicast nbma 1.1.1.1\nmulticast nbma 1.1.1.1 # again\n' '$C:2: a second "multicast" statement for the same entry (the first is on line 1)'
printf 'map 1.2.3.4 nbma 2.2.2.2\n\0\n' >"$C"
expect 2 "$C: a NUL byte: not a text file" setconf "$C" dev "$NODEV"
# comments, blank lines, mgre-quick's address and route, no final newline:
# a good file, so the device is the error
expect_conf 1 $'# c\n\naddress 1.2.3.4/24\nroute 0/0\nmap 1.2.3.4/32 nbma 2.2.2.2 # x\nmap 1.2.3.0/24 nbma 2.2.2.2#y\nmulticast nbma 1.1.1.1\nmulticast dynamic\nnhs 1.2.3.1' \
	"device \"$NODEV\" does not exist"
expect 1 'cannot open "/nonexistent/x.conf": No such file or directory' setconf /nonexistent/x.conf dev "$NODEV"
expect 2 'missing "FILE"' setconf dev "$NODEV"
expect 2 'missing "dev DEV"' showconf
expect 2 'unknown keyword "x"' showconf dev "$NODEV" x
expect 1 "device \"$NODEV\" does not exist" showconf dev "$NODEV"
expect 1 'device "lo" is not an mgre device' showconf dev lo

# ---- module not loaded (exit 1) --------------------------------------------
if [ ! -d /sys/module/mgre ]; then
	for cmd in "show" "show multicast" "show nhs" "show traffic" "stats" "-j show" "-p stats"; do
		# shellcheck disable=SC2086
		expect 1 'the mgre module is not loaded (modprobe mgre)' $cmd
	done
	expect_batch 1 $'# ok\nshow\nshow nhs\n' \
		"nhrpctl: $B:2: the mgre module is not loaded (modprobe mgre)"
	expect 1 'the mgre module is not loaded (modprobe mgre)' monitor
	expect 1 'the mgre module is not loaded (modprobe mgre)' -j monitor
fi

# ---- bash completion -------------------------------------------------------
# expect_comp LINE WORDS: completing the last word of LINE (after a space:
# a new word) offers WORDS
expect_comp() {
	local line=$1 want=$2 got
	got=$(
		# shellcheck disable=SC1091
		source "$(dirname "$NHRPCTL")/nhrpctl.bash-completion" || exit 1
		read -ra COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_nhrpctl
		echo "${COMPREPLY[*]}"
	)
	if [ "$got" = "$want" ]; then
		passed=$((passed + 1))
	else
		echo "FAIL: completion of '$line': '$got', expected '$want'"
		failed=$((failed + 1))
	fi
}
expect_comp "nhrpctl m" "map multicast monitor"
expect_comp "nhrpctl " "map multicast nhs show dmvpn stats flush monitor showconf setconf help"
expect_comp "nhrpctl showconf " "dev"
expect_comp "nhrpctl show nhs " "detail dev"
expect_comp "nhrpctl show nhs detail " "dev"
expect_comp "nhrpctl show dmvpn " "detail dev"
expect_comp "nhrpctl dmvpn " "detail dev"
mkdir -p "$TMP/comp" && touch "$TMP/comp/tun0.conf"
expect_comp "nhrpctl setconf $TMP/comp/tu" "$TMP/comp/tun0.conf"
expect_comp "nhrpctl setconf $TMP/comp/tun0.conf " "dev"
expect_comp "nhrpctl setconf dev tun0 $TMP/comp/t" "$TMP/comp/tun0.conf"
expect_comp "nhrpctl -j map " "add del"
expect_comp "nhrpctl map add 1.2.3.4 " "nbma dev"
expect_comp "nhrpctl map add 1.2.3.4 nbma 5.6.7.8 " "dev"
expect_comp "nhrpctl nhs add 1.2.3.4 " "nbma priority dev"
expect_comp "nhrpctl nhs add " "dynamic nbma priority dev"
expect_comp "nhrpctl nhs add dynamic " "nbma priority dev"
expect_comp "nhrpctl nhs del " "dynamic dev"
expect_comp "nhrpctl nhs del dynamic " "nbma dev"
expect_comp "nhrpctl nhs del 1.2.3.4 " "dev"
expect_comp "nhrpctl multicast add " "nbma dynamic dev"
expect_comp "nhrpctl show " "multicast nhs traffic dmvpn dev"
expect_comp "nhrpctl flush dynamic " "cached dev"
expect_comp "nhrpctl monitor " "dev"
expect_comp "nhrpctl --js" "--json"
expect_comp "nhrpctl map add 1.2.3.4 nbma " ""
# (lo is no mgre device)
expect_comp "nhrpctl show dev l" ""

# ---- no leaks on an error path ---------------------------------------------
# (valgrind is in scripts/deps.sh: in CI its absence fails, elsewhere the
# leak checks are skipped with a note)
if ! command -v valgrind >/dev/null; then
	if [ "${CI:-}" = true ]; then
		fail "valgrind" "valgrind missing in CI (Debian package valgrind, scripts/deps.sh)"
	else
		echo "SKIP: leak checks: valgrind not installed (apt-get install valgrind)"
	fi
else
	printf 'foo\nshow dev lo\nmap add 1.2.3.4 nbma 5.6.7.8 dev %s\n' $NODEV >"$B"
	for args in "map add 1.2.3 nbma 5.6.7.8 dev $NODEV" "show dev lo" "stats" "-f -b $B"; do
		# shellcheck disable=SC2086
		if valgrind -q --leak-check=full --show-leak-kinds=all \
		       --errors-for-leak-kinds=all --error-exitcode=99 \
		       "$NHRPCTL" $args >/dev/null 2>"$TMP/err"; [ $? -eq 99 ]; then
			fail "$args" "valgrind reports errors"
		else
			passed=$((passed + 1))
		fi
	done
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

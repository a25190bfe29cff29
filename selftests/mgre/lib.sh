# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared library for the mgre selftests.  Each test does
#
#	#!/bin/bash
#	# timeout: 120            (optional, seconds; default 300)
#	source "$(dirname "$0")/lib.sh"
#
# and exits through ksft_pass / ksft_fail / ksft_skip or exit_status.
# Exit codes follow kselftest: 0 pass, 1 fail, 4 skip.
#
# Everything a test creates through these helpers (namespaces, background
# processes, captures, cleanup_add commands) is undone by the EXIT trap.
# Tests must wait by polling (wait_until), never with fixed sleeps.

# shellcheck disable=SC2034	# constants for the tests
KSFT_PASS=0 KSFT_FAIL=1 KSFT_XFAIL=2 KSFT_XPASS=3 KSFT_SKIP=4

LIB_DIR=${BASH_SOURCE[0]%/*}
[ "$LIB_DIR" != "${BASH_SOURCE[0]}" ] || LIB_DIR=.
LIB_DIR=$(cd "$LIB_DIR" && pwd)
REPO=${MGRE_REPO:-$(cd "$LIB_DIR/../.." && pwd)}
MGRE_KO=${MGRE_KO:-$REPO/kmod/mgre.ko}
# DEBUG_KERNEL=1 on the debug kernel (KASAN, lockdep, kmemleak: everything
# runs 3-5 times slower): the load tests use it to pick smaller counts.
if [ -z "${DEBUG_KERNEL:-}" ]; then
	DEBUG_KERNEL=0
	[ ! -e /sys/kernel/debug/kmemleak ] || DEBUG_KERNEL=1
fi
# wire_checks: true unless on the debug kernel, where a tshark start
# costs 30 s; the tshark dissection checks run in the pass on Debian's
# kernel (WIRE_CHECKS=1 forces them, WIRE_CHECKS=0 skips them).
wire_checks() {
	local w=${WIRE_CHECKS:-}

	if [ -z "$w" ]; then
		w=1
		[ "$DEBUG_KERNEL" != 1 ] || w=0
	fi
	[ "$w" = 1 ]
}
TEST_NAME=${0##*/}
TEST_NAME=${TEST_NAME%.sh}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

# Per-test scratch directory (pcaps, configs), removed at exit unless
# KEEP_TMP=1.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$TEST_NAME.XXXXXX")
TMPD=$TEST_TMP

# Under TCG every program started costs 50-500 ms, so the helpers below
# stick to shell builtins where they can (including _sleep).
RET=0			# number of failed checks
_LIB_T0=${EPOCHREALTIME/./}
_NS_LIST=()
_BG_PIDS=()
_CLEANUP_CMDS=()
declare -A _CAPTURE_PID=()

# _sleep SECONDS: sleep without starting a program (read -t on a pipe
# nobody writes to).
exec {_SLEEP_FD}<> <(:)
_sleep() {
	read -r -t "$1" -u "$_SLEEP_FD" _ 2>/dev/null || :
}

# _usec TIME: seconds (fractions allowed) -> integer microseconds.
_usec() {
	local t=$1 i f
	i=${t%%.*}; f=
	[[ $t == *.* ]] && f=${t#*.}
	f=${f}000000
	echo $(( ${i:-0} * 1000000 + 10#${f:0:6} ))
}

# --- logging and exit helpers --------------------------------------------------

# log MSG...: timestamped (seconds since the test started) message.
log() {
	local d=$(( ${EPOCHREALTIME/./} - _LIB_T0 ))
	printf '[%3d.%03d] %s\n' $((d / 1000000)) $((d / 1000 % 1000)) "$*"
}

ksft_pass() {
	[ $# -eq 0 ] || log "PASS: $*"
	exit "$KSFT_PASS"
}

ksft_fail() {
	log "FAIL: $*"
	exit "$KSFT_FAIL"
}

# ksft_skip REASON: the runner shows REASON in the KTAP "# SKIP" directive.
ksft_skip() {
	echo "SKIP: $*"
	exit "$KSFT_SKIP"
}

# --- assertions: record a failure and continue --------------------------------

# fail MSG: mark the test failed (without exiting).
fail() {
	RET=$((RET + 1))
	log "FAIL: $*"
}

# check_err RC MSG: expect RC == 0 (use as: cmd; check_err $? "cmd failed").
check_err() {
	local rc=$1; shift
	if [ "$rc" -ne 0 ]; then fail "$* (expected success, got exit status $rc)"; return 1; fi
	return 0
}

# check_fail RC MSG: expect RC != 0.
check_fail() {
	local rc=$1; shift
	if [ "$rc" -eq 0 ]; then fail "$* (expected failure, got success)"; return 1; fi
	return 0
}

# check_eq GOT EXPECTED MSG
check_eq() {
	local got=$1 exp=$2; shift 2
	if [ "$got" != "$exp" ]; then
		fail "$*: expected '$exp', got '$got'"
		return 1
	fi
	return 0
}

# expect_eq EXPECTED GOT MSG: check_eq with the expected value first.
expect_eq() {
	check_eq "$2" "$1" "${@:3}"
}

# check_ne GOT UNEXPECTED MSG
check_ne() {
	local got=$1 bad=$2; shift 2
	if [ "$got" = "$bad" ]; then
		fail "$*: expected anything but '$bad'"
		return 1
	fi
	return 0
}

# check_match GOT ERE MSG: GOT must match the extended regex ERE.
check_match() {
	local got=$1 re=$2; shift 2
	if ! [[ $got =~ $re ]]; then
		fail "$*: expected a match for /$re/, got '$got'"
		return 1
	fi
	return 0
}

# check_ge GOT MIN MSG: integer GOT >= MIN.
check_ge() {
	local got=$1 min=$2; shift 2
	if ! [[ $got =~ ^-?[0-9]+$ ]] || [ "$got" -lt "$min" ]; then
		fail "$*: expected >= $min, got '$got'"
		return 1
	fi
	return 0
}

# check_cmd MSG CMD...: CMD must succeed; its output is shown if it fails.
check_cmd() {
	local msg=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	if [ $rc -ne 0 ]; then
		fail "$msg: '$*' exited $rc (expected 0)${out:+; output: $out}"
		return 1
	fi
	return 0
}

# check_cmd_fail MSG CMD...: CMD must fail.
check_cmd_fail() {
	local msg=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then
		fail "$msg: '$*' succeeded (expected failure)${out:+; output: $out}"
		return 1
	fi
	return 0
}

# exit_status: end the test: fail if any check failed, else pass.
exit_status() {
	if [ "$RET" -ne 0 ]; then
		log "FAIL: $RET check(s) failed"
		exit "$KSFT_FAIL"
	fi
	log "PASS"
	exit "$KSFT_PASS"
}

# --- waiting -----------------------------------------------------------------------

# SLOW: how many times slower than Debian's kernel on an idle machine this
# VM runs, an integer >= 1.  vm_runner.sh measures it once (a calibration
# loop, see there) and exports MGRE_SLOW; the debug kernel counts as at
# least 3.  Every limit of wait_until is multiplied by it, so a wait for
# something the kernel does "within 2 s" on Debian's kernel waits up to
# 2*SLOW s there.  A test that asserts a duration (an expiry, a failover
# time) measures it with now_ms and allows for SLOW explicitly.
SLOW=${MGRE_SLOW:-}
if ! [[ $SLOW =~ ^[1-9][0-9]*$ ]]; then
	SLOW=1
	[ "$DEBUG_KERNEL" != 1 ] || SLOW=3
fi
[ "$DEBUG_KERNEL" != 1 ] || [ "$SLOW" -ge 3 ] || SLOW=3

# now_ms: milliseconds since the test started (no program started).
now_ms() {
	echo $(( (${EPOCHREALTIME/./} - _LIB_T0) / 1000 ))
}

# wait_until TIMEOUT_S CMD...: run CMD every 0.1 s until it succeeds.
# Returns 1 (with a message) if it still fails after TIMEOUT_S * SLOW
# seconds (fractions allowed in TIMEOUT_S).
wait_until() {
	local timeout=$1; shift
	local start=${EPOCHREALTIME/./} limit
	limit=$(( $(_usec "$timeout") * SLOW ))
	while :; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		if (( ${EPOCHREALTIME/./} - start >= limit )); then
			log "wait_until: timed out after ${timeout}s (x$SLOW) waiting for: $*"
			return 1
		fi
		_sleep 0.1
	done
}

# wait_timed TIMEOUT_S CMD...: wait_until, bracketing the instant CMD
# started to succeed: after WT_LO (when the last poll that failed began;
# 0 if the first poll succeeded: nothing known) and before WT_HI (when
# the one that succeeded ended), both now_ms.  For durations the test
# asserts: the polls' own cost does not count against the kernel.
WT_LO=0 WT_HI=0
wait_timed() {
	local timeout=$1 start t; shift
	start=$(now_ms)
	WT_LO=0
	while :; do
		t=$(now_ms)
		if "$@" >/dev/null 2>&1; then
			WT_HI=$(now_ms)
			return 0
		fi
		WT_LO=$t
		if (( $(now_ms) - start >= timeout * 1000 * SLOW )); then
			log "wait_timed: timed out after ${timeout}s (x$SLOW) waiting for: $*"
			return 1
		fi
		_sleep 0.1
	done
}

# ping_count NS ARGS...: run ping ARGS in NS (give it -c/-w: never stop a
# ping with a signal); PING_TX and PING_RX are the requests it sent and
# the replies it got, from its summary, PING_OUT its output.
PING_TX='' PING_RX='' PING_OUT=''
ping_count() {
	local ns=$1

	shift
	PING_OUT=$(in_ns "$ns" ping "$@" 2>&1)
	if [[ $PING_OUT =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]]; then
		PING_TX=${BASH_REMATCH[1]} PING_RX=${BASH_REMATCH[2]}
		return 0
	fi
	PING_TX=-1 PING_RX=-1
	fail "ping $* in $ns: no summary: $PING_OUT"
	return 1
}

# is_count VALUE MSG: VALUE is a number (a counter read with topo.sh's
# counter, which prints -1 when it cannot be read).
is_count() { check_ge "$1" 0 "$2"; }

# --- requirements --------------------------------------------------------------------

# The Debian package (scripts/deps.sh installs them all) of each command a
# test may require.
declare -A _CMD_PKG=(
	[tcpdump]=tcpdump [tshark]=tshark [sharkd]=tshark [iperf3]=iperf3
	[socat]=socat [nft]=nftables [ethtool]=ethtool [jq]=jq
	[python3]=python3 [swanctl]=strongswan-swanctl
	[/usr/lib/ipsec/charon]=strongswan-charon [valgrind]=valgrind
	[zebra]=frr [/usr/lib/frr/zebra]=frr [/usr/lib/frr/nhrpd]=frr
	[/usr/lib/frr/ospfd]=frr [/usr/lib/frr/bgpd]=frr [/usr/lib/frr/eigrpd]=frr [vtysh]=frr
	[ping]=iputils-ping [ip]=iproute2 [modprobe]=kmod [rmmod]=kmod
	[modinfo]=kmod [bridge]=iproute2
)

# missing_tool WHAT: a required tool is missing.  A skip outside CI; with
# CI=true a failure that names the package (a skip there would let a green
# run hide a test that never ran).
missing_tool() {
	if [ "${CI:-}" = true ]; then
		ksft_fail "missing in CI: $* (scripts/deps.sh must install it)"
	fi
	ksft_skip "$*"
}

# require_cmd CMD...: a command (or an executable path) the test needs.
require_cmd() {
	local c
	for c in "$@"; do
		if [[ $c == /* ]]; then
			[ -x "$c" ] && continue
		else
			command -v "$c" >/dev/null 2>&1 && continue
		fi
		missing_tool "required command '$c' not found (Debian package ${_CMD_PKG[$c]:-?})"
	done
}

# require_root
require_root() {
	[ "$(id -u)" = 0 ] || ksft_skip "must run as root"
}

# require_module MOD...: skip unless each module is loaded, built in, or
# loadable.
require_module() {
	local m
	for m in "$@"; do
		[ -d "/sys/module/$m" ] && continue
		modprobe -q "$m" 2>/dev/null || missing_tool "kernel module '$m' not available"
	done
}

# --- cleanup ---------------------------------------------------------------------------

# cleanup_add CMD...: run CMD (as given) at exit, last added first.
cleanup_add() {
	local q
	printf -v q '%q ' "$@"
	_CLEANUP_CMDS+=("$q")
}

# bg_register PID...: kill these processes at exit.
bg_register() {
	_BG_PIDS+=("$@")
}

# bg_start CMD...: start CMD in the background, register it for cleanup and
# set BG_PID to its PID.  (Use "bg_start ip netns exec NS cmd" for a
# process in a namespace; ip netns exec keeps the PID.)
BG_PID=
bg_start() {
	"$@" &
	BG_PID=$!
	_BG_PIDS+=("$BG_PID")
}

# _kill_wait PID...: TERM, wait up to 2 s, then KILL.
_kill_wait() {
	local p alive i
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	for ((i = 0; i < 20; i++)); do
		alive=0
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ $alive = 1 ] || break
		_sleep 0.1
	done
	kill -KILL "$@" 2>/dev/null
	for p in "$@"; do
		wait "$p" 2>/dev/null
	done
	return 0
}

cleanup() {
	local rc=$? i pids
	trap - EXIT INT TERM HUP
	set +e
	# A test that recorded a failure fails, however it ended (fell off
	# its end, an exit 0 by mistake, a script edited while it ran).
	if [ "$rc" = 0 ] && [ "$RET" -ne 0 ]; then
		log "FAIL: $RET check(s) failed, but the test exited 0"
		rc=$KSFT_FAIL
	fi
	for ((i = ${#_CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${_CLEANUP_CMDS[$i]}" >/dev/null 2>&1
	done
	_kill_wait "${_BG_PIDS[@]}"
	if [ ${#_NS_LIST[@]} -gt 0 ]; then
		# One ip for all namespaces (each program costs under TCG).
		pids=$(printf 'netns pids %s\n' "${_NS_LIST[@]}" | ip -force -batch - 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || _kill_wait $pids
		printf 'netns del %s\n' "${_NS_LIST[@]}" | ip -force -batch - 2>/dev/null
	fi
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		log "keeping $TEST_TMP"
	else
		rm -rf "$TEST_TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
# A timeout (the runner sends TERM) or ^C still runs the cleanup.
trap 'log "interrupted (signal)"; exit 1' INT TERM HUP

# --- namespaces and links ---------------------------------------------------------------

# ns_create NAME...: create network namespaces (lo up), deleted at exit.
ns_create() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || ksft_fail "cannot create netns $ns"
		_NS_LIST+=("$ns")
		ip -n "$ns" link set lo up || ksft_fail "cannot bring up lo in $ns"
	done
}

# ns_forget NAME...: the test deleted these namespaces itself; do not
# delete them at exit.
ns_forget() {
	local ns i
	for ns in "$@"; do
		for i in "${!_NS_LIST[@]}"; do
			[ "${_NS_LIST[$i]}" != "$ns" ] || unset "_NS_LIST[$i]"
		done
	done
}

# in_ns NS CMD...: run CMD in NS ("" or "-" = the initial namespace).
# (An ip command runs as "ip -n NS": one program started instead of two,
# which counts under emulation, where starting one takes 0.1-0.5 s.)
in_ns() {
	local ns=$1; shift
	if [ -z "$ns" ] || [ "$ns" = - ]; then
		"$@"
	elif [ "$1" = ip ]; then
		shift
		ip -n "$ns" "$@"
	else
		ip netns exec "$ns" "$@"
	fi
}

# veth_pair NS1 IF1 NS2 IF2: veth IF1 in NS1 <-> IF2 in NS2, both up.
# NS "" or "-" means the initial namespace.
veth_pair() {
	local ns1=$1 if1=$2 ns2=$3 if2=$4 a b
	a=() b=()
	[ -z "$ns1" ] || [ "$ns1" = - ] || a=(netns "$ns1")
	[ -z "$ns2" ] || [ "$ns2" = - ] || b=(netns "$ns2")
	# ("name" is needed: ip would take a bare "a" for "address")
	ip link add name "$if1" "${a[@]}" type veth peer name "$if2" "${b[@]}" ||
		ksft_fail "cannot create veth $ns1/$if1 <-> $ns2/$if2"
	if ! in_ns "$ns1" ip link set dev "$if1" up || ! in_ns "$ns2" ip link set dev "$if2" up; then
		ksft_fail "cannot bring up veth $if1/$if2"
	fi
}

# --- the mgre module ----------------------------------------------------------------------

# load_mgre [PARAM=VALUE...]: load $REPO/kmod/mgre.ko (after ip_tunnel, gre
# and whatever else it depends on) unless mgre is already loaded.  Fails the
# test (exits) if that is impossible.
load_mgre() {
	local vermagic deps d out
	[ -d /sys/module/mgre ] && return 0
	[ -f "$MGRE_KO" ] || ksft_fail "load_mgre: $MGRE_KO not found (build it with 'make')"
	vermagic=$(modinfo -F vermagic "$MGRE_KO" 2>/dev/null | awk '{ print $1 }')
	[ "$vermagic" = "$(uname -r)" ] ||
		ksft_fail "load_mgre: $MGRE_KO is built for '$vermagic' but the running kernel is $(uname -r)"
	modprobe ip_tunnel || ksft_fail "load_mgre: modprobe ip_tunnel failed"
	modprobe gre || ksft_fail "load_mgre: modprobe gre failed"
	deps=$(modinfo -F depends "$MGRE_KO" 2>/dev/null)
	for d in ${deps//,/ }; do
		modprobe "$d" || ksft_fail "load_mgre: modprobe $d (needed by mgre) failed"
	done
	if ! out=$(insmod "$MGRE_KO" "$@" 2>&1); then
		ksft_fail "load_mgre: insmod $MGRE_KO failed: $out; dmesg: $(dmesg | tail -n 5)"
	fi
	log "loaded $MGRE_KO"
}

# unload_mgre: remove the mgre module if loaded; returns rmmod's status.
unload_mgre() {
	[ -d /sys/module/mgre ] || return 0
	rmmod mgre
}

# --- packet captures ------------------------------------------------------------------------

# capture_start NS IF FILTER FILE: start tcpdump on IF in NS ("" or "-" =
# the initial namespace) writing FILE, and wait until it is capturing.
# FILTER is a pcap (tcpdump) filter, "" = everything.  Stop it with
# capture_stop (or at exit), count with capture_count.
capture_start() {
	local ns=$1 ifname=$2 filter=$3 file=$4 pid
	require_cmd tcpdump
	# --immediate-mode: no packet waits in the kernel ring buffer (TPACKET_V3
	# would hold it up to 1 s), so capture_stop loses nothing; -U: the file
	# is flushed after each packet, so it can be read while capturing.
	# Started as a simple command, not through in_ns: a shell function
	# put in the background runs in a subshell, $! would be that
	# subshell's PID, and capture_stop would kill the subshell and leave
	# tcpdump writing the file.  ip netns exec execs its command, so
	# $! is tcpdump's PID.
	local cmd=(tcpdump -i "$ifname" -n -s 0 -U --immediate-mode -Z root -w "$file")
	[ -z "$ns" ] || [ "$ns" = - ] || cmd=(ip netns exec "$ns" "${cmd[@]}")
	# shellcheck disable=SC2086	# the filter is split into words on purpose
	"${cmd[@]}" $filter >/dev/null 2>"$file.stderr" &
	pid=$!
	_BG_PIDS+=("$pid")
	_CAPTURE_PID[$file]=$pid
	# A capture that did not start proves nothing: fail the test (a bad
	# filter, an interface that does not exist, tcpdump dying).
	# (tcpdump prints "listening on" before it has checked everything: it
	# must also still run and have written the pcap header; a tcpdump
	# that exited is a failure at once, not after the whole wait)
	local start=${EPOCHREALTIME/./} limit=$((15000000 * SLOW))
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			ksft_fail "capture_start: tcpdump on ${ns:-init}/$ifname ('$filter') exited: $(cat "$file.stderr" 2>/dev/null)"
		fi
		if grep -q 'listening on' "$file.stderr" 2>/dev/null &&
		   [ "$(_file_size "$file")" -ge 24 ]; then
			return 0
		fi
		if (( ${EPOCHREALTIME/./} - start >= limit )); then
			ksft_fail "capture_start: tcpdump on ${ns:-init}/$ifname ('$filter') did not start within $((15 * SLOW)) s: $(cat "$file.stderr" 2>/dev/null)"
		fi
		_sleep 0.1
	done
}

_file_size() {
	stat -c %s "$1" 2>/dev/null || echo 0
}

# capture_stop [FILE...]: stop the given captures (default: all).  Waits
# until the files stop growing (3 polls 0.1 s apart, at most 5 s) so
# packets still in flight are not lost, then stops tcpdump and waits for it.
capture_stop() {
	local f pid files size last same i
	if [ $# -gt 0 ]; then files=("$@"); else files=("${!_CAPTURE_PID[@]}"); fi
	[ ${#files[@]} -gt 0 ] || return 0
	for ((i = 0, same = 0, last = -1; i < 50 && same < 3; i++)); do
		size=0
		for f in "${files[@]}"; do size=$((size + $(_file_size "$f"))); done
		if [ "$size" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$size
		_sleep 0.1
	done
	for f in "${files[@]}"; do
		pid=${_CAPTURE_PID[$f]:-}
		[ -n "$pid" ] || continue
		# A capture that stopped by itself (its interface went away,
		# an error) may have missed what the test counts next.
		kill -0 "$pid" 2>/dev/null ||
			fail "capture_stop: tcpdump writing $f had already exited: $(cat "$f.stderr" 2>/dev/null)"
		# (not SIGINT: background jobs of a script ignore it)
		kill -TERM "$pid" 2>/dev/null
		wait_until 5 _not_running "$pid" || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		unset "_CAPTURE_PID[$f]"
		# tcpdump says so on exit: the file is closed, nothing more
		# will be added to what the test counts next.
		grep -qE 'packets? captured' "$f.stderr" 2>/dev/null ||
			fail "capture_stop: tcpdump writing $f did not exit on SIGTERM: $(cat "$f.stderr" 2>/dev/null)"
	done
	return 0
}

_not_running() {
	! kill -0 "$1" 2>/dev/null
}

# capture_count FILE [DISPLAY_FILTER]: print how many packets in FILE match
# the Wireshark display filter, e.g.
#	capture_count f.pcap 'ip.src==192.0.2.1 && gre.key==10000 && icmp.type==8'
# Works while the capture is still running.  Prints -1 (and the error on
# stderr) for an invalid filter or an unreadable file.
#
# tshark needs 5-15 s just to start under TCG, so when the runner has
# started a sharkd (MGRE_SHARKD=socket, see vm_runner.sh) the question
# goes to it instead: it forks an initialized dissector per connection.
capture_count() {
	local file=$1 filter=${2:-} out n
	if [ -n "${MGRE_SHARKD:-}" ] && command -v socat >/dev/null 2>&1 &&
		wait_until 120 test -S "$MGRE_SHARKD"; then
		out=$(_sharkd_frames "$file" "$filter")
		if [[ $out == *'"id":1,"result":{"status":"OK"}'* && $out == *'"id":2,"result":['* ]]; then
			n=${out//\"num\":/}	# one '"num":' (6 chars) per frame
			echo $(( (${#out} - ${#n}) / 6 ))
			return 0
		fi
		echo "capture_count: sharkd ($file, '$filter'): ${out:-no answer}" >&2
		if [[ $out == *'"error"'* ]]; then echo -1; return 1; fi
		# no usable answer: fall back to tshark
	fi
	require_cmd tshark
	if ! out=$(tshark -r "$file" -n ${filter:+-Y "$filter"} 2>&1 >"$TEST_TMP/.tshark.out"); then
		echo "capture_count: tshark: $out" >&2
		echo -1
		return 1
	fi
	wc -l < "$TEST_TMP/.tshark.out"
}

_json_str() {	# JSON string literal
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

# _sharkd_frames FILE FILTER: sharkd's answers to "load" and "frames".
_sharkd_frames() {
	local file filter
	file=$(_json_str "$(realpath "$1")")
	filter=$(_json_str "$2")
	printf '%s\n%s\n' \
		'{"jsonrpc":"2.0","id":1,"method":"load","params":{"file":'"$file"'}}' \
		'{"jsonrpc":"2.0","id":2,"method":"frames","params":{"filter":'"$filter"'}}' |
		socat -t 30 -T 60 - "UNIX-CONNECT:$MGRE_SHARKD" 2>/dev/null
}

# capture_count_bpf FILE [PCAP_FILTER]: the same with a tcpdump filter
# (much faster to start than tshark), e.g. 'icmp[icmptype] == icmp-echo'.
# Prints -1 and returns 1 (the error on stderr) when tcpdump cannot read
# FILE or the filter is invalid: never 0 for "could not count".
capture_count_bpf() {
	local file=$1 rc; shift
	[ -s "$file" ] || { echo "capture_count_bpf: no capture file $file" >&2; echo -1; return 1; }
	# shellcheck disable=SC2068	# the filter is split into words on purpose
	tcpdump -r "$file" -n $@ 2>"$TEST_TMP/.bpf.err" >"$TEST_TMP/.bpf.out"
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "capture_count_bpf: tcpdump -r $file '$*' exited $rc: $(head -c 300 "$TEST_TMP/.bpf.err")" >&2
		echo -1
		return 1
	fi
	wc -l < "$TEST_TMP/.bpf.out"
}

# capture_seen FILE MIN PCAP_FILTER... : the positive control of a "nothing
# went through" check: FILE (the same capture) holds at least MIN packets
# matching the filter, or the test fails saying so.
capture_seen() {
	local file=$1 min=$2 n; shift 2
	n=$(capture_count_bpf "$file" "$@")
	if [ "$n" -lt "$min" ]; then
		fail "positive control: $file has $n packet(s) matching '$*', expected >= $min (did the capture see the traffic?)"
		return 1
	fi
	return 0
}

# capture_wait TIMEOUT_S FILE MIN [PCAP_FILTER]: wait until FILE holds at
# least MIN packets matching the tcpdump filter.
capture_wait() {
	local timeout=$1 file=$2 min=$3; shift 3
	wait_until "$timeout" _capture_ge "$file" "$min" "$@"
}
_capture_ge() {
	local file=$1 min=$2 n; shift 2
	n=$(capture_count_bpf "$file" "$@") || return 2
	[ "$n" -ge "$min" ]
}

# first_ts PCAP FILTER: the tcpdump -tt time (microseconds since the epoch)
# of the first packet in PCAP matching FILTER; nothing if there is none.
# last_ts: the same for the last one.
first_ts() {
	local f=$1 ts; shift
	# shellcheck disable=SC2068	# the filter is split into words on purpose
	ts=$(tcpdump -r "$f" -tt -n -c 1 $@ 2>/dev/null)
	ts=${ts%% *}
	[[ $ts =~ ^[0-9]+\.[0-9]{6}$ ]] && echo "${ts/./}"
}
last_ts() {
	local f=$1 ts; shift
	# shellcheck disable=SC2068
	ts=$(tcpdump -r "$f" -tt -n $@ 2>/dev/null | tail -n 1)
	ts=${ts%% *}
	[[ $ts =~ ^[0-9]+\.[0-9]{6}$ ]] && echo "${ts/./}"
}

# capture_dump FILE [PCAP_FILTER]: print the decoded packets (for failures).
capture_dump() {
	local file=$1; shift
	# shellcheck disable=SC2068
	tcpdump -r "$file" -n -v $@ 2>/dev/null
}

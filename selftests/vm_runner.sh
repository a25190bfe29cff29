#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest-side selftest runner (normally started by selftests/run.sh through
# scripts/vm/run.sh, but it runs anywhere the module can be loaded).
#
# Runs every test in version-sorted order (05_x, 10_x, ..., 100_x); a test
# is an executable selftests/mgre/*.sh whose first line is a "#!" line (so
# sourced helpers such as lib.sh or topo.sh are not run even if they are
# executable).  Prints KTAP:
#
#	KTAP version 1
#	1..N
#	# running NAME (timeout Ts)
#	# <test output, indented>
#	# NAME: 1.234 s (exit 0)
#	ok 1 NAME
#	...
#	# Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:0
#
# A copy of the KTAP goes to $KTAP_FILE (default $MGRE_OUT/ktap.txt inside
# the VM) and each test's raw output to $LOG_DIR/NAME.log (default
# $MGRE_OUT/logs).
#
# Environment:
#   TESTS="w1 w2"   run only tests whose name contains one of the words
#                   (shell globs allowed: TESTS="0[0-2]_*")
#   TEST_TIMEOUT    default per-test timeout in seconds (300); a test can
#                   set its own with a "# timeout: N" line near its top
#   DMESG_IGNORE    ERE of dmesg lines to ignore in the dmesg check
#   TIMEOUT_SCALE   multiply every test's timeout (default 1)
#   FIRST           test names (word prefixes) to run first, in that order
#   TIME_BUDGET     seconds: a safety net for CI's time limit: tests not
#                   started within that time of the runner's start FAIL
#                   ("time budget used up": the pass did not run what it
#                   should), and no test runs past it by more than 10 min
#   MGRE_SLOW       the slowness factor lib.sh multiplies waits by; by
#                   default measured here once (see calibrate below)
#   GCOV_EACH=1     on a kernel with gcov (the debug kernel): after each
#                   test, copy mgre's coverage counters to
#                   $MGRE_OUT/gcov/NAME/ and reset them; without it they
#                   accumulate and are copied once at the end to
#                   $MGRE_OUT/gcov/all/ (selftests/coverage.sh reads both)
#
# With CI=true a test that SKIPs (exit 4) is reported as failed: in CI
# every tool must be installed (scripts/deps.sh) and every selected test
# must run.
#
# After each test: leaked network namespaces fail the test (and are
# removed, with their processes); new dmesg lines matching
# $DMESG_PATTERN fail it too; stray processes and links left in the
# initial namespace are reported and removed.  On a kernel with kmemleak
# (the debug kernel, scripts/debug-kernel/), after every test,
# selftests/kmemleak_final.sh runs as the last result, "kmemleak_final":
# rmmod mgre, two scans, no leak from mgre (KMEMLEAK_FINAL=0 skips it).
# With KMEMLEAK_EACH=1 a scan also follows each test (a scan takes tens
# of seconds under emulation, so it is off by default), to tell which
# test leaked: suspected leaks allocated by mgre (an "mgre" frame in the
# allocation backtrace, or a module address nothing resolves any more: an
# unloaded module) fail the test, other suspects are reported as warnings
# (the report is kept in $LOG_DIR/NAME.kmemleak).
#
#   vm_runner.sh --list     print "NAME TIMEOUT" for the selected tests
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TDIR=$HERE/mgre
DEFAULT_TIMEOUT=${TEST_TIMEOUT:-300}
DMESG_PATTERN='BUG:|WARNING:|Oops|KASAN|UBSAN|kmemleak|lockdep|RCU|rcu_.*stall|blocked for more than|general protection|Kernel panic|list_(add|del) corruption|refcount_t:|unregister_netdevice: waiting for|ref_tracker|leaked [0-9]+ references'
DMESG_IGNORE=${DMESG_IGNORE:-}
# Links the kernel creates by itself when tunnel modules load.
FALLBACK_LINKS='^(lo|gre0|gretap0|erspan0|ip_vti0|ip6_vti0|ip6tnl0|ip6gre0|sit0|tunl0|eth[0-9]+)$'

select_tests() {
	local f name w keep first
	for f in "$TDIR"/*.sh; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
		IFS= read -r first < "$f" || continue
		[[ $first == '#!'* ]] || continue
		name=${f##*/}; name=${name%.sh}
		if [ -n "${TESTS:-}" ]; then
			keep=0
			for w in $TESTS; do
				# shellcheck disable=SC2053	# glob match on purpose
				[[ $name == *$w* ]] && keep=1
			done
			[ $keep = 1 ] || continue
		fi
		echo "$name"
	done | LC_ALL=C sort -V
}

test_timeout() {
	local t
	t=$(head -n 30 "$1" | sed -n 's/^#[[:space:]]*timeout:[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
	# (TIMEOUT_SCALE: the debug kernel runs everything slower)
	echo "$(( ${t:-$DEFAULT_TIMEOUT} * ${TIMEOUT_SCALE:-1} ))"
}

mapfile -t NAMES < <(select_tests)
if [ -n "${FIRST:-}" ]; then
	declare -A _first=()
	_ordered=()
	for w in $FIRST; do
		for n in "${NAMES[@]}"; do
			[[ $n == "$w"* ]] && [ -z "${_first[$n]:-}" ] || continue
			_first[$n]=1
			_ordered+=("$n")
		done
	done
	for n in "${NAMES[@]}"; do
		[ -n "${_first[$n]:-}" ] || _ordered+=("$n")
	done
	NAMES=("${_ordered[@]}")
	unset _first _ordered
fi

if [ "${1:-}" = --list ]; then
	for n in "${NAMES[@]}"; do
		echo "$n $(test_timeout "$TDIR/$n.sh")"
	done
	exit 0
fi
# On a kmemleak kernel, the last result: see the top.
if [ -w /sys/kernel/debug/kmemleak ] && [ "${KMEMLEAK_FINAL:-1}" = 1 ]; then
	NAMES+=(kmemleak_final)
fi

if [ -n "${MGRE_OUT:-}" ] && [ -d "$MGRE_OUT" ]; then
	KTAP_FILE=${KTAP_FILE:-$MGRE_OUT/ktap.txt}
	LOG_DIR=${LOG_DIR:-$MGRE_OUT/logs}
else
	KTAP_FILE=${KTAP_FILE:-/dev/null}
	LOG_DIR=${LOG_DIR:-$(mktemp -d /tmp/mgre-selftests.XXXXXX)}
fi
mkdir -p "$LOG_DIR"
[ "$KTAP_FILE" = /dev/null ] || : > "$KTAP_FILE"

emit() {
	printf '%s\n' "$*"
	[ "$KTAP_FILE" = /dev/null ] || printf '%s\n' "$*" >> "$KTAP_FILE"
}
diag() {	# diag < lines: indent as KTAP diagnostics
	local l
	while IFS= read -r l; do emit "# $l"; done
}

# These run between every two tests: shell builtins only, since every
# program started costs tens of milliseconds under TCG.

user_pids() {	# PIDs of user-space processes (kernel threads have no cmdline)
	local d c self=$BASHPID
	for d in /proc/[0-9]*; do
		[ "${d#/proc/}" != "$self" ] || continue
		c=
		IFS= read -r -d '' c < "$d/cmdline" 2>/dev/null
		# (the runner's own sharkd daemonizes while the first test runs)
		[ -z "$c" ] || [ "${c##*/}" = sharkd ] || echo "${d#/proc/}"
	done
}

links() {	# network devices of the initial namespace
	local l
	for l in /sys/class/net/*; do
		[ -e "$l" ] && echo "${l##*/}"
	done
}

netns_list() {
	local n
	for n in /run/netns/* /var/run/netns/*; do
		[ -e "$n" ] && echo "${n##*/}"
	done | LC_ALL=C sort -u
}

KMEMLEAK=/sys/kernel/debug/kmemleak
# An allocation backtrace frame from mgre, or an unresolved address (the
# code of a module unloaded since: under test, that is mgre).
KMEMLEAK_MGRE='\[mgre\]|[[:space:]]mgre_[a-z0-9_]+\+0x|\[<[0-9a-f]+>\] 0x[0-9a-f]+$'
# kmemleak_scan NAME: scan, classify the suspects (see the top), "clear"
# them so the next scan reports only new ones.  Sets KMEMLEAK_REASON.
kmemleak_scan() {
	local rep n
	KMEMLEAK_REASON=
	[ -w $KMEMLEAK ] || return 0
	[ "${KMEMLEAK_EACH:-0}" = 1 ] || return 0
	echo scan > $KMEMLEAK 2>/dev/null
	rep=$(< $KMEMLEAK)
	[ -n "$rep" ] || return 0
	printf '%s\n' "$rep" >> "$LOG_DIR/$1.kmemleak"
	n=$(grep -c '^unreferenced object' <<<"$rep")
	if grep -Eq "$KMEMLEAK_MGRE" <<<"$rep"; then
		KMEMLEAK_REASON="kmemleak: suspected leak(s) from mgre ($n suspects, see $1.kmemleak)"
		emit "# $1: kmemleak report:"
		head -n 120 <<<"$rep" | diag
	else
		emit "# warning: kmemleak: $n suspected leak(s) not from mgre after $1 (see $1.kmemleak)"
	fi
	echo clear > $KMEMLEAK 2>/dev/null
}

dump_dmesg() {	# the last 80 kernel messages logged during the test
	local k=$(( ${#new_dmesg[@]} - 80 ))
	[ ${#new_dmesg[@]} -gt 0 ] || return 0
	emit "# kernel messages during the test:"
	for ((k = k < 0 ? 0 : k; k < ${#new_dmesg[@]}; k++)); do
		emit "#   ${new_dmesg[$k]}"
	done
}

# recap_failures NAME LOG: the test's first FAIL lines again, after the
# kernel messages, so that the reason sits next to "not ok" in a log's tail.
recap_failures() {
	local l

	grep -m 10 -F 'FAIL:' "$2" 2>/dev/null | while IFS= read -r l; do
		emit "# $1: ${l}"
	done
}

# calibrate: the slowness factor of this VM (MGRE_SLOW, for lib.sh's
# wait_until).  Starting programs and running shell code are what the
# tests' polls cost; both are timed here, three times, best kept, against
# what Debian's kernel takes on an idle 2-core machine of the kind CI
# runs on (CALIBRATION_MS, measured there: 10 execs of /bin/true and a
# 30000-step shell loop).  A busy or slow host gives 2, 3, ...; the debug
# kernel is at least 3 (lib.sh).  Sets MGRE_SLOW and CALIBRATED_MS.
CALIBRATION_MS=800
calibrate() {
	local k i t0 t1 best=0 ms
	for k in 1 2 3; do
		t0=${EPOCHREALTIME/./}
		for ((i = 0; i < 10; i++)); do /bin/true; done
		for ((i = 0; i < 30000; i++)); do :; done
		t1=${EPOCHREALTIME/./}
		ms=$(( (t1 - t0) / 1000 ))
		[ "$best" -gt 0 ] && [ "$best" -le "$ms" ] || best=$ms
	done
	CALIBRATED_MS=$best
	# rounded to the nearest integer, at least 1
	k=$(( (best * 10 / CALIBRATION_MS + 5) / 10 ))
	MGRE_SLOW=$(( k < 1 ? 1 : k ))
}
if ! [[ ${MGRE_SLOW:-} =~ ^[1-9][0-9]*$ ]]; then
	calibrate
	SLOW_NOTE="measured: ${CALIBRATED_MS} ms for ${CALIBRATION_MS} ms on an idle machine"
else
	SLOW_NOTE="from the environment"
fi
export MGRE_SLOW

# Coverage of mgre (a kernel with CONFIG_GCOV_KERNEL, and mgre.ko built
# with GCOV_PROFILE: the debug kernel).  gcov_copy DIR: mgre's .gcda files
# (debugfs keeps the counts of an unloaded module, summed over reloads).
GCOV_DIR=/sys/kernel/debug/gcov
gcov_copy() {
	local f
	[ -d $GCOV_DIR ] && [ -n "${MGRE_OUT:-}" ] || return 0
	mkdir -p "$1"
	while IFS= read -r f; do
		# (cat: debugfs reports a size of 0, which cp may believe)
		cat "$f" > "$1/${f##*/}"
	done < <(find $GCOV_DIR -path '*/kmod/*.gcda' 2>/dev/null)
}

emit "KTAP version 1"
emit "1..${#NAMES[@]}"
emit "# slowness factor MGRE_SLOW=$MGRE_SLOW ($SLOW_NOTE)"
emit "# kernel $(uname -r), $(nproc) cpus, tests from $TDIR"

# Kernel options from selftests/mgre/config missing from the running kernel
# (one grep: a shell loop over the 9000-line config takes seconds here).
kconfig=/boot/config-$(uname -r)
if [ ! -r "$kconfig" ] && [ -r /proc/config.gz ]; then	# (the debug kernel)
	kconfig=$(mktemp /tmp/kconfig.XXXXXX)
	zcat /proc/config.gz > "$kconfig"
fi
if [ -r "$kconfig" ] && [ -r "$TDIR/config" ]; then
	mapfile -t want < <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' "$TDIR/config")
	if [ ${#want[@]} -gt 0 ]; then
		re=$(IFS='|'; echo "${want[*]}")
		declare -A have=()
		while IFS='=' read -r k _; do have[$k]=1; done < <(grep -E "^($re)=(y|m)$" "$kconfig")
		for k in "${want[@]}"; do
			[ -n "${have[$k]:-}" ] || emit "# warning: the running kernel lacks $k"
		done
		unset have
	fi
fi

# tshark needs 5-15 s to start under TCG: start one sharkd now (while the
# first tests run) for lib.sh's capture_count.  It forks an initialized
# dissector per connection.
# (Not on the debug kernel, where the tshark checks are skipped.)
if [ -z "${MGRE_SHARKD+x}" ] && [ ! -e /sys/kernel/debug/kmemleak ] &&
	command -v sharkd >/dev/null 2>&1 &&
	command -v socat >/dev/null 2>&1; then
	export MGRE_SHARKD=/run/mgre-sharkd.sock
	rm -f "$MGRE_SHARKD"
	(sharkd "unix:$MGRE_SHARKD" </dev/null >/dev/null 2>&1 &)
fi

PASS=0 FAIL=0 SKIP=0
RUNNER_T0=${EPOCHREALTIME/./}
mapfile -t dm < <(dmesg 2>/dev/null)
dmesg_seen=${#dm[@]}
[ -w $KMEMLEAK ] && echo clear > $KMEMLEAK 2>/dev/null
# kmemleak_final.sh compares the objects in use of the skb and dst caches
# after the run with these.
if [ -w $KMEMLEAK ]; then
	for c in skbuff_head_cache skbuff_fclone_cache ip_dst_cache; do
		echo 1 > "/sys/kernel/slab/$c/shrink" 2>/dev/null
	done
	cp /proc/slabinfo /tmp/mgre-slabinfo.start 2>/dev/null
fi
i=0
for name in "${NAMES[@]}"; do
	i=$((i + 1))
	t=$TDIR/$name.sh
	[ "$name" != kmemleak_final ] || t=$HERE/$name.sh
	tmo=$(test_timeout "$t")
	log=$LOG_DIR/$name.log
	: > "$log"
	if [ -n "${TIME_BUDGET:-}" ] && [ "$name" != kmemleak_final ] &&
	   (( (${EPOCHREALTIME/./} - RUNNER_T0) / 1000000 >= TIME_BUDGET )); then
		FAIL=$((FAIL + 1))
		emit "# $name: not started: the time budget of ${TIME_BUDGET}s is used up"
		emit "not ok $i $name # time budget of ${TIME_BUDGET}s used up"
		continue
	fi
	# Within the budget, a test may run at most 10 min past its end.
	if [ -n "${TIME_BUDGET:-}" ] && [ "$name" != kmemleak_final ]; then
		left=$(( TIME_BUDGET + 600 - (${EPOCHREALTIME/./} - RUNNER_T0) / 1000000 ))
		[ "$tmo" -le "$left" ] || tmo=$left
	fi
	emit "# running $name (timeout ${tmo}s)"

	mapfile -t pids_before < <(user_pids)
	mapfile -t links_before < <(links)

	start=${EPOCHREALTIME/./}
	# The test writes to a file, which tail streams: a daemon the test
	# leaves behind cannot block the runner by holding a pipe open.
	(cd "$TDIR" && exec timeout -k 10 "$tmo" "$t") </dev/null >"$log" 2>&1 &
	tpid=$!
	tail -n +1 -s 0.2 -f --pid=$tpid "$log" 2>/dev/null | diag
	wait $tpid
	rc=$?
	end=${EPOCHREALTIME/./}
	dur=$(printf '%d.%03d' $(((end - start) / 1000000)) $(((end - start) / 1000 % 1000)))

	reasons=()
	# 1. leaked network namespaces
	leaked=$(netns_list)
	if [ -n "$leaked" ]; then
		reasons+=("leaked netns: $(echo "$leaked" | tr '\n' ' ')")
		for ns in $leaked; do
			p=$(ip netns pids "$ns" 2>/dev/null)
			# shellcheck disable=SC2086
			[ -z "$p" ] || kill -KILL $p 2>/dev/null
			ip netns del "$ns" 2>/dev/null
		done
	fi
	# 2. stray processes (reported, killed)
	declare -A before=()
	for p in "${pids_before[@]}"; do before[$p]=1; done
	stray=()
	while read -r p; do
		[ -n "${before[$p]:-}" ] || stray+=("$p")
	done < <(user_pids)
	unset before
	if [ ${#stray[@]} -gt 0 ]; then
		for p in "${stray[@]}"; do
			c=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)
			[ -n "$c" ] && emit "# warning: $name left process $p running: $c(killed)"
		done
		kill -KILL "${stray[@]}" 2>/dev/null
	fi
	# 3. links left in the initial namespace (reported, deleted)
	declare -A lb=()
	for l in "${links_before[@]}"; do lb[$l]=1; done
	while read -r l; do
		[ -z "${lb[$l]:-}" ] || continue
		[[ $l =~ $FALLBACK_LINKS ]] && continue
		emit "# warning: $name left link $l in the initial namespace (deleted)"
		ip link del "$l" 2>/dev/null
	done < <(links)
	unset lb
	# 4. coverage of this test alone
	if [ "${GCOV_EACH:-0}" = 1 ] && [ -d $GCOV_DIR ]; then
		gcov_copy "$MGRE_OUT/gcov/$name"
		echo 1 > $GCOV_DIR/reset
	fi
	# 5. kernel warnings
	kmemleak_scan "$name"
	[ -z "$KMEMLEAK_REASON" ] || reasons+=("$KMEMLEAK_REASON")
	mapfile -t dm < <(dmesg 2>/dev/null)
	new_dmesg=() bad=()
	for ((k = dmesg_seen; k < ${#dm[@]}; k++)); do
		l=${dm[$k]}
		new_dmesg+=("$l")
		[[ $l =~ $DMESG_PATTERN ]] || continue
		# (judged by kmemleak_scan from the report itself)
		[[ $l =~ kmemleak:\ [0-9]+\ new\ suspected\ memory\ leaks ]] && continue
		[ -n "$DMESG_IGNORE" ] && [[ $l =~ $DMESG_IGNORE ]] && continue
		bad+=("$l")
	done
	dmesg_seen=${#dm[@]}
	if [ ${#bad[@]} -gt 0 ]; then
		reasons+=("kernel warnings in dmesg: ${bad[0]}")
	fi

	emit "# $name: $dur s (exit $rc)"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		FAIL=$((FAIL + 1))
		emit "# $name: TIMEOUT after ${tmo}s"
		for r in "${reasons[@]}"; do emit "# $name: $r"; done
		dump_dmesg
		emit "not ok $i $name # TIMEOUT ${tmo}s"
	elif [ ${#reasons[@]} -gt 0 ] || { [ "$rc" != 0 ] && [ "$rc" != 4 ]; }; then
		FAIL=$((FAIL + 1))
		[ "$rc" = 0 ] || [ "$rc" = 4 ] || emit "# $name: exit status $rc"
		for r in "${reasons[@]}"; do emit "# $name: $r"; done
		dump_dmesg
		recap_failures "$name" "$log"
		emit "not ok $i $name"
	elif [ "$rc" = 4 ] && [ "${CI:-}" = true ]; then
		FAIL=$((FAIL + 1))
		why=$(sed -n 's/^SKIP:[[:space:]]*//p' "$log" | tail -n 1)
		emit "# $name: FAIL: skipped in CI (${why:-no reason given}): every test must run there"
		emit "not ok $i $name # skipped in CI: ${why:-no reason given}"
	elif [ "$rc" = 4 ]; then
		SKIP=$((SKIP + 1))
		why=$(sed -n 's/^SKIP:[[:space:]]*//p' "$log" | tail -n 1)
		emit "ok $i $name # SKIP ${why:-no reason given}"
	else
		PASS=$((PASS + 1))
		emit "ok $i $name"
	fi
done

# The whole pass's coverage (after kmemleak_final's rmmod: debugfs keeps it).
[ "${GCOV_EACH:-0}" = 1 ] || gcov_copy "${MGRE_OUT:-/nonexistent}/gcov/all"
emit "# Totals: pass:$PASS fail:$FAIL xfail:0 xpass:0 skip:$SKIP error:0"
[ "$FAIL" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test runner behind "make check" (and so .ci/run):
#   1. scripts/deps.sh                      (SKIP_DEPS=1 skips)
#   2. make -k                              (SKIP_BUILD=1 skips)
#   3. make -C selftests/unit check         (if that Makefile exists; SKIP_UNIT=1 skips)
#   4. one VM running selftests/vm_runner.sh (SKIP_VM=1 skips)
#   5. the FRR nhrpd interoperability test, two VMs
#      (selftests/interop/run_frr.sh; SKIP_INTEROP=1 skips, and so does
#      SKIP_VM=1 unless SKIP_INTEROP=0; with TESTS set it runs only if a
#      word of TESTS matches "interop" or "frr")
#   6. the VM selftests again, on the debug kernel (KASAN, UBSAN, lockdep,
#      PROVE_RCU, DEBUG_ATOMIC_SLEEP, kmemleak, debugobjects; booted with
#      panic_on_warn=1 and kmemleak=on): scripts/debug-kernel/build.sh builds
#      it from linux-source (cached in /var/cache/mgre, keyed by its config)
#      and mgre.ko against it; results are named "debug/TEST", plus
#      "debug/kmemleak_final" (rmmod mgre, kmemleak scans: no leak from
#      mgre).  SKIP_DEBUG_KERNEL=1 skips it, and so does SKIP_VM=1 unless
#      SKIP_DEBUG_KERNEL=0.
# then prints a summary ending in the line
#   N passed, N failed[, N skipped]
# and exits non-zero if anything failed (a build failure, a unit or VM
# test failure, a VM that died or timed out).
#
# Environment:
#   TESTS="words"     only VM tests whose name contains a word (see vm_runner.sh)
#   TEST_TIMEOUT      default per-test timeout in the VM (300 s)
#   VM_TIMEOUT        whole-VM limit (default: sum of the selected tests'
#                     timeouts + 300 s, at most VM_TIMEOUT_MAX=4200 s)
#   VM_ARGS           extra scripts/vm/run.sh options (word-split)
#   RESULTS_DIR       where logs go (default .build/check)
#   DEBUG_TIMEOUT_SCALE  test timeouts on the debug kernel: this many times
#                     the normal ones (default 3)
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
RESULTS_DIR=${RESULTS_DIR:-$REPO/.build/check}
rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"
T0=$(date +%s)

PASS=0 FAIL=0 SKIP=0
ROWS=()		# "STATUS|NAME|SECONDS|NOTE"
STAGES=()	# "NAME|SECONDS": the wall time of each stage, printed at the end
stage_done() {	# stage_done NAME START_EPOCH
	STAGES+=("$1|$(( $(date +%s) - $2 ))")
}
row() {		# row STATUS NAME [SECONDS] [NOTE]
	case $1 in
	PASS) PASS=$((PASS + 1)) ;;
	FAIL) FAIL=$((FAIL + 1)) ;;
	SKIP) SKIP=$((SKIP + 1)) ;;
	esac
	ROWS+=("$1|$2|${3:-}|${4:-}")
}
section() { printf '\n===== %s =====\n' "$*"; }
elapsed() { echo $(( $(date +%s) - $1 )); }

# --- 1. dependencies ------------------------------------------------------------------
if [ "${SKIP_DEPS:-0}" != 1 ]; then
	section "dependencies"
	t=$(date +%s)
	if ! scripts/deps.sh; then
		row FAIL deps "" "scripts/deps.sh failed"
	fi
	stage_done "dependencies" "$t"
fi

# The debug kernel (step 8) takes 8-20 min to build when it is not cached:
# start it now.  It and the debug pass after it are the longest chain of
# the run, so they have the CPUs first: the Debian-kernel VMs run at nice
# 5 and take what the chain leaves (much: its tests wait for timers).
DEBUG_BUILD_PID=
if [ "${SKIP_DEBUG_KERNEL:-${SKIP_VM:-0}}" != 1 ]; then
	mkdir -p "$RESULTS_DIR/debug"
	scripts/debug-kernel/build.sh --kernel-only \
		>"$RESULTS_DIR/debug/build-kernel.log" 2>&1 </dev/null &
	DEBUG_BUILD_PID=$!
	echo "selftests/run.sh: building (or checking) the debug kernel in the background, log: $RESULTS_DIR/debug/build-kernel.log"
fi

# --- 2. build ----------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
	section "build"
	t=$(date +%s)
	make -k -j"$(nproc)" 2>&1 | tee "$RESULTS_DIR/build.log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" = 0 ]; then
		echo "selftests/run.sh: build OK ($(elapsed "$t")s)"
	else
		row FAIL build "$(elapsed "$t")" "make exited $rc (see $RESULTS_DIR/build.log)"
	fi
	stage_done "build" "$t"
fi

# --- 3. host unit tests --------------------------------------------------------------------
# Counts KTAP/TAP result lines.  For nested KTAP, a parent's line is not
# counted when it has children (a failing parent without failing children,
# e.g. a crashed suite, still counts as one failure).
parse_tap() {	# parse_tap FILE PREFIX -> lines "STATUS|NAME||NOTE"
	awk -v prefix="$2" '
	function bump(D,   d) { for (d = 0; d < D; d++) failsince[d]++ }
	{
		sub(/\r$/, "")
		line = $0
		match(line, /^[ \t]*/)
		depth = RLENGTH
		rest = substr(line, depth + 1)
		if (rest !~ /^(not ok|ok)( |$)/)
			next
		st = (rest ~ /^not ok/) ? "FAIL" : "PASS"
		sub(/^(not ok|ok) */, "", rest)
		sub(/^[0-9]+ */, "", rest)
		sub(/^- */, "", rest)
		name = rest; note = ""
		if ((i = index(rest, "# ")) > 0) {
			name = substr(rest, 1, i - 1)
			note = substr(rest, i + 2)
			sub(/ +$/, "", name)
			if (toupper(note) ~ /^SKIP/) st = "SKIP"
			else if (toupper(note) ~ /^TODO/ && st == "FAIL") st = "SKIP"
		}
		if (name == "") name = "line " NR
		if (seen && lastdepth > depth) {
			# a parent: its children were counted already
			if (st == "FAIL") {
				if (failsince[depth] + 0 == 0)
					print "FAIL|" prefix name "||failed without failing subtests"
				bump(depth)
			}
			failsince[depth] = 0
			lastdepth = depth
			next
		}
		print st "|" prefix name "||" note
		if (st == "FAIL") bump(depth)
		seen = 1; lastdepth = depth
	}' "$1"
	return 0
}

if [ "${SKIP_UNIT:-0}" != 1 ]; then
	if [ -f selftests/unit/Makefile ]; then
		section "unit tests"
		t=$(date +%s)
		make -C selftests/unit check 2>&1 | tee "$RESULTS_DIR/unit.log"
		rc=${PIPESTATUS[0]}
		nres=0 nfail=0
		while IFS='|' read -r st name _ note; do
			row "$st" "$name" "" "$note"
			nres=$((nres + 1))
			[ "$st" != FAIL ] || nfail=$((nfail + 1))
		done < <(parse_tap "$RESULTS_DIR/unit.log" "unit: ")
		if [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
			row FAIL "unit: make check" "$(elapsed "$t")" "exited $rc (see $RESULTS_DIR/unit.log)"
		elif [ "$nres" = 0 ]; then
			row PASS "unit: make check" "$(elapsed "$t")" "no ok/not ok lines, judged by exit status"
		fi
	else
		echo "selftests/run.sh: no selftests/unit/Makefile: unit tests skipped"
	fi
	stage_done "unit tests" "$t"
	# The tools' own tests (fake netlink, no module needed; valgrind for
	# leaks), the Debian packages and DKMS's build of the module for the
	# VM's kernel (installed by VM test 240_packages), the codec fuzz smoke (the regression inputs, then 20 s of
	# libFuzzer from the capture vectors) and the kernel style checks: one
	# result each, judged by exit status.
	for chk in "tools: nhrpctl|make -C tools/nhrpctl check" \
		   "tools: iproute2 plugin|make -C tools/iproute2 check" \
		   "tools: mgre-quick|make -C tools/mgre-quick check" \
		   "packages: make deb dkms-tarball|make deb dkms-tarball" \
		   "fuzz: codec smoke|make -C selftests/fuzz smoke SMOKE_SECONDS=20" \
		   "lint: checkpatch --strict|make checkpatch" \
		   "lint: sparse|make sparse"; do
		name=${chk%%|*}
		t=$(date +%s)
		log=$RESULTS_DIR/${name//[^a-z0-9]/_}.log
		section "$name"
		${chk#*|} >"$log" 2>&1
		rc=$?
		tail -n 5 "$log"
		note=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tr '\n' ' ')
		if [ "$rc" = 0 ]; then
			row PASS "$name" "$(elapsed "$t")" "$note"
		else
			row FAIL "$name" "$(elapsed "$t")" "${note}exit $rc (see $log)"
		fi
		stage_done "$name" "$t"
	done
fi

# --- 4. VM selftests --------------------------------------------------------------------------
# run_vm [PREFIX OUT_DIR [RUN.SH OPTIONS...]]: results are named PREFIX+test
# (the debug kernel's pass: "debug/"), logs go to OUT_DIR (default
# $RESULTS_DIR); the options go to scripts/vm/run.sh.
run_vm() {
	local list sum=0 n t ktap log rc inflight='' plan=0 seen=0 name st note dur line
	local pfx=${1:-} out=${2:-$RESULTS_DIR}
	shift $(($# < 2 ? $# : 2))
	mapfile -t list < <(TESTS=${TESTS:-} TEST_TIMEOUT=${TEST_TIMEOUT:-300} selftests/vm_runner.sh --list)
	if [ ${#list[@]} -eq 0 ]; then
		echo "selftests/run.sh: no VM tests selected (TESTS='${TESTS:-}')"
		return 0
	fi
	for n in "${list[@]}"; do sum=$((sum + ${n##* })); done
	local vm_timeout=${VM_TIMEOUT:-$((sum + 300))}
	[ -n "${VM_TIMEOUT:-}" ] || [ "$vm_timeout" -le "${VM_TIMEOUT_MAX:-4200}" ] || vm_timeout=${VM_TIMEOUT_MAX:-4200}

	section "${pfx}VM selftests (${#list[@]} tests, VM timeout ${vm_timeout}s)"
	mkdir -p "$out"
	log=$out/console.log
	t=$(date +%s)
	# (the Debian-kernel pass yields to the debug kernel's chain, above)
	local nice=5
	[ -z "$pfx" ] || nice=0
	# shellcheck disable=SC2086	# VM_ARGS is a list of options
	nice -n "$nice" scripts/vm/run.sh --name "${pfx}selftests" --timeout "$vm_timeout" \
		--console-log "$log" --out-dir "$out/vm" \
		--env TESTS --env TEST_TIMEOUT --env DMESG_IGNORE --env CI \
		--env KMEMLEAK_EACH --env WIRE_CHECKS --env STRESS_ITERATIONS --env FLOOD_COUNT \
		${VM_ARGS:-} "$@" -- selftests/vm_runner.sh
	rc=$?
	local vm_secs
	vm_secs=$(elapsed "$t")

	ktap=$out/vm/ktap.txt
	if [ ! -s "$ktap" ]; then
		# Fall back to the console (CRs and kernel messages mixed in).
		ktap=$out/ktap-from-console.txt
		tr -d '\r' < "$log" | sed -n '/^KTAP version 1$/,$p' > "$ktap"
	fi

	declare -A durs=() why1=()
	while IFS= read -r line; do
		case $line in
		1..*) plan=${line#1..} ;;
		"# running "*)
			inflight=${line#"# running "}; inflight=${inflight%% *} ;;
		"# "*": "*" s (exit "*")")
			name=${line#"# "}; name=${name%%: *}
			dur=${line#*: }; dur=${dur%% s (exit*}
			durs[$name]=$dur ;;
		"# ["*"] FAIL: "*)	# lib.sh's fail/ksft_fail: keep the first
			[ -z "$inflight" ] || [ -n "${why1[$inflight]:-}" ] ||
				why1[$inflight]=${line#*"] FAIL: "} ;;
		"# $inflight: leaked "*|"# $inflight: kernel warnings"*)
			[ -z "$inflight" ] || why1[$inflight]=${line#"# $inflight: "} ;;
		"ok "*|"not ok "*)
			st=PASS
			[[ $line == "not ok "* ]] && st=FAIL
			name=${line#ok }; name=${name#not ok }
			name=${name#* }		# drop the number
			note=
			if [[ $name == *" # "* ]]; then
				note=${name#* # }; name=${name%% # *}
			fi
			[[ $note == SKIP* ]] && st=SKIP
			if [ "$st" = FAIL ] && [ -n "${why1[$name]:-}" ]; then
				note="${note:+$note: }${why1[$name]}"
				[ ${#note} -le 110 ] || note="${note:0:107}..."
			fi
			row "$st" "$pfx$name" "${durs[$name]:-}" "$note"
			seen=$((seen + 1))
			inflight= ;;
		esac
	done < "$ktap"

	local why=
	case $rc in
	124) why="the VM timed out (limit ${vm_timeout}s)" ;;
	125) why="the VM died without reporting a result (kernel panic/oops or boot failure)" ;;
	esac
	if [ -n "$why" ]; then
		echo
		tr -d '\r' < "$log" > "$out/console.txt"
		local at
		at=$(grep -nE 'Kernel panic|BUG:|Oops|general protection|WARNING:|UBSAN:' "$out/console.txt" | head -n 1 | cut -d: -f1)
		if [ -n "$at" ]; then
			echo "selftests/run.sh: ERROR: $why; the console from the first kernel error on:"
			tail -n +$((at > 5 ? at - 5 : 1)) "$out/console.txt" | head -n 80 | sed 's/^/    | /'
		else
			echo "selftests/run.sh: ERROR: $why; last console lines:"
			tail -n 40 "$out/console.txt" | sed 's/^/    | /'
		fi
		if [ -n "$inflight" ]; then
			row FAIL "$pfx$inflight" "" "$why during this test"
			seen=$((seen + 1))
		else
			row FAIL "${pfx}vm" "$vm_secs" "$why"
		fi
		if [ "$plan" -gt "$seen" ]; then
			local i=0
			for n in "${list[@]}"; do
				n=${n% *}
				i=$((i + 1))
				[ "$i" -le "$seen" ] && continue
				row FAIL "$pfx$n" "" "not run: $why"
			done
		fi
	elif [ "$seen" = 0 ]; then
		row FAIL "${pfx}vm" "$vm_secs" "no KTAP results from the VM (run.sh exit $rc); see $log"
	elif [ "$plan" != "$seen" ]; then
		row FAIL "${pfx}vm" "$vm_secs" "KTAP plan 1..$plan but $seen results"
	elif [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		row FAIL "${pfx}vm" "$vm_secs" "vm_runner.sh exited $rc"
	fi
	echo "selftests/run.sh: ${pfx}VM run took ${vm_secs}s; logs in $out"
}

# --- 5. interoperability (two VMs) ---------------------------------------------------------------
run_interop() {
	local t rc log=$RESULTS_DIR/interop.log nres=0 nfail=0 st name note w plan keep=1
	if [ -n "${TESTS:-}" ]; then
		keep=0
		for w in $TESTS; do
			# shellcheck disable=SC2053	# glob match on purpose
			[[ interop == *$w* || frr == *$w* || $w == *interop* || $w == *frr* ]] && keep=1
		done
	fi
	if [ "$keep" = 0 ]; then
		echo "selftests/run.sh: TESTS='$TESTS' does not select the interop test"
		return 0
	fi
	section "interop: FRR nhrpd (two VMs)"
	t=$(date +%s)
	INTEROP_OUT=$RESULTS_DIR/interop nice -n 5 selftests/interop/run_frr.sh 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	while IFS='|' read -r st name _ note; do
		row "$st" "$name" "" "$note"
		nres=$((nres + 1))
		[ "$st" != FAIL ] || nfail=$((nfail + 1))
	done < <(parse_tap "$log" "interop: ")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
	case $rc in
	0|1)
		if [ "$nres" = 0 ]; then
			row FAIL "interop" "$(elapsed "$t")" "no results (run_frr.sh exit $rc); see $log"
		elif [ -n "$plan" ] && [ "$plan" != "$nres" ]; then
			row FAIL "interop" "$(elapsed "$t")" "KTAP plan 1..$plan but $nres results"
		elif [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
			row FAIL "interop" "$(elapsed "$t")" "run_frr.sh exited $rc (see $log)"
		fi ;;
	124) row FAIL "interop" "$(elapsed "$t")" "a guest timed out (see $RESULTS_DIR/interop)" ;;
	*) row FAIL "interop" "$(elapsed "$t")" "a guest died or did not start, run_frr.sh exit $rc (see $RESULTS_DIR/interop)" ;;
	esac
	echo "selftests/run.sh: interop run took $(elapsed "$t")s; logs in $RESULTS_DIR/interop"
}

# --- 6. the debug kernel --------------------------------------------------------------------------
# The tests that run there are those of selftests/debug-pass.txt ("run"
# lines, in that order); every other test is listed there with the
# reason it is left out ("leave" lines), chosen from what each test
# reaches of kmod/ (per-test gcov coverage, selftests/coverage.sh).  A
# test that the file does not mention fails the run: a new test must be
# placed.  DEBUG_ALL=1 runs every test there.
DEBUG_PASS=selftests/debug-pass.txt
debug_selection() {	# sets DEBUG_RUN (names) and DEBUG_LEAVE ("name|reason")
	local kind name why n
	declare -A known=()
	DEBUG_RUN=() DEBUG_LEAVE=()
	while read -r kind name why; do
		case $kind in
		run) DEBUG_RUN+=("$name"); known[$name]=1 ;;
		leave) DEBUG_LEAVE+=("$name|$why"); known[$name]=1 ;;
		esac
	done < <(sed 's/#.*//' "$DEBUG_PASS")
	for n in selftests/mgre/*.sh; do
		[ -x "$n" ] && head -n 1 "$n" | grep -q '^#!' || continue
		n=${n##*/}; n=${n%.sh}
		[ -n "${known[$n]:-}" ] || row FAIL "debug/$n" "" "not placed in $DEBUG_PASS (run or leave)"
	done
}
run_debug() {
	local t env names n
	section "debug kernel: build (or reuse) it and mgre.ko for it"
	t=$(date +%s)
	mkdir -p "$RESULTS_DIR/debug"
	# (build.sh waits on the cache entry's lock while the build started
	# after the dependencies is still running; the build log is kept in
	# the cache, this is its summary)
	if ! env=$(scripts/debug-kernel/build.sh --print-env 2> >(tee "$RESULTS_DIR/debug/build.log" >&2)); then
		row FAIL "debug/build" "$(elapsed "$t")" "scripts/debug-kernel/build.sh failed (see $RESULTS_DIR/debug/build.log)"
		return 0
	fi
	eval "$env"
	echo "selftests/run.sh: debug kernel $DEBUG_KVER ready in $(elapsed "$t")s ($DEBUG_KERNEL_DIR)"
	stage_done "debug kernel: build or wait" "$t"
	t=$(date +%s)
	debug_selection
	names=${TESTS:-}
	if [ -z "$names" ] && [ "${DEBUG_ALL:-0}" != 1 ]; then
		names="${DEBUG_RUN[*]}"
		for n in "${DEBUG_LEAVE[@]}"; do
			echo "selftests/run.sh: not in the debug pass: ${n%%|*}: ${n#*|}"
		done
	fi
	# A safety net, not the selection: tests that would start after
	# RUN_BUDGET (default 80 min) minus 10 min since the run began FAIL
	# as "not started" rather than let CI's 90-minute limit cut the run.
	local budget=$(( ${RUN_BUDGET:-4800} - $(elapsed "$T0") - 600 ))
	[ "$budget" -ge 300 ] || budget=300
	# The bzImage is booted as it is (VM_PVH=0): PVH's early C code is not
	# KASAN-safe in 6.1.  no5lvl: with "-cpu max" the kernel turns on
	# 5-level paging, and an interrupt during identify_cpu() can then hit
	# KASAN ("wild-memory-access in mark_lock", seen once in a few boots,
	# before any test runs): 4-level paging, as on most hardware.
	TESTS=$names FIRST=$names TIME_BUDGET=$budget VM_TIMEOUT=$((budget + 900)) \
	TIMEOUT_SCALE=${DEBUG_TIMEOUT_SCALE:-3} VM_PVH=0 \
		run_vm debug/ "$RESULTS_DIR/debug" --kernel "$DEBUG_KERNEL_DIR/bzImage" \
		--modules "$DEBUG_MODULES" --mem 2048M --append "panic_on_warn=1 kmemleak=on slab_nomerge no5lvl" \
		--env MGRE_KO="$DEBUG_MGRE_KO" --env TIMEOUT_SCALE --env TIME_BUDGET --env FIRST \
		--env GCOV_EACH
	stage_done "VM selftests (debug kernel)" "$t"
	debug_coverage
}
# debug_coverage: the lines of kmod/ the debug pass reached (gcov), one
# result: it fails below the floor written in selftests/debug-pass.txt.
debug_coverage() {
	local gcno=${DEBUG_MGRE_KO%/mgre.ko} dirs=("$RESULTS_DIR/debug/vm/gcov/all") out floor
	# (with GCOV_EACH=1 the counters are per test: their sum)
	[ "${GCOV_EACH:-0}" != 1 ] || dirs=("$RESULTS_DIR"/debug/vm/gcov/*/)
	floor=$(sed -n 's/^# coverage-floor: *\([0-9.]*\).*/\1/p' "$DEBUG_PASS")
	# (the floor is for the whole pass, not for TESTS' choice)
	[ -z "${TESTS:-}" ] || floor=0
	if ! out=$(selftests/coverage.py report --floor "${floor:-0}" "$gcno" "${dirs[@]}" 2>&1); then
		printf '%s\n' "$out" | tail -n 40
		row FAIL "debug/coverage" "" "$(printf '%s\n' "$out" | tail -n 1)"
		return 0
	fi
	printf '%s\n' "$out" > "$RESULTS_DIR/debug/coverage.txt"
	printf '%s\n' "$out" | tail -n 16
	row PASS "debug/coverage" "" "$(printf '%s\n' "$out" | tail -n 1)"
}

# --- the VM stages --------------------------------------------------------------------------------
# The debug kernel's pass runs in the background, in its own VM, while the
# Debian-kernel pass and the interop test run: the tests spend much of
# their time waiting for the protocols' timers (holdtimes, retries,
# keepalives), when an emulated guest leaves the CPUs idle, and the waits
# in the tests scale with each VM's measured slowness.  Its results are
# collected when it ends; its output (logged to debug/run.log) is printed
# then, after the other stages'.
DEBUG_PID=
if [ "${SKIP_DEBUG_KERNEL:-${SKIP_VM:-0}}" != 1 ]; then
	mkdir -p "$RESULTS_DIR/debug"
	: > "$RESULTS_DIR/debug/rows"
	: > "$RESULTS_DIR/debug/stages"
	(
		row() { printf '%s|%s|%s|%s\n' "$1" "$2" "${3:-}" "${4:-}" >> "$RESULTS_DIR/debug/rows"; }
		stage_done() { printf '%s|%s\n' "$1" "$(( $(date +%s) - $2 ))" >> "$RESULTS_DIR/debug/stages"; }
		run_debug
	) >"$RESULTS_DIR/debug/run.log" 2>&1 </dev/null &
	DEBUG_PID=$!
	echo "selftests/run.sh: the debug kernel's pass runs in the background (log: $RESULTS_DIR/debug/run.log)"
fi
if [ "${SKIP_VM:-0}" != 1 ]; then
	t_vm=$(date +%s)
	run_vm
	stage_done "VM selftests (Debian's kernel)" "$t_vm"
fi
if [ "${SKIP_INTEROP:-${SKIP_VM:-0}}" != 1 ]; then
	t_io=$(date +%s)
	run_interop
	stage_done "interop: FRR nhrpd" "$t_io"
fi
if [ -n "$DEBUG_PID" ]; then
	t=$(date +%s)
	wait "$DEBUG_PID"
	stage_done "waiting for the debug kernel's pass" "$t"
	section "the debug kernel's pass (it ran alongside the stages above)"
	cat "$RESULTS_DIR/debug/run.log"
	while IFS='|' read -r st name secs note; do
		row "$st" "$name" "$secs" "$note"
	done < "$RESULTS_DIR/debug/rows"
	while IFS= read -r l; do STAGES+=("$l"); done < "$RESULTS_DIR/debug/stages"
fi
[ -z "$DEBUG_BUILD_PID" ] || wait "$DEBUG_BUILD_PID"

# --- summary ------------------------------------------------------------------------------------
section "summary ($(elapsed "$T0")s)"
echo "wall time per stage:"
for r in "${STAGES[@]}"; do
	printf '  %-40s %6ss\n' "${r%|*}" "${r##*|}"
done
printf '  %-40s %6ss\n' "total" "$(elapsed "$T0")"
echo
unit_pass=0
for r in "${ROWS[@]}"; do
	IFS='|' read -r st name secs note <<<"$r"
	# passing unit tests are many: one line for all of them
	if [ "$st" = PASS ] && [[ $name == "unit: "* ]]; then
		unit_pass=$((unit_pass + 1))
		continue
	fi
	printf '%-4s  %-40s %8s  %s\n' "$st" "$name" "${secs:+${secs}s}" "$note"
done
[ "$unit_pass" = 0 ] || printf '%-4s  %-40s %8s  %s\n' PASS "unit: $unit_pass tests" "" "(see $RESULTS_DIR/unit.log)"
if [ "$SKIP" -gt 0 ]; then
	final="$PASS passed, $FAIL failed, $SKIP skipped"
else
	final="$PASS passed, $FAIL failed"
fi
# (.ci/run repeats this line after make's own "Error" line)
echo "$final" > "$RESULTS_DIR/summary.txt"
echo "$final"
[ "$FAIL" -eq 0 ]

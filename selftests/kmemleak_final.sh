#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# The last result of a selftest run on a kmemleak kernel (the debug
# kernel, scripts/debug-kernel/): vm_runner.sh runs it after every test.
# Unload mgre, then scan twice (kmemleak reports an object only when it
# stayed unreferenced and unchanged, and not younger than 5 s) and fail
# if a suspected leak comes from mgre: a frame of mgre in the allocation
# backtrace, or an address nothing resolves any more (code of a module
# unloaded since).  Other suspects are printed but do not fail.
source "$(dirname "$0")/mgre/lib.sh"

f=/sys/kernel/debug/kmemleak
[ -w "$f" ] || ksft_skip "no kmemleak (not the debug kernel)"

if [ -d /sys/module/mgre ]; then
	out=$(rmmod mgre 2>&1) || ksft_fail "rmmod mgre failed: $out"
	log "unloaded mgre"
fi
# Freed objects wait for RCU grace periods and kfree_rcu batches.
_sleep 6
for i in 1 2; do
	t0=${EPOCHREALTIME/./}
	echo scan > "$f" || ksft_fail "kmemleak scan failed"
	log "kmemleak scan $i: $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"
	[ "$i" = 2 ] || _sleep 6
done
rep=$(< "$f")
if [ -z "$rep" ]; then
	log "no suspected leaks"
	exit_status
fi
n=$(grep -c '^unreferenced object' <<<"$rep")
# (the same test as vm_runner.sh's KMEMLEAK_MGRE)
if grep -Eq '\[mgre\]|[[:space:]]mgre_[a-z0-9_]+\+0x|\[<[0-9a-f]+>\] 0x[0-9a-f]+$' <<<"$rep"; then
	printf '%s\n' "$rep" | head -n 200
	fail "kmemleak: $n suspected leak(s), from mgre"
else
	log "kmemleak: $n suspected leak(s), none from mgre:"
	printf '%s\n' "$rep" | head -n 60
fi
exit_status

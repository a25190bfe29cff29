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
#
# Objects mgre allocates through the core's helpers carry no mgre frame
# when the helper's own frames fill kmemleak's backtrace, or are never
# "unreferenced" (a net_device whose reference mgre never dropped), so
# they are checked apart:
# - sk_buffs and IPv4 dsts: the objects in use in skbuff_head_cache,
#   skbuff_fclone_cache and ip_dst_cache (/proc/slabinfo; the debug VM
#   boots with slab_nomerge so they are caches of their own) after every
#   namespace is gone and mgre is unloaded, against the same counts taken
#   by vm_runner.sh before the first test: one leaked object per packet
#   of any test would be thousands; what the kernel itself keeps (per-cpu
#   slabs counted as in use, a few sockets' queues) is at most a few
#   slabs' worth once the caches are shrunk, so the limit is 64 objects
#   and 4 slabs of each cache;
# - net_devices and netns: the debug kernel has the reference trackers
#   (CONFIG_NET_DEV_REFCNT_TRACKER, CONFIG_NET_NS_REFCNT_TRACKER), which
#   print the stack of a reference still held when a device is freed or
#   waited for ("unregister_netdevice: waiting for ..."): those lines are
#   kernel warnings for vm_runner.sh, and this test looks for them too.
# It also checks that the in-module selftests, built for this kernel,
# ran at the loads of mgre and passed (their lines in dmesg).
source "$(dirname "$0")/mgre/lib.sh"

# slab_in_use CACHE: active objects and objects per slab of CACHE.  SLUB
# counts every object of a per-CPU slab as in use: shrinking the cache
# first (vm_runner.sh does the same before its baseline) flushes those.
slab_in_use() {
	echo 1 > "/sys/kernel/slab/$1/shrink" 2>/dev/null
	awk -v c="$1" '$1 == c { print $2, $5 }' /proc/slabinfo
}
SLAB_BASELINE=/tmp/mgre-slabinfo.start

f=/sys/kernel/debug/kmemleak
[ -w "$f" ] || ksft_skip "no kmemleak (not the debug kernel)"

# The in-module selftests (kmod/Kbuild builds them for this kernel) ran
# at every load of mgre: at least once, and never failed.
for st in ratelimit peer cache; do
	n=$(dmesg | grep -c "mgre: $st selftest: pass")
	check_ge "$n" 1 "loads of mgre that ran its $st selftest (dmesg)"
done
expect_eq 0 "$(dmesg | grep -c 'mgre: .* selftest: step .* failed')" "failed in-module selftests (dmesg)"
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

# Core objects: counts against the baseline.
if [ ! -r "$SLAB_BASELINE" ]; then
	fail "no slab baseline $SLAB_BASELINE (vm_runner.sh takes it before the first test)"
else
	for c in skbuff_head_cache skbuff_fclone_cache ip_dst_cache; do
		read -r now per < <(slab_in_use "$c")
		base=$(awk -v c="$c" '$1 == c { print $2 }' "$SLAB_BASELINE")
		if [ -z "$now" ] || [ -z "$base" ]; then
			fail "slab cache $c not in /proc/slabinfo (merged? boot with slab_nomerge)"
			continue
		fi
		limit=$((64 + 4 * per))
		log "$c: $base objects in use before the first test, $now now (limit +$limit)"
		[ $((now - base)) -le "$limit" ] ||
			fail "$c grew by $((now - base)) objects over the run (more than 64 + 4 slabs of $per): leaked by mgre?"
	done
fi
if dmesg | grep -E 'unregister_netdevice: waiting for|ref_tracker|leaked [0-9]+ references' >"$TEST_TMP/refs"; then
	head -n 40 "$TEST_TMP/refs"
	fail "a net_device or netns reference was leaked (see the reference tracker's lines above)"
fi

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

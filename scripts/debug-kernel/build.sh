#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [--kernel-only] [--print-env]
#
# Build the mgre debug kernel (KASAN, UBSAN, lockdep, PROVE_RCU,
# DEBUG_ATOMIC_SLEEP, kmemleak, debugobjects) from Debian's linux-source
# tarball unless it is cached, then kmod/ against it.
#
# Kernel: "make tinyconfig" + config.fragment (merge_config.sh), every
# option of the fragment checked in the final .config (the build fails
# listing those that did not come out as requested), then bzImage and
# modules with -j$JOBS, "make modules_install" into the cache.  Cached in
#	$MGRE_CACHE/debug-kernel/<key>	(MGRE_CACHE default /var/cache/mgre,
#					$REPO/.build/cache if not writable)
# where <key> is a sha256 of config.fragment's settings, of the code of this script
# that configures and builds the kernel (the functions check_config and
# build_kernel), of the linux-source package version and of the compiler
# version: a later run on the same machine (a fresh clone included)
# reuses the kernel, a change to any of them rebuilds it.  It takes
# 15-20 minutes on 2 cores.  The entry holds:
#	bzImage		what scripts/vm/run.sh boots (VM_PVH=0: PVH's early C
#			code is not KASAN-safe)
#	vmlinux, config, kver, build-seconds, build.log
#	modules/lib/modules/<kver>/	the kernel's modules (ip_gre, gre,
#			ip_tunnel, ...), depmod'ed, for run.sh --modules
#	linux/		the kernel tree without object files: enough to build
#			external modules (scripts, headers, Module.symvers)
#	ok		written last: the entry is complete
# Older entries beyond the 3 newest are removed.
#
# Module: kmod/ and the top-level Kbuild are copied to
# $REPO/.build/debug-kmod/<key2>/ and built there, so kmod/mgre.ko stays
# the one for Debian's kernel; <key2> hashes the sources and the kernel
# entry, so an unchanged module is not rebuilt and concurrent runs do not
# step on each other.
#
# Options:
#   --kernel-only   do not build the module
#   --print-env     at the end print shell assignments DEBUG_KERNEL_DIR=,
#                   DEBUG_KVER=, DEBUG_VMLINUX=, DEBUG_MODULES=, DEBUG_MGRE_KO=
#                   on stdout (everything else goes to stderr)
# Environment: MGRE_CACHE, JOBS (default: nproc), KSRC_TAR (default: the
# newest /usr/src/linux-source-*.tar.xz).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
FRAGMENT=$SCRIPT_DIR/config.fragment

KERNEL_ONLY=0 PRINT_ENV=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel-only) KERNEL_ONLY=1 ;;
	--print-env) PRINT_ENV=1 ;;
	-h|--help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) echo "usage: $0 [--kernel-only] [--print-env]" >&2; exit 2 ;;
	esac
	shift
done

msg() { echo "debug-kernel: $*" >&2; }
die() { msg "error: $*"; exit 1; }

if [ -z "${KSRC_TAR:-}" ]; then
	KSRC_TAR=$(printf '%s\n' /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
fi
if [ ! -r "$KSRC_TAR" ]; then
	die "no /usr/src/linux-source-*.tar.xz (install linux-source-6.1: scripts/deps.sh)"
fi
JOBS=${JOBS:-$(nproc)}
for t in make gcc flex bison bc xz zstd perl depmod flock; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' not found (run scripts/deps.sh)"
done
[ -e /usr/include/libelf.h ] || die "libelf-dev missing (run scripts/deps.sh)"

# check_config .config FRAGMENT: every CONFIG_X=V line of FRAGMENT must be in
# .config as it is, every "# CONFIG_X is not set" must not be set.
check_config() {
	local cfg=$1 frag=$2 l sym bad=()
	declare -A have=()
	while IFS= read -r l; do
		case $l in
		CONFIG_*=*) have[${l%%=*}]=${l#*=} ;;
		esac
	done < "$cfg"
	while IFS= read -r l; do
		case $l in
		CONFIG_*=*)
			sym=${l%%=*}
			[ "${have[$sym]-unset}" = "${l#*=}" ] ||
				bad+=("$sym: wanted ${l#*=}, got ${have[$sym]-not set}") ;;
		"# CONFIG_"*" is not set")
			sym=${l#\# }; sym=${sym%% *}
			[ -z "${have[$sym]:-}" ] || [ "${have[$sym]}" = n ] ||
				bad+=("$sym: wanted not set, got ${have[$sym]}") ;;
		esac
	done < "$frag"
	if [ ${#bad[@]} -gt 0 ]; then
		msg "error: ${#bad[@]} option(s) of $(basename "$frag") did not end up as requested in $cfg:"
		printf '    %s\n' "${bad[@]}" >&2
		return 1
	fi
	return 0
}

# build_kernel: extract, configure, check, build, install into $DIR.
build_kernel() {
	local t0 kver log
	t0=$(date +%s)
	rm -rf "$DIR"
	mkdir -p "$DIR"
	log=$DIR/build.log
	msg "building the debug kernel in $DIR (log: $log): 15-20 min on 2 cores"
	msg "extracting $KSRC_TAR"
	mkdir -p "$TREE"
	tar -xJf "$KSRC_TAR" -C "$TREE" --strip-components=1
	{
		set -e
		cd "$TREE"
		make tinyconfig
		scripts/kconfig/merge_config.sh -m .config "$FRAGMENT"
		make olddefconfig
	} >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "configuring the kernel failed (see $log)"; }
	check_config "$TREE/.config" "$FRAGMENT" || die "kernel configuration check failed"
	msg "configured; building bzImage and modules with -j$JOBS"
	if ! (cd "$TREE" && make -j"$JOBS" KBUILD_BUILD_USER=mgre KBUILD_BUILD_HOST=debug-kernel \
		bzImage modules) >>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | head -n 20 >&2
		die "kernel build failed (see $log)"
	fi
	kver=$(make -s -C "$TREE" kernelrelease 2>/dev/null)
	[ -n "$kver" ] || die "cannot read the kernel release"
	(cd "$TREE" && make INSTALL_MOD_PATH="$DIR/modules" modules_install) >>"$log" 2>&1 ||
		die "modules_install failed (see $log)"
	cp "$TREE/vmlinux" "$DIR/vmlinux"
	cp "$TREE/arch/x86/boot/bzImage" "$DIR/bzImage"
	cp "$TREE/.config" "$DIR/config"
	echo "$kver" > "$DIR/kver"
	# External modules need the scripts, headers, .config and
	# Module.symvers, not the objects: drop them (~1 GB).
	find "$TREE" \( -name '*.o' -o -name '*.a' -o -name '.tmp_*' \) -type f -delete
	rm -f "$TREE/vmlinux" "$TREE/vmlinux.o"
	ln -sfn "$TREE" "$DIR/modules/lib/modules/$kver/build"
	ln -sfn "$TREE" "$DIR/modules/lib/modules/$kver/source"
	echo $(($(date +%s) - t0)) > "$DIR/build-seconds"
	touch "$DIR/ok"
	msg "built $kver in $(cat "$DIR/build-seconds") s"
}

# --- the kernel: cache entry ---------------------------------------------------------
CACHE=${MGRE_CACHE:-/var/cache/mgre}
if ! mkdir -p "$CACHE/debug-kernel" 2>/dev/null || [ ! -w "$CACHE/debug-kernel" ]; then
	msg "$CACHE is not writable: using $REPO/.build/cache"
	CACHE=$REPO/.build/cache
	mkdir -p "$CACHE/debug-kernel"
fi
src_version() {
	local pkg v
	pkg=$(basename "$KSRC_TAR" .tar.xz)
	v=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
	if [ -n "$v" ]; then
		echo "$pkg $v"
	else
		stat -L -c '%n %s %Y' "$KSRC_TAR"
	fi
}
# (the fragment's settings, not its comments: a reworded comment must not
# cost a 20-minute rebuild)
KEY=$({
	sed -e '/^[[:space:]]*$/d' -e '/^# [^C]/d' -e '/^#$/d' "$FRAGMENT"
	declare -f check_config build_kernel
	src_version
	gcc --version | head -n 1
} | sha256sum | cut -c1-16)
DIR=$CACHE/debug-kernel/$KEY
TREE=$DIR/linux

# One builder at a time per cache entry.
exec {LOCK_FD}>"$DIR.lock"
if ! flock -n "$LOCK_FD"; then
	msg "waiting for another build of $DIR"
	flock "$LOCK_FD"
fi
if [ -f "$DIR/ok" ]; then
	msg "cached: $DIR ($(cat "$DIR/kver"), built in $(cat "$DIR/build-seconds" 2>/dev/null || echo '?') s)"
else
	build_kernel
fi
KVER=$(cat "$DIR/kver")
# Keep the 3 newest entries.
# shellcheck disable=SC2012
ls -1dt "$CACHE"/debug-kernel/*/ 2>/dev/null | tail -n +4 | while read -r old; do
	old=${old%/}
	[ "$old" != "$DIR" ] || continue
	exec {o}>"$old.lock"
	if flock -n "$o"; then
		msg "removing old cache entry $old"
		rm -rf "$old"
		rm -f "$old.lock"
	fi
	exec {o}>&-
done
flock -u "$LOCK_FD"

# --- the module ----------------------------------------------------------------------
# Sources only (a kmod/ built for Debian's kernel has objects in it).
kmod_sources() {
	tar -C "$REPO" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='*.order' --exclude='Module.symvers' \
		--exclude='.*.d' -cf - Kbuild kmod
}
KMOD_KEY=$({ kmod_sources; echo "$KEY"; } | sha256sum | cut -c1-16)
KMOD_OUT=$REPO/.build/debug-kmod/$KMOD_KEY
MGRE_KO=$KMOD_OUT/kmod/mgre.ko
if [ "$KERNEL_ONLY" = 0 ]; then
	if [ -f "$MGRE_KO" ]; then
		msg "$MGRE_KO is up to date"
	else
		t0=$(date +%s)
		mkdir -p "$REPO/.build/debug-kmod"
		tmp=$(mktemp -d "$REPO/.build/debug-kmod/tmp.XXXXXX")
		kmod_sources | tar -C "$tmp" -xf -
		if ! make -C "$TREE" M="$tmp" -j"$JOBS" modules >"$tmp/build.log" 2>&1; then
			cat "$tmp/build.log" >&2
			rm -rf "$tmp"
			die "building kmod/ against the debug kernel failed"
		fi
		grep -E 'warning:' "$tmp/build.log" >&2 || true
		# (a concurrent run may have finished the same build first)
		mv -T "$tmp" "$KMOD_OUT" 2>/dev/null || rm -rf "$tmp"
		msg "built $MGRE_KO for $KVER ($(($(date +%s) - t0)) s)"
		# Keep the 3 newest builds.
		# shellcheck disable=SC2012
		ls -1dt "$REPO"/.build/debug-kmod/*/ | tail -n +4 | while read -r old; do
			case $old in */tmp.*) ;; *) rm -rf "$old" ;; esac
		done
	fi
fi

if [ "$PRINT_ENV" = 1 ]; then
	printf 'DEBUG_KERNEL_DIR=%q\n' "$DIR"
	printf 'DEBUG_KVER=%q\n' "$KVER"
	printf 'DEBUG_VMLINUX=%q\n' "$DIR/vmlinux"
	printf 'DEBUG_MODULES=%q\n' "$DIR/modules/lib/modules/$KVER"
	printf 'DEBUG_MGRE_KO=%q\n' "$MGRE_KO"
fi

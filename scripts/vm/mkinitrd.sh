#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitrd.sh KVER OUT
#
# Build a tiny initramfs (uncompressed newc cpio) for the mgre test VM:
#   - busybox-static,
#   - the virtio / 9p / overlayfs modules of kernel KVER (with their
#     dependencies, in load order), skipping modules that are built in or
#     absent (so a custom kernel with everything built in works too),
#   - an /init that mounts the host root read-only over virtio-9p (mount
#     tag "hostroot"), puts a tmpfs-backed overlayfs on top, mounts the
#     rw 9p share "out" at /mnt/out and switch_roots into the guest
#     stage 2 script (/mnt/out/stage2.sh, copied there by run.sh).
#
# The result is cached: OUT is only rebuilt when an input changes
# (this script, KVER's module files, busybox, the module list).
#
# Environment: INITRD_MODULES overrides the module list (space separated),
# INITRD_NET_MODULES the modules loaded only if a virtio-net NIC exists.
set -euo pipefail

die() { echo "mkinitrd: error: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 KVER OUT"
KVER=$1
OUT=$2

DEFAULT_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay"
MODULES=${INITRD_MODULES-$DEFAULT_MODULES}
MODDIR=/lib/modules/$KVER

BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ]; then BUSYBOX=$b; break; fi
done
[ -n "$BUSYBOX" ] || die "busybox not found (install busybox-static)"
# The initramfs has no libc: busybox must be static.
if command -v file >/dev/null 2>&1 && file -L "$BUSYBOX" | grep -q 'dynamically linked'; then
	die "$BUSYBOX is dynamically linked (install busybox-static)"
fi
command -v cpio >/dev/null 2>&1 || die "cpio not found (install cpio)"

# ---------------------------------------------------------------------------
# Resolve modules -> ordered list of .ko files (dependencies first).
# ---------------------------------------------------------------------------
declare -A SEEN=()
ORDER=()	# module names, load order
declare -A KOPATH=()
NOTES=()

modpath() {
	# Prints the module file, "builtin", or nothing if absent.
	local m=$1 p
	[ -d "$MODDIR" ] || return 0
	p=$(modinfo -k "$KVER" -n "$m" 2>/dev/null) || return 0
	case $p in
	"(builtin)"|builtin*|"") echo builtin ;;
	*) echo "$p" ;;
	esac
}

resolve() {
	local m=${1//-/_} p deps d
	[ -z "${SEEN[$m]:-}" ] || return 0
	SEEN[$m]=1
	p=$(modpath "$m")
	if [ -z "$p" ]; then
		NOTES+=("$m: not found, skipped (built in under another name or unavailable)")
		return 0
	fi
	if [ "$p" = builtin ]; then
		NOTES+=("$m: built in")
		return 0
	fi
	deps=$(modinfo -k "$KVER" -F depends "$m" 2>/dev/null || true)
	for d in ${deps//,/ }; do
		resolve "$d"
	done
	ORDER+=("$m")
	KOPATH[$m]=$p
}

for m in $MODULES; do
	resolve "$m"
done
NBASE=${#ORDER[@]}
# Optional: loaded by /init only when a virtio-net device is present.
for m in ${INITRD_NET_MODULES-virtio_net}; do
	resolve "$m"
done

# ---------------------------------------------------------------------------
# Cache check.
# ---------------------------------------------------------------------------
SELF=$(readlink -f "$0")
stamp_input() {
	echo "kver=$KVER"
	echo "modules=$MODULES net=${INITRD_NET_MODULES-virtio_net}"
	sha256sum "$SELF"
	stat -L -c '%n %s %Y' "$BUSYBOX"
	local m
	for m in "${ORDER[@]}"; do
		stat -L -c '%n %s %Y' "${KOPATH[$m]}"
	done
}
STAMP=$(stamp_input | sha256sum | cut -d' ' -f1)
if [ -f "$OUT" ] && [ -f "$OUT.stamp" ] && [ "$(cat "$OUT.stamp")" = "$STAMP" ]; then
	exit 0
fi

echo "mkinitrd: building $OUT for $KVER"
for n in "${NOTES[@]}"; do echo "mkinitrd:   $n"; done

mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mgre-initrd.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,dev,proc,sys,lower,rw,newroot,lib/modules}
cp "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"

: > "$ROOT/lib/modules/load.order"
for m in "${ORDER[@]}"; do
	src=${KOPATH[$m]}
	dst=$ROOT/lib/modules/$m.ko
	case $src in
	*.ko.xz) xz -dc "$src" > "$dst" ;;
	*.ko.zst) zstd -q -dc "$src" > "$dst" ;;
	*.ko.gz) gzip -dc "$src" > "$dst" ;;
	*.ko) cp "$src" "$dst" ;;
	*) die "unexpected module file name $src" ;;
	esac
done
for i in "${!ORDER[@]}"; do
	if [ "$i" -lt "$NBASE" ]; then
		echo "${ORDER[$i]}" >> "$ROOT/lib/modules/load.order"
	else
		echo "${ORDER[$i]}" >> "$ROOT/lib/modules/net.order"
	fi
done
echo "mkinitrd:   modules: ${ORDER[*]:-(none)}"

cat > "$ROOT/init" <<'EOF'
#!/bin/sh
# mgre test VM stage 1 (initramfs, busybox).  See scripts/vm/mkinitrd.sh.
# Everything that can be done here is done here: busybox is static and
# already in memory, while every binary run from the 9p root costs
# 0.1-1 s under TCG the first time.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

fail() {
	echo "mgre-vm init: FATAL: $*"
	echo "<2>mgre-vm init: FATAL: $*" > /dev/kmsg
	sleep 1
	echo o > /proc/sysrq-trigger
	sleep 5
	echo b > /proc/sysrq-trigger
}

load() {
	[ -f "$1" ] || return 0
	while read -r m; do
		[ -n "$m" ] || continue
		insmod "/lib/modules/$m.ko" || echo "mgre-vm init: insmod $m failed"
	done < "$1"
}
load /lib/modules/load.order
# Optional drivers (there is no udev): virtio-net (device id 1) for --nic.
if grep -qx 0x0001 /sys/bus/virtio/devices/*/device 2>/dev/null; then
	load /lib/modules/net.order
fi

has_tag() {
	# 9p mount tags are visible in sysfs once 9pnet_virtio has probed.
	for t in /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag; do
		[ -r "$t" ] || continue
		[ "$(tr -d '\0' < "$t")" = "$1" ] && return 0
	done
	return 1
}

# Read-only host root; cache=loose is safe (nothing we read changes while
# the VM runs) and much faster than cache=none.
OPTS=trans=virtio,version=9p2000.L,msize=512000
i=0
until mount -t 9p -o "ro,$OPTS,cache=loose" hostroot /lower 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "cannot mount 9p tag hostroot"
	sleep 0.05
done
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot ||
	fail "cannot mount overlayfs on top of the 9p root"
R=/newroot

if has_tag out; then
	mkdir -p $R/mnt/out
	# rw share for results: cache=none, so writes reach the host at once.
	mount -t 9p -o "$OPTS,cache=none" out $R/mnt/out || fail "cannot mount 9p tag out"
fi
STAGE2=/mnt/out/stage2.sh
[ -f "$R$STAGE2" ] || fail "$STAGE2 not found (no 'out' 9p share?)"

echo mgre-vm > /proc/sys/kernel/hostname
ip link set lo up

# The mounts stage 2 would otherwise do (it re-checks them).
mount -o move /dev $R/dev
mount -o move /proc $R/proc
mount -o move /sys $R/sys
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm
mount -t tmpfs -o mode=0755 tmpfs $R/run
mkdir -p $R/run/lock $R/run/netns
# Fresh /tmp and /var/tmp, except when the command's directory or the
# repository is below one (out/keep, from run.sh): a tmpfs would hide it,
# and the overlay makes it writable anyway.
scratch() {
	if [ -r $R/mnt/out/keep ]; then
		while read -r p; do
			case $p in
			"$1"|"$1"/*)
				echo "mgre-vm init: $p is below $1: no tmpfs on $1"
				return 0 ;;
			esac
		done < $R/mnt/out/keep
	fi
	mount -t tmpfs -o mode=1777 tmpfs "$R$1"
}
scratch /tmp
scratch /var/tmp
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t bpf bpf $R/sys/fs/bpf 2>/dev/null
ln -sfn ../proc/self/mounts $R/etc/mtab

exec switch_root $R /bin/bash "$STAGE2"
EOF
chmod 755 "$ROOT/init"

(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > "$WORK/initrd"
mv -f "$WORK/initrd" "$OUT"
echo "$STAMP" > "$OUT.stamp"
echo "mkinitrd: wrote $OUT ($(du -k "$OUT" | cut -f1) KiB)"

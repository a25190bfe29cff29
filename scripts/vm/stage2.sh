#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest stage 2 of the mgre test VM, run by bash as PID 1 (via switch_root
# from the initramfs /init, see mkinitrd.sh) inside the overlay root.
# run.sh copies this file into the rw 9p "out" share (/mnt/out).
#
# Contract with run.sh (files in /mnt/out):
#   cmd.sh       bash script to run (does the cd, the exports and the exec)
#   cwd          the host directory the command runs in
#   keep         directories (cwd, repository) no tmpfs may hide
#   interactive  if present: run cmd.sh on the console with a terminal
#   rc           written here: exit status of cmd.sh
#   boot_time    written here: guest uptime (s) when cmd.sh started
#   output.log   written here: stdout+stderr of cmd.sh (also on the console)
#   dmesg.log    written here: the kernel log at the end
# The guest always powers off at the end; kernel panics and oopses end the
# VM too (run.sh boots with oops=panic panic=-1 and -no-reboot).
#
# Under TCG every program started from the 9p root costs 0.1-1 s the first
# time, so this script uses shell builtins wherever it can; the initramfs
# /init already did the mounts, which are only re-checked here.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=${TERM:-linux}
OUT=/mnt/out
umask 022
cd /

# Sleeps with a builtin (read -t on a pipe nobody writes to, set up below):
# once the power-off has started, programs can no longer be loaded from
# the 9p root.
SLEEP_FD=0
poweroff_now() {
	sync
	# (without ACPI, as the debug kernel, there is no power-off: reboot)
	if [ -d /sys/firmware/acpi ]; then
		echo o > /proc/sysrq-trigger
		read -r -t 10 -u "$SLEEP_FD" _
	fi
	echo b > /proc/sysrq-trigger
	read -r -t 10 -u "$SLEEP_FD" _
}

declare -A MOUNTED=()
scan_mounts() {
	local dir
	MOUNTED=()
	while read -r _ dir _; do
		MOUNTED[$dir]=1
	done < /proc/self/mounts
}
mnt() {	# mnt FSTYPE DIR [OPTS]: mount unless DIR already is a mount point
	local fstype=$1 dir=$2 opts=${3:-}
	[ -z "${MOUNTED[$dir]:-}" ] || return 0
	[ -d "$dir" ] || mkdir -p "$dir" || return 1
	mount -t "$fstype" ${opts:+-o "$opts"} "$fstype" "$dir" && MOUNTED[$dir]=1
}

[ -r /proc/self/mounts ] || mount -t proc proc /proc
scan_mounts
mnt proc /proc
mnt sysfs /sys
mnt devtmpfs /dev
exec </dev/null >/dev/console 2>&1
mnt devpts /dev/pts gid=5,mode=620,ptmxmode=666
mnt tmpfs /dev/shm mode=1777
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
exec {SLEEP_FD}<> <(:)
mnt tmpfs /run mode=0755
[ -d /run/netns ] || mkdir -p /run/lock /run/netns
scratch() {	# see mkinitrd.sh: no tmpfs over the command's dir or the repo
	local p
	if [ -r "$OUT/keep" ]; then
		while read -r p; do
			case $p in "$1"|"$1"/*) return 0 ;; esac
		done < "$OUT/keep"
	fi
	mnt tmpfs "$1" mode=1777
}
scratch /tmp
scratch /var/tmp
[ -d /sys/kernel/debug ] && mnt debugfs /sys/kernel/debug
[ -d /sys/kernel/tracing ] && mnt tracefs /sys/kernel/tracing
[ -d /sys/fs/bpf ] && mnt bpf /sys/fs/bpf

echo mgre-vm > /proc/sys/kernel/hostname
echo mgre-vm > /etc/hostname
if [ -w /etc/hosts ]; then
	hosts=$(< /etc/hosts)
	[[ $hosts == *mgre-vm* ]] || echo "127.0.1.1 mgre-vm" >> /etc/hosts
fi
[ -r /sys/class/net/lo/flags ] && read -r loflags < /sys/class/net/lo/flags
(( ${loflags:-0} & 1 )) || ip link set lo up
ulimit -c 0
echo /dev/null > /proc/sys/kernel/core_pattern
echo 0 > /proc/sys/kernel/printk_ratelimit

if [ ! -f "$OUT/cmd.sh" ]; then
	echo "stage2: $OUT/cmd.sh missing: nothing to run"
	poweroff_now
fi

read -r up _ < /proc/uptime
echo "$up" > "$OUT/boot_time"
echo "stage2: guest up after ${up}s, running the command"

# PID 1 stays this shell, which reaps orphans while waiting.
if [ -f "$OUT/interactive" ]; then
	tty=/dev/console
	[ -c /dev/ttyS0 ] && tty=/dev/ttyS0
	# shellcheck disable=SC2094	# a terminal, not a file
	setsid -c bash "$OUT/cmd.sh" <"$tty" >"$tty" 2>&1
	rc=$?
else
	bash "$OUT/cmd.sh" 2>&1 </dev/null | tee "$OUT/output.log"
	rc=${PIPESTATUS[0]}
fi
echo "$rc" > "$OUT/rc"
dmesg > "$OUT/dmesg.log" 2>/dev/null
read -r up _ < /proc/uptime
echo "stage2: command exited with status $rc (guest uptime ${up}s)"
poweroff_now

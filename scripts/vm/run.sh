#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [options] -- CMD [ARGS...]
#
# Boot a throw-away QEMU guest (TCG) whose root file system is this
# machine's root (read-only 9p + tmpfs overlay, so the guest can write but
# nothing reaches the host) and run CMD in it as root, in the directory
# run.sh was started from.  Exit status: CMD's exit status, 124 if the VM
# timed out, 125 if the guest died without reporting one (panic, oops,
# boot failure, ...).
#
# Options:
#   --kernel PATH       kernel image (default: /boot/vmlinuz-KVER)
#   --kver KVER         kernel release; default: the newest one with both
#                       /boot/vmlinuz-KVER and /lib/modules/KVER (or read
#                       from --kernel)
#   --initrd PATH       use this initramfs instead of building one
#   --modules DIR       the kernel's module tree (the directory that has
#                       modules.dep): the guest sees it as /lib/modules/KVER
#                       (for a kernel not installed on this machine, such as
#                       the debug kernel of scripts/debug-kernel/build.sh)
#   --mem SIZE          guest memory (default 1536M)
#   --smp N             guest CPUs (default 2)
#   --timeout SECONDS   hard limit, qemu is killed after it (default 1800)
#   --append "ARGS"     extra kernel command line
#   --nic SOCK:server|client[:MAC]
#                       add a virtio-net NIC (eth0, eth1, ... in the guest
#                       in the order given) connected to another guest over
#                       the unix socket SOCK (-netdev stream).  Start the
#                       server guest first; a client waits up to 120 s for
#                       the socket to appear.  Repeatable.
#   --env NAME[=VALUE]  export NAME into CMD's environment (the host's
#                       value if no VALUE).  Repeatable.
#   --console-log FILE  keep the full serial console log in FILE
#   --quiet             do not stream the console to stdout
#   --out-dir DIR       use DIR as the rw "out" share (/mnt/out in the guest,
#                       also $MGRE_OUT) and keep it; default: a temporary
#                       directory, deleted at exit
#   --qemu-arg ARG      extra qemu argument (repeatable)
#   --name NAME         label used in messages (default: vm)
#   -h, --help
# Without CMD and with a terminal on stdin, an interactive login shell is
# started on the serial console (Ctrl-A x quits qemu).
#
# In the guest: CMD runs as root with MGRE_VM=1, MGRE_OUT=/mnt/out (the rw
# share: files written there survive the VM), MGRE_KVER, MGRE_REPO; the
# host's root is read-only below a tmpfs overlay (writes are discarded);
# /tmp, /run, /var/tmp are fresh tmpfs; no udev, no systemd; virtio-net
# NICs appear as eth0, eth1, ...; dmesg has everything (the console only
# shows errors); an oops panics the guest (oops=panic), which ends the VM.
#
# Environment: QEMU (default qemu-system-x86_64), VM_MACHINE (default pc,
# the fastest to boot), VM_BIOS=seabios (default qboot), VM_PVH=0 (boot
# the bzImage instead of the extracted vmlinux; a --kernel given as an ELF
# vmlinux must have a PVH note, CONFIG_PVH=y), VM_TSC_KHZ (the TSC rate
# the guest is told, default the host's: see host_tsc_khz).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
BUILD=${MGRE_BUILD_DIR:-$REPO/.build}

NAME=vm
KERNEL='' KVER='' INITRD='' MODULES='' MEM=1536M SMP=2 TIMEOUT=1800 APPEND=''
CONSOLE_LOG='' QUIET=0 OUT_DIR='' KEEP_OUT=0
NICS=() ENVS=() QEMU_EXTRA=()

msg() { echo "run.sh[$NAME]: $*" >&2; }
die() { msg "error: $*"; exit 125; }
usage() { sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) KERNEL=$2; shift 2 ;;
	--kver) KVER=$2; shift 2 ;;
	--initrd) INITRD=$2; shift 2 ;;
	--modules) MODULES=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--append) APPEND="$APPEND $2"; shift 2 ;;
	--nic) NICS+=("$2"); shift 2 ;;
	--env) ENVS+=("$2"); shift 2 ;;
	--console-log) CONSOLE_LOG=$2; shift 2 ;;
	--quiet) QUIET=1; shift ;;
	--out-dir) OUT_DIR=$2; KEEP_OUT=1; shift 2 ;;
	--qemu-arg) QEMU_EXTRA+=("$2"); shift 2 ;;
	--name) NAME=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage >&2; die "unknown option $1" ;;
	*) break ;;
	esac
done
CMD=("$@")
INTERACTIVE=0
if [ ${#CMD[@]} -eq 0 ]; then
	[ -t 0 ] || die "no command given (and stdin is not a terminal for an interactive shell)"
	INTERACTIVE=1
	CMD=(bash -l)
fi
case $TIMEOUT in ''|*[!0-9]*) die "--timeout needs a number of seconds" ;; esac

QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null 2>&1 || die "$QEMU not found (run scripts/deps.sh)"

# --- kernel -------------------------------------------------------------------
newest_kver() {
	local k v best=
	for k in /boot/vmlinuz-*; do
		[ -f "$k" ] || continue
		v=${k#/boot/vmlinuz-}
		[ -d "/lib/modules/$v" ] || continue
		best="$best$v"$'\n'
	done
	printf '%s' "$best" | sort -V | tail -n1
}
if [ -z "$KERNEL" ]; then
	[ -n "$KVER" ] || KVER=$(newest_kver)
	[ -n "$KVER" ] || die "no kernel with both /boot/vmlinuz-KVER and /lib/modules/KVER (install linux-image-amd64)"
	KERNEL=/boot/vmlinuz-$KVER
elif [ -z "$KVER" ]; then
	KVER=$(file -bL "$KERNEL" 2>/dev/null | sed -n 's/.*version \([^ ,]*\).*/\1/p')
	[ -n "$KVER" ] || KVER=unknown
fi
[ -r "$KERNEL" ] || die "cannot read kernel $KERNEL"
if [ -n "$MODULES" ]; then
	[ -f "$MODULES/modules.dep" ] || die "--modules $MODULES: no modules.dep there"
	MODULES=$(cd "$MODULES" && pwd)
fi

# A compressed bzImage spends ~4 s decompressing itself under TCG.  If the
# kernel supports PVH (CONFIG_PVH=y, as Debian's does), boot the
# uncompressed vmlinux ELF instead: qemu enters it directly.  Cached in
# $BUILD/vm; VM_PVH=0 disables this.
pvh_kernel() {
	local k=$1 out stamp magic off tmp
	command -v readelf >/dev/null 2>&1 || return 1
	# Already an ELF?  Use it as it is.
	[ "$(head -c 4 "$k" | od -An -c | tr -d ' ')" != '177ELF' ] || return 1
	out=$BUILD/vm/vmlinux-$(basename "$k")
	stamp=$(stat -L -c '%n %s %Y' "$k")
	if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "$out"; return 0
	fi
	mkdir -p "$BUILD/vm"
	tmp=$(mktemp "$out.XXXXXX")
	for magic in xz:$'\xfd7zXZ\x00' zstd:$'\x28\xb5\x2f\xfd' gzip:$'\x1f\x8b\x08'; do
		for off in $(LC_ALL=C grep -aboF "${magic#*:}" "$k" 2>/dev/null | cut -d: -f1 | head -n 5); do
			case ${magic%%:*} in
			xz) tail -c +$((off + 1)) "$k" | xz -dc --single-stream > "$tmp" 2>/dev/null ;;
			zstd) tail -c +$((off + 1)) "$k" | zstd -dcq > "$tmp" 2>/dev/null ;;
			gzip) tail -c +$((off + 1)) "$k" | gzip -dcq > "$tmp" 2>/dev/null ;;
			esac
			# XEN_ELFNOTE_PHYS32_ENTRY (0x12) marks a PVH entry point.
			if readelf -n "$tmp" 2>/dev/null | grep -q 'Xen.*0x00000012'; then
				mv -f "$tmp" "$out"
				echo "$stamp" > "$out.stamp"
				echo "$out"; return 0
			fi
		done
	done
	rm -f "$tmp"
	return 1
}
BOOT_KERNEL=$KERNEL
if [ "${VM_PVH:-1}" = 1 ] && pvh=$(pvh_kernel "$KERNEL"); then
	BOOT_KERNEL=$pvh
fi

if [ -z "$INITRD" ]; then
	INITRD=$BUILD/vm/initrd-$KVER.cpio
	"$SCRIPT_DIR/mkinitrd.sh" "$KVER" "$INITRD" >&2 || die "mkinitrd failed"
fi
[ -r "$INITRD" ] || die "cannot read initrd $INITRD"

# --- out share ------------------------------------------------------------------
if [ -z "$OUT_DIR" ]; then
	OUT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mgre-vm.XXXXXX")
else
	mkdir -p "$OUT_DIR"
	rm -f "$OUT_DIR"/{rc,rc.tmp,boot_time,cmd.sh,cwd,keep,stage2.sh,interactive,output.log,dmesg.log}
fi
OUT_DIR=$(cd "$OUT_DIR" && pwd)
QPID=''
# shellcheck disable=SC2317	# invoked by the trap
cleanup() {
	local rc=$?
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		kill -TERM "$QPID" 2>/dev/null || true
		wait "$QPID" 2>/dev/null || true
	fi
	[ "$KEEP_OUT" = 1 ] || rm -rf "$OUT_DIR"
	exit "$rc"
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT TERM HUP

cp "$SCRIPT_DIR/stage2.sh" "$OUT_DIR/stage2.sh"
pwd > "$OUT_DIR/cwd"
printf '%s\n' "$PWD" "$REPO" > "$OUT_DIR/keep"
{
	echo "# generated by scripts/vm/run.sh"
	printf 'cd -- %q || { echo "run.sh: cannot cd to %q in the guest"; exit 125; }\n' "$PWD" "$PWD"
	printf 'export MGRE_VM=1 MGRE_OUT=/mnt/out MGRE_KVER=%q MGRE_REPO=%q\n' "$KVER" "$REPO"
	if [ -n "$MODULES" ]; then
		# (the root is the writable overlay: the link does not reach the host)
		printf '[ -e /lib/modules/%q ] || { mkdir -p /lib/modules && ln -s %q /lib/modules/%q; }\n' \
			"$KVER" "$MODULES" "$KVER"
	fi
	for e in "${ENVS[@]}"; do
		n=${e%%=*}
		case $n in ''|[0-9]*|*[!A-Za-z0-9_]*) die "bad --env name '$n'" ;; esac
		if [ "$n" = "$e" ]; then
			[ -n "${!n+x}" ] || continue
			v=${!n}
		else
			v=${e#*=}
		fi
		printf 'export %s=%q\n' "$n" "$v"
	done
	if [ "$INTERACTIVE" = 1 ] && size=$(stty size 2>/dev/null); then
		printf 'stty rows %d cols %d 2>/dev/null\nexport TERM=%q\n' "${size% *}" "${size#* }" "${TERM:-vt100}"
	fi
	printf 'exec'
	printf ' %q' "${CMD[@]}"
	printf '\n'
} > "$OUT_DIR/cmd.sh"
[ "$INTERACTIVE" = 0 ] || touch "$OUT_DIR/interactive"

# --- qemu command line ------------------------------------------------------------
qesc() { printf '%s' "${1//,/,,}"; }	# qemu option values: ',' -> ',,'

# The guest's TSC ticks at the host's TSC rate (TCG reads the host's
# counter), but the guest measures that rate against the emulated PIT, and
# on a busy host the measurement can be off tenfold (seen: 242 MHz for
# 2.6 GHz, "PIT calibration deviates from HPET"): with tsc=reliable the
# guest's clock then runs ten times fast and every timeout in it fires
# early.  So the guest is told the host's rate (tsc_early_khz skips the
# calibration; the later refinement only accepts a value within 1% of
# it).  The rate: what the host's kernel detected or refined, else
# /proc/cpuinfo's on a host with a constant TSC.
host_tsc_khz() {
	local mhz
	mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	[ -n "$mhz" ] || mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	if [ -z "$mhz" ] && grep -q -m 1 constant_tsc /proc/cpuinfo; then
		mhz=$(sed -n 's/^cpu MHz[[:space:]]*: *\([0-9.]*\)/\1/p' /proc/cpuinfo | head -n 1)
	fi
	[ -n "$mhz" ] || return 0
	awk -v m="$mhz" 'BEGIN { printf "%d\n", m * 1000 }'
}
TSC_KHZ=${VM_TSC_KHZ:-$(host_tsc_khz)}
CMDLINE="console=ttyS0,115200 loglevel=4 panic=-1 oops=panic log_buf_len=16M"
CMDLINE+=" mitigations=off nokaslr tsc=reliable no_timer_check audit=0 nowatchdog"
[ -z "$TSC_KHZ" ] || CMDLINE+=" tsc_early_khz=$TSC_KHZ"
CMDLINE+=" i8042.noaux i8042.nokbd i8042.nopnp 8250.nr_uarts=1"
CMDLINE+=" net.ifnames=0 random.trust_cpu=on $APPEND"

# shellcheck disable=SC2054	# commas are qemu's
Q=("$QEMU" -machine "${VM_MACHINE:-pc},accel=tcg" -cpu max -smp "$SMP" -m "$MEM"
	-nodefaults -no-user-config -display none -no-reboot
	-kernel "$BOOT_KERNEL" -initrd "$INITRD" -append "$CMDLINE"
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=out,path=$(qesc "$OUT_DIR"),security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=out,mount_tag=out)
if [ -r /usr/share/qemu/qboot.rom ] && [ "${VM_BIOS:-qboot}" = qboot ]; then
	Q+=(-bios /usr/share/qemu/qboot.rom)
fi
if [ "$INTERACTIVE" = 1 ]; then
	Q+=(-serial mon:stdio)
else
	Q+=(-chardev "stdio,id=con,signal=off" -serial chardev:con)
fi

i=0
for nic in "${NICS[@]}"; do
	IFS=: read -r sock role mac <<<"$nic"
	[ -n "$sock" ] || die "--nic $nic: missing socket path"
	case $role in
	server)
		mkdir -p "$(dirname "$sock")"
		rm -f "$sock"
		srv=on ;;
	client)
		srv=off
		waited=0
		while [ ! -S "$sock" ]; do
			[ $waited -lt 1200 ] || die "--nic $nic: no server socket after 120 s"
			[ $waited -gt 0 ] || msg "waiting for $sock"
			sleep 0.1; waited=$((waited + 1))
		done ;;
	*) die "--nic $nic: role must be server or client" ;;
	esac
	[ -n "$mac" ] || mac=$(printf '52:54:00:%02x:%02x:%02x' $((RANDOM % 256)) $((RANDOM % 256)) "$i")
	# (mac may contain ':' itself: everything after the role is the MAC)
	Q+=(-netdev "stream,id=n$i,server=$srv,addr.type=unix,addr.path=$(qesc "$sock")"
		-device "virtio-net-pci,netdev=n$i,mac=$mac,romfile=")
	i=$((i + 1))
done
Q+=("${QEMU_EXTRA[@]}")

# --- run ---------------------------------------------------------------------------
LOG=${CONSOLE_LOG:-$OUT_DIR/console.log}
mkdir -p "$(dirname "$LOG")"
: > "$LOG"
BOOTED=$KERNEL
[ "$BOOT_KERNEL" = "$KERNEL" ] || BOOTED="$KERNEL as PVH $BOOT_KERNEL"
msg "booting $BOOTED ($KVER), ${SMP} cpus, $MEM, timeout ${TIMEOUT}s: ${CMD[*]}"
START=$(date +%s.%N)
set +e
if [ "$INTERACTIVE" = 1 ]; then
	timeout --foreground -k 10 "$TIMEOUT" "${Q[@]}"
	QRC=$?
else
	if [ "$QUIET" = 1 ]; then
		timeout -k 10 "$TIMEOUT" "${Q[@]}" </dev/null >"$LOG" 2>&1 &
	else
		timeout -k 10 "$TIMEOUT" "${Q[@]}" </dev/null > >(tee -a "$LOG") 2>&1 &
	fi
	QPID=$!
	wait "$QPID"
	QRC=$?
	QPID=
fi
set -e
END=$(date +%s.%N)
WALL=$(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.1f", b - a }')
# Let tee finish writing the log.
sleep 0.1

BOOT=$(cat "$OUT_DIR/boot_time" 2>/dev/null || echo '?')
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
	msg "TIMEOUT: the guest did not finish within ${TIMEOUT}s; qemu was killed (boot ${BOOT}s, wall ${WALL}s)"
	exit 124
fi
if [ ! -f "$OUT_DIR/rc" ]; then
	if [ "$QRC" != 0 ]; then
		msg "qemu exited with status $QRC"
	fi
	msg "the guest died without reporting an exit status (kernel panic/oops or boot failure?); see the console log${CONSOLE_LOG:+ $CONSOLE_LOG} (boot ${BOOT}s, wall ${WALL}s)"
	exit 125
fi
RC=$(cat "$OUT_DIR/rc")
case $RC in ''|*[!0-9]*) msg "bad rc '$RC'"; exit 125 ;; esac
msg "guest boot ${BOOT}s, total wall ${WALL}s, command exit status $RC"
exit "$RC"

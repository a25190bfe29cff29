#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages mgre needs to build and test (idempotent).
# Only missing packages are installed ("apt-get update" runs only then);
# when everything is present this is a fast no-op.
#
#   scripts/deps.sh            install what is missing
#   scripts/deps.sh --check    only report; exit 1 if something is missing
#   scripts/deps.sh --list     print the package list
set -euo pipefail

PKGS=(
	# build: module (against Debian's kernel headers), tools, plugin
	build-essential make gcc binutils pkg-config clang libclang-rt-14-dev
	linux-headers-amd64 sparse linux-source-6.1 xz-utils zstd file
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
	# packaging: make deb, DKMS (selftest 240_packages)
	dkms
	# the debug kernel (scripts/debug-kernel/build.sh), from linux-source
	bc bison flex libelf-dev
	# the test VM: Debian's kernel booted under qemu (TCG) with the host
	# root over 9p; busybox-static + cpio for the initramfs
	linux-image-amd64 qemu-system-x86 busybox-static cpio kmod
	# tests
	iproute2 iputils-ping procps psmisc util-linux tcpdump tshark iperf3
	socat nftables ethtool python3 jq valgrind
	frr strongswan-charon strongswan-swanctl
	# lint
	shellcheck
)

mode=install
case ${1:-} in
--check) mode=check ;;
--list) printf '%s\n' "${PKGS[@]}"; exit 0 ;;
"") ;;
*) echo "usage: $0 [--check|--list]" >&2; exit 2 ;;
esac

# Prints the packages among "$@" that are not installed (one dpkg-query).
not_installed() {
	local -A ok=()
	local name st p
	while read -r name st; do
		[ "$st" != installed ] || ok[$name]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)
	for p in "$@"; do
		[ -n "${ok[$p]:-}" ] || echo "$p"
	done
}
mapfile -t missing < <(not_installed "${PKGS[@]}")

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
echo "deps: missing: ${missing[*]}"
[ "$mode" = install ] || exit 1

SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps: need root (or sudo) to install" >&2; exit 1; }
	SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
echo "deps: apt-get update"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update
echo "deps: installing: ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null

# Verify.
mapfile -t still < <(not_installed "${missing[@]}")
if [ ${#still[@]} -gt 0 ]; then
	echo "deps: error: still missing after install: ${still[*]}" >&2
	exit 1
fi
echo "deps: installed ${#missing[@]} package(s)"

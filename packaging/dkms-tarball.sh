#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-tarball.sh VERSION KVER OUTDIR: DKMS builds mgre.ko for kernel KVER
# from the sources the mgre-dkms package ships (make dkms-src), in a
# private DKMS tree, and packs it as a binaries-only DKMS tarball,
# OUTDIR/mgre-VERSION.dkms.tar.gz.  Dropped into /usr/share/mgre-dkms
# before mgre-dkms is configured, it is installed instead of a build (the
# package's postinst passes that directory to DKMS): how selftest
# 240_packages installs the package in the emulated VM, where compiling
# takes over ten minutes.  Proves on the way that DKMS builds the module
# from the packaged sources.
set -euo pipefail
VERSION=${1:?usage: $0 VERSION KVER OUTDIR}
KVER=${2:?usage: $0 VERSION KVER OUTDIR}
OUT=$(realpath -m "${3:?usage: $0 VERSION KVER OUTDIR}")
cd "$(dirname "$0")/.."
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$OUT" "$STAGE/tree"
make --no-print-directory dkms-src DESTDIR="$STAGE" VERSION="$VERSION" >/dev/null
DKMS=(-m mgre -v "$VERSION" -k "$KVER" --sourcetree "$STAGE/usr/src" --dkmstree "$STAGE/tree")
if ! dkms build "${DKMS[@]}" >"$STAGE/build.log" 2>&1; then
	cat "$STAGE/build.log" "$STAGE/tree/mgre/$VERSION/build/make.log" 2>/dev/null | tail -n 30
	echo "dkms-tarball.sh: DKMS could not build mgre $VERSION for $KVER" >&2
	exit 1
fi
dkms mktarball "${DKMS[@]}" --binaries-only --archive "$OUT/mgre-$VERSION.dkms.tar.gz" >/dev/null
echo "DKMS built mgre $VERSION for $KVER: $OUT/mgre-$VERSION.dkms.tar.gz"

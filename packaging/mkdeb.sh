#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkdeb.sh VERSION OUTDIR: the Debian packages of mgre, built by "make deb"
# from the tree (tools built already) with dpkg-deb, no debian/ directory:
#
#   mgre-dkms_VERSION_all.deb    the module's sources under
#                                /usr/src/mgre-VERSION, built by DKMS for
#                                each kernel with headers (and again after
#                                each kernel upgrade)
#   nhrpctl_VERSION_ARCH.deb     nhrpctl, the ip plugin (link_mgre.so, for
#                                Debian 12's iproute2 6.1), mgre-quick and
#                                its systemd unit, man pages, completion
set -euo pipefail
VERSION=${1:?usage: $0 VERSION OUTDIR}
OUT=$(realpath -m "${2:?usage: $0 VERSION OUTDIR}")
cd "$(dirname "$0")/.."
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
MAINT="mgre developers <mgre@localhost>"
mkdir -p "$OUT"

# --- mgre-dkms -----------------------------------------------------------
D=$STAGE/mgre-dkms
make --no-print-directory dkms-src DESTDIR="$D" VERSION="$VERSION" >/dev/null
mkdir -p "$D/DEBIAN"
cat >"$D/DEBIAN/control" <<CTL
Package: mgre-dkms
Version: $VERSION
Architecture: all
Maintainer: $MAINT
Depends: dkms (>= 3)
Section: kernel
Priority: optional
Description: multipoint GRE with NHRP (Cisco DMVPN) for Linux, DKMS module
 The mgre kernel module: link kind "mgre", an in-kernel NHRP engine
 (registration, resolution, purge; DMVPN phase 2), multicast
 replication, GRE keepalives and IPsec protection.  DKMS builds it for
 every installed kernel with headers.
CTL
cat >"$D/DEBIAN/postinst" <<SH
#!/bin/sh
set -e
# (a binaries-only DKMS tarball /usr/share/mgre-dkms/mgre-$VERSION.dkms.tar.gz,
# "make dkms-tarball", is installed instead of a build)
if [ "\$1" = configure ]; then
	/usr/lib/dkms/common.postinst mgre $VERSION /usr/share/mgre-dkms
fi
SH
cat >"$D/DEBIAN/prerm" <<SH
#!/bin/sh
set -e
if [ "\$1" = remove ] || [ "\$1" = upgrade ]; then
	dkms remove -m mgre -v $VERSION --all >/dev/null 2>&1 || true
fi
SH
chmod 0755 "$D/DEBIAN/postinst" "$D/DEBIAN/prerm"
dpkg-deb --root-owner-group -Zxz -b "$D" "$OUT/mgre-dkms_${VERSION}_all.deb" >/dev/null

# --- nhrpctl -------------------------------------------------------------
D=$STAGE/nhrpctl
# (ip's own plugin directory, whatever IP_LIB_DIR the caller has)
make --no-print-directory install-tools DESTDIR="$D" PREFIX=/usr \
	IP_LIB_DIR="/usr/lib/$(gcc -print-multiarch)/ip" >/dev/null
mkdir -p "$D/DEBIAN"
cat >"$D/DEBIAN/control" <<CTL
Package: nhrpctl
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINT
Depends: libc6, libnl-3-200, libnl-genl-3-200, libnl-route-3-200, iproute2 (>= 6.1), iproute2 (<< 6.2)
Recommends: mgre-dkms (= $VERSION)
Section: net
Priority: optional
Description: NHRP control for mgre devices, ip plugin, mgre-quick
 nhrpctl configures and shows the NHRP state of mgre devices (static
 maps, multicast map, next-hop servers, show dmvpn, events);
 link_mgre.so lets "ip link" create and show mgre devices; mgre-quick
 brings a tunnel up from /etc/mgre/NAME.conf (with a systemd unit).
CTL
# (what is in /etc is the administrator's once installed)
(cd "$D" && find etc -type f | sed 's|^|/|') >"$D/DEBIAN/conffiles"
dpkg-deb --root-owner-group -Zxz -b "$D" "$OUT/nhrpctl_${VERSION}_${ARCH}.deb" >/dev/null
echo "$OUT/mgre-dkms_${VERSION}_all.deb"
echo "$OUT/nhrpctl_${VERSION}_${ARCH}.deb"

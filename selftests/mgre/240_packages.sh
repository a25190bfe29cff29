#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# The Debian packages, installed as a user would: mgre-dkms and nhrpctl,
# from "make deb" (make check's host stage builds them, and has DKMS build
# the module for this kernel from the packaged sources into a
# binaries-only tarball, "make dkms-tarball": compiling under emulation
# takes over ten minutes).  dpkg installs them, the tarball dropped where
# the package's postinst tells DKMS to look: DKMS installs the module into
# updates/dkms; modprobe loads it, and the seed DMVPN runs from the
# installed files only (/usr/sbin/nhrpctl, the plugin in ip's own
# directory, mgre-quick): the spokes register and sp1's LAN reaches
# sp2's.  dpkg -P removes them: no module file, no plugin, no nhrpctl
# left.  (The VM's root is an overlay: nothing reaches the host.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd dpkg-deb dkms dpkg
VERSION=0.1
KVER=$(uname -r)
DEBS=$REPO/.build/deb
PLUGIN_DIR=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/ip

# (the tree's module, loaded by an earlier test of the run, makes way; it
# is loaded again at the end)
if [ -d /sys/module/mgre ]; then
	unload_mgre || ksft_fail "cannot unload the tree's mgre: $(ip -o link show type mgre 2>&1)"
fi
# (on a failure: nothing installed stays for what runs next)
cleanup_add sh -c 'dpkg --no-triggers -r nhrpctl mgre-dkms'
TARBALL=$DEBS/mgre-$VERSION.dkms.tar.gz
for f in "mgre-dkms_${VERSION}_all.deb" "nhrpctl_${VERSION}_$(dpkg --print-architecture).deb" \
	"${TARBALL##*/}"; do
	[ -f "$DEBS/$f" ] || ksft_fail "no $DEBS/$f: run 'make deb dkms-tarball' first (make check does)"
done
list=$(tar tzf "$TARBALL")
grep -q "^./dkms_main_tree/$KVER/" <<<"$list" ||
	ksft_fail "$TARBALL is not for this kernel ($KVER): run 'make dkms-tarball KDIR=/lib/modules/$KVER/build'"
# What is in them (the paths a user relies on).
contents=$(dpkg-deb -c "$DEBS"/nhrpctl_*.deb | awk '{ print $NF }')
for f in ./usr/sbin/nhrpctl ./usr/sbin/mgre-quick "./${PLUGIN_DIR#/}/link_mgre.so" \
	./usr/share/man/man8/nhrpctl.8 ./usr/share/man/man8/ip-link-mgre.8 \
	./usr/share/man/man8/mgre-quick.8 ./usr/share/bash-completion/completions/nhrpctl \
	./lib/systemd/system/mgre-quick@.service ./lib/systemd/system/mgre-quick-watch@.service \
	./etc/bash_completion.d/ip-mgre; do
	grep -qxF "$f" <<<"$contents" || fail "nhrpctl.deb lacks $f"
done
contents=$(dpkg-deb -c "$DEBS"/mgre-dkms_*.deb | awk '{ print $NF }')
grep -qxF "./usr/src/mgre-$VERSION/dkms.conf" <<<"$contents" || fail "mgre-dkms.deb lacks dkms.conf"

# Install, DKMS taking the module built for this kernel.
mkdir -p /usr/share/mgre-dkms && cp "$TARBALL" /usr/share/mgre-dkms/ ||
	ksft_fail "cannot place the DKMS tarball"
# (--no-triggers: man-db's index is not rebuilt, a minute under emulation)
t0=$(now_ms)
out=$(DEBIAN_FRONTEND=noninteractive dpkg --no-triggers -i "$DEBS"/mgre-dkms_*.deb "$DEBS"/nhrpctl_*.deb 2>&1) ||
	ksft_fail "dpkg -i failed: $(tail -n 20 <<<"$out")"
log "dpkg -i: $(($(now_ms) - t0)) ms"
grep -q "Loading tarball for mgre-$VERSION" <<<"$out" ||
	fail "the package's postinst did not give DKMS the tarball: $(tail -n 10 <<<"$out")"
ko=/lib/modules/$KVER/updates/dkms/mgre.ko
[ -f "$ko" ] || ksft_fail "no $ko after dpkg -i: $(dkms status 2>&1)"
check_match "$(dkms status mgre 2>&1)" "mgre/$VERSION, $KVER, [^:]*: installed" "dkms status"
modprobe mgre || ksft_fail "modprobe mgre failed: $(dmesg | tail -n 3)"
expect_eq "$ko" "$(modinfo -n mgre)" "the module modprobe takes"

# The seed, from the installed files only.
NHRPCTL=/usr/sbin/nhrpctl
unset IP_LIB_DIR	# (ip's own plugin directory)
[ "$(command -v mgre-quick)" = /usr/sbin/mgre-quick ] || fail "mgre-quick is not /usr/sbin's"
t0=$(now_ms)
topo_seed_dynamic
topo_spokes_registered
log "the seed from the installed files: $(($(now_ms) - t0)) ms"
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1's LAN cannot reach sp2's LAN"
check_match "$(ip -n hub -d link show dev tun0)" 'mgre remote any local 192\.1\.1\.1 ' \
	"the installed plugin's view of the hub's tunnel"
printf 'link local 192.1.1.9 key 1\nnhs 172.1.1.1\n' >"$TMPD/t9.conf"
out=$(mgre-quick check "$TMPD/t9.conf" 2>&1) || fail "the installed mgre-quick: $out"
# (the installed completion of the installed plugin's options)
# shellcheck disable=SC2016	# (for the inner shell)
got=$(bash -c 'source /etc/bash_completion.d/ip-mgre &&
	COMP_WORDS=(ip link set tun0 type mgre route-inject "") COMP_CWORD=7 &&
	_mgre_ip && echo "${COMPREPLY[*]}"' 2>&1)
check_eq "$got" "on off" "the installed completion of \"type mgre route-inject\""

# Remove: nothing left (the loaded module stays loaded; its file goes).
for ns in hub sp1 sp2; do ip -n "$ns" link del tun0; done
t0=$(now_ms)
out=$(dpkg --no-triggers -P nhrpctl mgre-dkms 2>&1) || fail "dpkg -P failed: $(tail -n 5 <<<"$out")"
log "dpkg -P: $(($(now_ms) - t0)) ms"
rm -f "/usr/share/mgre-dkms/${TARBALL##*/}"
for f in "$ko" /usr/sbin/nhrpctl /usr/sbin/mgre-quick "$PLUGIN_DIR/link_mgre.so" \
	"/usr/src/mgre-$VERSION" /etc/bash_completion.d/ip-mgre; do
	[ ! -e "$f" ] || fail "$f is left after dpkg -P"
done
expect_eq "" "$(dkms status mgre 2>&1)" "dkms status after dpkg -P"
# The tree's module again, for what runs next.
unload_mgre || fail "cannot unload the packaged mgre"
load_mgre

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run_frr.sh: mgre <-> FRR nhrpd interoperability test (host side).
#
# FRR's nhrpd needs Linux ip_gre, which cannot share a kernel with mgre,
# so this boots two guests joined by a virtual NBMA link (scripts/vm/run.sh
# --nic, a unix socket):
#   "frr"   runs selftests/interop/frr_node.sh agent: eth0 192.1.1.10,
#           zebra, and a control agent the test drives nhrpd through;
#   "mgre"  runs selftests/interop/frr_interop.sh: the mgre routers (in
#           network namespaces bridged to eth0) and the test itself.
# The test's KTAP output (mgre guest) is streamed to stdout; logs, the FRR
# logs and the capture of the NBMA link go to $OUT.
#
# Exit status: 0 all passed, 1 a check failed, 124 a guest timed out,
# 125 a guest died or could not start.
#
# Environment:
#   INTEROP_OUT       result directory (default .build/interop)
#   INTEROP_TIMEOUT   limit per guest in seconds (default 480)
#   INTEROP_MEM       guest memory (default 1024M)
#   VM_ARGS           extra scripts/vm/run.sh options for both guests
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 125
OUT=${INTEROP_OUT:-$REPO/.build/interop}
TMO=${INTEROP_TIMEOUT:-480}
MEM=${INTEROP_MEM:-1024M}
RUN=scripts/vm/run.sh

msg() { echo "run_frr.sh: $*" >&2; }

rm -rf "$OUT"
mkdir -p "$OUT"
# A unix socket path must stay short (108 bytes): not below $OUT.
SOCKDIR=$(mktemp -d "${TMPDIR:-/tmp}/mgre-interop.XXXXXX") || exit 125
SOCK=$SOCKDIR/nbma.sock
APID='' BPID='' TPID=''
# shellcheck disable=SC2317	# invoked by the trap
cleanup() {
	local p
	for p in $BPID $APID $TPID; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $BPID $APID $TPID; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$SOCKDIR"
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT TERM HUP

T0=$(date +%s)
# shellcheck disable=SC2086	# VM_ARGS is a list of options
$RUN --name frr --mem "$MEM" --smp 1 --timeout "$TMO" --quiet \
	--console-log "$OUT/frr-console.log" --out-dir "$OUT/frr" \
	--nic "$SOCK:server:52:54:00:00:01:0a" --env AGENT_TIMEOUT=$((TMO - 60)) \
	${VM_ARGS:-} -- selftests/interop/frr_node.sh agent >"$OUT/frr-run.log" 2>&1 &
APID=$!
# Start the second guest once the first one's qemu listens (this also
# keeps the two run.sh from building the initramfs at the same time).
for ((i = 0; i < 1200; i++)); do
	[ -S "$SOCK" ] && break
	kill -0 "$APID" 2>/dev/null || break
	sleep 0.1
done
if [ ! -S "$SOCK" ]; then
	msg "the FRR guest did not start:"
	tail -n 20 "$OUT/frr-run.log" >&2
	exit 125
fi

# shellcheck disable=SC2086
$RUN --name mgre --mem "$MEM" --smp 1 --timeout "$TMO" --quiet \
	--console-log "$OUT/mgre-console.log" --out-dir "$OUT/mgre" \
	--nic "$SOCK:client:52:54:00:00:01:0b" --env DMESG_IGNORE \
	${VM_ARGS:-} -- selftests/interop/frr_interop.sh >"$OUT/mgre-run.log" 2>&1 &
BPID=$!

# Stream the test's output (the guest writes it to out/output.log).
tail -n +1 -F "$OUT/mgre/output.log" 2>/dev/null &
TPID=$!

# If the FRR guest ends first with a failure, the test cannot go on.
ARC='' BRC='' bend=0
while :; do
	if [ -z "$ARC" ] && ! kill -0 "$APID" 2>/dev/null; then
		wait "$APID"; ARC=$?; APID=
		if [ "$ARC" != 0 ] && [ -n "$BPID" ]; then
			msg "the FRR guest ended with status $ARC while the test ran: stopping the mgre guest"
			kill -TERM "$BPID" 2>/dev/null
		fi
	fi
	if [ -z "$BRC" ] && ! kill -0 "$BPID" 2>/dev/null; then
		wait "$BPID"; BRC=$?; BPID=
		bend=$SECONDS
	fi
	# The test tells the FRR guest to stop; if that got lost, do not
	# wait for its own timeout.
	if [ -n "$BRC" ] && [ -n "$APID" ] && [ $((SECONDS - bend)) -gt 60 ]; then
		msg "the FRR guest is still running 60 s after the test: stopping it"
		kill -TERM "$APID" 2>/dev/null
		bend=$SECONDS
	fi
	[ -n "$BRC" ] && [ -n "$ARC" ] && break
	sleep 0.5
done
sleep 0.3
kill "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null; TPID=

secs=$(( $(date +%s) - T0 ))
msg "mgre guest: $(tail -n 1 "$OUT/mgre-run.log")"
msg "frr guest:  $(tail -n 1 "$OUT/frr-run.log")"
if [ "$ARC" != 0 ]; then
	msg "the FRR guest failed (status $ARC); its output:"
	sed 's/^/    | /' "$OUT/frr/output.log" 2>/dev/null | tail -n 30 >&2
fi
msg "took ${secs}s; logs, FRR logs and the NBMA capture in $OUT"

case $BRC in
0|1) ;;
*) exit "$BRC" ;;
esac
case $ARC in
0) ;;
124|125) exit "$ARC" ;;
*) exit 125 ;;
esac
exit "$BRC"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# mgre-quick builds the seed spoke R2 from a configuration file: its
# tunnel, address, map, multicast map, NHS and route (the same state a
# hand-made spoke has, compared as JSON), it registers with the hub and
# its LAN reaches R3's LAN.  "down" removes all of it (no device, no
# address, no route left); "up" again works.  "save" writes the running
# spoke into a file that "up" turns back into the same spoke.  A file whose sixth line
# fails stops at that line, says so, and leaves nothing behind; "check"
# finds an unknown statement without touching anything.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq
MQ=$REPO/tools/mgre-quick/mgre-quick
export NHRPCTL

# quick NS ARGS...: mgre-quick in NS
quick() { local ns=$1; shift; in_ns "$ns" "$MQ" "$@"; }
# spoke_state NS: sp1's tunnel as nhrpctl shows it (without times)
spoke_state() {
	{
		nhrpctl_in "$1" -j show dev tun0 | jq -c 'map(del(.age, .expires, .used)) | sort_by(.proto)'
		nhrpctl_in "$1" -j show multicast dev tun0
		nhrpctl_in "$1" -j show nhs dev tun0 | jq -c 'map({proto, nbma, priority})'
		in_ns "$1" ip -4 -o addr show dev tun0 | awk '{ print $4 }'
		in_ns "$1" ip route show dev tun0 | sort
	} 2>&1
}
# gone NS: no tun0 in NS, and nothing it had (address, routes)
gone() {
	! in_ns "$1" ip link show dev tun0 >/dev/null 2>&1 &&
		! in_ns "$1" ip -4 -o addr show | grep -q '172\.1\.1' &&
		! in_ns "$1" ip route show | grep -qE '172\.1\.1|tun0'
}

topo_seed_dynamic
topo_spokes_registered
# The hand-made spoke's state, then sp1 without its tunnel.
want=$(spoke_state sp1)
check_match "$want" '"nbma":"192.1.1.1"' "sp1's hand-made state"
in_ns sp1 ip link del tun0 || fail "cannot delete sp1's tunnel"
gone sp1 || fail "sp1 kept something of its tunnel: $(in_ns sp1 ip route)"

CONF=$TMPD/tun0.conf
cat >"$CONF" <<EOF
# spoke R2 of the seed DMVPN
link local 192.1.1.2 key $TOPO_KEY $TOPO_NHRP
address 172.1.1.2/24
map 172.1.1.1 nbma 192.1.1.1   # the hub
multicast nbma 192.1.1.1
nhs 172.1.1.1
route 192.168.1.0/24 via 172.1.1.1
route 192.168.3.0/24 via 172.1.1.3
EOF

for round in 1 2; do
	out=$(quick sp1 up "$CONF" 2>&1) || fail "up (round $round) failed: $out"
	expect_eq "" "$out" "up's output (round $round)"
	expect_eq "$want" "$(spoke_state sp1)" "the spoke mgre-quick made (round $round) vs the hand-made one"
	wait_until 10 nhs_state_is sp1 responding ||
		fail "sp1 did not register (round $round): $(nhrpctl_in sp1 show nhs)"
	ping_ok sp1 192.168.3.1 -I 192.168.2.1 ||
		fail "sp1's LAN cannot reach sp2's LAN (round $round)"
	out=$(quick sp1 down "$CONF" 2>&1) || fail "down (round $round) failed: $out"
	gone sp1 || fail "down left something (round $round): $(in_ns sp1 ip -o link; in_ns sp1 ip route)"
done

# save ("write memory"): the running spoke into a file (mode 0600: the
# password) that "up" turns back into the same spoke.
mkdir -p "$TMPD/saved"
SAVED=$TMPD/saved/tun0.conf
out=$(quick sp1 up "$CONF" 2>&1) || fail "up before save failed: $out"
out=$(quick sp1 save "$SAVED" 2>&1) || fail "save failed: $out"
log "saved: $(cat "$SAVED")"
expect_eq 600 "$(stat -c %a "$SAVED")" "the saved file's mode"
for re in '^link local 192\.1\.1\.2 .* key 10000 network-id 10000 holdtime 500 .* auth cisco123 ' \
	'^address 172\.1\.1\.2/24$' '^map 172\.1\.1\.1/32 nbma 192\.1\.1\.1$' \
	'^multicast nbma 192\.1\.1\.1$' '^nhs 172\.1\.1\.1 priority 0$' \
	'^route 192\.168\.1\.0/24 via 172\.1\.1\.1$' '^route 192\.168\.3\.0/24 via 172\.1\.1\.3$'; do
	grep -qE -- "$re" "$SAVED" || fail "the saved file has no line matching '$re'"
done
expect_eq 0 "$(grep -cE 'proto kernel|172\.1\.1\.3 nbma' "$SAVED")" \
	"saved lines of the kernel's subnet route or of learned entries"
out=$(quick sp1 down "$CONF" 2>&1) || fail "down after save failed: $out"
out=$(quick sp1 up "$SAVED" 2>&1) || fail "up from the saved file failed: $out"
expect_eq "$want" "$(spoke_state sp1)" "the spoke from the saved file vs the hand-made one"
out=$(quick sp1 down "$SAVED" 2>&1) || fail "down of the saved spoke failed: $out"
gone sp1 || fail "down of the saved spoke left something"
out=$(quick sp1 save "$SAVED" 2>&1)
expect_eq "1 mgre-quick: tun0 does not exist" "$? $out" "save of a tunnel that does not exist"

# A failing sixth line: FILE:6:, and nothing left behind.
sed 's/^nhs 172.1.1.1$/nhs 172.1.1.1 priority 300/' "$CONF" >"$TMPD/bad.conf"
check_match "$(sed -n 6p "$TMPD/bad.conf")" 'priority 300' "the bad line"
out=$(quick sp1 up "$TMPD/bad.conf" 2>&1)
rc=$?
expect_eq 1 "$rc" "up's exit status with a bad line"
check_match "$out" "^mgre-quick: $TMPD/bad.conf:6: .*nhs add 172.1.1.1 priority 300 dev bad failed: nhrpctl: invalid priority \"300\"" \
	"up's message for the bad line"
gone sp1 || fail "a failed up left something: $(in_ns sp1 ip -o link)"
! in_ns sp1 ip link show dev bad >/dev/null 2>&1 || fail "a failed up left its device"
# check: an unknown statement, found without touching anything.
printf 'link local 192.1.1.2 key 1\nroute 10.0.0.0/8\nnsh 172.1.1.1\n' >"$TMPD/typo.conf"
out=$(quick sp1 check "$TMPD/typo.conf" 2>&1)
expect_eq 1 "$?" "check's exit status on a typo"
expect_eq "mgre-quick: $TMPD/typo.conf:3: unknown statement \"nsh\" (link, address, map, multicast, nhs, route)" \
	"$out" "check's message"
! in_ns sp1 ip link show dev typo >/dev/null 2>&1 || fail "check created a device"

exit_status

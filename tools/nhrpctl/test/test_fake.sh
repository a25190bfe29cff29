#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_fake.sh NHRPCTL FAKENL_SO: run nhrpctl against fakenl.so, the
# LD_PRELOAD stand-in for the mgre kernel module (see fakenl.c for its
# canned scenario), and compare the output with the documented formats.
# Checks the requests' attributes, every output format (text and JSON),
# the kernel error mapping with extended ACK messages (capped and not),
# and errors at the end of a dump.  Ends with "N passed, N failed".

NHRPCTL=$(realpath "${1:?usage: $0 NHRPCTL FAKENL_SO}")
FAKENL=$(realpath "${2:?usage: $0 NHRPCTL FAKENL_SO}")
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
export FAKENL_LOG=$TMP/log

passed=0
failed=0

run() {
	LD_PRELOAD=$FAKENL "$NHRPCTL" "$@" >"$TMP/out" 2>"$TMP/err"
}

ok() {
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: nhrpctl $1: $2"
	failed=$((failed + 1))
}

# check_out CODE ARGS...: exit code CODE and stdout equal to stdin
check_out() {
	local code=$1 rc
	shift
	cat >"$TMP/expected"
	run "$@"
	rc=$?
	if [ $rc -ne "$code" ]; then
		fail "$*" "exit code $rc, expected $code; stderr: $(cat "$TMP/err")"
	elif ! diff -u "$TMP/expected" "$TMP/out" >"$TMP/diff"; then
		fail "$*" "unexpected output:"
		cat "$TMP/diff"
	else
		ok
	fi
}

# check_err CODE MESSAGE ARGS...: exit code CODE, stderr "nhrpctl: MESSAGE"
check_err() {
	local code=$1 msg=$2 rc
	shift 2
	run "$@"
	rc=$?
	if [ $rc -ne "$code" ]; then
		fail "$*" "exit code $rc, expected $code"
	elif [ "$(cat "$TMP/err")" != "nhrpctl: $msg" ]; then
		fail "$*" "stderr: $(cat "$TMP/err"), expected: nhrpctl: $msg"
	else
		ok
	fi
}

# check_req EXPECTED ARGS...: exit 0, and the one request logged is EXPECTED
check_req() {
	local expected=$1
	shift
	rm -f "$FAKENL_LOG"
	if ! run "$@"; then
		fail "$*" "failed: $(cat "$TMP/err")"
	elif [ "$(cat "$FAKENL_LOG")" != "$expected" ]; then
		fail "$*" "request $(cat "$FAKENL_LOG"), expected $expected"
	else
		ok
	fi
}

# ---- requests: "CMD attr=hex", attrs in network/host order ----------------
# MGRE_A_: 1 IFINDEX, 3 PROTO, 4 PREFIXLEN, 5 NBMA, 10 MCAST_DYNAMIC, 11 PRIORITY
check_req "1 1=05000000 3=ac010105 5=c0010105" map add 172.1.1.5 nbma 192.1.1.5 dev tun0
check_req "1 1=05000000 3=0a010000 4=10 5=c0010105" map add nbma 192.1.1.5 dev tun0 10.1.0.0/16
check_req "2 1=06000000 3=ac010105" map del dev tun1 172.1.1.5
check_req "4 1=05000000 5=c0010102" multicast add nbma 192.1.1.2 dev tun0
check_req "4 1=05000000 10=" multicast add dynamic dev tun0
check_req "5 1=05000000 10=" multicast del dev tun0 dynamic
check_req "7 1=05000000 3=ac010101 5=c0010101 11=03" nhs add priority 3 172.1.1.1 dev tun0 nbma 192.1.1.1
check_req "7 1=05000000 3=ac010101" nhs add 172.1.1.1 dev tun0
check_req "8 1=05000000 3=ac010101" nhs del 172.1.1.1 dev tun0
check_req "10 1=05000000" stats dev tun0

# ---- kernel errors ---------------------------------------------------------
check_err 1 'tun0: NHRP entry 172.1.1.2 already exists (kernel: static entry exists)' \
	map add 172.1.1.2 nbma 192.1.1.2 dev tun0
FAKENL_NOCAP=1 check_err 1 'tun0: NHRP entry 172.1.1.2 already exists (kernel: static entry exists)' \
	map add 172.1.1.2 nbma 192.1.1.2 dev tun0
check_err 1 'tun0: the NHRP cache is full' map add 10.255.255.255 nbma 1.1.1.1 dev tun0
check_err 1 'tun0: NHRP entry 172.1.1.99 does not exist' map del 172.1.1.99 dev tun0
check_err 1 'permission denied (CAP_NET_ADMIN is required)' multicast add nbma 9.9.9.9 dev tun0
check_err 1 'device "tun0" is not an mgre device' nhs del 9.9.9.9 dev tun0
check_err 1 'device "tun1" does not exist (kernel: device is going away)' show nhs dev tun1
check_err 1 'device "lo" is not an mgre device' show dev lo
FAKENL_NO_MGRE=1 check_err 1 'the mgre module is not loaded (modprobe mgre)' show

# ---- show (NHRP cache) -------------------------------------------------------
check_out 0 show <<'EOF'
172.1.1.2/32 via 172.1.1.2
   tun0 created 00:01:23, never expire
   Type: static, Flags: used
   NBMA address: 192.1.1.2
172.1.1.3/32 via 172.1.1.3
   tun0 created 1d01h, expire 00:07:12
   Type: dynamic, Flags: unique registered used
   NBMA address: 192.1.1.3
10.0.0.0/24 via 10.0.0.0
   tun1 created 1w1d, expire 00:00:05
   Type: incomplete, Flags: 0x80000000
   NBMA address: none
EOF
check_out 0 -j show dev tun0 <<'EOF'
[{"dev":"tun0","proto":"172.1.1.2","prefixlen":32,"nbma":"192.1.1.2","type":"static","flags":["used"],"age":83,"expires":null,"used":3},{"dev":"tun0","proto":"172.1.1.3","prefixlen":32,"nbma":"192.1.1.3","type":"dynamic","flags":["unique","registered","used"],"age":90061,"expires":432,"used":null}]
EOF
check_out 0 show -p dev tun1 <<'EOF'
[
    {
        "dev": "tun1",
        "proto": "10.0.0.0",
        "prefixlen": 24,
        "nbma": null,
        "type": "incomplete",
        "flags": [
            "0x80000000"
        ],
        "age": 700000,
        "expires": 5,
        "used": null
    }
]
EOF

# ---- show multicast ----------------------------------------------------------
check_out 0 show multicast <<'EOF'
I/F        NBMA address
tun0       192.1.1.2        Flags: static
tun0       dynamic          Flags: static
tun0       192.1.1.3        Flags: dynamic
EOF
check_out 0 --json show multicast dev tun0 <<'EOF'
[{"dev":"tun0","nbma":"192.1.1.2","type":"static"},{"dev":"tun0","nbma":"dynamic","type":"static"},{"dev":"tun0","nbma":"192.1.1.3","type":"dynamic"}]
EOF
check_out 0 -j show multicast dev tun1 <<'EOF'
[]
EOF

# ---- show nhs ----------------------------------------------------------------
check_out 0 show nhs dev tun0 <<'EOF'
Legend: E=Expecting replies, R=Responding, W=Waiting, D=Down
tun0:
172.1.1.1  R priority = 0 nbma = 192.1.1.1
172.1.1.254  W priority = 5 nbma = none
EOF
check_out 0 -j show nhs dev tun0 <<'EOF'
[{"dev":"tun0","proto":"172.1.1.1","nbma":"192.1.1.1","priority":0,"state":"responding"},{"dev":"tun0","proto":"172.1.1.254","nbma":null,"priority":5,"state":"waiting"}]
EOF

# ---- stats -------------------------------------------------------------------
check_out 0 stats dev tun0 <<'EOF'
tun0:
   tx_unicast: 500
   tx_mcast_copies: 501
   tx_cache_miss: 502
   tx_no_mcast_map: 503
   tx_unsupported: 504
   tx_nomem: 505
   rx_data: 506
   rx_nhrp: 507
   rx_nhrp_drop: 508
   rx_key_mismatch: 509
   stat_13: 7
EOF
check_out 0 -j stats <<'EOF'
{"netns":{"rx_no_tunnel":10,"rx_bad_header":11,"rx_csum_err":12},"devices":{"tun0":{"tx_unicast":500,"tx_mcast_copies":501,"tx_cache_miss":502,"tx_no_mcast_map":503,"tx_unsupported":504,"tx_nomem":505,"rx_data":506,"rx_nhrp":507,"rx_nhrp_drop":508,"rx_key_mismatch":509,"stat_13":7},"tun1":{"tx_unicast":600,"tx_mcast_copies":601,"tx_cache_miss":602,"tx_no_mcast_map":603,"tx_unsupported":604,"tx_nomem":605,"rx_data":606,"rx_nhrp":607,"rx_nhrp_drop":608,"rx_key_mismatch":609,"stat_13":7}}}
EOF
check_out 0 show traffic dev tun1 -j <<'EOF'
{"devices":{"tun1":{"tx_unicast":600,"tx_mcast_copies":601,"tx_cache_miss":602,"tx_no_mcast_map":603,"tx_unsupported":604,"tx_nomem":605,"rx_data":606,"rx_nhrp":607,"rx_nhrp_drop":608,"rx_key_mismatch":609,"stat_13":7}}}
EOF

# ---- no leaks on the netlink paths -------------------------------------------
if command -v valgrind >/dev/null; then
	for args in "-j show" "stats" "show nhs" "map add 172.1.1.2 nbma 192.1.1.2 dev tun0"; do
		# shellcheck disable=SC2086
		LD_PRELOAD=$FAKENL valgrind -q --leak-check=full \
			--show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=99 "$NHRPCTL" $args >/dev/null 2>"$TMP/err"
		if [ $? -eq 99 ]; then
			fail "$args" "valgrind reports errors"
			cat "$TMP/err"
		else
			ok
		fi
	done
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

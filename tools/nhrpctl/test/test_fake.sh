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
# 28 NHS_DYNAMIC: by NBMA, no PROTO; a name is resolved by nhrpctl
check_req "7 1=05000000 5=c0010101 28= 11=02" nhs add dynamic nbma 192.1.1.1 priority 2 dev tun0
check_req "7 1=05000000 5=7f000001 28=" nhs add dynamic nbma localhost dev tun0
check_req "7 1=05000000 3=ac010101 5=7f000001" nhs add 172.1.1.1 nbma localhost dev tun0
check_req "8 1=05000000 5=c0010101 28=" nhs del dev tun0 dynamic nbma 192.1.1.1
check_req "10 1=05000000" stats dev tun0
# 11 FLUSH, TYPE (6) 1 = dynamic, 2 = cached
check_req "11 1=05000000" flush dev tun0
check_req "11 1=05000000 6=01" flush dynamic dev tun0
check_req "11 1=06000000 6=02" flush dev tun1 cached

# ---- kernel errors ---------------------------------------------------------
check_err 1 'tun0: NHRP entry 172.1.1.2 already exists (kernel: static entry exists)' \
	map add 172.1.1.2 nbma 192.1.1.2 dev tun0
FAKENL_NOCAP=1 check_err 1 'tun0: NHRP entry 172.1.1.2 already exists (kernel: static entry exists)' \
	map add 172.1.1.2 nbma 192.1.1.2 dev tun0
check_err 1 'tun0: the NHRP cache is full' map add 10.255.255.255 nbma 1.1.1.1 dev tun0
check_err 1 'tun0: NHRP entry 172.1.1.99 does not exist' map del 172.1.1.99 dev tun0
check_err 1 'permission denied (CAP_NET_ADMIN is required)' multicast add nbma 9.9.9.9 dev tun0
check_err 1 'device "tun0" is not an mgre device' nhs del 9.9.9.9 dev tun0
FAKENL_NHS_GONE=1 check_err 1 'device "tun1" does not exist (kernel: device is going away)' show nhs dev tun1
check_err 1 'device "lo" is not an mgre device' show dev lo
FAKENL_NO_MGRE=1 check_err 1 'the mgre module is not loaded (modprobe mgre)' show

# ---- show (NHRP cache) -------------------------------------------------------
# (tun1: a phase 3 shortcut, "via" its next hop, flag nho; a prefix
# being resolved; the next hop's own entry)
check_out 0 show <<'EOF'
172.1.1.2/32 via 172.1.1.2
   tun0 created 00:01:23, never expire
   Type: static, Flags: used
   NBMA address: 192.1.1.2
172.1.1.3/32 via 172.1.1.3
   tun0 created 1d01h, expire 00:07:12
   Type: dynamic, Flags: unique registered used
   NBMA address: 192.1.1.3
192.168.3.0/24 via 172.1.1.3
   tun1 created 00:00:53, expire 01:59:07
   Type: cached, Flags: used router nho
   NBMA address: 192.1.1.3
10.0.0.0/24 via 10.0.0.0
   tun1 created 1w1d, expire 00:00:05
   Type: incomplete, Flags: 0x80000000
   NBMA address: none
172.1.1.3/32 via 172.1.1.3
   tun1 created 00:00:53, expire 01:59:07
   Type: cached, Flags: used router
   NBMA address: 192.1.1.3
EOF
check_out 0 -j show dev tun0 <<'EOF'
[{"dev":"tun0","proto":"172.1.1.2","prefixlen":32,"nbma":"192.1.1.2","next_hop":null,"type":"static","flags":["used"],"age":83,"expires":null,"used":3},{"dev":"tun0","proto":"172.1.1.3","prefixlen":32,"nbma":"192.1.1.3","next_hop":null,"type":"dynamic","flags":["unique","registered","used"],"age":90061,"expires":432,"used":null}]
EOF
# (JSON: the shortcut's next_hop, its flag by its uapi name)
check_out 0 show -p dev tun1 <<'EOF'
[
    {
        "dev": "tun1",
        "proto": "192.168.3.0",
        "prefixlen": 24,
        "nbma": "192.1.1.3",
        "next_hop": "172.1.1.3",
        "type": "cached",
        "flags": [
            "used",
            "router",
            "shortcut"
        ],
        "age": 53,
        "expires": 7147,
        "used": 1
    },
    {
        "dev": "tun1",
        "proto": "10.0.0.0",
        "prefixlen": 24,
        "nbma": null,
        "next_hop": null,
        "type": "incomplete",
        "flags": [
            "0x80000000"
        ],
        "age": 700000,
        "expires": 5,
        "used": null
    },
    {
        "dev": "tun1",
        "proto": "172.1.1.3",
        "prefixlen": 32,
        "nbma": "192.1.1.3",
        "next_hop": null,
        "type": "cached",
        "flags": [
            "used",
            "router"
        ],
        "age": 53,
        "expires": 7147,
        "used": 1
    }
]
EOF

# ---- show dmvpn --------------------------------------------------------------
# IOS's layout: tun0 has NHSes and "multicast dynamic" (Hub/Spoke), tun1
# none (Hub), one incomplete entry (NBMA unknown, "# Ent" 0) and a
# shortcut (T2), shown at its next hop after the next hop's own entry.
check_out 0 show dmvpn <<'EOF'
Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete
        N - NATed, L - Local, X - Negative
        T2 - Nexthop-override
        C - Cached, U - Unique, R - Registered
        # Ent --> Number of NHRP entries with same NBMA peer
        UpDn Time --> Up or Down Time for a Tunnel
==========================================================================

Interface: tun0, IPv4 NHRP Details
Type:Hub/Spoke, NHRP Peers:2,

 # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb
 ----- --------------- --------------- ----- -------- -----
     1 192.1.1.2             172.1.1.2    UP 00:01:23     S
     1 192.1.1.3             172.1.1.3 IPSEC    1d01h   DUR

Interface: tun1, IPv4 NHRP Details
Type:Hub, NHRP Peers:1,

 # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb
 ----- --------------- --------------- ----- -------- -----
     2 192.1.1.3             172.1.1.3    UP 00:00:53     C
                             172.1.1.3    UP 00:00:53   CT2
     0 UNKNOWN                10.0.0.0  NHRP     1w1d     I
EOF
check_out 0 -j dmvpn dev tun0 <<'EOF'
[{"dev":"tun0","peer_nbma":"192.1.1.2","peer_tunnel":"172.1.1.2","state":"UP","updn":83,"attrs":"S","target_network":"172.1.1.2/32","spi_out":3221225730,"spi_in":3221225985},{"dev":"tun0","peer_nbma":"192.1.1.3","peer_tunnel":"172.1.1.3","state":"IPSEC","updn":90061,"attrs":"DUR","target_network":"172.1.1.3/32","spi_out":3221225731}]
EOF
# detail: IOS's Target Network, and under protection (tun0) each peer's
# SAs: both ways (UP), one way (IPSEC); unreadable SAs leave the states
# NHRP's (UP).
check_out 0 show dmvpn detail dev tun0 <<'EOF'
Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete
        N - NATed, L - Local, X - Negative
        T2 - Nexthop-override
        C - Cached, U - Unique, R - Registered
        # Ent --> Number of NHRP entries with same NBMA peer
        UpDn Time --> Up or Down Time for a Tunnel
==========================================================================

Interface: tun0, IPv4 NHRP Details
Type:Hub/Spoke, NHRP Peers:2,

 # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb    Target Network
 ----- --------------- --------------- ----- -------- ----- -----------------
     1 192.1.1.2             172.1.1.2    UP 00:01:23     S      172.1.1.2/32
  IPsec: SA out spi 0xc0000102, in spi 0xc0000201
     1 192.1.1.3             172.1.1.3 IPSEC    1d01h   DUR      172.1.1.3/32
  IPsec: SA out spi 0xc0000103, in none
EOF
FAKENL_XFRM_EPERM=1 check_out 0 dmvpn detail dev tun0 <<'EOF'
Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete
        N - NATed, L - Local, X - Negative
        T2 - Nexthop-override
        C - Cached, U - Unique, R - Registered
        # Ent --> Number of NHRP entries with same NBMA peer
        UpDn Time --> Up or Down Time for a Tunnel
==========================================================================

Interface: tun0, IPv4 NHRP Details
Type:Hub/Spoke, NHRP Peers:2,

 # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb    Target Network
 ----- --------------- --------------- ----- -------- ----- -----------------
     1 192.1.1.2             172.1.1.2    UP 00:01:23     S      172.1.1.2/32
  IPsec: unknown (reading SAs needs CAP_NET_ADMIN)
     1 192.1.1.3             172.1.1.3    UP    1d01h   DUR      172.1.1.3/32
  IPsec: unknown (reading SAs needs CAP_NET_ADMIN)
EOF
check_out 0 show dmvpn detail dev tun1 <<'EOF'
Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete
        N - NATed, L - Local, X - Negative
        T2 - Nexthop-override
        C - Cached, U - Unique, R - Registered
        # Ent --> Number of NHRP entries with same NBMA peer
        UpDn Time --> Up or Down Time for a Tunnel
==========================================================================

Interface: tun1, IPv4 NHRP Details
Type:Hub, NHRP Peers:1,

 # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb    Target Network
 ----- --------------- --------------- ----- -------- ----- -----------------
     2 192.1.1.3             172.1.1.3    UP 00:00:53     C      172.1.1.3/32
                             172.1.1.3    UP 00:00:53   CT2    192.168.3.0/24
     0 UNKNOWN                10.0.0.0  NHRP     1w1d     I       10.0.0.0/24
EOF
# (JSON: the shortcut's next hop as peer_tunnel, its prefix as target)
check_out 0 -j dmvpn dev tun1 <<'EOF'
[{"dev":"tun1","peer_nbma":"192.1.1.3","peer_tunnel":"172.1.1.3","state":"UP","updn":53,"attrs":"CT2","target_network":"192.168.3.0/24"},{"dev":"tun1","peer_nbma":null,"peer_tunnel":"10.0.0.0","state":"NHRP","updn":700000,"attrs":"I","target_network":"10.0.0.0/24"},{"dev":"tun1","peer_nbma":"192.1.1.3","peer_tunnel":"172.1.1.3","state":"UP","updn":53,"attrs":"C","target_network":"172.1.1.3/32"}]
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
# show nhs detail: IOS's "show ip nhrp nhs detail" counters
check_out 0 show nhs detail dev tun0 <<'EOF'
Legend: E=Expecting replies, R=Responding, W=Waiting, D=Down
tun0:
172.1.1.1  R priority = 0 nbma = 192.1.1.1  req-sent 12  req-failed 1  repl-recv 11 (00:00:05 ago)
172.1.1.254  W priority = 5 nbma = none  req-sent 3  req-failed 3  repl-recv 0 (never)
EOF
check_out 0 -j show nhs dev tun0 <<'EOF'
[{"dev":"tun0","proto":"172.1.1.1","nbma":"192.1.1.1","priority":0,"dynamic":false,"state":"responding","req_sent":12,"req_failed":1,"repl_recv":11,"last_reply":5},{"dev":"tun0","proto":"172.1.1.254","nbma":null,"priority":5,"dynamic":false,"state":"waiting","req_sent":3,"req_failed":3,"repl_recv":0,"last_reply":null}]
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
   nhrp_tx_res_req: 1
   nhrp_tx_res_reply: 2
   nhrp_tx_reg_req: 3
   nhrp_tx_reg_reply: 4
   nhrp_tx_purge_req: 5
   nhrp_tx_purge_reply: 6
   nhrp_tx_error_ind: 7
   nhrp_tx_traffic_ind: 8
   nhrp_rx_res_req: 11
   nhrp_rx_res_reply: 12
   nhrp_rx_reg_req: 13
   nhrp_rx_reg_reply: 14
   nhrp_rx_purge_req: 15
   nhrp_rx_purge_reply: 16
   nhrp_rx_error_ind: 17
   nhrp_rx_traffic_ind: 18
   nhrp_redirect_limited: 565
   nhrp_rx_ti_ignored: 566
   tx_shortcut: 567
   nhrp_shortcut_route_gone: 568
   stat_200: 7
EOF
check_out 0 -j stats <<'EOF'
{"netns":{"rx_no_tunnel":10,"rx_bad_header":11,"rx_csum_err":12},"devices":{"tun0":{"tx_unicast":500,"tx_mcast_copies":501,"tx_cache_miss":502,"tx_no_mcast_map":503,"tx_unsupported":504,"tx_nomem":505,"rx_data":506,"rx_nhrp":507,"rx_nhrp_drop":508,"rx_key_mismatch":509,"nhrp_tx_res_req":1,"nhrp_tx_res_reply":2,"nhrp_tx_reg_req":3,"nhrp_tx_reg_reply":4,"nhrp_tx_purge_req":5,"nhrp_tx_purge_reply":6,"nhrp_tx_error_ind":7,"nhrp_tx_traffic_ind":8,"nhrp_rx_res_req":11,"nhrp_rx_res_reply":12,"nhrp_rx_reg_req":13,"nhrp_rx_reg_reply":14,"nhrp_rx_purge_req":15,"nhrp_rx_purge_reply":16,"nhrp_rx_error_ind":17,"nhrp_rx_traffic_ind":18,"nhrp_redirect_limited":565,"nhrp_rx_ti_ignored":566,"tx_shortcut":567,"nhrp_shortcut_route_gone":568,"stat_200":7},"tun1":{"tx_unicast":600,"tx_mcast_copies":601,"tx_cache_miss":602,"tx_no_mcast_map":603,"tx_unsupported":604,"tx_nomem":605,"rx_data":606,"rx_nhrp":607,"rx_nhrp_drop":608,"rx_key_mismatch":609,"nhrp_tx_res_req":1,"nhrp_tx_res_reply":2,"nhrp_tx_reg_req":3,"nhrp_tx_reg_reply":4,"nhrp_tx_purge_req":5,"nhrp_tx_purge_reply":6,"nhrp_tx_error_ind":7,"nhrp_tx_traffic_ind":8,"nhrp_rx_res_req":11,"nhrp_rx_res_reply":12,"nhrp_rx_reg_req":13,"nhrp_rx_reg_reply":14,"nhrp_rx_purge_req":15,"nhrp_rx_purge_reply":16,"nhrp_rx_error_ind":17,"nhrp_rx_traffic_ind":18,"nhrp_redirect_limited":665,"nhrp_rx_ti_ignored":666,"tx_shortcut":667,"nhrp_shortcut_route_gone":668,"stat_200":7}}}
EOF
check_out 0 show traffic dev tun1 -j <<'EOF'
{"devices":{"tun1":{"tx_unicast":600,"tx_mcast_copies":601,"tx_cache_miss":602,"tx_no_mcast_map":603,"tx_unsupported":604,"tx_nomem":605,"rx_data":606,"rx_nhrp":607,"rx_nhrp_drop":608,"rx_key_mismatch":609,"nhrp_tx_res_req":1,"nhrp_tx_res_reply":2,"nhrp_tx_reg_req":3,"nhrp_tx_reg_reply":4,"nhrp_tx_purge_req":5,"nhrp_tx_purge_reply":6,"nhrp_tx_error_ind":7,"nhrp_tx_traffic_ind":8,"nhrp_rx_res_req":11,"nhrp_rx_res_reply":12,"nhrp_rx_reg_req":13,"nhrp_rx_reg_reply":14,"nhrp_rx_purge_req":15,"nhrp_rx_purge_reply":16,"nhrp_rx_error_ind":17,"nhrp_rx_traffic_ind":18,"nhrp_redirect_limited":665,"nhrp_rx_ti_ignored":666,"tx_shortcut":667,"nhrp_shortcut_route_gone":668,"stat_200":7}}}
EOF
# show traffic: IOS's "show ip nhrp traffic", totals of the NHRP types
check_out 0 show traffic dev tun0 <<'EOF'
tun0:
   Sent: Total 36
         1 Resolution Request  2 Resolution Reply  3 Registration Request
         4 Registration Reply  5 Purge Request  6 Purge Reply
         7 Error Indication  8 Traffic Indication
   Rcvd: Total 116
         11 Resolution Request  12 Resolution Reply  13 Registration Request
         14 Registration Reply  15 Purge Request  16 Purge Reply
         17 Error Indication  18 Traffic Indication
EOF

# ---- batch mode (-b) ----------------------------------------------------------
# check_batch CODE STDERR [OPTIONS...] < FILE: run "nhrpctl OPTIONS -b
# $TMP/batch" (FILE copied there; $B in STDERR is its name) with sockets
# and link dumps logged: exit code CODE, stderr exactly STDERR.  Leaves
# the log in $FAKENL_LOG and stdout in $TMP/out; returns 1 on failure.
B=$TMP/batch
check_batch() {
	local code=$1 exp=$2 rc
	shift 2
	cat >"$B"
	rm -f "$FAKENL_LOG"
	FAKENL_LOG_SOCKETS=1 run "$@" -b "$B"
	rc=$?
	if [ $rc -ne "$code" ]; then
		fail "$* -b" "exit code $rc, expected $code; stderr: $(cat "$TMP/err")"
	elif [ "$(cat "$TMP/err")" != "$exp" ]; then
		fail "$* -b" "stderr: $(cat "$TMP/err"), expected: $exp"
	else
		return 0
	fi
	return 1
}

# check_file NAME FILE < EXPECTED: FILE's content is EXPECTED
check_file() {
	if diff -u - "$2" >"$TMP/diff"; then
		ok
	else
		fail "$1" "unexpected $2:"
		cat "$TMP/diff"
	fi
}

# One link dump and one generic netlink socket for the whole batch; the
# requests in file order; comments, blank lines, any keyword order.
check_batch 0 '' <<'EOF' &&
# spoke sp1
map add 172.1.1.5 nbma 192.1.1.5 dev tun0   # the hub

  map add nbma 192.1.1.6 dev tun1 172.1.1.6
	multicast add nbma 192.1.1.5 dev tun0
nhs add 172.1.1.1 priority 3 dev tun0
map del 172.1.1.5 dev tun0
EOF
check_file "-b (requests)" "$FAKENL_LOG" <<'EOF'
socket route
getlink dump
socket generic
1 1=05000000 3=ac010105 5=c0010105
1 1=06000000 3=ac010106 5=c0010106
4 1=05000000 5=c0010105
7 1=05000000 3=ac010101 11=03
2 1=05000000 3=ac010105
EOF

# The first failing line (a kernel error) stops the batch: line 3 is not sent.
check_batch 1 "nhrpctl: $B:2: tun0: NHRP entry 172.1.1.2 already exists (kernel: static entry exists)" <<'EOF' &&
map add 172.1.1.5 nbma 192.1.1.5 dev tun0
map add 172.1.1.2 nbma 192.1.1.2 dev tun0
map add 172.1.1.6 nbma 192.1.1.6 dev tun0
EOF
check_file "-b (stops at line 2)" "$FAKENL_LOG" <<'EOF'
socket route
getlink dump
socket generic
1 1=05000000 3=ac010105 5=c0010105
1 1=05000000 3=ac010102 5=c0010102
EOF

# -force goes on after every kind of error; a device missing from the
# cached dump is looked for in a fresh one; the exit code is still 1.
check_batch 1 "nhrpctl: $B:2: tun0: NHRP entry 172.1.1.2 already exists (kernel: static entry exists)
nhrpctl: $B:3: device \"tun9\" does not exist
nhrpctl: $B:4: invalid address \"172.1.1\"
nhrpctl: $B:5: tun0: the NHRP cache is full" -force <<'EOF' &&
map add 172.1.1.5 nbma 192.1.1.5 dev tun0
map add 172.1.1.2 nbma 192.1.1.2 dev tun0
map add 172.1.1.7 nbma 192.1.1.7 dev tun9
map add 172.1.1 nbma 192.1.1.8 dev tun0
map add 10.255.255.255 nbma 1.1.1.1 dev tun0
map add 172.1.1.6 nbma 192.1.1.6 dev tun0
EOF
check_file "-force -b (goes on)" "$FAKENL_LOG" <<'EOF'
socket route
getlink dump
socket generic
1 1=05000000 3=ac010105 5=c0010105
1 1=05000000 3=ac010102 5=c0010102
socket route
getlink dump
1 1=05000000 3=0affffff 5=01010101
1 1=05000000 3=ac010106 5=c0010106
EOF

# Show commands print in line order (JSON: one value per command).
check_batch 1 "nhrpctl: $B:2: device \"lo\" is not an mgre device" -j -f <<'EOF' &&
show multicast dev tun0
show dev lo
show nhs dev tun0
EOF
check_file "-j -f -b (show)" "$TMP/out" <<'EOF'
[{"dev":"tun0","nbma":"192.1.1.2","type":"static"},{"dev":"tun0","nbma":"dynamic","type":"static"},{"dev":"tun0","nbma":"192.1.1.3","type":"dynamic"}]
[{"dev":"tun0","proto":"172.1.1.1","nbma":"192.1.1.1","priority":0,"dynamic":false,"state":"responding","req_sent":12,"req_failed":1,"repl_recv":11,"last_reply":5},{"dev":"tun0","proto":"172.1.1.254","nbma":null,"priority":5,"dynamic":false,"state":"waiting","req_sent":3,"req_failed":3,"repl_recv":0,"last_reply":null}]
EOF

# -b - reads stdin; the location is <stdin>.
rm -f "$FAKENL_LOG"
printf 'map add 172.1.1.5 nbma 192.1.1.5 dev tun0\nmap del 172.1.1.99 dev tun0\n' |
	LD_PRELOAD=$FAKENL "$NHRPCTL" -b - >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -ne 1 ]; then
	fail "-b -" "exit code $rc, expected 1"
elif [ "$(cat "$TMP/err")" != 'nhrpctl: <stdin>:2: tun0: NHRP entry 172.1.1.99 does not exist' ]; then
	fail "-b -" "stderr: $(cat "$TMP/err")"
elif [ "$(wc -l < "$FAKENL_LOG")" != 2 ]; then
	fail "-b -" "expected 2 requests, got: $(cat "$FAKENL_LOG")"
else
	ok
fi

# 100,000 map lines: still one dump and one socket, every request sent.
python3 -c '
for i in range(100000):
    print("map add 100.%d.%d.%d nbma 10.1.%d.%d dev tun0" %
          (i >> 16 & 255, i >> 8 & 255, i & 255, i >> 8 & 255, 1 + i % 250))' >"$TMP/big"
if check_batch 0 '' <"$TMP/big"; then
	counts="$(grep -c '^socket' "$FAKENL_LOG") $(grep -c '^getlink' "$FAKENL_LOG") $(grep -c '^1 ' "$FAKENL_LOG")"
	if [ "$counts" != "2 1 100000" ] ||
	   [ "$(tail -n 1 "$FAKENL_LOG")" != "1 1=05000000 3=6401869f 5=0a0186fa" ]; then
		fail "-b (100k lines)" "sockets, dumps, requests: $counts (expected 2 1 100000); last: $(tail -n 1 "$FAKENL_LOG")"
	else
		ok
	fi
fi

# ---- showconf / setconf -------------------------------------------------------
# Every link option the kernel reports, on/off ones in words (tun0 a
# phase 3 hub: redirect on; tun1 a spoke: shortcut on); the static maps,
# the static multicast map, the NHSes; not what NHRP learned.
check_out 0 showconf dev tun0 <<'EOF'
# tun0: nhrpctl showconf (load with "nhrpctl setconf FILE dev tun0")
link local 192.1.1.1 ttl 64 tos inherit nopmtudisc key 10000 per-nbma-max 4 multicast-dynamic-max 4096 redirect timeout 10 subnet-check off redirect on shortcut off protection require max-send 10000 every 1
map 172.1.1.2/32 nbma 192.1.1.2
multicast nbma 192.1.1.2
multicast dynamic
nhs 172.1.1.1 nbma 192.1.1.1 priority 0
nhs 172.1.1.254 priority 5
EOF
check_out 0 showconf dev tun1 <<'EOF'
# tun1: nhrpctl showconf (load with "nhrpctl setconf FILE dev tun1")
link dev lo tos 0x10 per-nbma-max 16 multicast-dynamic-max 100 redirect timeout 5 subnet-check on redirect off shortcut on protection off max-send 100 every 10
EOF
# setconf takes the file back: its link line goes to "ip link set" (here
# a stand-in that logs its arguments, "" for an empty one; the plugin's
# own tests parse them), with auth "" as the file has no password.
mkdir -p "$TMP/bin"
cat >"$TMP/bin/ip" <<'EOF'
#!/bin/sh
out=ip
for a; do out="$out ${a:-\"\"}"; done
echo "$out" >>"$IP_LOG"
EOF
chmod +x "$TMP/bin/ip"
cp "$TMP/out" "$TMP/tun1.conf"
rm -f "$TMP/iplog"
IP_LOG=$TMP/iplog PATH=$TMP/bin:$PATH check_out 0 setconf "$TMP/tun1.conf" dev tun1 </dev/null
check_file "setconf (ip link set)" "$TMP/iplog" <<'EOF'
ip link set dev tun1 type mgre dev lo tos 0x10 per-nbma-max 16 multicast-dynamic-max 100 redirect timeout 5 subnet-check on redirect off shortcut on protection off max-send 100 every 10 auth ""
EOF

# ---- no leaks on the netlink paths -------------------------------------------
if command -v valgrind >/dev/null; then
	printf '%s\n' 'map add 172.1.1.5 nbma 192.1.1.5 dev tun0' \
		'map add 172.1.1.2 nbma 192.1.1.2 dev tun0' 'show dev tun9' \
		'show nhs' 'foo' >"$B"
	for args in "-j show" "stats" "show nhs" "map add 172.1.1.2 nbma 192.1.1.2 dev tun0" "-f -b $B"; do
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

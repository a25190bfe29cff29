#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# Trace events, mgre's "debug nhrp packet" and "debug nhrp cache": with
# the mgre events enabled in tracefs, a spoke's registration is traced
# end to end in the order it happened (the spoke sends the request, the
# hub receives it, adds the dynamic entry and replies with the same
# request id, the spoke receives the reply), each line naming its
# network namespace; a resolution shows the incomplete entry, the
# request, the reply and the entry turning cached; a flush shows the
# entry leaving; a registration with the wrong password is traced
# received, then dropped with the counter's name.  Disabled, the events record nothing while the engine
# works (the positive control: it did send a resolution request).
# Dynamic debug turns mgre's debug messages on and off.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

TRACE=/sys/kernel/tracing
OUT=$TMPD/trace.txt

# tline PATTERN: the number of the first line of the saved trace
# matching the extended regex PATTERN (empty if none).
tline() { grep -nE -m1 -- "$1" "$OUT" | cut -d: -f1; }
# expect_before WHAT LINE_A LINE_B: both found, A before B.
expect_before() {
	if [ -z "$2" ] || [ -z "$3" ]; then
		fail "$1: not traced (lines '$2' and '$3')"
	elif [ "$2" -ge "$3" ]; then
		fail "$1: out of order (line $2, then line $3)"
	fi
}
# netns_of NS: the inode number of NS's network namespace.
netns_of() { in_ns "$1" readlink /proc/self/ns/net | tr -dc 0-9; }
# mgre_lines: how many mgre events the trace buffer holds.
mgre_lines() { grep -cE ' mgre_(nhrp_rx|nhrp_tx|cache|drop): ' "$TRACE/trace"; }

if [ ! -d "$TRACE/events" ]; then
	mount -t tracefs nodev "$TRACE" || ksft_fail "cannot mount tracefs on $TRACE"
fi
load_mgre
for e in mgre_nhrp_rx mgre_nhrp_tx mgre_cache mgre_drop; do
	[ -f "$TRACE/events/mgre/$e/enable" ] ||
		ksft_fail "no trace event mgre:$e: $(ls "$TRACE/events/mgre" 2>&1)"
done
grep -q 'field:u32 reqid' "$TRACE/events/mgre/mgre_nhrp_rx/format" ||
	fail "mgre_nhrp_rx has no reqid field: $(cat "$TRACE/events/mgre/mgre_nhrp_rx/format")"
echo 4096 >"$TRACE/buffer_size_kb"
: >"$TRACE/trace"
echo 1 >"$TRACE/events/mgre/enable"
cleanup_add sh -c "echo 0 > $TRACE/events/mgre/enable"

topo_seed_dynamic
topo_spokes_registered
NSH=$(netns_of hub) NS1=$(netns_of sp1)
check_match "$NSH" '^[0-9]+$' "the hub's netns inode"
check_match "$NS1" '^[0-9]+$' "sp1's netns inode"
[ "$NSH" != "$NS1" ] || fail "the hub and sp1 share a netns inode ($NSH)"

# --- registration --------------------------------------------------------
cp "$TRACE/trace" "$OUT"
log "$(grep -c ' mgre_' "$OUT") mgre events after the spokes registered; the first ones:"
grep ' mgre_' "$OUT" | head -n 6 | sed 's/^ */    /' >&2
# The registration that was answered: its id from sp1's side.
rx1=$(tline " mgre_nhrp_rx: dev=tun0 netns=$NS1 peer=192\.1\.1\.1 type=reg-reply id=[0-9]+ .* code=0 ")
id=$(sed -n "${rx1:-0}p" "$OUT" 2>/dev/null | grep -oE ' id=[0-9]+' | cut -d= -f2)
if [ -z "$id" ]; then
	fail "no successful registration reply traced at sp1: $(grep " netns=$NS1 " "$OUT" | head -n 5)"
else
	tx1=$(tline " mgre_nhrp_tx: dev=tun0 netns=$NS1 peer=192\.1\.1\.1 type=reg-req id=$id .*src_nbma=192\.1\.1\.2 src=172\.1\.1\.2 dst=172\.1\.1\.1 ")
	rxh=$(tline " mgre_nhrp_rx: dev=tun0 netns=$NSH peer=192\.1\.1\.2 type=reg-req id=$id .*src_nbma=192\.1\.1\.2 src=172\.1\.1\.2 dst=172\.1\.1\.1 ")
	add=$(tline " mgre_cache: dev=tun0 netns=$NSH add 172\.1\.1\.2/32 type=dynamic nbma=192\.1\.1\.2 ")
	txh=$(tline " mgre_nhrp_tx: dev=tun0 netns=$NSH peer=192\.1\.1\.2 type=reg-reply id=$id .* code=0 cies=1")
	expect_before "sp1's registration request ($id), then the hub's receipt" "$tx1" "$rxh"
	expect_before "the hub's receipt, then its reply" "$rxh" "$txh"
	expect_before "the hub's dynamic entry, then its reply" "$add" "$txh"
	expect_before "the hub's reply, then sp1's receipt" "$txh" "$rx1"
fi

# --- resolution ----------------------------------------------------------
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve 172.1.1.3: $(nhrpctl_in sp1 show)"
cp "$TRACE/trace" "$OUT"
inc=$(tline " mgre_cache: dev=tun0 netns=$NS1 add 172\.1\.1\.3/32 type=incomplete ")
req=$(tline " mgre_nhrp_tx: dev=tun0 netns=$NS1 peer=192\.1\.1\.1 type=res-req id=[0-9]+ .* dst=172\.1\.1\.3 ")
cached=$(tline " mgre_cache: dev=tun0 netns=$NS1 update 172\.1\.1\.3/32 type=cached nbma=192\.1\.1\.3 .*old_type=incomplete ")
id=$(grep -oE " mgre_nhrp_rx: dev=tun0 netns=$NS1 peer=[0-9.]+ type=res-reply id=[0-9]+ .* code=0 " "$OUT" | head -n 1 | grep -oE ' id=[0-9]+' | cut -d= -f2)
rep=$(tline " mgre_nhrp_rx: dev=tun0 netns=$NS1 peer=[0-9.]+ type=res-reply id=${id:-none} ")
expect_before "sp1's incomplete entry, then its request" "$inc" "$req"
expect_before "sp1's request, then the reply ($id)" "$req" "$rep"
expect_before "the reply, then the cached entry" "$rep" "$cached"
{ [ -n "$id" ] && [ -n "$(tline " mgre_nhrp_tx: dev=tun0 netns=$NS1 peer=192\.1\.1\.1 type=res-req id=$id ")" ]; } ||
	fail "the resolution reply's id ($id) is not that of a request sp1 sent"

# --- flush ---------------------------------------------------------------
nhrpctl_in sp1 flush cached dev tun0 || fail "cannot flush sp1's cached entries"
cp "$TRACE/trace" "$OUT"
[ -n "$(tline " mgre_cache: dev=tun0 netns=$NS1 flush 172\.1\.1\.3/32 type=cached nbma=192\.1\.1\.3 ")" ] ||
	fail "the flush of sp1's entry for 172.1.1.3 is not traced: $(grep " netns=$NS1 " "$OUT" | tail -n 3)"

# --- a drop: sp2 registers with the wrong password ------------------------
fails0=$(counter hub nhrp_rx_auth_fail)
is_count "$fails0" "the hub's nhrp_rx_auth_fail"
# (only what the trace gets from now on)
base=$(wc -l <"$TRACE/trace")
ip -n sp2 link set tun0 type mgre auth wrong123 || fail "cannot change sp2's password"
wait_until 10 stat_ge hub nhrp_rx_auth_fail $((fails0 + 1)) ||
	fail "the hub counted no registration with the wrong password"
tail -n +"$((base + 1))" "$TRACE/trace" >"$OUT"
rx=$(tline " mgre_nhrp_rx: dev=tun0 netns=$NSH peer=192\.1\.1\.3 type=reg-req ")
drop=$(tline " mgre_drop: dev=tun0 netns=$NSH reason=nhrp_rx_auth_fail$")
expect_before "sp2's registration received, then dropped for its password" "$rx" "$drop"
ip -n sp2 link set tun0 type mgre auth cisco123 || fail "cannot restore sp2's password"

# --- disabled: nothing recorded ------------------------------------------
echo 0 >"$TRACE/events/mgre/enable"
n0=$(mgre_lines)
req0=$(counter sp1 nhrp_tx_res_req)
is_count "$req0" "sp1's nhrp_tx_res_req"
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN (events off)"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve 172.1.1.3 again: $(nhrpctl_in sp1 show)"
# (the positive control: the engine did work)
check_ge "$(counter sp1 nhrp_tx_res_req)" $((req0 + 1)) "sp1's resolution requests with the events off"
expect_eq "$n0" "$(mgre_lines)" "mgre events recorded while disabled"

# --- dynamic debug: the recipe of Documentation/debugging.md ----------------
DD=/sys/kernel/debug/dynamic_debug/control
[ -f "$DD" ] || mount -t debugfs nodev /sys/kernel/debug 2>/dev/null
if [ -f "$DD" ]; then
	sites=$(grep -c '\[mgre\]' "$DD")
	check_ge "$sites" 10 "mgre's dynamic debug call sites"
	echo 'module mgre +p' >"$DD" || fail "cannot enable mgre's debug messages"
	expect_eq "$sites" "$(grep -c '\[mgre\].* =p ' "$DD")" "mgre's debug call sites enabled"
	echo 'module mgre -p' >"$DD"
	expect_eq 0 "$(grep -c '\[mgre\].* =p ' "$DD")" "mgre's debug call sites enabled after -p"
elif zcat /proc/config.gz 2>/dev/null | grep -qx '# CONFIG_DYNAMIC_DEBUG is not set'; then
	# (the debug kernel's configuration: its own config says so)
	log "this kernel is built without dynamic debug: not checked"
else
	fail "no dynamic debug control file ($DD)"
fi

exit_status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 240
#
# nhrpctl showconf / setconf, the round trip.  Spoke sp1 of the seed gets
# a configuration with every link option away from its default, a second
# map, multicast entry and NHS; showconf prints it (the password too) in
# mgre-quick's format.  Then sp1 is configured otherwise (other link
# options, a wrong password the hub refuses, other maps, multicast entries
# and NHSes); setconf of the saved file brings back the identical state
# (ip -d -j link, and the static parts of show, show multicast and show
# nhs), showconf prints the same file again, and sp1 registers again
# (the hub checks the password: the positive control).  A file that
# changes nothing leaves the NHS registered (it is not deleted and added).
# A bad file, or link options ip refuses, change nothing; the file can
# start a new device's configuration; stdin works.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq

CONF=$TMPD/sp1.conf

# state NS DEV: what setconf must restore, as canonical JSON
state() {
	local ns=$1 dev=$2
	jq -cn --argjson link "$(ip -n "$ns" -d -j link show dev "$dev" | jq -c '.[0].linkinfo.info_data')" \
		--argjson map "$(nhrpctl_in "$ns" -j show dev "$dev" |
			jq -c '[.[] | select(.type == "static") | {proto, prefixlen, nbma}] | sort_by(.proto)')" \
		--argjson mcast "$(nhrpctl_in "$ns" -j show multicast dev "$dev" |
			jq -c '[.[] | select(.type == "static") | .nbma] | sort')" \
		--argjson nhs "$(nhrpctl_in "$ns" -j show nhs dev "$dev" |
			jq -c '[.[] | {proto, nbma, priority}] | sort_by(.proto)')" \
		'{link: $link, map: $map, mcast: $mcast, nhs: $nhs}'
}

topo_seed_dynamic
topo_spokes_registered
log "the hub's configuration (defaults): $(nhrpctl_in hub showconf dev tun0)"
ip -n sp1 link set tun0 type mgre ttl 64 tos 0x10 nopmtudisc holdtime 300 \
	registration no-unique registration timeout 7 cache-max 500 \
	if-state nhrp route-inject on subnet-check off per-nbma-max 3 \
	multicast-dynamic-max 100 nhrp-rate-limit 50 max-send 20 every 5 ||
	fail "cannot set sp1's link options"
{ nhrpctl_in sp1 map add 10.9.9.0/24 nbma 192.1.1.9 dev tun0 &&
	nhrpctl_in sp1 multicast add nbma 192.1.1.9 dev tun0 &&
	nhrpctl_in sp1 nhs add 172.1.1.254 priority 5 dev tun0; } ||
	fail "cannot add sp1's second map, multicast entry and NHS"

# (a learned entry, which showconf must leave out: sp1 resolves sp2)
ping_ok sp1 192.168.3.1 -I 192.168.2.1 || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve sp2: $(nhrpctl_in sp1 show)"

# --- showconf ---------------------------------------------------------------
nhrpctl_in sp1 showconf dev tun0 >"$CONF" || fail "showconf failed"
log "sp1's configuration: $(cat "$CONF")"
for re in '^link local 192\.1\.1\.2 ttl 64 tos 0x10 nopmtudisc key 10000 network-id 10000 holdtime 300 registration timeout 7 cache-max 500 per-nbma-max 3 multicast-dynamic-max 100 redirect timeout 5 auth cisco123 registration no-unique if-state nhrp route-inject on subnet-check off redirect off shortcut off protection off ' \
	' nhrp-rate-limit 50 max-send 20 every 5$' \
	'^map 172\.1\.1\.1/32 nbma 192\.1\.1\.1$' '^map 10\.9\.9\.0/24 nbma 192\.1\.1\.9$' \
	'^multicast nbma 192\.1\.1\.1$' '^multicast nbma 192\.1\.1\.9$' \
	'^nhs 172\.1\.1\.1 priority 0$' '^nhs 172\.1\.1\.254 priority 5$'; do
	grep -qE -- "$re" "$CONF" || fail "showconf has no line matching '$re'"
done
# (learned entries are not configuration: sp1's cached entry for sp2 is
# not in it)
expect_eq 0 "$(grep -c '172\.1\.1\.3' "$CONF")" "lines of showconf naming sp2 (learned, not configured)"
before=$(state sp1 tun0)

# --- setconf of the same file: nothing changes, the NHS stays up -----------
wait_until 10 nhs_state_is sp1 responding || fail "sp1's NHS is not responding"
monitor_start sp1 "$TMPD/ev.json" -j
monitor_ready sp1 "$TMPD/ev.json" || exit_status
nhrpctl_in sp1 setconf "$CONF" dev tun0 || fail "setconf of sp1's own configuration failed"
expect_eq "$before" "$(state sp1 tun0)" "sp1's state after setconf of its own configuration"
expect_eq responding "$(nhs_state sp1)" "sp1's NHS after setconf of its own configuration"
# (the positive control of the event check: a change that is an event)
nhrpctl_in sp1 map add 10.7.7.7 nbma 192.1.1.7 dev tun0 || fail "cannot map 10.7.7.7"
ev_wait 10 "$TMPD/ev.json" '.event == "entry_add" and .proto == "10.7.7.7"' ||
	fail "sp1's monitor shows no map added"
expect_eq "" "$(jq -c 'select(.proto == "172.1.1.1" or .proto == "10.9.9.0" or .event == "nhs_down")' "$TMPD/ev.json")" \
	"events of the unchanged maps and NHS during setconf"

# --- configured otherwise, then setconf ---------------------------------------
ip -n sp1 link set tun0 type mgre ttl inherit tos inherit pmtudisc holdtime 99 \
	registration unique registration timeout 0 cache-max 4000 if-state none \
	route-inject off subnet-check on per-nbma-max 9 multicast-dynamic-max 9 \
	nhrp-rate-limit off max-send off auth wrong ||
	fail "cannot change sp1's link options"
{ nhrpctl_in sp1 map del 10.9.9.0/24 dev tun0 &&
	nhrpctl_in sp1 map add 10.8.0.0/16 nbma 192.1.1.8 dev tun0 &&
	nhrpctl_in sp1 multicast del nbma 192.1.1.9 dev tun0 &&
	nhrpctl_in sp1 multicast add dynamic dev tun0 &&
	nhrpctl_in sp1 nhs del 172.1.1.254 dev tun0 &&
	nhrpctl_in sp1 nhs add 172.1.1.253 nbma 192.1.1.253 priority 3 dev tun0; } ||
	fail "cannot change sp1's maps, multicast entries and NHSes"
# the hub refuses the wrong password: sp1's registration expires there
rx_auth0=$(counter hub nhrp_rx_auth_fail)
is_count "$rx_auth0" "the hub's nhrp_rx_auth_fail"
wait_until 20 stat_ge hub nhrp_rx_auth_fail $((rx_auth0 + 1)) ||
	fail "the hub did not refuse sp1's wrong password"
changed=$(state sp1 tun0)
check_ne "$before" "$changed" "sp1's state, configured otherwise"

nhrpctl_in sp1 setconf "$CONF" dev tun0 || fail "setconf failed"
expect_eq "$before" "$(state sp1 tun0)" "sp1's state after setconf"
nhrpctl_in sp1 showconf dev tun0 >"$CONF.2" || fail "showconf after setconf failed"
expect_eq "" "$(diff "$CONF" "$CONF.2")" "showconf after setconf vs before"
# the password is back: the hub takes sp1's registrations again
wait_until 30 has_entry hub 172.1.1.2 dynamic registered ||
	fail "sp1 does not register again after setconf: $(nhrpctl_in hub show)"
wait_until 20 nhs_state_is sp1 responding || fail "sp1's NHS is not responding after setconf"

# --- errors change nothing ------------------------------------------------------
printf 'map 10.6.6.6 nbma 192.1.1.6\nnhs 172.1.1.9 priority 900\n' >"$TMPD/bad.conf"
out=$(nhrpctl_in sp1 setconf "$TMPD/bad.conf" dev tun0 2>&1)
expect_eq 2 "$?" "setconf's exit status on a bad file"
expect_eq "nhrpctl: $TMPD/bad.conf:2: invalid priority \"900\" (0-255)" "$out" "setconf's message on a bad file"
printf 'link ttl banana\nmap 10.6.6.6 nbma 192.1.1.6\n' >"$TMPD/badlink.conf"
out=$(nhrpctl_in sp1 setconf "$TMPD/badlink.conf" dev tun0 2>&1)
expect_eq 1 "$?" "setconf's exit status when ip refuses the link options"
grep -qF "nhrpctl: $TMPD/badlink.conf:1: \"ip link set\" refused the link options" <<<"$out" ||
	fail "setconf's message when ip refuses the link options: $out"
grep -q 'TTL must be' <<<"$out" || fail "ip's own message is not shown: $out"
expect_eq "$before" "$(state sp1 tun0)" "sp1's state after the refused files"

# --- a new device from the file, through stdin ---------------------------------
# (another GRE key: the same local address and key would be tun0's)
ip -n sp1 link add tun9 type mgre local 192.1.1.2 key 9 || fail "cannot create tun9"
ip -n sp1 addr add 172.9.9.2/24 dev tun9
sed 's/ key 10000 / key 9 /' "$CONF" | nhrpctl_in sp1 setconf - dev tun9 ||
	fail "setconf of a new device from stdin failed"
expect_eq "$(jq -c '.link.key = 9' <<<"$before")" "$(state sp1 tun9)" \
	"tun9's state after setconf of sp1's file (key 9)"
# A file without a link line leaves the link options; maps, multicast
# entries and NHSes it does not have go.
link9=$(state sp1 tun9 | jq -c .link)
printf '# nothing\n' | nhrpctl_in sp1 setconf - dev tun9 || fail "setconf of an empty file failed"
expect_eq "{\"link\":$link9,\"map\":[],\"mcast\":[],\"nhs\":[]}" "$(state sp1 tun9)" \
	"tun9's state after an empty file"
# A link line without a password: none.
grep -q ' auth cisco123 ' <(nhrpctl_in sp1 showconf dev tun9) ||
	fail "tun9 has no password before a link line without one"
printf 'link ttl 64\n' | nhrpctl_in sp1 setconf - dev tun9 || fail "setconf of a link line failed"
expect_eq "" "$(nhrpctl_in sp1 showconf dev tun9 | grep ' auth ')" \
	"tun9's password after a link line without one"

exit_status

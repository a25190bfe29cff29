#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
#
# "ip link add/set NAME type mgre ..." through the iproute2 plugin: every
# option it accepts (tools/iproute2/link_mgre.c: local, remote, dev, key,
# ttl/hoplimit, tos/dsfield, [no]pmtudisc, network-id, holdtime, auth,
# registration [timeout], cache-max, if-state, route-inject, redirect
# [timeout], shortcut, protection,
# keepalive, subnet-check, per-nbma-max, multicast-dynamic-max,
# nhrp-rate-limit, max-send) reaches the kernel when a device is created
# and when it is changed, and "ip -d link show" (text) and "ip -j -d link show" (JSON)
# print exactly that back; bad values are refused with their reason and
# change nothing; MTU and flags are right; the module autoloads through
# its rtnl-link and genl family aliases.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq

# Every mgre device of netns r, as "ip -d link show" and "ip -j -d link
# show" print it, must be what TXT_EXP and JSON_EXP say (set by expect).
declare -A TXT_EXP=() JSON_EXP=()
# The words the plugin prints: what follows the expected text must not be
# one of them (or a number: keepalive retries).
OPT_WORDS=" remote local dev ttl tos key nopmtudisc network-id holdtime auth registration cache-max if-state route-inject redirect shortcut protection keepalive subnet-check per-nbma-max multicast-dynamic-max nhrp-rate-limit max-send every "
MP='["MULTICAST","NOARP"]'
P2P='["POINTOPOINT","MULTICAST","NOARP"]'

# expect DEV MTU FLAGS TEXT INFO_DATA: TEXT is the whole mgre part of the
# text ("mgre remote ... "), INFO_DATA the whole JSON info_data object.
expect() {
	TXT_EXP[$1]=$4
	JSON_EXP[$1]="{\"mtu\":$2,\"flags\":$3,\"data\":$5}"
}

# check_links WHEN: one text and one JSON listing (each program start
# costs under emulation), every device checked against the expectations.
check_links() {
	local when=$1 out line dev exp rest w
	local -A txt=()

	out=$(in_ns r ip -d link show) || { fail "$when: ip -d link show failed"; return 1; }
	while IFS= read -r line; do
		if [[ $line =~ ^[0-9]+:\ ([^:@]+)[:@] ]]; then
			dev=${BASH_REMATCH[1]}
		elif [[ $line == '    mgre '* ]]; then
			txt[$dev]=${line#    }
		fi
	done <<<"$out"
	[ ${#txt[@]} = ${#TXT_EXP[@]} ] ||
		fail "$when: text: mgre devices ${!txt[*]}, expected ${!TXT_EXP[*]}"
	for dev in "${!TXT_EXP[@]}"; do
		exp=${TXT_EXP[$dev]}
		line=${txt[$dev]:-}
		rest=${line#"$exp "}
		w=${rest%% *}
		if [ "$rest" = "$line" ] || [[ $OPT_WORDS == *" $w "* || $w =~ ^[0-9] ]]; then
			fail "$when: ip -d link show $dev: expected '$exp', got '$line'"
		fi
	done

	exp='{'
	for dev in "${!JSON_EXP[@]}"; do exp+="\"$dev\":${JSON_EXP[$dev]},"; done
	exp="${exp%,}}"
	# jq prints one line per mismatch, then "checked N": without that
	# last line (no JSON, a jq error) nothing was checked.
	out=$(in_ns r ip -j -d link show | jq -r --argjson exp "$exp" '
		(map(select(.linkinfo.info_kind == "mgre")
		     | {key: .ifname, value: {mtu, flags, data: .linkinfo.info_data}})
		 | from_entries) as $got
		| ($exp | to_entries[] | select($got[.key] != .value)
		   | "\(.key): got \($got[.key] | tojson), expected \(.value | tojson)"),
		  (if ($got | keys) != ($exp | keys)
		   then "mgre devices \($got | keys), expected \($exp | keys)" else empty end),
		  "checked \($exp | length)"' 2>&1)
	while IFS= read -r line; do
		[ "$line" = "checked ${#JSON_EXP[@]}" ] || fail "$when: ip -j -d link show: $line"
	done <<<"$out"
	[[ $out == *"checked ${#JSON_EXP[@]}" ]] || fail "$when: the JSON listing was not checked"
}

ns_create r
in_ns r ip -batch - <<'EOF' || ksft_fail "cannot set up the underlay"
link add eth0 type dummy
addr add 192.1.1.1/24 dev eth0
link set eth0 up
link add eth1 type dummy
link set eth1 mtu 1400 up
EOF

# Autoload: with the module installed, "ip link add type mgre" loads it
# through its rtnl-link alias.  depmod over the whole 9p tree takes minutes
# under TCG, so install into a private module tree and point the kernel's
# modprobe helper at a wrapper that logs what the kernel asked for.
unload_mgre || ksft_fail "cannot unload mgre for the autoload test"
[ ! -d /sys/module/mgre ] || ksft_fail "mgre is still loaded"
kver=$(uname -r)
mdir=$TMPD/modroot/lib/modules/$kver
mkdir -p "$mdir/extra"
deps=$(modinfo -F depends "$MGRE_KO")
for m in ${deps//,/ }; do
	f=$(modinfo -n "$m") && [ -f "$f" ] && cp "$f" "$mdir/extra/"
done
cp "$MGRE_KO" "$mdir/extra/"
cp /lib/modules/"$kver"/modules.builtin* "$mdir/"
: >"$mdir/modules.order"
depmod -b "$TMPD/modroot" "$kver" || ksft_fail "depmod failed"
printf '#!/bin/sh\necho "$*" >>%s/modprobe.log\nexec /sbin/modprobe -d %s "$@"\n' \
	"$TMPD" "$TMPD/modroot" >"$TMPD/modprobe"
chmod +x "$TMPD/modprobe"
old_modprobe=$(cat /proc/sys/kernel/modprobe)
cleanup_add sh -c "echo $old_modprobe > /proc/sys/kernel/modprobe"
echo "$TMPD/modprobe" >/proc/sys/kernel/modprobe
out=$(in_ns r ip link add tun0 type mgre local 192.1.1.1 key 10000 2>&1) ||
	ksft_fail "ip link add type mgre did not autoload the module: $out"
[ -d /sys/module/mgre ] || fail "mgre not loaded after ip link add"
grep -q 'rtnl-link-mgre' "$TMPD/modprobe.log" ||
	fail "the kernel did not ask modprobe for rtnl-link-mgre: $(cat "$TMPD/modprobe.log" 2>&1)"

# Every option at creation (tun0 has the defaults).  One ip for all.
in_ns r ip -batch - <<'EOF' || fail "ip link add with options failed"
link add tun1 type mgre dev eth0 ttl 64 tos inherit nopmtudisc
link add tun2 type mgre local 192.1.1.1 remote 192.1.1.9 key 7 hoplimit 32 dsfield 0x10 pmtudisc
link add tun3 type mgre local any key 1.2.3.4 ttl inherit tos 0x28 network-id 10000 holdtime 500 auth cisco123 registration no-unique registration timeout 20 cache-max 1000 if-state nhrp route-inject on redirect on redirect timeout 10 shortcut on protection require keepalive 10 5 subnet-check off per-nbma-max 4 multicast-dynamic-max 100 nhrp-rate-limit 50 max-send 100 every 10
link add tun4 type mgre local 192.1.1.1 key 8 keepalive 7 auth "" registration unique if-state none route-inject off protection off
EOF
# (what the kernel always reports: holdtime, cache-max, protection)
D='"holdtime":7200,"cache_max":262144,"protection":"off"'
# With a key 1500 - 20 - 8; without 1500 - 20 - 4 (the underlay eth0).
expect tun0 1472 "$MP" \
	'mgre remote any local 192.1.1.1 ttl 255 key 10000 holdtime 7200 cache-max 262144' \
	'{"remote":"any","local":"192.1.1.1","ttl":255,"tos":"0x0","key":10000,"pmtudisc":true,'"$D"'}'
expect tun1 1476 "$MP" \
	'mgre remote any local any dev eth0 ttl 64 tos inherit nopmtudisc holdtime 7200 cache-max 262144' \
	'{"remote":"any","local":"any","link":"eth0","ttl":64,"tos":"inherit","pmtudisc":false,'"$D"'}'
# remote makes it point-to-point
expect tun2 1472 "$P2P" \
	'mgre remote 192.1.1.9 local 192.1.1.1 ttl 32 tos 0x10 key 7 holdtime 7200 cache-max 262144' \
	'{"remote":"192.1.1.9","local":"192.1.1.1","ttl":32,"tos":"0x10","key":7,"pmtudisc":true,'"$D"'}'
# key 1.2.3.4 = 16909060; ttl 0 = inherit
expect tun3 1472 "$MP" \
	'mgre remote any local any ttl inherit tos 0x28 key 16909060 network-id 10000 holdtime 500 auth (set) registration no-unique cache-max 1000 registration timeout 20 if-state nhrp route-inject on redirect on redirect timeout 10 shortcut on protection require keepalive 10 5 subnet-check off per-nbma-max 4 multicast-dynamic-max 100 nhrp-rate-limit 50 max-send 100 every 10' \
	'{"remote":"any","local":"any","ttl":0,"tos":"0x28","key":16909060,"pmtudisc":true,"network_id":10000,"holdtime":500,"auth":"(set)","registration":"no-unique","cache_max":1000,"registration_timeout":20,"if_state":"nhrp","route_inject":"on","redirect":"on","redirect_timeout":10,"shortcut":"on","protection":"require","keepalive":10,"keepalive_retries":5,"subnet_check":"off","per_nbma_max":4,"multicast_dynamic_max":100,"nhrp_rate_limit":50,"max_send":100,"max_send_every":10}'
# keepalive without RETRIES: 3
expect tun4 1472 "$MP" \
	'mgre remote any local 192.1.1.1 ttl 255 key 8 holdtime 7200 cache-max 262144 keepalive 7 3' \
	'{"remote":"any","local":"192.1.1.1","ttl":255,"tos":"0x0","key":8,"pmtudisc":true,'"$D"',"keepalive":7,"keepalive_retries":3}'
check_links "after ip link add"

# Every option changed by "ip link set": on, to other values, and off
# again (tun3 back to the defaults).
in_ns r ip -batch - <<'EOF' || fail "ip link set with options failed"
link set tun0 type mgre key 20000 ttl 100 tos 0x10 nopmtudisc network-id 7 holdtime 60 auth abc registration no-unique registration timeout 9 cache-max 50 if-state nhrp route-inject on protection require keepalive 5 2 per-nbma-max 2 nhrp-rate-limit off max-send off
link set tun1 type mgre dev eth1 ttl 3
link set tun2 type mgre remote 192.1.1.8 local any
link set tun3 type mgre key 5 hoplimit 1 dsfield 0 pmtudisc network-id 0 auth "" registration unique registration timeout 0 if-state none route-inject off redirect off redirect timeout 5 shortcut off protection off keepalive off subnet-check on per-nbma-max 16 multicast-dynamic-max 4096 nhrp-rate-limit 20 max-send 10000 every 1
link set tun4 type mgre local 192.1.1.2 ttl inherit tos inherit keepalive 9
EOF
expect tun0 1472 "$MP" \
	'mgre remote any local 192.1.1.1 ttl 100 tos 0x10 key 20000 nopmtudisc network-id 7 holdtime 60 auth (set) registration no-unique cache-max 50 registration timeout 9 if-state nhrp route-inject on protection require keepalive 5 2 per-nbma-max 2 nhrp-rate-limit off max-send off' \
	'{"remote":"any","local":"192.1.1.1","ttl":100,"tos":"0x10","key":20000,"pmtudisc":false,"network_id":7,"holdtime":60,"auth":"(set)","registration":"no-unique","cache_max":50,"registration_timeout":9,"if_state":"nhrp","route_inject":"on","protection":"require","keepalive":5,"keepalive_retries":2,"per_nbma_max":2,"nhrp_rate_limit":0,"max_send":0,"max_send_every":1}'
# the MTU follows the new underlay device: 1400 - 20 - 4
expect tun1 1376 "$MP" \
	'mgre remote any local any dev eth1 ttl 3 tos inherit nopmtudisc holdtime 7200 cache-max 262144' \
	'{"remote":"any","local":"any","link":"eth1","ttl":3,"tos":"inherit","pmtudisc":false,'"$D"'}'
expect tun2 1472 "$P2P" \
	'mgre remote 192.1.1.8 local any ttl 32 tos 0x10 key 7 holdtime 7200 cache-max 262144' \
	'{"remote":"192.1.1.8","local":"any","ttl":32,"tos":"0x10","key":7,"pmtudisc":true,'"$D"'}'
expect tun3 1472 "$MP" \
	'mgre remote any local any ttl 1 key 5 holdtime 500 cache-max 1000' \
	'{"remote":"any","local":"any","ttl":1,"tos":"0x0","key":5,"pmtudisc":true,"holdtime":500,"cache_max":1000,"protection":"off"}'
expect tun4 1472 "$MP" \
	'mgre remote any local 192.1.1.2 ttl inherit tos inherit key 8 holdtime 7200 cache-max 262144 keepalive 9 3' \
	'{"remote":"any","local":"192.1.1.2","ttl":0,"tos":"inherit","key":8,"pmtudisc":true,'"$D"',"keepalive":9,"keepalive_retries":3}'
check_links "after ip link set"

# Bad values: the plugin refuses them (one ip each: it exits at the first)
# with the reason, and sends nothing, not even the valid network-id before.
bad_value() {
	local msg=$1 out rc

	shift
	out=$(in_ns r ip link set tun0 type mgre network-id 99 "$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ] || fail "ip link set tun0 type mgre $*: accepted"
	[ "${out%%$'\n'*}" = "$msg" ] || fail "ip link set tun0 type mgre $*: '$out', expected '$msg'"
}
bad_value 'Error: argument "256" is wrong: TTL must be 0-255 or "inherit"' ttl 256
bad_value 'Error: argument "0" is wrong: holdtime must be 1-65535 seconds' holdtime 0
bad_value 'Error: argument "123456789" is wrong: the password is longer than 8 characters' auth 123456789
bad_value 'Error: argument "0" is wrong: a positive number is expected' cache-max 0
bad_value 'Error: argument "0" is wrong: keepalive: RETRIES must be 1-255' keepalive 10 0
bad_value 'Error: argument "on" is wrong: "require" or "off" is expected' protection on
bad_value 'Error: argument "maybe" is wrong: "on" or "off" is expected' subnet-check maybe
bad_value 'Error: argument "0" is wrong: a positive number is expected' per-nbma-max 0
bad_value 'Error: argument "0" is wrong: packets a second (a positive number) or "off" is expected' nhrp-rate-limit 0
bad_value 'Error: argument "0" is wrong: max-send: PACKETS must be 1-65535, or "off"' max-send 0
bad_value 'Error: argument "0" is wrong: max-send: every SECONDS must be 1-65535' max-send 5 every 0
bad_value 'Cannot find device "nosuch"' dev nosuch
# one key for both directions: no ikey/okey
bad_value 'mgre: unknown option "ikey"?' ikey 1

# The kernel's own ranges (the plugin refuses these before they are sent:
# raw rtnetlink here): multicast-dynamic-max 1-262144, max-send 0-65535,
# max-send every 1-65535, redirect timeout 1-60 (u16).  Control: the
# largest values are taken.
out=$(in_ns r python3 - "$LIB_DIR" <<'PY' 2>&1) || fail "kernel ranges of the u32 limits: $out"
import sys
sys.path.insert(0, sys.argv[1])
from nlstress import (NL, NLM_F_CREATE, NLM_F_EXCL, RTM_NEWLINK, RTM_DELLINK,
                      IFLA_IFNAME, IFLA_LINKINFO, IFLA_INFO_KIND, IFLA_INFO_DATA,
                      attr, nest, u32, ifinfo)
import socket, struct
MCAST_DYNAMIC_MAX, MAX_SEND, MAX_SEND_EVERY, REDIRECT_TIMEOUT = 22, 24, 25, 28
rt = NL(socket.NETLINK_ROUTE)
def add(t, v):
    val = struct.pack("=H", v) if t == REDIRECT_TIMEOUT else u32(v)
    info = attr(IFLA_INFO_KIND, b"mgre") + nest(IFLA_INFO_DATA, attr(t, val))
    rt.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
               ifinfo() + attr(IFLA_IFNAME, b"tun9\0") + nest(IFLA_LINKINFO, info))
bad = 0
for t, v in ((MCAST_DYNAMIC_MAX, 0), (MCAST_DYNAMIC_MAX, 262145), (MAX_SEND, 65536),
             (MAX_SEND_EVERY, 0), (MAX_SEND_EVERY, 65536),
             (REDIRECT_TIMEOUT, 0), (REDIRECT_TIMEOUT, 61)):
    try:
        add(t, v)
        print("attribute %d = %d accepted" % (t, v))
        bad += 1
        rt.request(RTM_DELLINK, 0, ifinfo() + attr(IFLA_IFNAME, b"tun9\0"))
    except OSError:
        pass
for t, v in ((MCAST_DYNAMIC_MAX, 262144), (MAX_SEND, 65535), (MAX_SEND_EVERY, 65535),
             (REDIRECT_TIMEOUT, 60)):
    add(t, v)
    rt.request(RTM_DELLINK, 0, ifinfo() + attr(IFLA_IFNAME, b"tun9\0"))
sys.exit(1 if bad else 0)
PY

# What the kernel refuses, with its reason (one ip -force -batch; ip says
# "Command failed -:LINE" for each line refused): a second device with
# the same local+key, multicast/broadcast endpoints, switching between
# multipoint and point-to-point, a change that would collide with another
# device (whose other options must not be applied either).
refused=(
	"link add tun5 type mgre local 192.1.1.1 key 20000|an mgre device with the same local, remote and key exists"
	"link add tun5 type mgre local 224.0.0.1|local must be a unicast address"
	"link add tun5 type mgre remote 255.255.255.255|remote must be a unicast address"
	"link set tun0 type mgre remote 192.1.1.5 holdtime 99|cannot switch between multipoint and point-to-point; recreate the device"
	"link set tun2 type mgre remote any|cannot switch between multipoint and point-to-point; recreate the device"
	"link set tun4 type mgre local any key 5 holdtime 99 keepalive 20|an mgre device with the same local, remote and key exists"
)
out=$(printf '%s\n' "${refused[@]%%|*}" | in_ns r ip -force -batch - 2>&1) &&
	fail "ip -force -batch of refused changes succeeded: $out"
declare -A why=()
last=
while IFS= read -r line; do
	case $line in
	'Command failed -:'*) why[${line#Command failed -:}]=$last ;;
	*) last=$line ;;
	esac
done <<<"$out"
for i in "${!refused[@]}"; do
	line=$((i + 1))
	[[ ${why[$line]:-} == *"${refused[$i]#*|}"* ]] ||
		fail "'ip ${refused[$i]%%|*}': expected refusal '${refused[$i]#*|}', got '${why[$line]:-accepted}' (ip: $out)"
done
[ ${#why[@]} = ${#refused[@]} ] || fail "refused ${#why[@]} of ${#refused[@]} commands: $out"
# Nothing of the above changed anything, and no tun5 exists.
check_links "after refused changes"

# Genl autoload: nhrpctl, with the module gone (rmmod takes the devices
# with it), loads it through its generic netlink family alias.
unload_mgre || fail "rmmod mgre with devices failed"
out=$(nhrpctl_in r stats 2>&1) ||
	fail "nhrpctl did not autoload mgre: $out"
[ -d /sys/module/mgre ] || fail "mgre not loaded after nhrpctl"
grep -q 'net-pf-16-proto-16-family-mgre' "$TMPD/modprobe.log" ||
	fail "the kernel did not ask modprobe for the genl family alias: $(cat "$TMPD/modprobe.log" 2>&1)"

exit_status

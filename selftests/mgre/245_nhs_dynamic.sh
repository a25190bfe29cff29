#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# "nhs dynamic nbma NAME" (IOS "ip nhrp nhs dynamic nbma hub.example"):
# spoke sp1 knows its hub by a host name only.  nhrpctl resolves the name
# (the kernel sees an address); the kernel registers to that NBMA address
# and learns the hub's protocol address from its Registration Reply (shown
# by "show nhs", the "nhs up" event and showconf); an NHS nobody answers
# keeps 0.0.0.0 (the positive control: nothing is made up).  setconf of
# showconf's own output changes nothing.  Then the hub moves to a new
# machine and address and its name follows: "mgre-quick watch" sees the
# NHS go down, resolves the name again and moves the NHS, and sp1
# registers with the new hub.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd jq getent
MQ=$REPO/tools/mgre-quick/mgre-quick
export NHRPCTL
EV=$TMPD/sp1.json

# nhs_json NS: the NHSes of NS's tun0 (JSON, one per line)
nhs_json() { nhrpctl_in "$1" -j show nhs dev tun0 | jq -c '.[]'; }
# nhs_is NS NBMA STATE PROTO: NS has a dynamic NHS at NBMA in STATE with PROTO
nhs_is() {
	nhs_json "$1" | jq -e --arg n "$2" --arg s "$3" --arg p "$4" \
		'select(.nbma == $n and .state == $s and .proto == $p and .dynamic)' >/dev/null
}
# hosts [ADDR]: the hub's name at ADDR as sp1's resolver sees it (ip
# netns exec mounts /etc/netns/sp1/*); a DNS server that answers at once
# that it is not there (no waiting for one on a network the VM lacks).
hosts() {
	mkdir -p /etc/netns/sp1 &&
		printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >/etc/netns/sp1/resolv.conf &&
		printf '127.0.0.1 localhost\n%s\n' "${1:+$1 hub.dmvpn.test}" >/etc/netns/sp1/hosts
}
cleanup_add rm -rf /etc/netns/sp1
hosts || fail "cannot write sp1's hosts file"

topo_seed_dynamic
topo_spokes_registered
# sp1 forgets its hub: no NHS, no map (the hub's address is to be learned);
# registrations every 2 s so a silent hub is down in seconds.
nhrpctl_in sp1 nhs del 172.1.1.1 dev tun0 || fail "cannot delete sp1's NHS"
nhrpctl_in sp1 map del 172.1.1.1 dev tun0 || fail "cannot delete sp1's map of the hub"
ip -n sp1 link set tun0 type mgre registration timeout 2 ||
	fail "cannot set sp1's registration timeout"
monitor_start sp1 "$EV" -j
monitor_ready sp1 "$EV" || exit_status

# --- nobody at that address: no protocol address is made up --------------
nhrpctl_in sp1 nhs add dynamic nbma 192.1.1.99 dev tun0 ||
	fail "cannot add a dynamic NHS at 192.1.1.99"
# shellcheck disable=SC2317	# (called through wait_until)
sent_to() { [ "$(nhs_json sp1 | jq -r --arg n "$1" 'select(.nbma == $n) | .req_sent')" -ge "$2" ]; }
wait_until 10 sent_to 192.1.1.99 2 ||
	fail "sp1 sends no registrations to 192.1.1.99: $(nhs_json sp1)"
got=$(nhs_json sp1 | jq -c 'select(.nbma == "192.1.1.99") | {proto, dynamic, state}')
check_match "$got" '^\{"proto":"0\.0\.0\.0","dynamic":true,"state":"(expecting|down)"\}$' \
	"a dynamic NHS nobody answers"
check_match "$(nhrpctl_in sp1 show nhs dev tun0)" \
	'dynamic +[ED] priority = 0 nbma = 192\.1\.1\.99 \(dynamic\)' "show nhs of a silent dynamic NHS"
check_cmd_fail "nhs del of a dynamic NHS by an address" nhrpctl_in sp1 nhs del 0.0.0.0 dev tun0
nhrpctl_in sp1 nhs del dynamic nbma 192.1.1.99 dev tun0 || fail "cannot delete the dynamic NHS"
check_eq "$(nhs_json sp1)" "" "sp1's NHSes after the delete"

# --- by name: the hub's address comes in its reply ------------------------
check_cmd_fail "an unknown name" in_ns sp1 "$NHRPCTL" nhs add dynamic nbma hub.dmvpn.test dev tun0
hosts 192.1.1.1 || fail "cannot write sp1's hosts file"
in_ns sp1 "$NHRPCTL" nhs add dynamic nbma hub.dmvpn.test dev tun0 ||
	fail "cannot add the NHS by name"
wait_until 15 nhs_is sp1 192.1.1.1 responding 172.1.1.1 ||
	fail "sp1's dynamic NHS did not learn the hub's address: $(nhs_json sp1)"
wait_until 10 has_entry hub 172.1.1.2 dynamic registered ||
	fail "sp1 is not registered at the hub: $(nhrpctl_in hub show)"
ev_wait 10 "$EV" '.event == "nhs_up" and .proto == "172.1.1.1" and .nbma == "192.1.1.1"' ||
	fail "no \"nhs up\" event names the learned address: $(tail -n 5 "$EV")"
ping_ok sp1 172.1.1.1 || fail "sp1 cannot reach the hub's tunnel address"
# (a dynamic NHS is named by its NBMA address, not by what it told)
check_cmd_fail "nhs del of the learned address" nhrpctl_in sp1 nhs del 172.1.1.1 dev tun0
check_eq "$(nhs_json sp1 | jq -r '[.nbma, .state] | @tsv')" $'192.1.1.1\tresponding' \
	"sp1's dynamic NHS after a delete by its learned address"
conf=$(nhrpctl_in sp1 showconf dev tun0)
check_match "$conf" $'\nnhs dynamic nbma 192\\.1\\.1\\.1 priority 0$' "showconf of a dynamic NHS"
# setconf of its own output: the NHS stays as it is (registered)
sent=$(nhs_json sp1 | jq -r '.req_sent')
printf '%s\n' "$conf" >"$TMPD/sp1.conf"
nhrpctl_in sp1 setconf "$TMPD/sp1.conf" dev tun0 || fail "setconf of showconf's output failed"
check_eq "$(nhs_json sp1 | jq -r '[.state, .proto, (.req_sent >= '"$sent"')] | @tsv')" \
	$'responding\t172.1.1.1\ttrue' "the dynamic NHS after setconf of the same configuration"

# --- the hub moves: a new machine at 192.1.1.11, the name follows ---------
topo_nbma_host hub2 192.1.1.11
# shellcheck disable=SC2086	# (the options are words)
in_ns hub2 ip link add tun0 type mgre local 192.1.1.11 key "$TOPO_KEY" $TOPO_NHRP ||
	fail "cannot create the new hub's tunnel"
in_ns hub2 ip addr add 172.1.1.1/24 dev tun0
in_ns hub2 ip link set tun0 up
nhrpctl_in hub2 multicast add dynamic dev tun0
cat >"$TMPD/tun0.conf" <<EOF
link local 192.1.1.2 key $TOPO_KEY $TOPO_NHRP
nhs dynamic nbma hub.dmvpn.test
EOF
bg_start ip netns exec sp1 env MGRE_QUICK_RECHECK=1 "$MQ" watch "$TMPD/tun0.conf" \
	2>"$TMPD/watch.err"
wait_until 20 grep -q 'watching NHS hub\.dmvpn\.test at 192\.1\.1\.1$' "$TMPD/watch.err" ||
	fail "mgre-quick watch did not start: $(cat "$TMPD/watch.err")"
hosts 192.1.1.11 || fail "cannot write sp1's hosts file"
in_ns hub ip link del tun0 || fail "cannot take the old hub away"
wait_until 60 nhs_is sp1 192.1.1.11 responding 172.1.1.1 ||
	fail "sp1 did not follow the hub to 192.1.1.11: $(nhs_json sp1); watch: $(cat "$TMPD/watch.err")"
check_match "$(cat "$TMPD/watch.err")" \
	'NHS hub\.dmvpn\.test is down and now resolves to 192\.1\.1\.11 \(was 192\.1\.1\.1\): replacing it' \
	"what mgre-quick watch says"
ev_wait 10 "$EV" '.event == "nhs_down" and .nbma == "192.1.1.1"' ||
	fail "no \"nhs down\" event for the old hub: $(tail -n 5 "$EV")"
wait_until 10 has_entry hub2 172.1.1.2 dynamic registered ||
	fail "sp1 is not registered at the new hub: $(nhrpctl_in hub2 show)"
check_eq "$(nhs_json sp1 | jq -r '.nbma' | sort | tr '\n' ' ')" "192.1.1.11 " \
	"sp1's NHSes after the move (the old one replaced)"
ping_ok sp1 172.1.1.1 || fail "sp1 cannot reach the new hub's tunnel address"

exit_status

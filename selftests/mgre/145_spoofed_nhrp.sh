#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Spoofed NHRP: a plain host on the NBMA network ("atk", 192.1.1.9, with
# the extra addresses .5 .10 .11 .13 .14) that knows the GRE key and the
# NHRP password sends well-formed NHRP packets (nhrp_craft.py send) at the
# dynamic seed DMVPN.  A packet may change state only when its outer
# source and its content prove it may; for each attack the legitimate
# packet of the same shape from the right outer source is accepted.
#   1. Resolution requests do not poison the cache: a request claiming
#      sp2's address with the attacker's NBMA (sent to sp1 directly, or
#      through the hub) neither creates nor repoints sp1's entry for sp2;
#      the answer never goes to an NBMA address written in the packet (nor
#      in its NAT extension, sent direct or through the hub); a source
#      address outside the tunnel's subnet
#      is neither answered nor learned; a resolution in progress
#      (incomplete entry) is not short-cut by a request.  Control: sp1 and
#      sp2 resolve each other through the hub and learn from the request.
#   2. Request ids are unpredictable and replies are matched: a sweep of
#      256 request ids of forged registration replies (codes 14, 4, 0) and
#      error indications from the NHS's own NBMA address triggers no code
#      14 purge, marks no NHS down or up; a reply with the right id from
#      another address is refused; a sweep of forged resolution replies
#      does not complete sp1's resolution of an address.  Control: the
#      reply and the error indication with the id sp1 sent, from the NHS's
#      address, are taken.
#   3. Purges from the binding's owner only: a purge naming a NAT'd
#      binding's private NBMA address, from another outer address, does
#      not remove it (nor sp2's binding at the hub, nor sp1's entry for
#      sp2).  Control: the purge from the address it registered from does.
#   4. Registrations: one for 10.99.0.1 (outside 172.1.1.0/24) or for the
#      subnet's broadcast address is refused (code 4) and adds no
#      multicast target; one NBMA address registers at most per-nbma-max
#      (default 16) addresses; registrations add at most
#      multicast-dynamic-max NBMA addresses to the multicast map, the
#      spokes keep theirs; "subnet-check off" lifts the subnet rule.
#   5. One source sending the hub 3000 resolution requests at 1500 a
#      second gets at most nhrp-rate-limit (20) a second processed, plus a
#      second's worth at once; the rest is dropped and counted.  Control:
#      sp1 resolves sp2 through the hub meanwhile, and takes its NHS's
#      packets without limit.
# Counters are checked with >= (the spokes' own traffic may add to them).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

require_cmd python3 jq

PER_NBMA_MAX=16	# the default per-nbma-max (kmod/multicast.h)
SWEEP=256	# request ids tried per forged sweep

topo_seed_dynamic
topo_spokes_registered
topo_nbma_host atk 192.1.1.9
for a in 5 10 11 13 14; do
	in_ns atk ip addr add "192.1.1.$a/24" dev eth0
done

# craft TYPE ARGS...: nhrp_craft.py send from the attacker; JSON on stdout.
craft() {
	in_ns atk python3 "$LIB_DIR/nhrp_craft.py" send "$@" ||
		fail "nhrp_craft.py send $*: exit $?"
}
# n_answers JSON FILTER: answers in JSON (from craft) matching jq FILTER.
n_answers() {
	jq -r "[.answers[] | select($2)] | length" <<<"$1"
}
# nbma_of NS PROTO: the NBMA address of NS's entry for PROTO ("" if none).
nbma_of() { entry_get "$1" "$2" nbma; }
# shellcheck disable=SC2317	# (called through wait_until)
no_entry() { [ -z "$(nbma_of "$1" "$2")" ]; }
# type_of NS PROTO: the type of NS's entry for PROTO ("" if none).
type_of() { entry_get "$1" "$2" type; }
# sp1_nhs PROTO: the state of sp1's NHS PROTO.
sp1_nhs() {
	nhrpctl_in sp1 -j show nhs dev tun0 |
		jq -r --arg p "$1" '[.[] | select(.proto == $p)][0].state // ""'
}
# shellcheck disable=SC2317	# (called through wait_until)
sp1_nhs_is() { [ "$(sp1_nhs "$1")" = "$2" ]; }
# mcast_has NBMA: NBMA is in the hub's multicast map.
mcast_has() {
	nhrpctl_in hub -j show multicast dev tun0 |
		jq -e --arg n "$1" 'any(.[]; .nbma == $n)' >/dev/null
}
# mcast_dynamic: the NBMA addresses registrations put in the hub's map.
mcast_dynamic() {
	nhrpctl_in hub -j show multicast dev tun0 |
		jq '[.[] | select(.type == "dynamic" and .nbma != "dynamic")] | length'
}
# delta NS NAME BEFORE: how much counter NAME of NS's tun0 moved.
delta() {
	local v

	v=$(stat_get "$1" tun0 "$2") || { echo "missing"; return; }
	echo $((v - $3))
}
s2s_ok() { ping_ok sp1 192.168.3.1 -I 192.168.2.1; }

# ---------------------------------------------------------------------------
log "1. resolution requests must not poison the cache"
# ---------------------------------------------------------------------------
expect_eq "" "$(nbma_of sp1 172.1.1.3)" "sp1's entry for sp2 before any traffic"
# Direct: src_proto = sp2, src_nbma = the attacker, to sp1 (the owner of
# the destination), from the attacker's address.
craft res-req --outer 192.1.1.9 --dst 192.1.1.2 --src-proto 172.1.1.3 \
	--dst-proto 172.1.1.2 >/dev/null
# Through the hub: the hub must not forward it (sp2 registered from .3).
craft res-req --outer 192.1.1.9 --dst 192.1.1.1 --src-proto 172.1.1.3 \
	--dst-proto 172.1.1.2 >/dev/null
wait_until 3 stat_ge hub nhrp_rx_res_unverified 1 ||
	fail "hub: the request for sp2's address from 192.1.1.9 not counted in nhrp_rx_res_unverified ($(stat_get hub tun0 nhrp_rx_res_unverified))"
check_ge "$(stat_get sp1 tun0 nhrp_res_not_learned)" 1 \
	"sp1: nhrp_res_not_learned after the direct request for sp2's address"
expect_eq "" "$(nbma_of sp1 172.1.1.3)" \
	"sp1's entry for sp2 after spoofed requests (direct and through the hub) claiming it"

# Control: sp1 resolves sp2 through the hub; sp2 answers and learns sp1
# from the request the hub forwarded.
s2s_ok || fail "sp1 LAN cannot reach sp2 LAN"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve sp2: $(nhrpctl_in sp1 show)"
expect_eq 192.1.1.3 "$(nbma_of sp1 172.1.1.3)" "sp1's entry for sp2 (control)"
wait_until 5 has_entry sp2 172.1.1.2 cached ||
	fail "sp2 did not learn sp1 from its request through the hub: $(nhrpctl_in sp2 show)"
expect_eq 192.1.1.2 "$(nbma_of sp2 172.1.1.2)" "sp2's entry for sp1 (control)"

# Repointing: the same requests against existing entries.
nl1=$(stat_get sp1 tun0 nhrp_res_not_learned)
craft res-req --outer 192.1.1.9 --dst 192.1.1.2 --src-proto 172.1.1.3 \
	--dst-proto 172.1.1.2 >/dev/null
craft res-req --outer 192.1.1.9 --dst 192.1.1.3 --src-proto 172.1.1.2 \
	--dst-proto 172.1.1.3 >/dev/null
expect_eq 192.1.1.3 "$(nbma_of sp1 172.1.1.3)" "sp1's entry for sp2 after a spoofed request claiming it"
expect_eq 192.1.1.2 "$(nbma_of sp2 172.1.1.2)" "sp2's entry for sp1 after a spoofed request claiming it"
check_ge "$(delta sp1 nhrp_res_not_learned "$nl1")" 1 "sp1: nhrp_res_not_learned for the conflicting request"
s2s_ok || fail "sp1 LAN cannot reach sp2 LAN after the spoofed requests"

# The answer goes to an address the packet chose: src_nbma 192.1.1.10
# from 192.1.1.9, or a Cisco NAT extension naming 192.1.1.10.
un1=$(stat_get sp1 tun0 nhrp_rx_res_unverified)
out=$(craft res-req --outer 192.1.1.9 --src-nbma 192.1.1.10 --dst 192.1.1.2 \
	--src-proto 172.1.1.50 --dst-proto 172.1.1.2 --listen 1)
expect_eq 0 "$(n_answers "$out" '.dst == "192.1.1.10"')" \
	"answers sent to the src_nbma of a request from another address"
check_ge "$(delta sp1 nhrp_rx_res_unverified "$un1")" 1 \
	"sp1: nhrp_rx_res_unverified for a request whose src_nbma is not its sender"
out=$(craft res-req --outer 192.1.1.9 --nat-nbma 192.1.1.10 --dst 192.1.1.2 \
	--src-proto 172.1.1.50 --dst-proto 172.1.1.2 --listen 1)
expect_eq 0 "$(n_answers "$out" '.dst == "192.1.1.10"')" \
	"answers sent to the NAT extension's address of a direct request"
# Control: the same request whose src_nbma is its sender is answered there.
expect_eq 1 "$(n_answers "$out" '.dst == "192.1.1.9" and .type == 2 and .cie_code == 0')" \
	"answers to 192.1.1.9 of its own request (control)"
expect_eq "" "$(nbma_of sp1 172.1.1.50)" "sp1's entry for 172.1.1.50 (a direct request creates none)"

# A source address outside the tunnel's subnet.
os1=$(stat_get sp1 tun0 nhrp_rx_out_of_subnet)
out=$(craft res-req --outer 192.1.1.9 --dst 192.1.1.2 --src-proto 10.99.0.1 \
	--dst-proto 172.1.1.2 --listen 1)
expect_eq 0 "$(n_answers "$out" '.type == 2')" "answers to a request from 10.99.0.1"
expect_eq "" "$(nbma_of sp1 10.99.0.1)" "sp1's entry for 10.99.0.1"
check_ge "$(delta sp1 nhrp_rx_out_of_subnet "$os1")" 1 "sp1: nhrp_rx_out_of_subnet"

# A resolution in progress: the attacker registers 172.1.1.77 (accepted:
# control), sp1 starts resolving it (nobody answers), and the attacker's
# request through the hub, which the hub forwards (77 is registered from
# .9), must not short-cut it.
out=$(craft reg-req --outer 192.1.1.9 --dst 192.1.1.1 --src-proto 172.1.1.77 \
	--dst-proto 172.1.1.1 --listen 1)
expect_eq 1 "$(n_answers "$out" '.type == 4 and .cie_code == 0')" \
	"registration of 172.1.1.77 from 192.1.1.9 accepted (control)"
in_ns sp1 ping -c 1 -W 1 172.1.1.77 >/dev/null 2>&1
wait_until 3 has_entry sp1 172.1.1.77 incomplete ||
	fail "sp1 is not resolving 172.1.1.77: $(nhrpctl_in sp1 show)"
nl1=$(stat_get sp1 tun0 nhrp_res_not_learned)
craft res-req --outer 192.1.1.9 --dst 192.1.1.1 --src-proto 172.1.1.77 \
	--dst-proto 172.1.1.2 >/dev/null
wait_until 3 stat_ge sp1 nhrp_res_not_learned $((nl1 + 1)) ||
	fail "sp1: the request through the hub for an address it is resolving did not count in nhrp_res_not_learned"
check_match "$(type_of sp1 172.1.1.77)" "^(incomplete|negative)$" \
	"sp1's entry for 172.1.1.77 after a request claiming it (nbma $(nbma_of sp1 172.1.1.77))"
# The same through the hub with a NAT extension naming 192.1.1.10: the
# hub passes on only its own NAT extension, so sp1 answers 192.1.1.9.
out=$(craft res-req --outer 192.1.1.9 --nat-nbma 192.1.1.10 --dst 192.1.1.1 \
	--src-proto 172.1.1.77 --dst-proto 172.1.1.2 --listen 1)
expect_eq 0 "$(n_answers "$out" '.dst == "192.1.1.10"')" \
	"answers sent to the NAT extension's address of a request through the hub"
expect_eq 1 "$(n_answers "$out" '.dst == "192.1.1.9" and .type == 2')" \
	"sp1's answers to 192.1.1.9 through the hub (control)"

# ---------------------------------------------------------------------------
log "2. unpredictable request ids, matched replies"
# ---------------------------------------------------------------------------
# A second NHS for sp1 at 192.1.1.5, an address of the attacker's host:
# sp1's registrations go there (unanswered, retransmitted with the same id).
nhrpctl_in sp1 nhs add 172.1.1.5 nbma 192.1.1.5 priority 9 dev tun0 ||
	fail "cannot add NHS 172.1.1.5 to sp1"
reg=$(in_ns atk python3 "$LIB_DIR/nhrp_craft.py" listen --type 3 --src 192.1.1.2 \
	--count 1 --seconds $((40 * SLOW)))
R=$(jq -r '.[0].word // empty' <<<"$reg")
[ -n "$R" ] || fail "no registration from sp1 reached 192.1.1.5: $reg"
R=${R:-1}
log "sp1's registration to 192.1.1.5 has request id $R"

rf0=$(stat_get sp1 tun0 nhrp_reg_failed)
ur0=$(stat_get sp1 tun0 nhrp_unique_recover)
um0=$(stat_get sp1 tun0 nhrp_rx_unmatched)
# Sweeps of ids 1..SWEEP spoofed from the NHS's own address.
sweep() {
	craft "$@" --outer 192.1.1.5 --dst 192.1.1.2 --reqid 1 --count "$SWEEP" \
		--rate 500 --listen 0.2 >/dev/null
}
REPLY=(reg-reply --src-nbma 192.1.1.2 --src-proto 172.1.1.2 --dst-proto 172.1.1.5)
sweep "${REPLY[@]}" --cie-code 14
sweep error-ind --src-proto 172.1.1.5 --dst-proto 172.1.1.2 --quote-nbma 192.1.1.2
sweep "${REPLY[@]}" --cie-code 4
sweep "${REPLY[@]}" --cie-code 0
wait_until 5 stat_ge sp1 nhrp_rx_unmatched $((um0 + 3 * SWEEP)) ||
	fail "sp1 counted $(delta sp1 nhrp_rx_unmatched "$um0") unmatched replies, expected >= $((3 * SWEEP))"
expect_eq 0 "$(delta sp1 nhrp_unique_recover "$ur0")" \
	"code 14 purges sp1 started for forged replies (ids 1-$SWEEP from the NHS's address)"
expect_eq 0 "$(delta sp1 nhrp_reg_failed "$rf0")" \
	"registrations sp1 counts refused by forged replies and error indications"
check_ne "$(sp1_nhs 172.1.1.5)" responding "sp1's NHS 172.1.1.5 after forged successful replies"

# The right id from another address.
um0=$(stat_get sp1 tun0 nhrp_rx_unmatched)
craft "${REPLY[@]}" --outer 192.1.1.9 --dst 192.1.1.2 --reqid "$R" --cie-code 0 >/dev/null
craft error-ind --outer 192.1.1.9 --dst 192.1.1.2 --reqid "$R" \
	--src-proto 172.1.1.5 --dst-proto 172.1.1.2 --quote-nbma 192.1.1.2 >/dev/null
wait_until 3 stat_ge sp1 nhrp_rx_unmatched $((um0 + 1)) ||
	fail "sp1 did not count the reply with its id from 192.1.1.9 as unmatched"
check_ne "$(sp1_nhs 172.1.1.5)" responding \
	"sp1's NHS 172.1.1.5 after a reply with its id from 192.1.1.9"
expect_eq 0 "$(delta sp1 nhrp_reg_failed "$rf0")" \
	"registrations sp1 counts refused after an error indication from 192.1.1.9"

# Controls: from the NHS's address with the id sp1 sent, a reply is taken
# (the NHS answers), and so is an error indication (it refuses).
craft "${REPLY[@]}" --outer 192.1.1.5 --dst 192.1.1.2 --reqid "$R" --cie-code 0 >/dev/null
wait_until 3 sp1_nhs_is 172.1.1.5 responding ||
	fail "sp1 did not take the reply with its id from its NHS's address (control): $(sp1_nhs 172.1.1.5)"
# (a new registration, with a new id: a changed NHRP setting starts over;
# the same one again changes nothing)
ip -n sp1 link set tun0 type mgre holdtime 499 || fail "cannot change sp1's holdtime"
reg=$(in_ns atk python3 "$LIB_DIR/nhrp_craft.py" listen --type 3 --src 192.1.1.2 \
	--count 1 --seconds $((40 * SLOW)))
R2=$(jq -r '.[0].word // empty' <<<"$reg")
[ -n "$R2" ] || fail "no new registration from sp1 reached 192.1.1.5: $reg"
log "sp1's next registration to 192.1.1.5 has request id ${R2:-?}"
[ "${R2:-$R}" != "$R" ] || fail "sp1 registered again with the same request id $R"
craft error-ind --outer 192.1.1.5 --dst 192.1.1.2 --reqid "${R2:-1}" \
	--src-proto 172.1.1.5 --dst-proto 172.1.1.2 --quote-nbma 192.1.1.2 >/dev/null
wait_until 3 sp1_nhs_is 172.1.1.5 down ||
	fail "sp1 did not take the error indication with its id from its NHS's address (control): $(sp1_nhs 172.1.1.5)"
expect_eq 1 "$(delta sp1 nhrp_reg_failed "$rf0")" "registrations sp1 counts refused (control)"
nhrpctl_in sp1 nhs del 172.1.1.5 dev tun0 || fail "cannot delete NHS 172.1.1.5"
wait_until 5 sp1_nhs_is 172.1.1.1 responding ||
	fail "sp1's NHS 172.1.1.1: $(sp1_nhs 172.1.1.1)"

# Resolution replies: sp1 resolves 172.1.1.78 (nobody has it); a sweep of
# forged replies binding it to the attacker must not complete it.
in_ns sp1 ping -c 1 -W 1 172.1.1.78 >/dev/null 2>&1
wait_until 3 has_entry sp1 172.1.1.78 incomplete ||
	fail "sp1 is not resolving 172.1.1.78: $(nhrpctl_in sp1 show)"
um0=$(stat_get sp1 tun0 nhrp_rx_unmatched)
# (every one of them must reach the id check: no rate limit for the sweep)
ip -n sp1 link set tun0 type mgre nhrp-rate-limit off || fail "cannot set sp1's nhrp-rate-limit off"
craft res-reply --outer 192.1.1.9 --dst 192.1.1.2 --src-nbma 192.1.1.2 \
	--src-proto 172.1.1.2 --dst-proto 172.1.1.78 --cie-nbma 192.1.1.9 \
	--cie-proto 172.1.1.78 --reqid 1 --count "$SWEEP" --rate 500 --listen 0.2 >/dev/null
ip -n sp1 link set tun0 type mgre nhrp-rate-limit 20 || fail "cannot set sp1's nhrp-rate-limit back"
wait_until 5 stat_ge sp1 nhrp_rx_unmatched $((um0 + SWEEP)) ||
	fail "sp1 counted $(delta sp1 nhrp_rx_unmatched "$um0") unmatched resolution replies, expected >= $SWEEP"
check_match "$(type_of sp1 172.1.1.78)" "^(incomplete|negative)$" \
	"sp1's entry for 172.1.1.78 after forged replies (ids 1-$SWEEP; nbma $(nbma_of sp1 172.1.1.78))"

# ---------------------------------------------------------------------------
log "3. purges from the binding's owner only"
# ---------------------------------------------------------------------------
# A spoke behind NAT: registered from 192.1.1.11, private NBMA 10.0.0.11.
out=$(craft reg-req --outer 192.1.1.11 --src-nbma 10.0.0.11 --dst 192.1.1.1 \
	--src-proto 172.1.1.11 --dst-proto 172.1.1.1 --listen 1)
expect_eq 1 "$(n_answers "$out" '.type == 4 and .cie_code == 0')" "registration of 172.1.1.11 (control)"
wait_until 3 has_entry hub 172.1.1.11 dynamic registered nat ||
	fail "172.1.1.11 not registered with the nat flag: $(nhrpctl_in hub show)"
pr0=$(stat_get hub tun0 nhrp_purge_refused)
# Its private NBMA, written in a purge from the attacker's address.
craft purge-req --outer 192.1.1.9 --src-nbma 10.0.0.11 --dst 192.1.1.1 \
	--src-proto 172.1.1.11 --dst-proto 172.1.1.1 --cie-nbma 10.0.0.11 \
	--cie-proto 172.1.1.11 >/dev/null
# sp2's NBMA, in a purge of its binding from the attacker's address.
craft purge-req --outer 192.1.1.9 --src-nbma 192.1.1.3 --dst 192.1.1.1 \
	--src-proto 172.1.1.3 --dst-proto 172.1.1.1 --cie-nbma 192.1.1.3 \
	--cie-proto 172.1.1.3 >/dev/null
wait_until 3 stat_ge hub nhrp_purge_refused $((pr0 + 2)) ||
	fail "hub: nhrp_purge_refused moved by $(delta hub nhrp_purge_refused "$pr0"), expected >= 2"
expect_eq 192.1.1.11 "$(nbma_of hub 172.1.1.11)" \
	"the NAT'd binding after a purge naming its private NBMA from 192.1.1.9"
has_entry hub 172.1.1.3 dynamic unique registered ||
	fail "sp2's binding at the hub after a purge from 192.1.1.9: $(nhrpctl_in hub show)"
# At a spoke: sp1's entry for sp2.
pr1=$(stat_get sp1 tun0 nhrp_purge_refused)
craft purge-req --outer 192.1.1.9 --src-nbma 192.1.1.3 --dst 192.1.1.2 \
	--src-proto 172.1.1.3 --dst-proto 172.1.1.2 --cie-nbma 192.1.1.3 \
	--cie-proto 172.1.1.3 >/dev/null
wait_until 3 stat_ge sp1 nhrp_purge_refused $((pr1 + 1)) ||
	fail "sp1: nhrp_purge_refused moved by $(delta sp1 nhrp_purge_refused "$pr1"), expected >= 1"
expect_eq 192.1.1.3 "$(nbma_of sp1 172.1.1.3)" "sp1's entry for sp2 after a purge from 192.1.1.9"
# Control: the purge from the address the binding was registered from.
craft purge-req --outer 192.1.1.11 --src-nbma 10.0.0.11 --dst 192.1.1.1 \
	--src-proto 172.1.1.11 --dst-proto 172.1.1.1 --cie-nbma 10.0.0.11 \
	--cie-proto 172.1.1.11 >/dev/null
wait_until 3 no_entry hub 172.1.1.11 ||
	fail "the purge from 192.1.1.11, its own binding, did not remove it (control): $(nhrpctl_in hub show)"

# ---------------------------------------------------------------------------
log "4. registrations: the tunnel's subnets, per-NBMA limit, multicast targets"
# ---------------------------------------------------------------------------
os0=$(stat_get hub tun0 nhrp_rx_out_of_subnet)
rr0=$(stat_get hub tun0 nhrp_reg_refused)
for p in 10.99.0.1 172.1.1.255 172.1.1.0; do
	out=$(craft reg-req --outer 192.1.1.13 --dst 192.1.1.1 --src-proto "$p" \
		--dst-proto 172.1.1.1 --listen 1)
	expect_eq 1 "$(n_answers "$out" '.type == 4 and .cie_code == 4')" \
		"code 4 (administratively prohibited) answers to the registration of $p"
	expect_eq "" "$(nbma_of hub "$p")" "the hub's entry for $p"
done
mcast_has 192.1.1.13 && fail "192.1.1.13 in the hub's multicast map after refused registrations"
check_ge "$(delta hub nhrp_rx_out_of_subnet "$os0")" 3 "hub: nhrp_rx_out_of_subnet"
check_ge "$(delta hub nhrp_reg_refused "$rr0")" 3 "hub: nhrp_reg_refused"
# Control: an address in the subnet, from the same address.
out=$(craft reg-req --outer 192.1.1.13 --dst 192.1.1.1 --src-proto 172.1.1.13 \
	--dst-proto 172.1.1.1 --listen 1)
expect_eq 1 "$(n_answers "$out" '.type == 4 and .cie_code == 0')" "registration of 172.1.1.13 (control)"
wait_until 3 has_entry hub 172.1.1.13 dynamic registered ||
	fail "172.1.1.13 not registered: $(nhrpctl_in hub show)"
mcast_has 192.1.1.13 || fail "192.1.1.13 not in the hub's multicast map after its registration"

# "subnet-check off" lifts the rule (and shows in ip -d link).
ip -n hub link set tun0 type mgre subnet-check off || fail "cannot set subnet-check off"
check_match "$(ip -n hub -d link show tun0)" "subnet-check off" "subnet-check in ip -d link show"
out=$(craft reg-req --outer 192.1.1.13 --dst 192.1.1.1 --src-proto 10.99.0.2 \
	--dst-proto 172.1.1.1 --hold 30 --listen 1)
expect_eq 1 "$(n_answers "$out" '.type == 4 and .cie_code == 0')" \
	"registration of 10.99.0.2 with subnet-check off"
ip -n hub link set tun0 type mgre subnet-check on || fail "cannot set subnet-check on"

# Per-NBMA limit: 192.1.1.14 registers PER_NBMA_MAX + 4 addresses.
nl0=$(stat_get hub tun0 nhrp_reg_nbma_limit)
out=$(craft reg-req --outer 192.1.1.14 --dst 192.1.1.1 --src-proto 172.1.1.100 \
	--dst-proto 172.1.1.1 --count $((PER_NBMA_MAX + 4)) --vary src_proto --listen 2)
expect_eq "$PER_NBMA_MAX" "$(n_answers "$out" '.type == 4 and .cie_code == 0')" \
	"registrations from 192.1.1.14 accepted"
expect_eq 4 "$(n_answers "$out" '.type == 4 and .cie_code == 5')" \
	"registrations from 192.1.1.14 refused with code 5"
expect_eq "$PER_NBMA_MAX" "$(entries hub '.nbma == "192.1.1.14"')" "hub entries bound to 192.1.1.14"
check_ge "$(delta hub nhrp_reg_nbma_limit "$nl0")" 4 "hub: nhrp_reg_nbma_limit"
# Control: a refresh of one of them needs no new slot.
out=$(craft reg-req --outer 192.1.1.14 --dst 192.1.1.1 --src-proto 172.1.1.100 \
	--dst-proto 172.1.1.1 --listen 1)
expect_eq 1 "$(n_answers "$out" '.type == 4 and .cie_code == 0')" \
	"refresh of 172.1.1.100 from 192.1.1.14 (control)"

# Dynamic multicast targets: room for 3 more; 8 spoofed registrations,
# each from its own address (192.1.1.200-207).
n0=$(mcast_dynamic)
ip -n hub link set tun0 type mgre multicast-dynamic-max $((n0 + 3)) ||
	fail "cannot set multicast-dynamic-max"
ml0=$(stat_get hub tun0 nhrp_reg_mcast_limit)
out=$(craft reg-req --outer 192.1.1.200 --dst 192.1.1.1 --src-proto 172.1.1.200 \
	--dst-proto 172.1.1.1 --count 8 --vary src_proto,src_nbma,outer --rate 50 --listen 0.5)
expect_eq $((n0 + 3)) "$(mcast_dynamic)" "registered NBMA addresses in the hub's multicast map (limit $((n0 + 3)))"
expect_eq 3 "$(entries hub '.proto | startswith("172.1.1.20")')" "hub entries of the spoofed registrations"
check_ge "$(delta hub nhrp_reg_mcast_limit "$ml0")" 5 "hub: nhrp_reg_mcast_limit"
# The spokes keep their place: their refreshes need none (sp1 registers
# anew: its holdtime changes back).
ip -n sp1 link set tun0 type mgre holdtime 500 || fail "cannot change sp1's holdtime back"
wait_until 5 nhs_state_is sp1 responding ||
	fail "sp1's registration refused with the multicast map at its limit: $(nhs_state sp1)"
for n in 192.1.1.2 192.1.1.3; do
	mcast_has "$n" || fail "$n not in the hub's multicast map"
done

# ---------------------------------------------------------------------------
log "5. one source is rate limited, the others are not"
# ---------------------------------------------------------------------------
# 192.1.1.10 sends the hub FLOOD resolution requests as fast as it can
# (for sp2's address: each one the hub processes it would forward, or
# refuse, and count).  The hub processes at most nhrp-rate-limit (20) a
# second from it, a second's worth at once, and drops the rest unread;
# meanwhile sp1 (another source) resolves sp2 through the hub, and sp1
# still takes everything from its NHS (the sweeps of section 2 came from
# its NHS's address at 500 a second and all reached the id check).
FLOOD=3000
rq0=$(counter hub nhrp_rx_res_req) rl0=$(counter hub nhrp_rx_ratelimited)
is_count "$rq0" "hub: nhrp_rx_res_req" && is_count "$rl0" "hub: nhrp_rx_ratelimited"
nhrpctl_in sp1 flush cached dev tun0
t0=$(now_ms)
craft res-req --outer 192.1.1.10 --dst 192.1.1.1 --src-proto 172.1.1.10 \
	--dst-proto 172.1.1.3 --count "$FLOOD" --rate 1500 --listen 0 >/dev/null &
flood=$!
s2s_ok || fail "sp1 LAN cannot reach sp2 LAN during the flood"
wait_until 10 has_entry sp1 172.1.1.3 cached ||
	fail "sp1 did not resolve sp2 through the hub during the flood: $(nhrpctl_in sp1 show)"
# (the flood still ran: the positive control of the resolution above)
_not_running "$flood" && log "WARNING: the flood was over before sp1 resolved sp2"
wait "$flood" || fail "the flood (nhrp_craft.py send) failed"
ms=$(( $(now_ms) - t0 ))
# (what the hub processed: at most a second's worth, plus 20 a second for
# as long as the flood lasted, plus sp1's own requests)
done_=$(delta hub nhrp_rx_res_req "$rq0") limited=$(delta hub nhrp_rx_ratelimited "$rl0")
bound=$(( 20 + 20 * (ms + 999) / 1000 + 5 ))
log "flood of $FLOOD resolution requests from 192.1.1.10 in $ms ms: the hub processed $done_ (bound $bound), dropped $limited over the rate limit"
check_ge "$limited" $(( FLOOD * 9 / 10 - bound )) "requests from 192.1.1.10 dropped over the rate limit"
check_ge "$bound" "$done_" "resolution requests the hub processed during the flood (bound: 20/s + 20)"
check_ge "$done_" 20 "resolution requests the hub processed during the flood (a second's worth at least)"

# ---------------------------------------------------------------------------
log "after the attacks"
# ---------------------------------------------------------------------------
for p in 172.1.1.2 172.1.1.3; do
	has_entry hub "$p" dynamic unique registered ||
		fail "$p lost its registration at the hub: $(nhrpctl_in hub show)"
done
expect_eq 192.1.1.2 "$(nbma_of hub 172.1.1.2)" "sp1's binding at the hub"
expect_eq 192.1.1.3 "$(nbma_of hub 172.1.1.3)" "sp2's binding at the hub"
for ns in sp1 sp2; do
	expect_eq responding "$(nhs_state "$ns")" "NHS state on $ns"
done
s2s_ok || fail "sp1 LAN cannot reach sp2 LAN"
expect_eq 192.1.1.3 "$(nbma_of sp1 172.1.1.3)" "sp1's entry for sp2"

exit_status

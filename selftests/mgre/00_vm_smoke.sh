#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
#
# Smoke test of the test environment itself: the expected kernel runs,
# network namespaces + veth pass traffic, tunnel modules load and unload,
# the root file system is the writable overlay, the harness helpers work.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip ping modprobe rmmod modinfo

# 1. The kernel is the one the module is built against: the newest
#    /lib/modules/*/build (the Makefile's default KDIR), and the one
#    scripts/vm/run.sh says it booted.
kdir=$(printf '%s\n' /lib/modules/*/build | sort -V | tail -n 1)
[ -d "$kdir" ] || kdir=
if [ -n "$kdir" ]; then
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
	check_eq "$(uname -r)" "$kver" "running kernel vs. newest kernel headers ($kdir)"
else
	log "no /lib/modules/*/build: cannot check the headers' release"
fi
if [ -n "${MGRE_KVER:-}" ]; then
	check_eq "$(uname -r)" "$MGRE_KVER" "running kernel vs. the one run.sh booted"
fi
if [ -f "$MGRE_KO" ]; then
	vm=$(modinfo -F vermagic "$MGRE_KO" | awk '{ print $1 }')
	check_eq "$vm" "$(uname -r)" "vermagic of $MGRE_KO"
else
	log "$MGRE_KO not built: vermagic not checked"
fi
if [ -n "${MGRE_VM:-}" ]; then
	check_eq "$(hostname)" mgre-vm "hostname in the test VM"
	# The root is a throw-away overlay: writable, and nothing reaches the host.
	f=/etc/mgre-smoke.$$
	echo ok > "$f"
	check_eq "$(cat "$f" 2>/dev/null)" ok "the guest root file system is writable"
	rm -f "$f"
	check_match "$(awk '$2 == "/" { print $3 }' /proc/mounts)" '^overlay$' "root file system type"
fi

# 2. Two namespaces joined by a veth pair ping each other (IPv4 + IPv6).
ns_create smoke_a smoke_b
veth_pair smoke_a va smoke_b vb
ip -n smoke_a addr add 192.0.2.1/24 dev va
ip -n smoke_b addr add 192.0.2.2/24 dev vb
ip -n smoke_a addr add 2001:db8::1/64 dev va nodad
ip -n smoke_b addr add 2001:db8::2/64 dev vb nodad
wait_until 10 ip netns exec smoke_a ping -c 1 -W 1 192.0.2.2
check_err $? "IPv4 ping smoke_a -> smoke_b over veth"
wait_until 10 ip netns exec smoke_b ping -c 1 -W 1 2001:db8::1
check_err $? "IPv6 ping smoke_b -> smoke_a over veth"
# Negative check: an address nobody has must not answer.
ip netns exec smoke_a ping -c 1 -W 1 192.0.2.3 >/dev/null 2>&1
check_fail $? "ping to an unassigned address"

# 3. The capture helpers see exactly the traffic we send.
if command -v tcpdump >/dev/null 2>&1; then
	pcap=$TEST_TMP/smoke.pcap
	if capture_start smoke_b vb icmp "$pcap"; then
		ip netns exec smoke_a ping -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null
		check_err $? "ping during capture"
		# 3 echo requests + 3 replies
		capture_wait 10 "$pcap" 6 icmp
		check_err $? "6 ICMP packets in the capture"
		capture_stop "$pcap"
		expect_eq 3 "$(capture_count_bpf "$pcap" 'icmp[icmptype] == icmp-echo')" "echo requests captured (tcpdump)"
		if command -v tshark >/dev/null 2>&1 && wire_checks; then
			expect_eq 3 "$(capture_count "$pcap" 'ip.src==192.0.2.2 && icmp.type==0')" "echo replies captured (tshark)"
		fi
	else
		fail "capture_start failed"
	fi
fi

# 4. Tunnel modules load and unload (ip_gre creates its fallback gre0).
if [ -d /sys/module/ip_gre ] && [ ! -e /sys/module/ip_gre/initstate ]; then
	log "ip_gre is built in: load/unload not tested"
else
	rmmod ip_gre 2>/dev/null
	check_cmd "modprobe ip_gre" modprobe ip_gre
	check_cmd "gre0 fallback device after loading ip_gre" test -e /sys/class/net/gre0
	check_cmd "rmmod ip_gre" rmmod ip_gre
	check_cmd_fail "gre0 gone after rmmod" test -e /sys/class/net/gre0
fi

exit_status

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The FRR side of the FRR interoperability test (see run_frr.sh): runs in
# its own guest, because FRR's nhrpd needs Linux ip_gre, which cannot share
# a kernel with mgre.  It only sets up the NBMA address and runs a control
# agent; the test itself (frr_interop.sh, in the mgre guest) drives it over
# the NBMA link.
#
#   frr_node.sh agent    the guest's command: eth0 = $FRR_NBMA/24, zebra,
#                        and a TCP agent on $FRR_NBMA:$CTL_PORT; returns
#                        when told to (agent_stop) or after $AGENT_TIMEOUT s
#                        without a request, leaving the FRR logs in $MGRE_OUT
#   frr_node.sh serve    one agent connection (started by socat): reads a
#                        bash snippet until EOF, runs it with the helpers
#                        below, answers its output and "@@rc=STATUS"
#
# This is a test-only back door into a throw-away VM on a private link.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

FRR_NBMA=192.1.1.10		# eth0 of this guest
CTL_PORT=7777
GRE_KEY=10000
FRR_DIR=/tmp/frr		# configs, logs, pid files
FRR_LIB=/usr/lib/frr
AGENT_TIMEOUT=${AGENT_TIMEOUT:-420}

exec {_SLEEP_FD}<> <(:)
_sleep() { read -r -t "$1" -u "$_SLEEP_FD" _ 2>/dev/null || :; }

# --- helpers for the snippets the test sends -----------------------------------

# gre_setup ADDR/PLEN [ROUTE...]: (re)create gre1, an NBMA ip_gre device
# (no remote: nhrpd manages its neighbours), as the FRR docs describe.
gre_setup() {
	local addr=$1 r
	shift
	ip link del gre1 2>/dev/null
	ip link add gre1 type gre key "$GRE_KEY" ttl 64 local "$FRR_NBMA" dev eth0 || return 1
	sysctl -qw net.ipv6.conf.gre1.disable_ipv6=1
	ip addr add "$addr" dev gre1 || return 1
	ip link set gre1 up || return 1
	for r in "$@"; do
		# shellcheck disable=SC2086	# a route spec, split on purpose
		ip route add $r || return 1
	done
}

_pid_of() { local p; read -r p 2>/dev/null < "$FRR_DIR/$1.pid" && kill -0 "$p" 2>/dev/null && echo "$p"; }

# frr_daemon NAME CONF: start FRR daemon NAME (zebra, nhrpd) with CONF.
frr_daemon() {
	local name=$1 conf=$2 i
	mkdir -p "$FRR_DIR" /run/frr
	cp "$conf" "$FRR_DIR/$name.conf"
	chown -R frr:frr "$FRR_DIR" /run/frr
	"$FRR_LIB/$name" -d -A 127.0.0.1 -f "$FRR_DIR/$name.conf" \
		-i "$FRR_DIR/$name.pid" \
		--log "file:$FRR_DIR/$name.log" --log-level debug || return 1
	for ((i = 0; i < 100; i++)); do
		[ -S "/run/frr/$name.vty" ] && _pid_of "$name" >/dev/null && return 0
		_sleep 0.1
	done
	echo "frr_daemon: $name did not come up"
	return 1
}

# frr_kill NAME: stop an FRR daemon and wait until it is gone (fails if
# it is still there after SIGKILL: a second one must not be started).
frr_kill() {
	local p i
	p=$(_pid_of "$1") || return 0
	kill -TERM "$p"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$p" 2>/dev/null || return 0
		_sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$p" 2>/dev/null || return 0
		_sleep 0.1
	done
	echo "frr_kill: $1 ($p) still running after SIGKILL"
	return 1
}

# nhrpd_start ROLE: (re)start nhrpd with frr/nhrpd-ROLE.conf.  Fails if
# nhrpd rejected a line of it (FRR logs "... on config line N: ..." and
# runs on without the line: the test would then exercise another
# configuration than it says).
nhrpd_start() {
	local log=$FRR_DIR/nhrpd.log err
	frr_kill nhrpd || return 1
	echo "===== nhrpd-$1.conf =====" >> "$log"
	chown frr:frr "$log"
	frr_daemon nhrpd "$HERE/frr/nhrpd-$1.conf" || return 1
	# (the config is read before the vty socket frr_daemon waited for)
	err=$(awk '/^===== / { e = "" } /on config line/ { e = e $0 "\n" } END { printf "%s", e }' "$log")
	if [ -n "$err" ]; then
		echo "nhrpd_start: nhrpd-$1.conf not taken as it is: $err"
		return 1
	fi
}

vty() {	# vty CMD...: vtysh -c CMD -c ...
	local a=()
	for c in "$@"; do a+=(-c "$c"); done
	vtysh "${a[@]}"
}

agent_stop() { touch "$FRR_DIR/agent.stop"; }

# --- the agent -----------------------------------------------------------------

collect_logs() {
	local out=${MGRE_OUT:-}
	[ -n "$out" ] && [ -d "$out" ] || return 0
	cp "$FRR_DIR"/*.log "$FRR_DIR"/*.conf "$out/" 2>/dev/null
	{
		ip -d link show; ip addr; ip route; ip neigh
		vty 'show ip nhrp cache' 'show ip nhrp nhs' 'show dmvpn' 'show ip route'
	} > "$out/state.txt" 2>&1
}

agent() {
	local idle=0 v
	mkdir -p "$FRR_DIR"
	v=$(dpkg-query -W -f='${Version}' frr 2>/dev/null)
	echo "frr_node: FRR ${v:-not installed}, kernel $(uname -r)"
	[ -x "$FRR_LIB/nhrpd" ] || { echo "frr_node: $FRR_LIB/nhrpd missing (apt-get install frr)"; return 1; }
	command -v socat >/dev/null || { echo "frr_node: socat missing"; return 1; }
	# A guest whose TSC was calibrated wrong (a busy host: "PIT calibration
	# deviates from HPET") runs its clock several times too fast: FRR's
	# timers (holdtimes, retries) and ours with it.  Say so, for whoever
	# reads a failure.
	if dmesg | grep -q 'calibration deviates'; then
		echo "frr_node: warning: $(dmesg | grep -m 2 -E 'calibration deviates|Detected .* MHz processor' | tr '\n' ' ')- this guest's clock is off"
	fi
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	sysctl -qw net.ipv4.ip_forward=1 net.ipv4.ip_forward_use_pmtu=0
	ip addr add "$FRR_NBMA/24" dev eth0 && ip link set eth0 up || return 1
	modprobe ip_gre || return 1
	frr_daemon zebra "$HERE/frr/zebra.conf" || return 1
	# -t: after the request's EOF, wait for the answer (default 0.5 s).
	socat -t 120 "TCP-LISTEN:$CTL_PORT,bind=$FRR_NBMA,reuseaddr,fork" EXEC:"$SELF serve" &
	local spid=$!
	echo "frr_node: agent listening on $FRR_NBMA:$CTL_PORT"
	# Idle time, counted in polls (no clock read: a step of the guest's
	# wall clock must not end the agent; run_frr.sh bounds the guest's
	# real time anyway).
	while [ ! -e "$FRR_DIR/agent.stop" ]; do
		if [ -e "$FRR_DIR/agent.active" ]; then
			rm -f "$FRR_DIR/agent.active"
			idle=0
		fi
		if (( idle / 2 > AGENT_TIMEOUT )); then
			echo "frr_node: no request for ${AGENT_TIMEOUT}s and no agent_stop, giving up"
			break
		fi
		kill -0 "$spid" 2>/dev/null || { echo "frr_node: socat died"; break; }
		_sleep 0.5
		idle=$((idle + 1))
	done
	kill "$spid" 2>/dev/null
	collect_logs
	frr_kill nhrpd
	frr_kill zebra
	[ -e "$FRR_DIR/agent.stop" ]
}

serve() {
	local script rc
	touch "$FRR_DIR/agent.active"
	script=$(cat)
	(eval "$script") </dev/null 2>&1
	rc=$?
	printf '\n@@rc=%d\n' "$rc"
}

case ${1:-} in
agent) agent ;;
serve) serve ;;
*) echo "usage: $0 agent|serve" >&2; exit 2 ;;
esac

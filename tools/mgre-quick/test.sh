#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test.sh [MGRE_QUICK]: host-side tests of mgre-quick with stand-ins for
# ip and nhrpctl that log their arguments (and fail when told to): the
# commands "up" and "down" run, the rollback of a failed "up", and every
# parse error.  The VM selftest 230_mgre_quick runs it for real.  Ends
# with "N passed, N failed".

MQ=$(realpath "${1:-$(dirname "$0")/mgre-quick}")
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0

# The stand-ins: log "ip ARGS" / "nhrpctl ARGS"; fail when the command
# line matches $FAIL_ON; "ip link show dev X" succeeds if $TMP/exists-X
# exists.
for tool in ip nhrpctl; do
	cat >"$TMP/$tool" <<EOF
#!/bin/bash
echo "$tool \$*" >>"$TMP/log"
if [ -n "\${FAIL_ON:-}" ] && [[ "$tool \$*" == \$FAIL_ON ]]; then
	echo "RTNETLINK answers: Invalid argument" >&2
	exit 1
fi
if [ "$tool \$1 \$2" = "ip link show" ]; then
	[ -e "$TMP/exists-\$4" ]
	exit
fi
# canned output: the file $TMP/reply/"TOOL ARGS"
if [ -f "$TMP/reply/$tool \$*" ]; then
	cat "$TMP/reply/$tool \$*"
fi
exit 0
EOF
	chmod +x "$TMP/$tool"
done
# (and getent: hub.test is 192.1.1.9, nothing else resolves)
cat >"$TMP/getent" <<'EOF'
#!/bin/bash
[ "$2" = hub.test ] && echo "192.1.1.9       STREAM hub.test"
EOF
chmod +x "$TMP/getent"
export IP=$TMP/ip NHRPCTL=$TMP/nhrpctl MGRE_CONFIG_DIR=$TMP GETENT=$TMP/getent

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }

# run_mq CODE STDERR_PATTERN ARGS...: exit code and stderr (a glob)
run_mq() {
	local code=$1 pat=$2 rc
	shift 2
	: >"$TMP/log"
	"$MQ" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" != "$code" ]; then
		bad "mgre-quick $*: exit $rc, expected $code ($(cat "$TMP/err"))"
	elif [[ "$(cat "$TMP/err")" != $pat ]]; then
		bad "mgre-quick $*: stderr '$(cat "$TMP/err")', expected '$pat'"
	else
		ok
	fi
}
# expect_log EXPECTED: the commands run, one a line
expect_log() {
	if [ "$(grep -v '^ip link show' "$TMP/log")" = "$1" ]; then ok
	else bad "commands run: $(cat "$TMP/log") -- expected: $1"; fi
}

cat >"$TMP/tun0.conf" <<'EOF'
# spoke R2 of the seed DMVPN
link local 192.1.1.2 key 10000 network-id 10000 holdtime 500 auth cisco123
address 172.1.1.2/24
map 172.1.1.1 nbma 192.1.1.1   # the hub
multicast nbma 192.1.1.1
nhs 172.1.1.1

route 192.168.3.0/24 via 172.1.1.3
EOF

# --- up, down, check --------------------------------------------------------
# (the commands of the file up to its NHS)
UP_TO_NHS="ip link add tun0 type mgre local 192.1.1.2 key 10000 network-id 10000 holdtime 500 auth cisco123
ip link set tun0 up
ip addr add 172.1.1.2/24 dev tun0
nhrpctl map add 172.1.1.1 nbma 192.1.1.1 dev tun0
nhrpctl multicast add nbma 192.1.1.1 dev tun0
nhrpctl nhs add 172.1.1.1 dev tun0"
run_mq 0 "" up tun0
expect_log "$UP_TO_NHS
ip route add 192.168.3.0/24 via 172.1.1.3 dev tun0"
run_mq 0 "" up "$TMP/tun0.conf"
run_mq 0 "" check tun0
expect_log ""
touch "$TMP/exists-tun0"
run_mq 1 "mgre-quick: tun0 exists already" up tun0
expect_log ""
run_mq 0 "" down tun0
expect_log "ip link del tun0"
rm "$TMP/exists-tun0"
run_mq 1 "mgre-quick: tun0 does not exist" down tun0

# --- a failing statement: FILE:LINE, and nothing left -------------------------
FAIL_ON="nhrpctl nhs add*" run_mq 1 \
	"mgre-quick: $TMP/tun0.conf:6: $TMP/nhrpctl nhs add 172.1.1.1 dev tun0 failed: RTNETLINK answers: Invalid argument" up tun0
expect_log "$UP_TO_NHS
ip link del tun0"
FAIL_ON="ip link add*" run_mq 1 \
	"mgre-quick: $TMP/tun0.conf:2: ip link add tun0 type mgre local 192.1.1.2 key 10000 network-id 10000 holdtime 500 auth cisco123 failed: RTNETLINK answers: Invalid argument" up tun0

# --- save: the running tunnel, as a file up takes -----------------------------
mkdir -p "$TMP/reply" "$TMP/s"
cat >"$TMP/reply/nhrpctl showconf dev tun0" <<'EOF'
# tun0: nhrpctl showconf (load with "nhrpctl setconf FILE dev tun0")
link local 192.1.1.2 key 10000 network-id 10000 auth cisco123
map 172.1.1.1/32 nbma 192.1.1.1
nhs 172.1.1.1 priority 0
EOF
cat >"$TMP/reply/ip -o -4 addr show dev tun0" <<'EOF'
5: tun0    inet 172.1.1.2/24 scope global tun0\       valid_lft forever preferred_lft forever
EOF
cat >"$TMP/reply/ip -4 route show dev tun0" <<'EOF'
172.1.1.0/24 proto kernel scope link src 172.1.1.2 linkdown
172.1.1.3 proto nhrp scope link
10.9.0.0/16 proto 191 scope link
192.168.3.0/24 via 172.1.1.3 linkdown
192.168.4.0/24 via 172.1.1.4 proto static metric 20
EOF
touch "$TMP/exists-tun0"
run_mq 0 "" save "$TMP/s/tun0.conf"
expected="# tun0: mgre-quick save
link local 192.1.1.2 key 10000 network-id 10000 auth cisco123
address 172.1.1.2/24
map 172.1.1.1/32 nbma 192.1.1.1
nhs 172.1.1.1 priority 0
route 192.168.3.0/24 via 172.1.1.3
route 192.168.4.0/24 via 172.1.1.4 proto static metric 20"
if [ "$(cat "$TMP/s/tun0.conf")" = "$expected" ]; then ok
else bad "saved file: $(cat "$TMP/s/tun0.conf") -- expected: $expected"; fi
if [ "$(stat -c %a "$TMP/s/tun0.conf")" = 600 ]; then ok
else bad "the saved file's mode: $(stat -c %a "$TMP/s/tun0.conf")"; fi
run_mq 0 "" check "$TMP/s/tun0.conf"
# (up of an existing tunnel refuses; the stand-in says it exists)
run_mq 1 "mgre-quick: tun0 exists already" up "$TMP/s/tun0.conf"
rm "$TMP/exists-tun0"
run_mq 0 "" up "$TMP/s/tun0.conf"
expect_log "ip link add tun0 type mgre local 192.1.1.2 key 10000 network-id 10000 auth cisco123
ip link set tun0 up
ip addr add 172.1.1.2/24 dev tun0
nhrpctl map add 172.1.1.1/32 nbma 192.1.1.1 dev tun0
nhrpctl nhs add 172.1.1.1 priority 0 dev tun0
ip route add 192.168.3.0/24 via 172.1.1.3 dev tun0
ip route add 192.168.4.0/24 via 172.1.1.4 proto static metric 20 dev tun0"
run_mq 1 "mgre-quick: tun0 does not exist" save "$TMP/s/tun0.conf"
touch "$TMP/exists-tun0"
mv "$TMP/reply/nhrpctl showconf dev tun0" "$TMP/reply/x"
run_mq 1 "mgre-quick: cannot read the configuration of tun0" save "$TMP/s/tun0.conf"
mv "$TMP/reply/x" "$TMP/reply/nhrpctl showconf dev tun0"
# (showconf failed: nothing saved)
FAIL_ON="nhrpctl showconf*" run_mq 1 "RTNETLINK answers: Invalid argument
mgre-quick: cannot read the configuration of tun0" save "$TMP/s/tun0.conf"
run_mq 1 "mgre-quick: cannot write in the directory of $TMP/nodir/tun0.conf" save "$TMP/nodir/tun0.conf"
rm "$TMP/exists-tun0"
# (save left no temporary file)
expect_eq_files() { if [ "$(ls "$TMP/s")" = "tun0.conf" ]; then ok; else bad "files in $TMP/s: $(ls "$TMP/s")"; fi; }
expect_eq_files

# --- parse errors (nothing run) -------------------------------------------------
conf() { printf '%s\n' "$@" >"$TMP/t1.conf"; }
conf "link local 1.2.3.4" "adress 10.0.0.1/24"
run_mq 1 "mgre-quick: $TMP/t1.conf:2: unknown statement \"adress\" (link, address, map, multicast, nhs, route)" up t1
expect_log ""
conf "address 10.0.0.1/24" "link local 1.2.3.4"
run_mq 1 "mgre-quick: $TMP/t1.conf:1: \"link\" must come first" check t1
conf "link local 1.2.3.4" "link local 1.2.3.5"
run_mq 1 "mgre-quick: $TMP/t1.conf:2: a second \"link\" line" check t1
conf "link"
run_mq 1 "mgre-quick: $TMP/t1.conf:1: \"link\" needs the tunnel's options (local ADDR key KEY ...)" check t1
conf "link local 1.2.3.4" "nhs 1.1.1.1 dev tun9"
run_mq 1 "mgre-quick: $TMP/t1.conf:2: no \"dev\" here: the tunnel is t1" check t1
conf "link local 1.2.3.4" "route"
run_mq 1 "mgre-quick: $TMP/t1.conf:2: \"route\" needs a prefix" check t1
conf "# nothing"
run_mq 1 "mgre-quick: $TMP/t1.conf: no \"link\" line" check t1
run_mq 1 "mgre-quick: cannot read $TMP/nosuch.conf" up nosuch
run_mq 1 "mgre-quick: invalid tunnel name \"a-name-too-long-x\" (1-15 letters, digits, _ . -)" up a-name-too-long-x
run_mq 2 "Usage: mgre-quick*" up
run_mq 2 "Usage: mgre-quick*" start tun0
expect_log ""

# --- watch: only NHSes named by host names ------------------------------------
conf "link local 1.2.3.4" "nhs 172.1.1.1 nbma 192.1.1.1" "nhs dynamic nbma 192.1.1.5"
run_mq 0 "mgre-quick: $TMP/t1.conf names no NHS by a host name: nothing to watch" watch t1
expect_log ""
conf "link local 1.2.3.4" "nhs dynamic nbma localhost"
run_mq 1 "mgre-quick: t1 does not exist" watch t1
# watch: the dynamic NHS named hub.test is at 192.1.1.1 in the kernel and
# down; the name now says 192.1.1.9: the new NHS is added, then the old
# one deleted.  (The fake monitor ends at once: "watch" says so, exit 1.)
conf "link local 1.2.3.4" "nhs dynamic nbma hub.test priority 3" "nhs dynamic nbma 192.1.1.5"
mkdir -p "$TMP/reply" && touch "$TMP/exists-t1"
printf 'link local 1.2.3.4\nnhs dynamic nbma 192.1.1.5 priority 0\nnhs dynamic nbma 192.1.1.1 priority 3\n' \
	>"$TMP/reply/nhrpctl showconf dev t1"
printf 'dynamic  D priority = 0 nbma = 192.1.1.5 (dynamic)\n172.1.1.1  D priority = 3 nbma = 192.1.1.1 (dynamic)\n' \
	>"$TMP/reply/nhrpctl show nhs dev t1"
run_mq 1 "mgre-quick: t1: watching NHS hub.test at 192.1.1.1
mgre-quick: t1: NHS hub.test is down and now resolves to 192.1.1.9 (was 192.1.1.1): replacing it
mgre-quick: the monitor of t1 stopped: " watch t1
add=$(grep -nx "nhrpctl nhs add dynamic nbma 192.1.1.9 priority 3 dev t1" "$TMP/log" | cut -d: -f1)
del=$(grep -nx "nhrpctl nhs del dynamic nbma 192.1.1.1 dev t1" "$TMP/log" | cut -d: -f1)
if [ -n "$add" ] && [ -n "$del" ] && [ "$add" -lt "$del" ]; then ok
else bad "watch: the new NHS added ($add), then the old one deleted ($del): $(cat "$TMP/log")"; fi
rm -f "$TMP/exists-t1"

# up: an NHS whose name does not resolve yet is left out (watch adds it)
conf "link local 1.2.3.4" "nhs dynamic nbma nowhere.test" "nhs 172.1.1.1 nbma hub.test priority 2"
run_mq 0 "mgre-quick: $TMP/t1.conf:2: cannot resolve \"nowhere.test\" now: NHS left out (\"mgre-quick watch\" adds it once it resolves)" up t1
expect_log "ip link add t1 type mgre local 1.2.3.4
ip link set t1 up
nhrpctl nhs add 172.1.1.1 nbma hub.test priority 2 dev t1"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

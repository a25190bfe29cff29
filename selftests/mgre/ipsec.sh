# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Stock strongSwan (5.9: charon + swanctl) per network namespace, with
# the example configuration of Documentation/examples/: what 190_strongswan
# and the demo (scripts/demo.sh) share.  Source after lib.sh and topo.sh.

EXAMPLES=$REPO/Documentation/examples
CHARON=${CHARON:-/usr/lib/ipsec/charon}

declare -A IPSEC_DIR=() CHARON_PID=()

# ipsec_require: strongSwan and the kernel's ESP (a skip outside CI, a
# failure in CI: see missing_tool).
ipsec_require() {
	require_cmd swanctl
	[ -x "$CHARON" ] || missing_tool "strongSwan charon not found at $CHARON (Debian package strongswan-charon)"
	require_module xfrm_user esp4
}

# ipsec_crypto_warm: the first ESP SA of a boot instantiates the kernel's
# crypto (modules, self-tests, the DRBG seeded by jitterentropy): up to
# 30 s under TCG, which IKE would see as an unresponsive peer.  Pay it
# here, untimed, with the algorithms of the example configuration (in
# netns "wan", which topo_wan makes).
ipsec_crypto_warm() {
	local t=${EPOCHREALTIME/./} key

	key=0x$(printf '%064d' 0)
	topo_wan
	in_ns wan ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
		mode transport enc 'cbc(aes)' "$key" auth-trunc 'hmac(sha256)' "$key" 128 ||
		missing_tool "cannot add an ESP SA with cbc(aes) and hmac(sha256) (kernel crypto)"
	in_ns wan ip xfrm state flush
	log "kernel ESP crypto ready in $(( (${EPOCHREALTIME/./} - t) / 1000 )) ms"
}

# charon_start NS: a charon in NS with the example strongswan.conf,
# its own /run (bind mounted in the private mount namespace that "ip netns
# exec" creates: 5.9 hardcodes /var/run/charon.pid) holding the vici
# socket.  Then charon_load NS CONF loads the connections.
charon_start() {
	local ns=$1 d=$TMPD/ipsec-$1

	mkdir -p "$d"
	IPSEC_DIR[$ns]=$d
	cat >"$d/strongswan.conf" <<-EOC
	include $EXAMPLES/strongswan.conf
	charon {
		plugins {
			vici {
				socket = unix://$d/charon.vici
			}
		}
		filelog {
			stderr {
				knl = 2
				cfg = 2
			}
		}
	}
	EOC
	# shellcheck disable=SC2016	# expanded by the inner shell
	bg_start ip netns exec "$ns" sh -c \
		'mount --bind "$1" /run && STRONGSWAN_CONF="$1/strongswan.conf" exec "$2" 2>"$1/charon.log"' \
		sh "$d" "$CHARON"
	# shellcheck disable=SC2034	# read by the scripts that source this
	CHARON_PID[$ns]=$BG_PID
}

# swanctl_in NS ARGS...: swanctl talking to the charon of NS.
swanctl_in() {
	local ns=$1

	shift
	swanctl "$@" --uri "unix://${IPSEC_DIR[$ns]}/charon.vici"
}

# charon_load NS CONF: load the swanctl.conf CONF into NS's charon
# (once it is up); fails the test if it cannot.
charon_load() {
	local ns=$1 conf=$2 out

	if ! wait_until 60 test -S "${IPSEC_DIR[$ns]}/charon.vici"; then
		charon_logs "$ns"
		ksft_fail "charon in $ns did not start"
	fi
	# (swanctl complains about every credential directory next to the
	# file and every plugin it cannot find: harmless)
	out=$(swanctl_in "$ns" --load-all --file "$conf" 2>&1) ||
		{ charon_logs "$ns"; ksft_fail "swanctl --load-all in $ns: $out"; }
	log "$ns: $(grep -E '^(loaded|successfully)' <<<"$out" | tr '\n' ' ')"
}

# charon_logs [NS...]: the IKE and kernel lines of charon's log.
charon_logs() {
	local ns

	for ns in "${@:-${!IPSEC_DIR[@]}}"; do
		log "--- charon log of $ns (IKE and kernel lines, the last 80):"
		grep -v -e '\[CFG\] vici' -e 'INFORMATIONAL' -e 'DPD' "${IPSEC_DIR[$ns]}/charon.log" 2>/dev/null |
			tail -n 80 | sed 's/^/    /'
	done
}

# sa_up NS PEER: NS has an established IKE SA with PEER (NBMA address)
# and an installed transport-mode CHILD_SA under it.
sa_up() {
	swanctl_in "$1" --list-sas 2>/dev/null | awk -v p="@ $2[" '
		/^[^ ]/ { r = 0 }
		/^  remote / && index($0, p) { r = 1 }
		/INSTALLED, TRANSPORT/ && r { ok = 1 }
		END { exit !ok }'
}

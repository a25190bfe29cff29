#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check_abi.sh PLUGIN [IP]: check that every undefined symbol of the
# plugin that libc does not provide is a function exported by the ip
# binary, and that the plugin exports mgre_link_util.
set -eu

plugin=${1:?usage: $0 PLUGIN [IP]}
ip=${2:-$(command -v ip)}
fail=0

exports=$(nm -D --defined-only "$ip" | awk '$2 == "T" { print $3 }')
needed=$(nm -D --undefined-only "$plugin" | awk '$1 == "U" && $2 !~ /@/ { print $2 }')

for sym in $needed; do
	if ! printf '%s\n' "$exports" | grep -qx "$sym"; then
		echo "check_abi: $sym is not exported by $ip" >&2
		fail=1
	fi
done
if ! nm -D --defined-only "$plugin" | grep -q ' D mgre_link_util$'; then
	echo "check_abi: $plugin does not export mgre_link_util" >&2
	fail=1
fi
# The list the plugin checks at load time (link_mgre.c, between the
# markers) is exactly what it needs.
src=$(dirname "$0")/link_mgre.c
listed=$(sed -n '/BEGIN IP SYMBOLS/,/END IP SYMBOLS/p' "$src" | grep -o '"[a-z0-9_]*"' | tr -d '"' | sort)
if [ "$listed" != "$(printf '%s\n' "$needed" | sort)" ]; then
	echo "check_abi: mgre_ip_syms[] in $src is not the plugin's undefined symbols:" >&2
	echo "  listed: $(echo $listed)" >&2
	echo "  needed: $(echo $needed)" >&2
	fail=1
fi
[ $fail -eq 0 ] && echo "check_abi: $(printf '%s\n' "$needed" | wc -l) symbols resolved by $ip"
exit $fail

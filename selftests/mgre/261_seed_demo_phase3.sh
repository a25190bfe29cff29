#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 480
#
# make demo PHASE=3, as a test: scripts/demo.sh --phase 3 builds the seed
# network as DMVPN phase 3 (the hub "redirect on", the spokes "shortcut
# on", OSPF point-to-multipoint so that every route leads through the
# hub, strongSwan as in 260_seed_demo) and checks every claim it prints
# (the spokes' routes via the hub, the hub relaying the first
# spoke-to-spoke packets, each spoke's shortcut to the other via its
# Traffic Indication, none relayed after, the spoke-to-spoke SA, only ESP
# and IKE on the NBMA network).  This test is its exit status.
exec "$(dirname "$0")/../../scripts/demo.sh" --phase 3

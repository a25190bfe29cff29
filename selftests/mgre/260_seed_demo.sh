#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 480
#
# make demo, as a test: scripts/demo.sh builds the seed network (mgre
# with NHRP, FRR ospfd broadcast with the hub DR, stock strongSwan with
# the example configuration, on demand) and checks every claim it prints
# (registration, OSPF adjacencies and routes with the other spoke as next
# hop, the first spoke-to-spoke packets relayed by the hub and none after
# resolution, the spoke-to-spoke SA, ESP and IKE only on the NBMA
# network).  It exits non-zero when one fails; this test is its exit
# status (0 pass, 1 fail, 4 skip: lib.sh's), so "make demo" cannot rot.
exec "$(dirname "$0")/../../scripts/demo.sh"

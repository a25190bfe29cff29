#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made GRE and NHRP packets for the mgre selftests.

Every field can be given a wrong value on purpose: lengths, checksums,
offsets, versions, types, extension lengths.  Packets leave through a raw
socket with IP_HDRINCL, so the outer source can be spoofed.

As a library (140_hostile.sh, 150_reg_flood.sh run it as a program):

    nhrp(type, ...)     an NHRP packet (RFC 2332 + Cisco), checksum right
                        unless csum= is given
    cie(...), ext(...), auth(secret), end()
    gre(payload, key=10000, ...)    GRE header + payload
    Sender(src).send(dst, gre_bytes, src=None)
    Listener()          raw GRE socket: what comes back

Programs:
    nhrp_craft.py hostile  see hostile(): malformed input at a hub and a spoke
    nhrp_craft.py flood    see flood(): registrations from spoofed NBMAs
    nhrp_craft.py inject   see inject(): data, NHRP and GRE keepalives, plain
                           or under XFRM, and the keepalive answers
    nhrp_craft.py send     see send(): NHRP packets of any type with the
                           addresses, request ids and outer source given
                           (145_spoofed_nhrp.sh), and what comes back
    nhrp_craft.py listen   see listen(): the NHRP packets received
"""

import argparse
import ipaddress
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

NHRP_PROTO = 0x2001
KEY = 10000

RES_REQ, RES_REPLY, REG_REQ, REG_REPLY = 1, 2, 3, 4
PURGE_REQ, PURGE_REPLY, ERROR_IND, TRAFFIC_IND = 5, 6, 7, 8

EXT_C = 0x8000
EXT_END, EXT_RESPONDER, EXT_FWD, EXT_REV = 0, 3, 4, 5
EXT_AUTH, EXT_VENDOR, EXT_NAT = 7, 8, 9


def a4(addr):
    """IPv4 address (str) -> 4 bytes; bytes pass through."""
    if isinstance(addr, (bytes, bytearray)):
        return bytes(addr)
    return socket.inet_aton(addr)


def csum16(data):
    """Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def cie(code=0, plen=32, mtu=1472, hold=600, nbma=b"", sub=b"", proto=b"",
        pref=0, unused=0, nbma_tl=None, stl=None, proto_len=None):
    """A Client Information Entry; the TL/length bytes follow the
    addresses unless given."""
    nbma, proto = a4(nbma) if nbma else b"", a4(proto) if proto else b""
    return struct.pack(
        "!BBHHHBBBB", code, plen, unused, mtu, hold,
        len(nbma) if nbma_tl is None else nbma_tl,
        len(sub) if stl is None else stl,
        len(proto) if proto_len is None else proto_len, pref) + nbma + sub + proto


def ext(etype, value=b"", length=None):
    """An extension: type word (include EXT_C for compulsory), value."""
    return struct.pack("!HH", etype, len(value) if length is None else length) + value


def auth(secret=b"cisco123", spi=1):
    return ext(EXT_C | EXT_AUTH, struct.pack("!I", spi) + secret)


def end(length=0, etype=EXT_C | EXT_END):
    return struct.pack("!HH", etype, length)


def cisco_exts(secret=b"cisco123", nat=b""):
    """What Cisco (and mgre) put in a request: responder, forward and
    reverse transit, authentication, NAT, End."""
    e = ext(EXT_C | EXT_RESPONDER) + ext(EXT_C | EXT_FWD) + ext(EXT_C | EXT_REV)
    if secret is not None:
        e += auth(secret)
    return e + ext(EXT_NAT, nat) + end()


def nhrp(ptype, src_nbma="0.0.0.0", src_proto="0.0.0.0", dst_proto="0.0.0.0",
         flags=0, reqid=1, cies=(), payload=b"", exts=None, afn=1,
         pro=0x0800, snap=b"\0" * 5, hop=255, version=1, shtl=None, sstl=0,
         spl=None, dpl=None, sub=b"", pktsz=None, csum=None, extoff=None,
         word=None, trailer=b""):
    """An NHRP packet.  exts: the raw extension part (None: none, no
    extoff).  word: the request-id word (default reqid; for error and
    traffic indications pass code << 16 | offset).  Sizes, extoff and
    checksum are computed unless given; trailer is appended after the
    checksum is computed (bytes beyond ar$pktsz)."""
    src_nbma = a4(src_nbma) if src_nbma is not None else b""
    src_proto = a4(src_proto) if src_proto is not None else b""
    dst_proto = a4(dst_proto) if dst_proto is not None else b""
    mand = struct.pack(
        "!BBHI", len(src_proto) if spl is None else spl,
        len(dst_proto) if dpl is None else dpl, flags,
        reqid if word is None else word)
    body = mand + src_nbma + sub + src_proto + dst_proto + b"".join(cies) + payload
    size = 20 + len(body) + (len(exts) if exts is not None else 0)
    if extoff is None:
        extoff = 20 + len(body) if exts is not None else 0
    hdr = struct.pack(
        "!HH5sBHHHBBBB", afn, pro, snap, hop, size if pktsz is None else pktsz,
        0, extoff, version, ptype,
        len(src_nbma) if shtl is None else shtl, sstl)
    pkt = bytearray(hdr + body + (exts or b""))
    c = csum16(bytes(pkt[: min(len(pkt), pktsz if pktsz is not None else len(pkt))]))
    struct.pack_into("!H", pkt, 12, c if csum is None else csum)
    return bytes(pkt) + trailer


def gre(payload, proto=NHRP_PROTO, key=KEY, csum=False, seq=None,
        bad_csum=False, flags=None, version=0, truncate=None):
    """GRE header (RFC 2784/2890) + payload.  flags overrides the first
    16 bits entirely (bits 0-12; version is or-ed in)."""
    f = 0
    opt = b""
    if csum:
        f |= 0x8000
        opt += b"\0\0\0\0"
    if key is not None:
        f |= 0x2000
        opt += struct.pack("!I", key)
    if seq is not None:
        f |= 0x1000
        opt += struct.pack("!I", seq)
    if flags is not None:
        f = flags
    pkt = bytearray(struct.pack("!HH", f | version, proto) + opt + payload)
    if csum:
        c = csum16(bytes(pkt))
        if bad_csum:
            c ^= 0x5A5A
        struct.pack_into("!H", pkt, 4, c)
    if truncate is not None:
        pkt = pkt[:truncate]
    return bytes(pkt)


def ipv4(src, dst, payload, proto=47, ttl=64):
    """IPv4 header (the kernel fills in id and checksum)."""
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000,
                       ttl, proto, 0, a4(src), a4(dst)) + payload


def ipv4_csum(src, dst, payload, proto=47, ttl=64, tos=0):
    """IPv4 header with its checksum, for inner packets (no kernel
    completes those)."""
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload),
                              0x4d47, 0x4000, ttl, proto, 0, a4(src), a4(dst)))
    struct.pack_into("!H", h, 10, csum16(bytes(h)))
    return bytes(h) + payload


def icmp_echo(ident=0x4d47, seq=1, data=b"mgre-selftest"):
    h = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return h[:2] + struct.pack("!H", csum16(h)) + h[4:]


def keepalive(us, peer, key=KEY, ttl=255):
    """GRE payload of a Cisco (RFC 1701 style) keepalive that the router
    at peer sends to us: the GRE packet us -> peer with protocol type 0
    that it expects back.  Encapsulate it with gre(..., proto=0x0800)."""
    return ipv4_csum(us, peer, gre(b"", proto=0, key=key), ttl=ttl)


class GreSender:
    """GRE through a raw IPPROTO_GRE socket: the kernel builds the outer
    header and routes it as protocol GRE, so XFRM policies for GRE apply
    (Sender, with IP_HDRINCL, is routed as IPPROTO_RAW and bypasses
    them)."""

    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)

    def send(self, dst, payload):
        return self.s.sendto(payload, (dst, 0))


class Sender:
    """Raw IPv4 sender; the outer source is src unless send() spoofs."""

    def __init__(self, src):
        self.src = src
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)

    def send(self, dst, payload, src=None, proto=47):
        pkt = ipv4(src or self.src, dst, payload, proto)
        while True:
            try:
                return self.s.sendto(pkt, (dst, 0))
            except (BlockingIOError, OSError) as e:
                if getattr(e, "errno", None) not in (11, 105):  # EAGAIN, ENOBUFS
                    raise
                time.sleep(0.001)


class Listener:
    """Every GRE packet delivered to this namespace, parsed."""

    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.s.setblocking(False)

    def drain(self, wait=0.0):
        """Packets received so far (and during wait seconds)."""
        out = []
        deadline = time.time() + wait
        while True:
            t = max(0.0, deadline - time.time())
            r, _, _ = select.select([self.s], [], [], t)
            if not r:
                if time.time() >= deadline:
                    return out
                continue
            try:
                data = self.s.recv(65535)
            except BlockingIOError:
                continue
            p = parse_ip_gre(data)
            if p:
                out.append(p)


def parse_ip_gre(data):
    """IPv4 + GRE (+ NHRP) -> dict, or None."""
    if len(data) < 24:
        return None
    ihl = (data[0] & 15) * 4
    src, dst = socket.inet_ntoa(data[12:16]), socket.inet_ntoa(data[16:20])
    g = data[ihl:]
    if len(g) < 4:
        return None
    flags, proto = struct.unpack("!HH", g[:4])
    off = 4
    key = None
    if len(g) < 4 + 4 * bin(flags & 0xB000).count("1"):
        return None
    if flags & 0x8000:
        off += 4
    if flags & 0x2000:
        key = struct.unpack("!I", g[off:off + 4])[0]
        off += 4
    if flags & 0x1000:
        off += 4
    d = {"src": src, "dst": dst, "key": key, "proto": proto, "raw": g[off:],
         "ttl": data[8]}
    n = g[off:]
    if proto == NHRP_PROTO and len(n) >= 28:
        try:
            _parse_nhrp(d, n)
        except (struct.error, OSError, IndexError):
            d["garbled"] = True
    return d


def _parse_nhrp(d, n):
    (d["afn"], _, _, d["hop"], d["pktsz"], _, d["extoff"], _, d["type"],
     d["shtl"], sstl) = struct.unpack("!HH5sBHHHBBBB", n[:20])
    spl, dpl, d["flags"], word = struct.unpack("!BBHI", n[20:28])
    d["word"] = word
    a = 28 + (d["shtl"] & 0x3F) + (sstl & 0x3F)
    d["src_proto"] = socket.inet_ntoa(n[a:a + 4]) if spl == 4 else None
    d["dst_proto"] = socket.inet_ntoa(n[a + spl:a + spl + 4]) if dpl == 4 else None
    body = a + spl + dpl
    if d["type"] == ERROR_IND:
        d["ei_code"], d["ei_offset"] = word >> 16, word & 0xFFFF
        d["quoted"] = n[body:d["extoff"] or d["pktsz"]]
    elif d["type"] != TRAFFIC_IND and len(n) >= body + 12:
        d["cie_code"] = n[body]
    d["csum_ok"] = csum16(n[:d["pktsz"]]) == 0


_LIBC = None
_NS_FD = {}


def _setns(fd):
    global _LIBC
    if _LIBC is None:
        import ctypes
        _LIBC = ctypes.CDLL(None, use_errno=True)
    if _LIBC.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
        raise OSError("setns failed")


def netns_exec(ns, *cmd):
    """Run cmd in network namespace ns (entered with setns(): much cheaper
    than "ip netns exec" under emulation; no mount namespace of its own,
    which nhrpctl does not need)."""
    if not _NS_FD:
        _NS_FD[None] = os.open("/proc/self/ns/net", os.O_RDONLY)
    if ns not in _NS_FD:
        _NS_FD[ns] = os.open("/run/netns/" + ns, os.O_RDONLY)
    _setns(_NS_FD[ns])
    try:
        return subprocess.run(list(cmd), check=True, capture_output=True,
                              text=True).stdout
    finally:
        _setns(_NS_FD[None])


class Stats:
    """nhrpctl -j stats of one namespace: the netns counters and tun0's."""

    def __init__(self, nhrpctl, ns, dev="tun0"):
        self.nhrpctl, self.ns, self.dev = nhrpctl, ns, dev

    def get(self):
        j = json.loads(netns_exec(self.ns, self.nhrpctl, "-j", "stats"))
        d = dict(j["devices"][self.dev])
        for k, v in j["netns"].items():
            d["netns." + k] = v
        return d

    def entries(self):
        return json.loads(netns_exec(self.ns, self.nhrpctl, "-j", "show", "dev", self.dev))


# Counters a hostile packet may move; everything else is checked to stay.
WATCH = ["nhrp_rx_malformed", "nhrp_rx_auth_fail", "nhrp_rx_unsupported",
         "nhrp_rx_unmatched", "nhrp_rx_loop", "nhrp_rx_hopcnt",
         "nhrp_reg_refused", "nhrp_tx_error_ind", "rx_key_mismatch",
         "rx_nhrp_drop", "nhrp_nomem", "netns.rx_bad_header",
         "netns.rx_csum_err", "netns.rx_no_tunnel"]


# ---------------------------------------------------------------------------
# hostile: malformed GRE and NHRP at a hub and a spoke
# ---------------------------------------------------------------------------

def hostile_cases(a):
    """(name, target, packet, expected counter deltas, expected answer).

    answer: None (nothing may come back), ("ei", code[, offset]) for an
    error indication, (type, cie code) for a reply."""
    me, me_p = a.self_nbma, a.self_proto
    hub, hub_p = a.hub_nbma, a.hub_proto
    sp, sp_p = a.spoke_nbma, a.spoke_proto
    other_p = a.other_proto   # a registered spoke (target of resolutions)
    X = cisco_exts

    def reg(src_proto=me_p, dst=hub_p, **kw):
        kw.setdefault("exts", X())
        kw.setdefault("cies", [cie(hold=a.holdtime)])
        return nhrp(REG_REQ, me, src_proto, dst, flags=0x8002, reqid=kw.pop("reqid", 77), **kw)

    def resreq(target=other_p, dst_nhs=hub_p, **kw):
        kw.setdefault("exts", X())
        kw.setdefault("cies", [cie(hold=a.holdtime)])
        return nhrp(RES_REQ, me, me_p, target, flags=0xC802, reqid=kw.pop("reqid", 78), **kw)

    good = reg()
    # offset of the extension part in a packet built by reg()
    ext_at = len(reg(exts=b""))
    unknown_c = ext(EXT_C | 0x1234, b"\1\2\3\4")
    pb = a.pb_nhrp
    C = []

    def case(name, target, pkt, exp, answer=None, **opts):
        C.append(dict(name=name, target=target, pkt=pkt, exp=exp, answer=answer, **opts))

    # -- GRE ---------------------------------------------------------------
    case("gre: 4-byte header with K bit, no key (< 12 bytes: gre_demux drops it)",
         "hub", gre(b"", flags=0x2000, key=None, truncate=4), {})
    case("gre: C+K+S flags, only 12 bytes", "hub",
         gre(b"\0" * 8, flags=0xB000, key=None), {"netns.rx_bad_header": 1})
    case("gre: routing bit set", "hub", gre(good, flags=0x6000),
         {"netns.rx_bad_header": 1})
    case("gre: version 1 (PPTP; no handler: gre_demux drops it)", "hub",
         gre(good, version=1), {})
    case("gre: bad GRE checksum", "hub", gre(good, csum=True, bad_csum=True),
         {"netns.rx_csum_err": 1})
    case("gre: wrong key", "hub", gre(good, key=KEY + 1),
         {"netns.rx_no_tunnel": 1, "rx_key_mismatch": 1})
    case("gre: no key", "hub", gre(good, key=None),
         {"netns.rx_no_tunnel": 1, "rx_key_mismatch": 1})
    case("gre: good GRE checksum, valid registration (control)", "hub",
         gre(good, csum=True), {"nhrp_rx_reg_req": 1}, (REG_REPLY, 0))
    # -- NHRP: sizes and header fields -----------------------------------------
    case("nhrp: 4 bytes", "hub", gre(good[:4]), {"nhrp_rx_malformed": 1})
    case("nhrp: fixed header only (pktsz 20)", "hub",
         gre(nhrp(REG_REQ, None, None, None, pktsz=20)[:20]), {"nhrp_rx_malformed": 1})
    case("nhrp: truncated in the mandatory part", "hub", gre(good[:24]),
         {"nhrp_rx_malformed": 1})
    case("nhrp: pktsz larger than the packet", "hub",
         gre(reg(pktsz=len(good) + 1)), {"nhrp_rx_malformed": 1})
    case("nhrp: pktsz 0xffff", "hub", gre(reg(pktsz=0xFFFF)), {"nhrp_rx_malformed": 1})
    case("nhrp: pktsz 27 (below fixed + mandatory)", "hub",
         gre(reg(pktsz=27)), {"nhrp_rx_malformed": 1})
    case("nhrp: pktsz ends inside the addresses", "hub",
         gre(reg(pktsz=30, extoff=0)), {"nhrp_rx_malformed": 1})
    case("nhrp: pktsz 0", "hub", gre(reg(pktsz=0)), {"nhrp_rx_malformed": 1})
    case("nhrp: bad checksum", "hub", gre(reg(csum=0x1234)), {"nhrp_rx_malformed": 1})
    case("nhrp: version 2", "hub", gre(reg(version=2)), {"nhrp_rx_malformed": 1})
    case("nhrp: type 0", "hub", gre(nhrp(0, me, me_p, hub_p, exts=X())),
         {"nhrp_rx_malformed": 1})
    case("nhrp: type 9", "hub", gre(nhrp(9, me, me_p, hub_p, exts=X())),
         {"nhrp_rx_malformed": 1})
    case("nhrp: type 255", "hub", gre(nhrp(255, me, me_p, hub_p, exts=X())),
         {"nhrp_rx_malformed": 1})
    case("nhrp: extoff inside the fixed header", "hub", gre(reg(extoff=10)),
         {"nhrp_rx_malformed": 1})
    case("nhrp: extoff inside the addresses", "hub", gre(reg(extoff=30)),
         {"nhrp_rx_malformed": 1})
    case("nhrp: extoff beyond pktsz", "hub", gre(reg(extoff=len(good) + 4)),
         {"nhrp_rx_malformed": 1})
    case("nhrp: extoff 0xffff", "hub", gre(reg(extoff=0xFFFF)), {"nhrp_rx_malformed": 1})
    # -- addresses -------------------------------------------------------------------
    case("addr: NBMA length 63", "hub", gre(reg(shtl=63)), {"nhrp_rx_malformed": 1})
    case("addr: NBMA subaddress length 63", "hub", gre(reg(sstl=63)),
         {"nhrp_rx_malformed": 1})
    case("addr: source protocol length 255", "hub", gre(reg(spl=255)),
         {"nhrp_rx_malformed": 1})
    case("addr: destination protocol length 17", "hub", gre(reg(dpl=17)),
         {"nhrp_rx_malformed": 1})
    case("addr: IPv6 protocol length 16 with protocol type IPv4", "hub",
         gre(reg(src_proto=b"\x20\x01" + b"\0" * 13 + b"\1")),
         {"nhrp_rx_unsupported": 1, "nhrp_rx_reg_req": 1})
    case("addr: NBMA length 16 with afn IPv4", "hub",
         gre(nhrp(REG_REQ, b"\x0a" * 16, me_p, hub_p, exts=X(), cies=[cie()])),
         {"nhrp_rx_unsupported": 1, "nhrp_rx_reg_req": 1})
    case("addr: afn IPv6 (2) with IPv4 addresses", "hub", gre(reg(afn=2)),
         {"nhrp_rx_unsupported": 1, "nhrp_rx_reg_req": 1})
    case("addr: protocol type IPv6 with 4-byte addresses", "hub", gre(reg(pro=0x86DD)),
         {"nhrp_rx_unsupported": 1, "nhrp_rx_reg_req": 1})
    case("addr: no protocol addresses (lengths 0)", "hub",
         gre(nhrp(REG_REQ, me, None, None, exts=X(), cies=[cie()])),
         {"nhrp_rx_unsupported": 1, "nhrp_rx_reg_req": 1})
    # -- CIEs --------------------------------------------------------------------------
    case("cie: NBMA length 63", "hub", gre(reg(cies=[cie(nbma_tl=63)])),
         {"nhrp_rx_malformed": 1})
    case("cie: protocol length 200", "hub", gre(reg(cies=[cie(proto_len=200)])),
         {"nhrp_rx_malformed": 1})
    case("cie: addresses overrun the body", "hub",
         gre(reg(cies=[cie(nbma=me, nbma_tl=20)])), {"nhrp_rx_malformed": 1})
    case("cie: 10 bytes (truncated CIE header)", "hub",
         gre(reg(cies=[cie()[:10]])), {"nhrp_rx_malformed": 1})
    case("cie: 17 CIEs", "hub", gre(reg(cies=[cie()] * 17)), {"nhrp_rx_malformed": 1})
    # -- extensions ---------------------------------------------------------------------
    case("ext: unknown compulsory extension", "hub",
         gre(reg(exts=ext(EXT_C | EXT_RESPONDER) + unknown_c + auth() + end())),
         {"nhrp_rx_malformed": 1, "nhrp_tx_error_ind": 1}, ("ei", 1, ext_at + 4))
    case("ext: unknown non-compulsory extension is ignored", "hub",
         gre(reg(exts=ext(0x1234, b"\1\2\3\4") + auth() + end())),
         {"nhrp_rx_reg_req": 1}, (REG_REPLY, 0))
    case("ext: length 0xffff", "hub", gre(reg(exts=ext(EXT_C | EXT_FWD, b"", 0xFFFF) + end())),
         {"nhrp_rx_malformed": 1})
    case("ext: length runs past End", "hub",
         gre(reg(exts=ext(EXT_C | EXT_FWD, b"", 8) + end())), {"nhrp_rx_malformed": 1})
    case("ext: zero-length authentication extension", "hub",
         gre(reg(exts=ext(EXT_C | EXT_AUTH) + end())), {"nhrp_rx_malformed": 1})
    case("ext: zero-length vendor extension", "hub",
         gre(reg(exts=ext(EXT_VENDOR) + auth() + end())), {"nhrp_rx_malformed": 1})
    case("ext: no End", "hub", gre(reg(exts=auth())), {"nhrp_rx_malformed": 1})
    case("ext: End with length 4", "hub",
         gre(reg(exts=auth() + end(4) + b"\0" * 4)), {"nhrp_rx_malformed": 1})
    case("ext: two Ends", "hub", gre(reg(exts=auth() + end() + end())),
         {"nhrp_rx_malformed": 1})
    case("ext: bytes after End", "hub", gre(reg(exts=auth() + end() + b"\1\2\3\4")),
         {"nhrp_rx_malformed": 1})
    case("ext: 17 extensions", "hub",
         gre(reg(exts=ext(0x1234) * 16 + auth() + end())), {"nhrp_rx_malformed": 1})
    case("ext: transit record CIE overruns its extension", "hub",
         gre(reg(exts=ext(EXT_C | EXT_FWD, cie(nbma=me, proto=me_p)[:14]) + auth() + end())),
         {"nhrp_rx_malformed": 1})
    case("ext: responder extension with 2 CIEs", "hub",
         gre(reg(exts=ext(EXT_C | EXT_RESPONDER, cie() + cie()) + auth() + end())),
         {"nhrp_rx_malformed": 1})
    # -- authentication -------------------------------------------------------------------
    case("auth: wrong password", "hub", gre(reg(exts=X(b"wrong123"))),
         {"nhrp_rx_auth_fail": 1, "nhrp_rx_reg_req": 1, "nhrp_tx_error_ind": 1}, ("ei", 11))
    case("auth: no authentication extension", "hub", gre(reg(exts=X(None))),
         {"nhrp_rx_auth_fail": 1, "nhrp_rx_reg_req": 1, "nhrp_tx_error_ind": 1}, ("ei", 11))
    case("auth: no extension part at all", "hub", gre(reg(exts=None)),
         {"nhrp_rx_auth_fail": 1, "nhrp_rx_reg_req": 1, "nhrp_tx_error_ind": 1}, ("ei", 11))
    case("auth: password prefix", "hub", gre(reg(exts=X(b"cisco"))),
         {"nhrp_rx_auth_fail": 1, "nhrp_rx_reg_req": 1, "nhrp_tx_error_ind": 1}, ("ei", 11))
    case("auth: type 2 (not cleartext)", "hub",
         gre(reg(exts=ext(EXT_C | EXT_AUTH, struct.pack("!I", 2) + b"cisco123") + end())),
         {"nhrp_rx_auth_fail": 1, "nhrp_rx_reg_req": 1, "nhrp_tx_error_ind": 1}, ("ei", 11))
    # -- protocol semantics -----------------------------------------------------------------
    case("reg: for 0.0.0.0", "hub", gre(reg(src_proto="0.0.0.0")),
         {"nhrp_rx_reg_req": 1, "nhrp_reg_refused": 1}, (REG_REPLY, 4))
    case("reg: for the hub's own address", "hub", gre(reg(src_proto=hub_p)),
         {"nhrp_rx_reg_req": 1, "nhrp_reg_refused": 1}, (REG_REPLY, 4))
    case("reg: a registered spoke's address, unique, other NBMA", "hub",
         gre(reg(src_proto=other_p)),
         {"nhrp_rx_reg_req": 1, "nhrp_reg_refused": 1}, (REG_REPLY, 14))
    case("reg: hop count 0 (addressed to the hub: processed)", "hub", gre(reg(hop=0)),
         {"nhrp_rx_reg_req": 1}, (REG_REPLY, 0))
    case("res: hop count 0 (would be forwarded)", "hub", gre(resreq(hop=0)),
         {"nhrp_rx_res_req": 1, "nhrp_rx_hopcnt": 1, "nhrp_tx_error_ind": 1}, ("ei", 15))
    case("res: loop (the hub in the forward transit record)", "hub",
         gre(resreq(exts=ext(EXT_C | EXT_RESPONDER)
                    + ext(EXT_C | EXT_FWD, cie(nbma=hub, proto=hub_p))
                    + ext(EXT_C | EXT_REV) + auth() + end())),
         {"nhrp_rx_res_req": 1, "nhrp_rx_loop": 1, "nhrp_tx_error_ind": 1}, ("ei", 3))
    case("res: loop, the hub in the 3rd of 3 transit CIEs", "hub",
         gre(resreq(exts=ext(EXT_C | EXT_FWD,
                             cie(nbma="192.1.1.50", proto="172.1.1.50")
                             + cie(nbma="192.1.1.51", proto="172.1.1.51")
                             + cie(nbma=hub, proto=hub_p)) + auth() + end())),
         {"nhrp_rx_res_req": 1, "nhrp_rx_loop": 1, "nhrp_tx_error_ind": 1}, ("ei", 3))
    case("purge: another spoke's binding (must be ignored)", "hub",
         gre(nhrp(PURGE_REQ, me, other_p, hub_p, flags=0x8000,
                  cies=[cie(nbma=me, proto=other_p)], exts=X())),
         {"nhrp_rx_purge_req": 1}, None, keep_entry=other_p)
    case("traffic indication without payload", "hub",
         gre(nhrp(TRAFFIC_IND, me, me_p, hub_p, word=0, exts=X())),
         {"nhrp_rx_traffic_ind": 1, "nhrp_rx_ti_ignored": 1})
    case("traffic indication without payload or extensions", "hub",
         gre(nhrp(TRAFFIC_IND, me, me_p, hub_p, word=0)),
         {"nhrp_rx_traffic_ind": 1, "nhrp_rx_auth_fail": 1, "nhrp_tx_error_ind": 1}, ("ei", 11))
    case("error indication: never answered", "hub",
         gre(nhrp(ERROR_IND, me, me_p, hub_p, word=7 << 16, payload=good[:40])),
         {"nhrp_rx_error_ind": 1})
    case("error indication with an unknown compulsory extension: never answered", "hub",
         gre(nhrp(ERROR_IND, me, me_p, hub_p, word=7 << 16, payload=good[:40],
                  exts=unknown_c + end())),
         {"nhrp_rx_malformed": 1})
    case("error indication without payload", "hub",
         gre(nhrp(ERROR_IND, me, me_p, hub_p, word=1 << 16)), {"nhrp_rx_error_ind": 1})
    if pb:
        case("tcpdump pb_nhrp_1.pcap (fuzzed, afn 0x5dc9) in GRE", "hub", gre(pb),
             {"nhrp_rx_malformed": 1})
    # -- the spoke ---------------------------------------------------------------------------
    sreg = nhrp(REG_REPLY, me, me_p, sp_p, flags=0x8002, reqid=12345,
                cies=[cie(code=4)], exts=X())
    case("spoke: truncated NHRP", "sp", gre(good[:22]), {"nhrp_rx_malformed": 1})
    case("spoke: bad checksum", "sp", gre(reg(dst=sp_p, csum=0)), {"nhrp_rx_malformed": 1})
    case("spoke: pktsz 0xffff", "sp", gre(reg(dst=sp_p, pktsz=0xFFFF)), {"nhrp_rx_malformed": 1})
    case("spoke: bad GRE checksum", "sp", gre(sreg, csum=True, bad_csum=True),
         {"netns.rx_csum_err": 1})
    case("spoke: wrong key", "sp", gre(sreg, key=1), {"netns.rx_no_tunnel": 1, "rx_key_mismatch": 1})
    case("spoke: unknown compulsory extension", "sp",
         gre(resreq(target=sp_p, exts=ext(EXT_C | EXT_RESPONDER) + unknown_c + auth() + end())),
         {"nhrp_rx_malformed": 1, "nhrp_tx_error_ind": 1}, ("ei", 1))
    case("spoke: wrong password", "sp", gre(resreq(target=sp_p, exts=X(b"wrong"))),
         {"nhrp_rx_res_req": 1, "nhrp_rx_auth_fail": 1, "nhrp_tx_error_ind": 1}, ("ei", 11))
    case("spoke: unsolicited registration reply refusing it (NHS must stay up)", "sp",
         gre(nhrp(REG_REPLY, me, sp_p, hub_p, flags=0x8002, reqid=12345,
                  cies=[cie(code=4)], exts=X())),
         {"nhrp_rx_reg_reply": 1, "nhrp_rx_unmatched": 1}, None, nhs_up=True)
    case("spoke: unsolicited resolution reply (must not be cached)", "sp",
         gre(nhrp(RES_REPLY, sp, sp_p, "172.1.1.77", flags=0xF802, reqid=999,
                  cies=[cie(nbma=me, proto="172.1.1.77")], exts=X())),
         {"nhrp_rx_res_reply": 1, "nhrp_rx_unmatched": 1}, None, no_entry="172.1.1.77")
    case("spoke: purge of its static hub entry (must stay)", "sp",
         gre(nhrp(PURGE_REQ, me, hub_p, sp_p, flags=0x8000,
                  cies=[cie(nbma=me, proto=hub_p)], exts=X())),
         {"nhrp_rx_purge_req": 1}, None, keep_entry=hub_p)
    case("spoke: resolution request with hop count 0 for its own address (answered)", "sp",
         gre(resreq(target=sp_p, hop=0)), {"nhrp_rx_res_req": 1}, (RES_REPLY, 0))
    case("spoke: traffic indication without payload", "sp",
         gre(nhrp(TRAFFIC_IND, me, me_p, sp_p, word=0, exts=X())),
         {"nhrp_rx_traffic_ind": 1, "nhrp_rx_ti_ignored": 1})
    case("spoke: error indication", "sp",
         gre(nhrp(ERROR_IND, me, me_p, sp_p, word=11 << 16)), {"nhrp_rx_error_ind": 1})
    if pb:
        case("spoke: tcpdump pb_nhrp_1.pcap in GRE", "sp", gre(pb), {"nhrp_rx_malformed": 1})
    return C


def pcap_nhrp(path):
    """The NHRP bytes of the first packet of a pcap (IPv4 proto 54 over
    Ethernet, Linux cooked or raw IP), truncated as captured."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(e + "I", data[20:24])[0]
    incl = struct.unpack(e + "I", data[24 + 8:24 + 12])[0]
    pkt = data[24 + 16:24 + 16 + incl]
    l2 = {1: 14, 113: 16, 101: 0, 12: 0, 228: 0}.get(linktype)
    if l2 is None:
        raise ValueError("linktype %d" % linktype)
    ip = pkt[l2:]
    if ip[0] >> 4 != 4 or ip[9] != 54:
        raise ValueError("not NHRP over IPv4")
    total = struct.unpack("!H", ip[2:4])[0]
    return ip[(ip[0] & 15) * 4:total]


def pcap_gre(path, frame):
    """The GRE bytes (header and payload) of frame number @frame (from 1)
    of a pcap of IPv4 over Ethernet, Linux cooked or raw IP."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    l2 = {1: 14, 113: 16, 101: 0, 12: 0, 228: 0}.get(struct.unpack(e + "I", data[20:24])[0])
    if l2 is None:
        raise SystemExit("%s: not a pcap of IPv4 frames" % path)
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        n += 1
        if n == frame:
            ip = data[off + 16 + l2:off + 16 + incl]
            if ip[0] >> 4 != 4 or ip[9] != 47:
                raise SystemExit("%s#%d: not GRE over IPv4" % (path, frame))
            total = struct.unpack("!H", ip[2:4])[0]
            return ip[(ip[0] & 15) * 4:total]
        off += 16 + incl
    raise SystemExit("%s: no frame %d" % (path, frame))


def gre_set_reqid(g, reqid):
    """GRE + NHRP @g with the NHRP request id set to @reqid, checksum
    recomputed."""
    flags = struct.unpack("!H", g[:2])[0]
    off = 4 + 4 * bin(flags & 0xB000).count("1")
    n = bytearray(g[off:])
    pktsz = struct.unpack("!H", n[10:12])[0]
    n[24:28] = struct.pack("!I", reqid)
    n[12:14] = b"\0\0"
    n[12:14] = struct.pack("!H", csum16(bytes(n[:pktsz])))
    return g[:off] + bytes(n)


def replay(a):
    """Replay captured frames: send frame a.frame's GRE bytes (unchanged,
    or with the request id of the first NHRP packet of type a.reqid_of
    received within a.seconds, when given) from a.outer to a.dst, after
    sending a.first (another frame, from a.first_outer) if given; with
    a.unchanged_first, the frame as captured goes first, a.pause seconds
    before.  Prints JSON: what was received (the packet whose id was
    taken) and sent."""
    rx = Listener()
    tx = Sender(a.outer)
    out = {"sent": []}
    if a.first:
        tx.send(a.first_dst or a.dst, pcap_gre(a.pcap, a.first), src=a.first_outer or a.outer)
        out["sent"].append(a.first)
    g = pcap_gre(a.pcap, a.frame)
    if a.reqid_of:
        deadline = time.time() + a.seconds
        got = None
        while got is None and time.time() < deadline:
            for p in rx.drain(0.1):
                if p["proto"] == NHRP_PROTO and p.get("type") == a.reqid_of:
                    got = p
                    break
        if got is None:
            print(json.dumps(out))
            raise SystemExit("replay: no NHRP packet of type %d in %g s" % (a.reqid_of, a.seconds))
        out["received"] = {k: got.get(k) for k in ("src", "dst", "type", "word", "hop",
                                                    "flags", "src_proto", "dst_proto",
                                                    "cie_code", "csum_ok")}
        if a.unchanged_first:
            tx.send(a.dst, g)
            out["sent"].append("%d (unchanged)" % a.frame)
            time.sleep(a.pause)
        g = gre_set_reqid(g, got["word"])
    tx.send(a.dst, g)
    out["sent"].append(a.frame)
    print(json.dumps(out))
    return 0


def hostile(a):
    a.pb_nhrp = None
    if a.pcap:
        if os.path.exists(a.pcap):
            a.pb_nhrp = pcap_nhrp(a.pcap)
            print("# %s: %d bytes of NHRP, replayed in GRE" % (a.pcap, len(a.pb_nhrp)))
        else:
            print("# WARNING: %s not found: its case is not run" % a.pcap)
    tx = Sender(a.self_nbma)
    rx = Listener()
    stats = {"hub": Stats(a.nhrpctl, a.hub_ns), "sp": Stats(a.nhrpctl, a.spoke_ns)}
    nbma = {"hub": a.hub_nbma, "sp": a.spoke_nbma}
    other = a.other_proto
    cases = hostile_cases(a)
    print("1..%d" % (len(cases) + 1))
    failed = 0
    last = {}   # target -> counters after the previous case there
    stray = []  # answers that came too late to be judged with their case
    for i, c in enumerate(cases, 1):
        st = stats[c["target"]]
        exp = c["exp"]
        problems = []
        stray += ["after case %d: %s" % (i - 1, _fmt([p])) for p in rx.drain()
                  if p.get("type") in (ERROR_IND, REG_REPLY, RES_REPLY)]
        before = last.get(c["target"]) or st.get()
        tx.send(nbma[c["target"]], c["pkt"])
        # The receiver runs in softirq right after the send: read the
        # counters once; poll only if they are not there yet.
        ans = c["answer"]
        got = rx.drain(0.2)
        after = st.get()
        deadline = time.time() + 5
        while exp and time.time() < deadline and not all(
                after.get(k, 0) - before.get(k, 0) >= v for k, v in exp.items()):
            time.sleep(0.2)
            after = st.get()
        if ans is not None and not any(_answers(p, c, nbma) for p in got):
            got += rx.drain(3)
        got += rx.drain(0.05)
        last[c["target"]] = after
        for k in sorted(set(WATCH) | set(exp)):
            if k not in after or k not in before:
                # (a counter that is not reported would "stay" at 0)
                problems.append("counter %s not reported by nhrpctl stats" % k)
                continue
            d = after[k] - before[k]
            want = exp.get(k, 0)
            # (the spokes' own refreshes may add registrations)
            if k in exp and k.startswith("nhrp_rx_") and k[8:] in (
                    "reg_req", "reg_reply", "res_req", "res_reply", "purge_req"):
                ok = d >= want
            else:
                ok = d == want
            if not ok:
                problems.append("%s moved by %d, expected %d" % (k, d, want))
        nhrp_back = [p for p in got if p["src"] == nbma[c["target"]]
                     and p["proto"] == NHRP_PROTO and "type" in p]
        if ans is None:
            bad = [p for p in nhrp_back if p["type"] in (ERROR_IND, REG_REPLY, RES_REPLY)]
            if bad:
                problems.append("unexpected answer(s): %s" % _fmt(bad))
        else:
            match = [p for p in nhrp_back if _answers(p, c, nbma)]
            if not match:
                problems.append("no answer %s; got: %s" % (ans, _fmt(nhrp_back) or "nothing"))
            for p in match:
                if not p.get("csum_ok"):
                    problems.append("answer with a bad NHRP checksum")
                if p["key"] != KEY:
                    problems.append("answer with GRE key %s" % p["key"])
                if ans[0] == "ei" and p.get("extoff"):
                    problems.append("error indication with extensions (RFC 2332 5.2.7)")
                # (the GRE header of these cases is 8 bytes: key only)
                if ans[0] == "ei" and (not p["quoted"] or
                                       not c["pkt"][8:].startswith(p["quoted"])):
                    problems.append("error indication does not quote the packet")
        if c.get("keep_entry"):
            if not any(e["proto"] == c["keep_entry"] for e in st.entries()):
                problems.append("entry %s is gone" % c["keep_entry"])
        if c.get("no_entry"):
            # (an empty dump would not show the entry either: the same
            # dump must show what the target always has, a spoke its
            # static map to the hub, the hub the other spoke)
            ents = st.entries()
            ref = a.hub_proto if c["target"] == "sp" else other
            if not any(e["proto"] == ref for e in ents):
                problems.append("cache dump without %s: %s" % (ref, ents))
            if any(e["proto"] == c["no_entry"] for e in ents):
                problems.append("entry %s was created" % c["no_entry"])
        if c.get("nhs_up"):
            n = json.loads(netns_exec(st.ns, a.nhrpctl, "-j", "show", "nhs", "dev", "tun0"))
            if n[0]["state"] != "responding":
                problems.append("NHS state %s" % n[0]["state"])
        if problems:
            failed += 1
            print("not ok %d %s" % (i, c["name"]))
            for p in problems:
                print("#   %s" % p)
        else:
            print("ok %d %s" % (i, c["name"]))
        sys.stdout.flush()
    stray += ["at the end: %s" % _fmt([p]) for p in rx.drain(1)
              if p.get("type") in (ERROR_IND, REG_REPLY, RES_REPLY)]
    if stray:
        failed += 1
        print("not ok %d no late or unexplained answers" % (len(cases) + 1))
        for p in stray:
            print("#   %s" % p)
    else:
        print("ok %d no late or unexplained answers" % (len(cases) + 1))
    print("# %d of %d cases failed" % (failed, len(cases) + 1))
    return 1 if failed else 0


def _answers(p, c, nbma):
    ans = c["answer"]
    if ans is None or p.get("src") != nbma[c["target"]] or "type" not in p:
        return False
    if ans[0] == "ei":
        if p["type"] != ERROR_IND or p["ei_code"] != ans[1]:
            return False
        return len(ans) < 3 or p["ei_offset"] == ans[2]
    return p["type"] == ans[0] and p.get("cie_code") == ans[1]


def _fmt(pkts):
    out = []
    for p in pkts:
        s = "type %s" % p.get("type")
        if p.get("type") == ERROR_IND:
            s += " code %d offset %d" % (p["ei_code"], p["ei_offset"])
        elif "cie_code" in p:
            s += " cie code %d" % p["cie_code"]
        out.append(s)
    return ", ".join(out)


# ---------------------------------------------------------------------------
# flood: registrations from many spoofed NBMA addresses
# ---------------------------------------------------------------------------

def flood(a):
    """Send a.count registrations, each from its own spoofed NBMA address
    (a.first_nbma + i) for its own protocol address (a.first_proto + i),
    unique flag set, holdtime a.holdtime, a.rate per second at most.
    With a.hijack, every 10th claims a.hijack instead (another spoke's
    address).  With a.pairs, a file of "NBMA PROTO" lines, one
    registration for each line instead (to refresh given bindings).
    Prints a JSON summary (sent, replies by code)."""
    tx = Sender(a.self_nbma)
    rx = Listener()
    if a.pairs:
        with open(a.pairs) as f:
            pairs = [tuple(line.split()[:2]) for line in f if line.strip()]
        count = len(pairs)
    elif a.first_nbma and a.first_proto:
        pairs = None
        count = a.count
        n0 = int(ipaddress.IPv4Address(a.first_nbma))
        p0 = int(ipaddress.IPv4Address(a.first_proto))
    else:
        raise SystemExit("flood: --first-nbma and --first-proto, or --pairs")
    codes = {}
    t0 = time.time()
    batch = max(1, a.rate // 20)
    sent = 0
    for i in range(count):
        if pairs is not None:
            src, proto = pairs[i]
        else:
            src = str(ipaddress.IPv4Address(n0 + i))
            proto = a.hijack if a.hijack and i % 10 == 9 else str(ipaddress.IPv4Address(p0 + i))
        pkt = nhrp(REG_REQ, src, proto, a.hub_proto, flags=0x8002, reqid=i + 1,
                   cies=[cie(hold=a.holdtime)],
                   exts=cisco_exts(a.secret.encode() if a.secret else None))
        tx.send(a.hub_nbma, gre(pkt), src=src)
        sent += 1
        if sent % batch == 0:
            for p in rx.drain():
                if p.get("type") == REG_REPLY:
                    codes[p.get("cie_code")] = codes.get(p.get("cie_code"), 0) + 1
            ahead = sent / a.rate - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
    for p in rx.drain(2):
        if p.get("type") == REG_REPLY:
            codes[p.get("cie_code")] = codes.get(p.get("cie_code"), 0) + 1
    print(json.dumps({"sent": sent, "seconds": round(time.time() - t0, 1),
                      "replies": {str(k): v for k, v in sorted(codes.items(), key=str)}}))
    return 0


# ---------------------------------------------------------------------------
# inject: single packets (plain or under XFRM) and keepalive answers
# ---------------------------------------------------------------------------

def inject(a):
    """Send the packets a.kinds names, in order, from a.src to a.dst, each
    "KIND[/raw|/gre]": /raw through Sender (IP_HDRINCL: never under XFRM),
    /gre through GreSender (XFRM policies for GRE apply); default a.via.
      data        GRE IPv4: ICMP echo a.inner_src -> a.inner_dst
      nhrp        GRE NHRP: registration of a.proto (NBMA a.src) to
                  a.hub_proto, with a.secret
      keepalive   Cisco keepalive: inner IPv4 a.dst -> a.src, GRE type 0
      inner:S:D[:T]  the same with inner source S, destination D and
                  GRE protocol type T (hex, default 0)
    Then, with a.replies N, waits up to a.timeout s for N GRE packets of
    protocol type 0 from a.dst (keepalive answers).  Prints JSON: sent,
    replies, and the TTL and GRE key of each answer."""
    raw, gsock = Sender(a.src), GreSender()
    rx = Listener() if a.replies else None
    sent = 0
    for k in a.kinds:
        kind, _, via = k.partition("/")
        via = via or a.via
        if kind == "data":
            pl = gre(ipv4_csum(a.inner_src, a.inner_dst, icmp_echo(), proto=1),
                     proto=0x0800, key=a.key)
        elif kind == "nhrp":
            pl = gre(nhrp(REG_REQ, a.src, a.proto, a.hub_proto, flags=0x8002,
                          reqid=4711, cies=[cie(hold=600)],
                          exts=cisco_exts(a.secret.encode())), key=a.key)
        elif kind == "keepalive":
            pl = gre(keepalive(a.dst, a.src, key=a.key), proto=0x0800, key=a.key)
        elif kind.startswith("inner:"):
            _, isrc, idst, *ptype = kind.split(":")
            ptype = int(ptype[0], 16) if ptype else 0
            pl = gre(ipv4_csum(isrc, idst, gre(b"", proto=ptype, key=a.key), ttl=255),
                     proto=0x0800, key=a.key)
        else:
            raise SystemExit("inject: unknown kind %r" % k)
        if via == "raw":
            raw.send(a.dst, pl)
        else:
            gsock.send(a.dst, pl)
        sent += 1
    answers = []
    deadline = time.time() + a.timeout
    while rx and len(answers) < a.replies and time.time() < deadline:
        for p in rx.drain(0.1):
            if p["src"] == a.dst and p["proto"] == 0:
                answers.append(p)
    print(json.dumps({"sent": sent, "replies": len(answers),
                      "ttl": [p["ttl"] for p in answers],
                      "key": [p["key"] for p in answers]}))
    return 0


# ---------------------------------------------------------------------------
# send / listen: single crafted packets, for the spoofing tests (145)
# ---------------------------------------------------------------------------

SEND_TYPES = {"res-req": RES_REQ, "res-reply": RES_REPLY, "reg-req": REG_REQ,
              "reg-reply": REG_REPLY, "purge-req": PURGE_REQ,
              "purge-reply": PURGE_REPLY, "error-ind": ERROR_IND,
              "traffic-ind": TRAFFIC_IND}
# flags of each type as mgre and Cisco send them
SEND_FLAGS = {RES_REQ: 0xC802, RES_REPLY: 0xF802, REG_REQ: 0x8002,
              REG_REPLY: 0x8002, PURGE_REQ: 0x8000, PURGE_REPLY: 0x8000,
              ERROR_IND: 0, TRAFFIC_IND: 0}


def _a4_add(addr, i):
    return str(ipaddress.IPv4Address(int(ipaddress.IPv4Address(addr)) + i))


def _answer(p):
    """What the tests look at in an NHRP packet received."""
    return {k: p.get(k) for k in ("src", "dst", "type", "word", "cie_code",
                                  "src_proto", "dst_proto")}


def send_packets(a):
    """The packets "send" sends: a list of (outer source, GRE bytes)."""
    ptype = SEND_TYPES[a.type]
    flags = SEND_FLAGS[ptype] if a.flags is None else a.flags
    vary = set(v for v in (a.vary or "").split(",") if v)
    bad = vary - {"reqid", "src_proto", "src_nbma", "outer"}
    if bad:
        raise SystemExit("send: --vary: unknown field(s) %s" % ", ".join(sorted(bad)))
    out = []
    for i in range(a.count):
        d = {f: (i if f in vary else 0) for f in ("reqid", "src_proto", "src_nbma", "outer")}
        # (reqid always counts up: a sweep of request ids)
        reqid = (a.reqid + i) & 0xFFFFFFFF
        outer = _a4_add(a.outer, d["outer"])
        src_nbma = _a4_add(a.src_nbma or a.outer, d["src_nbma"])
        src_proto = _a4_add(a.src_proto, d["src_proto"])
        cies = []
        if ptype not in (ERROR_IND, TRAFFIC_IND) and not a.no_cie:
            cies = [cie(code=a.cie_code, hold=a.hold, nbma=a.cie_nbma or b"",
                        proto=a.cie_proto or b"")]
        word = None
        payload = b""
        exts = None
        if ptype == ERROR_IND:
            word = a.ei_code << 16
            # the packet it refuses: one of the target's registrations
            payload = nhrp(REG_REQ, a.quote_nbma, a.dst_proto, src_proto,
                           flags=0x8002, reqid=reqid, cies=[cie(hold=a.hold)])
        elif ptype == TRAFFIC_IND:
            # code 0 (redirect), quoting an IPv4 header and 8 bytes, as IOS
            word = 0
            payload = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 100, 0, 0, 254, 1,
                                  0, a4(a.quote_src), a4(a.quote_dst)) + b"\x08" + b"\0" * 7
            exts = cisco_exts(a.secret.encode() if a.secret else None)
        else:
            nat = b""
            if a.nat_nbma:
                nat = cie(nbma=a.nat_nbma, proto=src_proto, hold=0, mtu=0)
            exts = cisco_exts(a.secret.encode() if a.secret else None, nat=nat)
        pkt = nhrp(ptype, src_nbma, src_proto, a.dst_proto, flags=flags,
                   reqid=reqid, word=word, cies=cies, payload=payload,
                   exts=exts, hop=a.hop)
        out.append((outer, gre(pkt, key=a.key)))
    return out


def send(a):
    """Send a.count NHRP packets of a.type to a.dst, from the outer
    source a.outer (spoofed unless it is ours), packet i with request id
    a.reqid + i and, for the fields in a.vary (src_proto, src_nbma,
    outer), the address + i; a.rate per second at most (0: no limit).
    Then listen a.listen seconds and print JSON: sent, and every NHRP
    packet received meanwhile (answers: src, dst, type, word, cie_code,
    src_proto, dst_proto)."""
    pkts = send_packets(a)
    tx = Sender(a.outer)
    rx = Listener()
    t0 = time.time()
    for i, (outer, pl) in enumerate(pkts):
        tx.send(a.dst, pl, src=outer)
        if a.rate:
            ahead = (i + 1) / a.rate - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
    got = [p for p in rx.drain(a.listen) if p["proto"] == NHRP_PROTO and "type" in p]
    print(json.dumps({"sent": len(pkts), "answers": [_answer(p) for p in got]}))
    return 0


def listen(a):
    """Print (JSON) the first a.count NHRP packets of type a.type (any if
    0) received within a.seconds: src, dst, type, word (the request id),
    cie_code, src_proto, dst_proto."""
    rx = Listener()
    got = []
    deadline = time.time() + a.seconds
    while len(got) < a.count and time.time() < deadline:
        for p in rx.drain(0.1):
            if p["proto"] == NHRP_PROTO and "type" in p and \
                    (not a.type or p["type"] == a.type) and \
                    (not a.src or p["src"] == a.src):
                got.append(_answer(p))
    print(json.dumps(got[:a.count]))
    return 0 if len(got) >= a.count else 1


def add_send_parsers(sub):
    s = sub.add_parser("send", help="crafted NHRP packets (see send())")
    s.add_argument("type", choices=sorted(SEND_TYPES))
    s.add_argument("--outer", required=True, help="outer IPv4 source")
    s.add_argument("--dst", required=True, help="outer IPv4 destination")
    s.add_argument("--src-nbma", help="NHRP source NBMA (default: --outer)")
    s.add_argument("--src-proto", default="0.0.0.0")
    s.add_argument("--dst-proto", default="0.0.0.0")
    s.add_argument("--flags", type=lambda v: int(v, 0))
    s.add_argument("--reqid", type=lambda v: int(v, 0), default=1)
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--vary", help="comma list of src_proto,src_nbma,outer")
    s.add_argument("--rate", type=int, default=0)
    s.add_argument("--hop", type=int, default=255)
    s.add_argument("--cie-code", type=int, default=0)
    s.add_argument("--cie-nbma")
    s.add_argument("--cie-proto")
    s.add_argument("--no-cie", action="store_true")
    s.add_argument("--hold", type=int, default=600)
    s.add_argument("--nat-nbma", help="Cisco NAT extension: this NBMA for src-proto")
    s.add_argument("--secret", default="cisco123", help='"" = no authentication')
    s.add_argument("--key", type=int, default=KEY)
    s.add_argument("--ei-code", type=int, default=11)
    s.add_argument("--quote-nbma", default="0.0.0.0",
                   help="error-ind: the source NBMA of the quoted registration")
    s.add_argument("--quote-src", default="0.0.0.0",
                   help="traffic-ind: source of the quoted packet")
    s.add_argument("--quote-dst", default="0.0.0.0",
                   help="traffic-ind: destination of the quoted packet")
    s.add_argument("--listen", type=float, default=0.5)
    s2 = sub.add_parser("listen", help="print NHRP packets received")
    s2.add_argument("--type", type=int, default=0)
    s2.add_argument("--src")
    s2.add_argument("--count", type=int, default=1)
    s2.add_argument("--seconds", type=float, default=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("hostile")
    h.add_argument("--nhrpctl", required=True)
    h.add_argument("--self-nbma", required=True)
    h.add_argument("--self-proto", required=True)
    h.add_argument("--hub-ns", default="hub")
    h.add_argument("--hub-nbma", default="192.1.1.1")
    h.add_argument("--hub-proto", default="172.1.1.1")
    h.add_argument("--spoke-ns", default="sp1")
    h.add_argument("--spoke-nbma", default="192.1.1.2")
    h.add_argument("--spoke-proto", default="172.1.1.2")
    h.add_argument("--other-proto", default="172.1.1.3")
    h.add_argument("--holdtime", type=int, default=300)
    h.add_argument("--pcap")
    f = sub.add_parser("flood")
    f.add_argument("--self-nbma", required=True)
    f.add_argument("--hub-nbma", default="192.1.1.1")
    f.add_argument("--hub-proto", default="172.1.1.1")
    f.add_argument("--first-nbma")
    f.add_argument("--first-proto")
    f.add_argument("--pairs", metavar="FILE", help='"NBMA PROTO" lines')
    f.add_argument("--count", type=int, default=5000)
    f.add_argument("--rate", type=int, default=2000)
    f.add_argument("--holdtime", type=int, default=600)
    f.add_argument("--secret", default="cisco123",
                   help='"" for no authentication extension')
    f.add_argument("--hijack")
    i = sub.add_parser("inject")
    i.add_argument("kinds", nargs="+", metavar="KIND[/raw|/gre]")
    i.add_argument("--src", required=True)
    i.add_argument("--dst", required=True)
    i.add_argument("--via", choices=("raw", "gre"), default="raw")
    i.add_argument("--key", type=int, default=KEY)
    i.add_argument("--inner-src", default="172.1.1.9")
    i.add_argument("--inner-dst", default="172.1.1.1")
    i.add_argument("--proto", default="172.1.1.9")
    i.add_argument("--hub-proto", default="172.1.1.1")
    i.add_argument("--secret", default="cisco123")
    i.add_argument("--replies", type=int, default=0)
    i.add_argument("--timeout", type=float, default=20)
    add_send_parsers(sub)
    r = sub.add_parser("replay", help="send captured frames again")
    r.add_argument("--pcap", required=True)
    r.add_argument("--frame", type=int, required=True)
    r.add_argument("--outer", required=True)
    r.add_argument("--dst", required=True)
    r.add_argument("--first", type=int, help="a frame to send before")
    r.add_argument("--first-outer")
    r.add_argument("--first-dst")
    r.add_argument("--reqid-of", type=int,
                   help="wait for an NHRP packet of this type, take its request id")
    r.add_argument("--seconds", type=float, default=10)
    r.add_argument("--unchanged-first", action="store_true",
                   help="send the frame with its captured request id first")
    r.add_argument("--pause", type=float, default=2)
    a = ap.parse_args()
    return {"hostile": hostile, "flood": flood, "inject": inject,
            "send": send, "listen": listen, "replay": replay}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Teardown stress for 160_teardown_stress.sh, in one process.

Under emulation every program started costs a large fraction of a second,
so a round of "load mgre, build a DMVPN in three namespaces, let traffic
and registrations flow, tear it all down" made of ip/nhrpctl/insmod
commands takes many seconds.  This does the same with system calls and
netlink only: unshare()/setns() for the namespaces, rtnetlink for the
links and addresses, the mgre generic netlink family for the NHRP
configuration, finit_module()/delete_module() for the module, and one
thread per namespace sending UDP.

    nlstress.py --ko PATH [--rounds 100]

Round r (a hub "h" with a bridge for the NBMA network 192.1.1.0/24, two
spokes "s1", "s2" on it through veths; tun0 everywhere, NHRP network-id
10000, holdtime 3 (refresh every second), authentication; spokes have
the hub as NHS, the hub "multicast dynamic"; traffic s1 -> s2's tunnel
address (through the hub while it resolves), s2 -> hub, hub -> 224.0.0.1
on tun0, plus a burst to unknown addresses), torn down by r % 4:
    0  the namespaces go away (their devices die in the netns exit path)
    1  the tunnels are deleted one by one, then the namespaces
    2  rmmod with every device up and busy, then the namespaces
    3  the hub's namespace goes away, rmmod while the spokes live
and the module is unloaded at the end of every round (loaded again at
the start of the next).  Every 10th round first checks that both spokes
registered.  Prints one line per 10 rounds; exit status 1 on a failure.
"""

import argparse
import ctypes
import errno
import os
import socket
import struct
import sys
import threading
import time

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
SYS_FINIT_MODULE, SYS_DELETE_MODULE = 313, 176   # x86_64

NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE, NLM_F_DUMP = 1, 4, 0x200, 0x400, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_NEWADDR = 16, 17, 18, 20
IFLA_IFNAME, IFLA_MASTER, IFLA_LINKINFO, IFLA_NET_NS_FD = 3, 10, 18, 28
IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 1, 2, 1
IFA_ADDRESS, IFA_LOCAL = 1, 2
IFF_UP = 1
NLA_F_NESTED = 0x8000
# uapi/mgre.h
IFLA_MGRE_LOCAL, IFLA_MGRE_KEY, IFLA_MGRE_NETWORK_ID = 2, 4, 8
IFLA_MGRE_HOLDTIME, IFLA_MGRE_AUTH = 9, 10
MGRE_CMD_MAP_GET, MGRE_CMD_MCAST_ADD, MGRE_CMD_NHS_ADD = 3, 4, 7
MGRE_A_IFINDEX, MGRE_A_PROTO, MGRE_A_NBMA, MGRE_A_TYPE, MGRE_A_MCAST_DYNAMIC = 1, 3, 5, 6, 10
MGRE_ENTRY_DYNAMIC = 1
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2
CTRL_ATTR_MCAST_GROUPS, CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_MCAST_GRP_ID = 7, 1, 2
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP = 270, 1

BR, PORT1, PORT2, TUN, ETH = 10, 11, 12, 20, 11   # ifindexes we ask for


def attr(t, data):
    a = struct.pack("=HH", 4 + len(data), t) + data
    return a + b"\0" * (-len(a) % 4)


def nest(t, *attrs):
    return attr(t | NLA_F_NESTED, b"".join(attrs))


def u32(v):
    return struct.pack("=I", v)


def ip4(a):
    return socket.inet_aton(a)


def ifinfo(index=0, flags=0, change=0):
    return struct.pack("=BxHiII", socket.AF_UNSPEC, 0, index, flags, change)


def parse_attrs(buf):
    out = {}
    while len(buf) >= 4:
        ln, t = struct.unpack("=HH", buf[:4])
        if ln < 4:
            break
        out[t & 0x3FFF] = buf[4:ln]
        buf = buf[(ln + 3) & ~3:]
    return out


class NL:
    """A netlink socket (in the caller's current network namespace)."""

    def __init__(self, proto):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.s.bind((0, 0))
        self.seq = 0

    def close(self):
        self.s.close()

    def request(self, mtype, flags, payload, dump=False):
        """Send; return the payloads of the answers (raises OSError on a
        netlink error)."""
        self.seq += 1
        f = NLM_F_REQUEST | flags | (NLM_F_DUMP if dump else NLM_F_ACK)
        self.s.send(struct.pack("=IHHII", 16 + len(payload), mtype, f, self.seq, 0) + payload)
        out = []
        while True:
            data = self.s.recv(1 << 16)
            while data:
                ln, t, _, seq, _ = struct.unpack("=IHHII", data[:16])
                body = data[16:ln]
                data = data[(ln + 3) & ~3:]
                if seq != self.seq:
                    continue
                if t == NLMSG_ERROR:
                    err = -struct.unpack("=i", body[:4])[0]
                    if err:
                        raise OSError(err, os.strerror(err))
                    return out
                if t == NLMSG_DONE:
                    return out
                out.append((t, body))


class Netns:
    """An anonymous network namespace (alive while fd or a socket in it
    is open) with an rtnetlink and a generic netlink socket in it."""

    def __init__(self, name, root_fd):
        self.name = name
        self.listeners = []
        if libc.unshare(CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "unshare")
        try:
            self.fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
            self.rt = NL(socket.NETLINK_ROUTE)
            self.genl = NL(16)   # NETLINK_GENERIC
        finally:
            setns(root_fd)
        self.link(1, flags=IFF_UP)   # lo

    def close(self):
        global events
        for s in self.listeners:
            # (what the listener got; one that was never read overflowed)
            s.setblocking(False)
            try:
                while True:
                    data = s.recv(1 << 16)
                    while len(data) >= 16:
                        events += 1
                        data = data[(struct.unpack("=I", data[:4])[0] + 3) & ~3:]
            except OSError:
                pass
            s.close()
        for x in (self.rt, self.genl):
            x.close()
        os.close(self.fd)

    def listen(self, root_fd, grp, rcvbuf):
        """A generic netlink socket in the namespace, in the mgre events
        group (nhrpctl monitor's), with a receive buffer of rcvbuf bytes;
        read when the namespace is closed."""
        setns(self.fd)
        try:
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        finally:
            setns(root_fd)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.bind((0, 0))
        s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, grp)
        self.listeners.append(s)

    def newlink(self, name, index, kind=None, data=b"", extra=b"", flags=0):
        a = attr(IFLA_IFNAME, name.encode() + b"\0") + extra
        if kind:
            info = attr(IFLA_INFO_KIND, kind.encode())
            if data:
                info += nest(IFLA_INFO_DATA, data)
            a += nest(IFLA_LINKINFO, info)
        self.rt.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                        ifinfo(index, flags, flags) + a)

    def link(self, index, flags=None, master=None):
        a = attr(IFLA_MASTER, u32(master)) if master is not None else b""
        f = (flags or 0, IFF_UP if flags is not None else 0)
        self.rt.request(RTM_NEWLINK, 0, ifinfo(index, *f) + a)

    def dellink(self, index):
        self.rt.request(RTM_DELLINK, 0, ifinfo(index))

    def has_link(self, index):
        try:
            self.rt.request(RTM_GETLINK, 0, ifinfo(index))
            return True
        except OSError as e:
            if e.errno == errno.ENODEV:
                return False
            raise

    def addr(self, index, a, plen):
        self.rt.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                        struct.pack("=BBBBI", socket.AF_INET, plen, 0, 0, index)
                        + attr(IFA_LOCAL, ip4(a)) + attr(IFA_ADDRESS, ip4(a)))

    def mgre(self, local):
        data = (attr(IFLA_MGRE_LOCAL, ip4(local)) + attr(IFLA_MGRE_KEY, u32(10000))
                + attr(IFLA_MGRE_NETWORK_ID, u32(10000))
                + attr(IFLA_MGRE_HOLDTIME, struct.pack("=H", 3))
                + attr(IFLA_MGRE_AUTH, b"cisco123"))
        self.newlink("tun0", TUN, "mgre", data)

    def genl_family(self):
        """The family's id and the id of its "events" group."""
        out = self.genl.request(GENL_ID_CTRL, 0, struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0)
                                + attr(CTRL_ATTR_FAMILY_NAME, b"mgre\0"))
        a = parse_attrs(out[0][1][4:])
        grp = None
        for g in parse_attrs(a.get(CTRL_ATTR_MCAST_GROUPS, b"")).values():
            ga = parse_attrs(g)
            if ga.get(CTRL_ATTR_MCAST_GRP_NAME) == b"events\0":
                grp = struct.unpack("=I", ga[CTRL_ATTR_MCAST_GRP_ID][:4])[0]
        if grp is None:
            raise OSError(errno.ENOENT, "the mgre family has no events group")
        return struct.unpack("=H", a[CTRL_ATTR_FAMILY_ID][:2])[0], grp

    def mgre_cmd(self, fam, cmd, attrs, dump=False):
        return self.genl.request(fam, 0, struct.pack("=BBH", cmd, 1, 0) + attrs, dump=dump)

    def dynamic_entries(self, fam):
        n = 0
        for _, body in self.mgre_cmd(fam, MGRE_CMD_MAP_GET, attr(MGRE_A_IFINDEX, u32(TUN)),
                                     dump=True):
            a = parse_attrs(body[4:])
            if a.get(MGRE_A_TYPE, b"\xff")[0] == MGRE_ENTRY_DYNAMIC:
                n += 1
        return n


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns")


class Traffic(threading.Thread):
    """UDP from inside a namespace to dsts until stopped (errors ignored:
    the tunnel may be gone)."""

    def __init__(self, ns, dsts, mcast_if=None):
        super().__init__(daemon=True)
        self.ns, self.dsts, self.mcast_if = ns, dsts, mcast_if
        self.stop = threading.Event()
        self.sent = 0
        self.ready = threading.Event()

    def run(self):
        setns(self.ns.fd)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            if self.mcast_if:
                s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                             struct.pack("=4s4si", b"\0" * 4, b"\0" * 4, self.mcast_if))
            s.setblocking(False)
            self.ready.set()
            payload = b"x" * 200
            while not self.stop.is_set():
                for d in self.dsts:
                    try:
                        s.sendto(payload, (d, 9))
                        self.sent += 1
                    except OSError:
                        pass
                time.sleep(0.002)
        finally:
            s.close()
            self.ready.set()


def load(ko):
    fd = os.open(ko, os.O_RDONLY)
    try:
        if libc.syscall(SYS_FINIT_MODULE, fd, b"", 0):
            raise OSError(ctypes.get_errno(), "finit_module " + ko)
    finally:
        os.close(fd)


def unload():
    for _ in range(100):
        if libc.syscall(SYS_DELETE_MODULE, b"mgre", os.O_NONBLOCK) == 0:
            return
        e = ctypes.get_errno()
        if e == errno.ENOENT:
            return
        if e not in (errno.EAGAIN, errno.EBUSY):
            raise OSError(e, "delete_module mgre")
        time.sleep(0.1)
    raise OSError(errno.EBUSY, "delete_module mgre: still busy after 10 s")


def build(root):
    h = Netns("h", root)
    s1 = Netns("s1", root)
    s2 = Netns("s2", root)
    h.newlink("br0", BR, "bridge")
    h.addr(BR, "192.1.1.1", 24)
    h.link(BR, IFF_UP)
    for port, sp in ((PORT1, s1), (PORT2, s2)):
        peer = ifinfo(ETH) + attr(IFLA_IFNAME, b"eth0\0") + attr(IFLA_NET_NS_FD, u32(sp.fd))
        h.newlink("p%d" % (port - 10), port, "veth", attr(VETH_INFO_PEER, peer))
        h.link(port, IFF_UP, master=BR)
    h.mgre("192.1.1.1")
    h.addr(TUN, "172.1.1.1", 24)
    h.link(TUN, IFF_UP)
    fam, grp = h.genl_family()
    # Listeners of the events: the hub's is never read (its buffer
    # overflows: the lost-event path), s1's is read at the end.
    h.listen(root, grp, 1024)
    s1.listen(root, grp, 1 << 20)
    h.mgre_cmd(fam, MGRE_CMD_MCAST_ADD, attr(MGRE_A_IFINDEX, u32(TUN))
               + attr(MGRE_A_MCAST_DYNAMIC, b""))
    for i, sp in ((2, s1), (3, s2)):
        sp.addr(ETH, "192.1.1.%d" % i, 24)
        sp.link(ETH, IFF_UP)
        sp.mgre("192.1.1.%d" % i)
        sp.addr(TUN, "172.1.1.%d" % i, 24)
        sp.link(TUN, IFF_UP)
        sp.mgre_cmd(fam, MGRE_CMD_NHS_ADD, attr(MGRE_A_IFINDEX, u32(TUN))
                    + attr(MGRE_A_PROTO, ip4("172.1.1.1"))
                    + attr(MGRE_A_NBMA, ip4("192.1.1.1")))
    t = [Traffic(s1, ["172.1.1.3", "172.1.1.77"]), Traffic(s2, ["172.1.1.1"]),
         Traffic(h, ["224.0.0.1", "172.1.1.2"], mcast_if=TUN)]
    for x in t:
        x.start()
        x.ready.wait()
    return {"h": h, "s1": s1, "s2": s2}, t, fam


events = 0   # events the read listeners received


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ko", required=True)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--flow", type=float, default=0.4, help="seconds of traffic per round")
    a = ap.parse_args()
    root = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    t0 = time.time()
    failed = 0
    sent = 0
    for r in range(a.rounds):
        if not os.path.isdir("/sys/module/mgre"):
            load(a.ko)
        ns, traffic, fam = build(root)
        if r % 10 == 0:
            deadline = time.time() + 10
            while ns["h"].dynamic_entries(fam) < 2:
                if time.time() > deadline:
                    print("round %d: the spokes did not register" % r)
                    failed += 1
                    break
                time.sleep(0.1)
        time.sleep(a.flow)

        def stop(names):
            for x in traffic:
                if x.ns.name in names:
                    x.stop.set()
            for x in traffic:
                if x.ns.name in names:
                    x.join()

        def gone(names):
            for n in names:
                if n in ns:
                    ns.pop(n).close()

        v = r % 4
        if v == 0:
            gone(["h", "s1", "s2"])      # (the traffic sockets still pin them)
            stop(["h", "s1", "s2"])
            unload()
        elif v == 1:
            for n in ("h", "s1", "s2"):
                ns[n].dellink(TUN)
            stop(["h", "s1", "s2"])
            gone(["h", "s1", "s2"])
            unload()
        elif v == 2:
            unload()
            for n in ("h", "s1", "s2"):
                if ns[n].has_link(TUN):
                    print("round %d: %s's tun0 survived rmmod" % (r, n))
                    failed += 1
            stop(["h", "s1", "s2"])
            gone(["h", "s1", "s2"])
        else:
            gone(["h"])
            stop(["h"])
            time.sleep(0.1)
            unload()
            stop(["s1", "s2"])
            gone(["s1", "s2"])
        if os.path.isdir("/sys/module/mgre"):
            print("round %d: mgre still loaded" % r)
            failed += 1
        sent += sum(x.sent for x in traffic)
        if r % 10 == 9:
            print("round %d of %d done (%.1f s, %d datagrams sent, %d events)" % (
                r + 1, a.rounds, time.time() - t0, sent, events))
            sys.stdout.flush()
        if failed:
            break
    print("%d rounds in %.1f s, %d failure(s)" % (r + 1, time.time() - t0, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

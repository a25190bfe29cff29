/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mgre: Cisco-DMVPN-compatible multipoint GRE for Linux.
 *
 * This header is the one contract between the kernel module (kmod/), the
 * nhrpctl tool (tools/nhrpctl) and the iproute2 plugin (tools/iproute2).
 * It uses only fixed-width types from <linux/types.h> so that it can be
 * included from both kernel and userspace.
 *
 * Two netlink interfaces:
 *
 * 1. rtnetlink link kind "mgre" (IFLA_INFO_KIND "mgre"); its
 *    IFLA_INFO_DATA carries the IFLA_MGRE_* attributes below.
 *
 *        ip link add tun0 type mgre local 192.1.1.1 key 10000
 *
 * 2. generic netlink family MGRE_GENL_NAME ("mgre"), version
 *    MGRE_GENL_VERSION, which programs and reads the NHRP cache, the
 *    multicast map and the NHS list of one mgre device.  Every request names
 *    the device with MGRE_A_IFINDEX (preferred) or MGRE_A_IFNAME.
 *    Commands that change state need CAP_NET_ADMIN in the device's netns.
 *    Its multicast group MGRE_GENL_MCGRP_EVENTS ("events") carries what
 *    happens (MGRE_CMD_EVENT, enum mgre_event) to listeners in the
 *    device's netns: "nhrpctl monitor".
 *
 * Addresses travel in network byte order.  Protocol (tunnel) addresses and
 * NBMA addresses are IPv4 (4 bytes) in this version.
 */
#ifndef _UAPI_LINUX_MGRE_H
#define _UAPI_LINUX_MGRE_H

#include <linux/const.h>
#include <linux/types.h>

#define MGRE_KIND		"mgre"
#define MGRE_GENL_NAME		"mgre"
#define MGRE_GENL_VERSION	1
#define MGRE_GENL_MCGRP_EVENTS	"events"

/* Longest NHRP password (Cisco "ip nhrp authentication"). */
#define MGRE_AUTH_MAX		8

/* GRE protocol type of NHRP packets (RFC 2332, Cisco DMVPN). */
#define MGRE_ETH_P_NHRP		0x2001

/* ---------------------------------------------------------------------- */
/* rtnetlink: IFLA_INFO_DATA of link kind "mgre"                           */
/* ---------------------------------------------------------------------- */

enum {
	IFLA_MGRE_UNSPEC,
	IFLA_MGRE_LINK,		/* u32: ifindex of the underlay device
				 * ("dev PHYS", Cisco "tunnel source IF"):
				 * outer packets leave through it and their
				 * source follows its primary address.
				 */
	IFLA_MGRE_LOCAL,	/* be32: outer source ("local A",
				 * Cisco "tunnel source A"); 0 = any
				 */
	IFLA_MGRE_REMOTE,	/* be32: point-to-point peer ("remote A",
				 * Cisco "tunnel destination A"); absent or
				 * 0 = multipoint (Cisco "tunnel mode gre
				 * multipoint")
				 */
	IFLA_MGRE_KEY,		/* u32 (host order): GRE key, RFC 2890
				 * (Cisco "tunnel key K"); absent = no key
				 */
	IFLA_MGRE_TTL,		/* u8: outer TTL, 0 = inherit from inner */
	IFLA_MGRE_TOS,		/* u8: outer TOS, 1 = inherit from inner */
	IFLA_MGRE_PMTUDISC,	/* u8: 1 (default) = set DF on outer packets
				 * and answer frag-needed; 0 = "nopmtudisc"
				 */
	IFLA_MGRE_NETWORK_ID,	/* u32: NHRP network id ("ip nhrp
				 * network-id N"); 0 (default) = NHRP off:
				 * NHRP packets are dropped and counted
				 */
	IFLA_MGRE_HOLDTIME,	/* u16: seconds our registrations and
				 * answers are valid ("ip nhrp holdtime");
				 * default 7200
				 */
	IFLA_MGRE_AUTH,		/* binary, 0..8 bytes: cleartext password
				 * ("ip nhrp authentication"); empty = none.
				 * Not reported back, see IFLA_MGRE_AUTH_SET
				 */
	/* u8: 1 = register without the unique flag
	 * ("ip nhrp registration no-unique")
	 */
	IFLA_MGRE_REG_NO_UNIQUE,
	IFLA_MGRE_CACHE_MAX,	/* u32: NHRP cache entry limit (default
				 * 262144); learned entries beyond it are
				 * refused
				 */
	IFLA_MGRE_AUTH_SET,	/* u8, dump only: 1 if a password is set */
	IFLA_MGRE_REG_TIMEOUT,	/* u16: seconds between our registrations
				 * ("ip nhrp registration timeout"); 0
				 * (default) = holdtime / 3.  A short one
				 * detects a dead NHS quickly: 3 unanswered
				 * requests mark it down
				 */
	IFLA_MGRE_IF_STATE_NHRP, /* u8: 1 = the carrier follows the NHSes
				  * ("if-state nhrp"): off while none of
				  * the configured NHSes answers our
				  * registrations, on at the first reply
				  */
	IFLA_MGRE_ROUTE_INJECT,	/* u8: 1 = a host route "PROTO/32 dev DEV
				 * proto nhrp" (protocol 191) in the main
				 * table for every registered (dynamic) and
				 * resolved (cached) peer, removed with the
				 * entry ("route-inject on|off")
				 */
	/* u8: enum mgre_protection ("protection off|require", Cisco
	 * "tunnel protection ipsec profile P").  With "require", inbound GRE
	 * of every kind (data, NHRP, keepalives) that did not arrive under
	 * an IPsec SA (ESP or AH, decapsulated by XFRM) is dropped and
	 * counted in MGRE_STAT_RX_UNPROTECTED.  Outbound packets always
	 * follow the XFRM policies for protocol GRE, whatever this says.
	 * Default off.  See Documentation/protection.md.
	 */
	IFLA_MGRE_PROTECTION,
	/* u16: seconds between the GRE keepalives we send (Cisco
	 * "keepalive PERIOD RETRIES"), 0 = off (default).  A
	 * point-to-point device sends them to its remote end and turns its
	 * carrier off while the peer is down; a multipoint one sends them to
	 * every NHS and takes an NHS that is down out of use (state down,
	 * as if its registrations had timed out) until it answers again.
	 * See Documentation/failover.md.
	 */
	IFLA_MGRE_KEEPALIVE,
	/* u8, 1-255: keepalives in a row left unanswered (each for one
	 * period) that mark the peer down; default 3
	 */
	IFLA_MGRE_KEEPALIVE_RETRIES,
	/* u8: 1 (default) = NHRP may bind only host addresses of the
	 * device's IPv4 subnets ("subnet-check on"): registrations of other
	 * addresses are refused (code 4), resolution requests from them are
	 * neither answered nor learned (MGRE_STAT_NHRP_RX_OUT_OF_SUBNET);
	 * 0 = any address but 0.0.0.0 and our own ("subnet-check off").
	 * See Documentation/nhrp.md, "What an NHRP packet may change".
	 */
	IFLA_MGRE_SUBNET_CHECK,
	/* u32, >= 1: registrations one NBMA address may hold
	 * ("per-nbma-max"; default MGRE_PER_NBMA_MAX_DEFAULT); more are
	 * refused (code 5, MGRE_STAT_NHRP_REG_NBMA_LIMIT)
	 */
	IFLA_MGRE_PER_NBMA_MAX,
	/* u32, 1-262144: NBMA addresses registrations may add to the
	 * multicast map, those it holds only because of registrations
	 * ("multicast-dynamic-max"; default
	 * MGRE_MCAST_DYNAMIC_MAX_DEFAULT): the distinct NBMA addresses a
	 * hub takes registrations from, besides its static multicast map
	 * (raise it for a cloud of more spokes); a registration from one more is
	 * refused (code 5, MGRE_STAT_NHRP_REG_MCAST_LIMIT), so that spoofed
	 * registrations cannot make the hub copy multicast to any number of
	 * addresses.  Lowering a limit keeps the registrations already made.
	 */
	IFLA_MGRE_MCAST_DYNAMIC_MAX,
	/* u32: NHRP packets a second the device processes from one NBMA
	 * source address ("nhrp-rate-limit"; default
	 * MGRE_NHRP_RATE_LIMIT_DEFAULT; 0 = no limit), a second's worth at
	 * once; more are dropped (MGRE_STAT_NHRP_RX_RATELIMITED).  Packets
	 * from the NBMA address of one of our NHSes are not limited (a hub
	 * relays every spoke's requests).  See Documentation/nhrp.md, "What
	 * an NHRP packet may change".
	 */
	IFLA_MGRE_NHRP_RATE_LIMIT,
	/* u32, 0-65535: the device's budget for the NHRP packets it sends
	 * ("max-send COUNT every SECONDS", IOS "ip nhrp max-send"): COUNT
	 * at once, then COUNT per IFLA_MGRE_NHRP_MAX_SEND_EVERY seconds
	 * (default MGRE_NHRP_MAX_SEND_DEFAULT; 0 = no budget); packets over
	 * it are not sent (MGRE_STAT_NHRP_TX_RATELIMITED).  Replies,
	 * forwarded and our own resolution requests, purges and error
	 * indications count; our registration requests do not (they are
	 * paced by the registration timer, and losing them loses the NHS).
	 */
	IFLA_MGRE_NHRP_MAX_SEND,
	/* u32, 1-65535: the SECONDS of IFLA_MGRE_NHRP_MAX_SEND (default
	 * MGRE_NHRP_MAX_SEND_EVERY_DEFAULT)
	 */
	IFLA_MGRE_NHRP_MAX_SEND_EVERY,
	/* u8: 1 = DMVPN phase 3 on a hub (IOS "ip nhrp redirect"): a
	 * unicast packet that came in through this device and goes out
	 * through it again (hairpin) makes us send the source's spoke an
	 * NHRP Traffic Indication (type 8, code 0) quoting it; the packet is
	 * still forwarded.  Pairs (source, destination) hash into
	 * MGRE_REDIRECT_SLOTS slots, each of which sends at most one every
	 * IFLA_MGRE_REDIRECT_TIMEOUT seconds
	 * (MGRE_STAT_NHRP_REDIRECT_LIMITED), within IFLA_MGRE_NHRP_MAX_SEND
	 * too.  Also: a resolution request
	 * for an address nobody registered is forwarded along our route to
	 * it when that route leads into this device.  Default 0.
	 */
	IFLA_MGRE_REDIRECT,
	/* u8: 1 = DMVPN phase 3 on a spoke (IOS "ip nhrp shortcut"): a
	 * Traffic Indication from one of our NHSes makes us resolve the
	 * destination of the packet it quotes (at most MGRE_TI_RATE a
	 * second); the answer (a prefix, with
	 * the responder's tunnel address: MGRE_F_SHORTCUT) overrides the
	 * route's next hop for the packets to that prefix.  Also: we answer
	 * resolution requests for addresses we route out of another device
	 * (we are their egress) with the prefix of that route.  Default 0.
	 */
	IFLA_MGRE_SHORTCUT,
	/* u16, 1-MGRE_REDIRECT_TIMEOUT_MAX: seconds between two Traffic
	 * Indications for one (source, destination) pair (IOS "ip nhrp
	 * redirect timeout SECONDS").  Default MGRE_REDIRECT_INTERVAL.
	 */
	IFLA_MGRE_REDIRECT_TIMEOUT,
	__IFLA_MGRE_MAX
};

#define IFLA_MGRE_MAX	(__IFLA_MGRE_MAX - 1)

/* Defaults of IFLA_MGRE_PER_NBMA_MAX, IFLA_MGRE_MCAST_DYNAMIC_MAX,
 * IFLA_MGRE_NHRP_RATE_LIMIT and IFLA_MGRE_NHRP_MAX_SEND(_EVERY): a hub
 * answers a storm of 10000 registrations a second (every spoke of a big
 * cloud registering again after the hub restarted), not more.
 */
#define MGRE_PER_NBMA_MAX_DEFAULT	16
#define MGRE_MCAST_DYNAMIC_MAX_DEFAULT	4096
#define MGRE_NHRP_RATE_LIMIT_DEFAULT	20
#define MGRE_NHRP_MAX_SEND_DEFAULT	10000
#define MGRE_NHRP_MAX_SEND_EVERY_DEFAULT	1
/* IFLA_MGRE_REDIRECT_TIMEOUT: seconds between Traffic Indications for
 * one (source, destination) pair, by default and at most.  The limit is
 * kept per slot (MGRE_REDIRECT_SLOTS): another pair that hashes to a
 * busy slot waits as long, hence a short maximum.
 */
#define MGRE_REDIRECT_INTERVAL		5
#define MGRE_REDIRECT_TIMEOUT_MAX	60
/* IFLA_MGRE_REDIRECT: the slots (source, destination) pairs hash into */
#define MGRE_REDIRECT_SLOTS		256
/* IFLA_MGRE_SHORTCUT: Traffic Indications acted on a second, at most */
#define MGRE_TI_RATE			50

/* IFLA_MGRE_PROTECTION values */
enum mgre_protection {
	MGRE_PROTECTION_OFF,		/* accept GRE with or without IPsec */
	MGRE_PROTECTION_REQUIRE,	/* accept only GRE that came in
					 * under an ESP or AH SA
					 */
	__MGRE_PROTECTION_MAX
};

#define MGRE_PROTECTION_MAX	(__MGRE_PROTECTION_MAX - 1)

/* ---------------------------------------------------------------------- */
/* generic netlink family "mgre"                                          */
/* ---------------------------------------------------------------------- */

enum mgre_cmd {
	MGRE_CMD_UNSPEC,
	/* NHRP cache ("ip nhrp map PROTO NBMA", "show ip nhrp") */
	MGRE_CMD_MAP_ADD,	/* IFINDEX, PROTO, NBMA [, PREFIXLEN]:
				 * add a static entry.  EEXIST if a static
				 * entry for PROTO exists; a dynamic or
				 * cached entry for PROTO is replaced.
				 * ENOSPC when the cache is full.
				 */
	MGRE_CMD_MAP_DEL,	/* IFINDEX, PROTO: delete the static entry
				 * for PROTO.  ENOENT if there is none.
				 */
	MGRE_CMD_MAP_GET,	/* dump, IFINDEX: one message per entry with
				 * IFINDEX, PROTO, PREFIXLEN, NBMA, TYPE,
				 * FLAGS, AGE [, EXPIRES] [, USED]
				 */
	/* multicast map ("ip nhrp map multicast NBMA|dynamic") */
	MGRE_CMD_MCAST_ADD,	/* IFINDEX, NBMA | MCAST_DYNAMIC. EEXIST */
	MGRE_CMD_MCAST_DEL,	/* IFINDEX, NBMA | MCAST_DYNAMIC. ENOENT */
	MGRE_CMD_MCAST_GET,	/* dump, IFINDEX: one message per static
				 * NBMA (IFINDEX, NBMA, TYPE), one with
				 * MCAST_DYNAMIC when "dynamic" is set, and
				 * one per dynamically learned NBMA (TYPE
				 * MGRE_ENTRY_DYNAMIC)
				 */
	/*
	 * next-hop servers ("ip nhrp nhs PROTO [nbma NBMA] [priority N]",
	 * "ip nhrp nhs dynamic nbma NBMA [priority N]")
	 */
	MGRE_CMD_NHS_ADD,	/* IFINDEX, PROTO [, NBMA] [, PRIORITY], or
				 * IFINDEX, NHS_DYNAMIC, NBMA [, PRIORITY]:
				 * an NHS known by its NBMA address, whose
				 * protocol address is learned from its
				 * Registration Reply.  EEXIST
				 */
	MGRE_CMD_NHS_DEL,	/* IFINDEX, PROTO, or IFINDEX, NHS_DYNAMIC,
				 * NBMA.  ENOENT
				 */
	MGRE_CMD_NHS_GET,	/* dump, IFINDEX: one message per NHS with
				 * IFINDEX, PROTO (0.0.0.0: a dynamic NHS
				 * that has not answered yet), NBMA,
				 * PRIORITY, NHS_STATE, NHS_REQ_SENT,
				 * NHS_REQ_FAILED, NHS_REPL_RECV
				 * [, NHS_LAST_REPLY] [, NHS_DYNAMIC]
				 */
	/* counters ("show ip nhrp traffic") */
	MGRE_CMD_STATS_GET,	/* do: with IFINDEX, the device's counters;
				 * without, the netns-wide receive counters
				 * (packets that matched no device).
				 * Reply: [IFINDEX,] STATS (nest of u64
				 * indexed by enum mgre_stat)
				 */
	MGRE_CMD_FLUSH,		/* IFINDEX [, TYPE]: delete learned entries
				 * ("clear ip nhrp"): all but static and
				 * local ones, or only those of TYPE
				 */
	MGRE_CMD_EVENT,		/* a notification, never a request: sent
				 * to the group MGRE_GENL_MCGRP_EVENTS of
				 * the device's netns.  IFINDEX, EVENT and
				 * what enum mgre_event lists for it
				 */
	MGRE_CMD_AUTH_GET,	/* do, IFINDEX: the NHRP password, for
				 * "nhrpctl showconf" (rtnetlink, which
				 * anyone may dump, only says whether one
				 * is set: IFLA_MGRE_AUTH_SET).  Reply:
				 * IFINDEX [, AUTH] (absent: none).
				 * CAP_NET_ADMIN in the device's netns
				 */
	__MGRE_CMD_MAX
};

#define MGRE_CMD_MAX	(__MGRE_CMD_MAX - 1)

enum mgre_attr {
	MGRE_A_UNSPEC,
	MGRE_A_IFINDEX,		/* u32 */
	MGRE_A_IFNAME,		/* string, < IFNAMSIZ */
	MGRE_A_PROTO,		/* binary, 4 bytes: protocol (tunnel)
				 * address in network byte order
				 */
	MGRE_A_PREFIXLEN,	/* u8: 32 for host entries (default) */
	MGRE_A_NBMA,		/* be32: NBMA (underlay) address */
	MGRE_A_TYPE,		/* u8: enum mgre_entry_type */
	MGRE_A_FLAGS,		/* u32: MGRE_F_* */
	MGRE_A_AGE,		/* u64: seconds since the entry was created */
	MGRE_A_EXPIRES,		/* u32: seconds until the entry expires;
				 * absent = never
				 */
	MGRE_A_MCAST_DYNAMIC,	/* flag: the "dynamic" multicast map */
	MGRE_A_PRIORITY,	/* u8: NHS priority, 0 = most preferred */
	MGRE_A_NHS_STATE,	/* u8: enum mgre_nhs_state */
	MGRE_A_STATS,		/* nest: u64 attributes indexed by
				 * enum mgre_stat (attr type = stat + 1;
				 * type 0 is padding)
				 */
	MGRE_A_USED,		/* u32: seconds since the entry last carried
				 * a packet; absent = never used
				 */
	MGRE_A_PAD,
	/* MGRE_CMD_EVENT */
	MGRE_A_EVENT,		/* u8: enum mgre_event */
	MGRE_A_OLD_TYPE,	/* u8: the entry's type before an update */
	MGRE_A_OLD_NBMA,	/* be32: its NBMA address before an update */
	MGRE_A_CIE_CODE,	/* u8: the code of a registration reply
				 * (RFC 2332 5.2.0.1; 14 = the address is
				 * registered from another NBMA address)
				 */
	MGRE_A_ERROR_CODE,	/* u16: the code of an error indication
				 * (RFC 2332 5.3.5; 11 = authentication
				 * failure)
				 */
	MGRE_A_REQID,		/* u32: NHRP request id */
	MGRE_A_CARRIER,		/* u8: 1 on, 0 off */
	/* MGRE_CMD_AUTH_GET */
	MGRE_A_AUTH,		/* binary, 1..8 bytes: the password
				 * (IFLA_MGRE_AUTH)
				 */
	/* MGRE_CMD_NHS_GET: per-NHS counters ("show ip nhrp nhs detail") */
	MGRE_A_NHS_REQ_SENT,	/* u32: registration requests sent to it */
	MGRE_A_NHS_REQ_FAILED,	/* u32: of them, unanswered or refused */
	MGRE_A_NHS_REPL_RECV,	/* u32: its replies to our requests */
	MGRE_A_NHS_LAST_REPLY,	/* u32: seconds since its last reply;
				 * absent: none yet
				 */
	MGRE_A_NHS_DYNAMIC,	/* flag: a dynamic NHS ("nhs dynamic nbma
				 * NBMA"), named by its NBMA address
				 */
	MGRE_A_NEXT_HOP,	/* be32, cache dumps and events: the
				 * protocol (tunnel) address of the peer a
				 * shortcut entry (MGRE_F_SHORTCUT) leads
				 * to, its responder; absent for others
				 */
	__MGRE_A_MAX
};

#define MGRE_A_MAX	(__MGRE_A_MAX - 1)

/* NHRP cache entry types, as in Cisco "show ip nhrp" */
enum mgre_entry_type {
	MGRE_ENTRY_STATIC,	/* configured ("ip nhrp map") */
	MGRE_ENTRY_DYNAMIC,	/* learned from a registration */
	MGRE_ENTRY_CACHED,	/* learned from a resolution reply */
	MGRE_ENTRY_INCOMPLETE,	/* resolution in progress */
	MGRE_ENTRY_NEGATIVE,	/* resolution failed; held down */
	MGRE_ENTRY_LOCAL,	/* one of our own addresses */
	__MGRE_ENTRY_MAX
};

/* NHRP cache entry flags (MGRE_A_FLAGS), bit numbers */
enum mgre_entry_flag_bit {
	MGRE_F_UNIQUE_BIT,	/* registered with the U bit */
	MGRE_F_REGISTERED_BIT,	/* registered with an NHS */
	MGRE_F_USED_BIT,	/* carried data recently */
	MGRE_F_NAT_BIT,		/* peer is behind NAT */
	MGRE_F_ROUTER_BIT,	/* peer is a router (R bit) */
	MGRE_F_SHORTCUT_BIT,	/* a shortcut (IOS "nho"): resolved for a
				 * destination after a Traffic Indication
				 * (IFLA_MGRE_SHORTCUT); overrides the
				 * route's next hop for its prefix
				 */
	__MGRE_F_BIT_MAX
};

#define MGRE_F_UNIQUE		_BITUL(MGRE_F_UNIQUE_BIT)
#define MGRE_F_REGISTERED	_BITUL(MGRE_F_REGISTERED_BIT)
#define MGRE_F_USED		_BITUL(MGRE_F_USED_BIT)
#define MGRE_F_NAT		_BITUL(MGRE_F_NAT_BIT)
#define MGRE_F_ROUTER		_BITUL(MGRE_F_ROUTER_BIT)
#define MGRE_F_SHORTCUT		_BITUL(MGRE_F_SHORTCUT_BIT)

/*
 * Events (MGRE_CMD_EVENT, MGRE_A_EVENT), each with IFINDEX and:
 *
 * NHRP cache entries, with the attributes of MGRE_CMD_MAP_GET (PROTO,
 * PREFIXLEN, NBMA, TYPE, FLAGS [, EXPIRES]) as the entry is after the
 * event (as it was, for the removals):
 */
enum mgre_event {
	MGRE_EV_UNSPEC,
	MGRE_EV_ENTRY_ADD,	/* a new entry: a registration (hub), a
				 * resolution started (incomplete), a
				 * static map
				 */
	MGRE_EV_ENTRY_UPDATE,	/* learned again, with OLD_TYPE and
				 * OLD_NBMA: refreshed, a resolution
				 * answered (incomplete -> cached), a peer
				 * that moved (another NBMA)
				 */
	MGRE_EV_ENTRY_NEGATIVE,	/* its resolution failed (no answer) */
	MGRE_EV_ENTRY_EXPIRE,	/* its holdtime ran out */
	MGRE_EV_ENTRY_PURGE,	/* its owner purged it (a shortcut: or
				 * the route it overrode went)
				 */
	MGRE_EV_ENTRY_FLUSH,	/* MGRE_CMD_FLUSH ("clear ip nhrp") */
	MGRE_EV_ENTRY_DEL,	/* MGRE_CMD_MAP_DEL */
	MGRE_EV_ENTRY_REPLACE,	/* a static map took its place */
	/* registrations */
	MGRE_EV_REG_REFUSED,	/* as a server: PROTO it asked for, NBMA
				 * it came from, CIE_CODE of the reply
				 */
	MGRE_EV_NHS_UP,		/* as a client: PROTO and NBMA of an NHS
				 * that answered our registration
				 */
	MGRE_EV_NHS_DOWN,	/* PROTO, NBMA of an NHS now down: it did
				 * not answer, or refused (CIE_CODE of its
				 * reply, or ERROR_CODE of its error
				 * indication), or missed keepalives
				 */
	/* resolutions */
	MGRE_EV_RES_SENT,	/* PROTO being resolved, REQID (the same
				 * for the retransmissions), sent as the
				 * request goes out, so always before its
				 * answer: ENTRY_UPDATE to cached, or
				 * failed: ENTRY_NEGATIVE
				 */
	/* the device */
	MGRE_EV_CARRIER,	/* CARRIER: "if-state nhrp" or keepalives
				 * turned the carrier on or off
				 */
	__MGRE_EV_MAX
};

#define MGRE_EV_MAX	(__MGRE_EV_MAX - 1)

/* NHS states, as in Cisco "show ip nhrp nhs" (E/R/W) */
enum mgre_nhs_state {
	MGRE_NHS_WAITING,	/* W: not yet tried / waiting for reply */
	MGRE_NHS_RESPONDING,	/* R: answered the last registration */
	MGRE_NHS_EXPECTING,	/* E: expecting replies, none seen yet */
	MGRE_NHS_DOWN,		/* gave up after retries */
	__MGRE_NHS_STATE_MAX
};

/*
 * Counters (MGRE_A_STATS).  Every packet the module drops is counted in
 * exactly one of the *_drop or error counters below, and also in the
 * device's standard rx_dropped/tx_dropped so "ip -s link" sees it.
 */
enum mgre_stat {
	/* transmit */
	MGRE_STAT_TX_UNICAST,		/* data packets sent to one peer */
	MGRE_STAT_TX_MCAST_COPIES,	/* per-peer copies of mcast/bcast */
	MGRE_STAT_TX_CACHE_MISS,	/* no NHRP entry for the next hop:
					 * dropped
					 */
	MGRE_STAT_TX_NO_MCAST_MAP,	/* mcast/bcast with an empty
					 * multicast map: dropped
					 */
	MGRE_STAT_TX_UNSUPPORTED,	/* payload protocol the multipoint
					 * device cannot route: dropped
					 */
	MGRE_STAT_TX_NOMEM,		/* clone/headroom failure: dropped */
	/* receive, per device */
	MGRE_STAT_RX_DATA,		/* data packets decapsulated */
	MGRE_STAT_RX_NHRP,		/* NHRP packets received */
	MGRE_STAT_RX_NHRP_DROP,		/* NHRP packets dropped because
					 * NHRP is off (network-id 0)
					 */
	MGRE_STAT_RX_KEY_MISMATCH,	/* GRE for our local address with
					 * another key (or missing key)
					 */
	/* receive, netns-wide (STATS_GET without IFINDEX) */
	MGRE_STAT_RX_NO_TUNNEL,		/* GRE that matched no device */
	MGRE_STAT_RX_BAD_HEADER,	/* malformed GRE header */
	MGRE_STAT_RX_CSUM_ERR,		/* GRE checksum failed */
	/* NHRP engine, per device ("show ip nhrp traffic") */
	MGRE_STAT_TX_VIA_NHS,		/* data sent via the NHS while the
					 * next hop is being resolved
					 */
	MGRE_STAT_NHRP_TX_RES_REQ,	/* NHRP packets sent, by type */
	MGRE_STAT_NHRP_TX_RES_REPLY,
	MGRE_STAT_NHRP_TX_REG_REQ,
	MGRE_STAT_NHRP_TX_REG_REPLY,
	MGRE_STAT_NHRP_TX_PURGE_REQ,
	MGRE_STAT_NHRP_TX_PURGE_REPLY,
	MGRE_STAT_NHRP_TX_ERROR_IND,
	MGRE_STAT_NHRP_TX_TRAFFIC_IND,
	MGRE_STAT_NHRP_RX_RES_REQ,	/* NHRP packets received, by type */
	MGRE_STAT_NHRP_RX_RES_REPLY,
	MGRE_STAT_NHRP_RX_REG_REQ,
	MGRE_STAT_NHRP_RX_REG_REPLY,
	MGRE_STAT_NHRP_RX_PURGE_REQ,
	MGRE_STAT_NHRP_RX_PURGE_REPLY,
	MGRE_STAT_NHRP_RX_ERROR_IND,
	MGRE_STAT_NHRP_RX_TRAFFIC_IND,
	MGRE_STAT_NHRP_RX_MALFORMED,	/* failed to decode: dropped */
	MGRE_STAT_NHRP_RX_AUTH_FAIL,	/* wrong or missing password */
	MGRE_STAT_NHRP_RX_UNSUPPORTED,	/* not IPv4 over IPv4, or a type
					 * we do not handle: dropped
					 */
	MGRE_STAT_NHRP_RX_UNMATCHED,	/* reply matching no request (its
					 * id, or not from where we sent it)
					 */
	MGRE_STAT_NHRP_RX_LOOP,		/* our address in the transit
					 * records: error indication sent
					 */
	MGRE_STAT_NHRP_RX_HOPCNT,	/* hop count exhausted */
	MGRE_STAT_NHRP_REG_REFUSED,	/* registrations we refused (hub) */
	MGRE_STAT_NHRP_REG_FAILED,	/* our registrations refused
					 * (spoke: a reply with an error code,
					 * or an error indication); see also
					 * MGRE_STAT_NHRP_REG_UNANSWERED
					 */
	MGRE_STAT_NHRP_NOMEM,		/* allocation failures */
	MGRE_STAT_ROUTE_ERRORS,		/* route-inject: a route that could
					 * not be added or removed
					 */
	MGRE_STAT_NHRP_UNIQUE_RECOVER,	/* registrations refused with code
					 * 14 (unique address registered from
					 * another NBMA) that we answered with
					 * a purge and a new registration
					 */
	/* tunnel protection and GRE keepalives, per device */
	MGRE_STAT_RX_UNPROTECTED,	/* GRE (data, NHRP or keepalive)
					 * that did not arrive under IPsec
					 * with "protection require": dropped
					 */
	MGRE_STAT_KA_REFLECTED,		/* GRE keepalives (Cisco, RFC 1701
					 * style) sent back to their sender
					 */
	MGRE_STAT_KA_DROP,		/* keepalives that could not be sent
					 * back (TTL exhausted, no route, or
					 * the underlay refused the packet):
					 * dropped
					 */
	MGRE_STAT_KA_SENT,		/* keepalives we sent ("keepalive") */
	MGRE_STAT_KA_REPLIES,		/* answers to them (GRE protocol
					 * type 0 from the peer)
					 */
	MGRE_STAT_KA_PEER_DOWN,		/* peers marked down: RETRIES
					 * keepalives in a row unanswered
					 */
	MGRE_STAT_KA_UNSOLICITED,	/* GRE protocol type 0 from a peer we
					 * send no keepalives to: dropped
					 */
	/* our registrations unanswered within the retransmission time
	 * (spoke): sent again, with the same request id
	 */
	MGRE_STAT_NHRP_REG_UNANSWERED,
	/* NHRP packets that asked for a change their sender may not make
	 * (Documentation/nhrp.md, "What an NHRP packet may change"):
	 *
	 * a registration (refused, code 4) or a resolution request (dropped)
	 * for a protocol address that is not a host address of the device's
	 * IPv4 subnets (IFLA_MGRE_SUBNET_CHECK)
	 */
	MGRE_STAT_NHRP_RX_OUT_OF_SUBNET,
	/* resolution requests dropped, neither answered nor forwarded: as
	 * the owner of the address asked for, one whose outer source is
	 * neither its source NBMA address nor one of our NHSes; as an NHS,
	 * one whose source protocol address is not registered (or mapped)
	 * here to its outer source
	 */
	MGRE_STAT_NHRP_RX_RES_UNVERIFIED,
	/* resolution requests answered without learning the requester's
	 * binding: we hold another binding for its address, or resolve it
	 * ourselves (incomplete or negative entry), or the request came
	 * straight from the requester (not through an NHS) for an address
	 * we had no entry for
	 */
	MGRE_STAT_NHRP_RES_NOT_LEARNED,
	/* bindings named in a purge request that its sender does not own
	 * (bound to another NBMA address than the purge's outer source, or
	 * static): kept
	 */
	MGRE_STAT_NHRP_PURGE_REFUSED,
	/* registrations refused (code 5): their NBMA address already holds
	 * IFLA_MGRE_PER_NBMA_MAX registrations
	 */
	MGRE_STAT_NHRP_REG_NBMA_LIMIT,
	/* registrations refused (code 5): their NBMA address would be one
	 * more in the multicast map than IFLA_MGRE_MCAST_DYNAMIC_MAX allows
	 * (or the map is full)
	 */
	MGRE_STAT_NHRP_REG_MCAST_LIMIT,
	/* NHRP packets dropped unread: their NBMA source sent more than
	 * IFLA_MGRE_NHRP_RATE_LIMIT a second
	 */
	MGRE_STAT_NHRP_RX_RATELIMITED,
	/* NHRP packets processed without a rate limit: the table of sources
	 * was full (MGRE_RL_MAX sources sent within the last second)
	 */
	MGRE_STAT_NHRP_RX_UNTRACKED,
	/* packets to a next hop with no cache entry that started no
	 * resolution: incomplete and negative entries already fill their
	 * share of the cache (a quarter of IFLA_MGRE_CACHE_MAX, at most
	 * 1024), or the cache is full.  Sent through the NHS all the same.
	 */
	MGRE_STAT_NHRP_RESOLVE_LIMITED,
	/* NHRP packets we did not send: over the device's send budget
	 * (IFLA_MGRE_NHRP_MAX_SEND)
	 */
	MGRE_STAT_NHRP_TX_RATELIMITED,
	/* outer packets not sent: no route to the NBMA address, the route
	 * leads back into the tunnel, or too big with DF set (frag-needed
	 * sent back); also in the device's tx_errors
	 */
	MGRE_STAT_TX_ERRORS,
	/* outer packets of a multipoint device routed with the route (or
	 * XFRM bundle) cached for their NBMA address, and routed by a
	 * lookup: a peer's first packet, the first after a route, XFRM or
	 * device change, NHRP to a peer that carries no data, any packet
	 * with "tos inherit"
	 */
	MGRE_STAT_TX_ROUTE_CACHED,
	MGRE_STAT_TX_ROUTE_LOOKUPS,
	/* route caches made for an NBMA address (its first data packet),
	 * and reclaimed after 30 s without data: the difference is how
	 * many exist
	 */
	MGRE_STAT_ROUTE_CACHES_MADE,
	MGRE_STAT_ROUTE_CACHES_RECLAIMED,
	/* events (MGRE_CMD_EVENT) listeners did not get: no memory, or a
	 * listener's socket was full (it sees ENOBUFS)
	 */
	MGRE_STAT_EVENTS_LOST,
	/* hairpin packets (IFLA_MGRE_REDIRECT) for which no Traffic
	 * Indication was sent: one went to the same (source, destination)
	 * pair, or to one hashed to the same slot, less than
	 * IFLA_MGRE_REDIRECT_TIMEOUT seconds ago, or the source's spoke is
	 * unknown (no route into the tunnel, no cache entry).  The
	 * packets themselves are forwarded.
	 */
	MGRE_STAT_NHRP_REDIRECT_LIMITED,
	/* Traffic Indications not acted on: shortcut is off, the sender is
	 * not one of our NHSes, the quoted packet is not IPv4 or names no
	 * destination we would resolve, or more than MGRE_TI_RATE came in
	 * the last second
	 */
	MGRE_STAT_NHRP_RX_TI_IGNORED,
	/* data packets sent by a shortcut (MGRE_F_SHORTCUT), overriding
	 * the route's next hop
	 */
	MGRE_STAT_TX_SHORTCUT,
	/* shortcuts removed because the route they overrode (the one that
	 * took their destination into the tunnel when they were made, a
	 * summary through the hub, say) was deleted or now leads out of
	 * another device: traffic follows the routing table again
	 */
	MGRE_STAT_NHRP_SHORTCUT_ROUTE_GONE,
	__MGRE_STAT_MAX
};

#define MGRE_STAT_MAX	(__MGRE_STAT_MAX - 1)

#endif /* _UAPI_LINUX_MGRE_H */

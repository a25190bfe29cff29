// SPDX-License-Identifier: GPL-2.0
/*
 * The IPsec SAs of the network namespace (an XFRM_MSG_GETSA dump, as
 * "ip xfrm state" reads them), for the IKE/IPSEC states of "show dmvpn"
 * on a device with "protection require": a peer is UP when an SA
 * protects each direction between us and it, IPSEC when only one does
 * (IKE done, the pair being installed), IKE when none does yet.  Reading
 * SAs takes CAP_NET_ADMIN: without it, nothing is known and the states
 * stay NHRP's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/xfrm.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "nhrpctl.h"

static int sa_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xfrm_sas *s = arg;
	const struct xfrm_usersa_info *sa;
	struct xfrm_sa_pair *v;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA ||
	    nlmsg_datalen(nlh) < (int)sizeof(*sa))
		return NL_SKIP;
	sa = nlmsg_data(nlh);
	if (sa->family != AF_INET ||
	    (sa->id.proto != IPPROTO_ESP && sa->id.proto != IPPROTO_AH))
		return NL_SKIP;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;

		v = realloc(s->sa, cap * sizeof(*v));
		if (!v) {
			s->nomem = true;
			return NL_STOP;
		}
		s->sa = v;
		s->cap = cap;
	}
	s->sa[s->n].src = sa->saddr.a4;
	s->sa[s->n].dst = sa->id.daddr.a4;
	s->sa[s->n].spi = ntohl(sa->id.spi);
	s->n++;
	return NL_OK;
}

int xfrm_sas_read(struct xfrm_sas *s)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	memset(s, 0, sizeof(*s));
	if (!sk)
		return -ENOMEM;
	err = nl_connect(sk, NETLINK_XFRM);
	if (!err)
		err = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, sa_cb, s);
	if (!err)
		err = nl_send_simple(sk, XFRM_MSG_GETSA, NLM_F_DUMP, NULL, 0);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (err >= 0 && s->nomem)
		err = -ENOMEM;
	if (err < 0) {
		xfrm_sas_free(s);
		return err;
	}
	s->known = true;
	return 0;
}

void xfrm_sas_free(struct xfrm_sas *s)
{
	free(s->sa);
	s->sa = NULL;
	s->n = s->cap = 0;
	s->known = false;
}

/*
 * The SAs between @local (0: any of ours) and @peer: *out, *in their SPIs
 * (0: none).
 */
void xfrm_sas_peer(const struct xfrm_sas *s, uint32_t local, uint32_t peer,
		   uint32_t *out, uint32_t *in)
{
	size_t i;

	*out = *in = 0;
	for (i = 0; i < s->n; i++) {
		const struct xfrm_sa_pair *p = &s->sa[i];

		if (p->dst == peer && (!local || p->src == local) && !*out)
			*out = p->spi;
		if (p->src == peer && (!local || p->dst == local) && !*in)
			*in = p->spi;
	}
}

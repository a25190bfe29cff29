// SPDX-License-Identifier: GPL-2.0
/*
 * The NHS list.  See nhs.h.
 */

#include <linux/slab.h>
#include <uapi/mgre.h>

#include "nhs.h"

void mgre_nhs_init(struct mgre_nhs_list *nhs)
{
	INIT_LIST_HEAD(&nhs->list);
	spin_lock_init(&nhs->lock);
	nhs->count = 0;
}

/* No readers or writers are left (see mgre_dev_free()). */
void mgre_nhs_destroy(struct mgre_nhs_list *nhs)
{
	struct mgre_nhs *n, *tmp;

	list_for_each_entry_safe(n, tmp, &nhs->list, node) {
		list_del(&n->node);
		kfree(n);
	}
	nhs->count = 0;
}

/* A dynamic NHS by its NBMA address, another by its protocol address. */
bool mgre_nhs_match(const struct mgre_nhs *n, const struct mgre_nhs_id *id)
{
	if (n->dynamic != id->dynamic)
		return false;
	return id->dynamic ? n->nbma == id->nbma : n->proto == id->proto;
}

static struct mgre_nhs *mgre_nhs_find(struct mgre_nhs_list *nhs,
				      const struct mgre_nhs_id *id)
{
	struct mgre_nhs *n;

	lockdep_assert_held(&nhs->lock);
	list_for_each_entry(n, &nhs->list, node)
		if (mgre_nhs_match(n, id))
			return n;
	return NULL;
}

int mgre_nhs_add(struct mgre_nhs_list *nhs, const struct mgre_nhs_id *id,
		 u8 priority, struct netlink_ext_ack *extack)
{
	struct mgre_nhs *n, *pos;
	int ret = 0;

	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	n->proto = id->proto;
	n->nbma = id->nbma;
	n->dynamic = id->dynamic;
	n->priority = priority;
	n->state = MGRE_NHS_WAITING;
	n->next_send = jiffies;

	spin_lock_bh(&nhs->lock);
	if (mgre_nhs_find(nhs, id)) {
		NL_SET_ERR_MSG(extack, "this NHS is already configured");
		ret = -EEXIST;
		goto out;
	}
	if (nhs->count >= MGRE_NHS_MAX) {
		NL_SET_ERR_MSG(extack, "too many NHS entries");
		ret = -ENOSPC;
		goto out;
	}
	/* Keep the list sorted: most preferred (lowest value) first. */
	list_for_each_entry(pos, &nhs->list, node)
		if (pos->priority > priority)
			break;
	list_add_tail_rcu(&n->node, &pos->node);
	nhs->count++;
	n = NULL;
out:
	spin_unlock_bh(&nhs->lock);
	kfree(n);
	return ret;
}

int mgre_nhs_del(struct mgre_nhs_list *nhs, const struct mgre_nhs_id *id,
		 struct netlink_ext_ack *extack)
{
	struct mgre_nhs *n;
	int ret = 0;

	spin_lock_bh(&nhs->lock);
	n = mgre_nhs_find(nhs, id);
	if (!n) {
		if (id->dynamic)
			NL_SET_ERR_MSG(extack, "no such dynamic NHS");
		else
			NL_SET_ERR_MSG(extack,
				       "no such NHS (a dynamic one is named by \"dynamic nbma NBMA\")");
		ret = -ENOENT;
	} else {
		list_del_rcu(&n->node);
		nhs->count--;
		kfree_rcu(n, rcu);
	}
	spin_unlock_bh(&nhs->lock);
	return ret;
}

/* Forget registration state: register with every NHS again now. */
void mgre_nhs_reset(struct mgre_nhs_list *nhs)
{
	struct mgre_nhs *n;

	spin_lock_bh(&nhs->lock);
	list_for_each_entry(n, &nhs->list, node) {
		WRITE_ONCE(n->state, MGRE_NHS_WAITING);
		n->fails = 0;
		n->awaiting = false;
		n->next_send = jiffies;
		n->ka_missed = 0;
		n->ka_down = false;
	}
	spin_unlock_bh(&nhs->lock);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * nhrpctl: names of the uapi enums and flags.  The tables themselves are
 * generated from kmod/uapi/mgre.h by gen_names.sh into names_gen.h.
 */
#include <stdio.h>

#include "nhrpctl.h"

struct flag_name {
	uint32_t bit;
	const char *name;
};

#include "names_gen.h"

/* names[value], or "<prefix>_<value>" for values this tool does not know */
static const char *lookup(const char *const *names, size_t n,
			  unsigned int value, const char *prefix,
			  char *buf, size_t len)
{
	if (value < n && names[value])
		return names[value];
	snprintf(buf, len, "%s_%u", prefix, value);
	return buf;
}

const char *stat_name(unsigned int stat, char *buf, size_t len)
{
	return lookup(stat_names, ARRAY_SIZE(stat_names), stat, "stat",
		      buf, len);
}

const char *entry_type_name(unsigned int type, char *buf, size_t len)
{
	return lookup(entry_type_names, ARRAY_SIZE(entry_type_names), type,
		      "type", buf, len);
}

const char *nhs_state_name(unsigned int state, char *buf, size_t len)
{
	return lookup(nhs_state_names, ARRAY_SIZE(nhs_state_names), state,
		      "state", buf, len);
}

const char *event_name(unsigned int event, char *buf, size_t len)
{
	return lookup(event_names, ARRAY_SIZE(event_names), event, "event",
		      buf, len);
}

void flags_foreach(uint32_t flags, void (*fn)(const char *name, void *arg),
		   void *arg)
{
	char buf[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flag_names); i++) {
		if (flags & flag_names[i].bit) {
			fn(flag_names[i].name, arg);
			flags &= ~flag_names[i].bit;
		}
	}
	if (flags) {
		snprintf(buf, sizeof(buf), "0x%x", flags);
		fn(buf, arg);
	}
}

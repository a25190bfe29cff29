/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader for the Cisco capture vectors in shared/vectors: the raw NHRP
 * PDUs (<f>.nhrp-hex.txt) with their tshark field dump (<f>.fields.txt)
 * and verbose decode (<f>.tshark.txt).
 */
#ifndef _MGRE_VECTORS_H
#define _MGRE_VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct vec {
	char name[512];		/* "<subdir>/<capture>", e.g. tcpdump/x.pcap */
	int frame;		/* frame number in the capture */
	int type;		/* NHRP type according to tshark */
	uint8_t *buf;
	size_t len;
	char *fields;		/* the fields.txt line of this frame or NULL */
	char *tshark;		/* this frame's tshark -V text or NULL */
};

/* Load every vector below @dir; returns the count (<0 on error). */
int vec_load(const char *dir, struct vec **out);
void vec_free(struct vec *v, int n);

/* Split @s in place at @sep (empty fields kept); returns field count. */
int vec_split(char *s, char sep, char **f, int max);

#endif

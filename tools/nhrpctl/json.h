/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal streaming JSON writer: compact by default, indented with
 * "pretty".  Every value call takes the member key; pass NULL for array
 * elements and the top-level value.
 */
#ifndef NHRPCTL_JSON_H
#define NHRPCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	bool pretty;
	unsigned int depth;
	bool comma;		/* a value precedes at this depth */
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_open_object(struct json *j, const char *key);
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_string(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
void json_end(struct json *j);
/* flags_foreach() callback: @name as an array element of the json @arg */
void json_flag(const char *name, void *arg);

#endif /* NHRPCTL_JSON_H */

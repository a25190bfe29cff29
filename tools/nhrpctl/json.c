// SPDX-License-Identifier: GPL-2.0
/* nhrpctl: minimal streaming JSON writer */
#include <inttypes.h>

#include "json.h"

#define JSON_INDENT 4

void json_init(struct json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->comma = false;
}

static void newline(struct json *j)
{
	if (j->pretty)
		fprintf(j->f, "\n%*s", (int)(j->depth * JSON_INDENT), "");
}

static void put_string(struct json *j, const char *s)
{
	const unsigned char *p;

	fputc('"', j->f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(j->f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(j->f, "\\u%04x", *p);
		else
			fputc(*p, j->f);
	}
	fputc('"', j->f);
}

/* Separator, indentation and key before a value */
static void begin_value(struct json *j, const char *key)
{
	if (j->comma)
		fputc(',', j->f);
	if (j->depth)
		newline(j);
	if (key) {
		put_string(j, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
	j->comma = true;
}

static void open_container(struct json *j, const char *key, char c)
{
	begin_value(j, key);
	fputc(c, j->f);
	j->depth++;
	j->comma = false;
}

static void close_container(struct json *j, char c)
{
	bool empty = !j->comma;

	j->depth--;
	if (!empty)
		newline(j);
	fputc(c, j->f);
	j->comma = true;
}

void json_open_object(struct json *j, const char *key)
{
	open_container(j, key, '{');
}

void json_close_object(struct json *j)
{
	close_container(j, '}');
}

void json_open_array(struct json *j, const char *key)
{
	open_container(j, key, '[');
}

void json_close_array(struct json *j)
{
	close_container(j, ']');
}

void json_string(struct json *j, const char *key, const char *val)
{
	begin_value(j, key);
	put_string(j, val);
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	begin_value(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	begin_value(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	begin_value(j, key);
	fputs("null", j->f);
}

/* Ends the top-level value */
void json_end(struct json *j)
{
	fputc('\n', j->f);
}

void json_flag(const char *name, void *arg)
{
	json_string(arg, NULL, name);
}

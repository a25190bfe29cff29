// SPDX-License-Identifier: GPL-2.0
/* Loader for the shared/vectors capture dumps (see vectors.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	if (s)
		s[n] = '\0';
	fclose(f);
	return s;
}

int vec_split(char *s, char sep, char **f, int max)
{
	int n = 0;

	while (n < max) {
		char *e = strchr(s, sep);

		f[n++] = s;
		if (!e)
			break;
		*e = '\0';
		s = e + 1;
	}
	return n;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The fields.txt line for @frame (copied) or NULL. */
static char *find_fields(const char *text, int frame)
{
	const char *l = text;

	while (l && *l) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);

		if (atoi(l) == frame && strchr(l, '|'))
			return strndup(l, n);
		l = e ? e + 1 : NULL;
	}
	return NULL;
}

/* The tshark -V block of @frame (copied) or NULL. */
static char *find_tshark(const char *text, int frame)
{
	char key[32];
	const char *s, *e;

	snprintf(key, sizeof(key), "Frame %d:", frame);
	for (s = strstr(text, key); s; s = strstr(s + 1, key))
		if (s == text || s[-1] == '\n')
			break;
	if (!s)
		return NULL;
	e = strstr(s + 1, "\nFrame ");
	return strndup(s, e ? (size_t)(e - s) : strlen(s));
}

static int add_file(const char *dir, const char *sub, const char *hexname,
		    struct vec **out, int *n, int *cap)
{
	char path[1024], base[512];
	char *hex, *fields, *tshark, *l;
	size_t bl = strlen(hexname) - strlen(".nhrp-hex.txt");

	snprintf(base, sizeof(base), "%s/%.*s", sub, (int)bl, hexname);
	snprintf(path, sizeof(path), "%s/%s.nhrp-hex.txt", dir, base);
	hex = slurp(path);
	if (!hex)
		return -1;
	snprintf(path, sizeof(path), "%s/%s.fields.txt", dir, base);
	fields = slurp(path);
	snprintf(path, sizeof(path), "%s/%s.tshark.txt", dir, base);
	tshark = slurp(path);

	for (l = hex; l && *l;) {
		char *e = strchr(l, '\n'), *h, *p;
		struct vec *v;
		size_t i;

		if (e)
			*e = '\0';
		if (strncmp(l, "frame=", 6)) {
			l = e ? e + 1 : NULL;
			continue;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*out = realloc(*out, sizeof(**out) * (size_t)*cap);
		}
		v = &(*out)[(*n)++];
		memset(v, 0, sizeof(*v));
		snprintf(v->name, sizeof(v->name), "%s", base);
		v->frame = atoi(l + 6);
		p = strstr(l, "nhrp_type=");
		v->type = p ? atoi(p + 10) : -1;
		h = e ? e + 1 : l + strlen(l);
		e = strchr(h, '\n');
		if (e)
			*e = '\0';
		while (*h == ' ')
			h++;
		v->len = strlen(h) / 2;
		v->buf = malloc(v->len ? v->len : 1);
		for (i = 0; i < v->len; i++)
			v->buf[i] = (uint8_t)(hexval(h[2 * i]) << 4 |
					      hexval(h[2 * i + 1]));
		v->fields = fields ? find_fields(fields, v->frame) : NULL;
		v->tshark = tshark ? find_tshark(tshark, v->frame) : NULL;
		l = e ? e + 1 : NULL;
	}
	free(hex);
	free(fields);
	free(tshark);
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vec_load(const char *dir, struct vec **out)
{
	static const char sfx[] = ".nhrp-hex.txt";
	char *names[512];
	int nn = 0, n = 0, cap = 0, i;
	DIR *d = opendir(dir), *sd;
	struct dirent *de, *se;

	*out = NULL;
	if (!d)
		return -1;
	while ((de = readdir(d)) && nn < 512) {
		char sub[1024];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		sd = opendir(sub);
		if (!sd)
			continue;
		while ((se = readdir(sd)) && nn < 512) {
			size_t l = strlen(se->d_name);

			if (l > sizeof(sfx) - 1 &&
			    !strcmp(se->d_name + l - (sizeof(sfx) - 1), sfx) &&
			    asprintf(&names[nn], "%s/%s", de->d_name,
				     se->d_name) > 0)
				nn++;
		}
		closedir(sd);
	}
	closedir(d);
	qsort(names, (size_t)nn, sizeof(names[0]), cmpstr);
	for (i = 0; i < nn; i++) {
		char *slash = strchr(names[i], '/');

		*slash = '\0';
		if (add_file(dir, names[i], slash + 1, out, &n, &cap))
			fprintf(stderr, "cannot read %s/%s\n", names[i],
				slash + 1);
		free(names[i]);
	}
	return n;
}

void vec_free(struct vec *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(v[i].buf);
		free(v[i].fields);
		free(v[i].tshark);
	}
	free(v);
}

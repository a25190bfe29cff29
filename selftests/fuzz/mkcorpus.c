// SPDX-License-Identifier: GPL-2.0
/*
 * Write every capture vector (shared/vectors/<dir>/<f>.nhrp-hex.txt) as
 * one raw file into a libFuzzer seed corpus directory.
 * usage: mkcorpus VECTORS_DIR OUT_DIR
 */
#include <stdio.h>
#include <string.h>

#include "vectors.h"

int main(int argc, char **argv)
{
	struct vec *v;
	int n, i, w = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s VECTORS_DIR OUT_DIR\n", argv[0]);
		return 2;
	}
	n = vec_load(argv[1], &v);
	for (i = 0; i < n; i++) {
		char path[1200], name[512], *c;
		FILE *f;

		snprintf(name, sizeof(name), "%s", v[i].name);
		for (c = name; *c; c++)
			if (*c == '/')
				*c = '_';
		snprintf(path, sizeof(path), "%s/%s-%d", argv[2], name,
			 v[i].frame);
		f = fopen(path, "wb");
		if (!f || fwrite(v[i].buf, 1, v[i].len, f) != v[i].len) {
			perror(path);
			return 1;
		}
		fclose(f);
		w++;
	}
	vec_free(v, n);
	printf("mkcorpus: %d seeds from %s\n", w, argv[1]);
	return w > 0 ? 0 : 1;
}

/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP producer for the userspace unit tests. */
#ifndef _MGRE_TAP_H
#define _MGRE_TAP_H

#include <stdarg.h>
#include <stdio.h>

extern int tap_n, tap_fail;

/* Report one test case; returns @ok. */
static inline int tap_ok(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline int tap_ok(int ok, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!ok)
		tap_fail++;
	printf("%sok %d - ", ok ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return ok;
}

/* Diagnostic line (TAP comment). */
#define tap_diag(...)					\
	do {						\
		printf("# ");				\
		printf(__VA_ARGS__);			\
		putchar('\n');				\
	} while (0)

#endif

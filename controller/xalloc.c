/* xalloc.c - allocation that aborts on exhaustion (see xalloc.h). */
#define _GNU_SOURCE /* vasprintf */
#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#include "banned.h"

static void *xcheck(void *p, size_t n)
{
	if (!p && n)
		fatalx("out of memory allocating %zu bytes", n);
	return p;
}

void *xmalloc(size_t n)
{
	return xcheck(malloc(n ? n : 1), n ? n : 1);
}

void *xcalloc(size_t nmemb, size_t size)
{
	if (!nmemb || !size)
		nmemb = size = 1;
	return xcheck(calloc(nmemb, size), nmemb * size);
}

void *xrealloc(void *p, size_t n)
{
	return xcheck(realloc(p, n ? n : 1), n ? n : 1);
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		fatalx("allocation size overflow (%zu x %zu)", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p = NULL;

	if (vasprintf(&p, fmt, ap) < 0)
		fatalx("out of memory formatting a string");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

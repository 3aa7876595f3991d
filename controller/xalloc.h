/*
 * xalloc.h - allocation that cannot fail.
 *
 * Running out of memory is not an input error we can report usefully, so
 * these abort with a message instead of returning NULL (as git's xmalloc).
 * Bounds on what outside input may make us allocate live elsewhere (buf.h
 * maximums, the YAML limits), so this never hides unbounded growth.
 */
#ifndef MOORING_XALLOC_H
#define MOORING_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size each; checks for overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

#endif

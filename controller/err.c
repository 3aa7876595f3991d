/* err.c - the per-thread last-error slot (see err.h). */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

#define ERR_MSG_MAX 1024

static _Thread_local char err_msg[ERR_MSG_MAX];
static _Thread_local int err_code;

static int err_vset(int code, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Formatted into a local buffer first: an argument may be err_last()
 * itself (a caller adding context to the error it got). */
static int err_vset(int code, const char *prefix, const char *fmt, va_list ap)
{
	char msg[ERR_MSG_MAX];
	size_t off = 0;
	int n;

	if (prefix) {
		n = snprintf(msg, sizeof(msg), "%s", prefix);
		off = n < 0 ? 0 : (size_t)n;
		if (off >= sizeof(msg))
			off = sizeof(msg) - 1;
	}
	vsnprintf(msg + off, sizeof(msg) - off, fmt, ap);
	memcpy(err_msg, msg, strlen(msg) + 1);
	err_code = code;
	return code;
}

int err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int err_set_at(int code, const char *file, unsigned line, unsigned col,
	       const char *fmt, ...)
{
	char prefix[512];
	va_list ap;

	if (file && line && col)
		snprintf(prefix, sizeof(prefix), "%s:%u:%u: ", file, line, col);
	else if (file && line)
		snprintf(prefix, sizeof(prefix), "%s:%u: ", file, line);
	else if (file)
		snprintf(prefix, sizeof(prefix), "%s: ", file);
	else
		prefix[0] = '\0';
	va_start(ap, fmt);
	err_vset(code, prefix, fmt, ap);
	va_end(ap);
	return code;
}

int err_set_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	err_vset(code, NULL, fmt, ap);
	va_end(ap);
	len = strlen(err_msg);
	snprintf(err_msg + len, sizeof(err_msg) - len, ": %s", strerror(saved));
	errno = saved;
	return code;
}

const char *err_last(void)
{
	return err_msg;
}

int err_last_code(void)
{
	return err_code;
}

void err_clear(void)
{
	err_msg[0] = '\0';
	err_code = MOOR_OK;
}

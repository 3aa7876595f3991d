/* log.c - stderr logging with a level and an optional sink (see log.h). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *log_progname = "mooring";
static enum log_level log_level = LOG_LEVEL_WARN;
static log_sink_fn log_sink;
static void *log_sink_data;

static const char *const level_words[] = {
    [LOG_LEVEL_ERROR] = "",
    [LOG_LEVEL_WARN] = "warning: ",
    [LOG_LEVEL_INFO] = "",
    [LOG_LEVEL_DEBUG] = "debug: ",
};

void log_init(const char *progname, enum log_level level)
{
	if (progname)
		log_progname = progname;
	log_level = level;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_set_sink(log_sink_fn sink, void *data)
{
	log_sink = sink;
	log_sink_data = data;
}

static void log_vemit(enum log_level level, int with_errno, const char *fmt,
		      va_list ap) __attribute__((format(printf, 3, 0)));

static void log_vemit(enum log_level level, int with_errno, const char *fmt,
		      va_list ap)
{
	int saved = errno;
	char msg[2048];
	size_t len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s", strerror(saved));
	}
	if (log_sink)
		log_sink(log_sink_data, level, msg);
	else
		fprintf(stderr, "%s: %s%s\n", log_progname, level_words[level],
			msg);
	errno = saved;
}

#define LOG_BODY(level, with_errno)                                            \
	do {                                                                   \
		va_list ap;                                                    \
		if (log_level < (level))                                       \
			return;                                                \
		va_start(ap, fmt);                                             \
		log_vemit((level), (with_errno), fmt, ap);                     \
		va_end(ap);                                                    \
	} while (0)

void log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARN, 1);
}

void log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARN, 0);
}

void log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_INFO, 0);
}

void log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_DEBUG, 0);
}

void log_errorx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERROR, 0);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERROR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

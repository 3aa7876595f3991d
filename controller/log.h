/*
 * log.h - logging to stderr, in the manner of OpenBSD's log.h.
 *
 * log_warn() appends strerror(errno); the x variants do not. The level is
 * tested before anything is formatted. errno is preserved across calls.
 * Lines look like "mooring: warning: ...". A sink can be installed (tests
 * use it to capture warnings).
 */
#ifndef MOORING_LOG_H
#define MOORING_LOG_H

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

typedef void (*log_sink_fn)(void *data, enum log_level level, const char *msg);

void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* NULL restores stderr. */
void log_set_sink(log_sink_fn sink, void *data);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif

/*
 * err.h - error codes and the last-error slot.
 *
 * Every function that can fail returns 0 on success and a negative code
 * on failure. The place that knows what went wrong writes one message into
 * a per-thread slot with err_set()/err_set_at(); callers pass the code up
 * without rewriting the message. The CLI prints it as one line:
 *
 *     mooring: stacks/api/compose.yaml:12:5: unknown key 'mem_limitt' ...
 *
 * Messages are lowercase, with no trailing full stop, the subject in
 * quotes, and file:line:column first when there is one.
 */
#ifndef MOORING_ERR_H
#define MOORING_ERR_H

enum {
	MOOR_OK = 0,
	MOOR_ERR = -1,	     /* generic failure */
	MOOR_EINVAL = -2,    /* bad input: syntax, schema, semantics */
	MOOR_ENOTFOUND = -3, /* a named thing does not exist */
	MOOR_ELIMIT = -4,    /* a size, depth or work budget was exceeded */
	MOOR_EIO = -5,	     /* the system said no (open, read, write) */
	MOOR_ECONFLICT = -6, /* the thing exists already / is in use */
	MOOR_ETIMEOUT = -7,  /* waited long enough */
	MOOR_ELOCKED = -8,   /* another mooring holds the lock */
};

/* Store a message and return code, so `return err_set(...)` reads well. */
int err_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Same, prefixed with "file:line:col: " (line/col 0 are left out). */
int err_set_at(int code, const char *file, unsigned line, unsigned col,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Like err_set() but appends ": strerror(errno)". */
int err_set_errno(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The last message ("" when none) and its code (MOOR_OK when none). */
const char *err_last(void);
int err_last_code(void);
void err_clear(void);

#endif

/*
 * engine_decode.h - turning what the Docker daemon sends into json_t and
 * mooring errors, with no I/O: the part of the engine client that reads
 * outside input, split from engine.c so that it can be fuzzed and unit
 * tested without a daemon.
 *
 * engine_decode_response() decides whether a status is success and parses
 * or discards the body; on failure it writes the one error message
 * engine.h promises ("docker: POST /containers/create: 409 conflict: ...").
 *
 * struct engine_lines splits a byte stream (GET /events) into lines, each
 * at most max_line bytes, parses each line as JSON and hands it to the
 * callback. The event passed to the callback is borrowed: it is released
 * when the callback returns (json_incref() it to keep it).
 */
#ifndef MOORING_ENGINE_DECODE_H
#define MOORING_ENGINE_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "engine.h"

/* A daemon message is cut to this many bytes in our error messages. */
#define ENGINE_MAX_DAEMON_MESSAGE 400

/*
 * Parse "major.minor" (digits only, each at most 4 of them). Returns 0,
 * or MOOR_EINVAL without setting a message.
 */
int engine_api_version_parse(int *major_out, int *minor_out, const char *s);
/* <0, 0, >0 as a is older, equal or newer than b; both must parse. */
int engine_api_version_cmp(const char *a, const char *b);

/*
 * One finished response. path is the request path as the caller gave it
 * (the query is left out of messages). ok_statuses is a 0-terminated list
 * or NULL; 2xx is always success. On success *out (if out is non-NULL) is
 * the parsed body, or NULL when the body is empty or the status is a
 * listed non-2xx one. A 2xx body that is not JSON is an error.
 */
int engine_decode_response(json_t **out, const char *method, const char *path,
			   long status, const char *body, size_t len,
			   const int *ok_statuses);

/* The reason phrase mooring shows for an HTTP status ("conflict"). */
const char *engine_status_text(long status);

struct engine_lines {
	struct buf line;
	engine_event_fn cb;
	void *data;
	size_t max_line;
	int cb_rc;    /* what the callback returned when it stopped us */
	bool stopped; /* the callback returned non-zero */
};

void engine_lines_init(struct engine_lines *l, size_t max_line,
		       engine_event_fn cb, void *data);
void engine_lines_release(struct engine_lines *l);
/*
 * Feed bytes. Returns 0 to go on, 1 once the callback has stopped the
 * stream (later feeds are ignored), or a negative code with the message
 * set (line too long, a line that is not a JSON object).
 */
int engine_lines_feed(struct engine_lines *l, const char *data, size_t len);
/* End of stream: a last line without '\n' is still delivered. */
int engine_lines_finish(struct engine_lines *l);

#endif

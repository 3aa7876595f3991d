/*
 * engine_int.h - what engine.c (connection, requests, events) and
 * engine_api.c (the typed endpoints) share. Not for other modules.
 */
#ifndef MOORING_ENGINE_INT_H
#define MOORING_ENGINE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "engine.h"

/* Longest request path we build (names and filters come from callers). */
#define ENGINE_MAX_PATH (256u << 10)

struct engine {
	CURL *curl;
	struct curl_slist *json_headers;  /* requests with a JSON body */
	struct curl_slist *plain_headers; /* requests without one */
	char *socket_path;
	char api[32]; /* "1.41": digits only, safe in a path */
	long connect_timeout_ms;
	long request_timeout_ms;
	size_t max_response;
	struct buf body;
	bool too_big; /* the write callback refused the response */
	char errbuf[CURL_ERROR_SIZE];
};

/* engine_request() with its own total timeout. */
int engine_request_timeout(struct engine *e, json_t **out, const char *method,
			   const char *path, const json_t *body,
			   const int *ok_statuses, long timeout_ms);

/* Append s %-encoded; bytes in keep (e.g. "/:@") pass through as is. */
void engine_escape(struct buf *b, const char *s, const char *keep);
/* Append "<sep>filters=<encoded JSON>" when filters is non-NULL. */
int engine_add_filters(struct buf *b, char sep, const json_t *filters);
/* Refuse a path that reached ENGINE_MAX_PATH (appends were cut). */
int engine_path_check(const struct buf *b);

#endif

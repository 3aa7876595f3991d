/*
 * engine.h - Docker Engine API client over the unix socket (libcurl,
 * jansson). The only module that speaks HTTP to the daemon.
 *
 * One struct engine is one reused connection (a curl easy handle with
 * keep-alive on the unix socket). It is not thread-safe: a thread that
 * talks to the daemon opens its own.
 *
 * engine_open() negotiates the API version: GET /_ping (its Api-Version
 * header; GET /version's ApiVersion when the header is missing, as /version
 * costs the daemon 10 ms and more), refuse a daemon below 1.41, then prefix
 * every request with /v<min(daemon, MOORING_ENGINE_API_MAX)>.
 *
 * Every response body is capped (ENGINE_MAX_RESPONSE, events excepted,
 * which are read line by line with a per-line cap); every request has a
 * timeout. Failures become one message:
 *   "cannot reach docker at '/var/run/docker.sock': <curl error>"
 *   "docker: POST /containers/create: 409 conflict: <daemon's message>"
 * and codes: MOOR_ENOTFOUND for 404, MOOR_ECONFLICT for 409, MOOR_EIO for
 * transport errors and other statuses, MOOR_ETIMEOUT when the daemon does
 * not answer within the request timeout ("docker: GET /x: no answer within
 * 60000 ms"), MOOR_ELIMIT for a response over the cap. Request bodies never
 * appear in messages (Env may hold secrets).
 *
 * JSON in and out is jansson's json_t; ownership: *out objects are new
 * references the caller json_decref()s; bodies passed in are borrowed.
 */
#ifndef MOORING_ENGINE_H
#define MOORING_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define ENGINE_API_MIN	      "1.41"
#define ENGINE_MAX_RESPONSE   (64u << 20)
#define ENGINE_DEFAULT_SOCKET "/var/run/docker.sock"

struct engine;

struct engine_options {
	const char *socket_path; /* NULL: ENGINE_DEFAULT_SOCKET */
	long connect_timeout_ms; /* 0: 2000 */
	long request_timeout_ms; /* 0: 60000 (a stop can take its grace) */
	size_t max_response;	 /* 0: ENGINE_MAX_RESPONSE */
};

int engine_open(struct engine **out, const struct engine_options *opts);
void engine_free(struct engine *e);
/* "1.41", as negotiated. */
const char *engine_api_version(const struct engine *e);
const char *engine_socket_path(const struct engine *e);

/*
 * One request. path is relative to the version prefix ("/containers/json")
 * and already query-encoded. body may be NULL. *out is the parsed JSON
 * body, or NULL for an empty body (out may be NULL to discard it).
 * A non-2xx status is an error, except those listed in ok_statuses
 * (e.g. 304 for start/stop of an already started/stopped container).
 */
int engine_request(struct engine *e, json_t **out, const char *method,
		   const char *path, const json_t *body,
		   const int *ok_statuses);

/* Containers. filters is a Docker filters object, e.g.
 * {"label": ["io.mooring.unit=api"]}; may be NULL. */
int engine_containers_list(struct engine *e, json_t **out,
			   const json_t *filters, bool all);
int engine_container_inspect(struct engine *e, json_t **out, const char *id);
int engine_container_create(struct engine *e, char **id_out, const char *name,
			    const json_t *body);
int engine_container_start(struct engine *e, const char *id);
/* timeout_s < 0: the container's own StopTimeout. */
int engine_container_stop(struct engine *e, const char *id, int timeout_s);
int engine_container_rename(struct engine *e, const char *id,
			    const char *new_name);
int engine_container_remove(struct engine *e, const char *id, bool force,
			    bool volumes);
/* Wait until the container is no longer running; *exit_code_out. */
int engine_container_wait(struct engine *e, const char *id, int *exit_code_out);

/* Images: MOOR_ENOTFOUND when the reference is not present locally. */
int engine_image_inspect(struct engine *e, json_t **out, const char *ref);

/* Networks and volumes. */
int engine_networks_list(struct engine *e, json_t **out, const json_t *filters);
int engine_network_inspect(struct engine *e, json_t **out, const char *name);
int engine_network_create(struct engine *e, char **id_out, const json_t *body);
/* endpoint may be NULL ({} is sent). */
int engine_network_connect(struct engine *e, const char *network,
			   const char *container, const json_t *endpoint);
int engine_network_disconnect(struct engine *e, const char *network,
			      const char *container, bool force);
int engine_network_remove(struct engine *e, const char *network);
/* *out is the array of volumes (the daemon's "Volumes", [] for null). */
int engine_volumes_list(struct engine *e, json_t **out, const json_t *filters);
int engine_volume_inspect(struct engine *e, json_t **out, const char *name);
int engine_volume_create(struct engine *e, json_t **out, const json_t *body);

/*
 * Stream events (GET /events) as newline-separated JSON, calling cb for
 * each. Returns when cb returns non-zero (that value, if negative; 0 if
 * positive), when `until` (unix seconds, 0 = never) passes, or on error.
 * filters as for lists; since is unix seconds (0 = now).
 * The event passed to cb is borrowed: json_incref() it to keep it.
 * No timeout applies unless until is set: events may be silent for hours.
 */
typedef int (*engine_event_fn)(void *data, json_t *event);
int engine_events(struct engine *e, const json_t *filters, long since,
		  long until, engine_event_fn cb, void *data);

#endif

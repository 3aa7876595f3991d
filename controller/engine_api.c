/* engine_api.c - the typed Docker Engine endpoints (containers, images,
 * networks, volumes) on top of engine_request() (see engine.h). */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "engine_int.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#include "banned.h"

/* A wait lasts as long as the container runs; bounded all the same. */
#define ENGINE_WAIT_TIMEOUT_MS (24L * 3600 * 1000)

/* Paths and queries. */

/* A path segment or query value, %-encoded; keep (e.g. "/:@") is passed
 * through as is. */
void engine_escape(struct buf *b, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (keep && strchr(keep, c))) {
			buf_addc(b, (char)c);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

/* Append "<sep>filters=<encoded JSON>" when filters is non-NULL. */
int engine_add_filters(struct buf *b, char sep, const json_t *filters)
{
	char *text;

	if (!filters)
		return 0;
	text = json_dumps(filters, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return err_set(MOOR_EINVAL, "docker: cannot encode filters");
	buf_addc(b, sep);
	buf_adds(b, "filters=");
	engine_escape(b, text, NULL);
	free(text);
	return 0;
}

/* b holds a path built from names given by our callers: refuse silly
 * lengths once, instead of checking every append. */
int engine_path_check(const struct buf *b)
{
	if (b->len + 4 >= b->max)
		return err_set(MOOR_ELIMIT,
			       "docker: request path exceeds %u bytes",
			       ENGINE_MAX_PATH);
	return 0;
}

/* "<prefix><escaped name><suffix>", e.g. "/containers/" id "/json". */
static void engine_path_name(struct buf *b, const char *prefix,
			     const char *name, const char *suffix)
{
	buf_adds(b, prefix);
	engine_escape(b, name, NULL);
	buf_adds(b, suffix);
}

static int engine_list(struct engine *e, json_t **out, const char *what,
		       const json_t *filters, const char *extra)
{
	struct buf path = BUF_INIT(ENGINE_MAX_PATH);
	json_t *list = NULL;
	int error = -1;

	buf_adds(&path, what);
	if (extra)
		buf_adds(&path, extra);
	if ((error = engine_add_filters(&path, extra ? '&' : '?', filters)) <
		0 ||
	    (error = engine_path_check(&path)) < 0 ||
	    (error = engine_request(e, &list, "GET", path.data, NULL, NULL)) <
		0)
		goto cleanup;
	*out = list;
	error = 0;

cleanup:
	buf_release(&path);
	return error;
}

/* GET/DELETE/POST on "<prefix><name><suffix>", body optional. */
static int engine_on_name(struct engine *e, json_t **out, const char *method,
			  const char *prefix, const char *name,
			  const char *suffix, const json_t *body,
			  const int *ok_statuses, long timeout_ms)
{
	struct buf path = BUF_INIT(ENGINE_MAX_PATH);
	int error = -1;

	engine_path_name(&path, prefix, name, suffix);
	if ((error = engine_path_check(&path)) < 0)
		goto cleanup;
	error = engine_request_timeout(e, out, method, path.data, body,
				       ok_statuses, timeout_ms);

cleanup:
	buf_release(&path);
	return error;
}

/* The "Id" of a create response, copied. */
static int engine_take_id(char **id_out, json_t *resp, const char *what)
{
	const char *id = json_string_value(json_object_get(resp, "Id"));

	if (!id || !*id)
		return err_set(MOOR_EIO, "docker: %s: response has no id",
			       what);
	*id_out = xstrdup(id);
	return 0;
}

/* Containers. */

int engine_containers_list(struct engine *e, json_t **out,
			   const json_t *filters, bool all)
{
	return engine_list(e, out, "/containers/json", filters,
			   all ? "?all=1" : NULL);
}

int engine_container_inspect(struct engine *e, json_t **out, const char *id)
{
	return engine_on_name(e, out, "GET", "/containers/", id, "/json", NULL,
			      NULL, e->request_timeout_ms);
}

static void engine_log_warnings(json_t *resp, const char *what)
{
	json_t *warnings = json_object_get(resp, "Warnings");
	json_t *w;
	size_t i;

	json_array_foreach(warnings, i, w)
	{
		if (json_is_string(w) && *json_string_value(w))
			log_info("docker: %s: %s", what, json_string_value(w));
	}
}

int engine_container_create(struct engine *e, char **id_out, const char *name,
			    const json_t *body)
{
	struct buf path = BUF_INIT(ENGINE_MAX_PATH);
	json_t *resp = NULL;
	int error = -1;

	buf_adds(&path, "/containers/create");
	if (name)
		engine_path_name(&path, "?name=", name, "");
	if ((error = engine_path_check(&path)) < 0 ||
	    (error = engine_request(e, &resp, "POST", path.data, body, NULL)) <
		0 ||
	    (error = engine_take_id(id_out, resp, "POST /containers/create")) <
		0)
		goto cleanup;
	engine_log_warnings(resp, "POST /containers/create");

cleanup:
	json_decref(resp);
	buf_release(&path);
	return error;
}

int engine_container_start(struct engine *e, const char *id)
{
	static const int ok[] = {304, 0};

	return engine_on_name(e, NULL, "POST", "/containers/", id, "/start",
			      NULL, ok, e->request_timeout_ms);
}

/* The container's own grace period (Config.StopTimeout), 10 s when it
 * has none, as the daemon would use. */
static int engine_stop_timeout(struct engine *e, const char *id, int *out)
{
	json_t *info = NULL, *t;
	int error;

	*out = 10;
	if ((error = engine_container_inspect(e, &info, id)) < 0)
		return error;
	t = json_object_get(json_object_get(info, "Config"), "StopTimeout");
	if (json_is_integer(t) && json_integer_value(t) >= 0 &&
	    json_integer_value(t) <= 86400)
		*out = (int)json_integer_value(t);
	json_decref(info);
	return 0;
}

int engine_container_stop(struct engine *e, const char *id, int timeout_s)
{
	static const int ok[] = {304, 0};
	char suffix[32];
	int error;

	/* Always say the grace period, so that the request's own timeout can
	 * cover it: a stop that outlives the request would leave the caller
	 * believing the container still runs while the daemon kills it. */
	if (timeout_s < 0 &&
	    (error = engine_stop_timeout(e, id, &timeout_s)) < 0)
		return error;
	snprintf(suffix, sizeof(suffix), "/stop?t=%d", timeout_s);
	return engine_on_name(e, NULL, "POST", "/containers/", id, suffix, NULL,
			      ok,
			      e->request_timeout_ms + (long)timeout_s * 1000);
}

int engine_container_rename(struct engine *e, const char *id,
			    const char *new_name)
{
	struct buf path = BUF_INIT(ENGINE_MAX_PATH);
	int error = -1;

	engine_path_name(&path, "/containers/", id, "/rename");
	engine_path_name(&path, "?name=", new_name, "");
	if ((error = engine_path_check(&path)) < 0)
		goto cleanup;
	error = engine_request(e, NULL, "POST", path.data, NULL, NULL);

cleanup:
	buf_release(&path);
	return error;
}

int engine_container_remove(struct engine *e, const char *id, bool force,
			    bool volumes)
{
	char query[32];

	snprintf(query, sizeof(query), "?force=%d&v=%d", force ? 1 : 0,
		 volumes ? 1 : 0);
	return engine_on_name(e, NULL, "DELETE", "/containers/", id, query,
			      NULL, NULL, e->request_timeout_ms);
}

int engine_container_wait(struct engine *e, const char *id, int *exit_code_out)
{
	json_t *resp = NULL;
	json_t *code;
	int error = -1;

	if ((error = engine_on_name(e, &resp, "POST", "/containers/", id,
				    "/wait?condition=not-running", NULL, NULL,
				    ENGINE_WAIT_TIMEOUT_MS)) < 0)
		goto cleanup;
	code = json_object_get(resp, "StatusCode");
	if (!json_is_integer(code)) {
		error = err_set(MOOR_EIO,
				"docker: POST /containers/%s/wait: response "
				"has no status code",
				id);
		goto cleanup;
	}
	*exit_code_out = (int)json_integer_value(code);
	error = 0;

cleanup:
	json_decref(resp);
	return error;
}

/* Images. */

int engine_image_inspect(struct engine *e, json_t **out, const char *ref)
{
	struct buf path = BUF_INIT(ENGINE_MAX_PATH);
	int error = -1;

	/* The daemon routes /images/{name:.*}/json and takes '/', ':' and
	 * '@' either raw or encoded; raw keeps messages readable. */
	buf_adds(&path, "/images/");
	engine_escape(&path, ref, "/:@");
	buf_adds(&path, "/json");
	if ((error = engine_path_check(&path)) < 0)
		goto cleanup;
	error = engine_request(e, out, "GET", path.data, NULL, NULL);

cleanup:
	buf_release(&path);
	return error;
}

/* Networks. */

int engine_networks_list(struct engine *e, json_t **out, const json_t *filters)
{
	return engine_list(e, out, "/networks", filters, NULL);
}

int engine_network_inspect(struct engine *e, json_t **out, const char *name)
{
	return engine_on_name(e, out, "GET", "/networks/", name, "", NULL, NULL,
			      e->request_timeout_ms);
}

int engine_network_create(struct engine *e, char **id_out, const json_t *body)
{
	json_t *resp = NULL;
	int error = -1;

	if ((error = engine_request(e, &resp, "POST", "/networks/create", body,
				    NULL)) < 0 ||
	    (error = engine_take_id(id_out, resp, "POST /networks/create")) < 0)
		goto cleanup;
	if (json_is_string(json_object_get(resp, "Warning")) &&
	    *json_string_value(json_object_get(resp, "Warning")))
		log_info("docker: POST /networks/create: %s",
			 json_string_value(json_object_get(resp, "Warning")));

cleanup:
	json_decref(resp);
	return error;
}

int engine_network_connect(struct engine *e, const char *network,
			   const char *container, const json_t *endpoint)
{
	json_t *body = json_object();
	int error;

	json_object_set_new(body, "Container", json_string(container));
	json_object_set_new(body, "EndpointConfig",
			    endpoint ? json_deep_copy(endpoint)
				     : json_object());
	error = engine_on_name(e, NULL, "POST", "/networks/", network,
			       "/connect", body, NULL, e->request_timeout_ms);
	json_decref(body);
	return error;
}

int engine_network_disconnect(struct engine *e, const char *network,
			      const char *container, bool force)
{
	json_t *body = json_object();
	int error;

	json_object_set_new(body, "Container", json_string(container));
	json_object_set_new(body, "Force", json_boolean(force));
	error =
	    engine_on_name(e, NULL, "POST", "/networks/", network,
			   "/disconnect", body, NULL, e->request_timeout_ms);
	json_decref(body);
	return error;
}

int engine_network_remove(struct engine *e, const char *network)
{
	return engine_on_name(e, NULL, "DELETE", "/networks/", network, "",
			      NULL, NULL, e->request_timeout_ms);
}

/* Volumes. */

int engine_volumes_list(struct engine *e, json_t **out, const json_t *filters)
{
	json_t *resp = NULL;
	json_t *list;
	int error = -1;

	if ((error = engine_list(e, &resp, "/volumes", filters, NULL)) < 0)
		goto cleanup;
	/* The daemon wraps the list ({"Volumes": [...] or null, ...}). */
	list = json_object_get(resp, "Volumes");
	if (list && !json_is_null(list) && !json_is_array(list)) {
		error = err_set(MOOR_EIO, "docker: GET /volumes: response has "
					  "no volume list");
		goto cleanup;
	}
	*out = json_is_array(list) ? json_incref(list) : json_array();
	error = 0;

cleanup:
	json_decref(resp);
	return error;
}

int engine_volume_inspect(struct engine *e, json_t **out, const char *name)
{
	return engine_on_name(e, out, "GET", "/volumes/", name, "", NULL, NULL,
			      e->request_timeout_ms);
}

int engine_volume_create(struct engine *e, json_t **out, const json_t *body)
{
	json_t *resp = NULL;
	int error = -1;

	if ((error = engine_request(e, &resp, "POST", "/volumes/create", body,
				    NULL)) < 0)
		goto cleanup;
	if (!json_is_object(resp)) {
		error = err_set(MOOR_EIO, "docker: POST /volumes/create: "
					  "response is not an object");
		goto cleanup;
	}
	if (out) {
		*out = resp;
		resp = NULL;
	}

cleanup:
	json_decref(resp);
	return error;
}

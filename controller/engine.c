/* engine.c - Docker Engine API client over the unix socket (see engine.h).
 *
 * One curl easy handle per struct engine, reused for every request so that
 * curl keeps the connection to the daemon alive between them. Decoding of
 * what comes back lives in engine_decode.c. */
#include "engine.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "engine_decode.h"
#include "engine_int.h"
#include "err.h"
#include "xalloc.h"

#include "banned.h"

/* The newest API we speak; a newer daemon is spoken to in this version. */
#define MOORING_ENGINE_API_MAX "1.41"

#define ENGINE_CONNECT_TIMEOUT_MS 2000L
#define ENGINE_REQUEST_TIMEOUT_MS 60000L
#define ENGINE_MAX_EVENT_LINE	  (1u << 20)

static pthread_once_t engine_curl_once = PTHREAD_ONCE_INIT;
static CURLcode engine_curl_init_rc;

static void engine_curl_init(void)
{
	engine_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *engine_api_version(const struct engine *e)
{
	return e->api;
}

const char *engine_socket_path(const struct engine *e)
{
	return e->socket_path;
}

static size_t engine_write_body(char *ptr, size_t size, size_t nmemb,
				void *userdata)
{
	struct engine *e = userdata;
	size_t n = size * nmemb;

	if (buf_add(&e->body, ptr, n) < 0) {
		e->too_big = true;
		return 0; /* makes curl abort with CURLE_WRITE_ERROR */
	}
	return n;
}

/* curl's own messages start with a capital; ours do not. */
static void engine_lower_first(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
	if (dst[0] >= 'A' && dst[0] <= 'Z')
		dst[0] = (char)(dst[0] - 'A' + 'a');
}

/* A transfer that ended without a complete HTTP response. */
static int engine_transport_error(struct engine *e, CURLcode rc,
				  const char *method, const char *path,
				  long timeout_ms)
{
	char detail[CURL_ERROR_SIZE + 64];
	long os_errno = 0;

	/* Connecting to a unix socket succeeds or fails at once, so a
	 * timeout is a daemon that does not answer. */
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return err_set(
		    MOOR_ETIMEOUT, "docker: %s %.*s: no answer within %ld ms",
		    method, (int)strcspn(path, "?"), path, timeout_ms);
	engine_lower_first(detail, sizeof(detail), curl_easy_strerror(rc));
	curl_easy_getinfo(e->curl, CURLINFO_OS_ERRNO, &os_errno);
	if (os_errno)
		return err_set(MOOR_EIO, "cannot reach docker at '%s': %s: %s",
			       e->socket_path, detail, strerror((int)os_errno));
	if (e->errbuf[0])
		engine_lower_first(detail, sizeof(detail), e->errbuf);
	return err_set(MOOR_EIO, "cannot reach docker at '%s': %s",
		       e->socket_path, detail);
}

/*
 * Set up method, URL and body on the reused handle. Options that one
 * request sets and the next must not inherit are all set every time.
 */
static int engine_prepare(struct engine *e, const char *method, const char *url,
			  const char *body, size_t body_len)
{
	bool post = strcmp(method, "POST") == 0;

	curl_easy_setopt(e->curl, CURLOPT_URL, url);
	if (post || body) {
		curl_easy_setopt(e->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(body ? body_len : 0));
	} else {
		curl_easy_setopt(e->curl, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(e->curl, CURLOPT_CUSTOMREQUEST,
			 strcmp(method, "GET") == 0 || post ? NULL : method);
	curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER,
			 body ? e->json_headers : e->plain_headers);
	e->errbuf[0] = '\0';
	return 0;
}

/*
 * One buffered request. full_path is used as is (with or without the
 * version prefix); shown_path is what messages name.
 */
static int engine_do(struct engine *e, json_t **out, const char *method,
		     const char *full_path, const char *shown_path,
		     const json_t *body, const int *ok_statuses,
		     long timeout_ms)
{
	char *url = NULL;
	char *text = NULL;
	long status = 0;
	CURLcode rc;
	int error = -1;

	if (body) {
		/* Never shown anywhere: a body may hold secrets (Env). */
		text = json_dumps(body, JSON_COMPACT);
		if (!text) {
			error = err_set(
			    MOOR_EINVAL, "docker: %s %.*s: cannot encode body",
			    method, (int)strcspn(shown_path, "?"), shown_path);
			goto cleanup;
		}
	}
	url = xasprintf("http://docker%s", full_path);
	engine_prepare(e, method, url, text, text ? strlen(text) : 0);
	curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, engine_write_body);
	curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, e);
	curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	buf_reset(&e->body);
	e->too_big = false;

	rc = curl_easy_perform(e->curl);
	if (e->too_big) {
		error = err_set(MOOR_ELIMIT,
				"docker: %s %.*s: response from docker "
				"exceeds %zu bytes",
				method, (int)strcspn(shown_path, "?"),
				shown_path, e->max_response);
		goto cleanup;
	}
	if (rc != CURLE_OK) {
		error = engine_transport_error(e, rc, method, shown_path,
					       timeout_ms);
		goto cleanup;
	}
	curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
	error = engine_decode_response(out, method, shown_path, status,
				       e->body.data, e->body.len, ok_statuses);

cleanup:
	/* Do not keep a large body around between requests. */
	if (e->body.cap > (1u << 20))
		buf_release(&e->body);
	free(url);
	free(text);
	return error;
}

int engine_request_timeout(struct engine *e, json_t **out, const char *method,
			   const char *path, const json_t *body,
			   const int *ok_statuses, long timeout_ms)
{
	char *full = xasprintf("/v%s%s", e->api, path);
	int error;

	error = engine_do(e, out, method, full, path, body, ok_statuses,
			  timeout_ms);
	free(full);
	return error;
}

int engine_request(struct engine *e, json_t **out, const char *method,
		   const char *path, const json_t *body, const int *ok_statuses)
{
	return engine_request_timeout(e, out, method, path, body, ok_statuses,
				      e->request_timeout_ms);
}

/*
 * The daemon's API version. GET /_ping answers it in a header and costs
 * well under a millisecond; GET /version runs helper binaries on the
 * daemon side (10 ms and more), so it is only the fallback for a daemon
 * that sends no such header.
 */
static int engine_daemon_api(char *out, size_t size, struct engine *e)
{
	struct curl_header *h = NULL;
	json_t *version = NULL;
	const char *api;
	int error = -1;

	if ((error = engine_do(e, NULL, "GET", "/_ping", "/_ping", NULL, NULL,
			       e->request_timeout_ms)) < 0)
		goto cleanup;
	if (curl_easy_header(e->curl, "Api-Version", 0, CURLH_HEADER, -1, &h) ==
		CURLHE_OK &&
	    h->value && *h->value) {
		snprintf(out, size, "%s", h->value);
		error = 0;
		goto cleanup;
	}
	if ((error = engine_do(e, &version, "GET", "/version", "/version", NULL,
			       NULL, e->request_timeout_ms)) < 0)
		goto cleanup;
	api = json_string_value(json_object_get(version, "ApiVersion"));
	snprintf(out, size, "%s", api ? api : "");
	error = 0;

cleanup:
	json_decref(version);
	return error;
}

static int engine_negotiate(struct engine *e)
{
	char api[64] = "";
	int major = 0, minor = 0;
	int error = -1;

	if ((error = engine_daemon_api(api, sizeof(api), e)) < 0)
		return error;
	if (engine_api_version_parse(&major, &minor, api) < 0 ||
	    engine_api_version_cmp(api, ENGINE_API_MIN) < 0)
		return err_set(MOOR_EIO,
			       "docker at '%s' speaks api %s; mooring needs %s "
			       "or newer",
			       e->socket_path, *api ? api : "(none)",
			       ENGINE_API_MIN);
	if (engine_api_version_cmp(api, MOORING_ENGINE_API_MAX) < 0)
		snprintf(e->api, sizeof(e->api), "%d.%d", major, minor);
	else
		snprintf(e->api, sizeof(e->api), "%s", MOORING_ENGINE_API_MAX);
	return 0;
}

int engine_open(struct engine **out, const struct engine_options *opts)
{
	struct engine_options none = {0};
	struct engine *e = NULL;
	int error = -1;

	if (!opts)
		opts = &none;
	pthread_once(&engine_curl_once, engine_curl_init);
	if (engine_curl_init_rc != CURLE_OK)
		return err_set(MOOR_EIO, "cannot initialise libcurl: %s",
			       curl_easy_strerror(engine_curl_init_rc));

	e = xcalloc(1, sizeof(*e));
	e->socket_path = xstrdup(opts->socket_path ? opts->socket_path
						   : ENGINE_DEFAULT_SOCKET);
	e->connect_timeout_ms = opts->connect_timeout_ms > 0
				    ? opts->connect_timeout_ms
				    : ENGINE_CONNECT_TIMEOUT_MS;
	e->request_timeout_ms = opts->request_timeout_ms > 0
				    ? opts->request_timeout_ms
				    : ENGINE_REQUEST_TIMEOUT_MS;
	e->max_response =
	    opts->max_response ? opts->max_response : ENGINE_MAX_RESPONSE;
	buf_init(&e->body, e->max_response);

	e->curl = curl_easy_init();
	if (!e->curl) {
		error = err_set(MOOR_EIO, "cannot initialise libcurl");
		goto cleanup;
	}
	/* "Expect:" off: no 100-continue round trip for larger bodies. */
	e->plain_headers = curl_slist_append(NULL, "Expect:");
	e->json_headers = curl_slist_append(NULL, "Expect:");
	if (e->json_headers)
		e->json_headers = curl_slist_append(
		    e->json_headers, "Content-Type: application/json");
	if (!e->plain_headers || !e->json_headers) {
		error = err_set(MOOR_EIO, "cannot initialise libcurl");
		goto cleanup;
	}
	curl_easy_setopt(e->curl, CURLOPT_UNIX_SOCKET_PATH, e->socket_path);
	curl_easy_setopt(e->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 e->connect_timeout_ms);
	curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, e->errbuf);
	curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(e->curl, CURLOPT_USERAGENT, "mooring");
	curl_easy_setopt(e->curl, CURLOPT_ACCEPT_ENCODING, NULL);

	if ((error = engine_negotiate(e)) < 0)
		goto cleanup;
	*out = e;
	e = NULL;
	error = 0;

cleanup:
	engine_free(e);
	return error;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->curl)
		curl_easy_cleanup(e->curl);
	curl_slist_free_all(e->json_headers);
	curl_slist_free_all(e->plain_headers);
	buf_release(&e->body);
	free(e->socket_path);
	free(e);
}

/* Events. */

struct engine_stream {
	struct engine *e;
	struct engine_lines lines;
	long status; /* 0 until the first bytes of the body */
	int error;   /* a decoding error, message set */
};

/* An error answer is small: what fits of it is kept for the message. */
#define ENGINE_MAX_EVENTS_ERROR (64u << 10)

static size_t engine_write_events(char *ptr, size_t size, size_t nmemb,
				  void *userdata)
{
	struct engine_stream *s = userdata;
	size_t n = size * nmemb;
	int rc;

	if (!s->status)
		curl_easy_getinfo(s->e->curl, CURLINFO_RESPONSE_CODE,
				  &s->status);
	if (s->status < 200 || s->status > 299) {
		if (s->e->body.len + n <= ENGINE_MAX_EVENTS_ERROR)
			buf_add(&s->e->body, ptr, n);
		return n;
	}
	rc = engine_lines_feed(&s->lines, ptr, n);
	if (rc < 0)
		s->error = rc;
	/* Stopping (by the callback or an error) aborts the transfer. */
	return rc ? 0 : n;
}

int engine_events(struct engine *e, const json_t *filters, long since,
		  long until, engine_event_fn cb, void *data)
{
	struct buf path = BUF_INIT(ENGINE_MAX_PATH);
	struct engine_stream s;
	char *url = NULL;
	long status = 0;
	long timeout_ms = 0;
	char sep = '?';
	CURLcode rc;
	int error = -1;

	memset(&s, 0, sizeof(s));
	s.e = e;
	engine_lines_init(&s.lines, ENGINE_MAX_EVENT_LINE, cb, data);
	buf_printf(&path, "/v%s/events", e->api);
	if (since > 0) {
		buf_printf(&path, "%csince=%ld", sep, since);
		sep = '&';
	} else if (until > 0) {
		struct timespec ts;

		/* With until and no since the daemon replays the events it
		 * has buffered: "now" must be said. */
		clock_gettime(CLOCK_REALTIME, &ts);
		if (until <= (long)ts.tv_sec) {
			error = 0; /* from now until the past: nothing */
			goto cleanup;
		}
		buf_printf(&path, "%csince=%ld.%09ld", sep, (long)ts.tv_sec,
			   (long)ts.tv_nsec);
		sep = '&';
	}
	if (until > 0) {
		long left = until - (long)time(NULL);

		buf_printf(&path, "%cuntil=%ld", sep, until);
		sep = '&';
		/* The daemon ends the stream at until; this bound only
		 * guards against one that does not. */
		timeout_ms =
		    (left > 0 ? left * 1000 : 0) + e->request_timeout_ms;
	}
	if ((error = engine_add_filters(&path, sep, filters)) < 0 ||
	    (error = engine_path_check(&path)) < 0)
		goto cleanup;

	url = xasprintf("http://docker%s", path.data);
	engine_prepare(e, "GET", url, NULL, 0);
	curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, engine_write_events);
	curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, &s);
	/* Events may be silent for hours: no total or idle limit unless
	 * the caller gave an end. */
	curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	buf_reset(&e->body);

	rc = curl_easy_perform(e->curl);
	if (s.error) {
		error = s.error;
		goto cleanup;
	}
	if (s.lines.stopped) {
		error = s.lines.cb_rc < 0 ? s.lines.cb_rc : 0;
		goto cleanup;
	}
	if (rc != CURLE_OK) {
		error =
		    engine_transport_error(e, rc, "GET", "/events", timeout_ms);
		goto cleanup;
	}
	curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		error = engine_decode_response(NULL, "GET", "/events", status,
					       e->body.data, e->body.len, NULL);
		goto cleanup;
	}
	error = engine_lines_finish(&s.lines);
	if (error > 0)
		error = s.lines.cb_rc < 0 ? s.lines.cb_rc : 0;

cleanup:
	engine_lines_release(&s.lines);
	buf_release(&path);
	free(url);
	return error;
}

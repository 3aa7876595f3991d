/*
 * server.c - the HTTP server of `mooring run` on libmicrohttpd: listen
 * address, routing, responses, and the webhook endpoint's plumbing (the
 * pure checks are in webhook.c).
 *
 * One internal polling thread serves every connection, with a connection
 * limit, a per-connection timeout and a per-connection memory pool, so a
 * slow or hostile client costs a bounded amount. The GET endpoints ask the
 * hooks for their bodies. POST /hooks/git collects its body into a buffer
 * bounded by max_body (a declared Content-Length over it is answered 413
 * before the body is read), verifies it only once complete, and hands an
 * accepted push to a small trigger thread that calls trigger_poll at most
 * once per coalescing window, so the hook never runs on, or blocks, the
 * HTTP thread. The secret, the signature headers and the body are never
 * logged.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "digest.h"
#include "err.h"
#include "log.h"
#include "webhook.h"
#include "xalloc.h"

#include "banned.h"

#define SERVER_DEFAULT_MAX_BODY	   ((size_t)1 << 20)
#define SERVER_DEFAULT_COALESCE_MS 1000u
/* What the hooks may answer: far above any real status document. */
#define SERVER_MAX_RESPONSE	  ((size_t)64 << 20)
#define SERVER_CONNECTION_LIMIT	  64u
#define SERVER_CONNECTION_TIMEOUT 10u /* seconds */
#define SERVER_CONNECTION_MEMORY  ((size_t)64 << 10)
#define SERVER_DELIVERY_MAX	  128

#define SERVER_CT_TEXT	  "text/plain; charset=utf-8"
#define SERVER_CT_JSON	  "application/json"
#define SERVER_CT_METRICS "text/plain; version=0.0.4; charset=utf-8"

enum server_route {
	ROUTE_NONE,
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_UNITS,
	ROUTE_UNIT,
	ROUTE_FINDINGS,
	ROUTE_HOOK,
};

/* Outcomes of /hooks/git, counted for /metrics. */
enum server_hook_result {
	HOOK_ACCEPTED,
	HOOK_DUPLICATE,
	HOOK_UNAUTHORIZED,
	HOOK_TOO_LARGE,
	HOOK_DISABLED,
	HOOK_NRESULTS,
};

static const char *const server_hook_result_names[HOOK_NRESULTS] = {
    "accepted", "duplicate", "unauthorized", "too_large", "disabled",
};

struct server {
	struct MHD_Daemon *daemon;
	struct server_hooks hooks;
	char *secret; /* NULL in insecure mode */
	size_t secret_len;
	size_t max_body;
	unsigned port;

	/* Guards everything below; the trigger thread waits on cond. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t trigger;
	bool trigger_started;
	bool stopping;
	struct webhook_replay replay;
	struct webhook_coalesce coalesce;
	char delivery[SERVER_DELIVERY_MAX]; /* of the latest pending push */
	unsigned long long hook_counts[HOOK_NRESULTS];
};

/* Per-connection state of a POST /hooks/git (MHD's con_cls). */
struct server_request {
	struct buf body;
	bool too_large;
};

static double server_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the trigger thread ------------------------------------------------ */

static void *server_trigger_main(void *arg)
{
	struct server *s = arg;
	char delivery[SERVER_DELIVERY_MAX];
	double wait;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		if (webhook_coalesce_take(&s->coalesce, server_now(), &wait)) {
			memcpy(delivery, s->delivery, sizeof(delivery));
			pthread_mutex_unlock(&s->lock);
			s->hooks.trigger_poll(s->hooks.data,
					      *delivery ? delivery : NULL);
			pthread_mutex_lock(&s->lock);
		} else if (wait < 0) {
			pthread_cond_wait(&s->cond, &s->lock);
		} else {
			struct timespec ts;
			long long ns;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ns = (long long)ts.tv_nsec + (long long)(wait * 1e9);
			ts.tv_sec += (time_t)(ns / 1000000000LL);
			ts.tv_nsec = (long)(ns % 1000000000LL);
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* --- responses --------------------------------------------------------- */

static enum MHD_Result server_respond(struct MHD_Connection *c, unsigned status,
				      const char *ctype, const char *body,
				      size_t len, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) ==
		MHD_NO ||
	    (allow && MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
					      allow) == MHD_NO)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result server_text(struct MHD_Connection *c, unsigned status,
				   const char *text)
{
	return server_respond(c, status, SERVER_CT_TEXT, text, strlen(text),
			      NULL);
}

static enum MHD_Result server_not_allowed(struct MHD_Connection *c,
					  const char *allow)
{
	static const char text[] = "method not allowed\n";

	return server_respond(c, 405, SERVER_CT_TEXT, text, sizeof(text) - 1,
			      allow);
}

/* --- GET endpoints ----------------------------------------------------- */

static int server_write_hook_counts(struct server *s, struct buf *out)
{
	unsigned long long counts[HOOK_NRESULTS];
	int error;

	pthread_mutex_lock(&s->lock);
	memcpy(counts, s->hook_counts, sizeof(counts));
	pthread_mutex_unlock(&s->lock);
	error = buf_adds(
	    out, "# HELP mooring_webhook_deliveries_total Push webhooks "
		 "received on /hooks/git, by outcome.\n"
		 "# TYPE mooring_webhook_deliveries_total counter\n");
	for (size_t i = 0; i < HOOK_NRESULTS && !error; i++)
		error = buf_printf(out,
				   "mooring_webhook_deliveries_total{result="
				   "\"%s\"} %llu\n",
				   server_hook_result_names[i], counts[i]);
	return error;
}

static int server_call_hook(struct server *s, enum server_route route,
			    const char *name, struct buf *out)
{
	const struct server_hooks *h = &s->hooks;

	switch (route) {
	case ROUTE_METRICS:
		return h->metrics ? h->metrics(h->data, out) : 200;
	case ROUTE_UNITS:
		return h->units ? h->units(h->data, out) : 404;
	case ROUTE_UNIT:
		return h->unit ? h->unit(h->data, name, out) : 404;
	case ROUTE_FINDINGS:
		return h->findings ? h->findings(h->data, out) : 404;
	default:
		return 500;
	}
}

static enum MHD_Result server_get(struct server *s, struct MHD_Connection *c,
				  enum server_route route, const char *name)
{
	struct buf out = BUF_INIT(SERVER_MAX_RESPONSE);
	const char *ctype =
	    route == ROUTE_METRICS ? SERVER_CT_METRICS : SERVER_CT_JSON;
	const char *why;
	enum MHD_Result ret;
	int status;

	if (route == ROUTE_HEALTHZ)
		return server_text(c, 200, "ok\n");
	if (route == ROUTE_READYZ) {
		why = s->hooks.not_ready ? s->hooks.not_ready(s->hooks.data)
					 : NULL;
		if (!why)
			return server_text(c, 200, "ready\n");
		if (buf_printf(&out, "not ready: %s\n", why))
			buf_reset(&out);
		ret = server_respond(c, 503, SERVER_CT_TEXT, buf_cstr(&out),
				     out.len, NULL);
		buf_release(&out);
		return ret;
	}
	status = server_call_hook(s, route, name, &out);
	if (status == 200 && route == ROUTE_METRICS &&
	    server_write_hook_counts(s, &out))
		status = -1;
	if (status < 100 || status > 599) {
		log_warnx("http: %s failed: %s",
			  route == ROUTE_METRICS ? "/metrics" : "/api/v1",
			  err_last());
		status = 500;
		buf_reset(&out);
	}
	/* A hook that fails without a body still answers in its format. */
	if (status >= 400 && !out.len && route != ROUTE_METRICS &&
	    buf_printf(&out, "{\"error\":\"%s\"}\n",
		       status == 404 ? "not found" : "internal error"))
		buf_reset(&out);
	ret = server_respond(c, (unsigned)status, ctype, buf_cstr(&out),
			     out.len, NULL);
	buf_release(&out);
	return ret;
}

/* --- POST /hooks/git --------------------------------------------------- */

static void server_count(struct server *s, enum server_hook_result r)
{
	pthread_mutex_lock(&s->lock);
	s->hook_counts[r]++;
	pthread_mutex_unlock(&s->lock);
}

static void server_refuse_large(struct server *s)
{
	log_warnx("webhook refused: body over the limit of %zu bytes",
		  s->max_body);
	server_count(s, HOOK_TOO_LARGE);
}

static const char *server_header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The delivery id, as it may be logged by the trigger hook: only the
 * characters ids are made of, the rest replaced, bounded in length. */
static void server_copy_delivery(char out[SERVER_DELIVERY_MAX], const char *id)
{
	size_t n = 0;

	for (; id && id[n] && n < SERVER_DELIVERY_MAX - 1; n++) {
		char ch = id[n];
		bool ok = (ch >= '0' && ch <= '9') ||
			  (ch >= 'a' && ch <= 'z') ||
			  (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_' ||
			  ch == '.' || ch == ':';

		out[n] = ok ? ch : '?';
	}
	out[n] = '\0';
}

/* The whole body arrived: verify it, then accept it once. */
static enum MHD_Result server_hook_finish(struct server *s,
					  struct MHD_Connection *c,
					  const struct server_request *req)
{
	const char *delivery;
	char body_id[5 + 65] = "body:"; /* "body:" + sha-256 hex */
	bool duplicate = false;

	if (webhook_verify(s->secret, s->secret_len, req->body.data,
			   req->body.len,
			   server_header(c, "X-Hub-Signature-256"),
			   server_header(c, "X-Gitea-Signature"),
			   server_header(c, "X-Gitlab-Token"))) {
		/* The message names the header at most, never its value. */
		log_warnx("webhook refused: %s", err_last());
		server_count(s, HOOK_UNAUTHORIZED);
		return server_text(c, 401, "invalid or missing signature\n");
	}
	delivery = server_header(c, "X-GitHub-Delivery");
	if (!delivery)
		delivery = server_header(c, "X-Gitea-Delivery");
	if (!delivery)
		delivery = server_header(c, "X-Gitlab-Event-UUID");

	/* The delivery id is not covered by the signature: a captured
	 * request resent with a fresh id would pass as new. Its body is
	 * covered, and a push's body names its commits: a body seen before
	 * is a replay whatever its id. Only verified requests enter the
	 * memory, so nobody without the secret can make a real delivery
	 * look like a replay. */
	if (digest_sha256_hex(body_id + 5, req->body.data ? req->body.data : "",
			      req->body.len) < 0)
		body_id[0] = '\0';
	pthread_mutex_lock(&s->lock);
	if (delivery && *delivery)
		duplicate =
		    webhook_replay_seen(&s->replay, delivery, strlen(delivery));
	if (body_id[0] &&
	    webhook_replay_seen(&s->replay, body_id, strlen(body_id)))
		duplicate = true;
	if (!duplicate) {
		webhook_coalesce_push(&s->coalesce);
		server_copy_delivery(s->delivery, delivery);
		pthread_cond_signal(&s->cond);
	}
	s->hook_counts[duplicate ? HOOK_DUPLICATE : HOOK_ACCEPTED]++;
	pthread_mutex_unlock(&s->lock);
	if (duplicate)
		return server_text(c, 202, "duplicate delivery\n");
	log_debug("webhook accepted, poll requested");
	return server_text(c, 202, "accepted\n");
}

/* First call of a POST /hooks/git: refuse early what need not be read. */
static enum MHD_Result
server_hook_begin(struct server *s, struct MHD_Connection *c, void **con_cls)
{
	const char *cl = server_header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct server_request *req;

	if (!s->secret) {
		server_count(s, HOOK_DISABLED);
		return server_text(c, 403,
				   "webhooks disabled: no secret configured\n");
	}
	if (cl) {
		char *end = NULL;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno || end == cl || *end || n > s->max_body) {
			server_refuse_large(s);
			return server_text(c, 413, "payload too large\n");
		}
	}
	req = xcalloc(1, sizeof(*req));
	buf_init(&req->body, s->max_body);
	*con_cls = req;
	return MHD_YES;
}

/* --- dispatch ---------------------------------------------------------- */

static enum server_route server_route_of(const char *url, const char **name)
{
	static const char unit_prefix[] = "/api/v1/units/";

	*name = NULL;
	if (!strcmp(url, "/healthz"))
		return ROUTE_HEALTHZ;
	if (!strcmp(url, "/readyz"))
		return ROUTE_READYZ;
	if (!strcmp(url, "/metrics"))
		return ROUTE_METRICS;
	if (!strcmp(url, "/api/v1/units"))
		return ROUTE_UNITS;
	if (!strcmp(url, "/api/v1/findings"))
		return ROUTE_FINDINGS;
	if (!strcmp(url, "/hooks/git"))
		return ROUTE_HOOK;
	if (!strncmp(url, unit_prefix, sizeof(unit_prefix) - 1)) {
		*name = url + sizeof(unit_prefix) - 1;
		if (**name && !strchr(*name, '/'))
			return ROUTE_UNIT;
	}
	return ROUTE_NONE;
}

static enum MHD_Result server_access(void *cls, struct MHD_Connection *c,
				     const char *url, const char *method,
				     const char *version,
				     const char *upload_data,
				     size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct server_request *req = *con_cls;
	enum server_route route;
	const char *name;
	bool is_get = !strcmp(method, MHD_HTTP_METHOD_GET) ||
		      !strcmp(method, MHD_HTTP_METHOD_HEAD);

	if (req) {
		if (*upload_data_size) {
			/* Over the limit already: stop reading. */
			if (req->too_large)
				return MHD_NO;
			if (buf_add(&req->body, upload_data,
				    *upload_data_size)) {
				/* A body without a declared length went
				 * over: answer 413 if MHD lets us queue a
				 * response mid-body (0.9.75 does not), else
				 * drop the connection rather than read on. */
				req->too_large = true;
				server_refuse_large(s);
				*upload_data_size = 0;
				return server_text(c, 413,
						   "payload too large\n");
			}
			*upload_data_size = 0;
			return MHD_YES;
		}
		/* Never verify a truncated body. */
		if (req->too_large)
			return MHD_NO;
		return server_hook_finish(s, c, req);
	}

	route = server_route_of(url, &name);
	if (route == ROUTE_NONE)
		return server_text(c, 404, "not found\n");
	if (route == ROUTE_HOOK && strcmp(method, MHD_HTTP_METHOD_POST))
		return server_not_allowed(c, "POST");
	if (route != ROUTE_HOOK && !is_get)
		return server_not_allowed(c, "GET, HEAD");
	if (route == ROUTE_HOOK)
		return server_hook_begin(s, c, con_cls);
	return server_get(s, c, route, name);
}

static void server_completed(void *cls, struct MHD_Connection *c,
			     void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct server_request *req = *con_cls;

	if (!req)
		return;
	/* The body may be a secret-bearing payload: wipe it, then free. */
	if (req->body.data)
		OPENSSL_cleanse(req->body.data, req->body.len);
	buf_release(&req->body);
	free(req);
	*con_cls = NULL;
}

static void server_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void server_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warnx("http: %s", msg);
}

/* --- start and stop ---------------------------------------------------- */

/* "host:port", "[v6]:port" or ":port" (every address, v4 and v6); port 0
 * lets the kernel choose. */
static int server_parse_listen(struct sockaddr_storage *out,
			       unsigned *flags_out, const char *listen)
{
	struct addrinfo hints, *res = NULL;
	const char *colon, *port;
	char *host = NULL;
	char *end = NULL;
	long portnum;
	int rc, error = -1;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':')
			goto bad;
		host = xstrndup(listen + 1, (size_t)(close - listen - 1));
		port = close + 2;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			goto bad;
		host = xstrndup(listen, (size_t)(colon - listen));
		if (strchr(host, ':'))
			goto bad;
		port = colon + 1;
	}
	errno = 0;
	portnum = strtol(port, &end, 10);
	if (!*port || *end || errno || portnum < 0 || portnum > 65535 ||
	    *port < '0' || *port > '9')
		goto bad;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (!*host)
		hints.ai_family = AF_INET6;
	rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (rc) {
		err_set(MOOR_EINVAL, "cannot resolve listen address '%s': %s",
			listen, gai_strerror(rc));
		goto cleanup;
	}
	if (res->ai_addrlen > sizeof(*out))
		goto bad;
	memset(out, 0, sizeof(*out));
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*flags_out = 0;
	if (res->ai_family == AF_INET6) {
		const struct sockaddr_in6 *a6 =
		    (const struct sockaddr_in6 *)res->ai_addr;

		*flags_out = IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr)
				 ? MHD_USE_DUAL_STACK
				 : MHD_USE_IPv6;
	}
	error = 0;
	goto cleanup;

bad:
	err_set(MOOR_EINVAL,
		"invalid listen address '%s' (expected host:port or "
		"[v6]:port)",
		listen);
cleanup:
	if (res)
		freeaddrinfo(res);
	free(host);
	return error;
}

static void server_free(struct server *s)
{
	if (s->secret) {
		OPENSSL_cleanse(s->secret, s->secret_len);
		free(s->secret);
	}
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void server_stop_trigger(struct server *s)
{
	if (!s->trigger_started)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->trigger, NULL);
	s->trigger_started = false;
}

static int server_init_sync(struct server *s)
{
	pthread_condattr_t ca;
	int rc;

	if (pthread_mutex_init(&s->lock, NULL))
		return -1;
	if (pthread_condattr_init(&ca)) {
		pthread_mutex_destroy(&s->lock);
		return -1;
	}
	/* The trigger thread's timed waits are on the monotonic clock. */
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		pthread_mutex_destroy(&s->lock);
	return rc ? -1 : 0;
}

int server_start(struct server **out, const struct server_options *o)
{
	struct server *s = NULL;
	struct sockaddr_storage addr;
	const union MHD_DaemonInfo *info;
	unsigned flags = 0;
	uint16_t port;
	int error = -1;

	if (!o->listen)
		return err_set(MOOR_EINVAL, "no listen address");
	if ((!o->secret || !o->secret_len) && !o->allow_insecure_webhooks)
		return err_set(MOOR_EINVAL,
			       "refusing to serve webhooks without a secret: "
			       "set 'webhook_secret_file' (or "
			       "'allow_insecure_webhooks' to disable "
			       "/hooks/git)");
	if (o->secret && o->secret_len && !o->hooks.trigger_poll)
		return err_set(MOOR_EINVAL, "no trigger_poll hook");
	if (server_parse_listen(&addr, &flags, o->listen))
		return MOOR_EINVAL;

	/* Only for MHD's messages: the address itself says where to bind. */
	port = ntohs(addr.ss_family == AF_INET6
			 ? ((const struct sockaddr_in6 *)&addr)->sin6_port
			 : ((const struct sockaddr_in *)&addr)->sin_port);

	s = xcalloc(1, sizeof(*s));
	if (server_init_sync(s)) {
		free(s);
		return err_set(MOOR_ERR, "cannot initialise the server's lock");
	}
	s->hooks = o->hooks;
	s->max_body = o->max_body ? o->max_body : SERVER_DEFAULT_MAX_BODY;
	webhook_replay_init(&s->replay);
	webhook_coalesce_init(
	    &s->coalesce,
	    (o->coalesce_ms ? o->coalesce_ms : SERVER_DEFAULT_COALESCE_MS) /
		1000.0);
	if (o->secret && o->secret_len) {
		s->secret = xmalloc(o->secret_len);
		memcpy(s->secret, o->secret, o->secret_len);
		s->secret_len = o->secret_len;
		if (pthread_create(&s->trigger, NULL, server_trigger_main, s)) {
			error = err_set(MOOR_ERR,
					"cannot start the webhook thread");
			goto cleanup;
		}
		s->trigger_started = true;
	} else {
		/* The caller says so at warning level (it knows the option's
		 * name in its config). */
		log_debug("no webhook secret: /hooks/git is disabled");
	}

	s->daemon = MHD_start_daemon(
	    flags | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
		MHD_USE_AUTO,
	    port, NULL, NULL, server_access, s, MHD_OPTION_EXTERNAL_LOGGER,
	    server_mhd_log, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
	    MHD_OPTION_CONNECTION_LIMIT, SERVER_CONNECTION_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, SERVER_CONNECTION_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, SERVER_CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, server_completed, s, MHD_OPTION_END);
	if (!s->daemon) {
		error = err_set(MOOR_EIO, "cannot listen on '%s'", o->listen);
		goto cleanup;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	log_debug("http: listening on %s (port %u)", o->listen, s->port);
	*out = s;
	s = NULL;
	error = 0;

cleanup:
	if (s) {
		server_stop_trigger(s);
		server_free(s);
	}
	return error;
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	/* The daemon first: no request can queue a trigger after this. */
	MHD_stop_daemon(s->daemon);
	server_stop_trigger(s);
	server_free(s);
}

unsigned server_port(const struct server *s)
{
	return s ? s->port : 0;
}

/*
 * Unit tests for engine.c, engine_api.c and engine_decode.c: the Docker
 * Engine client against a fake daemon, a tiny HTTP/1.1 server on a unix
 * socket in a thread of the test, which answers each request with the next
 * canned response.
 */
#define _GNU_SOURCE /* strcasestr */
#include "unit.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine_decode.h"

#define FAKE_MAX_RESPONSES 8
#define FAKE_MAX_REQUEST   16384

struct fake_response {
	char *text;	 /* NULL: read the request, never answer */
	bool hang_after; /* keep the connection open, as /events does */
};

struct fake {
	char dir[64];
	char path[108];
	int lfd;
	int stop[2];
	pthread_t thread;
	struct fake_response responses[FAKE_MAX_RESPONSES];
	int nresponses;
	/* Written by the server thread, read after fake_stop(). */
	int accepts;
	int requests;
	char log[4096];	 /* request lines, one per line */
	char head[4096]; /* the last request's head */
	char body[4096]; /* the last request's body */
};

static void fake_add_raw(struct fake *f, const char *text, bool hang_after)
{
	assert_true(f->nresponses < FAKE_MAX_RESPONSES);
	f->responses[f->nresponses].text = text ? strdup(text) : NULL;
	f->responses[f->nresponses].hang_after = hang_after;
	f->nresponses++;
}

static void fake_add(struct fake *f, const char *status, const char *headers,
		     const char *body)
{
	char text[65536];

	snprintf(text, sizeof(text),
		 "HTTP/1.1 %s\r\nContent-Type: application/json\r\n%s"
		 "Content-Length: %zu\r\n\r\n%s",
		 status, headers, strlen(body), body);
	fake_add_raw(f, text, false);
}

static void fake_add_ping(struct fake *f, const char *api)
{
	char headers[64];

	snprintf(headers, sizeof(headers), "Api-Version: %s\r\n", api);
	fake_add(f, "200 OK", headers, "OK");
}

/* Wait for fd to be readable, or for the stop pipe: false on stop. */
static bool fake_wait(struct fake *f, int fd)
{
	struct pollfd p[2] = {{fd, POLLIN, 0}, {f->stop[0], POLLIN, 0}};

	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			return false;
	return !(p[1].revents & POLLIN);
}

static void fake_send(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* Read one request; false on EOF or stop. */
static bool fake_read_request(struct fake *f, int fd)
{
	char req[FAKE_MAX_REQUEST];
	size_t len = 0, body_len = 0;
	char *end = NULL, *cl;

	for (;;) {
		ssize_t n;

		req[len] = '\0';
		end = strstr(req, "\r\n\r\n");
		if (end) {
			size_t head_len = (size_t)(end - req) + 4;

			cl = strcasestr(req, "\r\ncontent-length:");
			body_len = cl ? strtoul(cl + 17, NULL, 10) : 0;
			if (len >= head_len + body_len) {
				snprintf(f->head, sizeof(f->head), "%.*s",
					 (int)head_len, req);
				snprintf(f->body, sizeof(f->body), "%.*s",
					 (int)body_len, req + head_len);
				break;
			}
		}
		if (len + 1 >= sizeof(req) || !fake_wait(f, fd))
			return false;
		n = read(fd, req + len, sizeof(req) - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
	}
	len = strlen(f->log);
	snprintf(f->log + len, sizeof(f->log) - len, "%.*s\n",
		 (int)strcspn(f->head, "\r"), f->head);
	return true;
}

static void fake_serve(struct fake *f, int fd)
{
	while (fake_read_request(f, fd)) {
		struct fake_response *r;

		if (f->requests >= f->nresponses)
			return;
		r = &f->responses[f->requests++];
		if (r->text)
			fake_send(fd, r->text);
		if (!r->text || r->hang_after) {
			char sink[4096];

			/* Until the client goes or the test ends. */
			while (fake_wait(f, fd) &&
			       read(fd, sink, sizeof(sink)) > 0)
				;
			return;
		}
	}
}

static void *fake_main(void *data)
{
	struct fake *f = data;

	while (fake_wait(f, f->lfd)) {
		int fd = accept(f->lfd, NULL, NULL);

		if (fd < 0)
			continue;
		f->accepts++;
		fake_serve(f, fd);
		close(fd);
	}
	return NULL;
}

static void fake_start(struct fake *f)
{
	struct sockaddr_un sa;

	snprintf(f->dir, sizeof(f->dir), "/tmp/mooring-engine-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/docker.sock", f->dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(pipe(f->stop), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	assert_int_equal(write(f->stop[1], "x", 1), 1);
	pthread_join(f->thread, NULL);
	close(f->stop[0]);
	close(f->stop[1]);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
	for (int i = 0; i < f->nresponses; i++)
		free(f->responses[i].text);
}

static struct engine *fake_open(struct fake *f, long timeout_ms,
				size_t max_response)
{
	struct engine_options o = {f->path, 0, timeout_ms, max_response};
	struct engine *e = NULL;

	if (engine_open(&e, &o) < 0)
		fail_msg("engine_open: %s", err_last());
	return e;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_engine__negotiates_version_and_encodes_filters(void **state)
{
	struct fake f = {0};
	struct engine *e;
	json_t *filters = json_pack("{s:[s]}", "label", "io.mooring.unit=api");
	json_t *list = NULL;

	(void)state;
	fake_add_ping(&f, "1.43");
	fake_add(&f, "200 OK", "", "[{\"Id\":\"abc\"}]");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_string_equal(engine_api_version(e), "1.41");
	assert_string_equal(engine_socket_path(e), f.path);
	assert_int_equal(engine_containers_list(e, &list, filters, true), 0);
	assert_int_equal(json_array_size(list), 1);
	engine_free(e);
	fake_stop(&f);
	assert_string_equal(
	    f.log, "GET /_ping HTTP/1.1\n"
		   "GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%"
		   "5B%22io.mooring.unit%3Dapi%22%5D%7D HTTP/1.1\n");
	json_decref(list);
	json_decref(filters);
}

static void test_engine__falls_back_to_version(void **state)
{
	struct fake f = {0};
	struct engine *e;

	(void)state;
	fake_add(&f, "200 OK", "", "OK");
	fake_add(&f, "200 OK", "", "{\"ApiVersion\":\"1.41\"}");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_string_equal(engine_api_version(e), "1.41");
	engine_free(e);
	fake_stop(&f);
	assert_non_null(strstr(f.log, "GET /version HTTP/1.1"));
}

static void test_engine__refuses_old_daemon(void **state)
{
	struct fake f = {0};
	struct engine_options o = {NULL, 0, 0, 0};
	struct engine *e = NULL;
	char want[256];

	(void)state;
	fake_add_ping(&f, "1.40");
	fake_start(&f);
	o.socket_path = f.path;
	assert_int_equal(engine_open(&e, &o), MOOR_EIO);
	assert_null(e);
	snprintf(want, sizeof(want),
		 "docker at '%s' speaks api 1.40; mooring needs 1.41 or newer",
		 f.path);
	assert_string_equal(err_last(), want);
	fake_stop(&f);
}

static void test_engine__not_found_carries_daemon_message(void **state)
{
	struct fake f = {0};
	struct engine *e;
	json_t *out = NULL;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add(&f, "404 Not Found", "",
		 "{\"message\":\"No such container: web\"}\n");
	fake_add(&f, "404 Not Found", "", "{\"message\":\"No such image\"}");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(engine_container_inspect(e, &out, "web"),
			 MOOR_ENOTFOUND);
	assert_null(out);
	assert_string_equal(err_last(), "docker: GET /containers/web/json: 404 "
					"not found: No such container: web");
	assert_int_equal(
	    engine_image_inspect(e, &out, "mooring-example/busybox:1"),
	    MOOR_ENOTFOUND);
	engine_free(e);
	fake_stop(&f);
	/* A reference keeps its '/' and ':' in the path. */
	assert_non_null(
	    strstr(f.log, "GET /v1.41/images/mooring-example/busybox:1/json "));
}

static void test_engine__conflict_never_shows_the_body(void **state)
{
	struct fake f = {0};
	struct engine *e;
	json_t *body = json_pack("{s:s,s:[s]}", "Image", "busybox", "Env",
				 "DB_PASSWORD=hunter2");
	char *id = NULL;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add(&f, "409 Conflict", "",
		 "{\"message\":\"Conflict. The container name \\\"/a b\\\" is "
		 "already in use\"}");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(engine_container_create(e, &id, "a b/c", body),
			 MOOR_ECONFLICT);
	assert_null(id);
	assert_string_equal(err_last(),
			    "docker: POST /containers/create: 409 conflict: "
			    "Conflict. The container name \"/a b\" is already "
			    "in use");
	engine_free(e);
	fake_stop(&f);
	assert_non_null(strstr(f.log, "POST /v1.41/containers/create?name=a%"
				      "20b%2Fc HTTP/1.1"));
	assert_non_null(strcasestr(f.head, "content-type: application/json"));
	assert_string_equal(f.body, "{\"Image\":\"busybox\",\"Env\":[\"DB_"
				    "PASSWORD=hunter2\"]}");
	json_decref(body);
}

static void test_engine__create_start_stop_remove(void **state)
{
	struct fake f = {0};
	struct engine *e;
	json_t *body = json_object();
	char *id = NULL;
	int code = -1;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add(&f, "201 Created", "", "{\"Id\":\"c0ffee\",\"Warnings\":[]}");
	fake_add(&f, "204 No Content", "", "");
	fake_add(&f, "304 Not Modified", "", "");
	fake_add(&f, "304 Not Modified", "", "");
	fake_add(&f, "200 OK", "", "{\"StatusCode\":137}");
	fake_add(&f, "204 No Content", "", "");
	fake_add(&f, "204 No Content", "", "");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(engine_container_create(e, &id, "web", body), 0);
	assert_string_equal(id, "c0ffee");
	assert_int_equal(engine_container_start(e, id), 0);
	assert_int_equal(engine_container_start(e, id), 0);
	assert_int_equal(engine_container_stop(e, id, 3), 0);
	assert_int_equal(engine_container_wait(e, id, &code), 0);
	assert_int_equal(code, 137);
	assert_int_equal(engine_container_rename(e, id, "web-old"), 0);
	assert_int_equal(engine_container_remove(e, id, true, false), 0);
	engine_free(e);
	fake_stop(&f);
	assert_string_equal(
	    f.log,
	    "GET /_ping HTTP/1.1\n"
	    "POST /v1.41/containers/create?name=web HTTP/1.1\n"
	    "POST /v1.41/containers/c0ffee/start HTTP/1.1\n"
	    "POST /v1.41/containers/c0ffee/start HTTP/1.1\n"
	    "POST /v1.41/containers/c0ffee/stop?t=3 HTTP/1.1\n"
	    "POST /v1.41/containers/c0ffee/wait?condition=not-running "
	    "HTTP/1.1\n"
	    "POST /v1.41/containers/c0ffee/rename?name=web-old HTTP/1.1\n"
	    "DELETE /v1.41/containers/c0ffee?force=1&v=0 HTTP/1.1\n");
	free(id);
	json_decref(body);
}

static void test_engine__networks_and_volumes(void **state)
{
	struct fake f = {0};
	struct engine *e;
	json_t *body = json_pack("{s:s}", "Name", "app_default");
	json_t *out = NULL;
	char *id = NULL;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add(&f, "201 Created", "", "{\"Id\":\"n1\",\"Warning\":\"\"}");
	fake_add(&f, "200 OK", "", "");
	fake_add(&f, "200 OK", "", "{\"Volumes\":null,\"Warnings\":null}");
	fake_add(&f, "204 No Content", "", "");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(engine_network_create(e, &id, body), 0);
	assert_string_equal(id, "n1");
	assert_int_equal(engine_network_connect(e, "app_default", "web", NULL),
			 0);
	assert_string_equal(f.body,
			    "{\"Container\":\"web\",\"EndpointConfig\":{}}");
	assert_int_equal(engine_volumes_list(e, &out, NULL), 0);
	assert_true(json_is_array(out));
	assert_int_equal(json_array_size(out), 0);
	assert_int_equal(engine_network_remove(e, "app_default"), 0);
	engine_free(e);
	fake_stop(&f);
	assert_non_null(
	    strstr(f.log, "POST /v1.41/networks/app_default/connect HTTP"));
	assert_non_null(
	    strstr(f.log, "DELETE /v1.41/networks/app_default HTTP"));
	json_decref(out);
	json_decref(body);
	free(id);
}

static void test_engine__response_over_the_cap(void **state)
{
	struct fake f = {0};
	struct engine *e;
	char big[4096];
	json_t *out = NULL;

	(void)state;
	memset(big, ' ', sizeof(big) - 3);
	big[0] = '[';
	big[sizeof(big) - 3] = ']';
	big[sizeof(big) - 2] = '\0';
	fake_add_ping(&f, "1.41");
	fake_add(&f, "200 OK", "", big);
	fake_add(&f, "200 OK", "", "[]");
	fake_start(&f);
	e = fake_open(&f, 0, 1024);
	assert_int_equal(engine_containers_list(e, &out, NULL, false),
			 MOOR_ELIMIT);
	assert_null(out);
	assert_err_contains("response from docker exceeds 1024 bytes");
	/* The handle is still good: the next request goes through. */
	assert_int_equal(engine_containers_list(e, &out, NULL, false), 0);
	engine_free(e);
	fake_stop(&f);
	json_decref(out);
}

static void test_engine__non_json_body_is_an_error(void **state)
{
	struct fake f = {0};
	struct engine *e;
	json_t *out = NULL;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add(&f, "200 OK", "", "<html>proxy</html>");
	fake_add(&f, "500 Internal Server Error", "", "plain\ntext");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(engine_container_inspect(e, &out, "x"), MOOR_EIO);
	assert_err_contains("docker: GET /containers/x/json: response is not "
			    "json");
	assert_int_equal(engine_container_inspect(e, &out, "x"), MOOR_EIO);
	assert_string_equal(err_last(), "docker: GET /containers/x/json: 500 "
					"server error: plain text");
	engine_free(e);
	fake_stop(&f);
}

static void test_engine__no_socket(void **state)
{
	struct engine_options o = {"/nonexistent/mooring/docker.sock", 0, 0, 0};
	struct engine *e = NULL;

	(void)state;
	assert_int_equal(engine_open(&e, &o), MOOR_EIO);
	assert_null(e);
	assert_err_contains(
	    "cannot reach docker at '/nonexistent/mooring/docker.sock': ");
}

static void test_engine__reuses_one_connection(void **state)
{
	struct fake f = {0};
	struct engine *e;
	json_t *out = NULL;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add(&f, "200 OK", "", "[]");
	fake_add(&f, "200 OK", "", "{\"Id\":\"x\"}");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(engine_containers_list(e, &out, NULL, false), 0);
	json_decref(out);
	assert_int_equal(engine_container_inspect(e, &out, "x"), 0);
	json_decref(out);
	engine_free(e);
	fake_stop(&f);
	assert_int_equal(f.requests, 3);
	assert_int_equal(f.accepts, 1);
}

static void test_engine__request_timeout(void **state)
{
	struct fake f = {0};
	struct engine *e;
	json_t *out = NULL;
	double t0;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add_raw(&f, NULL, true);
	fake_start(&f);
	e = fake_open(&f, 200, 0);
	t0 = now_s();
	assert_int_equal(engine_containers_list(e, &out, NULL, false),
			 MOOR_ETIMEOUT);
	assert_true(now_s() - t0 < 0.9);
	assert_string_equal(err_last(),
			    "docker: GET /containers/json: no answer within "
			    "200 ms");
	engine_free(e);
	fake_stop(&f);
}

/* Events. */

struct seen {
	int n;
	int stop_at;
	int stop_rc;
	char actions[256];
};

static int seen_event(void *data, json_t *event)
{
	struct seen *s = data;
	size_t len = strlen(s->actions);

	snprintf(s->actions + len, sizeof(s->actions) - len, "%s,",
		 json_string_value(json_object_get(event, "Action")));
	return ++s->n == s->stop_at ? s->stop_rc : 0;
}

/* A chunked /events answer whose chunks cut lines in the middle. */
static void fake_add_events(struct fake *f, bool end)
{
	static const char *const chunks[] = {
	    "{\"Type\":\"container\",\"Action\":\"create\"}\n{\"Type\":",
	    "\"container\",\"Action\":\"start\"}\r\n\n",
	    "{\"Action\":\"die\"}\n{\"Act",
	    "ion\":\"stop\"}\n",
	    "{\"Action\":\"destroy\"}",
	};
	char text[2048];
	size_t len;

	len = (size_t)snprintf(text, sizeof(text),
			       "HTTP/1.1 200 OK\r\nContent-Type: "
			       "application/json\r\nTransfer-Encoding: "
			       "chunked\r\n\r\n");
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%zx\r\n%s\r\n", strlen(chunks[i]),
					chunks[i]);
	if (end)
		snprintf(text + len, sizeof(text) - len, "0\r\n\r\n");
	fake_add_raw(f, text, !end);
}

static void test_engine__events_stopped_by_callback(void **state)
{
	struct fake f = {0};
	struct seen s = {0, 3, 1, ""};
	struct engine *e;
	json_t *filters = json_pack("{s:[s]}", "type", "container");
	double t0;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add_events(&f, false);
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	t0 = now_s();
	assert_int_equal(
	    engine_events(e, filters, 1700000000, 0, seen_event, &s), 0);
	assert_true(now_s() - t0 < 0.9);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.actions, "create,start,die,");
	engine_free(e);
	fake_stop(&f);
	assert_non_null(
	    strstr(f.log, "GET /v1.41/events?since=1700000000&filters=%7B%22"
			  "type%22%3A%5B%22container%22%5D%7D HTTP/1.1"));
	json_decref(filters);
}

static void test_engine__events_callback_error_is_returned(void **state)
{
	struct fake f = {0};
	struct seen s = {0, 2, -42, ""};
	struct engine *e;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add_events(&f, false);
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(engine_events(e, NULL, 0, 0, seen_event, &s), -42);
	assert_int_equal(s.n, 2);
	engine_free(e);
	fake_stop(&f);
}

static void test_engine__events_end_of_stream(void **state)
{
	struct fake f = {0};
	struct seen s = {0, 0, 0, ""};
	struct engine *e;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add_events(&f, true);
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(
	    engine_events(e, NULL, 0, (long)time(NULL) + 60, seen_event, &s),
	    0);
	/* The last line has no '\n' and still counts. */
	assert_string_equal(s.actions, "create,start,die,stop,destroy,");
	engine_free(e);
	fake_stop(&f);
	/* With until and no since, "now" is said explicitly. */
	assert_non_null(strstr(f.log, "GET /v1.41/events?since="));
	assert_non_null(strstr(f.log, "&until="));
}

static void test_engine__events_error_status(void **state)
{
	struct fake f = {0};
	struct seen s = {0, 0, 0, ""};
	struct engine *e;

	(void)state;
	fake_add_ping(&f, "1.41");
	fake_add(&f, "400 Bad Request", "",
		 "{\"message\":\"invalid filter 'x'\"}\n");
	fake_start(&f);
	e = fake_open(&f, 0, 0);
	assert_int_equal(engine_events(e, NULL, 0, 0, seen_event, &s),
			 MOOR_EIO);
	assert_string_equal(err_last(), "docker: GET /events: 400 bad request: "
					"invalid filter 'x'");
	assert_int_equal(s.n, 0);
	engine_free(e);
	fake_stop(&f);
}

/* Decoding, without a server. */

static void test_engine__lines_byte_by_byte(void **state)
{
	static const char stream[] = "\n{\"Action\":\"a\"}\r\n  \n"
				     "{\"Action\":\"b\"}\n{\"Action\":\"c\"}";
	struct seen s = {0, 0, 0, ""};
	struct engine_lines l;

	(void)state;
	engine_lines_init(&l, 64, seen_event, &s);
	for (size_t i = 0; i < sizeof(stream) - 1; i++)
		assert_int_equal(engine_lines_feed(&l, stream + i, 1), 0);
	assert_string_equal(s.actions, "a,b,");
	assert_int_equal(engine_lines_finish(&l), 0);
	assert_string_equal(s.actions, "a,b,c,");
	engine_lines_release(&l);
}

static void test_engine__lines_refuse_bad_input(void **state)
{
	struct seen s = {0, 0, 0, ""};
	struct engine_lines l;
	char longline[100];

	(void)state;
	memset(longline, 'x', sizeof(longline));
	engine_lines_init(&l, 64, seen_event, &s);
	assert_int_equal(engine_lines_feed(&l, longline, sizeof(longline)),
			 MOOR_ELIMIT);
	assert_err_contains("event exceeds 64 bytes");
	engine_lines_release(&l);

	engine_lines_init(&l, 64, seen_event, &s);
	assert_int_equal(engine_lines_feed(&l, "[1]\n", 4), MOOR_EIO);
	assert_err_contains("event is not an object");
	assert_int_equal(engine_lines_feed(&l, "{x\n", 3), MOOR_EIO);
	assert_err_contains("event is not json");
	engine_lines_release(&l);
	assert_int_equal(s.n, 0);
}

static void test_engine__api_versions(void **state)
{
	int major = 0, minor = 0;

	(void)state;
	assert_int_equal(engine_api_version_parse(&major, &minor, "1.41"), 0);
	assert_int_equal(major, 1);
	assert_int_equal(minor, 41);
	assert_int_equal(engine_api_version_parse(&major, &minor, "1."),
			 MOOR_EINVAL);
	assert_int_equal(engine_api_version_parse(&major, &minor, ".1"),
			 MOOR_EINVAL);
	assert_int_equal(engine_api_version_parse(&major, &minor, "1.4.1"),
			 MOOR_EINVAL);
	assert_int_equal(engine_api_version_parse(&major, &minor, "1.41 "),
			 MOOR_EINVAL);
	assert_int_equal(engine_api_version_parse(&major, &minor, "1.99999"),
			 MOOR_EINVAL);
	assert_true(engine_api_version_cmp("1.9", "1.41") < 0);
	assert_true(engine_api_version_cmp("1.41", "1.41") == 0);
	assert_true(engine_api_version_cmp("2.0", "1.41") > 0);
}

static void test_engine__daemon_message_is_one_line_and_capped(void **state)
{
	char body[2048];
	size_t len;

	(void)state;
	len = (size_t)snprintf(body, sizeof(body), "{\"message\":\"a\\nb");
	memset(body + len, 'x', 1000);
	len += 1000;
	len += (size_t)snprintf(body + len, sizeof(body) - len, "\"}");
	assert_int_equal(
	    engine_decode_response(NULL, "GET", "/x?y=1", 418, body, len, NULL),
	    MOOR_EIO);
	assert_non_null(strstr(err_last(), "docker: GET /x: 418: a b"));
	assert_null(strchr(err_last(), '\n'));
	assert_true(strlen(err_last()) < 40 + ENGINE_MAX_DAEMON_MESSAGE);
	assert_non_null(strstr(err_last(), "xxx..."));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		test_engine__negotiates_version_and_encodes_filters),
	    cmocka_unit_test(test_engine__falls_back_to_version),
	    cmocka_unit_test(test_engine__refuses_old_daemon),
	    cmocka_unit_test(test_engine__not_found_carries_daemon_message),
	    cmocka_unit_test(test_engine__conflict_never_shows_the_body),
	    cmocka_unit_test(test_engine__create_start_stop_remove),
	    cmocka_unit_test(test_engine__networks_and_volumes),
	    cmocka_unit_test(test_engine__response_over_the_cap),
	    cmocka_unit_test(test_engine__non_json_body_is_an_error),
	    cmocka_unit_test(test_engine__no_socket),
	    cmocka_unit_test(test_engine__reuses_one_connection),
	    cmocka_unit_test(test_engine__request_timeout),
	    cmocka_unit_test(test_engine__events_stopped_by_callback),
	    cmocka_unit_test(test_engine__events_callback_error_is_returned),
	    cmocka_unit_test(test_engine__events_end_of_stream),
	    cmocka_unit_test(test_engine__events_error_status),
	    cmocka_unit_test(test_engine__lines_byte_by_byte),
	    cmocka_unit_test(test_engine__lines_refuse_bad_input),
	    cmocka_unit_test(test_engine__api_versions),
	    cmocka_unit_test(
		test_engine__daemon_message_is_one_line_and_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

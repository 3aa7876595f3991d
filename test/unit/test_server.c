/*
 * test_server.c - the HTTP server in-process on 127.0.0.1:0 with fake
 * hooks, spoken to with libcurl: endpoints, content types, methods, and
 * the webhook endpoint (signatures, body limit, replays, coalescing,
 * insecure mode).
 */
#include "unit.h"

#include <pthread.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "server.h"

#define SECRET "s3cr3t"
#define BODY   "{\"ref\":\"refs/heads/main\"}"
/* openssl dgst -sha256 -hmac s3cr3t of BODY */
#define MAC "8588fd50c04ac2c191575340c4c0fe284157898def8e4d10af822f05dd7c9bb5"

struct fake {
	pthread_mutex_t lock;
	bool ready;
	unsigned triggers;
	char last_delivery[128];
};

struct fixture {
	struct fake fake;
	struct server *server;
	struct unit_warnings warnings;
};

struct response {
	long status;
	struct buf body;
	char ctype[128];
	char allow[64];
	CURLcode rc;
};

static int fake_metrics(void *data, struct buf *out)
{
	(void)data;
	return buf_adds(out, "# TYPE mooring_up gauge\nmooring_up 1\n") ? -1
									: 200;
}

static int fake_units(void *data, struct buf *out)
{
	(void)data;
	return buf_adds(out, "[{\"unit\":\"api\"}]\n") ? -1 : 200;
}

static int fake_unit(void *data, const char *name, struct buf *out)
{
	(void)data;
	if (!strcmp(name, "api"))
		return buf_adds(out, "{\"unit\":\"api\"}\n") ? -1 : 200;
	if (!strcmp(name, "broken"))
		return err_set(MOOR_ERR, "the unit hook failed");
	return 404;
}

static int fake_findings(void *data, struct buf *out)
{
	(void)data;
	return buf_adds(out, "[]\n") ? -1 : 200;
}

static const char *fake_not_ready(void *data)
{
	struct fake *f = data;
	bool ready;

	pthread_mutex_lock(&f->lock);
	ready = f->ready;
	pthread_mutex_unlock(&f->lock);
	return ready ? NULL : "first pass of unit 'api' not done";
}

static void fake_trigger(void *data, const char *delivery)
{
	struct fake *f = data;

	pthread_mutex_lock(&f->lock);
	f->triggers++;
	snprintf(f->last_delivery, sizeof(f->last_delivery), "%s",
		 delivery ? delivery : "");
	pthread_mutex_unlock(&f->lock);
}

static unsigned triggers(struct fixture *fx)
{
	unsigned n;

	pthread_mutex_lock(&fx->fake.lock);
	n = fx->fake.triggers;
	pthread_mutex_unlock(&fx->fake.lock);
	return n;
}

/* Wait up to 3 s for the trigger count to reach want. */
static unsigned wait_triggers(struct fixture *fx, unsigned want)
{
	for (int i = 0; i < 300 && triggers(fx) < want; i++)
		usleep(10000);
	return triggers(fx);
}

static void options_init(struct server_options *o, struct fixture *fx)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:0";
	o->secret = SECRET;
	o->secret_len = strlen(SECRET);
	o->coalesce_ms = 200;
	o->hooks.metrics = fake_metrics;
	o->hooks.units = fake_units;
	o->hooks.unit = fake_unit;
	o->hooks.findings = fake_findings;
	o->hooks.not_ready = fake_not_ready;
	o->hooks.trigger_poll = fake_trigger;
	o->hooks.data = &fx->fake;
}

static struct fixture *fixture_new(void)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	pthread_mutex_init(&fx->fake.lock, NULL);
	unit_capture_warnings(&fx->warnings);
	return fx;
}

static int setup(void **state)
{
	struct fixture *fx = fixture_new();
	struct server_options o;

	options_init(&o, fx);
	if (server_start(&fx->server, &o)) {
		fprintf(stderr, "server_start: %s\n", err_last());
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	server_stop(fx->server);
	unit_release_warnings();
	/* Nothing the server logged may hold the secret or a signature. */
	if (strstr(fx->warnings.text, SECRET) || strstr(fx->warnings.text, MAC))
		return -1;
	pthread_mutex_destroy(&fx->fake.lock);
	free(fx);
	return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	struct response *r = data;

	return buf_add(&r->body, p, size * n) ? 0 : size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
	struct response *r = data;
	size_t len = size * n;

	if (len > 7 && !strncasecmp(p, "Allow: ", 7)) {
		snprintf(r->allow, sizeof(r->allow), "%.*s", (int)(len - 7),
			 p + 7);
		r->allow[strcspn(r->allow, "\r\n")] = '\0';
	}
	return len;
}

/* One request; headers is a NULL-terminated list of "Name: value". */
static void request(struct response *r, unsigned port, const char *method,
		    const char *path, const char *const *headers,
		    const char *body, size_t body_len)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[256];
	char *ctype = NULL;

	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 1 << 20);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)body_len);
	}
	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	hl = curl_slist_append(hl, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	r->rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
	if (ctype)
		snprintf(r->ctype, sizeof(r->ctype), "%s", ctype);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
}

static void get(struct response *r, struct fixture *fx, const char *path)
{
	request(r, server_port(fx->server), "GET", path, NULL, NULL, 0);
	assert_int_equal(r->rc, CURLE_OK);
}

/* "X-Hub-Signature-256: sha256=<hex HMAC of body>" into out. */
static void github_signature(char *out, size_t size, const char *body)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	size_t used;

	HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET),
	     (const unsigned char *)body, strlen(body), mac, &len);
	used = (size_t)snprintf(out, size, "X-Hub-Signature-256: sha256=");
	for (unsigned int i = 0; i < len && used + 2 < size; i++)
		used +=
		    (size_t)snprintf(out + used, size - used, "%02x", mac[i]);
}

static void hook(struct response *r, struct fixture *fx,
		 const char *const *headers, const char *body)
{
	request(r, server_port(fx->server), "POST", "/hooks/git", headers, body,
		strlen(body));
	assert_int_equal(r->rc, CURLE_OK);
}

static void test_server__port_is_chosen(void **state)
{
	struct fixture *fx = *state;

	assert_true(server_port(fx->server) > 0);
	assert_int_equal(server_port(NULL), 0);
}

static void test_server__healthz(void **state)
{
	struct fixture *fx = *state;
	struct response r;

	get(&r, fx, "/healthz");
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_cstr(&r.body), "ok\n");
	assert_string_equal(r.ctype, "text/plain; charset=utf-8");
	buf_release(&r.body);

	request(&r, server_port(fx->server), "HEAD", "/healthz", NULL, NULL, 0);
	assert_int_equal(r.rc, CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 0);
	buf_release(&r.body);
}

static void test_server__readyz_then_ready(void **state)
{
	struct fixture *fx = *state;
	struct response r;

	get(&r, fx, "/readyz");
	assert_int_equal(r.status, 503);
	assert_string_equal(buf_cstr(&r.body),
			    "not ready: first pass of unit 'api' not done\n");
	buf_release(&r.body);

	pthread_mutex_lock(&fx->fake.lock);
	fx->fake.ready = true;
	pthread_mutex_unlock(&fx->fake.lock);
	get(&r, fx, "/readyz");
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_cstr(&r.body), "ready\n");
	buf_release(&r.body);
}

static void test_server__metrics(void **state)
{
	struct fixture *fx = *state;
	struct response r;

	get(&r, fx, "/metrics");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype,
			    "text/plain; version=0.0.4; charset=utf-8");
	assert_non_null(strstr(buf_cstr(&r.body), "mooring_up 1\n"));
	assert_non_null(strstr(buf_cstr(&r.body),
			       "# TYPE mooring_webhook_deliveries_total "
			       "counter\n"));
	assert_non_null(strstr(buf_cstr(&r.body),
			       "mooring_webhook_deliveries_total{result="
			       "\"accepted\"} 0\n"));
	buf_release(&r.body);
}

static void test_server__api(void **state)
{
	struct fixture *fx = *state;
	struct response r;

	get(&r, fx, "/api/v1/units");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "application/json");
	assert_string_equal(buf_cstr(&r.body), "[{\"unit\":\"api\"}]\n");
	buf_release(&r.body);

	get(&r, fx, "/api/v1/units/api");
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_cstr(&r.body), "{\"unit\":\"api\"}\n");
	buf_release(&r.body);

	get(&r, fx, "/api/v1/units/nope");
	assert_int_equal(r.status, 404);
	assert_string_equal(r.ctype, "application/json");
	assert_string_equal(buf_cstr(&r.body), "{\"error\":\"not found\"}\n");
	buf_release(&r.body);

	get(&r, fx, "/api/v1/units/broken");
	assert_int_equal(r.status, 500);
	assert_string_equal(buf_cstr(&r.body),
			    "{\"error\":\"internal error\"}\n");
	assert_non_null(strstr(fx->warnings.text, "the unit hook failed"));
	buf_release(&r.body);

	get(&r, fx, "/api/v1/findings");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "application/json");
	assert_string_equal(buf_cstr(&r.body), "[]\n");
	buf_release(&r.body);
}

static void test_server__unknown_paths(void **state)
{
	static const char *const paths[] = {
	    "/",
	    "/nope",
	    "/healthz/",
	    "/api/v1/units/",
	    "/api/v1/units/a/b",
	    "/api/v1",
	    "/hooks/git/x",
	    "/metricsx",
	};
	struct fixture *fx = *state;
	struct response r;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		get(&r, fx, paths[i]);
		if (r.status != 404)
			fail_msg("'%s' answered %ld", paths[i], r.status);
		buf_release(&r.body);
	}
}

static void test_server__wrong_method(void **state)
{
	struct fixture *fx = *state;
	struct response r;

	request(&r, server_port(fx->server), "POST", "/healthz", NULL, "x", 1);
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "GET, HEAD");
	buf_release(&r.body);

	request(&r, server_port(fx->server), "DELETE", "/api/v1/units/api",
		NULL, NULL, 0);
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "GET, HEAD");
	buf_release(&r.body);

	get(&r, fx, "/hooks/git");
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "POST");
	buf_release(&r.body);
	assert_int_equal(triggers(fx), 0);
}

static void test_server__webhook_github(void **state)
{
	static const char *const h[] = {
	    "X-GitHub-Event: push", "X-GitHub-Delivery: gh-1",
	    "X-Hub-Signature-256: sha256=" MAC, NULL};
	struct fixture *fx = *state;
	struct response r;

	hook(&r, fx, h, BODY);
	assert_int_equal(r.status, 202);
	assert_string_equal(buf_cstr(&r.body), "accepted\n");
	buf_release(&r.body);
	assert_int_equal(wait_triggers(fx, 1), 1);
	assert_string_equal(fx->fake.last_delivery, "gh-1");
}

static void test_server__webhook_gitea_and_gitlab(void **state)
{
	static const char *const gitea[] = {"X-Gitea-Delivery: gt-1",
					    "X-Gitea-Signature: " MAC, NULL};
	static const char *const gitlab[] = {"X-Gitlab-Event: Push Hook",
					     "X-Gitlab-Event-UUID: gl-1",
					     "X-Gitlab-Token: " SECRET, NULL};
	struct fixture *fx = *state;
	struct response r;

	hook(&r, fx, gitea, BODY);
	assert_int_equal(r.status, 202);
	buf_release(&r.body);
	assert_int_equal(wait_triggers(fx, 1), 1);
	/* Another push: another body (a body seen before is a replay). */
	hook(&r, fx, gitlab, "{\"ref\":\"refs/heads/main\",\"n\":2}");
	assert_int_equal(r.status, 202);
	buf_release(&r.body);
	/* Within the window: held, then fired once the window passed. */
	assert_int_equal(wait_triggers(fx, 2), 2);
	assert_string_equal(fx->fake.last_delivery, "gl-1");
}

static void test_server__webhook_unauthorized(void **state)
{
	static const char *const bad[] = {
	    "X-GitHub-Delivery: gh-bad",
	    "X-Hub-Signature-256: sha256="
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    NULL};
	static const char *const none[] = {"X-GitHub-Delivery: gh-none", NULL};
	static const char *const one_bad[] = {
	    "X-Hub-Signature-256: sha256=" MAC, "X-Gitlab-Token: wrong", NULL};
	static const char *const token[] = {"X-Gitlab-Token: " SECRET "x",
					    NULL};
	static const char *const gh[] = {"X-Hub-Signature-256: sha256=" MAC,
					 NULL};
	struct fixture *fx = *state;
	struct response r;

	hook(&r, fx, bad, BODY);
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
	hook(&r, fx, none, BODY);
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
	hook(&r, fx, one_bad, BODY);
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
	hook(&r, fx, token, BODY);
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
	/* The right signature over another body. */
	hook(&r, fx, gh, "{\"ref\":\"refs/heads/other\"}");
	assert_int_equal(r.status, 401);
	buf_release(&r.body);
	usleep(300000);
	assert_int_equal(triggers(fx), 0);
	assert_non_null(strstr(fx->warnings.text, "webhook refused"));

	get(&r, fx, "/metrics");
	assert_non_null(strstr(buf_cstr(&r.body),
			       "mooring_webhook_deliveries_total{result="
			       "\"unauthorized\"} 5\n"));
	buf_release(&r.body);
}

static void test_server__webhook_too_large(void **state)
{
	static const char *const h[] = {"X-Hub-Signature-256: sha256=" MAC,
					NULL};
	struct fixture *fx = *state;
	size_t n = 2u << 20;
	char *big = malloc(n + 1);
	struct response r;

	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	hook(&r, fx, h, big);
	assert_int_equal(r.status, 413);
	buf_release(&r.body);
	/* One byte over the limit, too. */
	big[(1u << 20) + 1] = '\0';
	hook(&r, fx, h, big);
	assert_int_equal(r.status, 413);
	buf_release(&r.body);
	free(big);
	/* The server still serves. */
	get(&r, fx, "/healthz");
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	assert_int_equal(triggers(fx), 0);
}

static void test_server__webhook_large_body_within_limit(void **state)
{
	static const char *const h[] = {"X-Gitlab-Token: " SECRET, NULL};
	struct fixture *fx = *state;
	size_t n = (1u << 20) - 1;
	char *big = malloc(n + 1);
	struct response r;

	assert_non_null(big);
	memset(big, 'z', n);
	big[n] = '\0';
	hook(&r, fx, h, big);
	assert_int_equal(r.status, 202);
	buf_release(&r.body);
	free(big);
	assert_int_equal(wait_triggers(fx, 1), 1);
}

static size_t read_chunks(char *p, size_t size, size_t n, void *data)
{
	size_t *left = data;
	size_t len = size * n < *left ? size * n : *left;

	memset(p, 'y', len);
	*left -= len;
	return len;
}

static void test_server__webhook_too_large_chunked(void **state)
{
	struct fixture *fx = *state;
	struct curl_slist *hl = NULL;
	size_t left = 32u << 20;
	CURL *c = curl_easy_init();
	char url[128];
	long status = 0;
	CURLcode rc;

	assert_non_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hooks/git",
		 server_port(fx->server));
	hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
	hl = curl_slist_append(hl, "X-Gitlab-Token: " SECRET);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_chunks);
	curl_easy_setopt(c, CURLOPT_READDATA, &left);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	/* No declared length: the server stops reading at the limit and
	 * answers 413 (or, at worst, drops the connection); it never
	 * accepts, and never reads the whole 32 MiB. */
	if (rc == CURLE_OK)
		assert_int_equal(status, 413);
	assert_true(left > 0);
	usleep(300000);
	assert_int_equal(triggers(fx), 0);
}

static void test_server__webhook_replay(void **state)
{
	static const char *const h[] = {"X-GitHub-Delivery: gh-replay",
					"X-Hub-Signature-256: sha256=" MAC,
					NULL};
	struct fixture *fx = *state;
	struct response r;

	hook(&r, fx, h, BODY);
	assert_int_equal(r.status, 202);
	buf_release(&r.body);
	assert_int_equal(wait_triggers(fx, 1), 1);
	hook(&r, fx, h, BODY);
	assert_int_equal(r.status, 202);
	assert_string_equal(buf_cstr(&r.body), "duplicate delivery\n");
	buf_release(&r.body);
	usleep(400000); /* two windows: no trailing trigger either */
	assert_int_equal(triggers(fx), 1);

	get(&r, fx, "/metrics");
	assert_non_null(strstr(buf_cstr(&r.body),
			       "mooring_webhook_deliveries_total{result="
			       "\"duplicate\"} 1\n"));
	buf_release(&r.body);
}

static void test_server__webhook_burst_coalesces(void **state)
{
	struct fixture *fx = *state;
	struct response r;
	char id[64], sig[128], body[64];
	const char *h[] = {id, sig, NULL};

	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "X-GitHub-Delivery: burst-%d", i);
		snprintf(body, sizeof(body),
			 "{\"ref\":\"refs/heads/main\","
			 "\"n\":%d}",
			 i);
		github_signature(sig, sizeof(sig), body);
		hook(&r, fx, h, body);
		assert_int_equal(r.status, 202);
		buf_release(&r.body);
	}
	/* One poll at once, one for the rest of the burst, none lost. */
	assert_int_equal(wait_triggers(fx, 2), 2);
	usleep(500000);
	assert_int_equal(triggers(fx), 2);
	assert_string_equal(fx->fake.last_delivery, "burst-4");
}

/* The delivery id is not signed: the same signed body resent under a new
 * id is still a replay. */
static void test_server__replayed_body_with_new_id(void **state)
{
	static const char *const first[] = {"X-GitHub-Delivery: orig-1",
					    "X-Hub-Signature-256: sha256=" MAC,
					    NULL};
	static const char *const again[] = {"X-GitHub-Delivery: forged-2",
					    "X-Hub-Signature-256: sha256=" MAC,
					    NULL};
	struct fixture *fx = *state;
	struct response r;

	hook(&r, fx, first, BODY);
	assert_int_equal(r.status, 202);
	buf_release(&r.body);
	assert_int_equal(wait_triggers(fx, 1), 1);
	hook(&r, fx, again, BODY);
	assert_int_equal(r.status, 202);
	assert_string_equal(buf_cstr(&r.body), "duplicate delivery\n");
	buf_release(&r.body);
	usleep(300000);
	assert_int_equal(triggers(fx), 1);
}

static void test_server__delivery_id_sanitised(void **state)
{
	static const char *const h[] = {"X-GitHub-Delivery: a b\"c/%",
					"X-Hub-Signature-256: sha256=" MAC,
					NULL};
	struct fixture *fx = *state;
	struct response r;

	hook(&r, fx, h, BODY);
	assert_int_equal(r.status, 202);
	buf_release(&r.body);
	assert_int_equal(wait_triggers(fx, 1), 1);
	assert_string_equal(fx->fake.last_delivery, "a?b?c??");
}

static void test_server__insecure_mode(void **state)
{
	static const char *const h[] = {"X-Gitlab-Token: anything", NULL};
	struct fixture *fx = fixture_new();
	struct server_options o;
	struct response r;

	(void)state;
	options_init(&o, fx);
	o.secret = NULL;
	o.secret_len = 0;
	o.allow_insecure_webhooks = true;
	assert_int_equal(server_start(&fx->server, &o), 0);
	hook(&r, fx, h, BODY);
	assert_int_equal(r.status, 403);
	assert_string_equal(buf_cstr(&r.body),
			    "webhooks disabled: no secret configured\n");
	buf_release(&r.body);
	get(&r, fx, "/healthz");
	assert_int_equal(r.status, 200);
	buf_release(&r.body);
	usleep(100000);
	assert_int_equal(triggers(fx), 0);
	*state = fx;
	assert_int_equal(teardown(state), 0);
}

static void test_server__refuses_without_secret(void **state)
{
	struct fixture *fx = fixture_new();
	struct server_options o;
	struct server *s = NULL;

	(void)state;
	options_init(&o, fx);
	o.secret = NULL;
	o.secret_len = 0;
	assert_int_equal(server_start(&s, &o), MOOR_EINVAL);
	assert_null(s);
	assert_err_contains("without a secret");
	o.secret = "";
	assert_int_equal(server_start(&s, &o), MOOR_EINVAL);
	assert_null(s);
	*state = fx;
	assert_int_equal(teardown(state), 0);
}

static void test_server__listen_addresses(void **state)
{
	static const char *const bad[] = {
	    "nope",	     "127.0.0.1",	"127.0.0.1:",
	    "127.0.0.1:x",   "127.0.0.1:65536", "127.0.0.1:-1",
	    "::1:80",	     "[::1]80",		"[::1",
	    "127.0.0.1:+80",
	};
	struct fixture *fx = fixture_new();
	struct server_options o;
	struct server *s = NULL, *s2 = NULL;
	char addr[64];
	int rc;

	(void)state;
	options_init(&o, fx);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.listen = bad[i];
		if (server_start(&s, &o) != MOOR_EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_null(s);
	}
	/* The same port twice: the second cannot listen. */
	o.listen = "127.0.0.1:0";
	assert_int_equal(server_start(&s, &o), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", server_port(s));
	o.listen = addr;
	assert_int_equal(server_start(&s2, &o), MOOR_EIO);
	assert_err_contains("cannot listen on");
	server_stop(s);
	s = NULL;
	/* IPv6 loopback, where the host has it. */
	o.listen = "[::1]:0";
	rc = server_start(&s, &o);
	if (rc == 0) {
		assert_true(server_port(s) > 0);
		server_stop(s);
	} else {
		assert_int_equal(rc, MOOR_EIO);
	}
	server_stop(NULL);
	*state = fx;
	assert_int_equal(teardown(state), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_server__port_is_chosen, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_server__healthz, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_server__readyz_then_ready,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server__metrics, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_server__api, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server__unknown_paths, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_server__wrong_method, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_server__webhook_github, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_server__webhook_gitea_and_gitlab, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server__webhook_unauthorized,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server__webhook_too_large,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_server__webhook_large_body_within_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_server__webhook_too_large_chunked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server__webhook_replay, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_server__webhook_burst_coalesces, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_server__replayed_body_with_new_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server__delivery_id_sanitised,
					    setup, teardown),
	    cmocka_unit_test(test_server__insecure_mode),
	    cmocka_unit_test(test_server__refuses_without_secret),
	    cmocka_unit_test(test_server__listen_addresses),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}

/*
 * run_http.c - what the HTTP server and the events watcher ask of the
 * controller (server.h, events.h): metrics, the units and findings as
 * JSON, readiness, and the triggers. Each callback runs on the caller's
 * thread, holds the controller's lock only while it copies or formats,
 * and never waits for the loop.
 *
 * Status read here is made stale at read time as well (status.h): a unit
 * whose next check is slow in coming does not keep saying in_sync.
 */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#include "banned.h"

/* A webhook secret is short; a big file is a mistake. */
#define RUN_SECRET_MAX 4096

static const enum unit_status run_statuses[] = {
    UNIT_IN_SYNC,  UNIT_PENDING, UNIT_DRIFT,
    UNIT_CONFLICT, UNIT_UNKNOWN, UNIT_ERROR,
};

/* DESIGN 4.4's domains, always listed so that a series drops to 0. */
static const char *const run_domains[] = {
    "image",  "identity", "network", "capacity",
    "secret", "storage",  "runtime", "metadata",
};

#define RUN_NDOMAINS (sizeof(run_domains) / sizeof(run_domains[0]))

/* The record as a reader should see it now; mu held. */
static void run_view(struct status_record *out, const struct controller *c,
		     const struct run_unit *ru)
{
	status_record_copy(out, &ru->st);
	if (!out->stale)
		status_mark_stale(out, time(NULL), c->stale_after_ms, NULL);
}

static int run_dump(struct buf *out, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	int error;

	json_decref(j);
	if (!text)
		return 500;
	error = buf_adds(out, text);
	free(text);
	return error < 0 ? 500 : 200;
}

/* --- metrics ------------------------------------------------------------- */

static void run_metric_head(struct buf *out, const char *name, const char *type,
			    const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* `unit="<name>"` into out (the caller frees). */
static char *run_unit_label(const char *unit)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);

	buf_adds(&b, "unit=\"");
	metrics_write_label_value(&b, unit);
	buf_adds(&b, "\"");
	return buf_detach(&b, NULL);
}

static void run_count_domains(size_t counts[RUN_NDOMAINS + 1],
			      const json_t *findings)
{
	size_t i;
	json_t *f;

	memset(counts, 0, sizeof(size_t) * (RUN_NDOMAINS + 1));
	json_array_foreach(findings, i, f)
	{
		const char *d = json_string_value(json_object_get(f, "domain"));
		size_t k;

		for (k = 0; d && k < RUN_NDOMAINS && strcmp(d, run_domains[k]);
		     k++)
			;
		counts[d ? k : RUN_NDOMAINS]++;
	}
}

static void run_metrics_units(struct buf *out, struct controller *c)
{
	run_metric_head(out, "mooring_unit_status", "gauge",
			"Status of each unit: 1 for the current one.");
	for (size_t i = 0; i < c->nunits; i++) {
		struct status_record v;
		char *l = run_unit_label(c->units[i].name);

		run_view(&v, c, &c->units[i]);
		for (size_t k = 0;
		     k < sizeof(run_statuses) / sizeof(run_statuses[0]); k++)
			buf_printf(out,
				   "mooring_unit_status{%s,status=\"%s\"} %d\n",
				   l, unit_status_name(run_statuses[k]),
				   v.status == run_statuses[k]);
		buf_printf(out, "mooring_unit_status{%s,status=\"stale\"} %d\n",
			   l, v.stale);
		status_record_release(&v);
		free(l);
	}
	run_metric_head(out, "mooring_unit_last_success_timestamp_seconds",
			"gauge",
			"Unix time of the unit's last successful check.");
	for (size_t i = 0; i < c->nunits; i++) {
		char *l = run_unit_label(c->units[i].name);

		buf_printf(out,
			   "mooring_unit_last_success_timestamp_seconds{%s} "
			   "%lld\n",
			   l, (long long)c->units[i].st.last_success);
		free(l);
	}
	run_metric_head(out, "mooring_findings_open", "gauge",
			"Open findings of each unit, by domain.");
	for (size_t i = 0; i < c->nunits; i++) {
		size_t counts[RUN_NDOMAINS + 1];
		char *l = run_unit_label(c->units[i].name);

		run_count_domains(counts, c->units[i].findings);
		for (size_t k = 0; k < RUN_NDOMAINS; k++)
			buf_printf(out,
				   "mooring_findings_open{%s,domain=\"%s\"} "
				   "%zu\n",
				   l, run_domains[k], counts[k]);
		if (counts[RUN_NDOMAINS])
			buf_printf(out,
				   "mooring_findings_open{%s,domain=\"other\"} "
				   "%zu\n",
				   l, counts[RUN_NDOMAINS]);
		free(l);
	}
}

static void run_metrics_counters(struct buf *out, struct controller *c)
{
	run_metric_head(out, "mooring_deploys_total", "counter",
			"Deploys (apply runs that succeeded) per unit.");
	for (size_t i = 0; i < c->nunits; i++) {
		char *l = run_unit_label(c->units[i].name);

		buf_printf(out, "mooring_deploys_total{%s} %llu\n", l,
			   c->units[i].deploys);
		free(l);
	}
	run_metric_head(out, "mooring_errors_total", "counter",
			"Checks of a unit that did not succeed.");
	for (size_t i = 0; i < c->nunits; i++) {
		char *l = run_unit_label(c->units[i].name);

		buf_printf(out, "mooring_errors_total{%s} %llu\n", l,
			   c->units[i].errors);
		free(l);
	}
	run_metric_head(out, "mooring_git_fetch_errors_total", "counter",
			"Fetches of the repository that failed.");
	buf_printf(out, "mooring_git_fetch_errors_total %llu\n",
		   c->fetch_errors);
	run_metric_head(out, "mooring_events_connected", "gauge",
			"1 while the docker events stream is connected.");
	buf_printf(out, "mooring_events_connected %d\n",
		   c->events ? events_connected(c->events) : 0);
}

static int run_http_metrics(void *data, struct buf *out)
{
	struct controller *c = data;
	struct histogram fetch;
	int error = 0;

	pthread_mutex_lock(&c->mu);
	run_metrics_units(out, c);
	run_metrics_findings(out, c);
	run_metrics_counters(out, c);
	fetch = c->fetch_hist;
	run_metric_head(out, "mooring_reconcile_duration_seconds", "histogram",
			"Time of one unit's pass.");
	for (size_t i = 0; i < c->nunits && error >= 0; i++) {
		struct histogram h = c->units[i].reconcile;
		char *l = run_unit_label(c->units[i].name);

		error = metrics_write_histogram(
		    out, "mooring_reconcile_duration_seconds", l, &h);
		free(l);
	}
	pthread_mutex_unlock(&c->mu);
	run_metric_head(out, "mooring_git_fetch_duration_seconds", "histogram",
			"Time of one fetch of the repository.");
	if (error >= 0)
		error = metrics_write_histogram(
		    out, "mooring_git_fetch_duration_seconds", NULL, &fetch);
	return error < 0 ? 500 : 200;
}

/* --- JSON API ------------------------------------------------------------ */

/* mu held. */
static json_t *run_unit_json(const struct controller *c,
			     const struct run_unit *ru, bool with_findings)
{
	struct status_record v;
	json_t *j;

	run_view(&v, c, ru);
	j = status_record_json(&v);
	status_record_release(&v);
	if (with_findings)
		json_object_set_new(j, "open_findings",
				    json_deep_copy(ru->findings));
	return j;
}

static int run_http_units(void *data, struct buf *out)
{
	struct controller *c = data;
	json_t *arr = json_array();

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->nunits; i++)
		json_array_append_new(arr,
				      run_unit_json(c, &c->units[i], false));
	pthread_mutex_unlock(&c->mu);
	return run_dump(out, arr);
}

static int run_http_unit(void *data, const char *name, struct buf *out)
{
	struct controller *c = data;
	struct run_unit *ru;
	json_t *j = NULL;

	pthread_mutex_lock(&c->mu);
	ru = run_unit_find(c, name);
	if (ru)
		j = run_unit_json(c, ru, true);
	pthread_mutex_unlock(&c->mu);
	if (!j) {
		j = json_pack("{s:s}", "error", "unknown unit");
		return run_dump(out, j) == 200 ? 404 : 500;
	}
	return run_dump(out, j);
}

static int run_http_findings(void *data, struct buf *out)
{
	struct controller *c = data;
	json_t *arr = json_array();

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->nunits; i++)
		if (c->units[i].findings)
			json_array_extend(arr, c->units[i].findings);
	/* Copied while locked: the loop replaces the arrays. */
	{
		json_t *copy = json_deep_copy(arr);

		json_decref(arr);
		arr = copy;
	}
	pthread_mutex_unlock(&c->mu);
	return run_dump(out, arr);
}

static const char *run_http_not_ready(void *data)
{
	static __thread char why[192];
	struct controller *c = data;
	const char *res = NULL;

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->nunits && !res; i++) {
		if (!c->units[i].checked) {
			snprintf(why, sizeof(why),
				 "unit '%s' has not been checked yet",
				 c->units[i].name);
			res = why;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return res;
}

static void run_http_trigger_poll(void *data, const char *delivery)
{
	struct controller *c = data;

	log_info("webhook%s%s: polling now", delivery ? " " : "",
		 delivery ? delivery : "");
	controller_trigger_poll(c);
}

/* --- events -------------------------------------------------------------- */

static const char *run_unit_of_project(void *data, const char *project)
{
	struct controller *c = data;
	const char *name = NULL;

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->nunits && !name; i++)
		if (c->units[i].project &&
		    !strcmp(c->units[i].project, project))
			name = c->units[i].name; /* interned: stays valid */
	pthread_mutex_unlock(&c->mu);
	return name;
}

static void run_on_unit(void *data, const char *unit, const char *action,
			bool outside_mooring)
{
	struct controller *c = data;

	log_debug("event '%s' on unit '%s'%s", action, unit,
		  outside_mooring ? " (outside mooring)" : "");
	controller_trigger_unit(c, unit);
}

/* --- start, stop, reload ------------------------------------------------- */

static void run_secret_free(char *secret, size_t len)
{
	if (secret)
		explicit_bzero(secret, len);
	free(secret);
}

/* The webhook secret named by the config (*out NULL when none). */
static int run_read_secret(char **out, size_t *len_out,
			   const struct config *cfg)
{
	struct buf b = BUF_INIT(RUN_SECRET_MAX);
	int error;

	*out = NULL;
	*len_out = 0;
	if (!cfg->webhook_secret_file)
		return 0;
	if ((error = buf_read_file(&b, cfg->webhook_secret_file)) < 0)
		goto cleanup;
	/* A file written by `echo` ends with a newline that is not part of
	 * the secret the forge was given. */
	while (b.len &&
	       (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.len--;
	if (!b.len) {
		error =
		    err_set(MOOR_EINVAL, "webhook secret file '%s' is empty",
			    cfg->webhook_secret_file);
		goto cleanup;
	}
	*out = xmalloc(b.len + 1);
	memcpy(*out, b.data, b.len);
	(*out)[b.len] = '\0';
	*len_out = b.len;
	error = 0;
cleanup:
	if (b.data)
		explicit_bzero(b.data, b.cap);
	buf_release(&b);
	return error;
}

/* Start a server for cfg serving secret (which must outlive it). */
static int run_server_make(struct server **out, struct controller *c,
			   const struct config *cfg, const char *secret,
			   size_t secret_len)
{
	struct server_options so;

	memset(&so, 0, sizeof(so));
	so.listen = cfg->listen;
	so.secret = secret;
	so.secret_len = secret_len;
	so.allow_insecure_webhooks = cfg->allow_insecure_webhooks;
	so.hooks.metrics = run_http_metrics;
	so.hooks.units = run_http_units;
	so.hooks.unit = run_http_unit;
	so.hooks.findings = run_http_findings;
	so.hooks.not_ready = run_http_not_ready;
	so.hooks.trigger_poll = run_http_trigger_poll;
	so.hooks.data = c;
	return server_start(out, &so);
}

/* Make s the server, and its secret (taken over) the controller's; the
 * previous server must be stopped already (it pointed at the old
 * secret, freed here). */
static void run_server_install(struct controller *c, const struct config *cfg,
			       struct server *s, char *secret,
			       size_t secret_len)
{
	if (c->secret != secret)
		run_secret_free(c->secret, c->secret_len);
	c->secret = secret;
	c->secret_len = secret_len;
	if (!c->secret)
		log_warnx("no 'webhook_secret_file': /hooks/git is off "
			  "(allow_insecure_webhooks)");
	log_info("listening on %s (port %u)", cfg->listen, server_port(s));
	pthread_mutex_lock(&c->mu);
	c->server = s;
	pthread_mutex_unlock(&c->mu);
}

static int run_events_start(struct controller *c, const struct config *cfg)
{
	struct events_options eo;
	struct events *ev = NULL;
	int error;

	memset(&eo, 0, sizeof(eo));
	eo.socket_path = cfg->docker_socket;
	eo.journal = c->journal;
	eo.unit_of_project = run_unit_of_project;
	eo.on_unit = run_on_unit;
	eo.data = c;
	if ((error = events_start(&ev, &eo)) < 0)
		return error;
	pthread_mutex_lock(&c->mu);
	c->events = ev;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

/* Take a service out from under the lock, then stop it (its threads may
 * be waiting for the lock in a callback). */
static void run_server_stop(struct controller *c)
{
	struct server *s;

	pthread_mutex_lock(&c->mu);
	s = c->server;
	c->server = NULL;
	pthread_mutex_unlock(&c->mu);
	server_stop(s);
}

static void run_events_stop(struct controller *c)
{
	struct events *ev;

	pthread_mutex_lock(&c->mu);
	ev = c->events;
	c->events = NULL;
	pthread_mutex_unlock(&c->mu);
	events_stop(ev);
}

int run_services_start(struct controller *c)
{
	struct server *s = NULL;
	char *secret = NULL;
	size_t len = 0;
	int error;

	if ((error = run_read_secret(&secret, &len, c->config)) < 0)
		return error;
	if ((error = run_server_make(&s, c, c->config, secret, len)) < 0) {
		run_secret_free(secret, len);
		return error;
	}
	run_server_install(c, c->config, s, secret, len);
	if ((error = run_events_start(c, c->config)) < 0) {
		run_server_stop(c);
		return error;
	}
	return 0;
}

void run_services_stop(struct controller *c)
{
	run_server_stop(c);
	run_events_stop(c);
}

/*
 * A new listen address is bound while the old one still serves, so that a
 * reload to an address that cannot be bound changes nothing: the old
 * server goes on and the running config keeps its listen settings (what
 * `status` and the next reload compare against). The same address with a
 * new secret needs the port back first: stopped, then started again (with
 * the old settings when the new start fails).
 */
int run_services_reload(struct controller *c, const struct config *old)
{
	struct config *now = c->config;
	struct server *s = NULL;
	char *secret = NULL;
	size_t len = 0;
	bool moved;
	int error = 0;

	if ((error = run_read_secret(&secret, &len, now)) < 0)
		return error;
	moved = run_str_differs(old->listen, now->listen);
	/* A rotated secret (same file, new content) needs a restart too. */
	if (!moved &&
	    old->allow_insecure_webhooks == now->allow_insecure_webhooks &&
	    len == c->secret_len && (!len || !memcmp(secret, c->secret, len))) {
		run_secret_free(secret, len);
	} else {
		if (!moved)
			run_server_stop(c);
		if ((error = run_server_make(&s, c, now, secret, len)) == 0) {
			if (moved)
				run_server_stop(c);
			run_server_install(c, now, s, secret, len);
		} else {
			char *why = xstrdup(err_last());

			run_secret_free(secret, len);
			free(now->listen);
			now->listen = old->listen ? xstrdup(old->listen) : NULL;
			now->allow_insecure_webhooks =
			    old->allow_insecure_webhooks;
			if (!moved) {
				/* Serve as before rather than not at all. */
				if (run_server_make(&s, c, old, c->secret,
						    c->secret_len) < 0)
					log_errorx(
					    "the HTTP server is down: %s",
					    err_last());
				else
					run_server_install(c, old, s, c->secret,
							   c->secret_len);
			}
			error =
			    err_set(error, "%s; the HTTP server stays on '%s'",
				    why, now->listen ? now->listen : "");
			free(why);
		}
	}
	if (run_str_differs(old->docker_socket, now->docker_socket)) {
		run_events_stop(c);
		if (run_events_start(c, now) < 0 && error == 0)
			error = err_last_code();
	}
	return error;
}

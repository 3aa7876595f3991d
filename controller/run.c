/*
 * run.c - the controller loop of `mooring run` (see run.h): start-up
 * under the state dir lock, the signal thread, the wait for the next due
 * unit or trigger, one round (fetch once, then each due unit), reload on
 * SIGHUP, and the triggers the events watcher and the webhook call.
 *
 * One unit's pass is in run_unit.c, the table of units in run_units.c,
 * the HTTP and events callbacks in run_http.c. Passes run one at a time
 * on the loop thread: the source (libgit2) and the recorded plane are
 * not shared between passes, and apply parallelises inside a unit.
 */
#define _GNU_SOURCE /* fopencookie */
#include "run_int.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "digest.h"
#include "err.h"
#include "finding.h"
#include "log.h"
#include "path.h"
#include "policy.h"
#include "run_schedule.h"
#include "source.h"
#include "source_git.h"
#include "state.h"
#include "units.h"
#include "xalloc.h"

#include "banned.h"

/* The signal thread's private wake-up for shutdown. */
#define RUN_SIG_QUIT SIGUSR1

static volatile sig_atomic_t run_sig_quit;

bool run_str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

long long run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_fmt_ms(char *out, size_t size, long ms)
{
	if (ms % 1000 == 0)
		snprintf(out, size, "%lds", ms / 1000);
	else
		snprintf(out, size, "%ldms", ms);
}

/* --- apply's action lines, one log line each ----------------------------- */

struct run_linebuf {
	char line[1024];
	size_t len;
};

static ssize_t run_actions_write(void *cookie, const char *data, size_t size)
{
	struct run_linebuf *lb = cookie;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n') {
			log_info("%.*s", (int)lb->len, lb->line);
			lb->len = 0;
		} else if (lb->len < sizeof(lb->line) - 1) {
			lb->line[lb->len++] = data[i];
		}
	}
	return (ssize_t)size;
}

static int run_actions_close(void *cookie)
{
	struct run_linebuf *lb = cookie;

	if (lb->len)
		log_info("%.*s", (int)lb->len, lb->line);
	free(lb);
	return 0;
}

static FILE *run_actions_open(void)
{
	cookie_io_functions_t io = {NULL, run_actions_write, NULL,
				    run_actions_close};
	struct run_linebuf *lb = xcalloc(1, sizeof(*lb));
	FILE *f = fopencookie(lb, "w", io);

	if (!f) {
		free(lb);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

/* --- triggers ------------------------------------------------------------ */

void controller_trigger_unit(struct controller *c, const char *unit)
{
	struct run_unit *ru;

	pthread_mutex_lock(&c->mu);
	ru = run_unit_find(c, unit);
	if (ru && !ru->triggered) {
		ru->triggered = true;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
}

void controller_trigger_poll(struct controller *c)
{
	pthread_mutex_lock(&c->mu);
	if (!c->poll) {
		c->poll = true;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
}

/* --- signals ------------------------------------------------------------- */

static void run_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, RUN_SIG_QUIT);
}

/*
 * Every thread blocks these signals (the mask is set before any thread
 * starts); this one takes them with sigwait, so a handler never runs in
 * the middle of libcurl or libgit2. The first SIGTERM/SIGINT lets the
 * current step finish; a second one means now.
 */
static void *run_signal_thread(void *data)
{
	struct controller *c = data;
	sigset_t set;
	int sig = 0;

	run_signal_set(&set);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == RUN_SIG_QUIT) {
			if (run_sig_quit)
				break;
			continue;
		}
		pthread_mutex_lock(&c->mu);
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading the config");
			c->reload = true;
		} else if (c->stop) {
			log_warnx("second %s: exiting now",
				  sig == SIGINT ? "SIGINT" : "SIGTERM");
			_exit(EXIT_FAILURE);
		} else {
			log_info("%s: finishing the current step",
				 sig == SIGINT ? "SIGINT" : "SIGTERM");
			c->stop = true;
		}
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	return NULL;
}

/* --- context, fetch, registry -------------------------------------------- */

static void run_set_str(char **slot, const char *s)
{
	free(*slot);
	*slot = s ? xstrdup(s) : NULL;
}

/* Append the names and contents of the repo's policy files to b (in
 * name order; what policy_load reads). */
static void run_policy_files(struct buf *b, struct controller *c)
{
	char *dir = path_join(source_root(c->ctx.source), POLICY_REPO_DIR);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char *rel = path_join(POLICY_REPO_DIR, names[i]->d_name);

		if (names[i]->d_name[0] != '.') {
			buf_printf(b, "\n%s\n", rel);
			if (source_read(c->ctx.source, rel, b) < 0)
				err_clear();
		}
		free(rel);
		free(names[i]);
	}
	free(names);
	free(dir);
}

/* A digest of mooring/units.yaml, the repo's policies as the source has
 * them now and the exceptions added from the command line, so that the
 * registry and the policy are reloaded exactly when they changed. */
static char *run_registry_key(struct controller *c)
{
	struct buf b = BUF_INIT(16u << 20);
	char hex[65];
	char *key;

	if (source_read(c->ctx.source, UNITS_FILE, &b) < 0) {
		err_clear();
		buf_adds(&b, "(unreadable)");
	}
	run_policy_files(&b, c);
	{
		/* `mooring exception add` writes there while we run. */
		struct buf e = BUF_INIT(4u << 20);
		char *p = path_join(c->state_dir, "exceptions.json");

		if (buf_read_file(&e, p) == 0)
			buf_add(&b, e.data, e.len);
		err_clear();
		buf_release(&e);
		free(p);
	}
	if (digest_sha256_hex(hex, b.data ? b.data : "", b.len) < 0) {
		err_clear();
		key = xstrdup("unreadable");
	} else {
		key = xstrdup(hex);
	}
	buf_release(&b);
	return key;
}

static void run_select(struct context *ctx)
{
	free(ctx->selected);
	ctx->selected = NULL;
	ctx->nselected = 0;
	for (size_t i = 0; i < ctx->units.n; i++) {
		if (!unit_on_host(&ctx->units.items[i], ctx->config->host))
			continue;
		ctx->selected = xreallocarray(ctx->selected, ctx->nselected + 1,
					      sizeof(*ctx->selected));
		ctx->selected[ctx->nselected++] = &ctx->units.items[i];
	}
}

/* After a fetch: reload the unit registry if units.yaml changed; true
 * when the table of units changed. A bad one keeps the old registry, and
 * every unit reports the error until a commit fixes it (nothing is
 * deployed from a commit whose registry does not load). */
static bool run_check_registry(struct controller *c)
{
	struct units nu = {NULL, 0}, old;
	char *key = run_registry_key(c);
	const char *commit = source_commit(c->ctx.source);

	if (c->registry_commit && !strcmp(key, c->registry_commit)) {
		free(key);
		return false;
	}
	free(c->registry_commit);
	c->registry_commit = key;
	/* The policy comes with the registry: one that does not load stops
	 * deploys as a bad units.yaml does (its errors have file:line). */
	if (units_load(&nu, c->ctx.source) < 0 ||
	    (context_load_policy(&c->ctx) < 0 && (units_release(&nu), true))) {
		free(c->registry_error);
		c->registry_error = xasprintf(
		    "%s%s%.12s%s", err_last(), commit ? " (commit " : "",
		    commit ? commit : "", commit ? ")" : "");
		log_errorx("the unit registry does not load: %s",
			   c->registry_error);
		err_clear();
		return false;
	}
	if (c->registry_error)
		log_info("the unit registry loads again");
	free(c->registry_error);
	c->registry_error = NULL;
	old = c->ctx.units;
	c->ctx.units = nu;
	run_select(&c->ctx);
	run_units_sync(c);
	units_release(&old);
	return true;
}

/* Policy rules and exceptions that expired since the last report: once
 * each, as check-config lists them (an expired rule stops applying; what
 * it hid comes back as findings, and the log says why). */
static void run_report_expired(struct controller *c)
{
	char **lines = NULL;
	size_t n = policy_expired(&lines, &c->ctx.policy, time(NULL));

	for (size_t i = 0; i < n; i++) {
		if (!strmap_get(&c->expired, lines[i])) {
			log_warnx("%s; it no longer applies", lines[i]);
			strmap_set(&c->expired, lines[i], "", NULL);
		}
		free(lines[i]);
	}
	free(lines);
}

/* The daemon may have been down when the context was opened. */
static void run_reopen_engine(struct controller *c)
{
	struct engine_options opts;

	if (c->ctx.engine)
		return;
	memset(&opts, 0, sizeof(opts));
	opts.socket_path = c->ctx.config->docker_socket;
	if (engine_open(&c->ctx.engine, &opts) < 0) {
		c->ctx.engine = NULL;
		run_set_str(&c->ctx.engine_error, err_last());
		err_clear();
		return;
	}
	free(c->ctx.engine_error);
	c->ctx.engine_error = NULL;
	log_info("connected to docker at '%s'", c->ctx.config->docker_socket);
}

static int run_open_context(struct controller *c, unsigned flags)
{
	struct context nctx;

	memset(&nctx, 0, sizeof(nctx));
	if (context_open(&nctx, c->config_path, NULL, 0,
			 CONTEXT_ENGINE | flags) < 0) {
		run_set_str(&c->ctx_error, err_last());
		return -1;
	}
	if (strcmp(nctx.config->state_dir, c->state_dir)) {
		context_release(&nctx);
		run_set_str(&c->ctx_error, NULL);
		return err_set(MOOR_EINVAL,
			       "'state_dir' cannot change while mooring runs "
			       "(it holds the lock of '%s'): restart it",
			       c->state_dir);
	}
	if (c->have_ctx)
		context_release(&c->ctx);
	c->ctx = nctx;
	c->have_ctx = true;
	free(c->ctx_error);
	c->ctx_error = NULL;
	free(c->registry_commit);
	c->registry_commit = run_registry_key(c);
	free(c->registry_error);
	c->registry_error = NULL;
	if (!c->ctx.engine)
		log_warnx("docker: %s", context_engine_error(&c->ctx));
	return 0;
}

static void run_fetch(struct controller *c)
{
	long long t0 = run_now_ms();
	const char *before = source_commit(c->ctx.source);
	char *old = before ? xstrdup(before) : NULL;
	bool changed = false;
	int error = source_fetch(c->ctx.source, &changed);
	double secs = (double)(run_now_ms() - t0) / 1000.0;

	c->last_fetch_ms = run_now_ms();
	pthread_mutex_lock(&c->mu);
	histogram_observe(&c->fetch_hist, secs);
	c->fetches++;
	if (error < 0)
		c->fetch_errors++;
	pthread_mutex_unlock(&c->mu);
	if (error < 0) {
		/* The message is the source's: it never holds credentials. */
		if (c->fetch_ok || !c->fetch_error ||
		    strcmp(c->fetch_error, err_last()))
			log_warnx("%s; units stay at commit %.12s and no "
				  "container is changed",
				  err_last(), old ? old : "(none)");
		run_set_str(&c->fetch_error, err_last());
		c->fetch_ok = false;
		err_clear();
	} else {
		if (!c->fetch_ok)
			log_info("fetching works again");
		c->fetch_ok = true;
		free(c->fetch_error);
		c->fetch_error = NULL;
		if (changed)
			log_info("new commit %s (was %.12s)",
				 source_commit(c->ctx.source),
				 old ? old : "none");
	}
	free(old);
}

/* --- rounds -------------------------------------------------------------- */

/* When the loop must wake next (monotonic ms); mu held. */
static long long run_next_wake(struct controller *c, long long now)
{
	long long wake = now + c->poll_interval_ms;

	if (c->poll)
		return now;
	for (size_t i = 0; i < c->nunits; i++) {
		const struct run_unit *ru = &c->units[i];

		if (ru->triggered)
			return now;
		if (ru->next_due_ms < wake)
			wake = ru->next_due_ms;
	}
	return wake;
}

static void run_wait_until(struct controller *c, long long wake_ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(wake_ms / 1000);
	ts.tv_nsec = (long)(wake_ms % 1000) * 1000000L;
	pthread_cond_timedwait(&c->cv, &c->mu, &ts);
}

/*
 * One round: which units are due (taken together within the jitter
 * window, so one fetch serves them), the fetch, the registry, then each
 * unit. A unit woken only by an event is checked against the commit
 * already pinned: an event says the host changed, not the remote.
 */
static void run_round(struct controller *c, bool forced)
{
	long long now = run_now_ms();
	long long window = sched_batch_window(c->poll_interval_ms);
	bool *due = NULL, scheduled = forced, retake = false;
	size_t n;

	if (!c->have_ctx && run_open_context(c, 0) == 0) {
		log_info("the repository and the unit registry are open");
		run_units_sync(c);
		forced = true;
	}
	pthread_mutex_lock(&c->mu);
	n = c->nunits;
	due = xcalloc(n ? n : 1, sizeof(*due));
	for (size_t i = 0; i < n; i++) {
		struct run_unit *ru = &c->units[i];

		if (forced || ru->next_due_ms <= now + window) {
			due[i] = true;
			scheduled = true;
		} else if (ru->triggered) {
			due[i] = true;
		}
		ru->triggered = false;
	}
	pthread_mutex_unlock(&c->mu);
	if (c->have_ctx) {
		if ((scheduled || n == 0) &&
		    sched_should_fetch(now, c->last_fetch_ms,
				       c->poll_interval_ms, forced))
			run_fetch(c);
		run_reopen_engine(c);
		retake = run_check_registry(c);
		run_report_expired(c);
	}
	if (retake) {
		/* `due` was by index into the old table: take every unit of
		 * the new registry now. */
		free(due);
		n = c->nunits;
		due = xcalloc(n ? n : 1, sizeof(*due));
		for (size_t i = 0; i < n; i++)
			due[i] = true;
	}
	for (size_t i = 0; i < n; i++) {
		struct run_unit *ru = &c->units[i];
		bool stop;

		pthread_mutex_lock(&c->mu);
		stop = c->stop;
		pthread_mutex_unlock(&c->mu);
		if (stop)
			break;
		if (!due[i])
			continue;
		if (!c->have_ctx || !ru->unit)
			run_unit_fail(c, ru, UNIT_UNKNOWN,
				      c->ctx_error ? c->ctx_error
						   : "the unit is not loaded");
		else if (c->registry_error)
			run_unit_fail(c, ru, UNIT_ERROR, c->registry_error);
		else
			run_unit_pass(c, ru);
	}
	free(due);
}

/*
 * Before a reloaded config is opened: a new repository or branch is
 * cloned aside and its registry loaded there first, so that a reload that
 * fails leaves the clone and the tree the units run from untouched. On
 * success the aside clone replaces the clone (the running context, which
 * reads from it, is closed first).
 */
static int run_reload_source(struct controller *c, const struct config *ncfg)
{
	const struct config *ocfg = c->have_ctx ? c->ctx.config : NULL;
	struct context aside;

	if (strcmp(ncfg->state_dir, c->state_dir))
		return err_set(MOOR_EINVAL,
			       "'state_dir' cannot change while mooring runs "
			       "(it holds the lock of '%s'): restart it",
			       c->state_dir);
	if (!ocfg || config_repo_is_local(ncfg) ||
	    (!run_str_differs(ocfg->repository.url, ncfg->repository.url) &&
	     !run_str_differs(ocfg->repository.branch,
			      ncfg->repository.branch)))
		return 0;
	log_info("reload: trying '%s' (branch %s) aside", ncfg->repository.url,
		 ncfg->repository.branch ? ncfg->repository.branch : "main");
	memset(&aside, 0, sizeof(aside));
	if (context_open(&aside, c->config_path, NULL, 0,
			 CONTEXT_ASIDE | CONTEXT_NO_FETCH) < 0) {
		source_aside_remove(ncfg);
		return -1;
	}
	context_release(&aside);
	context_release(&c->ctx);
	c->have_ctx = false;
	return source_aside_promote(ncfg);
}

static void run_reload(struct controller *c)
{
	struct config *ncfg = NULL, *old = c->config;
	char pi[32], sa[32];
	long long now = run_now_ms();

	if (config_load(&ncfg, c->config_path) < 0 ||
	    run_reload_source(c, ncfg) < 0 ||
	    run_open_context(c, CONTEXT_NO_FETCH) < 0) {
		log_errorx("reload of '%s' failed, the running config stays: "
			   "%s",
			   c->config_path, err_last());
		config_free(ncfg);
		err_clear();
		return;
	}
	c->config = ncfg;
	pthread_mutex_lock(&c->mu);
	c->poll_interval_ms = ncfg->repository.poll_interval_ms;
	c->stale_after_ms = ncfg->stale_after_ms;
	for (size_t i = 0; i < c->nunits; i++) {
		long long d =
		    sched_jitter(c->poll_interval_ms, sched_random(&c->rng));

		if (c->units[i].next_due_ms > now + d)
			c->units[i].next_due_ms = now + d;
	}
	pthread_mutex_unlock(&c->mu);
	run_units_sync(c);
	if (!c->once && run_services_reload(c, old) < 0) {
		log_errorx("reload: %s", err_last());
		err_clear();
	}
	config_free(old);
	run_fmt_ms(pi, sizeof(pi), ncfg->repository.poll_interval_ms);
	run_fmt_ms(sa, sizeof(sa), ncfg->stale_after_ms);
	log_info("reloaded '%s': poll_interval %s, stale_after %s, %zu "
		 "unit%s",
		 c->config_path, pi, sa, c->nunits, c->nunits == 1 ? "" : "s");
}

static void run_loop(struct controller *c)
{
	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		long long now = run_now_ms();
		long long wake;
		bool forced;

		if (c->reload) {
			c->reload = false;
			pthread_mutex_unlock(&c->mu);
			run_reload(c);
			pthread_mutex_lock(&c->mu);
			continue;
		}
		wake = run_next_wake(c, now);
		if (wake > now) {
			run_wait_until(c, wake);
			continue;
		}
		forced = c->poll;
		c->poll = false;
		pthread_mutex_unlock(&c->mu);
		run_round(c, forced);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	log_info("stopped");
}

/* --once: fetch, every unit once, the plan-like exit code. */
static int run_once(struct controller *c)
{
	struct status_record *recs;
	int rc;

	run_round(c, true);
	pthread_mutex_lock(&c->mu);
	recs = xcalloc(c->nunits ? c->nunits : 1, sizeof(*recs));
	for (size_t i = 0; i < c->nunits; i++)
		recs[i] = c->units[i].st;
	rc = status_exit_code(recs, c->nunits);
	pthread_mutex_unlock(&c->mu);
	free(recs); /* shallow copies */
	return rc;
}

/* --- lifecycle ----------------------------------------------------------- */

static bool run_stopping(void *data)
{
	struct controller *c = data;
	bool stop;

	pthread_mutex_lock(&c->mu);
	stop = c->stop;
	pthread_mutex_unlock(&c->mu);
	return stop;
}

static void run_init(struct controller *c)
{
	pthread_condattr_t ca;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	c->fetch_ok = true;
	c->rng = (uint32_t)getpid() ^ (uint32_t)time(NULL) ^ 0x9e3779b9u;
}

static void run_release(struct controller *c)
{
	run_units_free(c);
	if (c->have_ctx)
		context_release(&c->ctx);
	config_free(c->config);
	free(c->config_path);
	free(c->state_dir);
	free(c->ctx_error);
	free(c->registry_commit);
	free(c->registry_error);
	strmap_release(&c->expired);
	free(c->fetch_error);
	if (c->secret) {
		explicit_bzero(c->secret, c->secret_len);
		free(c->secret);
	}
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
}

static void run_start_log(struct controller *c)
{
	char pi[32], sa[32];

	run_fmt_ms(pi, sizeof(pi), c->poll_interval_ms);
	run_fmt_ms(sa, sizeof(sa), c->stale_after_ms);
	log_info("running (pid %ld): state dir '%s', %zu unit%s, "
		 "poll_interval %s, stale_after %s",
		 (long)getpid(), c->state_dir, c->nunits,
		 c->nunits == 1 ? "" : "s", pi, sa);
}

int run_controller(int *exit_out, const struct run_options *o)
{
	struct controller *c = xcalloc(1, sizeof(*c));
	sigset_t set, old_set;
	pthread_t sig_thread;
	bool sig_started = false, services = false;
	int lock_fd = -1;
	int rc = EXIT_SUCCESS;
	int error = -1;

	run_init(c);
	/* Before any thread exists, so that every thread inherits it. */
	run_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old_set);
	signal(SIGPIPE, SIG_IGN);
	run_sig_quit = 0;
	c->once = o->once;
	if ((error = context_config_path(&c->config_path, o->config_path)) <
		0 ||
	    (error = config_load(&c->config, c->config_path)) < 0)
		goto cleanup;
	c->state_dir = xstrdup(c->config->state_dir);
	c->poll_interval_ms = c->config->repository.poll_interval_ms;
	c->stale_after_ms = c->config->stale_after_ms;
	/* One controller per state dir, for its whole life; apply relies on
	 * the caller holding it and never takes it itself. */
	if ((error = state_lock(&lock_fd, c->state_dir)) < 0)
		goto cleanup;
	if (finding_key_ensure(c->state_dir) < 0) {
		log_warnx("secret values will show no HMAC: %s", err_last());
		err_clear();
	}
	/* As `mooring apply`: without a journal the controller still runs,
	 * but its own actions cannot be told from outside changes. */
	if (journal_open(&c->journal, c->state_dir) < 0) {
		log_warnx("no audit journal: %s", err_last());
		err_clear();
		c->journal = NULL;
	}
	journal_set_default(c->journal);
	c->actions = run_actions_open();
	c->aopts.out = c->actions ? c->actions : stderr;
	c->aopts.remove_orphans = true;
	if (pthread_create(&sig_thread, NULL, run_signal_thread, c) != 0) {
		error = err_set(MOOR_ERR, "cannot start the signal thread");
		goto cleanup;
	}
	sig_started = true;
	/* A fetch (or the first clone) in progress when SIGTERM comes is
	 * killed rather than waited for. */
	source_git_set_cancel(run_stopping, c);
	/* What a reload that died half-way tried aside. */
	source_aside_remove(c->config);
	/* Start from the commit already pinned: a remote that is down now
	 * must not keep the controller (and its status) from running. */
	if (run_open_context(c, CONTEXT_NO_FETCH) < 0) {
		error = err_last_code() < 0 ? err_last_code() : MOOR_ERR;
		if (c->once || !c->ctx_error)
			goto cleanup;
		log_errorx("%s; retrying every poll_interval", c->ctx_error);
		err_clear();
	}
	run_units_sync(c);
	if (!c->once) {
		if ((error = run_services_start(c)) < 0)
			goto cleanup;
		services = true;
	}
	run_start_log(c);
	if (c->once)
		rc = run_once(c);
	else
		run_loop(c);
	error = 0;
cleanup:
	source_git_set_cancel(NULL, NULL);
	if (services)
		run_services_stop(c);
	if (sig_started) {
		run_sig_quit = 1;
		pthread_kill(sig_thread, RUN_SIG_QUIT);
		pthread_join(sig_thread, NULL);
	}
	journal_set_default(NULL);
	if (c->journal)
		journal_close(c->journal);
	if (c->actions)
		fclose(c->actions);
	if (lock_fd >= 0)
		state_unlock(lock_fd);
	run_release(c);
	free(c);
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	if (error == 0)
		*exit_out = rc;
	return error;
}

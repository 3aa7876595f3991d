/*
 * apply.c - converge one unit (apply.h): check, networks and volumes,
 * orphans, then containers level by level in depends_on order, the
 * services of one level in parallel, then the recorded plane.
 *
 * Threads: a level's jobs are shared by up to max_parallel workers, each
 * with its own engine connection (struct engine is not thread-safe). A
 * worker only writes its own job's fields; the main thread reads them
 * after pthread_join. The error slot is per thread, so a failed job keeps
 * a copy of its message for the main thread to report.
 */
#include "apply_int.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "container.h"
#include "emit.h"
#include "err.h"
#include "journal.h"
#include "log.h"
#include "path.h"
#include "xalloc.h"

#include "banned.h"

static pthread_mutex_t say_lock = PTHREAD_MUTEX_INITIALIZER;

void apply_say(const struct apply_options *opts, const char *fmt, ...)
{
	FILE *out = opts->out ? opts->out : stdout;
	va_list ap;

	pthread_mutex_lock(&say_lock);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	/* A crash hook or a kill must not lose lines already "done". */
	fflush(out);
	pthread_mutex_unlock(&say_lock);
}

void apply_problem_add(struct apply_problems *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->items = xreallocarray(p->items, p->n + 1, sizeof(*p->items));
	p->items[p->n++] = msg;
}

void apply_problems_release(struct apply_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i]);
	free(p->items);
	p->items = NULL;
	p->n = 0;
}

json_t *apply_ynode_json(const struct ynode *n)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);
	json_t *j = NULL;

	if (n && emit_json(&b, n, EMIT_COMPACT) == 0)
		j = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
	buf_release(&b);
	return j;
}

/* ---- what a unit is made of ---------------------------------------- */

static const struct ynode *desired_services(const struct unit_plan *plan)
{
	const struct ynode *s;

	if (!plan->desired)
		return NULL;
	s = ynode_map_get(plan->desired->model, "services");
	return s && s->kind == YNODE_MAP ? s : NULL;
}

static const struct ynode *desired_service(const struct unit_plan *plan,
					   const char *name)
{
	const struct ynode *s = desired_services(plan);

	return s ? ynode_map_get(s, name) : NULL;
}

static bool needs_image(const struct plan_action *a)
{
	return a->kind == ACTION_CREATE || a->kind == ACTION_RECREATE;
}

int apply_check(struct apply_problems *out, const struct unit_plan *plan,
		struct context *ctx)
{
	const char *unit = plan->unit->name;

	if (plan->status == UNIT_ERROR || !plan->desired) {
		apply_problem_add(out, "unit '%s': %s", unit,
				  plan->error ? plan->error
					      : "the unit does not render");
		return 0;
	}
	if (plan->status == UNIT_UNKNOWN || !ctx->engine) {
		apply_problem_add(out, "unit '%s': %s", unit,
				  plan->error ? plan->error
					      : context_engine_error(ctx));
		return 0;
	}
	for (size_t i = 0; i < plan->nactions; i++) {
		const struct plan_action *a = &plan->actions[i];
		const struct ynode *svc = desired_service(plan, a->service);
		const struct ynode *image = ynode_map_get(svc, "image");
		int error;

		if (!needs_image(a))
			continue;
		if (!svc || !image || image->kind != YNODE_STR) {
			apply_problem_add(
			    out, "unit '%s': service '%s' has no image", unit,
			    a->service);
			continue;
		}
		error = engine_image_inspect(ctx->engine, NULL, image->text);
		if (error == MOOR_ENOTFOUND)
			apply_problem_add(
			    out,
			    "unit '%s': image '%s' is not present "
			    "on this host; mooring never pulls",
			    unit, image->text);
		else if (error < 0)
			apply_problem_add(out, "unit '%s': %s", unit,
					  err_last());
	}
	apply_check_resources(out, plan, ctx->engine);
	err_clear();
	return 0;
}

/* ---- one unit's run ------------------------------------------------- */

struct apply_job {
	const struct plan_action *action;
	size_t node;  /* in run->graph */
	char *new_id; /* the container now serving the service */
	char *error;  /* the failure's message */
	int code;
};

struct apply_run {
	const struct unit_plan *plan;
	struct context *ctx;
	const struct apply_options *opts;
	char *config_files;
	struct apply_graph graph;
	char **ids; /* per graph node: the service's container, or NULL */
	struct apply_job *jobs;
	size_t njobs;
};

struct apply_pool {
	struct apply_run *run;
	size_t *jobs; /* indices into run->jobs */
	size_t n;
	size_t next;
	bool failed;
	pthread_mutex_t lock;
};

static const char *verb_done(enum plan_action_kind k)
{
	switch (k) {
	case ACTION_CREATE:
		return "created";
	case ACTION_RECREATE:
		return "recreated";
	case ACTION_REMOVE:
		return "removed";
	case ACTION_START:
		return "started";
	}
	return "?";
}

/* "<working_dir>/compose.yaml,..." as Compose labels its containers. */
static char *config_files_of(const struct unit_plan *plan, struct context *ctx)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);
	char *dir = path_join(source_root(ctx->source), plan->unit->path);

	for (size_t i = 0; i < plan->unit->nfiles; i++) {
		char *f = path_join(dir, plan->unit->files[i]);

		buf_printf(&b, "%s%s", i ? "," : "", f);
		free(f);
	}
	free(dir);
	return buf_detach(&b, NULL);
}

static void container_ctx_of(struct container_ctx *out,
			     const struct apply_run *r, const char *service)
{
	const struct unit_plan *plan = r->plan;

	memset(out, 0, sizeof(*out));
	out->project = plan->project;
	out->unit = plan->unit->name;
	out->service = service;
	out->commit = plan->commit;
	out->spec_hash = strmap_get(&plan->desired->spec_hashes, service);
	out->working_dir = plan->desired->working_dir;
	out->config_files = r->config_files;
	out->number = 1;
	out->model = plan->desired->model;
}

static bool is_temp_name(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	size_t slen = strlen(APPLY_TEMP_SUFFIX);

	return len > slen && !strcmp(name + len - slen, APPLY_TEMP_SUFFIX);
}

/* The existing container of each desired service (ours, not a leftover
 * replacement; a running one first). */
static void run_find_containers(struct apply_run *r)
{
	const struct unit_plan *plan = r->plan;

	r->ids = xcalloc(r->graph.n ? r->graph.n : 1, sizeof(*r->ids));
	for (size_t i = 0; i < plan->ncontainers; i++) {
		const struct plan_container *c = &plan->containers[i];
		long node;

		/* By name, not by the replaces label: a finished replacement
		 * keeps that label for life (labels are immutable). */
		if (!c->ours || !c->service || is_temp_name(c->name))
			continue;
		node = apply_graph_find(&r->graph, c->service);
		if (node < 0 || (r->ids[node] && !c->running))
			continue;
		free(r->ids[node]);
		r->ids[node] = xstrdup(c->id);
	}
}

static int job_wait_deps(struct apply_run *r, struct engine *e,
			 const struct apply_job *j)
{
	const struct apply_node *node = &r->graph.nodes[j->node];
	long timeout = r->opts->health_timeout_ms > 0
			   ? r->opts->health_timeout_ms
			   : APPLY_HEALTH_TIMEOUT_MS;

	for (size_t k = 0; k < node->ndeps; k++) {
		const struct apply_dep *d = &node->deps[k];
		const char *dep = r->graph.nodes[d->index].name;
		const char *id = r->ids[d->index];
		int error;

		if (!id)
			error = err_set(MOOR_ENOTFOUND,
					"service '%s' depends on '%s', which "
					"has no container",
					node->name, dep);
		else
			error = apply_wait_condition(e, node->name, dep, id,
						     d->condition, timeout);
		if (error < 0 && d->required)
			return error;
		if (error < 0)
			log_warnx("%s (not required, going on)", err_last());
	}
	return 0;
}

static int job_make(struct apply_run *r, struct engine *e, struct apply_job *j)
{
	const struct plan_action *a = j->action;
	const struct ynode *svc = desired_service(r->plan, a->service);
	struct container_ctx cctx;
	struct apply_target t = {0};
	json_t *body = NULL, *extra = NULL;
	char *name = NULL, *id = NULL;
	int error = -1;

	container_ctx_of(&cctx, r, a->service);
	if ((error = container_create_body(&body, &extra, svc, &cctx)) < 0)
		goto cleanup;
	name = container_name(&cctx);
	t.name = name;
	t.body = body;
	t.extra = extra;
	if (a->kind == ACTION_RECREATE && a->container_id) {
		t.old_id = a->container_id;
		t.start_first = apply_can_start_first(svc);
		error = apply_recreate(&id, e, &t);
	} else {
		if ((error = apply_create(&id, e, &t)) < 0)
			goto cleanup;
		apply_crashpoint("create:created");
		journal_action(journal_default(), r->plan->unit->name,
			       a->service, id, "start",
			       plan_reason_name(a->reason));
		error = engine_container_start(e, id);
	}
	if (error < 0)
		goto cleanup;
	j->new_id = id;
	id = NULL;
cleanup:
	free(id);
	free(name);
	json_decref(body);
	json_decref(extra);
	return error;
}

static int job_run(struct apply_run *r, struct engine *e, struct apply_job *j)
{
	const struct plan_action *a = j->action;
	int error;

	if ((error = job_wait_deps(r, e, j)) < 0)
		return error;
	if (a->kind == ACTION_START) {
		journal_action(journal_default(), r->plan->unit->name,
			       a->service, a->container_id, "start",
			       plan_reason_name(a->reason));
		if ((error = engine_container_start(e, a->container_id)) < 0)
			return error;
		j->new_id = xstrdup(a->container_id);
	} else if ((error = job_make(r, e, j)) < 0) {
		return error;
	}
	apply_say(r->opts, "%s/%s: %s (%s)", r->plan->unit->name, a->service,
		  verb_done(a->kind), plan_reason_name(a->reason));
	return 0;
}

static void job_fail(struct apply_job *j, int code)
{
	j->code = code;
	j->error = xstrdup(err_last()[0] ? err_last() : "unknown error");
}

static struct apply_job *pool_take(struct apply_pool *p)
{
	struct apply_job *j = NULL;

	pthread_mutex_lock(&p->lock);
	if (!p->failed && p->next < p->n)
		j = &p->run->jobs[p->jobs[p->next++]];
	pthread_mutex_unlock(&p->lock);
	return j;
}

static void *pool_worker(void *arg)
{
	struct apply_pool *p = arg;
	struct apply_run *r = p->run;
	struct engine_options eo = {0};
	struct engine *e = NULL;
	struct apply_job *j;
	int error;

	eo.socket_path = r->ctx->config->docker_socket;
	/* A start can take a while on a busy daemon; healthy is polled. */
	eo.request_timeout_ms = 120000;
	error = engine_open(&e, &eo);
	while ((j = pool_take(p))) {
		if (error >= 0)
			error = job_run(r, e, j);
		if (error < 0) {
			job_fail(j, error);
			pthread_mutex_lock(&p->lock);
			p->failed = true;
			pthread_mutex_unlock(&p->lock);
		}
	}
	engine_free(e);
	return NULL;
}

/* Run some jobs on `workers` threads; the first failure (in job order) is
 * put back into this thread's error slot. */
static int pool_run(struct apply_run *r, size_t *jobs, size_t n)
{
	struct apply_pool p = {r, jobs, n, 0, false, PTHREAD_MUTEX_INITIALIZER};
	unsigned workers = apply_workers(n, r->opts->max_parallel);
	pthread_t *threads = NULL;
	unsigned started = 0;

	if (workers <= 1) {
		/* One job at a time: the main connection will do. */
		for (size_t i = 0; i < n; i++) {
			int error =
			    job_run(r, r->ctx->engine, &r->jobs[jobs[i]]);

			if (error < 0)
				return error;
		}
		return 0;
	}
	threads = xcalloc(workers, sizeof(*threads));
	for (; started < workers; started++)
		if (pthread_create(&threads[started], NULL, pool_worker, &p))
			break;
	if (!started)
		pool_worker(&p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&p.lock);
	for (size_t i = 0; i < n; i++) {
		struct apply_job *j = &r->jobs[jobs[i]];

		if (j->error)
			return err_set(j->code, "%s", j->error);
	}
	return 0;
}

static int run_remove_orphans(struct apply_run *r, bool *changed)
{
	const struct unit_plan *plan = r->plan;
	struct engine *e = r->ctx->engine;

	for (size_t i = 0; i < plan->nactions; i++) {
		const struct plan_action *a = &plan->actions[i];
		const struct plan_container *c = NULL;
		int error;

		if (a->kind != ACTION_REMOVE || !r->opts->remove_orphans)
			continue;
		for (size_t k = 0; a->container_id && k < plan->ncontainers;
		     k++)
			if (!strcmp(plan->containers[k].id, a->container_id))
				c = &plan->containers[k];
		if (!c || !c->ours) {
			/* Never a container without our unit label. */
			log_warnx("not removing container '%.12s' of service "
				  "'%s': it is not mooring's",
				  a->container_id ? a->container_id : "?",
				  a->service);
			continue;
		}
		if (r->opts->dry_run) {
			apply_say(r->opts, "%s/%s: would remove (%s)",
				  plan->unit->name, a->service,
				  plan_reason_name(a->reason));
			*changed = true;
			continue;
		}
		journal_action(journal_default(), plan->unit->name, a->service,
			       c->id, "stop", plan_reason_name(a->reason));
		journal_action(journal_default(), plan->unit->name, a->service,
			       c->id, "remove", plan_reason_name(a->reason));
		if ((error = engine_container_stop(e, c->id, -1)) < 0 ||
		    (error = engine_container_remove(e, c->id, true, false)) <
			0)
			return error;
		apply_say(r->opts, "%s/%s: removed (%s)", plan->unit->name,
			  a->service, plan_reason_name(a->reason));
		*changed = true;
	}
	return 0;
}

/* Jobs for the container actions, checked against the graph. */
static int run_plan_jobs(struct apply_run *r)
{
	const struct unit_plan *plan = r->plan;
	bool *taken = xcalloc(r->graph.n ? r->graph.n : 1, sizeof(*taken));
	int error = -1;

	r->jobs =
	    xcalloc(plan->nactions ? plan->nactions : 1, sizeof(*r->jobs));
	for (size_t i = 0; i < plan->nactions; i++) {
		const struct plan_action *a = &plan->actions[i];
		long node;

		if (a->kind == ACTION_REMOVE)
			continue;
		node = apply_graph_find(&r->graph, a->service);
		if (node < 0) {
			error = err_set(MOOR_ERR,
					"cannot %s service '%s': it is not in "
					"the desired state",
					plan_action_name(a->kind), a->service);
			goto cleanup;
		}
		if (a->kind == ACTION_START && !a->container_id) {
			error = err_set(MOOR_ERR,
					"cannot start service '%s': no "
					"container",
					a->service);
			goto cleanup;
		}
		if (taken[node]) {
			log_warnx("more than one action for service '%s'; "
				  "doing the first",
				  a->service);
			continue;
		}
		taken[node] = true;
		r->jobs[r->njobs].action = a;
		r->jobs[r->njobs].node = (size_t)node;
		r->njobs++;
	}
	error = 0;
cleanup:
	free(taken);
	return error;
}

static int run_levels(struct apply_run *r, bool *changed)
{
	size_t *group = xcalloc(r->njobs ? r->njobs : 1, sizeof(*group));
	int error = 0;

	for (unsigned level = 0; level < r->graph.nlevels && !error; level++) {
		size_t n = 0;

		for (size_t i = 0; i < r->njobs; i++)
			if (r->graph.nodes[r->jobs[i].node].level == level)
				group[n++] = i;
		if (!n)
			continue;
		if (r->opts->dry_run) {
			*changed = true;
			for (size_t i = 0; i < n; i++) {
				const struct plan_action *a =
				    r->jobs[group[i]].action;

				apply_say(r->opts, "%s/%s: would %s (%s)",
					  r->plan->unit->name, a->service,
					  plan_action_name(a->kind),
					  plan_reason_name(a->reason));
			}
			continue;
		}
		error = pool_run(r, group, n);
		/* Later levels wait on the containers made here. */
		for (size_t i = 0; i < n; i++) {
			struct apply_job *j = &r->jobs[group[i]];

			if (!j->new_id)
				continue;
			free(r->ids[j->node]);
			r->ids[j->node] = xstrdup(j->new_id);
			*changed = true;
		}
	}
	free(group);
	return error;
}

/* The recorded plane (apply_record.c): each service's container now. */
static int run_record(const struct apply_run *r)
{
	bool *created = xcalloc(r->graph.n ? r->graph.n : 1, sizeof(*created));
	struct apply_recorded_input in = {r->ids, created};
	int error;

	for (size_t i = 0; i < r->njobs; i++)
		if (r->jobs[i].new_id &&
		    r->jobs[i].action->kind != ACTION_START)
			created[r->jobs[i].node] = true;
	error = apply_record(r->plan, r->ctx->engine, r->ctx->config->state_dir,
			     &in);
	free(created);
	return error;
}

int apply_unit(const struct unit_plan *plan, struct context *ctx,
	       const struct apply_options *opts)
{
	struct apply_run r = {0};
	bool changed = false;
	int error = -1;

	r.plan = plan;
	r.ctx = ctx;
	r.opts = opts;
	if (!plan->desired)
		return err_set(MOOR_EINVAL, "unit '%s': %s", plan->unit->name,
			       plan->error ? plan->error : "does not render");
	if (!ctx->engine)
		return err_set(MOOR_EIO, "%s", context_engine_error(ctx));
	if (plan->status == UNIT_CONFLICT)
		log_warnx("unit '%s': fields changed both in git and on the "
			  "host; apply makes the host match git",
			  plan->unit->name);
	r.config_files = config_files_of(plan, ctx);
	if ((error = apply_graph_build(&r.graph, desired_services(plan))) < 0)
		goto cleanup;
	run_find_containers(&r);
	if ((error = run_plan_jobs(&r)) < 0)
		goto cleanup;
	if ((error = apply_resources(plan, ctx->engine, opts, &changed)) < 0)
		goto cleanup;
	if ((error = run_remove_orphans(&r, &changed)) < 0)
		goto cleanup;
	if ((error = run_levels(&r, &changed)) < 0)
		goto cleanup;
	if (!changed)
		apply_say(opts, "%s: nothing to do", plan->unit->name);
	error = opts->dry_run ? 0 : run_record(&r);
cleanup:
	for (size_t i = 0; i < r.graph.n && r.ids; i++)
		free(r.ids[i]);
	free(r.ids);
	for (size_t i = 0; i < r.njobs; i++) {
		free(r.jobs[i].new_id);
		free(r.jobs[i].error);
	}
	free(r.jobs);
	apply_graph_release(&r.graph);
	free(r.config_files);
	return error;
}

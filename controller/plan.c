/*
 * plan.c - one unit, one pass, minus acting (plan.h): render, load the
 * recorded plane, observe, then decide (plan_decide.c). Nothing here
 * writes anywhere.
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "finding.h"
#include "path.h"
#include "plan_internal.h"

#include "classify.h"
#include "journal.h"
#include "log.h"
#include "source.h"
#include "state.h"
#include "xalloc.h"

#include "banned.h"

const char *unit_status_name(enum unit_status s)
{
	switch (s) {
	case UNIT_IN_SYNC:
		return "in_sync";
	case UNIT_PENDING:
		return "pending";
	case UNIT_DRIFT:
		return "drift";
	case UNIT_CONFLICT:
		return "conflict";
	case UNIT_UNKNOWN:
		return "unknown";
	case UNIT_ERROR:
		return "error";
	}
	return "unknown";
}

const char *plan_action_name(enum plan_action_kind k)
{
	switch (k) {
	case ACTION_CREATE:
		return "create";
	case ACTION_RECREATE:
		return "recreate";
	case ACTION_REMOVE:
		return "remove";
	case ACTION_START:
		return "start";
	}
	return "?";
}

const char *plan_reason_name(enum plan_reason r)
{
	switch (r) {
	case REASON_NEW:
		return "new";
	case REASON_SPEC_CHANGED:
		return "spec_changed";
	case REASON_DRIFT:
		return "drift";
	case REASON_DEPENDENCY:
		return "dependency";
	case REASON_IMAGE_CHANGED:
		return "image_changed";
	case REASON_MISSING:
		return "missing";
	case REASON_ORPHAN:
		return "orphan";
	case REASON_FORCED:
		return "forced";
	}
	return "?";
}

void unit_plan_release(struct unit_plan *p)
{
	if (!p)
		return;
	free(p->project);
	free(p->error);
	compose_project_free(p->desired);
	ynode_free(p->recorded);
	free(p->commit);
	for (size_t i = 0; i < p->ncontainers; i++)
		plan_container_release(&p->containers[i]);
	free(p->containers);
	for (size_t i = 0; i < p->nactions; i++) {
		struct plan_action *a = &p->actions[i];

		free(a->service);
		for (size_t j = 0; j < a->npaths; j++)
			free(a->paths[j]);
		free(a->paths);
		free(a->container_id);
	}
	free(p->actions);
	json_decref(p->findings);
	memset(p, 0, sizeof(*p));
}

/* Status error/unknown with err_last() as the reason. */
static void plan_fail(struct unit_plan *p, enum unit_status s, const char *why)
{
	p->status = s;
	free(p->error);
	p->error = xstrdup(why && *why ? why : "unknown error");
}

/* Messages name files by absolute path under the source root; people
 * know them by their path in the repository. */
static const char *plan_relative(const char *msg, const char *root)
{
	size_t n = root ? strlen(root) : 0;

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n && !strncmp(msg, root, n) && msg[n] == '/')
		return msg + n + 1;
	return msg;
}

int plan_render_unit(struct compose_project **out, const struct unit *u,
		     struct source *src)
{
	const char *root = source_root(src);
	char *dir = path_join(root, u->path);
	char **files = xcalloc(u->nfiles + 1, sizeof(*files));
	char *env_file = u->env_file ? path_join(dir, u->env_file) : NULL;
	struct compose_options o;
	int error;

	for (size_t i = 0; i < u->nfiles; i++)
		files[i] = path_join(dir, u->files[i]);
	memset(&o, 0, sizeof(o));
	o.files = (const char *const *)files;
	o.nfiles = u->nfiles;
	o.env_file = env_file;
	o.project_name = u->project;
	o.project_dir = dir;
	o.read_file = source_read_cb;
	o.read_data = src;
	error = compose_load(out, &o);
	if (error < 0) {
		/* Copied first: the message is rewritten from itself. */
		char *msg = xstrdup(plan_relative(err_last(), root));

		err_set(error, "%s", msg);
		free(msg);
	}
	for (size_t i = 0; i < u->nfiles; i++)
		free(files[i]);
	free(files);
	free(env_file);
	free(dir);
	return error;
}

/* Does any finding have a container whose history the journal holds? */
static bool plan_needs_audit(const json_t *findings)
{
	const json_t *f;
	size_t i;

	json_array_foreach(findings, i, f)
	{
		if (json_string_value(json_object_get(f, "container")))
			return true;
	}
	return false;
}

/*
 * What plan_decide() cannot do without reading: the audit events of the
 * findings (the journal is read only when a finding names a container),
 * the stable ids and detection times of the findings store, and the
 * budgets that depend on them. Never writes.
 */
static int plan_classify(struct unit_plan *p, const struct plan_facts *facts,
			 struct context *ctx)
{
	struct classify_ctx cx = {facts->policy, p->unit, NULL,
				  facts->finding.now};
	json_t *journal = NULL;
	int error;

	if (plan_needs_audit(p->findings)) {
		if (journal_unit_records(&journal, ctx->config->state_dir, 0,
					 p->unit->name) < 0) {
			/* The findings stand without their audit trail. */
			log_warnx("unit '%s': %s", p->unit->name, err_last());
			err_clear();
		} else {
			cx.journal = journal;
			classify_findings(p->findings, &cx);
		}
	}
	error = findings_assign_ids(p->findings, ctx->config->state_dir,
				    p->unit->name);
	if (error == 0)
		classify_budgets(p->findings, &cx);
	json_decref(journal);
	return error;
}

int plan_unit(struct unit_plan *out, const struct unit *u, struct context *ctx,
	      const struct plan_options *opts)
{
	struct unit_plan p;
	struct strmap resolved = STRMAP_INIT;
	struct ynode *resources = NULL;
	struct finding_key key = {0};
	struct findings_accepted *accepted = NULL;
	struct plan_facts facts;
	const char *commit = source_commit(ctx->source);
	int error = -1;

	memset(&p, 0, sizeof(p));
	memset(&facts, 0, sizeof(facts));
	p.unit = u;
	p.project = xstrdup(u->project ? u->project : u->name);
	p.commit = commit ? xstrdup(commit) : NULL;
	p.findings = json_array();
	p.observed_at = time(NULL);

	if (plan_render_unit(&p.desired, u, ctx->source) < 0) {
		plan_fail(&p, UNIT_ERROR, err_last());
		goto done;
	}
	error = state_load(&p.recorded, ctx->config->state_dir, u->name);
	if (error == MOOR_ENOTFOUND) {
		err_clear();
	} else if (error < 0) {
		/* A state file we cannot read: we cannot tell what was
		 * applied, so we cannot say in sync either. */
		plan_fail(&p, UNIT_ERROR, err_last());
		goto done;
	}
	if (!ctx->engine) {
		plan_fail(&p, UNIT_UNKNOWN,
			  *context_engine_error(ctx)
			      ? context_engine_error(ctx)
			      : "docker was not consulted");
		goto done;
	}
	if (plan_observe(&p, &resolved, ctx->engine) < 0 ||
	    plan_observe_resources(&resources, &p, ctx->engine) < 0) {
		plan_fail(&p, UNIT_UNKNOWN, err_last());
		goto done;
	}
	if ((error = finding_key_load(&key, ctx->config->state_dir)) < 0)
		goto cleanup;
	facts.resolved = &resolved;
	facts.resources = resources;
	facts.finding.unit = u;
	facts.finding.source = source_describe(ctx->source);
	facts.finding.commit = commit;
	facts.finding.root = source_root(ctx->source);
	facts.finding.key = &key;
	facts.finding.now = time(NULL);
	facts.policy = &ctx->policy;
	if ((error = findings_accepted_load(&accepted, ctx->config->state_dir,
					    u->name)) < 0)
		goto cleanup;
	facts.accepted = accepted;
	if ((error = plan_decide(&p, &facts, opts)) < 0)
		goto cleanup;
	if ((error = plan_classify(&p, &facts, ctx)) < 0)
		goto cleanup;
done:
	err_clear();
	*out = p;
	memset(&p, 0, sizeof(p));
	error = 0;
cleanup:
	unit_plan_release(&p);
	strmap_release(&resolved);
	ynode_free(resources);
	finding_key_release(&key);
	findings_accepted_free(accepted);
	return error;
}

static json_t *plan_action_json(const struct plan_action *a)
{
	json_t *paths = json_array();

	for (size_t i = 0; i < a->npaths; i++)
		json_array_append_new(paths, json_string(a->paths[i]));
	return json_pack("{s:s, s:s, s:s, s:o}", "service", a->service,
			 "action", plan_action_name(a->kind), "reason",
			 plan_reason_name(a->reason), "paths", paths);
}

json_t *plan_unit_json(const struct unit_plan *p)
{
	json_t *u = json_object(), *actions = json_array();

	for (size_t i = 0; i < p->nactions; i++) {
		json_t *a = plan_action_json(&p->actions[i]);

		if (a)
			json_array_append_new(actions, a);
	}
	json_object_set_new(u, "unit", json_string(p->unit->name));
	json_object_set_new(u, "project", json_string(p->project));
	json_object_set_new(u, "status",
			    json_string(unit_status_name(p->status)));
	json_object_set_new(u, "error",
			    p->error ? json_string(p->error) : json_null());
	json_object_set_new(u, "actions", actions);
	json_object_set_new(u, "findings",
			    p->findings ? json_incref(p->findings)
					: json_array());
	return u;
}

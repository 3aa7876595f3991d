/*
 * run_unit.c - one unit's pass in the controller loop (run.h):
 *
 *   recover  the first time (a crash mid-recreate left a replacement
 *            under a temporary name: finish it before anything else)
 *   plan     against the commit pinned by this round's fetch
 *   deploy   what the plan says, except drift reverts (reason drift),
 *            which only the policy's auto-heal takes (run_heal.c: rules,
 *            limits, health, flapping); never over a conflict, never
 *            while fetching fails; apply gets this very plan, so it
 *            deploys the commit that was rendered
 *   re-plan  after a deploy, so the status says what the host is now
 *   record   status, error, commit, times, findings; persisted at once
 *            (status.c), the findings' lifecycle (findings.c: opened,
 *            resolved, journaled) and the next check scheduled
 *            (run_schedule.c)
 *
 * A successful check is one where the remote was read (or needs no
 * fetch) and the daemon answered: in_sync, pending, drift, conflict.
 * Anything else counts as a consecutive error and backs the unit off.
 */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "finding.h"
#include "findings.h"
#include "log.h"
#include "run_schedule.h"
#include "strmap.h"
#include "xalloc.h"

#include "banned.h"

static bool run_status_checked(enum unit_status s)
{
	return s == UNIT_IN_SYNC || s == UNIT_PENDING || s == UNIT_DRIFT ||
	       s == UNIT_CONFLICT;
}

static void run_findings_lifecycle(struct controller *c, struct run_unit *ru,
				   json_t *findings, time_t observed_at);

/* "a; b; c" of apply_check's problems. */
static char *run_join_problems(const struct apply_problems *p)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);

	for (size_t i = 0; i < p->n; i++)
		buf_printf(&b, "%s%s", i ? "; " : "", p->items[i]);
	return buf_detach(&b, NULL);
}

/*
 * Deploy the actions the loop takes, from this plan (a shallow copy with
 * those actions only: apply never rereads the source, so what it deploys
 * is what plan rendered). *deployed: apply ran and succeeded. On failure
 * *why_out says why (owned).
 */
static int run_deploy(bool *deployed, char **why_out, struct controller *c,
		      struct run_unit *ru, struct unit_plan *plan)
{
	struct apply_problems problems = {NULL, 0};
	struct unit_plan sub = *plan;
	struct plan_action *acts = NULL;
	bool *take = NULL;
	size_t n = 0;
	int error = -1;

	*deployed = false;
	acts = xcalloc(plan->nactions ? plan->nactions : 1, sizeof(*acts));
	take = xcalloc(plan->nactions ? plan->nactions : 1, sizeof(*take));
	run_heal_decide(take, c, ru, plan);
	/* Drift this pass may heal is opened first, so that its record says
	 * when it was seen and the re-plan resolves it; after the decision,
	 * which may have turned flapping drift into failed_reconciliation
	 * (the class is part of a finding's identity). */
	if (plan->status == UNIT_DRIFT)
		run_findings_lifecycle(c, ru, plan->findings,
				       plan->observed_at);
	for (size_t i = 0; i < plan->nactions; i++)
		if (take[i])
			acts[n++] = plan->actions[i];
	if (n == 0 && apply_recorded_current(plan)) {
		error = 0;
		goto cleanup;
	}
	sub.actions = acts;
	sub.nactions = n;
	if ((error = apply_check(&problems, &sub, &c->ctx)) < 0) {
		*why_out = xasprintf("cannot deploy: %s", err_last());
		goto cleanup;
	}
	if (problems.n) {
		char *list = run_join_problems(&problems);

		*why_out =
		    xasprintf("cannot deploy commit %.12s: %s",
			      plan->commit ? plan->commit : "(none)", list);
		free(list);
		error = MOOR_ERR;
		goto cleanup;
	}
	if (n)
		log_info("unit '%s': deploying commit %.12s (%zu action%s)",
			 ru->name, plan->commit ? plan->commit : "(directory)",
			 n, n == 1 ? "" : "s");
	else
		log_info("unit '%s': recording commit %.12s as applied",
			 ru->name, plan->commit ? plan->commit : "(directory)");
	if ((error = apply_unit(&sub, &c->ctx, &c->aopts)) < 0) {
		*why_out = xasprintf("deploy of commit %.12s failed: %s",
				     plan->commit ? plan->commit : "(none)",
				     err_last());
		goto cleanup;
	}
	*deployed = true;
	run_heal_done(c, ru, plan, take);
	if (n) {
		pthread_mutex_lock(&c->mu);
		ru->deploys++;
		pthread_mutex_unlock(&c->mu);
	}
	error = 0;
cleanup:
	err_clear();
	apply_problems_release(&problems);
	free(acts); /* shallow copies: the plan owns their contents */
	free(take);
	return error;
}

/* Log what changed in the unit's status (not every unchanged pass). */
static void run_log_change(const struct status_record *old,
			   const struct status_record *now)
{
	bool same_error =
	    (!old->error && !now->error) ||
	    (old->error && now->error && !strcmp(old->error, now->error));

	if (old->status == now->status && same_error &&
	    old->findings == now->findings)
		return;
	if (now->status == UNIT_ERROR || now->status == UNIT_UNKNOWN)
		log_warnx("unit '%s': %s: %s", now->unit,
			  unit_status_name(now->status),
			  now->error ? now->error : "no reason given");
	else
		log_info("unit '%s': %s%s%s (%zu finding%s)", now->unit,
			 unit_status_name(now->status), now->error ? ": " : "",
			 now->error ? now->error : "", now->findings,
			 now->findings == 1 ? "" : "s");
}

/* Fold this round's fetch failure into the record. */
static void run_note_fetch(struct controller *c, struct status_record *st,
			   time_t now)
{
	char *why;

	if (c->fetch_ok || !c->fetch_error)
		return;
	why = xstrdup(c->fetch_error);
	if (c->once) {
		/* One pass and no history: the remote was not read. */
		st->status = UNIT_UNKNOWN;
		free(st->error);
		st->error = why;
		return;
	}
	if (!status_mark_stale(st, now, c->stale_after_ms, why) &&
	    run_status_checked(st->status) && !st->error) {
		st->error = xasprintf("%s; checked against commit %.12s", why,
				      st->commit ? st->commit : "(none)");
	}
	free(why);
}

/* The findings store (opened, seen, resolved) and the journal of what
 * opened and what resolved; the findings get their stable ids. observed_at
 * is when the plan read the host (an accept made since is not undone). */
static void run_findings_lifecycle(struct controller *c, struct run_unit *ru,
				   json_t *findings, time_t observed_at)
{
	json_t *opened = NULL, *resolved = NULL, *r;
	size_t i;

	if (findings_update_at(findings, c->state_dir, ru->name, time(NULL),
			       observed_at, &opened, &resolved) < 0) {
		log_warnx("unit '%s': %s", ru->name, err_last());
		err_clear();
		return;
	}
	json_array_foreach(opened, i, r)
	{
		const json_t *f = json_object_get(r, "finding");
		const char *id = json_string_value(json_object_get(r, "id"));

		if (c->journal &&
		    journal_action(
			c->journal, ru->name,
			json_string_value(json_object_get(f, "service")),
			json_string_value(json_object_get(f, "container")),
			"finding_opened", id ? id : "?") < 0)
			err_clear();
	}
	json_array_foreach(resolved, i, r)
	{
		const char *id = json_string_value(json_object_get(r, "id"));

		log_info("unit '%s': finding %s resolved", ru->name,
			 id ? id : "?");
		if (c->journal &&
		    journal_action(
			c->journal, ru->name,
			json_string_value(json_object_get(
			    json_object_get(r, "finding"), "service")),
			NULL, "finding_resolved", id ? id : "?") < 0)
			err_clear();
	}
	json_decref(opened);
	json_decref(resolved);
}

static void run_record(struct controller *c, struct run_unit *ru,
		       const struct unit_plan *plan, enum unit_status status,
		       const char *why, bool ok, long long t0_ms)
{
	struct status_record st, old;
	const char *commit =
	    plan ? plan->commit
		 : (c->have_ctx ? source_commit(c->ctx.source) : NULL);
	time_t now = time(NULL);
	long delay;
	/* No result is no finding resolved: a pass that could not look
	 * (daemon down, render error) keeps the last findings. */
	json_t *findings = plan && run_status_checked(status)
			       ? json_deep_copy(plan->findings)
			       : NULL;

	memset(&st, 0, sizeof(st));
	pthread_mutex_lock(&c->mu);
	status_record_copy(&st, &ru->st);
	pthread_mutex_unlock(&c->mu);
	free(st.unit);
	st.unit = xstrdup(ru->name);
	free(st.project);
	st.project = ru->project ? xstrdup(ru->project) : NULL;
	st.status = status;
	free(st.error);
	st.error = why ? xstrdup(why) : NULL;
	if (commit || plan) {
		free(st.commit);
		st.commit = commit ? xstrdup(commit) : NULL;
	}
	st.last_check = now;
	st.stale = false;
	if (ok) {
		st.last_success = now;
		st.consecutive_errors = 0;
	} else if (st.consecutive_errors < 1000000) {
		st.consecutive_errors++;
	}
	if (findings) {
		run_findings_lifecycle(c, ru, findings, plan->observed_at);
		st.findings = json_array_size(findings);
	}
	run_note_fetch(c, &st, now);
	delay = sched_next_delay(c->poll_interval_ms, st.consecutive_errors,
				 sched_random(&c->rng));
	st.next_due = now + (delay + 999) / 1000;
	st.pid = (long)getpid();
	if (status_save(c->state_dir, &st) < 0) {
		log_warnx("%s", err_last());
		err_clear();
	}

	pthread_mutex_lock(&c->mu);
	old = ru->st;
	ru->st = st;
	if (findings) {
		json_decref(ru->findings);
		ru->findings = findings;
	}
	ru->next_due_ms = run_now_ms() + delay;
	ru->checked = true;
	if (!ok)
		ru->errors++;
	histogram_observe(&ru->reconcile,
			  (double)(run_now_ms() - t0_ms) / 1000.0);
	pthread_mutex_unlock(&c->mu);
	run_log_change(&old, &ru->st);
	status_record_release(&old);
}

void run_unit_fail(struct controller *c, struct run_unit *ru,
		   enum unit_status status, const char *why)
{
	run_record(c, ru, NULL, status, why, false, run_now_ms());
}

/* Finish an interrupted recreate before the unit's first plan. */
static int run_recover(char **why_out, struct controller *c,
		       struct run_unit *ru)
{
	bool changed = false;

	if (apply_recover(&changed, ru->unit, &c->ctx, &c->aopts) < 0) {
		*why_out = xasprintf("cannot recover an interrupted deploy: %s",
				     err_last());
		err_clear();
		return MOOR_ERR;
	}
	ru->recovered = true;
	if (changed)
		log_info("unit '%s': finished an interrupted deploy", ru->name);
	return 0;
}

void run_unit_pass(struct controller *c, struct run_unit *ru)
{
	struct plan_options popts;
	struct unit_plan plan;
	enum unit_status status = UNIT_ERROR;
	long long t0 = run_now_ms();
	bool planned = false, deployed = false, ok = false;
	char *why = NULL;

	memset(&popts, 0, sizeof(popts));
	memset(&plan, 0, sizeof(plan));
	/* Orphans (services gone from git) go: git is the deploy path. */
	popts.remove_orphans = true;
	if (c->fetch_ok && !ru->recovered && c->ctx.engine &&
	    run_recover(&why, c, ru) < 0)
		goto record;
	if (plan_unit(&plan, ru->unit, &c->ctx, &popts) < 0) {
		why = xasprintf("cannot plan: %s", err_last());
		err_clear();
		goto record;
	}
	planned = true;
	status = plan.status;
	ok = run_status_checked(status);
	if (status == UNIT_CONFLICT) {
		why = xstrdup("not deployed: fields changed both in git and on "
			      "the host (see the findings); 'mooring apply' "
			      "makes the host match git");
	} else if (c->fetch_ok &&
		   (status == UNIT_PENDING || status == UNIT_DRIFT ||
		    status == UNIT_IN_SYNC)) {
		if (run_deploy(&deployed, &why, c, ru, &plan) < 0) {
			status = UNIT_ERROR;
			ok = false;
		} else if (deployed) {
			unit_plan_release(&plan);
			memset(&plan, 0, sizeof(plan));
			planned = false;
			if (plan_unit(&plan, ru->unit, &c->ctx, &popts) < 0) {
				why = xasprintf("cannot plan: %s", err_last());
				err_clear();
				status = UNIT_ERROR;
				ok = false;
				goto record;
			}
			planned = true;
			status = plan.status;
			ok = run_status_checked(status);
		}
	}
	if (!why && plan.error)
		why = xstrdup(plan.error);
	ok = ok && c->fetch_ok;
record:
	run_record(c, ru, planned ? &plan : NULL, status, why, ok, t0);
	if (planned)
		unit_plan_release(&plan);
	free(why);
}

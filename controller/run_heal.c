/*
 * run_heal.c - bounded auto-heal in the controller loop: which actions of
 * a plan the loop carries out, under the policy (classify.h decided each
 * finding's auto_heal_allowed), and the flapping guard.
 *
 * Deploys (new services, new specs, moved tags, orphans) are taken. A
 * drift revert of a service is taken when every drift finding of the
 * service allows auto-heal, the restart of a missing service when its
 * missing finding does (the shipped policy says revert for that class);
 * either only with the unit healthy (nothing missing, every container
 * of ours running and not unhealthy) when the rule requires it, and at
 * most max_objects of them in one pass. A service with an emergency
 * finding is never touched, not even by a deploy; a drift revert never
 * touches a service with controller_owned fields or accepted values (the
 * recreate would reset them).
 *
 * Flapping: each revert is remembered per path in
 * <state_dir>/heal/<unit>.json ({"reverts": [{"service", "path", "time"}]},
 * pruned to the policy's window, written atomically). A path reverted
 * more than max_reverts times within the window and drifted again is
 * someone's: auto-heal stops for that service (until the reverts age out
 * of the window), and its drift finding becomes failed_reconciliation
 * (risk raised, incident recommended, the count and window given).
 */
#include "run_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "classify.h"
#include "err.h"
#include "log.h"
#include "path.h"
#include "state.h"
#include "xalloc.h"

#include "banned.h"

#define RUN_HEAL_MAX_FILE	     (4u << 20)
#define RUN_HEAL_DEFAULT_MAX_OBJECTS 5

static char *run_heal_path(const struct controller *c, const char *unit)
{
	char *dir = path_join(c->state_dir, "heal");
	char *file = xasprintf("%s.json", unit);
	char *p = path_join(dir, file);

	free(file);
	free(dir);
	return p;
}

/* The unit's revert history (an array, possibly empty). */
static json_t *run_heal_load(const struct controller *c, const char *unit)
{
	struct buf b = BUF_INIT(RUN_HEAL_MAX_FILE);
	char *p = run_heal_path(c, unit);
	json_t *root = NULL, *reverts;

	if (buf_read_file(&b, p) == 0)
		root = json_loadb(b.data, b.len, 0, NULL);
	err_clear();
	reverts = json_object_get(root, "reverts");
	reverts = json_is_array(reverts) ? json_incref(reverts) : json_array();
	json_decref(root);
	buf_release(&b);
	free(p);
	return reverts;
}

static void run_heal_save(const struct controller *c, const char *unit,
			  json_t *reverts)
{
	char *p = run_heal_path(c, unit),
	     *dir = path_join(c->state_dir, "heal");
	json_t *root = json_pack("{s:O}", "reverts", reverts);
	char *text = json_dumps(root, JSON_COMPACT);

	if ((mkdir(dir, 0700) < 0 && errno != EEXIST &&
	     err_set_errno(MOOR_EIO, "cannot create '%s'", dir) < 0) ||
	    state_write_atomic(p, text, strlen(text)) < 0) {
		log_warnx("cannot keep the revert history: %s", err_last());
		err_clear();
	}
	free(text);
	json_decref(root);
	free(dir);
	free(p);
}

static const char *run_heal_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Reverts of (service, path) within the window ending at now. */
static int run_heal_count(const json_t *reverts, const char *service,
			  const char *path, time_t now, long long window_ms)
{
	const json_t *r;
	size_t i;
	int n = 0;

	json_array_foreach(reverts, i, r)
	{
		json_int_t t = json_integer_value(json_object_get(r, "time"));

		if ((long long)(now - t) * 1000 > window_ms)
			continue;
		if (!strcmp(run_heal_str(r, "service")
				? run_heal_str(r, "service")
				: "",
			    service) &&
		    run_heal_str(r, "path") &&
		    !strcmp(run_heal_str(r, "path"), path))
			n++;
	}
	return n;
}

/* Is f a finding about this service of this class (a revert of drift
 * heals "unauthorized" ones, a restart "missing" ones)? */
static bool run_heal_finding_of(const json_t *f, const char *service,
				const char *klass)
{
	const char *rel = run_heal_str(f, "relationship");
	const char *k = run_heal_str(f, "class");

	return run_heal_str(f, "service") &&
	       !strcmp(run_heal_str(f, "service"), service) && k &&
	       !strcmp(k, klass) && rel && strcmp(rel, "conflict") &&
	       strcmp(rel, "desired");
}

/* Does the service have a finding of this class? */
static bool run_heal_service_has(const struct unit_plan *plan,
				 const char *service, const char *klass)
{
	const json_t *f;
	size_t i;

	json_array_foreach(plan->findings, i, f)
	{
		const char *s = run_heal_str(f, "service");
		const char *k = run_heal_str(f, "class");

		if (s && k && !strcmp(s, service) && !strcmp(k, klass))
			return true;
	}
	return false;
}

/* Healthy: nothing missing, every container of ours running, and no
 * healthcheck saying unhealthy (or not having said anything yet). */
static bool run_heal_unit_healthy(const struct unit_plan *plan)
{
	const json_t *f;
	size_t i;

	json_array_foreach(plan->findings, i, f)
	{
		const char *k = run_heal_str(f, "class");

		if (k && !strcmp(k, "missing"))
			return false;
	}
	for (size_t j = 0; j < plan->ncontainers; j++) {
		const struct plan_container *c = &plan->containers[j];

		if (c->ours && !c->temporary && (!c->running || c->unhealthy))
			return false;
	}
	return true;
}

/* Turn a flapping service's drift finding into failed_reconciliation. */
static void run_heal_flapping(json_t *f, int reverts, long long window_ms)
{
	const char *risk = run_heal_str(f, "risk");

	json_object_set_new(f, "class", json_string("failed_reconciliation"));
	json_object_set_new(f, "recommended_action", json_string("incident"));
	json_object_set_new(f, "auto_heal_allowed", json_false());
	json_object_set_new(f, "auto_heal_suspended", json_true());
	json_object_set_new(f, "flapping",
			    json_pack("{s:i,s:I}", "reverts", reverts,
				      "window_s",
				      (json_int_t)(window_ms / 1000)));
	if (risk && (!strcmp(risk, "low") || !strcmp(risk, "medium")))
		json_object_set_new(f, "risk", json_string("high"));
}

/* The rule that governs a finding's heal: max_objects (the smallest of
 * the rules that apply, RUN_HEAL_DEFAULT_MAX_OBJECTS for a rule that
 * sets none) and require_healthy (also when no revert rule stands for
 * it: the unit's on_drift). */
static void run_heal_limits(int *max_objects, bool *require_healthy,
			    const struct controller *c, const struct unit *u,
			    const json_t *f)
{
	const struct policy_auto_heal *r =
	    policy_auto_heal(&c->ctx.policy, run_heal_str(f, "class"),
			     run_heal_str(f, "domain"), u->risk_tier, u->name);
	int max = RUN_HEAL_DEFAULT_MAX_OBJECTS;

	if (r && r->mode == POLICY_MODE_REVERT) {
		if (r->max_objects > 0)
			max = r->max_objects;
		if (r->require_healthy)
			*require_healthy = true;
	} else {
		*require_healthy = true;
	}
	if (max < *max_objects)
		*max_objects = max;
}

/*
 * May the heal of one service go ahead (the findings of `klass` about it
 * all allow auto-heal and none of their fields is flapping)? Flapping
 * findings become failed_reconciliation. *limits_seen: some finding
 * applied its rule's limits.
 */
static bool run_heal_allowed(struct controller *c, const struct unit *u,
			     struct unit_plan *plan, const json_t *reverts,
			     const char *service, const char *klass,
			     int *max_objects, bool *require_healthy)
{
	const struct policy *p = &c->ctx.policy;
	time_t now = time(NULL);
	bool allowed = true, any = false;
	json_t *f;
	size_t j;

	json_array_foreach(plan->findings, j, f)
	{
		const json_t *chs = json_object_get(f, "changes"), *ch;
		size_t k;

		if (!run_heal_finding_of(f, service, klass))
			continue;
		any = true;
		if (!json_is_true(json_object_get(f, "auto_heal_allowed")))
			allowed = false;
		run_heal_limits(max_objects, require_healthy, c, u, f);
		json_array_foreach(chs, k, ch)
		{
			const char *path = run_heal_str(ch, "path");
			int n = path ? run_heal_count(reverts, service, path,
						      now, p->flap_window_ms)
				     : 0;

			/* Reverted more than max_reverts times within the
			 * window: the next one is not ours to make. */
			if (n > p->flap_max_reverts) {
				if (allowed)
					log_warnx("unit '%s': '%s' was "
						  "reverted %d times within "
						  "the window and changed "
						  "back: auto-heal of '%s' "
						  "is suspended",
						  u->name, path, n, service);
				run_heal_flapping(f, n, p->flap_window_ms);
				allowed = false;
				break;
			}
		}
	}
	return any && allowed;
}

/* The service a dependency recreate follows (network_mode, ipc or pid
 * "service:<x>", the key its path names), or NULL. */
static const char *run_heal_leader(const struct unit_plan *plan,
				   const struct plan_action *a)
{
	const struct ynode *svc, *v;
	const char *key;

	if (!a->npaths || !plan->desired)
		return NULL;
	key = strrchr(a->paths[0], '/');
	svc = ynode_map_get(ynode_map_get(plan->desired->model, "services"),
			    a->service);
	v = key ? ynode_map_get(svc, key + 1) : NULL;
	return v && v->kind == YNODE_STR && !strncmp(v->text, "service:", 8)
		   ? v->text + 8
		   : NULL;
}

static bool run_heal_taken(const struct unit_plan *plan, const bool *take,
			   size_t upto, const char *service)
{
	for (size_t i = 0; i < upto; i++)
		if (take[i] && !strcmp(plan->actions[i].service, service))
			return true;
	return false;
}

/*
 * Which of the plan's actions the loop takes. A deploy (a new service, a
 * new spec, a moved tag, an orphan) is taken; a dependency recreate only
 * with the recreate of the service it follows; a drift revert and the
 * restart of a missing service only when the policy allows the heal
 * (run_heal_allowed), within max_objects and, where the rule says so,
 * with the unit healthy. Nothing touches a service with an emergency
 * finding (an open exception: a recreate or a restart would undo what
 * the incident did), and a drift revert never touches one whose fields
 * an ownership rule gives to someone else (the recreate resets them).
 */
void run_heal_decide(bool *take, struct controller *c, struct run_unit *ru,
		     struct unit_plan *plan)
{
	const struct unit *u = ru->unit;
	json_t *reverts = run_heal_load(c, u->name);
	bool healthy = run_heal_unit_healthy(plan);
	int max_objects = INT_MAX, taken = 0;

	for (size_t i = 0; i < plan->nactions; i++) {
		const struct plan_action *a = &plan->actions[i];
		const char *leader, *klass;
		bool require_healthy = false;
		int max = INT_MAX;

		take[i] = false;
		if (run_heal_service_has(plan, a->service, "emergency"))
			continue; /* reported with its expiry */
		if (a->reason == REASON_DEPENDENCY) {
			leader = run_heal_leader(plan, a);
			take[i] =
			    leader && run_heal_taken(plan, take, i, leader);
			continue;
		}
		klass = a->reason == REASON_DRIFT     ? "unauthorized"
			: a->reason == REASON_MISSING ? "missing"
						      : NULL;
		/* A deploy; or a stopped service nothing was recorded for
		 * (no finding: not drift from what mooring applied). */
		if (!klass || !run_heal_service_has(plan, a->service, klass)) {
			take[i] = !klass || a->reason == REASON_MISSING;
			continue;
		}
		if (a->reason == REASON_DRIFT &&
		    (a->drops_accepted ||
		     run_heal_service_has(plan, a->service,
					  "controller_owned")))
			continue;
		if (!run_heal_allowed(c, u, plan, reverts, a->service, klass,
				      &max, &require_healthy))
			continue;
		if (max < max_objects)
			max_objects = max;
		if ((require_healthy && !healthy) || taken >= max_objects)
			continue;
		take[i] = true;
		taken++;
	}
	json_decref(reverts);
}

void run_heal_done(struct controller *c, struct run_unit *ru,
		   const struct unit_plan *plan, const bool *take)
{
	const struct policy *p = &c->ctx.policy;
	json_t *reverts = NULL, *kept;
	time_t now = time(NULL);
	bool any = false;
	size_t i;

	for (i = 0; i < plan->nactions; i++)
		if (take[i] && plan->actions[i].reason == REASON_DRIFT)
			any = true;
	if (!any)
		return;
	reverts = run_heal_load(c, ru->unit->name);
	for (i = 0; i < plan->nactions; i++) {
		const struct plan_action *a = &plan->actions[i];
		struct buf paths = BUF_INIT(BUF_UNBOUNDED);

		if (!take[i] || a->reason != REASON_DRIFT)
			continue;
		for (size_t k = 0; k < a->npaths; k++) {
			json_array_append_new(
			    reverts, json_pack("{s:s,s:s,s:I}", "service",
					       a->service, "path", a->paths[k],
					       "time", (json_int_t)now));
			buf_printf(&paths, "%s%s", k ? " " : "", a->paths[k]);
		}
		log_info("unit '%s': reverted drift of '%s' (%s)",
			 ru->unit->name, a->service, buf_cstr(&paths));
		if (c->journal &&
		    journal_action(c->journal, ru->unit->name, a->service,
				   a->container_id, "auto_heal",
				   buf_cstr(&paths)) < 0) {
			log_warnx("%s", err_last());
			err_clear();
		}
		buf_release(&paths);
	}
	/* Only what the window still counts. */
	kept = json_array();
	for (i = 0; i < json_array_size(reverts); i++) {
		json_t *r = json_array_get(reverts, i);
		json_int_t t = json_integer_value(json_object_get(r, "time"));

		if ((long long)(now - t) * 1000 <= p->flap_window_ms)
			json_array_append(kept, r);
	}
	run_heal_save(c, ru->unit->name, kept);
	json_decref(kept);
	json_decref(reverts);
}

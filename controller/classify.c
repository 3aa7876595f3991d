/*
 * classify.c - class-dependent fields of findings, policy findings of the
 * desired state, budgets (classify.h).
 */
#include "classify.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

#define CLASSIFY_MAX_EVENTS 20

static const char *classify_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool classify_is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static const char *classify_recommended(const char *klass,
					const char *relationship,
					const char *domain)
{
	if (classify_is(relationship, "conflict"))
		return "reconcile_to_git";
	if (classify_is(klass, "emergency") || classify_is(klass, "policy") ||
	    classify_is(klass, "dependency"))
		return "reconcile_to_git";
	if (classify_is(klass, "controller_owned"))
		return "ignore";
	if (classify_is(klass, "failed_reconciliation") ||
	    classify_is(klass, "unmanaged"))
		return "incident";
	if (classify_is(klass, "missing"))
		return "revert";
	if (classify_is(domain, "identity") || classify_is(domain, "secret"))
		return "incident";
	if (classify_is(domain, "capacity"))
		return "reconcile_to_git";
	return "revert";
}

/* The domain of the finding: the most important of its changes' domains,
 * each the policy's for its path where a rule names one, else the one
 * finding.c gave it. NULL without a policy (finding.c's stands). */
static const char *classify_domain(const json_t *f, const struct policy *p)
{
	const json_t *changes = json_object_get(f, "changes"), *c;
	const char *best = NULL;
	size_t i;

	if (!p)
		return NULL;
	json_array_foreach(changes, i, c)
	{
		const char *d = policy_domain(p, classify_str(c, "path"));

		best =
		    finding_domain_top(best, d ? d : classify_str(c, "domain"));
	}
	return best;
}

/* Is this rule one of the repo's (not a shipped default)? */
static bool classify_rule_from_repo(const struct policy_auto_heal *r)
{
	return r && r->mark.file &&
	       !strncmp(r->mark.file, POLICY_REPO_DIR "/",
			strlen(POLICY_REPO_DIR) + 1);
}

static bool classify_auto_heal(const json_t *f, const struct classify_ctx *cx,
			       const char *klass, const char *domain,
			       const char *recommended)
{
	const struct unit *u = cx->unit;
	const struct policy_auto_heal *r = NULL;
	const json_t *changes = json_object_get(f, "changes"), *c;
	enum policy_mode mode = POLICY_MODE_REPORT;
	size_t i;

	(void)recommended;
	if (!(classify_is(klass, "unauthorized") ||
	      classify_is(klass, "missing")) ||
	    classify_is(classify_str(f, "relationship"), "conflict"))
		return false;
	if (cx->policy)
		r = policy_auto_heal(cx->policy, klass, domain,
				     u ? u->risk_tier : NULL,
				     u ? u->name : NULL);
	if (r)
		mode = r->mode;
	if (u && u->on_drift == UNIT_ON_DRIFT_REVERT &&
	    !classify_rule_from_repo(r) && classify_is(klass, "unauthorized") &&
	    !classify_is(domain, "identity") &&
	    !classify_is(domain, "network") && !classify_is(domain, "secret")) {
		mode = POLICY_MODE_REVERT;
		r = NULL; /* no path limits but the domain's */
	}
	if (mode != POLICY_MODE_REVERT)
		return false;
	json_array_foreach(changes, i, c)
	{
		if (r &&
		    !policy_auto_heal_path_allowed(r, classify_str(c, "path")))
			return false;
	}
	return true;
}

/* The journal's events on the finding's container. */
static json_t *classify_audit(const json_t *f, const json_t *journal)
{
	const char *container = classify_str(f, "container");
	json_t *events = json_array(), *rec;
	bool outside = false;
	size_t i, n;

	json_array_foreach(journal, i, rec)
	{
		const char *rc = classify_str(rec, "container");

		if (!classify_is(classify_str(rec, "kind"), "event") ||
		    !container || !rc || strcmp(rc, container))
			continue;
		json_array_append_new(
		    events,
		    json_pack(
			"{s:s?,s:s?,s:b}", "action",
			classify_str(rec, "action"), "time",
			classify_str(rec, "time"), "outside_mooring",
			json_is_true(json_object_get(rec, "outside_mooring"))));
		if (json_is_true(json_object_get(rec, "outside_mooring")))
			outside = true;
	}
	n = json_array_size(events);
	while (n > CLASSIFY_MAX_EVENTS) {
		json_array_remove(events, 0);
		n--;
	}
	/* No event seen (none read, or older than the journal): not
	 * mooring's, which would have recorded its action. */
	if (!n)
		outside = true;
	return json_pack("{s:o,s:b}", "events", events, "outside_mooring",
			 outside);
}

/* The open exception covering the finding (its first path), if any. */
static const struct policy_exception *
classify_window(const json_t *f, const struct classify_ctx *cx, bool expired)
{
	const json_t *changes = json_object_get(f, "changes"), *c;
	const char *service = classify_str(f, "service");
	size_t i;

	if (!cx->policy || !cx->unit)
		return NULL;
	json_array_foreach(changes, i, c)
	{
		const char *path = classify_str(c, "path");
		const struct policy_exception *e =
		    expired
			? policy_exception_expired(cx->policy, cx->unit->name,
						   service, path, cx->now)
			: policy_exception(cx->policy, cx->unit->name, service,
					   path, cx->now);

		if (e)
			return e;
	}
	return NULL;
}

static json_t *classify_time(time_t t)
{
	char when[32];

	finding_format_time(when, t);
	return json_string(when);
}

void classify_findings(json_t *findings, const struct classify_ctx *cx)
{
	json_t *f;
	size_t i;

	json_array_foreach(findings, i, f)
	{
		const char *klass = classify_str(f, "class");
		const char *rel = classify_str(f, "relationship");
		const char *domain = classify_domain(f, cx->policy);
		const char *rec;
		const struct policy_exception *e;
		bool heal;

		if (domain)
			json_object_set_new(f, "domain", json_string(domain));
		domain = classify_str(f, "domain");
		json_object_set_new(
		    f, "risk",
		    json_string(finding_risk(
			cx->unit ? cx->unit->risk_tier : NULL, domain)));
		rec = classify_recommended(klass, rel, domain);
		heal = classify_auto_heal(f, cx, klass, domain, rec);
		/* The policy said revert for it: that is what will happen. */
		json_object_set_new(f, "recommended_action",
				    json_string(heal ? "revert" : rec));
		json_object_set_new(f, "auto_heal_allowed", json_boolean(heal));
		if (cx->journal && !classify_is(klass, "policy"))
			json_object_set_new(f, "audit",
					    classify_audit(f, cx->journal));
		if (classify_is(klass, "emergency") &&
		    (e = classify_window(f, cx, false)))
			json_object_set_new(
			    f, "exception",
			    json_pack("{s:s,s:o,s:s}", "incident", e->incident,
				      "expires", classify_time(e->expires),
				      "origin",
				      e->origin ? e->origin : "repo"));
	}
}

/* --- policy findings of the desired state ------------------------------- */

/* Is the image reference mutable: no digest, and "latest" or no tag? */
static bool classify_mutable_tag(const char *image)
{
	const char *slash, *colon;

	if (!image || strchr(image, '@'))
		return false;
	slash = strrchr(image, '/');
	colon = strrchr(slash ? slash : image, ':');
	return !colon || !strcmp(colon + 1, "latest");
}

static int classify_push_policy(json_t *findings, const struct finding_ctx *fc,
				const char *service, const struct ynode *svc,
				const char *key, const char *check,
				const char *domain)
{
	struct finding_kind k = {"desired", "policy", domain, NULL};
	struct finding_ctx one = *fc;
	const struct ynode *v = ynode_map_get(svc, key);
	struct change ch;
	const struct change *chs[] = {&ch};
	json_t *f;

	memset(&ch, 0, sizeof(ch));
	ch.path = xasprintf("/services/%s/%s", service, key);
	ch.desired = (struct ynode *)v;
	ch.mark = v ? v->mark : svc->mark;
	one.service = service;
	one.container = NULL;
	f = finding_new(&one, &k, chs, 1);
	free(ch.path);
	if (!f)
		return err_last_code() ? err_last_code() : MOOR_ERR;
	json_object_set_new(f, "check", json_string(check));
	json_array_append_new(findings, f);
	return 0;
}

int classify_desired(json_t *findings, const struct finding_ctx *fc,
		     const struct ynode *model, const struct policy *p)
{
	const struct ynode *services = ynode_map_get(model, "services");
	const char *unit = fc->unit ? fc->unit->name : NULL;
	int error = 0;

	if (!services || services->kind != YNODE_MAP)
		return 0;
	for (size_t i = 0; i < services->u.map.n && !error; i++) {
		const char *name = services->u.map.items[i].key;
		const struct ynode *s = services->u.map.items[i].value;
		const struct ynode *image = ynode_map_get(s, "image");
		const struct ynode *priv = ynode_map_get(s, "privileged");
		const struct ynode *nm = ynode_map_get(s, "network_mode");

#define CLASSIFY_ON(check) (!p || policy_check_on(p, check, unit, name))
		if (image && image->kind == YNODE_STR &&
		    classify_mutable_tag(image->text) &&
		    CLASSIFY_ON("mutable_tag"))
			error =
			    classify_push_policy(findings, fc, name, s, "image",
						 "mutable_tag", "image");
		if (!error && priv && priv->kind == YNODE_BOOL && priv->u.b &&
		    CLASSIFY_ON("privileged"))
			error = classify_push_policy(findings, fc, name, s,
						     "privileged", "privileged",
						     "identity");
		if (!error &&
		    finding_mounts_docker_socket(ynode_map_get(s, "volumes")) &&
		    CLASSIFY_ON("docker_socket"))
			error = classify_push_policy(findings, fc, name, s,
						     "volumes", "docker_socket",
						     "identity");
		if (!error && nm && nm->kind == YNODE_STR &&
		    !strcmp(nm->text, "host") && CLASSIFY_ON("host_network"))
			error = classify_push_policy(findings, fc, name, s,
						     "network_mode",
						     "host_network", "network");
#undef CLASSIFY_ON
	}
	return error;
}

/* --- budgets ------------------------------------------------------------- */

static time_t classify_parse_time(const char *s)
{
	return s ? policy_parse_time(s) : (time_t)-1;
}

/* Did a change from outside mooring (an audit event) happen by t? */
static bool classify_changed_by(const json_t *f, time_t t)
{
	const json_t *events =
	    json_object_get(json_object_get(f, "audit"), "events");
	const json_t *ev;
	size_t i;

	json_array_foreach(events, i, ev)
	{
		time_t at = classify_parse_time(classify_str(ev, "time"));

		if (json_is_true(json_object_get(ev, "outside_mooring")) &&
		    at != (time_t)-1 && at <= t)
			return true;
	}
	return false;
}

void classify_budgets(json_t *findings, const struct classify_ctx *cx)
{
	json_t *f;
	size_t i;

	json_array_foreach(findings, i, f)
	{
		const char *klass = classify_str(f, "class");
		const struct policy_exception *e;
		time_t detected =
		    classify_parse_time(classify_str(f, "detected_at"));
		long long budget =
		    cx->policy
			? policy_budget_ms(cx->policy,
					   classify_str(f, "domain"), klass)
			: -1;
		char *why = NULL;

		if (budget >= 0)
			json_object_set_new(f, "budget_s",
					    json_integer(budget / 1000));
		/* Overdue at once only for drift the window covered: made or
		 * seen while it was open (a window that closed before the
		 * change explains nothing about it). */
		if (classify_is(klass, "unauthorized") &&
		    (e = classify_window(f, cx, true)) &&
		    ((detected != (time_t)-1 && detected <= e->expires) ||
		     classify_changed_by(f, e->expires))) {
			char when[32];

			finding_format_time(when, e->expires);
			why = xasprintf("emergency window %s closed at %s",
					e->incident, when);
			json_object_set_new(
			    f, "exception",
			    json_pack("{s:s,s:s,s:b}", "incident", e->incident,
				      "expires", when, "expired", 1));
		} else if (budget >= 0 && detected != (time_t)-1 &&
			   (long long)(cx->now - detected) * 1000 > budget) {
			why =
			    xasprintf("open for %llds, over the %s budget of "
				      "%llds",
				      (long long)(cx->now - detected),
				      classify_str(f, "domain"), budget / 1000);
		}
		if (why) {
			json_object_set_new(f, "overdue", json_true());
			json_object_set_new(f, "overdue_reason",
					    json_string(why));
			free(why);
		}
	}
}

bool classify_counts_as_drift(const json_t *f)
{
	const char *klass = classify_str(f, "class");

	return !classify_is(klass, "controller_owned") &&
	       !classify_is(klass, "policy");
}

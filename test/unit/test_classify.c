/*
 * test_classify.c - classify.h: recommended actions, auto-heal under the
 * policy (the shipped defaults and a repo rule), the unit's on_drift,
 * audit events from the journal, emergency windows, budgets, policy
 * findings of the desired state.
 */
#include "unit.h"

#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "policy.h"

#define SHIPPED TEST_RESOURCES "/../../policies/default.yaml"

static struct unit test_unit(const char *tier, enum unit_on_drift d)
{
	struct unit u;

	memset(&u, 0, sizeof(u));
	u.name = "api";
	u.path = "stacks/api";
	u.risk_tier = (char *)tier;
	u.on_drift = d;
	return u;
}

/* A finding as plan makes it: class, relationship, domain, one path. */
static json_t *finding(const char *klass, const char *rel, const char *domain,
		       const char *path)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s}]}", "unit", "api",
			 "service", "api", "class", klass, "relationship", rel,
			 "domain", domain, "container", "c1", "changes", "path",
			 path);
}

static const char *str(const json_t *f, const char *k)
{
	return json_string_value(json_object_get(f, k));
}

/* Load the shipped defaults, plus a repo file written from text (NULL:
 * none). */
static void load(struct policy *p, const char *repo_text)
{
	char dir[64] = "/tmp/mooring-classify-XXXXXX";
	char path[128];
	const char *paths[2];
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	if (repo_text) {
		FILE *f;

		assert_non_null(mkdtemp(dir));
		snprintf(path, sizeof(path), "%s/repo.yaml", dir);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(repo_text, f);
		fclose(f);
		paths[n++] = path;
	}
	paths[n++] = SHIPPED;
	assert_int_equal(policy_load_files(p, paths, n), 0);
	if (repo_text) {
		unlink(path);
		rmdir(dir);
	}
}

static void classify_one(json_t *f, const struct policy *p,
			 const struct unit *u, const json_t *journal)
{
	json_t *arr = json_array();
	struct classify_ctx cx = {p, u, journal, time(NULL)};

	json_array_append(arr, f);
	classify_findings(arr, &cx);
	json_decref(arr);
}

static void test_classify__recommended_actions(void **state)
{
	static const struct {
		const char *klass, *rel, *domain, *want;
	} cases[] = {
	    {"unauthorized", "actual_vs_recorded", "capacity",
	     "reconcile_to_git"},
	    {"unauthorized", "actual_vs_recorded", "identity", "incident"},
	    {"unauthorized", "actual_vs_recorded", "secret", "incident"},
	    {"unauthorized", "actual_vs_recorded", "metadata", "revert"},
	    {"unauthorized", "conflict", "metadata", "reconcile_to_git"},
	    {"emergency", "actual_vs_recorded", "capacity", "reconcile_to_git"},
	    {"controller_owned", "actual_vs_recorded", "runtime", "ignore"},
	    {"dependency", "actual_vs_desired", "image", "reconcile_to_git"},
	    {"policy", "desired", "image", "reconcile_to_git"},
	    {"unmanaged", "actual_vs_desired", "runtime", "incident"},
	    {"missing", "actual_vs_recorded", "runtime", "revert"},
	};
	struct unit u = test_unit("standard", UNIT_ON_DRIFT_REPORT);
	struct policy p;

	(void)state;
	load(&p, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *f = finding(cases[i].klass, cases[i].rel,
				    cases[i].domain, "/services/api/x");

		classify_one(f, &p, &u, NULL);
		assert_string_equal(str(f, "recommended_action"),
				    cases[i].want);
		json_decref(f);
	}
	policy_release(&p);
}

static void test_classify__defaults_never_revert(void **state)
{
	static const char *const domains[] = {"identity", "network", "capacity",
					      "metadata", "runtime", "storage"};
	struct unit u = test_unit("low", UNIT_ON_DRIFT_REPORT);
	struct policy p;

	(void)state;
	load(&p, NULL);
	for (size_t i = 0; i < 6; i++) {
		json_t *f = finding("unauthorized", "actual_vs_recorded",
				    domains[i], "/services/api/x");

		classify_one(f, &p, &u, NULL);
		assert_false(
		    json_is_true(json_object_get(f, "auto_heal_allowed")));
		json_decref(f);
	}
	policy_release(&p);
}

static void test_classify__repo_rule_allows_revert(void **state)
{
	struct unit low = test_unit("low", UNIT_ON_DRIFT_REPORT);
	struct unit high = test_unit("high", UNIT_ON_DRIFT_REPORT);
	struct policy p;
	json_t *f;

	(void)state;
	load(&p, "auto_heal:\n"
		 "  - domain: metadata\n"
		 "    tier: [low]\n"
		 "    mode: revert\n"
		 "    deny_paths: [/services/*/labels/keep]\n");
	f = finding("unauthorized", "actual_vs_recorded", "metadata",
		    "/services/api/labels/team");
	classify_one(f, &p, &low, NULL);
	assert_true(json_is_true(json_object_get(f, "auto_heal_allowed")));
	/* Another tier: the rule does not match, the defaults report. */
	classify_one(f, &p, &high, NULL);
	assert_false(json_is_true(json_object_get(f, "auto_heal_allowed")));
	json_decref(f);
	/* A denied path. */
	f = finding("unauthorized", "actual_vs_recorded", "metadata",
		    "/services/api/labels/keep");
	classify_one(f, &p, &low, NULL);
	assert_false(json_is_true(json_object_get(f, "auto_heal_allowed")));
	json_decref(f);
	/* A conflict is never healed. */
	f = finding("unauthorized", "conflict", "metadata",
		    "/services/api/labels/team");
	classify_one(f, &p, &low, NULL);
	assert_false(json_is_true(json_object_get(f, "auto_heal_allowed")));
	json_decref(f);
	policy_release(&p);
}

static void test_classify__on_drift_revert_spares_identity(void **state)
{
	struct unit u = test_unit("standard", UNIT_ON_DRIFT_REVERT);
	struct policy p;
	json_t *f;

	(void)state;
	load(&p, NULL);
	f = finding("unauthorized", "actual_vs_recorded", "runtime",
		    "/services/api/restart");
	classify_one(f, &p, &u, NULL);
	assert_true(json_is_true(json_object_get(f, "auto_heal_allowed")));
	json_decref(f);
	f = finding("unauthorized", "actual_vs_recorded", "identity",
		    "/services/api/cap_add");
	classify_one(f, &p, &u, NULL);
	assert_false(json_is_true(json_object_get(f, "auto_heal_allowed")));
	assert_string_equal(str(f, "recommended_action"), "incident");
	json_decref(f);
	f = finding("unauthorized", "actual_vs_recorded", "network",
		    "/services/api/ports");
	classify_one(f, &p, &u, NULL);
	assert_false(json_is_true(json_object_get(f, "auto_heal_allowed")));
	json_decref(f);
	policy_release(&p);
}

static void test_classify__audit_from_the_journal(void **state)
{
	struct unit u = test_unit("standard", UNIT_ON_DRIFT_REPORT);
	json_t *journal =
	    json_pack("[{s:s,s:s,s:s,s:s,s:b},{s:s,s:s,s:s,s:s,s:b},"
		      "{s:s,s:s,s:s,s:s,s:b}]",
		      "kind", "event", "container", "c1", "action", "start",
		      "time", "2026-11-22T10:00:00Z", "outside_mooring", 0,
		      "kind", "event", "container", "other", "action", "kill",
		      "time", "2026-11-22T10:01:00Z", "outside_mooring", 1,
		      "kind", "event", "container", "c1", "action", "update",
		      "time", "2026-11-22T10:02:00Z", "outside_mooring", 1);
	json_t *f = finding("unauthorized", "actual_vs_recorded", "capacity",
			    "/services/api/mem_limit");
	json_t *audit, *events;

	(void)state;
	classify_one(f, NULL, &u, journal);
	audit = json_object_get(f, "audit");
	events = json_object_get(audit, "events");
	assert_int_equal(json_array_size(events), 2);
	assert_string_equal(str(json_array_get(events, 1), "action"), "update");
	assert_true(json_is_true(json_object_get(audit, "outside_mooring")));
	json_decref(f);
	json_decref(journal);
}

/* A repo domain rule on one path does not lower the others: the finding
 * keeps the most important domain of its changes. */
static void test_classify__domain_of_every_change(void **state)
{
	struct unit u = test_unit("standard", UNIT_ON_DRIFT_REVERT);
	struct policy p;
	json_t *f = json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "unit", "api",
	    "service", "api", "class", "unauthorized", "relationship",
	    "actual_vs_recorded", "domain", "identity", "container", "c1",
	    "changes", "path", "/services/api/environment/LOG_LEVEL", "domain",
	    "runtime", "path", "/services/api/user", "domain", "identity");

	(void)state;
	load(&p, "domains:\n"
		 "  - path: /services/*/environment/LOG_*\n"
		 "    domain: metadata\n"
		 "auto_heal:\n"
		 "  - domain: [runtime, metadata]\n"
		 "    mode: revert\n");
	classify_one(f, &p, &u, NULL);
	assert_string_equal(str(f, "domain"), "identity");
	assert_false(json_is_true(json_object_get(f, "auto_heal_allowed")));
	json_decref(f);
	/* Alone, the rule's domain is the finding's. */
	f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}", "unit", "api",
		      "service", "api", "class", "unauthorized", "relationship",
		      "actual_vs_recorded", "domain", "runtime", "container",
		      "c1", "changes", "path",
		      "/services/api/environment/LOG_LEVEL", "domain",
		      "runtime");
	classify_one(f, &p, &u, NULL);
	assert_string_equal(str(f, "domain"), "metadata");
	assert_true(json_is_true(json_object_get(f, "auto_heal_allowed")));
	json_decref(f);
	policy_release(&p);
}

static const char *when_of(time_t t)
{
	static char when[32];

	finding_format_time(when, t);
	return when;
}

static void test_classify__emergency_window_and_overdue(void **state)
{
	struct unit u = test_unit("standard", UNIT_ON_DRIFT_REPORT);
	struct policy p;
	struct policy_exception e;
	char *fields[] = {"/services/api/mem*"};
	json_t *arr = json_array(), *f;
	time_t now = time(NULL);
	struct classify_ctx cx = {NULL, &u, NULL, now};

	(void)state;
	load(&p, NULL);
	cx.policy = &p;
	memset(&e, 0, sizeof(e));
	e.incident = "INC-7";
	e.unit = "api";
	e.reason = "hotfix";
	e.fields = fields;
	e.nfields = 1;
	e.expires = now + 60;
	e.origin = "cli";
	policy_add_exception(&p, &e);
	f = finding("emergency", "actual_vs_recorded", "capacity",
		    "/services/api/mem_limit");
	json_array_append_new(arr, f);
	classify_findings(arr, &cx);
	assert_string_equal(str(json_object_get(f, "exception"), "incident"),
			    "INC-7");
	assert_false(json_is_true(json_object_get(f, "auto_heal_allowed")));
	/* Once the window closed, plan makes it unauthorized: overdue. */
	json_object_set_new(f, "class", json_string("unauthorized"));
	json_object_set_new(f, "detected_at", json_string(when_of(now)));
	cx.now = now + 120;
	classify_budgets(arr, &cx);
	assert_true(json_is_true(json_object_get(f, "overdue")));
	assert_non_null(strstr(str(f, "overdue_reason"), "INC-7"));
	/* Drift first seen after the window closed owes it nothing. */
	json_object_del(f, "overdue");
	json_object_del(f, "overdue_reason");
	json_object_del(f, "exception");
	json_object_set_new(f, "detected_at", json_string(when_of(now + 90)));
	classify_budgets(arr, &cx);
	assert_false(json_is_true(json_object_get(f, "overdue")));
	assert_null(json_object_get(f, "exception"));
	/* ... unless the change itself was made while it was open (the
	 * record reopened after the emergency one resolved). */
	json_object_set_new(f, "audit",
			    json_pack("{s:[{s:s,s:s,s:b}],s:b}", "events",
				      "action", "update", "time",
				      when_of(now + 1), "outside_mooring", 1,
				      "outside_mooring", 1));
	classify_budgets(arr, &cx);
	assert_true(json_is_true(json_object_get(f, "overdue")));
	json_decref(arr);
	policy_release(&p);
}

static void test_classify__budgets(void **state)
{
	struct unit u = test_unit("standard", UNIT_ON_DRIFT_REPORT);
	struct policy p;
	json_t *arr = json_array(), *f;
	struct classify_ctx cx = {NULL, &u, NULL, 0};
	char when[32];

	(void)state;
	load(&p, NULL);
	cx.policy = &p;
	cx.now = 1795000000;
	f = finding("unauthorized", "actual_vs_recorded", "identity",
		    "/services/api/user");
	finding_format_time(when, cx.now - 30 * 60);
	json_object_set_new(f, "detected_at", json_string(when));
	json_array_append_new(arr, f);
	classify_budgets(arr, &cx);
	assert_null(json_object_get(f, "overdue"));
	assert_int_equal(json_integer_value(json_object_get(f, "budget_s")),
			 3600);
	cx.now += 2 * 3600;
	classify_budgets(arr, &cx);
	assert_true(json_is_true(json_object_get(f, "overdue")));
	json_decref(arr);
	policy_release(&p);
}

static void test_classify__desired_state_checks(void **state)
{
	struct unit u = test_unit("standard", UNIT_ON_DRIFT_REPORT);
	struct finding_ctx fc;
	struct ynode *model = NULL;
	static const char yaml[] =
	    "services:\n"
	    "  a: {image: 'busybox:latest'}\n"
	    "  b: {image: 'busybox', privileged: true}\n"
	    "  c: {image: 'busybox:1.36', volumes: [{type: bind, source: "
	    "/var/run/docker.sock, target: /s}]}\n"
	    "  d: {image: 'busybox@sha256:0000', network_mode: host}\n"
	    "  e: {image: 'registry:5000/busybox:1'}\n";
	json_t *out = json_array(), *f;
	size_t i, tags = 0, priv = 0, sock = 0, host = 0;
	struct policy p;

	(void)state;
	load(&p, "checks:\n  - check: host_network\n    service: d\n"
		 "    mode: off\n    reason: a router\n");
	memset(&fc, 0, sizeof(fc));
	fc.unit = &u;
	fc.now = time(NULL);
	assert_int_equal(
	    ynode_load_buffer(&model, yaml, strlen(yaml), "c.yaml", NULL), 0);
	assert_int_equal(classify_desired(out, &fc, model, &p), 0);
	json_array_foreach(out, i, f)
	{
		const char *check = str(f, "check");

		assert_string_equal(str(f, "class"), "policy");
		if (!strcmp(check, "mutable_tag"))
			tags++;
		else if (!strcmp(check, "privileged"))
			priv++;
		else if (!strcmp(check, "docker_socket"))
			sock++;
		else if (!strcmp(check, "host_network"))
			host++;
		assert_false(classify_counts_as_drift(f));
	}
	/* a (latest) and b (no tag); not c, d (digest) or e (port, tag). */
	assert_int_equal(tags, 2);
	assert_int_equal(priv, 1);
	assert_int_equal(sock, 1);
	assert_int_equal(host, 0); /* turned off for d by the repo */
	json_decref(out);
	ynode_free(model);
	policy_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify__recommended_actions),
	    cmocka_unit_test(test_classify__defaults_never_revert),
	    cmocka_unit_test(test_classify__repo_rule_allows_revert),
	    cmocka_unit_test(test_classify__on_drift_revert_spares_identity),
	    cmocka_unit_test(test_classify__audit_from_the_journal),
	    cmocka_unit_test(test_classify__domain_of_every_change),
	    cmocka_unit_test(test_classify__emergency_window_and_overdue),
	    cmocka_unit_test(test_classify__budgets),
	    cmocka_unit_test(test_classify__desired_state_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

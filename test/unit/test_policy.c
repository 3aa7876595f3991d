/*
 * test_policy.c - policy files: the shipped defaults, every key, every
 * error with its position, precedence, expiry, path patterns, the narrow
 * rule for dangerous fields, durations and times.
 */
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "source.h"

#define SHIPPED_DEFAULTS TEST_RESOURCES "/../../policies"
#define DAY		 (86400LL * 1000)
#define HOUR		 (3600LL * 1000)

/* 2026-11-23T00:00:00Z and 2026-11-23T06:00:00Z */
#define T_MIDNIGHT ((time_t)1795392000)
#define T_SIX	   ((time_t)1795413600)

static char tmpdir[64];
static char repo[128];
static char policies[160];
static char empty_defaults[128];

static int setup(void **state)
{
	char dir[160];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-policy.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(repo, sizeof(repo), "%s/repo", tmpdir);
	snprintf(dir, sizeof(dir), "%s/mooring", repo);
	snprintf(policies, sizeof(policies), "%s/" POLICY_REPO_DIR, repo);
	snprintf(empty_defaults, sizeof(empty_defaults), "%s/defaults", tmpdir);
	if (mkdir(repo, 0755) < 0 || mkdir(dir, 0755) < 0 ||
	    mkdir(empty_defaults, 0755) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	unsetenv("MOORING_POLICY_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* An empty mooring/policies in the temp repo. */
static void reset_policies(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", policies,
		 policies);
	assert_int_equal(system(cmd), 0);
}

static void write_policy(const char *name, const char *text)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", policies, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* policy_load() on a repo, with defaults from defaults_dir. */
static int load_from(struct policy *out, struct unit_warnings *w,
		     const char *repo_dir, const char *defaults_dir)
{
	struct source *src = NULL;
	int error;

	setenv("MOORING_POLICY_DIR", defaults_dir, 1);
	assert_int_equal(source_open_dir(&src, repo_dir), 0);
	unit_capture_warnings(w);
	error = policy_load(out, src);
	unit_release_warnings();
	source_free(src);
	return error;
}

/* text as mooring/policies/x.yaml of the temp repo, no defaults. */
static int load_text(struct policy *out, struct unit_warnings *w,
		     const char *text)
{
	reset_policies();
	write_policy("x.yaml", text);
	return load_from(out, w, repo, empty_defaults);
}

#define assert_logged(w, needle)                                               \
	do {                                                                   \
		if (!strstr((w)->text, (needle)))                              \
			fail_msg("log '%s' does not contain '%s'", (w)->text,  \
				 (needle));                                    \
	} while (0)

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* ---- the shipped defaults ---------------------------------------------- */

static void test_policy__shipped_defaults(void **state)
{
	static const char *const checks[] = {"mutable_tag", "privileged",
					     "docker_socket", "host_network"};
	static const char *const reported[] = {"identity", "network", "secret",
					       "image", "capacity"};
	const struct policy_auto_heal *r;
	struct policy p;
	struct unit_warnings w;

	(void)state;
	reset_policies();
	assert_int_equal(load_from(&p, &w, repo, SHIPPED_DEFAULTS), 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(p.nownership, 0);
	assert_int_equal(p.nexceptions, 0);
	assert_int_equal(p.ndomains, 0);

	/* No revert by default but the restart of a missing service (as
	 * compose up would), which cannot wait for a healthy unit. */
	assert_true(p.nauto_heal > 0);
	for (size_t i = 0; i < p.nauto_heal; i++)
		if (p.auto_heal[i].mode == POLICY_MODE_REVERT) {
			assert_int_equal(p.auto_heal[i].nclasses, 1);
			assert_string_equal(p.auto_heal[i].classes[0],
					    "missing");
			assert_false(p.auto_heal[i].require_healthy);
		}
	r = policy_auto_heal(&p, "missing", "runtime", "critical", "api");
	assert_int_equal(r->mode, POLICY_MODE_REVERT);
	r = policy_auto_heal(&p, "emergency", "metadata", "low", "api");
	assert_non_null(r);
	assert_int_equal(r->mode, POLICY_MODE_OFF);
	assert_true(ends_with(r->mark.file, "policies/default.yaml"));
	r = policy_auto_heal(&p, "controller_owned", "identity", "low", "api");
	assert_int_equal(r->mode, POLICY_MODE_OFF);
	for (size_t i = 0; i < 5; i++) {
		r = policy_auto_heal(&p, "unauthorized", reported[i], "low",
				     "api");
		assert_non_null(r);
		assert_int_equal(r->mode, POLICY_MODE_REPORT);
		assert_non_null(r->domains);
	}
	/* The catch-all: never NULL, even with nothing to go on. */
	r = policy_auto_heal(&p, "unauthorized", "metadata", "low", "api");
	assert_int_equal(r->mode, POLICY_MODE_REPORT);
	assert_null(r->classes);
	assert_null(r->domains);
	assert_ptr_equal(r, &p.auto_heal[p.nauto_heal - 1]);
	assert_ptr_equal(policy_auto_heal(&p, NULL, NULL, NULL, NULL), r);

	assert_int_equal(policy_budget_ms(&p, "identity", "unauthorized"),
			 HOUR);
	assert_int_equal(policy_budget_ms(&p, "network", "unauthorized"),
			 4 * HOUR);
	assert_int_equal(policy_budget_ms(&p, "capacity", "unauthorized"),
			 24 * HOUR);
	assert_int_equal(policy_budget_ms(&p, "metadata", "emergency"),
			 72 * HOUR);
	assert_int_equal(policy_budget_ms(&p, "identity", "emergency"),
			 72 * HOUR);
	assert_int_equal(policy_budget_ms(&p, "runtime", "unauthorized"), -1);

	assert_int_equal(p.flap_max_reverts, 3);
	assert_int_equal(p.flap_window_ms, HOUR);

	for (size_t i = 0; i < 4; i++) {
		assert_true(policy_check_on(&p, checks[i], "api", "api"));
		assert_true(policy_check_on(&p, checks[i], "any-unit", NULL));
	}
	assert_false(policy_check_on(&p, "no_such_check", "api", "api"));
	policy_release(&p);
}

/* ---- every key ------------------------------------------------------- */

static void test_policy__every_key(void **state)
{
	const char *path = TEST_RESOURCES "/policy/keys.yaml";
	const struct policy_ownership *o;
	const struct policy_exception *e;
	const struct policy_auto_heal *r;
	const struct policy_check *c;
	struct policy p;

	(void)state;
	assert_int_equal(policy_load_files(&p, &path, 1), 0);

	assert_int_equal(p.nownership, 1);
	o = &p.ownership[0];
	assert_string_equal(o->path, "/services/*/deploy/replicas");
	assert_string_equal(o->unit, "api*");
	assert_string_equal(o->service, "worker");
	assert_string_equal(o->owner, "autoscaler");
	assert_string_equal(o->reason, "replicas follow the queue");
	assert_int_equal(o->expires, 1798675200); /* 2026-12-31 */
	assert_string_equal(o->mark.file, path);
	assert_int_equal(o->mark.line, 3);
	assert_int_equal(o->mark.col, 5);

	assert_int_equal(p.ndomains, 1);
	assert_string_equal(p.domains[0].path, "/services/*/labels/traefik.*");
	assert_string_equal(p.domains[0].domain, "network");

	assert_int_equal(p.nexceptions, 1);
	e = &p.exceptions[0];
	assert_string_equal(e->incident, "INC-123");
	assert_string_equal(e->unit, "api");
	assert_int_equal(e->nservices, 2);
	assert_string_equal(e->services[1], "worker");
	assert_int_equal(e->nfields, 2);
	assert_string_equal(e->fields[0], "/services/api/mem_limit");
	assert_int_equal(e->expires, T_SIX);
	assert_string_equal(e->reason, "memory raised by hand");
	assert_string_equal(e->origin, "repo");
	assert_int_equal(e->mark.line, 13);

	assert_int_equal(p.nauto_heal, 1);
	r = &p.auto_heal[0];
	assert_int_equal(r->nclasses, 2);
	assert_string_equal(r->classes[1], "dependency");
	assert_int_equal(r->ndomains, 1); /* one word alone is a list of one */
	assert_string_equal(r->domains[0], "metadata");
	assert_int_equal(r->ntiers, 2);
	assert_string_equal(r->unit, "web-*");
	assert_int_equal(r->mode, POLICY_MODE_REVERT);
	assert_int_equal(r->nallow, 1);
	assert_int_equal(r->ndeny, 1);
	assert_int_equal(r->max_objects, 2);
	assert_false(r->require_healthy);

	assert_int_equal(p.nbudgets, 1);
	assert_string_equal(p.budgets[0].domain, "capacity");
	assert_string_equal(p.budgets[0].klass, "unauthorized");
	assert_int_equal(p.budgets[0].max_age_ms, 90 * 60 * 1000);

	assert_int_equal(p.flap_max_reverts, 4);
	assert_int_equal(p.flap_window_ms, 2 * HOUR);

	assert_int_equal(p.nchecks, 1);
	c = &p.checks[0];
	assert_string_equal(c->check, "privileged");
	assert_string_equal(c->unit, "monitoring");
	assert_string_equal(c->service, "node-*");
	assert_int_equal(c->mode, POLICY_MODE_OFF);
	assert_string_equal(c->reason, "node exporter needs the host");

	/* Each key at work. */
	assert_ptr_equal(policy_owner(&p, "api-v2", "worker",
				      "/services/worker/deploy/replicas",
				      1798675199),
			 o);
	assert_null(policy_owner(&p, "api-v2", "worker",
				 "/services/worker/deploy/replicas",
				 1798675200));
	assert_null(policy_owner(&p, "web", "worker",
				 "/services/worker/deploy/replicas", 0));
	assert_null(
	    policy_owner(&p, "api", "api", "/services/api/deploy/replicas", 0));
	assert_null(policy_owner(&p, "api", "worker", NULL, 0));

	assert_string_equal(
	    policy_domain(&p, "/services/x/labels/traefik.enable"), "network");
	assert_null(policy_domain(&p, "/services/x/image"));

	assert_ptr_equal(policy_exception(&p, "api", "worker",
					  "/services/worker/cpus", T_SIX - 1),
			 e);
	assert_null(policy_exception(&p, "api", "worker",
				     "/services/worker/cpus", T_SIX));
	assert_null(
	    policy_exception(&p, "api", "db", "/services/worker/cpus", 0));
	assert_null(
	    policy_exception(&p, "api", "api", "/services/api/image", 0));
	assert_null(
	    policy_exception(&p, "api2", "api", "/services/api/mem_limit", 0));
	assert_null(
	    policy_exception(&p, NULL, "api", "/services/api/mem_limit", 0));

	assert_ptr_equal(
	    policy_auto_heal(&p, "dependency", "metadata", "low", "web-1"), r);
	assert_null(
	    policy_auto_heal(&p, "dependency", "metadata", "high", "web-1"));
	assert_null(
	    policy_auto_heal(&p, "unauthorized", "runtime", "low", "web-1"));
	assert_null(policy_auto_heal(&p, "policy", "metadata", "low", "web-1"));
	assert_null(
	    policy_auto_heal(&p, "unauthorized", "metadata", "low", "api"));
	assert_null(
	    policy_auto_heal(&p, "unauthorized", "metadata", "low", NULL));
	assert_null(policy_auto_heal(&p, NULL, "metadata", "low", "web-1"));
	assert_true(policy_auto_heal_path_allowed(r, "/services/web/labels/a"));
	assert_true(
	    policy_auto_heal_path_allowed(r, "/services/web/labels/a/b"));
	assert_false(policy_auto_heal_path_allowed(
	    r, "/services/web/labels/com.example.keep"));
	assert_false(policy_auto_heal_path_allowed(r, "/services/web/image"));
	assert_false(policy_auto_heal_path_allowed(r, NULL));
	assert_false(policy_auto_heal_path_allowed(NULL, "/services/web/x"));

	assert_int_equal(policy_budget_ms(&p, "capacity", "unauthorized"),
			 90 * 60 * 1000);
	assert_int_equal(policy_budget_ms(&p, "capacity", "emergency"), -1);
	assert_int_equal(policy_budget_ms(&p, "capacity", NULL), -1);
	assert_int_equal(policy_budget_ms(&p, NULL, "unauthorized"), -1);

	assert_false(
	    policy_check_on(&p, "privileged", "monitoring", "node-exporter"));
	/* No other entry for the check: off. */
	assert_false(policy_check_on(&p, "privileged", "monitoring", "web"));
	assert_false(policy_check_on(&p, NULL, "monitoring", "web"));

	policy_release(&p);
	policy_release(&p);
	policy_release(NULL);
}

/* ---- precedence -------------------------------------------------------- */

static void test_policy__repo_over_defaults(void **state)
{
	const struct policy_auto_heal *r;
	const struct policy_ownership *o;
	struct policy p;
	struct unit_warnings w;

	(void)state;
	assert_int_equal(
	    load_from(&p, &w, TEST_RESOURCES "/policy/repo", SHIPPED_DEFAULTS),
	    0);
	assert_int_equal(w.count, 0);
	/* README.md, notes.txt, .hidden.yaml and the directory sub.yaml are
	 * not read (each would fail to load). */
	assert_int_equal(p.nownership, 2);

	r = policy_auto_heal(&p, "unauthorized", "metadata", "low", "api");
	assert_int_equal(r->mode, POLICY_MODE_REVERT);
	assert_int_equal(r->max_objects, 3);
	assert_true(r->require_healthy);
	assert_string_equal(r->mark.file, "mooring/policies/10-team.yaml");
	assert_int_equal(r->mark.line, 3);
	assert_int_equal(r->mark.col, 5);
	assert_false(policy_auto_heal_path_allowed(
	    r, "/services/api/healthcheck/test/0"));
	assert_true(policy_auto_heal_path_allowed(r, "/services/api/labels/a"));
	/* What the repo does not cover falls to the defaults. */
	r = policy_auto_heal(&p, "unauthorized", "metadata", "high", "api");
	assert_int_equal(r->mode, POLICY_MODE_REPORT);
	assert_true(ends_with(r->mark.file, "/policies/default.yaml"));
	r = policy_auto_heal(&p, "emergency", "metadata", "low", "api");
	assert_int_equal(r->mode, POLICY_MODE_OFF);

	assert_int_equal(policy_budget_ms(&p, "capacity", "unauthorized"),
			 2 * DAY);
	assert_int_equal(policy_budget_ms(&p, "identity", "unauthorized"),
			 HOUR);

	assert_false(
	    policy_check_on(&p, "docker_socket", "monitoring", "cadvisor"));
	assert_true(policy_check_on(&p, "docker_socket", "monitoring", "web"));
	assert_true(policy_check_on(&p, "docker_socket", "web", "cadvisor"));
	assert_true(
	    policy_check_on(&p, "privileged", "monitoring", "cadvisor"));

	/* flapping: the first file that sets it (10-team, not 20-more). */
	assert_int_equal(p.flap_max_reverts, 5);
	assert_int_equal(p.flap_window_ms, 30 * 60 * 1000);

	/* Ownership rules of both files add up. */
	o = policy_owner(&p, "api", "web", "/services/web/deploy/replicas", 0);
	assert_non_null(o);
	assert_string_equal(o->owner, "autoscaler");
	o = policy_owner(&p, "jobs", "worker", "/services/worker/labels/x", 0);
	assert_non_null(o);
	assert_string_equal(o->owner, "ops");
	assert_string_equal(o->mark.file, "mooring/policies/20-more.yml");
	assert_null(policy_owner(&p, "jobs", "web",
				 "/services/web/deploy/replicas", 0));
	assert_null(
	    policy_owner(&p, "jobs", "web", "/services/web/labels/x", 0));

	assert_string_equal(policy_domain(&p, "/services/a/labels/traefik.x"),
			    "network");
	policy_release(&p);
}

static void test_policy__first_match_wins(void **state)
{
	struct policy p;
	struct unit_warnings w;

	(void)state;
	assert_int_equal(
	    load_text(&p, &w,
		      "domains:\n"
		      "  - path: /services/*/labels/traefik.*\n"
		      "    domain: network\n"
		      "  - path: /services/*/labels/*\n"
		      "    domain: metadata\n"
		      "  - path: /services/*/labels/traefik.enable\n"
		      "    domain: runtime\n"
		      "auto_heal:\n"
		      "  - domain: metadata\n"
		      "    mode: revert\n"
		      "  - class: unauthorized\n"
		      "    mode: off\n"
		      "  - mode: report\n"
		      "budgets:\n"
		      "  - domain: image\n"
		      "    max_age: 30m\n"
		      "  - max_age: 7d\n"
		      "  - domain: image\n"
		      "    max_age: 1s\n"),
	    0);
	assert_string_equal(
	    policy_domain(&p, "/services/web/labels/traefik.enable"),
	    "network");
	assert_string_equal(policy_domain(&p, "/services/web/labels/other"),
			    "metadata");
	assert_null(policy_domain(&p, "/services/web/image"));
	assert_null(policy_domain(&p, NULL));
	assert_int_equal(
	    policy_auto_heal(&p, "unauthorized", "metadata", "low", "a")->mode,
	    POLICY_MODE_REVERT);
	assert_int_equal(
	    policy_auto_heal(&p, "unauthorized", "runtime", "low", "a")->mode,
	    POLICY_MODE_OFF);
	assert_int_equal(
	    policy_auto_heal(&p, "missing", "runtime", "low", "a")->mode,
	    POLICY_MODE_REPORT);
	assert_int_equal(policy_budget_ms(&p, "image", "unauthorized"),
			 30 * 60 * 1000);
	assert_int_equal(policy_budget_ms(&p, "runtime", "missing"), 7 * DAY);
	assert_int_equal(policy_budget_ms(&p, NULL, NULL), 7 * DAY);
	policy_release(&p);

	/* Across files: sorted by name, whatever the order written. */
	reset_policies();
	write_policy("b.yaml", "budgets:\n  - max_age: 2h\n");
	write_policy("a.yml", "budgets:\n  - max_age: 1h\n");
	assert_int_equal(load_from(&p, &w, repo, SHIPPED_DEFAULTS), 0);
	assert_int_equal(policy_budget_ms(&p, "runtime", NULL), HOUR);
	assert_string_equal(p.budgets[0].mark.file, "mooring/policies/a.yml");
	assert_string_equal(p.budgets[1].mark.file, "mooring/policies/b.yaml");
	policy_release(&p);
}

static void test_policy__checks(void **state)
{
	struct policy p;
	struct unit_warnings w;

	(void)state;
	assert_int_equal(load_text(&p, &w,
				   "checks:\n"
				   "  - check: privileged\n"
				   "    service: cadvisor\n"
				   "    mode: off\n"
				   "    reason: reads the host\n"
				   "  - check: privileged\n"
				   "  - check: host_network\n"
				   "    unit: \"edge-*\"\n"),
			 0);
	assert_int_equal(p.checks[1].mode, POLICY_MODE_REPORT); /* default */
	assert_string_equal(p.checks[1].unit, "*");
	assert_null(p.checks[1].reason);
	assert_false(policy_check_on(&p, "privileged", "mon", "cadvisor"));
	assert_true(policy_check_on(&p, "privileged", "mon", "api"));
	assert_true(policy_check_on(&p, "host_network", "edge-1", "x"));
	assert_false(policy_check_on(&p, "host_network", "core", "x"));
	assert_false(policy_check_on(&p, "mutable_tag", "core", "x"));
	policy_release(&p);
}

/* ---- expiry ---------------------------------------------------------- */

static void test_policy__expiry(void **state)
{
	struct policy_exception cli;
	char *services[] = {"api"};
	char **lines = NULL;
	char incident[] = "INC-3";
	struct policy p;
	struct unit_warnings w;
	size_t n;

	(void)state;
	assert_int_equal(load_text(&p, &w,
				   "ownership:\n"
				   "  - path: /services/*/deploy/replicas\n"
				   "    owner: autoscaler\n"
				   "    reason: r\n"
				   "    expires: 2026-11-23\n"
				   "  - path: /services/*/mem_limit\n"
				   "    owner: ops\n"
				   "    reason: r\n"
				   "    expires: 2026-11-23T06:00:00Z\n"
				   "  - path: /services/*/cpus\n"
				   "    owner: forever\n"
				   "    reason: r\n"
				   "exceptions:\n"
				   "  - incident: INC-1\n"
				   "    unit: api\n"
				   "    expires: 2026-11-23T00:00:00Z\n"
				   "  - incident: INC-2\n"
				   "    unit: api\n"
				   "    fields: [/services/api/mem_limit]\n"
				   "    expires: 2026-11-23T07:00:00+01:00\n"),
			 0);
	assert_int_equal(p.ownership[2].expires, 0); /* never */

	/* At midnight: the rule and the exception that end then are gone. */
	assert_null(policy_owner(&p, "api", "api",
				 "/services/api/deploy/replicas", T_MIDNIGHT));
	assert_non_null(policy_owner(
	    &p, "api", "api", "/services/api/deploy/replicas", T_MIDNIGHT - 1));
	assert_string_equal(policy_owner(&p, "api", "api",
					 "/services/api/mem_limit", T_MIDNIGHT)
				->owner,
			    "ops");
	assert_string_equal(
	    policy_owner(&p, "api", "api", "/services/api/cpus", T_MIDNIGHT)
		->owner,
	    "forever");
	assert_string_equal(policy_exception(&p, "api", "api",
					     "/services/api/mem_limit",
					     T_MIDNIGHT)
				->incident,
			    "INC-2");
	assert_null(policy_exception(&p, "api", "api", "/services/api/cpus",
				     T_MIDNIGHT));
	assert_string_equal(policy_exception_expired(&p, "api", "api",
						     "/services/api/cpus",
						     T_MIDNIGHT)
				->incident,
			    "INC-1");
	assert_null(policy_exception_expired(
	    &p, "api", "api", "/services/api/cpus", T_MIDNIGHT - 1));

	n = policy_expired(&lines, &p, T_MIDNIGHT);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0],
			    "mooring/policies/x.yaml:2:5: ownership rule for "
			    "'/services/*/deploy/replicas' (owner "
			    "'autoscaler') expired 2026-11-23T00:00:00Z");
	assert_string_equal(lines[1], "mooring/policies/x.yaml:14:5: "
				      "exception 'INC-1' for unit 'api' "
				      "expired 2026-11-23T00:00:00Z");
	free_lines(lines, n);

	/* At six, everything with an expiry has expired; the latest expired
	 * exception covering a path is the one reported as overdue. */
	n = policy_expired(&lines, &p, T_SIX);
	assert_int_equal(n, 4);
	assert_string_equal(lines[1],
			    "mooring/policies/x.yaml:6:5: ownership rule for "
			    "'/services/*/mem_limit' (owner 'ops') expired "
			    "2026-11-23T06:00:00Z");
	free_lines(lines, n);
	assert_string_equal(policy_exception_expired(&p, "api", "api",
						     "/services/api/mem_limit",
						     T_SIX)
				->incident,
			    "INC-2");

	n = policy_expired(&lines, &p, T_MIDNIGHT - 1);
	assert_int_equal(n, 0);
	assert_null(lines);

	/* An exception from `mooring exception add`: copied, named so. */
	memset(&cli, 0, sizeof(cli));
	cli.incident = incident;
	cli.unit = "api";
	cli.services = services;
	cli.nservices = 1;
	cli.expires = T_SIX + 3600;
	policy_add_exception(&p, &cli);
	incident[4] = '9';
	services[0] = "changed";
	assert_int_equal(p.nexceptions, 3);
	assert_string_equal(p.exceptions[2].incident, "INC-3");
	assert_string_equal(p.exceptions[2].services[0], "api");
	assert_null(p.exceptions[2].fields);
	assert_string_equal(p.exceptions[2].origin, "cli");
	assert_ptr_equal(
	    policy_exception(&p, "api", "api", "/services/api/anything", T_SIX),
	    &p.exceptions[2]);
	assert_null(policy_exception(&p, "api", "worker",
				     "/services/worker/anything", T_SIX));
	n = policy_expired(&lines, &p, T_SIX + 3600);
	assert_int_equal(n, 5);
	assert_string_equal(lines[4], "exception 'INC-3' for unit 'api' "
				      "(mooring exception add) expired "
				      "2026-11-23T07:00:00Z");
	free_lines(lines, n);
	policy_release(&p);
}

/* ---- errors, each with its position ------------------------------------ */

static void test_policy__value_errors(void **state)
{
	struct policy p;
	struct unit_warnings w;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(load_text(&p, &w,
				   "ownership:\n"
				   "  - path: /services/*/deploy/replicas\n"
				   "    owner: autoscaler\n"
				   "    reasn: typo\n"
				   "  - path: services/x\n"
				   "    owner: [a]\n"
				   "    reason: r\n"
				   "    expires: tomorrow\n"
				   "domains:\n"
				   "  - path: /services/*/labels/*\n"
				   "    domain: labels\n"
				   "auto_heal:\n"
				   "  - class: [unauthorized, sometimes]\n"
				   "    tier: medium\n"
				   "    mode: fix\n"
				   "    max_objects: 0\n"
				   "    require_healthy: yes\n"
				   "budgets:\n"
				   "  - domain: capacity\n"
				   "    max_age: 1 day\n"
				   "checks:\n"
				   "  - check: latest_tag\n"
				   "    mode: revert\n"
				   "exceptions:\n"
				   "  - incident: INC-1\n"
				   "    unit: \"api*\"\n"
				   "    expires: 2026-02-30\n"
				   "    services: []\n"
				   "    fields: [/services/api/~2]\n"),
			 MOOR_EINVAL);
	assert_err_contains("18 errors in 'policies'");
	assert_int_equal(w.count, 18);
	assert_null(p.ownership); /* *out untouched */
	assert_logged(&w, "mooring/policies/x.yaml:4:5: unknown key 'reasn' "
			  "in ownership rule #1\n");
	assert_logged(&w, "mooring/policies/x.yaml:2:5: ownership rule #1 has "
			  "no 'reason'\n");
	assert_logged(&w, "mooring/policies/x.yaml:5:11: invalid path pattern "
			  "'services/x' in ownership rule #2: it must start "
			  "with '/'\n");
	assert_logged(&w, "mooring/policies/x.yaml:6:12: 'owner' of ownership "
			  "rule #2 must be a string, not a sequence\n");
	assert_logged(&w, "mooring/policies/x.yaml:8:14: invalid time "
			  "'tomorrow' in ownership rule #2 (expected e.g. "
			  "2026-11-23T06:00:00Z or 2026-11-23)\n");
	assert_logged(&w, "mooring/policies/x.yaml:11:13: invalid domain "
			  "'labels' in domain rule #1 (expected image, "
			  "identity, network, capacity, secret, storage, "
			  "runtime or metadata)\n");
	assert_logged(&w, "mooring/policies/x.yaml:13:27: invalid class "
			  "'sometimes' in auto_heal rule #1 (expected "
			  "unauthorized, emergency, controller_owned, "
			  "dependency, failed_reconciliation, policy, "
			  "unmanaged or missing)\n");
	assert_logged(&w, "mooring/policies/x.yaml:14:11: invalid tier "
			  "'medium' in auto_heal rule #1 (expected critical, "
			  "high, standard or low)\n");
	assert_logged(&w, "mooring/policies/x.yaml:15:11: invalid mode 'fix' "
			  "in auto_heal rule #1 (expected off, report or "
			  "revert)\n");
	assert_logged(&w, "mooring/policies/x.yaml:16:18: 'max_objects' of "
			  "auto_heal rule #1 must be from 1 to 1000, not 0\n");
	assert_logged(&w, "mooring/policies/x.yaml:17:22: 'require_healthy' "
			  "of auto_heal rule #1 must be true or false, not a "
			  "string\n");
	assert_logged(&w, "mooring/policies/x.yaml:20:14: invalid duration "
			  "'1 day' in budget #1 (expected e.g. 30s, 5m, "
			  "1h30m, 2d)\n");
	assert_logged(&w, "mooring/policies/x.yaml:22:12: invalid check "
			  "'latest_tag' in check #1 (expected mutable_tag, "
			  "privileged, docker_socket or host_network)\n");
	assert_logged(&w, "mooring/policies/x.yaml:23:11: invalid mode "
			  "'revert' in check #1 (expected report or off)\n");
	assert_logged(&w, "mooring/policies/x.yaml:26:11: invalid unit name "
			  "'api*' in exception #1 (one unit by its name, not "
			  "a glob)\n");
	assert_logged(&w, "mooring/policies/x.yaml:27:14: invalid time "
			  "'2026-02-30' in exception #1");
	assert_logged(&w, "mooring/policies/x.yaml:28:15: 'services' of "
			  "exception #1 is an empty list\n");
	assert_logged(&w, "mooring/policies/x.yaml:29:14: invalid path pattern "
			  "'/services/api/~2' in exception #1: '~' must be "
			  "followed by 0 or 1 (~0 for '~', ~1 for '/')\n");
}

static void test_policy__required_keys(void **state)
{
	struct policy p;
	struct unit_warnings w;

	(void)state;
	assert_int_equal(load_text(&p, &w,
				   "ownership:\n"
				   "  - unit: api\n"
				   "domains:\n"
				   "  - path: /x\n"
				   "exceptions:\n"
				   "  - reason: none\n"
				   "auto_heal:\n"
				   "  - class: policy\n"
				   "budgets:\n"
				   "  - domain: image\n"
				   "checks:\n"
				   "  - mode: off\n"),
			 MOOR_EINVAL);
	assert_int_equal(w.count, 10);
	assert_logged(&w, "x.yaml:2:5: ownership rule #1 has no 'path'\n");
	assert_logged(&w, "x.yaml:2:5: ownership rule #1 has no 'owner'\n");
	assert_logged(&w, "x.yaml:2:5: ownership rule #1 has no 'reason'\n");
	assert_logged(&w, "x.yaml:4:5: domain rule #1 has no 'domain'\n");
	assert_logged(&w, "x.yaml:6:5: exception #1 has no 'incident'\n");
	assert_logged(&w, "x.yaml:6:5: exception #1 has no 'unit'\n");
	assert_logged(&w, "x.yaml:6:5: exception #1 has no 'expires'\n");
	assert_logged(&w, "x.yaml:8:5: auto_heal rule #1 has no 'mode'\n");
	assert_logged(&w, "x.yaml:10:5: budget #1 has no 'max_age'\n");
	assert_logged(&w, "x.yaml:12:5: check #1 has no 'check'\n");
}

static void test_policy__structure_errors(void **state)
{
	struct policy p;
	struct unit_warnings w;

	(void)state;
	assert_int_equal(load_text(&p, &w,
				   "ownership: {path: /x}\n"
				   "domains:\n"
				   "  - just a string\n"
				   "flapping: [3]\n"
				   "budget:\n"
				   "  - max_age: 1h\n"
				   "x-anchors: &a {max_age: 1h}\n"
				   "budgets:\n"
				   "  - *a\n"
				   "  - {}\n"
				   "auto_heal:\n"
				   "  - mode: off\n"
				   "    allow_paths: /services/*/labels/*\n"
				   "    max_objects: many\n"),
			 MOOR_EINVAL);
	assert_int_equal(w.count, 7);
	assert_logged(&w, "mooring/policies/x.yaml:1:12: 'ownership' must be "
			  "a list, not a mapping\n");
	assert_logged(&w, "mooring/policies/x.yaml:3:5: domain rule #1 must "
			  "be a mapping, not a string\n");
	assert_logged(&w, "mooring/policies/x.yaml:4:11: 'flapping' must be "
			  "a mapping, not a sequence\n");
	assert_logged(&w, "mooring/policies/x.yaml:5:1: unknown key "
			  "'budget'\n");
	assert_logged(&w, "mooring/policies/x.yaml:10:5: budget #2 has no "
			  "'max_age'\n");
	assert_logged(&w, "mooring/policies/x.yaml:13:18: 'allow_paths' of "
			  "auto_heal rule #1 must be a list, not a string\n");
	assert_logged(&w, "mooring/policies/x.yaml:14:18: 'max_objects' of "
			  "auto_heal rule #1 must be an integer, not a "
			  "string\n");

	assert_int_equal(load_text(&p, &w,
				   "flapping:\n"
				   "  max_reverts: many\n"
				   "  window: 0s\n"
				   "  extra: 1\n"),
			 MOOR_EINVAL);
	assert_int_equal(w.count, 3);
	assert_logged(&w, "mooring/policies/x.yaml:2:16: 'max_reverts' of "
			  "'flapping' must be an integer, not a string\n");
	assert_logged(&w, "mooring/policies/x.yaml:3:11: invalid duration "
			  "'0s' in 'flapping'");
	assert_logged(&w, "mooring/policies/x.yaml:4:3: unknown key 'extra' "
			  "in 'flapping'\n");

	assert_int_equal(load_text(&p, &w, "- ownership\n"), MOOR_EINVAL);
	assert_logged(&w, "mooring/policies/x.yaml:1:1: the top level must be "
			  "a mapping, not a sequence\n");
	assert_err_contains("1 error in 'policies'");

	/* Not YAML: the loader's own error, with its position, at once. */
	assert_int_equal(load_text(&p, &w, "ownership: [a\n"), MOOR_EINVAL);
	assert_err_contains("mooring/policies/x.yaml:");
	assert_int_equal(load_text(&p, &w, "budgets: []\nbudgets: []\n"),
			 MOOR_EINVAL);
	assert_err_contains("mooring/policies/x.yaml:2:1");
}

static void test_policy__empty_files_hold_nothing(void **state)
{
	struct policy p;
	struct unit_warnings w;

	(void)state;
	assert_int_equal(load_text(&p, &w, ""), 0);
	assert_int_equal(p.nauto_heal, 0);
	assert_null(policy_auto_heal(&p, "unauthorized", "image", "low", "a"));
	assert_int_equal(policy_budget_ms(&p, "image", "unauthorized"), -1);
	/* Built-in flapping defaults. */
	assert_int_equal(p.flap_max_reverts, 3);
	assert_int_equal(p.flap_window_ms, HOUR);
	policy_release(&p);

	assert_int_equal(load_text(&p, &w,
				   "# everything commented out\n"
				   "ownership:\n"
				   "#  - path: /services/*/deploy/replicas\n"
				   "exceptions: []\n"
				   "x-note: ignored\n"),
			 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(p.nownership, 0);
	policy_release(&p);
}

static void test_policy__errors_in_several_files(void **state)
{
	struct policy p;
	struct unit_warnings w;

	(void)state;
	reset_policies();
	write_policy("a.yaml", "budgets:\n  - max_age: soon\n");
	write_policy("b.yaml", "checks:\n  - check: mutable_tag\n"
			       "    mode: loud\n");
	assert_int_equal(load_from(&p, &w, repo, empty_defaults), MOOR_EINVAL);
	assert_int_equal(w.count, 2);
	assert_logged(&w, "mooring/policies/a.yaml:2:14: invalid duration "
			  "'soon' in budget #1");
	assert_logged(&w, "mooring/policies/b.yaml:3:11: invalid mode 'loud' "
			  "in check #1");
	assert_err_contains("2 errors in 'policies'");

	/* A later file's flapping is still checked. */
	reset_policies();
	write_policy("a.yaml", "flapping:\n  max_reverts: 2\n");
	write_policy("b.yaml", "flapping:\n  max_reverts: 0\n");
	assert_int_equal(load_from(&p, &w, repo, empty_defaults), MOOR_EINVAL);
	assert_logged(&w, "mooring/policies/b.yaml:2:16: 'max_reverts' of "
			  "'flapping' must be from 1 to 1000, not 0");
}

/* ---- directories and sources ------------------------------------------- */

static void test_policy__directories(void **state)
{
	char outside[400], link[400];
	struct policy p;
	struct unit_warnings w;
	FILE *f;

	(void)state;
	/* The defaults are part of the install: missing is an error. */
	reset_policies();
	assert_int_equal(load_from(&p, &w, repo, "/nonexistent/policies"),
			 MOOR_ENOTFOUND);
	assert_err_contains("cannot open policy directory "
			    "'/nonexistent/policies'");

	/* A repository without mooring/policies has no policy of its own. */
	assert_int_equal(load_from(&p, &w, empty_defaults, SHIPPED_DEFAULTS),
			 0);
	assert_true(p.nauto_heal > 0);
	policy_release(&p);

	/* Without a source: the defaults alone. */
	setenv("MOORING_POLICY_DIR", SHIPPED_DEFAULTS, 1);
	assert_int_equal(policy_load(&p, NULL), 0);
	assert_int_equal(p.nchecks, 4);
	policy_release(&p);

	/* Repo files are read through the source: no way out of the tree. */
	snprintf(outside, sizeof(outside), "%s/outside.yaml", tmpdir);
	f = fopen(outside, "w");
	assert_non_null(f);
	fputs("budgets: []\n", f);
	fclose(f);
	snprintf(link, sizeof(link), "%s/evil.yaml", policies);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(load_from(&p, &w, repo, empty_defaults), MOOR_EINVAL);
	assert_err_contains("resolves outside the repository");
	reset_policies();

	/* policy_load_files: a file that is not there. */
	{
		const char *paths[] = {"/nonexistent/x.yaml"};

		assert_true(policy_load_files(&p, paths, 1) < 0);
		assert_err_contains("/nonexistent/x.yaml");
	}
}

/* ---- patterns ------------------------------------------------------------ */

static void test_policy__path_match(void **state)
{
	(void)state;
	/* One segment per "*", globs inside a segment. */
	assert_true(
	    policy_path_match("/services/*/image", "/services/api/image"));
	assert_false(
	    policy_path_match("/services/*/image", "/services/api/user"));
	assert_false(policy_path_match("/services/*", "/services/api/image"));
	assert_false(policy_path_match("/services/*/image", "/services/api"));
	assert_true(
	    policy_path_match("/services/a?i/image", "/services/api/image"));
	assert_true(
	    policy_path_match("/services/*/labels/traefik.*",
			      "/services/web/labels/traefik.http.rule"));
	assert_false(policy_path_match("/services/*/labels/traefik.*",
				       "/services/web/labels/other"));
	assert_true(policy_path_match("/services/api/ports/[0-9]",
				      "/services/api/ports/3"));
	assert_false(policy_path_match("/services/api/ports/[0-9]",
				       "/services/api/ports/12"));
	assert_true(policy_path_match("/services/api/ports/[!0]",
				      "/services/api/ports/1"));
	assert_true(policy_path_match("/services/api/labels/\\*",
				      "/services/api/labels/*"));
	assert_false(policy_path_match("/services/api/labels/\\*",
				       "/services/api/labels/x"));

	/* "**": zero or more segments. */
	assert_true(policy_path_match("/services/**", "/services"));
	assert_true(policy_path_match(
	    "/services/**", "/services/api/deploy/resources/limits/memory"));
	assert_true(policy_path_match("/**", ""));
	assert_true(policy_path_match("/**", "/a"));
	assert_true(policy_path_match(
	    "/**/memory", "/services/api/deploy/resources/limits/memory"));
	assert_false(
	    policy_path_match("/**/memory", "/services/api/mem_limit"));
	assert_true(policy_path_match("/a/**/b/**/c", "/a/x/b/y/z/c"));
	assert_true(policy_path_match("/a/**/b/**/c", "/a/b/c"));
	assert_false(policy_path_match("/a/**/b/**/c", "/a/c"));
	assert_false(policy_path_match("/a/**/b/**/c", "/a/b/c/d"));
	assert_true(policy_path_match("/a/**/**/c", "/a/c"));

	/* "~1" is "/" and "~0" is "~", in paths and patterns alike; a "*"
	 * matches a key with a "/" in it (it is one segment). */
	assert_true(policy_path_match("/services/api/labels/a~1b",
				      "/services/api/labels/a~1b"));
	assert_false(policy_path_match("/services/api/labels/a~1b",
				       "/services/api/labels/a/b"));
	assert_true(policy_path_match("/services/api/labels/a*",
				      "/services/api/labels/a~1b"));
	assert_true(policy_path_match("/services/api/labels/a~1*",
				      "/services/api/labels/a~1b~1c"));
	assert_true(policy_path_match("/services/api/labels/a~0b",
				      "/services/api/labels/a~0b"));
	assert_false(policy_path_match("/services/api/labels/a~0b",
				       "/services/api/labels/a~1b"));

	/* Both must be pointers. */
	assert_false(
	    policy_path_match("/services/*/image", "services/api/image"));
	assert_false(
	    policy_path_match("services/*/image", "/services/api/image"));
	assert_false(policy_path_match(NULL, "/a"));
	assert_false(policy_path_match("/a", NULL));
}

static void test_policy__pattern_invalid(void **state)
{
	(void)state;
	assert_null(policy_pattern_invalid("/services/*/labels/traefik.*"));
	assert_null(policy_pattern_invalid("/**"));
	assert_null(policy_pattern_invalid("/a/[!x]/\\*/[]]"));
	assert_null(policy_pattern_invalid("/a~0~1b"));
	assert_string_equal(policy_pattern_invalid(""),
			    "it must start with '/'");
	assert_string_equal(policy_pattern_invalid("services/*"),
			    "it must start with '/'");
	assert_string_equal(policy_pattern_invalid("/"),
			    "it has an empty segment");
	assert_string_equal(policy_pattern_invalid("/a//b"),
			    "it has an empty segment");
	assert_string_equal(policy_pattern_invalid("/a/"),
			    "it has an empty segment");
	assert_string_equal(policy_pattern_invalid("/a**"),
			    "'**' must be a segment of its own");
	assert_string_equal(policy_pattern_invalid("/a/**b/c"),
			    "'**' must be a segment of its own");
	assert_string_equal(policy_pattern_invalid("/***"),
			    "'**' must be a segment of its own");
	assert_string_equal(policy_pattern_invalid("/a~2"),
			    "'~' must be followed by 0 or 1 (~0 for '~', ~1 "
			    "for '/')");
	assert_string_equal(policy_pattern_invalid("/a~"),
			    "'~' must be followed by 0 or 1 (~0 for '~', ~1 "
			    "for '/')");
	assert_string_equal(policy_pattern_invalid("/a[bc"),
			    "'[' is not closed");
	assert_string_equal(policy_pattern_invalid("/a[]/b]"),
			    "'[' is not closed");
	assert_string_equal(policy_pattern_invalid("/a\\"),
			    "a segment ends with '\\'");
}

static void test_policy__narrow_rule(void **state)
{
	struct policy p;
	struct unit_warnings w;

	(void)state;
	/* Named by the key: the wildcard is elsewhere. */
	assert_null(policy_pattern_too_broad("/services/*/image"));
	assert_null(policy_pattern_too_broad("/services/*/labels/*"));
	assert_null(policy_pattern_too_broad("/services/*/labels/**"));
	assert_null(policy_pattern_too_broad("/services/*/volumes/0/source"));
	assert_null(policy_pattern_too_broad("/services/*/deploy/**"));
	assert_null(policy_pattern_too_broad("/s*/api/command"));
	assert_null(policy_pattern_too_broad("/services/*/environment/*"));
	assert_null(policy_pattern_too_broad("/networks/*"));
	assert_null(policy_pattern_too_broad("/x-meta/**"));
	/* Covered through a wildcard. */
	assert_string_equal(policy_pattern_too_broad("/services/api/*"),
			    "image");
	assert_string_equal(policy_pattern_too_broad("/services/*/**"),
			    "image");
	assert_string_equal(policy_pattern_too_broad("/**"), "image");
	assert_string_equal(policy_pattern_too_broad("/**/image"), "image");
	assert_string_equal(policy_pattern_too_broad("/services/*/c*"),
			    "cap_add");
	assert_string_equal(policy_pattern_too_broad("/services/*/net*"),
			    "network_mode");
	assert_string_equal(policy_pattern_too_broad("/services/*/?ser"),
			    "user");
	assert_string_equal(policy_pattern_too_broad("/services/*/[ep]*"),
			    "pull_policy");
	/* Every key of those domains, not a hand-kept few. */
	assert_string_equal(policy_pattern_too_broad("/services/*/userns*"),
			    "userns_mode");
	assert_string_equal(policy_pattern_too_broad("/services/*/h*"),
			    "hostname");
	assert_string_equal(policy_pattern_too_broad("/services/*/extra*"),
			    "extra_hosts");
	assert_string_equal(policy_pattern_too_broad("/services/*/e*"),
			    "expose");
	assert_string_equal(policy_pattern_too_broad("/services/**/image"),
			    "image");
	/* A whole service, or all of them, holds those fields too. */
	assert_string_equal(policy_pattern_too_broad("/services/*"), "image");
	assert_string_equal(policy_pattern_too_broad("/services/api"), "image");
	assert_string_equal(policy_pattern_too_broad("/services"), "image");
	assert_string_equal(policy_pattern_too_broad("/*"), "image");

	/* In a file: refused with the position of the path. */
	assert_int_equal(load_text(&p, &w,
				   "ownership:\n"
				   "  - path: /services/api/*\n"
				   "    owner: a\n"
				   "    reason: r\n"
				   "  - path: /services/*/**\n"
				   "    owner: a\n"
				   "    reason: r\n"
				   "  - path: /services/*/image\n"
				   "    owner: a\n"
				   "    reason: r\n"
				   "  - path: /services/*/labels/*\n"
				   "    owner: a\n"
				   "    reason: r\n"
				   "  - path: /**\n"
				   "    owner: a\n"
				   "    reason: r\n"
				   "  - path: /services/*/c*\n"
				   "    owner: a\n"
				   "    reason: r\n"
				   "  - path: /services/*\n"
				   "    owner: a\n"
				   "    reason: r\n"),
			 MOOR_EINVAL);
	assert_int_equal(w.count, 5);
	assert_logged(&w, "mooring/policies/x.yaml:2:11: ownership rule #1 is "
			  "too broad: '/services/api/*' would cover 'image' "
			  "without naming it (name such a field by its key, "
			  "as in '/services/*/image')\n");
	assert_logged(&w, "mooring/policies/x.yaml:5:11: ownership rule #2 is "
			  "too broad: '/services/*/**' would cover 'image'");
	assert_logged(&w, "mooring/policies/x.yaml:14:11: ownership rule #5 "
			  "is too broad: '/**' would cover 'image'");
	assert_logged(&w,
		      "mooring/policies/x.yaml:17:11: ownership rule #6 "
		      "is too broad: '/services/*/c*' would cover 'cap_add' "
		      "without naming it (name such a field by its key, "
		      "as in '/services/*/cap_add')\n");
	assert_logged(&w, "mooring/policies/x.yaml:20:11: ownership rule #7 "
			  "is too broad: '/services/*' would cover 'image'");

	/* Domain rules too: moving identity fields to runtime would let a
	 * runtime revert rule reach them. */
	assert_int_equal(load_text(&p, &w,
				   "domains:\n"
				   "  - path: /services/*/**\n"
				   "    domain: runtime\n"),
			 MOOR_EINVAL);
	assert_logged(&w, "mooring/policies/x.yaml:2:11: domain rule #1 is "
			  "too broad: '/services/*/**' would cover 'image'");

	/* The rule is for ownership and domains only: auto_heal paths only
	 * limit what a revert may touch, and may be broad. */
	assert_int_equal(load_text(&p, &w,
				   "ownership:\n"
				   "  - path: /services/*/image\n"
				   "    owner: renovate\n"
				   "    reason: image bumps land first\n"
				   "  - path: /services/*/labels/*\n"
				   "    owner: ops\n"
				   "    reason: r\n"
				   "domains:\n"
				   "  - path: /services/*/labels/**\n"
				   "    domain: runtime\n"
				   "auto_heal:\n"
				   "  - mode: revert\n"
				   "    allow_paths: [/**]\n"),
			 0);
	assert_int_equal(w.count, 0);
	assert_string_equal(
	    policy_owner(&p, "u", "web", "/services/web/image", 0)->owner,
	    "renovate");
	policy_release(&p);
}

/* ---- durations and times --------------------------------------------- */

static void test_policy__durations(void **state)
{
	static const char *const bad[] = {
	    "",	      "1",    "h",   "1x",  "-1s",
	    "+1s",    "1.5h", "1 h", " 1h", "1h ",
	    "1H",     "1hm",  "m1",  "1s2", "99999999999999999999s",
	    "40000d", "1e3s",
	};

	(void)state;
	assert_int_equal(policy_parse_duration("30s"), 30000);
	assert_int_equal(policy_parse_duration("5m"), 300000);
	assert_int_equal(policy_parse_duration("1h30m"), 5400000);
	assert_int_equal(policy_parse_duration("2d"), 2 * DAY);
	assert_int_equal(policy_parse_duration("1w"), 7 * DAY);
	assert_int_equal(policy_parse_duration("500ms"), 500);
	assert_int_equal(policy_parse_duration("1m30s"), 90000);
	assert_int_equal(policy_parse_duration("1h1m1s1ms"), 3661001);
	assert_int_equal(policy_parse_duration("0s"), 0);
	assert_int_equal(policy_parse_duration("007m"), 420000);
	assert_int_equal(policy_parse_duration("36500d"), 36500 * DAY);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (policy_parse_duration(bad[i]) != -1)
			fail_msg("'%s' parsed as a duration", bad[i]);
	assert_int_equal(policy_parse_duration(NULL), -1);
}

static void test_policy__times(void **state)
{
	static const char *const bad[] = {
	    "",
	    "tomorrow",
	    "2026-11-23T06:00:00",
	    "2026-11-23 06:00:00Z",
	    "2026-13-01",
	    "2026-00-10",
	    "2026-11-00",
	    "2026-02-29",
	    "2100-02-29",
	    "2026-11-31",
	    "2026-11-23T24:00:00Z",
	    "2026-11-23T06:60:00Z",
	    "2026-11-23T06:00:61Z",
	    "2026-1-2",
	    "26-11-23",
	    "2026/11/23",
	    "2026-11-23T06:00Z",
	    "2026-11-23T06:00:00.Z",
	    "2026-11-23T06:00:00+0100",
	    "2026-11-23T06:00:00+01",
	    "2026-11-23T06:00:00+24:00",
	    "2026-11-23T06:00:00+01:00x",
	    "2026-11-23T06:00:00ZZ",
	    "2026-11-23Z",
	    "2026-11-23T",
	    " 2026-11-23",
	    "1969-12-31",
	    "1970-01-01T00:00:00+01:00",
	};

	(void)state;
	assert_int_equal(policy_parse_time("2026-11-23T06:00:00Z"), T_SIX);
	assert_int_equal(policy_parse_time("2026-11-23t06:00:00z"), T_SIX);
	assert_int_equal(policy_parse_time("2026-11-23T07:00:00+01:00"), T_SIX);
	assert_int_equal(policy_parse_time("2026-11-23T00:30:00-05:30"), T_SIX);
	assert_int_equal(policy_parse_time("2026-11-23T06:00:00.123456Z"),
			 T_SIX);
	assert_int_equal(policy_parse_time("2026-11-23"), T_MIDNIGHT);
	assert_int_equal(policy_parse_time("2024-02-29"), 1709164800);
	assert_int_equal(policy_parse_time("2000-02-29"), 951782400);
	assert_int_equal(policy_parse_time("2000-03-01T12:34:56.789Z"),
			 951914096);
	assert_int_equal(policy_parse_time("1970-01-01"), 0);
	assert_int_equal(policy_parse_time("1970-01-02"), 86400);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (policy_parse_time(bad[i]) != -1)
			fail_msg("'%s' parsed as a time", bad[i]);
	assert_int_equal(policy_parse_time(NULL), -1);
}

static void test_policy__mode_names(void **state)
{
	(void)state;
	assert_string_equal(policy_mode_name(POLICY_MODE_OFF), "off");
	assert_string_equal(policy_mode_name(POLICY_MODE_REPORT), "report");
	assert_string_equal(policy_mode_name(POLICY_MODE_REVERT), "revert");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy__shipped_defaults),
	    cmocka_unit_test(test_policy__every_key),
	    cmocka_unit_test(test_policy__repo_over_defaults),
	    cmocka_unit_test(test_policy__first_match_wins),
	    cmocka_unit_test(test_policy__checks),
	    cmocka_unit_test(test_policy__expiry),
	    cmocka_unit_test(test_policy__value_errors),
	    cmocka_unit_test(test_policy__required_keys),
	    cmocka_unit_test(test_policy__structure_errors),
	    cmocka_unit_test(test_policy__empty_files_hold_nothing),
	    cmocka_unit_test(test_policy__errors_in_several_files),
	    cmocka_unit_test(test_policy__directories),
	    cmocka_unit_test(test_policy__path_match),
	    cmocka_unit_test(test_policy__pattern_invalid),
	    cmocka_unit_test(test_policy__narrow_rule),
	    cmocka_unit_test(test_policy__durations),
	    cmocka_unit_test(test_policy__times),
	    cmocka_unit_test(test_policy__mode_names),
	};
	return cmocka_run_group_tests_name("policy", tests, setup, teardown);
}

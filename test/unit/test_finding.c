/* Unit tests for finding.c: Finding objects, domains, secret masking. */
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"
#include "finding.h"
#include "ynode.h"

static struct ynode *load(const char *yaml)
{
	struct ynode *n = NULL;

	if (ynode_load_buffer(&n, yaml, strlen(yaml),
			      "/repo/stacks/api/compose.yaml", NULL) < 0)
		fail_msg("load failed: %s", err_last());
	return n;
}

static char *files[] = {"compose.yaml"};

static struct unit test_unit = {
    .name = "api",
    .path = "stacks/api",
    .files = files,
    .nfiles = 1,
    .project = "api",
    .owner = "team-api",
    .environment = "production",
    .risk_tier = "high",
};

static void ctx_init(struct finding_ctx *fc, const struct finding_key *key)
{
	memset(fc, 0, sizeof(*fc));
	fc->unit = &test_unit;
	fc->service = "api";
	fc->container = "3f2a";
	fc->source = "/repo";
	fc->root = "/repo";
	fc->key = key;
	fc->now = 1795342951; /* 2026-11-22T10:22:31Z */
}

static struct change change_of(const char *path, struct ynode *d,
			       struct ynode *r, struct ynode *a)
{
	struct change c;

	memset(&c, 0, sizeof(c));
	c.path = (char *)path;
	c.desired = d;
	c.recorded = r;
	c.actual = a;
	if (d)
		c.mark = d->mark;
	return c;
}

static void test_finding__drift_object_has_the_design_shape(void **s)
{
	struct ynode *svc = load("image: x\nmem_limit: 536870912\n");
	struct ynode *d = ynode_map_get(svc, "mem_limit");
	struct ynode *a = ynode_new_int(2147483648LL, NULL);
	struct change ch = change_of("/services/api/mem_limit", d, d, a);
	const struct change *chs[] = {&ch};
	struct finding_kind k = {"actual_vs_recorded", "unauthorized", NULL,
				 NULL};
	struct finding_ctx fc;
	json_t *f, *c0;
	const char *id;

	(void)s;
	ctx_init(&fc, NULL);
	f = finding_new(&fc, &k, chs, 1);
	assert_non_null(f);
	id = json_string_value(json_object_get(f, "id"));
	assert_non_null(id);
	assert_int_equal(strncmp(id, "drift-20261122-", 15), 0);
	assert_int_equal(strlen(id), 15 + 12);
	assert_string_equal(
	    json_string_value(json_object_get(f, "detected_at")),
	    "2026-11-22T10:22:31Z");
	assert_string_equal(json_string_value(json_object_get(f, "domain")),
			    "capacity");
	assert_string_equal(json_string_value(json_object_get(f, "risk")),
			    "high");
	assert_string_equal(json_string_value(json_object_get(f, "owner")),
			    "team-api");
	assert_string_equal(
	    json_string_value(json_object_get(f, "source_of_truth")),
	    "/repo@dir:stacks/api/compose.yaml");
	assert_string_equal(
	    json_string_value(json_object_get(f, "recommended_action")),
	    "reconcile_to_git");
	assert_true(json_is_false(json_object_get(f, "auto_heal_allowed")));
	assert_true(json_is_null(json_object_get(f, "evidence_seq")));
	c0 = json_array_get(json_object_get(f, "changes"), 0);
	assert_int_equal(json_integer_value(json_object_get(c0, "desired")),
			 536870912);
	assert_int_equal(json_integer_value(json_object_get(c0, "actual")),
			 2147483648LL);
	assert_string_equal(json_string_value(json_object_get(c0, "file")),
			    "stacks/api/compose.yaml");
	assert_int_equal(json_integer_value(json_object_get(c0, "line")), 2);
	json_decref(f);
	ynode_free(a);
	ynode_free(svc);
}

static void test_finding__id_is_stable_and_depends_on_paths(void **s)
{
	struct ynode *v = ynode_new_int(1, NULL);
	struct change a = change_of("/services/api/cpus", v, NULL, NULL);
	struct change b = change_of("/services/api/user", v, NULL, NULL);
	const struct change *one[] = {&a}, *two[] = {&b};
	struct finding_kind k = {"actual_vs_recorded", "unauthorized", NULL,
				 NULL};
	struct finding_ctx fc;
	json_t *f1, *f2, *f3;

	(void)s;
	ctx_init(&fc, NULL);
	f1 = finding_new(&fc, &k, one, 1);
	fc.now += 3600;
	f2 = finding_new(&fc, &k, one, 1);
	f3 = finding_new(&fc, &k, two, 1);
	assert_string_equal(json_string_value(json_object_get(f1, "id")),
			    json_string_value(json_object_get(f2, "id")));
	assert_string_not_equal(json_string_value(json_object_get(f1, "id")),
				json_string_value(json_object_get(f3, "id")));
	/* user is identity: an incident, one risk step up. */
	assert_string_equal(json_string_value(json_object_get(f3, "domain")),
			    "identity");
	assert_string_equal(json_string_value(json_object_get(f3, "risk")),
			    "critical");
	assert_string_equal(
	    json_string_value(json_object_get(f3, "recommended_action")),
	    "incident");
	json_decref(f1);
	json_decref(f2);
	json_decref(f3);
	ynode_free(v);
}

static void test_finding__secret_names(void **s)
{
	(void)s;
	assert_true(finding_key_is_secret("DB_PASSWORD"));
	assert_true(finding_key_is_secret("api_token"));
	assert_true(finding_key_is_secret("AWS_SECRET_ACCESS_KEY"));
	assert_true(finding_key_is_secret("OAuthClient"));
	assert_true(finding_key_is_secret("PrivateThing"));
	assert_true(finding_key_is_secret("GIT_CREDENTIALS"));
	assert_true(finding_key_is_secret("DB_PASS"));
	assert_true(finding_key_is_secret("MYSQL_ROOT_PWD"));
	assert_true(finding_key_is_secret("SENTRY_DSN"));
	assert_false(finding_key_is_secret("LOG_LEVEL"));
	assert_false(finding_key_is_secret("DATABASE_URL"));
	assert_true(finding_path_is_secret("/services/api/environment/DB_PASS"
					   "WORD"));
	assert_true(finding_path_is_secret("/secrets/db/file"));
	assert_false(finding_path_is_secret("/services/api/environment/LOG"));
	assert_false(finding_path_is_secret("/services/api/labels/TOKEN"));
}

static void test_finding__secret_values_never_appear(void **s)
{
	struct ynode *d = ynode_new_str("hunter2", NULL);
	struct ynode *a = ynode_new_str("swordfish", NULL);
	struct change ch =
	    change_of("/services/api/environment/DB_PASSWORD", d, d, a);
	const struct change *chs[] = {&ch};
	struct finding_kind k = {"actual_vs_recorded", "unauthorized", NULL,
				 NULL};
	struct finding_ctx fc;
	json_t *f, *c0;
	char *text;

	(void)s;
	ctx_init(&fc, NULL);
	f = finding_new(&fc, &k, chs, 1);
	text = json_dumps(f, 0);
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "swordfish"));
	c0 = json_array_get(json_object_get(f, "changes"), 0);
	assert_true(json_is_true(
	    json_object_get(json_object_get(c0, "actual"), "changed")));
	assert_null(json_object_get(json_object_get(c0, "actual"), "hmac"));
	assert_string_equal(json_string_value(json_object_get(f, "domain")),
			    "secret");
	free(text);
	json_decref(f);
	ynode_free(d);
	ynode_free(a);
}

/* A URL with credentials is a secret whatever its variable is called. */
static void test_finding__credentials_in_urls_never_appear(void **s)
{
	struct ynode *d = ynode_new_str("postgres://app:hunter2@db/x", NULL);
	struct ynode *a = ynode_new_str("postgres://app:leaked@db/x", NULL);
	struct ynode *plain = ynode_new_str("https://example.com/a:b", NULL);
	struct change ch =
	    change_of("/services/api/environment/DATABASE_URL", d, d, a);
	struct change ch2 =
	    change_of("/services/api/labels/homepage", plain, plain, d);
	const struct change *chs[] = {&ch, &ch2};
	struct finding_kind k = {"actual_vs_recorded", "unauthorized", NULL,
				 NULL};
	struct finding_ctx fc;
	json_t *f;
	char *text;

	(void)s;
	ctx_init(&fc, NULL);
	f = finding_new(&fc, &k, chs, 2);
	text = json_dumps(f, 0);
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "leaked"));
	/* A URL without credentials is shown as it is. */
	assert_non_null(strstr(text, "https://example.com/a:b"));
	free(text);
	json_decref(f);
	/* A token as the user part is a credential too. */
	{
		struct ynode *tok =
		    ynode_new_str("https://ghp_abc123@github.com/o/r", NULL);
		json_t *j = finding_value("/services/api/environment/GIT_URL",
					  tok, NULL);

		text = json_dumps(j, JSON_ENCODE_ANY);
		assert_null(strstr(text, "ghp_abc123"));
		free(text);
		json_decref(j);
		ynode_free(tok);
	}
	ynode_free(d);
	ynode_free(a);
	ynode_free(plain);
}

static void test_finding__secret_hmac_with_host_key(void **s)
{
	char dir[] = "/tmp/mooring-finding-XXXXXX", path[256];
	struct finding_key key = {0};
	struct ynode *v1 = ynode_new_str("hunter2", NULL);
	struct ynode *v2 = ynode_new_str("swordfish", NULL);
	const char *h1, *h2, *h3;
	json_t *j1, *j2, *j3;
	FILE *fp;

	(void)s;
	assert_non_null(mkdtemp(dir));
	/* No key file: just "changed". */
	assert_int_equal(finding_key_load(&key, dir), 0);
	assert_int_equal(key.len, 0);
	snprintf(path, sizeof(path), "%s/secret-key", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("0123456789abcdef0123456789abcdef", fp);
	fclose(fp);
	assert_int_equal(finding_key_load(&key, dir), 0);
	assert_int_equal(key.len, 32);
	j1 = finding_value("/services/a/environment/TOKEN", v1, &key);
	j2 = finding_value("/services/a/environment/TOKEN", v1, &key);
	j3 = finding_value("/services/a/environment/TOKEN", v2, &key);
	h1 = json_string_value(json_object_get(j1, "hmac"));
	h2 = json_string_value(json_object_get(j2, "hmac"));
	h3 = json_string_value(json_object_get(j3, "hmac"));
	assert_non_null(h1);
	assert_int_equal(strlen(h1), 64);
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	json_decref(j1);
	json_decref(j2);
	json_decref(j3);
	finding_key_release(&key);
	unlink(path);
	rmdir(dir);
	ynode_free(v1);
	ynode_free(v2);
}

static void test_finding__logging_tokens_are_secret(void **s)
{
	struct ynode *opts = load("splunk-token: abc\nsplunk-url: x\n");
	struct ynode *tok = ynode_new_str("abc", NULL);
	json_t *j = finding_value("/services/api/logging/options", opts, NULL);
	json_t *one = finding_value(
	    "/services/api/logging/options/splunk-token", tok, NULL);
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	struct change ch = change_of(
	    "/services/api/logging/options/splunk-token", NULL, NULL, tok);

	(void)s;
	assert_string_equal(text, "{\"splunk-token\":{\"changed\":true},"
				  "\"splunk-url\":\"x\"}");
	assert_true(json_is_true(json_object_get(one, "changed")));
	assert_string_equal(finding_domain(&ch), "secret");
	free(text);
	json_decref(j);
	json_decref(one);
	ynode_free(opts);
	ynode_free(tok);
}

static void test_finding__whole_environment_map_is_masked(void **s)
{
	struct ynode *env = load("API_TOKEN: abc\nLOG_LEVEL: info\n");
	json_t *j = finding_value("/services/api/environment", env, NULL);
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	(void)s;
	assert_string_equal(text, "{\"API_TOKEN\":{\"changed\":true},"
				  "\"LOG_LEVEL\":\"info\"}");
	free(text);
	json_decref(j);
	ynode_free(env);
}

static void test_finding__domains(void **s)
{
	static const struct {
		const char *path, *domain;
	} cases[] = {
	    {"/services/api/image", "image"},
	    {"/services/api/privileged", "identity"},
	    {"/services/api/cap_add", "identity"},
	    {"/services/api/ports", "network"},
	    {"/services/api/networks/front/aliases", "network"},
	    {"/services/api/network_mode", "network"},
	    {"/services/api/mem_limit", "capacity"},
	    {"/services/api/cpus", "capacity"},
	    {"/services/api/pids_limit", "capacity"},
	    {"/services/api/environment/DB_PASSWORD", "secret"},
	    {"/services/api/environment/LOG_LEVEL", "runtime"},
	    {"/services/api/volumes", "storage"},
	    {"/services/api/command", "runtime"},
	    {"/services/api/healthcheck/interval", "runtime"},
	    {"/services/api/restart", "runtime"},
	    {"/services/api/labels/a", "metadata"},
	    {"/services/api/deploy/resources/reservations/cpus", "capacity"},
	};
	struct ynode *vols = load("- {type: bind, source: "
				  "/var/run/docker.sock, target: /s}\n");
	struct change ch;
	const struct change *two[2];
	struct change other;

	(void)s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ch = change_of(cases[i].path, NULL, NULL, NULL);
		if (strcmp(finding_domain(&ch), cases[i].domain) != 0)
			fail_msg("%s: domain %s, want %s", cases[i].path,
				 finding_domain(&ch), cases[i].domain);
	}
	/* Mounting the docker socket is identity: the socket anywhere, or
	 * a directory that holds the daemon's. */
	ch = change_of("/services/api/volumes", NULL, NULL, vols);
	assert_string_equal(finding_domain(&ch), "identity");
	for (size_t i = 0; i < 4; i++) {
		static const char *const srcs[] = {
		    "- {type: bind, source: /var/run, target: /h}\n",
		    "- {type: bind, source: /run/, target: /h}\n",
		    "- {type: bind, source: /run/user/1000/docker.sock, "
		    "target: /s}\n",
		    "- {type: bind, source: /, target: /host}\n"};
		struct ynode *v = load(srcs[i]);

		assert_true(finding_mounts_docker_socket(v));
		ynode_free(v);
	}
	{
		struct ynode *v =
		    load("- {type: bind, source: /var/lib/x, target: /x}\n"
			 "- {type: volume, source: run, target: /r}\n");

		assert_false(finding_mounts_docker_socket(v));
		ynode_free(v);
	}
	/* The most important domain wins. */
	ch = change_of("/services/api/labels/x", NULL, NULL, NULL);
	other = change_of("/services/api/mem_limit", NULL, NULL, NULL);
	two[0] = &ch;
	two[1] = &other;
	assert_string_equal(finding_domain_of(two, 2), "capacity");
	ynode_free(vols);
}

static void test_finding__risk_placeholder(void **s)
{
	(void)s;
	assert_string_equal(finding_risk("standard", "runtime"), "medium");
	assert_string_equal(finding_risk(NULL, "runtime"), "medium");
	assert_string_equal(finding_risk("low", "metadata"), "low");
	assert_string_equal(finding_risk("critical", "identity"), "critical");
	assert_string_equal(finding_risk("high", "metadata"), "medium");
}

static void test_finding__change_less_finding(void **s)
{
	struct finding_kind k = {"actual_vs_desired", "unmanaged", "runtime",
				 NULL};
	struct finding_ctx fc;
	json_t *f;

	(void)s;
	ctx_init(&fc, NULL);
	fc.commit = "abc123";
	f = finding_new(&fc, &k, NULL, 0);
	assert_non_null(f);
	assert_int_equal(json_array_size(json_object_get(f, "changes")), 0);
	assert_string_equal(
	    json_string_value(json_object_get(f, "recommended_action")),
	    "incident");
	assert_string_equal(
	    json_string_value(json_object_get(f, "source_of_truth")),
	    "/repo@abc123:stacks/api/compose.yaml");
	json_decref(f);
}

static void test_finding__absent_planes_are_named(void **s)
{
	struct ynode *d = ynode_new_null(NULL);
	struct change ch =
	    change_of("/services/api/networks/default", d, NULL, NULL);
	const struct change *chs[] = {&ch};
	struct finding_kind k = {"actual_vs_desired", "unauthorized", NULL,
				 NULL};
	struct finding_ctx fc;
	json_t *f, *c0;
	char *absent;

	(void)s;
	ctx_init(&fc, NULL);
	f = finding_new(&fc, &k, chs, 1);
	c0 = json_array_get(json_object_get(f, "changes"), 0);
	/* desired is a null value (a network joined with no options),
	 * actual has no such key: both JSON null, told apart by "absent". */
	assert_true(json_is_null(json_object_get(c0, "desired")));
	assert_true(json_is_null(json_object_get(c0, "actual")));
	absent = json_dumps(json_object_get(c0, "absent"), JSON_COMPACT);
	assert_string_equal(absent, "[\"recorded\",\"actual\"]");
	assert_string_equal(json_string_value(json_object_get(f, "domain")),
			    "network");
	free(absent);
	json_decref(f);
	ynode_free(d);
}

static void test_finding__relative_file(void **s)
{
	char *p;

	(void)s;
	p = finding_relative_file("/repo/", "/repo/stacks/a.yaml");
	assert_string_equal(p, "stacks/a.yaml");
	free(p);
	p = finding_relative_file("/repo", "/repository/a.yaml");
	assert_string_equal(p, "/repository/a.yaml");
	free(p);
	assert_null(finding_relative_file("/repo", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_finding__drift_object_has_the_design_shape),
	    cmocka_unit_test(test_finding__id_is_stable_and_depends_on_paths),
	    cmocka_unit_test(test_finding__secret_names),
	    cmocka_unit_test(test_finding__secret_values_never_appear),
	    cmocka_unit_test(test_finding__credentials_in_urls_never_appear),
	    cmocka_unit_test(test_finding__secret_hmac_with_host_key),
	    cmocka_unit_test(test_finding__logging_tokens_are_secret),
	    cmocka_unit_test(test_finding__whole_environment_map_is_masked),
	    cmocka_unit_test(test_finding__domains),
	    cmocka_unit_test(test_finding__risk_placeholder),
	    cmocka_unit_test(test_finding__change_less_finding),
	    cmocka_unit_test(test_finding__absent_planes_are_named),
	    cmocka_unit_test(test_finding__relative_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

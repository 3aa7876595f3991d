/* test_context.c - what commands open first: config, source, units. */
#include "unit.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "context.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-context.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A config for the example repository on host `host`. */
static const char *write_config(const char *host, const char *url)
{
	static char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/mooring.yaml", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"repository:\n  url: %s\nstate_dir: state\n"
		"docker_socket: /nonexistent/docker.sock\nhost: %s\n",
		url ? url : TEST_RESOURCES "/../../examples/infra", host);
	fclose(f);
	return path;
}

static bool selected(const struct context *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->nselected; i++)
		if (!strcmp(ctx->selected[i]->name, name))
			return true;
	return false;
}

static void test_context__units_on_this_host(void **state)
{
	struct context ctx;

	(void)state;
	assert_int_equal(
	    context_open(&ctx, write_config("web-02", NULL), NULL, 0, false),
	    0);
	assert_int_equal(ctx.units.n, 3);
	/* jobs runs on web-01 only. */
	assert_int_equal(ctx.nselected, 2);
	assert_true(selected(&ctx, "web"));
	assert_true(selected(&ctx, "api"));
	assert_null(ctx.engine);
	assert_string_equal(context_engine_error(&ctx), "");
	assert_null(source_commit(ctx.source));
	context_release(&ctx);

	assert_int_equal(
	    context_open(&ctx, write_config("web-01", NULL), NULL, 0, false),
	    0);
	assert_int_equal(ctx.nselected, 3);
	context_release(&ctx);
}

static void test_context__units_by_name(void **state)
{
	static const char *const names[] = {"jobs", "web", "jobs"};
	static const char *const bad[] = {"web", "nope"};
	struct context ctx;

	(void)state;
	/* Named units are taken even when not on this host, once each. */
	assert_int_equal(
	    context_open(&ctx, write_config("web-02", NULL), names, 3, false),
	    0);
	assert_int_equal(ctx.nselected, 2);
	assert_string_equal(ctx.selected[0]->name, "jobs");
	assert_string_equal(ctx.selected[1]->name, "web");
	context_release(&ctx);

	assert_int_equal(
	    context_open(&ctx, write_config("web-02", NULL), bad, 2, false),
	    MOOR_ENOTFOUND);
	assert_err_contains("unknown unit 'nope' (known: web, api, jobs)");
}

static void test_context__engine_failure_is_kept(void **state)
{
	struct context ctx;

	(void)state;
	assert_int_equal(
	    context_open(&ctx, write_config("web-02", NULL), NULL, 0, true), 0);
	assert_null(ctx.engine);
	if (!strstr(context_engine_error(&ctx), "/nonexistent/docker.sock"))
		fail_msg("engine error '%s' does not name the socket",
			 context_engine_error(&ctx));
	context_release(&ctx);
}

/* Exceptions kept by `mooring exception add`: expired ones are loaded
 * too (reported, and they explain overdue drift) but match nothing; a
 * file edited into something else is refused, naming it. */
static void test_context__cli_exceptions(void **state)
{
	struct context ctx;
	char path[320];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/state", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/state/exceptions.json", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"exceptions\": ["
	      "{\"incident\": \"B\", \"unit\": \"web\", \"services\": "
	      "[\"web\"], \"expires\": \"2999-01-01T00:00:00Z\"},"
	      "{\"incident\": \"C\", \"unit\": \"web\","
	      " \"expires\": \"2001-01-01T00:00:00Z\"}]}",
	      f);
	fclose(f);
	assert_int_equal(
	    context_open(&ctx, write_config("web-02", NULL), NULL, 0, true), 0);
	assert_int_equal(ctx.policy.nexceptions, 2);
	assert_null(policy_exception(&ctx.policy, "web", "db",
				     "/services/db/mem_limit", time(NULL)));
	assert_string_equal(policy_exception(&ctx.policy, "web", "web",
					     "/services/web/mem_limit",
					     time(NULL))
				->incident,
			    "B");
	assert_string_equal(ctx.policy.exceptions[1].incident, "C");
	assert_non_null(policy_exception_expired(
	    &ctx.policy, "web", "web", "/services/web/x", time(NULL)));
	context_release(&ctx);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"exceptions\": [{\"incident\": \"A\", \"unit\": \"web\","
	      " \"services\": [1], \"expires\": \"2999-01-01T00:00:00Z\"}]}",
	      f);
	fclose(f);
	assert_int_equal(
	    context_open(&ctx, write_config("web-02", NULL), NULL, 0, true),
	    MOOR_EINVAL);
	assert_non_null(strstr(err_last(), "exceptions.json"));
	err_clear();
}

static void test_context__config_path(void **state)
{
	char *path = NULL;
	char cwd[512];

	(void)state;
	assert_int_equal(context_config_path(&path, "given.yaml"), 0);
	assert_string_equal(path, "given.yaml");
	free(path);
	setenv("MOORING_CONFIG", "/from/env.yaml", 1);
	assert_int_equal(context_config_path(&path, NULL), 0);
	assert_string_equal(path, "/from/env.yaml");
	free(path);
	unsetenv("MOORING_CONFIG");

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	write_config("h", NULL);
	assert_int_equal(context_config_path(&path, NULL), 0);
	assert_string_equal(path, "mooring.yaml");
	free(path);
	unlink("mooring.yaml");
	if (access("/etc/mooring/mooring.yaml", F_OK) != 0) {
		assert_int_equal(context_config_path(&path, NULL),
				 MOOR_ENOTFOUND);
		assert_err_contains("no config file");
	}
	assert_int_equal(chdir(cwd), 0);
}

static void test_context__errors(void **state)
{
	struct context ctx;

	(void)state;
	/* A git remote nothing answers for: an error naming the remote. */
	assert_true(context_open(&ctx,
				 write_config("h", "git://127.0.0.1:9/x.git"),
				 NULL, 0, 0) < 0);
	assert_err_contains("cannot fetch 'git://127.0.0.1:9/x.git'");
	assert_int_equal(context_open(&ctx,
				      write_config("h", "/nonexistent/infra"),
				      NULL, 0, false),
			 MOOR_ENOTFOUND);
	assert_err_contains("/nonexistent/infra");
	assert_int_equal(
	    context_open(&ctx, write_config("h", tmpdir), NULL, 0, false),
	    MOOR_ENOTFOUND);
	assert_err_contains("mooring/units.yaml");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_context__units_on_this_host),
	    cmocka_unit_test(test_context__units_by_name),
	    cmocka_unit_test(test_context__engine_failure_is_kept),
	    cmocka_unit_test(test_context__cli_exceptions),
	    cmocka_unit_test(test_context__config_path),
	    cmocka_unit_test(test_context__errors),
	};
	return cmocka_run_group_tests_name("context", tests, setup, teardown);
}

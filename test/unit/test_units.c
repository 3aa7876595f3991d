/* test_units.c - mooring/units.yaml: defaults, and every error found. */
#include "unit.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "units.h"

static char tmpdir[256];

static int setup(void **state)
{
	char dir[300];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-units.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(dir, sizeof(dir), "%s/mooring", tmpdir);
	return mkdir(dir, 0755);
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Load text as the registry of a fresh source; returns the code. */
static int load_text(struct units *out, struct unit_warnings *w,
		     const char *text)
{
	struct source *src = NULL;
	char path[300];
	FILE *f;
	int error;

	snprintf(path, sizeof(path), "%s/" UNITS_FILE, tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(source_open_dir(&src, tmpdir), 0);
	unit_capture_warnings(w);
	error = units_load(out, src);
	unit_release_warnings();
	source_free(src);
	return error;
}

#define assert_logged(w, needle)                                               \
	do {                                                                   \
		if (!strstr((w)->text, (needle)))                              \
			fail_msg("log '%s' does not contain '%s'", (w)->text,  \
				 (needle));                                    \
	} while (0)

static void test_units__example_repo(void **state)
{
	struct units u = {NULL, 0};
	struct source *src = NULL;
	struct unit *web, *api, *jobs;

	(void)state;
	assert_int_equal(
	    source_open_dir(&src, TEST_RESOURCES "/../../examples/infra"), 0);
	assert_int_equal(units_load(&u, src), 0);
	assert_int_equal(u.n, 3);
	web = units_find(&u, "web");
	api = units_find(&u, "api");
	jobs = units_find(&u, "jobs");
	assert_non_null(web);
	assert_non_null(api);
	assert_non_null(jobs);
	assert_null(units_find(&u, "nope"));
	assert_string_equal(web->path, "stacks/web");
	assert_int_equal(web->nfiles, 2);
	assert_string_equal(web->files[1], "compose.production.yaml");
	assert_string_equal(web->risk_tier, "high");
	assert_string_equal(api->env_file, ".env");
	assert_string_equal(api->project, "api"); /* default: the name */
	assert_string_equal(api->owner, "team-api");
	assert_string_equal(api->environment, "production");
	assert_int_equal(jobs->nhosts, 1);
	assert_true(unit_on_host(jobs, "web-01"));
	assert_false(unit_on_host(jobs, "web-02"));
	assert_false(unit_on_host(jobs, NULL));
	assert_true(unit_on_host(web, "anything"));
	assert_string_equal(web->mark.file, UNITS_FILE);
	assert_int_equal(web->mark.line, 4);
	units_release(&u);
	units_release(&u);
	source_free(src);
}

static void test_units__defaults(void **state)
{
	struct units u = {NULL, 0};
	struct unit_warnings w;

	(void)state;
	assert_int_equal(load_text(&u, &w,
				   "units:\n"
				   "  - name: app\n"
				   "    path: stacks//app/\n"),
			 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(u.n, 1);
	assert_string_equal(u.items[0].path, "stacks/app");
	assert_int_equal(u.items[0].nfiles, 1);
	assert_string_equal(u.items[0].files[0], "compose.yaml");
	assert_null(u.items[0].env_file);
	assert_string_equal(u.items[0].project, "app");
	assert_string_equal(u.items[0].risk_tier, "standard");
	assert_null(u.items[0].owner);
	assert_int_equal(u.items[0].nhosts, 0);
	units_release(&u);

	assert_int_equal(load_text(&u, &w, "units: []\n"), 0);
	assert_int_equal(u.n, 0);
	units_release(&u);
}

static void test_units__duplicates_name_both_positions(void **state)
{
	struct units u = {NULL, 0};
	struct unit_warnings w;

	(void)state;
	assert_int_equal(load_text(&u, &w,
				   "units:\n"
				   "  - name: api\n"
				   "    path: a\n"
				   "  - name: web\n"
				   "    path: w\n"
				   "  - name: api\n"
				   "    path: b\n"
				   "  - name: other\n"
				   "    project: web\n"
				   "    path: o\n"),
			 MOOR_EINVAL);
	assert_int_equal(w.count, 2);
	assert_logged(&w, "mooring/units.yaml:6:5: duplicate unit 'api' "
			  "(first defined at mooring/units.yaml:2:5)");
	assert_logged(&w, "mooring/units.yaml:8:5: project 'web' of unit "
			  "'other' is also the project of unit 'web' (at "
			  "mooring/units.yaml:4:5)");
	assert_err_contains("2 errors in 'mooring/units.yaml'");
	assert_null(u.items);
}

static void test_units__names(void **state)
{
	struct units u = {NULL, 0};
	struct unit_warnings w;

	(void)state;
	assert_true(unit_name_valid("api"));
	assert_true(unit_name_valid("a-b_c9"));
	assert_true(unit_name_valid("9"));
	assert_false(unit_name_valid(""));
	assert_false(unit_name_valid("Api"));
	assert_false(unit_name_valid("-api"));
	assert_false(unit_name_valid("_api"));
	assert_false(unit_name_valid("a/b"));
	assert_false(unit_name_valid("../x"));
	assert_false(unit_name_valid("a.b"));
	assert_false(unit_name_valid("a b"));
	assert_false(unit_name_valid("a1234567890123456789012345678901234567890"
				     "12345678901234567890123"));
	assert_true(unit_name_valid(
	    "a12345678901234567890123456789012345678901234567890123456789012"));

	assert_int_equal(load_text(&u, &w,
				   "units:\n"
				   "  - name: Bad/Name\n"
				   "    path: a\n"
				   "  - path: b\n"
				   "  - name: ok\n"
				   "  - name: [x]\n"
				   "    path: d\n"),
			 MOOR_EINVAL);
	assert_int_equal(w.count, 4);
	assert_logged(&w, "mooring/units.yaml:2:11: invalid unit name "
			  "'Bad/Name'");
	assert_logged(&w, "mooring/units.yaml:4:5: unit #2 has no 'name'");
	assert_logged(&w, "mooring/units.yaml:5:5: unit 'ok' has no 'path'");
	assert_logged(&w, "mooring/units.yaml:6:11: 'name' of unit #4 must be "
			  "a string, not a sequence");
}

static void test_units__paths_stay_inside(void **state)
{
	struct units u = {NULL, 0};
	struct unit_warnings w;

	(void)state;
	assert_int_equal(load_text(&u, &w,
				   "units:\n"
				   "  - name: a\n"
				   "    path: ../outside\n"
				   "  - name: b\n"
				   "    path: /etc\n"
				   "  - name: c\n"
				   "    path: stacks/c\n"
				   "    files: [compose.yaml, ../../../x.yaml, "
				   "/etc/passwd]\n"
				   "    env_file: ../../../.env\n"
				   "  - name: d\n"
				   "    path: stacks/../../d\n"),
			 MOOR_EINVAL);
	assert_int_equal(w.count, 6);
	assert_logged(&w, "mooring/units.yaml:3:11: 'path' of unit 'a' is "
			  "outside the repository: '../outside'");
	assert_logged(&w, "mooring/units.yaml:5:11: 'path' of unit 'b' is "
			  "outside the repository: '/etc'");
	assert_logged(&w, "mooring/units.yaml:8:27: 'files' of unit 'c' is "
			  "outside the repository: '../../../x.yaml'");
	assert_logged(&w, "mooring/units.yaml:8:44: 'files' of unit 'c' is "
			  "outside the repository: '/etc/passwd'");
	assert_logged(&w, "mooring/units.yaml:9:15: 'env_file' of unit 'c' is "
			  "outside the repository");
	assert_logged(&w, "mooring/units.yaml:11:11: 'path' of unit 'd' is "
			  "outside the repository: 'stacks/../../d'");

	/* Inside the repository, a shared file of a sibling is fine. */
	assert_int_equal(load_text(&u, &w,
				   "units:\n"
				   "  - name: a\n"
				   "    path: stacks/a\n"
				   "    files: [../common/compose.yaml]\n"),
			 0);
	assert_string_equal(u.items[0].files[0], "../common/compose.yaml");
	units_release(&u);
}

static void test_units__values_checked(void **state)
{
	struct units u = {NULL, 0};
	struct unit_warnings w;

	(void)state;
	assert_int_equal(load_text(&u, &w,
				   "units:\n"
				   "  - name: a\n"
				   "    path: a\n"
				   "    risk_tier: extreme\n"
				   "    hosts: web-01\n"
				   "    files: []\n"
				   "    projct: a\n"
				   "    project: Not_Valid\n"
				   "  - just a string\n"
				   "other: 1\n"),
			 MOOR_EINVAL);
	assert_int_equal(w.count, 7);
	assert_logged(&w, "mooring/units.yaml:4:16: invalid risk_tier "
			  "'extreme' in unit 'a' (expected critical, high, "
			  "standard or low)");
	assert_logged(&w, "mooring/units.yaml:5:12: 'hosts' of unit 'a' must "
			  "be a list, not a string");
	assert_logged(&w, "mooring/units.yaml:6:12: 'files' of unit 'a' is an "
			  "empty list");
	assert_logged(&w, "mooring/units.yaml:7:5: unknown key 'projct' in "
			  "unit 'a'");
	assert_logged(&w, "mooring/units.yaml:8:14: invalid project name "
			  "'Not_Valid'");
	assert_logged(&w, "mooring/units.yaml:9:5: unit #2 must be a mapping, "
			  "not a string");
	assert_logged(&w, "mooring/units.yaml:10:1: unknown key 'other'");
}

static void test_units__top_level(void **state)
{
	struct units u = {NULL, 0};
	struct unit_warnings w;
	struct source *src = NULL;
	char path[300];

	(void)state;
	assert_int_equal(load_text(&u, &w, "unit:\n  - name: a\n"),
			 MOOR_EINVAL);
	assert_logged(&w, "mooring/units.yaml:1:1: unknown key 'unit'");
	assert_logged(&w, "missing 'units'");
	assert_int_equal(load_text(&u, &w, "units: {a: b}\n"), MOOR_EINVAL);
	assert_logged(&w, "mooring/units.yaml:1:8: 'units' must be a list");
	assert_int_equal(load_text(&u, &w, "units:\n  - name: a\n   x\n"),
			 MOOR_EINVAL);
	assert_err_contains("mooring/units.yaml:");

	snprintf(path, sizeof(path), "%s/" UNITS_FILE, tmpdir);
	unlink(path);
	assert_int_equal(source_open_dir(&src, tmpdir), 0);
	assert_int_equal(units_load(&u, src), MOOR_ENOTFOUND);
	assert_err_contains(UNITS_FILE);
	source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_units__example_repo),
	    cmocka_unit_test(test_units__defaults),
	    cmocka_unit_test(test_units__duplicates_name_both_positions),
	    cmocka_unit_test(test_units__names),
	    cmocka_unit_test(test_units__paths_stay_inside),
	    cmocka_unit_test(test_units__values_checked),
	    cmocka_unit_test(test_units__top_level),
	};
	return cmocka_run_group_tests_name("units", tests, setup, teardown);
}

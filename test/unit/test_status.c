/* test_status.c - per-unit status records in the state dir (status.h). */
#include "unit.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-status.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh state dir under tmpdir. */
static void fresh_dir(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
	assert_int_equal(mkdir(out, 0700), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void fill(struct status_record *r, const char *unit, enum unit_status s)
{
	memset(r, 0, sizeof(*r));
	r->unit = strdup(unit);
	r->project = strdup(unit);
	r->status = s;
	r->commit = strdup("0123456789abcdef0123456789abcdef01234567");
	r->last_check = 1700000100;
	r->last_success = 1700000000;
	r->consecutive_errors = 3;
	r->next_due = 1700000160;
	r->findings = 2;
	r->pid = 4242;
}

static void test_status__round_trip(void **state)
{
	char dir[300];
	struct status_record r, back;

	(void)state;
	fresh_dir(dir, sizeof(dir), "rt");
	fill(&r, "api", UNIT_DRIFT);
	r.error = strdup("something \"quoted\"");
	assert_int_equal(status_save(dir, &r), 0);
	assert_int_equal(status_load(&back, dir, "api"), 0);
	assert_string_equal(back.unit, "api");
	assert_string_equal(back.project, "api");
	assert_int_equal(back.status, UNIT_DRIFT);
	assert_string_equal(back.error, "something \"quoted\"");
	assert_string_equal(back.commit, r.commit);
	assert_int_equal(back.last_check, 1700000100);
	assert_int_equal(back.last_success, 1700000000);
	assert_int_equal(back.consecutive_errors, 3);
	assert_int_equal(back.next_due, 1700000160);
	assert_int_equal(back.findings, 2);
	assert_int_equal(back.pid, 4242);
	assert_false(back.stale);
	status_record_release(&back);
	status_record_release(&r);
}

static void test_status__file_is_readable_json(void **state)
{
	char dir[300], path[400];
	struct status_record r;
	json_error_t jerr;
	json_t *j;

	(void)state;
	fresh_dir(dir, sizeof(dir), "json");
	fill(&r, "web", UNIT_IN_SYNC);
	r.last_success = 0; /* never */
	assert_int_equal(status_save(dir, &r), 0);
	snprintf(path, sizeof(path), "%s/state/web.status.json", dir);
	j = json_load_file(path, 0, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
			    "in_sync");
	assert_true(json_is_null(json_object_get(j, "last_success")));
	assert_true(json_is_null(json_object_get(j, "error")));
	assert_string_equal(json_string_value(json_object_get(j, "last_check")),
			    "2023-11-14T22:15:00Z");
	json_decref(j);
	status_record_release(&r);
}

static void test_status__save_leaves_no_temp_files(void **state)
{
	char dir[300], sdir[400];
	struct status_record r;
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	(void)state;
	fresh_dir(dir, sizeof(dir), "atomic");
	fill(&r, "api", UNIT_PENDING);
	for (int i = 0; i < 20; i++) {
		r.findings = (size_t)i;
		assert_int_equal(status_save(dir, &r), 0);
	}
	snprintf(sdir, sizeof(sdir), "%s/state", dir);
	d = opendir(sdir);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	assert_int_equal(n, 1);
	status_record_release(&r);
}

static void test_status__unit_names_cannot_inject_paths(void **state)
{
	char dir[300];
	struct status_record r, back;

	(void)state;
	fresh_dir(dir, sizeof(dir), "names");
	fill(&r, "../evil", UNIT_IN_SYNC);
	assert_int_equal(status_save(dir, &r), MOOR_EINVAL);
	assert_int_equal(status_load(&back, dir, "a/b"), MOOR_EINVAL);
	assert_int_equal(status_remove(dir, "x.y"), MOOR_EINVAL);
	status_record_release(&r);
}

static void test_status__load_missing_is_not_found(void **state)
{
	char dir[300];
	struct status_record back;

	(void)state;
	fresh_dir(dir, sizeof(dir), "missing");
	assert_int_equal(status_load(&back, dir, "api"), MOOR_ENOTFOUND);
	/* Removing what is not there is fine. */
	assert_int_equal(status_remove(dir, "api"), 0);
}

static void test_status__load_all_sorted_and_robust(void **state)
{
	char dir[300], path[400];
	struct status_record r, *all = NULL;
	size_t n = 0;

	(void)state;
	fresh_dir(dir, sizeof(dir), "all");
	/* No state/ yet: nothing, no error. */
	assert_int_equal(status_load_all(&all, &n, dir), 0);
	assert_int_equal(n, 0);
	free(all);

	fill(&r, "web", UNIT_IN_SYNC);
	assert_int_equal(status_save(dir, &r), 0);
	status_record_release(&r);
	fill(&r, "api", UNIT_PENDING);
	assert_int_equal(status_save(dir, &r), 0);
	status_record_release(&r);
	/* The recorded plane and strangers are not status records. */
	snprintf(path, sizeof(path), "%s/state/api.json", dir);
	write_file(path, "{}\n");
	snprintf(path, sizeof(path), "%s/state/.tmp.status.json", dir);
	write_file(path, "{}\n");
	/* A torn or foreign file is reported as the unit's error. */
	snprintf(path, sizeof(path), "%s/state/db.status.json", dir);
	write_file(path, "{\"unit\": \"db\", \"status\": ");
	/* A file naming another unit does not pass for it. */
	snprintf(path, sizeof(path), "%s/state/cache.status.json", dir);
	write_file(path, "{\"unit\": \"api\", \"status\": \"in_sync\"}\n");

	assert_int_equal(status_load_all(&all, &n, dir), 0);
	assert_int_equal(n, 4);
	assert_string_equal(all[0].unit, "api");
	assert_int_equal(all[0].status, UNIT_PENDING);
	assert_string_equal(all[1].unit, "cache");
	assert_int_equal(all[1].status, UNIT_ERROR);
	assert_non_null(strstr(all[1].error, "names unit 'api'"));
	assert_string_equal(all[2].unit, "db");
	assert_int_equal(all[2].status, UNIT_ERROR);
	assert_non_null(strstr(all[2].error, "db.status.json"));
	assert_string_equal(all[3].unit, "web");
	status_records_free(all, n);

	assert_int_equal(status_remove(dir, "web"), 0);
	assert_int_equal(status_load_all(&all, &n, dir), 0);
	assert_int_equal(n, 3);
	status_records_free(all, n);
}

static void test_status__from_json_rejects_bad_fields(void **state)
{
	static const char *const bad[] = {
	    "[]",
	    "{\"status\": \"in_sync\"}",
	    "{\"unit\": \"Bad Name\", \"status\": \"in_sync\"}",
	    "{\"unit\": \"a\", \"status\": \"fine\"}",
	    "{\"unit\": \"a\", \"status\": \"in_sync\", \"last_check\": 5}",
	    "{\"unit\": \"a\", \"status\": \"in_sync\", "
	    "\"last_check\": \"yesterday\"}",
	    "{\"unit\": \"a\", \"status\": \"in_sync\", \"findings\": -1}",
	    "{\"unit\": \"a\", \"status\": \"in_sync\", \"error\": 3}",
	};
	struct status_record r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);

		assert_non_null(j);
		if (status_record_from_json(&r, j) != MOOR_EINVAL)
			fail_msg("accepted: %s", bad[i]);
		json_decref(j);
	}
}

static void test_status__stale_after_the_limit(void **state)
{
	struct status_record r;

	(void)state;
	fill(&r, "api", UNIT_IN_SYNC);
	/* last_success 1700000000; limit 3 s. */
	assert_false(status_is_stale(&r, 1700000003, 3000));
	assert_true(status_is_stale(&r, 1700000004, 3000));
	assert_false(status_is_stale(&r, 1700009999, 0));
	assert_false(status_mark_stale(&r, 1700000002, 3000, NULL));
	assert_int_equal(r.status, UNIT_IN_SYNC);
	assert_true(status_mark_stale(&r, 1700000010, 3000,
				      "cannot fetch: connection refused"));
	assert_int_equal(r.status, UNIT_UNKNOWN);
	assert_true(r.stale);
	assert_string_equal(r.error,
			    "stale: cannot fetch: connection refused; last "
			    "successful check at 2023-11-14T22:13:20Z, more "
			    "than 3s ago");
	status_record_release(&r);

	/* Never checked successfully: stale at once. */
	fill(&r, "api", UNIT_PENDING);
	r.last_success = 0;
	assert_true(status_mark_stale(&r, 1700000000, 60000, NULL));
	assert_string_equal(r.error, "stale: no successful check yet");
	status_record_release(&r);
}

static void test_status__stale_keeps_errors_and_reasons(void **state)
{
	struct status_record r;

	(void)state;
	/* An error says more than stale and fails as much. */
	fill(&r, "api", UNIT_ERROR);
	r.error = strdup("compose.yaml:3:1: bad");
	assert_false(status_mark_stale(&r, 1800000000, 3000, NULL));
	assert_int_equal(r.status, UNIT_ERROR);
	assert_string_equal(r.error, "compose.yaml:3:1: bad");
	status_record_release(&r);

	/* Unknown keeps its reason inside the stale one. */
	fill(&r, "api", UNIT_UNKNOWN);
	r.error = strdup("cannot connect to docker");
	assert_true(status_mark_stale(&r, 1700000010, 1500, NULL));
	assert_string_equal(r.error,
			    "stale: cannot connect to docker; last successful "
			    "check at 2023-11-14T22:13:20Z, more than 1500ms "
			    "ago");
	status_record_release(&r);
}

static void test_status__exit_codes(void **state)
{
	struct status_record r[3];

	(void)state;
	assert_int_equal(status_exit_code(NULL, 0), 1);
	fill(&r[0], "a", UNIT_IN_SYNC);
	fill(&r[1], "b", UNIT_IN_SYNC);
	fill(&r[2], "c", UNIT_IN_SYNC);
	assert_int_equal(status_exit_code(r, 3), 0);
	r[1].status = UNIT_DRIFT;
	assert_int_equal(status_exit_code(r, 3), 2);
	r[1].status = UNIT_CONFLICT;
	assert_int_equal(status_exit_code(r, 3), 2);
	r[2].status = UNIT_PENDING;
	assert_int_equal(status_exit_code(r, 3), 2);
	r[0].status = UNIT_UNKNOWN;
	assert_int_equal(status_exit_code(r, 3), 1);
	r[0].status = UNIT_ERROR;
	assert_int_equal(status_exit_code(r, 3), 1);
	r[0].status = UNIT_IN_SYNC;
	r[1].status = UNIT_IN_SYNC;
	r[2].status = UNIT_IN_SYNC;
	r[2].stale = true;
	assert_int_equal(status_exit_code(r, 3), 1);
	for (int i = 0; i < 3; i++)
		status_record_release(&r[i]);
}

static void test_status__times_and_names(void **state)
{
	char text[32];
	time_t t = 0;
	enum unit_status s;

	(void)state;
	status_format_time(text, sizeof(text), 1700000000);
	assert_string_equal(text, "2023-11-14T22:13:20Z");
	assert_int_equal(status_parse_time(&t, text), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(status_parse_time(&t, "2023-11-14T22:13:20"),
			 MOOR_EINVAL);
	assert_int_equal(status_parse_time(&t, "2023-11-14T22:13:20Zjunk"),
			 MOOR_EINVAL);
	assert_int_equal(status_parse_name(&s, "conflict"), 0);
	assert_int_equal(s, UNIT_CONFLICT);
	assert_int_equal(status_parse_name(&s, "stale"), MOOR_EINVAL);
}

static void test_status__copy_is_deep(void **state)
{
	struct status_record r, c;

	(void)state;
	fill(&r, "api", UNIT_DRIFT);
	r.error = strdup("x");
	status_record_copy(&c, &r);
	status_record_release(&r);
	assert_string_equal(c.unit, "api");
	assert_string_equal(c.error, "x");
	assert_int_equal(c.findings, 2);
	status_record_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status__round_trip),
	    cmocka_unit_test(test_status__file_is_readable_json),
	    cmocka_unit_test(test_status__save_leaves_no_temp_files),
	    cmocka_unit_test(test_status__unit_names_cannot_inject_paths),
	    cmocka_unit_test(test_status__load_missing_is_not_found),
	    cmocka_unit_test(test_status__load_all_sorted_and_robust),
	    cmocka_unit_test(test_status__from_json_rejects_bad_fields),
	    cmocka_unit_test(test_status__stale_after_the_limit),
	    cmocka_unit_test(test_status__stale_keeps_errors_and_reasons),
	    cmocka_unit_test(test_status__exit_codes),
	    cmocka_unit_test(test_status__times_and_names),
	    cmocka_unit_test(test_status__copy_is_deep),
	};
	return cmocka_run_group_tests_name("status", tests, setup, teardown);
}

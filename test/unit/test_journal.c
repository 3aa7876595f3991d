/* test_journal.c - the audit journal: appends, recovery, rotation,
 * telling mooring's own actions from changes made outside it. */
#include "unit.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "journal.h"

static char tmpdir[256];
static char jfile[300];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-journal.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(jfile, sizeof(jfile), "%s/journal/journal.jsonl", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT(64u << 20);

	if (buf_read_file(&b, path) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static void spit(const char *path, const char *text)
{
	FILE *f;
	char dir[300];

	snprintf(dir, sizeof(dir), "%s/journal", tmpdir);
	mkdir(dir, 0700);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Every record of a file, in order (garbage lines skipped). */
static int collect(void *data, json_t *rec)
{
	json_array_append(data, rec);
	return 0;
}

static json_t *records(const char *path, size_t *bad_out)
{
	json_t *all = json_array();
	char *text = slurp(path);
	size_t bad;

	assert_non_null(text);
	bad = journal_parse(text, strlen(text), collect, all);
	if (bad_out)
		*bad_out = bad;
	free(text);
	return all;
}

static long long rec_seq(const json_t *recs, size_t i)
{
	return json_integer_value(
	    json_object_get(json_array_get(recs, i), "seq"));
}

static const char *rec_str(const json_t *recs, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(recs, i), key));
}

/* A daemon event as GET /events has it, `ago` seconds back. */
static json_t *event(const char *id, const char *name, const char *action,
		     long ago)
{
	struct timespec ts;
	long long nano;

	clock_gettime(CLOCK_REALTIME, &ts);
	nano = ((long long)ts.tv_sec - ago) * 1000000000LL + ts.tv_nsec;
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:{s:s, s:s, s:s, s:s}}, "
			 "s:I, s:I}",
			 "status", action, "Type", "container", "Action",
			 action, "Actor", "ID", id, "Attributes", "name", name,
			 "com.docker.compose.project", "shop",
			 "com.docker.compose.service", "web", "io.mooring.unit",
			 "shop", "time", (json_int_t)(nano / 1000000000LL),
			 "timeNano", (json_int_t)nano);
}

/* journal_event on a fresh event; the verdict. */
static bool outside(struct journal *j, const char *id, const char *name,
		    const char *action, long ago)
{
	json_t *ev = event(id, name, action, ago);
	bool out = false;

	assert_int_equal(journal_event(j, ev, &out), 0);
	json_decref(ev);
	return out;
}

static void test_journal__append_reopen_continues_seq(void **state)
{
	struct journal *j = NULL;
	json_t *recs;
	size_t bad = 9;

	(void)state;
	assert_int_equal(journal_open(&j, tmpdir), 0);
	assert_int_equal(
	    journal_action(j, "shop", "web", "c1", "create", "new"), 0);
	assert_int_equal(journal_action(j, "shop", "web", "c1", "start", NULL),
			 0);
	journal_close(j);
	j = NULL;
	assert_int_equal(journal_open(&j, tmpdir), 0);
	assert_int_equal(journal_action(j, "shop", "web", "c1", "stop", NULL),
			 0);
	journal_close(j);

	recs = records(jfile, &bad);
	assert_int_equal(bad, 0);
	assert_int_equal(json_array_size(recs), 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(rec_seq(recs, i), (long long)i + 1);
	assert_string_equal(rec_str(recs, 0, "kind"), "action");
	assert_string_equal(rec_str(recs, 0, "detail"), "new");
	assert_string_equal(rec_str(recs, 2, "action"), "stop");
	assert_non_null(strstr(rec_str(recs, 0, "time"), "Z"));
	json_decref(recs);
	/* journal_action on no journal (apply without one) is a no-op. */
	assert_int_equal(journal_action(NULL, "u", "s", "c", "start", NULL), 0);
}

static void test_journal__torn_last_line_is_recovered(void **state)
{
	struct journal *j = NULL;
	json_t *recs;
	size_t bad = 0;

	(void)state;
	spit(jfile, "{\"seq\":1,\"time\":\"x\",\"time_nano\":1,\"kind\":"
		    "\"action\"}\n"
		    "{\"seq\":2,\"time\":\"x\",\"time_nano\":2,\"kind\":"
		    "\"action\"}\n"
		    "{\"seq\":3,\"time\":\"x\",\"ki");
	assert_int_equal(journal_open(&j, tmpdir), 0);
	assert_int_equal(journal_action(j, "shop", "web", "c1", "start", NULL),
			 0);
	journal_close(j);

	recs = records(jfile, &bad);
	/* The torn line is ended and skipped; seq goes on from 2. */
	assert_int_equal(bad, 1);
	assert_int_equal(json_array_size(recs), 4);
	assert_int_equal(rec_seq(recs, 2), 3);
	assert_string_equal(rec_str(recs, 2, "kind"), "recovered");
	assert_non_null(strstr(rec_str(recs, 2, "detail"), "torn"));
	assert_int_equal(rec_seq(recs, 3), 4);
	assert_string_equal(rec_str(recs, 3, "kind"), "action");
	json_decref(recs);

	/* Opening again finds nothing to recover. */
	assert_int_equal(journal_open(&j, tmpdir), 0);
	journal_close(j);
	recs = records(jfile, NULL);
	assert_int_equal(json_array_size(recs), 4);
	json_decref(recs);
}

static void test_journal__unended_record_keeps_its_seq(void **state)
{
	struct journal *j = NULL;
	json_t *recs;
	size_t bad = 9;

	(void)state;
	/* The whole record made it, its newline did not. */
	spit(jfile, "{\"seq\":5,\"time\":\"x\",\"time_nano\":1,\"kind\":"
		    "\"action\"}");
	assert_int_equal(journal_open(&j, tmpdir), 0);
	journal_close(j);
	recs = records(jfile, &bad);
	assert_int_equal(bad, 0);
	assert_int_equal(json_array_size(recs), 2);
	assert_int_equal(rec_seq(recs, 0), 5);
	assert_int_equal(rec_seq(recs, 1), 6);
	assert_string_equal(rec_str(recs, 1, "kind"), "recovered");
	json_decref(recs);
}

static void test_journal__garbage_last_line_is_recovered(void **state)
{
	struct journal *j = NULL;
	json_t *recs;

	(void)state;
	spit(jfile, "{\"seq\":7,\"time\":\"x\",\"time_nano\":1,\"kind\":"
		    "\"action\"}\n"
		    "\x01\x02 not json at all\n");
	assert_int_equal(journal_open(&j, tmpdir), 0);
	journal_close(j);
	recs = records(jfile, NULL);
	assert_int_equal(json_array_size(recs), 2);
	assert_int_equal(rec_seq(recs, 1), 8);
	assert_string_equal(rec_str(recs, 1, "kind"), "recovered");
	json_decref(recs);
}

static void test_journal__rotates_and_keeps_three(void **state)
{
	struct journal *j = NULL;
	json_t *recs, *changes = NULL;
	char path[320];
	struct stat st;
	long long last = 0;

	(void)state;
	assert_int_equal(journal_open(&j, tmpdir), 0);
	journal_set_rotate_size(j, 2048);
	for (int i = 0; i < 120; i++) {
		char id[32];

		snprintf(id, sizeof(id), "c%d", i);
		/* Outside changes (update is no own action's doing). */
		assert_true(outside(j, id, id, "update", 0));
	}
	journal_close(j);

	assert_int_equal(stat(jfile, &st), 0);
	assert_true(st.st_size <= 2048);
	for (int n = 1; n <= 3; n++) {
		snprintf(path, sizeof(path), "%s/journal/journal.%d.jsonl",
			 tmpdir, n);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size <= 2048);
	}
	snprintf(path, sizeof(path), "%s/journal/journal.4.jsonl", tmpdir);
	assert_int_not_equal(stat(path, &st), 0);

	/* seq goes on across files: the newest file's last is 120. */
	recs = records(jfile, NULL);
	last = rec_seq(recs, json_array_size(recs) - 1);
	assert_int_equal(last, 120);
	json_decref(recs);

	/* audit reads the rotated files too, oldest first. */
	assert_int_equal(journal_outside_changes(&changes, tmpdir, 0, NULL), 0);
	assert_true(json_array_size(changes) > 10);
	assert_true(json_array_size(changes) < 120);
	assert_int_equal(rec_seq(changes, json_array_size(changes) - 1), 120);
	for (size_t i = 1; i < json_array_size(changes); i++)
		assert_int_equal(rec_seq(changes, i),
				 rec_seq(changes, i - 1) + 1);
	json_decref(changes);
}

static void test_journal__explains_own_actions(void **state)
{
	struct journal *j = NULL;
	const char *id = "3f2a9c0d1e2f";

	(void)state;
	assert_int_equal(journal_open(&j, tmpdir), 0);
	/* create knows the name only; start and stop the id. */
	journal_action(j, "shop", "web", "shop-web-1", "create", "new");
	journal_action(j, "shop", "web", id, "start", NULL);
	assert_false(outside(j, id, "shop-web-1", "create", 0));
	assert_false(outside(j, id, "shop-web-1", "start", 0));
	/* Nothing of mooring's explains an update or a kill. */
	assert_true(outside(j, id, "shop-web-1", "update", 0));
	assert_true(outside(j, id, "shop-web-1", "kill", 0));
	assert_true(outside(j, "other", "other-1", "start", 0));

	journal_action(j, "shop", "web", id, "stop", NULL);
	assert_false(outside(j, id, "shop-web-1", "kill", 0));
	assert_false(outside(j, id, "shop-web-1", "die", 0));
	assert_false(outside(j, id, "shop-web-1", "stop", 0));
	assert_true(outside(j, id, "shop-web-1", "destroy", 0));

	/* An action cannot explain an event from before it. */
	assert_true(outside(j, id, "shop-web-1", "die", 200));

	/* A recreate covers every event of the container it names. */
	journal_action(j, "shop", "api", "api-1", "recreate", "spec_changed");
	assert_false(outside(j, "9999", "api-1", "destroy", 0));
	assert_false(outside(j, "9999", "api-1", "rename", 0));

	/* States and reads are not changes. */
	assert_false(outside(j, "zzz", "zzz", "health_status: healthy", 0));

	journal_close(j);
}

/* `mooring apply` by hand is another process: its actions are found in
 * the file by the watcher, which never saw them in memory. */
static void test_journal__matches_actions_of_another_writer(void **state)
{
	struct journal *watcher = NULL, *apply = NULL;
	json_t *recs;
	char old[512];
	struct timespec ts;

	(void)state;
	assert_int_equal(journal_open(&watcher, tmpdir), 0);
	assert_int_equal(journal_open(&apply, tmpdir), 0);
	journal_action(apply, "shop", "web", "aaa111", "stop", NULL);
	journal_action(apply, "shop", "web", "aaa111", "remove", NULL);
	journal_close(apply);
	assert_false(outside(watcher, "aaa111", "shop-web-1", "kill", 0));
	assert_false(outside(watcher, "aaa111", "shop-web-1", "destroy", 0));
	assert_true(outside(watcher, "aaa111", "shop-web-1", "update", 0));

	/* An action written 300 s ago explains nothing now. */
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(old, sizeof(old),
		 "{\"seq\":100,\"time\":\"x\",\"time_nano\":%lld,"
		 "\"kind\":\"action\",\"container\":\"bbb222\","
		 "\"action\":\"stop\"}\n",
		 ((long long)ts.tv_sec - 300) * 1000000000LL);
	{
		FILE *f = fopen(jfile, "a");

		assert_non_null(f);
		fputs(old, f);
		fclose(f);
	}
	assert_true(outside(watcher, "bbb222", "shop-db-1", "kill", 0));
	/* ...and the watcher's seq went on after the other writer's. */
	journal_close(watcher);

	recs = records(jfile, NULL);
	for (size_t i = 1; i < json_array_size(recs); i++)
		assert_true(rec_seq(recs, i) > rec_seq(recs, i - 1));
	assert_int_equal(rec_seq(recs, json_array_size(recs) - 1), 101);
	json_decref(recs);
}

static void test_journal__replayed_event_is_kept_once(void **state)
{
	struct journal *j = NULL;
	json_t *ev = event("ccc333", "shop-web-1", "update", 0);
	json_t *recs;
	bool out = false;

	(void)state;
	assert_int_equal(journal_open(&j, tmpdir), 0);
	assert_int_equal(journal_event(j, ev, &out), 0);
	assert_true(out);
	assert_int_equal(journal_event(j, ev, &out), 1);
	journal_close(j);
	/* Also after a restart: the tail seeds what was seen. */
	assert_int_equal(journal_open(&j, tmpdir), 0);
	assert_true(journal_last_event_time(j) > 0);
	assert_int_equal(journal_event(j, ev, &out), 1);
	journal_close(j);
	json_decref(ev);

	recs = records(jfile, NULL);
	assert_int_equal(json_array_size(recs), 1);
	json_decref(recs);
}

static void test_journal__drops_secret_attributes(void **state)
{
	struct journal *j = NULL;
	json_t *ev = event("ddd444", "shop-web-1", "update", 0);
	json_t *attrs =
	    json_object_get(json_object_get(ev, "Actor"), "Attributes");
	json_t *exec, *recs;
	char *text;

	(void)state;
	json_object_set_new(attrs, "DB_PASSWORD", json_string("hunter2"));
	json_object_set_new(attrs, "com.example.api-token",
			    json_string("tok-123456"));
	json_object_set_new(attrs, "env", json_string("A=envvalue"));
	json_object_set_new(attrs, "com.example.team", json_string("blue"));
	exec = event("ddd444", "shop-web-1",
		     "exec_start: mysql --password=s3cr3tpw", 0);
	json_object_set_new(exec, "timeNano", json_integer(42));

	assert_int_equal(journal_open(&j, tmpdir), 0);
	assert_true(outside(j, "ddd444", "shop-web-1", "start", 0));
	assert_int_equal(journal_event(j, ev, NULL), 0);
	assert_int_equal(journal_event(j, exec, NULL), 0);
	journal_close(j);
	json_decref(ev);
	json_decref(exec);

	text = slurp(jfile);
	assert_non_null(text);
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "tok-123456"));
	assert_null(strstr(text, "envvalue"));
	assert_null(strstr(text, "s3cr3tpw"));
	assert_non_null(strstr(text, "blue"));
	free(text);
	recs = records(jfile, NULL);
	assert_string_equal(rec_str(recs, 2, "action"), "exec_start");
	assert_string_equal(rec_str(recs, 2, "unit"), "shop");
	json_decref(recs);
}

static void test_journal__outside_changes_filter(void **state)
{
	struct journal *j = NULL;
	json_t *ev, *changes = NULL;

	(void)state;
	assert_int_equal(journal_open(&j, tmpdir), 0);
	journal_action(j, "shop", "web", "eee555", "start", NULL);
	assert_false(outside(j, "eee555", "shop-web-1", "start", 0));
	assert_true(outside(j, "eee555", "shop-web-1", "update", 7200));
	assert_true(outside(j, "eee555", "shop-web-1", "update", 0));
	ev = event("fff666", "blog-web-1", "kill", 0);
	assert_int_equal(journal_event_unit(j, ev, "blog", NULL), 0);
	json_decref(ev);
	journal_close(j);

	assert_int_equal(journal_outside_changes(&changes, tmpdir, 0, NULL), 0);
	assert_int_equal(json_array_size(changes), 3);
	json_decref(changes);
	assert_int_equal(
	    journal_outside_changes(&changes, tmpdir, time(NULL) - 3600, NULL),
	    0);
	assert_int_equal(json_array_size(changes), 2);
	json_decref(changes);
	assert_int_equal(journal_outside_changes(&changes, tmpdir, 0, "blog"),
			 0);
	assert_int_equal(json_array_size(changes), 1);
	assert_string_equal(rec_str(changes, 0, "action"), "kill");
	json_decref(changes);
	/* No journal yet: nothing, not an error. */
	assert_int_equal(
	    journal_outside_changes(&changes, "/nonexistent-mooring", 0, NULL),
	    0);
	assert_int_equal(json_array_size(changes), 0);
	json_decref(changes);
}

static void test_journal__parse_skips_garbage(void **state)
{
	static const char text[] = "{\"seq\":1,\"kind\":\"event\"}\n"
				   "\n"
				   "[1,2]\n"
				   "{\"seq\":\"2\",\"kind\":\"event\"}\n"
				   "{\"seq\":0,\"kind\":\"event\"}\n"
				   "{\"seq\":3}\n"
				   "{\"seq\":4,\"kind\":\"event\",\"seq\":5}\n"
				   "{\"seq\":6,\"kind\":\"action\"}\n"
				   "{\"seq\":7,\"ki";
	json_t *all = json_array();

	(void)state;
	assert_int_equal(journal_parse(text, strlen(text), collect, all), 6);
	assert_int_equal(json_array_size(all), 2);
	assert_int_equal(rec_seq(all, 1), 6);
	json_decref(all);
}

/* A write cut short (here by RLIMIT_FSIZE) fails the append and leaves
 * no fragment: the next append is a whole record with the next seq. */
static void test_journal__partial_write_leaves_no_fragment(void **state)
{
	struct journal *j = NULL;
	struct rlimit old, low;
	struct stat st;
	char big[2048];
	json_t *recs;
	size_t bad = 9;
	void (*oldsig)(int);

	(void)state;
	assert_int_equal(journal_open(&j, tmpdir), 0);
	assert_int_equal(journal_action(j, "shop", "web", "c1", "create", NULL),
			 0);
	assert_int_equal(stat(jfile, &st), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	oldsig = signal(SIGXFSZ, SIG_IGN);
	low = old;
	low.rlim_cur = (rlim_t)st.st_size + 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
	assert_true(journal_action(j, "shop", "web", "c1", "start", big) < 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(stat(jfile, &st), 0);

	assert_int_equal(journal_action(j, "shop", "web", "c1", "stop", NULL),
			 0);
	journal_close(j);
	recs = records(jfile, &bad);
	assert_int_equal(bad, 0);
	assert_int_equal(json_array_size(recs), 2);
	assert_int_equal(rec_seq(recs, 0), 1);
	assert_int_equal(rec_seq(recs, 1), 2);
	assert_string_equal(rec_str(recs, 1, "action"), "stop");
	json_decref(recs);
}

/* An event with an empty Type is a container event (no crash). */
static void test_journal__event_with_empty_type(void **state)
{
	struct journal *j = NULL;
	json_t *ev, *recs;

	(void)state;
	assert_int_equal(journal_open(&j, tmpdir), 0);
	ev = event("c9", "shop-web-1", "start", 0);
	json_object_set_new(ev, "Type", json_string(""));
	assert_int_equal(journal_event(j, ev, NULL), 0);
	json_decref(ev);
	journal_close(j);
	recs = records(jfile, NULL);
	assert_int_equal(json_array_size(recs), 1);
	assert_string_equal(rec_str(recs, 0, "type"), "container");
	json_decref(recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_journal__append_reopen_continues_seq, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_journal__torn_last_line_is_recovered, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_journal__unended_record_keeps_its_seq, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_journal__garbage_last_line_is_recovered, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_journal__rotates_and_keeps_three, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_journal__explains_own_actions,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_journal__matches_actions_of_another_writer, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_journal__replayed_event_is_kept_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_journal__drops_secret_attributes, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_journal__outside_changes_filter, setup, teardown),
	    cmocka_unit_test(test_journal__parse_skips_garbage),
	    cmocka_unit_test_setup_teardown(
		test_journal__partial_write_leaves_no_fragment, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_journal__event_with_empty_type,
					    setup, teardown),
	};

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_findings.c - the findings store: fingerprints, stable ids, the
 * lifecycle, listing, accepting, exceptions, the findings families of
 * /metrics, and what the files on disk look like (atomic, bounded,
 * secrets masked).
 */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diff.h"
#include "finding.h"
#include "findings.h"
#include "journal.h"
#include "run_int.h"
#include "ynode.h"

/* 2026-11-22T10:22:31Z */
#define T0  ((time_t)1795342951)
#define DAY ((time_t)86400)

static char tmpdir[256];
static char dir[512]; /* this test's state dir */

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-findings.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh state dir under tmpdir for one test. */
static const char *state_dir(const char *name)
{
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	return dir;
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (!j)
		fail_msg("bad test json: %s: %s", jerr.text, text);
	return j;
}

/* A drift finding of service svc at one path. */
static json_t *drift(const char *svc, const char *path, json_int_t desired,
		     json_int_t actual)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
			 "s:[{s:s, s:I, s:I, s:I}], s:{s:[], s:b}}",
			 "id", "drift-20260101-000000000000", "detected_at",
			 "2026-01-01T00:00:00Z", "unit", "api", "service", svc,
			 "relationship", "actual_vs_recorded", "class",
			 "unauthorized", "domain", "capacity", "risk", "high",
			 "changes", "path", path, "desired", desired,
			 "recorded", desired, "actual", actual, "audit",
			 "events", "outside_mooring", 1);
}

static json_t *one(json_t *f)
{
	json_t *arr = json_array();

	json_array_append_new(arr, f);
	return arr;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static char *read_file(const char *path)
{
	struct buf b = BUF_INIT(64u << 20);

	if (buf_read_file(&b, path) < 0)
		fail_msg("%s", err_last());
	return buf_detach(&b, NULL);
}

static json_t *read_json(const char *path)
{
	char *text = read_file(path);
	json_t *j = parse(text);

	free(text);
	return j;
}

static char *path_in(const char *d, const char *rel)
{
	size_t n = strlen(d) + strlen(rel) + 2;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", d, rel);
	return p;
}

static bool exists(const char *d, const char *rel)
{
	char *p = path_in(d, rel);
	bool yes = access(p, F_OK) == 0;

	free(p);
	return yes;
}

/* Entries of dir whose name starts with '.' and is not ".lock", "."
 * or "..": what an interrupted atomic write would leave. */
static unsigned temp_files(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *e;
	unsigned n = 0;

	if (!dh)
		return 0;
	while ((e = readdir(dh)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
		    strcmp(e->d_name, "..") && strcmp(e->d_name, ".lock"))
			n++;
	closedir(dh);
	return n;
}

static void write_text(const char *d, const char *rel, const char *text)
{
	char *p = path_in(d, rel);
	char *slash = strrchr(p, '/');
	FILE *f;

	*slash = '\0';
	mkdir(p, 0700);
	*slash = '/';
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static json_t *store_of(const char *d, const char *unit)
{
	char rel[128];
	char *p;
	json_t *j;

	snprintf(rel, sizeof(rel), "findings/%s.json", unit);
	p = path_in(d, rel);
	j = read_json(p);
	free(p);
	return j;
}

static void expect_id(const char *id, time_t day, const char *key)
{
	char want[64], when[32];

	finding_format_time(when, day);
	snprintf(want, sizeof(want), "drift-%.4s%.2s%.2s-%s", when, when + 5,
		 when + 8, key);
	assert_string_equal(id, want);
}

/* ---- keys ------------------------------------------------------------ */

static void test_findings__key_is_the_divergence(void **s)
{
	json_t *a = drift("api", "/services/api/mem_limit", 1, 2);
	json_t *b = drift("api", "/services/api/mem_limit", 1, 3);
	json_t *c = drift("web", "/services/api/mem_limit", 1, 2);
	json_t *two = parse("{\"service\": \"api\", \"class\": \"x\", "
			    "\"changes\": [{\"path\": \"/b\"}, {\"path\": "
			    "\"/a\"}]}");
	json_t *two_r = parse("{\"service\": \"api\", \"class\": \"x\", "
			      "\"changes\": [{\"path\": \"/a\"}, {\"path\": "
			      "\"/b\"}]}");
	json_t *cont1 = parse("{\"class\": \"unmanaged\", \"container\": "
			      "\"c1\", \"changes\": []}");
	json_t *cont2 = parse("{\"class\": \"unmanaged\", \"container\": "
			      "\"c2\", \"changes\": []}");
	char ka[13], kb[13], kc[13], k1[13], k2[13];

	(void)s;
	findings_key(ka, a, "api");
	findings_key(kb, b, "api");
	findings_key(kc, c, "api");
	assert_int_equal(strlen(ka), 12);
	assert_int_equal(strspn(ka, "0123456789abcdef"), 12);
	/* Values are not part of it: the same field drifting further is
	 * the same finding. */
	assert_string_equal(ka, kb);
	assert_string_not_equal(ka, kc);
	findings_key(kb, a, "web");
	assert_string_not_equal(ka, kb);
	json_object_set_new(a, "class", json_string("conflict"));
	findings_key(kb, a, "api");
	assert_string_not_equal(ka, kb);

	/* Paths are sorted. */
	findings_key(k1, two, "api");
	findings_key(k2, two_r, "api");
	assert_string_equal(k1, k2);
	/* No changes: the container tells them apart. */
	findings_key(k1, cont1, "api");
	findings_key(k2, cont2, "api");
	assert_string_not_equal(k1, k2);

	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(two);
	json_decref(two_r);
	json_decref(cont1);
	json_decref(cont2);
}

/* ---- the lifecycle --------------------------------------------------- */

static void test_findings__new_finding_opens_a_record(void **s)
{
	const char *d = state_dir("new");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *resolved = NULL, *store, *rec, *f = json_array_get(fs, 0);
	char key[13], when[32];

	(void)s;
	findings_key(key, f, "api");
	assert_int_equal(findings_update(fs, d, "api", T0, &resolved), 0);
	assert_int_equal(json_array_size(resolved), 0);
	expect_id(str(f, "id"), T0, key);
	finding_format_time(when, T0);
	assert_string_equal(str(f, "detected_at"), when);

	store = store_of(d, "api");
	assert_string_equal(str(store, "unit"), "api");
	assert_int_equal(json_array_size(json_object_get(store, "records")), 1);
	rec = json_array_get(json_object_get(store, "records"), 0);
	assert_string_equal(str(rec, "key"), key);
	assert_string_equal(str(rec, "id"), str(f, "id"));
	assert_string_equal(str(rec, "status"), "open");
	assert_string_equal(str(rec, "detected_at"), when);
	assert_string_equal(str(rec, "last_seen_at"), when);
	assert_true(json_is_null(json_object_get(rec, "changed_at")));
	assert_true(json_is_null(json_object_get(rec, "resolved_at")));
	assert_true(json_is_null(json_object_get(rec, "time_to_detect_s")));
	assert_true(json_is_null(json_object_get(rec, "time_to_resolve_s")));
	assert_true(json_is_null(json_object_get(rec, "resolution")));
	assert_string_equal(str(json_object_get(rec, "finding"), "id"),
			    str(f, "id"));
	json_decref(store);
	json_decref(resolved);
	json_decref(fs);
}

static void test_findings__seen_again_keeps_id_across_days(void **s)
{
	const char *d = state_dir("again");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *later = one(drift("api", "/services/api/mem_limit", 1, 4));
	json_t *store, *rec;
	char id[64], when[32], seen[32];

	(void)s;
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	snprintf(id, sizeof(id), "%s", str(json_array_get(fs, 0), "id"));
	/* Two days on, finding.c names it by that day: the store wins. */
	assert_int_equal(findings_update(later, d, "api", T0 + 2 * DAY, NULL),
			 0);
	assert_string_equal(str(json_array_get(later, 0), "id"), id);
	finding_format_time(when, T0);
	finding_format_time(seen, T0 + 2 * DAY);
	assert_string_equal(str(json_array_get(later, 0), "detected_at"), when);

	store = store_of(d, "api");
	assert_int_equal(json_array_size(json_object_get(store, "records")), 1);
	rec = json_array_get(json_object_get(store, "records"), 0);
	assert_string_equal(str(rec, "detected_at"), when);
	assert_string_equal(str(rec, "last_seen_at"), seen);
	/* The finding is the last one seen. */
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_array_get(
		    json_object_get(json_object_get(rec, "finding"), "changes"),
		    0),
		"actual")),
	    4);
	json_decref(store);
	json_decref(fs);
	json_decref(later);
}

static void test_findings__gone_is_resolved_with_time_to_resolve(void **s)
{
	const char *d = state_dir("gone");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *none = json_array(), *resolved = NULL, *rec, *list = NULL;
	char when[32];

	(void)s;
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	assert_int_equal(findings_update(none, d, "api", T0 + 120, &resolved),
			 0);
	assert_int_equal(json_array_size(resolved), 1);
	rec = json_array_get(resolved, 0);
	assert_string_equal(str(rec, "id"), str(json_array_get(fs, 0), "id"));
	assert_string_equal(str(rec, "status"), "resolved");
	assert_string_equal(str(rec, "resolution"), "gone");
	finding_format_time(when, T0 + 120);
	assert_string_equal(str(rec, "resolved_at"), when);
	assert_int_equal(
	    json_integer_value(json_object_get(rec, "time_to_resolve_s")), 120);
	json_decref(resolved);

	/* Resolved once: a later pass resolves nothing more. */
	resolved = NULL;
	assert_int_equal(findings_update(none, d, "api", T0 + 180, &resolved),
			 0);
	assert_int_equal(json_array_size(resolved), 0);

	assert_int_equal(findings_list(&list, d, true), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(findings_list(&list, d, false), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	json_decref(resolved);
	json_decref(none);
	json_decref(fs);
}

static void test_findings__time_to_detect_from_audit_events(void **s)
{
	const char *d = state_dir("ttd");
	json_t *f = drift("api", "/services/api/mem_limit", 1, 2);
	json_t *fs, *rec, *store;
	char late[32], early[32], own[32], text[40];

	(void)s;
	finding_format_time(late, T0 - 10);
	finding_format_time(early, T0 - 33);
	finding_format_time(own, T0 - 3600);
	/* The journal's times have milliseconds. */
	snprintf(text, sizeof(text), "%.19s.250Z", early);
	/* mooring's own create and start, earlier, are not the change;
	 * nor is an event that does not say whose it is. */
	json_object_set_new(
	    f, "audit",
	    json_pack("{s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s}, "
		      "{s:s, s:s, s:b}, {s:s, s:s, s:b}], s:b}",
		      "events", "action", "create", "time", own,
		      "outside_mooring", 0, "action", "start", "time", own,
		      "outside_mooring", 0, "action", "update", "time", own,
		      "action", "update", "time", late, "outside_mooring", 1,
		      "action", "update", "time", text, "outside_mooring", 1,
		      "outside_mooring", 1));
	fs = one(f);
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	store = store_of(d, "api");
	rec = json_array_get(json_object_get(store, "records"), 0);
	assert_string_equal(str(rec, "changed_at"), early);
	assert_int_equal(
	    json_integer_value(json_object_get(rec, "time_to_detect_s")), 33);
	json_decref(store);
	json_decref(fs);
}

static void test_findings__only_mooring_events_no_time_to_detect(void **s)
{
	const char *d = state_dir("ttdown");
	json_t *f = drift("api", "/services/api/mem_limit", 1, 2);
	json_t *fs, *rec, *store;
	char own[32];

	(void)s;
	finding_format_time(own, T0 - 3600);
	json_object_set_new(f, "audit",
			    json_pack("{s:[{s:s, s:s, s:b}], s:b}", "events",
				      "action", "create", "time", own,
				      "outside_mooring", 0, "outside_mooring",
				      0));
	fs = one(f);
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	store = store_of(d, "api");
	rec = json_array_get(json_object_get(store, "records"), 0);
	assert_true(json_is_null(json_object_get(rec, "changed_at")));
	assert_true(json_is_null(json_object_get(rec, "time_to_detect_s")));
	json_decref(store);
	json_decref(fs);
}

static void test_findings__resolved_records_are_pruned(void **s)
{
	const char *d = state_dir("prune");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *other = one(drift("api", "/services/api/cpus", 1, 2));
	json_t *store;

	(void)s;
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	/* Resolved at T0 + 1 day, while another one opens. */
	assert_int_equal(findings_update(other, d, "api", T0 + DAY, NULL), 0);
	assert_int_equal(
	    findings_update(other, d, "api",
			    T0 + DAY + (FINDINGS_KEEP_RESOLVED - 1) * DAY,
			    NULL),
	    0);
	store = store_of(d, "api");
	assert_int_equal(json_array_size(json_object_get(store, "records")), 2);
	json_decref(store);

	assert_int_equal(
	    findings_update(other, d, "api",
			    T0 + DAY + (FINDINGS_KEEP_RESOLVED + 1) * DAY,
			    NULL),
	    0);
	store = store_of(d, "api");
	assert_int_equal(json_array_size(json_object_get(store, "records")), 1);
	assert_string_equal(
	    str(json_array_get(json_object_get(store, "records"), 0), "status"),
	    "open");
	json_decref(store);
	json_decref(fs);
	json_decref(other);
}

static void test_findings__back_the_same_day_gets_a_new_id(void **s)
{
	const char *d = state_dir("back");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *back = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *none = json_array(), *found = NULL;
	char first[64];

	(void)s;
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	snprintf(first, sizeof(first), "%s", str(json_array_get(fs, 0), "id"));
	assert_int_equal(findings_update(none, d, "api", T0 + 60, NULL), 0);
	assert_int_equal(findings_update(back, d, "api", T0 + 120, NULL), 0);
	/* Ids stay unique: the resolved record keeps its own. */
	assert_string_not_equal(str(json_array_get(back, 0), "id"), first);
	assert_int_equal(
	    strncmp(str(json_array_get(back, 0), "id"), first, strlen(first)),
	    0);
	assert_int_equal(findings_find(&found, d, first), 0);
	assert_string_equal(str(found, "status"), "resolved");
	json_decref(found);
	assert_int_equal(
	    findings_find(&found, d, str(json_array_get(back, 0), "id")), 0);
	assert_string_equal(str(found, "status"), "open");
	json_decref(found);
	json_decref(fs);
	json_decref(back);
	json_decref(none);
}

static void test_findings__update_at_reports_what_it_opened(void **s)
{
	const char *d = state_dir("opened");
	json_t *fs = json_array(), *opened = NULL, *resolved = NULL;
	json_t *store;

	(void)s;
	json_array_append_new(fs,
			      drift("api", "/services/api/mem_limit", 1, 2));
	json_array_append_new(fs, drift("api", "/services/api/cpus", 1, 2));
	assert_int_equal(
	    findings_update_at(fs, d, "api", T0, T0 - 5, &opened, &resolved),
	    0);
	assert_int_equal(json_array_size(opened), 2);
	assert_int_equal(json_array_size(resolved), 0);
	assert_string_equal(str(json_array_get(opened, 0), "id"),
			    str(json_array_get(fs, 0), "id"));
	assert_string_equal(str(json_array_get(opened, 0), "status"), "open");
	assert_string_equal(str(json_array_get(opened, 1), "id"),
			    str(json_array_get(fs, 1), "id"));
	json_decref(opened);
	json_decref(resolved);

	/* Again in the same second: seen, not opened (a detection time
	 * of now no longer tells). */
	opened = NULL;
	assert_int_equal(
	    findings_update_at(fs, d, "api", T0, T0, &opened, NULL), 0);
	assert_int_equal(json_array_size(opened), 0);
	json_decref(opened);
	store = store_of(d, "api");
	assert_int_equal(json_array_size(json_object_get(store, "records")), 2);
	json_decref(store);

	/* Neither array is required. */
	assert_int_equal(
	    findings_update_at(fs, d, "api", T0 + 1, T0 + 1, NULL, NULL), 0);
	json_decref(fs);
}

static void test_findings__accepted_since_the_plan_stays_resolved(void **s)
{
	const char *d = state_dir("stale");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *stale = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *back = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *opened = NULL, *store, *rec, *f = json_array_get(stale, 0);
	char id[64], when[32];

	(void)s;
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	snprintf(id, sizeof(id), "%s", str(json_array_get(fs, 0), "id"));
	/* The plan reads the host at T0 + 20, the person accepts at
	 * T0 + 30, the pass records at T0 + 40. */
	assert_int_equal(findings_accept(d, id, "fine", NULL, T0 + 30), 0);
	assert_int_equal(findings_update_at(stale, d, "api", T0 + 40, T0 + 20,
					    &opened, NULL),
			 0);
	assert_int_equal(json_array_size(opened), 0);
	json_decref(opened);
	store = store_of(d, "api");
	assert_int_equal(json_array_size(json_object_get(store, "records")), 1);
	rec = json_array_get(json_object_get(store, "records"), 0);
	assert_string_equal(str(rec, "status"), "resolved");
	assert_string_equal(str(rec, "resolution"), "accepted");
	json_decref(store);
	/* The stale finding is named after the accepted record. */
	assert_string_equal(str(f, "id"), id);
	finding_format_time(when, T0);
	assert_string_equal(str(f, "detected_at"), when);

	/* Accepted at the very second of the plan: the plan may have read
	 * the host before it, so it is stale too. */
	assert_int_equal(
	    findings_update_at(stale, d, "api", T0 + 45, T0 + 30, NULL, NULL),
	    0);
	store = store_of(d, "api");
	assert_int_equal(json_array_size(json_object_get(store, "records")), 1);
	json_decref(store);

	/* A plan made after the acceptance that still finds it: the value
	 * was not covered (git moved on, say), a new record opens. */
	opened = NULL;
	assert_int_equal(findings_update_at(back, d, "api", T0 + 100, T0 + 90,
					    &opened, NULL),
			 0);
	assert_int_equal(json_array_size(opened), 1);
	assert_string_not_equal(str(json_array_get(back, 0), "id"), id);
	assert_string_equal(str(json_array_get(opened, 0), "id"),
			    str(json_array_get(back, 0), "id"));
	json_decref(opened);
	json_decref(fs);
	json_decref(stale);
	json_decref(back);
}

static void test_findings__assign_ids_writes_nothing(void **s)
{
	const char *d = state_dir("assign");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *again = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *f = json_array_get(fs, 0);
	char key[13], id[64], when[32];
	char *before, *after, *p;

	(void)s;
	findings_key(key, f, "api");
	/* No store: the id the first recording pass of that day gives. */
	json_object_set_new(f, "detected_at",
			    json_string("2026-11-22T10:22:31Z"));
	assert_int_equal(findings_assign_ids(fs, d, "api"), 0);
	expect_id(str(f, "id"), T0, key);
	assert_false(exists(d, "findings"));
	snprintf(id, sizeof(id), "%s", str(f, "id"));

	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	assert_string_equal(str(f, "id"), id);
	p = path_in(d, "findings/api.json");
	before = read_file(p);
	/* Days later, plan names it as run did, and changes no file. */
	json_object_set_new(json_array_get(again, 0), "detected_at",
			    json_string("2026-11-25T00:00:00Z"));
	assert_int_equal(findings_assign_ids(again, d, "api"), 0);
	assert_string_equal(str(json_array_get(again, 0), "id"), id);
	finding_format_time(when, T0);
	assert_string_equal(str(json_array_get(again, 0), "detected_at"), when);
	after = read_file(p);
	assert_string_equal(before, after);

	/* A bad unit name never reaches a path. */
	assert_int_equal(findings_assign_ids(again, d, "../x"), MOOR_EINVAL);
	free(before);
	free(after);
	free(p);
	json_decref(fs);
	json_decref(again);
}

/* ---- reading --------------------------------------------------------- */

static void test_findings__list_and_find_across_units(void **s)
{
	const char *d = state_dir("list");
	json_t *web = one(drift("web", "/services/web/mem_limit", 1, 2));
	json_t *api1 = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *api2 = json_array(), *list = NULL, *found = NULL;

	(void)s;
	json_array_append_new(api2,
			      drift("api", "/services/api/mem_limit", 1, 2));
	json_array_append_new(api2, drift("api", "/services/api/cpus", 1, 2));
	assert_int_equal(findings_list(&list, d, true), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	assert_int_equal(findings_update(web, d, "web", T0, NULL), 0);
	assert_int_equal(findings_update(api1, d, "api", T0 + 10, NULL), 0);
	assert_int_equal(findings_update(api2, d, "api", T0 + 20, NULL), 0);
	assert_int_equal(findings_list(&list, d, true), 0);
	assert_int_equal(json_array_size(list), 3);
	/* By unit, then by detection. */
	assert_string_equal(str(json_array_get(list, 0), "unit"), "api");
	assert_string_equal(str(json_array_get(list, 0), "id"),
			    str(json_array_get(api1, 0), "id"));
	assert_string_equal(str(json_array_get(list, 1), "unit"), "api");
	assert_string_equal(str(json_array_get(list, 1), "id"),
			    str(json_array_get(api2, 1), "id"));
	assert_string_equal(str(json_array_get(list, 2), "unit"), "web");
	json_decref(list);

	assert_int_equal(
	    findings_find(&found, d, str(json_array_get(web, 0), "id")), 0);
	assert_string_equal(str(found, "unit"), "web");
	assert_string_equal(str(json_object_get(found, "finding"), "service"),
			    "web");
	json_decref(found);
	assert_int_equal(findings_find(&found, d, "drift-20990101-nope"),
			 MOOR_ENOTFOUND);
	assert_err_contains("unknown finding 'drift-20990101-nope'");
	json_decref(web);
	json_decref(api1);
	json_decref(api2);
}

static void test_findings__list_keeps_the_unit_of_the_file(void **s)
{
	const char *d = state_dir("listunit");
	json_t *list = NULL, *found = NULL, *rec;
	size_t i;

	(void)s;
	/* Edited by hand: "unit" keys that are no string, or another
	 * unit's name. */
	write_text(d, "findings/api.json",
		   "{\"unit\": \"api\", \"records\": ["
		   "{\"unit\": 42, \"key\": \"k1\", \"id\": \"drift-a\", "
		   "\"status\": \"open\", \"detected_at\": "
		   "\"2026-11-22T10:00:00Z\", \"finding\": {}},"
		   "{\"unit\": null, \"key\": \"k2\", \"id\": \"drift-b\", "
		   "\"status\": \"open\", \"detected_at\": "
		   "\"2026-11-22T10:00:00Z\", \"finding\": {}},"
		   "{\"unit\": \"web\", \"key\": \"k3\", \"id\": "
		   "\"drift-c\", \"status\": \"open\", \"detected_at\": "
		   "\"2026-11-22T09:00:00Z\", \"finding\": {}}]}");
	write_text(d, "findings/web.json",
		   "{\"unit\": \"web\", \"records\": ["
		   "{\"key\": \"k4\", \"id\": \"drift-d\", \"status\": "
		   "\"open\", \"detected_at\": \"2026-11-22T08:00:00Z\", "
		   "\"finding\": {}}]}");
	assert_int_equal(findings_list(&list, d, false), 0);
	assert_int_equal(json_array_size(list), 4);
	json_array_foreach(list, i, rec)
	{
		/* The unit stays the first key. */
		assert_string_equal(json_object_iter_key(json_object_iter(rec)),
				    "unit");
	}
	/* Sorted by the file's unit, then by detection. */
	assert_string_equal(str(json_array_get(list, 0), "unit"), "api");
	assert_string_equal(str(json_array_get(list, 0), "id"), "drift-c");
	assert_string_equal(str(json_array_get(list, 1), "unit"), "api");
	assert_string_equal(str(json_array_get(list, 1), "id"), "drift-a");
	assert_string_equal(str(json_array_get(list, 2), "unit"), "api");
	assert_string_equal(str(json_array_get(list, 2), "id"), "drift-b");
	assert_string_equal(str(json_array_get(list, 3), "unit"), "web");
	json_decref(list);
	assert_int_equal(findings_find(&found, d, "drift-c"), 0);
	assert_string_equal(str(found, "unit"), "api");
	json_decref(found);
}

/* ---- accept ---------------------------------------------------------- */

static void test_findings__accept_resolves_and_covers(void **s)
{
	const char *d = state_dir("accept");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 512, 2048));
	json_t *acc, *e, *found = NULL, *v512 = json_integer(512);
	json_t *v2048 = json_integer(2048), *v4096 = json_integer(4096);
	json_t *v1024 = json_integer(1024);
	struct findings_accepted *a = NULL;
	struct journal *j = NULL;
	char *p, *text, hash[65], id[64];

	(void)s;
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	snprintf(id, sizeof(id), "%s", str(json_array_get(fs, 0), "id"));
	assert_int_equal(journal_open(&j, d), 0);
	assert_int_equal(
	    findings_accept(d, id, "load test needs 2g", j, T0 + 60), 0);
	journal_close(j);

	assert_int_equal(findings_find(&found, d, id), 0);
	assert_string_equal(str(found, "status"), "resolved");
	assert_string_equal(str(found, "resolution"), "accepted");
	assert_int_equal(
	    json_integer_value(json_object_get(found, "time_to_resolve_s")),
	    60);
	json_decref(found);

	p = path_in(d, "accepted/api.json");
	acc = read_json(p);
	free(p);
	assert_string_equal(str(acc, "unit"), "api");
	assert_int_equal(json_array_size(json_object_get(acc, "accepted")), 1);
	e = json_array_get(json_object_get(acc, "accepted"), 0);
	assert_string_equal(str(e, "finding"), id);
	assert_string_equal(str(e, "service"), "api");
	assert_string_equal(str(e, "path"), "/services/api/mem_limit");
	assert_int_equal(json_integer_value(json_object_get(e, "actual")),
			 2048);
	findings_value_hash(hash, v2048);
	assert_string_equal(str(e, "actual_hash"), hash);
	findings_value_hash(hash, v512);
	assert_string_equal(str(e, "desired_hash"), hash);
	assert_string_equal(str(e, "reason"), "load test needs 2g");
	assert_non_null(str(e, "by"));
	assert_non_null(str(e, "time"));
	json_decref(acc);

	p = path_in(d, "journal/journal.jsonl");
	text = read_file(p);
	free(p);
	assert_non_null(strstr(text, "\"action\":\"accept\""));
	assert_non_null(strstr(text, "load test needs 2g"));
	assert_non_null(strstr(text, id));
	free(text);

	assert_int_equal(findings_accepted_load(&a, d, "api"), 0);
	assert_true(findings_accepted_covers(a, "/services/api/mem_limit", v512,
					     v2048));
	/* A new desired value in git ends it; so does another runtime
	 * value; and it covers only its path. */
	assert_false(findings_accepted_covers(a, "/services/api/mem_limit",
					      v1024, v2048));
	assert_false(findings_accepted_covers(a, "/services/api/mem_limit",
					      v512, v4096));
	assert_false(
	    findings_accepted_covers(a, "/services/api/cpus", v512, v2048));
	assert_false(findings_accepted_covers(NULL, "/services/api/mem_limit",
					      v512, v2048));
	findings_accepted_free(a);

	/* No file: nothing accepted, not an error. */
	a = NULL;
	assert_int_equal(findings_accepted_load(&a, d, "web"), 0);
	assert_false(findings_accepted_covers(a, "/services/web/mem_limit",
					      v512, v2048));
	findings_accepted_free(a);
	findings_accepted_free(NULL);

	json_decref(v512);
	json_decref(v1024);
	json_decref(v2048);
	json_decref(v4096);
	json_decref(fs);
}

static void test_findings__accept_refuses_bad_input(void **s)
{
	const char *d = state_dir("refuse");
	json_t *fs = json_array();
	char id[64], unmanaged[64], nochanges[64];

	(void)s;
	json_array_append_new(fs,
			      drift("api", "/services/api/mem_limit", 1, 2));
	json_array_append_new(
	    fs, parse("{\"unit\": \"api\", \"service\": \"api\", "
		      "\"class\": \"unmanaged\", \"container\": \"c1\", "
		      "\"changes\": []}"));
	json_array_append_new(
	    fs, parse("{\"unit\": \"api\", \"service\": \"api\", "
		      "\"class\": \"unauthorized\", \"container\": \"c2\", "
		      "\"changes\": []}"));
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	snprintf(id, sizeof(id), "%s", str(json_array_get(fs, 0), "id"));
	snprintf(unmanaged, sizeof(unmanaged), "%s",
		 str(json_array_get(fs, 1), "id"));
	snprintf(nochanges, sizeof(nochanges), "%s",
		 str(json_array_get(fs, 2), "id"));

	assert_int_equal(findings_accept(d, id, "", NULL, T0), MOOR_EINVAL);
	assert_err_contains("reason");
	assert_int_equal(findings_accept(d, id, "   ", NULL, T0), MOOR_EINVAL);
	assert_err_contains("must not be empty");
	assert_int_equal(findings_accept(d, id, NULL, NULL, T0), MOOR_EINVAL);
	assert_int_equal(findings_accept(d, id, "two\nlines", NULL, T0),
			 MOOR_EINVAL);
	assert_err_contains("one line");
	assert_int_equal(findings_accept(d, "drift-nope", "why", NULL, T0),
			 MOOR_EINVAL);
	assert_err_contains("unknown finding 'drift-nope'");
	assert_int_equal(findings_accept(d, "", "why", NULL, T0), MOOR_EINVAL);
	assert_int_equal(findings_accept(d, unmanaged, "why", NULL, T0),
			 MOOR_EINVAL);
	assert_err_contains("class 'unmanaged'");
	assert_int_equal(findings_accept(d, nochanges, "why", NULL, T0),
			 MOOR_EINVAL);
	assert_err_contains("no changes");
	/* Nothing was accepted by any of them. */
	assert_false(exists(d, "accepted/api.json"));

	assert_int_equal(findings_accept(d, id, "why", NULL, T0), 0);
	assert_int_equal(findings_accept(d, id, "why", NULL, T0), MOOR_EINVAL);
	assert_err_contains("is resolved already (accepted at");
	json_decref(fs);
}

static void test_findings__accept_refuses_what_is_never_covered(void **s)
{
	/* Accepted values never cover these (plan_decide.c decides them
	 * first): accepting one would only reopen it under a new id. */
	static const struct {
		const char *klass, *relationship, *why;
	} never[] = {
	    {"emergency", "actual_vs_recorded",
	     "is of class 'emergency': an open exception"},
	    {"controller_owned", "actual_vs_recorded",
	     "is of class 'controller_owned': an ownership rule"},
	    {"policy", "desired", "is of class 'policy': a policy finding"},
	    {"unauthorized", "conflict",
	     "is a conflict: git changed the field too"},
	};
	const size_t n = sizeof(never) / sizeof(never[0]);
	const char *d = state_dir("never");
	json_t *fs = json_array(), *list = NULL;

	(void)s;
	for (size_t i = 0; i < n; i++) {
		json_t *f = drift("api", "/services/api/mem_limit", 1, 2);

		json_object_set_new(f, "class", json_string(never[i].klass));
		json_object_set_new(f, "relationship",
				    json_string(never[i].relationship));
		json_array_append_new(fs, f);
	}
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		const char *id = str(json_array_get(fs, i), "id");

		assert_int_equal(findings_accept(d, id, "why", NULL, T0),
				 MOOR_EINVAL);
		assert_err_contains(id);
		assert_err_contains(never[i].why);
	}
	/* All still open, nothing accepted. */
	assert_int_equal(findings_list(&list, d, true), 0);
	assert_int_equal(json_array_size(list), n);
	json_decref(list);
	assert_false(exists(d, "accepted/api.json"));
	json_decref(fs);
}

/* The record is saved before the value: when writing accepted/ fails
 * (here: it would grow over the limit), the record says accepted and
 * the divergence opens again, rather than staying open and later
 * resolving as gone. */
static void test_findings__accept_saves_the_record_first(void **s)
{
	const char *d = state_dir("order");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *doc, *found = NULL;
	size_t big = FINDINGS_MAX_FILE - 400;
	char *reason, *text, *p;
	char hash[65];

	(void)s;
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	memset(hash, 'a', 64);
	hash[64] = '\0';
	reason = malloc(big + 1);
	assert_non_null(reason);
	memset(reason, 'x', big);
	reason[big] = '\0';
	doc = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}", "unit", "api",
			"accepted", "path", "/services/api/cpus", "actual_hash",
			hash, "desired_hash", hash, "reason", reason);
	text = json_dumps(doc, JSON_COMPACT);
	assert_true(strlen(text) < FINDINGS_MAX_FILE);
	write_text(d, "accepted/api.json", text);
	free(text);
	free(reason);
	json_decref(doc);

	assert_int_equal(findings_accept(d, str(json_array_get(fs, 0), "id"),
					 "fine", NULL, T0 + 5),
			 MOOR_ELIMIT);
	assert_int_equal(
	    findings_find(&found, d, str(json_array_get(fs, 0), "id")), 0);
	assert_string_equal(str(found, "status"), "resolved");
	assert_string_equal(str(found, "resolution"), "accepted");
	json_decref(found);
	/* accepted/ as it was. */
	p = path_in(d, "accepted/api.json");
	doc = read_json(p);
	free(p);
	assert_int_equal(json_array_size(json_object_get(doc, "accepted")), 1);
	json_decref(doc);
	json_decref(fs);
}

static void test_findings__value_hash_is_canonical(void **s)
{
	json_t *a = parse("{\"a\": 1, \"b\": [1, 2]}");
	json_t *b = parse("{\"b\": [1, 2], \"a\": 1}");
	json_t *c = parse("{\"b\": [2, 1], \"a\": 1}");
	char ha[65], hb[65], hn[65], hnull[65];

	(void)s;
	findings_value_hash(ha, a);
	findings_value_hash(hb, b);
	assert_string_equal(ha, hb);
	assert_int_equal(strlen(ha), 64);
	findings_value_hash(hb, c);
	assert_string_not_equal(ha, hb);
	/* An absent value hashes as JSON null. */
	findings_value_hash(hn, NULL);
	findings_value_hash(hnull, json_null());
	assert_string_equal(hn, hnull);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* ---- secrets --------------------------------------------------------- */

static void test_findings__masked_secrets_stay_masked(void **s)
{
	const char *d = state_dir("secret");
	static char *files[] = {"compose.yaml"};
	struct unit u = {.name = "api",
			 .path = "stacks/api",
			 .files = files,
			 .nfiles = 1,
			 .risk_tier = "high"};
	unsigned char keybytes[] = "host-key";
	struct finding_key key = {keybytes, 8};
	struct finding_kind k = {"actual_vs_recorded", "unauthorized", NULL,
				 NULL};
	struct ynode *dv = ynode_new_str("hunter2-desired", NULL);
	struct ynode *av = ynode_new_str("hunter2-actual", NULL);
	struct change ch;
	const struct change *chs[] = {&ch};
	struct finding_ctx fc;
	struct findings_accepted *a = NULL;
	json_t *fs, *f, *masked_d, *masked_a;
	char *p, *text, id[64];

	(void)s;
	memset(&ch, 0, sizeof(ch));
	ch.path = "/services/api/environment/DB_PASSWORD";
	ch.desired = dv;
	ch.recorded = dv;
	ch.actual = av;
	memset(&fc, 0, sizeof(fc));
	fc.unit = &u;
	fc.service = "api";
	fc.container = "c1";
	fc.key = &key;
	fc.now = T0;
	f = finding_new(&fc, &k, chs, 1);
	assert_non_null(f);
	fs = one(f);
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), 0);
	snprintf(id, sizeof(id), "%s", str(f, "id"));

	p = path_in(d, "findings/api.json");
	text = read_file(p);
	free(p);
	assert_null(strstr(text, "hunter2"));
	assert_non_null(strstr(text, "\"changed\": true"));
	assert_non_null(strstr(text, "\"hmac\""));
	free(text);

	/* Accepting it keeps the masked form, and covers that form. */
	assert_int_equal(findings_accept(d, id, "rotated by hand", NULL, T0),
			 0);
	p = path_in(d, "accepted/api.json");
	text = read_file(p);
	free(p);
	assert_null(strstr(text, "hunter2"));
	assert_non_null(strstr(text, "\"hmac\""));
	free(text);
	masked_d = finding_value(ch.path, dv, &key);
	masked_a = finding_value(ch.path, av, &key);
	assert_int_equal(findings_accepted_load(&a, d, "api"), 0);
	assert_true(findings_accepted_covers(a, ch.path, masked_d, masked_a));
	/* Another secret value has another HMAC. */
	assert_false(findings_accepted_covers(a, ch.path, masked_d, masked_d));
	findings_accepted_free(a);
	json_decref(masked_d);
	json_decref(masked_a);
	ynode_free(dv);
	ynode_free(av);
	json_decref(fs);
}

/* ---- exceptions ------------------------------------------------------ */

static json_t *exception(const char *incident, time_t expires)
{
	char when[32];

	finding_format_time(when, expires);
	return json_pack("{s:s, s:s, s:[s], s:[s], s:s, s:s}", "incident",
			 incident, "unit", "api", "services", "api", "fields",
			 "/services/api/mem_limit", "expires", when, "reason",
			 "incident load");
}

static void test_findings__exceptions_add_and_expire(void **s)
{
	const char *d = state_dir("exc");
	json_t *e1 = exception("INC-1", T0 + 3600);
	json_t *e2 = exception("INC-2", T0 + 2 * 3600 + 1800);
	json_t *open = NULL, *doc, *x;
	struct journal *j = NULL;
	char *p, *text, when[32];

	(void)s;
	assert_int_equal(findings_exceptions_load(&open, d, T0), 0);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);

	assert_int_equal(journal_open(&j, d), 0);
	assert_int_equal(findings_exception_add(d, e1, j, T0), 0);
	journal_close(j);
	assert_int_equal(findings_exceptions_load(&open, d, T0 + 60), 0);
	assert_int_equal(json_array_size(open), 1);
	x = json_array_get(open, 0);
	assert_string_equal(str(x, "incident"), "INC-1");
	assert_string_equal(str(x, "unit"), "api");
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(x, "services"), 0)),
			    "api");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(x, "fields"), 0)),
	    "/services/api/mem_limit");
	finding_format_time(when, T0 + 3600);
	assert_string_equal(str(x, "expires"), when);
	finding_format_time(when, T0);
	assert_string_equal(str(x, "added_at"), when);
	assert_non_null(str(x, "by"));
	json_decref(open);

	/* Expired: not loaded, and dropped when the file is rewritten. */
	assert_int_equal(findings_exceptions_load(&open, d, T0 + 3600), 0);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);
	assert_int_equal(findings_exception_add(d, e2, NULL, T0 + 2 * 3600), 0);
	p = path_in(d, "exceptions.json");
	doc = read_json(p);
	free(p);
	assert_int_equal(json_array_size(json_object_get(doc, "exceptions")),
			 1);
	assert_string_equal(
	    str(json_array_get(json_object_get(doc, "exceptions"), 0),
		"incident"),
	    "INC-2");
	json_decref(doc);

	p = path_in(d, "journal/journal.jsonl");
	text = read_file(p);
	free(p);
	finding_format_time(when, T0 + 3600);
	assert_non_null(strstr(text, "\"action\":\"exception\""));
	assert_non_null(strstr(text, "INC-1 until "));
	assert_non_null(strstr(text, when));
	assert_non_null(strstr(text, ": incident load"));
	free(text);
	json_decref(e1);
	json_decref(e2);
}

static void test_findings__exceptions_refuse_bad_input(void **s)
{
	const char *d = state_dir("excbad");
	json_t *e = exception("INC-1", T0 + 3600);

	(void)s;
	json_object_set_new(e, "fields",
			    json_pack("[s]", "/networks/default/x"));
	assert_int_equal(findings_exception_add(d, e, NULL, T0), MOOR_EINVAL);
	assert_err_contains("'/services/'");
	json_object_set_new(e, "fields", json_pack("[s]", "/services/"));
	assert_int_equal(findings_exception_add(d, e, NULL, T0), MOOR_EINVAL);
	assert_err_contains("names no service");
	json_object_set_new(e, "fields", json_array());

	json_object_set_new(e, "expires", json_string("2026-11-22T10:00:00Z"));
	assert_int_equal(findings_exception_add(d, e, NULL, T0), MOOR_EINVAL);
	assert_err_contains("expired already");
	json_object_set_new(e, "expires", json_string("tomorrow"));
	assert_int_equal(findings_exception_add(d, e, NULL, T0), MOOR_EINVAL);
	assert_err_contains("'tomorrow'");
	json_object_set_new(e, "expires", json_string("2026-11-23T10:00:00Z"));

	json_object_set_new(e, "unit", json_string("../etc"));
	assert_int_equal(findings_exception_add(d, e, NULL, T0), MOOR_EINVAL);
	assert_err_contains("invalid unit name '../etc'");
	json_object_set_new(e, "unit", json_string("api"));
	json_object_set_new(e, "incident", json_string(""));
	assert_int_equal(findings_exception_add(d, e, NULL, T0), MOOR_EINVAL);
	assert_err_contains("incident");
	assert_false(exists(d, "exceptions.json"));

	/* The whole unit: no services, no fields. */
	json_object_set_new(e, "incident", json_string("INC-9"));
	json_object_del(e, "services");
	json_object_del(e, "fields");
	json_object_del(e, "reason");
	assert_int_equal(findings_exception_add(d, e, NULL, T0), 0);
	assert_true(exists(d, "exceptions.json"));
	json_decref(e);
}

/* ---- metrics --------------------------------------------------------- */

/* An open finding of the last plan as /metrics sees it. */
static json_t *aged(const char *domain, time_t detected, json_int_t budget)
{
	char when[32];
	json_t *f;

	finding_format_time(when, detected);
	f = json_pack("{s:s, s:s, s:s, s:s}", "class", "unauthorized", "domain",
		      domain, "risk", "high", "detected_at", when);
	if (budget >= 0)
		json_object_set_new(f, "budget_s", json_integer(budget));
	return f;
}

static void test_findings__metrics_oldest_with_its_own_budget(void **s)
{
	struct buf out = BUF_INIT(1 << 20);
	struct run_unit u;
	struct controller c;
	time_t now = time(NULL);
	const char *text;

	(void)s;
	memset(&u, 0, sizeof(u));
	memset(&c, 0, sizeof(c));
	u.name = "api";
	u.findings = json_array();
	/* capacity: the oldest (1000s, budget 3600) comes first, a young
	 * one with a short budget last. */
	json_array_append_new(u.findings, aged("capacity", now - 1000, 3600));
	json_array_append_new(u.findings, aged("capacity", now - 10, 60));
	/* runtime: the oldest has no budget, a younger one has: no budget
	 * is shown rather than another finding's. */
	json_array_append_new(u.findings, aged("runtime", now - 500, -1));
	json_array_append_new(u.findings, aged("runtime", now - 20, 30));
	/* network: the oldest comes last. */
	json_array_append_new(u.findings, aged("network", now - 20, 30));
	json_array_append_new(u.findings, aged("network", now - 900, 7200));
	c.units = &u;
	c.nunits = 1;
	run_metrics_findings(&out, &c);
	text = buf_cstr(&out);
	assert_non_null(strstr(text, "mooring_finding_budget_seconds{unit="
				     "\"api\",domain=\"capacity\"} 3600\n"));
	assert_non_null(strstr(text, "mooring_finding_budget_seconds{unit="
				     "\"api\",domain=\"network\"} 7200\n"));
	assert_null(strstr(text, "mooring_finding_budget_seconds{unit="
				 "\"api\",domain=\"runtime\"}"));
	/* The ages are those of the oldest (the clock may tick once). */
	assert_non_null(strstr(text, "mooring_finding_oldest_open_age_seconds{"
				     "unit=\"api\",domain=\"runtime\"} 50"));
	assert_non_null(strstr(text, "mooring_finding_oldest_open_age_seconds{"
				     "unit=\"api\",domain=\"network\"} 90"));
	json_decref(u.findings);
	buf_release(&out);
}

/* ---- the files ------------------------------------------------------- */

static void test_findings__writes_leave_no_temp_files(void **s)
{
	const char *d = state_dir("atomic");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *e = exception("INC-1", T0 + 3600);
	char *sub;

	(void)s;
	for (int i = 0; i < 5; i++)
		assert_int_equal(findings_update(fs, d, "api", T0 + i, NULL),
				 0);
	assert_int_equal(findings_accept(d, str(json_array_get(fs, 0), "id"),
					 "fine", NULL, T0 + 10),
			 0);
	assert_int_equal(findings_exception_add(d, e, NULL, T0), 0);
	assert_int_equal(temp_files(d), 0);
	sub = path_in(d, "findings");
	assert_int_equal(temp_files(sub), 0);
	free(sub);
	sub = path_in(d, "accepted");
	assert_int_equal(temp_files(sub), 0);
	free(sub);
	json_decref(fs);
	json_decref(e);
}

static void test_findings__bounded_and_checked_reads(void **s)
{
	const char *d = state_dir("corrupt");
	json_t *fs = one(drift("api", "/services/api/mem_limit", 1, 2));
	json_t *out = NULL;
	struct findings_accepted *a = NULL;
	char *p, *before, *after;
	int fd;

	(void)s;
	/* Huge: refused before it is read. */
	p = path_in(d, "findings/big.json");
	write_text(d, "findings/big.json", "");
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)FINDINGS_MAX_FILE + 1), 0);
	close(fd);
	assert_int_equal(findings_list(&out, d, true), MOOR_ELIMIT);
	assert_err_contains("too large");
	assert_int_equal(findings_update(fs, d, "big", T0, NULL), MOOR_ELIMIT);
	unlink(p);
	free(p);

	/* Not JSON: the file and the position. */
	write_text(d, "findings/api.json",
		   "{\"unit\": \"api\", \"records\": [");
	assert_int_equal(findings_list(&out, d, false), MOOR_EINVAL);
	assert_err_contains("findings/api.json:");
	p = path_in(d, "findings/api.json");
	before = read_file(p);
	/* A pass does not overwrite what it cannot read. */
	assert_int_equal(findings_update(fs, d, "api", T0, NULL), MOOR_EINVAL);
	after = read_file(p);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(findings_assign_ids(fs, d, "api"), MOOR_EINVAL);
	assert_int_equal(findings_find(&out, d, "x"), MOOR_EINVAL);

	/* JSON of the wrong shape. */
	write_text(d, "findings/api.json", "[1, 2]");
	assert_int_equal(findings_list(&out, d, false), MOOR_EINVAL);
	assert_err_contains("is not a JSON object");
	write_text(d, "findings/api.json",
		   "{\"unit\": \"api\", \"records\": 3}");
	assert_int_equal(findings_list(&out, d, false), MOOR_EINVAL);
	assert_err_contains("'records' is not a list");
	write_text(d, "findings/api.json",
		   "{\"unit\": \"api\", \"records\": [{\"key\": \"k\", \"id\": "
		   "\"x\", \"status\": \"weird\"}]}");
	assert_int_equal(findings_list(&out, d, false), MOOR_EINVAL);
	assert_err_contains("record 0");
	write_text(d, "findings/api.json",
		   "{\"unit\": \"web\", \"records\": []}");
	assert_int_equal(findings_list(&out, d, false), MOOR_EINVAL);
	assert_err_contains("not the findings of unit 'api'");
	unlink(p);
	free(p);

	write_text(d, "accepted/api.json",
		   "{\"unit\": \"api\", \"accepted\": "
		   "[{\"path\": \"/x\"}]}");
	assert_int_equal(findings_accepted_load(&a, d, "api"), MOOR_EINVAL);
	assert_err_contains("entry 0");
	write_text(d, "exceptions.json", "{\"exceptions\": [{}]}");
	assert_int_equal(findings_exceptions_load(&out, d, T0), MOOR_EINVAL);
	assert_err_contains("exception 0");
	write_text(d, "exceptions.json", "\x01\x02garbage");
	assert_int_equal(findings_exceptions_load(&out, d, T0), MOOR_EINVAL);
	assert_err_contains("exceptions.json:");
	json_decref(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_findings__key_is_the_divergence),
	    cmocka_unit_test(test_findings__new_finding_opens_a_record),
	    cmocka_unit_test(test_findings__seen_again_keeps_id_across_days),
	    cmocka_unit_test(
		test_findings__gone_is_resolved_with_time_to_resolve),
	    cmocka_unit_test(test_findings__time_to_detect_from_audit_events),
	    cmocka_unit_test(
		test_findings__only_mooring_events_no_time_to_detect),
	    cmocka_unit_test(test_findings__resolved_records_are_pruned),
	    cmocka_unit_test(test_findings__back_the_same_day_gets_a_new_id),
	    cmocka_unit_test(test_findings__update_at_reports_what_it_opened),
	    cmocka_unit_test(
		test_findings__accepted_since_the_plan_stays_resolved),
	    cmocka_unit_test(test_findings__assign_ids_writes_nothing),
	    cmocka_unit_test(test_findings__list_and_find_across_units),
	    cmocka_unit_test(test_findings__list_keeps_the_unit_of_the_file),
	    cmocka_unit_test(test_findings__accept_resolves_and_covers),
	    cmocka_unit_test(test_findings__accept_refuses_bad_input),
	    cmocka_unit_test(
		test_findings__accept_refuses_what_is_never_covered),
	    cmocka_unit_test(test_findings__accept_saves_the_record_first),
	    cmocka_unit_test(test_findings__value_hash_is_canonical),
	    cmocka_unit_test(test_findings__masked_secrets_stay_masked),
	    cmocka_unit_test(test_findings__exceptions_add_and_expire),
	    cmocka_unit_test(test_findings__exceptions_refuse_bad_input),
	    cmocka_unit_test(test_findings__metrics_oldest_with_its_own_budget),
	    cmocka_unit_test(test_findings__writes_leave_no_temp_files),
	    cmocka_unit_test(test_findings__bounded_and_checked_reads),
	};
	return cmocka_run_group_tests_name("findings", tests, setup, teardown);
}

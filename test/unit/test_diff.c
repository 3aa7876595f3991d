/* Unit tests for diff.c: three-plane, field-by-field service diffs. */
#include "unit.h"

#include "diff.h"
#include "ynode.h"

static struct ynode *load(const char *yaml)
{
	struct ynode *n = NULL;

	if (ynode_load_buffer(&n, yaml, strlen(yaml), "compose.yaml", NULL) < 0)
		fail_msg("load failed: %s", err_last());
	return n;
}

/* Diff three YAML texts (NULL: absent) and return the changes. */
static void diff3(struct changes *c, const char *d, const char *r,
		  const char *a, bool has_recorded)
{
	struct ynode *dn = d ? load(d) : NULL;
	struct ynode *rn = r ? load(r) : NULL;
	struct ynode *an = a ? load(a) : NULL;

	changes_init(c);
	assert_int_equal(diff_service(c, "api", dn, rn, an, has_recorded), 0);
	ynode_free(dn);
	ynode_free(rn);
	ynode_free(an);
}

static void test_diff__equal_planes_have_no_changes(void **state)
{
	const char *svc = "image: x:1\nmem_limit: 536870912\n"
			  "environment: {A: '1', B: null}\n"
			  "command: [sh, -c, true]\n";
	struct changes c;

	(void)state;
	diff3(&c, svc, svc, svc, true);
	assert_int_equal(c.n, 0);
	changes_release(&c);
}

static void test_diff__scalar_change_names_path_and_three_values(void **s)
{
	struct changes c;

	(void)s;
	diff3(&c, "image: x:1\nmem_limit: 536870912\n",
	      "image: x:1\nmem_limit: 536870912\n",
	      "image: x:1\nmem_limit: 2147483648\n", true);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0].path, "/services/api/mem_limit");
	assert_int_equal(c.items[0].desired->u.i, 536870912);
	assert_int_equal(c.items[0].recorded->u.i, 536870912);
	assert_int_equal(c.items[0].actual->u.i, 2147483648LL);
	/* The desired value's provenance. */
	assert_string_equal(c.items[0].mark.file, "compose.yaml");
	assert_int_equal(c.items[0].mark.line, 2);
	changes_release(&c);
}

static void test_diff__maps_recurse_key_by_key(void **s)
{
	struct changes c;

	(void)s;
	diff3(&c, "environment: {A: '1', B: '2', LOG_LEVEL: info}\n", NULL,
	      "environment: {A: '1', B: '3', C: '4'}\n", false);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.items[0].path, "/services/api/environment/B");
	assert_string_equal(c.items[1].path, "/services/api/environment/C");
	assert_null(c.items[1].desired);
	assert_string_equal(c.items[1].actual->text, "4");
	assert_string_equal(c.items[2].path,
			    "/services/api/environment/LOG_LEVEL");
	assert_null(c.items[2].actual);
	assert_null(c.items[2].recorded);
	/* Absent in desired: the enclosing mapping's mark. */
	assert_int_equal(c.items[1].mark.line, 1);
	changes_release(&c);
}

static void test_diff__set_like_lists_ignore_order(void **s)
{
	struct changes c;

	(void)s;
	diff3(&c,
	      "cap_add: [NET_ADMIN, SYS_TIME]\nports: [{target: 80}, "
	      "{target: 443}]\n",
	      NULL,
	      "cap_add: [SYS_TIME, NET_ADMIN]\nports: [{target: 443}, "
	      "{target: 80}]\n",
	      false);
	assert_int_equal(c.n, 0);
	changes_release(&c);
}

static void test_diff__set_like_lists_count_duplicates(void **s)
{
	struct changes c;

	(void)s;
	diff3(&c, "cap_add: [A, A, B]\n", NULL, "cap_add: [A, B, B]\n", false);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0].path, "/services/api/cap_add");
	changes_release(&c);
}

static void test_diff__ordered_lists_compare_in_order(void **s)
{
	struct changes c;

	(void)s;
	diff3(&c, "command: [a, b]\ndns: [1.1.1.1, 8.8.8.8]\n", NULL,
	      "command: [b, a]\ndns: [8.8.8.8, 1.1.1.1]\n", false);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.items[0].path, "/services/api/command");
	assert_int_equal(c.items[0].desired->kind, YNODE_SEQ);
	assert_int_equal(ynode_len(c.items[0].actual), 2);
	assert_string_equal(c.items[1].path, "/services/api/dns");
	changes_release(&c);
}

static void test_diff__path_is_set(void **s)
{
	(void)s;
	assert_true(diff_path_is_set("/services/api/ports"));
	assert_true(diff_path_is_set("/services/a~1b/cap_drop"));
	assert_true(diff_path_is_set("/services/x/volumes"));
	assert_false(diff_path_is_set("/services/x/command"));
	assert_false(diff_path_is_set("/services/x/networks/front/aliases"));
	assert_false(diff_path_is_set("/services/x/ports/0"));
	assert_false(diff_path_is_set("/volumes"));
	assert_false(diff_path_is_set("/services/ports"));
}

static void test_diff__recorded_plane_joins_the_comparison(void **s)
{
	struct changes c;

	(void)s;
	/* A new commit is waiting: desired differs from recorded, actual
	 * equals recorded. */
	diff3(&c, "environment: {LOG_LEVEL: debug}\n",
	      "environment: {LOG_LEVEL: info}\n",
	      "environment: {LOG_LEVEL: info}\n", true);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0].desired->text, "debug");
	assert_string_equal(c.items[0].recorded->text, "info");
	assert_string_equal(c.items[0].actual->text, "info");
	changes_release(&c);

	/* Without a recorded plane, recorded is never compared. */
	diff3(&c, "environment: {LOG_LEVEL: info}\n",
	      "environment: {LOG_LEVEL: stale}\n",
	      "environment: {LOG_LEVEL: info}\n", false);
	assert_int_equal(c.n, 0);
	changes_release(&c);
}

static void test_diff__kind_mismatch_is_a_leaf(void **s)
{
	struct changes c;

	(void)s;
	diff3(&c, "healthcheck: {test: [NONE]}\n", NULL, "healthcheck: x\n",
	      false);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0].path, "/services/api/healthcheck");
	assert_int_equal(c.items[0].desired->kind, YNODE_MAP);
	changes_release(&c);
}

static void test_diff__absent_service_reports_every_leaf(void **s)
{
	struct changes c;

	(void)s;
	diff3(&c, NULL, NULL, "image: x:1\nlabels: {a: b}\n", false);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.items[0].path, "/services/api/image");
	assert_string_equal(c.items[1].path, "/services/api/labels/a");
	changes_release(&c);
}

static void test_diff__pointer_escaping_and_sorting(void **s)
{
	struct changes c;
	struct ynode *d = load("labels: {a/b: '1', c~d: '1', a: '1'}\n");
	struct ynode *a = load("labels: {a/b: '2', c~d: '2', a: '2'}\n");

	(void)s;
	changes_init(&c);
	assert_int_equal(diff_service(&c, "w/x", d, NULL, a, false), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.items[0].path, "/services/w~1x/labels/a");
	assert_string_equal(c.items[1].path, "/services/w~1x/labels/a~1b");
	assert_string_equal(c.items[2].path, "/services/w~1x/labels/c~0d");
	/* A second service appends, sorted within its own range. */
	assert_int_equal(diff_service(&c, "a", d, NULL, NULL, false), 0);
	assert_int_equal(c.n, 6);
	assert_string_equal(c.items[3].path, "/services/a/labels/a");
	changes_release(&c);
	ynode_free(d);
	ynode_free(a);
}

static void test_diff__int_and_float_differ(void **s)
{
	struct changes c;

	(void)s;
	diff3(&c, "cpus: 1.0\n", NULL, "cpus: 1\n", false);
	assert_int_equal(c.n, 1);
	changes_release(&c);
	diff3(&c, "cpus: 0.5\n", NULL, "cpus: 0.5\n", false);
	assert_int_equal(c.n, 0);
	changes_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff__equal_planes_have_no_changes),
	    cmocka_unit_test(
		test_diff__scalar_change_names_path_and_three_values),
	    cmocka_unit_test(test_diff__maps_recurse_key_by_key),
	    cmocka_unit_test(test_diff__set_like_lists_ignore_order),
	    cmocka_unit_test(test_diff__set_like_lists_count_duplicates),
	    cmocka_unit_test(test_diff__ordered_lists_compare_in_order),
	    cmocka_unit_test(test_diff__path_is_set),
	    cmocka_unit_test(test_diff__recorded_plane_joins_the_comparison),
	    cmocka_unit_test(test_diff__kind_mismatch_is_a_leaf),
	    cmocka_unit_test(test_diff__absent_service_reports_every_leaf),
	    cmocka_unit_test(test_diff__pointer_escaping_and_sorting),
	    cmocka_unit_test(test_diff__int_and_float_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

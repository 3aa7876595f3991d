/* Unit tests for emit.c: canonical JSON, readable YAML, provenance. */
#include "unit.h"

#include "buf.h"
#include "emit.h"
#include "ynode.h"

static struct ynode *load(const char *yaml)
{
	struct ynode *n = NULL;

	if (ynode_load_buffer(&n, yaml, strlen(yaml), "t.yaml", NULL) < 0)
		fail_msg("load failed: %s", err_last());
	return n;
}

static void test_emit__json_sorted_compact_is_canonical(void **state)
{
	struct ynode *a = load("b: 1\na: {y: true, x: [1, 2.5, null]}\n");
	struct ynode *b = load("a:\n  x:\n    - 1\n    - 2.5\n    - ~\n"
			       "  y: true\nb: 1\n");
	struct buf ja = BUF_INIT(BUF_UNBOUNDED), jb = BUF_INIT(BUF_UNBOUNDED);

	(void)state;
	assert_int_equal(emit_json(&ja, a, EMIT_SORTED | EMIT_COMPACT), 0);
	assert_int_equal(emit_json(&jb, b, EMIT_SORTED | EMIT_COMPACT), 0);
	assert_string_equal(buf_cstr(&ja),
			    "{\"a\":{\"x\":[1,2.5,null],\"y\":true},\"b\":1}");
	assert_string_equal(buf_cstr(&ja), buf_cstr(&jb));
	buf_release(&ja);
	buf_release(&jb);
	ynode_free(a);
	ynode_free(b);
}

static void test_emit__json_keeps_strings_that_look_like_numbers(void **s)
{
	struct ynode *n = load("a: \"8080\"\nb: 0.1\nc: '1e3'\n");
	struct buf j = BUF_INIT(BUF_UNBOUNDED);

	(void)s;
	assert_int_equal(emit_json(&j, n, EMIT_COMPACT), 0);
	assert_string_equal(buf_cstr(&j),
			    "{\"a\":\"8080\",\"b\":0.1,\"c\":\"1e3\"}");
	buf_release(&j);
	ynode_free(n);
}

/* What emit_yaml writes must load back to an equal tree. */
static void test_emit__yaml_round_trips(void **state)
{
	static const char *const docs[] = {
	    "s:\n  api:\n    image: \"nginx:1.25\"\n    ports:\n"
	    "      - {target: 80, published: \"8080\"}\n"
	    "    environment: {A: \"true\", B: \"\", C: \"yes\", D: \"1.5\","
	    " E: \"a: b\", F: \"x #y\", G: \"-x\", H: \"null\", I: \"\\n\"}\n"
	    "    command: [sh, -c, \"echo $$HOME\"]\n    empty: []\n"
	    "    nested: [[1, 2], {}]\n    f: 1.0\n    n: null\n",
	    "[1, two, {three: 3}]\n",
	    "just a string\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct ynode *a = load(docs[i]), *b = NULL;
		struct buf y = BUF_INIT(BUF_UNBOUNDED);

		assert_int_equal(emit_yaml(&y, a, false), 0);
		if (ynode_load_buffer(&b, y.data, y.len, "out.yaml", NULL))
			fail_msg("output does not load: %s\n%s", err_last(),
				 y.data);
		if (!ynode_equal(a, b))
			fail_msg("round trip changed the tree:\n%s", y.data);
		buf_release(&y);
		ynode_free(a);
		ynode_free(b);
	}
}

static void test_emit__yaml_explain_names_file_line_col(void **state)
{
	struct ynode *n = load("services:\n  api:\n    image: x\n");
	struct buf y = BUF_INIT(BUF_UNBOUNDED);

	(void)state;
	assert_int_equal(emit_yaml(&y, n, true), 0);
	assert_non_null(strstr(y.data, "image: x  # t.yaml:3:12\n"));
	assert_non_null(strstr(y.data, "api:  # t.yaml:3:5\n"));
	buf_release(&y);
	ynode_free(n);
}

static void test_emit__provenance_uses_json_pointers(void **state)
{
	struct ynode *n = load("a/b:\n  \"c~d\": [x, y]\n");
	struct buf j = BUF_INIT(BUF_UNBOUNDED);

	(void)state;
	assert_int_equal(emit_provenance_json(&j, n, EMIT_COMPACT), 0);
	assert_non_null(strstr(j.data, "\"/a~1b/c~0d/1\":\"t.yaml:2:14\""));
	assert_non_null(strstr(j.data, "\"/a~1b/c~0d\":\"t.yaml:2:10\""));
	buf_release(&j);
	ynode_free(n);
}

static void test_emit__json_refuses_invalid_utf8(void **state)
{
	struct ynode *n = ynode_new_str("bad \xff byte", NULL);
	struct buf j = BUF_INIT(BUF_UNBOUNDED);

	(void)state;
	assert_int_equal(emit_json(&j, n, 0), MOOR_EINVAL);
	assert_err_contains("utf-8");
	buf_release(&j);
	ynode_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_emit__json_sorted_compact_is_canonical),
	    cmocka_unit_test(
		test_emit__json_keeps_strings_that_look_like_numbers),
	    cmocka_unit_test(test_emit__yaml_round_trips),
	    cmocka_unit_test(test_emit__yaml_explain_names_file_line_col),
	    cmocka_unit_test(test_emit__provenance_uses_json_pointers),
	    cmocka_unit_test(test_emit__json_refuses_invalid_utf8),
	};
	return cmocka_run_group_tests_name("emit", tests, NULL, NULL);
}

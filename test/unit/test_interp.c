/* Unit tests for interp.c: Compose variable interpolation. */
#include "unit.h"

#include "interp.h"
#include "xalloc.h"
#include "ynode.h"

/* FOO=first, BAR="" (set but empty), JSON={"json":2}; others unset. */
static const char *const test_vars[][2] = {
    {"FOO", "first"},
    {"BAR", ""},
    {"JSON", "{\"json\":2}"},
    {"DB_HOST", "db"},
};

struct test_env {
	unsigned unset_calls;
	char last_unset[64];
	struct ymark last_mark;
	bool had_mark;
};

static const char *test_lookup(void *data, const char *name)
{
	(void)data;
	for (size_t i = 0; i < sizeof(test_vars) / sizeof(test_vars[0]); i++)
		if (strcmp(test_vars[i][0], name) == 0)
			return test_vars[i][1];
	return NULL;
}

static void test_on_unset(void *data, const char *name,
			  const struct ymark *mark)
{
	struct test_env *t = data;

	t->unset_calls++;
	snprintf(t->last_unset, sizeof(t->last_unset), "%s", name);
	t->had_mark = mark != NULL;
	if (mark)
		t->last_mark = *mark;
}

static struct test_env test_state;
static const struct interp_env test_env = {test_lookup, &test_state,
					   test_on_unset};

static int setup(void **state)
{
	(void)state;
	memset(&test_state, 0, sizeof(test_state));
	err_clear();
	return 0;
}

/* Expand and compare, failing with the template in the message. */
static void check_expand(const char *tmpl, const char *want)
{
	char *got = NULL;
	int rc = interp_string(&got, tmpl, &test_env, NULL);

	if (rc != 0)
		fail_msg("'%s': unexpected error '%s'", tmpl, err_last());
	if (strcmp(got, want) != 0)
		fail_msg("'%s': got '%s', expected '%s'", tmpl, got, want);
	free(got);
}

static void check_error(const char *tmpl, int code, const char *msg)
{
	char *got = NULL;
	int rc = interp_string(&got, tmpl, &test_env, NULL);

	if (rc != code)
		fail_msg("'%s': rc %d, expected %d (%s)", tmpl, rc, code,
			 err_last());
	assert_null(got);
	if (strcmp(err_last(), msg) != 0)
		fail_msg("'%s': error '%s', expected '%s'", tmpl, err_last(),
			 msg);
}

static void test_interp__plain_and_escapes(void **state)
{
	(void)state;
	check_expand("foo", "foo");
	check_expand("", "");
	check_expand("$${foo}", "${foo}");
	check_expand("$$FOO", "$FOO");
	check_expand("a $ string", "a $ string");
	check_expand("^REGEX$", "^REGEX$");
	check_expand("$}", "$}");
	check_expand("$", "$");
	check_expand("$1 $-", "$1 $-");
	check_expand("$$$FOO", "$first");
}

static void test_interp__unbraced_and_braced(void **state)
{
	(void)state;
	check_expand("$FOO-bar", "first-bar");
	check_expand("${FOO}bar", "firstbar");
	check_expand("$FOO$FOO", "firstfirst");
	check_expand("x${DB_HOST}:5432", "xdb:5432");
	check_expand("This ${BAR} var", "This  var");
	assert_int_equal(test_state.unset_calls, 0);
}

static void test_interp__unset_reports_each_use(void **state)
{
	(void)state;
	check_expand("This ${missing} var", "This  var");
	assert_int_equal(test_state.unset_calls, 1);
	assert_string_equal(test_state.last_unset, "missing");
	assert_false(test_state.had_mark);
	check_expand("$NOPE/$NOPE", "/");
	assert_int_equal(test_state.unset_calls, 3);
}

static void test_interp__default_forms(void **state)
{
	(void)state;
	check_expand("${missing:-def}", "def");
	check_expand("${missing-def}", "def");
	check_expand("${BAR:-def}", "def");
	check_expand("${BAR-def}", "");
	check_expand("${FOO:-def}", "first");
	check_expand("${FOO-def}", "first");
	check_expand("${BAR:-/non:-alphanumeric}", "/non:-alphanumeric");
	check_expand("${missing:-}", "");
	check_expand("${UNSET-myerror?msg}", "myerror?msg");
	/* A default is not a use of the variable: no warning. */
	assert_int_equal(test_state.unset_calls, 0);
}

static void test_interp__alternative_forms(void **state)
{
	(void)state;
	check_expand("${missing:+alt}", "");
	check_expand("${missing+alt}", "");
	check_expand("${BAR:+alt}", "");
	check_expand("${BAR+alt}", "alt");
	check_expand("${FOO:+alt}", "alt");
	check_expand("${FOO+alt}", "alt");
	assert_int_equal(test_state.unset_calls, 0);
}

static void test_interp__curly_braces_in_default(void **state)
{
	(void)state;
	check_expand("ok ${missing:-{\"json\":1}}", "ok {\"json\":1}");
	check_expand("ok ${JSON-{\"json\":1}}", "ok {\"json\":2}");
	check_expand("${missing:-x}}", "x}");
}

static void test_interp__nested(void **state)
{
	(void)state;
	check_expand("${U:-${V:-${W:-qix}}}", "qix");
	check_expand("${U:-${V:-x}_test_${V:-y}}", "x_test_y");
	check_expand("ok ${BAR+$FOO ${FOO:+second}}", "ok first second");
	check_expand("${U-${FOO} ${FOO}}", "first first");
	check_expand("${U:-$$FOO}", "$FOO");
}

static void test_interp__lazy_branches(void **state)
{
	(void)state;
	/* The unused branch is neither evaluated nor reported. */
	check_expand("${A:+${A},}B", "B");
	assert_int_equal(test_state.unset_calls, 0);
	check_expand("${FOO?${B}}", "first");
	assert_int_equal(test_state.unset_calls, 0);
	check_expand("${FOO:-${ not-parsed}}", "first");
	/* The used one is, once. */
	check_expand("${A:-${B}}", "");
	assert_int_equal(test_state.unset_calls, 1);
	assert_string_equal(test_state.last_unset, "B");
}

static void test_interp__required(void **state)
{
	(void)state;
	check_expand("ok ${FOO:?err}", "ok first");
	check_expand("ok ${BAR?err}", "ok ");
	check_error("not ok ${UNSET_VAR:?Mandatory Variable Unset}",
		    MOOR_EINVAL,
		    "required variable UNSET_VAR is missing a value: "
		    "Mandatory Variable Unset");
	check_error("${BAR:?empty}", MOOR_EINVAL,
		    "required variable BAR is missing a value: empty");
	check_error("${UNSET_VAR:?}", MOOR_EINVAL,
		    "required variable UNSET_VAR is missing a value");
	check_error("${UNSET_VAR?}", MOOR_EINVAL,
		    "required variable UNSET_VAR is missing a value");
	check_error("${UNSET_VAR?Variable ${FOO}}", MOOR_EINVAL,
		    "required variable UNSET_VAR is missing a value: "
		    "Variable first");
	check_error("${X:-${Y:?inner}}", MOOR_EINVAL,
		    "required variable Y is missing a value: inner");
	check_error("${FOO:?a} ${X:?first} ${Y:?second}", MOOR_EINVAL,
		    "required variable X is missing a value: first");
}

static void test_interp__required_with_mark(void **state)
{
	struct ymark m = {"compose.yaml", 4, 12};
	char *got = NULL;

	(void)state;
	assert_int_equal(
	    interp_string(&got, "${DB_PASS:?set it in .env}", &test_env, &m),
	    MOOR_EINVAL);
	assert_string_equal(err_last(),
			    "compose.yaml:4:12: required variable DB_PASS is "
			    "missing a value: set it in .env");
	assert_null(got);
	assert_int_equal(interp_string(&got, "$NOPE", &test_env, &m), 0);
	assert_true(test_state.had_mark);
	assert_int_equal(test_state.last_mark.line, 4);
	assert_int_equal(test_state.last_mark.col, 12);
	free(got);
}

static void test_interp__invalid_templates(void **state)
{
	(void)state;
	check_error("${", MOOR_EINVAL, "invalid template: '${'");
	check_error("${}", MOOR_EINVAL, "invalid template: '${}'");
	check_error("${ }", MOOR_EINVAL, "invalid template: '${ }'");
	check_error("${ foo}", MOOR_EINVAL, "invalid template: '${ foo}'");
	check_error("${foo }", MOOR_EINVAL, "invalid template: '${foo }'");
	check_error("${foo!}", MOOR_EINVAL, "invalid template: '${foo!}'");
	check_error("${foo:}", MOOR_EINVAL, "invalid template: '${foo:}'");
	check_error("${foo:x}", MOOR_EINVAL, "invalid template: '${foo:x}'");
	check_error("${foo", MOOR_EINVAL, "invalid template: '${foo'");
	check_error("${foo:", MOOR_EINVAL, "invalid template: '${foo:'");
	check_error("${1x}", MOOR_EINVAL, "invalid template: '${1x}'");
	check_error("a ${X:-${Y}", MOOR_EINVAL,
		    "invalid template: 'a ${X:-${Y}'");
	check_error("${X:-${}}", MOOR_EINVAL, "invalid template: '${X:-${}}'");
}

static void test_interp__invalid_long_template_is_cut(void **state)
{
	char tmpl[300];
	char *got = NULL;

	(void)state;
	memset(tmpl, 'a', sizeof(tmpl));
	memcpy(tmpl + 200, "${", 2);
	tmpl[sizeof(tmpl) - 1] = '\0';
	assert_int_equal(interp_string(&got, tmpl, &test_env, NULL),
			 MOOR_EINVAL);
	assert_true(strlen(err_last()) < 100);
	assert_err_contains("...'");
}

/* "${A:-" x levels, "x", then "}" x closing. */
static char *nested_defaults(size_t levels, size_t closing)
{
	char *s = xmalloc(levels * 5 + 1 + closing + 1);
	size_t o = 0;

	for (size_t i = 0; i < levels; i++) {
		memcpy(s + o, "${A:-", 5);
		o += 5;
	}
	s[o++] = 'x';
	memset(s + o, '}', closing);
	s[o + closing] = '\0';
	return s;
}

static void test_interp__deep_nesting_is_bounded(void **state)
{
	char *tmpl, *got = NULL;

	(void)state;
	tmpl = nested_defaults(32, 32);
	check_expand(tmpl, "x");
	free(tmpl);

	/* 100000 levels fail fast, without deep recursion. */
	tmpl = nested_defaults(100000, 100000);
	assert_int_equal(interp_string(&got, tmpl, &test_env, NULL),
			 MOOR_ELIMIT);
	assert_err_contains("nests deeper than 32 levels");
	assert_null(got);
	free(tmpl);

	/* Unterminated is an error, whatever the depth. */
	tmpl = nested_defaults(100000, 99999);
	assert_int_equal(interp_string(&got, tmpl, &test_env, NULL),
			 MOOR_EINVAL);
	assert_err_contains("invalid template");
	free(tmpl);

	/* A set variable short-cuts the whole default unevaluated. */
	got = nested_defaults(100000, 100000);
	tmpl = xasprintf("${FOO-%s}", got);
	check_expand(tmpl, "first");
	free(tmpl);
	free(got);
}

static void test_interp__output_is_bounded(void **state)
{
	size_t n = 600000;
	char *tmpl = xmalloc(n * 4 + 1), *got = NULL;

	(void)state;
	/* 600000 x "first" is 3 MB from a 2.4 MB template. */
	for (size_t i = 0; i < n; i++)
		memcpy(tmpl + i * 4, "$FOO", 4);
	tmpl[n * 4] = '\0';
	assert_int_equal(interp_string(&got, tmpl, &test_env, NULL),
			 MOOR_ELIMIT);
	assert_err_contains("exceeds the limit of 1048576 bytes");
	assert_null(got);

	/* A long template that stays under the limit is fine. */
	tmpl[100000 * 4] = '\0';
	assert_int_equal(interp_string(&got, tmpl, &test_env, NULL), 0);
	assert_int_equal(strlen(got), 500000);
	free(got);
	free(tmpl);
}

static void test_interp__stringn_keeps_nul(void **state)
{
	char *got = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(
	    interp_stringn(&got, &len, "a\0$FOO", 6, &test_env, NULL), 0);
	assert_int_equal(len, 7);
	assert_memory_equal(got, "a\0first", 7);
	free(got);
}

static void test_interp__null_env(void **state)
{
	char *got = NULL;

	(void)state;
	assert_int_equal(interp_string(&got, "a${X:-b}$Y", NULL, NULL), 0);
	assert_string_equal(got, "ab");
	free(got);
}

static struct ynode *load(const char *yaml)
{
	struct ynode *root = NULL;

	if (ynode_load_buffer(&root, yaml, strlen(yaml), "compose.yaml",
			      NULL) != 0)
		fail_msg("load: %s", err_last());
	return root;
}

static void test_interp__tree_expands_string_values(void **state)
{
	struct ynode *root = load("services:\n"
				  "  web:\n"
				  "    image: \"nginx:${TAG:-latest}\"\n"
				  "    $FOO: key-is-not-expanded\n"
				  "    ports: [\"${FOO}:80\", 8080]\n"
				  "    replicas: 3\n"
				  "    enabled: true\n"
				  "    cmd: [\"$$HOME\"]\n");
	struct ynode *web, *image, *ports;

	(void)state;
	assert_int_equal(interp_tree(root, &test_env), 0);
	web = ynode_map_get(ynode_map_get(root, "services"), "web");
	image = ynode_map_get(web, "image");
	assert_string_equal(image->text, "nginx:latest");
	assert_int_equal(image->kind, YNODE_STR);
	assert_int_equal(image->mark.line, 3);
	assert_int_equal(image->mark.col, 12);
	assert_string_equal(image->mark.file, "compose.yaml");
	assert_non_null(ynode_map_get(web, "$FOO"));
	ports = ynode_map_get(web, "ports");
	assert_string_equal(ports->u.seq.items[0]->text, "first:80");
	assert_int_equal(ports->u.seq.items[1]->kind, YNODE_INT);
	assert_int_equal(ynode_map_get(web, "replicas")->kind, YNODE_INT);
	assert_string_equal(ynode_map_get(web, "cmd")->u.seq.items[0]->text,
			    "$HOME");
	ynode_free(root);
}

static void test_interp__tree_error_has_mark(void **state)
{
	struct ynode *root = load("services:\n"
				  "  db:\n"
				  "    environment:\n"
				  "      PASS: ${DB_PASS:?set it in .env}\n");

	(void)state;
	assert_int_equal(interp_tree(root, &test_env), MOOR_EINVAL);
	assert_string_equal(err_last(),
			    "compose.yaml:4:13: required variable DB_PASS is "
			    "missing a value: set it in .env");
	ynode_free(root);
}

static void test_interp__tree_unset_gets_mark(void **state)
{
	struct ynode *root = load("a:\n  b: x-$NOPE\n");

	(void)state;
	assert_int_equal(interp_tree(root, &test_env), 0);
	assert_int_equal(test_state.unset_calls, 1);
	assert_true(test_state.had_mark);
	assert_int_equal(test_state.last_mark.line, 2);
	assert_string_equal(
	    ynode_map_get(root, "a")->u.map.items[0].value->text, "x-");
	ynode_free(root);
}

static void test_interp__tree_invalid_template(void **state)
{
	struct ynode *root = load("image: ${\n");

	(void)state;
	assert_int_equal(interp_tree(root, &test_env), MOOR_EINVAL);
	assert_string_equal(err_last(),
			    "compose.yaml:1:8: invalid template: '${'");
	ynode_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_interp__plain_and_escapes, setup),
	    cmocka_unit_test_setup(test_interp__unbraced_and_braced, setup),
	    cmocka_unit_test_setup(test_interp__unset_reports_each_use, setup),
	    cmocka_unit_test_setup(test_interp__default_forms, setup),
	    cmocka_unit_test_setup(test_interp__alternative_forms, setup),
	    cmocka_unit_test_setup(test_interp__curly_braces_in_default, setup),
	    cmocka_unit_test_setup(test_interp__nested, setup),
	    cmocka_unit_test_setup(test_interp__lazy_branches, setup),
	    cmocka_unit_test_setup(test_interp__required, setup),
	    cmocka_unit_test_setup(test_interp__required_with_mark, setup),
	    cmocka_unit_test_setup(test_interp__invalid_templates, setup),
	    cmocka_unit_test_setup(test_interp__invalid_long_template_is_cut,
				   setup),
	    cmocka_unit_test_setup(test_interp__deep_nesting_is_bounded, setup),
	    cmocka_unit_test_setup(test_interp__output_is_bounded, setup),
	    cmocka_unit_test_setup(test_interp__stringn_keeps_nul, setup),
	    cmocka_unit_test_setup(test_interp__null_env, setup),
	    cmocka_unit_test_setup(test_interp__tree_expands_string_values,
				   setup),
	    cmocka_unit_test_setup(test_interp__tree_error_has_mark, setup),
	    cmocka_unit_test_setup(test_interp__tree_unset_gets_mark, setup),
	    cmocka_unit_test_setup(test_interp__tree_invalid_template, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

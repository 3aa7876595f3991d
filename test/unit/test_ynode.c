/* Unit tests for ynode.c, ynode_load.c and ynode_resolve.c. */
#include "unit.h"

#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include "buf.h"
#include "ynode.h"

/* Load s (named "t.yaml") and expect success. */
static struct ynode *load(const char *s)
{
	struct ynode *n = NULL;
	int rc = ynode_load_buffer(&n, s, strlen(s), "t.yaml", NULL);

	if (rc != 0)
		fail_msg("load failed (%d): %s", rc, err_last());
	assert_non_null(n);
	return n;
}

/* Load s and expect error code and an exact message. */
static void load_fails(const char *s, int code, const char *msg)
{
	struct ynode *n = NULL;

	assert_int_equal(ynode_load_buffer(&n, s, strlen(s), "t.yaml", NULL),
			 code);
	assert_null(n);
	assert_string_equal(err_last(), msg);
}

/* The value at a path of keys (maps) and "#i" indices (sequences). */
static const struct ynode *at(const struct ynode *n, const char *path)
{
	char buf[256], *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p && n;
	     p = strtok_r(NULL, ".", &save)) {
		if (p[0] == '#') {
			size_t i = strtoul(p + 1, NULL, 10);

			assert_int_equal(n->kind, YNODE_SEQ);
			n = i < n->u.seq.n ? n->u.seq.items[i] : NULL;
		} else {
			n = ynode_map_get(n, p);
		}
	}
	if (!n)
		fail_msg("no value at '%s'", path);
	return n;
}

static void assert_mark(const struct ymark *m, unsigned line, unsigned col)
{
	if (m->line != line || m->col != col)
		fail_msg("mark %u:%u, expected %u:%u", m->line, m->col, line,
			 col);
}

static void test_ynode__types_plain_scalars(void **state)
{
	static const struct {
		const char *text;
		enum ynode_kind kind;
		long long i;
		double f;
	} cases[] = {
	    {"~", YNODE_NULL, 0, 0},
	    {"null", YNODE_NULL, 0, 0},
	    {"Null", YNODE_NULL, 0, 0},
	    {"NULL", YNODE_NULL, 0, 0},
	    {"", YNODE_NULL, 0, 0},
	    {"true", YNODE_BOOL, 1, 0},
	    {"True", YNODE_BOOL, 1, 0},
	    {"TRUE", YNODE_BOOL, 1, 0},
	    {"false", YNODE_BOOL, 0, 0},
	    {"False", YNODE_BOOL, 0, 0},
	    {"FALSE", YNODE_BOOL, 0, 0},
	    {"yes", YNODE_STR, 0, 0},
	    {"on", YNODE_STR, 0, 0},
	    {"tRUE", YNODE_STR, 0, 0},
	    {"nULL", YNODE_STR, 0, 0},
	    {"0", YNODE_INT, 0, 0},
	    {"42", YNODE_INT, 42, 0},
	    {"-17", YNODE_INT, -17, 0},
	    {"+5", YNODE_INT, 5, 0},
	    {"0x1F", YNODE_INT, 31, 0},
	    {"-0x10", YNODE_INT, -16, 0},
	    {"0o17", YNODE_INT, 15, 0},
	    {"0b101", YNODE_INT, 5, 0},
	    /* go-yaml v3 keeps YAML 1.1 octal (compose `mode: 0440`) */
	    {"0440", YNODE_INT, 288, 0},
	    /* ... and drops underscores before parsing */
	    {"1_000", YNODE_INT, 1000, 0},
	    {"9223372036854775807", YNODE_INT, 9223372036854775807LL, 0},
	    {"-9223372036854775808", YNODE_INT, -9223372036854775807LL - 1, 0},
	    /* only a uint64 holds it: no such type here */
	    {"9223372036854775808", YNODE_STR, 0, 0},
	    /* past uint64, go-yaml's float pattern takes it */
	    {"99999999999999999999", YNODE_FLOAT, 0, 1e20},
	    {"1.5", YNODE_FLOAT, 0, 1.5},
	    {"-1.5e3", YNODE_FLOAT, 0, -1500},
	    {"1e3", YNODE_FLOAT, 0, 1000},
	    {"1.", YNODE_FLOAT, 0, 1},
	    {".5", YNODE_FLOAT, 0, 0.5},
	    {"-.5", YNODE_FLOAT, 0, -0.5},
	    {"08", YNODE_FLOAT, 0, 8},
	    {"1e400", YNODE_STR, 0, 0},
	    {"0x", YNODE_STR, 0, 0},
	    {"0x1p3", YNODE_STR, 0, 0},
	    {"1:2", YNODE_STR, 0, 0},
	    {"1.2.3", YNODE_STR, 0, 0},
	    {"-x", YNODE_STR, 0, 0},
	    {".", YNODE_STR, 0, 0},
	    {"inf", YNODE_STR, 0, 0},
	    {"nan", YNODE_STR, 0, 0},
	    {"2024-01-01", YNODE_STR, 0, 0},
	    {"80:80", YNODE_STR, 0, 0},
	    {"hello world", YNODE_STR, 0, 0},
	};
	static const char *const infs[] = {".inf",  ".Inf",  ".INF", "+.inf",
					   "-.inf", "-.Inf", "-.INF"};
	static const char *const nans[] = {".nan", ".NaN", ".NAN"};
	char doc[128];
	struct ynode *n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(doc, sizeof(doc), "v: %s\n", cases[i].text);
		n = load(doc);
		const struct ynode *v = at(n, "v");

		if (v->kind != cases[i].kind)
			fail_msg("'%s' is %s, expected %s", cases[i].text,
				 ynode_kind_name(v->kind),
				 ynode_kind_name(cases[i].kind));
		assert_string_equal(v->text, cases[i].text);
		assert_int_equal(v->text_len, strlen(cases[i].text));
		assert_int_equal(v->flags, 0);
		if (v->kind == YNODE_INT)
			assert_true(v->u.i == cases[i].i);
		if (v->kind == YNODE_BOOL)
			assert_int_equal(v->u.b, cases[i].i);
		if (v->kind == YNODE_FLOAT)
			assert_true(v->u.f == cases[i].f);
		ynode_free(n);
	}
	for (i = 0; i < sizeof(infs) / sizeof(infs[0]); i++) {
		snprintf(doc, sizeof(doc), "v: %s\n", infs[i]);
		n = load(doc);
		assert_int_equal(at(n, "v")->kind, YNODE_FLOAT);
		assert_true(isinf(at(n, "v")->u.f));
		assert_true((at(n, "v")->u.f < 0) == (infs[i][0] == '-'));
		ynode_free(n);
	}
	for (i = 0; i < sizeof(nans) / sizeof(nans[0]); i++) {
		snprintf(doc, sizeof(doc), "v: %s\n", nans[i]);
		n = load(doc);
		assert_int_equal(at(n, "v")->kind, YNODE_FLOAT);
		assert_true(isnan(at(n, "v")->u.f));
		ynode_free(n);
	}
}

static void test_ynode__quoted_and_block_scalars_are_strings(void **state)
{
	struct ynode *n = load("a: '1'\n"
			       "b: \"true\"\n"
			       "c: |\n  42\n"
			       "d: >-\n  null\n"
			       "e: ''\n"
			       "f: ! 12\n"
			       "g: \"x\\ty\"\n");

	(void)state;
	assert_int_equal(at(n, "a")->kind, YNODE_STR);
	assert_string_equal(at(n, "a")->text, "1");
	assert_int_equal(at(n, "a")->flags, YNODE_F_QUOTED);
	assert_int_equal(at(n, "b")->kind, YNODE_STR);
	assert_int_equal(at(n, "b")->flags, YNODE_F_QUOTED);
	assert_int_equal(at(n, "c")->kind, YNODE_STR);
	assert_string_equal(at(n, "c")->text, "42\n");
	assert_int_equal(at(n, "c")->flags, 0);
	assert_int_equal(at(n, "d")->kind, YNODE_STR);
	assert_string_equal(at(n, "d")->text, "null");
	assert_int_equal(at(n, "e")->kind, YNODE_STR);
	assert_int_equal(at(n, "e")->text_len, 0);
	assert_int_equal(at(n, "f")->kind, YNODE_STR);
	assert_string_equal(at(n, "g")->text, "x\ty");
	ynode_free(n);
}

static void test_ynode__marks_of_values_and_keys(void **state)
{
	struct ynode *n = load("# comment\n"
			       "services:\n"
			       "  web:\n"
			       "    image: nginx\n"
			       "    ports:\n"
			       "      - \"80:80\"\n"
			       "      - {target: 443, published: 8443}\n");
	const struct ynode *web = at(n, "services.web");
	const struct ypair *p;

	(void)state;
	assert_string_equal(n->mark.file, "t.yaml");
	assert_ptr_equal(n->mark.file, ymark_intern("t.yaml"));
	assert_mark(&n->mark, 2, 1);
	assert_mark(&web->mark, 4, 5);
	assert_mark(&at(n, "services.web.image")->mark, 4, 12);
	p = ynode_map_pair(web, "ports");
	assert_non_null(p);
	assert_mark(&p->key_mark, 5, 5);
	assert_ptr_equal(p->key_mark.file, n->mark.file);
	assert_mark(&at(n, "services.web.ports")->mark, 6, 7);
	assert_mark(&at(n, "services.web.ports.#0")->mark, 6, 9);
	assert_mark(&at(n, "services.web.ports.#1")->mark, 7, 9);
	assert_mark(&at(n, "services.web.ports.#1.published")->mark, 7, 34);
	p = ynode_map_pair(at(n, "services.web.ports.#1"), "published");
	assert_mark(&p->key_mark, 7, 23);
	ynode_free(n);
}

static void test_ynode__marks_count_characters_not_bytes(void **state)
{
	struct ynode *n = load("k: ééé\nl: [ä, ö]\n");

	(void)state;
	assert_mark(&at(n, "l.#1")->mark, 2, 8);
	ynode_free(n);
}

static void test_ynode__merge_key_single(void **state)
{
	struct ynode *n = load("x-base: &base\n"
			       "  image: app\n"
			       "  restart: always\n"
			       "svc:\n"
			       "  <<: *base\n"
			       "  restart: \"no\"\n");
	const struct ynode *svc = at(n, "svc");

	(void)state;
	assert_int_equal(ynode_len(svc), 2);
	assert_null(ynode_map_get(svc, "<<"));
	assert_string_equal(at(n, "svc.image")->text, "app");
	/* the copy keeps the marks of what was anchored */
	assert_mark(&at(n, "svc.image")->mark, 2, 10);
	assert_mark(&ynode_map_pair(svc, "image")->key_mark, 2, 3);
	/* the explicit key wins, even written after the merge */
	assert_string_equal(at(n, "svc.restart")->text, "no");
	assert_mark(&at(n, "svc.restart")->mark, 6, 12);
	/* the anchored mapping is untouched */
	assert_string_equal(at(n, "x-base.restart")->text, "always");
	ynode_free(n);
}

static void test_ynode__merge_key_list_earlier_wins(void **state)
{
	struct ynode *n = load("a: &a {x: a, y: a}\n"
			       "b: &b {x: b, z: b}\n"
			       "c:\n"
			       "  w: c\n"
			       "  <<: [*a, *b, {z: inline, v: inline}]\n"
			       "  y: c\n");

	(void)state;
	assert_int_equal(ynode_len(at(n, "c")), 5);
	assert_string_equal(at(n, "c.w")->text, "c");
	assert_string_equal(at(n, "c.x")->text, "a");
	assert_string_equal(at(n, "c.y")->text, "c");
	assert_string_equal(at(n, "c.z")->text, "b");
	assert_string_equal(at(n, "c.v")->text, "inline");
	ynode_free(n);
}

static void test_ynode__merge_key_nested(void **state)
{
	struct ynode *n = load("base: &base {a: 1, env: {X: 1}}\n"
			       "mid: &mid\n"
			       "  <<: *base\n"
			       "  b: 2\n"
			       "top:\n"
			       "  <<: *mid\n"
			       "  c: 3\n"
			       "  env: {Y: 2}\n");

	(void)state;
	assert_int_equal(at(n, "top.a")->u.i, 1);
	assert_int_equal(at(n, "top.b")->u.i, 2);
	assert_int_equal(at(n, "top.c")->u.i, 3);
	/* merges are shallow: env is replaced, not merged */
	assert_int_equal(ynode_len(at(n, "top.env")), 1);
	assert_int_equal(at(n, "top.env.Y")->u.i, 2);
	assert_int_equal(ynode_len(at(n, "mid")), 3);
	ynode_free(n);
}

static void test_ynode__merge_from_anchored_inline_sources(void **state)
{
	/* The sources are anchored where they are written: merging must
	 * leave them whole for the aliases that follow. */
	struct ynode *n = load("a: {<<: &m {x: 1, y: {z: 2}}, x: 0}\n"
			       "b: *m\n"
			       "c: {<<: &l [{p: 1}, &q {r: 2}]}\n"
			       "d: {<<: *l}\n"
			       "e: *q\n"
			       "f: {<<: {k: &inner [1]}, k: 0}\n"
			       "g: *inner\n");

	(void)state;
	assert_int_equal(at(n, "a.x")->u.i, 0);
	assert_int_equal(at(n, "a.y.z")->u.i, 2);
	assert_int_equal(at(n, "b.x")->u.i, 1);
	assert_int_equal(at(n, "b.y.z")->u.i, 2);
	assert_int_equal(at(n, "c.p")->u.i, 1);
	assert_int_equal(at(n, "d.r")->u.i, 2);
	assert_int_equal(at(n, "e.r")->u.i, 2);
	assert_int_equal(at(n, "f.k")->u.i, 0);
	assert_int_equal(at(n, "g.#0")->u.i, 1);
	ynode_free(n);
}

static void test_ynode__merge_key_errors(void **state)
{
	(void)state;
	load_fails("a: &a 1\nb:\n  <<: *a\n", MOOR_EINVAL,
		   "t.yaml:3:7: merge key '<<' needs a mapping or a sequence "
		   "of mappings, not a int");
	load_fails("b:\n  <<: [{a: 1}, 2]\n", MOOR_EINVAL,
		   "t.yaml:2:7: merge key '<<' needs a mapping or a sequence "
		   "of mappings, not a sequence of other values");
	load_fails("b:\n  <<: {a: 1}\n  <<: {b: 1}\n", MOOR_EINVAL,
		   "t.yaml:3:3: duplicate key '<<' (first defined at "
		   "t.yaml:2:3)");
	/* a quoted "<<" is an ordinary key */
	{
		struct ynode *n = load("b: {\"<<\": {a: 1}}\n");

		assert_int_equal(at(n, "b.<<.a")->u.i, 1);
		ynode_free(n);
	}
}

static void test_ynode__anchor_redefinition_later_wins(void **state)
{
	struct ynode *n = load("a: &x 1\n"
			       "b: *x\n"
			       "c: &x [2]\n"
			       "d: *x\n"
			       "e: &x {f: &x 3, g: *x}\n"
			       "h: *x\n");

	(void)state;
	assert_int_equal(at(n, "b")->kind, YNODE_INT);
	assert_int_equal(at(n, "b")->u.i, 1);
	assert_mark(&at(n, "b")->mark, 1, 4);
	assert_int_equal(at(n, "d.#0")->u.i, 2);
	assert_int_equal(at(n, "e.g")->u.i, 3);
	/* the inner &x came later in the text than the outer one */
	assert_int_equal(at(n, "h")->u.i, 3);
	ynode_free(n);
}

static void test_ynode__keys(void **state)
{
	struct ynode *n = load("~: a\n"
			       "1: b\n"
			       "&k key: c\n"
			       "v: &v vv\n"
			       "*v : d\n"
			       "? \"\"\n"
			       ": e\n"
			       "again: *k\n");

	(void)state;
	assert_string_equal(at(n, "~")->text, "a");
	assert_string_equal(at(n, "1")->text, "b");
	assert_string_equal(at(n, "key")->text, "c");
	assert_string_equal(at(n, "vv")->text, "d");
	assert_mark(&ynode_map_pair(n, "vv")->key_mark, 5, 1);
	assert_string_equal(at(n, "again")->text, "key");
	assert_string_equal(ynode_map_get(n, "")->text, "e");
	assert_int_equal(ynode_len(n), 7);
	ynode_free(n);
	load_fails("[a]: 1\n", MOOR_EINVAL,
		   "t.yaml:1:1: mapping key must be a scalar, not a sequence");
	load_fails("? {a: 1}\n: 1\n", MOOR_EINVAL,
		   "t.yaml:1:3: mapping key must be a scalar, not a mapping");
	load_fails("a: &m {b: 1}\n*m : 2\n", MOOR_EINVAL,
		   "t.yaml:2:1: mapping key must be a scalar, not a mapping");
}

static void test_ynode__duplicate_key_names_both_positions(void **state)
{
	(void)state;
	load_fails("services:\n  web:\n    image: a\n    image: b\n",
		   MOOR_EINVAL,
		   "t.yaml:4:5: duplicate key 'image' (first defined at "
		   "t.yaml:3:5)");
	/* keys compare as text, as go-yaml does */
	load_fails("1: a\n\"1\": b\n", MOOR_EINVAL,
		   "t.yaml:2:1: duplicate key '1' (first defined at "
		   "t.yaml:1:1)");
	/* a map big enough to be indexed */
	load_fails("{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, "
		   "j: 0, c: 1}\n",
		   MOOR_EINVAL,
		   "t.yaml:1:62: duplicate key 'c' (first defined at "
		   "t.yaml:1:14)");
}

static void test_ynode__tags(void **state)
{
	struct ynode *n = load("a: !reset []\n"
			       "b: !override {x: 1}\n"
			       "c: !reset\n"
			       "d: !override 8080\n"
			       "e: !!str 42\n"
			       "f: !!int \"42\"\n"
			       "g: !!float 2\n"
			       "h: !!bool \"true\"\n"
			       "i: !!null ''\n"
			       "j: !!map {k: 1}\n"
			       "k: !!seq [1]\n"
			       "l: !reset 'q'\n"
			       "m: !<tag:yaml.org,2002:str> 7\n");

	(void)state;
	assert_int_equal(at(n, "a")->kind, YNODE_SEQ);
	assert_int_equal(at(n, "a")->flags, YNODE_F_RESET);
	assert_int_equal(at(n, "b")->kind, YNODE_MAP);
	assert_int_equal(at(n, "b")->flags, YNODE_F_OVERRIDE);
	assert_int_equal(at(n, "c")->kind, YNODE_NULL);
	assert_int_equal(at(n, "c")->flags, YNODE_F_RESET);
	assert_int_equal(at(n, "d")->kind, YNODE_INT);
	assert_int_equal(at(n, "d")->flags, YNODE_F_OVERRIDE);
	assert_int_equal(at(n, "e")->kind, YNODE_STR);
	assert_int_equal(at(n, "e")->flags, YNODE_F_QUOTED);
	assert_int_equal(at(n, "f")->kind, YNODE_INT);
	assert_int_equal(at(n, "f")->u.i, 42);
	assert_int_equal(at(n, "g")->kind, YNODE_FLOAT);
	assert_true(at(n, "g")->u.f == 2.0);
	assert_int_equal(at(n, "h")->kind, YNODE_BOOL);
	assert_int_equal(at(n, "i")->kind, YNODE_NULL);
	assert_int_equal(at(n, "j")->kind, YNODE_MAP);
	assert_int_equal(at(n, "k")->kind, YNODE_SEQ);
	assert_int_equal(at(n, "l")->kind, YNODE_STR);
	assert_int_equal(at(n, "l")->flags, YNODE_F_RESET | YNODE_F_QUOTED);
	assert_int_equal(at(n, "m")->kind, YNODE_STR);
	ynode_free(n);

	load_fails("a:\n  b: !foo 1\n", MOOR_EINVAL,
		   "t.yaml:2:6: unsupported tag '!foo'");
	load_fails("a: !!binary aGk=\n", MOOR_EINVAL,
		   "t.yaml:1:4: unsupported tag '!!binary'");
	load_fails("a: !foo [1]\n", MOOR_EINVAL,
		   "t.yaml:1:4: unsupported tag '!foo'");
	load_fails("a: !!int abc\n", MOOR_EINVAL,
		   "t.yaml:1:4: cannot use 'abc' as !!int");
	load_fails("a: !!bool 1\n", MOOR_EINVAL,
		   "t.yaml:1:4: cannot use '1' as !!bool");
	load_fails("a: !!map [1]\n", MOOR_EINVAL,
		   "t.yaml:1:4: cannot use tag '!!map' on a sequence");
	load_fails("a: !!seq 1\n", MOOR_EINVAL,
		   "t.yaml:1:4: cannot use tag '!!seq' on a scalar");
}

static void test_ynode__alias_errors(void **state)
{
	(void)state;
	load_fails("a: 1\nb: *nope\n", MOOR_EINVAL,
		   "t.yaml:2:4: unknown anchor 'nope'");
	load_fails("a: &a\n  b: [*a]\n", MOOR_EINVAL,
		   "t.yaml:2:7: alias '*a' is inside its own anchor");
}

static void test_ynode__documents(void **state)
{
	struct ynode *n;

	(void)state;
	n = load("");
	assert_int_equal(n->kind, YNODE_NULL);
	ynode_free(n);
	n = load("# only a comment\n\n");
	assert_int_equal(n->kind, YNODE_NULL);
	ynode_free(n);
	n = load("---\n");
	assert_int_equal(n->kind, YNODE_NULL);
	ynode_free(n);
	n = load("--- 5\n...\n");
	assert_int_equal(n->kind, YNODE_INT);
	ynode_free(n);
	n = load("just text\n");
	assert_int_equal(n->kind, YNODE_STR);
	ynode_free(n);
	load_fails("a: 1\n---\nb: 2\n", MOOR_EINVAL,
		   "t.yaml:2:1: multiple yaml documents are not supported");
	load_fails("a: 1\n...\n---\n", MOOR_EINVAL,
		   "t.yaml:3:1: multiple yaml documents are not supported");
}

static void test_ynode__libyaml_errors_have_positions(void **state)
{
	(void)state;
	load_fails("services:\n  web:\n\timage: x\n", MOOR_EINVAL,
		   "t.yaml:3:1: found character that cannot start any token "
		   "(tabs are not allowed for indentation)");
	load_fails("a: [1, 2\nb: 3\n", MOOR_EINVAL,
		   "t.yaml:2:2: did not find expected ',' or ']' while "
		   "parsing a flow sequence (started at 1:4)");
	load_fails("a: b: c\n", MOOR_EINVAL,
		   "t.yaml:1:5: mapping values are not allowed in this "
		   "context");
	load_fails("a: 'open\n", MOOR_EINVAL,
		   "t.yaml:2:1: found unexpected end of stream while "
		   "scanning a quoted scalar (started at 1:4)");
	load_fails("a: @x\n", MOOR_EINVAL,
		   "t.yaml:1:4: found character that cannot start any token "
		   "while scanning for the next token");
}

static void test_ynode__invalid_input_bytes(void **state)
{
	struct ynode *n = NULL;

	(void)state;
	load_fails("a: 1\nb: x\xff\n", MOOR_EINVAL,
		   "t.yaml:2:5: invalid utf-8 (unexpected byte 0xff)");
	load_fails("a: é\nb: \xc3(\n", MOOR_EINVAL,
		   "t.yaml:2:5: invalid utf-8 (bad continuation byte 0x28)");
	assert_int_equal(
	    ynode_load_buffer(&n, "a: 1\nb: \0x\n", 10, "t.yaml", NULL),
	    MOOR_EINVAL);
	assert_null(n);
	assert_string_equal(err_last(), "t.yaml:2:4: nul byte in input");
	load_fails("a: \"x\\0y\"\n", MOOR_EINVAL,
		   "t.yaml:1:4: nul character in scalar");
	assert_int_equal(ynode_load_buffer(&n, NULL, 0, NULL, NULL), 0);
	assert_int_equal(n->kind, YNODE_NULL);
	assert_string_equal(n->mark.file, "<input>");
	ynode_free(n);
	n = NULL;
	load_fails("a: \x01\n", MOOR_EINVAL,
		   "t.yaml:1:4: control character 0x01 is not allowed");
}

static void test_ynode__limits_scalar_size_and_depth(void **state)
{
	struct ylimits lim = ylimits_default;
	struct ynode *n = NULL;

	(void)state;
	lim.max_scalar_size = 4;
	assert_int_equal(
	    ynode_load_buffer(&n, "a: abcd\nb: abcde\n", 17, "t.yaml", &lim),
	    MOOR_ELIMIT);
	assert_string_equal(err_last(),
			    "t.yaml:2:4: scalar larger than 4 bytes");
	lim = ylimits_default;
	lim.max_depth = 3;
	assert_int_equal(ynode_load_buffer(&n, "a: [[1]]\n", 9, "t.yaml", &lim),
			 0);
	ynode_free(n);
	n = NULL;
	assert_int_equal(
	    ynode_load_buffer(&n, "a:\n  b: [[1]]\n", 14, "t.yaml", &lim),
	    MOOR_ELIMIT);
	assert_string_equal(err_last(),
			    "t.yaml:2:7: nesting deeper than 3 levels");
	/* alias copies cannot build what the text may not */
	assert_int_equal(
	    ynode_load_buffer(&n, "a: &a [[1]]\nb: *a\n", 18, "t.yaml", &lim),
	    0);
	ynode_free(n);
	n = NULL;
	assert_int_equal(
	    ynode_load_buffer(&n, "a: &a [[1]]\nb: [*a]\n", 20, "t.yaml", &lim),
	    MOOR_ELIMIT);
	assert_string_equal(err_last(),
			    "t.yaml:2:5: nesting deeper than 3 levels");
	assert_null(n);
}

static void test_ynode__deep_nesting_fails_fast(void **state)
{
	static const char *const opens[] = {"[", "{a: ", "- "};
	size_t levels = 100000, i, k;
	struct buf b = BUF_INIT(BUF_UNBOUNDED);
	struct ynode *n = NULL;

	(void)state;
	for (k = 0; k < 3; k++) {
		buf_reset(&b);
		for (i = 0; i < levels; i++)
			assert_int_equal(buf_adds(&b, opens[k]), 0);
		assert_int_equal(
		    ynode_load_buffer(&n, b.data, b.len, "deep", NULL),
		    MOOR_ELIMIT);
		assert_null(n);
		assert_err_contains("nesting deeper than 64 levels");
	}
	buf_reset(&b);
	/* exactly the limit is fine */
	for (i = 0; i < 64; i++)
		buf_adds(&b, "[");
	for (i = 0; i < 64; i++)
		buf_adds(&b, "]");
	assert_int_equal(ynode_load_buffer(&n, b.data, b.len, "deep", NULL), 0);
	ynode_free(n);
	buf_release(&b);
}

static void test_ynode__billion_laughs_is_refused(void **state)
{
	const char *doc =
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
	    "\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	struct ynode *n = NULL;

	(void)state;
	assert_int_equal(
	    ynode_load_buffer(&n, doc, strlen(doc), "lol.yaml", NULL),
	    MOOR_ELIMIT);
	assert_null(n);
	assert_err_contains("too much alias expansion (limit 200000 nodes)");
	assert_err_contains("lol.yaml:");
}

static void test_ynode__merge_copies_count_against_budget(void **state)
{
	struct ylimits lim = ylimits_default;
	const char *doc = "a: {<<: &m {x: [1, 2, 3]}}\n"
			  "b: {<<: *m}\n";
	struct ynode *n = NULL;

	(void)state;
	/* merging from the anchored mapping into a copies 4 nodes, the
	 * alias for b another 5 */
	lim.max_alias_nodes = 3;
	assert_int_equal(
	    ynode_load_buffer(&n, doc, strlen(doc), "t.yaml", &lim),
	    MOOR_ELIMIT);
	assert_string_equal(err_last(), "t.yaml:1:9: too much alias "
					"expansion (limit 3 nodes)");
	lim.max_alias_nodes = 8;
	assert_int_equal(
	    ynode_load_buffer(&n, doc, strlen(doc), "t.yaml", &lim),
	    MOOR_ELIMIT);
	assert_string_equal(err_last(), "t.yaml:2:9: too much alias "
					"expansion (limit 8 nodes)");
	lim.max_alias_nodes = 9;
	assert_int_equal(
	    ynode_load_buffer(&n, doc, strlen(doc), "t.yaml", &lim), 0);
	ynode_free(n);
}

static void test_ynode__file_limits(void **state)
{
	char path[] = "/tmp/mooring-ynode-XXXXXX";
	struct ynode *n = NULL;
	char msg[256];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	/* sparse: nothing is written, the size alone must refuse it */
	assert_int_equal(ftruncate(fd, 100 << 20), 0);
	close(fd);
	assert_int_equal(ynode_load_file(&n, path, NULL), MOOR_ELIMIT);
	assert_null(n);
	snprintf(msg, sizeof(msg), "'%s' is too large", path);
	assert_err_contains(msg);
	unlink(path);
	assert_int_equal(ynode_load_file(&n, path, NULL), MOOR_ENOTFOUND);
	assert_err_contains(path);
}

static void test_ynode__load_file_fixture(void **state)
{
	struct ynode *n = NULL;
	const char *path = TEST_RESOURCES "/ynode/compose.yaml";

	(void)state;
	assert_int_equal(ynode_load_file(&n, path, NULL), 0);
	assert_ptr_equal(n->mark.file, ymark_intern(path));
	assert_string_equal(at(n, "services.api.image")->text,
			    "example/api:1.4");
	assert_int_equal(at(n, "services.api.deploy.replicas")->u.i, 2);
	assert_string_equal(at(n, "services.worker.image")->text,
			    "example/api:1.4");
	assert_string_equal(at(n, "services.worker.command.#0")->text,
			    "worker");
	assert_int_equal(at(n, "services.worker.deploy.replicas")->u.i, 1);
	assert_int_equal(at(n, "services.api.ports")->flags, YNODE_F_RESET);
	assert_int_equal(at(n, "configs.app.mode")->u.i, 0440);
	ynode_free(n);
}

static void test_ynode__many_anchors_and_merges(void **state)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);
	struct ynode *n = NULL;
	char key[32];
	size_t i;

	(void)state;
	buf_adds(&b, "x-defaults:\n");
	for (i = 0; i < 300; i++)
		buf_printf(&b,
			   "  d%zu: &d%zu\n"
			   "    restart: unless-stopped\n"
			   "    labels: {team: t%zu, tier: backend}\n"
			   "    environment: &e%zu\n"
			   "      LOG_LEVEL: info\n"
			   "      SHARD: \"%zu\"\n",
			   i, i, i, i, i);
	buf_adds(&b, "services:\n");
	for (i = 0; i < 300; i++)
		buf_printf(&b,
			   "  s%zu:\n"
			   "    <<: [*d%zu, *d%zu]\n"
			   "    image: registry.example/s%zu:1.0\n"
			   "    environment:\n"
			   "      <<: *e%zu\n"
			   "      EXTRA: \"yes\"\n"
			   "    ports: [\"%zu:80\"]\n",
			   i, i, (i + 1) % 300, i, i, 8000 + i);
	assert_int_equal(ynode_load_buffer(&n, b.data, b.len, "big.yaml", NULL),
			 0);
	assert_int_equal(ynode_len(at(n, "services")), 300);
	for (i = 0; i < 300; i += 37) {
		const struct ynode *s;

		snprintf(key, sizeof(key), "s%zu", i);
		s = ynode_map_get(at(n, "services"), key);
		assert_non_null(s);
		assert_int_equal(ynode_len(s), 5);
		assert_string_equal(at(s, "restart")->text, "unless-stopped");
		snprintf(key, sizeof(key), "t%zu", i);
		assert_string_equal(at(s, "labels.team")->text, key);
		assert_int_equal(ynode_len(at(s, "environment")), 3);
	}
	ynode_free(n);
	buf_release(&b);
}

static void test_ynode__constructors_and_free(void **state)
{
	struct ymark m = {ymark_intern("x.yaml"), 3, 4};
	struct ynode *n;

	(void)state;
	n = ynode_new_null(&m);
	assert_int_equal(n->kind, YNODE_NULL);
	assert_string_equal(n->text, "");
	assert_mark(&n->mark, 3, 4);
	ynode_free(n);
	n = ynode_new_bool(true, NULL);
	assert_true(n->u.b);
	assert_null(n->mark.file);
	ynode_free(n);
	n = ynode_new_int(-3, NULL);
	assert_int_equal(n->u.i, -3);
	ynode_free(n);
	n = ynode_new_float(0.25, NULL);
	assert_true(n->u.f == 0.25);
	ynode_free(n);
	n = ynode_new_strn("abcdef", 3, &m);
	assert_string_equal(n->text, "abc");
	assert_int_equal(n->text_len, 3);
	ynode_free(n);
	n = ynode_new_seq(NULL);
	assert_null(n->text);
	assert_int_equal(ynode_len(n), 0);
	ynode_free(n);
	ynode_free(NULL);
	assert_null(ynode_clone(NULL));
	assert_string_equal(ynode_kind_name(YNODE_MAP), "mapping");
	assert_string_equal(ynode_kind_name(YNODE_STR), "string");
	assert_true(ynode_is_scalar(&(struct ynode){.kind = YNODE_NULL}));
	assert_false(ynode_is_scalar(&(struct ynode){.kind = YNODE_SEQ}));
	assert_false(ynode_is_scalar(NULL));
	assert_ptr_equal(ymark_intern("x.yaml"), m.file);
	assert_null(ymark_intern(NULL));
}

static void test_ynode__map_operations(void **state)
{
	struct ymark km = {NULL, 7, 1};
	struct ynode *m = ynode_new_map(NULL), *v;

	(void)state;
	ynode_map_put(m, "b", NULL, ynode_new_int(1, NULL));
	ynode_map_put(m, "a", &km, ynode_new_int(2, NULL));
	ynode_map_put(m, "c", NULL, ynode_new_map(NULL));
	ynode_map_put(ynode_map_get(m, "c"), "z", NULL, ynode_new_null(NULL));
	ynode_map_put(ynode_map_get(m, "c"), "y", NULL, ynode_new_null(NULL));
	assert_int_equal(ynode_len(m), 3);
	assert_string_equal(m->u.map.items[0].key, "b");
	assert_mark(&ynode_map_pair(m, "a")->key_mark, 7, 1);
	/* replacing keeps the position in insertion order */
	ynode_map_put(m, "b", NULL, ynode_new_str("x", NULL));
	assert_int_equal(ynode_len(m), 3);
	assert_string_equal(m->u.map.items[0].key, "b");
	assert_string_equal(ynode_map_get(m, "b")->text, "x");
	assert_null(ynode_map_get(m, "nope"));
	assert_null(ynode_map_pair(m, "nope"));
	assert_null(ynode_map_get(NULL, "a"));
	ynode_map_sort(m, false);
	assert_string_equal(m->u.map.items[0].key, "a");
	assert_string_equal(ynode_map_get(m, "c")->u.map.items[0].key, "z");
	ynode_map_sort(m, true);
	assert_string_equal(ynode_map_get(m, "c")->u.map.items[0].key, "y");
	v = ynode_map_take(m, "b");
	assert_string_equal(v->text, "x");
	ynode_free(v);
	assert_null(ynode_map_take(m, "b"));
	assert_int_equal(ynode_len(m), 2);
	assert_true(ynode_map_del(m, "a"));
	assert_false(ynode_map_del(m, "a"));
	assert_string_equal(m->u.map.items[0].key, "c");
	ynode_free(m);
}

static void test_ynode__sort_reaches_maps_in_sequences(void **state)
{
	struct ynode *n = load("b: [{z: 1, a: 2}]\na: 1\n");

	(void)state;
	ynode_map_sort(n, true);
	assert_string_equal(n->u.map.items[0].key, "a");
	assert_string_equal(at(n, "b.#0")->u.map.items[0].key, "a");
	ynode_free(n);
}

static void test_ynode__seq_operations(void **state)
{
	struct ynode *s = ynode_new_seq(NULL), *v;
	long long i;

	(void)state;
	for (i = 0; i < 10; i++)
		ynode_seq_push(s, ynode_new_int(i, NULL));
	assert_int_equal(ynode_len(s), 10);
	v = ynode_seq_take(s, 3);
	assert_int_equal(v->u.i, 3);
	ynode_free(v);
	assert_int_equal(ynode_len(s), 9);
	assert_int_equal(s->u.seq.items[3]->u.i, 4);
	assert_null(ynode_seq_take(s, 9));
	v = ynode_seq_take(s, 8);
	assert_int_equal(v->u.i, 9);
	ynode_free(v);
	ynode_free(s);
}

static void test_ynode__clone_set_str_swap(void **state)
{
	struct ynode *n = load("a: !reset [1, {b: 'two'}]\nc: 3\n");
	struct ynode *c = ynode_clone(n);
	struct ynode *x, *y;

	(void)state;
	assert_true(ynode_equal(n, c));
	assert_ptr_not_equal(at(n, "a.#1.b"), at(c, "a.#1.b"));
	assert_ptr_not_equal(at(n, "a.#1.b")->text, at(c, "a.#1.b")->text);
	assert_int_equal(at(c, "a")->flags, YNODE_F_RESET);
	assert_mark(&at(c, "a.#1.b")->mark, 1, 19);
	assert_mark(&ynode_map_pair(at(c, "a.#1"), "b")->key_mark, 1, 16);
	ynode_set_str((struct ynode *)at(c, "c"), "three");
	assert_int_equal(at(c, "c")->kind, YNODE_STR);
	assert_string_equal(at(c, "c")->text, "three");
	assert_int_equal(at(c, "c")->text_len, 5);
	assert_mark(&at(c, "c")->mark, 2, 4);
	assert_false(ynode_equal(n, c));
	/* set_str from the node's own text */
	ynode_set_str((struct ynode *)at(c, "c"), at(c, "c")->text + 2);
	assert_string_equal(at(c, "c")->text, "ree");
	x = ynode_new_int(1, NULL);
	y = ynode_new_str("s", NULL);
	ynode_swap(x, y);
	assert_int_equal(x->kind, YNODE_STR);
	assert_int_equal(y->kind, YNODE_INT);
	assert_string_equal(x->text, "s");
	ynode_free(x);
	ynode_free(y);
	ynode_free(c);
	ynode_free(n);
}

static void test_ynode__equal(void **state)
{
	struct ynode *a = load("{x: 1, y: [a, b], z: {p: null}}");
	struct ynode *b = load("z: {p: ~}\ny: [a, b]\nx: 1\n");
	struct ynode *c = load("{x: 1, y: [b, a], z: {p: null}}");
	struct ynode *i = ynode_new_int(1, NULL), *f = ynode_new_float(1, NULL);
	struct ynode *s = ynode_new_str("1", NULL);
	struct ynode *n1 = ynode_new_float(NAN, NULL);
	struct ynode *n2 = ynode_new_float(NAN, NULL);
	struct buf big1 = BUF_INIT(BUF_UNBOUNDED),
		   big2 = BUF_INIT(BUF_UNBOUNDED);
	struct ynode *m1 = NULL, *m2 = NULL, *q;
	int k;

	(void)state;
	assert_true(ynode_equal(a, b));
	assert_false(ynode_equal(a, c));
	assert_false(ynode_equal(i, f));
	assert_false(ynode_equal(i, s));
	assert_true(ynode_equal(n1, n2));
	assert_true(ynode_equal(NULL, NULL));
	assert_false(ynode_equal(a, NULL));
	/* flags and marks are ignored */
	q = load("k: '1'\n");
	assert_true(ynode_equal(s, at(q, "k")));
	ynode_free(q);
	/* large maps, in different orders */
	for (k = 0; k < 40; k++)
		buf_printf(&big1, "k%d: %d\n", k, k);
	for (k = 39; k >= 0; k--)
		buf_printf(&big2, "k%d: %d\n", k, k);
	assert_int_equal(ynode_load_buffer(&m1, big1.data, big1.len, "m", NULL),
			 0);
	assert_int_equal(ynode_load_buffer(&m2, big2.data, big2.len, "m", NULL),
			 0);
	assert_true(ynode_equal(m1, m2));
	ynode_map_put(m2, "k7", NULL, ynode_new_int(8, NULL));
	assert_false(ynode_equal(m1, m2));
	ynode_free(m1);
	ynode_free(m2);
	buf_release(&big1);
	buf_release(&big2);
	ynode_free(a);
	ynode_free(b);
	ynode_free(c);
	ynode_free(i);
	ynode_free(f);
	ynode_free(s);
	ynode_free(n1);
	ynode_free(n2);
}

static void test_ynode__pointer_follows_rfc6901(void **state)
{
	struct ynode *n = NULL;
	const char *doc = "services:\n  api:\n    ports: [80, 443]\n"
			  "    labels: {\"a/b\": x, \"c~d\": y}\n";

	(void)state;
	assert_int_equal(
	    ynode_load_buffer(&n, doc, strlen(doc), "p.yaml", NULL), 0);
	assert_ptr_equal(ynode_pointer(n, ""), n);
	assert_int_equal(ynode_pointer(n, "/services/api/ports/1")->u.i, 443);
	assert_string_equal(ynode_pointer(n, "/services/api/labels/a~1b")->text,
			    "x");
	assert_string_equal(ynode_pointer(n, "/services/api/labels/c~0d")->text,
			    "y");
	/* Absent keys, out-of-range or malformed indexes, bad escapes. */
	assert_null(ynode_pointer(n, "/services/web"));
	assert_null(ynode_pointer(n, "/services/api/ports/2"));
	assert_null(ynode_pointer(n, "/services/api/ports/01"));
	assert_null(ynode_pointer(n, "/services/api/ports/-1"));
	assert_null(ynode_pointer(n, "/services/api/labels/a~2b"));
	assert_null(ynode_pointer(n, "services"));
	assert_null(ynode_pointer(n, "/services/api/ports/0/x"));
	ynode_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ynode__types_plain_scalars),
	    cmocka_unit_test(test_ynode__quoted_and_block_scalars_are_strings),
	    cmocka_unit_test(test_ynode__marks_of_values_and_keys),
	    cmocka_unit_test(test_ynode__marks_count_characters_not_bytes),
	    cmocka_unit_test(test_ynode__merge_key_single),
	    cmocka_unit_test(test_ynode__merge_key_list_earlier_wins),
	    cmocka_unit_test(test_ynode__merge_key_nested),
	    cmocka_unit_test(test_ynode__merge_from_anchored_inline_sources),
	    cmocka_unit_test(test_ynode__merge_key_errors),
	    cmocka_unit_test(test_ynode__anchor_redefinition_later_wins),
	    cmocka_unit_test(test_ynode__keys),
	    cmocka_unit_test(test_ynode__duplicate_key_names_both_positions),
	    cmocka_unit_test(test_ynode__tags),
	    cmocka_unit_test(test_ynode__alias_errors),
	    cmocka_unit_test(test_ynode__documents),
	    cmocka_unit_test(test_ynode__libyaml_errors_have_positions),
	    cmocka_unit_test(test_ynode__invalid_input_bytes),
	    cmocka_unit_test(test_ynode__limits_scalar_size_and_depth),
	    cmocka_unit_test(test_ynode__deep_nesting_fails_fast),
	    cmocka_unit_test(test_ynode__billion_laughs_is_refused),
	    cmocka_unit_test(test_ynode__merge_copies_count_against_budget),
	    cmocka_unit_test(test_ynode__file_limits),
	    cmocka_unit_test(test_ynode__load_file_fixture),
	    cmocka_unit_test(test_ynode__many_anchors_and_merges),
	    cmocka_unit_test(test_ynode__constructors_and_free),
	    cmocka_unit_test(test_ynode__map_operations),
	    cmocka_unit_test(test_ynode__sort_reaches_maps_in_sequences),
	    cmocka_unit_test(test_ynode__seq_operations),
	    cmocka_unit_test(test_ynode__clone_set_str_swap),
	    cmocka_unit_test(test_ynode__equal),
	    cmocka_unit_test(test_ynode__pointer_follows_rfc6901),
	};
	return cmocka_run_group_tests_name("ynode", tests, NULL, NULL);
}

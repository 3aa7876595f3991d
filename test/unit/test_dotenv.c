/* Unit tests for dotenv.c: .env and env_file parsing. */
#include "unit.h"

#include "dotenv.h"
#include "xalloc.h"

/* The "process environment" of these tests. */
static const char *const test_vars[][2] = {
    {"HOST_ENV", "from-env"},
    {"OPTION_A", "5"},
    {"EMPTY", ""},
};

static unsigned unset_calls;

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
	(void)data;
	(void)name;
	(void)mark;
	unset_calls++;
}

static const struct interp_env test_env = {test_lookup, NULL, test_on_unset};

static int setup(void **state)
{
	(void)state;
	unset_calls = 0;
	err_clear();
	return 0;
}

static int parse(struct strmap *m, const char *text,
		 const struct interp_env *env)
{
	return dotenv_parse(m, text, strlen(text), ".env", env);
}

static void check_value(const struct strmap *m, const char *key,
			const char *want)
{
	const struct strmap_entry *e = strmap_find(m, key);

	if (!e)
		fail_msg("key '%s' missing", key);
	if (!e->value || strcmp(e->value, want) != 0)
		fail_msg("key '%s' is '%s', expected '%s'", key,
			 e->value ? e->value : "(null)", want);
}

/* Parse a one-entry document and check the value of KEY. */
static void check_line(const char *text, const char *key, const char *want)
{
	struct strmap m = STRMAP_INIT;

	if (parse(&m, text, NULL) != 0)
		fail_msg("'%s': %s", text, err_last());
	check_value(&m, key, want);
	strmap_release(&m);
}

static void check_fail(const char *text, int code, const char *msg)
{
	struct strmap m = STRMAP_INIT;
	int rc = parse(&m, text, &test_env);

	if (rc != code)
		fail_msg("'%s': rc %d, expected %d (%s)", text, rc, code,
			 err_last());
	if (strcmp(err_last(), msg) != 0)
		fail_msg("'%s': error '%s', expected '%s'", text, err_last(),
			 msg);
	strmap_release(&m);
}

static void test_dotenv__plain_lines(void **state)
{
	struct strmap m = STRMAP_INIT;

	(void)state;
	assert_int_equal(parse(&m,
			       "# comment\n"
			       "\n"
			       "OPTION_A=1\n"
			       "OPTION_C= 3\n"
			       "OPTION_D =4\n"
			       "OPTION_E = 5\n"
			       "456 = ABC\n"
			       "OPTION_F = \n"
			       "OPTION_G=\n"
			       "OPTION_H = my string # Inline comment\n"
			       "   INDENTED=yes\n",
			       NULL),
			 0);
	check_value(&m, "OPTION_A", "1");
	check_value(&m, "OPTION_C", "3");
	check_value(&m, "OPTION_D", "4");
	check_value(&m, "OPTION_E", "5");
	check_value(&m, "456", "ABC");
	check_value(&m, "OPTION_F", "");
	check_value(&m, "OPTION_G", "");
	check_value(&m, "OPTION_H", "my string");
	check_value(&m, "INDENTED", "yes");
	assert_int_equal(m.n, 9);
	/* Insertion order is kept. */
	assert_string_equal(m.items[0].key, "OPTION_A");
	assert_string_equal(m.items[4].key, "456");
	strmap_release(&m);
}

static void test_dotenv__unquoted_values(void **state)
{
	(void)state;
	check_line("FOO=bar ", "FOO", "bar");
	check_line("FOO=bar # this is foo", "FOO", "bar");
	check_line("FOO=bar #", "FOO", "bar");
	check_line("FOO=123#not-a-comment", "FOO", "123#not-a-comment");
	check_line("FOO=foobar=", "FOO", "foobar=");
	check_line("FOO=a\\tb", "FOO", "a\\tb");
	check_line("OPTION_A=1:B", "OPTION_A", "1:B");
	check_line("FOO=some unquoted phrase è", "FOO",
		   "some unquoted phrase è");
}

static void test_dotenv__keys(void **state)
{
	(void)state;
	check_line("OPTION_A: 1", "OPTION_A", "1");
	check_line("OPTION_A: Foo=bar", "OPTION_A", "Foo=bar");
	check_line("export OPTION_A=2", "OPTION_A", "2");
	check_line("export\tOPTION_A=2", "OPTION_A", "2");
	check_line("  export OPTION_A=\"export A\"", "OPTION_A", "export A");
	check_line("exportFOO=2", "exportFOO", "2");
	check_line("export.FOO= 2", "export.FOO", "2");
	check_line("VAR.WITH.DOTS=dots", "VAR.WITH.DOTS", "dots");
	check_line("VAR-WITH-DASHES=dashes", "VAR-WITH-DASHES", "dashes");
	check_line("a[1]=c", "a[1]", "c");
	check_line("árvíztűrő-TÜKÖR=x", "árvíztűrő-TÜKÖR", "x");
	check_line("=\"value\"", "", "value");
}

static void test_dotenv__single_quotes_are_literal(void **state)
{
	(void)state;
	check_line("FOO='bar'", "FOO", "bar");
	check_line("FOO='\\n'", "FOO", "\\n");
	check_line("FOO='quote $HOST_ENV'", "FOO", "quote $HOST_ENV");
	check_line("FOO='Let\\'s go!'", "FOO", "Let's go!");
	check_line("FOO='ba#r' # comment", "FOO", "ba#r");
	check_line("FOO='a\nb'", "FOO", "a\nb");
}

static void test_dotenv__double_quote_escapes(void **state)
{
	(void)state;
	check_line("FOO=\"bar\\nbaz\"", "FOO", "bar\nbaz");
	check_line("FOO=\"a\\tb\"", "FOO", "a\tb");
	check_line("FOO=\"escaped\\\"bar\"", "FOO", "escaped\"bar");
	check_line("KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"", "KEY",
		   "Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ");
	check_line("FOO=\"bar\\\\r\\ b\\az\"", "FOO", "bar\\r\\ b\az");
	check_line("FOO=\"bar\\nbaz\\\\\"", "FOO", "bar\nbaz\\");
	check_line("KEY=\"\\x07 \\u12e4\"", "KEY", "\\x07 \\u12e4");
	check_line("FOO=\"bar#baz\" # comment", "FOO", "bar#baz");
	check_line("FOO=\"bar#baz\"#", "FOO", "bar#baz");
	check_line("FOO=\"line1\nline2\"", "FOO", "line1\nline2");
	check_line("FOO=\"\\0303\\0251\"", "FOO", "\xc3\x83\xc2\xa9");
}

static void test_dotenv__expansion(void **state)
{
	struct strmap m = STRMAP_INIT;

	(void)state;
	assert_int_equal(parse(&m,
			       "OPTION_A=1\n"
			       "OPTION_B=${OPTION_A}\n"
			       "LOCAL=test\n"
			       "C=$LOCAL-${LOCAL}\n"
			       "D=\"quote $LOCAL\"\n"
			       "E='quote $LOCAL'\n"
			       "F=\"foo\\${LOCAL} ${LOCAL} \\$LOCAL $$\"\n"
			       "G=${NOPE:-dflt}\n"
			       "H=${NOPE}\n"
			       "I=${EMPTY-x}${EMPTY:-y}\n",
			       &test_env),
			 0);
	/* The environment wins over the document when expanding... */
	check_value(&m, "OPTION_B", "5");
	/* ...but not for the document's own value. */
	check_value(&m, "OPTION_A", "1");
	check_value(&m, "C", "test-test");
	check_value(&m, "D", "quote test");
	check_value(&m, "E", "quote $LOCAL");
	check_value(&m, "F", "foo${LOCAL} test $LOCAL $");
	check_value(&m, "G", "dflt");
	check_value(&m, "H", "");
	check_value(&m, "I", "y");
	assert_int_equal(unset_calls, 1);
	strmap_release(&m);
}

static void test_dotenv__bare_key_inherits(void **state)
{
	struct strmap m = STRMAP_INIT;

	(void)state;
	assert_int_equal(parse(&m,
			       "foo=bar\n"
			       "HOST_ENV\n"
			       "NOT_IN_ENV\n"
			       "LAST_NO_NEWLINE=1\n"
			       "OPTION_A",
			       &test_env),
			 0);
	check_value(&m, "HOST_ENV", "from-env");
	check_value(&m, "OPTION_A", "5");
	assert_false(strmap_has(&m, "NOT_IN_ENV"));
	assert_int_equal(m.n, 4);
	strmap_release(&m);
	/* With no env, a bare key is left out. */
	assert_int_equal(parse(&m, "HOST_ENV\n", NULL), 0);
	assert_int_equal(m.n, 0);
	strmap_release(&m);
}

static void test_dotenv__bom_and_crlf(void **state)
{
	struct strmap m = STRMAP_INIT;

	(void)state;
	assert_int_equal(parse(&m,
			       "\xEF\xBB\xBFOPTION_A=1\r\n"
			       "B=\"x\r\ny\"\r\n"
			       "C=3 # c\r\n",
			       NULL),
			 0);
	check_value(&m, "OPTION_A", "1");
	check_value(&m, "B", "x\ny");
	check_value(&m, "C", "3");
	strmap_release(&m);
}

static void test_dotenv__marks_record_file_and_line(void **state)
{
	struct strmap m = STRMAP_INIT;
	const struct strmap_entry *e;

	(void)state;
	assert_int_equal(parse(&m,
			       "# c\n"
			       "A=1\n"
			       "B=\"multi\n"
			       "line\"\n"
			       "\n"
			       "C=3\n",
			       NULL),
			 0);
	e = strmap_find(&m, "A");
	assert_string_equal(e->mark.file, ".env");
	assert_int_equal(e->mark.line, 2);
	assert_int_equal(e->mark.col, 0);
	assert_int_equal(strmap_find(&m, "B")->mark.line, 3);
	assert_int_equal(strmap_find(&m, "C")->mark.line, 6);
	strmap_release(&m);
}

static void test_dotenv__several_files_into_one_map(void **state)
{
	struct strmap m = STRMAP_INIT;
	const char *one = "HOSTNAME=localhost\nURL=\"http://${HOSTNAME}\"\n";
	const char *two =
	    "HOSTNAME=dev.example.com\nURL=\"http://${HOSTNAME}\"\n";

	(void)state;
	assert_int_equal(dotenv_parse(&m, one, strlen(one), "a.env", NULL), 0);
	assert_int_equal(dotenv_parse(&m, two, strlen(two), "b.env", NULL), 0);
	check_value(&m, "HOSTNAME", "dev.example.com");
	check_value(&m, "URL", "http://dev.example.com");
	assert_int_equal(m.n, 2);
	assert_string_equal(strmap_find(&m, "URL")->mark.file, "b.env");
	strmap_release(&m);
}

static void test_dotenv__errors(void **state)
{
	(void)state;
	check_fail("# c\nfoo=\"\n  a\n\"\nINVALID LINE\nzot=qix", MOOR_EINVAL,
		   ".env:5: key cannot contain a space");
	check_fail("lol$wut", MOOR_EINVAL,
		   ".env:1: unexpected character \"$\" in variable name "
		   "\"lol$wut\"");
	check_fail("A=1\n%!(EXTRA string)=foo", MOOR_EINVAL,
		   ".env:2: unexpected character \"%\" in variable name "
		   "\"%!(EXTRA string)=foo\"");
	check_fail("A=1\nKEY=\"value", MOOR_EINVAL,
		   ".env:2: unterminated quoted value \"\\\"value\"");
	check_fail("KEY='value\\'", MOOR_EINVAL,
		   ".env:1: unterminated quoted value \"'value\\\\'\"");
	check_fail("KEY=\"value'", MOOR_EINVAL,
		   ".env:1: unterminated quoted value \"\\\"value'\"");
	check_fail("A=1\nB=${NOPE:?set B}\n", MOOR_EINVAL,
		   ".env:2: required variable NOPE is missing a value: set B");
	check_fail("A=\"x\n\ny\"\nB=${\n", MOOR_EINVAL,
		   ".env:4: invalid template: '${'");
	check_fail("A=\"\\0\"", MOOR_EINVAL,
		   ".env:1: value contains a nul character");
}

static void test_dotenv__error_without_file_name(void **state)
{
	struct strmap m = STRMAP_INIT;
	const char *text = "A=1\n\nINVALID LINE\n";

	(void)state;
	assert_int_equal(dotenv_parse(&m, text, strlen(text), NULL, NULL),
			 MOOR_EINVAL);
	assert_string_equal(err_last(), "line 3: key cannot contain a space");
	strmap_release(&m);
}

static void test_dotenv__nul_byte_is_refused(void **state)
{
	struct strmap m = STRMAP_INIT;

	(void)state;
	assert_int_equal(dotenv_parse(&m, "A=1\nB=\0x\n", 8, ".env", NULL),
			 MOOR_EINVAL);
	assert_string_equal(err_last(), ".env:2: file contains a nul byte");
	strmap_release(&m);
}

static void test_dotenv__hostile_expansion_is_bounded(void **state)
{
	size_t refs = 600000, o = 0;
	char *text = xmalloc(16 + refs * 3 + 2);
	struct strmap m = STRMAP_INIT;

	(void)state;
	/* A=xx, B=$A$A$A... : 1.2 MB of output from a 1.8 MB line. */
	memcpy(text, "A=xx\nB=", 7);
	o = 7;
	for (size_t i = 0; i < refs; i++) {
		memcpy(text + o, "$A ", 3);
		o += 3;
	}
	text[o++] = '\n';
	text[o] = '\0';
	assert_int_equal(dotenv_parse(&m, text, o, ".env", NULL), MOOR_ELIMIT);
	assert_err_contains(".env:2: interpolated value exceeds the limit");
	strmap_release(&m);
	free(text);
}

static void test_dotenv__deep_nesting_is_bounded(void **state)
{
	size_t levels = 50000, o = 2;
	char *text = xmalloc(levels * 5 + 2 + levels + 2);
	struct strmap m = STRMAP_INIT;

	(void)state;
	memcpy(text, "A=", 2);
	for (size_t i = 0; i < levels; i++) {
		memcpy(text + o, "${X:-", 5);
		o += 5;
	}
	memset(text + o, '}', levels);
	o += levels;
	text[o] = '\0';
	assert_int_equal(dotenv_parse(&m, text, o, ".env", NULL), MOOR_ELIMIT);
	assert_err_contains("nests deeper than 32 levels");
	strmap_release(&m);
	free(text);
}

static void test_dotenv__variable_count_is_bounded(void **state)
{
	size_t n = 10001, o = 0;
	char *text = xmalloc(n * 16);
	struct strmap m = STRMAP_INIT;

	(void)state;
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, 16, "V%zu=1\n", i);
	assert_int_equal(dotenv_parse(&m, text, o, ".env", NULL), MOOR_ELIMIT);
	assert_string_equal(err_last(),
			    ".env:10001: more than 10000 variables");
	strmap_release(&m);
	free(text);
}

static void test_dotenv__many_references_are_fast(void **state)
{
	/* 2000 variables and 200000 references: linear lookups would do
	 * 4e8 comparisons; the index makes this instant. */
	size_t nvars = 2000, refs = 200000, o = 0;
	char *text = xmalloc(nvars * 16 + refs * 6 + 16);
	struct strmap m = STRMAP_INIT;

	(void)state;
	for (size_t i = 0; i < nvars; i++)
		o += (size_t)snprintf(text + o, 16, "V%zu=\n", i);
	memcpy(text + o, "Z=", 2);
	o += 2;
	for (size_t i = 0; i < refs; i++) {
		memcpy(text + o, "$V1999", 6);
		o += 6;
	}
	text[o] = '\0';
	assert_int_equal(dotenv_parse(&m, text, o, ".env", NULL), 0);
	check_value(&m, "Z", "");
	strmap_release(&m);
	free(text);
}

static void test_dotenv__raw(void **state)
{
	struct strmap m = STRMAP_INIT;
	const char *text = "\xEF\xBB\xBF# comment\n"
			   "\n"
			   "A=\"quoted\" # not a comment\r\n"
			   "B=$HOST_ENV ${X}\n"
			   "C=\n"
			   "D\n"
			   "E=a=b\n";

	(void)state;
	assert_int_equal(dotenv_parse_raw(&m, text, strlen(text), "raw.env"),
			 0);
	check_value(&m, "A", "\"quoted\" # not a comment");
	check_value(&m, "B", "$HOST_ENV ${X}");
	check_value(&m, "C", "");
	assert_true(strmap_has(&m, "D"));
	assert_null(strmap_get(&m, "D"));
	check_value(&m, "E", "a=b");
	assert_int_equal(strmap_find(&m, "E")->mark.line, 7);
	assert_string_equal(strmap_find(&m, "E")->mark.file, "raw.env");
	strmap_release(&m);

	assert_int_equal(dotenv_parse_raw(&m, "A=1\n=2\n", 7, "raw.env"),
			 MOOR_EINVAL);
	assert_string_equal(err_last(), "raw.env:2: missing variable name");
	strmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_dotenv__plain_lines, setup),
	    cmocka_unit_test_setup(test_dotenv__unquoted_values, setup),
	    cmocka_unit_test_setup(test_dotenv__keys, setup),
	    cmocka_unit_test_setup(test_dotenv__single_quotes_are_literal,
				   setup),
	    cmocka_unit_test_setup(test_dotenv__double_quote_escapes, setup),
	    cmocka_unit_test_setup(test_dotenv__expansion, setup),
	    cmocka_unit_test_setup(test_dotenv__bare_key_inherits, setup),
	    cmocka_unit_test_setup(test_dotenv__bom_and_crlf, setup),
	    cmocka_unit_test_setup(test_dotenv__marks_record_file_and_line,
				   setup),
	    cmocka_unit_test_setup(test_dotenv__several_files_into_one_map,
				   setup),
	    cmocka_unit_test_setup(test_dotenv__errors, setup),
	    cmocka_unit_test_setup(test_dotenv__error_without_file_name, setup),
	    cmocka_unit_test_setup(test_dotenv__nul_byte_is_refused, setup),
	    cmocka_unit_test_setup(test_dotenv__hostile_expansion_is_bounded,
				   setup),
	    cmocka_unit_test_setup(test_dotenv__deep_nesting_is_bounded, setup),
	    cmocka_unit_test_setup(test_dotenv__variable_count_is_bounded,
				   setup),
	    cmocka_unit_test_setup(test_dotenv__many_references_are_fast,
				   setup),
	    cmocka_unit_test_setup(test_dotenv__raw, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

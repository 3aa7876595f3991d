/* Unit tests for buf.c, err.c and xalloc.c: the bounded buffer basics. */
#include "unit.h"

#include <unistd.h>

#include "buf.h"

static void test_buf__append_keeps_nul_terminated(void **state)
{
	struct buf b = BUF_INIT(64);

	(void)state;
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_int_equal(buf_addc(&b, 'd'), 0);
	assert_int_equal(buf_printf(&b, "-%d", 42), 0);
	assert_string_equal(buf_cstr(&b), "abcd-42");
	assert_int_equal(b.len, 7);
	buf_release(&b);
}

static void test_buf__refuses_past_max_whole(void **state)
{
	struct buf b = BUF_INIT(8);

	(void)state;
	assert_int_equal(buf_adds(&b, "12345678"), 0);
	assert_int_equal(buf_addc(&b, '9'), MOOR_ELIMIT);
	assert_err_contains("limit of 8 bytes");
	assert_string_equal(buf_cstr(&b), "12345678");
	assert_int_equal(buf_printf(&b, "%s", "x"), MOOR_ELIMIT);
	buf_release(&b);
}

static void test_buf__detach_hands_over(void **state)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);
	size_t len = 0;
	char *s;

	(void)state;
	buf_adds(&b, "hello");
	s = buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
}

static void test_buf__read_file_bounded(void **state)
{
	char path[] = "/tmp/mooring-buf-XXXXXX";
	struct buf b = BUF_INIT(4);
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "123456", 6), 6);
	close(fd);
	assert_int_equal(buf_read_file(&b, path), MOOR_ELIMIT);
	assert_err_contains("too large");
	b.max = 16;
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_string_equal(buf_cstr(&b), "123456");
	buf_release(&b);
	unlink(path);
	assert_int_equal(buf_read_file(&b, path), MOOR_ENOTFOUND);
	assert_err_contains("cannot open");
}

static void test_buf__err_set_at_formats_position(void **state)
{
	(void)state;
	assert_int_equal(
	    err_set_at(MOOR_EINVAL, "a.yaml", 3, 7, "bad '%s'", "x"),
	    MOOR_EINVAL);
	assert_string_equal(err_last(), "a.yaml:3:7: bad 'x'");
	assert_int_equal(err_last_code(), MOOR_EINVAL);
	err_set_at(MOOR_EINVAL, "a.yaml", 3, 0, "no column");
	assert_string_equal(err_last(), "a.yaml:3: no column");
	err_clear();
	assert_string_equal(err_last(), "");
}

/* Adding context to the error one got: err_last() as an argument. */
static void test_buf__err_set_wraps_err_last(void **s)
{
	(void)s;
	err_set(MOOR_EIO, "cannot read the socket");
	err_set(MOOR_EINVAL, "unit '%s': %s", "api", err_last());
	assert_string_equal(err_last(), "unit 'api': cannot read the socket");
	err_set_at(MOOR_EINVAL, "s.json", 2, 5, "%s (again)", err_last());
	assert_string_equal(err_last(),
			    "s.json:2:5: unit 'api': cannot read the socket "
			    "(again)");
	err_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf__append_keeps_nul_terminated),
	    cmocka_unit_test(test_buf__refuses_past_max_whole),
	    cmocka_unit_test(test_buf__detach_hands_over),
	    cmocka_unit_test(test_buf__read_file_bounded),
	    cmocka_unit_test(test_buf__err_set_at_formats_position),
	    cmocka_unit_test(test_buf__err_set_wraps_err_last),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}

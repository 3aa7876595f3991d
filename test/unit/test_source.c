/* test_source.c - the plain-directory source: reads stay inside the root. */
#include "unit.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "source.h"

static char tmpdir[256]; /* the repository */
static char outside[256];

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char p[600];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-source.XXXXXX");
	snprintf(outside, sizeof(outside), "/tmp/mooring-test-outside.XXXXXX");
	if (!mkdtemp(tmpdir) || !mkdtemp(outside))
		return -1;
	snprintf(p, sizeof(p), "%s/stacks", tmpdir);
	mkdir(p, 0755);
	write_file(tmpdir, "stacks/a.yaml", "services: {}\n");
	write_file(tmpdir, "top.txt", "top\n");
	write_file(outside, "secret", "hunter2\n");
	snprintf(p, sizeof(p), "%s/stacks/escape", tmpdir);
	if (symlink(outside, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/stacks/inside", tmpdir);
	if (symlink("../top.txt", p) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", tmpdir, outside);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_source__open_dir(void **state)
{
	struct source *s = NULL;
	char url[300], real[PATH_MAX];

	(void)state;
	assert_non_null(realpath(tmpdir, real));
	assert_int_equal(source_open_dir(&s, tmpdir), 0);
	assert_string_equal(source_root(s), real);
	assert_string_equal(source_describe(s), real);
	assert_null(source_commit(s));
	source_free(s);
	source_free(NULL);

	snprintf(url, sizeof(url), "file://%s", tmpdir);
	assert_int_equal(source_open_dir(&s, url), 0);
	assert_string_equal(source_root(s), real);
	source_free(s);
}

static void test_source__open_refuses_non_dirs(void **state)
{
	struct source *s = NULL;
	char p[600];

	(void)state;
	assert_int_equal(source_open_dir(&s, "/nonexistent/infra"),
			 MOOR_ENOTFOUND);
	assert_err_contains("'/nonexistent/infra'");
	snprintf(p, sizeof(p), "%s/top.txt", tmpdir);
	assert_int_equal(source_open_dir(&s, p), MOOR_EINVAL);
	assert_err_contains("is not a directory");
	assert_int_equal(source_open_dir(&s, "file://relative"), MOOR_EINVAL);
	assert_null(s);
}

static void test_source__read(void **state)
{
	struct source *s = NULL;
	struct buf b = BUF_INIT(1024);

	(void)state;
	assert_int_equal(source_open_dir(&s, tmpdir), 0);
	assert_int_equal(source_read(s, "stacks/a.yaml", &b), 0);
	assert_string_equal(buf_cstr(&b), "services: {}\n");
	buf_reset(&b);
	/* ".." that stays inside is fine, as is a link that does. */
	assert_int_equal(source_read(s, "stacks/../top.txt", &b), 0);
	assert_string_equal(buf_cstr(&b), "top\n");
	buf_reset(&b);
	assert_int_equal(source_read(s, "stacks/inside", &b), 0);
	assert_string_equal(buf_cstr(&b), "top\n");
	buf_reset(&b);
	assert_int_equal(source_read(s, "stacks/none.yaml", &b),
			 MOOR_ENOTFOUND);
	assert_err_contains("'stacks/none.yaml'");
	assert_int_equal(source_read(s, "none/none.yaml", &b), MOOR_ENOTFOUND);
	buf_release(&b);
	source_free(s);
}

static void test_source__read_is_bounded(void **state)
{
	struct source *s = NULL;
	struct buf b = BUF_INIT(4);

	(void)state;
	assert_int_equal(source_open_dir(&s, tmpdir), 0);
	assert_int_equal(source_read(s, "stacks/a.yaml", &b), MOOR_ELIMIT);
	buf_release(&b);
	source_free(s);
}

static void test_source__escapes_refused(void **state)
{
	struct source *s = NULL;
	struct buf b = BUF_INIT(1024);
	char rel[600];

	(void)state;
	assert_int_equal(source_open_dir(&s, tmpdir), 0);
	assert_int_equal(source_read(s, "../x", &b), MOOR_EINVAL);
	assert_err_contains("'../x' is outside the repository");
	assert_int_equal(source_read(s, "stacks/../../x", &b), MOOR_EINVAL);
	assert_int_equal(source_read(s, "/etc/passwd", &b), MOOR_EINVAL);
	assert_int_equal(source_read(s, "", &b), MOOR_EINVAL);
	/* A symbolic link out of the tree. */
	assert_int_equal(source_read(s, "stacks/escape/secret", &b),
			 MOOR_EINVAL);
	assert_err_contains("resolves outside the repository");
	assert_null(strstr(err_last(), "hunter2"));
	/* The tree's own directory name, reached from outside, is no way
	 * around it either. */
	snprintf(rel, sizeof(rel), "../%s/top.txt", strrchr(tmpdir, '/') + 1);
	assert_int_equal(source_read(s, rel, &b), MOOR_EINVAL);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	source_free(s);
}

static void test_source__read_cb(void **state)
{
	struct source *s = NULL;
	struct buf b = BUF_INIT(1024);
	char p[PATH_MAX + 32];

	(void)state;
	assert_int_equal(source_open_dir(&s, tmpdir), 0);
	assert_int_equal(source_read_cb(s, "top.txt", &b), 0);
	assert_string_equal(buf_cstr(&b), "top\n");
	buf_reset(&b);
	snprintf(p, sizeof(p), "%s/stacks/a.yaml", source_root(s));
	assert_int_equal(source_read_cb(s, p, &b), 0);
	assert_string_equal(buf_cstr(&b), "services: {}\n");
	buf_reset(&b);
	snprintf(p, sizeof(p), "%s/stacks/none", source_root(s));
	assert_int_equal(source_read_cb(s, p, &b), MOOR_ENOTFOUND);
	snprintf(p, sizeof(p), "%s/../x", source_root(s));
	assert_int_equal(source_read_cb(s, p, &b), MOOR_EINVAL);
	assert_int_equal(source_read_cb(s, "/etc/passwd", &b), MOOR_EINVAL);
	assert_err_contains("'/etc/passwd' is outside the repository");
	/* A sibling whose name starts like the root is not inside it. */
	snprintf(p, sizeof(p), "%sx/a", source_root(s));
	assert_int_equal(source_read_cb(s, p, &b), MOOR_EINVAL);
	assert_int_equal(source_read_cb(s, source_root(s), &b), MOOR_EINVAL);
	buf_release(&b);
	source_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_source__open_dir),
	    cmocka_unit_test(test_source__open_refuses_non_dirs),
	    cmocka_unit_test(test_source__read),
	    cmocka_unit_test(test_source__read_is_bounded),
	    cmocka_unit_test(test_source__escapes_refused),
	    cmocka_unit_test(test_source__read_cb),
	};
	return cmocka_run_group_tests_name("source", tests, setup, teardown);
}

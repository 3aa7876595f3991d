/* test_state.c - the recorded plane on disk, atomic writes, the lock. */
#include "unit.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"
#include "ynode.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-state.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct ynode *parse(const char *json)
{
	struct ynode *n = NULL;

	assert_int_equal(ynode_load_buffer(&n, json, strlen(json), "t", NULL),
			 0);
	return n;
}

/* How many entries of dir (. and .. aside) start with prefix. */
static unsigned count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    !strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static void test_state__round_trip(void **state)
{
	struct ynode *doc, *back = NULL;
	char dir[300];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/rt", tmpdir);
	doc = parse("{\"unit\": \"api\", \"project\": \"api\", \"commit\": "
		    "null, \"applied_at\": \"2026-11-22T10:22:31Z\", "
		    "\"services\": {\"api\": {\"spec_hash\": \"abc\", "
		    "\"spec\": {\"image\": \"busybox:1\", \"mem_limit\": "
		    "536870912, \"cpus\": 0.5, \"read_only\": true, "
		    "\"command\": [\"sleep\", \"1d\"], \"environment\": "
		    "{\"A\": \"1\", \"B\": \"\"}}}}}");
	assert_int_equal(state_save(dir, "api", doc), 0);
	assert_int_equal(state_load(&back, dir, "api"), 0);
	assert_true(ynode_equal(doc, back));
	ynode_free(back);
	back = NULL;

	/* A second save replaces the first. */
	ynode_map_put(doc, "commit", NULL, ynode_new_str("c0ffee", NULL));
	assert_int_equal(state_save(dir, "api", doc), 0);
	assert_int_equal(state_load(&back, dir, "api"), 0);
	assert_true(ynode_equal(doc, back));
	assert_string_equal(ynode_map_get(back, "commit")->text, "c0ffee");
	ynode_free(back);
	ynode_free(doc);
}

static void test_state__directories_are_private(void **state)
{
	struct ynode *doc = parse("{\"unit\": \"web\"}");
	struct stat st;
	char dir[300], sub[320];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/new/deeper", tmpdir);
	assert_int_equal(state_save(dir, "web", doc), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(sub, sizeof(sub), "%s/state", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(sub, sizeof(sub), "%s/state/web.json", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0077, 0);
	ynode_free(doc);
}

static void test_state__load_missing_creates_nothing(void **state)
{
	struct ynode *back = NULL;
	struct stat st;
	char dir[300];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/never", tmpdir);
	assert_int_equal(state_load(&back, dir, "api"), MOOR_ENOTFOUND);
	assert_err_contains("no recorded state for unit 'api'");
	assert_null(back);
	assert_int_equal(stat(dir, &st), -1);
}

static void test_state__load_refuses_garbage(void **state)
{
	struct ynode *doc = NULL;
	char dir[300], path[340];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/garbage", tmpdir);
	doc = parse("{\"unit\": \"x\"}");
	assert_int_equal(state_save(dir, "x", doc), 0);
	ynode_free(doc);
	doc = NULL;
	snprintf(path, sizeof(path), "%s/state/x.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[1, 2]\n", f);
	fclose(f);
	assert_int_equal(state_load(&doc, dir, "x"), MOOR_EINVAL);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"unit\": \n", f);
	fclose(f);
	assert_int_equal(state_load(&doc, dir, "x"), MOOR_EINVAL);
	assert_err_contains("x.json:");
	assert_null(doc);
}

static void test_state__unit_names_cannot_inject_paths(void **state)
{
	struct ynode *doc = parse("{}");
	struct ynode *back = NULL;

	(void)state;
	assert_int_equal(state_save(tmpdir, "../evil", doc), MOOR_EINVAL);
	assert_err_contains("invalid unit name '../evil'");
	assert_int_equal(state_save(tmpdir, "a/b", doc), MOOR_EINVAL);
	assert_int_equal(state_save(tmpdir, "", doc), MOOR_EINVAL);
	assert_int_equal(state_load(&back, tmpdir, "../../etc/passwd"),
			 MOOR_EINVAL);
	ynode_free(doc);
}

static void test_state__atomic_write_leaves_no_temp_files(void **state)
{
	char dir[300], path[340];
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/atomic", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/file", dir);
	for (int i = 0; i < 5; i++)
		assert_int_equal(state_write_atomic(path, "hello\n", 6), 0);
	assert_int_equal(count_entries(dir, ""), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 6);

	/* A failure (no such directory) leaves nothing either. */
	snprintf(path, sizeof(path), "%s/missing/file", dir);
	assert_int_equal(state_write_atomic(path, "x", 1), MOOR_EIO);
	assert_int_equal(count_entries(dir, ""), 1);

	/* Renaming over a directory fails after the temp file was written:
	 * the temp file is removed. */
	snprintf(path, sizeof(path), "%s/adir", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(state_write_atomic(path, "x", 1), MOOR_EIO);
	assert_int_equal(count_entries(dir, "."), 0);
	assert_int_equal(count_entries(dir, ""), 2);
}

static void test_state__lock_refused_in_another_process(void **state)
{
	char dir[300], msg[512] = "";
	int fd = -1, fd2 = -1, pipefd[2], status = 0;
	char want[64];
	ssize_t n;
	pid_t child;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/locked", tmpdir);
	assert_int_equal(state_lock(&fd, dir), 0);
	assert_true(fd >= 0);
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int cfd = -1;
		int rc = state_lock(&cfd, dir);

		if (write(pipefd[1], err_last(), strlen(err_last())) < 0)
			_exit(3);
		_exit(rc == MOOR_ELOCKED ? 0 : 1);
	}
	close(pipefd[1]);
	n = read(pipefd[0], msg, sizeof(msg) - 1);
	close(pipefd[0]);
	assert_true(n > 0);
	msg[n] = '\0';
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	snprintf(want, sizeof(want), "is locked by pid %ld", (long)getpid());
	if (!strstr(msg, want) || !strstr(msg, "state dir '"))
		fail_msg("'%s' does not name pid %ld", msg, (long)getpid());

	/* Released, anyone may take it. */
	state_unlock(fd);
	assert_int_equal(state_lock(&fd2, dir), 0);
	state_unlock(fd2);
	state_unlock(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state__round_trip),
	    cmocka_unit_test(test_state__directories_are_private),
	    cmocka_unit_test(test_state__load_missing_creates_nothing),
	    cmocka_unit_test(test_state__load_refuses_garbage),
	    cmocka_unit_test(test_state__unit_names_cannot_inject_paths),
	    cmocka_unit_test(test_state__atomic_write_leaves_no_temp_files),
	    cmocka_unit_test(test_state__lock_refused_in_another_process),
	};
	return cmocka_run_group_tests_name("state", tests, setup, teardown);
}

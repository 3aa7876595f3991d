/*
 * Unit tests for source_git*.c: the git source against remotes that need
 * no server (a bare repository by path and by file:// URL), driven with
 * the git command line. The transports (git://, https, ssh) are tested
 * against real servers in test/integration/t2000-git-transports.sh.
 */
#include "unit.h"

#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "source_git.h"
#include "source_git_int.h"

/* libgit2 1.5.1 leaks pcre2 match data in its config regex matching;
 * the source avoids those calls, this keeps an ASan run about ours
 * should a libgit2 path still reach one. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
}

struct fixture {
	char dir[64];
	char remote[128];
	char work[128];
	char cache[128];
	struct source_git_options o;
};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Output of a command, first line, into out. */
static void sh_out(char *out, size_t size, const char *cmd)
{
	FILE *p = popen(cmd, "r");

	out[0] = '\0';
	if (p) {
		if (!fgets(out, (int)size, p))
			out[0] = '\0';
		pclose(p);
	}
	out[strcspn(out, "\n")] = '\0';
}

#define GIT "git -c user.name=t -c user.email=t@example.com "

/* Commit file=content in the work tree and push (force when asked). */
static void push(struct fixture *f, const char *file, const char *content,
		 bool force)
{
	assert_int_equal(sh("cd %s && mkdir -p \"$(dirname %s)\" && "
			    "printf '%%s' '%s' > %s && git add -A && " GIT
			    "commit -qm 'set %s' && git push -q %s origin "
			    "main 2>/dev/null",
			    f->work, file, content, file, file,
			    force ? "-f" : ""),
			 0);
}

static void remote_head(struct fixture *f, char *out, size_t size)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse main", f->remote);
	sh_out(out, size, cmd);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/mooring-srcgit-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", f->dir, 1);
	snprintf(f->remote, sizeof(f->remote), "%s/remote.git", f->dir);
	snprintf(f->work, sizeof(f->work), "%s/work", f->dir);
	snprintf(f->cache, sizeof(f->cache), "%s/state/repo", f->dir);
	if (sh("git init -q --bare -b main %s && git clone -q %s %s "
	       "2>/dev/null && git -C %s checkout -q -b main 2>/dev/null; "
	       "mkdir -p %s/state",
	       f->remote, f->remote, f->work, f->work, f->dir)) {
		sh("rm -rf %s", f->dir);
		free(f);
		return -1;
	}
	push(f, "compose.yaml", "v1", false);
	f->o.url = f->remote;
	f->o.cache_dir = f->cache;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sh("rm -rf %s", f->dir);
	free(f);
	log_set_level(LOG_LEVEL_WARN);
	unit_release_warnings();
	return 0;
}

static void read_str(struct source_git *g, const char *path, const char *want)
{
	struct buf b = BUF_INIT(1024);

	assert_int_equal(source_git_read(g, path, &b), 0);
	assert_string_equal(buf_cstr(&b), want);
	buf_release(&b);
}

/* Names in dir starting with prefix. */
static unsigned count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

static long du_kib(const char *dir)
{
	char cmd[256], out[64];

	snprintf(cmd, sizeof(cmd), "du -sk %s", dir);
	sh_out(out, sizeof(out), cmd);
	return strtol(out, NULL, 10);
}

static void test_source_git__clone_resolves_and_reads(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char head[64], statedir[160];
	struct stat st;

	assert_int_equal(source_git_open(&g, &f->o), 0);
	remote_head(f, head, sizeof(head));
	assert_non_null(source_git_commit(g));
	assert_string_equal(source_git_commit(g), head);
	read_str(g, "compose.yaml", "v1");
	/* A bare clone: no work tree to be read by mistake. */
	assert_int_equal(stat(f->cache, &st), 0);
	snprintf(statedir, sizeof(statedir), "%s/compose.yaml", f->cache);
	assert_int_not_equal(stat(statedir, &st), 0);
	head[12] = '\0';
	assert_non_null(strstr(source_git_describe(g), head));
	source_git_free(g);
}

static void test_source_git__file_url_and_new_commit(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char url[160], head[64];
	bool changed = true;

	snprintf(url, sizeof(url), "file://%s", f->remote);
	f->o.url = url;
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_fetch(g, &changed), 0);
	assert_false(changed);
	push(f, "compose.yaml", "v2", false);
	assert_int_equal(source_git_fetch(g, &changed), 0);
	assert_true(changed);
	assert_false(source_git_rewritten(g));
	remote_head(f, head, sizeof(head));
	assert_string_equal(source_git_commit(g), head);
	read_str(g, "compose.yaml", "v2");
	source_git_free(g);
}

static void
test_source_git__reads_the_pinned_commit_not_a_later_push(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char pinned[64];

	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	snprintf(pinned, sizeof(pinned), "%s", source_git_commit(g));
	/* A push lands between the fetch and the render. */
	push(f, "compose.yaml", "v2", false);
	push(f, "other.yaml", "new", false);
	assert_string_equal(source_git_commit(g), pinned);
	read_str(g, "compose.yaml", "v1");
	{
		struct buf b = BUF_INIT(64);

		assert_int_equal(source_git_read(g, "other.yaml", &b),
				 MOOR_ENOTFOUND);
		buf_release(&b);
	}
	/* Even reopening the clone (a restart) keeps what was fetched. */
	source_git_free(g);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_string_equal(source_git_commit(g), pinned);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	read_str(g, "compose.yaml", "v2");
	read_str(g, "other.yaml", "new");
	source_git_free(g);
}

static void test_source_git__force_push_is_followed_and_logged(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	struct unit_warnings w;
	char head[64];
	bool changed = false;

	push(f, "compose.yaml", "v2", false);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	read_str(g, "compose.yaml", "v2");
	/* Rewrite: drop v2, commit something else, force-push. */
	assert_int_equal(sh("git -C %s reset -q --hard HEAD~1", f->work), 0);
	push(f, "compose.yaml", "v2-rewritten", true);
	log_set_level(LOG_LEVEL_INFO);
	unit_capture_warnings(&w);
	assert_int_equal(source_git_fetch(g, &changed), 0);
	unit_release_warnings();
	assert_true(changed);
	assert_true(source_git_rewritten(g));
	remote_head(f, head, sizeof(head));
	assert_string_equal(source_git_commit(g), head);
	read_str(g, "compose.yaml", "v2-rewritten");
	assert_non_null(strstr(w.text, "was rewritten"));
	assert_non_null(strstr(w.text, head));
	/* The next fetch, with nothing new, is not a rewrite. */
	assert_int_equal(source_git_fetch(g, &changed), 0);
	assert_false(changed);
	assert_false(source_git_rewritten(g));
	source_git_free(g);
}

static void test_source_git__corrupt_clone_is_cloned_again(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char head[64];

	assert_int_equal(source_git_open(&g, &f->o), 0);
	source_git_free(g);
	remote_head(f, head, sizeof(head));

	/* Objects gone: the ref points at nothing. */
	assert_int_equal(
	    sh("rm -rf %s/objects/pack %s/objects/[0-9a-f][0-9a-f]", f->cache,
	       f->cache),
	    0);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_string_equal(source_git_commit(g), head);
	read_str(g, "compose.yaml", "v1");
	source_git_free(g);

	/* Not a repository any more. */
	assert_int_equal(
	    sh("rm -f %s/HEAD && echo junk > %s/config", f->cache, f->cache),
	    0);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	read_str(g, "compose.yaml", "v1");
	source_git_free(g);

	/* A file where the clone should be. */
	assert_int_equal(sh("rm -rf %s && echo junk > %s", f->cache, f->cache),
			 0);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	read_str(g, "compose.yaml", "v1");

	/* Damaged while open: the next fetch still ends on the new tip. */
	push(f, "compose.yaml", "v2", false);
	assert_int_equal(
	    sh("rm -rf %s/objects/pack/* %s/objects/[0-9a-f][0-9a-f]", f->cache,
	       f->cache),
	    0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	read_str(g, "compose.yaml", "v2");
	source_git_free(g);
	assert_int_equal(count_prefixed(f->dir, "state/repo.tmp-"), 0);
}

static void test_source_git__other_url_is_cloned_again(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char other[160];

	assert_int_equal(source_git_open(&g, &f->o), 0);
	source_git_free(g);
	snprintf(other, sizeof(other), "%s/other.git", f->dir);
	assert_int_equal(sh("git clone -q --bare %s %s && cd %s && " GIT
			    "commit -q --allow-empty -m x && git push -q %s "
			    "main 2>/dev/null",
			    f->remote, other, f->work, other),
			 0);
	f->o.url = other;
	assert_int_equal(source_git_open(&g, &f->o), 0);
	{
		char cmd[256], head[64];

		snprintf(cmd, sizeof(cmd), "git -C %s rev-parse main", other);
		sh_out(head, sizeof(head), cmd);
		assert_string_equal(source_git_commit(g), head);
	}
	source_git_free(g);
}

static void test_source_git__temp_dirs_removed_and_disk_flat(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char statedir[160], bad[160];
	long before, after;
	int i;

	snprintf(statedir, sizeof(statedir), "%s/state", f->dir);
	/* Left by a crash mid-clone. */
	assert_int_equal(sh("mkdir -p %s.tmp-abc123/objects", f->cache), 0);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(count_prefixed(statedir, "repo.tmp-"), 0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	before = du_kib(f->cache);
	for (i = 0; i < 200; i++)
		assert_int_equal(source_git_fetch(g, NULL), 0);
	after = du_kib(f->cache);
	assert_true(after <= before);
	assert_int_equal(count_prefixed(statedir, "repo.tmp-"), 0);
	source_git_free(g);
	g = NULL;

	/* A clone that fails leaves nothing behind either. */
	snprintf(bad, sizeof(bad), "%s/nonexistent.git", f->dir);
	f->o.url = bad;
	f->o.cache_dir = f->cache;
	assert_int_equal(sh("rm -rf %s", f->cache), 0);
	assert_true(source_git_open(&g, &f->o) < 0);
	assert_null(g);
	assert_int_equal(count_prefixed(statedir, "repo"), 0);
}

static void test_source_git__fetch_failure_keeps_the_pinned_commit(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char pinned[64], moved[160];
	bool changed = true;

	assert_int_equal(source_git_open(&g, &f->o), 0);
	snprintf(pinned, sizeof(pinned), "%s", source_git_commit(g));
	snprintf(moved, sizeof(moved), "%s.moved", f->remote);
	assert_int_equal(rename(f->remote, moved), 0);
	assert_true(source_git_fetch(g, &changed) < 0);
	assert_false(changed);
	assert_err_contains("cannot fetch");
	assert_err_contains(f->remote);
	assert_string_equal(source_git_commit(g), pinned);
	read_str(g, "compose.yaml", "v1");
	assert_int_equal(rename(moved, f->remote), 0);
	assert_int_equal(source_git_fetch(g, &changed), 0);
	source_git_free(g);
}

static void test_source_git__missing_branch_is_not_found(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;

	f->o.branch = "release";
	assert_int_equal(source_git_open(&g, &f->o), MOOR_ENOTFOUND);
	assert_err_contains("branch 'release' not found");
	f->o.branch = "bad..name";
	assert_int_equal(source_git_open(&g, &f->o), MOOR_EINVAL);
	assert_err_contains("invalid branch name");
	/* Deleted on the remote after it was followed. */
	f->o.branch = "main";
	assert_int_equal(
	    sh("git -C %s push -q origin main:gone 2>/dev/null", f->work), 0);
	f->o.branch = "gone";
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(
	    sh("git -C %s push -q origin :gone 2>/dev/null", f->work), 0);
	assert_int_equal(source_git_fetch(g, NULL), MOOR_ENOTFOUND);
	assert_non_null(source_git_commit(g));
	source_git_free(g);
}

static void test_source_git__read_stays_inside_the_tree(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	struct buf b = BUF_INIT(3);

	assert_int_equal(sh("cd %s && mkdir -p d && printf in > d/f && "
			    "ln -s ../compose.yaml d/up && ln -s /etc/passwd "
			    "abs && ln -s ../../x d/out && ln -s loop loop && "
			    "git add -A && " GIT "commit -qm links && git push "
			    "-q origin main 2>/dev/null",
			    f->work),
			 0);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	read_str(g, "d/f", "in");
	read_str(g, "./d/../d/f", "in");
	read_str(g, "d/up", "v1");
	assert_int_equal(source_git_read(g, "../x", &b), MOOR_EINVAL);
	assert_int_equal(source_git_read(g, "/etc/passwd", &b), MOOR_EINVAL);
	assert_int_equal(source_git_read(g, "abs", &b), MOOR_EINVAL);
	assert_err_contains("outside the repository");
	assert_int_equal(source_git_read(g, "d/out", &b), MOOR_EINVAL);
	assert_int_equal(source_git_read(g, "loop", &b), MOOR_EINVAL);
	assert_int_equal(source_git_read(g, "d", &b), MOOR_EINVAL);
	assert_int_equal(source_git_read(g, "nope.yaml", &b), MOOR_ENOTFOUND);
	assert_err_contains("nope.yaml");
	/* Bounded by the buffer's maximum. */
	assert_int_equal(source_git_read(g, "d/f", &b), 0);
	assert_int_equal(source_git_read(g, "compose.yaml", &b), MOOR_ELIMIT);
	buf_release(&b);
	source_git_free(g);
}

static void test_source_git__materialize_writes_the_tree(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char dir[160], path[200];
	struct stat st;
	struct buf b = BUF_INIT(64);

	assert_int_equal(sh("cd %s && mkdir -p bin && printf x > bin/run && "
			    "chmod +x bin/run && ln -s compose.yaml in && "
			    "ln -s /etc out && git add -A && " GIT "commit -qm "
			    "m && git push -q origin main 2>/dev/null",
			    f->work),
			 0);
	snprintf(dir, sizeof(dir), "%s/state/tree", f->dir);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	snprintf(path, sizeof(path), "%s/compose.yaml", dir);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_string_equal(buf_cstr(&b), "v1");
	snprintf(path, sizeof(path), "%s/bin/run", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	snprintf(path, sizeof(path), "%s/in", dir);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	snprintf(path, sizeof(path), "%s/out", dir);
	assert_int_not_equal(lstat(path, &st), 0);
	/* A new commit updates the tree (in place, see below). */
	push(f, "compose.yaml", "v2", false);
	assert_int_equal(sh("git -C %s rm -q bin/run && cd %s && " GIT
			    "commit -qm rm && git push -q origin main "
			    "2>/dev/null",
			    f->work, f->work),
			 0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	snprintf(path, sizeof(path), "%s/bin/run", dir);
	assert_int_not_equal(stat(path, &st), 0);
	buf_reset(&b);
	snprintf(path, sizeof(path), "%s/compose.yaml", dir);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_string_equal(buf_cstr(&b), "v2");
	snprintf(path, sizeof(path), "%s/state", f->dir);
	assert_int_equal(count_prefixed(path, "tree.tmp-"), 0);
	buf_release(&b);
	source_git_free(g);
}

/* Content of dir/rel as a string ("" when unreadable). */
static void file_is(const char *dir, const char *rel, const char *want)
{
	char path[256];
	struct buf b = BUF_INIT(1024);

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_string_equal(buf_cstr(&b), want);
	buf_release(&b);
}

static bool exists(const char *dir, const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return lstat(path, &st) == 0;
}

static ino_t inode(const char *dir, const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* A container bind-mounts tree/conf: a push must not swap the directory
 * under it, only the file that changed. */
/* Links through links: resolved as the kernel would walk the copy. */
static void test_source_git__materialize_link_chains(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char dir[160];

	/* l -> . makes "l/.." the parent of the tree; s -> sub/.. stays. */
	assert_int_equal(
	    sh("cd %s && mkdir -p sub/d && printf x > sub/d/f && "
	       "ln -s . l && ln -s l/.. e && ln -s l/l/compose.yaml "
	       "ok && ln -s sub/d/../.. s && ln -s sub/d sd && "
	       "ln -s sd/../.. top && ln -s sd/../../.. esc && ln -s m m2 && "
	       "ln -s m2 m && "
	       "git add -A && " GIT "commit -qm links && git push "
	       "-q origin main 2>/dev/null",
	       f->work),
	    0);
	snprintf(dir, sizeof(dir), "%s/state/tree", f->dir);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	assert_true(exists(dir, "l"));
	assert_false(exists(dir, "e"));
	file_is(dir, "ok", "v1");
	assert_true(exists(dir, "s"));
	assert_true(exists(dir, "sd"));
	/* sd/.. is sub, sub/.. the tree, one more ".." leaves it (a
	 * lexical check would have refused "top" as well). */
	assert_true(exists(dir, "top"));
	assert_false(exists(dir, "esc"));
	assert_false(exists(dir, "m"));
	assert_false(exists(dir, "m2"));
	/* An unchanged link that leaves through a changed one: "x -> k/.."
	 * is inside while k is a directory, outside once k -> ".". */
	assert_int_equal(
	    sh("cd %s && mkdir k && printf y > k/y && ln -s k/.. x "
	       "&& git add -A && " GIT "commit -qm k && git push "
	       "-q origin main 2>/dev/null",
	       f->work),
	    0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	assert_true(exists(dir, "x"));
	assert_int_equal(sh("cd %s && git rm -qr k && ln -s . k && git add -A "
			    "&& " GIT
			    "commit -qm k2 && git push -q origin main "
			    "2>/dev/null",
			    f->work),
			 0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	assert_true(exists(dir, "k"));
	assert_false(exists(dir, "x"));
	source_git_free(g);
}

static void test_source_git__materialize_keeps_directories(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char dir[160];
	ino_t root, conf, other;

	push(f, "conf/a.conf", "one", false);
	push(f, "conf/b.conf", "same", false);
	snprintf(dir, sizeof(dir), "%s/state/tree", f->dir);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	root = inode(dir, ".");
	conf = inode(dir, "conf");
	other = inode(dir, "conf/b.conf");
	push(f, "conf/a.conf", "two", false);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	assert_true(inode(dir, ".") == root);
	assert_true(inode(dir, "conf") == conf);
	assert_true(inode(dir, "conf/b.conf") == other);
	file_is(dir, "conf/a.conf", "two");
	file_is(dir, "conf/b.conf", "same");
	/* No temp file left in the directory. */
	assert_int_equal(count_prefixed(dir, "."), 2);
	source_git_free(g);

	/* After a restart the marker makes the update incremental too. */
	push(f, "conf/a.conf", "three", false);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	assert_true(inode(dir, "conf") == conf);
	file_is(dir, "conf/a.conf", "three");
	source_git_free(g);
}

static void test_source_git__materialize_adds_and_removes(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char dir[160];

	push(f, "gone/x", "x", false);
	push(f, "kept/y", "y", false);
	push(f, "kept/z", "z", false);
	snprintf(dir, sizeof(dir), "%s/state/tree", f->dir);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	assert_true(exists(dir, "gone/x"));
	assert_int_equal(sh("cd %s && git rm -rq gone kept/z && mkdir -p "
			    "new/sub && printf n > new/sub/n && printf w > "
			    "kept/w && chmod +x kept/w && git add -A && " GIT
			    "commit -qm m && git push -q origin main "
			    "2>/dev/null",
			    f->work),
			 0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	assert_false(exists(dir, "gone"));
	assert_false(exists(dir, "kept/z"));
	file_is(dir, "kept/y", "y");
	file_is(dir, "kept/w", "w");
	assert_int_equal(access(dir, F_OK), 0);
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/kept/w", dir);
		assert_int_equal(access(path, X_OK), 0);
	}
	file_is(dir, "new/sub/n", "n");
	source_git_free(g);
}

/* An update that failed is done by the next call, although the pinned
 * commit did not move (source_fetch() refreshes on every poll). */
static void test_source_git__failed_materialize_is_retried(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char dir[160];
	bool changed = true;

	snprintf(dir, sizeof(dir), "%s/state/tree", f->dir);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	push(f, "compose.yaml", "v2", false);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	/* The marker cannot be replaced: the update fails. */
	assert_int_equal(
	    sh("rm -f %s.commit && mkdir -p %s.commit/x", dir, dir), 0);
	assert_int_not_equal(source_git_materialize(g, dir), 0);
	assert_int_equal(sh("rm -rf %s.commit", dir), 0);
	assert_int_equal(source_git_fetch(g, &changed), 0);
	assert_false(changed);
	assert_int_equal(source_git_materialize(g, dir), 0);
	file_is(dir, "compose.yaml", "v2");
	assert_true(exists(f->dir, "state/tree.commit"));
	source_git_free(g);
}

/* Without the marker (a crash mid-update), a full pass makes the tree
 * exactly the commit's, leftovers included, and keeps directories. */
static void test_source_git__full_pass_without_marker(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char dir[160], statedir[160];
	ino_t conf;

	push(f, "conf/a.conf", "a", false);
	snprintf(dir, sizeof(dir), "%s/state/tree", f->dir);
	snprintf(statedir, sizeof(statedir), "%s/state", f->dir);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	conf = inode(dir, "conf");
	assert_int_equal(sh("cd %s && rm tree.commit && printf s > "
			    "tree/conf/stray && mkdir -p tree/straydir/d && "
			    "printf x > tree/conf/.a.conf.mooring-abc && "
			    "printf changed > tree/conf/a.conf && mkdir "
			    "tree.tmp-crash",
			    statedir),
			 0);
	assert_int_equal(source_git_materialize(g, dir), 0);
	assert_false(exists(dir, "conf/stray"));
	assert_false(exists(dir, "straydir"));
	assert_false(exists(dir, "conf/.a.conf.mooring-abc"));
	file_is(dir, "conf/a.conf", "a");
	file_is(dir, "compose.yaml", "v1");
	assert_true(inode(dir, "conf") == conf);
	assert_true(exists(statedir, "tree.commit"));
	assert_int_equal(count_prefixed(statedir, "tree.tmp-"), 0);
	source_git_free(g);
}

static void test_source_git__password_in_url_refused(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;

	f->o.url = "https://deploy:hunter2@127.0.0.1:1/x.git";
	assert_int_equal(source_git_open(&g, &f->o), MOOR_EINVAL);
	assert_err_contains("password_file");
	assert_null(strstr(err_last(), "hunter2"));
}

static void test_source_git__errors_are_scrubbed_of_the_password(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char pw[160];
	FILE *fp;

	snprintf(pw, sizeof(pw), "%s/password", f->dir);
	fp = fopen(pw, "w");
	assert_non_null(fp);
	fputs("s3cr3t-token\n", fp);
	fclose(fp);
	f->o.password_file = pw;
	assert_int_equal(source_git_open(&g, &f->o), 0);
	/* As if libgit2 had quoted the secret (it should not). */
	git_error_set_str(GIT_ERROR_NET,
			  "auth s3cr3t-token failed for "
			  "https://u:s3cr3t-token@h/x and https://u:other@h/y");
	source_git_error(g, -1, "cannot fetch");
	assert_null(strstr(err_last(), "s3cr3t-token"));
	assert_null(strstr(err_last(), "other"));
	assert_err_contains("auth *** failed");
	assert_int_equal(err_last_code(), MOOR_EIO);
	source_git_free(g);
}

static void test_source_git__ssh_host_names(void **state)
{
	static const char *const cases[][2] = {
	    {"ssh://git@127.0.0.1:2222/srv/infra.git", "[127.0.0.1]:2222"},
	    {"ssh://example.com/infra.git", "example.com"},
	    {"ssh://git@example.com:22/infra.git", "example.com"},
	    {"ssh://git@[::1]:2200/x", "[::1]:2200"},
	    {"git@example.com:org/infra.git", "example.com"},
	    {"https://example.com/x.git", NULL},
	    {"/srv/git/infra.git", NULL},
	    {"ssh://h:99999/x", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *h = source_git_ssh_host(cases[i][0]);

		if (!cases[i][1])
			assert_null(h);
		else
			assert_string_equal(h, cases[i][1]);
		free(h);
	}
}

/* The signature gate with ssh-keygen: signed by an allowed key passes;
 * unsigned and signed by another key are refused with the reason, and
 * the refused commit is not pinned. */
static void test_source_git__signature_gate(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char allowed[160], pinned[64];

	if (sh("command -v ssh-keygen >/dev/null"))
		skip();
	snprintf(allowed, sizeof(allowed), "%s/allowed_signers", f->dir);
	assert_int_equal(
	    sh("cd %s && ssh-keygen -q -t ed25519 -N '' -f good && "
	       "ssh-keygen -q -t ed25519 -N '' -f evil && "
	       "echo \"t@example.com $(cat good.pub)\" > allowed_signers",
	       f->dir),
	    0);
#define SIGNED(key)                                                            \
	GIT "-c gpg.format=ssh -c user.signingkey=%s/" key " commit -S "
	assert_int_equal(
	    sh("cd %s && printf v2 > compose.yaml && git add -A && " SIGNED(
		   "good") "-qm good && git push -q origin main "
			   "2>/dev/null",
	       f->work, f->dir),
	    0);
	f->o.allowed_signers_file = allowed;
	assert_int_equal(source_git_open(&g, &f->o), 0);
	read_str(g, "compose.yaml", "v2");
	snprintf(pinned, sizeof(pinned), "%s", source_git_commit(g));

	push(f, "compose.yaml", "unsigned", false);
	assert_int_equal(source_git_fetch(g, NULL), MOOR_EINVAL);
	assert_err_contains("is not signed");
	assert_string_equal(source_git_commit(g), pinned);
	read_str(g, "compose.yaml", "v2");

	assert_int_equal(
	    sh("cd %s && printf evil > compose.yaml && git add -A && " SIGNED(
		   "evil") "-qm evil && git push -q origin main "
			   "2>/dev/null",
	       f->work, f->dir),
	    0);
	assert_int_equal(source_git_fetch(g, NULL), MOOR_EINVAL);
	assert_err_contains("not in allowed signers");
	assert_string_equal(source_git_commit(g), pinned);

	assert_int_equal(
	    sh("cd %s && printf v3 > compose.yaml && git add -A && " SIGNED(
		   "good") "-qm good && git push -q origin main "
			   "2>/dev/null",
	       f->work, f->dir),
	    0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	read_str(g, "compose.yaml", "v3");
	source_git_free(g);
#undef SIGNED
}

/* A refused tip stays in the fetched ref: opening the clone again pins
 * the last commit that passed instead of failing, and a later signed
 * commit is fetched and pinned (the controller is not wedged). */
static void test_source_git__refused_tip_does_not_wedge_open(void **state)
{
	struct fixture *f = *state;
	struct source_git *g = NULL;
	char allowed[160], pinned[64], cmd[256], ref[64];

	if (sh("command -v ssh-keygen >/dev/null"))
		skip();
	snprintf(allowed, sizeof(allowed), "%s/allowed_signers", f->dir);
	assert_int_equal(
	    sh("cd %s && ssh-keygen -q -t ed25519 -N '' -f good && "
	       "echo \"t@example.com $(cat good.pub)\" > allowed_signers",
	       f->dir),
	    0);
#define SIGNED_PUSH(content)                                                   \
	sh("cd %s && printf " content " > compose.yaml && git add -A && " GIT  \
	   "-c gpg.format=ssh -c user.signingkey=%s/good commit -S -qm "       \
	   "good && git push -q origin main 2>/dev/null",                      \
	   f->work, f->dir)
	assert_int_equal(SIGNED_PUSH("v2"), 0);
	f->o.allowed_signers_file = allowed;
	assert_int_equal(source_git_open(&g, &f->o), 0);
	snprintf(pinned, sizeof(pinned), "%s", source_git_commit(g));

	push(f, "compose.yaml", "unsigned", false);
	assert_int_equal(source_git_fetch(g, NULL), MOOR_EINVAL);
	assert_err_contains("is not signed");
	source_git_free(g);
	g = NULL;

	/* The fetched ref holds the unsigned tip; the open does not fail. */
	assert_int_equal(source_git_open(&g, &f->o), 0);
	unit_release_warnings();
	assert_string_equal(source_git_commit(g), pinned);
	read_str(g, "compose.yaml", "v2");
	assert_int_equal(source_git_fetch(g, NULL), MOOR_EINVAL);
	assert_string_equal(source_git_commit(g), pinned);

	/* Without any pinned commit the open succeeds with none. */
	source_git_free(g);
	g = NULL;
	assert_int_equal(
	    sh("git -C %s update-ref -d refs/mooring/pinned", f->cache), 0);
	assert_int_equal(source_git_open(&g, &f->o), 0);
	unit_release_warnings();
	assert_null(source_git_commit(g));

	assert_int_equal(SIGNED_PUSH("v3"), 0);
	assert_int_equal(source_git_fetch(g, NULL), 0);
	read_str(g, "compose.yaml", "v3");
	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse refs/mooring/pinned",
		 f->cache);
	sh_out(ref, sizeof(ref), cmd);
	assert_string_equal(ref, source_git_commit(g));
	source_git_free(g);
#undef SIGNED_PUSH
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_source_git__clone_resolves_and_reads),
	    T(test_source_git__file_url_and_new_commit),
	    T(test_source_git__reads_the_pinned_commit_not_a_later_push),
	    T(test_source_git__force_push_is_followed_and_logged),
	    T(test_source_git__corrupt_clone_is_cloned_again),
	    T(test_source_git__other_url_is_cloned_again),
	    T(test_source_git__temp_dirs_removed_and_disk_flat),
	    T(test_source_git__fetch_failure_keeps_the_pinned_commit),
	    T(test_source_git__missing_branch_is_not_found),
	    T(test_source_git__read_stays_inside_the_tree),
	    T(test_source_git__materialize_writes_the_tree),
	    T(test_source_git__materialize_link_chains),
	    T(test_source_git__materialize_keeps_directories),
	    T(test_source_git__materialize_adds_and_removes),
	    T(test_source_git__failed_materialize_is_retried),
	    T(test_source_git__full_pass_without_marker),
	    T(test_source_git__password_in_url_refused),
	    T(test_source_git__errors_are_scrubbed_of_the_password),
	    T(test_source_git__ssh_host_names),
	    T(test_source_git__signature_gate),
	    T(test_source_git__refused_tip_does_not_wedge_open),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

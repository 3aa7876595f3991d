/*
 * source.c - where the desired state comes from (source.h): a plain
 * directory (whatever it holds now, no commit), or a git repository
 * (source_git.c: one pinned commit, read from its tree; the tree is also
 * written to <state_dir>/tree, the root relative bind mounts resolve in).
 *
 * Reads stay inside the root: a relative path with ".." going above it,
 * an absolute path, or a symbolic link resolving outside it is refused,
 * so a unit's compose file cannot pull in /etc/shadow as an env_file.
 */
#include "source.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "path.h"
#include "source_git.h"
#include "xalloc.h"

#include "banned.h"

struct source {
	char *root;		/* absolute, symbolic links resolved */
	struct source_git *git; /* NULL for a plain directory */
	char *tree_dir;		/* git: where the pinned tree is written */
};

int source_open_dir(struct source **out, const char *dir)
{
	char resolved[PATH_MAX];
	struct source *s = NULL;
	struct stat st;
	const char *p = dir;

	if (!strncmp(p, "file://", 7)) {
		p += 7;
		if (!strncmp(p, "localhost/", 10))
			p += 9;
		if (*p != '/')
			return err_set(MOOR_EINVAL,
				       "repository '%s' is a file:// URL "
				       "without an absolute path",
				       dir);
	}
	if (!*p)
		return err_set(MOOR_EINVAL, "repository directory is empty");
	if (!realpath(p, resolved))
		return err_set_errno(errno == ENOENT ? MOOR_ENOTFOUND
						     : MOOR_EIO,
				     "cannot open repository '%s'", p);
	if (stat(resolved, &st) < 0)
		return err_set_errno(MOOR_EIO, "cannot open repository '%s'",
				     p);
	if (!S_ISDIR(st.st_mode))
		return err_set(MOOR_EINVAL,
			       "repository '%s' is not a directory", p);
	s = xcalloc(1, sizeof(*s));
	s->root = xstrdup(resolved);
	*out = s;
	return 0;
}

/* Write the pinned tree out and make it the root. */
static int source_git_refresh_tree(struct source *s)
{
	char resolved[PATH_MAX];
	int error;

	if ((error = source_git_materialize(s->git, s->tree_dir)) < 0)
		return error;
	if (!realpath(s->tree_dir, resolved))
		return err_set_errno(MOOR_EIO, "cannot open '%s'", s->tree_dir);
	free(s->root);
	s->root = xstrdup(resolved);
	return 0;
}

/* "<state_dir>/<name><suffix>", new string. */
static char *source_state_path(const struct config *c, const char *name,
			       const char *suffix)
{
	char *base = path_join(c->state_dir, name);
	char *p = xasprintf("%s%s", base, suffix);

	free(base);
	return p;
}

static int source_open_at(struct source **out, const struct config *c,
			  const char *suffix)
{
	struct source_git_options o;
	struct source *s = NULL;
	char *cache = NULL;
	int error = -1;

	if (config_repo_is_local(c))
		return source_open_dir(out, c->repository.url);
	memset(&o, 0, sizeof(o));
	cache = source_state_path(c, "repo", suffix);
	o.url = c->repository.url;
	o.branch = c->repository.branch;
	o.cache_dir = cache;
	o.username = c->repository.username;
	o.password_file = c->repository.password_file;
	o.ssh_key_file = c->repository.ssh_key_file;
	o.known_hosts_file = c->repository.known_hosts_file;
	o.ca_file = c->repository.ca_file;
	o.allowed_signers_file = c->repository.allowed_signers_file;
	o.fetch_timeout_ms = c->repository.fetch_timeout_ms;
	s = xcalloc(1, sizeof(*s));
	s->tree_dir = source_state_path(c, "tree", suffix);
	if ((error = source_git_open(&s->git, &o)) < 0)
		goto cleanup;
	if (!source_git_commit(s->git) &&
	    (error = source_git_fetch(s->git, NULL)) < 0)
		goto cleanup;
	if ((error = source_git_refresh_tree(s)) < 0)
		goto cleanup;
	*out = s;
	s = NULL;
	error = 0;
cleanup:
	source_free(s);
	free(cache);
	return error;
}

int source_open(struct source **out, const struct config *c)
{
	return source_open_at(out, c, "");
}

int source_open_aside(struct source **out, const struct config *c)
{
	source_aside_remove(c);
	return source_open_at(out, c, SOURCE_ASIDE_SUFFIX);
}

void source_aside_remove(const struct config *c)
{
	static const char *const names[] = {"repo", "tree"};
	static const char *const suffixes[] = {SOURCE_ASIDE_SUFFIX, ".old"};

	for (size_t i = 0; i < 2; i++) {
		for (size_t j = 0; j < 2; j++) {
			char *p = source_state_path(c, names[i], suffixes[j]);

			if (source_git_rmtree(p) < 0)
				err_clear();
			free(p);
		}
	}
}

/*
 * The aside clone becomes the clone: "repo" -> "repo.old", "repo.next" ->
 * "repo" (put back when the second rename fails), then the old one and
 * the aside tree go. The tree itself is not swapped: containers
 * bind-mount its directories, so the next open brings it to the new
 * commit in place.
 */
int source_aside_promote(const struct config *c)
{
	char *repo = source_state_path(c, "repo", "");
	char *next = source_state_path(c, "repo", SOURCE_ASIDE_SUFFIX);
	char *old = source_state_path(c, "repo", ".old");
	bool had = access(repo, F_OK) == 0;
	int error = 0;

	if (had && rename(repo, old) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot move '%s'", repo);
	} else if (rename(next, repo) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot move '%s'", next);
		if (had && rename(old, repo) < 0)
			log_warnx("cannot put '%s' back: %s", repo,
				  strerror(errno));
	}
	free(old);
	free(next);
	free(repo);
	if (error == 0)
		source_aside_remove(c);
	return error;
}

int source_fetch(struct source *s, bool *changed_out)
{
	bool changed = false;
	int error;

	if (changed_out)
		*changed_out = false;
	if (!s->git)
		return 0;
	if ((error = source_git_fetch(s->git, &changed)) < 0)
		return error;
	/* Also when the commit did not move: a refresh that failed after
	 * the fetch pinned it is retried (a no-op once the tree holds it). */
	if ((error = source_git_refresh_tree(s)) < 0)
		return error;
	if (changed_out)
		*changed_out = changed;
	return 0;
}

void source_free(struct source *s)
{
	if (!s)
		return;
	source_git_free(s->git);
	free(s->tree_dir);
	free(s->root);
	free(s);
}

const char *source_commit(const struct source *s)
{
	return s->git ? source_git_commit(s->git) : NULL;
}

const char *source_describe(const struct source *s)
{
	return s->git ? source_git_describe(s->git) : s->root;
}

const char *source_root(const struct source *s)
{
	return s->root;
}

/* Is p (absolute, cleaned) the root or below it? */
static bool source_under_root(const struct source *s, const char *p)
{
	size_t n = strlen(s->root);

	if (strncmp(p, s->root, n))
		return false;
	/* The root "/" is a prefix of everything. */
	return p[n] == '\0' || p[n] == '/' || (n == 1 && s->root[0] == '/');
}

int source_read(struct source *s, const char *relpath, struct buf *out)
{
	char resolved[PATH_MAX];
	char *clean = NULL, *full = NULL;
	int error = -1;

	/* The pinned commit itself, not the tree written out from it. */
	if (s->git)
		return source_git_read(s->git, relpath, out);

	if (!relpath[0] || path_is_abs(relpath)) {
		error = err_set(MOOR_EINVAL,
				"'%s' is not a path inside the repository",
				relpath);
		goto cleanup;
	}
	clean = path_clean(relpath);
	if (!strcmp(clean, "..") || !strncmp(clean, "../", 3)) {
		error = err_set(MOOR_EINVAL, "'%s' is outside the repository",
				relpath);
		goto cleanup;
	}
	full = path_join(s->root, clean);
	if (!realpath(full, resolved)) {
		error = err_set_errno(errno == ENOENT || errno == ENOTDIR
					  ? MOOR_ENOTFOUND
					  : MOOR_EIO,
				      "cannot open '%s'", relpath);
		goto cleanup;
	}
	/* A symbolic link may point anywhere; what it reaches must still be
	 * inside the tree, as it would be in a git checkout's blobs. */
	if (!source_under_root(s, resolved)) {
		error =
		    err_set(MOOR_EINVAL, "'%s' resolves outside the repository",
			    relpath);
		goto cleanup;
	}
	error = buf_read_file(out, resolved);
cleanup:
	free(clean);
	free(full);
	return error;
}

int source_read_cb(void *data, const char *path, struct buf *out)
{
	struct source *s = data;
	char *clean = NULL;
	size_t n = strlen(s->root);
	int error;

	if (!path_is_abs(path))
		return source_read(s, path, out);
	clean = path_clean(path);
	if (!source_under_root(s, clean) || !strcmp(clean, s->root)) {
		error =
		    err_set(MOOR_EINVAL, "'%s' is outside the repository '%s'",
			    path, s->root);
	} else {
		/* Strip "<root>/" (just "/" when the root is "/"). */
		error = source_read(s, clean + (n == 1 ? 1 : n + 1), out);
	}
	free(clean);
	return error;
}

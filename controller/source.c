/*
 * source.c - the plain-directory source: the desired state is whatever
 * the directory holds now (no commit). The git source will provide the
 * same functions over one commit's tree.
 *
 * Reads stay inside the root: a relative path with ".." going above it,
 * an absolute path, or a symbolic link resolving outside it is refused,
 * so a unit's compose file cannot pull in /etc/shadow as an env_file.
 */
#include "source.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "path.h"
#include "xalloc.h"

#include "banned.h"

struct source {
	char *root; /* absolute, symbolic links resolved */
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

void source_free(struct source *s)
{
	if (!s)
		return;
	free(s->root);
	free(s);
}

const char *source_commit(const struct source *s)
{
	(void)s;
	return NULL;
}

const char *source_describe(const struct source *s)
{
	return s->root;
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

/*
 * source_git_fs.c - the git source's directories: temporary directories
 * next to their final place (so a rename puts them there whole), their
 * removal on every path and after a crash, and bringing the on-disk copy
 * of one commit's tree (the renderer's relative bind mounts) up to date in
 * place: containers bind-mount its directories, so a directory in both
 * commits keeps its inode, and a changed file is renamed over whole.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "path.h"
#include "source_git_int.h"
#include "xalloc.h"

#include "banned.h"

static int source_git_rm_entry(const char *path, const struct stat *st,
			       int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 &&
	    errno != ENOENT)
		return err_set_errno(MOOR_EIO, "cannot remove '%s'", path);
	return 0;
}

int source_git_rmtree(const char *dir)
{
	struct stat st;
	int rc;

	if (lstat(dir, &st) < 0)
		return errno == ENOENT
			   ? 0
			   : err_set_errno(MOOR_EIO, "cannot remove '%s'", dir);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(dir) < 0)
			return err_set_errno(MOOR_EIO, "cannot remove '%s'",
					     dir);
		return 0;
	}
	/* FTW_PHYS: never follow a symbolic link out of the tree. */
	errno = 0;
	rc = nftw(dir, source_git_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (rc == -1 && errno)
		return err_set_errno(MOOR_EIO, "cannot remove '%s'", dir);
	return rc < 0 ? rc : 0;
}

int source_git_mktemp(char **out, const char *path)
{
	char *dir = path_dirname(path);
	char *tmp = xasprintf("%s.tmp-XXXXXX", path);
	int error = -1;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		error = err_set_errno(MOOR_EIO, "cannot create '%s'", dir);
		goto cleanup;
	}
	if (!mkdtemp(tmp)) {
		error = err_set_errno(MOOR_EIO,
				      "cannot create a directory "
				      "next to '%s'",
				      path);
		goto cleanup;
	}
	*out = tmp;
	tmp = NULL;
	error = 0;
cleanup:
	free(tmp);
	free(dir);
	return error;
}

void source_git_clean_temps(const char *path)
{
	char *dir = path_dirname(path), *base = path_basename(path);
	char *prefix = xasprintf("%s.tmp-", base);
	size_t n = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *full;

		if (strncmp(de->d_name, prefix, n))
			continue;
		full = path_join(dir, de->d_name);
		log_info("removing '%s' left by an interrupted run", full);
		if (source_git_rmtree(full) < 0)
			log_warnx("%s", err_last());
		free(full);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(base);
	free(dir);
}

/*
 * A link is written only when it stays inside the tree: a bind mount of
 * "./data" must not become a bind mount of whatever it points to. The
 * target is walked through the commit's tree as the kernel would walk the
 * written copy: a component that is itself a link is followed (so that
 * "e -> l/.." with "l -> ." is seen to leave the tree, which a lexical
 * check of "l/.." would miss); past a missing component the walk goes on
 * lexically (the kernel would stop there).
 */
struct source_git_walk {
	git_repository *repo;
	git_tree *root;
	char **seg; /* the directory the walk stands in, from the root */
	size_t n, cap;
	unsigned links;
};

static void source_git_walk_pop(struct source_git_walk *w)
{
	free(w->seg[--w->n]);
}

static char *source_git_walk_path(const struct source_git_walk *w)
{
	struct buf b = BUF_INIT(8192);
	char *s;

	for (size_t i = 0; i < w->n; i++)
		buf_printf(&b, "%s%s", i ? "/" : "", w->seg[i]);
	s = xstrdup(buf_cstr(&b));
	buf_release(&b);
	return s;
}

/* The link target of the entry at the walk's path, or NULL when it is no
 * link (a directory, a file, or nothing). */
static char *source_git_walk_link(struct source_git_walk *w, bool *bad)
{
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	char *path = source_git_walk_path(w), *target = NULL;

	if (git_tree_entry_bypath(&e, w->root, path) == 0 &&
	    git_tree_entry_filemode(e) == GIT_FILEMODE_LINK) {
		if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(e)) < 0 ||
		    git_blob_rawsize(blob) > 4096)
			*bad = true;
		else
			target = xstrndup(git_blob_rawcontent(blob),
					  (size_t)git_blob_rawsize(blob));
	}
	git_blob_free(blob);
	git_tree_entry_free(e);
	free(path);
	return target;
}

static bool source_git_walk(struct source_git_walk *w, const char *path)
{
	const char *p = path;
	bool inside = true;

	if (!*path || path_is_abs(path))
		return false;
	while (*p && inside) {
		size_t len = strcspn(p, "/");
		char *target;
		bool bad = false;

		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* "" (a doubled slash) or "." */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (!w->n)
				inside = false;
			else
				source_git_walk_pop(w);
		} else {
			if (w->n == w->cap) {
				w->cap = w->cap ? 2 * w->cap : 8;
				w->seg =
				    xrealloc(w->seg, w->cap * sizeof(*w->seg));
			}
			w->seg[w->n++] = xstrndup(p, len);
			target = source_git_walk_link(w, &bad);
			if (bad) {
				inside = false;
			} else if (target) {
				/* The link resolves from its own directory. */
				source_git_walk_pop(w);
				inside = ++w->links <= SOURCE_GIT_MAX_LINKS &&
					 source_git_walk(w, target);
			}
			free(target);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return inside;
}

static bool source_git_link_inside(git_repository *repo, git_tree *root,
				   const char *rel, const char *target)
{
	struct source_git_walk w;
	char *dir = path_dirname(rel);
	bool inside;

	memset(&w, 0, sizeof(w));
	w.repo = repo;
	w.root = root;
	/* The link's own directory is a real directory of the tree. */
	inside = (!strcmp(dir, ".") || source_git_walk(&w, dir)) &&
		 source_git_walk(&w, target);
	while (w.n)
		source_git_walk_pop(&w);
	free(w.seg);
	free(dir);
	return inside;
}

/* Does path hold exactly data as a regular file with mode's executable
 * bit? Then it is left alone (its inode too). */
static bool source_git_file_same(const char *path, const void *data, size_t len,
				 mode_t mode)
{
	struct buf b = BUF_INIT(len + 1);
	struct stat st;
	bool same;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != len ||
	    !(st.st_mode & S_IXUSR) != !(mode & S_IXUSR))
		return false;
	same = buf_read_file(&b, path) == 0 && b.len == len &&
	       (!len || !memcmp(b.data, data, len));
	buf_release(&b);
	return same;
}

/* A temporary name in path's directory, so that a rename over path is
 * atomic; a leftover is not in the commit, so the next full pass (the
 * marker is gone while an update runs) removes it. */
static int source_git_tmpfile(char **out, int *fd_out, const char *path)
{
	char *dir = path_dirname(path), *base = path_basename(path);
	char *tmp = xasprintf("%s/.%s.mooring-XXXXXX", dir, base);
	int fd = mkostemp(tmp, O_CLOEXEC);

	free(dir);
	free(base);
	if (fd < 0) {
		err_set_errno(MOOR_EIO, "cannot create a file next to '%s'",
			      path);
		free(tmp);
		return MOOR_EIO;
	}
	*out = tmp;
	*fd_out = fd;
	return 0;
}

/* Put tmp in path's place; a directory there is removed first, as rename
 * cannot replace one with a file. */
static int source_git_rename_over(const char *tmp, const char *path)
{
	struct stat st;
	int error;

	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (error = source_git_rmtree(path)) < 0)
		return error;
	if (rename(tmp, path) < 0)
		return err_set_errno(MOOR_EIO, "cannot rename '%s' to '%s'",
				     tmp, path);
	return 0;
}

/* Replace path by a file holding data, never visible half-written. */
static int source_git_put_file(const char *path, const void *data, size_t len,
			       mode_t mode)
{
	const char *p = data;
	char *tmp = NULL;
	int fd = -1, error = -1;
	ssize_t w;

	if (source_git_file_same(path, data, len, mode))
		return 0;
	if ((error = source_git_tmpfile(&tmp, &fd, path)) < 0)
		return error;
	if (fchmod(fd, mode) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot write '%s'", path);
		goto cleanup;
	}
	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			error =
			    err_set_errno(MOOR_EIO, "cannot write '%s'", path);
			goto cleanup;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = err_set_errno(MOOR_EIO, "cannot write '%s'", path);
		goto cleanup;
	}
	fd = -1;
	error = source_git_rename_over(tmp, path);
cleanup:
	if (fd >= 0)
		close(fd);
	if (error < 0)
		unlink(tmp);
	free(tmp);
	return error;
}

static int source_git_put_link(const char *path, const char *target)
{
	char have[4097];
	char *tmp = NULL;
	ssize_t n = readlink(path, have, sizeof(have) - 1);
	int fd = -1, error = -1;

	if (n >= 0) {
		have[n] = '\0';
		if (!strcmp(have, target))
			return 0;
	}
	/* mkostemp reserves a fresh name; the link takes it. */
	if ((error = source_git_tmpfile(&tmp, &fd, path)) < 0)
		return error;
	close(fd);
	unlink(tmp);
	if (symlink(target, tmp) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot create '%s'", path);
		goto cleanup;
	}
	error = source_git_rename_over(tmp, path);
cleanup:
	if (error < 0)
		unlink(tmp);
	free(tmp);
	return error;
}

/* Make path a directory, keeping one that is there (and its inode: a
 * container may have it bind-mounted). */
static int source_git_put_dir(const char *path, mode_t mode)
{
	struct stat st;
	int error;

	if (lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		if ((error = source_git_rmtree(path)) < 0)
			return error;
	}
	if (mkdir(path, mode) < 0)
		return err_set_errno(MOOR_EIO, "cannot create '%s'", path);
	return 0;
}

/* One sync: the repository and the new commit's root tree (for links). */
struct source_git_sync {
	git_repository *repo;
	git_tree *root;
};

static int source_git_sync_dir(const struct source_git_sync *sy, git_tree *old,
			       git_tree *tree, const char *rel,
			       const char *dir);

/* One entry of the new tree at path (rel for messages and the link rule);
 * oe is the same name in the old tree, NULL when unknown. */
static int source_git_sync_entry(const struct source_git_sync *sy,
				 const git_tree_entry *oe,
				 const git_tree_entry *e, const char *rel,
				 const char *path)
{
	git_repository *repo = sy->repo;
	git_filemode_t mode = git_tree_entry_filemode(e);
	git_tree *sub = NULL, *oldsub = NULL;
	git_blob *blob = NULL;
	char *target = NULL, *subrel = NULL;
	int error = 0;

	switch (git_tree_entry_type(e)) {
	case GIT_OBJECT_TREE:
		if ((error = source_git_put_dir(path, 0755)) < 0)
			break;
		if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0 ||
		    (oe && git_tree_entry_type(oe) == GIT_OBJECT_TREE &&
		     git_tree_lookup(&oldsub, repo, git_tree_entry_id(oe)) <
			 0)) {
			error = err_set(
			    MOOR_EIO, "cannot read '%s': %s", rel,
			    git_error_last() ? git_error_last()->message : "?");
			break;
		}
		subrel = xasprintf("%s/", rel);
		error = source_git_sync_dir(sy, oldsub, sub, subrel, path);
		break;
	case GIT_OBJECT_BLOB:
		if (git_blob_lookup(&blob, repo, git_tree_entry_id(e)) < 0) {
			error = err_set(
			    MOOR_EIO, "cannot read '%s': %s", rel,
			    git_error_last() ? git_error_last()->message : "?");
			break;
		}
		if (mode != GIT_FILEMODE_LINK) {
			error = source_git_put_file(
			    path, git_blob_rawcontent(blob),
			    (size_t)git_blob_rawsize(blob),
			    mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
			break;
		}
		target = xstrndup(git_blob_rawcontent(blob),
				  (size_t)git_blob_rawsize(blob));
		if (source_git_link_inside(repo, sy->root, rel, target)) {
			error = source_git_put_link(path, target);
			break;
		}
		log_warnx("'%s': symbolic link leaves the repository, not "
			  "written",
			  rel);
		error = source_git_rmtree(path);
		break;
	default:
		/* A submodule: an empty directory, as git leaves it. */
		error = source_git_put_dir(path, 0755);
		break;
	}
	free(subrel);
	free(target);
	git_blob_free(blob);
	git_tree_free(oldsub);
	git_tree_free(sub);
	return error;
}

/* Make dir hold tree. With old (what dir held), entries that did not
 * change are skipped and old's entries gone from tree removed; without,
 * every entry is checked and anything in dir not in tree removed. */
static int source_git_sync_dir(const struct source_git_sync *sy, git_tree *old,
			       git_tree *tree, const char *rel, const char *dir)
{
	size_t i, n = git_tree_entrycount(tree);
	const git_tree_entry *e, *oe;
	char *path = NULL, *erel = NULL;
	DIR *d = NULL;
	struct dirent *de;
	int error = 0;

	for (i = 0; i < n && !error; i++) {
		e = git_tree_entry_byindex(tree, i);
		oe = old ? git_tree_entry_byname(old, git_tree_entry_name(e))
			 : NULL;
		if (oe &&
		    !git_oid_cmp(git_tree_entry_id(oe), git_tree_entry_id(e)) &&
		    git_tree_entry_filemode(oe) == git_tree_entry_filemode(e))
			continue;
		path = path_join(dir, git_tree_entry_name(e));
		erel = xasprintf("%s%s", rel, git_tree_entry_name(e));
		error = source_git_sync_entry(sy, oe, e, erel, path);
		free(erel);
		free(path);
	}
	for (i = 0; old && i < git_tree_entrycount(old) && !error; i++) {
		oe = git_tree_entry_byindex(old, i);
		if (git_tree_entry_byname(tree, git_tree_entry_name(oe)))
			continue;
		path = path_join(dir, git_tree_entry_name(oe));
		error = source_git_rmtree(path);
		free(path);
	}
	if (old || error)
		return error;
	if (!(d = opendir(dir)))
		return err_set_errno(MOOR_EIO, "cannot open '%s'", dir);
	while (!error && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    git_tree_entry_byname(tree, de->d_name))
			continue;
		path = path_join(dir, de->d_name);
		error = source_git_rmtree(path);
		free(path);
	}
	closedir(d);
	return error;
}

/* After an update that skipped unchanged entries: a link that did not
 * change may now lead outside through one that did ("l" turned into "."
 * under "e -> l/.."). Every link of the tree is checked again. */
struct source_git_relink {
	const struct source_git_sync *sy;
	const char *dir;
	int error;
};

static int source_git_relink_cb(const char *root, const git_tree_entry *e,
				void *payload)
{
	struct source_git_relink *r = payload;
	git_blob *blob = NULL;
	char *rel, *target = NULL, *path;

	if (git_tree_entry_filemode(e) != GIT_FILEMODE_LINK)
		return 0;
	rel = xasprintf("%s%s", root, git_tree_entry_name(e));
	if (git_blob_lookup(&blob, r->sy->repo, git_tree_entry_id(e)) == 0)
		target = xstrndup(git_blob_rawcontent(blob),
				  (size_t)git_blob_rawsize(blob));
	if (!target ||
	    !source_git_link_inside(r->sy->repo, r->sy->root, rel, target)) {
		path = path_join(r->dir, rel);
		if (access(path, F_OK) == 0 || errno != ENOENT)
			log_warnx("'%s': symbolic link leaves the repository, "
				  "removed",
				  rel);
		if (source_git_rmtree(path) < 0)
			r->error = -1;
		free(path);
	}
	free(target);
	git_blob_free(blob);
	free(rel);
	return r->error;
}

int source_git_sync_tree(git_repository *repo, git_tree *old, git_tree *tree,
			 const char *dir)
{
	struct source_git_sync sy = {repo, tree};
	struct source_git_relink r = {&sy, dir, 0};
	int error;

	if ((error = source_git_sync_dir(&sy, old, tree, "", dir)) < 0 || !old)
		return error;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, source_git_relink_cb, &r) <
	    0) {
		if (r.error < 0)
			return r.error;
		return err_set(
		    MOOR_EIO, "cannot walk the tree of '%s': %s", dir,
		    git_error_last() ? git_error_last()->message : "?");
	}
	return 0;
}

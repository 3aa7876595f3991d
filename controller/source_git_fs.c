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

/* A link is written only when it stays inside the tree: a bind mount of
 * "./data" must not become a bind mount of whatever it points to. */
static bool source_git_link_inside(const char *rel, const char *target)
{
	char *dir, *joined;
	bool inside;

	if (!*target || path_is_abs(target))
		return false;
	dir = path_dirname(rel);
	joined = path_join(dir, target);
	inside = strcmp(joined, "..") && strncmp(joined, "../", 3);
	free(joined);
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

static int source_git_sync_dir(git_repository *repo, git_tree *old,
			       git_tree *tree, const char *rel,
			       const char *dir);

/* One entry of the new tree at path (rel for messages and the link rule);
 * oe is the same name in the old tree, NULL when unknown. */
static int source_git_sync_entry(git_repository *repo, const git_tree_entry *oe,
				 const git_tree_entry *e, const char *rel,
				 const char *path)
{
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
		error = source_git_sync_dir(repo, oldsub, sub, subrel, path);
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
		if (source_git_link_inside(rel, target)) {
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
static int source_git_sync_dir(git_repository *repo, git_tree *old,
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
		error = source_git_sync_entry(repo, oe, e, erel, path);
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

int source_git_sync_tree(git_repository *repo, git_tree *old, git_tree *tree,
			 const char *dir)
{
	return source_git_sync_dir(repo, old, tree, "", dir);
}

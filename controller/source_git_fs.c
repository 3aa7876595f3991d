/*
 * source_git_fs.c - the git source's directories: temporary directories
 * next to their final place (so a rename puts them there whole), their
 * removal on every path and after a crash, and writing one commit's tree
 * to disk for the renderer's relative bind mounts.
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

struct source_git_writer {
	git_repository *repo;
	const char *dir;
	int error;
};

static int source_git_write_file(const char *path, const void *data, size_t len,
				 mode_t mode)
{
	const char *p = data;
	int fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	ssize_t w;

	if (fd < 0)
		return err_set_errno(MOOR_EIO, "cannot create '%s'", path);
	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err_set_errno(MOOR_EIO, "cannot write '%s'", path);
			close(fd);
			return MOOR_EIO;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0)
		return err_set_errno(MOOR_EIO, "cannot write '%s'", path);
	return 0;
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

static int source_git_write_entry(const char *root, const git_tree_entry *entry,
				  void *payload)
{
	struct source_git_writer *w = payload;
	char *rel = xasprintf("%s%s", root, git_tree_entry_name(entry));
	char *full = path_join(w->dir, rel), *target = NULL;
	git_blob *blob = NULL;
	git_filemode_t mode = git_tree_entry_filemode(entry);
	int error = 0;

	switch (git_tree_entry_type(entry)) {
	case GIT_OBJECT_TREE:
		if (mkdir(full, 0755) < 0)
			error =
			    err_set_errno(MOOR_EIO, "cannot create '%s'", full);
		break;
	case GIT_OBJECT_BLOB:
		if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(entry)) <
		    0) {
			error = err_set(
			    MOOR_EIO, "cannot read '%s': %s", rel,
			    git_error_last() ? git_error_last()->message : "?");
			break;
		}
		if (mode == GIT_FILEMODE_LINK) {
			target = xstrndup(git_blob_rawcontent(blob),
					  (size_t)git_blob_rawsize(blob));
			if (!source_git_link_inside(rel, target))
				log_warnx("'%s': symbolic link leaves the "
					  "repository, not written",
					  rel);
			else if (symlink(target, full) < 0)
				error = err_set_errno(
				    MOOR_EIO, "cannot create '%s'", full);
			break;
		}
		error = source_git_write_file(
		    full, git_blob_rawcontent(blob),
		    (size_t)git_blob_rawsize(blob),
		    mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
		break;
	default:
		/* A submodule: an empty directory, as git leaves it. */
		if (mkdir(full, 0755) < 0)
			error =
			    err_set_errno(MOOR_EIO, "cannot create '%s'", full);
		break;
	}
	free(target);
	git_blob_free(blob);
	free(full);
	free(rel);
	if (error < 0) {
		w->error = error;
		return -1;
	}
	return 0;
}

int source_git_write_tree(git_repository *repo, git_tree *tree, const char *dir)
{
	struct source_git_writer w = {repo, dir, 0};

	if (git_tree_walk(tree, GIT_TREEWALK_PRE, source_git_write_entry, &w) <
	    0) {
		if (w.error < 0)
			return w.error;
		return err_set(
		    MOOR_EIO, "cannot write the tree into '%s': %s", dir,
		    git_error_last() ? git_error_last()->message : "?");
	}
	return 0;
}

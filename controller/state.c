/*
 * state.c - the state directory: the recorded plane (state/<unit>.json),
 * atomic file writes, and the lock (see state.h).
 *
 * Atomic write: a temporary file next to the target (same file system,
 * so rename() is atomic), written whole and fsynced, renamed over the
 * target, then the directory fsynced so the rename itself survives a
 * crash. A failure removes the temporary file.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "emit.h"
#include "err.h"
#include "path.h"
#include "units.h"
#include "xalloc.h"

#include "banned.h"

/* Recorded specs of a few hundred services fit easily. */
static const struct ylimits state_limits = {
    .max_file_size = 64u << 20,
    .max_depth = 64,
    .max_alias_nodes = 0,
    .max_nodes = 4000000,
    .max_scalar_size = 1u << 20,
};

int state_mkdirs(const char *dir)
{
	char *p = path_clean(dir);
	struct stat st;
	int error = -1;

	for (char *s = p + 1;; s++) {
		char saved = *s;

		if (saved != '/' && saved != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			error = err_set_errno(
			    MOOR_EIO, "cannot create directory '%s'", p);
			goto cleanup;
		}
		*s = saved;
		if (!saved)
			break;
	}
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error = err_set(MOOR_EIO, "'%s' is not a directory", p);
		goto cleanup;
	}
	error = 0;
cleanup:
	free(p);
	return error;
}

/* <state_dir>/state/<unit>.json; the name is checked so that it cannot
 * carry a path ("../x", "a/b") into the file name. */
static int state_unit_path(char **out, const char *state_dir, const char *unit)
{
	if (!unit_name_valid(unit))
		return err_set(MOOR_EINVAL, "invalid unit name '%s'", unit);
	*out = xasprintf("%s/state/%s.json", state_dir, unit);
	return 0;
}

int state_load(struct ynode **out, const char *state_dir, const char *unit)
{
	struct ynode *doc = NULL;
	struct stat st;
	char *path = NULL;
	int error = -1;

	if ((error = state_unit_path(&path, state_dir, unit)) < 0)
		goto cleanup;
	if (stat(path, &st) < 0 && errno == ENOENT) {
		error = err_set(MOOR_ENOTFOUND,
				"no recorded state for unit '%s'", unit);
		goto cleanup;
	}
	if ((error = ynode_load_file(&doc, path, &state_limits)) < 0)
		goto cleanup;
	if (doc->kind != YNODE_MAP) {
		error =
		    err_set(MOOR_EINVAL,
			    "'%s' is not a state file (not an object)", path);
		goto cleanup;
	}
	*out = doc;
	doc = NULL;
	error = 0;
cleanup:
	ynode_free(doc);
	free(path);
	return error;
}

int state_save(const char *state_dir, const char *unit, const struct ynode *doc)
{
	struct buf json = BUF_INIT(BUF_UNBOUNDED);
	char *path = NULL, *dir = NULL;
	int error = -1;

	if ((error = state_unit_path(&path, state_dir, unit)) < 0)
		goto cleanup;
	dir = path_dirname(path);
	if ((error = state_mkdirs(dir)) < 0)
		goto cleanup;
	if ((error = emit_json(&json, doc, EMIT_SORTED)) < 0)
		goto cleanup;
	if (!json.len || json.data[json.len - 1] != '\n')
		buf_addc(&json, '\n');
	error = state_write_atomic(path, json.data, json.len);
cleanup:
	buf_release(&json);
	free(path);
	free(dir);
	return error;
}

static int state_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int state_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return err_set_errno(MOOR_EIO, "cannot open directory '%s'",
				     dir);
	rc = fsync(fd);
	close(fd);
	if (rc < 0)
		return err_set_errno(MOOR_EIO, "cannot fsync directory '%s'",
				     dir);
	return 0;
}

int state_write_atomic(const char *path, const void *data, size_t len)
{
	char *dir = path_dirname(path);
	char *base = path_basename(path);
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	int fd = -1;
	int error = -1;

	fd = mkstemp(tmp);
	if (fd < 0) {
		error = err_set_errno(
		    MOOR_EIO, "cannot create a temporary file in '%s'", dir);
		free(tmp);
		tmp = NULL;
		goto cleanup;
	}
	if (state_write_all(fd, data, len) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot write '%s'", tmp);
		goto cleanup;
	}
	if (fsync(fd) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot fsync '%s'", tmp);
		goto cleanup;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = err_set_errno(MOOR_EIO, "cannot write '%s'", tmp);
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot rename '%s' to '%s'",
				      tmp, path);
		goto cleanup;
	}
	free(tmp);
	tmp = NULL; /* renamed: nothing left to remove */
	error = state_fsync_dir(dir);
cleanup:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(base);
	free(dir);
	return error;
}

/* The pid written in the lock file, or 0 when unreadable. */
static long state_lock_holder(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	char *end = NULL;
	long pid;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	errno = 0;
	pid = strtol(text, &end, 10);
	if (errno || end == text || pid <= 0)
		return 0;
	return pid;
}

int state_lock(int *fd_out, const char *state_dir)
{
	char *path = NULL;
	char pid[32];
	long holder;
	int fd = -1;
	int error = -1;

	if ((error = state_mkdirs(state_dir)) < 0)
		goto cleanup;
	path = xasprintf("%s/lock", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		error = err_set_errno(MOOR_EIO, "cannot open '%s'", path);
		goto cleanup;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EAGAIN) {
			error =
			    err_set_errno(MOOR_EIO, "cannot lock '%s'", path);
			goto cleanup;
		}
		holder = state_lock_holder(fd);
		if (holder)
			error = err_set(MOOR_ELOCKED,
					"state dir '%s' is locked by pid %ld",
					state_dir, holder);
		else
			error = err_set(MOOR_ELOCKED,
					"state dir '%s' is locked by another "
					"process",
					state_dir);
		goto cleanup;
	}
	/* Who holds it is for the message above only; a failure to write
	 * it does not make the lock less held. */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pid, strlen(pid), 0);
	*fd_out = fd;
	fd = -1;
	error = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	free(path);
	return error;
}

void state_unlock(int fd)
{
	if (fd < 0)
		return;
	/* Leave no stale pid behind; closing releases the flock. */
	if (ftruncate(fd, 0) < 0) {
		/* Nothing to do: the next holder rewrites it. */
	}
	close(fd);
}

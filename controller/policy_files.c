/*
 * policy_files.c - finding and reading the policy files (policy.h): every
 * *.yaml and *.yml of the repo's mooring/policies (read through the
 * source, whose path checks apply), then the shipped defaults
 * (MOORING_POLICY_DIR). Each file is loaded as YAML at once (a syntax
 * error fails with its position); policy.c parses the trees.
 */
#include "policy.h"
#include "policy_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "err.h"
#include "path.h"
#include "xalloc.h"

#include "banned.h"

/* Policy files are short; hostile ones stay cheap. */
static const struct ylimits policy_limits = {
    .max_file_size = 1u << 20,
    .max_depth = 16,
    .max_alias_nodes = 100000,
    .max_nodes = 200000,
    .max_scalar_size = 64u << 10,
};

/* A directory of more files than this is a mistake, not a policy. */
#define POLICY_MAX_FILES 1000

/* The YAML trees of every file, in precedence order. */
struct policy_trees {
	struct ynode **items;
	size_t n;
};

static int policy_trees_add(struct policy_trees *t, const struct buf *data,
			    const char *name)
{
	struct ynode *root = NULL;
	int error;

	error = ynode_load_buffer(&root, buf_cstr(data), data->len, name,
				  &policy_limits);
	if (error < 0)
		return error;
	t->items = xreallocarray(t->items, t->n + 1, sizeof(*t->items));
	t->items[t->n++] = root;
	return 0;
}

static void policy_trees_release(struct policy_trees *t)
{
	for (size_t i = 0; i < t->n; i++)
		ynode_free(t->items[i]);
	free(t->items);
}

int policy_load_files(struct policy *out, const char *const *paths, size_t n)
{
	struct policy_trees trees = {NULL, 0};
	struct buf data = BUF_INIT(policy_limits.max_file_size);
	int error = 0;

	for (size_t i = 0; i < n && error == 0; i++) {
		buf_reset(&data);
		if ((error = buf_read_file(&data, paths[i])) == 0)
			error = policy_trees_add(&trees, &data, paths[i]);
	}
	if (error == 0)
		error = policy_from_trees(out, trees.items, trees.n);
	policy_trees_release(&trees);
	buf_release(&data);
	return error;
}

static int policy_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool policy_is_yaml_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

/* The *.yaml and *.yml files of dir (not directories), sorted. A missing
 * dir is no file when missing_ok, else MOOR_ENOTFOUND. */
static int policy_list_dir(char ***out, size_t *nout, const char *dir,
			   bool missing_ok)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d = NULL;
	int error = -1;

	*out = NULL;
	*nout = 0;
	if (!(d = opendir(dir))) {
		if ((errno == ENOENT || errno == ENOTDIR) && missing_ok)
			return 0;
		return err_set_errno(errno == ENOENT || errno == ENOTDIR
					 ? MOOR_ENOTFOUND
					 : MOOR_EIO,
				     "cannot open policy directory '%s'", dir);
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		char *full;
		bool skip;

		if (!policy_is_yaml_name(de->d_name))
			continue;
		full = path_join(dir, de->d_name);
		skip = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
		free(full);
		if (skip)
			continue;
		if (n == POLICY_MAX_FILES) {
			error = err_set(MOOR_ELIMIT,
					"more than %d policy files in '%s'",
					POLICY_MAX_FILES, dir);
			goto cleanup;
		}
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (errno) {
		error = err_set_errno(MOOR_EIO,
				      "cannot read policy directory "
				      "'%s'",
				      dir);
		goto cleanup;
	}
	if (n)
		qsort(names, n, sizeof(*names), policy_cmp_names);
	*out = names;
	*nout = n;
	names = NULL;
	error = 0;
cleanup:
	policy_free_list(names, names ? n : 0);
	closedir(d);
	return error;
}

/* The repo's files, read through the source (its path checks apply). */
static int policy_load_repo(struct policy_trees *t, struct source *src)
{
	struct buf data = BUF_INIT(policy_limits.max_file_size);
	char *dir = path_join(source_root(src), POLICY_REPO_DIR);
	char **names = NULL;
	size_t n = 0;
	int error;

	error = policy_list_dir(&names, &n, dir, true);
	for (size_t i = 0; i < n && error == 0; i++) {
		char *rel = xasprintf("%s/%s", POLICY_REPO_DIR, names[i]);

		buf_reset(&data);
		if ((error = source_read(src, rel, &data)) == 0)
			error = policy_trees_add(t, &data, rel);
		free(rel);
	}
	policy_free_list(names, n);
	buf_release(&data);
	free(dir);
	return error;
}

static int policy_load_defaults(struct policy_trees *t)
{
	struct buf data = BUF_INIT(policy_limits.max_file_size);
	const char *dir = getenv("MOORING_POLICY_DIR");
	char **names = NULL;
	size_t n = 0;
	int error;

	if (!dir || !*dir)
		dir = MOORING_POLICY_DIR;
	error = policy_list_dir(&names, &n, dir, false);
	for (size_t i = 0; i < n && error == 0; i++) {
		char *full = path_join(dir, names[i]);

		buf_reset(&data);
		if ((error = buf_read_file(&data, full)) == 0)
			error = policy_trees_add(t, &data, full);
		free(full);
	}
	policy_free_list(names, n);
	buf_release(&data);
	return error;
}

int policy_load(struct policy *out, struct source *src)
{
	struct policy_trees trees = {NULL, 0};
	int error = -1;

	if (src && (error = policy_load_repo(&trees, src)) < 0)
		goto cleanup;
	if ((error = policy_load_defaults(&trees)) < 0)
		goto cleanup;
	error = policy_from_trees(out, trees.items, trees.n);
cleanup:
	policy_trees_release(&trees);
	return error;
}

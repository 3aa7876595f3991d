/*
 * conf_merge.c - the "merge" and "unicity" categories of the conformance
 * runner (see ../shared/conformance/README.md, merge/<id>/, unicity/<id>/).
 *
 * raw-merge cases: base.yaml + override.yaml through merge_documents()
 * (which ends with the unicity pass, as compose-go's tests do), compared
 * with expected.yaml as generic trees: mappings unordered, sequences in
 * order, scalar types significant. merge.c produces compose-go's own
 * list-or-mapping forms, so no normalisation is needed before comparing.
 *
 * loaded-model cases: both files through compose_load(), then the checks
 * of assertions.json (or expected.yaml's services.foo) on the model.
 */
#include "conformance.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "compose.h"
#include "emit.h"
#include "err.h"
#include "merge.h"
#include "normalize.h"
#include "xalloc.h"
#include "ynode.h"

static int conf_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sub-directories of dir, sorted (caller frees each and the array). */
static char **conf_list_dirs(const char *dir, size_t *n_out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	*n_out = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		char *path;
		struct stat st;
		bool is_dir;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		free(path);
		if (!is_dir)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), conf_cmp_str);
	*n_out = n;
	return names;
}

static bool conf_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Compact JSON of a tree, for one-line failure messages. */
static char *conf_dump(const struct ynode *n)
{
	struct buf b = BUF_INIT(1 << 20);

	if (!n)
		return xstrdup("(absent)");
	if (emit_json(&b, n, EMIT_SORTED | EMIT_COMPACT) < 0) {
		buf_release(&b);
		return xstrdup("(unprintable)");
	}
	return buf_detach(&b, NULL);
}

static void conf_fail_trees(struct conf_result *r, const char *cat,
			    const char *id, const struct ynode *got,
			    const struct ynode *want)
{
	char *g = conf_dump(got), *w = conf_dump(want);

	conf_fail(r, cat, id, "got %s, want %s", g, w);
	free(g);
	free(w);
}

static int conf_load(struct ynode **out, const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	int error = ynode_load_file(out, path, NULL);

	free(path);
	return error;
}

static void conf_raw_merge(const char *dir, const char *id,
			   struct conf_result *r)
{
	struct ynode *base = NULL, *over = NULL, *want = NULL;

	if (conf_load(&base, dir, "base.yaml") < 0 ||
	    conf_load(&over, dir, "override.yaml") < 0 ||
	    conf_load(&want, dir, "expected.yaml") < 0) {
		conf_fail(r, "merge", id, "load: %s", err_last());
		goto out;
	}
	if (merge_documents(base, over) < 0) {
		over = NULL;
		conf_fail(r, "merge", id, "merge: %s", err_last());
		goto out;
	}
	over = NULL;
	if (ynode_equal(base, want))
		conf_pass(r);
	else
		conf_fail_trees(r, "merge", id, base, want);
out:
	ynode_free(base);
	ynode_free(over);
	ynode_free(want);
}

/* ---- loaded-model cases ----------------------------------------------- */

static const struct ynode *conf_walk(const struct ynode *n, json_t *path)
{
	size_t i;
	json_t *k;

	json_array_foreach(path, i, k)
	{
		if (!n)
			return NULL;
		if (json_is_string(k) && n->kind == YNODE_MAP)
			n = ynode_map_get(n, json_string_value(k));
		else if (json_is_integer(k) && n->kind == YNODE_SEQ &&
			 (size_t)json_integer_value(k) < ynode_len(n))
			n = n->u.seq.items[json_integer_value(k)];
		else
			return NULL;
	}
	return n;
}

/*
 * Upstream left ConfigDetails.WorkingDir empty in TestOverrideBuildContext,
 * so a relative path stayed relative; our loader resolves it against the
 * project directory. Both spellings name the same place.
 */
static bool conf_same_path(const char *got, const char *want,
			   const char *project_dir)
{
	size_t l = strlen(project_dir);

	return want[0] != '/' && strncmp(got, project_dir, l) == 0 &&
	       got[l] == '/' && strcmp(got + l + 1, want) == 0;
}

static bool conf_json_equal(const struct ynode *n, json_t *j,
			    const char *project_dir)
{
	size_t i;
	const char *key;
	json_t *v;

	switch (json_typeof(j)) {
	case JSON_NULL:
		return n->kind == YNODE_NULL;
	case JSON_TRUE:
	case JSON_FALSE:
		return n->kind == YNODE_BOOL && n->u.b == json_is_true(j);
	case JSON_INTEGER:
		return n->kind == YNODE_INT && n->u.i == json_integer_value(j);
	case JSON_REAL:
		return n->kind == YNODE_FLOAT && n->u.f == json_real_value(j);
	case JSON_STRING:
		return n->kind == YNODE_STR &&
		       (strcmp(n->text, json_string_value(j)) == 0 ||
			conf_same_path(n->text, json_string_value(j),
				       project_dir));
	case JSON_ARRAY:
		if (n->kind != YNODE_SEQ || ynode_len(n) != json_array_size(j))
			return false;
		json_array_foreach(j, i, v)
		{
			if (!conf_json_equal(n->u.seq.items[i], v, project_dir))
				return false;
		}
		return true;
	case JSON_OBJECT:
		if (n->kind != YNODE_MAP || ynode_len(n) != json_object_size(j))
			return false;
		json_object_foreach(j, key, v)
		{
			const struct ynode *c = ynode_map_get(n, key);

			if (!c || !conf_json_equal(c, v, project_dir))
				return false;
		}
		return true;
	}
	return false;
}

/* NULL when the check holds, else why not (static text or the path). */
static const char *conf_check(const struct ynode *model, json_t *check,
			      const char *project_dir)
{
	const struct ynode *n =
	    conf_walk(model, json_object_get(check, "path"));
	json_t *v;

	if ((v = json_object_get(check, "equals")))
		return n && conf_json_equal(n, v, project_dir) ? NULL
							       : "not equal";
	if ((v = json_object_get(check, "length"))) {
		size_t want = (size_t)json_integer_value(v);

		if (!n)
			return want == 0 ? NULL : "absent";
		if (n->kind != YNODE_SEQ && n->kind != YNODE_MAP)
			return "not a sequence or mapping";
		return ynode_len(n) == want ? NULL : "wrong length";
	}
	if (json_is_true(json_object_get(check, "absent")))
		return n ? "present" : NULL;
	if ((v = json_object_get(check, "absent_or_equals")))
		return !n || conf_json_equal(n, v, project_dir) ? NULL
								: "not equal";
	return "unknown check";
}

static void conf_check_path(char *out, size_t outlen, json_t *check)
{
	json_t *path = json_object_get(check, "path"), *k;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(path, i, k)
	{
		int w;

		if (json_is_string(k))
			w = snprintf(out + used, outlen - used, "%s%s",
				     i ? "." : "", json_string_value(k));
		else
			w = snprintf(out + used, outlen - used, "[%lld]",
				     (long long)json_integer_value(k));
		if (w < 0 || (size_t)w >= outlen - used)
			return;
		used += (size_t)w;
	}
}

static void conf_loaded_model(const char *dir, const char *id, json_t *cj,
			      struct conf_result *r)
{
	char *base = xasprintf("%s/base.yaml", dir);
	char *over = xasprintf("%s/override.yaml", dir);
	char *path = xasprintf("%s/assertions.json", dir);
	const char *files[2] = {base, over};
	char *const no_env[] = {NULL};
	const char *lopts =
	    json_string_value(json_object_get(cj, "loader_options"));
	struct compose_options o;
	struct compose_project *proj = NULL;
	struct ynode *want = NULL;
	json_t *checks = NULL, *check;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.files = files;
	o.nfiles = 2;
	o.project_dir = dir;
	o.environ = no_env;
	/* Some cases are build-only; SkipNormalization maps onto leaving
	 * out what normalisation adds. */
	o.norm_flags = NORM_F_ALLOW_BUILD;
	if (lopts && strstr(lopts, "SkipNormalization=true"))
		o.norm_flags |= NORM_F_SKIP_DEFAULTS;
	if (lopts && strstr(lopts, "SkipConsistencyCheck=true"))
		o.flags |= COMPOSE_F_SKIP_CONSISTENCY;
	if (compose_load(&proj, &o) < 0) {
		conf_fail(r, "merge", id, "compose_load: %s", err_last());
		goto out;
	}
	if (conf_exists(path)) {
		checks = conf_load_json(path);
		json_array_foreach(checks, i, check)
		{
			const char *why =
			    conf_check(proj->model, check, proj->working_dir);

			if (why) {
				char where[256];
				char *got = conf_dump(
				    conf_walk(proj->model,
					      json_object_get(check, "path")));

				conf_check_path(where, sizeof(where), check);
				conf_fail(r, "merge", id, "%s: %s (got %s)",
					  where, why, got);
				free(got);
				goto out;
			}
		}
		conf_pass(r);
		goto out;
	}
	/* expected.yaml: only services.foo is compared (see case.json). */
	if (conf_load(&want, dir, "expected.yaml") < 0) {
		conf_fail(r, "merge", id, "load: %s", err_last());
		goto out;
	}
	{
		const struct ynode *g = NULL, *w = NULL, *s;

		if ((s = ynode_map_get(proj->model, "services")))
			g = ynode_map_get(s, "foo");
		if ((s = ynode_map_get(want, "services")))
			w = ynode_map_get(s, "foo");
		if (g && w && ynode_equal(g, w))
			conf_pass(r);
		else
			conf_fail_trees(r, "merge", id, g, w);
	}
out:
	json_decref(checks);
	ynode_free(want);
	compose_project_free(proj);
	free(base);
	free(over);
	free(path);
}

void conf_merge(const char *root, struct conf_result *r)
{
	char *top = xasprintf("%s/merge", root);
	size_t n = 0;
	char **ids = conf_list_dirs(top, &n);

	for (size_t i = 0; i < n; i++) {
		char *dir = xasprintf("%s/%s", top, ids[i]);
		char *path = xasprintf("%s/case.json", dir);
		json_t *cj = conf_load_json(path);
		const char *kind;

		kind = json_string_value(json_object_get(cj, "kind"));
		err_clear();
		if (kind && strcmp(kind, "raw-merge") == 0)
			conf_raw_merge(dir, ids[i], r);
		else if (kind && strcmp(kind, "loaded-model") == 0)
			conf_loaded_model(dir, ids[i], cj, r);
		else
			conf_fail(r, "merge", ids[i], "unknown kind '%s'",
				  kind ? kind : "");
		json_decref(cj);
		free(dir);
		free(path);
		free(ids[i]);
	}
	free(ids);
	free(top);
}

void conf_unicity(const char *root, struct conf_result *r)
{
	char *top = xasprintf("%s/unicity", root);
	size_t n = 0;
	char **ids = conf_list_dirs(top, &n);

	for (size_t i = 0; i < n; i++) {
		char *dir = xasprintf("%s/%s", top, ids[i]);
		struct ynode *in = NULL, *want = NULL;

		err_clear();
		if (conf_load(&in, dir, "input.yaml") < 0 ||
		    conf_load(&want, dir, "expected.yaml") < 0)
			conf_fail(r, "unicity", ids[i], "load: %s", err_last());
		else if (merge_unicity(in) < 0)
			conf_fail(r, "unicity", ids[i], "unicity: %s",
				  err_last());
		else if (ynode_equal(in, want))
			conf_pass(r);
		else
			conf_fail_trees(r, "unicity", ids[i], in, want);
		ynode_free(in);
		ynode_free(want);
		free(dir);
		free(ids[i]);
	}
	free(ids);
	free(top);
}

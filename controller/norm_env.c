/*
 * norm_env.c - environment with env_file, labels with label_file.
 *
 * The canonical environment is a mapping KEY -> string, built as
 * compose-go does: the env_files in order (a later file overriding an
 * earlier one), then `environment` over them. An `environment` entry with
 * no value (`- KEY`, `KEY:`) takes its value from the project environment
 * and stays null ("pass through unset") when that has none; it still
 * overrides an env_file value, as in compose-go. Values read from a file
 * carry the file's mark (path:line), so provenance names the line of the
 * env file. Labels work the same way with label_file, except that a label
 * with no value is "".
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dotenv.h"
#include "err.h"
#include "norm_internal.h"
#include "path.h"
#include "strmap.h"
#include "xalloc.h"
#include "banned.h"

/* Read path into out; MOOR_ENOTFOUND when the file does not exist (the
 * read_file callback must say so the same way). */
static int read_project_file(struct buf *out, const char *path,
			     const struct norm_ctx *ctx)
{
	if (ctx->read_file)
		return ctx->read_file(ctx->read_data, path, out);
	return buf_read_file(out, path);
}

/*
 * The name marks of a variable file carry: a relative path as the user
 * would write it next to the compose file that names it (so provenance
 * reads "stacks/api/.env:3", like "stacks/api/compose.yaml:12:5"), the
 * absolute path when the file was named absolutely.
 */
static char *vars_file_display(const struct ynode *at, const char *abs)
{
	char *dir, *joined;

	if (path_is_abs(at->text) || !at->mark.file)
		return xstrdup(abs);
	dir = path_dirname(at->mark.file);
	joined = path_join(dir, at->text);
	free(dir);
	return joined;
}

/* Load one env or label file into vars. A missing file is an error when
 * required, else skipped. `at` is the node that names the file, as the
 * user wrote it. */
static int load_vars_file(struct strmap *vars, const struct ynode *at,
			  const char *what, const char *path, bool required,
			  bool raw, const struct norm_ctx *ctx)
{
	struct buf b = BUF_INIT(ylimits_default.max_file_size);
	char *display = vars_file_display(at, path);
	int error;

	error = read_project_file(&b, path, ctx);
	if (error == MOOR_ENOTFOUND) {
		if (required) {
			error = norm_error(at, "%s '%s' not found", what, path);
		} else {
			err_clear();
			error = 0;
		}
		goto cleanup;
	}
	if (error < 0)
		goto cleanup;
	if (raw)
		error = dotenv_parse_raw(vars, buf_cstr(&b), b.len, display);
	else
		error =
		    dotenv_parse(vars, buf_cstr(&b), b.len, display, ctx->env);
cleanup:
	free(display);
	buf_release(&b);
	return error;
}

/* Put every set variable of vars into map, with its file mark. */
static void put_vars(struct ynode *map, const struct strmap *vars)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		const struct strmap_entry *e = &vars->items[i];

		if (!e->value)
			continue;
		ynode_map_put(map, e->key, &e->mark,
			      ynode_new_str(e->value, &e->mark));
	}
}

/* env_file -> [{path, required?, format?}], loading each into vars. */
static int norm_env_files(struct ynode *files, struct strmap *vars,
			  const struct norm_ctx *ctx)
{
	struct ynode *list = ynode_new_seq(&files->mark);
	size_t i;
	int error = 0;

	if (files->kind == YNODE_STR) {
		ynode_seq_push(list, ynode_clone(files));
	} else {
		while (files->u.seq.n)
			ynode_seq_push(list, ynode_seq_take(files, 0));
	}
	for (i = 0; i < list->u.seq.n; i++) {
		struct ynode *item = list->u.seq.items[i];
		struct ynode *path, *req, *fmt, *entry;
		bool required = true, raw = false;
		char *abs;

		if (item->kind == YNODE_STR) {
			entry = ynode_new_map(&item->mark);
			ynode_map_put(entry, "path", &item->mark,
				      ynode_clone(item));
			ynode_swap(item, entry);
			ynode_free(entry);
		}
		path = ynode_map_get(item, "path");
		req = ynode_map_get(item, "required");
		fmt = ynode_map_get(item, "format");
		if (req && req->kind == YNODE_BOOL)
			required = req->u.b;
		if (req && required)
			ynode_map_del(item, "required");
		if (fmt && fmt->kind == YNODE_STR) {
			if (!strcmp(fmt->text, "raw")) {
				raw = true;
			} else {
				error =
				    norm_error(fmt,
					       "unsupported env_file format "
					       "'%s' (expected raw)",
					       fmt->text);
				break;
			}
		}
		abs = norm_abs_path(ctx, path->text);
		error = load_vars_file(vars, path, "env file", abs, required,
				       raw, ctx);
		ynode_set_str(path, abs);
		free(abs);
		if (error < 0)
			break;
	}
	ynode_swap(files, list);
	ynode_free(list);
	return error;
}

static const char *env_lookup(const struct norm_ctx *ctx, const char *key)
{
	if (!ctx->env || !ctx->env->lookup)
		return NULL;
	return ctx->env->lookup(ctx->env->data, key);
}

int norm_environment(struct ynode *service, const char *name,
		     const struct norm_ctx *ctx)
{
	struct ynode *env = ynode_map_get(service, "environment");
	struct ynode *files = ynode_map_get(service, "env_file");
	struct strmap vars = STRMAP_INIT;
	struct ynode *result = NULL;
	struct ymark key_mark;
	size_t i;
	int error = 0;

	(void)name;
	if (!env && !files)
		return 0;
	result = ynode_new_map(env ? &env->mark : &files->mark);
	if (files) {
		if ((error = norm_env_files(files, &vars, ctx)) < 0)
			goto cleanup;
		put_vars(result, &vars);
	}
	if (env) {
		norm_list_or_dict(env, true);
		for (i = 0; i < env->u.map.n; i++) {
			struct ypair *p = &env->u.map.items[i];
			struct ynode *v = p->value;
			const char *val;

			if (v->kind == YNODE_NULL &&
			    (val = env_lookup(ctx, p->key)))
				ynode_set_str(v, val);
			ynode_map_put(result, p->key, &p->key_mark,
				      ynode_clone(v));
		}
	}
	key_mark =
	    ynode_map_pair(service, env ? "environment" : "env_file")->key_mark;
	ynode_map_put(service, "environment", &key_mark, result);
	result = NULL;
cleanup:
	ynode_free(result);
	strmap_release(&vars);
	return error;
}

int norm_labels(struct ynode *service, const char *name,
		const struct norm_ctx *ctx)
{
	struct ynode *labels = ynode_map_get(service, "labels");
	struct ynode *files = ynode_map_get(service, "label_file");
	struct strmap vars = STRMAP_INIT;
	struct ynode *result = NULL;
	struct ymark key_mark;
	size_t i;
	int error = 0;

	(void)name;
	if (labels)
		norm_list_or_dict(labels, false);
	if (!files)
		return 0;
	result = ynode_new_map(labels ? &labels->mark : &files->mark);
	for (i = 0; i < files->u.seq.n; i++) {
		struct ynode *path = files->u.seq.items[i];
		char *abs = norm_abs_path(ctx, path->text);

		error = load_vars_file(&vars, path, "label file", abs, true,
				       false, ctx);
		ynode_set_str(path, abs);
		free(abs);
		if (error < 0)
			goto cleanup;
	}
	put_vars(result, &vars);
	for (i = 0; labels && i < labels->u.map.n; i++) {
		struct ypair *p = &labels->u.map.items[i];

		ynode_map_put(result, p->key, &p->key_mark,
			      ynode_clone(p->value));
	}
	key_mark =
	    ynode_map_pair(service, labels ? "labels" : "label_file")->key_mark;
	ynode_map_put(service, "labels", &key_mark, result);
	result = NULL;
cleanup:
	ynode_free(result);
	strmap_release(&vars);
	return error;
}

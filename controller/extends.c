/* extends.c - service `extends`, same file and other files (extends.h). */
#include "extends.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "merge.h"
#include "path.h"
#include "xalloc.h"

#include "banned.h"

/* A file named by `extends.file`, loaded once per extends_resolve(). */
struct ext_file {
	char *path;
	struct ynode *doc;
};

/* One step of the chain being resolved, for cycle detection. */
struct ext_frame {
	const char *file;
	const char *service;
};

struct ext_state {
	const struct extends_ctx *ctx;
	struct ext_file *files;
	size_t nfiles;
	struct ext_frame stack[EXTENDS_MAX_DEPTH];
	size_t depth;
};

static int ext_resolve_service(struct ext_state *st, struct ynode *doc,
			       const char *file, const char *name);

/* URLs and git remotes are build contexts, not paths. */
static bool ext_is_remote(const char *s)
{
	return strstr(s, "://") != NULL || strncmp(s, "git@", 4) == 0 ||
	       strncmp(s, "github.com/", 11) == 0;
}

static void ext_rebase_str(struct ynode *n, const char *absdir)
{
	char *p;

	if (!n || n->kind != YNODE_STR || !n->text[0] || path_is_abs(n->text) ||
	    n->text[0] == '~' || ext_is_remote(n->text))
		return;
	p = path_join(absdir, n->text);
	ynode_set_str(n, p);
	free(p);
}

static void ext_rebase_build(struct ynode *build, const char *absdir)
{
	struct ynode *ctx, *extra;

	if (build->kind == YNODE_STR) {
		ext_rebase_str(build, absdir);
		return;
	}
	if (build->kind != YNODE_MAP)
		return;
	ctx = ynode_map_get(build, "context");
	if (ctx)
		ext_rebase_str(ctx, absdir);
	else
		/* The default context "." is the base file's directory. */
		ynode_map_put(build, "context", &build->mark,
			      ynode_new_str(absdir, &build->mark));
	extra = ynode_map_get(build, "additional_contexts");
	if (extra && extra->kind == YNODE_MAP) {
		for (size_t i = 0; i < extra->u.map.n; i++) {
			struct ynode *v = extra->u.map.items[i].value;
			const char *colon, *slash;

			if (v->kind != YNODE_STR)
				continue;
			/* "docker-image://x", "service:x", "oci-layout://" */
			colon = strchr(v->text, ':');
			slash = strchr(v->text, '/');
			if (colon && (!slash || colon < slash))
				continue;
			ext_rebase_str(v, absdir);
		}
	}
}

static void ext_rebase_files(struct ynode *files, const char *absdir)
{
	if (!files)
		return;
	if (files->kind == YNODE_STR) {
		ext_rebase_str(files, absdir);
		return;
	}
	if (files->kind != YNODE_SEQ)
		return;
	for (size_t i = 0; i < files->u.seq.n; i++) {
		struct ynode *item = files->u.seq.items[i];

		if (item->kind == YNODE_MAP)
			ext_rebase_str(ynode_map_get(item, "path"), absdir);
		else
			ext_rebase_str(item, absdir);
	}
}

/* Short syntax "./src:/dst:ro": only sources starting with "." are paths
 * (a bare word is a named volume). */
static void ext_rebase_short_volume(struct ynode *v, const char *absdir)
{
	const char *colon = strchr(v->text, ':');
	char *src, *abs, *joined;

	if (v->text[0] != '.')
		return;
	src = colon ? xstrndup(v->text, (size_t)(colon - v->text))
		    : xstrdup(v->text);
	abs = path_join(absdir, src);
	joined = xasprintf("%s%s", abs, colon ? colon : "");
	ynode_set_str(v, joined);
	free(joined);
	free(abs);
	free(src);
}

static void ext_rebase_volumes(struct ynode *vols, const char *absdir)
{
	if (!vols || vols->kind != YNODE_SEQ)
		return;
	for (size_t i = 0; i < vols->u.seq.n; i++) {
		struct ynode *v = vols->u.seq.items[i];
		struct ynode *type;

		if (v->kind == YNODE_STR) {
			ext_rebase_short_volume(v, absdir);
			continue;
		}
		if (v->kind != YNODE_MAP)
			continue;
		type = ynode_map_get(v, "type");
		if (type && type->kind == YNODE_STR &&
		    strcmp(type->text, "bind") == 0)
			ext_rebase_str(ynode_map_get(v, "source"), absdir);
	}
}

/* Make the relative paths of a service copied from another file absolute
 * against that file's directory, so they keep naming the same files. */
static void ext_rebase_service(struct ynode *svc, const char *absdir)
{
	struct ynode *build = ynode_map_get(svc, "build");

	if (build)
		ext_rebase_build(build, absdir);
	ext_rebase_files(ynode_map_get(svc, "env_file"), absdir);
	ext_rebase_files(ynode_map_get(svc, "label_file"), absdir);
	ext_rebase_volumes(ynode_map_get(svc, "volumes"), absdir);
}

static int ext_cycle_error(const struct ext_state *st, size_t from,
			   const char *file, const char *name,
			   const struct ymark *m)
{
	struct buf chain = BUF_INIT(BUF_UNBOUNDED);
	const char *root = st->stack[from].file;
	int error;

	for (size_t i = from; i < st->depth; i++) {
		buf_printf(&chain, "%s", st->stack[i].service);
		if (strcmp(st->stack[i].file, root) != 0)
			buf_printf(&chain, " (%s)", st->stack[i].file);
		buf_adds(&chain, " -> ");
	}
	buf_adds(&chain, name);
	if (strcmp(file, root) != 0)
		buf_printf(&chain, " (%s)", file);
	error = err_set_at(MOOR_EINVAL, m->file, m->line, m->col,
			   "circular extends: %s", buf_cstr(&chain));
	buf_release(&chain);
	return error;
}

static int ext_load_file(struct ext_state *st, struct ynode **out,
			 const char *path, const struct ymark *m)
{
	struct ynode *doc = NULL;
	int error;

	for (size_t i = 0; i < st->nfiles; i++) {
		if (strcmp(st->files[i].path, path) == 0) {
			*out = st->files[i].doc;
			return 0;
		}
	}
	error = st->ctx->load(st->ctx->data, &doc, path);
	if (error == MOOR_ENOTFOUND)
		return err_set_at(error, m->file, m->line, m->col,
				  "extends file '%s' not found", path);
	if (error < 0)
		return error;
	st->files =
	    xreallocarray(st->files, st->nfiles + 1, sizeof(*st->files));
	st->files[st->nfiles].path = xstrdup(path);
	st->files[st->nfiles].doc = doc;
	st->nfiles++;
	*out = doc;
	return 0;
}

/* Read `extends` into the base service name and the file path (NULL: the
 * same file), the latter relative to the extending file's directory. */
static int ext_parse(const char **service, char **file, const char *name,
		     const struct ynode *ext, const char *curfile)
{
	const struct ynode *s = ext, *f = NULL;
	char *dir;

	if (ext->kind == YNODE_MAP) {
		s = ynode_map_get(ext, "service");
		f = ynode_map_get(ext, "file");
		for (size_t i = 0; i < ext->u.map.n; i++) {
			const struct ypair *p = &ext->u.map.items[i];

			if (strcmp(p->key, "service") != 0 &&
			    strcmp(p->key, "file") != 0 &&
			    strncmp(p->key, "x-", 2) != 0)
				return err_set_at(
				    MOOR_EINVAL, p->key_mark.file,
				    p->key_mark.line, p->key_mark.col,
				    "unknown key '%s' in extends of service "
				    "'%s'",
				    p->key, name);
		}
		if (!s)
			return err_set_at(MOOR_EINVAL, ext->mark.file,
					  ext->mark.line, ext->mark.col,
					  "extends of service '%s' has no "
					  "'service'",
					  name);
	}
	if (s->kind != YNODE_STR || !s->text[0])
		return err_set_at(MOOR_EINVAL, s->mark.file, s->mark.line,
				  s->mark.col,
				  "extends of service '%s' must name a "
				  "service",
				  name);
	if (f && (f->kind != YNODE_STR || !f->text[0]))
		return err_set_at(MOOR_EINVAL, f->mark.file, f->mark.line,
				  f->mark.col,
				  "extends.file of service '%s' must be a "
				  "path",
				  name);
	*service = s->text;
	*file = NULL;
	if (f) {
		dir = path_dirname(curfile);
		*file = path_join(dir, f->text);
		free(dir);
	}
	return 0;
}

/* Resolve the base (in its own document, in place), then merge svc onto a
 * copy of it; the result takes svc's place. */
static int ext_apply(struct ext_state *st, struct ynode *doc, const char *file,
		     const char *name, struct ynode *svc)
{
	struct ynode *ext = ynode_map_get(svc, "extends");
	struct ynode *base_doc = doc, *services, *base, *copy = NULL;
	struct ynode *own = NULL;
	const char *base_name = NULL;
	char *base_file = NULL, *dir = NULL, *absdir = NULL;
	struct ymark ext_mark = ext->mark, svc_mark = svc->mark;
	int error = -1;

	if ((error = ext_parse(&base_name, &base_file, name, ext, file)) < 0)
		goto cleanup;
	if (base_file &&
	    (error = ext_load_file(st, &base_doc, base_file, &ext_mark)) < 0)
		goto cleanup;
	error = -1;
	services = ynode_map_get(base_doc, "services");
	base = services && services->kind == YNODE_MAP
		   ? ynode_map_get(services, base_name)
		   : NULL;
	if (!base) {
		err_set_at(MOOR_EINVAL, ext_mark.file, ext_mark.line,
			   ext_mark.col,
			   "service '%s' extends undefined service '%s'%s%s%s",
			   name, base_name, base_file ? " in '" : "",
			   base_file ? base_file : "", base_file ? "'" : "");
		goto cleanup;
	}
	if (base->kind != YNODE_MAP && base->kind != YNODE_NULL) {
		err_set_at(MOOR_EINVAL, base->mark.file, base->mark.line,
			   base->mark.col, "service '%s' must be a mapping",
			   base_name);
		goto cleanup;
	}
	if ((error = ext_resolve_service(
		 st, base_doc, base_file ? base_file : file, base_name)) < 0)
		goto cleanup;
	error = -1;
	/* ext_resolve_service may have replaced the base's contents, never
	 * the node itself, so `base` is still valid. */
	copy = base->kind == YNODE_MAP ? ynode_clone(base)
				       : ynode_new_map(&base->mark);
	if (base_file) {
		dir = path_dirname(base_file);
		if ((error = path_absolute(&absdir, dir)) < 0)
			goto cleanup;
		error = -1;
		ext_rebase_service(copy, absdir);
	}
	own = ynode_clone(svc);
	ynode_map_del(own, "extends");
	error = merge_service(copy, own);
	own = NULL;
	if (error < 0)
		goto cleanup;
	ynode_swap(svc, copy);
	/* Provenance of the service itself stays with the extending one. */
	svc->mark = svc_mark;
	error = 0;
cleanup:
	ynode_free(copy);
	ynode_free(own);
	free(base_file);
	free(dir);
	free(absdir);
	return error;
}

static int ext_resolve_service(struct ext_state *st, struct ynode *doc,
			       const char *file, const char *name)
{
	struct ynode *services = ynode_map_get(doc, "services");
	struct ynode *svc, *ext;
	int error;

	svc = services && services->kind == YNODE_MAP
		  ? ynode_map_get(services, name)
		  : NULL;
	if (!svc || svc->kind != YNODE_MAP)
		return 0;
	ext = ynode_map_get(svc, "extends");
	if (!ext)
		return 0;
	for (size_t i = 0; i < st->depth; i++)
		if (strcmp(st->stack[i].file, file) == 0 &&
		    strcmp(st->stack[i].service, name) == 0)
			return ext_cycle_error(st, i, file, name, &ext->mark);
	if (st->depth == EXTENDS_MAX_DEPTH)
		return err_set_at(MOOR_ELIMIT, ext->mark.file, ext->mark.line,
				  ext->mark.col,
				  "extends chain of service '%s' is longer "
				  "than %d",
				  name, EXTENDS_MAX_DEPTH);
	st->stack[st->depth].file = file;
	st->stack[st->depth].service = name;
	st->depth++;
	error = ext_apply(st, doc, file, name, svc);
	st->depth--;
	return error;
}

int extends_resolve(struct ynode *doc, const char *path,
		    const struct extends_ctx *ctx)
{
	struct ext_state st;
	struct ynode *services = ynode_map_get(doc, "services");
	/* Cleaned as extends.file paths are, so cycles through the same
	 * file named two ways are still seen. */
	char *file = path_clean(path);
	int error = 0;

	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	if (services && services->kind == YNODE_MAP) {
		/* Resolution replaces the contents of service nodes, never
		 * the pairs of `services`, so this walk stays valid. */
		for (size_t i = 0; !error && i < services->u.map.n; i++)
			error = ext_resolve_service(
			    &st, doc, file, services->u.map.items[i].key);
	}
	for (size_t i = 0; i < st.nfiles; i++) {
		free(st.files[i].path);
		ynode_free(st.files[i].doc);
	}
	free(st.files);
	free(file);
	return error;
}

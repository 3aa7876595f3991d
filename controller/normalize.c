/*
 * normalize.c - the project level of normalisation: the order of the
 * steps, the top-level networks/volumes/secrets/configs, the implicit
 * default network, resource names, and the helpers the norm_*.c files
 * share. docs/internals/CANONICAL-MODEL.md is the specification.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "norm_internal.h"
#include "xalloc.h"
#include "banned.h"

int norm_error(const struct ynode *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set_at(MOOR_EINVAL, n->mark.file, n->mark.line, n->mark.col,
			  "%s", msg);
}

/* Lexical clean of an absolute path, as Go's filepath.Clean: no "//",
 * no "." or ".." elements, no trailing slash. */
static char *clean_abs_path(const char *path)
{
	size_t len = strlen(path);
	char *out = xmalloc(len + 2);
	size_t w = 0;
	const char *p = path;

	out[w++] = '/';
	while (*p) {
		const char *seg;
		size_t n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (w > 1 && out[w - 1] != '/')
				w--;
			if (w > 1)
				w--;
			continue;
		}
		if (w > 1)
			out[w++] = '/';
		memcpy(out + w, seg, n);
		w += n;
	}
	out[w] = '\0';
	return out;
}

char *norm_abs_path(const struct norm_ctx *ctx, const char *path)
{
	char *joined, *out;

	if (path[0] == '/')
		return clean_abs_path(path);
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') &&
	    ctx->home_dir)
		joined = xasprintf("%s/%s", ctx->home_dir, path + 1);
	else if (ctx->working_dir)
		joined = xasprintf("%s/%s", ctx->working_dir, path);
	else
		return xstrdup(path);
	out = clean_abs_path(joined);
	free(joined);
	return out;
}

int norm_list_or_dict(struct ynode *n, bool keep_null)
{
	struct ynode *map;
	size_t i;

	if (n->kind != YNODE_MAP && n->kind != YNODE_SEQ) {
		map = ynode_new_map(&n->mark);
		ynode_swap(n, map);
		ynode_free(map);
		return 0;
	}
	if (n->kind == YNODE_MAP) {
		for (i = 0; i < n->u.map.n; i++) {
			struct ynode *v = n->u.map.items[i].value;
			char *s;

			if (v->kind == YNODE_STR)
				continue;
			if (v->kind == YNODE_NULL && keep_null)
				continue;
			s = units_scalar_text(v);
			ynode_set_str(v, s);
			free(s);
		}
		return 0;
	}
	map = ynode_new_map(&n->mark);
	for (i = 0; i < n->u.seq.n; i++) {
		const struct ynode *item = n->u.seq.items[i];
		const char *eq = strchr(item->text, '=');
		struct ynode *v;
		char *key;

		if (eq) {
			key = xstrndup(item->text, (size_t)(eq - item->text));
			v = ynode_new_str(eq + 1, &item->mark);
		} else {
			key = xstrdup(item->text);
			v = keep_null ? ynode_new_null(&item->mark)
				      : ynode_new_str("", &item->mark);
		}
		ynode_map_put(map, key, &item->mark, v);
		free(key);
	}
	ynode_swap(n, map);
	ynode_free(map);
	return 0;
}

static void drop_ext_keys(struct ynode *map)
{
	size_t i = 0;

	while (i < map->u.map.n) {
		const char *k = map->u.map.items[i].key;

		if (k[0] == 'x' && k[1] == '-')
			ynode_map_del(map, k);
		else
			i++;
	}
}

/* external: {name: x} -> name: x, external: true; external: false is the
 * same as no external at all. */
static int norm_external(struct ynode *def, const char *kind, const char *key)
{
	struct ypair *ext = ynode_map_pair(def, "external");
	struct ynode *name = ynode_map_get(def, "name");
	struct ynode *ext_name;

	if (!ext)
		return 0;
	if (ext->value->kind == YNODE_BOOL) {
		if (!ext->value->u.b)
			ynode_map_del(def, "external");
		return 0;
	}
	if (ext->value->kind != YNODE_MAP)
		return 0;
	ext_name = ynode_map_take(ext->value, "name");
	if (ext_name && name && strcmp(ext_name->text, name->text)) {
		int error = norm_error(ext_name,
				       "%s '%s': 'external.name' '%s' "
				       "conflicts with 'name' '%s'",
				       kind, key, ext_name->text, name->text);
		ynode_free(ext_name);
		return error;
	}
	if (ext_name && !name)
		ynode_map_put(def, "name", &ext->key_mark, ext_name);
	else
		ynode_free(ext_name);
	ynode_map_put(def, "external", &ext->key_mark,
		      ynode_new_bool(true, &ext->value->mark));
	return 0;
}

static void fill_name(struct ynode *def, const char *key,
		      const struct norm_ctx *ctx)
{
	struct ynode *ext = ynode_map_get(def, "external");
	char *name;

	if ((ctx->flags & NORM_F_SKIP_DEFAULTS) || ynode_map_get(def, "name"))
		return;
	if (ext && ext->kind == YNODE_BOOL && ext->u.b)
		name = xstrdup(key);
	else
		name =
		    xasprintf("%s_%s", ctx->project ? ctx->project : "", key);
	ynode_map_put(def, "name", NULL, ynode_new_str(name, &def->mark));
	free(name);
}

/* networks, volumes, secrets, configs: null -> {}, names, labels, paths. */
static int norm_definitions(struct ynode *root, const char *section,
			    const char *kind, const struct norm_ctx *ctx)
{
	struct ynode *defs = ynode_map_get(root, section);
	size_t i;
	int error;

	if (!defs)
		return 0;
	if (defs->kind == YNODE_NULL) {
		ynode_map_del(root, section);
		return 0;
	}
	for (i = 0; i < defs->u.map.n; i++) {
		struct ypair *p = &defs->u.map.items[i];
		struct ynode *def = p->value, *v;

		if (def->kind == YNODE_NULL) {
			struct ynode *map = ynode_new_map(&p->key_mark);

			ynode_swap(def, map);
			ynode_free(map);
		}
		drop_ext_keys(def);
		if ((error = norm_external(def, kind, p->key)) < 0)
			return error;
		if ((v = ynode_map_get(def, "labels")))
			norm_list_or_dict(v, false);
		if ((v = ynode_map_get(def, "file")) && v->kind == YNODE_STR) {
			char *abs = norm_abs_path(ctx, v->text);

			ynode_set_str(v, abs);
			free(abs);
		}
		/* compose-go always carries an ipam block. */
		if (!strcmp(section, "networks") && !ynode_map_get(def, "ipam"))
			ynode_map_put(def, "ipam", NULL,
				      ynode_new_map(&def->mark));
		fill_name(def, p->key, ctx);
	}
	return 0;
}

static bool uses_default_network(const struct ynode *services)
{
	size_t i;

	for (i = 0; services && i < services->u.map.n; i++) {
		const struct ynode *nets =
		    ynode_map_get(services->u.map.items[i].value, "networks");

		if (nets && nets->kind == YNODE_MAP &&
		    ynode_map_pair(nets, "default"))
			return true;
	}
	return false;
}

static void add_default_network(struct ynode *root, const struct norm_ctx *ctx)
{
	struct ynode *services = ynode_map_get(root, "services");
	struct ynode *nets = ynode_map_get(root, "networks");
	struct ynode *def;
	char *name;

	if ((ctx->flags & NORM_F_SKIP_DEFAULTS) ||
	    !uses_default_network(services))
		return;
	if (!nets) {
		nets = ynode_new_map(&root->mark);
		ynode_map_put(root, "networks", NULL, nets);
	}
	if (ynode_map_pair(nets, "default"))
		return;
	def = ynode_new_map(NULL);
	name = xasprintf("%s_default", ctx->project ? ctx->project : "");
	ynode_map_put(def, "name", NULL, ynode_new_str(name, NULL));
	ynode_map_put(def, "ipam", NULL, ynode_new_map(NULL));
	ynode_map_put(nets, "default", NULL, def);
	free(name);
}

int normalize_project(struct ynode *root, const struct norm_ctx *ctx)
{
	struct ynode *services;
	struct ypair *name;
	size_t i;
	int error;

	if ((error = schema_coerce(root)) < 0)
		return error;
	ynode_map_del(root, "version");
	name = ynode_map_pair(root, "name");
	if (ctx->project && name && name->value->kind == YNODE_STR)
		ynode_set_str(name->value, ctx->project);
	else if (ctx->project)
		ynode_map_put(root, "name", NULL,
			      ynode_new_str(ctx->project, &root->mark));
	services = ynode_map_get(root, "services");
	if (services && services->kind == YNODE_NULL) {
		ynode_map_del(root, "services");
		services = NULL;
	}
	for (i = 0; services && i < services->u.map.n; i++) {
		struct ypair *p = &services->u.map.items[i];

		if (p->value->kind == YNODE_NULL) {
			struct ynode *map = ynode_new_map(&p->key_mark);

			ynode_swap(p->value, map);
			ynode_free(map);
		}
		if ((error = norm_service(p->value, p->key, ctx)) < 0)
			return error;
	}
	if ((error = norm_definitions(root, "networks", "network", ctx)) < 0 ||
	    (error = norm_definitions(root, "volumes", "volume", ctx)) < 0 ||
	    (error = norm_definitions(root, "secrets", "secret", ctx)) < 0 ||
	    (error = norm_definitions(root, "configs", "config", ctx)) < 0)
		return error;
	add_default_network(root, ctx);
	ynode_map_sort(root, true);
	return 0;
}

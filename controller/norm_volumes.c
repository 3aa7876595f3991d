/*
 * norm_volumes.c - service volumes to the long form, devices to
 * {source, target, permissions}.
 *
 * Short syntax "[SOURCE:]TARGET[:OPTIONS]", OPTIONS a comma list of
 * ro/rw, z/Z (bind.selinux), nocopy (volume.nocopy), a propagation
 * (shared, rshared, slave, rslave, private, rprivate) and a consistency
 * (cached, delegated, consistent). A SOURCE starting with '.', '/' or
 * '~' is a bind (made absolute: relative to working_dir, "~" to
 * home_dir); any other SOURCE names a volume; no SOURCE is an anonymous
 * volume.
 *
 * One spelling per meaning: a bind always has a `bind` mapping, where
 * create_host_path appears only when false (true is the default in
 * compose-go for both syntaxes); a volume always has a `volume` mapping;
 * read_only, nocopy and create_host_path: true are left out when they
 * have their default; an empty tmpfs mapping is left out.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "norm_internal.h"
#include "xalloc.h"
#include "banned.h"

static bool is_path_source(const char *s)
{
	return s[0] == '.' || s[0] == '/' || s[0] == '~';
}

static void put_str(struct ynode *map, const char *key, const char *s,
		    const struct ymark *m)
{
	ynode_map_put(map, key, m, ynode_new_str(s, m));
}

static struct ynode *sub_map(struct ynode *map, const char *key,
			     const struct ymark *m)
{
	struct ynode *sub = ynode_map_get(map, key);

	if (!sub || sub->kind != YNODE_MAP) {
		sub = ynode_new_map(m);
		ynode_map_put(map, key, m, sub);
	}
	return sub;
}

static bool is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static int apply_short_options(struct ynode *v, const char *type,
			       const char *opts, const struct ynode *item,
			       const char *service)
{
	static const char *const propagations[] = {
	    "shared",  "rshared",  "slave", "rslave",
	    "private", "rprivate", NULL};
	static const char *const consistencies[] = {"cached", "delegated",
						    "consistent", NULL};
	const struct ymark *m = &item->mark;
	char *copy = xstrdup(opts);
	char *opt = copy, *next;
	int error = 0;

	for (; opt && !error; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (!strcmp(opt, "rw") || !*opt)
			continue;
		if (!strcmp(opt, "ro"))
			ynode_map_put(v, "read_only", m,
				      ynode_new_bool(true, m));
		else if ((!strcmp(opt, "z") || !strcmp(opt, "Z")) &&
			 !strcmp(type, "bind"))
			put_str(sub_map(v, "bind", m), "selinux", opt, m);
		else if (is_one_of(opt, propagations) && !strcmp(type, "bind"))
			put_str(sub_map(v, "bind", m), "propagation", opt, m);
		else if (!strcmp(opt, "nocopy") && !strcmp(type, "volume"))
			ynode_map_put(sub_map(v, "volume", m), "nocopy", m,
				      ynode_new_bool(true, m));
		else if (is_one_of(opt, consistencies))
			put_str(v, "consistency", opt, m);
		else
			error = norm_error(item,
					   "invalid volume option '%s' in '%s' "
					   "of service '%s'",
					   opt, item->text, service);
	}
	free(copy);
	return error;
}

/* "src:dst:opts" -> long form, in place. */
static int parse_short_volume(struct ynode *item, const char *service,
			      const struct norm_ctx *ctx)
{
	const struct ymark *m = &item->mark;
	char *spec = xstrdup(item->text);
	char *parts[3] = {NULL, NULL, NULL};
	char *p = spec;
	const char *source, *target, *type;
	struct ynode *v = NULL;
	size_t n = 0;
	int error = -1;

	while (p && n < 3) {
		parts[n++] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (p || !*parts[0] || (n > 1 && !*parts[1])) {
		error = norm_error(item, "invalid volume '%s' in service '%s'",
				   item->text, service);
		goto cleanup;
	}
	source = n > 1 ? parts[0] : "";
	target = n > 1 ? parts[1] : parts[0];
	type =
	    !*source ? "volume" : (is_path_source(source) ? "bind" : "volume");
	v = ynode_new_map(m);
	put_str(v, "type", type, m);
	if (*source && !strcmp(type, "bind")) {
		char *abs = norm_abs_path(ctx, source);

		put_str(v, "source", abs, m);
		free(abs);
	} else if (*source) {
		put_str(v, "source", source, m);
	}
	put_str(v, "target", target, m);
	if (n == 3 &&
	    (error = apply_short_options(v, type, parts[2], item, service)) < 0)
		goto cleanup;
	ynode_swap(item, v);
	error = 0;
cleanup:
	ynode_free(v);
	free(spec);
	return error;
}

static void drop_default(struct ynode *map, const char *key, bool dflt)
{
	struct ynode *v = ynode_map_get(map, key);

	if (v && v->kind == YNODE_BOOL && v->u.b == dflt)
		ynode_map_del(map, key);
}

static void drop_ext_and_null(struct ynode *map)
{
	size_t i = 0;

	while (i < map->u.map.n) {
		const struct ypair *p = &map->u.map.items[i];

		if ((p->key[0] == 'x' && p->key[1] == '-') ||
		    p->value->kind == YNODE_NULL)
			ynode_map_del(map, p->key);
		else
			i++;
	}
}

/* Bring a long-form entry to its one spelling. */
static int canon_volume(struct ynode *v, const char *service,
			const struct norm_ctx *ctx)
{
	static const char *const subs[] = {"bind", "volume", "tmpfs", "image"};
	const char *type;
	struct ynode *source, *target, *sub;
	size_t i;

	drop_ext_and_null(v);
	if (!ynode_map_get(v, "type"))
		return norm_error(v,
				  "a volume of service '%s' is missing "
				  "'type'",
				  service);
	type = ynode_map_get(v, "type")->text;
	source = ynode_map_get(v, "source");
	target = ynode_map_get(v, "target");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if ((sub = ynode_map_get(v, subs[i])) && sub->kind == YNODE_MAP)
			drop_ext_and_null(sub);
	if (!target && strcmp(type, "npipe"))
		return norm_error(v,
				  "a volume of service '%s' is missing "
				  "'target'",
				  service);
	if (target && target->text[0] == '/') {
		char *clean = norm_abs_path(ctx, target->text);

		ynode_set_str(target, clean);
		free(clean);
	}
	drop_default(v, "read_only", false);
	if (!strcmp(type, "bind")) {
		if (!source)
			return norm_error(v,
					  "a bind mount of service '%s' is "
					  "missing 'source'",
					  service);
		if (source->text[0] != '\\') {
			char *abs = norm_abs_path(ctx, source->text);

			ynode_set_str(source, abs);
			free(abs);
		}
		sub = sub_map(v, "bind", &v->mark);
		drop_default(sub, "create_host_path", true);
	} else if (!strcmp(type, "volume")) {
		sub = sub_map(v, "volume", &v->mark);
		drop_default(sub, "nocopy", false);
		if ((sub = ynode_map_get(sub, "labels")))
			norm_list_or_dict(sub, false);
	} else if (!strcmp(type, "tmpfs")) {
		sub = ynode_map_get(v, "tmpfs");
		if (sub && sub->kind == YNODE_MAP && sub->u.map.n == 0)
			ynode_map_del(v, "tmpfs");
	}
	return 0;
}

static int norm_devices(struct ynode *service, const char *name)
{
	struct ynode *devs = ynode_map_get(service, "devices");
	size_t i;

	if (!devs || devs->kind != YNODE_SEQ)
		return 0;
	for (i = 0; i < devs->u.seq.n; i++) {
		struct ynode *d = devs->u.seq.items[i];
		const struct ymark *m = &d->mark;

		if (d->kind == YNODE_STR) {
			char *spec = xstrdup(d->text);
			char *parts[3] = {spec, NULL, NULL};
			struct ynode *map = ynode_new_map(m);
			char *c;
			size_t n = 1;

			while (n < 3 && (c = strchr(parts[n - 1], ':'))) {
				*c = '\0';
				parts[n++] = c + 1;
			}
			put_str(map, "source", parts[0], m);
			if (parts[1])
				put_str(map, "target", parts[1], m);
			if (parts[2])
				put_str(map, "permissions", parts[2], m);
			ynode_swap(d, map);
			ynode_free(map);
			free(spec);
		}
		drop_ext_and_null(d);
		if (!ynode_map_get(d, "source") ||
		    !*ynode_map_get(d, "source")->text)
			return norm_error(d, "invalid device in service '%s'",
					  name);
		if (!ynode_map_get(d, "target"))
			put_str(d, "target", ynode_map_get(d, "source")->text,
				m);
		if (!ynode_map_get(d, "permissions"))
			put_str(d, "permissions", "rwm", m);
	}
	return 0;
}

int norm_volumes(struct ynode *service, const char *name,
		 const struct norm_ctx *ctx)
{
	struct ynode *vols = ynode_map_get(service, "volumes");
	size_t i;
	int error;

	if ((error = norm_devices(service, name)) < 0)
		return error;
	if (!vols || vols->kind != YNODE_SEQ)
		return 0;
	for (i = 0; i < vols->u.seq.n; i++) {
		struct ynode *v = vols->u.seq.items[i];

		if (v->kind == YNODE_STR &&
		    (error = parse_short_volume(v, name, ctx)) < 0)
			return error;
		if ((error = canon_volume(v, name, ctx)) < 0)
			return error;
	}
	return 0;
}

/* consistency.c - cross-reference checks of a project (consistency.h). */
#include "consistency.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#include "banned.h"

/* A normalised node built from a list item may have no key mark. */
static const struct ymark *cons_pair_mark(const struct ypair *p)
{
	return p->key_mark.line ? &p->key_mark : &p->value->mark;
}

#define cons_error_at(m, ...)                                                  \
	err_set_at(MOOR_EINVAL, (m)->file, (m)->line, (m)->col, __VA_ARGS__)

/* Is the dependency described by dep (long form mapping, or NULL for the
 * short form) required? */
static bool cons_dep_required(const struct ynode *dep)
{
	const struct ynode *r;

	if (!dep || dep->kind != YNODE_MAP)
		return true;
	r = ynode_map_get(dep, "required");
	return !(r && r->kind == YNODE_BOOL && !r->u.b);
}

/* Check one dependency; *drop is set when it is optional and missing. */
static int cons_check_dep(bool *drop, const char *svc, const char *target,
			  const struct ynode *dep, const struct ymark *m,
			  const struct ynode *services,
			  const struct strmap *disabled)
{
	bool required = cons_dep_required(dep);

	*drop = false;
	if (ynode_map_get(services, target))
		return 0;
	if (strmap_has(disabled, target)) {
		if (!required) {
			*drop = true;
			return 0;
		}
		return cons_error_at(m,
				     "service '%s' depends on '%s', which is "
				     "disabled by profiles",
				     svc, target);
	}
	if (!required) {
		log_warnx("%s:%u:%u: service '%s' depends on undefined "
			  "service '%s', ignored (required: false)",
			  m->file ? m->file : "-", m->line, m->col, svc,
			  target);
		*drop = true;
		return 0;
	}
	return cons_error_at(
	    m, "service '%s' depends on undefined service '%s'", svc, target);
}

static int cons_check_depends(const char *name, struct ynode *svc,
			      const struct ynode *services,
			      const struct strmap *disabled)
{
	struct ynode *deps = ynode_map_get(svc, "depends_on");
	bool drop;
	size_t i = 0;
	int error;

	if (!deps)
		return 0;
	if (deps->kind == YNODE_SEQ) {
		while (i < deps->u.seq.n) {
			struct ynode *d = deps->u.seq.items[i];

			if (d->kind != YNODE_STR) {
				i++;
				continue;
			}
			error = cons_check_dep(&drop, name, d->text, NULL,
					       &d->mark, services, disabled);
			if (error < 0)
				return error;
			if (drop)
				ynode_free(ynode_seq_take(deps, i));
			else
				i++;
		}
		return 0;
	}
	if (deps->kind != YNODE_MAP)
		return 0;
	while (i < deps->u.map.n) {
		struct ypair *p = &deps->u.map.items[i];
		char *key;

		error = cons_check_dep(&drop, name, p->key, p->value,
				       cons_pair_mark(p), services, disabled);
		if (error < 0)
			return error;
		if (!drop) {
			i++;
			continue;
		}
		key = xstrdup(p->key);
		ynode_map_del(deps, key);
		free(key);
	}
	return 0;
}

/* ---- dependency cycles ----------------------------------------------- */

struct cons_edge {
	size_t to;
	const struct ymark *mark;
};

struct cons_graph {
	const struct ynode *services;
	struct cons_edge **edges; /* per service */
	size_t *nedges;
};

static size_t cons_index(const struct ynode *services, const char *name)
{
	for (size_t i = 0; i < services->u.map.n; i++)
		if (strcmp(services->u.map.items[i].key, name) == 0)
			return i;
	return (size_t)-1;
}

static void cons_add_edge(struct cons_graph *g, size_t from, const char *to,
			  const struct ymark *m)
{
	size_t j = cons_index(g->services, to);

	if (j == (size_t)-1)
		return;
	g->edges[from] = xreallocarray(g->edges[from], g->nedges[from] + 1,
				       sizeof(**g->edges));
	g->edges[from][g->nedges[from]].to = j;
	g->edges[from][g->nedges[from]].mark = m;
	g->nedges[from]++;
}

static void cons_graph_build(struct cons_graph *g, const struct ynode *services)
{
	size_t n = services->u.map.n;

	g->services = services;
	g->edges = xcalloc(n ? n : 1, sizeof(*g->edges));
	g->nedges = xcalloc(n ? n : 1, sizeof(*g->nedges));
	for (size_t i = 0; i < n; i++) {
		const struct ynode *svc = services->u.map.items[i].value;
		const struct ynode *deps;

		if (svc->kind != YNODE_MAP)
			continue;
		deps = ynode_map_get(svc, "depends_on");
		if (!deps)
			continue;
		if (deps->kind == YNODE_MAP) {
			for (size_t k = 0; k < deps->u.map.n; k++)
				cons_add_edge(
				    g, i, deps->u.map.items[k].key,
				    cons_pair_mark(&deps->u.map.items[k]));
		} else if (deps->kind == YNODE_SEQ) {
			for (size_t k = 0; k < deps->u.seq.n; k++) {
				const struct ynode *d = deps->u.seq.items[k];

				if (d->kind == YNODE_STR)
					cons_add_edge(g, i, d->text, &d->mark);
			}
		}
	}
}

static void cons_graph_release(struct cons_graph *g)
{
	for (size_t i = 0; g->edges && i < g->services->u.map.n; i++)
		free(g->edges[i]);
	free(g->edges);
	free(g->nedges);
}

static int cons_cycle_error(const struct cons_graph *g, const size_t *path,
			    size_t depth, size_t start, size_t to,
			    const struct ymark *m)
{
	struct buf chain = BUF_INIT(BUF_UNBOUNDED);
	size_t i = 0;
	int error;

	while (path[i] != start)
		i++;
	for (; i < depth; i++)
		buf_printf(&chain, "%s -> ",
			   g->services->u.map.items[path[i]].key);
	buf_adds(&chain, g->services->u.map.items[to].key);
	error = err_set_at(MOOR_EINVAL, m->file, m->line, m->col,
			   "dependency cycle detected: %s", buf_cstr(&chain));
	buf_release(&chain);
	return error;
}

/* Iterative depth-first search (no recursion: a project may have many
 * services); a back edge to a node on the current path is a cycle. */
static int cons_check_cycles(const struct ynode *services)
{
	enum { WHITE, GREY, BLACK };
	struct cons_graph g = {0};
	size_t n = services->u.map.n;
	unsigned char *color = NULL;
	size_t *path = NULL, *next = NULL;
	int error = 0;

	if (!n)
		return 0;
	cons_graph_build(&g, services);
	color = xcalloc(n, 1);
	path = xcalloc(n, sizeof(*path));
	next = xcalloc(n, sizeof(*next));
	for (size_t root = 0; !error && root < n; root++) {
		size_t depth = 0;

		if (color[root] != WHITE)
			continue;
		path[depth++] = root;
		color[root] = GREY;
		next[root] = 0;
		while (depth && !error) {
			size_t u = path[depth - 1];
			const struct cons_edge *e;

			if (next[u] == g.nedges[u]) {
				color[u] = BLACK;
				depth--;
				continue;
			}
			e = &g.edges[u][next[u]++];
			if (color[e->to] == GREY) {
				error = cons_cycle_error(&g, path, depth, e->to,
							 e->to, e->mark);
			} else if (color[e->to] == WHITE) {
				color[e->to] = GREY;
				next[e->to] = 0;
				path[depth++] = e->to;
			}
		}
	}
	free(color);
	free(path);
	free(next);
	cons_graph_release(&g);
	return error;
}

/* ---- references to top-level resources ------------------------------- */

static bool cons_declared(const struct ynode *root, const char *section,
			  const char *name)
{
	const struct ynode *s = ynode_map_get(root, section);

	return s && s->kind == YNODE_MAP && ynode_map_get(s, name);
}

static int cons_check_networks(const struct ynode *root, const char *name,
			       const struct ynode *svc)
{
	const struct ynode *nets = ynode_map_get(svc, "networks");

	if (!nets)
		return 0;
	if (nets->kind == YNODE_MAP) {
		for (size_t i = 0; i < nets->u.map.n; i++) {
			const struct ypair *p = &nets->u.map.items[i];

			if (strcmp(p->key, "default") != 0 &&
			    !cons_declared(root, "networks", p->key))
				return cons_error_at(
				    cons_pair_mark(p),
				    "service '%s' refers to undefined "
				    "network '%s'",
				    name, p->key);
		}
	} else if (nets->kind == YNODE_SEQ) {
		for (size_t i = 0; i < nets->u.seq.n; i++) {
			const struct ynode *v = nets->u.seq.items[i];

			if (v->kind == YNODE_STR &&
			    strcmp(v->text, "default") != 0 &&
			    !cons_declared(root, "networks", v->text))
				return cons_error_at(
				    &v->mark,
				    "service '%s' refers to undefined "
				    "network '%s'",
				    name, v->text);
		}
	}
	return 0;
}

/* The named volume a volume entry uses, or NULL (binds, tmpfs, anonymous
 * volumes). Short syntax is handled for callers that skip normalisation. */
static char *cons_volume_name(const struct ynode *v, const struct ymark **m)
{
	const struct ynode *type, *src;
	const char *colon;

	*m = &v->mark;
	if (v->kind == YNODE_STR) {
		colon = strchr(v->text, ':');
		if (!colon || colon == v->text || v->text[0] == '/' ||
		    v->text[0] == '.' || v->text[0] == '~')
			return NULL;
		return xstrndup(v->text, (size_t)(colon - v->text));
	}
	if (v->kind != YNODE_MAP)
		return NULL;
	type = ynode_map_get(v, "type");
	src = ynode_map_get(v, "source");
	if (!type || type->kind != YNODE_STR ||
	    strcmp(type->text, "volume") != 0 || !src ||
	    src->kind != YNODE_STR || !src->text[0])
		return NULL;
	*m = &src->mark;
	return xstrdup(src->text);
}

static int cons_check_volumes(const struct ynode *root, const char *name,
			      const struct ynode *svc)
{
	const struct ynode *vols = ynode_map_get(svc, "volumes");
	const struct ymark *m;
	char *vol;
	int error = 0;

	if (!vols || vols->kind != YNODE_SEQ)
		return 0;
	for (size_t i = 0; !error && i < vols->u.seq.n; i++) {
		vol = cons_volume_name(vols->u.seq.items[i], &m);
		if (vol && !cons_declared(root, "volumes", vol))
			error = cons_error_at(m,
					      "service '%s' refers to "
					      "undefined volume '%s'",
					      name, vol);
		free(vol);
	}
	return error;
}

/* secrets and configs: a list of names or of {source: name, ...}. */
static int cons_check_files(const struct ynode *root, const char *name,
			    const struct ynode *svc, const char *section,
			    const char *what)
{
	const struct ynode *list = ynode_map_get(svc, section);

	if (!list || list->kind != YNODE_SEQ)
		return 0;
	for (size_t i = 0; i < list->u.seq.n; i++) {
		const struct ynode *v = list->u.seq.items[i];
		const struct ynode *src =
		    v->kind == YNODE_MAP ? ynode_map_get(v, "source") : v;

		if (!src || src->kind != YNODE_STR)
			continue;
		if (!cons_declared(root, section, src->text))
			return err_set_at(MOOR_EINVAL, src->mark.file,
					  src->mark.line, src->mark.col,
					  "service '%s' refers to undefined "
					  "%s '%s'",
					  name, what, src->text);
	}
	return 0;
}

int consistency_check(struct ynode *root, const struct strmap *disabled)
{
	struct ynode *services = ynode_map_get(root, "services");
	int error = 0;

	if (!services || services->kind != YNODE_MAP)
		return 0;
	for (size_t i = 0; !error && i < services->u.map.n; i++) {
		const char *name = services->u.map.items[i].key;
		struct ynode *svc = services->u.map.items[i].value;

		if (svc->kind != YNODE_MAP)
			continue;
		error = cons_check_depends(name, svc, services, disabled);
		if (!error)
			error = cons_check_networks(root, name, svc);
		if (!error)
			error = cons_check_volumes(root, name, svc);
		if (!error)
			error = cons_check_files(root, name, svc, "secrets",
						 "secret");
		if (!error)
			error = cons_check_files(root, name, svc, "configs",
						 "config");
	}
	if (!error)
		error = cons_check_cycles(services);
	return error;
}

/*
 * apply_order.c - the depends_on graph of a unit and its dependency
 * levels (apply_order.h). Levels come from Kahn's algorithm, iteratively,
 * so a long chain of services cannot exhaust the stack.
 */
#include "apply_order.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

static const struct {
	const char *name;
	enum apply_condition cond;
} conditions[] = {
    {"service_started", APPLY_COND_STARTED},
    {"service_healthy", APPLY_COND_HEALTHY},
    {"service_completed_successfully", APPLY_COND_COMPLETED},
};

int apply_condition_parse(enum apply_condition *out, const char *s)
{
	for (size_t i = 0; i < sizeof(conditions) / sizeof(conditions[0]);
	     i++) {
		if (!strcmp(s, conditions[i].name)) {
			*out = conditions[i].cond;
			return 0;
		}
	}
	return err_set(MOOR_EINVAL, "unknown depends_on condition '%s'", s);
}

const char *apply_condition_name(enum apply_condition c)
{
	for (size_t i = 0; i < sizeof(conditions) / sizeof(conditions[0]); i++)
		if (conditions[i].cond == c)
			return conditions[i].name;
	return "unknown";
}

long apply_graph_find(const struct apply_graph *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->nodes[i].name, name))
			return (long)i;
	return -1;
}

void apply_graph_release(struct apply_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->nodes[i].deps);
	free(g->nodes);
	memset(g, 0, sizeof(*g));
}

/* One depends_on entry: {condition, required, restart?} (or null, which
 * a hand-built model may hold: service_started, required). */
static int graph_add_dep(struct apply_node *node, size_t dep_index,
			 const struct ypair *entry)
{
	const struct ynode *cond = NULL, *req = NULL;
	struct apply_dep d = {dep_index, APPLY_COND_STARTED, true};

	if (entry->value && entry->value->kind == YNODE_MAP) {
		cond = ynode_map_get(entry->value, "condition");
		req = ynode_map_get(entry->value, "required");
	}
	if (cond && cond->kind == YNODE_STR &&
	    apply_condition_parse(&d.condition, cond->text) < 0)
		return err_set_at(
		    MOOR_EINVAL, cond->mark.file, cond->mark.line,
		    cond->mark.col,
		    "unknown depends_on condition '%s' in service "
		    "'%s'",
		    cond->text, node->name);
	if (req && req->kind == YNODE_BOOL)
		d.required = req->u.b;
	node->deps =
	    xreallocarray(node->deps, node->ndeps + 1, sizeof(*node->deps));
	node->deps[node->ndeps++] = d;
	return 0;
}

static int graph_levels(struct apply_graph *g)
{
	size_t *pending = NULL; /* dependencies not yet levelled */
	size_t *queue = NULL;
	size_t head = 0, tail = 0;
	int error = -1;

	pending = xcalloc(g->n ? g->n : 1, sizeof(*pending));
	queue = xcalloc(g->n ? g->n : 1, sizeof(*queue));
	for (size_t i = 0; i < g->n; i++) {
		pending[i] = g->nodes[i].ndeps;
		if (!pending[i])
			queue[tail++] = i;
	}
	while (head < tail) {
		size_t done = queue[head++];

		/* Every node that waits on `done` is one step closer. */
		for (size_t i = 0; i < g->n; i++) {
			struct apply_node *n = &g->nodes[i];

			for (size_t k = 0; k < n->ndeps; k++) {
				if (n->deps[k].index != done)
					continue;
				if (n->level < g->nodes[done].level + 1)
					n->level = g->nodes[done].level + 1;
				if (--pending[i] == 0)
					queue[tail++] = i;
			}
		}
	}
	if (tail < g->n) {
		for (size_t i = 0; i < g->n; i++) {
			if (pending[i]) {
				error = err_set(
				    MOOR_EINVAL,
				    "dependency cycle through service '%s'",
				    g->nodes[i].name);
				goto cleanup;
			}
		}
	}
	g->nlevels = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->nodes[i].level + 1 > g->nlevels)
			g->nlevels = g->nodes[i].level + 1;
	error = 0;
cleanup:
	free(pending);
	free(queue);
	return error;
}

int apply_graph_build(struct apply_graph *out, const struct ynode *services)
{
	struct apply_graph g = {0};
	int error = -1;

	if (services && services->kind == YNODE_MAP) {
		g.n = services->u.map.n;
		g.nodes = xcalloc(g.n ? g.n : 1, sizeof(*g.nodes));
		for (size_t i = 0; i < g.n; i++)
			g.nodes[i].name = services->u.map.items[i].key;
	}
	for (size_t i = 0; i < g.n; i++) {
		const struct ynode *svc = services->u.map.items[i].value;
		const struct ynode *deps = NULL;

		if (svc && svc->kind == YNODE_MAP)
			deps = ynode_map_get(svc, "depends_on");
		if (!deps || deps->kind != YNODE_MAP)
			continue;
		for (size_t k = 0; k < deps->u.map.n; k++) {
			const struct ypair *p = &deps->u.map.items[k];
			long idx = apply_graph_find(&g, p->key);

			if (idx < 0)
				continue;
			if ((size_t)idx == i) {
				error =
				    err_set(MOOR_EINVAL,
					    "service '%s' depends on itself",
					    g.nodes[i].name);
				goto cleanup;
			}
			error = graph_add_dep(&g.nodes[i], (size_t)idx, p);
			if (error < 0)
				goto cleanup;
		}
	}
	error = graph_levels(&g);
	if (error < 0)
		goto cleanup;
	*out = g;
	memset(&g, 0, sizeof(g));
	error = 0;
cleanup:
	apply_graph_release(&g);
	return error;
}

size_t apply_graph_level(size_t *out, const struct apply_graph *g,
			 unsigned level, const bool *selected)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++)
		if (g->nodes[i].level == level && (!selected || selected[i]))
			out[n++] = i;
	return n;
}

unsigned apply_workers(size_t n, unsigned max_parallel)
{
	if (!max_parallel)
		max_parallel = APPLY_DEFAULT_PARALLEL;
	return n < max_parallel ? (unsigned)n : max_parallel;
}

/*
 * apply_order.h - in which order apply starts the services of a unit.
 *
 * Pure functions over the canonical model's `services` mapping (no I/O):
 * the depends_on graph, each service's dependency level, and the
 * condition each dependency must meet before its dependent starts.
 *
 *   level 0   services that depend on nothing (in this project)
 *   level n   services whose deepest dependency is at level n - 1
 *
 * Services of one level do not depend on each other, so apply creates and
 * starts them in parallel; a level starts only when the levels below it
 * are done. A dependency names its condition (CANONICAL-MODEL.md,
 * depends_on: {condition, required, restart?}).
 *
 * Ownership: a graph borrows the service names from the ynode it was
 * built from; that tree must outlive it. apply_graph_release() frees the
 * graph's own arrays.
 */
#ifndef MOORING_APPLY_ORDER_H
#define MOORING_APPLY_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "ynode.h"

enum apply_condition {
	APPLY_COND_STARTED,   /* service_started: running (or ran) */
	APPLY_COND_HEALTHY,   /* service_healthy: State.Health healthy */
	APPLY_COND_COMPLETED, /* service_completed_successfully: exit 0 */
};

struct apply_dep {
	size_t index; /* of the dependency in the graph */
	enum apply_condition condition;
	bool required; /* false: a failed wait is a warning, not an error */
};

struct apply_node {
	const char *name; /* borrowed: the service key */
	struct apply_dep *deps;
	size_t ndeps;
	unsigned level;
};

struct apply_graph {
	struct apply_node *nodes; /* in the order of the services map */
	size_t n;
	unsigned nlevels;
};

/* "service_started" ...; MOOR_EINVAL with a message otherwise. */
int apply_condition_parse(enum apply_condition *out, const char *s);
const char *apply_condition_name(enum apply_condition c);

/*
 * Build the graph of a canonical `services` mapping (NULL or empty: an
 * empty graph). Dependencies on services that are not in the map are
 * ignored (profiles may have disabled them; compose_load already refused
 * the unknown ones). A cycle is MOOR_EINVAL naming a service on it.
 */
int apply_graph_build(struct apply_graph *out, const struct ynode *services);
void apply_graph_release(struct apply_graph *g);

/* Index of a service, or -1. */
long apply_graph_find(const struct apply_graph *g, const char *name);

/*
 * The parallel group of one level: indices of the nodes at `level` for
 * which selected[i] is true (selected NULL: all), in graph order, into
 * out (room for g->n). Returns how many.
 */
size_t apply_graph_level(size_t *out, const struct apply_graph *g,
			 unsigned level, const bool *selected);

/*
 * How many workers run a group of n jobs with at most max_parallel at
 * once (0: APPLY_DEFAULT_PARALLEL): min(n, max).
 */
#define APPLY_DEFAULT_PARALLEL 8u
unsigned apply_workers(size_t n, unsigned max_parallel);

#endif

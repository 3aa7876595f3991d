/*
 * ynode_load.h - pieces of the YAML loader shared between its files
 * (ynode_load.c, ynode_anchors.c, ynode_yerr.c). Not for other modules:
 * use ynode.h.
 */
#ifndef MOORING_YNODE_LOAD_H
#define MOORING_YNODE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "ynode.h"

/*
 * An anchor: the node it names, and for a complete one the size and
 * height of its subtree, so that an alias is charged to the budget (and
 * checked for depth) before it is copied.
 */
struct yanchor {
	char *name;
	struct ynode *node;
	size_t size;	 /* nodes */
	unsigned height; /* collection levels, 0 for a scalar */
	bool complete;	 /* false while the collection is still open */
};

/*
 * The anchors of one load, by name (the latest definition), and the set
 * of every node ever anchored: a node in that set must be left whole,
 * since an alias may still copy it. Nodes are not owned.
 */
struct yanchors {
	struct yanchor *items;
	size_t n, cap;
	const struct ynode **nodes;
	size_t nnodes, capnodes;
};

uint64_t yhash_str(const char *s);

struct yanchor *yanchors_find(const struct yanchors *t, const char *name);
/* Define (or redefine) name; a later definition wins for later aliases. */
void yanchors_define(struct yanchors *t, const char *name, struct ynode *node,
		     bool complete, size_t size, unsigned height);
bool yanchors_holds(const struct yanchors *t, const struct ynode *node);
void yanchors_release(struct yanchors *t);

/* Set *out to the 1-based line and column (in characters) of byte off. */
void ynode_offset_mark(struct ymark *out, const char *data, size_t off);
/* Set the last error from a failed libyaml parser; returns the code. */
int ynode_parser_error(const yaml_parser_t *p, const char *file,
		       const char *data, size_t len);

#endif

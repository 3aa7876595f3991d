/*
 * ynode_anchors.c - the loader's anchor table and anchored-node set.
 *
 * Both are open-addressed hash tables: a real compose file has a few
 * hundred anchors, a hostile one many thousands, and every alias and
 * every merge looks one up.
 */
#include "ynode_load.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

uint64_t yhash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t hash_ptr(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

bool yanchors_holds(const struct yanchors *t, const struct ynode *node)
{
	size_t mask = t->capnodes - 1, i;

	if (!t->capnodes)
		return false;
	for (i = hash_ptr(node) & mask; t->nodes[i]; i = (i + 1) & mask)
		if (t->nodes[i] == node)
			return true;
	return false;
}

static void nodes_insert(const struct ynode **nodes, size_t cap,
			 const struct ynode *node)
{
	size_t i;

	for (i = hash_ptr(node) & (cap - 1); nodes[i]; i = (i + 1) & (cap - 1))
		;
	nodes[i] = node;
}

static void nodes_add(struct yanchors *t, const struct ynode *node)
{
	const struct ynode **old = t->nodes;
	size_t oldcap = t->capnodes, j;

	if (yanchors_holds(t, node))
		return;
	if (2 * (t->nnodes + 1) > t->capnodes) {
		t->capnodes = oldcap ? 2 * oldcap : 16;
		t->nodes = xcalloc(t->capnodes, sizeof(*t->nodes));
		for (j = 0; j < oldcap; j++)
			if (old[j])
				nodes_insert(t->nodes, t->capnodes, old[j]);
		free(old);
	}
	nodes_insert(t->nodes, t->capnodes, node);
	t->nnodes++;
}

struct yanchor *yanchors_find(const struct yanchors *t, const char *name)
{
	size_t mask = t->cap - 1, i;

	if (!t->cap)
		return NULL;
	for (i = yhash_str(name) & mask; t->items[i].name; i = (i + 1) & mask)
		if (!strcmp(t->items[i].name, name))
			return &t->items[i];
	return NULL;
}

static struct yanchor *slot_for(struct yanchor *items, size_t cap,
				const char *name)
{
	size_t i;

	for (i = yhash_str(name) & (cap - 1); items[i].name;
	     i = (i + 1) & (cap - 1))
		;
	return &items[i];
}

void yanchors_define(struct yanchors *t, const char *name, struct ynode *node,
		     bool complete, size_t size, unsigned height)
{
	struct yanchor *old = t->items, *a = yanchors_find(t, name);
	size_t oldcap = t->cap, j;

	if (!a) {
		if (2 * (t->n + 1) > t->cap) {
			t->cap = oldcap ? 2 * oldcap : 16;
			t->items = xcalloc(t->cap, sizeof(*t->items));
			for (j = 0; j < oldcap; j++)
				if (old[j].name)
					*slot_for(t->items, t->cap,
						  old[j].name) = old[j];
			free(old);
		}
		a = slot_for(t->items, t->cap, name);
		a->name = xstrdup(name);
		t->n++;
	}
	a->node = node;
	a->complete = complete;
	a->size = size;
	a->height = height;
	nodes_add(t, node);
}

void yanchors_release(struct yanchors *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->items[i].name);
	free(t->items);
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

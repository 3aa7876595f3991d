/*
 * merge_int.h - what merge.c and merge_unicity.c share; not for other
 * modules.
 *
 * A path is the list of mapping keys from the document root down to a
 * node ("services", "web", "ports"); the rules of both files are tables
 * of patterns over such paths, where a "*" segment matches any key.
 */
#ifndef MOORING_MERGE_INT_H
#define MOORING_MERGE_INT_H

#include <stdbool.h>

#include "ynode.h"

/* Deeper than any tree ynode loads (ylimits.max_depth is 64). */
#define MPATH_MAX 80

struct mpath {
	const char *seg[MPATH_MAX];
	unsigned n;
};

#define MPATH_INIT                                                             \
	{                                                                      \
		{NULL}, 0                                                      \
	}

/* MOOR_ELIMIT when the path would grow past MPATH_MAX. The key is not
 * copied: it must outlive its place on the path. */
int mpath_push(struct mpath *p, const char *key);
void mpath_pop(struct mpath *p);
/* pattern: keys joined with '.', "*" for any key; whole-path match. */
bool mpath_matches(const struct mpath *p, const char *pattern);
/* "services.web.ports" (caller frees). */
char *mpath_string(const struct mpath *p);

/* Move the contents of slot into a new node, leaving a null behind (so a
 * node can leave a tree that will be freed whole). */
struct ynode *merge_steal(struct ynode *slot);
/* dst takes the contents of src; dst's old contents and src are freed. */
void merge_assign(struct ynode *dst, struct ynode *src);
/* The text a scalar stands for ("1", "true", "abc"); caller frees. */
char *merge_scalar_text(const struct ynode *n);

/* merge_unicity() on the subtree n found at path p. */
int merge_unicity_at(struct mpath *p, struct ynode *n);

#endif

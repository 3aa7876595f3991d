/*
 * diff.h - field-by-field comparison of canonical service nodes.
 *
 * Three planes (DESIGN 1): desired (rendered from the repo), recorded
 * (what mooring last applied, from the state dir) and actual (observed on
 * the host). diff_service() walks them together and emits one change per
 * leaf that differs between any two of them:
 *  - mappings recurse key by key (/services/api/environment/LOG_LEVEL);
 *  - lists are leaves (/services/api/ports); lists whose order carries
 *    no meaning (CANONICAL-MODEL.md "set-like lists") compare as
 *    multisets, the others in order;
 *  - scalars compare by kind and value (ynode_equal);
 *  - a mapping with no keys and an absent key are the same (nothing set).
 * Changes appended by one call are sorted by path (strcmp).
 * Paths are JSON pointers (RFC 6901) into the canonical model.
 */
#ifndef MOORING_DIFF_H
#define MOORING_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "ynode.h"

struct change {
	char *path;		/* "/services/api/mem_limit" */
	struct ynode *desired;	/* copies; NULL when absent in that plane */
	struct ynode *recorded; /* NULL also when there is no recorded plane */
	struct ynode *actual;
	/* Where the desired value was set; when desired lacks the key, the
	 * mark of the nearest enclosing desired node (the mapping a
	 * reconciliation would add it to); {NULL, 0, 0} if none. */
	struct ymark mark;
	/* The actual value is one `mooring accept` took (plan_decide.c sets
	 * it; diff never does): the finding says so. */
	bool accepted;
};

struct changes {
	struct change *items;
	size_t n, cap;
};

void changes_init(struct changes *c);
void changes_release(struct changes *c);

/*
 * Append the differences of one service. Any of the three nodes may be
 * NULL (service absent in that plane); `recorded` NULL with has_recorded
 * false means there is no recorded plane at all (first deploy), and then
 * only desired vs actual is compared.
 */
int diff_service(struct changes *out, const char *service,
		 const struct ynode *desired, const struct ynode *recorded,
		 const struct ynode *actual, bool has_recorded);

/* Is the list at this path compared as a set? (path of the list node) */
bool diff_path_is_set(const char *path);

/* Are two values at this path the same, as diff_service() compares them
 * (NULL = absent; set-like lists as multisets)? */
bool diff_values_equal(const char *path, const struct ynode *a,
		       const struct ynode *b);

#endif

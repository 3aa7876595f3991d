/*
 * policy_int.h - between policy.c (parsing) and policy_files.c (the
 * files).
 */
#ifndef MOORING_POLICY_INT_H
#define MOORING_POLICY_INT_H

#include <stddef.h>

#include "policy.h"
#include "ynode.h"

/* The policy of the files' YAML trees, in precedence order (repo files
 * first): every problem logged with file:line:col, then one error. */
int policy_from_trees(struct policy *out, struct ynode *const *roots, size_t n);

/* Free n strings and the array. */
void policy_free_list(char **list, size_t n);

#endif

/*
 * strmap.h - a small ordered map from strings to strings.
 *
 * Used for environments (process env, .env, env_file) where order of
 * insertion is kept for output and a value may be NULL ("declared but
 * unset", as a bare `KEY` line in a .env file). Lookups are linear: maps
 * here hold tens to a few thousand entries. The map owns keys and values.
 */
#ifndef MOORING_STRMAP_H
#define MOORING_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "ynode.h"

struct strmap_entry {
	char *key;
	char *value;	   /* NULL: declared without a value */
	struct ymark mark; /* where it was set, when known */
};

struct strmap {
	struct strmap_entry *items;
	size_t n, cap;
};

#define STRMAP_INIT                                                            \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);
struct strmap_entry *strmap_find(const struct strmap *m, const char *key);
/* The value, or NULL when absent or declared without a value. */
const char *strmap_get(const struct strmap *m, const char *key);
bool strmap_has(const struct strmap *m, const char *key);
/* Insert or replace; value may be NULL; copies key and value. */
void strmap_set(struct strmap *m, const char *key, const char *value,
		const struct ymark *mark);
bool strmap_del(struct strmap *m, const char *key);
/* Load "KEY=VALUE" strings (as environ); entries without '=' are skipped. */
void strmap_load_environ(struct strmap *m, char *const *envp);

#endif

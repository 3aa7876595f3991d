/*
 * norm_schema.h - the types of schema.c's key table, shared by the walker
 * (schema.c) and the table itself (norm_schema_table.c). Internal.
 */
#ifndef MOORING_NORM_SCHEMA_H
#define MOORING_NORM_SCHEMA_H

#include <stdbool.h>

#include "ynode.h"

enum stype {
	ST_ANY,		/* anything at all */
	ST_SCALAR,	/* any scalar, left as it is */
	ST_STR,		/* a string */
	ST_STRNUM,	/* a string or a number; becomes a string */
	ST_INT,		/* an integer, or a string holding one */
	ST_FLOAT,	/* a number, or a string holding one; becomes a float */
	ST_BOOL,	/* a bool, or a string holding one */
	ST_BYTES,	/* an integer or a size string; becomes an integer */
	ST_DURATION,	/* a Go duration string; becomes its Go spelling */
	ST_STR_OR_LIST, /* a string or a list of strings; becomes a list */
	ST_COMMAND,	/* null, a string or a list of strings */
	ST_LIST,	/* a list of .sub */
	ST_MAP,		/* a mapping with the keys of .keys */
	ST_DICT,	/* a mapping of free keys to .sub */
	ST_LIST_OR_DICT, /* KEY=VALUE strings, or a mapping of scalars */
	ST_ONEOF,	 /* the first of .alts that takes the node's kind */
};

enum {
	SF_EXT = 1u << 0,  /* ST_MAP: x-* keys allowed */
	SF_NAME = 1u << 1, /* ST_DICT: keys must match [a-zA-Z0-9._-]+ */
};

enum {
	K_REQUIRED = 1u << 0,
	K_OBSOLETE = 1u << 1,	 /* accepted with a warning */
	K_UNSUPPORTED = 1u << 2, /* an error: mooring does not do it yet */
};

struct swalk;
struct skey;

struct sspec {
	enum stype type;
	unsigned flags;
	const struct skey *keys;	 /* ST_MAP, ended by a NULL name */
	const struct sspec *sub;	 /* ST_LIST items, ST_DICT values */
	const struct sspec *const *alts; /* ST_ONEOF, ended by NULL */
	const char *const *enums;	 /* ST_STR: allowed values */
	const char *expected;		 /* enum text for messages */
	/* Extra check of a value that has the right type. */
	int (*check)(const struct swalk *w, const struct ynode *n);
	/* ST_DICT: each value is a named object ("service 'api'"). */
	const char *owner_kind;
};

struct skey {
	const char *name;
	const struct sspec *spec;
	unsigned flags;
};

struct swalk {
	bool coerce;
	char owner[192]; /* "service 'api'", or "" at the top level */
	char path[512];	 /* dotted path below the owner */
};

/* The whole document. */
extern const struct sspec schema_document;

/* Checks of values the table names (schema.c). */
int schema_check_restart(const struct swalk *w, const struct ynode *n);
int schema_check_pull_policy(const struct swalk *w, const struct ynode *n);

#endif

/*
 * ynode.h - a YAML node tree that remembers where every value came from.
 *
 * This is the one data structure of the renderer: compose files load into
 * it, interpolation, merge and normalisation rewrite it, and the canonical
 * desired state is a tree of the same kind (later, the observed state too),
 * so a diff is a walk over two trees and every value can name its
 * file:line:column.
 *
 * Loading (on libyaml's event parser, never its document loader):
 *  - scalars are typed with the YAML 1.2 core schema, as Compose's loader
 *    (go-yaml v3) does: null (~, null, Null, NULL, empty), bool (true/false
 *    in three casings), int (decimal, 0x, 0o, 0b, with sign; also go-yaml's
 *    1.1 leftovers: 0755 is octal, `_` separators are dropped), float (1.5,
 *    1e3, .inf, .nan), otherwise string (ynode_resolve.c has the details).
 *    Quoted and block scalars and `!!str` are strings.
 *    Every scalar keeps its source text in `text`.
 *  - aliases are expanded into deep copies; each copy carries the marks of
 *    the anchored nodes. The number of nodes created by expansion is
 *    budgeted (ylimits.max_alias_nodes), which stops "billion laughs"
 *    without limiting how many anchors and aliases a real file may use.
 *  - nesting deeper than ylimits.max_depth, files larger than
 *    ylimits.max_file_size, invalid UTF-8, tabs used as indentation and
 *    every other libyaml error end in MOOR_EINVAL / MOOR_ELIMIT with
 *    "file:line:col: ..." in err_last().
 *  - merge keys (`<<: *anchor`, `<<: [*a, *b]`) are applied: explicit keys
 *    win, then earlier sources over later ones. Keys are not duplicated.
 *  - a duplicate key in one mapping is an error naming both positions.
 *  - `!reset` and `!override` set YNODE_F_RESET / YNODE_F_OVERRIDE; other
 *    local tags are an error; standard tags (!!str, !!int, ...) coerce.
 *  - mapping keys must be scalars; they are stored as their text.
 *  - an empty document loads as a YNODE_NULL node; more than one document
 *    in a file is an error.
 *
 * Ownership: a tree owns all its nodes; ynode_free() frees a node and
 * everything below it. Functions that take a `struct ynode *` to store
 * (ynode_map_put, ynode_seq_push) take ownership of it. Functions named
 * _take hand ownership back to the caller. Marks' file names are interned
 * for the life of the process (ymark_intern), so nodes can move between
 * trees loaded from different files.
 */
#ifndef MOORING_YNODE_H
#define MOORING_YNODE_H

#include <stdbool.h>
#include <stddef.h>

enum ynode_kind {
	YNODE_NULL,
	YNODE_BOOL,
	YNODE_INT,
	YNODE_FLOAT,
	YNODE_STR,
	YNODE_SEQ,
	YNODE_MAP,
};

enum {
	YNODE_F_QUOTED = 1u << 0,   /* scalar was quoted or tagged !!str */
	YNODE_F_RESET = 1u << 1,    /* tagged !reset */
	YNODE_F_OVERRIDE = 1u << 2, /* tagged !override */
};

/* Where a node was written; line and col are 1-based, 0 when unknown. */
struct ymark {
	const char *file; /* interned (ymark_intern), or NULL */
	unsigned line;
	unsigned col;
};

struct ynode;

struct ypair {
	char *key;
	struct ymark key_mark;
	struct ynode *value;
};

struct ynode {
	enum ynode_kind kind;
	unsigned flags;
	struct ymark mark;
	/* Scalars (NULL, BOOL, INT, FLOAT, STR): the text, NUL-terminated.
	 * For STR it is the value; for the others, the source text ("" for
	 * a node built in code with no text). NULL for SEQ and MAP. */
	char *text;
	size_t text_len;
	union {
		bool b;
		long long i;
		double f;
		struct {
			struct ynode **items;
			size_t n, cap;
		} seq;
		struct {
			struct ypair *items;
			size_t n, cap;
		} map;
	} u;
};

struct ylimits {
	size_t max_file_size;	/* bytes */
	unsigned max_depth;	/* nesting of collections */
	size_t max_alias_nodes; /* nodes created by alias expansion, per load */
	size_t max_nodes; /* all nodes of one load, alias copies included */
	size_t max_scalar_size; /* bytes in one scalar */
};

/* 8 MiB files, depth 64, 200000 alias-expanded nodes, 500000 nodes in all,
 * 1 MiB scalars. */
extern const struct ylimits ylimits_default;

/* Intern a file name for marks; the result lives until process exit. */
const char *ymark_intern(const char *file);

/* Load; `lim` NULL means ylimits_default. On error *out is untouched. */
int ynode_load_file(struct ynode **out, const char *path,
		    const struct ylimits *lim);
int ynode_load_buffer(struct ynode **out, const char *data, size_t len,
		      const char *name, const struct ylimits *lim);

/* Constructors; mark may be NULL (no position). */
struct ynode *ynode_new_null(const struct ymark *mark);
struct ynode *ynode_new_bool(bool v, const struct ymark *mark);
struct ynode *ynode_new_int(long long v, const struct ymark *mark);
struct ynode *ynode_new_float(double v, const struct ymark *mark);
struct ynode *ynode_new_str(const char *s, const struct ymark *mark);
struct ynode *ynode_new_strn(const char *s, size_t n, const struct ymark *mark);
struct ynode *ynode_new_seq(const struct ymark *mark);
struct ynode *ynode_new_map(const struct ymark *mark);

void ynode_free(struct ynode *n);
struct ynode *ynode_clone(const struct ynode *n);

/*
 * Retype a scalar from its text as an untagged plain scalar would be
 * (the go-yaml v3 rules above); flags, mark and text are kept. Integers
 * beyond long long stay strings.
 */
void ynode_resolve_plain(struct ynode *n);

/* Turn any scalar node into a string node holding s (mark kept). */
void ynode_set_str(struct ynode *n, const char *s);
/* Swap the contents of two nodes (kind, flags, mark, text, children). */
void ynode_swap(struct ynode *a, struct ynode *b);

bool ynode_is_scalar(const struct ynode *n);
const char *ynode_kind_name(enum ynode_kind kind);
/* Elements of a SEQ, pairs of a MAP, 0 otherwise. */
size_t ynode_len(const struct ynode *n);

/* Maps: keys are unique; insertion order is kept until ynode_map_sort(). */
struct ynode *ynode_map_get(const struct ynode *map, const char *key);
struct ypair *ynode_map_pair(const struct ynode *map, const char *key);
/* Replace the value of key (freeing the old one) or append a new pair. */
void ynode_map_put(struct ynode *map, const char *key,
		   const struct ymark *key_mark, struct ynode *value);
/* Remove key and return its value (caller owns it); NULL if absent. */
struct ynode *ynode_map_take(struct ynode *map, const char *key);
bool ynode_map_del(struct ynode *map, const char *key);
/* Sort pairs by key (strcmp); recursive sorts every map below too. */
void ynode_map_sort(struct ynode *map, bool recursive);

/* Sequences. */
void ynode_seq_push(struct ynode *seq, struct ynode *item);
/* Remove item i and return it (caller owns it). */
struct ynode *ynode_seq_take(struct ynode *seq, size_t i);

/* The node at a JSON pointer (RFC 6901: "/services/api/ports/0", with ~1
 * for '/' and ~0 for '~' in keys; "" is the root), or NULL. */
const struct ynode *ynode_pointer(const struct ynode *root,
				  const char *pointer);

/* Deep equality: same kind and value; maps compare as unordered sets of
 * keys, sequences in order; marks and flags are ignored. INT 1 and FLOAT
 * 1.0 are not equal, nor STR "1" and INT 1. */
bool ynode_equal(const struct ynode *a, const struct ynode *b);

#endif

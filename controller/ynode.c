/*
 * ynode.c - the node tree: marks, constructors, maps, sequences, equality.
 *
 * Loading lives in ynode_load.c. Recursion here follows the tree, whose
 * depth the loader bounds (ylimits.max_depth, alias copies included).
 */
#include "ynode.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "xalloc.h"
#include "banned.h"

const struct ylimits ylimits_default = {
    .max_file_size = 8u << 20,
    .max_depth = 64,
    .max_alias_nodes = 200000,
    .max_scalar_size = 1u << 20,
    .max_nodes = 500000,
};

/*
 * Interned names are never freed: marks point at them from trees that can
 * outlive the load (and move between trees), so one process-wide table is
 * simpler than reference counts. It only ever holds file names.
 */
struct intern_entry {
	struct intern_entry *next;
	char name[];
};

#define INTERN_BUCKETS 256

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static struct intern_entry *intern_table[INTERN_BUCKETS];

static uint32_t intern_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

const char *ymark_intern(const char *file)
{
	struct intern_entry *e;
	uint32_t b;
	size_t len;

	if (!file)
		return NULL;
	b = intern_hash(file) % INTERN_BUCKETS;
	pthread_mutex_lock(&intern_lock);
	for (e = intern_table[b]; e; e = e->next)
		if (!strcmp(e->name, file))
			goto out;
	len = strlen(file);
	e = xmalloc(sizeof(*e) + len + 1);
	memcpy(e->name, file, len + 1);
	e->next = intern_table[b];
	intern_table[b] = e;
out:
	pthread_mutex_unlock(&intern_lock);
	return e->name;
}

static struct ynode *ynode_alloc(enum ynode_kind kind, const struct ymark *mark)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	if (mark)
		n->mark = *mark;
	if (kind != YNODE_SEQ && kind != YNODE_MAP)
		n->text = xstrdup("");
	return n;
}

struct ynode *ynode_new_null(const struct ymark *mark)
{
	return ynode_alloc(YNODE_NULL, mark);
}

struct ynode *ynode_new_bool(bool v, const struct ymark *mark)
{
	struct ynode *n = ynode_alloc(YNODE_BOOL, mark);

	n->u.b = v;
	return n;
}

struct ynode *ynode_new_int(long long v, const struct ymark *mark)
{
	struct ynode *n = ynode_alloc(YNODE_INT, mark);

	n->u.i = v;
	return n;
}

struct ynode *ynode_new_float(double v, const struct ymark *mark)
{
	struct ynode *n = ynode_alloc(YNODE_FLOAT, mark);

	n->u.f = v;
	return n;
}

struct ynode *ynode_new_strn(const char *s, size_t n, const struct ymark *mark)
{
	struct ynode *node = xcalloc(1, sizeof(*node));

	node->kind = YNODE_STR;
	if (mark)
		node->mark = *mark;
	node->text = xstrndup(s, n);
	node->text_len = strlen(node->text);
	return node;
}

struct ynode *ynode_new_str(const char *s, const struct ymark *mark)
{
	return ynode_new_strn(s, strlen(s), mark);
}

struct ynode *ynode_new_seq(const struct ymark *mark)
{
	return ynode_alloc(YNODE_SEQ, mark);
}

struct ynode *ynode_new_map(const struct ymark *mark)
{
	return ynode_alloc(YNODE_MAP, mark);
}

/* Free what n holds, leaving the struct itself. */
static void ynode_release(struct ynode *n)
{
	size_t i;

	if (n->kind == YNODE_SEQ) {
		for (i = 0; i < n->u.seq.n; i++)
			ynode_free(n->u.seq.items[i]);
		free(n->u.seq.items);
	} else if (n->kind == YNODE_MAP) {
		for (i = 0; i < n->u.map.n; i++) {
			free(n->u.map.items[i].key);
			ynode_free(n->u.map.items[i].value);
		}
		free(n->u.map.items);
	}
	free(n->text);
	n->text = NULL;
	n->text_len = 0;
	memset(&n->u, 0, sizeof(n->u));
}

void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	ynode_release(n);
	free(n);
}

struct ynode *ynode_clone(const struct ynode *n)
{
	struct ynode *c;
	size_t i;

	if (!n)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *n;
	if (n->kind == YNODE_SEQ) {
		c->u.seq.cap = n->u.seq.n;
		c->u.seq.items = n->u.seq.n
				     ? xreallocarray(NULL, n->u.seq.n,
						     sizeof(*c->u.seq.items))
				     : NULL;
		for (i = 0; i < n->u.seq.n; i++)
			c->u.seq.items[i] = ynode_clone(n->u.seq.items[i]);
	} else if (n->kind == YNODE_MAP) {
		c->u.map.cap = n->u.map.n;
		c->u.map.items = n->u.map.n
				     ? xreallocarray(NULL, n->u.map.n,
						     sizeof(*c->u.map.items))
				     : NULL;
		for (i = 0; i < n->u.map.n; i++) {
			c->u.map.items[i].key = xstrdup(n->u.map.items[i].key);
			c->u.map.items[i].key_mark = n->u.map.items[i].key_mark;
			c->u.map.items[i].value =
			    ynode_clone(n->u.map.items[i].value);
		}
	} else {
		c->text = xmalloc(n->text_len + 1);
		memcpy(c->text, n->text, n->text_len);
		c->text[n->text_len] = '\0';
	}
	return c;
}

void ynode_set_str(struct ynode *n, const char *s)
{
	/* Copy first: s may point into n->text. */
	char *copy = xstrdup(s);

	ynode_release(n);
	n->kind = YNODE_STR;
	n->text = copy;
	n->text_len = strlen(copy);
}

void ynode_swap(struct ynode *a, struct ynode *b)
{
	struct ynode tmp = *a;

	*a = *b;
	*b = tmp;
}

bool ynode_is_scalar(const struct ynode *n)
{
	return n && n->kind != YNODE_SEQ && n->kind != YNODE_MAP;
}

const char *ynode_kind_name(enum ynode_kind kind)
{
	switch (kind) {
	case YNODE_NULL:
		return "null";
	case YNODE_BOOL:
		return "bool";
	case YNODE_INT:
		return "int";
	case YNODE_FLOAT:
		return "float";
	case YNODE_STR:
		return "string";
	case YNODE_SEQ:
		return "sequence";
	case YNODE_MAP:
		return "mapping";
	}
	return "unknown";
}

size_t ynode_len(const struct ynode *n)
{
	if (!n)
		return 0;
	if (n->kind == YNODE_SEQ)
		return n->u.seq.n;
	if (n->kind == YNODE_MAP)
		return n->u.map.n;
	return 0;
}

static ssize_t map_index(const struct ynode *map, const char *key)
{
	size_t i;

	if (!map || map->kind != YNODE_MAP || !key)
		return -1;
	for (i = 0; i < map->u.map.n; i++)
		if (!strcmp(map->u.map.items[i].key, key))
			return (ssize_t)i;
	return -1;
}

struct ypair *ynode_map_pair(const struct ynode *map, const char *key)
{
	ssize_t i = map_index(map, key);

	return i < 0 ? NULL : &map->u.map.items[i];
}

struct ynode *ynode_map_get(const struct ynode *map, const char *key)
{
	struct ypair *p = ynode_map_pair(map, key);

	return p ? p->value : NULL;
}

void ynode_map_put(struct ynode *map, const char *key,
		   const struct ymark *key_mark, struct ynode *value)
{
	struct ypair *p = ynode_map_pair(map, key);

	if (p) {
		ynode_free(p->value);
		p->value = value;
		if (key_mark)
			p->key_mark = *key_mark;
		return;
	}
	if (map->u.map.n == map->u.map.cap) {
		map->u.map.cap = map->u.map.cap ? 2 * map->u.map.cap : 4;
		map->u.map.items =
		    xreallocarray(map->u.map.items, map->u.map.cap,
				  sizeof(*map->u.map.items));
	}
	p = &map->u.map.items[map->u.map.n++];
	p->key = xstrdup(key);
	memset(&p->key_mark, 0, sizeof(p->key_mark));
	if (key_mark)
		p->key_mark = *key_mark;
	p->value = value;
}

struct ynode *ynode_map_take(struct ynode *map, const char *key)
{
	ssize_t i = map_index(map, key);
	struct ynode *value;

	if (i < 0)
		return NULL;
	value = map->u.map.items[i].value;
	free(map->u.map.items[i].key);
	memmove(&map->u.map.items[i], &map->u.map.items[i + 1],
		(map->u.map.n - (size_t)i - 1) * sizeof(*map->u.map.items));
	map->u.map.n--;
	return value;
}

bool ynode_map_del(struct ynode *map, const char *key)
{
	if (map_index(map, key) < 0)
		return false;
	ynode_free(ynode_map_take(map, key));
	return true;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct ypair *pa = a, *pb = b;

	return strcmp(pa->key, pb->key);
}

static void ynode_sort_below(struct ynode *n)
{
	size_t i;

	if (!n)
		return;
	if (n->kind == YNODE_SEQ)
		for (i = 0; i < n->u.seq.n; i++)
			ynode_sort_below(n->u.seq.items[i]);
	else if (n->kind == YNODE_MAP)
		ynode_map_sort(n, true);
}

void ynode_map_sort(struct ynode *map, bool recursive)
{
	size_t i;

	if (!map || map->kind != YNODE_MAP)
		return;
	if (map->u.map.n > 1)
		qsort(map->u.map.items, map->u.map.n, sizeof(*map->u.map.items),
		      pair_cmp);
	if (recursive)
		for (i = 0; i < map->u.map.n; i++)
			ynode_sort_below(map->u.map.items[i].value);
}

void ynode_seq_push(struct ynode *seq, struct ynode *item)
{
	if (seq->u.seq.n == seq->u.seq.cap) {
		seq->u.seq.cap = seq->u.seq.cap ? 2 * seq->u.seq.cap : 4;
		seq->u.seq.items =
		    xreallocarray(seq->u.seq.items, seq->u.seq.cap,
				  sizeof(*seq->u.seq.items));
	}
	seq->u.seq.items[seq->u.seq.n++] = item;
}

struct ynode *ynode_seq_take(struct ynode *seq, size_t i)
{
	struct ynode *item;

	if (!seq || seq->kind != YNODE_SEQ || i >= seq->u.seq.n)
		return NULL;
	item = seq->u.seq.items[i];
	memmove(&seq->u.seq.items[i], &seq->u.seq.items[i + 1],
		(seq->u.seq.n - i - 1) * sizeof(*seq->u.seq.items));
	seq->u.seq.n--;
	return item;
}

static int pair_ptr_cmp(const void *a, const void *b)
{
	const struct ypair *const *pa = a, *const *pb = b;

	return strcmp((*pa)->key, (*pb)->key);
}

/* Unordered comparison of two maps with the same number of pairs. */
static bool map_equal(const struct ynode *a, const struct ynode *b)
{
	const struct ypair **sa = NULL, **sb = NULL;
	size_t i, n = a->u.map.n;
	bool eq = true;

	/* Small maps (the usual case) are cheaper to scan than to sort. */
	if (n <= 16) {
		for (i = 0; i < n; i++) {
			const struct ypair *p = &a->u.map.items[i];

			if (!ynode_equal(p->value, ynode_map_get(b, p->key)))
				return false;
		}
		return true;
	}
	sa = xreallocarray(NULL, n, sizeof(*sa));
	sb = xreallocarray(NULL, n, sizeof(*sb));
	for (i = 0; i < n; i++) {
		sa[i] = &a->u.map.items[i];
		sb[i] = &b->u.map.items[i];
	}
	qsort(sa, n, sizeof(*sa), pair_ptr_cmp);
	qsort(sb, n, sizeof(*sb), pair_ptr_cmp);
	for (i = 0; i < n && eq; i++)
		eq = !strcmp(sa[i]->key, sb[i]->key) &&
		     ynode_equal(sa[i]->value, sb[i]->value);
	free(sa);
	free(sb);
	return eq;
}

bool ynode_equal(const struct ynode *a, const struct ynode *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case YNODE_NULL:
		return true;
	case YNODE_BOOL:
		return a->u.b == b->u.b;
	case YNODE_INT:
		return a->u.i == b->u.i;
	case YNODE_FLOAT:
		/* A NaN left in place is no change. */
		if (isnan(a->u.f) || isnan(b->u.f))
			return isnan(a->u.f) && isnan(b->u.f);
		return a->u.f == b->u.f;
	case YNODE_STR:
		return a->text_len == b->text_len &&
		       !memcmp(a->text, b->text, a->text_len);
	case YNODE_SEQ:
		if (a->u.seq.n != b->u.seq.n)
			return false;
		for (i = 0; i < a->u.seq.n; i++)
			if (!ynode_equal(a->u.seq.items[i], b->u.seq.items[i]))
				return false;
		return true;
	case YNODE_MAP:
		return a->u.map.n == b->u.map.n && map_equal(a, b);
	}
	return false;
}

/* Decode one reference token of a JSON pointer into out (bounded). */
static bool pointer_token(char *out, size_t outlen, const char *tok, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = tok[i];

		if (c == '~') {
			if (i + 1 >= len ||
			    (tok[i + 1] != '0' && tok[i + 1] != '1'))
				return false;
			c = tok[++i] == '0' ? '~' : '/';
		}
		if (o + 1 >= outlen)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

const struct ynode *ynode_pointer(const struct ynode *root, const char *pointer)
{
	const struct ynode *n = root;
	char token[1024];

	if (!pointer || (*pointer && *pointer != '/'))
		return NULL;
	while (n && *pointer) {
		const char *start = pointer + 1;
		const char *end = strchr(start, '/');
		size_t len = end ? (size_t)(end - start) : strlen(start);

		if (!pointer_token(token, sizeof(token), start, len))
			return NULL;
		if (n->kind == YNODE_MAP) {
			n = ynode_map_get(n, token);
		} else if (n->kind == YNODE_SEQ) {
			char *num_end = NULL;
			unsigned long long i;

			if (!len || (len > 1 && token[0] == '0') ||
			    token[0] < '0' || token[0] > '9')
				return NULL;
			i = strtoull(token, &num_end, 10);
			if (*num_end || i >= n->u.seq.n)
				return NULL;
			n = n->u.seq.items[i];
		} else {
			return NULL;
		}
		pointer = start + len;
	}
	return n;
}

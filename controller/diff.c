/*
 * diff.c - three-plane diff of canonical service nodes (diff.h).
 *
 * The walk visits the union of the keys of the planes that hold a mapping
 * at a path; anything else (scalars, lists, a mapping in one plane and a
 * scalar in another) is a leaf compared whole. Set-like lists come from
 * docs/internals/CANONICAL-MODEL.md ("Order"): the engine returns those
 * in its own order, so only their contents can be compared.
 */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

#include "banned.h"

/* Service keys whose lists carry no order (CANONICAL-MODEL.md). */
static const char *const diff_set_keys[] = {
    "cap_add",	    "cap_drop",	    "configs", "device_cgroup_rules",
    "devices",	    "dns_opt",	    "expose",  "external_links",
    "group_add",    "links",	    "ports",   "profiles",
    "secrets",	    "security_opt", "tmpfs",   "volumes",
    "volumes_from",
};

/* Where a walk stands: the planes' nodes at one path. */
struct diff_walk {
	struct changes *out;
	struct buf path;
	bool has_recorded;
};

void changes_init(struct changes *c)
{
	memset(c, 0, sizeof(*c));
}

void changes_release(struct changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->items[i].path);
		ynode_free(c->items[i].desired);
		ynode_free(c->items[i].recorded);
		ynode_free(c->items[i].actual);
	}
	free(c->items);
	memset(c, 0, sizeof(*c));
}

bool diff_path_is_set(const char *path)
{
	static const char prefix[] = "/services/";
	const char *key;

	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return false;
	key = strchr(path + sizeof(prefix) - 1, '/');
	if (!key)
		return false;
	key++;
	for (size_t i = 0; i < sizeof(diff_set_keys) / sizeof(*diff_set_keys);
	     i++)
		if (!strcmp(key, diff_set_keys[i]))
			return true;
	return false;
}

/* Equal as multisets: every item of a matched by a distinct item of b. */
static bool diff_seq_equal_as_set(const struct ynode *a, const struct ynode *b)
{
	bool *used = NULL;
	bool equal = true;
	size_t n = a->u.seq.n;

	if (n != b->u.seq.n)
		return false;
	if (n == 0)
		return true;
	used = xcalloc(n, sizeof(*used));
	for (size_t i = 0; equal && i < n; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (!used[j] &&
			    ynode_equal(a->u.seq.items[i], b->u.seq.items[j]))
				break;
		if (j == n)
			equal = false;
		else
			used[j] = true;
	}
	free(used);
	return equal;
}

static bool diff_leaf_equal(const struct ynode *a, const struct ynode *b,
			    bool as_set)
{
	if (!a || !b)
		return a == b;
	if (as_set && a->kind == YNODE_SEQ && b->kind == YNODE_SEQ)
		return diff_seq_equal_as_set(a, b);
	return ynode_equal(a, b);
}

bool diff_values_equal(const char *path, const struct ynode *a,
		       const struct ynode *b)
{
	return diff_leaf_equal(a, b, diff_path_is_set(path));
}

static int diff_compare(const void *a, const void *b)
{
	const struct change *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static void diff_emit(struct diff_walk *w, const struct ynode *d,
		      const struct ynode *r, const struct ynode *a,
		      const struct ymark *mark)
{
	struct changes *c = w->out;
	struct change *ch;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->items = xreallocarray(c->items, c->cap, sizeof(*c->items));
	}
	ch = &c->items[c->n++];
	memset(ch, 0, sizeof(*ch));
	ch->path = xstrdup(buf_cstr(&w->path));
	ch->desired = d ? ynode_clone(d) : NULL;
	ch->recorded = r ? ynode_clone(r) : NULL;
	ch->actual = a ? ynode_clone(a) : NULL;
	if (mark)
		ch->mark = *mark;
}

/* RFC 6901: "~" is "~0" and "/" is "~1" inside a token. */
static int diff_path_push(struct buf *path, const char *token)
{
	int error = buf_addc(path, '/');

	for (const char *s = token; !error && *s; s++) {
		if (*s == '~')
			error = buf_adds(path, "~0");
		else if (*s == '/')
			error = buf_adds(path, "~1");
		else
			error = buf_addc(path, *s);
	}
	return error;
}

static bool diff_is_map_or_absent(const struct ynode *n)
{
	return !n || n->kind == YNODE_MAP;
}

static void diff_add_key(const char ***keys, size_t *n, size_t *cap,
			 const struct ynode *map)
{
	if (!map)
		return;
	for (size_t i = 0; i < map->u.map.n; i++) {
		const char *k = map->u.map.items[i].key;
		size_t j;

		for (j = 0; j < *n; j++)
			if (!strcmp((*keys)[j], k))
				break;
		if (j < *n)
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*keys = xreallocarray(*keys, *cap, sizeof(**keys));
		}
		(*keys)[(*n)++] = k;
	}
}

static int diff_walk_node(struct diff_walk *w, const struct ynode *d,
			  const struct ynode *r, const struct ynode *a,
			  const struct ymark *parent_mark);

static int diff_walk_map(struct diff_walk *w, const struct ynode *d,
			 const struct ynode *r, const struct ynode *a,
			 const struct ymark *mark)
{
	const char **keys = NULL;
	size_t nkeys = 0, cap = 0, len = w->path.len;
	int error = 0;

	diff_add_key(&keys, &nkeys, &cap, d);
	diff_add_key(&keys, &nkeys, &cap, r);
	diff_add_key(&keys, &nkeys, &cap, a);
	for (size_t i = 0; !error && i < nkeys; i++) {
		if ((error = diff_path_push(&w->path, keys[i])) < 0)
			break;
		error =
		    diff_walk_node(w, d ? ynode_map_get(d, keys[i]) : NULL,
				   r ? ynode_map_get(r, keys[i]) : NULL,
				   a ? ynode_map_get(a, keys[i]) : NULL, mark);
		w->path.len = len;
		w->path.data[len] = '\0';
	}
	free(keys);
	return error;
}

static int diff_walk_node(struct diff_walk *w, const struct ynode *d,
			  const struct ynode *r, const struct ynode *a,
			  const struct ymark *parent_mark)
{
	const struct ymark *mark = d ? &d->mark : parent_mark;
	bool as_set;

	if (!w->has_recorded)
		r = NULL;
	if (!d && !r && !a)
		return 0;
	if (diff_is_map_or_absent(d) && diff_is_map_or_absent(r) &&
	    diff_is_map_or_absent(a))
		return diff_walk_map(w, d, r, a, mark);
	as_set = diff_path_is_set(buf_cstr(&w->path));
	if (diff_leaf_equal(d, a, as_set) &&
	    (!w->has_recorded || diff_leaf_equal(d, r, as_set)))
		return 0;
	diff_emit(w, d, r, a, mark);
	return 0;
}

int diff_service(struct changes *out, const char *service,
		 const struct ynode *desired, const struct ynode *recorded,
		 const struct ynode *actual, bool has_recorded)
{
	struct diff_walk w = {out, BUF_INIT(BUF_UNBOUNDED), has_recorded};
	size_t first = out->n;
	int error = -1;

	if ((error = buf_adds(&w.path, "/services")) < 0 ||
	    (error = diff_path_push(&w.path, service)) < 0)
		goto cleanup;
	if ((error = diff_walk_node(&w, desired, recorded, actual,
				    desired ? &desired->mark : NULL)) < 0)
		goto cleanup;
	/* Stable output whatever order the planes' keys came in. */
	if (out->n > first)
		qsort(out->items + first, out->n - first, sizeof(*out->items),
		      diff_compare);
	error = 0;
cleanup:
	buf_release(&w.path);
	return error;
}

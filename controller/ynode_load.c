/*
 * ynode_load.c - YAML text to a ynode tree, on libyaml's event parser.
 *
 * libyaml's document loader is not used: it keeps aliases as shared nodes
 * and has no budget, marks or merge keys. Here every event is turned into
 * nodes as it arrives, with a stack of open collections whose depth is
 * checked before libyaml's own stack grows past it. Aliases become deep
 * copies; the size of each anchored subtree is known when it completes,
 * so the alias budget is charged before a copy is made and "billion
 * laughs" stops after at most max_alias_nodes nodes of work.
 *
 * Plain scalars are typed as go-yaml v3 types them for Compose (see
 * ynode_resolve.c).
 */
#include "ynode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <yaml.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"
#include "ynode_load.h"
#include "banned.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

enum ltag {
	LTAG_NONE,
	LTAG_NONSPECIFIC, /* "!": a plain scalar that is a string */
	LTAG_STR,
	LTAG_INT,
	LTAG_FLOAT,
	LTAG_BOOL,
	LTAG_NULL,
	LTAG_MAP,
	LTAG_SEQ,
	LTAG_MERGE,
	LTAG_RESET,
	LTAG_OVERRIDE,
};

/* A `<<` value waiting for its mapping to complete. */
struct lmerge {
	struct ynode *node;
	struct ymark mark;
};

/* An open collection. */
struct lframe {
	struct ynode *node;
	size_t count;	 /* nodes in the subtree, itself included */
	unsigned height; /* collection levels in the subtree */
	char *anchor;
	/* mappings: the key waiting for its value */
	char *key;
	struct ymark key_mark;
	bool have_key;
	bool key_is_merge;
	/* the first `<<` key, which counts as a key for duplicates */
	bool have_merge;
	struct ymark merge_mark;
	struct lmerge *merges;
	size_t nmerges, capmerges;
	/* open-addressed pair index + 1 (0 = empty), built past a few keys */
	size_t *index;
	size_t index_cap;
};

struct lstate {
	const char *file;
	const char *data;
	size_t len;
	const struct ylimits *lim;
	struct lframe *frames;
	size_t nframes, capframes;
	struct ynode *root;
	unsigned ndocs;
	size_t alias_nodes;
	size_t nodes; /* nodes parsed, aliases not counted */
	struct yanchors anchors;
	/* nodes out of the tree that anchors may still point into */
	struct ynode **graveyard;
	size_t ngraveyard, capgraveyard;
};

#define INDEX_MIN_PAIRS 8

static struct ymark mark_of(const struct lstate *st, yaml_mark_t m)
{
	struct ymark mk;

	mk.file = st->file;
	mk.line = (unsigned)m.line + 1;
	mk.col = (unsigned)m.column + 1;
	return mk;
}

static void graveyard_add(struct lstate *st, struct ynode *n)
{
	if (st->ngraveyard == st->capgraveyard) {
		st->capgraveyard = st->capgraveyard ? 2 * st->capgraveyard : 8;
		st->graveyard = xreallocarray(st->graveyard, st->capgraveyard,
					      sizeof(*st->graveyard));
	}
	st->graveyard[st->ngraveyard++] = n;
}

/* Pair index of key in the open mapping f, or -1. */
static ssize_t frame_find(const struct lframe *f, const char *key)
{
	const struct ynode *m = f->node;
	size_t i;

	if (!f->index) {
		for (i = 0; i < m->u.map.n; i++)
			if (!strcmp(m->u.map.items[i].key, key))
				return (ssize_t)i;
		return -1;
	}
	for (i = yhash_str(key) & (f->index_cap - 1); f->index[i];
	     i = (i + 1) & (f->index_cap - 1))
		if (!strcmp(m->u.map.items[f->index[i] - 1].key, key))
			return (ssize_t)(f->index[i] - 1);
	return -1;
}

static void frame_index_insert(struct lframe *f, size_t pair)
{
	size_t i;

	for (i = yhash_str(f->node->u.map.items[pair].key) & (f->index_cap - 1);
	     f->index[i]; i = (i + 1) & (f->index_cap - 1))
		;
	f->index[i] = pair + 1;
}

/* Append a pair whose key is known to be new; takes key and value. */
static void frame_add_pair(struct lframe *f, char *key,
			   const struct ymark *key_mark, struct ynode *value)
{
	struct ynode *m = f->node;
	size_t i, n;

	if (m->u.map.n == m->u.map.cap) {
		m->u.map.cap = m->u.map.cap ? 2 * m->u.map.cap : 4;
		m->u.map.items = xreallocarray(m->u.map.items, m->u.map.cap,
					       sizeof(*m->u.map.items));
	}
	n = m->u.map.n++;
	m->u.map.items[n].key = key;
	m->u.map.items[n].key_mark = *key_mark;
	m->u.map.items[n].value = value;
	if (m->u.map.n < INDEX_MIN_PAIRS)
		return;
	if (2 * m->u.map.n > f->index_cap) {
		free(f->index);
		f->index_cap =
		    f->index_cap ? 2 * f->index_cap : 4 * INDEX_MIN_PAIRS;
		f->index = xcalloc(f->index_cap, sizeof(*f->index));
		for (i = 0; i < m->u.map.n; i++)
			frame_index_insert(f, i);
	} else {
		frame_index_insert(f, n);
	}
}

static void frame_release(struct lframe *f)
{
	size_t i;

	ynode_free(f->node);
	free(f->anchor);
	free(f->key);
	for (i = 0; i < f->nmerges; i++)
		ynode_free(f->merges[i].node);
	free(f->merges);
	free(f->index);
	memset(f, 0, sizeof(*f));
}

static size_t tree_count(const struct ynode *n)
{
	size_t i, c = 1;

	if (n->kind == YNODE_SEQ)
		for (i = 0; i < n->u.seq.n; i++)
			c += tree_count(n->u.seq.items[i]);
	else if (n->kind == YNODE_MAP)
		for (i = 0; i < n->u.map.n; i++)
			c += tree_count(n->u.map.items[i].value);
	return c;
}

static int dup_key_error(const struct lstate *st, const char *key,
			 const struct ymark *second, const struct ymark *first)
{
	return err_set_at(MOOR_EINVAL, st->file, second->line, second->col,
			  "duplicate key '%s' (first defined at %s:%u:%u)", key,
			  first->file ? first->file : "", first->line,
			  first->col);
}

/* Check a `<<` value: a mapping or a sequence of mappings. */
static int merge_check(const struct lstate *st, const struct ynode *v,
		       const struct ymark *mark)
{
	size_t i;

	if (v->kind == YNODE_MAP)
		return 0;
	if (v->kind == YNODE_SEQ) {
		for (i = 0; i < v->u.seq.n; i++)
			if (v->u.seq.items[i]->kind != YNODE_MAP)
				goto bad;
		return 0;
	}
bad:
	return err_set_at(MOOR_EINVAL, st->file, mark->line, mark->col,
			  "merge key '<<' needs a mapping or a sequence of "
			  "mappings, not a %s",
			  v->kind == YNODE_SEQ ? "sequence of other values"
					       : ynode_kind_name(v->kind));
}

/*
 * Hand a complete node (count nodes, height levels) to the open
 * collection, or make it the document. Takes ownership of n.
 */
static int add_value(struct lstate *st, struct ynode *n, size_t count,
		     unsigned height, const struct ymark *mark)
{
	struct lframe *f;
	ssize_t prev;

	if (!st->nframes) {
		st->root = n;
		return 0;
	}
	f = &st->frames[st->nframes - 1];
	if (height + 1 > f->height)
		f->height = height + 1;
	if (f->node->kind == YNODE_SEQ) {
		ynode_seq_push(f->node, n);
		f->count += count;
		return 0;
	}
	f->have_key = false;
	/* go-yaml counts `<<` as a key too: two of them are duplicates. */
	if (f->key_is_merge || !strcmp(f->key, "<<")) {
		if (f->have_merge) {
			ynode_free(n);
			return dup_key_error(st, "<<", &f->key_mark,
					     &f->merge_mark);
		}
		f->have_merge = true;
		f->merge_mark = f->key_mark;
	}
	if (f->key_is_merge) {
		if (merge_check(st, n, mark) < 0) {
			ynode_free(n);
			return MOOR_EINVAL;
		}
		if (f->nmerges == f->capmerges) {
			f->capmerges = f->capmerges ? 2 * f->capmerges : 2;
			f->merges = xreallocarray(f->merges, f->capmerges,
						  sizeof(*f->merges));
		}
		f->merges[f->nmerges].node = n;
		f->merges[f->nmerges].mark = *mark;
		f->nmerges++;
		f->count += count;
		return 0;
	}
	prev = frame_find(f, f->key);
	if (prev >= 0) {
		ynode_free(n);
		return dup_key_error(st, f->key, &f->key_mark,
				     &f->node->u.map.items[prev].key_mark);
	}
	frame_add_pair(f, f->key, &f->key_mark, n);
	f->key = NULL;
	f->count += count;
	return 0;
}

/* Merge one source mapping into f; keys already there win. */
static int merge_from(struct lstate *st, struct lframe *f, struct ynode *src,
		      bool copy, const struct ymark *mark)
{
	struct ypair *p;
	struct ynode *v;
	size_t i, size;

	for (i = 0; i < src->u.map.n; i++) {
		p = &src->u.map.items[i];
		if (frame_find(f, p->key) >= 0)
			continue;
		if (copy) {
			/* The anchor still needs src: copy, and pay for it. */
			size = tree_count(p->value);
			if (size > st->lim->max_alias_nodes - st->alias_nodes)
				return err_set_at(
				    MOOR_ELIMIT, st->file, mark->line,
				    mark->col,
				    "too much alias expansion (limit %zu "
				    "nodes)",
				    st->lim->max_alias_nodes);
			st->alias_nodes += size;
			v = ynode_clone(p->value);
		} else {
			v = p->value;
			p->value = NULL;
		}
		frame_add_pair(f, xstrdup(p->key), &p->key_mark, v);
	}
	return 0;
}

/*
 * Apply the `<<` values of a complete mapping, in order: explicit keys
 * were all added already, so they win, and each source only fills keys
 * still missing, so earlier sources win over later ones.
 */
static int merge_apply(struct lstate *st, struct lframe *f)
{
	struct ynode *src, *item;
	bool copy;
	size_t i, j;
	int error = 0;

	for (i = 0; i < f->nmerges && !error; i++) {
		src = f->merges[i].node;
		copy = yanchors_holds(&st->anchors, src);
		if (src->kind == YNODE_MAP) {
			error =
			    merge_from(st, f, src, copy, &f->merges[i].mark);
			continue;
		}
		for (j = 0; j < src->u.seq.n && !error; j++) {
			item = src->u.seq.items[j];
			error = merge_from(
			    st, f, item,
			    copy || yanchors_holds(&st->anchors, item),
			    &f->merges[i].mark);
		}
	}
	/* What is left of the sources may hold anchored nodes. */
	for (i = 0; i < f->nmerges; i++)
		graveyard_add(st, f->merges[i].node);
	f->nmerges = 0;
	if (!error)
		f->count = tree_count(f->node);
	return error;
}

static const char *tag_display(const char *tag)
{
	static _Thread_local char buf[128];

	if (!strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX))) {
		snprintf(buf, sizeof(buf), "!!%s", tag + strlen(TAG_PREFIX));
		return buf;
	}
	return tag;
}

static int tag_parse(enum ltag *out, const struct lstate *st,
		     const yaml_char_t *utag, const struct ymark *mark)
{
	static const struct {
		const char *name;
		enum ltag tag;
	} tags[] = {
	    {"!", LTAG_NONSPECIFIC},	      {"!reset", LTAG_RESET},
	    {"!override", LTAG_OVERRIDE},     {TAG_PREFIX "str", LTAG_STR},
	    {TAG_PREFIX "int", LTAG_INT},     {TAG_PREFIX "float", LTAG_FLOAT},
	    {TAG_PREFIX "bool", LTAG_BOOL},   {TAG_PREFIX "null", LTAG_NULL},
	    {TAG_PREFIX "map", LTAG_MAP},     {TAG_PREFIX "seq", LTAG_SEQ},
	    {TAG_PREFIX "merge", LTAG_MERGE},
	};
	const char *tag = (const char *)utag;
	size_t i;

	*out = LTAG_NONE;
	if (!tag)
		return 0;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (!strcmp(tag, tags[i].name)) {
			*out = tags[i].tag;
			return 0;
		}
	}
	return err_set_at(MOOR_EINVAL, st->file, mark->line, mark->col,
			  "unsupported tag '%s'", tag_display(tag));
}

static unsigned tag_flags(enum ltag tag)
{
	if (tag == LTAG_RESET)
		return YNODE_F_RESET;
	if (tag == LTAG_OVERRIDE)
		return YNODE_F_OVERRIDE;
	return 0;
}

/* A key, an open collection or an alias cannot be a mapping key here. */
static bool want_key(const struct lstate *st)
{
	const struct lframe *f;

	if (!st->nframes)
		return false;
	f = &st->frames[st->nframes - 1];
	return f->node->kind == YNODE_MAP && !f->have_key;
}

static void set_key(struct lstate *st, const char *text, size_t len,
		    const struct ymark *mark, bool merge)
{
	struct lframe *f = &st->frames[st->nframes - 1];

	free(f->key);
	f->key = xstrndup(text, len);
	f->key_mark = *mark;
	f->have_key = true;
	f->key_is_merge = merge;
}

static int scalar_type(struct ynode *n, const struct lstate *st, enum ltag tag,
		       yaml_scalar_style_t style, const struct ymark *mark)
{
	const char *want;

	if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    style == YAML_DOUBLE_QUOTED_SCALAR_STYLE || tag == LTAG_STR)
		n->flags |= YNODE_F_QUOTED;
	switch (tag) {
	case LTAG_INT:
	case LTAG_FLOAT:
	case LTAG_BOOL:
	case LTAG_NULL:
		/* As go-yaml: an explicit tag types the text, quoted or not. */
		ynode_resolve_plain(n);
		break;
	case LTAG_NONE:
	case LTAG_RESET:
	case LTAG_OVERRIDE:
		if (style == YAML_PLAIN_SCALAR_STYLE)
			ynode_resolve_plain(n);
		else
			n->kind = YNODE_STR;
		return 0;
	default:
		n->kind = YNODE_STR;
		return 0;
	}
	if (tag == LTAG_FLOAT && n->kind == YNODE_INT) {
		n->u.f = (double)n->u.i;
		n->kind = YNODE_FLOAT;
	}
	if ((tag == LTAG_INT && n->kind == YNODE_INT) ||
	    (tag == LTAG_FLOAT && n->kind == YNODE_FLOAT) ||
	    (tag == LTAG_BOOL && n->kind == YNODE_BOOL) ||
	    (tag == LTAG_NULL && n->kind == YNODE_NULL))
		return 0;
	want = tag == LTAG_INT	   ? "!!int"
	       : tag == LTAG_FLOAT ? "!!float"
	       : tag == LTAG_BOOL  ? "!!bool"
				   : "!!null";
	return err_set_at(MOOR_EINVAL, st->file, mark->line, mark->col,
			  "cannot use '%s' as %s", n->text, want);
}

static int on_scalar(struct lstate *st, const yaml_event_t *ev)
{
	const char *value = (const char *)ev->data.scalar.value;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	yaml_scalar_style_t style = ev->data.scalar.style;
	size_t len = ev->data.scalar.length;
	struct ymark mark = mark_of(st, ev->start_mark);
	bool key = want_key(st);
	struct ynode *n = NULL;
	enum ltag tag;
	int error;

	if (len > st->lim->max_scalar_size)
		return err_set_at(MOOR_ELIMIT, st->file, mark.line, mark.col,
				  "scalar larger than %zu bytes",
				  st->lim->max_scalar_size);
	/* Every later stage treats text as a C string. */
	if (memchr(value, '\0', len))
		return err_set_at(MOOR_EINVAL, st->file, mark.line, mark.col,
				  "nul character in scalar");
	if ((error = tag_parse(&tag, st, ev->data.scalar.tag, &mark)) < 0)
		return error;
	if (tag == LTAG_MAP || tag == LTAG_SEQ || (tag == LTAG_MERGE && !key))
		return err_set_at(
		    MOOR_EINVAL, st->file, mark.line, mark.col,
		    "cannot use tag '%s' on a %s",
		    tag_display((const char *)ev->data.scalar.tag),
		    key ? "mapping key" : "scalar");
	if (key && !anchor && (tag == LTAG_NONE || tag == LTAG_MERGE)) {
		/* The common case: no node is needed for a key. */
		set_key(st, value, len, &mark,
			tag == LTAG_MERGE ||
			    (style == YAML_PLAIN_SCALAR_STYLE && len == 2 &&
			     !memcmp(value, "<<", 2)));
		return 0;
	}
	n = xcalloc(1, sizeof(*n));
	n->mark = mark;
	n->text = xstrndup(value, len);
	n->text_len = len;
	n->flags = tag_flags(tag);
	if (tag != LTAG_MERGE &&
	    (error = scalar_type(n, st, tag, style, &mark)) < 0) {
		ynode_free(n);
		return error;
	}
	if (anchor)
		yanchors_define(&st->anchors, anchor, n, true, 1, 0);
	if (!key)
		return add_value(st, n, 1, 0, &mark);
	set_key(st, value, len, &mark,
		tag == LTAG_MERGE ||
		    (style == YAML_PLAIN_SCALAR_STYLE && tag == LTAG_NONE &&
		     len == 2 && !memcmp(value, "<<", 2)));
	/* An anchored key may be aliased as a value later. */
	if (anchor)
		graveyard_add(st, n);
	else
		ynode_free(n);
	return 0;
}

static int on_alias(struct lstate *st, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct ymark mark = mark_of(st, ev->start_mark);
	const struct yanchor *a = yanchors_find(&st->anchors, name);
	const struct ynode *target;

	if (!a)
		return err_set_at(MOOR_EINVAL, st->file, mark.line, mark.col,
				  "unknown anchor '%s'", name);
	if (!a->complete)
		return err_set_at(MOOR_EINVAL, st->file, mark.line, mark.col,
				  "alias '*%s' is inside its own anchor", name);
	target = a->node;
	if (want_key(st)) {
		if (!ynode_is_scalar(target))
			return err_set_at(MOOR_EINVAL, st->file, mark.line,
					  mark.col,
					  "mapping key must be a scalar, not a "
					  "%s",
					  ynode_kind_name(target->kind));
		set_key(st, target->text, target->text_len, &mark, false);
		return 0;
	}
	if (a->size > st->lim->max_alias_nodes - st->alias_nodes)
		return err_set_at(MOOR_ELIMIT, st->file, mark.line, mark.col,
				  "too much alias expansion (limit %zu nodes)",
				  st->lim->max_alias_nodes);
	/* Copies can nest deeper than the text does. */
	if (st->nframes + a->height > st->lim->max_depth)
		return err_set_at(MOOR_ELIMIT, st->file, mark.line, mark.col,
				  "nesting deeper than %u levels",
				  st->lim->max_depth);
	st->alias_nodes += a->size;
	return add_value(st, ynode_clone(target), a->size, a->height, &mark);
}

static int on_start(struct lstate *st, const yaml_event_t *ev,
		    enum ynode_kind kind)
{
	struct ymark mark = mark_of(st, ev->start_mark);
	const yaml_char_t *utag, *anchor;
	struct lframe *f;
	enum ltag tag;
	int error;

	if (kind == YNODE_MAP) {
		utag = ev->data.mapping_start.tag;
		anchor = ev->data.mapping_start.anchor;
	} else {
		utag = ev->data.sequence_start.tag;
		anchor = ev->data.sequence_start.anchor;
	}
	if (want_key(st))
		return err_set_at(MOOR_EINVAL, st->file, mark.line, mark.col,
				  "mapping key must be a scalar, not a %s",
				  ynode_kind_name(kind));
	if (st->nframes >= st->lim->max_depth)
		return err_set_at(MOOR_ELIMIT, st->file, mark.line, mark.col,
				  "nesting deeper than %u levels",
				  st->lim->max_depth);
	if ((error = tag_parse(&tag, st, utag, &mark)) < 0)
		return error;
	if (tag == LTAG_STR || tag == LTAG_INT || tag == LTAG_FLOAT ||
	    tag == LTAG_BOOL || tag == LTAG_NULL || tag == LTAG_MERGE ||
	    (tag == LTAG_MAP && kind != YNODE_MAP) ||
	    (tag == LTAG_SEQ && kind != YNODE_SEQ))
		return err_set_at(MOOR_EINVAL, st->file, mark.line, mark.col,
				  "cannot use tag '%s' on a %s",
				  tag_display((const char *)utag),
				  ynode_kind_name(kind));
	if (st->nframes == st->capframes) {
		st->capframes = st->capframes ? 2 * st->capframes : 16;
		st->frames = xreallocarray(st->frames, st->capframes,
					   sizeof(*st->frames));
	}
	f = &st->frames[st->nframes++];
	memset(f, 0, sizeof(*f));
	f->node =
	    kind == YNODE_MAP ? ynode_new_map(&mark) : ynode_new_seq(&mark);
	f->node->flags = tag_flags(tag);
	f->count = 1;
	f->height = 1;
	if (anchor) {
		f->anchor = xstrdup((const char *)anchor);
		/* Defined now, so that an alias inside is found recursive. */
		yanchors_define(&st->anchors, f->anchor, f->node, false, 0, 0);
	}
	return 0;
}

static int on_end(struct lstate *st)
{
	struct lframe *f = &st->frames[st->nframes - 1];
	struct yanchor *a;
	struct ynode *n;
	struct ymark mark = f->node->mark;
	size_t count;
	unsigned height;
	int error;

	if (f->nmerges && (error = merge_apply(st, f)) < 0)
		return error;
	n = f->node;
	count = f->count;
	height = f->height;
	/* Unless redefined inside, the anchor now names the whole node. */
	if (f->anchor && (a = yanchors_find(&st->anchors, f->anchor)) &&
	    a->node == n) {
		a->complete = true;
		a->size = count;
		a->height = height;
	}
	f->node = NULL;
	frame_release(f);
	st->nframes--;
	return add_value(st, n, count, height, &mark);
}

/*
 * Every node costs about a hundred bytes, so the node count bounds memory
 * where the file size alone does not (8 MiB of "[]," is 2.7M nodes).
 */
static int count_node(struct lstate *st, const yaml_event_t *ev)
{
	struct ymark mark;

	if (++st->nodes + st->alias_nodes <= st->lim->max_nodes)
		return 0;
	mark = mark_of(st, ev->start_mark);
	return err_set_at(MOOR_ELIMIT, st->file, mark.line, mark.col,
			  "document has more than %zu nodes",
			  st->lim->max_nodes);
}

static int on_event(struct lstate *st, const yaml_event_t *ev)
{
	struct ymark mark;

	if ((ev->type == YAML_SCALAR_EVENT ||
	     ev->type == YAML_SEQUENCE_START_EVENT ||
	     ev->type == YAML_MAPPING_START_EVENT) &&
	    count_node(st, ev) < 0)
		return MOOR_ELIMIT;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (st->ndocs++) {
			mark = mark_of(st, ev->start_mark);
			return err_set_at(MOOR_EINVAL, st->file, mark.line,
					  mark.col,
					  "multiple yaml documents are not "
					  "supported");
		}
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(st, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(st, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(st, ev, YNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(st, ev, YNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(st);
	default:
		return 0;
	}
}

static void state_release(struct lstate *st)
{
	size_t i;

	for (i = 0; i < st->nframes; i++)
		frame_release(&st->frames[i]);
	free(st->frames);
	ynode_free(st->root);
	yanchors_release(&st->anchors);
	for (i = 0; i < st->ngraveyard; i++)
		ynode_free(st->graveyard[i]);
	free(st->graveyard);
}

int ynode_load_buffer(struct ynode **out, const char *data, size_t len,
		      const char *name, const struct ylimits *lim)
{
	struct lstate st;
	yaml_parser_t parser;
	yaml_event_t ev;
	const char *nul;
	struct ymark mark;
	bool done = false;
	int error = MOOR_EINVAL;

	memset(&st, 0, sizeof(st));
	/* libyaml asserts on a NULL input, even an empty one. */
	if (!data || !len) {
		data = "";
		len = 0;
	}
	st.file = ymark_intern(name ? name : "<input>");
	st.data = data;
	st.len = len;
	st.lim = lim ? lim : &ylimits_default;
	if ((nul = memchr(data, '\0', len))) {
		ynode_offset_mark(&mark, data, (size_t)(nul - data));
		return err_set_at(MOOR_EINVAL, st.file, mark.line, mark.col,
				  "nul byte in input");
	}
	if (!yaml_parser_initialize(&parser))
		return err_set(MOOR_ERR, "cannot initialise the yaml parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			error = ynode_parser_error(&parser, st.file, data, len);
			goto cleanup;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		error = on_event(&st, &ev);
		yaml_event_delete(&ev);
		if (error < 0)
			goto cleanup;
	}
	if (!st.root) {
		mark.file = st.file;
		mark.line = 1;
		mark.col = 1;
		st.root = ynode_new_null(&mark);
	}
	*out = st.root;
	st.root = NULL;
	error = 0;
cleanup:
	yaml_parser_delete(&parser);
	state_release(&st);
	return error;
}

int ynode_load_file(struct ynode **out, const char *path,
		    const struct ylimits *lim)
{
	struct buf b = BUF_INIT((lim ? lim : &ylimits_default)->max_file_size);
	int error;

	if ((error = buf_read_file(&b, path)) < 0)
		goto cleanup;
	error = ynode_load_buffer(out, b.data, b.len, path, lim);
cleanup:
	buf_release(&b);
	return error;
}

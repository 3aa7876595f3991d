/*
 * merge.c - merging Compose documents, path by path (see merge.h).
 *
 * The rule for a node depends on where it sits: `services.*.ports` is not
 * merged like a top-level key. merge_rules[] names every place that does
 * not follow the default (mappings merge key by key, sequences append,
 * scalars replace, a null override keeps the base); the de-duplication
 * that follows a merge lives in merge_unicity.c.
 *
 * Nodes move from the override into the base instead of being copied: the
 * override is consumed, and every winning node keeps its own mark, which
 * is what provenance reads.
 */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "merge_int.h"
#include "xalloc.h"

#include "banned.h"

enum merge_rule {
	RULE_DEFAULT,
	RULE_REPLACE,	  /* the override wins whole */
	RULE_TO_SEQ,	  /* both sides as KEY=VALUE lists, appended */
	RULE_EXTRA_HOSTS, /* as RULE_TO_SEQ, exact repeats dropped */
	RULE_TO_MAP,	  /* lists of names become mappings to null */
	RULE_DEPENDS_ON,  /* as RULE_TO_MAP, with the long-form defaults */
	RULE_BUILD,	  /* `build: ctx` is `build: {context: ctx}` */
	RULE_LOGGING,	  /* a different driver drops the options */
	RULE_IPAM_CONFIG, /* entries matched by subnet */
};

/* Where the rules differ from the default, as compose-go's override
 * package has them (v2.13). */
static const struct {
	const char *pattern;
	enum merge_rule rule;
} merge_rules[] = {
    {"networks.*.ipam.config", RULE_IPAM_CONFIG},
    {"networks.*.labels", RULE_TO_SEQ},
    {"volumes.*.labels", RULE_TO_SEQ},
    {"models.*.runtime_flags", RULE_REPLACE},
    {"services.*.annotations", RULE_TO_SEQ},
    {"services.*.build", RULE_BUILD},
    {"services.*.build.args", RULE_TO_SEQ},
    {"services.*.build.additional_contexts", RULE_TO_SEQ},
    {"services.*.build.extra_hosts", RULE_EXTRA_HOSTS},
    {"services.*.build.labels", RULE_TO_SEQ},
    {"services.*.command", RULE_REPLACE},
    {"services.*.depends_on", RULE_DEPENDS_ON},
    {"services.*.deploy.labels", RULE_TO_SEQ},
    {"services.*.dns", RULE_TO_SEQ},
    {"services.*.dns_opt", RULE_TO_SEQ},
    {"services.*.dns_search", RULE_TO_SEQ},
    {"services.*.entrypoint", RULE_REPLACE},
    {"services.*.env_file", RULE_TO_SEQ},
    {"services.*.label_file", RULE_TO_SEQ},
    {"services.*.environment", RULE_TO_SEQ},
    {"services.*.extra_hosts", RULE_EXTRA_HOSTS},
    {"services.*.healthcheck.test", RULE_REPLACE},
    {"services.*.labels", RULE_TO_SEQ},
    {"services.*.logging", RULE_LOGGING},
    {"services.*.models", RULE_TO_MAP},
    {"services.*.networks", RULE_TO_MAP},
    {"services.*.sysctls", RULE_TO_SEQ},
    {"services.*.tmpfs", RULE_TO_SEQ},
    {"services.*.ulimits.*", RULE_REPLACE},
};

static int merge_value(struct mpath *p, struct ynode *base, struct ynode *over);

static enum merge_rule merge_rule_for(const struct mpath *p)
{
	for (size_t i = 0; i < sizeof(merge_rules) / sizeof(merge_rules[0]);
	     i++)
		if (mpath_matches(p, merge_rules[i].pattern))
			return merge_rules[i].rule;
	return RULE_DEFAULT;
}

static int merge_fail(const struct mpath *p, const struct ynode *base,
		      const struct ynode *over)
{
	char *where = mpath_string(p);
	int error;

	error = err_set_at(MOOR_EINVAL, over->mark.file, over->mark.line,
			   over->mark.col, "cannot override %s '%s' with a %s",
			   ynode_kind_name(base->kind), where,
			   ynode_kind_name(over->kind));
	free(where);
	return error;
}

/* ---- paths ------------------------------------------------------------ */

int mpath_push(struct mpath *p, const char *key)
{
	if (p->n >= MPATH_MAX)
		return err_set(MOOR_ELIMIT,
			       "merge: nesting deeper than %d levels",
			       MPATH_MAX);
	p->seg[p->n++] = key;
	return 0;
}

void mpath_pop(struct mpath *p)
{
	if (p->n)
		p->n--;
}

bool mpath_matches(const struct mpath *p, const char *pattern)
{
	const char *s = pattern;

	for (unsigned i = 0; i < p->n; i++) {
		const char *dot = strchr(s, '.');
		size_t len = dot ? (size_t)(dot - s) : strlen(s);
		bool any = len == 1 && s[0] == '*';

		if (!any && (strlen(p->seg[i]) != len ||
			     memcmp(p->seg[i], s, len) != 0))
			return false;
		if (!dot)
			return i + 1 == p->n;
		s = dot + 1;
	}
	return false;
}

char *mpath_string(const struct mpath *p)
{
	size_t len = 1;
	char *s, *w;

	for (unsigned i = 0; i < p->n; i++)
		len += strlen(p->seg[i]) + 1;
	s = w = xmalloc(len);
	*w = '\0';
	for (unsigned i = 0; i < p->n; i++) {
		size_t l = strlen(p->seg[i]);

		if (i)
			*w++ = '.';
		memcpy(w, p->seg[i], l);
		w += l;
		*w = '\0';
	}
	return s;
}

/* ---- moving nodes ----------------------------------------------------- */

struct ynode *merge_steal(struct ynode *slot)
{
	struct ynode *n = ynode_new_null(NULL);

	ynode_swap(n, slot);
	return n;
}

/* dst takes the contents of src; its old contents and src are freed. */
void merge_assign(struct ynode *dst, struct ynode *src)
{
	ynode_swap(dst, src);
	ynode_free(src);
}

/* The text a scalar stands for in a KEY=VALUE string. */
char *merge_scalar_text(const struct ynode *n)
{
	if (n->text && (n->text[0] || n->kind == YNODE_STR))
		return xstrdup(n->text);
	switch (n->kind) {
	case YNODE_BOOL:
		return xstrdup(n->u.b ? "true" : "false");
	case YNODE_INT:
		return xasprintf("%lld", n->u.i);
	case YNODE_FLOAT:
		return xasprintf("%.15g", n->u.f);
	default:
		return xstrdup("");
	}
}

/* Append every item of over (consumed) to the sequence base. */
static void merge_seq_append(struct ynode *base, struct ynode *over)
{
	for (size_t i = 0; i < ynode_len(over); i++)
		ynode_seq_push(base, merge_steal(over->u.seq.items[i]));
	ynode_free(over);
}

/* ---- list-or-mapping conversions -------------------------------------- */

static int merge_cmp_text(const void *a, const void *b)
{
	const struct ynode *x = *(const struct ynode *const *)a;
	const struct ynode *y = *(const struct ynode *const *)b;

	return strcmp(x->text, y->text);
}

static struct ynode *merge_kv_string(const char *key, const struct ynode *v,
				     const struct ymark *key_mark)
{
	char *text = merge_scalar_text(v);
	char *s = xasprintf("%s=%s", key, text);
	struct ynode *n;

	n = ynode_new_str(s, v->mark.line ? &v->mark : key_mark);
	free(text);
	free(s);
	return n;
}

/*
 * A mapping written as a KEY=VALUE list: null values give a bare KEY, a
 * list value one KEY=item per item. Sorted, as compose-go sorts them (its
 * mappings have no order), so the result does not depend on which form a
 * file used.
 */
static int merge_map_to_seq(struct ynode **out, struct ynode *map)
{
	struct ynode **items = NULL;
	struct ynode *seq = NULL;
	size_t n = 0, cap = 0;
	int error = -1;

	for (size_t i = 0; i < ynode_len(map); i++) {
		const struct ypair *pr = &map->u.map.items[i];
		const struct ynode *v = pr->value;
		size_t add = v->kind == YNODE_SEQ ? ynode_len(v) : 1;

		if (n + add > cap) {
			cap = (n + add) * 2;
			items = xreallocarray(items, cap, sizeof(*items));
		}
		if (v->kind == YNODE_NULL) {
			items[n++] = ynode_new_str(pr->key, &pr->key_mark);
		} else if (v->kind == YNODE_MAP) {
			error = err_set_at(MOOR_EINVAL, v->mark.file,
					   v->mark.line, v->mark.col,
					   "unexpected mapping as the value "
					   "of '%s'",
					   pr->key);
			goto cleanup;
		} else if (v->kind == YNODE_SEQ) {
			for (size_t j = 0; j < ynode_len(v); j++) {
				const struct ynode *it = v->u.seq.items[j];

				if (!ynode_is_scalar(it)) {
					error = err_set_at(
					    MOOR_EINVAL, it->mark.file,
					    it->mark.line, it->mark.col,
					    "unexpected %s in the values "
					    "of '%s'",
					    ynode_kind_name(it->kind), pr->key);
					goto cleanup;
				}
				items[n++] =
				    merge_kv_string(pr->key, it, &pr->key_mark);
			}
		} else {
			items[n++] = merge_kv_string(pr->key, v, &pr->key_mark);
		}
	}
	if (n > 1)
		qsort(items, n, sizeof(*items), merge_cmp_text);
	seq = ynode_new_seq(&map->mark);
	for (size_t i = 0; i < n; i++)
		ynode_seq_push(seq, items[i]);
	n = 0;
	ynode_free(map);
	map = NULL;
	*out = seq;
	error = 0;
cleanup:
	for (size_t i = 0; i < n; i++)
		ynode_free(items[i]);
	free(items);
	if (map)
		ynode_free(map);
	return error;
}

/* Any form as a sequence; consumes n. */
static int merge_to_seq(struct ynode **out, struct ynode *n)
{
	struct ynode *seq;

	switch (n->kind) {
	case YNODE_SEQ:
		*out = n;
		return 0;
	case YNODE_MAP:
		return merge_map_to_seq(out, n);
	case YNODE_NULL:
		*out = ynode_new_seq(&n->mark);
		ynode_free(n);
		return 0;
	default:
		seq = ynode_new_seq(&n->mark);
		ynode_seq_push(seq, n);
		*out = seq;
		return 0;
	}
}

static struct ynode *merge_depends_default(const struct ymark *mark)
{
	struct ynode *m = ynode_new_map(mark);

	ynode_map_put(m, "condition", mark,
		      ynode_new_str("service_started", mark));
	ynode_map_put(m, "required", mark, ynode_new_bool(true, mark));
	return m;
}

/* A list of names as a mapping (to null, or to depends_on's defaults);
 * null and scalars become an empty mapping. Consumes n. */
static int merge_to_map(struct ynode **out, struct ynode *n, bool depends)
{
	struct ynode *map;

	if (n->kind == YNODE_MAP) {
		*out = n;
		return 0;
	}
	map = ynode_new_map(&n->mark);
	if (n->kind == YNODE_SEQ) {
		for (size_t i = 0; i < ynode_len(n); i++) {
			const struct ynode *it = n->u.seq.items[i];
			char *key;

			if (!ynode_is_scalar(it) || it->kind == YNODE_NULL) {
				int error = err_set_at(
				    MOOR_EINVAL, it->mark.file, it->mark.line,
				    it->mark.col,
				    "unexpected %s in a list of names",
				    ynode_kind_name(it->kind));
				ynode_free(map);
				ynode_free(n);
				return error;
			}
			key = merge_scalar_text(it);
			ynode_map_put(map, key, &it->mark,
				      depends ? merge_depends_default(&it->mark)
					      : ynode_new_null(&it->mark));
			free(key);
		}
	}
	ynode_free(n);
	*out = map;
	return 0;
}

/* ---- the rules -------------------------------------------------------- */

static int merge_map(struct mpath *p, struct ynode *base, struct ynode *over)
{
	int error = 0;

	for (size_t i = 0; i < ynode_len(over); i++) {
		struct ypair *op = &over->u.map.items[i];
		struct ynode *v = merge_steal(op->value);
		struct ynode *bv = ynode_map_get(base, op->key);

		if (!bv) {
			ynode_map_put(base, op->key, &op->key_mark, v);
			continue;
		}
		if ((error = mpath_push(p, op->key)) < 0) {
			ynode_free(v);
			break;
		}
		error = merge_value(p, bv, v);
		mpath_pop(p);
		if (error < 0)
			break;
	}
	ynode_free(over);
	return error;
}

static int merge_default(struct mpath *p, struct ynode *base,
			 struct ynode *over)
{
	int error;

	if (over->kind == YNODE_NULL) {
		ynode_free(over);
		return 0;
	}
	if (base->kind == YNODE_MAP) {
		if (over->kind != YNODE_MAP)
			goto mismatch;
		return merge_map(p, base, over);
	}
	if (base->kind == YNODE_SEQ) {
		if (over->kind != YNODE_SEQ)
			goto mismatch;
		merge_seq_append(base, over);
		return 0;
	}
	merge_assign(base, over);
	return 0;
mismatch:
	error = merge_fail(p, base, over);
	ynode_free(over);
	return error;
}

static int merge_sequences(struct ynode *base, struct ynode *over,
			   bool drop_repeats)
{
	struct ynode *bs = NULL, *os = NULL;
	int error;

	if ((error = merge_to_seq(&os, over)) < 0)
		return error;
	if ((error = merge_to_seq(&bs, merge_steal(base))) < 0) {
		ynode_free(os);
		return error;
	}
	for (size_t i = 0; i < ynode_len(os); i++) {
		struct ynode *it = os->u.seq.items[i];
		bool repeat = false;

		for (size_t j = 0; drop_repeats && !repeat && j < ynode_len(bs);
		     j++) {
			const struct ynode *b = bs->u.seq.items[j];

			repeat = ynode_is_scalar(it) && ynode_is_scalar(b) &&
				 strcmp(it->text, b->text) == 0;
		}
		if (!repeat)
			ynode_seq_push(bs, merge_steal(it));
	}
	ynode_free(os);
	merge_assign(base, bs);
	return 0;
}

static int merge_mappings_of(struct mpath *p, struct ynode *base,
			     struct ynode *over, bool depends)
{
	struct ynode *bm = NULL, *om = NULL;
	int error;

	if ((error = merge_to_map(&om, over, depends)) < 0)
		return error;
	if ((error = merge_to_map(&bm, merge_steal(base), depends)) < 0) {
		ynode_free(om);
		return error;
	}
	error = merge_map(p, bm, om);
	merge_assign(base, bm);
	return error;
}

/* `build: ./dir` is the short form of `build: {context: ./dir}`. */
static int merge_build_form(struct ynode **out, struct ynode *n)
{
	struct ynode *map;

	if (n->kind == YNODE_MAP) {
		*out = n;
		return 0;
	}
	if (n->kind == YNODE_SEQ) {
		int error =
		    err_set_at(MOOR_EINVAL, n->mark.file, n->mark.line,
			       n->mark.col, "unexpected sequence as 'build'");
		ynode_free(n);
		return error;
	}
	map = ynode_new_map(&n->mark);
	if (n->kind == YNODE_NULL)
		ynode_free(n);
	else
		ynode_map_put(map, "context", &n->mark, n);
	*out = map;
	return 0;
}

static int merge_build(struct mpath *p, struct ynode *base, struct ynode *over)
{
	struct ynode *bm = NULL, *om = NULL;
	int error;

	if ((error = merge_build_form(&om, over)) < 0)
		return error;
	if ((error = merge_build_form(&bm, merge_steal(base))) < 0) {
		ynode_free(om);
		return error;
	}
	error = merge_map(p, bm, om);
	merge_assign(base, bm);
	return error;
}

/* Options belong to a driver: merge them only when the driver stays. */
static int merge_logging(struct mpath *p, struct ynode *base,
			 struct ynode *over)
{
	const struct ynode *bd, *od;

	if (base->kind != YNODE_MAP || over->kind != YNODE_MAP)
		return merge_default(p, base, over);
	bd = ynode_map_get(base, "driver");
	od = ynode_map_get(over, "driver");
	if (bd && od &&
	    !(ynode_is_scalar(bd) && ynode_is_scalar(od) &&
	      strcmp(bd->text, od->text) == 0)) {
		merge_assign(base, over);
		return 0;
	}
	return merge_map(p, base, over);
}

static const char *merge_subnet(const struct ynode *n)
{
	const struct ynode *s;

	if (n->kind != YNODE_MAP)
		return "";
	s = ynode_map_get(n, "subnet");
	return s && ynode_is_scalar(s) ? s->text : "";
}

/*
 * The override's list of IPAM pools wins, each entry merged over the base
 * entry of the same subnet (compose-go's result; it also drops the base
 * entries that the override does not name). One difference: compose-go
 * returns nothing when the base list is empty, we return the override.
 */
static int merge_ipam_config(struct mpath *p, struct ynode *base,
			     struct ynode *over)
{
	struct ynode *out = NULL;
	int error = 0;

	if (over->kind == YNODE_NULL || base->kind != YNODE_SEQ ||
	    over->kind != YNODE_SEQ)
		return merge_default(p, base, over);
	out = ynode_new_seq(&base->mark);
	for (size_t i = 0; i < ynode_len(over) && !error; i++) {
		struct ynode *oi = merge_steal(over->u.seq.items[i]);
		struct ynode *match = NULL;

		for (size_t j = 0; !match && j < ynode_len(base); j++) {
			struct ynode *bi = base->u.seq.items[j];

			if (bi->kind == YNODE_MAP && oi->kind == YNODE_MAP &&
			    strcmp(merge_subnet(bi), merge_subnet(oi)) == 0)
				match = bi;
		}
		if (match) {
			struct ynode *m = ynode_clone(match);

			error = merge_map(p, m, oi);
			ynode_seq_push(out, m);
		} else {
			ynode_seq_push(out, oi);
		}
	}
	ynode_free(over);
	merge_assign(base, out);
	return error;
}

static int merge_value(struct mpath *p, struct ynode *base, struct ynode *over)
{
	switch (merge_rule_for(p)) {
	case RULE_REPLACE:
		merge_assign(base, over);
		return 0;
	case RULE_TO_SEQ:
		return merge_sequences(base, over, false);
	case RULE_EXTRA_HOSTS:
		return merge_sequences(base, over, true);
	case RULE_TO_MAP:
		return merge_mappings_of(p, base, over, false);
	case RULE_DEPENDS_ON:
		return merge_mappings_of(p, base, over, true);
	case RULE_BUILD:
		return merge_build(p, base, over);
	case RULE_LOGGING:
		return merge_logging(p, base, over);
	case RULE_IPAM_CONFIG:
		return merge_ipam_config(p, base, over);
	case RULE_DEFAULT:
		break;
	}
	return merge_default(p, base, over);
}

/* ---- !reset and !override --------------------------------------------- */

/*
 * Apply the tags of over to base before merging, as compose-go's loader
 * does: a key whose override value is tagged !reset is removed from both;
 * one tagged !override is removed from the base only, so the override's
 * value lands whole. Tags below keys the base does not have are simply
 * dropped. base may be NULL (merge_strip_tags).
 */
static void merge_apply_tags(struct ynode *base, struct ynode *over,
			     unsigned depth)
{
	if (depth > MPATH_MAX)
		return;
	if (over->kind == YNODE_SEQ) {
		for (size_t i = 0; i < ynode_len(over);) {
			struct ynode *it = over->u.seq.items[i];

			if (it->flags & YNODE_F_RESET) {
				ynode_free(ynode_seq_take(over, i));
				continue;
			}
			it->flags &= ~YNODE_F_OVERRIDE;
			merge_apply_tags(NULL, it, depth + 1);
			i++;
		}
		return;
	}
	if (over->kind != YNODE_MAP)
		return;
	if (base && base->kind != YNODE_MAP)
		base = NULL;
	for (size_t i = 0; i < ynode_len(over);) {
		struct ypair *op = &over->u.map.items[i];
		struct ynode *v = op->value;

		if (v->flags & (YNODE_F_RESET | YNODE_F_OVERRIDE)) {
			char *key = xstrdup(op->key);
			bool reset = v->flags & YNODE_F_RESET;

			if (base)
				ynode_map_del(base, key);
			if (reset) {
				ynode_map_del(over, key);
				free(key);
				continue;
			}
			free(key);
			v->flags &= ~YNODE_F_OVERRIDE;
			merge_apply_tags(NULL, v, depth + 1);
		} else {
			merge_apply_tags(base ? ynode_map_get(base, op->key)
					      : NULL,
					 v, depth + 1);
		}
		i++;
	}
}

void merge_strip_tags(struct ynode *root)
{
	if (!root)
		return;
	merge_apply_tags(NULL, root, 0);
	root->flags &= ~(YNODE_F_RESET | YNODE_F_OVERRIDE);
}

/* ---- entry points ----------------------------------------------------- */

static int merge_at(struct mpath *p, struct ynode *base, struct ynode *over,
		    const char *what)
{
	int error;

	if (!over)
		return 0;
	over->flags &= ~(YNODE_F_RESET | YNODE_F_OVERRIDE);
	if (over->kind == YNODE_NULL) {
		ynode_free(over);
		return 0;
	}
	if (base->kind == YNODE_NULL) {
		merge_strip_tags(over);
		merge_assign(base, over);
		return 0;
	}
	if (base->kind != YNODE_MAP || over->kind != YNODE_MAP) {
		error = err_set_at(MOOR_EINVAL, over->mark.file,
				   over->mark.line, over->mark.col,
				   "cannot merge a %s into a %s: %s must be "
				   "mappings",
				   ynode_kind_name(over->kind),
				   ynode_kind_name(base->kind), what);
		ynode_free(over);
		return error;
	}
	/* Tags the base still holds had nothing to act on in it. */
	merge_strip_tags(base);
	merge_apply_tags(base, over, 0);
	if ((error = merge_map(p, base, over)) < 0)
		return error;
	return merge_unicity_at(p, base);
}

int merge_documents(struct ynode *base, struct ynode *override)
{
	struct mpath p = MPATH_INIT;

	return merge_at(&p, base, override, "compose documents");
}

int merge_service(struct ynode *base, struct ynode *override)
{
	struct mpath p = MPATH_INIT;

	/* The service rules are keyed on services.*: any name will do. */
	mpath_push(&p, "services");
	mpath_push(&p, "*");
	return merge_at(&p, base, override, "services");
}

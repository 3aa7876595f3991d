/*
 * schema.c - what keys a Compose file may hold and what each value may be.
 *
 * One table (norm_schema_table.c) describes the document (as redis' config.c
 * static_configs[]): every key of the compose-spec that mooring knows,
 * including those it will never deploy (build, deploy.placement, develop),
 * which are accepted so that real files load. From the table:
 *  - schema_check() reports the first unknown key, wrong type or bad
 *    value, with the node's file:line:col;
 *  - schema_coerce() gives each scalar the type the table declares.
 *    Values interpolated from variables are strings, so where the table
 *    wants a number or a bool a string that parses as one is accepted
 *    (compose-go casts these) and converted here; byte sizes become ints
 *    and durations Go duration strings.
 *
 * Null is accepted as the value of any key (it means "not set"), never as
 * an item of a list. x-* keys are allowed in every mapping that is a spec
 * object (SF_EXT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "norm_internal.h"
#include "norm_schema.h"
#include "normalize.h"
#include "xalloc.h"
#include "banned.h"

/* Specs the walker needs itself. */
static const struct sspec s_str = {.type = ST_STR};
static const struct sspec s_scalar = {.type = ST_SCALAR};

/* Messages */

static const char *kind_text(const struct ynode *n)
{
	switch (n->kind) {
	case YNODE_NULL:
		return "null";
	case YNODE_BOOL:
		return "a boolean";
	case YNODE_INT:
	case YNODE_FLOAT:
		return "a number";
	case YNODE_STR:
		return "a string";
	case YNODE_SEQ:
		return "a list";
	case YNODE_MAP:
		return "a mapping";
	}
	return "a value";
}

static const char *type_text(const struct sspec *sp)
{
	switch (sp->type) {
	case ST_ANY:
	case ST_SCALAR:
		return "a scalar";
	case ST_STR:
		return "a string";
	case ST_STRNUM:
		return "a string or a number";
	case ST_INT:
		return "an integer";
	case ST_FLOAT:
		return "a number";
	case ST_BOOL:
		return "a boolean";
	case ST_BYTES:
		return "a byte size";
	case ST_DURATION:
		return "a duration";
	case ST_STR_OR_LIST:
	case ST_COMMAND:
		return "a string or a list";
	case ST_LIST:
		return "a list";
	case ST_MAP:
	case ST_DICT:
		return "a mapping";
	case ST_LIST_OR_DICT:
		return "a list or a mapping";
	case ST_ONEOF:
		break;
	}
	return "something else";
}

/* "a string or a mapping" for a oneOf. */
static void oneof_text(char *buf, size_t size, const struct sspec *sp)
{
	size_t i, n = 0, len = 0;

	while (sp->alts[n])
		n++;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : (i + 1 == n ? " or " : ", ");

		snprintf(buf + len, size - len, "%s%s", sep,
			 type_text(sp->alts[i]));
		len = strlen(buf);
	}
}

/* The subject of a message: 'path', or the owner when at its root. */
static void subject(char *buf, size_t size, const struct swalk *w)
{
	if (w->path[0])
		snprintf(buf, size, "'%s'", w->path);
	else if (w->owner[0])
		snprintf(buf, size, "%s", w->owner);
	else
		snprintf(buf, size, "the document");
}

static int type_error(const struct swalk *w, const struct ynode *n,
		      const struct sspec *sp)
{
	char subj[640], want[128];

	subject(subj, sizeof(subj), w);
	if (sp->type == ST_ONEOF)
		oneof_text(want, sizeof(want), sp);
	else
		snprintf(want, sizeof(want), "%s", type_text(sp));
	return norm_error(n, "%s must be %s, not %s", subj, want, kind_text(n));
}

static int value_error(const struct swalk *w, const struct ynode *n,
		       const char *expected)
{
	char subj[640];

	subject(subj, sizeof(subj), w);
	return norm_error(n, "invalid value '%s' for %s (expected %s)",
			  n->text ? n->text : "", subj, expected);
}

int schema_check_restart(const struct swalk *w, const struct ynode *n)
{
	static const char *const plain[] = {"no", "always", "on-failure",
					    "unless-stopped"};
	const char *s = n->text;
	long long v = 0;
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(s, plain[i]))
			return 0;
	if (!strncmp(s, "on-failure:", 11) && units_parse_int(s + 11, &v) &&
	    v >= 0)
		return 0;
	return value_error(w, n, "no, always, on-failure[:N], unless-stopped");
}

int schema_check_pull_policy(const struct swalk *w, const struct ynode *n)
{
	static const char *const ok[] = {"always",	   "never",   "build",
					 "if_not_present", "missing", "refresh",
					 "daily",	   "weekly"};
	const char *s = n->text;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(s, ok[i]))
			return 0;
	if (!strncmp(s, "every_", 6)) {
		long long ns = 0;

		if (units_parse_duration(s + 6, &ns) && ns > 0)
			return 0;
	}
	return value_error(w, n,
			   "always, never, build, if_not_present, missing, "
			   "refresh, daily, weekly, every_<duration>");
}

/* Walking */

static size_t path_push_key(struct swalk *w, size_t plen, const char *key)
{
	snprintf(w->path + plen, sizeof(w->path) - plen, "%s%s",
		 plen ? "." : "", key);
	return strlen(w->path);
}

static size_t path_push_index(struct swalk *w, size_t plen, size_t i)
{
	snprintf(w->path + plen, sizeof(w->path) - plen, "[%zu]", i);
	return strlen(w->path);
}

/* Replace the contents of n by those of repl (same mark), freeing repl. */
static void replace_node(struct ynode *n, struct ynode *repl)
{
	ynode_swap(n, repl);
	ynode_free(repl);
}

static bool is_ext_key(const char *key)
{
	return key[0] == 'x' && key[1] == '-';
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* Does sp take a node of n's kind at all (for choosing a oneOf branch)? */
static bool spec_takes_kind(const struct sspec *sp, const struct ynode *n)
{
	switch (sp->type) {
	case ST_ANY:
		return true;
	case ST_SCALAR:
		return ynode_is_scalar(n) && n->kind != YNODE_NULL;
	case ST_STR:
	case ST_DURATION:
		return n->kind == YNODE_STR;
	case ST_STRNUM:
		return n->kind == YNODE_STR || n->kind == YNODE_INT ||
		       n->kind == YNODE_FLOAT;
	case ST_INT:
	case ST_FLOAT:
	case ST_BYTES:
		return n->kind == YNODE_STR || n->kind == YNODE_INT ||
		       n->kind == YNODE_FLOAT;
	case ST_BOOL:
		return n->kind == YNODE_STR || n->kind == YNODE_BOOL;
	case ST_STR_OR_LIST:
	case ST_COMMAND:
		return n->kind == YNODE_STR || n->kind == YNODE_SEQ;
	case ST_LIST:
		return n->kind == YNODE_SEQ;
	case ST_MAP:
	case ST_DICT:
		return n->kind == YNODE_MAP;
	case ST_LIST_OR_DICT:
		return n->kind == YNODE_MAP || n->kind == YNODE_SEQ;
	case ST_ONEOF:
		break;
	}
	return false;
}

static int walk(struct swalk *w, struct ynode *n, const struct sspec *sp,
		size_t plen);

static int walk_scalar(struct swalk *w, struct ynode *n, const struct sspec *sp)
{
	long long iv = 0;
	double fv = 0;
	bool bv = false;
	char *s = NULL;
	char subj[640];

	if (!spec_takes_kind(sp, n))
		return type_error(w, n, sp);
	switch (sp->type) {
	case ST_STR:
		if (sp->enums) {
			const char *const *e;

			for (e = sp->enums; *e; e++)
				if (!strcmp(*e, n->text))
					break;
			if (!*e)
				return value_error(w, n, sp->expected);
		}
		break;
	case ST_STRNUM:
		if (w->coerce && n->kind != YNODE_STR) {
			s = units_scalar_text(n);
			ynode_set_str(n, s);
			free(s);
		}
		break;
	case ST_INT:
		if (n->kind == YNODE_FLOAT) {
			if (n->u.f != (double)(long long)n->u.f)
				return value_error(w, n, "an integer");
			if (w->coerce)
				replace_node(n, ynode_new_int((long long)n->u.f,
							      &n->mark));
		} else if (n->kind == YNODE_STR) {
			if (!units_parse_int(n->text, &iv))
				return value_error(w, n, "an integer");
			if (w->coerce)
				replace_node(n, ynode_new_int(iv, &n->mark));
		}
		break;
	case ST_FLOAT:
		if (n->kind == YNODE_STR && !units_parse_float(n->text, &fv))
			return value_error(w, n, "a number");
		if (w->coerce && n->kind == YNODE_INT)
			replace_node(n,
				     ynode_new_float((double)n->u.i, &n->mark));
		else if (w->coerce && n->kind == YNODE_STR)
			replace_node(n, ynode_new_float(fv, &n->mark));
		break;
	case ST_BOOL:
		if (n->kind == YNODE_STR) {
			if (!units_parse_bool(n->text, &bv))
				return value_error(w, n, "true or false");
			if (w->coerce)
				replace_node(n, ynode_new_bool(bv, &n->mark));
		}
		break;
	case ST_BYTES:
		if (n->kind == YNODE_STR && !units_parse_bytes(n->text, &iv)) {
			subject(subj, sizeof(subj), w);
			return norm_error(n, "invalid byte size '%s' for %s",
					  n->text, subj);
		}
		if (w->coerce && n->kind != YNODE_INT) {
			if (normalize_bytes(&iv, n) < 0)
				return MOOR_EINVAL;
			replace_node(n, ynode_new_int(iv, &n->mark));
		}
		break;
	case ST_DURATION:
		if (!units_parse_duration(n->text, &iv)) {
			subject(subj, sizeof(subj), w);
			return norm_error(n, "invalid duration '%s' for %s",
					  n->text, subj);
		}
		if (w->coerce) {
			s = normalize_format_duration(iv);
			ynode_set_str(n, s);
			free(s);
		}
		break;
	default:
		break;
	}
	return 0;
}

static int walk_list(struct swalk *w, struct ynode *n, const struct sspec *sub,
		     size_t plen)
{
	size_t i;
	int error;

	for (i = 0; i < n->u.seq.n; i++) {
		struct ynode *item = n->u.seq.items[i];
		size_t l = path_push_index(w, plen, i);

		if (item->kind == YNODE_NULL)
			return type_error(w, item, sub);
		if ((error = walk(w, item, sub, l)) < 0)
			return error;
		w->path[plen] = '\0';
	}
	return 0;
}

static const struct skey *find_key(const struct skey *keys, const char *name)
{
	for (; keys->name; keys++)
		if (!strcmp(keys->name, name))
			return keys;
	return NULL;
}

static int unknown_key(const struct swalk *w, const struct ypair *p)
{
	const struct ymark *m = &p->key_mark;

	if (w->path[0] && w->owner[0])
		return err_set_at(MOOR_EINVAL, m->file, m->line, m->col,
				  "unknown key '%s' in '%s' of %s", p->key,
				  w->path, w->owner);
	if (w->path[0])
		return err_set_at(MOOR_EINVAL, m->file, m->line, m->col,
				  "unknown key '%s' in '%s'", p->key, w->path);
	if (w->owner[0])
		return err_set_at(MOOR_EINVAL, m->file, m->line, m->col,
				  "unknown key '%s' in %s", p->key, w->owner);
	return err_set_at(MOOR_EINVAL, m->file, m->line, m->col,
			  "unknown top-level key '%s'", p->key);
}

static int walk_map(struct swalk *w, struct ynode *n, const struct sspec *sp,
		    size_t plen)
{
	const struct skey *k;
	size_t i;
	int error;

	for (i = 0; i < n->u.map.n; i++) {
		struct ypair *p = &n->u.map.items[i];
		const struct ymark *m = &p->key_mark;
		size_t l;

		if ((sp->flags & SF_EXT) && is_ext_key(p->key))
			continue;
		if (!(k = find_key(sp->keys, p->key)))
			return unknown_key(w, p);
		l = path_push_key(w, plen, p->key);
		if (k->flags & K_UNSUPPORTED)
			return err_set_at(MOOR_EINVAL, m->file, m->line, m->col,
					  "'%s' is not supported yet", w->path);
		if ((k->flags & K_OBSOLETE) && !w->coerce)
			log_warnx("%s:%u:%u: '%s' is obsolete and ignored",
				  m->file ? m->file : "", m->line, m->col,
				  w->path);
		if (p->value->kind != YNODE_NULL &&
		    (error = walk(w, p->value, k->spec, l)) < 0)
			return error;
		w->path[plen] = '\0';
	}
	for (k = sp->keys; k->name; k++) {
		char subj[640];

		if (!(k->flags & K_REQUIRED) || ynode_map_get(n, k->name))
			continue;
		subject(subj, sizeof(subj), w);
		return norm_error(n, "%s is missing '%s'", subj, k->name);
	}
	return 0;
}

static int walk_dict(struct swalk *w, struct ynode *n, const struct sspec *sp,
		     size_t plen)
{
	char saved_owner[sizeof(w->owner)];
	char saved_path[sizeof(w->path)];
	size_t i;
	int error;

	for (i = 0; i < n->u.map.n; i++) {
		struct ypair *p = &n->u.map.items[i];
		const struct ymark *m = &p->key_mark;

		if ((sp->flags & SF_NAME) && !valid_name(p->key))
			return err_set_at(
			    MOOR_EINVAL, m->file, m->line, m->col,
			    "invalid %s name '%s'",
			    sp->owner_kind ? sp->owner_kind : "key", p->key);
		if (p->value->kind == YNODE_NULL)
			continue;
		if (!sp->owner_kind) {
			size_t l = path_push_key(w, plen, p->key);

			if ((error = walk(w, p->value, sp->sub, l)) < 0)
				return error;
			w->path[plen] = '\0';
			continue;
		}
		memcpy(saved_owner, w->owner, sizeof(saved_owner));
		memcpy(saved_path, w->path, sizeof(saved_path));
		snprintf(w->owner, sizeof(w->owner), "%s '%s'", sp->owner_kind,
			 p->key);
		w->path[0] = '\0';
		error = walk(w, p->value, sp->sub, 0);
		memcpy(w->owner, saved_owner, sizeof(saved_owner));
		memcpy(w->path, saved_path, sizeof(saved_path));
		if (error < 0)
			return error;
	}
	return 0;
}

static int walk_list_or_dict(struct swalk *w, struct ynode *n, size_t plen)
{
	size_t i;

	if (n->kind == YNODE_SEQ)
		return walk_list(w, n, &s_str, plen);
	for (i = 0; i < n->u.map.n; i++) {
		struct ynode *v = n->u.map.items[i].value;

		if (!ynode_is_scalar(v)) {
			path_push_key(w, plen, n->u.map.items[i].key);
			return type_error(w, v, &s_scalar);
		}
	}
	return 0;
}

static int walk(struct swalk *w, struct ynode *n, const struct sspec *sp,
		size_t plen)
{
	const struct sspec *const *alt;

	switch (sp->type) {
	case ST_ANY:
		return 0;
	case ST_ONEOF:
		for (alt = sp->alts; *alt; alt++)
			if (spec_takes_kind(*alt, n))
				return walk(w, n, *alt, plen);
		return type_error(w, n, sp);
	case ST_STR_OR_LIST:
	case ST_COMMAND:
		if (!spec_takes_kind(sp, n) &&
		    !(sp->type == ST_COMMAND && n->kind == YNODE_NULL))
			return type_error(w, n, sp);
		if (n->kind == YNODE_SEQ)
			return walk_list(w, n, &s_str, plen);
		if (sp->type == ST_STR_OR_LIST && w->coerce &&
		    n->kind == YNODE_STR) {
			struct ynode *seq = ynode_new_seq(&n->mark);

			ynode_seq_push(seq, ynode_new_str(n->text, &n->mark));
			replace_node(n, seq);
		}
		return 0;
	case ST_LIST:
		if (n->kind != YNODE_SEQ)
			return type_error(w, n, sp);
		return walk_list(w, n, sp->sub, plen);
	case ST_MAP:
		if (n->kind != YNODE_MAP)
			return type_error(w, n, sp);
		return walk_map(w, n, sp, plen);
	case ST_DICT:
		if (n->kind != YNODE_MAP)
			return type_error(w, n, sp);
		return walk_dict(w, n, sp, plen);
	case ST_LIST_OR_DICT:
		if (!spec_takes_kind(sp, n))
			return type_error(w, n, sp);
		return walk_list_or_dict(w, n, plen);
	default:
		break;
	}
	if (!ynode_is_scalar(n) || n->kind == YNODE_NULL)
		return type_error(w, n, sp);
	if (walk_scalar(w, n, sp) < 0)
		return MOOR_EINVAL;
	if (sp->check && n->kind == YNODE_STR)
		return sp->check(w, n);
	return 0;
}

static int schema_walk(struct ynode *root, bool coerce)
{
	struct swalk *w = xcalloc(1, sizeof(*w));
	int error;

	w->coerce = coerce;
	if (root->kind != YNODE_MAP)
		error =
		    norm_error(root, "a compose file must be a mapping, not %s",
			       kind_text(root));
	else
		error = walk(w, root, &schema_document, 0);
	free(w);
	return error;
}

int schema_check(const struct ynode *root)
{
	/* The walk only writes when coercing. */
	return schema_walk((struct ynode *)root, false);
}

int schema_coerce(struct ynode *root)
{
	return schema_walk(root, true);
}

/*
 * merge_unicity.c - de-duplicating the sequences whose entries have a
 * unique key (compose-go's EnforceUnicity).
 *
 * A merge appends sequences; for ports, volumes, environment and the rest
 * of unicity_rules[] an entry is then a redefinition of an earlier one
 * with the same key. The later entry wins and takes the place of the
 * first, so `[A=1, B=2, A=3]` becomes `[A=3, B=2]`.
 */
#include "merge.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "merge_int.h"
#include "xalloc.h"

#include "banned.h"

enum unicity_key {
	KEY_VALUE,    /* "KEY=VALUE" or "KEY": KEY */
	KEY_VOLUME,   /* the mount target */
	KEY_DEVICE,   /* the device path in the container */
	KEY_SECRET,   /* target, else /run/secrets/<source> */
	KEY_CONFIG,   /* target, else /<source> */
	KEY_PORT,     /* host_ip:published:target/protocol, or the string */
	KEY_ENV_FILE, /* the path */
	KEY_EXPOSE,   /* the port as text */
};

static const struct {
	const char *pattern;
	enum unicity_key key;
} unicity_rules[] = {
    {"networks.*.labels", KEY_VALUE},
    {"networks.*.ipam.options", KEY_VALUE},
    {"services.*.annotations", KEY_VALUE},
    {"services.*.build.args", KEY_VALUE},
    {"services.*.build.additional_contexts", KEY_VALUE},
    {"services.*.build.platform", KEY_VALUE},
    {"services.*.build.tags", KEY_VALUE},
    {"services.*.build.labels", KEY_VALUE},
    {"services.*.cap_add", KEY_VALUE},
    {"services.*.cap_drop", KEY_VALUE},
    {"services.*.configs", KEY_CONFIG},
    {"services.*.deploy.labels", KEY_VALUE},
    {"services.*.devices", KEY_DEVICE},
    {"services.*.dns", KEY_VALUE},
    {"services.*.dns_opt", KEY_VALUE},
    {"services.*.dns_search", KEY_VALUE},
    {"services.*.environment", KEY_VALUE},
    {"services.*.env_file", KEY_ENV_FILE},
    {"services.*.expose", KEY_EXPOSE},
    {"services.*.labels", KEY_VALUE},
    {"services.*.links", KEY_VALUE},
    {"services.*.networks.*.aliases", KEY_VALUE},
    {"services.*.networks.*.link_local_ips", KEY_VALUE},
    {"services.*.ports", KEY_PORT},
    {"services.*.profiles", KEY_VALUE},
    {"services.*.secrets", KEY_SECRET},
    {"services.*.sysctls", KEY_VALUE},
    {"services.*.tmpfs", KEY_VALUE},
    {"services.*.volumes", KEY_VOLUME},
};

static int unicity_fail(const struct ynode *it, const struct mpath *p,
			const char *what)
{
	char *where = mpath_string(p);
	int error;

	error = err_set_at(MOOR_EINVAL, it->mark.file, it->mark.line,
			   it->mark.col, "%s in '%s'", what, where);
	free(where);
	return error;
}

/* The text of a scalar entry of a mapping, or NULL. */
static char *unicity_field(const struct ynode *map, const char *key)
{
	const struct ynode *v = ynode_map_get(map, key);

	return v && ynode_is_scalar(v) && v->kind != YNODE_NULL
		   ? merge_scalar_text(v)
		   : NULL;
}

/*
 * The target of a short volume ("src:dst[:mode]", or just "dst"), read as
 * Compose reads it: a one-letter part before ':' is a Windows drive
 * ("C:\data:/data"), and a spec of two characters or less is the target.
 */
static char *unicity_volume_target(const char *spec)
{
	size_t len = strlen(spec), start = 0, part = 0;
	size_t seg_start[2] = {0, 0}, seg_len[2] = {0, 0};

	if (len <= 2)
		return xstrdup(spec);
	for (size_t i = 0; i <= len && part < 2; i++) {
		if (i < len && spec[i] != ':')
			continue;
		if (i < len && i - start == 1 &&
		    isalpha((unsigned char)spec[start]))
			continue;
		seg_start[part] = start;
		seg_len[part] = i - start;
		part++;
		start = i + 1;
	}
	if (part < 2)
		return xstrdup(spec);
	return xstrndup(spec + seg_start[1], seg_len[1]);
}

/* NULL in *out: the entry has no key and is kept as it is. */
static int unicity_key_of(char **out, enum unicity_key kind,
			  const struct ynode *it, const struct mpath *p)
{
	char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

	*out = NULL;
	switch (kind) {
	case KEY_VALUE:
		if (!ynode_is_scalar(it))
			return unicity_fail(it, p,
					    "unexpected mapping or list");
		a = merge_scalar_text(it);
		a[strcspn(a, "=")] = '\0';
		*out = a;
		return 0;
	case KEY_VOLUME:
	case KEY_DEVICE:
		if (it->kind == YNODE_MAP) {
			const struct ynode *t = ynode_map_get(it, "target");

			if (!t || t->kind != YNODE_STR)
				return unicity_fail(it, p,
						    "missing mount target");
			*out = xstrdup(t->text);
		} else if (it->kind == YNODE_STR) {
			if (kind == KEY_VOLUME) {
				*out = unicity_volume_target(it->text);
			} else {
				const char *colon = strchr(it->text, ':');

				*out = colon ? xstrndup(colon + 1,
							strcspn(colon + 1, ":"))
					     : xstrdup(it->text);
			}
		}
		return 0;
	case KEY_SECRET:
	case KEY_CONFIG:
		if (it->kind == YNODE_MAP) {
			if ((a = unicity_field(it, "target"))) {
				*out = a;
				return 0;
			}
			a = unicity_field(it, "source");
		} else if (ynode_is_scalar(it)) {
			a = merge_scalar_text(it);
		} else {
			return unicity_fail(it, p, "unexpected list");
		}
		*out =
		    xasprintf("%s/%s", kind == KEY_SECRET ? "/run/secrets" : "",
			      a ? a : "");
		free(a);
		return 0;
	case KEY_PORT:
		if (it->kind == YNODE_INT || it->kind == YNODE_STR) {
			*out = merge_scalar_text(it);
		} else if (it->kind == YNODE_MAP) {
			if (!(c = unicity_field(it, "target")))
				return unicity_fail(it, p,
						    "port is missing a target");
			a = unicity_field(it, "host_ip");
			b = unicity_field(it, "published");
			d = unicity_field(it, "protocol");
			*out = xasprintf("%s:%s:%s/%s", a ? a : "0.0.0.0",
					 b ? b : "", c, d ? d : "tcp");
			free(a);
			free(b);
			free(c);
			free(d);
		}
		return 0;
	case KEY_ENV_FILE:
		if (it->kind == YNODE_MAP) {
			if (!(*out = unicity_field(it, "path")))
				return unicity_fail(it, p,
						    "env_file entry is missing "
						    "a path");
		} else if (it->kind == YNODE_STR) {
			*out = xstrdup(it->text);
		}
		return 0;
	case KEY_EXPOSE:
		if (it->kind != YNODE_STR && it->kind != YNODE_INT)
			return unicity_fail(it, p, "unsupported expose value");
		*out = merge_scalar_text(it);
		return 0;
	}
	return 0;
}

static uint64_t unicity_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int unicity_seq(struct mpath *p, struct ynode *seq,
		       enum unicity_key kind)
{
	size_t n = ynode_len(seq), kept = 0, size = 16;
	char **keys = NULL;
	size_t *winner = NULL, *table = NULL, *slot_of = NULL;
	struct ynode *out = NULL;
	int error = -1;

	if (n == 0)
		return 0;
	keys = xcalloc(n, sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		if ((error = unicity_key_of(&keys[i], kind, seq->u.seq.items[i],
					    p)) < 0)
			goto cleanup;
	while (size < 2 * n)
		size *= 2;
	/* table: open addressing from key to its place in winner[] + 1. */
	table = xcalloc(size, sizeof(*table));
	winner = xcalloc(n, sizeof(*winner));
	slot_of = xcalloc(n, sizeof(*slot_of));
	for (size_t i = 0; i < n; i++) {
		size_t h;

		if (!keys[i]) {
			winner[kept++] = i;
			continue;
		}
		h = unicity_hash(keys[i]) & (size - 1);
		while (table[h] &&
		       strcmp(keys[slot_of[table[h] - 1]], keys[i]) != 0)
			h = (h + 1) & (size - 1);
		if (table[h]) {
			winner[table[h] - 1] = i;
			continue;
		}
		slot_of[kept] = i;
		winner[kept++] = i;
		table[h] = kept;
	}
	error = 0;
	if (kept == n)
		goto cleanup;
	out = ynode_new_seq(&seq->mark);
	out->flags = seq->flags;
	for (size_t j = 0; j < kept; j++)
		ynode_seq_push(out, merge_steal(seq->u.seq.items[winner[j]]));
	merge_assign(seq, out);
cleanup:
	for (size_t i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
	free(table);
	free(winner);
	free(slot_of);
	return error;
}

int merge_unicity_at(struct mpath *p, struct ynode *n)
{
	int error;

	if (n->kind == YNODE_SEQ) {
		for (size_t i = 0;
		     i < sizeof(unicity_rules) / sizeof(unicity_rules[0]); i++)
			if (mpath_matches(p, unicity_rules[i].pattern))
				return unicity_seq(p, n, unicity_rules[i].key);
		return 0;
	}
	if (n->kind != YNODE_MAP)
		return 0;
	for (size_t i = 0; i < ynode_len(n); i++) {
		struct ypair *pr = &n->u.map.items[i];

		if ((error = mpath_push(p, pr->key)) < 0)
			return error;
		error = merge_unicity_at(p, pr->value);
		mpath_pop(p);
		if (error < 0)
			return error;
	}
	return 0;
}

int merge_unicity(struct ynode *root)
{
	struct mpath p = MPATH_INIT;

	if (!root)
		return 0;
	return merge_unicity_at(&p, root);
}

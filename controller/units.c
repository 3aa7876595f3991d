/*
 * units.c - the unit registry, mooring/units.yaml (see units.h).
 *
 * The file is read through the source (so later from a commit's tree),
 * checked whole, and every problem is logged with file:line:col as it is
 * found; units_load() then fails with "N errors in 'mooring/units.yaml'".
 */
#include "units.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "diag.h"
#include "err.h"
#include "log.h"
#include "path.h"
#include "xalloc.h"

#include "banned.h"

static const char *const units_risk_tiers[] = {
    "critical",
    "high",
    "standard",
    "low",
};

/* The registry is a short file; hostile input stays cheap. */
static const struct ylimits units_limits = {
    .max_file_size = 4u << 20,
    .max_depth = 16,
    .max_alias_nodes = 100000,
    .max_nodes = 200000,
    .max_scalar_size = 64u << 10,
};

struct units_parse {
	struct diag diag;
};

bool unit_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > UNIT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '-')))
			return false;
	}
	return true;
}

/* A string value, or NULL (reported) when v is not a non-empty scalar. */
static char *units_string(struct units_parse *p, const struct ynode *v,
			  const char *key, const char *label)
{
	if (v->kind == YNODE_NULL || v->kind == YNODE_BOOL ||
	    !ynode_is_scalar(v)) {
		diag_error(&p->diag, &v->mark,
			   "'%s' of %s must be a string, not a %s", key, label,
			   ynode_kind_name(v->kind));
		return NULL;
	}
	if (!v->text[0]) {
		diag_error(&p->diag, &v->mark, "'%s' of %s is empty", key,
			   label);
		return NULL;
	}
	return xstrdup(v->text);
}

/* A list of strings; *n 0 and NULL (reported) when it is not one. */
static char **units_strings(struct units_parse *p, size_t *n,
			    const struct ynode *v, const char *key,
			    const char *label)
{
	char **list = NULL;
	size_t count = 0;
	bool bad = false;

	*n = 0;
	if (v->kind != YNODE_SEQ) {
		diag_error(&p->diag, &v->mark,
			   "'%s' of %s must be a list, not a %s", key, label,
			   ynode_kind_name(v->kind));
		return NULL;
	}
	if (v->u.seq.n == 0) {
		diag_error(&p->diag, &v->mark, "'%s' of %s is an empty list",
			   key, label);
		return NULL;
	}
	list = xcalloc(v->u.seq.n, sizeof(*list));
	for (size_t i = 0; i < v->u.seq.n; i++) {
		char *s = units_string(p, v->u.seq.items[i], key, label);

		if (s)
			list[count++] = s;
		else
			bad = true;
	}
	if (bad) {
		for (size_t i = 0; i < count; i++)
			free(list[i]);
		free(list);
		return NULL;
	}
	*n = count;
	return list;
}

/* Does rel, taken from dir (both inside the repository), stay inside? */
static bool units_inside(const char *dir, const char *rel)
{
	char *joined, *clean;
	bool ok;

	if (path_is_abs(rel))
		return false;
	joined = dir ? path_join(dir, rel) : xstrdup(rel);
	clean = path_clean(joined);
	ok = strcmp(clean, "..") && strncmp(clean, "../", 3);
	free(clean);
	free(joined);
	return ok;
}

static void units_parse_name(struct units_parse *p, struct unit *u,
			     const struct ynode *item, const char *label)
{
	const struct ynode *v = ynode_map_get(item, "name");

	if (!v) {
		diag_error(&p->diag, &item->mark, "%s has no 'name'", label);
		return;
	}
	u->name = units_string(p, v, "name", label);
	if (u->name && !unit_name_valid(u->name)) {
		diag_error(&p->diag, &v->mark,
			   "invalid unit name '%s' (expected "
			   "[a-z0-9][a-z0-9_-]*, at most %d characters)",
			   u->name, UNIT_NAME_MAX);
		free(u->name);
		u->name = NULL;
	}
}

/* Check that a file named relative to the unit's path stays inside. */
static void units_check_file(struct units_parse *p, const struct unit *u,
			     const struct ynode *v, const char *file,
			     const char *key, const char *label)
{
	if (u->path && !units_inside(u->path, file))
		diag_error(&p->diag, &v->mark,
			   "'%s' of %s is outside the repository: '%s'", key,
			   label, file);
	else if (!u->path && path_is_abs(file))
		diag_error(&p->diag, &v->mark,
			   "'%s' of %s must be relative: '%s'", key, label,
			   file);
}

static void units_parse_on_drift(struct units_parse *p, struct unit *u,
				 const struct ynode *v, const char *label)
{
	char *s = units_string(p, v, "on_drift", label);

	if (!s)
		return;
	if (!strcmp(s, "report"))
		u->on_drift = UNIT_ON_DRIFT_REPORT;
	else if (!strcmp(s, "revert"))
		u->on_drift = UNIT_ON_DRIFT_REVERT;
	else
		diag_error(&p->diag, &v->mark,
			   "invalid on_drift '%s' in %s (expected report or "
			   "revert)",
			   s, label);
	free(s);
}

static void units_parse_key(struct units_parse *p, struct unit *u,
			    const struct ypair *kv, const char *label)
{
	const struct ynode *v = kv->value;
	const char *k = kv->key;
	char **slot = NULL;

	if (!strcmp(k, "name") || !strncmp(k, "x-", 2))
		return;
	if (!strcmp(k, "path")) {
		char *s = units_string(p, v, k, label);

		if (s && !units_inside(NULL, s))
			diag_error(&p->diag, &v->mark,
				   "'path' of %s is outside the repository: "
				   "'%s'",
				   label, s);
		else if (s)
			u->path = path_clean(s);
		free(s);
		return;
	}
	if (!strcmp(k, "files")) {
		u->files = units_strings(p, &u->nfiles, v, k, label);
		for (size_t i = 0; i < u->nfiles; i++)
			units_check_file(p, u, v->u.seq.items[i], u->files[i],
					 k, label);
		return;
	}
	if (!strcmp(k, "hosts")) {
		u->hosts = units_strings(p, &u->nhosts, v, k, label);
		return;
	}
	if (!strcmp(k, "on_drift")) {
		units_parse_on_drift(p, u, v, label);
		return;
	}
	if (!strcmp(k, "env_file"))
		slot = &u->env_file;
	else if (!strcmp(k, "project"))
		slot = &u->project;
	else if (!strcmp(k, "owner"))
		slot = &u->owner;
	else if (!strcmp(k, "environment"))
		slot = &u->environment;
	else if (!strcmp(k, "risk_tier"))
		slot = &u->risk_tier;
	if (!slot) {
		diag_error(&p->diag, &kv->key_mark, "unknown key '%s' in %s", k,
			   label);
		return;
	}
	*slot = units_string(p, v, k, label);
	if (!*slot)
		return;
	if (slot == &u->env_file) {
		units_check_file(p, u, v, u->env_file, k, label);
	} else if (slot == &u->project) {
		char *norm = compose_normalize_project_name(u->project);

		if (!norm || strcmp(norm, u->project))
			diag_error(&p->diag, &v->mark,
				   "invalid project name '%s' in %s (expected "
				   "[a-z0-9][a-z0-9_-]*)",
				   u->project, label);
		free(norm);
	} else if (slot == &u->risk_tier) {
		size_t n =
		    sizeof(units_risk_tiers) / sizeof(units_risk_tiers[0]);
		size_t i;

		for (i = 0; i < n && strcmp(u->risk_tier, units_risk_tiers[i]);
		     i++)
			;
		if (i == n)
			diag_error(&p->diag, &v->mark,
				   "invalid risk_tier '%s' in %s (expected "
				   "critical, high, standard or low)",
				   u->risk_tier, label);
	}
}

static void units_parse_item(struct units_parse *p, struct unit *u,
			     const struct ynode *item, size_t index)
{
	char label[96];

	u->mark = item->mark;
	if (item->kind != YNODE_MAP) {
		diag_error(&p->diag, &item->mark,
			   "unit #%zu must be a mapping, not a %s", index + 1,
			   ynode_kind_name(item->kind));
		return;
	}
	snprintf(label, sizeof(label), "unit #%zu", index + 1);
	units_parse_name(p, u, item, label);
	if (u->name)
		snprintf(label, sizeof(label), "unit '%s'", u->name);
	/* path first: the files are checked against it. */
	if (ynode_map_pair(item, "path"))
		units_parse_key(p, u, ynode_map_pair(item, "path"), label);
	else
		diag_error(&p->diag, &item->mark, "%s has no 'path'", label);
	for (size_t i = 0; i < item->u.map.n; i++)
		if (strcmp(item->u.map.items[i].key, "path"))
			units_parse_key(p, u, &item->u.map.items[i], label);
	if (!u->files && !ynode_map_get(item, "files")) {
		u->files = xcalloc(1, sizeof(*u->files));
		u->files[0] = xstrdup("compose.yaml");
		u->nfiles = 1;
	}
	if (!u->project && u->name && !ynode_map_get(item, "project"))
		u->project = xstrdup(u->name);
	if (!u->risk_tier && !ynode_map_get(item, "risk_tier"))
		u->risk_tier = xstrdup("standard");
}

static void units_check_unique(struct units_parse *p, const struct units *all)
{
	for (size_t i = 1; i < all->n; i++) {
		const struct unit *u = &all->items[i];

		for (size_t j = 0; j < i; j++) {
			const struct unit *v = &all->items[j];
			const struct ymark *m = &v->mark;

			if (u->name && v->name && !strcmp(u->name, v->name)) {
				diag_error(&p->diag, &u->mark,
					   "duplicate unit '%s' (first "
					   "defined at %s:%u:%u)",
					   u->name,
					   m->file ? m->file : p->diag.file,
					   m->line, m->col);
				break;
			}
			/* Two units on one project would fight over its
			 * containers. */
			if (u->project && v->project &&
			    !strcmp(u->project, v->project)) {
				diag_error(&p->diag, &u->mark,
					   "project '%s' of unit '%s' is "
					   "also the project of unit '%s' "
					   "(at %s:%u:%u)",
					   u->project, u->name ? u->name : "?",
					   v->name ? v->name : "?",
					   m->file ? m->file : p->diag.file,
					   m->line, m->col);
				break;
			}
		}
	}
}

static void units_parse_root(struct units_parse *p, struct units *all,
			     const struct ynode *root)
{
	const struct ynode *seq;

	if (root->kind != YNODE_MAP) {
		diag_error(&p->diag, &root->mark,
			   "the top level must be a mapping with 'units', "
			   "not a %s",
			   ynode_kind_name(root->kind));
		return;
	}
	for (size_t i = 0; i < root->u.map.n; i++) {
		const struct ypair *kv = &root->u.map.items[i];

		if (strcmp(kv->key, "units") && strncmp(kv->key, "x-", 2))
			diag_error(&p->diag, &kv->key_mark, "unknown key '%s'",
				   kv->key);
	}
	seq = ynode_map_get(root, "units");
	if (!seq) {
		diag_error(&p->diag, &root->mark, "missing 'units'");
		return;
	}
	if (seq->kind != YNODE_SEQ) {
		diag_error(&p->diag, &seq->mark,
			   "'units' must be a list, not a %s",
			   ynode_kind_name(seq->kind));
		return;
	}
	all->items =
	    xcalloc(seq->u.seq.n ? seq->u.seq.n : 1, sizeof(*all->items));
	all->n = seq->u.seq.n;
	for (size_t i = 0; i < seq->u.seq.n; i++)
		units_parse_item(p, &all->items[i], seq->u.seq.items[i], i);
	units_check_unique(p, all);
}

int units_load(struct units *out, struct source *src)
{
	struct units all = {NULL, 0};
	struct units_parse p = {{UNITS_FILE, 0}};
	struct buf data = BUF_INIT(units_limits.max_file_size);
	struct ynode *root = NULL;
	int error = -1;

	if ((error = source_read(src, UNITS_FILE, &data)) < 0)
		goto cleanup;
	error = ynode_load_buffer(&root, buf_cstr(&data), data.len, UNITS_FILE,
				  &units_limits);
	if (error < 0)
		goto cleanup;
	units_parse_root(&p, &all, root);
	if ((error = diag_finish(&p.diag, UNITS_FILE)) < 0)
		goto cleanup;
	*out = all;
	all.items = NULL;
	all.n = 0;
	error = 0;
cleanup:
	units_release(&all);
	ynode_free(root);
	buf_release(&data);
	return error;
}

static void units_free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void units_release(struct units *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++) {
		struct unit *x = &u->items[i];

		free(x->name);
		free(x->path);
		units_free_list(x->files, x->nfiles);
		free(x->env_file);
		free(x->project);
		free(x->owner);
		free(x->environment);
		free(x->risk_tier);
		units_free_list(x->hosts, x->nhosts);
	}
	free(u->items);
	u->items = NULL;
	u->n = 0;
}

struct unit *units_find(const struct units *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->items[i].name && !strcmp(u->items[i].name, name))
			return &u->items[i];
	return NULL;
}

bool unit_on_host(const struct unit *u, const char *host)
{
	if (u->nhosts == 0)
		return true;
	for (size_t i = 0; host && i < u->nhosts; i++)
		if (!strcmp(u->hosts[i], host))
			return true;
	return false;
}

/*
 * policy.c - parsing policy files (policy.h) into a struct policy; which
 * files, in which order, is policy_files.c's.
 *
 * Each list a file may hold is described once in policy_sections[], and
 * each key of its entries once in a table (as config.c's options): name,
 * type, whether it is required, where it lands in the entry. Parsing,
 * checking and freeing walk those tables. Entries of every file are
 * appended in file order, repo files first, so that the first match of
 * the ordered lists is the repo's when it has one.
 *
 * Every problem of every file is logged with file:line:col as it is
 * found, and the load fails with "N errors in 'policies'". The queries
 * are in policy_match.c.
 */
#include "policy.h"
#include "policy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "err.h"
#include "units.h"
#include "xalloc.h"

#include "banned.h"

#define POLICY_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const policy_classes[] = {
    "unauthorized",
    "emergency",
    "controller_owned",
    "dependency",
    "failed_reconciliation",
    "policy",
    "unmanaged",
    "missing",
    NULL,
};
static const char *const policy_domains[] = {
    "image",   "identity", "network",  "capacity", "secret",
    "storage", "runtime",  "metadata", NULL,
};
static const char *const policy_tiers[] = {
    "critical", "high", "standard", "low", NULL,
};
static const char *const policy_check_names[] = {
    "mutable_tag", "privileged", "docker_socket", "host_network", NULL,
};
static const char *const policy_heal_modes[] = {"off", "report", "revert",
						NULL};
static const char *const policy_check_modes[] = {"report", "off", NULL};

enum policy_type {
	POLICY_STRING,	 /* char *, a non-empty scalar */
	POLICY_UNIT,	 /* char *, a unit name (unit_name_valid) */
	POLICY_PATTERN,	 /* char *, a path pattern */
	POLICY_PATTERNS, /* char **, a list of path patterns */
	POLICY_NAMES,	 /* char **, a list of strings */
	POLICY_WORD,	 /* char *, one of values */
	POLICY_WORDS,	 /* char **, one of values or a list of them */
	POLICY_MODE,	 /* enum policy_mode, one of values */
	POLICY_TIME,	 /* time_t, policy_parse_time() */
	POLICY_DURATION, /* long long ms > 0, policy_parse_duration() */
	POLICY_INT,	 /* int, 1 to 1000 */
	POLICY_BOOL,	 /* bool */
};

struct policy_key {
	const char *name;
	enum policy_type type;
	bool required;
	size_t offset;		   /* of the value in the entry */
	size_t count_offset;	   /* lists: of the size_t count */
	const char *const *values; /* WORD(S), MODE: the words allowed */
	const char *what;	   /* WORD(S): what a word is, for messages */
};

#define POLICY_KEY(s, name, type, req, field)                                  \
	{                                                                      \
		name, type, req, offsetof(struct s, field), 0, NULL, NULL      \
	}
#define POLICY_LIST(s, name, type, field, count)                               \
	{                                                                      \
		name, type, false, offsetof(struct s, field),                  \
		    offsetof(struct s, count), NULL, NULL                      \
	}
#define POLICY_ONE_OF(s, name, type, req, field, values, what)                 \
	{                                                                      \
		name, type, req, offsetof(struct s, field), 0, values, what    \
	}
#define POLICY_SOME_OF(s, name, field, count, values, what)                    \
	{                                                                      \
		name, POLICY_WORDS, false, offsetof(struct s, field),          \
		    offsetof(struct s, count), values, what                    \
	}

static const struct policy_key policy_ownership_keys[] = {
    POLICY_KEY(policy_ownership, "path", POLICY_PATTERN, true, path),
    POLICY_KEY(policy_ownership, "unit", POLICY_STRING, false, unit),
    POLICY_KEY(policy_ownership, "service", POLICY_STRING, false, service),
    POLICY_KEY(policy_ownership, "owner", POLICY_STRING, true, owner),
    POLICY_KEY(policy_ownership, "reason", POLICY_STRING, true, reason),
    POLICY_KEY(policy_ownership, "expires", POLICY_TIME, false, expires),
    {NULL, POLICY_STRING, false, 0, 0, NULL, NULL},
};

static const struct policy_key policy_domain_keys[] = {
    POLICY_KEY(policy_domain, "path", POLICY_PATTERN, true, path),
    POLICY_ONE_OF(policy_domain, "domain", POLICY_WORD, true, domain,
		  policy_domains, "domain"),
    {NULL, POLICY_STRING, false, 0, 0, NULL, NULL},
};

static const struct policy_key policy_exception_keys[] = {
    POLICY_KEY(policy_exception, "incident", POLICY_STRING, true, incident),
    POLICY_KEY(policy_exception, "unit", POLICY_UNIT, true, unit),
    POLICY_LIST(policy_exception, "services", POLICY_NAMES, services,
		nservices),
    POLICY_LIST(policy_exception, "fields", POLICY_PATTERNS, fields, nfields),
    POLICY_KEY(policy_exception, "expires", POLICY_TIME, true, expires),
    POLICY_KEY(policy_exception, "reason", POLICY_STRING, false, reason),
    {NULL, POLICY_STRING, false, 0, 0, NULL, NULL},
};

static const struct policy_key policy_auto_heal_keys[] = {
    POLICY_SOME_OF(policy_auto_heal, "class", classes, nclasses, policy_classes,
		   "class"),
    POLICY_SOME_OF(policy_auto_heal, "domain", domains, ndomains,
		   policy_domains, "domain"),
    POLICY_SOME_OF(policy_auto_heal, "tier", tiers, ntiers, policy_tiers,
		   "tier"),
    POLICY_KEY(policy_auto_heal, "unit", POLICY_STRING, false, unit),
    POLICY_ONE_OF(policy_auto_heal, "mode", POLICY_MODE, true, mode,
		  policy_heal_modes, "mode"),
    POLICY_LIST(policy_auto_heal, "allow_paths", POLICY_PATTERNS, allow_paths,
		nallow),
    POLICY_LIST(policy_auto_heal, "deny_paths", POLICY_PATTERNS, deny_paths,
		ndeny),
    POLICY_KEY(policy_auto_heal, "max_objects", POLICY_INT, false, max_objects),
    POLICY_KEY(policy_auto_heal, "require_healthy", POLICY_BOOL, false,
	       require_healthy),
    {NULL, POLICY_STRING, false, 0, 0, NULL, NULL},
};

static const struct policy_key policy_budget_keys[] = {
    POLICY_ONE_OF(policy_budget, "domain", POLICY_WORD, false, domain,
		  policy_domains, "domain"),
    POLICY_ONE_OF(policy_budget, "class", POLICY_WORD, false, klass,
		  policy_classes, "class"),
    POLICY_KEY(policy_budget, "max_age", POLICY_DURATION, true, max_age_ms),
    {NULL, POLICY_STRING, false, 0, 0, NULL, NULL},
};

static const struct policy_key policy_check_keys[] = {
    POLICY_ONE_OF(policy_check, "check", POLICY_WORD, true, check,
		  policy_check_names, "check"),
    POLICY_KEY(policy_check, "unit", POLICY_STRING, false, unit),
    POLICY_KEY(policy_check, "service", POLICY_STRING, false, service),
    POLICY_ONE_OF(policy_check, "mode", POLICY_MODE, false, mode,
		  policy_check_modes, "mode"),
    POLICY_KEY(policy_check, "reason", POLICY_STRING, false, reason),
    {NULL, POLICY_STRING, false, 0, 0, NULL, NULL},
};

/* `flapping` is one mapping, parsed with the same machinery. */
struct policy_flapping {
	int max_reverts;
	long long window_ms;
};

static const struct policy_key policy_flapping_keys[] = {
    POLICY_KEY(policy_flapping, "max_reverts", POLICY_INT, false, max_reverts),
    POLICY_KEY(policy_flapping, "window", POLICY_DURATION, false, window_ms),
    {NULL, POLICY_STRING, false, 0, 0, NULL, NULL},
};

struct policy_parse {
	struct diag diag;
	struct policy *pol;
	bool flapping_set;
};

/* Defaults an entry has before its keys are read. */
static void policy_ownership_init(void *entry)
{
	struct policy_ownership *o = entry;

	o->unit = xstrdup("*");
	o->service = xstrdup("*");
}

static void policy_exception_init(void *entry)
{
	((struct policy_exception *)entry)->origin = "repo";
}

static void policy_auto_heal_init(void *entry)
{
	struct policy_auto_heal *r = entry;

	r->max_objects = 5;
	r->require_healthy = true;
}

static void policy_check_init(void *entry)
{
	struct policy_check *c = entry;

	c->unit = xstrdup("*");
	c->service = xstrdup("*");
	c->mode = POLICY_MODE_REPORT;
}

static void policy_ownership_check(struct policy_parse *p, void *entry,
				   const struct ynode *item, const char *label);
static void policy_domain_check(struct policy_parse *p, void *entry,
				const struct ynode *item, const char *label);

/* A top-level list and where its entries land in struct policy. */
static const struct policy_section {
	const char *name;
	const char *label; /* "ownership rule" #N */
	const struct policy_key *keys;
	size_t size;
	size_t list_offset, count_offset, mark_offset;
	void (*init)(void *entry);
	void (*check)(struct policy_parse *p, void *entry,
		      const struct ynode *item, const char *label);
} policy_sections[] = {
    {"ownership", "ownership rule", policy_ownership_keys,
     sizeof(struct policy_ownership), offsetof(struct policy, ownership),
     offsetof(struct policy, nownership),
     offsetof(struct policy_ownership, mark), policy_ownership_init,
     policy_ownership_check},
    {"domains", "domain rule", policy_domain_keys, sizeof(struct policy_domain),
     offsetof(struct policy, domains), offsetof(struct policy, ndomains),
     offsetof(struct policy_domain, mark), NULL, policy_domain_check},
    {"exceptions", "exception", policy_exception_keys,
     sizeof(struct policy_exception), offsetof(struct policy, exceptions),
     offsetof(struct policy, nexceptions),
     offsetof(struct policy_exception, mark), policy_exception_init, NULL},
    {"auto_heal", "auto_heal rule", policy_auto_heal_keys,
     sizeof(struct policy_auto_heal), offsetof(struct policy, auto_heal),
     offsetof(struct policy, nauto_heal),
     offsetof(struct policy_auto_heal, mark), policy_auto_heal_init, NULL},
    {"budgets", "budget", policy_budget_keys, sizeof(struct policy_budget),
     offsetof(struct policy, budgets), offsetof(struct policy, nbudgets),
     offsetof(struct policy_budget, mark), NULL, NULL},
    {"checks", "check", policy_check_keys, sizeof(struct policy_check),
     offsetof(struct policy, checks), offsetof(struct policy, nchecks),
     offsetof(struct policy_check, mark), policy_check_init, NULL},
};

static void *policy_slot(void *entry, size_t offset)
{
	return (char *)entry + offset;
}

/* ---- values ---------------------------------------------------------- */

/* A string value, or NULL (reported) when v is not a non-empty scalar. */
static char *policy_string(struct policy_parse *p, const struct ynode *v,
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

/* "a, b or c" for the words of a table. */
static char *policy_expected(const char *const *values)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);

	for (size_t i = 0; values[i]; i++)
		buf_printf(&b, "%s%s",
			   i == 0	    ? ""
			   : !values[i + 1] ? " or "
					    : ", ",
			   values[i]);
	return buf_detach(&b, NULL);
}

/* Is s one of the key's words? Reported when not. */
static bool policy_word_valid(struct policy_parse *p, const struct ynode *v,
			      const struct policy_key *k, const char *s,
			      const char *label)
{
	char *expected;

	for (size_t i = 0; k->values[i]; i++)
		if (!strcmp(k->values[i], s))
			return true;
	expected = policy_expected(k->values);
	diag_error(&p->diag, &v->mark, "invalid %s '%s' in %s (expected %s)",
		   k->what, s, label, expected);
	free(expected);
	return false;
}

/* One item of a list key, or the value of a single-valued one: a string,
 * checked as the key's type asks. NULL (reported) when it is not valid. */
static char *policy_item(struct policy_parse *p, const struct policy_key *k,
			 const struct ynode *v, const char *label)
{
	char *s = policy_string(p, v, k->name, label);
	const char *why;

	if (!s)
		return NULL;
	switch (k->type) {
	case POLICY_UNIT:
		if (unit_name_valid(s))
			return s;
		diag_error(&p->diag, &v->mark,
			   "invalid unit name '%s' in %s (one unit by its "
			   "name, not a glob)",
			   s, label);
		break;
	case POLICY_PATTERN:
	case POLICY_PATTERNS:
		if (!(why = policy_pattern_invalid(s)))
			return s;
		diag_error(&p->diag, &v->mark,
			   "invalid path pattern '%s' in %s: %s", s, label,
			   why);
		break;
	case POLICY_WORD:
	case POLICY_WORDS:
		if (policy_word_valid(p, v, k, s, label))
			return s;
		break;
	default:
		return s;
	}
	free(s);
	return NULL;
}

void policy_free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* A list of items (or, for WORDS, one item alone). */
static void policy_parse_list(struct policy_parse *p,
			      const struct policy_key *k, void *entry,
			      const struct ynode *v, const char *label)
{
	char ***slot = policy_slot(entry, k->offset);
	size_t *count = policy_slot(entry, k->count_offset);
	const struct ynode *const *items = (const struct ynode *const *)&v;
	size_t n = 1, good = 0;
	char **list;

	if (v->kind == YNODE_SEQ) {
		items = (const struct ynode *const *)v->u.seq.items;
		n = v->u.seq.n;
	} else if (k->type != POLICY_WORDS) {
		diag_error(&p->diag, &v->mark,
			   "'%s' of %s must be a list, not a %s", k->name,
			   label, ynode_kind_name(v->kind));
		return;
	}
	if (n == 0) {
		diag_error(&p->diag, &v->mark, "'%s' of %s is an empty list",
			   k->name, label);
		return;
	}
	list = xcalloc(n, sizeof(*list));
	for (size_t i = 0; i < n; i++) {
		char *s = policy_item(p, k, items[i], label);

		if (s)
			list[good++] = s;
	}
	policy_free_list(*slot, *count);
	*slot = list;
	*count = good;
}

static void policy_parse_value(struct policy_parse *p,
			       const struct policy_key *k, void *entry,
			       const struct ynode *v, const char *label)
{
	void *slot = policy_slot(entry, k->offset);
	char *s = NULL;

	switch (k->type) {
	case POLICY_PATTERNS:
	case POLICY_NAMES:
	case POLICY_WORDS:
		policy_parse_list(p, k, entry, v, label);
		return;
	case POLICY_INT:
		if (v->kind != YNODE_INT)
			diag_error(&p->diag, &v->mark,
				   "'%s' of %s must be an integer, not a %s",
				   k->name, label, ynode_kind_name(v->kind));
		else if (v->u.i < 1 || v->u.i > 1000)
			diag_error(&p->diag, &v->mark,
				   "'%s' of %s must be from 1 to 1000, not "
				   "%lld",
				   k->name, label, v->u.i);
		else
			*(int *)slot = (int)v->u.i;
		return;
	case POLICY_BOOL:
		if (v->kind != YNODE_BOOL)
			diag_error(&p->diag, &v->mark,
				   "'%s' of %s must be true or false, not a %s",
				   k->name, label, ynode_kind_name(v->kind));
		else
			*(bool *)slot = v->u.b;
		return;
	default:
		break;
	}
	if (!(s = policy_item(p, k, v, label)))
		return;
	if (k->type == POLICY_MODE) {
		if (policy_word_valid(p, v, k, s, label))
			*(enum policy_mode *)slot =
			    !strcmp(s, "off")	   ? POLICY_MODE_OFF
			    : !strcmp(s, "report") ? POLICY_MODE_REPORT
						   : POLICY_MODE_REVERT;
	} else if (k->type == POLICY_TIME) {
		time_t t = policy_parse_time(s);

		if (t < 0)
			diag_error(&p->diag, &v->mark,
				   "invalid time '%s' in %s (expected e.g. "
				   "2026-11-23T06:00:00Z or 2026-11-23)",
				   s, label);
		else /* 0 means "never"; 1970 itself is long gone anyway */
			*(time_t *)slot = t ? t : 1;
	} else if (k->type == POLICY_DURATION) {
		long long ms = policy_parse_duration(s);

		if (ms <= 0)
			diag_error(&p->diag, &v->mark,
				   "invalid duration '%s' in %s (expected e.g. "
				   "30s, 5m, 1h30m, 2d)",
				   s, label);
		else
			*(long long *)slot = ms;
	} else {
		char **str = slot;

		free(*str);
		*str = s;
		s = NULL;
	}
	free(s);
}

/* Every key of one entry (a mapping) through its table. */
static void policy_parse_entry(struct policy_parse *p,
			       const struct policy_key *keys, void *entry,
			       const struct ynode *item, const char *label)
{
	for (size_t i = 0; i < item->u.map.n; i++) {
		const struct ypair *kv = &item->u.map.items[i];
		const struct policy_key *k = keys;

		while (k->name && strcmp(k->name, kv->key))
			k++;
		if (!k->name)
			diag_error(&p->diag, &kv->key_mark,
				   "unknown key '%s' in %s", kv->key, label);
		else
			policy_parse_value(p, k, entry, kv->value, label);
	}
	for (const struct policy_key *k = keys; k->name; k++)
		if (k->required && !ynode_map_get(item, k->name))
			diag_error(&p->diag, &item->mark, "%s has no '%s'",
				   label, k->name);
}

/* A rule that takes fields away from git (ownership) or moves them to
 * another domain (and so another auto-heal rule) names the dangerous
 * ones by their key. */
static void policy_narrow_check(struct policy_parse *p, const char *path,
				const struct ynode *item, const char *label)
{
	const char *key;

	if (!path || !(key = policy_pattern_too_broad(path)))
		return;
	diag_error(&p->diag, &ynode_map_get(item, "path")->mark,
		   "%s is too broad: '%s' would cover '%s' without naming it "
		   "(name such a field by its key, as in '/services/*/%s')",
		   label, path, key, key);
}

static void policy_ownership_check(struct policy_parse *p, void *entry,
				   const struct ynode *item, const char *label)
{
	policy_narrow_check(p, ((const struct policy_ownership *)entry)->path,
			    item, label);
}

static void policy_domain_check(struct policy_parse *p, void *entry,
				const struct ynode *item, const char *label)
{
	policy_narrow_check(p, ((const struct policy_domain *)entry)->path,
			    item, label);
}

/* ---- files ----------------------------------------------------------- */

static void policy_parse_section(struct policy_parse *p,
				 const struct policy_section *sec,
				 const struct ynode *v)
{
	void **list = policy_slot(p->pol, sec->list_offset);
	size_t *count = policy_slot(p->pol, sec->count_offset);

	if (v->kind == YNODE_NULL)
		return;
	if (v->kind != YNODE_SEQ) {
		diag_error(&p->diag, &v->mark, "'%s' must be a list, not a %s",
			   sec->name, ynode_kind_name(v->kind));
		return;
	}
	if (!v->u.seq.n)
		return;
	*list = xreallocarray(*list, *count + v->u.seq.n, sec->size);
	for (size_t i = 0; i < v->u.seq.n; i++) {
		const struct ynode *item = v->u.seq.items[i];
		void *entry = (char *)*list + (*count)++ * sec->size;
		char label[64];

		memset(entry, 0, sec->size);
		*(struct ymark *)policy_slot(entry, sec->mark_offset) =
		    item->mark;
		if (sec->init)
			sec->init(entry);
		snprintf(label, sizeof(label), "%s #%zu", sec->label, i + 1);
		if (item->kind != YNODE_MAP) {
			diag_error(&p->diag, &item->mark,
				   "%s must be a mapping, not a %s", label,
				   ynode_kind_name(item->kind));
			continue;
		}
		policy_parse_entry(p, sec->keys, entry, item, label);
		if (sec->check)
			sec->check(p, entry, item, label);
	}
}

static void policy_parse_flapping(struct policy_parse *p, const struct ynode *v)
{
	struct policy_flapping f = {3, 3600 * 1000};

	if (v->kind != YNODE_MAP) {
		diag_error(&p->diag, &v->mark,
			   "'flapping' must be a mapping, not a %s",
			   ynode_kind_name(v->kind));
		return;
	}
	policy_parse_entry(p, policy_flapping_keys, &f, v, "'flapping'");
	/* The first file that sets it wins; later ones are still checked. */
	if (p->flapping_set)
		return;
	p->flapping_set = true;
	p->pol->flap_max_reverts = f.max_reverts;
	p->pol->flap_window_ms = f.window_ms;
}

static void policy_parse_root(struct policy_parse *p, const struct ynode *root)
{
	if (root->kind == YNODE_NULL)
		return;
	if (root->kind != YNODE_MAP) {
		diag_error(&p->diag, &root->mark,
			   "the top level must be a mapping, not a %s",
			   ynode_kind_name(root->kind));
		return;
	}
	for (size_t i = 0; i < root->u.map.n; i++) {
		const struct ypair *kv = &root->u.map.items[i];
		size_t s;

		for (s = 0; s < POLICY_NELEM(policy_sections) &&
			    strcmp(policy_sections[s].name, kv->key);
		     s++)
			;
		if (s < POLICY_NELEM(policy_sections))
			policy_parse_section(p, &policy_sections[s], kv->value);
		else if (!strcmp(kv->key, "flapping"))
			policy_parse_flapping(p, kv->value);
		else if (strncmp(kv->key, "x-", 2))
			diag_error(&p->diag, &kv->key_mark, "unknown key '%s'",
				   kv->key);
	}
}

/* The policy of the parsed files, in precedence order (policy_int.h). */
int policy_from_trees(struct policy *out, struct ynode *const *roots, size_t n)
{
	struct policy pol;
	struct policy_parse p;
	int error;

	memset(&pol, 0, sizeof(pol));
	memset(&p, 0, sizeof(p));
	pol.flap_max_reverts = 3;
	pol.flap_window_ms = 3600 * 1000;
	p.pol = &pol;
	for (size_t i = 0; i < n; i++) {
		p.diag.file = roots[i]->mark.file;
		policy_parse_root(&p, roots[i]);
	}
	if ((error = diag_finish(&p.diag, "policies")) < 0) {
		policy_release(&pol);
		return error;
	}
	*out = pol;
	return 0;
}

/* ---- ownership of the result ---------------------------------------- */

static void policy_release_entry(const struct policy_key *keys, void *entry)
{
	for (const struct policy_key *k = keys; k->name; k++) {
		void *slot = policy_slot(entry, k->offset);

		switch (k->type) {
		case POLICY_PATTERNS:
		case POLICY_NAMES:
		case POLICY_WORDS:
			policy_free_list(
			    *(char ***)slot,
			    *(size_t *)policy_slot(entry, k->count_offset));
			break;
		case POLICY_STRING:
		case POLICY_UNIT:
		case POLICY_PATTERN:
		case POLICY_WORD:
			free(*(char **)slot);
			break;
		default:
			break;
		}
	}
}

void policy_release(struct policy *p)
{
	if (!p)
		return;
	for (size_t s = 0; s < POLICY_NELEM(policy_sections); s++) {
		const struct policy_section *sec = &policy_sections[s];
		void **list = policy_slot(p, sec->list_offset);
		size_t *count = policy_slot(p, sec->count_offset);

		for (size_t i = 0; i < *count; i++)
			policy_release_entry(sec->keys,
					     (char *)*list + i * sec->size);
		free(*list);
	}
	memset(p, 0, sizeof(*p));
}

static char **policy_copy_list(char *const *list, size_t n)
{
	char **copy;

	if (!list)
		return NULL;
	copy = xcalloc(n ? n : 1, sizeof(*copy));
	for (size_t i = 0; i < n; i++)
		copy[i] = xstrdup(list[i]);
	return copy;
}

void policy_add_exception(struct policy *p, const struct policy_exception *e)
{
	struct policy_exception *x;

	p->exceptions = xreallocarray(p->exceptions, p->nexceptions + 1,
				      sizeof(*p->exceptions));
	x = &p->exceptions[p->nexceptions++];
	memset(x, 0, sizeof(*x));
	x->incident = xstrdup(e->incident);
	x->unit = xstrdup(e->unit);
	x->reason = e->reason ? xstrdup(e->reason) : NULL;
	x->services = policy_copy_list(e->services, e->nservices);
	x->nservices = e->services ? e->nservices : 0;
	x->fields = policy_copy_list(e->fields, e->nfields);
	x->nfields = e->fields ? e->nfields : 0;
	x->expires = e->expires;
	x->origin = e->origin && !strcmp(e->origin, "repo") ? "repo" : "cli";
	x->mark = e->mark;
}

/*
 * conf_model.c - the loaded-model categories of the conformance runner:
 *
 * full-example: compose-go's full example, loaded as its TestFullExample
 *   does (environment from env.json, HOME at a home directory, no default
 *   normalisation, build allowed, no consistency check) and compared with
 *   expected.json field by field: one pass or fail per top-level field of
 *   each service and each network, volume, secret and config, plus name
 *   and the top-level x-* keys.
 * samples: every samples/<name>/compose.yaml renders without error.
 *
 * Tolerances, each because our model is meant to differ from what
 * compose-go's JSON marshalling prints:
 *  - byte sizes (memory, size, shm_size, mem_*) and published ports are
 *    integers in our model where compose-go prints strings of digits;
 *  - a key compose-go prints as null, {} or [] (a Go zero value) may be
 *    absent from ours, and the other way round;
 *  - set-like lists (capabilities, dns, ports, volumes, ...) compare as
 *    multisets: order carries no meaning there;
 *  - x-* keys inside services and resources are not compared: compose-go's
 *    JSON leaves them out (they are compared at the top level);
 *  - the canonical model keeps one spelling of the limits Compose accepts
 *    twice: deploy.resources.limits.memory/cpus/pids and
 *    reservations.memory become mem_limit, cpus, pids_limit and
 *    mem_reservation (normalize.c); the expected services are folded the
 *    same way before comparing.
 */
#include "conformance.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "emit.h"
#include "err.h"
#include "path.h"
#include "xalloc.h"

#define CONF_HOME_DIR "/home/conformance"

static const char *const conf_integer_keys[] = {
    "memory",	       "size",		"shm_size",  "mem_limit",
    "mem_reservation", "memswap_limit", "published",
};

static const char *const conf_set_keys[] = {
    "cap_add",
    "cap_drop",
    "dns",
    "dns_search",
    "dns_opt",
    "expose",
    "external_links",
    "extra_hosts",
    "security_opt",
    "tmpfs",
    "links",
    "ports",
    "volumes",
    "devices",
    "device_cgroup_rules",
    "secrets",
    "configs",
    "group_add",
    "profiles",
    "cache_from",
    "cache_to",
    "tags",
    "platforms",
    "ssh",
    "aliases",
    "constraints",
    "preferences",
    "generic_resources",
    "label_file",
    "env_file",
    "annotations",
};

static bool conf_in(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; key && i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

#define CONF_IN(key, list) conf_in(key, list, sizeof(list) / sizeof(list[0]))

/* Replace every occurrence of the path tokens in the strings of j. */
static json_t *conf_subst(json_t *j, const char *workdir, const char *home)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
		{
			json_object_set_new(j, key,
					    conf_subst(v, workdir, home));
		}
		return json_incref(j);
	}
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
		{
			json_array_set_new(j, i, conf_subst(v, workdir, home));
		}
		return json_incref(j);
	}
	if (json_is_string(j)) {
		struct buf b = BUF_INIT(BUF_UNBOUNDED);
		const char *s = json_string_value(j);
		json_t *out;

		while (*s) {
			if (!strncmp(s, "${WORKING_DIR}", 14)) {
				buf_adds(&b, workdir);
				s += 14;
			} else if (!strncmp(s, "${HOME_DIR}", 11)) {
				buf_adds(&b, home);
				s += 11;
			} else {
				buf_addc(&b, *s++);
			}
		}
		out = json_string(buf_cstr(&b));
		buf_release(&b);
		return out;
	}
	return json_incref(j);
}

static void conf_fold_one(json_t *svc, json_t *resources, const char *section,
			  const char *key, const char *svc_key)
{
	json_t *sec = json_object_get(resources, section);
	json_t *v = sec ? json_object_get(sec, key) : NULL;

	if (!v || json_object_get(svc, svc_key))
		return;
	json_object_set(svc, svc_key, v);
	json_object_del(sec, key);
	if (json_object_size(sec) == 0)
		json_object_del(resources, section);
}

/* deploy.resources limits as the canonical model spells them. */
static void conf_fold_limits(json_t *services)
{
	const char *name;
	json_t *svc, *deploy, *res;

	json_object_foreach(services, name, svc)
	{
		deploy = json_object_get(svc, "deploy");
		res = deploy ? json_object_get(deploy, "resources") : NULL;
		if (!res)
			continue;
		conf_fold_one(svc, res, "limits", "memory", "mem_limit");
		conf_fold_one(svc, res, "limits", "cpus", "cpus");
		conf_fold_one(svc, res, "limits", "pids", "pids_limit");
		conf_fold_one(svc, res, "reservations", "memory",
			      "mem_reservation");
		if (json_object_size(res) == 0)
			json_object_del(deploy, "resources");
		if (json_object_size(deploy) == 0)
			json_object_del(svc, "deploy");
	}
}

/* What compose-go prints for an unset Go value. */
static bool conf_is_zero(const json_t *j)
{
	return !j || json_is_null(j) ||
	       (json_is_object(j) && json_object_size(j) == 0) ||
	       (json_is_array(j) && json_array_size(j) == 0);
}

static bool conf_equal(const char *key, const json_t *want, const json_t *got,
		       struct buf *where);

/* Reals printed and read back may differ in the last digit. */
static bool conf_close(double a, double b)
{
	double d = a > b ? a - b : b - a;
	double m = a < 0 ? -a : a;

	return d <= 1e-9 * (m > 1.0 ? m : 1.0);
}

static bool conf_equal_objects(const json_t *want, const json_t *got,
			       struct buf *where)
{
	const char *k;
	json_t *v;
	size_t len = where->len;

	json_object_foreach((json_t *)want, k, v)
	{
		buf_printf(where, "/%s", k);
		if (!conf_equal(k, v, json_object_get(got, k), where))
			return false;
		where->len = len;
		where->data[len] = '\0';
	}
	json_object_foreach((json_t *)got, k, v)
	{
		if (json_object_get(want, k))
			continue;
		buf_printf(where, "/%s", k);
		if (!conf_equal(k, NULL, v, where))
			return false;
		where->len = len;
		where->data[len] = '\0';
	}
	return true;
}

static bool conf_equal_multiset(const json_t *want, const json_t *got,
				struct buf *where)
{
	size_t n = json_array_size(want);
	bool *used = xcalloc(n ? n : 1, sizeof(*used));
	struct buf scratch = BUF_INIT(BUF_UNBOUNDED);
	bool ok = true;

	for (size_t i = 0; ok && i < json_array_size(want); i++) {
		bool found = false;

		for (size_t j = 0; j < json_array_size(got); j++) {
			if (used[j])
				continue;
			buf_reset(&scratch);
			if (conf_equal(NULL, json_array_get(want, i),
				       json_array_get(got, j), &scratch)) {
				used[j] = found = true;
				break;
			}
		}
		if (!found) {
			buf_printf(where, "/%zu (no match in the actual list)",
				   i);
			ok = false;
		}
	}
	buf_release(&scratch);
	free(used);
	return ok;
}

static bool conf_equal(const char *key, const json_t *want, const json_t *got,
		       struct buf *where)
{
	if (!want || !got)
		return conf_is_zero(want) && conf_is_zero(got);
	if (json_is_string(want) && json_is_integer(got) &&
	    CONF_IN(key, conf_integer_keys)) {
		char digits[32];

		snprintf(digits, sizeof(digits), "%lld",
			 (long long)json_integer_value(got));
		return strcmp(digits, json_string_value(want)) == 0;
	}
	if (json_is_number(want) && json_is_number(got))
		return conf_close(json_number_value(want),
				  json_number_value(got));
	if (json_typeof(want) != json_typeof(got))
		return conf_is_zero(want) && conf_is_zero(got);
	if (json_is_object(want))
		return conf_equal_objects(want, got, where);
	if (json_is_array(want)) {
		size_t len = where->len;

		if (json_array_size(want) != json_array_size(got))
			return false;
		if (CONF_IN(key, conf_set_keys))
			return conf_equal_multiset(want, got, where);
		for (size_t i = 0; i < json_array_size(want); i++) {
			buf_printf(where, "/%zu", i);
			if (!conf_equal(NULL, json_array_get(want, i),
					json_array_get(got, i), where))
				return false;
			where->len = len;
			where->data[len] = '\0';
		}
		return true;
	}
	return json_equal((json_t *)want, (json_t *)got);
}

static char *conf_dump(const json_t *j)
{
	char *s, *out;

	if (!j)
		return xstrdup("(absent)");
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	if (!s)
		return xstrdup("(unprintable)");
	if (strlen(s) > 300) {
		out = xasprintf("%.300s...", s);
		free(s);
		return out;
	}
	out = xstrdup(s);
	free(s);
	return out;
}

/* One check: id names the field; want/got may be NULL (absent). */
static void conf_check(struct conf_result *r, const char *id, const char *key,
		       const json_t *want, const json_t *got)
{
	struct buf where = BUF_INIT(BUF_UNBOUNDED);
	char *w, *g;

	buf_adds(&where, "");
	if (conf_equal(key, want, got, &where)) {
		conf_pass(r);
	} else {
		w = conf_dump(want);
		g = conf_dump(got);
		conf_fail(r, "full-example", id,
			  "differs at '%s': expected %s, got %s",
			  where.len ? buf_cstr(&where) : "/", w, g);
		free(w);
		free(g);
	}
	buf_release(&where);
}

/* Compare every field of one service or resource: one check each. */
static void conf_compare_entity(struct conf_result *r, const char *section,
				const char *name, const json_t *want,
				const json_t *got)
{
	const char *k;
	json_t *v;
	char *id;

	if (!want || !got) {
		id = xasprintf("%s/%s", section, name);
		conf_fail(r, "full-example", id, "%s",
			  want ? "missing from our model"
			       : "not in the expected model");
		free(id);
		return;
	}
	json_object_foreach((json_t *)want, k, v)
	{
		id = xasprintf("%s/%s/%s", section, name, k);
		conf_check(r, id, k, v, json_object_get(got, k));
		free(id);
	}
	json_object_foreach((json_t *)got, k, v)
	{
		if (json_object_get(want, k) || !strncmp(k, "x-", 2))
			continue;
		id = xasprintf("%s/%s/%s", section, name, k);
		conf_check(r, id, k, NULL, v);
		free(id);
	}
}

static void conf_compare_section(struct conf_result *r, const char *section,
				 const json_t *want, const json_t *got)
{
	const char *name;
	json_t *v;

	json_object_foreach((json_t *)want, name, v)
	{
		conf_compare_entity(r, section, name, v,
				    json_object_get(got, name));
	}
	json_object_foreach((json_t *)got, name, v)
	{
		if (!json_object_get(want, name))
			conf_compare_entity(r, section, name, NULL, v);
	}
}

static void conf_compare_model(struct conf_result *r, const json_t *want,
			       const json_t *got)
{
	static const char *const sections[] = {"services", "networks",
					       "volumes", "secrets", "configs"};
	const char *k;
	json_t *v;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		conf_compare_section(r, sections[i],
				     json_object_get(want, sections[i]),
				     json_object_get(got, sections[i]));
	json_object_foreach((json_t *)want, k, v)
	{
		if (!CONF_IN(k, sections))
			conf_check(r, k, k, v, json_object_get(got, k));
	}
	json_object_foreach((json_t *)got, k, v)
	{
		if (!CONF_IN(k, sections) && !json_object_get(want, k))
			conf_check(r, k, k, NULL, v);
	}
}

/* env.json as an environ array, with the home directory token filled. */
static char **conf_environ(const json_t *env)
{
	size_t n = json_object_size(env), i = 0;
	char **out = xcalloc(n + 1, sizeof(*out));
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)env, k, v)
	{
		const char *s = json_string_value(v);

		if (!s)
			continue;
		if (strcmp(s, "${HOME_DIR}") == 0)
			s = CONF_HOME_DIR;
		out[i++] = xasprintf("%s=%s", k, s);
	}
	return out;
}

static json_t *conf_model_json(const struct ynode *model)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);
	json_error_t jerr;
	json_t *j = NULL;

	if (emit_json(&b, model, 0) == 0)
		j = json_loads(buf_cstr(&b), 0, &jerr);
	buf_release(&b);
	return j;
}

void conf_full_example(const char *root, struct conf_result *r)
{
	char *dir = path_join(root, "full-example");
	char *file = path_join(dir, "full-example.yml");
	char *envjson = path_join(dir, "env.json");
	char *expjson = path_join(dir, "expected.json");
	char *workdir = NULL, **env = NULL;
	const char *files[1];
	struct compose_options o;
	struct compose_project *p = NULL;
	json_t *envj = NULL, *raw = NULL, *want = NULL, *got = NULL;

	envj = conf_load_json(envjson);
	raw = conf_load_json(expjson);
	if (path_absolute(&workdir, dir) < 0) {
		conf_fail(r, "full-example", "load", "%s", err_last());
		goto cleanup;
	}
	want = conf_subst(raw, workdir, CONF_HOME_DIR);
	conf_fold_limits(json_object_get(want, "services"));
	env = conf_environ(envj);
	files[0] = file;
	memset(&o, 0, sizeof(o));
	o.files = files;
	o.nfiles = 1;
	o.environ = env;
	o.norm_flags = NORM_F_SKIP_DEFAULTS | NORM_F_ALLOW_BUILD;
	o.flags = COMPOSE_F_SKIP_CONSISTENCY;
	if (compose_load(&p, &o) < 0) {
		conf_fail(r, "full-example", "load", "%s", err_last());
		goto cleanup;
	}
	got = conf_model_json(p->model);
	if (!got) {
		conf_fail(r, "full-example", "json", "%s", err_last());
		goto cleanup;
	}
	conf_compare_model(r, want, got);
cleanup:
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
	json_decref(envj);
	json_decref(raw);
	json_decref(want);
	json_decref(got);
	compose_project_free(p);
	free(workdir);
	free(dir);
	free(file);
	free(envjson);
	free(expjson);
}

static int conf_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void conf_samples(const char *root, struct conf_result *r)
{
	static char *env[] = {"HOME=" CONF_HOME_DIR, NULL};
	char *dir = path_join(root, "samples");
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		conf_fail(r, "samples", "samples", "cannot open '%s'", dir);
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), conf_cmp_names);
	for (size_t i = 0; i < n; i++) {
		char *sub = path_join(dir, names[i]);
		char *file = path_join(sub, "compose.yaml");
		const char *files[1] = {file};
		struct compose_options o;
		struct compose_project *p = NULL;

		memset(&o, 0, sizeof(o));
		o.files = files;
		o.nfiles = 1;
		o.environ = env;
		if (compose_load(&p, &o) < 0)
			conf_fail(r, "samples", names[i], "%s", err_last());
		else
			conf_pass(r);
		compose_project_free(p);
		free(file);
		free(sub);
		free(names[i]);
	}
	free(names);
	free(dir);
}

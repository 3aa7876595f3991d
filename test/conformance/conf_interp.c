/*
 * conf_interp.c - the "interpolation" and "dotenv" categories.
 *
 * interpolation.json: each template is expanded with its "env" as the
 * whole lookup table. dotenv.json: each case is run through the entry
 * point it names (Parse, Read, Load, GetEnvFromFile; see the corpus
 * README) built on dotenv_parse().
 *
 * Upstream's invalid-template message starts "Invalid template"; ours is
 * lowercase (house style), so expected substrings are matched without
 * regard to case.
 */
#include "conformance.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dotenv.h"
#include "err.h"
#include "interp.h"
#include "strmap.h"

static const char *conf_json_lookup(void *data, const char *name)
{
	json_t *v = json_object_get(data, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool conf_contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

/* Check an error outcome; returns true when it was as expected. */
static bool conf_check_error(struct conf_result *r, const char *cat,
			     const char *id, json_t *c, int rc)
{
	const char *want =
	    json_string_value(json_object_get(c, "error_contains"));

	if (rc == 0) {
		conf_fail(r, cat, id, "expected an error, got success");
		return false;
	}
	if (want && !conf_contains_nocase(err_last(), want)) {
		conf_fail(r, cat, id, "error '%s' does not contain '%s'",
			  err_last(), want);
		return false;
	}
	return true;
}

void conf_interpolation(const char *root, struct conf_result *r)
{
	char path[4096];
	json_t *cases;
	size_t i;
	json_t *c;

	snprintf(path, sizeof(path), "%s/interpolation.json", root);
	cases = conf_load_json(path);
	json_array_foreach(cases, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *tmpl =
		    json_string_value(json_object_get(c, "template"));
		const char *want =
		    json_string_value(json_object_get(c, "expect"));
		struct interp_env env = {conf_json_lookup,
					 json_object_get(c, "env"), NULL};
		char *got = NULL;
		int rc;

		err_clear();
		rc = interp_string(&got, tmpl, &env, NULL);
		if (json_is_true(json_object_get(c, "error"))) {
			if (conf_check_error(r, "interpolation", id, c, rc))
				conf_pass(r);
		} else if (rc != 0) {
			conf_fail(r, "interpolation", id, "error: %s",
				  err_last());
		} else if (strcmp(got, want) != 0) {
			conf_fail(r, "interpolation", id,
				  "got '%s', expected '%s'", got, want);
		} else {
			conf_pass(r);
		}
		free(got);
	}
	json_decref(cases);
}

/* compose-go's Read drops keys matching ^\s*\d after parsing. */
static void conf_drop_digit_keys(struct strmap *m)
{
	size_t i = 0;

	while (i < m->n) {
		const char *k = m->items[i].key;

		while (isspace((unsigned char)*k))
			k++;
		if (isdigit((unsigned char)*k)) {
			char *key = strdup(m->items[i].key);

			strmap_del(m, key);
			free(key);
		} else
			i++;
	}
}

/* Load: write each parsed key into preset_env unless already there. */
static void conf_load_into(struct strmap *envmap, const struct strmap *parsed)
{
	for (size_t i = 0; i < parsed->n; i++)
		if (!strmap_has(envmap, parsed->items[i].key))
			strmap_set(envmap, parsed->items[i].key,
				   parsed->items[i].value, NULL);
}

static int conf_dotenv_run(struct strmap *out, json_t *c, const char *api)
{
	json_t *envj = json_object_get(c, "env");
	struct interp_env env = {conf_json_lookup, envj, NULL};
	const char *input = json_string_value(json_object_get(c, "input"));
	struct strmap parsed = STRMAP_INIT;
	const char *k;
	json_t *v;
	size_t i;
	int rc = 0;

	if (strcmp(api, "GetEnvFromFile") == 0) {
		json_array_foreach(json_object_get(c, "inputs"), i, v)
		{
			const char *s = json_string_value(v);

			rc = dotenv_parse(out, s, strlen(s), NULL, &env);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (strcmp(api, "Load") == 0) {
		/* Load parses with no lookup at all. */
		rc = dotenv_parse(&parsed, input, strlen(input), NULL, NULL);
		if (rc == 0) {
			json_object_foreach(json_object_get(c, "preset_env"), k,
					    v)
			{
				strmap_set(out, k, json_string_value(v), NULL);
			}
			conf_load_into(out, &parsed);
		}
		strmap_release(&parsed);
		return rc;
	}
	rc = dotenv_parse(out, input, strlen(input), NULL, &env);
	if (rc == 0 && strcmp(api, "Read") == 0)
		conf_drop_digit_keys(out);
	return rc;
}

static bool conf_dotenv_compare(struct conf_result *r, const char *id,
				json_t *c, const struct strmap *got)
{
	json_t *expect = json_object_get(c, "expect");
	const char *match = json_string_value(json_object_get(c, "match"));
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(expect, k, v)
	{
		const struct strmap_entry *e = strmap_find(got, k);

		if (!e || !e->value) {
			conf_fail(r, "dotenv", id, "key '%s' missing", k);
			return false;
		}
		if (strcmp(e->value, json_string_value(v)) != 0) {
			conf_fail(r, "dotenv", id,
				  "key '%s' is '%s', expected '%s'", k,
				  e->value, json_string_value(v));
			return false;
		}
	}
	if (match && strcmp(match, "exact") == 0 &&
	    got->n != json_object_size(expect)) {
		conf_fail(r, "dotenv", id, "%zu keys, expected %zu", got->n,
			  json_object_size(expect));
		return false;
	}
	json_array_foreach(json_object_get(c, "expect_absent"), i, v)
	{
		if (strmap_has(got, json_string_value(v))) {
			conf_fail(r, "dotenv", id, "key '%s' should be absent",
				  json_string_value(v));
			return false;
		}
	}
	return true;
}

void conf_dotenv(const char *root, struct conf_result *r)
{
	char path[4096];
	json_t *cases;
	size_t i;
	json_t *c;

	snprintf(path, sizeof(path), "%s/dotenv.json", root);
	cases = conf_load_json(path);
	json_array_foreach(cases, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *api = json_string_value(json_object_get(c, "api"));
		struct strmap got = STRMAP_INIT;
		int rc;

		err_clear();
		rc = conf_dotenv_run(&got, c, api);
		if (json_is_true(json_object_get(c, "error"))) {
			if (conf_check_error(r, "dotenv", id, c, rc))
				conf_pass(r);
		} else if (rc != 0) {
			conf_fail(r, "dotenv", id, "error: %s", err_last());
		} else if (conf_dotenv_compare(r, id, c, &got)) {
			conf_pass(r);
		}
		strmap_release(&got);
	}
	json_decref(cases);
}

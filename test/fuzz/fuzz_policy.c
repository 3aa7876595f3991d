/*
 * fuzz_policy.c - libFuzzer target for the policy loader and its queries
 * (policy.c, policy_match.c).
 *
 * The input is written as one policy file and loaded with
 * policy_load_files(). A failed load must leave an error set and *out
 * untouched; a successful one must hold only valid patterns, ownership
 * rules that pass the narrow rule, and positive budgets, and every query
 * is then asked against a few canonical paths. The input is also handed,
 * as a string, to the duration and time parsers and the pattern matcher.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char file[128];

static const char *const fuzz_paths[] = {
    "",
    "/services/api/image",
    "/services/api/deploy/replicas",
    "/services/web/labels/traefik.http.rule",
    "/services/web/labels/a~1b",
    "/services/api/environment/DB_PASSWORD",
    "/networks/front/driver",
};

static void fuzz_quiet(void *data, enum log_level level, const char *msg)
{
	(void)data;
	(void)level;
	(void)msg;
}

static void fuzz_setup(void)
{
	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "/tmp/fuzz-policy.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/policy.yaml", dir);
	log_set_sink(fuzz_quiet, NULL);
}

static void fuzz_check_pattern(const char *pattern)
{
	if (!pattern || policy_pattern_invalid(pattern))
		abort();
}

/* What a successful load promises. */
static void fuzz_check_loaded(const struct policy *p)
{
	for (size_t i = 0; i < p->nownership; i++) {
		const struct policy_ownership *o = &p->ownership[i];

		fuzz_check_pattern(o->path);
		if (policy_pattern_too_broad(o->path) || !o->owner ||
		    !o->reason || !o->unit || !o->service)
			abort();
	}
	for (size_t i = 0; i < p->ndomains; i++)
		fuzz_check_pattern(p->domains[i].path);
	for (size_t i = 0; i < p->nexceptions; i++) {
		const struct policy_exception *e = &p->exceptions[i];

		if (!e->incident || !e->unit || e->expires <= 0)
			abort();
		for (size_t j = 0; j < e->nfields; j++)
			fuzz_check_pattern(e->fields[j]);
	}
	for (size_t i = 0; i < p->nauto_heal; i++) {
		const struct policy_auto_heal *r = &p->auto_heal[i];

		if (r->max_objects < 1 || r->max_objects > 1000)
			abort();
		for (size_t j = 0; j < r->nallow; j++)
			fuzz_check_pattern(r->allow_paths[j]);
		for (size_t j = 0; j < r->ndeny; j++)
			fuzz_check_pattern(r->deny_paths[j]);
	}
	for (size_t i = 0; i < p->nbudgets; i++)
		if (p->budgets[i].max_age_ms <= 0)
			abort();
	for (size_t i = 0; i < p->nchecks; i++)
		if (!p->checks[i].check ||
		    p->checks[i].mode == POLICY_MODE_REVERT)
			abort();
	if (p->flap_max_reverts < 1 || p->flap_window_ms <= 0)
		abort();
}

static void fuzz_queries(const struct policy *p)
{
	const struct policy_auto_heal *r;
	char **lines = NULL;
	size_t n;

	for (size_t i = 0; i < sizeof(fuzz_paths) / sizeof(fuzz_paths[0]);
	     i++) {
		const char *path = fuzz_paths[i];

		policy_owner(p, "api", "api", path, 1795413600);
		policy_domain(p, path);
		policy_exception(p, "api", "api", path, 1795413600);
		policy_exception_expired(p, "api", "api", path, 1795413600);
	}
	r = policy_auto_heal(p, "unauthorized", "metadata", "low", "api");
	policy_auto_heal_path_allowed(r, fuzz_paths[3]);
	policy_auto_heal(p, NULL, NULL, NULL, NULL);
	policy_budget_ms(p, "capacity", "unauthorized");
	policy_check_on(p, "privileged", "api", "api");
	n = policy_expired(&lines, p, 1795413600);
	for (size_t i = 0; i < n; i++) {
		if (!lines[i] || !*lines[i])
			abort();
		free(lines[i]);
	}
	free(lines);
}

/* The input as one string, through the parsers that take one. */
static void fuzz_strings(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (policy_parse_duration(s) < -1 || policy_parse_time(s) < -1)
		abort();
	if (!policy_pattern_invalid(s)) {
		for (size_t i = 0;
		     i < sizeof(fuzz_paths) / sizeof(fuzz_paths[0]); i++)
			policy_path_match(s, fuzz_paths[i]);
		policy_pattern_too_broad(s);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *paths[1];
	struct policy p;
	FILE *f;
	int rc;

	fuzz_setup();
	err_clear();
	fuzz_strings(data, size);

	f = fopen(file, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	paths[0] = file;
	memset(&p, 0x5a, sizeof(p));
	rc = policy_load_files(&p, paths, 1);
	if (rc < 0) {
		const unsigned char *b = (const unsigned char *)&p;

		if (err_last_code() != rc || !*err_last())
			abort();
		for (size_t i = 0; i < sizeof(p); i++)
			if (b[i] != 0x5a)
				abort();
	} else {
		fuzz_check_loaded(&p);
		fuzz_queries(&p);
		policy_release(&p);
	}
	unlink(file);
	err_clear();
	return 0;
}

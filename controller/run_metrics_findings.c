/*
 * run_metrics_findings.c - the findings part of /metrics: open findings by
 * class, domain and risk; the age of the oldest open finding per domain
 * next to its budget; overdue findings. From each unit's last findings
 * (what the API serves), under the controller's lock.
 */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "strmap.h"
#include "xalloc.h"

#include "banned.h"

static const char *run_mf_str(const json_t *f, const char *k)
{
	const char *s = json_string_value(json_object_get(f, k));

	return s ? s : "unknown";
}

/* Label values come from our own tables or a unit name
 * ([a-z0-9_-]): nothing to escape, but a stray quote is dropped. */
static void run_mf_label(struct buf *out, const char *k, const char *v)
{
	buf_printf(out, "%s=\"", k);
	for (; *v; v++)
		if (*v != '"' && *v != '\\' && *v != '\n')
			buf_addc(out, *v);
	buf_addc(out, '"');
}

static const char *const run_mf_domain_names[] = {
    "image",  "identity", "network", "capacity",
    "secret", "storage",  "runtime", "metadata"};
#define RUN_MF_NDOMAINS                                                        \
	(sizeof(run_mf_domain_names) / sizeof(run_mf_domain_names[0]))

/* oldest -1: no open finding; budget -1: the oldest has none. */
struct run_mf_domain {
	long long oldest, budget, overdue;
};

/*
 * The age of the oldest open finding of the domain and that finding's
 * own budget: the two are read side by side, so a budget of another
 * finding (a younger one with a shorter budget, say) would show the
 * oldest as overdue, or not, wrongly. Of findings of the same age, the
 * shortest budget (the first to run out) is the one shown.
 */
static void run_mf_domain_of(struct run_mf_domain *out, const json_t *findings,
			     const char *domain, time_t now)
{
	const json_t *f;
	size_t j;

	out->oldest = out->budget = -1;
	out->overdue = 0;
	json_array_foreach(findings, j, f)
	{
		time_t t = policy_parse_time(
		    json_string_value(json_object_get(f, "detected_at")));
		const json_t *b = json_object_get(f, "budget_s");
		long long age = (long long)(now - t);
		long long budget =
		    json_is_integer(b) ? json_integer_value(b) : -1;

		if (strcmp(run_mf_str(f, "domain"), domain))
			continue;
		if (json_is_true(json_object_get(f, "overdue")))
			out->overdue++;
		if (t == (time_t)-1 || age < 0 || age < out->oldest)
			continue;
		if (age > out->oldest ||
		    (budget >= 0 &&
		     (out->budget < 0 || budget < out->budget))) {
			out->oldest = age;
			out->budget = budget;
		}
	}
}

/* One family at a time (the text format wants each family whole). */
static void run_mf_domains(struct buf *out, struct controller *c, time_t now)
{
	static const char *const families[][2] = {
	    {"mooring_finding_oldest_open_age_seconds",
	     "Age of the oldest open finding of a unit, per domain."},
	    {"mooring_finding_budget_seconds",
	     "The policy's budget for the age of an open finding of the "
	     "domain (only where one applies)."},
	    {"mooring_findings_overdue",
	     "Open findings over their budget or past their emergency "
	     "window."},
	};

	for (size_t fam = 0; fam < 3; fam++) {
		buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n",
			   families[fam][0], families[fam][1],
			   families[fam][0]);
		for (size_t i = 0; i < c->nunits; i++) {
			for (size_t d = 0; d < RUN_MF_NDOMAINS; d++) {
				struct run_mf_domain v;
				long long value;

				run_mf_domain_of(&v, c->units[i].findings,
						 run_mf_domain_names[d], now);
				if (v.oldest < 0 || (fam == 1 && v.budget < 0))
					continue;
				value = fam == 0   ? v.oldest
					: fam == 1 ? v.budget
						   : v.overdue;
				buf_printf(out, "%s{", families[fam][0]);
				run_mf_label(out, "unit", c->units[i].name);
				buf_addc(out, ',');
				run_mf_label(out, "domain",
					     run_mf_domain_names[d]);
				buf_printf(out, "} %lld\n", value);
			}
		}
	}
}

void run_metrics_findings(struct buf *out, struct controller *c)
{
	time_t now = time(NULL);

	buf_adds(out, "# HELP mooring_findings_open_by_class Open findings by "
		      "class, domain and risk.\n# TYPE "
		      "mooring_findings_open_by_class gauge\n");
	for (size_t i = 0; i < c->nunits; i++) {
		struct strmap counts = STRMAP_INIT;
		const json_t *f;
		size_t j;

		json_array_foreach(c->units[i].findings, j, f)
		{
			char *key = xasprintf(
			    "%s\t%s\t%s", run_mf_str(f, "class"),
			    run_mf_str(f, "domain"), run_mf_str(f, "risk"));
			const char *had = strmap_get(&counts, key);
			char n[24];

			snprintf(n, sizeof(n), "%ld",
				 (had ? strtol(had, NULL, 10) : 0) + 1);
			strmap_set(&counts, key, n, NULL);
			free(key);
		}
		for (size_t k = 0; k < counts.n; k++) {
			char *fields = xstrdup(counts.items[k].key);
			char *domain = strchr(fields, '\t');
			char *risk = strchr(domain + 1, '\t');

			*domain++ = '\0';
			*risk++ = '\0';
			buf_adds(out, "mooring_findings_open_by_class{");
			run_mf_label(out, "unit", c->units[i].name);
			buf_addc(out, ',');
			run_mf_label(out, "class", fields);
			buf_addc(out, ',');
			run_mf_label(out, "domain", domain);
			buf_addc(out, ',');
			run_mf_label(out, "risk", risk);
			buf_printf(out, "} %s\n", counts.items[k].value);
			free(fields);
		}
		strmap_release(&counts);
	}
	run_mf_domains(out, c, now);
}

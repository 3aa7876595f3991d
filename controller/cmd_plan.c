/*
 * cmd_plan.c - `mooring plan`: for every selected unit, what apply would
 * do and how the host diverges, as a table per unit or as the JSON
 * document of DESIGN 4.5. Reads only: nothing on the host or on disk
 * changes.
 *
 * Exit: 0 every unit in sync; 2 some unit has actions or findings
 * (pending, drift, conflict); 1 some unit is error or unknown (a unit we
 * could not look at is never in sync), or the command itself failed.
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "context.h"
#include "err.h"
#include "finding.h"
#include "plan.h"
#include "xalloc.h"

#include "banned.h"

#define PLAN_USAGE                                                             \
	"usage: mooring plan [-c CONFIG] [--unit U]... [--format text|json] "  \
	"[--no-fetch]\n"                                                       \
	"exit codes: 0 every unit in sync, 2 actions or findings present,\n"   \
	"            1 error or unknown (a unit not seen is never in sync)\n"

struct plan_args {
	const char *config;
	const char **units;
	size_t nunits;
	bool json;
	bool no_fetch;
};

static int plan_parse_args(struct plan_args *a, int argc, char **argv)
{
	enum { OPT_UNIT = 256, OPT_FORMAT, OPT_NO_FETCH };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"unit", required_argument, NULL, OPT_UNIT},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"no-fetch", no_argument, NULL, OPT_NO_FETCH},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case OPT_UNIT:
			a->units = xreallocarray(a->units, a->nunits + 1,
						 sizeof(*a->units));
			a->units[a->nunits++] = optarg;
			break;
		case OPT_FORMAT:
			if (cli_format(&a->json, optarg, "text") < 0)
				return MOOR_EINVAL;
			break;
		case OPT_NO_FETCH:
			a->no_fetch = true;
			break;
		case 'h':
			return 1;
		default:
			return cli_option_error(c, argv);
		}
	}
	return cli_no_operands(argc, argv);
}

/* ---- text ------------------------------------------------------------ */

/* Is the key absent from this plane of a change (finding.h)? */
static bool plan_text_absent(const json_t *ch, const char *plane)
{
	const json_t *absent = json_object_get(ch, "absent"), *p;
	size_t i;

	json_array_foreach(absent, i, p)
	{
		const char *name = json_string_value(p);

		if (name && !strcmp(name, plane))
			return true;
	}
	return false;
}

/* One value of a change for people: masked secrets stay masked. */
static void plan_text_value(struct buf *out, const json_t *ch,
			    const char *plane)
{
	const json_t *v = json_object_get(ch, plane);
	char *s;

	if (plan_text_absent(ch, plane)) {
		buf_adds(out, "absent");
		return;
	}
	if (json_is_object(v) && json_is_true(json_object_get(v, "changed"))) {
		const char *h = json_string_value(json_object_get(v, "hmac"));

		if (h)
			buf_printf(out, "(secret, hmac %.12s)", h);
		else
			buf_adds(out, "(secret)");
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
			      JSON_REAL_PRECISION(15));
	buf_adds(out, s ? s : "?");
	free(s);
}

static const char *plan_finding_label(const json_t *f)
{
	const char *rel = json_string_value(json_object_get(f, "relationship"));
	const char *cls = json_string_value(json_object_get(f, "class"));

	if (rel && !strcmp(rel, "conflict"))
		return "conflict";
	if (!cls)
		return "finding";
	if (!strcmp(cls, "unauthorized"))
		return "drift";
	if (!strcmp(cls, "dependency"))
		return "image";
	return cls;
}

/* " (stacks/api/compose.yaml:12)": where the desired value is set. */
static void plan_text_where(struct buf *out, const json_t *ch)
{
	const char *file = json_string_value(json_object_get(ch, "file"));
	json_int_t line = json_integer_value(json_object_get(ch, "line"));

	if (file && line)
		buf_printf(out, " (%s:%lld)", file, (long long)line);
	else if (file)
		buf_printf(out, " (%s)", file);
}

static void plan_text_change(struct buf *out, const char *label,
			     const json_t *ch)
{
	const json_t *d = json_object_get(ch, "desired");
	const json_t *r = json_object_get(ch, "recorded");

	buf_printf(out, "  %s %s: desired ", label,
		   json_string_value(json_object_get(ch, "path")));
	plan_text_value(out, ch, "desired");
	if (!plan_text_absent(ch, "recorded") &&
	    (plan_text_absent(ch, "desired") ||
	     !json_equal((json_t *)r, (json_t *)d))) {
		buf_adds(out, ", recorded ");
		plan_text_value(out, ch, "recorded");
	}
	buf_adds(out, ", actual ");
	plan_text_value(out, ch, "actual");
	if (json_is_true(json_object_get(ch, "accepted")))
		buf_adds(out, " (accepted)");
	plan_text_where(out, ch);
	buf_addc(out, '\n');
}

static void plan_text_finding(struct buf *out, const json_t *f)
{
	const char *label = plan_finding_label(f);
	const json_t *changes = json_object_get(f, "changes");
	const char *svc = json_string_value(json_object_get(f, "service"));
	const char *cont = json_string_value(json_object_get(f, "container"));
	const json_t *ch;
	size_t i;

	if (!strcmp(label, "missing")) {
		ch = json_array_get(changes, 0);
		/* A service's container, or a network or volume (no service:
		 * its path names it). */
		if (svc)
			buf_printf(
			    out, "  missing %s: container %s", svc,
			    json_string_value(json_object_get(ch, "actual")));
		else
			buf_printf(
			    out, "  missing %s: %s",
			    json_string_value(json_object_get(ch, "path")),
			    json_string_value(json_object_get(ch, "actual")));
		plan_text_where(out, ch);
		buf_addc(out, '\n');
		return;
	}
	if (!json_array_size(changes)) {
		buf_printf(out,
			   "  %s container %.12s (service %s): not "
			   "created by mooring, left alone\n",
			   label, cont ? cont : "?", svc ? svc : "none");
		return;
	}
	json_array_foreach(changes, i, ch)
	{
		plan_text_change(out, label, ch);
	}
}

static void plan_text_unit(struct buf *out, const struct unit_plan *p)
{
	size_t i;
	const json_t *f;

	buf_printf(out, "%s (project %s): %s", p->unit->name, p->project,
		   unit_status_name(p->status));
	if (p->error)
		buf_printf(out, ": %s", p->error);
	buf_addc(out, '\n');
	for (i = 0; i < p->nactions; i++) {
		const struct plan_action *a = &p->actions[i];

		buf_printf(out, "  %s %s (%s", plan_action_name(a->kind),
			   a->service, plan_reason_name(a->reason));
		if (a->reason == REASON_ORPHAN)
			buf_adds(out, "; with apply --remove-orphans");
		buf_addc(out, ')');
		for (size_t j = 0; j < a->npaths && j < 8; j++)
			buf_printf(out, "%s%s", j ? ", " : ": ", a->paths[j]);
		if (a->npaths > 8)
			buf_printf(out, ", and %zu more", a->npaths - 8);
		buf_addc(out, '\n');
	}
	json_array_foreach(p->findings, i, f)
	{
		plan_text_finding(out, f);
	}
}

/* ---- command --------------------------------------------------------- */

static int plan_exit_code(const struct unit_plan *plans, size_t n)
{
	int rc = EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		if (plans[i].status == UNIT_ERROR ||
		    plans[i].status == UNIT_UNKNOWN)
			return EXIT_ERROR;
		if (plans[i].status != UNIT_IN_SYNC)
			rc = EXIT_CHANGES;
	}
	return rc;
}

static int plan_print_json(const struct unit_plan *plans, size_t n,
			   const char *commit)
{
	json_t *doc = json_object(), *units = json_array();
	char when[32];
	char *text = NULL;
	int rc;

	finding_format_time(when, time(NULL));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(units, plan_unit_json(&plans[i]));
	json_object_set_new(doc, "generated_at", json_string(when));
	json_object_set_new(doc, "commit",
			    commit ? json_string(commit) : json_null());
	json_object_set_new(doc, "units", units);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (!text)
		return cli_failx("cannot encode the plan as json");
	rc = cli_write_stdout(text, strlen(text));
	if (rc == EXIT_OK)
		rc = cli_write_stdout("\n", 1);
	free(text);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_args a;
	struct context ctx;
	struct plan_options opts;
	struct unit_plan *plans = NULL;
	struct buf out = BUF_INIT(BUF_UNBOUNDED);
	size_t nplans = 0;
	int rc = EXIT_ERROR, parsed;

	memset(&a, 0, sizeof(a));
	memset(&ctx, 0, sizeof(ctx));
	memset(&opts, 0, sizeof(opts));
	parsed = plan_parse_args(&a, argc, argv);
	if (parsed > 0) {
		fputs(PLAN_USAGE, stdout);
		rc = EXIT_OK;
		goto cleanup;
	}
	if (parsed < 0 ||
	    context_open(&ctx, a.config, a.units, a.nunits,
			 CONTEXT_ENGINE | (a.no_fetch ? CONTEXT_NO_FETCH : 0)) <
		0) {
		rc = cli_fail();
		goto cleanup;
	}
	/* Orphans are listed as the removals `apply --remove-orphans`
	 * would make: a plan that hid them would say "in sync". */
	opts.remove_orphans = true;
	plans = xcalloc(ctx.nselected + 1, sizeof(*plans));
	for (size_t i = 0; i < ctx.nselected; i++) {
		if (plan_unit(&plans[nplans], ctx.selected[i], &ctx, &opts) <
		    0) {
			rc = cli_fail();
			goto cleanup;
		}
		if (plans[nplans].error)
			fprintf(stderr, "mooring: unit '%s': %s\n",
				ctx.selected[i]->name, plans[nplans].error);
		nplans++;
	}
	if (a.json) {
		rc = plan_print_json(plans, nplans, source_commit(ctx.source));
	} else {
		for (size_t i = 0; i < nplans; i++)
			plan_text_unit(&out, &plans[i]);
		if (!nplans)
			buf_adds(&out, "no units for this host\n");
		rc = cli_write_stdout(buf_cstr(&out), out.len);
	}
	if (rc == EXIT_OK)
		rc = plan_exit_code(plans, nplans);
cleanup:
	for (size_t i = 0; i < nplans; i++)
		unit_plan_release(&plans[i]);
	free(plans);
	buf_release(&out);
	context_release(&ctx);
	free(a.units);
	return rc;
}

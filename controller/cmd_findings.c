/*
 * cmd_findings.c - `mooring findings [-c CONFIG] [--open|--all]
 * [--format text|json]`: the findings records `mooring run` keeps in the
 * state dir (findings.h), open ones by default. Reads files only: no
 * git, no docker, no lock.
 *
 * text: one line per record, then a summary line:
 *   drift-20261122-3f2a9c0d1e2f  open      api/api  unauthorized  capacity
 *   high  age 2h  /services/api/mem_limit        (one line)
 * json: {"findings": [records, each with its "unit"]}.
 *
 * Exit: 0 no open finding, 2 some open (whatever is shown), 1 error.
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "context.h"
#include "err.h"
#include "findings.h"
#include "policy.h"
#include "xalloc.h"

#include "banned.h"

#define FINDINGS_USAGE                                                         \
	"usage: mooring findings [-c CONFIG] [--open|--all] "                  \
	"[--format text|json]\n"                                               \
	"exit codes: 0 no open finding, 2 open findings, 1 error\n"

struct findings_args {
	const char *config;
	bool all;
	bool json;
};

static int findings_parse_args(struct findings_args *a, int argc, char **argv)
{
	enum { OPT_OPEN = 256, OPT_ALL, OPT_FORMAT };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"open", no_argument, NULL, OPT_OPEN},
	    {"all", no_argument, NULL, OPT_ALL},
	    {"format", required_argument, NULL, OPT_FORMAT},
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
		case OPT_OPEN:
			a->all = false;
			break;
		case OPT_ALL:
			a->all = true;
			break;
		case OPT_FORMAT:
			if (cli_format(&a->json, optarg, "text") < 0)
				return MOOR_EINVAL;
			break;
		case 'h':
			return 1;
		default:
			return cli_option_error(c, argv);
		}
	}
	return cli_no_operands(argc, argv);
}

static const char *findings_field(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "-";
}

/* "45s", "12m", "5h", "3d". */
static void findings_duration(char *out, size_t size, long long d)
{
	if (d < 0)
		d = 0;
	if (d < 120)
		snprintf(out, size, "%llds", d);
	else if (d < 7200)
		snprintf(out, size, "%lldm", d / 60);
	else if (d < 172800)
		snprintf(out, size, "%lldh", d / 3600);
	else
		snprintf(out, size, "%lldd", d / 86400);
}

/* "age 2h" for an open record, "resolved in 5m (gone)" for the others. */
static void findings_when(char *out, size_t size, const json_t *rec, time_t now)
{
	const json_t *ttr = json_object_get(rec, "time_to_resolve_s");
	char d[32];

	if (!strcmp(findings_field(rec, "status"), "open")) {
		time_t at =
		    policy_parse_time(findings_field(rec, "detected_at"));

		findings_duration(d, sizeof(d),
				  at < 0 ? 0 : (long long)(now - at));
		snprintf(out, size, "age %s", d);
		return;
	}
	findings_duration(d, sizeof(d), (long long)json_integer_value(ttr));
	snprintf(out, size, "resolved in %s (%s)", d,
		 findings_field(rec, "resolution"));
}

/* The change paths, comma-separated; the container when there are none. */
static void findings_paths(struct buf *out, const json_t *finding)
{
	const json_t *changes = json_object_get(finding, "changes"), *ch;
	const char *s;
	size_t i, n = 0;

	json_array_foreach(changes, i, ch)
	{
		if ((s = json_string_value(json_object_get(ch, "path"))))
			buf_printf(out, "%s%s", n++ ? "," : "", s);
	}
	if (n)
		return;
	s = json_string_value(json_object_get(finding, "container"));
	if (s)
		buf_printf(out, "container %.12s", s);
	else
		buf_adds(out, "-");
}

/* Widths of the columns that vary, so the lines read as a table. */
struct findings_widths {
	int id, subject, klass, domain, risk, when;
};

static void findings_line(struct buf *out, const json_t *rec,
			  const struct findings_widths *w, time_t now)
{
	const json_t *f = json_object_get(rec, "finding");
	char when[96];
	char *subject;

	findings_when(when, sizeof(when), rec, now);
	subject = xasprintf("%s/%s", findings_field(rec, "unit"),
			    findings_field(f, "service"));
	buf_printf(out, "%-*s  %-8s  %-*s  %-*s  %-*s  %-*s  %-*s  ", w->id,
		   findings_field(rec, "id"), findings_field(rec, "status"),
		   w->subject, subject, w->klass, findings_field(f, "class"),
		   w->domain, findings_field(f, "domain"), w->risk,
		   findings_field(f, "risk"), w->when, when);
	findings_paths(out, f);
	buf_addc(out, '\n');
	free(subject);
}

static void findings_width(int *w, const char *s)
{
	if ((int)strlen(s) > *w)
		*w = (int)strlen(s);
}

static int findings_print_text(const json_t *list, bool all, size_t nopen,
			       time_t now)
{
	struct findings_widths w = {0, 0, 0, 0, 0, 0};
	struct buf out = BUF_INIT(BUF_UNBOUNDED);
	size_t n = json_array_size(list), i;
	const json_t *rec;
	int rc;

	json_array_foreach(list, i, rec)
	{
		const json_t *f = json_object_get(rec, "finding");
		char when[96];
		int subject;

		findings_when(when, sizeof(when), rec, now);
		findings_width(&w.id, findings_field(rec, "id"));
		subject = (int)(strlen(findings_field(rec, "unit")) + 1 +
				strlen(findings_field(f, "service")));
		if (subject > w.subject)
			w.subject = subject;
		findings_width(&w.klass, findings_field(f, "class"));
		findings_width(&w.domain, findings_field(f, "domain"));
		findings_width(&w.risk, findings_field(f, "risk"));
		findings_width(&w.when, when);
	}
	json_array_foreach(list, i, rec)
	{
		findings_line(&out, rec, &w, now);
	}
	if (!n)
		buf_adds(&out, all ? "no findings\n" : "no open findings\n");
	else if (!all)
		buf_printf(&out, "%zu open finding%s\n", nopen,
			   nopen == 1 ? "" : "s");
	else
		buf_printf(&out, "%zu finding%s: %zu open, %zu resolved\n", n,
			   n == 1 ? "" : "s", nopen, n - nopen);
	rc = cli_write_stdout(buf_cstr(&out), out.len);
	buf_release(&out);
	return rc;
}

static int findings_print_json(json_t *list)
{
	json_t *doc = json_pack("{s:O}", "findings", list);
	char *text = json_dumps(doc, JSON_INDENT(2));
	int rc;

	json_decref(doc);
	if (!text)
		return cli_failx("cannot encode the findings as json");
	rc = cli_write_stdout(text, strlen(text));
	if (rc == EXIT_OK)
		rc = cli_write_stdout("\n", 1);
	free(text);
	return rc;
}

int cmd_findings(int argc, char **argv)
{
	struct findings_args a = {NULL, false, false};
	struct config *cfg = NULL;
	json_t *list = NULL, *rec;
	char *path = NULL;
	size_t nopen = 0, i;
	int rc = EXIT_ERROR, parsed;

	parsed = findings_parse_args(&a, argc, argv);
	if (parsed > 0) {
		fputs(FINDINGS_USAGE, stdout);
		return EXIT_OK;
	}
	if (parsed < 0 || context_config_path(&path, a.config) < 0 ||
	    config_load(&cfg, path) < 0 ||
	    findings_list(&list, cfg->state_dir, !a.all) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	json_array_foreach(list, i, rec)
	{
		const char *st =
		    json_string_value(json_object_get(rec, "status"));

		if (st && !strcmp(st, "open"))
			nopen++;
	}
	rc = a.json ? findings_print_json(list)
		    : findings_print_text(list, a.all, nopen, time(NULL));
	if (rc == EXIT_OK && nopen)
		rc = EXIT_CHANGES;
cleanup:
	json_decref(list);
	config_free(cfg);
	free(path);
	return rc;
}

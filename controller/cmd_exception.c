/*
 * cmd_exception.c - `mooring exception add [-c CONFIG] --unit U
 * --incident ID --ttl DURATION [--service S]... [--field PATH]...
 * [--reason TEXT]`: an exception for the length of an incident, kept in
 * the state dir (findings_exception_add) and journaled. While it is open,
 * drift it covers is an emergency, never reverted: the policy reads it
 * with the repo's own exceptions (context_load_policy). No --service and
 * no --field cover the whole unit.
 *
 * The unit must be in the registry: the context is opened (without a
 * fetch) to check it.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "context.h"
#include "err.h"
#include "finding.h"
#include "findings.h"
#include "journal.h"
#include "policy.h"
#include "xalloc.h"

#include "banned.h"

#define EXCEPTION_USAGE                                                        \
	"usage: mooring exception add [-c CONFIG] --unit U --incident ID "     \
	"--ttl DURATION\n"                                                     \
	"                             [--service S]... [--field PATH]... "     \
	"[--reason TEXT]\n"                                                    \
	"  DURATION: 30m, 4h, 2d (the exception expires then)\n"               \
	"  PATH: a field under /services/, e.g. /services/api/mem_limit\n"     \
	"  no --service and no --field: the whole unit\n"

struct exception_args {
	const char *config;
	const char *unit;
	const char *incident;
	const char *ttl;
	const char *reason;
	const char **services;
	size_t nservices;
	const char **fields;
	size_t nfields;
	long long ttl_s;
};

static void exception_push(const char ***list, size_t *n, const char *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = s;
}

/* Flags given, values that can be checked without the context. */
static int exception_check_args(struct exception_args *a)
{
	static const char prefix[] = "/services/";
	long long ms;

	if (!a->unit)
		return err_set(MOOR_EINVAL, "option '--unit' is required");
	if (!a->incident)
		return err_set(MOOR_EINVAL, "option '--incident' is required");
	if (!a->ttl)
		return err_set(MOOR_EINVAL,
			       "option '--ttl' is required (e.g. 4h)");
	ms = policy_parse_duration(a->ttl);
	if (ms < 1000)
		return err_set(MOOR_EINVAL,
			       "invalid duration '%s' for '--ttl' (expected "
			       "e.g. 30m, 4h, 2d)",
			       a->ttl);
	a->ttl_s = ms / 1000;
	for (size_t i = 0; i < a->nservices; i++)
		if (!*a->services[i])
			return err_set(MOOR_EINVAL,
				       "option '--service' needs a service "
				       "name");
	for (size_t i = 0; i < a->nfields; i++) {
		const char *f = a->fields[i];

		if (strncmp(f, prefix, sizeof(prefix) - 1) ||
		    !f[sizeof(prefix) - 1] || f[sizeof(prefix) - 1] == '/')
			return err_set(MOOR_EINVAL,
				       "invalid field '%s' (expected a path "
				       "under '/services/', e.g. "
				       "/services/api/mem_limit)",
				       f);
	}
	return 0;
}

static int exception_parse_args(struct exception_args *a, int argc, char **argv)
{
	enum {
		OPT_UNIT = 256,
		OPT_INCIDENT,
		OPT_TTL,
		OPT_SERVICE,
		OPT_FIELD,
		OPT_REASON
	};
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"unit", required_argument, NULL, OPT_UNIT},
	    {"incident", required_argument, NULL, OPT_INCIDENT},
	    {"ttl", required_argument, NULL, OPT_TTL},
	    {"service", required_argument, NULL, OPT_SERVICE},
	    {"field", required_argument, NULL, OPT_FIELD},
	    {"reason", required_argument, NULL, OPT_REASON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, error;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case OPT_UNIT:
			a->unit = optarg;
			break;
		case OPT_INCIDENT:
			a->incident = optarg;
			break;
		case OPT_TTL:
			a->ttl = optarg;
			break;
		case OPT_SERVICE:
			exception_push(&a->services, &a->nservices, optarg);
			break;
		case OPT_FIELD:
			exception_push(&a->fields, &a->nfields, optarg);
			break;
		case OPT_REASON:
			a->reason = optarg;
			break;
		case 'h':
			return 1;
		default:
			return cli_option_error(c, argv);
		}
	}
	if ((error = cli_no_operands(argc, argv)) < 0)
		return error;
	return exception_check_args(a);
}

static json_t *exception_strings(const char *const *list, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(list[i]));
	return arr;
}

/* "added exception 'INC-1' for unit 'api' (services: api; fields: all)
 * until 2026-11-23T06:00:00Z". */
static int exception_report(const struct exception_args *a, const char *until)
{
	struct buf out = BUF_INIT(BUF_UNBOUNDED);
	int rc;

	buf_printf(&out, "added exception '%s' for unit '%s' (services: ",
		   a->incident, a->unit);
	for (size_t i = 0; i < a->nservices; i++)
		buf_printf(&out, "%s%s", i ? ", " : "", a->services[i]);
	buf_adds(&out, a->nservices ? "; fields: " : "all; fields: ");
	for (size_t i = 0; i < a->nfields; i++)
		buf_printf(&out, "%s%s", i ? ", " : "", a->fields[i]);
	buf_printf(&out, "%s) until %s\n", a->nfields ? "" : "all", until);
	rc = cli_write_stdout(buf_cstr(&out), out.len);
	buf_release(&out);
	return rc;
}

static int exception_add(int argc, char **argv)
{
	struct exception_args a;
	struct context ctx;
	struct journal *journal = NULL;
	json_t *e = NULL;
	time_t now = time(NULL);
	char until[32];
	int rc = EXIT_ERROR, parsed;

	memset(&a, 0, sizeof(a));
	memset(&ctx, 0, sizeof(ctx));
	parsed = exception_parse_args(&a, argc, argv);
	if (parsed > 0) {
		fputs(EXCEPTION_USAGE, stdout);
		rc = EXIT_OK;
		goto cleanup;
	}
	if (parsed < 0 ||
	    context_open(&ctx, a.config, &a.unit, 1, CONTEXT_NO_FETCH) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	finding_format_time(until, now + (time_t)a.ttl_s);
	e = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "incident", a.incident,
		      "unit", a.unit, "services",
		      exception_strings(a.services, a.nservices), "fields",
		      exception_strings(a.fields, a.nfields), "expires", until,
		      "reason", a.reason ? a.reason : "");
	if (!e) {
		/* json_pack refuses what is not UTF-8. */
		rc = cli_failx("the incident, the services, the fields and "
			       "the reason must be valid UTF-8");
		goto cleanup;
	}
	if (journal_open(&journal, ctx.config->state_dir) < 0 ||
	    findings_exception_add(ctx.config->state_dir, e, journal, now) <
		0) {
		rc = cli_fail();
		goto cleanup;
	}
	rc = exception_report(&a, until);
cleanup:
	journal_close(journal);
	json_decref(e);
	context_release(&ctx);
	free(a.services);
	free(a.fields);
	return rc;
}

int cmd_exception(int argc, char **argv)
{
	if (argc < 2) {
		err_set(MOOR_EINVAL, "'exception' needs a sub-command: add "
				     "(see 'mooring exception --help')");
		return cli_fail();
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(EXCEPTION_USAGE, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "add"))
		return exception_add(argc - 1, argv + 1);
	err_set(MOOR_EINVAL,
		"unknown sub-command '%s' of 'exception' (expected 'add')",
		argv[1]);
	return cli_fail();
}

/*
 * cmd_audit.c - `mooring audit [-c CONFIG] [--since DURATION] [--unit U]
 * [--format text|json]`: the changes made to managed containers outside
 * mooring, as the audit journal in the state dir recorded them (the
 * events watcher of `mooring run` writes it).
 *
 * text: one line per change, oldest first:
 *   2026-11-22T10:22:31Z api/api update 3f2a9c0d1e2f (outside mooring)
 * json: the journal records, an array.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "context.h"
#include "err.h"
#include "journal.h"

#include "banned.h"

#define AUDIT_USAGE                                                            \
	"usage: mooring audit [-c CONFIG] [--since DURATION] [--unit U]\n"     \
	"                     [--format text|json]\n"                          \
	"  DURATION: 30s, 15m, 1h, 2d, 1w or a sum of them (1h30m)"

struct audit_args {
	const char *config;
	const char *unit;
	long long since_s; /* 0: everything */
	bool json;
};

/* "1h30m" -> 5400; every part is <digits><s|m|h|d|w>. */
static int audit_parse_duration(long long *out, const char *s)
{
	long long total = 0;
	const char *p = s;

	if (!*p)
		goto bad;
	while (*p) {
		long long n = 0, unit;

		if (*p < '0' || *p > '9')
			goto bad;
		for (; *p >= '0' && *p <= '9'; p++) {
			n = n * 10 + (*p - '0');
			if (n > 100000000LL)
				goto bad;
		}
		switch (*p++) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			goto bad;
		}
		total += n * unit;
		if (total > 100LL * 365 * 86400)
			goto bad;
	}
	*out = total;
	return 0;
bad:
	return err_set(MOOR_EINVAL,
		       "invalid duration '%s' (expected e.g. 30m, 1h, 2d)", s);
}

static int audit_parse_args(struct audit_args *a, int argc, char **argv)
{
	enum { OPT_SINCE = 256, OPT_UNIT, OPT_FORMAT };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"unit", required_argument, NULL, OPT_UNIT},
	    {"format", required_argument, NULL, OPT_FORMAT},
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
		case OPT_SINCE:
			if ((error =
				 audit_parse_duration(&a->since_s, optarg)) < 0)
				return error;
			break;
		case OPT_UNIT:
			a->unit = optarg;
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

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void audit_print_text(const json_t *changes)
{
	const json_t *c;
	size_t i;

	json_array_foreach(changes, i, c)
	{
		const char *time_s =
		    json_string_value(json_object_get(c, "time"));
		const char *unit =
		    json_string_value(json_object_get(c, "unit"));
		char when[32] = "-";
		const char *dot;

		if (time_s) {
			/* Seconds are enough here: cut ".123Z" to "Z". */
			dot = strchr(time_s, '.');
			snprintf(when, sizeof(when), "%.*sZ",
				 dot ? (int)(dot - time_s) : 19, time_s);
		}
		if (!unit)
			unit = json_string_value(json_object_get(c, "project"));
		printf(
		    "%s %s/%s %s %.12s (outside mooring)\n", when,
		    or_dash(unit),
		    or_dash(json_string_value(json_object_get(c, "service"))),
		    or_dash(json_string_value(json_object_get(c, "action"))),
		    or_dash(
			json_string_value(json_object_get(c, "container"))));
	}
}

int cmd_audit(int argc, char **argv)
{
	struct audit_args a = {0};
	struct config *cfg = NULL;
	json_t *changes = NULL;
	char *path = NULL, *text = NULL;
	time_t since = 0;
	int rc = EXIT_ERROR;
	int parsed;

	parsed = audit_parse_args(&a, argc, argv);
	if (parsed > 0) {
		puts(AUDIT_USAGE);
		rc = EXIT_OK;
		goto cleanup;
	}
	if (parsed < 0 || context_config_path(&path, a.config) < 0 ||
	    config_load(&cfg, path) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	if (a.since_s > 0)
		since = time(NULL) - (time_t)a.since_s;
	if (journal_outside_changes(&changes, cfg->state_dir, since, a.unit) <
	    0) {
		rc = cli_fail();
		goto cleanup;
	}
	if (a.json) {
		text =
		    json_dumps(changes, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!text) {
			rc = cli_failx("cannot encode the audit as json");
			goto cleanup;
		}
		fflush(stdout);
		if ((rc = cli_write_stdout(text, strlen(text))) == EXIT_OK)
			rc = cli_write_stdout("\n", 1);
		goto cleanup;
	}
	audit_print_text(changes);
	rc =
	    fflush(stdout) == 0 ? EXIT_OK : cli_failx("cannot write to stdout");
cleanup:
	free(text);
	json_decref(changes);
	config_free(cfg);
	free(path);
	return rc;
}

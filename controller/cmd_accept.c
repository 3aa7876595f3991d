/*
 * cmd_accept.c - `mooring accept [-c CONFIG] --finding ID --reason TEXT`:
 * the runtime values of an open finding become accepted for its unit
 * (until the desired value changes in git), the finding is resolved as
 * accepted, and the journal says who did it and why (findings_accept).
 * Works on the state dir alone, whether the controller runs or not.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "context.h"
#include "err.h"
#include "findings.h"
#include "journal.h"

#include "banned.h"

#define ACCEPT_USAGE                                                           \
	"usage: mooring accept [-c CONFIG] --finding ID --reason TEXT\n"       \
	"  the finding's runtime values become accepted for its unit until\n"  \
	"  the desired value changes in git; see 'mooring findings'\n"

struct accept_args {
	const char *config;
	const char *finding;
	const char *reason;
};

static int accept_parse_args(struct accept_args *a, int argc, char **argv)
{
	enum { OPT_FINDING = 256, OPT_REASON };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"finding", required_argument, NULL, OPT_FINDING},
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
		case OPT_FINDING:
			a->finding = optarg;
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
	if (!a->finding)
		return err_set(MOOR_EINVAL,
			       "option '--finding' is required "
			       "(the id 'mooring findings' shows)");
	if (!a->reason)
		return err_set(MOOR_EINVAL, "option '--reason' is required "
					    "(why the runtime value is right)");
	return 0;
}

/* "accepted drift-...: unit 'api', /services/api/mem_limit". */
static int accept_report(const json_t *rec)
{
	const json_t *f = json_object_get(rec, "finding"), *ch;
	struct buf out = BUF_INIT(BUF_UNBOUNDED);
	size_t i;
	int rc;

	buf_printf(&out, "accepted %s: unit '%s'",
		   json_string_value(json_object_get(rec, "id")),
		   json_string_value(json_object_get(rec, "unit")));
	json_array_foreach(json_object_get(f, "changes"), i, ch)
	{
		buf_printf(&out, ", %s",
			   json_string_value(json_object_get(ch, "path")));
	}
	buf_addc(&out, '\n');
	rc = cli_write_stdout(buf_cstr(&out), out.len);
	buf_release(&out);
	return rc;
}

int cmd_accept(int argc, char **argv)
{
	struct accept_args a = {NULL, NULL, NULL};
	struct config *cfg = NULL;
	struct journal *journal = NULL;
	json_t *rec = NULL;
	char *path = NULL;
	int rc = EXIT_ERROR, parsed;

	parsed = accept_parse_args(&a, argc, argv);
	if (parsed > 0) {
		fputs(ACCEPT_USAGE, stdout);
		return EXIT_OK;
	}
	/* The record is looked up first so that a wrong id creates nothing
	 * (the journal directory) in the state dir. */
	if (parsed < 0 || context_config_path(&path, a.config) < 0 ||
	    config_load(&cfg, path) < 0 ||
	    findings_find(&rec, cfg->state_dir, a.finding) < 0 ||
	    journal_open(&journal, cfg->state_dir) < 0 ||
	    findings_accept(cfg->state_dir, a.finding, a.reason, journal,
			    time(NULL)) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	rc = accept_report(rec);
cleanup:
	journal_close(journal);
	json_decref(rec);
	config_free(cfg);
	free(path);
	return rc;
}

/*
 * cmd_run.c - `mooring run [-c CONFIG] [--once] [-v]`: the controller loop
 * (run.h) in the foreground, logging to stderr (info; -v: debug).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "run.h"

#include "banned.h"

#define RUN_USAGE "usage: mooring run [-c CONFIG] [--once] [-v]"

static int run_parse_args(struct run_options *o, bool *verbose, int argc,
			  char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"once", no_argument, NULL, 'o'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'o':
			o->once = true;
			break;
		case 'v':
			*verbose = true;
			break;
		case 'h':
			return 1;
		default:
			return cli_option_error(c, argv);
		}
	}
	return cli_no_operands(argc, argv);
}

int cmd_run(int argc, char **argv)
{
	struct run_options o;
	bool verbose = false;
	int parsed, rc = EXIT_ERROR;

	memset(&o, 0, sizeof(o));
	parsed = run_parse_args(&o, &verbose, argc, argv);
	if (parsed > 0) {
		puts(RUN_USAGE);
		return EXIT_OK;
	}
	if (parsed < 0)
		return cli_fail();
	log_set_level(verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (run_controller(&rc, &o) < 0)
		return cli_fail();
	return rc;
}

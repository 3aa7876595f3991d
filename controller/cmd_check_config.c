/*
 * cmd_check_config.c - `mooring check-config [-c CONFIG]`: load the
 * config, the unit registry and render every unit's compose files (all
 * units, whatever host they run on), reporting every error found with
 * its file:line:col before failing, as `ntpd -n` does. Never talks to
 * docker and changes nothing.
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compose.h"
#include "config.h"
#include "context.h"
#include "err.h"
#include "log.h"
#include "plan.h"
#include "policy.h"
#include "source.h"
#include "units.h"

#include "banned.h"

#define CHECK_CONFIG_USAGE "usage: mooring check-config [-c CONFIG]"

static int check_config_args(const char **config, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config = optarg;
			break;
		case 'h':
			return 1;
		default:
			return cli_option_error(c, argv);
		}
	}
	return cli_no_operands(argc, argv);
}

/* Does msg start with "file:line:"? Then it says where it is already. */
static bool check_config_has_position(const char *msg)
{
	const char *colon = strchr(msg, ':');

	if (!colon || colon == msg || memchr(msg, ' ', (size_t)(colon - msg)))
		return false;
	return colon[1] >= '0' && colon[1] <= '9';
}

/* Render one unit as plan and apply do; 0 or the error (logged). */
static int check_config_unit(struct source *src, const struct unit *u)
{
	struct compose_project *project = NULL;
	int error = plan_render_unit(&project, u, src);

	if (error < 0 && check_config_has_position(err_last()))
		log_errorx("%s", err_last());
	else if (error < 0)
		log_errorx("unit '%s': %s", u->name, err_last());
	compose_project_free(project);
	return error;
}

int cmd_check_config(int argc, char **argv)
{
	const char *given = NULL;
	struct config *config = NULL;
	struct source *src = NULL;
	struct units units = {NULL, 0};
	char *path = NULL;
	struct policy policy;
	char **expired = NULL;
	size_t npolicy_expired = 0;
	unsigned failed = 0;
	int rc = EXIT_ERROR;
	int parsed;

	memset(&policy, 0, sizeof(policy));
	parsed = check_config_args(&given, argc, argv);
	if (parsed > 0) {
		puts(CHECK_CONFIG_USAGE);
		return EXIT_OK;
	}
	if (parsed < 0 || context_config_path(&path, given) < 0 ||
	    config_load(&config, path) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	if (source_open(&src, config) < 0 || units_load(&units, src) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	/* The policies: the repo's over the shipped defaults, every error
	 * with its file:line:col. */
	if (policy_load(&policy, src) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	npolicy_expired = policy_expired(&expired, &policy, time(NULL));
	for (size_t i = 0; i < npolicy_expired; i++) {
		log_warnx("%s", expired[i]);
		free(expired[i]);
	}
	free(expired);
	for (size_t i = 0; i < units.n; i++)
		if (check_config_unit(src, &units.items[i]) < 0)
			failed++;
	if (failed) {
		rc = cli_failx("%u of %zu unit%s failed to render", failed,
			       units.n, units.n == 1 ? "" : "s");
		goto cleanup;
	}
	printf("check-config: %zu unit%s ok, policies ok (%zu ownership "
	       "rule%s, %zu exception%s, %zu auto-heal rule%s)\n",
	       units.n, units.n == 1 ? "" : "s", policy.nownership,
	       policy.nownership == 1 ? "" : "s", policy.nexceptions,
	       policy.nexceptions == 1 ? "" : "s", policy.nauto_heal,
	       policy.nauto_heal == 1 ? "" : "s");
	rc =
	    fflush(stdout) == 0 ? EXIT_OK : cli_failx("cannot write to stdout");
cleanup:
	policy_release(&policy);
	units_release(&units);
	source_free(src);
	config_free(config);
	free(path);
	return rc;
}

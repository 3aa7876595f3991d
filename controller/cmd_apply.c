/*
 * cmd_apply.c - `mooring apply [-c CONFIG] [--unit U]... [--force-recreate]
 * [--remove-orphans] [--dry-run]`: converge the selected units.
 *
 * All or nothing at the start: every selected unit is planned and checked
 * (renders, daemon answers, images present, external resources exist)
 * before anything is touched; any problem in any unit prints every reason
 * and exits 1 with the host unchanged. Then, under the state dir lock,
 * each unit is recovered from an interrupted recreate, planned again if
 * that changed anything, and applied. A unit that fails does not stop the
 * others (they are separate Compose projects); the exit status is 1.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "context.h"
#include "err.h"
#include "journal.h"
#include "log.h"
#include "plan.h"
#include "state.h"
#include "xalloc.h"

#include "banned.h"

#define APPLY_USAGE                                                            \
	"usage: mooring apply [-c CONFIG] [--unit U]... [--force-recreate]\n"  \
	"                     [--remove-orphans] [--dry-run]"

struct apply_args {
	const char *config;
	const char **units;
	size_t nunits;
	bool force_recreate;
	bool remove_orphans;
	bool dry_run;
};

static int apply_parse_args(struct apply_args *a, int argc, char **argv)
{
	enum { OPT_UNIT = 256, OPT_FORCE, OPT_ORPHANS, OPT_DRY_RUN };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"unit", required_argument, NULL, OPT_UNIT},
	    {"force-recreate", no_argument, NULL, OPT_FORCE},
	    {"remove-orphans", no_argument, NULL, OPT_ORPHANS},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
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
		case OPT_FORCE:
			a->force_recreate = true;
			break;
		case OPT_ORPHANS:
			a->remove_orphans = true;
			break;
		case OPT_DRY_RUN:
			a->dry_run = true;
			break;
		case 'h':
			return 1;
		default:
			return cli_option_error(c, argv);
		}
	}
	return cli_no_operands(argc, argv);
}

/* Plan and check every unit; 0 when all can be applied, else the reasons
 * are printed and EXIT_ERROR returned. */
static int apply_prepare(struct unit_plan *plans, struct context *ctx,
			 const struct plan_options *popts)
{
	struct apply_problems problems = {NULL, 0};
	int rc = EXIT_OK;

	for (size_t i = 0; i < ctx->nselected; i++) {
		if (plan_unit(&plans[i], ctx->selected[i], ctx, popts) < 0 ||
		    apply_check(&problems, &plans[i], ctx) < 0) {
			rc = cli_fail();
			goto cleanup;
		}
	}
	for (size_t i = 0; i < problems.n; i++)
		cli_failx("%s", problems.items[i]);
	if (problems.n) {
		cli_failx("nothing was changed: %zu problem%s", problems.n,
			  problems.n == 1 ? "" : "s");
		rc = EXIT_ERROR;
	}
cleanup:
	apply_problems_release(&problems);
	return rc;
}

/* Recover, re-plan when recovery changed the host, apply. */
static int apply_one(struct unit_plan *plan, struct context *ctx,
		     const struct plan_options *popts,
		     const struct apply_options *aopts)
{
	const struct unit *u = plan->unit;
	struct apply_problems problems = {NULL, 0};
	bool changed = false;
	int error = -1;

	if ((error = apply_recover(&changed, u, ctx, aopts)) < 0)
		goto cleanup;
	if (changed) {
		unit_plan_release(plan);
		memset(plan, 0, sizeof(*plan));
		if ((error = plan_unit(plan, u, ctx, popts)) < 0 ||
		    (error = apply_check(&problems, plan, ctx)) < 0)
			goto cleanup;
		if (problems.n) {
			error = err_set(MOOR_ERR, "%s", problems.items[0]);
			goto cleanup;
		}
	}
	error = apply_unit(plan, ctx, aopts);
cleanup:
	apply_problems_release(&problems);
	return error;
}

int cmd_apply(int argc, char **argv)
{
	struct apply_args a = {0};
	struct context ctx;
	struct plan_options popts = {0};
	struct apply_options aopts = {0};
	struct unit_plan *plans = NULL;
	struct journal *journal = NULL;
	bool ctx_open = false;
	int lock_fd = -1;
	int rc = EXIT_ERROR;
	int parsed;

	memset(&ctx, 0, sizeof(ctx));
	parsed = apply_parse_args(&a, argc, argv);
	if (parsed > 0) {
		puts(APPLY_USAGE);
		rc = EXIT_OK;
		goto cleanup;
	}
	if (parsed < 0 ||
	    context_open(&ctx, a.config, (const char *const *)a.units, a.nunits,
			 CONTEXT_ENGINE) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	ctx_open = true;
	if (!ctx.engine) {
		rc = cli_failx("%s", context_engine_error(&ctx));
		goto cleanup;
	}
	/* One apply at a time per state dir, for the whole run: the plan it
	 * acts on must still be true when it acts. */
	if (!a.dry_run && state_lock(&lock_fd, ctx.config->state_dir) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	/* What this apply does to containers is journaled as mooring's, so
	 * that the events watcher of `mooring run` does not report it as a
	 * change made outside. Without a journal the apply still goes on. */
	if (!a.dry_run) {
		if (journal_open(&journal, ctx.config->state_dir) < 0)
			log_warnx("no audit journal: %s", err_last());
		journal_set_default(journal);
	}
	popts.force_recreate = a.force_recreate;
	popts.remove_orphans = a.remove_orphans;
	aopts.dry_run = a.dry_run;
	aopts.remove_orphans = a.remove_orphans;
	aopts.out = stdout;
	plans = xcalloc(ctx.nselected ? ctx.nselected : 1, sizeof(*plans));
	if ((rc = apply_prepare(plans, &ctx, &popts)) != EXIT_OK)
		goto cleanup;
	for (size_t i = 0; i < ctx.nselected; i++) {
		if (apply_one(&plans[i], &ctx, &popts, &aopts) < 0) {
			cli_failx("unit '%s': %s", ctx.selected[i]->name,
				  err_last());
			rc = EXIT_ERROR;
		}
	}
	/* A dry run compares: 2 when it would change something (DESIGN
	 * 4.1), as plan does. */
	for (size_t i = 0; a.dry_run && rc == EXIT_OK && i < ctx.nselected; i++)
		if (plans[i].nactions)
			rc = EXIT_CHANGES;
cleanup:
	for (size_t i = 0; plans && i < ctx.nselected; i++)
		unit_plan_release(&plans[i]);
	free(plans);
	journal_set_default(NULL);
	journal_close(journal);
	if (lock_fd >= 0)
		state_unlock(lock_fd);
	if (ctx_open)
		context_release(&ctx);
	free(a.units);
	return rc;
}

/*
 * apply.h - converge one unit through the Docker Engine API: project
 * networks and named volumes, then containers in depends_on order
 * (create, crash-safe recreate, start, remove orphans), then the recorded
 * plane. docs/internals/APPLY.md describes the protocol step by step and
 * what a crash at each step leaves behind.
 *
 * The caller (cmd_apply) drives it per unit, under the state dir lock:
 *
 *   plan_unit() every selected unit            (reads only)
 *   apply_check() every plan                   (reads only; any problem
 *                                               in any unit: stop here)
 *   apply_recover() each unit, re-plan if it changed something
 *   apply_unit() each unit
 *
 * Action lines go to opts->out, one per thing done:
 *   "api/web: recreated (spec_changed)", "api: network 'api_default'
 * created", "api: nothing to do"; with dry_run "would recreate" and so on.
 */
#ifndef MOORING_APPLY_H
#define MOORING_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "context.h"
#include "plan.h"

#define APPLY_HEALTH_TIMEOUT_MS (120 * 1000L)
/* A test-only hook: raise(SIGKILL) right after the named step (APPLY.md). */
#define APPLY_CRASH_ENV "MOORING_TEST_CRASH_AT"

struct apply_options {
	bool dry_run;		/* print what would be done, change nothing */
	bool remove_orphans;	/* act on the plan's remove actions */
	long health_timeout_ms; /* service_healthy wait; 0: 120 s */
	unsigned max_parallel;	/* workers per level; 0: 8 */
	FILE *out;		/* action lines; NULL: stdout */
};

/* Reasons a unit cannot be applied, one message each (owned). */
struct apply_problems {
	char **items;
	size_t n;
};

void apply_problems_release(struct apply_problems *p);

/*
 * Check one plan before anything is touched: the unit renders (status is
 * not error), the daemon answers (not unknown), every image that a
 * create or recreate needs is present locally (mooring never pulls), and
 * external networks and volumes exist. Appends one message per problem,
 * "unit 'api': image 'x:1' is not present on this host; mooring never
 * pulls". Returns 0 when it could look (problems or not), negative when
 * it could not.
 */
int apply_check(struct apply_problems *out, const struct unit_plan *plan,
		struct context *ctx);

/*
 * Finish what an interrupted recreate left (containers of the unit with
 * io.mooring.replaces under a temporary name), so that each service has
 * one container again; *changed_out says whether anything was done (the
 * plan is then stale). With dry_run, says what it would do.
 */
int apply_recover(bool *changed_out, const struct unit *u, struct context *ctx,
		  const struct apply_options *opts);

/*
 * Carry out a plan made with the same force_recreate/remove_orphans
 * choices. Stops at the first failed service (services already running
 * stay as they are); on success writes state/<unit>.json. The state dir
 * lock is the caller's.
 */
int apply_unit(const struct unit_plan *plan, struct context *ctx,
	       const struct apply_options *opts);

/* Does state/<unit>.json already record this plan's commit and spec
 * hashes (true when nothing renders: nothing to record)? */
bool apply_recorded_current(const struct unit_plan *plan);

#endif

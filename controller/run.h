/*
 * run.h - the controller loop of `mooring run` (DESIGN 2, issue 4): one
 * process per state dir, following the configured branch and keeping
 * every unit of this host converged to the commit it resolved.
 *
 * Each round fetches the remote once, then for each unit that is due:
 * plan it; deploy (apply) what the plan says except drift reverts, which
 * are only reported unless the unit says `on_drift: revert`; record its
 * status (status.h) and schedule the next check (run_schedule.h). A unit
 * in conflict (a field changed in git and on the host) is reported, not
 * deployed over. A fetch failure changes no container: units keep their
 * last commit, and one whose last successful check is older than
 * stale_after becomes unknown ("stale: ...").
 *
 * Threads: the loop (the caller's), a signal thread (SIGTERM/SIGINT:
 * finish the current step and return 0; SIGHUP: reload the config and
 * the unit registry, keeping the old ones on error), the events watcher
 * (events.h) and the HTTP server (server.h), whose callbacks only take
 * the controller's lock, read or flag, and wake the loop.
 */
#ifndef MOORING_RUN_H
#define MOORING_RUN_H

#include <stdbool.h>

struct controller;

struct run_options {
	const char *config_path; /* NULL: the defaults of context.h */
	/* One pass of every unit, then return (no HTTP, no events). */
	bool once;
};

/*
 * Run until told to stop. *exit_out: 0 after SIGTERM/SIGINT; with once,
 * the plan-like code of the pass (status_exit_code). Returns negative
 * (message in err_last()) when it could not start: the state dir is
 * locked by another process (its pid in the message), the config is
 * invalid, the HTTP server cannot listen.
 */
int run_controller(int *exit_out, const struct run_options *o);

/* An event on a unit's container: check that unit now (coalesced). */
void controller_trigger_unit(struct controller *c, const char *unit);
/* A verified push: fetch, then check every unit now. Requests made before
 * the next round begins coalesce into one. */
void controller_trigger_poll(struct controller *c);

#endif

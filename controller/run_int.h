/*
 * run_int.h - what the files of the controller loop share: run.c (the
 * loop, signals, triggers, reload), run_unit.c (one unit's pass),
 * run_units.c (the table of units), run_http.c (server and events
 * callbacks).
 *
 * Locking: c->mu guards everything marked (mu) below; the loop thread is
 * the only writer of those fields and takes mu to write them; other
 * threads (HTTP, events, signals) take mu to read them or to set a flag,
 * then signal c->cv. Fields marked (loop) belong to the loop thread alone.
 * Nothing that waits for another thread (server_stop, events_stop,
 * pthread_join) is ever called with mu held: their threads may be waiting
 * for mu in a callback.
 */
#ifndef MOORING_RUN_INT_H
#define MOORING_RUN_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "apply.h"
#include "strmap.h"
#include "context.h"
#include "events.h"
#include "journal.h"
#include "metrics.h"
#include "run.h"
#include "server.h"
#include "status.h"

struct run_unit {
	const char *name;	 /* interned: valid until the controller ends */
	const char *project;	 /* interned */
	const struct unit *unit; /* in c->ctx (loop); NULL: known from the
				    state dir only, not loaded */
	long long next_due_ms;	 /* monotonic (mu) */
	bool triggered;		 /* an event asked for a pass (mu) */
	bool recovered;		 /* apply_recover done since start (loop) */
	bool checked;		 /* one pass done (mu) */
	struct status_record st; /* (mu) */
	json_t *findings;	 /* of the last plan, array (mu) */
	unsigned long long deploys, errors; /* (mu) */
	struct histogram reconcile;	    /* (mu) */
};

struct controller {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */

	/* (loop) */
	char *config_path;
	/* The config services run with: loaded at start, replaced by a
	 * successful reload (ctx.config is the context's own copy). */
	struct config *config;
	char *state_dir; /* fixed for the process: the lock is on it */
	struct context ctx;
	bool have_ctx;
	char *ctx_error;       /* why ctx could not be opened */
	char *registry_commit; /* the commit ctx->units were loaded from */
	char *registry_error;  /* units.yaml of the pinned commit is bad */
	struct strmap expired; /* policy rules reported as expired */
	long long last_fetch_ms;
	bool fetch_ok;
	char *fetch_error;
	bool once;
	uint32_t rng;
	FILE *actions; /* apply's action lines, into the log */
	struct apply_options aopts;
	struct journal *journal;
	char *secret;
	size_t secret_len;

	/* (mu) */
	struct run_unit *units;
	size_t nunits;
	char **names; /* intern pool */
	size_t nnames;
	bool stop, reload, poll;
	long poll_interval_ms, stale_after_ms;
	struct histogram fetch_hist;
	unsigned long long fetches, fetch_errors;
	struct events *events;
	struct server *server;
};

long long run_now_ms(void);
/* Do two optional strings differ (NULL differs from any string)? */
bool run_str_differs(const char *a, const char *b);

/* run_units.c */
const char *run_intern(struct controller *c, const char *s);
/* Rebuild c->units from c->ctx's selected units (keeping the schedule and
 * status of units that stay; loading the saved status of new ones), or
 * from the status files alone when there is no context. Takes mu. */
void run_units_sync(struct controller *c);
void run_units_free(struct controller *c);
struct run_unit *run_unit_find(struct controller *c, const char *name);

/* run_unit.c */
/* One pass of one unit: recover (first time), plan, deploy, record. */
void run_unit_pass(struct controller *c, struct run_unit *ru);
/* A unit that cannot be planned this round (no context, bad registry):
 * record why, keep its schedule going. */
void run_unit_fail(struct controller *c, struct run_unit *ru,
		   enum unit_status status, const char *why);

/* run_heal.c */
/* For each of plan's actions, whether the loop takes it: everything but
 * drift reverts, and those the policy lets auto-heal (limits, health,
 * flapping: a flapping service's finding becomes failed_reconciliation). */
void run_heal_decide(bool *take, struct controller *c, struct run_unit *ru,
		     struct unit_plan *plan);
/* After a successful deploy of those actions: remember the reverts (the
 * flapping guard) and journal them. */
void run_heal_done(struct controller *c, struct run_unit *ru,
		   const struct unit_plan *plan, const bool *take);

/* run_metrics_findings.c: the findings families of /metrics (mu held). */
void run_metrics_findings(struct buf *out, struct controller *c);

/* run_http.c */
int run_services_start(struct controller *c);
void run_services_stop(struct controller *c);
/* Restart what a reloaded config changed (listen, secret, socket). */
int run_services_reload(struct controller *c, const struct config *old);

#endif

/*
 * apply_int.h - what the apply_*.c files share. Not for use outside them:
 * the public contract is apply.h.
 */
#ifndef MOORING_APPLY_INT_H
#define MOORING_APPLY_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "apply.h"
#include "apply_order.h"
#include "engine.h"
#include "ynode.h"

/* Suffix of the temporary name of a recreate's new container. */
#define APPLY_TEMP_SUFFIX "-mooring-new"

/*
 * The test-only crash hook: when $MOORING_TEST_CRASH_AT names `step`,
 * flush stdio and raise(SIGKILL). It can only kill the process, never
 * change what apply does otherwise.
 */
void apply_crashpoint(const char *step);

/* One action line on opts->out (serialised between worker threads). */
void apply_say(const struct apply_options *opts, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void apply_problem_add(struct apply_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A ynode tree as jansson JSON (new reference; NULL for a NULL node). */
json_t *apply_ynode_json(const struct ynode *n);

/* apply_resources.c: project networks and named volumes. */
int apply_resources(const struct unit_plan *plan, struct engine *e,
		    const struct apply_options *opts, bool *changed_out);
void apply_check_resources(struct apply_problems *out,
			   const struct unit_plan *plan, struct engine *e);

/* apply_recreate.c: creating and replacing one container. */
struct apply_target {
	const char *name;    /* the final container name */
	const char *old_id;  /* recreate: the container it replaces */
	json_t *body;	     /* create body (labels are added to) */
	const json_t *extra; /* networks to connect before start */
	bool start_first;    /* recreate: start the new before stopping */
};

/* Create under t->name and connect the extra networks (not started). */
int apply_create(char **id_out, struct engine *e, const struct apply_target *t);
/* The crash-safe recreate (APPLY.md); the new container is started. */
int apply_recreate(char **id_out, struct engine *e,
		   const struct apply_target *t);
/* May the new copy of this service run next to the old one for a moment
 * (no published host ports, no host network, no volumes)? */
bool apply_can_start_first(const struct ynode *service);

/* apply_wait.c: wait until a dependency meets its depends_on condition
 * (started: nothing to wait for; healthy: poll State.Health up to
 * timeout_ms; completed: wait for the exit, which must be 0). */
int apply_wait_condition(struct engine *e, const char *service, const char *dep,
			 const char *dep_id, enum apply_condition cond,
			 long timeout_ms);

/* apply_record.c: write the recorded plane after an apply. ids[i] is the
 * container of the i-th desired service (graph order) or NULL; created[i]
 * says this apply created it. Rewritten only when it changed (commit,
 * spec hashes, image ids). */
struct apply_recorded_input {
	char *const *ids;
	const bool *created;
};
int apply_record(const struct unit_plan *plan, struct engine *e,
		 const char *state_dir, const struct apply_recorded_input *in);

#endif

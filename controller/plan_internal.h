/*
 * plan_internal.h - what plan.c (the pass), plan_observe.c (reading the
 * host) and plan_decide.c (actions, findings, status from what was read)
 * share. Not for use outside them and their unit tests: the public
 * contract is plan.h.
 *
 * The split keeps the decisions pure: plan_decide() takes a unit_plan
 * whose desired, recorded and containers are already filled in (by
 * plan_unit(), or by a test by hand) and touches neither the daemon nor
 * the disk, so every rule of plan.h is unit-tested without a docker.
 */
#ifndef MOORING_PLAN_INTERNAL_H
#define MOORING_PLAN_INTERNAL_H

#include <stdbool.h>
#include <time.h>

#include "engine.h"
#include "finding.h"
#include "findings.h"
#include "plan.h"
#include "policy.h"
#include "strmap.h"

/* What plan_decide() needs besides the unit_plan. */
struct plan_facts {
	/* desired service -> image id its reference resolves to now;
	 * a service without an entry is not checked for image drift. */
	const struct strmap *resolved;
	/* Template for findings: unit, source, commit, root, key, now
	 * (service and container are filled per finding). */
	struct finding_ctx finding;
	/* What the host has of the project's own networks and volumes:
	 * {"networks": {key: {"driver": d} or null (absent)}, "volumes":
	 * ...}; NULL when not looked at. */
	const struct ynode *resources;
	/* The unit's policy (ownership, domains, exceptions, ...); NULL:
	 * built-in defaults only. */
	const struct policy *policy;
	/* Runtime values accepted with `mooring accept`; NULL: none. */
	const struct findings_accepted *accepted;
	/* The unit's journal records, for the findings' audit; NULL: not
	 * read. */
	const json_t *journal;
};

/*
 * Read the unit's containers from the daemon into p->containers (sorted
 * by name): every container with the compose project label, inspected
 * when ours, observed (container_observe against the desired service)
 * when ours and not a recreate's temporary. Also resolves each desired
 * service's image reference into *resolved (absent locally: no entry).
 * Needs p->unit, p->project, p->desired. Engine errors are returned with
 * err_last() set; what was read so far stays in p.
 */
int plan_observe(struct unit_plan *p, struct strmap *resolved,
		 struct engine *e);

/* The project's own (not external) networks and named volumes as the
 * daemon has them, by their resource names, into *out (see plan_facts). */
int plan_observe_resources(struct ynode **out, const struct unit_plan *p,
			   struct engine *e);

/* Free one container's contents. */
void plan_container_release(struct plan_container *c);

/* Actions and findings from desired, recorded and containers, then
 * status (plan_status). */
int plan_decide(struct unit_plan *p, const struct plan_facts *facts,
		const struct plan_options *opts);

/* Status from the actions and findings (error/unknown are kept). */
enum unit_status plan_status(const struct unit_plan *p);

/* The container of a service apply would work on: ours, not temporary,
 * running ones first; NULL when there is none. */
struct plan_container *plan_find_container(const struct unit_plan *p,
					   const char *service);

/* Is this service selected by opts (no list: every service)? */
bool plan_selected(const struct plan_options *opts, const char *service);

#endif

/*
 * classify.h - what a divergence is (DESIGN 2, "classify"): every finding
 * of a plan gets its class, domain, risk, the audit events behind it, the
 * emergency window or budget it is under, a recommended action and
 * whether policy lets the controller heal it without a human.
 *
 * Who decides what:
 *   plan_decide.c  the class that follows from the planes alone, and the
 *                  split of one service's drift by the policy:
 *                  controller_owned (an ownership rule), emergency (an
 *                  open exception), accepted (`mooring accept`: no finding
 *                  at all), the rest unauthorized or conflict;
 *   classify.c     everything else, from the finding, the policy, the
 *                  unit's risk tier and the events journal;
 *   run_heal.c     what the controller does with it (auto-heal, limits,
 *                  flapping).
 *
 * Recommended actions (the policy decides whether the controller may act
 * on them, never this table):
 *   unauthorized  identity or secret: incident; capacity:
 *                 reconcile_to_git; anything else: revert
 *   conflict (relationship)       reconcile_to_git (both values shown)
 *   emergency                     reconcile_to_git (make the hotfix a
 *                                 commit before the window closes)
 *   controller_owned              ignore
 *   dependency                    reconcile_to_git (pin the image)
 *   failed_reconciliation         incident
 *   policy                        reconcile_to_git (fix the manifest)
 *   unmanaged                     incident (never removed)
 *   missing                       revert
 *
 * auto_heal_allowed: the policy's first auto_heal rule for (class, domain,
 * tier, unit) says revert, every changed path is allowed by it, and the
 * class is unauthorized or missing (never a conflict); the recommended
 * action is then revert, whatever the table above says. A unit's `on_drift: revert` (units.yaml) stands for a rule
 * {unit: U, class: unauthorized, mode: revert} after the repo's own rules
 * and before the shipped defaults, for every domain except identity,
 * network and secret.
 *
 * Pure: no I/O. Findings are changed in place.
 */
#ifndef MOORING_CLASSIFY_H
#define MOORING_CLASSIFY_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "finding.h"
#include "policy.h"
#include "units.h"
#include "ynode.h"

struct classify_ctx {
	const struct policy *policy; /* NULL: built-in tables only */
	const struct unit *unit;
	/* Journal records of the unit (time order; "kind" event or
	 * action), or NULL when none were read. */
	const json_t *journal;
	time_t now;
};

/* Class-dependent fields of each finding (see above); "audit" from the
 * journal: the events on the finding's container (at most 20, newest
 * last), each {"action", "time", "outside_mooring"}, and
 * "outside_mooring": whether any of them was not mooring's. */
void classify_findings(json_t *findings, const struct classify_ctx *cx);

/*
 * Desired state that violates policy on its own (policy checks, on unless
 * the policy turns them off for a unit/service): an image by a mutable
 * tag (no digest; "latest" or no tag at all), privileged, the docker
 * socket mounted, network_mode host. One policy-class finding per service
 * and check, appended to findings, relationship "desired". fc is the
 * finding template (unit, source, root, key, now).
 */
int classify_desired(json_t *findings, const struct finding_ctx *fc,
		     const struct ynode *model, const struct policy *p);

/*
 * Budgets and expired windows, once findings carry their detected_at from
 * the store: "overdue": true with "overdue_reason" when an open finding
 * is older than the policy's budget for its domain/class, or when the
 * emergency window that covered it has closed (the finding is then
 * unauthorized again, reported with the window's incident and expiry).
 */
void classify_budgets(json_t *findings, const struct classify_ctx *cx);

/* Do the finding's class and relationship count as drift for the unit's
 * status (controller_owned does not: it is nobody's business but the
 * owner's; policy findings neither: they are about git alone)? */
bool classify_counts_as_drift(const json_t *finding);

#endif

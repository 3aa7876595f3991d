/*
 * plan.h - one unit, one pass, minus acting (DESIGN 2): render the desired
 * state from the source, observe the host, load the recorded plane, diff
 * the three, and decide what apply would do (actions) and what diverges
 * (findings). Reading never changes anything on the host or on disk.
 *
 * Status, first match wins:
 *   error     the unit's files do not render (error says why)
 *   unknown   the daemon cannot be read (never "in sync" without a look)
 *   conflict  a field changed in git AND at runtime since the last apply
 *   drift     actual differs from desired/recorded (findings present)
 *   pending   apply has something to do (actions present)
 *   in_sync   neither
 */
#ifndef MOORING_PLAN_H
#define MOORING_PLAN_H

#include <stdbool.h>
#include <time.h>
#include <stddef.h>

#include <jansson.h>

#include "compose.h"
#include "context.h"
#include "diff.h"
#include "units.h"
#include "ynode.h"

enum unit_status {
	UNIT_IN_SYNC,
	UNIT_PENDING,
	UNIT_DRIFT,
	UNIT_CONFLICT,
	UNIT_UNKNOWN,
	UNIT_ERROR,
};

enum plan_action_kind {
	ACTION_CREATE,
	ACTION_RECREATE,
	ACTION_REMOVE,
	ACTION_START,
};

enum plan_reason {
	REASON_NEW,	     /* never deployed */
	REASON_SPEC_CHANGED, /* made from another spec (its spec hash) */
	/* Its own spec, but settings changed at runtime (paths say which):
	 * apply puts the desired values back. Not in DESIGN 4.5's list,
	 * which predates it; spec_changed would hide who changed what. */
	REASON_DRIFT,
	REASON_IMAGE_CHANGED, /* the reference now resolves to another id */
	REASON_MISSING,	      /* recorded but absent, or stopped */
	REASON_ORPHAN,	      /* ours, service no longer desired */
	/* Joined to the namespaces of a service that gets a new container
	 * (network_mode/ipc/pid "service:x"). Not in DESIGN 4.5's list. */
	REASON_DEPENDENCY,
	REASON_FORCED, /* --force-recreate */
};

const char *unit_status_name(enum unit_status s);
const char *plan_action_name(enum plan_action_kind k);
const char *plan_reason_name(enum plan_reason r);

struct plan_action {
	char *service;
	enum plan_action_kind kind;
	enum plan_reason reason;
	char **paths; /* JSON pointers that motivate it; may be empty */
	size_t npaths;
	char *container_id; /* the existing container, or NULL */
	/* Recreating drops runtime values `mooring accept` accepted (the
	 * loop does not revert drift of such a service on its own). */
	bool drops_accepted;
};

/* A container of the unit's compose project found on the host. */
struct plan_container {
	char *id;
	char *name;
	char *service;	 /* com.docker.compose.service */
	char *spec_hash; /* io.mooring.spec-hash, NULL if not ours */
	char *image_id;	 /* .Image (sha256:...) */
	bool ours;	 /* carries io.mooring.unit=<unit> */
	bool running;
	/* An unfinished recreate's replacement: io.mooring.replaces and
	 * still its temporary name (a finished one keeps the label). */
	bool temporary;
	/* GET /containers/{id}/json; released once the container has been
	 * observed (plan keeps the canonical form, not the daemon's). */
	json_t *inspect;
	struct ynode *observed; /* canonical (container_observe), or NULL */
	bool gone;		/* vanished between the list and the inspect */
	/* Created but never started: an apply was interrupted between
	 * create and start, possibly before its extra networks were
	 * connected; it is recreated rather than started half-wired. */
	bool never_started;
	/* Its healthcheck says unhealthy, or has not said yet (starting). */
	bool unhealthy;
};

struct unit_plan {
	const struct unit *unit;
	char *project;
	enum unit_status status;
	char *error;			 /* status error/unknown: why */
	struct compose_project *desired; /* NULL when rendering failed */
	struct ynode *recorded;		 /* state doc, NULL when none */
	char *commit;			 /* source commit or NULL */
	struct plan_container *containers;
	size_t ncontainers;
	struct plan_action *actions;
	size_t nactions;
	json_t *findings;   /* array of Finding objects (DESIGN 4.4) */
	time_t observed_at; /* when plan_unit() began reading */
};

struct plan_options {
	bool force_recreate;	     /* recreate every selected service */
	bool remove_orphans;	     /* list orphan removals as actions */
	const char *const *services; /* restrict to these (none: all) */
	size_t nservices;
};

/*
 * Plan one unit. Problems of the unit itself (render errors, an unreachable
 * daemon) are not failures: they set status and error. A negative return
 * means the plan could not be made at all (out of memory, a bug).
 */
int plan_unit(struct unit_plan *out, const struct unit *u, struct context *ctx,
	      const struct plan_options *opts);
void unit_plan_release(struct unit_plan *p);

/*
 * Render a unit's compose files from the source, as plan and apply do:
 * paths absolute under the source root (relative mounts resolve in the
 * tree), reads through the source; an error message names files by their
 * path in the repository ("stacks/api/compose.yaml:3:5: ...").
 */
int plan_render_unit(struct compose_project **out, const struct unit *u,
		     struct source *src);

/* The unit object of DESIGN 4.5 (new reference). */
json_t *plan_unit_json(const struct unit_plan *p);

#endif

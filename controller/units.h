/*
 * units.h - the unit registry, `mooring/units.yaml` in the infra repo.
 *
 *   units:
 *     - name: api             # unique; [a-z0-9][a-z0-9_-]*; labels, metrics
 *       path: stacks/api      # folder in the repo
 *       files: [compose.yaml, compose.production.yaml]   # default compose.yaml
 *       env_file: .env        # relative to path; optional
 *       project: api          # default: name
 *       owner: team-api
 *       environment: production
 *       risk_tier: high       # critical | high | standard (default) | low
 *       hosts: [web-01]       # optional; absent = every host
 *
 * Paths must stay inside the repository (no absolute paths, no "..").
 * Every error is reported with file:line:col before units_load() fails.
 */
#ifndef MOORING_UNITS_H
#define MOORING_UNITS_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"
#include "ynode.h"

/* What `mooring run` does when the host drifts from the recorded state:
 * report it (status drift, findings kept), or put the desired values back
 * as `mooring apply` would. */
enum unit_on_drift {
	UNIT_ON_DRIFT_REPORT,
	UNIT_ON_DRIFT_REVERT,
};

struct unit {
	char *name;
	char *path;
	char **files;
	size_t nfiles;
	char
	    *env_file; /* NULL: none given (the compose default .env applies) */
	char *project;
	char *owner;
	char *environment;
	char *risk_tier;
	char **hosts;
	size_t nhosts;
	enum unit_on_drift on_drift;
	struct ymark mark;
};

struct units {
	struct unit *items;
	size_t n;
};

#define UNITS_FILE "mooring/units.yaml"

/* Load UNITS_FILE from the source. */
int units_load(struct units *out, struct source *src);
void units_release(struct units *u);
struct unit *units_find(const struct units *u, const char *name);
/* Does the unit run on this host (hosts absent, or host listed)? */
bool unit_on_host(const struct unit *u, const char *host);
/* [a-z0-9][a-z0-9_-]*, at most UNIT_NAME_MAX bytes: safe in a file name,
 * a label value and a metric label (state.c checks it again). */
#define UNIT_NAME_MAX 63
bool unit_name_valid(const char *name);

#endif

/*
 * compose.h - load a Compose project: files in, canonical model out.
 *
 * The pipeline (compose_load):
 *   1. the project environment: process env, overridden by nothing; the
 *      .env of the project directory (or --env-file) fills in what the
 *      process env does not set;
 *   2. each -f file: load (ynode), check it is a mapping, interpolate its
 *      values, resolve `extends` (same file or `file:`), drop !reset values
 *      that have nothing to reset;
 *   3. merge the files in order (merge.h);
 *   4. project name: -p, else `name:`, else the project directory's base
 *      name, normalised as Compose does (lowercase, [a-z0-9_-], must start
 *      with a letter or digit);
 *   5. profiles: services with profiles are enabled only when one of them
 *      is active (--profile, or COMPOSE_PROFILES);
 *   6. schema_check, then normalize_project (normalize.h);
 *   7. consistency: depends_on naming an unknown or disabled service,
 *      dependency cycles, services that reference unknown networks,
 *      volumes, secrets or configs; `build:` without `image:` is an error
 *      (mooring deploys prebuilt images), `build:` with `image:` a warning;
 *   8. a spec hash per service.
 * Warnings (unset variables, obsolete `version`, ignored build) go to
 * log_warnx(). Errors name file:line:col.
 */
#ifndef MOORING_COMPOSE_H
#define MOORING_COMPOSE_H

#include <stddef.h>

#include "normalize.h"
#include "strmap.h"
#include "ynode.h"

enum {
	/* Skip step 7 (compose-go's SkipConsistencyCheck): the conformance
	 * full example names services and networks it does not define. */
	COMPOSE_F_SKIP_CONSISTENCY = 1u << 0,
};

struct compose_options {
	const char *const *files; /* -f, in order; none: compose.yaml, ... */
	size_t nfiles;
	const char *env_file;	  /* --env-file; NULL: <project_dir>/.env */
	const char *project_name; /* -p; NULL: name:, else directory */
	const char *const *profiles;
	size_t nprofiles;
	const char *project_dir; /* NULL: directory of the first file */
	char *const *environ;	 /* NULL: the process environment */
	unsigned norm_flags;	 /* NORM_F_* */
	const struct ylimits *limits;
	norm_read_fn read_file; /* NULL: the filesystem (seam for git) */
	void *read_data;
	unsigned flags; /* COMPOSE_F_* */
};

struct compose_project {
	char *name;
	char *working_dir;
	/* The canonical model: name, services, networks, volumes, secrets,
	 * configs (and x-* extensions), maps sorted by key. */
	struct ynode *model;
	/* services -> "sha256 hex" of the service's canonical JSON. */
	struct strmap spec_hashes;
	/* The project environment the files were interpolated with. */
	struct strmap environment;
};

int compose_load(struct compose_project **out,
		 const struct compose_options *opts);
void compose_project_free(struct compose_project *p);

/* The spec hash of one canonical service node (64 hex chars + NUL):
 * SHA-256 of its canonical JSON (sorted keys, compact), leaving out x-*
 * keys, env_file and label_file (their contents are already folded into
 * environment and labels). Same model, same hash, whatever the key order,
 * formatting or file split. */
int compose_service_hash(char out[65], const struct ynode *service);

/* Normalise a project name as Compose does; NULL when nothing is left. */
char *compose_normalize_project_name(const char *name);

#endif

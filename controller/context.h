/*
 * context.h - what every command that works on units opens first:
 * the config, the source tree (and its commit), the unit registry, and
 * (when asked) a connection to the Docker Engine.
 *
 * Default config path: $MOORING_CONFIG, else ./mooring.yaml, else
 * /etc/mooring/mooring.yaml.
 */
#ifndef MOORING_CONTEXT_H
#define MOORING_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "engine.h"
#include "source.h"
#include "policy.h"
#include "units.h"

struct context {
	struct config *config;
	struct source *source;
	struct units units;
	/* The repo's mooring/policies over the shipped defaults, with the
	 * exceptions added by `mooring exception add` (context_load_policy). */
	struct policy policy;
	struct engine *engine; /* NULL when not asked for */
	/* Units selected by --unit (all on this host when none given). */
	struct unit **selected;
	size_t nselected;
	char *engine_error; /* why engine is NULL when it was asked for */
};

enum {
	/* Connect to docker. An unreachable daemon is NOT an error here:
	 * engine stays NULL and engine_error says why, so plan can report
	 * units as unknown. */
	CONTEXT_ENGINE = 1u << 0,
	/* Use the commit pinned by the last fetch (git sources). */
	CONTEXT_NO_FETCH = 1u << 1,
	/* Open the source aside (source_open_aside): a reload trying a new
	 * repository or branch. */
	CONTEXT_ASIDE = 1u << 2,
};

/*
 * Open everything. unit_names (may be empty) selects units; an unknown
 * name is an error. flags: CONTEXT_*. A git source is fetched first
 * unless CONTEXT_NO_FETCH; a fetch failure is an error (nothing acts on
 * a tree it could not bring up to date when asked to).
 */
int context_open(struct context *out, const char *config_path,
		 const char *const *unit_names, size_t nunit_names,
		 unsigned flags);
void context_release(struct context *ctx);
/* (Re)load ctx->policy from ctx->source and the state dir's exceptions;
 * on error the policy in place stays. */
int context_load_policy(struct context *ctx);
/* Why the engine could not be opened ("" when it was, or not asked). */
const char *context_engine_error(const struct context *ctx);

/* The config file to use: given (when not NULL), else the defaults above;
 * MOOR_ENOTFOUND naming them all when none exists. */
int context_config_path(char **out, const char *given);

#endif

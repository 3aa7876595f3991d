/*
 * finding.h - Finding objects (DESIGN 4.4): one divergence of the actual
 * plane from the desired/recorded one, as JSON.
 *
 * This module shapes findings; it does not decide them (plan.c does) and
 * does not classify them beyond placeholders until the policy module
 * lands: the domain comes from a path -> domain table, the risk from the
 * unit's risk_tier nudged by the domain.
 *
 * Secrets never leave this module in the clear: an environment value
 * whose key looks secret (PASSWORD, SECRET, TOKEN, KEY, CREDENTIAL,
 * PRIVATE, AUTH, any case, anywhere in the key) and anything under
 * /secrets is written as {"changed": true, "hmac": "<hex>"}, the HMAC-SHA256
 * of the value keyed by the host's secret key (<state_dir>/secret-key),
 * or {"changed": true} when there is no key. Equal values give equal
 * HMACs, so a reader can tell which planes agree without seeing any.
 *
 * Ownership: json_t results are new references (json_decref them).
 */
#ifndef MOORING_FINDING_H
#define MOORING_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "diff.h"
#include "units.h"
#include "ynode.h"

/* The host's key for secret HMACs; len 0 when there is none. */
struct finding_key {
	unsigned char *data;
	size_t len;
};

#define FINDING_KEY_FILE "secret-key"
#define FINDING_KEY_MAX	 4096

#define FINDING_KEY_NEW 32

/* Read <state_dir>/secret-key; a missing file is not an error (len 0).
 * Never creates anything. */
int finding_key_load(struct finding_key *out, const char *state_dir);
/* Create <state_dir>/secret-key (FINDING_KEY_NEW random bytes, 0600,
 * atomically) when there is none: what acts on the state dir (run,
 * accept) calls it, so that secret values are told apart by their HMAC
 * and an accepted secret covers that value only. */
int finding_key_ensure(const char *state_dir);
void finding_key_release(struct finding_key *k);

/* Does an environment variable name look like it holds a secret? */
bool finding_key_is_secret(const char *name);
/* Is the value at this canonical-model path secret (an environment value
 * with a secret-looking name, or anything under /secrets)? */
bool finding_path_is_secret(const char *path);

/*
 * The domain of one change (DESIGN 4.4): image, identity, network,
 * capacity, secret, storage, runtime or metadata. Mostly by the service
 * key the path names; a volume list that mounts the docker socket is
 * identity, a secret-looking environment variable is secret.
 */
const char *finding_domain(const struct change *ch);
/* The most important domain of several changes (identity first, then
 * secret, image, network, capacity, storage, runtime, metadata);
 * "runtime" when n is 0. */
const char *finding_domain_of(const struct change *const *changes, size_t n);
/* Does a canonical volumes list (or one mount of it) bind the docker
 * socket, or a directory holding it (/, /var, /var/run, /run)? */
bool finding_mounts_docker_socket(const struct ynode *vols);
/* The more important of two domains in that order (NULL: the other). */
const char *finding_domain_top(const char *a, const char *b);
/* The i-th service key a policy rule may only name literally (those of
 * the image, identity and network domains, command, entrypoint and
 * volumes); NULL past the last. */
const char *finding_guarded_key(size_t i);
/* Placeholder risk: the unit's tier (critical, high, standard -> medium,
 * low), one step up for identity and secret, one down for metadata. */
const char *finding_risk(const char *risk_tier, const char *domain);

/* A value as a finding may show it: JSON, masked when the path is secret
 * (an environment mapping has its secret-looking entries masked).
 * NULL v is JSON null. */
json_t *finding_value(const char *path, const struct ynode *v,
		      const struct finding_key *key);

/* What a finding is about. */
struct finding_ctx {
	const struct unit *unit;
	const char *service;   /* NULL: none */
	const char *container; /* container id, or NULL */
	const char *source;    /* source_describe() */
	const char *commit;    /* source_commit(), NULL for a directory */
	/* Absolute root of the source tree: marks under it are shown
	 * relative to it ("stacks/api/compose.yaml"). May be NULL. */
	const char *root;
	const struct finding_key *key;
	time_t now;
};

/* What kind of finding. NULL fields take the defaults noted. */
struct finding_kind {
	const char *relationship; /* actual_vs_recorded, conflict, ... */
	const char *klass;	  /* unauthorized, missing, dependency, ... */
	const char *domain;	  /* NULL: finding_domain_of(changes) */
	/* NULL: "incident" for identity, "apply" for missing and
	 * dependency, "review" for unmanaged, else "reconcile_to_git". */
	const char *recommended_action;
};

/*
 * A Finding object. changes (may be 0) become {path, desired, recorded,
 * actual, file, line} plus, when a plane lacks the key, "absent": the
 * names of those planes (their value is null, which alone could also be
 * a null value); the id is "drift-<yyyymmdd>-<first 12 hex of
 * sha256(unit/service/paths)>", stable for the same divergence on one
 * day (the container id stands in for the paths when there are none).
 * NULL with err_last() set on failure (a value that is not valid UTF-8).
 */
json_t *finding_new(const struct finding_ctx *fc, const struct finding_kind *k,
		    const struct change *const *changes, size_t n);

/* "2026-11-22T10:22:31Z" (UTC) into out. */
void finding_format_time(char out[32], time_t t);

/* A mark's file relative to root when under it (new string), else a copy;
 * NULL when file is NULL. */
char *finding_relative_file(const char *root, const char *file);

#endif

/*
 * normalize.h - from a merged, interpolated compose document to the
 * canonical model (docs/internals/CANONICAL-MODEL.md describes it).
 *
 * The canonical model is what mooring compares and hashes: one spelling
 * per meaning. Environment and labels become string maps (env_file and
 * label_file folded in, `environment` winning), ports the long form with
 * ranges expanded, volumes the long form with absolute sources, byte sizes
 * integers (binary units), cpus floats, durations Go-style strings
 * ("1m30s"), healthcheck.test a list, depends_on the long form (with the
 * implicit dependencies of links, network_mode/ipc/pid "service:" and
 * volumes_from), the implicit default network, and resource names
 * `<project>_<key>`.
 *
 * Each normalised node keeps the mark of the source node it came from,
 * so provenance survives normalisation.
 */
#ifndef MOORING_NORMALIZE_H
#define MOORING_NORMALIZE_H

#include "buf.h"
#include "interp.h"
#include "ynode.h"

enum {
	/* Leave out what Compose's normalisation step adds: the default
	 * network, resource names, implicit depends_on (compose-go's
	 * SkipNormalization, used by the conformance full example). */
	NORM_F_SKIP_DEFAULTS = 1u << 0,
	/* Accept build-only services (no image); used by conformance. */
	NORM_F_ALLOW_BUILD = 1u << 1,
};

/* Reads a file named by the project (env_file, label_file) into out. */
typedef int (*norm_read_fn)(void *data, const char *path, struct buf *out);

struct norm_ctx {
	const char *project;	 /* normalised project name */
	const char *working_dir; /* absolute; relative paths resolve here */
	const char *home_dir;	 /* for "~/" in paths; may be NULL */
	unsigned flags;
	/* The project environment: resolves `environment: [KEY]` entries
	 * with no value, and ${VAR} inside env_file contents. */
	const struct interp_env *env;
	norm_read_fn read_file; /* NULL: read from the filesystem */
	void *read_data;
};

/*
 * Check keys and value types of the whole document against the Compose
 * schema (the subset mooring knows, see schema.c): unknown keys, wrong
 * types, bad enum values, each with file:line:col. Extension keys (x-*)
 * are allowed everywhere.
 */
int schema_check(const struct ynode *root);

/* Rewrite root (a checked document) into the canonical model in place. */
int normalize_project(struct ynode *root, const struct norm_ctx *ctx);

/* Helpers shared with observe/diff later; all return MOOR_EINVAL on bad
 * input, with the node's mark in the message. */
int normalize_bytes(long long *out, const struct ynode *n);
int normalize_duration(char **out, const struct ynode *n);
/* Format nanoseconds as a Go duration string ("1m30s", "1.5s", "0s"). */
char *normalize_format_duration(long long ns);

#endif

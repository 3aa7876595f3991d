/*
 * extends.h - resolve the `extends` of every service of one compose file
 * (compose-spec 05-services.md, "extends").
 *
 * `extends: base` names a service of the same file; `extends: {service:
 * base, file: common.yaml}` one of another file, relative to the
 * extending file's directory. The base is resolved first (chains of any
 * length up to EXTENDS_MAX_DEPTH, cycles are an error naming the chain),
 * copied, and the extending service is merged onto the copy with
 * merge_service(), so its own values win. A base taken from another file
 * keeps meaning the same paths: its relative build contexts, bind mount
 * sources, env_file and label_file paths are made absolute against its
 * own directory before the merge.
 *
 * As the current spec says, the base's depends_on, links, volumes_from
 * and `service:` modes are kept; the consistency check reports what they
 * name when the project does not declare it.
 */
#ifndef MOORING_EXTENDS_H
#define MOORING_EXTENDS_H

#include "ynode.h"

#define EXTENDS_MAX_DEPTH 64

/* Loads, checks and interpolates another compose file exactly as the
 * loader does its -f files; *out is a mapping the caller frees. */
typedef int (*extends_load_fn)(void *data, struct ynode **out,
			       const char *path);

struct extends_ctx {
	extends_load_fn load;
	void *data;
};

/* Resolve every service's `extends` in doc (a mapping loaded from
 * `path`, as the user spelled it) in place. */
int extends_resolve(struct ynode *doc, const char *path,
		    const struct extends_ctx *ctx);

#endif

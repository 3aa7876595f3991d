/*
 * consistency.h - the cross-references of a normalised project (step 7 of
 * compose.h): what services name must exist, and depend on each other
 * without a cycle.
 *
 *  - depends_on (explicit, or implicit from links, `service:` modes and
 *    volumes_from) naming a service that is not defined, or that profiles
 *    disabled, is an error when the dependency is required (the default);
 *    a dependency with `required: false` is dropped (with a warning when
 *    the service does not exist at all);
 *  - a dependency cycle is an error naming it ("a -> b -> a");
 *  - networks, named volumes, secrets and configs a service uses must be
 *    declared at the top level ("default" network excepted).
 * Errors carry the mark of the offending entry.
 */
#ifndef MOORING_CONSISTENCY_H
#define MOORING_CONSISTENCY_H

#include "strmap.h"
#include "ynode.h"

/* disabled: names of the services profiles removed (may be empty). */
int consistency_check(struct ynode *root, const struct strmap *disabled);

#endif

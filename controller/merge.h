/*
 * merge.h - merging Compose files (compose-spec 13-merge.md, as Docker
 * Compose v2 / compose-go's override package implement it).
 *
 * Works on raw trees (after interpolation, before normalisation):
 *  - mappings merge recursively, scalars replace;
 *  - command, entrypoint and healthcheck.test replace (no append);
 *  - sequences append, then the ones with a unique key are de-duplicated
 *    by it, the later entry winning: ports, volumes (by target), secrets
 *    and configs (by target/source), devices, environment / labels /
 *    annotations / sysctls / extra_hosts written as KEY=VALUE lists or
 *    mappings (either form on either side), networks, dns, cap_add, ...;
 *  - `!reset` on an override value removes the key; `!override` replaces
 *    the base value whole instead of merging.
 * The marks of the winning nodes are kept, so provenance points at the
 * file and line that set each effective value.
 */
#ifndef MOORING_MERGE_H
#define MOORING_MERGE_H

#include "ynode.h"

/* Merge the document `override` into `base` (both whole compose
 * documents, mappings; an empty override is nothing to merge). Consumes
 * override (frees it), on error too. Tags left in base are dropped first
 * (they had nothing to act on), the override's tags act on base, and the
 * result is de-duplicated as merge_unicity() does. The rules themselves
 * are the table merge_rules[] in merge.c; unicity_rules[] in
 * merge_unicity.c. */
int merge_documents(struct ynode *base, struct ynode *override);

/* Merge one service definition onto another, as `extends` needs:
 * `override` is merged into `base` with the service-level rules
 * (services.*.…), tags and de-duplication included. Consumes override. */
int merge_service(struct ynode *base, struct ynode *override);

/* Apply what is left of the tags of a single document: drop values
 * tagged !reset (with their keys), clear !override flags. */
void merge_strip_tags(struct ynode *root);

/* De-duplicate the unique-key sequences of every service (compose-go's
 * EnforceUnicity): ports, volumes, environment, ... later wins. */
int merge_unicity(struct ynode *root);

#endif

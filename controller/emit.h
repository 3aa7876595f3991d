/*
 * emit.h - write a ynode tree as JSON or YAML text, with provenance.
 *
 * JSON goes through jansson (escaping, UTF-8 checks). EMIT_SORTED sorts
 * mapping keys (the canonical form hashes and tests rely on); EMIT_COMPACT
 * leaves out white space. YAML output is meant for people: block style,
 * strings quoted only when a plain scalar would read back as something
 * else, and with `explain` a trailing "# file:line:col" on every value.
 */
#ifndef MOORING_EMIT_H
#define MOORING_EMIT_H

#include <stdbool.h>

#include <jansson.h>

#include "buf.h"
#include "ynode.h"

enum {
	EMIT_SORTED = 1u << 0,
	EMIT_COMPACT = 1u << 1,
};

int emit_json(struct buf *out, const struct ynode *n, unsigned flags);
/* The same value as a jansson tree (new reference), NULL with an error
 * set when a string is not valid UTF-8. Non-finite floats become YAML's
 * ".inf"/"-.inf"/".nan" strings. */
json_t *emit_to_json(const struct ynode *n);
int emit_yaml(struct buf *out, const struct ynode *n, bool explain);

/* {"/services/api/image": "compose.yaml:3:12", ...}: every scalar, and
 * every empty collection, by JSON pointer (RFC 6901 escaping). */
int emit_provenance_json(struct buf *out, const struct ynode *n,
			 unsigned flags);

/* {"model": ..., "spec_hashes": ..., "provenance": ...}: what
 * `mooring render --format json --explain` prints. */
int emit_explain_json(struct buf *out, const struct ynode *model,
		      const struct ynode *hashes, unsigned flags);

#endif

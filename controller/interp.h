/*
 * interp.h - Compose variable interpolation.
 *
 * Syntax (compose-spec, as compose-go's template package implements it):
 *   $VAR  ${VAR}  ${VAR:-default}  ${VAR-default}  ${VAR:?err}  ${VAR?err}
 *   ${VAR:+alt}  ${VAR+alt}  $$ (a literal $)
 * Defaults, alternatives and error texts are themselves templates, so they
 * nest: ${A:-${B:-x}}. A `$` not followed by a name, `{` or `$` is kept as
 * is ("a $ string", "^REGEX$"). ":" forms treat set-but-empty as unset.
 *
 * Errors (MOOR_EINVAL, prefixed with file:line:col when a mark is given):
 *   "invalid template: '${'"            (unterminated, bad name, ...)
 *   "required variable NAME is missing a value[: err]"
 * An unset variable with no default expands to "" and is reported once
 * per call through on_unset (the compose loader turns that into a warning).
 */
#ifndef MOORING_INTERP_H
#define MOORING_INTERP_H

#include "ynode.h"

/* The value of name, or NULL when it is unset. */
typedef const char *(*interp_lookup_fn)(void *data, const char *name);

struct interp_env {
	interp_lookup_fn lookup;
	void *data;
	/* May be NULL. Called for each use of an unset variable that had no
	 * default (mark is that of the value being expanded, or NULL). */
	void (*on_unset)(void *data, const char *name,
			 const struct ymark *mark);
};

/* Expand tmpl into a new string (*out, freed by the caller). */
int interp_string(char **out, const char *tmpl, const struct interp_env *env,
		  const struct ymark *mark);

/* Expand every string value of a tree in place (mapping keys are not
 * expanded). Non-string scalars are left alone. Stops at the first error. */
int interp_tree(struct ynode *root, const struct interp_env *env);

#endif

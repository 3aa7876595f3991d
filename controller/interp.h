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
 * An unset variable with no default expands to "" and is reported through
 * on_unset at each use (the compose loader turns that into a warning, and
 * may fold repeats). Only the branch that is used is evaluated: the
 * default of a set variable is neither expanded, reported nor checked
 * beyond finding its closing brace; every `{` inside it counts towards
 * that brace, as in compose-go ("${X:-{"a":1}}").
 * Errors past the bounds below are MOOR_ELIMIT.
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

/* Work bounds: hostile templates and .env files cannot make one value, the
 * values of one tree or one .env document, or the evaluation depth of
 * nested defaults grow past these (MOOR_ELIMIT). */
#define INTERP_MAX_OUTPUT ((size_t)1 << 20)  /* bytes in one expansion */
#define INTERP_MAX_TOTAL  ((size_t)64 << 20) /* bytes per tree/document */
#define INTERP_MAX_DEPTH  32 /* ${ nested inside default/alt/error */

/* Expand tmpl into a new string (*out, freed by the caller). */
int interp_string(char **out, const char *tmpl, const struct interp_env *env,
		  const struct ymark *mark);

/* Same for a template of len bytes that may hold NUL bytes; *out_len
 * (may be NULL) receives the length of *out. */
int interp_stringn(char **out, size_t *out_len, const char *tmpl, size_t len,
		   const struct interp_env *env, const struct ymark *mark);

/* Expand every string value of a tree in place (mapping keys are not
 * expanded). Non-string scalars are left alone. Stops at the first error. */
int interp_tree(struct ynode *root, const struct interp_env *env);

#endif

/*
 * norm_internal.h - what the normalisation files (normalize.c, norm_*.c,
 * schema.c) share. Not for use outside them: the public contract is
 * normalize.h.
 *
 * All functions work in place on nodes of a checked document (schema_check
 * passed), return 0 or a negative MOOR_* code with the message set once,
 * and keep the marks of the nodes they rewrite.
 */
#ifndef MOORING_NORM_INTERNAL_H
#define MOORING_NORM_INTERNAL_H

#include <stdbool.h>

#include "normalize.h"
#include "ynode.h"

/* norm_units.c: the parsers behind normalize_bytes/normalize_duration,
 * with no error message (callers know which key they are parsing). */
bool units_parse_bytes(const char *s, long long *out);
bool units_parse_duration(const char *s, long long *out_ns);
/* strconv.ParseBool's spellings, which compose-go casts with. */
bool units_parse_bool(const char *s, bool *out);
bool units_parse_int(const char *s, long long *out);
bool units_parse_float(const char *s, double *out);
/* The text of a scalar as Compose would print it: strings as they are,
 * ints in decimal, floats shortest, bools true/false, null "". The
 * result is owned by the caller. */
char *units_scalar_text(const struct ynode *n);

/* schema.c: convert scalars to the types the schema declares (strings
 * that hold numbers or bools, byte sizes to ints, durations to Go
 * strings, string-or-list to lists). Runs on a checked document. */
int schema_coerce(struct ynode *root);

/* normalize.c helpers used by the other files. */
/* Resolve a path against working_dir ("~/" against home_dir); absolute
 * paths are cleaned ("a/./b/../c" -> "a/c"). Returns a new string. */
char *norm_abs_path(const struct norm_ctx *ctx, const char *path);
/* An error at a node: "file:line:col: fmt...". */
int norm_error(const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Turn a KEY=VALUE list or a mapping of scalars into a mapping of
 * strings (null values kept as null when keep_null, else ""). */
int norm_list_or_dict(struct ynode *n, bool keep_null);

/* norm_ports.c */
int norm_ports(struct ynode *service, const char *name);
int norm_expose(struct ynode *service, const char *name);

/* norm_volumes.c */
int norm_volumes(struct ynode *service, const char *name,
		 const struct norm_ctx *ctx);

/* norm_env.c: environment + env_file, labels + label_file. */
int norm_environment(struct ynode *service, const char *name,
		     const struct norm_ctx *ctx);
int norm_labels(struct ynode *service, const char *name,
		const struct norm_ctx *ctx);

/* norm_service.c: everything else of one service that is local to it. */
int norm_service(struct ynode *service, const char *name,
		 const struct norm_ctx *ctx);

#endif

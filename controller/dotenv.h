/*
 * dotenv.h - .env and env_file parsing with the dotenv rules Compose uses
 * (compose-go's dotenv package, itself a fork of godotenv):
 *  - `KEY=VALUE`, `KEY: VALUE` is not accepted; `export KEY=VALUE`;
 *  - blank lines and lines starting with `#` are skipped; in unquoted
 *    values an inline comment starts at " #";
 *  - single quotes: literal; double quotes: \n \t \\ \" \$ escapes and
 *    multi-line values; unquoted values are trimmed;
 *  - `${VAR}`/`$VAR` in unquoted and double-quoted values are expanded
 *    (interp.h rules) looking up `env` first, then the keys parsed so far
 *    in this document;
 *  - a bare `KEY` takes its value from `env`, and is left out when `env`
 *    does not have it;
 *  - a leading UTF-8 BOM is skipped; invalid lines are an error with
 *    "file:line: ..." (MOOR_EINVAL).
 * Each entry's mark records file and line.
 */
#ifndef MOORING_DOTENV_H
#define MOORING_DOTENV_H

#include <stddef.h>

#include "interp.h"
#include "strmap.h"

/* Parse one document into out (entries are added/replaced; out may
 * already hold entries from an earlier file). env may be NULL. */
int dotenv_parse(struct strmap *out, const char *data, size_t len,
		 const char *filename, const struct interp_env *env);

/* env_file `format: raw`: KEY=VALUE taken literally, no quotes, no
 * interpolation, no inline comments; blank and # lines skipped. */
int dotenv_parse_raw(struct strmap *out, const char *data, size_t len,
		     const char *filename);

#endif

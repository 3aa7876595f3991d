/*
 * dotenv.h - .env and env_file parsing with the dotenv rules Compose uses
 * (compose-go's dotenv package, itself a fork of godotenv):
 *  - `KEY=VALUE`, `KEY: VALUE` (YAML style, as compose-go accepts it),
 *    `export KEY=VALUE`; keys hold letters (any non-ASCII UTF-8), digits
 *    and _ . - [ ]; whitespace around them is dropped, inside them it is
 *    an error;
 *  - blank lines and lines starting with `#` are skipped; in unquoted
 *    values an inline comment starts at " #";
 *  - single quotes: literal but for \'; double quotes: \a \b \f \n \r
 *    \t \v \\ \" \$ and \0NNN (octal; NUL is an error) escapes, other
 *    escapes kept as written; both may span lines; after the closing
 *    quote parsing goes on as at the start of a line, so `A="x" # c` and
 *    `A="x"#c` are comments; unquoted values are trimmed;
 *  - `${VAR}`/`$VAR` in unquoted and double-quoted values are expanded
 *    (interp.h rules) looking up `env` first, then the keys parsed so far
 *    in this document;
 *  - a bare `KEY` takes its value from `env`, and is left out when `env`
 *    does not have it;
 *  - a leading UTF-8 BOM is skipped and CRLF read as LF; NUL bytes and
 *    invalid lines are an error with "file:line: ..." (MOOR_EINVAL), or
 *    "line N: ..." when filename is NULL;
 *  - bounds (MOOR_ELIMIT): interp.h's per value and per document, and
 *    at most 10000 variables in `out`.
 * Each entry's mark records file and line (column 0); unset variables
 * are reported through env->on_unset with that mark.
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
 * interpolation, no inline comments; blank and # lines skipped. A line
 * without '=' declares KEY with a NULL value (for the caller to resolve). */
int dotenv_parse_raw(struct strmap *out, const char *data, size_t len,
		     const char *filename);

#endif

/*
 * findings_int.h - what findings.c and findings_accept.c share: bounded
 * JSON files written atomically, the lock every read-modify-write of the
 * findings files takes, times and the user's name.
 *
 * The lock: `mooring run` rewrites findings/<unit>.json after each pass
 * while `mooring accept` or `mooring exception add` may rewrite the same
 * files by hand. Each read-modify-write holds an exclusive flock on
 * <state_dir>/findings/.lock (created 0600), so none is lost. Readers
 * take no lock: every write is atomic (state_write_atomic).
 */
#ifndef MOORING_FINDINGS_INT_H
#define MOORING_FINDINGS_INT_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>

/* Read path (at most FINDINGS_MAX_FILE bytes) as one JSON object;
 * MOOR_ENOTFOUND when there is no file, MOOR_EINVAL naming the file and
 * the position when it is not JSON or not an object. */
int findings_read_json(json_t **out, const char *path);
/*
 * A per-unit document {"unit": unit, "<list>": [...]} at path: read,
 * checked to name unit (else "'<path>' is not the <what> of unit ...")
 * and to hold a list, each entry passed to check (path, its index); a
 * missing file is an empty document.
 */
int findings_unit_doc_load(json_t **out, const char *path, const char *unit,
			   const char *list, const char *what,
			   int (*check)(const json_t *e, const char *path,
					size_t i));
/* Write doc to path atomically, creating its directory (0700). */
int findings_write_json(const char *path, const json_t *doc);

/* The exclusive lock above; *fd_out stays open until
 * findings_unlock(). */
int findings_lock(int *fd_out, const char *state_dir);
void findings_unlock(int fd);

/* "2026-11-22T10:22:31Z" (or with fractional seconds) -> time_t; -1
 * when s is NULL or not a time. */
time_t findings_parse_time(const char *s);
/* A new JSON string of t as "2026-11-22T10:22:31Z". */
json_t *findings_time_json(time_t t);
/* Resolve an open record at now: status, resolved_at, time_to_resolve_s,
 * resolution ("gone" or "accepted"). */
void findings_record_resolve(json_t *rec, time_t now, const char *resolution);

/* Who runs this: $SUDO_USER, else $USER, else "uid <n>" (new string). */
char *findings_user(void);

/* <state_dir>/findings/<unit>.json, loaded and checked: a new
 * {"unit", "records"} object, an empty one when there is no file. */
int findings_store_load(json_t **out, const char *state_dir, const char *unit);
int findings_store_save(const char *state_dir, const char *unit,
			const json_t *store);

#endif

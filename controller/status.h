/*
 * status.h - the state of each unit as `mooring run` last saw it, kept
 * where `mooring status` can read it without asking the controller:
 *
 *   <state_dir>/state/<unit>.status.json
 *   {"unit": "api", "project": "api", "status": "in_sync", "error": null,
 *    "commit": "<id or null>", "last_check": "2026-11-22T10:22:31Z",
 *    "last_success": "2026-11-22T10:22:31Z", "consecutive_errors": 0,
 *    "next_due": "2026-11-22T10:23:31Z", "findings": 0, "stale": false,
 *    "pid": 1234}
 *
 * Times are UTC, whole seconds, null when never. Written atomically after
 * each pass of the unit (temp file, fsync, rename), so a reader sees one
 * whole record. Unit names are checked (unit_name_valid) before they go
 * into a file name; they cannot hold a dot, so "<unit>.status.json" never
 * collides with the recorded plane's "<unit>.json".
 *
 * A check is successful when the remote was fetched (or the source needs
 * no fetch) and the daemon answered for the unit, whatever it found: a
 * drifted unit was checked successfully. A record whose last successful
 * check is older than stale_after is reported unknown ("stale: ..."), by
 * the controller and by `mooring status` alike: no result is not in sync.
 */
#ifndef MOORING_STATUS_H
#define MOORING_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "plan.h"

struct status_record {
	char *unit;
	char *project; /* may be NULL */
	enum unit_status status;
	char *error;	   /* why, for error/unknown (and notes); may be NULL */
	char *commit;	   /* the commit the unit was last checked against */
	time_t last_check; /* 0: never */
	time_t last_success; /* 0: never */
	unsigned consecutive_errors;
	time_t next_due; /* 0: not scheduled */
	size_t findings; /* open findings at the last check */
	bool stale;	 /* status is unknown because the check is old */
	long pid;	 /* the controller that wrote it; 0: unknown */
};

void status_record_release(struct status_record *r);
/* Deep copy. */
void status_record_copy(struct status_record *out,
			const struct status_record *r);

/* The JSON object above (new reference). */
json_t *status_record_json(const struct status_record *r);
/* Back from JSON; MOOR_EINVAL naming the key when it does not fit. */
int status_record_from_json(struct status_record *out, const json_t *j);

/* Write state/<unit>.status.json atomically (creating state/). */
int status_save(const char *state_dir, const struct status_record *r);
/* MOOR_ENOTFOUND when there is no record for the unit. */
int status_load(struct status_record *out, const char *state_dir,
		const char *unit);
/* Every record in the state dir, sorted by unit name (none: *nout 0). A
 * record that cannot be read comes back as status error naming why. */
int status_load_all(struct status_record **out, size_t *nout,
		    const char *state_dir);
void status_records_free(struct status_record *r, size_t n);
/* Remove a unit's record (gone from the registry); absent is fine. */
int status_remove(const char *state_dir, const char *unit);

/*
 * Is the record's last successful check older than stale_after_ms at
 * `now` (or was there never one)? stale_after_ms <= 0 never is.
 */
bool status_is_stale(const struct status_record *r, time_t now,
		     long stale_after_ms);
/* Mark r stale when it is (and not an error, which says more): status
 * unknown, error "stale: <why>; last successful check at T, more than
 * <stale_after> ago" (why may be NULL). Returns whether it did. */
bool status_mark_stale(struct status_record *r, time_t now, long stale_after_ms,
		       const char *why);

/* The exit code `mooring status` and `mooring run --once` give a set of
 * units: 1 when any is error, unknown or stale (or there are none), else
 * 2 when any is pending, drift or conflict, else 0. */
int status_exit_code(const struct status_record *r, size_t n);

/* "in_sync" -> UNIT_IN_SYNC; MOOR_EINVAL for a name not in the list. */
int status_parse_name(enum unit_status *out, const char *name);
/* "2026-11-22T10:22:31Z" (UTC); out has room for 32 bytes. */
void status_format_time(char *out, size_t size, time_t t);
/* The reverse; MOOR_EINVAL when s is not of that form. */
int status_parse_time(time_t *out, const char *s);

#endif

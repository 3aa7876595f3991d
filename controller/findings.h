/*
 * findings.h - findings as first-class records: stable ids, a lifecycle,
 * kept in the state dir; the accepted runtime values and the exceptions
 * added from the command line live beside them.
 *
 * Files (each written atomically as state.c writes: temp file, fsync,
 * rename, fsync dir; every reader bounded):
 *
 *   <state_dir>/findings/<unit>.json
 *     {"unit": "api", "records": [
 *        {"key": "<12 hex>",          fingerprint, see below
 *         "id": "drift-20261122-<12 hex>",   date of first detection
 *         "status": "open" | "resolved",
 *         "detected_at": "2026-11-22T10:22:31Z",
 *         "changed_at": "2026-11-22T10:21:58Z" | null,  first audit event
 *                                                       from outside mooring
 *         "last_seen_at": "...",
 *         "resolved_at": "..." | null,
 *         "time_to_detect_s": 33 | null,  detected_at - changed_at
 *         "time_to_resolve_s": 120 | null, resolved_at - detected_at
 *         "resolution": "gone" | "accepted" | null,
 *         "finding": { the last Finding object seen (DESIGN 4.4) }}]}
 *
 *   <state_dir>/accepted/<unit>.json
 *     {"unit": "api", "accepted": [
 *        {"finding": "<id>", "service": "api", "path": "/services/api/...",
 *         "actual": <value as the finding showed it (masked if secret)>,
 *         "actual_hash": "<sha256 hex of the canonical JSON of the
 *                         unmasked actual value>",
 *         "desired_hash": "<same for the desired value at accept time>",
 *         "reason": "...", "by": "<user from $SUDO_USER/$USER or uid>",
 *         "time": "..."}]}
 *
 *   <state_dir>/exceptions.json
 *     {"exceptions": [{"incident": "INC-1", "unit": "api",
 *        "services": ["api"] | [], "fields": ["/services/api/mem_limit"] | [],
 *        "expires": "2026-11-23T06:00:00Z", "reason": "...",
 *        "added_at": "...", "by": "..."}]}
 *
 * The fingerprint (key) of a finding: the first 12 hex of
 * sha256("<unit>\n<service or ->\n<relationship>\n<class>\n<sorted
 * change paths joined by \n, or the container id when none>"). The same
 * divergence seen again keeps its record, id and detected_at; a finding
 * object's "id" is rewritten to the record's id. Ids are unique in a
 * store: a divergence that comes back the day it was resolved gets
 * "drift-<date>-<key>-2" (then -3...).
 *
 * Every read-modify-write (update, accept, exception add) holds an
 * exclusive flock on <state_dir>/findings/.lock, so `mooring run` and a
 * command run by hand never lose each other's change.
 *
 * Lifecycle (findings_update_at, called by `mooring run` after each pass
 * of a unit, never by `mooring plan`: reading never mutates):
 *   - a finding whose key has an open record: last_seen_at, finding
 *     refreshed;
 *   - a finding whose key has no open record but one resolved as
 *     "accepted" at or after the time the pass's plan read the host
 *     (observed_at): left alone, no record opened (`mooring accept` ran
 *     between the plan and this call; the next plan decides);
 *   - a new key: a new open record (id from today's date), changed_at
 *     from the finding's audit events from outside mooring when it has
 *     any ("audit": {"events": [{"time": ..., "outside_mooring": true}]}:
 *     the earliest; mooring's own create and start are not the change);
 *   - an open record whose key is not in this pass: resolved now
 *     (resolution "gone"), time_to_resolve_s set;
 *   - resolved records are kept FINDINGS_KEEP_RESOLVED days, then dropped.
 *
 * Secrets: records hold finding objects as finding.c made them (secret
 * values already masked), so nothing here ever sees a secret in clear
 * except findings_accept's hashes, which hash the masked form when
 * that is all the finding carries.
 */
#ifndef MOORING_FINDINGS_H
#define MOORING_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#define FINDINGS_KEEP_RESOLVED 30 /* days */
#define FINDINGS_MAX_FILE      (16u << 20)

/* The fingerprint of a finding object (see above) into out. */
void findings_key(char out[13], const json_t *finding, const char *unit);

/*
 * Give the findings of one pass (array of Finding objects, changed in
 * place: "id" set from the store, "detected_at" from the record) their
 * stable ids without writing anything: for `mooring plan`, the API and
 * `mooring run` alike. A missing store is not an error.
 */
int findings_assign_ids(json_t *findings, const char *state_dir,
			const char *unit);

/*
 * Record one pass of a unit at now (lifecycle above) and assign ids as
 * findings_assign_ids() does; observed_at is when the plan that made
 * findings read the host. A finding left alone because it was accepted
 * since gets the id and detected_at of the accepted record (every id
 * names a record of the store); nothing else of the caller's array
 * changes. *opened_out (may be NULL) gets a new array of the records
 * this call opened, exactly once each (for "finding_opened" in the
 * journal); *resolved_out (may be NULL) a new array of copies of the
 * records it resolved (for the journal and the log). The caller decrefs
 * both. On error neither is set and the store is unchanged.
 */
int findings_update_at(json_t *findings, const char *state_dir,
		       const char *unit, time_t now, time_t observed_at,
		       json_t **opened_out, json_t **resolved_out);
/* findings_update_at() of a plan made at now, without opened_out. */
int findings_update(json_t *findings, const char *state_dir, const char *unit,
		    time_t now, json_t **resolved_out);

/*
 * Every record of the state dir (all units), as a new array sorted by
 * unit then detected_at; open_only drops resolved ones. Each record comes
 * with its "unit" (first key), the one its file names whatever a "unit"
 * key in the record says. A file that cannot be read (too large, not
 * JSON, not of the shape above) is an error naming it.
 */
int findings_list(json_t **out, const char *state_dir, bool open_only);

/* The record with this id (any unit), a new reference; MOOR_ENOTFOUND. */
int findings_find(json_t **out, const char *state_dir, const char *id);

/*
 * `mooring accept --finding ID --reason TEXT`: the finding's actual
 * values become accepted for its unit (one entry per change path, in
 * accepted/<unit>.json), the record is resolved with resolution
 * "accepted", and the acceptance is journaled (journal_action with
 * action "accept" and detail "<id>: <reason>"; journal may be NULL).
 * The journal comes first, then the record (resolved as accepted), then
 * accepted/: a crash after the record leaves the value unaccepted, so the
 * divergence opens again under a new id, never resolved as "gone" while
 * it is still there. An empty reason, an unknown or already resolved
 * finding, a finding without changes (unmanaged, missing) or one that
 * accepted values never cover (emergency, controller_owned, policy, a
 * conflict with git): MOOR_EINVAL with a clear message.
 */
struct journal;
int findings_accept(const char *state_dir, const char *id, const char *reason,
		    struct journal *journal, time_t now);

/*
 * Is the change at path of service accepted: an entry for it whose
 * actual_hash is the hash of actual and whose desired_hash is the hash
 * of desired (a new desired value in git ends the acceptance)? values
 * are canonical-model JSON (the caller converts). An entry that no
 * longer matches is left in the file (harmless) and not reported.
 */
struct findings_accepted;
int findings_accepted_load(struct findings_accepted **out,
			   const char *state_dir, const char *unit);
bool findings_accepted_covers(const struct findings_accepted *a,
			      const char *path, const json_t *desired,
			      const json_t *actual);
void findings_accepted_free(struct findings_accepted *a);
/* sha256 hex of the canonical (sorted keys, compact) JSON of v. */
void findings_value_hash(char out[65], const json_t *v);

/*
 * Exceptions added by `mooring exception add`: appended to
 * exceptions.json (expired ones are dropped when the file is rewritten)
 * and journaled (action "exception", detail "<incident> until <expires>:
 * <reason>"). findings_exceptions_load() gives the open ones as an array
 * of the objects above (new reference).
 */
int findings_exception_add(const char *state_dir, const json_t *exception,
			   struct journal *journal, time_t now);
int findings_exceptions_load(json_t **out, const char *state_dir, time_t now);

#endif

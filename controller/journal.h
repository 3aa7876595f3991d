/*
 * journal.h - the audit journal in <state_dir>/journal/: what happened to
 * the containers of managed projects, as the Docker daemon reported it
 * (the daemon itself keeps only its last 256 events), and mooring's own
 * actions, so that an event can be told apart as mooring's or someone
 * else's.
 *
 * One JSON object per line, appended with O_APPEND and fsynced:
 *   {"seq": 12, "time": "2026-11-22T10:22:31.123Z", "kind": "event",
 *    "unit": "api", "project": "api", "service": "api",
 *    "container": "<id>", "action": "update", "attributes": {...},
 *    "outside_mooring": true}
 *   {"seq": 13, "time": ..., "kind": "action", "unit": "api",
 *    "service": "api", "container": "<id>", "action": "recreate",
 *    "detail": "spec_changed"}
 * Every record also has "time_nano" (what matching and audit compare);
 * actions have the writer's "pid"; an exec event has "action":
 * "exec_start" and its "command" (hidden when it looks secret).
 * A torn last line (crash mid-append) is detected on open and ignored,
 * and a record {"kind": "recovered", "detail": ...} says so.
 * Files rotate by size (journal.jsonl -> journal.1.jsonl, a few kept).
 * Secrets never go in: event attributes are copied except env-like ones
 * and those whose key looks secret (finding_key_is_secret).
 *
 * Several processes may write one journal (`mooring run` and `mooring
 * apply` by hand): appends take a flock on journal/lock and re-read the
 * last seq when another process wrote, so seq stays one sequence.
 * Events that state or read rather than change (health_status, attach,
 * top, ...) are kept with outside_mooring false.
 */
#ifndef MOORING_JOURNAL_H
#define MOORING_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct journal;

int journal_open(struct journal **out, const char *state_dir);
void journal_close(struct journal *j);

/*
 * mooring's own action on a container, written BEFORE the engine call
 * that makes the daemon emit its events (so the event finds it). The
 * container may be a name when the id is not known yet (create).
 */
int journal_action(struct journal *j, const char *unit, const char *service,
		   const char *container, const char *action,
		   const char *detail);

/*
 * A daemon event (the JSON of GET /events, borrowed). Decides
 * outside_mooring by looking for a matching own action (same container
 * id or name, an action that explains this event type, within a time
 * window) and appends it. *outside_out (may be NULL) gets the verdict.
 */
int journal_event(struct journal *j, const json_t *event, bool *outside_out);

/*
 * journal_event with the unit as the caller knows it (the events watcher
 * asks the config which unit owns the project); NULL: the container's
 * io.mooring.unit label. Both return 1, appending nothing, when the same
 * event (time, container, action) is in the journal already: a watcher
 * that reconnects asks for events since the last one it saw, and the
 * daemon sends that second again.
 */
int journal_event_unit(struct journal *j, const json_t *event, const char *unit,
		       bool *outside_out);

/* Unix seconds of the newest event in the journal (0: none), where a
 * restarted watcher resumes. */
time_t journal_last_event_time(struct journal *j);

/* Rotate when journal.jsonl would pass this size; JOURNAL_KEEP old files
 * (journal.1.jsonl newest) are kept. Tests set a smaller size. */
#define JOURNAL_ROTATE_SIZE (8u << 20)
#define JOURNAL_KEEP	    3
void journal_set_rotate_size(struct journal *j, size_t bytes);

/* How far back an own action explains an event (seconds). */
#define JOURNAL_MATCH_WINDOW 120

/*
 * The line reader every read goes through: calls fn for each line of
 * data that is a record (a JSON object with an integer "seq" and a string
 * "kind"; rec is borrowed) until fn returns non-zero. Returns how many
 * lines were skipped as torn or garbage (a last line without its newline
 * counts as torn).
 */
typedef int (*journal_record_fn)(void *data, json_t *rec);
size_t journal_parse(const char *data, size_t len, journal_record_fn fn,
		     void *arg);

/* Records of kind "event" with outside_mooring true, since `since` (unix
 * seconds, 0: all), for one unit (NULL: all); a JSON array. */
int journal_outside_changes(json_t **out, const char *state_dir, time_t since,
			    const char *unit);

/* Every event and action record of unit (time order) since since (0:
 * all the journal holds): the audit trail behind a finding. */
int journal_unit_records(json_t **out, const char *state_dir, time_t since,
			 const char *unit);

/* The process-wide journal apply writes its actions to (NULL: none). */
void journal_set_default(struct journal *j);
struct journal *journal_default(void);

#endif

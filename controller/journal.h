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
 * A torn last line (crash mid-append) is detected on open and ignored.
 * Files rotate by size (journal.jsonl -> journal.1.jsonl, a few kept).
 * Secrets never go in: event attributes are copied except env-like ones.
 */
#ifndef MOORING_JOURNAL_H
#define MOORING_JOURNAL_H

#include <stdbool.h>
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

/* Records of kind "event" with outside_mooring true, since `since` (unix
 * seconds, 0: all), for one unit (NULL: all); a JSON array. */
int journal_outside_changes(json_t **out, const char *state_dir, time_t since,
			    const char *unit);

/* The process-wide journal apply writes its actions to (NULL: none). */
void journal_set_default(struct journal *j);
struct journal *journal_default(void);

#endif

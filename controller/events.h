/*
 * events.h - the long-lived Docker events watcher of `mooring run`.
 *
 * A thread with its own engine connection streams container events of
 * compose projects (filters: type=container, label=com.docker.compose.
 * project), appends each to the journal, and calls on_unit for events on
 * containers of a managed unit (label io.mooring.unit, or a project a
 * unit owns) whose action may change what plan sees: update, kill, die,
 * destroy, rename, exec_start, start, stop, create, oom. The stream
 * reconnects with exponential backoff (1 s .. 60 s) when the daemon goes
 * away; events missed in between are asked for with `since`.
 */
#ifndef MOORING_EVENTS_H
#define MOORING_EVENTS_H

#include "journal.h"

struct events;

struct events_options {
	const char *socket_path;
	struct journal *journal;
	/* unit of a project (NULL: not managed); called on the events
	 * thread, must be thread-safe. */
	const char *(*unit_of_project)(void *data, const char *project);
	/* an event of interest on a unit's container; thread-safe. */
	void (*on_unit)(void *data, const char *unit, const char *action,
			bool outside_mooring);
	void *data;
};

int events_start(struct events **out, const struct events_options *o);
/* Stop the thread (within about a second) and free. NULL is a no-op. */
void events_stop(struct events *ev);
/* Is the stream connected now? (for /readyz and metrics) */
bool events_connected(const struct events *ev);

#endif

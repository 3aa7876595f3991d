/*
 * events.c - the Docker events watcher (events.h).
 *
 * The thread asks for events in windows of EVENTS_WINDOW seconds
 * (since=S until=now+window) rather than one endless stream, so that
 * events_stop() is obeyed within a window even when the daemon is
 * silent. No event falls between two windows: the next one starts at
 * the second the last ended, or at the last event seen, and the daemon
 * replays from its buffer what it has since then; what is replayed twice
 * is recognised by the journal (time, container, action) and dropped.
 * A failure closes the connection and waits 1, 2, 4 ... 60 s before the
 * next try, resuming from the last event seen.
 */
#include "events.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "engine.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#include "banned.h"

#define EVENTS_WINDOW	   1
#define EVENTS_BACKOFF_MIN 1
#define EVENTS_BACKOFF_MAX 60
/* Containers whose healthcheck command is remembered. */
#define EVENTS_HC_CACHE 64

struct events_hc {
	char *id;
	char *cmd; /* as the daemon writes it in exec_start; NULL: none */
};

struct events {
	struct events_options o;
	char *socket_path;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;	/* lock */
	bool connected; /* atomic */
	long last_seen; /* events thread only: unix seconds */
	/* events thread only: a second connection for inspects (the first
	 * one is busy streaming) and what it found */
	struct engine *inspect;
	struct events_hc hc[EVENTS_HC_CACHE];
	size_t hc_next;
};

/* What plan should look at again after (events.h). */
static bool action_of_interest(const char *action)
{
	static const char *const wanted[] = {
	    "update", "kill", "die",	"destroy", "rename", "exec_start",
	    "start",  "stop", "create", "oom",	   "pause",  "unpause",
	};

	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (!strcmp(action, wanted[i]))
			return true;
	return false;
}

static bool events_stopping(struct events *ev)
{
	bool stop;

	pthread_mutex_lock(&ev->lock);
	stop = ev->stop;
	pthread_mutex_unlock(&ev->lock);
	return stop;
}

static void events_set_connected(struct events *ev, bool on)
{
	__atomic_store_n(&ev->connected, on, __ATOMIC_RELEASE);
}

bool events_connected(const struct events *ev)
{
	return ev && __atomic_load_n(&ev->connected, __ATOMIC_ACQUIRE);
}

static const char *attr(const json_t *event, const char *key)
{
	return json_string_value(json_object_get(
	    json_object_get(json_object_get(event, "Actor"), "Attributes"),
	    key));
}

/* The exec_start text of a healthcheck: the daemon runs CMD-SHELL as
 * "/bin/sh -c <cmd>" and CMD as its words, joined by spaces. */
static char *healthcheck_command(const json_t *info)
{
	const json_t *test = json_object_get(
	    json_object_get(json_object_get(info, "Config"), "Healthcheck"),
	    "Test");
	const char *kind = json_string_value(json_array_get(test, 0));
	struct buf b = BUF_INIT(64u << 10);
	size_t i;

	if (!kind || json_array_size(test) < 2)
		return NULL;
	if (!strcmp(kind, "CMD-SHELL"))
		buf_adds(&b, "/bin/sh -c ");
	else if (strcmp(kind, "CMD"))
		return NULL;
	for (i = 1; i < json_array_size(test); i++) {
		const char *w = json_string_value(json_array_get(test, i));

		if (i > 1)
			buf_addc(&b, ' ');
		if (w && buf_adds(&b, w) < 0)
			break;
	}
	return buf_detach(&b, NULL);
}

/*
 * Is this exec the daemon's healthcheck probe? Those run every interval
 * and would bury the changes people make (and plan the unit each time).
 * The container's healthcheck is asked once and remembered: it cannot
 * change without a new container.
 */
static bool events_is_healthcheck(struct events *ev, const char *id,
				  const char *cmd)
{
	struct engine_options eo = {0};
	struct events_hc *hc = NULL;
	json_t *info = NULL;
	size_t len;

	for (size_t i = 0; i < EVENTS_HC_CACHE && !hc; i++)
		if (ev->hc[i].id && !strcmp(ev->hc[i].id, id))
			hc = &ev->hc[i];
	if (!hc) {
		eo.socket_path = ev->socket_path;
		eo.request_timeout_ms = 5000;
		if (!ev->inspect && engine_open(&ev->inspect, &eo) < 0)
			return false;
		if (engine_container_inspect(ev->inspect, &info, id) < 0) {
			/* Gone already, or the daemon is away: count it. */
			err_clear();
			return false;
		}
		hc = &ev->hc[ev->hc_next];
		ev->hc_next = (ev->hc_next + 1) % EVENTS_HC_CACHE;
		free(hc->id);
		free(hc->cmd);
		hc->id = xstrdup(id);
		hc->cmd = healthcheck_command(info);
		json_decref(info);
	}
	if (!hc->cmd)
		return false;
	/* A CMD of one word ends in the space before its (no) arguments. */
	len = strlen(cmd);
	while (len > 0 && cmd[len - 1] == ' ')
		len--;
	return strlen(hc->cmd) == len && !strncmp(hc->cmd, cmd, len);
}

/* exec_create and exec_die frame an exec_start, which is the one kept;
 * exec_detach is a client going away. */
static bool events_skipped(struct events *ev, const json_t *event,
			   const char *action, const char *raw)
{
	const char *id = json_string_value(
	    json_object_get(json_object_get(event, "Actor"), "ID"));

	if (!strcmp(action, "exec_create") || !strcmp(action, "exec_die") ||
	    !strcmp(action, "exec_detach"))
		return true;
	/* "exec_start: <cmd>"; a bare "exec_start:" has no command. */
	if (!strcmp(action, "exec_start") && id && strstr(raw, ": "))
		return events_is_healthcheck(ev, id, strstr(raw, ": ") + 2);
	return false;
}

static int events_one(void *data, json_t *event)
{
	struct events *ev = data;
	const char *project = attr(event, "com.docker.compose.project");
	const char *raw = json_string_value(json_object_get(event, "Action"));
	const char *colon = raw ? strchr(raw, ':') : NULL;
	char *unit = NULL, *action = NULL;
	long t = (long)json_integer_value(json_object_get(event, "time"));
	bool outside = true;
	int rc;

	if (events_stopping(ev))
		return 1;
	if (t > ev->last_seen)
		ev->last_seen = t;
	if (project && ev->o.unit_of_project) {
		const char *u = ev->o.unit_of_project(ev->o.data, project);

		unit = u ? xstrdup(u) : NULL;
	} else if (!ev->o.unit_of_project && attr(event, "io.mooring.unit")) {
		unit = xstrdup(attr(event, "io.mooring.unit"));
	}
	/* Other compose projects on the host are none of our business. */
	if (!unit || !raw)
		goto cleanup;
	action = colon ? xstrndup(raw, (size_t)(colon - raw)) : xstrdup(raw);
	if (events_skipped(ev, event, action, raw))
		goto cleanup;
	/* Without a journal events only trigger (nothing tells ours from
	 * outside ones, nor a replay). */
	rc = ev->o.journal
		 ? journal_event_unit(ev->o.journal, event, unit, &outside)
		 : 0;
	if (rc < 0)
		log_warnx("docker events: %s", err_last());
	if (rc == 1)
		goto cleanup; /* a replay */
	if (action_of_interest(action) && ev->o.on_unit)
		ev->o.on_unit(ev->o.data, unit, action, outside);
cleanup:
	free(unit);
	free(action);
	return 0;
}

/* Sleep up to s seconds; false when told to stop meanwhile. */
static bool events_sleep(struct events *ev, int s)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += s;
	pthread_mutex_lock(&ev->lock);
	while (!ev->stop &&
	       pthread_cond_timedwait(&ev->wake, &ev->lock, &until) == 0)
		;
	stop = ev->stop;
	pthread_mutex_unlock(&ev->lock);
	return !stop;
}

static void *events_main(void *arg)
{
	struct events *ev = arg;
	struct engine_options eo = {0};
	struct engine *e = NULL;
	json_t *filters = NULL;
	long since;
	int backoff = EVENTS_BACKOFF_MIN;
	bool warned = false;

	eo.socket_path = ev->socket_path;
	filters = json_pack("{s:[s], s:[s]}", "type", "container", "label",
			    "com.docker.compose.project");
	/* Resume where the journal ends (a restart), else from now. */
	since =
	    ev->o.journal ? (long)journal_last_event_time(ev->o.journal) : 0;
	if (since <= 0)
		since = (long)time(NULL);
	while (!events_stopping(ev)) {
		long until = 0;
		int error = 0;

		if (!e)
			error = engine_open(&e, &eo);
		if (error == 0) {
			until = (long)time(NULL) + EVENTS_WINDOW;
			error = engine_events(e, filters, since, until,
					      events_one, ev);
		}
		if (error < 0) {
			events_set_connected(ev, false);
			engine_free(e);
			e = NULL;
			if (!warned)
				log_warnx("docker events: %s (retrying)",
					  err_last());
			warned = true;
			/* Resume after what the broken window delivered. */
			if (ev->last_seen > since)
				since = ev->last_seen;
			if (!events_sleep(ev, backoff))
				break;
			backoff = backoff * 2 > EVENTS_BACKOFF_MAX
				      ? EVENTS_BACKOFF_MAX
				      : backoff * 2;
			continue;
		}
		if (warned)
			log_info("docker events: connected again");
		warned = false;
		events_set_connected(ev, true);
		backoff = EVENTS_BACKOFF_MIN;
		/* The next window starts one second back (the daemon's since
		 * is whole seconds and inclusive): the overlap is replayed and
		 * dropped as such, a gap would lose events. */
		since = until - 1;
	}
	events_set_connected(ev, false);
	engine_free(e);
	engine_free(ev->inspect);
	ev->inspect = NULL;
	for (size_t i = 0; i < EVENTS_HC_CACHE; i++) {
		free(ev->hc[i].id);
		free(ev->hc[i].cmd);
	}
	json_decref(filters);
	return NULL;
}

int events_start(struct events **out, const struct events_options *o)
{
	struct events *ev = NULL;
	int error = -1;

	if (!o)
		return err_set(MOOR_EINVAL,
			       "no options for the events watcher");
	if (!o->journal)
		log_warnx("docker events are not journaled: no audit journal");
	ev = xcalloc(1, sizeof(*ev));
	ev->o = *o;
	ev->socket_path = o->socket_path ? xstrdup(o->socket_path) : NULL;
	ev->o.socket_path = ev->socket_path;
	pthread_mutex_init(&ev->lock, NULL);
	pthread_cond_init(&ev->wake, NULL);
	if (pthread_create(&ev->thread, NULL, events_main, ev)) {
		error = err_set(MOOR_ERR, "cannot start the events thread");
		goto cleanup;
	}
	*out = ev;
	ev = NULL;
	error = 0;
cleanup:
	if (ev) {
		pthread_cond_destroy(&ev->wake);
		pthread_mutex_destroy(&ev->lock);
		free(ev->socket_path);
		free(ev);
	}
	return error;
}

void events_stop(struct events *ev)
{
	if (!ev)
		return;
	pthread_mutex_lock(&ev->lock);
	ev->stop = true;
	pthread_cond_broadcast(&ev->wake);
	pthread_mutex_unlock(&ev->lock);
	pthread_join(ev->thread, NULL);
	pthread_cond_destroy(&ev->wake);
	pthread_mutex_destroy(&ev->lock);
	free(ev->socket_path);
	free(ev);
}

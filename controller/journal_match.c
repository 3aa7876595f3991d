/*
 * journal_match.c - telling mooring's own changes from everyone else's.
 *
 * An event on a container is mooring's when mooring wrote an action on
 * the same container (id, or name when the id was not known yet: create)
 * at most JOURNAL_MATCH_WINDOW seconds before it, and that action is one
 * that makes the daemon emit this event (a stop emits kill, die, stop).
 * The actions are kept in memory (a ring) for the process that writes
 * them; `mooring apply` run by hand is another process, so when memory
 * has no match the tail of the journal files is read for action records
 * it wrote, and those are remembered too.
 */
#include "journal_int.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct explains {
	const char *own;
	const char *events[5];
} explains_table[] = {
    {"create", {"create"}},
    {"start", {"start"}},
    {"stop", {"kill", "die", "stop"}},
    {"restart", {"kill", "die", "stop", "start", "restart"}},
    {"remove", {"destroy", "die", "kill"}},
    {"rename", {"rename"}},
    /* connect and disconnect emit network events, never container
     * events: they explain nothing here. */
};

bool journal_explains(const char *own, const char *action)
{
	if (!own || !action)
		return false;
	/* A recreate (when recorded as one) covers every event of both the
	 * old and the new container. */
	if (!strcmp(own, "recreate"))
		return true;
	for (size_t i = 0; i < NELEM(explains_table); i++) {
		const struct explains *e = &explains_table[i];

		if (strcmp(e->own, own))
			continue;
		for (size_t k = 0; k < NELEM(e->events) && e->events[k]; k++)
			if (!strcmp(e->events[k], action))
				return true;
		return false;
	}
	return false;
}

static bool own_equal(const struct journal_own *o, long long nano,
		      const char *container, const char *action)
{
	return o->container && o->nano == nano &&
	       !strcmp(o->container, container) && !strcmp(o->action, action);
}

void journal_own_add(struct journal *j, long long nano, const char *container,
		     const char *action)
{
	struct journal_own *o = &j->own[j->own_next];

	if (!container || !action)
		return;
	for (size_t i = 0; i < JOURNAL_OWN_MAX; i++)
		if (own_equal(&j->own[i], nano, container, action))
			return;
	free(o->container);
	free(o->action);
	o->nano = nano;
	o->container = xstrdup(container);
	o->action = xstrdup(action);
	j->own_next = (j->own_next + 1) % JOURNAL_OWN_MAX;
}

void journal_own_release(struct journal *j)
{
	for (size_t i = 0; i < JOURNAL_OWN_MAX; i++) {
		free(j->own[i].container);
		free(j->own[i].action);
	}
	memset(j->own, 0, sizeof(j->own));
	j->own_next = 0;
}

static bool in_window(long long own_nano, long long ev_nano)
{
	return own_nano <= ev_nano + JOURNAL_MATCH_SLACK_NS &&
	       ev_nano - own_nano <= JOURNAL_MATCH_WINDOW * JOURNAL_NS;
}

static bool same_container(const char *own, const char *id, const char *name)
{
	return (id && *id && !strcmp(own, id)) ||
	       (name && *name && !strcmp(own, name));
}

static bool own_memory_match(const struct journal *j, long long nano,
			     const char *id, const char *name,
			     const char *action)
{
	for (size_t i = 0; i < JOURNAL_OWN_MAX; i++) {
		const struct journal_own *o = &j->own[i];

		if (o->container && in_window(o->nano, nano) &&
		    same_container(o->container, id, name) &&
		    journal_explains(o->action, action))
			return true;
	}
	return false;
}

struct own_load {
	struct journal *j;
	long long nano;
};

static int own_load_one(void *data, json_t *rec)
{
	struct own_load *l = data;
	long long t = journal_time(rec);

	if (strcmp(journal_str(rec, "kind"), "action") || !t ||
	    !in_window(t, l->nano))
		return 0;
	journal_own_add(l->j, t, journal_str(rec, "container"),
			journal_str(rec, "action"));
	return 0;
}

/* Remember the recent action records of the journal files. */
static void own_load_files(struct journal *j, long long nano)
{
	struct buf b = BUF_INIT(JOURNAL_TAIL);
	struct own_load l = {j, nano};
	off_t size = 0;

	/* The newest file, and the one before when the newest is short (it
	 * may have been rotated a moment ago). */
	for (unsigned n = 0; n <= 1; n++) {
		char *path = journal_file(j->dir, n);
		int error = journal_read_tail(&b, &size, path, JOURNAL_TAIL);

		free(path);
		if (error < 0) {
			err_clear();
			size = 0;
		} else {
			journal_parse(b.data, b.len, own_load_one, &l);
		}
		if ((size_t)size >= JOURNAL_TAIL)
			break;
	}
	buf_release(&b);
}

bool journal_own_match(struct journal *j, long long nano, const char *id,
		       const char *name, const char *action)
{
	if (own_memory_match(j, nano, id, name, action))
		return true;
	own_load_files(j, nano);
	return own_memory_match(j, nano, id, name, action);
}

uint64_t journal_event_key(long long nano, const char *id, const char *action)
{
	/* FNV-1a: only ever compared with keys of this process's making. */
	uint64_t h = 14695981039346656037ULL;
	const char *parts[2] = {id ? id : "", action ? action : ""};

	for (int i = 0; i < 8; i++) {
		h ^= (uint64_t)((unsigned long long)nano >> (8 * i)) & 0xff;
		h *= 1099511628211ULL;
	}
	for (size_t p = 0; p < 2; p++) {
		for (const char *s = parts[p]; *s; s++) {
			h ^= (unsigned char)*s;
			h *= 1099511628211ULL;
		}
		h ^= 0xff; /* separator: ("ab","c") is not ("a","bc") */
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

bool journal_seen(const struct journal *j, uint64_t key)
{
	for (size_t i = 0; i < JOURNAL_SEEN_MAX; i++)
		if (j->seen[i] == key)
			return true;
	return false;
}

void journal_seen_add(struct journal *j, uint64_t key)
{
	j->seen[j->seen_next] = key;
	j->seen_next = (j->seen_next + 1) % JOURNAL_SEEN_MAX;
}

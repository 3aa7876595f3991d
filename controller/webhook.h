/*
 * webhook.h - the pure parts of POST /hooks/git: the signature check
 * (webhook_verify, declared in server.h), the memory of recent delivery
 * ids that turns a replayed delivery into a no-op, and the coalescing of
 * bursts of pushes into few polls. No I/O and no clock of their own: the
 * server passes the time in, so tests drive them with made-up times.
 */
#ifndef MOORING_WEBHOOK_H
#define MOORING_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The last this many delivery ids are remembered. */
#define WEBHOOK_REPLAY_SLOTS   1024
#define WEBHOOK_REPLAY_BUCKETS 1024

/*
 * Delivery ids are kept as their SHA-256, so that an id of any length
 * costs 32 bytes. A ring holds them in arrival order (the oldest is
 * forgotten first); buckets chain the ring slots by digest for lookup.
 * The struct is about 37 KiB: embed it in something allocated.
 */
struct webhook_replay {
	unsigned char ids[WEBHOOK_REPLAY_SLOTS][32];
	int16_t next[WEBHOOK_REPLAY_SLOTS];    /* chain; -1 ends */
	int16_t heads[WEBHOOK_REPLAY_BUCKETS]; /* first slot; -1 none */
	unsigned used;			       /* filled slots */
	unsigned pos;			       /* next slot to write */
};

void webhook_replay_init(struct webhook_replay *r);
/* True when id is among the remembered ones; otherwise remember it (the
 * oldest is forgotten when full) and return false. */
bool webhook_replay_seen(struct webhook_replay *r, const char *id, size_t len);

/*
 * Coalescing: at most one poll per window. The first push after a quiet
 * window fires at once; pushes within the window after a fire are held
 * as one pending poll that fires when the window has passed, so that a
 * push is never lost to the rate limit (the poll it gets may start up to
 * one window late). Times are seconds on a monotonic clock.
 */
struct webhook_coalesce {
	double window;
	double last; /* time of the last fire */
	bool fired;  /* last is valid */
	bool pending;
};

void webhook_coalesce_init(struct webhook_coalesce *c, double window);
/* A verified push arrived. */
void webhook_coalesce_push(struct webhook_coalesce *c);
/* True when a poll should be triggered at now (and it is then recorded as
 * fired); otherwise *wait_out is the seconds until one is due, or -1 when
 * nothing is pending. */
bool webhook_coalesce_take(struct webhook_coalesce *c, double now,
			   double *wait_out);

#endif

/*
 * run_schedule.h - when `mooring run` looks at a unit next. Pure
 * functions of their arguments (the caller brings the clock and the
 * random numbers), so the arithmetic is unit-tested on its own.
 *
 * A unit in good health is checked every poll_interval, give or take
 * SCHED_JITTER_PERCENT (so units, and hosts started together, do not all
 * fetch and inspect at the same instant). After N consecutive failures
 * the delay is poll_interval/4 doubled N-1 times, capped at
 * SCHED_BACKOFF_CAP x poll_interval: a transient failure is retried soon,
 * a lasting one costs little. The delay never falls below
 * SCHED_MIN_RETRY_MS (or the interval itself, when that is shorter).
 * Jitter applies to retries too, then the cap applies again.
 */
#ifndef MOORING_RUN_SCHEDULE_H
#define MOORING_RUN_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#define SCHED_JITTER_PERCENT 10
#define SCHED_BACKOFF_CAP    5
#define SCHED_MIN_RETRY_MS   1000L

/* delay_ms +- SCHED_JITTER_PERCENT, from 32 random bits; at least 1. */
long sched_jitter(long delay_ms, uint32_t rnd);
/* The delay after `errors` consecutive failures (0: the interval). */
long sched_backoff(long interval_ms, unsigned errors);
/* sched_backoff with jitter, still within the cap. */
long sched_next_delay(long interval_ms, unsigned errors, uint32_t rnd);
/* Units due within this much of now are taken in the same round, so one
 * fetch serves them all: the width of the jitter. */
long sched_batch_window(long interval_ms);
/* Does a round starting at now_ms fetch? Yes when forced (a webhook),
 * never fetched, or the last fetch is half an interval old or more: with
 * jittered units a round comes about once per interval, and a fetch per
 * round is enough. */
bool sched_should_fetch(long long now_ms, long long last_fetch_ms,
			long interval_ms, bool forced);
/* A small, fast generator for the jitter (xorshift32); *state != 0. */
uint32_t sched_random(uint32_t *state);

#endif

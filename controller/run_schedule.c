/* run_schedule.c - schedule, jitter and backoff arithmetic (see
 * run_schedule.h). */
#include "run_schedule.h"

#include "banned.h"

long sched_jitter(long delay_ms, uint32_t rnd)
{
	long span = delay_ms / 100 * SCHED_JITTER_PERCENT +
		    delay_ms % 100 * SCHED_JITTER_PERCENT / 100;
	long d;

	if (delay_ms <= 0)
		return 1;
	if (span <= 0)
		return delay_ms;
	/* Uniform in [-span, +span]. */
	d = delay_ms - span + (long)(rnd % (uint32_t)(2 * span + 1));
	return d > 0 ? d : 1;
}

static long sched_cap(long interval_ms)
{
	const long max = 30L * 24 * 3600 * 1000;

	return interval_ms > max / SCHED_BACKOFF_CAP
		   ? max
		   : interval_ms * SCHED_BACKOFF_CAP;
}

long sched_backoff(long interval_ms, unsigned errors)
{
	long cap, floor, d;

	if (interval_ms <= 0)
		interval_ms = 1;
	if (errors == 0)
		return interval_ms;
	cap = sched_cap(interval_ms);
	floor =
	    interval_ms < SCHED_MIN_RETRY_MS ? interval_ms : SCHED_MIN_RETRY_MS;
	d = interval_ms / 4;
	for (unsigned i = 1; i < errors && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	return d < floor ? floor : d;
}

long sched_next_delay(long interval_ms, unsigned errors, uint32_t rnd)
{
	long d = sched_jitter(sched_backoff(interval_ms, errors), rnd);
	long cap = sched_cap(interval_ms > 0 ? interval_ms : 1);

	return errors && d > cap ? cap : d;
}

long sched_batch_window(long interval_ms)
{
	return interval_ms > 0 ? interval_ms / 100 * SCHED_JITTER_PERCENT : 0;
}

bool sched_should_fetch(long long now_ms, long long last_fetch_ms,
			long interval_ms, bool forced)
{
	if (forced || last_fetch_ms <= 0)
		return true;
	return now_ms - last_fetch_ms >= interval_ms / 2;
}

uint32_t sched_random(uint32_t *state)
{
	uint32_t x = *state ? *state : 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

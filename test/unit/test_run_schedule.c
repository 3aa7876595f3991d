/* test_run_schedule.c - the controller's schedule, jitter and backoff
 * arithmetic (run_schedule.h). */
#include "unit.h"

#include "run_schedule.h"

static void test_run_schedule__jitter_stays_within_ten_percent(void **state)
{
	uint32_t rng = 12345;
	long lo = 1000000, hi = 0;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		long d = sched_jitter(60000, sched_random(&rng));

		assert_true(d >= 54000 && d <= 66000);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	/* Spread over the whole window, not stuck at one value. */
	assert_true(lo < 54300);
	assert_true(hi > 65700);
}

static void test_run_schedule__jitter_extremes(void **state)
{
	(void)state;
	/* rnd 0 is the low end, 2*span the high end, and it wraps. */
	assert_int_equal(sched_jitter(1000, 0), 900);
	assert_int_equal(sched_jitter(1000, 200), 1100);
	assert_int_equal(sched_jitter(1000, 201), 900);
	assert_int_equal(sched_jitter(1000, 100), 1000);
	/* Too short to jitter, or nonsense: still a positive delay. */
	assert_int_equal(sched_jitter(5, 7), 5);
	assert_int_equal(sched_jitter(0, 7), 1);
	assert_int_equal(sched_jitter(-10, 7), 1);
}

static void test_run_schedule__jitter_is_unbiased(void **state)
{
	uint32_t rng = 99;
	long long sum = 0;
	const int n = 200000;

	(void)state;
	for (int i = 0; i < n; i++)
		sum += sched_jitter(10000, sched_random(&rng));
	/* The mean stays at the interval (within 0.2 %). */
	assert_true(sum / n > 9980 && sum / n < 10020);
}

static void test_run_schedule__backoff_doubles_from_a_quarter(void **state)
{
	(void)state;
	assert_int_equal(sched_backoff(60000, 0), 60000);
	assert_int_equal(sched_backoff(60000, 1), 15000);
	assert_int_equal(sched_backoff(60000, 2), 30000);
	assert_int_equal(sched_backoff(60000, 3), 60000);
	assert_int_equal(sched_backoff(60000, 4), 120000);
	assert_int_equal(sched_backoff(60000, 5), 240000);
	/* Capped at five intervals, however long it fails. */
	assert_int_equal(sched_backoff(60000, 6), 300000);
	assert_int_equal(sched_backoff(60000, 7), 300000);
	assert_int_equal(sched_backoff(60000, 1000), 300000);
	assert_int_equal(sched_backoff(60000, 4000000000u), 300000);
}

static void test_run_schedule__backoff_has_a_floor(void **state)
{
	(void)state;
	/* A quarter of 2 s is 500 ms: retried after 1 s at the soonest. */
	assert_int_equal(sched_backoff(2000, 1), 1000);
	assert_int_equal(sched_backoff(2000, 2), 1000);
	assert_int_equal(sched_backoff(2000, 3), 2000);
	assert_int_equal(sched_backoff(2000, 9), 10000);
	/* An interval under the floor is its own floor. */
	assert_int_equal(sched_backoff(400, 1), 400);
	assert_int_equal(sched_backoff(400, 10), 2000);
}

static void test_run_schedule__backoff_does_not_overflow(void **state)
{
	const long month = 30L * 24 * 3600 * 1000;

	(void)state;
	/* A month-long interval: the cap itself is bounded. */
	assert_true(sched_backoff(month, 100) <= month);
	assert_true(sched_backoff(month, 100) > 0);
	assert_int_equal(sched_backoff(0, 0), 1);
}

static void test_run_schedule__next_delay_keeps_the_cap(void **state)
{
	uint32_t rng = 7;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		long d = sched_next_delay(1000, 50, sched_random(&rng));

		assert_true(d >= 4500 && d <= 5000);
	}
	for (int i = 0; i < 10000; i++) {
		long d = sched_next_delay(1000, 0, sched_random(&rng));

		assert_true(d >= 900 && d <= 1100);
	}
	for (int i = 0; i < 10000; i++) {
		long d = sched_next_delay(60000, 1, sched_random(&rng));

		assert_true(d >= 13500 && d <= 16500);
	}
}

static void test_run_schedule__batch_window(void **state)
{
	(void)state;
	assert_int_equal(sched_batch_window(60000), 6000);
	assert_int_equal(sched_batch_window(1000), 100);
	assert_int_equal(sched_batch_window(0), 0);
}

static void test_run_schedule__one_fetch_per_round(void **state)
{
	(void)state;
	/* First round, and a webhook: always. */
	assert_true(sched_should_fetch(5000, 0, 60000, false));
	assert_true(sched_should_fetch(5000, 4999, 60000, true));
	/* Units due a little apart share the last fetch. */
	assert_false(sched_should_fetch(10000, 5000, 60000, false));
	assert_false(sched_should_fetch(34999, 5000, 60000, false));
	assert_true(sched_should_fetch(35000, 5000, 60000, false));
}

static void test_run_schedule__random_never_sticks_at_zero(void **state)
{
	uint32_t rng = 0;
	uint32_t a = sched_random(&rng), b = sched_random(&rng);

	(void)state;
	assert_true(rng != 0);
	assert_true(a != b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		test_run_schedule__jitter_stays_within_ten_percent),
	    cmocka_unit_test(test_run_schedule__jitter_extremes),
	    cmocka_unit_test(test_run_schedule__jitter_is_unbiased),
	    cmocka_unit_test(test_run_schedule__backoff_doubles_from_a_quarter),
	    cmocka_unit_test(test_run_schedule__backoff_has_a_floor),
	    cmocka_unit_test(test_run_schedule__backoff_does_not_overflow),
	    cmocka_unit_test(test_run_schedule__next_delay_keeps_the_cap),
	    cmocka_unit_test(test_run_schedule__batch_window),
	    cmocka_unit_test(test_run_schedule__one_fetch_per_round),
	    cmocka_unit_test(test_run_schedule__random_never_sticks_at_zero),
	};
	return cmocka_run_group_tests_name("run_schedule", tests, NULL, NULL);
}

/* test_metrics.c - histograms and their Prometheus text, byte for byte. */
#include "unit.h"

#include <math.h>

#include "buf.h"
#include "metrics.h"

static void test_metrics__bucket_bounds(void **state)
{
	static const double want[METRICS_BUCKETS] = {
	    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60,
	};

	(void)state;
	for (size_t i = 0; i < METRICS_BUCKETS; i++)
		assert_true(metrics_bucket_bounds[i] == want[i]);
}

static void test_metrics__observe_le_is_inclusive(void **state)
{
	struct histogram h = {{0}, 0, 0};

	(void)state;
	histogram_observe(&h, 0.005); /* on the bound: first bucket */
	histogram_observe(&h, 0.0051);
	histogram_observe(&h, 60);
	histogram_observe(&h, 61);
	assert_int_equal(h.counts[0], 1);
	assert_int_equal(h.counts[1], 1);
	assert_int_equal(h.counts[11], 1);
	assert_int_equal(h.counts[12], 1);
	assert_int_equal(h.count, 4);
}

static void test_metrics__observe_bad_values_as_zero(void **state)
{
	struct histogram h = {{0}, 0, 0};

	(void)state;
	histogram_observe(&h, -1);
	histogram_observe(&h, NAN);
	assert_int_equal(h.counts[0], 2);
	assert_int_equal(h.count, 2);
	assert_true(h.sum == 0);
}

static void test_metrics__histogram_text(void **state)
{
	struct histogram h = {{0}, 0, 0};
	struct buf out = BUF_INIT(1 << 16);

	(void)state;
	histogram_observe(&h, 0.003);
	histogram_observe(&h, 0.2);
	histogram_observe(&h, 0.1);
	histogram_observe(&h, 1.5);
	histogram_observe(&h, 100);
	assert_int_equal(metrics_write_histogram(&out,
						 "mooring_reconcile_seconds",
						 "unit=\"api\"", &h),
			 0);
	assert_string_equal(
	    buf_cstr(&out),
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"0.005\"} 1\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"0.01\"} 1\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"0.025\"} 1\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"0.05\"} 1\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"0.1\"} 2\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"0.25\"} 3\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"0.5\"} 3\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"1\"} 3\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"2.5\"} 4\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"5\"} 4\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"10\"} 4\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"60\"} 4\n"
	    "mooring_reconcile_seconds_bucket{unit=\"api\",le=\"+Inf\"} 5\n"
	    "mooring_reconcile_seconds_sum{unit=\"api\"} 101.803\n"
	    "mooring_reconcile_seconds_count{unit=\"api\"} 5\n");
	buf_release(&out);
}

static void test_metrics__histogram_text_without_labels(void **state)
{
	struct histogram h = {{0}, 0, 0};
	struct buf out = BUF_INIT(1 << 16);
	const char *want_empty = "fetch_seconds_bucket{le=\"0.005\"} 0\n"
				 "fetch_seconds_bucket{le=\"0.01\"} 0\n"
				 "fetch_seconds_bucket{le=\"0.025\"} 0\n"
				 "fetch_seconds_bucket{le=\"0.05\"} 0\n"
				 "fetch_seconds_bucket{le=\"0.1\"} 0\n"
				 "fetch_seconds_bucket{le=\"0.25\"} 0\n"
				 "fetch_seconds_bucket{le=\"0.5\"} 0\n"
				 "fetch_seconds_bucket{le=\"1\"} 0\n"
				 "fetch_seconds_bucket{le=\"2.5\"} 0\n"
				 "fetch_seconds_bucket{le=\"5\"} 0\n"
				 "fetch_seconds_bucket{le=\"10\"} 0\n"
				 "fetch_seconds_bucket{le=\"60\"} 0\n"
				 "fetch_seconds_bucket{le=\"+Inf\"} 0\n"
				 "fetch_seconds_sum 0\n"
				 "fetch_seconds_count 0\n";

	(void)state;
	assert_int_equal(
	    metrics_write_histogram(&out, "fetch_seconds", NULL, &h), 0);
	assert_string_equal(buf_cstr(&out), want_empty);
	buf_reset(&out);
	assert_int_equal(metrics_write_histogram(&out, "fetch_seconds", "", &h),
			 0);
	assert_string_equal(buf_cstr(&out), want_empty);
	buf_release(&out);
}

static void test_metrics__sum_shortest_round_trip(void **state)
{
	struct histogram h = {{0}, 0, 0};
	struct buf out = BUF_INIT(1 << 16);

	(void)state;
	histogram_observe(&h, 0.1);
	histogram_observe(&h, 0.2); /* 0.30000000000000004 in binary */
	assert_int_equal(metrics_write_histogram(&out, "x", NULL, &h), 0);
	assert_non_null(strstr(buf_cstr(&out), "x_sum 0.30000000000000004\n"));
	buf_reset(&out);
	h.sum = 1e-7;
	assert_int_equal(metrics_write_histogram(&out, "x", NULL, &h), 0);
	assert_non_null(strstr(buf_cstr(&out), "x_sum 1e-07\n"));
	/* Go's FormatFloat(v, 'g', -1, 64), as Prometheus' clients. */
	static const struct {
		double v;
		const char *text;
	} cases[] = {
	    {0.0001, "0.0001"}, {123456, "123456"},   {1234567, "1.234567e+06"},
	    {1.5e6, "1.5e+06"}, {-2.5, "-2.5"},	      {100, "100"},
	    {1e21, "1e+21"},	{0.00012, "0.00012"}, {INFINITY, "+Inf"},
	};
	char want[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		h.sum = cases[i].v;
		assert_int_equal(metrics_write_histogram(&out, "x", NULL, &h),
				 0);
		snprintf(want, sizeof(want), "x_sum %s\n", cases[i].text);
		if (!strstr(buf_cstr(&out), want))
			fail_msg("%g: no '%s'", cases[i].v, cases[i].text);
	}
	buf_release(&out);
}

static void test_metrics__label_escaping(void **state)
{
	struct buf out = BUF_INIT(1 << 10);

	(void)state;
	assert_int_equal(metrics_write_label_value(&out, "a\\b\"c\nd"), 0);
	assert_string_equal(buf_cstr(&out), "a\\\\b\\\"c\\nd");
	buf_reset(&out);
	assert_int_equal(metrics_write_label_value(&out, "plain-unit_1"), 0);
	assert_string_equal(buf_cstr(&out), "plain-unit_1");
	buf_release(&out);
}

static void test_metrics__limit_is_an_error(void **state)
{
	struct histogram h = {{0}, 0, 0};
	struct buf out = BUF_INIT(100);

	(void)state;
	assert_int_equal(metrics_write_histogram(&out, "x", NULL, &h),
			 MOOR_ELIMIT);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metrics__bucket_bounds),
	    cmocka_unit_test(test_metrics__observe_le_is_inclusive),
	    cmocka_unit_test(test_metrics__observe_bad_values_as_zero),
	    cmocka_unit_test(test_metrics__histogram_text),
	    cmocka_unit_test(test_metrics__histogram_text_without_labels),
	    cmocka_unit_test(test_metrics__sum_shortest_round_trip),
	    cmocka_unit_test(test_metrics__label_escaping),
	    cmocka_unit_test(test_metrics__limit_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

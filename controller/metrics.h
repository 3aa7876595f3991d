/*
 * metrics.h - the numbers the controller keeps for /metrics: counters and
 * fixed-bucket histograms (Prometheus' model), and their text rendering.
 * Observations are cheap and lock-free for the caller: a histogram is
 * owned by one writer (the controller loop) and copied under the
 * controller's lock for a snapshot.
 */
#ifndef MOORING_METRICS_H
#define MOORING_METRICS_H

#include <stddef.h>

#include "buf.h"

#define METRICS_BUCKETS 12

/* Seconds: 5 ms .. 60 s, then +Inf. */
struct histogram {
	unsigned long long counts[METRICS_BUCKETS + 1]; /* last: +Inf */
	double sum;
	unsigned long long count;
};

extern const double metrics_bucket_bounds[METRICS_BUCKETS];

void histogram_observe(struct histogram *h, double seconds);

/* Append one histogram in Prometheus text format: NAME_bucket{le=..},
 * NAME_sum, NAME_count; labels (may be NULL) like `unit="api"`. HELP and
 * TYPE lines are the caller's. */
int metrics_write_histogram(struct buf *out, const char *name,
			    const char *labels, const struct histogram *h);

/* Escape a label value as Prometheus text format requires (\\, \", \n). */
int metrics_write_label_value(struct buf *out, const char *value);

#endif

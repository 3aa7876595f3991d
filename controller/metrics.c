/*
 * metrics.c - fixed-bucket histograms and their Prometheus text form.
 *
 * Buckets are stored per bucket and written cumulatively, as the text
 * format wants (le="x" counts every observation <= x). Numbers are
 * written in the shortest form that reads back to the same double, as
 * Prometheus' own clients do, so the output is stable and exact.
 */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#include "banned.h"

const double metrics_bucket_bounds[METRICS_BUCKETS] = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60,
};

void histogram_observe(struct histogram *h, double seconds)
{
	size_t i = 0;

	/* A negative or NaN duration is a clock hiccup: count it as 0
	 * rather than poison the sum. */
	if (!(seconds >= 0))
		seconds = 0;
	while (i < METRICS_BUCKETS && seconds > metrics_bucket_bounds[i])
		i++;
	h->counts[i]++;
	h->sum += seconds;
	h->count++;
}

/* The shortest digits that read back to v, laid out as Go's
 * strconv.FormatFloat(v, 'g', -1, 64) does (Prometheus' clients): plain
 * decimals for exponents -4..5, else an exponent ("1e-07", "1.5e+06"). */
static void metrics_format_double(char out[32], double v)
{
	int prec = 17, exp;
	char *e;

	if (isnan(v)) {
		snprintf(out, 32, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, 32, "%sInf", v < 0 ? "-" : "+");
		return;
	}
	if (v == 0) {
		snprintf(out, 32, "0");
		return;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(out, 32, "%.*e", p - 1, v);
		if (strtod(out, NULL) == v) {
			prec = p;
			break;
		}
	}
	snprintf(out, 32, "%.*e", prec - 1, v);
	e = strchr(out, 'e');
	exp = e ? (int)strtol(e + 1, NULL, 10) : 0;
	if (exp < -4 || exp >= 6)
		return;
	snprintf(out, 32, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, v);
}

int metrics_write_histogram(struct buf *out, const char *name,
			    const char *labels, const struct histogram *h)
{
	const char *sep = labels && *labels ? "," : "";
	char num[32];
	unsigned long long cum = 0;
	int error = 0;

	if (!labels)
		labels = "";
	for (size_t i = 0; i < METRICS_BUCKETS && !error; i++) {
		cum += h->counts[i];
		metrics_format_double(num, metrics_bucket_bounds[i]);
		error = buf_printf(out, "%s_bucket{%s%sle=\"%s\"} %llu\n", name,
				   labels, sep, num, cum);
	}
	/* +Inf is every observation: the count, as Prometheus requires. */
	if (!error)
		error = buf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n",
				   name, labels, sep, h->count);
	metrics_format_double(num, h->sum);
	if (!error && *labels)
		error = buf_printf(out, "%s_sum{%s} %s\n%s_count{%s} %llu\n",
				   name, labels, num, name, labels, h->count);
	else if (!error)
		error = buf_printf(out, "%s_sum %s\n%s_count %llu\n", name, num,
				   name, h->count);
	return error;
}

int metrics_write_label_value(struct buf *out, const char *value)
{
	int error = 0;

	if (!value)
		return 0;
	for (const char *p = value; *p && !error; p++) {
		if (*p == '\\')
			error = buf_adds(out, "\\\\");
		else if (*p == '"')
			error = buf_adds(out, "\\\"");
		else if (*p == '\n')
			error = buf_adds(out, "\\n");
		else
			error = buf_addc(out, *p);
	}
	return error;
}

/*
 * metrics.h - the time series of a run, sampled every metrics period.
 *
 * Models keep plain counters and gauges in their own structs and register
 * them here once; every period the registry turns them into one row of
 * timeseries.csv, whose columns are named "<resource>/<Metric>" after the
 * CloudWatch metric they model. Each metric is described once, in a
 * struct metric_def table owned by its model; those tables also produce
 * dictionary.csv (per run) and docs/metrics.md.
 *
 * A period covers [end - period, end): an event at exactly a period
 * boundary falls in the next period.
 */
#ifndef WEIR_METRICS_H
#define WEIR_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "weir/csvw.h"
#include "weir/hist.h"
#include "weir/level.h"
#include "weir/sim.h"

enum metric_kind {
	METRIC_SUM,     /* a counter: how much it grew during the period */
	METRIC_GAUGE,   /* a level: its value at the end of the period */
	METRIC_AVERAGE, /* growth of a numerator counter over growth of a denominator */
	METRIC_PERCENTILES, /* p50, p90, p99 and max of the values recorded in the period */
	METRIC_MEAN,    /* the time average of a level over the period */
	METRIC_MAX      /* the largest value a level took during the period */
};

struct metric_def {
	const char *name;   /* CloudWatch-style name, e.g. "NumberOfMessagesSent" */
	const char *unit;   /* "count", "seconds", "bytes", "messages/s", ... */
	enum metric_kind kind;
	const char *rule;   /* rule-book section, or NULL */
	const char *desc;   /* one sentence */
};

/* A resource kind's metric table, for the metrics reference. */
struct metric_family {
	const char *kind;   /* "queue", "producer", ... */
	const char *intro;  /* one paragraph */
	const char *prefix; /* the column prefix in the reference; NULL: "NAME" (the resource's name) */
	const struct metric_def *defs;
	size_t ndefs;
};

typedef double metric_gauge_fn(const void *ctx);

struct metrics;

struct metrics *metrics_create(struct sim *sim, sim_time period);
void metrics_destroy(struct metrics *m);

void metrics_sum(struct metrics *m, const char *resource, const struct metric_def *def,
		 const uint64_t *counter);
/* A gauge read through fn(ctx), times scale (e.g. 1e-6 for us -> s). */
void metrics_gauge(struct metrics *m, const char *resource, const struct metric_def *def,
		   metric_gauge_fn *fn, const void *ctx);
void metrics_average(struct metrics *m, const char *resource, const struct metric_def *def,
		     const uint64_t *num, const uint64_t *den, double scale);
/* The time average of a level over each period (exact: from its integral). */
void metrics_mean(struct metrics *m, const char *resource, const struct metric_def *def,
		  const struct level *l);
/* The peak of a level in each period (the registry resets l->peak). */
void metrics_max(struct metrics *m, const char *resource, const struct metric_def *def,
		 struct level *l);
/* Percentiles of h, read and reset every period; values scaled by scale. */
void metrics_percentiles(struct metrics *m, const char *resource, const struct metric_def *def,
			 struct hist *h, double scale);

/*
 * Starts sampling: writes the header of ts and schedules a sample at every
 * period boundary. ts may be NULL (no file; the registry still resets
 * per-period histograms).
 */
void metrics_start(struct metrics *m, struct csvw *ts);
/* Writes the last (possibly partial) period ending at now. */
void metrics_finish(struct metrics *m);
/* Writes dictionary.csv rows: column, resource, metric, statistic, unit, description. */
void metrics_write_dictionary(const struct metrics *m, struct csvw *w);
size_t metrics_columns(const struct metrics *m);

/* Writes the metrics reference for the given families as Markdown. */
void metrics_write_markdown(const struct metric_family *fams, size_t n, FILE *out);

#endif

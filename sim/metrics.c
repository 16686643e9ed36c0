/*
 * metrics.c - sampling registered counters and gauges into timeseries.csv.
 */
#include "weir/metrics.h"
#include "weir/base.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double pct_q[] = { 0.50, 0.90, 0.99, 1.0 };
static const char *const pct_names[] = { "p50", "p90", "p99", "max" };
#define NPCT 4

struct series {
	char *resource;
	const struct metric_def *def;
	const uint64_t *counter, *den;
	uint64_t last, last_den;
	metric_gauge_fn *fn;
	const void *ctx;
	struct hist *h;
	const struct level *level;
	struct level *peak;
	double last_area;
	double scale;
};

struct metrics {
	struct sim *sim;
	sim_time period;
	sim_time last_end;     /* end of the last period written */
	struct vec series;     /* struct series */
	struct csvw *out;
	sim_event_id timer;
};

struct metrics *metrics_create(struct sim *sim, sim_time period)
{
	struct metrics *m = weir_calloc(1, sizeof(*m));

	WEIR_ASSERT(period > 0);
	m->sim = sim;
	m->period = period;
	return m;
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->series.len; i++)
		free(VEC_AT(&m->series, struct series, i)->resource);
	vec_release(&m->series);
	free(m);
}

static struct series *add(struct metrics *m, const char *resource, const struct metric_def *def)
{
	struct series *s = vec_push(&m->series, sizeof(*s));

	s->resource = weir_strdup(resource);
	s->def = def;
	s->scale = 1;
	return s;
}

void metrics_sum(struct metrics *m, const char *resource, const struct metric_def *def,
		 const uint64_t *counter)
{
	WEIR_ASSERT(def->kind == METRIC_SUM);
	add(m, resource, def)->counter = counter;
}

void metrics_gauge(struct metrics *m, const char *resource, const struct metric_def *def,
		   metric_gauge_fn *fn, const void *ctx)
{
	struct series *s;

	WEIR_ASSERT(def->kind == METRIC_GAUGE);
	s = add(m, resource, def);
	s->fn = fn;
	s->ctx = ctx;
}

void metrics_average(struct metrics *m, const char *resource, const struct metric_def *def,
		     const uint64_t *num, const uint64_t *den, double scale)
{
	struct series *s;

	WEIR_ASSERT(def->kind == METRIC_AVERAGE);
	s = add(m, resource, def);
	s->counter = num;
	s->den = den;
	s->scale = scale;
}

void metrics_mean(struct metrics *m, const char *resource, const struct metric_def *def,
		  const struct level *l)
{
	WEIR_ASSERT(def->kind == METRIC_MEAN);
	add(m, resource, def)->level = l;
}

void metrics_max(struct metrics *m, const char *resource, const struct metric_def *def,
		 struct level *l)
{
	WEIR_ASSERT(def->kind == METRIC_MAX);
	add(m, resource, def)->peak = l;
}

void metrics_percentiles(struct metrics *m, const char *resource, const struct metric_def *def,
			 struct hist *h, double scale)
{
	struct series *s;

	WEIR_ASSERT(def->kind == METRIC_PERCENTILES);
	s = add(m, resource, def);
	s->h = h;
	s->scale = scale;
}

size_t metrics_columns(const struct metrics *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->series.len; i++)
		n += VEC_AT(&m->series, struct series, i)->h ? NPCT : 1;
	return n;
}

static void column_name(const struct series *s, int pct, char *buf, size_t n)
{
	if (pct >= 0)
		snprintf(buf, n, "%s/%s.%s", s->resource, s->def->name, pct_names[pct]);
	else
		snprintf(buf, n, "%s/%s", s->resource, s->def->name);
}

static void write_header(struct metrics *m)
{
	char name[512];

	csvw_str(m->out, "time_s");
	for (size_t i = 0; i < m->series.len; i++) {
		const struct series *s = VEC_AT(&m->series, struct series, i);

		for (int p = s->h ? 0 : -1; p < (s->h ? NPCT : 0); p++) {
			column_name(s, p, name, sizeof(name));
			csvw_str(m->out, name);
		}
	}
	csvw_end_row(m->out);
}

/* Writes one series' value(s) for the period just ended and resets them. */
static void sample_series(struct metrics *m, struct series *s)
{
	double v = NAN;

	if (s->h) {
		for (int p = 0; p < NPCT; p++)
			if (m->out)
				csvw_num(m->out, hist_quantile(s->h, pct_q[p]) * s->scale);
		hist_reset(s->h);
		return;
	}
	if (s->peak) {
		v = (double)s->peak->peak;
		s->peak->peak = s->peak->value;   /* the next period starts from here */
	} else if (s->level) {
		double area = level_area(s->level, sim_now(m->sim));
		sim_time span = sim_now(m->sim) - m->last_end;

		v = span > 0 ? (area - s->last_area) / (double)span : NAN;
		s->last_area = area;
	} else if (s->fn) {
		v = s->fn(s->ctx) * s->scale;
	} else if (s->den) {
		uint64_t dn = *s->counter - s->last, dd = *s->den - s->last_den;

		v = dd ? (double)dn / (double)dd * s->scale : NAN;
		s->last_den = *s->den;
	} else {
		v = (double)(*s->counter - s->last);
	}
	if (s->counter)
		s->last = *s->counter;
	if (m->out)
		csvw_num(m->out, v);
}

static void sample(struct metrics *m, sim_time end)
{
	if (m->out)
		csvw_time(m->out, end);
	for (size_t i = 0; i < m->series.len; i++)
		sample_series(m, VEC_AT(&m->series, struct series, i));
	if (m->out)
		csvw_end_row(m->out);
	m->last_end = end;
}

static void on_period(struct sim *sim, void *subject, void *object)
{
	struct metrics *m = subject;

	(void)object;
	sample(m, sim_now(sim));
	m->timer = sim_schedule_in(sim, m->period, on_period, m, NULL);
}

void metrics_start(struct metrics *m, struct csvw *ts)
{
	m->out = ts;
	m->last_end = sim_now(m->sim);
	if (ts)
		write_header(m);
	for (size_t i = 0; i < m->series.len; i++) {
		struct series *s = VEC_AT(&m->series, struct series, i);

		if (s->counter)
			s->last = *s->counter;
		if (s->den)
			s->last_den = *s->den;
		if (s->level)
			s->last_area = level_area(s->level, sim_now(m->sim));
		if (s->peak)
			s->peak->peak = s->peak->value;
	}
	m->timer = sim_schedule_in(m->sim, m->period, on_period, m, NULL);
}

void metrics_finish(struct metrics *m)
{
	sim_cancel(m->sim, m->timer);
	if (sim_now(m->sim) > m->last_end)
		sample(m, sim_now(m->sim));
}

static const char *kind_name(enum metric_kind k)
{
	switch (k) {
	case METRIC_SUM: return "sum";
	case METRIC_GAUGE: return "gauge";
	case METRIC_AVERAGE: return "average";
	case METRIC_PERCENTILES: return "percentile";
	case METRIC_MEAN: return "time average";
	case METRIC_MAX: return "maximum";
	}
	return "?";
}

void metrics_write_dictionary(const struct metrics *m, struct csvw *w)
{
	char name[512], stat[32];

	csvw_str(w, "column");
	csvw_str(w, "resource");
	csvw_str(w, "metric");
	csvw_str(w, "statistic");
	csvw_str(w, "unit");
	csvw_str(w, "description");
	csvw_end_row(w);
	csvw_str(w, "time_s");
	csvw_str(w, "");
	csvw_str(w, "time");
	csvw_str(w, "end");
	csvw_str(w, "seconds");
	csvw_str(w, "end of the metrics period, seconds since the start of the run");
	csvw_end_row(w);
	for (size_t i = 0; i < m->series.len; i++) {
		const struct series *s = VEC_AT(&m->series, struct series, i);

		for (int p = s->h ? 0 : -1; p < (s->h ? NPCT : 0); p++) {
			column_name(s, p, name, sizeof(name));
			snprintf(stat, sizeof(stat), "%s", p >= 0 ? pct_names[p] : kind_name(s->def->kind));
			csvw_str(w, name);
			csvw_str(w, s->resource);
			csvw_str(w, s->def->name);
			csvw_str(w, stat);
			csvw_str(w, s->def->unit);
			csvw_str(w, s->def->desc);
			csvw_end_row(w);
		}
	}
}

void metrics_write_markdown(const struct metric_family *fams, size_t n, FILE *out)
{
	for (size_t f = 0; f < n; f++) {
		fprintf(out, "## %s metrics\n\n%s\n\n", fams[f].kind, fams[f].intro);
		fprintf(out, "| Column | Unit | Statistic per period | Rule | Meaning |\n");
		fprintf(out, "|---|---|---|---|---|\n");
		const char *pre = fams[f].prefix ? fams[f].prefix : "NAME";

		for (size_t i = 0; i < fams[f].ndefs; i++) {
			const struct metric_def *d = &fams[f].defs[i];

			if (d->kind == METRIC_PERCENTILES)
				fprintf(out, "| `%s/%s.p50`, `.p90`, `.p99`, `.max` |", pre, d->name);
			else
				fprintf(out, "| `%s/%s` |", pre, d->name);
			fprintf(out, " %s | %s | %s | %s |\n", d->unit, kind_name(d->kind),
				d->rule ? d->rule : "", d->desc);
		}
		fputc('\n', out);
	}
}

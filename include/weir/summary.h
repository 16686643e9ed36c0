/*
 * summary.h - the summary of a run: one row per resource and statistic,
 * written as summary.csv and shown as tables on stdout.
 */
#ifndef WEIR_SUMMARY_H
#define WEIR_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "weir/base.h"
#include "weir/csvw.h"

/* A summary statistic, described once for summary.csv and docs/metrics.md. */
struct stat_def {
	const char *name;
	const char *unit;
	const char *desc;
};

struct stat_family {
	const char *kind;
	const struct stat_def *defs;
	size_t ndefs;
};

struct summary_row {
	char *resource;
	const char *kind;
	const struct stat_def *def;
	double value;
};

struct summary {
	struct vec rows;   /* struct summary_row */
};

void summary_add(struct summary *s, const char *resource, const char *kind,
		 const struct stat_def *def, double value);
/* The row of stat for resource, or NULL. */
const struct summary_row *summary_find(const struct summary *s, const char *resource, const char *stat);
/* The value of stat for resource, or NAN. */
double summary_get(const struct summary *s, const char *resource, const char *stat);
/* Writes the header and one row per statistic. */
void summary_write(const struct summary *s, struct csvw *w);
void summary_release(struct summary *s);
void summary_write_markdown(const struct stat_family *fams, size_t n, FILE *out);

/* Human-readable numbers for tables: "360,012", "45.2ms", "3m10s". */
char *fmt_count(double v, char *buf, size_t n);
char *fmt_seconds(double s, char *buf, size_t n);

#endif

/*
 * dist.h - probability distributions written in scenarios, sampled with GSL.
 *
 *   250ms                              a bare value: constant
 *   constant(250ms)                    constant(value=250ms)
 *   exponential(mean=2s)               exponential(rate=0.5/s)   (durations only for rate=)
 *   uniform(min=10ms, max=30ms)
 *   normal(mean=400ms, sd=100ms)       truncated at 0 for durations and sizes (mean >= 0)
 *   lognormal(median=800ms, p99=4s)    lognormal(mean=1s, sd=2s)
 *   lognormal(mu=-0.22, sigma=0.69)    mu, sigma of ln(value in seconds | bytes | number)
 *   gamma(shape=2, scale=100ms)        gamma(shape=2, mean=200ms)
 *   weibull(shape=1.5, scale=1s)
 *   pareto(shape=2.5, scale=100ms)     scale is the minimum value
 *   empirical(file=latency.csv)        resample the values of a CSV column
 *       options: column=NAME|NUMBER (default the first), unit=ms (for bare numbers)
 *
 * Values are in the kind's base unit: microseconds for durations (as double),
 * bytes for sizes, plain numbers otherwise. Parameter values carry units where
 * the kind has one (shape, mu and sigma never do).
 */
#ifndef WEIR_DIST_H
#define WEIR_DIST_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "weir/sim.h"
#include "weir/units.h"

enum dist_kind {
	DIST_NONE,        /* unset */
	DIST_CONSTANT,
	DIST_EXPONENTIAL,
	DIST_UNIFORM,
	DIST_NORMAL,
	DIST_LOGNORMAL,
	DIST_GAMMA,
	DIST_WEIBULL,
	DIST_PARETO,
	DIST_EMPIRICAL
};

struct dist {
	enum dist_kind kind;
	enum unit_kind unit;
	/*
	 * Parameters in GSL's terms and base units:
	 *   constant: a = value        exponential: a = mean
	 *   uniform:  a = min, b = max normal: a = mean, b = sd
	 *   lognormal: a = mu, b = sigma of ln(value in base units)
	 *   gamma: a = shape, b = scale     weibull: a = scale, b = shape
	 *   pareto: a = shape, b = scale
	 */
	double a, b;
	double *values;  /* empirical: the values, in base units */
	size_t nvalues;
	char *text;      /* the text it was parsed from */
};

/*
 * Parses text as a distribution of values of the given unit kind. File
 * names are relative to base_dir (NULL = the current directory). Returns 0,
 * or -1 with err filled (offset into text). On error *out holds nothing to
 * release.
 */
int dist_parse(const char *text, enum unit_kind unit, const char *base_dir,
	       struct dist *out, struct parse_err *err);
/* A constant distribution (for defaults set in code). */
void dist_constant(struct dist *out, enum unit_kind unit, double value);
void dist_release(struct dist *d);
/* Deep copy. */
void dist_copy(struct dist *dst, const struct dist *src);

/* One draw, in base units; durations and sizes are never negative. */
double dist_sample(const struct dist *d, gsl_rng *r);
/* One draw of a duration, rounded to the nearest microsecond. */
sim_time dist_sample_time(const struct dist *d, gsl_rng *r);

/* Analytic mean and variance (INFINITY where they do not exist). */
double dist_mean(const struct dist *d);
double dist_variance(const struct dist *d);
/* Smallest and largest value a draw can take (INFINITY when unbounded). */
double dist_min(const struct dist *d);
double dist_max(const struct dist *d);
/* "exponential", "lognormal", ... */
const char *dist_kind_name(enum dist_kind kind);

#endif

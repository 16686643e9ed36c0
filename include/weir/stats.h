/*
 * stats.h - statistics across replications: means, standard deviations,
 * Student-t confidence intervals, paired differences and the MSER-5
 * warm-up rule.
 *
 * Everything here is a pure function of its inputs, taken in the order
 * given, so the same replications give the same bytes whatever order the
 * runs finished in.
 */
#ifndef WEIR_STATS_H
#define WEIR_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* The default confidence level of every interval weir reports. */
#define STATS_DEFAULT_CONFIDENCE 0.95

/* MSER-5: the series is averaged in batches of this many periods. */
#define STATS_MSER_BATCH 5

/* Welford's running mean and sum of squared deviations; NaN values are skipped. */
struct stats_acc {
	size_t n;
	double mean, m2;
};

void stats_add(struct stats_acc *a, double x);
/* The sample standard deviation (NaN with fewer than 2 values). */
double stats_sd(const struct stats_acc *a);

/* A confidence interval for a mean: mean +- half; half is NaN when n < 2. */
struct stats_ci {
	size_t n;
	double mean, sd, half;
};

/* The Student-t interval at `level` (e.g. 0.95) of the accumulated values. */
struct stats_ci stats_interval(const struct stats_acc *a, double level);
/* The interval of x[0..n) (NaN values skipped). */
struct stats_ci stats_interval_of(const double *x, size_t n, double level);
/*
 * The paired interval of b[i] - a[i] (pairs with a NaN skipped): with common
 * random numbers the noise the two share cancels.
 */
struct stats_ci stats_paired(const double *a, const double *b, size_t n, double level);
/*
 * The half-width of the Welch (unpaired) interval of mean(b) - mean(a): what
 * the same comparison would give with independent streams.
 */
double stats_welch_half(const struct stats_ci *a, const struct stats_ci *b, double level);

/*
 * MSER-5 (White 1997; Franklin and White 2008): averages y[0..n) in batches
 * of STATS_MSER_BATCH and returns the number of leading batches d, searched
 * over the first half of the batches, that minimises the squared standard
 * error of the mean of the rest, sum((x - mean)^2) / (k - d)^2. *reliable is
 * false when the minimum lies at the end of the searched half, which says
 * the run is too short for the transient to have ended. Returns -1 when y
 * has fewer than two batches or a NaN.
 */
long stats_mser(const double *y, size_t n, bool *reliable);

#endif

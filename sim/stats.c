/*
 * stats.c - statistics across replications (see stats.h).
 */
#include "weir/stats.h"
#include "weir/base.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

void stats_add(struct stats_acc *a, double x)
{
	double d;

	if (isnan(x))
		return;
	a->n++;
	d = x - a->mean;
	a->mean += d / (double)a->n;
	a->m2 += d * (x - a->mean);
}

double stats_sd(const struct stats_acc *a)
{
	return a->n < 2 ? NAN : sqrt(a->m2 / (double)(a->n - 1));
}

/* The two-sided Student-t quantile for `level` with df degrees of freedom. */
static double t_quantile(double level, double df)
{
	return gsl_cdf_tdist_Pinv(0.5 + level / 2, df);
}

struct stats_ci stats_interval(const struct stats_acc *a, double level)
{
	struct stats_ci c = { .n = a->n, .mean = a->n ? a->mean : NAN, .sd = stats_sd(a), .half = NAN };

	if (a->n >= 2)
		c.half = t_quantile(level, (double)(a->n - 1)) * c.sd / sqrt((double)a->n);
	return c;
}

struct stats_ci stats_interval_of(const double *x, size_t n, double level)
{
	struct stats_acc a = { 0 };

	for (size_t i = 0; i < n; i++)
		stats_add(&a, x[i]);
	return stats_interval(&a, level);
}

struct stats_ci stats_paired(const double *a, const double *b, size_t n, double level)
{
	struct stats_acc d = { 0 };

	for (size_t i = 0; i < n; i++)
		if (!isnan(a[i]) && !isnan(b[i]))
			stats_add(&d, b[i] - a[i]);
	return stats_interval(&d, level);
}

double stats_welch_half(const struct stats_ci *a, const struct stats_ci *b, double level)
{
	double va, vb, df;

	if (a->n < 2 || b->n < 2)
		return NAN;
	va = a->sd * a->sd / (double)a->n;
	vb = b->sd * b->sd / (double)b->n;
	if (va + vb == 0)
		return 0;
	/* Welch-Satterthwaite degrees of freedom. */
	df = (va + vb) * (va + vb) /
	     (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
	return t_quantile(level, df) * sqrt(va + vb);
}

long stats_mser(const double *y, size_t n, bool *reliable)
{
	size_t k = n / STATS_MSER_BATCH, best = 0;
	double *x, best_v = INFINITY, sum = 0, sumsq = 0;

	*reliable = false;
	if (k < 2)
		return -1;
	x = weir_malloc(k * sizeof(*x));
	for (size_t b = 0; b < k; b++) {
		double s = 0;

		for (size_t i = 0; i < STATS_MSER_BATCH; i++)
			s += y[b * STATS_MSER_BATCH + i];
		if (isnan(s)) {
			free(x);
			return -1;
		}
		x[b] = s / STATS_MSER_BATCH;
	}
	/* Centred on the overall mean, so a large level does not cancel away the spread. */
	{
		double m = 0;

		for (size_t b = 0; b < k; b++)
			m += x[b];
		m /= (double)k;
		for (size_t b = 0; b < k; b++)
			x[b] -= m;
	}
	/* Suffix sums from the end, so each truncation point costs O(1). */
	for (size_t d = k; d-- > 0;) {
		double m, rest = (double)(k - d), v;

		sum += x[d];
		sumsq += x[d] * x[d];
		m = sum / rest;
		v = fmax(sumsq - rest * m * m, 0) / (rest * rest);
		if (d <= k / 2 && v <= best_v) {   /* ties go to the earlier point */
			best_v = v;
			best = d;
		}
	}
	free(x);
	*reliable = best < k / 2;
	return (long)best;
}

/*
 * hist.c - log-linear histogram (see hist.h for the error bound).
 */
#include "weir/hist.h"
#include "weir/base.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t bucket_of(int64_t v)
{
	unsigned e, k;

	if (v < (int64_t)(2 * HIST_SUB))
		return (uint32_t)(v < 0 ? 0 : v);
	if (v >= HIST_LIMIT)
		return HIST_BUCKETS - 1;
	e = 63u - (unsigned)__builtin_clzll((unsigned long long)v);  /* floor(log2 v) */
	k = e - HIST_SUB_BITS;
	return HIST_SUB * (k + 1) + (uint32_t)((v >> k) - HIST_SUB);
}

/* Smallest value and width of bucket i. */
static void bucket_range(uint32_t i, double *lo, double *width)
{
	uint32_t k;

	if (i < 2 * HIST_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	k = i / HIST_SUB - 1;
	*lo = ldexp((double)(i % HIST_SUB + HIST_SUB), (int)k);
	*width = ldexp(1.0, (int)k);
}

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->buckets = weir_calloc(HIST_BUCKETS, sizeof(*h->buckets));
	h->lo = HIST_BUCKETS;
}

void hist_release(struct hist *h)
{
	free(h->buckets);
	h->buckets = NULL;
}

void hist_reset(struct hist *h)
{
	if (h->lo <= h->hi && h->lo < HIST_BUCKETS)
		memset(h->buckets + h->lo, 0, (h->hi - h->lo + 1) * sizeof(*h->buckets));
	h->count = 0;
	h->sum = 0;
	h->min = h->max = 0;
	h->lo = HIST_BUCKETS;
	h->hi = 0;
}

void hist_record(struct hist *h, int64_t value)
{
	uint32_t b = bucket_of(value);

	if (h->count == 0 || value < h->min)
		h->min = value;
	if (h->count == 0 || value > h->max)
		h->max = value;
	h->count++;
	h->sum += (double)value;
	h->buckets[b]++;
	if (b < h->lo)
		h->lo = b;
	if (b > h->hi)
		h->hi = b;
}

double hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	double lo, width, mid;

	if (h->count == 0)
		return NAN;
	if (q <= 0)
		return (double)h->min;
	if (q >= 1)
		return (double)h->max;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank == 0)
		rank = 1;
	for (uint32_t i = h->lo; i <= h->hi; i++) {
		seen += h->buckets[i];
		if (seen < rank)
			continue;
		bucket_range(i, &lo, &width);
		mid = width > 1 ? lo + width / 2 : lo;
		if (mid < (double)h->min)
			mid = (double)h->min;
		if (mid > (double)h->max)
			mid = (double)h->max;
		return mid;
	}
	return (double)h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? h->sum / (double)h->count : NAN;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	for (uint32_t i = src->lo; i <= src->hi; i++)
		dst->buckets[i] += src->buckets[i];
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->lo < dst->lo)
		dst->lo = src->lo;
	if (src->hi > dst->hi)
		dst->hi = src->hi;
}

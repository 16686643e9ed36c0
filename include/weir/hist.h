/*
 * hist.h - a log-linear histogram of non-negative integers (durations in us).
 *
 * Values below 2*HIST_SUB are counted exactly; above, each power of two is
 * split into HIST_SUB buckets, so a bucket is at most 1/HIST_SUB of its
 * values wide and a quantile read at the bucket's midpoint is within
 * 1/(2*HIST_SUB) = 0.39% of the true sample quantile. Memory is fixed
 * (HIST_BUCKETS counters) whatever the number of values: the run's memory
 * grows with what is in flight, not with what has passed through.
 * Values at or above HIST_LIMIT share the last bucket; min, max, count and
 * sum are kept exactly.
 */
#ifndef WEIR_HIST_H
#define WEIR_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)          /* buckets per power of two */
#define HIST_TOP_BITS 41                         /* up to 2^41 us, about 25 days */
#define HIST_LIMIT ((int64_t)1 << HIST_TOP_BITS)
#define HIST_BUCKETS ((HIST_TOP_BITS - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	double sum;
	int64_t min, max;
	uint32_t lo, hi;      /* range of buckets touched since the last reset */
	uint64_t *buckets;    /* HIST_BUCKETS counters */
};

void hist_init(struct hist *h);
void hist_release(struct hist *h);
void hist_reset(struct hist *h);
void hist_record(struct hist *h, int64_t value);
/* Nearest-rank quantile, q in [0, 1]; NAN when empty. */
double hist_quantile(const struct hist *h, double q);
double hist_mean(const struct hist *h);
/* Adds every value of src to dst. */
void hist_merge(struct hist *dst, const struct hist *src);

#endif

/*
 * bucket.c - token bucket with lazy refill.
 */
#include "weir/bucket.h"

void bucket_init(struct bucket *b, double capacity, double rate_per_sec, sim_time now)
{
	b->capacity = capacity;
	b->rate = rate_per_sec;
	b->tokens = capacity;
	b->last = now;
}

double bucket_level(struct bucket *b, sim_time now)
{
	if (now > b->last) {
		b->tokens += b->rate * sim_time_to_sec(now - b->last);
		if (b->tokens > b->capacity)
			b->tokens = b->capacity;
		b->last = now;
	}
	return b->tokens;
}

bool bucket_take(struct bucket *b, sim_time now, double n)
{
	/* A token that arrives in the same microsecond counts: avoid rounding a
	 * refill of exactly n into a refusal. */
	if (bucket_level(b, now) + 1e-9 < n)
		return false;
	b->tokens -= n;
	return true;
}

/*
 * test_rng.c - random streams: reproducible, independent of which other
 * streams exist and of request order, distinct per replication, and never
 * sharing a seed inside one set (checked with a real 32-bit collision).
 */
#include "harness.h"
#include "weir/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAWS 100
#define RUN_SEED 42
/* Names searched for a 32-bit seed collision: with 2^18 names the chance of
 * none is exp(-2^36 / 2^33) = exp(-8), and the search is deterministic. */
#define COLLISION_NAMES (1u << 18)

static void draw(gsl_rng *r, unsigned long out[DRAWS])
{
	for (int i = 0; i < DRAWS; i++)
		out[i] = gsl_rng_get(r);
}

static bool same_draws(gsl_rng *a, gsl_rng *b)
{
	unsigned long x[DRAWS], y[DRAWS];

	draw(a, x);
	draw(b, y);
	return memcmp(x, y, sizeof(x)) == 0;
}

void test_rng_same_seed_same_draws(void)
{
	struct rng_set *a = rng_set_create(RUN_SEED, 0), *b = rng_set_create(RUN_SEED, 0);

	CHECK(same_draws(rng_stream(a, "orders", "arrivals"), rng_stream(b, "orders", "arrivals")));
	/* Asking again returns the same generator, not a fresh one. */
	CHECK(rng_stream(a, "orders", "arrivals") == rng_stream(a, "orders", "arrivals"));
	CHECK(rng_stream(a, "orders", "arrivals") != rng_stream(a, "orders", "service"));
	rng_set_destroy(a);
	rng_set_destroy(b);
	rng_set_destroy(NULL);
}

void test_rng_streams_differ(void)
{
	struct rng_set *a = rng_set_create(RUN_SEED, 0), *b = rng_set_create(RUN_SEED, 0);

	CHECK(!same_draws(rng_stream(a, "orders", "arrivals"), rng_stream(b, "payments", "arrivals")));
	CHECK(!same_draws(rng_stream(a, "orders", "service"), rng_stream(b, "orders", "retries")));
	/* The pair is hashed as a pair: ("ab", "c") is not ("a", "bc"). */
	CHECK(rng_stream_seed(RUN_SEED, 0, "ab", "c") != rng_stream_seed(RUN_SEED, 0, "a", "bc"));
	CHECK(rng_stream_seed(RUN_SEED, 0, "x", "y") != rng_stream_seed(RUN_SEED, 0, "y", "x"));
	rng_set_destroy(a);
	rng_set_destroy(b);
}

void test_rng_request_order_independent(void)
{
	struct rng_set *a = rng_set_create(RUN_SEED, 3), *b = rng_set_create(RUN_SEED, 3);
	gsl_rng *ra, *rb;

	ra = rng_stream(a, "orders", "arrivals");
	rng_stream(b, "payments", "arrivals");
	rng_stream(b, "orders", "service");
	rng_stream(b, "shipping", "arrivals");
	rb = rng_stream(b, "orders", "arrivals");
	CHECK(same_draws(ra, rb));
	/* Drawing from other streams does not disturb this one either. */
	gsl_rng_get(rng_stream(b, "payments", "arrivals"));
	CHECK(same_draws(ra, rb));
	rng_set_destroy(a);
	rng_set_destroy(b);
}

void test_rng_seed_and_replication_change_draws(void)
{
	struct rng_set *r0 = rng_set_create(RUN_SEED, 0), *r1 = rng_set_create(RUN_SEED, 1);
	struct rng_set *s2 = rng_set_create(RUN_SEED + 1, 0);
	gsl_rng *fresh = gsl_rng_alloc(WEIR_RNG_TYPE);

	CHECK(rng_stream_seed(RUN_SEED, 0, "orders", "arrivals") !=
	      rng_stream_seed(RUN_SEED, 1, "orders", "arrivals"));
	CHECK(rng_stream_seed(RUN_SEED, 0, "orders", "arrivals") !=
	      rng_stream_seed(RUN_SEED + 1, 0, "orders", "arrivals"));
	CHECK(!same_draws(rng_stream(r0, "orders", "arrivals"), rng_stream(r1, "orders", "arrivals")));
	CHECK(!same_draws(rng_stream(r0, "orders", "service"), rng_stream(s2, "orders", "service")));
	/* Without a collision, a stream is seeded with exactly rng_stream_seed. */
	gsl_rng_set(fresh, rng_stream_seed(RUN_SEED, 1, "queue", "visibility"));
	CHECK(same_draws(rng_stream(r1, "queue", "visibility"), fresh));
	gsl_rng_free(fresh);
	rng_set_destroy(r0);
	rng_set_destroy(r1);
	rng_set_destroy(s2);
}

void test_rng_seed_range(void)
{
	char name[32];

	/* 32-bit, non-zero (GSL would replace 0 by its default seed). */
	for (unsigned i = 0; i < 10000; i++) {
		unsigned long s;

		snprintf(name, sizeof(name), "resource-%u", i);
		s = rng_stream_seed(i, i / 100, name, "p");
		CHECK(s != 0);
		CHECK(s <= 0xffffffffUL);
	}
}

struct seeded {
	unsigned long seed;
	unsigned index;
};

static int by_seed(const void *a, const void *b)
{
	const struct seeded *x = a, *y = b;

	return x->seed < y->seed ? -1 : x->seed > y->seed ? 1 : (x->index > y->index) - (x->index < y->index);
}

/* Finds two resource names whose streams get the same 32-bit seed. */
static bool find_collision(char a[32], char b[32], unsigned long *seed)
{
	struct seeded *s = malloc(COLLISION_NAMES * sizeof(*s));
	bool found = false;

	for (unsigned i = 0; i < COLLISION_NAMES; i++) {
		snprintf(a, 32, "q%u", i);
		s[i].seed = rng_stream_seed(RUN_SEED, 0, a, "arrivals");
		s[i].index = i;
	}
	qsort(s, COLLISION_NAMES, sizeof(*s), by_seed);
	for (unsigned i = 1; i < COLLISION_NAMES && !found; i++) {
		if (s[i].seed == s[i - 1].seed) {
			snprintf(a, 32, "q%u", s[i - 1].index);
			snprintf(b, 32, "q%u", s[i].index);
			*seed = s[i].seed;
			found = true;
		}
	}
	free(s);
	return found;
}

void test_rng_seed_collision(void)
{
	char a[32], b[32];
	unsigned long seed = 0;
	struct rng_set *s1 = rng_set_create(RUN_SEED, 0), *s2 = rng_set_create(RUN_SEED, 0);
	struct rng_set *s3 = rng_set_create(RUN_SEED, 0), *s4 = rng_set_create(RUN_SEED, 0);
	gsl_rng *fresh = gsl_rng_alloc(WEIR_RNG_TYPE);

	CHECK_MSG(find_collision(a, b, &seed), "no 32-bit seed collision among %u names", COLLISION_NAMES);
	CHECK(strcmp(a, b) != 0);
	CHECK(rng_stream_seed(RUN_SEED, 0, a, "arrivals") == rng_stream_seed(RUN_SEED, 0, b, "arrivals"));
	/* The first asked keeps the computed seed... */
	gsl_rng_set(fresh, seed);
	CHECK(same_draws(rng_stream(s1, a, "arrivals"), fresh));
	/* ...the second gets another one... */
	rng_stream(s2, a, "arrivals");
	gsl_rng_set(fresh, seed);
	CHECK(!same_draws(rng_stream(s2, b, "arrivals"), fresh));
	/* ...deterministically: the same requests in the same order, the same streams. */
	rng_stream(s3, a, "arrivals");
	CHECK(same_draws(rng_stream(s1, b, "arrivals"), rng_stream(s3, b, "arrivals")));
	/* Asked in the other order, b keeps the computed seed instead. */
	gsl_rng_set(fresh, seed);
	CHECK(same_draws(rng_stream(s4, b, "arrivals"), fresh));
	gsl_rng_free(fresh);
	rng_set_destroy(s1);
	rng_set_destroy(s2);
	rng_set_destroy(s3);
	rng_set_destroy(s4);
}

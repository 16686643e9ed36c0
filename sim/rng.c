/*
 * rng.c - random streams: one MT19937 generator per (resource, purpose).
 *
 * A stream's seed is a hash of (run seed, replication, resource, purpose)
 * folded to the 32 bits MT19937 uses, so it does not depend on which other
 * streams exist or the order they are asked for. The one exception is a
 * 32-bit seed collision inside a set (about one in 2^32 per pair): the
 * stream asked for later is re-seeded with a re-mix of its seed, which keeps
 * every stream of a set distinct and is still deterministic for the same
 * sequence of requests.
 */
#include "weir/rng.h"
#include "weir/base.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* GSL replaces a seed of 0 by its default seed; this stands in for 0. */
#define SEED_FOR_ZERO 0x9e3779b9UL
/* Separates the purpose from the resource in the hash ("ab"+"c" != "a"+"bc"). */
#define PURPOSE_SALT 0x5bd1e9955bd1e995ULL
/* Mixed with the attempt number when a seed collides. */
#define RESEED_SALT 0xd6e8feb86659fd93ULL

struct stream {
	char *resource;
	char *purpose;
	uint64_t key;        /* hash of (resource, purpose), checked before the strings */
	unsigned long seed;  /* the 32-bit seed the generator was given */
	gsl_rng *r;
};

struct rng_set {
	uint64_t seed;
	uint64_t replication;
	struct vec streams;  /* struct stream, in the order they were asked for */
};

/* 64 bits to a non-zero 32-bit seed. */
static unsigned long fold32(uint64_t h)
{
	unsigned long s = (unsigned long)((h ^ (h >> 32)) & 0xffffffffULL);

	return s ? s : SEED_FOR_ZERO;
}

static uint64_t name_key(const char *resource, const char *purpose)
{
	uint64_t h = weir_mix64(weir_hash_str(0, resource));

	return weir_mix64(weir_hash_str(h ^ PURPOSE_SALT, purpose));
}

unsigned long rng_stream_seed(uint64_t seed, uint64_t replication,
			      const char *resource, const char *purpose)
{
	uint64_t h = weir_mix64(weir_mix64(seed) ^ replication);

	return fold32(weir_mix64(h ^ name_key(resource, purpose)));
}

/* The seed to try after `seed` collided, on the attempt-th retry (1, 2, ...). */
static unsigned long reseed(unsigned long seed, uint64_t attempt)
{
	return fold32(weir_mix64((uint64_t)seed ^ RESEED_SALT ^ (attempt << 32)));
}

struct rng_set *rng_set_create(uint64_t seed, uint64_t replication)
{
	struct rng_set *set = weir_calloc(1, sizeof(*set));

	set->seed = seed;
	set->replication = replication;
	return set;
}

void rng_set_destroy(struct rng_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->streams.len; i++) {
		struct stream *st = VEC_AT(&set->streams, struct stream, i);

		gsl_rng_free(st->r);
		free(st->resource);
		free(st->purpose);
	}
	vec_release(&set->streams);
	free(set);
}

static struct stream *find_stream(struct rng_set *set, uint64_t key,
				  const char *resource, const char *purpose)
{
	for (size_t i = 0; i < set->streams.len; i++) {
		struct stream *st = VEC_AT(&set->streams, struct stream, i);

		if (st->key == key && strcmp(st->resource, resource) == 0 &&
		    strcmp(st->purpose, purpose) == 0)
			return st;
	}
	return NULL;
}

static bool seed_used(const struct rng_set *set, unsigned long seed)
{
	for (size_t i = 0; i < set->streams.len; i++)
		if (VEC_AT(&set->streams, struct stream, i)->seed == seed)
			return true;
	return false;
}

gsl_rng *rng_stream(struct rng_set *set, const char *resource, const char *purpose)
{
	uint64_t key = name_key(resource, purpose);
	struct stream *st = find_stream(set, key, resource, purpose);
	unsigned long seed;

	if (st)
		return st->r;
	seed = rng_stream_seed(set->seed, set->replication, resource, purpose);
	for (uint64_t attempt = 1; seed_used(set, seed); attempt++)
		seed = reseed(seed, attempt);
	st = vec_push(&set->streams, sizeof(*st));
	st->resource = weir_strdup(resource);
	st->purpose = weir_strdup(purpose);
	st->key = key;
	st->seed = seed;
	st->r = gsl_rng_alloc(WEIR_RNG_TYPE);
	WEIR_ASSERT(st->r != NULL);
	gsl_rng_set(st->r, seed);
	return st->r;
}

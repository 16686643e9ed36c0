/*
 * rng.h - random streams: one GSL generator per (resource, purpose).
 *
 * A stream's seed is derived from the run seed, the replication number, the
 * resource name and the purpose (e.g. "orders", "arrivals"), so adding or
 * changing one resource never changes another resource's random numbers
 * (common random numbers). An rng_set owns the streams of one simulation and
 * guarantees that no two of its streams share a seed.
 */
#ifndef WEIR_RNG_H
#define WEIR_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The GSL generator behind every stream (Mersenne Twister MT19937). */
#define WEIR_RNG_TYPE gsl_rng_mt19937

struct rng_set;

struct rng_set *rng_set_create(uint64_t seed, uint64_t replication);
/* Frees the set and every stream it handed out. Accepts NULL. */
void rng_set_destroy(struct rng_set *set);
/*
 * The stream for (resource, purpose), created on first use; asking twice
 * returns the same generator. Owned by the set.
 */
gsl_rng *rng_stream(struct rng_set *set, const char *resource, const char *purpose);
/* The 32-bit seed that stream (resource, purpose) was or would be given. */
unsigned long rng_stream_seed(uint64_t seed, uint64_t replication,
			      const char *resource, const char *purpose);

#endif

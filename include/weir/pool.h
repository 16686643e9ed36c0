/*
 * pool.h - a pool of fixed-size objects owned by one simulation.
 *
 * Objects are carved from chunks and recycled through a free list, so a
 * steady state allocates nothing; memory grows with the largest number of
 * objects alive at once and is returned when the pool is released. Objects
 * never move. O(1) get and put.
 */
#ifndef WEIR_POOL_H
#define WEIR_POOL_H

#include <stddef.h>

struct pool {
	size_t size;          /* object size, rounded up to hold a pointer */
	size_t per_chunk;
	void *free;           /* free list, linked through the objects' first bytes */
	void **chunks;
	size_t nchunks;
	size_t live, peak;    /* objects handed out now, and at most */
	char *next, *end;     /* unused part of the newest chunk */
};

void pool_init(struct pool *p, size_t object_size, size_t per_chunk);
void pool_release(struct pool *p);
/* A zeroed object; aborts when memory is exhausted. */
void *pool_get(struct pool *p);
void pool_put(struct pool *p, void *obj);
/* Bytes held by the pool (chunks), for memory reports. */
size_t pool_bytes(const struct pool *p);

#endif

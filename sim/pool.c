/*
 * pool.c - fixed-size object pool with a free list.
 */
#include "weir/pool.h"
#include "weir/base.h"

#include <stdlib.h>
#include <string.h>

void pool_init(struct pool *p, size_t object_size, size_t per_chunk)
{
	memset(p, 0, sizeof(*p));
	p->size = (object_size + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
	if (p->size < sizeof(void *))
		p->size = sizeof(void *);
	p->per_chunk = per_chunk ? per_chunk : 1;
}

void pool_release(struct pool *p)
{
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	memset(p, 0, sizeof(*p));
}

static void grow(struct pool *p)
{
	char *chunk = weir_malloc(p->size * p->per_chunk);

	p->chunks = weir_realloc(p->chunks, (p->nchunks + 1) * sizeof(*p->chunks));
	p->chunks[p->nchunks++] = chunk;
	p->next = chunk;
	p->end = chunk + p->size * p->per_chunk;
}

void *pool_get(struct pool *p)
{
	void *obj;

	if (p->free) {
		obj = p->free;
		memcpy(&p->free, obj, sizeof(void *));
	} else {
		if (p->next == p->end)
			grow(p);
		obj = p->next;
		p->next += p->size;
	}
	memset(obj, 0, p->size);
	if (++p->live > p->peak)
		p->peak = p->live;
	return obj;
}

void pool_put(struct pool *p, void *obj)
{
	WEIR_ASSERT(p->live > 0);
	memcpy(obj, &p->free, sizeof(void *));
	p->free = obj;
	p->live--;
}

size_t pool_bytes(const struct pool *p)
{
	return p->nchunks * p->per_chunk * p->size;
}

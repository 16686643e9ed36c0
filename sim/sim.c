/*
 * sim.c - the event engine.
 *
 * The pending events form a 4-ary min-heap ordered by (time, sequence). Each
 * 16-byte heap entry caches the time beside a pointer to the event record, so
 * sifting dereferences an event only to break a tie; each event record stores
 * its heap index, so cancelling or rescheduling is O(log n) with no search
 * (the libev design). The arity is a measured trade-off
 * (tests/bench/bench_evq.c, docs/performance.md): with this engine a binary
 * heap is 7-14% faster up to 1e5 pending events, the 4-ary heap 5-8% faster at
 * 1e6 where each operation costs most, whole runs show no difference, and
 * 8-ary never wins. 4-ary is kept for the large queues.
 *
 * Event records live in chunks owned by the simulation and are recycled
 * through a free list; a handle is (generation << 32 | slot + 1), and the
 * generation is bumped whenever a slot is freed, so a stale handle never
 * names a later event.
 */
#include "weir/sim.h"
#include "weir/base.h"

#include <stdlib.h>
#include <string.h>

#define HEAP_ARITY 4
#define CHUNK_SHIFT 10                       /* 1,024 events per chunk */
#define CHUNK_SIZE ((uint32_t)1 << CHUNK_SHIFT)
#define POS_FREE UINT32_MAX                  /* event is on the free list */

struct event {
	sim_handler_fn *fn;
	void *subject;
	void *object;
	uint64_t seq;   /* insertion sequence: breaks ties of equal times */
	uint32_t pos;   /* heap index while pending, POS_FREE otherwise */
	uint32_t gen;   /* bumped each time the slot is freed */
	uint32_t slot;  /* this record's own slot number */
	uint32_t next;  /* next free slot while on the free list */
};

/*
 * A heap entry: 16 bytes, so the four children of a node span at most two
 * cache lines (aligning them to one measured no faster). The sequence number
 * lives in the event and is read only when two times are equal.
 */
struct hent {
	sim_time at;
	struct event *ev;
};

struct sim {
	struct sim_clock clock;   /* first: sim_now reads it inline */
	uint64_t seq;             /* next insertion sequence number */
	uint64_t processed;       /* events run so far */
	struct hent *heap;        /* heap[0] is the next event */
	uint32_t heap_len, heap_cap;
	struct event **chunks;    /* event records, CHUNK_SIZE per chunk */
	uint32_t nchunks;
	uint32_t free_head;       /* first free slot, or POS_FREE */
	uint32_t slots_used;      /* slots ever handed out */
	int stop_requested;
	volatile sig_atomic_t *interrupt;
};

static inline int hent_less(const struct hent *a, const struct hent *b)
{
	return a->at < b->at || (a->at == b->at && a->ev->seq < b->ev->seq);
}

static inline struct event *slot_event(const struct sim *sim, uint32_t slot)
{
	return &sim->chunks[slot >> CHUNK_SHIFT][slot & (CHUNK_SIZE - 1)];
}

struct sim *sim_create(void)
{
	struct sim *sim = calloc(1, sizeof(*sim));

	if (!sim)
		return NULL;
	sim->free_head = POS_FREE;
	return sim;
}

void sim_destroy(struct sim *sim)
{
	if (!sim)
		return;
	for (uint32_t i = 0; i < sim->nchunks; i++)
		free(sim->chunks[i]);
	free(sim->chunks);
	free(sim->heap);
	free(sim);
}

/* Returns a free slot number, growing the pool by a chunk when needed. */
static uint32_t slot_alloc(struct sim *sim)
{
	uint32_t slot = sim->free_head;

	if (slot != POS_FREE) {
		sim->free_head = slot_event(sim, slot)->next;
		return slot;
	}
	if (sim->slots_used == sim->nchunks * CHUNK_SIZE) {
		struct event *chunk;

		WEIR_ASSERT(sim->nchunks < (UINT32_MAX >> CHUNK_SHIFT) - 1);
		sim->chunks = weir_realloc(sim->chunks, (sim->nchunks + 1) * sizeof(*sim->chunks));
		chunk = weir_calloc(CHUNK_SIZE, sizeof(struct event));
		for (uint32_t i = 0; i < CHUNK_SIZE; i++) {
			chunk[i].pos = POS_FREE;
			chunk[i].slot = sim->nchunks * CHUNK_SIZE + i;
		}
		sim->chunks[sim->nchunks++] = chunk;
	}
	return sim->slots_used++;
}

static void slot_free(struct sim *sim, struct event *ev)
{
	ev->pos = POS_FREE;
	ev->gen++;
	ev->next = sim->free_head;
	sim->free_head = ev->slot;
}

static inline sim_event_id make_id(uint32_t slot, uint32_t gen)
{
	return ((uint64_t)gen << 32) | ((uint64_t)slot + 1);
}

/* The event named by id if it is pending, else NULL. */
static struct event *lookup(const struct sim *sim, sim_event_id id)
{
	uint64_t low = id & 0xffffffffu;
	struct event *ev;

	if (low == 0 || low > sim->slots_used)
		return NULL;
	ev = slot_event(sim, (uint32_t)(low - 1));
	if (ev->gen != (uint32_t)(id >> 32) || ev->pos == POS_FREE)
		return NULL;
	return ev;
}

/* Moves the entry e up from hole i until its parent is not larger. */
static void sift_up(struct hent *heap, uint32_t i, struct hent e)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / HEAP_ARITY;

		if (!hent_less(&e, &heap[parent]))
			break;
		heap[i] = heap[parent];
		heap[i].ev->pos = i;
		i = parent;
	}
	heap[i] = e;
	e.ev->pos = i;
}

/* Moves the entry e down from hole i until no child is smaller. */
static void sift_down(struct hent *heap, uint32_t len, uint32_t i, struct hent e)
{
	for (;;) {
		uint32_t first = HEAP_ARITY * i + 1, best, end;

		if (first >= len)
			break;
		end = first + HEAP_ARITY < len ? first + HEAP_ARITY : len;
		best = first;
		for (uint32_t c = first + 1; c < end; c++)
			if (hent_less(&heap[c], &heap[best]))
				best = c;
		if (!hent_less(&heap[best], &e))
			break;
		heap[i] = heap[best];
		heap[i].ev->pos = i;
		i = best;
	}
	heap[i] = e;
	e.ev->pos = i;
}

/* Removes the entry at index i, keeping the heap order. */
static void heap_remove(struct sim *sim, uint32_t i)
{
	struct hent last = sim->heap[--sim->heap_len];

	if (i == sim->heap_len)
		return;
	if (i > 0 && hent_less(&last, &sim->heap[(i - 1) / HEAP_ARITY]))
		sift_up(sim->heap, i, last);
	else
		sift_down(sim->heap, sim->heap_len, i, last);
}

sim_event_id sim_schedule(struct sim *sim, sim_time at, sim_handler_fn *fn,
			  void *subject, void *object)
{
	uint32_t slot;
	struct event *ev;
	struct hent e;

	WEIR_ASSERT(fn != NULL);
	if (WEIR_UNLIKELY(at < sim->clock.now))
		WEIR_BUG("event scheduled in the past (at %lld us, now %lld us)",
			 (long long)at, (long long)sim->clock.now);
	if (sim->heap_len == sim->heap_cap) {
		WEIR_ASSERT(sim->heap_cap < (1u << 30));   /* so 4 * index + 4 fits 32 bits */
		sim->heap_cap = sim->heap_cap ? 2 * sim->heap_cap : 256;
		sim->heap = weir_realloc(sim->heap, sim->heap_cap * sizeof(*sim->heap));
	}
	slot = slot_alloc(sim);
	ev = slot_event(sim, slot);
	ev->fn = fn;
	ev->subject = subject;
	ev->object = object;
	ev->seq = sim->seq++;
	e.at = at;
	e.ev = ev;
	sift_up(sim->heap, sim->heap_len++, e);
	return make_id(slot, ev->gen);
}

sim_event_id sim_schedule_in(struct sim *sim, sim_time delay, sim_handler_fn *fn,
			     void *subject, void *object)
{
	WEIR_ASSERT(delay >= 0);
	if (delay > SIM_TIME_MAX - sim->clock.now)
		return sim_schedule(sim, SIM_TIME_MAX, fn, subject, object);
	return sim_schedule(sim, sim->clock.now + delay, fn, subject, object);
}

bool sim_cancel(struct sim *sim, sim_event_id id)
{
	struct event *ev = lookup(sim, id);

	if (!ev)
		return false;
	heap_remove(sim, ev->pos);
	slot_free(sim, ev);
	return true;
}

bool sim_reschedule(struct sim *sim, sim_event_id id, sim_time at)
{
	struct event *ev = lookup(sim, id);
	struct hent e;

	if (!ev)
		return false;
	if (WEIR_UNLIKELY(at < sim->clock.now))
		WEIR_BUG("event rescheduled into the past (at %lld us, now %lld us)",
			 (long long)at, (long long)sim->clock.now);
	heap_remove(sim, ev->pos);
	ev->seq = sim->seq++;
	e.at = at;
	e.ev = ev;
	sift_up(sim->heap, sim->heap_len++, e);
	return true;
}

bool sim_pending(const struct sim *sim, sim_event_id id)
{
	return lookup(sim, id) != NULL;
}

sim_time sim_event_time(const struct sim *sim, sim_event_id id)
{
	const struct event *ev = lookup(sim, id);

	return ev ? sim->heap[ev->pos].at : SIM_TIME_MAX;
}

void sim_stop(struct sim *sim)
{
	sim->stop_requested = 1;
}

void sim_set_interrupt(struct sim *sim, volatile sig_atomic_t *flag)
{
	sim->interrupt = flag;
}

enum sim_stop sim_run(struct sim *sim, sim_time until)
{
	sim->stop_requested = 0;
	while (sim->heap_len > 0) {
		struct hent top = sim->heap[0];
		struct event *ev = top.ev;
		sim_handler_fn *fn;
		void *subject, *object;

		if (top.at >= until) {
			sim->clock.now = until;
			return SIM_STOP_END;
		}
		if (sim->interrupt && *sim->interrupt)
			return SIM_STOP_INTERRUPT;
		/* Take the event off the queue before its handler runs, so the
		 * handler may schedule at now or cancel anything safely. */
		heap_remove(sim, 0);
		fn = ev->fn;
		subject = ev->subject;
		object = ev->object;
		slot_free(sim, ev);
		sim->clock.now = top.at;
		sim->processed++;
		fn(sim, subject, object);
		if (sim->stop_requested)
			return SIM_STOP_REQUESTED;
	}
	if (sim->clock.now < until)
		sim->clock.now = until;
	return SIM_STOP_EMPTY;
}

uint64_t sim_events_processed(const struct sim *sim)
{
	return sim->processed;
}

size_t sim_events_pending(const struct sim *sim)
{
	return sim->heap_len;
}

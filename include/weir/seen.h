/*
 * seen.h - a set of 64-bit keys, each remembered for a fixed interval from
 * its insertion: the deduplication window of SQS FIFO queues and SNS FIFO
 * topics (aws-behaviour §2.2, §7.3).
 *
 * A key seen again within the interval is a duplicate and is not inserted
 * again, so a duplicate does not extend the window. Keys are forgotten in
 * insertion order as the clock passes them. Open addressing with linear
 * probing and backward-shift deletion; O(1) expected per operation, memory
 * proportional to the keys inside one interval.
 */
#ifndef WEIR_SEEN_H
#define WEIR_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weir/sim.h"

struct seen_entry {
	uint64_t key;
	sim_time at;              /* INT64_MIN: an empty slot */
};

struct seen {
	sim_time interval;
	struct seen_entry *slots; /* hash table, a power of two long */
	size_t mask, used;
	struct seen_entry *ring;  /* the same keys in insertion order */
	size_t ring_cap, ring_head, ring_len;
};

void seen_init(struct seen *s, sim_time interval);
void seen_release(struct seen *s);
/*
 * Forgets the keys inserted more than the interval before now, then
 * returns true if key is remembered (a duplicate); otherwise inserts it
 * and returns false. Calls must come in non-decreasing time.
 */
bool seen_check(struct seen *s, uint64_t key, sim_time now);
/* Keys remembered now. */
size_t seen_size(const struct seen *s);

#endif

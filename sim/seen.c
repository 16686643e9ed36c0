/*
 * seen.c - keys remembered for an interval (see seen.h).
 */
#include "weir/seen.h"
#include "weir/base.h"

#include <stdlib.h>

#define EMPTY INT64_MIN

/* Spreads keys that differ in a few bits over the table. */
static uint64_t mix(uint64_t x)
{
	return weir_mix64(x);
}

static void table_alloc(struct seen *s, size_t n)
{
	s->slots = weir_calloc(n, sizeof(*s->slots));
	for (size_t i = 0; i < n; i++)
		s->slots[i].at = EMPTY;
	s->mask = n - 1;
	s->used = 0;
}

void seen_init(struct seen *s, sim_time interval)
{
	s->interval = interval;
	table_alloc(s, 64);
	s->ring = NULL;
	s->ring_cap = s->ring_head = s->ring_len = 0;
}

void seen_release(struct seen *s)
{
	free(s->slots);
	free(s->ring);
	s->slots = s->ring = NULL;
}

size_t seen_size(const struct seen *s)
{
	return s->used;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find(const struct seen *s, uint64_t key)
{
	size_t i = (size_t)mix(key) & s->mask;

	while (s->slots[i].at != EMPTY && s->slots[i].key != key)
		i = (i + 1) & s->mask;
	return i;
}

/* Removes the entry in slot i, shifting later members of its run back. */
static void remove_at(struct seen *s, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t home;

		j = (j + 1) & s->mask;
		if (s->slots[j].at == EMPTY)
			break;
		home = (size_t)mix(s->slots[j].key) & s->mask;
		/* Move j into the hole at i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			s->slots[i] = s->slots[j];
			i = j;
		}
	}
	s->slots[i].at = EMPTY;
	s->used--;
}

static void grow(struct seen *s)
{
	struct seen_entry *old = s->slots;
	size_t n = s->mask + 1;

	table_alloc(s, 2 * n);
	for (size_t i = 0; i < n; i++) {
		if (old[i].at != EMPTY) {
			s->slots[find(s, old[i].key)] = old[i];
			s->used++;
		}
	}
	free(old);
}

static void ring_push(struct seen *s, struct seen_entry e)
{
	if (s->ring_len == s->ring_cap) {
		size_t cap = s->ring_cap ? 2 * s->ring_cap : 64;
		struct seen_entry *r = weir_calloc(cap, sizeof(*r));

		for (size_t i = 0; i < s->ring_len; i++)
			r[i] = s->ring[(s->ring_head + i) % s->ring_cap];
		free(s->ring);
		s->ring = r;
		s->ring_cap = cap;
		s->ring_head = 0;
	}
	s->ring[(s->ring_head + s->ring_len) % s->ring_cap] = e;
	s->ring_len++;
}

bool seen_check(struct seen *s, uint64_t key, sim_time now)
{
	size_t i;

	while (s->ring_len > 0 && s->ring[s->ring_head].at + s->interval <= now) {
		remove_at(s, find(s, s->ring[s->ring_head].key));
		s->ring_head = (s->ring_head + 1) % s->ring_cap;
		s->ring_len--;
	}
	i = find(s, key);
	if (s->slots[i].at != EMPTY)
		return true;
	s->slots[i].key = key;
	s->slots[i].at = now;
	s->used++;
	ring_push(s, s->slots[i]);
	if (2 * s->used > s->mask + 1)
		grow(s);
	return false;
}

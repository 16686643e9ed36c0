/*
 * level.h - a count that changes over time, with its exact time integral.
 *
 * Models keep gauges (visible messages, busy workers) as levels so that
 * time averages are exact: every change first adds value * elapsed time to
 * the area, so the mean over [a, b] is (area(b) - area(a)) / (b - a).
 */
#ifndef WEIR_LEVEL_H
#define WEIR_LEVEL_H

#include <stdint.h>

#include "weir/sim.h"

struct level {
	uint64_t value;
	sim_time last;     /* time of the last change */
	double area;       /* integral of value over time until `last`, value-microseconds */
	uint64_t peak;     /* largest value since whoever reads it last reset it */
};

static inline void level_add(struct level *l, sim_time now, int64_t delta)
{
	l->area += (double)l->value * (double)(now - l->last);
	l->last = now;
	l->value = (uint64_t)((int64_t)l->value + delta);
	if (l->value > l->peak)
		l->peak = l->value;
}

/* The integral of the level from its start until now. */
static inline double level_area(const struct level *l, sim_time now)
{
	return l->area + (double)l->value * (double)(now - l->last);
}

#endif

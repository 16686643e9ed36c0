/*
 * bucket.h - a token bucket: a capacity of tokens refilled at a steady rate.
 *
 * Used wherever AWS limits how fast something may grow or be done: Lambda's
 * scaling of new execution environments (per function since Nov 2023, per
 * account before), and later throughput limits. Tokens are refilled lazily
 * from the elapsed simulated time, so an idle bucket costs nothing.
 */
#ifndef WEIR_BUCKET_H
#define WEIR_BUCKET_H

#include <stdbool.h>

#include "weir/sim.h"

struct bucket {
	double capacity;   /* most tokens it can hold */
	double rate;       /* tokens added per second */
	double tokens;     /* at `last` */
	sim_time last;
};

/* A full bucket at time now. */
void bucket_init(struct bucket *b, double capacity, double rate_per_sec, sim_time now);
/* Tokens available at now (refilled up to the capacity). */
double bucket_level(struct bucket *b, sim_time now);
/* Takes n tokens if there are that many; true when it did. */
bool bucket_take(struct bucket *b, sim_time now, double n);

#endif

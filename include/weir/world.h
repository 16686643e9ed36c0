/*
 * world.h - one simulation built from a checked scenario.
 *
 * The world owns the engine, the random streams, the metrics registry and
 * every resource. Each resource is driven through a small table of
 * operations (metrics, warm-up, summary, ledger, destroy), so the run loop
 * and the reports do not depend on which services a scenario uses.
 */
#ifndef WEIR_WORLD_H
#define WEIR_WORLD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "weir/csvw.h"
#include "weir/scenario.h"
#include "weir/summary.h"
#include "weir/trace.h"

struct world_opts {
	uint64_t seed;                      /* the run seed (scenario's or --seed) */
	uint64_t replication;               /* 0 for a single run */
	struct trace *trace;                /* NULL = no lifecycle trace */
	struct csvw *timeseries;            /* NULL = no timeseries.csv */
	volatile sig_atomic_t *interrupt;   /* polled between events; NULL = none */
	/* Called after each 1% of simulated time (may be NULL). */
	void (*progress)(void *ctx, sim_time now, sim_time end, uint64_t events);
	void *progress_ctx;
};

struct world;

/* NULL with a message in err when a resource cannot start (e.g. a trace file). */
struct world *world_create(const struct scenario *sc, const struct world_opts *o,
			   char *err, size_t errlen);
/* Runs to the scenario's duration (or an interrupt). True when interrupted. */
bool world_run(struct world *w);
void world_destroy(struct world *w);

sim_time world_now(const struct world *w);
/* The engine, for tests that step a run: sim_run(world_sim(w), until). */
struct sim *world_sim(struct world *w);
/*
 * The resource `name` of kind ("queue", "producer", "consumer", "function",
 * "trigger", "stream", "topic"), as its model's type (struct sqs_queue *, ...), or NULL.
 */
void *world_resource(const struct world *w, const char *kind, const char *name);
uint64_t world_events(const struct world *w);
void world_summarize(const struct world *w, struct summary *s);
/* Writes the dictionary of timeseries.csv. */
void world_write_dictionary(const struct world *w, struct csvw *out);
/* Writes resources.csv: name, kind, and details plots need. */
void world_write_resources(const struct world *w, struct csvw *out);
/*
 * Checks every resource's ledger and the flows between them (what producers
 * and move tasks sent arrived in queues; what left for a DLQ arrived there);
 * prints each one that does not balance to err. True when all balance.
 */
bool world_check_ledgers(const struct world *w, FILE *err);
/* Peak bytes held by the message pool (for memory reports). */
size_t world_message_bytes(const struct world *w);

#endif

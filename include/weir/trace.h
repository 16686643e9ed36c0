/*
 * trace.h - the per-message lifecycle trace (trace.csv).
 *
 * A message is traced when a hash of its id falls under the sampling
 * fraction, so tracing is decided without drawing random numbers: turning
 * the trace on or off never changes a run's results.
 */
#ifndef WEIR_TRACE_H
#define WEIR_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "weir/base.h"
#include "weir/csvw.h"
#include "weir/sim.h"

struct trace {
	struct csvw w;
	uint64_t threshold;   /* trace ids whose mixed hash is <= threshold */
	uint64_t rows;
};

/* Opens path and writes the header; fraction in (0, 1]. Returns 0 or errno. */
int trace_open(struct trace *t, const char *path, double fraction);
int trace_close(struct trace *t);

static inline bool trace_wants(const struct trace *t, uint64_t id)
{
	return t && weir_mix64(id) <= t->threshold;
}

/* One lifecycle event: time, message id, resource, event, receive count, detail. */
void trace_event(struct trace *t, sim_time now, uint64_t id, const char *resource,
		 const char *event, unsigned receive_count, const char *detail);

#endif

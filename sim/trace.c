/*
 * trace.c - writing sampled message lifecycles.
 */
#include "weir/trace.h"

#include <math.h>

int trace_open(struct trace *t, const char *path, double fraction)
{
	int rc = csvw_open(&t->w, path);

	if (rc != 0)
		return rc;
	t->threshold = fraction >= 1.0 ? UINT64_MAX
					: (uint64_t)ldexp(fraction, 64);
	t->rows = 0;
	csvw_str(&t->w, "time_s");
	csvw_str(&t->w, "message");
	csvw_str(&t->w, "resource");
	csvw_str(&t->w, "event");
	csvw_str(&t->w, "receive_count");
	csvw_str(&t->w, "detail");
	csvw_end_row(&t->w);
	return 0;
}

int trace_close(struct trace *t)
{
	return csvw_close(&t->w);
}

void trace_event(struct trace *t, sim_time now, uint64_t id, const char *resource,
		 const char *event, unsigned receive_count, const char *detail)
{
	csvw_time(&t->w, now);
	csvw_int(&t->w, (int64_t)id);
	csvw_str(&t->w, resource);
	csvw_str(&t->w, event);
	csvw_int(&t->w, receive_count);
	csvw_str(&t->w, detail ? detail : "");
	csvw_end_row(&t->w);
	t->rows++;
}

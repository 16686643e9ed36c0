/*
 * sim.h - the discrete-event engine: simulated clock, event queue, run loop.
 *
 * Invariant: events leave the queue in (time, sequence) order, where the
 * sequence is the order in which they were scheduled; simulated time never
 * decreases. The same scenario and seed therefore give the same event order
 * on every run and machine.
 *
 * Time is an integer count of microseconds (sim_time). All state lives in a
 * struct sim; two simulations can run side by side in one process.
 */
#ifndef WEIR_SIM_H
#define WEIR_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Simulated time in microseconds since the start of the run. */
typedef int64_t sim_time;

#define SIM_US   ((sim_time)1)
#define SIM_MS   ((sim_time)1000)
#define SIM_SEC  ((sim_time)1000000)
#define SIM_MIN  (60 * SIM_SEC)
#define SIM_HOUR (60 * SIM_MIN)
#define SIM_DAY  (24 * SIM_HOUR)
#define SIM_TIME_MAX INT64_MAX
/* Marks an optional duration that the scenario left unset. */
#define SIM_TIME_UNSET ((sim_time)-1)

/* Seconds as a double, for output and statistics (never for ordering). */
static inline double sim_time_to_sec(sim_time t) { return (double)t / (double)SIM_SEC; }

/* a + b for non-negative b, saturating at SIM_TIME_MAX ("never"). */
static inline sim_time sim_add(sim_time a, sim_time b)
{
	return b > SIM_TIME_MAX - a ? SIM_TIME_MAX : a + b;
}

/*
 * A non-negative number of microseconds (a draw from a distribution) rounded
 * to the nearest sim_time, saturating at SIM_TIME_MAX; negative and NaN
 * values give 0. Inline: it runs for every random duration.
 */
static inline sim_time sim_round_us(double us)
{
	if (!(us > 0))
		return 0;
	if (!(us < (double)SIM_TIME_MAX))
		return SIM_TIME_MAX;
	return (sim_time)(us + 0.5);
}

/*
 * The windows of the clock that per-second limits count in (Kinesis shards,
 * FIFO queues and topics): moves *start to the window of length len that
 * holds now; true when that is a new window, whose counts start again.
 * Start *start at -1.
 */
static inline bool sim_window(sim_time *start, sim_time now, sim_time len)
{
	sim_time w = now - now % len;

	if (*start == w)
		return false;
	*start = w;
	return true;
}

/*
 * Handle of a scheduled event: 0 never names an event. A handle stays safe
 * to use after its event has fired or been cancelled (it then names nothing);
 * handles are not reused within a simulation for 2^32 schedulings of a slot.
 */
typedef uint64_t sim_event_id;
#define SIM_EVENT_NONE ((sim_event_id)0)

struct sim;

/*
 * The part of struct sim that is read on every event: its first member, so
 * sim_now can be inlined. Read it only through sim_now.
 */
struct sim_clock {
	sim_time now;
};

/*
 * An event handler. subject and object are the two pointers given to
 * sim_schedule; the handler converts them to their real types on its first
 * lines. A handler may schedule and cancel events freely, including at now.
 */
typedef void sim_handler_fn(struct sim *sim, void *subject, void *object);

/* Why sim_run returned. */
enum sim_stop {
	SIM_STOP_END,       /* reached the requested end time */
	SIM_STOP_EMPTY,     /* no events left before the end time */
	SIM_STOP_REQUESTED, /* a handler called sim_stop() */
	SIM_STOP_INTERRUPT  /* the interrupt flag was raised (e.g. Ctrl-C) */
};

/* Returns a new simulation at time 0, or NULL when out of memory. */
struct sim *sim_create(void);
/* Frees the simulation and every pending event. Accepts NULL. */
void sim_destroy(struct sim *sim);

static inline sim_time sim_now(const struct sim *sim)
{
	return ((const struct sim_clock *)(const void *)sim)->now;
}

/*
 * Schedules fn(sim, subject, object) at absolute time at (>= now; scheduling
 * in the past is a caller bug and aborts). O(log n). Aborts when out of
 * memory: a simulation cannot continue without its events.
 */
sim_event_id sim_schedule(struct sim *sim, sim_time at, sim_handler_fn *fn,
			  void *subject, void *object);
/* Same, at now + delay (delay >= 0); the sum saturates at SIM_TIME_MAX. */
sim_event_id sim_schedule_in(struct sim *sim, sim_time delay,
			     sim_handler_fn *fn, void *subject, void *object);
/*
 * Cancels a pending event. Returns true if it was pending, false if the
 * handle names nothing (already fired, already cancelled, or NONE). O(log n).
 */
bool sim_cancel(struct sim *sim, sim_event_id id);
/*
 * Moves a pending event to a new time (>= now), keeping its handle; it is
 * ordered as if scheduled now. Returns false (and does nothing) if the handle
 * names no pending event.
 */
bool sim_reschedule(struct sim *sim, sim_event_id id, sim_time at);
/* True while the event is pending. */
bool sim_pending(const struct sim *sim, sim_event_id id);
/* Time of a pending event, or SIM_TIME_MAX if the handle names nothing. */
sim_time sim_event_time(const struct sim *sim, sim_event_id id);

/*
 * Runs events whose time is before `until`, in (time, sequence) order. On
 * SIM_STOP_END and SIM_STOP_EMPTY the clock is left at `until`; on a stop or
 * an interrupt, at the last event's time. May be called again to continue.
 */
enum sim_stop sim_run(struct sim *sim, sim_time until);
/* Asks sim_run to return after the current handler. */
void sim_stop(struct sim *sim);
/*
 * Makes sim_run return SIM_STOP_INTERRUPT soon after *flag becomes non-zero
 * (it is polled between events). The flag belongs to the caller, typically a
 * signal handler's. NULL turns polling off.
 */
void sim_set_interrupt(struct sim *sim, volatile sig_atomic_t *flag);

uint64_t sim_events_processed(const struct sim *sim);
size_t sim_events_pending(const struct sim *sim);

#endif

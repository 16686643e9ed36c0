/*
 * test_sim.c - the event engine: ordering, ties, cancellation, re-entrant
 * scheduling, rescheduling, stale handles, run limits, determinism.
 */
#include "harness.h"
#include "weir/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct log {
	int n;
	int who[4096];
	sim_time when[4096];
};

static void record(struct sim *sim, void *subject, void *object)
{
	struct log *log = subject;

	if (log->n < 4096) {
		log->who[log->n] = (int)(intptr_t)object;
		log->when[log->n] = sim_now(sim);
		log->n++;
	}
}

void test_engine_time_order(void)
{
	struct sim *sim = sim_create();
	struct log log = { 0 };
	const sim_time at[] = { 50, 10, 40, 20, 30, 0, 60 };

	for (int i = 0; i < 7; i++)
		sim_schedule(sim, at[i], record, &log, (void *)(intptr_t)i);
	CHECK_EQ_INT(sim_run(sim, 1000), SIM_STOP_EMPTY);
	CHECK_EQ_INT(log.n, 7);
	for (int i = 1; i < 7; i++)
		CHECK(log.when[i - 1] < log.when[i]);
	CHECK_EQ_INT(log.who[0], 5);
	CHECK_EQ_INT(log.who[6], 6);
	CHECK_EQ_INT(sim_now(sim), 1000);
	sim_destroy(sim);
}

void test_engine_ties_fifo(void)
{
	struct sim *sim = sim_create();
	struct log log = { 0 };

	/* Equal times leave in scheduling order, however the heap is shaped. */
	for (int i = 0; i < 100; i++)
		sim_schedule(sim, (i % 3 == 0) ? 7 : 5, record, &log, (void *)(intptr_t)i);
	sim_run(sim, 100);
	CHECK_EQ_INT(log.n, 100);
	for (int i = 1; i < 100; i++) {
		CHECK(log.when[i - 1] <= log.when[i]);
		if (log.when[i - 1] == log.when[i])
			CHECK(log.who[i - 1] < log.who[i]);
	}
	sim_destroy(sim);
}

void test_engine_cancel(void)
{
	struct sim *sim = sim_create();
	struct log log = { 0 };
	sim_event_id a = sim_schedule(sim, 10, record, &log, (void *)1);
	sim_event_id b = sim_schedule(sim, 20, record, &log, (void *)2);
	sim_event_id c = sim_schedule(sim, 30, record, &log, (void *)3);

	CHECK(sim_pending(sim, b));
	CHECK_EQ_INT(sim_event_time(sim, b), 20);
	CHECK(sim_cancel(sim, b));
	CHECK(!sim_pending(sim, b));
	CHECK(!sim_cancel(sim, b));          /* cancelling twice is harmless */
	CHECK(!sim_cancel(sim, SIM_EVENT_NONE));
	CHECK_EQ_INT(sim_event_time(sim, b), SIM_TIME_MAX);
	sim_run(sim, 100);
	CHECK_EQ_INT(log.n, 2);
	CHECK_EQ_INT(log.who[0], 1);
	CHECK_EQ_INT(log.who[1], 3);
	CHECK(!sim_cancel(sim, a));          /* already fired */
	CHECK(!sim_pending(sim, c));
	sim_destroy(sim);
}

void test_engine_stale_handle_after_reuse(void)
{
	struct sim *sim = sim_create();
	struct log log = { 0 };
	sim_event_id a = sim_schedule(sim, 10, record, &log, (void *)1);
	sim_event_id b;

	CHECK(sim_cancel(sim, a));
	b = sim_schedule(sim, 10, record, &log, (void *)2);  /* reuses a's slot */
	CHECK(a != b);
	CHECK(!sim_cancel(sim, a));          /* the old handle names nothing */
	CHECK(sim_pending(sim, b));
	sim_run(sim, 100);
	CHECK_EQ_INT(log.n, 1);
	CHECK_EQ_INT(log.who[0], 2);
	sim_destroy(sim);
}

struct chain {
	struct log log;
	int remaining;
};

static void chain_step(struct sim *sim, void *subject, void *object)
{
	struct chain *c = subject;

	record(sim, &c->log, object);
	if (c->remaining-- > 0) {
		/* Re-entrant: schedule at now from inside a handler. */
		sim_schedule(sim, sim_now(sim), chain_step, c, (void *)(intptr_t)(100 + c->remaining));
	}
}

void test_engine_reentrant_schedule_at_now(void)
{
	struct sim *sim = sim_create();
	struct chain c = { .remaining = 3 };

	sim_schedule(sim, 5, chain_step, &c, (void *)0);
	sim_schedule(sim, 5, record, &c.log, (void *)1);
	sim_run(sim, 10);
	/* The event scheduled earlier at t=5 (who=1) runs before those the
	 * handler added at t=5 later. */
	CHECK_EQ_INT(c.log.n, 5);
	CHECK_EQ_INT(c.log.who[0], 0);
	CHECK_EQ_INT(c.log.who[1], 1);
	CHECK_EQ_INT(c.log.who[2], 102);
	CHECK_EQ_INT(c.log.who[4], 100);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(c.log.when[i], 5);
	sim_destroy(sim);
}

struct canceller {
	sim_event_id victim;
	struct log *log;
};

static void cancel_other(struct sim *sim, void *subject, void *object)
{
	struct canceller *k = subject;

	(void)object;
	CHECK(sim_cancel(sim, k->victim));
	record(sim, k->log, (void *)9);
}

void test_engine_cancel_from_handler_same_time(void)
{
	struct sim *sim = sim_create();
	struct log log = { 0 };
	struct canceller k = { .log = &log };

	sim_schedule(sim, 5, cancel_other, &k, NULL);
	k.victim = sim_schedule(sim, 5, record, &log, (void *)1);
	sim_run(sim, 10);
	CHECK_EQ_INT(log.n, 1);
	CHECK_EQ_INT(log.who[0], 9);
	sim_destroy(sim);
}

void test_engine_reschedule(void)
{
	struct sim *sim = sim_create();
	struct log log = { 0 };
	sim_event_id a = sim_schedule(sim, 10, record, &log, (void *)1);
	sim_event_id b = sim_schedule(sim, 20, record, &log, (void *)2);

	CHECK(sim_reschedule(sim, a, 30));   /* later */
	CHECK(sim_reschedule(sim, b, 5));    /* earlier */
	CHECK_EQ_INT(sim_event_time(sim, a), 30);
	sim_run(sim, 100);
	CHECK_EQ_INT(log.n, 2);
	CHECK_EQ_INT(log.who[0], 2);
	CHECK_EQ_INT(log.when[0], 5);
	CHECK_EQ_INT(log.who[1], 1);
	CHECK_EQ_INT(log.when[1], 30);
	CHECK(!sim_reschedule(sim, a, 200)); /* fired: names nothing */
	sim_destroy(sim);
}

void test_engine_run_until_is_exclusive(void)
{
	struct sim *sim = sim_create();
	struct log log = { 0 };

	sim_schedule(sim, 10, record, &log, (void *)1);
	sim_schedule(sim, 20, record, &log, (void *)2);
	CHECK_EQ_INT(sim_run(sim, 20), SIM_STOP_END);
	CHECK_EQ_INT(log.n, 1);
	CHECK_EQ_INT(sim_now(sim), 20);
	CHECK_EQ_INT(sim_events_pending(sim), 1);
	CHECK_EQ_INT(sim_run(sim, 21), SIM_STOP_EMPTY);
	CHECK_EQ_INT(log.n, 2);
	CHECK_EQ_INT(sim_events_processed(sim), 2);
	sim_destroy(sim);
}

static void stopper(struct sim *sim, void *subject, void *object)
{
	(void)subject;
	(void)object;
	sim_stop(sim);
}

void test_engine_stop_and_interrupt(void)
{
	struct sim *sim = sim_create();
	struct log log = { 0 };
	volatile sig_atomic_t flag = 0;

	sim_schedule(sim, 10, stopper, NULL, NULL);
	sim_schedule(sim, 20, record, &log, (void *)1);
	CHECK_EQ_INT(sim_run(sim, 100), SIM_STOP_REQUESTED);
	CHECK_EQ_INT(sim_now(sim), 10);
	CHECK_EQ_INT(log.n, 0);
	sim_set_interrupt(sim, &flag);
	flag = 1;
	CHECK_EQ_INT(sim_run(sim, 100), SIM_STOP_INTERRUPT);
	CHECK_EQ_INT(log.n, 0);
	flag = 0;
	CHECK_EQ_INT(sim_run(sim, 100), SIM_STOP_EMPTY);
	CHECK_EQ_INT(log.n, 1);
	sim_destroy(sim);
}

void test_engine_schedule_in_past_aborts(void)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		struct sim *sim = sim_create();
		struct log log = { 0 };

		if (!freopen("/dev/null", "w", stderr))
			_exit(1);
		sim_schedule(sim, 10, record, &log, NULL);
		sim_run(sim, 11);
		sim_schedule(sim, 5, record, NULL, NULL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/* A random mix of schedules and cancels, checked against the sorted order. */
struct stress {
	uint64_t rng;
	sim_time last_time;
	uint64_t last_tag;
	int violations;
	int fired;
	sim_event_id ids[512];
	uint64_t *tag_of[512];
	uint64_t tags[200 * 512];  /* tag of each scheduling, renewed on reschedule */
	size_t ntags;
	int cancelled;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void stress_fire(struct sim *sim, void *subject, void *object)
{
	struct stress *st = subject;
	uint64_t tag = *(uint64_t *)object;

	if (sim_now(sim) < st->last_time ||
	    (sim_now(sim) == st->last_time && tag < st->last_tag))
		st->violations++;
	st->last_time = sim_now(sim);
	st->last_tag = tag;
	st->fired++;
}

/* Tags grow with scheduling order, so equal times must fire in tag order. */
static sim_event_id stress_add(struct sim *sim, struct stress *st, uint64_t *tag, int i)
{
	sim_time at = sim_now(sim) + (sim_time)(xorshift(&st->rng) % 50);
	uint64_t *t = &st->tags[st->ntags++];

	*t = ++*tag;
	st->tag_of[i] = t;
	return sim_schedule(sim, at, stress_fire, st, t);
}

void test_engine_random_stress(void)
{
	struct sim *sim = sim_create();
	static struct stress st = { .rng = 88172645463325252ULL };
	uint64_t tag = 0;
	int scheduled = 0;

	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 512; i++) {
			st.ids[i] = stress_add(sim, &st, &tag, i);
			scheduled++;
		}
		for (int i = 0; i < 512; i += 3)
			if (sim_cancel(sim, st.ids[i]))
				st.cancelled++;
		for (int i = 1; i < 512; i += 7)
			if (sim_reschedule(sim, st.ids[i], sim_now(sim) + 25))
				*st.tag_of[i] = ++tag;
		sim_run(sim, sim_now(sim) + 20);
	}
	sim_run(sim, SIM_TIME_MAX);
	CHECK_EQ_INT(st.violations, 0);
	CHECK_EQ_INT(st.fired + st.cancelled, scheduled);
	CHECK_EQ_INT(sim_events_pending(sim), 0);
	sim_destroy(sim);
}

/* Two simulations in one process do not share anything. */
void test_engine_two_sims_independent(void)
{
	struct sim *a = sim_create(), *b = sim_create();
	struct log la = { 0 }, lb = { 0 };

	sim_schedule(a, 10, record, &la, (void *)1);
	sim_schedule(b, 5, record, &lb, (void *)2);
	sim_run(a, 100);
	CHECK_EQ_INT(la.n, 1);
	CHECK_EQ_INT(lb.n, 0);
	CHECK_EQ_INT(sim_now(b), 0);
	sim_run(b, 7);
	CHECK_EQ_INT(lb.n, 1);
	sim_destroy(a);
	sim_destroy(b);
}

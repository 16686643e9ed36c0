/*
 * test_models.c - workloads and worker pools, end to end through scenarios.
 *
 * Deterministic processes (constant rates, traces, limits) are checked
 * exactly; random ones against a stated tolerance (4 standard deviations
 * of a Poisson count: a false alarm once in about 16,000 seeds).
 */
#define _XOPEN_SOURCE 700
#include "harness.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char one_queue[] = "queues:\n  q: {}\n";

/* Builds "duration, one queue, one producer with body" and returns ledger.produced. */
static double count_produced(const char *duration, const char *body)
{
	char text[2048];

	snprintf(text, sizeof(text), "duration: %s\n%sproducers:\n  p:\n    target: q\n%s", duration,
		 one_queue, body);
	return run_stat(text, "p", "ledger.produced");
}

void test_producer_poisson_count(void)
{
	double n = count_produced("1000s", "    arrivals: poisson(rate=50/s)\n");

	CHECK_MSG(fabs(n - 50000) <= 4 * sqrt(50000.0), "%g arrivals, expected 50000 +- 894", n);
}

/* The first arrival comes one gap after the start; the run end is exclusive. */
void test_producer_constant_count_exact(void)
{
	CHECK_EQ_INT(count_produced("10s", "    arrivals: constant(rate=10/s)\n"), 99);
}

/* A schedule step changes the rate at its time: 99 at 10/s, then 1,000 at 100/s. */
void test_producer_schedule_changes_rate(void)
{
	CHECK_EQ_INT(count_produced("20s", "    arrivals: constant(rate=10/s)\n"
				    "    schedule: [ { at: 10s, rate: 100/s } ]\n"),
		     1099);
}

/* On/off bursts: 20 s of on time at 100/s among off periods at rate 0. */
void test_producer_bursts_on_off(void)
{
	double n = count_produced("60s", "    arrivals: poisson(rate=0/s)\n"
				  "    bursts: { rate: 100/s, on: 10s, off: 20s, first: on }\n");

	CHECK_MSG(fabs(n - 2000) <= 4 * sqrt(2000.0), "%g arrivals, expected 2000 +- 179", n);
}

void test_producer_messages_limit(void)
{
	CHECK_EQ_INT(count_produced("10m", "    arrivals: poisson(rate=100/s)\n    messages: 50\n"), 50);
}

/* Arrivals only between start and stop: 11 s .. 19 s at 1/s. */
void test_producer_start_stop(void)
{
	CHECK_EQ_INT(count_produced("60s", "    arrivals: constant(rate=1/s)\n    start: 10s\n    stop: 20s\n"), 9);
}

/* A trace replays its rows, counted from the producer's start, in any time unit. */
void test_producer_trace_replay(void)
{
	const char *dir = test_tmpdir();
	char csv[600], csv_ms[600], body[1400];

	snprintf(csv, sizeof(csv), "%s/arrivals.csv", dir);
	snprintf(csv_ms, sizeof(csv_ms), "%s/arrivals-ms.csv", dir);
	CHECK(write_file(csv, "t,size\n0.5,10\n1,10\n1,10\n2.5s,10\n7,10\n") == 0);
	CHECK(write_file(csv_ms, "500\n1000\n58000\n") == 0);
	snprintf(body, sizeof(body), "    arrivals: trace(file=%s, column=t)\n", csv);
	CHECK_EQ_INT(count_produced("10s", body), 5);
	snprintf(body, sizeof(body), "    arrivals: trace(file=%s)\n    start: 4s\n", csv);
	CHECK_EQ_INT(count_produced("10s", body), 4);     /* 4.5, 5, 5, 6.5 s; 11 s is after the end */
	snprintf(body, sizeof(body), "    arrivals: trace(file=%s, unit=ms)\n", csv_ms);
	CHECK_EQ_INT(count_produced("1m", body), 3);
}

/* Every message is poison: each is received max_receive_count times, then dead-lettered. */
void test_consumer_poison_reaches_dlq_after_max_receives(void)
{
	static const char text[] =
		"duration: 10m\n"
		"queues:\n"
		"  q: { visibility_timeout: 2s, receive_wait: 20s, redrive: { dead_letter: dlq, max_receive_count: 3 } }\n"
		"  dlq: {}\n"
		"producers:\n"
		"  p: { target: q, arrivals: poisson(rate=5/s), stop: 1m, message: { poison: 1 } }\n"
		"consumers:\n"
		"  c: { source: q, workers: 4, processing: 10ms }\n";
	struct summary s = { 0 };
	double n;

	CHECK(run_scenario_text(text, 3, &s) == 0);
	n = summary_get(&s, "p", "ledger.produced");
	CHECK(n > 200);
	CHECK_EQ_INT(summary_get(&s, "q", "MessagesMovedToDLQ"), n);
	CHECK_EQ_INT(summary_get(&s, "q", "NumberOfMessagesReceived"), 3 * n);
	CHECK_EQ_INT(summary_get(&s, "dlq", "ledger.visible"), n);
	CHECK_EQ_INT(summary_get(&s, "c", "MessagesProcessed"), 0);
	summary_release(&s);
}

/* A released failure comes back at once, so retries happen at processing speed. */
void test_consumer_release_on_failure(void)
{
	static const char text[] =
		"duration: 1m\n"
		"queues:\n"
		"  q: { visibility_timeout: 1h, receive_wait: 20s, redrive: { dead_letter: dlq, max_receive_count: 5 } }\n"
		"  dlq: {}\n"
		"producers:\n"
		"  p: { target: q, arrivals: constant(rate=1/s), messages: 20 }\n"
		"consumers:\n"
		"  c: { source: q, workers: 1, processing: 10ms, failure_rate: 1, on_failure: %s }\n";
	char text_release[1024], text_leave[1024];

	snprintf(text_release, sizeof(text_release), text, "release");
	snprintf(text_leave, sizeof(text_leave), text, "leave");
	CHECK_EQ_INT(run_stat(text_release, "q", "MessagesMovedToDLQ"), 20);
	CHECK_EQ_INT(run_stat(text_leave, "q", "MessagesMovedToDLQ"), 0);   /* still invisible for 1 h */
}

/*
 * A message that takes longer than its visibility timeout reappears and is
 * processed twice; a heartbeat that keeps extending the timeout prevents it.
 */
void test_consumer_heartbeat_prevents_duplicates(void)
{
	static const char text[] =
		"duration: 10m\n"
		"queues:\n"
		"  q: { visibility_timeout: 10s, receive_wait: 20s }\n"
		"producers:\n"
		"  p: { target: q, arrivals: constant(rate=1/s), messages: 10 }\n"
		"consumers:\n"
		"  c: { source: q, workers: 20, processing: 60s%s }\n";
	char plain[1024], beating[1024];
	struct summary s = { 0 };

	snprintf(plain, sizeof(plain), text, "");
	snprintf(beating, sizeof(beating), text, ", heartbeat: { every: 5s, extend_to: 10s }");
	CHECK(run_scenario_text(plain, 1, &s) == 0);
	CHECK(summary_get(&s, "q", "DuplicateDeliveries") > 0);
	CHECK(summary_get(&s, "q", "StaleDeletes") > 0);
	CHECK(summary_get(&s, "q", "NumberOfMessagesReceived") > 10);
	summary_release(&s);
	memset(&s, 0, sizeof(s));
	CHECK(run_scenario_text(beating, 1, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "q", "DuplicateDeliveries"), 0);
	CHECK_EQ_INT(summary_get(&s, "q", "NumberOfMessagesReceived"), 10);
	CHECK_EQ_INT(summary_get(&s, "q", "ledger.deleted"), 10);
	CHECK(summary_get(&s, "q", "VisibilityChanges") >= 10 * 11);
	summary_release(&s);
}

/* A scaling schedule changes the number of workers at its times. */
void test_consumer_scaling_schedule(void)
{
	static const char text[] =
		"duration: 200s\n"
		"queues:\n"
		"  q: { receive_wait: 20s }\n"
		"producers:\n"
		"  p: { target: q, arrivals: poisson(rate=20/s) }\n"
		"consumers:\n"
		"  c: { source: q, workers: 1, processing: 1s, schedule: [ { at: 100s, workers: 5 }, { at: 150s, workers: 2 } ] }\n";
	double mean = run_stat(text, "c", "Workers.mean");

	/* 1 worker for 100 s, 5 for 50 s, 2 for 50 s; retiring workers finish their message (< 1 s). */
	CHECK_MSG(mean >= 2.25 && mean <= 2.25 + 3.0 / 200, "Workers.mean %g", mean);
	CHECK_NEAR(run_stat(text, "c", "Utilization"), 1.0, 0.01);   /* overloaded: always busy */
}

/* Short polling an empty queue backs off instead of spinning. */
void test_consumer_short_poll_backs_off(void)
{
	static const char text[] =
		"duration: 100s\n"
		"queues:\n"
		"  q: {}\n"
		"consumers:\n"
		"  c: { source: q, workers: 2, processing: 1s, idle_backoff: 2s }\n";

	/* 2 workers x 100 s / 2 s = 100 empty receives. */
	CHECK_EQ_INT(run_stat(text, "q", "NumberOfEmptyReceives"), 100);
}

/*
 * §1.10: a move task leaves a message the destination would refuse (too
 * large) in the dead-letter queue and counts it, rather than losing it.
 */
void test_move_task_keeps_messages_destination_refuses(void)
{
	static const char text[] =
		"duration: 10m\n"
		"queues:\n"
		"  q: { visibility_timeout: 1s, receive_wait: 20s, redrive: { dead_letter: dlq, max_receive_count: 1 } }\n"
		"  dlq: { move_tasks: [ { at: 5m, destination: small, max_number_of_messages_per_second: 10 } ] }\n"
		"  small: { maximum_message_size: 1KiB }\n"
		"producers:\n"
		"  p: { target: q, arrivals: constant(rate=1/s), messages: 20, message: { size: 2KB, poison: 1 } }\n"
		"consumers:\n"
		"  c: { source: q, workers: 1, processing: 10ms }\n";
	struct summary s = { 0 };

	CHECK(run_scenario_text(text, 1, &s) == 0);   /* ledgers and flows balance */
	CHECK_EQ_INT(summary_get(&s, "dlq", "ledger.moved_in"), 20);
	CHECK_EQ_INT(summary_get(&s, "dlq", "MessagesRedriven"), 0);
	CHECK_EQ_INT(summary_get(&s, "dlq", "MoveFailures"), 20);
	CHECK_EQ_INT(summary_get(&s, "dlq", "ledger.visible"), 20);
	CHECK_EQ_INT(summary_get(&s, "small", "ledger.sent"), 0);
	summary_release(&s);
}

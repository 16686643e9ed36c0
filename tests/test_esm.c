/*
 * test_esm.c - one test per rule of the SQS event source mapping
 * (aws-behaviour §5): a producer fills a queue, a trigger feeds a function.
 * Counts are exact where the scenario is deterministic; random ones are
 * checked against 4 standard deviations.
 */
#include "harness.h"
#include "util.h"
#include "weir/esm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* If window + timeout exceed the queue's visibility timeout, receives use window + timeout + 30 s (§5.4). */
void test_esm_effective_visibility_timeout(void)
{
	struct trigger_cfg t = { .maximum_batching_window = 10 * SIM_SEC };

	CHECK_EQ_INT(esm_visibility(&t, 30 * SIM_SEC, 60 * SIM_SEC), 100 * SIM_SEC);
	CHECK_EQ_INT(esm_visibility(&t, 300 * SIM_SEC, 60 * SIM_SEC), 300 * SIM_SEC);
	t.maximum_batching_window = 0;
	CHECK_EQ_INT(esm_visibility(&t, 3 * SIM_SEC, 3 * SIM_SEC), 3 * SIM_SEC);
	CHECK_EQ_INT(esm_visibility(&t, 2 * SIM_SEC, 3 * SIM_SEC), 33 * SIM_SEC);
}

/* A successful invocation deletes its batch: every message sent is deleted exactly once. */
void test_esm_success_deletes_batch(void)
{
	static const char text[] =
		"duration: 10m\n"
		"queues:\n  q: { visibility_timeout: 1m }\n"
		"producers:\n  p: { target: q, arrivals: poisson(rate=200/s), stop: 9m }\n"
		"functions:\n  f: { duration: \"exponential(mean=100ms)\" }\n"
		"triggers:\n  - { source: q, function: f }\n";
	struct summary s = { 0 };

	CHECK(run_scenario_text(text, 1, &s) == 0);
	CHECK(summary_get(&s, "q", "ledger.sent") > 100000);
	CHECK_EQ_INT(summary_get(&s, "q", "ledger.deleted"), summary_get(&s, "q", "ledger.sent"));
	CHECK_EQ_INT(summary_get(&s, "q-to-f", "MessagesDeleted"), summary_get(&s, "q", "ledger.sent"));
	CHECK_EQ_INT(summary_get(&s, "q-to-f", "Batches"), summary_get(&s, "f", "Invocations"));
	CHECK_EQ_INT(summary_get(&s, "q", "DuplicateDeliveries"), 0);
	summary_release(&s);
}

/*
 * While messages wait and every batch is busy, the mapping adds 300
 * concurrent batches a minute (60 before 6 Nov 2023), from 5 (§5.2).
 */
static void ramp(const char *behaviour, double per_min)
{
	char text[1024];
	struct test_world t;
	double at_30s, at_90s, at_3m;

	snprintf(text, sizeof(text),
		 "duration: 4m\n"
		 "account: { lambda_concurrency: 20000, behaviour: %s }\n"
		 "queues:\n  q: { visibility_timeout: 1h }\n"
		 "producers:\n  p: { target: q, arrivals: constant(rate=2000/s) }\n"
		 "functions:\n  f: { duration: 60s, timeout: 900s, cold_start: 0s }\n"
		 "triggers:\n  - { source: q, function: f }\n",
		 behaviour);
	CHECK(test_world_open(&t, text, 1) == 0);
	sim_run(world_sim(t.w), 30 * SIM_SEC);
	at_30s = (double)esm_concurrency(world_resource(t.w, "trigger", "q-to-f"));
	sim_run(world_sim(t.w), 90 * SIM_SEC);
	at_90s = (double)esm_concurrency(world_resource(t.w, "trigger", "q-to-f"));
	sim_run(world_sim(t.w), 180 * SIM_SEC);
	at_3m = (double)esm_concurrency(world_resource(t.w, "trigger", "q-to-f"));
	CHECK(test_world_close(&t, NULL) == 0);
	CHECK_MSG(fabs(at_90s - at_30s - per_min) <= 1, "%s: %g more batches in a minute, expected %g",
		  behaviour, at_90s - at_30s, per_min);
	CHECK_MSG(fabs(at_3m - (5 + 3 * per_min)) <= per_min / 60 * 2 + 1,
		  "%s: %g batches after 3 minutes, expected 5 + 3 x %g", behaviour, at_3m, per_min);
}

void test_esm_ramp_per_behaviour(void)
{
	ramp("latest", ESM_RAMP_NEW);
	if (test__failed())
		return;
	ramp("2023-06-30", ESM_RAMP_OLD);
}

/* The ramp stops at the ceiling (a named parameter, 1,000 by default). */
void test_esm_ramp_stops_at_ceiling(void)
{
	static const char *const st[] = { "Pollers.max", NULL };
	double v[1];

	CHECK(run_stats("duration: 5m\n"
		       "account: { lambda_concurrency: 20000 }\n"
		       "queues:\n  q: { visibility_timeout: 1h }\n"
		       "producers:\n  p: { target: q, arrivals: constant(rate=5000/s) }\n"
		       "functions:\n  f: { duration: 60s, timeout: 900s, cold_start: 0s }\n"
		       "triggers:\n  - { source: q, function: f }\n",
		       "q-to-f", st, v) == 0);
	CHECK_EQ_INT(v[0], 1000);
}

/* maximum_concurrency caps the batches in flight, and so the function's concurrency (§5.3). */
void test_esm_maximum_concurrency_caps(void)
{
	static const char text[] =
		"duration: 5m\n"
		"queues:\n  q: { visibility_timeout: 1h }\n"
		"producers:\n  p: { target: q, arrivals: poisson(rate=500/s) }\n"
		"functions:\n  f: { duration: 2s, timeout: 10s }\n"
		"triggers:\n  - { source: q, function: f, maximum_concurrency: 20 }\n";
	struct summary s = { 0 };

	CHECK(run_scenario_text(text, 1, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "q-to-f", "Pollers.max"), 20);
	CHECK_EQ_INT(summary_get(&s, "f", "ConcurrentExecutions.max"), 20);
	CHECK_EQ_INT(summary_get(&s, "f", "Throttles"), 0);
	summary_release(&s);
}

/*
 * A failed invocation returns the whole batch, its good messages too (§5.4).
 * Two slow blockers keep both pollers busy while nine good messages and
 * one poison one arrive, so the first poller free takes all ten in one
 * batch. It fails; with max_receive_count 1 the next receive moves every
 * one of them to the DLQ. With ReportBatchItemFailures only the poison one
 * returns; the nine are deleted.
 */
void test_esm_failed_batch_returns_whole_batch(void)
{
	static const char tmpl[] =
		"duration: 10m\n"
		"queues:\n"
		"  q: { visibility_timeout: 60s, redrive: { dead_letter: dlq, max_receive_count: 1 } }\n"
		"  dlq: {}\n"
		"producers:\n"
		"  blockers: { target: q, arrivals: constant(rate=100/s), messages: 2 }\n"
		"  good: { target: q, arrivals: constant(rate=100/s), messages: 9, start: 1s }\n"
		"  bad: { target: q, arrivals: constant(rate=1/s), messages: 1, start: 1s, message: { poison: 1 } }\n"
		"functions:\n  f: { duration: 20s, timeout: 30s, cold_start: 0s }\n"
		"triggers:\n  - { source: q, function: f, maximum_concurrency: 2, report_batch_item_failures: %s }\n";
	static const char *const st[] = { "ledger.deleted", "ledger.moved_to_dlq", NULL };
	char text[1024];
	double v[2];

	snprintf(text, sizeof(text), tmpl, "false");
	CHECK(run_stats(text, "q", st, v) == 0);
	CHECK_EQ_INT(v[0], 2);
	CHECK_EQ_INT(v[1], 10);
	snprintf(text, sizeof(text), tmpl, "true");
	CHECK(run_stats(text, "q", st, v) == 0);
	CHECK_EQ_INT(v[0], 11);
	CHECK_EQ_INT(v[1], 1);
}

/*
 * Throttled batches count receives: with reserved concurrency 2 the
 * mapping's 5 pollers are throttled, retry until the visibility timeout and
 * let go, and messages the function never failed reach the DLQ. With
 * maximum_concurrency 2 the mapping pulls only what it can run: no
 * throttles, no DLQ (§5.3, §5.4).
 */
void test_esm_throttles_dead_letter_good_messages(void)
{
	static const char tmpl[] =
		"duration: 30m\n"
		"queues:\n"
		"  q: { visibility_timeout: 30s, redrive: { dead_letter: dlq, max_receive_count: 3 } }\n"
		"  dlq: {}\n"
		"producers:\n  p: { target: q, arrivals: poisson(rate=5/s) }\n"
		"functions:\n  f: { duration: \"uniform(min=0.5s, max=1.5s)\", timeout: 5s, reserved_concurrency: 2 }\n"
		"triggers:\n  - { source: q, function: f%s }\n";
	char text[1024];
	struct summary s = { 0 };

	snprintf(text, sizeof(text), tmpl, "");
	CHECK(run_scenario_text(text, 1, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "f", "Errors"), 0);
	CHECK(summary_get(&s, "f", "Throttles") > 1000);
	CHECK(summary_get(&s, "q", "ledger.moved_to_dlq") > 50);
	summary_release(&s);
	snprintf(text, sizeof(text), tmpl, ", maximum_concurrency: 2");
	CHECK(run_scenario_text(text, 1, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "f", "Throttles"), 0);
	CHECK_EQ_INT(summary_get(&s, "q", "ledger.moved_to_dlq"), 0);
	summary_release(&s);
}

/* A disabled function (reserved 0) never runs: every message reaches the DLQ through throttles alone. */
void test_esm_disabled_function_dead_letters_all(void)
{
	static const char text[] =
		"duration: 10m\n"
		"queues:\n"
		"  q: { visibility_timeout: 18s, redrive: { dead_letter: dlq, max_receive_count: 2 } }\n"
		"  dlq: {}\n"
		"producers:\n  p: { target: q, arrivals: constant(rate=1/s), stop: 5m }\n"
		"functions:\n  f: { duration: 1s, reserved_concurrency: 0 }\n"
		"triggers:\n  - { source: q, function: f }\n";
	struct summary s = { 0 };

	CHECK(run_scenario_text(text, 1, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "f", "Invocations"), 0);
	CHECK_EQ_INT(summary_get(&s, "q", "ledger.moved_to_dlq"), summary_get(&s, "q", "ledger.sent"));
	CHECK(summary_get(&s, "q-to-f", "AbandonedBatches") > 0);
	summary_release(&s);
}

/*
 * The batching window (§5.1): a lone record waits the whole window from its
 * arrival (2 s, then 10 ms of handler: 2.01 s end to end, so mean = max =
 * 2.01 s), while a batch
 * that fills up goes at once.
 */
void test_esm_batching_window(void)
{
	static const char tmpl[] =
		"duration: 200s\n"
		"queues:\n  q: {}\n"
		"producers:\n  p: { target: q, arrivals: constant(rate=%s) }\n"
		"functions:\n  f: { duration: 10ms, cold_start: 0s }\n"
		"triggers:\n  - { source: q, function: f, batch_size: 20, maximum_batching_window: %s }\n";
	static const char *const st[] = { "EndToEndLatency.mean", "EndToEndLatency.max", NULL };
	char text[1024];
	double v[2];

	snprintf(text, sizeof(text), tmpl, "0.1/s", "2s");
	CHECK(run_stats(text, "q", st, v) == 0);
	CHECK_NEAR(v[0], 2.01, 1e-6);
	CHECK_NEAR(v[1], 2.01, 1e-6);
	snprintf(text, sizeof(text), tmpl, "1000/s", "10s");
	CHECK(run_stats(text, "q", st, v) == 0);
	CHECK_MSG(v[1] < 1, "a full batch waited %gs", v[1]);
}

/* A batch stops at the 6 MB payload: 256 KB records (plus metadata) fit 23 to a batch (§5.1). */
void test_esm_payload_cap(void)
{
	static const char *const st[] = { "BatchSize.mean", "RecordsInvoked", NULL };
	double v[2];

	CHECK(run_stats("duration: 60s\n"
		       "queues:\n  q: {}\n"
		       "producers:\n  p: { target: q, arrivals: constant(rate=1000/s), message: { size: 256KB } }\n"
		       "functions:\n  f: { duration: 10ms }\n"
		       "triggers:\n  - { source: q, function: f, batch_size: 1000, maximum_batching_window: 1s }\n",
		       "q-to-f", st, v) == 0);
	CHECK(v[1] > 50000);
	CHECK_MSG(floor(ESM_PAYLOAD_MAX / (256000 + ESM_RECORD_OVERHEAD_BYTES)) == 24 ||
			  floor(ESM_PAYLOAD_MAX / (256000 + ESM_RECORD_OVERHEAD_BYTES)) == 23,
		  "the test's sizes assume 23 or 24 records per payload");
	CHECK_MSG(v[0] > 23.5 && v[0] <= floor(ESM_PAYLOAD_MAX / (256000 + ESM_RECORD_OVERHEAD_BYTES)),
		  "mean batch %g", v[0]);
}

/*
 * When the queue goes quiet the mapping scales down, to 2 batches after a
 * minute without messages; with maximum_concurrency set it keeps 5 (§5.2).
 */
void test_esm_scales_down_when_idle(void)
{
	static const char tmpl[] =
		"duration: 10m\n"
		"queues:\n  q: {}\n"
		"producers:\n  p: { target: q, arrivals: poisson(rate=500/s), stop: 2m }\n"
		"functions:\n  f: { duration: 1s }\n"
		"triggers:\n  - { source: q, function: f%s }\n";
	char text[1024];
	struct test_world t;
	uint64_t busy, idle;

	snprintf(text, sizeof(text), tmpl, "");
	CHECK(test_world_open(&t, text, 1) == 0);
	sim_run(world_sim(t.w), 2 * SIM_MIN);
	busy = esm_concurrency(world_resource(t.w, "trigger", "q-to-f"));
	sim_run(world_sim(t.w), 9 * SIM_MIN);
	idle = esm_concurrency(world_resource(t.w, "trigger", "q-to-f"));
	CHECK(test_world_close(&t, NULL) == 0);
	CHECK_MSG(busy > 40, "%llu batches under load", (unsigned long long)busy);
	CHECK_EQ_INT(idle, ESM_IDLE_CONCURRENCY);
	snprintf(text, sizeof(text), tmpl, ", maximum_concurrency: 100");
	CHECK(test_world_open(&t, text, 1) == 0);
	sim_run(world_sim(t.w), 9 * SIM_MIN);
	idle = esm_concurrency(world_resource(t.w, "trigger", "q-to-f"));
	CHECK(test_world_close(&t, NULL) == 0);
	CHECK_EQ_INT(idle, ESM_START_CONCURRENCY);
}

/*
 * Function errors make the mapping back off, unless failures are reported
 * per item (§5.2): under a backlog with every other invocation failing, it
 * stays near its floor without ReportBatchItemFailures and ramps with it.
 */
void test_esm_backs_off_on_errors(void)
{
	static const char tmpl[] =
		"duration: 3m\n"
		"queues:\n  q: { visibility_timeout: 1m }\n"
		"producers:\n  p: { target: q, arrivals: constant(rate=1000/s) }\n"
		"functions:\n  f: { duration: 2s, timeout: 5s, errors: { rate: 0.5 } }\n"
		"triggers:\n  - { source: q, function: f, report_batch_item_failures: %s }\n";
	static const char *const st[] = { "Pollers.max", NULL };
	char text[1024];
	double without, with;

	snprintf(text, sizeof(text), tmpl, "false");
	CHECK(run_stats(text, "q-to-f", st, &without) == 0);
	snprintf(text, sizeof(text), tmpl, "true");
	CHECK(run_stats(text, "q-to-f", st, &with) == 0);
	/* The first invocations end at 2 s: by then it has grown for two ticks, to 15. */
	CHECK_MSG(without <= ESM_START_CONCURRENCY + 2 * ESM_RAMP_NEW / 60, "%g batches at most without item failures",
		  without);
	CHECK_MSG(with >= 5 + 2.5 * ESM_RAMP_NEW - 10, "%g batches at most with item failures", with);
}

/*
 * weir check warns when the queue's visibility timeout is under 6 times the
 * function timeout plus the window (§5.4), and when maximum_concurrency
 * exceeds the function's reserved concurrency (§5.3); neither is an error.
 */
void test_esm_check_warnings(void)
{
	static const char text[] =
		"duration: 1m\n"
		"queues:\n  q: { visibility_timeout: 2m }\n"
		"functions:\n  f: { duration: 1s, timeout: 20s, reserved_concurrency: 10 }\n"
		"triggers:\n  - { source: q, function: f, maximum_batching_window: 5s, maximum_concurrency: 50 }\n";
	char full[512];
	const char *args[] = { "check", full, NULL };
	struct proc p;

	snprintf(full, sizeof(full), "%s/esm-warnings.yaml", test_tmpdir());
	CHECK(write_file(full, text) == 0);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_MSG(p.status == 0, "exit %d: %s", p.status, p.err);
	CHECK_MSG(strstr(p.err, "warning: queue 'q' has a visibility timeout of 2m") &&
			  strstr(p.err, "AWS recommends at least 125s"),
		  "%s", p.err);
	CHECK_MSG(strstr(p.err, "warning: maximum_concurrency 50 is above the reserved concurrency of function 'f' (10)"),
		  "%s", p.err);
	proc_release(&p);
	/* 6 x 20 s + 5 s = 125 s: a visibility timeout of 125 s is enough. */
	CHECK(write_file(full, "duration: 1m\n"
				"queues:\n  q: { visibility_timeout: 125s }\n"
				"functions:\n  f: { duration: 1s, timeout: 20s }\n"
				"triggers:\n  - { source: q, function: f, maximum_batching_window: 5s }\n") == 0);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_MSG(p.status == 0 && !strstr(p.err, "warning"), "exit %d: %s", p.status, p.err);
	proc_release(&p);
}

/*
 * Every batch's throttled invokes are retried from a 1 s delay, doubling,
 * until its visibility timeout would run out (§5.4): with a 30 s timeout the
 * tries are at 0, 1, 3, 7 and 15 s, five per batch, then the batch is let go.
 */
void test_esm_throttle_retries_per_batch(void)
{
	static const char *const st[] = { "ThrottledInvokes", "AbandonedBatches", NULL };
	double v[2];

	CHECK(run_stats("duration: 10m\n"
			"queues:\n  q: { visibility_timeout: 30s }\n"
			"producers:\n  p: { target: q, arrivals: constant(rate=0.05/s) }\n"
			"functions:\n  f: { duration: 50ms, timeout: 5s, reserved_concurrency: 0 }\n"
			"triggers:\n  - { source: q, function: f }\n",
			"q-to-f", st, v) == 0);
	CHECK(v[1] > 50);
	/* Batches still being retried at the end add at most 5 tries each, one per poller. */
	CHECK_MSG(v[0] >= 5 * v[1] && v[0] <= 5 * v[1] + 5 * 5, "%g throttled invokes for %g batches let go",
		  v[0], v[1]);
}

/*
 * Records left over by a full payload start the next batch, which respects
 * the 6 MB cap too (at most 5 records of 1 MiB), and goes at once or after
 * its window: three records left over while a 25 s batch runs are invoked
 * the moment it ends, 50 s after their receive, within their 60 s
 * visibility timeout, so none is received a second time (§5.1).
 */
void test_esm_carried_records(void)
{
	static const char *const st[] = { "BatchSize.mean", "MessagesDeleted", "StaleDeletes",
					  "DuplicateProcessings", NULL };
	double v[4];

	CHECK(run_stats("duration: 5m\n"
			"queues:\n  q: { maximum_message_size: 1MiB }\n"
			"producers:\n  p: { target: q, arrivals: constant(rate=200/s), message: { size: 1MiB } }\n"
			"functions:\n  f: { duration: 2s, timeout: 10s }\n"
			"triggers:\n  - { source: q, function: f, batch_size: 100, maximum_batching_window: 5s,"
			" maximum_concurrency: 2 }\n",
			"q-to-f", st, v) == 0);
	CHECK_MSG(v[0] > 4.5 && v[0] <= 5, "mean batch %g", v[0]);
	CHECK(run_stats("duration: 5m\n"
			"queues:\n  q: { maximum_message_size: 1MiB, visibility_timeout: 60s }\n"
			"producers:\n"
			"  first: { target: q, arrivals: constant(rate=10/s), stop: 200ms, message: { size: 1MiB } }\n"
			"  burst: { target: q, arrivals: constant(rate=100/s), start: 5s, stop: 5.1s,"
			" message: { size: 1MiB } }\n"
			"functions:\n  f: { duration: 25s, timeout: 25s }\n"
			"triggers:\n  - { source: q, function: f, maximum_concurrency: 2 }\n",
			"q-to-f", st, v) == 0);
	CHECK_EQ_INT(v[1], 10);
	CHECK_EQ_INT(v[2], 0);
	CHECK_EQ_INT(v[3], 0);
}

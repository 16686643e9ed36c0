/*
 * test_lambda.c - one test per Lambda rule of the rule book
 * (aws-behaviour §4), each through a small scenario: a producer invoking a
 * function synchronously or asynchronously. Tests that need the state at a
 * given time step the world with sim_run; the others read summary.csv's
 * statistics. Every world's ledgers are checked when it is closed.
 *
 * Random counts are checked against 4 standard deviations (a false alarm
 * once in about 16,000 seeds); deterministic ones exactly.
 */
#include "harness.h"
#include "util.h"
#include "weir/lambda.h"
#include "weir/retry.h"
#include "weir/sqs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct lambda_counters *fn_counters(struct test_world *t, const char *name)
{
	return lambda_counters(world_resource(t->w, "function", name));
}

/* ---- concurrency (§4.1) ---------------------------------------------------- */

/* Reserved concurrency caps the function: never more than 10 run at once; the rest are throttled. */
void test_lambda_reserved_concurrency_caps(void)
{
	static const char *const st[] = { "ConcurrentExecutions.max", "Throttles", "Invocations", NULL };
	double v[3];

	CHECK(run_stats("duration: 60s\n"
		       "producers:\n  p: { target: f, arrivals: poisson(rate=100/s), retry: { mode: none } }\n"
		       "functions:\n  f: { duration: 1s, reserved_concurrency: 10, cold_start: 0s }\n",
		       "f", st, v) == 0);
	CHECK_EQ_INT(v[0], 10);
	CHECK_MSG(v[1] > 4000 && v[2] < 700, "throttles %g, invocations %g", v[1], v[2]);
}

/* reserved_concurrency 0 disables the function: every request is throttled (§4.1). */
void test_lambda_reserved_zero_disables(void)
{
	static const char *const st[] = { "Invocations", "Throttles", NULL };
	double v[2];

	CHECK(run_stats("duration: 10s\n"
		       "producers:\n  p: { target: f, arrivals: constant(rate=10/s), retry: { mode: none } }\n"
		       "functions:\n  f: { duration: 1ms, reserved_concurrency: 0 }\n",
		       "f", st, v) == 0);
	CHECK_EQ_INT(v[0], 0);
	CHECK_EQ_INT(v[1], 99);
}

/*
 * Reserved concurrency is also a floor: with an account of 200, a function
 * reserving 100 keeps its 100 while a busy unreserved function can use only
 * the other 100 (§4.1).
 */
void test_lambda_reservation_is_a_floor(void)
{
	static const char text[] =
		"duration: 60s\n"
		"account: { lambda_concurrency: 200 }\n"
		"producers:\n"
		"  a: { target: busy, arrivals: poisson(rate=500/s), retry: { mode: none } }\n"
		"  b: { target: kept, arrivals: poisson(rate=500/s), retry: { mode: none } }\n"
		"functions:\n"
		"  busy: { duration: 1s, cold_start: 0s }\n"
		"  kept: { duration: 1s, cold_start: 0s, reserved_concurrency: 100 }\n";
	struct summary s = { 0 };

	CHECK(run_scenario_text(text, 1, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "busy", "ConcurrentExecutions.max"), 100);
	CHECK_EQ_INT(summary_get(&s, "kept", "ConcurrentExecutions.max"), 100);
	CHECK_EQ_INT(summary_get(&s, "busy", "ConcurrencyLimit"), 100);
	CHECK(summary_get(&s, "busy", "Throttles") > 0 && summary_get(&s, "kept", "Throttles") > 0);
	summary_release(&s);
}

/*
 * Two unreserved functions share the unreserved pool: together never more
 * than the account's 150 (the account gauge shows the sum).
 */
void test_lambda_unreserved_pool_shared(void)
{
	static const char text[] =
		"duration: 30s\n"
		"account: { lambda_concurrency: 150 }\n"
		"producers:\n"
		"  a: { target: f, arrivals: poisson(rate=200/s), retry: { mode: none } }\n"
		"  b: { target: g, arrivals: poisson(rate=200/s), retry: { mode: none } }\n"
		"functions:\n"
		"  f: { duration: 1s, cold_start: 0s }\n"
		"  g: { duration: 1s, cold_start: 0s }\n";
	struct test_world t;
	uint64_t peak = 0;

	CHECK(test_world_open(&t, text, 1) == 0);
	for (sim_time at = SIM_SEC; at <= 30 * SIM_SEC; at += SIM_SEC / 10) {
		uint64_t n;

		sim_run(world_sim(t.w), at);
		n = lambda_running(world_resource(t.w, "function", "f")) +
		    lambda_running(world_resource(t.w, "function", "g"));
		peak = n > peak ? n : peak;
	}
	CHECK(test_world_close(&t, NULL) == 0);
	CHECK_EQ_INT(peak, 150);
}

/* ---- scaling (§4.2) ------------------------------------------------------- */

/*
 * Since Nov 2023 each function may add 1,000 environments at once, then 100
 * per second: 10,000 requests/s of 5-minute invocations get 1,000 at first,
 * about 1,100 after 1 s and 2,000 after 10 s; a second function starting at
 * 5 s has its own 1,000, and 1,050 half a second later.
 */
void test_lambda_scaling_per_function(void)
{
	static const char text[] =
		"duration: 20s\n"
		"account: { lambda_concurrency: 10000 }\n"
		"producers:\n"
		"  a: { target: f, arrivals: constant(rate=10000/s), retry: { mode: none } }\n"
		"  b: { target: g, arrivals: constant(rate=10000/s), retry: { mode: none }, start: 5s }\n"
		"functions:\n"
		"  f: { duration: 5m, timeout: 900s, cold_start: 0s }\n"
		"  g: { duration: 5m, timeout: 900s, cold_start: 0s }\n";
	struct test_world t;
	uint64_t at_1s, at_10s, g_at_5500ms;

	CHECK(test_world_open(&t, text, 1) == 0);
	sim_run(world_sim(t.w), 1 * SIM_SEC);
	at_1s = fn_counters(&t, "f")->invocations;
	sim_run(world_sim(t.w), 5 * SIM_SEC + 500 * SIM_MS);
	g_at_5500ms = fn_counters(&t, "g")->invocations;
	sim_run(world_sim(t.w), 10 * SIM_SEC);
	at_10s = fn_counters(&t, "f")->invocations;
	CHECK(test_world_close(&t, NULL) == 0);
	CHECK_MSG(at_1s >= 1098 && at_1s <= 1100, "%llu invocations after 1 s, expected 1,000 + 100",
		  (unsigned long long)at_1s);
	CHECK_MSG(at_10s >= 1998 && at_10s <= 2000, "%llu invocations after 10 s, expected 1,000 + 1,000",
		  (unsigned long long)at_10s);
	CHECK_MSG(g_at_5500ms >= 1048 && g_at_5500ms <= 1050, "g: %llu after 0.5 s of its own, expected 1,050",
		  (unsigned long long)g_at_5500ms);
}

/*
 * Before Nov 2023 the account's concurrency could reach a burst (3,000 in
 * us-east-1, 500 in most Regions) at once and then 500 more per minute
 * (§4.2): two functions at 5,000 requests/s each reach the burst together
 * after burst / 10,000 s, then gain 500/60 a second, and 500 in the next
 * minute.
 */
static void old_scaling(const char *region, double burst)
{
	char text[1024];
	struct test_world t;
	uint64_t at_1s, at_61s;

	snprintf(text, sizeof(text),
		 "duration: 90s\n"
		 "account: { lambda_concurrency: 20000, behaviour: 2023-06-30, region: %s }\n"
		 "producers:\n"
		 "  a: { target: f, arrivals: constant(rate=5000/s), retry: { mode: none } }\n"
		 "  b: { target: g, arrivals: constant(rate=5000/s), retry: { mode: none } }\n"
		 "functions:\n"
		 "  f: { duration: 15m, timeout: 900s, cold_start: 0s }\n"
		 "  g: { duration: 15m, timeout: 900s, cold_start: 0s }\n",
		 region);
	CHECK(test_world_open(&t, text, 1) == 0);
	sim_run(world_sim(t.w), SIM_SEC);
	at_1s = fn_counters(&t, "f")->invocations + fn_counters(&t, "g")->invocations;
	sim_run(world_sim(t.w), 61 * SIM_SEC);
	at_61s = fn_counters(&t, "f")->invocations + fn_counters(&t, "g")->invocations;
	CHECK(test_world_close(&t, NULL) == 0);
	CHECK_MSG(fabs((double)at_1s - burst - (1 - burst / 10000) * 500.0 / 60) <= 2,
		  "%s: %llu after 1 s, expected %g + %g", region, (unsigned long long)at_1s, burst,
		  (1 - burst / 10000) * 500.0 / 60);
	CHECK_MSG(fabs((double)(at_61s - at_1s) - 500) <= 2, "%s: %llu more in the next minute, expected 500",
		  region, (unsigned long long)(at_61s - at_1s));
}

/*
 * The old limit is on concurrency, not on new environments: environments
 * reaped and replaced below the burst are never throttled.
 */
static void old_scaling_churn(void)
{
	static const char *const st[] = { "Throttles", "ConcurrentExecutions.max", "ColdStarts", NULL };
	double v[3];

	CHECK(run_stats("duration: 10m\n"
			"account: { behaviour: 2022-06-01, region: sa-east-1 }\n"
			"producers:\n  s: { target: f, arrivals: poisson(rate=0.001/s), retry: { mode: none },"
			" bursts: { rate: 1000/s, on: 10s, off: 20s } }\n"
			"functions:\n  f: { duration: 300ms, keep_alive: 5s, cold_start: 10ms }\n",
			"f", st, v) == 0);
	CHECK_MSG(v[1] < 500 && v[2] > 1000, "peak %g, cold starts %g", v[1], v[2]);
	CHECK_EQ_INT(v[0], 0);
}

void test_lambda_scaling_account_burst_before_2023(void)
{
	old_scaling_churn();
	if (test__failed())
		return;
	old_scaling("us-east-1", 3000);
	if (test__failed())
		return;
	old_scaling("eu-central-1", 1000);
	if (test__failed())
		return;
	old_scaling("sa-east-1", 500);
}

/* ---- environments (§4.6) -------------------------------------------------- */

/* One request at a time, 1 s apart, 100 ms each: one cold start, then warm reuse. */
void test_lambda_cold_start_only_on_new_environment(void)
{
	static const char *const st[] = { "ColdStarts", "Invocations", "InitDuration.mean", NULL };
	double v[3];

	CHECK(run_stats("duration: 4m\n"
		       "producers:\n  p: { target: f, arrivals: constant(rate=1/s) }\n"
		       "functions:\n  f: { duration: 100ms, cold_start: 250ms, keep_alive: 5m }\n",
		       "f", st, v) == 0);
	CHECK_EQ_INT(v[1], 239);
	CHECK_EQ_INT(v[0], 1);
	CHECK_NEAR(v[2], 250, 1e-9);
}

/*
 * Idle environments are reaped after the keep-alive: a request every 20
 * minutes finds a warm environment when it stays 30 minutes, and a cold one
 * every time when it stays 10.
 */
void test_lambda_idle_environments_reaped(void)
{
	static const char tmpl[] =
		"duration: 3h\n"
		"producers:\n  p: { target: f, arrivals: constant(rate=0.05/min) }\n"
		"functions:\n  f: { duration: 1s, keep_alive: %s }\n";
	char text[512];

	snprintf(text, sizeof(text), tmpl, "30m");
	CHECK_EQ_INT(run_stat(text, "f", "ColdStarts"), 1);
	snprintf(text, sizeof(text), tmpl, "10m");
	CHECK_EQ_INT(run_stat(text, "f", "ColdStarts"), 8);
	CHECK_EQ_INT(run_stat(text, "f", "Invocations"), 8);
}

/*
 * INIT is limited to 10 s (§4.6): a 12 s INIT stops at 10 s and runs again
 * in the invocation, against the timeout: 12 s of the 15 s timeout leaves
 * 3 s, too little for a 5 s handler (a timeout), enough for a 1 s one.
 */
void test_lambda_init_limit(void)
{
	static const char tmpl[] =
		"duration: 2m\n"
		"producers:\n  p: { target: f, arrivals: constant(rate=1/min) }\n"
		"functions:\n  f: { duration: %s, timeout: 15s, cold_start: 12s }\n";
	static const char *const st[] = { "InitTimeouts", "Timeouts", "Duration.max", NULL };
	char text[512];
	double v[3];

	snprintf(text, sizeof(text), tmpl, "5s");
	CHECK(run_stats(text, "f", st, v) == 0);
	CHECK_EQ_INT(v[0], 1);
	CHECK_EQ_INT(v[1], 1);
	CHECK_NEAR(v[2], 15000, 1e-6);
	snprintf(text, sizeof(text), tmpl, "1s");
	CHECK(run_stats(text, "f", st, v) == 0);
	CHECK_EQ_INT(v[0], 1);
	CHECK_EQ_INT(v[1], 0);
	CHECK_NEAR(v[2], 13000, 1e-6);   /* 12 s of INIT again + 1 s of handler */
}

/* Provisioned environments serve without cold starts; beyond them, invocations spill over. */
void test_lambda_provisioned_concurrency_spillover(void)
{
	static const char tmpl[] =
		"duration: 10m\n"
		"producers:\n  p: { target: f, arrivals: constant(rate=%d/s) }\n"
		"functions:\n  f: { duration: 1s, provisioned_concurrency: 10 }\n";
	static const char *const st[] = { "ColdStarts", "ProvisionedConcurrencySpilloverInvocations",
					  "Invocations", NULL };
	char text[512];
	double v[3];

	snprintf(text, sizeof(text), tmpl, 5);
	CHECK(run_stats(text, "f", st, v) == 0);
	CHECK_EQ_INT(v[0], 0);
	CHECK_EQ_INT(v[1], 0);
	snprintf(text, sizeof(text), tmpl, 15);
	CHECK(run_stats(text, "f", st, v) == 0);
	CHECK_MSG(v[0] >= 5 && v[1] >= v[0] && v[1] < v[2] / 2, "cold %g, spillover %g of %g", v[0], v[1], v[2]);
}

/* ---- the handler (§4.3, §4.5) ---------------------------------------------- */

/* A run longer than the timeout is stopped there: a timeout, counted in Errors. */
void test_lambda_timeout_is_an_error(void)
{
	static const char *const st[] = { "Errors", "Timeouts", "Invocations", "Duration.max", NULL };
	double v[4];

	CHECK(run_stats("duration: 60s\n"
		       "producers:\n  p: { target: f, arrivals: constant(rate=1/s) }\n"
		       "functions:\n  f: { duration: \"uniform(min=2s, max=4s)\", timeout: 3s }\n",
		       "f", st, v) == 0);
	CHECK(v[1] > 0 && v[1] < v[2]);
	CHECK_EQ_INT(v[0], v[1]);
	CHECK_NEAR(v[3], 3000, 1e-9);
}

/* errors.rate: the fraction of invocations that fail. */
void test_lambda_error_rate(void)
{
	double n = run_stat("duration: 1000s\n"
			   "producers:\n  p: { target: f, arrivals: constant(rate=20/s) }\n"
			   "functions:\n  f: { duration: 10ms, errors: { rate: 0.3 } }\n",
			   "f", "Errors");
	double trials = 19999, sd = sqrt(trials * 0.3 * 0.7);

	CHECK_MSG(fabs(n - trials * 0.3) <= 4 * sd, "%g errors, expected %g +- %g", n, trials * 0.3, 4 * sd);
}

/* ---- synchronous callers and their retries (§4.3, §8) ------------------------- */

/*
 * A throttled request is retried by the SDK (§8.3): max_attempts in all,
 * then given up; and only while the retry quota lasts: 500 tokens at 5 a
 * retry allow 100 retries when nothing ever succeeds to refund them.
 */
void test_lambda_sync_caller_retries_throttles(void)
{
	static const char tmpl[] =
		"duration: 1000s\n"
		"producers:\n  p: { target: f, arrivals: constant(rate=1/s), messages: %d, retry: %s }\n"
		"functions:\n  f: { duration: 1ms, reserved_concurrency: 0 }\n";
	static const char *const st[] = { "Attempts", "GiveUps", "Retries", "RetryQuotaExhausted", NULL };
	char text[512];
	double v[4];

	snprintf(text, sizeof(text), tmpl, 10, "{ mode: none }");
	CHECK(run_stats(text, "p", st, v) == 0);
	CHECK_EQ_INT(v[0], 10);
	CHECK_EQ_INT(v[1], 10);
	snprintf(text, sizeof(text), tmpl, 10, "{ max_attempts: 4 }");
	CHECK(run_stats(text, "p", st, v) == 0);
	CHECK_EQ_INT(v[0], 40);
	CHECK_EQ_INT(v[1], 10);
	CHECK_EQ_INT(v[2], 30);
	CHECK_EQ_INT(v[3], 0);
	snprintf(text, sizeof(text), tmpl, 100, "{ max_attempts: 4 }");
	CHECK(run_stats(text, "p", st, v) == 0);
	CHECK_EQ_INT(v[2], RETRY_QUOTA / RETRY_COST);
	CHECK_EQ_INT(v[1], 100);
	CHECK(v[3] > 0);
}

/* ---- asynchronous invocation (§4.4) ------------------------------------------ */

/*
 * A failing event is retried about 1 min and then about 2 min later, and
 * then goes to the on-failure destination: one event at 1 s, invocations at
 * 1 s, 61 s and 181 s, one message in the destination after that.
 */
void test_lambda_async_retries_then_destination(void)
{
	static const char text[] =
		"duration: 5m\n"
		"queues:\n  failed: {}\n"
		"producers:\n  p: { target: f, invoke: async, arrivals: constant(rate=1/s), messages: 1 }\n"
		"functions:\n"
		"  f: { duration: 10ms, cold_start: 0s, errors: { rate: 1 }, async: { on_failure: failed } }\n";
	static const sim_time at[] = { 60, 62, 180, 182 };
	static const uint64_t want[] = { 1, 2, 2, 3 };
	struct test_world t;
	uint64_t got[4], dest_before = UINT64_MAX, dest_after;

	CHECK(test_world_open(&t, text, 1) == 0);
	for (int i = 0; i < 4; i++) {
		sim_run(world_sim(t.w), at[i] * SIM_SEC);
		got[i] = fn_counters(&t, "f")->invocations;
		if (i == 2)
			dest_before = sqs_counters(world_resource(t.w, "queue", "failed"))->sent;
	}
	dest_after = sqs_counters(world_resource(t.w, "queue", "failed"))->sent;
	CHECK(test_world_close(&t, NULL) == 0);
	for (int i = 0; i < 4; i++)
		CHECK_MSG(got[i] == want[i], "at %llds: %llu invocations, expected %llu", (long long)at[i],
			  (unsigned long long)got[i], (unsigned long long)want[i]);
	CHECK_EQ_INT(dest_before, 0);
	CHECK_EQ_INT(dest_after, 1);
}

/* maximum_retry_attempts 0: a failed event goes to the destination at once, none retried. */
void test_lambda_async_no_retries(void)
{
	static const char *const st[] = { "Invocations", "AsyncRetries", "AsyncEventsSentOnFailure", NULL };
	double v[3];

	CHECK(run_stats("duration: 10m\n"
		       "queues:\n  dlq: {}\n"
		       "producers:\n  p: { target: f, invoke: async, arrivals: constant(rate=1/s), messages: 50 }\n"
		       "functions:\n  f: { duration: 10ms, errors: { rate: 1 },"
		       " async: { maximum_retry_attempts: 0, dead_letter: dlq } }\n",
		       "f", st, v) == 0);
	CHECK_EQ_INT(v[0], 50);
	CHECK_EQ_INT(v[1], 0);
	CHECK_EQ_INT(v[2], 50);
}

/*
 * Throttled events are retried with a backoff of 1 s doubling (1, 2, 4 ...
 * 32 s after the first try) and given up once older than the maximum
 * event age: with a 60 s age, the event from 2 s is given up just after
 * 62 s rather than at its next try (66 s), and without a destination it is
 * dropped.
 */
void test_lambda_async_event_age_limit(void)
{
	static const char text[] =
		"duration: 5m\n"
		"producers:\n"
		"  hog: { target: f, arrivals: constant(rate=1/s), messages: 1 }\n"
		"  p: { target: f, invoke: async, arrivals: constant(rate=0.5/s), messages: 1 }\n"
		"functions:\n"
		"  f: { duration: 10m, timeout: 900s, reserved_concurrency: 1, cold_start: 0s,"
		" async: { maximum_event_age: 60s } }\n";
	struct test_world t;
	uint64_t expired_at_62s, expired_after_62s, dropped;

	CHECK(test_world_open(&t, text, 1) == 0);
	sim_run(world_sim(t.w), 62 * SIM_SEC);
	expired_at_62s = fn_counters(&t, "f")->async_expired;
	sim_run(world_sim(t.w), 62 * SIM_SEC + SIM_MS);
	expired_after_62s = fn_counters(&t, "f")->async_expired;
	dropped = fn_counters(&t, "f")->async_dropped;
	CHECK(test_world_close(&t, NULL) == 0);
	CHECK_EQ_INT(expired_at_62s, 0);
	CHECK_EQ_INT(expired_after_62s, 1);
	CHECK_EQ_INT(dropped, 1);
}

/* A throttled event is not lost: it runs when concurrency frees up, within the 5 min backoff cap. */
void test_lambda_async_throttled_event_runs_later(void)
{
	static const char *const st[] = { "AsyncEventsSucceeded", "AsyncEventAge.max", "Throttles", NULL };
	double v[3];

	CHECK(run_stats("duration: 30m\n"
		       "producers:\n"
		       "  hog: { target: f, arrivals: constant(rate=1/s), messages: 1 }\n"
		       "  p: { target: f, invoke: async, arrivals: constant(rate=0.5/s), messages: 1 }\n"
		       "functions:\n"
		       "  f: { duration: 10m, timeout: 900s, reserved_concurrency: 1, cold_start: 0s }\n",
		       "f", st, v) == 0);
	CHECK_EQ_INT(v[0], 1);
	/*
	 * The hog runs from 1 s to 601 s. The event (from 2 s) is tried at 2 s,
	 * then 1, 2, 4 ... 256 s later (3, 5, 9 ... 513 s), all throttled, then
	 * 5 min later at 813 s: it ran 811 s old.
	 */
	CHECK_NEAR(v[1], 811000, 1e-6);
	CHECK_EQ_INT(v[2], 10);
}

/* Reserved concurrency 0: async events go straight to the destination, without retries (§4.4). */
void test_lambda_async_disabled_goes_to_destination(void)
{
	static const char *const st[] = { "AsyncEventsSentOnFailure", "AsyncRetries", "Invocations", NULL };
	double v[3];

	CHECK(run_stats("duration: 60s\n"
		       "queues:\n  failed: {}\n"
		       "producers:\n  p: { target: f, invoke: async, arrivals: constant(rate=1/s) }\n"
		       "functions:\n  f: { duration: 10ms, reserved_concurrency: 0,"
		       " async: { on_failure: failed } }\n",
		       "f", st, v) == 0);
	CHECK_EQ_INT(v[0], 59);
	CHECK_EQ_INT(v[1], 0);
	CHECK_EQ_INT(v[2], 0);
}

/*
 * An async payload over 1 MB (256 KB before 2026) is refused; a sync one up
 * to 6 MB is not: 200..300 KB payloads are all accepted now, and those over
 * 256 KB refused before.
 */
void test_lambda_payload_limits(void)
{
	static const char tmpl[] =
		"duration: 100s\n"
		"account: { behaviour: %s }\n"
		"producers:\n  p: { target: f, invoke: %s, arrivals: constant(rate=10/s),"
		" message: { size: \"uniform(min=200KB, max=300KB)\" } }\n"
		"functions:\n  f: { duration: 10ms }\n";
	char text[512];
	double n = 999, p = (300e3 - 262144) / 100e3, sd = sqrt(n * p * (1 - p)), big;

	snprintf(text, sizeof(text), tmpl, "latest", "async");
	CHECK_EQ_INT(run_stat(text, "f", "RequestsTooLarge"), 0);
	snprintf(text, sizeof(text), tmpl, "2025-01-01", "async");
	big = run_stat(text, "f", "RequestsTooLarge");
	CHECK_MSG(fabs(big - n * p) <= 4 * sd, "%g refused, expected %g +- %g", big, n * p, 4 * sd);
	CHECK_EQ_INT(run_stat(text, "p", "SendsRejected"), big);
	snprintf(text, sizeof(text), tmpl, "2025-01-01", "sync");
	CHECK_EQ_INT(run_stat(text, "f", "Invocations"), n);
	/* Synchronous requests over 6 MB are refused, and the function counts them too. */
	snprintf(text, sizeof(text),
		 "duration: 100s\n"
		 "producers:\n  p: { target: f, arrivals: constant(rate=10/s),"
		 " message: { size: \"uniform(min=1MB, max=10MB)\" } }\n"
		 "functions:\n  f: { duration: 10ms }\n");
	big = run_stat(text, "f", "RequestsTooLarge");
	CHECK_MSG(big > 300 && big == run_stat(text, "p", "SendsRejected"), "%g refused", big);
}

/* ---- billing (§4.7) -------------------------------------------------------- */

/*
 * 1,000 runs of 101 ms at 1,024 MB: 101 GB-s billed to the millisecond, 200
 * GB-s in 100 ms steps before Dec 2020; INIT billed since Aug 2025 only.
 */
void test_lambda_billing_rounding(void)
{
	static const char tmpl[] =
		"duration: 1001s\n"
		"account: { behaviour: %s }\n"
		"producers:\n  p: { target: f, arrivals: constant(rate=1/s) }\n"
		"functions:\n  f: { duration: 101ms, memory: 1024MB, cold_start: 300ms, keep_alive: 1h }\n";
	static const char *const st[] = { "GBSeconds", "Cost.init", "Cost.requests", NULL };
	char text[512];
	double v[3];

	snprintf(text, sizeof(text), tmpl, "latest");
	CHECK(run_stats(text, "f", st, v) == 0);
	CHECK_NEAR(v[0], 101.0, 1e-9);
	CHECK_NEAR(v[1], 0.3 * 0.0000166667, 1e-15);   /* one INIT of 300 ms at 1 GB */
	CHECK_NEAR(v[2], 1000 * 0.0000002, 1e-15);
	snprintf(text, sizeof(text), tmpl, "2020-06-01");
	CHECK(run_stats(text, "f", st, v) == 0);
	CHECK_NEAR(v[0], 200.0, 1e-9);
	CHECK_NEAR(v[1], 0, 1e-15);
}

/* ---- ledgers ----------------------------------------------------------------- */

/*
 * Cut in the middle of everything (invocations running, async events
 * waiting to retry): invocations = succeeded + failed + running and
 * received = succeeded + sent on failure + dropped + pending, both in the
 * summary a user sees.
 */
void test_lambda_ledgers_balance_mid_run(void)
{
	static const char text[] =
		"duration: 150s\n"
		"queues:\n  failed: {}\n"
		"producers:\n"
		"  s: { target: f, arrivals: poisson(rate=50/s) }\n"
		"  a: { target: f, invoke: async, arrivals: poisson(rate=50/s) }\n"
		"functions:\n"
		"  f: { duration: exponential(mean=2s), reserved_concurrency: 80, errors: { rate: 0.2 },"
		" async: { on_failure: failed, maximum_event_age: 2m } }\n";
	struct summary s = { 0 };
	double run, pending;

	CHECK(run_scenario_text(text, 7, &s) == 0);
	run = summary_get(&s, "f", "ledger.running");
	pending = summary_get(&s, "f", "ledger.async_pending");
	CHECK(run > 0 && pending > 0 && summary_get(&s, "f", "ledger.async_sent_on_failure") > 0);
	CHECK_EQ_INT(summary_get(&s, "f", "ledger.invocations"),
		     summary_get(&s, "f", "ledger.succeeded") + summary_get(&s, "f", "ledger.failed") + run);
	CHECK_EQ_INT(summary_get(&s, "f", "ledger.async_received"),
		     summary_get(&s, "f", "ledger.async_succeeded") +
			     summary_get(&s, "f", "ledger.async_sent_on_failure") +
			     summary_get(&s, "f", "ledger.async_dropped") + pending);
	CHECK_EQ_INT(summary_get(&s, "failed", "ledger.sent"), summary_get(&s, "f", "ledger.async_sent_on_failure"));
	summary_release(&s);
}

/*
 * test_sns.c - one test per rule of SNS standard topics (aws-behaviour §7.1,
 * §7.2): fan-out, filters, the AWS-managed retry policy through an outage
 * and to its end, client-side errors, SNS -> Lambda, and the scenario checks.
 * Every run goes through test_world_close, which checks every ledger and the
 * flows between resources.
 */
#include "harness.h"
#include "util.h"
#include "weir/sns.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Runs text to its end and returns the summary (s must be released). */
static int run_text(const char *text, struct summary *s)
{
	struct test_world t;

	if (test_world_open(&t, text, 1) != 0)
		return -1;
	sim_run(world_sim(t.w), t.sc->duration);
	return test_world_close(&t, s);
}

/* One publish reaches every subscription once: two queues and a function (§7.1). */
void test_sns_publish_reaches_every_subscription_once(void)
{
	static const char text[] =
		"duration: 1m\n"
		"queues: { a: {}, b: {} }\n"
		"functions: { f: { duration: 10ms } }\n"
		"topics:\n"
		"  t:\n"
		"    subscriptions: [{ endpoint: a }, { endpoint: b }, { endpoint: f }]\n"
		"producers: { p: { target: t, arrivals: constant(rate=1/s), messages: 1 } }\n";
	struct summary s = { 0 };

	CHECK(run_text(text, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "t", "ledger.published"), 1);
	CHECK_EQ_INT(summary_get(&s, "t.a", "ledger.delivered"), 1);
	CHECK_EQ_INT(summary_get(&s, "t.b", "ledger.delivered"), 1);
	CHECK_EQ_INT(summary_get(&s, "t.f", "ledger.delivered"), 1);
	CHECK_EQ_INT(summary_get(&s, "a", "ledger.sent"), 1);
	CHECK_EQ_INT(summary_get(&s, "b", "ledger.sent"), 1);
	CHECK_EQ_INT(summary_get(&s, "f", "ledger.async_received"), 1);
	/* JSON-wrapped: the queue stores the message plus the envelope. */
	CHECK_NEAR(summary_get(&s, "t", "PublishSize.mean"), 1000, 0);
	summary_release(&s);
}

/*
 * A filter of fraction 0.3 passes each message with probability 0.3: over
 * n = 20,000 publishes the count lies within 3.29 standard deviations of
 * 0.3 n (a 99.9% two-sided binomial bound), and the rest are filtered out.
 */
void test_sns_filter_fraction_binomial(void)
{
	static const char text[] =
		"duration: 1h\n"
		"queues: { q: {} }\n"
		"topics: { t: { subscriptions: [{ endpoint: q, filter: { fraction: 0.3 } }] } }\n"
		"producers: { p: { target: t, arrivals: constant(rate=100/s), messages: 20000 } }\n";
	struct summary s = { 0 };
	double n = 20000, p = 0.3, k, bound = 3.29 * sqrt(n * p * (1 - p));

	CHECK(run_text(text, &s) == 0);
	k = summary_get(&s, "t.q", "ledger.matched");
	CHECK_EQ_INT(summary_get(&s, "t", "ledger.published"), n);
	CHECK_MSG(fabs(k - n * p) <= bound, "matched %g, expected %g +- %g", k, n * p, bound);
	CHECK_EQ_INT(k + summary_get(&s, "t.q", "ledger.filtered_out"), n);
	CHECK_EQ_INT(summary_get(&s, "q", "ledger.sent"), k);
	summary_release(&s);
}

/*
 * An attribute filter matches exactly the messages that carry the value:
 * eu and us partition every publish, a filter on an attribute no message
 * has matches none, and the eu share is 0.3 within the 99.9% bound.
 */
void test_sns_attribute_filter_matches_exactly(void)
{
	static const char text[] =
		"duration: 1h\n"
		"queues: { eu: {}, us: {}, gold: {} }\n"
		"topics:\n"
		"  t:\n"
		"    subscriptions:\n"
		"      - { endpoint: eu, filter: { attribute: { name: region, equals: eu } } }\n"
		"      - { endpoint: us, filter: { attribute: { name: region, equals: us } } }\n"
		"      - { endpoint: gold, filter: { attribute: { name: tier, equals: gold } } }\n"
		"producers:\n"
		"  p: { target: t, arrivals: constant(rate=100/s), messages: 10000,\n"
		"       message: { attributes: { region: \"choice(eu=0.3, us=0.7)\" } } }\n";
	struct summary s = { 0 };
	double n = 10000, eu, us, bound = 3.29 * sqrt(n * 0.3 * 0.7);

	CHECK(run_text(text, &s) == 0);
	eu = summary_get(&s, "t.eu", "ledger.matched");
	us = summary_get(&s, "t.us", "ledger.matched");
	CHECK_EQ_INT(eu + us, n);
	CHECK_EQ_INT(summary_get(&s, "t.eu", "ledger.filtered_out"), us);
	CHECK_EQ_INT(summary_get(&s, "t.gold", "ledger.matched"), 0);
	CHECK_MSG(fabs(eu - 0.3 * n) <= bound, "eu %g, expected %g +- %g", eu, 0.3 * n, bound);
	CHECK_EQ_INT(summary_get(&s, "eu", "ledger.sent"), eu);
	summary_release(&s);
}

/* The attempts of the first message published (its times counted from the publish). */
struct attempts {
	sim_time published_at;     /* SIM_TIME_UNSET until the first attempt */
	sim_time at[64];           /* times of the first 64 attempts */
	uint64_t n;                /* attempts seen */
	sim_time last_at;
	sim_time delivered_at;     /* SIM_TIME_UNSET: not delivered */
};

static void record_attempt(void *ctx, const struct sns_sub *s, uint64_t attempt, bool failed,
			   sim_time published_at, sim_time now)
{
	struct attempts *a = ctx;

	(void)s;
	if (a->published_at == SIM_TIME_UNSET)
		a->published_at = published_at;
	if (published_at != a->published_at)
		return;
	WEIR_ASSERT(attempt == a->n + 1);
	now -= published_at;
	if (a->n < 64)
		a->at[a->n] = now;
	a->n++;
	a->last_at = now;
	if (!failed)
		a->delivered_at = now;
}

/* Opens text, hooks the attempts of topic t and runs to until. */
static int run_hooked(struct test_world *tw, const char *text, struct attempts *a, sim_time until)
{
	struct sns_topic *t;

	memset(a, 0, sizeof(*a));
	a->published_at = SIM_TIME_UNSET;
	a->delivered_at = SIM_TIME_UNSET;
	if (test_world_open(tw, text, 1) != 0)
		return -1;
	t = world_resource(tw->w, "topic", "t");
	WEIR_ASSERT(t != NULL);
	sns_set_attempt_hook(t, record_attempt, a);
	sim_run(world_sim(tw->w), until);
	return 0;
}

/* Seconds of the 10 backoff delays, computed here from the curve: 20^(k/9) s. */
static double backoff_sum(void)
{
	double sum = 0;

	for (int k = 0; k < SNS_RETRY_BACKOFF; k++)
		sum += pow(20.0, k / 9.0);
	return sum;
}

/*
 * The AWS-managed policy's phases (§7.2), as a table: 3 retries at once, 2
 * one second apart, 10 from 1 s to 20 s, then 100,000 at 20 s; 100,015 in all.
 */
void test_sns_retry_policy_phases(void)
{
	sim_time backoff = 0;

	for (uint64_t r = 1; r <= 3; r++)
		CHECK_EQ_INT(sns_retry_delay(r), 0);
	CHECK_EQ_INT(sns_retry_delay(4), SIM_SEC);
	CHECK_EQ_INT(sns_retry_delay(5), SIM_SEC);
	CHECK_EQ_INT(sns_retry_delay(6), SIM_SEC);         /* backoff starts at 1 s ... */
	CHECK_EQ_INT(sns_retry_delay(15), 20 * SIM_SEC);   /* ... and ends at 20 s */
	for (uint64_t r = 6; r <= 15; r++) {
		CHECK(sns_retry_delay(r) >= sns_retry_delay(r - 1));   /* growing */
		backoff += sns_retry_delay(r);
	}
	/* geometric from 1 to 20 s: sum of 20^(k/9), k = 0..9 = 68.1 s */
	CHECK_NEAR(sim_time_to_sec(backoff), backoff_sum(), 1e-5);
	CHECK_NEAR(sim_time_to_sec(backoff), 68.107, 0.001);
	CHECK_EQ_INT(sns_retry_delay(16), 20 * SIM_SEC);
	CHECK_EQ_INT(sns_retry_delay(100015), 20 * SIM_SEC);
	CHECK_EQ_INT(sns_retry_delay(100016), -1);
	CHECK_EQ_INT(sns_retry_delay(0), -1);
}

/*
 * A message published into a 2-hour outage, without jitter (times from the
 * publish): attempts 1-4 at 0 (the first and 3 immediate retries), then at
 * 1 s and 2 s, then the backoff phase to 2 + 68.1 = 70.1 s, then every 20 s.
 * Within the hour after the publish it makes 16 + floor((3600 - 70.1) / 20)
 * = 192 attempts; it is delivered by the first attempt after the outage.
 */
void test_sns_outage_retries_on_schedule(void)
{
	static const char text[] =
		"duration: 3h\n"
		"queues: { q: {} }\n"
		"topics:\n"
		"  t:\n"
		"    retry_jitter: 0\n"
		"    subscriptions: [{ endpoint: q, outages: [{ at: 0s, for: 2h }] }]\n"
		"producers: { p: { target: t, arrivals: constant(rate=1/s), messages: 1 } }\n";
	struct test_world tw;
	struct attempts a;
	sim_time expect = 0, backoff_end;
	uint64_t at_1h;

	CHECK(run_hooked(&tw, text, &a, SIM_HOUR + SIM_SEC) == 0);   /* the publish is at 1 s */
	CHECK_EQ_INT(a.published_at, SIM_SEC);
	at_1h = a.n;
	sim_run(world_sim(tw.w), tw.sc->duration);
	CHECK(test_world_close(&tw, NULL) == 0);
	for (uint64_t i = 0; i < 4; i++)
		CHECK_EQ_INT(a.at[i], 0);
	CHECK_EQ_INT(a.at[4], SIM_SEC);
	CHECK_EQ_INT(a.at[5], 2 * SIM_SEC);
	for (uint64_t i = 6; i < 64; i++) {
		expect += sns_retry_delay(i);
		CHECK_EQ_INT(a.at[i] - a.at[5], expect);
	}
	backoff_end = a.at[15];
	CHECK_NEAR(sim_time_to_sec(backoff_end), 2 + backoff_sum(), 1e-5);
	CHECK_EQ_INT(a.at[16] - backoff_end, 20 * SIM_SEC);
	CHECK_EQ_INT(at_1h, 16 + (SIM_HOUR - 1 - backoff_end) / (20 * SIM_SEC));
	CHECK_EQ_INT(at_1h, 192);
	/* delivered at the first attempt at or after the outage's end, within one 20 s step */
	CHECK(a.delivered_at + SIM_SEC >= 2 * SIM_HOUR && a.delivered_at + SIM_SEC < 2 * SIM_HOUR + 20 * SIM_SEC);
	CHECK_EQ_INT((a.delivered_at - backoff_end) % (20 * SIM_SEC), 0);
	CHECK_EQ_INT(a.last_at, a.delivered_at);
}

/*
 * With jitter, each non-zero delay is within +-10% of the policy's: the 17th
 * attempt comes 20 s +- 2 s after the 16th; the immediate ones stay at 0.
 */
void test_sns_retry_jitter_bounds(void)
{
	static const char text[] =
		"duration: 1h\n"
		"queues: { q: {} }\n"
		"topics: { t: { subscriptions: [{ endpoint: q, outages: [{ at: 0s, for: 30m }] }] } }\n"
		"producers: { p: { target: t, arrivals: constant(rate=1/s), messages: 1 } }\n";
	struct test_world tw;
	struct attempts a;
	bool jittered = false;

	CHECK(run_hooked(&tw, text, &a, SIM_HOUR) == 0);
	CHECK(test_world_close(&tw, NULL) == 0);
	CHECK_EQ_INT(a.at[3], 0);
	for (uint64_t i = 4; i < 64; i++) {
		sim_time base = sns_retry_delay(i), d = a.at[i] - a.at[i - 1];

		CHECK_MSG(d >= base - base / 10 - 1 && d <= base + base / 10 + 1, "retry %llu after %lld us, policy %lld",
			  (unsigned long long)i, (long long)d, (long long)base);
		jittered |= d != base;
	}
	CHECK(jittered);
}

/*
 * An endpoint that never comes back: the message is attempted 1 + 100,015
 * times over about 23 days (§7.2), then goes to the subscription's DLQ.
 */
void test_sns_policy_exhausted_to_dlq(void)
{
	static const char text[] =
		"duration: 25d\n"
		"metrics: { period: 1h }\n"
		"queues: { q: {}, dlq: { retention: 14d } }\n"
		"topics:\n"
		"  t:\n"
		"    retry_jitter: 0\n"
		"    subscriptions: [{ endpoint: q, dead_letter: dlq, outages: [{ at: 0s, for: 30d }] }]\n"
		"producers: { p: { target: t, arrivals: constant(rate=1/s), messages: 1 } }\n";
	struct test_world tw;
	struct attempts a;
	struct summary s = { 0 };
	/* 2 s + 68.1 s + 100,000 x 20 s = 2,000,070.1 s after the publish: 23.15 days */
	double end = 2 + backoff_sum() + 100000 * 20.0;

	CHECK(run_hooked(&tw, text, &a, 25 * SIM_DAY) == 0);
	CHECK(test_world_close(&tw, &s) == 0);
	CHECK_EQ_INT(a.n, 1 + SNS_RETRIES_TOTAL);
	CHECK_NEAR(sim_time_to_sec(a.last_at), end, 1e-4);
	CHECK_EQ_INT(summary_get(&s, "t.q", "ledger.to_dlq"), 1);
	CHECK_EQ_INT(summary_get(&s, "t.q", "NumberOfNotificationsFailed"), 100016);
	CHECK_EQ_INT(summary_get(&s, "dlq", "ledger.sent"), 1);
	CHECK_EQ_INT(summary_get(&s, "q", "ledger.sent"), 0);
	summary_release(&s);
}

/*
 * A client-side error is not retried (§7.1): deliveries larger than the
 * queue's maximum go straight to the DLQ, or are dropped without one. A raw
 * subscription does not carry the 1,024-byte envelope and fits.
 */
void test_sns_client_error_straight_to_dlq(void)
{
	static const char text[] =
		"duration: 10m\n"
		"queues: { small: { maximum_message_size: 1KiB }, small2: { maximum_message_size: 1KiB }, dlq: {} }\n"
		"topics:\n"
		"  t:\n"
		"    subscriptions:\n"
		"      - { endpoint: small, dead_letter: dlq }\n"
		"      - { endpoint: small2 }\n"
		"      - { name: raw, endpoint: small, raw: true }\n"
		"producers: { p: { target: t, arrivals: constant(rate=10/s), messages: 100, message: { size: 1000B } } }\n";
	struct summary s = { 0 };

	CHECK(run_text(text, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "t.small", "ledger.to_dlq"), 100);
	CHECK_EQ_INT(summary_get(&s, "t.small", "DeliveryRetries"), 0);
	CHECK_EQ_INT(summary_get(&s, "t.small", "NumberOfNotificationsFailed"), 100);
	CHECK_EQ_INT(summary_get(&s, "t.small2", "ledger.dropped"), 100);
	CHECK_EQ_INT(summary_get(&s, "t.small2", "DeliveryRetries"), 0);
	CHECK_EQ_INT(summary_get(&s, "t.raw", "ledger.delivered"), 100);
	CHECK_EQ_INT(summary_get(&s, "dlq", "ledger.sent"), 100);
	CHECK_EQ_INT(summary_get(&s, "small", "ledger.sent"), 100);
	summary_release(&s);
}

/*
 * SNS -> Lambda (§7.1, §9): SNS counts a delivery done once Lambda queued the
 * event; a function that always fails is retried twice by Lambda and the
 * event then reaches its on-failure destination.
 */
void test_sns_lambda_async_retries_apply(void)
{
	static const char text[] =
		"duration: 20m\n"
		"queues: { failed: {} }\n"
		"functions:\n"
		"  f: { duration: 10ms, errors: { rate: 1 }, async: { on_failure: failed } }\n"
		"topics: { t: { subscriptions: [{ endpoint: f }] } }\n"
		"producers: { p: { target: t, arrivals: constant(rate=1/s), messages: 50 } }\n";
	struct summary s = { 0 };

	CHECK(run_text(text, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "t.f", "ledger.delivered"), 50);
	CHECK_EQ_INT(summary_get(&s, "t.f", "NumberOfNotificationsFailed"), 0);
	CHECK_EQ_INT(summary_get(&s, "f", "ledger.async_received"), 50);
	CHECK_EQ_INT(summary_get(&s, "f", "ledger.invocations"), 150);
	CHECK_EQ_INT(summary_get(&s, "failed", "ledger.sent"), 50);
	summary_release(&s);
}

/* Loads text; returns whether some diagnostic of that level holds needle. */
static bool diagnoses(const char *text, enum diag_level level, const char *needle)
{
	struct diags d = { 0 };
	struct scenario *sc = scenario_load("t.yaml", text, strlen(text), NULL, 0, &d);
	bool found = false;

	for (size_t i = 0; i < d.items.len; i++) {
		const struct diag *g = VEC_AT(&d.items, struct diag, i);

		found |= g->level == level && strstr(g->msg, needle) != NULL;
	}
	if (!found)
		diag_print(&d, stderr);
	scenario_free(sc);
	diag_release(&d);
	return found;
}

/* Scenario checks: references with "did you mean", raw to a function, names, attributes. */
void test_sns_scenario_checks(void)
{
	CHECK(diagnoses("duration: 1m\nqueues: { orders: {} }\n"
			"topics: { t: { subscriptions: [{ endpoint: order }] } }\n",
			DIAG_ERROR, "endpoint 'order' is not a queue or a function of this scenario (did you mean 'orders'?)"));
	CHECK(diagnoses("duration: 1m\nqueues: { q: {} }\ntopics: { news: {} }\n"
			"producers: { p: { target: new, arrivals: constant(rate=1/s) } }\n",
			DIAG_ERROR, "(did you mean 'news'?)"));
	CHECK(diagnoses("duration: 1m\nfunctions: { f: { duration: 10ms } }\n"
			"topics: { t: { subscriptions: [{ endpoint: f, raw: true }] } }\n",
			DIAG_ERROR, "raw message delivery is for queue"));
	CHECK(diagnoses("duration: 1m\nqueues: { q: {} }\n"
			"topics: { t: { subscriptions: [{ endpoint: q }, { endpoint: q }] } }\n",
			DIAG_ERROR, "already has a subscription named 'q'"));
	CHECK(diagnoses("duration: 1m\nqueues: { q: {} }\n"
			"producers: { p: { target: q, arrivals: constant(rate=1/s), message: { attributes: { r: eu } } } }\n",
			DIAG_ERROR, "are for a topic target"));
	CHECK(diagnoses("duration: 1m\nqueues: { q: {} }\n"
			"topics: { t: { subscriptions: [{ endpoint: q, filter: { fraction: 0.5, attribute: { name: a, equals: b } } }] } }\n",
			DIAG_ERROR, "not both"));
	CHECK(diagnoses("duration: 1m\nqueues: { q: {} }\n"
			"topics: { t: { subscriptions: [{ endpoint: q }] } }\n"
			"producers: { p: { target: t, arrivals: constant(rate=1/s), message: { attributes: { r: \"choice(eu=0.3, us=0.6)\" } } } }\n",
			DIAG_ERROR, "add up to 0.9"));
	CHECK(diagnoses("duration: 1m\nqueues: { q: {} }\n"
			"topics: { t: { subscriptions: [{ endpoint: q, filter: { attribute: { name: region, equals: eu } } }] } }\n"
			"producers: { p: { target: t, arrivals: constant(rate=1/s) } }\n",
			DIAG_WARNING, "draws the attribute 'region'"));
}

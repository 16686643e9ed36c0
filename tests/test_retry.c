/*
 * test_retry.c - the SDK retry policies (aws-behaviour §8): each backoff
 * formula (§8.1), the modes' defaults (§8.2), the retry quota (§8.3, §8.4),
 * adaptive mode's rate limiter (§8.5) and the scenario keys.
 *
 * Statistical checks use a fixed-seed MT19937 and accept a sample mean
 * within Z999 = 3.29 standard errors of the analytic mean (a 99.9%
 * two-sided interval: a correct formula fails one check in 1,000 seeds;
 * with the fixed seed the outcome is deterministic). Bounds are checked on
 * every draw; exact formulas exactly (to the microsecond of rounding).
 */
#include "harness.h"
#include "util.h"
#include "weir/retry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_SEED 20260115UL
#define Z999 3.29              /* two-sided 99.9% normal quantile */
#define DRAWS 20000            /* draws per statistical check */
#define ROUND_US 1             /* delays are rounded to the microsecond */

/* One generator for the whole file, reseeded by each test (kept reachable: no leak on CHECK). */
static gsl_rng *rng_seeded(unsigned long seed)
{
	static gsl_rng *r;

	if (!r)
		r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	return r;
}

/* For qsort: sim_times in increasing order. */
static int cmp_time(const void *a, const void *b)
{
	sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;

	return (x > y) - (x < y);
}

static void start(struct retry_client *c, const struct retry_cfg *cfg, unsigned long seed)
{
	retry_client_init(c, cfg, rng_seeded(seed));
}

/* A retry after attempt n that always gets its tokens back, for drawing many delays. */
static sim_time draw(struct retry_client *c, unsigned attempt, enum retry_error err)
{
	unsigned cost;
	sim_time d = retry_after(c, attempt, err, &cost);

	retry_success(c, cost);
	return d;
}

/* |mean - want| within Z999 standard errors, for n draws with standard deviation sd. */
static bool mean_ok(double mean, double want, double sd, unsigned n)
{
	return fabs(mean - want) <= Z999 * sd / sqrt((double)n);
}

/* ---- full jitter (§8.1, §8.3) ------------------------------------------------------ */

/*
 * Standard mode's delay before retry n lies in [0, min(1 s * 2^(n-1), 20 s)]
 * and averages half the bound (uniform: sd = bound / sqrt(12)); from n = 6
 * (2^5 s = 32 s) the bound is the 20 s cap, and the draws reach it.
 */
void test_retry_standard_full_jitter_bounds(void)
{
	struct retry_client c;
	struct retry_cfg cfg;

	retry_cfg_default(&cfg, RETRY_STANDARD);
	cfg.max_attempts = 10;
	start(&c, &cfg, TEST_SEED);
	for (unsigned n = 1; n <= 8; n++) {
		double bound = fmin(ldexp((double)SIM_SEC, (int)n - 1), (double)RETRY_CAP);
		double sum = 0, max = 0;

		for (unsigned i = 0; i < DRAWS; i++) {
			sim_time d = draw(&c, n, RETRY_THROTTLED);

			CHECK_MSG(d >= 0 && (double)d <= bound + ROUND_US, "retry %u: delay %lld us outside [0, %g]",
				  n, (long long)d, bound);
			sum += (double)d;
			max = fmax(max, (double)d);
		}
		CHECK_MSG(mean_ok(sum / DRAWS, bound / 2, bound / sqrt(12), DRAWS),
			  "retry %u: mean %g us, expected %g", n, sum / DRAWS, bound / 2);
		/* P(max < 0.999 bound) = 0.999^20000 ~ 2e-9: the bound is reached, not just respected. */
		CHECK_MSG(max > 0.999 * bound, "retry %u: largest delay %g of bound %g", n, max, bound);
	}
	CHECK_EQ_INT(c.quota, RETRY_QUOTA);
	CHECK_EQ_INT(c.quota_exhausted, 0);
}

/*
 * Exponential backoff without jitter: 1,000 clients that fail at t = 0
 * retry at one instant (a synchronized wave), at exactly base * 2^(n-1)
 * capped; full jitter spreads the same 1,000 over the interval, with the
 * uniform variance bound^2 / 12 (the sample variance's sd is
 * bound^2 / sqrt(180 n) for a uniform; allowed 4 of them).
 */
void test_retry_exponential_waves_jitter_spreads(void)
{
	enum { CLIENTS = 1000 };
	static sim_time at[CLIENTS];
	struct retry_cfg cfg;
	struct retry_client c;
	size_t distinct;
	double mean = 0, var = 0, b = (double)(2 * SIM_SEC);

	for (unsigned n = 1; n <= 8; n++) {
		retry_cfg_default(&cfg, RETRY_STANDARD);
		cfg.backoff = RETRY_EXPONENTIAL;
		cfg.max_attempts = 10;
		for (int i = 0; i < CLIENTS; i++) {
			start(&c, &cfg, TEST_SEED + (unsigned long)i);
			at[i] = retry_after(&c, n, RETRY_THROTTLED, &(unsigned){ 0 });
			CHECK_MSG(at[i] == (n <= 5 ? (sim_time)1 << (n - 1) : 20) * SIM_SEC,
				  "retry %u: %lld us", n, (long long)at[i]);
		}
	}
	/* retry 2 (bound 2 s) of 1,000 clients, each with its own stream, as producers have */
	retry_cfg_default(&cfg, RETRY_STANDARD);
	for (int i = 0; i < CLIENTS; i++) {
		start(&c, &cfg, TEST_SEED + (unsigned long)i);
		at[i] = retry_after(&c, 2, RETRY_THROTTLED, &(unsigned){ 0 });
		mean += (double)at[i] / CLIENTS;
	}
	for (int i = 0; i < CLIENTS; i++)
		var += ((double)at[i] - mean) * ((double)at[i] - mean) / (CLIENTS - 1);
	qsort(at, CLIENTS, sizeof(at[0]), cmp_time);
	distinct = 1;
	for (int i = 1; i < CLIENTS; i++)
		distinct += at[i] != at[i - 1];
	/* 1,000 draws over 2,000,000 us: about 0.25 collisions expected */
	CHECK_MSG(distinct >= CLIENTS - 5, "%zu distinct retry times of %d", distinct, CLIENTS);
	CHECK_MSG(mean_ok(mean, b / 2, b / sqrt(12), CLIENTS), "mean %g us", mean);
	CHECK_MSG(fabs(var - b * b / 12) <= 4 * b * b / sqrt(180.0 * CLIENTS),
		  "variance %g, uniform %g", var, b * b / 12);
}

/* Equal jitter: t/2 + uniform(0, t/2), so in [t/2, t] with mean 3t/4 (§8.1). */
void test_retry_equal_jitter_bounds(void)
{
	struct retry_client c;
	struct retry_cfg cfg;

	retry_cfg_default(&cfg, RETRY_STANDARD);
	cfg.backoff = RETRY_EQUAL_JITTER;
	cfg.max_attempts = 10;
	start(&c, &cfg, TEST_SEED);
	for (unsigned n = 1; n <= 7; n++) {
		double t = fmin(ldexp((double)SIM_SEC, (int)n - 1), (double)RETRY_CAP), sum = 0;

		for (unsigned i = 0; i < DRAWS; i++) {
			sim_time d = draw(&c, n, RETRY_TRANSIENT);

			CHECK_MSG((double)d >= t / 2 - ROUND_US && (double)d <= t + ROUND_US,
				  "retry %u: %lld us outside [%g, %g]", n, (long long)d, t / 2, t);
			sum += (double)d;
		}
		CHECK_MSG(mean_ok(sum / DRAWS, 0.75 * t, t / 2 / sqrt(12), DRAWS),
			  "retry %u: mean %g, expected %g", n, sum / DRAWS, 0.75 * t);
	}
}

/*
 * Decorrelated jitter: each delay in [base, 3 * previous] (the first from
 * [base, 3 * base]), never above the cap; the sequence climbs to the cap,
 * and the upper end 3 * previous is used (a draw above 2.9 * previous).
 */
void test_retry_decorrelated_within_previous(void)
{
	struct retry_client c;
	struct retry_cfg cfg;
	struct retry_call call;
	const sim_time base = 100 * SIM_MS, cap = 5 * SIM_SEC;
	unsigned capped = 0, wide = 0;
	double first = 0;

	retry_cfg_default(&cfg, RETRY_STANDARD);
	cfg.backoff = RETRY_DECORRELATED;
	cfg.max_attempts = 100;
	cfg.quota = false;
	cfg.base = base;
	cfg.cap = cap;
	start(&c, &cfg, TEST_SEED);
	for (unsigned i = 0; i < DRAWS / 20; i++) {
		sim_time prev = base;

		retry_call_start(&call);
		for (unsigned n = 1; n < 100; n++) {
			sim_time d = retry_call_failed(&c, &call, RETRY_TRANSIENT);
			sim_time hi = 3 * prev < cap ? 3 * prev : cap;

			CHECK_MSG(d >= base - ROUND_US && d <= hi + ROUND_US,
				  "retry %u: %lld us outside [%lld, %lld]", n, (long long)d, (long long)base,
				  (long long)hi);
			if (n == 1)
				first += (double)d / (DRAWS / 20);
			wide += d > 2.9 * (double)prev && 3 * prev < cap;
			capped += d == cap;
			prev = d;
		}
		CHECK_EQ_INT(call.attempt, 100);
	}
	CHECK_MSG(mean_ok(first, 2.0 * (double)base, 2.0 * (double)base / sqrt(12), DRAWS / 20),
		  "first delay mean %g us, expected %g", first, 2.0 * (double)base);
	CHECK_MSG(capped > 0 && wide > 0, "%u delays at the cap, %u above 2.9 x previous", capped, wide);
}

/* Legacy: rand(0,1) * 2^(n-1) s with no cap and no quota (botocore _retry.json). */
void test_retry_legacy_formula(void)
{
	struct retry_client c;
	struct retry_cfg cfg;
	const unsigned n = 7;   /* bound 64 s, beyond standard's 20 s cap */
	double bound = 64.0 * SIM_SEC, sum = 0, max = 0;

	retry_cfg_default(&cfg, RETRY_LEGACY);
	cfg.max_attempts = 10;
	start(&c, &cfg, TEST_SEED);
	for (unsigned i = 0; i < DRAWS; i++) {
		sim_time d = retry_after(&c, n, RETRY_THROTTLED, &(unsigned){ 0 });

		CHECK_MSG(d >= 0 && (double)d <= bound + ROUND_US, "%lld us", (long long)d);
		sum += (double)d;
		max = fmax(max, (double)d);
	}
	CHECK_MSG(mean_ok(sum / DRAWS, bound / 2, bound / sqrt(12), DRAWS), "mean %g", sum / DRAWS);
	CHECK_MSG(max > 0.999 * bound, "largest %g", max);
	CHECK_EQ_INT(c.quota_exhausted, 0);   /* 20,000 retries and no quota to run out of */
	CHECK_EQ_INT(c.retries, DRAWS);
}

/* ---- max_attempts per mode (§8.2) -------------------------------------------------- */

/* How many attempts a request gets when every one fails. */
static unsigned attempts_until_give_up(struct retry_client *c)
{
	unsigned n = 1, cost;

	while (n < 1000 && retry_after(c, n, RETRY_THROTTLED, &cost) >= 0)
		n++;
	return n;
}

void test_retry_max_attempts_default_per_mode(void)
{
	static const struct { enum retry_mode mode; int64_t set; unsigned want; } cases[] = {
		{ RETRY_NONE, INT64_MIN, 1 },
		{ RETRY_NONE, 5, 1 },
		{ RETRY_STANDARD, INT64_MIN, RETRY_MAX_ATTEMPTS_DEFAULT },
		{ RETRY_ADAPTIVE, INT64_MIN, RETRY_MAX_ATTEMPTS_DEFAULT },
		{ RETRY_LEGACY, INT64_MIN, RETRY_LEGACY_MAX_ATTEMPTS },
		{ RETRY_STANDARD, 7, 7 },
		{ RETRY_LEGACY, 2, 2 },
	};
	struct retry_client c;
	struct retry_cfg cfg;

	CHECK_EQ_INT(RETRY_MAX_ATTEMPTS_DEFAULT, 3);
	CHECK_EQ_INT(RETRY_LEGACY_MAX_ATTEMPTS, 5);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		retry_cfg_default(&cfg, cases[i].mode);
		CHECK_EQ_INT(cfg.max_attempts, INT64_MIN);   /* unset until resolved */
		cfg.max_attempts = cases[i].set;
		start(&c, &cfg, TEST_SEED);
		CHECK_MSG(attempts_until_give_up(&c) == cases[i].want, "case %zu: %u attempts, expected %u",
			  i, attempts_until_give_up(&c), cases[i].want);
	}
}

/* The unset settings each mode and version resolves to (§8.2-§8.4). */
void test_retry_cfg_resolves_mode_defaults(void)
{
	struct retry_cfg cfg, r;

	retry_cfg_default(&cfg, RETRY_STANDARD);
	retry_cfg_resolve(&cfg, &r);
	CHECK(r.backoff == RETRY_FULL_JITTER && r.quota && r.version == RETRY_V2_0);
	CHECK(r.base == SIM_SEC && r.throttle_base == SIM_SEC && r.cap == 20 * SIM_SEC);
	cfg.version = RETRY_V2_1;
	retry_cfg_resolve(&cfg, &r);
	CHECK(r.base == 50 * SIM_MS && r.throttle_base == SIM_SEC && r.cap == 20 * SIM_SEC);
	retry_cfg_default(&cfg, RETRY_LEGACY);
	retry_cfg_resolve(&cfg, &r);
	CHECK(!r.quota && r.cap == SIM_TIME_MAX && r.base == SIM_SEC && r.throttle_base == SIM_SEC);
	CHECK(r.backoff == RETRY_FULL_JITTER && r.max_attempts == 5);
	retry_cfg_default(&cfg, RETRY_ADAPTIVE);
	cfg.base = 100 * SIM_MS;   /* the JavaScript SDK v3's bases */
	cfg.throttle_base = 500 * SIM_MS;
	retry_cfg_resolve(&cfg, &r);
	CHECK(r.quota && r.max_attempts == 3 && r.base == 100 * SIM_MS && r.throttle_base == 500 * SIM_MS);
	retry_cfg_resolve(&r, &r);   /* resolving twice changes nothing */
	CHECK(r.base == 100 * SIM_MS && r.max_attempts == 3);
}

/* ---- the retry quota (§8.3, §8.4) --------------------------------------------------- */

/* Retries granted, each after a failed first attempt, until the quota refuses one. */
static unsigned retries_until_refused(struct retry_client *c, enum retry_error err, unsigned limit)
{
	unsigned n = 0, cost;

	while (n < limit && retry_after(c, 1, err, &cost) >= 0)
		n++;
	return n;
}

/*
 * 500 tokens at 5 a throttled retry: 100 retries, the 101st refused and
 * counted; a success refunds what its retry took (never above 500);
 * timeouts cost 10; with quota false there is no limit.
 */
void test_retry_quota_exhausts_and_refunds(void)
{
	struct retry_client c;
	struct retry_cfg cfg;
	unsigned cost = 99;

	retry_cfg_default(&cfg, RETRY_STANDARD);
	start(&c, &cfg, TEST_SEED);
	CHECK_EQ_INT(retries_until_refused(&c, RETRY_THROTTLED, 1000), 100);   /* 500 / 5 */
	CHECK_EQ_INT(c.quota, 0);
	CHECK_EQ_INT(c.quota_exhausted, 1);
	CHECK(retry_after(&c, 1, RETRY_THROTTLED, &cost) < 0);
	CHECK_EQ_INT(cost, 0);
	CHECK_EQ_INT(c.quota_exhausted, 2);
	retry_success(&c, RETRY_COST);   /* a request that needed one retry succeeds */
	CHECK_EQ_INT(c.quota, RETRY_COST);
	CHECK(retry_after(&c, 1, RETRY_THROTTLED, &cost) >= 0 && cost == RETRY_COST);
	CHECK(retry_after(&c, 1, RETRY_THROTTLED, &cost) < 0);
	for (int i = 0; i < 3; i++)
		retry_success(&c, 0);    /* first-try successes add 1 each */
	CHECK_EQ_INT(c.quota, 3 * RETRY_NO_RETRY_INCREMENT);
	for (int i = 0; i < 1000; i++)
		retry_success(&c, RETRY_TIMEOUT_COST);
	CHECK_EQ_INT(c.quota, 500);   /* never above the capacity */

	start(&c, &cfg, TEST_SEED);
	CHECK_EQ_INT(retries_until_refused(&c, RETRY_TIMEOUT, 1000), 50);    /* 500 / 10 */
	start(&c, &cfg, TEST_SEED);
	CHECK_EQ_INT(retries_until_refused(&c, RETRY_TRANSIENT, 1000), 100);

	cfg.quota = false;
	start(&c, &cfg, TEST_SEED);
	CHECK_EQ_INT(retries_until_refused(&c, RETRY_TIMEOUT, 10000), 10000);
	CHECK_EQ_INT(c.quota_exhausted, 0);
	CHECK_EQ_INT(c.retries, 10000);
}

/* A request's success refunds its last retry's cost, not the sum (botocore standard.py). */
void test_retry_call_refunds_last_cost(void)
{
	struct retry_client c;
	struct retry_cfg cfg;
	struct retry_call call;

	retry_cfg_default(&cfg, RETRY_STANDARD);
	start(&c, &cfg, TEST_SEED);
	retry_call_start(&call);
	CHECK(retry_call_failed(&c, &call, RETRY_THROTTLED) >= 0);
	CHECK(retry_call_failed(&c, &call, RETRY_TIMEOUT) >= 0);
	CHECK_EQ_INT(c.quota, RETRY_QUOTA - RETRY_COST - RETRY_TIMEOUT_COST);
	CHECK_EQ_INT(call.attempt, 3);
	CHECK(retry_call_failed(&c, &call, RETRY_THROTTLED) < 0);   /* third attempt was the last */
	retry_call_succeeded(&c, &call);
	CHECK_EQ_INT(c.quota, RETRY_QUOTA - RETRY_COST);
}

/*
 * Version 2.1 (§8.4): non-throttling retries (timeouts included) cost 14,
 * throttling ones 5; the non-throttling base is 50 ms, the throttling 1 s.
 */
void test_retry_version_2_1(void)
{
	struct retry_client c;
	struct retry_cfg cfg;
	double tmax = 0, max = 0;

	retry_cfg_default(&cfg, RETRY_STANDARD);
	cfg.version = RETRY_V2_1;
	start(&c, &cfg, TEST_SEED);
	CHECK_EQ_INT(retries_until_refused(&c, RETRY_TRANSIENT, 1000), 35);   /* 500 / 14 */
	start(&c, &cfg, TEST_SEED);
	CHECK_EQ_INT(retries_until_refused(&c, RETRY_TIMEOUT, 1000), 35);
	start(&c, &cfg, TEST_SEED);
	CHECK_EQ_INT(retries_until_refused(&c, RETRY_THROTTLED, 1000), 100);
	start(&c, &cfg, TEST_SEED);
	for (unsigned i = 0; i < DRAWS; i++) {
		max = fmax(max, (double)draw(&c, 1, RETRY_TRANSIENT));
		tmax = fmax(tmax, (double)draw(&c, 1, RETRY_THROTTLED));
	}
	CHECK_MSG(max <= 50 * SIM_MS && max > 0.999 * 50 * SIM_MS, "non-throttling: largest %g us", max);
	CHECK_MSG(tmax <= SIM_SEC && tmax > 0.999 * SIM_SEC, "throttling: largest %g us", tmax);
}

/* ---- adaptive mode (§8.5) ----------------------------------------------------------- */

/* Successful responses at `rate` per second over [from, to): returns the time after. */
static sim_time respond(struct retry_client *c, double rate, sim_time from, sim_time to)
{
	sim_time step = (sim_time)llround((double)SIM_SEC / rate), t;

	for (t = from; t < to; t += step)
		retry_observe(c, t, false);
	return t;
}

/* Until the first throttle nothing waits, however fast the client sends. */
void test_retry_adaptive_free_until_first_throttle(void)
{
	struct retry_client c;
	struct retry_cfg cfg;

	retry_cfg_default(&cfg, RETRY_ADAPTIVE);
	start(&c, &cfg, TEST_SEED);
	for (sim_time t = 0; t < 10 * SIM_SEC; t += SIM_MS) {
		CHECK_EQ_INT(retry_acquire(&c, t), 0);
		retry_observe(&c, t, false);
	}
	CHECK(isinf(retry_send_rate(&c)));
	CHECK_NEAR(retry_measured_rate(&c), 1000, 1e-6);
	CHECK_EQ_INT(c.token_waits, 0);
	/* standard mode never limits sends, throttles or not */
	retry_cfg_default(&cfg, RETRY_STANDARD);
	start(&c, &cfg, TEST_SEED);
	for (sim_time t = 0; t < SIM_SEC; t += SIM_MS) {
		retry_observe(&c, t, true);
		CHECK_EQ_INT(retry_acquire(&c, t), 0);
	}
}

/*
 * A throttle at measured rate R cuts the fill rate to 0.7 R; a second one
 * once the bucket is on uses min(R, fill rate): 0.7 x 0.7 R. Then the rate
 * climbs along C (t - t_fail - K)^3 + W_max, K = cbrt(W_max 0.3 / 0.4):
 * back to W_max at K, 1.3 W_max at 2K, until 2 x the measured rate caps it.
 */
void test_retry_adaptive_cubic_cut_and_recovery(void)
{
	struct retry_client c;
	struct retry_cfg cfg;
	sim_time t0, last;
	double r, w, k;

	retry_cfg_default(&cfg, RETRY_ADAPTIVE);
	start(&c, &cfg, TEST_SEED);
	t0 = respond(&c, 200, 0, 10 * SIM_SEC);
	r = retry_measured_rate(&c);
	CHECK_NEAR(r, 200, 1e-6);   /* 20 buckets of 100 responses: 200 * (1 - 0.2^20) */
	retry_observe(&c, t0, true);
	r = retry_measured_rate(&c);
	CHECK_NEAR(retry_send_rate(&c), 0.7 * r, 1e-9);
	CHECK_NEAR(c.ad.capacity, 0.7 * r, 1e-9);
	retry_observe(&c, t0, true);   /* measured 200 > fill 140: the fill rate is the rate in use */
	CHECK_NEAR(retry_send_rate(&c), 0.7 * 0.7 * r, 1e-9);
	w = 0.7 * r;                   /* W_max of the second throttle */
	k = cbrt(w * 0.3 / 0.4);
	last = t0 + SIM_MS;
	for (double f = 0.25; f <= 2.0; f += 0.25) {
		sim_time t = t0 + (sim_time)llround(f * k * SIM_SEC);
		double want;

		last = respond(&c, 200, last, t);   /* keeps the measured rate at 200 */
		retry_observe(&c, t, false);
		/* anchored at the throttle, whatever successes came between */
		want = 0.4 * pow(sim_time_to_sec(t - t0) - k, 3) + w;
		CHECK_MSG(fabs(retry_send_rate(&c) - want) <= 1e-6 * want, "at t0 + %gK: %g, expected %g",
			  f, retry_send_rate(&c), want);
	}
	CHECK_NEAR(retry_send_rate(&c), 1.3 * w, 1e-6 * w);
	retry_observe(&c, t0 + (sim_time)llround(4 * k * SIM_SEC), false);
	CHECK_NEAR(retry_send_rate(&c), 2 * retry_measured_rate(&c), 1e-9);
}

/*
 * The fill rate never drops below 0.5 per second: a throttle at a measured
 * rate of 0 (before the first 0.5 s bucket closes) leaves 0.5/s, capacity 1,
 * and the bucket then releases one token per 2 s. The first wait is for the
 * 0.9 token missing at t = 0.1 s (0.1 earned at the initial 1/s): 1.8 s.
 */
void test_retry_adaptive_minimum_rate(void)
{
	struct retry_client c;
	struct retry_cfg cfg;
	sim_time t = 100 * SIM_MS, w;

	retry_cfg_default(&cfg, RETRY_ADAPTIVE);
	start(&c, &cfg, TEST_SEED);
	retry_observe(&c, t, true);
	CHECK_NEAR(retry_measured_rate(&c), 0, 0);
	CHECK_NEAR(retry_send_rate(&c), RETRY_MIN_FILL_RATE, 0);
	CHECK_NEAR(c.ad.capacity, 1, 0);
	w = retry_acquire(&c, t);
	CHECK_EQ_INT(w, 1800 * SIM_MS);
	t += w;
	CHECK_EQ_INT(retry_acquire(&c, t), 0);
	w = retry_acquire(&c, t);
	CHECK_EQ_INT(w, 2 * SIM_SEC);
	CHECK_EQ_INT(retry_acquire(&c, t + w / 2), SIM_SEC);   /* asked early: the rest of the wait */
	CHECK_EQ_INT(retry_acquire(&c, t + w), 0);
	CHECK_EQ_INT(c.token_waits, 3);
	CHECK_EQ_INT(c.token_wait, 4800 * SIM_MS);
	for (int i = 0; i < 50; i++)    /* more throttles cannot push it lower */
		retry_observe(&c, t + w, true);
	CHECK_NEAR(retry_send_rate(&c), RETRY_MIN_FILL_RATE, 0);
}

/*
 * A client that wants to send 100 requests a second (one every 10 ms, a
 * backlog when it is held back) against a server that admits 50 a second
 * through a token bucket (50/s, burst 50, the way AWS APIs throttle) and
 * throttles the rest, with responses at once: the rate limiter settles at
 * the server's rate. Observed: 50.2/s sent, 99.5% accepted; the test
 * allows the mean send rate over the last 300 s of 400 s to be within 10%
 * of 50 and asks for 95% accepted. Without adaptive mode the client would
 * send 100/s with half throttled.
 *
 * (With fixed one-second windows instead, the sends after the 50th of a
 * window are all throttled, each cut compounds, 0.7^k, and the client
 * averages about 25/s: botocore cuts on every throttled response.)
 */
void test_retry_adaptive_converges_to_server_rate(void)
{
	const sim_time end = 400 * SIM_SEC, from = 100 * SIM_SEC, gap = 10 * SIM_MS;
	const double limit = 50;            /* the server's rate and burst */
	struct retry_client c;
	struct retry_cfg cfg;
	uint64_t sent = 0, ok = 0;
	double tokens = limit;              /* the server's bucket */
	sim_time t = 0, filled = 0;

	retry_cfg_default(&cfg, RETRY_ADAPTIVE);
	start(&c, &cfg, TEST_SEED);
	for (uint64_t k = 0; t < end;) {
		sim_time w = retry_acquire(&c, t);
		bool throttled;

		if (w > 0) {
			t += w;
			continue;
		}
		tokens = fmin(limit, tokens + sim_time_to_sec(t - filled) * limit);
		filled = t;
		throttled = tokens < 1;
		if (!throttled)
			tokens -= 1;
		retry_observe(&c, t, throttled);
		if (t >= from) {
			sent++;
			ok += !throttled;
		}
		k++;
		if (t < (sim_time)k * gap)
			t = (sim_time)k * gap;   /* the next request arrives */
	}
	{
		double rate = (double)sent / sim_time_to_sec(end - from);

		CHECK_MSG(fabs(rate - limit) <= 0.1 * limit, "send rate %g/s (accepted %g/s)", rate,
			  (double)ok / sim_time_to_sec(end - from));
		CHECK_MSG(ok >= 0.95 * (double)sent, "%llu of %llu sends accepted", (unsigned long long)ok,
			  (unsigned long long)sent);
		CHECK(c.token_wait > 0);
	}
}

/* ---- scenario keys ------------------------------------------------------------------ */

struct key_case {
	const char *retry;     /* the producer's retry: value */
	const char *expect;    /* part of the first diagnostic; NULL: loads without one */
	bool warning;          /* the diagnostic is a warning and the scenario loads */
};

static const struct key_case key_cases[] = {
	{ "{ mode: adaptiv }", "'mode' cannot be 'adaptiv' (did you mean 'adaptive'?)", false },
	{ "{ max_attemps: 4 }", "unknown key 'max_attemps' (did you mean 'max_attempts'?)", false },
	{ "{ backoff: full-jitter }", "(did you mean 'full_jitter'?)", false },
	{ "{ backoff: fibonacci }", "it is one of: full_jitter, exponential, equal_jitter, decorrelated", false },
	{ "{ max_attempts: 0 }", "'max_attempts' is 0; it must be between 1 and 100", false },
	{ "{ base: 0s }", "'base' is 0s; it must be greater than 0s", false },
	{ "{ version: 2.2 }", "'version' cannot be '2.2'", false },
	{ "{ quota: maybe }", "'quota' takes true or false, not 'maybe'", false },
	{ "{ mode: legacy, version: 2.1 }", "'version' applies to standard and adaptive mode, not legacy", false },
	{ "{ mode: legacy, quota: true }", "legacy mode has no retry quota", false },
	{ "{ base: 30s }", "'cap' (20s) is shorter than 'base' (30s)", false },
	{ "{ throttle_base: 2s, cap: 1s }", "'cap' (1s) is shorter than 'throttle_base' (2s)", false },
	{ "{ mode: none, max_attempts: 3 }", "'max_attempts' has no effect: mode none never retries", true },
	{ "{ mode: legacy, quota: false, cap: 1m }", NULL, false },
	{ "{ mode: adaptive, backoff: decorrelated, base: 100ms, throttle_base: 500ms, version: 2.1 }", NULL, false },
	{ "{ mode: standard, backoff: exponential, max_attempts: 10, quota: false }", NULL, false },
};

/* A bad key or value in a producer's retry settings is a located error, with "did you mean". */
void test_retry_scenario_keys(void)
{
	for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		const struct key_case *k = &key_cases[i];
		char text[512];
		struct diags d = { 0 };
		struct scenario *sc;
		const struct diag *first;
		bool good;

		snprintf(text, sizeof(text),
			 "duration: 10s\n"
			 "producers:\n  p: { target: f, arrivals: constant(rate=1/s), retry: %s }\n"
			 "functions:\n  f: { duration: 1ms }\n", k->retry);
		sc = scenario_load("retry.yaml", text, strlen(text), NULL, 0, &d);
		first = d.items.len ? VEC_AT(&d.items, struct diag, 0) : NULL;
		if (!k->expect)
			good = sc && !first;
		else
			good = first && strstr(first->msg, k->expect) && first->loc.line == 3 &&
			       (k->warning ? sc && first->level == DIAG_WARNING && d.errors == 0
					   : !sc && first->level == DIAG_ERROR);
		if (!good) {
			test__fail(__FILE__, __LINE__, "retry: %s\n--- got: %s\n--- expected: %s", k->retry,
				   first ? first->msg : "(no diagnostic)", k->expect ? k->expect : "(none)");
			diag_print(&d, stderr);
		}
		scenario_free(sc);
		diag_release(&d);
	}
}

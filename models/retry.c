/*
 * retry.c - SDK retry policies (aws-behaviour §8): the backoff formulas
 * (§8.1), the modes (§8.2), standard mode's retry quota (§8.3, §8.4) and
 * adaptive mode's CUBIC-controlled token bucket (§8.5).
 *
 * The adaptive code follows botocore's retries/adaptive.py, bucket.py and
 * throttling.py step for step, with sim_time in place of the wall clock and
 * a returned wait in place of a blocking sleep.
 */
#include "weir/retry.h"

#include <math.h>
#include <stddef.h>

static const char *const mode_names[] = { "none", "legacy", "standard", "adaptive", NULL };
static const char *const backoff_names[] = { "full_jitter", "exponential", "equal_jitter",
					     "decorrelated", NULL };
static const char *const version_names[] = { "2.0", "2.1", NULL };

#define RF(field) .offset = offsetof(struct retry_cfg, field)
static const struct schema_field retry_fields[] = {
	{ .key = "mode", .type = ST_ENUM, RF(mode), .dflt = "standard", .choices = mode_names,
	  .rule = "§8.2",
	  .help = "none: a failure surfaces at once; legacy: botocore's old handler (delay rand(0,1) * 2^(n-1) s, no cap, no quota); standard: full-jitter backoff and a retry quota; adaptive: standard plus a client-side rate limiter that the first throttle switches on." },
	{ .key = "max_attempts", .type = ST_INT, RF(max_attempts), .flags = SF_RANGE,
	  .min = 1, .max = 100, .rule = "§8.2",
	  .help = "Attempts in all, the first one included. Unset: 3 in standard and adaptive mode; 5 in legacy mode (botocore's figure; the rule book marks legacy counts unconfirmed, and other SDKs differ)." },
	{ .key = "backoff", .type = ST_ENUM, RF(backoff), .dflt = "full_jitter", .choices = backoff_names,
	  .rule = "§8.1",
	  .help = "The delay before retry n, with t = min(cap, base * 2^(n-1)): full_jitter uniform in [0, t] (what the SDKs do, legacy mode included); exponential exactly t, so clients that fail together retry together (retry storms); equal_jitter t/2 plus uniform in [0, t/2]; decorrelated min(cap, uniform(base, 3 x the previous delay))." },
	{ .key = "base", .type = ST_DURATION, RF(base), .flags = SF_MIN | SF_MIN_OPEN, .min = 0,
	  .rule = "§8.3, §8.4",
	  .help = "Delay base for errors other than throttling (5xx, timeouts). Unset: 1 s (botocore version 2.0 and legacy), 50 ms with version 2.1. The JavaScript SDK v3 uses 100 ms." },
	{ .key = "throttle_base", .type = ST_DURATION, RF(throttle_base), .flags = SF_MIN | SF_MIN_OPEN,
	  .min = 0, .rule = "§8.3, §8.4",
	  .help = "Delay base for throttling errors. Unset: 1 s (botocore, both versions). The JavaScript SDK v3 uses 500 ms." },
	{ .key = "cap", .type = ST_DURATION, RF(cap), .flags = SF_MIN | SF_MIN_OPEN, .min = 0,
	  .rule = "§8.3",
	  .help = "Longest delay (MAX_BACKOFF). Unset: 20 s; none in legacy mode, whose delays keep doubling." },
	{ .key = "version", .type = ST_ENUM, RF(version), .dflt = "2.0", .choices = version_names,
	  .rule = "§8.4",
	  .help = "Standard and adaptive rules: 2.0 (the long-standing ones) or 2.1 (the 2026 opt-in, AWS_NEW_RETRIES_2026=true: base 50 ms for non-throttling errors, a retry quota cost of 14 for them and 5 for throttling, timeouts no longer special). The x-amz-retry-after header and long-polling sleeps of 2.1 are not modelled." },
	{ .key = "quota", .type = ST_BOOL, RF(quota), .dflt = "true", .rule = "§8.3",
	  .help = "Use the retry quota (standard and adaptive): 500 tokens per client, each retry takes 5 (10 after a timeout; 14 and 5 with version 2.1), a success refunds them; with none left the error surfaces. Legacy mode has no quota (true there is an error)." },
	{ 0 }
};

static void retry_check(void *obj, struct schema_ctx *ctx)
{
	struct retry_cfg *r = obj;
	static const char *const knobs[] = { "max_attempts", "backoff", "base", "throttle_base",
					     "cap", "version", "quota" };
	struct retry_cfg res;

	if (r->mode == RETRY_NONE) {
		for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
			if (schema_node(r, knobs[i]))
				schema_warning(ctx, schema_node(r, knobs[i]),
					       "'%s' has no effect: mode none never retries", knobs[i]);
		return;
	}
	if (r->mode == RETRY_LEGACY && schema_node(r, "version"))
		schema_error(ctx, schema_node(r, "version"),
			     "'version' applies to standard and adaptive mode, not legacy (aws-behaviour §8.4)");
	if (r->mode == RETRY_LEGACY && schema_node(r, "quota") && r->quota)
		schema_error(ctx, schema_node(r, "quota"),
			     "legacy mode has no retry quota: 'quota' applies to standard and adaptive mode (aws-behaviour §8.3)");
	retry_cfg_resolve(r, &res);
	if (res.cap < res.base || res.cap < res.throttle_base) {
		bool b = res.cap < res.base;
		char cap[32], base[32];

		units_format_duration(res.cap, cap, sizeof(cap));
		units_format_duration(b ? res.base : res.throttle_base, base, sizeof(base));
		schema_error(ctx, schema_where(r, schema_node(r, "cap") ? "cap" : b ? "base" : "throttle_base"),
			     "'cap' (%s) is shorter than '%s' (%s): the backoff could never grow",
			     cap, b ? "base" : "throttle_base", base);
	}
}

const struct schema retry_schema = {
	.name = "retry",
	.size = sizeof(struct retry_cfg),
	.fields = retry_fields,
	.check = retry_check,
	.help = "How the client retries a request that failed with a throttling or transient error (aws-behaviour §8). In standard mode (the default) the delay before retry n is drawn from [0, min(1 s * 2^(n-1), 20 s)], 3 attempts in all, and a retry quota of 500 tokens (5 per retry, 10 after a timeout, refunded by successes) stops retries when a service keeps failing. Adaptive mode adds a client-side token bucket, switched on by the first throttle, whose rate follows a CUBIC controller: 0.7 x the rate in use after a throttle, then a cubic climb back (§8.5). Legacy mode is botocore's older handler; none never retries.",
};

void retry_cfg_resolve(const struct retry_cfg *in, struct retry_cfg *out)
{
	bool legacy = in->mode == RETRY_LEGACY, v21 = in->version == RETRY_V2_1 && !legacy;

	*out = *in;
	if (out->max_attempts == INT64_MIN)
		out->max_attempts = legacy ? RETRY_LEGACY_MAX_ATTEMPTS : RETRY_MAX_ATTEMPTS_DEFAULT;
	if (out->mode == RETRY_NONE)
		out->max_attempts = 1;
	if (out->backoff < 0)
		out->backoff = RETRY_FULL_JITTER;   /* legacy's rand * 2^(n-1) is full jitter without a cap */
	if (out->base == SIM_TIME_UNSET)
		out->base = legacy ? RETRY_LEGACY_BASE : v21 ? RETRY_V21_BASE : RETRY_BASE;
	if (out->throttle_base == SIM_TIME_UNSET)
		out->throttle_base = legacy ? RETRY_LEGACY_BASE : v21 ? RETRY_V21_THROTTLE_BASE : RETRY_BASE;
	if (out->cap == SIM_TIME_UNSET)
		out->cap = legacy ? RETRY_LEGACY_CAP : RETRY_CAP;
	if (legacy)
		out->version = RETRY_V2_0;
	if (out->mode == RETRY_NONE || legacy)
		out->quota = false;
}

void retry_cfg_default(struct retry_cfg *cfg, enum retry_mode mode)
{
	struct diags d = { 0 };
	struct schema_ctx ctx = { .d = &d };

	*cfg = (struct retry_cfg){ 0 };
	if (schema_parse(&retry_schema, NULL, cfg, &ctx) != 0)
		WEIR_BUG("retry_schema's defaults do not parse");
	diag_release(&d);
	cfg->mode = (int)mode;
}

/* ---- adaptive mode's parts (§8.5) --------------------------------------------- */

/* bucket.py _refill: tokens earned since the last refill, up to the capacity. */
static void bucket_refill(struct retry_adaptive *a, sim_time now)
{
	a->tokens = fmin(a->capacity, a->tokens + sim_time_to_sec(now - a->refilled_at) * a->fill_rate);
	a->refilled_at = now;
}

/*
 * bucket.py max_rate setter: refill at the old rate first (tokens earned so
 * far were earned at it), then the floor on the rate, and a capacity of
 * max(rate, 1) that the tokens held may not exceed.
 */
static void bucket_set_rate(struct retry_adaptive *a, sim_time now, double rate)
{
	bucket_refill(a, now);
	a->fill_rate = fmax(rate, RETRY_MIN_FILL_RATE);
	a->capacity = rate >= RETRY_MIN_CAPACITY ? rate : RETRY_MIN_CAPACITY;
	a->tokens = fmin(a->tokens, a->capacity);
}

/* throttling.py _calculate_zero_point: K = cbrt(W_max (1 - beta) / C), seconds. */
static double cubic_k(double w_max)
{
	return cbrt(w_max * (1 - RETRY_CUBIC_BETA) / RETRY_CUBIC_SCALE);
}

/* throttling.py success_received: rate(t) = C (t - t_lastfail - K)^3 + W_max. */
static double cubic_success(const struct retry_adaptive *a, sim_time now)
{
	double dt = sim_time_to_sec(now - a->last_fail) - a->k;

	return RETRY_CUBIC_SCALE * dt * dt * dt + a->w_max;
}

/* throttling.py error_received: the rate in use becomes W_max; beta of it is kept. */
static double cubic_error(struct retry_adaptive *a, sim_time now, double rate_in_use)
{
	a->w_max = rate_in_use;
	a->k = cubic_k(rate_in_use);
	a->last_fail = now;
	return rate_in_use * RETRY_CUBIC_BETA;
}

/*
 * adaptive.py RateClocker.record: counts the response, and when it falls
 * into a later 0.5 s bucket, folds the count over the buckets passed into
 * the EWMA. The response that crosses a boundary is counted with the
 * buckets before it, as botocore does.
 */
static double clock_record(struct retry_adaptive *a, sim_time now)
{
	sim_time bucket = now / RETRY_RATE_BUCKET * RETRY_RATE_BUCKET;

	a->count++;
	if (bucket > a->bucket_at) {
		double rate = (double)a->count / sim_time_to_sec(bucket - a->bucket_at);

		a->measured = rate * RETRY_RATE_SMOOTHING + a->measured * (1 - RETRY_RATE_SMOOTHING);
		a->count = 0;
		a->bucket_at = bucket;
	}
	return a->measured;
}

/* adaptive.py register_retry_handler, at time 0: W_max 0, bucket max_rate 1, rate 0. */
static void adaptive_init(struct retry_adaptive *a)
{
	*a = (struct retry_adaptive){ 0 };
	a->k = cubic_k(0);
	a->last_fail = 0;
	a->refilled_at = 0;
	a->bucket_at = 0;   /* botocore: floor(start time in seconds) */
	bucket_set_rate(a, 0, 1);
}

/* ---- the client ------------------------------------------------------------ */

void retry_client_init(struct retry_client *c, const struct retry_cfg *cfg, gsl_rng *rng)
{
	*c = (struct retry_client){ 0 };
	retry_cfg_resolve(cfg, &c->cfg);
	c->rng = rng;
	c->quota = RETRY_QUOTA;
	adaptive_init(&c->ad);
}

/* Tokens a retry after err takes (§8.3; §8.4 for version 2.1). */
static unsigned quota_cost(const struct retry_cfg *cfg, enum retry_error err)
{
	if (cfg->version == RETRY_V2_1)
		return err == RETRY_THROTTLED ? RETRY_V21_THROTTLE_COST : RETRY_V21_COST;
	return err == RETRY_TIMEOUT ? RETRY_TIMEOUT_COST : RETRY_COST;
}

/* min(cap, base * 2^(n-1)) in us, as a double (2^99 s does not fit a sim_time). */
static double capped_exp(const struct retry_cfg *cfg, sim_time base, unsigned attempt)
{
	return fmin(ldexp((double)base, (int)attempt - 1), (double)cfg->cap);
}

/* The delay before the retry after failed attempt `attempt` (§8.1). */
static sim_time backoff(struct retry_client *c, unsigned attempt, enum retry_error err, sim_time prev)
{
	sim_time base = err == RETRY_THROTTLED ? c->cfg.throttle_base : c->cfg.base;
	double t, lo, hi;

	switch ((enum retry_backoff)c->cfg.backoff) {
	case RETRY_EXPONENTIAL:
		return sim_round_us(capped_exp(&c->cfg, base, attempt));
	case RETRY_EQUAL_JITTER:
		t = capped_exp(&c->cfg, base, attempt);
		return sim_round_us(t / 2 + gsl_rng_uniform(c->rng) * t / 2);
	case RETRY_DECORRELATED:
		lo = (double)base;
		hi = RETRY_DECORRELATED_GROWTH * (double)(prev > 0 ? prev : base);
		return sim_round_us(fmin((double)c->cfg.cap, lo + gsl_rng_uniform(c->rng) * (hi - lo)));
	case RETRY_FULL_JITTER:
	default:
		return sim_round_us(gsl_rng_uniform(c->rng) * capped_exp(&c->cfg, base, attempt));
	}
}

/* retry_after with decorrelated jitter's previous delay (0: none yet). */
static sim_time retry_delay(struct retry_client *c, unsigned attempt, enum retry_error err,
			    sim_time prev, unsigned *cost)
{
	*cost = 0;
	if (attempt >= (unsigned)c->cfg.max_attempts)
		return -1;   /* mode none resolves to 1 attempt */
	if (c->cfg.quota) {
		unsigned need = quota_cost(&c->cfg, err);

		if (c->quota < need) {
			c->quota_exhausted++;   /* not enough tokens: the error surfaces (§8.3) */
			return -1;
		}
		c->quota -= need;
		*cost = need;
	}
	c->retries++;
	return backoff(c, attempt, err, prev);
}

sim_time retry_after(struct retry_client *c, unsigned attempt, enum retry_error err, unsigned *cost)
{
	return retry_delay(c, attempt, err, 0, cost);
}

void retry_success(struct retry_client *c, unsigned retry_cost)
{
	if (!c->cfg.quota)
		return;
	c->quota += retry_cost ? retry_cost : RETRY_NO_RETRY_INCREMENT;
	if (c->quota > RETRY_QUOTA)
		c->quota = RETRY_QUOTA;
}

void retry_call_start(struct retry_call *call)
{
	*call = (struct retry_call){ .attempt = 1 };
}

sim_time retry_call_failed(struct retry_client *c, struct retry_call *call, enum retry_error err)
{
	unsigned cost;
	sim_time d = retry_delay(c, call->attempt, err, call->last_delay, &cost);

	if (d < 0)
		return -1;
	/* botocore keeps the last acquisition: a success refunds that, not the sum (§8.3). */
	call->cost = cost;
	call->last_delay = d;
	call->attempt++;
	return d;
}

void retry_call_succeeded(struct retry_client *c, const struct retry_call *call)
{
	retry_success(c, call->cost);
}

/*
 * adaptive.py on_sending_request -> bucket.py acquire, without the block:
 * the wait until the missing part of a token has been earned at the fill
 * rate, rounded up to a whole microsecond so that the call after the wait
 * finds it. TOKEN_SLACK absorbs the doubles' rounding, so that a wait that
 * is a whole number of microseconds (0.9 token at 0.5/s: 1.8 s) is not
 * rounded up to one more, nor found a hair short when it is over.
 */
#define TOKEN_SLACK 1e-9   /* tokens: floating-point error tolerated when taking one */

sim_time retry_acquire(struct retry_client *c, sim_time now)
{
	struct retry_adaptive *a = &c->ad;
	sim_time wait;

	if (c->cfg.mode != RETRY_ADAPTIVE || !a->enabled)
		return 0;
	bucket_refill(a, now);
	if (a->tokens >= 1 - TOKEN_SLACK) {
		a->tokens = fmax(a->tokens - 1, 0);
		return 0;
	}
	wait = (sim_time)ceil((1 - TOKEN_SLACK - a->tokens) / a->fill_rate * (double)SIM_SEC);
	if (wait < 1)
		wait = 1;
	c->token_wait += wait;
	c->token_waits++;
	return wait;
}

/*
 * adaptive.py on_receiving_response: measure first, then CUBIC; a throttle
 * uses the measured rate, or once the bucket is on the smaller of it and the
 * bucket's rate; the bucket's new rate is at most twice the measured rate.
 */
void retry_observe(struct retry_client *c, sim_time now, bool throttled)
{
	struct retry_adaptive *a = &c->ad;
	double measured, rate;

	if (c->cfg.mode != RETRY_ADAPTIVE)
		return;
	measured = clock_record(a, now);
	if (!throttled) {
		rate = cubic_success(a, now);
	} else {
		rate = cubic_error(a, now, a->enabled ? fmin(measured, a->fill_rate) : measured);
		a->enabled = true;
	}
	bucket_set_rate(a, now, fmin(rate, RETRY_MAX_RATE_SCALE * measured));
}

double retry_send_rate(const struct retry_client *c)
{
	return c->cfg.mode == RETRY_ADAPTIVE && c->ad.enabled ? c->ad.fill_rate : INFINITY;
}

double retry_measured_rate(const struct retry_client *c)
{
	return c->cfg.mode == RETRY_ADAPTIVE ? c->ad.measured : 0;
}

/*
 * retry.h - the AWS SDK's retry behaviour for a client (aws-behaviour §8).
 *
 * A retry_client is one SDK client (per producer): its mode, its retry quota
 * and, in adaptive mode, its client-side rate limiter.
 *
 * Modes (§8.2):
 *   none      every failure surfaces at once.
 *   legacy    botocore's legacy handler: delay rand(0,1) * 2^(n-1) s with no
 *             cap, 5 attempts in all, no retry quota.
 *   standard  (§8.3, botocore "version 2.0") full jitter: the delay before
 *             retry n is uniform in [0, min(base * 2^(n-1), 20 s)], base 1 s,
 *             up to 3 attempts in all, and only while the retry quota lasts:
 *             500 tokens, a retry costs 5 (10 after a timeout), a success
 *             refunds what its last retry took (or adds 1).
 *             version 2.1 (§8.4) changes the transient base to 50 ms and the
 *             costs to 14 (non-throttling) and 5 (throttling).
 *   adaptive  (§8.5) standard's retries plus a token bucket in front of every
 *             send, enabled by the first throttle, whose rate a CUBIC
 *             controller sets from the responses.
 * n is the 1-based number of the attempt that failed, so the first retry's
 * bound is the base itself (botocore standard.py's attempt_number - 1).
 *
 * How a caller drives one request (the SDK's per-call context is a
 * struct retry_call):
 *
 *	retry_call_start(&call);
 *	again:	wait = retry_acquire(c, now);          (adaptive: the token bucket)
 *		if (wait > 0) { come back at now + wait; goto again; }
 *		send; ... the response arrives at `now`:
 *		retry_observe(c, now, throttled);      (adaptive: CUBIC, measured rate)
 *		success: retry_call_succeeded(c, &call);
 *		failure: delay = retry_call_failed(c, &call, err);
 *			 delay < 0: the error surfaces; else come back at now + delay, goto again.
 *
 * retry_after/retry_success are the older form of the last two, for a
 * caller that keeps the attempt number and cost itself; they cannot carry
 * decorrelated jitter's previous delay (see retry_after).
 *
 * Time is the simulation's: sim_time in microseconds. The adaptive state
 * starts at time 0 (the client is made when the run starts); `now` passed to
 * retry_acquire and retry_observe must never decrease. Nothing here blocks.
 */
#ifndef WEIR_RETRY_H
#define WEIR_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "weir/schema.h"
#include "weir/sim.h"

/* ---- standard mode, version 2.0 (§8.3) ---- */
#define RETRY_BASE SIM_SEC                  /* §8.3: delay base, all errors (botocore 2.0) */
#define RETRY_CAP (20 * SIM_SEC)            /* §8.3: MAX_BACKOFF */
#define RETRY_MAX_ATTEMPTS_DEFAULT 3        /* §8.2: standard and adaptive modes, attempts in all */
#define RETRY_QUOTA 500                     /* §8.3: INITIAL_RETRY_TOKENS */
#define RETRY_COST 5                        /* §8.3: per retry */
#define RETRY_TIMEOUT_COST 10               /* §8.3: per retry after a timeout */
#define RETRY_NO_RETRY_INCREMENT 1          /* §8.3: a first-try success */

/* ---- standard mode, version 2.1 (§8.4, opt-in AWS_NEW_RETRIES_2026) ---- */
#define RETRY_V21_BASE (50 * SIM_MS)        /* §8.4: non-throttling errors */
#define RETRY_V21_THROTTLE_BASE SIM_SEC     /* §8.4: throttling errors */
#define RETRY_V21_COST 14                   /* §8.4: non-throttling retry, timeouts included */
#define RETRY_V21_THROTTLE_COST 5           /* §8.4: throttling retry */

/*
 * ---- legacy mode (§8.2) ----
 * The rule book leaves legacy attempt counts unconfirmed (§8.2, §11: "boto3
 * legacy ≈5 attempts per re:Post answer"); botocore's data/_retry.json
 * __default__ says max_attempts 5 with delay type exponential, base "rand",
 * growth_factor 2, i.e. rand(0,1) * 2^(n-1) s (retryhandler.py
 * delay_exponential), with no cap. Other SDKs differ (Java v1 retried
 * PutRecord 3 times, §3.4): hence parameters, not facts.
 */
#define RETRY_LEGACY_MAX_ATTEMPTS 5         /* §8.2 unconfirmed; botocore _retry.json */
#define RETRY_LEGACY_BASE SIM_SEC           /* botocore: base "rand" = rand(0,1) * 1 s */
#define RETRY_LEGACY_CAP SIM_TIME_MAX       /* botocore delay_exponential applies no cap */

/* ---- decorrelated jitter (§8.1) ---- */
#define RETRY_DECORRELATED_GROWTH 3.0       /* §8.1: sleep = min(cap, uniform(base, prev * 3)) */

/* ---- adaptive mode (§8.5, botocore retries/adaptive.py, bucket.py, throttling.py) ---- */
#define RETRY_CUBIC_BETA 0.7                /* §8.5: rate kept after a throttle */
#define RETRY_CUBIC_SCALE 0.4               /* §8.5: C, (req/s) per s^3 */
#define RETRY_MAX_RATE_SCALE 2.0            /* §8.5: fill rate <= 2 x measured rate */
#define RETRY_MIN_FILL_RATE 0.5             /* §8.5: req/s, the bucket's floor */
#define RETRY_MIN_CAPACITY 1.0              /* §8.5: tokens, capacity = max(rate, 1) */
#define RETRY_RATE_SMOOTHING 0.8            /* §8.5: EWMA weight of the newest bucket */
#define RETRY_RATE_BUCKET (SIM_SEC / 2)     /* §8.5: measured-rate buckets, 0.5 s */

enum retry_mode { RETRY_NONE, RETRY_LEGACY, RETRY_STANDARD, RETRY_ADAPTIVE };
enum retry_backoff { RETRY_FULL_JITTER, RETRY_EXPONENTIAL, RETRY_EQUAL_JITTER, RETRY_DECORRELATED };
enum retry_version { RETRY_V2_0, RETRY_V2_1 };

/*
 * What a failed attempt failed with (§8.3): the class picks the delay base
 * and the quota cost.
 */
enum retry_error {
	RETRY_THROTTLED,   /* a throttling code: ThrottlingException, TooManyRequestsException, ... */
	RETRY_TRANSIENT,   /* HTTP 500/502/503/504, InternalFailure, connection errors */
	RETRY_TIMEOUT      /* connect or read timeout: no response */
};

/*
 * The scenario's settings. Unset fields (INT64_MIN, -1, SIM_TIME_UNSET) take
 * the mode's and version's defaults in retry_cfg_resolve.
 */
struct retry_cfg {
	struct schema_head head;
	int mode;                  /* enum retry_mode */
	int64_t max_attempts;      /* attempts in all; INT64_MIN: the mode's */
	int backoff;               /* enum retry_backoff (-1, from C: full jitter) */
	sim_time base;             /* delay base, non-throttling errors; unset: the version's */
	sim_time throttle_base;    /* delay base, throttling errors; unset: the version's */
	sim_time cap;              /* longest delay; unset: 20 s, none in legacy */
	int version;               /* enum retry_version */
	bool quota;                /* use the retry quota (never in legacy or none) */
};

extern const struct schema retry_schema;

/* out = in with every unset field given its mode's default (in == out is allowed). */
void retry_cfg_resolve(const struct retry_cfg *in, struct retry_cfg *out);
/* cfg = the schema's defaults for mode (as if the scenario wrote only `mode`), unresolved. */
void retry_cfg_default(struct retry_cfg *cfg, enum retry_mode mode);

/* Adaptive mode's client-side rate limiter (§8.5). */
struct retry_adaptive {
	bool enabled;              /* a throttle has been seen: sends take tokens */
	/* the token bucket (bucket.py) */
	double fill_rate;          /* tokens per second, >= RETRY_MIN_FILL_RATE */
	double capacity;           /* most tokens held */
	double tokens;             /* tokens held at refilled_at */
	sim_time refilled_at;
	/* the CUBIC controller (throttling.py) */
	double w_max;              /* req/s: the rate in use at the last throttle */
	double k;                  /* s: when the cubic climbs back to w_max */
	sim_time last_fail;        /* the last throttle */
	/* the measured send rate (adaptive.py RateClocker) */
	double measured;           /* req/s, EWMA */
	sim_time bucket_at;        /* start of the current 0.5 s bucket */
	uint64_t count;            /* responses in it */
};

/* One client's retry state (per producer). */
struct retry_client {
	struct retry_cfg cfg;      /* resolved copy of the settings */
	gsl_rng *rng;
	uint64_t quota;            /* tokens left */
	uint64_t retries;          /* retries granted */
	uint64_t quota_exhausted;  /* retries refused for lack of tokens */
	sim_time token_wait;       /* adaptive: total wait retry_acquire asked for */
	uint64_t token_waits;      /* adaptive: times retry_acquire asked to wait */
	struct retry_adaptive ad;
};

/* One request's retry context (botocore's request context). */
struct retry_call {
	unsigned attempt;          /* attempts made, the one in flight included */
	unsigned cost;             /* quota tokens the last retry took; 0: none yet */
	sim_time last_delay;       /* the last backoff; decorrelated jitter grows from it */
};

/* cfg is copied and resolved; rng draws the jitter and must outlive c. */
void retry_client_init(struct retry_client *c, const struct retry_cfg *cfg, gsl_rng *rng);

/*
 * After attempt number `attempt` (1-based) failed with err: returns the
 * delay before the next attempt, or -1 when the failure must surface
 * (attempts used up, mode none, or no quota). *cost gets the tokens taken.
 * Decorrelated jitter has no previous delay here and draws from
 * [base, 3 * base]; use retry_call_failed for its growing sequence.
 */
sim_time retry_after(struct retry_client *c, unsigned attempt, enum retry_error err, unsigned *cost);
/* A request succeeded after `retry_cost` tokens of retries (0: first try). */
void retry_success(struct retry_client *c, unsigned retry_cost);

/* A new request: its first attempt is being sent. */
void retry_call_start(struct retry_call *call);
/* Its attempt failed with err: the delay before the next attempt, or -1 (as retry_after). */
sim_time retry_call_failed(struct retry_client *c, struct retry_call *call, enum retry_error err);
/* Its attempt succeeded (2xx): refunds the retry quota. */
void retry_call_succeeded(struct retry_client *c, const struct retry_call *call);

/*
 * Before every attempt (retries included) at time now: how long the client
 * must wait for a token before sending; 0 means send now (a token was
 * taken). After a wait call again: the rate may have changed meanwhile, so
 * the answer may be another wait. Always 0 outside adaptive mode and in
 * adaptive mode until the first throttle. Waits add to token_wait.
 */
sim_time retry_acquire(struct retry_client *c, sim_time now);
/*
 * After every response at time now, success or error: whether it was a
 * throttling error. Updates the measured rate and, through CUBIC, the
 * bucket's rate. Does nothing outside adaptive mode.
 */
void retry_observe(struct retry_client *c, sim_time now, bool throttled);

/* Adaptive: the bucket's fill rate in req/s; INFINITY while sends are not limited. */
double retry_send_rate(const struct retry_client *c);
/* Adaptive: the measured send rate in req/s (0 outside adaptive mode). */
double retry_measured_rate(const struct retry_client *c);

#endif

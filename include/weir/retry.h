/*
 * retry.h - the AWS SDK's retry behaviour for a client (aws-behaviour §8).
 *
 * standard mode (§8.3, botocore's "version 2.0"): an attempt that fails with
 * a retryable error (throttling, transient) is retried after a delay drawn
 * uniformly from [0, min(base * 2^(attempt - 1), 20 s)] (full jitter, base
 * 1 s), up to max_attempts attempts in all, and only while the client's
 * retry quota lasts: it holds 500 tokens, a retry costs 5 (10 after a
 * timeout), a success refunds what its retries took (or adds 1).
 * none: every failure surfaces at once.
 */
#ifndef WEIR_RETRY_H
#define WEIR_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "weir/schema.h"
#include "weir/sim.h"

#define RETRY_BASE SIM_SEC                  /* §8.3: delay base, all errors (botocore 2.0) */
#define RETRY_CAP (20 * SIM_SEC)            /* §8.3: MAX_BACKOFF */
#define RETRY_MAX_ATTEMPTS_DEFAULT 3        /* §8.2: standard mode */
#define RETRY_QUOTA 500                     /* §8.3: INITIAL_RETRY_TOKENS */
#define RETRY_COST 5                        /* §8.3: per retry */
#define RETRY_TIMEOUT_COST 10               /* §8.3: per retry after a timeout */
#define RETRY_NO_RETRY_INCREMENT 1          /* §8.3: a first-try success */

enum retry_mode { RETRY_NONE, RETRY_STANDARD };

struct retry_cfg {
	struct schema_head head;
	int mode;                  /* enum retry_mode */
	int64_t max_attempts;
};

extern const struct schema retry_schema;

/* One client's retry state (per producer). */
struct retry_client {
	const struct retry_cfg *cfg;
	gsl_rng *rng;
	uint64_t quota;            /* tokens left */
	uint64_t quota_exhausted;  /* retries refused for lack of tokens */
};

enum retry_error { RETRY_THROTTLED, RETRY_TIMEOUT };

void retry_client_init(struct retry_client *c, const struct retry_cfg *cfg, gsl_rng *rng);
/*
 * After attempt number `attempt` (1-based) failed with err: returns the
 * delay before the next attempt, or -1 when the failure must surface
 * (attempts used up, mode none, or no quota). *cost gets the tokens taken.
 */
sim_time retry_after(struct retry_client *c, unsigned attempt, enum retry_error err, unsigned *cost);
/* A request succeeded after `retry_cost` tokens of retries (0: first try). */
void retry_success(struct retry_client *c, unsigned retry_cost);

#endif

/*
 * retry.c - SDK retry policy: full-jitter backoff and the retry quota (§8.3).
 */
#include "weir/retry.h"

#include <math.h>
#include <stddef.h>

static const char *const mode_names[] = { "none", "standard", NULL };

#define RF(field) .offset = offsetof(struct retry_cfg, field)
static const struct schema_field retry_fields[] = {
	{ .key = "mode", .type = ST_ENUM, RF(mode), .dflt = "standard", .choices = mode_names,
	  .rule = "§8.2", .help = "none: a failure surfaces at once; standard: full-jitter backoff and a retry quota." },
	{ .key = "max_attempts", .type = ST_INT, RF(max_attempts), .dflt = "3", .flags = SF_RANGE,
	  .min = 1, .max = 100, .rule = "§8.2", .help = "Attempts in all, the first one included." },
	{ 0 }
};

const struct schema retry_schema = {
	.name = "retry",
	.size = sizeof(struct retry_cfg),
	.fields = retry_fields,
	.help = "How the client retries a request the service throttled (aws-behaviour §8): in standard mode the delay before retry n is drawn from [0, min(1 s * 2^(n-1), 20 s)], and a retry quota of 500 tokens (5 per retry, 10 after a timeout, refunded by successes) stops retries when a service keeps failing.",
};

void retry_client_init(struct retry_client *c, const struct retry_cfg *cfg, gsl_rng *rng)
{
	c->cfg = cfg;
	c->rng = rng;
	c->quota = RETRY_QUOTA;
	c->quota_exhausted = 0;
}

sim_time retry_after(struct retry_client *c, unsigned attempt, enum retry_error err, unsigned *cost)
{
	double cap;

	*cost = 0;
	if (c->cfg->mode == RETRY_NONE || attempt >= (unsigned)c->cfg->max_attempts)
		return -1;
	*cost = err == RETRY_TIMEOUT ? RETRY_TIMEOUT_COST : RETRY_COST;
	if (c->quota < *cost) {
		c->quota_exhausted++;   /* not enough tokens: the error surfaces (§8.3) */
		*cost = 0;
		return -1;
	}
	c->quota -= *cost;
	cap = ldexp((double)RETRY_BASE, (int)attempt - 1);
	if (cap > (double)RETRY_CAP)
		cap = (double)RETRY_CAP;
	return sim_round_us(gsl_rng_uniform(c->rng) * cap);   /* full jitter */
}

void retry_success(struct retry_client *c, unsigned retry_cost)
{
	c->quota += retry_cost ? retry_cost : RETRY_NO_RETRY_INCREMENT;
	if (c->quota > RETRY_QUOTA)
		c->quota = RETRY_QUOTA;
}

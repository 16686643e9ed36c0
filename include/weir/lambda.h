/*
 * lambda.h - AWS Lambda: concurrency, scaling, execution environments,
 * synchronous and asynchronous invocation, cost (aws-behaviour §4).
 *
 * An invocation needs a unit of concurrency (from the function's reserved
 * concurrency, or from the account's unreserved pool) and an execution
 * environment: an idle provisioned one, else an idle warm one, else a new
 * one, which pays a cold start (init) and is allowed only as fast as the
 * scaling rate lets new environments appear. Without either, the invoke is
 * throttled (429). An environment serves one request at a time; after it,
 * an on-demand environment stays warm for a keep-alive time, then is reaped.
 *
 * Every function keeps a ledger that balances at every instant:
 *   invocations = succeeded + failed + running
 * and, for asynchronous events,
 *   events received = succeeded + sent on failure + dropped + pending.
 */
#ifndef WEIR_LAMBDA_H
#define WEIR_LAMBDA_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "weir/bucket.h"
#include "weir/dist.h"
#include "weir/hist.h"
#include "weir/level.h"
#include "weir/metrics.h"
#include "weir/rng.h"
#include "weir/schema.h"
#include "weir/sqs.h"
#include "weir/summary.h"

/* ---- behaviour dates: rules that changed, and when (YYYYMMDD) ------------- */

#define BEHAVIOUR_LATEST 99991231
/* AWS Lambda's launch: the earliest behaviour date. */
#define BEHAVIOUR_LAMBDA_LAUNCH 20141113
/* Per-function scaling, +1,000 environments every 10 s (§4.2, Nov 2023). */
#define BEHAVIOUR_LAMBDA_PER_FUNCTION_SCALING 20231126
/* SQS event source mapping ramp +300/min instead of +60/min (§5.2, 6 Nov 2023). */
#define BEHAVIOUR_ESM_RAMP_300 20231106
/* ScalingConfig.MaximumConcurrency of SQS mappings (§5.3, launched Jan 2023; day unconfirmed). */
#define BEHAVIOUR_ESM_MAXIMUM_CONCURRENCY 20230101
/* Memory 128..10,240 MB in 1 MB steps and 1 ms billing (§4.5, §4.7, 1 Dec 2020). */
#define BEHAVIOUR_LAMBDA_10GB_1MS 20201201
/* INIT billed for every configuration (§4.7, 1 Aug 2025). */
#define BEHAVIOUR_LAMBDA_INIT_BILLED 20250801
/* Async payload 256 KB -> 1 MB (§4.4; date unconfirmed, 2025 to Jan 2026). */
#define BEHAVIOUR_LAMBDA_ASYNC_1MB 20260129

/* Resource name of the account's metrics (account/ClaimedAccountConcurrency ...): reserved. */
#define LAMBDA_ACCOUNT_NAME "account"

/* ---- limits and model parameters ------------------------------------------ */

#define LAMBDA_ACCOUNT_CONCURRENCY_DEFAULT 1000   /* per Region (§4.1) */
#define LAMBDA_UNRESERVED_MIN 100                 /* must stay unreserved (§4.1) */
#define LAMBDA_TIMEOUT_DEFAULT (3 * SIM_SEC)      /* §4.5 */
#define LAMBDA_TIMEOUT_MAX (900 * SIM_SEC)        /* 15 min (§4.5) */
#define LAMBDA_MEMORY_MIN_MB 128                  /* §4.5 */
#define LAMBDA_MEMORY_MAX_MB 10240                /* since Dec 2020 (§4.5) */
#define LAMBDA_MEMORY_MAX_MB_OLD 3008             /* before, in 64 MB steps (§4.5) */
#define LAMBDA_INIT_LIMIT (10 * SIM_SEC)          /* §4.6 */
#define LAMBDA_SYNC_PAYLOAD_MAX 6291456.0         /* 6 MB request (§4.3) */
#define LAMBDA_ASYNC_PAYLOAD_MAX 1048576.0        /* 1 MB (§4.4) */
#define LAMBDA_ASYNC_PAYLOAD_MAX_OLD 262144.0     /* 256 KB before (§4.4) */
/* New scaling: per function, 1,000 environments at once, refilled over 10 s (§4.2). */
#define LAMBDA_SCALING_BURST 1000.0
#define LAMBDA_SCALING_REFILL_PER_SEC 100.0
/* Old scaling: account-level burst by Region, then +500 per minute (§4.2). */
#define LAMBDA_OLD_BURST_LARGE 3000.0             /* us-east-1, us-west-2, eu-west-1 */
#define LAMBDA_OLD_BURST_MEDIUM 1000.0            /* ap-northeast-1, eu-central-1, us-east-2 */
#define LAMBDA_OLD_BURST_SMALL 500.0              /* other Regions */
#define LAMBDA_OLD_RAMP_PER_SEC (500.0 / 60.0)
/* Async retries after function errors: ~1 min, then ~2 min (§4.4). */
#define LAMBDA_ASYNC_RETRY_1 (60 * SIM_SEC)
#define LAMBDA_ASYNC_RETRY_2 (120 * SIM_SEC)
#define LAMBDA_ASYNC_RETRIES_MAX 2                /* MaximumRetryAttempts 0..2 (§4.4) */
#define LAMBDA_EVENT_AGE_MIN (60 * SIM_SEC)       /* MaximumEventAgeInSeconds (§4.4) */
#define LAMBDA_EVENT_AGE_MAX (6 * SIM_HOUR)
/* Throttled async events come back after 1 s, doubling up to 5 min (§4.4). */
#define LAMBDA_ASYNC_BACKOFF_MIN SIM_SEC
#define LAMBDA_ASYNC_BACKOFF_MAX (5 * SIM_MIN)
/* Size of an on-failure destination record (metadata and payload): model parameter. */
#define LAMBDA_DESTINATION_RECORD_BYTES 1024.0

/* ---- configuration -------------------------------------------------------- */

struct pricing_cfg {
	struct schema_head head;
	double request;                  /* $ per request */
	double gb_second;                /* $ per GB-second of duration */
	double provisioned_gb_second;    /* $ per GB-second of provisioned concurrency allocated */
	double provisioned_duration_gb_second; /* $ per GB-second run on provisioned environments */
};

struct account_cfg {
	struct schema_head head;
	int64_t lambda_concurrency;
	const char *behaviour;           /* "latest" or YYYY-MM-DD */
	const char *region;
	struct pricing_cfg pricing;
	int date;                        /* behaviour as YYYYMMDD (parsed) */
};

struct errors_cfg {
	struct schema_head head;
	double rate;                     /* chance an invocation fails */
	bool poison;                     /* poison records fail the invocation (or their item) */
};

struct async_cfg {
	struct schema_head head;
	int64_t maximum_retry_attempts;
	sim_time maximum_event_age;
	const char *on_failure;          /* an SQS queue, or NULL */
	const char *dead_letter;         /* an SQS queue, or NULL */
};

struct function_cfg {
	struct schema_head head;
	int64_t reserved_concurrency;    /* INT64_MIN: none */
	int64_t provisioned_concurrency;
	sim_time timeout;
	double memory;                   /* bytes as written; memory_mb derived */
	struct dist duration;            /* per invocation */
	struct dist per_record;          /* added per record of a batch (optional) */
	struct dist cold_start;          /* init duration */
	struct dist keep_alive;          /* how long an idle environment stays warm */
	struct errors_cfg errors;
	struct async_cfg async;
	bool custom_runtime;             /* INIT billed before Aug 2025 too (§4.7) */
	int64_t memory_mb;               /* derived: Lambda's MB */
};

extern const struct schema account_schema;
extern const struct schema function_schema;
extern const struct metric_family lambda_metric_family;
extern const struct metric_family lambda_account_metric_family;
extern const struct stat_family lambda_stat_family;

/* ---- runtime ------------------------------------------------------------ */

struct lambda_account;
struct lambda_fn;

enum lambda_result {
	LAMBDA_OK,          /* the handler returned */
	LAMBDA_PARTIAL,     /* returned, reporting some records as failed (ReportBatchItemFailures) */
	LAMBDA_ERROR,       /* function error: an exception, or a poison record without item reporting */
	LAMBDA_TIMEOUT,     /* ran longer than the timeout */
	LAMBDA_THROTTLED    /* 429: no concurrency or no new environment allowed */
};

struct lambda_invocation;
typedef void lambda_done_fn(struct lambda_invocation *inv);

/*
 * One synchronous invocation, owned by the caller (a producer request, an
 * event source mapping poller). Set the public fields and call
 * lambda_invoke; a throttle is returned at once, any other result comes
 * through done() later.
 */
struct lambda_invocation {
	lambda_done_fn *done;
	void *owner;
	uint32_t records;            /* records in the payload (1 for a plain request) */
	const uint8_t *poison;       /* per record: poison? (NULL: none) */
	bool item_failures;          /* the handler reports failed records (ReportBatchItemFailures) */
	uint8_t *failed;             /* out: per record, failed (filled when item_failures) */
	/* results */
	enum lambda_result result;
	bool cold;                   /* ran on a new environment */
	sim_time started, duration;  /* when the handler started; its billed run time */
	/* private */
	struct lambda_fn *fn;
	struct lambda_env *env;
	sim_event_id timer;
};

struct lambda_counters {
	uint64_t invocations, succeeded, errors, timeouts, throttles, cold_starts, spillover;
	uint64_t init_failures, too_large;
	uint64_t async_received, async_succeeded, async_to_failure, async_dropped, async_expired;
	uint64_t async_dead_letter_errors, async_destination_failures, async_retries;
	uint64_t queue_sends;                 /* messages it sent to destination and dead-letter queues */
	uint64_t billed_ms, init_billed_ms;   /* duration billed, and INIT billed, in ms */
};

struct lambda_account *lambda_account_create(struct sim *sim, const struct account_cfg *cfg);
void lambda_account_destroy(struct lambda_account *a);
void lambda_account_register_metrics(struct lambda_account *a, struct metrics *m);

struct lambda_fn *lambda_create(struct lambda_account *a, const char *name,
				const struct function_cfg *cfg, struct rng_set *rngs);
/* Links the async destinations (queues; either may be NULL). */
void lambda_set_async_targets(struct lambda_fn *f, struct sqs_queue *on_failure,
			      struct sqs_queue *dead_letter);
/* Allocates provisioned environments; call once before the run. */
void lambda_start(struct lambda_fn *f);
void lambda_destroy(struct lambda_fn *f);

/* Whether a synchronous request of that size is accepted (6 MB); counts RequestsTooLarge if not. */
bool lambda_accepts_sync(struct lambda_fn *f, double payload_bytes);
/* Starts a synchronous invocation; LAMBDA_THROTTLED comes back at once. */
enum lambda_result lambda_invoke(struct lambda_fn *f, struct lambda_invocation *inv);
/*
 * Hands an event to the asynchronous queue (HTTP 202): it is invoked,
 * retried and finally sent to a destination or dropped by Lambda (§4.4).
 * Returns false when the payload is too large (nothing is queued).
 */
bool lambda_invoke_async(struct lambda_fn *f, double payload_bytes, bool poison);

const char *lambda_name(const struct lambda_fn *f);
const struct function_cfg *lambda_config(const struct lambda_fn *f);
const struct lambda_counters *lambda_counters(const struct lambda_fn *f);
/* Concurrency the function may use now (reserved, or what the account has left). */
uint64_t lambda_available(const struct lambda_fn *f);
uint64_t lambda_running(const struct lambda_fn *f);

void lambda_register_metrics(struct lambda_fn *f, struct metrics *m);
void lambda_end_warmup(struct lambda_fn *f);
void lambda_summarize(const struct lambda_fn *f, struct summary *s);
/* invocations = succeeded + failed + running, and the async ledger. */
bool lambda_ledger(const struct lambda_fn *f, FILE *err);

/* Parses a behaviour ("latest" or YYYY-MM-DD) into YYYYMMDD; -1 when invalid. */
int behaviour_parse(const char *text);

#endif

/*
 * esm.h - Lambda's event source mapping for SQS (aws-behaviour §5).
 *
 * Pollers long-poll the queue, gather a batch (up to batch_size records,
 * until the batching window ends, within the 6 MB payload), invoke the
 * function synchronously, and delete the batch when the invocation
 * succeeds. A failed invocation leaves the whole batch to reappear after
 * its visibility timeout; with ReportBatchItemFailures only the failed
 * records stay. A throttled invocation is retried until the batch's
 * visibility timeout would run out, then the batch is let go — its receives
 * still count, which is how throttling alone can dead-letter messages.
 *
 * The number of pollers (concurrent batches) starts at 5 and, while
 * messages wait and no poller is free, grows by 60 per minute (before
 * Nov 2023) or 300 per minute, up to a ceiling and maximum_concurrency;
 * pollers left waiting on an empty queue are retired at the same rate,
 * down to 5 (2 after a minute with nothing to do, unless
 * maximum_concurrency is set); errors and throttles make it back off.
 *
 * Ledger: received = deleted + stale deletes + returned + held.
 */
#ifndef WEIR_ESM_H
#define WEIR_ESM_H

#include <stdbool.h>
#include <stdint.h>

#include "weir/lambda.h"
#include "weir/metrics.h"
#include "weir/schema.h"
#include "weir/sqs.h"
#include "weir/summary.h"

#define ESM_BATCH_DEFAULT 10                   /* BatchSize default (§5.1) */
#define ESM_BATCH_MAX 10000                    /* standard queues (§5.1) */
#define ESM_BATCH_NO_WINDOW 10                 /* larger batches need a window of >= 1 s (§5.1) */
#define ESM_FIFO_BATCH_MAX 10                  /* FIFO queues: BatchSize 1..10, no window (§5.5) */
/* A poller's pause after a throttled receive from a FIFO queue (§2.3); model parameter, no AWS figure. */
#define ESM_RECEIVE_THROTTLE_PAUSE SIM_SEC
#define ESM_WINDOW_MAX (300 * SIM_SEC)         /* MaximumBatchingWindowInSeconds (§5.1) */
#define ESM_PAYLOAD_MAX 6291456.0              /* the 6 MB synchronous payload (§5.1) */
/* Model parameter: metadata Lambda adds to each record in the payload (not published). */
#define ESM_RECORD_OVERHEAD_BYTES 500.0
#define ESM_START_CONCURRENCY 5                /* §5.2 */
#define ESM_IDLE_CONCURRENCY 2                 /* with no maximum_concurrency, when idle (§5.2) */
#define ESM_RAMP_OLD 60.0                      /* per minute, before 6 Nov 2023 (§5.2) */
#define ESM_RAMP_NEW 300.0                     /* per minute, since (§5.2) */
#define ESM_CEILING_DEFAULT "1000"             /* §5.2: 1,000 or 1,250 (conflicting sources) */
#define ESM_MAX_CONCURRENCY_MIN 2              /* MaximumConcurrency 2..1,000 (§5.3) */
#define ESM_MAX_CONCURRENCY_MAX 1000
#define ESM_VISIBILITY_MARGIN (30 * SIM_SEC)   /* effective visibility: window + timeout + 30 s (§5.4) */
#define ESM_VISIBILITY_FACTOR 6                /* recommended: visibility >= 6 x timeout (§5.4) */
/* Model parameters: how the mapping backs off (§5.2, §5.4 give no figures). */
#define ESM_ERROR_BACKOFF 0.5                  /* concurrency factor after a failed batch */
#define ESM_THROTTLE_BACKOFF 0.5               /* concurrency factor after a throttled invoke */
#define ESM_RETRY_FIRST SIM_SEC                /* first retry of a throttled invoke, doubling */
#define ESM_RETRY_MAX (30 * SIM_SEC)
#define ESM_IDLE_RETIRE (60 * SIM_SEC)         /* idle this long: the floor drops to 2 */
/* Model parameter: spare pollers are retired as fast as the ramp adds them (§5.2 gives no rate). */

/*
 * One trigger: a queue or a stream feeding a function. The keys that apply
 * to one kind of source only are checked by trigger_resolve once the
 * scenario knows the source's kind.
 */
struct trigger_cfg {
	struct schema_head head;
	const char *name;                /* derived: "SOURCE-to-FUNCTION" unless given */
	const char *source;
	const char *function;
	int64_t batch_size;              /* unset until trigger_resolve: 10 for queues, 100 for streams */
	sim_time maximum_batching_window;
	int64_t maximum_concurrency;     /* INT64_MIN: unset (queues) */
	bool report_batch_item_failures;
	int64_t concurrency_ceiling;     /* queues */
	/* streams only (§6) */
	int starting_position;           /* enum kinesis_start: 0 trim_horizon, 1 latest */
	int64_t parallelization_factor;
	int64_t maximum_retry_attempts;  /* INT64_MIN (unset) or any negative: infinite (AWS's -1) */
	sim_time maximum_record_age;     /* SIM_TIME_UNSET: infinite (AWS's -1) */
	bool bisect_batch_on_function_error;
	const char *on_failure;          /* an SQS queue, or NULL */
	char *derived_name;              /* owned when the name was derived */
};

extern const struct schema trigger_schema;

/*
 * Finishes a parsed trigger once its source's kind is known (stream: a
 * Kinesis stream, else an SQS queue): applies the per-kind batch_size
 * default (§5.1, §6.1), checks the queue-only rule "a batch_size above 10
 * needs a window of at least 1 s" (§5.1), or for a FIFO queue (`fifo`)
 * "at most 10, no window" (§5.5), and reports keys written that do not
 * apply to that kind. Call once per trigger, from the scenario's check.
 */
void trigger_resolve(struct trigger_cfg *t, bool stream, bool fifo, struct schema_ctx *ctx);
extern const struct metric_family esm_metric_family;
extern const struct stat_family esm_stat_family;

struct esm;

struct esm_counters {
	uint64_t received, deleted, returned, batches, records_invoked, throttled, failed_batches;
	uint64_t abandoned, item_failures, duplicates, stale_deletes;
};

struct esm *esm_create(struct sim *sim, const struct trigger_cfg *cfg, struct sqs_queue *q,
		       struct lambda_fn *f, int behaviour_date);
void esm_start(struct esm *e);
void esm_destroy(struct esm *e);
const char *esm_name(const struct esm *e);
const struct esm_counters *esm_counters(const struct esm *e);
/* Pollers running now: the mapping's concurrency (batches it can have in flight). */
uint64_t esm_concurrency(const struct esm *e);
void esm_register_metrics(struct esm *e, struct metrics *m);
void esm_end_warmup(struct esm *e);
void esm_summarize(const struct esm *e, struct summary *s);
/* received = deleted + stale deletes + returned + held; true when it balances. */
bool esm_ledger(const struct esm *e, FILE *err);
/* The visibility timeout its receives ask for (§5.4). */
sim_time esm_visibility(const struct trigger_cfg *t, sim_time queue_visibility, sim_time function_timeout);

#endif

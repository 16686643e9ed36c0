/*
 * kesm.h - Lambda's event source mapping for Kinesis streams (aws-behaviour §6).
 *
 * One shard processor per readable shard reads the shard through the
 * stream's shared throughput (GetRecords: 5 calls and 2 MB per second per
 * shard, §3.2), once a second while caught up and again at once while
 * records wait (§6.1). It hands each record to one of the shard's
 * parallelization_factor lanes by its partition key, so one key's records
 * stay in one lane and in order; a lane gathers a batch (batch_size
 * records, the 6 MB payload, the batching window) and invokes the function
 * synchronously, one batch at a time. The shard's checkpoint is the first
 * record some lane has not finished.
 *
 * A failed batch is retried whole and blocks its lane until it succeeds or
 * is given up (§6.2): after maximum_retry_attempts, or when its records
 * are older than maximum_record_age (or the stream's retention). With
 * bisect_batch_on_function_error a failed batch is split in halves; with
 * report_batch_item_failures Lambda checkpoints before the first failed
 * record and retries from it. Records given up are discarded: their
 * metadata goes to the on-failure queue, if any, and the lane moves on.
 * Throttled invokes are retried with backoff and use no retry attempt.
 *
 * Ledger, at every instant:
 *   read = processed + discarded + held (in lanes)
 *   discarded = sent on failure + dropped (no destination, or it refused)
 * Records that expired in the stream before the mapping read them are
 * counted apart (RecordsExpiredUnread): they were never read.
 */
#ifndef WEIR_KESM_H
#define WEIR_KESM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "weir/esm.h"
#include "weir/kinesis.h"
#include "weir/lambda.h"
#include "weir/metrics.h"
#include "weir/sqs.h"
#include "weir/summary.h"
#include "weir/trace.h"

#define KESM_BATCH_DEFAULT 100                 /* BatchSize default for streams (§6.1) */
#define KESM_BATCH_MAX 10000                   /* §6.1 */
#define KESM_POLL_INTERVAL SIM_SEC             /* a caught-up shard is polled once a second (§6.1) */
#define KESM_READ_RETRY SIM_SEC                /* a throttled GetRecords: calls within 1 s are throttled too (§3.2) */
#define KESM_PF_DEFAULT 1                      /* ParallelizationFactor 1..10 (§6.1) */
#define KESM_PF_MAX 10
/* MaximumRetryAttempts -1 (default: infinite) or 0..10,000 (§6.2); weir reads any negative as -1. */
#define KESM_RETRIES_INFINITE (-1)
#define KESM_RETRIES_MAX 10000
#define KESM_RECORD_AGE_MIN (60 * SIM_SEC)     /* MaximumRecordAgeInSeconds 60..604,800, or -1 (§6.2) */
#define KESM_RECORD_AGE_MAX (604800 * SIM_SEC)
/* Model parameters (§6.2 gives no figures). */
#define KESM_THROTTLE_RETRY_FIRST SIM_SEC      /* a throttled invoke is retried after 1 s, doubling */
#define KESM_THROTTLE_RETRY_MAX (30 * SIM_SEC)
#define KESM_ERROR_RETRY SIM_SEC               /* a failed batch is retried after 1 s */
/*
 * A lane holds at most this many batches of records, and at least one
 * GetRecords call's worth (10,000), so that the poller reads in large calls
 * as Lambda does instead of spending the shard's 5 calls a second.
 */
#define KESM_READ_AHEAD_BATCHES 2
#define KESM_FAILURE_RECORD_BYTES 1024.0       /* one on-failure message: shard, sequence range, condition */

extern const struct metric_family kesm_metric_family;
extern const struct stat_family kesm_stat_family;

struct kesm;

struct kesm_counters {
	uint64_t read;              /* records taken from the stream into lanes */
	uint64_t processed;         /* records of batches (or batch prefixes) that succeeded */
	uint64_t discarded;         /* records given up: retries exhausted or too old */
	uint64_t sent_on_failure;   /* discarded records whose metadata reached the on-failure queue */
	uint64_t dropped;           /* discarded records with no destination, or refused by it */
	uint64_t failure_messages;  /* messages sent to the on-failure queue */
	uint64_t expired_unread;    /* records that expired in the stream before being read (§3.5) */
	uint64_t batches, records_invoked, throttled, failed_batches, retries, bisections;
	uint64_t item_failures, get_calls, get_throttled;
};

/* A watcher hears each record of every batch invoked, in batch order (tests, tools). */
typedef void kesm_watch_fn(void *ctx, uint32_t shard, const struct kin_rec *r);

/*
 * Adds the mapping's reader to the stream (at its starting_position), so
 * create it before kinesis_start. on_failure may be NULL. cfg must have
 * been resolved for a stream (trigger_resolve).
 */
struct kesm *kesm_create(struct sim *sim, const struct trigger_cfg *cfg, struct kinesis_stream *s,
			 struct lambda_fn *f, struct sqs_queue *on_failure);
/* Starts a processor for every shard there is. */
void kesm_start(struct kesm *e);
void kesm_destroy(struct kesm *e);
const char *kesm_name(const struct kesm *e);
const struct kesm_counters *kesm_counters(const struct kesm *e);
/* Batches being invoked now: the function concurrency this mapping uses. */
uint64_t kesm_concurrency(const struct kesm *e);
/* Most batches in flight at once since the start (since the warm-up once it ended). */
uint64_t kesm_concurrency_peak(const struct kesm *e);
/* IteratorAge of the shard's last finished invocation (SIM_TIME_UNSET: none yet). */
sim_time kesm_shard_iterator_age(const struct kesm *e, uint32_t shard);
void kesm_watch(struct kesm *e, kesm_watch_fn *fn, void *ctx);
/* Traces sampled records (by sequence number) into t; NULL: none. */
void kesm_set_trace(struct kesm *e, struct trace *t);
void kesm_register_metrics(struct kesm *e, struct metrics *m);
void kesm_end_warmup(struct kesm *e);
void kesm_summarize(const struct kesm *e, struct summary *s);
/* read = processed + discarded + held; discarded = sent on failure + dropped. */
bool kesm_ledger(const struct kesm *e, FILE *err);

#endif

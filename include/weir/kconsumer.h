/*
 * kconsumer.h - consumer applications reading a Kinesis stream (KCL-like,
 * aws-behaviour §3.8): a `consumers:` entry whose source is a stream.
 *
 * The application holds one lease, and so one worker, per readable shard:
 * the worker reads the shard in order, processes its records one after
 * another (processing time drawn per record) and checkpoints after each
 * batch it processed. After a reshard it finishes the parents before it
 * reads the children (§3.6); a closed shard read to its end loses its
 * worker, and the children's workers start.
 *
 * Records reach a worker in one of two ways (§3.8):
 *
 *   shared throughput (fan_out: false): the worker calls GetRecords every
 *     poll_interval, and again as soon as a call came back full. A call
 *     takes up to max_records records; it counts against the shard's
 *     5 calls/s and 2 MB/s, shared by every consumer of the shard (§3.2),
 *     and a throttled call (ReadProvisionedThroughputExceeded) is retried
 *     after KCONS_READ_RETRY. A call returns the records the shard held when
 *     it was made, KCONS_GET_RECORDS_LATENCY later. So a record waits on
 *     average poll_interval / 2 for the next call, plus the call: with one
 *     consumer polling at the shard's 5 calls/s (poll_interval 200ms) that
 *     is 100 + 100 = 200 ms, §3.8's figure; with five consumers each must
 *     slow to one call a second or be throttled, and the wait grows to
 *     §3.8's ~1 s.
 *
 *   enhanced fan-out (fan_out: true, SubscribeToShard): the shard pushes
 *     each record to the worker `propagation` after it arrived (default
 *     70 ms, §3.8), in order, within the consumer's own 2 MB/s per shard:
 *     other consumers do not slow it down.
 *
 * A failed record (failure_rate, or poison with fail_on_poison) is retried
 * in place after KCONS_FAILURE_RETRY: the application decides what to do
 * with failures, and this one keeps its shard in order, so a poison record
 * stops its shard for good (like §10 item 10).
 *
 * Ledger, at every instant:
 *   read = processed + held (delivered to workers, not yet processed)
 * Records that expired in the stream before the consumer read them are
 * counted apart (RecordsExpiredUnread): they were never read.
 */
#ifndef WEIR_KCONSUMER_H
#define WEIR_KCONSUMER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "weir/consumer.h"
#include "weir/kinesis.h"
#include "weir/metrics.h"
#include "weir/rng.h"
#include "weir/summary.h"

/* ---- rules (aws-behaviour §3.2, §3.8) ----------------------------------------- */

#define KCONS_MAX_RECORDS_MAX KINESIS_GET_RECORDS_MAX     /* GetRecords Limit: 1..10,000 records (§3.2) */
#define KCONS_MAX_RECORDS_DEFAULT KINESIS_GET_RECORDS_MAX /* KCL asks for the most */
#define KCONS_EFO_BYTES 2097152.0                         /* 2 MB/s per consumer per shard (§3.8), read as MiB */
#define KCONS_EFO_WINDOW SIM_SEC                          /* that budget is counted per second, like §3.2's */
#define KCONS_EFO_CONSUMERS_MAX 20                        /* registered per stream (§3.8, 2023 docs; current unconfirmed) */
#define KCONS_ITERATOR_EXPIRY (5 * SIM_MIN)               /* an iterator unused for 5 min expires (§3.2) */
#define KCONS_READ_RETRY SIM_SEC                          /* after a throttle, calls within 1 s are throttled too (§3.2) */

/* ---- model parameters (not published by AWS) ----------------------------------- */

/* KCL's idleTimeBetweenReadsInMillis default: a shared consumer polls each shard once a second. */
#define KCONS_POLL_INTERVAL_DEFAULT SIM_SEC
/*
 * The time a GetRecords call takes, from the request to the records in the
 * worker's hands. Chosen so that one consumer polling at the shard's full
 * 5 calls/s sees §3.8's ~200 ms average: 100 ms waiting for the next call
 * plus this.
 */
#define KCONS_GET_RECORDS_LATENCY (SIM_SEC / 10)     /* 100 ms */
/* EFO's default propagation: §3.8's ~70 ms average, used as a constant. */
#define KCONS_PROPAGATION_DEFAULT (SIM_SEC * 7 / 100)   /* 70 ms */
/*
 * How often an EFO worker looks for new records in its shard. The stream
 * tells readers of new shards, not of new records, so the push is found by
 * looking; a record found within this of its arrival is delivered exactly
 * `propagation` after it arrived, so this is kept below the propagation.
 */
#define KCONS_EFO_SCAN (SIM_SEC / 20)                /* 50 ms */
/*
 * A throttled call is retried after KCONS_READ_RETRY plus up to this
 * fraction of it, drawn uniformly: SDK backoff is jittered (§8.1), and
 * without it consumers that collide once collide every second, one of them
 * starved for good. For the same reason a shared worker's first call comes
 * at a uniform random point of its first poll_interval.
 */
#define KCONS_READ_RETRY_JITTER 0.5
/* A failed record is processed again after this (the application's choice). */
#define KCONS_FAILURE_RETRY SIM_SEC
/*
 * Largest GetRecords call, bytes. The API allows 10 MB (§3.2) and then
 * throttles the shard's readers for the next 5 s; the stream model only
 * counts a second's 2 MB, letting the first call of a second through
 * whatever its size. Asking for at most 2 MB per call keeps the shard's
 * sustained read at §3.2's 2 MB/s, which is what the 5-s penalty achieves.
 */
#define KCONS_CALL_BYTES KINESIS_SHARD_READ_BYTES
/* A worker holds at most this many calls' (or 1-s pushes') worth of records it has not processed. */
#define KCONS_READ_AHEAD_BATCHES 2

extern const struct metric_family kconsumer_metric_family;
extern const struct stat_family kconsumer_stat_family;

struct kconsumer;

struct kconsumer_counters {
	uint64_t read;              /* records delivered to workers */
	uint64_t processed;         /* records processed successfully */
	uint64_t failures;          /* processing attempts that failed (the record is retried) */
	uint64_t expired_unread;    /* records that expired in the stream before being read (§3.5) */
	uint64_t get_calls;         /* GetRecords calls made, throttled ones included */
	uint64_t get_throttled;     /* of those, ReadProvisionedThroughputExceeded */
	uint64_t events;            /* EFO: pushes (SubscribeToShardEvent) that carried records */
	uint64_t checkpoints;       /* batches checkpointed */
};

/* A watcher hears each record as it is processed successfully (tests, tools). */
typedef void kconsumer_watch_fn(void *ctx, uint32_t shard, const struct kin_rec *r);

/*
 * Adds the consumer's reader to the stream, so create it before
 * kinesis_start. cfg must have been resolved for a stream (consumer_resolve).
 */
struct kconsumer *kconsumer_create(struct sim *sim, const char *name, const struct consumer_cfg *cfg,
				   struct kinesis_stream *s, struct rng_set *rngs);
/* Starts a worker for every shard there is. */
void kconsumer_start(struct kconsumer *k);
void kconsumer_destroy(struct kconsumer *k);
const char *kconsumer_name(const struct kconsumer *k);
const struct kconsumer_counters *kconsumer_counters(const struct kconsumer *k);
/* The shard's last MillisBehindLatest reading, microseconds (SIM_TIME_UNSET: none yet). */
sim_time kconsumer_millis_behind(const struct kconsumer *k, uint32_t shard);
/* Mean put-to-processed delay of the records processed since the warm-up, microseconds (NAN: none). */
double kconsumer_latency_mean(const struct kconsumer *k);
void kconsumer_watch(struct kconsumer *k, kconsumer_watch_fn *fn, void *ctx);
void kconsumer_register_metrics(struct kconsumer *k, struct metrics *m);
void kconsumer_end_warmup(struct kconsumer *k);
void kconsumer_summarize(const struct kconsumer *k, struct summary *s);
/* read = processed + held. */
bool kconsumer_ledger(const struct kconsumer *k, FILE *err);

#endif

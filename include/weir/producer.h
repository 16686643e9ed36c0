/*
 * producer.h - workloads: processes that send messages to a queue.
 *
 * Arrival processes:
 *   poisson(rate=200/s)        exponential gaps; a rate change redraws the next gap
 *   constant(rate=200/s)       evenly spaced
 *   trace(file=t.csv[, column=NAME|NUMBER][, unit=s])
 *                              replay of the times (from `start`) in a CSV column
 * The rate of poisson and constant can change over time with a `schedule` of
 * rates and with on/off `bursts` (during an on period the burst rate
 * replaces the scheduled one). Each message has a size, an optional message
 * timer and is poison (fails in every consumer) with a given probability.
 *
 * A producer whose target is a function invokes it: synchronously (a
 * throttled request is retried as the SDK's retry policy says, then given
 * up) or asynchronously (Lambda queues the event and owns its retries).
 * A producer whose target is a Kinesis stream puts records with a partition
 * key each, one per PutRecord or gathered into PutRecords requests; the
 * entries a request got throttled are put again as the retry policy says.
 * A producer whose target is an SNS topic publishes each message once,
 * with the message attributes it draws (`message.attributes`).
 * A producer whose target is a FIFO queue gives each message a group and
 * a deduplication id; its sends may be throttled and are then retried as
 * the retry policy says. Any queue producer can repeat a fraction of its
 * sends (`duplicates`), as a client does after a lost response.
 * Ledger: produced + resent = sent + rejected + gave up + waiting.
 */
#ifndef WEIR_PRODUCER_H
#define WEIR_PRODUCER_H

#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "weir/dist.h"
#include "weir/keys.h"
#include "weir/kinesis.h"
#include "weir/lambda.h"
#include "weir/metrics.h"
#include "weir/retry.h"
#include "weir/rng.h"
#include "weir/schema.h"
#include "weir/sns.h"
#include "weir/sqs.h"

enum arrival_kind { ARRIVAL_POISSON, ARRIVAL_CONSTANT, ARRIVAL_TRACE };

struct arrival_spec {
	enum arrival_kind kind;
	double rate;              /* per second (poisson, constant) */
	char *file;               /* trace: resolved path */
	char *column;             /* trace: header name or 1-based number; NULL = first */
	char *key_column;         /* trace: the column of partition keys or group ids, or NULL */
	size_t key_max;           /* trace: the longest key or group id allowed ... */
	const char *key_what;     /* ... and the rule that says so */
	double unit_us;           /* trace: microseconds per bare number */
	uint64_t rows;            /* trace: rows read at validation */
};

struct rate_change_cfg {
	struct schema_head head;
	sim_time at;
	double rate;
};

struct bursts_cfg {
	struct schema_head head;
	struct dist on, off;      /* on and off period lengths */
	double rate;              /* NAN = no bursts */
	int first;                /* 0 = start off, 1 = start on */
};

/*
 * A message attribute drawn per message (topic targets, for filter
 * policies, aws-behaviour §7.1): a fixed value, or choice(a=0.3, b=0.7).
 */
struct attribute_cfg {
	struct schema_head head;  /* head.name: the attribute's name */
	const char *values;       /* as written */
	char **choices;           /* parsed: the values ... */
	double *cumulative;       /* ... and their cumulative shares (the last is 1) */
	size_t nchoices;
};

struct message_cfg {
	struct schema_head head;
	struct dist size;
	double poison;
	struct dist delay;        /* per-message timer (DIST_NONE = the queue's delay) */
	struct vec attributes;    /* struct attribute_cfg, by name (topic targets) */
	const char *group;        /* FIFO queue targets: the MessageGroupId distribution */
	bool deduplication_id;    /* FIFO: send an explicit MessageDeduplicationId */
	int64_t bodies;           /* distinct bodies (content-based deduplication); INT64_MIN = unique */
};

/* Sends repeated by the producer, as after a lost response (aws-behaviour §2.2). */
struct duplicates_cfg {
	struct schema_head head;
	double fraction;          /* of sends, repeated once */
	struct dist after;        /* how long after the first send */
};

enum invoke_type { INVOKE_SYNC, INVOKE_ASYNC };

/* PutRecords batching of a stream producer (§3.4). */
struct put_batch_cfg {
	struct schema_head head;
	int64_t records;          /* most records per PutRecords */
	double bytes;             /* most bytes per PutRecords, keys included */
	sim_time linger;          /* how long a record may wait for the batch to fill */
};

/* ExplicitHashKey (§3.1): none (MD5 of the partition key), random, or balanced over the shards. */
enum explicit_hash { HASH_MD5, HASH_RANDOM, HASH_BALANCED };

/* Where a stream producer's partition keys come from. */
struct key_source {
	bool column;              /* from a column of the trace (arrival_spec.key_column) */
	struct key_spec spec;     /* else drawn from this distribution */
};

struct producer_cfg {
	struct schema_head head;
	const char *target;
	int invoke;               /* enum invoke_type, for function targets */
	struct retry_cfg retry;
	const char *arrivals;
	struct arrival_spec arr;  /* parsed from `arrivals` */
	struct vec schedule;      /* struct rate_change_cfg, in time order */
	struct bursts_cfg bursts;
	struct message_cfg message;
	const char *partition_key;  /* stream targets: a key distribution or column(NAME) */
	int explicit_hash_key;      /* enum explicit_hash: what picks the shard instead of MD5 */
	struct key_source keys;     /* parsed from partition_key */
	struct key_source groups;   /* parsed from message.group */
	struct duplicates_cfg duplicates;
	struct put_batch_cfg batch;
	sim_time start, stop;     /* stop SIM_TIME_UNSET = end of run */
	int64_t messages;         /* INT64_MIN = no limit */
};

extern const struct schema producer_schema;
extern const struct metric_family producer_metric_family;
extern const struct stat_family producer_stat_family;

struct producer;

struct producer_counters {
	uint64_t produced, sent, rejected, gave_up, attempts, throttled, retries;
	uint64_t resent;          /* repeated sends (duplicates:) made */
	uint64_t deduplicated;    /* sends a FIFO queue accepted as duplicates (in sent) */
};

/* Frees the parsed arrival spec inside cfg (call before schema_release). */
void producer_cfg_release(struct producer_cfg *cfg);

/* The target: exactly one of queue, fn, stream and topic. */
struct producer_target {
	struct sqs_queue *queue;
	struct lambda_fn *fn;
	struct kinesis_stream *stream;
	struct sns_topic *topic;
	struct sqs_env *env;      /* the queues' shared state (numbers MessageGroupIds) */
};

struct producer *producer_create(struct sim *sim, const char *name, const struct producer_cfg *cfg,
				 struct producer_target t, struct rng_set *rngs);
/*
 * Schedules the first arrival. Returns 0, or -1 with a message in err when
 * the trace file cannot be read.
 */
int producer_start(struct producer *p, char *err, size_t errlen);
void producer_destroy(struct producer *p);
void producer_register_metrics(struct producer *p, struct metrics *m);
const struct producer_counters *producer_counters(const struct producer *p);
/* The name of its target (a queue, a function, a stream or a topic). */
const char *producer_target(const struct producer *p);
void producer_end_warmup(struct producer *p);
void producer_summarize(const struct producer *p, struct summary *s);
/* produced + resent = sent + rejected + gave up + waiting; true when it balances. */
bool producer_ledger(const struct producer *p);
/* Counters since the end of the warm-up. */
struct producer_counters producer_since_warmup(const struct producer *p);

#endif

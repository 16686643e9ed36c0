/*
 * sns.h - Amazon SNS topics: fan-out, subscription filters and the
 * AWS-managed delivery retry policy (aws-behaviour §7.1, §7.2), and FIFO
 * topics (§7.3).
 *
 * A publish is one message. It is offered to every subscription of the
 * topic: a subscription whose filter does not match counts it as filtered
 * out; one that matches makes one delivery. A delivery to an SQS endpoint is
 * a send to the queue; to a Lambda endpoint an asynchronous invoke, after
 * which Lambda's own retries and destinations apply (§4.4, §9): SNS counts
 * the delivery done once Lambda has accepted the event.
 *
 * While a subscription's endpoint is in a scheduled outage, each attempt
 * fails with a server-side error and is retried along the AWS-managed policy
 * (3 immediate retries, 2 one second apart, 10 with exponential backoff from
 * 1 s to 20 s, then 100,000 at 20 s, each delay jittered). A client-side
 * error (the endpoint refuses the message's size) is not retried. A message
 * whose last attempt failed goes to the subscription's dead-letter queue, if
 * it has one, else it is dropped.
 *
 * A FIFO topic (its name ends in `.fifo`, §7.3) delivers only to SQS
 * queues. Each publish has a message group and a deduplication id; a
 * publish whose id the topic saw within 5 minutes is accepted and dropped,
 * and publishes above the topic's throughput are throttled. Each
 * subscription keeps the publish order: while a delivery waits for a retry,
 * the later ones wait behind it, so an outage delays but never reorders.
 *
 * Ledgers, at every instant, per subscription:
 *   matched = delivered + sent to the DLQ + dropped + pending
 * and per topic, for every subscription:
 *   published = matched + filtered out
 */
#ifndef WEIR_SNS_H
#define WEIR_SNS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "weir/hist.h"
#include "weir/lambda.h"
#include "weir/level.h"
#include "weir/metrics.h"
#include "weir/rng.h"
#include "weir/schema.h"
#include "weir/sqs.h"
#include "weir/summary.h"

/* ---- the AWS-managed delivery retry policy (aws-behaviour §7.2) ------------- */

#define SNS_RETRY_IMMEDIATE 3                 /* retries with no delay */
#define SNS_RETRY_PRE_BACKOFF 2               /* retries 1 s apart */
#define SNS_PRE_BACKOFF_DELAY SIM_SEC
#define SNS_RETRY_BACKOFF 10                  /* retries with exponential backoff ... */
#define SNS_BACKOFF_MIN SIM_SEC               /* ... from 1 s ... */
#define SNS_BACKOFF_MAX (20 * SIM_SEC)        /* ... to 20 s */
#define SNS_RETRY_POST_BACKOFF 100000         /* retries 20 s apart */
#define SNS_POST_BACKOFF_DELAY (20 * SIM_SEC)
/* Every retry of the policy: 100,015, over about 23 days (§7.2). */
#define SNS_RETRIES_TOTAL (SNS_RETRY_IMMEDIATE + SNS_RETRY_PRE_BACKOFF + SNS_RETRY_BACKOFF + SNS_RETRY_POST_BACKOFF)
/*
 * SNS adds jitter to every retry delay but does not say how much (§7.2).
 * Model parameter: each non-zero delay is multiplied by 1 + j * U(-1, 1),
 * j = the topic's retry_jitter (default 0.1, i.e. +-10%).
 */
#define SNS_RETRY_JITTER_DEFAULT "0.1"

/* ---- sizes --------------------------------------------------------------- */

/*
 * Largest message a standard topic accepts: 256 KiB. The rule book does not
 * give SNS's limit; this is SNS's long-standing publish limit and the same
 * as SQS's default (§1.8). Model parameter.
 */
#define SNS_MESSAGE_SIZE_MAX 262144.0
#define SNS_TOPIC_NAME_MAX 256                  /* characters in a topic name (CreateTopic) */
/*
 * Bytes the JSON envelope adds to a delivery that is not raw (Type,
 * MessageId, TopicArn, Timestamp, Signature, SigningCertURL, ...; §7.1 says
 * only "raw or JSON-wrapped"). Model parameter, about the size of a real
 * envelope around a short message. Lambda always gets the envelope.
 */
#define SNS_JSON_OVERHEAD_BYTES 1024.0

/*
 * Most message attributes a producer draws per message: an SQS subscriber
 * takes at most 10 per message (§1.8), so weir caps them there.
 */
#define SNS_MESSAGE_ATTRIBUTES_MAX 10

/* FIFO topics (§7.3). */
#define SNS_FIFO_DEDUP_INTERVAL (5 * SIM_MIN)        /* deduplication interval */
#define SNS_FIFO_TOPIC_MSGS_PER_SEC 3000             /* topic scope: messages per second per topic */
#define SNS_FIFO_TOPIC_BYTES_PER_SEC 20000000.0      /* topic scope: 20 MB per second per topic */

/* ---- configuration (filled by the scenario schema) ---------------------- */

struct sns_outage_cfg {
	struct schema_head head;
	sim_time at;
	sim_time length;                 /* `for` */
};

struct sns_attr_filter_cfg {
	struct schema_head head;
	const char *name;
	const char *equals;
};

struct sns_filter_cfg {
	struct schema_head head;
	double fraction;                 /* NAN: not a fraction filter */
	struct sns_attr_filter_cfg attribute;   /* name NULL: not an attribute filter */
};

struct sns_sub_cfg {
	struct schema_head head;
	const char *name;                /* NULL until resolved: the endpoint's name */
	const char *endpoint;            /* a queue or a function */
	struct sns_filter_cfg filter;    /* head.node NULL: every message matches */
	const char *dead_letter;         /* a queue, or NULL */
	struct vec outages;              /* struct sns_outage_cfg, in time order */
	bool raw;                        /* raw message delivery (SQS endpoints) */
};

struct sns_topic_cfg {
	struct schema_head head;
	struct vec subscriptions;        /* struct sns_sub_cfg */
	double retry_jitter;
	bool fifo;                       /* FIFO topic (§7.3) */
	bool content_based_deduplication;
	int fifo_throughput_scope;       /* enum sns_fifo_scope */
};

enum sns_fifo_scope { SNS_SCOPE_TOPIC, SNS_SCOPE_MESSAGE_GROUP };

extern const struct schema sns_topic_schema;
extern const struct metric_family sns_topic_metric_family;
extern const struct metric_family sns_sub_metric_family;
extern const struct stat_family sns_topic_stat_family;
extern const struct stat_family sns_sub_stat_family;

/* ---- runtime ------------------------------------------------------------- */

/* A message attribute the producer drew (pointers into the configuration). */
struct sns_attr {
	const char *name, *value;
};

struct sns_publish {
	uint32_t size;                   /* bytes of the message */
	bool poison;                     /* every consumer fails on it */
	const struct sns_attr *attrs;
	unsigned nattrs;
	const char *sender;
	uint32_t group;                  /* FIFO: message group (as struct sqs_send) */
	uint64_t dedup;                  /* FIFO: deduplication id */
	sim_time born_at;                /* SIM_TIME_UNSET = now */
};

enum sns_status { SNS_OK, SNS_TOO_LARGE, SNS_THROTTLED, SNS_DEDUPLICATED };

struct sns_topic_counters {
	uint64_t published, published_bytes, too_large;
	uint64_t deduplicated, throttled;   /* FIFO (§7.3) */
};

/* Counters of one subscription, all since the start of the run. */
struct sns_sub_counters {
	uint64_t matched, filtered_out, delivered, failed_attempts, retries;
	uint64_t client_errors, to_dlq, dropped;
};

struct sns_topic;
struct sns_sub;

/* Endpoints of one subscription: exactly one of queue and fn; dlq may be NULL. */
struct sns_endpoint {
	struct sqs_queue *queue;
	struct lambda_fn *fn;
	struct sqs_queue *dlq;
};

struct sns_topic *sns_create(struct sim *sim, const char *name, const struct sns_topic_cfg *cfg,
			     struct rng_set *rngs);
/* Links subscription i (in the configuration's order) to its endpoints. */
void sns_set_endpoint(struct sns_topic *t, size_t i, struct sns_endpoint e);
void sns_destroy(struct sns_topic *t);

/*
 * Publishes one message: SNS_OK; SNS_TOO_LARGE (over 256 KiB, refused); on
 * a FIFO topic SNS_THROTTLED (over its throughput, refused: the caller may
 * retry) or SNS_DEDUPLICATED (accepted, a duplicate: not delivered).
 */
enum sns_status sns_publish(struct sns_topic *t, const struct sns_publish *m);
bool sns_fifo(const struct sns_topic *t);

/*
 * The policy's delay before retry number `retry` (1 = the first retry),
 * without jitter, or -1 when the policy has no such retry (§7.2).
 */
sim_time sns_retry_delay(uint64_t retry);

const char *sns_name(const struct sns_topic *t);
const struct sns_topic_counters *sns_counters(const struct sns_topic *t);
size_t sns_sub_count(const struct sns_topic *t);
struct sns_sub *sns_sub_at(struct sns_topic *t, size_t i);
/* TOPIC.SUBSCRIPTION: the resource name of its metrics and summary rows. */
const char *sns_sub_name(const struct sns_sub *s);
const struct sns_sub_counters *sns_sub_counters(const struct sns_sub *s);
/* Deliveries waiting for a retry. */
uint64_t sns_sub_pending(const struct sns_sub *s);
/* Queue endpoint, or NULL. */
struct sqs_queue *sns_sub_queue(const struct sns_sub *s);

/* Sends into queues so far (deliveries and dead-letter sends): for the flows between resources. */
uint64_t sns_queue_sends(const struct sns_topic *t);

/*
 * A hook for tests: called at every delivery attempt of every subscription
 * with the attempt's number (1 = the first), whether it failed, the time
 * the message was published and now. NULL (the default) for none.
 */
typedef void sns_attempt_fn(void *ctx, const struct sns_sub *s, uint64_t attempt, bool failed,
			    sim_time published_at, sim_time now);
void sns_set_attempt_hook(struct sns_topic *t, sns_attempt_fn *fn, void *ctx);

void sns_register_metrics(struct sns_topic *t, struct metrics *m);
void sns_end_warmup(struct sns_topic *t);
void sns_summarize(const struct sns_topic *t, struct summary *s);
/* Both ledgers; prints those that do not balance to err. */
bool sns_ledger(const struct sns_topic *t, FILE *err);

#endif

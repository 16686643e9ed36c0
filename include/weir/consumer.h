/*
 * consumer.h - worker pools polling a queue (the EC2/ECS worker case).
 *
 * Each worker loops: receive up to batch_size messages (long or short poll),
 * process them one after another (processing time drawn per message), delete
 * each one that succeeds, and poll again. A message fails with probability
 * failure_rate, and always when it is poison; a failed message is left to
 * reappear after its visibility timeout, or released at once (visibility 0).
 * An optional heartbeat extends the visibility of the batch's unfinished
 * messages while the worker is busy. The number of workers can change over
 * time; a worker told to stop finishes its batch first.
 *
 * A consumer whose source is a Kinesis stream is a consumer application
 * instead (kconsumer.h): one worker per shard, and its own keys (fan_out,
 * poll_interval, max_records, propagation); consumer_resolve sets the
 * defaults of the source's kind and refuses the keys of the other.
 */
#ifndef WEIR_CONSUMER_H
#define WEIR_CONSUMER_H

#include <stdint.h>

#include "weir/dist.h"
#include "weir/metrics.h"
#include "weir/rng.h"
#include "weir/schema.h"
#include "weir/sqs.h"

#define CONSUMER_WORKERS_MAX 100000

struct heartbeat_cfg {
	struct schema_head head;
	sim_time every;           /* SIM_TIME_UNSET = no heartbeat */
	sim_time extend_to;       /* new visibility timeout at each beat */
};

struct scale_cfg {
	struct schema_head head;
	sim_time at;
	int64_t workers;
};

enum consumer_on_failure { ON_FAILURE_LEAVE, ON_FAILURE_RELEASE };

struct consumer_cfg {
	struct schema_head head;
	const char *source;
	int64_t workers;
	int64_t batch_size;
	sim_time receive_wait;        /* SIM_TIME_UNSET = the queue's */
	sim_time visibility_timeout;  /* SIM_TIME_UNSET = the queue's */
	struct dist processing;
	double failure_rate;
	bool fail_on_poison;
	int on_failure;               /* enum consumer_on_failure */
	struct heartbeat_cfg heartbeat;
	struct vec schedule;          /* struct scale_cfg, in time order */
	struct dist idle_backoff;
	/* stream sources only (kconsumer.h) */
	bool fan_out;                 /* enhanced fan-out (SubscribeToShard) rather than GetRecords */
	sim_time poll_interval;       /* shared throughput: between GetRecords calls; unset until resolved */
	int64_t max_records;          /* shared throughput: records per GetRecords; unset until resolved */
	struct dist propagation;      /* fan-out: arrival to push, per record */
};

extern const struct schema consumer_schema;

/*
 * Once the kind of the source is known (stream: a Kinesis stream, else a
 * queue): sets that kind's defaults and reports, as errors in ctx, the keys
 * the text sets that apply to the other kind only.
 */
void consumer_resolve(struct consumer_cfg *c, bool stream, struct schema_ctx *ctx);
extern const struct metric_family consumer_metric_family;
extern const struct stat_family consumer_stat_family;

struct consumer_counters {
	uint64_t received, succeeded, failed, duplicates, receives, empty_receives;
	uint64_t heartbeats, heartbeat_errors;
	uint64_t skipped;          /* FIFO: given back unprocessed behind a failed message of their group */
};

struct consumer;

struct consumer *consumer_create(struct sim *sim, const char *name, const struct consumer_cfg *cfg,
				 struct sqs_queue *source, struct rng_set *rngs);
void consumer_start(struct consumer *c);
void consumer_destroy(struct consumer *c);
void consumer_register_metrics(struct consumer *c, struct metrics *m);
void consumer_end_warmup(struct consumer *c);

struct consumer_stats {
	struct consumer_counters since_warmup;
	double mean_busy;          /* time-average busy workers */
	double mean_workers;       /* time-average workers */
	uint64_t holding;          /* messages held by workers now (received, not finished) */
};
void consumer_stats(const struct consumer *c, struct consumer_stats *out);
const struct consumer_counters *consumer_counters(const struct consumer *c);
void consumer_summarize(const struct consumer *c, struct summary *s);
/* received = succeeded + failed + skipped + holding; true when it balances. */
bool consumer_ledger(const struct consumer *c);

#endif

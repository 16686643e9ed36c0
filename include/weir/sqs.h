/*
 * sqs.h - Amazon SQS standard and FIFO queues (rule book: aws-behaviour
 * §1, §2).
 *
 * A message is in exactly one state: DELAYED (queue delay or message timer),
 * VISIBLE (can be received), IN_FLIGHT (received, visibility timer running)
 * or GONE (deleted, expired, purged or moved out by a move task; its memory
 * is recycled once no consumer holds a receipt for it). Every queue keeps a
 * ledger that balances at every instant:
 *
 *   sent + moved_in = deleted + moved_to_dlq + expired + purged + redriven
 *                     + visible + in_flight + delayed
 *
 * A FIFO queue counts the sends it accepts and drops as duplicates (§2.2)
 * apart, as `deduplicated`: they are never stored. Consumers hold
 * messages through receipts. A receipt names one receive of
 * one message; a later receive (or a move to the dead-letter queue) makes it
 * stale, and a stale receipt deletes nothing (§1.7).
 */
#ifndef WEIR_SQS_H
#define WEIR_SQS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "weir/hist.h"
#include "weir/level.h"
#include "weir/metrics.h"
#include "weir/pool.h"
#include "weir/schema.h"
#include "weir/sim.h"
#include "weir/summary.h"
#include "weir/trace.h"

/* ---- limits from the rule book ------------------------------------------ */

#define SQS_VISIBILITY_TIMEOUT_DEFAULT (30 * SIM_SEC) /* VisibilityTimeout default; §1.4 */
#define SQS_VISIBILITY_TIMEOUT_MAX (12 * SIM_HOUR)    /* 43,200 s; §1.4 */
#define SQS_VISIBILITY_CEILING (12 * SIM_HOUR)        /* total invisibility from a receive; §1.4 */
#define SQS_DELAY_MAX (15 * SIM_MIN)                  /* DelaySeconds 0..900 s; §1.6 */
#define SQS_WAIT_TIME_MAX (20 * SIM_SEC)              /* WaitTimeSeconds 0..20 s; §1.3 */
#define SQS_RETENTION_MIN (60 * SIM_SEC)              /* MessageRetentionPeriod; §1.8 */
#define SQS_RETENTION_MAX (14 * SIM_DAY)
#define SQS_RETENTION_DEFAULT (4 * SIM_DAY)
#define SQS_RECEIVE_MAX 10                            /* MaxNumberOfMessages 1..10; §1.3 */
#define SQS_SEND_BATCH_MAX 10                         /* SendMessageBatch entries; §1.8 */
/*
 * Most bytes in one SendMessageBatch: the sum of its messages may not exceed
 * the largest message (256 KiB until 2025, 1 MiB since); §1.8 gives the
 * message limit, not the batch's, so this is a model parameter.
 */
#define SQS_SEND_BATCH_BYTES_MAX SQS_MESSAGE_SIZE_MAX
#define SQS_MESSAGE_SIZE_MIN 1024.0                   /* MaximumMessageSize bytes; §1.8 */
#define SQS_MESSAGE_SIZE_MAX 1048576.0                /* 1 MiB; §1.8 */
#define SQS_MESSAGE_SIZE_DEFAULT 262144.0             /* 256 KiB; §1.8 */
#define SQS_IN_FLIGHT_LIMIT 120000                    /* standard queue, approximate; §1.5 */
#define SQS_MAX_RECEIVE_COUNT_MAX 1000                /* console/CloudFormation bound on maxReceiveCount */
/* A message received this many times leaves ApproximateAgeOfOldestMessage; §1.11. */
#define SQS_AGE_METRIC_RECEIVE_CUTOFF 3
#define SQS_PURGE_INTERVAL_MIN (60 * SIM_SEC)          /* PurgeQueueInProgress within 60 s; §1.9 */
#define SQS_MOVE_RATE_MAX 500                         /* MaxNumberOfMessagesPerSecond; §1.10 */
#define SQS_MOVE_TASK_DURATION_MAX (36 * SIM_HOUR)    /* a move task runs at most 36 h; §1.10 */
/*
 * Rate of a move task with no MaxNumberOfMessagesPerSecond ("system
 * optimised"): AWS publishes no figure (§1.10), so weir uses the largest
 * settable rate. Model parameter, not an AWS number.
 */
#define SQS_MOVE_RATE_DEFAULT 500.0
#define SQS_MOVE_BATCH 10                             /* moves use 10-message batch calls; §1.10 */

/* FIFO queues (§2). */
#define SQS_FIFO_SUFFIX ".fifo"                       /* a FIFO queue's name ends so; §2 */
#define SQS_FIFO_DEDUP_INTERVAL (5 * SIM_MIN)         /* deduplication interval; §2.2 */
#define SQS_FIFO_SCAN_WINDOW 120000                   /* messages scanned for available groups; §2.1 */
#define SQS_FIFO_TPS_DEFAULT 300                      /* transactions/s per action, normal mode; §2.3 */
#define SQS_FIFO_PARTITION_TPS 300                    /* transactions/s per action per partition, high throughput; §2.3 */
/*
 * Per-queue ceiling in high-throughput mode, transactions/s per action:
 * 18,000 in the largest Regions since Oct 2023 (70,000 in selected
 * Regions since Nov 2023); the current per-Region table is unconfirmed
 * (§2.3), so it is the parameter high_throughput_tps.
 */
#define SQS_FIFO_HT_TPS_DEFAULT 18000
#define SQS_FIFO_HT_TPS_MAX 70000
#define SQS_FIFO_GROUP_ID_MAX 128                     /* MessageGroupId characters; §2.1 */
/*
 * Short polling samples a subset of the queue's servers (§1.3). weir models
 * this as each visible message being found with probability
 * short_poll_sample; with at least SQS_SHORT_POLL_FULL visible messages a
 * short poll finds as many as it asks for.
 */
#define SQS_SHORT_POLL_SAMPLE_DEFAULT "0.5"
#define SQS_SHORT_POLL_FULL 1000

/* ---- configuration (filled by the scenario schema) ------------------------ */

struct sqs_redrive_cfg {
	struct schema_head head;
	const char *dead_letter;        /* name of the dead-letter queue, NULL = no policy */
	int64_t max_receive_count;
};

struct sqs_purge_cfg {
	struct schema_head head;
	sim_time at;
};

struct sqs_move_task_cfg {
	struct schema_head head;
	sim_time at;
	const char *destination;        /* NULL = each message's source queue */
	int64_t max_number_of_messages_per_second; /* INT64_MIN = system optimised */
};

struct sqs_queue_cfg {
	struct schema_head head;
	sim_time visibility_timeout;
	sim_time delay;
	sim_time receive_wait;
	sim_time retention;
	double maximum_message_size;
	struct sqs_redrive_cfg redrive;
	struct vec purges;              /* struct sqs_purge_cfg */
	struct vec move_tasks;          /* struct sqs_move_task_cfg */
	int64_t in_flight_limit;
	double short_poll_sample;
	double duplicate_delivery;
	/* FIFO (§2) */
	bool fifo;
	bool content_based_deduplication;
	int deduplication_scope;        /* enum sqs_dedup_scope */
	int fifo_throughput_limit;      /* enum sqs_fifo_limit */
	int64_t transactions_per_second;   /* normal mode, per action */
	int64_t high_throughput_tps;       /* high-throughput mode ceiling, per action */
};

enum sqs_dedup_scope { SQS_DEDUP_QUEUE, SQS_DEDUP_GROUP };
enum sqs_fifo_limit { SQS_LIMIT_PER_QUEUE, SQS_LIMIT_PER_GROUP };

/* Whether a queue's (or an SNS topic's) name ends in SQS_FIFO_SUFFIX, the mark of FIFO. */
static inline bool sqs_fifo_name(const char *s)
{
	size_t n = strlen(s), k = sizeof(SQS_FIFO_SUFFIX) - 1;

	return n > k && strcmp(s + n - k, SQS_FIFO_SUFFIX) == 0;
}

/*
 * The FIFO mark of a queue's or topic's configuration obj (kind "queue" or
 * "topic", rule its section): *fifo follows the name's `.fifo` unless the
 * `fifo` key is written, and must agree with it; the keys only a FIFO one
 * takes (fifo_only, NULL-terminated) are errors on a standard one.
 */
void sqs_fifo_resolve(void *obj, bool *fifo, const char *kind, const char *rule,
		      const char *const *fifo_only, struct schema_ctx *ctx);

/*
 * The key a FIFO queue or topic deduplicates by: the deduplication id, or
 * with message-group scope the id within its group, so that the same id in
 * two groups is two messages (§2.2, §7.3).
 */
static inline uint64_t sqs_dedup_key(uint64_t dedup, uint32_t group, bool by_group)
{
	return by_group ? weir_mix64(dedup ^ ((uint64_t)group << 32 | group)) : dedup;
}

/* High-throughput mode: both attributes set so (§2.3). */
static inline bool sqs_cfg_high_throughput(const struct sqs_queue_cfg *c)
{
	return c->fifo && c->deduplication_scope == SQS_DEDUP_GROUP &&
	       c->fifo_throughput_limit == SQS_LIMIT_PER_GROUP;
}

extern const struct schema sqs_queue_schema;
extern const struct metric_family sqs_metric_family;
extern const struct stat_family sqs_stat_family;

/* ---- runtime ----------------------------------------------------------- */

enum sqs_status {
	SQS_OK = 0,
	SQS_STALE,          /* delete/change with a receipt that is not the latest: no effect */
	SQS_LOST_DELETE,    /* delete accepted, but a stored copy survived (at-least-once) */
	SQS_OVER_LIMIT,     /* short-poll receive at the in-flight limit (OverLimit) */
	SQS_TOO_LARGE,      /* send larger than MaximumMessageSize */
	SQS_NOT_IN_FLIGHT,  /* change visibility of a message not in flight */
	SQS_CEILING,        /* change visibility past 12 h from the receive */
	SQS_THROTTLED,      /* FIFO: over the transactions per second of the action (§2.3) */
	SQS_DEDUPLICATED    /* FIFO: accepted, but a duplicate within 5 minutes, not stored (§2.2) */
};

enum sqs_msg_flags {
	SQS_MSG_POISON = 1 << 0,  /* every consumer fails on it */
	SQS_MSG_TRACED = 1 << 1   /* its lifecycle goes to the trace (set by the queue) */
};

struct sqs_queue;

struct sqs_link {
	struct sqs_msg *prev, *next;
};

struct sqs_msg {
	struct sqs_link links[3];   /* visible queue, age list, expiry list */
	uint64_t id;
	sim_time born_at;           /* first sent by a producer (end-to-end latency) */
	sim_time enq_at;            /* enqueue timestamp that retention counts from */
	union {
		sim_time arrived_at;    /* standard: arrival in the current queue (age metric) */
		uint64_t qseq;          /* FIFO: SequenceNumber in the current queue (its arrival is enq_at) */
	};
	sim_time received_at;       /* last receive (12 h visibility ceiling) */
	sim_event_id timer;         /* delay or visibility timer */
	uint32_t origin;            /* source queue of a dead-lettered message: its number + 1, 0 = none */
	unsigned size : 24;         /* bytes; a stored message has at most 1 MiB */
	unsigned state : 4;         /* enum sqs_msg_state (sqs.c) */
	unsigned flags : 4;         /* enum sqs_msg_flags */
	uint32_t seq;               /* receipt generation: bumped by each receive and move */
	uint32_t refs;              /* receipts held by consumers */
	uint16_t receive_count;     /* ApproximateReceiveCount in the current queue (saturating) */
	uint8_t ok_count;           /* successful processings, saturating */
	uint32_t gidx;              /* FIFO: its group's slot in the current queue */
};

struct sqs_receipt {
	struct sqs_msg *msg;
	uint32_t seq;
};

/* Whether the received message is poison (every consumer fails on it). */
static inline bool sqs_receipt_poison(const struct sqs_receipt *r)
{
	return (r->msg->flags & SQS_MSG_POISON) != 0;
}

/*
 * FIFO: the message group of the received message, as a slot of the queue
 * it is in: equal for two messages of one queue exactly when their groups
 * are (sqs_group_key gives the group's number).
 */
static inline uint32_t sqs_receipt_group(const struct sqs_receipt *r)
{
	return r->msg->gidx;
}

/* Everything the queues of one simulation share. */
struct sqs_env {
	struct sim *sim;
	struct sqs_queue **queues;  /* every queue, by number (a message's origin) */
	size_t nqueues;
	struct pool msgs;           /* struct sqs_msg */
	uint64_t next_id;
	struct trace *trace;        /* NULL = no trace */
	char **group_names;         /* MessageGroupIds read from traces, by number */
	uint32_t *group_index;      /* hash table: name -> number + 1 */
	size_t ngroup_names, group_mask;
};

/*
 * Group numbers: a producer that draws its groups numbers them 0, 1, ...;
 * a MessageGroupId read from a trace gets the number SQS_GROUP_NAMED + the
 * order of its first appearance, shared by every queue of the run.
 */
#define SQS_GROUP_NAMED 0x80000000u

struct sqs_receiver;
/* Called once per receive with rx->n messages (0 = empty receive). */
typedef void sqs_received_fn(struct sqs_receiver *rx, enum sqs_status status);

/*
 * A receive request, owned and embedded by the caller (a worker). Set the
 * public fields, call sqs_receive; `done` is called exactly once, possibly
 * before sqs_receive returns, unless sqs_receive_cancel is called first.
 */
struct sqs_receiver {
	sqs_received_fn *done;
	void *owner;
	const char *who;            /* receiver's name, for the trace */
	unsigned max;               /* 1..SQS_RECEIVE_MAX */
	sim_time wait;              /* WaitTimeSeconds; SIM_TIME_UNSET = the queue's */
	sim_time visibility;        /* VisibilityTimeout; SIM_TIME_UNSET = the queue's */
	unsigned n;                 /* messages received */
	struct sqs_receipt got[SQS_RECEIVE_MAX];
	/* private */
	struct sqs_queue *q;
	sim_event_id timer;
	struct sqs_receiver *prev, *next;
};

struct sqs_send {
	uint32_t size;
	sim_time delay;             /* per-message timer; SIM_TIME_UNSET = the queue's (standard only) */
	unsigned flags;             /* enum sqs_msg_flags */
	sim_time born_at;           /* SIM_TIME_UNSET = now */
	const char *sender;         /* for the trace */
	/*
	 * FIFO: the message group, a number standing for a MessageGroupId
	 * (equal numbers, equal ids), and the deduplication id, explicit or
	 * the hash of the body (§2.2). A queue does not look at them.
	 */
	uint32_t group;
	uint64_t dedup;
	bool internal;              /* a move task's or SNS dead-letter send: never throttled or deduplicated */
};

/* Counters, all since the start of the run (metrics take differences). */
struct sqs_counters {
	uint64_t sent, sent_bytes, received, deleted_calls, empty_receives;
	uint64_t deleted, moved_to_dlq, moved_in, expired, purged, redriven;
	uint64_t stale_deletes, lost_deletes, duplicates, over_limit, too_large;
	uint64_t visibility_changes, visibility_errors;
	uint64_t move_failures;     /* messages a move task could not move */
	/* FIFO (§2) */
	uint64_t deduplicated;      /* sends accepted as duplicates, not stored (§2.2) */
	uint64_t throttled_sends, throttled_receives;   /* ThrottlingException (§2.3) */
	uint64_t out_of_order;      /* processings with an unprocessed earlier message of the group still queued */
	uint64_t late_arrivals;     /* sends stored behind a later-born message of their group */
};

struct sqs_queue *sqs_create(struct sqs_env *env, const char *name,
			     const struct sqs_queue_cfg *cfg, gsl_rng *rng);
/* Links the redrive target (may be the same kind of queue only). */
void sqs_set_dead_letter(struct sqs_queue *q, struct sqs_queue *dlq);
/* Schedules the purges and move tasks; call once before the run. */
void sqs_start(struct sqs_queue *q, struct sqs_queue *(*lookup)(void *ctx, const char *name),
	       void *lookup_ctx);
void sqs_destroy(struct sqs_queue *q);

enum sqs_status sqs_send(struct sqs_queue *q, const struct sqs_send *req);
/*
 * SendMessageBatch (§1.8): 1..SQS_SEND_BATCH_MAX messages in one call. A
 * FIFO queue counts the call once against its throughput (in
 * high-throughput mode once per partition the batch touches, §2.3):
 * SQS_THROTTLED refuses every entry. Otherwise SQS_OK, and each entry's
 * own answer (SQS_OK, SQS_TOO_LARGE, SQS_DEDUPLICATED) is in st[i].
 */
enum sqs_status sqs_send_batch(struct sqs_queue *q, const struct sqs_send *reqs, unsigned n,
			       enum sqs_status *st);
/* Starts a receive; see struct sqs_receiver. */
void sqs_receive(struct sqs_queue *q, struct sqs_receiver *rx);
/* Withdraws a waiting long-poll receive; its callback will not run. */
void sqs_receive_cancel(struct sqs_receiver *rx);
enum sqs_status sqs_delete(struct sqs_queue *q, const struct sqs_receipt *r);
enum sqs_status sqs_change_visibility(struct sqs_queue *q, const struct sqs_receipt *r,
				      sim_time timeout);
/*
 * Records that a consumer finished processing the message successfully.
 * Returns true if it had been processed successfully before (a duplicate).
 */
bool sqs_processed(struct sqs_queue *q, const struct sqs_receipt *r);
/* Notes what a consumer did with a received message in the trace, if traced. */
void sqs_trace_receipt(const struct sqs_queue *q, const struct sqs_receipt *r, const char *event,
		       const char *detail);
/* Gives a receipt back; every received receipt must be released once. */
void sqs_release(struct sqs_queue *q, struct sqs_receipt *r);

/* Purges now (PurgeQueue, §1.9). */
void sqs_purge(struct sqs_queue *q);

const char *sqs_name(const struct sqs_queue *q);
bool sqs_fifo(const struct sqs_queue *q);
/* The group number of a MessageGroupId read from a trace (see SQS_GROUP_NAMED). */
uint32_t sqs_group_named(struct sqs_env *env, const char *id);
/* FIFO: the group number (struct sqs_send.group) of a message of q received with the current receipt r. */
uint32_t sqs_group_key(const struct sqs_queue *q, const struct sqs_receipt *r);
/* Whether r is the message's latest receipt and the message is still stored (it may be in another queue). */
bool sqs_receipt_current(const struct sqs_receipt *r);
const struct sqs_queue_cfg *sqs_config(const struct sqs_queue *q);
const struct sqs_counters *sqs_counters(const struct sqs_queue *q);
uint64_t sqs_visible(const struct sqs_queue *q);
uint64_t sqs_in_flight(const struct sqs_queue *q);
uint64_t sqs_delayed(const struct sqs_queue *q);
/* Move tasks refused because another was still running (§1.10). */
uint64_t sqs_move_tasks_rejected(const struct sqs_queue *q);
/* ApproximateAgeOfOldestMessage in seconds (0 when none qualifies). */
double sqs_oldest_age(const struct sqs_queue *q);

/*
 * FIFO message groups (§2.1): groups with a visible or in-flight message
 * (active), with an in-flight message, and stalled: holding visible
 * messages while locked by an in-flight one. Stall seconds add up every
 * group's stalled time.
 */
struct sqs_group_stats {
	uint64_t groups;            /* groups seen */
	uint64_t active, with_in_flight, stalled;   /* now */
	double stall_seconds;       /* since the warm-up, all groups */
	double mean_active;         /* time-average active groups since the warm-up (NAN: no time) */
	double max_group_stall;     /* the most any one group stalled, whole run */
	uint32_t max_stall_group;   /* that group's number */
};
void sqs_group_stats(const struct sqs_queue *q, struct sqs_group_stats *out);
/* FIFO: the group counts as levels, for time averages; false on a standard queue. */
struct sqs_group_levels {
	const struct level *active, *with_in_flight, *stalled;
};
bool sqs_group_levels(const struct sqs_queue *q, struct sqs_group_levels *out);

/* The histograms that collect one metrics period's values. */
enum sqs_hist_kind { SQS_HIST_LATENCY, SQS_HIST_WAIT };
struct hist *sqs_period_hist(struct sqs_queue *q, enum sqs_hist_kind which);

/* Registers the queue's time series. */
void sqs_register_metrics(struct sqs_queue *q, struct metrics *m);
/* Marks the end of the warm-up: statistics restart from here. */
void sqs_end_warmup(struct sqs_queue *q);

/* Post-warm-up statistics for the summary. */
struct sqs_stats {
	const struct hist *latency;     /* sent -> deleted, us */
	const struct hist *wait;        /* arrival in the queue -> first receive, us */
	double mean_visible, mean_in_flight;  /* time averages */
	uint64_t max_visible;
	struct sqs_counters since_warmup;
	double measured_seconds;
};
void sqs_stats(const struct sqs_queue *q, struct sqs_stats *out);

/* Adds the queue's summary statistics (sqs_stat_family) to s. */
void sqs_summarize(const struct sqs_queue *q, struct summary *s);

/* The ledger; returns true when it balances. */
struct sqs_ledger {
	uint64_t sent, moved_in, deduplicated;
	uint64_t deleted, moved_to_dlq, expired, purged, redriven;
	uint64_t visible, in_flight, delayed;
};
bool sqs_ledger(const struct sqs_queue *q, struct sqs_ledger *out);

/* Frees the shared message pool and the like. */
void sqs_env_init(struct sqs_env *env, struct sim *sim, struct trace *trace);
void sqs_env_release(struct sqs_env *env);

#endif

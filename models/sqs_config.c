/*
 * sqs_config.c - the queue section of a scenario and the queue's metrics.
 *
 * Every key is named after the SQS attribute it models (snake_case) and
 * bounded by AWS's documented limits (aws-behaviour §1). Keys marked "model
 * parameter" describe behaviour AWS documents only loosely; their defaults
 * are weir's choice, stated in docs/fidelity.md.
 */
#include "weir/sqs.h"

#include <ctype.h>
#include <stddef.h>
#include <math.h>
#include <string.h>

#define QF(field) .offset = offsetof(struct sqs_queue_cfg, field)

static const char *const dedup_scope_names[] = { "queue", "message_group", NULL };
static const char *const fifo_limit_names[] = { "per_queue", "per_message_group_id", NULL };

static const struct schema_field redrive_fields[] = {
	{ .key = "dead_letter", .type = ST_NAME, .offset = offsetof(struct sqs_redrive_cfg, dead_letter),
	  .rule = "§1.10",
	  .help = "Queue that receives messages after max_receive_count receives (deadLetterTargetArn): of the same type (standard or FIFO), not this one." },
	{ .key = "max_receive_count", .type = ST_INT,
	  .offset = offsetof(struct sqs_redrive_cfg, max_receive_count), .dflt = "10",
	  .flags = SF_RANGE, .min = 1, .max = SQS_MAX_RECEIVE_COUNT_MAX, .rule = "§1.10",
	  .help = "Receives without a delete before the next receive moves the message to the dead-letter queue (maxReceiveCount)." },
	{ 0 }
};

static void redrive_check(void *obj, struct schema_ctx *ctx)
{
	struct sqs_redrive_cfg *r = obj;

	if (!r->dead_letter && r->head.node)
		schema_error(ctx, r->head.node, "a redrive policy needs 'dead_letter': the queue that receives failed messages");
}

static const struct schema redrive_schema = {
	.name = "redrive policy",
	.size = sizeof(struct sqs_redrive_cfg),
	.fields = redrive_fields,
	.check = redrive_check,
	.help = "The queue's RedrivePolicy: after `max_receive_count` receives without a delete, the next receive moves a message to `dead_letter` instead of returning it (aws-behaviour §1.10).",
};

static const struct schema_field purge_fields[] = {
	{ .key = "at", .type = ST_DURATION, .offset = offsetof(struct sqs_purge_cfg, at),
	  .flags = SF_REQUIRED | SF_MIN, .min = 0, .rule = "§1.9",
	  .help = "Simulated time of the PurgeQueue call." },
	{ 0 }
};

static const struct schema purge_schema = {
	.name = "purge",
	.size = sizeof(struct sqs_purge_cfg),
	.fields = purge_fields,
	.shorthand = "at",
	.help = "A PurgeQueue call: every message in the queue, in flight and delayed ones included, is deleted (aws-behaviour §1.9). Purges of one queue must be at least 60 s apart.",
};

static const struct schema_field move_fields[] = {
	{ .key = "at", .type = ST_DURATION, .offset = offsetof(struct sqs_move_task_cfg, at),
	  .flags = SF_REQUIRED | SF_MIN, .min = 0, .rule = "§1.10",
	  .help = "Simulated time of the StartMessageMoveTask call." },
	{ .key = "destination", .type = ST_NAME, .offset = offsetof(struct sqs_move_task_cfg, destination),
	  .rule = "§1.10",
	  .help = "Queue to move messages to (DestinationArn); unset sends each message back to the queue it was dead-lettered from." },
	{ .key = "max_number_of_messages_per_second", .type = ST_INT,
	  .offset = offsetof(struct sqs_move_task_cfg, max_number_of_messages_per_second),
	  .flags = SF_RANGE, .min = 1, .max = SQS_MOVE_RATE_MAX, .rule = "§1.10",
	  .help = "Move rate (MaxNumberOfMessagesPerSecond); unset is AWS's system-optimised rate, modelled as 500/s." },
	{ 0 }
};

static const struct schema move_schema = {
	.name = "move task",
	.size = sizeof(struct sqs_move_task_cfg),
	.fields = move_fields,
	.help = "A dead-letter queue redrive (StartMessageMoveTask, aws-behaviour §1.10): moves the messages present when it starts, in batches of 10 at the given rate, as new messages (new id, new enqueue time, receive count 0). One task runs at a time per queue; a task started while another runs is refused; a task stops after 36 h.",
};

static const struct schema_field queue_fields[] = {
	{ .key = "visibility_timeout", .type = ST_DURATION, QF(visibility_timeout), .dflt = "30s",
	  .flags = SF_RANGE, .min = 0, .max = (double)SQS_VISIBILITY_TIMEOUT_MAX, .rule = "§1.4",
	  .help = "How long a received message stays invisible unless deleted (VisibilityTimeout)." },
	{ .key = "delay", .type = ST_DURATION, QF(delay), .dflt = "0s",
	  .flags = SF_RANGE, .min = 0, .max = (double)SQS_DELAY_MAX, .rule = "§1.6",
	  .help = "How long a new message stays invisible before its first receive (DelaySeconds)." },
	{ .key = "receive_wait", .type = ST_DURATION, QF(receive_wait), .dflt = "0s",
	  .flags = SF_RANGE, .min = 0, .max = (double)SQS_WAIT_TIME_MAX, .rule = "§1.3",
	  .help = "Long-poll wait of receives that do not set their own (ReceiveMessageWaitTimeSeconds); 0 is short polling." },
	{ .key = "retention", .type = ST_DURATION, QF(retention), .dflt = "4d",
	  .flags = SF_RANGE, .min = (double)SQS_RETENTION_MIN, .max = (double)SQS_RETENTION_MAX, .rule = "§1.8",
	  .help = "How long a message is kept, from its enqueue time, before it expires (MessageRetentionPeriod)." },
	{ .key = "maximum_message_size", .type = ST_SIZE, QF(maximum_message_size), .dflt = "256KiB",
	  .flags = SF_RANGE, .min = SQS_MESSAGE_SIZE_MIN, .max = SQS_MESSAGE_SIZE_MAX, .rule = "§1.8",
	  .help = "Largest message accepted; larger sends are rejected (MaximumMessageSize)." },
	{ .key = "redrive", .type = ST_OBJECT, QF(redrive), .sub = &redrive_schema, .rule = "§1.10",
	  .help = "Dead-letter redrive policy (RedrivePolicy)." },
	{ .key = "purges", .type = ST_LIST, QF(purges), .sub = &purge_schema, .rule = "§1.9",
	  .help = "Times at which the queue is purged (PurgeQueue)." },
	{ .key = "move_tasks", .type = ST_LIST, QF(move_tasks), .sub = &move_schema, .rule = "§1.10",
	  .help = "Dead-letter redrives started on this queue (StartMessageMoveTask)." },
	{ .key = "in_flight_limit", .type = ST_INT, QF(in_flight_limit), .dflt = "120000",
	  .flags = SF_RANGE, .min = 1, .max = 1e9, .rule = "§1.5",
	  .help = "Most messages in flight; at the cap a standard queue's short polls get OverLimit and long polls wait, a FIFO queue's receives get nothing without an error. AWS's figure is approximate (120,000 for both types; FIFO's was 20,000 until about 2024); a quota increase raises it." },
	{ .key = "short_poll_sample", .type = ST_REAL, QF(short_poll_sample), .dflt = SQS_SHORT_POLL_SAMPLE_DEFAULT,
	  .flags = SF_RANGE | SF_MIN_OPEN, .min = 0, .max = 1, .rule = "§1.3",
	  .help = "Model parameter: the chance a short poll finds each visible message while fewer than 1,000 are visible (a short poll samples a subset of servers; AWS gives no figure)." },
	{ .key = "duplicate_delivery", .type = ST_REAL, QF(duplicate_delivery), .dflt = "0",
	  .flags = SF_RANGE, .min = 0, .max = 1, .rule = "§1.1",
	  .help = "Model parameter: the chance a successful delete leaves a stored copy, which is delivered again after the visibility timeout (at-least-once delivery). Standard queues only." },
	{ .key = "fifo", .type = ST_BOOL, QF(fifo), .rule = "§2",
	  .help = "A FIFO queue (FifoQueue): strict order within each message group, one group's messages in flight at a time, 5-minute deduplication, 300 transactions/s per action. Unset: true exactly when the name ends in `.fifo`, which a FIFO queue's name must." },
	{ .key = "content_based_deduplication", .type = ST_BOOL, QF(content_based_deduplication), .rule = "§2.2",
	  .help = "FIFO: a send without a deduplication id is deduplicated by the hash of its body (ContentBasedDeduplication); without it such a send is refused, so producers must send ids (`message.deduplication_id`)." },
	{ .key = "deduplication_scope", .type = ST_ENUM, QF(deduplication_scope), .dflt = "queue",
	  .choices = dedup_scope_names, .rule = "§2.2",
	  .help = "FIFO: where a deduplication id must be unique within 5 minutes: the whole queue, or each message group (DeduplicationScope)." },
	{ .key = "fifo_throughput_limit", .type = ST_ENUM, QF(fifo_throughput_limit), .dflt = "per_queue",
	  .choices = fifo_limit_names, .rule = "§2.3",
	  .help = "FIFO: per_queue, or per_message_group_id (FifoThroughputLimit). With deduplication_scope message_group it is high-throughput mode: each group's partition allows 300 sends/s and the queue high_throughput_tps." },
	{ .key = "transactions_per_second", .type = ST_INT, QF(transactions_per_second), .dflt = "300",
	  .flags = SF_RANGE, .min = 1, .max = SQS_FIFO_HT_TPS_MAX, .rule = "§2.3",
	  .help = "FIFO, normal mode: SendMessage and ReceiveMessage calls per second the queue allows, each action apart (a batch of 10 is one call); beyond it a call is throttled. AWS: 300." },
	{ .key = "high_throughput_tps", .type = ST_INT, QF(high_throughput_tps), .dflt = "18000",
	  .flags = SF_RANGE, .min = SQS_FIFO_PARTITION_TPS, .max = SQS_FIFO_HT_TPS_MAX, .rule = "§2.3",
	  .help = "FIFO, high-throughput mode: calls per second per action for the whole queue; it has high_throughput_tps / 300 partitions, and a group's sends are limited by its partition's 300/s. Model parameter: AWS's ceiling depends on the Region (2,400 to 70,000; the current table is unconfirmed)." },
	{ 0 }
};

/*
 * Queue names: 1..80 characters, letters, digits, '-' and '_', and a FIFO
 * queue's `.fifo` at the end (§1.8, §2).
 */
static void queue_name_check(const struct doc_node *key, struct schema_ctx *ctx)
{
	const char *s = key->text;
	size_t n = strlen(s);

	if (n == 0 || n > 80) {
		schema_error(ctx, key, "queue name '%s' must have 1 to 80 characters, '.fifo' included (aws-behaviour §1.8)", s);
		return;
	}
	if (sqs_fifo_name(s))
		n -= strlen(SQS_FIFO_SUFFIX);
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_') {
			schema_error(ctx, key, "queue name '%s' may hold only letters, digits, '-' and '_', and end in '.fifo' for a FIFO queue (aws-behaviour §1.8)",
				     s);
			return;
		}
	}
}

/* A FIFO queue's name and its FIFO-only keys (§2). */
static void fifo_check(struct sqs_queue_cfg *q, struct schema_ctx *ctx)
{
	static const char *const fifo_only[] = { "content_based_deduplication", "deduplication_scope",
						 "fifo_throughput_limit", "transactions_per_second",
						 "high_throughput_tps", NULL };

	sqs_fifo_resolve(q, &q->fifo, "queue", "§2", fifo_only, ctx);
	if (q->fifo) {
		bool ht = sqs_cfg_high_throughput(q);

		if (!ht && schema_node(q, "high_throughput_tps"))
			schema_warning(ctx, schema_node(q, "high_throughput_tps"),
				       "high_throughput_tps applies in high-throughput mode only (deduplication_scope: message_group and fifo_throughput_limit: per_message_group_id); this queue runs at transactions_per_second");
		if (!ht && (q->deduplication_scope == SQS_DEDUP_GROUP) != (q->fifo_throughput_limit == SQS_LIMIT_PER_GROUP))
			schema_warning(ctx, schema_node(q, q->deduplication_scope == SQS_DEDUP_GROUP ? "deduplication_scope"
												      : "fifo_throughput_limit"),
				       "high-throughput mode needs both deduplication_scope: message_group and fifo_throughput_limit: per_message_group_id (aws-behaviour §2.3); with one alone the queue runs at transactions_per_second");
		if (q->duplicate_delivery > 0)
			schema_error(ctx, schema_where(q, "duplicate_delivery"),
				     "a FIFO queue delivers exactly once (aws-behaviour §2.2): duplicate_delivery is for standard queues");
		if (schema_node(q, "short_poll_sample"))
			schema_error(ctx, schema_node(q, "short_poll_sample"),
				     "short_poll_sample is for standard queues: weir's FIFO short polls find what is available");
	}
}

void sqs_fifo_resolve(void *obj, bool *fifo, const char *kind, const char *rule,
		      const char *const *fifo_only, struct schema_ctx *ctx)
{
	const char *name = ((const struct schema_head *)obj)->name;
	const struct doc_node *at = schema_node(obj, "fifo");
	bool named = sqs_fifo_name(name);

	if (!at)
		*fifo = named;
	else if (*fifo && !named)
		schema_error(ctx, at, "a FIFO %s's name must end in '.fifo' (aws-behaviour %s): name it '%s.fifo'",
			     kind, rule, name);
	else if (!*fifo && named)
		schema_error(ctx, at, "%s '%s' ends in '.fifo', the mark of a FIFO %s; a standard %s's name cannot",
			     kind, name, kind, kind);
	for (size_t i = 0; !*fifo && fifo_only[i]; i++)
		if ((at = schema_node(obj, fifo_only[i])))
			schema_error(ctx, at, "'%s' is for FIFO %ss; '%s' is a standard %s (a FIFO %s's name ends in '.fifo')",
				     fifo_only[i], kind, name, kind, kind);
}

static void queue_check(void *obj, struct schema_ctx *ctx)
{
	struct sqs_queue_cfg *q = obj;
	const struct sqs_purge_cfg *p = q->purges.items;

	/* PurgeQueueInProgress: a second purge within 60 s is refused (§1.9). */
	for (size_t i = 1; i < q->purges.len; i++) {
		if (p[i].at < p[i - 1].at)
			schema_error(ctx, p[i].head.node, "purges must be listed in time order");
		else if (p[i].at - p[i - 1].at < SQS_PURGE_INTERVAL_MIN)
			schema_error(ctx, p[i].head.node,
				     "purges of one queue must be at least 60s apart; AWS refuses the second with PurgeQueueInProgress (aws-behaviour §1.9)");
	}
	if (q->redrive.dead_letter && strcmp(q->redrive.dead_letter, q->head.name) == 0)
		schema_error(ctx, schema_where(&q->redrive, "dead_letter"),
			     "queue '%s' cannot be its own dead-letter queue", q->head.name);
	fifo_check(q, ctx);
}

const struct schema sqs_queue_schema = {
	.name = "queue",
	.size = sizeof(struct sqs_queue_cfg),
	.fields = queue_fields,
	.check = queue_check,
	.check_name = queue_name_check,
	.help = "An SQS queue, named by its key: a standard queue (aws-behaviour §1), or a FIFO queue (§2) when its name ends in `.fifo`. `orders-dlq: {}` (or an empty value) takes every default.",
};

/* ---- metrics (§1.11) ------------------------------------------------------ */

enum {
	M_VISIBLE, M_NOT_VISIBLE, M_DELAYED, M_AGE, M_SENT, M_RECEIVED, M_DELETED, M_EMPTY,
	M_SIZE, M_TO_DLQ, M_EXPIRED, M_PURGED, M_REDRIVEN, M_DUPLICATES, M_STALE, M_LATENCY,
	M_WAIT, M_GROUPS_IN_FLIGHT, M_DEDUPLICATED, M_ACTIVE_GROUPS, M_STALLED_GROUPS,
	M_THROTTLED_SENDS, M_THROTTLED_RECEIVES, M_OUT_OF_ORDER, M_LATE_ARRIVALS, M_NDEFS
};
#define M_FIRST_FIFO M_GROUPS_IN_FLIGHT

static const struct metric_def sqs_defs[M_NDEFS] = {
	[M_VISIBLE] = { "ApproximateNumberOfMessagesVisible", "count", METRIC_GAUGE, "§1.11",
			"Messages available for retrieval at the end of the period." },
	[M_NOT_VISIBLE] = { "ApproximateNumberOfMessagesNotVisible", "count", METRIC_GAUGE, "§1.11",
			    "Messages in flight (received, not deleted, visibility timeout running)." },
	[M_DELAYED] = { "ApproximateNumberOfMessagesDelayed", "count", METRIC_GAUGE, "§1.11",
			"Messages hidden by the queue delay or a message timer." },
	[M_AGE] = { "ApproximateAgeOfOldestMessage", "seconds", METRIC_GAUGE, "§1.11",
		    "Age of the oldest message in the queue, leaving out messages received 3 or more times; on a dead-letter queue, time since the move." },
	[M_SENT] = { "NumberOfMessagesSent", "count", METRIC_SUM, "§1.11",
		     "Messages sent (move-task redrives count; automatic dead-letter moves do not)." },
	[M_RECEIVED] = { "NumberOfMessagesReceived", "count", METRIC_SUM, "§1.11",
			 "Messages returned by receives." },
	[M_DELETED] = { "NumberOfMessagesDeleted", "count", METRIC_SUM, "§1.7",
			"DeleteMessage calls with a valid receipt, stale and repeated ones included, so it can exceed real deletions; on a FIFO queue a delete after the visibility timeout fails and is not counted." },
	[M_EMPTY] = { "NumberOfEmptyReceives", "count", METRIC_SUM, "§1.11",
		      "Receive calls that returned no message." },
	[M_SIZE] = { "SentMessageSize", "bytes", METRIC_AVERAGE, "§1.11",
		     "Average size of the messages sent in the period (empty when none)." },
	[M_TO_DLQ] = { "MessagesMovedToDLQ", "count", METRIC_SUM, "§1.10",
		       "Messages moved to the dead-letter queue by a receive (weir)." },
	[M_EXPIRED] = { "MessagesExpired", "count", METRIC_SUM, "§1.8",
			"Messages deleted because their retention period ended (weir)." },
	[M_PURGED] = { "MessagesPurged", "count", METRIC_SUM, "§1.9",
		       "Messages deleted by PurgeQueue (weir)." },
	[M_REDRIVEN] = { "MessagesRedriven", "count", METRIC_SUM, "§1.10",
			 "Messages moved out by a move task (weir)." },
	[M_DUPLICATES] = { "DuplicateDeliveries", "count", METRIC_SUM, "§1.1, §1.4",
			   "Successful processings of a message that had already been processed successfully (weir)." },
	[M_STALE] = { "StaleDeletes", "count", METRIC_SUM, "§1.7",
		      "Deletes with a receipt from an earlier receive: accepted, but nothing deleted; on a FIFO queue also deletes after the visibility timeout, which fail (weir)." },
	[M_LATENCY] = { "EndToEndLatency", "seconds", METRIC_PERCENTILES, NULL,
			"Time from the first send to the delete, for messages deleted in the period (weir)." },
	[M_WAIT] = { "WaitTime", "seconds", METRIC_PERCENTILES, NULL,
		     "Time from a message's arrival in the queue (send, redrive or dead-letter move) to its first receive there, for messages first received in the period (weir)." },
	[M_GROUPS_IN_FLIGHT] = { "ApproximateNumberOfGroupsWithInflightMessages", "count", METRIC_GAUGE, "§2.1",
				 "FIFO: message groups with a message in flight (locked) at the end of the period; CloudWatch's FIFO metric." },
	[M_DEDUPLICATED] = { "NumberOfDeduplicatedSentMessages", "count", METRIC_SUM, "§2.2",
			     "FIFO: sends accepted as duplicates within the 5-minute interval and not stored (not in NumberOfMessagesSent)." },
	[M_ACTIVE_GROUPS] = { "ActiveGroups", "count", METRIC_MEAN, "§2.1",
			      "FIFO: time-average number of message groups with a visible or in-flight message (weir)." },
	[M_STALLED_GROUPS] = { "StalledGroups", "count", METRIC_MEAN, "§2.1",
			       "FIFO: time-average number of groups holding visible messages while locked by an in-flight one; times the period it is the group-seconds of stall (weir)." },
	[M_THROTTLED_SENDS] = { "ThrottledSends", "count", METRIC_SUM, "§2.3",
				"FIFO: SendMessage and SendMessageBatch calls refused with ThrottlingException (weir)." },
	[M_THROTTLED_RECEIVES] = { "ThrottledReceives", "count", METRIC_SUM, "§2.3",
				   "FIFO: ReceiveMessage calls refused with ThrottlingException (weir)." },
	[M_LATE_ARRIVALS] = { "OutOfOrderArrivals", "count", METRIC_SUM, "§2.1, §7.3",
			      "FIFO: the end-to-end order check: sends stored behind a message of their group first sent (or published) later; 0 when every producer's and topic's order held, except repeats sent after the 5-minute deduplication interval (weir)." },
	[M_OUT_OF_ORDER] = { "OutOfOrderProcessing", "count", METRIC_SUM, "§2.1",
			     "FIFO: the order check: first successful processings while an earlier message of the same group was still in the queue unprocessed. weir's workers and mappings keep order, so it stays 0; repeats after a visibility timeout count as DuplicateDeliveries instead (weir)." },
};

const struct metric_family sqs_metric_family = {
	.kind = "Queue",
	.intro = "One set per queue, named `QUEUE/Metric`. The first ten are the CloudWatch `AWS/SQS` metrics of aws-behaviour §1.11 with their names and units; the rest are weir's additions that CloudWatch does not show, and the FIFO set (from `ApproximateNumberOfGroupsWithInflightMessages` on), which only FIFO queues have. Gauges are read at the end of each period; sums count what happened during it; means are time averages over it.",
	.defs = sqs_defs,
	.ndefs = M_NDEFS,
};

static double g_visible(const void *q) { return (double)sqs_visible(q); }
static double g_in_flight(const void *q) { return (double)sqs_in_flight(q); }
static double g_delayed(const void *q) { return (double)sqs_delayed(q); }
static double g_age(const void *q) { return sqs_oldest_age(q); }

static double g_groups_in_flight(const void *q)
{
	struct sqs_group_levels gl;

	return sqs_group_levels(q, &gl) ? (double)gl.with_in_flight->value : 0;
}

void sqs_register_metrics(struct sqs_queue *q, struct metrics *m)
{
	struct sqs_group_levels gl;
	const struct sqs_counters *c = sqs_counters(q);
	const char *n = sqs_name(q);

	metrics_gauge(m, n, &sqs_defs[M_VISIBLE], g_visible, q);
	metrics_gauge(m, n, &sqs_defs[M_NOT_VISIBLE], g_in_flight, q);
	metrics_gauge(m, n, &sqs_defs[M_DELAYED], g_delayed, q);
	metrics_gauge(m, n, &sqs_defs[M_AGE], g_age, q);
	metrics_sum(m, n, &sqs_defs[M_SENT], &c->sent);
	metrics_sum(m, n, &sqs_defs[M_RECEIVED], &c->received);
	metrics_sum(m, n, &sqs_defs[M_DELETED], &c->deleted_calls);
	metrics_sum(m, n, &sqs_defs[M_EMPTY], &c->empty_receives);
	metrics_average(m, n, &sqs_defs[M_SIZE], &c->sent_bytes, &c->sent, 1.0);
	metrics_sum(m, n, &sqs_defs[M_TO_DLQ], &c->moved_to_dlq);
	metrics_sum(m, n, &sqs_defs[M_EXPIRED], &c->expired);
	metrics_sum(m, n, &sqs_defs[M_PURGED], &c->purged);
	metrics_sum(m, n, &sqs_defs[M_REDRIVEN], &c->redriven);
	metrics_sum(m, n, &sqs_defs[M_DUPLICATES], &c->duplicates);
	metrics_sum(m, n, &sqs_defs[M_STALE], &c->stale_deletes);
	metrics_percentiles(m, n, &sqs_defs[M_LATENCY], sqs_period_hist(q, SQS_HIST_LATENCY), 1e-6);
	metrics_percentiles(m, n, &sqs_defs[M_WAIT], sqs_period_hist(q, SQS_HIST_WAIT), 1e-6);
	if (sqs_group_levels(q, &gl)) {
		metrics_gauge(m, n, &sqs_defs[M_GROUPS_IN_FLIGHT], g_groups_in_flight, q);
		metrics_sum(m, n, &sqs_defs[M_DEDUPLICATED], &c->deduplicated);
		metrics_mean(m, n, &sqs_defs[M_ACTIVE_GROUPS], gl.active);
		metrics_mean(m, n, &sqs_defs[M_STALLED_GROUPS], gl.stalled);
		metrics_sum(m, n, &sqs_defs[M_THROTTLED_SENDS], &c->throttled_sends);
		metrics_sum(m, n, &sqs_defs[M_THROTTLED_RECEIVES], &c->throttled_receives);
		metrics_sum(m, n, &sqs_defs[M_OUT_OF_ORDER], &c->out_of_order);
		metrics_sum(m, n, &sqs_defs[M_LATE_ARRIVALS], &c->late_arrivals);
	}
}

/* ---- summary statistics -------------------------------------------------- */

enum {
	S_SENT, S_RECEIVED, S_DELETED_CALLS, S_EMPTY, S_TO_DLQ, S_EXPIRED, S_PURGED, S_REDRIVEN,
	S_DUPLICATES, S_STALE, S_LOST, S_OVER_LIMIT, S_TOO_LARGE, S_VIS_CHANGES, S_VIS_ERRORS,
	S_TASKS_REJECTED, S_MOVE_FAILURES,
	S_LAT_MEAN, S_LAT_P50, S_LAT_P90, S_LAT_P99, S_LAT_MAX,
	S_WAIT_MEAN, S_WAIT_P50, S_WAIT_P90, S_WAIT_P99, S_WAIT_MAX,
	S_VIS_AVG, S_VIS_MAX, S_INF_AVG,
	S_L_SENT, S_L_MOVED_IN, S_L_DELETED, S_L_TO_DLQ, S_L_EXPIRED, S_L_PURGED, S_L_REDRIVEN,
	S_L_VISIBLE, S_L_IN_FLIGHT, S_L_DELAYED,
	S_DEDUPLICATED, S_THROTTLED_SENDS, S_THROTTLED_RECEIVES, S_OUT_OF_ORDER, S_GROUPS,
	S_ACTIVE_GROUPS, S_STALLED_GROUPS, S_STALL_SECONDS, S_MAX_GROUP_STALL, S_MAX_STALL_GROUP,
	S_LATE_ARRIVALS, S_NSTATS
};
#define S_FIRST_FIFO S_DEDUPLICATED

static const struct stat_def sqs_stats_defs[S_NSTATS] = {
	[S_SENT] = { "NumberOfMessagesSent", "count", "Messages sent after the warm-up." },
	[S_RECEIVED] = { "NumberOfMessagesReceived", "count", "Messages returned by receives after the warm-up." },
	[S_DELETED_CALLS] = { "NumberOfMessagesDeleted", "count", "Delete calls with a valid receipt after the warm-up (stale ones included, §1.7)." },
	[S_EMPTY] = { "NumberOfEmptyReceives", "count", "Receives that returned nothing, after the warm-up." },
	[S_TO_DLQ] = { "MessagesMovedToDLQ", "count", "Messages moved to the dead-letter queue after the warm-up." },
	[S_EXPIRED] = { "MessagesExpired", "count", "Messages that reached the end of their retention after the warm-up." },
	[S_PURGED] = { "MessagesPurged", "count", "Messages deleted by purges after the warm-up." },
	[S_REDRIVEN] = { "MessagesRedriven", "count", "Messages moved out by move tasks after the warm-up." },
	[S_DUPLICATES] = { "DuplicateDeliveries", "count", "Successful processings of an already successfully processed message, after the warm-up." },
	[S_STALE] = { "StaleDeletes", "count", "Deletes with a stale receipt (nothing deleted), after the warm-up." },
	[S_LOST] = { "LostDeletes", "count", "Deletes that left a stored copy (duplicate_delivery), after the warm-up." },
	[S_OVER_LIMIT] = { "OverLimitReceives", "count", "Short-poll receives refused at the in-flight limit, after the warm-up." },
	[S_TOO_LARGE] = { "SendsTooLarge", "count", "Sends refused for exceeding maximum_message_size, after the warm-up." },
	[S_VIS_CHANGES] = { "VisibilityChanges", "count", "Successful ChangeMessageVisibility calls after the warm-up." },
	[S_VIS_ERRORS] = { "VisibilityChangeErrors", "count", "ChangeMessageVisibility calls refused (not in flight, stale, past 12 h) after the warm-up." },
	[S_TASKS_REJECTED] = { "MoveTasksRejected", "count", "Move tasks refused because another was running (whole run)." },
	[S_MOVE_FAILURES] = { "MoveFailures", "count", "Messages a move task left in place, after the warm-up: no source queue to return to, or larger than the destination accepts." },
	[S_LAT_MEAN] = { "EndToEndLatency.mean", "seconds", "Mean time from first send to delete (exact mean)." },
	[S_LAT_P50] = { "EndToEndLatency.p50", "seconds", "Median end-to-end latency (within 0.4%)." },
	[S_LAT_P90] = { "EndToEndLatency.p90", "seconds", "90th percentile of end-to-end latency (within 0.4%)." },
	[S_LAT_P99] = { "EndToEndLatency.p99", "seconds", "99th percentile of end-to-end latency (within 0.4%)." },
	[S_LAT_MAX] = { "EndToEndLatency.max", "seconds", "Longest end-to-end latency (exact)." },
	[S_WAIT_MEAN] = { "WaitTime.mean", "seconds", "Mean time from arrival in the queue to the first receive there (exact mean)." },
	[S_WAIT_P50] = { "WaitTime.p50", "seconds", "Median wait for the first receive (within 0.4%)." },
	[S_WAIT_P90] = { "WaitTime.p90", "seconds", "90th percentile of the wait (within 0.4%)." },
	[S_WAIT_P99] = { "WaitTime.p99", "seconds", "99th percentile of the wait (within 0.4%)." },
	[S_WAIT_MAX] = { "WaitTime.max", "seconds", "Longest wait for a first receive (exact)." },
	[S_VIS_AVG] = { "ApproximateNumberOfMessagesVisible.mean", "count", "Time-average number of visible messages after the warm-up." },
	[S_VIS_MAX] = { "ApproximateNumberOfMessagesVisible.max", "count", "Largest number of visible messages after the warm-up." },
	[S_INF_AVG] = { "ApproximateNumberOfMessagesNotVisible.mean", "count", "Time-average number of in-flight messages after the warm-up." },
	[S_L_SENT] = { "ledger.sent", "count", "Whole run: messages sent to the queue." },
	[S_L_MOVED_IN] = { "ledger.moved_in", "count", "Whole run: messages dead-lettered into the queue." },
	[S_L_DELETED] = { "ledger.deleted", "count", "Whole run: messages really deleted." },
	[S_L_TO_DLQ] = { "ledger.moved_to_dlq", "count", "Whole run: messages moved to the dead-letter queue." },
	[S_L_EXPIRED] = { "ledger.expired", "count", "Whole run: messages expired." },
	[S_L_PURGED] = { "ledger.purged", "count", "Whole run: messages purged." },
	[S_L_REDRIVEN] = { "ledger.redriven", "count", "Whole run: messages moved out by move tasks." },
	[S_L_VISIBLE] = { "ledger.visible", "count", "At the end: visible messages." },
	[S_L_IN_FLIGHT] = { "ledger.in_flight", "count", "At the end: in-flight messages." },
	[S_L_DELAYED] = { "ledger.delayed", "count", "At the end: delayed messages. sent + moved_in = deleted + moved_to_dlq + expired + purged + redriven + visible + in_flight + delayed." },
	[S_DEDUPLICATED] = { "NumberOfDeduplicatedSentMessages", "count", "FIFO: sends dropped as duplicates after the warm-up (accepted, not stored)." },
	[S_THROTTLED_SENDS] = { "ThrottledSends", "count", "FIFO: SendMessage and SendMessageBatch calls throttled after the warm-up." },
	[S_THROTTLED_RECEIVES] = { "ThrottledReceives", "count", "FIFO: receives throttled after the warm-up." },
	[S_OUT_OF_ORDER] = { "OutOfOrderProcessing", "count", "FIFO: processings ahead of an unprocessed earlier message of their group, after the warm-up." },
	[S_GROUPS] = { "MessageGroups", "count", "FIFO: message groups that ever held a message (whole run)." },
	[S_ACTIVE_GROUPS] = { "ActiveGroups.mean", "count", "FIFO: time-average number of groups with a visible or in-flight message, after the warm-up." },
	[S_STALLED_GROUPS] = { "StalledGroups.mean", "count", "FIFO: time-average number of stalled groups (visible messages behind an in-flight one), after the warm-up." },
	[S_STALL_SECONDS] = { "GroupStallTime", "seconds", "FIFO: stalled time summed over all groups, after the warm-up." },
	[S_MAX_GROUP_STALL] = { "GroupStallTime.max", "seconds", "FIFO: the most stalled time of any one group (whole run)." },
	[S_LATE_ARRIVALS] = { "OutOfOrderArrivals", "count", "FIFO: sends stored behind a later-born message of their group, after the warm-up (the end-to-end order check)." },
	[S_MAX_STALL_GROUP] = { "GroupStallTime.max_group", "number", "FIFO: that group's number: N for a producer's N-th drawn group (from 0), 2^31 + the order of first appearance for an id read from a trace." },
};

const struct stat_family sqs_stat_family = { "Queue", sqs_stats_defs, S_NSTATS };

void sqs_summarize(const struct sqs_queue *q, struct summary *s)
{
	struct sqs_stats st;
	struct sqs_group_levels gl = { 0 };
	struct sqs_group_stats gs;
	struct sqs_ledger l;
	const struct sqs_counters *c;
	const char *n = sqs_name(q);
	double v[S_NSTATS];

	sqs_stats(q, &st);
	sqs_ledger(q, &l);
	c = &st.since_warmup;
	v[S_SENT] = (double)c->sent;
	v[S_RECEIVED] = (double)c->received;
	v[S_DELETED_CALLS] = (double)c->deleted_calls;
	v[S_EMPTY] = (double)c->empty_receives;
	v[S_TO_DLQ] = (double)c->moved_to_dlq;
	v[S_EXPIRED] = (double)c->expired;
	v[S_PURGED] = (double)c->purged;
	v[S_REDRIVEN] = (double)c->redriven;
	v[S_DUPLICATES] = (double)c->duplicates;
	v[S_STALE] = (double)c->stale_deletes;
	v[S_LOST] = (double)c->lost_deletes;
	v[S_OVER_LIMIT] = (double)c->over_limit;
	v[S_TOO_LARGE] = (double)c->too_large;
	v[S_VIS_CHANGES] = (double)c->visibility_changes;
	v[S_VIS_ERRORS] = (double)c->visibility_errors;
	v[S_TASKS_REJECTED] = (double)sqs_move_tasks_rejected(q);
	v[S_MOVE_FAILURES] = (double)c->move_failures;
	v[S_LAT_MEAN] = hist_mean(st.latency) * 1e-6;
	v[S_LAT_P50] = hist_quantile(st.latency, 0.50) * 1e-6;
	v[S_LAT_P90] = hist_quantile(st.latency, 0.90) * 1e-6;
	v[S_LAT_P99] = hist_quantile(st.latency, 0.99) * 1e-6;
	v[S_LAT_MAX] = hist_quantile(st.latency, 1.0) * 1e-6;
	v[S_WAIT_MEAN] = hist_mean(st.wait) * 1e-6;
	v[S_WAIT_P50] = hist_quantile(st.wait, 0.50) * 1e-6;
	v[S_WAIT_P90] = hist_quantile(st.wait, 0.90) * 1e-6;
	v[S_WAIT_P99] = hist_quantile(st.wait, 0.99) * 1e-6;
	v[S_WAIT_MAX] = hist_quantile(st.wait, 1.0) * 1e-6;
	v[S_VIS_AVG] = st.mean_visible;
	v[S_VIS_MAX] = (double)st.max_visible;
	v[S_INF_AVG] = st.mean_in_flight;
	v[S_L_SENT] = (double)l.sent;
	v[S_L_MOVED_IN] = (double)l.moved_in;
	v[S_L_DELETED] = (double)l.deleted;
	v[S_L_TO_DLQ] = (double)l.moved_to_dlq;
	v[S_L_EXPIRED] = (double)l.expired;
	v[S_L_PURGED] = (double)l.purged;
	v[S_L_REDRIVEN] = (double)l.redriven;
	v[S_L_VISIBLE] = (double)l.visible;
	v[S_L_IN_FLIGHT] = (double)l.in_flight;
	v[S_L_DELAYED] = (double)l.delayed;
	if (sqs_group_levels(q, &gl)) {
		sqs_group_stats(q, &gs);
		v[S_DEDUPLICATED] = (double)c->deduplicated;
		v[S_THROTTLED_SENDS] = (double)c->throttled_sends;
		v[S_THROTTLED_RECEIVES] = (double)c->throttled_receives;
		v[S_OUT_OF_ORDER] = (double)c->out_of_order;
		v[S_GROUPS] = (double)gs.groups;
		v[S_ACTIVE_GROUPS] = gs.mean_active;
		v[S_STALLED_GROUPS] = st.measured_seconds > 0 ? gs.stall_seconds / st.measured_seconds : NAN;
		v[S_STALL_SECONDS] = gs.stall_seconds;
		v[S_MAX_GROUP_STALL] = gs.max_group_stall;
		v[S_MAX_STALL_GROUP] = (double)gs.max_stall_group;
		v[S_LATE_ARRIVALS] = (double)c->late_arrivals;
	}
	for (int i = 0; i < (gl.active ? S_NSTATS : S_FIRST_FIFO); i++)
		summary_add(s, n, "queue", &sqs_stats_defs[i], v[i]);
}

/*
 * consumer.c - worker pools.
 *
 * A worker is always in one state: IDLE (not running), POLLING (a long poll
 * is waiting in the queue), PROCESSING (working through a batch, one timer
 * pending) or BACKOFF (pausing after an empty short poll). The busy and
 * worker counts are kept as levels so their time averages are exact.
 */
#include "weir/consumer.h"
#include "weir/kconsumer.h"
#include "weir/level.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

enum worker_state { W_IDLE, W_POLLING, W_PROCESSING, W_BACKOFF };

struct worker {
	struct consumer *c;
	struct sqs_receiver rx;
	unsigned idx;              /* message of the batch being processed */
	unsigned given_back;       /* FIFO: later messages of the batch already given back */
	sim_event_id timer;        /* processing or backoff */
	sim_event_id beat;         /* next heartbeat */
	int state;
	int retiring;              /* stop after this batch */
};

struct consumer {
	struct sim *sim;
	const char *name;
	const struct consumer_cfg *cfg;
	struct sqs_queue *q;
	gsl_rng *r_processing, *r_failure, *r_backoff;
	sim_time wait;             /* effective WaitTimeSeconds */
	struct worker **w;
	size_t nw;
	struct level busy, running;
	struct consumer_counters c, c_warm;
	sim_time warm_at;
	double busy_area_warm, running_area_warm;
};

/* ---- configuration ---------------------------------------------------- */

#define HF(field) .offset = offsetof(struct heartbeat_cfg, field)
static const struct schema_field heartbeat_fields[] = {
	{ .key = "every", .type = ST_DURATION, HF(every), .flags = SF_REQUIRED | SF_MIN | SF_MIN_OPEN,
	  .min = 0, .rule = "§1.4", .help = "Interval between ChangeMessageVisibility calls while working." },
	{ .key = "extend_to", .type = ST_DURATION, HF(extend_to), .flags = SF_REQUIRED | SF_RANGE,
	  .min = 0, .max = (double)SQS_VISIBILITY_TIMEOUT_MAX, .rule = "§1.4",
	  .help = "Visibility timeout each call sets, counted from the call; the total stays under 12h from the receive." },
	{ 0 }
};

static void heartbeat_check(void *obj, struct schema_ctx *ctx)
{
	struct heartbeat_cfg *h = obj;

	if (h->every >= h->extend_to)
		schema_warning(ctx, schema_where(h, "every"),
			       "a heartbeat every %gs that extends to %gs lets the visibility timeout run out between beats",
			       sim_time_to_sec(h->every), sim_time_to_sec(h->extend_to));
}

static const struct schema heartbeat_schema = {
	.name = "heartbeat",
	.size = sizeof(struct heartbeat_cfg),
	.fields = heartbeat_fields,
	.check = heartbeat_check,
	.help = "Visibility heartbeat (aws-behaviour §1.4): while a worker holds a batch, every `every` it sets the visibility timeout of the batch's unfinished messages to `extend_to`, until the 12 h ceiling refuses.",
};

#define SF(field) .offset = offsetof(struct scale_cfg, field)
static const struct schema_field scale_fields[] = {
	{ .key = "at", .type = ST_DURATION, SF(at), .flags = SF_REQUIRED | SF_MIN, .min = 0,
	  .help = "When the pool changes size." },
	{ .key = "workers", .type = ST_INT, SF(workers), .flags = SF_REQUIRED | SF_RANGE, .min = 0,
	  .max = CONSUMER_WORKERS_MAX, .help = "The number of workers from then on." },
	{ 0 }
};

static const struct schema scale_schema = {
	.name = "scaling step",
	.size = sizeof(struct scale_cfg),
	.fields = scale_fields,
	.help = "A change of the number of workers. New workers start polling at once; removed workers finish their batch first.",
};

static const char *const on_failure_names[] = { "leave", "release", NULL };

#define CF(field) .offset = offsetof(struct consumer_cfg, field)
static const struct schema_field consumer_fields[] = {
	{ .key = "source", .type = ST_NAME, CF(source), .flags = SF_REQUIRED,
	  .help = "The queue the workers poll, or the Kinesis stream the consumer application reads (one worker per shard, aws-behaviour §3.8)." },
	{ .key = "workers", .type = ST_INT, CF(workers), .dflt = "1", .flags = SF_RANGE, .min = 0,
	  .max = CONSUMER_WORKERS_MAX, .help = "Number of workers at the start." },
	{ .key = "batch_size", .type = ST_INT, CF(batch_size), .dflt = "1", .flags = SF_RANGE, .min = 1,
	  .max = SQS_RECEIVE_MAX, .rule = "§1.3", .help = "Messages asked for per receive (MaxNumberOfMessages)." },
	{ .key = "receive_wait", .type = ST_DURATION, CF(receive_wait), .flags = SF_RANGE, .min = 0,
	  .max = (double)SQS_WAIT_TIME_MAX, .rule = "§1.3",
	  .help = "Long-poll wait per receive (WaitTimeSeconds); unset uses the queue's receive_wait; 0 is short polling." },
	{ .key = "visibility_timeout", .type = ST_DURATION, CF(visibility_timeout), .flags = SF_RANGE,
	  .min = 0, .max = (double)SQS_VISIBILITY_TIMEOUT_MAX, .rule = "§1.4",
	  .help = "Visibility timeout asked for per receive; unset uses the queue's." },
	{ .key = "processing", .type = ST_DIST, CF(processing), .unit = UNIT_DURATION,
	  .flags = SF_REQUIRED | SF_MIN, .min = 0, .help = "Time to process one message (one record, for a stream)." },
	{ .key = "failure_rate", .type = ST_REAL, CF(failure_rate), .dflt = "0", .flags = SF_RANGE,
	  .min = 0, .max = 1, .help = "Chance that processing a (non-poison) message fails." },
	{ .key = "fail_on_poison", .type = ST_BOOL, CF(fail_on_poison), .dflt = "true",
	  .help = "Whether poison messages always fail." },
	{ .key = "on_failure", .type = ST_ENUM, CF(on_failure), .dflt = "leave", .choices = on_failure_names,
	  .rule = "§1.4",
	  .help = "What a worker does with a failed message: leave it to reappear after its visibility timeout, or release it at once (ChangeMessageVisibility to 0). On a FIFO queue the later messages of its group in the batch go back with it, unprocessed (MessagesSkipped), and are received as often as it is, so a redrive policy dead-letters them with it." },
	{ .key = "heartbeat", .type = ST_OBJECT, CF(heartbeat), .sub = &heartbeat_schema, .rule = "§1.4",
	  .help = "Extend the visibility of held messages while working." },
	{ .key = "schedule", .type = ST_LIST, CF(schedule), .sub = &scale_schema,
	  .help = "Changes of the number of workers over time." },
	{ .key = "idle_backoff", .type = ST_DIST, CF(idle_backoff), .unit = UNIT_DURATION, .dflt = "1s",
	  .flags = SF_MIN, .min = 0, .rule = "§1.3",
	  .help = "Pause after an empty short-poll receive or an OverLimit refusal (a long poll has already waited); a distribution such as uniform(min=0.5s, max=1.5s) keeps workers from polling in step." },
	{ .key = "fan_out", .type = ST_BOOL, CF(fan_out), .dflt = "false", .rule = "§3.8",
	  .help = "Streams only: enhanced fan-out (SubscribeToShard: records pushed about 70 ms after they arrive, 2 MB/s per shard for this consumer alone) rather than shared throughput (GetRecords polling; 5 calls/s and 2 MB/s per shard shared by every consumer of the shard)." },
	{ .key = "poll_interval", .type = ST_DURATION, CF(poll_interval), .flags = SF_RANGE,
	  .min = 0, .max = (double)KCONS_ITERATOR_EXPIRY, .rule = "§3.2",
	  .help = "Streams, shared throughput only: time between the starts of a shard's GetRecords calls when the last call was not full (KCL's idleTimeBetweenReads); default 1s. 200ms polls at the shard's whole 5 calls/s; at most 5m, when a shard iterator expires." },
	{ .key = "max_records", .type = ST_INT, CF(max_records), .flags = SF_RANGE, .min = 1,
	  .max = KCONS_MAX_RECORDS_MAX, .rule = "§3.2",
	  .help = "Streams, shared throughput only: records asked for per GetRecords call (Limit), 1..10,000; default 10,000." },
	{ .key = "propagation", .type = ST_DIST, CF(propagation), .unit = UNIT_DURATION, .flags = SF_MIN,
	  .min = 0, .rule = "§3.8",
	  .help = "Streams, enhanced fan-out only: time from a record's arrival in the shard to its push to the worker; default 70ms (AWS's average). A spread adds a little to the mean: records stay in order, so one is never pushed before the one ahead of it." },
	{ 0 }
};

static void consumer_check(void *obj, struct schema_ctx *ctx)
{
	struct consumer_cfg *c = obj;
	const struct scale_cfg *s = c->schedule.items;

	for (size_t i = 1; i < c->schedule.len; i++)
		if (s[i].at <= s[i - 1].at)
			schema_error(ctx, s[i].head.node, "schedule steps must be in increasing time order");
	if (!(dist_mean(&c->idle_backoff) > 0))
		schema_error(ctx, schema_where(c, "idle_backoff"),
			     "'idle_backoff' must have a mean above 0, or idle workers would poll without pause");
}

/* Keys of queue consumers only, and of stream consumers only (the latter by mode). */
static const char *const queue_only_keys[] = {
	"workers", "batch_size", "receive_wait", "visibility_timeout", "on_failure", "heartbeat", "schedule",
	"idle_backoff", NULL
};
static const char *const stream_only_keys[] = { "fan_out", "poll_interval", "max_records", "propagation", NULL };
static const char *const shared_only_keys[] = { "poll_interval", "max_records", NULL };
static const char *const fan_out_only_keys[] = { "propagation", NULL };

/* Reports each key in keys that the text sets: it does not apply to this consumer. */
static void refuse_keys(const struct consumer_cfg *c, const char *const *keys, const char *what,
			const char *why, struct schema_ctx *ctx)
{
	for (const char *const *k = keys; *k; k++)
		if (schema_node(c, *k))
			schema_error(ctx, schema_where(c, *k), "'%s' does not apply to %s '%s' (%s): remove it",
				     *k, what, c->source, why);
}

void consumer_resolve(struct consumer_cfg *c, bool stream, struct schema_ctx *ctx)
{
	if (!stream) {
		refuse_keys(c, stream_only_keys, "a consumer of queue", "aws-behaviour §3.8 is for streams", ctx);
		return;
	}
	refuse_keys(c, queue_only_keys, "a consumer of stream",
		    "a stream consumer has one worker per shard and reads with GetRecords or SubscribeToShard, aws-behaviour §3.8",
		    ctx);
	if (c->fan_out) {
		refuse_keys(c, shared_only_keys, "an enhanced fan-out consumer of stream",
			    "records are pushed, not polled, aws-behaviour §3.8", ctx);
		if (c->propagation.kind == DIST_NONE)
			dist_constant(&c->propagation, UNIT_DURATION, (double)KCONS_PROPAGATION_DEFAULT);
		return;
	}
	refuse_keys(c, fan_out_only_keys, "a shared-throughput consumer of stream",
		    "its delay comes from polling, aws-behaviour §3.8; set fan_out: true to use it", ctx);
	if (c->poll_interval == SIM_TIME_UNSET)
		c->poll_interval = KCONS_POLL_INTERVAL_DEFAULT;
	if (c->max_records == INT64_MIN)
		c->max_records = KCONS_MAX_RECORDS_DEFAULT;
}

const struct schema consumer_schema = {
	.name = "consumer",
	.size = sizeof(struct consumer_cfg),
	.fields = consumer_fields,
	.check = consumer_check,
	.help = "A pool of workers polling one queue, or a consumer application reading one Kinesis stream (one worker per shard, shared throughput or enhanced fan-out, aws-behaviour §3.8), named by its key.",
};

/* ---- metrics ------------------------------------------------------------ */

static const struct metric_def consumer_defs[] = {
	{ "Workers", "count", METRIC_GAUGE, NULL, "Workers running at the end of the period." },
	{ "BusyWorkers", "count", METRIC_MEAN, NULL, "Average number of workers holding a batch during the period." },
	{ "MessagesProcessed", "count", METRIC_SUM, NULL, "Messages processed successfully (then deleted)." },
	{ "ProcessingFailures", "count", METRIC_SUM, NULL, "Messages whose processing failed (poison or failure_rate)." },
};

const struct metric_family consumer_metric_family = {
	.kind = "Consumer",
	.intro = "One set per worker pool, named `CONSUMER/Metric`.",
	.defs = consumer_defs,
	.ndefs = 4,
};

static double g_running(const void *c) { return (double)((const struct consumer *)c)->running.value; }

void consumer_register_metrics(struct consumer *c, struct metrics *m)
{
	metrics_gauge(m, c->name, &consumer_defs[0], g_running, c);
	metrics_mean(m, c->name, &consumer_defs[1], &c->busy);
	metrics_sum(m, c->name, &consumer_defs[2], &c->c.succeeded);
	metrics_sum(m, c->name, &consumer_defs[3], &c->c.failed);
}

/* ---- runtime ------------------------------------------------------------ */

static void poll(struct worker *w);

static void on_poll_again(struct sim *sim, void *subject, void *object)
{
	struct worker *w = subject;

	(void)sim;
	(void)object;
	w->timer = SIM_EVENT_NONE;
	poll(w);
}

static void stop_worker(struct worker *w)
{
	w->state = W_IDLE;
	w->retiring = 0;
	level_add(&w->c->running, sim_now(w->c->sim), -1);
}

static void process_next(struct worker *w);
static void give_back_group(struct worker *w, uint32_t group);

static void on_heartbeat(struct sim *sim, void *subject, void *object)
{
	struct worker *w = subject;
	struct consumer *c = w->c;

	(void)object;
	for (unsigned j = w->idx; j < w->rx.n; j++) {
		if (!w->rx.got[j].msg)
			continue;   /* given back (FIFO) */
		c->c.heartbeats++;
		if (sqs_change_visibility(c->q, &w->rx.got[j], c->cfg->heartbeat.extend_to) != SQS_OK)
			c->c.heartbeat_errors++;
	}
	w->beat = sim_schedule_in(sim, c->cfg->heartbeat.every, on_heartbeat, w, NULL);
}

static void end_batch(struct worker *w)
{
	struct consumer *c = w->c;

	sim_cancel(c->sim, w->beat);
	w->beat = SIM_EVENT_NONE;
	level_add(&c->busy, sim_now(c->sim), -1);
	if (w->retiring)
		stop_worker(w);
	else
		poll(w);
}

static void on_processed(struct sim *sim, void *subject, void *object)
{
	struct worker *w = subject;
	struct consumer *c = w->c;
	struct sqs_receipt *r = &w->rx.got[w->idx];
	int fail = (c->cfg->fail_on_poison && sqs_receipt_poison(r)) ||
		   (c->cfg->failure_rate > 0 && gsl_rng_uniform(c->r_failure) < c->cfg->failure_rate);

	(void)sim;
	(void)object;
	w->timer = SIM_EVENT_NONE;
	sqs_trace_receipt(c->q, r, fail ? "processing-failed" : "processed", c->name);
	if (!fail) {
		c->c.succeeded++;
		if (sqs_processed(c->q, r))
			c->c.duplicates++;
		sqs_delete(c->q, r);
	} else {
		c->c.failed++;
		if (c->cfg->on_failure == ON_FAILURE_RELEASE)
			sqs_change_visibility(c->q, r, 0);
		if (sqs_fifo(c->q) && sqs_receipt_current(r))
			give_back_group(w, sqs_receipt_group(r));
	}
	sqs_release(c->q, r);
	w->idx++;
	process_next(w);
}

/*
 * On a FIFO queue a worker keeps order: when a message fails, the later
 * messages of its group in the batch are given back at once, unprocessed,
 * as on_failure says (left to their visibility timeout, or released), so
 * that none overtakes it and its group is not held longer (§2.1).
 */
static void give_back_group(struct worker *w, uint32_t group)
{
	struct consumer *c = w->c;

	for (unsigned j = w->idx + 1; j < w->rx.n; j++) {
		struct sqs_receipt *r = &w->rx.got[j];

		/* A receipt gone stale may name a slot of another queue (a DLQ): not this group. */
		if (!r->msg || !sqs_receipt_current(r) || sqs_receipt_group(r) != group)
			continue;
		c->c.skipped++;
		w->given_back++;
		sqs_trace_receipt(c->q, r, "skipped", c->name);
		if (c->cfg->on_failure == ON_FAILURE_RELEASE)
			sqs_change_visibility(c->q, r, 0);
		sqs_release(c->q, r);
	}
}

/* Processes the batch's next message (passing those given back), or ends the batch. */
static void process_next(struct worker *w)
{
	struct consumer *c = w->c;
	sim_time t;

	while (w->idx < w->rx.n && !w->rx.got[w->idx].msg) {
		w->given_back--;
		w->idx++;
	}
	if (w->idx >= w->rx.n) {
		end_batch(w);
		return;
	}
	t = dist_sample_time(&c->cfg->processing, c->r_processing);

	/* At least the 1 us resolution, so that a worker always lets time pass. */
	w->timer = sim_schedule_in(c->sim, t > 0 ? t : 1, on_processed, w, NULL);
}

static void on_received(struct sqs_receiver *rx, enum sqs_status status)
{
	struct worker *w = rx->owner;
	struct consumer *c = w->c;

	c->c.receives++;
	if (rx->n == 0) {
		c->c.empty_receives++;
		if (w->retiring) {
			stop_worker(w);
		} else if (c->wait == 0 || status == SQS_OVER_LIMIT || status == SQS_THROTTLED) {
			sim_time pause = dist_sample_time(&c->cfg->idle_backoff, c->r_backoff);

			w->state = W_BACKOFF;
			w->timer = sim_schedule_in(c->sim, pause > 0 ? pause : 1, on_poll_again, w, NULL);
		} else {
			poll(w);
		}
		return;
	}
	c->c.received += rx->n;
	w->state = W_PROCESSING;
	w->idx = 0;
	w->given_back = 0;
	level_add(&c->busy, sim_now(c->sim), +1);
	if (c->cfg->heartbeat.every != SIM_TIME_UNSET)
		w->beat = sim_schedule_in(c->sim, c->cfg->heartbeat.every, on_heartbeat, w, NULL);
	process_next(w);
}

static void poll(struct worker *w)
{
	w->state = W_POLLING;
	sqs_receive(w->c->q, &w->rx);
}

static struct worker *worker_new(struct consumer *c)
{
	struct worker *w = weir_calloc(1, sizeof(*w));

	w->c = c;
	w->rx.done = on_received;
	w->rx.owner = w;
	w->rx.who = c->name;
	w->rx.max = (unsigned)c->cfg->batch_size;
	w->rx.wait = c->cfg->receive_wait;
	w->rx.visibility = c->cfg->visibility_timeout;
	c->w = weir_realloc(c->w, (c->nw + 1) * sizeof(*c->w));
	c->w[c->nw++] = w;
	return w;
}

static uint64_t active_workers(const struct consumer *c)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->nw; i++)
		n += c->w[i]->state != W_IDLE && !c->w[i]->retiring;
	return n;
}

/* Retires one running worker, the most recently added first. */
static void retire_one(struct consumer *c)
{
	for (size_t i = c->nw; i-- > 0;) {
		struct worker *w = c->w[i];

		if (w->state == W_IDLE || w->retiring)
			continue;
		if (w->state == W_PROCESSING) {
			w->retiring = 1;
		} else {
			sqs_receive_cancel(&w->rx);
			sim_cancel(c->sim, w->timer);
			w->timer = SIM_EVENT_NONE;
			stop_worker(w);
		}
		return;
	}
}

/* Starts one worker: a retiring one keeps going, else an idle or new one. */
static void add_one(struct consumer *c)
{
	struct worker *w = NULL;

	for (size_t i = 0; i < c->nw && !w; i++)
		if (c->w[i]->retiring)
			w = c->w[i];
	if (w) {
		w->retiring = 0;
		return;
	}
	for (size_t i = 0; i < c->nw && !w; i++)
		if (c->w[i]->state == W_IDLE)
			w = c->w[i];
	if (!w)
		w = worker_new(c);
	level_add(&c->running, sim_now(c->sim), +1);
	poll(w);
}

static void set_workers(struct consumer *c, uint64_t n)
{
	uint64_t have = active_workers(c);

	for (; have < n; have++)
		add_one(c);
	for (; have > n; have--)
		retire_one(c);
}

static void on_scale(struct sim *sim, void *subject, void *object)
{
	const struct scale_cfg *step = object;

	(void)sim;
	set_workers(subject, (uint64_t)step->workers);
}

static void on_start(struct sim *sim, void *subject, void *object)
{
	struct consumer *c = subject;

	(void)sim;
	(void)object;
	set_workers(c, (uint64_t)c->cfg->workers);
}

struct consumer *consumer_create(struct sim *sim, const char *name, const struct consumer_cfg *cfg,
				 struct sqs_queue *source, struct rng_set *rngs)
{
	struct consumer *c = weir_calloc(1, sizeof(*c));

	c->sim = sim;
	c->name = name;
	c->cfg = cfg;
	c->q = source;
	c->r_processing = rng_stream(rngs, name, "processing");
	c->r_failure = rng_stream(rngs, name, "failure");
	c->r_backoff = rng_stream(rngs, name, "backoff");
	c->wait = cfg->receive_wait != SIM_TIME_UNSET ? cfg->receive_wait : sqs_config(source)->receive_wait;
	c->busy.last = c->running.last = sim_now(sim);
	return c;
}

void consumer_start(struct consumer *c)
{
	sim_schedule(c->sim, 0, on_start, c, NULL);
	for (size_t i = 0; i < c->cfg->schedule.len; i++)
		sim_schedule(c->sim, VEC_AT(&c->cfg->schedule, struct scale_cfg, i)->at, on_scale, c,
			     VEC_AT(&c->cfg->schedule, struct scale_cfg, i));
}

void consumer_destroy(struct consumer *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nw; i++)
		free(c->w[i]);
	free(c->w);
	free(c);
}

const struct consumer_counters *consumer_counters(const struct consumer *c)
{
	return &c->c;
}

void consumer_end_warmup(struct consumer *c)
{
	sim_time now = sim_now(c->sim);

	c->c_warm = c->c;
	c->warm_at = now;
	c->busy_area_warm = level_area(&c->busy, now);
	c->running_area_warm = level_area(&c->running, now);
}

static uint64_t holding(const struct consumer *c)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->nw; i++)
		if (c->w[i]->state == W_PROCESSING)
			n += c->w[i]->rx.n - c->w[i]->idx - c->w[i]->given_back;
	return n;
}

_Static_assert(sizeof(struct consumer_counters) % sizeof(uint64_t) == 0,
	       "consumer_stats subtracts the counters as an array of uint64_t");

void consumer_stats(const struct consumer *c, struct consumer_stats *out)
{
	sim_time now = sim_now(c->sim);
	double span = (double)(now - c->warm_at);

	weir_counters_since(&out->since_warmup, &c->c, &c->c_warm, sizeof(c->c) / sizeof(uint64_t));
	out->mean_busy = span > 0 ? (level_area(&c->busy, now) - c->busy_area_warm) / span : NAN;
	out->mean_workers = span > 0 ? (level_area(&c->running, now) - c->running_area_warm) / span : NAN;
	out->holding = holding(c);
}

bool consumer_ledger(const struct consumer *c)
{
	return c->c.received == c->c.succeeded + c->c.failed + c->c.skipped + holding(c);
}

/* ---- summary ------------------------------------------------------------- */

enum {
	CS_RECEIVED, CS_PROCESSED, CS_FAILED, CS_DUPLICATES, CS_RECEIVES, CS_EMPTY, CS_HB_ERRORS,
	CS_WORKERS, CS_BUSY, CS_UTILIZATION, CS_L_RECEIVED, CS_L_SUCCEEDED, CS_L_FAILED, CS_L_HOLDING,
	CS_SKIPPED, CS_L_SKIPPED, CS_NSTATS
};

static const struct stat_def consumer_stats_defs[CS_NSTATS] = {
	[CS_RECEIVED] = { "MessagesReceived", "count", "Messages the workers received after the warm-up." },
	[CS_PROCESSED] = { "MessagesProcessed", "count", "Messages processed successfully after the warm-up." },
	[CS_FAILED] = { "ProcessingFailures", "count", "Messages whose processing failed after the warm-up." },
	[CS_DUPLICATES] = { "DuplicateProcessings", "count", "Successful processings of messages already processed successfully." },
	[CS_RECEIVES] = { "Receives", "count", "Receive calls after the warm-up." },
	[CS_EMPTY] = { "EmptyReceives", "count", "Receive calls that returned nothing after the warm-up, OverLimit refusals and throttled FIFO receives included (the queue's NumberOfEmptyReceives leaves those out)." },
	[CS_HB_ERRORS] = { "HeartbeatErrors", "count", "Heartbeat visibility changes refused (message gone, stale or past 12 h)." },
	[CS_WORKERS] = { "Workers.mean", "count", "Time-average number of running workers after the warm-up." },
	[CS_BUSY] = { "BusyWorkers.mean", "count", "Time-average number of workers holding a batch after the warm-up." },
	[CS_UTILIZATION] = { "Utilization", "fraction", "BusyWorkers.mean / Workers.mean." },
	[CS_L_RECEIVED] = { "ledger.received", "count", "Whole run: messages received; = succeeded + failed + skipped + holding." },
	[CS_L_SUCCEEDED] = { "ledger.succeeded", "count", "Whole run: messages processed successfully." },
	[CS_L_FAILED] = { "ledger.failed", "count", "Whole run: messages whose processing failed." },
	[CS_L_HOLDING] = { "ledger.holding", "count", "At the end: messages received and not yet finished." },
	[CS_SKIPPED] = { "MessagesSkipped", "count", "FIFO: messages given back unprocessed behind a failed message of their group, after the warm-up." },
	[CS_L_SKIPPED] = { "ledger.skipped", "count", "Whole run: messages given back unprocessed (FIFO)." },
};

const struct stat_family consumer_stat_family = { "Consumer", consumer_stats_defs, CS_NSTATS };

void consumer_summarize(const struct consumer *c, struct summary *s)
{
	struct consumer_stats st;
	const struct consumer_counters *w = &st.since_warmup;
	double v[CS_NSTATS];

	consumer_stats(c, &st);
	v[CS_RECEIVED] = (double)w->received;
	v[CS_PROCESSED] = (double)w->succeeded;
	v[CS_FAILED] = (double)w->failed;
	v[CS_DUPLICATES] = (double)w->duplicates;
	v[CS_RECEIVES] = (double)w->receives;
	v[CS_EMPTY] = (double)w->empty_receives;
	v[CS_HB_ERRORS] = (double)w->heartbeat_errors;
	v[CS_WORKERS] = st.mean_workers;
	v[CS_BUSY] = st.mean_busy;
	v[CS_UTILIZATION] = st.mean_workers > 0 ? st.mean_busy / st.mean_workers : NAN;
	v[CS_L_RECEIVED] = (double)c->c.received;
	v[CS_L_SUCCEEDED] = (double)c->c.succeeded;
	v[CS_L_FAILED] = (double)c->c.failed;
	v[CS_L_HOLDING] = (double)st.holding;
	v[CS_SKIPPED] = (double)w->skipped;
	v[CS_L_SKIPPED] = (double)c->c.skipped;
	for (size_t i = 0; i < (sqs_fifo(c->q) ? CS_NSTATS : CS_SKIPPED); i++)
		summary_add(s, c->name, "consumer", &consumer_stats_defs[i], v[i]);
}

/*
 * sns.c - SNS standard topics: fan-out, filters, deliveries and their
 * retries (aws-behaviour §7.1, §7.2).
 *
 * A publish is handled at once: every subscription either filters it out or
 * makes a delivery, whose first attempt happens at the publish instant
 * (weir gives SNS no internal latency). A delivery that fails for an outage
 * becomes a pooled object with one pending retry event; it ends delivered,
 * in the dead-letter queue, or dropped. Immediate retries are still one
 * event each (at the same instant), so every attempt is seen the same way.
 */
#include "weir/sns.h"
#include "weir/seen.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* A delivery waiting for a retry (or, on a FIFO topic, behind one). */
struct delivery {
	struct sns_sub *sub;
	struct delivery *next;       /* FIFO: the subscription's waiting deliveries */
	sim_time published_at;       /* this publish (DeliveryDelay counts from it) */
	sim_time born_at;            /* the producer's first attempt (end-to-end latency) */
	uint32_t size;               /* bytes as delivered (envelope included) */
	bool poison;
	uint32_t group;              /* FIFO */
	uint64_t dedup;
	uint64_t attempts;           /* made so far */
};

struct sns_sub {
	struct sns_topic *t;
	const struct sns_sub_cfg *cfg;
	char *name;                  /* TOPIC.SUBSCRIPTION */
	struct sns_endpoint e;
	struct sns_sub_counters c, c_warm;
	uint64_t pending;
	uint64_t queue_sends;        /* deliveries and DLQ sends into queues */
	struct hist delay_period, delay_total;   /* publish -> delivered, us */
	size_t next_outage;          /* the first outage not over when last looked at */
	struct delivery *head, *tail;   /* FIFO: the delivery retrying, then those behind it */
	gsl_rng *r_filter, *r_jitter;   /* its own streams: one subscription never moves another's draws */
};

struct sns_topic {
	struct sim *sim;
	const char *name;
	const struct sns_topic_cfg *cfg;
	struct sns_sub *subs;
	size_t nsubs;
	struct pool deliveries;      /* struct delivery */
	sns_attempt_fn *hook;
	void *hook_ctx;
	struct sns_topic_counters c, c_warm;
	struct seen *dedup;          /* FIFO: ids seen in the last 5 minutes */
	sim_time window;             /* FIFO, topic scope: the current 1-second window ... */
	uint64_t window_msgs;        /* ... its messages ... */
	double window_bytes;         /* ... and bytes */
};

_Static_assert(sizeof(struct sns_topic_counters) % sizeof(uint64_t) == 0, "counters are uint64_t only");
_Static_assert(sizeof(struct sns_sub_counters) % sizeof(uint64_t) == 0, "counters are uint64_t only");

/* ---- the retry policy (§7.2) ------------------------------------------------ */

enum phase_kind { PHASE_FIXED, PHASE_EXPONENTIAL };

/* One phase of a delivery policy: `retries` retries, their delays from `min` to `max`. */
struct retry_phase {
	uint64_t retries;
	enum phase_kind kind;
	sim_time min, max;
};

/* The AWS-managed policy of Lambda and SQS endpoints (§7.2), in order. */
static const struct retry_phase managed_policy[] = {
	{ SNS_RETRY_IMMEDIATE, PHASE_FIXED, 0, 0 },
	{ SNS_RETRY_PRE_BACKOFF, PHASE_FIXED, SNS_PRE_BACKOFF_DELAY, SNS_PRE_BACKOFF_DELAY },
	{ SNS_RETRY_BACKOFF, PHASE_EXPONENTIAL, SNS_BACKOFF_MIN, SNS_BACKOFF_MAX },
	{ SNS_RETRY_POST_BACKOFF, PHASE_FIXED, SNS_POST_BACKOFF_DELAY, SNS_POST_BACKOFF_DELAY },
};

_Static_assert(SNS_RETRIES_TOTAL == 100015, "the AWS-managed policy makes 100,015 retries (aws-behaviour §7.2)");

/*
 * The k-th of n exponential delays from min to max: min * (max/min)^(k/(n-1)),
 * so the first is min and the last max (1 s, 1.39 s, 1.95 s ... 20 s). §7.2
 * names the bounds, not the curve; this is the geometric one.
 */
static sim_time exponential_delay(const struct retry_phase *p, uint64_t k)
{
	double ratio = (double)p->max / (double)p->min;

	if (p->retries < 2)
		return p->min;
	return sim_round_us((double)p->min * pow(ratio, (double)k / (double)(p->retries - 1)));
}

sim_time sns_retry_delay(uint64_t retry)
{
	uint64_t k = retry;

	if (retry == 0)
		return -1;
	k--;   /* 0-based within the whole policy */
	for (size_t i = 0; i < sizeof(managed_policy) / sizeof(managed_policy[0]); i++) {
		const struct retry_phase *p = &managed_policy[i];

		if (k < p->retries)
			return p->kind == PHASE_EXPONENTIAL ? exponential_delay(p, k) : p->min;
		k -= p->retries;
	}
	return -1;
}

/* ---- deliveries --------------------------------------------------------------- */

/* Outages are in time order and time only moves on: skip those that have ended. */
static bool in_outage(struct sns_sub *s, sim_time now)
{
	const struct vec *v = &s->cfg->outages;

	while (s->next_outage < v->len) {
		const struct sns_outage_cfg *o = VEC_AT(v, struct sns_outage_cfg, s->next_outage);

		if (now - o->at < o->length || now < o->at)
			return now >= o->at;
		s->next_outage++;
	}
	return false;
}

enum attempt_result { ATTEMPT_DELIVERED, ATTEMPT_SERVER_ERROR, ATTEMPT_CLIENT_ERROR };

/*
 * Sends a delivery to a queue; FIFO ones keep their group and deduplication
 * id (§7.3). A send to the subscription's dead-letter queue is neither
 * throttled nor deduplicated (`dlq`; docs/fidelity.md).
 */
static enum sqs_status send_to(struct sns_sub *s, struct sqs_queue *q, const struct delivery *d, bool dlq)
{
	struct sqs_send req = { .size = d->size, .delay = SIM_TIME_UNSET, .born_at = d->born_at,
				.flags = d->poison ? SQS_MSG_POISON : 0, .sender = s->name,
				.group = d->group, .dedup = d->dedup, .internal = dlq };

	return sqs_send(q, &req);
}

/* Hands the message to the endpoint: a send to the queue, or an asynchronous invoke (§7.1). */
static enum attempt_result hand_over(struct sns_sub *s, const struct delivery *d)
{
	if (in_outage(s, sim_now(s->t->sim)))
		return ATTEMPT_SERVER_ERROR;
	if (s->e.queue) {
		enum sqs_status st = send_to(s, s->e.queue, d, false);

		if (st == SQS_THROTTLED)
			return ATTEMPT_SERVER_ERROR;   /* a FIFO queue over its throughput: retried */
		if (st == SQS_TOO_LARGE)
			return ATTEMPT_CLIENT_ERROR;   /* larger than the queue's maximum_message_size */
		s->queue_sends++;   /* stored, or accepted as a duplicate (§2.2) */
		return ATTEMPT_DELIVERED;
	}
	/* Lambda accepting the event (202) ends SNS's part; its async retries follow (§9). */
	return lambda_invoke_async(s->e.fn, d->size, d->poison) ? ATTEMPT_DELIVERED : ATTEMPT_CLIENT_ERROR;
}

/* The delivery failed for good: the subscription's DLQ, or nowhere (§7.1, §7.2). */
static void give_up(struct sns_sub *s, const struct delivery *d)
{
	if (s->e.dlq) {
		enum sqs_status st = send_to(s, s->e.dlq, d, true);

		if (st == SQS_OK) {
			s->queue_sends++;
			s->c.to_dlq++;
			return;
		}
	}
	s->c.dropped++;
}

static void delivered(struct sns_sub *s, sim_time published_at)
{
	sim_time d = sim_now(s->t->sim) - published_at;

	s->c.delivered++;
	hist_record(&s->delay_period, d);
	hist_record(&s->delay_total, d);
}

static void on_retry(struct sim *sim, void *subject, void *object);

/*
 * One attempt of a delivery (attempts made before: d->attempts); frees d
 * when it ends. Returns true when d ended, false when a retry is pending.
 */
static bool attempt(struct delivery *d)
{
	struct sns_sub *s = d->sub;
	struct sns_topic *t = s->t;
	enum attempt_result r = hand_over(s, d);
	sim_time delay;

	d->attempts++;
	if (t->hook)
		t->hook(t->hook_ctx, s, d->attempts, r != ATTEMPT_DELIVERED, d->published_at, sim_now(t->sim));
	if (r == ATTEMPT_DELIVERED) {
		delivered(s, d->published_at);
		pool_put(&t->deliveries, d);
		return true;
	}
	s->c.failed_attempts++;   /* NumberOfNotificationsFailed counts each failed attempt */
	delay = r == ATTEMPT_SERVER_ERROR ? sns_retry_delay(d->attempts) : -1;
	if (r == ATTEMPT_CLIENT_ERROR)
		s->c.client_errors++;   /* not retried (§7.1) */
	if (delay < 0) {
		give_up(s, d);
		pool_put(&t->deliveries, d);
		return true;
	}
	if (delay > 0 && t->cfg->retry_jitter > 0)
		delay = sim_round_us((double)delay * (1 + t->cfg->retry_jitter * (2 * gsl_rng_uniform(s->r_jitter) - 1)));
	s->c.retries++;
	s->pending++;
	sim_schedule_in(t->sim, delay, on_retry, d, NULL);
	return false;
}

/*
 * FIFO: attempts the subscription's waiting deliveries in publish order
 * until one has to wait for a retry, which then heads the line (§7.3).
 */
static void drain(struct sns_sub *s)
{
	struct delivery *d;

	while ((d = s->head)) {
		s->head = d->next;
		if (!s->head)
			s->tail = NULL;
		d->next = NULL;
		s->pending--;
		if (!attempt(d)) {
			/* attempt() counted it pending again: it heads the line. */
			d->next = s->head;
			s->head = d;
			if (!s->tail)
				s->tail = d;
			return;
		}
	}
}

static void on_retry(struct sim *sim, void *subject, void *object)
{
	struct delivery *d = subject;
	struct sns_sub *s = d->sub;

	(void)sim;
	(void)object;
	if (s->t->cfg->fifo) {
		WEIR_ASSERT(s->head == d);
		drain(s);   /* d first, then those behind it */
		return;
	}
	s->pending--;
	attempt(d);
}

static bool matches(struct sns_sub *s, const struct sns_publish *m)
{
	const struct sns_filter_cfg *f = &s->cfg->filter;

	if (!f->head.node)
		return true;
	if (!isnan(f->fraction))
		return gsl_rng_uniform(s->r_filter) < f->fraction;
	for (unsigned i = 0; i < m->nattrs; i++)
		if (strcmp(m->attrs[i].name, f->attribute.name) == 0)
			return strcmp(m->attrs[i].value, f->attribute.equals) == 0;
	return false;   /* a message without the attribute does not match */
}

/*
 * FIFO topic scope: 3,000 messages and 20 MB per second per topic (§7.3),
 * in the 1-second windows of the clock. Message-group scope raises the
 * limit to the Region's maximums, which weir does not limit.
 */
static bool publish_allowed(struct sns_topic *t, uint32_t size, sim_time now)
{
	if (t->cfg->fifo_throughput_scope == SNS_SCOPE_MESSAGE_GROUP)
		return true;
	if (sim_window(&t->window, now, SIM_SEC)) {
		t->window_msgs = 0;
		t->window_bytes = 0;
	}
	if (t->window_msgs >= SNS_FIFO_TOPIC_MSGS_PER_SEC ||
	    t->window_bytes + size > SNS_FIFO_TOPIC_BYTES_PER_SEC)
		return false;
	t->window_msgs++;
	t->window_bytes += size;
	return true;
}

/* FIFO: a repeat within 5 minutes, topic-wide or per group (§7.3). */
static bool duplicate(struct sns_topic *t, const struct sns_publish *m, sim_time now)
{
	return seen_check(t->dedup,
			  sqs_dedup_key(m->dedup, m->group, t->cfg->fifo_throughput_scope == SNS_SCOPE_MESSAGE_GROUP),
			  now);
}

enum sns_status sns_publish(struct sns_topic *t, const struct sns_publish *m)
{
	sim_time now = sim_now(t->sim);
	sim_time born = m->born_at != SIM_TIME_UNSET ? m->born_at : now;

	if ((double)m->size > SNS_MESSAGE_SIZE_MAX) {
		t->c.too_large++;
		return SNS_TOO_LARGE;
	}
	if (t->cfg->fifo) {
		if (!publish_allowed(t, m->size, now)) {
			t->c.throttled++;
			return SNS_THROTTLED;
		}
		if (duplicate(t, m, now)) {
			t->c.deduplicated++;   /* accepted, not delivered (§7.3) */
			return SNS_DEDUPLICATED;
		}
	}
	t->c.published++;
	t->c.published_bytes += m->size;
	for (size_t i = 0; i < t->nsubs; i++) {
		struct sns_sub *s = &t->subs[i];
		struct delivery *d;
		double size = (double)m->size;

		if (!matches(s, m)) {
			s->c.filtered_out++;
			continue;
		}
		s->c.matched++;
		if (!s->cfg->raw)
			size += SNS_JSON_OVERHEAD_BYTES;
		d = pool_get(&t->deliveries);
		d->sub = s;
		d->next = NULL;
		d->published_at = now;
		d->born_at = born;
		d->size = (uint32_t)size;
		d->poison = m->poison;
		d->group = m->group;
		d->dedup = m->dedup;
		d->attempts = 0;
		if (s->head) {   /* FIFO: behind a delivery waiting for its retry (§7.3) */
			s->tail->next = d;
			s->tail = d;
			s->pending++;
			continue;
		}
		if (!attempt(d) && t->cfg->fifo)
			s->head = s->tail = d;
	}
	return SNS_OK;
}

bool sns_fifo(const struct sns_topic *t)
{
	return t->cfg->fifo;
}

/* ---- life ----------------------------------------------------------------------- */

struct sns_topic *sns_create(struct sim *sim, const char *name, const struct sns_topic_cfg *cfg,
			     struct rng_set *rngs)
{
	struct sns_topic *t = weir_calloc(1, sizeof(*t));

	t->sim = sim;
	t->name = name;
	t->cfg = cfg;
	t->nsubs = cfg->subscriptions.len;
	t->subs = weir_calloc(t->nsubs ? t->nsubs : 1, sizeof(*t->subs));
	for (size_t i = 0; i < t->nsubs; i++) {
		struct sns_sub *s = &t->subs[i];

		s->t = t;
		s->cfg = VEC_AT(&cfg->subscriptions, struct sns_sub_cfg, i);
		s->name = weir_asprintf("%s.%s", name, s->cfg->name);
		s->r_filter = rng_stream(rngs, s->name, "filter");
		s->r_jitter = rng_stream(rngs, s->name, "retry");
		hist_init(&s->delay_period);
		hist_init(&s->delay_total);
	}
	pool_init(&t->deliveries, sizeof(struct delivery), 256);
	if (cfg->fifo) {
		t->dedup = weir_calloc(1, sizeof(*t->dedup));
		seen_init(t->dedup, SNS_FIFO_DEDUP_INTERVAL);
		t->window = -1;
	}
	return t;
}

void sns_set_endpoint(struct sns_topic *t, size_t i, struct sns_endpoint e)
{
	WEIR_ASSERT(i < t->nsubs && (e.queue != NULL) + (e.fn != NULL) == 1);
	t->subs[i].e = e;
}

void sns_destroy(struct sns_topic *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nsubs; i++) {
		free(t->subs[i].name);
		hist_release(&t->subs[i].delay_period);
		hist_release(&t->subs[i].delay_total);
	}
	pool_release(&t->deliveries);
	if (t->dedup)
		seen_release(t->dedup);
	free(t->dedup);
	free(t->subs);
	free(t);
}

void sns_set_attempt_hook(struct sns_topic *t, sns_attempt_fn *fn, void *ctx)
{
	t->hook = fn;
	t->hook_ctx = ctx;
}

const char *sns_name(const struct sns_topic *t) { return t->name; }
const struct sns_topic_counters *sns_counters(const struct sns_topic *t) { return &t->c; }
size_t sns_sub_count(const struct sns_topic *t) { return t->nsubs; }
struct sns_sub *sns_sub_at(struct sns_topic *t, size_t i) { return i < t->nsubs ? &t->subs[i] : NULL; }
const char *sns_sub_name(const struct sns_sub *s) { return s->name; }
const struct sns_sub_counters *sns_sub_counters(const struct sns_sub *s) { return &s->c; }
uint64_t sns_sub_pending(const struct sns_sub *s) { return s->pending; }
struct sqs_queue *sns_sub_queue(const struct sns_sub *s) { return s->e.queue; }

uint64_t sns_queue_sends(const struct sns_topic *t)
{
	uint64_t n = 0;

	for (size_t i = 0; i < t->nsubs; i++)
		n += t->subs[i].queue_sends;
	return n;
}

bool sns_ledger(const struct sns_topic *t, FILE *err)
{
	bool ok = true;

	for (size_t i = 0; i < t->nsubs; i++) {
		const struct sns_sub *s = &t->subs[i];
		const struct sns_sub_counters *c = &s->c;

		if (c->matched == c->delivered + c->to_dlq + c->dropped + s->pending &&
		    t->c.published == c->matched + c->filtered_out)
			continue;
		ok = false;
		fprintf(err, "weir: internal error: the ledger of subscription '%s' does not balance: matched %llu"
			" != delivered %llu + to DLQ %llu + dropped %llu + pending %llu, or published %llu"
			" != matched + filtered out %llu\n",
			s->name, (unsigned long long)c->matched, (unsigned long long)c->delivered,
			(unsigned long long)c->to_dlq, (unsigned long long)c->dropped,
			(unsigned long long)s->pending, (unsigned long long)t->c.published,
			(unsigned long long)c->filtered_out);
	}
	return ok;
}

/* ---- metrics and summary --------------------------------------------------------- */

enum { TM_PUBLISHED, TM_SIZE, TM_TOO_LARGE, TM_DEDUPLICATED, TM_THROTTLED, TM_NDEFS };

static const struct metric_def topic_defs[TM_NDEFS] = {
	[TM_PUBLISHED] = { "NumberOfMessagesPublished", "count", METRIC_SUM, "§7.1",
			   "Messages the topic accepted." },
	[TM_SIZE] = { "PublishSize", "bytes", METRIC_AVERAGE, "§7.1",
		      "Mean size of the messages published in the period." },
	[TM_DEDUPLICATED] = { "PublishesDeduplicated", "count", METRIC_SUM, "§7.3",
			      "FIFO topics, weir: publishes accepted as duplicates within the 5-minute interval and not delivered (not in NumberOfMessagesPublished)." },
	[TM_THROTTLED] = { "PublishesThrottled", "count", METRIC_SUM, "§7.3",
			   "FIFO topics, weir: publishes refused above the topic's 3,000 messages (20 MB) a second." },
	[TM_TOO_LARGE] = { "PublishesTooLarge", "count", METRIC_SUM, NULL,
			   "weir: publishes refused as larger than 256 KiB (model parameter)." },
};

const struct metric_family sns_topic_metric_family = {
	.kind = "SNS topic",
	.intro = "One set per topic, named `TOPIC/Metric`.",
	.defs = topic_defs,
	.ndefs = TM_NDEFS,
};

enum {
	SM_DELIVERED, SM_FAILED, SM_FILTERED, SM_TO_DLQ, SM_DROPPED, SM_RETRIES, SM_PENDING, SM_DELAY,
	SM_NDEFS
};

static const struct metric_def sub_defs[SM_NDEFS] = {
	[SM_DELIVERED] = { "NumberOfNotificationsDelivered", "count", METRIC_SUM, "§7.1",
			   "Deliveries the endpoint accepted (a send to the queue, or an event Lambda queued)." },
	[SM_FAILED] = { "NumberOfNotificationsFailed", "count", METRIC_SUM, "§7.2",
			"Failed delivery attempts, each retry counted (as CloudWatch counts them)." },
	[SM_FILTERED] = { "NumberOfNotificationsFilteredOut", "count", METRIC_SUM, "§7.1",
			  "Published messages the subscription's filter policy did not match." },
	[SM_TO_DLQ] = { "NotificationsRedrivenToDlq", "count", METRIC_SUM, "§7.2",
			"weir: messages sent to the subscription's dead-letter queue after the last attempt or a client-side error." },
	[SM_DROPPED] = { "NotificationsDropped", "count", METRIC_SUM, "§7.2",
			 "weir: messages whose delivery finally failed with no dead-letter queue to take them." },
	[SM_RETRIES] = { "DeliveryRetries", "count", METRIC_SUM, "§7.2",
			 "weir: retries scheduled by the delivery policy." },
	[SM_PENDING] = { "DeliveriesPending", "count", METRIC_GAUGE, "§7.2",
			 "weir: deliveries waiting for a retry (on a FIFO topic, or behind one) at the end of the period." },
	[SM_DELAY] = { "DeliveryDelay", "seconds", METRIC_PERCENTILES, "§7.2",
		       "weir: time from the publish to the delivery, of the deliveries in the period (0 without retries; on a FIFO topic also the wait behind a retrying delivery)." },
};

const struct metric_family sns_sub_metric_family = {
	.kind = "SNS subscription",
	.intro = "One set per subscription, named `TOPIC.SUBSCRIPTION/Metric` (the subscription's `name`, by default its endpoint's). CloudWatch reports these per topic; weir splits them by subscription.",
	.prefix = "TOPIC.SUBSCRIPTION",
	.defs = sub_defs,
	.ndefs = SM_NDEFS,
};

static double g_pending(const void *ctx)
{
	return (double)((const struct sns_sub *)ctx)->pending;
}

void sns_register_metrics(struct sns_topic *t, struct metrics *m)
{
	metrics_sum(m, t->name, &topic_defs[TM_PUBLISHED], &t->c.published);
	metrics_average(m, t->name, &topic_defs[TM_SIZE], &t->c.published_bytes, &t->c.published, 1.0);
	metrics_sum(m, t->name, &topic_defs[TM_TOO_LARGE], &t->c.too_large);
	if (t->cfg->fifo) {
		metrics_sum(m, t->name, &topic_defs[TM_DEDUPLICATED], &t->c.deduplicated);
		metrics_sum(m, t->name, &topic_defs[TM_THROTTLED], &t->c.throttled);
	}
	for (size_t i = 0; i < t->nsubs; i++) {
		struct sns_sub *s = &t->subs[i];

		metrics_sum(m, s->name, &sub_defs[SM_DELIVERED], &s->c.delivered);
		metrics_sum(m, s->name, &sub_defs[SM_FAILED], &s->c.failed_attempts);
		metrics_sum(m, s->name, &sub_defs[SM_FILTERED], &s->c.filtered_out);
		metrics_sum(m, s->name, &sub_defs[SM_TO_DLQ], &s->c.to_dlq);
		metrics_sum(m, s->name, &sub_defs[SM_DROPPED], &s->c.dropped);
		metrics_sum(m, s->name, &sub_defs[SM_RETRIES], &s->c.retries);
		metrics_gauge(m, s->name, &sub_defs[SM_PENDING], g_pending, s);
		metrics_percentiles(m, s->name, &sub_defs[SM_DELAY], &s->delay_period, 1e-6);
	}
}

void sns_end_warmup(struct sns_topic *t)
{
	t->c_warm = t->c;
	for (size_t i = 0; i < t->nsubs; i++) {
		t->subs[i].c_warm = t->subs[i].c;
		hist_reset(&t->subs[i].delay_total);
	}
}

enum { TS_PUBLISHED, TS_SIZE, TS_TOO_LARGE, TS_L_PUBLISHED, TS_L_TOO_LARGE, TS_DEDUPLICATED, TS_THROTTLED,
       TS_NSTATS };

static const struct stat_def topic_stats_defs[TS_NSTATS] = {
	[TS_PUBLISHED] = { "NumberOfMessagesPublished", "count", "Messages published after the warm-up." },
	[TS_SIZE] = { "PublishSize.mean", "bytes", "Mean size of those messages." },
	[TS_TOO_LARGE] = { "PublishesTooLarge", "count", "Publishes refused as larger than 256 KiB after the warm-up." },
	[TS_L_PUBLISHED] = { "ledger.published", "count", "Whole run: published; for every subscription = matched + filtered_out." },
	[TS_L_TOO_LARGE] = { "ledger.too_large", "count", "Whole run: refused for their size." },
	[TS_DEDUPLICATED] = { "PublishesDeduplicated", "count", "FIFO: publishes dropped as duplicates after the warm-up." },
	[TS_THROTTLED] = { "PublishesThrottled", "count", "FIFO: publishes throttled after the warm-up." },
};

const struct stat_family sns_topic_stat_family = { "SNS topic", topic_stats_defs, TS_NSTATS };

enum {
	SS_DELIVERED, SS_FAILED, SS_FILTERED, SS_TO_DLQ, SS_DROPPED, SS_RETRIES, SS_CLIENT, SS_DELAY_P50,
	SS_DELAY_P99, SS_DELAY_MAX, SS_L_MATCHED, SS_L_FILTERED, SS_L_DELIVERED, SS_L_TO_DLQ, SS_L_DROPPED,
	SS_L_PENDING, SS_NSTATS
};

static const struct stat_def sub_stats_defs[SS_NSTATS] = {
	[SS_DELIVERED] = { "NumberOfNotificationsDelivered", "count", "Deliveries after the warm-up." },
	[SS_FAILED] = { "NumberOfNotificationsFailed", "count", "Failed attempts after the warm-up (each retry counts)." },
	[SS_FILTERED] = { "NumberOfNotificationsFilteredOut", "count", "Messages the filter did not match after the warm-up." },
	[SS_TO_DLQ] = { "NotificationsRedrivenToDlq", "count", "Sent to the subscription's DLQ after the warm-up." },
	[SS_DROPPED] = { "NotificationsDropped", "count", "Given up with no DLQ after the warm-up." },
	[SS_RETRIES] = { "DeliveryRetries", "count", "Retries after the warm-up." },
	[SS_CLIENT] = { "ClientErrors", "count", "Attempts refused by the endpoint (size): not retried, after the warm-up." },
	[SS_DELAY_P50] = { "DeliveryDelay.p50", "seconds", "Median time from publish to delivery (within 0.4%)." },
	[SS_DELAY_P99] = { "DeliveryDelay.p99", "seconds", "99th percentile of that time (within 0.4%)." },
	[SS_DELAY_MAX] = { "DeliveryDelay.max", "seconds", "Longest of that time (exact)." },
	[SS_L_MATCHED] = { "ledger.matched", "count", "Whole run: messages the filter matched; = delivered + to_dlq + dropped + pending." },
	[SS_L_FILTERED] = { "ledger.filtered_out", "count", "Whole run: filtered out; matched + filtered_out = the topic's ledger.published." },
	[SS_L_DELIVERED] = { "ledger.delivered", "count", "Whole run: delivered." },
	[SS_L_TO_DLQ] = { "ledger.to_dlq", "count", "Whole run: sent to the DLQ." },
	[SS_L_DROPPED] = { "ledger.dropped", "count", "Whole run: dropped." },
	[SS_L_PENDING] = { "ledger.pending", "count", "At the end: waiting for a retry (on a FIFO topic, or behind one)." },
};

const struct stat_family sns_sub_stat_family = { "SNS subscription", sub_stats_defs, SS_NSTATS };

static void summarize_sub(const struct sns_sub *s, struct summary *sum)
{
	struct sns_sub_counters w;
	double v[SS_NSTATS];

	weir_counters_since(&w, &s->c, &s->c_warm, sizeof(w) / sizeof(uint64_t));
	v[SS_DELIVERED] = (double)w.delivered;
	v[SS_FAILED] = (double)w.failed_attempts;
	v[SS_FILTERED] = (double)w.filtered_out;
	v[SS_TO_DLQ] = (double)w.to_dlq;
	v[SS_DROPPED] = (double)w.dropped;
	v[SS_RETRIES] = (double)w.retries;
	v[SS_CLIENT] = (double)w.client_errors;
	v[SS_DELAY_P50] = hist_quantile(&s->delay_total, 0.50) * 1e-6;
	v[SS_DELAY_P99] = hist_quantile(&s->delay_total, 0.99) * 1e-6;
	v[SS_DELAY_MAX] = hist_quantile(&s->delay_total, 1.0) * 1e-6;
	v[SS_L_MATCHED] = (double)s->c.matched;
	v[SS_L_FILTERED] = (double)s->c.filtered_out;
	v[SS_L_DELIVERED] = (double)s->c.delivered;
	v[SS_L_TO_DLQ] = (double)s->c.to_dlq;
	v[SS_L_DROPPED] = (double)s->c.dropped;
	v[SS_L_PENDING] = (double)s->pending;
	for (size_t i = 0; i < SS_NSTATS; i++)
		summary_add(sum, s->name, "subscription", &sub_stats_defs[i], v[i]);
}

void sns_summarize(const struct sns_topic *t, struct summary *sum)
{
	struct sns_topic_counters w;
	double v[TS_NSTATS];

	weir_counters_since(&w, &t->c, &t->c_warm, sizeof(w) / sizeof(uint64_t));
	v[TS_PUBLISHED] = (double)w.published;
	v[TS_SIZE] = w.published ? (double)w.published_bytes / (double)w.published : NAN;
	v[TS_TOO_LARGE] = (double)w.too_large;
	v[TS_L_PUBLISHED] = (double)t->c.published;
	v[TS_L_TOO_LARGE] = (double)t->c.too_large;
	v[TS_DEDUPLICATED] = (double)w.deduplicated;
	v[TS_THROTTLED] = (double)w.throttled;
	for (size_t i = 0; i < (t->cfg->fifo ? TS_NSTATS : TS_DEDUPLICATED); i++)
		summary_add(sum, t->name, "topic", &topic_stats_defs[i], v[i]);
	for (size_t i = 0; i < t->nsubs; i++)
		summarize_sub(&t->subs[i], sum);
}

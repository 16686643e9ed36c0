/*
 * esm.c - the SQS event source mapping (aws-behaviour §5).
 *
 * Each poller is in one state: RECEIVING (a long poll is out, the batch
 * may be partly filled), INVOKING, BACKOFF (waiting to retry a throttled
 * invoke) or STOPPED. A batch's records are held (receipts) from their
 * receive to the end of the invocation, when each is deleted or returned.
 * A controller ticking once a second moves the target number of pollers
 * and starts or retires pollers to match it.
 */
#include "weir/esm.h"
#include "weir/kesm.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum poller_state { P_STOPPED, P_RECEIVING, P_INVOKING, P_BACKOFF };

struct poller {
	struct esm *e;
	struct sqs_receiver rx;
	struct sqs_receipt *batch;       /* batch_size receipts */
	uint8_t *poison, *failed;
	uint32_t n;
	double bytes;
	struct sqs_receipt carry[SQS_RECEIVE_MAX];  /* received, past the payload cap */
	uint32_t ncarry;
	sim_time deadline;               /* when the first record's visibility ends */
	sim_time window_end;             /* SIM_TIME_UNSET: no window running */
	sim_event_id window_timer, retry_timer;
	sim_time retry_delay;
	struct lambda_invocation inv;
	int state;
	bool retiring;
};

struct esm {
	struct sim *sim;
	const struct trigger_cfg *cfg;
	const char *name;
	struct sqs_queue *q;
	struct lambda_fn *f;
	double target, ceiling, ramp_per_sec;
	struct poller **p;
	size_t np;
	struct level pollers;            /* running pollers: the mapping's concurrency */
	sim_time vt;                     /* visibility timeout its receives ask for */
	sim_time idle_since;             /* SIM_TIME_UNSET while not idle */
	bool backed_off;                 /* a throttle or a counted error since the last tick */
	sim_event_id tick;
	struct esm_counters c, c_warm;
	sim_time warm_at;
	double pollers_area_warm;
	uint64_t max_pollers;
};

static sim_time now_of(const struct esm *e)
{
	return sim_now(e->sim);
}

sim_time esm_visibility(const struct trigger_cfg *t, sim_time queue_visibility, sim_time function_timeout)
{
	sim_time need = t->maximum_batching_window + function_timeout;

	/* If window + timeout exceed the visibility timeout, the effective one is window + timeout + 30 s (§5.4). */
	return need > queue_visibility ? need + ESM_VISIBILITY_MARGIN : queue_visibility;
}

/* ---- pollers ------------------------------------------------------------- */

static void receive(struct poller *p);
static void invoke(struct poller *p);
static bool batch_ready(const struct poller *p);
static void start_window(struct poller *p);
static void trace_batch(const struct poller *p, const char *event);
static double floor_of(const struct esm *e);

static double record_bytes(const struct sqs_receipt *r)
{
	return (double)r->msg->size + ESM_RECORD_OVERHEAD_BYTES;
}

static void add_record(struct poller *p, struct sqs_receipt r)
{
	sim_time ends = sim_add(r.msg->received_at, p->e->vt);   /* this record's visibility */

	if (p->n == 0 || ends < p->deadline)
		p->deadline = ends;
	p->batch[p->n] = r;
	p->poison[p->n] = sqs_receipt_poison(&r);
	p->bytes += record_bytes(&r);
	p->n++;
}

/*
 * Whether a record goes to the next batch: the 6 MB payload is full (§5.1),
 * or, from a FIFO queue, an earlier record of the receive already waits
 * for the next batch, which no later one may overtake (§5.5).
 */
static bool held_over(const struct poller *p, const struct sqs_receipt *r, bool earlier_held)
{
	return (p->n > 0 && p->bytes + record_bytes(r) > ESM_PAYLOAD_MAX) ||
	       (earlier_held && sqs_fifo(p->e->q));
}

/*
 * Starts the next batch with the records a full payload left over, as many
 * as fit within 6 MB (§5.1); the rest stay for the batch after.
 */
static void take_carried(struct poller *p)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < p->ncarry; i++) {
		if (held_over(p, &p->carry[i], kept > 0))
			p->carry[kept++] = p->carry[i];
		else
			add_record(p, p->carry[i]);
	}
	p->ncarry = kept;
}

/*
 * FIFO: the records a full payload held over came after the batch, so
 * after a failure in it they go back unprocessed too: invoking them would
 * let them overtake the failed records of their groups (§5.4, §5.5).
 */
static void return_carried(struct poller *p)
{
	struct esm *e = p->e;

	for (uint32_t i = 0; i < p->ncarry; i++) {
		sqs_trace_receipt(e->q, &p->carry[i], "returned-unprocessed", e->name);
		e->c.returned++;
		sqs_release(e->q, &p->carry[i]);
	}
	p->ncarry = 0;
}

/*
 * Gives every record back and starts afresh: deletes the records that
 * succeeded, or none when the whole batch failed (all_failed names why, for
 * the trace: "invocation-failed", "batch-released").
 */
static void settle(struct poller *p, const char *all_failed)
{
	struct esm *e = p->e;

	bool fifo = sqs_fifo(e->q), stopped = false;

	for (uint32_t i = 0; i < p->n; i++) {
		struct sqs_receipt *r = &p->batch[i];
		bool item_failed = p->inv.item_failures && p->failed[i];

		/*
		 * FIFO with ReportBatchItemFailures: the handler stops at the
		 * first failure and reports it and every later record (§5.4), so
		 * nothing is deleted ahead of a failed record of its group.
		 */
		if (fifo && p->inv.item_failures && !all_failed) {
			stopped |= item_failed;
			if (stopped && !item_failed) {
				item_failed = true;
				p->failed[i] = 1;
			}
		}
		sqs_trace_receipt(e->q, r, all_failed ? all_failed : item_failed ? "item-failed" : "processed",
				  e->name);
		if (!all_failed && !item_failed) {
			if (sqs_processed(e->q, r))
				e->c.duplicates++;
			if (sqs_delete(e->q, r) == SQS_STALE)
				e->c.stale_deletes++;   /* received again meanwhile: the delete does nothing (§1.7) */
			else
				e->c.deleted++;
		} else {
			e->c.returned++;   /* reappears when its visibility timeout ends (§5.4) */
		}
		sqs_release(e->q, r);
	}
	p->n = 0;
	p->bytes = 0;
	p->window_end = SIM_TIME_UNSET;
	p->retry_delay = ESM_RETRY_FIRST;   /* each batch's throttle retries start afresh (§5.4) */
	if (fifo && (all_failed || stopped))
		return_carried(p);
	take_carried(p);
}

static void set_state(struct poller *p, int state)
{
	p->state = state;
}

static void stop(struct poller *p)
{
	set_state(p, P_STOPPED);
	p->retiring = false;
	level_add(&p->e->pollers, now_of(p->e), -1);
}

/*
 * After a batch: the next one, unless the controller retired this poller.
 * A batch that starts with carried records invokes at once if it is ready,
 * else its batching window starts now.
 */
static void next(struct poller *p)
{
	if (p->retiring && p->n == 0) {
		stop(p);
		return;
	}
	if (p->n > 0 && batch_ready(p)) {
		invoke(p);
		return;
	}
	if (p->n > 0)
		start_window(p);
	receive(p);
}

static void on_invoked(struct lambda_invocation *inv)
{
	struct poller *p = inv->owner;
	struct esm *e = p->e;
	bool failed = inv->result == LAMBDA_ERROR || inv->result == LAMBDA_TIMEOUT;

	e->c.batches++;
	e->c.records_invoked += p->n;
	if (inv->result == LAMBDA_PARTIAL)
		for (uint32_t i = 0; i < p->n; i++)
			e->c.item_failures += p->failed[i];
	if (failed) {
		e->c.failed_batches++;
		/* Errors lower the mapping's concurrency, unless failures are reported per item (§5.2, §5.4). */
		if (!e->cfg->report_batch_item_failures) {
			e->target = fmax(floor_of(e), e->target * ESM_ERROR_BACKOFF);
			e->backed_off = true;
		}
	}
	settle(p, failed ? "invocation-failed" : NULL);
	next(p);
}

static void on_retry(struct sim *sim, void *subject, void *object)
{
	struct poller *p = subject;

	(void)sim;
	(void)object;
	p->retry_timer = SIM_EVENT_NONE;
	invoke(p);
}

/*
 * A throttled invoke is retried, with backoff and less concurrency, until
 * the batch's visibility timeout would run out; then the batch is let go
 * and its messages reappear (§5.4).
 */
static void throttled(struct poller *p)
{
	struct esm *e = p->e;

	e->c.throttled++;
	e->target = fmax(floor_of(e), e->target * ESM_THROTTLE_BACKOFF);
	e->backed_off = true;
	if (sim_add(now_of(e), p->retry_delay) < p->deadline) {
		set_state(p, P_BACKOFF);
		p->retry_timer = sim_schedule_in(e->sim, p->retry_delay, on_retry, p, NULL);
		p->retry_delay = p->retry_delay * 2 < ESM_RETRY_MAX ? p->retry_delay * 2 : ESM_RETRY_MAX;
		return;
	}
	e->c.abandoned++;
	settle(p, "batch-released");
	next(p);
}

static void invoke(struct poller *p)
{
	struct esm *e = p->e;

	if (sim_pending(e->sim, p->window_timer))
		sim_cancel(e->sim, p->window_timer);
	p->window_timer = SIM_EVENT_NONE;
	set_state(p, P_INVOKING);
	p->inv.records = p->n;
	memset(p->failed, 0, p->n);
	if (lambda_invoke(e->f, &p->inv) == LAMBDA_THROTTLED) {
		trace_batch(p, "invoke-throttled");
		throttled(p);
	} else {
		trace_batch(p, "invoked");
	}
}

/* Notes an event of the whole batch in the trace (for its traced records). */
static void trace_batch(const struct poller *p, const char *event)
{
	for (uint32_t i = 0; i < p->n; i++)
		sqs_trace_receipt(p->e->q, &p->batch[i], event, lambda_name(p->e->f));
}

static void on_window(struct sim *sim, void *subject, void *object)
{
	struct poller *p = subject;

	(void)sim;
	(void)object;
	p->window_timer = SIM_EVENT_NONE;
	sqs_receive_cancel(&p->rx);
	invoke(p);
}

/* Whether the batch is ready: full, at the payload cap, or no window to wait. */
static bool batch_ready(const struct poller *p)
{
	const struct trigger_cfg *t = p->e->cfg;

	return p->n >= (uint32_t)t->batch_size || p->ncarry > 0 || t->maximum_batching_window == 0 ||
	       (p->window_end != SIM_TIME_UNSET && now_of(p->e) >= p->window_end);
}

static void take(struct poller *p, struct sqs_receiver *rx)
{
	for (unsigned i = 0; i < rx->n; i++) {
		if (held_over(p, &rx->got[i], p->ncarry > 0))
			p->carry[p->ncarry++] = rx->got[i];
		else
			add_record(p, rx->got[i]);
	}
}

static void on_receive_retry(struct sim *sim, void *subject, void *object)
{
	struct poller *p = subject;

	(void)sim;
	(void)object;
	p->retry_timer = SIM_EVENT_NONE;
	next(p);
}

static void on_received(struct sqs_receiver *rx, enum sqs_status status)
{
	struct poller *p = rx->owner;
	struct esm *e = p->e;

	e->c.received += rx->n;
	take(p, rx);
	if (status == SQS_THROTTLED && p->n == 0) {
		/* A FIFO queue refused the receive (§2.3): poll again a little later, and scale no further. */
		e->backed_off = true;
		set_state(p, P_BACKOFF);
		p->retry_timer = sim_schedule_in(e->sim, ESM_RECEIVE_THROTTLE_PAUSE, on_receive_retry, p, NULL);
		return;
	}
	if (p->n == 0) {
		next(p);   /* an empty long poll: poll again (or stop if retired) */
		return;
	}
	if (batch_ready(p)) {
		invoke(p);
		return;
	}
	start_window(p);
	receive(p);
}

/* The batching window starts with the batch's first record (§5.1). */
static void start_window(struct poller *p)
{
	if (p->window_end != SIM_TIME_UNSET)
		return;
	p->window_end = sim_add(now_of(p->e), p->e->cfg->maximum_batching_window);
	p->window_timer = sim_schedule(p->e->sim, p->window_end, on_window, p, NULL);
}

static void receive(struct poller *p)
{
	struct esm *e = p->e;
	uint32_t room = (uint32_t)e->cfg->batch_size - p->n;

	set_state(p, P_RECEIVING);
	p->rx.max = room < SQS_RECEIVE_MAX ? room : SQS_RECEIVE_MAX;
	p->rx.wait = SQS_WAIT_TIME_MAX;            /* pollers long-poll (§5.1) */
	if (p->window_end != SIM_TIME_UNSET && p->window_end - now_of(e) < p->rx.wait)
		p->rx.wait = p->window_end - now_of(e);
	if (p->rx.wait <= 0) {
		invoke(p);
		return;
	}
	sqs_receive(e->q, &p->rx);
}

static struct poller *poller_new(struct esm *e)
{
	struct poller *p = weir_calloc(1, sizeof(*p));
	size_t cap = (size_t)e->cfg->batch_size;

	p->e = e;
	p->batch = weir_calloc(cap, sizeof(*p->batch));
	p->poison = weir_calloc(cap, 1);
	p->failed = weir_calloc(cap, 1);
	p->window_end = SIM_TIME_UNSET;
	p->retry_delay = ESM_RETRY_FIRST;
	p->rx.done = on_received;
	p->rx.owner = p;
	p->rx.who = e->name;
	p->rx.visibility = e->vt;
	p->inv.done = on_invoked;
	p->inv.owner = p;
	p->inv.poison = p->poison;
	p->inv.failed = p->failed;
	p->inv.item_failures = e->cfg->report_batch_item_failures;
	e->p = weir_realloc(e->p, (e->np + 1) * sizeof(*e->p));
	e->p[e->np++] = p;
	return p;
}

/* ---- the controller (§5.2, §5.3) ----------------------------------------- */

static uint64_t running(const struct esm *e)
{
	uint64_t n = 0;

	for (size_t i = 0; i < e->np; i++)
		n += e->p[i]->state != P_STOPPED && !e->p[i]->retiring;
	return n;
}

static void add_poller(struct esm *e)
{
	struct poller *p = NULL;

	for (size_t i = 0; i < e->np && !p; i++)
		if (e->p[i]->retiring)
			p = e->p[i];
	if (p) {
		p->retiring = false;
		return;
	}
	for (size_t i = 0; i < e->np && !p; i++)
		if (e->p[i]->state == P_STOPPED)
			p = e->p[i];
	if (!p)
		p = poller_new(e);
	level_add(&e->pollers, now_of(e), +1);
	if (e->pollers.value > e->max_pollers)
		e->max_pollers = e->pollers.value;
	receive(p);
}

/* Retires the newest running poller: at once if it is only waiting, else after its batch. */
static void retire_poller(struct esm *e)
{
	for (size_t i = e->np; i-- > 0;) {
		struct poller *p = e->p[i];

		if (p->state == P_STOPPED || p->retiring)
			continue;
		if (p->state == P_RECEIVING && p->n == 0) {
			sqs_receive_cancel(&p->rx);
			stop(p);
		} else {
			p->retiring = true;
		}
		return;
	}
}

/* Pollers with nothing to do: long-polling an empty queue, holding no record. */
static uint64_t waiting(const struct esm *e)
{
	uint64_t n = 0;

	for (size_t i = 0; i < e->np; i++) {
		const struct poller *p = e->p[i];

		n += p->state == P_RECEIVING && !p->retiring && p->n == 0;
	}
	return n;
}

static double floor_of(const struct esm *e)
{
	/* Idle for a while with no maximum concurrency set: down to 2 (§5.2). */
	if (e->cfg->maximum_concurrency == INT64_MIN && e->idle_since != SIM_TIME_UNSET &&
	    now_of(e) - e->idle_since >= ESM_IDLE_RETIRE)
		return ESM_IDLE_CONCURRENCY;
	return ESM_START_CONCURRENCY < e->ceiling ? ESM_START_CONCURRENCY : e->ceiling;
}

/*
 * Once a second: while messages wait and no poller is free, add pollers at
 * the ramp rate; while pollers wait on an empty queue, retire the spare
 * ones at the same rate, down to the floor (§5.2).
 */
static void on_tick(struct sim *sim, void *subject, void *object)
{
	struct esm *e = subject;
	bool backlog = sqs_visible(e->q) > 0;
	uint64_t want, free_ = waiting(e), have = running(e);

	(void)object;
	if (backlog || free_ < have)
		e->idle_since = SIM_TIME_UNSET;   /* something to do */
	else if (e->idle_since == SIM_TIME_UNSET)
		e->idle_since = sim_now(sim);
	/* No growth in a second that saw a throttle or a counted error: it runs "with reduced concurrency" (§5.4). */
	if (backlog && free_ == 0 && !e->backed_off)
		e->target = fmin(e->ceiling, e->target + e->ramp_per_sec);
	else if (!backlog && free_ > 0)
		e->target -= fmin((double)free_, e->ramp_per_sec);
	e->target = fmax(e->target, floor_of(e));
	e->backed_off = false;
	want = (uint64_t)floor(e->target);
	for (; have < want; have++)
		add_poller(e);
	for (; have > want; have--)
		retire_poller(e);
	e->tick = sim_schedule_in(sim, SIM_SEC, on_tick, e, NULL);
}

/* ---- life cycle ------------------------------------------------------------ */

struct esm *esm_create(struct sim *sim, const struct trigger_cfg *cfg, struct sqs_queue *q,
		       struct lambda_fn *f, int behaviour_date)
{
	struct esm *e = weir_calloc(1, sizeof(*e));
	double ceiling = (double)cfg->concurrency_ceiling;

	e->sim = sim;
	e->cfg = cfg;
	e->name = cfg->name;
	e->q = q;
	e->f = f;
	if (cfg->maximum_concurrency != INT64_MIN && (double)cfg->maximum_concurrency < ceiling)
		ceiling = (double)cfg->maximum_concurrency;   /* §5.3 */
	e->ceiling = ceiling;
	e->ramp_per_sec = (behaviour_date >= BEHAVIOUR_ESM_RAMP_300 ? ESM_RAMP_NEW : ESM_RAMP_OLD) / 60.0;
	e->vt = esm_visibility(cfg, sqs_config(q)->visibility_timeout, lambda_config(f)->timeout);
	e->idle_since = SIM_TIME_UNSET;
	e->pollers.last = sim_now(sim);
	return e;
}

void esm_start(struct esm *e)
{
	e->target = e->ceiling < ESM_START_CONCURRENCY ? e->ceiling : ESM_START_CONCURRENCY;
	e->tick = sim_schedule(e->sim, sim_now(e->sim), on_tick, e, NULL);
}

void esm_destroy(struct esm *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->np; i++) {
		free(e->p[i]->batch);
		free(e->p[i]->poison);
		free(e->p[i]->failed);
		free(e->p[i]);
	}
	free(e->p);
	free(e);
}

const char *esm_name(const struct esm *e) { return e->name; }
const struct esm_counters *esm_counters(const struct esm *e) { return &e->c; }
uint64_t esm_concurrency(const struct esm *e) { return e->pollers.value; }

static uint64_t held(const struct esm *e)
{
	uint64_t n = 0;

	for (size_t i = 0; i < e->np; i++)
		n += e->p[i]->n + e->p[i]->ncarry;
	return n;
}

bool esm_ledger(const struct esm *e, FILE *err)
{
	uint64_t h = held(e);

	if (e->c.received == e->c.deleted + e->c.stale_deletes + e->c.returned + h)
		return true;
	fprintf(err, "weir: internal error: mapping '%s': received %llu != deleted %llu + stale deletes %llu"
		" + returned %llu + held %llu\n",
		e->name, (unsigned long long)e->c.received, (unsigned long long)e->c.deleted,
		(unsigned long long)e->c.stale_deletes, (unsigned long long)e->c.returned, (unsigned long long)h);
	return false;
}

/* ---- metrics and summary ------------------------------------------------------ */

enum {
	M_CONCURRENCY, M_BATCHES, M_BATCH_SIZE, M_THROTTLED, M_FAILED, M_ABANDONED, M_DELETED,
	M_ITEM_FAILURES, M_STALE, M_NDEFS
};

static const struct metric_def esm_defs[M_NDEFS] = {
	[M_CONCURRENCY] = { "Pollers", "count", METRIC_MAX, "§5.2",
			    "Most pollers running during the period: the mapping's concurrency. Each holds at most one batch, while it receives, waits to retry a throttled invoke, or invokes; the function's ConcurrentExecutions shows the batches running." },
	[M_BATCHES] = { "Batches", "count", METRIC_SUM, "§5.1", "Invocations that ran a batch." },
	[M_BATCH_SIZE] = { "BatchSize", "records", METRIC_AVERAGE, "§5.1",
			   "Average records per batch invoked in the period." },
	[M_THROTTLED] = { "ThrottledInvokes", "count", METRIC_SUM, "§5.4",
			  "Invoke attempts throttled by Lambda (each retry counts)." },
	[M_FAILED] = { "FailedBatches", "count", METRIC_SUM, "§5.4",
		       "Batches whose invocation failed or timed out: every record returns to the queue." },
	[M_ABANDONED] = { "AbandonedBatches", "count", METRIC_SUM, "§5.4",
			  "Batches let go after throttled retries ran out of visibility timeout." },
	[M_DELETED] = { "MessagesDeleted", "count", METRIC_SUM, "§5.1", "Records deleted after a successful invocation." },
	[M_STALE] = { "StaleDeletes", "count", METRIC_SUM, "§1.7",
		      "Deletes that did nothing: the record's visibility timeout had run out and it was received again." },
	[M_ITEM_FAILURES] = { "ItemFailures", "count", METRIC_SUM, "§5.4",
			      "Records reported as failed with ReportBatchItemFailures." },
};

const struct metric_family esm_metric_family = {
	.kind = "Event source mapping",
	.intro = "One set per trigger, named `TRIGGER/Metric` (weir's names: CloudWatch publishes few metrics for mappings).",
	.defs = esm_defs,
	.ndefs = M_NDEFS,
};

void esm_register_metrics(struct esm *e, struct metrics *m)
{
	metrics_max(m, e->name, &esm_defs[M_CONCURRENCY], &e->pollers);
	metrics_sum(m, e->name, &esm_defs[M_BATCHES], &e->c.batches);
	metrics_average(m, e->name, &esm_defs[M_BATCH_SIZE], &e->c.records_invoked, &e->c.batches, 1.0);
	metrics_sum(m, e->name, &esm_defs[M_THROTTLED], &e->c.throttled);
	metrics_sum(m, e->name, &esm_defs[M_FAILED], &e->c.failed_batches);
	metrics_sum(m, e->name, &esm_defs[M_ABANDONED], &e->c.abandoned);
	metrics_sum(m, e->name, &esm_defs[M_DELETED], &e->c.deleted);
	metrics_sum(m, e->name, &esm_defs[M_STALE], &e->c.stale_deletes);
	metrics_sum(m, e->name, &esm_defs[M_ITEM_FAILURES], &e->c.item_failures);
}

void esm_end_warmup(struct esm *e)
{
	e->c_warm = e->c;
	e->warm_at = now_of(e);
	e->pollers_area_warm = level_area(&e->pollers, now_of(e));
	e->max_pollers = e->pollers.value;
}

enum {
	S_BATCHES, S_RECORDS, S_BATCH_MEAN, S_THROTTLED, S_FAILED, S_ABANDONED, S_DELETED, S_STALE,
	S_RETURNED, S_ITEM_FAILURES, S_DUPLICATES, S_CONC_MEAN, S_CONC_MAX, S_L_RECEIVED, S_L_DELETED,
	S_L_STALE, S_L_RETURNED, S_L_HELD, S_NSTATS
};

static const struct stat_def esm_stats_defs[S_NSTATS] = {
	[S_BATCHES] = { "Batches", "count", "Batches invoked after the warm-up." },
	[S_RECORDS] = { "RecordsInvoked", "count", "Records in those batches." },
	[S_BATCH_MEAN] = { "BatchSize.mean", "records", "Average records per batch." },
	[S_THROTTLED] = { "ThrottledInvokes", "count", "Invoke attempts throttled after the warm-up." },
	[S_FAILED] = { "FailedBatches", "count", "Batches whose invocation failed or timed out." },
	[S_ABANDONED] = { "AbandonedBatches", "count", "Batches let go while throttled." },
	[S_DELETED] = { "MessagesDeleted", "count", "Records deleted after success." },
	[S_STALE] = { "StaleDeletes", "count", "Deletes that did nothing: the record had been received again." },
	[S_RETURNED] = { "MessagesReturned", "count", "Records given back undeleted (failed, reported, abandoned)." },
	[S_ITEM_FAILURES] = { "ItemFailures", "count", "Records reported failed (ReportBatchItemFailures)." },
	[S_DUPLICATES] = { "DuplicateProcessings", "count", "Records processed successfully a second time." },
	[S_CONC_MEAN] = { "Pollers.mean", "count", "Time-average pollers: the mapping's concurrency." },
	[S_CONC_MAX] = { "Pollers.max", "count", "Most pollers at once." },
	[S_L_RECEIVED] = { "ledger.received", "count", "Whole run: records received; = deleted + stale_deletes + returned + held." },
	[S_L_DELETED] = { "ledger.deleted", "count", "Whole run: records deleted." },
	[S_L_STALE] = { "ledger.stale_deletes", "count", "Whole run: deletes that did nothing." },
	[S_L_RETURNED] = { "ledger.returned", "count", "Whole run: records given back." },
	[S_L_HELD] = { "ledger.held", "count", "At the end: records in batches being gathered or invoked." },
};

const struct stat_family esm_stat_family = { "Event source mapping", esm_stats_defs, S_NSTATS };

void esm_summarize(const struct esm *e, struct summary *s)
{
	const struct esm_counters *c = &e->c, *w = &e->c_warm;
	double span = (double)(now_of(e) - e->warm_at);
	double v[S_NSTATS];

	v[S_BATCHES] = (double)(c->batches - w->batches);
	v[S_RECORDS] = (double)(c->records_invoked - w->records_invoked);
	v[S_BATCH_MEAN] = v[S_BATCHES] > 0 ? v[S_RECORDS] / v[S_BATCHES] : NAN;
	v[S_THROTTLED] = (double)(c->throttled - w->throttled);
	v[S_FAILED] = (double)(c->failed_batches - w->failed_batches);
	v[S_ABANDONED] = (double)(c->abandoned - w->abandoned);
	v[S_DELETED] = (double)(c->deleted - w->deleted);
	v[S_STALE] = (double)(c->stale_deletes - w->stale_deletes);
	v[S_RETURNED] = (double)(c->returned - w->returned);
	v[S_ITEM_FAILURES] = (double)(c->item_failures - w->item_failures);
	v[S_DUPLICATES] = (double)(c->duplicates - w->duplicates);
	v[S_CONC_MEAN] = span > 0 ? (level_area(&e->pollers, now_of(e)) - e->pollers_area_warm) / span : NAN;
	v[S_CONC_MAX] = (double)e->max_pollers;
	v[S_L_RECEIVED] = (double)c->received;
	v[S_L_DELETED] = (double)c->deleted;
	v[S_L_STALE] = (double)c->stale_deletes;
	v[S_L_RETURNED] = (double)c->returned;
	v[S_L_HELD] = (double)held(e);
	for (int i = 0; i < S_NSTATS; i++)
		summary_add(s, e->name, "trigger", &esm_stats_defs[i], v[i]);
}

/* ---- configuration ------------------------------------------------------------ */

#define TF(field) .offset = offsetof(struct trigger_cfg, field)
/* In the order of enum kinesis_start. */
static const char *const starting_positions[] = { "trim_horizon", "latest", NULL };
static const struct schema_field trigger_fields[] = {
	{ .key = "name", .type = ST_STRING, TF(name),
	  .help = "Name of the mapping in outputs; unset: SOURCE-to-FUNCTION." },
	{ .key = "source", .type = ST_NAME, TF(source), .flags = SF_REQUIRED, .rule = "§5.1, §6.1",
	  .help = "The queue or stream the mapping polls." },
	{ .key = "function", .type = ST_NAME, TF(function), .flags = SF_REQUIRED, .rule = "§5.1",
	  .help = "The function it invokes." },
	{ .key = "batch_size", .type = ST_INT, TF(batch_size), .flags = SF_RANGE,
	  .min = 1, .max = ESM_BATCH_MAX, .rule = "§5.1, §6.1",
	  .help = "Most records per invocation (BatchSize); unset: 10 for a queue, 100 for a stream. On a queue, above 10 needs a batching window of at least 1s." },
	{ .key = "maximum_batching_window", .type = ST_DURATION, TF(maximum_batching_window), .dflt = "0s",
	  .flags = SF_RANGE, .min = 0, .max = (double)ESM_WINDOW_MAX, .rule = "§5.1",
	  .help = "How long to gather records before invoking (MaximumBatchingWindowInSeconds, whole seconds)." },
	{ .key = "maximum_concurrency", .type = ST_INT, TF(maximum_concurrency), .flags = SF_RANGE,
	  .min = ESM_MAX_CONCURRENCY_MIN, .max = ESM_MAX_CONCURRENCY_MAX, .rule = "§5.3",
	  .help = "Most concurrent invocations from this mapping (ScalingConfig.MaximumConcurrency); unset: the scaling ceiling." },
	{ .key = "report_batch_item_failures", .type = ST_BOOL, TF(report_batch_item_failures), .dflt = "false",
	  .rule = "§5.4, §6.2", .help = "The function reports failed records (FunctionResponseTypes): from a queue only they return to it; from a stream the mapping checkpoints before the first of them and retries from there." },
	{ .key = "concurrency_ceiling", .type = ST_INT, TF(concurrency_ceiling), .dflt = ESM_CEILING_DEFAULT,
	  .flags = SF_RANGE, .min = 1000, .max = 1250, .rule = "§5.2",
	  .help = "Model parameter: most concurrent batches a mapping scales to (AWS sources say 1,000 or 1,250)." },
	{ .key = "starting_position", .type = ST_ENUM, TF(starting_position), .dflt = "trim_horizon",
	  .choices = starting_positions, .rule = "§6.1",
	  .help = "Streams: where the mapping starts reading each shard: every record retained (trim_horizon) or only new ones (latest)." },
	{ .key = "parallelization_factor", .type = ST_INT, TF(parallelization_factor), .dflt = "1",
	  .flags = SF_RANGE, .min = 1, .max = KESM_PF_MAX, .rule = "§6.1",
	  .help = "Streams: concurrent batches per shard (ParallelizationFactor); one partition key's records stay in order." },
	{ .key = "maximum_retry_attempts", .type = ST_INT, TF(maximum_retry_attempts),
	  .flags = SF_RANGE, .min = 0, .max = KESM_RETRIES_MAX, .rule = "§6.2",
	  .help = "Streams: retries of a failed batch before it is discarded (MaximumRetryAttempts); unset: AWS's -1, retry until it succeeds or its records are too old. Throttles and splits do not count." },
	{ .key = "maximum_record_age", .type = ST_DURATION, TF(maximum_record_age), .flags = SF_RANGE,
	  .min = (double)KESM_RECORD_AGE_MIN, .max = (double)KESM_RECORD_AGE_MAX, .rule = "§6.2",
	  .help = "Streams: records older than this are discarded instead of invoked or retried (MaximumRecordAgeInSeconds, whole seconds); unset: AWS's -1, no limit but the stream's retention." },
	{ .key = "bisect_batch_on_function_error", .type = ST_BOOL, TF(bisect_batch_on_function_error),
	  .dflt = "false", .rule = "§6.2",
	  .help = "Streams: a failed batch is split in two halves, each retried; a split uses no retry attempt (BisectBatchOnFunctionError)." },
	{ .key = "on_failure", .type = ST_NAME, TF(on_failure), .rule = "§6.2",
	  .help = "Streams: an SQS queue that gets one metadata message (shard, sequence range, condition) per discarded batch; unset: discarded records are only counted." },
	{ 0 }
};

/* Keys a queue's mapping does not take, and those a stream's does not (§5, §6). */
static const char *const stream_only_keys[] = {
	"starting_position", "parallelization_factor", "maximum_retry_attempts", "maximum_record_age",
	"bisect_batch_on_function_error", "on_failure", NULL
};
static const char *const queue_only_keys[] = { "maximum_concurrency", "concurrency_ceiling", NULL };

/* A name given names output columns and plot files: 1..128 of [A-Za-z0-9._-], not starting with '.'. */
static void check_name(const struct trigger_cfg *t, struct schema_ctx *ctx)
{
	size_t n = strlen(t->name);
	bool ok = n >= 1 && n <= 128 && t->name[0] != '.';

	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)t->name[i]) || strchr("._-", t->name[i]);
	if (!ok)
		schema_error(ctx, schema_where(t, "name"),
			     "a trigger's name is 1 to 128 letters, digits, '.', '-' and '_', not starting with '.': it names output columns and plot files");
}

static void trigger_check(void *obj, struct schema_ctx *ctx)
{
	struct trigger_cfg *t = obj;

	/* A queue's default until trigger_resolve knows the source's kind. */
	if (t->batch_size == INT64_MIN)
		t->batch_size = ESM_BATCH_DEFAULT;
	if (t->maximum_batching_window % SIM_SEC != 0)
		schema_error(ctx, schema_where(t, "maximum_batching_window"),
			     "'maximum_batching_window' is set in whole seconds (aws-behaviour §5.1)");
	if (t->maximum_record_age != SIM_TIME_UNSET && t->maximum_record_age % SIM_SEC != 0)
		schema_error(ctx, schema_where(t, "maximum_record_age"),
			     "'maximum_record_age' is set in whole seconds (aws-behaviour §6.2)");
	if (!t->name) {
		t->derived_name = weir_asprintf("%s-to-%s", t->source, t->function);
		t->name = t->derived_name;
	} else {
		check_name(t, ctx);
	}
}

/* Reports each key in keys that the trigger's text sets: it does not apply to a `kind` source. */
static void refuse_keys(const struct trigger_cfg *t, const char *const *keys, const char *kind,
			const char *section, struct schema_ctx *ctx)
{
	for (const char *const *k = keys; *k; k++)
		if (schema_node(t, *k))
			schema_error(ctx, schema_where(t, *k),
				     "'%s' does not apply to a trigger on %s '%s' (aws-behaviour %s): remove it",
				     *k, kind, t->source, section);
}

void trigger_resolve(struct trigger_cfg *t, bool stream, bool fifo, struct schema_ctx *ctx)
{
	if (stream) {
		if (!schema_node(t, "batch_size"))
			t->batch_size = KESM_BATCH_DEFAULT;   /* §6.1 */
		refuse_keys(t, queue_only_keys, "stream", "§6", ctx);
		return;
	}
	if (!schema_node(t, "batch_size"))
		t->batch_size = ESM_BATCH_DEFAULT;   /* §5.1 */
	refuse_keys(t, stream_only_keys, "queue", "§5", ctx);
	if (fifo) {
		if (t->batch_size > ESM_FIFO_BATCH_MAX)
			schema_error(ctx, schema_where(t, "batch_size"),
				     "a mapping from a FIFO queue takes batches of at most %d, with no batching window (aws-behaviour §5.5)",
				     ESM_FIFO_BATCH_MAX);
		if (t->maximum_batching_window > 0)
			schema_error(ctx, schema_where(t, "maximum_batching_window"),
				     "a mapping from a FIFO queue has no batching window (aws-behaviour §5.5)");
		return;
	}
	if (t->batch_size > ESM_BATCH_NO_WINDOW && t->maximum_batching_window < SIM_SEC)
		schema_error(ctx, schema_where(t, "batch_size"),
			     "a batch_size above %d needs a maximum_batching_window of at least 1s (aws-behaviour §5.1): set one, or a batch_size of at most %d",
			     ESM_BATCH_NO_WINDOW, ESM_BATCH_NO_WINDOW);
}

const struct schema trigger_schema = {
	.name = "trigger",
	.size = sizeof(struct trigger_cfg),
	.fields = trigger_fields,
	.check = trigger_check,
	.help = "An event source mapping from an SQS queue or a Kinesis stream to a function. On a queue (aws-behaviour §5) pollers long-poll it, invoke the function synchronously with batches, and delete what succeeded. On a stream (§6) each shard is read in order, one batch at a time per shard (parallelization_factor per shard), and a failed batch blocks its shard until it succeeds or is discarded.",
};

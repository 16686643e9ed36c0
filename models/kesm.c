/*
 * kesm.c - the Kinesis event source mapping (aws-behaviour §6).
 *
 * Per shard, a processor holds a dispatch cursor (the next record to read)
 * and the reader's checkpoint. Reading hands each record to the lane of its
 * partition key (hash % parallelization_factor); a lane is a FIFO, in
 * stream order, whose head is its batch. Every record read and not yet
 * finished (processed or discarded) is in exactly one lane, so the first
 * unfinished record of the shard is the lowest head of its lanes: that is
 * the checkpoint (or the dispatch cursor when the lanes are empty). It
 * never passes a record some lane still holds (§6.2).
 *
 * A lane is IDLE (no batch, or a batch waiting for its window), INVOKING,
 * or WAITING to retry (a throttle's backoff, or a failed batch's retry).
 * A batch keeps its records across retries; bisect splits it, leaving the
 * sizes of the halves still to run on a small stack, so the next batches
 * are exactly those halves.
 */
#include "weir/kesm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum lane_state { L_IDLE, L_INVOKING, L_WAITING };

/* Each split halves a batch of at most 10,000 records: at most log2(10,000) + 1 halves wait. */
#define KESM_HALVES_MAX 16

/* A record held by a lane: a copy, so the stream may drop its own. */
struct lrec {
	struct kin_rec r;
	uint64_t pos;
};

struct lane {
	struct kshard *s;
	struct lrec *q;                  /* ring of cap entries, power of two */
	size_t head, len, cap;
	uint32_t n;                      /* records of the batch (the first n of q); 0: none */
	uint32_t *halves;                /* sizes of bisected halves still to run, last on top */
	uint32_t nhalves;
	uint8_t *poison, *failed;        /* per record of the batch */
	int64_t attempts;                /* retries used by the batch */
	sim_time throttle_delay;
	sim_time window_end;             /* SIM_TIME_UNSET: no window running */
	sim_event_id window_timer, retry_timer;
	struct lambda_invocation inv;
	int state;
};

struct kshard {
	struct kesm *e;
	uint32_t id;
	uint64_t ckpt, dispatch;         /* checkpoint <= dispatch cursor */
	struct lane *lanes;              /* parallelization_factor of them */
	sim_event_id poll_timer;
	sim_time iterator_age;           /* of the last finished invocation */
	bool stopped;
};

struct kesm {
	struct sim *sim;
	const struct trigger_cfg *cfg;
	const char *name;
	struct kinesis_stream *s;
	struct lambda_fn *f;
	struct sqs_queue *on_failure;
	struct kin_reader *reader;
	struct kshard **sh;              /* by shard id; NULL: no processor */
	uint32_t nsh;
	uint32_t pf;
	sim_time max_age;                /* records older than this are given up */
	uint32_t buffer;                 /* records a lane may hold */
	struct level batches;            /* batches being invoked */
	uint64_t batches_peak;
	struct hist age, age_run;        /* IteratorAge per period, and since the warm-up */
	struct kesm_counters c, c_warm;
	sim_time warm_at;
	double batches_area_warm;
	kesm_watch_fn *watch;
	void *watch_ctx;
	struct trace *trace;
};

_Static_assert(sizeof(struct kesm_counters) % sizeof(uint64_t) == 0, "counters are uint64_t");

static sim_time now_of(const struct kesm *e)
{
	return sim_now(e->sim);
}

static struct lrec *at(const struct lane *l, size_t i)
{
	return &l->q[(l->head + i) & (l->cap - 1)];
}

static void trace_batch(const struct lane *l, uint32_t n, const char *event, unsigned attempts)
{
	struct kesm *e = l->s->e;

	if (!e->trace)
		return;
	for (uint32_t i = 0; i < n; i++)
		if (trace_wants(e->trace, at(l, i)->r.seq))
			trace_event(e->trace, now_of(e), at(l, i)->r.seq, e->name, event, attempts,
				    lambda_name(e->f));
}

/* ---- the checkpoint -------------------------------------------------------- */

/* Moves the checkpoint to the first record not finished: the lowest head of the lanes (§6.2). */
static void advance(struct kshard *s)
{
	uint64_t low = s->dispatch;

	for (uint32_t i = 0; i < s->e->pf; i++)
		if (s->lanes[i].len > 0 && at(&s->lanes[i], 0)->pos < low)
			low = at(&s->lanes[i], 0)->pos;
	if (low <= s->ckpt)
		return;
	s->ckpt = low;
	/*
	 * What it returns are records this mapping had read that expired in
	 * the stream before the checkpoint passed them: not lost to it, the
	 * lanes had their copies.
	 */
	(void)kinesis_commit(s->e->reader, s->id, s->ckpt);
}

/* ---- lanes ------------------------------------------------------------------- */

static void lane_try(struct lane *l);
static void invoke(struct lane *l);
static void kick(struct kshard *s);

static void lane_push(struct lane *l, const struct kin_rec *r, uint64_t pos)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct lrec *q = weir_malloc(cap * sizeof(*q));

		for (size_t i = 0; i < l->len; i++)
			q[i] = *at(l, i);
		free(l->q);
		l->q = q;
		l->cap = cap;
		l->head = 0;
	}
	*at(l, l->len) = (struct lrec){ *r, pos };
	l->len++;
}

/* Removes the first k records of the lane (of its batch): they are finished. */
static void lane_pop(struct lane *l, uint32_t k)
{
	struct kshard *s = l->s;

	l->head = (l->head + k) & (l->cap - 1);
	l->len -= k;
	l->n -= k;
	advance(s);
}

/* The batch is over (succeeded or given up): the next starts with fresh retries and backoff. */
static void batch_over(struct lane *l)
{
	l->n = 0;
	l->attempts = 0;
	l->throttle_delay = KESM_THROTTLE_RETRY_FIRST;
}

static void processed(struct lane *l, uint32_t k)
{
	l->s->e->c.processed += k;
	trace_batch(l, k, "processed", 0);
	lane_pop(l, k);
}

/*
 * Gives up the first k records of the batch (§6.2): one metadata message
 * (shard, sequence range, condition) goes to the on-failure queue, and
 * processing goes on after them — a gap in the shard's order.
 */
static void discard(struct lane *l, uint32_t k, const char *condition)
{
	struct kesm *e = l->s->e;
	bool sent = false;

	if (e->on_failure) {
		struct sqs_send req = { .size = (uint32_t)KESM_FAILURE_RECORD_BYTES, .delay = SIM_TIME_UNSET,
					.born_at = SIM_TIME_UNSET, .sender = e->name };

		sent = sqs_send(e->on_failure, &req) == SQS_OK;
		e->c.failure_messages += sent;
	}
	e->c.discarded += k;
	if (sent)
		e->c.sent_on_failure += k;
	else
		e->c.dropped += k;
	trace_batch(l, k, condition, (unsigned)l->attempts);
	lane_pop(l, k);
}

/* Records of the batch too old to invoke: older than maximum_record_age or the retention (§6.2). */
static void drop_old(struct lane *l)
{
	struct kesm *e = l->s->e;
	uint32_t k = 0;

	while (k < l->n && now_of(e) - at(l, k)->r.born >= e->max_age)
		k++;
	if (k > 0)
		discard(l, k, "record-age-exceeded");
}

static void on_retry(struct sim *sim, void *subject, void *object)
{
	struct lane *l = subject;

	(void)sim;
	(void)object;
	l->retry_timer = SIM_EVENT_NONE;
	l->state = L_IDLE;
	invoke(l);
}

static void wait_retry(struct lane *l, sim_time delay)
{
	l->state = L_WAITING;
	l->retry_timer = sim_schedule_in(l->s->e->sim, delay, on_retry, l, NULL);
}

/* The next batch is the bisected half on top of the stack, if any (exactly its records). */
static void next_half(struct lane *l)
{
	if (l->nhalves > 0 && l->n == 0)
		l->n = l->halves[--l->nhalves];
}

/*
 * A failed batch (§6.2): with bisect, split it — at the first failed
 * record when the function reported one, else in the middle — and run the
 * first part; splitting uses no retry attempt. Otherwise retry it whole
 * until the attempts run out, then discard it.
 */
static void batch_failed(struct lane *l, uint32_t failed_at)
{
	struct kesm *e = l->s->e;
	const struct trigger_cfg *t = e->cfg;

	if (failed_at > 0) {
		processed(l, failed_at);   /* checkpoint just before the failed record (§6.2) */
		kick(l->s);
		if (t->bisect_batch_on_function_error) {
			e->c.bisections++;     /* the split is at the returned record: the rest is a batch of its own */
			wait_retry(l, KESM_ERROR_RETRY);
			return;
		}
	} else if (t->bisect_batch_on_function_error && l->n > 1) {
		uint32_t first = l->n / 2;

		WEIR_ASSERT(l->nhalves < KESM_HALVES_MAX);
		l->halves[l->nhalves++] = l->n - first;
		l->n = first;
		e->c.bisections++;
		wait_retry(l, KESM_ERROR_RETRY);
		return;
	}
	if (t->maximum_retry_attempts < 0 || l->attempts < t->maximum_retry_attempts) {   /* -1: forever */
		l->attempts++;
		e->c.retries++;
		wait_retry(l, KESM_ERROR_RETRY);
		return;
	}
	discard(l, l->n, "retry-attempts-exhausted");
	batch_over(l);
	next_half(l);
	lane_try(l);
	kick(l->s);
}

static uint32_t first_failed(const struct lane *l)
{
	uint32_t i = 0;

	while (i < l->n && !l->failed[i])
		i++;
	return i;
}

static void on_invoked(struct lambda_invocation *inv)
{
	struct lane *l = inv->owner;
	struct kshard *s = l->s;
	struct kesm *e = s->e;
	uint32_t k;

	level_add(&e->batches, now_of(e), -1);
	l->state = L_IDLE;
	e->c.batches++;
	e->c.records_invoked += l->n;
	/* IteratorAge: the age of the batch's last record as the batch finishes (§6.4). */
	s->iterator_age = now_of(e) - at(l, l->n - 1)->r.born;
	hist_record(&e->age, s->iterator_age);
	hist_record(&e->age_run, s->iterator_age);
	switch (inv->result) {
	case LAMBDA_OK:
		processed(l, l->n);
		batch_over(l);
		next_half(l);
		break;
	case LAMBDA_PARTIAL:
		for (uint32_t i = 0; i < l->n; i++)
			e->c.item_failures += l->failed[i];
		k = first_failed(l);
		if (k == l->n) {
			processed(l, l->n);
			batch_over(l);
			next_half(l);
			break;
		}
		e->c.failed_batches++;
		trace_batch(l, l->n, "item-failed", (unsigned)l->attempts);
		batch_failed(l, k);
		return;
	default:   /* an error or a timeout: the whole batch failed */
		e->c.failed_batches++;
		trace_batch(l, l->n, "invocation-failed", (unsigned)l->attempts);
		batch_failed(l, 0);
		return;
	}
	lane_try(l);
	kick(s);
}

/* Invokes the lane's batch (again): throttles come back at once and are retried (§6.2). */
static void invoke(struct lane *l)
{
	struct kshard *s = l->s;
	struct kesm *e = s->e;

	if (sim_pending(e->sim, l->window_timer))
		sim_cancel(e->sim, l->window_timer);
	l->window_timer = SIM_EVENT_NONE;
	l->window_end = SIM_TIME_UNSET;
	drop_old(l);
	if (l->n == 0) {
		batch_over(l);
		next_half(l);
		lane_try(l);
		kick(s);
		return;
	}
	for (uint32_t i = 0; i < l->n; i++)
		l->poison[i] = at(l, i)->r.poison;
	memset(l->failed, 0, l->n);
	if (e->watch)
		for (uint32_t i = 0; i < l->n; i++)
			e->watch(e->watch_ctx, s->id, &at(l, i)->r);
	l->inv.records = l->n;
	l->state = L_INVOKING;
	level_add(&e->batches, now_of(e), +1);
	if (e->batches.value > e->batches_peak)
		e->batches_peak = e->batches.value;
	if (lambda_invoke(e->f, &l->inv) != LAMBDA_THROTTLED) {
		trace_batch(l, l->n, "invoked", (unsigned)l->attempts);
		return;
	}
	/* Throttled: the batch never ran, so no retry attempt is used (§6.2). */
	level_add(&e->batches, now_of(e), -1);
	e->c.throttled++;
	trace_batch(l, l->n, "invoke-throttled", (unsigned)l->attempts);
	wait_retry(l, l->throttle_delay);
	l->throttle_delay = l->throttle_delay * 2 < KESM_THROTTLE_RETRY_MAX ? l->throttle_delay * 2
									    : KESM_THROTTLE_RETRY_MAX;
}

static void on_window(struct sim *sim, void *subject, void *object)
{
	struct lane *l = subject;

	(void)sim;
	(void)object;
	l->window_timer = SIM_EVENT_NONE;
	lane_try(l);
}

/* How many records from the lane's head fit a batch: batch_size, within the 6 MB payload (§6.1). */
static uint32_t gather(const struct lane *l)
{
	uint32_t limit = (uint32_t)l->s->e->cfg->batch_size, n = 0;
	double bytes = 0;

	while (n < limit && n < l->len) {
		double b = (double)at(l, n)->r.size + ESM_RECORD_OVERHEAD_BYTES;

		if (n > 0 && bytes + b > ESM_PAYLOAD_MAX)
			break;
		bytes += b;
		n++;
	}
	return n;
}

/*
 * Starts the lane's next batch if it is ready: a bisected half at once;
 * else the records at its head, when they fill a batch or the batching
 * window has ended. The window starts with the first record after the
 * previous invoke (§6.1).
 */
static void lane_try(struct lane *l)
{
	struct kesm *e = l->s->e;
	sim_time window = e->cfg->maximum_batching_window;
	uint32_t n;

	if (l->state != L_IDLE || l->len == 0)
		return;
	if (l->n > 0) {
		invoke(l);
		return;
	}
	n = gather(l);
	if (n < l->len || n == (uint32_t)e->cfg->batch_size || window == 0 ||
	    (l->window_end != SIM_TIME_UNSET && now_of(e) >= l->window_end)) {
		l->n = n;
		invoke(l);
		return;
	}
	if (l->window_end == SIM_TIME_UNSET) {
		l->window_end = sim_add(now_of(e), window);
		l->window_timer = sim_schedule(e->sim, l->window_end, on_window, l, NULL);
	}
}

/* ---- reading a shard (§6.1, §3.2) ------------------------------------------- */

static void poll(struct sim *sim, void *subject, void *object);

static void poll_in(struct kshard *s, sim_time delay)
{
	s->poll_timer = sim_schedule_in(s->e->sim, delay, poll, s, NULL);
}

/* A lane has room again: read now, unless a poll is already due. */
static void kick(struct kshard *s)
{
	if (!s->stopped && !sim_pending(s->e->sim, s->poll_timer))
		poll_in(s, 0);
}

static uint32_t lane_of(const struct kesm *e, uint64_t key)
{
	return e->pf == 1 ? 0 : (uint32_t)(weir_mix64(key) % e->pf);
}

/*
 * Records that expired in the stream before this mapping read them are lost
 * to it (§3.5): the stream moves the reader's cursor past what it dropped,
 * and whatever lies beyond the dispatch cursor was never read. (Records it
 * dropped that a lane still holds are not lost: the lane has them.)
 */
static void skip_lost(struct kshard *s)
{
	struct kesm *e = s->e;
	uint64_t c;

	(void)kinesis_skip_expired(e->reader, s->id);
	c = kinesis_cursor(e->reader, s->id);
	if (c > s->dispatch) {
		e->c.expired_unread += c - s->dispatch;
		s->dispatch = c;
	}
	advance(s);
}

/*
 * How many records from the dispatch cursor one GetRecords call takes:
 * at most 10,000 and 10 MB (§3.2), and no more than their lanes can hold.
 */
static uint32_t call_size(const struct kshard *s, uint64_t end, double *bytes)
{
	const struct kesm *e = s->e;
	uint32_t room[KESM_PF_MAX], n = 0;

	for (uint32_t i = 0; i < e->pf; i++)
		room[i] = s->lanes[i].len < e->buffer ? e->buffer - (uint32_t)s->lanes[i].len : 0;
	*bytes = 0;
	for (uint64_t p = s->dispatch; p < end && n < KINESIS_GET_RECORDS_MAX; p++, n++) {
		const struct kin_rec *r = kinesis_record(e->s, s->id, p);
		uint32_t li = lane_of(e, r->key);

		if (room[li] == 0 || (n > 0 && *bytes + r->size > KINESIS_GET_RECORDS_BYTES))
			break;
		room[li]--;
		*bytes += r->size;
	}
	return n;
}

/* The processor of a shard that is done: closed and read to its end, or expired (§3.6). */
static bool shard_done(const struct kshard *s, uint64_t end)
{
	enum kinesis_shard_state st = kinesis_shard_state(s->e->s, s->id);

	if (s->ckpt != s->dispatch)
		return false;
	return st == SHARD_EXPIRED ||
	       (st == SHARD_CLOSED && s->ckpt == end && kinesis_finished(s->e->reader, s->id));
}

static void poll(struct sim *sim, void *subject, void *object)
{
	struct kshard *s = subject;
	struct kesm *e = s->e;
	uint64_t end;
	uint32_t n;
	double bytes;

	(void)sim;
	(void)object;
	s->poll_timer = SIM_EVENT_NONE;
	if (!kinesis_readable(e->reader, s->id)) {
		/* Its parents are not finished yet (§3.6), or it is gone. */
		if (kinesis_shard_state(e->s, s->id) == SHARD_EXPIRED && s->ckpt == s->dispatch)
			s->stopped = true;
		else
			poll_in(s, KESM_POLL_INTERVAL);
		return;
	}
	end = kinesis_end(e->s, s->id);
	skip_lost(s);
	if (shard_done(s, end)) {
		s->stopped = true;
		return;
	}
	if (s->dispatch >= end) {
		poll_in(s, KESM_POLL_INTERVAL);   /* caught up: the base rate (§6.1) */
		return;
	}
	n = call_size(s, end, &bytes);
	if (n == 0)
		return;   /* every lane that would get the next record is full: a lane kicks when it frees */
	if (!kinesis_get_records(e->s, s->id, bytes)) {
		e->c.get_throttled++;   /* ReadProvisionedThroughputExceeded (§3.2) */
		poll_in(s, KESM_READ_RETRY);
		return;
	}
	e->c.get_calls++;
	for (uint32_t i = 0; i < n; i++) {
		const struct kin_rec *r = kinesis_record(e->s, s->id, s->dispatch);

		lane_push(&s->lanes[lane_of(e, r->key)], r, s->dispatch);
		s->dispatch++;
	}
	e->c.read += n;
	for (uint32_t i = 0; i < e->pf; i++)
		lane_try(&s->lanes[i]);
	/* More waiting: read again at once; caught up: at the base rate (§6.1). */
	if (!sim_pending(e->sim, s->poll_timer))
		poll_in(s, s->dispatch < end ? 0 : KESM_POLL_INTERVAL);
}

static void shard_add(struct kesm *e, uint32_t id)
{
	struct kshard *s;

	if (id < e->nsh && e->sh[id])
		return;
	if (id >= e->nsh) {
		e->sh = weir_realloc(e->sh, (id + 1) * sizeof(*e->sh));
		memset(e->sh + e->nsh, 0, (id + 1 - e->nsh) * sizeof(*e->sh));
		e->nsh = id + 1;
	}
	s = weir_calloc(1, sizeof(*s));
	s->e = e;
	s->id = id;
	s->ckpt = s->dispatch = kinesis_cursor(e->reader, id);   /* its starting position (§6.1) */
	s->iterator_age = SIM_TIME_UNSET;
	s->lanes = weir_calloc(e->pf, sizeof(*s->lanes));
	for (uint32_t i = 0; i < e->pf; i++) {
		struct lane *l = &s->lanes[i];
		size_t cap = (size_t)e->cfg->batch_size;

		l->s = s;
		l->poison = weir_calloc(cap, 1);
		l->failed = weir_calloc(cap, 1);
		l->halves = weir_calloc(KESM_HALVES_MAX, sizeof(*l->halves));
		l->throttle_delay = KESM_THROTTLE_RETRY_FIRST;
		l->window_end = SIM_TIME_UNSET;
		l->inv.done = on_invoked;
		l->inv.owner = l;
		l->inv.poison = l->poison;
		l->inv.failed = l->failed;
		l->inv.item_failures = e->cfg->report_batch_item_failures;
	}
	e->sh[id] = s;
	poll_in(s, 0);
}

/* A reshard opened a shard: a processor for it, which waits for its parents (§3.6). */
static void on_shard(void *owner, uint32_t shard)
{
	shard_add(owner, shard);
}

/* ---- life cycle ------------------------------------------------------------ */

struct kesm *kesm_create(struct sim *sim, const struct trigger_cfg *cfg, struct kinesis_stream *s,
			 struct lambda_fn *f, struct sqs_queue *on_failure)
{
	struct kesm *e = weir_calloc(1, sizeof(*e));
	sim_time retention = kinesis_config(s)->retention;

	e->sim = sim;
	e->cfg = cfg;
	e->name = cfg->name;
	e->s = s;
	e->f = f;
	e->on_failure = on_failure;
	e->pf = (uint32_t)cfg->parallelization_factor;
	/* Unset (AWS's -1): no limit but the retention, which always applies (§6.2). */
	e->max_age = cfg->maximum_record_age != SIM_TIME_UNSET && cfg->maximum_record_age < retention
			     ? cfg->maximum_record_age : retention;
	e->buffer = (uint32_t)cfg->batch_size * KESM_READ_AHEAD_BATCHES;
	if (e->buffer < KINESIS_GET_RECORDS_MAX)
		e->buffer = KINESIS_GET_RECORDS_MAX;
	e->batches.last = sim_now(sim);
	hist_init(&e->age);
	hist_init(&e->age_run);
	e->reader = kinesis_reader_add(s, (enum kinesis_start)cfg->starting_position, on_shard, e);
	return e;
}

void kesm_start(struct kesm *e)
{
	uint32_t n = kinesis_shard_count(e->s);

	for (uint32_t i = 0; i < n; i++)
		if (kinesis_shard_state(e->s, i) != SHARD_EXPIRED)
			shard_add(e, i);
}

void kesm_destroy(struct kesm *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; i < e->nsh; i++) {
		struct kshard *s = e->sh[i];

		if (!s)
			continue;
		for (uint32_t j = 0; j < e->pf; j++) {
			free(s->lanes[j].q);
			free(s->lanes[j].poison);
			free(s->lanes[j].failed);
			free(s->lanes[j].halves);
		}
		free(s->lanes);
		free(s);
	}
	free(e->sh);
	hist_release(&e->age);
	hist_release(&e->age_run);
	free(e);
}

const char *kesm_name(const struct kesm *e) { return e->name; }
const struct kesm_counters *kesm_counters(const struct kesm *e) { return &e->c; }
uint64_t kesm_concurrency(const struct kesm *e) { return e->batches.value; }
uint64_t kesm_concurrency_peak(const struct kesm *e) { return e->batches_peak; }

sim_time kesm_shard_iterator_age(const struct kesm *e, uint32_t shard)
{
	return shard < e->nsh && e->sh[shard] ? e->sh[shard]->iterator_age : SIM_TIME_UNSET;
}

void kesm_watch(struct kesm *e, kesm_watch_fn *fn, void *ctx)
{
	e->watch = fn;
	e->watch_ctx = ctx;
}

void kesm_set_trace(struct kesm *e, struct trace *t) { e->trace = t; }

static uint64_t held(const struct kesm *e)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < e->nsh; i++)
		for (uint32_t j = 0; e->sh[i] && j < e->pf; j++)
			n += e->sh[i]->lanes[j].len;
	return n;
}

bool kesm_ledger(const struct kesm *e, FILE *err)
{
	const struct kesm_counters *c = &e->c;
	uint64_t h = held(e);
	bool ok = true;

	if (c->read != c->processed + c->discarded + h) {
		fprintf(err, "weir: internal error: mapping '%s': read %llu != processed %llu + discarded %llu + held %llu\n",
			e->name, (unsigned long long)c->read, (unsigned long long)c->processed,
			(unsigned long long)c->discarded, (unsigned long long)h);
		ok = false;
	}
	if (c->discarded != c->sent_on_failure + c->dropped) {
		fprintf(err, "weir: internal error: mapping '%s': discarded %llu != sent on failure %llu + dropped %llu\n",
			e->name, (unsigned long long)c->discarded, (unsigned long long)c->sent_on_failure,
			(unsigned long long)c->dropped);
		ok = false;
	}
	return ok;
}

/* ---- metrics and summary ------------------------------------------------------ */

enum {
	M_AGE, M_CONCURRENCY, M_BATCHES, M_BATCH_SIZE, M_PROCESSED, M_THROTTLED, M_FAILED, M_RETRIES,
	M_BISECTIONS, M_DISCARDED, M_EXPIRED, M_READ_THROTTLED, M_NDEFS
};

static const struct metric_def kesm_defs[M_NDEFS] = {
	[M_AGE] = { "IteratorAge", "ms", METRIC_PERCENTILES, "§6.4",
		    "Age of the last record of each batch when its invocation finished (failed ones too): a stuck or lagging shard shows as a growing maximum." },
	[M_CONCURRENCY] = { "ConcurrentBatches", "count", METRIC_MAX, "§6.1",
			    "Most batches being invoked at once during the period: at most shards x parallelization_factor." },
	[M_BATCHES] = { "Batches", "count", METRIC_SUM, "§6.1", "Invocations that ran a batch (retries included)." },
	[M_BATCH_SIZE] = { "BatchSize", "records", METRIC_AVERAGE, "§6.1",
			   "Average records per batch invoked in the period." },
	[M_PROCESSED] = { "RecordsProcessed", "count", METRIC_SUM, "§6.1",
			  "Records of batches that succeeded (with ReportBatchItemFailures, those before the first failed one)." },
	[M_THROTTLED] = { "ThrottledInvokes", "count", METRIC_SUM, "§6.2",
			  "Invoke attempts throttled by Lambda (each retry counts; they use no retry attempt)." },
	[M_FAILED] = { "FailedBatches", "count", METRIC_SUM, "§6.2",
		       "Invocations that failed, timed out or reported a failed record: the shard (lane) stays blocked." },
	[M_RETRIES] = { "Retries", "count", METRIC_SUM, "§6.2", "Retry attempts used by failed batches." },
	[M_BISECTIONS] = { "Bisections", "count", METRIC_SUM, "§6.2",
			   "Failed batches split in two (BisectBatchOnFunctionError): no retry attempt used." },
	[M_DISCARDED] = { "RecordsDiscarded", "count", METRIC_SUM, "§6.2",
			  "Records given up (retries exhausted, or older than maximum_record_age or the retention); their metadata goes to the on-failure queue." },
	[M_EXPIRED] = { "RecordsExpiredUnread", "count", METRIC_SUM, "§3.5",
			"Records that expired in the stream before the mapping read them: lost." },
	[M_READ_THROTTLED] = { "GetRecordsThrottled", "count", METRIC_SUM, "§3.2",
			       "GetRecords calls refused by the shard's shared read limit (retried after 1 s)." },
};

const struct metric_family kesm_metric_family = {
	.kind = "Event source mapping (Kinesis)",
	.intro = "One set per trigger on a stream, named `TRIGGER/Metric`; IteratorAge is Lambda's, the others are weir's.",
	.defs = kesm_defs,
	.ndefs = M_NDEFS,
};

void kesm_register_metrics(struct kesm *e, struct metrics *m)
{
	metrics_percentiles(m, e->name, &kesm_defs[M_AGE], &e->age, 1e-3);
	metrics_max(m, e->name, &kesm_defs[M_CONCURRENCY], &e->batches);
	metrics_sum(m, e->name, &kesm_defs[M_BATCHES], &e->c.batches);
	metrics_average(m, e->name, &kesm_defs[M_BATCH_SIZE], &e->c.records_invoked, &e->c.batches, 1.0);
	metrics_sum(m, e->name, &kesm_defs[M_PROCESSED], &e->c.processed);
	metrics_sum(m, e->name, &kesm_defs[M_THROTTLED], &e->c.throttled);
	metrics_sum(m, e->name, &kesm_defs[M_FAILED], &e->c.failed_batches);
	metrics_sum(m, e->name, &kesm_defs[M_RETRIES], &e->c.retries);
	metrics_sum(m, e->name, &kesm_defs[M_BISECTIONS], &e->c.bisections);
	metrics_sum(m, e->name, &kesm_defs[M_DISCARDED], &e->c.discarded);
	metrics_sum(m, e->name, &kesm_defs[M_EXPIRED], &e->c.expired_unread);
	metrics_sum(m, e->name, &kesm_defs[M_READ_THROTTLED], &e->c.get_throttled);
}

void kesm_end_warmup(struct kesm *e)
{
	e->c_warm = e->c;
	e->warm_at = now_of(e);
	e->batches_area_warm = level_area(&e->batches, now_of(e));
	e->batches_peak = e->batches.value;
	hist_reset(&e->age_run);
}

enum {
	S_BATCHES, S_RECORDS, S_BATCH_MEAN, S_PROCESSED, S_THROTTLED, S_FAILED, S_RETRIES, S_BISECTIONS,
	S_ITEM_FAILURES, S_DISCARDED, S_SENT, S_EXPIRED, S_READ_THROTTLED, S_AGE_P50, S_AGE_P99, S_AGE_MAX,
	S_CONC_MEAN, S_CONC_MAX, S_L_READ, S_L_PROCESSED, S_L_DISCARDED, S_L_HELD, S_L_SENT, S_L_DROPPED,
	S_NSTATS
};

static const struct stat_def kesm_stats_defs[S_NSTATS] = {
	[S_BATCHES] = { "Batches", "count", "Batches invoked after the warm-up (retries included)." },
	[S_RECORDS] = { "RecordsInvoked", "count", "Records in those batches." },
	[S_BATCH_MEAN] = { "BatchSize.mean", "records", "Average records per batch." },
	[S_PROCESSED] = { "RecordsProcessed", "count", "Records of batches that succeeded." },
	[S_THROTTLED] = { "ThrottledInvokes", "count", "Invoke attempts throttled (no retry attempt used)." },
	[S_FAILED] = { "FailedBatches", "count", "Invocations that failed, timed out or reported a failed record." },
	[S_RETRIES] = { "Retries", "count", "Retry attempts used by failed batches." },
	[S_BISECTIONS] = { "Bisections", "count", "Failed batches split in two." },
	[S_ITEM_FAILURES] = { "ItemFailures", "count", "Records reported failed (ReportBatchItemFailures)." },
	[S_DISCARDED] = { "RecordsDiscarded", "count", "Records given up: retries exhausted or too old." },
	[S_SENT] = { "RecordsSentOnFailure", "count", "Discarded records whose metadata reached the on-failure queue." },
	[S_EXPIRED] = { "RecordsExpiredUnread", "count", "Records that expired in the stream before being read." },
	[S_READ_THROTTLED] = { "GetRecordsThrottled", "count", "GetRecords calls throttled by the shared read limit." },
	[S_AGE_P50] = { "IteratorAge.p50", "ms", "Median IteratorAge of finished invocations." },
	[S_AGE_P99] = { "IteratorAge.p99", "ms", "99th percentile IteratorAge." },
	[S_AGE_MAX] = { "IteratorAge.max", "ms", "Largest IteratorAge." },
	[S_CONC_MEAN] = { "ConcurrentBatches.mean", "count", "Time-average batches being invoked." },
	[S_CONC_MAX] = { "ConcurrentBatches.max", "count", "Most batches invoked at once." },
	[S_L_READ] = { "ledger.read", "count", "Whole run: records read; = processed + discarded + held." },
	[S_L_PROCESSED] = { "ledger.processed", "count", "Whole run: records processed." },
	[S_L_DISCARDED] = { "ledger.discarded", "count", "Whole run: records discarded; = sent_on_failure + dropped." },
	[S_L_HELD] = { "ledger.held", "count", "At the end: records read and not yet finished." },
	[S_L_SENT] = { "ledger.sent_on_failure", "count", "Whole run: discarded records reported to the on-failure queue." },
	[S_L_DROPPED] = { "ledger.dropped", "count", "Whole run: discarded records with no destination (or refused by it)." },
};

const struct stat_family kesm_stat_family = { "Event source mapping (Kinesis)", kesm_stats_defs, S_NSTATS };

void kesm_summarize(const struct kesm *e, struct summary *s)
{
	struct kesm_counters d;
	double span = (double)(now_of(e) - e->warm_at);
	double v[S_NSTATS];

	weir_counters_since(&d, &e->c, &e->c_warm, sizeof(d) / sizeof(uint64_t));
	v[S_BATCHES] = (double)d.batches;
	v[S_RECORDS] = (double)d.records_invoked;
	v[S_BATCH_MEAN] = d.batches > 0 ? v[S_RECORDS] / v[S_BATCHES] : NAN;
	v[S_PROCESSED] = (double)d.processed;
	v[S_THROTTLED] = (double)d.throttled;
	v[S_FAILED] = (double)d.failed_batches;
	v[S_RETRIES] = (double)d.retries;
	v[S_BISECTIONS] = (double)d.bisections;
	v[S_ITEM_FAILURES] = (double)d.item_failures;
	v[S_DISCARDED] = (double)d.discarded;
	v[S_SENT] = (double)d.sent_on_failure;
	v[S_EXPIRED] = (double)d.expired_unread;
	v[S_READ_THROTTLED] = (double)d.get_throttled;
	v[S_AGE_P50] = hist_quantile(&e->age_run, 0.5) / 1e3;
	v[S_AGE_P99] = hist_quantile(&e->age_run, 0.99) / 1e3;
	v[S_AGE_MAX] = e->age_run.count > 0 ? (double)e->age_run.max / 1e3 : NAN;
	v[S_CONC_MEAN] = span > 0 ? (level_area(&e->batches, now_of(e)) - e->batches_area_warm) / span : NAN;
	v[S_CONC_MAX] = (double)e->batches_peak;
	v[S_L_READ] = (double)e->c.read;
	v[S_L_PROCESSED] = (double)e->c.processed;
	v[S_L_DISCARDED] = (double)e->c.discarded;
	v[S_L_HELD] = (double)held(e);
	v[S_L_SENT] = (double)e->c.sent_on_failure;
	v[S_L_DROPPED] = (double)e->c.dropped;
	for (int i = 0; i < S_NSTATS; i++)
		summary_add(s, e->name, "trigger", &kesm_stats_defs[i], v[i]);
}

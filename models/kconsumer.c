/*
 * kconsumer.c - consumer applications on a Kinesis stream (aws-behaviour
 * §3.8): one worker per readable shard, shared throughput or enhanced
 * fan-out.
 *
 * Per shard a worker keeps a fetch cursor (the next record to take from the
 * stream) and a buffer of the records taken and not yet processed, in
 * stream order, each with the time it reaches the worker (`ready`: the end
 * of its GetRecords call, or its push). The worker processes the head of
 * the buffer once it is ready, one record at a time; the record that ends a
 * batch (a call's records, a push) moves the checkpoint past it. So the
 * checkpoint never passes a record the worker has not processed, and the
 * reader's cursor in the stream is that checkpoint.
 *
 * The fetcher is a timer per shard: a GetRecords call (shared) or a look
 * for new records to push (fan-out, every KCONS_EFO_SCAN). It stops taking
 * records while the buffer is full, and the worker restarts it when it
 * frees room.
 */
#include "weir/kconsumer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A record taken from the stream: a copy, so the stream may drop its own. */
struct brec {
	struct kin_rec r;
	uint64_t pos;
	sim_time ready;                  /* when it reaches the worker */
	bool last;                       /* ends its batch: checkpoint after it */
};

struct kshard {
	struct kconsumer *k;
	uint32_t id;
	struct brec *q;                  /* ring of cap entries, power of two */
	size_t head, len, cap;
	uint64_t fetch;                  /* next position to take from the stream */
	sim_event_id fetch_timer, work_timer;
	bool working;                    /* a record is being processed (or waits to be retried) */
	bool starved;                    /* the fetcher stopped for room: the worker restarts it */
	bool stopped;                    /* the shard is done (closed and read, or expired) */
	sim_time efo_win;                /* fan-out: this second's budget (§3.8) */
	double efo_bytes;
	sim_time last_ready;             /* fan-out: pushes stay in order */
	sim_time behind;                 /* last MillisBehindLatest reading */
};

struct kconsumer {
	struct sim *sim;
	const char *name;
	const struct consumer_cfg *cfg;
	struct kinesis_stream *s;
	struct kin_reader *reader;
	gsl_rng *r_processing, *r_failure, *r_propagation, *r_jitter;
	struct kshard **sh;              /* by shard id; NULL: no worker */
	uint32_t nsh;
	uint32_t buffer;                 /* records a worker may hold */
	struct level busy, workers;
	struct hist behind, latency;     /* per period */
	struct hist behind_run, latency_run;   /* since the warm-up */
	struct kconsumer_counters c, c_warm;
	sim_time warm_at;
	double busy_area_warm, workers_area_warm;
	kconsumer_watch_fn *watch;
	void *watch_ctx;
};

_Static_assert(sizeof(struct kconsumer_counters) % sizeof(uint64_t) == 0, "counters are uint64_t");

static sim_time now_of(const struct kconsumer *k)
{
	return sim_now(k->sim);
}

static struct brec *at(const struct kshard *s, size_t i)
{
	return &s->q[(s->head + i) & (s->cap - 1)];
}

static void push(struct kshard *s, const struct kin_rec *r, uint64_t pos, sim_time ready)
{
	if (s->len == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct brec *q = weir_malloc(cap * sizeof(*q));

		for (size_t i = 0; i < s->len; i++)
			q[i] = *at(s, i);
		free(s->q);
		s->q = q;
		s->cap = cap;
		s->head = 0;
	}
	*at(s, s->len) = (struct brec){ *r, pos, ready, false };
	s->len++;
}

static void note_behind(struct kshard *s, sim_time behind)
{
	s->behind = behind;
	hist_record(&s->k->behind, behind);
	hist_record(&s->k->behind_run, behind);
}

/* ---- the worker ---------------------------------------------------------------- */

/* Room left in the worker's buffer. */
static uint32_t room(const struct kshard *s)
{
	return s->len < s->k->buffer ? s->k->buffer - (uint32_t)s->len : 0;
}

/* Room for a whole batch: a starved fetcher starts again (not for every record processed). */
static bool has_room(const struct kshard *s)
{
	return room(s) >= s->k->buffer / KCONS_READ_AHEAD_BATCHES;
}

static void work(struct kshard *s);
static void fetch_in(struct kshard *s, sim_time delay);

static void on_work(struct sim *sim, void *subject, void *object)
{
	(void)sim;
	(void)object;
	((struct kshard *)subject)->work_timer = SIM_EVENT_NONE;
	work(subject);
}

/* A record's processing ended: a failure is retried in place; a success may end a batch. */
static void on_processed(struct sim *sim, void *subject, void *object)
{
	struct kshard *s = subject;
	struct kconsumer *k = s->k;
	const struct consumer_cfg *cfg = k->cfg;
	struct brec *b = at(s, 0);
	bool failed;

	(void)object;
	s->work_timer = SIM_EVENT_NONE;
	failed = (b->r.poison && cfg->fail_on_poison) ||
		 (cfg->failure_rate > 0 && gsl_rng_uniform(k->r_failure) < cfg->failure_rate);
	if (failed) {
		k->c.failures++;
		s->work_timer = sim_schedule_in(sim, KCONS_FAILURE_RETRY, on_work, s, NULL);
		return;   /* the worker stays busy with it: the shard waits (its order is kept) */
	}
	k->c.processed++;
	hist_record(&k->latency, now_of(k) - b->r.born);
	hist_record(&k->latency_run, now_of(k) - b->r.born);
	if (k->watch)
		k->watch(k->watch_ctx, s->id, &b->r);
	if (b->last) {
		/*
		 * What it returns are records this consumer had taken that
		 * expired in the stream before the checkpoint passed them: not
		 * lost to it, the buffer had copies.
		 */
		(void)kinesis_commit(k->reader, s->id, b->pos + 1);
		k->c.checkpoints++;
	}
	s->head = (s->head + 1) & (s->cap - 1);
	s->len--;
	s->working = false;
	level_add(&k->busy, now_of(k), -1);
	if (s->starved && has_room(s) && !sim_pending(sim, s->fetch_timer)) {
		s->starved = false;
		fetch_in(s, 0);
	}
	work(s);
}

/* Starts processing the head of the buffer, or waits until it arrives. */
static void work(struct kshard *s)
{
	struct kconsumer *k = s->k;
	sim_time now = now_of(k);

	if (s->len == 0 || sim_pending(k->sim, s->work_timer))
		return;
	if (at(s, 0)->ready > now) {
		s->work_timer = sim_schedule(k->sim, at(s, 0)->ready, on_work, s, NULL);
		return;
	}
	if (!s->working) {
		s->working = true;
		level_add(&k->busy, now, +1);
	}
	s->work_timer = sim_schedule_in(k->sim, dist_sample_time(&k->cfg->processing, k->r_processing),
					on_processed, s, NULL);
}

/* ---- reading a shard (§3.2, §3.8) ----------------------------------------------- */

static void on_fetch(struct sim *sim, void *subject, void *object);

static void fetch_in(struct kshard *s, sim_time delay)
{
	s->fetch_timer = sim_schedule_in(s->k->sim, delay, on_fetch, s, NULL);
}

/*
 * Records that expired in the stream before this consumer took them are
 * lost to it (§3.5): the stream moves the reader's cursor past what it
 * dropped, and whatever lies beyond the fetch cursor was never read.
 */
static void skip_lost(struct kshard *s)
{
	struct kconsumer *k = s->k;
	uint64_t c;

	(void)kinesis_skip_expired(k->reader, s->id);
	c = kinesis_cursor(k->reader, s->id);
	if (c > s->fetch) {
		k->c.expired_unread += c - s->fetch;
		s->fetch = c;
	}
}

/* The worker's lease is over: the shard is closed and processed to its end, or expired (§3.6). */
static bool shard_done(const struct kshard *s, uint64_t end)
{
	const struct kconsumer *k = s->k;
	enum kinesis_shard_state st = kinesis_shard_state(k->s, s->id);

	if (s->len > 0)
		return false;
	return st == SHARD_EXPIRED ||
	       (st == SHARD_CLOSED && s->fetch == end && kinesis_finished(k->reader, s->id));
}

static void stop(struct kshard *s)
{
	s->stopped = true;
	level_add(&s->k->workers, now_of(s->k), -1);
}

/*
 * One GetRecords call (§3.2): at most max_records records and
 * KCONS_CALL_BYTES, the shard's records as they are now, in the worker's
 * hands KCONS_GET_RECORDS_LATENCY later. A caught-up worker calls too (and
 * gets nothing): its calls count against the shard's 5 per second all the
 * same. Returns the delay to the next call.
 */
static sim_time get_records(struct kshard *s, uint64_t end)
{
	struct kconsumer *k = s->k;
	sim_time now = now_of(k), ready = sim_add(now, KCONS_GET_RECORDS_LATENCY);
	uint32_t limit = (uint32_t)k->cfg->max_records, n = 0, free_slots = room(s);
	double bytes = 0;
	bool full;

	if (!has_room(s)) {
		s->starved = true;   /* KCL's prefetch waits for the processor: no call */
		return SIM_TIME_UNSET;
	}
	for (uint64_t p = s->fetch; p < end && n < limit && n < free_slots; p++, n++) {
		double b = kinesis_record(k->s, s->id, p)->size;

		if (n > 0 && bytes + b > KCONS_CALL_BYTES)
			break;
		bytes += b;
	}
	k->c.get_calls++;
	if (!kinesis_get_records(k->s, s->id, bytes)) {
		k->c.get_throttled++;   /* ReadProvisionedThroughputExceeded (§3.2) */
		return KCONS_READ_RETRY +
		       (sim_time)(gsl_rng_uniform(k->r_jitter) * KCONS_READ_RETRY_JITTER * (double)KCONS_READ_RETRY);
	}
	for (uint32_t i = 0; i < n; i++, s->fetch++)
		push(s, kinesis_record(k->s, s->id, s->fetch), s->fetch, ready);
	if (n > 0) {
		at(s, s->len - 1)->last = true;
		k->c.read += n;
		note_behind(s, ready - at(s, s->len - 1)->r.born);
	} else {
		note_behind(s, 0);   /* caught up (§3.9) */
	}
	work(s);
	/* A full call means more is waiting: call again as soon as this one is back. */
	full = s->fetch < end;
	if (full)
		return KCONS_GET_RECORDS_LATENCY;
	return k->cfg->poll_interval > KCONS_GET_RECORDS_LATENCY ? k->cfg->poll_interval
								  : KCONS_GET_RECORDS_LATENCY;
}

/*
 * Enhanced fan-out (§3.8): pushes the records that arrived since the last
 * look, each `propagation` after it was sent, within this consumer's own
 * 2 MB per second of the shard. A record found within one look of its
 * arrival was sent as it arrived; one held back (the budget, or a full
 * buffer) is sent now. Returns the delay to the next look.
 */
static sim_time push_records(struct kshard *s, uint64_t end)
{
	struct kconsumer *k = s->k;
	sim_time now = now_of(k);
	uint32_t n = 0, free_slots = room(s);

	if (sim_window(&s->efo_win, now, KCONS_EFO_WINDOW)) {
		s->efo_bytes = 0;
	}
	for (; s->fetch < end && n < free_slots; s->fetch++, n++) {
		const struct kin_rec *r = kinesis_record(k->s, s->id, s->fetch);
		sim_time sent = r->born > now - KCONS_EFO_SCAN ? r->born : now, ready;

		if (s->efo_bytes > 0 && s->efo_bytes + r->size > KCONS_EFO_BYTES)
			break;   /* this second's 2 MB are used: the rest waits for the next */
		s->efo_bytes += r->size;
		ready = sim_add(sent, dist_sample_time(&k->cfg->propagation, k->r_propagation));
		if (ready < now)
			ready = now;
		if (ready < s->last_ready)
			ready = s->last_ready;   /* one shard's records arrive in order */
		s->last_ready = ready;
		push(s, r, s->fetch, ready);
	}
	if (n > 0) {
		at(s, s->len - 1)->last = true;
		k->c.read += n;
		k->c.events++;
		note_behind(s, at(s, s->len - 1)->ready - at(s, s->len - 1)->r.born);
		work(s);
	}
	if (free_slots == 0 || (n == free_slots && s->fetch < end))
		s->starved = true;
	/* The next look on the scan grid, so a second's budget starts with a look. */
	return KCONS_EFO_SCAN - now % KCONS_EFO_SCAN;
}

static void on_fetch(struct sim *sim, void *subject, void *object)
{
	struct kshard *s = subject;
	struct kconsumer *k = s->k;
	sim_time retry = k->cfg->fan_out ? KCONS_EFO_SCAN : k->cfg->poll_interval, next;
	uint64_t end;

	(void)sim;
	(void)object;
	s->fetch_timer = SIM_EVENT_NONE;
	if (s->stopped)
		return;
	if (!kinesis_readable(k->reader, s->id)) {
		/* Its parents are not finished yet (§3.6), or it is gone. */
		if (kinesis_shard_state(k->s, s->id) == SHARD_EXPIRED && s->len == 0)
			stop(s);
		else
			fetch_in(s, retry > 0 ? retry : KCONS_GET_RECORDS_LATENCY);
		return;
	}
	end = kinesis_end(k->s, s->id);
	skip_lost(s);
	if (shard_done(s, end)) {
		stop(s);
		return;
	}
	if (s->fetch >= end && s->len > 0 && kinesis_shard_state(k->s, s->id) != SHARD_OPEN) {
		s->starved = true;   /* read to its end: look again once the worker has caught up */
		return;
	}
	next = k->cfg->fan_out ? push_records(s, end) : get_records(s, end);
	if (s->starved)
		return;
	fetch_in(s, next);
}

static void shard_add(struct kconsumer *k, uint32_t id)
{
	struct kshard *s;

	if (id < k->nsh && k->sh[id])
		return;
	if (id >= k->nsh) {
		k->sh = weir_realloc(k->sh, (id + 1) * sizeof(*k->sh));
		memset(k->sh + k->nsh, 0, (id + 1 - k->nsh) * sizeof(*k->sh));
		k->nsh = id + 1;
	}
	s = weir_calloc(1, sizeof(*s));
	s->k = k;
	s->id = id;
	s->fetch = kinesis_cursor(k->reader, id);
	s->fetch_timer = s->work_timer = SIM_EVENT_NONE;
	s->efo_win = -1;
	s->behind = SIM_TIME_UNSET;
	k->sh[id] = s;
	level_add(&k->workers, now_of(k), +1);
	/* Shared workers do not poll in step (KCONS_READ_RETRY_JITTER); fan-out looks on its grid. */
	fetch_in(s, k->cfg->fan_out ? 0 : (sim_time)(gsl_rng_uniform(k->r_jitter) * (double)k->cfg->poll_interval));
}

/* A reshard opened a shard: a worker for it, which waits for its parents (§3.6). */
static void on_shard(void *owner, uint32_t shard)
{
	shard_add(owner, shard);
}

/* ---- life cycle ------------------------------------------------------------ */

struct kconsumer *kconsumer_create(struct sim *sim, const char *name, const struct consumer_cfg *cfg,
				   struct kinesis_stream *s, struct rng_set *rngs)
{
	struct kconsumer *k = weir_calloc(1, sizeof(*k));

	WEIR_ASSERT(cfg->fan_out ? cfg->propagation.kind != DIST_NONE
				 : cfg->max_records > 0 && cfg->poll_interval != SIM_TIME_UNSET);
	k->sim = sim;
	k->name = name;
	k->cfg = cfg;
	k->s = s;
	k->r_processing = rng_stream(rngs, name, "processing");
	k->r_failure = rng_stream(rngs, name, "failure");
	k->r_propagation = rng_stream(rngs, name, "propagation");
	k->r_jitter = rng_stream(rngs, name, "jitter");
	k->buffer = KCONS_READ_AHEAD_BATCHES *
		    (uint32_t)(cfg->fan_out ? KCONS_MAX_RECORDS_MAX : cfg->max_records);
	k->busy.last = k->workers.last = sim_now(sim);
	hist_init(&k->behind);
	hist_init(&k->behind_run);
	hist_init(&k->latency);
	hist_init(&k->latency_run);
	k->reader = kinesis_reader_add(s, KINESIS_TRIM_HORIZON, on_shard, k);
	return k;
}

void kconsumer_start(struct kconsumer *k)
{
	uint32_t n = kinesis_shard_count(k->s);

	for (uint32_t i = 0; i < n; i++)
		if (kinesis_shard_state(k->s, i) != SHARD_EXPIRED)
			shard_add(k, i);
}

void kconsumer_destroy(struct kconsumer *k)
{
	if (!k)
		return;
	for (uint32_t i = 0; i < k->nsh; i++) {
		if (!k->sh[i])
			continue;
		free(k->sh[i]->q);
		free(k->sh[i]);
	}
	free(k->sh);
	hist_release(&k->behind);
	hist_release(&k->behind_run);
	hist_release(&k->latency);
	hist_release(&k->latency_run);
	free(k);
}

const char *kconsumer_name(const struct kconsumer *k) { return k->name; }
const struct kconsumer_counters *kconsumer_counters(const struct kconsumer *k) { return &k->c; }

sim_time kconsumer_millis_behind(const struct kconsumer *k, uint32_t shard)
{
	return shard < k->nsh && k->sh[shard] ? k->sh[shard]->behind : SIM_TIME_UNSET;
}

double kconsumer_latency_mean(const struct kconsumer *k)
{
	return k->latency_run.count > 0 ? hist_mean(&k->latency_run) : NAN;
}

void kconsumer_watch(struct kconsumer *k, kconsumer_watch_fn *fn, void *ctx)
{
	k->watch = fn;
	k->watch_ctx = ctx;
}

static uint64_t held(const struct kconsumer *k)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < k->nsh; i++)
		n += k->sh[i] ? k->sh[i]->len : 0;
	return n;
}

bool kconsumer_ledger(const struct kconsumer *k, FILE *err)
{
	uint64_t h = held(k);

	if (k->c.read == k->c.processed + h)
		return true;
	fprintf(err, "weir: internal error: stream consumer '%s': read %llu != processed %llu + held %llu\n",
		k->name, (unsigned long long)k->c.read, (unsigned long long)k->c.processed,
		(unsigned long long)h);
	return false;
}

/* ---- metrics and summary ------------------------------------------------------ */

enum {
	M_WORKERS, M_BUSY, M_PROCESSED, M_FAILURES, M_CALLS, M_READ_THROTTLED, M_BEHIND, M_LATENCY,
	M_EXPIRED, M_NDEFS
};

static const struct metric_def kconsumer_defs[M_NDEFS] = {
	[M_WORKERS] = { "Workers", "count", METRIC_GAUGE, "§3.6",
			"Shard workers (leases) at the end of the period: one per shard being read, parents and children alike." },
	[M_BUSY] = { "BusyWorkers", "count", METRIC_MEAN, NULL,
		     "Average number of workers processing a record (or waiting to retry a failed one) during the period." },
	[M_PROCESSED] = { "RecordsProcessed", "count", METRIC_SUM, NULL, "Records processed successfully." },
	[M_FAILURES] = { "ProcessingFailures", "count", METRIC_SUM, NULL,
			 "Processing attempts that failed; the record is retried in place after 1 s, holding up its shard." },
	[M_CALLS] = { "GetRecords", "count", METRIC_SUM, "§3.2",
		      "GetRecords calls made (throttled ones included); 0 for enhanced fan-out." },
	[M_READ_THROTTLED] = { "ReadProvisionedThroughputExceeded", "count", METRIC_SUM, "§3.2",
			       "GetRecords calls refused by the shard's shared 5 calls/s or 2 MB/s (retried after 1 s)." },
	[M_BEHIND] = { "MillisBehindLatest", "ms", METRIC_PERCENTILES, "§3.9",
		       "At each GetRecords response or fan-out push: its time minus the arrival of the last record it carried (0 for an empty call: caught up); max is the worst shard's." },
	[M_LATENCY] = { "EndToEndLatency", "seconds", METRIC_PERCENTILES, "§3.8",
			"Time from a record's arrival in the stream to the end of its successful processing." },
	[M_EXPIRED] = { "RecordsExpiredUnread", "count", METRIC_SUM, "§3.5",
			"Records that expired in the stream before the consumer read them: lost." },
};

const struct metric_family kconsumer_metric_family = {
	.kind = "Stream consumer",
	.intro = "One set per consumer whose source is a stream, named `CONSUMER/Metric`; MillisBehindLatest is what GetRecords and SubscribeToShardEvent report, the others are weir's.",
	.defs = kconsumer_defs,
	.ndefs = M_NDEFS,
};

static double g_workers(const void *k) { return (double)((const struct kconsumer *)k)->workers.value; }

void kconsumer_register_metrics(struct kconsumer *k, struct metrics *m)
{
	metrics_gauge(m, k->name, &kconsumer_defs[M_WORKERS], g_workers, k);
	metrics_mean(m, k->name, &kconsumer_defs[M_BUSY], &k->busy);
	metrics_sum(m, k->name, &kconsumer_defs[M_PROCESSED], &k->c.processed);
	metrics_sum(m, k->name, &kconsumer_defs[M_FAILURES], &k->c.failures);
	metrics_sum(m, k->name, &kconsumer_defs[M_CALLS], &k->c.get_calls);
	metrics_sum(m, k->name, &kconsumer_defs[M_READ_THROTTLED], &k->c.get_throttled);
	metrics_percentiles(m, k->name, &kconsumer_defs[M_BEHIND], &k->behind, 1e-3);
	metrics_percentiles(m, k->name, &kconsumer_defs[M_LATENCY], &k->latency, 1e-6);
	metrics_sum(m, k->name, &kconsumer_defs[M_EXPIRED], &k->c.expired_unread);
}

void kconsumer_end_warmup(struct kconsumer *k)
{
	k->c_warm = k->c;
	k->warm_at = now_of(k);
	k->busy_area_warm = level_area(&k->busy, now_of(k));
	k->workers_area_warm = level_area(&k->workers, now_of(k));
	hist_reset(&k->behind_run);
	hist_reset(&k->latency_run);
}

enum {
	S_READ, S_PROCESSED, S_FAILURES, S_CALLS, S_READ_THROTTLED, S_EVENTS, S_EXPIRED, S_BEHIND_P50,
	S_BEHIND_P99, S_BEHIND_MAX, S_LAT_MEAN, S_LAT_P50, S_LAT_P99, S_LAT_MAX, S_WORKERS, S_BUSY,
	S_L_READ, S_L_PROCESSED, S_L_HELD, S_NSTATS
};

static const struct stat_def kconsumer_stats_defs[S_NSTATS] = {
	[S_READ] = { "RecordsRead", "count", "Records delivered to workers after the warm-up." },
	[S_PROCESSED] = { "RecordsProcessed", "count", "Records processed successfully after the warm-up." },
	[S_FAILURES] = { "ProcessingFailures", "count", "Processing attempts that failed (each retried in place)." },
	[S_CALLS] = { "GetRecords", "count", "GetRecords calls, throttled ones included (shared throughput)." },
	[S_READ_THROTTLED] = { "ReadProvisionedThroughputExceeded", "count", "GetRecords calls throttled by the shard's shared read limits." },
	[S_EVENTS] = { "SubscribeToShardEvents", "count", "Fan-out pushes that carried records." },
	[S_EXPIRED] = { "RecordsExpiredUnread", "count", "Records that expired in the stream before being read." },
	[S_BEHIND_P50] = { "MillisBehindLatest.p50", "ms", "Median MillisBehindLatest of the responses and pushes." },
	[S_BEHIND_P99] = { "MillisBehindLatest.p99", "ms", "99th percentile MillisBehindLatest." },
	[S_BEHIND_MAX] = { "MillisBehindLatest.max", "ms", "Largest MillisBehindLatest." },
	[S_LAT_MEAN] = { "EndToEndLatency.mean", "seconds", "Mean time from a record's arrival to its processing (exact mean)." },
	[S_LAT_P50] = { "EndToEndLatency.p50", "seconds", "Median arrival-to-processed time." },
	[S_LAT_P99] = { "EndToEndLatency.p99", "seconds", "99th percentile arrival-to-processed time." },
	[S_LAT_MAX] = { "EndToEndLatency.max", "seconds", "Largest arrival-to-processed time." },
	[S_WORKERS] = { "Workers.mean", "count", "Time-average number of shard workers after the warm-up." },
	[S_BUSY] = { "BusyWorkers.mean", "count", "Time-average number of workers processing after the warm-up." },
	[S_L_READ] = { "ledger.read", "count", "Whole run: records read; = processed + held." },
	[S_L_PROCESSED] = { "ledger.processed", "count", "Whole run: records processed." },
	[S_L_HELD] = { "ledger.held", "count", "At the end: records read and not yet processed." },
};

const struct stat_family kconsumer_stat_family = { "Stream consumer", kconsumer_stats_defs, S_NSTATS };

void kconsumer_summarize(const struct kconsumer *k, struct summary *s)
{
	struct kconsumer_counters d;
	double span = (double)(now_of(k) - k->warm_at);
	double v[S_NSTATS];

	weir_counters_since(&d, &k->c, &k->c_warm, sizeof(d) / sizeof(uint64_t));
	v[S_READ] = (double)d.read;
	v[S_PROCESSED] = (double)d.processed;
	v[S_FAILURES] = (double)d.failures;
	v[S_CALLS] = (double)d.get_calls;
	v[S_READ_THROTTLED] = (double)d.get_throttled;
	v[S_EVENTS] = (double)d.events;
	v[S_EXPIRED] = (double)d.expired_unread;
	v[S_BEHIND_P50] = hist_quantile(&k->behind_run, 0.5) / 1e3;
	v[S_BEHIND_P99] = hist_quantile(&k->behind_run, 0.99) / 1e3;
	v[S_BEHIND_MAX] = k->behind_run.count > 0 ? (double)k->behind_run.max / 1e3 : NAN;
	v[S_LAT_MEAN] = kconsumer_latency_mean(k) / 1e6;
	v[S_LAT_P50] = hist_quantile(&k->latency_run, 0.5) / 1e6;
	v[S_LAT_P99] = hist_quantile(&k->latency_run, 0.99) / 1e6;
	v[S_LAT_MAX] = k->latency_run.count > 0 ? (double)k->latency_run.max / 1e6 : NAN;
	v[S_WORKERS] = span > 0 ? (level_area(&k->workers, now_of(k)) - k->workers_area_warm) / span : NAN;
	v[S_BUSY] = span > 0 ? (level_area(&k->busy, now_of(k)) - k->busy_area_warm) / span : NAN;
	v[S_L_READ] = (double)k->c.read;
	v[S_L_PROCESSED] = (double)k->c.processed;
	v[S_L_HELD] = (double)held(k);
	for (int i = 0; i < S_NSTATS; i++)
		summary_add(s, k->name, "consumer", &kconsumer_stats_defs[i], v[i]);
}

/*
 * lambda.c - Lambda functions: concurrency, scaling, execution environments,
 * synchronous and asynchronous invocation (aws-behaviour §4).
 *
 * Concurrency is counted in two places. A function with reserved
 * concurrency r runs at most r invocations, whatever the account does. The
 * other functions share the account's unreserved pool, limit - sum of
 * reservations; their provisioned environments hold part of that pool all
 * the time. An invocation on a provisioned environment is already paid for;
 * one on an on-demand environment takes a unit from its function's pool.
 *
 * Environments: a function's idle environments wait on a LIFO list (the
 * most recently used is reused first, so the others age out); each idle
 * on-demand environment has one reaper timer.
 */
#include "weir/lambda.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum env_state { ENV_BUSY = 1, ENV_IDLE };

struct lambda_env {
	struct lambda_fn *fn;
	struct lambda_env *next;     /* idle list */
	struct lambda_env *prev;
	sim_event_id reaper;
	bool provisioned;
	int state;
};

struct lambda_account {
	struct sim *sim;
	const struct account_cfg *cfg;
	uint64_t limit;              /* account concurrency */
	uint64_t reserved_total;     /* sum of the functions' reservations */
	struct level claimed;        /* reserved_total + unreserved claims (ClaimedAccountConcurrency) */
	struct level unreserved;     /* invocations of functions without a reservation */
	uint64_t unreserved_claim;   /* unreserved pool in use: on-demand runs + provisioned allocations */
	bool per_function_scaling;   /* §4.2: since Nov 2023 */
	/* Before Nov 2023 (§4.2): the account's concurrency may reach the burst at once, then +500/min. */
	double burst;
	uint64_t running;            /* invocations in progress, all functions */
	sim_time above_since;        /* when running reached the burst; SIM_TIME_UNSET below it */
	struct pool envs;            /* struct lambda_env */
	struct pool events;          /* struct lambda_event */
};

struct lambda_idle {
	struct lambda_env *head;
	uint64_t count;
};

struct lambda_fn {
	struct lambda_account *acct;
	struct sim *sim;
	const struct function_cfg *cfg;
	const char *name;
	bool reserved;               /* has reserved concurrency */
	uint64_t reserved_n;
	struct level running;        /* ConcurrentExecutions */
	struct level pending;        /* async events not yet settled */
	struct lambda_idle idle, idle_provisioned;
	uint64_t environments;       /* alive: busy or idle */
	struct bucket scaling;       /* since Nov 2023: per function */
	gsl_rng *r_duration, *r_record, *r_init, *r_keep, *r_error;
	struct sqs_queue *on_failure, *dead_letter;
	struct lambda_counters c, c_warm;
	uint64_t provisioned_billed_ms, provisioned_billed_warm;
	sim_time warm_at;
	struct hist duration_period, duration_total;   /* handler time, us */
	struct hist init_period, init_total;           /* cold start init, us */
	struct hist age_period, age_total;             /* async event age at invocation, us */
	uint64_t max_running;        /* since the warm-up */
	double running_area_warm;
};

struct lambda_event {
	struct lambda_fn *fn;
	struct lambda_invocation inv;
	sim_time received_at;
	double size;
	uint8_t poison;
	unsigned error_retries;      /* retries after function errors used */
	sim_time backoff;            /* next throttle backoff */
};

/* ---- concurrency -------------------------------------------------------- */

static sim_time now_of(const struct lambda_fn *f)
{
	return sim_now(f->sim);
}

/* Room for one more on-demand invocation in the function's pool? */
static bool pool_has_room(const struct lambda_fn *f)
{
	const struct lambda_account *a = f->acct;

	if (f->reserved)
		return f->running.value < f->reserved_n;
	return a->unreserved_claim < a->limit - a->reserved_total;
}

static void claim(struct lambda_fn *f, int64_t delta)
{
	struct lambda_account *a = f->acct;

	if (f->reserved)
		return;   /* a reservation is claimed whole, once */
	a->unreserved_claim = (uint64_t)((int64_t)a->unreserved_claim + delta);
	level_add(&a->claimed, now_of(f), delta);
}

/*
 * Whether a new environment may appear now (§4.2). Since Nov 2023: a token
 * bucket per function (1,000, refilled at 100/s). Before: a step function of
 * the account's concurrency: up to the Region's burst at once, then 500 more
 * per minute for as long as the account stays at or above the burst.
 */
static bool may_scale(struct lambda_fn *f)
{
	struct lambda_account *a = f->acct;
	double ceiling = a->burst;

	if (a->per_function_scaling)
		return bucket_take(&f->scaling, now_of(f), 1);
	if (a->above_since != SIM_TIME_UNSET)
		ceiling += LAMBDA_OLD_RAMP_PER_SEC * sim_time_to_sec(now_of(f) - a->above_since);
	return (double)a->running < ceiling;
}

/* The account's invocations in progress, for the old scaling rule. */
static void account_running(struct lambda_account *a, sim_time now, int delta)
{
	a->running = delta > 0 ? a->running + 1 : a->running - 1;
	if ((double)a->running >= a->burst && a->above_since == SIM_TIME_UNSET)
		a->above_since = now;
	else if ((double)a->running < a->burst)
		a->above_since = SIM_TIME_UNSET;
}

uint64_t lambda_available(const struct lambda_fn *f)
{
	const struct lambda_account *a = f->acct;

	if (f->reserved)
		return f->reserved_n - (f->running.value < f->reserved_n ? f->running.value : f->reserved_n);
	return a->limit - a->reserved_total - a->unreserved_claim;
}

uint64_t lambda_running(const struct lambda_fn *f)
{
	return f->running.value;
}

/* ---- environments -------------------------------------------------------- */

static void idle_push(struct lambda_idle *l, struct lambda_env *e)
{
	e->prev = NULL;
	e->next = l->head;
	if (l->head)
		l->head->prev = e;
	l->head = e;
	l->count++;
}

static void idle_remove(struct lambda_idle *l, struct lambda_env *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->prev = e->next = NULL;
	l->count--;
}

static struct lambda_env *idle_pop(struct lambda_idle *l)
{
	struct lambda_env *e = l->head;

	if (e)
		idle_remove(l, e);
	return e;
}

static void on_reap(struct sim *sim, void *subject, void *object)
{
	struct lambda_env *e = subject;
	struct lambda_fn *f = e->fn;

	(void)sim;
	(void)object;
	idle_remove(&f->idle, e);
	f->environments--;
	pool_put(&f->acct->envs, e);
}

static struct lambda_env *env_new(struct lambda_fn *f, bool provisioned)
{
	struct lambda_env *e = pool_get(&f->acct->envs);

	e->fn = f;
	e->provisioned = provisioned;
	e->state = ENV_BUSY;
	f->environments++;
	return e;
}

/* An environment finished a request: back to the idle list, reaped later. */
static void env_release(struct lambda_fn *f, struct lambda_env *e)
{
	e->state = ENV_IDLE;
	if (e->provisioned) {
		idle_push(&f->idle_provisioned, e);
		return;
	}
	idle_push(&f->idle, e);
	e->reaper = sim_schedule_in(f->sim, dist_sample_time(&f->cfg->keep_alive, f->r_keep), on_reap, e, NULL);
}

/* ---- one invocation ------------------------------------------------------- */

static sim_time handler_time(struct lambda_fn *f, uint32_t records)
{
	sim_time t = dist_sample_time(&f->cfg->duration, f->r_duration);

	if (f->cfg->per_record.kind != DIST_NONE)
		for (uint32_t i = 0; i < records; i++)
			t = sim_add(t, dist_sample_time(&f->cfg->per_record, f->r_record));
	return t;
}

/* What the handler returns, decided when it starts (it runs to the end anyway). */
static enum lambda_result outcome(struct lambda_fn *f, struct lambda_invocation *inv)
{
	bool any_poison = false;

	if (f->cfg->errors.rate > 0 && gsl_rng_uniform(f->r_error) < f->cfg->errors.rate)
		return LAMBDA_ERROR;                  /* an exception: the whole invocation fails */
	for (uint32_t i = 0; inv->poison && f->cfg->errors.poison && i < inv->records; i++) {
		any_poison |= inv->poison[i] != 0;
		if (inv->item_failures)
			inv->failed[i] = inv->poison[i];
	}
	if (!any_poison)
		return LAMBDA_OK;
	return inv->item_failures ? LAMBDA_PARTIAL : LAMBDA_ERROR;
}

/* Billed duration: rounded up to 1 ms (100 ms before Dec 2020, §4.7). */
static uint64_t billed_ms(const struct lambda_fn *f, sim_time run)
{
	uint64_t step = f->acct->cfg->date >= BEHAVIOUR_LAMBDA_10GB_1MS ? 1 : 100;
	uint64_t ms = (uint64_t)((run + SIM_MS - 1) / SIM_MS);

	return (ms + step - 1) / step * step;
}

/* INIT is billed for on-demand ZIP functions only since Aug 2025 (§4.7). */
static bool init_billed(const struct lambda_fn *f)
{
	return f->cfg->custom_runtime || f->acct->cfg->date >= BEHAVIOUR_LAMBDA_INIT_BILLED;
}

static void on_finish(struct sim *sim, void *subject, void *object)
{
	struct lambda_invocation *inv = subject;
	struct lambda_fn *f = inv->fn;
	struct lambda_env *e = inv->env;

	(void)sim;
	(void)object;
	inv->timer = SIM_EVENT_NONE;
	level_add(&f->running, now_of(f), -1);
	account_running(f->acct, now_of(f), -1);
	if (!f->reserved)
		level_add(&f->acct->unreserved, now_of(f), -1);
	if (e->provisioned) {
		f->provisioned_billed_ms += billed_ms(f, inv->duration);
	} else {
		claim(f, -1);
		f->c.billed_ms += billed_ms(f, inv->duration);
	}
	hist_record(&f->duration_period, inv->duration);
	hist_record(&f->duration_total, inv->duration);
	if (inv->result == LAMBDA_OK || inv->result == LAMBDA_PARTIAL)
		f->c.succeeded++;
	else
		f->c.errors++;
	if (inv->result == LAMBDA_TIMEOUT)
		f->c.timeouts++;
	env_release(f, e);
	inv->env = NULL;
	inv->done(inv);
}

/*
 * A cold start: the environment's INIT runs first. INIT is limited to 10 s;
 * if it runs out, Lambda retries it at the invocation, where it counts
 * against the function's timeout (§4.6; that accounting is unconfirmed).
 * Returns the INIT time before the handler and, through *in_invoke, the
 * part of it that counts against the timeout.
 */
static sim_time cold_start(struct lambda_fn *f, sim_time *in_invoke)
{
	sim_time init = dist_sample_time(&f->cfg->cold_start, f->r_init);

	f->c.cold_starts++;
	*in_invoke = 0;
	if (init > LAMBDA_INIT_LIMIT) {
		f->c.init_failures++;
		*in_invoke = dist_sample_time(&f->cfg->cold_start, f->r_init);
		init = LAMBDA_INIT_LIMIT;
	}
	hist_record(&f->init_period, init + *in_invoke);
	hist_record(&f->init_total, init + *in_invoke);
	if (init_billed(f))
		f->c.init_billed_ms += billed_ms(f, init);
	return init;
}

static void start(struct lambda_fn *f, struct lambda_env *e, struct lambda_invocation *inv, bool cold)
{
	sim_time init = 0, reinit = 0, run;

	inv->env = e;
	inv->cold = cold;
	if (cold)
		init = cold_start(f, &reinit);
	inv->result = outcome(f, inv);
	run = sim_add(reinit, handler_time(f, inv->records));
	if (run > f->cfg->timeout) {
		run = f->cfg->timeout;            /* stopped at the timeout: a timeout error */
		inv->result = LAMBDA_TIMEOUT;
		if (inv->item_failures)
			for (uint32_t i = 0; i < inv->records; i++)
				inv->failed[i] = 1;
	}
	inv->started = sim_add(now_of(f), init);
	inv->duration = run;
	inv->timer = sim_schedule(f->sim, sim_add(inv->started, run), on_finish, inv, NULL);
}

enum lambda_result lambda_invoke(struct lambda_fn *f, struct lambda_invocation *inv)
{
	struct lambda_env *e;
	bool cold = false;

	inv->fn = f;
	if (f->reserved && f->reserved_n == 0) {
		f->c.throttles++;   /* reserved concurrency 0 disables the function (§4.1) */
		return inv->result = LAMBDA_THROTTLED;
	}
	e = idle_pop(&f->idle_provisioned);
	if (!e) {
		if (!pool_has_room(f)) {
			f->c.throttles++;   /* TooManyRequestsException (§4.3) */
			return inv->result = LAMBDA_THROTTLED;
		}
		e = idle_pop(&f->idle);
		if (e) {
			sim_cancel(f->sim, e->reaper);
			e->reaper = SIM_EVENT_NONE;
		} else if (may_scale(f)) {
			e = env_new(f, false);
			cold = true;
		} else {
			f->c.throttles++;   /* faster than the scaling rate (§4.2) */
			return inv->result = LAMBDA_THROTTLED;
		}
		claim(f, +1);
		if (f->cfg->provisioned_concurrency > 0)
			f->c.spillover++;   /* §4.1: overflow runs on standard concurrency */
	}
	e->state = ENV_BUSY;
	f->c.invocations++;
	level_add(&f->running, now_of(f), +1);
	account_running(f->acct, now_of(f), +1);
	if (f->running.value > f->max_running)
		f->max_running = f->running.value;
	if (!f->reserved)
		level_add(&f->acct->unreserved, now_of(f), +1);
	start(f, e, inv, cold);
	return inv->result;
}

/* ---- asynchronous invocation (§4.4) ------------------------------------- */

static void event_free(struct lambda_event *ev)
{
	struct lambda_fn *f = ev->fn;

	level_add(&f->pending, now_of(f), -1);
	free(ev->inv.failed);
	pool_put(&f->acct->events, ev);
}

/* Sends one message to a destination queue; false when the queue refuses it. */
static bool deliver(struct lambda_fn *f, struct sqs_queue *q, double bytes, bool poison)
{
	struct sqs_send req = { .size = (uint32_t)bytes, .delay = SIM_TIME_UNSET,
				.flags = poison ? SQS_MSG_POISON : 0, .born_at = SIM_TIME_UNSET,
				.sender = f->name };

	if (sqs_send(q, &req) != SQS_OK)
		return false;
	f->c.queue_sends++;
	return true;
}

/*
 * An event that failed for good: the on-failure destination gets a record
 * (request, response, condition), the dead-letter queue the payload; with
 * neither, or if both refuse it, the event is dropped.
 */
static void event_failed(struct lambda_event *ev)
{
	struct lambda_fn *f = ev->fn;
	bool sent = false;

	if (f->on_failure) {
		if (deliver(f, f->on_failure, LAMBDA_DESTINATION_RECORD_BYTES + ev->size, ev->poison))
			sent = true;
		else
			f->c.async_destination_failures++;
	}
	if (f->dead_letter) {
		if (deliver(f, f->dead_letter, ev->size, ev->poison))
			sent = true;
		else
			f->c.async_dead_letter_errors++;   /* DeadLetterErrors */
	}
	if (sent)
		f->c.async_to_failure++;
	else
		f->c.async_dropped++;   /* AsyncEventsDropped */
	event_free(ev);
}

static void event_attempt(struct lambda_event *ev);

static void on_event_retry(struct sim *sim, void *subject, void *object)
{
	(void)sim;
	(void)object;
	event_attempt(subject);
}

static void event_done(struct lambda_invocation *inv)
{
	struct lambda_event *ev = inv->owner;
	struct lambda_fn *f = ev->fn;
	sim_time wait;

	if (inv->result == LAMBDA_OK || inv->result == LAMBDA_PARTIAL) {
		f->c.async_succeeded++;
		event_free(ev);
		return;
	}
	if (ev->error_retries >= (unsigned)f->cfg->async.maximum_retry_attempts) {
		event_failed(ev);   /* RetriesExhausted */
		return;
	}
	/* Function errors are retried after ~1 min, then ~2 min (§4.4). */
	wait = ev->error_retries == 0 ? LAMBDA_ASYNC_RETRY_1 : LAMBDA_ASYNC_RETRY_2;
	ev->error_retries++;
	f->c.async_retries++;
	sim_schedule_in(f->sim, wait, on_event_retry, ev, NULL);
}

/* One try: invoke, or come back later after a throttle, or give up on age. */
static void event_attempt(struct lambda_event *ev)
{
	struct lambda_fn *f = ev->fn;
	sim_time age = now_of(f) - ev->received_at;
	sim_time wait;

	if (age > f->cfg->async.maximum_event_age) {
		f->c.async_expired++;   /* older than MaximumEventAgeInSeconds */
		event_failed(ev);
		return;
	}
	if (f->reserved && f->reserved_n == 0) {
		event_failed(ev);       /* disabled: straight to the destination, no retries */
		return;
	}
	if (lambda_invoke(f, &ev->inv) != LAMBDA_THROTTLED) {
		hist_record(&f->age_period, age);
		hist_record(&f->age_total, age);
		return;
	}
	/*
	 * Throttled: back to the queue, 1 s doubling to 5 min, for up to the
	 * event age (§4.4); an event that would expire before its next try is
	 * given up when it does.
	 */
	wait = ev->received_at + f->cfg->async.maximum_event_age + 1 - now_of(f);
	sim_schedule_in(f->sim, ev->backoff < wait ? ev->backoff : wait, on_event_retry, ev, NULL);
	ev->backoff = ev->backoff * 2 < LAMBDA_ASYNC_BACKOFF_MAX ? ev->backoff * 2 : LAMBDA_ASYNC_BACKOFF_MAX;
}

bool lambda_accepts_sync(struct lambda_fn *f, double payload_bytes)
{
	if (payload_bytes <= LAMBDA_SYNC_PAYLOAD_MAX)
		return true;
	f->c.too_large++;   /* RequestTooLargeException (§4.3) */
	return false;
}

bool lambda_invoke_async(struct lambda_fn *f, double payload_bytes, bool poison)
{
	double max = f->acct->cfg->date >= BEHAVIOUR_LAMBDA_ASYNC_1MB ? LAMBDA_ASYNC_PAYLOAD_MAX
								       : LAMBDA_ASYNC_PAYLOAD_MAX_OLD;
	struct lambda_event *ev;

	if (payload_bytes > max) {
		f->c.too_large++;   /* the request is refused; nothing is queued */
		return false;
	}
	ev = pool_get(&f->acct->events);
	ev->fn = f;
	ev->received_at = now_of(f);
	ev->size = payload_bytes;
	ev->poison = poison;
	ev->backoff = LAMBDA_ASYNC_BACKOFF_MIN;
	ev->inv.done = event_done;
	ev->inv.owner = ev;
	ev->inv.records = 1;
	ev->inv.poison = &ev->poison;
	f->c.async_received++;
	level_add(&f->pending, now_of(f), +1);
	event_attempt(ev);
	return true;
}

/* ---- life cycle ------------------------------------------------------------ */

static double old_burst(const char *region)
{
	static const char *const large[] = { "us-east-1", "us-west-2", "eu-west-1" };
	static const char *const medium[] = { "ap-northeast-1", "eu-central-1", "us-east-2" };

	for (size_t i = 0; i < 3; i++) {
		if (strcmp(region, large[i]) == 0)
			return LAMBDA_OLD_BURST_LARGE;
		if (strcmp(region, medium[i]) == 0)
			return LAMBDA_OLD_BURST_MEDIUM;
	}
	return LAMBDA_OLD_BURST_SMALL;
}

struct lambda_account *lambda_account_create(struct sim *sim, const struct account_cfg *cfg)
{
	struct lambda_account *a = weir_calloc(1, sizeof(*a));

	a->sim = sim;
	a->cfg = cfg;
	a->limit = (uint64_t)cfg->lambda_concurrency;
	a->per_function_scaling = cfg->date >= BEHAVIOUR_LAMBDA_PER_FUNCTION_SCALING;
	a->burst = old_burst(cfg->region);
	a->above_since = SIM_TIME_UNSET;
	a->claimed.last = a->unreserved.last = sim_now(sim);
	pool_init(&a->envs, sizeof(struct lambda_env), 1024);
	pool_init(&a->events, sizeof(struct lambda_event), 1024);
	return a;
}

void lambda_account_destroy(struct lambda_account *a)
{
	if (!a)
		return;
	pool_release(&a->envs);
	pool_release(&a->events);
	free(a);
}

struct lambda_fn *lambda_create(struct lambda_account *a, const char *name,
				const struct function_cfg *cfg, struct rng_set *rngs)
{
	struct lambda_fn *f = weir_calloc(1, sizeof(*f));

	f->acct = a;
	f->sim = a->sim;
	f->cfg = cfg;
	f->name = name;
	f->reserved = cfg->reserved_concurrency != INT64_MIN;
	f->reserved_n = f->reserved ? (uint64_t)cfg->reserved_concurrency : 0;
	if (f->reserved) {
		a->reserved_total += f->reserved_n;
		level_add(&a->claimed, sim_now(a->sim), (int64_t)f->reserved_n);
	}
	bucket_init(&f->scaling, LAMBDA_SCALING_BURST, LAMBDA_SCALING_REFILL_PER_SEC, sim_now(a->sim));
	f->running.last = f->pending.last = sim_now(a->sim);
	f->r_duration = rng_stream(rngs, name, "duration");
	f->r_record = rng_stream(rngs, name, "per-record");
	f->r_init = rng_stream(rngs, name, "cold-start");
	f->r_keep = rng_stream(rngs, name, "keep-alive");
	f->r_error = rng_stream(rngs, name, "errors");
	hist_init(&f->duration_period);
	hist_init(&f->duration_total);
	hist_init(&f->init_period);
	hist_init(&f->init_total);
	hist_init(&f->age_period);
	hist_init(&f->age_total);
	return f;
}

void lambda_set_async_targets(struct lambda_fn *f, struct sqs_queue *on_failure,
			      struct sqs_queue *dead_letter)
{
	f->on_failure = on_failure;
	f->dead_letter = dead_letter;
}

/* Provisioned environments are initialised before the run and never reaped (§4.1). */
void lambda_start(struct lambda_fn *f)
{
	for (int64_t i = 0; i < f->cfg->provisioned_concurrency; i++) {
		struct lambda_env *e = env_new(f, true);

		e->state = ENV_IDLE;
		idle_push(&f->idle_provisioned, e);
	}
	if (!f->reserved)
		claim(f, f->cfg->provisioned_concurrency);
}

void lambda_destroy(struct lambda_fn *f)
{
	if (!f)
		return;
	hist_release(&f->duration_period);
	hist_release(&f->duration_total);
	hist_release(&f->init_period);
	hist_release(&f->init_total);
	hist_release(&f->age_period);
	hist_release(&f->age_total);
	free(f);
}

const char *lambda_name(const struct lambda_fn *f) { return f->name; }
const struct function_cfg *lambda_config(const struct lambda_fn *f) { return f->cfg; }
const struct lambda_counters *lambda_counters(const struct lambda_fn *f) { return &f->c; }

/* ---- observation ------------------------------------------------------------ */

void lambda_end_warmup(struct lambda_fn *f)
{
	f->c_warm = f->c;
	f->provisioned_billed_warm = f->provisioned_billed_ms;
	f->warm_at = now_of(f);
	f->max_running = f->running.value;
	f->running_area_warm = level_area(&f->running, now_of(f));
	hist_reset(&f->duration_total);
	hist_reset(&f->init_total);
	hist_reset(&f->age_total);
}

bool lambda_ledger(const struct lambda_fn *f, FILE *err)
{
	const struct lambda_counters *c = &f->c;
	bool sync_ok = c->invocations == c->succeeded + c->errors + f->running.value;
	bool async_ok = c->async_received == c->async_succeeded + c->async_to_failure +
					     c->async_dropped + f->pending.value;

	if (!sync_ok)
		fprintf(err, "weir: internal error: function '%s': invocations %llu != succeeded %llu + failed %llu + running %llu\n",
			f->name, (unsigned long long)c->invocations, (unsigned long long)c->succeeded,
			(unsigned long long)c->errors, (unsigned long long)f->running.value);
	if (!async_ok)
		fprintf(err, "weir: internal error: function '%s': async events %llu != succeeded %llu + sent on failure %llu + dropped %llu + pending %llu\n",
			f->name, (unsigned long long)c->async_received, (unsigned long long)c->async_succeeded,
			(unsigned long long)c->async_to_failure, (unsigned long long)c->async_dropped,
			(unsigned long long)f->pending.value);
	return sync_ok && async_ok;
}

/* ---- metrics (§4.1, §4.4 CloudWatch names) -------------------------------- */

enum {
	M_INVOCATIONS, M_ERRORS, M_THROTTLES, M_DURATION, M_CONCURRENCY, M_SPILLOVER, M_COLD,
	M_INIT, M_TIMEOUTS, M_ASYNC_RECEIVED, M_ASYNC_AGE, M_ASYNC_DROPPED, M_DLQ_ERRORS,
	M_DEST_FAILURES, M_ASYNC_RETRIES, M_ASYNC_FAILED, M_NDEFS
};

static const struct metric_def lambda_defs[M_NDEFS] = {
	[M_INVOCATIONS] = { "Invocations", "count", METRIC_SUM, "§4.1",
			    "Invocations that ran (succeeded or failed); throttled requests are not counted." },
	[M_ERRORS] = { "Errors", "count", METRIC_SUM, "§4.3",
		       "Invocations that ended in a function error or a timeout." },
	[M_THROTTLES] = { "Throttles", "count", METRIC_SUM, "§4.3",
			  "Requests refused with 429: no concurrency left, or faster than the scaling rate." },
	[M_DURATION] = { "Duration", "milliseconds", METRIC_PERCENTILES, "§4.5",
			 "Handler run time of the invocations that ended in the period (INIT excluded)." },
	[M_CONCURRENCY] = { "ConcurrentExecutions", "count", METRIC_MAX, "§4.1",
			    "Most invocations running at once during the period (INIT included)." },
	[M_SPILLOVER] = { "ProvisionedConcurrencySpilloverInvocations", "count", METRIC_SUM, "§4.1",
			  "Invocations that ran on on-demand environments while the function has provisioned concurrency." },
	[M_COLD] = { "ColdStarts", "count", METRIC_SUM, "§4.6",
		     "Invocations that created a new execution environment (weir)." },
	[M_INIT] = { "InitDuration", "milliseconds", METRIC_PERCENTILES, "§4.6",
		     "INIT time of the cold starts in the period (weir)." },
	[M_TIMEOUTS] = { "Timeouts", "count", METRIC_SUM, "§4.5",
			 "Invocations stopped at the function timeout (part of Errors; weir)." },
	[M_ASYNC_RECEIVED] = { "AsyncEventsReceived", "count", METRIC_SUM, "§4.4",
			       "Events accepted for asynchronous invocation." },
	[M_ASYNC_AGE] = { "AsyncEventAge", "milliseconds", METRIC_PERCENTILES, "§4.4",
			  "Time from queueing an event to an invocation of it, retries included." },
	[M_ASYNC_RETRIES] = { "AsyncRetries", "count", METRIC_SUM, "§4.4",
			      "Retries of asynchronous events after function errors (about 1 min, then about 2 min later; weir)." },
	[M_ASYNC_FAILED] = { "AsyncEventsSentOnFailure", "count", METRIC_SUM, "§4.4",
			     "Events given up and taken by the on-failure destination or the dead-letter queue (weir)." },
	[M_ASYNC_DROPPED] = { "AsyncEventsDropped", "count", METRIC_SUM, "§4.4",
			      "Events discarded after the last retry or the event age, with no destination that took them." },
	[M_DLQ_ERRORS] = { "DeadLetterErrors", "count", METRIC_SUM, "§4.4",
			   "Events the dead-letter queue refused (e.g. too large)." },
	[M_DEST_FAILURES] = { "DestinationDeliveryFailures", "count", METRIC_SUM, "§4.4",
			      "Events the on-failure destination refused." },
};

const struct metric_family lambda_metric_family = {
	.kind = "Function",
	.intro = "One set per function, named `FUNCTION/Metric`, with CloudWatch's `AWS/Lambda` names where one exists (aws-behaviour §4); the others are weir's.",
	.defs = lambda_defs,
	.ndefs = M_NDEFS,
};

static const struct metric_def account_defs[] = {
	{ "ClaimedAccountConcurrency", "count", METRIC_MAX, "§4.1",
	  "Most account concurrency claimed during the period: reservations, provisioned allocations and unreserved invocations." },
	{ "UnreservedConcurrentExecutions", "count", METRIC_MAX, "§4.1",
	  "Most invocations running at once in functions without reserved concurrency." },
};

const struct metric_family lambda_account_metric_family = {
	.kind = "Account",
	.intro = "Lambda's account-level concurrency, named `account/Metric` (only when the scenario has functions).",
	.prefix = LAMBDA_ACCOUNT_NAME,
	.defs = account_defs,
	.ndefs = 2,
};

void lambda_register_metrics(struct lambda_fn *f, struct metrics *m)
{
	const char *n = f->name;

	metrics_sum(m, n, &lambda_defs[M_INVOCATIONS], &f->c.invocations);
	metrics_sum(m, n, &lambda_defs[M_ERRORS], &f->c.errors);
	metrics_sum(m, n, &lambda_defs[M_THROTTLES], &f->c.throttles);
	metrics_percentiles(m, n, &lambda_defs[M_DURATION], &f->duration_period, 1e-3);
	metrics_max(m, n, &lambda_defs[M_CONCURRENCY], &f->running);
	metrics_sum(m, n, &lambda_defs[M_SPILLOVER], &f->c.spillover);
	metrics_sum(m, n, &lambda_defs[M_COLD], &f->c.cold_starts);
	metrics_percentiles(m, n, &lambda_defs[M_INIT], &f->init_period, 1e-3);
	metrics_sum(m, n, &lambda_defs[M_TIMEOUTS], &f->c.timeouts);
	metrics_sum(m, n, &lambda_defs[M_ASYNC_RECEIVED], &f->c.async_received);
	metrics_percentiles(m, n, &lambda_defs[M_ASYNC_AGE], &f->age_period, 1e-3);
	metrics_sum(m, n, &lambda_defs[M_ASYNC_RETRIES], &f->c.async_retries);
	metrics_sum(m, n, &lambda_defs[M_ASYNC_FAILED], &f->c.async_to_failure);
	metrics_sum(m, n, &lambda_defs[M_ASYNC_DROPPED], &f->c.async_dropped);
	metrics_sum(m, n, &lambda_defs[M_DLQ_ERRORS], &f->c.async_dead_letter_errors);
	metrics_sum(m, n, &lambda_defs[M_DEST_FAILURES], &f->c.async_destination_failures);
}

void lambda_account_register_metrics(struct lambda_account *a, struct metrics *m)
{
	metrics_max(m, LAMBDA_ACCOUNT_NAME, &account_defs[0], &a->claimed);
	metrics_max(m, LAMBDA_ACCOUNT_NAME, &account_defs[1], &a->unreserved);
}

/* ---- summary and cost (§4.7) ------------------------------------------------ */

enum {
	S_INVOCATIONS, S_ERRORS, S_TIMEOUTS, S_THROTTLES, S_THROTTLE_RATE, S_COLD, S_INIT_FAIL,
	S_SPILLOVER, S_DUR_MEAN, S_DUR_P50, S_DUR_P90, S_DUR_P99, S_DUR_MAX, S_INIT_MEAN, S_INIT_P99,
	S_CONC_MEAN, S_CONC_MAX, S_LIMIT, S_PROVISIONED, S_ASYNC_RECEIVED, S_ASYNC_SUCCEEDED, S_ASYNC_FAILED, S_ASYNC_DROPPED,
	S_ASYNC_EXPIRED, S_ASYNC_RETRIES, S_AGE_MEAN, S_AGE_P99, S_AGE_MAX, S_DLQ_ERRORS,
	S_DEST_FAILURES, S_TOO_LARGE, S_GB_SECONDS, S_COST_REQUESTS, S_COST_DURATION, S_COST_INIT,
	S_COST_PROVISIONED, S_COST_TOTAL, S_L_INVOCATIONS, S_L_SUCCEEDED, S_L_FAILED, S_L_RUNNING,
	S_L_ASYNC_RECEIVED, S_L_ASYNC_SUCCEEDED, S_L_ASYNC_FAILED, S_L_ASYNC_DROPPED, S_L_ASYNC_PENDING,
	S_NSTATS
};

static const struct stat_def lambda_stats_defs[S_NSTATS] = {
	[S_INVOCATIONS] = { "Invocations", "count", "Invocations that ran, after the warm-up." },
	[S_ERRORS] = { "Errors", "count", "Function errors and timeouts after the warm-up." },
	[S_TIMEOUTS] = { "Timeouts", "count", "Invocations stopped at the timeout after the warm-up." },
	[S_THROTTLES] = { "Throttles", "count", "Requests throttled (429) after the warm-up." },
	[S_THROTTLE_RATE] = { "ThrottleRate", "fraction", "Throttles / (Invocations + Throttles)." },
	[S_COLD] = { "ColdStarts", "count", "New execution environments after the warm-up." },
	[S_INIT_FAIL] = { "InitTimeouts", "count", "Cold starts whose INIT ran past 10 s and was retried in the invocation." },
	[S_SPILLOVER] = { "ProvisionedConcurrencySpilloverInvocations", "count", "Invocations on on-demand environments of a function with provisioned concurrency." },
	[S_DUR_MEAN] = { "Duration.mean", "milliseconds", "Mean handler run time (exact)." },
	[S_DUR_P50] = { "Duration.p50", "milliseconds", "Median handler run time (within 0.4%)." },
	[S_DUR_P90] = { "Duration.p90", "milliseconds", "90th percentile of the run time (within 0.4%)." },
	[S_DUR_P99] = { "Duration.p99", "milliseconds", "99th percentile of the run time (within 0.4%)." },
	[S_DUR_MAX] = { "Duration.max", "milliseconds", "Longest run time (exact)." },
	[S_INIT_MEAN] = { "InitDuration.mean", "milliseconds", "Mean INIT time of the cold starts." },
	[S_INIT_P99] = { "InitDuration.p99", "milliseconds", "99th percentile of the INIT time." },
	[S_CONC_MEAN] = { "ConcurrentExecutions.mean", "count", "Time-average invocations running at once." },
	[S_CONC_MAX] = { "ConcurrentExecutions.max", "count", "Most invocations running at once." },
	[S_LIMIT] = { "ConcurrencyLimit", "count", "Most invocations the function can run at once: its reserved concurrency, or the account's unreserved pool (shared with other functions without a reservation)." },
	[S_PROVISIONED] = { "ProvisionedConcurrency", "count", "Environments kept initialised (provisioned_concurrency)." },
	[S_ASYNC_RECEIVED] = { "AsyncEventsReceived", "count", "Async events accepted after the warm-up." },
	[S_ASYNC_SUCCEEDED] = { "AsyncEventsSucceeded", "count", "Async events whose invocation succeeded." },
	[S_ASYNC_FAILED] = { "AsyncEventsSentOnFailure", "count", "Async events sent to the on-failure destination or the dead-letter queue." },
	[S_ASYNC_DROPPED] = { "AsyncEventsDropped", "count", "Async events discarded." },
	[S_ASYNC_EXPIRED] = { "AsyncEventsExpired", "count", "Async events older than the maximum event age (then sent on failure or dropped)." },
	[S_ASYNC_RETRIES] = { "AsyncRetries", "count", "Retries of async events after function errors." },
	[S_AGE_MEAN] = { "AsyncEventAge.mean", "milliseconds", "Mean time from queueing an event to an invocation." },
	[S_AGE_P99] = { "AsyncEventAge.p99", "milliseconds", "99th percentile of the event age at invocation." },
	[S_AGE_MAX] = { "AsyncEventAge.max", "milliseconds", "Oldest event invoked." },
	[S_DLQ_ERRORS] = { "DeadLetterErrors", "count", "Events the dead-letter queue refused." },
	[S_DEST_FAILURES] = { "DestinationDeliveryFailures", "count", "Events the on-failure destination refused." },
	[S_TOO_LARGE] = { "RequestsTooLarge", "count", "Requests refused for their payload size (6 MB sync, 256 KB or 1 MB async)." },
	[S_GB_SECONDS] = { "GBSeconds", "GB-seconds", "Billed duration times memory (on-demand and provisioned runs)." },
	[S_COST_REQUESTS] = { "Cost.requests", "dollars", "Requests at the pricing's request price." },
	[S_COST_DURATION] = { "Cost.duration", "dollars", "Billed duration (1 ms steps; 100 ms before Dec 2020)." },
	[S_COST_INIT] = { "Cost.init", "dollars", "Billed INIT (since Aug 2025 for every function; before, custom runtimes only)." },
	[S_COST_PROVISIONED] = { "Cost.provisioned", "dollars", "Provisioned concurrency allocated over the measured time." },
	[S_COST_TOTAL] = { "Cost.total", "dollars", "The sum of the costs above, for the measured time." },
	[S_L_INVOCATIONS] = { "ledger.invocations", "count", "Whole run: invocations; = succeeded + failed + running." },
	[S_L_SUCCEEDED] = { "ledger.succeeded", "count", "Whole run: invocations that succeeded." },
	[S_L_FAILED] = { "ledger.failed", "count", "Whole run: invocations that failed (errors and timeouts)." },
	[S_L_RUNNING] = { "ledger.running", "count", "At the end: invocations still running." },
	[S_L_ASYNC_RECEIVED] = { "ledger.async_received", "count", "Whole run: async events; = succeeded + sent on failure + dropped + pending." },
	[S_L_ASYNC_SUCCEEDED] = { "ledger.async_succeeded", "count", "Whole run: async events that succeeded." },
	[S_L_ASYNC_FAILED] = { "ledger.async_sent_on_failure", "count", "Whole run: async events sent to a destination or DLQ." },
	[S_L_ASYNC_DROPPED] = { "ledger.async_dropped", "count", "Whole run: async events discarded." },
	[S_L_ASYNC_PENDING] = { "ledger.async_pending", "count", "At the end: async events queued, waiting to retry or running." },
};

const struct stat_family lambda_stat_family = { "Function", lambda_stats_defs, S_NSTATS };

_Static_assert(sizeof(struct lambda_counters) % sizeof(uint64_t) == 0,
	       "lambda_summarize subtracts the counters as an array of uint64_t");

struct costs {
	double gb_seconds, requests, duration, init, provisioned;
};

static struct costs costs_of(const struct lambda_fn *f, const struct lambda_counters *d,
			     uint64_t prov_ms, double seconds)
{
	const struct pricing_cfg *p = &f->acct->cfg->pricing;
	double gb = (double)f->cfg->memory_mb / 1024.0;
	struct costs c;

	c.gb_seconds = ((double)d->billed_ms + (double)prov_ms) / 1000.0 * gb;
	c.requests = (double)d->invocations * p->request;
	c.duration = (double)d->billed_ms / 1000.0 * gb * p->gb_second +
		     (double)prov_ms / 1000.0 * gb * p->provisioned_duration_gb_second;
	c.init = (double)d->init_billed_ms / 1000.0 * gb * p->gb_second;
	c.provisioned = (double)f->cfg->provisioned_concurrency * gb * seconds * p->provisioned_gb_second;
	return c;
}

static void fill_stats(const struct lambda_fn *f, const struct lambda_counters *d, double *v)
{
	double seconds = sim_time_to_sec(now_of(f) - f->warm_at);
	struct costs c = costs_of(f, d, f->provisioned_billed_ms - f->provisioned_billed_warm, seconds);

	v[S_INVOCATIONS] = (double)d->invocations;
	v[S_ERRORS] = (double)d->errors;
	v[S_TIMEOUTS] = (double)d->timeouts;
	v[S_THROTTLES] = (double)d->throttles;
	v[S_THROTTLE_RATE] = d->invocations + d->throttles
				     ? (double)d->throttles / (double)(d->invocations + d->throttles) : NAN;
	v[S_COLD] = (double)d->cold_starts;
	v[S_INIT_FAIL] = (double)d->init_failures;
	v[S_SPILLOVER] = (double)d->spillover;
	v[S_DUR_MEAN] = hist_mean(&f->duration_total) * 1e-3;
	v[S_DUR_P50] = hist_quantile(&f->duration_total, 0.50) * 1e-3;
	v[S_DUR_P90] = hist_quantile(&f->duration_total, 0.90) * 1e-3;
	v[S_DUR_P99] = hist_quantile(&f->duration_total, 0.99) * 1e-3;
	v[S_DUR_MAX] = hist_quantile(&f->duration_total, 1.0) * 1e-3;
	v[S_INIT_MEAN] = hist_mean(&f->init_total) * 1e-3;
	v[S_INIT_P99] = hist_quantile(&f->init_total, 0.99) * 1e-3;
	v[S_CONC_MEAN] = seconds > 0 ? (level_area(&f->running, now_of(f)) - f->running_area_warm) /
					       (seconds * (double)SIM_SEC) : NAN;
	v[S_CONC_MAX] = (double)f->max_running;
	v[S_LIMIT] = (double)(f->reserved ? f->reserved_n : f->acct->limit - f->acct->reserved_total);
	v[S_PROVISIONED] = (double)f->cfg->provisioned_concurrency;
	v[S_ASYNC_RECEIVED] = (double)d->async_received;
	v[S_ASYNC_SUCCEEDED] = (double)d->async_succeeded;
	v[S_ASYNC_FAILED] = (double)d->async_to_failure;
	v[S_ASYNC_DROPPED] = (double)d->async_dropped;
	v[S_ASYNC_EXPIRED] = (double)d->async_expired;
	v[S_ASYNC_RETRIES] = (double)d->async_retries;
	v[S_AGE_MEAN] = hist_mean(&f->age_total) * 1e-3;
	v[S_AGE_P99] = hist_quantile(&f->age_total, 0.99) * 1e-3;
	v[S_AGE_MAX] = hist_quantile(&f->age_total, 1.0) * 1e-3;
	v[S_DLQ_ERRORS] = (double)d->async_dead_letter_errors;
	v[S_DEST_FAILURES] = (double)d->async_destination_failures;
	v[S_TOO_LARGE] = (double)d->too_large;
	v[S_GB_SECONDS] = c.gb_seconds;
	v[S_COST_REQUESTS] = c.requests;
	v[S_COST_DURATION] = c.duration;
	v[S_COST_INIT] = c.init;
	v[S_COST_PROVISIONED] = c.provisioned;
	v[S_COST_TOTAL] = c.requests + c.duration + c.init + c.provisioned;
}

void lambda_summarize(const struct lambda_fn *f, struct summary *s)
{
	struct lambda_counters d = { 0 };
	double v[S_NSTATS];

	weir_counters_since(&d, &f->c, &f->c_warm, sizeof(d) / sizeof(uint64_t));
	fill_stats(f, &d, v);
	v[S_L_INVOCATIONS] = (double)f->c.invocations;
	v[S_L_SUCCEEDED] = (double)f->c.succeeded;
	v[S_L_FAILED] = (double)f->c.errors;
	v[S_L_RUNNING] = (double)f->running.value;
	v[S_L_ASYNC_RECEIVED] = (double)f->c.async_received;
	v[S_L_ASYNC_SUCCEEDED] = (double)f->c.async_succeeded;
	v[S_L_ASYNC_FAILED] = (double)f->c.async_to_failure;
	v[S_L_ASYNC_DROPPED] = (double)f->c.async_dropped;
	v[S_L_ASYNC_PENDING] = (double)f->pending.value;
	for (int i = 0; i < S_NSTATS; i++)
		summary_add(s, f->name, "function", &lambda_stats_defs[i], v[i]);
}

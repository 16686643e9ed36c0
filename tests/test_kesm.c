/*
 * test_kesm.c - one test per rule of the Kinesis event source mapping
 * (aws-behaviour §6), each driving a stream, a function and the mapping
 * through their APIs on a bare engine: a feeder puts records at a steady
 * rate, a watcher sees every record of every batch invoked. Every test
 * ends by checking the mapping's, the stream's and the function's ledgers.
 */
#include "harness.h"
#include "weir/kesm.h"
#include "weir/md5.h"
#include "weir/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 64

struct fx {
	struct sim *sim;
	struct diags d;
	struct doc *docs[4];
	int ndocs;
	struct account_cfg acct;
	struct function_cfg fn;
	struct trigger_cfg trig;
	struct stream_cfg scfg;
	struct sqs_queue_cfg qcfg;
	struct rng_set *rngs;
	struct sqs_env env;
	struct kinesis_stream *s;
	struct lambda_account *a;
	struct lambda_fn *f;
	struct sqs_queue *dlq;
	struct kesm *e;
	/* the feeder */
	sim_time every;
	uint64_t put, to_put, poison_at;
	uint32_t nkeys;
	const char *poison_key;
	/* the watcher */
	uint64_t last_seq[MAX_KEYS];       /* per key index; 0: none yet */
	bool order_broken;
	uint64_t invoked_poison;           /* invocations of poison records */
};

static int parse(struct fx *x, const struct schema *s, const char *text, void *obj)
{
	struct doc *doc = doc_load_text("test", text, strlen(text), NULL, &x->d);
	struct schema_ctx ctx = { .d = &x->d, .doc = doc, .root = s };

	if (!doc)
		return -1;
	x->docs[x->ndocs++] = doc;
	return schema_parse(s, doc->root, obj, &ctx) == 0 && x->d.errors == 0 ? 0 : -1;
}

/*
 * A stream of `shards` with the default retention, the function described
 * by fn_text (YAML flow mapping) and the trigger by trig_text, resolved for
 * a stream; with_dlq adds an on-failure queue.
 */
static int fx_setup(struct fx *x, int64_t shards, const char *fn_text, const char *trig_text, bool with_dlq)
{
	memset(x, 0, sizeof(*x));
	x->sim = sim_create();
	x->rngs = rng_set_create(7, 0);
	sqs_env_init(&x->env, x->sim, NULL);
	x->scfg.shards = shards;
	x->scfg.retention = KINESIS_RETENTION_DEFAULT;
	x->poison_at = UINT64_MAX;
	x->nkeys = 16;
	if (parse(x, &account_schema, "{ lambda_concurrency: 1000 }", &x->acct) != 0 ||
	    parse(x, &function_schema, fn_text, &x->fn) != 0 ||
	    parse(x, &trigger_schema, trig_text, &x->trig) != 0) {
		diag_print(&x->d, stderr);
		return -1;
	}
	{
		struct schema_ctx ctx = { .d = &x->d, .doc = x->docs[2], .root = &trigger_schema };

		trigger_resolve(&x->trig, true, false, &ctx);
	}
	if (x->d.errors) {
		diag_print(&x->d, stderr);
		return -1;
	}
	x->acct.date = behaviour_parse(x->acct.behaviour);
	x->a = lambda_account_create(x->sim, &x->acct);
	x->f = lambda_create(x->a, "f", &x->fn, x->rngs);
	if (with_dlq) {
		x->qcfg.head.name = "dlq";
		x->qcfg.visibility_timeout = SQS_VISIBILITY_TIMEOUT_DEFAULT;
		x->qcfg.retention = SQS_RETENTION_DEFAULT;
		x->qcfg.maximum_message_size = SQS_MESSAGE_SIZE_DEFAULT;
		x->qcfg.in_flight_limit = SQS_IN_FLIGHT_LIMIT;
		x->qcfg.short_poll_sample = 1.0;
		x->dlq = sqs_create(&x->env, "dlq", &x->qcfg, rng_stream(x->rngs, "dlq", "queue"));
	}
	lambda_start(x->f);
	return 0;
}

/* The stream (after the test set its configuration) and the mapping, which reads it from the start. */
static void fx_stream(struct fx *x)
{
	x->s = kinesis_create(x->sim, "s", &x->scfg);
	x->e = kesm_create(x->sim, &x->trig, x->s, x->f, x->dlq);
	kinesis_start(x->s);
}

static int fx_open(struct fx *x, int64_t shards, const char *fn_text, const char *trig_text, bool with_dlq)
{
	if (fx_setup(x, shards, fn_text, trig_text, with_dlq) != 0)
		return -1;
	fx_stream(x);
	return 0;
}

/* Frees everything; returns whether every ledger balanced. */
static bool fx_close(struct fx *x)
{
	bool ok = kesm_ledger(x->e, stderr) & kinesis_ledger(x->s, stderr) & lambda_ledger(x->f, stderr);

	kesm_destroy(x->e);
	lambda_destroy(x->f);
	lambda_account_destroy(x->a);
	kinesis_destroy(x->s);
	sqs_destroy(x->dlq);
	sqs_env_release(&x->env);
	rng_set_destroy(x->rngs);
	sim_destroy(x->sim);
	schema_release(&function_schema, &x->fn);
	schema_release(&trigger_schema, &x->trig);
	schema_release(&account_schema, &x->acct);
	free(x->trig.derived_name);
	vec_release(&x->scfg.reshards);
	for (int i = 0; i < x->ndocs; i++)
		doc_free(x->docs[i]);
	diag_release(&x->d);
	return ok;
}

static void key_name(char *buf, size_t n, uint32_t k)
{
	snprintf(buf, n, "key-%u", k);
}

static enum kinesis_result put_key(struct fx *x, const char *key, bool poison)
{
	struct kin_put p = { .hash = md5_hash_key(key, strlen(key)), .key = weir_hash_str(0, key),
			     .size = 200, .key_len = (uint16_t)strlen(key), .poison = poison };

	return kinesis_put(x->s, &p);
}

/* Puts one record of key (put % nkeys) every `every`, to_put in all; record poison_at is poison. */
static void on_feed(struct sim *sim, void *subject, void *object)
{
	struct fx *x = subject;
	char key[32];
	bool poison = x->put == x->poison_at;

	(void)object;
	if (poison && x->poison_key)
		snprintf(key, sizeof(key), "%s", x->poison_key);
	else
		key_name(key, sizeof(key), (uint32_t)(x->put % x->nkeys));
	if (put_key(x, key, poison) != KINESIS_OK)
		abort();   /* the tests stay under the write limits */
	if (++x->put < x->to_put)
		sim_schedule_in(sim, x->every, on_feed, x, NULL);
}

static void feed(struct fx *x, uint64_t n, sim_time every)
{
	x->to_put = n;
	x->every = every;
	sim_schedule_in(x->sim, 0, on_feed, x, NULL);
}

/* Per key, records must be invoked in increasing sequence order, a retry repeating the same ones. */
static void watch_order(void *ctx, uint32_t shard, const struct kin_rec *r)
{
	struct fx *x = ctx;

	(void)shard;
	for (uint32_t k = 0; k < x->nkeys; k++) {
		char key[32];

		key_name(key, sizeof(key), k);
		if (weir_hash_str(0, key) == r->key) {
			if (r->seq < x->last_seq[k])
				x->order_broken = true;
			x->last_seq[k] = r->seq;
		}
	}
	x->invoked_poison += r->poison;
}

/* ---- polling and concurrency (§6.1) --------------------------------------------- */

/*
 * By default one batch per shard is in flight: with 4 shards busy, the
 * function never runs more than 4 at once, and reaches 4.
 */
void test_kesm_one_batch_per_shard(void)
{
	struct fx x;
	uint64_t peak = 0;

	CHECK(fx_open(&x, 4, "{ duration: 300ms, cold_start: 0s }", "{ source: s, function: f }", false) == 0);
	feed(&x, 8000, SIM_SEC / 400);
	kesm_start(x.e);
	for (sim_time t = SIM_SEC / 10; t <= 40 * SIM_SEC; t += SIM_SEC / 10) {
		sim_run(x.sim, t);
		if (lambda_running(x.f) > peak)
			peak = lambda_running(x.f);
	}
	CHECK_EQ_INT(peak, 4);
	CHECK_EQ_INT(kesm_concurrency_peak(x.e), 4);
	CHECK_EQ_INT(kesm_counters(x.e)->processed, 8000);
	CHECK(kesm_counters(x.e)->batches < 8000 / 4);   /* records wait for the shard's batch: batches grow */
	CHECK(fx_close(&x));
}

/*
 * parallelization_factor 3: up to 3 batches per shard (6 on 2 shards), yet
 * every key's records are invoked in increasing sequence order (§6.1).
 */
void test_kesm_parallelization_keeps_key_order(void)
{
	struct fx x;

	/* Random durations put the lanes out of step: a key in two lanes would be overtaken. */
	CHECK(fx_open(&x, 2, "{ duration: \"exponential(mean=500ms)\", timeout: 900s, cold_start: 0s }",
		      "{ source: s, function: f, parallelization_factor: 3, batch_size: 10 }", false) == 0);
	x.nkeys = 30;
	kesm_watch(x.e, watch_order, &x);
	feed(&x, 6000, SIM_SEC / 300);
	kesm_start(x.e);
	sim_run(x.sim, 120 * SIM_SEC);
	CHECK(!x.order_broken);
	CHECK_EQ_INT(kesm_concurrency_peak(x.e), 6);
	CHECK_EQ_INT(kesm_counters(x.e)->processed, 6000);
	CHECK(fx_close(&x));
}

/* A key that routes to shard `shard`. */
static const char *key_on(struct fx *x, uint32_t shard, char *buf, size_t n)
{
	for (int i = 0;; i++) {
		snprintf(buf, n, "poison-%d", i);
		if (kinesis_route(x->s, md5_hash_key(buf, strlen(buf))) == shard)
			return buf;
	}
}

/* ---- errors (§6.2) ------------------------------------------------------------ */

/*
 * A poison record blocks its shard: with the default infinite retries its
 * IteratorAge keeps growing while the other shard keeps up.
 */
void test_kesm_poison_blocks_its_shard(void)
{
	struct fx x;
	char key[32];
	sim_time age0, age1;

	CHECK(fx_open(&x, 2, "{ duration: 100ms, cold_start: 0s }", "{ source: s, function: f }", false) == 0);
	x.poison_key = key_on(&x, 0, key, sizeof(key));
	x.poison_at = 100;
	feed(&x, 6000, SIM_SEC / 100);
	kesm_start(x.e);
	sim_run(x.sim, 50 * SIM_SEC);
	age0 = kesm_shard_iterator_age(x.e, 0);
	age1 = kesm_shard_iterator_age(x.e, 1);
	CHECK_MSG(age0 > 45 * SIM_SEC && age1 < 2 * SIM_SEC, "iterator ages %g s and %g s",
		  sim_time_to_sec(age0), sim_time_to_sec(age1));
	sim_run(x.sim, 70 * SIM_SEC);
	CHECK(kesm_shard_iterator_age(x.e, 0) > age0 + 15 * SIM_SEC);
	CHECK_EQ_INT(kesm_counters(x.e)->discarded, 0);
	CHECK(kesm_counters(x.e)->retries > 50);
	CHECK(fx_close(&x));
}

/*
 * With maximum_retry_attempts 2 the poisoned batch runs exactly 3 times,
 * is discarded to the on-failure queue (one message), and the shard goes on.
 */
void test_kesm_retries_exhausted_go_on_failure(void)
{
	struct fx x;
	char key[32];
	const struct kesm_counters *c;

	CHECK(fx_open(&x, 2, "{ duration: 100ms, cold_start: 0s }",
		      "{ source: s, function: f, maximum_retry_attempts: 2, on_failure: dlq }", true) == 0);
	kesm_watch(x.e, watch_order, &x);
	x.poison_key = key_on(&x, 0, key, sizeof(key));
	x.poison_at = 100;
	feed(&x, 3000, SIM_SEC / 100);
	kesm_start(x.e);
	sim_run(x.sim, 60 * SIM_SEC);
	c = kesm_counters(x.e);
	CHECK_EQ_INT(x.invoked_poison, 3);
	CHECK_EQ_INT(c->retries, 2);
	CHECK_EQ_INT(c->failure_messages, 1);
	CHECK_EQ_INT(sqs_counters(x.dlq)->sent, 1);
	CHECK(c->discarded >= 1 && c->discarded == c->sent_on_failure);
	CHECK_EQ_INT(c->processed + c->discarded, 3000);
	CHECK(kesm_shard_iterator_age(x.e, 0) < 2 * SIM_SEC);   /* caught up again */
	CHECK(fx_close(&x));
}

/*
 * bisect_batch_on_function_error isolates the poison record: halving the
 * batch uses no retry attempt, so even with no retries only it is discarded.
 */
void test_kesm_bisect_isolates_poison(void)
{
	struct fx x;
	const struct kesm_counters *c;

	CHECK(fx_open(&x, 1, "{ duration: 10ms, cold_start: 0s }",
		      "{ source: s, function: f, batch_size: 100, maximum_batching_window: 1s,"
		      " maximum_retry_attempts: 0, bisect_batch_on_function_error: true }", false) == 0);
	x.poison_at = 37;
	feed(&x, 100, SIM_MS);   /* one batch of 100, there when the mapping starts */
	sim_run(x.sim, SIM_SEC);
	kesm_start(x.e);
	sim_run(x.sim, 60 * SIM_SEC);
	c = kesm_counters(x.e);
	CHECK_EQ_INT(c->discarded, 1);
	CHECK_EQ_INT(c->dropped, 1);
	CHECK_EQ_INT(c->processed, 99);
	CHECK_EQ_INT(c->retries, 0);
	CHECK(c->bisections >= 6 && c->bisections <= 7);   /* 100 -> 50 -> 25 -> 12/13 -> ... -> 1 */
	CHECK(fx_close(&x));
}

/*
 * report_batch_item_failures: Lambda checkpoints before the first failed
 * record and retries from it, so the records before it run once and the
 * rest twice (one retry), then the rest is discarded.
 */
void test_kesm_item_failures_retry_from_failed(void)
{
	struct fx x;
	const struct kesm_counters *c;

	CHECK(fx_open(&x, 1, "{ duration: 10ms, cold_start: 0s }",
		      "{ source: s, function: f, batch_size: 100, maximum_batching_window: 1s,"
		      " maximum_retry_attempts: 1, report_batch_item_failures: true }", false) == 0);
	kesm_watch(x.e, watch_order, &x);
	x.poison_at = 40;
	feed(&x, 100, SIM_MS);
	sim_run(x.sim, SIM_SEC);
	kesm_start(x.e);
	sim_run(x.sim, 60 * SIM_SEC);
	c = kesm_counters(x.e);
	CHECK_EQ_INT(c->batches, 2);
	CHECK_EQ_INT(c->records_invoked, 100 + 60);   /* the retry starts at the failed record */
	CHECK_EQ_INT(c->processed, 40);
	CHECK_EQ_INT(c->discarded, 60);
	CHECK_EQ_INT(c->item_failures, 2);
	CHECK_EQ_INT(x.invoked_poison, 2);
	CHECK(fx_close(&x));
}

/* A record older than maximum_record_age is discarded without being invoked (§6.2). */
void test_kesm_record_age_discards_without_invoking(void)
{
	struct fx x;

	CHECK(fx_open(&x, 1, "{ duration: 10ms, cold_start: 0s }",
		      "{ source: s, function: f, maximum_record_age: 60s }", false) == 0);
	feed(&x, 50, SIM_MS);
	sim_run(x.sim, 2 * SIM_MIN);   /* the mapping starts late */
	kesm_start(x.e);
	sim_run(x.sim, 3 * SIM_MIN);
	CHECK_EQ_INT(lambda_counters(x.f)->invocations, 0);
	CHECK_EQ_INT(kesm_counters(x.e)->read, 50);
	CHECK_EQ_INT(kesm_counters(x.e)->discarded, 50);
	CHECK_EQ_INT(kesm_counters(x.e)->dropped, 50);   /* no on-failure queue */
	CHECK(fx_close(&x));
}

/*
 * Throttled invokes are retried and use no retry attempt: with reserved
 * concurrency 1 for 3 shards and maximum_retry_attempts 0, batches are
 * throttled yet none is discarded.
 */
void test_kesm_throttles_use_no_retry_attempts(void)
{
	struct fx x;

	CHECK(fx_open(&x, 3, "{ duration: 1s, cold_start: 0s, reserved_concurrency: 1 }",
		      "{ source: s, function: f, maximum_retry_attempts: 0 }", false) == 0);
	feed(&x, 3000, SIM_SEC / 100);
	kesm_start(x.e);
	sim_run(x.sim, 10 * SIM_MIN);
	CHECK_MSG(kesm_counters(x.e)->throttled > 10, "%llu throttles, %llu batches",
		  (unsigned long long)kesm_counters(x.e)->throttled, (unsigned long long)kesm_counters(x.e)->batches);
	CHECK_EQ_INT(kesm_counters(x.e)->discarded, 0);
	CHECK_EQ_INT(kesm_counters(x.e)->retries, 0);
	CHECK_EQ_INT(kesm_counters(x.e)->processed, 3000);
	CHECK(fx_close(&x));
}

/* Records that expire (retention, §3.5) before the mapping reads them are counted lost. */
void test_kesm_expired_unread_counted(void)
{
	struct fx x;

	CHECK(fx_open(&x, 2, "{ duration: 10ms, cold_start: 0s }", "{ source: s, function: f }", false) == 0);
	feed(&x, 100, SIM_MS);
	sim_run(x.sim, 25 * SIM_HOUR);
	kesm_start(x.e);
	sim_run(x.sim, 25 * SIM_HOUR + SIM_MIN);
	CHECK_EQ_INT(kesm_counters(x.e)->expired_unread, 100);
	CHECK_EQ_INT(kesm_counters(x.e)->read, 0);
	CHECK_EQ_INT(lambda_counters(x.f)->invocations, 0);
	CHECK(fx_close(&x));
}

/* ---- resharding (§3.6) ---------------------------------------------------------- */

/*
 * A split: the mapping reads the children only after the parent, so every
 * key stays in order across the reshard, and every record is processed.
 */
void test_kesm_reshard_children_after_parent(void)
{
	struct fx x;
	struct reshard_cfg *r;

	CHECK(fx_setup(&x, 1, "{ duration: 2s, cold_start: 0s }", "{ source: s, function: f, batch_size: 10 }",
		       false) == 0);
	r = vec_push(&x.scfg.reshards, sizeof(*r));
	r->at = 10 * SIM_SEC;
	r->action = RESHARD_SPLIT;
	r->shard = 0;
	fx_stream(&x);
	x.nkeys = 8;
	kesm_watch(x.e, watch_order, &x);
	feed(&x, 400, SIM_SEC / 20);   /* 20 s of records: half before the split */
	kesm_start(x.e);
	sim_run(x.sim, 5 * SIM_MIN);
	CHECK_EQ_INT(kinesis_shard_count(x.s), 3);
	CHECK(!x.order_broken);
	CHECK_EQ_INT(kesm_counters(x.e)->processed, 400);
	CHECK(kesm_shard_iterator_age(x.e, 1) != SIM_TIME_UNSET);
	CHECK(kesm_shard_iterator_age(x.e, 2) != SIM_TIME_UNSET);
	CHECK(fx_close(&x));
}

/* ---- configuration ---------------------------------------------------------------- */

static int resolve_errors(const char *text, bool stream, int64_t *batch, const char *want)
{
	struct fx x;
	struct schema_ctx ctx;
	int errors = -1;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	memset(&x, 0, sizeof(x));
	if (parse(&x, &trigger_schema, text, &x.trig) == 0) {
		ctx = (struct schema_ctx){ .d = &x.d, .doc = x.docs[0], .root = &trigger_schema };
		trigger_resolve(&x.trig, stream, false, &ctx);
		errors = (int)x.d.errors;
		*batch = x.trig.batch_size;
	} else {
		errors = 100 + (int)x.d.errors;
	}
	mem = open_memstream(&buf, &len);
	diag_print(&x.d, mem);
	fclose(mem);
	if (want && !strstr(buf, want)) {
		fprintf(stderr, "%s", buf);
		errors = -2;
	}
	free(buf);
	schema_release(&trigger_schema, &x.trig);
	free(x.trig.derived_name);
	doc_free(x.docs[0]);
	diag_release(&x.d);
	return errors;
}

/*
 * batch_size defaults to 100 on a stream and 10 on a queue; the SQS rule
 * "above 10 needs a window" applies to queues only; keys of the other kind
 * of source are refused.
 */
void test_kesm_trigger_resolve(void)
{
	int64_t b = 0;

	CHECK_EQ_INT(resolve_errors("{ source: s, function: f }", true, &b, NULL), 0);
	CHECK_EQ_INT(b, KESM_BATCH_DEFAULT);
	CHECK_EQ_INT(resolve_errors("{ source: q, function: f }", false, &b, NULL), 0);
	CHECK_EQ_INT(b, ESM_BATCH_DEFAULT);
	CHECK_EQ_INT(resolve_errors("{ source: s, function: f, batch_size: 500 }", true, &b, NULL), 0);
	CHECK_EQ_INT(resolve_errors("{ source: q, function: f, batch_size: 500 }", false, &b,
				    "needs a maximum_batching_window"), 1);
	CHECK_EQ_INT(resolve_errors("{ source: s, function: f, maximum_concurrency: 5 }", true, &b,
				    "'maximum_concurrency' does not apply to a trigger on stream 's'"), 1);
	CHECK_EQ_INT(resolve_errors("{ source: q, function: f, parallelization_factor: 2, on_failure: d }", false,
				    &b, "'on_failure' does not apply to a trigger on queue 'q'"), 2);
	CHECK_EQ_INT(resolve_errors("{ source: s, function: f, maximum_record_age: 30s }", true, &b, NULL), 101);
	CHECK_EQ_INT(resolve_errors("{ source: s, function: f, parallelization_factor: 11 }", true, &b, NULL), 101);
	CHECK_EQ_INT(resolve_errors("{ source: s, function: f, maximum_record_age: 90500ms }", true, &b,
				    "whole seconds"), 101);
}

/*
 * test_kconsumer.c - consumer applications on a Kinesis stream
 * (aws-behaviour §3.8): whole scenarios run through the world, a watcher
 * on each consumer checking per-key order, and every test ending with the
 * world's ledgers (test_world_close fails when one does not balance).
 *
 * Statistical checks use runs of 10^5 records or more. The put-to-processed
 * delay of a shared consumer is a uniform wait for the next call plus a
 * fixed call time, so its mean has a standard error under 1 ms at that
 * size; the tolerances below (5 ms, 15 ms) are many standard errors wide
 * and far narrower than the effects tested.
 */
#include "harness.h"
#include "util.h"
#include "weir/kconsumer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 256
#define MAX_CONSUMERS 8

/* Per-key order as one consumer processes records. */
struct order {
	uint64_t key[MAX_KEYS], last_seq[MAX_KEYS];
	uint32_t nkeys;
	bool broken;
	uint64_t seen;
};

static void watch_order(void *ctx, uint32_t shard, const struct kin_rec *r)
{
	struct order *o = ctx;
	uint32_t i = 0;

	(void)shard;
	o->seen++;
	while (i < o->nkeys && o->key[i] != r->key)
		i++;
	if (i == o->nkeys) {
		if (o->nkeys == MAX_KEYS) {
			o->broken = true;   /* the test uses more keys than it can follow */
			return;
		}
		o->key[o->nkeys++] = r->key;
	}
	if (r->seq < o->last_seq[i])
		o->broken = true;
	o->last_seq[i] = r->seq;
}

/*
 * A stream of `shards` written by a Poisson producer (rate per second, 100
 * keys, record size), read by the consumers described by consumers_yaml
 * (lines under `consumers:`), optionally resharded; runs `duration` with a
 * 1-minute warm-up. Per consumer named c0..c7 (those present): the
 * summary values asked for, and whether its keys stayed in order.
 */
struct run {
	struct summary s;
	struct order order[MAX_CONSUMERS];
	uint64_t processed[MAX_CONSUMERS];
	double latency_mean[MAX_CONSUMERS];     /* seconds */
	int ok;
};

static int run_stream(struct run *r, int shards, const char *rate, const char *size, const char *reshards,
		      const char *consumers_yaml, const char *duration)
{
	struct test_world t;
	char text[4096];
	struct kconsumer *k[MAX_CONSUMERS] = { 0 };

	memset(r, 0, sizeof(*r));
	snprintf(text, sizeof(text),
		 "name: kc\nduration: %s\nwarmup: 1m\nseed: 3\nmetrics: { period: 10s }\n"
		 "streams:\n  s: { shards: %d%s }\n"
		 "producers:\n  p:\n    target: s\n    arrivals: poisson(rate=%s)\n"
		 "    partition_key: uniform(keys=100)\n    message: { size: %s }\n"
		 "consumers:\n%s",
		 duration, shards, reshards ? reshards : "", rate, size, consumers_yaml);
	if (test_world_open(&t, text, 3) != 0)
		return -1;
	for (int i = 0; i < MAX_CONSUMERS; i++) {
		char name[8];

		snprintf(name, sizeof(name), "c%d", i);
		k[i] = world_resource(t.w, "consumer", name);
		if (k[i])
			kconsumer_watch(k[i], watch_order, &r->order[i]);
	}
	world_run(t.w);
	for (int i = 0; i < MAX_CONSUMERS; i++)
		if (k[i]) {
			r->processed[i] = kconsumer_counters(k[i])->processed;
			r->latency_mean[i] = kconsumer_latency_mean(k[i]) / 1e6;
		}
	r->ok = test_world_close(&t, &r->s);
	return r->ok;
}

static double stat(const struct run *r, int i, const char *name)
{
	char c[8];

	snprintf(c, sizeof(c), "c%d", i);
	return summary_get(&r->s, c, name);
}

static double stream_stat(const struct run *r, const char *name)
{
	return summary_get(&r->s, "s", name);
}

/* ---- shared throughput (§3.2, §3.8) -------------------------------------------- */

/*
 * One shared consumer on 2 shards: every record is processed, each key in
 * order. Its delay is the wait for the next call (uniform over the poll
 * interval) plus the call (KCONS_GET_RECORDS_LATENCY): polling at the
 * shard's 5 calls/s, 100 + 100 = 200 ms, §3.8's one-consumer figure; at
 * the default 1 s, 500 + 100 = 600 ms. Processing takes no time here.
 */
void test_kconsumer_shared_one_consumer_delay(void)
{
	struct run r;
	double want_fast = 0.1 + sim_time_to_sec(KCONS_GET_RECORDS_LATENCY);
	double want_default = sim_time_to_sec(KCONS_POLL_INTERVAL_DEFAULT) / 2 +
			      sim_time_to_sec(KCONS_GET_RECORDS_LATENCY);

	CHECK(run_stream(&r, 2, "200/s", "1KB", NULL, "  c0: { source: s, processing: 0s, poll_interval: 200ms }\n",
			 "10m") == 0);
	CHECK(!r.order[0].broken);
	CHECK(r.order[0].seen > 100000);
	/* Everything accepted is processed, held, or came after the last call (< 0.3 s x 200/s). */
	CHECK(stream_stat(&r, "ledger.accepted") - (double)r.processed[0] - stat(&r, 0, "ledger.held") < 100);
	CHECK_NEAR(r.latency_mean[0], want_fast, 0.005);
	CHECK_EQ_INT(stat(&r, 0, "ReadProvisionedThroughputExceeded"), 0);
	CHECK_NEAR(stat(&r, 0, "Workers.mean"), 2, 1e-9);
	summary_release(&r.s);

	CHECK(run_stream(&r, 2, "200/s", "1KB", NULL, "  c0: { source: s, processing: 0s }\n", "10m") == 0);
	CHECK(!r.order[0].broken);
	CHECK_NEAR(r.latency_mean[0], want_default, 0.015);
	summary_release(&r.s);
}

/*
 * §10 item 11: five shared consumers each polling 5 times a second ask
 * 25 calls/s of a shard that serves 5: calls are throttled, and the delay
 * rises from one consumer's 200 ms to §3.8's ~1 s. Five enhanced fan-out
 * consumers have their own pipes: no GetRecords at all, no throttles, and
 * the 70 ms propagation.
 */
void test_kconsumer_five_shared_throttle_five_efo_do_not(void)
{
	struct run r;
	char yaml[1024] = "";

	for (int i = 0; i < 5; i++)
		snprintf(yaml + strlen(yaml), sizeof(yaml) - strlen(yaml),
			 "  c%d: { source: s, processing: 0s, poll_interval: 200ms }\n", i);
	CHECK(run_stream(&r, 2, "200/s", "1KB", NULL, yaml, "10m") == 0);
	for (int i = 0; i < 5; i++) {
		CHECK(stat(&r, i, "ReadProvisionedThroughputExceeded") > 100);
		CHECK(!r.order[i].broken);
		CHECK(r.order[i].seen > 100000);
		/* Measured about 1.05 s; one consumer's is 0.2 s. */
		CHECK(r.latency_mean[i] > 0.7 && r.latency_mean[i] < 1.5);
	}
	summary_release(&r.s);

	yaml[0] = 0;
	for (int i = 0; i < 5; i++)
		snprintf(yaml + strlen(yaml), sizeof(yaml) - strlen(yaml),
			 "  c%d: { source: s, processing: 0s, fan_out: true }\n", i);
	CHECK(run_stream(&r, 2, "200/s", "1KB", NULL, yaml, "10m") == 0);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_INT(stat(&r, i, "ReadProvisionedThroughputExceeded"), 0);
		CHECK_EQ_INT(stat(&r, i, "GetRecords"), 0);
		CHECK(!r.order[i].broken);
		CHECK(r.order[i].seen > 100000);
		CHECK_NEAR(r.latency_mean[i], sim_time_to_sec(KCONS_PROPAGATION_DEFAULT), 0.005);
	}
	summary_release(&r.s);
}

/*
 * The shared 2 MB/s (§3.2): a shard takes at most 1 MB/s of writes, so
 * three consumers of 810 KB/s per shard ask 2.4 MB/s of its 2 MB/s: they
 * fall behind, MillisBehindLatest in minutes and growing over the run.
 * Three enhanced fan-out consumers each get their own 2 MB/s and keep up.
 */
void test_kconsumer_shared_bytes_fall_behind_efo_keeps_up(void)
{
	struct run r;
	char yaml[1024] = "";

	for (int i = 0; i < 3; i++)
		snprintf(yaml + strlen(yaml), sizeof(yaml) - strlen(yaml), "  c%d: { source: s, processing: 0s }\n", i);
	CHECK(run_stream(&r, 2, "1800/s", "900B", NULL, yaml, "10m") == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(stat(&r, i, "MillisBehindLatest.max") > 60e3);   /* a minute behind; measured ~2 min */
		CHECK(stat(&r, i, "ReadProvisionedThroughputExceeded") > 0);
		CHECK(!r.order[i].broken);
	}
	summary_release(&r.s);

	/* Behind at 5 minutes is less than behind at 10: the backlog grows. */
	{
		struct run r5;

		CHECK(run_stream(&r5, 2, "1800/s", "900B", NULL, yaml, "5m") == 0);
		CHECK(run_stream(&r, 2, "1800/s", "900B", NULL, yaml, "10m") == 0);
		for (int i = 0; i < 3; i++)
			CHECK(stat(&r5, i, "ledger.held") + (stream_stat(&r5, "ledger.accepted") - stat(&r5, i, "ledger.read")) <
			      stat(&r, i, "ledger.held") + (stream_stat(&r, "ledger.accepted") - stat(&r, i, "ledger.read")));
		summary_release(&r5.s);
		summary_release(&r.s);
	}

	yaml[0] = 0;
	for (int i = 0; i < 3; i++)
		snprintf(yaml + strlen(yaml), sizeof(yaml) - strlen(yaml),
			 "  c%d: { source: s, processing: 0s, fan_out: true }\n", i);
	CHECK(run_stream(&r, 2, "1800/s", "900B", NULL, yaml, "10m") == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(stat(&r, i, "MillisBehindLatest.max") < 200);
		CHECK(stat(&r, i, "EndToEndLatency.p99") < 0.2);
		CHECK(!r.order[i].broken);
	}
	summary_release(&r.s);
}

/* ---- resharding (§3.6) ---------------------------------------------------------- */

/*
 * A split at 2 minutes: each consumer finishes the parent before it reads
 * the children, so every key stays in order, and everything is processed;
 * the parent's worker stops and two children's start.
 */
void test_kconsumer_reshard_parents_first(void)
{
	struct run r;
	const char *reshard = ", reshards: [ { at: 2m, action: split, shard: 0 } ]";

	CHECK(run_stream(&r, 1, "300/s", "500B", reshard,
			 "  c0: { source: s, processing: 1ms }\n"
			 "  c1: { source: s, processing: 1ms, fan_out: true }\n"
			 "  c2: { source: s, processing: 2ms, poll_interval: 200ms, max_records: 200 }\n", "5m") == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(!r.order[i].broken);
		CHECK_MSG(r.order[i].seen > 80000, "c%d saw %llu", i, (unsigned long long)r.order[i].seen);
		CHECK(stat(&r, i, "ledger.held") < 1000);
		CHECK(stat(&r, i, "Workers.mean") > 1.5);   /* one worker, then two */
	}
	CHECK_EQ_INT(stream_stat(&r, "OpenShardCount"), 2);
	summary_release(&r.s);
}

/* ---- failures ------------------------------------------------------------------- */

/* A failed record is retried in place: nothing lost, order kept, the failures counted. */
void test_kconsumer_failures_retried_in_place(void)
{
	struct run r;

	CHECK(run_stream(&r, 2, "50/s", "1KB", NULL,
			 "  c0: { source: s, processing: 1ms, failure_rate: 0.01 }\n"
			 "  c1: { source: s, processing: 1ms, failure_rate: 0.01, fan_out: true }\n", "10m") == 0);
	for (int i = 0; i < 2; i++) {
		CHECK(!r.order[i].broken);
		CHECK(stat(&r, i, "ProcessingFailures") > 100);
		/* each failure holds its shard KCONS_FAILURE_RETRY: the delay's mean grows by ~1 s x 1% */
		CHECK(r.latency_mean[i] > 0);
		CHECK(stat(&r, i, "ledger.read") == stat(&r, i, "ledger.processed") + stat(&r, i, "ledger.held"));
	}
	summary_release(&r.s);
}

/* ---- configuration ------------------------------------------------------------ */

/* Loads a scenario; returns its error count (warnings in *warnings) and whether want is in the diagnostics. */
static int load(const char *consumers_yaml, const char *want, unsigned *warnings)
{
	char text[8192], *buf = NULL;
	size_t len = 0;
	struct diags d = { 0 };
	struct scenario *sc;
	FILE *mem;
	int errors;

	snprintf(text, sizeof(text),
		 "name: kc\nduration: 1m\nqueues:\n  q: {}\nstreams:\n  s: { shards: 1 }\nconsumers:\n%s",
		 consumers_yaml);
	sc = scenario_load("kc.yaml", text, strlen(text), NULL, 0, &d);
	errors = (int)d.errors;
	if (warnings)
		*warnings = d.warnings;
	mem = open_memstream(&buf, &len);
	diag_print(&d, mem);
	fclose(mem);
	if (want && !strstr(buf, want)) {
		fprintf(stderr, "%s", buf);
		errors = -1;
	}
	free(buf);
	scenario_free(sc);
	diag_release(&d);
	return errors;
}

/*
 * consumer_resolve: a stream consumer refuses the queue keys (its workers
 * are its shards), a queue consumer the stream keys, each mode the other's;
 * defaults per kind; more than 20 fan-out consumers on a stream is a
 * warning (§3.8, limit unconfirmed); a source must be a queue or a stream.
 */
void test_kconsumer_resolve(void)
{
	char many[4096] = "";
	unsigned warnings = 0;

	CHECK_EQ_INT(load("  c: { source: s, processing: 1ms }\n", NULL, NULL), 0);
	CHECK_EQ_INT(load("  c: { source: s, processing: 1ms, workers: 4 }\n",
			  "'workers' does not apply to a consumer of stream 's'", NULL), 1);
	CHECK_EQ_INT(load("  c: { source: s, processing: 1ms, visibility_timeout: 30s, heartbeat: { every: 10s, extend_to: 30s } }\n",
			  "'heartbeat' does not apply to a consumer of stream 's'", NULL), 2);
	CHECK_EQ_INT(load("  c: { source: s, processing: 1ms, receive_wait: 20s }\n",
			  "'receive_wait' does not apply to a consumer of stream 's'", NULL), 1);
	CHECK_EQ_INT(load("  c: { source: q, processing: 1ms, fan_out: true }\n",
			  "'fan_out' does not apply to a consumer of queue 'q'", NULL), 1);
	CHECK_EQ_INT(load("  c: { source: q, processing: 1ms, poll_interval: 1s, max_records: 5 }\n",
			  "'max_records' does not apply to a consumer of queue 'q'", NULL), 2);
	CHECK_EQ_INT(load("  c: { source: s, processing: 1ms, fan_out: true, poll_interval: 200ms }\n",
			  "'poll_interval' does not apply to an enhanced fan-out consumer of stream 's'", NULL), 1);
	CHECK_EQ_INT(load("  c: { source: s, processing: 1ms, propagation: 100ms }\n",
			  "'propagation' does not apply to a shared-throughput consumer of stream 's'", NULL), 1);
	CHECK_EQ_INT(load("  c: { source: s, processing: 1ms, fan_out: true, propagation: \"uniform(min=40ms, max=100ms)\" }\n",
			  NULL, NULL), 0);
	CHECK(load("  c: { source: s, processing: 1ms, max_records: 10001 }\n", NULL, NULL) > 0);
	CHECK(load("  c: { source: s, processing: 1ms, poll_interval: 6m }\n", NULL, NULL) > 0);
	CHECK_EQ_INT(load("  c: { source: nowhere, processing: 1ms }\n", "a queue or a stream", NULL), 1);
	for (int i = 0; i < KCONS_EFO_CONSUMERS_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "  c%d: { source: s, processing: 1ms, fan_out: true }\n", i);
	CHECK_EQ_INT(load(many, NULL, &warnings), 0);
	CHECK_EQ_INT(warnings, 0);
	snprintf(many + strlen(many), sizeof(many) - strlen(many), "  extra: { source: s, processing: 1ms, fan_out: true }\n");
	CHECK_EQ_INT(load(many, "more than 20 enhanced fan-out consumers", &warnings), 0);
	CHECK_EQ_INT(warnings, 1);
}

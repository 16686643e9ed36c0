/*
 * test_kinesis.c - one test per rule of Kinesis Data Streams (aws-behaviour
 * §3): routing by MD5, the per-second write limits and their rounding,
 * retention, resharding, and stream producers (keys, PutRecords, retries).
 * Streams are driven through the API with a bare engine where the test needs
 * exact instants, and through scenarios otherwise.
 */
#include "harness.h"
#include "util.h"
#include "weir/kesm.h"
#include "weir/kinesis.h"
#include "weir/md5.h"
#include "weir/producer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

/* A stream on a bare engine, its configuration owned by the test. */
struct bare {
	struct sim *sim;
	struct stream_cfg cfg;
	struct kinesis_stream *s;
};

/* A stream of `shards`, with one reshard planned when `reshard` is not NULL (then started). */
static void bare_open_reshard(struct bare *b, int64_t shards, const struct reshard_cfg *reshard)
{
	memset(b, 0, sizeof(*b));
	b->sim = sim_create();
	b->cfg.shards = shards;
	b->cfg.retention = KINESIS_RETENTION_DEFAULT;
	if (reshard)
		*(struct reshard_cfg *)vec_push(&b->cfg.reshards, sizeof(*reshard)) = *reshard;
	b->s = kinesis_create(b->sim, "s", &b->cfg);
	if (reshard)
		kinesis_start(b->s);
}

static void bare_open(struct bare *b, int64_t shards)
{
	bare_open_reshard(b, shards, NULL);
}

/* Closes it; returns whether its ledger balanced. */
static bool bare_close(struct bare *b)
{
	bool ok = kinesis_ledger(b->s, stderr);

	kinesis_destroy(b->s);
	sim_destroy(b->sim);
	vec_release(&b->cfg.reshards);
	return ok;
}

static struct kin_put put_of(const char *key, uint32_t data, bool batched)
{
	struct kin_put p = { .hash = md5_hash_key(key, strlen(key)), .key = weir_hash_str(0, key),
			     .size = data + (uint32_t)strlen(key), .key_len = (uint16_t)strlen(key),
			     .batched = batched };

	return p;
}

/* Runs the events before t and leaves the clock at t. */
static void at(struct bare *b, sim_time t)
{
	sim_run(b->sim, t);
}

/*
 * A record goes to the open shard whose range holds MD5(partition key) as a
 * big-endian 128-bit number (§3.1): "a" hashes to 0x0cc175b9..., in the
 * first of 4 even shards; "b" to 0x92eb5ffe..., the third.
 */
void test_kinesis_routes_by_md5(void)
{
	struct bare b;
	static const char *const keys[] = { "a", "b", "key-0", "key-1", "customer-42", "zzz" };

	bare_open(&b, 4);
	CHECK_EQ_INT(kinesis_route(b.s, md5_hash_key("a", 1)), 0);
	CHECK_EQ_INT(kinesis_route(b.s, md5_hash_key("b", 1)), 2);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK_EQ_INT(kinesis_route(b.s, md5_hash_key(keys[i], strlen(keys[i]))),
			     hash128_shard(md5_hash_key(keys[i], strlen(keys[i])), 4));
	CHECK(bare_close(&b));
	/* With 7 shards the same rule, at uneven boundaries. */
	bare_open(&b, 7);
	for (uint64_t i = 0; i < 7; i++) {
		CHECK_EQ_INT(kinesis_route(b.s, hash128_range_start(i, 7)), i);
		if (i > 0) {
			struct hash128 h = hash128_range_start(i, 7);

			if (h.lo-- == 0)
				h.hi--;
			CHECK_EQ_INT(kinesis_route(b.s, h), i - 1);
		}
	}
	CHECK(bare_close(&b));
}

/* 1,000 records per shard per second: the 1,001st in the same second is throttled, the next second is fresh (§3.2). */
void test_kinesis_record_limit_per_second(void)
{
	struct bare b;
	struct kin_put p = put_of("k", 10, true);

	bare_open(&b, 2);
	at(&b, 5 * SIM_SEC + 1);
	for (int i = 0; i < KINESIS_SHARD_WRITE_RECORDS; i++)
		CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_OK);
	CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_THROTTLED);
	/* The other shard has its own budget. */
	{
		struct kin_put q = p;

		q.hash = hash128_range_start(1 - kinesis_route(b.s, p.hash), 2);
		CHECK_EQ_INT(kinesis_put(b.s, &q), KINESIS_OK);
	}
	at(&b, 6 * SIM_SEC - 1);
	CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_THROTTLED);
	at(&b, 6 * SIM_SEC);
	CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_OK);
	CHECK_EQ_INT(kinesis_counters(b.s)->throttled, 2);
	CHECK(bare_close(&b));
}

/*
 * Bytes: 1 MB per shard per second. PutRecord rounds each record up to a
 * whole KB, PutRecords does not (§3.2): 600 records of 1.1 KB fit in one
 * second as PutRecords entries (660 KB), but as PutRecords they would be
 * 600 x 2 KB = 1.2 MB, so only 512 fit.
 */
void test_kinesis_byte_limit_and_rounding(void)
{
	struct bare b;
	struct kin_put one = put_of("k", 1126 - 1, false), batched = put_of("k", 1126 - 1, true);
	int ok = 0;

	bare_open(&b, 1);
	for (int i = 0; i < 600; i++)
		ok += kinesis_put(b.s, &batched) == KINESIS_OK;
	CHECK_EQ_INT(ok, 600);
	at(&b, SIM_SEC);
	ok = 0;
	for (int i = 0; i < 600; i++)
		ok += kinesis_put(b.s, &one) == KINESIS_OK;
	CHECK_EQ_INT(ok, 512);   /* 512 x 2,048 B = 1 MiB */
	/* A record of 1 MiB of data (plus its key) fits a second nothing was written in, and fills it. */
	at(&b, 2 * SIM_SEC);
	{
		struct kin_put max = put_of("k", (uint32_t)KINESIS_RECORD_MAX, false);

		CHECK_EQ_INT(kinesis_put(b.s, &max), KINESIS_OK);
		CHECK_EQ_INT(kinesis_put(b.s, &batched), KINESIS_THROTTLED);
	}
	/* A record over 1 MiB of data is refused outright (§3.3). */
	{
		struct kin_put big = put_of("k", (uint32_t)KINESIS_RECORD_MAX + 1, true);

		CHECK_EQ_INT(kinesis_put(b.s, &big), KINESIS_TOO_LARGE);
	}
	CHECK(bare_close(&b));
}

static void noop(void *owner, uint32_t shard)
{
	(void)owner;
	(void)shard;
}

/*
 * Retention (§3.5): a record is readable until it is `retention` old, then
 * gone; a reader behind it loses it. Records every reader has read are let
 * go at once.
 */
void test_kinesis_retention_expires_unread(void)
{
	struct bare b;
	struct kin_reader *r;
	struct kin_put p = put_of("k", 100, true);

	bare_open(&b, 1);
	r = kinesis_reader_add(b.s, KINESIS_TRIM_HORIZON, noop, NULL);
	for (int i = 0; i < 10; i++)
		CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_OK);
	at(&b, SIM_HOUR);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_OK);
	/* The reader reads 3 of the first 10. */
	CHECK_EQ_INT(kinesis_commit(r, 0, 3), 0);
	CHECK_EQ_INT(kinesis_counters(b.s)->read, 3);
	at(&b, KINESIS_RETENTION_DEFAULT - 1);
	CHECK_EQ_INT(kinesis_counters(b.s)->expired, 0);
	CHECK(kinesis_record(b.s, 0, 3)->born == 0);
	at(&b, KINESIS_RETENTION_DEFAULT + 1);
	CHECK_EQ_INT(kinesis_counters(b.s)->expired, 7);
	CHECK_EQ_INT(kinesis_skip_expired(r, 0), 7);
	CHECK_EQ_INT(kinesis_cursor(r, 0), 10);
	at(&b, KINESIS_RETENTION_DEFAULT + SIM_HOUR + 1);
	CHECK_EQ_INT(kinesis_counters(b.s)->expired, 12);
	CHECK(bare_close(&b));
}

/* A stream nobody reads keeps counts only, and its records expire after the retention. */
void test_kinesis_retention_without_readers(void)
{
	struct bare b;
	struct kin_put p = put_of("k", 100, true);

	bare_open(&b, 3);
	for (int t = 0; t < 100; t++) {
		at(&b, t * 500 * SIM_MS);
		CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_OK);
	}
	at(&b, KINESIS_RETENTION_DEFAULT + 10 * SIM_SEC - 1);
	/* Each second's records expire with its last instant: those of seconds 0..8 by now. */
	CHECK_EQ_INT(kinesis_counters(b.s)->expired, 18);
	at(&b, KINESIS_RETENTION_DEFAULT + 10 * SIM_SEC);
	CHECK_EQ_INT(kinesis_counters(b.s)->expired, 20);
	at(&b, KINESIS_RETENTION_DEFAULT + 100 * SIM_SEC);
	CHECK_EQ_INT(kinesis_counters(b.s)->expired, 100);
	CHECK(bare_close(&b));
}

/*
 * SplitShard (§3.6): the parent closes (no new writes, still readable), two
 * children split its range; a reader may read the children only after it has
 * read the parent to its end, so each key stays in order.
 */
void test_kinesis_split_parent_before_children(void)
{
	struct bare b;
	struct kin_reader *r;
	struct kin_put p = put_of("a", 100, true);
	const struct reshard_cfg rs = { .at = 10 * SIM_SEC, .action = RESHARD_SPLIT, .shard = 0 };
	uint32_t child;

	bare_open_reshard(&b, 1, &rs);
	r = kinesis_reader_add(b.s, KINESIS_TRIM_HORIZON, noop, NULL);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_OK);
	at(&b, 10 * SIM_SEC + 1);
	CHECK_EQ_INT(kinesis_shard_count(b.s), 3);
	CHECK_EQ_INT(kinesis_open_shards(b.s), 2);
	CHECK_EQ_INT(kinesis_shard_state(b.s, 0), SHARD_CLOSED);
	child = kinesis_route(b.s, p.hash);
	CHECK(child == 1 || child == 2);
	CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_OK);   /* goes to the child */
	CHECK_EQ_INT(kinesis_end(b.s, 0), 5);
	CHECK_EQ_INT(kinesis_end(b.s, child), 1);
	CHECK(!kinesis_readable(r, child));
	CHECK(kinesis_readable(r, 0));
	kinesis_commit(r, 0, 4);
	CHECK(!kinesis_readable(r, child));
	kinesis_commit(r, 0, 5);
	CHECK(kinesis_finished(r, 0));
	CHECK(kinesis_readable(r, child));
	/* Sequence numbers grow across the split: the child's record is newer. */
	CHECK(kinesis_record(b.s, child, 0)->seq > 5);
	/* The closed parent expires a retention after it closed. */
	at(&b, 10 * SIM_SEC + KINESIS_RETENTION_DEFAULT + 1);
	CHECK_EQ_INT(kinesis_shard_state(b.s, 0), SHARD_EXPIRED);
	CHECK(bare_close(&b));
}

/*
 * UpdateShardCount 5 -> 3 (§3.6): the middle child's range [1/3, 2/3)
 * overlaps three parents ([.2,.4), [.4,.6), [.6,.8)); a reader may read it
 * only after all three are finished.
 */
void test_kinesis_update_count_waits_for_every_parent(void)
{
	struct bare b;
	struct kin_reader *r;
	const struct reshard_cfg rs = { .at = 10 * SIM_SEC, .action = RESHARD_UPDATE_COUNT, .shards = 3 };

	bare_open_reshard(&b, 5, &rs);
	r = kinesis_reader_add(b.s, KINESIS_TRIM_HORIZON, noop, NULL);
	for (uint64_t i = 0; i < 5; i++) {
		struct kin_put p = put_of("k", 10, true);

		p.hash = hash128_range_start(i, 5);
		CHECK_EQ_INT(kinesis_put(b.s, &p), KINESIS_OK);
	}
	at(&b, 10 * SIM_SEC + 1);
	CHECK_EQ_INT(kinesis_open_shards(b.s), 3);
	CHECK_EQ_INT(kinesis_route(b.s, hash128_range_start(1, 2)), 6);   /* the middle child */
	/* The outer parents first: the middle one alone still holds the child back. */
	for (uint32_t k = 0; k < 3; k++) {
		static const uint32_t order[3] = { 1, 3, 2 };

		CHECK_MSG(!kinesis_readable(r, 6), "child readable with %u of its 3 parents finished", k);
		kinesis_commit(r, order[k], kinesis_end(b.s, order[k]));
	}
	CHECK(kinesis_readable(r, 6));
	/* The first child waits for shards 0 and 1 only. */
	kinesis_commit(r, 0, kinesis_end(b.s, 0));
	CHECK(kinesis_readable(r, 5));
	CHECK(!kinesis_readable(r, 7));   /* shard 4 is not read yet */
	CHECK(bare_close(&b));
}

/* UpdateShardCount 2 -> 4 (§3.6): uniform children, each with the one parent that held its range. */
void test_kinesis_update_shard_count(void)
{
	struct test_world t;
	struct kinesis_stream *s;

	CHECK(test_world_open(&t,
			      "duration: 1m\n"
			      "streams:\n  s: { shards: 2, reshards: [ { at: 20s, action: update_shard_count, shards: 4 },"
			      " { at: 40s, action: merge, shard: 1 } ] }\n"
			      "producers:\n  p: { target: s, arrivals: poisson(rate=500/s) }\n", 1) == 0);
	s = world_resource(t.w, "stream", "s");
	sim_run(world_sim(t.w), 30 * SIM_SEC);
	CHECK_EQ_INT(kinesis_open_shards(s), 4);
	CHECK_EQ_INT(kinesis_shard_count(s), 6);
	for (uint64_t i = 0; i < 4; i++)
		CHECK_EQ_INT(kinesis_route(s, hash128_range_start(i, 4)), 2 + i);
	sim_run(world_sim(t.w), 50 * SIM_SEC);
	CHECK_EQ_INT(kinesis_open_shards(s), 3);
	CHECK_EQ_INT(kinesis_route(s, hash128_range_start(1, 4)), 6);
	CHECK_EQ_INT(kinesis_route(s, hash128_range_start(2, 4)), 6);
	CHECK(test_world_close(&t, NULL) == 0);
}

/*
 * A hot key throttles its shard while the stream as a whole is at half its
 * capacity (§3.7: one key cannot exceed one shard): 4 shards at 2,000
 * records/s, 60% on one key; the shard holding it takes >= 1,200/s.
 */
void test_kinesis_hot_key_throttles_one_shard(void)
{
	static const char text[] =
		"duration: 2m\n"
		"streams:\n  s: { shards: 4 }\n"
		"producers:\n  p: { target: s, arrivals: poisson(rate=2000/s), partition_key: \"hot(keys=100, share=0.6)\","
		" retry: { mode: none }, message: { size: 100B } }\n";
	struct summary s = { 0 };
	double put, throttled, hot;

	CHECK(run_scenario_text(text, 1, &s) == 0);
	put = summary_get(&s, "s", "RecordsPut");
	throttled = summary_get(&s, "s", "WriteProvisionedThroughputExceeded");
	hot = summary_get(&s, "s", "HottestShardShare");
	/* The hot shard is offered ~0.6 + 0.4/4 of 2,000 = 1,400/s and keeps at most 1,000/s. */
	CHECK_MSG(throttled / put > 0.15 && throttled / put < 0.25, "throttled %.3f", throttled / put);
	CHECK_MSG(hot > 0.5 && hot < 0.65, "hot share %.3f", hot);
	CHECK_EQ_INT(summary_get(&s, "p", "GiveUps"), throttled);
	summary_release(&s);
}

/*
 * The throttled fraction of a Poisson producer at rate lambda on one shard
 * equals E[max(X - 1000, 0)] / lambda for X ~ Poisson(lambda): the limit
 * applies to fixed 1-second windows of the clock (§3.2). 20 runs of 1,000
 * windows at lambda = 980/s; the analytic value must lie in the runs' 95%
 * Student-t interval.
 */
void test_kinesis_poisson_throttling_matches_tail(void)
{
	const double lambda = 980;
	double frac[20], expect = 0, mean, half;
	char text[512];

	for (unsigned x = KINESIS_SHARD_WRITE_RECORDS + 1; x < 2000; x++)
		expect += (x - KINESIS_SHARD_WRITE_RECORDS) * gsl_ran_poisson_pdf(x, lambda);
	expect /= lambda;
	snprintf(text, sizeof(text),
		 "duration: 1000s\n"
		 "streams:\n  s: { shards: 1, shard_metrics: false }\n"
		 "producers:\n  p: { target: s, arrivals: poisson(rate=%g/s), retry: { mode: none },"
		 " message: { size: 100B } }\n", lambda);
	for (int i = 0; i < 20; i++) {
		struct summary s = { 0 };

		CHECK(run_scenario_text(text, (uint64_t)i + 1, &s) == 0);
		frac[i] = summary_get(&s, "s", "ThrottledFraction");
		summary_release(&s);
	}
	mean = gsl_stats_mean(frac, 1, 20);
	half = gsl_cdf_tdist_Pinv(0.975, 19) * gsl_stats_sd(frac, 1, 20) / sqrt(20);
	if (getenv("WEIR_TEST_VERBOSE"))
		printf("    throttled fraction %.5f +- %.5f, analytic %.5f\n", mean, half, expect);
	CHECK_MSG(fabs(mean - expect) <= half, "throttled %.5f +- %.5f vs analytic %.5f", mean, half, expect);
	CHECK(expect > 0.005);   /* the check has something to find */
}

/*
 * PutRecords is not atomic (§3.4): the throttled entries of a request are
 * put again after the retry policy's delay, the others stay accepted; with
 * retries, everything a stream at 1.5x its capacity for 10 s is offered
 * gets in during the quiet minute after.
 */
void test_kinesis_put_records_retries_failed_entries(void)
{
	static const char text[] =
		"duration: 2m\n"
		"streams:\n  s: { shards: 1 }\n"
		"producers:\n  p: { target: s, arrivals: constant(rate=1500/s), messages: 15000,"
		" batch: { records: 500, linger: 50ms }, partition_key: \"uniform(keys=50)\","
		" retry: { mode: standard, max_attempts: 20 }, message: { size: 100B } }\n";
	struct summary s = { 0 };

	CHECK(run_scenario_text(text, 1, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "p", "MessagesProduced"), 15000);
	CHECK_EQ_INT(summary_get(&s, "s", "IncomingRecords"), 15000);
	CHECK(summary_get(&s, "s", "WriteProvisionedThroughputExceeded") > 1000);
	CHECK(summary_get(&s, "p", "Retries") > 0);
	CHECK_EQ_INT(summary_get(&s, "p", "GiveUps"), 0);
	/* Requests of up to 500 records: at least 15,000 / 500 of them. */
	CHECK(summary_get(&s, "p", "Attempts") >= 30);
	summary_release(&s);
}

/* Partition keys from a trace column: the same key always lands on the same shard. */
void test_kinesis_keys_from_trace_column(void)
{
	const char *dir = test_tmpdir();
	char path[600], text[1024];
	FILE *f;
	struct test_world t;
	struct kinesis_stream *s;
	uint32_t a, b;

	snprintf(path, sizeof(path), "%s/keys.csv", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "t,customer\n");
	for (int i = 0; i < 300; i++)
		fprintf(f, "%d.%03d,%s\n", i / 10, (i % 10) * 100, i % 3 ? "alice" : "bob");
	fclose(f);
	snprintf(text, sizeof(text),
		 "duration: 1m\n"
		 "streams:\n  s: { shards: 8 }\n"
		 "producers:\n  p: { target: s, arrivals: \"trace(file=%s, column=t)\", partition_key: column(customer) }\n",
		 path);
	CHECK(test_world_open(&t, text, 1) == 0);
	s = world_resource(t.w, "stream", "s");
	sim_run(world_sim(t.w), 59 * SIM_SEC);
	/* Only the shards of alice and bob took records: 200 and 100. */
	a = kinesis_route(s, md5_hash_key("alice", 5));
	b = kinesis_route(s, md5_hash_key("bob", 3));
	for (uint32_t i = 0; i < 8; i++)
		CHECK_EQ_INT(kinesis_shard_incoming(s, i), (i == a) * 200 + (i == b) * 100);
	CHECK(test_world_close(&t, NULL) == 0);
}

/* The records throttled in each second from `from` to `to` of a run of text (stepping its world). */
static int throttled_per_second(const char *text, int from, int to, uint64_t *out)
{
	struct test_world t;
	struct kinesis_stream *s;
	uint64_t before;

	if (test_world_open(&t, text, 1) != 0)
		return -1;
	s = world_resource(t.w, "stream", "events");
	sim_run(world_sim(t.w), from * SIM_SEC);
	before = kinesis_counters(s)->throttled;
	for (int i = from; i < to; i++) {
		sim_run(world_sim(t.w), (i + 1) * SIM_SEC);
		out[i - from] = kinesis_counters(s)->throttled - before;
		before = kinesis_counters(s)->throttled;
	}
	return test_world_close(&t, NULL);
}

/* How many separate runs of seconds with throttling there are. */
static int waves(const uint64_t *v, int n)
{
	int runs = 0;

	for (int i = 0; i < n; i++)
		runs += v[i] > 0 && (i == 0 || v[i - 1] == 0);
	return runs;
}

/*
 * Retry storms (§8.1): after a 2-second burst into one shard, records
 * retried with exponential backoff and no jitter come back 1, 2, 4, 8 and
 * 16 s after their throttle, all together: the throttling returns in
 * separate waves. Full jitter spreads them: one run of throttled seconds
 * that dies away.
 */
void test_kinesis_retry_waves_without_jitter(void)
{
	static const char base[] =
		"duration: 2m\n"
		"streams:\n  events: { shards: 1, shard_metrics: false }\n"
		"producers:\n  devices: { target: events, arrivals: poisson(rate=600/s),"
		" bursts: { rate: 3000/s, on: 2s, off: 58s, first: off },"
		" message: { size: 200B }, retry: { mode: standard, max_attempts: 8, quota: false, backoff: %s } }\n";
	char text[512];
	uint64_t jitter[40], exponential[40];

	snprintf(text, sizeof(text), base, "full_jitter");
	CHECK(throttled_per_second(text, 58, 98, jitter) == 0);
	snprintf(text, sizeof(text), base, "exponential");
	CHECK(throttled_per_second(text, 58, 98, exponential) == 0);
	CHECK_MSG(waves(jitter, 40) == 1, "full jitter: %d runs of throttled seconds", waves(jitter, 40));
	CHECK_MSG(waves(exponential, 40) >= 3, "exponential: %d runs of throttled seconds", waves(exponential, 40));
	/* The 16 s wave: throttling again more than 10 s after the burst. */
	{
		uint64_t late_j = 0, late_e = 0;

		for (int i = 12; i < 40; i++) {
			late_j += jitter[i];
			late_e += exponential[i];
		}
		CHECK_EQ_INT(late_j, 0);
		CHECK(late_e > 0);
	}
}

/*
 * The retry quota (§8.3): one SDK client's 500 tokens pay for about 100
 * retries (5 each) without successes in between, so in a burst most
 * throttled records are given up at once; without the quota none is.
 */
void test_kinesis_retry_quota_gives_up(void)
{
	static const char base[] =
		"duration: 70s\n"
		"streams:\n  events: { shards: 1, shard_metrics: false }\n"
		"producers:\n  devices: { target: events, arrivals: poisson(rate=600/s),"
		" bursts: { rate: 3000/s, on: 2s, off: 58s, first: off },"
		" message: { size: 200B }, retry: { mode: standard, max_attempts: 8, quota: %s } }\n";
	char text[512];
	struct summary s = { 0 };
	double throttled, gave_up, exhausted;

	snprintf(text, sizeof(text), base, "true");
	CHECK(run_scenario_text(text, 1, &s) == 0);
	throttled = summary_get(&s, "devices", "ThrottledAttempts");
	gave_up = summary_get(&s, "devices", "GiveUps");
	exhausted = summary_get(&s, "devices", "RetryQuotaExhausted");
	CHECK(throttled > 2000);
	CHECK_EQ_INT(gave_up, exhausted);      /* every give-up here is the quota's */
	CHECK_MSG(gave_up > 0.8 * throttled, "gave up %.0f of %.0f throttled", gave_up, throttled);
	summary_release(&s);
	snprintf(text, sizeof(text), base, "false");
	CHECK(run_scenario_text(text, 1, &s) == 0);
	CHECK_EQ_INT(summary_get(&s, "devices", "GiveUps"), 0);
	CHECK_EQ_INT(summary_get(&s, "devices", "RetryQuotaExhausted"), 0);
	summary_release(&s);
}

struct key_order {
	uint64_t keys[64], last[64];
	size_t n;
	uint64_t seen, out_of_order;
};

static void check_key_order(void *ctx, uint32_t shard, const struct kin_rec *r)
{
	struct key_order *o = ctx;
	size_t i;

	(void)shard;
	for (i = 0; i < o->n && o->keys[i] != r->key; i++)
		;
	if (i == o->n && o->n < 64) {
		o->keys[o->n] = r->key;
		o->last[o->n++] = 0;
	}
	if (i < 64) {
		o->out_of_order += r->seq <= o->last[i];
		o->last[i] = r->seq;
	}
	o->seen++;
}

/*
 * End to end through a scenario: a stream resharded twice under load, read
 * by a Lambda mapping with parallelization factor 3. Every key's records
 * reach the function in the order they were accepted (§3.6, §6.1), every
 * accepted record is processed, and the stream's "read by every reader"
 * equals what the mapping processed (one reader).
 */
void test_kinesis_mapping_keeps_key_order_across_reshards(void)
{
	static const char text[] =
		"duration: 5m\n"
		"streams:\n  events: { shards: 2, reshards: [ { at: 1m, action: split, shard: 1 },"
		" { at: 3m, action: update_shard_count, shards: 6 } ] }\n"
		"producers:\n  p: { target: events, arrivals: poisson(rate=600/s), stop: 4m30s,"
		" partition_key: \"uniform(keys=40)\", batch: {} }\n"
		"functions:\n  f: { duration: \"exponential(mean=50ms)\" }\n"
		"triggers:\n  - { source: events, function: f, parallelization_factor: 3, batch_size: 50 }\n";
	struct test_world t;
	struct key_order o = { .n = 0 };
	struct summary s = { 0 };

	CHECK(test_world_open(&t, text, 1) == 0);
	kesm_watch(world_resource(t.w, "trigger", "events-to-f"), check_key_order, &o);
	sim_run(world_sim(t.w), 5 * SIM_MIN);
	CHECK(test_world_close(&t, &s) == 0);
	CHECK_EQ_INT(o.n, 40);
	CHECK_EQ_INT(o.out_of_order, 0);
	CHECK_EQ_INT(summary_get(&s, "events", "Reshards"), 2);
	CHECK_EQ_INT(summary_get(&s, "events", "OpenShardCount"), 6);
	CHECK_EQ_INT(o.seen, summary_get(&s, "events", "ledger.accepted"));
	CHECK_EQ_INT(summary_get(&s, "events-to-f", "ledger.processed"), summary_get(&s, "events", "ledger.accepted"));
	CHECK_EQ_INT(summary_get(&s, "events", "ledger.read"), summary_get(&s, "events-to-f", "ledger.processed"));
	summary_release(&s);
}

/*
 * On-demand mode (§3.7): 4 shards at first; a step from 1 MB/s to 6 MB/s
 * is throttled until the shards, each over 500 KB/s, split 15 minutes
 * later; then the stream keeps splitting while shards stay over 500 KB/s,
 * up to max_shards.
 */
void test_kinesis_on_demand_splits_hot_shards(void)
{
	static const char base[] =
		"duration: 1h\n"
		"streams:\n  s: { mode: on_demand, max_shards: %d, shard_metrics: false }\n"
		"producers:\n  p: { target: s, arrivals: poisson(rate=1000/s), schedule: [ { at: 10m, rate: 6000/s } ],"
		" partition_key: \"uniform(keys=100000)\", message: { size: 1000B }, batch: {} }\n";
	char text[512];
	struct test_world t;
	struct kinesis_stream *s;
	uint64_t before;

	snprintf(text, sizeof(text), base, 16);
	CHECK(test_world_open(&t, text, 1) == 0);
	s = world_resource(t.w, "stream", "s");
	sim_run(world_sim(t.w), 10 * SIM_MIN);
	CHECK_EQ_INT(kinesis_open_shards(s), 4);
	CHECK_EQ_INT(kinesis_counters(s)->throttled, 0);   /* 1 MB/s fits 4 shards */
	sim_run(world_sim(t.w), 24 * SIM_MIN);
	CHECK_EQ_INT(kinesis_open_shards(s), 4);            /* not before 15 minutes over 500 KB/s */
	CHECK(kinesis_counters(s)->throttled > 1000000);
	sim_run(world_sim(t.w), 27 * SIM_MIN);
	CHECK_EQ_INT(kinesis_open_shards(s), 8);
	before = kinesis_counters(s)->throttled;
	sim_run(world_sim(t.w), 39 * SIM_MIN);
	CHECK_EQ_INT(kinesis_counters(s)->throttled, before);   /* 8 shards take 6 MB/s */
	sim_run(world_sim(t.w), 45 * SIM_MIN);
	CHECK_EQ_INT(kinesis_open_shards(s), 16);           /* 750 KB/s a shard: split again */
	CHECK(test_world_close(&t, NULL) == 0);
	/* max_shards stops it. */
	snprintf(text, sizeof(text), base, 8);
	CHECK(test_world_open(&t, text, 1) == 0);
	s = world_resource(t.w, "stream", "s");
	sim_run(world_sim(t.w), 59 * SIM_MIN);
	CHECK_EQ_INT(kinesis_open_shards(s), 8);
	CHECK(test_world_close(&t, NULL) == 0);
}

/*
 * Reads (§3.2): 5 GetRecords calls per shard per second, 2 MB per second
 * shared by the shard's readers. A call is served whatever its size (up to
 * 10 MB); reading past 2 MB in a second refuses the calls of the seconds
 * those bytes take: the next 5 seconds after a 10 MB call.
 */
void test_kinesis_read_limits(void)
{
	struct bare b;

	bare_open(&b, 2);
	at(&b, 10 * SIM_SEC);
	for (int i = 0; i < KINESIS_SHARD_READ_CALLS; i++)
		CHECK(kinesis_get_records(b.s, 0, 1000));
	CHECK(!kinesis_get_records(b.s, 0, 1000));          /* the 6th call of the second */
	CHECK(kinesis_get_records(b.s, 1, 1000));           /* another shard's budget */
	at(&b, 11 * SIM_SEC);
	CHECK(kinesis_get_records(b.s, 0, 1000000));
	CHECK(kinesis_get_records(b.s, 0, 1000000));        /* 2,000,000 B: within 2 MiB */
	CHECK(kinesis_get_records(b.s, 0, 200000));         /* 2.2 MB: served, then the shard is in debt */
	CHECK(!kinesis_get_records(b.s, 0, 1000));          /* the rest of the second ... */
	at(&b, 12 * SIM_SEC + 500 * SIM_MS);
	CHECK(!kinesis_get_records(b.s, 0, 1000));          /* ... and the next one are refused */
	at(&b, 13 * SIM_SEC);
	CHECK(kinesis_get_records(b.s, 0, 1000));
	at(&b, 20 * SIM_SEC);
	CHECK(kinesis_get_records(b.s, 0, 10 * 1048576.0)); /* a 10 MB call */
	at(&b, 21 * SIM_SEC);
	CHECK(!kinesis_get_records(b.s, 0, 1000));
	at(&b, 25 * SIM_SEC - 1);
	CHECK(!kinesis_get_records(b.s, 0, 1000));
	at(&b, 25 * SIM_SEC);
	CHECK(kinesis_get_records(b.s, 0, 1000));
	CHECK_EQ_INT(kinesis_counters(b.s)->read_throttled, 5);
	CHECK(bare_close(&b));
}

/*
 * ExplicitHashKey (§3.1) overrides the MD5 of the partition key. The stream
 * has 3 shards and the first is split: 4 open shards holding 1/6, 1/6, 1/3
 * and 1/3 of the hash space. With one key, random hash keys spread the
 * records in proportion to the ranges (each within 4 standard deviations),
 * balanced ones put one record on each open shard in turn (counts differ by
 * at most 1); without one, every record lands on the key's shard.
 */
void test_kinesis_explicit_hash_key(void)
{
	static const char base[] =
		"duration: 1m\n"
		"streams:\n  s: { shards: 3, reshards: [ { at: 1s, action: split, shard: 0 } ] }\n"
		"producers:\n  p: { target: s, arrivals: constant(rate=400/s), messages: 20000, start: 2s,"
		" partition_key: \"uniform(keys=1)\", explicit_hash_key: %s }\n";
	static const char *const modes[] = { "none", "random", "balanced" };
	/* Shares of the open shards 1, 2, 3, 4 (shard 0 was split into 3 and 4). */
	static const double share[5] = { 0, 1.0 / 3, 1.0 / 3, 1.0 / 6, 1.0 / 6 };
	char text[512];

	for (int m = 0; m < 3; m++) {
		struct test_world t;
		struct kinesis_stream *s;
		uint64_t lo = UINT64_MAX, hi = 0, total = 0;

		snprintf(text, sizeof(text), base, modes[m]);
		CHECK(test_world_open(&t, text, 1) == 0);
		s = world_resource(t.w, "stream", "s");
		sim_run(world_sim(t.w), 60 * SIM_SEC);
		CHECK_EQ_INT(kinesis_shard_count(s), 5);
		CHECK_EQ_INT(kinesis_shard_incoming(s, 0), 0);
		for (uint32_t i = 1; i < 5; i++) {
			uint64_t n = kinesis_shard_incoming(s, i);
			double sd = sqrt(20000 * share[i] * (1 - share[i]));

			lo = n < lo ? n : lo;
			hi = n > hi ? n : hi;
			total += n;
			if (m == 1)
				CHECK_MSG(fabs((double)n - 20000 * share[i]) < 4 * sd, "random: shard %u took %llu",
					  i, (unsigned long long)n);
		}
		CHECK_EQ_INT(total, 20000);
		if (m == 0)
			CHECK_EQ_INT(hi, 20000);
		else if (m == 2)
			CHECK_MSG(hi - lo <= 1, "balanced: shards took %llu to %llu", (unsigned long long)lo,
				  (unsigned long long)hi);
		CHECK(test_world_close(&t, NULL) == 0);
	}
}

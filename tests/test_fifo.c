/*
 * test_fifo.c - SQS FIFO queues in whole scenarios (aws-behaviour §2,
 * §1.10, §5.5): producers' groups and deduplication ids, throttled sends,
 * worker pools and the Lambda mapping keeping each group's order. Every
 * scenario here checks the per-group order (OutOfOrderProcessing: a
 * processing that overtook an unprocessed earlier message of its group)
 * and, through run_stats, every ledger.
 */
#include "harness.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FIFO_QUEUES \
	"queues:\n" \
	"  orders.fifo:\n" \
	"    visibility_timeout: 20s\n" \
	"    redrive: { dead_letter: orders-dlq.fifo, max_receive_count: 3 }\n" \
	"  orders-dlq.fifo: {}\n"

/*
 * §2.1, §1.10: workers on a FIFO queue with poison messages and repeated
 * sends. Order holds in every group (a worker gives back the rest of a
 * failed message's group in its batch: MessagesSkipped), poison messages
 * reach the DLQ after 3 receives, repeated sends within 5 minutes are
 * dropped: 5% of sends +- 4 binomial standard deviations.
 */
void test_fifo_workers_keep_group_order(void)
{
	const char *text = "duration: 20m\n" FIFO_QUEUES
			   "producers:\n"
			   "  shop: { target: orders.fifo, arrivals: poisson(rate=40/s),\n"
			   "          message: { group: \"uniform(keys=30)\", poison: 0.002 },\n"
			   "          duplicates: { fraction: 0.05, after: 3s } }\n"
			   "consumers:\n"
			   "  workers: { source: orders.fifo, workers: 20, batch_size: 10, receive_wait: 20s,\n"
			   "             processing: exponential(mean=40ms) }\n";
	const char *const q[] = { "OutOfOrderProcessing", "NumberOfDeduplicatedSentMessages",
				  "NumberOfMessagesSent", "MessagesMovedToDLQ", "MessageGroups", NULL };
	const char *const c[] = { "MessagesSkipped", "ProcessingFailures", NULL };
	double v[5], w[2], sent, p = 0.05, sd;

	CHECK_EQ_INT(run_stats(text, "orders.fifo", q, v), 0);
	CHECK_EQ_INT(run_stats(text, "workers", c, w), 0);
	CHECK_EQ_INT(v[0], 0);
	sent = v[2] + v[1];
	sd = sqrt(sent / (1 + p) * p * (1 - p));
	CHECK_MSG(fabs(v[1] - sent / (1 + p) * p) < 4 * sd, "deduplicated %g of %g sends", v[1], sent);
	CHECK(v[3] > 0);
	CHECK_EQ_INT(v[4], 30);
	CHECK(w[0] > 0);                   /* batch-mates of failed messages given back */
	/* Every dead-lettered message was received 3 times and failed or given back each time. */
	CHECK(w[0] + w[1] >= 3 * v[3]);
}

/*
 * §1.4, §2.1: a visibility timeout shorter than the work repeats messages
 * (another worker receives the group again while the first still works),
 * yet no first processing overtakes an earlier message of its group.
 */
void test_fifo_short_visibility_repeats_in_order(void)
{
	const char *text = "duration: 10m\n"
			   "queues:\n  jobs.fifo: { visibility_timeout: 1s }\n"
			   "producers:\n"
			   "  p: { target: jobs.fifo, arrivals: poisson(rate=20/s), message: { group: \"uniform(keys=5)\" } }\n"
			   "consumers:\n"
			   "  w: { source: jobs.fifo, workers: 10, batch_size: 10, receive_wait: 20s,\n"
			   "       processing: exponential(mean=300ms) }\n";

	const char *const q[] = { "OutOfOrderProcessing", "DuplicateDeliveries", NULL };
	double v[2];

	CHECK_EQ_INT(run_stats(text, "jobs.fifo", q, v), 0);
	CHECK_EQ_INT(v[0], 0);
	CHECK(v[1] > 100);
}

/*
 * §5.5: the mapping's concurrency on a FIFO queue goes no higher than the
 * number of message groups (each batch holds a group's lock), and each
 * group stays in order. With 4 groups at most 4 invocations run at once;
 * with 40 groups the same load runs more than 4.
 */
void test_fifo_esm_concurrency_bounded_by_groups(void)
{
	char text[1024];
	const char *const f[] = { "ConcurrentExecutions.max", NULL };
	double few, many;

	for (int k = 0; k < 2; k++) {
		snprintf(text, sizeof(text),
			 "duration: 10m\n" FIFO_QUEUES
			 "producers:\n"
			 "  shop: { target: orders.fifo, arrivals: poisson(rate=100/s),\n"
			 "          message: { group: \"uniform(keys=%d)\" } }\n"
			 "functions:\n  handle: { timeout: 10s, duration: 200ms, per_record: 20ms }\n"
			 "triggers:\n  - { source: orders.fifo, function: handle, batch_size: 10 }\n",
			 k == 0 ? 4 : 40);
		CHECK_EQ_INT(run_stats(text, "handle", f, k == 0 ? &few : &many), 0);
		CHECK_EQ_INT(run_stat(text, "orders.fifo", "OutOfOrderProcessing"), 0);
	}
	CHECK(few >= 1 && few <= 4);
	CHECK_MSG(many > 4, "40 groups: at most %g at once", many);
}

/*
 * §5.5, §5.4: with ReportBatchItemFailures a failed record returns with
 * every later record of its group in the batch, so none is deleted ahead
 * of it; poison records reach the DLQ and the groups go on in order.
 */
void test_fifo_esm_item_failures_keep_order(void)
{
	const char *text = "duration: 10m\n" FIFO_QUEUES
			   "producers:\n"
			   "  shop: { target: orders.fifo, arrivals: poisson(rate=50/s),\n"
			   "          message: { group: \"uniform(keys=3)\", poison: 0.01 } }\n"
			   "functions:\n  handle: { timeout: 5s, duration: 50ms, per_record: 5ms }\n"
			   "triggers:\n  - { source: orders.fifo, function: handle, batch_size: 10,\n"
			   "                report_batch_item_failures: true }\n";
	const char *const q[] = { "OutOfOrderProcessing", "MessagesMovedToDLQ", NULL };
	double v[2];

	CHECK_EQ_INT(run_stats(text, "orders.fifo", q, v), 0);
	CHECK_EQ_INT(v[0], 0);
	CHECK(v[1] > 0);
}

/*
 * §2.2: a repeated send 1 s later is dropped by a FIFO queue and stored
 * twice by a standard one; 6 minutes later, past the interval, the FIFO
 * queue stores it too.
 */
void test_fifo_repeated_sends_dropped_within_interval(void)
{
#define REPEATS(q, group, after) \
	"duration: 20m\nqueues:\n  " q ": {}\n" \
	"producers:\n  p: { target: " q ", arrivals: constant(rate=2/s), messages: 1200," group "\n" \
	"       duplicates: { fraction: 1, after: " after " } }\n"
	const char *const st[] = { "NumberOfMessagesSent", "NumberOfDeduplicatedSentMessages", NULL };
	double v[2];

	CHECK_EQ_INT(run_stats(REPEATS("q.fifo", " message: { group: \"uniform(keys=2)\" },", "1s"),
			       "q.fifo", st, v), 0);
	CHECK_EQ_INT(v[0], 1200);
	CHECK_EQ_INT(v[1], 1200);
	CHECK_EQ_INT(run_stats(REPEATS("q.fifo", " message: { group: \"uniform(keys=2)\" },", "6m"),
			       "q.fifo", st, v), 0);
	CHECK_EQ_INT(v[0], 2400);
	CHECK_EQ_INT(v[1], 0);
	CHECK_EQ_INT(run_stat(REPEATS("q", "", "1s"), "q", "NumberOfMessagesSent"), 2400);
#undef REPEATS
}

/*
 * §2.2: content-based deduplication by body: with 10 distinct bodies a
 * FIFO queue stores each body at most once per 5 minutes, whatever the
 * deduplication ids would have said.
 */
void test_fifo_content_based_deduplication(void)
{
	const char *text = "duration: 10m\nqueues:\n  q.fifo: { content_based_deduplication: true }\n"
			   "producers:\n  p: { target: q.fifo, arrivals: poisson(rate=10/s),\n"
			   "       message: { group: \"uniform(keys=3)\", deduplication_id: false, bodies: 10 } }\n";
	const char *const st[] = { "NumberOfMessagesSent", "NumberOfDeduplicatedSentMessages", NULL };
	double v[2];

	CHECK_EQ_INT(run_stats(text, "q.fifo", st, v), 0);
	CHECK(v[0] >= 10 && v[0] <= 20);   /* two 5-minute intervals, 10 bodies each */
	CHECK(v[1] > 5000);
}

/*
 * §2.3, §8: a producer above 300 sends/s to a FIFO queue in normal mode is
 * throttled and retries; the queue stores at most 300 per second of the
 * clock, and the producer gives up what its retries could not place.
 */
void test_fifo_send_throttling_retried(void)
{
	const char *text = "duration: 2m\nqueues:\n  q.fifo: {}\n"
			   "producers:\n  p: { target: q.fifo, arrivals: constant(rate=400/s),\n"
			   "       message: { group: \"uniform(keys=50)\" } }\n";
	const char *const q[] = { "NumberOfMessagesSent", "ThrottledSends", NULL };
	const char *const p[] = { "GiveUps", NULL };
	double v[2], g;

	CHECK_EQ_INT(run_stats(text, "q.fifo", q, v), 0);
	CHECK_EQ_INT(run_stats(text, "p", p, &g), 0);
	CHECK(v[0] <= 300.0 * 120 && v[0] > 290.0 * 119);
	CHECK(v[1] > 100.0 * 100);
	CHECK(g > 0);
}

/*
 * §5.4, §5.5: records a full 6 MB payload held over to the next batch come
 * after the batch; when the batch has a failure they go back unprocessed
 * instead of overtaking it (900 KB messages: 6 fit a payload).
 */
void test_fifo_esm_held_over_records_wait(void)
{
	const char *text = "duration: 10m\n"
			   "queues:\n  big.fifo: { maximum_message_size: 1MiB, visibility_timeout: 30s }\n"
			   "producers:\n  p: { target: big.fifo, arrivals: poisson(rate=40/s),\n"
			   "       message: { group: \"uniform(keys=1)\", size: 900KB, poison: 0.05 } }\n"
			   "functions:\n  handle: { timeout: 5s, duration: 50ms, per_record: 5ms }\n"
			   "triggers:\n  - { source: big.fifo, function: handle, batch_size: 10,\n"
			   "                report_batch_item_failures: true }\n";

	CHECK_EQ_INT(run_stat(text, "big.fifo", "OutOfOrderProcessing"), 0);
	CHECK(run_stat(text, "big.fifo-to-handle", "MessagesReturned") > 0);
}

/*
 * §2.3, §5.2: a mapping whose receives a FIFO queue throttles pauses and
 * stops scaling, instead of adding pollers up to its ceiling of 1,000.
 */
void test_fifo_esm_throttled_receives_stop_scaling(void)
{
	const char *text = "duration: 10m\n"
			   "queues:\n  q.fifo: {}\n"
			   "producers:\n  p: { target: q.fifo, arrivals: poisson(rate=600/s),\n"
			   "       message: { group: \"uniform(keys=5000)\" } }\n"
			   "functions:\n  handle: { timeout: 5s, duration: 5ms, per_record: 1ms }\n"
			   "triggers:\n  - { source: q.fifo, function: handle, batch_size: 1 }\n";
	const char *const st[] = { "Pollers.max", NULL };
	double pollers;

	CHECK_EQ_INT(run_stats(text, "q.fifo-to-handle", st, &pollers), 0);
	CHECK(run_stat(text, "q.fifo", "ThrottledReceives") > 0);
	CHECK_MSG(pollers < 500, "Pollers.max %g", pollers);
}

#define FIFO_TOPIC \
	"queues:\n" \
	"  billing.fifo: { visibility_timeout: 1m, fifo_throughput_limit: per_message_group_id,\n" \
	"                  deduplication_scope: message_group }\n" \
	"  audit: {}\n" \
	"topics:\n" \
	"  orders.fifo:\n" \
	"    subscriptions:\n" \
	"      - { endpoint: billing.fifo, outages: [ { at: 5m, for: 2m } ] }\n" \
	"      - { endpoint: audit }\n"

/*
 * §7.3: FIFO order holds from an SNS FIFO topic through an SQS FIFO queue
 * to the Lambda mapping, across a 2-minute outage of the queue's
 * subscription: the deliveries behind the retrying one wait (the longest
 * delay is about the outage), none arrives behind a later-published one of
 * its group (OutOfOrderArrivals), none is processed ahead of an earlier one
 * (OutOfOrderProcessing); repeated publishes are dropped by the topic, 5%
 * of publishes +- 4 binomial standard deviations, and every subscription
 * gets every other publish once.
 */
void test_sns_fifo_order_end_to_end(void)
{
	const char *text = "duration: 20m\n" FIFO_TOPIC
			   "producers:\n"
			   "  shop: { target: orders.fifo, arrivals: poisson(rate=50/s),\n"
			   "          message: { group: \"uniform(keys=10)\" }, duplicates: { fraction: 0.05, after: 2s } }\n"
			   "functions:\n  bill: { timeout: 10s, duration: 30ms, per_record: 10ms }\n"
			   "triggers:\n  - { source: billing.fifo, function: bill, batch_size: 10 }\n"
			   "consumers:\n  auditor: { source: audit, workers: 2, processing: 5ms }\n";
	const char *const q[] = { "OutOfOrderArrivals", "OutOfOrderProcessing", "NumberOfMessagesSent", NULL };
	const char *const t[] = { "NumberOfMessagesPublished", "PublishesDeduplicated", NULL };
	double v[3], w[2], delay, audit, sd;

	CHECK_EQ_INT(run_stats(text, "billing.fifo", q, v), 0);
	CHECK_EQ_INT(run_stats(text, "orders.fifo", t, w), 0);
	delay = run_stat(text, "orders.fifo.billing.fifo", "DeliveryDelay.max");
	audit = run_stat(text, "audit", "NumberOfMessagesSent");
	CHECK_EQ_INT(v[0], 0);
	CHECK_EQ_INT(v[1], 0);
	CHECK_EQ_INT(v[2], w[0]);
	CHECK_EQ_INT(audit, w[0]);
	CHECK_MSG(delay >= 115 && delay < 180, "longest delivery delay %g s", delay);
	sd = sqrt(w[0] * 0.05 * 0.95);
	CHECK_MSG(fabs(w[1] - 0.05 * w[0]) < 4 * sd, "%g deduplicated of %g", w[1], w[0]);
}

/* §7.3: a FIFO topic takes 3,000 messages a second; more are throttled and the producer retries. */
void test_sns_fifo_topic_throughput(void)
{
	const char *text = "duration: 1m\n"
			   "queues:\n  sink: {}\n"
			   "topics:\n  fast.fifo: { subscriptions: [ { endpoint: sink } ] }\n"
			   "producers:\n  p: { target: fast.fifo, arrivals: constant(rate=4000/s),\n"
			   "       message: { group: \"uniform(keys=100)\" } }\n";
	const char *const t[] = { "NumberOfMessagesPublished", "PublishesThrottled", NULL };
	double w[2];

	CHECK_EQ_INT(run_stats(text, "fast.fifo", t, w), 0);
	CHECK(w[0] <= 3000.0 * 60 && w[0] > 2900.0 * 60);
	CHECK(w[1] > 60000);
}

/*
 * §5.1, §5.5: when a record of a receive does not fit the 6 MB payload and
 * waits for the next batch, no later record of that receive (from a FIFO
 * queue) goes into the current batch ahead of it. Bodies of 100 KB to 1 MB.
 */
void test_fifo_esm_payload_cap_keeps_order(void)
{
	const char *text = "duration: 10m\nseed: 5\n"
			   "queues:\n  q.fifo: { visibility_timeout: 1m, maximum_message_size: 1MiB }\n"
			   "producers:\n  p: { target: q.fifo, arrivals: poisson(rate=100/s),\n"
			   "       message: { group: \"uniform(keys=30)\", size: \"uniform(min=100KB, max=1MB)\" } }\n"
			   "functions:\n  f: { timeout: 10s, duration: 50ms, per_record: 5ms }\n"
			   "triggers:\n  - { source: q.fifo, function: f, batch_size: 10 }\n";

	CHECK_EQ_INT(run_stat(text, "q.fifo", "OutOfOrderProcessing"), 0);
}

/*
 * §7.2, §7.3: a FIFO topic's subscription dead-letter queue takes every
 * message the endpoint refuses, however fast they come: its sends are not
 * throttled (1,000 a second, each too large for the queue).
 */
void test_sns_fifo_dead_letter_not_throttled(void)
{
	const char *text = "duration: 1m\n"
			   "queues:\n  q.fifo: { maximum_message_size: 1024B }\n  sdlq.fifo: {}\n"
			   "topics:\n  t.fifo: { subscriptions: [ { endpoint: q.fifo, dead_letter: sdlq.fifo, raw: true } ] }\n"
			   "producers:\n  p: { target: t.fifo, arrivals: constant(rate=1000/s),\n"
			   "       message: { group: \"uniform(keys=10)\", size: 2KB } }\n";
	const char *const st[] = { "NotificationsRedrivenToDlq", "NotificationsDropped", NULL };
	double v[2];

	CHECK_EQ_INT(run_stats(text, "t.fifo.q.fifo", st, v), 0);
	CHECK(v[0] > 59000);
	CHECK_EQ_INT(v[1], 0);
}

/*
 * §7.2: DeliveryDelay counts from the publish, not from the producer's
 * first attempt: a repeated publish 5 s later is delivered at once.
 */
void test_sns_delivery_delay_from_publish(void)
{
	const char *text = "duration: 2m\n"
			   "queues:\n  q1: {}\n"
			   "topics:\n  t1: { subscriptions: [ { endpoint: q1 } ] }\n"
			   "producers:\n  p: { target: t1, arrivals: poisson(rate=10/s), duplicates: { fraction: 0.5, after: 5s } }\n";

	CHECK_EQ_INT(run_stat(text, "t1.q1", "DeliveryDelay.max"), 0);
}

/*
 * §2.2, §2.3: settings a FIFO queue would silently ignore get a warning:
 * high_throughput_tps outside high-throughput mode, half of that mode's
 * pair, and repeats sent past the 5-minute deduplication interval.
 */
void test_fifo_ignored_settings_warn(void)
{
	const char *dir = test_tmpdir();
	char path[600];
	const char *args[] = { "check", path, NULL };
	struct proc p;

	snprintf(path, sizeof(path), "%s/fifo-warn.yaml", dir);
	CHECK(write_file(path,
			 "duration: 10m\n"
			 "queues:\n"
			 "  a.fifo: { high_throughput_tps: 3000 }\n"
			 "  b.fifo: { fifo_throughput_limit: per_message_group_id }\n"
			 "producers:\n"
			 "  p: { target: a.fifo, arrivals: poisson(rate=1/s), message: { group: \"uniform(keys=2)\" },\n"
			 "       duplicates: { fraction: 0.1, after: 6m } }\n") == 0);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_EQ_INT(p.status, 0);
	CHECK(strstr(p.err, "high_throughput_tps applies in high-throughput mode only") != NULL);
	CHECK(strstr(p.err, "high-throughput mode needs both") != NULL);
	CHECK(strstr(p.err, "pass the deduplication interval") != NULL);
	proc_release(&p);
}

/*
 * §1.8, §2.3: a FIFO queue in normal mode takes 300 calls a second; with
 * SendMessageBatch of 10 that is 3,000 messages. A producer at 2,000/s
 * batching 10 at a time is never throttled; one sending each message alone
 * is throttled to 300 a second. Every ledger balances either way.
 */
void test_fifo_batched_sends_reach_3000(void)
{
	const char *batched = "duration: 2m\nqueues:\n  q.fifo: {}\n"
			      "producers:\n  p: { target: q.fifo, arrivals: constant(rate=2000/s), stop: 1m,\n"
			      "       message: { group: \"uniform(keys=50)\" }, batch: { linger: 50ms } }\n";
	const char *alone = "duration: 2m\nqueues:\n  q.fifo: {}\n"
			    "producers:\n  p: { target: q.fifo, arrivals: constant(rate=2000/s), stop: 1m,\n"
			    "       message: { group: \"uniform(keys=50)\" }, retry: { mode: none } }\n";
	const char *const st[] = { "NumberOfMessagesSent", "ThrottledSends", NULL };
	const char *const pr[] = { "Attempts", "MessagesProduced", NULL };
	double v[2], a[2];

	CHECK_EQ_INT(run_stats(batched, "q.fifo", st, v), 0);
	CHECK_EQ_INT(run_stats(batched, "p", pr, a), 0);
	CHECK_EQ_INT(v[1], 0);
	CHECK_EQ_INT(v[0], a[1]);
	CHECK(a[0] <= a[1] / 10 + 60);          /* about one call per 10 messages */
	CHECK_EQ_INT(run_stats(alone, "q.fifo", st, v), 0);
	CHECK(v[0] <= 300.0 * 61 && v[0] > 290.0 * 59);
	CHECK(v[1] > 1000.0 * 59);
}

/*
 * --set with a FIFO name: queues.NAME.fifo={...} adds a FIFO queue, and a
 * path through NAME.fifo means that queue even where a queue NAME exists.
 */
void test_fifo_set_paths(void)
{
	const char *dir = test_tmpdir();
	char path[600];
	const char *add[] = { "check", path, "--set", "queues.extra.fifo={}", NULL };
	const char *through[] = { "check", path, "--set", "queues.jobs.fifo.visibility_timeout=5s", NULL };
	struct proc p;

	snprintf(path, sizeof(path), "%s/fifo-set.yaml", dir);
	CHECK(write_file(path, "duration: 1m\nqueues:\n  jobs: {}\n") == 0);
	CHECK(run_weir(&p, add, NULL) == 0);
	CHECK_EQ_INT(p.status, 0);
	CHECK(strstr(p.out, "2 queues") != NULL);
	proc_release(&p);
	CHECK(run_weir(&p, through, NULL) == 0);
	CHECK_EQ_INT(p.status, 3);
	CHECK(strstr(p.err, "no queue 'jobs.fifo'") != NULL);
	proc_release(&p);
}

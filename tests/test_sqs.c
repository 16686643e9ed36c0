/*
 * test_sqs.c - one test per SQS rule of the rule book (aws-behaviour §1),
 * each named after the rule, driving a queue directly through its API.
 */
#include "harness.h"
#include "weir/rng.h"
#include "weir/sqs.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* A queue (and optionally its DLQ) with every attribute at AWS's default. */
struct fx {
	struct sim *sim;
	struct sqs_env env;
	struct rng_set *rngs;
	struct sqs_queue_cfg cfg, dlq_cfg;
	struct sqs_queue *q, *dlq;
};

static void default_cfg(struct sqs_queue_cfg *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->head.name = name;
	c->visibility_timeout = SQS_VISIBILITY_TIMEOUT_DEFAULT;
	c->delay = 0;
	c->receive_wait = 0;
	c->retention = SQS_RETENTION_DEFAULT;
	c->maximum_message_size = SQS_MESSAGE_SIZE_DEFAULT;
	c->in_flight_limit = SQS_IN_FLIGHT_LIMIT;
	c->short_poll_sample = 1.0;
	c->duplicate_delivery = 0;
}

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->sim = sim_create();
	sqs_env_init(&f->env, f->sim, NULL);
	f->rngs = rng_set_create(42, 0);
	default_cfg(&f->cfg, "q");
	default_cfg(&f->dlq_cfg, "dlq");
}

/* Creates the queues after the test has adjusted their configurations. */
static void fx_start(struct fx *f, int with_dlq)
{
	f->q = sqs_create(&f->env, "q", &f->cfg, rng_stream(f->rngs, "q", "queue"));
	if (with_dlq) {
		f->dlq = sqs_create(&f->env, "dlq", &f->dlq_cfg, rng_stream(f->rngs, "dlq", "queue"));
		f->cfg.redrive.dead_letter = "dlq";
		sqs_set_dead_letter(f->q, f->dlq);
	}
}

static void fx_release(struct fx *f)
{
	sqs_destroy(f->q);
	sqs_destroy(f->dlq);
	sqs_env_release(&f->env);
	rng_set_destroy(f->rngs);
	sim_destroy(f->sim);
}

static void send(struct fx *f, struct sqs_queue *q, unsigned flags)
{
	struct sqs_send req = { .size = 100, .delay = SIM_TIME_UNSET, .flags = flags,
				.born_at = SIM_TIME_UNSET };

	sqs_send(q ? q : f->q, &req);
}

/* A receiver that remembers what it got. */
struct catcher {
	struct sqs_receiver rx;
	int calls;
	enum sqs_status status;
};

static void caught(struct sqs_receiver *rx, enum sqs_status status)
{
	struct catcher *c = rx->owner;

	c->calls++;
	c->status = status;
}

static void catcher_init(struct catcher *c, unsigned max, sim_time wait)
{
	memset(c, 0, sizeof(*c));
	c->rx.done = caught;
	c->rx.owner = c;
	c->rx.max = max;
	c->rx.wait = wait;
	c->rx.visibility = SIM_TIME_UNSET;
}

static void release_all(struct sqs_queue *q, struct catcher *c)
{
	for (unsigned i = 0; i < c->rx.n; i++)
		if (c->rx.got[i].msg)
			sqs_release(q, &c->rx.got[i]);
}

/* Receives (short poll unless wait) and returns how many came back now. */
static unsigned receive_now(struct sqs_queue *q, struct catcher *c, unsigned max)
{
	catcher_init(c, max, 0);
	sqs_receive(q, &c->rx);
	return c->rx.n;
}

static void run_to(struct fx *f, sim_time t)
{
	sim_run(f->sim, t);
}

static int ledger_ok(const struct sqs_queue *q)
{
	struct sqs_ledger l;

	return sqs_ledger(q, &l);
}

/* §1.3: a receive never returns more than MaxNumberOfMessages (1..10). */
void test_sqs_receive_returns_at_most_max(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	fx_start(&f, 0);
	for (int i = 0; i < 25; i++)
		send(&f, NULL, 0);
	CHECK_EQ_INT(receive_now(f.q, &c, 10), 10);
	release_all(f.q, &c);
	CHECK_EQ_INT(receive_now(f.q, &c, 3), 3);
	release_all(f.q, &c);
	CHECK_EQ_INT(sqs_visible(f.q), 12);
	CHECK_EQ_INT(sqs_in_flight(f.q), 13);
	CHECK_EQ_INT(sqs_counters(f.q)->received, 13);
	CHECK(ledger_ok(f.q));
	fx_release(&f);
}

/* §1.3: a long poll on an empty queue returns empty only when the wait ends. */
void test_sqs_long_poll_empty_after_wait(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	fx_start(&f, 0);
	catcher_init(&c, 10, 20 * SIM_SEC);
	sqs_receive(f.q, &c.rx);
	CHECK_EQ_INT(c.calls, 0);
	run_to(&f, 20 * SIM_SEC);           /* the wait ends at exactly 20 s ... */
	CHECK_EQ_INT(c.calls, 0);
	run_to(&f, 20 * SIM_SEC + 1);       /* ... and is delivered then */
	CHECK_EQ_INT(c.calls, 1);
	CHECK_EQ_INT(c.rx.n, 0);
	CHECK_EQ_INT(sqs_counters(f.q)->empty_receives, 1);
	fx_release(&f);
}

static void send_later(struct sim *sim, void *subject, void *object)
{
	(void)sim;
	(void)object;
	send(subject, NULL, 0);
}

/* §1.3: a long poll returns as soon as a message is available. */
void test_sqs_long_poll_returns_on_arrival(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	fx_start(&f, 0);
	catcher_init(&c, 10, 20 * SIM_SEC);
	sqs_receive(f.q, &c.rx);
	sim_schedule(f.sim, 7 * SIM_SEC, send_later, &f, NULL);
	run_to(&f, 8 * SIM_SEC);
	CHECK_EQ_INT(c.calls, 1);
	CHECK_EQ_INT(c.rx.n, 1);
	CHECK_EQ_INT(sqs_counters(f.q)->empty_receives, 0);
	CHECK_EQ_INT(sqs_in_flight(f.q), 1);
	release_all(f.q, &c);
	fx_release(&f);
}

/*
 * §1.3: a short poll samples a subset of the servers, so with few messages
 * it can come back empty; with short_poll_sample p and one visible message
 * the chance of an empty receive is 1 - p. Checked over 4,000 polls against
 * a 99.9% binomial interval; with SQS_SHORT_POLL_FULL messages never empty.
 */
void test_sqs_short_poll_false_empty(void)
{
	struct fx f;
	struct catcher c;
	const int polls = 4000;
	int empty = 0;
	double p = 0.3, sd = sqrt(polls * p * (1 - p)), z = gsl_cdf_ugaussian_Pinv(0.9995);

	fx_init(&f);
	f.cfg.short_poll_sample = 1 - p;
	f.cfg.visibility_timeout = 0;       /* a found message is visible again at once */
	fx_start(&f, 0);
	send(&f, NULL, 0);
	for (int i = 0; i < polls; i++) {
		unsigned n = receive_now(f.q, &c, 1);

		empty += n == 0;
		release_all(f.q, &c);
		run_to(&f, sim_now(f.sim) + 1);   /* the 0 s visibility timer fires */
	}
	CHECK_MSG(fabs(empty - polls * p) <= z * sd, "%d empty of %d, expected %.0f +- %.0f",
		  empty, polls, polls * p, z * sd);
	CHECK_EQ_INT(sqs_counters(f.q)->empty_receives, empty);
	for (int i = 0; i < SQS_SHORT_POLL_FULL; i++)
		send(&f, NULL, 0);
	for (int i = 0; i < 200; i++) {
		CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
		release_all(f.q, &c);
	}
	fx_release(&f);
}

/* §1.4: an undeleted message becomes visible again when its timeout ends. */
void test_sqs_visibility_timeout_redelivers(void)
{
	struct fx f;
	struct catcher c;
	struct sqs_msg *m;

	fx_init(&f);
	f.cfg.visibility_timeout = 30 * SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
	m = c.rx.got[0].msg;
	CHECK_EQ_INT(m->receive_count, 1);
	run_to(&f, 30 * SIM_SEC);
	CHECK_EQ_INT(sqs_visible(f.q), 0);  /* not before the timeout */
	run_to(&f, 30 * SIM_SEC + 1);
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	CHECK_EQ_INT(sqs_in_flight(f.q), 0);
	release_all(f.q, &c);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
	CHECK_EQ_INT(c.rx.got[0].msg->receive_count, 2);
	release_all(f.q, &c);
	fx_release(&f);
}

/* §1.4: a VisibilityTimeout on the receive overrides the queue's for that receive. */
void test_sqs_receive_visibility_overrides_queue(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	fx_start(&f, 0);
	send(&f, NULL, 0);
	catcher_init(&c, 1, 0);
	c.rx.visibility = 5 * SIM_SEC;
	sqs_receive(f.q, &c.rx);
	CHECK_EQ_INT(c.rx.n, 1);
	run_to(&f, 5 * SIM_SEC + 1);
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	release_all(f.q, &c);
	fx_release(&f);
}

/* §1.4: ChangeMessageVisibility counts the new timeout from the call. */
void test_sqs_change_visibility_counts_from_call(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.visibility_timeout = 30 * SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	receive_now(f.q, &c, 1);
	run_to(&f, 10 * SIM_SEC);
	CHECK_EQ_INT(sqs_change_visibility(f.q, &c.rx.got[0], 60 * SIM_SEC), SQS_OK);
	run_to(&f, 70 * SIM_SEC);
	CHECK_EQ_INT(sqs_in_flight(f.q), 1);   /* still hidden at 70 s - 1 us */
	run_to(&f, 70 * SIM_SEC + 1);
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	release_all(f.q, &c);
	fx_release(&f);
}

/* §1.4: a visibility timeout of 0 makes the message visible at once. */
void test_sqs_change_visibility_zero_releases(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	fx_start(&f, 0);
	send(&f, NULL, 0);
	receive_now(f.q, &c, 1);
	CHECK_EQ_INT(sqs_change_visibility(f.q, &c.rx.got[0], 0), SQS_OK);
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	CHECK_EQ_INT(sqs_in_flight(f.q), 0);
	release_all(f.q, &c);
	fx_release(&f);
}

/* §1.4: total invisibility is capped at 12 h from the receive; extending does not reset it. */
void test_sqs_visibility_ceiling_12h_from_receive(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.visibility_timeout = 2 * SIM_HOUR;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	receive_now(f.q, &c, 1);
	for (int h = 1; h <= 10; h++) {     /* a heartbeat every hour, extending by 2 h */
		run_to(&f, h * SIM_HOUR);
		CHECK_EQ_INT(sqs_change_visibility(f.q, &c.rx.got[0], 2 * SIM_HOUR), SQS_OK);
	}
	run_to(&f, 11 * SIM_HOUR);
	CHECK_EQ_INT(sqs_change_visibility(f.q, &c.rx.got[0], 2 * SIM_HOUR), SQS_CEILING);
	CHECK_EQ_INT(sqs_change_visibility(f.q, &c.rx.got[0], SIM_HOUR), SQS_OK);  /* exactly 12 h */
	CHECK_EQ_INT(sqs_counters(f.q)->visibility_errors, 1);
	release_all(f.q, &c);
	fx_release(&f);
}

/* §1.4, §1.7: changing visibility with a receipt from an earlier receive fails. */
void test_sqs_change_visibility_stale_receipt_fails(void)
{
	struct fx f;
	struct catcher first, second;

	fx_init(&f);
	f.cfg.visibility_timeout = 10 * SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	receive_now(f.q, &first, 1);
	run_to(&f, 11 * SIM_SEC);
	receive_now(f.q, &second, 1);
	CHECK_EQ_INT(sqs_change_visibility(f.q, &first.rx.got[0], 60 * SIM_SEC), SQS_NOT_IN_FLIGHT);
	CHECK_EQ_INT(sqs_change_visibility(f.q, &second.rx.got[0], 60 * SIM_SEC), SQS_OK);
	release_all(f.q, &first);
	release_all(f.q, &second);
	fx_release(&f);
}

/*
 * §1.7: a delete with a stale receipt (the message was received again since)
 * is accepted and counted in NumberOfMessagesDeleted, but deletes nothing;
 * the latest receipt deletes.
 */
void test_sqs_stale_receipt_does_not_delete(void)
{
	struct fx f;
	struct catcher first, second;

	fx_init(&f);
	f.cfg.visibility_timeout = 10 * SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	receive_now(f.q, &first, 1);
	run_to(&f, 11 * SIM_SEC);
	receive_now(f.q, &second, 1);
	CHECK_EQ_INT(sqs_delete(f.q, &first.rx.got[0]), SQS_STALE);
	CHECK_EQ_INT(sqs_in_flight(f.q), 1);
	CHECK_EQ_INT(sqs_counters(f.q)->deleted_calls, 1);
	CHECK_EQ_INT(sqs_counters(f.q)->deleted, 0);
	CHECK_EQ_INT(sqs_counters(f.q)->stale_deletes, 1);
	CHECK_EQ_INT(sqs_delete(f.q, &second.rx.got[0]), SQS_OK);
	CHECK_EQ_INT(sqs_counters(f.q)->deleted, 1);
	CHECK_EQ_INT(sqs_delete(f.q, &second.rx.got[0]), SQS_STALE);  /* repeated: counted, no effect */
	CHECK_EQ_INT(sqs_counters(f.q)->deleted_calls, 3);
	CHECK(ledger_ok(f.q));
	release_all(f.q, &first);
	release_all(f.q, &second);
	fx_release(&f);
}

/* §1.7: the latest receipt still deletes after the timeout, until someone receives again. */
void test_sqs_latest_receipt_deletes_after_timeout(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.visibility_timeout = 10 * SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	receive_now(f.q, &c, 1);
	run_to(&f, 20 * SIM_SEC);
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	CHECK_EQ_INT(sqs_delete(f.q, &c.rx.got[0]), SQS_OK);
	CHECK_EQ_INT(sqs_visible(f.q), 0);
	CHECK(ledger_ok(f.q));
	release_all(f.q, &c);
	fx_release(&f);
}

/* §1.6: a delay queue hides each new message for its delay. */
void test_sqs_delay_queue_hides_new_messages(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.delay = 5 * SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	CHECK_EQ_INT(sqs_delayed(f.q), 1);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 0);
	run_to(&f, 5 * SIM_SEC + 1);
	CHECK_EQ_INT(sqs_delayed(f.q), 0);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
	release_all(f.q, &c);
	fx_release(&f);
}

/* §1.6: a message timer overrides the queue's delay, shorter or longer. */
void test_sqs_message_timer_overrides_queue_delay(void)
{
	struct fx f;
	struct sqs_send req = { .size = 10, .delay = 0, .born_at = SIM_TIME_UNSET };

	fx_init(&f);
	f.cfg.delay = 5 * SIM_SEC;
	fx_start(&f, 0);
	sqs_send(f.q, &req);                     /* timer 0 beats the queue's 5 s */
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	req.delay = 8 * SIM_SEC;
	sqs_send(f.q, &req);
	run_to(&f, 6 * SIM_SEC);
	CHECK_EQ_INT(sqs_delayed(f.q), 1);
	run_to(&f, 8 * SIM_SEC + 1);
	CHECK_EQ_INT(sqs_visible(f.q), 2);
	fx_release(&f);
}

/* §1.8: a message expires its retention period after it was enqueued, even in flight. */
void test_sqs_retention_expires_from_enqueue(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.retention = 60 * SIM_SEC;
	f.cfg.visibility_timeout = 10 * SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);                  /* at 0 */
	run_to(&f, 30 * SIM_SEC);
	send(&f, NULL, 0);                  /* at 30 s */
	run_to(&f, 55 * SIM_SEC);
	receive_now(f.q, &c, 1);            /* the older one goes in flight */
	run_to(&f, 60 * SIM_SEC + 1);
	CHECK_EQ_INT(sqs_counters(f.q)->expired, 1);
	CHECK_EQ_INT(sqs_in_flight(f.q), 0);
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	CHECK_EQ_INT(sqs_delete(f.q, &c.rx.got[0]), SQS_STALE);  /* gone: nothing to delete */
	run_to(&f, 90 * SIM_SEC + 1);
	CHECK_EQ_INT(sqs_counters(f.q)->expired, 2);
	CHECK(ledger_ok(f.q));
	release_all(f.q, &c);
	fx_release(&f);
}

/*
 * §1.10: with maxReceiveCount N, a message is returned by N receives; it
 * stays in the source queue (even long after) until the next receive, which
 * moves it to the dead-letter queue instead of returning it.
 */
void test_sqs_dlq_move_on_receive_after_max_receive_count(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.visibility_timeout = 10 * SIM_SEC;
	f.cfg.redrive.max_receive_count = 3;
	fx_start(&f, 1);
	send(&f, NULL, 0);
	for (int i = 1; i <= 3; i++) {
		CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
		CHECK_EQ_INT(c.rx.got[0].msg->receive_count, i);
		release_all(f.q, &c);
		run_to(&f, sim_now(f.sim) + 10 * SIM_SEC + 1);
	}
	run_to(&f, sim_now(f.sim) + 60 * SIM_SEC);
	CHECK_EQ_INT(sqs_visible(f.q), 1);             /* not moved before a receive */
	CHECK_EQ_INT(sqs_counters(f.q)->moved_to_dlq, 0);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 0);      /* the 4th receive moves it */
	CHECK_EQ_INT(sqs_counters(f.q)->moved_to_dlq, 1);
	CHECK_EQ_INT(sqs_visible(f.dlq), 1);
	CHECK_EQ_INT(sqs_counters(f.q)->empty_receives, 1);
	CHECK(ledger_ok(f.q) && ledger_ok(f.dlq));
	fx_release(&f);
}

/* §1.10: automatic moves are not NumberOfMessagesSent on the dead-letter queue. */
void test_sqs_dlq_move_not_counted_as_sent(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.redrive.max_receive_count = 1;
	f.cfg.visibility_timeout = SIM_SEC;
	fx_start(&f, 1);
	send(&f, NULL, 0);
	receive_now(f.q, &c, 1);
	release_all(f.q, &c);
	run_to(&f, 2 * SIM_SEC);
	receive_now(f.q, &c, 1);
	CHECK_EQ_INT(sqs_counters(f.dlq)->sent, 0);
	CHECK_EQ_INT(sqs_counters(f.dlq)->moved_in, 1);
	fx_release(&f);
}

/*
 * §1.10: a standard queue's message keeps its original enqueue timestamp in
 * the dead-letter queue: 1 day in the source + 4-day DLQ retention = deleted
 * from the DLQ 3 days after the move; the DLQ's age metric counts from the move.
 */
void test_sqs_dlq_standard_keeps_enqueue_timestamp(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.retention = 14 * SIM_DAY;
	f.cfg.visibility_timeout = SIM_DAY;
	f.cfg.redrive.max_receive_count = 1;
	f.dlq_cfg.retention = 4 * SIM_DAY;
	fx_start(&f, 1);
	send(&f, NULL, 0);
	receive_now(f.q, &c, 1);
	release_all(f.q, &c);
	run_to(&f, SIM_DAY + 1);                  /* visible again after one day */
	receive_now(f.q, &c, 1);                  /* moved now */
	CHECK_EQ_INT(sqs_visible(f.dlq), 1);
	run_to(&f, SIM_DAY + 2 * SIM_HOUR);
	CHECK_NEAR(sqs_oldest_age(f.dlq), 2 * 3600.0, 1e-3);   /* age since the move */
	run_to(&f, 4 * SIM_DAY);
	CHECK_EQ_INT(sqs_visible(f.dlq), 1);
	run_to(&f, 4 * SIM_DAY + 1);              /* enqueue time 0 + 4 d */
	CHECK_EQ_INT(sqs_visible(f.dlq), 0);
	CHECK_EQ_INT(sqs_counters(f.dlq)->expired, 1);
	CHECK(ledger_ok(f.q) && ledger_ok(f.dlq));
	fx_release(&f);
}

/* §1.11: a message received 3 or more times drops out of ApproximateAgeOfOldestMessage. */
void test_sqs_age_metric_skips_thrice_received(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.visibility_timeout = SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);                         /* the older message, at 0 */
	run_to(&f, 100 * SIM_SEC);
	CHECK_NEAR(sqs_oldest_age(f.q), 100.0, 1e-6);
	for (int i = 0; i < 2; i++) {
		receive_now(f.q, &c, 1);
		release_all(f.q, &c);
		run_to(&f, sim_now(f.sim) + SIM_SEC + 1);
	}
	CHECK_NEAR(sqs_oldest_age(f.q), sim_time_to_sec(sim_now(f.sim)), 1e-6);  /* twice: still counts */
	send(&f, NULL, 0);                         /* the younger message */
	run_to(&f, sim_now(f.sim) + 10 * SIM_SEC);
	receive_now(f.q, &c, 1);                   /* the older one, a third time */
	release_all(f.q, &c);
	CHECK_NEAR(sqs_oldest_age(f.q), 10.0, 1e-6);
	fx_release(&f);
}

/*
 * §1.5: at the in-flight limit a short poll gets OverLimit and a long poll
 * gets nothing, waiting until a message leaves flight.
 */
void test_sqs_in_flight_limit(void)
{
	struct fx f;
	struct catcher c, longpoll;

	fx_init(&f);
	f.cfg.in_flight_limit = 5;
	fx_start(&f, 0);
	for (int i = 0; i < 8; i++)
		send(&f, NULL, 0);
	CHECK_EQ_INT(receive_now(f.q, &c, 10), 5);
	CHECK_EQ_INT(sqs_in_flight(f.q), 5);
	{
		struct catcher s;

		CHECK_EQ_INT(receive_now(f.q, &s, 1), 0);
		CHECK_EQ_INT(s.status, SQS_OVER_LIMIT);
		CHECK_EQ_INT(sqs_counters(f.q)->over_limit, 1);
	}
	catcher_init(&longpoll, 10, 20 * SIM_SEC);
	sqs_receive(f.q, &longpoll.rx);
	CHECK_EQ_INT(longpoll.calls, 0);
	run_to(&f, SIM_SEC);
	sqs_delete(f.q, &c.rx.got[0]);
	CHECK_EQ_INT(longpoll.calls, 1);
	CHECK_EQ_INT(longpoll.rx.n, 1);            /* room for exactly one */
	CHECK_EQ_INT(sqs_in_flight(f.q), 5);
	release_all(f.q, &c);
	release_all(f.q, &longpoll);
	fx_release(&f);
}

/* §1.9: a purge deletes every message: visible, in flight and delayed. */
void test_sqs_purge_deletes_everything(void)
{
	struct fx f;
	struct catcher c;
	struct sqs_send late = { .size = 1, .delay = 60 * SIM_SEC, .born_at = SIM_TIME_UNSET };

	fx_init(&f);
	fx_start(&f, 0);
	for (int i = 0; i < 5; i++)
		send(&f, NULL, 0);
	sqs_send(f.q, &late);
	receive_now(f.q, &c, 2);
	sqs_purge(f.q);
	CHECK_EQ_INT(sqs_visible(f.q) + sqs_in_flight(f.q) + sqs_delayed(f.q), 0);
	CHECK_EQ_INT(sqs_counters(f.q)->purged, 6);
	CHECK_EQ_INT(sqs_delete(f.q, &c.rx.got[0]), SQS_STALE);
	CHECK(ledger_ok(f.q));
	run_to(&f, 120 * SIM_SEC);                 /* no timer of a purged message fires */
	CHECK_EQ_INT(sqs_visible(f.q), 0);
	release_all(f.q, &c);
	fx_release(&f);
}

/*
 * §1.10: a move task sends the DLQ's messages back to their source as new
 * messages (new id, receive count 0), in batches of 10 at the given rate,
 * counted as NumberOfMessagesSent on the destination.
 */
void test_sqs_move_task_redrives_at_rate(void)
{
	struct fx f;
	struct catcher c;
	struct sqs_move_task_cfg task = { .at = 100 * SIM_SEC, .max_number_of_messages_per_second = 10 };
	uint64_t first_id;

	fx_init(&f);
	f.cfg.redrive.max_receive_count = 1;
	f.cfg.visibility_timeout = SIM_SEC;
	f.dlq_cfg.move_tasks.items = &task;
	f.dlq_cfg.move_tasks.len = 1;
	fx_start(&f, 1);
	for (int i = 0; i < 100; i++)
		send(&f, NULL, 0);
	first_id = 1;
	for (int i = 0; i < 10; i++) {             /* each message received once ... */
		receive_now(f.q, &c, 10);
		release_all(f.q, &c);
	}
	run_to(&f, 2 * SIM_SEC);
	for (int i = 0; i < 10; i++)               /* ... and moved by the next receive */
		receive_now(f.q, &c, 10);
	CHECK_EQ_INT(sqs_visible(f.dlq), 100);
	sqs_start(f.dlq, NULL, NULL);
	run_to(&f, 100 * SIM_SEC + 4 * SIM_SEC + SIM_SEC / 2);  /* batches at 100, 101, ..., 104 s */
	CHECK_EQ_INT(sqs_counters(f.dlq)->redriven, 50);
	CHECK_EQ_INT(sqs_visible(f.q), 50);
	CHECK_EQ_INT(sqs_counters(f.q)->sent, 150);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
	CHECK_EQ_INT(c.rx.got[0].msg->receive_count, 1);   /* counting starts afresh */
	CHECK(c.rx.got[0].msg->id > first_id + 99);        /* a new message id */
	release_all(f.q, &c);
	run_to(&f, 200 * SIM_SEC);
	CHECK_EQ_INT(sqs_counters(f.dlq)->redriven, 100);
	CHECK(ledger_ok(f.q) && ledger_ok(f.dlq));
	f.dlq_cfg.move_tasks.items = NULL;
	fx_release(&f);
}

/* §1.10: only one move task runs at a time per queue; a second is refused. */
void test_sqs_move_task_one_at_a_time(void)
{
	struct fx f;
	struct catcher c;
	struct sqs_move_task_cfg tasks[2] = {
		{ .at = 10 * SIM_SEC, .max_number_of_messages_per_second = 1 },
		{ .at = 20 * SIM_SEC, .max_number_of_messages_per_second = 1 },
	};

	fx_init(&f);
	f.cfg.redrive.max_receive_count = 1;
	f.cfg.visibility_timeout = SIM_SEC / 2;
	f.dlq_cfg.move_tasks.items = tasks;
	f.dlq_cfg.move_tasks.len = 2;
	fx_start(&f, 1);
	for (int i = 0; i < 30; i++)
		send(&f, NULL, 0);
	for (int i = 0; i < 3; i++) {
		receive_now(f.q, &c, 10);
		release_all(f.q, &c);
	}
	run_to(&f, SIM_SEC);
	for (int i = 0; i < 3; i++)
		receive_now(f.q, &c, 10);
	sqs_start(f.dlq, NULL, NULL);
	run_to(&f, 25 * SIM_SEC);                /* 30 messages at 1/s take 30 s */
	CHECK_EQ_INT(sqs_move_tasks_rejected(f.dlq), 1);
	f.dlq_cfg.move_tasks.items = NULL;
	fx_release(&f);
}

/*
 * §1.1: at-least-once delivery. With duplicate_delivery 1 every delete
 * leaves a copy, which reappears after the visibility timeout; processing it
 * again counts as a duplicate delivery.
 */
void test_sqs_lost_delete_redelivers(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.duplicate_delivery = 1.0;
	f.cfg.visibility_timeout = 10 * SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	receive_now(f.q, &c, 1);
	CHECK(!sqs_processed(f.q, &c.rx.got[0]));
	CHECK_EQ_INT(sqs_delete(f.q, &c.rx.got[0]), SQS_LOST_DELETE);
	release_all(f.q, &c);
	run_to(&f, 10 * SIM_SEC + 1);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
	CHECK(sqs_processed(f.q, &c.rx.got[0]));
	CHECK_EQ_INT(sqs_counters(f.q)->duplicates, 1);
	CHECK_EQ_INT(sqs_counters(f.q)->lost_deletes, 1);
	release_all(f.q, &c);
	fx_release(&f);
}

/* §1.8: a send larger than MaximumMessageSize is refused and stores nothing. */
void test_sqs_message_too_large_rejected(void)
{
	struct fx f;
	struct sqs_send big = { .size = 300000, .delay = SIM_TIME_UNSET, .born_at = SIM_TIME_UNSET };

	fx_init(&f);
	fx_start(&f, 0);
	CHECK_EQ_INT(sqs_send(f.q, &big), SQS_TOO_LARGE);
	big.size = (uint32_t)SQS_MESSAGE_SIZE_DEFAULT;
	CHECK_EQ_INT(sqs_send(f.q, &big), SQS_OK);
	CHECK_EQ_INT(sqs_counters(f.q)->too_large, 1);
	CHECK_EQ_INT(sqs_counters(f.q)->sent, 1);
	fx_release(&f);
}

/*
 * The ledger balances after every step of a long random mix of sends,
 * receives, deletes, visibility changes, expiries, dead-letter moves and
 * purges.
 */
void test_sqs_ledger_balances_under_random_operations(void)
{
	struct fx f;
	struct catcher held[64];
	gsl_rng *r;
	int nheld = 0;

	fx_init(&f);
	f.cfg.retention = 60 * SIM_SEC;
	f.cfg.visibility_timeout = 3 * SIM_SEC;
	f.cfg.redrive.max_receive_count = 2;
	f.cfg.delay = SIM_SEC;
	f.dlq_cfg.retention = 60 * SIM_SEC;   /* dead-lettered messages keep their enqueue time */
	fx_start(&f, 1);
	r = rng_stream(f.rngs, "test", "ops");
	for (int step = 0; step < 20000; step++) {
		unsigned op = (unsigned)gsl_rng_uniform_int(r, 100);

		if (op < 40) {
			send(&f, NULL, 0);
		} else if (op < 65 && nheld < 64) {
			receive_now(f.q, &held[nheld++], (unsigned)gsl_rng_uniform_int(r, 10) + 1);
		} else if (op < 85 && nheld > 0) {
			struct catcher *c = &held[--nheld];

			for (unsigned i = 0; i < c->rx.n; i++) {
				if (gsl_rng_uniform(r) < 0.5)
					sqs_delete(f.q, &c->rx.got[i]);
				else
					sqs_change_visibility(f.q, &c->rx.got[i], gsl_rng_uniform_int(r, 5) * SIM_SEC);
			}
			release_all(f.q, c);
		} else if (op == 99 && gsl_rng_uniform(r) < 0.05) {
			sqs_purge(f.q);            /* rare enough for messages to expire */
		} else {
			run_to(&f, sim_now(f.sim) + (sim_time)gsl_rng_uniform_int(r, 2 * SIM_SEC));
		}
		CHECK_MSG(ledger_ok(f.q) && ledger_ok(f.dlq), "ledger broken at step %d", step);
	}
	while (nheld > 0)
		release_all(f.q, &held[--nheld]);
	CHECK_MSG(sqs_counters(f.dlq)->expired > 0 && sqs_counters(f.q)->moved_to_dlq > 0 &&
		  sqs_counters(f.q)->purged > 0 && sqs_counters(f.q)->deleted > 0,
		  "expired %llu, moved %llu, purged %llu, deleted %llu",
		  (unsigned long long)sqs_counters(f.dlq)->expired,
		  (unsigned long long)sqs_counters(f.q)->moved_to_dlq,
		  (unsigned long long)sqs_counters(f.q)->purged,
		  (unsigned long long)sqs_counters(f.q)->deleted);
	fx_release(&f);
}

/*
 * §1.11: a message visible again after a receive keeps its place by age, so
 * the next receive returns it before younger messages; once received 3 times
 * it goes to the back of the queue.
 */
void test_sqs_revisible_message_keeps_place_until_third_receive(void)
{
	struct fx f;
	struct catcher c;
	uint64_t old_id;

	fx_init(&f);
	f.cfg.visibility_timeout = SIM_SEC;
	fx_start(&f, 0);
	send(&f, NULL, 0);                       /* the old message */
	receive_now(f.q, &c, 1);
	old_id = c.rx.got[0].msg->id;
	release_all(f.q, &c);
	for (int i = 0; i < 5; i++)
		send(&f, NULL, 0);                   /* younger ones */
	for (int r = 2; r <= 3; r++) {
		run_to(&f, sim_now(f.sim) + SIM_SEC + 1);
		CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
		CHECK_EQ_INT(c.rx.got[0].msg->id, old_id);   /* ahead of the younger ones */
		CHECK_EQ_INT(c.rx.got[0].msg->receive_count, r);
		release_all(f.q, &c);
	}
	run_to(&f, sim_now(f.sim) + SIM_SEC + 1);        /* received 3 times: to the back */
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
		CHECK(c.rx.got[0].msg->id != old_id);
		release_all(f.q, &c);
	}
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
	CHECK_EQ_INT(c.rx.got[0].msg->id, old_id);
	release_all(f.q, &c);
	fx_release(&f);
}

/*
 * §1.10: the receive count restarts in the dead-letter queue, so a DLQ with
 * its own redrive policy gives a message its own max_receive_count receives.
 */
void test_sqs_receive_count_restarts_in_dlq(void)
{
	struct fx f;
	struct catcher c;
	struct sqs_queue_cfg second_cfg;
	struct sqs_queue *second;

	fx_init(&f);
	f.cfg.visibility_timeout = SIM_SEC;
	f.cfg.redrive.max_receive_count = 2;
	f.dlq_cfg.visibility_timeout = SIM_SEC;
	f.dlq_cfg.redrive.max_receive_count = 2;
	default_cfg(&second_cfg, "second");
	fx_start(&f, 1);
	second = sqs_create(&f.env, "second", &second_cfg, rng_stream(f.rngs, "second", "queue"));
	sqs_set_dead_letter(f.dlq, second);
	send(&f, NULL, 0);
	for (int i = 0; i < 2; i++) {
		receive_now(f.q, &c, 1);
		release_all(f.q, &c);
		run_to(&f, sim_now(f.sim) + SIM_SEC + 1);
	}
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 0);          /* moved to the DLQ */
	CHECK_EQ_INT(receive_now(f.dlq, &c, 1), 1);        /* returned, not moved on */
	CHECK_EQ_INT(c.rx.got[0].msg->receive_count, 1);
	release_all(f.dlq, &c);
	run_to(&f, sim_now(f.sim) + SIM_SEC + 1);
	receive_now(f.dlq, &c, 1);
	release_all(f.dlq, &c);
	run_to(&f, sim_now(f.sim) + SIM_SEC + 1);
	CHECK_EQ_INT(receive_now(f.dlq, &c, 1), 0);        /* its third receive there moves it */
	CHECK_EQ_INT(sqs_visible(second), 1);
	sqs_destroy(second);
	fx_release(&f);
}

/*
 * One message may be held by more receipts than a 16-bit count holds (here
 * 70,000 receives with a 0 s visibility timeout), and every receipt stays
 * valid to release after the message is gone.
 */
void test_sqs_many_receipts_of_one_message(void)
{
	enum { HOLDERS = 70000 };
	static struct catcher held[HOLDERS];
	struct fx f;

	fx_init(&f);
	f.cfg.visibility_timeout = 0;
	fx_start(&f, 0);
	send(&f, NULL, 0);
	for (int i = 0; i < HOLDERS; i++) {
		CHECK_EQ_INT(receive_now(f.q, &held[i], 1), 1);
		run_to(&f, sim_now(f.sim) + 1);      /* visible again */
	}
	CHECK_EQ_INT(held[HOLDERS - 1].rx.got[0].msg->refs, HOLDERS);
	CHECK_EQ_INT(sqs_delete(f.q, &held[HOLDERS - 1].rx.got[0]), SQS_OK);
	CHECK_EQ_INT(sqs_delete(f.q, &held[0].rx.got[0]), SQS_STALE);
	for (int i = 0; i < HOLDERS; i++)
		release_all(f.q, &held[i]);
	CHECK_EQ_INT(f.env.msgs.live, 0);            /* freed with the last receipt */
	CHECK(ledger_ok(f.q));
	fx_release(&f);
}

struct bouncer {
	struct catcher c;
	struct fx *f;
};

/* A receiver on the DLQ that sends a new message to the source when it gets one. */
static void bounce_back(struct sqs_receiver *rx, enum sqs_status status)
{
	struct bouncer *b = rx->owner;

	b->c.calls++;
	b->c.status = status;
	send(b->f, NULL, 0);
}

/*
 * §1.3, §1.10: a receive completes exactly once even when serving it
 * dead-letters a message whose DLQ receiver sends straight back to the
 * source, re-entering the source queue while its waiters are served.
 */
void test_sqs_long_poll_wake_is_reentrant(void)
{
	struct fx f;
	struct catcher first, a1, a2;
	struct bouncer b = { .f = &f };

	fx_init(&f);
	f.cfg.visibility_timeout = SIM_SEC;
	f.cfg.redrive.max_receive_count = 1;
	fx_start(&f, 1);
	send(&f, NULL, 0);
	receive_now(f.q, &first, 1);               /* received once: due for the DLQ */
	release_all(f.q, &first);
	catcher_init(&a1, 1, 20 * SIM_SEC);
	catcher_init(&a2, 1, 20 * SIM_SEC);
	catcher_init(&b.c, 1, 20 * SIM_SEC);
	b.c.rx.owner = &b;
	b.c.rx.done = bounce_back;
	sqs_receive(f.q, &a1.rx);
	sqs_receive(f.q, &a2.rx);
	sqs_receive(f.dlq, &b.c.rx);
	run_to(&f, SIM_SEC + 1);                   /* visible again: moved, bounced back */
	CHECK_EQ_INT(b.c.calls, 1);
	CHECK_EQ_INT(a1.calls + a2.calls, 1);      /* the new message served one waiter once */
	CHECK_EQ_INT(a1.rx.n + a2.rx.n, 1);
	run_to(&f, 2 * SIM_SEC);
	send(&f, NULL, 0);                         /* the other waiter is still waiting */
	CHECK_EQ_INT(a1.calls, 1);
	CHECK_EQ_INT(a2.calls, 1);
	CHECK(ledger_ok(f.q) && ledger_ok(f.dlq));
	release_all(f.q, &a1);
	release_all(f.q, &a2);
	release_all(f.dlq, &b.c);
	fx_release(&f);
}

/* ---- FIFO queues (aws-behaviour §2) --------------------------------------- */

static void fifo_cfg(struct sqs_queue_cfg *c)
{
	c->fifo = true;
	c->short_poll_sample = 1.0;
	c->deduplication_scope = SQS_DEDUP_QUEUE;
	c->fifo_throughput_limit = SQS_LIMIT_PER_QUEUE;
	c->transactions_per_second = SQS_FIFO_TPS_DEFAULT;
	c->high_throughput_tps = SQS_FIFO_HT_TPS_DEFAULT;
}

static void fx_start_fifo(struct fx *f, int with_dlq)
{
	fifo_cfg(&f->cfg);
	fifo_cfg(&f->dlq_cfg);
	fx_start(f, with_dlq);
}

static uint64_t next_dedup = 1;

/* Sends one message of `group` with a fresh deduplication id; returns the status. */
static enum sqs_status send_group(struct sqs_queue *q, uint32_t group, unsigned flags)
{
	struct sqs_send req = { .size = 100, .delay = SIM_TIME_UNSET, .flags = flags,
				.born_at = SIM_TIME_UNSET, .group = group, .dedup = next_dedup++ };

	return sqs_send(q, &req);
}

static enum sqs_status send_dedup(struct sqs_queue *q, uint32_t group, uint64_t dedup)
{
	struct sqs_send req = { .size = 100, .delay = SIM_TIME_UNSET, .born_at = SIM_TIME_UNSET,
				.group = group, .dedup = dedup };

	return sqs_send(q, &req);
}

/*
 * §2.1: a receive returns as many messages as it can from the group that
 * comes first, in order, then fills from the next group; a group with a
 * message in flight gives nothing more, even with messages visible.
 */
void test_fifo_receive_fills_from_one_group_first(void)
{
	struct fx f;
	struct catcher c, d;

	fx_init(&f);
	fx_start_fifo(&f, 0);
	send_group(f.q, 7, 0);     /* A1 */
	send_group(f.q, 9, 0);     /* B1 */
	send_group(f.q, 7, 0);     /* A2 */
	send_group(f.q, 7, 0);     /* A3 */
	send_group(f.q, 9, 0);     /* B2 */
	CHECK_EQ_INT(receive_now(f.q, &c, 4), 4);
	/* A1 A2 A3 (the first group, in order), then B1 */
	CHECK_EQ_INT(sqs_group_key(f.q, &c.rx.got[0]), 7);
	CHECK_EQ_INT(sqs_group_key(f.q, &c.rx.got[1]), 7);
	CHECK_EQ_INT(sqs_group_key(f.q, &c.rx.got[2]), 7);
	CHECK_EQ_INT(sqs_group_key(f.q, &c.rx.got[3]), 9);
	CHECK(c.rx.got[0].msg->qseq < c.rx.got[1].msg->qseq && c.rx.got[1].msg->qseq < c.rx.got[2].msg->qseq);
	/* B2 is visible but B is locked by B1 in flight. */
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	CHECK_EQ_INT(receive_now(f.q, &d, 10), 0);
	/* Deleting A's messages unlocks nothing for B; deleting B1 does. */
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(sqs_delete(f.q, &c.rx.got[i]), SQS_OK);
	CHECK_EQ_INT(receive_now(f.q, &d, 10), 0);
	CHECK_EQ_INT(sqs_delete(f.q, &c.rx.got[3]), SQS_OK);
	CHECK_EQ_INT(receive_now(f.q, &d, 10), 1);
	CHECK_EQ_INT(sqs_group_key(f.q, &d.rx.got[0]), 9);
	release_all(f.q, &c);
	release_all(f.q, &d);
	CHECK(ledger_ok(f.q));
	fx_release(&f);
}

/*
 * §2.1: a slow message holds back only its own group. A1 stays in flight
 * (its consumer is slow) while group B's messages are received and deleted
 * one after another; when A1's visibility ends it comes back before A2.
 */
void test_fifo_slow_message_holds_only_its_group(void)
{
	struct fx f;
	struct catcher a, b;
	unsigned got_b = 0;

	fx_init(&f);
	f.cfg.visibility_timeout = 10 * SIM_SEC;
	fx_start_fifo(&f, 0);
	send_group(f.q, 1, 0);     /* A1 */
	send_group(f.q, 1, 0);     /* A2 */
	for (int i = 0; i < 5; i++)
		send_group(f.q, 2, 0);
	CHECK_EQ_INT(receive_now(f.q, &a, 1), 1);   /* A1, held */
	for (int i = 0; i < 5; i++) {
		if (receive_now(f.q, &b, 1) == 1 && sqs_group_key(f.q, &b.rx.got[0]) == 2) {
			got_b++;
			sqs_delete(f.q, &b.rx.got[0]);
		}
		release_all(f.q, &b);
	}
	CHECK_EQ_INT(got_b, 5);
	CHECK_EQ_INT(receive_now(f.q, &b, 10), 0);   /* only A2 left, behind A1 */
	release_all(f.q, &a);
	run_to(&f, 10 * SIM_SEC + 1);
	CHECK_EQ_INT(receive_now(f.q, &b, 1), 1);
	CHECK_EQ_INT(b.rx.got[0].msg->receive_count, 2);   /* A1 again, before A2 */
	release_all(f.q, &b);
	CHECK(ledger_ok(f.q));
	fx_release(&f);
}

/*
 * §1.10, §2.4: a poison message blocks its group until its receives run
 * out; the next receive moves it to the FIFO DLQ, with a fresh enqueue
 * timestamp, and returns the message after it: the group goes on out of
 * order.
 */
void test_fifo_poison_blocks_group_then_dlq(void)
{
	struct fx f;
	struct catcher c;
	struct sqs_msg *poison;

	fx_init(&f);
	f.cfg.visibility_timeout = 30 * SIM_SEC;
	f.cfg.redrive.max_receive_count = 3;
	f.dlq_cfg.retention = 2 * SIM_HOUR;
	fx_start_fifo(&f, 1);
	send_group(f.q, 4, SQS_MSG_POISON);
	send_group(f.q, 4, 0);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);      /* the poison message, each time */
		CHECK(sqs_receipt_poison(&c.rx.got[0]));
		poison = c.rx.got[0].msg;
		release_all(f.q, &c);
		CHECK_EQ_INT(receive_now(f.q, &c, 10), 0);     /* the group is locked behind it */
		run_to(&f, sim_now(f.sim) + 30 * SIM_SEC + 1);
	}
	CHECK_EQ_INT(receive_now(f.q, &c, 10), 1);
	CHECK(!sqs_receipt_poison(&c.rx.got[0]));           /* the second message, out of order */
	CHECK_EQ_INT(sqs_counters(f.q)->moved_to_dlq, 1);
	CHECK_EQ_INT(sqs_visible(f.dlq), 1);
	CHECK_EQ_INT(poison->enq_at, sim_now(f.sim));        /* reset on the move (§1.10) */
	release_all(f.q, &c);
	/* A standard queue would expire it 2 h after the send; this one 2 h after the move. */
	run_to(&f, 2 * SIM_HOUR + 1);
	CHECK_EQ_INT(sqs_visible(f.dlq), 1);
	run_to(&f, sim_now(f.sim) + 2 * SIM_MIN);
	CHECK_EQ_INT(sqs_visible(f.dlq), 0);
	CHECK(ledger_ok(f.q) && ledger_ok(f.dlq));
	fx_release(&f);
}

/*
 * §2.2: a send with a deduplication id seen within 5 minutes is accepted
 * and dropped; 5 minutes after the first send it is a new message. The
 * interval counts from the first send, not from the duplicate, and keeps
 * going after the message is deleted.
 */
void test_fifo_deduplication_interval(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	fx_start_fifo(&f, 0);
	CHECK_EQ_INT(send_dedup(f.q, 1, 42), SQS_OK);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
	sqs_delete(f.q, &c.rx.got[0]);
	release_all(f.q, &c);
	run_to(&f, 4 * SIM_MIN);
	CHECK_EQ_INT(send_dedup(f.q, 1, 42), SQS_DEDUPLICATED);
	CHECK_EQ_INT(send_dedup(f.q, 2, 42), SQS_DEDUPLICATED);   /* queue scope: any group */
	run_to(&f, 5 * SIM_MIN - 1);
	CHECK_EQ_INT(send_dedup(f.q, 1, 42), SQS_DEDUPLICATED);
	run_to(&f, 5 * SIM_MIN);
	CHECK_EQ_INT(send_dedup(f.q, 1, 42), SQS_OK);
	CHECK_EQ_INT(sqs_counters(f.q)->deduplicated, 3);
	CHECK_EQ_INT(sqs_counters(f.q)->sent, 2);
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	CHECK(ledger_ok(f.q));
	fx_release(&f);
}

/* §2.2: with DeduplicationScope messageGroup the same id in two groups is two messages. */
void test_fifo_deduplication_group_scope(void)
{
	struct fx f;

	fx_init(&f);
	fifo_cfg(&f.cfg);
	f.cfg.deduplication_scope = SQS_DEDUP_GROUP;
	fx_start(&f, 0);
	CHECK_EQ_INT(send_dedup(f.q, 1, 42), SQS_OK);
	CHECK_EQ_INT(send_dedup(f.q, 2, 42), SQS_OK);
	CHECK_EQ_INT(send_dedup(f.q, 1, 42), SQS_DEDUPLICATED);
	CHECK_EQ_INT(sqs_visible(f.q), 2);
	fx_release(&f);
}

/*
 * §2.3: in normal mode 300 sends and 300 receives per second, each action
 * apart; the 301st call in a second of the clock is throttled, the next
 * second has room again. High-throughput mode limits one group's partition
 * to 300 sends/s while other groups go on.
 */
void test_fifo_throughput_limits(void)
{
	struct fx f;
	struct catcher c;
	int throttled = 0;

	fx_init(&f);
	fx_start_fifo(&f, 0);
	run_to(&f, 10 * SIM_SEC + 1);
	for (int i = 0; i < 301; i++)
		throttled += send_group(f.q, (uint32_t)i, 0) == SQS_THROTTLED;
	CHECK_EQ_INT(throttled, 1);
	for (int i = 0; i < 300; i++) {
		receive_now(f.q, &c, 1);
		CHECK_EQ_INT(c.status, SQS_OK);
		release_all(f.q, &c);
	}
	receive_now(f.q, &c, 1);
	CHECK_EQ_INT(c.status, SQS_THROTTLED);
	CHECK_EQ_INT(sqs_counters(f.q)->throttled_receives, 1);
	run_to(&f, 11 * SIM_SEC);
	CHECK_EQ_INT(send_group(f.q, 0, 0), SQS_OK);
	fx_release(&f);

	fx_init(&f);
	fifo_cfg(&f.cfg);
	f.cfg.deduplication_scope = SQS_DEDUP_GROUP;
	f.cfg.fifo_throughput_limit = SQS_LIMIT_PER_GROUP;
	fx_start(&f, 0);
	throttled = 0;
	for (int i = 0; i < 400; i++)
		throttled += send_group(f.q, 5, 0) == SQS_THROTTLED;
	CHECK_EQ_INT(throttled, 100);                 /* one group: its partition's 300/s */
	throttled = 0;
	for (uint32_t g = 1000; g < 3000; g++)
		throttled += send_group(f.q, g, 0) == SQS_THROTTLED;
	CHECK(throttled < 2000 / 4);                  /* many groups: many partitions */
	fx_release(&f);
}

/*
 * §2.1: only the first 120,000 stored messages are scanned for available
 * groups. With group A's backlog filling the window and its head in
 * flight, group B's message behind it cannot be received; once a message
 * of the window is deleted, B's is inside and comes back.
 */
void test_fifo_scan_window_hides_groups(void)
{
	struct fx f;
	struct catcher a, b;

	fx_init(&f);
	fifo_cfg(&f.cfg);
	f.cfg.transactions_per_second = SQS_FIFO_HT_TPS_MAX;
	fx_start(&f, 0);
	for (int i = 0; i < SQS_FIFO_SCAN_WINDOW; i++) {
		if (i % 60000 == 0)
			run_to(&f, sim_now(f.sim) + SIM_SEC);
		send_group(f.q, 1, 0);
	}
	send_group(f.q, 2, 0);                        /* message 120,001: group B */
	CHECK_EQ_INT(receive_now(f.q, &a, 1), 1);     /* A's head */
	CHECK_EQ_INT(sqs_group_key(f.q, &a.rx.got[0]), 1);
	CHECK_EQ_INT(receive_now(f.q, &b, 10), 0);    /* B lies beyond the window */
	CHECK_EQ_INT(sqs_delete(f.q, &a.rx.got[0]), SQS_OK);
	release_all(f.q, &a);
	CHECK_EQ_INT(receive_now(f.q, &b, 10), 10);   /* now A is free again and first */
	CHECK_EQ_INT(sqs_group_key(f.q, &b.rx.got[0]), 1);
	CHECK_EQ_INT(sqs_group_key(f.q, &b.rx.got[9]), 1);
	release_all(f.q, &b);
	CHECK_EQ_INT(receive_now(f.q, &a, 10), 1);    /* B, inside the window now */
	CHECK_EQ_INT(sqs_group_key(f.q, &a.rx.got[0]), 2);
	release_all(f.q, &a);
	CHECK(ledger_ok(f.q));
	fx_release(&f);
}

/* §1.5: at a FIFO queue's in-flight limit a short poll gets nothing and no OverLimit. */
void test_fifo_in_flight_limit_is_silent(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.in_flight_limit = 2;
	fx_start_fifo(&f, 0);
	for (uint32_t g = 0; g < 3; g++)
		send_group(f.q, g, 0);
	CHECK_EQ_INT(receive_now(f.q, &c, 10), 2);
	release_all(f.q, &c);
	CHECK_EQ_INT(receive_now(f.q, &c, 10), 0);
	CHECK_EQ_INT(c.status, SQS_OK);
	CHECK_EQ_INT(sqs_counters(f.q)->over_limit, 0);
	fx_release(&f);
}

/*
 * §2.1: the order check counts a processing that overtakes an unprocessed
 * earlier message of its group (possible when a visibility timeout ends
 * while the first consumer still works); in-order processing counts none.
 */
void test_fifo_order_check_counts_overtaking(void)
{
	struct fx f;
	struct catcher a, b;

	fx_init(&f);
	f.cfg.visibility_timeout = SIM_SEC;
	fx_start_fifo(&f, 0);
	send_group(f.q, 3, 0);
	send_group(f.q, 3, 0);
	CHECK_EQ_INT(receive_now(f.q, &a, 2), 2);
	CHECK(!sqs_processed(f.q, &a.rx.got[0]));
	CHECK(!sqs_processed(f.q, &a.rx.got[1]));
	CHECK_EQ_INT(sqs_counters(f.q)->out_of_order, 0);
	release_all(f.q, &a);
	run_to(&f, 2 * SIM_SEC);
	send_group(f.q, 8, 0);
	send_group(f.q, 8, 0);
	CHECK_EQ_INT(receive_now(f.q, &b, 10), 4);    /* group 3 again (returned) and group 8 */
	CHECK(!sqs_processed(f.q, &b.rx.got[3]));     /* the second of group 8 before the first */
	CHECK_EQ_INT(sqs_counters(f.q)->out_of_order, 1);
	release_all(f.q, &b);
	fx_release(&f);
}

/*
 * §1.7: on a FIFO queue a delete after the visibility timeout fails ("the
 * receipt handle has expired") even though nobody received the message
 * again; it deletes nothing and is not counted in NumberOfMessagesDeleted.
 */
void test_fifo_late_delete_fails(void)
{
	struct fx f;
	struct catcher c;

	fx_init(&f);
	f.cfg.visibility_timeout = 10 * SIM_SEC;
	fx_start_fifo(&f, 0);
	send_group(f.q, 1, 0);
	CHECK_EQ_INT(receive_now(f.q, &c, 1), 1);
	run_to(&f, 10 * SIM_SEC + 1);
	CHECK_EQ_INT(sqs_delete(f.q, &c.rx.got[0]), SQS_STALE);
	CHECK_EQ_INT(sqs_visible(f.q), 1);
	CHECK_EQ_INT(sqs_counters(f.q)->deleted_calls, 0);
	release_all(f.q, &c);
	CHECK(ledger_ok(f.q));
	fx_release(&f);
}

/*
 * §1.9, §2.1: a purge of a FIFO queue removes the in-flight head of a
 * group, which unlocks the group; a waiting long poll must not be handed
 * the messages the same purge is about to remove.
 */
void test_fifo_purge_hands_nothing_out(void)
{
	struct fx f;
	struct catcher a, w;

	fx_init(&f);
	fx_start_fifo(&f, 0);
	send_group(f.q, 1, 0);
	send_group(f.q, 1, 0);
	send_group(f.q, 1, 0);
	CHECK_EQ_INT(receive_now(f.q, &a, 1), 1);
	catcher_init(&w, 10, 20 * SIM_SEC);
	sqs_receive(f.q, &w.rx);
	CHECK_EQ_INT(w.calls, 0);                      /* waits: the group is locked */
	sqs_purge(f.q);
	CHECK_EQ_INT(w.calls, 0);
	CHECK_EQ_INT(sqs_counters(f.q)->received, 1);
	CHECK_EQ_INT(sqs_counters(f.q)->purged, 3);
	sqs_receive_cancel(&w.rx);
	release_all(f.q, &a);
	CHECK(ledger_ok(f.q));
	fx_release(&f);
}

/* The end-to-end order check: a send born before the latest of its group counts as a late arrival. */
void test_fifo_late_arrival_counted(void)
{
	struct fx f;
	struct sqs_send req = { .size = 100, .delay = SIM_TIME_UNSET, .group = 3, .dedup = 1 };

	fx_init(&f);
	fx_start_fifo(&f, 0);
	run_to(&f, 10 * SIM_SEC);
	req.born_at = 8 * SIM_SEC;
	sqs_send(f.q, &req);
	req.born_at = 9 * SIM_SEC;
	req.dedup = 2;
	sqs_send(f.q, &req);
	CHECK_EQ_INT(sqs_counters(f.q)->late_arrivals, 0);
	req.born_at = 5 * SIM_SEC;   /* published before the two above */
	req.dedup = 3;
	sqs_send(f.q, &req);
	CHECK_EQ_INT(sqs_counters(f.q)->late_arrivals, 1);
	req.group = 4;               /* another group's order is its own */
	req.dedup = 4;
	sqs_send(f.q, &req);
	CHECK_EQ_INT(sqs_counters(f.q)->late_arrivals, 1);
	fx_release(&f);
}

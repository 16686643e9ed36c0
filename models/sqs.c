/*
 * sqs.c - Amazon SQS standard queues (aws-behaviour §1).
 *
 * Each queue threads its messages on three intrusive lists:
 *   visible  - VISIBLE messages by arrival in the queue; receives take from
 *              the head (standard queues order best-effort, §1.1). A message
 *              visible again after a receive keeps its place by age until it
 *              has been received SQS_AGE_METRIC_RECEIVE_CUTOFF times, when
 *              it goes to the back (§1.11);
 *   age      - messages in arrival order that have been received fewer than
 *              SQS_AGE_METRIC_RECEIVE_CUTOFF times here: its head gives
 *              ApproximateAgeOfOldestMessage (§1.11);
 *   expiry   - every stored message, by expiry time: the head is the next to
 *              expire. Arrivals append (retention is per queue and time only
 *              grows); a dead-lettered message keeps its original enqueue
 *              time (§1.10) and is inserted from the tail.
 * One engine event per queue watches the expiry head (rescheduled lazily);
 * each delayed or in-flight message has one timer event.
 */
#include "weir/sqs.h"
#include "weir/level.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

_Static_assert((long)SQS_MESSAGE_SIZE_MAX < (1L << 24), "a message size fits struct sqs_msg's 24 bits");

enum sqs_msg_state { MSG_DELAYED = 1, MSG_VISIBLE, MSG_IN_FLIGHT, MSG_GONE };
enum { L_VIS, L_AGE, L_EXP, NLISTS };

struct move_task {
	struct sqs_queue *q;
	const struct sqs_move_task_cfg *cfg;
	struct sqs_queue *dest;    /* NULL = each message's origin */
	uint64_t remaining;        /* messages still to move */
	sim_time started, interval;
};

struct sqs_queue {
	struct sqs_env *env;
	const struct sqs_queue_cfg *cfg;
	const char *name;
	struct sqs_queue *dlq;
	gsl_rng *rng;
	struct {
		struct sqs_msg *head, *tail;
	} lists[NLISTS];
	struct level visible, in_flight;
	uint64_t delayed, max_visible;
	struct sqs_receiver *wait_head, *wait_tail;
	sim_event_id expiry_timer;     /* set while the expiry timer is pending */
	sim_time expiry_at;            /* when it fires */
	struct sqs_counters c, c_warm;
	struct hist lat_period, lat_total, wait_period, wait_total;
	sim_time warm_at;
	double vis_area_warm, inf_area_warm;
	struct move_task *tasks;   /* one per configured move task */
	struct move_task *active;  /* the running move task, if any */
	uint64_t tasks_rejected;
};

/* ---- small helpers ----------------------------------------------------- */

static sim_time now_of(const struct sqs_queue *q)
{
	return sim_now(q->env->sim);
}

static void trace(const struct sqs_queue *q, const struct sqs_msg *m, const char *event,
		  const char *detail)
{
	if (m->flags & SQS_MSG_TRACED)
		trace_event(q->env->trace, now_of(q), m->id, q->name, event,
			    m->receive_count, detail);
}

static sim_time expire_at(const struct sqs_queue *q, const struct sqs_msg *m)
{
	return m->enq_at + q->cfg->retention;
}

/* ---- intrusive lists --------------------------------------------------- */

static void list_append(struct sqs_queue *q, int l, struct sqs_msg *m)
{
	m->links[l].next = NULL;
	m->links[l].prev = q->lists[l].tail;
	if (q->lists[l].tail)
		q->lists[l].tail->links[l].next = m;
	else
		q->lists[l].head = m;
	q->lists[l].tail = m;
}

static void list_remove(struct sqs_queue *q, int l, struct sqs_msg *m)
{
	struct sqs_link *k = &m->links[l];

	if (k->prev)
		k->prev->links[l].next = k->next;
	else
		q->lists[l].head = k->next;
	if (k->next)
		k->next->links[l].prev = k->prev;
	else
		q->lists[l].tail = k->prev;
	k->prev = k->next = NULL;
}

/* Inserts m into the expiry list after the last message expiring no later. */
static void expiry_insert(struct sqs_queue *q, struct sqs_msg *m)
{
	struct sqs_msg *after = q->lists[L_EXP].tail;
	sim_time t = expire_at(q, m);

	while (after && expire_at(q, after) > t)
		after = after->links[L_EXP].prev;
	if (after == q->lists[L_EXP].tail) {
		list_append(q, L_EXP, m);
		return;
	}
	m->links[L_EXP].prev = after;
	m->links[L_EXP].next = after ? after->links[L_EXP].next : q->lists[L_EXP].head;
	m->links[L_EXP].next->links[L_EXP].prev = m;
	if (after)
		after->links[L_EXP].next = m;
	else
		q->lists[L_EXP].head = m;
}

static int in_age_list(const struct sqs_msg *m)
{
	return m->receive_count < SQS_AGE_METRIC_RECEIVE_CUTOFF;
}

/* ---- expiry (§1.8: retention counts from the enqueue timestamp) -------- */

static void on_expiry(struct sim *sim, void *subject, void *object);

/*
 * Makes the expiry timer fire no later than the head's expiry. The timer is
 * pending exactly while expiry_timer is set (on_expiry clears it), and
 * expiry_at caches its time, so the engine is not asked.
 */
static void arm_expiry(struct sqs_queue *q)
{
	struct sqs_msg *head = q->lists[L_EXP].head;
	sim_time t;

	if (!head)
		return;   /* a pending timer finds nothing and stops */
	t = expire_at(q, head);
	if (t < now_of(q))
		t = now_of(q);
	if (q->expiry_timer == SIM_EVENT_NONE) {
		q->expiry_timer = sim_schedule(q->env->sim, t, on_expiry, q, NULL);
		q->expiry_at = t;
	} else if (q->expiry_at > t) {
		sim_reschedule(q->env->sim, q->expiry_timer, t);
		q->expiry_at = t;
	}
}

/* ---- state changes ----------------------------------------------------- */

static void wake_waiters(struct sqs_queue *q);

static void free_if_unreferenced(struct sqs_queue *q, struct sqs_msg *m)
{
	if (m->state == MSG_GONE && m->refs == 0)
		pool_put(&q->env->msgs, m);
}

/* Takes m out of every list and count of q (it stays allocated). */
static void detach(struct sqs_queue *q, struct sqs_msg *m)
{
	sim_cancel(q->env->sim, m->timer);
	m->timer = SIM_EVENT_NONE;
	switch (m->state) {
	case MSG_VISIBLE:
		list_remove(q, L_VIS, m);
		level_add(&q->visible, now_of(q), -1);
		break;
	case MSG_IN_FLIGHT:
		level_add(&q->in_flight, now_of(q), -1);
		break;
	case MSG_DELAYED:
		q->delayed--;
		break;
	default:
		WEIR_BUG("detaching a message in state %d", m->state);
	}
	if (in_age_list(m))
		list_remove(q, L_AGE, m);
	list_remove(q, L_EXP, m);
}

/* Removes m for good: deleted, expired, purged or redriven. */
static void finish(struct sqs_queue *q, struct sqs_msg *m, uint64_t *counter, const char *event,
		   const char *detail)
{
	int was_in_flight = m->state == MSG_IN_FLIGHT;

	detach(q, m);
	(*counter)++;
	trace(q, m, event, detail);
	m->state = MSG_GONE;
	free_if_unreferenced(q, m);
	if (was_in_flight)
		wake_waiters(q);   /* the in-flight limit may have held a receiver */
}

/* True when a arrived in the queue before b (equal times: sent first). */
static int arrived_before(const struct sqs_msg *a, const struct sqs_msg *b)
{
	return a->arrived_at < b->arrived_at || (a->arrived_at == b->arrived_at && a->id < b->id);
}

/* Inserts m into the visible list before the first message that arrived later. */
static void visible_insert_by_age(struct sqs_queue *q, struct sqs_msg *m)
{
	struct sqs_msg *before = q->lists[L_VIS].head;

	while (before && !arrived_before(m, before))
		before = before->links[L_VIS].next;
	if (!before) {
		list_append(q, L_VIS, m);
		return;
	}
	m->links[L_VIS].next = before;
	m->links[L_VIS].prev = before->links[L_VIS].prev;
	if (before->links[L_VIS].prev)
		before->links[L_VIS].prev->links[L_VIS].next = m;
	else
		q->lists[L_VIS].head = m;
	before->links[L_VIS].prev = m;
}

static void make_visible(struct sqs_queue *q, struct sqs_msg *m)
{
	m->state = MSG_VISIBLE;
	if (m->receive_count == 0 || !in_age_list(m))
		list_append(q, L_VIS, m);        /* new, or received 3 times: the back (§1.11) */
	else
		visible_insert_by_age(q, m);     /* keeps its place by age */
	level_add(&q->visible, now_of(q), +1);
	wake_waiters(q);
	/* After the waiters: a message a long poll takes at once was never waiting. */
	if (q->visible.value > q->max_visible)
		q->max_visible = q->visible.value;
}

static void on_delay_end(struct sim *sim, void *subject, void *object)
{
	struct sqs_queue *q = subject;
	struct sqs_msg *m = object;

	(void)sim;
	m->timer = SIM_EVENT_NONE;
	q->delayed--;
	make_visible(q, m);
}

/* A message arrives in q (sent, dead-lettered or redriven). */
static void arrive(struct sqs_queue *q, struct sqs_msg *m, sim_time delay)
{
	m->arrived_at = now_of(q);
	m->receive_count = 0;   /* counting restarts in each queue (§1.10) */
	list_append(q, L_AGE, m);
	expiry_insert(q, m);
	if (delay > 0) {
		m->state = MSG_DELAYED;
		q->delayed++;
		m->timer = sim_schedule_in(q->env->sim, delay, on_delay_end, q, m);
	} else {
		make_visible(q, m);
	}
	arm_expiry(q);
}

static void on_expiry(struct sim *sim, void *subject, void *object)
{
	struct sqs_queue *q = subject;
	struct sqs_msg *m;

	(void)object;
	q->expiry_timer = SIM_EVENT_NONE;   /* fired: never reuse the handle */
	while ((m = q->lists[L_EXP].head) && expire_at(q, m) <= sim_now(sim))
		finish(q, m, &q->c.expired, "expired", NULL);
	arm_expiry(q);
}

/* ---- dead-letter queue (§1.10) ---------------------------------------- */

/*
 * Moves a message that a receive found with its receive count at
 * max_receive_count: it goes to the dead-letter queue instead of being
 * returned. A standard queue's message keeps its enqueue timestamp, so its
 * retention clock keeps running; the DLQ's age metric counts from the move.
 * Automatic moves do not count as NumberOfMessagesSent on the DLQ.
 */
static void move_to_dlq(struct sqs_queue *q, struct sqs_msg *m)
{
	struct sqs_queue *dlq = q->dlq;

	detach(q, m);
	m->seq++;           /* receipts from earlier receives go stale */
	m->origin = q;
	q->c.moved_to_dlq++;
	trace(q, m, "moved-to-dlq", dlq->name);
	dlq->c.moved_in++;
	m->receive_count = 0;   /* counting restarts in the DLQ (arrive() says so too) */
	trace(dlq, m, "arrived-from-source", q->name);
	arrive(dlq, m, 0);
}

/* ---- receiving (§1.3, §1.4, §1.5) -------------------------------------- */

static void on_visibility_end(struct sim *sim, void *subject, void *object)
{
	struct sqs_queue *q = subject;
	struct sqs_msg *m = object;

	m->timer = SIM_EVENT_NONE;
	level_add(&q->in_flight, sim_now(sim), -1);
	trace(q, m, "visibility-expired", NULL);
	make_visible(q, m);
}

static void deliver(struct sqs_queue *q, struct sqs_msg *m, struct sqs_receiver *rx)
{
	sim_time vt = rx->visibility != SIM_TIME_UNSET ? rx->visibility : q->cfg->visibility_timeout;
	sim_time now = now_of(q);

	m->state = MSG_IN_FLIGHT;
	level_add(&q->in_flight, now, +1);
	if (m->receive_count < UINT16_MAX && ++m->receive_count == SQS_AGE_METRIC_RECEIVE_CUTOFF)
		list_remove(q, L_AGE, m);  /* pushed to the back, out of the age metric (§1.11) */
	m->seq++;
	m->received_at = now;
	m->timer = sim_schedule(q->env->sim, now + vt, on_visibility_end, q, m);
	if (m->receive_count == 1) {
		/* From the arrival here: the send, the redrive, or the dead-letter move. */
		hist_record(&q->wait_period, now - m->arrived_at);
		hist_record(&q->wait_total, now - m->arrived_at);
	}
	q->c.received++;
	m->refs++;
	rx->got[rx->n].msg = m;
	rx->got[rx->n].seq = m->seq;
	rx->n++;
	trace(q, m, "received", rx->who);
}

/* Gives rx up to `want` visible messages, dead-lettering any that are due. */
static unsigned fill(struct sqs_queue *q, struct sqs_receiver *rx, unsigned want)
{
	const struct sqs_redrive_cfg *rd = &q->cfg->redrive;
	unsigned start = rx->n;

	while (rx->n - start < want && q->lists[L_VIS].head &&
	       q->in_flight.value < (uint64_t)q->cfg->in_flight_limit) {
		struct sqs_msg *m = q->lists[L_VIS].head;

		if (q->dlq && m->receive_count >= rd->max_receive_count) {
			move_to_dlq(q, m);
			continue;
		}
		list_remove(q, L_VIS, m);
		level_add(&q->visible, now_of(q), -1);
		deliver(q, m, rx);
	}
	return rx->n - start;
}

static void waiter_remove(struct sqs_queue *q, struct sqs_receiver *rx)
{
	if (rx->prev)
		rx->prev->next = rx->next;
	else
		q->wait_head = rx->next;
	if (rx->next)
		rx->next->prev = rx->prev;
	else
		q->wait_tail = rx->prev;
	rx->prev = rx->next = NULL;
}

static void on_wait_end(struct sim *sim, void *subject, void *object)
{
	struct sqs_receiver *rx = subject;
	struct sqs_queue *q = rx->q;

	(void)sim;
	(void)object;
	rx->timer = SIM_EVENT_NONE;
	waiter_remove(q, rx);
	q->c.empty_receives++;
	rx->done(rx, SQS_OK);
}

static void waiter_push_front(struct sqs_queue *q, struct sqs_receiver *rx)
{
	rx->prev = NULL;
	rx->next = q->wait_head;
	if (q->wait_head)
		q->wait_head->prev = rx;
	else
		q->wait_tail = rx;
	q->wait_head = rx;
}

/*
 * Serves waiting long polls, oldest first, while messages are visible and
 * the in-flight limit allows: a long poll returns as soon as a message is
 * available (§1.3). A waiter is unlinked while it is filled: filling can
 * dead-letter messages, which completes receives on the DLQ, whose callbacks
 * may send to this queue and so re-enter here; they must not see it.
 */
static void wake_waiters(struct sqs_queue *q)
{
	struct sqs_receiver *rx;

	while ((rx = q->wait_head) && q->lists[L_VIS].head &&
	       q->in_flight.value < (uint64_t)q->cfg->in_flight_limit) {
		waiter_remove(q, rx);
		if (fill(q, rx, rx->max) == 0) {
			waiter_push_front(q, rx);   /* everything found was dead-lettered */
			continue;
		}
		sim_cancel(q->env->sim, rx->timer);
		rx->timer = SIM_EVENT_NONE;
		rx->done(rx, SQS_OK);
	}
}

/* How many messages a short poll finds: a sample of the servers (§1.3). */
static unsigned short_poll_found(struct sqs_queue *q, unsigned want)
{
	uint64_t vis = q->visible.value;
	unsigned found;

	if (vis >= SQS_SHORT_POLL_FULL || q->cfg->short_poll_sample >= 1.0)
		return want;
	found = gsl_ran_binomial(q->rng, q->cfg->short_poll_sample, (unsigned)vis);
	return found < want ? found : want;
}

void sqs_receive(struct sqs_queue *q, struct sqs_receiver *rx)
{
	sim_time wait = rx->wait != SIM_TIME_UNSET ? rx->wait : q->cfg->receive_wait;
	int at_limit = q->in_flight.value >= (uint64_t)q->cfg->in_flight_limit;

	WEIR_ASSERT(rx->max >= 1 && rx->max <= SQS_RECEIVE_MAX && rx->done);
	rx->q = q;
	rx->n = 0;
	if (wait == 0) {
		if (at_limit) {
			q->c.over_limit++;   /* short polls get OverLimit at the cap (§1.5) */
			rx->done(rx, SQS_OVER_LIMIT);
			return;
		}
		if (fill(q, rx, short_poll_found(q, rx->max)) == 0)
			q->c.empty_receives++;
		rx->done(rx, SQS_OK);
		return;
	}
	if (fill(q, rx, rx->max) > 0) {
		rx->done(rx, SQS_OK);
		return;
	}
	rx->prev = q->wait_tail;
	rx->next = NULL;
	if (q->wait_tail)
		q->wait_tail->next = rx;
	else
		q->wait_head = rx;
	q->wait_tail = rx;
	rx->timer = sim_schedule_in(q->env->sim, wait, on_wait_end, rx, NULL);
}

void sqs_receive_cancel(struct sqs_receiver *rx)
{
	if (!rx->q || !sim_pending(rx->q->env->sim, rx->timer))
		return;
	sim_cancel(rx->q->env->sim, rx->timer);
	rx->timer = SIM_EVENT_NONE;
	waiter_remove(rx->q, rx);
}

/* ---- sending ----------------------------------------------------------- */

enum sqs_status sqs_send(struct sqs_queue *q, const struct sqs_send *req)
{
	struct sqs_msg *m;
	sim_time now = now_of(q);

	if (req->size > q->cfg->maximum_message_size) {
		q->c.too_large++;   /* rejected: larger than MaximumMessageSize (§1.8) */
		return SQS_TOO_LARGE;
	}
	m = pool_get(&q->env->msgs);
	m->id = ++q->env->next_id;
	m->born_at = req->born_at != SIM_TIME_UNSET ? req->born_at : now;
	m->enq_at = now;
	m->size = req->size & 0xffffffu;   /* <= maximum_message_size <= 1 MiB */
	m->flags = req->flags & 0xfu;
	if (trace_wants(q->env->trace, m->id))
		m->flags |= SQS_MSG_TRACED;
	q->c.sent++;
	q->c.sent_bytes += req->size;
	trace(q, m, "sent", req->sender);
	/* A message timer overrides the queue delay (§1.6). */
	arrive(q, m, req->delay != SIM_TIME_UNSET ? req->delay : q->cfg->delay);
	return SQS_OK;
}

/* ---- deleting and changing visibility (§1.4, §1.7, §1.1) --------------- */

static int is_current(const struct sqs_msg *m, const struct sqs_receipt *r)
{
	return m->state != MSG_GONE && m->seq == r->seq;
}

enum sqs_status sqs_delete(struct sqs_queue *q, const struct sqs_receipt *r)
{
	struct sqs_msg *m = r->msg;
	sim_time now = now_of(q);

	/* Every call with a valid handle counts, stale and repeated ones too (§1.7). */
	q->c.deleted_calls++;
	if (!is_current(m, r)) {
		q->c.stale_deletes++;   /* accepted, but the message is not deleted (§1.7) */
		trace(q, m, "stale-delete", NULL);
		return SQS_STALE;
	}
	if (q->cfg->duplicate_delivery > 0 && gsl_rng_uniform(q->rng) < q->cfg->duplicate_delivery) {
		/* A stored copy survived the delete and comes back later (§1.1). */
		q->c.lost_deletes++;
		trace(q, m, "lost-delete", NULL);
		return SQS_LOST_DELETE;
	}
	hist_record(&q->lat_period, now - m->born_at);
	hist_record(&q->lat_total, now - m->born_at);
	finish(q, m, &q->c.deleted, "deleted", NULL);
	return SQS_OK;
}

enum sqs_status sqs_change_visibility(struct sqs_queue *q, const struct sqs_receipt *r,
				      sim_time timeout)
{
	struct sqs_msg *m = r->msg;
	sim_time now = now_of(q);

	WEIR_ASSERT(timeout >= 0 && timeout <= SQS_VISIBILITY_TIMEOUT_MAX);
	if (!is_current(m, r) || m->state != MSG_IN_FLIGHT) {
		q->c.visibility_errors++;   /* MessageNotInflight / ReceiptHandleIsInvalid */
		return SQS_NOT_IN_FLIGHT;
	}
	if (now + timeout > m->received_at + SQS_VISIBILITY_CEILING) {
		q->c.visibility_errors++;   /* past 12 h from the receive (§1.4) */
		return SQS_CEILING;
	}
	q->c.visibility_changes++;
	trace(q, m, "visibility-changed", NULL);
	if (timeout == 0) {
		sim_cancel(q->env->sim, m->timer);
		m->timer = SIM_EVENT_NONE;
		level_add(&q->in_flight, now, -1);
		make_visible(q, m);
	} else {
		sim_reschedule(q->env->sim, m->timer, now + timeout);
	}
	return SQS_OK;
}

bool sqs_processed(struct sqs_queue *q, const struct sqs_receipt *r)
{
	struct sqs_msg *m = r->msg;
	bool dup = m->ok_count > 0;

	if (m->ok_count < UINT8_MAX)
		m->ok_count++;
	if (dup) {
		q->c.duplicates++;
		trace(q, m, "duplicate-processing", NULL);
	}
	return dup;
}

void sqs_trace_receipt(const struct sqs_queue *q, const struct sqs_receipt *r, const char *event,
		       const char *detail)
{
	trace(q, r->msg, event, detail);
}

void sqs_release(struct sqs_queue *q, struct sqs_receipt *r)
{
	struct sqs_msg *m = r->msg;

	WEIR_ASSERT(m && m->refs > 0);
	m->refs--;
	r->msg = NULL;
	free_if_unreferenced(q, m);
}

/* ---- purge (§1.9) and move tasks (§1.10) ------------------------------- */

void sqs_purge(struct sqs_queue *q)
{
	struct sqs_msg *m;

	while ((m = q->lists[L_EXP].head))
		finish(q, m, &q->c.purged, "purged", NULL);
}

static void on_purge(struct sim *sim, void *subject, void *object)
{
	(void)sim;
	(void)object;
	sqs_purge(subject);
}

/*
 * Redrives one message, which dest accepts (the caller checked its size):
 * it leaves q and is sent to dest as a new message (new id, new enqueue
 * time, receive count 0). The trace links the two ids and follows the new
 * message when it followed the old one.
 */
static void redrive_one(struct sqs_queue *q, struct sqs_msg *m, struct sqs_queue *dest)
{
	char detail[128], sender[128];
	struct sqs_send req = { .size = m->size, .delay = SIM_TIME_UNSET,
				.flags = m->flags & ~(unsigned)SQS_MSG_TRACED,
				.born_at = m->born_at, .sender = sender };
	uint64_t new_id = q->env->next_id + 1;   /* the id sqs_send gives it */
	int traced = (m->flags & SQS_MSG_TRACED) != 0;

	snprintf(detail, sizeof(detail), "to %s as message %llu", dest->name, (unsigned long long)new_id);
	snprintf(sender, sizeof(sender), "%s, redriven message %llu", q->name, (unsigned long long)m->id);
	finish(q, m, &q->c.redriven, "redriven", detail);
	if (traced && q->env->trace)
		req.flags |= SQS_MSG_TRACED;
	if (sqs_send(dest, &req) != SQS_OK || q->env->next_id != new_id)
		WEIR_BUG("a redriven message was refused after its size was checked");
}

/*
 * A message the task cannot move stays, at the back: one sent straight to
 * this queue has no source to go back to, and the destination refuses one
 * larger than its maximum_message_size.
 */
static void keep(struct sqs_queue *q, struct sqs_msg *m, const char *why)
{
	list_remove(q, L_VIS, m);
	list_append(q, L_VIS, m);
	q->c.move_failures++;
	trace(q, m, "move-failed", why);
}

static void on_move_batch(struct sim *sim, void *subject, void *object)
{
	struct move_task *t = subject;
	struct sqs_queue *q = t->q;
	unsigned moved = 0;

	(void)object;
	while (moved < SQS_MOVE_BATCH && t->remaining > 0 && q->lists[L_VIS].head) {
		struct sqs_msg *m = q->lists[L_VIS].head;
		struct sqs_queue *dest = t->dest ? t->dest : m->origin;

		t->remaining--;
		moved++;
		if (!dest || dest == q)
			keep(q, m, "no source queue to move it back to");
		else if (m->size > dest->cfg->maximum_message_size)
			keep(q, m, "larger than the destination's maximum_message_size");
		else
			redrive_one(q, m, dest);
	}
	if (t->remaining == 0 || !q->lists[L_VIS].head ||
	    sim_now(sim) + t->interval - t->started > SQS_MOVE_TASK_DURATION_MAX) {
		q->active = NULL;
		return;
	}
	sim_schedule_in(sim, t->interval, on_move_batch, t, NULL);
}

static void on_move_start(struct sim *sim, void *subject, void *object)
{
	struct move_task *t = subject;
	struct sqs_queue *q = t->q;
	double rate = t->cfg->max_number_of_messages_per_second != INT64_MIN
			      ? (double)t->cfg->max_number_of_messages_per_second
			      : SQS_MOVE_RATE_DEFAULT;

	(void)object;
	if (q->active) {
		q->tasks_rejected++;   /* only one active move task per queue (§1.10) */
		return;
	}
	q->active = t;
	t->remaining = q->visible.value + q->in_flight.value + q->delayed;
	t->started = sim_now(sim);
	t->interval = (sim_time)llround((double)SQS_MOVE_BATCH / rate * (double)SIM_SEC);
	on_move_batch(sim, t, NULL);
}

/* ---- life cycle -------------------------------------------------------- */

void sqs_env_init(struct sqs_env *env, struct sim *sim, struct trace *trace_out)
{
	memset(env, 0, sizeof(*env));
	env->sim = sim;
	env->trace = trace_out;
	pool_init(&env->msgs, sizeof(struct sqs_msg), 4096);
}

void sqs_env_release(struct sqs_env *env)
{
	pool_release(&env->msgs);
}

struct sqs_queue *sqs_create(struct sqs_env *env, const char *name,
			     const struct sqs_queue_cfg *cfg, gsl_rng *rng)
{
	struct sqs_queue *q = weir_calloc(1, sizeof(*q));

	q->env = env;
	q->cfg = cfg;
	q->name = name;
	q->rng = rng;
	q->visible.last = q->in_flight.last = sim_now(env->sim);
	hist_init(&q->lat_period);
	hist_init(&q->lat_total);
	hist_init(&q->wait_period);
	hist_init(&q->wait_total);
	q->tasks = weir_calloc(cfg->move_tasks.len, sizeof(*q->tasks));
	return q;
}

void sqs_set_dead_letter(struct sqs_queue *q, struct sqs_queue *dlq)
{
	q->dlq = dlq;
}

void sqs_start(struct sqs_queue *q, struct sqs_queue *(*lookup)(void *ctx, const char *name),
	       void *lookup_ctx)
{
	struct sim *sim = q->env->sim;

	for (size_t i = 0; i < q->cfg->purges.len; i++)
		sim_schedule(sim, VEC_AT(&q->cfg->purges, struct sqs_purge_cfg, i)->at,
			     on_purge, q, NULL);
	for (size_t i = 0; i < q->cfg->move_tasks.len; i++) {
		struct move_task *t = &q->tasks[i];

		t->q = q;
		t->cfg = VEC_AT(&q->cfg->move_tasks, struct sqs_move_task_cfg, i);
		t->dest = t->cfg->destination ? lookup(lookup_ctx, t->cfg->destination) : NULL;
		sim_schedule(sim, t->cfg->at, on_move_start, t, NULL);
	}
}

void sqs_destroy(struct sqs_queue *q)
{
	if (!q)
		return;
	hist_release(&q->lat_period);
	hist_release(&q->lat_total);
	hist_release(&q->wait_period);
	hist_release(&q->wait_total);
	free(q->tasks);
	free(q);
}

/* ---- observation ------------------------------------------------------- */

const char *sqs_name(const struct sqs_queue *q) { return q->name; }
const struct sqs_queue_cfg *sqs_config(const struct sqs_queue *q) { return q->cfg; }
const struct sqs_counters *sqs_counters(const struct sqs_queue *q) { return &q->c; }
uint64_t sqs_visible(const struct sqs_queue *q) { return q->visible.value; }
uint64_t sqs_in_flight(const struct sqs_queue *q) { return q->in_flight.value; }
uint64_t sqs_delayed(const struct sqs_queue *q) { return q->delayed; }

double sqs_oldest_age(const struct sqs_queue *q)
{
	const struct sqs_msg *m = q->lists[L_AGE].head;

	return m ? sim_time_to_sec(now_of(q) - m->arrived_at) : 0.0;
}

struct hist *sqs_period_hist(struct sqs_queue *q, enum sqs_hist_kind which)
{
	return which == SQS_HIST_LATENCY ? &q->lat_period : &q->wait_period;
}

void sqs_end_warmup(struct sqs_queue *q)
{
	sim_time now = now_of(q);

	q->c_warm = q->c;
	hist_reset(&q->lat_total);
	hist_reset(&q->wait_total);
	q->warm_at = now;
	q->vis_area_warm = level_area(&q->visible, now);
	q->inf_area_warm = level_area(&q->in_flight, now);
	q->max_visible = q->visible.value;
}

_Static_assert(sizeof(struct sqs_counters) % sizeof(uint64_t) == 0,
	       "sqs_stats subtracts the counters as an array of uint64_t");

void sqs_stats(const struct sqs_queue *q, struct sqs_stats *out)
{
	sim_time now = now_of(q);
	double span = (double)(now - q->warm_at);

	weir_counters_since(&out->since_warmup, &q->c, &q->c_warm, sizeof(q->c) / sizeof(uint64_t));
	out->latency = &q->lat_total;
	out->wait = &q->wait_total;
	out->mean_visible = span > 0 ? (level_area(&q->visible, now) - q->vis_area_warm) / span : NAN;
	out->mean_in_flight = span > 0 ? (level_area(&q->in_flight, now) - q->inf_area_warm) / span : NAN;
	out->max_visible = q->max_visible;
	out->measured_seconds = span / (double)SIM_SEC;
}

bool sqs_ledger(const struct sqs_queue *q, struct sqs_ledger *l)
{
	l->sent = q->c.sent;
	l->moved_in = q->c.moved_in;
	l->deleted = q->c.deleted;
	l->moved_to_dlq = q->c.moved_to_dlq;
	l->expired = q->c.expired;
	l->purged = q->c.purged;
	l->redriven = q->c.redriven;
	l->visible = q->visible.value;
	l->in_flight = q->in_flight.value;
	l->delayed = q->delayed;
	return l->sent + l->moved_in == l->deleted + l->moved_to_dlq + l->expired + l->purged +
					l->redriven + l->visible + l->in_flight + l->delayed;
}

uint64_t sqs_move_tasks_rejected(const struct sqs_queue *q)
{
	return q->tasks_rejected;
}

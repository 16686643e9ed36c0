/*
 * sqs.c - Amazon SQS standard and FIFO queues (aws-behaviour §1, §2).
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
 *
 * A FIFO queue (§2) uses the lists differently. Every arrival there gets
 * the next sequence number and a fresh enqueue time (a dead-letter move
 * too, §1.10), so the expiry list is also the queue in sequence order, and
 * the visible list's links thread each message group instead: a group
 * holds its stored messages (delayed, visible, in flight) in sequence
 * order. A group is ready when none of its messages is in flight and its
 * first is visible (§2.1: a group is locked while any message is in
 * flight); ready groups sit in a binary heap by their first message's
 * sequence number. A receive takes the ready group that comes first,
 * as many of its messages in order as it can, then the next group. Only
 * groups whose first message lies within the first SQS_FIFO_SCAN_WINDOW
 * stored messages can be found (§2.1); `win_end` marks the last message
 * of that window while the queue holds more.
 */
#include "weir/sqs.h"
#include "weir/level.h"
#include "weir/seen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

_Static_assert((long)SQS_MESSAGE_SIZE_MAX < (1L << 24), "a message size fits struct sqs_msg's 24 bits");
/* The memory benchmark holds a message to 128 bytes with its pool overhead (tests/bench/run.sh). */
_Static_assert(sizeof(struct sqs_msg) <= 120, "struct sqs_msg stays within 120 bytes");

enum sqs_msg_state { MSG_DELAYED = 1, MSG_VISIBLE, MSG_IN_FLIGHT, MSG_GONE };
enum { L_VIS, L_AGE, L_EXP, NLISTS };

struct move_task {
	struct sqs_queue *q;
	const struct sqs_move_task_cfg *cfg;
	struct sqs_queue *dest;    /* NULL = each message's origin */
	uint64_t remaining;        /* messages still to move */
	sim_time started, interval;
};

/* A FIFO message group (§2.1). */
struct fifo_group {
	struct sqs_msg *head, *tail;   /* stored messages, in sequence order */
	uint32_t key;                  /* the group's number (struct sqs_send.group) */
	uint32_t visible, in_flight;
	int32_t heap_pos;              /* index in the ready heap; -1: not ready */
	bool stalled;                  /* visible messages behind an in-flight one */
	sim_time stalled_since;
	sim_time stall_total;          /* time stalled before stalled_since */
	sim_time last_born;            /* latest born_at of a message sent to the group */
};

/* Transactions of one action in the current 1-second window of the clock (§2.3). */
struct tps_window {
	sim_time start;
	int64_t used;
};

struct fifo_state {
	struct fifo_group *groups;
	size_t ngroups, cap;
	uint32_t *index;               /* hash table: group number -> groups[] index + 1 */
	size_t index_mask;
	uint32_t *heap;                /* ready groups (groups[] indices), min first sequence number */
	size_t nheap;
	uint64_t next_seq;
	uint64_t stored;               /* messages in the queue, every state */
	struct sqs_msg *win_end;       /* last message of the scan window, or NULL */
	struct seen dedup;
	struct tps_window send, receive;
	struct tps_window *partitions; /* high-throughput mode: sends per partition */
	size_t npartitions;
	struct level active, with_in_flight, stalled;
	double stall_area_warm, active_area_warm;
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
	struct fifo_state *fifo;   /* NULL: a standard queue */
	uint32_t number;           /* its place in env->queues */
	unsigned hold_wake;        /* > 0: finish() leaves waking the waiters to its caller */
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

/* When m arrived in q: a FIFO queue's arrival is its enqueue time (reset by a dead-letter move). */
static sim_time arrival(const struct sqs_queue *q, const struct sqs_msg *m)
{
	return q->fifo ? m->enq_at : m->arrived_at;
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

/* ---- FIFO message groups (§2.1) ---------------------------------------- */

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static void index_rebuild(struct fifo_state *f, size_t n)
{
	free(f->index);
	f->index = weir_calloc(n, sizeof(*f->index));
	f->index_mask = n - 1;
	for (size_t i = 0; i < f->ngroups; i++) {
		size_t h = hash32(f->groups[i].key) & f->index_mask;

		while (f->index[h])
			h = (h + 1) & f->index_mask;
		f->index[h] = (uint32_t)i + 1;
	}
}

/* The index in f->groups of group `key`, created if it is new. */
static uint32_t group_get(struct fifo_state *f, uint32_t key)
{
	size_t h = hash32(key) & f->index_mask;
	struct fifo_group *g;

	while (f->index[h]) {
		if (f->groups[f->index[h] - 1].key == key)
			return f->index[h] - 1;
		h = (h + 1) & f->index_mask;
	}
	if (f->ngroups == UINT32_MAX - 1)
		WEIR_BUG("more than 2^32 - 2 message groups in one queue");
	if (f->ngroups == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->groups = weir_realloc(f->groups, f->cap * sizeof(*f->groups));
		f->heap = weir_realloc(f->heap, f->cap * sizeof(*f->heap));
	}
	g = &f->groups[f->ngroups];
	memset(g, 0, sizeof(*g));
	g->key = key;
	g->heap_pos = -1;
	f->index[h] = (uint32_t)++f->ngroups;
	if (2 * f->ngroups > f->index_mask + 1)
		index_rebuild(f, 2 * (f->index_mask + 1));
	return (uint32_t)(f->ngroups - 1);
}

static bool heap_less(const struct fifo_state *f, uint32_t a, uint32_t b)
{
	return f->groups[a].head->qseq < f->groups[b].head->qseq;
}

static void heap_set(struct fifo_state *f, size_t i, uint32_t gi)
{
	f->heap[i] = gi;
	f->groups[gi].heap_pos = (int32_t)i;
}

static void heap_sift(struct fifo_state *f, size_t i)
{
	uint32_t gi = f->heap[i];

	while (i > 0 && heap_less(f, gi, f->heap[(i - 1) / 2])) {
		heap_set(f, i, f->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= f->nheap)
			break;
		if (c + 1 < f->nheap && heap_less(f, f->heap[c + 1], f->heap[c]))
			c++;
		if (!heap_less(f, f->heap[c], gi))
			break;
		heap_set(f, i, f->heap[c]);
		i = c;
	}
	heap_set(f, i, gi);
}

static void heap_remove(struct fifo_state *f, uint32_t gi)
{
	size_t i = (size_t)f->groups[gi].heap_pos;
	uint32_t last = f->heap[--f->nheap];

	f->groups[gi].heap_pos = -1;
	if (i < f->nheap) {
		heap_set(f, i, last);
		heap_sift(f, i);
	}
}

/*
 * Brings group gi's place in the ready heap and its counts up to date
 * after any change to its messages. Ready: nothing in flight and the first
 * message visible (a group is locked while any message is in flight, §2.1).
 */
static void group_update(struct sqs_queue *q, uint32_t gi)
{
	struct fifo_state *f = q->fifo;
	struct fifo_group *g = &f->groups[gi];
	sim_time now = now_of(q);
	bool ready = g->in_flight == 0 && g->head && g->head->state == MSG_VISIBLE;
	bool stalled = g->visible > 0 && g->in_flight > 0;

	if (ready && g->heap_pos < 0) {
		g->heap_pos = (int32_t)f->nheap;
		f->heap[f->nheap++] = gi;
		heap_sift(f, (size_t)g->heap_pos);
	} else if (ready) {
		heap_sift(f, (size_t)g->heap_pos);   /* its first message may have changed */
	} else if (g->heap_pos >= 0) {
		heap_remove(f, gi);
	}
	if (stalled != g->stalled) {
		g->stalled = stalled;
		level_add(&f->stalled, now, stalled ? +1 : -1);
		if (stalled)
			g->stalled_since = now;
		else
			g->stall_total += now - g->stalled_since;
	}
}

/* Counts groups with visible or in-flight messages, before and after a change. */
static void group_counts(struct sqs_queue *q, const struct fifo_group *g, uint32_t vis0,
			 uint32_t inf0)
{
	struct fifo_state *f = q->fifo;
	sim_time now = now_of(q);
	bool act0 = vis0 + inf0 > 0, act1 = g->visible + g->in_flight > 0;

	if (act0 != act1)
		level_add(&f->active, now, act1 ? +1 : -1);
	if ((inf0 > 0) != (g->in_flight > 0))
		level_add(&f->with_in_flight, now, g->in_flight > 0 ? +1 : -1);
}

/* Moves one message of group gi between states: dv visible, di in flight. */
static void group_shift(struct sqs_queue *q, uint32_t gi, int dv, int di)
{
	struct fifo_group *g = &q->fifo->groups[gi];
	uint32_t vis0 = g->visible, inf0 = g->in_flight;

	g->visible = (uint32_t)((int)g->visible + dv);
	g->in_flight = (uint32_t)((int)g->in_flight + di);
	group_counts(q, g, vis0, inf0);
	group_update(q, gi);
}

/* Whether group gi's first message is among the first SQS_FIFO_SCAN_WINDOW stored (§2.1). */
static bool in_window(const struct fifo_state *f, uint32_t gi)
{
	return !f->win_end || f->groups[gi].head->qseq <= f->win_end->qseq;
}

/*
 * A message arrives in a FIFO queue: the next sequence number, the end of
 * its group. On the way in, m->gidx holds the group's number (the caller
 * put it there); from here on, the group's slot in this queue.
 */
static void fifo_arrive(struct sqs_queue *q, struct sqs_msg *m)
{
	struct fifo_state *f = q->fifo;
	struct fifo_group *g;

	m->qseq = ++f->next_seq;
	m->gidx = group_get(f, m->gidx);
	g = &f->groups[m->gidx];
	m->links[L_VIS].prev = g->tail;
	m->links[L_VIS].next = NULL;
	if (g->tail)
		g->tail->links[L_VIS].next = m;
	else
		g->head = m;
	g->tail = m;
	WEIR_ASSERT(q->lists[L_EXP].tail == m);   /* a fresh enqueue time: the end of the queue */
	if (++f->stored == SQS_FIFO_SCAN_WINDOW)
		f->win_end = m;
}

/* Takes m out of its group and the scan window (m still has its state). */
static void fifo_detach(struct sqs_queue *q, struct sqs_msg *m)
{
	struct fifo_state *f = q->fifo;
	struct fifo_group *g = &f->groups[m->gidx];
	struct sqs_link *k = &m->links[L_VIS];

	if (k->prev)
		k->prev->links[L_VIS].next = k->next;
	else
		g->head = k->next;
	if (k->next)
		k->next->links[L_VIS].prev = k->prev;
	else
		g->tail = k->prev;
	k->prev = k->next = NULL;
	if (f->stored == SQS_FIFO_SCAN_WINDOW)
		f->win_end = NULL;
	else if (f->win_end && m->qseq <= f->win_end->qseq)
		f->win_end = f->win_end->links[L_EXP].next;
	f->stored--;
	group_shift(q, m->gidx, m->state == MSG_VISIBLE ? -1 : 0, m->state == MSG_IN_FLIGHT ? -1 : 0);
}

/* Takes one transaction of an action if the window has room (§2.3). */
static bool tps_room(struct tps_window *w, sim_time now, int64_t limit)
{
	if (sim_window(&w->start, now, SIM_SEC))
		w->used = 0;
	return w->used < limit;
}

/*
 * Whether a send of group `key` is within the throughput of §2.3: in normal
 * mode transactions_per_second per queue; in high-throughput mode the
 * group's partition (SQS_FIFO_PARTITION_TPS) and the queue's ceiling.
 */
static bool send_allowed(struct sqs_queue *q, uint32_t key)
{
	struct fifo_state *f = q->fifo;
	sim_time now = now_of(q);

	if (!sqs_cfg_high_throughput(q->cfg)) {
		if (!tps_room(&f->send, now, q->cfg->transactions_per_second))
			return false;
		f->send.used++;
		return true;
	}
	{
		struct tps_window *p = &f->partitions[hash32(key) % f->npartitions];

		if (!tps_room(p, now, SQS_FIFO_PARTITION_TPS) ||
		    !tps_room(&f->send, now, q->cfg->high_throughput_tps))
			return false;
		p->used++;
		f->send.used++;
		return true;
	}
}

static bool receive_allowed(struct sqs_queue *q)
{
	struct fifo_state *f = q->fifo;
	int64_t limit = sqs_cfg_high_throughput(q->cfg) ? q->cfg->high_throughput_tps
							: q->cfg->transactions_per_second;

	if (!tps_room(&f->receive, now_of(q), limit))
		return false;
	f->receive.used++;
	return true;
}

static void fifo_create(struct sqs_queue *q)
{
	struct fifo_state *f = weir_calloc(1, sizeof(*f));
	sim_time now = now_of(q);

	f->index = weir_calloc(64, sizeof(*f->index));
	f->index_mask = 63;
	seen_init(&f->dedup, SQS_FIFO_DEDUP_INTERVAL);
	f->send.start = f->receive.start = -1;
	f->npartitions = (size_t)((q->cfg->high_throughput_tps + SQS_FIFO_PARTITION_TPS - 1) /
				  SQS_FIFO_PARTITION_TPS);
	f->partitions = weir_calloc(f->npartitions, sizeof(*f->partitions));
	for (size_t i = 0; i < f->npartitions; i++)
		f->partitions[i].start = -1;
	f->active.last = f->with_in_flight.last = f->stalled.last = now;
	q->fifo = f;
}

static void fifo_destroy(struct fifo_state *f)
{
	if (!f)
		return;
	seen_release(&f->dedup);
	free(f->groups);
	free(f->index);
	free(f->heap);
	free(f->partitions);
	free(f);
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
	if (q->fifo)
		fifo_detach(q, m);
	switch (m->state) {
	case MSG_VISIBLE:
		if (!q->fifo)
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
	/*
	 * The in-flight limit may have held a receiver; on a FIFO queue the
	 * group may be unlocked, or the scan window moved on. A loop that
	 * removes many messages (purge, expiry, a move batch) holds the wake
	 * and wakes once at its end, so that no receive is handed a message
	 * the loop is about to remove.
	 */
	if ((was_in_flight || q->fifo) && !q->hold_wake)
		wake_waiters(q);
}

/* True when a arrived in the queue before b (equal times: sent first). */
static int arrived_before(const struct sqs_msg *a, const struct sqs_msg *b)
{
	return a->arrived_at < b->arrived_at || (a->arrived_at == b->arrived_at && a->id < b->id);   /* standard queues only */
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
	if (q->fifo)
		group_shift(q, m->gidx, +1, 0);   /* keeps its place in its group (§2.1) */
	else if (m->receive_count == 0 || !in_age_list(m))
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
	if (!q->fifo)
		m->arrived_at = now_of(q);   /* a FIFO queue's arrival is the enqueue time; fifo_arrive sets qseq */
	m->receive_count = 0;   /* counting restarts in each queue (§1.10) */
	list_append(q, L_AGE, m);
	expiry_insert(q, m);
	if (q->fifo)
		fifo_arrive(q, m);
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
	q->hold_wake++;
	while ((m = q->lists[L_EXP].head) && expire_at(q, m) <= sim_now(sim))
		finish(q, m, &q->c.expired, "expired", NULL);
	q->hold_wake--;
	arm_expiry(q);
	wake_waiters(q);
}

/* ---- dead-letter queue (§1.10) ---------------------------------------- */

/*
 * Moves a message that a receive found with its receive count at
 * max_receive_count: it goes to the dead-letter queue instead of being
 * returned. A standard queue's message keeps its enqueue timestamp, so its
 * retention clock keeps running; the DLQ's age metric counts from the move.
 * A FIFO message's enqueue timestamp restarts, and it leaves its group, so
 * the group's later messages go on without it (§1.10); in the DLQ it keeps
 * its group. The DLQ's deduplication never sees a move (AWS replaces the
 * deduplication id with the message id, §1.10).
 * Automatic moves do not count as NumberOfMessagesSent on the DLQ.
 */
static void move_to_dlq(struct sqs_queue *q, struct sqs_msg *m)
{
	struct sqs_queue *dlq = q->dlq;

	uint32_t key = q->fifo ? q->fifo->groups[m->gidx].key : 0;

	detach(q, m);
	m->seq++;           /* receipts from earlier receives go stale */
	m->origin = q->number + 1;
	if (dlq->fifo) {
		m->enq_at = now_of(q);   /* a FIFO move resets the enqueue timestamp (§1.10) */
		m->gidx = key;           /* the group's number, for fifo_arrive */
	}
	q->c.moved_to_dlq++;
	trace(q, m, "moved-to-dlq", dlq->name);
	dlq->c.moved_in++;
	m->receive_count = 0;   /* counting restarts in the DLQ (arrive() says so too) */
	trace(dlq, m, "arrived-from-source", q->name);
	arrive(dlq, m, 0);
}

/* ---- receiving (§1.3, §1.4, §1.5) -------------------------------------- */

/* An in-flight message stops being in flight (it becomes visible next). */
static void flight_ended(struct sqs_queue *q, struct sqs_msg *m)
{
	level_add(&q->in_flight, now_of(q), -1);
	if (q->fifo)
		group_shift(q, m->gidx, 0, -1);
}

static void on_visibility_end(struct sim *sim, void *subject, void *object)
{
	struct sqs_queue *q = subject;
	struct sqs_msg *m = object;

	(void)sim;
	m->timer = SIM_EVENT_NONE;
	flight_ended(q, m);
	trace(q, m, "visibility-expired", NULL);
	make_visible(q, m);
}

static void deliver(struct sqs_queue *q, struct sqs_msg *m, struct sqs_receiver *rx)
{
	sim_time vt = rx->visibility != SIM_TIME_UNSET ? rx->visibility : q->cfg->visibility_timeout;
	sim_time now = now_of(q);

	m->state = MSG_IN_FLIGHT;
	level_add(&q->in_flight, now, +1);
	if (q->fifo)
		group_shift(q, m->gidx, -1, +1);   /* the group is locked now (§2.1) */
	if (m->receive_count < UINT16_MAX && ++m->receive_count == SQS_AGE_METRIC_RECEIVE_CUTOFF)
		list_remove(q, L_AGE, m);  /* pushed to the back, out of the age metric (§1.11) */
	m->seq++;
	m->received_at = now;
	m->timer = sim_schedule(q->env->sim, now + vt, on_visibility_end, q, m);
	if (m->receive_count == 1) {
		/* From the arrival here: the send, the redrive, or the dead-letter move. */
		hist_record(&q->wait_period, now - arrival(q, m));
		hist_record(&q->wait_total, now - arrival(q, m));
	}
	q->c.received++;
	m->refs++;
	rx->got[rx->n].msg = m;
	rx->got[rx->n].seq = m->seq;
	rx->n++;
	trace(q, m, "received", rx->who);
}

static bool below_in_flight_limit(const struct sqs_queue *q)
{
	return q->in_flight.value < (uint64_t)q->cfg->in_flight_limit;
}

static bool dlq_due(const struct sqs_queue *q, const struct sqs_msg *m)
{
	return q->dlq && m->receive_count >= q->cfg->redrive.max_receive_count;
}

/*
 * A FIFO receive (§2.1): the ready group whose first message comes first
 * gives as many of its messages, in order, as the receive takes; then the
 * next group. A message due for the dead-letter queue leaves its group and
 * the next one takes its place (§1.10). `taken` guards the lock: moving a
 * message to the DLQ can run other receives (through the DLQ's waiters),
 * and one of them may have taken this group meanwhile.
 */
static unsigned fill_fifo(struct sqs_queue *q, struct sqs_receiver *rx, unsigned want)
{
	struct fifo_state *f = q->fifo;
	unsigned start = rx->n;

	while (rx->n - start < want && f->nheap > 0 && in_window(f, f->heap[0]) &&
	       below_in_flight_limit(q)) {
		uint32_t gi = f->heap[0], taken = 0;
		struct sqs_msg *m = f->groups[gi].head;

		while (m && m->state == MSG_VISIBLE && f->groups[gi].in_flight == taken &&
		       rx->n - start < want && below_in_flight_limit(q)) {
			struct sqs_msg *next = m->links[L_VIS].next;

			if (dlq_due(q, m)) {
				move_to_dlq(q, m);
			} else {
				level_add(&q->visible, now_of(q), -1);
				deliver(q, m, rx);
				taken++;
			}
			m = next;
		}
	}
	return rx->n - start;
}

/* Gives rx up to `want` visible messages, dead-lettering any that are due. */
static unsigned fill(struct sqs_queue *q, struct sqs_receiver *rx, unsigned want)
{
	unsigned start = rx->n;

	if (q->fifo)
		return fill_fifo(q, rx, want);

	while (rx->n - start < want && q->lists[L_VIS].head && below_in_flight_limit(q)) {
		struct sqs_msg *m = q->lists[L_VIS].head;

		if (dlq_due(q, m)) {
			move_to_dlq(q, m);
			continue;
		}
		list_remove(q, L_VIS, m);
		level_add(&q->visible, now_of(q), -1);
		deliver(q, m, rx);
	}
	return rx->n - start;
}

/* Whether a receive would find a message (the in-flight limit aside). */
static bool receivable(const struct sqs_queue *q)
{
	const struct fifo_state *f = q->fifo;

	if (!f)
		return q->lists[L_VIS].head != NULL;
	return f->nheap > 0 && in_window(f, f->heap[0]);
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

	while ((rx = q->wait_head) && receivable(q) && below_in_flight_limit(q)) {
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

	/* A FIFO queue finds its messages in order: no sampling (docs/fidelity.md). */
	if (q->fifo || vis >= SQS_SHORT_POLL_FULL || q->cfg->short_poll_sample >= 1.0)
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
	if (q->fifo && !receive_allowed(q)) {
		q->c.throttled_receives++;   /* ThrottlingException (§2.3) */
		rx->done(rx, SQS_THROTTLED);
		return;
	}
	if (wait == 0) {
		if (at_limit && !q->fifo) {
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

/*
 * The end-to-end order check of a FIFO queue: a send born before the
 * latest one of its group arrived out of its producer's order (through a
 * topic that reordered, say, or a repeat past the deduplication interval).
 */
static void check_arrival_order(struct sqs_queue *q, const struct sqs_msg *m, uint32_t gi)
{
	struct fifo_group *g = &q->fifo->groups[gi];

	if (m->born_at < g->last_born) {
		q->c.late_arrivals++;
		trace(q, m, "late-arrival", NULL);
	} else {
		g->last_born = m->born_at;
	}
}

/*
 * Whether a SendMessageBatch call of n entries is within the throughput
 * (§2.3): one call; in high-throughput mode the batch is split by
 * partition, one call per partition it touches, each within its partition's
 * 300/s and all within the queue's ceiling. Takes the calls when allowed.
 */
static bool batch_allowed(struct sqs_queue *q, const struct sqs_send *reqs, unsigned n)
{
	struct fifo_state *f = q->fifo;
	sim_time now = now_of(q);
	struct tps_window *parts[SQS_SEND_BATCH_MAX];
	unsigned np = 0;

	if (!sqs_cfg_high_throughput(q->cfg))
		return send_allowed(q, reqs[0].group);
	for (unsigned i = 0; i < n; i++) {
		struct tps_window *w = &f->partitions[hash32(reqs[i].group) % f->npartitions];
		unsigned k = 0;

		while (k < np && parts[k] != w)
			k++;
		if (k == np) {
			if (!tps_room(w, now, SQS_FIFO_PARTITION_TPS))
				return false;
			parts[np++] = w;
		}
	}
	if (!tps_room(&f->send, now, q->cfg->high_throughput_tps) ||
	    f->send.used + np > q->cfg->high_throughput_tps)
		return false;
	for (unsigned k = 0; k < np; k++)
		parts[k]->used++;
	f->send.used += np;
	return true;
}

/* One message of a send (its call already within the throughput when `counted`). */
static enum sqs_status send_entry(struct sqs_queue *q, const struct sqs_send *req, bool counted)
{
	struct sqs_msg *m;
	sim_time now = now_of(q);

	if (req->size > q->cfg->maximum_message_size) {
		q->c.too_large++;   /* rejected: larger than MaximumMessageSize (§1.8) */
		return SQS_TOO_LARGE;
	}
	if (q->fifo && !req->internal) {
		uint64_t key = sqs_dedup_key(req->dedup, req->group,
					     q->cfg->deduplication_scope == SQS_DEDUP_GROUP);

		WEIR_ASSERT(req->delay == SIM_TIME_UNSET);   /* no message timers on FIFO (§1.6) */
		if (!counted && !send_allowed(q, req->group)) {
			q->c.throttled_sends++;   /* ThrottlingException (§2.3) */
			return SQS_THROTTLED;
		}
		if (seen_check(&q->fifo->dedup, key, now)) {
			q->c.deduplicated++;   /* accepted, not delivered (§2.2) */
			return SQS_DEDUPLICATED;
		}
	}
	m = pool_get(&q->env->msgs);
	m->id = ++q->env->next_id;
	m->born_at = req->born_at != SIM_TIME_UNSET ? req->born_at : now;
	m->enq_at = now;
	m->size = req->size & 0xffffffu;   /* <= maximum_message_size <= 1 MiB */
	m->flags = req->flags & 0xfu;
	m->gidx = req->group;   /* FIFO: fifo_arrive turns the number into the group's slot */
	if (trace_wants(q->env->trace, m->id))
		m->flags |= SQS_MSG_TRACED;
	q->c.sent++;
	q->c.sent_bytes += req->size;
	trace(q, m, "sent", req->sender);
	if (q->fifo && !req->internal)
		check_arrival_order(q, m, group_get(q->fifo, req->group));
	/* A message timer overrides the queue delay (§1.6). */
	arrive(q, m, req->delay != SIM_TIME_UNSET ? req->delay : q->cfg->delay);
	return SQS_OK;
}

enum sqs_status sqs_send(struct sqs_queue *q, const struct sqs_send *req)
{
	return send_entry(q, req, false);
}

enum sqs_status sqs_send_batch(struct sqs_queue *q, const struct sqs_send *reqs, unsigned n,
			       enum sqs_status *st)
{
	WEIR_ASSERT(n >= 1 && n <= SQS_SEND_BATCH_MAX);
	if (q->fifo && !batch_allowed(q, reqs, n)) {
		q->c.throttled_sends++;   /* the whole call: ThrottlingException (§2.3) */
		return SQS_THROTTLED;
	}
	for (unsigned i = 0; i < n; i++)
		st[i] = send_entry(q, &reqs[i], true);
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

	/*
	 * FIFO: a delete outside the visibility window fails ("the receipt
	 * handle has expired", §1.7), whether or not the message was received
	 * again; it is not a successful call and does not count.
	 */
	if (q->fifo && (!is_current(m, r) || m->state != MSG_IN_FLIGHT)) {
		q->c.stale_deletes++;
		trace(q, m, "expired-receipt-delete", NULL);
		return SQS_STALE;
	}
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
		flight_ended(q, m);
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

	/*
	 * FIFO order check: a first processing while an earlier message of
	 * the group, still in the queue, has not been processed (§2.1). Only
	 * for the current receipt: a stale one's message may be elsewhere.
	 */
	if (q->fifo && !dup && is_current(m, r)) {
		for (const struct sqs_msg *p = m->links[L_VIS].prev; p; p = p->links[L_VIS].prev) {
			if (p->ok_count == 0) {
				q->c.out_of_order++;
				trace(q, m, "out-of-order", NULL);
				break;
			}
		}
	}
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

	q->hold_wake++;
	while ((m = q->lists[L_EXP].head))
		finish(q, m, &q->c.purged, "purged", NULL);
	q->hold_wake--;
	wake_waiters(q);
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
				.born_at = m->born_at, .sender = sender,
				.group = q->fifo ? q->fifo->groups[m->gidx].key : 0, .internal = true };
	uint64_t new_id = q->env->next_id + 1;   /* the id sqs_send gives it */
	int traced = (m->flags & SQS_MSG_TRACED) != 0;

	snprintf(detail, sizeof(detail), "to %s as message %llu", dest->name, (unsigned long long)new_id);
	snprintf(sender, sizeof(sender), "%s, redriven message %llu", q->name, (unsigned long long)m->id);
	finish(q, m, &q->c.redriven, "redriven", detail);
	if (traced && q->env->trace)
		req.flags |= SQS_MSG_TRACED;
	/* The send takes new_id before anything can run; the destination's waiters may send more after. */
	if (sqs_send(dest, &req) != SQS_OK)
		WEIR_BUG("a redriven message was refused after its size was checked");
}

/*
 * A message the task cannot move stays: one sent straight to this queue
 * has no source to go back to, and the destination refuses one larger
 * than its maximum_message_size. On a standard queue it goes to the back
 * and the task goes on; a FIFO queue keeps its order, so the task ends
 * there (docs/fidelity.md).
 */
static void keep(struct move_task *t, struct sqs_msg *m, const char *why)
{
	struct sqs_queue *q = t->q;

	q->c.move_failures++;
	trace(q, m, "move-failed", why);
	if (q->fifo) {
		t->remaining = 0;
		return;
	}
	list_remove(q, L_VIS, m);
	list_append(q, L_VIS, m);
}

/* The visible message a move task takes next: the oldest (FIFO: in sequence order). */
static struct sqs_msg *first_visible(const struct sqs_queue *q)
{
	struct sqs_msg *m = q->lists[L_EXP].head;

	if (!q->fifo)
		return q->lists[L_VIS].head;
	while (m && m->state != MSG_VISIBLE)
		m = m->links[L_EXP].next;
	return m;
}

static void on_move_batch(struct sim *sim, void *subject, void *object)
{
	struct move_task *t = subject;
	struct sqs_queue *q = t->q;
	unsigned moved = 0;

	(void)object;
	struct sqs_msg *m;

	q->hold_wake++;
	while (moved < SQS_MOVE_BATCH && t->remaining > 0 && (m = first_visible(q))) {
		struct sqs_queue *dest = t->dest ? t->dest : m->origin ? q->env->queues[m->origin - 1] : NULL;

		t->remaining--;
		moved++;
		if (!dest || dest == q)
			keep(t, m, "no source queue to move it back to");
		else if (m->size > dest->cfg->maximum_message_size)
			keep(t, m, "larger than the destination's maximum_message_size");
		else
			redrive_one(q, m, dest);
	}
	q->hold_wake--;
	wake_waiters(q);
	if (t->remaining == 0 || !first_visible(q) ||
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
	free(env->queues);
	for (size_t i = 0; i < env->ngroup_names; i++)
		free(env->group_names[i]);
	free(env->group_names);
	free(env->group_index);
}

static void names_rehash(struct sqs_env *env, size_t n)
{
	free(env->group_index);
	env->group_index = weir_calloc(n, sizeof(*env->group_index));
	env->group_mask = n - 1;
	for (size_t i = 0; i < env->ngroup_names; i++) {
		size_t h = weir_hash_str(0, env->group_names[i]) & env->group_mask;

		while (env->group_index[h])
			h = (h + 1) & env->group_mask;
		env->group_index[h] = (uint32_t)i + 1;
	}
}

uint32_t sqs_group_named(struct sqs_env *env, const char *id)
{
	size_t h;

	if (!env->group_index)
		names_rehash(env, 64);
	h = weir_hash_str(0, id) & env->group_mask;
	while (env->group_index[h]) {
		uint32_t i = env->group_index[h] - 1;

		if (strcmp(env->group_names[i], id) == 0)
			return SQS_GROUP_NAMED | i;
		h = (h + 1) & env->group_mask;
	}
	if (env->ngroup_names >= SQS_GROUP_NAMED - 1)
		WEIR_BUG("more than 2^31 distinct MessageGroupIds");
	if (env->ngroup_names >= 64 && (env->ngroup_names & (env->ngroup_names - 1)) == 0)
		env->group_names = weir_realloc(env->group_names, 2 * env->ngroup_names * sizeof(char *));
	else if (env->ngroup_names == 0)
		env->group_names = weir_malloc(64 * sizeof(char *));
	env->group_names[env->ngroup_names] = weir_strdup(id);
	env->group_index[h] = (uint32_t)++env->ngroup_names;
	if (2 * env->ngroup_names > env->group_mask + 1)
		names_rehash(env, 2 * (env->group_mask + 1));
	return SQS_GROUP_NAMED | (uint32_t)(env->ngroup_names - 1);
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
	q->number = (uint32_t)env->nqueues;
	env->queues = weir_realloc(env->queues, (env->nqueues + 1) * sizeof(*env->queues));
	env->queues[env->nqueues++] = q;
	if (cfg->fifo)
		fifo_create(q);
	return q;
}

void sqs_set_dead_letter(struct sqs_queue *q, struct sqs_queue *dlq)
{
	WEIR_ASSERT(!dlq || (q->fifo != NULL) == (dlq->fifo != NULL));   /* same type (§1.10) */
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
	fifo_destroy(q->fifo);
	free(q);
}

/* ---- observation ------------------------------------------------------- */

const char *sqs_name(const struct sqs_queue *q) { return q->name; }
bool sqs_fifo(const struct sqs_queue *q) { return q->fifo != NULL; }

uint32_t sqs_group_key(const struct sqs_queue *q, const struct sqs_receipt *r)
{
	WEIR_ASSERT(q->fifo && is_current(r->msg, r) && r->msg->gidx < q->fifo->ngroups);
	return q->fifo->groups[r->msg->gidx].key;
}

bool sqs_receipt_current(const struct sqs_receipt *r)
{
	return is_current(r->msg, r);
}
const struct sqs_queue_cfg *sqs_config(const struct sqs_queue *q) { return q->cfg; }
const struct sqs_counters *sqs_counters(const struct sqs_queue *q) { return &q->c; }
uint64_t sqs_visible(const struct sqs_queue *q) { return q->visible.value; }
uint64_t sqs_in_flight(const struct sqs_queue *q) { return q->in_flight.value; }
uint64_t sqs_delayed(const struct sqs_queue *q) { return q->delayed; }

double sqs_oldest_age(const struct sqs_queue *q)
{
	const struct sqs_msg *m = q->lists[L_AGE].head;

	return m ? sim_time_to_sec(now_of(q) - arrival(q, m)) : 0.0;
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
	if (q->fifo) {
		q->fifo->stall_area_warm = level_area(&q->fifo->stalled, now);
		q->fifo->active_area_warm = level_area(&q->fifo->active, now);
	}
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

void sqs_group_stats(const struct sqs_queue *q, struct sqs_group_stats *out)
{
	const struct fifo_state *f = q->fifo;
	sim_time now = now_of(q);

	memset(out, 0, sizeof(*out));
	if (!f)
		return;
	out->groups = f->ngroups;
	out->active = f->active.value;
	out->with_in_flight = f->with_in_flight.value;
	out->stalled = f->stalled.value;
	out->stall_seconds = (level_area(&f->stalled, now) - f->stall_area_warm) / (double)SIM_SEC;
	out->mean_active = now > q->warm_at
				   ? (level_area(&f->active, now) - f->active_area_warm) / (double)(now - q->warm_at)
				   : NAN;
	for (size_t i = 0; i < f->ngroups; i++) {
		const struct fifo_group *g = &f->groups[i];
		sim_time t = g->stall_total + (g->stalled ? now - g->stalled_since : 0);

		if (sim_time_to_sec(t) > out->max_group_stall) {
			out->max_group_stall = sim_time_to_sec(t);
			out->max_stall_group = g->key;
		}
	}
}

bool sqs_group_levels(const struct sqs_queue *q, struct sqs_group_levels *out)
{
	if (!q->fifo)
		return false;
	out->active = &q->fifo->active;
	out->with_in_flight = &q->fifo->with_in_flight;
	out->stalled = &q->fifo->stalled;
	return true;
}

bool sqs_ledger(const struct sqs_queue *q, struct sqs_ledger *l)
{
	l->sent = q->c.sent;
	l->deduplicated = q->c.deduplicated;
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

/*
 * kinesis.c - Kinesis Data Streams: shards, routing, per-second write
 * limits, retention, readers' checkpoints and resharding (aws-behaviour §3).
 *
 * Each shard keeps the records some reader still needs in a ring indexed by
 * position (the n-th record accepted by the shard has position n): the ring
 * holds positions [first, end). A record leaves the ring when every reader
 * has passed it (read) or when the retention runs out (expired). A stream
 * without readers keeps, per shard, only runs of (second, count) for its
 * retention ledger.
 *
 * The open shards are kept sorted by the start of their hash-key range, so
 * routing a record is a binary search.
 */
#include "weir/kinesis.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>


struct run {                     /* records accepted in one second, for a stream nobody reads */
	sim_time second;
	uint64_t count;
};

/*
 * A shard's metrics. The registry's columns are fixed when the run starts,
 * so the stream makes one of these for every shard its reshard plan will
 * ever open.
 */
struct shard_stats {
	const struct kinesis_stream *s;
	uint32_t id;
	char *name;                  /* STREAM.shardId-000000000007: the columns' resource */
	uint64_t in_records, in_bytes, throttled, read_throttled;
};

struct shard {
	struct kinesis_stream *s;
	uint32_t id;
	struct shard_stats *st;
	struct hash128 lo, hi;       /* the hash-key range it owns (inclusive) */
	int state;                   /* enum kinesis_shard_state */
	uint32_t *parents;           /* the shards it replaced: 0 at the start, 1 split, 2 merged, n rescaled */
	uint32_t nparents;
	sim_time closed_at;
	/* the records readers still need: ring of cap (a power of 2) entries */
	struct kin_rec *ring;
	uint64_t cap, first, end;
	struct vec runs;             /* struct run, oldest first (no readers) */
	size_t run_head;
	uint64_t run_held;
	/* on demand (§3.7): bytes accepted since the last measure, and since when it is over 500 KB/s */
	double tick_bytes;
	sim_time hot_since;          /* SIM_TIME_UNSET: not hot */
	/* this second's write and read budgets (§3.2) */
	sim_time wwin, rwin;
	sim_time read_blocked;       /* reads are refused until then: a big call's penalty (§3.2) */
	uint32_t wrecords, rcalls;
	double wbytes, rbytes;
};

struct kin_reader {
	struct kinesis_stream *s;
	uint64_t *cursor;            /* per shard */
	uint32_t ncursor;
	kin_shard_fn *on_shard;
	void *owner;
};

struct kinesis_stream {
	struct sim *sim;
	const char *name;
	const struct stream_cfg *cfg;
	struct shard **shards;       /* by id */
	uint32_t nshards;
	uint32_t *open;              /* ids of the open shards, by range start */
	uint32_t nopen;
	struct kin_reader **readers;
	uint32_t nreaders;
	uint64_t seq;
	sim_event_id expiry;
	sim_time expiry_at;
	struct shard_stats *stats;   /* for every shard the run can open */
	uint32_t nstats;
	struct kinesis_counters c, c_warm;
};

/* ---- hash-key ranges ---------------------------------------------------------- */

static struct hash128 h_dec(struct hash128 h)
{
	if (h.lo-- == 0)
		h.hi--;
	return h;
}

static struct hash128 h_inc(struct hash128 h)
{
	if (++h.lo == 0)
		h.hi++;
	return h;
}

/* The middle of [lo, hi]: lo + (hi - lo) / 2 + 1, the start of a split's upper child. */
static struct hash128 h_mid(struct hash128 lo, struct hash128 hi)
{
	struct hash128 d = { hi.hi - lo.hi - (hi.lo < lo.lo), hi.lo - lo.lo }, r;

	d.lo = (d.lo >> 1) | (d.hi << 63);
	d.hi >>= 1;
	r.lo = lo.lo + d.lo;
	r.hi = lo.hi + d.hi + (r.lo < lo.lo);
	return h_inc(r);
}

/* ---- shards ------------------------------------------------------------------- */

static struct shard *shard_new(struct kinesis_stream *s, struct hash128 lo, struct hash128 hi)
{
	struct shard *sh = weir_calloc(1, sizeof(*sh));

	sh->s = s;
	sh->id = s->nshards;
	WEIR_ASSERT(sh->id < s->nstats);
	sh->st = &s->stats[sh->id];
	sh->lo = lo;
	sh->hi = hi;
	sh->state = SHARD_OPEN;
	sh->wwin = sh->rwin = -1;
	sh->hot_since = SIM_TIME_UNSET;
	s->shards = weir_realloc(s->shards, (s->nshards + 1) * sizeof(*s->shards));
	s->shards[s->nshards++] = sh;
	for (uint32_t i = 0; i < s->nreaders; i++) {
		struct kin_reader *r = s->readers[i];

		r->cursor = weir_realloc(r->cursor, s->nshards * sizeof(*r->cursor));
		r->cursor[sh->id] = 0;   /* a child is read from its start */
		r->ncursor = s->nshards;
	}
	return sh;
}

static void add_parent(struct shard *sh, uint32_t parent)
{
	sh->parents = weir_realloc(sh->parents, (sh->nparents + 1) * sizeof(*sh->parents));
	sh->parents[sh->nparents++] = parent;
}

static void shard_free(struct shard *sh)
{
	free(sh->parents);
	free(sh->ring);
	vec_release(&sh->runs);
	free(sh);
}

static struct kin_rec *at(const struct shard *sh, uint64_t pos)
{
	return &sh->ring[pos & (sh->cap - 1)];
}

static void append(struct shard *sh, const struct kin_rec *r)
{
	if (sh->end - sh->first == sh->cap) {
		uint64_t cap = sh->cap ? sh->cap * 2 : 64;
		struct kin_rec *ring = weir_malloc(cap * sizeof(*ring));

		for (uint64_t p = sh->first; p < sh->end; p++)
			ring[p & (cap - 1)] = *at(sh, p);
		free(sh->ring);
		sh->ring = ring;
		sh->cap = cap;
	}
	*at(sh, sh->end++) = *r;
}

/* The lowest cursor of all readers in sh: records before it are read by all. */
static uint64_t low_cursor(const struct shard *sh)
{
	const struct kinesis_stream *s = sh->s;
	uint64_t low = sh->end;

	for (uint32_t i = 0; i < s->nreaders; i++)
		if (s->readers[i]->cursor[sh->id] < low)
			low = s->readers[i]->cursor[sh->id];
	return low;
}

static void trim_read(struct shard *sh)
{
	uint64_t low = low_cursor(sh);

	if (low > sh->first) {
		sh->s->c.read += low - sh->first;
		sh->first = low;
	}
}

/* ---- retention (§3.5) -------------------------------------------------------- */

static void arm_expiry(struct kinesis_stream *s);

/* Oldest arrival the shard still holds, or SIM_TIME_MAX. */
static sim_time oldest(const struct shard *sh)
{
	if (sh->first < sh->end)
		return at(sh, sh->first)->born;
	if (sh->run_head < sh->runs.len)
		return VEC_AT(&sh->runs, struct run, sh->run_head)->second;
	return SIM_TIME_MAX;
}

static void expire(struct shard *sh, sim_time cutoff)
{
	struct kinesis_stream *s = sh->s;

	while (sh->first < sh->end && at(sh, sh->first)->born <= cutoff) {
		sh->first++;
		s->c.expired++;
		s->c.expired_unread++;
	}
	while (sh->run_head < sh->runs.len) {
		struct run *r = VEC_AT(&sh->runs, struct run, sh->run_head);

		/* A run's records arrived within its second; they expire with its last instant. */
		if (r->second + KINESIS_WINDOW - 1 > cutoff)
			break;
		s->c.expired += r->count;
		sh->run_held -= r->count;
		sh->run_head++;
	}
	if (sh->run_head == sh->runs.len && sh->run_head > 0) {
		sh->runs.len = 0;
		sh->run_head = 0;
	}
	/* A closed shard whose records have all aged out is gone (§3.6). */
	if (sh->state == SHARD_CLOSED && sh->closed_at + s->cfg->retention <= sim_now(s->sim))
		sh->state = SHARD_EXPIRED;
}

static void on_expiry(struct sim *sim, void *subject, void *object)
{
	struct kinesis_stream *s = subject;
	sim_time cutoff = sim_now(sim) - s->cfg->retention;

	(void)object;
	s->expiry = SIM_EVENT_NONE;
	for (uint32_t i = 0; i < s->nshards; i++)
		expire(s->shards[i], cutoff);
	arm_expiry(s);
}

/* Schedules the next expiry: when the oldest held record (or a closed shard) ages out. */
static void arm_expiry(struct kinesis_stream *s)
{
	sim_time next = SIM_TIME_MAX;

	for (uint32_t i = 0; i < s->nshards; i++) {
		const struct shard *sh = s->shards[i];
		sim_time t = oldest(sh);

		if (t < SIM_TIME_MAX && sh->first == sh->end)
			t += KINESIS_WINDOW - 1;   /* a run expires with its second's last instant */
		if (t < SIM_TIME_MAX)
			t = sim_add(t, s->cfg->retention);
		if (sh->state == SHARD_CLOSED && sim_add(sh->closed_at, s->cfg->retention) < t)
			t = sim_add(sh->closed_at, s->cfg->retention);
		if (t < next)
			next = t;
	}
	if (next == s->expiry_at && s->expiry != SIM_EVENT_NONE)
		return;
	sim_cancel(s->sim, s->expiry);
	s->expiry = SIM_EVENT_NONE;
	s->expiry_at = next;
	if (next < SIM_TIME_MAX)
		s->expiry = sim_schedule(s->sim, next > sim_now(s->sim) ? next : sim_now(s->sim), on_expiry, s, NULL);
}

/* ---- writes (§3.2) ------------------------------------------------------------ */

uint32_t kinesis_route(const struct kinesis_stream *s, struct hash128 h)
{
	uint32_t lo = 0, hi = s->nopen;   /* the last open shard starting at or before h */

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (hash128_cmp(s->shards[s->open[mid]]->lo, h) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return s->open[lo];
}

enum kinesis_result kinesis_put(struct kinesis_stream *s, const struct kin_put *r)
{
	struct shard *sh;
	sim_time now = sim_now(s->sim);
	/* PutRecord counts each record rounded up to a whole KB; PutRecords the request (§3.2). */
	double charged = r->batched ? (double)r->size
				    : ceil((double)r->size / KINESIS_PUT_ROUNDING) * KINESIS_PUT_ROUNDING;
	struct kin_rec rec;

	s->c.put++;
	if ((double)r->size - r->key_len > KINESIS_RECORD_MAX) {
		s->c.too_large++;
		return KINESIS_TOO_LARGE;
	}
	sh = s->shards[kinesis_route(s, r->hash)];
	if (sim_window(&sh->wwin, now, KINESIS_WINDOW)) {
		sh->wrecords = 0;
		sh->wbytes = 0;
	}
	/* A record of up to 1 MiB always fits a second with nothing written yet. */
	if (sh->wrecords + 1 > KINESIS_SHARD_WRITE_RECORDS ||
	    (sh->wbytes > 0 && sh->wbytes + charged > KINESIS_SHARD_WRITE_BYTES)) {
		sh->st->throttled++;
		s->c.throttled++;
		return KINESIS_THROTTLED;
	}
	sh->wrecords++;
	sh->wbytes += charged;
	sh->st->in_records++;
	sh->st->in_bytes += r->size;
	sh->tick_bytes += r->size;
	s->c.accepted++;
	s->c.bytes += r->size;
	if (s->nreaders == 0) {
		struct run *last = sh->runs.len > sh->run_head ? VEC_AT(&sh->runs, struct run, sh->runs.len - 1) : NULL;

		if (!last || last->second != sh->wwin) {
			last = vec_push(&sh->runs, sizeof(*last));
			last->second = sh->wwin;
			last->count = 0;
		}
		last->count++;
		sh->run_held++;
	} else {
		rec.seq = ++s->seq;
		rec.born = now;
		rec.key = r->key;
		rec.size = r->size;
		rec.poison = r->poison;
		append(sh, &rec);
	}
	if (s->expiry == SIM_EVENT_NONE)
		arm_expiry(s);
	return KINESIS_OK;
}

/* ---- reads -------------------------------------------------------------------- */

bool kinesis_get_records(struct kinesis_stream *s, uint32_t shard, double bytes)
{
	struct shard *sh = s->shards[shard];
	sim_time now = sim_now(s->sim);

	s->c.get_calls++;
	if (sim_window(&sh->rwin, now, KINESIS_WINDOW)) {
		sh->rcalls = 0;
		sh->rbytes = 0;
	}
	/*
	 * 5 calls per second, and 2 MB per second shared by every reader of the
	 * shard (§3.2). A call is not refused for its size (it may return up to
	 * 10 MB): once the second's calls have read more than 2 MB, the calls of
	 * the seconds those bytes take at 2 MB/s are refused (10 MB: the next
	 * 5 s; a little over 2 MB: the rest of this second and the next).
	 */
	if (now < sh->read_blocked || sh->rcalls + 1 > KINESIS_SHARD_READ_CALLS) {
		sh->st->read_throttled++;
		s->c.read_throttled++;
		return false;
	}
	sh->rcalls++;
	sh->rbytes += bytes;
	s->c.read_bytes += (uint64_t)bytes;
	if (sh->rbytes > KINESIS_SHARD_READ_BYTES)
		sh->read_blocked = sh->rwin + (sim_time)ceil(sh->rbytes / KINESIS_SHARD_READ_BYTES) * KINESIS_WINDOW;
	return true;
}

struct kin_reader *kinesis_reader_add(struct kinesis_stream *s, enum kinesis_start start,
				      kin_shard_fn *on_shard, void *owner)
{
	struct kin_reader *r = weir_calloc(1, sizeof(*r));

	WEIR_ASSERT(s->c.accepted == 0 || s->nreaders > 0);   /* readers come before the first record */
	r->s = s;
	r->on_shard = on_shard;
	r->owner = owner;
	r->ncursor = s->nshards;
	r->cursor = weir_calloc(s->nshards, sizeof(*r->cursor));
	for (uint32_t i = 0; i < s->nshards; i++)
		r->cursor[i] = start == KINESIS_LATEST ? s->shards[i]->end : s->shards[i]->first;
	s->readers = weir_realloc(s->readers, (s->nreaders + 1) * sizeof(*s->readers));
	s->readers[s->nreaders++] = r;
	return r;
}

uint64_t kinesis_cursor(const struct kin_reader *r, uint32_t shard)
{
	return r->cursor[shard];
}

uint64_t kinesis_end(const struct kinesis_stream *s, uint32_t shard)
{
	return s->shards[shard]->end;
}

const struct kin_rec *kinesis_record(const struct kinesis_stream *s, uint32_t shard, uint64_t pos)
{
	const struct shard *sh = s->shards[shard];

	WEIR_ASSERT(pos >= sh->first && pos < sh->end);
	return at(sh, pos);
}

uint64_t kinesis_skip_expired(struct kin_reader *r, uint32_t shard)
{
	const struct shard *sh = r->s->shards[shard];
	uint64_t lost = 0;

	if (r->cursor[shard] < sh->first) {
		lost = sh->first - r->cursor[shard];
		r->cursor[shard] = sh->first;
	}
	return lost;
}

uint64_t kinesis_commit(struct kin_reader *r, uint32_t shard, uint64_t pos)
{
	struct shard *sh = r->s->shards[shard];
	uint64_t lost = kinesis_skip_expired(r, shard);

	WEIR_ASSERT(pos <= sh->end);
	if (pos > r->cursor[shard]) {
		r->cursor[shard] = pos;
		trim_read(sh);
	}
	return lost;
}

bool kinesis_finished(const struct kin_reader *r, uint32_t shard)
{
	const struct shard *sh = r->s->shards[shard];

	return sh->state == SHARD_EXPIRED ||
	       (sh->state == SHARD_CLOSED && (r->cursor[shard] >= sh->end || sh->first == sh->end));
}

bool kinesis_readable(const struct kin_reader *r, uint32_t shard)
{
	const struct shard *sh;

	if (shard >= r->s->nshards)
		return false;
	sh = r->s->shards[shard];
	if (sh->state == SHARD_EXPIRED)
		return false;
	for (uint32_t i = 0; i < sh->nparents; i++)   /* parents first, so that every key stays in order (§3.6) */
		if (!kinesis_finished(r, sh->parents[i]))
			return false;
	return true;
}

/* ---- resharding (§3.6) -------------------------------------------------------- */

static void tell_readers(struct kinesis_stream *s, uint32_t shard)
{
	for (uint32_t i = 0; i < s->nreaders; i++)
		if (s->readers[i]->on_shard)
			s->readers[i]->on_shard(s->readers[i]->owner, shard);
}

static void close_shard(struct kinesis_stream *s, struct shard *sh)
{
	sh->state = SHARD_CLOSED;
	sh->closed_at = sim_now(s->sim);
}

struct open_entry {
	struct hash128 lo;
	uint32_t id;
};

static int by_start(const void *a, const void *b)
{
	return hash128_cmp(((const struct open_entry *)a)->lo, ((const struct open_entry *)b)->lo);
}

/* Rebuilds the list of open shards, sorted by the start of their ranges. */
static void reindex(struct kinesis_stream *s)
{
	struct open_entry *e = weir_malloc(s->nshards * sizeof(*e));

	s->nopen = 0;
	for (uint32_t i = 0; i < s->nshards; i++)
		if (s->shards[i]->state == SHARD_OPEN)
			e[s->nopen++] = (struct open_entry){ s->shards[i]->lo, i };
	qsort(e, s->nopen, sizeof(*e), by_start);
	s->open = weir_realloc(s->open, s->nshards * sizeof(*s->open));
	for (uint32_t i = 0; i < s->nopen; i++)
		s->open[i] = e[i].id;
	free(e);
}

static void opened(struct kinesis_stream *s, struct shard *sh)
{
	tell_readers(s, sh->id);
}

/* SplitShard at the middle of the parent's range (§3.6). */
static void split(struct kinesis_stream *s, uint32_t id)
{
	struct shard *p = s->shards[id];
	struct hash128 mid = h_mid(p->lo, p->hi);
	struct shard *a, *b;

	close_shard(s, p);
	a = shard_new(s, p->lo, h_dec(mid));
	b = shard_new(s, mid, p->hi);
	add_parent(a, id);
	add_parent(b, id);
	reindex(s);
	opened(s, a);
	opened(s, b);
}

/* MergeShards of two adjacent open shards (§3.6). */
static void merge(struct kinesis_stream *s, uint32_t a_id, uint32_t b_id)
{
	struct shard *a = s->shards[a_id], *b = s->shards[b_id], *c;

	close_shard(s, a);
	close_shard(s, b);
	c = shard_new(s, a->lo, b->hi);
	add_parent(c, a_id);
	add_parent(c, b_id);
	reindex(s);
	opened(s, c);
}

/*
 * UpdateShardCount with uniform scaling: the open shards are replaced by
 * `target` shards splitting the key space evenly, each child naming as
 * parents every old shard whose range overlaps its own. AWS goes through intermediate splits and merges (§3.6); weir goes
 * straight to the result, which keeps per-key order the same way.
 */
static void update_count(struct kinesis_stream *s, uint32_t target)
{
	uint32_t nold = s->nopen, *old = weir_malloc(nold * sizeof(*old));
	uint32_t first_new = s->nshards;

	memcpy(old, s->open, nold * sizeof(*old));
	for (uint32_t i = 0; i < nold; i++)
		close_shard(s, s->shards[old[i]]);
	for (uint32_t i = 0; i < target; i++) {
		struct hash128 lo = hash128_range_start(i, target);
		struct hash128 hi = i + 1 < target ? h_dec(hash128_range_start(i + 1, target))
						   : (struct hash128){ UINT64_MAX, UINT64_MAX };
		struct shard *c = shard_new(s, lo, hi);

		for (uint32_t j = 0; j < nold; j++) {
			const struct shard *o = s->shards[old[j]];

			if (hash128_cmp(o->hi, lo) >= 0 && hash128_cmp(o->lo, hi) <= 0)
				add_parent(c, old[j]);   /* the ranges overlap */
		}
	}
	free(old);
	reindex(s);
	for (uint32_t i = first_new; i < s->nshards; i++)
		opened(s, s->shards[i]);
}

static void on_reshard(struct sim *sim, void *subject, void *object)
{
	struct kinesis_stream *s = subject;
	const struct reshard_cfg *r = object;

	(void)sim;
	s->c.reshards++;
	switch (r->action) {
	case RESHARD_SPLIT:
		split(s, s->open[r->shard]);
		break;
	case RESHARD_MERGE:
		merge(s, s->open[r->shard], s->open[r->shard + 1]);
		break;
	default:
		update_count(s, (uint32_t)r->shards);
		break;
	}
	arm_expiry(s);
}

/*
 * On demand (§3.7): once a minute, every open shard's write rate over the
 * last minute; a shard above 500 KB/s for 15 minutes is split in two
 * (halving its range), up to max_shards. So a stream follows a new peak
 * after about 15 minutes and, until then, throttles traffic that more than
 * doubles; one hot key still cannot pass its shard's 1 MB/s.
 */
static void on_demand_tick(struct sim *sim, void *subject, void *object)
{
	struct kinesis_stream *s = subject;
	sim_time now = sim_now(sim);
	uint32_t n = s->nopen, *ids = weir_malloc(n * sizeof(*ids));

	(void)object;
	memcpy(ids, s->open, n * sizeof(*ids));   /* a split changes the open list */
	for (uint32_t i = 0; i < n; i++) {
		struct shard *sh = s->shards[ids[i]];
		double rate = sh->tick_bytes / sim_time_to_sec(KINESIS_ON_DEMAND_TICK);

		sh->tick_bytes = 0;
		if (rate <= KINESIS_ON_DEMAND_SPLIT_BYTES) {
			sh->hot_since = SIM_TIME_UNSET;
			continue;
		}
		if (sh->hot_since == SIM_TIME_UNSET)
			sh->hot_since = now - KINESIS_ON_DEMAND_TICK;
		/* A range of one hash key cannot be split: one key never spans shards (§3.7). */
		if (now - sh->hot_since >= KINESIS_ON_DEMAND_SPLIT_AFTER && s->nopen < (uint32_t)s->cfg->max_shards &&
		    hash128_cmp(sh->lo, sh->hi) < 0) {
			s->c.reshards++;
			split(s, sh->id);
		}
	}
	free(ids);
	arm_expiry(s);
	sim_schedule_in(sim, KINESIS_ON_DEMAND_TICK, on_demand_tick, s, NULL);
}

/* ---- life ------------------------------------------------------------------------ */

struct kinesis_stream *kinesis_create(struct sim *sim, const char *name, const struct stream_cfg *cfg)
{
	struct kinesis_stream *s = weir_calloc(1, sizeof(*s));
	uint32_t n = (uint32_t)cfg->shards;

	s->sim = sim;
	s->name = name;
	s->cfg = cfg;
	s->expiry = SIM_EVENT_NONE;
	s->nstats = n;
	if (cfg->mode == KINESIS_ON_DEMAND)   /* every split opens two: up to max_shards open */
		s->nstats += 2 * (uint32_t)(cfg->max_shards - cfg->shards);
	for (size_t i = 0; i < cfg->reshards.len; i++) {
		const struct reshard_cfg *r = VEC_AT(&cfg->reshards, struct reshard_cfg, i);

		s->nstats += r->action == RESHARD_SPLIT ? 2 : r->action == RESHARD_MERGE ? 1 : (uint32_t)r->shards;
	}
	s->stats = weir_calloc(s->nstats, sizeof(*s->stats));
	for (uint32_t i = 0; i < s->nstats; i++) {
		s->stats[i].s = s;
		s->stats[i].id = i;
		s->stats[i].name = weir_asprintf("%s.shardId-%012u", name, i);
	}
	for (uint32_t i = 0; i < n; i++)   /* CreateStream splits the key space evenly (§3.1) */
		shard_new(s, hash128_range_start(i, n),
			  i + 1 < n ? h_dec(hash128_range_start(i + 1, n)) : (struct hash128){ UINT64_MAX, UINT64_MAX });
	reindex(s);
	return s;
}

void kinesis_start(struct kinesis_stream *s)
{
	if (s->cfg->mode == KINESIS_ON_DEMAND)
		sim_schedule(s->sim, KINESIS_ON_DEMAND_TICK, on_demand_tick, s, NULL);
	for (size_t i = 0; i < s->cfg->reshards.len; i++) {
		const struct reshard_cfg *r = VEC_AT(&s->cfg->reshards, struct reshard_cfg, i);

		sim_schedule(s->sim, r->at, on_reshard, s, (void *)(uintptr_t)r);
	}
}

void kinesis_destroy(struct kinesis_stream *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nshards; i++)
		shard_free(s->shards[i]);
	for (uint32_t i = 0; i < s->nreaders; i++) {
		free(s->readers[i]->cursor);
		free(s->readers[i]);
	}
	for (uint32_t i = 0; i < s->nstats; i++)
		free(s->stats[i].name);
	free(s->stats);
	free(s->readers);
	free(s->shards);
	free(s->open);
	free(s);
}

const char *kinesis_name(const struct kinesis_stream *s) { return s->name; }
const struct stream_cfg *kinesis_config(const struct kinesis_stream *s) { return s->cfg; }
const struct kinesis_counters *kinesis_counters(const struct kinesis_stream *s) { return &s->c; }
uint32_t kinesis_shard_count(const struct kinesis_stream *s) { return s->nshards; }
uint32_t kinesis_open_shards(const struct kinesis_stream *s) { return s->nopen; }

enum kinesis_shard_state kinesis_shard_state(const struct kinesis_stream *s, uint32_t shard)
{
	return (enum kinesis_shard_state)s->shards[shard]->state;
}

struct hash128 kinesis_open_shard_start(const struct kinesis_stream *s, uint32_t i)
{
	return s->shards[s->open[i]]->lo;
}

uint64_t kinesis_shard_incoming(const struct kinesis_stream *s, uint32_t shard)
{
	return s->stats[shard].in_records;
}

static uint64_t held(const struct kinesis_stream *s)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < s->nshards; i++)
		n += s->shards[i]->end - s->shards[i]->first + s->shards[i]->run_held;
	return n;
}

bool kinesis_ledger(const struct kinesis_stream *s, FILE *err)
{
	const struct kinesis_counters *c = &s->c;
	uint64_t h = held(s);

	if (c->put == c->accepted + c->throttled + c->too_large && c->accepted == c->read + c->expired + h)
		return true;
	fprintf(err, "weir: internal error: the ledger of stream '%s' does not balance: put %llu != accepted %llu"
		" + throttled %llu + too large %llu, or accepted != read by all %llu + expired %llu + held %llu\n",
		s->name, (unsigned long long)c->put, (unsigned long long)c->accepted,
		(unsigned long long)c->throttled, (unsigned long long)c->too_large,
		(unsigned long long)c->read, (unsigned long long)c->expired, (unsigned long long)h);
	return false;
}

/* ---- metrics and summary ---------------------------------------------------------- */

/*
 * How far the readers are behind in a shard: the age of the oldest record
 * some reader has not read (its checkpoint), 0 when all are caught up.
 */
static sim_time shard_age(const struct shard *sh)
{
	const struct kinesis_stream *s = sh->s;
	uint64_t low;

	if (s->nreaders == 0)
		return 0;
	low = low_cursor(sh);
	if (low < sh->first)
		low = sh->first;
	return low < sh->end ? sim_now(s->sim) - at(sh, low)->born : 0;
}

static double g_shard_age(const void *ctx)
{
	const struct shard_stats *st = ctx;

	return st->id < st->s->nshards ? (double)shard_age(st->s->shards[st->id]) / 1000.0 : 0;
}

static double g_stream_age(const void *ctx)
{
	const struct kinesis_stream *s = ctx;
	sim_time worst = 0;

	for (uint32_t i = 0; i < s->nshards; i++) {
		sim_time a = shard_age(s->shards[i]);

		worst = a > worst ? a : worst;
	}
	return (double)worst / 1000.0;
}

static double g_open(const void *ctx)
{
	return kinesis_open_shards(ctx);
}

static double g_held(const void *ctx)
{
	return (double)held(ctx);
}

enum {
	M_IN_BYTES, M_IN_RECORDS, M_WRITE_EXCEEDED, M_READ_EXCEEDED, M_AGE, M_EXPIRED, M_HELD,
	M_OPEN, M_NDEFS
};

static const struct metric_def kinesis_defs[M_NDEFS] = {
	[M_IN_BYTES] = { "IncomingBytes", "bytes", METRIC_SUM, "§3.9",
			 "Bytes of the records accepted (throttled ones excluded), partition keys included." },
	[M_IN_RECORDS] = { "IncomingRecords", "count", METRIC_SUM, "§3.9", "Records accepted." },
	[M_WRITE_EXCEEDED] = { "WriteProvisionedThroughputExceeded", "count", METRIC_SUM, "§3.2, §3.9",
			       "Records refused because their shard had used its 1 MB or 1,000 records of the current second." },
	[M_READ_EXCEEDED] = { "ReadProvisionedThroughputExceeded", "count", METRIC_SUM, "§3.2, §3.9",
			      "GetRecords calls refused: the shard's 5 calls or 2 MB of the current second were used." },
	[M_AGE] = { "GetRecords.IteratorAgeMilliseconds", "milliseconds", METRIC_GAUGE, "§3.9",
		    "At the end of the period, over all shards: the age of the oldest record a reader has not yet read (0: every reader is caught up)." },
	[M_EXPIRED] = { "RecordsExpired", "count", METRIC_SUM, "§3.5",
			"Records that reached the retention period before every reader had read them (lost to those readers)." },
	[M_HELD] = { "RecordsHeld", "count", METRIC_GAUGE, "§3.5",
		     "Records in the stream that some reader has not read yet (or, without readers, within the retention period)." },
	[M_OPEN] = { "OpenShardCount", "count", METRIC_GAUGE, "§3.6", "Open shards at the end of the period." },
};

const struct metric_family kinesis_metric_family = {
	.kind = "Kinesis stream",
	.intro = "One set per stream, named `STREAM/Metric`. Every record a producer puts is accepted or throttled; an accepted record stays until every reader has read it or the retention runs out.",
	.defs = kinesis_defs,
	.ndefs = M_NDEFS,
};

enum { SM_IN_RECORDS, SM_IN_BYTES, SM_WRITE_EXCEEDED, SM_READ_EXCEEDED, SM_AGE, SM_NDEFS };

static const struct metric_def shard_defs[SM_NDEFS] = {
	[SM_IN_RECORDS] = { "IncomingRecords", "count", METRIC_SUM, "§3.9", "Records the shard accepted." },
	[SM_IN_BYTES] = { "IncomingBytes", "bytes", METRIC_SUM, "§3.9", "Bytes the shard accepted." },
	[SM_WRITE_EXCEEDED] = { "WriteProvisionedThroughputExceeded", "count", METRIC_SUM, "§3.2",
				"Records the shard refused for its per-second write limits." },
	[SM_READ_EXCEEDED] = { "ReadProvisionedThroughputExceeded", "count", METRIC_SUM, "§3.2",
			       "GetRecords calls the shard refused." },
	[SM_AGE] = { "IteratorAgeMilliseconds", "milliseconds", METRIC_GAUGE, "§3.9",
		     "Age of the oldest record in the shard a reader has not read, at the end of the period." },
};

const struct metric_family kinesis_shard_metric_family = {
	.kind = "Kinesis shard",
	.intro = "Shard-level metrics (CloudWatch's enhanced monitoring), one set per shard, named `STREAM.shardId-000000000000/Metric` after the shard's id. Shards opened by a reshard get their columns from the start of the run (zero before they exist).",
	.prefix = "STREAM.shardId-N",
	.defs = shard_defs,
	.ndefs = SM_NDEFS,
};

void kinesis_register_metrics(struct kinesis_stream *s, struct metrics *m)
{
	metrics_sum(m, s->name, &kinesis_defs[M_IN_BYTES], &s->c.bytes);
	metrics_sum(m, s->name, &kinesis_defs[M_IN_RECORDS], &s->c.accepted);
	metrics_sum(m, s->name, &kinesis_defs[M_WRITE_EXCEEDED], &s->c.throttled);
	metrics_sum(m, s->name, &kinesis_defs[M_READ_EXCEEDED], &s->c.read_throttled);
	metrics_gauge(m, s->name, &kinesis_defs[M_AGE], g_stream_age, s);
	metrics_sum(m, s->name, &kinesis_defs[M_EXPIRED], &s->c.expired_unread);
	metrics_gauge(m, s->name, &kinesis_defs[M_HELD], g_held, s);
	metrics_gauge(m, s->name, &kinesis_defs[M_OPEN], g_open, s);
	if (!s->cfg->shard_metrics)
		return;
	for (uint32_t i = 0; i < s->nstats; i++) {
		struct shard_stats *st = &s->stats[i];

		metrics_sum(m, st->name, &shard_defs[SM_IN_RECORDS], &st->in_records);
		metrics_sum(m, st->name, &shard_defs[SM_IN_BYTES], &st->in_bytes);
		metrics_sum(m, st->name, &shard_defs[SM_WRITE_EXCEEDED], &st->throttled);
		metrics_sum(m, st->name, &shard_defs[SM_READ_EXCEEDED], &st->read_throttled);
		metrics_gauge(m, st->name, &shard_defs[SM_AGE], g_shard_age, st);
	}
}

void kinesis_end_warmup(struct kinesis_stream *s)
{
	s->c_warm = s->c;
}

enum {
	S_PUT, S_ACCEPTED, S_THROTTLED, S_THROTTLED_SHARE, S_BYTES, S_EXPIRED, S_READ_EXCEEDED,
	S_HOT_SHARE, S_SHARDS, S_RESHARDS, S_L_PUT, S_L_ACCEPTED, S_L_THROTTLED, S_L_TOO_LARGE,
	S_L_READ, S_L_EXPIRED, S_L_HELD, S_NSTATS
};

static const struct stat_def kinesis_stats_defs[S_NSTATS] = {
	[S_PUT] = { "RecordsPut", "count", "Records producers put after the warm-up (each retry counts)." },
	[S_ACCEPTED] = { "IncomingRecords", "count", "Records accepted after the warm-up." },
	[S_THROTTLED] = { "WriteProvisionedThroughputExceeded", "count", "Records throttled after the warm-up." },
	[S_THROTTLED_SHARE] = { "ThrottledFraction", "ratio", "Throttled / put after the warm-up." },
	[S_BYTES] = { "IncomingBytes", "bytes", "Bytes accepted after the warm-up." },
	[S_EXPIRED] = { "RecordsExpired", "count", "Records that expired before every reader had read them." },
	[S_READ_EXCEEDED] = { "ReadProvisionedThroughputExceeded", "count", "GetRecords calls throttled after the warm-up." },
	[S_HOT_SHARE] = { "HottestShardShare", "ratio", "The largest share of the stream's accepted records that one shard took (whole run; 1/shards when even)." },
	[S_SHARDS] = { "OpenShardCount", "count", "Open shards at the end." },
	[S_RESHARDS] = { "Reshards", "count", "Resharding operations carried out." },
	[S_L_PUT] = { "ledger.put", "count", "Whole run: put; = accepted + throttled + too_large." },
	[S_L_ACCEPTED] = { "ledger.accepted", "count", "Whole run: accepted; = read + expired + held." },
	[S_L_THROTTLED] = { "ledger.throttled", "count", "Whole run: throttled." },
	[S_L_TOO_LARGE] = { "ledger.too_large", "count", "Whole run: refused as larger than 1 MiB." },
	[S_L_READ] = { "ledger.read", "count", "Whole run: read by every reader (then let go)." },
	[S_L_EXPIRED] = { "ledger.expired", "count", "Whole run: aged out (unread by some reader, or no readers)." },
	[S_L_HELD] = { "ledger.held", "count", "At the end: in the stream." },
};

const struct stat_family kinesis_stat_family = { "Kinesis stream", kinesis_stats_defs, S_NSTATS };

void kinesis_summarize(const struct kinesis_stream *s, struct summary *sum)
{
	struct kinesis_counters w = { 0 };
	const struct kinesis_counters *c = &s->c;
	double v[S_NSTATS], hot = 0;

	weir_counters_since(&w, &s->c, &s->c_warm, sizeof(w) / sizeof(uint64_t));
	for (uint32_t i = 0; i < s->nshards; i++)
		if (c->accepted > 0 && (double)s->stats[i].in_records / (double)c->accepted > hot)
			hot = (double)s->stats[i].in_records / (double)c->accepted;
	v[S_PUT] = (double)w.put;
	v[S_ACCEPTED] = (double)w.accepted;
	v[S_THROTTLED] = (double)w.throttled;
	v[S_THROTTLED_SHARE] = w.put ? (double)w.throttled / (double)w.put : 0;
	v[S_BYTES] = (double)w.bytes;
	v[S_EXPIRED] = (double)w.expired_unread;
	v[S_READ_EXCEEDED] = (double)w.read_throttled;
	v[S_HOT_SHARE] = hot;
	v[S_SHARDS] = s->nopen;
	v[S_RESHARDS] = (double)c->reshards;
	v[S_L_PUT] = (double)c->put;
	v[S_L_ACCEPTED] = (double)c->accepted;
	v[S_L_THROTTLED] = (double)c->throttled;
	v[S_L_TOO_LARGE] = (double)c->too_large;
	v[S_L_READ] = (double)c->read;
	v[S_L_EXPIRED] = (double)c->expired;
	v[S_L_HELD] = (double)held(s);
	for (int i = 0; i < S_NSTATS; i++)
		summary_add(sum, s->name, "stream", &kinesis_stats_defs[i], v[i]);
}

/*
 * bench_evq.c - event-queue hold cost: weir's engine against plain heaps.
 *
 * The classic hold model: N events are pending; each operation removes the
 * earliest one (time t) and inserts one at t + an exponential increment, so
 * the queue size stays N. Every variant replays the same pre-generated
 * increments and must pop the same sequence of times (checked through a
 * checksum). Variants:
 *   weir   the engine through its API: sim_run pops, a handler calls
 *          sim_schedule (event pool, handles and heap back-indices included);
 *   h2/h4/h8      plain binary, 4-ary and 8-ary heaps of 16-byte
 *                 {time, seq} keys; h4 is the reference of the target;
 *   h2p/h4p/h8p   the same with 24-byte {time, seq, pointer} entries, the
 *                 size of weir's heap entries before they shrank to 16 bytes,
 *                 without back-indices.
 * Plain heaps also pop then push (no replace-top shortcut), as weir does.
 * Repetitions are interleaved (every variant once per round). Two ratios are
 * printed: best (fastest run / fastest run of h4: other tenants of a shared
 * machine only ever add time, so the minimum is the cleanest estimate; the
 * target is judged on it) and paired (median over rounds of the ratio within
 * one round), which also shows how the variant fares under contention.
 *
 * Usage: bench_evq [-n N[,N...]] [-m OPS] [-r REPS] [-v VARIANT[,VARIANT...]]
 * Under callgrind, --toggle-collect='*_timed*' counts only the timed operations.
 */
#include "weir/sim.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

#define HOLD_MEAN_US 1000000.0      /* mean increment: 1 s of simulated time, in us */
#define HOLD_SEED 20240601UL        /* seed of the increments (any fixed value) */
#define REPS_DEFAULT 5
#define REPS_MAX 99
#define OPS_SMALL 2000000u          /* timed operations for N <= OPS_BIG_FROM */
#define OPS_BIG 1000000u            /* timed operations above it (each op is slower) */
#define OPS_BIG_FROM 100000u
#define WARMUP_SWEEPS 1u            /* untimed operations before timing, in units of N */
#define SIZES_MAX 8
#define TARGET_RATIO 1.25           /* weir within 1.25x of h4 at N = 1e3 and 1e5 */

/* ---- the input every variant replays ----------------------------------- */

struct hold_input {
	size_t n;                 /* pending events */
	size_t warm;              /* untimed operations */
	size_t ops;               /* timed operations */
	int64_t *incr;            /* n initial times, then warm + ops increments, us */
};

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p) {
		fprintf(stderr, "bench_evq: out of memory\n");
		exit(1);
	}
	return p;
}

static void input_make(struct hold_input *in, size_t n, size_t ops)
{
	size_t total = n + WARMUP_SWEEPS * n + ops;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (!r) {
		fprintf(stderr, "bench_evq: out of memory\n");
		exit(1);
	}
	gsl_rng_set(r, HOLD_SEED);
	in->n = n;
	in->warm = WARMUP_SWEEPS * n;
	in->ops = ops;
	in->incr = xmalloc(total * sizeof(*in->incr));
	for (size_t i = 0; i < total; i++)
		in->incr[i] = (int64_t)llround(gsl_ran_exponential(r, HOLD_MEAN_US));
	gsl_rng_free(r);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- weir's engine --------------------------------------------------- */

struct hold {
	const int64_t *incr;
	size_t next;              /* index of the next increment */
	size_t stop_at;           /* sim_stop once next reaches this */
	uint64_t sum;             /* checksum: sum of the popped times */
};

static void on_hold(struct sim *sim, void *subject, void *object)
{
	struct hold *h = subject;
	sim_time now = sim_now(sim);

	(void)object;
	h->sum += (uint64_t)now;
	sim_schedule(sim, now + h->incr[h->next], on_hold, h, NULL);
	if (++h->next == h->stop_at)
		sim_stop(sim);
}

static NOINLINE void weir_timed(struct sim *sim)
{
	sim_run(sim, SIM_TIME_MAX);
}

static double run_weir(const struct hold_input *in, uint64_t *sum)
{
	struct sim *sim = sim_create();
	struct hold h = { .incr = in->incr, .next = in->n, .stop_at = in->n + in->warm };
	double t0, t1;

	for (size_t i = 0; i < in->n; i++)
		sim_schedule(sim, in->incr[i], on_hold, &h, NULL);
	if (in->warm > 0)
		sim_run(sim, SIM_TIME_MAX);
	h.sum = 0;
	h.stop_at = in->n + in->warm + in->ops;
	t0 = now_ns();
	weir_timed(sim);
	t1 = now_ns();
	*sum = h.sum;
	sim_destroy(sim);
	return (t1 - t0) / (double)in->ops;
}

/* ---- plain reference heaps ----------------------------------------------- */

struct key {                  /* 16 bytes */
	int64_t at;
	uint64_t seq;
};

struct pkey {                 /* 24 bytes, like weir's heap entries */
	int64_t at;
	uint64_t seq;
	void *ev;
};

#define KEY_LESS(a, b) ((a).at < (b).at || ((a).at == (b).at && (a).seq < (b).seq))

/*
 * Defines a D-ary min-heap NAME of ENTRY (which has .at and .seq), written
 * the way sim.c writes its own: a hole moves while the entry is kept aside.
 * NAME_hold runs `ops` hold operations; NAME_timed is the same, not inlined,
 * for callgrind's --toggle-collect.
 */
#define HEAP_DEFINE(NAME, ENTRY, D)                                            \
	struct NAME {                                                          \
		ENTRY *a;                                                      \
		uint32_t len;                                                  \
		uint64_t seq;                                                  \
	};                                                                     \
	static void NAME##_push(struct NAME *h, ENTRY e)                       \
	{                                                                      \
		uint32_t i = h->len++;                                         \
		while (i > 0) {                                                \
			uint32_t p = (i - 1) / (D);                            \
			if (!KEY_LESS(e, h->a[p]))                             \
				break;                                         \
			h->a[i] = h->a[p];                                     \
			i = p;                                                 \
		}                                                              \
		h->a[i] = e;                                                   \
	}                                                                      \
	static ENTRY NAME##_pop(struct NAME *h)                                \
	{                                                                      \
		ENTRY top = h->a[0], e = h->a[--h->len];                       \
		uint32_t i = 0, len = h->len;                                  \
		for (;;) {                                                     \
			uint32_t first = (D) * i + 1, best = first, end;       \
			if (first >= len)                                      \
				break;                                         \
			end = first + (D) < len ? first + (D) : len;           \
			for (uint32_t c = first + 1; c < end; c++)             \
				if (KEY_LESS(h->a[c], h->a[best]))             \
					best = c;                              \
			if (!KEY_LESS(h->a[best], e))                          \
				break;                                         \
			h->a[i] = h->a[best];                                  \
			i = best;                                              \
		}                                                              \
		h->a[i] = e;                                                   \
		return top;                                                    \
	}                                                                      \
	static uint64_t NAME##_hold(struct NAME *h, const int64_t *incr,       \
				    size_t ops)                                \
	{                                                                      \
		uint64_t sum = 0;                                              \
		for (size_t k = 0; k < ops; k++) {                             \
			ENTRY e = NAME##_pop(h);                               \
			sum += (uint64_t)e.at;                                 \
			e.at += incr[k];                                       \
			e.seq = h->seq++;                                      \
			NAME##_push(h, e);                                     \
		}                                                              \
		return sum;                                                    \
	}                                                                      \
	static NOINLINE uint64_t NAME##_timed(struct NAME *h,                  \
					      const int64_t *incr, size_t ops) \
	{                                                                      \
		return NAME##_hold(h, incr, ops);                              \
	}                                                                      \
	static double run_##NAME(const struct hold_input *in, uint64_t *sum)   \
	{                                                                      \
		struct NAME h = { xmalloc(in->n * sizeof(ENTRY)), 0, 0 };      \
		double t0, t1;                                                 \
		for (size_t i = 0; i < in->n; i++) {                           \
			ENTRY e;                                               \
			memset(&e, 0, sizeof(e));                              \
			e.at = in->incr[i];                                    \
			e.seq = h.seq++;                                       \
			NAME##_push(&h, e);                                    \
		}                                                              \
		NAME##_hold(&h, in->incr + in->n, in->warm);                   \
		t0 = now_ns();                                                 \
		*sum = NAME##_timed(&h, in->incr + in->n + in->warm, in->ops); \
		t1 = now_ns();                                                 \
		free(h.a);                                                     \
		return (t1 - t0) / (double)in->ops;                            \
	}

HEAP_DEFINE(h2, struct key, 2)
HEAP_DEFINE(h4, struct key, 4)
HEAP_DEFINE(h8, struct key, 8)
HEAP_DEFINE(h2p, struct pkey, 2)
HEAP_DEFINE(h4p, struct pkey, 4)
HEAP_DEFINE(h8p, struct pkey, 8)

/* ---- the table ------------------------------------------------------------ */

typedef double run_fn(const struct hold_input *in, uint64_t *sum);

struct variant {
	const char *id;
	const char *what;
	run_fn *run;
};

enum { V_WEIR = 0, V_H4 = 2 };   /* positions in variants[] of the target's ratio */

static const struct variant variants[] = {
	{ "weir", "weir engine (sim_schedule + sim_run)", run_weir },
	{ "h2", "plain binary heap, 16 B {time,seq}", run_h2 },
	{ "h4", "plain 4-ary heap, 16 B {time,seq} [reference]", run_h4 },
	{ "h8", "plain 8-ary heap, 16 B {time,seq}", run_h8 },
	{ "h2p", "plain binary heap, 24 B {time,seq,ptr}", run_h2p },
	{ "h4p", "plain 4-ary heap, 24 B {time,seq,ptr}", run_h4p },
	{ "h8p", "plain 8-ary heap, 24 B {time,seq,ptr}", run_h8p },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

struct options {
	size_t sizes[SIZES_MAX];
	size_t nsizes;
	size_t ops;               /* 0 = OPS_SMALL / OPS_BIG by size */
	int reps;
	bool use[NVARIANTS];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[REPS_MAX];

	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double minimum(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

/* Runs every chosen variant reps times, interleaved; aborts on a checksum mismatch. */
static void measure(const struct options *o, const struct hold_input *in,
		    double ns[NVARIANTS][REPS_MAX])
{
	uint64_t want = 0, sum;
	bool have = false;

	for (int r = 0; r < o->reps; r++) {
		for (size_t v = 0; v < NVARIANTS; v++) {
			if (!o->use[v])
				continue;
			ns[v][r] = variants[v].run(in, &sum);
			if (have && sum != want) {
				fprintf(stderr, "bench_evq: %s popped a different sequence at N=%zu\n",
					variants[v].id, in->n);
				exit(1);
			}
			want = sum;
			have = true;
		}
	}
}

/* Median over rounds of the ratio ns[v] / ns[ref] taken within each round. */
static double paired_ratio(const struct options *o, double ns[NVARIANTS][REPS_MAX],
			   size_t v, size_t ref)
{
	double ratio[REPS_MAX];

	for (int r = 0; r < o->reps; r++)
		ratio[r] = ns[v][r] / ns[ref][r];
	return median(ratio, o->reps);
}

static void report_size(const struct options *o, const struct hold_input *in,
			double ns[NVARIANTS][REPS_MAX])
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		if (!o->use[v])
			continue;
		printf("%-9zu %-4s %-46s %9.1f %9.1f", in->n, variants[v].id, variants[v].what,
		       median(ns[v], o->reps), minimum(ns[v], o->reps));
		if (o->use[V_H4])
			printf(" %8.2fx %8.2fx", minimum(ns[v], o->reps) / minimum(ns[V_H4], o->reps),
			       paired_ratio(o, ns, v, V_H4));
		printf("\n");
	}
	if (o->use[V_WEIR] && o->use[V_H4])
		printf("ratio N=%zu best %.3f median %.3f (weir/h4; target <= %.2f)\n", in->n,
		       minimum(ns[V_WEIR], o->reps) / minimum(ns[V_H4], o->reps),
		       paired_ratio(o, ns, V_WEIR, V_H4), TARGET_RATIO);
}

/* ---- options ------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: bench_evq [-n N[,N...]] [-m OPS] [-r REPS] [-v VARIANT[,VARIANT...]]\n"
		"variants: weir h2 h4 h8 h2p h4p h8p (default all)\n");
	exit(2);
}

static void parse_sizes(struct options *o, char *arg)
{
	o->nsizes = 0;
	for (char *t = strtok(arg, ","); t; t = strtok(NULL, ",")) {
		double n = strtod(t, NULL);

		if (o->nsizes == SIZES_MAX || !(n >= 1 && n <= 1e8))
			usage();
		o->sizes[o->nsizes++] = (size_t)n;
	}
}

static void parse_variants(struct options *o, char *arg)
{
	memset(o->use, 0, sizeof(o->use));
	for (char *t = strtok(arg, ","); t; t = strtok(NULL, ",")) {
		size_t v = 0;

		while (v < NVARIANTS && strcmp(variants[v].id, t) != 0)
			v++;
		if (v == NVARIANTS)
			usage();
		o->use[v] = true;
	}
}

static void parse_options(struct options *o, int argc, char **argv)
{
	int c;

	*o = (struct options){ .sizes = { 1000, 100000, 1000000 }, .nsizes = 3,
			       .reps = REPS_DEFAULT };
	for (size_t v = 0; v < NVARIANTS; v++)
		o->use[v] = true;
	while ((c = getopt(argc, argv, "n:m:r:v:")) != -1) {
		switch (c) {
		case 'n': parse_sizes(o, optarg); break;
		case 'm': o->ops = (size_t)strtod(optarg, NULL); break;
		case 'r': o->reps = atoi(optarg); break;
		case 'v': parse_variants(o, optarg); break;
		default: usage();
		}
	}
	if (o->reps < 1 || o->reps > REPS_MAX || (optind < argc))
		usage();
}

int main(int argc, char **argv)
{
	static double ns[NVARIANTS][REPS_MAX];
	struct options o;

	parse_options(&o, argc, argv);
	printf("# hold model: exponential increments, mean %.0f us; %d interleaved rounds\n",
	       HOLD_MEAN_US, o.reps);
	printf("# ns/op = one pop + one push; best = min / min of h4, paired = median over\n"
	       "# rounds of (variant / h4) within a round\n");
	printf("%-9s %-4s %-46s %9s %9s %9s %9s\n", "N", "id", "variant", "median_ns", "min_ns",
	       "best/h4", "paired/h4");
	for (size_t i = 0; i < o.nsizes; i++) {
		struct hold_input in;
		size_t ops = o.ops ? o.ops : o.sizes[i] <= OPS_BIG_FROM ? OPS_SMALL : OPS_BIG;

		input_make(&in, o.sizes[i], ops);
		measure(&o, &in, ns);
		report_size(&o, &in, ns);
		free(in.incr);
		fflush(stdout);
	}
	return 0;
}

/*
 * plain_mmc.c - a plain hand-written M/M/c simulator, the reference that
 * weir's full stack (tests/bench/mmc.yaml) is timed against.
 *
 * What a careful programmer would write for this one model and nothing else:
 * a binary heap of {time, seq, kind} events, GSL exponential draws from the
 * same generator type weir uses (MT19937, one stream for arrivals and one for
 * service), a FIFO ring of waiting customers' arrival times and a count of
 * busy servers. It prints the mean wait in the queue, which must agree with
 * weir's WaitTime.mean (summary.csv) and with the Erlang C formula.
 *
 * Usage: plain_mmc [CUSTOMERS]   (default 1e6)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define ARRIVAL_RATE 900.0          /* lambda, customers per second */
#define SERVICE_RATE 100.0          /* mu per server, per second (mean 10 ms) */
#define SERVERS 10                  /* c */
#define CUSTOMERS_DEFAULT 1000000
#define SEED_ARRIVALS 1UL
#define SEED_SERVICE 2UL
#define HEAP_CAP (SERVERS + 2)      /* pending: one arrival and up to c departures */
#define RING_CAP0 1024              /* first size of the waiting line; doubles, a power of 2 */

enum kind { ARRIVAL, DEPARTURE };

struct event {
	double at;                  /* seconds */
	uint64_t seq;
	enum kind kind;
};

struct mmc {
	struct event heap[HEAP_CAP];
	unsigned len;
	uint64_t seq;
	double now;
	double *ring;               /* arrival times of waiting customers */
	size_t cap, head, count;    /* cap is a power of 2, so indices wrap with a mask */
	unsigned busy;
	long arrivals, limit;
	double wait_sum;            /* sum of the waits in the queue, seconds */
	long served;                /* customers who started service */
	gsl_rng *r_arr, *r_svc;
};

/* ---- the event heap ------------------------------------------------------ */

static int ev_less(const struct event *a, const struct event *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void push(struct mmc *m, double at, enum kind kind)
{
	struct event e = { at, m->seq++, kind };
	unsigned i = m->len++;

	while (i > 0 && ev_less(&e, &m->heap[(i - 1) / 2])) {
		m->heap[i] = m->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	m->heap[i] = e;
}

static struct event pop(struct mmc *m)
{
	struct event top = m->heap[0], e = m->heap[--m->len];
	unsigned i = 0;

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= m->len)
			break;
		if (c + 1 < m->len && ev_less(&m->heap[c + 1], &m->heap[c]))
			c++;
		if (!ev_less(&m->heap[c], &e))
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	m->heap[i] = e;
	return top;
}

/* ---- the waiting line ---------------------------------------------------- */

static void ring_put(struct mmc *m, double t)
{
	if (m->count == m->cap) {
		double *bigger = malloc(2 * m->cap * sizeof(*bigger));

		if (!bigger) {
			fprintf(stderr, "plain_mmc: out of memory\n");
			exit(1);
		}
		for (size_t i = 0; i < m->count; i++)
			bigger[i] = m->ring[(m->head + i) & (m->cap - 1)];
		free(m->ring);
		m->ring = bigger;
		m->head = 0;
		m->cap *= 2;
	}
	m->ring[(m->head + m->count++) & (m->cap - 1)] = t;
}

static double ring_take(struct mmc *m)
{
	double t = m->ring[m->head];

	m->head = (m->head + 1) & (m->cap - 1);
	m->count--;
	return t;
}

/* ---- the model ------------------------------------------------------------- */

static void start_service(struct mmc *m, double arrived)
{
	m->wait_sum += m->now - arrived;
	m->served++;
	push(m, m->now + gsl_ran_exponential(m->r_svc, 1.0 / SERVICE_RATE), DEPARTURE);
}

static void on_arrival(struct mmc *m)
{
	if (m->busy < SERVERS) {
		m->busy++;
		start_service(m, m->now);
	} else {
		ring_put(m, m->now);
	}
	if (++m->arrivals < m->limit)
		push(m, m->now + gsl_ran_exponential(m->r_arr, 1.0 / ARRIVAL_RATE), ARRIVAL);
}

static void on_departure(struct mmc *m)
{
	if (m->count > 0)
		start_service(m, ring_take(m));
	else
		m->busy--;
}

static void simulate(struct mmc *m)
{
	push(m, gsl_ran_exponential(m->r_arr, 1.0 / ARRIVAL_RATE), ARRIVAL);
	while (m->len > 0) {
		struct event e = pop(m);

		m->now = e.at;
		if (e.kind == ARRIVAL)
			on_arrival(m);
		else
			on_departure(m);
	}
}

/* Mean wait in the queue of M/M/c by the Erlang C formula, seconds. */
static double erlang_c_wait(double lambda, double mu, int c)
{
	double a = lambda / mu, rho = a / c, term = 1, sum = 0, tail;

	for (int k = 0; k < c; k++) {
		sum += term;            /* a^k / k! */
		term *= a / (k + 1);
	}
	tail = term / (1 - rho);    /* a^c / c! / (1 - rho) */
	return tail / (sum + tail) / (c * mu - lambda);
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	static struct mmc m;
	double t0, wall;

	m.limit = argc > 1 ? (long)strtod(argv[1], NULL) : CUSTOMERS_DEFAULT;
	if (m.limit < 1) {
		fprintf(stderr, "usage: plain_mmc [CUSTOMERS]\n");
		return 2;
	}
	m.r_arr = gsl_rng_alloc(gsl_rng_mt19937);
	m.r_svc = gsl_rng_alloc(gsl_rng_mt19937);
	m.cap = RING_CAP0;
	m.ring = malloc(m.cap * sizeof(*m.ring));
	if (!m.r_arr || !m.r_svc || !m.ring)
		return 1;
	gsl_rng_set(m.r_arr, SEED_ARRIVALS);
	gsl_rng_set(m.r_svc, SEED_SERVICE);
	t0 = wall_now();
	simulate(&m);
	wall = wall_now() - t0;
	printf("customers %ld\n", m.served);
	printf("loop_wall_s %.6f\n", wall);
	printf("loop_customers_per_s %.0f\n", (double)m.served / wall);
	printf("mean_wait_s %.6f\n", m.wait_sum / (double)m.served);
	printf("erlang_c_wait_s %.6f\n", erlang_c_wait(ARRIVAL_RATE, SERVICE_RATE, SERVERS));
	free(m.ring);
	gsl_rng_free(m.r_arr);
	gsl_rng_free(m.r_svc);
	return 0;
}

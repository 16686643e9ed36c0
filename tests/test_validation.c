/*
 * test_validation.c - the model against queueing theory.
 *
 * A Poisson producer into a queue served by c long-polling workers with
 * exponential processing, batch size 1 and a visibility timeout that never
 * expires is an M/M/c queue. Over R independent replications (seeds 1..R,
 * a warm-up left out of each) the 95% Student-t confidence interval of each
 * estimate must contain the analytic value: the Erlang C mean wait, the
 * utilisation, and Little's law for the queue and for the whole system.
 * With fixed seeds the outcome is reproducible; a model error of more than
 * the interval's half-width (reported on failure) makes it fail.
 *
 * A Poisson producer invoking a function synchronously, without retries,
 * with reserved concurrency c, exponential durations and no cold start is
 * an M/M/c/c loss system: the fraction of requests throttled is Erlang B.
 */
#include "harness.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#define REPLICATIONS 20

/* Erlang B: the probability that an arrival finds all c servers busy (and is lost). */
static double erlang_b(int c, double a)
{
	double b = 1;

	for (int k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	return b;
}

/* Erlang C: the probability that an arrival waits in an M/M/c queue. */
static double erlang_c(int c, double a)
{
	double term = 1, sum = 1, top;

	for (int k = 1; k < c; k++) {
		term *= a / k;
		sum += term;
	}
	top = term * a / c * c / (c - a);
	return top / (sum + top);
}

struct ci {
	double mean, half;
};

static struct ci interval(const double *x, int n)
{
	double m = 0, v = 0;
	struct ci r;

	for (int i = 0; i < n; i++)
		m += x[i];
	m /= n;
	for (int i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	v /= n - 1;
	r.mean = m;
	r.half = gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(v / n);
	return r;
}

static const char mmc_template[] =
	"duration: %gs\n"
	"warmup: %gs\n"
	"queues:\n"
	"  q: { visibility_timeout: 12h, receive_wait: 20s }\n"
	"producers:\n"
	"  p: { target: q, arrivals: poisson(rate=%g/s) }\n"
	"consumers:\n"
	"  c: { source: q, workers: %d, batch_size: 1, processing: \"exponential(mean=%gs)\" }\n";

struct mmc {
	double lambda, mu;
	int c;
	double duration, warmup;   /* seconds */
	double wait[REPLICATIONS], busy[REPLICATIONS], little_q[REPLICATIONS], little_sys[REPLICATIONS];
	double sojourn[REPLICATIONS];
};

static int run_mmc(struct mmc *m)
{
	char text[1024];

	snprintf(text, sizeof(text), mmc_template, m->duration, m->warmup, m->lambda, m->c, 1 / m->mu);
	for (int r = 0; r < REPLICATIONS; r++) {
		struct summary s = { 0 };
		double lam_hat;

		if (run_scenario_text(text, (uint64_t)r + 1, &s) != 0)
			return -1;
		m->wait[r] = summary_get(&s, "q", "WaitTime.mean");
		m->sojourn[r] = summary_get(&s, "q", "EndToEndLatency.mean");
		m->busy[r] = summary_get(&s, "c", "BusyWorkers.mean");
		/* Little's law on each sample path: L = lambda_hat * W. */
		lam_hat = summary_get(&s, "q", "NumberOfMessagesDeleted") / (m->duration - m->warmup);
		m->little_q[r] = summary_get(&s, "q", "ApproximateNumberOfMessagesVisible.mean") -
				 lam_hat * m->wait[r];
		m->little_sys[r] = summary_get(&s, "q", "ApproximateNumberOfMessagesVisible.mean") +
				   summary_get(&s, "q", "ApproximateNumberOfMessagesNotVisible.mean") -
				   lam_hat * m->sojourn[r];
		summary_release(&s);
	}
	return 0;
}

#define CHECK_IN_CI(x, n, expect, what)                                                       \
	do {                                                                                  \
		struct ci c_ = interval((x), (n));                                            \
		if (getenv("WEIR_TEST_VERBOSE"))                                              \
			fprintf(stderr, "  %s: analytic %.5g, estimate %.5g +- %.3g\n",     \
				(what), (double)(expect), c_.mean, c_.half);                  \
		CHECK_MSG(fabs(c_.mean - (expect)) <= c_.half,                                \
			  "%s: analytic %.5g outside the 95%% interval %.5g +- %.5g", (what),  \
			  (double)(expect), c_.mean, c_.half);                                 \
	} while (0)

/* M/M/10 at 80% load: Erlang C mean wait, utilisation, Little's law. */
void test_validation_mmc_erlang_c(void)
{
	static struct mmc m = { .lambda = 8, .mu = 1, .c = 10, .duration = 5500, .warmup = 500 };
	double a = m.lambda / m.mu, wq = erlang_c(m.c, a) / (m.c * m.mu - m.lambda);

	CHECK(run_mmc(&m) == 0);
	CHECK_IN_CI(m.wait, REPLICATIONS, wq, "mean wait in queue (Erlang C)");
	CHECK_IN_CI(m.sojourn, REPLICATIONS, wq + 1 / m.mu, "mean time in system");
	CHECK_IN_CI(m.busy, REPLICATIONS, a, "mean busy workers (lambda/mu)");
	CHECK_IN_CI(m.little_q, REPLICATIONS, 0.0, "Little's law for the queue (Lq - lambda Wq)");
	CHECK_IN_CI(m.little_sys, REPLICATIONS, 0.0, "Little's law for the system (L - lambda W)");
}

/* M/M/1 at 50% load: mean time in system 1/(mu - lambda). */
void test_validation_mm1_sojourn(void)
{
	static struct mmc m = { .lambda = 5, .mu = 10, .c = 1, .duration = 2100, .warmup = 100 };

	CHECK(run_mmc(&m) == 0);
	CHECK_IN_CI(m.sojourn, REPLICATIONS, 1 / (m.mu - m.lambda), "M/M/1 mean time in system");
	CHECK_IN_CI(m.wait, REPLICATIONS, m.lambda / (m.mu * (m.mu - m.lambda)), "M/M/1 mean wait");
}

/* c = 100 at an offered load of 90: the throttle rate is B(100, 90), about 2.7%. */
void test_validation_lambda_erlang_b(void)
{
	static const char tmpl[] =
		"duration: 4100s\n"
		"warmup: 100s\n"
		"producers:\n"
		"  p: { target: f, arrivals: poisson(rate=%g/s), retry: { mode: none } }\n"
		"functions:\n"
		"  f: { reserved_concurrency: %d, duration: \"exponential(mean=%gs)\", timeout: 900s,\n"
		"      cold_start: 0s }\n";
	const double lambda = 90, mean = 1;
	const int c = 100;
	double rate[REPLICATIONS], busy[REPLICATIONS];
	char text[512];

	snprintf(text, sizeof(text), tmpl, lambda, c, mean);
	for (int r = 0; r < REPLICATIONS; r++) {
		struct summary s = { 0 };

		CHECK(run_scenario_text(text, (uint64_t)r + 1, &s) == 0);
		rate[r] = summary_get(&s, "f", "ThrottleRate");
		busy[r] = summary_get(&s, "f", "ConcurrentExecutions.mean");
		summary_release(&s);
	}
	CHECK_IN_CI(rate, REPLICATIONS, erlang_b(c, lambda * mean), "throttle rate (Erlang B)");
	/* Carried load: a (1 - B) invocations running on average. */
	CHECK_IN_CI(busy, REPLICATIONS, lambda * mean * (1 - erlang_b(c, lambda * mean)),
		    "mean concurrency (a (1 - B))");
}

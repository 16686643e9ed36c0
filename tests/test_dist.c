/*
 * test_dist.c - distributions: the parser (good inputs and every error with
 * its message and location), sampling against the analytic moments,
 * lognormal quantiles, empirical CSV files, constants, copies, bounds.
 *
 * Statistical checks draw N = 200,000 samples from a fixed-seed MT19937 and
 * accept a sample mean within 5 standard errors of dist_mean (standard
 * error = sqrt(variance / N)); with a fixed seed they are deterministic, and
 * a correct sampler fails such a bound with probability about 6e-7.
 */
#include "harness.h"
#include "weir/dist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_SAMPLES 200000
#define SE_BOUND 5.0          /* standard errors allowed between sample and analytic mean */
#define TEST_SEED 20240501UL
#define REL_TOL 1e-12         /* parameters computed from closed forms */

static gsl_rng *test_rng(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, TEST_SEED);
	return r;
}

static bool near(double a, double b)
{
	return fabs(a - b) <= REL_TOL * fmax(1, fmax(fabs(a), fabs(b)));
}

struct good_case {
	enum unit_kind unit;
	const char *text;
	enum dist_kind kind;
	double a, b;
};

#define LN_1E6 13.815510557964274   /* ln(10^6): seconds to microseconds under a log */
#define Z99 2.3263478740408408      /* the standard normal's 99th percentile */

static const struct good_case good[] = {
	{ UNIT_DURATION, "250ms", DIST_CONSTANT, 250000, 0 },
	{ UNIT_DURATION, " 250ms ", DIST_CONSTANT, 250000, 0 },
	{ UNIT_DURATION, "constant(250ms)", DIST_CONSTANT, 250000, 0 },
	{ UNIT_DURATION, "constant(value=250ms)", DIST_CONSTANT, 250000, 0 },
	{ UNIT_DURATION, "exponential(mean=2s)", DIST_EXPONENTIAL, 2e6, 0 },
	{ UNIT_DURATION, "exponential(rate=0.5/s)", DIST_EXPONENTIAL, 2e6, 0 },
	{ UNIT_DURATION, "exponential(rate=12k/min)", DIST_EXPONENTIAL, 5000, 0 },
	{ UNIT_DURATION, "uniform(min=10ms, max=30ms)", DIST_UNIFORM, 10000, 30000 },
	{ UNIT_DURATION, "  uniform ( min = 10ms ,max=30ms )  ", DIST_UNIFORM, 10000, 30000 },
	{ UNIT_DURATION, "normal(mean=400ms, sd=100ms)", DIST_NORMAL, 400000, 100000 },
	{ UNIT_DURATION, "normal(mean=400ms, sd=0)", DIST_NORMAL, 400000, 0 },
	{ UNIT_DURATION, "lognormal(median=800ms, p99=4s)", DIST_LOGNORMAL,
	  13.592367006650065 /* ln 8e5 */, 1.6094379124341003 / Z99 /* ln 5 / z */ },
	{ UNIT_DURATION, "lognormal(mean=1s, sd=2s)", DIST_LOGNORMAL,
	  LN_1E6 - 1.6094379124341003 / 2, 1.2686362411795196 /* sqrt(ln 5) */ },
	{ UNIT_DURATION, "lognormal(mu=-0.22, sigma=0.69)", DIST_LOGNORMAL, LN_1E6 - 0.22, 0.69 },
	{ UNIT_DURATION, "gamma(shape=2, scale=100ms)", DIST_GAMMA, 2, 100000 },
	{ UNIT_DURATION, "gamma(shape=2, mean=200ms)", DIST_GAMMA, 2, 100000 },
	{ UNIT_DURATION, "weibull(shape=1.5, scale=1s)", DIST_WEIBULL, 1e6, 1.5 },
	{ UNIT_DURATION, "pareto(shape=2.5, scale=100ms)", DIST_PARETO, 2.5, 100000 },
	{ UNIT_NONE, "-2.5", DIST_CONSTANT, -2.5, 0 },
	{ UNIT_NONE, "normal(mean=-3, sd=1)", DIST_NORMAL, -3, 1 },
	{ UNIT_NONE, "uniform(min=-1, max=1)", DIST_UNIFORM, -1, 1 },
	{ UNIT_NONE, "lognormal(mu=1, sigma=0.5)", DIST_LOGNORMAL, 1, 0.5 },
	{ UNIT_SIZE, "uniform(min=1KB, max=2KiB)", DIST_UNIFORM, 1000, 2048 },
	{ UNIT_SIZE, "lognormal(mu=7, sigma=1)", DIST_LOGNORMAL, 7, 1 },
	{ UNIT_RATE, "exponential(mean=200/s)", DIST_EXPONENTIAL, 200, 0 },
};

void test_dist_parse_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *t = &good[i];
		struct parse_err err = { 0 };
		struct dist d;

		CHECK_MSG(dist_parse(t->text, t->unit, NULL, &d, &err) == 0, "'%s': %s", t->text, err.msg);
		CHECK_MSG(d.kind == t->kind, "'%s': kind %s", t->text, dist_kind_name(d.kind));
		CHECK_MSG(d.unit == t->unit, "'%s': unit %d", t->text, (int)d.unit);
		CHECK_MSG(near(d.a, t->a), "'%s': a = %.17g, want %.17g", t->text, d.a, t->a);
		CHECK_MSG(near(d.b, t->b), "'%s': b = %.17g, want %.17g", t->text, d.b, t->b);
		CHECK_EQ_STR(d.text, t->text);
		dist_release(&d);
		CHECK(d.text == NULL && d.kind == DIST_NONE);
	}
}

struct bad_case {
	enum unit_kind unit;
	const char *text;
	const char *msg;
	size_t offset, len;
};

#define ALL_NAMES "constant, exponential, uniform, normal, lognormal, gamma, weibull, pareto or empirical"
#define LOGNORMAL_USAGE \
	"lognormal(median=..., p99=...), lognormal(mean=..., sd=...) or lognormal(mu=..., sigma=...)"

static const struct bad_case bad[] = {
	{ UNIT_DURATION, "exponental(mean=2s)",
	  "unknown distribution 'exponental' (did you mean 'exponential'? use " ALL_NAMES ")", 0, 10 },
	{ UNIT_DURATION, "foo(x=1)", "unknown distribution 'foo' (use " ALL_NAMES ")", 0, 3 },
	{ UNIT_DURATION, "lognormall", "unknown distribution 'lognormall' (did you mean 'lognormal'? use " ALL_NAMES ")", 0, 10 },
	{ UNIT_DURATION, "exponential",
	  "missing parameters after 'exponential' (write exponential(mean=...) or exponential(rate=...))", 0, 11 },
	{ UNIT_DURATION, "exponential(men=2s)",
	  "unknown parameter 'men' for exponential (did you mean 'mean'? the parameters of exponential are mean and rate)", 12, 3 },
	{ UNIT_DURATION, "exponential(size=2s)",
	  "unknown parameter 'size' for exponential (the parameters of exponential are mean and rate)", 12, 4 },
	{ UNIT_DURATION, "exponential(2s)",
	  "missing name before '2s' (write key=value; the parameters of exponential are mean and rate)", 12, 2 },
	{ UNIT_DURATION, "exponential()",
	  "missing parameter 'mean' or 'rate' (write exponential(mean=...) or exponential(rate=...))", 0, 11 },
	{ UNIT_DURATION, "exponential(mean=2s, rate=1/s)",
	  "'mean' and 'rate' cannot be given together (write exponential(mean=...) or exponential(rate=...))", 21, 4 },
	{ UNIT_DURATION, "exponential(mean=0s)", "mean must be greater than 0 (got 0s)", 17, 2 },
	{ UNIT_DURATION, "exponential(rate=0/s)", "rate must be greater than 0 (got 0/s)", 17, 3 },
	{ UNIT_DURATION, "exponential(mean=2)",
	  "missing unit in '2' (durations need a unit: us, ms, s, m, h, d; e.g. 2s)", 17, 1 },
	{ UNIT_DURATION, "exponential(mean=2sec)", "unknown duration unit 'sec' (use us, ms, s, m, h, d)", 18, 3 },
	{ UNIT_SIZE, "exponential(rate=2/s)", "rate= is only for durations (use mean=)", 12, 4 },
	{ UNIT_DURATION, "exponential(mean=2s", "unbalanced parentheses: '(' is never closed", 11, 1 },
	{ UNIT_DURATION, "exponential(mean=2s))", "unbalanced parentheses: ')' has no matching '('", 20, 1 },
	{ UNIT_DURATION, "exponential(mean=2s) x", "unexpected 'x' after the distribution", 21, 1 },
	{ UNIT_DURATION, "normal(mean=(1s), sd=1s)", "unexpected '(' in the parameters of normal", 12, 1 },
	{ UNIT_DURATION, "uniform(min=10ms)", "missing parameter 'max' (write uniform(min=..., max=...))", 0, 7 },
	{ UNIT_DURATION, "uniform(min=10ms, min=20ms)", "parameter 'min' is given twice", 18, 3 },
	{ UNIT_DURATION, "uniform(min=30ms, max=10ms)", "max must be greater than min (got min=30ms, max=10ms)", 22, 4 },
	{ UNIT_DURATION, "uniform(min=1s,,max=2s)", "empty parameter before ','", 15, 1 },
	{ UNIT_DURATION, "uniform(min=1s,)", "empty parameter before ')'", 15, 1 },
	{ UNIT_DURATION, "uniform(min=, max=2s)", "missing value after 'min='", 11, 1 },
	{ UNIT_DURATION, "uniform(=1s, max=2s)", "missing parameter name before '='", 8, 1 },
	{ UNIT_DURATION, "uniform(m in=1s, max=2s)", "'m in' is not a parameter name", 8, 4 },
	{ UNIT_DURATION, "normal(mean=400ms sd=100ms)", "missing ',' before 'sd'", 18, 2 },
	{ UNIT_DURATION, "normal(mean=1s, sd=1s, a=1)",
	  "unknown parameter 'a' for normal (the parameters of normal are mean and sd)", 23, 1 },
	{ UNIT_NONE, "normal(mean=1, sd=-1)", "sd must be at least 0 (got -1)", 18, 2 },
	{ UNIT_DURATION, "normal(mean=-1s, sd=1s)", "negative durations are not allowed", 12, 1 },
	{ UNIT_DURATION, "lognormal(median=4s, p99=800ms)",
	  "p99 must be greater than median (got median=4s, p99=800ms)", 25, 5 },
	{ UNIT_DURATION, "lognormal(median=0s, p99=1s)", "median must be greater than 0 (got 0s)", 17, 2 },
	{ UNIT_DURATION, "lognormal(median=1s, sd=2s)",
	  "'sd' cannot be combined with 'median' (write " LOGNORMAL_USAGE ")", 21, 2 },
	{ UNIT_DURATION, "lognormal(median=1s)", "missing parameter 'p99' (write " LOGNORMAL_USAGE ")", 0, 9 },
	{ UNIT_DURATION, "lognormal()", "missing parameters (write " LOGNORMAL_USAGE ")", 0, 9 },
	{ UNIT_DURATION, "lognormal(mu=x, sigma=1)", "expected a number at 'x' (e.g. 0.25)", 13, 1 },
	{ UNIT_DURATION, "lognormal(mu=1, sigma=-1)", "sigma must be at least 0 (got -1)", 22, 2 },
	{ UNIT_DURATION, "gamma(shape=0, scale=1s)", "shape must be greater than 0 (got 0)", 12, 1 },
	{ UNIT_DURATION, "gamma(shape=-2, scale=1s)", "shape must be greater than 0 (got -2)", 12, 2 },
	{ UNIT_DURATION, "gamma(shape=2)",
	  "missing parameter 'scale' or 'mean' (write gamma(shape=..., scale=...) or gamma(shape=..., mean=...))", 0, 5 },
	{ UNIT_DURATION, "weibull(shape=1.5)", "missing parameter 'scale' (write weibull(shape=..., scale=...))", 0, 7 },
	{ UNIT_DURATION, "pareto(shape=2, scale=0ms)", "scale must be greater than 0 (got 0ms)", 22, 3 },
	{ UNIT_DURATION, "constant(1s, value=2s)", "parameter 'value' is given twice", 13, 5 },
	{ UNIT_DURATION, "empirical(unit=ms)",
	  "missing parameter 'file' (write empirical(file=PATH[, column=NAME|NUMBER][, unit=UNIT]))", 0, 9 },
	{ UNIT_DURATION, "", "empty distribution (write a value or e.g. exponential(mean=...))", 0, 0 },
	{ UNIT_DURATION, "fast", "expected a duration at 'fast' (e.g. 30s)", 0, 4 },
	{ UNIT_DURATION, "30", "missing unit in '30' (durations need a unit: us, ms, s, m, h, d; e.g. 30s)", 0, 2 },
	{ UNIT_DURATION, " -5ms", "negative durations are not allowed", 1, 1 },
};

/* True when err is exactly the expected error; reports the difference otherwise. */
static bool err_is(const char *text, const struct parse_err *err, const char *msg,
		   size_t offset, size_t len)
{
	if (strcmp(err->msg, msg) == 0 && err->offset == offset && err->len == len)
		return true;
	test__fail(__FILE__, __LINE__, "'%s':\n  got  [%zu+%zu] %s\n  want [%zu+%zu] %s",
		   text, err->offset, err->len, err->msg, offset, len, msg);
	return false;
}

void test_dist_parse_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *t = &bad[i];
		struct parse_err err = { 0 };
		struct dist d;

		CHECK_MSG(dist_parse(t->text, t->unit, NULL, &d, &err) == -1, "'%s' was accepted", t->text);
		CHECK_MSG(d.kind == DIST_NONE && !d.text && !d.values, "'%s' left something to release", t->text);
		if (!err_is(t->text, &err, t->msg, t->offset, t->len))
			return;
	}
}

/* Draws N samples into a new array; checks each lies within [min, max]. */
static double *draw(const struct dist *d, gsl_rng *r)
{
	double *x = malloc(N_SAMPLES * sizeof(double));
	double lo = dist_min(d), hi = dist_max(d);

	for (int i = 0; i < N_SAMPLES; i++) {
		x[i] = dist_sample(d, r);
		if (x[i] < lo || x[i] > hi) {
			test__fail(__FILE__, __LINE__, "'%s' drew %g outside [%g, %g]", d->text, x[i], lo, hi);
			free(x);
			return NULL;
		}
	}
	return x;
}

static double mean_of(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

/* The sample mean of N draws is within SE_BOUND standard errors of dist_mean. */
static bool mean_matches(enum unit_kind unit, const char *text, gsl_rng *r)
{
	struct parse_err err = { 0 };
	struct dist d;
	double *x, m, want, se;

	if (dist_parse(text, unit, NULL, &d, &err) != 0) {
		test__fail(__FILE__, __LINE__, "'%s': %s", text, err.msg);
		return false;
	}
	want = dist_mean(&d);
	se = sqrt(dist_variance(&d) / N_SAMPLES);
	x = draw(&d, r);
	dist_release(&d);
	if (!x)
		return false;
	m = mean_of(x, N_SAMPLES);
	free(x);
	if (fabs(m - want) <= SE_BOUND * se)
		return true;
	test__fail(__FILE__, __LINE__, "'%s': sample mean %.6g, analytic %.6g, %.1f standard errors apart",
		   text, m, want, fabs(m - want) / se);
	return false;
}

void test_dist_sample_means(void)
{
	static const struct { enum unit_kind unit; const char *text; } cases[] = {
		{ UNIT_DURATION, "exponential(mean=2s)" },
		{ UNIT_DURATION, "exponential(rate=200/s)" },
		{ UNIT_DURATION, "uniform(min=10ms, max=30ms)" },
		{ UNIT_DURATION, "normal(mean=400ms, sd=100ms)" },
		{ UNIT_DURATION, "normal(mean=50ms, sd=100ms)" },   /* truncated at 0 */
		{ UNIT_DURATION, "normal(mean=0s, sd=1s)" },        /* half-normal */
		{ UNIT_NONE, "normal(mean=-3, sd=2)" },              /* not truncated */
		{ UNIT_DURATION, "lognormal(median=800ms, p99=4s)" },
		{ UNIT_DURATION, "lognormal(mean=1s, sd=500ms)" },
		{ UNIT_DURATION, "lognormal(mu=-0.22, sigma=0.69)" },
		{ UNIT_SIZE, "lognormal(mu=7, sigma=0.5)" },
		{ UNIT_DURATION, "gamma(shape=2, scale=100ms)" },
		{ UNIT_DURATION, "gamma(shape=0.5, mean=1s)" },
		{ UNIT_DURATION, "weibull(shape=1.5, scale=1s)" },
		{ UNIT_DURATION, "weibull(shape=0.8, scale=1s)" },
		{ UNIT_DURATION, "pareto(shape=4.5, scale=100ms)" },
		{ UNIT_SIZE, "uniform(min=1KB, max=1MB)" },
	};
	gsl_rng *r = test_rng();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!mean_matches(cases[i].unit, cases[i].text, r))
			break;
	gsl_rng_free(r);
}

void test_dist_analytic_moments(void)
{
	struct dist d;

	/* Moment-parameterised forms give back their parameters. */
	CHECK(dist_parse("lognormal(mean=1s, sd=2s)", UNIT_DURATION, NULL, &d, NULL) == 0);
	CHECK_NEAR(dist_mean(&d), 1e6, 1e-6);
	CHECK_NEAR(dist_variance(&d), 4e12, 1e-1);
	dist_release(&d);
	CHECK(dist_parse("gamma(shape=2, mean=200ms)", UNIT_DURATION, NULL, &d, NULL) == 0);
	CHECK_NEAR(dist_mean(&d), 200000, 1e-9);
	dist_release(&d);
	/* Truncated at 0: alpha = -0.5, lambda = phi(alpha) / Q(alpha) = 0.509160;
	 * mean = 50ms + 100ms * lambda, var = (100ms)^2 (1 + alpha lambda - lambda^2). */
	CHECK(dist_parse("normal(mean=50ms, sd=100ms)", UNIT_DURATION, NULL, &d, NULL) == 0);
	CHECK_NEAR(dist_mean(&d), 100916.04338370336, 1e-6);
	CHECK_NEAR(dist_variance(&d), 4861754356.96367, 1e-2);
	CHECK_EQ_INT(dist_min(&d), 0);
	dist_release(&d);
	/* Pareto: mean infinite for shape <= 1, variance for shape <= 2. */
	CHECK(dist_parse("pareto(shape=1, scale=1s)", UNIT_DURATION, NULL, &d, NULL) == 0);
	CHECK(isinf(dist_mean(&d)) && isinf(dist_variance(&d)));
	dist_release(&d);
	CHECK(dist_parse("pareto(shape=2, scale=1s)", UNIT_DURATION, NULL, &d, NULL) == 0);
	CHECK_NEAR(dist_mean(&d), 2e6, 1e-6);
	CHECK(isinf(dist_variance(&d)));
	CHECK_NEAR(dist_min(&d), 1e6, 0);
	CHECK(isinf(dist_max(&d)));
	dist_release(&d);
	CHECK(dist_parse("normal(mean=1, sd=1)", UNIT_NONE, NULL, &d, NULL) == 0);
	CHECK(isinf(dist_min(&d)) && dist_min(&d) < 0);
	dist_release(&d);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The sample median and 99th percentile of lognormal(median=800ms, p99=4s).
 * In log space the standard error of a p-quantile is
 * sigma sqrt(p (1 - p) / N) / phi(z_p) with sigma = ln 5 / z99 = 0.692:
 * 0.0019 for the median and 0.0058 for p99; 5 of them allow 1% and 3%.
 */
void test_dist_lognormal_quantiles(void)
{
	gsl_rng *r = test_rng();
	struct dist d;
	double *x;

	CHECK(dist_parse("lognormal(median=800ms, p99=4s)", UNIT_DURATION, NULL, &d, NULL) == 0);
	x = draw(&d, r);
	CHECK(x != NULL);
	qsort(x, N_SAMPLES, sizeof(double), cmp_double);
	CHECK_NEAR(x[N_SAMPLES / 2] / 800000, 1, 0.01);
	CHECK_NEAR(x[(int)(0.99 * N_SAMPLES)] / 4000000, 1, 0.03);
	free(x);
	dist_release(&d);
	gsl_rng_free(r);
}

void test_dist_constant_and_copy(void)
{
	gsl_rng *r = test_rng();
	struct dist d, c;

	dist_constant(&d, UNIT_DURATION, 250000);
	CHECK_EQ_STR(d.text, "250ms");
	CHECK_EQ_INT(d.kind, DIST_CONSTANT);
	for (int i = 0; i < 100; i++)
		CHECK_EQ_INT(dist_sample_time(&d, r), 250000);
	CHECK(dist_mean(&d) == 250000 && dist_variance(&d) == 0);
	CHECK(dist_min(&d) == 250000 && dist_max(&d) == 250000);
	dist_copy(&c, &d);
	CHECK(c.text != d.text);
	CHECK_EQ_STR(c.text, "250ms");
	dist_release(&d);
	CHECK_EQ_INT(dist_sample_time(&c, r), 250000);
	dist_release(&c);
	dist_constant(&d, UNIT_SIZE, 262144);
	CHECK_EQ_STR(d.text, "256KiB");
	dist_release(&d);
	gsl_rng_free(r);
}

void test_dist_sample_time_rounds(void)
{
	gsl_rng *r = test_rng();
	struct dist d;
	long ones = 0;

	dist_constant(&d, UNIT_DURATION, 1.6);
	CHECK_EQ_INT(dist_sample_time(&d, r), 2);
	dist_release(&d);
	dist_constant(&d, UNIT_DURATION, 1.4);
	CHECK_EQ_INT(dist_sample_time(&d, r), 1);
	dist_release(&d);
	/* uniform [1us, 2us): half the draws round to 1, half to 2. */
	CHECK(dist_parse("uniform(min=1us, max=2us)", UNIT_DURATION, NULL, &d, NULL) == 0);
	for (int i = 0; i < 10000; i++) {
		sim_time t = dist_sample_time(&d, r);

		CHECK(t == 1 || t == 2);
		ones += t == 1;
	}
	CHECK(ones > 4500 && ones < 5500);
	dist_release(&d);
	gsl_rng_free(r);
}

static const double latency_us[] = {
	120000, 250000, 80000, 1200000, 95000, 300000, 150000, 2000000, 110000, 175000,
};
#define LATENCY_MEAN_US 448000.0  /* the mean of tests/data/latency.csv */

static bool is_latency(double v)
{
	for (size_t i = 0; i < sizeof(latency_us) / sizeof(latency_us[0]); i++)
		if (v == latency_us[i])
			return true;
	return false;
}

void test_dist_empirical(void)
{
	char dir[512];
	struct parse_err err = { 0 };
	gsl_rng *r = test_rng();
	struct dist d, c;
	double sum = 0, se;

	snprintf(dir, sizeof(dir), "%s/tests/data", test_root());
	CHECK_MSG(dist_parse("empirical(file=latency.csv, column=latency)", UNIT_DURATION, dir, &d, &err) == 0,
		  "%s", err.msg);
	CHECK_EQ_INT(d.kind, DIST_EMPIRICAL);
	CHECK_EQ_INT(d.nvalues, 10);
	CHECK_NEAR(dist_mean(&d), LATENCY_MEAN_US, 1e-6);
	CHECK(dist_min(&d) == 80000 && dist_max(&d) == 2000000);
	for (int i = 0; i < N_SAMPLES; i++) {
		double v = dist_sample(&d, r);

		CHECK_MSG(is_latency(v), "drew %g, not a value of the file", v);
		sum += v;
	}
	se = sqrt(dist_variance(&d) / N_SAMPLES);
	CHECK_NEAR(sum / N_SAMPLES, LATENCY_MEAN_US, SE_BOUND * se);
	dist_copy(&c, &d);
	CHECK(c.values != d.values && c.nvalues == d.nvalues);
	CHECK(memcmp(c.values, d.values, d.nvalues * sizeof(double)) == 0);
	dist_release(&c);
	dist_release(&d);
	gsl_rng_free(r);
}

static void write_file(const char *dir, const char *name, const char *content)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

void test_dist_empirical_options(void)
{
	const char *dir = test_tmpdir();
	char root[512], cwd[512], text[1100];
	struct parse_err err = { 0 };
	struct dist d;

	snprintf(root, sizeof(root), "%s/tests/data", test_root());
	write_file(dir, "ms.csv", "10\n20\n30\n");
	write_file(dir, "mixed.csv", "2\n1.5s\n500\n");
	/* Bare numbers take unit=; a header-less file starts with data. */
	CHECK_MSG(dist_parse("empirical(file=ms.csv, unit=ms)", UNIT_DURATION, dir, &d, &err) == 0, "%s", err.msg);
	CHECK_EQ_INT(d.nvalues, 3);
	CHECK(d.values[0] == 10000 && d.values[2] == 30000);
	dist_release(&d);
	/* Cells with their own unit keep it. */
	CHECK_MSG(dist_parse("empirical(file=mixed.csv, unit=ms)", UNIT_DURATION, dir, &d, &err) == 0, "%s", err.msg);
	CHECK(d.values[0] == 2000 && d.values[1] == 1500000 && d.values[2] == 500000);
	dist_release(&d);
	/* Plain numbers by column number and by header name. */
	CHECK_MSG(dist_parse("empirical(file=latency.csv, column=2)", UNIT_NONE, root, &d, &err) == 0, "%s", err.msg);
	CHECK_EQ_INT(d.nvalues, 10);
	CHECK_NEAR(dist_mean(&d), 2603 / 10.0, 1e-9);
	dist_release(&d);
	CHECK(dist_parse("empirical(file=latency.csv, column=status)", UNIT_NONE, root, &d, &err) == 0);
	CHECK_EQ_INT(d.nvalues, 10);
	dist_release(&d);
	/* An absolute path ignores base_dir. */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(text, sizeof(text), "empirical(file=%s/%s/latency.csv)", root[0] == '/' ? "" : cwd, root);
	CHECK_MSG(dist_parse(text, UNIT_DURATION, "/nonexistent", &d, &err) == 0, "%s", err.msg);
	CHECK_EQ_INT(d.nvalues, 10);
	dist_release(&d);
}

struct csv_error_case {
	enum unit_kind unit;
	const char *text;
	const char *msg;
	size_t offset, len;
};

void test_dist_empirical_errors(void)
{
	static const struct csv_error_case cases[] = {
		{ UNIT_DURATION, "empirical(file=bad.csv)",
		  "bad.csv:7: cannot read '12x' as a duration: unknown duration unit 'x' (use us, ms, s, m, h, d)", 15, 7 },
		{ UNIT_DURATION, "empirical(file=ms.csv)",
		  "ms.csv:2: cannot read '20' as a duration: missing unit in '20' (durations need a unit: "
		  "us, ms, s, m, h, d; e.g. 20s) (or give unit= for bare numbers)", 15, 6 },
		{ UNIT_DURATION, "empirical(file=ms.csv, column=latency, unit=ms)",
		  "ms.csv:1: column=latency needs a header row, but the first row holds values", 15, 6 },
		{ UNIT_DURATION, "empirical(file=bad.csv, column=p50)",
		  "bad.csv:1: no column named 'p50' in the header row", 15, 7 },
		{ UNIT_DURATION, "empirical(file=bad.csv, column=3)", "bad.csv:1: no column 3 (the row has 1)", 15, 7 },
		{ UNIT_DURATION, "empirical(file=bad.csv, column=0)",
		  "column=0 is out of range (columns are numbered from 1)", 31, 1 },
		{ UNIT_DURATION, "empirical(file=short.csv, column=latency)",
		  "short.csv:3: no column 2 in this row (it has 1)", 15, 9 },
		{ UNIT_DURATION, "empirical(file=header.csv)", "header.csv: no values in column 1", 15, 10 },
		{ UNIT_DURATION, "empirical(file=header.csv, column=latency)",
		  "header.csv: no values in column 'latency'", 15, 10 },
		{ UNIT_DURATION, "empirical(file=quote.csv)",
		  "quote.csv:2: malformed CSV (a quoted field is never closed)", 15, 9 },
		{ UNIT_DURATION, "empirical(file=nope.csv)",
		  "cannot open 'nope.csv': No such file or directory", 15, 8 },
		{ UNIT_DURATION, "empirical(file=ms.csv, unit=sec)",
		  "unknown duration unit 'sec' (use us, ms, s, m, h, d)", 28, 3 },
		{ UNIT_DURATION, "empirical(file=ms.csv, unit=5ms)", "'5ms' is not a unit", 28, 3 },
		{ UNIT_NONE, "empirical(file=ms.csv, unit=ms)", "unit= is only for durations, rates and sizes", 23, 4 },
		{ UNIT_DURATION, "empirical(file=ms.csv, colum=1)",
		  "unknown parameter 'colum' for empirical (did you mean 'column'? the parameters of empirical are file, column and unit)", 23, 5 },
	};
	const char *dir = test_tmpdir();

	write_file(dir, "bad.csv", "latency\n10ms\n20ms\n30ms\n40ms\n50ms\n12x\n");
	write_file(dir, "ms.csv", "10\n20\n30\n");
	write_file(dir, "short.csv", "x,latency\n1,10ms\n2\n");
	write_file(dir, "header.csv", "latency\n");
	write_file(dir, "quote.csv", "latency\n\"10ms\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct csv_error_case *t = &cases[i];
		struct parse_err err = { 0 };
		struct dist d;

		CHECK_MSG(dist_parse(t->text, t->unit, dir, &d, &err) == -1, "'%s' was accepted", t->text);
		CHECK(d.kind == DIST_NONE && !d.values && !d.text);
		if (!err_is(t->text, &err, t->msg, t->offset, t->len))
			return;
	}
}

void test_dist_kind_names(void)
{
	CHECK_EQ_STR(dist_kind_name(DIST_CONSTANT), "constant");
	CHECK_EQ_STR(dist_kind_name(DIST_LOGNORMAL), "lognormal");
	CHECK_EQ_STR(dist_kind_name(DIST_EMPIRICAL), "empirical");
}

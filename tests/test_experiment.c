/*
 * test_experiment.c - replications, sweeps and comparisons.
 *
 * The statistics (intervals, paired differences, MSER-5) and the sweep grid
 * are checked as functions; the commands are run as a user runs them and
 * their files read back: byte-identical output whatever -j is, replication 0
 * equal to the single run, the coverage of the intervals against the
 * analytic M/M/1 mean wait, the narrowing common random numbers give a
 * paired comparison, --precision, and the errors of bad experiments.
 */
#include "harness.h"
#include "util.h"
#include "weir/grid.h"
#include "weir/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* ---- statistics -------------------------------------------------------------- */

void test_stats_interval_student_t(void)
{
	const double x[] = { 1, 2, 3, 4, 5 };
	struct stats_ci c = stats_interval_of(x, 5, 0.95);
	const double nan_x[] = { 1, NAN, 3 };

	CHECK(c.n == 5);
	CHECK(fabs(c.mean - 3) < 1e-12);
	CHECK(fabs(c.sd - sqrt(2.5)) < 1e-12);
	/* t(0.975, 4) = 2.776445 (any t table) */
	CHECK_MSG(fabs(c.half - 2.776445 * sqrt(2.5) / sqrt(5.0)) < 1e-5, "half %.8g", c.half);
	c = stats_interval_of(x, 5, 0.90);   /* t(0.95, 4) = 2.131847 */
	CHECK(fabs(c.half - 2.131847 * sqrt(2.5) / sqrt(5.0)) < 1e-5);
	c = stats_interval_of(nan_x, 3, 0.95);   /* NaN values are left out */
	CHECK(c.n == 2 && fabs(c.mean - 2) < 1e-12);
	c = stats_interval_of(x, 1, 0.95);
	CHECK(c.n == 1 && c.mean == 1 && isnan(c.half));
}

void test_stats_paired_cancels_shared_noise(void)
{
	double a[50], b[50];
	struct stats_ci pa, pb, d;
	double welch;

	for (int i = 0; i < 50; i++) {
		double shared = 10 * sin(i * 1.7);   /* large noise both share */

		a[i] = 100 + shared + 0.1 * cos(i * 0.9);
		b[i] = 101 + shared + 0.1 * cos(i * 2.3);
	}
	pa = stats_interval_of(a, 50, 0.95);
	pb = stats_interval_of(b, 50, 0.95);
	d = stats_paired(a, b, 50, 0.95);
	welch = stats_welch_half(&pa, &pb, 0.95);
	CHECK_MSG(fabs(d.mean - 1) < d.half, "difference %g +- %g", d.mean, d.half);
	CHECK_MSG(d.half < welch / 20, "paired %g, unpaired %g", d.half, welch);
	/* Welch with equal sizes and variances is the pooled t interval. */
	pb.sd = pa.sd;
	welch = stats_welch_half(&pa, &pb, 0.95);
	CHECK(fabs(welch - gsl_cdf_tdist_Pinv(0.975, 98) * pa.sd * sqrt(2.0 / 50)) < 1e-9);
}

void test_stats_mser_finds_the_transient(void)
{
	double y[500];
	bool reliable;
	long d;

	/* 60 periods of decaying backlog, then noise around a level. */
	for (int i = 0; i < 500; i++)
		y[i] = 10 + sin(i * 2.1) + (i < 60 ? 400.0 * (60 - i) / 60 : 0);
	d = stats_mser(y, 500, &reliable);
	CHECK_MSG(reliable && d * STATS_MSER_BATCH >= 50 && d * STATS_MSER_BATCH <= 70, "d %ld", d);
	/* A stationary series needs no truncation. */
	for (int i = 0; i < 500; i++)
		y[i] = 10 + sin(i * 2.1);
	d = stats_mser(y, 500, &reliable);
	CHECK_MSG(reliable && d * STATS_MSER_BATCH <= 10, "d %ld", d);
	/* A series still growing has no steady state: the point lands at the end of the search. */
	for (int i = 0; i < 500; i++)
		y[i] = i;
	d = stats_mser(y, 500, &reliable);
	CHECK(!reliable && d == 50);
	CHECK(stats_mser(y, 9, &reliable) == -1);
}

/* ---- the sweep grid ------------------------------------------------------------- */

static int split_is(const char *text, const char *joined)
{
	char **v, err[256], buf[1024] = "";
	bool range;
	long n = grid_split(text, &v, &range, err, sizeof(err));

	if (n < 0) {
		fprintf(stderr, "  grid_split('%s'): %s\n", text, err);
		return 0;
	}
	for (long i = 0; i < n; i++) {
		strncat(buf, i ? "|" : "", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, v[i], sizeof(buf) - strlen(buf) - 1);
	}
	grid_free_values(v, (size_t)n);
	if (strcmp(buf, joined) != 0)
		fprintf(stderr, "  grid_split('%s') = '%s', expected '%s'\n", text, buf, joined);
	return strcmp(buf, joined) == 0;
}

static int split_fails(const char *text, const char *msg)
{
	char **v, err[256];
	bool range;
	long n = grid_split(text, &v, &range, err, sizeof(err));

	if (n >= 0) {
		grid_free_values(v, (size_t)n);
		return 0;
	}
	if (!strstr(err, msg))
		fprintf(stderr, "  grid_split('%s'): '%s' lacks '%s'\n", text, err, msg);
	return strstr(err, msg) != NULL;
}

void test_grid_values_lists_and_ranges(void)
{
	CHECK(split_is("10,20, 50", "10|20|50"));
	CHECK(split_is("10..50 step 10", "10|20|30|40|50"));
	CHECK(split_is("1..4", "1|2|3|4"));
	CHECK(split_is("0.1..0.5 step 0.1", "0.1|0.2|0.3|0.4|0.5"));
	CHECK(split_is("30s..120s step 30s", "30s|60s|90s|120s"));
	CHECK(split_is("1, 5..15 step 5", "1|5|10|15"));
	CHECK(split_is("{rate: 5/s, x: 1},poisson(rate=2/s, y=3)", "{rate: 5/s, x: 1}|poisson(rate=2/s, y=3)"));
	CHECK(split_is("'a,b',c", "'a,b'|c"));
	CHECK(split_is("../data/x.csv", "../data/x.csv"));
	CHECK(split_fails("10,,20", "empty value"));
	CHECK(split_fails("10..1", "FROM <= TO"));
	CHECK(split_fails("1..5 step 0", "positive step"));
	CHECK(split_fails("30s..2m step 30s", "one unit"));
	CHECK(split_fails("1..100000 step 1", "at most"));
}

void test_grid_cartesian_and_zip(void)
{
	struct grid g = { 0 };
	char **a, **b, err[256];
	bool range;
	long na = grid_split("1,2,3", &a, &range, err, sizeof(err));
	long nb = grid_split("x,y", &b, &range, err, sizeof(err));

	grid_add(&g, "p", a, (size_t)na, false);
	grid_add(&g, "q", b, (size_t)nb, false);
	CHECK(grid_size(&g, err, sizeof(err)) == 6);
	/* The first parameter varies slowest. */
	CHECK(strcmp(grid_value(&g, 0, 0), "1") == 0 && strcmp(grid_value(&g, 0, 1), "x") == 0);
	CHECK(strcmp(grid_value(&g, 1, 0), "1") == 0 && strcmp(grid_value(&g, 1, 1), "y") == 0);
	CHECK(strcmp(grid_value(&g, 5, 0), "3") == 0 && strcmp(grid_value(&g, 5, 1), "y") == 0);
	g.zip = true;
	CHECK(grid_size(&g, err, sizeof(err)) == 0 && strstr(err, "one length"));
	grid_release(&g);
	na = grid_split("1,2", &a, &range, err, sizeof(err));
	nb = grid_split("x,y", &b, &range, err, sizeof(err));
	grid_add(&g, "p", a, (size_t)na, false);
	grid_add(&g, "q", b, (size_t)nb, false);
	g.zip = true;
	CHECK(grid_size(&g, err, sizeof(err)) == 2);
	CHECK(strcmp(grid_value(&g, 1, 0), "2") == 0 && strcmp(grid_value(&g, 1, 1), "y") == 0);
	grid_release(&g);
}

/* ---- the commands ------------------------------------------------------------------ */

/* M/M/1 at 50% load: mean wait in queue rho / (mu - lambda) = 0.1 s. */
static const char mm1[] =
	"duration: 420s\n"
	"warmup: 20s\n"
	"queues:\n"
	"  q: { visibility_timeout: 12h, receive_wait: 20s }\n"
	"producers:\n"
	"  p: { target: q, arrivals: poisson(rate=5/s) }\n"
	"consumers:\n"
	"  c: { source: q, workers: 1, batch_size: 1, processing: \"exponential(mean=0.1s)\" }\n";

static char *scenario_file(const char *dir, const char *name, const char *text)
{
	char *path = malloc(512);

	snprintf(path, 512, "%s/%s", dir, name);
	if (write_file(path, text) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* Runs weir with args (NULL-terminated); returns the exit code, stderr in err (may be NULL). */
static int weir(const char *const *args, char **err)
{
	struct proc p;
	int status;

	if (run_weir(&p, args, NULL) != 0)
		return -1;
	status = p.status;
	if (err)
		*err = strdup(p.err);
	else if (status != 0)
		fprintf(stderr, "%s", p.err);
	proc_release(&p);
	return status;
}

/* The value of column col in the rows of a CSV file whose columns match where (k=v;k=v). */
struct table {
	char *text;
	char **cells;        /* rows * cols */
	size_t rows, cols;
};

static int table_read(struct table *t, const char *path)
{
	size_t len, n = 0, cap = 0;

	memset(t, 0, sizeof(*t));
	t->text = read_file(path, &len);
	if (!t->text) {
		fprintf(stderr, "  cannot read %s\n", path);
		return -1;
	}
	for (char *line = strtok(t->text, "\n"); line; line = strtok(NULL, "\n")) {
		size_t cols = 0;

		for (char *f = line;; f++) {
			char *comma = strchr(f, ',');

			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				t->cells = realloc(t->cells, cap * sizeof(char *));
			}
			t->cells[n++] = f;
			cols++;
			if (!comma)
				break;
			*comma = '\0';
			f = comma;
		}
		if (t->cols == 0)
			t->cols = cols;
		else if (cols != t->cols) {
			fprintf(stderr, "  %s: row %zu has %zu fields, not %zu\n", path, t->rows + 1, cols, t->cols);
			return -1;
		}
		t->rows++;
	}
	return 0;
}

static long table_col(const struct table *t, const char *name)
{
	for (size_t c = 0; c < t->cols; c++)
		if (strcmp(t->cells[c], name) == 0)
			return (long)c;
	return -1;
}

static const char *cell(const struct table *t, size_t row, const char *name)
{
	long c = table_col(t, name);

	return c < 0 ? "" : t->cells[row * t->cols + (size_t)c];
}

static void table_free(struct table *t)
{
	free(t->text);
	free(t->cells);
}

static int same_tree_files(const char *a, const char *b, const char *const *files)
{
	int same = 1;

	for (size_t i = 0; files[i]; i++) {
		char pa[600], pb[600];

		snprintf(pa, sizeof(pa), "%s/%s", a, files[i]);
		snprintf(pb, sizeof(pb), "%s/%s", b, files[i]);
		if (!same_file(pa, pb)) {
			fprintf(stderr, "  %s and %s differ\n", pa, pb);
			same = 0;
		}
	}
	return same;
}

static const char *const rep_files[] = { "summary.csv", "replications.csv", "timeseries.csv",
					 "timeseries-ci.csv", "warmup.csv", "run.csv", "resources.csv",
					 "dictionary.csv", "scenario.yaml", NULL };

/* The same sweep with 1 and 2 worker processes gives the same bytes. */
void test_experiment_sweep_identical_whatever_jobs(void)
{
	const char *dir = test_tmpdir();
	char o1[512], o2[512];
	const char *args[] = { "sweep", "-q", "--set", "consumers.workers.workers=9,11",
			       "--set", "queues.orders.visibility_timeout=30s,2m", "-r", "3", NULL, NULL, NULL,
			       "scenarios/default.yaml", NULL };
	static const char *const top[] = { "sweep.csv", "manifest.csv", "run.csv", "configs/001/summary.csv",
					    "configs/002/timeseries.csv", "configs/003/replications.csv",
					    "configs/004/timeseries-ci.csv", "configs/004/warmup.csv", NULL };
	struct table t;

	snprintf(o1, sizeof(o1), "%s/sweep-j1", dir);
	snprintf(o2, sizeof(o2), "%s/sweep-j2", dir);
	args[8] = "-j1", args[9] = "-o", args[10] = o1;
	CHECK(weir(args, NULL) == 0);
	args[8] = "-j2", args[10] = o2;
	CHECK(weir(args, NULL) == 0);
	CHECK(same_tree_files(o1, o2, top));
	snprintf(o2, sizeof(o2), "%s/sweep-j1/sweep.csv", dir);
	CHECK(table_read(&t, o2) == 0);
	/* 4 configurations, each with every statistic once, 3 replications each. */
	CHECK(t.rows > 4 && (t.rows - 1) % 4 == 0);
	CHECK(strcmp(cell(&t, 1, "consumers.workers.workers"), "9") == 0);
	CHECK(strcmp(cell(&t, 1, "queues.orders.visibility_timeout"), "30s") == 0);
	CHECK(strcmp(cell(&t, t.rows - 1, "queues.orders.visibility_timeout"), "2m") == 0);
	CHECK(strcmp(cell(&t, 1, "replications"), "3") == 0);
	table_free(&t);
}

/* Replication 0 is the single run with the same seed; others differ from it. */
void test_experiment_replication_zero_is_the_single_run(void)
{
	const char *dir = test_tmpdir();
	char single[512], reps[512], path[600];
	const char *run1[] = { "run", "-q", "-o", single, NULL };
	const char *runn[] = { "run", "-q", "-r", "3", "-o", reps, NULL };
	struct table s, r;
	size_t matched = 0, differ = 0;

	snprintf(single, sizeof(single), "%s/single", dir);
	snprintf(reps, sizeof(reps), "%s/reps", dir);
	CHECK(weir(run1, NULL) == 0 && weir(runn, NULL) == 0);
	snprintf(path, sizeof(path), "%s/summary.csv", single);
	CHECK(table_read(&s, path) == 0);
	snprintf(path, sizeof(path), "%s/replications.csv", reps);
	CHECK(table_read(&r, path) == 0);
	for (size_t i = 1; i < r.rows; i++)
		for (size_t j = 1; j < s.rows; j++) {
			if (strcmp(cell(&r, i, "resource"), cell(&s, j, "resource")) != 0 ||
			    strcmp(cell(&r, i, "statistic"), cell(&s, j, "statistic")) != 0)
				continue;
			if (strcmp(cell(&r, i, "replication"), "0") == 0) {
				CHECK_MSG(strcmp(cell(&r, i, "value"), cell(&s, j, "value")) == 0, "%s %s: %s vs %s",
					  cell(&r, i, "resource"), cell(&r, i, "statistic"), cell(&r, i, "value"),
					  cell(&s, j, "value"));
				matched++;
			} else if (strcmp(cell(&s, j, "statistic"), "NumberOfMessagesSent") == 0) {
				differ += strcmp(cell(&r, i, "value"), cell(&s, j, "value")) != 0;
			}
		}
	CHECK(matched == s.rows - 1);
	/* One replication's mean series is the run's series, byte for byte (empty fields included). */
	{
		const char *one[] = { "run", "-q", "-r", "1", "-o", reps, NULL, NULL };
		const char *idle_args[] = { "run", "-q", "-o", single, NULL, NULL };
		char a[600], b[600], *idle = scenario_file(dir, "idle.yaml", "duration: 60s\nqueues:\n  q: {}\n");

		CHECK(weir(one, NULL) == 0);
		snprintf(a, sizeof(a), "%s/timeseries.csv", single);
		snprintf(b, sizeof(b), "%s/timeseries.csv", reps);
		CHECK(same_file(a, b));
		idle_args[4] = idle;
		one[6] = idle;
		CHECK(weir(idle_args, NULL) == 0 && weir(one, NULL) == 0);
		CHECK(same_file(a, b));
		free(idle);
	}
	CHECK_MSG(differ >= 2, "replications 1 and 2 sent the same as replication 0 (%zu differ)", differ);
	table_free(&s);
	table_free(&r);
}

/*
 * Coverage: 200 independent experiments (a sweep over the seed) of 5
 * replications each; the 95% interval of the M/M/1 mean wait must contain
 * the analytic 0.1 s in 95% of them, within 3 binomial standard deviations
 * (sqrt(0.95 * 0.05 / 200) = 1.54%): 90.4% to 99.6%.
 */
void test_experiment_ci_coverage_mm1(void)
{
	const char *dir = test_tmpdir();
	char *file = scenario_file(dir, "mm1.yaml", mm1), out[512];
	const char *args[] = { "sweep", "-q", "--set", "seed=1..200", "-r", "5", "-m", "q/WaitTime.mean",
			       "-o", out, file, NULL };
	const double wq = 0.5 / (10 - 5);
	struct table t;
	size_t n = 0, in = 0;
	double share, tol = 3 * sqrt(0.95 * 0.05 / 200);

	snprintf(out, sizeof(out), "%s/coverage", dir);
	CHECK(file && weir(args, NULL) == 0);
	snprintf(out, sizeof(out), "%s/coverage/sweep.csv", dir);
	CHECK(table_read(&t, out) == 0);
	for (size_t i = 1; i < t.rows; i++) {
		if (strcmp(cell(&t, i, "resource"), "q") != 0 || strcmp(cell(&t, i, "statistic"), "WaitTime.mean") != 0)
			continue;
		n++;
		in += atof(cell(&t, i, "ci_low")) <= wq && wq <= atof(cell(&t, i, "ci_high"));
	}
	share = (double)in / (double)n;
	if (getenv("WEIR_TEST_VERBOSE"))
		fprintf(stderr, "  coverage: %zu of %zu intervals contain %.3g s (%.1f%%)\n", in, n, wq, 100 * share);
	CHECK(n == 200);
	CHECK_MSG(fabs(share - 0.95) <= tol, "coverage %.3f outside 0.95 +- %.3f", share, tol);
	table_free(&t);
	free(file);
}

/*
 * Common random numbers: two M/M/1 queues whose service differs by 2% see
 * the same arrivals and service draws replication by replication, so the
 * paired interval of the difference is far narrower than the unpaired one.
 */
void test_experiment_compare_crn_narrows(void)
{
	const char *dir = test_tmpdir();
	char *a = scenario_file(dir, "crn-a.yaml", mm1), *b, out[512], *text = malloc(sizeof(mm1) + 8), *at;
	const char *args[] = { "compare", "-q", "-r", "10", "-m", "q/WaitTime.mean", "-o", out, NULL, NULL, NULL };
	struct table t;
	double ratio = NAN;

	at = strstr(mm1, "mean=0.1s");
	snprintf(text, sizeof(mm1) + 8, "%.*smean=102ms%s", (int)(at - mm1), mm1, at + strlen("mean=0.1s"));
	b = scenario_file(dir, "crn-b.yaml", text);
	snprintf(out, sizeof(out), "%s/compare", dir);
	args[8] = a, args[9] = b;
	CHECK(a && b && weir(args, NULL) == 0);
	snprintf(out, sizeof(out), "%s/compare/compare.csv", dir);
	CHECK(table_read(&t, out) == 0);
	for (size_t i = 1; i < t.rows; i++)
		if (strcmp(cell(&t, i, "resource"), "q") == 0 && strcmp(cell(&t, i, "statistic"), "WaitTime.mean") == 0) {
			double paired = atof(cell(&t, i, "paired_half_width"));

			ratio = atof(cell(&t, i, "unpaired_half_width")) / paired;
			CHECK(atof(cell(&t, i, "diff_mean")) > 0);   /* slower service, longer wait */
			CHECK(strcmp(cell(&t, i, "replications"), "10") == 0);
		}
	if (getenv("WEIR_TEST_VERBOSE"))
		fprintf(stderr, "  CRN: unpaired / paired half-width = %.1f\n", ratio);
	CHECK_MSG(ratio > 5, "unpaired / paired half-width %.2f", ratio);
	table_free(&t);
	free(a);
	free(b);
	free(text);
}

/* --precision adds replications until the half-width is within 3% of the mean, the same for -j 1 and 2. */
void test_experiment_precision_stops_when_reached(void)
{
	const char *dir = test_tmpdir();
	char *file = scenario_file(dir, "mm1p.yaml", mm1), o1[512], o2[512], path[600];
	const char *args[] = { "run", "-q", "--precision", "3%", "-m", "q/WaitTime.mean", "-j1", "-o", o1, NULL, NULL };
	struct table t, r;

	snprintf(o1, sizeof(o1), "%s/precision-1", dir);
	snprintf(o2, sizeof(o2), "%s/precision-2", dir);
	args[9] = file;
	CHECK(weir(args, NULL) == 0);
	args[6] = "-j2", args[8] = o2;
	CHECK(weir(args, NULL) == 0);
	CHECK(same_tree_files(o1, o2, rep_files));
	snprintf(path, sizeof(path), "%s/summary.csv", o1);
	CHECK(table_read(&t, path) == 0);
	snprintf(path, sizeof(path), "%s/run.csv", o1);
	CHECK(table_read(&r, path) == 0);
	for (size_t i = 1; i < t.rows; i++)
		if (strcmp(cell(&t, i, "resource"), "q") == 0 && strcmp(cell(&t, i, "statistic"), "WaitTime.mean") == 0) {
			double mean = atof(cell(&t, i, "mean")), half = atof(cell(&t, i, "ci_high")) - mean;
			long n = atol(cell(&t, i, "replications"));

			CHECK_MSG(half <= 0.03 * mean, "half-width %g of mean %g", half, mean);
			CHECK_MSG(n > 5, "reached with the first 5 replications: the test shows nothing");
		}
	for (size_t i = 1; i < r.rows; i++)
		if (strcmp(r.cells[i * 2], "precision_reached") == 0)
			CHECK(strcmp(r.cells[i * 2 + 1], "true") == 0);
	table_free(&t);
	table_free(&r);
	free(file);
}

/* A sweep: section in the file is the grid; the command line overrides a key of it. */
void test_experiment_sweep_section_in_file(void)
{
	const char *dir = test_tmpdir();
	char text[2048], *file, out[512];
	const char *args[] = { "sweep", "-q", "-o", out, NULL, NULL, NULL, NULL };
	struct table t;

	snprintf(text, sizeof(text), "%s%s", mm1,
		 "sweep:\n"
		 "  replications: 2\n"
		 "  parameters:\n"
		 "    consumers.c.workers: [1, 2]\n"
		 "    producers.p.arrivals: poisson(rate=4/s), poisson(rate=5/s)\n");
	file = scenario_file(dir, "sweep-section.yaml", text);
	snprintf(out, sizeof(out), "%s/section", dir);
	args[4] = file;
	CHECK(weir(args, NULL) == 0);
	snprintf(out, sizeof(out), "%s/section/manifest.csv", dir);
	CHECK(table_read(&t, out) == 0);
	CHECK(t.rows == 5 && strcmp(cell(&t, 4, "consumers.c.workers"), "2") == 0);
	CHECK(strcmp(cell(&t, 2, "producers.p.arrivals"), "poisson(rate=5/s)") == 0);
	CHECK(strcmp(cell(&t, 1, "replications"), "2") == 0);
	table_free(&t);
	/* weir check loads every configuration and counts the runs. */
	{
		const char *check[] = { "check", file, NULL };
		struct proc p;

		CHECK(run_weir(&p, check, NULL) == 0);
		CHECK_MSG(p.status == 0 && strstr(p.out, "sweep: 4 configurations x 2 replications = 8 runs"), "%s%s",
			  p.out, p.err);
		proc_release(&p);
	}
	/* --set with one value fixes a swept key; with --zip the lists pair up. */
	snprintf(out, sizeof(out), "%s/section2", dir);
	args[4] = "--set", args[5] = "consumers.c.workers=3", args[6] = file;
	CHECK(weir(args, NULL) == 0);
	snprintf(out, sizeof(out), "%s/section2/manifest.csv", dir);
	CHECK(table_read(&t, out) == 0);
	CHECK(t.rows == 3 && table_col(&t, "consumers.c.workers") < 0);
	table_free(&t);
	free(file);
}

struct bad {
	const char *args[12];
	int status;
	const char *msg;
};

void test_experiment_bad_input(void)
{
	static const struct bad cases[] = {
		{ { "run", "-r", "0", NULL }, 2, "--replications takes a whole number from 1" },
		{ { "run", "-r", "3", "--confidence", "150%", NULL }, 2, "between 0 and 1" },
		{ { "run", "-r", "3", "-m", "orders/NoSuchStat", NULL }, 2, "has no such statistic" },
		{ { "run", "-r", "3", "-m", "nosuch/WaitTime.mean", NULL }, 2, "no such resource" },
		{ { "run", "-r", "3", "-m", "WaitTime.mean", NULL }, 2, "is not RESOURCE/STATISTIC" },
		{ { "run", "--max-replications", "5", "-r", "2", NULL }, 2, "give --precision too" },
		{ { "run", "--jobs", "4", NULL }, 2, "give --replications N too" },
		{ { "run", "-r", "2", "--trace", NULL }, 2, "--trace follows the messages of a single run" },
		{ { "sweep", "scenarios/default.yaml", NULL }, 2, "nothing to sweep" },
		{ { "sweep", "scenarios/default.yaml", "--set", "consumers.workers.workers=10..1", NULL }, 2,
		  "FROM <= TO" },
		{ { "sweep", "scenarios/default.yaml", "--set", "consumers.workers.workers=1..4", "step", "2", NULL }, 2,
		  "quote a range" },
		{ { "sweep", "scenarios/default.yaml", "--zip", "--set", "consumers.workers.workers=1,2,3", "--set",
		    "queues.orders.visibility_timeout=30s,2m", NULL }, 2, "one length" },
		{ { "sweep", "scenarios/default.yaml", "--baseline", "7", "--set", "consumers.workers.workers=1,2", NULL },
		  2, "the sweep has 2 configurations" },
		{ { "sweep", "scenarios/default.yaml", "--set", "consumers.workers.workers=4,-1", NULL }, 3,
		  "configuration 2 (consumers.workers.workers=-1)" },
		{ { "compare", "scenarios/default.yaml", NULL }, 2, "give two scenario files" },
		{ { "compare", "scenarios/examples/steady-state.yaml", "scenarios/examples/sns-fan-out.yaml", NULL }, 2,
		  "no resource of the same name" },
		{ { "sweep", "scenarios/default.yaml", "--seed", "3", "--set", "seed=1,2", NULL }, 2,
		  "cannot go with a swept seed" },
		{ { "sweep", "scenarios/default.yaml", "--set", "consumers.workers.workers=1,2", "--set",
		    "consumers.workers.workers=3,4", NULL }, 2, "swept twice" },
		{ { "sweep", "scenarios/default.yaml", "--set", "consumers.workers.workers=1 step 2..5", NULL }, 2,
		  "is not a range" },
		{ { "run", "-r", "2", "-m", "workers/utilization", NULL }, 2, "did you mean 'Utilization'" },
		{ { "check", "scenarios/examples/sweep-visibility-timeout.yaml", "--set",
		    "sweep.parameters={consumers.renderers.wrkers: 1..2}", NULL }, 3, "unknown key 'wrkers'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = NULL;
		int status = weir(cases[i].args, &err);

		CHECK_MSG(status == cases[i].status, "case %zu (%s %s): exit %d, expected %d: %s", i, cases[i].args[0],
			  cases[i].args[1], status, cases[i].status, err ? err : "");
		CHECK_MSG(err && strstr(err, cases[i].msg), "case %zu: stderr lacks '%s': %s", i, cases[i].msg,
			  err ? err : "");
		free(err);
	}
}

static int file_in(const char *dir, const char *name)
{
	char path[700];
	size_t len = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = read_file(path, &len);
	free(text);
	if (!text || len < 1000)
		fprintf(stderr, "  %s is missing or too small\n", path);
	return text && len >= 1000;
}

/* --plot on a replicated run draws band plots; on a sweep, one plot per metric (needs gnuplot). */
void test_experiment_plots(void)
{
	const char *dir = test_tmpdir();
	char rep[512], sweep[512];
	const char *run_args[] = { "run", "-q", "-r", "2", "--plot", "-o", rep, NULL };
	const char *sweep_args[] = { "sweep", "-q", "--plot", "-r", "2", "--set", "consumers.workers.workers=9,10,12",
				     "--set", "queues.orders.visibility_timeout=30s,2m", "-m",
				     "orders/WaitTime.mean,workers/Utilization", "-o", sweep, "scenarios/default.yaml", NULL };

	snprintf(rep, sizeof(rep), "%s/rep", dir);
	snprintf(sweep, sizeof(sweep), "%s/sweep", dir);
	CHECK(weir(run_args, NULL) == 0);
	CHECK(file_in(rep, "plots/orders-band.png") && file_in(rep, "plots/workers-band.png"));
	CHECK(file_in(rep, "plots/orders-depth.png"));   /* the single-run plots, of the means */
	CHECK(weir(sweep_args, NULL) == 0);
	CHECK(file_in(sweep, "plots/sweep-orders-WaitTime.mean.png"));
	CHECK(file_in(sweep, "plots/sweep-workers-Utilization.png"));
}

/* A YAML list item with a comma stays one value of the sweep. */
void test_experiment_sweep_list_item_with_comma(void)
{
	const char *dir = test_tmpdir();
	char *file = scenario_file(dir, "comma.yaml",
				   "duration: 60s\ndescription: x\nqueues:\n  q: {}\n"
				   "sweep:\n  replications: 1\n  parameters:\n    description: [\"a,b\", \"it's\"]\n");
	char out[512];
	const char *args[] = { "sweep", "-q", "-o", out, file, NULL };
	char *text;

	snprintf(out, sizeof(out), "%s/comma", dir);
	CHECK(file && weir(args, NULL) == 0);
	snprintf(out, sizeof(out), "%s/comma/configs/002/run.csv", dir);
	text = read_file(out, NULL);
	CHECK_MSG(text && strstr(text, "set,description='it''s'"), "%s", text ? text : "no configuration 2");
	free(text);
	snprintf(out, sizeof(out), "%s/comma/configs/003/run.csv", dir);
	text = read_file(out, NULL);
	CHECK_MSG(!text, "a third configuration: the comma split the value");
	free(text);
	snprintf(out, sizeof(out), "%s/comma/configs/001/run.csv", dir);
	text = read_file(out, NULL);
	CHECK(text && strstr(text, "description='a,b'"));
	free(text);
	free(file);
}

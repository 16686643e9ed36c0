/*
 * sweep.c - `weir run --replications N`, `weir sweep` and `weir compare`.
 *
 * Each builds an experiment (exp.h), runs it, and writes:
 *   run --replications   out/NAME/: one replicated run directory
 *   sweep                out/NAME-sweep/: sweep.csv (tidy: a column per
 *                        swept parameter, then resource, statistic, mean
 *                        and interval), manifest.csv (configuration ->
 *                        directory and values), configs/NNN/ (a replicated
 *                        run directory each), run.csv, timing.csv
 *   compare              out/A-vs-B/: compare.csv (paired differences),
 *                        a/ and b/, run.csv, timing.csv
 */
#define _XOPEN_SOURCE 700
#include "cli.h"
#include "exp.h"
#include "weir/units.h"
#include "weir/world.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct cli_opt exp_opts[NXOPTS] = {
	[X_OUT] = { "--output", 'o', "DIR", 0, "write the results to DIR" },
	[X_SEED] = { "--seed", 0, "N", 0, "seed of the random streams (default: the scenario's)" },
	[X_SET] = { "--set", 0, "KEY=VALUE", 0, "override a scenario value, e.g. queues.orders.visibility_timeout=45s" },
	[X_QUIET] = { "--quiet", 'q', NULL, 0, "print nothing but errors and warnings" },
	[X_TRACE] = { "--trace", 0, "FRACTION", 1, "write trace.csv, the lifecycle of a sample of messages (default all)" },
	[X_PLOT] = { "--plot", 0, NULL, 0, "draw the plots when the run is done (needs gnuplot)" },
	[X_FORMAT] = { "--format", 0, "png|svg", 0, "image format of --plot (default png)" },
	[X_REPS] = { "--replications", 'r', "N", 0, "independent replications (seeds from the run seed and 0..N-1)" },
	[X_CONF] = { "--confidence", 0, "LEVEL", 0, "level of every confidence interval (default 95%)" },
	[X_PREC] = { "--precision", 0, "P", 0, "add replications until each --metric's CI half-width is under P of its mean (e.g. 5%)" },
	[X_MAXREPS] = { "--max-replications", 0, "N", 0, "the cap of --precision (default 100)" },
	[X_METRIC] = { "--metric", 'm', "RES/STAT,...", 0, "statistics for the tables, --precision and plots, e.g. orders/WaitTime.mean" },
	[X_JOBS] = { "--jobs", 'j', "N", 0, "worker processes (default: every core)" },
	[X_ZIP] = { "--zip", 0, NULL, 0, "pair the i-th values of the swept parameters instead of every combination" },
	[X_BASELINE] = { "--baseline", 0, "N", 0, "compare every configuration with configuration N, replication by replication" },
};

/* ---- options ------------------------------------------------------------------ */

/* The options of sweep and compare: --trace is accepted only to say it is for single runs. */
static const struct cli_opt *experiment_opts(void)
{
	static struct cli_opt opts[NXOPTS];

	memcpy(opts, exp_opts, sizeof(opts));
	opts[X_TRACE].help = NULL;
	return opts;
}

static int parse_count(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "weir %s: %s takes a whole number from %ld to %ld, not '%s'\n", cmd, opt, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Adds the metrics of list; source names where it came from ("--metric", or the file's key) for errors. */
static int add_metrics(struct experiment *e, const char *list, const char *source)
{
	char **items;
	bool range;
	char err[256];
	long n = grid_split(list, &items, &range, err, sizeof(err));

	if (n < 0 || range) {
		fprintf(stderr, "weir %s: %s takes RESOURCE/STATISTIC[,...], e.g. orders/WaitTime.mean, not '%s'\n",
			e->cmd, source, list);
		grid_free_values(items, n < 0 ? 0 : (size_t)n);
		return -1;
	}
	for (long i = 0; i < n; i++) {
		char *slash = strrchr(items[i], '/');
		struct exp_metric *m;

		if (!slash || slash == items[i] || !slash[1]) {
			fprintf(stderr, "weir %s: %s: '%s' is not RESOURCE/STATISTIC (e.g. orders/WaitTime.mean)\n",
				e->cmd, source, items[i]);
			grid_free_values(items, (size_t)n);
			return -1;
		}
		e->metrics = weir_realloc(e->metrics, (e->nmetrics + 1) * sizeof(*e->metrics));
		m = &e->metrics[e->nmetrics++];
		m->resource = weir_strndup(items[i], (size_t)(slash - items[i]));
		m->stat = weir_strdup(slash + 1);
	}
	e->user_metrics = true;
	grid_free_values(items, (size_t)n);
	return 0;
}

static int exp_options(struct experiment *e, const char *const *v)
{
	long n;

	e->confidence = STATS_DEFAULT_CONFIDENCE;
	e->max_replications = EXP_DEFAULT_MAX_REPLICATIONS;
	e->baseline = -1;
	e->jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	e->jobs = e->jobs < 1 ? 1 : e->jobs;
	e->quiet = v[X_QUIET] != NULL;
	if (v[X_TRACE]) {
		fprintf(stderr, "weir %s: --trace follows the messages of a single run; use it with weir run without --replications\n",
			e->cmd);
		return -1;
	}
	if (v[X_REPS]) {
		if (parse_count(e->cmd, "--replications", v[X_REPS], 1, 100000, &n) != 0)
			return -1;
		e->replications = (size_t)n;
	}
	if (v[X_CONF] && exp_parse_level(e->cmd, "--confidence", v[X_CONF], &e->confidence) != 0)
		return -1;
	if (v[X_PREC] && exp_parse_level(e->cmd, "--precision", v[X_PREC], &e->precision) != 0)
		return -1;
	if (v[X_MAXREPS]) {
		if (!v[X_PREC]) {
			fprintf(stderr, "weir %s: --max-replications is the cap of --precision; give --precision too\n", e->cmd);
			return -1;
		}
		if (parse_count(e->cmd, "--max-replications", v[X_MAXREPS], 2, 100000, &n) != 0)
			return -1;
		e->max_replications = (size_t)n;
	}
	if (v[X_JOBS]) {
		if (parse_count(e->cmd, "--jobs", v[X_JOBS], 1, 256, &n) != 0)
			return -1;
		e->jobs = (int)n;
	}
	if (v[X_METRIC] && add_metrics(e, v[X_METRIC], "--metric") != 0)
		return -1;
	if (v[X_FORMAT] && strcmp(v[X_FORMAT], "png") != 0 && strcmp(v[X_FORMAT], "svg") != 0) {
		fprintf(stderr, "weir %s: --format is png or svg, not '%s'\n", e->cmd, v[X_FORMAT]);
		return -1;
	}
	return 0;
}

/* ---- configurations ------------------------------------------------------------ */

static struct exp_config *add_config(struct experiment *e, const char *path, const struct cli_args *a)
{
	struct exp_config *c;

	e->configs = weir_realloc(e->configs, (e->nconfigs + 1) * sizeof(*e->configs));
	c = &e->configs[e->nconfigs++];
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->sets = weir_calloc(a->nsets + e->grid.nparams + 1, sizeof(char *));
	for (size_t i = 0; i < a->nsets; i++)
		c->sets[c->nsets++] = weir_strdup(a->sets[i]);
	return c;
}

/* The seed every configuration uses: --seed, else the first scenario's. */
static int assign_seeds(struct experiment *e, const char *seed_opt, bool seed_swept)
{
	uint64_t seed = (uint64_t)e->configs[0].sc->seed;

	if (seed_opt && seed_swept) {
		fprintf(stderr, "weir %s: --seed gives every configuration one seed; it cannot go with a swept seed\n",
			e->cmd);
		return -1;
	}
	if (seed_opt && cli_parse_seed(e->cmd, seed_opt, &seed) != 0)
		return -1;
	for (size_t i = 0; i < e->nconfigs; i++) {
		struct exp_config *c = &e->configs[i];

		c->seed = seed_swept && !seed_opt ? (uint64_t)c->sc->seed : seed;
		if (!seed_opt && !seed_swept && (uint64_t)c->sc->seed != seed && !e->quiet && e->rank == 0)
			fprintf(stderr, "weir %s: note: %s runs with seed %llu (the first scenario's, not its own %lld), "
				"so the two share random numbers\n", e->cmd, c->label, (unsigned long long)seed,
				(long long)c->sc->seed);
	}
	return 0;
}

/* A world's summary before it runs: the rows every replication will have. */
static int empty_summary(const struct exp_config *c, struct summary *s)
{
	struct world_opts o = { .seed = c->seed };
	char err[256];
	struct world *w = world_create(c->sc, &o, err, sizeof(err));

	if (w)
		world_summarize(w, s);
	else
		fprintf(stderr, "weir: error: %s\n", err);
	world_destroy(w);
	return w ? 0 : -1;
}

/* The nearest statistic of resource (stat given) or the nearest resource (stat NULL), or NULL. */
static const char *suggest_metric(const struct summary *s, const char *resource, const char *stat)
{
	const char **names = weir_calloc(s->rows.len + 1, sizeof(char *));
	const char *near;
	size_t n = 0;

	for (size_t i = 0; i < s->rows.len; i++) {
		const struct summary_row *r = VEC_AT(&s->rows, struct summary_row, i);

		if (stat && strcmp(r->resource, resource) == 0)
			names[n++] = r->def->name;
		else if (!stat && (n == 0 || strcmp(names[n - 1], r->resource) != 0))
			names[n++] = r->resource;
	}
	near = stat ? weir_suggest(stat, strlen(stat), names, n) : weir_suggest(resource, strlen(resource), names, n);
	free(names);
	return near;
}

static int check_metrics(struct experiment *e)
{
	struct summary s = { 0 };
	int rc = 0;

	if (empty_summary(&e->configs[0], &s) != 0)
		return WEIR_EXIT_SCENARIO;
	if (!e->user_metrics) {
		static const char *const kinds[] = { "queue", "consumer", "function", "stream" };
		static const char *const stats[][2] = {
			{ "WaitTime.mean", "EndToEndLatency.p99" }, { "Utilization", NULL },
			{ "Throttles", "ConcurrentExecutions.max" }, { "WriteProvisionedThroughputExceeded", NULL },
		};

		for (size_t k = 0; k < 4; k++)
			for (size_t j = 0; j < 2 && stats[k][j]; j++)
				for (size_t i = 0; i < s.rows.len; i++) {
					const struct summary_row *r = VEC_AT(&s.rows, struct summary_row, i);
					struct exp_metric *m;

					if (strcmp(r->kind, kinds[k]) != 0 || strcmp(r->def->name, stats[k][j]) != 0)
						continue;
					e->metrics = weir_realloc(e->metrics, (e->nmetrics + 1) * sizeof(*e->metrics));
					m = &e->metrics[e->nmetrics++];
					m->resource = weir_strdup(r->resource);
					m->stat = weir_strdup(r->def->name);
				}
	}
	for (size_t m = 0; m < e->nmetrics && rc == 0; m++) {
		bool res = false, found = summary_find(&s, e->metrics[m].resource, e->metrics[m].stat) != NULL;

		for (size_t i = 0; i < s.rows.len && !found && !res; i++)
			res = strcmp(VEC_AT(&s.rows, struct summary_row, i)->resource, e->metrics[m].resource) == 0;
		if (!found) {
			const char *near = suggest_metric(&s, e->metrics[m].resource, res ? e->metrics[m].stat : NULL);

			fprintf(stderr, "weir %s: metric %s/%s: %s%s%s%s (see summary.csv of a run, or 'weir help metrics')\n",
				e->cmd, e->metrics[m].resource, e->metrics[m].stat,
				res ? "the resource has no such statistic" : "the scenario has no such resource",
				near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
			rc = -1;
		}
	}
	summary_release(&s);
	return rc;
}

/* A comparison needs statistics both scenarios have, over the same simulated time. */
static int check_comparable(const struct experiment *e)
{
	const struct exp_config *a = &e->configs[0], *b = &e->configs[1];
	struct summary sa = { 0 }, sb = { 0 };
	size_t shared = 0;
	char da[32], db[32], wa[32], wb[32];
	int rc = 0;

	if (empty_summary(a, &sa) != 0 || empty_summary(b, &sb) != 0)
		rc = WEIR_EXIT_SCENARIO;
	for (size_t i = 0; rc == 0 && i < sa.rows.len; i++) {
		const struct summary_row *r = VEC_AT(&sa.rows, struct summary_row, i);

		shared += summary_find(&sb, r->resource, r->def->name) != NULL;
	}
	summary_release(&sa);
	summary_release(&sb);
	if (rc == 0 && shared == 0) {
		fprintf(stderr, "weir compare: %s and %s have no resource of the same name and kind: nothing to compare "
			"(a comparison pairs statistics by resource name)\n", a->path, b->path);
		return WEIR_EXIT_USAGE;
	}
	if (rc == 0 && (a->sc->duration != b->sc->duration || a->sc->warmup != b->sc->warmup))
		fprintf(stderr, "weir compare: warning: %s runs %s (warm-up %s), %s %s (warm-up %s): counts and totals "
			"are not comparable, only rates and latencies\n", a->path,
			units_format_duration(a->sc->duration, da, sizeof(da)),
			units_format_duration(a->sc->warmup, wa, sizeof(wa)), b->path,
			units_format_duration(b->sc->duration, db, sizeof(db)),
			units_format_duration(b->sc->warmup, wb, sizeof(wb)));
	return rc;
}

/* ---- the run directory ---------------------------------------------------------- */

struct topdir {
	struct outdir out;
	int rc;
	char err[512];
};

static void top_begin(struct topdir *t, struct csvw *w, const char *name)
{
	char *path = outdir_file(&t->out, name);

	if (t->rc == 0 && (t->rc = csvw_open(w, path)) != 0)
		snprintf(t->err, sizeof(t->err), "cannot create '%s': %s", path, strerror(t->rc));
	free(path);
}

static void top_end(struct topdir *t, struct csvw *w, const char *name)
{
	int rc = csvw_close(w);

	if (rc && !t->rc) {
		t->rc = rc;
		snprintf(t->err, sizeof(t->err), "writing '%s/%s' failed: %s", t->out.final, name, strerror(rc));
	}
}

static void write_timing(struct topdir *t, const struct experiment *e)
{
	struct csvw w;

	top_begin(t, &w, "timing.csv");
	if (t->rc)
		return;
	csvw_kv(&w, "key", "value");
	csvw_kv_num(&w, "wall_s", e->wall);
	csvw_kv_num(&w, "jobs", e->ranks > 1 ? e->ranks - 1 : e->jobs);
	csvw_kv_num(&w, "mpi_ranks", e->ranks);
	top_end(t, &w, "timing.csv");
}

static bool any_values(const struct experiment *e, size_t m);

static void write_top_run(struct topdir *t, const struct experiment *e, const char *kind)
{
	const struct exp_config *c0 = &e->configs[0];
	size_t runs = 0;
	struct csvw w;

	for (size_t i = 0; i < e->nconfigs; i++)
		runs += e->configs[i].folded;
	top_begin(t, &w, "run.csv");
	if (t->rc)
		return;
	csvw_kv(&w, "key", "value");
	csvw_kv(&w, "weir_version", WEIR_VERSION);
	csvw_kv(&w, "kind", kind);
	csvw_kv(&w, "scenario", c0->sc->name);
	for (size_t i = 0; i < e->nconfigs && strcmp(kind, "compare") == 0; i++)
		csvw_kv(&w, "scenario_file", e->configs[i].path ? e->configs[i].path : "(bundled) scenarios/default.yaml");
	if (strcmp(kind, "sweep") == 0)
		csvw_kv(&w, "scenario_file", c0->path ? c0->path : "(bundled) scenarios/default.yaml");
	csvw_kv_num(&w, "seed", (double)c0->seed);
	csvw_kv_num(&w, "configurations", (double)e->nconfigs);
	csvw_kv_num(&w, "runs", (double)runs);
	csvw_kv_num(&w, "confidence", e->confidence);
	if (e->precision > 0)
		csvw_kv_num(&w, "precision", e->precision);
	for (size_t p = 0; p < e->grid.nparams; p++)
		csvw_kv(&w, "parameter", e->grid.params[p].key);
	if (e->grid.zip)
		csvw_kv(&w, "zip", "true");
	if (e->baseline >= 0)
		csvw_kv_num(&w, "baseline", (double)e->baseline + 1);
	for (size_t m = 0; m < e->nmetrics; m++) {
		char *name = weir_asprintf("%s/%s", e->metrics[m].resource, e->metrics[m].stat);

		if (e->user_metrics || any_values(e, m))
			csvw_kv(&w, "metric", name);
		free(name);
	}
	csvw_kv(&w, "interrupted", e->interrupted ? "true" : "false");
	top_end(t, &w, "run.csv");
}

/* Writes every complete configuration's directory. */
static void write_configs(struct topdir *t, const struct experiment *e)
{
	for (size_t i = 0; i < e->nconfigs && t->rc == 0; i++)
		if (e->configs[i].folded > 0 && e->configs[i].folded == e->configs[i].reps)
			t->rc = exp_write_config(e, &e->configs[i], t->out.tmp, t->err, sizeof(t->err));
}

static bool complete(const struct exp_config *c) { return c->folded > 0 && c->folded == c->reps; }

/* ---- sweep.csv and manifest.csv ----------------------------------------------------- */

static void write_manifest(struct topdir *t, const struct experiment *e)
{
	struct csvw w;

	top_begin(t, &w, "manifest.csv");
	if (t->rc)
		return;
	csvw_str(&w, "config");
	csvw_str(&w, "dir");
	for (size_t p = 0; p < e->grid.nparams; p++)
		csvw_str(&w, e->grid.params[p].key);
	csvw_str(&w, "run_seed");
	csvw_str(&w, "replications");
	csvw_end_row(&w);
	for (size_t i = 0; i < e->nconfigs; i++) {
		const struct exp_config *c = &e->configs[i];

		csvw_int(&w, (int64_t)i + 1);
		csvw_str(&w, complete(c) ? c->dir : "");
		for (size_t p = 0; p < e->grid.nparams; p++)
			csvw_str(&w, grid_value(&e->grid, i, p));
		csvw_num(&w, (double)c->seed);
		csvw_int(&w, complete(c) ? (int64_t)c->folded : 0);
		csvw_end_row(&w);
	}
	top_end(t, &w, "manifest.csv");
}

static void write_sweep_csv(struct topdir *t, const struct experiment *e)
{
	static const char *const tail[] = { "resource", "kind", "statistic", "unit", "replications", "mean", "sd",
					     "ci_low", "ci_high" };
	const struct exp_config *base = e->baseline >= 0 ? &e->configs[e->baseline] : NULL;
	struct csvw w;

	top_begin(t, &w, "sweep.csv");
	if (t->rc)
		return;
	csvw_str(&w, "config");
	for (size_t p = 0; p < e->grid.nparams; p++)
		csvw_str(&w, e->grid.params[p].key);
	for (size_t k = 0; k < sizeof(tail) / sizeof(tail[0]); k++)
		csvw_str(&w, tail[k]);
	if (base) {
		csvw_str(&w, "diff_mean");
		csvw_str(&w, "diff_ci_low");
		csvw_str(&w, "diff_ci_high");
	}
	csvw_end_row(&w);
	for (size_t i = 0; i < e->nconfigs; i++) {
		const struct exp_config *c = &e->configs[i];
		const struct rep_result *r0 = &c->res[0];

		if (!complete(c))
			continue;
		for (size_t row = 0; row < r0->nrows; row++) {
			double *x = exp_row_values(c, row);
			struct stats_ci ci = stats_interval_of(x, c->folded, e->confidence);

			csvw_int(&w, (int64_t)i + 1);
			for (size_t p = 0; p < e->grid.nparams; p++)
				csvw_str(&w, grid_value(&e->grid, i, p));
			csvw_str(&w, r0->resource[row]);
			csvw_str(&w, r0->kind[row]);
			csvw_str(&w, r0->stat[row]);
			csvw_str(&w, r0->unit[row]);
			csvw_int(&w, (int64_t)ci.n);
			csvw_num(&w, ci.mean);
			csvw_num(&w, ci.sd);
			csvw_num(&w, ci.mean - ci.half);
			csvw_num(&w, ci.mean + ci.half);
			if (base) {
				struct exp_pair p = { .diff = { .mean = NAN, .half = NAN } };

				if (complete(base))
					exp_compare_stat(e, base, c, r0->resource[row], r0->stat[row], &p);
				csvw_num(&w, p.diff.mean);
				csvw_num(&w, p.diff.mean - p.diff.half);
				csvw_num(&w, p.diff.mean + p.diff.half);
			}
			csvw_end_row(&w);
			free(x);
		}
	}
	top_end(t, &w, "sweep.csv");
}

/* ---- compare.csv ------------------------------------------------------------------ */

static void write_compare_csv(struct topdir *t, const struct experiment *e)
{
	static const char *const head[] = { "resource", "kind", "statistic", "unit", "replications", "mean_a",
					     "mean_b", "diff_mean", "diff_ci_low", "diff_ci_high",
					     "paired_half_width", "unpaired_half_width" };
	const struct exp_config *a = &e->configs[0], *b = &e->configs[1];
	struct csvw w;

	top_begin(t, &w, "compare.csv");
	if (t->rc)
		return;
	for (size_t k = 0; k < sizeof(head) / sizeof(head[0]); k++)
		csvw_str(&w, head[k]);
	csvw_end_row(&w);
	for (size_t row = 0; complete(a) && complete(b) && row < a->res[0].nrows; row++) {
		const struct rep_result *r0 = &a->res[0];
		struct exp_pair p;

		if (!exp_compare_stat(e, a, b, r0->resource[row], r0->stat[row], &p))
			continue;
		csvw_str(&w, r0->resource[row]);
		csvw_str(&w, r0->kind[row]);
		csvw_str(&w, r0->stat[row]);
		csvw_str(&w, r0->unit[row]);
		csvw_int(&w, (int64_t)p.diff.n);
		csvw_num(&w, p.a.mean);
		csvw_num(&w, p.b.mean);
		csvw_num(&w, p.diff.mean);
		csvw_num(&w, p.diff.mean - p.diff.half);
		csvw_num(&w, p.diff.mean + p.diff.half);
		csvw_num(&w, p.diff.half);
		csvw_num(&w, stats_welch_half(&p.a, &p.b, e->confidence));
		csvw_end_row(&w);
	}
	top_end(t, &w, "compare.csv");
}

/* ---- tables on stdout -------------------------------------------------------------- */

static void print_metric_line(const struct experiment *e, const struct exp_config *c, size_t m)
{
	char unit[32], mean[32], half[32], lo[32], hi[32], name[128];
	struct stats_ci ci = exp_metric_ci(e, c, m, unit, sizeof(unit));

	if (ci.n == 0 && !e->user_metrics)
		return;   /* a key statistic with no values (a queue nothing reached) */
	snprintf(name, sizeof(name), "%s/%s", e->metrics[m].resource, e->metrics[m].stat);
	printf("  %-44s %10s  +- %-9s [%s, %s]\n", name, exp_fmt_value(ci.mean, unit, mean, sizeof(mean)),
	       exp_fmt_value(ci.half, unit, half, sizeof(half)),
	       exp_fmt_value(ci.mean - ci.half, unit, lo, sizeof(lo)),
	       exp_fmt_value(ci.mean + ci.half, unit, hi, sizeof(hi)));
}

/* The warm-up MSER-5 suggests for the key time series of c's queues and functions. */
/* True when the queue name[0..len) is another queue's dead-letter queue (it only fills). */
static bool dead_letter_queue(const struct scenario *sc, const char *name, size_t len)
{
	for (size_t i = 0; i < sc->queues.len; i++) {
		const char *d = VEC_AT(&sc->queues, struct sqs_queue_cfg, i)->redrive.dead_letter;

		if (d && strlen(d) == len && strncmp(d, name, len) == 0)
			return true;
	}
	return false;
}

static void print_warmup_advice(const struct exp_config *c)
{
	static const char *const cols[] = { "/ApproximateNumberOfMessagesVisible", "/ConcurrentExecutions",
					    "/IteratorAgeMilliseconds" };
	char **names = exp_column_names(c);
	double worst = 0;
	char which[160] = "";
	bool unreliable = false;
	char a[32], b[32];

	for (size_t k = 0; k < c->ncol; k++) {
		const char *name = names[k], *slash = strchr(name, '/');
		size_t len = strlen(name);
		bool key = false, reliable;
		double at;

		for (size_t j = 0; j < sizeof(cols) / sizeof(cols[0]); j++)
			key |= len > strlen(cols[j]) && strcmp(name + len - strlen(cols[j]), cols[j]) == 0;
		if (!key || !slash || dead_letter_queue(c->sc, name, (size_t)(slash - name)))
			continue;
		at = exp_column_warmup(c, k, &reliable);
		if (isnan(at))
			continue;
		unreliable |= !reliable;
		if (at >= worst && (at > 0 || !which[0])) {
			worst = at;
			snprintf(which, sizeof(which), "%s", name);
		}
	}
	exp_free_names(names, c->ncol);
	if (!which[0])
		return;
	printf("\n  warm-up: the scenario leaves out %s; MSER-5 on the replications' mean suggests %s\n"
	       "  (the most of any key series: %s)%s\n",
	       fmt_seconds(sim_time_to_sec(c->sc->warmup), a, sizeof(a)), fmt_seconds(worst, b, sizeof(b)), which,
	       unreliable ? ";\n  some series are still changing in the second half of the run: no warm-up can fix that"
			    " (see warmup.csv)"
			  : "; every column in warmup.csv");
}

static void print_run(const struct experiment *e, const char *dir)
{
	const struct exp_config *c = &e->configs[0];
	char a[32];

	printf("weir %s  %s  seed %llu  %zu replication%s of %s simulated in %.2fs (%d %s)\n", WEIR_VERSION,
	       c->sc->name, (unsigned long long)c->seed, c->folded, c->folded == 1 ? "" : "s",
	       fmt_seconds(sim_time_to_sec(c->sc->duration), a, sizeof(a)), e->wall,
	       e->ranks > 1 ? e->ranks : e->jobs, e->ranks > 1 ? "MPI ranks" : e->jobs == 1 ? "process" : "processes");
	if (e->precision > 0)
		printf("  --precision %.3g%%: %s after %zu replications\n", 100 * e->precision,
		       c->reached ? "reached" : "NOT reached: stopped at --max-replications", c->folded);
	{
		char level[32];

		snprintf(level, sizeof(level), "%.4g%% interval", 100 * e->confidence);
		printf("\n  %-44s %10s  %-12s %s\n", "statistic", "mean", "", level);
	}
	for (size_t m = 0; m < e->nmetrics; m++)
		print_metric_line(e, c, m);
	if (c->folded < 2)
		printf("  (an interval needs at least 2 replications)\n");
	print_warmup_advice(c);
	printf("\n  every statistic's mean, sd and interval in %s/summary.csv\n", dir);
}

/* The last part of a parameter's key path: "reserved_concurrency". */
static const char *short_key(const char *key)
{
	const char *k = strrchr(key, '.');

	return k && k[1] ? k + 1 : key;
}

static bool any_values(const struct experiment *e, size_t m)
{
	for (size_t i = 0; i < e->nconfigs; i++)
		if (complete(&e->configs[i]) && exp_metric_ci(e, &e->configs[i], m, NULL, 0).n > 0)
			return true;
	return false;
}

/* The paired difference of metric m from the baseline configuration, as two table columns. */
static void print_baseline_diff(const struct experiment *e, const struct exp_config *c, size_t m, const char *unit)
{
	const struct exp_config *b = &e->configs[e->baseline];
	char s1[32] = "-", s2[32] = "-";
	struct exp_pair p = { .diff = { .mean = NAN, .half = NAN } };

	if (complete(b) && exp_compare_stat(e, b, c, e->metrics[m].resource, e->metrics[m].stat, &p)) {
		exp_fmt_value(p.diff.mean, unit, s1, sizeof(s1));
		exp_fmt_value(p.diff.half, unit, s2, sizeof(s2));
	}
	printf(" %12s %12s%s", s1, s2, fabs(p.diff.mean) > p.diff.half ? " *" : "");
}

/* "3", or "a"/"b" in a comparison (a static buffer). */
static const char *config_name(const struct experiment *e, size_t i)
{
	static char buf[32];

	if (strcmp(e->cmd, "compare") == 0)
		return i ? "b" : "a";
	snprintf(buf, sizeof(buf), "%zu", i + 1);
	return buf;
}

/* With --precision: which configurations reached it. */
static void print_precision(const struct experiment *e)
{
	size_t reached = 0, shown = 0;

	if (e->precision <= 0)
		return;
	for (size_t i = 0; i < e->nconfigs; i++)
		reached += e->configs[i].reached;
	printf("\n  --precision %.3g%%: reached in %zu of %zu configurations", 100 * e->precision, reached, e->nconfigs);
	for (size_t i = 0; i < e->nconfigs; i++)
		if (!e->configs[i].reached && complete(&e->configs[i]) && shown++ < 20)
			printf("%s%s", shown == 1 ? "; NOT reached at --max-replications in " : ", ", config_name(e, i));
	shown = 0;
	for (size_t i = 0; i < e->nconfigs; i++)
		if (!complete(&e->configs[i]) && shown++ < 20)
			printf("%s%s", shown == 1 ? "; interrupted: " : ", ", config_name(e, i));
	printf("\n");
}

static void print_sweep(const struct experiment *e, const char *dir)
{
	char level[16];
	int width[64];

	snprintf(level, sizeof(level), "%.4g%%", 100 * e->confidence);
	printf("weir %s  %s  sweep of %zu configurations in %.2fs (%d %s)\n", WEIR_VERSION,
	       e->configs[0].sc->name, e->nconfigs, e->wall, e->ranks > 1 ? e->ranks : e->jobs,
	       e->ranks > 1 ? "MPI ranks" : e->jobs == 1 ? "process" : "processes");
	if (e->interrupted) {
		size_t done = 0;

		for (size_t i = 0; i < e->nconfigs; i++)
			done += complete(&e->configs[i]);
		printf("  interrupted: %zu of %zu configurations complete\n", done, e->nconfigs);
	}
	for (size_t p = 0; p < e->grid.nparams && p < 64; p++) {
		width[p] = (int)strlen(short_key(e->grid.params[p].key));
		for (size_t v = 0; v < e->grid.params[p].nvalues; v++)
			if ((int)strlen(e->grid.params[p].values[v]) > width[p])
				width[p] = (int)strlen(e->grid.params[p].values[v]);
		width[p] = width[p] > 24 ? 24 : width[p];
	}
	for (size_t m = 0; m < e->nmetrics; m++) {
		if (!e->user_metrics && !any_values(e, m))
			continue;   /* a key statistic nothing reached (an idle dead-letter queue) */
		printf("\n  %s/%s (mean +- %s half-width)\n  %-6s", e->metrics[m].resource, e->metrics[m].stat, level,
		       "config");
		for (size_t p = 0; p < e->grid.nparams && p < 64; p++)
			printf("  %*.*s", width[p], width[p], short_key(e->grid.params[p].key));
		if (e->baseline >= 0)
			printf(" %6s %12s %12s %12s %12s\n", "reps", "mean", "+-", "diff", "+- paired");
		else
			printf(" %6s %12s %12s\n", "reps", "mean", "+-");
		for (size_t i = 0; i < e->nconfigs; i++) {
			const struct exp_config *c = &e->configs[i];
			char unit[32], mean[32], half[32];
			struct stats_ci ci;

			if (!complete(c))
				continue;
			ci = exp_metric_ci(e, c, m, unit, sizeof(unit));
			printf("  %-6zu", i + 1);
			for (size_t p = 0; p < e->grid.nparams && p < 64; p++)
				printf("  %*.*s", width[p], width[p], grid_value(&e->grid, i, p));
			printf(" %6zu %12s %12s", c->folded, exp_fmt_value(ci.mean, unit, mean, sizeof(mean)),
			       exp_fmt_value(ci.half, unit, half, sizeof(half)));
			if (e->baseline >= 0)
				print_baseline_diff(e, c, m, unit);
			printf("\n");
		}
	}
	if (e->baseline >= 0)
		printf("\n  (diff: the mean difference from configuration %ld, replication by replication;\n"
		       "   * where its paired interval excludes 0)\n", e->baseline + 1);
	print_precision(e);
	printf("\n  results in %s/ (sweep.csv: every statistic of every configuration)\n", dir);
}

static void print_compare(const struct experiment *e, const char *dir)
{
	const struct exp_config *a = &e->configs[0], *b = &e->configs[1];

	printf("weir %s  compare %s (a) with %s (b): %zu paired replications in %.2fs\n", WEIR_VERSION,
	       a->sc->name, b->sc->name, a->folded, e->wall);
	printf("\n  %-40s %10s %10s %11s %11s %11s\n", "statistic", "a", "b", "b - a", "+- paired", "+- unpaired");
	for (size_t m = 0; m < e->nmetrics; m++) {
		char name[128], s1[32], s2[32], s3[32], s4[32], s5[32];
		struct exp_pair p;

		if (!exp_compare_stat(e, a, b, e->metrics[m].resource, e->metrics[m].stat, &p))
			continue;
		snprintf(name, sizeof(name), "%s/%s", e->metrics[m].resource, e->metrics[m].stat);
		printf("  %-40s %10s %10s %11s %11s %11s%s\n", name, exp_fmt_value(p.a.mean, p.unit, s1, sizeof(s1)),
		       exp_fmt_value(p.b.mean, p.unit, s2, sizeof(s2)), exp_fmt_value(p.diff.mean, p.unit, s3, sizeof(s3)),
		       exp_fmt_value(p.diff.half, p.unit, s4, sizeof(s4)),
		       exp_fmt_value(stats_welch_half(&p.a, &p.b, e->confidence), p.unit, s5, sizeof(s5)),
		       fabs(p.diff.mean) > p.diff.half ? "  *" : "");
	}
	printf("\n  (* the paired %.4g%% interval excludes 0: the difference is not noise at this level;\n"
	       "   +- unpaired: the half-width independent runs would give; every statistic in %s/compare.csv)\n",
	       100 * e->confidence, dir);
	print_precision(e);
}

/* ---- the commands ------------------------------------------------------------------ */

/* The default directory: out/NAME, out/NAME-sweep or out/A-vs-B. */
static char *default_dir(const struct experiment *e, const char *kind)
{
	if (strcmp(kind, "sweep") == 0)
		return weir_asprintf("out/%s-sweep", e->configs[0].sc->name);
	if (strcmp(kind, "compare") == 0)
		return weir_asprintf("out/%s-vs-%s", e->configs[0].sc->name, e->configs[1].sc->name);
	return weir_asprintf("out/%s", e->configs[0].sc->name);
}

static int finish(struct experiment *e, const char *const *v, const char *kind)
{
	struct topdir t = { 0 };
	char *dir = v[X_OUT] ? weir_strdup(v[X_OUT]) : default_dir(e, kind);
	int rc;

	t.rc = outdir_begin(&t.out, dir, t.err, sizeof(t.err));
	free(dir);
	if (t.rc == 0) {
		e->progress = isatty(2) && !e->quiet;
		rc = exp_run(e);
		if (rc != 0) {
			fprintf(stderr, "weir: error: %s\n", e->err);
			outdir_abort(&t.out);
			return rc;
		}
		if (strcmp(kind, "run") == 0) {
			if (complete(&e->configs[0]))
				t.rc = exp_write_config(e, &e->configs[0], t.out.tmp, t.err, sizeof(t.err));
		} else {
			write_configs(&t, e);
			if (strcmp(kind, "sweep") == 0) {
				write_manifest(&t, e);
				write_sweep_csv(&t, e);
			} else {
				write_compare_csv(&t, e);
			}
		}
		write_timing(&t, e);
		if (strcmp(kind, "run") != 0)
			write_top_run(&t, e, kind);
	}
	if (t.rc == 0 && e->interrupted && strcmp(kind, "run") == 0)
		t.rc = -1;    /* nothing complete to keep */
	if (t.rc == 0)
		t.rc = outdir_commit(&t.out, t.err, sizeof(t.err));
	if (t.rc != 0) {
		if (t.rc > 0)
			fprintf(stderr, "weir: error: %s\n", t.err);
		else
			fprintf(stderr, "weir: interrupted before the replications were complete; nothing written\n");
		outdir_abort(&t.out);
		return t.rc > 0 ? WEIR_EXIT_IO : WEIR_EXIT_INTERRUPTED;
	}
	if (!e->quiet) {
		if (strcmp(kind, "sweep") == 0)
			print_sweep(e, t.out.final);
		else if (strcmp(kind, "compare") == 0)
			print_compare(e, t.out.final);
		else
			print_run(e, t.out.final);
	}
	rc = 0;
	if (v[X_PLOT])
		rc = plot_run_dir(t.out.final, v[X_FORMAT] ? v[X_FORMAT] : "png", e->quiet);
	if (rc == 0 && e->interrupted) {
		fprintf(stderr, "weir: interrupted: the results cover the configurations that were complete\n");
		rc = WEIR_EXIT_INTERRUPTED;
	}
	outdir_abort(&t.out);
	return rc;
}

/* Loads, seeds and checks the experiment, runs it and writes it. */
static int run_experiment(struct experiment *e, const struct cli_args *a, const char *kind, bool seed_swept)
{
	int rc;

	if (e->dry)
		e->ranks = 1;                /* weir check: no MPI */
	else
		exp_mpi_init(e, NULL, NULL);
	if (e->rank > 0)
		e->quiet = true;
	rc = exp_load(e);
	if (rc == 0 && assign_seeds(e, a->values[X_SEED], seed_swept) != 0)
		rc = WEIR_EXIT_USAGE;
	if (rc == 0 && (rc = check_metrics(e)) < 0)
		rc = WEIR_EXIT_USAGE;
	if (rc == 0 && strcmp(kind, "compare") == 0)
		rc = check_comparable(e);
	if (rc == 0 && e->precision > 0 && e->replications == 0)
		e->replications = EXP_DEFAULT_MIN_REPLICATIONS;
	if (rc == 0 && e->precision > 0 && e->replications > e->max_replications) {
		fprintf(stderr, "weir %s: --max-replications (%zu) is below the first round of --precision (%zu "
			"replications, set by --replications)\n", e->cmd, e->max_replications, e->replications);
		rc = WEIR_EXIT_USAGE;
	}
	if (rc == 0 && e->baseline >= (long)e->nconfigs) {
		fprintf(stderr, "weir %s: %s %ld: the sweep has %zu configurations\n", e->cmd, e->baseline_source,
			e->baseline + 1, e->nconfigs);
		rc = WEIR_EXIT_USAGE;
	}
	e->lockstep = e->baseline >= 0 || strcmp(kind, "compare") == 0;
	if (rc == 0 && e->dry) {
		e->dry_configs = e->nconfigs;
		e->dry_replications = e->replications;
		return 0;   /* the caller releases e */
	}
	if (rc == 0) {
		cli_catch_signals();
		if (e->rank > 0)
			rc = exp_run(e) == EXP_WORKER_DONE ? 0 : WEIR_EXIT_INTERNAL;
		else
			rc = finish(e, a->values, kind);
		exp_mpi_release(e);   /* finish() may fail before exp_run: the other ranks wait */
	}
	exp_release(e);
	exp_mpi_finish();
	return rc;
}

int exp_cmd_run(const struct cli_args *a)
{
	struct experiment e = { .cmd = "run" };
	struct exp_config *c;

	exp_mpi_init(&e, NULL, NULL);     /* ranks 1..N-1 silent from the start, as in cmd_sweep */
	if (exp_options(&e, a->values) != 0) {
		exp_release(&e);
		exp_mpi_finish();
		return WEIR_EXIT_USAGE;
	}
	if (e.replications == 0 && e.precision == 0)
		e.replications = 1;
	c = add_config(&e, a->npos ? a->pos[0] : NULL, a);
	c->dir = weir_strdup("");
	c->label = weir_strdup("the scenario");
	return run_experiment(&e, a, "run", false);
}

static const char compare_usage[] =
	"usage: weir compare A.yaml B.yaml [options]\n"
	"\n"
	"Runs both scenarios for the same replications on common random numbers\n"
	"(replication r of each uses the same streams) and reports, for every\n"
	"statistic, the mean difference b - a with its paired confidence interval,\n"
	"beside the half-width unpaired runs would give. Writes compare.csv and a\n"
	"replicated run directory for each to out/A-vs-B/.\n";

static int compare_main(int argc, char **argv);

int cmd_compare(int argc, char **argv)
{
	struct experiment m = { .cmd = "compare" };
	int rc;

	exp_mpi_init(&m, NULL, NULL);     /* ranks 1..N-1 silent from the start, as in cmd_sweep */
	rc = compare_main(argc, argv);
	exp_mpi_finish();
	return rc;
}

static int compare_main(int argc, char **argv)
{
	struct cli_args a;
	struct experiment e = { .cmd = "compare" };
	int rc = cli_parse("compare", experiment_opts(), X_NRUN, argc, argv, &a, compare_usage);

	if (rc != 0)
		return rc < 0 ? WEIR_EXIT_OK : rc;
	if (a.npos != 2) {
		fprintf(stderr, "weir compare: give two scenario files (see 'weir compare --help')\n");
		return WEIR_EXIT_USAGE;
	}
	if (exp_options(&e, a.values) != 0) {
		exp_release(&e);
		return WEIR_EXIT_USAGE;
	}
	if (e.replications == 0)
		e.replications = e.precision > 0 ? EXP_DEFAULT_MIN_REPLICATIONS : 10;
	for (int i = 0; i < 2; i++) {
		struct exp_config *c = add_config(&e, a.pos[i], &a);

		c->dir = weir_strdup(i ? "b" : "a");
		c->label = weir_asprintf("%s (%s)", a.pos[i], i ? "b" : "a");
	}
	return run_experiment(&e, &a, "compare", false);
}

static const char sweep_usage[] =
	"usage: weir sweep SCENARIO --set KEY=V1,V2,... [--set KEY=FROM..TO step S] [options]\n"
	"\n"
	"Runs every combination of the swept values (a --set with a list or a\n"
	"range, or the scenario's sweep: section), each for --replications runs\n"
	"(default 10) on common random numbers, and writes sweep.csv (mean and\n"
	"confidence interval of every statistic per configuration), manifest.csv\n"
	"and a replicated run directory per configuration to out/NAME-sweep/.\n";

/* The key of a "key=value" assignment, or NULL. */
static char *set_key(const char *set)
{
	const char *eq = strchr(set, '=');

	return eq ? weir_strndup(set, (size_t)(eq - set)) : NULL;
}

/* True when fixed holds an override of key. */
static bool set_fixed(const struct cli_args *fixed, const char *key)
{
	for (size_t i = 0; i < fixed->nsets; i++) {
		size_t n = strlen(key);

		if (strncmp(fixed->sets[i], key, n) == 0 && fixed->sets[i][n] == '=')
			return true;
	}
	return false;
}

static bool set_on_command_line(const struct cli_args *a, const char *key)
{
	for (size_t i = 0; i < a->nsets; i++) {
		char *k = set_key(a->sets[i]);
		bool same = k && strcmp(k, key) == 0;

		free(k);
		if (same)
			return true;
	}
	return false;
}

/*
 * Sorts key=values into g (a list or a range: swept) or fixed (one plain
 * value: an override every configuration shares).
 */
static int sort_set(const char *cmd, const char *key, const char *values, const char *where, struct grid *g,
		    struct cli_args *fixed)
{
	char **items, err[512];
	bool range;
	long n = grid_split(values, &items, &range, err, sizeof(err));

	if (n < 0) {
		fprintf(stderr, "weir %s: %s: %s\n", cmd, where, err);
		return -1;
	}
	for (size_t p = 0; p < g->nparams; p++)
		if (strcmp(g->params[p].key, key) == 0) {
			fprintf(stderr, "weir %s: %s: '%s' is swept twice; give its values once\n", cmd, where, key);
			grid_free_values(items, (size_t)n);
			return -1;
		}
	if (n == 1 && !range) {
		if (fixed->nsets == sizeof(fixed->sets) / sizeof(fixed->sets[0])) {
			fprintf(stderr, "weir %s: too many fixed settings\n", cmd);
			grid_free_values(items, 1);
			return -1;
		}
		fixed->sets[fixed->nsets++] = weir_asprintf("%s=%s", key, items[0]);
		grid_free_values(items, 1);
	} else {
		grid_add(g, key, items, (size_t)n, range);
	}
	return 0;
}

/*
 * The grid: the scenario's sweep: section (keys the command line does not
 * set), then the command line's lists. Loads the scenario (with the fixed
 * overrides of the command line) into *base to read its sweep: section.
 */
static int build_grid(struct experiment *e, const struct cli_args *a, struct cli_args *fixed,
		      struct scenario **base, struct diags *d)
{
	struct grid cli = { 0 };
	bool *used;
	int rc = 0;

	for (size_t i = 0; i < a->nsets && rc == 0; i++) {
		char *key = set_key(a->sets[i]), where[300];

		snprintf(where, sizeof(where), "--set %s", a->sets[i]);
		if (!key)
			fixed->sets[fixed->nsets++] = weir_strdup(a->sets[i]);   /* the loader explains */
		else
			rc = sort_set(e->cmd, key, strchr(a->sets[i], '=') + 1, where, &cli, fixed);
		free(key);
	}
	if (rc == 0) {
		*base = scenario_load(a->pos[0], NULL, 0, fixed->sets, fixed->nsets, d);
		if (!e->dry || !*base)   /* weir check said the file's own diagnostics already */
			diag_print(d, stderr);
		rc = *base ? 0 : WEIR_EXIT_SCENARIO;
	}
	for (size_t p = 0; p < cli.nparams && rc == 0; p++)
		if (set_fixed(fixed, cli.params[p].key)) {
			fprintf(stderr, "weir %s: --set gives '%s' one value and a list; give it once\n", e->cmd,
				cli.params[p].key);
			rc = -1;
		}
	used = weir_calloc(cli.nparams + 1, sizeof(bool));
	/* The file's parameters in its order; a list on the command line takes its key's place. */
	for (size_t i = 0; rc == 0 && i < (*base)->sweep.parameters.len; i++) {
		const struct sweep_param_cfg *p = VEC_AT(&(*base)->sweep.parameters, struct sweep_param_cfg, i);
		char where[300];
		size_t q = 0;

		while (q < cli.nparams && strcmp(cli.params[q].key, p->head.name) != 0)
			q++;
		if (q < cli.nparams) {
			grid_add(&e->grid, cli.params[q].key, cli.params[q].values, cli.params[q].nvalues,
				 cli.params[q].range);
			cli.params[q].values = NULL;
			cli.params[q].nvalues = 0;
			used[q] = true;
			continue;
		}
		if (set_on_command_line(a, p->head.name))
			continue;   /* fixed by a single value */
		snprintf(where, sizeof(where), "%s: sweep.parameters.%s", a->pos[0], p->head.name);
		rc = sort_set(e->cmd, p->head.name, p->values, where, &e->grid, fixed);
	}
	for (size_t p = 0; p < cli.nparams && rc == 0; p++) {
		if (used[p])
			continue;
		grid_add(&e->grid, cli.params[p].key, cli.params[p].values, cli.params[p].nvalues, cli.params[p].range);
		cli.params[p].values = NULL;
		cli.params[p].nvalues = 0;
	}
	free(used);
	grid_release(&cli);
	return rc < 0 ? WEIR_EXIT_USAGE : rc;
}

static bool is_seed_param(const struct grid *g)
{
	for (size_t p = 0; p < g->nparams; p++)
		if (strcmp(g->params[p].key, "seed") == 0)
			return true;
	return false;
}

static int make_configs(struct experiment *e, const char *path, const struct cli_args *fixed)
{
	char err[512];
	size_t n = grid_size(&e->grid, err, sizeof(err)), width;

	if (n == 0) {
		fprintf(stderr, "weir sweep: %s\n", err);
		return -1;
	}
	width = n >= 1000 ? (size_t)floor(log10((double)n)) + 1 : 3;
	for (size_t i = 0; i < n; i++) {
		struct exp_config *c = add_config(e, path, fixed);
		size_t len = 0;
		char label[512];

		len += (size_t)snprintf(label, sizeof(label), "configuration %zu (", i + 1);
		for (size_t p = 0; p < e->grid.nparams; p++) {
			c->sets[c->nsets++] = weir_asprintf("%s=%s", e->grid.params[p].key, grid_value(&e->grid, i, p));
			if (len < sizeof(label))
				len += (size_t)snprintf(label + len, sizeof(label) - len, "%s%s=%s", p ? ", " : "",
							e->grid.params[p].key, grid_value(&e->grid, i, p));
		}
		if (len < sizeof(label))
			snprintf(label + len, sizeof(label) - len, ")");
		c->label = weir_strdup(label);
		c->dir = weir_asprintf("configs/%0*zu", (int)width, i + 1);
	}
	return 0;
}

static int sweep_main(int argc, char **argv);

/*
 * MPI starts first, so that ranks 1..N-1 are silent before the arguments
 * are parsed and the scenario loaded (build_grid loads it to read its
 * sweep: section); exp_mpi_finish is a no-op when run_experiment finished.
 */
int cmd_sweep(int argc, char **argv)
{
	struct experiment m = { .cmd = "sweep" };
	int rc;

	exp_mpi_init(&m, NULL, NULL);
	rc = sweep_main(argc, argv);
	exp_mpi_finish();
	return rc;
}

static int sweep_with(struct cli_args *a, bool dry, size_t *configs, size_t *reps);

static int sweep_main(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse("sweep", experiment_opts(), NXOPTS, argc, argv, &a, sweep_usage);

	if (rc != 0)
		return rc < 0 ? WEIR_EXIT_OK : rc;
	if (a.npos > 1 && strcmp(a.pos[1], "step") == 0) {
		fprintf(stderr, "weir sweep: quote a range with a step, it is one value: --set 'KEY=10..100 step 10'\n");
		return WEIR_EXIT_USAGE;
	}
	if (a.npos != 1) {
		fprintf(stderr, "weir sweep: give one scenario file (see 'weir sweep --help')\n");
		return WEIR_EXIT_USAGE;
	}
	return sweep_with(&a, false, NULL, NULL);
}

int exp_check_sweep(const char *path, const char *const *sets, size_t nsets, size_t *configs, size_t *reps)
{
	struct cli_args a = { .npos = 1, .pos = { path } };

	for (size_t i = 0; i < nsets; i++)
		a.sets[a.nsets++] = sets[i];
	return sweep_with(&a, true, configs, reps);
}

/* The sweep a.pos[0] and a's options describe: run it, or with dry only check it. */
static int sweep_with(struct cli_args *a_in, bool dry, size_t *configs, size_t *reps)
{
	struct cli_args a = *a_in, fixed = { 0 };
	struct experiment e = { .cmd = dry ? "check" : "sweep", .dry = dry };
	struct diags d = { 0 };
	struct scenario *base = NULL;
	int rc;

	if (exp_options(&e, a.values) != 0) {
		exp_release(&e);
		return WEIR_EXIT_USAGE;
	}
	rc = build_grid(&e, &a, &fixed, &base, &d);
	if (rc == 0) {
		e.grid.zip = a.values[X_ZIP] != NULL || base->sweep.zip;
		if (e.replications == 0)
			e.replications = base->sweep.replications != INT64_MIN ? (size_t)base->sweep.replications
					 : e.precision > 0 ? EXP_DEFAULT_MIN_REPLICATIONS : 10;
		if (base->sweep.baseline != INT64_MIN)
			e.baseline = (long)base->sweep.baseline - 1;
		if (!e.user_metrics && base->sweep.metrics &&
		    add_metrics(&e, base->sweep.metrics, "the sweep: section's metrics") != 0)
			rc = WEIR_EXIT_SCENARIO;
		e.baseline_source = "the sweep: section's baseline";
	}
	if (rc == 0 && a.values[X_BASELINE]) {
		long b;

		if (parse_count("sweep", "--baseline", a.values[X_BASELINE], 1, GRID_MAX_CONFIGS, &b) != 0)
			rc = WEIR_EXIT_USAGE;
		else
			e.baseline = b - 1;
		e.baseline_source = "--baseline";
	}
	if (rc == 0 && e.grid.nparams == 0 && !dry) {
		fprintf(stderr, "weir sweep: nothing to sweep: give --set KEY=V1,V2,... (or a range FROM..TO step S), "
			"or a sweep: section in the scenario\n");
		rc = WEIR_EXIT_USAGE;
	}
	if (rc == 0 && make_configs(&e, a.pos[0], &fixed) != 0)
		rc = WEIR_EXIT_USAGE;
	for (size_t i = 0; i < fixed.nsets; i++)
		free((char *)fixed.sets[i]);
	scenario_free(base);
	for (size_t i = 0; i < d.items.len; i++) {
		const struct diag *g = VEC_AT(&d.items, struct diag, i);

		if (g->level != DIAG_WARNING)
			continue;
		e.base_warnings = weir_realloc(e.base_warnings, (e.nbase_warnings + 1) * sizeof(char *));
		e.base_warnings[e.nbase_warnings++] = weir_strdup(g->msg);
	}
	diag_release(&d);
	if (dry && rc == WEIR_EXIT_USAGE)
		rc = WEIR_EXIT_SCENARIO;   /* weir check: the scenario's sweep: section is invalid */
	if (rc != 0) {
		exp_release(&e);
		return rc;
	}
	/* The configurations repeat the file's warnings: say them once (above). */
	e.silent_load = true;
	rc = run_experiment(&e, &a, "sweep", is_seed_param(&e.grid));
	if (dry && rc == WEIR_EXIT_USAGE)
		rc = WEIR_EXIT_SCENARIO;
	if (dry && rc == 0) {   /* a dry run leaves e to us; a failed one released it */
		*configs = e.dry_configs;
		*reps = e.dry_replications;
		exp_release(&e);
	}
	return rc;
}

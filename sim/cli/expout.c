/*
 * expout.c - what an experiment writes for each configuration: a replicated
 * run directory.
 *
 *   summary.csv          every statistic's mean, sd and confidence interval
 *   replications.csv     every statistic of every replication (tidy)
 *   timeseries.csv       the across-replication mean of every column, period
 *                        by period (the columns of a single run, so `weir
 *                        plot` draws it)
 *   timeseries-ci.csv    the confidence band of every column
 *   warmup.csv           MSER-5's truncation point for every column
 *   resources.csv, dictionary.csv, scenario.yaml, run.csv
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
#include <sys/stat.h>

char *exp_fmt_value(double v, const char *unit, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (strcmp(unit, "seconds") == 0)
		fmt_seconds(v, buf, n);
	else if (strcmp(unit, "milliseconds") == 0)
		fmt_seconds(v / 1e3, buf, n);
	else if (strcmp(unit, "dollars") == 0)
		snprintf(buf, n, "$%.4g", v);
	else if (strcmp(unit, "fraction") == 0)
		snprintf(buf, n, "%.3g%%", 100 * v);
	else
		snprintf(buf, n, "%.4g", v);
	return buf;
}

int exp_parse_level(const char *cmd, const char *opt, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end != s && *end == '%' && end[1] == '\0')
		v /= 100;
	else if (end == s || *end)
		v = NAN;
	if (!(v > 0 && v < 1)) {
		bool prec = strcmp(opt, "--precision") == 0;

		fprintf(stderr, "weir %s: %s takes a fraction between 0 and 1 or a percentage (e.g. %s), not '%s'\n",
			cmd, opt, prec ? "5% or 0.05" : "95% or 0.95", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* ---- files ------------------------------------------------------------------ */

struct out {
	char *dir;
	char *err;
	size_t errlen;
	int rc;
};

static int begin(struct out *o, struct csvw *w, const char *name)
{
	char *path = weir_asprintf("%s/%s", o->dir, name);

	memset(w, 0, sizeof(*w));   /* closing a writer that was never opened is safe */
	if (o->rc == 0 && (o->rc = csvw_open(w, path)) != 0)
		snprintf(o->err, o->errlen, "cannot create '%s': %s", path, strerror(o->rc));
	free(path);
	return o->rc;
}

static void end(struct out *o, struct csvw *w, const char *name)
{
	int rc = csvw_close(w);

	if (rc != 0 && o->rc == 0) {
		o->rc = rc;
		snprintf(o->err, o->errlen, "writing '%s/%s' failed: %s", o->dir, name, strerror(rc));
	}
}

static void row_str(struct csvw *w, const char *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csvw_str(w, f[i]);
	csvw_end_row(w);
}

static void write_summary(struct out *o, const struct experiment *e, const struct exp_config *c)
{
	static const char *const head[] = { "resource", "kind", "statistic", "unit", "mean", "sd", "ci_low",
					     "ci_high", "replications" };
	const struct rep_result *r0 = &c->res[0];
	struct csvw w;

	if (begin(o, &w, "summary.csv") != 0)
		return;
	row_str(&w, head, sizeof(head) / sizeof(head[0]));
	for (size_t i = 0; i < r0->nrows; i++) {
		double *x = exp_row_values(c, i);
		struct stats_ci ci = stats_interval_of(x, c->folded, e->confidence);

		csvw_str(&w, r0->resource[i]);
		csvw_str(&w, r0->kind[i]);
		csvw_str(&w, r0->stat[i]);
		csvw_str(&w, r0->unit[i]);
		csvw_num(&w, ci.mean);
		csvw_num(&w, ci.sd);
		csvw_num(&w, ci.mean - ci.half);
		csvw_num(&w, ci.mean + ci.half);
		csvw_int(&w, (int64_t)ci.n);
		csvw_end_row(&w);
		free(x);
	}
	end(o, &w, "summary.csv");
}

static void write_replications(struct out *o, const struct exp_config *c)
{
	static const char *const head[] = { "replication", "resource", "statistic", "unit", "value" };
	struct csvw w;

	if (begin(o, &w, "replications.csv") != 0)
		return;
	row_str(&w, head, sizeof(head) / sizeof(head[0]));
	for (size_t k = 0; k < c->folded; k++)
		for (size_t i = 0; i < c->res[k].nrows; i++) {
			csvw_int(&w, (int64_t)k);
			csvw_str(&w, c->res[k].resource[i]);
			csvw_str(&w, c->res[k].stat[i]);
			csvw_str(&w, c->res[k].unit[i]);
			csvw_num(&w, c->res[k].value[i]);
			csvw_end_row(&w);
		}
	end(o, &w, "replications.csv");
}

char **exp_column_names(const struct exp_config *c)
{
	char **names = weir_calloc(c->ncol + 1, sizeof(char *));
	const char *p = strchr(c->ts_header, ',');

	for (size_t k = 0; k < c->ncol && p; k++) {
		const char *q = strchr(p + 1, ',');

		names[k] = q ? weir_strndup(p + 1, (size_t)(q - p - 1)) : weir_strdup(p + 1);
		p = q;
	}
	for (size_t k = 0; k < c->ncol; k++)
		if (!names[k])
			names[k] = weir_strdup("");
	return names;
}

void exp_free_names(char **names, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(names[k]);
	free(names);
}

static void write_series(struct out *o, const struct experiment *e, const struct exp_config *c, char **names)
{
	struct csvw w, b;

	if (begin(o, &w, "timeseries.csv") != 0 || begin(o, &b, "timeseries-ci.csv") != 0) {
		csvw_close(&w);
		return;
	}
	csvw_str(&w, "time_s");
	csvw_str(&b, "time_s");
	for (size_t k = 0; k < c->ncol; k++) {
		char *lo = weir_asprintf("%s.ci_low", names[k]), *hi = weir_asprintf("%s.ci_high", names[k]);

		csvw_str(&w, names[k]);
		csvw_str(&b, lo);
		csvw_str(&b, hi);
		free(lo);
		free(hi);
	}
	csvw_end_row(&w);
	csvw_end_row(&b);
	for (size_t p = 0; p < c->nper; p++) {
		csvw_num(&w, c->ts_time[p]);
		csvw_num(&b, c->ts_time[p]);
		for (size_t k = 0; k < c->ncol; k++) {
			struct stats_ci ci = stats_interval(&c->ts_acc[p * c->ncol + k], e->confidence);

			csvw_num(&w, ci.mean);
			csvw_num(&b, ci.mean - ci.half);
			csvw_num(&b, ci.mean + ci.half);
		}
		csvw_end_row(&w);
		csvw_end_row(&b);
	}
	end(o, &w, "timeseries.csv");
	end(o, &b, "timeseries-ci.csv");
}

/*
 * warmup.csv: for each column, the warm-up MSER-5 suggests from the
 * across-replication mean (the mean smooths the noise the rule would
 * otherwise chase), as simulated seconds.
 */
double exp_column_warmup(const struct exp_config *c, size_t k, bool *reliable)
{
	double *y = weir_calloc(c->nper + 1, sizeof(double));
	long d;

	for (size_t p = 0; p < c->nper; p++)
		y[p] = c->ts_acc[p * c->ncol + k].n ? c->ts_acc[p * c->ncol + k].mean : NAN;
	d = stats_mser(y, c->nper, reliable);
	free(y);
	if (d < 0)
		return NAN;
	return d == 0 ? 0 : c->ts_time[(size_t)d * STATS_MSER_BATCH - 1];   /* the end of the last period cut */
}

static void write_warmup(struct out *o, const struct exp_config *c, char **names)
{
	static const char *const head[] = { "column", "mser5_warmup_s", "reliable", "scenario_warmup_s" };
	struct csvw w;

	if (begin(o, &w, "warmup.csv") != 0)
		return;
	row_str(&w, head, sizeof(head) / sizeof(head[0]));
	for (size_t k = 0; k < c->ncol; k++) {
		bool reliable;
		double at = exp_column_warmup(c, k, &reliable);

		csvw_str(&w, names[k]);
		csvw_num(&w, at);
		csvw_str(&w, isnan(at) ? "" : reliable ? "true" : "false");
		csvw_num(&w, sim_time_to_sec(c->sc->warmup));
		csvw_end_row(&w);
	}
	end(o, &w, "warmup.csv");
}

static void write_world_files(struct out *o, const struct exp_config *c)
{
	struct world_opts opts = { .seed = c->seed };
	char err[256];
	struct world *world = world_create(c->sc, &opts, err, sizeof(err));
	struct csvw w;

	if (!world) {
		if (o->rc == 0) {
			o->rc = EINVAL;
			snprintf(o->err, o->errlen, "%s", err);
		}
		return;
	}
	if (begin(o, &w, "resources.csv") == 0) {
		world_write_resources(world, &w);
		end(o, &w, "resources.csv");
	}
	if (begin(o, &w, "dictionary.csv") == 0) {
		world_write_dictionary(world, &w);
		end(o, &w, "dictionary.csv");
	}
	world_destroy(world);
}

static void write_scenario(struct out *o, const struct exp_config *c)
{
	char *path = weir_asprintf("%s/scenario.yaml", o->dir);
	FILE *f = fopen(path, "w");
	const struct diag_source *src = c->sc->doc->src;
	int rc = 0;

	/* A sweep configuration's file is the sweep's: say how to run this configuration alone. */
	if (f && c->nsets > 0 && *c->dir) {
		fputs("# weir: this configuration ran this file with the overrides in run.csv; to run it alone:\n"
		      "#   weir run scenario.yaml", f);
		for (size_t i = 0; i < c->nsets; i++) {
			fputs(" --set '", f);
			for (const char *p = c->sets[i]; *p; p++) {
				if (*p == '\'')
					fputs("'\\''", f);    /* the shell's quote inside quotes */
				else if (*p == '\n')
					fputs("\\n", f);      /* the comment stays one line */
				else
					fputc(*p, f);
			}
			fputc('\'', f);
		}
		fputs("\n", f);
	}
	if (!f || fwrite(src->text, 1, src->len, f) != src->len)
		rc = errno ? errno : EIO;
	if (f && fclose(f) != 0 && !rc)
		rc = errno;
	if (rc && o->rc == 0) {
		o->rc = rc;
		snprintf(o->err, o->errlen, "writing '%s' failed: %s", path, strerror(rc));
	}
	free(path);
}

static void write_run(struct out *o, const struct experiment *e, const struct exp_config *c)
{
	const struct scenario *sc = c->sc;
	double events = 0;
	struct csvw w;

	if (begin(o, &w, "run.csv") != 0)
		return;
	for (size_t k = 0; k < c->folded; k++)
		events += c->res[k].events;
	csvw_kv(&w, "key", "value");
	csvw_kv(&w, "weir_version", WEIR_VERSION);
	csvw_kv(&w, "kind", "replications");
	csvw_kv(&w, "scenario", sc->name);
	csvw_kv(&w, "scenario_file", c->path ? c->path : "(bundled) scenarios/default.yaml");
	csvw_kv_num(&w, "seed", (double)c->seed);
	csvw_kv_num(&w, "replications", (double)c->folded);
	csvw_kv_num(&w, "confidence", e->confidence);
	if (e->precision > 0) {
		csvw_kv_num(&w, "precision", e->precision);
		csvw_kv(&w, "precision_reached", c->reached ? "true" : "false");
	}
	csvw_kv_num(&w, "duration_s", sim_time_to_sec(sc->duration));
	csvw_kv_num(&w, "warmup_s", sim_time_to_sec(sc->warmup));
	csvw_kv_num(&w, "metrics_period_s", sim_time_to_sec(sc->metrics.period));
	csvw_kv_num(&w, "simulated_s", c->folded ? c->res[0].simulated_s : 0);
	csvw_kv_num(&w, "events", events);
	csvw_kv(&w, "interrupted", "false");
	for (size_t i = 0; i < c->nsets; i++)
		csvw_kv(&w, "set", c->sets[i]);
	for (size_t m = 0; m < e->nmetrics; m++) {
		char *name = weir_asprintf("%s/%s", e->metrics[m].resource, e->metrics[m].stat);

		csvw_kv(&w, "metric", name);
		free(name);
	}
	end(o, &w, "run.csv");
}

int exp_write_config(const struct experiment *e, const struct exp_config *c, const char *tmp, char *err,
		     size_t errlen)
{
	struct out o = { .err = err, .errlen = errlen };
	char **names;

	o.dir = *c->dir ? weir_asprintf("%s/%s", tmp, c->dir) : weir_strdup(tmp);
	if (*c->dir) {
		char *parent = weir_strdup(o.dir);

		*strrchr(parent, '/') = '\0';
		if ((mkdir(parent, 0777) != 0 && errno != EEXIST) || mkdir(o.dir, 0777) != 0) {
			o.rc = errno;
			snprintf(err, errlen, "cannot create '%s': %s", o.dir, strerror(o.rc));
		}
		free(parent);
	}
	names = exp_column_names(c);
	write_summary(&o, e, c);
	write_replications(&o, c);
	write_series(&o, e, c, names);
	write_warmup(&o, c, names);
	write_world_files(&o, c);
	write_scenario(&o, c);
	write_run(&o, e, c);     /* last: its presence marks a complete directory */
	exp_free_names(names, c->ncol);
	free(o.dir);
	return o.rc;
}

/*
 * dist.c - distributions written in scenarios: parsing with located errors,
 * sampling with GSL, analytic moments.
 *
 * Parsing goes in three steps: split "name(key=value, ...)" into arguments
 * with the shared splitter (call.h), match each argument to the
 * distribution's parameter table and read its value with the units parser,
 * then let the distribution's build function check the combination and the
 * ranges and convert to GSL's parameters in base units (struct dist). Every
 * error carries the offset and length of the offending text, so the caller
 * can put a caret under it.
 *
 * Empirical distributions read one column of a CSV file at parse time
 * (through csvr, strict, with csvr's header rule decided by whether a cell
 * parses as a value) and resample its values uniformly.
 */
#include "weir/dist.h"
#include "weir/base.h"
#include "weir/call.h"
#include "weir/csvr.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#define MAX_PARAMS 6          /* most parameters a distribution has (lognormal) */
#define LOGNORMAL_P 0.99      /* the quantile p99= names */
#define US_PER_SEC 1e6        /* mu= and sigma= of durations are in ln(seconds) */

enum ptype {
	P_VALUE, /* a value of the distribution's unit kind */
	P_RATE,  /* a rate (exponential durations only) */
	P_REAL,  /* a plain number of any sign: shape, mu, sigma */
	P_TEXT   /* kept as text: file, column, unit */
};

struct param {
	const char *key;
	enum ptype type;
};

struct dist_call;
typedef int build_fn(const struct dist_call *c, struct dist *d, struct parse_err *err);

struct dist_spec {
	const char *name;
	enum dist_kind kind;
	bool positional;              /* the first parameter may be given without key= */
	struct param params[MAX_PARAMS + 1];
	const char *usage;            /* for messages */
	build_fn *build;
};

/* A parsed "name(args)" on its way to a struct dist. */
struct dist_call {
	const char *text;
	enum unit_kind unit;
	const char *base_dir;
	const struct dist_spec *spec;
	struct call call;                         /* the text split into name and arguments */
	const struct call_arg *given[MAX_PARAMS]; /* the argument giving each parameter, or NULL */
	double val[MAX_PARAMS];                   /* its value (not for P_TEXT) */
};

static build_fn build_constant, build_exponential, build_uniform, build_normal,
	build_lognormal, build_gamma, build_weibull, build_pareto, build_empirical;

static const struct dist_spec specs[] = {
	{ "constant", DIST_CONSTANT, true, { { "value", P_VALUE } },
	  "constant(VALUE)", build_constant },
	{ "exponential", DIST_EXPONENTIAL, false, { { "mean", P_VALUE }, { "rate", P_RATE } },
	  "exponential(mean=...) or exponential(rate=...)", build_exponential },
	{ "uniform", DIST_UNIFORM, false, { { "min", P_VALUE }, { "max", P_VALUE } },
	  "uniform(min=..., max=...)", build_uniform },
	{ "normal", DIST_NORMAL, false, { { "mean", P_VALUE }, { "sd", P_VALUE } },
	  "normal(mean=..., sd=...)", build_normal },
	{ "lognormal", DIST_LOGNORMAL, false,
	  { { "median", P_VALUE }, { "p99", P_VALUE }, { "mean", P_VALUE }, { "sd", P_VALUE },
	    { "mu", P_REAL }, { "sigma", P_REAL } },
	  "lognormal(median=..., p99=...), lognormal(mean=..., sd=...) or lognormal(mu=..., sigma=...)",
	  build_lognormal },
	{ "gamma", DIST_GAMMA, false, { { "shape", P_REAL }, { "scale", P_VALUE }, { "mean", P_VALUE } },
	  "gamma(shape=..., scale=...) or gamma(shape=..., mean=...)", build_gamma },
	{ "weibull", DIST_WEIBULL, false, { { "shape", P_REAL }, { "scale", P_VALUE } },
	  "weibull(shape=..., scale=...)", build_weibull },
	{ "pareto", DIST_PARETO, false, { { "shape", P_REAL }, { "scale", P_VALUE } },
	  "pareto(shape=..., scale=...)", build_pareto },
	{ "empirical", DIST_EMPIRICAL, false,
	  { { "file", P_TEXT }, { "column", P_TEXT }, { "unit", P_TEXT } },
	  "empirical(file=PATH[, column=NAME|NUMBER][, unit=UNIT])", build_empirical },
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))
#define DIST_NAMES "constant, exponential, uniform, normal, lognormal, gamma, weibull, pareto or empirical"

static const char *const kind_names[] = {
	[DIST_NONE] = "none", [DIST_CONSTANT] = "constant", [DIST_EXPONENTIAL] = "exponential",
	[DIST_UNIFORM] = "uniform", [DIST_NORMAL] = "normal", [DIST_LOGNORMAL] = "lognormal",
	[DIST_GAMMA] = "gamma", [DIST_WEIBULL] = "weibull", [DIST_PARETO] = "pareto",
	[DIST_EMPIRICAL] = "empirical",
};

const char *dist_kind_name(enum dist_kind kind)
{
	WEIR_ASSERT(kind >= DIST_NONE && kind <= DIST_EMPIRICAL);
	return kind_names[kind];
}

/* ---- small helpers ---- */

/* Reads s, found at off in the text, as a value of kind unit; signed allows a leading '-'. */
static int read_number(const char *s, size_t off, enum unit_kind unit, bool is_signed, double *v,
		       struct parse_err *err)
{
	size_t skip = is_signed && s[0] == '-' ? 1 : 0;

	if (units_parse(unit, s + skip, v, err) < 0) {
		err->offset += off + skip;
		return -1;
	}
	if (skip)
		*v = -*v;
	return 0;
}

/* ---- the distribution's name ---- */

static const struct dist_spec *find_spec(const char *name, size_t len)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (strlen(specs[i].name) == len && strncmp(specs[i].name, name, len) == 0)
			return &specs[i];
	return NULL;
}

/* The name of a distribution a few edits from name[0, len), or NULL. */
static const char *near_spec(const char *name, size_t len)
{
	const char *names[NSPECS];

	for (size_t i = 0; i < NSPECS; i++)
		names[i] = specs[i].name;
	return weir_suggest(name, len, names, NSPECS);
}

/* name[0, len), found at off in the text, names no distribution. */
static int unknown_dist(const char *name, size_t off, size_t len, struct parse_err *err)
{
	const char *near = near_spec(name, len);

	if (near)
		return parse_fail(err, off, len,
				  "unknown distribution '%.*s' (did you mean '%s'? use " DIST_NAMES ")",
				  parse_qlen(len), name, near);
	return parse_fail(err, off, len, "unknown distribution '%.*s' (use " DIST_NAMES ")",
			  parse_qlen(len), name);
}

/* Sets c->spec from the call's name, or fills err when the name is unknown. */
static int find_named(struct dist_call *c, struct parse_err *err)
{
	const char *name = c->text + c->call.name_off;

	c->spec = find_spec(name, c->call.name_len);
	return c->spec ? 0 : unknown_dist(name, c->call.name_off, c->call.name_len, err);
}

/* ---- matching arguments to parameters ---- */

static int param_count(const struct dist_spec *spec)
{
	int n = 0;

	while (n < MAX_PARAMS && spec->params[n].key)
		n++;
	return n;
}

/* "mean and rate", "shape, scale and mean" */
static void list_params(const struct dist_spec *spec, char *buf, size_t n)
{
	int count = param_count(spec);

	buf[0] = '\0';
	for (int i = 0; i < count; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, n - used, "%s%s", i == 0 ? "" : i == count - 1 ? " and " : ", ",
			 spec->params[i].key);
	}
}

static int find_param(const struct dist_spec *spec, const char *key)
{
	for (int i = 0; i < param_count(spec); i++)
		if (strcmp(spec->params[i].key, key) == 0)
			return i;
	return -1;
}

static int unknown_param(const struct dist_call *c, const struct call_arg *a, struct parse_err *err)
{
	const char *keys[MAX_PARAMS], *near;
	char expected[128];
	int n = param_count(c->spec);

	for (int i = 0; i < n; i++)
		keys[i] = c->spec->params[i].key;
	near = weir_suggest(a->key, a->key_len, keys, (size_t)n);
	list_params(c->spec, expected, sizeof(expected));
	if (near)
		return parse_fail(err, a->key_off, a->key_len,
				  "unknown parameter '%.*s' for %s (did you mean '%s'? the parameters of %s are %s)",
				  parse_qlen(a->key_len), a->key, c->spec->name, near, c->spec->name, expected);
	return parse_fail(err, a->key_off, a->key_len,
			  "unknown parameter '%.*s' for %s (the parameters of %s are %s)",
			  parse_qlen(a->key_len), a->key, c->spec->name, c->spec->name, expected);
}

/* The index of the parameter argument a gives, or -1 with err filled. */
static int arg_param(const struct dist_call *c, const struct call_arg *a, struct parse_err *err)
{
	char expected[128];
	int i;

	if (!a->key) {
		if (c->spec->positional)
			return 0;
		list_params(c->spec, expected, sizeof(expected));
		return parse_fail(err, a->val_off, a->val_len,
				  "missing name before '%.*s' (write key=value; the parameters of %s are %s)",
				  parse_qlen(a->val_len), a->value, c->spec->name, expected);
	}
	i = find_param(c->spec, a->key);
	return i >= 0 ? i : unknown_param(c, a, err);
}

/* Reads the value of argument a as parameter i. */
static int arg_value(struct dist_call *c, const struct call_arg *a, int i, struct parse_err *err)
{
	enum ptype type = c->spec->params[i].type;

	if (type == P_TEXT)
		return 0;
	if (type == P_RATE && c->unit != UNIT_DURATION)
		return parse_fail(err, a->key_off, a->key_len, "rate= is only for durations (use mean=)");
	if (type == P_RATE)
		return read_number(a->value, a->val_off, UNIT_RATE, false, &c->val[i], err);
	if (type == P_REAL)
		return read_number(a->value, a->val_off, UNIT_NONE, true, &c->val[i], err);
	return read_number(a->value, a->val_off, c->unit, c->unit == UNIT_NONE, &c->val[i], err);
}

static int match_args(struct dist_call *c, struct parse_err *err)
{
	for (size_t k = 0; k < c->call.nargs; k++) {
		const struct call_arg *a = &c->call.args[k];
		int i = arg_param(c, a, err);

		if (i < 0)
			return -1;
		if (c->given[i])
			return parse_fail(err, a->key_len ? a->key_off : a->val_off,
					  a->key_len ? a->key_len : a->val_len, "parameter '%s' is given twice",
					  c->spec->params[i].key);
		if (arg_value(c, a, i, err) < 0)
			return -1;
		c->given[i] = a;
	}
	return 0;
}

/* ---- what build functions use ---- */

static int pidx(const struct dist_call *c, const char *key)
{
	int i = find_param(c->spec, key);

	WEIR_ASSERT(i >= 0);
	return i;
}

static const struct call_arg *given(const struct dist_call *c, const char *key)
{
	return c->given[pidx(c, key)];
}

static double val(const struct dist_call *c, const char *key)
{
	return c->val[pidx(c, key)];
}

/* The value text of a given parameter, for "%.*s". */
#define VAL_TEXT(c, key) parse_qlen(given(c, key)->val_len), given(c, key)->value

static int require(const struct dist_call *c, const char *key, struct parse_err *err)
{
	if (given(c, key))
		return 0;
	return parse_fail(err, c->call.name_off, c->call.name_len, "missing parameter '%s' (write %s)", key,
			  c->spec->usage);
}

/* Exactly one of a and b must be given. */
static int one_of(const struct dist_call *c, const char *a, const char *b, struct parse_err *err)
{
	const struct call_arg *ga = given(c, a), *gb = given(c, b);

	if (ga && gb) {
		const struct call_arg *later = ga > gb ? ga : gb;

		return parse_fail(err, later->key_off, later->key_len,
				  "'%s' and '%s' cannot be given together (write %s)", a, b, c->spec->usage);
	}
	if (!ga && !gb)
		return parse_fail(err, c->call.name_off, c->call.name_len, "missing parameter '%s' or '%s' (write %s)",
				  a, b, c->spec->usage);
	return 0;
}

static int positive(const struct dist_call *c, const char *key, struct parse_err *err)
{
	const struct call_arg *a = given(c, key);

	if (val(c, key) > 0)
		return 0;
	return parse_fail(err, a->val_off, a->val_len, "%s must be greater than 0 (got %.*s)", key,
			  VAL_TEXT(c, key));
}

static int non_negative(const struct dist_call *c, const char *key, struct parse_err *err)
{
	const struct call_arg *a = given(c, key);

	if (val(c, key) >= 0)
		return 0;
	return parse_fail(err, a->val_off, a->val_len, "%s must be at least 0 (got %.*s)", key,
			  VAL_TEXT(c, key));
}

/* Parameter hi must be greater than parameter lo. */
static int greater(const struct dist_call *c, const char *hi, const char *lo, struct parse_err *err)
{
	const struct call_arg *a = given(c, hi);

	if (val(c, hi) > val(c, lo))
		return 0;
	return parse_fail(err, a->val_off, a->val_len, "%s must be greater than %s (got %s=%.*s, %s=%.*s)",
			  hi, lo, lo, VAL_TEXT(c, lo), hi, VAL_TEXT(c, hi));
}

/* ---- one build function per distribution ---- */

static int build_constant(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	if (require(c, "value", err) < 0)
		return -1;
	d->a = val(c, "value");
	return 0;
}

static int build_exponential(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	if (one_of(c, "mean", "rate", err) < 0)
		return -1;
	if (given(c, "rate")) {
		if (positive(c, "rate", err) < 0)
			return -1;
		d->a = US_PER_SEC / val(c, "rate");
		return 0;
	}
	if (positive(c, "mean", err) < 0)
		return -1;
	d->a = val(c, "mean");
	return 0;
}

static int build_uniform(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	if (require(c, "min", err) < 0 || require(c, "max", err) < 0 ||
	    greater(c, "max", "min", err) < 0)
		return -1;
	d->a = val(c, "min");
	d->b = val(c, "max");
	return 0;
}

/* Normal draws of durations, rates and sizes are truncated at 0. */
static bool truncated(const struct dist *d)
{
	return d->unit != UNIT_NONE;
}

static int build_normal(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	if (require(c, "mean", err) < 0 || require(c, "sd", err) < 0 ||
	    non_negative(c, "sd", err) < 0 || (truncated(d) && non_negative(c, "mean", err) < 0))
		return -1;
	d->a = val(c, "mean");
	d->b = val(c, "sd");
	return 0;
}

/* mu = ln(median), sigma = ln(p99 / median) / z(0.99). */
static int lognormal_quantiles(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	if (positive(c, "median", err) < 0 || greater(c, "p99", "median", err) < 0)
		return -1;
	d->a = log(val(c, "median"));
	d->b = (log(val(c, "p99")) - d->a) / gsl_cdf_ugaussian_Pinv(LOGNORMAL_P);
	return 0;
}

/* sigma^2 = ln(1 + sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2. */
static int lognormal_moments(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	double mean = val(c, "mean"), sd = val(c, "sd"), s2;

	if (positive(c, "mean", err) < 0 || non_negative(c, "sd", err) < 0)
		return -1;
	s2 = log1p(sd * sd / (mean * mean));
	d->a = log(mean) - s2 / 2;
	d->b = sqrt(s2);
	return 0;
}

/* mu is of ln(seconds) for durations: shift it to ln(microseconds). */
static int lognormal_logs(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	if (non_negative(c, "sigma", err) < 0)
		return -1;
	d->a = val(c, "mu") + (d->unit == UNIT_DURATION ? log(US_PER_SEC) : 0);
	d->b = val(c, "sigma");
	return 0;
}

static int build_lognormal(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	static const char *const pairs[3][2] = { { "median", "p99" }, { "mean", "sd" }, { "mu", "sigma" } };
	int pair = -1;

	for (int p = 0; p < 3; p++) {
		const struct call_arg *a = given(c, pairs[p][0]) ? given(c, pairs[p][0]) : given(c, pairs[p][1]);

		if (a && pair >= 0)
			return parse_fail(err, a->key_off, a->key_len, "'%.*s' cannot be combined with '%s' (write %s)",
					  parse_qlen(a->key_len), a->key,
					  given(c, pairs[pair][0]) ? pairs[pair][0] : pairs[pair][1], c->spec->usage);
		if (a)
			pair = p;
	}
	if (pair < 0)
		return parse_fail(err, c->call.name_off, c->call.name_len, "missing parameters (write %s)",
				  c->spec->usage);
	if (require(c, pairs[pair][0], err) < 0 || require(c, pairs[pair][1], err) < 0)
		return -1;
	return pair == 0 ? lognormal_quantiles(c, d, err)
	     : pair == 1 ? lognormal_moments(c, d, err) : lognormal_logs(c, d, err);
}

static int build_gamma(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	const char *scale = given(c, "mean") ? "mean" : "scale";

	if (require(c, "shape", err) < 0 || positive(c, "shape", err) < 0 ||
	    one_of(c, "scale", "mean", err) < 0 || positive(c, scale, err) < 0)
		return -1;
	d->a = val(c, "shape");
	d->b = given(c, "mean") ? val(c, "mean") / d->a : val(c, "scale");
	return 0;
}

static int shape_scale(const struct dist_call *c, double *shape, double *scale, struct parse_err *err)
{
	if (require(c, "shape", err) < 0 || require(c, "scale", err) < 0 ||
	    positive(c, "shape", err) < 0 || positive(c, "scale", err) < 0)
		return -1;
	*shape = val(c, "shape");
	*scale = val(c, "scale");
	return 0;
}

static int build_weibull(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	return shape_scale(c, &d->b, &d->a, err);
}

static int build_pareto(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	return shape_scale(c, &d->a, &d->b, err);
}

/* ---- empirical: one column of a CSV file ---- */

/* What empirical(...) asks for; the strings point into the call. */
struct csv_opts {
	const char *label;      /* the file name as written, for messages */
	enum unit_kind unit;
	const char *unit_text;  /* unit= for bare numbers, or NULL */
	const char *column;     /* column=NAME or column=NUMBER as written, or NULL */
	size_t col_number;      /* column=NUMBER, from 1; 0 when a name or unset */
};

/* A bare number ends with a digit; it takes unit= when there is one. */
static bool is_bare(const char *cell)
{
	size_t len = strlen(cell);

	while (len && parse_is_blank(cell[len - 1]))
		len--;
	return len && cell[len - 1] >= '0' && cell[len - 1] <= '9';
}

static int parse_cell(const struct csv_opts *o, const char *cell, double *v, struct parse_err *err)
{
	char *with_unit;
	int rc;

	if (!o->unit_text || !is_bare(cell))
		return read_number(cell, 0, o->unit, o->unit == UNIT_NONE, v, err);
	with_unit = weir_asprintf("%s%s", cell, o->unit_text);
	rc = units_parse(o->unit, with_unit, v, err);
	free(with_unit);
	return rc;
}

/* csvr's header rule: a cell is a value when it parses (ctx: the csv_opts). */
static int is_value(const char *cell, void *ctx)
{
	struct parse_err err;
	double v;

	return parse_cell(ctx, cell, &v, &err) == 0;
}

/* "LABEL:ROW: cannot read 'CELL' as a KIND: why"; returns -1. */
static int bad_cell(const struct csv_opts *o, const char *cell, unsigned long row,
		    const struct parse_err *why, struct parse_err *err)
{
	return parse_fail(err, 0, 0, "%.*s:%lu: cannot read '%.*s' as a %s: %s%s", parse_qlen(strlen(o->label)),
			  o->label, row, parse_qlen(strlen(cell)), cell, units_kind_name(o->unit), why->msg,
			  o->unit != UNIT_NONE && !o->unit_text && is_bare(cell)
			  ? " (or give unit= for bare numbers)" : "");
}

/* The message of csvr_open's failure e (an errno; 0 keeps csvr's message); returns -1. */
static int cannot_open(const char *label, int e, struct parse_err *err)
{
	if (!e)
		return -1;
	return parse_fail(err, 0, 0, "cannot open '%.*s': %s", parse_qlen(strlen(label)), label, strerror(e));
}

/* Appends every value of r's column to vals; returns 0 or -1 with err's message. */
static int next_values(struct csvr *r, const struct csv_opts *o, struct vec *vals, struct parse_err *err)
{
	struct parse_err why;
	const char *cell;
	unsigned long row;
	double v;
	int rc;

	while ((rc = csvr_next(r, &cell, &row, err->msg, sizeof(err->msg))) == 1) {
		if (parse_cell(o, cell, &v, &why) < 0)
			return bad_cell(o, cell, row, &why, err);
		*(double *)vec_push(vals, sizeof(double)) = v;
	}
	return rc;
}

/* Reads the values of the chosen column of path; returns 0 or -1 with err's message. */
static int read_values(const char *path, const struct csv_opts *o, struct vec *vals, struct parse_err *err)
{
	const char *columns[] = { o->column, NULL };
	char label[PARSE_QUOTE_MAX + 1];
	struct csvr_opts co = { .label = label, .columns = columns, .is_value = is_value,
				.ctx = (void *)(uintptr_t)o, .flags = CSVR_STRICT };
	struct csvr *r;
	int rc;

	snprintf(label, sizeof(label), "%.*s", parse_qlen(strlen(o->label)), o->label);
	r = csvr_open(path, &co, err->msg, sizeof(err->msg));
	if (!r)
		return cannot_open(o->label, errno, err);
	rc = next_values(r, o, vals, err);
	csvr_close(r);
	return rc;
}

static int no_values(const struct csv_opts *o, struct parse_err *err)
{
	if (o->column && !o->col_number)
		return parse_fail(err, 0, 0, "%s: no values in column '%s'", o->label, o->column);
	return parse_fail(err, 0, 0, "%s: no values in column %zu", o->label, o->col_number ? o->col_number : 1);
}

/* The path of file= relative to base_dir; free it. */
static char *resolve_path(const char *base_dir, const char *file)
{
	if (!base_dir || !*base_dir || file[0] == '/')
		return weir_strdup(file);
	return weir_asprintf("%s/%s", base_dir, file);
}

/* Reads the values of the chosen column into d. */
static int load_values(const struct dist_call *c, const struct csv_opts *o, struct dist *d,
		       struct parse_err *err)
{
	const struct call_arg *file = given(c, "file");
	char *path = resolve_path(c->base_dir, o->label);
	struct vec vals = { 0 };
	int rc = read_values(path, o, &vals, err);

	free(path);
	if (rc == 0 && vals.len == 0)
		rc = no_values(o, err);
	if (rc < 0) {
		vec_release(&vals);
		err->offset = file->val_off;   /* every error of the file points at file= */
		err->len = file->val_len;
		return -1;
	}
	d->values = vals.items;
	d->nvalues = vals.len;
	return 0;
}

/* unit= must be a unit of the distribution's kind. */
static int check_unit(const struct dist_call *c, const char *unit, struct parse_err *err)
{
	const struct call_arg *a = given(c, "unit");
	char *one;
	double v;
	int rc;

	if (c->unit == UNIT_NONE)
		return parse_fail(err, a->key_off, a->key_len, "unit= is only for durations, rates and sizes");
	if ((unit[0] >= '0' && unit[0] <= '9') || unit[0] == '.')
		return parse_fail(err, a->val_off, a->val_len, "'%s' is not a unit", unit);
	one = weir_asprintf("1%s", unit);
	rc = units_parse(c->unit, one, &v, err);
	free(one);
	if (rc < 0) {
		err->offset = a->val_off;
		err->len = a->val_len;
	}
	return rc;
}

/* column=NAME or column=NUMBER (from 1). */
static int read_column(const struct dist_call *c, struct csv_opts *o, struct parse_err *err)
{
	const struct call_arg *a = given(c, "column");

	if (csvr_column_number(a->value, &o->col_number) < 0)
		return parse_fail(err, a->val_off, a->val_len, "column=%.*s is out of range (columns are numbered from 1)",
				  parse_qlen(a->val_len), a->value);
	o->column = a->value;
	return 0;
}

static int build_empirical(const struct dist_call *c, struct dist *d, struct parse_err *err)
{
	const struct call_arg *file = given(c, "file"), *unit = given(c, "unit");
	struct csv_opts o = { .unit = c->unit, .unit_text = unit ? unit->value : NULL };

	if (require(c, "file", err) < 0)
		return -1;
	o.label = file->value;
	if (unit && check_unit(c, o.unit_text, err) < 0)
		return -1;
	if (given(c, "column") && read_column(c, &o, err) < 0)
		return -1;
	return load_values(c, &o, d, err);
}

/* ---- parsing: the whole text ---- */

/* A distribution's name, or a near miss, without parameters: name is a->value[0, len). */
static int bare_name(const struct call_arg *a, size_t len, struct parse_err *err)
{
	const struct dist_spec *spec = find_spec(a->value, len);

	if (!spec)
		return unknown_dist(a->value, a->val_off, len, err);
	return parse_fail(err, a->val_off, len, "missing parameters after '%s' (write %s)", spec->name,
			  spec->usage);
}

/* A value without a distribution name: a constant. */
static int parse_bare(const struct dist_call *c, struct dist *out, struct parse_err *err)
{
	const struct call_arg *a = &c->call.args[0];
	size_t len;

	if (c->call.nargs == 0)
		return parse_fail(err, 0, strlen(c->text),
				  "empty distribution (write a value or e.g. exponential(mean=...))");
	len = call_name_len(a->value);
	if (len && (find_spec(a->value, len) || near_spec(a->value, len)))
		return bare_name(a, len, err);
	if (read_number(a->value, a->val_off, c->unit, c->unit == UNIT_NONE, &out->a, err) < 0)
		return -1;
	out->kind = DIST_CONSTANT;
	return 0;
}

static int parse_text(struct dist_call *c, struct dist *out, struct parse_err *err)
{
	if (call_parse(c->text, "distribution", &c->call, err) < 0) {
		if (c->call.name_len)
			(void)find_named(c, err);   /* an unknown name is reported first */
		return -1;
	}
	if (!c->call.name)
		return parse_bare(c, out, err);
	if (find_named(c, err) < 0 || match_args(c, err) < 0 || c->spec->build(c, out, err) < 0)
		return -1;
	out->kind = c->spec->kind;
	return 0;
}

int dist_parse(const char *text, enum unit_kind unit, const char *base_dir,
	       struct dist *out, struct parse_err *err)
{
	struct dist_call c = { .text = text, .unit = unit, .base_dir = base_dir };
	struct parse_err ignored;
	int rc;

	memset(out, 0, sizeof(*out));
	out->unit = unit;
	rc = parse_text(&c, out, err ? err : &ignored);
	call_release(&c.call);
	if (rc < 0) {
		dist_release(out);
		return -1;
	}
	out->text = weir_strdup(text);
	return 0;
}

void dist_constant(struct dist *out, enum unit_kind unit, double value)
{
	char buf[64];

	memset(out, 0, sizeof(*out));
	out->kind = DIST_CONSTANT;
	out->unit = unit;
	out->a = value;
	out->text = weir_strdup(units_format(unit, value, buf, sizeof(buf)));
}

void dist_release(struct dist *d)
{
	free(d->values);
	free(d->text);
	memset(d, 0, sizeof(*d));
}

void dist_copy(struct dist *dst, const struct dist *src)
{
	WEIR_ASSERT(dst != src);
	*dst = *src;
	if (src->values) {
		dst->values = weir_malloc(src->nvalues * sizeof(double));
		memcpy(dst->values, src->values, src->nvalues * sizeof(double));
	}
	dst->text = src->text ? weir_strdup(src->text) : NULL;
}

/* ---- sampling ---- */

/* Truncation by rejection: with mean >= 0 at least half the draws are kept. */
static double sample_normal(const struct dist *d, gsl_rng *r)
{
	double x;

	do
		x = d->a + gsl_ran_gaussian(r, d->b);
	while (truncated(d) && x < 0);
	return x;
}

double dist_sample(const struct dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case DIST_CONSTANT:
		return d->a;
	case DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->a);
	case DIST_UNIFORM:
		return gsl_ran_flat(r, d->a, d->b);
	case DIST_NORMAL:
		return sample_normal(d, r);
	case DIST_LOGNORMAL:
		return gsl_ran_lognormal(r, d->a, d->b);
	case DIST_GAMMA:
		return gsl_ran_gamma(r, d->a, d->b);
	case DIST_WEIBULL:
		return gsl_ran_weibull(r, d->a, d->b);
	case DIST_PARETO:
		return gsl_ran_pareto(r, d->a, d->b);
	case DIST_EMPIRICAL:
		return d->values[gsl_rng_uniform_int(r, (unsigned long)d->nvalues)];
	case DIST_NONE:
		break;
	}
	WEIR_BUG("sampling a distribution of kind %d", (int)d->kind);
}

sim_time dist_sample_time(const struct dist *d, gsl_rng *r)
{
	double v;

	WEIR_ASSERT(d->unit == UNIT_DURATION);
	v = dist_sample(d, r);
	return sim_round_us(v);
}

/* ---- moments and bounds ---- */

/* Mean and variance of normal(mu, sigma) truncated to [0, inf). */
static void truncated_normal_moments(double mu, double sigma, double *mean, double *var)
{
	double alpha, lambda;

	if (sigma == 0) {
		*mean = mu;
		*var = 0;
		return;
	}
	alpha = -mu / sigma;
	lambda = gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_Q(alpha);
	*mean = mu + sigma * lambda;
	*var = sigma * sigma * (1 + alpha * lambda - lambda * lambda);
}

/* The mean and (population) variance of the values, by Welford's method. */
static void value_moments(const struct dist *d, double *mean, double *var)
{
	double m = 0, m2 = 0;

	for (size_t i = 0; i < d->nvalues; i++) {
		double delta = d->values[i] - m;

		m += delta / (double)(i + 1);
		m2 += delta * (d->values[i] - m);
	}
	*mean = m;
	*var = d->nvalues ? m2 / (double)d->nvalues : 0;
}

static void weibull_moments(double scale, double shape, double *mean, double *var)
{
	double g1 = tgamma(1 + 1 / shape);

	*mean = scale * g1;
	*var = scale * scale * (tgamma(1 + 2 / shape) - g1 * g1);
}

static void pareto_moments(double shape, double scale, double *mean, double *var)
{
	*mean = shape > 1 ? shape * scale / (shape - 1) : INFINITY;
	*var = shape > 2 ? scale * scale * shape / ((shape - 1) * (shape - 1) * (shape - 2)) : INFINITY;
}

static void moments(const struct dist *d, double *mean, double *var)
{
	double a = d->a, b = d->b;

	switch (d->kind) {
	case DIST_CONSTANT:
		*mean = a, *var = 0;
		return;
	case DIST_EXPONENTIAL:
		*mean = a, *var = a * a;
		return;
	case DIST_UNIFORM:
		*mean = (a + b) / 2, *var = (b - a) * (b - a) / 12;
		return;
	case DIST_NORMAL:
		if (truncated(d))
			truncated_normal_moments(a, b, mean, var);
		else
			*mean = a, *var = b * b;
		return;
	case DIST_LOGNORMAL:
		*mean = exp(a + b * b / 2), *var = expm1(b * b) * exp(2 * a + b * b);
		return;
	case DIST_GAMMA:
		*mean = a * b, *var = a * b * b;
		return;
	case DIST_WEIBULL:
		weibull_moments(a, b, mean, var);
		return;
	case DIST_PARETO:
		pareto_moments(a, b, mean, var);
		return;
	case DIST_EMPIRICAL:
		value_moments(d, mean, var);
		return;
	case DIST_NONE:
		break;
	}
	WEIR_BUG("moments of a distribution of kind %d", (int)d->kind);
}

double dist_mean(const struct dist *d)
{
	double mean, var;

	moments(d, &mean, &var);
	return mean;
}

double dist_variance(const struct dist *d)
{
	double mean, var;

	moments(d, &mean, &var);
	return var;
}

static void value_range(const struct dist *d, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < d->nvalues; i++) {
		*lo = fmin(*lo, d->values[i]);
		*hi = fmax(*hi, d->values[i]);
	}
}

static void bounds(const struct dist *d, double *lo, double *hi)
{
	*lo = 0;
	*hi = INFINITY;
	switch (d->kind) {
	case DIST_CONSTANT:
		*lo = *hi = d->a;
		break;
	case DIST_UNIFORM:
		*lo = d->a, *hi = d->b;
		break;
	case DIST_NORMAL:
		if (d->b == 0)
			*lo = *hi = d->a;
		else if (!truncated(d))
			*lo = -INFINITY;
		break;
	case DIST_PARETO:
		*lo = d->b;
		break;
	case DIST_EMPIRICAL:
		value_range(d, lo, hi);
		break;
	case DIST_EXPONENTIAL:
	case DIST_LOGNORMAL:
	case DIST_GAMMA:
	case DIST_WEIBULL:
		break;
	case DIST_NONE:
		WEIR_BUG("bounds of an unset distribution");
	}
}

double dist_min(const struct dist *d)
{
	double lo, hi;

	bounds(d, &lo, &hi);
	return lo;
}

double dist_max(const struct dist *d)
{
	double lo, hi;

	bounds(d, &lo, &hi);
	return hi;
}

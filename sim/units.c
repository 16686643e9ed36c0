/*
 * units.c - parsing and formatting of durations, rates, sizes and plain
 * numbers (the grammar is in units.h).
 *
 * A number is first read as an exact decimal, mant * 10^exp10 with up to 19
 * significant digits, and only then scaled by its unit in integer
 * arithmetic, so "0.1s" is exactly 100000us and "1.1KB" exactly 1100 bytes.
 * Numbers with more significant digits than that fall back to the double
 * strtod reads, which is also what plain reals and rates use.
 *
 * Every formatter picks the largest unit that represents the value exactly,
 * so that parsing the text it writes gives back the same value.
 */
#include "weir/units.h"
#include "weir/base.h"

#include <ctype.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEC_MAX_MANT ((UINT64_MAX - 9) / 10) /* mant * 10 + 9 still fits in 64 bits */
#define POW10_MAX 19          /* 10^19 is the largest power of ten in a uint64_t */
#define EXP10_LIMIT 100000    /* exponents saturate here, far beyond any double */
#define TWO_POW_53 9007199254740992.0   /* doubles are exact integers below this */
#define TWO_POW_64 18446744073709551616.0
#define SHORTEST_MAX_DIGITS 17 /* %.17g always reads back as the same double */

/* A number as written: value = mant * 10^exp10 while exact. */
struct num {
	uint64_t mant;  /* significant digits */
	int exp10;      /* decimal exponent */
	bool exact;     /* false when non-zero digits did not fit in mant */
	double approx;  /* the value as strtod reads it */
};

/* The pieces of one input: blanks, number, unit, blanks. */
struct lex {
	const char *s;
	enum unit_kind kind;
	size_t start, end;  /* the input without its leading and trailing blanks */
	size_t num_end;     /* just past the number */
	size_t unit_end;    /* the unit is [num_end, unit_end) */
	bool whole;         /* an integer is expected (for messages) */
	struct num n;
};

struct unit_def {
	const char *name;
	uint64_t factor;    /* base units (us, bytes, seconds of a rate) per unit */
};

/* What a kind is called in messages and what it accepts. */
struct kind_info {
	const char *name;    /* "duration" */
	const char *plural;  /* "durations" */
	const char *units;   /* the accepted units, for messages */
	const char *example; /* a unit to suggest after a bare number */
};

static const struct kind_info kinds[] = {
	[UNIT_NONE] = { "number", "numbers", "", "" },
	[UNIT_DURATION] = { "duration", "durations", "us, ms, s, m, h, d", "s" },
	[UNIT_RATE] = { "rate", "rates", "/s, /m, /min, /h, /d", "/s" },
	[UNIT_SIZE] = { "size", "sizes", "B, KB, MB, GB, KiB, MiB, GiB", "B" },
};

static const struct unit_def duration_units[] = {
	{ "us", 1 }, { "ms", SIM_MS }, { "s", SIM_SEC }, { "m", SIM_MIN },
	{ "min", SIM_MIN }, { "h", SIM_HOUR }, { "d", SIM_DAY }, { NULL, 0 }
};

static const struct unit_def size_units[] = {
	{ "B", 1 }, { "KB", 1000 }, { "MB", 1000000 }, { "GB", 1000000000 },
	{ "KiB", 1024 }, { "MiB", 1048576 }, { "GiB", 1073741824 }, { NULL, 0 }
};

/* Seconds per "per" unit of a rate. */
static const struct unit_def per_units[] = {
	{ "s", 1 }, { "m", 60 }, { "min", 60 }, { "h", 3600 }, { "d", 86400 }, { NULL, 0 }
};

static const char *kind_plural(enum unit_kind kind)
{
	return kinds[kind].plural;
}

/* ---- shared by the parsers of scenario values (units.h) ---- */

int parse_fail(struct parse_err *err, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->offset = off;
	err->len = len;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int parse_qlen(size_t len)
{
	return (int)(len < PARSE_QUOTE_MAX ? len : PARSE_QUOTE_MAX);
}

bool parse_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void parse_trim(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && parse_is_blank(s[*start]))
		(*start)++;
	while (*end > *start && parse_is_blank(s[*end - 1]))
		(*end)--;
}

/* ---- small helpers ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The unit of that name among defs, or NULL. */
static const struct unit_def *find_unit(const struct unit_def *defs, const char *name, size_t len)
{
	for (; defs->name; defs++)
		if (strlen(defs->name) == len && strncmp(defs->name, name, len) == 0)
			return defs;
	return NULL;
}

/* ---- reading a number ---- */

static void add_digit(struct num *n, unsigned digit, bool frac)
{
	if (n->mant <= DEC_MAX_MANT) {
		n->mant = n->mant * 10 + digit;
		if (frac)
			n->exp10--;
		return;
	}
	if (digit != 0)
		n->exact = false;
	if (!frac)
		n->exp10++;
}

/*
 * Reads a run of digits with '_' allowed between two digits, from *pos.
 * Returns the number of digits read, or -1 on a misplaced '_'.
 */
static int scan_digits(struct lex *lx, size_t *pos, bool frac, struct parse_err *err)
{
	const char *s = lx->s;
	size_t i = *pos;
	int count = 0;

	for (; i < lx->end; i++) {
		if (s[i] == '_') {
			if (count == 0 || i + 1 >= lx->end || !is_digit(s[i + 1]))
				return parse_fail(err, i, 1, "misplaced '_' in '%.*s' ('_' may only separate digits, as in 1_000)",
						  parse_qlen(lx->end - lx->start), s + lx->start);
			continue;
		}
		if (!is_digit(s[i]))
			break;
		add_digit(&lx->n, (unsigned)(s[i] - '0'), frac);
		count++;
	}
	*pos = i;
	return count;
}

/* Reads an exponent ("e6", "E-3", "e+2") at *pos if there is one. */
static void scan_exponent(struct lex *lx, size_t *pos)
{
	const char *s = lx->s;
	size_t i = *pos + 1;
	int sign = 1, e = 0;

	if (*pos >= lx->end || (s[*pos] != 'e' && s[*pos] != 'E'))
		return;
	if (i < lx->end && (s[i] == '+' || s[i] == '-'))
		sign = s[i++] == '-' ? -1 : 1;
	if (i >= lx->end || !is_digit(s[i]))
		return;  /* not an exponent: the 'e' starts the unit */
	for (; i < lx->end && is_digit(s[i]); i++)
		if (e < EXP10_LIMIT)
			e = e * 10 + (s[i] - '0');
	lx->n.exp10 += sign * e;
	if (lx->n.exp10 > EXP10_LIMIT || lx->n.exp10 < -EXP10_LIMIT)
		lx->n.exp10 = lx->n.exp10 > 0 ? EXP10_LIMIT : -EXP10_LIMIT;
	*pos = i;
}

/* strtod of [start, end) without its '_' separators. */
static double read_double(const char *s, size_t start, size_t end)
{
	char *copy = weir_malloc(end - start + 1);
	size_t n = 0;
	double v;

	for (size_t i = start; i < end; i++)
		if (s[i] != '_')
			copy[n++] = s[i];
	copy[n] = '\0';
	v = strtod(copy, NULL);
	free(copy);
	return v;
}

static int not_a_number(const struct lex *lx, struct parse_err *err)
{
	const char *p = lx->s + lx->start;
	size_t len = lx->end - lx->start;
	const char *example = lx->whole ? "10" : lx->kind == UNIT_NONE ? "0.25"
			    : lx->kind == UNIT_DURATION ? "30s" : lx->kind == UNIT_RATE ? "200/s" : "2KB";

	if (strncasecmp(p, "nan", 3) == 0 || strncasecmp(p, "inf", 3) == 0)
		return parse_fail(err, lx->start, len, "'%.*s' is not allowed (numbers must be finite)",
				  parse_qlen(len), p);
	return parse_fail(err, lx->start, len, "expected a %s at '%.*s' (e.g. %s)",
			  lx->whole ? "whole number" : kinds[lx->kind].name, parse_qlen(len), p, example);
}

/* Signs, hexadecimal: things that look almost like a number. */
static int check_start(const struct lex *lx, struct parse_err *err)
{
	const char *s = lx->s;
	size_t i = lx->start, len = lx->end - lx->start;

	if (s[i] == '-')
		return parse_fail(err, i, 1, "negative %s are not allowed", kind_plural(lx->kind));
	if (s[i] == '+')
		return parse_fail(err, i, 1, "unexpected '+' (write the number without a sign)");
	if (s[i] == '0' && i + 1 < lx->end && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		return parse_fail(err, i, len, "hexadecimal numbers are not allowed ('%.*s'; use decimal digits)",
				  parse_qlen(len), s + i);
	return 0;
}

/* digits ['.' digits] [exponent]; at least one digit in all. */
static int scan_number(struct lex *lx, struct parse_err *err)
{
	size_t i = lx->start;
	int int_digits, frac_digits = 0;

	lx->n = (struct num){ .exact = true };
	int_digits = scan_digits(lx, &i, false, err);
	if (int_digits < 0)
		return -1;
	if (i < lx->end && lx->s[i] == '.') {
		size_t dot = i++;

		frac_digits = scan_digits(lx, &i, true, err);
		if (frac_digits < 0)
			return -1;
		if (frac_digits == 0 && int_digits > 0)
			return parse_fail(err, dot, 1, "expected a digit after '.' in '%.*s'",
					  parse_qlen(lx->end - lx->start), lx->s + lx->start);
	}
	if (int_digits + frac_digits == 0)
		return not_a_number(lx, err);
	scan_exponent(lx, &i);
	lx->num_end = i;
	lx->n.approx = read_double(lx->s, lx->start, i);
	return 0;
}

/* The unit runs from the number to the next blank; nothing may follow it. */
static int scan_unit(struct lex *lx, struct parse_err *err)
{
	const char *s = lx->s;
	size_t i = lx->num_end, rest;

	while (i < lx->end && !parse_is_blank(s[i]))
		i++;
	lx->unit_end = i;
	if (lx->kind == UNIT_NONE && i > lx->num_end)
		return parse_fail(err, lx->num_end, lx->end - lx->num_end,
				  "unexpected '%.*s' after the number (plain numbers have no unit)",
				  parse_qlen(lx->end - lx->num_end), s + lx->num_end);
	if (i == lx->end)
		return 0;
	for (rest = i; parse_is_blank(s[rest]); rest++)
		continue;
	if (i == lx->num_end && lx->kind != UNIT_NONE)
		return parse_fail(err, i, rest - i, "blank between the number and its unit in '%.*s' (write %.*s%.*s)",
				  parse_qlen(lx->end - lx->start), s + lx->start, parse_qlen(i - lx->start), s + lx->start,
				  parse_qlen(lx->end - rest), s + rest);
	return parse_fail(err, rest, lx->end - rest, "unexpected '%.*s' after the %s",
			  parse_qlen(lx->end - rest), s + rest, kinds[lx->kind].name);
}

/* Splits s into number and unit; the unit is checked by the caller. */
static int lex(const char *s, enum unit_kind kind, bool whole, struct lex *lx, struct parse_err *err)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = s;
	lx->kind = kind;
	lx->whole = whole;
	lx->start = 0;
	lx->end = strlen(s);
	parse_trim(s, &lx->start, &lx->end);
	if (lx->start == lx->end)
		return parse_fail(err, 0, strlen(s), "empty %s", kinds[kind].name);
	if (check_start(lx, err) < 0 || scan_number(lx, err) < 0)
		return -1;
	return scan_unit(lx, err);
}

/* ---- scaling by a unit ---- */

enum scaled {
	SCALED_EXACT,    /* the result is exactly the value */
	SCALED_ROUNDED,  /* the value had a fraction; the result is rounded to nearest */
	SCALED_OVERFLOW  /* the value is larger than the maximum */
};

static enum scaled scale_double(double v, uint64_t max, uint64_t *out)
{
	double r = floor(v + 0.5);

	if (!(r < TWO_POW_64) || (uint64_t)r > max)
		return SCALED_OVERFLOW;
	*out = (uint64_t)r;
	return r == v ? SCALED_EXACT : SCALED_ROUNDED;
}

static enum scaled scale_up(uint64_t p, int e, uint64_t max, uint64_t *out)
{
	for (; e > 0; e--) {
		if (p > max / 10)
			return SCALED_OVERFLOW;
		p *= 10;
	}
	if (p > max)
		return SCALED_OVERFLOW;
	*out = p;
	return SCALED_EXACT;
}

static enum scaled scale_down(uint64_t p, int e, uint64_t max, uint64_t *out)
{
	uint64_t den = 1, q, r;

	if (e > POW10_MAX) {  /* p < 2 * 10^19 <= den / 5: rounds to 0 */
		*out = 0;
		return SCALED_ROUNDED;
	}
	for (int i = 0; i < e; i++)
		den *= 10;
	q = p / den;
	r = p % den;
	if (q > max || (q == max && r > 0))
		return SCALED_OVERFLOW;
	*out = q + (r >= den - r ? 1 : 0);
	return r ? SCALED_ROUNDED : SCALED_EXACT;
}

/* n * factor as an integer no larger than max, rounded half up. */
static enum scaled scale(const struct num *n, uint64_t factor, uint64_t max, uint64_t *out)
{
	uint64_t p;

	*out = 0;
	if (n->mant == 0)
		return SCALED_EXACT;
	if (!n->exact || n->mant > UINT64_MAX / factor)
		return scale_double(n->approx * (double)factor, max, out);
	p = n->mant * factor;
	if (n->exp10 >= 0)
		return scale_up(p, n->exp10, max, out);
	return scale_down(p, -n->exp10, max, out);
}

static int too_large(const struct lex *lx, const char *max, struct parse_err *err)
{
	size_t len = lx->end - lx->start;

	return parse_fail(err, lx->start, len, "'%.*s' is too large (the largest %s is %s)",
			  parse_qlen(len), lx->s + lx->start, kinds[lx->kind].name, max);
}

static int missing_unit(const struct lex *lx, struct parse_err *err)
{
	size_t len = lx->end - lx->start;
	const char *p = lx->s + lx->start;

	return parse_fail(err, lx->start, len, "missing unit in '%.*s' (%s need a unit: %s; e.g. %.*s%s)",
			  parse_qlen(len), p, kind_plural(lx->kind), lx->kind == UNIT_RATE ? "/s, /min, /h, /d"
			  : kinds[lx->kind].units, parse_qlen(len), p, kinds[lx->kind].example);
}

/* The factor of the unit of a duration or size; a zero needs no unit. */
static int unit_factor(const struct lex *lx, const struct unit_def *defs, uint64_t *factor,
		       struct parse_err *err)
{
	size_t len = lx->unit_end - lx->num_end;
	const struct unit_def *u;

	*factor = 1;
	if (len == 0)
		return lx->n.mant == 0 ? 0 : missing_unit(lx, err);
	u = find_unit(defs, lx->s + lx->num_end, len);
	if (!u)
		return parse_fail(err, lx->num_end, len, "unknown %s unit '%.*s' (use %s)",
				  kinds[lx->kind].name, parse_qlen(len), lx->s + lx->num_end, kinds[lx->kind].units);
	*factor = u->factor;
	return 0;
}

/* ---- the parsers ---- */

static int parse_simple_duration(const char *s, sim_time *out, struct parse_err *err);

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Where the first part of a compound duration ("1m30s", "1h30m", "2d12h")
 * ends: just after a known unit that a digit follows. 0 when s is simple
 * (an exponent such as "1e3s" is not a unit, so it never splits).
 */
static size_t compound_split(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		size_t j = i;

		if (!is_letter(s[i]) || (i > 0 && is_letter(s[i - 1])))
			continue;
		while (is_letter(s[j]))
			j++;
		if (is_digit(s[j]) && find_unit(duration_units, s + i, j - i))
			return j;
	}
	return 0;
}

/* A sum of parts, largest unit first: "1h30m" = 1h + 30m. */
static int parse_compound(const char *s, size_t split, sim_time *out, struct parse_err *err)
{
	char head[64];
	sim_time first, rest;

	if (split >= sizeof(head))
		return parse_fail(err, 0, split, "duration part '%.*s' is too long", parse_qlen(split), s);
	memcpy(head, s, split);
	head[split] = '\0';
	if (parse_simple_duration(head, &first, err) < 0)
		return -1;
	if (units_parse_duration(s + split, &rest, err) < 0) {
		err->offset += split;
		return -1;
	}
	if (rest >= first && first > 0)
		return parse_fail(err, split, strlen(s + split),
				  "in a duration such as 1h30m, each part must be smaller than the one before");
	if (rest > UNITS_DURATION_MAX - first)
		return parse_fail(err, 0, strlen(s), "'%s' is too large", s);
	*out = first + rest;
	return 0;
}

int units_parse_duration(const char *s, sim_time *out, struct parse_err *err)
{
	size_t split = compound_split(s);

	return split ? parse_compound(s, split, out, err) : parse_simple_duration(s, out, err);
}

static int parse_simple_duration(const char *s, sim_time *out, struct parse_err *err)
{
	struct lex lx;
	uint64_t factor, us;
	char max[32];
	enum scaled r;

	if (lex(s, UNIT_DURATION, false, &lx, err) < 0 ||
	    unit_factor(&lx, duration_units, &factor, err) < 0)
		return -1;
	r = scale(&lx.n, factor, (uint64_t)UNITS_DURATION_MAX, &us);
	if (r == SCALED_OVERFLOW)
		return too_large(&lx, units_format_duration(UNITS_DURATION_MAX, max, sizeof(max)), err);
	if (r == SCALED_ROUNDED && us == 0)
		return parse_fail(err, lx.start, lx.end - lx.start,
				  "'%.*s' is finer than the 1us resolution (the smallest non-zero duration is 1us)",
				  parse_qlen(lx.end - lx.start), s + lx.start);
	*out = (sim_time)us;
	return 0;
}

int units_parse_size(const char *s, double *bytes, struct parse_err *err)
{
	struct lex lx;
	uint64_t factor, b;
	char max[32];
	enum scaled r;

	if (lex(s, UNIT_SIZE, false, &lx, err) < 0 || unit_factor(&lx, size_units, &factor, err) < 0)
		return -1;
	r = scale(&lx.n, factor, (uint64_t)UNITS_SIZE_MAX, &b);
	if (r == SCALED_OVERFLOW)
		return too_large(&lx, units_format_size(UNITS_SIZE_MAX, max, sizeof(max)), err);
	if (r == SCALED_ROUNDED)
		return parse_fail(err, lx.start, lx.end - lx.start, "'%.*s' is not a whole number of bytes",
				  parse_qlen(lx.end - lx.start), s + lx.start);
	*bytes = (double)b;
	return 0;
}

/* The count multiplier (k, M) and seconds per "per" unit of a rate's unit. */
static int rate_unit(const struct lex *lx, double *mult, double *per, struct parse_err *err)
{
	const char *u = lx->s + lx->num_end;
	size_t len = lx->unit_end - lx->num_end;
	const char *slash = memchr(u, '/', len);
	const struct unit_def *p;

	*mult = *per = 1;
	if (len == 0 && lx->n.mant == 0)
		return 0;
	if (len == 0 || (!slash && len == 1 && (*u == 'k' || *u == 'M')))
		return missing_unit(lx, err);
	if (!slash)
		return parse_fail(err, lx->num_end, len, "unknown rate unit '%.*s' (use %s)",
				  parse_qlen(len), u, kinds[UNIT_RATE].units);
	if (slash - u > 1 || (slash != u && *u != 'k' && *u != 'M'))
		return parse_fail(err, lx->num_end, (size_t)(slash - u),
				  "unknown count suffix '%.*s' (use k or M, e.g. 12k/min)",
				  parse_qlen((size_t)(slash - u)), u);
	*mult = slash == u ? 1 : *u == 'k' ? 1e3 : 1e6;
	p = find_unit(per_units, slash + 1, len - (size_t)(slash - u) - 1);
	if (!p)
		return parse_fail(err, (size_t)(slash - lx->s), len - (size_t)(slash - u),
				  "unknown rate unit '%.*s' (use %s)", parse_qlen(len - (size_t)(slash - u)), slash,
				  kinds[UNIT_RATE].units);
	*per = (double)p->factor;
	return 0;
}

int units_parse_rate(const char *s, double *per_sec, struct parse_err *err)
{
	struct lex lx;
	double mult, per, v;
	char max[32];

	if (lex(s, UNIT_RATE, false, &lx, err) < 0 || rate_unit(&lx, &mult, &per, err) < 0)
		return -1;
	v = lx.n.approx * mult / per;
	if (!(v <= UNITS_RATE_MAX))
		return too_large(&lx, units_format_rate(UNITS_RATE_MAX, max, sizeof(max)), err);
	/* Below one event per UNITS_DURATION_MAX, a gap cannot be represented. */
	if (lx.n.mant != 0 && v < (double)SIM_SEC / (double)UNITS_DURATION_MAX)
		return parse_fail(err, lx.start, lx.end - lx.start,
				  "'%.*s' is too small (the smallest rate above 0 is one per 36525d)",
				  parse_qlen(lx.end - lx.start), s + lx.start);
	*per_sec = v;
	return 0;
}

int units_parse_real(const char *s, double *out, struct parse_err *err)
{
	struct lex lx;

	if (lex(s, UNIT_NONE, false, &lx, err) < 0)
		return -1;
	if (isinf(lx.n.approx))
		return parse_fail(err, lx.start, lx.end - lx.start, "'%.*s' is too large (the largest number is %g)",
				  parse_qlen(lx.end - lx.start), s + lx.start, DBL_MAX);
	if (lx.n.mant != 0 && lx.n.approx == 0)
		return parse_fail(err, lx.start, lx.end - lx.start, "'%.*s' is too small to represent",
				  parse_qlen(lx.end - lx.start), s + lx.start);
	*out = lx.n.approx;
	return 0;
}

int units_parse_int(const char *s, int64_t *out, struct parse_err *err)
{
	struct lex lx;
	uint64_t v;
	enum scaled r;

	if (lex(s, UNIT_NONE, true, &lx, err) < 0)
		return -1;
	r = scale(&lx.n, 1, INT64_MAX, &v);
	if (r == SCALED_OVERFLOW)
		return parse_fail(err, lx.start, lx.end - lx.start,
				  "'%.*s' is too large (the largest integer is %" PRId64 ")",
				  parse_qlen(lx.end - lx.start), s + lx.start, INT64_MAX);
	if (r == SCALED_ROUNDED)
		return parse_fail(err, lx.start, lx.end - lx.start, "'%.*s' is not a whole number (integers only)",
				  parse_qlen(lx.end - lx.start), s + lx.start);
	*out = (int64_t)v;
	return 0;
}

int units_parse(enum unit_kind kind, const char *s, double *out, struct parse_err *err)
{
	sim_time t;

	switch (kind) {
	case UNIT_DURATION:
		if (units_parse_duration(s, &t, err) < 0)
			return -1;
		*out = (double)t;
		return 0;
	case UNIT_RATE:
		return units_parse_rate(s, out, err);
	case UNIT_SIZE:
		return units_parse_size(s, out, err);
	case UNIT_NONE:
		return units_parse_real(s, out, err);
	}
	WEIR_BUG("unknown unit kind %d", (int)kind);
}

/* ---- formatting ---- */

/* The shortest %g text that reads back as v. */
static char *format_shortest(double v, const char *suffix, char *buf, size_t n)
{
	char num[40];

	for (int digits = 1; digits <= SHORTEST_MAX_DIGITS; digits++) {
		snprintf(num, sizeof(num), "%.*g", digits, v);
		if (strtod(num, NULL) == v)
			break;
	}
	snprintf(buf, n, "%s%s", num, suffix);
	return buf;
}

char *units_format_duration(sim_time t, char *buf, size_t n)
{
	static const struct unit_def largest_first[] = {
		{ "d", SIM_DAY }, { "h", SIM_HOUR }, { "m", SIM_MIN },
		{ "s", SIM_SEC }, { "ms", SIM_MS }, { "us", 1 }
	};
	uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
	size_t i = 0;

	if (t == 0) {
		snprintf(buf, n, "0s");
		return buf;
	}
	while (mag % largest_first[i].factor != 0)
		i++;
	snprintf(buf, n, "%s%" PRIu64 "%s", t < 0 ? "-" : "", mag / largest_first[i].factor,
		 largest_first[i].name);
	return buf;
}

char *units_format_size(double bytes, char *buf, size_t n)
{
	static const struct unit_def largest_first[] = {
		{ "GiB", 1073741824 }, { "GB", 1000000000 }, { "MiB", 1048576 },
		{ "MB", 1000000 }, { "KiB", 1024 }, { "KB", 1000 }, { "B", 1 }
	};

	if (!(bytes > 0 && bytes < TWO_POW_64 && bytes == floor(bytes)))
		return format_shortest(bytes, "B", buf, n);
	for (size_t i = 0;; i++) {
		double f = (double)largest_first[i].factor;

		if (fmod(bytes, f) == 0) {
			snprintf(buf, n, "%.0f%s", bytes / f, largest_first[i].name);
			return buf;
		}
	}
}

/* An integral count of events, with k or M when exact. */
static void format_count(double count, char *buf, size_t n)
{
	if (fmod(count, 1e6) == 0)
		snprintf(buf, n, "%.0fM", count / 1e6);
	else if (fmod(count, 1e3) == 0)
		snprintf(buf, n, "%.0fk", count / 1e3);
	else
		snprintf(buf, n, "%.0f", count);
}

char *units_format_rate(double per_sec, char *buf, size_t n)
{
	static const struct {
		const char *name;
		double seconds;
	} pers[] = { { "s", 1 }, { "min", 60 }, { "h", 3600 }, { "d", 86400 } };
	char count[40];

	if (per_sec == 0) {
		snprintf(buf, n, "0/s");
		return buf;
	}
	for (size_t i = 0; i < sizeof(pers) / sizeof(pers[0]); i++) {
		double c = floor(per_sec * pers[i].seconds + 0.5);

		/* Exact when parsing "c/per" gives back per_sec bit for bit. */
		if (c >= 1 && c < TWO_POW_53 && c / pers[i].seconds == per_sec) {
			format_count(c, count, sizeof(count));
			snprintf(buf, n, "%s/%s", count, pers[i].name);
			return buf;
		}
	}
	return format_shortest(per_sec, "/s", buf, n);
}

char *units_format(enum unit_kind kind, double v, char *buf, size_t n)
{
	switch (kind) {
	case UNIT_DURATION:
		if (v == floor(v) && fabs(v) < TWO_POW_53)
			return units_format_duration((sim_time)v, buf, n);
		return format_shortest(v, "us", buf, n);
	case UNIT_RATE:
		return units_format_rate(v, buf, n);
	case UNIT_SIZE:
		return units_format_size(v, buf, n);
	case UNIT_NONE:
		break;
	}
	if (v == floor(v) && fabs(v) < TWO_POW_53) {
		snprintf(buf, n, "%.0f", v);
		return buf;
	}
	return format_shortest(v, "", buf, n);
}

const char *units_kind_name(enum unit_kind kind)
{
	WEIR_ASSERT(kind >= UNIT_NONE && kind <= UNIT_SIZE);
	return kinds[kind].name;
}

/*
 * units.h - one parser for numbers with units: durations, rates and sizes.
 *
 * Durations   "250ms", "30s", "1.5m", "2h", "4d", "1m30s", "0"  -> sim_time (us)
 *             units: us, ms, s, m (= min), min, h, d; a compound such as
 *             "1h30m" adds its parts, largest unit first
 * Rates       "200/s", "12k/min", "0.5/s", "3/h", "1M/d"        -> events per second
 *             count suffixes k (1e3), M (1e6); per: s, m, min, h, d
 * Sizes       "2KB", "1MiB", "512B", "1.5MB", "0"               -> bytes
 *             B; KB, MB, GB (powers of 1000); KiB, MiB, GiB (powers of 1024)
 * Plain       "0.25", "3", "1e6", "1_000"                       -> double or int64
 *
 * Every parser reads the whole string (leading and trailing blanks allowed),
 * rejects NaN, infinities, negative values (distributions read signed
 * parameters such as mu=-0.2 themselves), values that overflow and
 * anything left over, and on error fills a parse_err: the byte offset and
 * length of the offending part of the input and a message that says what is
 * wrong and what is allowed (lowercase, no full stop). They return 0 on
 * success and -1 on error.
 */
#ifndef WEIR_UNITS_H
#define WEIR_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weir/base.h"
#include "weir/sim.h"

enum unit_kind {
	UNIT_NONE,     /* a plain number */
	UNIT_DURATION, /* microseconds */
	UNIT_RATE,     /* per second */
	UNIT_SIZE      /* bytes */
};

struct parse_err {
	size_t offset; /* where the offending part starts, in bytes from the input start */
	size_t len;    /* its length (at least 1 where the input is not empty) */
	char msg[240];
};

/* Longest piece of input quoted in a message; longer ones are cut. */
#define PARSE_QUOTE_MAX 60

/*
 * Fills err, when it is not NULL, with [off, off + len) of the input and a
 * formatted message; always returns -1, so a parser can end with
 * `return parse_fail(err, ...)`. Shared by every parser of scenario values
 * (units, call, dist).
 */
int parse_fail(struct parse_err *err, size_t off, size_t len, const char *fmt, ...)
	WEIR_PRINTF(4, 5);
/* How much of a piece of input of length len to quote, for "%.*s". */
int parse_qlen(size_t len);
/* A blank between tokens: space, tab, newline or carriage return. */
bool parse_is_blank(char c);
/* Shrinks [*start, *end) of s to exclude blanks at both ends. */
void parse_trim(const char *s, size_t *start, size_t *end);

/* Largest duration accepted: 100 years, far beyond any AWS limit. */
#define UNITS_DURATION_MAX (36525 * SIM_DAY)
/* Largest size accepted: 1 TiB. */
#define UNITS_SIZE_MAX 1099511627776.0
/* Largest rate accepted: 1e9 per second. */
#define UNITS_RATE_MAX 1e9

/*
 * A duration; "0" needs no unit, anything else does. The result is rounded
 * to the nearest microsecond; a non-zero duration that rounds to 0 us is an
 * error ("finer than the 1us resolution").
 */
int units_parse_duration(const char *s, sim_time *out, struct parse_err *err);
int units_parse_rate(const char *s, double *per_sec, struct parse_err *err);
/* A size; "0" needs no unit. Fractions of a byte are an error. */
int units_parse_size(const char *s, double *bytes, struct parse_err *err);
/* A plain real number (no unit). */
int units_parse_real(const char *s, double *out, struct parse_err *err);
/* A plain integer; "1e6" and "1_000_000" are accepted when exact. */
int units_parse_int(const char *s, int64_t *out, struct parse_err *err);
/* Dispatches on kind; durations come back as microseconds in a double. */
int units_parse(enum unit_kind kind, const char *s, double *out, struct parse_err *err);

/*
 * Formatting for messages and docs: the largest unit that represents the
 * value exactly ("12h", "90s", "1500ms", "2KiB", "1MB", "200/s", "12k/min").
 * Returns buf.
 */
char *units_format_duration(sim_time t, char *buf, size_t n);
char *units_format_size(double bytes, char *buf, size_t n);
char *units_format_rate(double per_sec, char *buf, size_t n);
char *units_format(enum unit_kind kind, double v, char *buf, size_t n);
/* "duration", "rate", "size", "number" */
const char *units_kind_name(enum unit_kind kind);

#endif

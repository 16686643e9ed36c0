/*
 * test_units.c - the units parser and formatters: accepted inputs, exact
 * decimal conversion, every kind of error with its message and location,
 * and the round trip parse(format(x)) == x.
 */
#include "harness.h"
#include "weir/units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct good_case {
	enum unit_kind kind;
	const char *in;
	double want;  /* microseconds, per second, bytes or plain */
};

struct bad_case {
	enum unit_kind kind;
	const char *in;
	const char *msg;
	size_t offset, len;
};

/* True when err is exactly the expected error; reports the difference otherwise. */
static bool err_is(const char *in, const struct parse_err *err, const char *msg,
		   size_t offset, size_t len)
{
	if (strcmp(err->msg, msg) == 0 && err->offset == offset && err->len == len)
		return true;
	test__fail(__FILE__, __LINE__, "'%s':\n  got  [%zu+%zu] %s\n  want [%zu+%zu] %s",
		   in, err->offset, err->len, err->msg, offset, len, msg);
	return false;
}

static const struct good_case good[] = {
	{ UNIT_DURATION, "250ms", 250000 },
	{ UNIT_DURATION, "30s", 30000000 },
	{ UNIT_DURATION, "1.5m", 90000000 },
	{ UNIT_DURATION, "2.5m", 150000000 },
	{ UNIT_DURATION, "10min", 600000000 },
	{ UNIT_DURATION, "2h", 7200000000.0 },
	{ UNIT_DURATION, "4d", 345600000000.0 },
	{ UNIT_DURATION, "0", 0 },
	{ UNIT_DURATION, "0.0", 0 },
	{ UNIT_DURATION, "0s", 0 },
	{ UNIT_DURATION, "0.1s", 100000 },
	{ UNIT_DURATION, ".5s", 500000 },
	{ UNIT_DURATION, "0.000001s", 1 },
	{ UNIT_DURATION, "1_000ms", 1000000 },
	{ UNIT_DURATION, "1e6us", 1000000 },
	{ UNIT_DURATION, "1E3ms", 1000000 },
	{ UNIT_DURATION, "2.5e-3s", 2500 },
	{ UNIT_DURATION, "1e+2ms", 100000 },
	{ UNIT_DURATION, "  30s\t", 30000000 },
	{ UNIT_DURATION, "1.5us", 2 },           /* rounded to the nearest microsecond */
	{ UNIT_DURATION, "1.4us", 1 },
	{ UNIT_DURATION, "0.5us", 1 },           /* halves round up */
	{ UNIT_DURATION, "36525d", 3155760000000000.0 },
	{ UNIT_DURATION, "1.00000000000000000000001s", 1000000 }, /* past 19 digits */
	{ UNIT_DURATION, "100000000000000000000000e-23s", 1000000 },
	{ UNIT_SIZE, "2KB", 2000 },
	{ UNIT_SIZE, "1MiB", 1048576 },
	{ UNIT_SIZE, "512B", 512 },
	{ UNIT_SIZE, "1.5MB", 1500000 },
	{ UNIT_SIZE, "1.5KB", 1500 },
	{ UNIT_SIZE, "1.1KB", 1100 },            /* 1.1 * 1000 is not 1100 in doubles */
	{ UNIT_SIZE, "0.5KiB", 512 },
	{ UNIT_SIZE, "1GiB", 1073741824 },
	{ UNIT_SIZE, "1024GiB", 1099511627776.0 },
	{ UNIT_SIZE, "0", 0 },
	{ UNIT_RATE, "200/s", 200 },
	{ UNIT_RATE, "12k/min", 200 },
	{ UNIT_RATE, "0.5/s", 0.5 },
	{ UNIT_RATE, "30/m", 0.5 },
	{ UNIT_RATE, "3/h", 3.0 / 3600 },
	{ UNIT_RATE, "1M/d", 1e6 / 86400 },
	{ UNIT_RATE, "1e9/s", 1e9 },
	{ UNIT_RATE, "0", 0 },
	{ UNIT_NONE, "0.25", 0.25 },
	{ UNIT_NONE, "3", 3 },
	{ UNIT_NONE, "1e6", 1e6 },
	{ UNIT_NONE, "1_000", 1000 },
	{ UNIT_NONE, "2.5e-3", 2.5e-3 },
};

void test_units_parse_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *t = &good[i];
		struct parse_err err = { 0 };
		double got = -1;

		CHECK_MSG(units_parse(t->kind, t->in, &got, &err) == 0, "'%s': %s", t->in, err.msg);
		CHECK_MSG(got == t->want, "'%s' -> %.17g, want %.17g", t->in, got, t->want);
	}
}

static const struct bad_case bad[] = {
	{ UNIT_DURATION, "30", "missing unit in '30' (durations need a unit: us, ms, s, m, h, d; e.g. 30s)", 0, 2 },
	{ UNIT_DURATION, "30sec", "unknown duration unit 'sec' (use us, ms, s, m, h, d)", 2, 3 },
	{ UNIT_DURATION, "-5s", "negative durations are not allowed", 0, 1 },
	{ UNIT_DURATION, "  -5s", "negative durations are not allowed", 2, 1 },
	{ UNIT_DURATION, "+5s", "unexpected '+' (write the number without a sign)", 0, 1 },
	{ UNIT_DURATION, "1e400s", "'1e400s' is too large (the largest duration is 36525d)", 0, 6 },
	{ UNIT_DURATION, "99999999999d", "'99999999999d' is too large (the largest duration is 36525d)", 0, 12 },
	{ UNIT_DURATION, "36526d", "'36526d' is too large (the largest duration is 36525d)", 0, 6 },
	{ UNIT_DURATION, "0.1us", "'0.1us' is finer than the 1us resolution (the smallest non-zero duration is 1us)", 0, 5 },
	{ UNIT_DURATION, "1e-30s", "'1e-30s' is finer than the 1us resolution (the smallest non-zero duration is 1us)", 0, 6 },
	{ UNIT_DURATION, "nan", "'nan' is not allowed (numbers must be finite)", 0, 3 },
	{ UNIT_DURATION, "Infinity", "'Infinity' is not allowed (numbers must be finite)", 0, 8 },
	{ UNIT_DURATION, "0x10s", "hexadecimal numbers are not allowed ('0x10s'; use decimal digits)", 0, 5 },
	{ UNIT_DURATION, "", "empty duration", 0, 0 },
	{ UNIT_DURATION, "  ", "empty duration", 0, 2 },
	{ UNIT_DURATION, "abc", "expected a duration at 'abc' (e.g. 30s)", 0, 3 },
	{ UNIT_DURATION, "1__000s", "misplaced '_' in '1__000s' ('_' may only separate digits, as in 1_000)", 1, 1 },
	{ UNIT_DURATION, "1_s", "misplaced '_' in '1_s' ('_' may only separate digits, as in 1_000)", 1, 1 },
	{ UNIT_DURATION, "_1s", "misplaced '_' in '_1s' ('_' may only separate digits, as in 1_000)", 0, 1 },
	{ UNIT_DURATION, "5.s", "expected a digit after '.' in '5.s'", 1, 1 },
	{ UNIT_DURATION, "250 ms", "blank between the number and its unit in '250 ms' (write 250ms)", 3, 1 },
	{ UNIT_DURATION, "30s x", "unexpected 'x' after the duration", 4, 1 },
	{ UNIT_SIZE, "1.5B", "'1.5B' is not a whole number of bytes", 0, 4 },
	{ UNIT_SIZE, "512", "missing unit in '512' (sizes need a unit: B, KB, MB, GB, KiB, MiB, GiB; e.g. 512B)", 0, 3 },
	{ UNIT_SIZE, "2kb", "unknown size unit 'kb' (use B, KB, MB, GB, KiB, MiB, GiB)", 1, 2 },
	{ UNIT_SIZE, "1025GiB", "'1025GiB' is too large (the largest size is 1024GiB)", 0, 7 },
	{ UNIT_SIZE, "-1KB", "negative sizes are not allowed", 0, 1 },
	{ UNIT_RATE, "200", "missing unit in '200' (rates need a unit: /s, /min, /h, /d; e.g. 200/s)", 0, 3 },
	{ UNIT_RATE, "200k", "missing unit in '200k' (rates need a unit: /s, /min, /h, /d; e.g. 200k/s)", 0, 4 },
	{ UNIT_RATE, "200/sec", "unknown rate unit '/sec' (use /s, /m, /min, /h, /d)", 3, 4 },
	{ UNIT_RATE, "200s", "unknown rate unit 's' (use /s, /m, /min, /h, /d)", 3, 1 },
	{ UNIT_RATE, "2x/s", "unknown count suffix 'x' (use k or M, e.g. 12k/min)", 1, 1 },
	{ UNIT_RATE, "2e9/s", "'2e9/s' is too large (the largest rate is 1000M/s)", 0, 5 },
	{ UNIT_RATE, "-1/s", "negative rates are not allowed", 0, 1 },
	{ UNIT_NONE, "-1", "negative numbers are not allowed", 0, 1 },
	{ UNIT_NONE, "3x", "unexpected 'x' after the number (plain numbers have no unit)", 1, 1 },
	{ UNIT_NONE, "3 4", "unexpected '4' after the number", 2, 1 },
	{ UNIT_NONE, "1e400", "'1e400' is too large (the largest number is 1.79769e+308)", 0, 5 },
	{ UNIT_NONE, "inf", "'inf' is not allowed (numbers must be finite)", 0, 3 },
	{ UNIT_NONE, ".", "expected a number at '.' (e.g. 0.25)", 0, 1 },
};

void test_units_parse_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *t = &bad[i];
		struct parse_err err = { 0 };
		double got = 12345;

		CHECK_MSG(units_parse(t->kind, t->in, &got, &err) == -1, "'%s' was accepted", t->in);
		CHECK_MSG(got == 12345, "'%s' wrote its output on error", t->in);
		if (!err_is(t->in, &err, t->msg, t->offset, t->len))
			return;
	}
}

void test_units_parse_int(void)
{
	static const struct { const char *in; int64_t want; } ok[] = {
		{ "3", 3 }, { "1e6", 1000000 }, { "1_000_000", 1000000 }, { "1.50e1", 15 },
		{ "0", 0 }, { "9223372036854775807", INT64_MAX },
	};
	struct parse_err err = { 0 };
	int64_t v = 0;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_MSG(units_parse_int(ok[i].in, &v, &err) == 0, "'%s': %s", ok[i].in, err.msg);
		CHECK_EQ_INT(v, ok[i].want);
	}
	CHECK(units_parse_int("1.5", &v, &err) == -1);
	if (!err_is("1.5", &err, "'1.5' is not a whole number (integers only)", 0, 3))
		return;
	CHECK(units_parse_int("2.5e-3", &v, &err) == -1);
	CHECK(units_parse_int("9223372036854775808", &v, &err) == -1);
	if (!err_is("9223372036854775808", &err,
		    "'9223372036854775808' is too large (the largest integer is 9223372036854775807)", 0, 19))
		return;
	CHECK(units_parse_int("1e19", &v, &err) == -1);
	CHECK(units_parse_int("5s", &v, &err) == -1);
}

void test_units_parse_duration_exact(void)
{
	struct parse_err err;
	sim_time t = 0;

	/* Scaled in integers, not through a double: every tenth of a second. */
	for (int i = 1; i < 1000; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%d.%ds", i / 10, i % 10);
		CHECK_MSG(units_parse_duration(buf, &t, &err) == 0, "'%s': %s", buf, err.msg);
		CHECK_EQ_INT(t, (sim_time)i * 100000);
	}
	CHECK(units_parse_duration("0", &t, &err) == 0);
	CHECK_EQ_INT(t, 0);
}

void test_units_format(void)
{
	char buf[64];

	CHECK_EQ_STR(units_format_duration(43200 * SIM_SEC, buf, sizeof(buf)), "12h");
	CHECK_EQ_STR(units_format_duration(90 * SIM_SEC, buf, sizeof(buf)), "90s");
	CHECK_EQ_STR(units_format_duration(1500 * SIM_MS, buf, sizeof(buf)), "1500ms");
	CHECK_EQ_STR(units_format_duration(0, buf, sizeof(buf)), "0s");
	CHECK_EQ_STR(units_format_duration(SIM_MIN, buf, sizeof(buf)), "1m");
	CHECK_EQ_STR(units_format_duration(SIM_DAY, buf, sizeof(buf)), "1d");
	CHECK_EQ_STR(units_format_duration(1, buf, sizeof(buf)), "1us");
	CHECK_EQ_STR(units_format_duration(UNITS_DURATION_MAX, buf, sizeof(buf)), "36525d");
	CHECK_EQ_STR(units_format_duration(-SIM_SEC, buf, sizeof(buf)), "-1s");
	CHECK_EQ_STR(units_format_size(262144, buf, sizeof(buf)), "256KiB");
	CHECK_EQ_STR(units_format_size(1000, buf, sizeof(buf)), "1KB");
	CHECK_EQ_STR(units_format_size(1048576, buf, sizeof(buf)), "1MiB");
	CHECK_EQ_STR(units_format_size(100, buf, sizeof(buf)), "100B");
	CHECK_EQ_STR(units_format_size(0, buf, sizeof(buf)), "0B");
	CHECK_EQ_STR(units_format_size(2e9, buf, sizeof(buf)), "2GB");
	CHECK_EQ_STR(units_format_size(1024000, buf, sizeof(buf)), "1000KiB");
	CHECK_EQ_STR(units_format_size(UNITS_SIZE_MAX, buf, sizeof(buf)), "1024GiB");
	CHECK_EQ_STR(units_format_rate(200, buf, sizeof(buf)), "200/s");
	CHECK_EQ_STR(units_format_rate(0.5, buf, sizeof(buf)), "30/min");
	CHECK_EQ_STR(units_format_rate(1.0 / 3600, buf, sizeof(buf)), "1/h");
	CHECK_EQ_STR(units_format_rate(1.0 / 86400, buf, sizeof(buf)), "1/d");
	CHECK_EQ_STR(units_format_rate(5000, buf, sizeof(buf)), "5k/s");
	CHECK_EQ_STR(units_format_rate(UNITS_RATE_MAX, buf, sizeof(buf)), "1000M/s");
	CHECK_EQ_STR(units_format_rate(0, buf, sizeof(buf)), "0/s");
	CHECK_EQ_STR(units_format_rate(1.0 / 7, buf, sizeof(buf)), "0.14285714285714285/s");
	CHECK_EQ_STR(units_format(UNIT_NONE, 0.25, buf, sizeof(buf)), "0.25");
	CHECK_EQ_STR(units_format(UNIT_NONE, 3, buf, sizeof(buf)), "3");
	CHECK_EQ_STR(units_format(UNIT_DURATION, 250000, buf, sizeof(buf)), "250ms");
	CHECK_EQ_STR(units_format(UNIT_DURATION, 1.5, buf, sizeof(buf)), "1.5us");
	CHECK_EQ_STR(units_kind_name(UNIT_DURATION), "duration");
	CHECK_EQ_STR(units_kind_name(UNIT_RATE), "rate");
	CHECK_EQ_STR(units_kind_name(UNIT_SIZE), "size");
	CHECK_EQ_STR(units_kind_name(UNIT_NONE), "number");
}

/* parse(format(v)) == v, bit for bit. */
static bool round_trips(enum unit_kind kind, double v)
{
	struct parse_err err = { 0 };
	char buf[64];
	double back = -1;

	units_format(kind, v, buf, sizeof(buf));
	if (units_parse(kind, buf, &back, &err) == 0 && back == v)
		return true;
	test__fail(__FILE__, __LINE__, "%s %.17g -> '%s' -> %.17g (%s)", units_kind_name(kind), v,
		   buf, back, err.msg);
	return false;
}

void test_units_round_trip(void)
{
	static const double durations[] = {
		0, 1, 999, 1000, 1001, 1500000, 90e6, 43200e6, 3 * 86400e6, 123456789,
		3155760000000000.0, 7 * 3600e6 + 1,
	};
	static const double sizes[] = {
		0, 1, 100, 1000, 1024, 1536, 262144, 1e6, 2e9, 1099511627776.0, 123456789, 3 * 1048576,
	};
	static const double rates[] = {
		0, 200, 0.5, 1.0 / 3600, 1.0 / 7, 1.0 / 3, 1e9, 12.5, 1e-3, 0.1, 1e6 / 86400, 5000,
	};
	static const double plain[] = { 0, 0.25, 3, 1e6, 2.5e-3, 1.0 / 3, 1e300, 123456.789 };

	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		if (!round_trips(UNIT_DURATION, durations[i]))
			return;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!round_trips(UNIT_SIZE, sizes[i]))
			return;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (!round_trips(UNIT_RATE, rates[i]))
			return;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!round_trips(UNIT_NONE, plain[i]))
			return;
	/* A sweep of durations across every unit boundary. */
	for (double v = 1; v < 3e15; v = v * 7 + 3)
		if (!round_trips(UNIT_DURATION, v))
			return;
}

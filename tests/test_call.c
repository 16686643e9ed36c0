/*
 * test_call.c - the splitter of "name(key=value, ...)": names, keys, values
 * and their offsets for good inputs; the exact message and location of every
 * syntax error; call_check_keys on the split arguments.
 *
 * Offsets are what carets are drawn from, so every case checks them, not
 * only the text. The sanitizer build checks that nothing leaks on either
 * path.
 */
#include "harness.h"
#include "weir/call.h"

#include <string.h>

struct want_arg {
	const char *key;   /* NULL: positional */
	size_t key_off;    /* not checked for a positional argument */
	const char *value;
	size_t val_off;
};

struct good_case {
	const char *text;
	const char *name;  /* NULL: a bare value */
	size_t name_off;
	size_t nargs;
	struct want_arg args[CALL_MAX_ARGS];
};

static const struct good_case good[] = {
	{ "poisson(rate=200/s)", "poisson", 0, 1, { { "rate", 8, "200/s", 13 } } },
	{ "  uniform ( min = 10ms ,max=30ms )  ", "uniform", 2, 2,
	  { { "min", 12, "10ms", 18 }, { "max", 24, "30ms", 28 } } },
	{ "trace(file=data/a b.csv, column=t, unit=ms)", "trace", 0, 3,
	  { { "file", 6, "data/a b.csv", 11 }, { "column", 25, "t", 32 }, { "unit", 35, "ms", 40 } } },
	{ "constant(250ms)", "constant", 0, 1, { { NULL, 0, "250ms", 9 } } },
	{ "exponential()", "exponential", 0, 0, { { 0 } } },
	{ "exponential( \t)", "exponential", 0, 0, { { 0 } } },
	{ "_x9 (k_1=v)", "_x9", 0, 1, { { "k_1", 5, "v", 9 } } },
	{ "f(a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8)", "f", 0, 8,
	  { { "a", 2, "1", 4 }, { "b", 7, "2", 9 }, { "c", 12, "3", 14 }, { "d", 17, "4", 19 },
	    { "e", 22, "5", 24 }, { "f", 27, "6", 29 }, { "g", 32, "7", 34 }, { "h", 37, "8", 39 } } },
	/* bare values: no name, the trimmed text as one positional argument */
	{ "250ms", NULL, 0, 1, { { NULL, 0, "250ms", 0 } } },
	{ " 250ms ", NULL, 0, 1, { { NULL, 0, "250ms", 1 } } },
	{ "rate=1/s", NULL, 0, 1, { { NULL, 0, "rate=1/s", 0 } } },
	{ "1s(x)", NULL, 0, 1, { { NULL, 0, "1s(x)", 0 } } },   /* a name starts with a letter */
	{ "", NULL, 0, 0, { { 0 } } },
	{ " \t ", NULL, 0, 0, { { 0 } } },
};

/* True when argument i of c is w; reports the difference otherwise. */
static bool arg_is(const char *text, const struct call *c, size_t i, const struct want_arg *w)
{
	const struct call_arg *a = &c->args[i];
	bool key_ok = w->key ? a->key && strcmp(a->key, w->key) == 0 && a->key_off == w->key_off &&
			       a->key_len == strlen(w->key)
			     : !a->key && a->key_len == 0;

	if (key_ok && strcmp(a->value, w->value) == 0 && a->val_off == w->val_off &&
	    a->val_len == strlen(w->value))
		return true;
	test__fail(__FILE__, __LINE__, "'%s' argument %zu:\n  got  %s@%zu+%zu = '%s'@%zu+%zu\n  want %s@%zu = '%s'@%zu",
		   text, i, a->key ? a->key : "(positional)", a->key_off, a->key_len, a->value,
		   a->val_off, a->val_len, w->key ? w->key : "(positional)", w->key_off, w->value,
		   w->val_off);
	return false;
}

void test_call_parse_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *t = &good[i];
		struct parse_err err = { 0 };
		struct call c;

		CHECK_MSG(call_parse(t->text, "distribution", &c, &err) == 0, "'%s': %s", t->text, err.msg);
		CHECK_MSG(c.text == t->text, "'%s': text not kept", t->text);
		CHECK_MSG(t->name ? c.name && strcmp(c.name, t->name) == 0 : !c.name, "'%s': name %s",
			  t->text, c.name ? c.name : "(none)");
		CHECK_MSG(!t->name || (c.name_off == t->name_off && c.name_len == strlen(t->name)),
			  "'%s': name at %zu+%zu", t->text, c.name_off, c.name_len);
		CHECK_MSG(c.nargs == t->nargs, "'%s': %zu arguments, want %zu", t->text, c.nargs, t->nargs);
		for (size_t k = 0; k < t->nargs; k++)
			if (!arg_is(t->text, &c, k, &t->args[k]))
				break;
		call_release(&c);
		CHECK(c.name == NULL && c.nargs == 0);
	}
}

struct bad_case {
	const char *text;
	const char *what;
	const char *msg;
	size_t offset, len;
	size_t name_off, name_len;  /* still set after the error */
};

#define NINE_ARGS "f(a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, i=9)"

static const struct bad_case bad[] = {
	{ "normal(mean=400ms sd=100ms)", "distribution", "missing ',' before 'sd'", 18, 2, 0, 6 },
	{ "  normall(mean=1 sd=2)", "distribution", "missing ',' before 'sd'", 17, 2, 2, 7 },
	{ "normal(mean=(1s), sd=1s)", "distribution", "unexpected '(' in the parameters of normal", 12, 1, 0, 6 },
	{ "uniform(min=1s,,max=2s)", "distribution", "empty parameter before ','", 15, 1, 0, 7 },
	{ "uniform(min=1s,)", "distribution", "empty parameter before ')'", 15, 1, 0, 7 },
	{ "f( ,a=1)", "distribution", "empty parameter before ','", 3, 1, 0, 1 },
	{ "exponential(mean=2s", "distribution", "unbalanced parentheses: '(' is never closed", 11, 1, 0, 11 },
	{ "exponential(mean=2s))", "distribution", "unbalanced parentheses: ')' has no matching '('", 20, 1, 0, 11 },
	{ "poisson(rate=1/s) x", "arrival process", "unexpected 'x' after the arrival process", 18, 1, 0, 7 },
	{ "normal(mean=1s) and more ", "distribution", "unexpected 'and more' after the distribution", 16, 8, 0, 6 },
	{ "uniform(min=, max=2s)", "distribution", "missing value after 'min='", 11, 1, 0, 7 },
	{ "uniform(=1s, max=2s)", "distribution", "missing parameter name before '='", 8, 1, 0, 7 },
	{ "uniform(m in=1s)", "distribution", "'m in' is not a parameter name", 8, 4, 0, 7 },
	{ "f(2x=1)", "distribution", "'2x' is not a parameter name", 2, 2, 0, 1 },
	{ "f(a= =1)", "distribution", "unexpected '=' in the value of 'a'", 5, 1, 0, 1 },
	{ NINE_ARGS, "distribution", "too many parameters (at most 8)", 42, 3, 0, 1 },
};

/* err is exactly msg at [off, off + len), or the test fails showing both. */
#define CHECK_ERR(text, err, want_msg, off, length)                                   \
	CHECK_MSG(strcmp((err).msg, want_msg) == 0 && (err).offset == (off) &&         \
		  (err).len == (length),                                               \
		  "'%s':\n  got  [%zu+%zu] %s\n  want [%zu+%zu] %s", text, (err).offset, \
		  (err).len, (err).msg, (size_t)(off), (size_t)(length), want_msg)

void test_call_parse_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *t = &bad[i];
		struct parse_err err = { 0 };
		struct call c;

		CHECK_MSG(call_parse(t->text, t->what, &c, &err) == -1, "'%s' was accepted", t->text);
		CHECK_MSG(!c.name && c.nargs == 0, "'%s' left something to release", t->text);
		CHECK_MSG(c.name_off == t->name_off && c.name_len == t->name_len,
			  "'%s': name at %zu+%zu after the error", t->text, c.name_off, c.name_len);
		call_release(&c);   /* harmless after an error */
		CHECK_ERR(t->text, err, t->msg, t->offset, t->len);
	}
}

struct keys_case {
	const char *text;
	const char *msg;  /* NULL: accepted */
	size_t offset, len;
};

static const char *const trace_keys[] = { "file", "column", "unit", NULL };
static const char *const rate_keys[] = { "rate", NULL };

static const struct keys_case keys_cases[] = {
	{ "trace(file=a, unit=ms)", NULL, 0, 0 },
	{ "trace(x=1)", "trace has no parameter 'x' (it takes file, column, unit)", 6, 1 },
	{ "trace(file=a, file=b)", "parameter 'file' is given twice", 14, 4 },
	{ "poisson(rat=1/s)", "poisson has no parameter 'rat' (did you mean 'rate'?)", 8, 3 },
};

void test_call_check_keys(void)
{
	for (size_t i = 0; i < sizeof(keys_cases) / sizeof(keys_cases[0]); i++) {
		const struct keys_case *t = &keys_cases[i];
		struct parse_err err = { 0 };
		struct call c;
		int rc;

		CHECK_MSG(call_parse(t->text, "arrival process", &c, &err) == 0, "'%s': %s", t->text, err.msg);
		rc = call_check_keys(&c, c.name, strcmp(c.name, "trace") == 0 ? trace_keys : rate_keys, &err);
		call_release(&c);
		CHECK_MSG(rc == (t->msg ? -1 : 0), "'%s': returned %d", t->text, rc);
		if (t->msg)
			CHECK_ERR(t->text, err, t->msg, t->offset, t->len);
	}
}

void test_call_arg_lookup(void)
{
	struct parse_err err;
	struct call c;

	CHECK(call_parse("trace(file=a.csv, unit=ms)", "arrival process", &c, &err) == 0);
	CHECK(call_arg(&c, "unit") == &c.args[1]);
	CHECK(call_arg(&c, "column") == NULL);
	CHECK_EQ_STR(call_arg(&c, "file")->value, "a.csv");
	call_release(&c);
	CHECK_EQ_INT(call_name_len("poisson(rate=1/s)"), 7);
	CHECK_EQ_INT(call_name_len("_a1 b"), 3);
	CHECK_EQ_INT(call_name_len("9lives"), 0);
	CHECK_EQ_INT(call_name_len(""), 0);
}

/*
 * call.c - parsing "name(key=value, ...)".
 */
#include "weir/call.h"
#include "weir/base.h"
#include "weir/schema.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void call_err_at(struct parse_err *err, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;

	err->offset = off;
	err->len = len ? len : 1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static size_t skip_blank(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return i;
}

/* Trims blanks around [*a, *b). */
static void trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && isspace((unsigned char)s[*a]))
		(*a)++;
	while (*b > *a && isspace((unsigned char)s[*b - 1]))
		(*b)--;
}

static int add_arg(struct call *c, const char *s, size_t a, size_t b, struct parse_err *err)
{
	struct call_arg *arg;
	const char *eq;
	size_t ka = a, kb, va, vb = b;

	trim(s, &a, &b);
	if (a == b) {
		call_err_at(err, a, 1, "empty argument");
		return -1;
	}
	if (c->nargs == CALL_MAX_ARGS) {
		call_err_at(err, a, b - a, "too many arguments (at most %d)", CALL_MAX_ARGS);
		return -1;
	}
	arg = &c->args[c->nargs++];
	eq = memchr(s + a, '=', b - a);
	if (!eq) {
		arg->val_off = a;
		arg->val_len = b - a;
		arg->value = weir_strndup(s + a, b - a);
		return 0;
	}
	ka = a;
	kb = (size_t)(eq - s);
	va = kb + 1;
	trim(s, &ka, &kb);
	trim(s, &va, &vb);
	if (ka == kb || va == vb) {
		call_err_at(err, ka == kb ? kb : va, 1, ka == kb ? "missing parameter name before '='"
						       : "missing value after '='");
		return -1;
	}
	arg->key = weir_strndup(s + ka, kb - ka);
	arg->key_off = ka;
	arg->value = weir_strndup(s + va, vb - va);
	arg->val_off = va;
	arg->val_len = vb - va;
	return 0;
}

/* Splits the text between the parentheses at top-level commas. */
static int parse_args(struct call *c, const char *s, size_t open, size_t close, struct parse_err *err)
{
	size_t start = open + 1, depth = 0;

	if (skip_blank(s, start) == close)
		return 0;
	for (size_t i = open + 1; i <= close; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0 && i < close)
			depth--;
		else if ((s[i] == ',' && depth == 0) || i == close) {
			if (add_arg(c, s, start, i, err) != 0)
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

/* Index of the ')' matching the '(' at open, or 0 when unbalanced. */
static size_t matching(const char *s, size_t open)
{
	size_t depth = 0;

	for (size_t i = open; s[i]; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i;
	}
	return 0;
}

int call_parse(const char *s, struct call *c, struct parse_err *err)
{
	size_t i = skip_blank(s, 0), name_at = i, open, close, end;

	memset(c, 0, sizeof(*c));
	while (isalnum((unsigned char)s[i]) || s[i] == '_')
		i++;
	open = skip_blank(s, i);
	if (s[open] != '(' || i == name_at) {
		size_t a = 0, b = strlen(s);

		if (s[open] == '(' || strchr(s, ')')) {
			call_err_at(err, open, 1, "expected a name before '('");
			return -1;
		}
		return add_arg(c, s, a, b, err);   /* a bare value */
	}
	c->name = weir_strndup(s + name_at, i - name_at);
	c->name_len = i - name_at;
	close = matching(s, open);
	if (!close) {
		call_err_at(err, open, 1, "'(' is never closed");
		call_release(c);
		return -1;
	}
	end = skip_blank(s, close + 1);
	if (s[end]) {
		call_err_at(err, end, strlen(s + end), "unexpected text after ')'");
		call_release(c);
		return -1;
	}
	if (parse_args(c, s, open, close, err) != 0) {
		call_release(c);
		return -1;
	}
	return 0;
}

void call_release(struct call *c)
{
	for (size_t i = 0; i < c->nargs; i++) {
		free(c->args[i].key);
		free(c->args[i].value);
	}
	free(c->name);
	memset(c, 0, sizeof(*c));
}

const struct call_arg *call_arg(const struct call *c, const char *key)
{
	for (size_t i = 0; i < c->nargs; i++)
		if (c->args[i].key && strcmp(c->args[i].key, key) == 0)
			return &c->args[i];
	return NULL;
}

static void list_allowed(const char *const *allowed, char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; allowed[i]; i++) {
		if (i)
			strncat(buf, ", ", n - strlen(buf) - 1);
		strncat(buf, allowed[i], n - strlen(buf) - 1);
	}
}

int call_check_keys(const struct call *c, const char *what, const char *const *allowed,
		    struct parse_err *err)
{
	char list[160];
	size_t nallowed = 0;

	while (allowed[nallowed])
		nallowed++;
	list_allowed(allowed, list, sizeof(list));
	for (size_t i = 0; i < c->nargs; i++) {
		const struct call_arg *a = &c->args[i];
		const char *near;
		size_t k;

		if (!a->key)
			continue;
		for (k = 0; k < nallowed && strcmp(a->key, allowed[k]) != 0; k++)
			;
		if (k == nallowed) {
			near = schema_suggest(a->key, allowed, nallowed);
			if (near)
				call_err_at(err, a->key_off, strlen(a->key),
					    "%s has no parameter '%s' (did you mean '%s'?)", what, a->key, near);
			else
				call_err_at(err, a->key_off, strlen(a->key),
					    "%s has no parameter '%s' (it takes %s)", what, a->key, list);
			return -1;
		}
		if (call_arg(c, a->key) != a) {
			call_err_at(err, a->key_off, strlen(a->key), "parameter '%s' is given twice", a->key);
			return -1;
		}
	}
	return 0;
}

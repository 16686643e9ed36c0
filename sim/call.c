/*
 * call.c - the one splitter of "name(key=value, ...)" (the notation is in
 * call.h).
 *
 * The text is read once, left to right: the name, then one parameter at a
 * time up to the next ',' or ')', then what follows the ')'. Each parameter
 * is trimmed and checked as it is read, and the first error met stops the
 * reading. Keys and values are copied, and their offsets into the text kept,
 * for the caller's own messages.
 */
#include "weir/call.h"
#include "weir/base.h"
#include "weir/schema.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LIST_MAX 160   /* room for the list of a call's keys in a message */

static bool is_ident(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

size_t call_name_len(const char *s)
{
	size_t n = 0;

	if (!is_ident(s[0], true))
		return 0;
	while (is_ident(s[n], false))
		n++;
	return n;
}

static size_t skip_blanks(const char *s, size_t i)
{
	while (parse_is_blank(s[i]))
		i++;
	return i;
}

/* ---- one parameter ---- */

/* Locates the key and the value of the parameter [seg, end); eq is its first '=' or NULL. */
static void locate(const char *t, size_t seg, size_t end, const char *eq, struct call_arg *a)
{
	size_t key_start = seg, key_end = eq ? (size_t)(eq - t) : seg;
	size_t val_start = eq ? key_end + 1 : seg, val_end = end;

	parse_trim(t, &key_start, &key_end);
	parse_trim(t, &val_start, &val_end);
	*a = (struct call_arg){ .key_off = key_start, .key_len = key_end - key_start,
				.val_off = val_start, .val_len = val_end - val_start };
}

/* "mean=400ms sd=100ms": a second '=' in a value means a ',' is missing. */
static int check_missing_comma(const char *t, const struct call_arg *a, struct parse_err *err)
{
	const char *eq = memchr(t + a->val_off, '=', a->val_len);
	size_t end, start;

	if (!eq)
		return 0;
	end = (size_t)(eq - t);
	while (end > a->val_off && parse_is_blank(t[end - 1]))
		end--;
	start = end;
	while (start > a->val_off && is_ident(t[start - 1], false))
		start--;
	if (start == end)
		return parse_fail(err, (size_t)(eq - t), 1, "unexpected '=' in the value of '%.*s'",
				  parse_qlen(a->key_len), t + a->key_off);
	return parse_fail(err, start, end - start, "missing ',' before '%.*s'", parse_qlen(end - start),
			  t + start);
}

/* The punctuation of one located parameter; eq is its first '=' or NULL. */
static int check_arg(const char *t, const struct call_arg *a, const char *eq, struct parse_err *err)
{
	if (eq && a->key_len == 0)
		return parse_fail(err, (size_t)(eq - t), 1, "missing parameter name before '='");
	if (eq && a->val_len == 0)
		return parse_fail(err, (size_t)(eq - t), 1, "missing value after '%.*s='",
				  parse_qlen(a->key_len), t + a->key_off);
	if (check_missing_comma(t, a, err) < 0)
		return -1;
	if (a->key_len && call_name_len(t + a->key_off) != a->key_len)
		return parse_fail(err, a->key_off, a->key_len, "'%.*s' is not a parameter name",
				  parse_qlen(a->key_len), t + a->key_off);
	return 0;
}

/*
 * Adds the parameter text[seg, stop), which ended at the ',' or ')' at stop.
 * An empty parameter is an error, except as the only one: "name()".
 */
static int add_arg(struct call *c, size_t seg, size_t stop, bool only, struct parse_err *err)
{
	const char *t = c->text, *eq;
	size_t end = stop;
	struct call_arg *a;

	parse_trim(t, &seg, &end);
	if (seg == end)
		return only && t[stop] == ')' ? 0
		       : parse_fail(err, stop, 1, "empty parameter before '%c'", t[stop]);
	if (c->nargs == CALL_MAX_ARGS)
		return parse_fail(err, seg, end - seg, "too many parameters (at most %d)", CALL_MAX_ARGS);
	a = &c->args[c->nargs];
	eq = memchr(t + seg, '=', end - seg);
	locate(t, seg, end, eq, a);
	if (check_arg(t, a, eq, err) < 0)
		return -1;
	a->key = a->key_len ? weir_strndup(t + a->key_off, a->key_len) : NULL;
	a->value = weir_strndup(t + a->val_off, a->val_len);
	c->nargs++;
	return 0;
}

/* ---- the whole text ---- */

/* Nothing but blanks may follow the ')' just before i. */
static int check_trailing(const char *t, const char *what, size_t i, struct parse_err *err)
{
	size_t end;

	i = skip_blanks(t, i);
	if (!t[i])
		return 0;
	if (t[i] == ')')
		return parse_fail(err, i, 1, "unbalanced parentheses: ')' has no matching '('");
	end = i + strlen(t + i);
	parse_trim(t, &i, &end);
	return parse_fail(err, i, end - i, "unexpected '%.*s' after the %s", parse_qlen(end - i), t + i,
			  what);
}

/* Splits the parameters between the '(' at open and its ')'. */
static int split_args(struct call *c, const char *what, size_t open, struct parse_err *err)
{
	const char *t = c->text;
	size_t i = open + 1;

	for (;;) {
		size_t seg = i;

		while (t[i] && t[i] != ',' && t[i] != ')' && t[i] != '(')
			i++;
		if (t[i] == '(')
			return parse_fail(err, i, 1, "unexpected '(' in the parameters of %.*s",
					  parse_qlen(c->name_len), t + c->name_off);
					  if (!t[i])
					  return parse_fail(err, open, 1, "unbalanced parentheses: '(' is never closed");
					  if (add_arg(c, seg, i, seg == open + 1, err) < 0)
					  return -1;
					  if (t[i++] == ')')
					  return check_trailing(t, what, i, err);
					  }
}

/* A bare value: the whole text as one positional argument, none when blank. */
static void add_bare(struct call *c)
{
					  size_t start = 0, end = strlen(c->text);

					  parse_trim(c->text, &start, &end);
					  if (start == end)
					  return;
					  c->args[0] = (struct call_arg){ .key_off = start, .val_off = start, .val_len = end - start,
					  .value = weir_strndup(c->text + start, end - start) };
					  c->nargs = 1;
}

static void release_args(struct call *c)
{
					  for (size_t i = 0; i < c->nargs; i++) {
					  free(c->args[i].key);
					  free(c->args[i].value);
					  }
					  c->nargs = 0;
}

int call_parse(const char *text, const char *what, struct call *c, struct parse_err *err)
{
					  size_t at = skip_blanks(text, 0), len = call_name_len(text + at);
					  size_t open = skip_blanks(text, at + len);

					  memset(c, 0, sizeof(*c));
					  c->text = text;
					  if (len == 0 || text[open] != '(') {
					  add_bare(c);
					  return 0;
					  }
					  c->name_off = at;
					  c->name_len = len;
					  if (split_args(c, what, open, err) < 0) {
					  release_args(c);
					  return -1;
					  }
					  c->name = weir_strndup(text + at, len);
					  return 0;
}

void call_release(struct call *c)
{
					  release_args(c);
					  free(c->name);
					  memset(c, 0, sizeof(*c));
}

/* ---- keys ---- */

const struct call_arg *call_arg(const struct call *c, const char *key)
{
					  for (size_t i = 0; i < c->nargs; i++)
					  if (c->args[i].key && strcmp(c->args[i].key, key) == 0)
					  return &c->args[i];
					  return NULL;
}

static bool is_allowed(const char *key, const char *const *allowed)
{
					  for (; *allowed; allowed++)
					  if (strcmp(key, *allowed) == 0)
					  return true;
					  return false;
}

/* "file, column, unit" */
static void list_allowed(const char *const *allowed, char *buf, size_t n)
{
					  buf[0] = '\0';
					  for (size_t i = 0; allowed[i]; i++) {
					  if (i)
					  strncat(buf, ", ", n - strlen(buf) - 1);
					  strncat(buf, allowed[i], n - strlen(buf) - 1);
					  }
}

static int unknown_key(const struct call_arg *a, const char *what, const char *const *allowed,
					  struct parse_err *err)
{
					  char list[KEY_LIST_MAX];
					  size_t n = 0;
					  const char *near;

					  while (allowed[n])
					  n++;
					  near = weir_suggest(a->key, strlen(a->key), allowed, n);
					  if (near)
					  return parse_fail(err, a->key_off, a->key_len, "%s has no parameter '%s' (did you mean '%s'?)",
					  what, a->key, near);
					  list_allowed(allowed, list, sizeof(list));
					  return parse_fail(err, a->key_off, a->key_len, "%s has no parameter '%s' (it takes %s)", what,
					  a->key, list);
}

int call_check_keys(const struct call *c, const char *what, const char *const *allowed,
					  struct parse_err *err)
{
					  for (size_t i = 0; i < c->nargs; i++) {
					  const struct call_arg *a = &c->args[i];

					  if (!a->key)
					  continue;
					  if (!is_allowed(a->key, allowed))
					  return unknown_key(a, what, allowed, err);
					  if (call_arg(c, a->key) != a)
					  return parse_fail(err, a->key_off, a->key_len, "parameter '%s' is given twice", a->key);
					  }
					  return 0;
}

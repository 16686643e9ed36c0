/*
 * call.h - the "name(key=value, ...)" notation of scenario values.
 *
 * Used by distributions ("exponential(mean=2s)") and arrival processes
 * ("poisson(rate=200/s)"). A bare value ("250ms") parses as a call with no
 * name and one positional argument. Offsets point into the original text so
 * errors can place a caret under the offending key or value.
 */
#ifndef WEIR_CALL_H
#define WEIR_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include "weir/units.h"

#define CALL_MAX_ARGS 8

struct call_arg {
	char *key;             /* NULL for a positional argument */
	char *value;
	size_t key_off, val_off, val_len;
};

struct call {
	char *name;            /* NULL for a bare value */
	size_t name_len;
	struct call_arg args[CALL_MAX_ARGS];
	size_t nargs;
};

/* Returns 0, or -1 with err set (unbalanced parentheses, empty argument, ...). */
int call_parse(const char *text, struct call *c, struct parse_err *err);
void call_release(struct call *c);
/* The argument with that key, or NULL. */
const struct call_arg *call_arg(const struct call *c, const char *key);
/*
 * Checks that every key is one of `allowed` (NULL-terminated) and appears
 * once; what names what in messages: e.g. "poisson". Returns 0 or -1.
 */
int call_check_keys(const struct call *c, const char *what, const char *const *allowed,
		    struct parse_err *err);
/* Sets err to point at an argument's value with a formatted message. */
void call_err_at(struct parse_err *err, size_t off, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif

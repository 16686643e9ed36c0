/*
 * call.h - the "name(key=value, ...)" notation of scenario values.
 *
 * Used by distributions ("exponential(mean=2s)") and arrival processes
 * ("poisson(rate=200/s)"). The one splitter of the notation: it reads the
 * name, splits the parameters at commas and checks the punctuation (missing
 * commas, '(' inside the parameters, empty parameters, text after ')'),
 * leaving the meaning of names, keys and values to the caller.
 *
 * A text that is not a name followed by '(' is a bare value ("250ms"): a
 * call with no name and one positional argument, or none when the text is
 * blank. Every offset points into the original text, so errors can place a
 * caret under the offending key or value.
 */
#ifndef WEIR_CALL_H
#define WEIR_CALL_H

#include <stddef.h>

#include "weir/units.h"

#define CALL_MAX_ARGS 8   /* most parameters accepted in one call */

struct call_arg {
	char *key;                 /* NUL-terminated copy; NULL for a positional argument */
	char *value;               /* NUL-terminated copy, never empty */
	size_t key_off, key_len;   /* where the key is in the text; key_len 0: positional */
	size_t val_off, val_len;   /* where the value is, without blanks around it */
};

struct call {
	const char *text;          /* the text parsed (not owned) */
	char *name;                /* NUL-terminated copy; NULL for a bare value */
	size_t name_off, name_len; /* where the name is in the text */
	struct call_arg args[CALL_MAX_ARGS];
	size_t nargs;
};

/*
 * Splits text into c; what names what is parsed in messages ("distribution",
 * "arrival process"). Names and keys are identifiers (a letter or '_', then
 * letters, digits and '_'). Returns 0 (release c with call_release), or -1
 * with err filled and nothing to release; c->name_off and c->name_len then
 * still locate the name when one was read (name_len 0 otherwise), so that a
 * caller may report an unknown name before a syntax error after it.
 */
int call_parse(const char *text, const char *what, struct call *c, struct parse_err *err);
void call_release(struct call *c);
/* The length of the identifier at the start of s; 0 when there is none. */
size_t call_name_len(const char *s);
/* The argument with that key, or NULL. */
const struct call_arg *call_arg(const struct call *c, const char *key);
/*
 * Checks that every key is one of `allowed` (NULL-terminated) and appears
 * once; what names what in messages: e.g. "poisson". Returns 0 or -1.
 */
int call_check_keys(const struct call *c, const char *what, const char *const *allowed,
		    struct parse_err *err);

#endif

/*
 * diag.h - located diagnostics for user input, printed like a compiler's:
 *
 *   scenarios/x.yaml:12:7: error: unknown key 'visiblity_timeout' (did you mean 'visibility_timeout'?)
 *      12 |       visiblity_timeout: 30s
 *         |       ^~~~~~~~~~~~~~~~~
 *
 * A diag_source is one input text (a file, or a --set argument); a diag_loc
 * is a line and column in it (both 1-based, columns in characters) and the
 * length of the span to underline. Diagnostics are collected in a struct
 * diags and printed in the order they were raised.
 */
#ifndef WEIR_DIAG_H
#define WEIR_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "weir/base.h"

struct diag_source {
	char *name;   /* as shown in messages: the path given, or "--set" */
	char *text;   /* the whole input, NUL-terminated */
	size_t len;
};

struct diag_loc {
	const struct diag_source *src; /* NULL: no location */
	unsigned line, col;            /* 1-based */
	unsigned len;                  /* characters to underline, at least 1 */
};

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag {
	enum diag_level level;
	struct diag_loc loc;
	char *msg;
};

struct diags {
	struct vec items;       /* struct diag */
	unsigned errors, warnings;
	struct vec sources;     /* struct diag_source *, owned */
};

/* After this many errors, further ones are counted but not kept. */
#define DIAG_MAX_ERRORS 25

struct diag_source *diag_source_new(struct diags *d, const char *name,
				    const char *text, size_t len);
void diag_add(struct diags *d, enum diag_level level, struct diag_loc loc,
	      const char *fmt, ...) WEIR_PRINTF(4, 5);
#define diag_error(d, loc, ...) diag_add((d), DIAG_ERROR, (loc), __VA_ARGS__)
#define diag_warning(d, loc, ...) diag_add((d), DIAG_WARNING, (loc), __VA_ARGS__)
#define diag_note(d, loc, ...) diag_add((d), DIAG_NOTE, (loc), __VA_ARGS__)

/* Prints every diagnostic, then "N errors generated" when there are several. */
void diag_print(const struct diags *d, FILE *out);
/* Frees the diagnostics and sources; the struct may be reused. */
void diag_release(struct diags *d);

static inline struct diag_loc diag_at(const struct diag_source *src, unsigned line,
				      unsigned col, unsigned len)
{
	struct diag_loc l = { src, line, col, len ? len : 1 };

	return l;
}

/* A location with no position ("weir: error: ..."). */
static inline struct diag_loc diag_noloc(void)
{
	struct diag_loc l = { NULL, 0, 0, 0 };

	return l;
}

#endif

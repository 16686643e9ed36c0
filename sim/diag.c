/*
 * diag.c - collecting and printing located diagnostics.
 *
 * Columns count characters, not bytes: a multi-byte UTF-8 sequence is one
 * column, as in libyaml's marks. The caret line copies tabs from the source
 * line so the caret lands under the right character.
 */
#include "weir/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct diag_source *diag_source_new(struct diags *d, const char *name,
				    const char *text, size_t len)
{
	struct diag_source *src = weir_calloc(1, sizeof(*src));
	struct diag_source **slot = vec_push(&d->sources, sizeof(src));

	src->name = weir_strdup(name);
	src->text = weir_strndup(text, len);
	src->len = len;
	*slot = src;
	return src;
}

void diag_add(struct diags *d, enum diag_level level, struct diag_loc loc,
	      const char *fmt, ...)
{
	va_list ap;
	struct diag *item;
	int n;

	if (level == DIAG_ERROR && d->errors++ >= DIAG_MAX_ERRORS)
		return;
	if (level == DIAG_WARNING)
		d->warnings++;
	item = vec_push(&d->items, sizeof(*item));
	item->level = level;
	item->loc = loc;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	item->msg = weir_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(item->msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

static const char *level_name(enum diag_level level)
{
	switch (level) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	case DIAG_NOTE:
		return "note";
	}
	return "?";
}

/* Start of the 1-based line in text, or NULL past the end. */
static const char *line_start(const struct diag_source *src, unsigned line)
{
	const char *p = src->text, *end = src->text + src->len;

	for (unsigned l = 1; l < line; l++) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
	}
	return p;
}

static int is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Prints the source line and a caret line under columns [col, col+len). */
static void print_excerpt(FILE *out, const struct diag_loc *loc)
{
	const char *p = line_start(loc->src, loc->line);
	const char *end, *q;
	unsigned col = 1, len = loc->len ? loc->len : 1;

	if (!p)
		return;
	end = p;
	while (end < loc->src->text + loc->src->len && *end != '\n' && *end != '\r')
		end++;
	fprintf(out, "%5u | %.*s\n      | ", loc->line, (int)(end - p), p);
	for (q = p; q < end && col < loc->col; q++) {
		if (is_continuation((unsigned char)*q))
			continue;
		fputc(*q == '\t' ? '\t' : ' ', out);
		col++;
	}
	fputc('^', out);
	for (unsigned i = 1; i < len; i++)
		fputc('~', out);
	fputc('\n', out);
}

void diag_print(const struct diags *d, FILE *out)
{
	const struct diag *items = d->items.items;

	for (size_t i = 0; i < d->items.len; i++) {
		const struct diag *it = &items[i];

		if (it->loc.src && it->loc.line)
			fprintf(out, "%s:%u:%u: %s: %s\n", it->loc.src->name, it->loc.line,
				it->loc.col, level_name(it->level), it->msg);
		else if (it->loc.src)
			fprintf(out, "%s: %s: %s\n", it->loc.src->name,
				level_name(it->level), it->msg);
		else
			fprintf(out, "weir: %s: %s\n", level_name(it->level), it->msg);
		if (it->loc.src && it->loc.line)
			print_excerpt(out, &it->loc);
	}
	if (d->errors > DIAG_MAX_ERRORS)
		fprintf(out, "weir: %u more errors not shown\n", d->errors - DIAG_MAX_ERRORS);
	if (d->errors > 1)
		fprintf(out, "%u errors generated\n", d->errors);
}

void diag_release(struct diags *d)
{
	struct diag *items = d->items.items;
	struct diag_source **srcs = d->sources.items;

	for (size_t i = 0; i < d->items.len; i++)
		free(items[i].msg);
	for (size_t i = 0; i < d->sources.len; i++) {
		free(srcs[i]->name);
		free(srcs[i]->text);
		free(srcs[i]);
	}
	vec_release(&d->items);
	vec_release(&d->sources);
	d->errors = d->warnings = 0;
}

/*
 * csvr.c - chunked reading of chosen CSV columns through libcsv's callbacks.
 *
 * libcsv calls on_field for each cell and on_row at each row's end. Row 1
 * is kept whole until its end, where it is judged: the header (names are
 * looked up in it) or the first data row. Later rows keep only their wanted
 * cells, in `cur`; a complete row moves to the queue (`text`, `offs`,
 * `rows`), which csvr_next empties before the next chunk is parsed.
 *
 * Invariant: the queue holds rows of one chunk only, so memory is bounded by
 * the chunk size, the longest row and row 1, never by the file's length.
 */
#include "weir/csvr.h"
#include "weir/base.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#define NO_CELL ((size_t)-1)   /* a wanted cell the row has not given yet */

/* A wanted column. */
struct column {
	char *name;         /* its header name, or NULL when given by number */
	size_t index;       /* from 0; a name's is found in row 1 */
};

/* NUL-terminated cells packed one after another, addressed by offset. */
struct cells {
	char *bytes;
	size_t len, cap;
};

struct csvr {
	FILE *f;
	char *label;             /* the file in messages */
	struct csv_parser p;
	csvr_is_value_fn *is_value;
	void *ctx;
	char *buf;               /* one chunk of the file */
	size_t chunk;
	struct column *cols;
	size_t ncols;
	bool named;              /* a column is named: row 1 is the header */
	/* the row being parsed */
	unsigned long row;       /* its number, from 1 */
	size_t field;            /* the index of its next field, from 0 */
	struct vec first;        /* char *: every cell of row 1, while it is parsed */
	struct cells cur;        /* its wanted cells (rows after 1) */
	size_t *slot;            /* ncols offsets into cur, NO_CELL until given */
	/* complete rows, not handed out yet */
	struct cells text;       /* their cells */
	struct vec offs;         /* size_t: ncols offsets into text per row */
	struct vec rows;         /* unsigned long: their numbers */
	size_t head;             /* the next row to hand out */
	bool eof, failed;
	char error[256];         /* the first error, "LABEL:ROW: ..." */
};

/* ---- cells ---- */

static void cells_reserve(struct cells *c, size_t n)
{
	if (c->len + n <= c->cap)
		return;
	while (c->len + n > c->cap)
		c->cap = c->cap ? 2 * c->cap : 64;
	c->bytes = weir_realloc(c->bytes, c->cap);
}

/* Adds s[0, len) as a cell; returns its offset. */
static size_t cells_add(struct cells *c, const char *s, size_t len)
{
	size_t off = c->len;

	cells_reserve(c, len + 1);
	if (len)
		memcpy(c->bytes + off, s, len);
	c->bytes[off + len] = '\0';
	c->len += len + 1;
	return off;
}

/* ---- errors ---- */

static void fail(struct csvr *r, const char *fmt, ...) WEIR_PRINTF(2, 3);

/* Keeps the first error, prefixed "LABEL:ROW: " with the row being parsed. */
static void fail(struct csvr *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failed)
		return;
	r->failed = true;
	n = snprintf(r->error, sizeof(r->error), "%s:%lu: ", r->label, r->row);
	if (n < 0 || (size_t)n >= sizeof(r->error))
		return;
	va_start(ap, fmt);
	vsnprintf(r->error + n, sizeof(r->error) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* ---- row 1 ---- */

static const char *first_cell(const struct csvr *r, size_t i)
{
	return *VEC_AT(&r->first, char *, i);
}

static void free_first(struct csvr *r)
{
	for (size_t i = 0; i < r->first.len; i++)
		free(*VEC_AT(&r->first, char *, i));
	r->first.len = 0;
}

/* Sets c->index from the header row; false when no cell has c's name. */
static bool find_name(const struct csvr *r, struct column *c)
{
	for (size_t i = 0; i < r->first.len; i++) {
		if (strcmp(first_cell(r, i), c->name) == 0) {
			c->index = i;
			return true;
		}
	}
	return false;
}

static void missing_name(struct csvr *r, const char *name)
{
	if (r->is_value && r->first.len && r->is_value(first_cell(r, 0), r->ctx))
		fail(r, "column=%s needs a header row, but the first row holds values", name);
	else
		fail(r, "no column named '%s' in the header row", name);
}

static void find_names(struct csvr *r)
{
	for (size_t k = 0; k < r->ncols && !r->failed; k++)
		if (r->cols[k].name && !find_name(r, &r->cols[k]))
			missing_name(r, r->cols[k].name);
}

/* Row 1 must have every numbered column; returns 0 or -1 after failing. */
static int check_numbers(struct csvr *r)
{
	for (size_t k = 0; k < r->ncols && !r->failed; k++)
		if (!r->cols[k].name && r->cols[k].index >= r->first.len)
			fail(r, "no column %zu (the row has %zu)", r->cols[k].index + 1, r->first.len);
	return r->failed ? -1 : 0;
}

/* With numbered columns only: row 1 is a header when no wanted cell is a value. */
static bool is_header(const struct csvr *r)
{
	if (!r->is_value)
		return false;
	for (size_t k = 0; k < r->ncols; k++)
		if (r->is_value(first_cell(r, r->cols[k].index), r->ctx))
			return false;
	return true;
}

/* ---- rows ---- */

/* A complete data row: queues its wanted cells, or fails when one is missing. */
static void end_row(struct csvr *r)
{
	size_t base = r->text.len;

	for (size_t k = 0; k < r->ncols; k++) {
		if (r->slot[k] == NO_CELL) {
			fail(r, "no column %zu in this row (it has %zu)", r->cols[k].index + 1, r->field);
			return;
		}
	}
	cells_reserve(&r->text, r->cur.len);
	memcpy(r->text.bytes + base, r->cur.bytes, r->cur.len);
	r->text.len += r->cur.len;
	for (size_t k = 0; k < r->ncols; k++)
		*(size_t *)vec_push(&r->offs, sizeof(size_t)) = base + r->slot[k];
	*(unsigned long *)vec_push(&r->rows, sizeof(unsigned long)) = r->row;
}

/* Row 1, complete: the header, or the first data row. */
static void first_row(struct csvr *r)
{
	const char *cell;

	if (r->named) {
		find_names(r);
		(void)check_numbers(r);
		return;
	}
	if (check_numbers(r) != 0 || is_header(r))
		return;
	for (size_t k = 0; k < r->ncols; k++) {
		cell = first_cell(r, r->cols[k].index);
		r->slot[k] = cells_add(&r->cur, cell, strlen(cell));
	}
	end_row(r);
}

/* Keeps the cell s[0, len) of a row after 1 when a column wants it. */
static void keep_cell(struct csvr *r, const char *s, size_t len)
{
	size_t off = NO_CELL;

	for (size_t k = 0; k < r->ncols; k++) {
		if (r->cols[k].index != r->field)
			continue;
		if (off == NO_CELL)
			off = cells_add(&r->cur, s, len);
		r->slot[k] = off;
	}
}

static void start_row(struct csvr *r)
{
	free_first(r);
	r->field = 0;
	r->cur.len = 0;
	for (size_t k = 0; k < r->ncols; k++)
		r->slot[k] = NO_CELL;
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct csvr *r = ctx;
	const char *s = data ? data : "";

	if (r->failed)
		return;
	if (r->row == 1)
		*(char **)vec_push(&r->first, sizeof(char *)) = weir_strndup(s, len);
	else
		keep_cell(r, s, len);
	r->field++;
}

static void on_row(int terminator, void *ctx)
{
	struct csvr *r = ctx;

	(void)terminator;
	if (r->failed)
		return;
	if (r->row == 1)
		first_row(r);
	else
		end_row(r);
	r->row++;
	start_row(r);
}

/* ---- reading ---- */

static void parse(struct csvr *r, size_t n)
{
	if (csv_parse(&r->p, r->buf, n, on_field, on_row, r) == n)
		return;
	if (csv_error(&r->p) == CSV_EPARSE)
		fail(r, "malformed CSV (a quote inside an unquoted field?)");
	else
		fail(r, "%s", csv_strerror(csv_error(&r->p)));
}

/* At the end of the file: the last row, unless the read failed. */
static void finish(struct csvr *r)
{
	r->eof = true;
	if (ferror(r->f))
		fail(r, "cannot read the file: %s", strerror(errno));
	else if (csv_fini(&r->p, on_field, on_row, r) != 0)
		fail(r, "malformed CSV (a quoted field is never closed)");
}

/* Empties the queue, then parses chunks until a row is queued, the file ends or it fails. */
static void fill(struct csvr *r)
{
	size_t n;

	r->text.len = r->offs.len = r->rows.len = r->head = 0;
	while (r->rows.len == 0 && !r->eof && !r->failed) {
		n = fread(r->buf, 1, r->chunk, r->f);
		if (n > 0)
			parse(r, n);
		else
			finish(r);
	}
}

int csvr_next(struct csvr *r, const char **cells, unsigned long *row, char *err, size_t errlen)
{
	const size_t *off;

	if (r->head == r->rows.len)
		fill(r);
	if (r->head == r->rows.len) {
		if (!r->failed)
			return 0;
		snprintf(err, errlen, "%s", r->error);
		return -1;
	}
	off = VEC_AT(&r->offs, size_t, r->head * r->ncols);
	for (size_t k = 0; k < r->ncols; k++)
		cells[k] = r->text.bytes + off[k];
	*row = *VEC_AT(&r->rows, unsigned long, r->head);
	r->head++;
	return 1;
}

/* ---- opening ---- */

int csvr_column_number(const char *spec, size_t *number)
{
	size_t digits = strspn(spec, "0123456789"), n = 0;

	if (digits == 0 || spec[digits] != '\0')
		return 0;
	if (digits > CSVR_MAX_DIGITS)
		return -1;
	for (size_t i = 0; i < digits; i++)
		n = n * 10 + (size_t)(spec[i] - '0');
	if (n == 0)
		return -1;
	*number = n;
	return 1;
}

static int set_column(struct csvr *r, struct column *c, const char *spec, char *err, size_t errlen)
{
	size_t number;
	int kind = csvr_column_number(spec, &number);

	if (kind < 0) {
		snprintf(err, errlen, "column=%s is out of range (columns are numbered from 1)", spec);
		return -1;
	}
	if (kind == 0) {
		c->name = weir_strdup(spec);
		r->named = true;
	} else {
		c->index = number - 1;
	}
	return 0;
}

/* The columns of specs (NULL-terminated; NULL or empty: column 1). */
static int set_columns(struct csvr *r, const char *const *specs, char *err, size_t errlen)
{
	size_t n = 0;

	while (specs && specs[n])
		n++;
	r->ncols = n ? n : 1;
	r->cols = weir_calloc(r->ncols, sizeof(*r->cols));
	r->slot = weir_malloc(r->ncols * sizeof(*r->slot));
	start_row(r);
	for (size_t k = 0; k < n; k++)
		if (set_column(r, &r->cols[k], specs[k], err, errlen) != 0)
			return -1;
	return 0;
}

/* Opens path; returns 0, or errno after filling err. */
static int open_file(struct csvr *r, const char *path, char *err, size_t errlen)
{
	int e;

	r->f = fopen(path, "rb");
	if (r->f)
		return 0;
	e = errno;
	snprintf(err, errlen, "cannot open '%s': %s", r->label, strerror(e));
	return e;
}

struct csvr *csvr_open(const char *path, const struct csvr_opts *o, char *err, size_t errlen)
{
	static const struct csvr_opts defaults;
	struct csvr *r = weir_calloc(1, sizeof(*r));
	int e;

	if (!o)
		o = &defaults;
	csv_init(&r->p, (unsigned char)(o->flags & CSVR_STRICT ? CSV_STRICT | CSV_STRICT_FINI : 0));
	csv_set_realloc_func(&r->p, weir_realloc);
	csv_set_free_func(&r->p, free);
	r->label = weir_strdup(o->label ? o->label : path);
	r->is_value = o->is_value;
	r->ctx = o->ctx;
	r->chunk = o->chunk ? o->chunk : CSVR_CHUNK;
	r->buf = weir_malloc(r->chunk);
	r->row = 1;
	if (set_columns(r, o->columns, err, errlen) != 0)
		e = 0;
	else if ((e = open_file(r, path, err, errlen)) == 0)
		return r;
	csvr_close(r);
	errno = e;
	return NULL;
}

size_t csvr_memory(const struct csvr *r)
{
	return r->chunk + r->p.entry_size + r->first.cap * sizeof(char *) + r->cur.cap + r->text.cap +
	       r->offs.cap * sizeof(size_t) + r->rows.cap * sizeof(unsigned long);
}

void csvr_close(struct csvr *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	csv_free(&r->p);
	free_first(r);
	vec_release(&r->first);
	for (size_t k = 0; k < r->ncols; k++)
		free(r->cols[k].name);
	free(r->cols);
	free(r->slot);
	free(r->cur.bytes);
	free(r->text.bytes);
	vec_release(&r->offs);
	vec_release(&r->rows);
	free(r->buf);
	free(r->label);
	free(r);
}

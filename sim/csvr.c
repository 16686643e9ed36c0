/*
 * csvr.c - chunked reading of a CSV column through libcsv's callbacks.
 */
#include "weir/csvr.h"
#include "weir/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#define CSVR_CHUNK 16384

struct pending {
	char *value;
	unsigned long line;
};

struct csvr {
	FILE *f;
	char *path;
	struct csv_parser p;
	long want;              /* 0-based column index, -1 = find by name in the header */
	char *name;             /* header name to find */
	unsigned long line;     /* rows completed so far */
	long field;             /* field index within the current row */
	int have;               /* the current row had the wanted column */
	int in_header;          /* the current row is the header */
	struct vec queue;       /* struct pending, values not handed out yet */
	size_t head;
	char *current;          /* the value last handed out */
	int eof;
	char error[200];
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct csvr *r = ctx;
	struct pending *p;

	if (r->in_header) {
		if (r->want < 0 && strlen(r->name) == len && memcmp(data, r->name, len) == 0)
			r->want = r->field;
	} else if (r->field == r->want) {
		p = vec_push(&r->queue, sizeof(*p));
		p->value = weir_strndup(data, len);
		p->line = r->line + 1;
		r->have = 1;
	}
	r->field++;
}

static void on_row(int c, void *ctx)
{
	struct csvr *r = ctx;

	(void)c;
	r->line++;
	if (r->in_header) {
		r->in_header = 0;
		if (r->want < 0 && !r->error[0])
			snprintf(r->error, sizeof(r->error), "%s:1: no column named '%s' in the header",
				 r->path, r->name);
	} else if (!r->have && !r->error[0]) {
		snprintf(r->error, sizeof(r->error), "%s:%lu: the row has no column %ld", r->path,
			 r->line, r->want + 1);
	}
	r->field = 0;
	r->have = 0;
}

static int column_spec(struct csvr *r, const char *column)
{
	char *end;
	long n;

	if (!column) {
		r->want = 0;
		return 0;
	}
	n = strtol(column, &end, 10);
	if (*end == '\0' && end != column) {
		if (n < 1)
			return -1;
		r->want = n - 1;
		return 0;
	}
	r->want = -1;
	r->in_header = 1;
	r->name = weir_strdup(column);
	return 0;
}

struct csvr *csvr_open(const char *path, const char *column, char *err, size_t errlen)
{
	struct csvr *r = weir_calloc(1, sizeof(*r));

	r->path = weir_strdup(path);
	if (column_spec(r, column) != 0) {
		snprintf(err, errlen, "column number '%s' must be 1 or more", column);
		csvr_close(r);
		return NULL;
	}
	r->f = fopen(path, "rb");
	if (!r->f) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		csvr_close(r);
		return NULL;
	}
	if (csv_init(&r->p, CSV_APPEND_NULL) != 0) {
		snprintf(err, errlen, "cannot start the CSV reader");
		csvr_close(r);
		return NULL;
	}
	return r;
}

/* Feeds the parser until a value is queued or the file ends. */
static int fill(struct csvr *r)
{
	char buf[CSVR_CHUNK];
	size_t n;

	while (r->head == r->queue.len && !r->eof && !r->error[0]) {
		for (size_t i = 0; i < r->queue.len; i++)
			free(VEC_AT(&r->queue, struct pending, i)->value);
		r->queue.len = r->head = 0;
		n = fread(buf, 1, sizeof(buf), r->f);
		if (n > 0 && csv_parse(&r->p, buf, n, on_field, on_row, r) != n) {
			snprintf(r->error, sizeof(r->error), "%s:%lu: %s", r->path, r->line + 1,
				 csv_strerror(csv_error(&r->p)));
			break;
		}
		if (n == 0) {
			if (ferror(r->f))
				snprintf(r->error, sizeof(r->error), "cannot read '%s': %s", r->path, strerror(errno));
			csv_fini(&r->p, on_field, on_row, r);
			r->eof = 1;
		}
	}
	return r->error[0] ? -1 : 0;
}

int csvr_next(struct csvr *r, const char **value, unsigned long *line, char *err, size_t errlen)
{
	struct pending *p;

	if (fill(r) != 0 && r->head == r->queue.len) {
		snprintf(err, errlen, "%s", r->error);
		return -1;
	}
	if (r->head == r->queue.len)
		return 0;
	p = VEC_AT(&r->queue, struct pending, r->head++);
	free(r->current);
	r->current = p->value;
	p->value = NULL;
	*value = r->current;
	*line = p->line;
	return 1;
}

void csvr_close(struct csvr *r)
{
	if (!r)
		return;
	if (r->f) {
		fclose(r->f);
		csv_free(&r->p);
	}
	for (size_t i = 0; i < r->queue.len; i++)
		free(VEC_AT(&r->queue, struct pending, i)->value);
	vec_release(&r->queue);
	free(r->current);
	free(r->name);
	free(r->path);
	free(r);
}

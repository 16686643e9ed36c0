/*
 * test_csvr.c - the one CSV reader: which columns it reads, when row 1 is a
 * header, quoting, CRLF, the exact "FILE:ROW: ..." message of every error,
 * and that memory stays bounded over a long file.
 *
 * Every table case is read three times, with chunks of 1 byte, 5 bytes and
 * the default size, and must give the same rows and error each time: rows
 * and quoted fields that straddle chunks are the reader's hardest case.
 */
#include "harness.h"
#include "util.h"
#include "weir/csvr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LONG_ROWS 100000      /* rows of the long file */
#define LONG_CHUNK 64         /* its chunk size: about 6 rows a chunk */
#define WARM_ROWS 1000        /* rows after which memory must have stopped growing */
#define MEMORY_BOUND (16 * LONG_CHUNK) /* bytes held at most: a few chunks, not the file's ~1.2 MB */

/* The test's is_value: a cell is a value when it is a whole number. */
static int is_number(const char *cell, void *ctx)
{
	char *end;

	(void)ctx;
	(void)strtol(cell, &end, 10);
	return *cell && *end == '\0';
}

struct read_case {
	const char *what;           /* the rule the case shows */
	const char *text;           /* the file */
	const char *columns[4];     /* NULL-terminated specs; none: column 1 */
	bool numbers;               /* pass is_number as is_value */
	unsigned flags;
	const char *rows;           /* "ROW:cell|cell;" per row handed out */
	const char *error;          /* the message after them, or NULL for a clean end */
};

static const struct read_case cases[] = {
	{ "default column, no header", "1\n2\n3\n", { NULL }, true, 0, "1:1;2:2;3:3;", NULL },
	{ "default column, row 1 not a value is the header", "t,x\n1,a\n2,b\n", { NULL }, true, 0,
	  "2:1;3:2;", NULL },
	{ "without is_value row 1 is data", "t\n1\n", { NULL }, false, 0, "1:t;2:1;", NULL },
	{ "numbered column, header", "a,b\n1,2\n3,4\n", { "2" }, true, 0, "2:2;3:4;", NULL },
	{ "numbered column, row 1 is data", "1,2\n3,4\n", { "2" }, true, 0, "1:2;2:4;", NULL },
	{ "numbered columns: a header when no wanted cell is a value", "t,n\n1,2\n", { "2", "1" }, true, 0,
	  "2:2|1;", NULL },
	{ "numbered columns: one value makes row 1 data", "t,5\n1,2\n", { "1", "2" }, true, 0,
	  "1:t|5;2:1|2;", NULL },
	{ "named column", "x,latency\n1,10\n2,20\n", { "latency" }, true, 0, "2:10;3:20;", NULL },
	{ "several named columns in any order, an empty cell",
	  "resource,kind,dead_letter\nq,queue,dlq\nw,consumer,\n", { "kind", "resource", "dead_letter" },
	  false, 0, "2:queue|q|dlq;3:consumer|w|;", NULL },
	{ "a name and a number", "a,b,c\n1,2,3\n", { "c", "1" }, false, 0, "2:3|1;", NULL },
	{ "a column asked twice", "a,b\n1,2\n", { "b", "2" }, false, 0, "2:2|2;", NULL },
	{ "a name needs a header row", "10\n20\n", { "latency" }, true, 0, "",
	  "f.csv:1: column=latency needs a header row, but the first row holds values" },
	{ "a name missing from the header", "a,b\n1,2\n", { "c" }, true, 0, "",
	  "f.csv:1: no column named 'c' in the header row" },
	{ "without is_value a missing name is only missing", "10\n", { "latency" }, false, 0, "",
	  "f.csv:1: no column named 'latency' in the header row" },
	{ "row 1 without the numbered column", "1\n2\n", { "3" }, true, 0, "",
	  "f.csv:1: no column 3 (the row has 1)" },
	{ "a later row without the column: rows before it come first", "x,y\n1,2\n3\n4,5\n", { "y" }, true, 0,
	  "2:2;", "f.csv:3: no column 2 in this row (it has 1)" },
	{ "quoted fields hold commas, newlines and quotes",
	  "name,note\n\"a,b\",\"line1\nline2\"\nc,\"say \"\"hi\"\"\"\n", { "note", "name" }, false, 0,
	  "2:line1\nline2|a,b;3:say \"hi\"|c;", NULL },
	{ "rows are records: a quoted newline does not count", "a\n\"x\ny\"\nz\n", { NULL }, false, 0,
	  "1:a;2:x\ny;3:z;", NULL },
	{ "empty lines are skipped and not counted", "1\n\n\n2\n", { NULL }, true, 0, "1:1;2:2;", NULL },
	{ "blanks around unquoted cells go, quoted ones stay", "a , b\n 1 ,\" 2 \"\n", { "a", "b" }, false, 0,
	  "2:1| 2 ;", NULL },
	{ "no newline at the end", "1\n2", { NULL }, true, 0, "1:1;2:2;", NULL },
	{ "CRLF line ends", "t,u\r\n1,2\r\n3,4\r\n", { "u" }, true, 0, "2:2;3:4;", NULL },
	{ "CRLF with a header detected", "t\r\n1\r\n", { NULL }, true, 0, "2:1;", NULL },
	{ "strict: a quote inside an unquoted field", "a\nx\"y\nz\n", { NULL }, false, CSVR_STRICT, "1:a;",
	  "f.csv:2: malformed CSV (a quote inside an unquoted field?)" },
	{ "strict: a quoted field never closed", "a\n\"x\n", { NULL }, false, CSVR_STRICT, "1:a;",
	  "f.csv:2: malformed CSV (a quoted field is never closed)" },
	{ "lenient: a stray quote is kept", "a\nx\"y\n", { NULL }, false, 0, "1:a;2:x\"y;", NULL },
	{ "an empty file has no rows", "", { NULL }, true, 0, "", NULL },
	{ "an empty file has no header either", "", { "latency" }, true, 0, "", NULL },
	{ "a file with only a header (named)", "latency\n", { "latency" }, true, 0, "", NULL },
	{ "a file with only a header (detected)", "latency\n", { NULL }, true, 0, "", NULL },
};

/* Appends to out what csvr_next hands out; returns its last result (err filled on -1). */
static int read_all(struct csvr *r, size_t ncols, char *out, size_t n, char *err, size_t errlen)
{
	const char *cells[4];
	unsigned long row;
	size_t len = 0;
	int rc;

	out[0] = '\0';
	while ((rc = csvr_next(r, cells, &row, err, errlen)) == 1) {
		len += (size_t)snprintf(out + len, n - len, "%lu:", row);
		for (size_t k = 0; k < ncols && len < n; k++)
			len += (size_t)snprintf(out + len, n - len, "%s%s", k ? "|" : "", cells[k]);
		if (len < n)
			len += (size_t)snprintf(out + len, n - len, ";");
		if (len >= n)
			return -2;
	}
	return rc;
}

static size_t count_columns(const struct read_case *t)
{
	size_t n = 0;

	while (t->columns[n])
		n++;
	return n ? n : 1;
}

/* Reads case t from path in chunks of chunk bytes; reports a difference and returns false. */
static bool case_reads(const struct read_case *t, const char *path, size_t chunk)
{
	struct csvr_opts o = { .label = "f.csv", .columns = t->columns, .flags = t->flags, .chunk = chunk,
			       .is_value = t->numbers ? is_number : NULL };
	char got[512], err[256] = "", open_err[256];
	struct csvr *r = csvr_open(path, &o, open_err, sizeof(open_err));
	int rc;

	if (!r) {
		test__fail(__FILE__, __LINE__, "%s: %s", t->what, open_err);
		return false;
	}
	rc = read_all(r, count_columns(t), got, sizeof(got), err, sizeof(err));
	csvr_close(r);
	if (strcmp(got, t->rows) == 0 && rc == (t->error ? -1 : 0) && (!t->error || strcmp(err, t->error) == 0))
		return true;
	test__fail(__FILE__, __LINE__, "%s (chunk %zu):\n  got  %s [%d] %s\n  want %s [%d] %s", t->what, chunk,
		   got, rc, rc < 0 ? err : "", t->rows, t->error ? -1 : 0, t->error ? t->error : "");
	return false;
}

void test_csvr_reads_table(void)
{
	static const size_t chunks[] = { 1, 5, 0 };
	char path[600];

	snprintf(path, sizeof(path), "%s/f.csv", test_tmpdir());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(write_file(path, cases[i].text) == 0);
		for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++)
			if (!case_reads(&cases[i], path, chunks[c]))
				return;
	}
}

void test_csvr_column_numbers(void)
{
	static const struct { const char *spec; int kind; size_t number; } specs[] = {
		{ "1", 1, 1 }, { "12", 1, 12 }, { "999999999", 1, 999999999 }, { "0", -1, 0 },
		{ "000", -1, 0 }, { "1234567890", -1, 0 }, { "x1", 0, 0 }, { "1x", 0, 0 }, { "-1", 0, 0 },
		{ "", 0, 0 }, { "latency", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		size_t n = 0;
		int kind = csvr_column_number(specs[i].spec, &n);

		CHECK_MSG(kind == specs[i].kind && n == specs[i].number, "'%s': %d %zu", specs[i].spec, kind, n);
	}
}

/* What comes back when the reader cannot start: a message, and errno only for the file. */
void test_csvr_open_errors(void)
{
	const char *zero[] = { "0", NULL }, *wide[] = { "x", "1234567890", NULL };
	struct csvr_opts o = { .label = "nope.csv" };
	char path[600], err[256];

	snprintf(path, sizeof(path), "%s/nope.csv", test_tmpdir());
	CHECK(csvr_open(path, &o, err, sizeof(err)) == NULL);
	CHECK_EQ_INT(errno, ENOENT);
	CHECK_EQ_STR(err, "cannot open 'nope.csv': No such file or directory");
	o.columns = zero;
	CHECK(csvr_open(path, &o, err, sizeof(err)) == NULL);
	CHECK_EQ_INT(errno, 0);
	CHECK_EQ_STR(err, "column=0 is out of range (columns are numbered from 1)");
	o.columns = wide;
	CHECK(csvr_open(path, &o, err, sizeof(err)) == NULL);
	CHECK_EQ_STR(err, "column=1234567890 is out of range (columns are numbered from 1)");
	CHECK(csvr_open(path, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, path) != NULL);   /* without a label, the path names the file */
}

/* "n,twice" then LONG_ROWS rows "i,2i". */
static bool write_long_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fputs("n,twice\n", f);
	for (long i = 1; i <= LONG_ROWS; i++)
		fprintf(f, "%ld,%ld\n", i, 2 * i);
	return fclose(f) == 0;
}

/* Every row comes back in order, and memory stops growing after the first rows. */
void test_csvr_long_file_constant_memory(void)
{
	const char *columns[] = { "twice", "n", NULL };
	struct csvr_opts o = { .columns = columns, .chunk = LONG_CHUNK };
	char path[600], err[256];
	const char *cells[2];
	unsigned long row;
	size_t peak = 0, warm_peak = 0;
	struct csvr *r;
	long i = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/long.csv", test_tmpdir());
	CHECK(write_long_file(path));
	r = csvr_open(path, &o, err, sizeof(err));
	CHECK_MSG(r, "%s", err);
	while ((rc = csvr_next(r, cells, &row, err, sizeof(err))) == 1) {
		i++;
		if (atol(cells[1]) != i || atol(cells[0]) != 2 * i || row != (unsigned long)i + 1)
			break;
		peak = csvr_memory(r) > peak ? csvr_memory(r) : peak;
		if (i == WARM_ROWS)
			warm_peak = peak;
	}
	csvr_close(r);
	CHECK_MSG(rc == 0 && i == LONG_ROWS, "stopped at row %ld (rc %d: %s)", i, rc, rc < 0 ? err : "");
	CHECK_MSG(peak == warm_peak, "memory grew from %zu to %zu bytes after row %d", warm_peak, peak, WARM_ROWS);
	CHECK_MSG(peak <= MEMORY_BOUND, "held %zu bytes, more than %d", peak, MEMORY_BOUND);
}

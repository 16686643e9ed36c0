/*
 * csvr.h - reading chosen columns of a CSV file, row by row, with libcsv.
 *
 * The one CSV reader of weir: empirical distributions, arrival traces and
 * `weir plot`'s resources.csv all read through it, so they share its rules
 * and its messages.
 *
 * Invariant: memory stays bounded whatever the file's length. The file is
 * read a chunk at a time, and a chunk is parsed only when every row of the
 * one before has been handed out; what is held is one chunk's rows (only
 * their wanted cells) and the row being parsed (all of row 1's cells).
 *
 * Columns are given as specs: all digits is a number from 1, anything else
 * a name in the header row. Row 1 is the header when a column is named; when
 * every column is a number, row 1 is a header only when the caller's
 * is_value predicate says none of its wanted cells is a value (without a
 * predicate it is data). Rows are CSV records: a quoted field may hold commas
 * and newlines, empty lines are skipped and not counted, unquoted cells lose
 * the blanks around them, and CRLF ends a row like LF.
 *
 * Every message about the file starts "LABEL:ROW: " (ROW from 1).
 */
#ifndef WEIR_CSVR_H
#define WEIR_CSVR_H

#include <stddef.h>

#define CSVR_CHUNK 16384   /* bytes read at a time when the caller does not say */
#define CSVR_MAX_DIGITS 9  /* a column number has at most this many digits */

enum csvr_flags {
	/*
	 * A quote inside an unquoted field, or a quoted field never closed,
	 * is an error ("malformed CSV (...)"); without it libcsv reads on.
	 */
	CSVR_STRICT = 1 << 0
};

/* 1 when cell is a value of the caller's column, 0 when it is header text. */
typedef int csvr_is_value_fn(const char *cell, void *ctx);

struct csvr_opts {
	const char *label;               /* the file in messages; NULL: the path */
	const char *const *columns;      /* NULL-terminated specs; NULL or empty: column 1 */
	csvr_is_value_fn *is_value;      /* decides row 1 (see above); may be NULL */
	void *ctx;                       /* passed to is_value; must outlive the reader */
	unsigned flags;                  /* enum csvr_flags */
	size_t chunk;                    /* bytes read at a time; 0: CSVR_CHUNK */
};

struct csvr;

/*
 * What a column spec is: 1 for a number (*number set, from 1), 0 for a
 * header name, -1 for a number out of range (0, or more than
 * CSVR_MAX_DIGITS digits).
 */
int csvr_column_number(const char *spec, size_t *number);

/*
 * Opens path to read the columns of o (NULL: defaults); o's strings are
 * copied. Returns the reader (free it with csvr_close), or NULL with a
 * message in err: then errno is set when the file could not be opened, and
 * 0 for any other reason (a column number out of range).
 */
struct csvr *csvr_open(const char *path, const struct csvr_opts *o, char *err, size_t errlen);

/*
 * The next data row: returns 1 with cells[i] (one per column asked for, in
 * that order) and *row set; the cells stay valid until the next call. Returns
 * 0 at the end of the file, or -1 with a "LABEL:ROW: ..." message in err
 * (rows before the bad one are handed out first; every later call fails
 * again). Row 1's errors: "column=NAME needs a header row, but the first row
 * holds values", "no column named 'NAME' in the header row", "no column N
 * (the row has M)"; later rows: "no column N in this row (it has M)".
 */
int csvr_next(struct csvr *r, const char **cells, unsigned long *row, char *err, size_t errlen);

/* Bytes the reader holds in its buffers now (for tests of the invariant). */
size_t csvr_memory(const struct csvr *r);

/* Closes the file and frees r; r may be NULL. */
void csvr_close(struct csvr *r);

#endif

/*
 * csvw.h - writing CSV files, and the output directory of a run.
 *
 * Fields that need quoting (a comma, quote, line break or surrounding blank)
 * are quoted by libcsv; numbers are written in a fixed, locale-independent
 * format, so the same values give the same bytes on every machine. Write
 * errors (e.g. a full disk) are remembered and reported by csvw_close.
 *
 * A run writes into a temporary directory beside its destination and renames
 * it into place only when every file is complete: readers never see half a
 * run, and a failed run leaves the previous one untouched.
 */
#ifndef WEIR_CSVW_H
#define WEIR_CSVW_H

#include <stdint.h>
#include <stdio.h>

struct csvw {
	FILE *f;
	char *path;
	int err;       /* first errno seen, 0 if none */
	int col;       /* fields written in the current row */
};

/* Returns 0, or an errno value. */
int csvw_open(struct csvw *w, const char *path);
/* Writes into memory: after csvw_close, *buf (the caller frees it) holds *len bytes. */
int csvw_open_memory(struct csvw *w, char **buf, size_t *len);
void csvw_str(struct csvw *w, const char *s);
/* Integers exactly; others with 9 significant digits; NAN as an empty field. */
void csvw_num(struct csvw *w, double v);
void csvw_int(struct csvw *w, int64_t v);
/* A time in seconds, exact to the microsecond ("12", "0.25", "31527265.100001"). */
void csvw_time(struct csvw *w, int64_t us);
void csvw_end_row(struct csvw *w);
/* A key,value row (run.csv, timing.csv). */
void csvw_kv(struct csvw *w, const char *key, const char *value);
void csvw_kv_num(struct csvw *w, const char *key, double value);
/* Closes; returns 0 or the first errno of any write. Safe on a closed writer. */
int csvw_close(struct csvw *w);
/* Formats v as csvw_num would (for tables on stdout too). */
char *csvw_fmt_num(double v, char *buf, size_t n);

struct outdir {
	char *final;   /* where the run ends up */
	char *tmp;     /* where it is written meanwhile */
};

/*
 * Prepares to write the run directory `path`. Refuses (returning an errno
 * value and a message in err) when path exists and is not a weir run
 * directory (one holding run.csv) or an empty directory.
 */
int outdir_begin(struct outdir *o, const char *path, char *err, size_t errlen);
/* The path of a file inside the run directory being written (caller frees). */
char *outdir_file(const struct outdir *o, const char *name);
/* Moves the finished run into place. Returns 0 or an errno value. */
int outdir_commit(struct outdir *o, char *err, size_t errlen);
/* Removes the temporary directory if the run was not committed, and frees o. */
void outdir_abort(struct outdir *o);
/* Recursively removes a directory tree; returns 0 or an errno value. */
int remove_tree(const char *path);

#endif

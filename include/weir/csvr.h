/*
 * csvr.h - reading one column of a CSV file, value by value, with libcsv.
 *
 * The file is read in chunks, so memory stays small whatever its length.
 * The column is named by its header (then the first row is the header) or by
 * its 1-based number (NULL = 1; the first row is then data, and the caller
 * may skip it as a header when it does not parse as a value).
 */
#ifndef WEIR_CSVR_H
#define WEIR_CSVR_H

#include <stddef.h>

struct csvr;

/* Opens path; NULL with a message in err when it cannot. */
struct csvr *csvr_open(const char *path, const char *column, char *err, size_t errlen);
/*
 * The next value of the column: 1 with *value (valid until the next call)
 * and *line (1-based), 0 at the end, -1 with err filled on a bad file.
 */
int csvr_next(struct csvr *r, const char **value, unsigned long *line, char *err, size_t errlen);
void csvr_close(struct csvr *r);

#endif

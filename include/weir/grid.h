/*
 * grid.h - the configurations of a parameter sweep.
 *
 * Each swept parameter is a scenario key path with a list of values,
 * written as on the command line: "10,20,50", a range "10..100 step 10"
 * (the ends and step may carry one unit: "30s..120s step 30s"), or a mix
 * ("1, 5..20 step 5"). The grid is the cartesian product of the lists, the
 * first parameter varying slowest, or, zipped, their i-th values together.
 */
#ifndef WEIR_GRID_H
#define WEIR_GRID_H

#include <stdbool.h>
#include <stddef.h>

/* Most values one parameter, and most configurations one grid, may have. */
#define GRID_MAX_VALUES 10000
#define GRID_MAX_CONFIGS 100000

struct grid_param {
	char *key;       /* "functions.worker.reserved_concurrency" */
	char **values;   /* each as scenario text */
	size_t nvalues;
	bool range;      /* written with a range (so swept even with one value) */
};

struct grid {
	struct grid_param *params;
	size_t nparams;
	bool zip;
};

/*
 * Splits text into values at the commas outside brackets, braces,
 * parentheses and quotes, expanding ranges. Returns the number of values
 * (*range says whether a range was among them), or -1 with a message in err.
 */
long grid_split(const char *text, char ***values, bool *range, char *err, size_t errlen);
void grid_free_values(char **values, size_t n);

/* Adds a parameter (its values already split); takes ownership of values. */
void grid_add(struct grid *g, const char *key, char **values, size_t n, bool range);
/*
 * The number of configurations: the product of the list lengths, or the
 * common length when zipped. Returns 0 with a message in err when the
 * zipped lists differ in length or the grid exceeds GRID_MAX_CONFIGS.
 */
size_t grid_size(const struct grid *g, char *err, size_t errlen);
/* The value of parameter p in configuration c (0-based). */
const char *grid_value(const struct grid *g, size_t c, size_t p);
void grid_release(struct grid *g);

#endif

/*
 * util.h - helpers for tests that run the weir binary and read its files.
 */
#ifndef WEIR_TEST_UTIL_H
#define WEIR_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "weir/diag.h"
#include "weir/scenario.h"
#include "weir/summary.h"
#include "weir/world.h"

struct proc {
	char *out, *err;    /* everything written to stdout and stderr */
	int status;         /* exit code, or 128 + signal */
};

/*
 * Runs the weir binary with the NULL-terminated args (after "weir"), from
 * the repository root, optionally with extra environment entries
 * ("K=V", NULL-terminated, may be NULL). Returns 0 or -1 if it could not run.
 */
int run_weir(struct proc *p, const char *const *args, const char *const *env);
void proc_release(struct proc *p);
/* The whole file, NUL-terminated, or NULL; *len gets its length. */
char *read_file(const char *path, size_t *len);
/* 1 when both files exist and hold the same bytes. */
int same_file(const char *a, const char *b);
/* Removes a directory tree (test output). */
void remove_tree_for_test(const char *path);
/* Writes text to path; returns 0 or -1. */
int write_file(const char *path, const char *text);

/*
 * Loads scenario text, runs it in-process with seed and adds its summary
 * to s. Prints the diagnostics and returns -1 when the text is invalid.
 */
int run_scenario_text(const char *text, uint64_t seed, struct summary *s);
/*
 * Runs text with seed 1 and copies the statistics named in stats
 * (NULL-terminated) of resource res into v (NaN where there is no such
 * row, or for all when the run fails). Returns run_scenario_text's result.
 */
int run_stats(const char *text, const char *res, const char *const *stats, double *v);
/* One statistic of a run of text with seed 1; NaN when the run fails. */
double run_stat(const char *text, const char *res, const char *stat);

/*
 * A world built from scenario text, for tests that step it with
 * sim_run(world_sim(t.w), until) and look at its resources
 * (world_resource). Open prints the diagnostics and returns -1 when the
 * text is invalid. Close checks every ledger (printing those that do not
 * balance), adds the summary to s (may be NULL), frees everything and
 * returns 0 when the ledgers balanced.
 */
struct test_world {
	struct diags d;
	struct scenario *sc;
	struct world_opts opts;
	struct world *w;
};

int test_world_open(struct test_world *t, const char *text, uint64_t seed);
int test_world_close(struct test_world *t, struct summary *s);

#endif

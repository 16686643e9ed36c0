/*
 * exp.h - experiments: replications, sweeps and comparisons.
 *
 * An experiment is a list of configurations (a scenario with its --set
 * overrides), each run for a number of replications. Replication r of every
 * configuration uses the same random streams (the run seed and r name them,
 * see rng.h), so configurations are compared on common random numbers.
 *
 * Runs go to worker processes (-j), or to MPI ranks in an MPI build, and
 * come back as byte buffers; the results are folded in configuration and
 * replication order, never in the order runs finished, so the output is
 * byte-identical whatever the number of processes.
 */
#ifndef WEIR_CLI_EXP_H
#define WEIR_CLI_EXP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "weir/diag.h"
#include "weir/grid.h"
#include "weir/scenario.h"
#include "weir/stats.h"

/* The replication cap of --precision unless --max-replications says otherwise. */
#define EXP_DEFAULT_MAX_REPLICATIONS 100
/* The first replications of --precision when --replications is not given. */
#define EXP_DEFAULT_MIN_REPLICATIONS 5

/* The statistics of one replication. */
struct rep_result {
	int status;                /* 0, or the exit code of a failed run */
	bool interrupted;
	char *err;                 /* why it failed */
	double simulated_s, events;
	size_t nrows;
	char **resource, **kind, **stat, **unit;
	double *value;
	char *ts_header;           /* the header line of timeseries.csv */
	size_t nper, ncol;         /* periods and value columns (time_s not counted) */
	double *ts_time, *ts;      /* nper times; nper * ncol values */
};

/* The options of run, compare and sweep (run and compare take the first X_NRUN). */
enum {
	X_OUT, X_SEED, X_SET, X_QUIET, X_TRACE, X_PLOT, X_FORMAT,
	X_REPS, X_CONF, X_PREC, X_MAXREPS, X_METRIC, X_JOBS,
	X_NRUN,
	X_ZIP = X_NRUN, X_BASELINE,
	NXOPTS
};
extern const struct cli_opt exp_opts[NXOPTS];

/* weir check of a scenario with a sweep: section: every configuration loads; 0 or an exit code. */
int exp_check_sweep(const char *path, const char *const *sets, size_t nsets, size_t *configs, size_t *reps);

/* `weir run` with --replications or --precision. */
int exp_cmd_run(const struct cli_args *a);

/* One configuration and what its replications gave. */
struct exp_config {
	const char *path;          /* scenario file, NULL = the bundled default */
	const char **sets;         /* every override, "key=value" (owned strings) */
	size_t nsets;
	struct diags diags;
	struct scenario *sc;
	uint64_t seed;
	char *dir;                 /* "configs/001", or "" for the run directory itself */
	char *label;               /* for messages: "configuration 3 (x=1, y=2)" */
	size_t reps;               /* replications scheduled */
	size_t folded;             /* replications folded into the time series */
	size_t cap;                /* replications allocated */
	struct rep_result *res;    /* by replication */
	bool reached;              /* --precision met */
	/* the time series folded in replication order */
	char *ts_header;
	size_t nper, ncol;
	double *ts_time;
	struct stats_acc *ts_acc;  /* nper * ncol */
};

/* A statistic the user asked about: --metric RESOURCE/STATISTIC. */
struct exp_metric {
	char *resource, *stat;
};

struct experiment {
	const char *cmd;           /* "run", "sweep" or "compare" (for messages) */
	struct exp_config *configs;
	size_t nconfigs;
	struct grid grid;          /* the swept parameters (sweeps) */
	size_t replications;       /* per configuration (the first round with --precision) */
	size_t max_replications;
	double precision;          /* relative half-width goal; 0 = none */
	double confidence;
	struct exp_metric *metrics;
	size_t nmetrics;
	bool user_metrics;         /* from --metric (else the key statistics) */
	long baseline;             /* 0-based configuration for paired differences; -1 none */
	bool lockstep;             /* every configuration gets the same replications (paired comparisons) */
	const char *baseline_source; /* "--baseline" or the file's key, for errors */
	int jobs;
	bool quiet, progress;
	bool dry;                  /* weir check: load and check the configurations, run nothing */
	size_t dry_configs, dry_replications;   /* what a dry run found */
	bool silent_load;          /* the scenario's diagnostics were printed already */
	char **base_warnings;      /* their messages (a configuration with others says its own) */
	size_t nbase_warnings;
	/* MPI */
	int rank, ranks;
	bool workers_stopped;      /* rank 0 told ranks 1..N-1 to stop */
	/* what happened */
	size_t runs_done, runs_total;
	double started, wall, last_progress;
	bool interrupted;
	char err[1024];
};

/* Loads every configuration; prints diagnostics; returns 0 or an exit code. */
int exp_load(struct experiment *e);
/*
 * Runs every configuration's replications (to --precision when asked),
 * folding the results. Returns 0 or an exit code with a message in e->err.
 * In an MPI build, ranks other than 0 serve runs and return
 * EXP_WORKER_DONE.
 */
int exp_run(struct experiment *e);
#define EXP_WORKER_DONE (-100)
void exp_release(struct experiment *e);

/* The interval of metric m in configuration c (n = 0 when it has no such row). */
struct stats_ci exp_metric_ci(const struct experiment *e, const struct exp_config *c, size_t m,
			      char *unit, size_t unitlen);
/* The values of row `row` (from replication 0's order) over c's replications. */
double *exp_row_values(const struct exp_config *c, size_t row);
/* One statistic of two configurations over their common replications. */
struct exp_pair {
	struct stats_ci a, b;      /* each side's interval */
	struct stats_ci diff;      /* the paired interval of b - a */
	const char *unit;
};

/* Compares resource/stat of a and b; false when either lacks the row. */
bool exp_compare_stat(const struct experiment *e, const struct exp_config *a, const struct exp_config *b,
		      const char *resource, const char *stat, struct exp_pair *out);
/*
 * The warm-up MSER-5 suggests for time-series column k of c, from the
 * across-replication mean, in simulated seconds; NAN when the series is
 * too short or has gaps. *reliable as stats_mser says.
 */
double exp_column_warmup(const struct exp_config *c, size_t k, bool *reliable);
/* The names of c's time-series columns after time_s (free with exp_free_names). */
char **exp_column_names(const struct exp_config *c);
void exp_free_names(char **names, size_t n);

/* The row index of resource/stat in c's results, or -1. */
long exp_find_row(const struct exp_config *c, const char *resource, const char *stat);

/* Writes a replicated run directory for c under tmp (tmp/c->dir). Returns 0 or an errno value. */
int exp_write_config(const struct experiment *e, const struct exp_config *c, const char *tmp,
		     char *err, size_t errlen);

/* MPI: sets e->rank and e->ranks (0 and 1 without MPI). */
void exp_mpi_init(struct experiment *e, int *argc, char ***argv);
void exp_mpi_finish(void);
/*
 * MPI, rank 0: tells ranks 1..N-1, which wait in exp_run for runs, to stop
 * (exp_run does it at its end; this is for a failure before exp_run).
 */
void exp_mpi_release(struct experiment *e);

/* Formats a statistic's value for a table, by its unit. */
char *exp_fmt_value(double v, const char *unit, char *buf, size_t n);

/* Parses a confidence level ("95%" or "0.95"); 0 or -1 after printing a usage error. */
int exp_parse_level(const char *cmd, const char *opt, const char *s, double *out);

#endif

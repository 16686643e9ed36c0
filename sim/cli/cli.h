/*
 * cli.h - the weir command: shared pieces of its subcommands.
 *
 * The CLI is the one part of sim/ that knows the models; nothing depends on
 * it. Results go to stdout and files, diagnostics to stderr, and the exit
 * code says which kind of failure happened (enum weir_exit).
 */
#ifndef WEIR_CLI_H
#define WEIR_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "weir/base.h"

/* One command-line option of a subcommand. */
struct cli_opt {
	const char *lng;        /* "--output" */
	char shrt;              /* 'o', or 0 */
	const char *arg;        /* name of its argument ("DIR"), NULL for a flag */
	int optional_arg;       /* --trace[=FRACTION] */
	const char *help;
};

struct cli_args {
	const char *values[16]; /* by option index; "" for a flag that was given */
	const char *sets[64];   /* every --set, in order */
	size_t nsets;
	const char *pos[4];     /* positional arguments */
	size_t npos;
};

/*
 * Parses argv against opts (at most 16). Returns 0, or prints a usage error
 * naming the command and returns WEIR_EXIT_USAGE; returns -1 after printing
 * help when --help was given.
 */
int cli_parse(const char *cmd, const struct cli_opt *opts, size_t nopts, int argc, char **argv,
	      struct cli_args *out, const char *usage);
void cli_print_help(const char *usage, const struct cli_opt *opts, size_t nopts);

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* Draws the plots of a finished run directory; returns an exit code. */
int plot_run_dir(const char *dir, const char *format, bool quiet);

/* Set by SIGINT/SIGTERM once cli_catch_signals has run; a second one stops at once. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_signals(void);
/* Parses --seed (0 to 2^53-1); 0, or -1 after printing a usage error. */
int cli_parse_seed(const char *cmd, const char *s, uint64_t *out);
/* Monotonic wall-clock seconds. */
double cli_wall_now(void);

/* The directory holding the running executable ("" if unknown). */
const char *cli_exe_dir(void);

#endif

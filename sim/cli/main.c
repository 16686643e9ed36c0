/*
 * main.c - weir's entry point: dispatches to a subcommand.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: weir <command> [options]\n"
	"\n"
	"Simulates Amazon SQS queues, SNS topics, Kinesis data streams and\n"
	"AWS Lambda functions, and the producers, workers and event source\n"
	"mappings that use them; writes CloudWatch-style metrics as CSV and\n"
	"draws plots with gnuplot.\n"
	"\n"
	"commands:\n"
	"  run [SCENARIO]     run a scenario (no argument: the bundled default)\n"
	"  check SCENARIO     validate a scenario without running it\n"
	"  sweep SCENARIO     run a grid of settings, replicated, with confidence intervals\n"
	"  compare A B        the paired difference of two scenarios on common random numbers\n"
	"  plot RUN_DIR       draw the plots of a finished run (or sweep)\n"
	"  help TOPIC         'scenario' (every key) or 'metrics' (every column)\n"
	"\n"
	"options:\n"
	"  --help             help on a command (weir run --help)\n"
	"  --version          print the version\n"
	"\n"
	"exit codes: 0 ok, 2 usage, 3 invalid scenario, 4 output or plotting failed,\n"
	"            5 internal error, 130 interrupted (outputs are complete)\n";

int cli_parse(const char *cmd, const struct cli_opt *opts, size_t nopts, int argc, char **argv,
	      struct cli_args *out, const char *usage)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = NULL, *val = NULL;
		size_t k, namelen;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_print_help(usage, opts, nopts);
			return -1;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (out->npos == sizeof(out->pos) / sizeof(out->pos[0])) {
				fprintf(stderr, "weir %s: too many arguments\n", cmd);
				return WEIR_EXIT_USAGE;
			}
			out->pos[out->npos++] = a;
			continue;
		}
		eq = a[1] == '-' ? strchr(a, '=') : NULL;
		namelen = eq ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < nopts; k++) {
			if ((strlen(opts[k].lng) == namelen && strncmp(a, opts[k].lng, namelen) == 0) ||
			    (opts[k].shrt && a[1] == opts[k].shrt && a[2] == '\0'))
				break;
			/* -j4: a short option with its value attached */
			if (opts[k].shrt && a[1] == opts[k].shrt && opts[k].arg && !opts[k].optional_arg) {
				eq = a + 1;
				break;
			}
		}
		if (k == nopts) {
			fprintf(stderr, "weir %s: unknown option '%s' (see 'weir %s --help')\n", cmd, a, cmd);
			return WEIR_EXIT_USAGE;
		}
		if (opts[k].arg && eq) {
			val = eq + 1;
		} else if (opts[k].arg && !opts[k].optional_arg) {
			if (i + 1 >= argc) {
				fprintf(stderr, "weir %s: option '%s' needs a value (%s)\n", cmd, opts[k].lng, opts[k].arg);
				return WEIR_EXIT_USAGE;
			}
			val = argv[++i];
		} else if (!opts[k].arg && eq) {
			fprintf(stderr, "weir %s: option '%s' takes no value\n", cmd, opts[k].lng);
			return WEIR_EXIT_USAGE;
		} else {
			val = "";
		}
		if (strcmp(opts[k].lng, "--set") == 0) {
			if (out->nsets == sizeof(out->sets) / sizeof(out->sets[0])) {
				fprintf(stderr, "weir %s: too many --set options\n", cmd);
				return WEIR_EXIT_USAGE;
			}
			out->sets[out->nsets++] = val;
		} else {
			out->values[k] = val;
		}
	}
	return 0;
}

void cli_print_help(const char *usage, const struct cli_opt *opts, size_t nopts)
{
	fputs(usage, stdout);
	if (nopts)
		fputs("\noptions:\n", stdout);
	for (size_t i = 0; i < nopts; i++) {
		char left[64];

		if (!opts[i].help)
			continue;   /* accepted only to say what to use instead */
		if (opts[i].arg && opts[i].optional_arg)
			snprintf(left, sizeof(left), "%s[=%s]", opts[i].lng, opts[i].arg);
		else if (opts[i].arg)
			snprintf(left, sizeof(left), "%s %s", opts[i].lng, opts[i].arg);
		else
			snprintf(left, sizeof(left), "%s", opts[i].lng);
		if (opts[i].shrt)
			printf("  -%c, %-24s %s\n", opts[i].shrt, left, opts[i].help);
		else
			printf("      %-24s %s\n", left, opts[i].help);
	}
}

static char exe_dir[4096];

const char *cli_exe_dir(void)
{
	return exe_dir;
}

static void find_exe_dir(void)
{
	ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof(exe_dir) - 1);
	char *slash;

	if (n <= 0) {
		exe_dir[0] = '\0';
		return;
	}
	exe_dir[n] = '\0';
	slash = strrchr(exe_dir, '/');
	if (slash)
		*slash = '\0';
}

static int dispatch(int argc, char **argv);

/*
 * Results go to stdout, which may be a file: a failed write there (a full
 * disk) is an output error like any other, not a silent success.
 */
int main(int argc, char **argv)
{
	int rc;

	find_exe_dir();
	rc = dispatch(argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "weir: error: writing the standard output failed: %s\n", strerror(errno));
		return rc ? rc : WEIR_EXIT_IO;
	}
	return rc;
}

static int dispatch(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_text, cmd ? stdout : stderr);
		return cmd ? WEIR_EXIT_OK : WEIR_EXIT_USAGE;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("weir %s\n", WEIR_VERSION);
		return WEIR_EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(cmd, "plot") == 0)
		return cmd_plot(argc - 2, argv + 2);
	if (strcmp(cmd, "sweep") == 0)
		return cmd_sweep(argc - 2, argv + 2);
	if (strcmp(cmd, "compare") == 0)
		return cmd_compare(argc - 2, argv + 2);
	if (strcmp(cmd, "help") == 0)
		return cmd_help(argc - 2, argv + 2);
	if (cmd[0] == '-')
		fprintf(stderr, "weir: unknown option '%s' (weir --help lists the commands; weir --version the version)\n", cmd);
	else
		fprintf(stderr, "weir: unknown command '%s' (commands: run, sweep, compare, check, plot, help)\n", cmd);
	return WEIR_EXIT_USAGE;
}

/*
 * help.c - `weir help scenario` and `weir help metrics`: the references,
 * generated from the same tables the parser and the writers use.
 */
#include "cli.h"
#include "weir/scenario.h"

#include <stdio.h>
#include <string.h>

static const char help_usage[] =
	"usage: weir help scenario|metrics\n"
	"\n"
	"Prints the scenario reference (every key, type, default, range and the\n"
	"rule-book section it models) or the metrics reference (every output\n"
	"column and its unit), as Markdown. docs/ holds the same text.\n";

int cmd_help(int argc, char **argv)
{
	if (argc == 1 && strcmp(argv[0], "scenario") == 0) {
		scenario_write_reference(stdout);
		return WEIR_EXIT_OK;
	}
	if (argc == 1 && strcmp(argv[0], "metrics") == 0) {
		scenario_write_metrics_reference(stdout);
		return WEIR_EXIT_OK;
	}
	if (argc == 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		fputs(help_usage, stdout);
		return WEIR_EXIT_OK;
	}
	if (argc >= 1)
		fprintf(stderr, "weir help: unknown topic '%s' (topics: scenario, metrics)\n", argv[0]);
	else
		fputs(help_usage, stderr);
	return WEIR_EXIT_USAGE;
}

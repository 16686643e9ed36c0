/*
 * plot.c - `weir plot RUN_DIR`: draws a run's plots with gnuplot.
 *
 * gnuplot runs as a child process with an argument vector, never through a
 * shell, on the scripts in plots/ (found next to the executable, in the
 * installed data directory, or where $WEIR_PLOTS says). Each script takes
 * its inputs as arguments (gnuplot -c SCRIPT ARG1 ARG2 ...).
 */
#include "cli.h"
#include "weir/csvr.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct res {
	char *name, *kind, *dlq;
};

#define MAX_RES 4096

static void free_res(struct res *r, long n)
{
	for (long i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].kind);
		free(r[i].dlq);
	}
}

/* Reads the rows of DIR/resources.csv into out[] (up to MAX_RES); returns the count, or -1 and keeps none. */
static long read_resources(const char *dir, struct res *out, char *err, size_t n)
{
	static const char *const columns[] = { "resource", "kind", "dead_letter", NULL };
	const struct csvr_opts o = { .columns = columns };
	char *path = weir_asprintf("%s/resources.csv", dir);
	struct csvr *r = csvr_open(path, &o, err, n);
	const char *cells[3];
	unsigned long row;
	long count = 0;
	int rc = -1;

	free(path);
	while (r && count < MAX_RES && (rc = csvr_next(r, cells, &row, err, n)) == 1) {
		out[count].name = weir_strdup(cells[0]);
		out[count].kind = weir_strdup(cells[1]);
		out[count++].dlq = weir_strdup(cells[2]);
	}
	csvr_close(r);
	if (rc >= 0)
		return count;
	free_res(out, count);
	return -1;
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the gnuplot scripts are, or NULL. */
static char *scripts_dir(void)
{
	const char *env = getenv("WEIR_PLOTS");
	const char *exe = cli_exe_dir();
	char *cands[4];
	char *found = NULL;

	if (env)
		return is_dir(env) ? weir_strdup(env) : NULL;
	cands[0] = weir_asprintf("%s/../plots", exe);            /* build/weir */
	cands[1] = weir_asprintf("%s/../../plots", exe);         /* build/san-.../weir */
	cands[2] = weir_asprintf("%s/../share/weir/plots", exe); /* installed */
	cands[3] = weir_asprintf("%s/plots", WEIR_DATADIR);
	for (int i = 0; i < 4; i++) {
		if (!found && *exe && is_dir(cands[i]))
			found = cands[i];
		else
			free(cands[i]);
	}
	return found;
}

/* Runs gnuplot -c script args...; returns 0 or an exit code after a message. */
static int gnuplot(const char *script, char *const *args, size_t nargs)
{
	char *argv[16];
	pid_t pid;
	int status, rc;
	size_t k = 0;

	argv[k++] = (char *)(uintptr_t)"gnuplot";
	argv[k++] = (char *)(uintptr_t)"-c";
	argv[k++] = (char *)(uintptr_t)script;
	for (size_t i = 0; i < nargs && k < 15; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (rc == ENOENT) {
		fprintf(stderr, "weir: error: gnuplot is not installed (on Debian: apt-get install gnuplot-nox)\n");
		return WEIR_EXIT_IO;
	}
	if (rc != 0) {
		fprintf(stderr, "weir: error: cannot start gnuplot: %s\n", strerror(rc));
		return WEIR_EXIT_IO;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "weir: error: gnuplot failed on %s\n", script);
		return WEIR_EXIT_IO;
	}
	return 0;
}

struct plot_job {
	const char *script;   /* file in plots/ */
	const char *suffix;   /* of the image: NAME-suffix.png */
	const char *kind;     /* resources it applies to */
	int needs_dlq;
};

static const struct plot_job jobs[] = {
	{ "queue-depth.gp", "depth", "queue", 0 },
	{ "queue-rates.gp", "rates", "queue", 0 },
	{ "queue-latency.gp", "latency", "queue", 0 },
	{ "queue-dlq.gp", "dlq", "queue", 1 },
	{ "consumer.gp", "workers", "consumer", 0 },
};

static int draw(const char *dir, const char *scripts, const struct res *r, const struct plot_job *j,
		const char *format, int *drawn)
{
	char *script = weir_asprintf("%s/%s", scripts, j->script);
	char *data = weir_asprintf("%s/timeseries.csv", dir);
	char *image = weir_asprintf("%s/plots/%s-%s.%s", dir, r->name, j->suffix, format);
	char *args[] = { data, r->name, image, (char *)(uintptr_t)format, r->dlq };
	int rc = gnuplot(script, args, j->needs_dlq ? 5 : 4);

	if (rc == 0)
		(*drawn)++;
	free(script);
	free(data);
	free(image);
	return rc;
}

int plot_run_dir(const char *dir, const char *format, bool quiet)
{
	static struct res res[MAX_RES];
	char err[512], *scripts = scripts_dir(), *plots;
	long n;
	int rc = 0, drawn = 0;

	if (!scripts) {
		fprintf(stderr, "weir: error: cannot find the gnuplot scripts (set WEIR_PLOTS to weir's plots/ directory)\n");
		return WEIR_EXIT_IO;
	}
	n = read_resources(dir, res, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "weir: error: %s is not a weir run directory: %s\n", dir, err);
		free(scripts);
		return WEIR_EXIT_IO;
	}
	plots = weir_asprintf("%s/plots", dir);
	if (mkdir(plots, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "weir: error: cannot create '%s': %s\n", plots, strerror(errno));
		rc = WEIR_EXIT_IO;
	}
	for (long i = 0; i < n && rc == 0; i++)
		for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]) && rc == 0; j++)
			if (strcmp(res[i].kind, jobs[j].kind) == 0 && (!jobs[j].needs_dlq || res[i].dlq[0]))
				rc = draw(dir, scripts, &res[i], &jobs[j], format, &drawn);
	if (rc == 0 && !quiet)
		printf("  %d plots in %s/\n", drawn, plots);
	free_res(res, n);
	free(plots);
	free(scripts);
	return rc;
}

static const struct cli_opt plot_opts[] = {
	{ "--format", 0, "png|svg", 0, "image format (default png)" },
	{ "--quiet", 'q', NULL, 0, "print nothing but errors" },
};

static const char plot_usage[] =
	"usage: weir plot RUN_DIR [--format png|svg]\n"
	"\n"
	"Draws the plots of a finished run into RUN_DIR/plots/ with gnuplot:\n"
	"per queue its depth and age, rates, latency percentiles and dead-letter\n"
	"queue; per consumer its workers.\n";

int cmd_plot(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse("plot", plot_opts, 2, argc, argv, &a, plot_usage);
	const char *format;

	if (rc != 0)
		return rc < 0 ? WEIR_EXIT_OK : rc;
	if (a.npos != 1) {
		fprintf(stderr, "weir plot: give one run directory (see 'weir plot --help')\n");
		return WEIR_EXIT_USAGE;
	}
	if (!is_dir(a.pos[0])) {
		fprintf(stderr, "weir plot: '%s' is not a directory (give the directory a run wrote, e.g. out/default)\n",
			a.pos[0]);
		return WEIR_EXIT_USAGE;
	}
	format = a.values[0] ? a.values[0] : "png";
	if (strcmp(format, "png") != 0 && strcmp(format, "svg") != 0) {
		fprintf(stderr, "weir plot: --format is png or svg, not '%s'\n", format);
		return WEIR_EXIT_USAGE;
	}
	return plot_run_dir(a.pos[0], format, a.values[1] != NULL);
}

/*
 * walltime.c - runs a command and writes its wall-clock time, for run.sh.
 *
 * Usage: walltime FILE COMMAND [ARGS...]
 * Runs COMMAND with the same stdin, stdout and stderr, then writes the
 * elapsed seconds (CLOCK_MONOTONIC, from just before fork to just after
 * waitpid) to FILE. Exits with the command's status (127 when it cannot be
 * started), so a failed run is not mistaken for a fast one. Exists so that
 * the benchmarks need neither GNU date's %N nor hyperfine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_NOT_STARTED 127

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs argv[0] and returns its exit status (128 + signal when killed). */
static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return EXIT_NOT_STARTED;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "walltime: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(EXIT_NOT_STARTED);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_NOT_STARTED;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	double t0, t1;
	int rc;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: walltime FILE COMMAND [ARGS...]\n");
		return 2;
	}
	t0 = wall_now();
	rc = run(argv + 2);
	t1 = wall_now();
	out = fopen(argv[1], "w");
	if (!out || fprintf(out, "%.6f\n", t1 - t0) < 0 || fclose(out) != 0) {
		fprintf(stderr, "walltime: cannot write '%s': %s\n", argv[1], strerror(errno));
		return 2;
	}
	return rc;
}

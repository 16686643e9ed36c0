/*
 * test_cli.c - the weir command as a user meets it: exit codes, the files of
 * a run, byte-identical output for a seed, atomic replacement of a run
 * directory, write errors, Ctrl-C, the trace, plots.
 */
#define _XOPEN_SOURCE 700
#include "harness.h"
#include "util.h"

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const run_files[] = {
	"timeseries.csv", "summary.csv", "dictionary.csv", "resources.csv", "run.csv",
	"scenario.yaml", "timing.csv", NULL
};

static int exists(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static int run_default(const char *out, const char *const *extra)
{
	const char *args[32] = { "run", "-q", "-o", out };
	size_t k = 4;
	struct proc p;
	int status;

	for (size_t i = 0; extra && extra[i] && k < 31; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	if (run_weir(&p, args, NULL) != 0)
		return -1;
	status = p.status;
	if (status != 0)
		fprintf(stderr, "%s", p.err);
	proc_release(&p);
	return status;
}

void test_cli_version_and_usage_exit_codes(void)
{
	const char *version[] = { "--version", NULL }, *unknown[] = { "frobnicate", NULL };
	const char *badopt[] = { "run", "--bogus", NULL }, *noarg[] = { "run", "--seed", NULL };
	const char *missing[] = { "run", "no/such/file.yaml", NULL }, *none[] = { NULL };
	struct proc p;

	CHECK(run_weir(&p, version, NULL) == 0);
	CHECK(p.status == 0 && strncmp(p.out, "weir ", 5) == 0);
	proc_release(&p);
	CHECK(run_weir(&p, unknown, NULL) == 0);
	CHECK_EQ_INT(p.status, 2);
	CHECK(strstr(p.err, "unknown command 'frobnicate'"));
	proc_release(&p);
	CHECK(run_weir(&p, badopt, NULL) == 0);
	CHECK_EQ_INT(p.status, 2);
	CHECK(strstr(p.err, "unknown option '--bogus'"));
	proc_release(&p);
	CHECK(run_weir(&p, noarg, NULL) == 0);
	CHECK_EQ_INT(p.status, 2);
	proc_release(&p);
	CHECK(run_weir(&p, missing, NULL) == 0);
	CHECK_EQ_INT(p.status, 3);
	CHECK_EQ_STR(p.err, "weir: error: cannot open scenario 'no/such/file.yaml': No such file or directory\n");
	proc_release(&p);
	CHECK(run_weir(&p, none, NULL) == 0);
	CHECK_EQ_INT(p.status, 2);
	CHECK(strstr(p.err, "usage: weir"));
	proc_release(&p);
}

/* A run writes every file, and prints a summary that names the queues. */
void test_cli_run_writes_outputs(void)
{
	const char *dir = test_tmpdir();
	char out[512];
	const char *args[] = { "run", "-o", out, NULL };
	struct proc p;

	snprintf(out, sizeof(out), "%s/run", dir);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_MSG(p.status == 0, "%s", p.err);
	CHECK(strstr(p.out, "orders") && strstr(p.out, "orders-dlq") && strstr(p.out, "ledgers balance"));
	proc_release(&p);
	for (size_t i = 0; run_files[i]; i++)
		CHECK_MSG(exists(out, run_files[i]), "missing %s", run_files[i]);
	CHECK(!exists(out, "trace.csv"));
}

/* The same seed gives byte-identical files; another seed does not. */
void test_cli_same_seed_identical_output(void)
{
	const char *dir = test_tmpdir();
	char a[512], b[512], c[512], fa[600], fb[600];
	const char *seed9[] = { "--seed", "9", NULL };

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(c, sizeof(c), "%s/c", dir);
	CHECK_EQ_INT(run_default(a, NULL), 0);
	CHECK_EQ_INT(run_default(b, NULL), 0);
	CHECK_EQ_INT(run_default(c, seed9), 0);
	for (size_t i = 0; run_files[i]; i++) {
		if (strcmp(run_files[i], "timing.csv") == 0)
			continue;   /* wall-clock time: the one file that varies */
		snprintf(fa, sizeof(fa), "%s/%s", a, run_files[i]);
		snprintf(fb, sizeof(fb), "%s/%s", b, run_files[i]);
		CHECK_MSG(same_file(fa, fb), "%s differs between two runs with the same seed", run_files[i]);
	}
	snprintf(fa, sizeof(fa), "%s/timeseries.csv", a);
	snprintf(fb, sizeof(fb), "%s/timeseries.csv", c);
	CHECK(!same_file(fa, fb));
}

/* Tracing samples by message id, so it never changes the results. */
void test_cli_trace_does_not_change_results(void)
{
	const char *dir = test_tmpdir();
	char a[512], b[512], fa[600], fb[600], *trace;
	const char *with_trace[] = { "--trace=0.1", NULL };

	snprintf(a, sizeof(a), "%s/plain", dir);
	snprintf(b, sizeof(b), "%s/traced", dir);
	CHECK_EQ_INT(run_default(a, NULL), 0);
	CHECK_EQ_INT(run_default(b, with_trace), 0);
	snprintf(fa, sizeof(fa), "%s/summary.csv", a);
	snprintf(fb, sizeof(fb), "%s/summary.csv", b);
	CHECK(same_file(fa, fb));
	snprintf(fa, sizeof(fa), "%s/timeseries.csv", a);
	snprintf(fb, sizeof(fb), "%s/timeseries.csv", b);
	CHECK(same_file(fa, fb));
	snprintf(fb, sizeof(fb), "%s/trace.csv", b);
	trace = read_file(fb, NULL);
	CHECK(trace && strncmp(trace, "time_s,message,resource,event,receive_count,detail\n", 51) == 0);
	CHECK(strstr(trace, ",sent,") && strstr(trace, ",received,") && strstr(trace, ",deleted,"));
	CHECK(strstr(trace, ",moved-to-dlq,"));
	free(trace);
}

/* A directory that is not a weir run is never overwritten. */
void test_cli_refuses_to_overwrite_other_directories(void)
{
	const char *dir = test_tmpdir();
	char keep[600], *text;
	const char *args[] = { "run", "-q", "-o", dir, NULL };
	struct proc p;

	snprintf(keep, sizeof(keep), "%s/precious.txt", dir);
	CHECK(write_file(keep, "do not delete\n") == 0);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_EQ_INT(p.status, 4);
	CHECK(strstr(p.err, "refusing to write over"));
	proc_release(&p);
	text = read_file(keep, NULL);
	CHECK(text && strcmp(text, "do not delete\n") == 0);
	free(text);
}

/* A rerun replaces the previous run directory as a whole. */
void test_cli_rerun_replaces_run_directory(void)
{
	const char *dir = test_tmpdir();
	char out[512], stray[600];

	snprintf(out, sizeof(out), "%s/run", dir);
	CHECK_EQ_INT(run_default(out, NULL), 0);
	snprintf(stray, sizeof(stray), "%s/stray.txt", out);
	CHECK(write_file(stray, "x") == 0);
	CHECK_EQ_INT(run_default(out, NULL), 0);
	CHECK(!exists(out, "stray.txt"));
	CHECK(exists(out, "run.csv"));
}

/*
 * A write error (here: the file-size limit, as a full disk would) is
 * reported with the file's name, exits 4, and leaves the previous run
 * untouched and no temporary directory behind.
 */
void test_cli_write_error_keeps_previous_run(void)
{
	const char *dir = test_tmpdir();
	char out[512], before[600], *saved, *after;
	const char *args[] = { "run", "-q", "-o", out, NULL };
	pid_t pid;
	int po[2], status;
	char errbuf[4096] = "";
	ssize_t n;

	snprintf(out, sizeof(out), "%s/run", dir);
	CHECK_EQ_INT(run_default(out, NULL), 0);
	snprintf(before, sizeof(before), "%s/timeseries.csv", out);
	saved = read_file(before, NULL);
	CHECK(saved != NULL);
	CHECK(pipe(po) == 0);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 4096, 4096 };   /* 4 KiB per file */
		char *argv[] = { (char *)(uintptr_t)test_weir_bin(), (char *)(uintptr_t)args[0],
				 (char *)(uintptr_t)args[1], (char *)(uintptr_t)args[2], out, NULL };

		dup2(po[1], 2);
		close(po[0]);
		setrlimit(RLIMIT_FSIZE, &rl);
		execv(argv[0], argv);
		_exit(99);
	}
	close(po[1]);
	n = read(po[0], errbuf, sizeof(errbuf) - 1);
	errbuf[n > 0 ? n : 0] = '\0';
	close(po[0]);
	waitpid(pid, &status, 0);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 4, "status %d: %s", status, errbuf);
	CHECK_MSG(strstr(errbuf, "writing '") && strstr(errbuf, "File too large"), "%s", errbuf);
	after = read_file(before, NULL);
	CHECK(after && strcmp(saved, after) == 0);
	free(saved);
	free(after);
	{
		char tmp_listing[4096] = "";
		FILE *ls;
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "ls -a '%s'", dir);
		ls = popen(cmd, "r");
		CHECK(ls != NULL);
		n = (ssize_t)fread(tmp_listing, 1, sizeof(tmp_listing) - 1, ls);
		pclose(ls);
		tmp_listing[n > 0 ? n : 0] = '\0';
		CHECK_MSG(!strstr(tmp_listing, ".tmp-"), "temporary directory left: %s", tmp_listing);
	}
}

/*
 * Ctrl-C stops the run cleanly: exit 130, complete files covering the time
 * simulated so far, run.csv saying so.
 */
void test_cli_interrupt_leaves_complete_files(void)
{
	const char *dir = test_tmpdir();
	char out[512], path[600], *run, *ts;
	char *argv[] = { (char *)(uintptr_t)test_weir_bin(), (char *)(uintptr_t)"run",
			 (char *)(uintptr_t)"-q", (char *)(uintptr_t)"-o", out,
			 (char *)(uintptr_t)"--set", (char *)(uintptr_t)"duration=300d",
			 (char *)(uintptr_t)"--set", (char *)(uintptr_t)"metrics.period=1h", NULL };
	struct timespec wait = { 0, 400 * 1000000L };
	pid_t pid;
	int status;
	size_t len;

	snprintf(out, sizeof(out), "%s/run", dir);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		execv(argv[0], argv);
		_exit(99);
	}
	nanosleep(&wait, NULL);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d", status);
	snprintf(path, sizeof(path), "%s/run.csv", out);
	run = read_file(path, NULL);
	CHECK(run && strstr(run, "interrupted,true\n"));
	free(run);
	snprintf(path, sizeof(path), "%s/timeseries.csv", out);
	ts = read_file(path, &len);
	CHECK(ts && len > 0 && ts[len - 1] == '\n');   /* whole rows only */
	free(ts);
	CHECK(exists(out, "summary.csv"));
}

/*
 * weir plot draws the default scenario's plots (needs gnuplot): orders-dlq,
 * a dead-letter queue nobody sends to or reads, is drawn only in
 * orders-dead-letters, and no plot of it is left behind.
 */
void test_cli_plot_draws_images(void)
{
	const char *dir = test_tmpdir();
	char out[512], stale[600];
	const char *args[] = { "plot", out, NULL };
	static const char *const images[] = {
		"plots/orders-depth.png", "plots/orders-rates.png", "plots/orders-latency.png",
		"plots/orders-dead-letters.png", "plots/workers-workers.png", NULL
	};
	static const char *const left_out[] = {
		"plots/orders-dlq-depth.png", "plots/orders-dlq-rates.png", "plots/orders-dlq-latency.png", NULL
	};
	struct proc p;

	snprintf(out, sizeof(out), "%s/run", dir);
	CHECK_EQ_INT(run_default(out, NULL), 0);
	snprintf(stale, sizeof(stale), "%s/plots", out);
	CHECK(mkdir(stale, 0777) == 0);
	snprintf(stale, sizeof(stale), "%s/plots/orders-dlq-rates.png", out);
	CHECK(write_file(stale, "an image of an earlier weir plot\n") == 0);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_MSG(p.status == 0, "exit %d: %s", p.status, p.err);
	CHECK_MSG(strstr(p.out, " 5 plots in ") && strstr(p.out, "(3 left out"), "%s", p.out);
	proc_release(&p);
	for (size_t i = 0; images[i]; i++)
		CHECK_MSG(exists(out, images[i]), "missing %s", images[i]);
	for (size_t i = 0; left_out[i]; i++)
		CHECK_MSG(!exists(out, left_out[i]), "%s drawn", left_out[i]);
}

/*
 * weir plot draws a function's concurrency, invocations and duration and a
 * trigger's scaling (needs gnuplot); a function nothing invokes gets none.
 */
void test_cli_plot_draws_function_images(void)
{
	const char *dir = test_tmpdir();
	char out[512], path[600];
	const char *run[] = { path, NULL };
	const char *args[] = { "plot", out, NULL };
	static const char *const images[] = {
		"plots/worker-concurrency.png", "plots/worker-invocations.png", "plots/worker-duration.png",
		"plots/orders-to-worker-scaling.png", NULL
	};
	static const char *const left_out[] = {
		"plots/idle-concurrency.png", "plots/idle-invocations.png", "plots/idle-duration.png", NULL
	};
	struct proc p;

	snprintf(out, sizeof(out), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/fn.yaml", dir);
	CHECK(write_file(path,
			 "duration: 1m\n"
			 "queues: { orders: {} }\n"
			 "producers: { web: { target: orders, arrivals: poisson(rate=50/s) } }\n"
			 "functions:\n"
			 "  worker: { duration: 50ms, reserved_concurrency: 20, provisioned_concurrency: 2 }\n"
			 "  idle: { duration: 50ms, reserved_concurrency: 5 }\n"
			 "triggers: [ { source: orders, function: worker } ]\n") == 0);
	CHECK_EQ_INT(run_default(out, run), 0);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_MSG(p.status == 0, "exit %d: %s", p.status, p.err);
	CHECK_MSG(strstr(p.out, " 7 plots in ") && strstr(p.out, "(3 left out"), "%s", p.out);
	CHECK_MSG(!strstr(p.err, ".gp\" line"), "a script warned: %s", p.err);
	proc_release(&p);
	for (size_t i = 0; images[i]; i++)
		CHECK_MSG(exists(out, images[i]), "missing %s", images[i]);
	for (size_t i = 0; left_out[i]; i++)
		CHECK_MSG(!exists(out, left_out[i]), "%s drawn", left_out[i]);
}

/*
 * Writes text to DIR/NAME.yaml, runs it and draws its plots (needs
 * gnuplot). Checks that the plot line holds `counted` (" 6 plots in "; NULL:
 * not checked) and `left_out` ("(1 left out"; NULL: no "left out" at all,
 * unless counted is NULL too), that no script warned, that every image of
 * drawn exists and none of not_drawn (NULL-terminated; either may be NULL).
 */
static void plot_case(const char *name, const char *text, const char *counted, const char *left_out,
		      const char *const *drawn, const char *const *not_drawn)
{
	const char *dir = test_tmpdir();
	char out[512], path[600];
	const char *run[] = { path, NULL };
	const char *args[] = { "plot", out, NULL };
	struct proc p;

	snprintf(out, sizeof(out), "%s/run-%s", dir, name);
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	CHECK(write_file(path, text) == 0);
	CHECK_EQ_INT(run_default(out, run), 0);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_MSG(p.status == 0, "exit %d: %s", p.status, p.err);
	if (counted)
		CHECK_MSG(strstr(p.out, counted) && (left_out ? strstr(p.out, left_out) != NULL : !strstr(p.out, "left out")),
			  "%s", p.out);
	CHECK_MSG(!strstr(p.err, ".gp\" line"), "a script warned: %s", p.err);
	proc_release(&p);
	for (size_t i = 0; drawn && drawn[i]; i++)
		CHECK_MSG(exists(out, drawn[i]), "missing %s", drawn[i]);
	for (size_t i = 0; not_drawn && not_drawn[i]; i++)
		CHECK_MSG(!exists(out, not_drawn[i]), "%s drawn", not_drawn[i]);
}

/*
 * weir plot draws the calls of a producer that invokes a function
 * synchronously, throttled and giving up, and no calls plot for a producer
 * that sends to a queue or invokes asynchronously; those do not count as
 * left out.
 */
void test_cli_plot_draws_producer_calls(void)
{
	static const char *const drawn[] = { "plots/api-calls.png", NULL };
	static const char *const not_drawn[] = { "plots/web-calls.png", "plots/uploads-calls.png", NULL };

	/* orders: depth and rates (latency left out); fn: 3; api: calls. */
	plot_case("calls",
		  "duration: 1m\n"
		  "queues: { orders: {} }\n"
		  "producers:\n"
		  "  web: { target: orders, arrivals: poisson(rate=20/s) }\n"
		  "  api: { target: fn, arrivals: poisson(rate=50/s) }\n"
		  "  uploads: { target: fn, invoke: async, arrivals: poisson(rate=5/s) }\n"
		  "functions:\n"
		  "  fn: { duration: 100ms, reserved_concurrency: 3 }\n",
		  " 6 plots in ", "(1 left out", drawn, not_drawn);
}

/*
 * weir plot draws a stream's shards and throughput and the puts of the
 * producer that writes to it with a hot key; the stream producer, which
 * makes Attempts too, gets no calls plot, and it does not count as left out.
 */
void test_cli_plot_draws_stream_images(void)
{
	static const char *const drawn[] = {
		"plots/clicks-shards.png", "plots/clicks-throughput.png", "plots/web-puts.png", NULL
	};
	static const char *const not_drawn[] = { "plots/web-calls.png", NULL };

	plot_case("stream",
		  "duration: 1m\n"
		  "streams: { clicks: { shards: 4 } }\n"
		  "producers:\n"
		  "  web: { target: clicks, arrivals: poisson(rate=3000/s), message: { size: 200B },\n"
		  "         partition_key: \"hot(keys=1000, share=0.3)\", batch: {} }\n",
		  " 3 plots in ", NULL, drawn, not_drawn);
}

/*
 * weir plot draws the batches plot of an event source mapping on a stream,
 * whose batches fail on poison records, are bisected, retried and sent to
 * an on-failure queue; the SQS mapping's scaling plot does not apply to it
 * and is not counted as left out.
 */
void test_cli_plot_draws_stream_trigger(void)
{
	static const char *const drawn[] = { "plots/clicks-to-process-batches.png", NULL };
	static const char *const not_drawn[] = { "plots/clicks-to-process-scaling.png", NULL };

	/* failed: depth and rates (latency left out); process: 3; clicks: 2; web: puts; the trigger: 1. */
	plot_case("trigger",
		  "duration: 2m\n"
		  "streams: { clicks: { shards: 2 } }\n"
		  "queues: { failed: {} }\n"
		  "producers:\n"
		  "  web: { target: clicks, arrivals: poisson(rate=500/s), partition_key: \"uniform(keys=1000)\",\n"
		  "         message: { poison: 0.0005 }, batch: {} }\n"
		  "functions:\n"
		  "  process: { duration: \"exponential(mean=100ms)\", errors: { poison: true } }\n"
		  "triggers:\n"
		  "  - { source: clicks, function: process, maximum_retry_attempts: 1,\n"
		  "      bisect_batch_on_function_error: true, on_failure: failed }\n",
		  " 9 plots in ", "(1 left out", drawn, not_drawn);
}

/*
 * weir plot draws the records plot of a consumer on a stream, one reading
 * with shared throughput and one with enhanced fan-out; the workers plot of
 * a consumer on a queue does not apply to them and is not counted as left
 * out.
 */
void test_cli_plot_draws_stream_consumers(void)
{
	static const char *const drawn[] = { "plots/shared-records.png", "plots/pushed-records.png", NULL };
	static const char *const not_drawn[] = { "plots/shared-workers.png", "plots/pushed-workers.png", NULL };

	/* clicks: shards and throughput; web: puts; the consumers: records each. */
	plot_case("kcl",
		  "duration: 1m\n"
		  "streams: { clicks: { shards: 2 } }\n"
		  "producers:\n"
		  "  web: { target: clicks, arrivals: poisson(rate=200/s), partition_key: \"uniform(keys=1000)\" }\n"
		  "consumers:\n"
		  "  shared: { source: clicks, processing: \"exponential(mean=1ms)\" }\n"
		  "  pushed: { source: clicks, processing: \"exponential(mean=1ms)\", fan_out: true }\n",
		  " 5 plots in ", NULL, drawn, not_drawn);
}

/*
 * weir plot draws the deliveries plot of a topic with two queue
 * subscriptions, one through an outage and one behind a fraction filter,
 * and a function: plot.c finds the subscriptions in the header of
 * timeseries.csv.
 */
void test_cli_plot_draws_topic(void)
{
	static const char *const drawn[] = { "plots/orders-deliveries.png", NULL };

	plot_case("topic",
		  "duration: 2m\n"
		  "queues: { billing: {}, sampled: {} }\n"
		  "functions: { audit: { duration: 20ms } }\n"
		  "topics:\n"
		  "  orders:\n"
		  "    subscriptions:\n"
		  "      - { endpoint: billing, outages: [ { at: 30s, for: 30s } ] }\n"
		  "      - { endpoint: sampled, filter: { fraction: 0.2 } }\n"
		  "      - { endpoint: audit }\n"
		  "producers: { shop: { target: orders, arrivals: poisson(rate=20/s) } }\n",
		  NULL, NULL, drawn, NULL);
}

/*
 * A FIFO queue gets its groups plot; its FIFO dead-letter queue, dead-letter
 * only, gets none, and a standard queue is not counted as leaving one out.
 */
void test_cli_plot_draws_fifo_groups(void)
{
	static const char *const drawn[] = { "plots/jobs.fifo-groups.png", "plots/plain-depth.png", NULL };
	static const char *const not_drawn[] = { "plots/jobs-dlq.fifo-groups.png", "plots/plain-groups.png",
						 NULL };

	plot_case("fifo",
		  "duration: 2m\n"
		  "queues:\n"
		  "  jobs.fifo: { visibility_timeout: 5s, redrive: { dead_letter: jobs-dlq.fifo, max_receive_count: 2 } }\n"
		  "  jobs-dlq.fifo: {}\n"
		  "  plain: {}\n"
		  "producers:\n"
		  "  p: { target: jobs.fifo, arrivals: poisson(rate=20/s),\n"
		  "       message: { group: \"uniform(keys=5)\", poison: 0.02 }, duplicates: { fraction: 0.1 } }\n"
		  "  q: { target: plain, arrivals: poisson(rate=5/s) }\n"
		  "consumers:\n"
		  "  w: { source: jobs.fifo, workers: 3, receive_wait: 20s, processing: 50ms }\n"
		  "  v: { source: plain, workers: 1, processing: 10ms }\n",
		  NULL, NULL, drawn, not_drawn);
}

/* A failed write to stdout (a full disk) is an output error, not a success. */
void test_cli_stdout_write_error(void)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = { (char *)(uintptr_t)test_weir_bin(), (char *)(uintptr_t)"help",
				 (char *)(uintptr_t)"scenario", NULL };

		if (!freopen("/dev/full", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(99);
		execv(argv[0], argv);
		_exit(99);
	}
	waitpid(pid, &status, 0);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 4, "status %d", status);
}

/* A scenario file's name need not be a valid directory name; it is made one. */
void test_cli_file_name_becomes_run_name(void)
{
	const char *dir = test_tmpdir();
	char path[600], run[700], *text;
	const char *args[] = { "check", path, NULL };
	struct proc p;

	snprintf(path, sizeof(path), "%s/my burst+fix.yaml", dir);
	CHECK(write_file(path, "duration: 1m\nqueues: { q: {} }\n") == 0);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_MSG(p.status == 0, "%s", p.err);
	proc_release(&p);
	{
		const char *runargs[] = { "run", "-q", path, NULL };

		CHECK(run_weir(&p, runargs, NULL) == 0);
		CHECK_MSG(p.status == 0, "%s", p.err);
		proc_release(&p);
	}
	snprintf(run, sizeof(run), "out/my_burst_fix/run.csv");
	text = read_file(run, NULL);
	CHECK(text && strstr(text, "scenario,my_burst_fix\n"));
	free(text);
	remove_tree_for_test("out/my_burst_fix");
}

/* A run removes the temporary directories that dead runs of its name left behind. */
void test_cli_removes_stale_temporary_directories(void)
{
	const char *dir = test_tmpdir();
	char out[512], stale[600], live[600];
	pid_t dead = fork();
	int status;

	CHECK(dead >= 0);
	if (dead == 0)
		_exit(0);
	waitpid(dead, &status, 0);                  /* its pid now names no process */
	snprintf(out, sizeof(out), "%s/run", dir);
	snprintf(stale, sizeof(stale), "%s/.run.tmp-%ld", dir, (long)dead);
	snprintf(live, sizeof(live), "%s/.run.tmp-%ld", dir, (long)getpid());
	CHECK(mkdir(stale, 0700) == 0 && mkdir(live, 0700) == 0);
	CHECK_EQ_INT(run_default(out, NULL), 0);
	CHECK(!exists(dir, stale + strlen(dir) + 1));
	CHECK(exists(dir, live + strlen(dir) + 1));   /* a running process's: kept */
}

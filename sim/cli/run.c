/*
 * run.c - `weir run` and `weir check`.
 *
 * A run writes its directory atomically: every file goes to a temporary
 * directory that replaces out/NAME only once all of them are complete, so a
 * failed or interrupted-and-failed run never leaves half a result behind.
 */
#define _XOPEN_SOURCE 700
#include "cli.h"
#include "exp.h"
#include "weir/scenario.h"
#include "weir/world.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cli_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	cli_interrupted = 1;
}

void cli_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = (int)SA_RESETHAND;   /* a second Ctrl-C stops at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGXFSZ, SIG_IGN);          /* a file-size limit is a write error, not a kill */
}

double cli_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- loading ------------------------------------------------------------- */

/* Loads and prints the diagnostics; d must outlive the scenario. */
static struct scenario *load(const char *path, const struct cli_args *a, struct diags *d)
{
	struct scenario *sc;

	if (path)
		sc = scenario_load(path, NULL, 0, a->sets, a->nsets, d);
	else
		sc = scenario_load(scenario_default_name, scenario_default_text,
				   strlen(scenario_default_text), a->sets, a->nsets, d);
	diag_print(d, stderr);
	return sc;
}

/* ---- progress ------------------------------------------------------------ */

struct progress {
	double start, last;
	int shown;
};

static void show_progress(void *ctx, sim_time now, sim_time end, uint64_t events)
{
	struct progress *p = ctx;
	double t = cli_wall_now();

	if (t - p->start < 1.0 || t - p->last < 0.1)
		return;
	double done = (double)now / (double)end, left = (t - p->start) * (1 - done) / done;
	char a[32], b[32], c[32];

	p->last = t;
	p->shown = 1;
	fprintf(stderr, "\r\033[K  %3.0f%%  %s of %s simulated  %.1fM events  about %s left",
		100.0 * done, fmt_seconds(sim_time_to_sec(now), a, sizeof(a)),
		fmt_seconds(sim_time_to_sec(end), b, sizeof(b)), (double)events / 1e6,
		fmt_seconds(left, c, sizeof(c)));
	fflush(stderr);
}

/* ---- writing the run directory ----------------------------------------- */

struct run {
	struct diags diags;
	struct scenario *sc;
	const struct cli_args *args;
	uint64_t seed;
	double trace_fraction;        /* 0 = no trace */
	struct outdir out;
	struct csvw ts;
	struct trace trace;
	struct world *world;
	bool interrupted;
	double wall;
	char err[512];
};

/* Records the first write failure of a file; returns 0 when none. */
static int closed(struct run *r, struct csvw *w, const char *name)
{
	int rc = csvw_close(w);

	if (rc != 0 && !r->err[0])
		snprintf(r->err, sizeof(r->err), "writing '%s/%s' failed: %s", r->out.final, name, strerror(rc));
	return rc;
}

static int open_file(struct run *r, struct csvw *w, const char *name)
{
	char *path = outdir_file(&r->out, name);
	int rc = csvw_open(w, path);

	if (rc != 0)
		snprintf(r->err, sizeof(r->err), "cannot create '%s': %s", path, strerror(rc));
	free(path);
	return rc;
}

/* run.csv: what was run; deterministic (no wall-clock values). */
static void write_run_csv(struct run *r, struct csvw *w)
{
	const struct scenario *sc = r->sc;

	csvw_kv(w, "key", "value");
	csvw_kv(w, "weir_version", WEIR_VERSION);
	csvw_kv(w, "scenario", sc->name);
	csvw_kv(w, "scenario_file", r->args->npos ? sc->file : "(bundled) scenarios/default.yaml");
	csvw_kv_num(w, "seed", (double)r->seed);
	csvw_kv_num(w, "replication", 0);
	csvw_kv_num(w, "duration_s", sim_time_to_sec(sc->duration));
	csvw_kv_num(w, "warmup_s", sim_time_to_sec(sc->warmup));
	csvw_kv_num(w, "metrics_period_s", sim_time_to_sec(sc->metrics.period));
	csvw_kv_num(w, "simulated_s", sim_time_to_sec(world_now(r->world)));
	csvw_kv_num(w, "events", (double)world_events(r->world));
	csvw_kv(w, "interrupted", r->interrupted ? "true" : "false");
	csvw_kv_num(w, "trace_fraction", r->trace_fraction);
	for (size_t i = 0; i < r->args->nsets; i++)
		csvw_kv(w, "set", r->args->sets[i]);
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* timing.csv: how long it took; the one file that differs between runs. */
static void write_timing_csv(struct run *r, struct csvw *w)
{
	csvw_kv(w, "key", "value");
	csvw_kv_num(w, "wall_s", r->wall);
	csvw_kv_num(w, "events_per_s", r->wall > 0 ? floor((double)world_events(r->world) / r->wall) : NAN);
	csvw_kv_num(w, "peak_rss_kib", (double)peak_rss_kib());
}

static int write_scenario_copy(struct run *r)
{
	char *path = outdir_file(&r->out, "scenario.yaml");
	FILE *f = fopen(path, "w");
	const struct diag_source *src = r->sc->doc->src;
	int rc = 0;

	if (!f || fwrite(src->text, 1, src->len, f) != src->len)
		rc = errno ? errno : EIO;
	if (f && fclose(f) != 0 && !rc)
		rc = errno;
	if (rc && !r->err[0])
		snprintf(r->err, sizeof(r->err), "writing '%s/scenario.yaml' failed: %s", r->out.final, strerror(rc));
	free(path);
	return rc;
}

typedef void writer_fn(struct run *r, struct csvw *w);

static void write_summary(struct run *r, struct csvw *w)
{
	struct summary s = { 0 };

	world_summarize(r->world, &s);
	summary_write(&s, w);
	summary_release(&s);
}

static void write_dictionary(struct run *r, struct csvw *w) { world_write_dictionary(r->world, w); }
static void write_resources(struct run *r, struct csvw *w) { world_write_resources(r->world, w); }

static int write_files(struct run *r)
{
	static const struct {
		const char *name;
		writer_fn *fn;
	} files[] = {
		{ "summary.csv", write_summary },
		{ "dictionary.csv", write_dictionary },
		{ "resources.csv", write_resources },
		{ "timing.csv", write_timing_csv },
		{ "run.csv", write_run_csv },   /* last: its presence marks a complete run */
	};
	int rc = 0;

	rc |= closed(r, &r->ts, "timeseries.csv");
	if (r->trace_fraction > 0)
		rc |= closed(r, &r->trace.w, "trace.csv");
	rc |= write_scenario_copy(r);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && rc == 0; i++) {
		struct csvw w;

		if (open_file(r, &w, files[i].name) != 0)
			return -1;
		files[i].fn(r, &w);
		rc |= closed(r, &w, files[i].name);
	}
	return rc;
}

/* ---- the summary table on stdout ---------------------------------------- */

/* Prints one line of the table, without trailing blanks (empty headings leave them). */
static void WEIR_PRINTF(1, 2) row(const char *fmt, ...)
{
	char line[512];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\n'))
		n--;
	printf("%.*s\n", (int)n, line);
}

/* Width of the name column: the longest resource name, at least 18. */
static int name_width(const struct scenario *sc)
{
	size_t w = 18;
	const struct vec *tables[] = { &sc->queues, &sc->consumers, &sc->functions, &sc->streams,
				       &sc->producers, &sc->topics };
	const size_t sizes[] = { sizeof(struct sqs_queue_cfg), sizeof(struct consumer_cfg),
				 sizeof(struct function_cfg), sizeof(struct stream_cfg),
				 sizeof(struct producer_cfg), sizeof(struct sns_topic_cfg) };

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (size_t i = 0; i < tables[t]->len; i++) {
			const struct schema_head *h = (const void *)((const char *)tables[t]->items + i * sizes[t]);

			w = strlen(h->name) > w ? strlen(h->name) : w;
		}
	for (size_t i = 0; i < sc->triggers.len; i++) {
		const char *n = VEC_AT(&sc->triggers, struct trigger_cfg, i)->name;

		w = strlen(n) > w ? strlen(n) : w;
	}
	return w > 64 ? 64 : (int)w;
}

#define QUEUE_ROW "  %-*s %12s %8s %9s %8s %8s %9s %9s %9s %9s %6s\n"

static void print_queue_row(const struct summary *s, const char *q, int w)
{
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], k[32], r[32];
	double stored = summary_get(s, q, "ledger.visible") + summary_get(s, q, "ledger.in_flight") +
			summary_get(s, q, "ledger.delayed");

	row(QUEUE_ROW, w, q,
	       fmt_count(summary_get(s, q, "NumberOfMessagesSent"), a, sizeof(a)),
	       fmt_count(summary_get(s, q, "MessagesMovedToDLQ"), k, sizeof(k)),
	       fmt_count(summary_get(s, q, "MessagesRedriven"), r, sizeof(r)),
	       fmt_count(summary_get(s, q, "MessagesExpired"), b, sizeof(b)),
	       fmt_count(stored, c, sizeof(c)),
	       fmt_seconds(summary_get(s, q, "WaitTime.mean"), d, sizeof(d)),
	       fmt_seconds(summary_get(s, q, "EndToEndLatency.p50"), e, sizeof(e)),
	       fmt_seconds(summary_get(s, q, "EndToEndLatency.p99"), f, sizeof(f)),
	       fmt_seconds(summary_get(s, q, "EndToEndLatency.max"), g, sizeof(g)),
	       fmt_count(summary_get(s, q, "DuplicateDeliveries"), h, sizeof(h)));
}

#define FUNCTION_ROW "  %-*s %11s %8s %9s %7s %9s %9s %6s %10s\n"
#define TRIGGER_ROW "  %-*s %11s %8s %9s %9s %9s\n"

#define CALLER_ROW "  %-*s %11s %9s %8s %8s %9s %9s %9s\n"

/* Producers invoking functions synchronously: what their callers see. */
static void print_callers(const struct summary *s, const struct scenario *sc, int w)
{
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
	bool header = false;

	for (size_t i = 0; i < sc->producers.len; i++) {
		const struct producer_cfg *p = VEC_AT(&sc->producers, struct producer_cfg, i);
		const char *n = p->head.name;

		if (!scenario_function(sc, p->target) || p->invoke != INVOKE_SYNC)
			continue;
		if (!header) {
			row("\n" CALLER_ROW, w, "", "", "throttled", "", "", "latency", "latency", "latency");
			row(CALLER_ROW, w, "caller", "requests", "attempts", "retries", "gave up", "p50", "p99", "max");
			header = true;
		}
		row(CALLER_ROW, w, n, fmt_count(summary_get(s, n, "MessagesProduced"), a, sizeof(a)),
		    fmt_count(summary_get(s, n, "ThrottledAttempts"), b, sizeof(b)),
		    fmt_count(summary_get(s, n, "Retries"), c, sizeof(c)),
		    fmt_count(summary_get(s, n, "GiveUps"), d, sizeof(d)),
		    fmt_seconds(summary_get(s, n, "InvokeLatency.p50"), e, sizeof(e)),
		    fmt_seconds(summary_get(s, n, "InvokeLatency.p99"), f, sizeof(f)),
		    fmt_seconds(summary_get(s, n, "InvokeLatency.max"), g, sizeof(g)));
	}
}

#define STREAM_ROW "  %-*s %7s %11s %10s %9s %8s %9s %9s\n"

static void print_streams(const struct summary *s, const struct scenario *sc, int w)
{
	char a[32], b[32], c[32], d[32], e[32], share[16], hot[16];

	if (sc->streams.len) {
		row("\n" STREAM_ROW, w, "", "", "", "", "throttled", "hottest", "", "");
		row(STREAM_ROW, w, "stream", "shards", "records in", "throttled", "share", "shard", "expired", "held");
	}
	for (size_t i = 0; i < sc->streams.len; i++) {
		const char *n = VEC_AT(&sc->streams, struct stream_cfg, i)->head.name;

		snprintf(share, sizeof(share), "%.1f%%", 100 * summary_get(s, n, "ThrottledFraction"));
		snprintf(hot, sizeof(hot), "%.1f%%", 100 * summary_get(s, n, "HottestShardShare"));
		row(STREAM_ROW, w, n, fmt_count(summary_get(s, n, "OpenShardCount"), a, sizeof(a)),
		    fmt_count(summary_get(s, n, "IncomingRecords"), b, sizeof(b)),
		    fmt_count(summary_get(s, n, "WriteProvisionedThroughputExceeded"), c, sizeof(c)), share, hot,
		    fmt_count(summary_get(s, n, "RecordsExpired"), d, sizeof(d)),
		    fmt_count(summary_get(s, n, "ledger.held"), e, sizeof(e)));
	}
	if (sc->streams.len)
		printf("  (records in: accepted; throttled: records refused by the per-shard limits, each retry counted;\n"
		       "   hottest shard: the largest share of accepted records one shard took;\n"
		       "   held: not yet read by every reader, or, in a stream nobody reads, not yet expired)\n");
}

static void print_queue_triggers(const struct summary *s, const struct scenario *sc, int w);
static void print_stream_triggers(const struct summary *s, const struct scenario *sc, int w);

#define PUTTER_ROW "  %-*s %11s %11s %9s %9s %9s %9s\n"

/* Producers putting records into streams: what was lost on the way. */
static void print_putters(const struct summary *s, const struct scenario *sc, int w)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];
	bool header = false;

	for (size_t i = 0; i < sc->producers.len; i++) {
		const struct producer_cfg *p = VEC_AT(&sc->producers, struct producer_cfg, i);
		const char *n = p->head.name;

		if (!scenario_stream(sc, p->target))
			continue;
		if (!header) {
			row("\n" PUTTER_ROW, w, "", "", "", "throttled", "", "", "waiting");
			row(PUTTER_ROW, w, "stream producer", "records", "accepted", "attempts", "retries", "gave up",
			    "at end");
			header = true;
		}
		row(PUTTER_ROW, w, n, fmt_count(summary_get(s, n, "MessagesProduced"), a, sizeof(a)),
		    fmt_count(summary_get(s, n, "MessagesSent"), b, sizeof(b)),
		    fmt_count(summary_get(s, n, "ThrottledAttempts"), c, sizeof(c)),
		    fmt_count(summary_get(s, n, "Retries"), d, sizeof(d)),
		    fmt_count(summary_get(s, n, "GiveUps"), e, sizeof(e)),
		    fmt_count(summary_get(s, n, "ledger.waiting"), f, sizeof(f)));
	}
	if (header)
		printf("  (retries: requests sent again; gave up: records still throttled after the last attempt, or\n"
		       "   refused by the retry quota; waiting: records still to be sent when the run ended)\n");
}

static void print_functions(const struct summary *s, const struct scenario *sc, int w)
{
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32], cost[32];

	if (sc->functions.len) {
		row("\n" FUNCTION_ROW, w, "", "", "", "", "cold", "duration", "duration", "peak", "");
		row(FUNCTION_ROW, w, "function", "invocations", "errors", "throttles", "starts", "p50", "p99",
		       "conc", "cost");
	}
	for (size_t i = 0; i < sc->functions.len; i++) {
		const char *n = VEC_AT(&sc->functions, struct function_cfg, i)->head.name;

		snprintf(cost, sizeof(cost), "$%.2f", summary_get(s, n, "Cost.total"));
		row(FUNCTION_ROW, w, n, fmt_count(summary_get(s, n, "Invocations"), a, sizeof(a)),
		       fmt_count(summary_get(s, n, "Errors"), b, sizeof(b)),
		       fmt_count(summary_get(s, n, "Throttles"), c, sizeof(c)),
		       fmt_count(summary_get(s, n, "ColdStarts"), d, sizeof(d)),
		       fmt_seconds(summary_get(s, n, "Duration.p50") / 1e3, e, sizeof(e)),
		       fmt_seconds(summary_get(s, n, "Duration.p99") / 1e3, f, sizeof(f)),
		       fmt_count(summary_get(s, n, "ConcurrentExecutions.max"), g, sizeof(g)), cost);
	}
	print_queue_triggers(s, sc, w);
	print_stream_triggers(s, sc, w);
}

static void print_queue_triggers(const struct summary *s, const struct scenario *sc, int w)
{
	char a[32], b[32], c[32], d[32];
	bool header = false;

	for (size_t i = 0; i < sc->triggers.len; i++) {
		const char *n = VEC_AT(&sc->triggers, struct trigger_cfg, i)->name;
		char mean[16];

		if (scenario_stream(sc, VEC_AT(&sc->triggers, struct trigger_cfg, i)->source))
			continue;
		if (!header) {
			row("\n" TRIGGER_ROW, w, "", "", "mean", "peak", "throttled", "messages");
			row(TRIGGER_ROW, w, "trigger", "batches", "batch", "pollers", "invokes", "returned");
			header = true;
		}

		snprintf(mean, sizeof(mean), "%.1f", summary_get(s, n, "BatchSize.mean"));
		row(TRIGGER_ROW, w, n, fmt_count(summary_get(s, n, "Batches"), a, sizeof(a)),
		       isnan(summary_get(s, n, "BatchSize.mean")) ? "-" : mean,
		       fmt_count(summary_get(s, n, "Pollers.max"), b, sizeof(b)),
		       fmt_count(summary_get(s, n, "ThrottledInvokes"), c, sizeof(c)),
		       fmt_count(summary_get(s, n, "MessagesReturned"), d, sizeof(d)));
	}
}

#define STREAM_TRIGGER_ROW "  %-*s %11s %8s %9s %8s %10s %11s %9s %9s\n"

static void print_stream_triggers(const struct summary *s, const struct scenario *sc, int w)
{
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
	bool header = false;

	for (size_t i = 0; i < sc->triggers.len; i++) {
		const char *n = VEC_AT(&sc->triggers, struct trigger_cfg, i)->name;
		char mean[16];

		if (!scenario_stream(sc, VEC_AT(&sc->triggers, struct trigger_cfg, i)->source))
			continue;
		if (!header) {
			row("\n" STREAM_TRIGGER_ROW, w, "", "", "mean", "peak", "failed", "records", "records",
			    "iterator", "iterator");
			row(STREAM_TRIGGER_ROW, w, "stream trigger", "batches", "batch", "batches", "batches",
			    "processed", "discarded", "age p99", "age max");
			header = true;
		}
		snprintf(mean, sizeof(mean), "%.1f", summary_get(s, n, "BatchSize.mean"));
		row(STREAM_TRIGGER_ROW, w, n, fmt_count(summary_get(s, n, "Batches"), a, sizeof(a)),
		    isnan(summary_get(s, n, "BatchSize.mean")) ? "-" : mean,
		    fmt_count(summary_get(s, n, "ConcurrentBatches.max"), b, sizeof(b)),
		    fmt_count(summary_get(s, n, "FailedBatches"), c, sizeof(c)),
		    fmt_count(summary_get(s, n, "RecordsProcessed"), d, sizeof(d)),
		    fmt_count(summary_get(s, n, "RecordsDiscarded"), e, sizeof(e)),
		    fmt_seconds(summary_get(s, n, "IteratorAge.p99") / 1e3, f, sizeof(f)),
		    fmt_seconds(summary_get(s, n, "IteratorAge.max") / 1e3, g, sizeof(g)));
	}
}

#define STREAM_CONSUMER_ROW "  %-*s %8s %11s %9s %9s %10s %9s %9s\n"

/* Consumer applications on streams (aws-behaviour §3.8). */
static void print_stream_consumers(const struct summary *s, const struct scenario *sc, int w)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];
	bool header = false;

	for (size_t i = 0; i < sc->consumers.len; i++) {
		const struct consumer_cfg *cfg = VEC_AT(&sc->consumers, struct consumer_cfg, i);
		const char *n = cfg->head.name;

		if (!scenario_stream(sc, cfg->source))
			continue;
		if (!header) {
			row("\n" STREAM_CONSUMER_ROW, w, "", "", "records", "GetRecords", "read", "millis",
			    "latency", "latency");
			row(STREAM_CONSUMER_ROW, w, "stream consumer", "mode", "processed", "calls", "throttles",
			    "behind max", "p50", "p99");
			header = true;
		}
		row(STREAM_CONSUMER_ROW, w, n, cfg->fan_out ? "fan-out" : "shared",
		    fmt_count(summary_get(s, n, "RecordsProcessed"), a, sizeof(a)),
		    fmt_count(summary_get(s, n, "GetRecords"), b, sizeof(b)),
		    fmt_count(summary_get(s, n, "ReadProvisionedThroughputExceeded"), c, sizeof(c)),
		    fmt_seconds(summary_get(s, n, "MillisBehindLatest.max") / 1e3, d, sizeof(d)),
		    fmt_seconds(summary_get(s, n, "EndToEndLatency.p50"), e, sizeof(e)),
		    fmt_seconds(summary_get(s, n, "EndToEndLatency.p99"), f, sizeof(f)));
	}
	if (header)
		printf("  (read throttles: GetRecords calls refused by the shard's 5 calls/s or 2 MB/s, shared by its\n"
		       "   shared-throughput consumers; millis behind: response time minus the last record's arrival;\n"
		       "   latency: arrival in the stream to processed)\n");
}

#define TOPIC_ROW "  %-*s %10s %10s %9s %9s %8s %8s %8s %9s\n"

/* Topics and their subscriptions (aws-behaviour §7). */
static void print_topics(const struct summary *s, const struct scenario *sc, int w)
{
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32], name[160];

	if (!sc->topics.len)
		return;
	row("\n" TOPIC_ROW, w, "", "", "", "failed", "", "", "filtered", "", "delay");
	row(TOPIC_ROW, w, "topic", "published", "delivered", "attempts", "to DLQ", "dropped", "out",
	    "pending", "max");
	for (size_t i = 0; i < sc->topics.len; i++) {
		const struct sns_topic_cfg *t = VEC_AT(&sc->topics, struct sns_topic_cfg, i);
		const char *n = t->head.name;

		row(TOPIC_ROW, w, n, fmt_count(summary_get(s, n, "NumberOfMessagesPublished"), a, sizeof(a)),
		    "", "", "", "", "", "", "");
		for (size_t j = 0; j < t->subscriptions.len; j++) {
			const struct sns_sub_cfg *sub = VEC_AT(&t->subscriptions, struct sns_sub_cfg, j);
			char full[160];

			snprintf(full, sizeof(full), "%s.%s", n, sub->name);
			snprintf(name, sizeof(name), "  %s", sub->name);
			row(TOPIC_ROW, w, name, "",
			    fmt_count(summary_get(s, full, "NumberOfNotificationsDelivered"), a, sizeof(a)),
			    fmt_count(summary_get(s, full, "NumberOfNotificationsFailed"), b, sizeof(b)),
			    fmt_count(summary_get(s, full, "NotificationsRedrivenToDlq"), c, sizeof(c)),
			    fmt_count(summary_get(s, full, "NotificationsDropped"), d, sizeof(d)),
			    fmt_count(summary_get(s, full, "NumberOfNotificationsFilteredOut"), e, sizeof(e)),
			    fmt_count(summary_get(s, full, "ledger.pending"), f, sizeof(f)),
			    fmt_seconds(summary_get(s, full, "DeliveryDelay.max"), g, sizeof(g)));
		}
	}
	printf("  (delivered: sends to the queue, or events Lambda accepted; failed attempts: each retry counted;\n"
	       "   to DLQ / dropped: after the last retry or a client-side error; delay: publish to delivery)\n");
}

static void print_table(const struct run *r)
{
	struct summary s = { 0 };
	const struct scenario *sc = r->sc;
	char a[32], b[32], c[32];
	int w;

	world_summarize(r->world, &s);
	w = name_width(sc);
	printf("weir %s  %s  seed %llu  %s simulated%s in %.2fs (%s simulation events)\n", WEIR_VERSION, sc->name,
	       (unsigned long long)r->seed, fmt_seconds(sim_time_to_sec(world_now(r->world)), a, sizeof(a)),
	       r->interrupted ? " (interrupted)" : "", r->wall, fmt_count((double)world_events(r->world), b, sizeof(b)));
	if (sc->queues.len) {
		row("\n" QUEUE_ROW, w, "", "", "", "", "", "", "mean", "latency", "latency", "latency", "");
		row(QUEUE_ROW, w, "queue", "sent", "to DLQ", "redriven", "expired", "left", "wait", "p50",
		       "p99", "max", "dups");
		for (size_t i = 0; i < sc->queues.len; i++)
			print_queue_row(&s, VEC_AT(&sc->queues, struct sqs_queue_cfg, i)->head.name, w);
		printf("  (sent: by producers and move tasks; redriven: moved out by a move task; left: still stored;\n"
		       "   wait: arrival in the queue to first receive; latency: first send to delete;\n"
		       "   dups: duplicate deliveries%s)\n",
		       sc->warmup > 0 ? "; every figure but left leaves out the warm-up" : "");
	}
	for (size_t i = 0, header = 0; i < sc->consumers.len; i++) {
		const char *n = VEC_AT(&sc->consumers, struct consumer_cfg, i)->head.name;

		double util = summary_get(&s, n, "Utilization");
		char busy[16];

		if (scenario_stream(sc, VEC_AT(&sc->consumers, struct consumer_cfg, i)->source))
			continue;   /* a consumer application: print_stream_consumers */
		if (!header++)
			row("\n  %-*s %8s %8s %12s %10s\n", w, "consumer", "workers", "busy", "processed", "failed");
		if (isnan(util))
			snprintf(busy, sizeof(busy), "-");
		else
			snprintf(busy, sizeof(busy), "%.0f%%", 100 * util);
		row("  %-*s %8.1f %8s %12s %10s\n", w, n, summary_get(&s, n, "Workers.mean"), busy,
		       fmt_count(summary_get(&s, n, "MessagesProcessed"), a, sizeof(a)),
		       fmt_count(summary_get(&s, n, "ProcessingFailures"), c, sizeof(c)));
	}
	print_topics(&s, sc, w);
	print_streams(&s, sc, w);
	print_putters(&s, sc, w);
	print_stream_consumers(&s, sc, w);
	print_functions(&s, sc, w);
	print_callers(&s, sc, w);
	printf("\n  ledgers balance; results in %s/\n", r->out.final);
	summary_release(&s);
}

/* ---- the run command ------------------------------------------------------ */

static const char run_usage[] =
	"usage: weir run [SCENARIO] [options]\n"
	"\n"
	"Runs SCENARIO (a YAML file; without one, the bundled default scenario)\n"
	"and writes timeseries.csv, summary.csv and the rest to out/NAME/.\n"
	"With --replications N (or --precision), runs N independent replications\n"
	"and writes every statistic's mean and confidence interval instead.\n";

static int parse_fraction(const char *s, double *out)
{
	struct parse_err err;

	if (!*s) {
		*out = 1.0;
		return 0;
	}
	if (units_parse_real(s, out, &err) != 0 || *out <= 0 || *out > 1) {
		fprintf(stderr, "weir run: --trace takes a fraction in (0, 1], not '%s'\n", s);
		return -1;
	}
	return 0;
}

int cli_parse_seed(const char *cmd, const char *s, uint64_t *out)
{
	struct parse_err err;
	int64_t v;

	if (units_parse_int(s, &v, &err) != 0 || v > 9007199254740991LL) {
		fprintf(stderr, "weir %s: --seed takes a whole number from 0 to 2^53-1, not '%s'\n", cmd, s);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

static int run_options(struct run *r, const struct cli_args *a)
{
	r->args = a;
	r->seed = (uint64_t)r->sc->seed;
	if (a->values[X_SEED] && cli_parse_seed("run", a->values[X_SEED], &r->seed) != 0)
		return WEIR_EXIT_USAGE;
	if (a->values[X_TRACE] && parse_fraction(a->values[X_TRACE], &r->trace_fraction) != 0)
		return WEIR_EXIT_USAGE;
	if (a->values[X_FORMAT] && strcmp(a->values[X_FORMAT], "png") != 0 &&
	    strcmp(a->values[X_FORMAT], "svg") != 0) {
		fprintf(stderr, "weir run: --format is png or svg, not '%s'\n", a->values[X_FORMAT]);
		return WEIR_EXIT_USAGE;
	}
	return 0;
}

static int start_outputs(struct run *r)
{
	char *dir = r->args->values[X_OUT] ? weir_strdup(r->args->values[X_OUT])
					   : weir_asprintf("out/%s", r->sc->name);
	int rc = outdir_begin(&r->out, dir, r->err, sizeof(r->err));

	free(dir);
	if (rc == 0)
		rc = open_file(r, &r->ts, "timeseries.csv");
	if (rc == 0 && r->trace_fraction > 0) {
		char *path = outdir_file(&r->out, "trace.csv");

		rc = trace_open(&r->trace, path, r->trace_fraction);
		if (rc != 0)
			snprintf(r->err, sizeof(r->err), "cannot create '%s': %s", path, strerror(rc));
		free(path);
	}
	return rc;
}

static int simulate(struct run *r)
{
	struct progress prog = { .start = cli_wall_now() };
	struct world_opts o = {
		.seed = r->seed,
		.trace = r->trace_fraction > 0 ? &r->trace : NULL,
		.timeseries = &r->ts,
		.interrupt = &cli_interrupted,
		.progress = isatty(2) && !r->args->values[X_QUIET] ? show_progress : NULL,
		.progress_ctx = &prog,
	};

	r->world = world_create(r->sc, &o, r->err, sizeof(r->err));
	if (!r->world)
		return WEIR_EXIT_SCENARIO;
	r->interrupted = world_run(r->world);
	r->wall = cli_wall_now() - prog.start;
	if (prog.shown)
		fputs("\r\033[K", stderr);
	if (!world_check_ledgers(r->world, stderr))
		return WEIR_EXIT_INTERNAL;
	return 0;
}

static int finish_run(struct run *r)
{
	if (write_files(r) != 0 || outdir_commit(&r->out, r->err, sizeof(r->err)) != 0) {
		fprintf(stderr, "weir: error: %s\n", r->err);
		return WEIR_EXIT_IO;
	}
	if (!r->args->values[X_QUIET])
		print_table(r);
	if (r->interrupted) {
		char at[32];

		fprintf(stderr, "weir: interrupted at %s of simulated time; the outputs cover that much\n",
			fmt_seconds(sim_time_to_sec(world_now(r->world)), at, sizeof(at)));
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct cli_args a;
	struct run r;
	int rc = cli_parse("run", exp_opts, X_NRUN, argc, argv, &a, run_usage);

	if (rc != 0)
		return rc < 0 ? WEIR_EXIT_OK : rc;
	if (a.npos > 1) {
		fprintf(stderr, "weir run: give one scenario (got %zu)\n", a.npos);
		return WEIR_EXIT_USAGE;
	}
	if (a.values[X_REPS] || a.values[X_PREC])
		return exp_cmd_run(&a);
	for (int k = X_CONF; k < X_NRUN; k++)
		if (a.values[k] && k != X_PREC && k != X_REPS) {
			fprintf(stderr, "weir run: %s is for replications; give --replications N too\n", exp_opts[k].lng);
			return WEIR_EXIT_USAGE;
		}
	memset(&r, 0, sizeof(r));
	r.sc = load(a.npos ? a.pos[0] : NULL, &a, &r.diags);
	if (!r.sc) {
		diag_release(&r.diags);
		return WEIR_EXIT_SCENARIO;
	}
	rc = run_options(&r, &a);
	if (rc == 0 && start_outputs(&r) != 0) {
		fprintf(stderr, "weir: error: %s\n", r.err);
		rc = WEIR_EXIT_IO;
	}
	if (rc == 0) {
		cli_catch_signals();
		rc = simulate(&r);
		if (rc == WEIR_EXIT_SCENARIO)
			fprintf(stderr, "weir: error: %s\n", r.err);
	}
	if (rc == 0)
		rc = finish_run(&r);
	if (rc == 0 && a.values[X_PLOT])
		rc = plot_run_dir(r.out.final, a.values[X_FORMAT] ? a.values[X_FORMAT] : "png",
				  a.values[X_QUIET] != NULL);
	if (rc == 0 && r.interrupted)
		rc = WEIR_EXIT_INTERRUPTED;
	csvw_close(&r.ts);
	if (r.trace_fraction > 0)
		trace_close(&r.trace);
	outdir_abort(&r.out);
	world_destroy(r.world);
	scenario_free(r.sc);
	diag_release(&r.diags);
	return rc;
}

/* ---- the check command ----------------------------------------------------- */

static const struct cli_opt check_opts[] = {
	{ "--set", 0, "KEY=VALUE", 0, "override a scenario value before checking it" },
};

static const char check_usage[] =
	"usage: weir check SCENARIO [--set KEY=VALUE]...\n"
	"\n"
	"Validates SCENARIO without running it: every key, type, unit, range and\n"
	"reference, with warnings for settings that probably do not do what you\n"
	"expect. Exits 0 when it is valid, 3 when not.\n";

/* What `weir check` counts: queues, producers and consumers always, the others when present. */
static const struct {
	const char *word;
	size_t offset;
	bool always;
} kinds[] = {
	{ "queue", offsetof(struct scenario, queues), true },
	{ "stream", offsetof(struct scenario, streams), false },
	{ "producer", offsetof(struct scenario, producers), true },
	{ "consumer", offsetof(struct scenario, consumers), true },
	{ "function", offsetof(struct scenario, functions), false },
	{ "trigger", offsetof(struct scenario, triggers), false },
	{ "topic", offsetof(struct scenario, topics), false },
};

int cmd_check(int argc, char **argv)
{
	struct cli_args a;
	struct scenario *sc;
	struct diags d = { 0 };
	char dur[32];
	size_t sweep_configs = 0, sweep_reps = 0;
	int rc = cli_parse("check", check_opts, 1, argc, argv, &a, check_usage);

	if (rc != 0)
		return rc < 0 ? WEIR_EXIT_OK : rc;
	if (a.npos != 1) {
		fprintf(stderr, "weir check: give one scenario file (see 'weir check --help')\n");
		return WEIR_EXIT_USAGE;
	}
	sc = load(a.pos[0], &a, &d);
	if (!sc) {
		diag_release(&d);
		return WEIR_EXIT_SCENARIO;
	}
	if (sc->sweep.head.node &&
	    (rc = exp_check_sweep(a.pos[0], a.sets, a.nsets, &sweep_configs, &sweep_reps)) != 0) {
		scenario_free(sc);
		diag_release(&d);
		return rc;
	}
	printf("%s: ok:", a.pos[0]);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = ((const struct vec *)((const char *)sc + kinds[i].offset))->len;

		if (n || kinds[i].always)
			printf(" %zu %s%s,", n, kinds[i].word, n == 1 ? "" : "s");
	}
	printf(" %s simulated\n", units_format_duration(sc->duration, dur, sizeof(dur)));
	if (sc->sweep.head.node)
		printf("  sweep: %zu configuration%s x %zu replication%s = %zu run%s\n", sweep_configs,
		       sweep_configs == 1 ? "" : "s", sweep_reps, sweep_reps == 1 ? "" : "s",
		       sweep_configs * sweep_reps, sweep_configs * sweep_reps == 1 ? "" : "s");
	scenario_free(sc);
	diag_release(&d);
	return rc;
}

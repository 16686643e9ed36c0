/*
 * plot.c - `weir plot RUN_DIR`: draws a run's plots with gnuplot.
 *
 * gnuplot runs as a child process with an argument vector, never through a
 * shell, on the scripts in plots/ (found next to the executable, in the
 * installed data directory, or where $WEIR_PLOTS says). Each script takes
 * its inputs as arguments (gnuplot -c SCRIPT ARG1 ARG2 ...).
 *
 * Which plots are drawn follows from resources.csv (kinds, dead_letter,
 * target), summary.csv (the whole-run ledger.* rows, and
 * NumberOfMessagesReceived, NumberOfEmptyReceives, Invocations, Throttles
 * and Attempts, which leave out a warm-up) and the header row of
 * timeseries.csv (a stream's shard columns, a topic's subscriptions);
 * docs/metrics.md ("Plots") states the same rules:
 *   - A queue is read when a receive returned anything or nothing, or a
 *     message was deleted (NumberOfMessagesReceived + NumberOfEmptyReceives
 *     + ledger.deleted > 0).
 *   - A queue is dead-letter only when it is some queue's dead-letter queue,
 *     nothing was sent to it (ledger.sent = 0) and it is not read. What
 *     happens to it (moves in, expiries, purges, redrives) is all in the
 *     dead-letters plots of its source queues, so it gets no plot of its own.
 *   - QUEUE-depth: not dead-letter only, and a message was ever stored
 *     (ledger.sent + ledger.moved_in > 0).
 *   - QUEUE-rates: not dead-letter only, and ledger.sent > 0 or it is read.
 *   - QUEUE-latency: NumberOfMessagesReceived + ledger.deleted > 0.
 *   - QUEUE-dead-letters: QUEUE has a dead-letter queue and moved a message
 *     to it (ledger.moved_to_dlq > 0).
 *   - CONSUMER-workers: always for a consumer on a queue (its source); for
 *     a consumer on a stream it does not apply (not counted as left out).
 *   - CONSUMER-records: always for a consumer on a stream (a KCL-like
 *     application); for one on a queue it does not apply. The script gets
 *     the stream and the consumer's ledger.read and ledger.held, and tells
 *     shared throughput from enhanced fan-out by the GetRecords column (a
 *     shared-throughput worker polls its shard all the time, a fan-out one
 *     never calls GetRecords).
 *   - FUNCTION-concurrency and FUNCTION-invocations: the function was invoked
 *     or throttled (ledger.invocations + Throttles > 0). The concurrency
 *     plot also gets the function's ConcurrencyLimit and
 *     ProvisionedConcurrency.
 *   - FUNCTION-duration: an invocation ran after the warm-up (Invocations > 0).
 *   - PRODUCER-calls: the producer's target is a function and it made
 *     synchronous invoke attempts after the warm-up (Attempts > 0), which
 *     only a producer that invokes a function synchronously does
 *     (asynchronous invokes make none). For other producers the plot does
 *     not apply, as the dead-letters plot does not for a queue without a
 *     dead-letter queue: it is not counted as left out. (A stream producer
 *     has Attempts too: its PutRecord and PutRecords requests.)
 *   - PRODUCER-puts: the producer's target is a stream (else it does not
 *     apply) and it made a record (ledger.produced > 0).
 *   - TRIGGER-scaling: always for a trigger on a queue (its source); for
 *     a trigger on a stream it does not apply (not counted as left out).
 *   - TRIGGER-batches: always for a trigger on a stream; for one on a queue
 *     it does not apply. The script gets the stream and the mapping's
 *     ledger.read, ledger.held, ledger.sent_on_failure and ledger.dropped.
 *   - A stream has traffic when a record was accepted or throttled
 *     (ledger.accepted + ledger.throttled > 0).
 *   - STREAM-shards: the stream has shard-level columns
 *     (STREAM.shardId-N/IncomingRecords; shard_metrics: false writes none,
 *     and then the plot does not apply) and traffic, and has at most 1,000
 *     shard column sets (more are left out: gnuplot takes minutes over
 *     them). The script gets the
 *     number of shard column sets (shardId-0 to N-1) and of readers
 *     (consumers and triggers whose source the stream is).
 *   - STREAM-throughput: the stream has traffic.
 *   - QUEUE-groups: the queue is a FIFO queue, a message was stored in it
 *     (MessageGroups > 0, a row only FIFO queues have) and it is not
 *     dead-letter only; for a standard queue it does not apply.
 *   - TOPIC-deliveries: the topic published a message (ledger.published >
 *     0). The script gets the number of its subscriptions (resources.csv
 *     does not list them: they are the columns
 *     TOPIC.SUBSCRIPTION/NumberOfNotificationsDelivered of timeseries.csv)
 *     and the names of the first PLOT_SUBS_MAX (100) of them; it draws the
 *     busiest few of those.
 * A plot left out leaves no image: an old one of its name is removed.
 *
 * run.csv's kind row says what DIR holds (docs/metrics.md, "Plots", states
 * these rules too); a directory without one is a single run:
 *   - replications (weir run --replications N): the plots above, drawn
 *     from the across-replication means of timeseries.csv (summary.csv's
 *     mean column stands in for value), and RES-band per resource: the
 *     mean of its key series (bands[]) and the confidence band between
 *     the columns NAME.ci_low and NAME.ci_high of timeseries-ci.csv. A
 *     band plot is drawn when the plot of its rule (bands[].when) is, and
 *     a series of it when its columns exist and its condition holds.
 *   - sweep: only sweep-RES-STAT, one per metric row of run.csv, from
 *     sweep.csv: the mean and its interval against the first swept
 *     parameter, one line per combination of the others (at most
 *     SWEEP_LINES_MAX lines: beyond, the third and later parameters are
 *     fixed at their first values). Its configurations are replicated run
 *     directories of their own (weir plot DIR/configs/001).
 *   - compare: the directories a/ and b/, each a replicated run directory.
 */
#include "cli.h"
#include "weir/csvr.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * The rows of summary.csv that decide which plots a queue, a function or a
 * producer gets, or that a plot shows. They are kept for every resource that
 * has a row of the name, but only the rules of its kind use them (a
 * trigger's ledger.deleted is kept and never used).
 */
enum plot_stat {
	ST_SENT, ST_MOVED_IN, ST_DELETED, ST_MOVED_TO_DLQ, ST_RECEIVED, ST_EMPTY,
	ST_LEDGER_INVOCATIONS, ST_INVOCATIONS, ST_THROTTLES, ST_LIMIT, ST_PROVISIONED,
	ST_ATTEMPTS, ST_RETRIES, ST_QUOTA, ST_PRODUCED, ST_ACCEPTED, ST_STREAM_THROTTLED,
	ST_READ, ST_HELD, ST_SENT_ON_FAILURE, ST_DROPPED, ST_PUBLISHED, ST_GROUPS, NSTATS
};

static const char *const stat_names[NSTATS] = {
	[ST_SENT] = "ledger.sent",
	[ST_MOVED_IN] = "ledger.moved_in",
	[ST_DELETED] = "ledger.deleted",
	[ST_MOVED_TO_DLQ] = "ledger.moved_to_dlq",
	[ST_RECEIVED] = "NumberOfMessagesReceived",
	[ST_EMPTY] = "NumberOfEmptyReceives",
	[ST_LEDGER_INVOCATIONS] = "ledger.invocations",
	[ST_INVOCATIONS] = "Invocations",
	[ST_THROTTLES] = "Throttles",
	[ST_LIMIT] = "ConcurrencyLimit",
	[ST_PROVISIONED] = "ProvisionedConcurrency",
	[ST_ATTEMPTS] = "Attempts",
	[ST_RETRIES] = "Retries",
	[ST_QUOTA] = "RetryQuotaExhausted",
	[ST_PRODUCED] = "ledger.produced",
	[ST_ACCEPTED] = "ledger.accepted",
	[ST_STREAM_THROTTLED] = "ledger.throttled",
	[ST_READ] = "ledger.read",
	[ST_HELD] = "ledger.held",
	[ST_SENT_ON_FAILURE] = "ledger.sent_on_failure",
	[ST_DROPPED] = "ledger.dropped",
	[ST_PUBLISHED] = "ledger.published",
	[ST_GROUPS] = "MessageGroups",
};

struct res {
	char *name, *kind, *dlq;
	char *target;          /* a producer's target, a consumer's or trigger's source; "" if none */
	const char *target_kind; /* the target's kind in resources.csv; "" if none */
	double st[NSTATS];     /* from summary.csv; 0 where it has no row */
	int sources;           /* queues whose dead-letter queue this is */
	int readers;           /* consumers and triggers whose source this is */
	int shards;            /* a stream's shard-level column sets in timeseries.csv */
	int subs;              /* a topic's subscriptions in timeseries.csv */
	char *sub_names;       /* the first PLOT_SUBS_MAX of them, joined by ','; NULL if none */
};

/* Most subscriptions of a topic whose names the deliveries plot gets (each costs gnuplot ~10 passes). */
#define PLOT_SUBS_MAX 100

#define MAX_RES 4096

static void free_res(struct res *r, long n)
{
	for (long i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].kind);
		free(r[i].dlq);
		free(r[i].target);
		free(r[i].sub_names);
	}
}

/*
 * Calls row(cells, ctx) for every row of DIR/FILE's columns (NULL-terminated,
 * at most 4) until it returns nonzero; returns 0, or -1 with a message in err.
 */
static int read_csv(const char *dir, const char *file, const char *const *columns,
		    int (*row)(const char **cells, void *ctx), void *ctx, char *err, size_t n)
{
	const struct csvr_opts o = { .columns = columns };
	char *path = weir_asprintf("%s/%s", dir, file);
	struct csvr *r = csvr_open(path, &o, err, n);
	const char *cells[4];
	unsigned long line;
	int rc = -1;

	free(path);
	while (r && (rc = csvr_next(r, cells, &line, err, n)) == 1 && row(cells, ctx) == 0)
		;
	csvr_close(r);
	return rc < 0 ? -1 : 0;
}

struct resources {
	struct res *r;
	long n;
	long last;             /* the resource of the previous summary row */
};

static int resource_row(const char **cells, void *ctx)
{
	struct resources *rs = ctx;
	struct res *r = &rs->r[rs->n++];

	memset(r, 0, sizeof(*r));
	r->name = weir_strdup(cells[0]);
	r->kind = weir_strdup(cells[1]);
	r->dlq = weir_strdup(cells[2]);
	r->target = weir_strdup(cells[3]);
	r->target_kind = "";
	return rs->n == MAX_RES;
}

static long find_res(struct resources *rs, const char *name)
{
	if (rs->last < rs->n && strcmp(rs->r[rs->last].name, name) == 0)
		return rs->last;   /* summary.csv lists a resource's rows together */
	for (long i = 0; i < rs->n; i++)
		if (strcmp(rs->r[i].name, name) == 0)
			return rs->last = i;
	return -1;
}

static int summary_row(const char **cells, void *ctx)
{
	struct resources *rs = ctx;
	long i;

	for (int s = 0; s < NSTATS; s++)
		if (strcmp(cells[1], stat_names[s]) == 0 && (i = find_res(rs, cells[0])) >= 0)
			rs->r[i].st[s] = strtod(cells[2], NULL);
	return 0;
}

/* Whether column c ends in suffix (and has something before it). */
static bool ends_with(const char *c, const char *suffix)
{
	size_t len = strlen(c), n = strlen(suffix);

	return len > n && strcmp(c + len - n, suffix) == 0;
}

/* Counts a "STREAM.shardId-N/IncomingRecords" column (its suffix cut off: c is "STREAM.shardId-N"). */
static void add_shard(struct resources *rs, char *c)
{
	char *id = strstr(c, ".shardId-");
	long i;

	while (id && strstr(id + 1, ".shardId-"))   /* a stream's name may hold one */
		id = strstr(id + 1, ".shardId-");
	if (!id)
		return;
	*id = '\0';
	if ((i = find_res(rs, c)) >= 0 && strcmp(rs->r[i].kind, "stream") == 0)
		rs->r[i].shards++;
}

/*
 * Counts a "TOPIC.SUBSCRIPTION/NumberOfNotificationsDelivered" column (c is
 * "TOPIC.SUBSCRIPTION") and keeps the first PLOT_SUBS_MAX names. Both names
 * may hold '.': the longest topic that is a prefix wins.
 */
static void add_subscription(struct resources *rs, char *c)
{
	struct res *t;
	long i = -1;

	for (char *dot = c + strlen(c) - 1; dot > c && i < 0; dot--) {
		if (*dot != '.' || !dot[1])
			continue;
		*dot = '\0';
		if ((i = find_res(rs, c)) >= 0 && strcmp(rs->r[i].kind, "topic") != 0)
			i = -1;
		*dot = '.';
	}
	if (i < 0)
		return;
	t = &rs->r[i];
	if (t->subs++ < PLOT_SUBS_MAX) {
		char *names = t->sub_names ? weir_asprintf("%s,%s", t->sub_names, c + strlen(t->name) + 1)
					   : weir_strdup(c + strlen(t->name) + 1);

		free(t->sub_names);
		t->sub_names = names;
	}
}

/*
 * Reads the header row of DIR/timeseries.csv: counts each stream's
 * shard-level column sets (one "STREAM.shardId-N/IncomingRecords" column
 * per shard the run ever opened) and each topic's subscriptions (one
 * "TOPIC.SUBSCRIPTION/NumberOfNotificationsDelivered" column each). Returns
 * 0, or -1 with a message in err.
 */
static char *read_header(const char *dir, const char *file, char *err, size_t n);

static int count_columns(const char *dir, struct resources *rs, char *err, size_t n)
{
	static const char shard[] = "/IncomingRecords", sub[] = "/NumberOfNotificationsDelivered";
	char *line = read_header(dir, "timeseries.csv", err, n), *save = NULL;

	if (!line)
		return -1;
	for (char *c = strtok_r(line, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		if (ends_with(c, shard)) {
			c[strlen(c) - (sizeof(shard) - 1)] = '\0';
			add_shard(rs, c);
		} else if (ends_with(c, sub)) {
			c[strlen(c) - (sizeof(sub) - 1)] = '\0';
			add_subscription(rs, c);
		}
	}
	free(line);
	return 0;
}

/*
 * Reads DIR/resources.csv (up to MAX_RES rows), the rows of DIR/summary.csv
 * that decide the plots (their column value_col: "value" in a single run,
 * "mean" in a replicated one) and the shard and subscription columns of
 * DIR/timeseries.csv into rs; returns 0, or -1 with a message in err and
 * nothing kept.
 */
static int read_run(const char *dir, const char *value_col, struct resources *rs, char *err, size_t n)
{
	static const char *const res_cols[] = { "resource", "kind", "dead_letter", "target", NULL };
	const char *const sum_cols[] = { "resource", "statistic", value_col, NULL };
	long d;

	rs->n = rs->last = 0;
	if (read_csv(dir, "resources.csv", res_cols, resource_row, rs, err, n) != 0 ||
	    read_csv(dir, "summary.csv", sum_cols, summary_row, rs, err, n) != 0 ||
	    count_columns(dir, rs, err, n) != 0) {
		free_res(rs->r, rs->n);
		return -1;
	}
	for (long i = 0; i < rs->n; i++) {
		struct res *r = &rs->r[i];

		if (r->dlq[0] && (d = find_res(rs, r->dlq)) >= 0)
			rs->r[d].sources++;
		if (r->target[0] && (d = find_res(rs, r->target)) >= 0) {
			r->target_kind = rs->r[d].kind;
			if (strcmp(r->kind, "producer") != 0)
				rs->r[d].readers++;
		}
	}
	return 0;
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Whether dir holds the scripts: a directory named plots is not enough (a
 * build directory build/plots/ is build/plots/weir's ../plots).
 */
static bool has_scripts(const char *dir)
{
	char *common = weir_asprintf("%s/common.gp", dir);
	bool yes = access(common, R_OK) == 0;

	free(common);
	return yes;
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
		if (!found && *exe && has_scripts(cands[i]))
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

/* Which resources a plot is for. */
/* Most shard column sets the shards plot reads (a 10,000-shard stream would take gnuplot minutes). */
#define PLOT_SHARDS_MAX 1000

enum when {
	W_DEPTH, W_RATES, W_LATENCY, W_DEAD_LETTERS, W_CONSUMER, W_STREAM_CONSUMER,
	W_FN_CONCURRENCY, W_FN_INVOCATIONS, W_FN_DURATION, W_PRODUCER_CALLS, W_PRODUCER_PUTS,
	W_TRIGGER, W_TRIGGER_STREAM, W_STREAM_SHARDS, W_STREAM_THROUGHPUT, W_TOPIC, W_GROUPS
};

struct plot_job {
	const char *kind;     /* of the resources it is for, as in resources.csv */
	const char *script;   /* file in plots/ */
	const char *suffix;   /* of the image: NAME-suffix.png */
	enum when when;
};

static const struct plot_job jobs[] = {
	{ "queue", "queue-depth.gp", "depth", W_DEPTH },
	{ "queue", "queue-rates.gp", "rates", W_RATES },
	{ "queue", "queue-latency.gp", "latency", W_LATENCY },
	{ "queue", "queue-dead-letters.gp", "dead-letters", W_DEAD_LETTERS },
	{ "queue", "queue-groups.gp", "groups", W_GROUPS },
	{ "consumer", "consumer.gp", "workers", W_CONSUMER },
	{ "consumer", "stream-consumer.gp", "records", W_STREAM_CONSUMER },
	{ "function", "function-concurrency.gp", "concurrency", W_FN_CONCURRENCY },
	{ "function", "function-invocations.gp", "invocations", W_FN_INVOCATIONS },
	{ "function", "function-duration.gp", "duration", W_FN_DURATION },
	{ "producer", "producer-calls.gp", "calls", W_PRODUCER_CALLS },
	{ "producer", "producer-puts.gp", "puts", W_PRODUCER_PUTS },
	{ "trigger", "trigger.gp", "scaling", W_TRIGGER },
	{ "trigger", "trigger-stream.gp", "batches", W_TRIGGER_STREAM },
	{ "stream", "stream-shards.gp", "shards", W_STREAM_SHARDS },
	{ "stream", "stream-throughput.gp", "throughput", W_STREAM_THROUGHPUT },
	{ "topic", "topic.gp", "deliveries", W_TOPIC },
};

/* 1 when job j is drawn for resource r, 0 when left out, -1 when it is not for r's kind (the rules above). */
static int wanted(const struct res *r, const struct plot_job *j)
{
	const double *s = r->st;
	bool read = s[ST_RECEIVED] + s[ST_EMPTY] + s[ST_DELETED] > 0;
	bool dlq_only = r->sources > 0 && s[ST_SENT] == 0 && !read;
	bool traffic = s[ST_ACCEPTED] + s[ST_STREAM_THROTTLED] > 0;   /* of a stream */
	bool on_stream = strcmp(r->target_kind, "stream") == 0;        /* a trigger's or consumer's source */

	if (strcmp(r->kind, j->kind) != 0)
		return -1;
	switch (j->when) {
	case W_DEPTH:
		return !dlq_only && s[ST_SENT] + s[ST_MOVED_IN] > 0;
	case W_RATES:
		return !dlq_only && (s[ST_SENT] > 0 || read);
	case W_LATENCY:
		return s[ST_RECEIVED] + s[ST_DELETED] > 0;
	case W_DEAD_LETTERS:
		return r->dlq[0] ? s[ST_MOVED_TO_DLQ] > 0 : -1;
	case W_FN_CONCURRENCY:
	case W_FN_INVOCATIONS:
		return s[ST_LEDGER_INVOCATIONS] + s[ST_THROTTLES] > 0;
	case W_FN_DURATION:
		return s[ST_INVOCATIONS] > 0;
	case W_PRODUCER_CALLS:
		return strcmp(r->target_kind, "function") == 0 && s[ST_ATTEMPTS] > 0 ? 1 : -1;
	case W_PRODUCER_PUTS:
		return strcmp(r->target_kind, "stream") == 0 ? s[ST_PRODUCED] > 0 : -1;
	case W_STREAM_SHARDS:
		/* Beyond PLOT_SHARDS_MAX shards gnuplot takes minutes over the image: left out. */
		return r->shards > 0 ? traffic && r->shards <= PLOT_SHARDS_MAX : -1;
	case W_STREAM_THROUGHPUT:
		return traffic;
	case W_TRIGGER:
		return on_stream ? -1 : 1;
	case W_TRIGGER_STREAM:
		return on_stream ? 1 : -1;
	case W_CONSUMER:
		return on_stream ? -1 : 1;
	case W_STREAM_CONSUMER:
		return on_stream ? 1 : -1;
	case W_TOPIC:
		return s[ST_PUBLISHED] > 0;
	case W_GROUPS:
		return s[ST_GROUPS] > 0 ? !dlq_only : -1;
	default:
		return -1;
	}
}

/*
 * The script's arguments: DATA NAME IMAGE FORMAT, then for dead letters DLQ
 * and its number of sources; for a function's concurrency its concurrency
 * limit and provisioned concurrency; for a stream's shards the number of
 * shard column sets and of readers; for a stream's throughput its readers;
 * for a producer's puts its stream, Attempts, Retries and
 * RetryQuotaExhausted; for a trigger on a stream the stream, ledger.read,
 * ledger.held, ledger.sent_on_failure and ledger.dropped; for a consumer on a
 * stream the stream, ledger.read and ledger.held; for a topic the number of
 * its subscriptions and the first PLOT_SUBS_MAX of their names joined by ','
 * (a subscription name holds no ','; one argument, as gnuplot -c takes at
 * most nine).
 */
static int draw(const char *dir, const char *scripts, const struct res *r, const struct res *dlq,
		const struct plot_job *j, const char *image, const char *format)
{
	char *script = weir_asprintf("%s/%s", scripts, j->script);
	char *data = weir_asprintf("%s/timeseries.csv", dir);
	char *extra[5] = { NULL, NULL, NULL, NULL, NULL };
	char *args[9] = { data, r->name, (char *)(uintptr_t)image, (char *)(uintptr_t)format };
	size_t nextra = 0;
	int rc;

	if (j->when == W_DEAD_LETTERS) {
		extra[nextra++] = weir_strdup(r->dlq);
		extra[nextra++] = weir_asprintf("%d", dlq ? dlq->sources : 0);
	} else if (j->when == W_FN_CONCURRENCY) {
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_LIMIT]);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_PROVISIONED]);
	} else if (j->when == W_STREAM_SHARDS) {
		extra[nextra++] = weir_asprintf("%d", r->shards);
		extra[nextra++] = weir_asprintf("%d", r->readers);
	} else if (j->when == W_STREAM_THROUGHPUT) {
		extra[nextra++] = weir_asprintf("%d", r->readers);
	} else if (j->when == W_PRODUCER_PUTS) {
		extra[nextra++] = weir_strdup(r->target);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_ATTEMPTS]);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_RETRIES]);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_QUOTA]);
	} else if (j->when == W_TRIGGER_STREAM) {
		extra[nextra++] = weir_strdup(r->target);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_READ]);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_HELD]);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_SENT_ON_FAILURE]);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_DROPPED]);
	} else if (j->when == W_STREAM_CONSUMER) {
		extra[nextra++] = weir_strdup(r->target);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_READ]);
		extra[nextra++] = weir_asprintf("%.0f", r->st[ST_HELD]);
	} else if (j->when == W_TOPIC) {
		extra[nextra++] = weir_asprintf("%d", r->subs);
		extra[nextra++] = weir_strdup(r->sub_names ? r->sub_names : "");
	}
	for (size_t i = 0; i < nextra; i++)
		args[4 + i] = extra[i];
	rc = gnuplot(script, args, 4 + nextra);
	free(script);
	free(data);
	for (size_t i = 0; i < nextra; i++)
		free(extra[i]);
	return rc;
}

/* An image of a plot left out: an old one of its name goes. */
static void remove_old(const char *image)
{
	if (unlink(image) != 0 && errno != ENOENT)
		fprintf(stderr, "weir: warning: cannot remove the old '%s': %s\n", image, strerror(errno));
}

/* Creates DIR/plots; returns its path, or NULL after a message. */
static char *plots_dir(const char *dir)
{
	char *plots = weir_asprintf("%s/plots", dir);

	if (mkdir(plots, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "weir: error: cannot create '%s': %s\n", plots, strerror(errno));
		free(plots);
		return NULL;
	}
	return plots;
}

/* ---- What a directory holds: run.csv ------------------------------------------ */

/* Most swept parameters a sweep plot tells apart, and metric rows it reads. */
#define PLOT_PARAMS_MAX 8
#define PLOT_METRICS_MAX 64

struct run_info {
	char *kind;               /* run.csv's kind row; "" for a single run */
	int replications;         /* of a replicated run; 0 if not given */
	double confidence;        /* of the intervals; 0.95 if not given */
	double warmup_s;          /* the scenario's warm-up; 0 if not given */
	char *params[PLOT_PARAMS_MAX]; /* a sweep's parameter rows, in order */
	int nparams;              /* parameter rows, also those beyond PLOT_PARAMS_MAX */
	char *metrics[PLOT_METRICS_MAX]; /* metric rows (RES/STAT); later ones are dropped */
	int nmetrics;
};

static int run_info_row(const char **cells, void *ctx)
{
	struct run_info *ri = ctx;
	const char *k = cells[0], *v = cells[1];

	if (strcmp(k, "kind") == 0) {
		free(ri->kind);
		ri->kind = weir_strdup(v);
	} else if (strcmp(k, "replications") == 0) {
		ri->replications = (int)strtol(v, NULL, 10);
	} else if (strcmp(k, "confidence") == 0) {
		ri->confidence = strtod(v, NULL);
	} else if (strcmp(k, "warmup_s") == 0) {
		ri->warmup_s = strtod(v, NULL);
	} else if (strcmp(k, "parameter") == 0) {
		if (ri->nparams < PLOT_PARAMS_MAX)
			ri->params[ri->nparams] = weir_strdup(v);
		ri->nparams++;
	} else if (strcmp(k, "metric") == 0 && ri->nmetrics < PLOT_METRICS_MAX) {
		ri->metrics[ri->nmetrics++] = weir_strdup(v);
	}
	return 0;
}

static void run_info_release(struct run_info *ri)
{
	free(ri->kind);
	for (int i = 0; i < ri->nparams && i < PLOT_PARAMS_MAX; i++)
		free(ri->params[i]);
	for (int i = 0; i < ri->nmetrics; i++)
		free(ri->metrics[i]);
}

/*
 * Reads DIR/run.csv into ri (release it with run_info_release, also after
 * an error). A directory without run.csv is taken for a single run, as
 * weir's runs before experiments wrote none. Returns 0, or -1 with a
 * message in err.
 */
static int read_run_info(const char *dir, struct run_info *ri, char *err, size_t n)
{
	static const char *const cols[] = { "key", "value", NULL };
	char *path = weir_asprintf("%s/run.csv", dir);
	int rc = 0;

	memset(ri, 0, sizeof(*ri));
	ri->confidence = 0.95;
	if (access(path, F_OK) == 0 || errno != ENOENT)
		rc = read_csv(dir, "run.csv", cols, run_info_row, ri, err, n);
	if (!ri->kind)
		ri->kind = weir_strdup("");
	free(path);
	return rc;
}

/* ---- Band plots of a replicated run ----------------------------------------------- */

#define BAND_SERIES_MAX 4   /* panels band.gp draws */

/* When a band plot's series is drawn (besides its columns existing). */
enum band_if { B_ALWAYS, B_THROTTLED, B_STREAM_THROTTLED, B_READ };

struct band_series {
	const char *metric;   /* its column of timeseries.csv is NAME/metric */
	char type;            /* band.gp's TYPE: n a level, r a count per period, s or m an age in s or ms */
	enum band_if cond;
};

struct band_job {
	const char *kind;     /* of the resources it is for */
	enum when when;       /* drawn when the plot of this rule is (wanted()) */
	struct band_series s[BAND_SERIES_MAX];
};

/* The key series of each kind; a consumer's and a trigger's by their source's kind. */
static const struct band_job bands[] = {
	{ "queue", W_DEPTH, { { "ApproximateNumberOfMessagesVisible", 'n', B_ALWAYS },
			      { "ApproximateAgeOfOldestMessage", 's', B_ALWAYS } } },
	{ "function", W_FN_CONCURRENCY, { { "ConcurrentExecutions", 'n', B_ALWAYS },
					  { "Throttles", 'r', B_THROTTLED } } },
	{ "stream", W_STREAM_THROUGHPUT, { { "IncomingRecords", 'r', B_ALWAYS },
					   { "WriteProvisionedThroughputExceeded", 'r', B_STREAM_THROTTLED },
					   { "GetRecords.IteratorAgeMilliseconds", 'm', B_READ } } },
	{ "consumer", W_CONSUMER, { { "BusyWorkers", 'n', B_ALWAYS },
				    { "MessagesProcessed", 'r', B_ALWAYS } } },
	{ "consumer", W_STREAM_CONSUMER, { { "BusyWorkers", 'n', B_ALWAYS },
					   { "RecordsProcessed", 'r', B_ALWAYS },
					   { "MillisBehindLatest.max", 'm', B_ALWAYS } } },
	{ "trigger", W_TRIGGER, { { "Pollers", 'n', B_ALWAYS }, { "Batches", 'r', B_ALWAYS } } },
	{ "trigger", W_TRIGGER_STREAM, { { "ConcurrentBatches", 'n', B_ALWAYS },
					 { "Batches", 'r', B_ALWAYS },
					 { "IteratorAge.max", 'm', B_ALWAYS } } },
};

static bool band_cond(const struct res *r, enum band_if c)
{
	switch (c) {
	case B_THROTTLED:
		return r->st[ST_THROTTLES] > 0;
	case B_STREAM_THROTTLED:
		return r->st[ST_STREAM_THROTTLED] > 0;
	case B_READ:
		return r->readers > 0;
	default:
		return true;
	}
}

/*
 * The header row of DIR/FILE as ",col1,col2,...," (for has_column), or
 * NULL with a message in err.
 */
static char *read_header(const char *dir, const char *file, char *err, size_t n)
{
	char *path = weir_asprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "r");
	char *line = NULL, *hdr = NULL;
	size_t cap = 0;

	if (f && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		hdr = weir_asprintf(",%s,", line);
	} else {
		snprintf(err, n, "cannot read the header row of %s: %s", path,
			 f && !ferror(f) ? "the file is empty" : strerror(errno));
	}
	if (f)
		fclose(f);
	free(line);
	free(path);
	return hdr;
}

/* Whether header hdr (from read_header) has the column NAME/METRICsuffix. */
static bool has_column(const char *hdr, const char *name, const char *metric, const char *suffix)
{
	char *c = weir_asprintf(",%s/%s%s,", name, metric, suffix);
	bool yes = strstr(hdr, c) != NULL;

	free(c);
	return yes;
}

/*
 * band.gp's SERIES for r: "METRIC:TYPE ..." of the series of b whose
 * condition holds and whose mean and band columns exist; NULL if none.
 */
static char *band_series(const struct band_job *b, const struct res *r, const char *hdr, const char *ci_hdr)
{
	char *list = NULL, *l;

	for (int i = 0; i < BAND_SERIES_MAX && b->s[i].metric; i++) {
		const struct band_series *s = &b->s[i];

		if (!band_cond(r, s->cond) || !has_column(hdr, r->name, s->metric, "") ||
		    !has_column(ci_hdr, r->name, s->metric, ".ci_low") ||
		    !has_column(ci_hdr, r->name, s->metric, ".ci_high"))
			continue;
		l = list ? weir_asprintf("%s %s:%c", list, s->metric, s->type)
			 : weir_asprintf("%s:%c", s->metric, s->type);
		free(list);
		list = l;
	}
	return list;
}

/* Runs band.gp for r: DATA NAME IMAGE FORMAT KIND SERIES REPLICATIONS LEVEL WARMUP. */
static int draw_band(const char *dir, const char *scripts, const struct res *r, const char *series,
		     const struct run_info *ri, const char *image, const char *format)
{
	char *script = weir_asprintf("%s/band.gp", scripts);
	char *data = weir_asprintf("%s/timeseries.csv", dir);
	char *reps = weir_asprintf("%d", ri->replications);
	char *level = weir_asprintf("%g", ri->confidence);
	char *warmup = weir_asprintf("%g", ri->warmup_s);
	char *args[9] = { data, r->name, (char *)(uintptr_t)image, (char *)(uintptr_t)format, r->kind,
			  (char *)(uintptr_t)series, reps, level, warmup };
	int rc = gnuplot(script, args, 9);

	free(script);
	free(data);
	free(reps);
	free(level);
	free(warmup);
	return rc;
}

/* The counts a directory's message gives. */
struct tally {
	int drawn, left_out;
};

/*
 * Draws r's band plot by the rules of bands[] into PLOTS (hdr and ci_hdr:
 * the header rows of timeseries.csv and timeseries-ci.csv); returns 0 or
 * an exit code after a message.
 */
static int plot_bands(const char *dir, const char *scripts, const char *plots, const struct res *r,
		      const struct run_info *ri, const char *hdr, const char *ci_hdr, const char *format,
		      struct tally *t)
{
	int rc = 0;

	for (size_t j = 0; j < sizeof(bands) / sizeof(bands[0]) && rc == 0; j++) {
		const struct plot_job gate = { bands[j].kind, NULL, NULL, bands[j].when };
		int want = wanted(r, &gate);
		char *series = want == 1 ? band_series(&bands[j], r, hdr, ci_hdr) : NULL;
		char *image = weir_asprintf("%s/%s-band.%s", plots, r->name, format);

		if (series && (rc = draw_band(dir, scripts, r, series, ri, image, format)) == 0)
			t->drawn++;
		if (want == 0 || (want == 1 && !series)) {
			t->left_out++;
			remove_old(image);
		}
		free(series);
		free(image);
	}
	return rc;
}

/* ---- Single and replicated runs ------------------------------------------------------ */

/* Draws r's plots by the rules of jobs[]; returns 0 or an exit code after a message. */
static int plot_resource(const char *dir, const char *scripts, const char *plots, struct resources *rs,
			 long i, const char *format, struct tally *t)
{
	const struct res *r = &rs->r[i];
	long d = r->dlq[0] ? find_res(rs, r->dlq) : -1;
	int rc = 0;

	for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]) && rc == 0; j++) {
		int want = wanted(r, &jobs[j]);
		char *image = weir_asprintf("%s/%s-%s.%s", plots, r->name, jobs[j].suffix, format);

		if (want == 1 && (rc = draw(dir, scripts, r, d >= 0 ? &rs->r[d] : NULL, &jobs[j], image,
					    format)) == 0)
			t->drawn++;
		if (want == 0) {
			t->left_out++;
			remove_old(image);
		}
		free(image);
	}
	return rc;
}

/*
 * The header rows band plots look up columns in, into *hdr and *ci_hdr;
 * both NULL after a warning (the other plots are still drawn) when one
 * cannot be read.
 */
static void band_headers(const char *dir, char **hdr, char **ci_hdr)
{
	char err[512];

	*ci_hdr = NULL;
	if (!(*hdr = read_header(dir, "timeseries.csv", err, sizeof(err))) ||
	    !(*ci_hdr = read_header(dir, "timeseries-ci.csv", err, sizeof(err)))) {
		fprintf(stderr, "weir: warning: no band plots: %s\n", err);
		free(*hdr);
		*hdr = NULL;
	}
}

/* The plots of a single run or a replicated run in DIR (the rules at the top). */
static int plot_runs(const char *dir, const char *scripts, const struct run_info *ri, const char *format,
		     bool quiet)
{
	static struct res res[MAX_RES];
	struct resources rs = { .r = res };
	bool replicated = strcmp(ri->kind, "replications") == 0;
	char err[512], *plots, *hdr = NULL, *ci_hdr = NULL;
	struct tally t = { 0, 0 };
	int rc = 0;

	if (read_run(dir, replicated ? "mean" : "value", &rs, err, sizeof(err)) != 0) {
		fprintf(stderr, "weir: error: %s is not a weir run directory: %s\n", dir, err);
		return WEIR_EXIT_IO;
	}
	if (!(plots = plots_dir(dir))) {
		free_res(res, rs.n);
		return WEIR_EXIT_IO;
	}
	if (replicated)
		band_headers(dir, &hdr, &ci_hdr);
	for (long i = 0; i < rs.n && rc == 0; i++) {
		rc = plot_resource(dir, scripts, plots, &rs, i, format, &t);
		if (rc == 0 && hdr)
			rc = plot_bands(dir, scripts, plots, &res[i], ri, hdr, ci_hdr, format, &t);
	}
	if (rc == 0 && !quiet && t.left_out > 0)
		printf("  %d plots in %s/ (%d left out: nothing to draw, or drawn in a dead-letters plot)\n",
		       t.drawn, plots, t.left_out);
	else if (rc == 0 && !quiet)
		printf("  %d plots in %s/\n", t.drawn, plots);
	free_res(res, rs.n);
	free(hdr);
	free(ci_hdr);
	free(plots);
	return rc;
}

/* ---- Sweeps ------------------------------------------------------------------------------ */

/* Most lines of a sweep plot before the third and later parameters are fixed (colours stay apart). */
#define SWEEP_LINES_MAX 8

/* One configuration's value of the plotted statistic (a row of sweep.csv). */
struct sweep_pt {
	long config;
	char *v[PLOT_PARAMS_MAX];  /* its parameters' values */
	double mean, lo, hi;       /* lo = hi = mean when sweep.csv has no interval */
	long reps;
	long x, line;              /* indexes of its first parameter's value and of its line */
};

struct sweep {
	struct vec pts;            /* of struct sweep_pt */
	int np;                    /* swept parameters */
	char unit[32];             /* sweep.csv's unit of the statistic */
};

static void sweep_release(struct sweep *sw)
{
	for (size_t i = 0; i < sw->pts.len; i++)
		for (int k = 0; k < sw->np; k++)
			free(VEC_AT(&sw->pts, struct sweep_pt, i)->v[k]);
	vec_release(&sw->pts);
}

/* A cell of sweep.csv as a number; NaN when it is empty (no value). */
static double cell_num(const char *c)
{
	char *end;
	double v = strtod(c, &end);

	return end != c && *end == '\0' && isfinite(v) ? v : NAN;
}

/*
 * Reads the rows of DIR/sweep.csv whose resource is res and statistic stat
 * (those with a mean) into sw; returns 0, or -1 with a message in err.
 */
static int read_sweep(const char *dir, const struct run_info *ri, const char *res, const char *stat,
		      struct sweep *sw, char *err, size_t n)
{
	const char *cols[PLOT_PARAMS_MAX + 9], *cells[PLOT_PARAMS_MAX + 8], **c;
	struct csvr_opts o = { .columns = cols };
	char *path = weir_asprintf("%s/sweep.csv", dir);
	struct csvr *r;
	unsigned long line;
	size_t k = 0;
	int rc = -1;

	cols[k++] = "config";
	for (int i = 0; i < ri->nparams; i++)
		cols[k++] = ri->params[i];
	cols[k++] = "resource", cols[k++] = "statistic", cols[k++] = "unit", cols[k++] = "replications";
	cols[k++] = "mean", cols[k++] = "ci_low", cols[k++] = "ci_high", cols[k] = NULL;
	sw->np = ri->nparams;
	r = csvr_open(path, &o, err, n);
	free(path);
	while (r && (rc = csvr_next(r, cells, &line, err, n)) == 1) {
		struct sweep_pt *p;
		double mean;

		c = cells + 1 + sw->np;   /* resource, statistic, unit, ... */
		if (strcmp(c[0], res) != 0 || strcmp(c[1], stat) != 0 || isnan(mean = cell_num(c[4])))
			continue;
		p = vec_push(&sw->pts, sizeof(*p));
		p->config = strtol(cells[0], NULL, 10);
		for (int i = 0; i < sw->np; i++)
			p->v[i] = weir_strdup(cells[1 + i]);
		p->mean = mean;
		p->lo = isnan(cell_num(c[5])) ? mean : cell_num(c[5]);
		p->hi = isnan(cell_num(c[6])) ? mean : cell_num(c[6]);
		p->reps = strtol(c[3], NULL, 10);
		snprintf(sw->unit, sizeof(sw->unit), "%s", c[2]);
	}
	csvr_close(r);
	return rc == 0 ? 0 : -1;
}

/* The index of s among the first n strings of list, or -1. */
static long find_str(char *const *list, long n, const char *s)
{
	for (long i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

/* The values of parameters from to to - 1 of p, joined by ", " (a new string). */
static char *join_values(const struct sweep_pt *p, int from, int to)
{
	char *s = weir_strdup(""), *t;

	for (int k = from; k < to; k++) {
		t = weir_asprintf("%s%s%s", s, k > from ? ", " : "", p->v[k]);
		free(s);
		s = t;
	}
	return s;
}

/* Whether p and q have the same values of parameters from to to - 1. */
static bool same_values(const struct sweep_pt *p, const struct sweep_pt *q, int from, int to)
{
	for (int k = from; k < to; k++)
		if (strcmp(p->v[k], q->v[k]) != 0)
			return false;
	return true;
}

/*
 * Gives every point its line: the index, in configuration order, of its
 * values of parameters 2 to last - 1, or -1 (not drawn) when its
 * parameters from last on are not at the first point's values. Returns
 * the number of lines.
 */
static long assign_lines(struct sweep *sw, int last)
{
	size_t n = sw->pts.len;
	const struct sweep_pt *p0 = VEC_AT(&sw->pts, struct sweep_pt, 0);
	char **keys = weir_calloc(n, sizeof(*keys));
	long nlines = 0;

	for (size_t i = 0; i < n; i++) {
		struct sweep_pt *p = VEC_AT(&sw->pts, struct sweep_pt, i);
		char *key = join_values(p, 1, last);

		if (!same_values(p, p0, last, sw->np)) {
			p->line = -1;
		} else if ((p->line = find_str(keys, nlines, key)) < 0) {
			keys[nlines] = key;
			key = NULL;
			p->line = nlines++;
		}
		free(key);
	}
	for (long i = 0; i < nlines; i++)
		free(keys[i]);
	free(keys);
	return nlines;
}

/* Gives every drawn point its x: the index of its first parameter's value in configuration order. */
static void assign_x(struct sweep *sw)
{
	char **xs = weir_calloc(sw->pts.len, sizeof(*xs));
	long nx = 0;

	for (size_t i = 0; i < sw->pts.len; i++) {
		struct sweep_pt *p = VEC_AT(&sw->pts, struct sweep_pt, i);

		if (p->line >= 0 && (p->x = find_str(xs, nx, p->v[0])) < 0) {
			xs[nx] = p->v[0];
			p->x = nx++;
		}
	}
	free(xs);
}

/*
 * The lines of the plot: one per combination of the second and later
 * parameters, or, when that is more than SWEEP_LINES_MAX, one per value of
 * the second with the later ones at their first values (*last becomes 2,
 * else it is the number of parameters). Returns the number of lines.
 */
static long sweep_layout(struct sweep *sw, int *last)
{
	long nlines;

	*last = sw->np;
	nlines = assign_lines(sw, sw->np);
	if (nlines > SWEEP_LINES_MAX && sw->np > 2) {
		*last = 2;
		nlines = assign_lines(sw, 2);
	}
	return nlines;
}

/* Whether every drawn point's first parameter is a number (a numeric x axis). */
static bool numeric_x(const struct sweep *sw)
{
	for (size_t i = 0; i < sw->pts.len; i++) {
		const struct sweep_pt *p = VEC_AT(&sw->pts, const struct sweep_pt, i);

		if (p->line >= 0 && isnan(cell_num(p->v[0])))
			return false;
	}
	return true;
}

/* By line, then x (the data file's blocks are lines). */
static int by_line_x(const void *a, const void *b)
{
	const struct sweep_pt *p = a, *q = b;

	if (p->line != q->line)
		return p->line < q->line ? -1 : 1;
	return p->x < q->x ? -1 : p->x > q->x;
}

/* Writes s to f with the characters that would split a cell of the data file (tabs, newlines, quotes) as blanks. */
static void put_label(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(strchr("\t\r\n\"", *s) ? ' ' : *s, f);
}

/*
 * Writes sweep.gp's data file (its comment says the format) to f: the drawn
 * points, sorted by line and x.
 */
static void write_sweep_data(FILE *f, struct sweep *sw, int last, bool numeric)
{
	long line = -1;

	qsort(sw->pts.items, sw->pts.len, sizeof(struct sweep_pt), by_line_x);
	for (size_t i = 0; i < sw->pts.len; i++) {
		const struct sweep_pt *p = VEC_AT(&sw->pts, const struct sweep_pt, i);
		char *key;

		if (p->line < 0)
			continue;
		if (line >= 0 && p->line != line)
			fputs("\n\n", f);
		line = p->line;
		fprintf(f, "%ld\t%ld\t%.17g\t%.17g\t%.17g\t%.17g\t", p->line, p->x,
			numeric ? cell_num(p->v[0]) : (double)p->x, p->mean, p->lo, p->hi);
		put_label(f, p->v[0]);
		fputc('\t', f);
		key = join_values(p, 1, last);
		put_label(f, *key ? key : "mean");
		fputc('\n', f);
		free(key);
	}
}

/* "sweep-RES-STAT.FORMAT" in plots, with '/' as '-' and characters unsafe in a file name as '_'. */
static char *sweep_image(const char *plots, const char *metric, const char *format)
{
	char *name = weir_strdup(metric), *image;

	for (char *c = name; *c; c++) {
		if (*c == '/')
			*c = '-';
		else if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
			*c = '_';
	}
	image = weir_asprintf("%s/sweep-%s.%s", plots, name, format);
	free(name);
	return image;
}

/*
 * The title's lines after the first: the replications and the interval
 * and, when later parameters were fixed, their values (a new string).
 */
static char *sweep_note(const struct sweep *sw, const struct run_info *ri, int last)
{
	const struct sweep_pt *p0 = NULL;
	long lo = -1, hi = -1;
	char *reps, *note, *t;

	for (size_t i = 0; i < sw->pts.len; i++) {
		const struct sweep_pt *p = VEC_AT(&sw->pts, const struct sweep_pt, i);

		if (p->line < 0)
			continue;
		p0 = p0 ? p0 : p;   /* every drawn point has the fixed values */
		lo = lo < 0 || p->reps < lo ? p->reps : lo;
		hi = p->reps > hi ? p->reps : hi;
	}
	reps = lo == hi ? weir_asprintf("%ld", lo) : weir_asprintf("%ld to %ld", lo, hi);
	note = weir_asprintf("mean of %s replications per configuration, %g%% confidence interval%s", reps,
			     100 * ri->confidence, lo < 2 ? " (none with 1 replication)" : "");
	for (int k = last; k < sw->np && p0; k++) {
		t = weir_asprintf("%s%s%s = %s", note, k == last ? "\nonly " : ", ", ri->params[k], p0->v[k]);
		free(note);
		note = t;
	}
	if (last < sw->np) {
		t = weir_asprintf("%s (the first value%s: sweep.csv has them all)", note, sw->np - last > 1 ? "s" : "");
		free(note);
		note = t;
	}
	free(reps);
	return note;
}

/* Width in characters of a line of a sweep plot's key title (the key is a quarter of the image). */
#define SWEEP_KEY_WIDTH 28

/*
 * s broken into lines of at most width characters after a '.' or a blank
 * where it can be (a parameter's path is long; a word longer than width
 * stays whole). Returns a new string.
 */
static char *wrap(const char *s, size_t width)
{
	char *w = weir_malloc(2 * strlen(s) + 1), *o = w;
	size_t col = 0, len;

	for (const char *t = s; *t; t += len) {
		len = strcspn(t, ". ");
		if (t[len])
			len++;   /* the '.' or blank ends its piece */
		if (col > 0 && col + len > width) {
			*o++ = '\n';
			col = 0;
		}
		memcpy(o, t, len);
		o += len;
		col += len;
	}
	*o = '\0';
	return w;
}

/* The names of parameters 2 to last - 1 joined by ", ", wrapped: what tells the lines apart ("" for one line). */
static char *lines_name(const struct run_info *ri, int last, long nlines)
{
	char *s = weir_strdup(""), *t;

	for (int k = 1; k < last && nlines > 1; k++) {
		t = weir_asprintf("%s%s%s", s, k > 1 ? ", " : "", ri->params[k]);
		free(s);
		s = t;
	}
	t = wrap(s, SWEEP_KEY_WIDTH);
	free(s);
	return t;
}

/*
 * Runs sweep.gp on sw's points for metric, through a data file in plots
 * that is removed after; returns 0 or an exit code after a message.
 */
static int draw_sweep(const char *scripts, const char *plots, const struct run_info *ri, struct sweep *sw,
		      const char *metric, const char *image, const char *format)
{
	int last, rc, fd;
	long nlines = sweep_layout(sw, &last);
	char *data = weir_asprintf("%s/.sweep-XXXXXX", plots), *script, *note, *lines;
	char *args[9];
	bool numeric;
	FILE *f = NULL;

	assign_x(sw);
	numeric = numeric_x(sw);
	if ((fd = mkstemp(data)) < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, "weir: error: cannot write the data of a plot to '%s': %s\n", data, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(data);
		return WEIR_EXIT_IO;
	}
	write_sweep_data(f, sw, last, numeric);
	if (fclose(f) != 0) {
		fprintf(stderr, "weir: error: cannot write '%s': %s\n", data, strerror(errno));
		unlink(data);
		free(data);
		return WEIR_EXIT_IO;
	}
	script = weir_asprintf("%s/sweep.gp", scripts);
	note = sweep_note(sw, ri, last);
	lines = lines_name(ri, last, nlines);
	args[0] = data, args[1] = (char *)(uintptr_t)metric, args[2] = (char *)(uintptr_t)image;
	args[3] = (char *)(uintptr_t)format, args[4] = sw->unit, args[5] = ri->params[0];
	args[6] = (char *)(uintptr_t)(numeric ? "1" : "0"), args[7] = lines, args[8] = note;
	rc = gnuplot(script, args, 9);
	unlink(data);
	free(data);
	free(script);
	free(note);
	free(lines);
	return rc;
}

/* Draws sweep-RES-STAT for metric "RES/STAT"; returns 0 or an exit code after a message. */
static int plot_sweep_metric(const char *dir, const char *scripts, const char *plots, const struct run_info *ri,
			     const char *metric, const char *format, struct tally *t)
{
	const char *slash = strrchr(metric, '/');
	char *res = slash ? weir_strndup(metric, (size_t)(slash - metric)) : NULL;
	char *image = sweep_image(plots, metric, format), err[512];
	struct sweep sw = { .np = 0 };
	int rc = 0;

	if (!res || !slash[1]) {
		fprintf(stderr, "weir: warning: %s/run.csv: metric '%s' is not RES/STAT: no plot\n", dir, metric);
		t->left_out++;
	} else if (read_sweep(dir, ri, res, slash + 1, &sw, err, sizeof(err)) != 0) {
		fprintf(stderr, "weir: error: cannot plot the sweep in %s: %s\n", dir, err);
		rc = WEIR_EXIT_IO;
	} else if (sw.pts.len == 0) {
		fprintf(stderr, "weir: warning: %s/sweep.csv has no value of %s: no plot\n", dir, metric);
		t->left_out++;
		remove_old(image);
	} else if ((rc = draw_sweep(scripts, plots, ri, &sw, metric, image, format)) == 0) {
		t->drawn++;
	}
	sweep_release(&sw);
	free(res);
	free(image);
	return rc;
}

/* The plots of a sweep directory: one per metric row of its run.csv. */
static int plot_sweep(const char *dir, const char *scripts, const struct run_info *ri, const char *format,
		      bool quiet)
{
	struct tally t = { 0, 0 };
	char *plots;
	int rc = 0;

	if (ri->nparams == 0) {
		fprintf(stderr, "weir: error: cannot plot the sweep in %s: its run.csv has no parameter row\n", dir);
		return WEIR_EXIT_IO;
	}
	if (ri->nparams > PLOT_PARAMS_MAX) {
		fprintf(stderr, "weir: error: cannot plot the sweep in %s: it sweeps %d parameters, weir plot at most %d\n",
			dir, ri->nparams, PLOT_PARAMS_MAX);
		return WEIR_EXIT_IO;
	}
	if (!(plots = plots_dir(dir)))
		return WEIR_EXIT_IO;
	for (int i = 0; i < ri->nmetrics && rc == 0; i++)
		rc = plot_sweep_metric(dir, scripts, plots, ri, ri->metrics[i], format, &t);
	if (rc == 0 && !quiet && ri->nmetrics == 0)
		printf("  no plots: %s/run.csv names no metric (weir sweep --metric RES/STAT names them)\n", dir);
	else if (rc == 0 && !quiet)
		printf("  %d plots in %s/ (a configuration's own plots: weir plot %s/configs/NNN)\n", t.drawn, plots,
		       dir);
	free(plots);
	return rc;
}

/* ---- Any directory ---------------------------------------------------------------------- */

static int plot_dir(const char *dir, const char *scripts, const char *format, bool quiet, bool top);

/* The plots of a compare directory: those of its replicated run directories a/ and b/. */
static int plot_compare(const char *dir, const char *scripts, const char *format, bool quiet)
{
	static const char *const sides[] = { "a", "b" };
	int rc = 0;

	for (size_t i = 0; i < 2 && rc == 0; i++) {
		char *sub = weir_asprintf("%s/%s", dir, sides[i]);

		if (!is_dir(sub)) {
			fprintf(stderr, "weir: error: %s is a compare directory without %s/ (weir compare writes a/ and b/, and weir plot draws each)\n",
				dir, sides[i]);
			rc = WEIR_EXIT_IO;
		} else {
			rc = plot_dir(sub, scripts, format, quiet, false);
		}
		free(sub);
	}
	return rc;
}

/* Draws what DIR holds (run.csv's kind); top: DIR may be a compare directory. */
static int plot_dir(const char *dir, const char *scripts, const char *format, bool quiet, bool top)
{
	struct run_info ri;
	char err[512];
	int rc;

	if (read_run_info(dir, &ri, err, sizeof(err)) != 0) {
		fprintf(stderr, "weir: error: %s is not a weir run directory: %s\n", dir, err);
		rc = WEIR_EXIT_IO;
	} else if (!*ri.kind || strcmp(ri.kind, "replications") == 0) {
		rc = plot_runs(dir, scripts, &ri, format, quiet);
	} else if (strcmp(ri.kind, "sweep") == 0) {
		rc = plot_sweep(dir, scripts, &ri, format, quiet);
	} else if (strcmp(ri.kind, "compare") == 0 && top) {
		rc = plot_compare(dir, scripts, format, quiet);
	} else {
		fprintf(stderr, "weir: error: %s/run.csv says kind '%s': weir plot draws a run, replications, a sweep or a compare directory\n",
			dir, ri.kind);
		rc = WEIR_EXIT_IO;
	}
	run_info_release(&ri);
	return rc;
}

int plot_run_dir(const char *dir, const char *format, bool quiet)
{
	char *scripts = scripts_dir();
	int rc;

	if (!scripts) {
		fprintf(stderr, "weir: error: cannot find the gnuplot scripts (set WEIR_PLOTS to weir's plots/ directory)\n");
		return WEIR_EXIT_IO;
	}
	rc = plot_dir(dir, scripts, format, quiet, true);
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
	"Draws the plots of a finished run into RUN_DIR/plots/ with gnuplot: per\n"
	"queue its depth and age, rates, latency percentiles and dead letters; per\n"
	"consumer on a queue its workers, and per one on a stream its records,\n"
	"workers, reads, throttles, lag and latency; per function its concurrency,\n"
	"invocations and durations; per producer that invokes a function\n"
	"synchronously its requests, throttles and latency; per producer that puts\n"
	"to a stream its records, throttles and give-ups; per stream its records\n"
	"per shard (the hot shard) and its throughput against its write limit; per\n"
	"event source mapping on a queue its pollers and batches, and per one on a\n"
	"stream its concurrent batches, batches and records, failures and iterator\n"
	"age; per topic its publishes and, per subscription, its deliveries,\n"
	"failures, retries, deliveries pending and delivery delay. A plot that\n"
	"would be empty is left out, and a dead-letter queue that nobody sends to\n"
	"or reads is drawn only in its sources' dead-letters plots ('weir help\n"
	"metrics' lists the rules).\n"
	"\n"
	"RUN_DIR may also be what an experiment wrote. For 'weir run\n"
	"--replications N' the same plots, of the mean over the replications, and\n"
	"per resource RES-band: the mean of its key series with its confidence\n"
	"band. For 'weir sweep' one plot per metric, sweep-RES-STAT: the mean and\n"
	"its confidence interval against the first swept parameter, one line per\n"
	"value of the others (a configuration's own plots: weir plot\n"
	"DIR/configs/NNN). For 'weir compare' the plots of a/ and of b/.\n";

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

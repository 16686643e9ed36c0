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
static int count_columns(const char *dir, struct resources *rs, char *err, size_t n)
{
	static const char shard[] = "/IncomingRecords", sub[] = "/NumberOfNotificationsDelivered";
	char *path = weir_asprintf("%s/timeseries.csv", dir);
	FILE *f = fopen(path, "r");
	char *line = NULL, *save = NULL;
	size_t cap = 0;

	if (!f || getline(&line, &cap, f) < 0) {
		snprintf(err, n, "cannot read the header row of %s: %s", path,
			 f && !ferror(f) ? "the file is empty" : strerror(errno));
		if (f)
			fclose(f);
		free(line);
		free(path);
		return -1;
	}
	for (char *c = strtok_r(line, ",\r\n", &save); c; c = strtok_r(NULL, ",\r\n", &save)) {
		if (ends_with(c, shard)) {
			c[strlen(c) - (sizeof(shard) - 1)] = '\0';
			add_shard(rs, c);
		} else if (ends_with(c, sub)) {
			c[strlen(c) - (sizeof(sub) - 1)] = '\0';
			add_subscription(rs, c);
		}
	}
	fclose(f);
	free(line);
	free(path);
	return 0;
}

/*
 * Reads DIR/resources.csv (up to MAX_RES rows), the rows of DIR/summary.csv
 * that decide the plots and the shard and subscription columns of
 * DIR/timeseries.csv into rs; returns 0, or -1 with a message in err and
 * nothing kept.
 */
static int read_run(const char *dir, struct resources *rs, char *err, size_t n)
{
	static const char *const res_cols[] = { "resource", "kind", "dead_letter", "target", NULL };
	static const char *const sum_cols[] = { "resource", "statistic", "value", NULL };
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

int plot_run_dir(const char *dir, const char *format, bool quiet)
{
	static struct res res[MAX_RES];
	struct resources rs = { .r = res };
	char err[512], *scripts = scripts_dir(), *plots;
	int rc = 0, drawn = 0, left_out = 0;

	if (!scripts) {
		fprintf(stderr, "weir: error: cannot find the gnuplot scripts (set WEIR_PLOTS to weir's plots/ directory)\n");
		return WEIR_EXIT_IO;
	}
	if (read_run(dir, &rs, err, sizeof(err)) != 0) {
		fprintf(stderr, "weir: error: %s is not a weir run directory: %s\n", dir, err);
		free(scripts);
		return WEIR_EXIT_IO;
	}
	plots = weir_asprintf("%s/plots", dir);
	if (mkdir(plots, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "weir: error: cannot create '%s': %s\n", plots, strerror(errno));
		rc = WEIR_EXIT_IO;
	}
	for (long i = 0; i < rs.n && rc == 0; i++) {
		for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]) && rc == 0; j++) {
			int want = wanted(&res[i], &jobs[j]);
			char *image = weir_asprintf("%s/%s-%s.%s", plots, res[i].name, jobs[j].suffix, format);
			long d = res[i].dlq[0] ? find_res(&rs, res[i].dlq) : -1;

			if (want == 1 && (rc = draw(dir, scripts, &res[i], d >= 0 ? &res[d] : NULL, &jobs[j],
						    image, format)) == 0)
				drawn++;
			if (want == 0) {
				left_out++;
				if (unlink(image) != 0 && errno != ENOENT)
					fprintf(stderr, "weir: warning: cannot remove the old '%s': %s\n", image,
						strerror(errno));
			}
			free(image);
		}
	}
	if (rc == 0 && !quiet && left_out > 0)
		printf("  %d plots in %s/ (%d left out: nothing to draw, or drawn in a dead-letters plot)\n",
		       drawn, plots, left_out);
	else if (rc == 0 && !quiet)
		printf("  %d plots in %s/\n", drawn, plots);
	free_res(res, rs.n);
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
	"metrics' lists the rules).\n";

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

/*
 * bench_memory.c - memory per message, through the library (no scenario).
 *
 * backlog    1e6 messages sent to a queue nobody reads: each is one
 *            struct sqs_msg in the message pool and nothing else (a visible
 *            message has no timer event).
 * in flight  1e5 messages sent, then all received (10 per short-poll
 *            receive): each now also has a visibility timer, i.e. one engine
 *            event record and one heap entry.
 * Figures come from the pool's own accounting (pool_bytes) and from resident
 * memory growth (/proc/self/statm), which also counts allocator overhead and
 * the engine's arrays. Each phase runs in a child process so that memory
 * freed by one phase cannot be reused, unseen, by the next.
 */
#include "weir/sim.h"
#include "weir/sqs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#define BACKLOG_MESSAGES 1000000u
#define IN_FLIGHT_MESSAGES 100000u     /* under SQS_IN_FLIGHT_LIMIT (120,000) */
#define MESSAGE_BYTES 1024u            /* payload size (only counted, never stored) */
#define TARGET_BYTES 128.0             /* bytes per message, 1e6-message backlog */

/* Resident set size in bytes, from /proc/self/statm (Linux). */
static double rss_bytes(void)
{
	long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2) {
		fprintf(stderr, "bench_memory: cannot read /proc/self/statm\n");
		exit(1);
	}
	fclose(f);
	return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

/* ---- a queue with no scenario around it -------------------------------- */

struct bench_queue {
	struct sim *sim;
	struct sqs_env env;
	struct sqs_queue_cfg cfg;
	gsl_rng *rng;
	struct sqs_queue *q;
};

static void bq_init(struct bench_queue *b)
{
	memset(b, 0, sizeof(*b));
	b->sim = sim_create();
	b->rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!b->sim || !b->rng) {
		fprintf(stderr, "bench_memory: out of memory\n");
		exit(1);
	}
	b->cfg.head.name = "bench";
	b->cfg.visibility_timeout = SQS_VISIBILITY_TIMEOUT_MAX;   /* never expires here */
	b->cfg.delay = 0;
	b->cfg.receive_wait = 0;                                  /* short polls */
	b->cfg.retention = SQS_RETENTION_DEFAULT;
	b->cfg.maximum_message_size = SQS_MESSAGE_SIZE_DEFAULT;
	b->cfg.in_flight_limit = SQS_IN_FLIGHT_LIMIT;
	b->cfg.short_poll_sample = 1.0;   /* every receive finds what it asks for */
	b->cfg.duplicate_delivery = 0;
	sqs_env_init(&b->env, b->sim, NULL);
	b->q = sqs_create(&b->env, b->cfg.head.name, &b->cfg, b->rng);
}

static void bq_release(struct bench_queue *b)
{
	sqs_destroy(b->q);
	sqs_env_release(&b->env);
	sim_destroy(b->sim);
	gsl_rng_free(b->rng);
}

static void send_many(struct bench_queue *b, unsigned n)
{
	struct sqs_send req = { .size = MESSAGE_BYTES, .delay = SIM_TIME_UNSET,
				.born_at = SIM_TIME_UNSET, .sender = "bench" };

	for (unsigned i = 0; i < n; i++)
		if (sqs_send(b->q, &req) != SQS_OK) {
			fprintf(stderr, "bench_memory: send refused\n");
			exit(1);
		}
}

/* The receipts are given back at once: the messages stay in flight. */
static void on_received(struct sqs_receiver *rx, enum sqs_status status)
{
	struct sqs_queue *q = rx->owner;

	(void)status;
	for (unsigned i = 0; i < rx->n; i++)
		sqs_release(q, &rx->got[i]);
}

static void receive_all(struct bench_queue *b, unsigned n)
{
	struct sqs_receiver rx;

	memset(&rx, 0, sizeof(rx));
	rx.done = on_received;
	rx.owner = b->q;
	rx.who = "bench";
	rx.max = SQS_RECEIVE_MAX;
	rx.wait = SIM_TIME_UNSET;
	rx.visibility = SIM_TIME_UNSET;
	while (sqs_in_flight(b->q) < n)
		sqs_receive(b->q, &rx);
}

/* ---- the two phases ------------------------------------------------------ */

static void phase_backlog(void)
{
	struct bench_queue b;
	double rss0, rss1, pool;

	bq_init(&b);
	rss0 = rss_bytes();
	send_many(&b, BACKLOG_MESSAGES);
	rss1 = rss_bytes();
	pool = (double)pool_bytes(&b.env.msgs);
	printf("backlog   messages %u, visible %llu, pending events %zu\n", BACKLOG_MESSAGES,
	       (unsigned long long)sqs_visible(b.q), sim_events_pending(b.sim));
	printf("backlog   sizeof(struct sqs_msg) %zu B\n", sizeof(struct sqs_msg));
	printf("backlog   pool %.1f B/msg   rss %.1f B/msg\n", pool / BACKLOG_MESSAGES,
	       (rss1 - rss0) / BACKLOG_MESSAGES);
	printf("result backlog_rss_bytes_per_msg %.1f (target <= %.0f)\n",
	       (rss1 - rss0) / BACKLOG_MESSAGES, TARGET_BYTES);
	bq_release(&b);
}

static void phase_in_flight(void)
{
	struct bench_queue b;
	double rss0, rss1, rss2, pool;

	bq_init(&b);
	rss0 = rss_bytes();
	send_many(&b, IN_FLIGHT_MESSAGES);
	rss1 = rss_bytes();
	receive_all(&b, IN_FLIGHT_MESSAGES);
	rss2 = rss_bytes();
	pool = (double)pool_bytes(&b.env.msgs);
	printf("in-flight messages %u, in flight %llu, pending events %zu\n", IN_FLIGHT_MESSAGES,
	       (unsigned long long)sqs_in_flight(b.q), sim_events_pending(b.sim));
	printf("in-flight pool %.1f B/msg   rss: messages %.1f + engine %.1f = %.1f B/msg\n",
	       pool / IN_FLIGHT_MESSAGES, (rss1 - rss0) / IN_FLIGHT_MESSAGES,
	       (rss2 - rss1) / IN_FLIGHT_MESSAGES, (rss2 - rss0) / IN_FLIGHT_MESSAGES);
	printf("result in_flight_rss_bytes_per_msg %.1f (engine %.1f)\n",
	       (rss2 - rss0) / IN_FLIGHT_MESSAGES, (rss2 - rss1) / IN_FLIGHT_MESSAGES);
	bq_release(&b);
}

/* Runs phase in a child process; returns its exit status. */
static int in_child(void (*phase)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		phase();
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

int main(void)
{
	int rc = 0;

	printf("# bytes per message; rss = growth of the resident set / messages\n");
	rc |= in_child(phase_backlog);
	rc |= in_child(phase_in_flight);
	return rc;
}

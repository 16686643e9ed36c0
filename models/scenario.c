/*
 * scenario.c - the top level of a scenario file and the rules that tie its
 * resources together (references, unique names, times inside the run).
 */
#include "weir/scenario.h"
#include "weir/kconsumer.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MCF(field) .offset = offsetof(struct metrics_cfg, field)
static const struct schema_field metrics_fields[] = {
	{ .key = "period", .type = ST_DURATION, MCF(period), .dflt = "10s",
	  .flags = SF_RANGE, .min = (double)SIM_MS, .max = (double)SCENARIO_DURATION_MAX,
	  .help = "Length of one row of timeseries.csv (CloudWatch's own period is 1m)." },
	{ 0 }
};

static const struct schema metrics_schema = {
	.name = "metrics",
	.size = sizeof(struct metrics_cfg),
	.fields = metrics_fields,
	.help = "How the time series is sampled.",
};

static const struct schema_field sweep_param_fields[] = {
	{ .key = "values", .type = ST_STRING, .offset = offsetof(struct sweep_param_cfg, values),
	  .flags = SF_REQUIRED,
	  .help = "The values, as on the command line: `10, 20, 50` (or a YAML list `[10, 20, 50]`), a range `10..100 step 10` (the ends and step may carry one unit: `30s..120s step 30s`), or both." },
	{ 0 }
};

static const struct schema sweep_param_schema = {
	.name = "sweep parameter",
	.size = sizeof(struct sweep_param_cfg),
	.fields = sweep_param_fields,
	.shorthand = "values",
	.help = "A scenario key path (as `--set` takes it) and the values it takes.",
	.join_seq = true,   /* [10, 20, 50] means "10, 20, 50" */
};

static const struct schema_field sweep_fields[] = {
	{ .key = "parameters", .type = ST_TABLE, .offset = offsetof(struct sweep_cfg, parameters),
	  .sub = &sweep_param_schema,
	  .help = "The swept keys, by path, each with its values: `functions.worker.reserved_concurrency: 10, 20, 50`." },
	{ .key = "zip", .type = ST_BOOL, .offset = offsetof(struct sweep_cfg, zip), .dflt = "false",
	  .help = "Pair the i-th values of every parameter instead of running every combination." },
	{ .key = "replications", .type = ST_INT, .offset = offsetof(struct sweep_cfg, replications),
	  .flags = SF_RANGE, .min = 1, .max = 100000,
	  .help = "Replications per configuration (--replications overrides it; default 10)." },
	{ .key = "baseline", .type = ST_INT, .offset = offsetof(struct sweep_cfg, baseline),
	  .flags = SF_RANGE, .min = 1, .max = 100000,
	  .help = "The configuration (numbered from 1 as in manifest.csv) every other one is compared with, pair by pair." },
	{ .key = "metrics", .type = ST_STRING, .offset = offsetof(struct sweep_cfg, metrics),
	  .help = "The statistics the tables, plots and --precision use, as `RESOURCE/STATISTIC, ...` (--metric overrides it; default: each queue's mean wait and p99 latency, each function's throttles and peak concurrency, ...)." },
	{ 0 }
};

static const struct schema sweep_schema = {
	.name = "sweep",
	.size = sizeof(struct sweep_cfg),
	.fields = sweep_fields,
	.help = "A parameter sweep for `weir sweep`: the grid of configurations and their replications. `weir run` ignores it.",
};

#define TF(field) .offset = offsetof(struct scenario, field)
static const struct schema_field top_fields[] = {
	{ .key = "name", .type = ST_STRING, TF(name),
	  .help = "Name of the scenario; the run is written to out/NAME unless -o says otherwise. Unset: the file's base name." },
	{ .key = "description", .type = ST_STRING, TF(description), .help = "What the scenario shows." },
	{ .key = "duration", .type = ST_DURATION, TF(duration), .flags = SF_REQUIRED | SF_RANGE | SF_MIN_OPEN,
	  .min = 0, .max = (double)SCENARIO_DURATION_MAX, .help = "Simulated time the run covers." },
	{ .key = "warmup", .type = ST_DURATION, TF(warmup), .dflt = "0s", .flags = SF_MIN, .min = 0,
	  .help = "Initial time left out of every summary statistic (the time series keeps it)." },
	{ .key = "seed", .type = ST_INT, TF(seed), .dflt = "1", .flags = SF_RANGE, .min = 0,
	  .max = 9007199254740991.0,
	  .help = "Seed of every random stream (up to 2^53-1); the same seed gives byte-identical output. --seed overrides it." },
	{ .key = "metrics", .type = ST_OBJECT, TF(metrics), .sub = &metrics_schema,
	  .help = "Sampling of the time series." },
	{ .key = "queues", .type = ST_TABLE, TF(queues), .sub = &sqs_queue_schema,
	  .help = "SQS queues, by name: standard, or FIFO when the name ends in `.fifo`." },
	{ .key = "streams", .type = ST_TABLE, TF(streams), .sub = &stream_schema,
	  .help = "Kinesis data streams, by name." },
	{ .key = "producers", .type = ST_TABLE, TF(producers), .sub = &producer_schema,
	  .help = "Workloads sending to queues, invoking functions or putting records into streams, by name." },
	{ .key = "consumers", .type = ST_TABLE, TF(consumers), .sub = &consumer_schema,
	  .help = "Worker pools polling queues, by name." },
	{ .key = "functions", .type = ST_TABLE, TF(functions), .sub = &function_schema,
	  .help = "AWS Lambda functions, by name." },
	{ .key = "topics", .type = ST_TABLE, TF(topics), .sub = &sns_topic_schema, .rule = "§7",
	  .help = "SNS topics, by name: producers publish to them, subscriptions deliver to queues and functions; FIFO topics (a name ending in `.fifo`) deliver to queues only." },
	{ .key = "triggers", .type = ST_LIST, TF(triggers), .sub = &trigger_schema,
	  .help = "Event source mappings: a function polling a queue." },
	{ .key = "account", .type = ST_OBJECT, TF(account), .sub = &account_schema,
	  .help = "Account-wide settings: Lambda's concurrency quota, the behaviour date, the Region, prices." },
	{ .key = "sweep", .type = ST_OBJECT, TF(sweep), .sub = &sweep_schema,
	  .help = "A parameter sweep `weir sweep` runs (see docs/experiments.md); `weir run` ignores it." },
	{ 0 }
};

/* ---- cross-resource checks ----------------------------------------------- */

struct named {
	const char *name;
	const char *kind;
	const struct doc_node *key;
	bool derived;          /* a trigger named SOURCE-to-FUNCTION by default */
};

static void collect(struct vec *out, const struct vec *table, size_t size, const char *kind,
		    const struct doc_node *map)
{
	for (size_t i = 0; i < table->len; i++) {
		const struct schema_head *h = (const void *)((const char *)table->items + i * size);
		struct named *n = vec_push(out, sizeof(*n));

		n->name = h->name;
		n->kind = kind;
		n->key = map ? doc_map_key(map, i) : NULL;
		n->derived = false;
	}
}

/* Triggers are a list; each is named by its `name`, or its derived one. */
static void collect_triggers(struct vec *out, const struct scenario *sc)
{
	for (size_t i = 0; i < sc->triggers.len; i++) {
		const struct trigger_cfg *t = VEC_AT(&sc->triggers, struct trigger_cfg, i);
		struct named *n = vec_push(out, sizeof(*n));

		n->name = t->name;
		n->kind = "trigger";
		n->key = schema_where(t, "name");
		n->derived = t->derived_name != NULL;
	}
}

static const struct named *find_named(const struct vec *all, const char *name)
{
	for (size_t i = 0; i < all->len; i++)
		if (strcmp(VEC_AT(all, struct named, i)->name, name) == 0)
			return VEC_AT(all, struct named, i);
	return NULL;
}

static void unique_names(const struct vec *all, struct schema_ctx *ctx)
{
	for (size_t i = 0; i < all->len; i++) {
		const struct named *a = VEC_AT(all, struct named, i);

		if (strcmp(a->name, LAMBDA_ACCOUNT_NAME) == 0)
			schema_error(ctx, a->key, "the name '%s' is reserved: the account's metrics use it", a->name);
	}
	for (size_t i = 1; i < all->len; i++) {
		const struct named *a = VEC_AT(all, struct named, i);

		for (size_t j = 0; j < i; j++) {
			const struct named *b = VEC_AT(all, struct named, j);

			if (strcmp(a->name, b->name) != 0)
				continue;
			if (a->derived && strcmp(b->kind, "trigger") == 0)
				schema_error(ctx, a->key, "two triggers are both named '%s' (line %u): give one a 'name'",
					     a->name, b->key ? b->key->loc.line : 0);
			else
				schema_error(ctx, a->key, "the name '%s' is already used by a %s (line %u); names must be unique",
					     a->name, b->kind, b->key ? b->key->loc.line : 0);
			break;
		}
	}
}

/*
 * Checks that `name` (written at node) is a resource of kind `kind` (or of
 * `kind2` when not NULL); says what it is otherwise. Returns its entry or NULL.
 */
static const struct named *want(const struct vec *all, const char *name, const struct doc_node *node,
				const char *role, const char *kind, const char *kind2, struct schema_ctx *ctx)
{
	const struct named *n = find_named(all, name);
	const char *cands[256];
	size_t nc = 0;
	const char *near;
	char what[64];

	if (kind2)
		snprintf(what, sizeof(what), "a %s or a %s", kind, kind2);
	else
		snprintf(what, sizeof(what), "a %s", kind);
	if (n && (strcmp(n->kind, kind) == 0 || (kind2 && strcmp(n->kind, kind2) == 0)))
		return n;
	if (n) {
		schema_error(ctx, node, "%s '%s' is a %s, not %s", role, name, n->kind, what);
		return NULL;
	}
	for (size_t i = 0; i < all->len && nc < 256; i++) {
		const struct named *c = VEC_AT(all, struct named, i);

		if (strcmp(c->kind, kind) == 0 || (kind2 && strcmp(c->kind, kind2) == 0))
			cands[nc++] = c->name;
	}
	near = weir_suggest(name, strlen(name), cands, nc);
	if (near)
		schema_error(ctx, node, "%s '%s' is not %s of this scenario (did you mean '%s'?)", role, name, what, near);
	else
		schema_error(ctx, node, "%s '%s' is not %s of this scenario", role, name, what);
	return NULL;
}

static int want_queue(const struct vec *all, const char *name, const struct doc_node *node,
		      const char *role, struct schema_ctx *ctx)
{
	return want(all, name, node, role, "queue", NULL, ctx) ? 0 : -1;
}

/*
 * Like want_queue, for roles AWS fills only with standard queues (Lambda's
 * destinations and dead-letter queue, a standard topic's subscribers):
 * a FIFO queue there is an error that says why.
 */
static int want_standard_queue(const struct scenario *sc, const struct vec *all, const char *name,
			       const struct doc_node *node, const char *role, const char *why,
			       struct schema_ctx *ctx)
{
	const struct sqs_queue_cfg *q;

	if (want_queue(all, name, node, role, ctx) != 0)
		return -1;
	q = scenario_queue(sc, name);
	if (q && q->fifo) {
		schema_error(ctx, node, "%s '%s' is a FIFO queue; %s", role, name, why);
		return -1;
	}
	return 0;
}

static int is_dead_letter_of_any(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->queues.len; i++) {
		const struct sqs_queue_cfg *q = VEC_AT(&sc->queues, struct sqs_queue_cfg, i);

		if (q->redrive.dead_letter && strcmp(q->redrive.dead_letter, name) == 0)
			return 1;
	}
	return 0;
}

static void late_warning(struct schema_ctx *ctx, const struct scenario *sc, sim_time at,
			 const struct doc_node *node, const char *what)
{
	char a[32], b[32];

	if (at >= sc->duration)
		schema_warning(ctx, node, "%s at %s never happens: the run ends at %s", what,
			       units_format_duration(at, a, sizeof(a)),
			       units_format_duration(sc->duration, b, sizeof(b)));
}

static void check_move_destination(const struct scenario *sc, const struct sqs_queue_cfg *q,
				   const struct sqs_move_task_cfg *t, const struct vec *all,
				   struct schema_ctx *ctx)
{
	const struct doc_node *where = schema_where(t, "destination");
	const struct sqs_queue_cfg *dest;

	if (want_queue(all, t->destination, where, "destination", ctx) != 0)
		return;
	dest = scenario_queue(sc, t->destination);
	if (dest == q)
		schema_error(ctx, where, "a move task cannot move messages into the queue they are in");
	else if (dest->fifo != q->fifo)
		schema_error(ctx, where, "a move task moves messages between queues of one type; '%s' is %s and '%s' is %s",
			     q->head.name, q->fifo ? "FIFO" : "standard", dest->head.name,
			     dest->fifo ? "FIFO" : "standard");
	else if (dest->maximum_message_size < q->maximum_message_size)
		schema_warning(ctx, where,
			       "'%s' accepts messages up to %.0f bytes, '%s' up to %.0f: larger ones cannot be moved and stay (MoveFailures)",
			       dest->head.name, dest->maximum_message_size, q->head.name, q->maximum_message_size);
}

static void check_queue_refs(struct scenario *sc, const struct vec *all, struct schema_ctx *ctx)
{
	for (size_t i = 0; i < sc->queues.len; i++) {
		struct sqs_queue_cfg *q = VEC_AT(&sc->queues, struct sqs_queue_cfg, i);
		const struct sqs_queue_cfg *dlq;

		if (q->redrive.dead_letter &&
		    want_queue(all, q->redrive.dead_letter, schema_where(&q->redrive, "dead_letter"),
			       "dead-letter queue", ctx) == 0) {
			dlq = scenario_queue(sc, q->redrive.dead_letter);
			if (dlq && dlq->fifo != q->fifo)
				schema_error(ctx, schema_where(&q->redrive, "dead_letter"),
					     "a dead-letter queue is of its source's type (aws-behaviour §1.10): '%s' is %s and '%s' is %s",
					     q->head.name, q->fifo ? "FIFO" : "standard", dlq->head.name,
					     dlq->fifo ? "FIFO" : "standard");
			else if (dlq && dlq->retention < q->retention && !q->fifo)
				schema_warning(ctx, schema_where(&q->redrive, "dead_letter"),
					       "dead-letter queue '%s' keeps messages for less time than '%s'; a dead-lettered message keeps its enqueue time and expires early (aws-behaviour §1.10)",
					       dlq->head.name, q->head.name);
		}
		for (size_t j = 0; j < q->move_tasks.len; j++) {
			struct sqs_move_task_cfg *t = VEC_AT(&q->move_tasks, struct sqs_move_task_cfg, j);

			if (t->destination)
				check_move_destination(sc, q, t, all, ctx);
			if (!is_dead_letter_of_any(sc, q->head.name))
				schema_error(ctx, t->head.node,
					     "a move task needs its queue to be a dead-letter queue, and '%s' is no queue's dead_letter (aws-behaviour §1.10)",
					     q->head.name);
			late_warning(ctx, sc, t->at, schema_where(t, "at"), "the move task");
		}
		for (size_t j = 0; j < q->purges.len; j++) {
			const struct sqs_purge_cfg *p = VEC_AT(&q->purges, struct sqs_purge_cfg, j);

			late_warning(ctx, sc, p->at, p->head.node, "the purge");
		}
	}
}

/* The largest value worth warning about: the bound, or mean + 6 sd when unbounded. */
static double likely_max(const struct dist *d)
{
	double hi = dist_max(d);

	return isinf(hi) ? dist_mean(d) + 6 * sqrt(dist_variance(d)) : hi;
}

/* Largest payload a function accepts from a producer (§4.3, §4.4). */
static double payload_max(const struct scenario *sc, int invoke)
{
	if (invoke == INVOKE_SYNC)
		return LAMBDA_SYNC_PAYLOAD_MAX;
	return sc->account.date >= BEHAVIOUR_LAMBDA_ASYNC_1MB ? LAMBDA_ASYNC_PAYLOAD_MAX
							      : LAMBDA_ASYNC_PAYLOAD_MAX_OLD;
}

static void check_sizes(const struct producer_cfg *p, double max, const char *kind, const char *name,
			const char *what, struct schema_ctx *ctx)
{
	if (dist_min(&p->message.size) > max)
		schema_error(ctx, schema_where(&p->message, "size"),
			     "every message is larger than %s '%s' accepts (%s %.0f bytes)", kind, name, what, max);
	else if (likely_max(&p->message.size) > max)
		schema_warning(ctx, schema_where(&p->message, "size"),
			       "some messages can be larger than %s '%s' accepts (%.0f bytes) and be rejected",
			       kind, name, max);
}

/* A producer invoking a function: what applies only to queues, and the payload limits. */
static void check_invoker(const struct scenario *sc, const struct producer_cfg *p, struct schema_ctx *ctx)
{
	if (p->message.delay.kind != DIST_NONE)
		schema_error(ctx, schema_where(&p->message, "delay"),
			     "a message timer ('delay') is an SQS setting; '%s' is a function", p->target);
	if (p->invoke == INVOKE_ASYNC && schema_node(p, "retry"))
		schema_error(ctx, schema_where(p, "retry"),
			     "'retry' governs synchronous invokes; Lambda itself retries asynchronous events (set the function's 'async' instead, aws-behaviour §4.4)");
	check_sizes(p, payload_max(sc, p->invoke), "function", p->target,
		    p->invoke == INVOKE_SYNC ? "synchronous payloads up to"
					     : "asynchronous payloads, aws-behaviour §4.4, up to", ctx);
}

/* ---- streams ------------------------------------------------------------------- */

/* A producer's target is a queue, a function, a stream or a topic. */
static const struct named *want_target(const struct vec *all, const char *name, const struct doc_node *node,
				       const char *role, struct schema_ctx *ctx)
{
	static const char *const kinds[] = { "queue", "function", "stream", "topic" };
	const struct named *n = find_named(all, name);
	const char *cands[256];
	size_t nc = 0;
	const char *near;

	for (size_t k = 0; n && k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(n->kind, kinds[k]) == 0)
			return n;
	if (n) {
		schema_error(ctx, node, "%s '%s' is a %s, not a queue, a function, a stream or a topic", role, name, n->kind);
		return NULL;
	}
	for (size_t i = 0; i < all->len && nc < 256; i++) {
		const struct named *c = VEC_AT(all, struct named, i);

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (strcmp(c->kind, kinds[k]) == 0)
				cands[nc++] = c->name;
	}
	near = weir_suggest(name, strlen(name), cands, nc);
	if (near)
		schema_error(ctx, node, "%s '%s' is not a queue, a function, a stream or a topic of this scenario (did you mean '%s'?)",
			     role, name, near);
	else
		schema_error(ctx, node, "%s '%s' is not a queue, a function, a stream or a topic of this scenario", role, name);
	return NULL;
}

static void check_stream_producer(const struct producer_cfg *p, struct schema_ctx *ctx)
{
	if (schema_node(p, "invoke"))
		schema_error(ctx, schema_where(p, "invoke"), "'invoke' is for a function target; '%s' is a stream", p->target);
	if (p->message.delay.kind != DIST_NONE)
		schema_error(ctx, schema_where(&p->message, "delay"),
			     "a message timer ('delay') is an SQS setting; '%s' is a stream", p->target);
	if (dist_min(&p->message.size) > KINESIS_RECORD_MAX)
		schema_error(ctx, schema_where(&p->message, "size"),
			     "every record is larger than a stream accepts (1 MiB of data, aws-behaviour §3.3)");
	else if (likely_max(&p->message.size) > KINESIS_RECORD_MAX)
		schema_warning(ctx, schema_where(&p->message, "size"),
			       "some records can be larger than a stream accepts (1 MiB of data) and be rejected");
	if (p->batch.head.node && p->batch.bytes < dist_min(&p->message.size) + KINESIS_KEY_MAX &&
	    p->batch.bytes < KINESIS_PUT_RECORDS_BYTES)
		schema_warning(ctx, schema_where(&p->batch, "bytes"),
			       "batch.bytes is smaller than a record can be: such records go in a request of their own");
}

/* A producer publishing to a topic: what applies only to queues and functions, and the size limit. */
static void check_fifo_ids(const struct producer_cfg *p, const char *target, const char *kind, bool fifo,
			   bool content_based, struct schema_ctx *ctx);

static void check_publisher(const struct scenario *sc, const struct producer_cfg *p, struct schema_ctx *ctx)
{
	const struct sns_topic_cfg *t = scenario_topic(sc, p->target);

	if (schema_node(p, "invoke"))
		schema_error(ctx, schema_where(p, "invoke"), "'invoke' is for a function target; '%s' is a topic", p->target);
	if (schema_node(p, "retry") && !t->fifo)
		schema_error(ctx, schema_where(p, "retry"), "'retry' is for function, stream and FIFO targets; '%s' is a standard topic", p->target);
	if (p->message.delay.kind != DIST_NONE)
		schema_error(ctx, schema_where(&p->message, "delay"),
			     "a message timer ('delay') is an SQS setting; '%s' is a topic", p->target);
	check_sizes(p, SNS_MESSAGE_SIZE_MAX, "topic", p->target, "messages up to", ctx);
	check_fifo_ids(p, t->head.name, "topic", t->fifo, t->content_based_deduplication, ctx);
}

/* ---- topics (§7) ------------------------------------------------------------ */

/* Whether some producer publishing to topic draws the attribute name (with the value, when not NULL). */
static bool attribute_drawn(const struct scenario *sc, const char *topic, const char *name, const char *value)
{
	for (size_t i = 0; i < sc->producers.len; i++) {
		const struct producer_cfg *p = VEC_AT(&sc->producers, struct producer_cfg, i);

		if (strcmp(p->target, topic) != 0)
			continue;
		for (size_t j = 0; j < p->message.attributes.len; j++) {
			const struct attribute_cfg *a = VEC_AT(&p->message.attributes, struct attribute_cfg, j);

			if (strcmp(a->head.name, name) != 0)
				continue;
			if (!value)
				return true;
			for (size_t k = 0; k < a->nchoices; k++)
				if (strcmp(a->choices[k], value) == 0)
					return true;
		}
	}
	return false;
}

/* The largest message the producers publishing to topic are likely to send (up to the topic's limit). */
static double largest_publish(const struct scenario *sc, const char *topic)
{
	double most = 0;

	for (size_t i = 0; i < sc->producers.len; i++) {
		const struct producer_cfg *p = VEC_AT(&sc->producers, struct producer_cfg, i);
		double m = likely_max(&p->message.size);

		if (strcmp(p->target, topic) == 0 && m > most)
			most = m;
	}
	return most < SNS_MESSAGE_SIZE_MAX ? most : SNS_MESSAGE_SIZE_MAX;
}

static void check_subscription(const struct scenario *sc, const struct sns_topic_cfg *t,
			       const struct sns_sub_cfg *s, const struct vec *all, struct schema_ctx *ctx)
{
	const struct named *e = want(all, s->endpoint, schema_where(s, "endpoint"), "endpoint", "queue", "function", ctx);
	const struct sns_attr_filter_cfg *f = &s->filter.attribute;

	if (s->dead_letter && !t->fifo)
		want_standard_queue(sc, all, s->dead_letter, schema_where(s, "dead_letter"), "dead-letter queue",
				    "a standard topic's subscription dead-letter queue is a standard queue (aws-behaviour §7.3)", ctx);
	if (s->dead_letter && t->fifo &&
	    want_queue(all, s->dead_letter, schema_where(s, "dead_letter"), "dead-letter queue", ctx) == 0 &&
	    !scenario_queue(sc, s->dead_letter)->fifo)
		schema_error(ctx, schema_where(s, "dead_letter"),
			     "a FIFO topic's subscription dead-letter queue is a FIFO queue: '%s' is standard", s->dead_letter);
	if (e && strcmp(e->kind, "function") == 0 && t->fifo)
		schema_error(ctx, schema_where(s, "endpoint"),
			     "a FIFO topic delivers only to SQS queues (aws-behaviour §7.3); put a FIFO queue and a trigger between it and function '%s'",
			     s->endpoint);
	if (e && strcmp(e->kind, "queue") == 0 && !t->fifo && scenario_queue(sc, s->endpoint)->fifo)
		schema_error(ctx, schema_where(s, "endpoint"),
			     "queue '%s' is a FIFO queue, which only a FIFO topic can deliver to (aws-behaviour §7.3)",
			     s->endpoint);
	if (e && strcmp(e->kind, "function") == 0 && s->raw)
		schema_error(ctx, schema_where(s, "raw"),
			     "raw message delivery is for queue (and HTTP) endpoints; a function always gets SNS's JSON event");
	if (e && strcmp(e->kind, "queue") == 0) {
		const struct sqs_queue_cfg *q = scenario_queue(sc, s->endpoint);
		double most = largest_publish(sc, t->head.name) + (s->raw ? 0 : SNS_JSON_OVERHEAD_BYTES);

		if (q->maximum_message_size < most)
			schema_warning(ctx, schema_where(s, "endpoint"),
				       "queue '%s' accepts messages up to %.0f bytes, and a delivery from topic '%s' can be %.0f: larger ones fail with a client-side error and are not retried (aws-behaviour §7.1)",
				       q->head.name, q->maximum_message_size, t->head.name, most);
	}
	if (e && strcmp(e->kind, "function") == 0) {
		double most = largest_publish(sc, t->head.name) + SNS_JSON_OVERHEAD_BYTES;

		if (payload_max(sc, INVOKE_ASYNC) < most)
			schema_warning(ctx, schema_where(s, "endpoint"),
				       "function '%s' takes asynchronous payloads up to %.0f bytes (aws-behaviour §4.4), and a delivery from topic '%s' (with SNS's JSON envelope) can be %.0f: larger ones fail with a client-side error and are not retried (aws-behaviour §7.1)",
				       s->endpoint, payload_max(sc, INVOKE_ASYNC), t->head.name, most);
	}
	if (f->name && !attribute_drawn(sc, t->head.name, f->name, NULL))
		schema_warning(ctx, schema_where(&s->filter, "attribute"),
			       "no producer publishing to topic '%s' draws the attribute '%s': the filter matches nothing",
			       t->head.name, f->name);
	else if (f->name && !attribute_drawn(sc, t->head.name, f->name, f->equals))
		schema_warning(ctx, schema_where(f, "equals"),
			       "no producer publishing to topic '%s' draws '%s' for the attribute '%s': the filter matches nothing",
			       t->head.name, f->equals, f->name);
	for (size_t k = 0; k < s->outages.len; k++) {
		const struct sns_outage_cfg *o = VEC_AT(&s->outages, struct sns_outage_cfg, k);

		late_warning(ctx, sc, o->at, schema_where(o, "at"), "the outage");
	}
}

static void check_topics(const struct scenario *sc, const struct vec *all, struct schema_ctx *ctx)
{
	for (size_t i = 0; i < sc->topics.len; i++) {
		const struct sns_topic_cfg *t = VEC_AT(&sc->topics, struct sns_topic_cfg, i);

		for (size_t j = 0; j < t->subscriptions.len; j++) {
			const struct sns_sub_cfg *s = VEC_AT(&t->subscriptions, struct sns_sub_cfg, j);

			check_subscription(sc, t, s, all, ctx);
			for (size_t k = 0; k < j; k++) {
				const struct sns_sub_cfg *o = VEC_AT(&t->subscriptions, struct sns_sub_cfg, k);

				if (strcmp(o->name, s->name) != 0)
					continue;
				schema_error(ctx, schema_where(s, schema_node(s, "name") ? "name" : "endpoint"),
					     "topic '%s' already has a subscription named '%s' (line %u): give one a 'name'",
					     t->head.name, s->name, o->head.node ? o->head.node->loc.line : 0);
				break;
			}
		}
	}
}

static void check_streams(const struct scenario *sc, struct schema_ctx *ctx)
{
	for (size_t i = 0; i < sc->streams.len; i++) {
		const struct stream_cfg *s = VEC_AT(&sc->streams, struct stream_cfg, i);

		if (s->mode == KINESIS_ON_DEMAND && sc->account.date < BEHAVIOUR_KINESIS_ON_DEMAND)
			schema_error(ctx, schema_where(s, "mode"),
				     "on-demand mode exists from 2021-11-29 (aws-behaviour §3.7); the scenario's behaviour date is earlier");
		if (s->retention > KINESIS_RETENTION_MAX_OLD && sc->account.date < BEHAVIOUR_KINESIS_LONG_RETENTION)
			schema_error(ctx, schema_where(s, "retention"),
				     "a retention over 7 days needs a behaviour date from 2020-11-09 (aws-behaviour §3.5)");
		for (size_t j = 0; j < s->reshards.len; j++)
			late_warning(ctx, sc, VEC_AT(&s->reshards, struct reshard_cfg, j)->at,
				     VEC_AT(&s->reshards, struct reshard_cfg, j)->head.node, "the reshard");
	}
}

/*
 * A producer sending to a queue or publishing to a topic (kind): a FIFO
 * target's groups and deduplication (§2, §7.3), none elsewhere.
 */
static void check_fifo_ids(const struct producer_cfg *p, const char *target, const char *kind, bool fifo,
			   bool content_based, struct schema_ctx *ctx)
{
	static const char *const fifo_keys[] = { "group", "deduplication_id", "bodies", NULL };

	if (!fifo) {
		for (size_t k = 0; fifo_keys[k]; k++)
			if (schema_node(&p->message, fifo_keys[k]))
				schema_error(ctx, schema_where(&p->message, fifo_keys[k]),
					     "'message.%s' is for a FIFO target; '%s' is a standard %s",
					     fifo_keys[k], target, kind);
		return;
	}
	if (!p->message.group)
		schema_error(ctx, schema_where(p, "target"),
			     "'%s' is a FIFO %s: every message needs a group (MessageGroupId, aws-behaviour %s); set 'message.group', e.g. uniform(keys=100)",
			     target, kind, strcmp(kind, "queue") == 0 ? "§2.1" : "§7.3");
	if (!p->message.deduplication_id && !content_based)
		schema_error(ctx, schema_where(&p->message, "deduplication_id"),
			     "without deduplication ids the %s to '%s' fail: it has no content_based_deduplication (aws-behaviour §2.2)",
			     strcmp(kind, "queue") == 0 ? "sends" : "publishes", target);
}

/*
 * A producer sending to a queue; with `batch`, SendMessageBatch calls of at
 * most 10 messages and SQS_SEND_BATCH_BYTES_MAX bytes (§1.8), the defaults
 * for a queue (the schema's are PutRecords').
 */
static void check_queue_producer(struct producer_cfg *p, const struct sqs_queue_cfg *q,
				 struct schema_ctx *ctx)
{
	struct put_batch_cfg *b = &p->batch;

	if (b->head.node) {
		if (!schema_node(b, "records"))
			b->records = SQS_SEND_BATCH_MAX;
		else if (b->records > SQS_SEND_BATCH_MAX)
			schema_error(ctx, schema_where(b, "records"),
				     "a SendMessageBatch holds at most %d messages (aws-behaviour §1.8)", SQS_SEND_BATCH_MAX);
		if (!schema_node(b, "bytes"))
			b->bytes = SQS_SEND_BATCH_BYTES_MAX;
		else if (b->bytes > SQS_SEND_BATCH_BYTES_MAX)
			schema_error(ctx, schema_where(b, "bytes"),
				     "a SendMessageBatch holds at most %.0f bytes in all", SQS_SEND_BATCH_BYTES_MAX);
	}
	check_fifo_ids(p, q->head.name, "queue", q->fifo, q->content_based_deduplication, ctx);
	/* Most repeats (the mean) or all (the least) pass the interval: a warning, not a tail's chance. */
	if (q->fifo && p->duplicates.fraction > 0 &&
	    (dist_mean(&p->duplicates.after) >= (double)SQS_FIFO_DEDUP_INTERVAL ||
	     dist_min(&p->duplicates.after) >= (double)SQS_FIFO_DEDUP_INTERVAL))
		schema_warning(ctx, schema_where(&p->duplicates, "after"),
			       "repeats sent 5 minutes or more after the first send pass the deduplication interval and are stored as new messages (aws-behaviour §2.2)");
	if (q->fifo && p->message.delay.kind != DIST_NONE)
		schema_error(ctx, schema_where(&p->message, "delay"),
			     "FIFO queues have no per-message delay (aws-behaviour §1.6); set the queue's 'delay' instead");
}

static void check_producers(struct scenario *sc, const struct vec *all, struct schema_ctx *ctx)
{
	for (size_t i = 0; i < sc->producers.len; i++) {
		struct producer_cfg *p = VEC_AT(&sc->producers, struct producer_cfg, i);
		const struct named *t = want_target(all, p->target, schema_where(p, "target"), "target", ctx);

		if (!t || strcmp(t->kind, "stream") != 0)
			for (size_t k = 0; k < 3; k++) {
				const char *key = k == 0 ? "partition_key" : k == 1 ? "batch" : "explicit_hash_key";

				if (t && schema_node(p, key) && !(k == 1 && strcmp(t->kind, "queue") == 0))
					schema_error(ctx, schema_where(p, key), "'%s' is for a stream%s target; '%s' is a %s",
						     key, k == 1 ? " or queue" : "", p->target, t->kind);
			}
		if (t && strcmp(t->kind, "queue") != 0 && strcmp(t->kind, "topic") != 0 && schema_node(p, "duplicates"))
			schema_error(ctx, schema_where(p, "duplicates"), "'duplicates' is for a queue or topic target; '%s' is a %s",
				     p->target, t->kind);
		if (t && strcmp(t->kind, "queue") != 0 && strcmp(t->kind, "topic") != 0)
			for (size_t k = 0; k < 3; k++) {
				const char *key = k == 0 ? "group" : k == 1 ? "deduplication_id" : "bodies";

				if (schema_node(&p->message, key))
					schema_error(ctx, schema_where(&p->message, key),
						     "'message.%s' is for a FIFO queue target; '%s' is a %s", key,
						     p->target, t->kind);
			}
		if (t && strcmp(t->kind, "topic") != 0 && schema_node(&p->message, "attributes"))
			schema_error(ctx, schema_where(&p->message, "attributes"),
				     "message 'attributes' are for a topic target (its filter policies); '%s' is a %s",
				     p->target, t->kind);
		if (t && strcmp(t->kind, "stream") == 0) {
			check_stream_producer(p, ctx);
		} else if (t && strcmp(t->kind, "topic") == 0) {
			check_publisher(sc, p, ctx);
		} else if (t && strcmp(t->kind, "function") == 0) {
			check_invoker(sc, p, ctx);
		} else if (t) {
			const struct sqs_queue_cfg *q = scenario_queue(sc, p->target);

			if (schema_node(p, "invoke"))
				schema_error(ctx, schema_where(p, "invoke"),
					     "'invoke' is for a function target; '%s' is a queue", p->target);
			if (schema_node(p, "retry") && !q->fifo)
				schema_error(ctx, schema_where(p, "retry"),
					     "'retry' is for function, stream and FIFO targets: sends to a standard queue are not throttled");
			check_sizes(p, q->maximum_message_size, "queue", q->head.name, "maximum_message_size", ctx);
			check_queue_producer(p, q, ctx);
		}
		late_warning(ctx, sc, p->start, schema_where(p, "start"), "the producer's start");
		for (size_t j = 0; j < p->schedule.len; j++) {
			const struct rate_change_cfg *r = VEC_AT(&p->schedule, struct rate_change_cfg, j);

			late_warning(ctx, sc, r->at, r->head.node, "the rate change");
		}
	}
}

/* ---- functions and triggers ------------------------------------------------- */

static bool invoked_by_anything(const struct scenario *sc, const char *fn)
{
	for (size_t i = 0; i < sc->producers.len; i++)
		if (strcmp(VEC_AT(&sc->producers, struct producer_cfg, i)->target, fn) == 0)
			return true;
	for (size_t i = 0; i < sc->triggers.len; i++)
		if (strcmp(VEC_AT(&sc->triggers, struct trigger_cfg, i)->function, fn) == 0)
			return true;
	for (size_t i = 0; i < sc->topics.len; i++) {
		const struct sns_topic_cfg *t = VEC_AT(&sc->topics, struct sns_topic_cfg, i);

		for (size_t j = 0; j < t->subscriptions.len; j++)
			if (strcmp(VEC_AT(&t->subscriptions, struct sns_sub_cfg, j)->endpoint, fn) == 0)
				return true;
	}
	return false;
}

/*
 * Reserved concurrency, and the provisioned concurrency of functions without
 * it, come out of the account's pool, which must keep 100 unreserved (§4.1).
 */
static void check_concurrency(const struct scenario *sc, struct schema_ctx *ctx)
{
	int64_t limit = sc->account.lambda_concurrency, taken = 0;

	for (size_t i = 0; i < sc->functions.len; i++) {
		const struct function_cfg *f = VEC_AT(&sc->functions, struct function_cfg, i);
		bool reserved = f->reserved_concurrency != INT64_MIN;
		int64_t n = reserved ? f->reserved_concurrency : f->provisioned_concurrency;
		const char *key = reserved ? "reserved_concurrency" : "provisioned_concurrency";

		if (n > 0 && taken + n > limit - LAMBDA_UNRESERVED_MIN) {
			int64_t room = limit - LAMBDA_UNRESERVED_MIN - taken;

			if (room > 0)
				schema_error(ctx, schema_where(f, key),
					     "%s %lld is too much: %d of the account's %lld must stay unreserved (aws-behaviour §4.1), so with the functions before it this one can have at most %lld (or raise account.lambda_concurrency)",
					     key, (long long)n, LAMBDA_UNRESERVED_MIN, (long long)limit, (long long)room);
			else
				schema_error(ctx, schema_where(f, key),
					     "%s %lld is too much: %d of the account's %lld must stay unreserved (aws-behaviour §4.1), and the functions before it leave none to reserve (raise account.lambda_concurrency)",
					     key, (long long)n, LAMBDA_UNRESERVED_MIN, (long long)limit);
			return;
		}
		taken += n;
	}
}

static void check_functions(struct scenario *sc, const struct vec *all, struct schema_ctx *ctx)
{
	for (size_t i = 0; i < sc->functions.len; i++) {
		const struct function_cfg *f = VEC_AT(&sc->functions, struct function_cfg, i);
		const struct doc_node *key = f->head.key;

		if (f->async.on_failure)
			want_standard_queue(sc, all, f->async.on_failure, schema_where(&f->async, "on_failure"),
					    "on-failure destination",
					    "Lambda's asynchronous destinations are standard queues", ctx);
		if (f->async.dead_letter)
			want_standard_queue(sc, all, f->async.dead_letter, schema_where(&f->async, "dead_letter"),
					    "dead-letter queue", "a function's dead-letter queue is a standard queue", ctx);
		if (sc->account.date < BEHAVIOUR_LAMBDA_10GB_1MS &&
		    (f->memory_mb > LAMBDA_MEMORY_MAX_MB_OLD || f->memory_mb % 64 != 0))
			schema_error(ctx, schema_where(f, "memory"),
				     "before 2020-12-01 memory is 128MB to %dMB in steps of 64MB, not %lldMB (aws-behaviour §4.5)",
				     LAMBDA_MEMORY_MAX_MB_OLD, (long long)f->memory_mb);
		if (f->reserved_concurrency == 0)
			schema_warning(ctx, schema_where(f, "reserved_concurrency"),
				       "reserved_concurrency 0 disables the function: every invocation is throttled (aws-behaviour §4.1)");
		if (dist_min(&f->duration) > (double)f->timeout)
			schema_warning(ctx, schema_where(f, "duration"),
				       "every invocation runs longer than the timeout (%gs) and fails with a timeout",
				       sim_time_to_sec(f->timeout));
		if (!invoked_by_anything(sc, f->head.name))
			schema_warning(ctx, key, "nothing invokes function '%s' (no producer targets it, no trigger or subscription names it)",
				       f->head.name);
	}
	check_concurrency(sc, ctx);
}

/* A mapping from a stream (§6): its failure destination, and what a failing record does. */
static void check_stream_trigger(struct scenario *sc, struct trigger_cfg *t, const struct vec *all,
				 struct schema_ctx *ctx)
{
	const struct stream_cfg *s = scenario_stream(sc, t->source);

	trigger_resolve(t, true, false, ctx);
	if (t->on_failure)
		want_standard_queue(sc, all, t->on_failure, schema_where(t, "on_failure"), "on-failure destination",
				    "Lambda sends failure records to standard queues", ctx);
	want(all, t->function, schema_where(t, "function"), "function", "function", NULL, ctx);
	if (t->maximum_record_age != SIM_TIME_UNSET && t->maximum_record_age >= s->retention)
		schema_warning(ctx, schema_where(t, "maximum_record_age"),
			       "maximum_record_age is not shorter than the retention of stream '%s': its records expire first, so the setting never acts (aws-behaviour §6.2, §3.5)",
			       s->head.name);
}

static void check_triggers(struct scenario *sc, const struct vec *all, struct schema_ctx *ctx)
{
	for (size_t i = 0; i < sc->triggers.len; i++) {
		struct trigger_cfg *t = VEC_AT(&sc->triggers, struct trigger_cfg, i);
		const struct named *src = find_named(all, t->source);
		const struct sqs_queue_cfg *q;
		const struct function_cfg *f;
		sim_time need;
		char a[32], b[32];

		if (src && strcmp(src->kind, "stream") == 0) {
			check_stream_trigger(sc, t, all, ctx);
			continue;
		}
		if (!src || strcmp(src->kind, "queue") != 0) {
			want(all, t->source, schema_where(t, "source"), "source", "queue", "stream", ctx);
			continue;
		}
		q = scenario_queue(sc, t->source);
		trigger_resolve(t, false, q->fifo, ctx);
		if (!want(all, t->function, schema_where(t, "function"), "function", "function", NULL, ctx))
			continue;
		f = scenario_function(sc, t->function);
		if (t->maximum_concurrency != INT64_MIN && sc->account.date < BEHAVIOUR_ESM_MAXIMUM_CONCURRENCY)
			schema_error(ctx, schema_where(t, "maximum_concurrency"),
				     "maximum_concurrency did not exist before January 2023 (aws-behaviour §5.3); the scenario's behaviour date is earlier");
		/* AWS recommends a visibility timeout of 6x the function timeout plus the window (§5.4). */
		need = ESM_VISIBILITY_FACTOR * f->timeout + t->maximum_batching_window;
		if (q->visibility_timeout < need)
			schema_warning(ctx, schema_where(t, "source"),
				       "queue '%s' has a visibility timeout of %s; with function '%s' (timeout %gs) and a %gs batching window AWS recommends at least %s, or throttled batches return before their retries end (aws-behaviour §5.4)",
				       q->head.name, units_format_duration(q->visibility_timeout, a, sizeof(a)),
				       f->head.name, sim_time_to_sec(f->timeout),
				       sim_time_to_sec(t->maximum_batching_window),
				       units_format_duration(need, b, sizeof(b)));
		if (t->maximum_concurrency != INT64_MIN && f->reserved_concurrency != INT64_MIN &&
		    t->maximum_concurrency > f->reserved_concurrency)
			schema_warning(ctx, schema_where(t, "maximum_concurrency"),
				       "maximum_concurrency %lld is above the reserved concurrency of function '%s' (%lld): the extra batches are throttled and their messages can reach the DLQ (aws-behaviour §5.3)",
				       (long long)t->maximum_concurrency, f->head.name,
				       (long long)f->reserved_concurrency);
	}
}

/*
 * A consumer application on a stream (§3.8): its keys, and the stream's
 * registered enhanced fan-out consumers, at most 20 (2023 docs; the current
 * limit is unconfirmed, so more is only a warning).
 */
static void check_stream_consumer(struct scenario *sc, struct consumer_cfg *c, size_t index,
				  struct schema_ctx *ctx)
{
	size_t efo = 0;

	consumer_resolve(c, true, ctx);
	if (!c->fan_out)
		return;
	for (size_t j = 0; j <= index; j++) {
		const struct consumer_cfg *o = VEC_AT(&sc->consumers, struct consumer_cfg, j);

		efo += o->fan_out && strcmp(o->source, c->source) == 0;
	}
	if (efo == KCONS_EFO_CONSUMERS_MAX + 1)
		schema_warning(ctx, schema_where(c, "fan_out"),
			       "stream '%s' has more than %d enhanced fan-out consumers, the limit per stream in 2023 (aws-behaviour §3.8; the current limit is unconfirmed): AWS may refuse to register this one",
			       c->source, KCONS_EFO_CONSUMERS_MAX);
}

static void check_consumers(struct scenario *sc, const struct vec *all, struct schema_ctx *ctx)
{
	for (size_t i = 0; i < sc->consumers.len; i++) {
		struct consumer_cfg *c = VEC_AT(&sc->consumers, struct consumer_cfg, i);
		const struct named *src = find_named(all, c->source);
		const struct sqs_queue_cfg *q;
		sim_time vt;
		double mean;

		if (src && strcmp(src->kind, "stream") == 0) {
			check_stream_consumer(sc, c, i, ctx);
			continue;
		}
		if (!src || strcmp(src->kind, "queue") != 0) {
			want(all, c->source, schema_where(c, "source"), "source", "queue", "stream", ctx);
			continue;
		}
		consumer_resolve(c, false, ctx);
		q = scenario_queue(sc, c->source);
		for (size_t j = 0; j < c->schedule.len; j++) {
			const struct scale_cfg *step = VEC_AT(&c->schedule, struct scale_cfg, j);

			late_warning(ctx, sc, step->at, step->head.node, "the change of workers");
		}
		vt = c->visibility_timeout != SIM_TIME_UNSET ? c->visibility_timeout : q->visibility_timeout;
		mean = dist_mean(&c->processing) * (double)c->batch_size;
		if (dist_min(&c->processing) == 0 && (c->on_failure == ON_FAILURE_RELEASE || vt == 0))
			schema_warning(ctx, schema_where(c, "processing"),
				       "processing can take 0s and a failed message is visible again at once: a worker can fail the same message a million times a simulated second (give processing a minimum above 0, or the queue a redrive policy)");
		if (c->heartbeat.every == SIM_TIME_UNSET && (double)vt < mean)
			schema_warning(ctx, schema_where(c, "processing"),
				       q->fifo ? "a batch takes %.3gs on average but the visibility timeout is %gs: messages will reappear while still being processed, be delivered again, and the late deletes fail on a FIFO queue (aws-behaviour §1.4, §1.7)"
					       : "a batch takes %.3gs on average but the visibility timeout is %gs: messages will reappear while still being processed and be delivered twice (aws-behaviour §1.4)",
				       mean / (double)SIM_SEC, sim_time_to_sec(vt));
	}
}

static void scenario_check(void *obj, struct schema_ctx *ctx)
{
	struct scenario *sc = obj;
	const struct doc_node *root = sc->head.node;
	struct vec all = { 0 };

	collect(&all, &sc->queues, sizeof(struct sqs_queue_cfg), "queue", doc_map_get(root, "queues"));
	collect(&all, &sc->streams, sizeof(struct stream_cfg), "stream", doc_map_get(root, "streams"));
	collect(&all, &sc->producers, sizeof(struct producer_cfg), "producer", doc_map_get(root, "producers"));
	collect(&all, &sc->consumers, sizeof(struct consumer_cfg), "consumer", doc_map_get(root, "consumers"));
	collect(&all, &sc->functions, sizeof(struct function_cfg), "function", doc_map_get(root, "functions"));
	collect(&all, &sc->topics, sizeof(struct sns_topic_cfg), "topic", doc_map_get(root, "topics"));
	collect_triggers(&all, sc);
	if (!sc->account.head.node)
		sc->account.date = behaviour_parse(sc->account.behaviour);
	unique_names(&all, ctx);
	check_queue_refs(sc, &all, ctx);
	check_producers(sc, &all, ctx);
	check_consumers(sc, &all, ctx);
	check_functions(sc, &all, ctx);
	check_triggers(sc, &all, ctx);
	check_topics(sc, &all, ctx);
	check_streams(sc, ctx);
	if (sc->queues.len == 0 && sc->functions.len == 0 && sc->streams.len == 0)
		schema_warning(ctx, sc->head.node, "the scenario has no queues, functions or streams: nothing will happen");
	if (sc->warmup >= sc->duration) {
		char w[32], dur[32];

		schema_error(ctx, schema_where(sc, "warmup"), "the warm-up (%s) must be shorter than the run (%s)",
			     units_format_duration(sc->warmup, w, sizeof(w)),
			     units_format_duration(sc->duration, dur, sizeof(dur)));
	}
	if (sc->metrics.period > sc->duration)
		schema_error(ctx, schema_where(&sc->metrics, "period"), "the metrics period is longer than the run");
	else if (sc->duration / sc->metrics.period > SCENARIO_PERIODS_MAX)
		schema_error(ctx, schema_where(&sc->metrics, "period"),
			     "the run would have more than %d metrics periods; choose a longer period",
			     SCENARIO_PERIODS_MAX);
	vec_release(&all);
}

const struct schema scenario_schema = {
	.name = "scenario",
	.size = sizeof(struct scenario),
	.fields = top_fields,
	.check = scenario_check,
	.help = "The settings of the whole run and the tables of resources.",
};

const struct sqs_queue_cfg *scenario_queue(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->queues.len; i++)
		if (strcmp(VEC_AT(&sc->queues, struct sqs_queue_cfg, i)->head.name, name) == 0)
			return VEC_AT(&sc->queues, struct sqs_queue_cfg, i);
	return NULL;
}

const struct stream_cfg *scenario_stream(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->streams.len; i++)
		if (strcmp(VEC_AT(&sc->streams, struct stream_cfg, i)->head.name, name) == 0)
			return VEC_AT(&sc->streams, struct stream_cfg, i);
	return NULL;
}

const struct sns_topic_cfg *scenario_topic(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->topics.len; i++)
		if (strcmp(VEC_AT(&sc->topics, struct sns_topic_cfg, i)->head.name, name) == 0)
			return VEC_AT(&sc->topics, struct sns_topic_cfg, i);
	return NULL;
}

const struct function_cfg *scenario_function(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->functions.len; i++)
		if (strcmp(VEC_AT(&sc->functions, struct function_cfg, i)->head.name, name) == 0)
			return VEC_AT(&sc->functions, struct function_cfg, i);
	return NULL;
}

/* ---- loading ------------------------------------------------------------ */

static int safe_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/*
 * The default name, from the file's: "scenarios/my burst.yaml" -> "my_burst"
 * (it names the output directory, so other characters become '_').
 */
static char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *b = slash ? slash + 1 : path;
	const char *dot = strrchr(b, '.');
	char *name = weir_strndup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));

	for (char *p = name; *p; p++)
		if (!safe_name_char(*p))
			*p = '_';
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		free(name);
		name = weir_strdup("scenario");
	}
	return name;
}

/* A name given with name: is used as a directory: keep it to a safe alphabet. */
static void check_run_name(struct scenario *sc, struct schema_ctx *ctx)
{
	const char *s = sc->name;

	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		goto bad;
	for (; *s; s++)
		if (!safe_name_char(*s))
			goto bad;
	return;
bad:
	schema_error(ctx, schema_where(sc, "name"),
		     "the name '%s' is used as a directory name: use letters, digits, '-', '_' and '.'",
		     sc->name);
}

static void release_parsed(struct scenario *sc)
{
	for (size_t i = 0; i < sc->producers.len; i++)
		producer_cfg_release(VEC_AT(&sc->producers, struct producer_cfg, i));
	for (size_t i = 0; i < sc->triggers.len; i++)
		free(VEC_AT(&sc->triggers, struct trigger_cfg, i)->derived_name);
	schema_release(&scenario_schema, sc);
}

/*
 * A --set path through a resource the scenario does not have (a typo:
 * "streams.hott.shards=16") would make a new resource with one setting.
 * That is an error; a whole new resource can still be given as a value
 * ("--set queues.extra={...}").
 */
static void check_override_names(const struct doc_node *root, struct diags *d)
{
	static const char *const tables[] = { "queues", "streams", "topics", "producers", "consumers", "functions" };

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct doc_node *map = doc_map_get(root, tables[t]);
		const char *names[256];
		size_t nn = 0;

		if (!map || map->kind != DOC_MAP)
			continue;
		for (size_t i = 0; i < doc_map_len(map) && nn < 256; i++)
			if (!doc_map_value(map, i)->by_path)
				names[nn++] = doc_map_key(map, i)->text;
		for (size_t i = 0; i < doc_map_len(map); i++) {
			const struct doc_node *key = doc_map_key(map, i);
			const char *near;

			if (!doc_map_value(map, i)->by_path)
				continue;
			near = weir_suggest(key->text, strlen(key->text), names, nn);
			if (near)
				diag_error(d, key->loc, "the scenario has no %.*s '%s' (did you mean '%s'?); to add one, give it whole: %s.%s={...}",
					   (int)strlen(tables[t]) - 1, tables[t], key->text, near, tables[t], key->text);
			else
				diag_error(d, key->loc, "the scenario has no %.*s '%s'; to add one, give it whole: %s.%s={...}",
					   (int)strlen(tables[t]) - 1, tables[t], key->text, tables[t], key->text);
		}
	}
}

struct scenario *scenario_load(const char *path, const char *text, size_t len,
			       const char *const *overrides, size_t noverrides, struct diags *d)
{
	struct scenario *sc = weir_calloc(1, sizeof(*sc));
	struct schema_ctx ctx = { .d = d, .root = &scenario_schema };
	unsigned before = d->errors;

	sc->file = path;
	sc->doc = text ? doc_load_text(path, text, len, NULL, d) : doc_load_file(path, d);
	if (!sc->doc)
		goto fail;
	for (size_t i = 0; i < noverrides; i++) {
		char name[32];

		/* Several overrides are told apart in messages: "--set #2". */
		if (noverrides == 1)
			snprintf(name, sizeof(name), "--set");
		else
			snprintf(name, sizeof(name), "--set #%zu", i + 1);
		doc_override(sc->doc, overrides[i], name, d);
	}
	if (d->errors == before && sc->doc->root->kind == DOC_MAP)
		check_override_names(sc->doc->root, d);
	if (d->errors != before)
		goto fail;
	if (sc->doc->root->kind != DOC_MAP) {
		schema_error(&ctx, sc->doc->root, "a scenario is a mapping of settings (name:, duration:, queues: ...), not a %s",
			     doc_kind_name(sc->doc->root));
		goto fail;
	}
	ctx.doc = sc->doc;
	sc->default_name = base_name(path);
	schema_parse(&scenario_schema, sc->doc->root, sc, &ctx);
	if (!sc->name)
		sc->name = sc->default_name;
	else if (d->errors == before)
		check_run_name(sc, &ctx);
	if (d->errors != before)
		goto fail;
	return sc;
fail:
	scenario_free(sc);
	return NULL;
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	release_parsed(sc);
	doc_free(sc->doc);
	free(sc->default_name);
	free(sc);
}

/*
 * producer.c - arrival processes sending messages to a queue.
 *
 * Invariant: at most one arrival event is pending per producer. A change of
 * rate (schedule step, burst on/off) cancels it and draws the next arrival
 * at the new rate; for a Poisson process this is exact, since the
 * exponential gap has no memory.
 */
#include "weir/producer.h"
#include "weir/call.h"
#include "weir/csvr.h"
#include "weir/hist.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* A send held back by adaptive mode's token bucket, in the producer's FIFO. */
struct send_wait {
	struct send_wait *next;
	void (*send)(struct send_wait *w);
};

/* A record on its way to a stream. */
struct krec {
	struct hash128 hash;
	uint64_t key;
	uint32_t size;
	uint16_t key_len;
	uint8_t poison;
};

struct producer {
	struct sim *sim;
	const char *name;
	const struct producer_cfg *cfg;
	struct sqs_queue *q;          /* the target: a queue ... */
	struct lambda_fn *fn;         /* ... or a function ... */
	struct kinesis_stream *stream;   /* ... or a stream ... */
	struct sns_topic *topic;      /* ... or a topic */
	gsl_rng *r_attrs;             /* topic: message attributes */
	struct key_gen *keys;         /* stream: drawn partition keys (NULL: from the trace) */
	struct key_gen *groups;       /* FIFO queue: drawn message groups (NULL: from the trace) */
	gsl_rng *r_groups, *r_dups, *r_bodies;
	struct sqs_env *env;          /* MessageGroupIds read from traces are numbered there */
	uint64_t id_salt;             /* FIFO queue: makes deduplication ids unique to the producer */
	uint64_t balanced;            /* stream: records put with a balanced explicit hash key */
	char trace_key[KINESIS_KEY_MAX + 1];   /* stream: the key of the next trace arrival */
	struct krec *buf;             /* stream: records gathered for a PutRecords */
	uint32_t nbuf;
	double buf_bytes;
	sim_event_id linger;
	uint64_t in_requests;         /* stream: records in requests waiting to retry */
	struct put_req *retrying;     /* stream: those requests (freed with the producer) */
	struct send_wait *wait_head, *wait_tail;   /* sends waiting for an adaptive token */
	sim_event_id token_timer;
	struct retry_client retry;
	struct retry_client resend;   /* stream: the application's resends of PutRecords entries */
	struct pool requests;         /* struct request: synchronous invocations, FIFO sends, publishes */
	struct pool batches;          /* struct batch_req: SendMessageBatch calls */
	struct request *gather;       /* queue: the SendMessageBatch being gathered, or NULL */
	uint64_t nqbuf;               /* queue: messages in it */
	uint64_t waiting;             /* requests waiting to retry */
	struct hist latency_period, latency_total;   /* sync invokes: first attempt to response, us */
	gsl_rng *r_arrivals, *r_size, *r_poison, *r_delay, *r_bursts, *r_keys;
	double base_rate;         /* from the schedule, per second */
	int burst_on;
	int active;               /* between start and stop */
	sim_event_id next;        /* the pending arrival */
	sim_event_id burst_timer; /* the next on/off toggle */
	sim_time last;            /* time of the last arrival (or the start) */
	struct csvr *trace;
	unsigned long trace_line;
	struct producer_counters c, c_warm;
};

/* ---- configuration ---------------------------------------------------- */

static const char *const burst_first[] = { "off", "on", NULL };

#define BF(field) .offset = offsetof(struct bursts_cfg, field)
static const struct schema_field burst_fields[] = {
	{ .key = "rate", .type = ST_RATE, BF(rate), .flags = SF_REQUIRED | SF_MIN, .min = 0,
	  .help = "Arrival rate during an on period." },
	{ .key = "on", .type = ST_DIST, BF(on), .unit = UNIT_DURATION, .flags = SF_REQUIRED | SF_MIN,
	  .min = 0, .help = "Length of each on period (a duration or a distribution)." },
	{ .key = "off", .type = ST_DIST, BF(off), .unit = UNIT_DURATION, .flags = SF_REQUIRED | SF_MIN,
	  .min = 0, .help = "Length of each off period, when the scheduled rate applies." },
	{ .key = "first", .type = ST_ENUM, BF(first), .dflt = "off", .choices = burst_first,
	  .help = "Whether the producer starts in an off or an on period." },
	{ 0 }
};

static void bursts_check(void *obj, struct schema_ctx *ctx)
{
	struct bursts_cfg *b = obj;

	if (!(dist_mean(&b->on) + dist_mean(&b->off) > 0))
		schema_error(ctx, b->head.node, "'on' and 'off' cannot both be 0: the bursts would never let time pass");
}

static const struct schema bursts_schema = {
	.name = "bursts",
	.size = sizeof(struct bursts_cfg),
	.fields = burst_fields,
	.check = bursts_check,
	.help = "On/off bursts: periods at `rate` alternate with periods at the producer's own (scheduled) rate. With exponential on and off lengths the arrivals form a Markov-modulated Poisson process.",
};

#define RF(field) .offset = offsetof(struct rate_change_cfg, field)
static const struct schema_field rate_fields[] = {
	{ .key = "at", .type = ST_DURATION, RF(at), .flags = SF_REQUIRED | SF_MIN, .min = 0,
	  .help = "When the new rate starts." },
	{ .key = "rate", .type = ST_RATE, RF(rate), .flags = SF_REQUIRED | SF_MIN, .min = 0,
	  .help = "The arrival rate from then on." },
	{ 0 }
};

static const struct schema rate_schema = {
	.name = "rate change",
	.size = sizeof(struct rate_change_cfg),
	.fields = rate_fields,
	.help = "One step of a piecewise-constant rate schedule, in time order.",
};

static const struct schema_field attribute_fields[] = {
	{ .key = "values", .type = ST_STRING, .offset = offsetof(struct attribute_cfg, values),
	  .flags = SF_REQUIRED, .rule = "§7.1",
	  .help = "A fixed value (`eu`), or choice(eu=0.3, us=0.7): one value per message, drawn with those shares (they sum to 1; values are names of letters, digits and '_')." },
	{ 0 }
};

static int attribute_parse(struct attribute_cfg *a, struct parse_err *err)
{
	struct call c;
	double total = 0;
	int rc = 0;

	if (call_parse(a->values, "attribute value", &c, err) != 0)
		return -1;
	if (!c.name) {   /* a bare value: always this one */
		a->nchoices = 1;
		a->choices = weir_calloc(1, sizeof(*a->choices));
		a->cumulative = weir_calloc(1, sizeof(*a->cumulative));
		a->choices[0] = weir_strdup(c.nargs ? c.args[0].value : a->values);
		a->cumulative[0] = 1;
		goto out;
	}
	if (strcmp(c.name, "choice") != 0 || c.nargs == 0) {
		rc = parse_fail(err, c.name_off, c.name_len,
				"an attribute is a value or choice(VALUE=SHARE, ...), e.g. choice(eu=0.3, us=0.7)");
		goto out;
	}
	a->choices = weir_calloc(c.nargs, sizeof(*a->choices));
	a->cumulative = weir_calloc(c.nargs, sizeof(*a->cumulative));
	for (size_t i = 0; i < c.nargs; i++) {
		double share;

		if (!c.args[i].key) {
			rc = parse_fail(err, c.args[i].val_off, c.args[i].val_len, "write VALUE=SHARE, e.g. eu=0.3");
			goto out;
		}
		if (units_parse_real(c.args[i].value, &share, err) != 0 || share < 0 || share > 1) {
			rc = parse_fail(err, c.args[i].val_off, c.args[i].val_len, "a share is a number from 0 to 1");
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->choices[j], c.args[i].key) == 0) {
				rc = parse_fail(err, c.args[i].key_off, c.args[i].key_len, "'%s' is given twice", c.args[i].key);
				goto out;
			}
		total += share;
		a->choices[a->nchoices] = weir_strdup(c.args[i].key);
		a->cumulative[a->nchoices++] = total;
	}
	if (fabs(total - 1) > 1e-9)
		rc = parse_fail(err, 0, strlen(a->values), "the shares add up to %g, not 1", total);
	else
		a->cumulative[a->nchoices - 1] = 1;   /* no rounding gap at the top */
out:
	call_release(&c);
	return rc;
}

static void attribute_check(void *obj, struct schema_ctx *ctx)
{
	struct attribute_cfg *a = obj;
	struct parse_err err;

	if (attribute_parse(a, &err) != 0)
		schema_parse_error(ctx, schema_node(a, "values") ? schema_node(a, "values") : a->head.node,
				   a->head.name, &err);
}

static const struct schema attribute_schema = {
	.name = "attribute",
	.size = sizeof(struct attribute_cfg),
	.fields = attribute_fields,
	.shorthand = "values",
	.check = attribute_check,
	.help = "A message attribute, drawn per message for the filter policies of a topic's subscriptions (aws-behaviour §7.1).",
};

#define MF(field) .offset = offsetof(struct message_cfg, field)
static const struct schema_field message_fields[] = {
	{ .key = "size", .type = ST_DIST, MF(size), .unit = UNIT_SIZE, .dflt = "1KB", .flags = SF_MIN,
	  .min = 0, .rule = "§1.8",
	  .help = "Message size; sends larger than the queue's maximum_message_size are rejected." },
	{ .key = "poison", .type = ST_REAL, MF(poison), .dflt = "0", .flags = SF_RANGE, .min = 0, .max = 1,
	  .help = "Fraction of messages that every consumer fails to process." },
	{ .key = "delay", .type = ST_DIST, MF(delay), .unit = UNIT_DURATION, .flags = SF_MIN, .min = 0,
	  .rule = "§1.6", .help = "Message timer (DelaySeconds per message, 0..15m), overriding the queue's delay; unset uses the queue's." },
	{ .key = "attributes", .type = ST_TABLE, MF(attributes), .sub = &attribute_schema, .rule = "§7.1",
	  .help = "Topic targets: message attributes by name, each a value or choice(VALUE=SHARE, ...), e.g. `attributes: { region: \"choice(eu=0.3, us=0.7)\" }`." },
	{ .key = "group", .type = ST_STRING, MF(group), .rule = "§2.1",
	  .help = "FIFO queue and topic targets (required there): each message's MessageGroupId, uniform(keys=N) for N groups equally likely, zipf(keys=N, s=S), hot(keys=N, share=P) for one group taking share P, or column(NAME) to take one per row from the trace's column NAME (e.g. one group per customer)." },
	{ .key = "deduplication_id", .type = ST_BOOL, MF(deduplication_id), .dflt = "true", .rule = "§2.2",
	  .help = "FIFO queue and topic targets: send an explicit MessageDeduplicationId, unique per message (a repeated send reuses it). false leaves deduplication to the target's content_based_deduplication, by body." },
	{ .key = "bodies", .type = ST_INT, MF(bodies), .flags = SF_RANGE, .min = 1, .max = 1e12, .rule = "§2.2",
	  .help = "With deduplication_id false: the number of distinct bodies, each message's drawn uniformly, so that two different messages with the same body are duplicates to content-based deduplication. Unset: every message has its own body." },
	{ 0 }
};

#define DF(field) .offset = offsetof(struct duplicates_cfg, field)
static const struct schema_field duplicates_fields[] = {
	{ .key = "fraction", .type = ST_REAL, DF(fraction), .flags = SF_REQUIRED | SF_RANGE, .min = 0, .max = 1,
	  .rule = "§2.2", .help = "Fraction of sends that are sent a second time, the same message with the same deduplication id." },
	{ .key = "after", .type = ST_DIST, DF(after), .unit = UNIT_DURATION, .dflt = "1s", .flags = SF_MIN, .min = 0,
	  .rule = "§2.2", .help = "How long after the first send the repeat goes (a duration or a distribution)." },
	{ 0 }
};

static const struct schema duplicates_schema = {
	.name = "duplicates",
	.size = sizeof(struct duplicates_cfg),
	.fields = duplicates_fields,
	.help = "Repeated sends or publishes, as when a client retries after a lost response (aws-behaviour §2.2, §7.3): a FIFO queue or topic drops a repeat within 5 minutes of the first as a duplicate; a standard queue stores it as a second message and a standard topic delivers it again.",
};

static void message_check(void *obj, struct schema_ctx *ctx)
{
	struct message_cfg *m = obj;

	if (m->attributes.len > SNS_MESSAGE_ATTRIBUTES_MAX)
		schema_error(ctx, schema_where(m, "attributes"),
			     "at most %d message attributes per message (an SQS subscriber takes no more, aws-behaviour §1.8)",
			     SNS_MESSAGE_ATTRIBUTES_MAX);
	if (m->delay.kind != DIST_NONE && dist_max(&m->delay) > (double)SQS_DELAY_MAX)
		schema_error(ctx, schema_where(m, "delay"),
			     "'delay' can exceed 15m, the longest message timer (aws-behaviour §1.6)");
}

static const struct schema message_schema = {
	.name = "message",
	.size = sizeof(struct message_cfg),
	.fields = message_fields,
	.check = message_check,
	.help = "What each message looks like.",
};

#define BF2(field) .offset = offsetof(struct put_batch_cfg, field)
static const struct schema_field put_batch_fields[] = {
	{ .key = "records", .type = ST_INT, BF2(records), .dflt = "500", .flags = SF_RANGE, .min = 1,
	  .max = KINESIS_PUT_RECORDS_MAX, .rule = "§3.4, §1.8", .help = "Most records per PutRecords request (1..500, default 500); for a queue target, messages per SendMessageBatch (1..10, default 10)." },
	{ .key = "bytes", .type = ST_SIZE, BF2(bytes), .dflt = "5MiB", .flags = SF_RANGE | SF_MIN_OPEN, .min = 0,
	  .max = KINESIS_PUT_RECORDS_BYTES, .rule = "§3.4, §1.8",
	  .help = "Most bytes per request, partition keys included (up to 5 MiB, the default); for a queue target, per SendMessageBatch (up to and by default 1 MiB)." },
	{ .key = "linger", .type = ST_DURATION, BF2(linger), .dflt = "100ms", .flags = SF_MIN, .min = 0,
	  .help = "Longest a record (or message) waits for its request to fill before the request goes (the KPL's RecordMaxBufferedTime; 0 sends each arrival's request at once)." },
	{ 0 }
};

static const struct schema put_batch_schema = {
	.name = "batch",
	.size = sizeof(struct put_batch_cfg),
	.fields = put_batch_fields,
	.help = "PutRecords batching of a stream producer (aws-behaviour §3.4), or SendMessageBatch batching of a queue producer (§1.8): records (messages) gather until the request holds `records` of them or `bytes` bytes, or its oldest has waited `linger`. Entries a stream throttles are put again, as the retry policy says; a SendMessageBatch a FIFO queue throttles goes again whole. Without `batch`, each record is a PutRecord and each message a SendMessage; `batch: {}` gathers with the defaults (500 records and 5 MiB for a stream, 10 messages and 1 MiB for a queue).",
};

static const char *const invoke_names[] = { "sync", "async", NULL };
static const char *const hash_names[] = { "none", "random", "balanced", NULL };

#define PF(field) .offset = offsetof(struct producer_cfg, field)
static const struct schema_field producer_fields[] = {
	{ .key = "target", .type = ST_NAME, PF(target), .flags = SF_REQUIRED,
	  .help = "The queue the producer sends to, the function it invokes, the stream it puts records into, or the topic it publishes to." },
	{ .key = "invoke", .type = ST_ENUM, PF(invoke), .dflt = "sync", .choices = invoke_names,
	  .rule = "§4.3, §4.4",
	  .help = "For a function target: sync (RequestResponse: throttles come back to this producer) or async (Event: Lambda queues and retries)." },
	{ .key = "retry", .type = ST_OBJECT, PF(retry), .sub = &retry_schema, .rule = "§8",
	  .help = "How this producer retries throttled synchronous invocations, stream records, FIFO queue sends and FIFO topic publishes." },
	{ .key = "partition_key", .type = ST_STRING, PF(partition_key), .rule = "§3.1",
	  .help = "Stream targets: the partition keys, uniform(keys=N), zipf(keys=N, s=S), hot(keys=N, share=P), random (the default: a new key per record), or column(NAME) to take them from the trace's column NAME." },
	{ .key = "explicit_hash_key", .type = ST_ENUM, PF(explicit_hash_key), .dflt = "none", .choices = hash_names,
	  .rule = "§3.1",
	  .help = "Stream targets: an ExplicitHashKey that picks the shard instead of the MD5 of the partition key: none; random (a uniform 128-bit hash key per record: even shards, but one key's records spread over all of them and lose their order); balanced (the producer cycles through the open shards, putting one record on each in turn)." },
	{ .key = "batch", .type = ST_OBJECT, PF(batch), .sub = &put_batch_schema, .rule = "§3.4",
	  .help = "Stream targets: gather records into PutRecords requests (unset puts each record with PutRecord). Queue targets: gather messages into SendMessageBatch calls of up to 10 messages and 1 MiB (the defaults there; a FIFO queue counts each call once against its 300 a second, aws-behaviour §1.8, §2.3); unset sends each with SendMessage." },
	{ .key = "arrivals", .type = ST_STRING, PF(arrivals), .flags = SF_REQUIRED,
	  .help = "Arrival process: poisson(rate=R), constant(rate=R) or trace(file=F, column=C, unit=U)." },
	{ .key = "schedule", .type = ST_LIST, PF(schedule), .sub = &rate_schema,
	  .help = "Rate changes over time (poisson and constant only)." },
	{ .key = "bursts", .type = ST_OBJECT, PF(bursts), .sub = &bursts_schema,
	  .help = "On/off bursts on top of the scheduled rate (poisson and constant only)." },
	{ .key = "message", .type = ST_OBJECT, PF(message), .sub = &message_schema,
	  .help = "Size, poison fraction and timer of the messages; their group and deduplication for FIFO queues and topics; their attributes for topics." },
	{ .key = "duplicates", .type = ST_OBJECT, PF(duplicates), .sub = &duplicates_schema, .rule = "§2.2",
	  .help = "Queue and topic targets: a fraction of sends or publishes repeated a little later, as after a lost response." },
	{ .key = "start", .type = ST_DURATION, PF(start), .dflt = "0s", .flags = SF_MIN, .min = 0,
	  .help = "When the producer starts; trace times count from here." },
	{ .key = "stop", .type = ST_DURATION, PF(stop), .flags = SF_MIN, .min = 0,
	  .help = "When it stops; unset runs to the end." },
	{ .key = "messages", .type = ST_INT, PF(messages), .flags = SF_MIN, .min = 1,
	  .help = "Stop after sending this many messages; unset has no limit." },
	{ 0 }
};

/* Reads a trace cell as a time: "12.5" (in the trace's unit) or "12.5s". */
static int trace_time(const char *text, double unit_us, sim_time *out, struct parse_err *err)
{
	double v;

	if (units_parse_real(text, &v, err) == 0) {
		if (v < 0 || v * unit_us > (double)UNITS_DURATION_MAX) {
			snprintf(err->msg, sizeof(err->msg), "time '%s' is out of range", text);
			return -1;
		}
		*out = (sim_time)llround(v * unit_us);
		return 0;
	}
	return units_parse_duration(text, out, err);
}

/* csvr's header rule for traces: a cell is a value when it reads as a time (ctx: the spec). */
static int trace_is_time(const char *cell, void *ctx)
{
	const struct arrival_spec *a = ctx;
	struct parse_err err;
	sim_time t;

	return trace_time(cell, a->unit_us, &t, &err) == 0;
}

/* Opens a's trace (a must outlive the reader); NULL with msg filled. */
static struct csvr *open_trace(const struct arrival_spec *a, char *msg, size_t n)
{
	const char *columns[] = { a->column ? a->column : "1", a->key_column, NULL };
	struct csvr_opts o = { .columns = columns, .is_value = trace_is_time, .ctx = (void *)(uintptr_t)a,
				.flags = CSVR_STRICT };

	return csvr_open(a->file, &o, msg, n);
}

/* Reads the whole trace once, so that a bad file is a scenario error. */
static int check_trace(struct arrival_spec *a, char *msg, size_t n)
{
	struct csvr *r = open_trace(a, msg, n);
	const char *cells[2] = { NULL, NULL }, *v;
	unsigned long line;
	sim_time t, prev = 0;
	struct parse_err err;
	int rc;

	if (!r)
		return -1;
	while ((rc = csvr_next(r, cells, &line, msg, n)) == 1) {
		v = cells[0];
		if (a->key_column && (cells[1][0] == '\0' || strlen(cells[1]) > a->key_max)) {
			snprintf(msg, n, "%s:%lu: %s", a->file, line, a->key_what);
			rc = -1;
			break;
		}
		if (trace_time(v, a->unit_us, &t, &err) != 0) {
			snprintf(msg, n, "%s:%lu: cannot read '%.40s' as a time: %.100s", a->file, line, v, err.msg);
			rc = -1;
			break;
		}
		if (t < prev) {
			snprintf(msg, n, "%s:%lu: times must not decrease (%s after a later one)", a->file, line, v);
			rc = -1;
			break;
		}
		prev = t;
		a->rows++;
	}
	csvr_close(r);
	if (rc == 0 && a->rows == 0) {
		snprintf(msg, n, "%s holds no arrival times", a->file);
		rc = -1;
	}
	return rc;
}

/* unit=: what one unit of the trace's bare times is, in microseconds. */
static int trace_unit(const struct call_arg *unit, sim_time *u, struct parse_err *err)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "1%s", unit->value);
	if (units_parse_duration(buf, u, err) != 0)
		return parse_fail(err, unit->val_off, unit->val_len,
				  "unit '%s' is not a time unit (us, ms, s, m, h, d)", unit->value);
	return 0;
}

static int parse_trace_spec(const struct call *c, const char *dir, struct arrival_spec *a,
			    struct parse_err *err)
{
	static const char *const keys[] = { "file", "column", "unit", NULL };
	const struct call_arg *file = call_arg(c, "file"), *col = call_arg(c, "column"),
			      *unit = call_arg(c, "unit");
	sim_time u = SIM_SEC;
	char msg[sizeof(err->msg)];

	if (call_check_keys(c, "trace", keys, err) != 0)
		return -1;
	if (!file)
		return parse_fail(err, c->name_off, c->name_len,
				  "trace needs file=PATH (a CSV of arrival times)");
	if (unit && trace_unit(unit, &u, err) != 0)
		return -1;
	a->kind = ARRIVAL_TRACE;
	a->unit_us = (double)u;
	a->file = file->value[0] == '/' ? weir_strdup(file->value)
					: weir_asprintf("%s/%s", dir ? dir : ".", file->value);
	a->column = col ? weir_strdup(col->value) : NULL;
	if (check_trace(a, msg, sizeof(msg)) != 0)
		return parse_fail(err, file->val_off, file->val_len, "%s", msg);
	return 0;
}

static int parse_rate_spec(const struct call *c, struct arrival_spec *a, struct parse_err *err)
{
	static const char *const keys[] = { "rate", NULL };
	const struct call_arg *rate = call_arg(c, "rate");

	if (call_check_keys(c, c->name, keys, err) != 0)
		return -1;
	if (!rate)
		return parse_fail(err, c->name_off, c->name_len, "%s needs rate=R, e.g. %s(rate=200/s)",
				  c->name, c->name);
	if (units_parse_rate(rate->value, &a->rate, err) != 0) {
		err->offset += rate->val_off;
		return -1;
	}
	a->kind = strcmp(c->name, "poisson") == 0 ? ARRIVAL_POISSON : ARRIVAL_CONSTANT;
	return 0;
}

static int unknown_arrivals(const struct call *c, struct parse_err *err)
{
	static const char *const names[] = { "poisson", "constant", "trace" };
	const char *near = weir_suggest(c->name, strlen(c->name), names, 3);

	if (near)
		return parse_fail(err, c->name_off, c->name_len,
				  "unknown arrival process '%s' (did you mean '%s'?)", c->name, near);
	return parse_fail(err, c->name_off, c->name_len,
			  "unknown arrival process '%s' (use poisson, constant or trace)", c->name);
}

/* Reads a split arrival process into a; dir is where trace files are. */
static int arrivals_from_call(const struct call *c, const char *dir, struct arrival_spec *a,
			      struct parse_err *err)
{
	if (!c->name)
		return parse_fail(err, 0, strlen(c->text),
				  "expected an arrival process: poisson(rate=R), constant(rate=R) or trace(file=F)");
	for (size_t i = 0; i < c->nargs; i++)
		if (!c->args[i].key)
			return parse_fail(err, c->args[i].val_off, c->args[i].val_len,
					  "arguments are written key=value, e.g. poisson(rate=200/s)");
	if (strcmp(c->name, "poisson") == 0 || strcmp(c->name, "constant") == 0)
		return parse_rate_spec(c, a, err);
	if (strcmp(c->name, "trace") == 0)
		return parse_trace_spec(c, dir, a, err);
	return unknown_arrivals(c, err);
}

static int parse_arrivals(const char *text, const char *dir, struct arrival_spec *a,
			  struct parse_err *err)
{
	struct call c;
	int rc;

	if (call_parse(text, "arrival process", &c, err) != 0)
		return -1;
	rc = arrivals_from_call(&c, dir, a, err);
	call_release(&c);
	return rc;
}

/* partition_key or message.group: a key distribution, or column(NAME) of the trace. */
static int parse_keys(const char *text, const char *what, struct key_source *k, char **column,
		      struct parse_err *err)
{
	struct call c;

	if (strncmp(text, "column", 6) != 0 || call_name_len(text) != 6)
		return keys_parse(text, &k->spec, err);
	if (call_parse(text, what, &c, err) != 0)
		return -1;
	if (c.nargs != 1 || c.args[0].key) {
		parse_fail(err, c.name_off, c.name_len, "column takes the trace column's name or number: column(customer)");
		call_release(&c);
		return -1;
	}
	k->column = true;
	*column = weir_strdup(c.args[0].value);
	call_release(&c);
	return 0;
}

static void producer_check(void *obj, struct schema_ctx *ctx)
{
	struct producer_cfg *p = obj;
	const struct rate_change_cfg *s = p->schedule.items;
	struct parse_err err;

	p->keys.spec.kind = KEYS_RANDOM;
	p->arr.key_max = KINESIS_KEY_MAX;
	p->arr.key_what = "a partition key is 1 to 256 characters (aws-behaviour §3.1)";
	if (p->partition_key && parse_keys(p->partition_key, "partition key source", &p->keys,
					   &p->arr.key_column, &err) != 0) {
		schema_parse_error(ctx, schema_node(p, "partition_key"), "partition_key", &err);
		return;
	}
	if (p->message.group && p->partition_key) {
		schema_error(ctx, schema_where(&p->message, "group"),
			     "'message.group' is for FIFO queue targets and 'partition_key' for stream targets: a producer has one target");
		return;
	}
	if (p->message.group) {
		if (parse_keys(p->message.group, "message group source", &p->groups, &p->arr.key_column, &err) != 0) {
			if (strncmp(err.msg, "unknown key distribution", 24) == 0)
				snprintf(err.msg, sizeof(err.msg),
					 "a message group is drawn from uniform(keys=N), zipf(keys=N, s=S), hot(keys=N, share=P), or read from a trace with column(NAME)");
			schema_parse_error(ctx, schema_node(&p->message, "group"), "group", &err);
			return;
		}
		if (!p->groups.column && p->groups.spec.kind == KEYS_RANDOM) {
			schema_error(ctx, schema_where(&p->message, "group"),
				     "a message group is drawn from uniform(keys=N), zipf(keys=N, s=S), hot(keys=N, share=P) or column(NAME); for very many groups use uniform with a large N (a queue keeps about 60 bytes per group it has seen)");
			return;
		}
		if (p->groups.spec.n > UINT32_MAX - 1 || (!p->groups.column && p->groups.spec.n > KEYS_MAX))
			schema_error(ctx, schema_where(&p->message, "group"), "at most %d message groups", KEYS_MAX);
		p->arr.key_max = SQS_FIFO_GROUP_ID_MAX;
		p->arr.key_what = "a MessageGroupId is 1 to 128 characters (aws-behaviour §2.1)";
	}
	if (p->message.bodies != INT64_MIN && p->message.deduplication_id && schema_node(&p->message, "bodies"))
		schema_error(ctx, schema_where(&p->message, "bodies"),
			     "'bodies' matters only to content-based deduplication: set 'deduplication_id: false' to use it");
	if (parse_arrivals(p->arrivals, ctx->doc ? ctx->doc->dir : NULL, &p->arr, &err) != 0) {
		schema_parse_error(ctx, schema_node(p, "arrivals"), "arrivals", &err);
		return;
	}
	if (p->keys.column && p->arr.kind != ARRIVAL_TRACE)
		schema_error(ctx, schema_where(p, "partition_key"),
			     "column(NAME) takes the keys from a trace's column: it needs trace(file=...) arrivals");
	if (p->groups.column && p->arr.kind != ARRIVAL_TRACE)
		schema_error(ctx, schema_where(&p->message, "group"),
			     "column(NAME) takes the groups from a trace's column: it needs trace(file=...) arrivals");
	if (p->arr.kind == ARRIVAL_TRACE && (p->schedule.len || !isnan(p->bursts.rate)))
		schema_error(ctx, schema_where(p, p->schedule.len ? "schedule" : "bursts"),
			     "a trace replays its own times; 'schedule' and 'bursts' apply to poisson and constant arrivals");
	for (size_t i = 1; i < p->schedule.len; i++)
		if (s[i].at <= s[i - 1].at)
			schema_error(ctx, s[i].head.node, "schedule steps must be in increasing time order");
	if (p->stop != SIM_TIME_UNSET && p->stop <= p->start)
		schema_error(ctx, schema_where(p, "stop"), "'stop' must come after 'start'");
}

const struct schema producer_schema = {
	.name = "producer",
	.size = sizeof(struct producer_cfg),
	.fields = producer_fields,
	.check = producer_check,
	.help = "A workload, named by its key, that sends messages to a queue, invokes a function, puts records into a stream or publishes to a topic.",
};

void producer_cfg_release(struct producer_cfg *cfg)
{
	for (size_t i = 0; i < cfg->message.attributes.len; i++) {
		struct attribute_cfg *a = VEC_AT(&cfg->message.attributes, struct attribute_cfg, i);

		for (size_t j = 0; j < a->nchoices; j++)
			free(a->choices[j]);
		free(a->choices);
		free(a->cumulative);
		a->choices = NULL;
		a->cumulative = NULL;
		a->nchoices = 0;
	}
	free(cfg->arr.file);
	free(cfg->arr.column);
	free(cfg->arr.key_column);
	cfg->arr.file = cfg->arr.column = cfg->arr.key_column = NULL;
}

/* ---- metrics ------------------------------------------------------------ */

enum { PM_PRODUCED, PM_REJECTED, PM_THROTTLED, PM_GAVE_UP, PM_LATENCY, PM_NDEFS };

static const struct metric_def producer_defs[PM_NDEFS] = {
	[PM_PRODUCED] = { "MessagesProduced", "count", METRIC_SUM, NULL,
			  "Messages (or requests) the producer generated in the period." },
	[PM_REJECTED] = { "SendsRejected", "count", METRIC_SUM, "§1.8, §4.3",
			  "Sends the target refused: larger than the queue's maximum_message_size, or than the function's payload limit." },
	[PM_THROTTLED] = { "ThrottledAttempts", "count", METRIC_SUM, "§4.3, §3.2",
			   "Synchronous invoke attempts refused with 429, or stream records refused with ProvisionedThroughputExceededException (each retry counts; sync function and stream targets)." },
	[PM_GAVE_UP] = { "GiveUps", "count", METRIC_SUM, "§8.3",
			 "Synchronous requests, or stream records, given up after the retry policy's last attempt (sync function and stream targets)." },
	[PM_LATENCY] = { "InvokeLatency", "seconds", METRIC_PERCENTILES, "§4.6",
			 "Synchronous requests answered in the period: time from the first attempt to the response, retries, INIT and the run included (sync function targets only)." },
};

const struct metric_family producer_metric_family = {
	.kind = "Producer",
	.intro = "One set per producer, named `PRODUCER/Metric`. Every generated message is either sent (and counted by the queue's `NumberOfMessagesSent` or the function's invocations) or rejected; a synchronous request to a function can also be given up after throttles.",
	.defs = producer_defs,
	.ndefs = PM_NDEFS,
};

void producer_register_metrics(struct producer *p, struct metrics *m)
{
	metrics_sum(m, p->name, &producer_defs[PM_PRODUCED], &p->c.produced);
	metrics_sum(m, p->name, &producer_defs[PM_REJECTED], &p->c.rejected);
	if (p->stream) {
		metrics_sum(m, p->name, &producer_defs[PM_THROTTLED], &p->c.throttled);
		metrics_sum(m, p->name, &producer_defs[PM_GAVE_UP], &p->c.gave_up);
	}
	if (!p->fn || p->cfg->invoke != INVOKE_SYNC)
		return;
	metrics_sum(m, p->name, &producer_defs[PM_THROTTLED], &p->c.throttled);
	metrics_sum(m, p->name, &producer_defs[PM_GAVE_UP], &p->c.gave_up);
	metrics_percentiles(m, p->name, &producer_defs[PM_LATENCY], &p->latency_period, 1e-6);
}

/* ---- runtime ------------------------------------------------------------ */

static void on_arrival(struct sim *sim, void *subject, void *object);
static void halt(struct producer *p);

static double current_rate(const struct producer *p)
{
	return p->burst_on ? p->cfg->bursts.rate : p->base_rate;
}

/* Schedules the next arrival of a rate-driven process at the current rate. */
static void arm(struct producer *p)
{
	double rate = current_rate(p);
	sim_time now = sim_now(p->sim), at;

	sim_cancel(p->sim, p->next);
	p->next = SIM_EVENT_NONE;
	if (!p->active || rate <= 0)
		return;
	if (p->cfg->arr.kind == ARRIVAL_POISSON) {
		at = sim_add(now, sim_round_us(gsl_ran_exponential(p->r_arrivals, (double)SIM_SEC / rate)));
	} else {
		sim_time gap = sim_round_us((double)SIM_SEC / rate);

		at = sim_add(p->last, gap > 0 ? gap : 1);   /* at least the 1 us resolution */
		if (at < now)
			at = now;
	}
	if (at < SIM_TIME_MAX)
		p->next = sim_schedule(p->sim, at, on_arrival, p, NULL);
}

/* Schedules the next trace arrival, or stops at the end of the file. */
static void arm_trace(struct producer *p)
{
	const char *cells[2] = { NULL, NULL };
	char msg[256];
	struct parse_err err;
	sim_time t;
	int rc;

	rc = csvr_next(p->trace, cells, &p->trace_line, msg, sizeof(msg));
	if (rc != 1 || trace_time(cells[0], p->cfg->arr.unit_us, &t, &err) != 0) {
		halt(p);   /* the end, or a file changed since it was checked at load */
		return;
	}
	if (cells[1])
		snprintf(p->trace_key, sizeof(p->trace_key), "%s", cells[1]);
	t += p->cfg->start;
	p->next = sim_schedule(p->sim, t > sim_now(p->sim) ? t : sim_now(p->sim), on_arrival, p, NULL);
}

static uint32_t draw_size(struct producer *p)
{
	double b = dist_sample(&p->cfg->message.size, p->r_size);

	return b >= 4294967295.0 ? UINT32_MAX : (uint32_t)(b + 0.5);   /* b >= 0: sizes are never negative */
}

/*
 * A synchronous request to a function, or a send to a queue that can be
 * throttled (FIFO) or repeated (duplicates), with its retries (§4.3, §2.3, §8).
 */
struct request {
	struct send_wait wait;           /* first: waiting for a token */
	struct producer *p;
	struct lambda_invocation inv;    /* function targets */
	struct sqs_send send;            /* queue targets */
	struct sqs_send *sends;          /* a SendMessageBatch: its entries (struct batch_req) ... */
	unsigned nsends;                 /* ... and how many; 0: a single message */
	struct sns_publish pub;          /* topic targets ... */
	struct sns_attr attrs[SNS_MESSAGE_ATTRIBUTES_MAX];   /* ... and their attributes */
	uint8_t poison;
	sim_time first_at;            /* when the request was made */
	struct retry_call call;
};

/* A SendMessageBatch request (§1.8): a request with room for its entries. */
struct batch_req {
	struct request r;                /* first: it is handled as a request */
	struct sqs_send sends[SQS_SEND_BATCH_MAX];
	double bytes;
};

static void request_attempt(struct request *r);
static void request_go(struct request *r);

/* The messages a request carries, for the ledger. */
static uint64_t weight(const struct request *r)
{
	return r->nsends ? r->nsends : 1;
}

static void request_free(struct producer *p, struct request *r)
{
	pool_put(r->nsends ? &p->batches : &p->requests, r);
}

/* A request that waited for a token has it: it goes. */
static void request_send(struct send_wait *w)
{
	struct request *r = (struct request *)w;

	r->p->waiting -= weight(r);
	request_go(r);
}

static void on_request_retry(struct sim *sim, void *subject, void *object)
{
	struct request *r = subject;

	(void)sim;
	(void)object;
	r->p->waiting -= weight(r);
	request_attempt(r);
}

static void on_request_done(struct lambda_invocation *inv)
{
	struct request *r = inv->owner;
	struct producer *p = r->p;

	/* The SDK sees a 200 even for a function error: it does not retry those (§4.3). */
	retry_observe(&p->retry, sim_now(p->sim), false);
	retry_call_succeeded(&p->retry, &r->call);
	hist_record(&p->latency_period, sim_now(p->sim) - r->first_at);
	hist_record(&p->latency_total, sim_now(p->sim) - r->first_at);
	pool_put(&p->requests, r);
}

/*
 * Adaptive mode's token bucket (§8.5) holds sends back: they wait in one
 * FIFO, served by one timer as tokens come, so a backlog of waiting sends
 * costs one event per send, not one per send per token.
 */
static void on_token(struct sim *sim, void *subject, void *object)
{
	struct producer *p = subject;

	(void)object;
	p->token_timer = SIM_EVENT_NONE;
	while (p->wait_head) {
		struct send_wait *w = p->wait_head;
		sim_time wait = retry_acquire(&p->retry, sim_now(sim));

		if (wait > 0) {
			p->token_timer = sim_schedule_in(sim, wait, on_token, p, NULL);
			return;
		}
		p->wait_head = w->next;
		if (!p->wait_head)
			p->wait_tail = NULL;
		w->send(w);
	}
}

/* Whether a send may go now (a token taken); otherwise w waits its turn and is sent later. */
static bool may_send(struct producer *p, struct send_wait *w)
{
	sim_time wait = 0;

	if (!p->wait_head && (wait = retry_acquire(&p->retry, sim_now(p->sim))) == 0)
		return true;
	w->next = NULL;
	if (p->wait_tail)
		p->wait_tail->next = w;
	else
		p->wait_head = w;
	p->wait_tail = w;
	/* A waiting queue always has its timer: only the first waiter starts one. */
	if (p->token_timer == SIM_EVENT_NONE)
		p->token_timer = sim_schedule_in(p->sim, wait, on_token, p, NULL);
	return false;
}

static void request_attempt(struct request *r)
{
	r->wait.send = request_send;
	if (may_send(r->p, &r->wait))
		request_go(r);
	else
		r->p->waiting += weight(r);
}

/* What a queue or topic answered a send or publish. */
enum outcome { OUT_SENT, OUT_DEDUPLICATED, OUT_REJECTED, OUT_THROTTLED };

/* What a queue's answer to one message means to the producer. */
static enum outcome queue_outcome(enum sqs_status st)
{
	switch (st) {
	case SQS_OK:
		return OUT_SENT;
	case SQS_DEDUPLICATED:
		return OUT_DEDUPLICATED;
	case SQS_THROTTLED:
		return OUT_THROTTLED;
	default:
		return OUT_REJECTED;   /* larger than the queue accepts */
	}
}

/* One SendMessage or Publish call with r's message. */
static enum outcome call_target(struct request *r)
{
	struct producer *p = r->p;

	if (p->q)
		return queue_outcome(sqs_send(p->q, &r->send));
	r->pub.attrs = r->attrs;   /* a repeat is a copy of r */
	switch (sns_publish(p->topic, &r->pub)) {
	case SNS_OK:
		return OUT_SENT;
	case SNS_DEDUPLICATED:
		return OUT_DEDUPLICATED;
	case SNS_THROTTLED:
		return OUT_THROTTLED;
	default:
		return OUT_REJECTED;   /* larger than the topic accepts */
	}
}

static void count_outcome(struct producer *p, enum outcome o)
{
	if (o == OUT_REJECTED) {
		p->c.rejected++;
	} else {
		p->c.sent++;
		p->c.deduplicated += o == OUT_DEDUPLICATED;   /* accepted: a success to the SDK (§2.2) */
	}
}

/* A send's or publish's answer other than a throttle: the request is over. */
static void request_answered(struct request *r, enum outcome o)
{
	struct producer *p = r->p;

	count_outcome(p, o);
	retry_observe(&p->retry, sim_now(p->sim), false);
	retry_call_succeeded(&p->retry, &r->call);
	request_free(p, r);
}

/* One SendMessageBatch call; false when it was throttled (every entry goes again). */
static bool send_batch(struct request *r)
{
	struct producer *p = r->p;
	enum sqs_status st[SQS_SEND_BATCH_MAX];

	if (sqs_send_batch(p->q, r->sends, r->nsends, st) == SQS_THROTTLED)
		return false;
	for (unsigned i = 0; i < r->nsends; i++)
		count_outcome(p, queue_outcome(st[i]));
	retry_observe(&p->retry, sim_now(p->sim), false);
	retry_call_succeeded(&p->retry, &r->call);
	request_free(p, r);
	return true;
}

/* One attempt, with the client's token. */
static void request_go(struct request *r)
{
	struct producer *p = r->p;
	sim_time delay;

	p->c.attempts++;
	if (r->nsends) {
		if (send_batch(r))
			return;
	} else if (p->q || p->topic) {
		enum outcome o = call_target(r);

		if (o != OUT_THROTTLED) {
			request_answered(r, o);
			return;
		}
	} else if (lambda_invoke(p->fn, &r->inv) != LAMBDA_THROTTLED) {
		p->c.sent++;
		return;
	}
	p->c.throttled += weight(r);
	retry_observe(&p->retry, sim_now(p->sim), true);
	delay = retry_call_failed(&p->retry, &r->call, RETRY_THROTTLED);
	if (delay < 0) {
		p->c.gave_up += weight(r);   /* TooManyRequestsException or ThrottlingException reaches the caller */
		request_free(p, r);
		return;
	}
	p->c.retries++;
	p->waiting += weight(r);
	sim_schedule_in(p->sim, delay, on_request_retry, r, NULL);
}

static void invoke_sync(struct producer *p, uint32_t size, bool poison)
{
	struct request *r;

	if (!lambda_accepts_sync(p->fn, size)) {
		p->c.rejected++;   /* RequestTooLargeException (§4.3) */
		return;
	}
	r = pool_get(&p->requests);
	r->p = p;
	r->poison = poison;
	r->inv.done = on_request_done;
	r->inv.owner = r;
	r->inv.records = 1;
	r->inv.poison = &r->poison;
	r->first_at = sim_now(p->sim);
	retry_call_start(&r->call);
	request_attempt(r);
}

/* ---- streams: PutRecord and PutRecords (§3.4) ------------------------------------ */

/* A PutRecord or PutRecords request: the entries still to be put. */
struct put_req {
	struct send_wait wait;           /* first: waiting for a token */
	struct producer *p;
	struct put_req *prev, *next;   /* the producer's requests waiting to retry */
	uint32_t n;
	struct retry_call call;
	struct krec recs[];
};

static void put_attempt(struct put_req *r);

/* Puts r on the producer's list of requests waiting (to retry, or for a token). */
static void link_req(struct put_req *r)
{
	struct producer *p = r->p;

	p->in_requests += r->n;
	r->prev = NULL;
	r->next = p->retrying;
	if (r->next)
		r->next->prev = r;
	p->retrying = r;
}

static void unlink_req(struct put_req *r)
{
	r->p->in_requests -= r->n;
	if (r->prev)
		r->prev->next = r->next;
	else
		r->p->retrying = r->next;
	if (r->next)
		r->next->prev = r->prev;
}

static void put_go(struct put_req *r);

/* A request that waited for a token has it: it goes. */
static void put_send(struct send_wait *w)
{
	struct put_req *r = (struct put_req *)w;

	unlink_req(r);
	put_go(r);
}

static void on_put_retry(struct sim *sim, void *subject, void *object)
{
	struct put_req *r = subject;

	(void)sim;
	(void)object;
	unlink_req(r);
	put_attempt(r);
}

/*
 * One attempt: every entry is put in order (PutRecords is not atomic: some
 * entries fail while later ones succeed, §3.4). A throttled PutRecord is an
 * error the SDK retries, within its retry quota (§8.3); a PutRecords with
 * throttled entries succeeds (HTTP 200, FailedRecordCount > 0), so the
 * application puts those entries again itself, with the policy's backoff
 * and attempts but not the SDK's quota (the `resend` client).
 */
static void put_attempt(struct put_req *r)
{
	r->wait.send = put_send;
	if (may_send(r->p, &r->wait))
		put_go(r);
	else
		link_req(r);
}

/* One attempt, with the client's token. */
static void put_go(struct put_req *r)
{
	struct producer *p = r->p;
	bool batched = p->buf != NULL;
	struct retry_client *c = batched ? &p->resend : &p->retry;
	uint32_t failed = 0;
	sim_time delay;

	p->c.attempts++;
	for (uint32_t i = 0; i < r->n; i++) {
		const struct krec *k = &r->recs[i];
		struct kin_put put = { .hash = k->hash, .key = k->key, .size = k->size, .key_len = k->key_len,
				       .poison = k->poison, .batched = batched };

		switch (kinesis_put(p->stream, &put)) {
		case KINESIS_OK:
			p->c.sent++;
			break;
		case KINESIS_THROTTLED:
			p->c.throttled++;
			r->recs[failed++] = *k;
			break;
		case KINESIS_TOO_LARGE:
			p->c.rejected++;
			break;
		}
	}
	r->n = failed;
	/* Adaptive mode slows down only on an error response: a throttled PutRecord. */
	retry_observe(&p->retry, sim_now(p->sim), !batched && failed > 0);
	if (batched || failed == 0)
		retry_call_succeeded(&p->retry, &r->call);
	if (failed == 0) {
		free(r);
		return;
	}
	delay = retry_call_failed(c, &r->call, RETRY_THROTTLED);
	if (delay < 0) {
		p->c.gave_up += failed;   /* the caller gives up on these records */
		free(r);
		return;
	}
	p->c.retries++;
	link_req(r);
	sim_schedule_in(p->sim, delay, on_put_retry, r, NULL);
}

static void put_request(struct producer *p, const struct krec *recs, uint32_t n)
{
	struct put_req *r = weir_malloc(sizeof(*r) + n * sizeof(*recs));

	r->p = p;
	r->n = n;
	retry_call_start(&r->call);
	memcpy(r->recs, recs, n * sizeof(*recs));
	put_attempt(r);
}

static void flush(struct producer *p)
{
	sim_cancel(p->sim, p->linger);
	p->linger = SIM_EVENT_NONE;
	if (p->nbuf == 0)
		return;
	put_request(p, p->buf, p->nbuf);
	p->nbuf = 0;
	p->buf_bytes = 0;
}

/* Sends the SendMessageBatch being gathered, if any (§1.8). */
static void flush_sends(struct producer *p)
{
	struct request *r = p->gather;

	sim_cancel(p->sim, p->linger);
	p->linger = SIM_EVENT_NONE;
	if (!r)
		return;
	p->gather = NULL;
	p->nqbuf -= r->nsends;
	retry_call_start(&r->call);
	request_attempt(r);
}

static void on_linger(struct sim *sim, void *subject, void *object)
{
	struct producer *p = subject;

	(void)sim;
	(void)object;
	p->linger = SIM_EVENT_NONE;
	if (p->q)
		flush_sends(p);
	else
		flush(p);
}

/*
 * Adds a message to the SendMessageBatch being gathered: it goes when it
 * holds `records` messages (at most 10) or would pass `bytes`, or when its
 * first message has waited `linger` (§1.8).
 */
static void gather_send(struct producer *p, const struct sqs_send *req)
{
	const struct put_batch_cfg *b = &p->cfg->batch;
	struct batch_req *g = (struct batch_req *)p->gather;

	if (g && g->bytes + req->size > b->bytes)
		flush_sends(p);
	g = (struct batch_req *)p->gather;
	if (!g) {
		g = pool_get(&p->batches);
		g->r.p = p;
		g->r.sends = g->sends;
		p->gather = &g->r;
	}
	g->sends[g->r.nsends++] = *req;
	g->bytes += req->size;
	p->nqbuf++;
	if (g->r.nsends >= (unsigned)b->records || g->bytes >= b->bytes || b->linger == 0)
		flush_sends(p);
	else if (p->linger == SIM_EVENT_NONE)
		p->linger = sim_schedule_in(p->sim, b->linger, on_linger, p, NULL);
}

/* The partition key of the next record: drawn, or the trace row's. */
static void next_key(struct producer *p, struct krec *k)
{
	uint64_t index;

	if (p->keys) {
		k->hash = key_gen_draw(p->keys, p->r_keys, &index);
		k->key_len = (uint16_t)keys_name_len(index);
		k->key = k->hash.lo;   /* a key's id is its hash, however it was made */
	} else {
		size_t n = strlen(p->trace_key);

		k->hash = md5_hash_key(p->trace_key, n);   /* a real MD5 of the key (§3.1) */
		k->key_len = (uint16_t)n;
		k->key = k->hash.lo;
	}
	/* An explicit hash key overrides the MD5 to pick the shard (§3.1); the key still names the record. */
	if (p->cfg->explicit_hash_key == HASH_RANDOM) {
		k->hash.hi = (uint64_t)gsl_rng_get(p->r_keys) << 32 | gsl_rng_get(p->r_keys);
		k->hash.lo = (uint64_t)gsl_rng_get(p->r_keys) << 32 | gsl_rng_get(p->r_keys);
	} else if (p->cfg->explicit_hash_key == HASH_BALANCED) {
		k->hash = kinesis_open_shard_start(p->stream, (uint32_t)(p->balanced++ % kinesis_open_shards(p->stream)));
	}
}

static void put_one(struct producer *p, uint32_t size, bool poison)
{
	const struct put_batch_cfg *b = &p->cfg->batch;
	struct krec k;
	double total;

	next_key(p, &k);
	total = (double)size + k.key_len;   /* the key counts toward the bytes (§3.2) */
	k.size = total >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	k.poison = poison;
	if (!p->buf) {   /* PutRecord */
		put_request(p, &k, 1);
		return;
	}
	if (p->nbuf > 0 && p->buf_bytes + k.size > b->bytes)
		flush(p);
	p->buf[p->nbuf++] = k;
	p->buf_bytes += k.size;
	if (p->nbuf >= (uint64_t)b->records || p->buf_bytes >= b->bytes || b->linger == 0)
		flush(p);
	else if (p->linger == SIM_EVENT_NONE)
		p->linger = sim_schedule_in(p->sim, b->linger, on_linger, p, NULL);
}

static void on_duplicate(struct sim *sim, void *subject, void *object)
{
	struct request *r = subject;

	(void)sim;
	(void)object;
	r->p->waiting--;
	retry_call_start(&r->call);
	request_attempt(r);
}

/* The group and deduplication id of a message to a FIFO queue or topic (§2.1, §2.2, §7.3). */
static void fifo_ids(struct producer *p, uint32_t *group, uint64_t *dedup)
{
	const struct message_cfg *m = &p->cfg->message;

	if (p->groups) {
		uint64_t i;

		key_gen_draw(p->groups, p->r_groups, &i);
		*group = (uint32_t)i;
	} else {
		*group = sqs_group_named(p->env, p->trace_key);
	}
	if (m->deduplication_id || m->bodies == INT64_MIN)
		*dedup = weir_mix64(p->id_salt + p->c.produced);   /* unique to the message */
	else   /* the hash of a body drawn from `bodies`, the same whoever sends it */
		*dedup = weir_mix64(0x626f6479ULL ^ (uint64_t)(gsl_rng_uniform(p->r_bodies) * (double)m->bodies));
}

/* Draws the message attributes of a publish into r (§7.1). */
static void draw_attributes(struct producer *p, struct request *r)
{
	const struct vec *attrs = &p->cfg->message.attributes;

	for (size_t i = 0; i < attrs->len; i++) {
		const struct attribute_cfg *a = VEC_AT(attrs, struct attribute_cfg, i);
		double u = a->nchoices > 1 ? gsl_rng_uniform(p->r_attrs) : 0;
		size_t k = 0;

		while (k + 1 < a->nchoices && u >= a->cumulative[k])
			k++;
		r->attrs[i].name = a->head.name;
		r->attrs[i].value = a->choices[k];
	}
	r->pub.nattrs = (unsigned)attrs->len;
}

/*
 * Sends request r's message to the queue, or publishes it to the topic: a
 * standard target cannot throttle and is called at once; a FIFO one
 * through the request, which retries throttles; with `batch`, the message
 * joins a SendMessageBatch. A repeat (duplicates) follows later as a copy.
 */
static void send_message(struct producer *p, struct request *r)
{
	const struct duplicates_cfg *d = &p->cfg->duplicates;

	if (d->fraction > 0 && gsl_rng_uniform(p->r_dups) < d->fraction) {
		sim_time after = dist_sample_time(&d->after, p->r_dups);
		struct request *again = pool_get(&p->requests);

		*again = *r;
		p->c.resent++;
		p->waiting++;
		sim_schedule_in(p->sim, after > 0 ? after : 0, on_duplicate, again, NULL);
	}
	if (p->q && p->cfg->batch.head.node) {
		gather_send(p, &r->send);   /* SendMessageBatch (§1.8) */
		request_free(p, r);
		return;
	}
	if (!(p->q ? sqs_fifo(p->q) : sns_fifo(p->topic))) {
		p->c.attempts++;
		count_outcome(p, call_target(r));
		request_free(p, r);
		return;
	}
	retry_call_start(&r->call);
	request_attempt(r);
}

static void send_one(struct producer *p)
{
	const struct message_cfg *m = &p->cfg->message;
	struct sqs_send req = { .size = draw_size(p), .delay = SIM_TIME_UNSET,
				.born_at = SIM_TIME_UNSET, .sender = p->name };

	if (m->poison > 0 && gsl_rng_uniform(p->r_poison) < m->poison)
		req.flags |= SQS_MSG_POISON;
	if (m->delay.kind != DIST_NONE)
		req.delay = dist_sample_time(&m->delay, p->r_delay);
	p->c.produced++;
	if (p->stream) {
		put_one(p, req.size, req.flags & SQS_MSG_POISON);
		return;
	}
	if (p->fn && p->cfg->invoke == INVOKE_SYNC) {
		invoke_sync(p, req.size, req.flags & SQS_MSG_POISON);
		return;
	}
	if (p->q && !sqs_fifo(p->q) && !(p->cfg->duplicates.fraction > 0) && !p->cfg->batch.head.node) {
		/* A standard queue, no repeats: one call that cannot be throttled, no request. */
		p->c.attempts++;
		req.born_at = sim_now(p->sim);
		count_outcome(p, queue_outcome(sqs_send(p->q, &req)));
		return;
	}
	if (p->q || p->topic) {
		struct request *r = pool_get(&p->requests);

		r->p = p;
		req.born_at = sim_now(p->sim);   /* a repeat keeps it */
		if (p->q) {
			if (sqs_fifo(p->q))
				fifo_ids(p, &req.group, &req.dedup);
			r->send = req;
		} else {
			r->pub = (struct sns_publish){ .size = req.size, .poison = req.flags & SQS_MSG_POISON,
						       .sender = p->name, .born_at = req.born_at };
			if (sns_fifo(p->topic))
				fifo_ids(p, &r->pub.group, &r->pub.dedup);
			draw_attributes(p, r);
		}
		send_message(p, r);
		return;
	}
	if (lambda_invoke_async(p->fn, req.size, req.flags & SQS_MSG_POISON))
		p->c.sent++;
	else
		p->c.rejected++;
}

static void halt(struct producer *p)
{
	if (p->stream)
		flush(p);   /* a stopping producer sends what it gathered */
	if (p->q)
		flush_sends(p);
	p->active = 0;
	sim_cancel(p->sim, p->next);
	sim_cancel(p->sim, p->burst_timer);
	p->next = p->burst_timer = SIM_EVENT_NONE;
}

static void on_arrival(struct sim *sim, void *subject, void *object)
{
	struct producer *p = subject;

	(void)object;
	p->next = SIM_EVENT_NONE;
	p->last = sim_now(sim);
	send_one(p);
	if (p->cfg->messages != INT64_MIN && p->c.produced >= (uint64_t)p->cfg->messages) {
		halt(p);
		return;
	}
	if (p->cfg->arr.kind == ARRIVAL_TRACE)
		arm_trace(p);
	else
		arm(p);
}

static void on_rate_change(struct sim *sim, void *subject, void *object)
{
	struct producer *p = subject;
	const struct rate_change_cfg *step = object;

	(void)sim;
	p->base_rate = step->rate;
	if (!p->burst_on)
		arm(p);
}

static void on_burst_toggle(struct sim *sim, void *subject, void *object)
{
	struct producer *p = subject;
	const struct dist *len;

	(void)object;
	sim_time period;

	p->burst_on = !p->burst_on;
	len = p->burst_on ? &p->cfg->bursts.on : &p->cfg->bursts.off;
	period = dist_sample_time(len, p->r_bursts);
	p->burst_timer = sim_schedule_in(sim, period > 0 ? period : 1, on_burst_toggle, p, NULL);
	arm(p);
}

static void on_start(struct sim *sim, void *subject, void *object)
{
	struct producer *p = subject;

	(void)object;
	p->active = 1;
	p->last = sim_now(sim);
	if (p->cfg->arr.kind == ARRIVAL_TRACE)
		arm_trace(p);
	else
		arm(p);
}

static void on_stop(struct sim *sim, void *subject, void *object)
{
	(void)sim;
	(void)object;
	halt(subject);
}

struct producer *producer_create(struct sim *sim, const char *name, const struct producer_cfg *cfg,
				 struct producer_target t, struct rng_set *rngs)
{
	struct producer *p = weir_calloc(1, sizeof(*p));

	WEIR_ASSERT((t.queue != NULL) + (t.fn != NULL) + (t.stream != NULL) + (t.topic != NULL) == 1);
	p->sim = sim;
	p->name = name;
	p->cfg = cfg;
	p->q = t.queue;
	p->fn = t.fn;
	p->stream = t.stream;
	p->topic = t.topic;
	if (p->topic)
		p->r_attrs = rng_stream(rngs, name, "attributes");
	p->env = t.env;
	if (p->q || p->topic) {
		if ((p->q ? sqs_fifo(p->q) : sns_fifo(p->topic)) && !cfg->groups.column)
			p->groups = key_gen_create(&cfg->groups.spec);
		p->r_groups = rng_stream(rngs, name, "groups");
		p->r_dups = rng_stream(rngs, name, "duplicates");
		p->r_bodies = rng_stream(rngs, name, "bodies");
		p->id_salt = weir_hash_str(0, name);
	}
	p->linger = SIM_EVENT_NONE;
	p->token_timer = SIM_EVENT_NONE;
	if (p->stream) {
		if (!cfg->keys.column)
			p->keys = key_gen_create(&cfg->keys.spec);
		if (cfg->batch.head.node)   /* batch: written, even empty, means PutRecords */
			p->buf = weir_malloc((size_t)cfg->batch.records * sizeof(*p->buf));
		p->r_keys = rng_stream(rngs, name, "keys");
	}
	pool_init(&p->requests, sizeof(struct request), 256);
	pool_init(&p->batches, sizeof(struct batch_req), 16);
	hist_init(&p->latency_period);
	hist_init(&p->latency_total);
	retry_client_init(&p->retry, &cfg->retry, rng_stream(rngs, name, "retry"));
	if (p->stream) {
		struct retry_cfg resend = cfg->retry;

		resend.quota = false;   /* the request succeeded: no SDK retry, no quota (§3.4) */
		retry_client_init(&p->resend, &resend, rng_stream(rngs, name, "resend"));
	}
	p->r_arrivals = rng_stream(rngs, name, "arrivals");
	p->r_size = rng_stream(rngs, name, "size");
	p->r_poison = rng_stream(rngs, name, "poison");
	p->r_delay = rng_stream(rngs, name, "delay");
	p->r_bursts = rng_stream(rngs, name, "bursts");
	p->base_rate = cfg->arr.rate;
	return p;
}

int producer_start(struct producer *p, char *err, size_t errlen)
{
	const struct producer_cfg *cfg = p->cfg;

	if (cfg->arr.kind == ARRIVAL_TRACE) {
		p->trace = open_trace(&cfg->arr, err, errlen);
		if (!p->trace)
			return -1;
	}
	for (size_t i = 0; i < cfg->schedule.len; i++) {
		const struct rate_change_cfg *s = VEC_AT(&cfg->schedule, struct rate_change_cfg, i);

		if (s->at <= cfg->start)
			p->base_rate = s->rate;   /* already in force at the start */
		else
			sim_schedule(p->sim, s->at, on_rate_change, p, (void *)(uintptr_t)s);
	}
	if (!isnan(cfg->bursts.rate)) {
		p->burst_on = !cfg->bursts.first;   /* the first toggle flips it to `first` */
		p->burst_timer = sim_schedule(p->sim, cfg->start, on_burst_toggle, p, NULL);
	}
	sim_schedule(p->sim, cfg->start, on_start, p, NULL);
	if (cfg->stop != SIM_TIME_UNSET)
		sim_schedule(p->sim, cfg->stop, on_stop, p, NULL);
	return 0;
}

void producer_destroy(struct producer *p)
{
	if (!p)
		return;
	csvr_close(p->trace);
	key_gen_destroy(p->keys);
	key_gen_destroy(p->groups);
	free(p->buf);
	while (p->retrying) {
		struct put_req *r = p->retrying;

		p->retrying = r->next;
		free(r);
	}
	pool_release(&p->requests);
	pool_release(&p->batches);
	hist_release(&p->latency_period);
	hist_release(&p->latency_total);
	free(p);
}

const char *producer_target(const struct producer *p)
{
	return p->cfg->target;
}

const struct producer_counters *producer_counters(const struct producer *p)
{
	return &p->c;
}

void producer_end_warmup(struct producer *p)
{
	p->c_warm = p->c;
	hist_reset(&p->latency_total);
}

_Static_assert(sizeof(struct producer_counters) % sizeof(uint64_t) == 0,
	       "producer_since_warmup subtracts the counters as an array of uint64_t");

struct producer_counters producer_since_warmup(const struct producer *p)
{
	struct producer_counters d = { 0 };

	weir_counters_since(&d, &p->c, &p->c_warm, sizeof(d) / sizeof(uint64_t));
	return d;
}

/* ---- summary ------------------------------------------------------------- */

enum {
	PS_PRODUCED, PS_SENT, PS_REJECTED, PS_GAVE_UP, PS_ATTEMPTS, PS_THROTTLED, PS_RETRIES,
	PS_QUOTA, PS_LAT_MEAN, PS_LAT_P50, PS_LAT_P99, PS_LAT_MAX, PS_L_PRODUCED, PS_L_SENT, PS_L_REJECTED, PS_L_GAVE_UP, PS_L_WAITING,
	PS_RESENT, PS_DEDUPLICATED, PS_L_RESENT, PS_NSTATS
};

static const struct stat_def producer_stats_defs[PS_NSTATS] = {
	[PS_PRODUCED] = { "MessagesProduced", "count", "Messages (or requests) generated after the warm-up." },
	[PS_SENT] = { "MessagesSent", "count", "Accepted by the target after the warm-up: sent to the queue, invoked, or queued for async invocation." },
	[PS_REJECTED] = { "SendsRejected", "count", "Refused for their size after the warm-up." },
	[PS_GAVE_UP] = { "GiveUps", "count", "Synchronous requests, stream records, FIFO sends or FIFO publishes still throttled after the retry policy's last attempt." },
	[PS_ATTEMPTS] = { "Attempts", "count", "Calls to the target: synchronous invokes, PutRecord/PutRecords requests, SendMessage or Publish calls, retries and repeats included (asynchronous invokes are not counted)." },
	[PS_THROTTLED] = { "ThrottledAttempts", "count", "Synchronous invoke attempts refused with 429; stream records, FIFO queue messages (each message of a throttled SendMessageBatch) or FIFO publishes throttled (each retry counts)." },
	[PS_RETRIES] = { "Retries", "count", "Retries the policy made." },
	[PS_QUOTA] = { "RetryQuotaExhausted", "count", "Retries the retry quota refused (whole run; §8.3)." },
	[PS_LAT_MEAN] = { "InvokeLatency.mean", "seconds", "Synchronous requests: mean time from the first attempt to the response (exact)." },
	[PS_LAT_P50] = { "InvokeLatency.p50", "seconds", "Median of that latency (within 0.4%)." },
	[PS_LAT_P99] = { "InvokeLatency.p99", "seconds", "99th percentile of that latency (within 0.4%)." },
	[PS_LAT_MAX] = { "InvokeLatency.max", "seconds", "Longest of that latency (exact)." },
	[PS_L_PRODUCED] = { "ledger.produced", "count", "Whole run: generated; produced + resent = sent + rejected + gave_up + waiting." },
	[PS_L_SENT] = { "ledger.sent", "count", "Whole run: accepted." },
	[PS_L_REJECTED] = { "ledger.rejected", "count", "Whole run: refused for size." },
	[PS_L_GAVE_UP] = { "ledger.gave_up", "count", "Whole run: given up after throttles." },
	[PS_L_WAITING] = { "ledger.waiting", "count", "At the end: messages (stream records) in requests waiting to retry or for a token, in a PutRecords or SendMessageBatch being gathered, and repeats not yet sent." },
	[PS_RESENT] = { "MessagesResent", "count", "Queue and topic targets: sends or publishes repeated (duplicates) after the warm-up." },
	[PS_DEDUPLICATED] = { "SendsDeduplicated", "count", "FIFO queue and topic targets: sends or publishes accepted as duplicates (in MessagesSent) after the warm-up." },
	[PS_L_RESENT] = { "ledger.resent", "count", "Whole run: repeated sends made." },
};

const struct stat_family producer_stat_family = { "Producer", producer_stats_defs, PS_NSTATS };

void producer_summarize(const struct producer *p, struct summary *s)
{
	struct producer_counters w = producer_since_warmup(p);
	double v[PS_NSTATS];

	v[PS_PRODUCED] = (double)w.produced;
	v[PS_SENT] = (double)w.sent;
	v[PS_REJECTED] = (double)w.rejected;
	v[PS_GAVE_UP] = (double)w.gave_up;
	v[PS_ATTEMPTS] = (double)w.attempts;
	v[PS_THROTTLED] = (double)w.throttled;
	v[PS_RETRIES] = (double)w.retries;
	v[PS_QUOTA] = (double)p->retry.quota_exhausted;
	v[PS_LAT_MEAN] = hist_mean(&p->latency_total) * 1e-6;
	v[PS_LAT_P50] = hist_quantile(&p->latency_total, 0.50) * 1e-6;
	v[PS_LAT_P99] = hist_quantile(&p->latency_total, 0.99) * 1e-6;
	v[PS_LAT_MAX] = hist_quantile(&p->latency_total, 1.0) * 1e-6;
	v[PS_L_PRODUCED] = (double)p->c.produced;
	v[PS_L_SENT] = (double)p->c.sent;
	v[PS_L_REJECTED] = (double)p->c.rejected;
	v[PS_L_GAVE_UP] = (double)p->c.gave_up;
	v[PS_L_WAITING] = (double)(p->waiting + p->in_requests + p->nbuf + p->nqbuf);
	v[PS_RESENT] = (double)w.resent;
	v[PS_DEDUPLICATED] = (double)w.deduplicated;
	v[PS_L_RESENT] = (double)p->c.resent;
	for (size_t i = 0; i < PS_NSTATS; i++)
		summary_add(s, p->name, "producer", &producer_stats_defs[i], v[i]);
}

bool producer_ledger(const struct producer *p)
{
	return p->c.produced + p->c.resent ==
	       p->c.sent + p->c.rejected + p->c.gave_up + p->waiting + p->in_requests + p->nbuf + p->nqbuf;
}

/*
 * sns_config.c - the `topics:` section of a scenario (aws-behaviour §7).
 *
 * What refers to other resources (endpoints, dead-letter queues, the
 * attributes producers draw) is checked in scenario.c, which knows them all.
 */
#include "weir/sns.h"

#include <ctype.h>

#include <math.h>
#include <stddef.h>
#include <string.h>

#define OF(field) .offset = offsetof(struct sns_outage_cfg, field)
static const struct schema_field outage_fields[] = {
	{ .key = "at", .type = ST_DURATION, OF(at), .flags = SF_REQUIRED | SF_MIN, .min = 0,
	  .help = "When the endpoint becomes unavailable." },
	{ .key = "for", .type = ST_DURATION, OF(length), .flags = SF_REQUIRED | SF_MIN | SF_MIN_OPEN, .min = 0,
	  .help = "How long it stays unavailable." },
	{ 0 }
};

static const struct schema outage_schema = {
	.name = "outage",
	.size = sizeof(struct sns_outage_cfg),
	.fields = outage_fields,
	.help = "A time the subscription's endpoint is unavailable: every delivery attempt in [at, at + for) fails with a server-side error and is retried by the delivery policy (aws-behaviour §7.1, §7.2).",
};

#define AF(field) .offset = offsetof(struct sns_attr_filter_cfg, field)
static const struct schema_field attr_filter_fields[] = {
	{ .key = "name", .type = ST_STRING, AF(name), .flags = SF_REQUIRED,
	  .help = "The message attribute the filter policy looks at." },
	{ .key = "equals", .type = ST_STRING, AF(equals), .flags = SF_REQUIRED,
	  .help = "The value it must have; a message without the attribute does not match." },
	{ 0 }
};

static const struct schema attr_filter_schema = {
	.name = "attribute filter",
	.size = sizeof(struct sns_attr_filter_cfg),
	.fields = attr_filter_fields,
	.help = "A filter policy on one message attribute: `{\"NAME\": [\"VALUE\"]}`. Producers draw their messages' attributes (`message.attributes`).",
};

#define FF(field) .offset = offsetof(struct sns_filter_cfg, field)
static const struct schema_field filter_fields[] = {
	{ .key = "fraction", .type = ST_REAL, FF(fraction), .flags = SF_RANGE, .min = 0, .max = 1,
	  .rule = "§7.1",
	  .help = "The share of messages the filter policy matches, drawn independently per message." },
	{ .key = "attribute", .type = ST_OBJECT, FF(attribute), .sub = &attr_filter_schema, .rule = "§7.1",
	  .help = "Match on a message attribute instead: `{ name: region, equals: eu }`." },
	{ 0 }
};

static void filter_check(void *obj, struct schema_ctx *ctx)
{
	struct sns_filter_cfg *f = obj;
	bool fraction = !isnan(f->fraction), attribute = f->attribute.name != NULL;

	if (fraction == attribute)
		schema_error(ctx, f->head.node,
			     "a filter is either 'fraction' (the share of messages it matches) or 'attribute' (name and equals), %s",
			     fraction ? "not both" : "and has neither");
}

static const struct schema filter_schema = {
	.name = "filter",
	.size = sizeof(struct sns_filter_cfg),
	.fields = filter_fields,
	.check = filter_check,
	.help = "The subscription's filter policy (aws-behaviour §7.1): messages it does not match are not delivered and count as NumberOfNotificationsFilteredOut.",
};

#define SF(field) .offset = offsetof(struct sns_sub_cfg, field)
static const struct schema_field sub_fields[] = {
	{ .key = "name", .type = ST_STRING, SF(name),
	  .help = "Names the subscription in metrics (TOPIC.NAME/Metric); default the endpoint's name. Must be unique within the topic." },
	{ .key = "endpoint", .type = ST_NAME, SF(endpoint), .flags = SF_REQUIRED, .rule = "§7.1",
	  .help = "The queue that gets a send, or the function that gets an asynchronous invoke, per matching message." },
	{ .key = "filter", .type = ST_OBJECT, SF(filter), .sub = &filter_schema, .rule = "§7.1",
	  .help = "Filter policy; unset: every message is delivered." },
	{ .key = "dead_letter", .type = ST_NAME, SF(dead_letter), .rule = "§7.2",
	  .help = "Queue receiving the messages whose delivery finally failed (the subscription's redrive policy); unset: they are dropped." },
	{ .key = "outages", .type = ST_LIST, SF(outages), .sub = &outage_schema, .rule = "§7.1, §7.2",
	  .help = "Times the endpoint is unavailable, in time order." },
	{ .key = "raw", .type = ST_BOOL, SF(raw), .dflt = "false", .rule = "§7.1",
	  .help = "Raw message delivery (queue endpoints): the message as published; otherwise wrapped in SNS's JSON envelope, 1,024 bytes more (model parameter)." },
	{ 0 }
};

static void sub_check(void *obj, struct schema_ctx *ctx)
{
	struct sns_sub_cfg *s = obj;
	const struct sns_outage_cfg *o = s->outages.items;

	if (!s->name)
		s->name = s->endpoint;
	else if (!*s->name || strchr(s->name, '/') || strchr(s->name, ',') || strchr(s->name, '.'))
		schema_error(ctx, schema_where(s, "name"),
			     "a subscription name names metric columns (TOPIC.NAME): it cannot be empty or hold '/', ',' or '.'");
	for (size_t i = 1; i < s->outages.len; i++)
		if (o[i].at < o[i - 1].at + o[i - 1].length)
			schema_error(ctx, o[i].head.node,
				     "outages must be in time order and not overlap: this one starts before the previous one ends");
}

static const struct schema sub_schema = {
	.name = "subscription",
	.size = sizeof(struct sns_sub_cfg),
	.fields = sub_fields,
	.check = sub_check,
	.help = "One subscription: an endpoint, an optional filter policy, dead-letter queue and outages.",
};

#define TF(field) .offset = offsetof(struct sns_topic_cfg, field)
static const char *const scope_names[] = { "topic", "message_group", NULL };
static const struct schema_field topic_fields[] = {
	{ .key = "subscriptions", .type = ST_LIST, TF(subscriptions), .sub = &sub_schema, .rule = "§7.1",
	  .help = "The topic's subscriptions; every published message is offered to each." },
	{ .key = "retry_jitter", .type = ST_REAL, TF(retry_jitter), .dflt = SNS_RETRY_JITTER_DEFAULT,
	  .flags = SF_RANGE, .min = 0, .max = 1, .rule = "§7.2",
	  .help = "Jitter of the delivery retry delays: each delay times 1 + j * U(-1, 1). Model parameter: SNS jitters its delays but does not say how much." },
	{ .key = "fifo", .type = ST_BOOL, TF(fifo), .rule = "§7.3",
	  .help = "A FIFO topic: delivers to SQS queues only, in publish order per subscription, with 5-minute deduplication and 3,000 messages (20 MB) a second. Unset: true exactly when the name ends in `.fifo`, which a FIFO topic's name must." },
	{ .key = "content_based_deduplication", .type = ST_BOOL, TF(content_based_deduplication), .rule = "§7.3",
	  .help = "FIFO: a publish without a deduplication id is deduplicated by the hash of its body (attributes excluded); without it producers must send ids (`message.deduplication_id`)." },
	{ .key = "fifo_throughput_scope", .type = ST_ENUM, TF(fifo_throughput_scope), .dflt = "topic",
	  .choices = scope_names, .rule = "§7.3",
	  .help = "FIFO: topic (3,000 messages and 20 MB a second for the topic, deduplication topic-wide) or message_group (FifoThroughputScope=MessageGroup: the Region's maximums, which weir does not limit, and deduplication per group)." },
	{ 0 }
};

/*
 * A topic name: 1 to 256 letters, digits, '-' and '_' (as AWS allows), and
 * a FIFO topic's `.fifo` at the end; it names TOPIC.SUB columns.
 */
static void topic_name_check(const struct doc_node *key, struct schema_ctx *ctx)
{
	const char *s = key->text;
	size_t n = strlen(s);
	bool ok = n >= 1 && n <= SNS_TOPIC_NAME_MAX;

	if (sqs_fifo_name(s))
		n -= strlen(SQS_FIFO_SUFFIX);
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_';
	if (!ok)
		schema_error(ctx, key, "topic name '%s' must have 1 to %d letters, digits, '-' and '_', and end in '.fifo' for a FIFO topic", s,
			     SNS_TOPIC_NAME_MAX);
}

static void topic_check(void *obj, struct schema_ctx *ctx)
{
	static const char *const fifo_only[] = { "content_based_deduplication", "fifo_throughput_scope", NULL };
	struct sns_topic_cfg *t = obj;

	sqs_fifo_resolve(t, &t->fifo, "topic", "§7.3", fifo_only, ctx);

	if (t->subscriptions.len == 0)
		schema_warning(ctx, t->head.key ? t->head.key : t->head.node,
			       "topic '%s' has no subscriptions: what is published to it goes nowhere", t->head.name);
}

const struct schema sns_topic_schema = {
	.name = "topic",
	.check_name = topic_name_check,
	.size = sizeof(struct sns_topic_cfg),
	.fields = topic_fields,
	.check = topic_check,
	.help = "An SNS topic, named by its key (aws-behaviour §7): standard, or FIFO when the name ends in `.fifo` (§7.3). Each publish is offered to every subscription; a matching one gets a delivery, retried by the AWS-managed policy (3 immediate retries, 2 at 1 s, 10 backing off from 1 s to 20 s, 100,000 at 20 s) while its endpoint is unavailable. A FIFO topic delivers to SQS queues only, keeps each subscription's deliveries in publish order (a retrying delivery holds back the later ones), drops repeats within 5 minutes and throttles publishes beyond its throughput.",
};

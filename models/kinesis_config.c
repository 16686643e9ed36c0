/*
 * kinesis_config.c - the `streams:` section of a scenario (aws-behaviour §3).
 */
#include "weir/kinesis.h"

#include <stddef.h>

/* UpdateShardCount calls per stream in a rolling 24 h (§3.6, current; 2 before). */
#define KINESIS_SCALINGS_PER_DAY 10

static const char *const reshard_actions[] = { "split", "merge", "update_shard_count", NULL };

#define RF(field) .offset = offsetof(struct reshard_cfg, field)
static const struct schema_field reshard_fields[] = {
	{ .key = "at", .type = ST_DURATION, RF(at), .flags = SF_REQUIRED | SF_MIN, .min = 0,
	  .help = "When the reshard happens." },
	{ .key = "action", .type = ST_ENUM, RF(action), .flags = SF_REQUIRED, .choices = reshard_actions,
	  .rule = "§3.6",
	  .help = "split: SplitShard at the middle of a shard's range; merge: MergeShards of a shard and the next one; update_shard_count: uniform scaling to `shards`." },
	{ .key = "shard", .type = ST_INT, RF(shard), .flags = SF_MIN, .min = 0, .rule = "§3.6",
	  .help = "split and merge: which open shard, counted from 0 in hash-key order at that moment (merge takes it and the next)." },
	{ .key = "shards", .type = ST_INT, RF(shards), .flags = SF_RANGE, .min = 1,
	  .max = KINESIS_STREAM_SHARDS_MAX, .rule = "§3.6",
	  .help = "update_shard_count: the new number of open shards (between half and double the current number)." },
	{ 0 }
};

static const struct schema reshard_schema = {
	.name = "reshard",
	.size = sizeof(struct reshard_cfg),
	.fields = reshard_fields,
	.help = "A resharding operation at a given time (aws-behaviour §3.6): parents close (still readable), children open; readers finish a parent before its children.",
};

/* Replays the reshard plan on the number of open shards, so that each step is valid when it runs. */
static void check_reshards(struct stream_cfg *s, struct schema_ctx *ctx)
{
	int64_t open = s->shards;
	sim_time prev = -1;

	for (size_t i = 0; i < s->reshards.len; i++) {
		const struct reshard_cfg *r = VEC_AT(&s->reshards, struct reshard_cfg, i);
		size_t in_day = 0;

		if (r->at <= prev)
			schema_error(ctx, r->head.node, "reshards must be in increasing time order");
		prev = r->at;
		if (r->action == RESHARD_UPDATE_COUNT) {
			if (r->shards == INT64_MIN) {
				schema_error(ctx, r->head.node, "update_shard_count needs 'shards': the new number of open shards");
				continue;
			}
			if (schema_node(r, "shard"))
				schema_error(ctx, schema_where(r, "shard"), "'shard' is for split and merge; update_shard_count scales every shard");
			if (r->shards > 2 * open || 2 * r->shards < open)
				schema_error(ctx, schema_where(r, "shards"),
					     "update_shard_count can at most double or halve the open shards (aws-behaviour §3.6): %lld open then, so %lld..%lld",
					     (long long)open, (long long)((open + 1) / 2), (long long)(2 * open));
			for (size_t j = 0; j <= i; j++) {
				const struct reshard_cfg *q = VEC_AT(&s->reshards, struct reshard_cfg, j);

				in_day += q->action == RESHARD_UPDATE_COUNT && q->at > r->at - SIM_DAY;
			}
			if (in_day > KINESIS_SCALINGS_PER_DAY)
				schema_error(ctx, r->head.node,
					     "at most %d update_shard_count calls per stream in 24 hours (aws-behaviour §3.6)",
					     KINESIS_SCALINGS_PER_DAY);
			open = r->shards;
			continue;
		}
		if (r->shard == INT64_MIN) {
			schema_error(ctx, r->head.node, "%s needs 'shard': which open shard, counted from 0 in hash-key order",
				     reshard_actions[r->action]);
			continue;
		}
		if (schema_node(r, "shards"))
			schema_error(ctx, schema_where(r, "shards"), "'shards' is for update_shard_count");
		if (r->action == RESHARD_MERGE && r->shard + 1 >= open)
			schema_error(ctx, schema_where(r, "shard"),
				     "merge takes open shard %lld and the next one, but %lld shards are open then (0..%lld): 'shard' can be 0..%lld",
				     (long long)r->shard, (long long)open, (long long)(open - 1), (long long)(open - 2));
		else if (r->action == RESHARD_SPLIT && r->shard >= open)
			schema_error(ctx, schema_where(r, "shard"),
				     "split takes open shard %lld, but %lld shards are open then: 'shard' can be 0..%lld",
				     (long long)r->shard, (long long)open, (long long)(open - 1));
		open += r->action == RESHARD_SPLIT ? 1 : -1;
		if (open > KINESIS_STREAM_SHARDS_MAX)
			schema_error(ctx, r->head.node, "the stream would pass %d open shards (aws-behaviour §3.6)",
				     KINESIS_STREAM_SHARDS_MAX);
	}
}

static void stream_check(void *obj, struct schema_ctx *ctx)
{
	struct stream_cfg *s = obj;

	if (s->mode == KINESIS_ON_DEMAND) {
		if (s->shards == INT64_MIN)
			s->shards = KINESIS_ON_DEMAND_SHARDS;
		if (s->reshards.len)
			schema_error(ctx, schema_where(s, "reshards"),
				     "an on-demand stream reshards itself (aws-behaviour §3.7): 'reshards' is for provisioned mode");
		if (s->max_shards < s->shards)
			schema_error(ctx, schema_where(s, "max_shards"),
				     "max_shards (%lld) is below the %lld shards the stream starts with",
				     (long long)s->max_shards, (long long)s->shards);
		return;
	}
	if (s->shards == INT64_MIN)
		s->shards = 1;
	if (schema_node(s, "max_shards"))
		schema_error(ctx, schema_where(s, "max_shards"),
			     "'max_shards' is for on-demand streams; a provisioned stream has the shards you give it");
	check_reshards(s, ctx);
}

static const char *const stream_modes[] = { "provisioned", "on_demand", NULL };

#define SF(field) .offset = offsetof(struct stream_cfg, field)
static const struct schema_field stream_fields[] = {
	{ .key = "mode", .type = ST_ENUM, SF(mode), .dflt = "provisioned", .choices = stream_modes,
	  .rule = "§3.7",
	  .help = "provisioned: the shards you give, resharded when you say; on_demand: starts at 4 shards and splits a shard that takes over 500 KB/s for 15 minutes (from 2021-11-29)." },
	{ .key = "shards", .type = ST_INT, SF(shards), .flags = SF_RANGE, .min = 1,
	  .max = KINESIS_STREAM_SHARDS_MAX, .rule = "§3.1, §3.6",
	  .help = "Open shards at the start (default 1; on demand 4); they split the 128-bit hash-key space evenly." },
	{ .key = "max_shards", .type = ST_INT, SF(max_shards), .dflt = KINESIS_ON_DEMAND_MAX_SHARDS_DEFAULT,
	  .flags = SF_RANGE, .min = 1, .max = KINESIS_STREAM_SHARDS_MAX, .rule = "§3.7",
	  .help = "On demand: the most open shards the stream splits to. Model parameter: AWS's ceiling is 200 MB/s of write (10 GB/s in some Regions); raise it for big streams (each shard the run may open gets its columns)." },
	{ .key = "retention", .type = ST_DURATION, SF(retention), .dflt = "24h", .flags = SF_RANGE,
	  .min = (double)KINESIS_RETENTION_MIN, .max = (double)KINESIS_RETENTION_MAX, .rule = "§3.5",
	  .help = "How long a record stays readable (24h to 365d; at most 7d with a behaviour before 2020-11-09)." },
	{ .key = "shard_metrics", .type = ST_BOOL, SF(shard_metrics), .dflt = "true", .rule = "§3.9",
	  .help = "Write shard-level metrics (enhanced monitoring): a set of columns per shard, named STREAM.shardId-N/Metric." },
	{ .key = "reshards", .type = ST_LIST, SF(reshards), .sub = &reshard_schema, .rule = "§3.6",
	  .help = "Resharding operations, in time order." },
	{ 0 }
};

const struct schema stream_schema = {
	.name = "stream",
	.size = sizeof(struct stream_cfg),
	.fields = stream_fields,
	.check = stream_check,
	.help = "A Kinesis data stream, named by its key (aws-behaviour §3): records go to the shard whose hash-key range holds the MD5 of their partition key; each shard accepts 1 MB and 1,000 records per second, in provisioned and on-demand mode alike.",
};

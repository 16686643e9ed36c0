/*
 * lambda_config.c - the account and functions sections of a scenario.
 *
 * Keys follow Lambda's settings (ReservedConcurrentExecutions as
 * reserved_concurrency, MemorySize as memory, the EventInvokeConfig as
 * async); limits are those of aws-behaviour §4. Keys marked "model
 * parameter" describe what AWS documents only loosely.
 */
#include "weir/lambda.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- behaviour ------------------------------------------------------------ */

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int behaviour_parse(const char *text)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strcmp(text, "latest") == 0)
		return BEHAVIOUR_LATEST;
	if (strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)text[i]))
			return -1;
	y = atoi(text);
	m = atoi(text + 5);
	d = atoi(text + 8);
	if (m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap(y)))
		return -1;
	return y * 10000 + m * 100 + d;
}

/* ---- account ---------------------------------------------------------------- */

#define PR(field) .offset = offsetof(struct pricing_cfg, field)
static const struct schema_field pricing_fields[] = {
	{ .key = "request", .type = ST_REAL, PR(request), .dflt = "0.0000002", .flags = SF_MIN, .min = 0,
	  .rule = "§4.7", .help = "Dollars per request ($0.20 per million in us-east-1)." },
	{ .key = "gb_second", .type = ST_REAL, PR(gb_second), .dflt = "0.0000166667", .flags = SF_MIN, .min = 0,
	  .rule = "§4.7", .help = "Dollars per GB-second of duration (x86 in us-east-1; Arm about 20% less)." },
	{ .key = "provisioned_gb_second", .type = ST_REAL, PR(provisioned_gb_second), .dflt = "0.0000041667",
	  .flags = SF_MIN, .min = 0, .rule = "§4.7",
	  .help = "Model parameter: dollars per GB-second of provisioned concurrency allocated (us-east-1 x86 list price; the rule book gives no figure)." },
	{ .key = "provisioned_duration_gb_second", .type = ST_REAL, PR(provisioned_duration_gb_second),
	  .dflt = "0.0000097222", .flags = SF_MIN, .min = 0, .rule = "§4.7",
	  .help = "Model parameter: dollars per GB-second run on provisioned environments (us-east-1 x86 list price)." },
	{ 0 }
};

static const struct schema pricing_schema = {
	.name = "pricing",
	.size = sizeof(struct pricing_cfg),
	.fields = pricing_fields,
	.help = "Lambda prices for the cost in summary.csv. They vary by Region and architecture (aws-behaviour §4.7); the defaults are us-east-1 x86 list prices.",
};

#define AF(field) .offset = offsetof(struct account_cfg, field)
static const struct schema_field account_fields[] = {
	{ .key = "lambda_concurrency", .type = ST_INT, AF(lambda_concurrency), .dflt = "1000",
	  .flags = SF_RANGE, .min = 1, .max = 1000000, .rule = "§4.1",
	  .help = "The account's concurrency quota in the Region, shared by all functions (new accounts can start lower than 1000; below 100 no function can reserve concurrency)." },
	{ .key = "behaviour", .type = ST_STRING, AF(behaviour), .dflt = "latest",
	  .rule = "§4.2, §5.2",
	  .help = "Which rules apply where AWS changed them: 'latest', or a date YYYY-MM-DD from 2014-11-13 to run the rules in force then (Lambda scaling before 2023-11-26 was account-level; the SQS mapping ramped +60/min before 2023-11-06 and had no maximum_concurrency before 2023; billing was in 100 ms steps and memory at most 3,008 MB before 2020-12-01; INIT was billed only for custom runtimes before 2025-08-01; async payloads were at most 256 KB before 2026-01-29). A date after the latest change runs the latest rules." },
	{ .key = "region", .type = ST_STRING, AF(region), .dflt = "us-east-1", .rule = "§4.2",
	  .help = "The Region, such as eu-west-1; with behaviour before 2023-11-26 it sets the account's scaling burst (3,000 in us-east-1, us-west-2, eu-west-1; 1,000 in ap-northeast-1, eu-central-1, us-east-2; 500 in any other)." },
	{ .key = "pricing", .type = ST_OBJECT, AF(pricing), .sub = &pricing_schema, .rule = "§4.7",
	  .help = "Prices for the cost estimate." },
	{ 0 }
};

/* Region names look like us-east-1, eu-central-2, us-gov-west-1, ap-southeast-7. */
static bool region_like(const char *r)
{
	size_t n = strlen(r), dashes = 0;

	if (n < 9 || !islower((unsigned char)r[0]) || !isdigit((unsigned char)r[n - 1]) || r[n - 2] != '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (r[i] == '-')
			dashes++;
		else if (!islower((unsigned char)r[i]) && !isdigit((unsigned char)r[i]))
			return false;
	}
	return dashes >= 2 && dashes <= 3;
}

static void account_check(void *obj, struct schema_ctx *ctx)
{
	struct account_cfg *a = obj;

	a->date = behaviour_parse(a->behaviour);
	if (a->date < 0)
		schema_error(ctx, schema_where(a, "behaviour"),
			     "'%s' is not a date: 'behaviour' is 'latest' or a date YYYY-MM-DD such as 2023-06-30", a->behaviour);
	else if (a->date < BEHAVIOUR_LAMBDA_LAUNCH)
		schema_error(ctx, schema_where(a, "behaviour"),
			     "'behaviour' %s is before Lambda existed: give a date from 2014-11-13 on", a->behaviour);
	if (!region_like(a->region))
		schema_error(ctx, schema_where(a, "region"),
			     "'%s' does not look like an AWS Region name (such as us-east-1, eu-central-1, ap-southeast-2)",
			     a->region);
}

const struct schema account_schema = {
	.name = "account",
	.size = sizeof(struct account_cfg),
	.fields = account_fields,
	.check = account_check,
	.help = "The AWS account: Lambda's concurrency quota, the behaviour date, the Region and prices.",
};

/* ---- functions ------------------------------------------------------------- */

#define EF(field) .offset = offsetof(struct errors_cfg, field)
static const struct schema_field errors_fields[] = {
	{ .key = "rate", .type = ST_REAL, EF(rate), .dflt = "0", .flags = SF_RANGE, .min = 0, .max = 1,
	  .rule = "§4.3", .help = "Chance that an invocation throws: a function error for the whole invocation." },
	{ .key = "poison", .type = ST_BOOL, EF(poison), .dflt = "true", .rule = "§5.4",
	  .help = "Whether a poison record fails: the invocation, or just that record when the caller asked for item failures." },
	{ 0 }
};

static const struct schema errors_schema = {
	.name = "errors",
	.size = sizeof(struct errors_cfg),
	.fields = errors_fields,
	.help = "When the handler fails. A failed or timed-out invocation counts in Errors.",
};

#define YF(field) .offset = offsetof(struct async_cfg, field)
static const struct schema_field async_fields[] = {
	{ .key = "maximum_retry_attempts", .type = ST_INT, YF(maximum_retry_attempts), .dflt = "2",
	  .flags = SF_RANGE, .min = 0, .max = LAMBDA_ASYNC_RETRIES_MAX, .rule = "§4.4",
	  .help = "Retries after function errors: the first about 1 min later, the second about 2 min later (MaximumRetryAttempts)." },
	{ .key = "maximum_event_age", .type = ST_DURATION, YF(maximum_event_age), .dflt = "6h",
	  .flags = SF_RANGE, .min = (double)LAMBDA_EVENT_AGE_MIN, .max = (double)LAMBDA_EVENT_AGE_MAX,
	  .rule = "§4.4", .help = "How long an event may wait, throttled or between retries, before it is given up (MaximumEventAgeInSeconds)." },
	{ .key = "on_failure", .type = ST_NAME, YF(on_failure), .rule = "§4.4",
	  .help = "SQS queue that receives a record of each event given up (on-failure destination)." },
	{ .key = "dead_letter", .type = ST_NAME, YF(dead_letter), .rule = "§4.4",
	  .help = "SQS queue that receives the payload of each event given up (the function's DLQ)." },
	{ 0 }
};

static const struct schema async_schema = {
	.name = "async",
	.size = sizeof(struct async_cfg),
	.fields = async_fields,
	.help = "Asynchronous invocation (aws-behaviour §4.4): events wait in Lambda's queue; function errors are retried after about 1 and 2 minutes; throttles are retried with a backoff from 1 s to 5 min for up to the maximum event age; an event given up goes to the on-failure destination and the dead-letter queue if set, or is dropped.",
};

#define FF(field) .offset = offsetof(struct function_cfg, field)
static const struct schema_field function_fields[] = {
	{ .key = "reserved_concurrency", .type = ST_INT, FF(reserved_concurrency), .flags = SF_RANGE,
	  .min = 0, .max = 1000000, .rule = "§4.1",
	  .help = "Concurrency reserved for the function, both its floor and its cap (ReservedConcurrentExecutions); 0 disables it; unset shares the account's unreserved pool." },
	{ .key = "provisioned_concurrency", .type = ST_INT, FF(provisioned_concurrency), .dflt = "0",
	  .flags = SF_RANGE, .min = 0, .max = 1000000, .rule = "§4.1",
	  .help = "Environments initialised before the run and never reaped; invocations beyond them spill over to on-demand ones." },
	{ .key = "timeout", .type = ST_DURATION, FF(timeout), .dflt = "3s", .flags = SF_RANGE,
	  .min = (double)SIM_SEC, .max = (double)LAMBDA_TIMEOUT_MAX, .rule = "§4.5",
	  .help = "A run longer than this is stopped: a timeout error (whole seconds)." },
	{ .key = "memory", .type = ST_SIZE, FF(memory), .dflt = "128MB", .flags = SF_MIN, .min = 0,
	  .rule = "§4.5, §4.7",
	  .help = "MemorySize, 128MB to 10240MB in Lambda's MB (1769MB is one vCPU; 2GiB = 2048MB, while 2GB is read as 2000MB); it sets the GB-seconds billed (1024MB = 1 GB)." },
	{ .key = "duration", .type = ST_DIST, FF(duration), .unit = UNIT_DURATION,
	  .flags = SF_REQUIRED | SF_MIN, .min = 0, .help = "Handler run time of an invocation." },
	{ .key = "per_record", .type = ST_DIST, FF(per_record), .unit = UNIT_DURATION, .flags = SF_MIN,
	  .min = 0, .help = "Time added for each record of a batch, drawn per record (event source mappings)." },
	{ .key = "cold_start", .type = ST_DIST, FF(cold_start), .unit = UNIT_DURATION,
	  .dflt = "lognormal(median=200ms, p99=1s)", .flags = SF_MIN, .min = 0, .rule = "§4.6",
	  .help = "Model parameter: INIT time of a new environment (AWS: about 100 ms to over 1 s by runtime and package); INIT is limited to 10 s." },
	{ .key = "keep_alive", .type = ST_DIST, FF(keep_alive), .unit = UNIT_DURATION,
	  .dflt = "uniform(min=5m, max=15m)", .flags = SF_MIN, .min = 0, .rule = "§4.6",
	  .help = "Model parameter: how long an idle environment stays warm before it is reaped (AWS: not deterministic, not published)." },
	{ .key = "errors", .type = ST_OBJECT, FF(errors), .sub = &errors_schema, .rule = "§4.3",
	  .help = "Failure behaviour of the handler." },
	{ .key = "async", .type = ST_OBJECT, FF(async), .sub = &async_schema, .rule = "§4.4",
	  .help = "Asynchronous invocation settings (EventInvokeConfig)." },
	{ .key = "custom_runtime", .type = ST_BOOL, FF(custom_runtime), .dflt = "false", .rule = "§4.7",
	  .help = "A custom runtime or container image: its INIT was billed before Aug 2025 too." },
	{ 0 }
};

/* Function names: 1..64 letters, digits, '-' and '_'. */
static void function_name_check(const struct doc_node *key, struct schema_ctx *ctx)
{
	size_t n = strlen(key->text);

	if (n == 0 || n > 64) {
		schema_error(ctx, key, "function name '%s' must have 1 to 64 characters", key->text);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char c = key->text[i];

		if (!isalnum((unsigned char)c) && c != '-' && c != '_') {
			schema_error(ctx, key, "function name '%s' may hold only letters, digits, '-' and '_'", key->text);
			return;
		}
	}
}

/*
 * Lambda's MB are mebibytes, but people write 1024MB: a size that is a whole
 * number of MiB (1GiB, 1536MiB) counts in MiB, any other whole number of MB
 * (1024MB, 1GB = 1000MB) in MB.
 */
static void function_check(void *obj, struct schema_ctx *ctx)
{
	struct function_cfg *f = obj;
	double mib = f->memory / 1048576.0, mb = f->memory / 1e6;

	if (fabs(mib - round(mib)) < 1e-9) {
		f->memory_mb = (int64_t)llround(mib);
	} else if (fabs(mb - round(mb)) < 1e-9) {
		f->memory_mb = (int64_t)llround(mb);
	} else {
		schema_error(ctx, schema_where(f, "memory"),
			     "'memory' is a whole number of Lambda's MB, e.g. 1024MB or 2GiB");
		return;
	}
	if (f->memory_mb < LAMBDA_MEMORY_MIN_MB || f->memory_mb > LAMBDA_MEMORY_MAX_MB)
		schema_error(ctx, schema_where(f, "memory"),
			     "'memory' is %lldMB; it must be between %dMB and %dMB (aws-behaviour §4.5)",
			     (long long)f->memory_mb, LAMBDA_MEMORY_MIN_MB, LAMBDA_MEMORY_MAX_MB);
	if (f->timeout % SIM_SEC != 0)
		schema_error(ctx, schema_where(f, "timeout"),
			     "'timeout' is set in whole seconds (aws-behaviour §4.5)");
	if (f->reserved_concurrency != INT64_MIN && f->provisioned_concurrency > f->reserved_concurrency)
		schema_error(ctx, schema_where(f, "provisioned_concurrency"),
			     "provisioned concurrency (%lld) cannot exceed the reserved concurrency (%lld): it counts toward it (aws-behaviour §4.1)",
			     (long long)f->provisioned_concurrency, (long long)f->reserved_concurrency);
}

const struct schema function_schema = {
	.name = "function",
	.size = sizeof(struct function_cfg),
	.fields = function_fields,
	.check = function_check,
	.check_name = function_name_check,
	.help = "An AWS Lambda function, named by its key (aws-behaviour §4).",
};

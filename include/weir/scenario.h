/*
 * scenario.h - a whole scenario: loading, overriding, validating.
 *
 * scenario_load reads a YAML file (or text), applies --set overrides, checks
 * every value against the schema tables and every reference between
 * resources, and returns the checked configuration or NULL with located
 * errors in the diagnostics.
 */
#ifndef WEIR_SCENARIO_H
#define WEIR_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include "weir/consumer.h"
#include "weir/diag.h"
#include "weir/doc.h"
#include "weir/esm.h"
#include "weir/kinesis.h"
#include "weir/lambda.h"
#include "weir/producer.h"
#include "weir/schema.h"
#include "weir/sns.h"
#include "weir/sqs.h"

/* Longest simulated run: 365 days. */
#define SCENARIO_DURATION_MAX (365 * SIM_DAY)
/* Most rows a timeseries may have (duration / period). */
#define SCENARIO_PERIODS_MAX 1000000

struct metrics_cfg {
	struct schema_head head;
	sim_time period;
};

/* One swept parameter of `sweep:` (a key path and its values as text). */
struct sweep_param_cfg {
	struct schema_head head;  /* name: the key path */
	const char *values;
};

/* `sweep:` - the grid `weir sweep` runs; `weir run` ignores it. */
struct sweep_cfg {
	struct schema_head head;
	struct vec parameters;    /* struct sweep_param_cfg */
	bool zip;
	int64_t replications;     /* unset = INT64_MIN */
	int64_t baseline;         /* 1-based configuration; unset = INT64_MIN */
	const char *metrics;      /* "RES/STAT, ..." for the tables and plots; NULL = the key ones */
};

struct scenario {
	struct schema_head head;
	const char *name;
	const char *description;
	sim_time duration;
	sim_time warmup;
	int64_t seed;
	struct metrics_cfg metrics;
	struct vec queues;        /* struct sqs_queue_cfg */
	struct vec streams;       /* struct stream_cfg */
	struct vec producers;     /* struct producer_cfg */
	struct vec consumers;     /* struct consumer_cfg */
	struct vec functions;     /* struct function_cfg */
	struct vec triggers;      /* struct trigger_cfg */
	struct vec topics;        /* struct sns_topic_cfg */
	struct account_cfg account;
	struct sweep_cfg sweep;
	/* owned */
	struct doc *doc;
	char *default_name;       /* the file's base name, when `name` is not given */
	const char *file;         /* as given on the command line */
};

extern const struct schema scenario_schema;

/*
 * Loads and checks a scenario. text may be NULL (then the file is read).
 * Returns NULL when there are errors (diagnostics in d). The scenario's
 * locations point into source texts that d owns: d must outlive it.
 */
struct scenario *scenario_load(const char *path, const char *text, size_t len,
			       const char *const *overrides, size_t noverrides,
			       struct diags *d);
void scenario_free(struct scenario *sc);

/* Resource lookup by name; NULL when no queue (function) has that name. */
const struct sqs_queue_cfg *scenario_queue(const struct scenario *sc, const char *name);
const struct function_cfg *scenario_function(const struct scenario *sc, const char *name);
const struct stream_cfg *scenario_stream(const struct scenario *sc, const char *name);
const struct sns_topic_cfg *scenario_topic(const struct scenario *sc, const char *name);

/* The bundled default scenario (what `weir run` runs with no argument). */
extern const char scenario_default_name[];
extern const char scenario_default_text[];

/* Writes docs/scenario-reference.md. */
void scenario_write_reference(FILE *out);
/* Writes docs/metrics.md. */
void scenario_write_metrics_reference(FILE *out);

#endif

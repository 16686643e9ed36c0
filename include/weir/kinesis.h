/*
 * kinesis.h - Amazon Kinesis Data Streams (aws-behaviour §3).
 *
 * A stream is a set of shards; each OPEN shard owns a contiguous range of
 * the 128-bit hash-key space, and together they cover all of it (§3.1). A
 * record goes to the shard whose range holds its hash key: the MD5 of its
 * partition key, or an explicit hash key. Within a shard, records are kept
 * in the order they were accepted, each with a sequence number that grows
 * with time.
 *
 * Writes are limited per shard and per second (§3.2): 1 MiB and 1,000
 * records in each 1-second window of the simulated clock ([k s, k+1 s)). A
 * record that would pass either limit is refused
 * (ProvisionedThroughputExceededException) and counted in
 * WriteProvisionedThroughputExceeded; the caller retries it or not.
 *
 * Readers (event source mappings, consumer applications) each hold a
 * cursor per shard: the next record they will read, which only moves on
 * when they say so (their checkpoint). A record is kept while some reader
 * has not passed it, and at most for the stream's retention (§3.5): a
 * record older than that is gone, and a reader behind it loses it. A
 * stream nobody reads keeps only counts, per second of arrival, for the
 * retention ledger.
 *
 * Resharding (§3.6) closes parent shards (no new writes, still readable)
 * and opens children; a reader finishes a parent before it reads the
 * children, so each partition key stays in order. In on-demand mode (§3.7)
 * the stream starts with 4 shards and splits, by itself, a shard that has
 * taken more than 500 KB/s for 15 minutes.
 *
 * Ledger, at every instant:
 *   put = accepted + throttled + too large
 *   accepted = read by every reader + expired + held
 */
#ifndef WEIR_KINESIS_H
#define WEIR_KINESIS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "weir/level.h"
#include "weir/md5.h"
#include "weir/metrics.h"
#include "weir/schema.h"
#include "weir/sim.h"
#include "weir/summary.h"

/* ---- limits from the rule book ---------------------------------------------- */

#define KINESIS_SHARD_WRITE_BYTES 1048576.0     /* 1 MB/s per shard (§3.2), read as MiB */
#define KINESIS_SHARD_WRITE_RECORDS 1000        /* records/s per shard (§3.2) */
#define KINESIS_WINDOW SIM_SEC                  /* limits are enforced per second (§3.2) */
#define KINESIS_PUT_ROUNDING 1024.0             /* PutRecord rounds a record up to the next KB (§3.2) */
#define KINESIS_RECORD_MAX 1048576.0            /* data blob <= 1 MiB (§3.3) */
#define KINESIS_PUT_RECORDS_MAX 500             /* records per PutRecords (§3.4) */
#define KINESIS_PUT_RECORDS_BYTES 5242880.0     /* 5 MiB per PutRecords, keys included (§3.4) */
#define KINESIS_KEY_MAX 256                     /* partition key length (§3.1) */
#define KINESIS_SHARD_READ_CALLS 5              /* GetRecords per second per shard, shared (§3.2) */
#define KINESIS_SHARD_READ_BYTES 2097152.0      /* 2 MB/s per shard, shared (§3.2) */
#define KINESIS_GET_RECORDS_MAX 10000           /* records per GetRecords call (§3.2) */
#define KINESIS_GET_RECORDS_BYTES 10485760.0    /* 10 MB per GetRecords call (§3.2) */
#define KINESIS_RETENTION_DEFAULT (24 * SIM_HOUR)   /* §3.5 */
#define KINESIS_RETENTION_MIN (24 * SIM_HOUR)
#define KINESIS_RETENTION_MAX (365 * SIM_DAY)       /* 8,760 h since Nov 2020 (§3.5) */
#define KINESIS_RETENTION_MAX_OLD (7 * SIM_DAY)     /* 168 h before */
#define KINESIS_STREAM_SHARDS_MAX 10000             /* per-stream ceiling (§3.6, current) */
/* Retention up to 365 days (§3.5; announced Nov 2020, day unconfirmed). */
#define BEHAVIOUR_KINESIS_LONG_RETENTION 20201109
/* On-demand capacity mode (§3.7, launched 29 Nov 2021). */
#define BEHAVIOUR_KINESIS_ON_DEMAND 20211129
#define KINESIS_ON_DEMAND_SHARDS 4              /* a new on-demand stream: 4 MB/s of write (§3.7) */
#define KINESIS_ON_DEMAND_SPLIT_BYTES 512000.0  /* a shard over ~500 KB/s is split (§3.7) */
#define KINESIS_ON_DEMAND_SPLIT_AFTER (15 * SIM_MIN)  /* ... within ~15 min (§3.7) */
/* Model parameters: how often the traffic is measured, and how far a stream splits by default. */
#define KINESIS_ON_DEMAND_TICK SIM_MIN
#define KINESIS_ON_DEMAND_MAX_SHARDS_DEFAULT "16"

/* ---- configuration --------------------------------------------------------- */

enum kinesis_reshard_kind { RESHARD_SPLIT, RESHARD_MERGE, RESHARD_UPDATE_COUNT };

struct reshard_cfg {
	struct schema_head head;
	sim_time at;
	int action;                 /* enum kinesis_reshard_kind */
	int64_t shard;              /* split: the shard; merge: the first of two adjacent ones */
	int64_t shards;             /* update_shard_count: the target count */
};

enum kinesis_mode { KINESIS_PROVISIONED, KINESIS_ON_DEMAND };

struct stream_cfg {
	struct schema_head head;
	int mode;                   /* enum kinesis_mode */
	int64_t shards;             /* INT64_MIN until resolved: 1, or 4 on demand */
	int64_t max_shards;         /* on demand: the most open shards it splits to */
	sim_time retention;
	bool shard_metrics;         /* per-shard columns (enhanced monitoring, §3.9) */
	struct vec reshards;        /* struct reshard_cfg, in time order */
};

extern const struct schema stream_schema;
extern const struct metric_family kinesis_metric_family;
extern const struct metric_family kinesis_shard_metric_family;
extern const struct stat_family kinesis_stat_family;

/* ---- runtime --------------------------------------------------------------- */

/* A record in a shard (32 bytes). */
struct kin_rec {
	uint64_t seq;               /* sequence number: grows with time across the stream */
	sim_time born;              /* ApproximateArrivalTimestamp */
	uint64_t key;               /* partition key id: records of one key share it */
	uint32_t size;              /* data + partition key, bytes */
	uint8_t poison;             /* fails in every consumer */
};

/* What a producer puts. */
struct kin_put {
	struct hash128 hash;        /* MD5 of the partition key, or the explicit hash key */
	uint64_t key;               /* partition key id (for per-key order) */
	uint32_t size;              /* data + partition key, bytes */
	uint16_t key_len;           /* partition key, bytes */
	bool poison;
	bool batched;               /* part of a PutRecords (no per-record rounding, §3.2) */
};

enum kinesis_result { KINESIS_OK, KINESIS_THROTTLED, KINESIS_TOO_LARGE };

enum kinesis_start { KINESIS_TRIM_HORIZON, KINESIS_LATEST };

enum kinesis_shard_state { SHARD_OPEN, SHARD_CLOSED, SHARD_EXPIRED };

struct kinesis_stream;
struct kin_reader;

/* A reader's hook: a shard was opened by a reshard (the reader may poll it). */
typedef void kin_shard_fn(void *owner, uint32_t shard);

struct kinesis_counters {
	uint64_t put, accepted, throttled, too_large, bytes;
	uint64_t read, expired, expired_unread, get_calls, read_throttled, read_bytes;
	uint64_t reshards;
};

struct kinesis_stream *kinesis_create(struct sim *sim, const char *name, const struct stream_cfg *cfg);
/* Schedules the reshards; call once the readers are added. */
void kinesis_start(struct kinesis_stream *s);
void kinesis_destroy(struct kinesis_stream *s);
const char *kinesis_name(const struct kinesis_stream *s);
const struct stream_cfg *kinesis_config(const struct kinesis_stream *s);
const struct kinesis_counters *kinesis_counters(const struct kinesis_stream *s);

/* PutRecord / one entry of PutRecords: accepted, throttled or too large. */
enum kinesis_result kinesis_put(struct kinesis_stream *s, const struct kin_put *r);

/* Shards ever created (ids 0..n-1, in creation order), and one's state. */
uint32_t kinesis_shard_count(const struct kinesis_stream *s);
uint32_t kinesis_open_shards(const struct kinesis_stream *s);
enum kinesis_shard_state kinesis_shard_state(const struct kinesis_stream *s, uint32_t shard);
/* The first hash key of the i-th open shard, in hash-key order. */
struct hash128 kinesis_open_shard_start(const struct kinesis_stream *s, uint32_t i);
/* Records the shard has accepted. */
uint64_t kinesis_shard_incoming(const struct kinesis_stream *s, uint32_t shard);
/* The open shard that holds hash key h. */
uint32_t kinesis_route(const struct kinesis_stream *s, struct hash128 h);

/*
 * Adds a reader starting at `start` in every shard (LATEST: after what is
 * there now). on_shard (may be NULL) hears of shards a reshard opens.
 */
struct kin_reader *kinesis_reader_add(struct kinesis_stream *s, enum kinesis_start start,
				      kin_shard_fn *on_shard, void *owner);
/*
 * Whether the reader may read the shard: it exists, is not expired, and the
 * reader has finished its parents (§3.6).
 */
bool kinesis_readable(const struct kin_reader *r, uint32_t shard);
/* The reader's checkpoint in the shard: the position of the next record to read. */
uint64_t kinesis_cursor(const struct kin_reader *r, uint32_t shard);
/* Position after the last record of the shard (the next one accepted goes there). */
uint64_t kinesis_end(const struct kinesis_stream *s, uint32_t shard);
/* The record at a position between the cursor and the end. */
const struct kin_rec *kinesis_record(const struct kinesis_stream *s, uint32_t shard, uint64_t pos);
/*
 * Moves the reader's checkpoint to pos (<= end). Returns how many records
 * between its old cursor and pos had expired before it read them (lost).
 */
uint64_t kinesis_commit(struct kin_reader *r, uint32_t shard, uint64_t pos);
/*
 * Records that expired in front of the reader: moves its cursor past them
 * and returns how many (lost to it). Call before reading.
 */
uint64_t kinesis_skip_expired(struct kin_reader *r, uint32_t shard);
/* Whether the reader has read a closed shard to its end (its children may be read). */
bool kinesis_finished(const struct kin_reader *r, uint32_t shard);
/*
 * A GetRecords call on a shard for `bytes` (shared throughput: 5 calls and
 * 2 MB per second per shard, §3.2). Returns false when throttled
 * (ReadProvisionedThroughputExceeded).
 */
bool kinesis_get_records(struct kinesis_stream *s, uint32_t shard, double bytes);

void kinesis_register_metrics(struct kinesis_stream *s, struct metrics *m);
void kinesis_end_warmup(struct kinesis_stream *s);
void kinesis_summarize(const struct kinesis_stream *s, struct summary *sum);
/* put = accepted + throttled + too large; accepted = read + expired + held. */
bool kinesis_ledger(const struct kinesis_stream *s, FILE *err);

#endif

/*
 * keys.h - partition-key distributions of Kinesis producers.
 *
 *   uniform(keys=1000)            1000 keys, each equally likely
 *   zipf(keys=1000, s=1.1)        key of rank k drawn with probability ∝ 1/k^s (s > 0, default 1)
 *   hot(keys=1000, share=0.3)     one key takes 30% of records, the other 999 share the rest
 *   random                        a fresh key per record (a random UUID), as random() too
 *
 * The keys of uniform, zipf and hot are the strings "key-0", "key-1", ...;
 * key i has rank i + 1 under zipf, and key-0 is the hot key of hot. The
 * generator hashes them once when it is created, so a draw costs O(1) and
 * no MD5. A record's shard follows from its key's MD5 hash key (aws-behaviour
 * §3.1), which is why a handful of keys can leave shards idle and one hot
 * key can throttle one shard however many shards the stream has.
 */
#ifndef WEIR_KEYS_H
#define WEIR_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "weir/md5.h"
#include "weir/units.h"

/*
 * Most keys of a fixed set: 10 million. The generator holds 16 bytes of
 * hash key per key, and zipf 16 more for its alias table: 320 MB at the
 * limit, more while the table is built, and about 2 s (4 s for zipf) to
 * create. Use random for unbounded key spaces.
 */
#define KEYS_MAX 10000000
#define KEYS_ZIPF_S_DEFAULT 1.0   /* classic Zipf when s= is left out */
#define KEYS_UUID_LEN 36          /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */
#define KEYS_RANDOM_INDEX UINT64_MAX   /* the index a draw of a random key reports */

enum key_kind {
	KEYS_UNIFORM,
	KEYS_ZIPF,
	KEYS_HOT,
	KEYS_RANDOM
};

struct key_spec {
	enum key_kind kind;
	uint64_t n;       /* number of keys (not for random) */
	double s;         /* zipf: the exponent */
	double share;     /* hot: the hot key's share of records, in (0, 1) */
};

/* One line per kind, for the scenario reference. */
extern const char keys_help[];

/*
 * Parses a key distribution. Returns 0, or -1 with err filled: the offset
 * and length in text of the offending name, key or value, and a message.
 */
int keys_parse(const char *text, struct key_spec *spec, struct parse_err *err);
/* "uniform", "zipf", "hot", "random" */
const char *keys_kind_name(enum key_kind kind);

struct key_gen;

/* A generator of keys of a parsed spec; hashes every key of a fixed set. */
struct key_gen *key_gen_create(const struct key_spec *spec);
/* Accepts NULL. */
void key_gen_destroy(struct key_gen *g);
/*
 * Draws a key: returns its hash key and sets *index (when index is not
 * NULL) to its index, or KEYS_RANDOM_INDEX for a random key.
 */
struct hash128 key_gen_draw(struct key_gen *g, gsl_rng *r, uint64_t *index);

/* The text of key i, "key-17", into buf[0, n); returns its length. */
size_t keys_name(uint64_t i, char *buf, size_t n);
/* The length in bytes of the key at index i (KEYS_UUID_LEN for KEYS_RANDOM_INDEX). */
size_t keys_name_len(uint64_t i);
/* A random version-4 UUID in lowercase hex (122 random bits), as random keys are. */
void keys_uuid(gsl_rng *r, char out[KEYS_UUID_LEN + 1]);
/*
 * The probability that a draw gives key i (0 beyond the set, and for
 * random); for tests and docs: zipf sums its normalising constant, O(n).
 */
double keys_probability(const struct key_spec *spec, uint64_t i);

#endif

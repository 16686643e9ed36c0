/*
 * md5.h - MD5 (RFC 1321) and the 128-bit hash keys of Kinesis Data Streams.
 *
 * Kinesis routes a record by MD5(partition key) read as an unsigned 128-bit
 * integer, the hash key; each open shard owns a contiguous range of hash
 * keys and the open shards cover 0 .. 2^128 - 1 without gaps (aws-behaviour
 * §3.1). A stream created with n shards splits that space evenly: shard i
 * owns [floor(i * 2^128 / n), floor((i + 1) * 2^128 / n) - 1].
 *
 * The 128-bit arithmetic uses 64-bit halves only (no __int128), and
 * hash128_shard agrees exactly with hash128_range_start at every boundary.
 */
#ifndef WEIR_MD5_H
#define WEIR_MD5_H

#include <stddef.h>
#include <stdint.h>

#define MD5_DIGEST_LEN 16
#define MD5_BLOCK_LEN 64

/* An MD5 computation fed in pieces; md5_init, md5_update..., md5_final. */
struct md5_ctx {
	uint32_t state[4];
	uint64_t len;                  /* bytes fed so far */
	uint8_t buf[MD5_BLOCK_LEN];    /* the partial block, len % 64 bytes */
};

void md5_init(struct md5_ctx *c);
void md5_update(struct md5_ctx *c, const void *data, size_t len);
/* Writes the digest; c must be initialised again before reuse. */
void md5_final(struct md5_ctx *c, uint8_t digest[MD5_DIGEST_LEN]);
/* The digest of data[0, len) in one call. */
void md5(const void *data, size_t len, uint8_t digest[MD5_DIGEST_LEN]);

/* An unsigned 128-bit integer: hi * 2^64 + lo. */
struct hash128 {
	uint64_t hi, lo;
};

/* The Kinesis hash key of a partition key: its MD5 digest read big-endian. */
struct hash128 md5_hash_key(const char *key, size_t len);
/* -1, 0 or 1 as a is below, equal to or above b. */
static inline int hash128_cmp(struct hash128 a, struct hash128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}
/* The first hash key of shard i of n even shards: floor(i * 2^128 / n); i < n. */
struct hash128 hash128_range_start(uint64_t i, uint64_t n);
/* The last hash key of shard i of n even shards (2^128 - 1 for the last). */
struct hash128 hash128_range_end(uint64_t i, uint64_t n);
/* The shard of n even shards whose range holds h; n > 0. */
uint64_t hash128_shard(struct hash128 h, uint64_t n);

#endif

/*
 * test_keys.c - MD5 against RFC 1321's test suite and known answers, the
 * 128-bit hash-key arithmetic of even shard splits, partition-key
 * distributions: the parser (every error with its message and location)
 * and the generator's frequencies.
 *
 * Statistical checks use a fixed-seed MT19937, so they are deterministic;
 * each compares with a bound a correct generator exceeds with probability
 * 0.001 (a chi-square 99.9% quantile, or a two-sided 99.9% normal interval
 * around a binomial count).
 */
#include "harness.h"
#include "weir/keys.h"
#include "weir/md5.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#define TEST_SEED 20240611UL
#define ALPHA 0.001           /* chance that a correct generator fails one statistical check */
#define DRAWS 1000000         /* draws per frequency check */

static gsl_rng *test_rng(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, TEST_SEED);
	return r;
}

static void hex(const uint8_t d[MD5_DIGEST_LEN], char out[2 * MD5_DIGEST_LEN + 1])
{
	for (int i = 0; i < MD5_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The MD5 of data fed in pieces of the given sizes, used in turn. */
static void md5_pieces(const uint8_t *data, size_t len, const size_t *sizes, size_t nsizes,
		       char out[2 * MD5_DIGEST_LEN + 1])
{
	struct md5_ctx c;
	uint8_t d[MD5_DIGEST_LEN];

	md5_init(&c);
	for (size_t at = 0, k = 0; at < len; k++) {
		size_t take = sizes[k % nsizes] < len - at ? sizes[k % nsizes] : len - at;

		md5_update(&c, data + at, take);
		at += take;
	}
	md5_final(&c, d);
	hex(d, out);
}

/* RFC 1321 appendix A.5. */
void test_md5_rfc1321_suite(void)
{
	static const struct { const char *in, *digest; } suite[] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		  "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		  "57edf4a22be3c955ac49da2e2107b67a" },
	};
	static const size_t one[] = { 1 };

	for (size_t i = 0; i < sizeof(suite) / sizeof(suite[0]); i++) {
		uint8_t d[MD5_DIGEST_LEN];
		char got[2 * MD5_DIGEST_LEN + 1];

		md5(suite[i].in, strlen(suite[i].in), d);
		hex(d, got);
		CHECK_EQ_STR(got, suite[i].digest);
		md5_pieces((const uint8_t *)suite[i].in, strlen(suite[i].in), one, 1, got);
		CHECK_EQ_STR(got, suite[i].digest);
	}
}

/*
 * Known answers obtained with GNU coreutils md5sum: a million 'a'
 * (`python3 -c "import sys; sys.stdout.buffer.write(b'a' * 1000000)" | md5sum`)
 * and 1,000,003 bytes i % 251
 * (`python3 -c "import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(1000003)))" | md5sum`),
 * each hashed at once and in pieces that straddle the 64-byte blocks.
 */
void test_md5_one_megabyte(void)
{
	static const size_t sizes[] = { 1, 63, 64, 65, 127, 4096, 3 };
	size_t n = 1000003;
	uint8_t *buf = malloc(n), d[MD5_DIGEST_LEN];
	char got[2 * MD5_DIGEST_LEN + 1], pieces[2 * MD5_DIGEST_LEN + 1], pattern[2 * MD5_DIGEST_LEN + 1];

	memset(buf, 'a', 1000000);
	md5(buf, 1000000, d);
	hex(d, got);
	md5_pieces(buf, 1000000, sizes, sizeof(sizes) / sizeof(sizes[0]), pieces);
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i % 251);
	md5_pieces(buf, n, sizes, sizeof(sizes) / sizeof(sizes[0]), pattern);
	md5(buf, n, d);
	free(buf);
	CHECK_EQ_STR(got, "7707d6ae4e027c70eea2a935c2296f21");
	CHECK_EQ_STR(pieces, "7707d6ae4e027c70eea2a935c2296f21");
	CHECK_EQ_STR(pattern, "c767382bbc15b14aff5ccfad14bdd82e");
	hex(d, got);
	CHECK_EQ_STR(got, "c767382bbc15b14aff5ccfad14bdd82e");
}

/* Digests from md5sum: printf a | md5sum, printf key-0 | md5sum. */
void test_md5_hash_key_big_endian(void)
{
	struct hash128 a = md5_hash_key("a", 1), k = md5_hash_key("key-0", 5);

	CHECK(a.hi == 0x0cc175b9c0f1b6a8ULL && a.lo == 0x31c399e269772661ULL);
	CHECK(k.hi == 0xb4428b7e85e1fa85ULL && k.lo == 0x481af6307d7f3cf7ULL);
	CHECK_EQ_INT(hash128_cmp(a, k), -1);
	CHECK_EQ_INT(hash128_cmp(k, a), 1);
	CHECK_EQ_INT(hash128_cmp(a, a), 0);
	CHECK_EQ_INT(hash128_cmp((struct hash128){ 1, 0 }, (struct hash128){ 0, UINT64_MAX }), 1);
}

static struct hash128 minus_one(struct hash128 h)
{
	if (h.lo-- == 0)
		h.hi--;
	return h;
}

static bool same(struct hash128 a, struct hash128 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

/* Shard i of n starts where shard i - 1 ends, and hash128_shard puts the two sides apart. */
static bool boundary_ok(uint64_t i, uint64_t n)
{
	struct hash128 start = hash128_range_start(i, n);

	if (hash128_shard(start, n) == i && hash128_shard(minus_one(start), n) == i - 1 &&
	    same(hash128_range_end(i - 1, n), minus_one(start)))
		return true;
	test__fail(__FILE__, __LINE__, "n=%llu: boundary of shard %llu", (unsigned long long)n,
		   (unsigned long long)i);
	return false;
}

/* Every boundary for n <= 1000; 1000 spread over 1 .. n - 1 for n = 2^64 - 1. */
void test_md5_shard_boundaries(void)
{
	static const uint64_t ns[] = { 1, 2, 3, 4, 7, 100, 1000, UINT64_MAX };
	const struct hash128 zero = { 0, 0 }, ones = { UINT64_MAX, UINT64_MAX };

	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		uint64_t n = ns[k], step = n > 1000 ? n / 1001 : 1;

		CHECK_EQ_INT(hash128_shard(zero, n), 0);
		CHECK(hash128_shard(ones, n) == n - 1);
		CHECK(same(hash128_range_start(0, n), zero));
		CHECK(same(hash128_range_end(n - 1, n), ones));
		for (uint64_t j = 1; j < n && j <= 1000; j++)
			if (!boundary_ok(j * step, n))
				return;
		if (n > 1 && !boundary_ok(n - 1, n))
			return;
	}
	/* Exact starts: 2^128 / 2, / 4, floor(2^128 / 3) = 0x5555..., 2^128 = (2^64 - 1)(2^64 + 1) + 1. */
	CHECK(same(hash128_range_start(1, 2), ((struct hash128){ 1ULL << 63, 0 })));
	CHECK(same(hash128_range_start(3, 4), ((struct hash128){ 3ULL << 62, 0 })));
	CHECK(same(hash128_range_start(1, 3), ((struct hash128){ 0x5555555555555555ULL, 0x5555555555555555ULL })));
	CHECK(same(hash128_range_start(1, UINT64_MAX), ((struct hash128){ 1, 1 })));
}

__extension__ typedef unsigned __int128 u128;

/*
 * hash128_range_start against the compiler's 128-bit division, in two
 * 64-bit quotient digits; and hash128_shard against its definition,
 * start(i) <= h <= end(i), for random hash keys and shard counts.
 */
void test_md5_shard_random(void)
{
	gsl_rng *r = test_rng();

	for (int t = 0; t < 20000; t++) {
		uint64_t w[4], n, i;
		struct hash128 h, s, e, want;
		u128 top;

		for (int j = 0; j < 4; j++)
			w[j] = (uint64_t)gsl_rng_get(r) << 32 | gsl_rng_get(r);
		n = w[2] >> (w[3] % 64);
		n += n == 0;
		h = (struct hash128){ w[0], w[1] };
		i = hash128_shard(h, n);
		s = hash128_range_start(i, n);
		e = hash128_range_end(i, n);
		top = ((u128)i << 64) / n;
		want = (struct hash128){ (uint64_t)top,
					 (uint64_t)((((u128)i << 64) % n << 64) / n) };
		if (i >= n || !same(s, want) || hash128_cmp(s, h) > 0 || hash128_cmp(h, e) > 0) {
			gsl_rng_free(r);
			CHECK_MSG(false, "h=%016llx%016llx n=%llu: shard %llu", (unsigned long long)h.hi,
				  (unsigned long long)h.lo, (unsigned long long)n, (unsigned long long)i);
		}
	}
	gsl_rng_free(r);
}

/* ---- parsing ---- */

struct good_case {
	const char *text;
	enum key_kind kind;
	uint64_t n;
	double s, share;
};

static const struct good_case good[] = {
	{ "uniform(keys=1000)", KEYS_UNIFORM, 1000, 0, 0 },
	{ " zipf( keys = 1e4 , s = 1.2 ) ", KEYS_ZIPF, 10000, 1.2, 0 },
	{ "zipf(keys=100)", KEYS_ZIPF, 100, KEYS_ZIPF_S_DEFAULT, 0 },
	{ "hot(share=0.25, keys=50)", KEYS_HOT, 50, 0, 0.25 },
	{ "hot(keys=2, share=0.999)", KEYS_HOT, 2, 0, 0.999 },
	{ "uniform(keys=10_000_000)", KEYS_UNIFORM, KEYS_MAX, 0, 0 },
	{ "random", KEYS_RANDOM, 0, 0, 0 },
	{ " random() ", KEYS_RANDOM, 0, 0, 0 },
};

void test_keys_parse_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *t = &good[i];
		struct parse_err err = { 0 };
		struct key_spec k;

		CHECK_MSG(keys_parse(t->text, &k, &err) == 0, "'%s': %s", t->text, err.msg);
		CHECK_MSG(k.kind == t->kind && k.n == t->n && k.s == t->s && k.share == t->share,
			  "'%s': kind %d n %llu s %g share %g", t->text, (int)k.kind, (unsigned long long)k.n,
			  k.s, k.share);
	}
	CHECK_EQ_STR(keys_kind_name(KEYS_ZIPF), "zipf");
	CHECK(strstr(keys_help, "hot(keys=N, share=P)") != NULL);
}

struct bad_case {
	const char *text;
	const char *msg;
	size_t offset, len;
};

#define KINDS "uniform, zipf, hot or random"
#define USAGE "uniform(keys=N), zipf(keys=N, s=S), hot(keys=N, share=P) or random"
#define SHARE_RANGE "share must be greater than 0 and less than 1"

static const struct bad_case bad[] = {
	{ "zipff(keys=10)", "unknown key distribution 'zipff' (did you mean 'zipf'? use " KINDS ")", 0, 5 },
	{ "unifrom", "unknown key distribution 'unifrom' (did you mean 'uniform'? use " KINDS ")", 0, 7 },
	{ "gaussian(keys=10)", "unknown key distribution 'gaussian' (use " KINDS ")", 0, 8 },
	{ "zipff(keys=10", "unknown key distribution 'zipff' (did you mean 'zipf'? use " KINDS ")", 0, 5 },
	{ "zipf", "missing parameters after 'zipf' (write zipf(keys=N, s=S))", 0, 4 },
	{ "", "empty key distribution (write " USAGE ")", 0, 0 },
	{ " 1000", "'1000' is not a key distribution (write " USAGE ")", 1, 4 },
	{ "uniform()", "uniform needs keys=N (write uniform(keys=N))", 0, 7 },
	{ "hot(share=0.5)", "hot needs keys=N (write hot(keys=N, share=P))", 0, 3 },
	{ "hot(keys=10)", "hot needs share=P, the hot key's share of records (write hot(keys=N, share=P))", 0, 3 },
	{ "hot(keys=10, share=1)", SHARE_RANGE " (got 1)", 19, 1 },
	{ "hot(keys=10, share=0)", SHARE_RANGE " (got 0)", 19, 1 },
	{ "hot(keys=10, share=1.5)", SHARE_RANGE " (got 1.5)", 19, 3 },
	{ "hot(keys=10, share=-0.5)", SHARE_RANGE " (got -0.5)", 19, 4 },
	{ "zipf(keys=10, s=0)", "s must be greater than 0 (got 0)", 16, 1 },
	{ "zipf(keys=10, s=-1.5)", "s must be greater than 0 (got -1.5)", 16, 4 },
	{ "zipf(keys=10, s=x)", "expected a number at 'x' (e.g. 0.25)", 16, 1 },
	{ "uniform(keys=0)", "uniform needs at least 1 key (got 0)", 13, 1 },
	{ "hot(keys=1, share=0.5)", "hot needs at least 2 keys (got 1)", 9, 1 },
	{ "uniform(keys=20000000)", "keys must be at most 10000000 (got 20000000; use random for more keys)", 13, 8 },
	{ "uniform(keys=1.5)", "'1.5' is not a whole number (integers only)", 13, 3 },
	{ "zipf(key=10)", "zipf has no parameter 'key' (did you mean 'keys'?)", 5, 3 },
	{ "uniform(keys=10, shards=4)", "uniform has no parameter 'shards' (it takes keys)", 17, 6 },
	{ "uniform(keys=10, keys=20)", "parameter 'keys' is given twice", 17, 4 },
	{ "uniform(1000)", "missing name before '1000' (write key=value, e.g. uniform(keys=N))", 8, 4 },
	{ "random(keys=5)", "random takes no parameters (every record gets a fresh key)", 7, 4 },
	{ "uniform(keys=10", "unbalanced parentheses: '(' is never closed", 7, 1 },
};

void test_keys_parse_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *t = &bad[i];
		struct parse_err err = { 0 };
		struct key_spec k;

		CHECK_MSG(keys_parse(t->text, &k, &err) == -1, "'%s' was accepted", t->text);
		CHECK_MSG(strcmp(err.msg, t->msg) == 0 && err.offset == t->offset && err.len == t->len,
			  "'%s':\n  got  [%zu+%zu] %s\n  want [%zu+%zu] %s", t->text, err.offset, err.len,
			  err.msg, t->offset, t->len, t->msg);
	}
}

void test_keys_names(void)
{
	char buf[32];

	CHECK_EQ_INT(keys_name(0, buf, sizeof(buf)), 5);
	CHECK_EQ_STR(buf, "key-0");
	CHECK_EQ_INT(keys_name(17, buf, sizeof(buf)), 6);
	CHECK_EQ_STR(buf, "key-17");
	CHECK_EQ_INT(keys_name(UINT64_MAX - 1, buf, sizeof(buf)), 24);
	CHECK_EQ_STR(buf, "key-18446744073709551614");
	CHECK_EQ_INT(keys_name(12345, buf, 5), 9);
	CHECK_EQ_STR(buf, "key-");
	CHECK_EQ_INT(keys_name_len(9), 5);
	CHECK_EQ_INT(keys_name_len(10), 6);
	CHECK_EQ_INT(keys_name_len(KEYS_RANDOM_INDEX), KEYS_UUID_LEN);
}

/* ---- frequencies ---- */

static double chisq_crit(size_t cells)
{
	return gsl_cdf_chisq_Qinv(ALPHA, (double)(cells - 1));
}

/* Pearson's statistic of counts against expected counts. */
static double chisq(const uint64_t *count, const double *expect, size_t cells)
{
	double x2 = 0;

	for (size_t i = 0; i < cells; i++)
		x2 += ((double)count[i] - expect[i]) * ((double)count[i] - expect[i]) / expect[i];
	return x2;
}

/* count lies in the two-sided 1 - ALPHA normal interval of Binomial(draws, p). */
static bool binomial_ok(uint64_t count, uint64_t draws, double p)
{
	double z = gsl_cdf_ugaussian_Qinv(ALPHA / 2), mean = (double)draws * p;

	return fabs((double)count - mean) <= z * sqrt(mean * (1 - p));
}

static struct key_gen *gen(const char *text, struct key_spec *spec)
{
	struct parse_err err;

	if (keys_parse(text, spec, &err) != 0)
		return NULL;
	return key_gen_create(spec);
}

#define SHARDS 16
#define UNIFORM_KEYS 10000

/*
 * Uniform keys over 16 even shards. A fixed set of keys does not split
 * exactly 1/16 per shard: each key lands where its MD5 falls. So there are
 * two checks: the keys per shard against 1/16 (MD5 spreading the key names
 * like independent uniform draws), then the records per shard against the
 * share of keys each shard holds (the sampler). The draws' hash keys must
 * be the MD5 of the key names they report.
 */
void test_keys_uniform_spread(void)
{
	static struct hash128 hash[UNIFORM_KEYS];
	uint64_t keys_in[SHARDS] = { 0 }, records_in[SHARDS] = { 0 };
	double expect[SHARDS];
	struct key_spec spec;
	struct key_gen *g = gen("uniform(keys=10000)", &spec);
	gsl_rng *r = test_rng();
	char name[32];
	bool hashes_ok = true;

	CHECK(g != NULL);
	for (uint64_t i = 0; i < UNIFORM_KEYS; i++) {
		hash[i] = md5_hash_key(name, keys_name(i, name, sizeof(name)));
		keys_in[hash128_shard(hash[i], SHARDS)]++;
	}
	for (int i = 0; i < DRAWS; i++) {
		uint64_t k;
		struct hash128 h = key_gen_draw(g, r, &k);

		hashes_ok &= k < UNIFORM_KEYS && same(h, hash[k]);
		records_in[hash128_shard(h, SHARDS)]++;
	}
	key_gen_destroy(g);
	gsl_rng_free(r);
	CHECK(hashes_ok);
	for (int s = 0; s < SHARDS; s++)
		expect[s] = (double)UNIFORM_KEYS / SHARDS;
	CHECK(chisq(keys_in, expect, SHARDS) <= chisq_crit(SHARDS));
	for (int s = 0; s < SHARDS; s++)
		expect[s] = (double)DRAWS * (double)keys_in[s] / UNIFORM_KEYS;
	CHECK(chisq(records_in, expect, SHARDS) <= chisq_crit(SHARDS));
}

#define ZIPF_KEYS 1000
#define ZIPF_TOP 10

/*
 * zipf(keys=1000, s=1.1): the ten most frequent ranks each within the
 * binomial interval of k^-s / sum(j^-s), computed here independently of
 * keys_probability, and so is the tail beyond rank 100 taken together.
 */
void test_keys_zipf_top_ranks(void)
{
	static uint64_t count[ZIPF_KEYS];
	struct key_spec spec;
	struct key_gen *g = gen("zipf(keys=1000, s=1.1)", &spec);
	gsl_rng *r = test_rng();
	double norm = 0, tail_p = 0, total = 0;
	uint64_t tail = 0;

	CHECK(g != NULL);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t k;

		key_gen_draw(g, r, &k);
		count[k]++;
	}
	key_gen_destroy(g);
	gsl_rng_free(r);
	for (int k = 1; k <= ZIPF_KEYS; k++)
		norm += pow(k, -1.1);
	for (int k = 1; k <= ZIPF_KEYS; k++) {
		double p = pow(k, -1.1) / norm;

		CHECK_NEAR(keys_probability(&spec, (uint64_t)k - 1), p, 1e-12);
		total += keys_probability(&spec, (uint64_t)k - 1);
		if (k <= ZIPF_TOP)
			CHECK_MSG(binomial_ok(count[k - 1], DRAWS, p), "rank %d: %llu draws, p %.5f", k,
				  (unsigned long long)count[k - 1], p);
		if (k > 100) {
			tail += count[k - 1];
			tail_p += p;
		}
	}
	CHECK(binomial_ok(tail, DRAWS, tail_p));
	CHECK_NEAR(total, 1, 1e-12);
	CHECK(keys_probability(&spec, ZIPF_KEYS) == 0);
}

#define HOT_KEYS 100

/* hot(keys=100, share=0.3): key-0's count in its binomial interval, the other 99 keys even. */
void test_keys_hot_share(void)
{
	static uint64_t count[HOT_KEYS];
	double expect[HOT_KEYS - 1];
	struct key_spec spec;
	struct key_gen *g = gen("hot(keys=100, share=0.3)", &spec);
	gsl_rng *r = test_rng();

	CHECK(g != NULL);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t k;

		key_gen_draw(g, r, &k);
		count[k]++;
	}
	key_gen_destroy(g);
	gsl_rng_free(r);
	CHECK_MSG(binomial_ok(count[0], DRAWS, 0.3), "hot key drawn %llu times", (unsigned long long)count[0]);
	for (int k = 1; k < HOT_KEYS; k++)
		expect[k - 1] = (double)(DRAWS - count[0]) / (HOT_KEYS - 1);
	CHECK(chisq(count + 1, expect, HOT_KEYS - 1) <= chisq_crit(HOT_KEYS - 1));
	CHECK_NEAR(keys_probability(&spec, 0), 0.3, 1e-15);
	CHECK_NEAR(keys_probability(&spec, 99), 0.7 / 99, 1e-15);
}

static int cmp_hash(const void *a, const void *b)
{
	return hash128_cmp(*(const struct hash128 *)a, *(const struct hash128 *)b);
}

/* A version-4 UUID in lowercase: 8-4-4-4-12 hex digits, '4' and one of 89ab where fixed. */
static bool is_uuid4(const char *u)
{
	if (strlen(u) != KEYS_UUID_LEN || u[14] != '4' || !strchr("89ab", u[19]))
		return false;
	for (int i = 0; i < KEYS_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]) || !u[i])
			return false;
	}
	return true;
}

#define RANDOM_DRAWS 100000

/*
 * random: the first key is the MD5 of the UUID the same seed gives; 100k
 * keys are all distinct and spread evenly over 16 shards (every record has
 * its own key, so here the expected share really is 1/16).
 */
void test_keys_random_distinct_and_even(void)
{
	struct hash128 *h = malloc(RANDOM_DRAWS * sizeof(*h));
	uint64_t in[SHARDS] = { 0 }, k = 0;
	double expect[SHARDS];
	struct key_spec spec;
	struct key_gen *g = gen("random", &spec);
	gsl_rng *r = test_rng();
	char uuid[KEYS_UUID_LEN + 1];
	size_t dups = 0;

	CHECK(g != NULL);
	for (int i = 0; i < RANDOM_DRAWS; i++) {
		h[i] = key_gen_draw(g, r, &k);
		in[hash128_shard(h[i], SHARDS)]++;
	}
	key_gen_destroy(g);
	gsl_rng_set(r, TEST_SEED);
	keys_uuid(r, uuid);
	gsl_rng_free(r);
	CHECK(k == KEYS_RANDOM_INDEX);
	CHECK_MSG(is_uuid4(uuid), "'%s' is not a version-4 UUID", uuid);
	CHECK(same(h[0], md5_hash_key(uuid, KEYS_UUID_LEN)));
	qsort(h, RANDOM_DRAWS, sizeof(*h), cmp_hash);
	for (int i = 1; i < RANDOM_DRAWS; i++)
		dups += same(h[i - 1], h[i]);
	free(h);
	CHECK_EQ_INT(dups, 0);
	for (int s = 0; s < SHARDS; s++)
		expect[s] = (double)RANDOM_DRAWS / SHARDS;
	CHECK(chisq(in, expect, SHARDS) <= chisq_crit(SHARDS));
	CHECK(keys_probability(&spec, 0) == 0);
}

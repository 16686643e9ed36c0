/*
 * md5.c - MD5 as RFC 1321 specifies it, and 128-bit hash-key arithmetic.
 *
 * The compression function is written out step by step as in the RFC's
 * reference code (section 3.4): 4 rounds of 16 steps over one 64-byte
 * block, with the constants T[i] = floor(2^32 * |sin(i)|). Words are read
 * and the digest written little-endian byte by byte, so the result does not
 * depend on the host's byte order. md5_update hashes whole blocks straight
 * from the caller's buffer and copies only a trailing partial block.
 */
#include "weir/md5.h"
#include "weir/base.h"

#include <string.h>

/* The RFC's auxiliary functions F, G, H, I, in forms with fewer operations. */
#define F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define G(x, y, z) ((y) ^ ((z) & ((x) ^ (y))))
#define H(x, y, z) ((x) ^ (y) ^ (z))
#define I(x, y, z) ((y) ^ ((x) | ~(z)))

/* a = b + ((a + f(b, c, d) + x + t) <<< s) */
#define STEP(f, a, b, c, d, x, t, s)                          \
	do {                                                  \
		(a) += f((b), (c), (d)) + (x) + (uint32_t)(t); \
		(a) = ((a) << (s) | (a) >> (32 - (s))) + (b); \
	} while (0)

static uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Folds one 64-byte block into the state. */
static void compress(uint32_t state[4], const uint8_t *block)
{
	uint32_t x[16], a = state[0], b = state[1], c = state[2], d = state[3];

	for (int i = 0; i < 16; i++)
		x[i] = load_le32(block + 4 * i);

	STEP(F, a, b, c, d, x[0], 0xd76aa478, 7);
	STEP(F, d, a, b, c, x[1], 0xe8c7b756, 12);
	STEP(F, c, d, a, b, x[2], 0x242070db, 17);
	STEP(F, b, c, d, a, x[3], 0xc1bdceee, 22);
	STEP(F, a, b, c, d, x[4], 0xf57c0faf, 7);
	STEP(F, d, a, b, c, x[5], 0x4787c62a, 12);
	STEP(F, c, d, a, b, x[6], 0xa8304613, 17);
	STEP(F, b, c, d, a, x[7], 0xfd469501, 22);
	STEP(F, a, b, c, d, x[8], 0x698098d8, 7);
	STEP(F, d, a, b, c, x[9], 0x8b44f7af, 12);
	STEP(F, c, d, a, b, x[10], 0xffff5bb1, 17);
	STEP(F, b, c, d, a, x[11], 0x895cd7be, 22);
	STEP(F, a, b, c, d, x[12], 0x6b901122, 7);
	STEP(F, d, a, b, c, x[13], 0xfd987193, 12);
	STEP(F, c, d, a, b, x[14], 0xa679438e, 17);
	STEP(F, b, c, d, a, x[15], 0x49b40821, 22);

	STEP(G, a, b, c, d, x[1], 0xf61e2562, 5);
	STEP(G, d, a, b, c, x[6], 0xc040b340, 9);
	STEP(G, c, d, a, b, x[11], 0x265e5a51, 14);
	STEP(G, b, c, d, a, x[0], 0xe9b6c7aa, 20);
	STEP(G, a, b, c, d, x[5], 0xd62f105d, 5);
	STEP(G, d, a, b, c, x[10], 0x02441453, 9);
	STEP(G, c, d, a, b, x[15], 0xd8a1e681, 14);
	STEP(G, b, c, d, a, x[4], 0xe7d3fbc8, 20);
	STEP(G, a, b, c, d, x[9], 0x21e1cde6, 5);
	STEP(G, d, a, b, c, x[14], 0xc33707d6, 9);
	STEP(G, c, d, a, b, x[3], 0xf4d50d87, 14);
	STEP(G, b, c, d, a, x[8], 0x455a14ed, 20);
	STEP(G, a, b, c, d, x[13], 0xa9e3e905, 5);
	STEP(G, d, a, b, c, x[2], 0xfcefa3f8, 9);
	STEP(G, c, d, a, b, x[7], 0x676f02d9, 14);
	STEP(G, b, c, d, a, x[12], 0x8d2a4c8a, 20);

	STEP(H, a, b, c, d, x[5], 0xfffa3942, 4);
	STEP(H, d, a, b, c, x[8], 0x8771f681, 11);
	STEP(H, c, d, a, b, x[11], 0x6d9d6122, 16);
	STEP(H, b, c, d, a, x[14], 0xfde5380c, 23);
	STEP(H, a, b, c, d, x[1], 0xa4beea44, 4);
	STEP(H, d, a, b, c, x[4], 0x4bdecfa9, 11);
	STEP(H, c, d, a, b, x[7], 0xf6bb4b60, 16);
	STEP(H, b, c, d, a, x[10], 0xbebfbc70, 23);
	STEP(H, a, b, c, d, x[13], 0x289b7ec6, 4);
	STEP(H, d, a, b, c, x[0], 0xeaa127fa, 11);
	STEP(H, c, d, a, b, x[3], 0xd4ef3085, 16);
	STEP(H, b, c, d, a, x[6], 0x04881d05, 23);
	STEP(H, a, b, c, d, x[9], 0xd9d4d039, 4);
	STEP(H, d, a, b, c, x[12], 0xe6db99e5, 11);
	STEP(H, c, d, a, b, x[15], 0x1fa27cf8, 16);
	STEP(H, b, c, d, a, x[2], 0xc4ac5665, 23);

	STEP(I, a, b, c, d, x[0], 0xf4292244, 6);
	STEP(I, d, a, b, c, x[7], 0x432aff97, 10);
	STEP(I, c, d, a, b, x[14], 0xab9423a7, 15);
	STEP(I, b, c, d, a, x[5], 0xfc93a039, 21);
	STEP(I, a, b, c, d, x[12], 0x655b59c3, 6);
	STEP(I, d, a, b, c, x[3], 0x8f0ccc92, 10);
	STEP(I, c, d, a, b, x[10], 0xffeff47d, 15);
	STEP(I, b, c, d, a, x[1], 0x85845dd1, 21);
	STEP(I, a, b, c, d, x[8], 0x6fa87e4f, 6);
	STEP(I, d, a, b, c, x[15], 0xfe2ce6e0, 10);
	STEP(I, c, d, a, b, x[6], 0xa3014314, 15);
	STEP(I, b, c, d, a, x[13], 0x4e0811a1, 21);
	STEP(I, a, b, c, d, x[4], 0xf7537e82, 6);
	STEP(I, d, a, b, c, x[11], 0xbd3af235, 10);
	STEP(I, c, d, a, b, x[2], 0x2ad7d2bb, 15);
	STEP(I, b, c, d, a, x[9], 0xeb86d391, 21);

	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
}

void md5_init(struct md5_ctx *c)
{
	/* The RFC's initial words A, B, C, D (section 3.3). */
	c->state[0] = 0x67452301;
	c->state[1] = 0xefcdab89;
	c->state[2] = 0x98badcfe;
	c->state[3] = 0x10325476;
	c->len = 0;
}

void md5_update(struct md5_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = (size_t)(c->len % MD5_BLOCK_LEN);

	c->len += len;
	if (used) {
		size_t take = MD5_BLOCK_LEN - used < len ? MD5_BLOCK_LEN - used : len;

		memcpy(c->buf + used, p, take);
		p += take;
		len -= take;
		if (used + take < MD5_BLOCK_LEN)
			return;
		compress(c->state, c->buf);
	}
	for (; len >= MD5_BLOCK_LEN; p += MD5_BLOCK_LEN, len -= MD5_BLOCK_LEN)
		compress(c->state, p);
	if (len)
		memcpy(c->buf, p, len);
}

void md5_final(struct md5_ctx *c, uint8_t digest[MD5_DIGEST_LEN])
{
	/* Padding (RFC sections 3.1, 3.2): 0x80, zeros to 56 mod 64, the bit length little-endian. */
	static const uint8_t pad[MD5_BLOCK_LEN] = { 0x80 };
	uint64_t bits = c->len * 8;
	size_t used = (size_t)(c->len % MD5_BLOCK_LEN);
	uint8_t len_le[8];

	for (int i = 0; i < 8; i++)
		len_le[i] = (uint8_t)(bits >> (8 * i));
	md5_update(c, pad, used < 56 ? 56 - used : 120 - used);
	md5_update(c, len_le, sizeof(len_le));
	for (int i = 0; i < 4; i++)
		store_le32(digest + 4 * i, c->state[i]);
}

void md5(const void *data, size_t len, uint8_t digest[MD5_DIGEST_LEN])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, data, len);
	md5_final(&c, digest);
}

/* ---- 128-bit hash keys ---- */

struct hash128 md5_hash_key(const char *key, size_t len)
{
	uint8_t d[MD5_DIGEST_LEN];
	struct hash128 h = { 0, 0 };

	md5(key, len, d);
	for (int i = 0; i < 8; i++) {
		h.hi = h.hi << 8 | d[i];
		h.lo = h.lo << 8 | d[i + 8];
	}
	return h;
}

/*
 * Shard i of n starts at floor(i * 2^128 / n), found by binary long
 * division of the 192-bit number i * 2^128 (i < n, so the quotient fits in
 * 128 bits). The remainder r stays below n; when doubling it carries out of
 * 64 bits the true value 2r exceeds n, and 2r - n computed modulo 2^64 is
 * still exact because it is below n.
 */
struct hash128 hash128_range_start(uint64_t i, uint64_t n)
{
	struct hash128 q = { 0, 0 };
	uint64_t r = i;

	WEIR_ASSERT(i < n);
	for (int bit = 0; bit < 128; bit++) {
		uint64_t carry = r >> 63;

		r <<= 1;
		q.hi = q.hi << 1 | q.lo >> 63;
		q.lo <<= 1;
		if (carry || r >= n) {
			r -= n;
			q.lo |= 1;
		}
	}
	return q;
}

struct hash128 hash128_range_end(uint64_t i, uint64_t n)
{
	struct hash128 next;

	if (i + 1 == n)
		return (struct hash128){ UINT64_MAX, UINT64_MAX };
	next = hash128_range_start(i + 1, n);
	if (next.lo-- == 0)
		next.hi--;
	return next;
}

/* The full 128-bit product a * b, from 32-bit halves. */
static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
	uint64_t a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
	uint64_t mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);

	*lo = mid << 32 | (p00 & 0xffffffff);
	*hi = a1 * b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/*
 * h lies in shard i when floor(i * 2^128 / n) <= h, that is when
 * i * 2^128 < (h + 1) * n; the largest such i is
 * floor(((h + 1) * n - 1) / 2^128), the top 64-bit word of the 192-bit sum
 * h * n + (n - 1). Deriving it from the same inequality that defines the
 * range starts keeps the two exactly consistent.
 */
uint64_t hash128_shard(struct hash128 h, uint64_t n)
{
	uint64_t w0, w1, w2, lo_hi, carry;

	WEIR_ASSERT(n > 0);
	mul64(h.lo, n, &lo_hi, &w0);
	mul64(h.hi, n, &w2, &w1);
	w1 += lo_hi;
	w2 += w1 < lo_hi;
	w0 += n - 1;
	carry = w0 < n - 1;
	w1 += carry;
	w2 += carry && w1 == 0;
	return w2;
}

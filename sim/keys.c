/*
 * keys.c - partition-key distributions: parsing with located errors, and a
 * generator that draws keys with their Kinesis hash keys in O(1).
 *
 * A fixed key set is hashed once at creation into an array indexed by key,
 * so a draw only picks an index: uniformly, from zipf's Walker alias table
 * (gsl_ran_discrete), or by the hot key's share then uniformly among the
 * rest. A random key is a fresh UUID, hashed with a real MD5 of its text,
 * as a producer calling UUID.randomUUID() per record would route it
 * (aws-behaviour §3.1).
 */
#include "weir/keys.h"
#include "weir/base.h"
#include "weir/call.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#define KEY_PREFIX "key-"
#define KEY_NAME_MAX 32   /* room for "key-" and 20 digits */
#define KIND_NAMES "uniform, zipf, hot or random"
#define KIND_USAGE "uniform(keys=N), zipf(keys=N, s=S), hot(keys=N, share=P) or random"

struct kind_def {
	const char *name;
	enum key_kind kind;
	const char *const params[3];   /* NULL-terminated, for call_check_keys */
	const char *usage;
};

static const struct kind_def kinds[] = {
	{ "uniform", KEYS_UNIFORM, { "keys", NULL }, "uniform(keys=N)" },
	{ "zipf", KEYS_ZIPF, { "keys", "s", NULL }, "zipf(keys=N, s=S)" },
	{ "hot", KEYS_HOT, { "keys", "share", NULL }, "hot(keys=N, share=P)" },
	{ "random", KEYS_RANDOM, { NULL }, "random" },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const char keys_help[] =
	"uniform(keys=N)         N keys \"key-0\" ... \"key-<N-1>\", each equally likely\n"
	"zipf(keys=N, s=S)       the key of rank k (key-<k-1>) with probability proportional to 1/k^s;\n"
	"                        s > 0, 1 when left out\n"
	"hot(keys=N, share=P)    key-0 takes share P of the records (0 < P < 1), the other N-1 keys\n"
	"                        share the rest equally (N >= 2)\n"
	"random                  a fresh random UUID per record, so every record has its own key\n"
	"N is a whole number up to 10000000: 100000, 100_000 or 1e5.\n";

const char *keys_kind_name(enum key_kind kind)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	WEIR_BUG("unknown key kind %d", (int)kind);
}

/* ---- parsing ---- */

static const struct kind_def *find_kind(const char *name, size_t len)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strlen(kinds[i].name) == len && strncmp(kinds[i].name, name, len) == 0)
			return &kinds[i];
	return NULL;
}

/* name[0, len), at off in the text, is no kind of key distribution. */
static int unknown_kind(const char *name, size_t off, size_t len, struct parse_err *err)
{
	const char *names[NKINDS], *near;

	for (size_t i = 0; i < NKINDS; i++)
		names[i] = kinds[i].name;
	near = weir_suggest(name, len, names, NKINDS);
	if (near)
		return parse_fail(err, off, len,
				  "unknown key distribution '%.*s' (did you mean '%s'? use " KIND_NAMES ")",
				  parse_qlen(len), name, near);
	return parse_fail(err, off, len, "unknown key distribution '%.*s' (use " KIND_NAMES ")",
			  parse_qlen(len), name);
}

/* A text without parentheses: "random", or the name of a kind that needs parameters. */
static int parse_bare(const struct call *c, struct key_spec *spec, struct parse_err *err)
{
	const struct call_arg *a = &c->args[0];
	const struct kind_def *def;

	if (c->nargs == 0)
		return parse_fail(err, 0, strlen(c->text),
				  "empty key distribution (write " KIND_USAGE ")");
	if (call_name_len(a->value) != a->val_len)
		return parse_fail(err, a->val_off, a->val_len,
				  "'%.*s' is not a key distribution (write " KIND_USAGE ")",
				  parse_qlen(a->val_len), a->value);
	def = find_kind(a->value, a->val_len);
	if (!def)
		return unknown_kind(a->value, a->val_off, a->val_len, err);
	if (def->kind != KEYS_RANDOM)
		return parse_fail(err, a->val_off, a->val_len, "missing parameters after '%s' (write %s)",
				  def->name, def->usage);
	spec->kind = KEYS_RANDOM;
	return 0;
}

/* A real number of either sign, so that a negative one gets the range message. */
static int read_real(const struct call_arg *a, double *v, struct parse_err *err)
{
	size_t skip = a->value[0] == '-' ? 1 : 0;

	if (units_parse_real(a->value + skip, v, err) < 0) {
		err->offset += a->val_off + skip;
		return -1;
	}
	if (skip)
		*v = -*v;
	return 0;
}

static int read_count(const struct call *c, const struct kind_def *def, struct key_spec *spec,
		      struct parse_err *err)
{
	const struct call_arg *a = call_arg(c, "keys");
	uint64_t least = def->kind == KEYS_HOT ? 2 : 1;
	int64_t n;

	if (!a)
		return parse_fail(err, c->name_off, c->name_len, "%s needs keys=N (write %s)", def->name,
				  def->usage);
	if (units_parse_int(a->value, &n, err) < 0) {
		err->offset += a->val_off;
		return -1;
	}
	if ((uint64_t)n < least)
		return parse_fail(err, a->val_off, a->val_len, "%s needs at least %" PRIu64 " key%s (got %.*s)",
				  def->name, least, least == 1 ? "" : "s", parse_qlen(a->val_len), a->value);
	if (n > KEYS_MAX)
		return parse_fail(err, a->val_off, a->val_len,
				  "keys must be at most %d (got %.*s; use random for more keys)", KEYS_MAX,
				  parse_qlen(a->val_len), a->value);
	spec->n = (uint64_t)n;
	return 0;
}

static int read_exponent(const struct call *c, struct key_spec *spec, struct parse_err *err)
{
	const struct call_arg *a = call_arg(c, "s");

	spec->s = KEYS_ZIPF_S_DEFAULT;
	if (!a)
		return 0;
	if (read_real(a, &spec->s, err) < 0)
		return -1;
	if (spec->s > 0)
		return 0;
	return parse_fail(err, a->val_off, a->val_len, "s must be greater than 0 (got %.*s)",
			  parse_qlen(a->val_len), a->value);
}

static int read_share(const struct call *c, struct key_spec *spec, struct parse_err *err)
{
	const struct call_arg *a = call_arg(c, "share");

	if (!a)
		return parse_fail(err, c->name_off, c->name_len,
				  "hot needs share=P, the hot key's share of records (write hot(keys=N, share=P))");
	if (read_real(a, &spec->share, err) < 0)
		return -1;
	if (spec->share > 0 && spec->share < 1)
		return 0;
	return parse_fail(err, a->val_off, a->val_len,
			  "share must be greater than 0 and less than 1 (got %.*s)", parse_qlen(a->val_len),
			  a->value);
}

static int parse_named(const struct call *c, struct key_spec *spec, struct parse_err *err)
{
	const struct kind_def *def = find_kind(c->name, c->name_len);

	if (!def)
		return unknown_kind(c->name, c->name_off, c->name_len, err);
	for (size_t i = 0; i < c->nargs; i++) {
		const struct call_arg *a = &c->args[i];

		if (def->kind == KEYS_RANDOM)
			return parse_fail(err, a->key_len ? a->key_off : a->val_off,
					  a->key_len ? a->key_len : a->val_len,
					  "random takes no parameters (every record gets a fresh key)");
		if (!a->key)
			return parse_fail(err, a->val_off, a->val_len,
					  "missing name before '%.*s' (write key=value, e.g. %s)",
					  parse_qlen(a->val_len), a->value, def->usage);
	}
	spec->kind = def->kind;
	if (def->kind == KEYS_RANDOM)
		return 0;
	if (call_check_keys(c, def->name, def->params, err) < 0 || read_count(c, def, spec, err) < 0)
		return -1;
	if (def->kind == KEYS_ZIPF)
		return read_exponent(c, spec, err);
	if (def->kind == KEYS_HOT)
		return read_share(c, spec, err);
	return 0;
}

int keys_parse(const char *text, struct key_spec *spec, struct parse_err *err)
{
	struct parse_err ignored;
	struct call c;
	int rc;

	if (!err)
		err = &ignored;
	memset(spec, 0, sizeof(*spec));
	if (call_parse(text, "key distribution", &c, err) < 0) {
		/* An unknown name is reported before a syntax error after it. */
		if (c.name_len && !find_kind(text + c.name_off, c.name_len))
			(void)unknown_kind(text + c.name_off, c.name_off, c.name_len, err);
		return -1;
	}
	rc = c.name ? parse_named(&c, spec, err) : parse_bare(&c, spec, err);
	call_release(&c);
	if (rc < 0)
		memset(spec, 0, sizeof(*spec));
	return rc;
}

/* ---- key names ---- */

size_t keys_name_len(uint64_t i)
{
	size_t digits = 1;

	if (i == KEYS_RANDOM_INDEX)
		return KEYS_UUID_LEN;
	while (i >= 10) {
		i /= 10;
		digits++;
	}
	return strlen(KEY_PREFIX) + digits;
}

size_t keys_name(uint64_t i, char *buf, size_t n)
{
	char tmp[KEY_NAME_MAX];
	size_t len = keys_name_len(i), at = len;

	WEIR_ASSERT(i != KEYS_RANDOM_INDEX && n > 0);
	memcpy(tmp, KEY_PREFIX, strlen(KEY_PREFIX));
	do {
		tmp[--at] = (char)('0' + i % 10);
		i /= 10;
	} while (i);
	tmp[len] = '\0';
	memcpy(buf, tmp, len < n ? len + 1 : n - 1);
	buf[n - 1] = '\0';
	return len;
}

/* 32 random bits; every weir stream (MT19937) gives exactly 32 per call. */
static uint32_t random32(gsl_rng *r)
{
	WEIR_ASSERT(gsl_rng_max(r) - gsl_rng_min(r) == 0xffffffffUL);
	return (uint32_t)(gsl_rng_get(r) - gsl_rng_min(r));
}

void keys_uuid(gsl_rng *r, char out[KEYS_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	size_t at = 0;

	for (int i = 0; i < 16; i += 4) {
		uint32_t w = random32(r);

		for (int j = 0; j < 4; j++)
			b[i + j] = (uint8_t)(w >> (8 * j));
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);   /* version 4: random (RFC 9562 §5.4) */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);   /* the RFC variant, binary 10 */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[at++] = '-';
		out[at++] = hex[b[i] >> 4];
		out[at++] = hex[b[i] & 0x0f];
	}
	out[at] = '\0';
}

/* ---- probabilities ---- */

/* The sum of k^-s for k = 1 .. n, smallest terms first for accuracy. */
static double zipf_norm(uint64_t n, double s)
{
	double sum = 0;

	for (uint64_t k = n; k >= 1; k--)
		sum += pow((double)k, -s);
	return sum;
}

double keys_probability(const struct key_spec *spec, uint64_t i)
{
	if (spec->kind == KEYS_RANDOM || i >= spec->n)
		return 0;
	switch (spec->kind) {
	case KEYS_UNIFORM:
		return 1.0 / (double)spec->n;
	case KEYS_ZIPF:
		return pow((double)(i + 1), -spec->s) / zipf_norm(spec->n, spec->s);
	case KEYS_HOT:
		return i == 0 ? spec->share : (1 - spec->share) / (double)(spec->n - 1);
	case KEYS_RANDOM:
		break;
	}
	return 0;
}

/* ---- the generator ---- */

struct key_gen {
	struct key_spec spec;
	struct hash128 *hash;         /* the hash key of each key of a fixed set */
	gsl_ran_discrete_t *zipf;     /* zipf: the alias table of the ranks */
};

static gsl_ran_discrete_t *zipf_table(uint64_t n, double s)
{
	double *w = weir_malloc(n * sizeof(double));
	gsl_ran_discrete_t *t;

	for (uint64_t k = 1; k <= n; k++)
		w[k - 1] = pow((double)k, -s);
	t = gsl_ran_discrete_preproc(n, w);
	free(w);
	WEIR_ASSERT(t);
	return t;
}

struct key_gen *key_gen_create(const struct key_spec *spec)
{
	struct key_gen *g = weir_calloc(1, sizeof(*g));
	char name[KEY_NAME_MAX];

	g->spec = *spec;
	if (spec->kind == KEYS_RANDOM)
		return g;
	WEIR_ASSERT(spec->n >= (spec->kind == KEYS_HOT ? 2u : 1u) && spec->n <= KEYS_MAX);
	g->hash = weir_malloc(spec->n * sizeof(*g->hash));
	for (uint64_t i = 0; i < spec->n; i++)
		g->hash[i] = md5_hash_key(name, keys_name(i, name, sizeof(name)));
	if (spec->kind == KEYS_ZIPF) {
		WEIR_ASSERT(spec->s > 0);
		g->zipf = zipf_table(spec->n, spec->s);
	}
	if (spec->kind == KEYS_HOT)
		WEIR_ASSERT(spec->share > 0 && spec->share < 1);
	return g;
}

void key_gen_destroy(struct key_gen *g)
{
	if (!g)
		return;
	if (g->zipf)
		gsl_ran_discrete_free(g->zipf);
	free(g->hash);
	free(g);
}

static uint64_t draw_index(const struct key_gen *g, gsl_rng *r)
{
	const struct key_spec *s = &g->spec;

	switch (s->kind) {
	case KEYS_UNIFORM:
		return gsl_rng_uniform_int(r, (unsigned long)s->n);
	case KEYS_ZIPF:
		return gsl_ran_discrete(r, g->zipf);
	case KEYS_HOT:
		if (gsl_rng_uniform(r) < s->share)
			return 0;
		return 1 + gsl_rng_uniform_int(r, (unsigned long)(s->n - 1));
	case KEYS_RANDOM:
		break;
	}
	WEIR_BUG("drawing an index of key kind %d", (int)s->kind);
}

struct hash128 key_gen_draw(struct key_gen *g, gsl_rng *r, uint64_t *index)
{
	uint64_t i;

	if (g->spec.kind == KEYS_RANDOM) {
		char uuid[KEYS_UUID_LEN + 1];

		keys_uuid(r, uuid);
		if (index)
			*index = KEYS_RANDOM_INDEX;
		return md5_hash_key(uuid, KEYS_UUID_LEN);
	}
	i = draw_index(g, r);
	if (index)
		*index = i;
	return g->hash[i];
}

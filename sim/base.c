/*
 * base.c - assertions, checked allocation, growable arrays, hashing.
 */
#include "weir/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void weir__bug(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "weir: internal error at %s:%d in %s(): ", file, line, func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nweir: this is a bug in weir; please report it with the scenario\n", stderr);
	abort();
}

static WEIR_NORETURN void oom(size_t size)
{
	fprintf(stderr, "weir: out of memory (allocating %zu bytes)\n", size);
	exit(WEIR_EXIT_INTERNAL);
}

void *weir_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *weir_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *weir_realloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (!q)
		oom(size);
	return q;
}

char *weir_strndup(const char *s, size_t n)
{
	char *p = weir_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *weir_strdup(const char *s)
{
	return weir_strndup(s, strlen(s));
}

char *weir_asprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	WEIR_ASSERT(n >= 0);
	p = weir_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *vec_push(struct vec *v, size_t item_size)
{
	char *item;

	if (v->len == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 8;
		v->items = weir_realloc(v->items, v->cap * item_size);
	}
	item = (char *)v->items + v->len++ * item_size;
	memset(item, 0, item_size);
	return item;
}

void vec_release(struct vec *v)
{
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}

/* FNV-1a, 64-bit (offset basis 14695981039346656037, prime 1099511628211). */
uint64_t weir_hash_str(uint64_t h, const char *s)
{
	if (h == 0)
		h = 14695981039346656037ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix. */
uint64_t weir_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

#define SUGGEST_MAX_LEN 64   /* longer words are never close to a name */

/* Levenshtein distance of a[0, alen) and b, or SIZE_MAX when either is long. */
static size_t edit_distance(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b), row[SUGGEST_MAX_LEN + 1];

	if (alen > SUGGEST_MAX_LEN || blen > SUGGEST_MAX_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= blen; j++)
		row[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[blen];
}

const char *weir_suggest(const char *word, size_t len, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, limit = len / 3 > 2 ? len / 3 : 2;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, len, candidates[i]);

		if (d < best_d && d < strlen(candidates[i])) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

/*
 * base.h - what every weir module shares: version, exit codes, assertions,
 * allocation that cannot fail silently, small growable arrays.
 *
 * Errors come in three tiers and are never mixed:
 *   programmer bugs      WEIR_ASSERT / WEIR_BUG: report file:line and abort;
 *   runtime failures     an int status (0 or a negative errno-style code);
 *   user input errors    located diagnostics (diag.h) and a non-zero exit.
 */
#ifndef WEIR_BASE_H
#define WEIR_BASE_H

#include <stddef.h>
#include <stdint.h>

#define WEIR_VERSION "0.1.0"

/* Process exit codes of the weir command, distinct per cause. */
enum weir_exit {
	WEIR_EXIT_OK = 0,
	WEIR_EXIT_CHECK = 1,       /* expectations not met (reserved for --check) */
	WEIR_EXIT_USAGE = 2,       /* bad command line */
	WEIR_EXIT_SCENARIO = 3,    /* the scenario (or an input file) is invalid */
	WEIR_EXIT_IO = 4,          /* an output could not be written, or gnuplot failed */
	WEIR_EXIT_INTERNAL = 5,    /* a bug: a broken invariant such as an unbalanced ledger */
	WEIR_EXIT_INTERRUPTED = 130 /* stopped by SIGINT/SIGTERM; outputs are complete */
};

#if defined(__GNUC__)
#define WEIR_NORETURN __attribute__((noreturn))
#define WEIR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define WEIR_LIKELY(x) __builtin_expect(!!(x), 1)
#define WEIR_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define WEIR_NORETURN
#define WEIR_PRINTF(f, a)
#define WEIR_LIKELY(x) (x)
#define WEIR_UNLIKELY(x) (x)
#endif

WEIR_NORETURN void weir__bug(const char *file, int line, const char *func,
			     const char *fmt, ...) WEIR_PRINTF(4, 5);

/* Always-on check of a program invariant (not of user input). */
#define WEIR_ASSERT(cond)                                                     \
	do {                                                                  \
		if (WEIR_UNLIKELY(!(cond)))                                   \
			weir__bug(__FILE__, __LINE__, __func__, "%s", #cond); \
	} while (0)
#define WEIR_BUG(...) weir__bug(__FILE__, __LINE__, __func__, __VA_ARGS__)

/* Allocation that aborts with a message when memory is exhausted. */
void *weir_malloc(size_t size);
void *weir_calloc(size_t n, size_t size);
void *weir_realloc(void *p, size_t size);
char *weir_strdup(const char *s);
char *weir_strndup(const char *s, size_t n);
/* printf into a new string. */
char *weir_asprintf(const char *fmt, ...) WEIR_PRINTF(1, 2);

/*
 * A growable array of fixed-size items. Zero-initialised is empty.
 * vec_push returns a pointer to the new, zeroed item.
 */
struct vec {
	void *items;
	size_t len, cap;
};
void *vec_push(struct vec *v, size_t item_size);
void vec_release(struct vec *v);
#define VEC_AT(v, type, i) (&((type *)(v)->items)[i])

/*
 * "Did you mean": the candidate closest to word[0, len) by edit distance,
 * or NULL when none is close (at most max(2, len / 3) edits, and fewer
 * edits than the candidate has characters).
 */
const char *weir_suggest(const char *word, size_t len, const char *const *candidates, size_t n);

/* 64-bit hashing for seeds and sampling decisions (FNV-1a, SplitMix64). */
uint64_t weir_hash_str(uint64_t h, const char *s);
uint64_t weir_mix64(uint64_t x);

/*
 * Counters accumulated since a snapshot: out[i] = now[i] - then[i] for n
 * uint64_t counters. Models keep their counters in structs made only of
 * uint64_t (each checks that with a _Static_assert) and snapshot them at
 * the end of the warm-up.
 */
static inline void weir_counters_since(void *out, const void *now, const void *then, size_t n)
{
	uint64_t *d = out;
	const uint64_t *a = now, *b = then;

	for (size_t i = 0; i < n; i++)
		d[i] = a[i] - b[i];
}

#endif

/*
 * test_fuzz.c - the scenario loader never crashes, hangs or fails silently.
 *
 * Every bundled and error scenario is mutated many times (bytes flipped,
 * inserted, deleted, lines duplicated, the text cut short) and loaded. Each
 * load must return a scenario or NULL with at least one error; under the
 * sanitizer build (make SANITIZE=address,undefined test) any memory error
 * fails the run. tests/fuzz/fuzz_scenario.c is the same check for libFuzzer.
 */
#define _XOPEN_SOURCE 700
#include "harness.h"
#include "util.h"
#include "weir/scenario.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MUTATIONS_PER_FILE 150

/* Characters that matter to YAML and to weir's value syntax. */
static const char alphabet[] = ":-{}[],#&*!|>'\"%@`\n \t()=/.0123456789smhdkKMBiu_eaq\xff\x80";

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t mutate(char *buf, size_t len, size_t cap, uint64_t *rng)
{
	size_t at = len ? (size_t)(next(rng) % len) : 0;
	char c = alphabet[next(rng) % (sizeof(alphabet) - 1)];

	switch (next(rng) % 6) {
	case 0:                                   /* replace a byte */
		if (len)
			buf[at] = c;
		break;
	case 1:                                   /* insert a byte */
		if (len + 1 < cap) {
			memmove(buf + at + 1, buf + at, len - at);
			buf[at] = c;
			len++;
		}
		break;
	case 2:                                   /* delete a run */
		if (len) {
			size_t n = 1 + next(rng) % 8;

			n = n > len - at ? len - at : n;
			memmove(buf + at, buf + at + n, len - at - n);
			len -= n;
		}
		break;
	case 3:                                   /* cut short */
		len = at;
		break;
	case 4: {                                 /* duplicate a piece */
		size_t n = 1 + next(rng) % 40;

		n = n > len - at ? len - at : n;
		if (len + n < cap) {
			memmove(buf + at + n, buf + at, len - at);
			len += n;
		}
		break;
	}
	default:                                  /* flip a bit */
		if (len)
			buf[at] = (char)(buf[at] ^ (1 << (next(rng) % 8)));
	}
	return len;
}

/* Loads text; returns 0 when the loader behaved (a scenario, or errors). */
static int load_ok(const char *text, size_t len)
{
	struct diags d = { 0 };
	struct scenario *sc = scenario_load("fuzz.yaml", text, len, NULL, 0, &d);
	int ok = sc != NULL || d.errors > 0;

	scenario_free(sc);
	diag_release(&d);
	return ok;
}

static int fuzz_file(const char *path, uint64_t seed)
{
	size_t len;
	char *orig = read_file(path, &len), *buf;
	size_t cap = len * 2 + 256;
	uint64_t rng = seed | 1;
	int bad = 0;

	if (!orig)
		return 0;
	buf = malloc(cap + 1);
	for (int i = 0; i < MUTATIONS_PER_FILE; i++) {
		size_t n = len;
		int rounds = 1 + (int)(next(&rng) % 4);

		memcpy(buf, orig, len);
		for (int r = 0; r < rounds; r++)
			n = mutate(buf, n, cap, &rng);
		buf[n] = '\0';
		if (!load_ok(buf, n)) {
			test__fail(__FILE__, __LINE__, "%s mutation %d: no scenario and no error", path, i);
			bad++;
		}
	}
	free(buf);
	free(orig);
	return bad;
}

static int fuzz_dir(const char *dir, uint64_t *seed)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int bad = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[1024];
		size_t n = strlen(e->d_name);

		if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		bad += fuzz_file(path, (*seed)++ * 0x9e3779b97f4a7c15ULL);
	}
	closedir(d);
	return bad;
}

void test_fuzz_scenario_loader(void)
{
	uint64_t seed = 1;
	int bad = 0;

	bad += fuzz_dir("scenarios", &seed);
	bad += fuzz_dir("scenarios/examples", &seed);
	bad += fuzz_dir("tests/scenarios/errors", &seed);
	CHECK_EQ_INT(bad, 0);
	CHECK(seed > 40);   /* the corpus was found */
}

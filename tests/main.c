/*
 * main.c - the test runner: runs every test in tests/list.h (or those whose
 * name contains one of the arguments) and ends with "N passed, N failed".
 */
#define _XOPEN_SOURCE 700
#include "harness.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct test_entry {
	const char *name;
	void (*fn)(void);
};

static const struct test_entry all_tests[] = {
#define TEST(name) { #name, test_##name },
#include "list.h"
#undef TEST
};

static int failed_now;
static const char *current;
static char tmp_root[256];
static char tmp_dir[512];
static unsigned tmp_count;

void test__fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed_now = 1;
	fprintf(stderr, "FAIL %s: %s:%d: ", current, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool test__failed(void)
{
	return failed_now != 0;
}

const char *test_weir_bin(void)
{
	const char *b = getenv("WEIR_BIN");

	return b ? b : "build/weir";
}

const char *test_root(void)
{
	const char *r = getenv("WEIR_ROOT");

	return r ? r : ".";
}

const char *test_tmpdir(void)
{
	if (!tmp_root[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(tmp_root, sizeof(tmp_root), "%s/weir-tests.XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(tmp_root)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/%s-%u", tmp_root, current, tmp_count++);
	if (mkdir(tmp_dir, 0700) != 0) {
		perror(tmp_dir);
		exit(2);
	}
	return tmp_dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;
	int verbose = getenv("WEIR_TEST_VERBOSE") != NULL;

	for (size_t i = 0; i < sizeof(all_tests) / sizeof(all_tests[0]); i++) {
		double t0;

		if (!selected(all_tests[i].name, argc, argv))
			continue;
		current = all_tests[i].name;
		failed_now = 0;
		t0 = wall_now();
		all_tests[i].fn();
		if (failed_now)
			failed++;
		else
			passed++;
		if (verbose)
			fprintf(stderr, "%s %s (%.2f s)\n", failed_now ? "FAIL" : "ok  ",
				current, wall_now() - t0);
	}
	if (tmp_root[0] && !getenv("WEIR_TEST_KEEP"))
		nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

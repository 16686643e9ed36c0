/*
 * harness.h - the in-house test harness.
 *
 * A test is `void test_NAME(void)` registered once in tests/list.h. The
 * CHECK* macros record a failure with file, line and the expression and
 * return from the test; a test passes when it records no failure. The runner
 * prints one line per failing test and ends with "N passed, N failed".
 */
#ifndef WEIR_TEST_HARNESS_H
#define WEIR_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

void test__fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool test__failed(void);
/* Paths for tests that run the weir binary or read bundled files. */
const char *test_weir_bin(void);
const char *test_root(void);
/* A fresh empty directory for this test, removed after the run. */
const char *test_tmpdir(void);

/* Every test's prototype, from the one list that registers them. */
#define TEST(name) void test_##name(void);
#include "list.h"
#undef TEST

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond)) {                                           \
			test__fail(__FILE__, __LINE__, "%s", #cond);     \
			return;                                          \
		}                                                        \
	} while (0)

#define CHECK_MSG(cond, ...)                                             \
	do {                                                             \
		if (!(cond)) {                                           \
			test__fail(__FILE__, __LINE__, __VA_ARGS__);     \
			return;                                          \
		}                                                        \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                    \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ != b_) {                                               \
			test__fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", \
				   #a, #b, a_, b_);                           \
			return;                                               \
		}                                                             \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                   \
	do {                                                                 \
		const char *a_ = (a), *b_ = (b);                             \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                     \
			test__fail(__FILE__, __LINE__,                       \
				   "%s == %s\n--- got:\n%s\n--- expected:\n%s", \
				   #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
			return;                                              \
		}                                                            \
	} while (0)

/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol)                                                 \
	do {                                                                  \
		double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);    \
		if (!(a_ - b_ <= t_ && b_ - a_ <= t_)) {                      \
			test__fail(__FILE__, __LINE__, "%s ~ %s (%.9g vs %.9g, tol %.3g)", \
				   #a, #b, a_, b_, t_);                       \
			return;                                               \
		}                                                             \
	} while (0)

#endif

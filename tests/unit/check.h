/*
 * A small test harness for the unit tests.
 *
 * Each test file defines its cases as plain functions and gathers them in a
 * table at the bottom:
 *
 *     static const struct check_case cases[] = {
 *         CASE(test_decimals, "decimals do not end a sentence"),
 *     };
 *     CHECK_MAIN(cases)
 *
 * Run without arguments, the binary runs every case; with a case's title as
 * its argument, only that case (CMake registers each title as its own CTest
 * test, so keep titles free of quotes).
 * CHECK failures print file, line and the values, mark the case failed and
 * return from the case.
 */
#ifndef ND_CHECK_H
#define ND_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct check_case {
	void (*fn)(void);
	const char *title;
};

#define CASE(fn, title)                                                                            \
	{                                                                                          \
		fn, title                                                                          \
	}

extern int check_failed;
void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int check_run(int argc, char **argv, const struct check_case *cases, size_t n);
/* Path of a file under the source tree or ../shared (via ND_SOURCE_DIR /
 * ND_SHARED_DIR, set by CTest); returns a static buffer. */
const char *check_source_path(const char *rel);
const char *check_shared_path(const char *rel);
/* Size of the file at path in bytes, -1 when it is not there. */
long check_file_size(const char *path);

#define CHECK_MAIN(cases)                                                                          \
	int main(int argc, char **argv)                                                            \
	{                                                                                          \
		return check_run(argc, argv, cases, sizeof(cases) / sizeof((cases)[0]));           \
	}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			check_fail(__FILE__, __LINE__, "%s", #cond);                               \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                    \
		if (check_a_ != check_b_) {                                                        \
			check_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, check_a_, \
			           check_b_);                                                      \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *check_a_ = (a), *check_b_ = (b);                                       \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {                        \
			check_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,       \
			           check_a_ ? check_a_ : "(null)",                                 \
			           check_b_ ? check_b_ : "(null)");                                \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* Compare n bytes at a with the C string b (b's length must equal n). */
#define CHECK_MEM(a, n, b)                                                                         \
	do {                                                                                       \
		const char *check_a_ = (const char *)(a), *check_b_ = (b);                         \
		size_t check_n_ = (size_t)(n);                                                     \
		if (check_n_ != strlen(check_b_) || memcmp(check_a_, check_b_, check_n_)) {        \
			check_fail(__FILE__, __LINE__, "%s == %s: \"%.*s\" != \"%s\"", #a, #b,     \
			           (int)check_n_, check_a_, check_b_);                             \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#endif

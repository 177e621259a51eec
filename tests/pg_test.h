/*
 * pg_test.h: the tiny assertion kit every C test of parigot uses.
 *
 * Assertions print both sides and the location on failure, count the
 * failure, and return from the current test function (so one broken check
 * does not cascade). A test file defines functions `static void test_x(void)`
 * and runs them with PG_RUN(test_x) from main(), then `return PG_DONE();`,
 * which prints "N passed, N failed" and returns the process exit code.
 */
#ifndef PG_TEST_H
#define PG_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int pg_test_failed_ = 0;  /* failures in the current test */
static int pg_tests_passed_ = 0;
static int pg_tests_failed_ = 0;

#define PG_FAIL_(fmt, ...)                                                    \
  do {                                                                        \
    fprintf(stderr, "  FAIL %s:%d: " fmt "\n", __FILE__, __LINE__,            \
            __VA_ARGS__);                                                     \
    pg_test_failed_ = 1;                                                      \
    return;                                                                   \
  } while (0)

#define ASSERT_TRUE(c)                                                        \
  do {                                                                        \
    if (!(c)) PG_FAIL_("expected true: %s", #c);                              \
  } while (0)

#define ASSERT_EQ(a, b)                                                       \
  do {                                                                        \
    long long pg_a_ = (long long)(a), pg_b_ = (long long)(b);                 \
    if (pg_a_ != pg_b_)                                                       \
      PG_FAIL_("%s == %s: left %lld, right %lld", #a, #b, pg_a_, pg_b_);      \
  } while (0)

#define ASSERT_U64_EQ(a, b)                                                   \
  do {                                                                        \
    uint64_t pg_a_ = (uint64_t)(a), pg_b_ = (uint64_t)(b);                    \
    if (pg_a_ != pg_b_)                                                       \
      PG_FAIL_("%s == %s: left 0x%" PRIx64 ", right 0x%" PRIx64, #a, #b,     \
               pg_a_, pg_b_);                                                 \
  } while (0)

#define ASSERT_STR_EQ(a, b)                                                   \
  do {                                                                        \
    const char *pg_a_ = (a), *pg_b_ = (b);                                    \
    if (!pg_a_ || !pg_b_ || strcmp(pg_a_, pg_b_) != 0)                        \
      PG_FAIL_("%s == %s: left \"%s\", right \"%s\"", #a, #b,                 \
               pg_a_ ? pg_a_ : "(null)", pg_b_ ? pg_b_ : "(null)");           \
  } while (0)

#define ASSERT_STR_CONTAINS(hay, needle)                                      \
  do {                                                                        \
    const char *pg_h_ = (hay), *pg_n_ = (needle);                             \
    if (!pg_h_ || !strstr(pg_h_, pg_n_))                                      \
      PG_FAIL_("%s contains %s: \"%s\" lacks \"%s\"", #hay, #needle,          \
               pg_h_ ? pg_h_ : "(null)", pg_n_);                              \
  } while (0)

#define PG_RUN(fn)                                                            \
  do {                                                                        \
    pg_test_failed_ = 0;                                                      \
    fn();                                                                     \
    if (pg_test_failed_) {                                                    \
      pg_tests_failed_++;                                                     \
      fprintf(stderr, "not ok %s\n", #fn);                                    \
    } else {                                                                  \
      pg_tests_passed_++;                                                     \
      printf("ok %s\n", #fn);                                                 \
    }                                                                         \
  } while (0)

#define PG_DONE()                                                             \
  (printf("%d passed, %d failed\n", pg_tests_passed_, pg_tests_failed_),      \
   pg_tests_failed_ ? 1 : 0)

#endif /* PG_TEST_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TEST_HELPER_H
#define BG_TEST_HELPER_H

/*
 * Shared by every test suite, with or without DPDK: an assertion that
 * carries a message and the caller's line, and the CUnit runner each suite's
 * main() ends with. CUnit keeps global state: call these from the thread
 * that runs the tests only, never from a worker lcore.
 */
#include <stdbool.h>
#include <stddef.h>

#include <CUnit/Basic.h>

/*
 * One CUnit assertion of cond, reported at file:line in func with a
 * printf-style message (cut at 1023 bytes). A failure does not end the test.
 */
void bg_test_check_at(const char *file, int line, const char *func, bool cond,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Assert at a line the caller names (a helper passes its caller's __LINE__),
 * or at the line of the check itself. */
#define CHECK_AT(line, cond, ...) \
	bg_test_check_at(__FILE__, (line), __func__, (cond), __VA_ARGS__)
#define CHECK(cond, ...) CHECK_AT(__LINE__, (cond), __VA_ARGS__)

/* A test of a suite: its name in the report, and its body. */
struct bg_test_case {
	const char *name;
	CU_TestFunc fn;
};

/*
 * Register the suite `name` with tests[0..n-1], in that order, run it with
 * the verbose report (which ends with the Run Summary) and release the
 * registry. Returns 0 when every test passed, 1 when an assertion failed or
 * CUnit could not register or run the suite (it says why on stderr).
 */
int bg_test_run_suite(const char *name, const struct bg_test_case *tests, size_t n);

#define BG_TEST_RUN_SUITE(name, tests) \
	bg_test_run_suite((name), (tests), sizeof(tests) / sizeof((tests)[0]))

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>

#include "test_helper.h"

void
bg_test_check_at(const char *file, int line, const char *func, bool cond, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(cond ? CU_TRUE : CU_FALSE, (unsigned)line, msg, file, func,
				CU_FALSE);
}

int
bg_test_run_suite(const char *name, const struct bg_test_case *tests, size_t n)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit, suite %s: %s\n", name, CU_get_error_msg());
		return 1;
	}
	suite = CU_add_suite(name, NULL, NULL);
	if (suite == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			goto fail;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto fail;
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures != 0;
fail:
	fprintf(stderr, "CUnit, suite %s: %s\n", name, CU_get_error_msg());
	CU_cleanup_registry();
	return 1;
}

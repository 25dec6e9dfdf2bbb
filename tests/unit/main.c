/* The unit-test runner: every UNIT_SUITE in tests/unit/ registers itself
 * before main; exit status 1 if any assertion failed. */
#include <stdio.h>
#include <stdlib.h>
#include <CUnit/Basic.h>
#include "unit.h"

#define MAX_SUITES 64
static struct { const char *name; const UnitTest *tests; } suites[MAX_SUITES];
static int nsuites;

void unit_add_suite(const char *name, const UnitTest *tests)
{
	if (nsuites == MAX_SUITES) {
		fprintf(stderr, "unit: more than %d suites\n", MAX_SUITES);
		exit(2);
	}
	suites[nsuites].name = name;
	suites[nsuites].tests = tests;
	nsuites++;
}

const char *unit_fixture(const char *name)
{
	static char path[4096];
	const char *dir = getenv("SPIKEC_FIXTURES");
	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures", name);
	return path;
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (int i = 0; i < nsuites; i++) {
		CU_pSuite s = CU_add_suite(suites[i].name, NULL, NULL);
		for (const UnitTest *t = suites[i].tests; t->name; t++)
			CU_add_test(s, t->name, t->fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

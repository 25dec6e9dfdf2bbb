/* unit.h: CUnit suites register themselves; tests/unit/main.c runs them all.
 *
 *   static void test_x(void) { CU_ASSERT_EQUAL(1, 1); }
 *   UNIT_SUITE(rng, "runtime/rng", UNIT_TEST(test_x))
 */
#ifndef SPIKEC_UNIT_H
#define SPIKEC_UNIT_H

#include <CUnit/CUnit.h>

typedef struct {
	const char *name;
	void (*fn)(void);
} UnitTest;

void unit_add_suite(const char *name, const UnitTest *tests);

#define UNIT_TEST(fn) {#fn, fn}
#define UNIT_SUITE(sym, name, ...) \
	static const UnitTest sym##_tests_[] = {__VA_ARGS__, {0, 0}}; \
	__attribute__((constructor)) static void sym##_register_(void) \
	{ unit_add_suite(name, sym##_tests_); }

/* Directory of test fixtures (tests/fixtures), overridable by
 * SPIKEC_FIXTURES for out-of-tree runs. */
const char *unit_fixture(const char *name);

#endif

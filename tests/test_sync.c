/* SPDX-License-Identifier: MIT */
/* placeholder: this suite is not yet written, so it skips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

static void not_written(void **state) { skip(); }

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(not_written) };
	return cmocka_run_group_tests_name("test_sync", tests, NULL, NULL);
}

/*
 * unit.h - what every cmocka unit test includes.
 *
 * Tests are named test_<module>__<case> and fixtures live under
 * test/resources/ (TEST_RESOURCES is its absolute path).
 */
#ifndef MOORING_TEST_UNIT_H
#define MOORING_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "log.h"

/* Captured warnings, for tests that assert a warning was (not) printed. */
struct unit_warnings {
	char text[8192];
	unsigned count;
};

static inline void unit_warning_sink(void *data, enum log_level level,
				     const char *msg)
{
	struct unit_warnings *w = data;
	size_t len = strlen(w->text);

	(void)level;
	w->count++;
	snprintf(w->text + len, sizeof(w->text) - len, "%s\n", msg);
}

static inline void unit_capture_warnings(struct unit_warnings *w)
{
	memset(w, 0, sizeof(*w));
	log_set_sink(unit_warning_sink, w);
}

static inline void unit_release_warnings(void)
{
	log_set_sink(NULL, NULL);
}

/* Assert that err_last() contains needle. */
#define assert_err_contains(needle)                                            \
	do {                                                                   \
		if (!strstr(err_last(), (needle)))                             \
			fail_msg("error '%s' does not contain '%s'",           \
				 err_last(), (needle));                        \
	} while (0)

#endif

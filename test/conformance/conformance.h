/*
 * conformance.h - the runner for ../shared/conformance (make conformance).
 *
 * Each category lives in its own file and fills a conf_result; main()
 * prints "category: N passed, M failed" per category and a total. A case
 * that fails prints one line "FAIL <category>/<id>: <why>".
 */
#ifndef MOORING_CONFORMANCE_H
#define MOORING_CONFORMANCE_H

#include <jansson.h>

struct conf_result {
	unsigned passed;
	unsigned failed;
};

void conf_fail(struct conf_result *r, const char *category, const char *id,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void conf_pass(struct conf_result *r);
/* Load a JSON file (exits on error: the corpus itself is broken). */
json_t *conf_load_json(const char *path);

/* Each takes the corpus root directory. */
void conf_interpolation(const char *root, struct conf_result *r);
void conf_dotenv(const char *root, struct conf_result *r);
void conf_merge(const char *root, struct conf_result *r);
void conf_unicity(const char *root, struct conf_result *r);
void conf_full_example(const char *root, struct conf_result *r);
void conf_samples(const char *root, struct conf_result *r);

#endif

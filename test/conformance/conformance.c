/* conformance.c - main of the conformance runner (see conformance.h). */
#include "conformance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void conf_fail(struct conf_result *r, const char *category, const char *id,
	       const char *fmt, ...)
{
	va_list ap;

	r->failed++;
	printf("FAIL %s/%s: ", category, id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void conf_pass(struct conf_result *r)
{
	r->passed++;
}

json_t *conf_load_json(const char *path)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	if (!j) {
		fprintf(stderr, "conformance: %s:%d: %s\n", path, jerr.line,
			jerr.text);
		exit(1);
	}
	return j;
}

static const struct {
	const char *name;
	void (*run)(const char *root, struct conf_result *r);
} categories[] = {
    {"interpolation", conf_interpolation},
    {"dotenv", conf_dotenv},
    {"merge", conf_merge},
    {"unicity", conf_unicity},
    {"full-example", conf_full_example},
    {"samples", conf_samples},
};

int main(int argc, char **argv)
{
	struct conf_result total = {0, 0};
	const char *only = argc > 2 ? argv[2] : NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: conformance CORPUS_DIR [CATEGORY]\n");
		return 1;
	}
	/* Warnings are expected from some cases; keep the report readable. */
	log_set_level(LOG_LEVEL_ERROR);
	for (size_t i = 0; i < sizeof(categories) / sizeof(categories[0]);
	     i++) {
		struct conf_result r = {0, 0};

		if (only && strcmp(only, categories[i].name) != 0)
			continue;
		categories[i].run(argv[1], &r);
		printf("%s: %u passed, %u failed\n", categories[i].name,
		       r.passed, r.failed);
		total.passed += r.passed;
		total.failed += r.failed;
	}
	printf("conformance: %u passed, %u failed\n", total.passed,
	       total.failed);
	return total.failed ? 1 : 0;
}

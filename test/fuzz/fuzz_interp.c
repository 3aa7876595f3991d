/*
 * fuzz_interp.c - libFuzzer target for interp.c.
 *
 * The first byte picks the mode: even, the rest is one template expanded
 * with interp_stringn(); odd, the rest is a YAML document whose string
 * values are expanded with interp_tree(). Either must end in success or
 * in a set error, within the work bounds, without leaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "interp.h"
#include "log.h"
#include "ynode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_lookup(void *d, const char *name)
{
	static const char *const vars[][2] = {
	    {"FOO", "first"}, {"BAR", ""},	     {"A", "$B"},
	    {"B", "${"},      {"JSON", "{\"j\":1}"},
	};

	(void)d;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strcmp(vars[i][0], name) == 0)
			return vars[i][1];
	return NULL;
}

static void fuzz_on_unset(void *d, const char *name, const struct ymark *m)
{
	(*(unsigned *)d)++;
	(void)name;
	(void)m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned unset = 0;
	struct interp_env env = {fuzz_lookup, &unset, fuzz_on_unset};
	struct ymark mark = {"fuzz.yaml", 1, 1};
	struct ynode *root = NULL;
	char *out = NULL;
	size_t len = 0;
	int rc;

	log_set_level(LOG_LEVEL_ERROR);
	if (size < 1)
		return 0;
	err_clear();
	if ((data[0] & 1) == 0) {
		rc = interp_stringn(&out, &len, (const char *)data + 1,
				    size - 1, &env, &mark);
		if (rc == 0) {
			if (!out || len > INTERP_MAX_OUTPUT)
				abort();
			free(out);
		} else if (out || err_last_code() != rc || !*err_last()) {
			abort();
		}
		return 0;
	}
	if (ynode_load_buffer(&root, (const char *)data + 1, size - 1,
			      "fuzz.yaml", NULL) != 0)
		return 0;
	rc = interp_tree(root, &env);
	if (rc != 0 && (err_last_code() != rc || !*err_last()))
		abort();
	ynode_free(root);
	return 0;
}

/*
 * fuzz_dotenv.c - libFuzzer target for dotenv.c.
 *
 * The input is parsed as a .env document twice into the same map (as
 * several env files are), then as a raw env_file. Each parse must end in
 * success or in a set error, and every stored entry must carry its mark.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"
#include "err.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_lookup(void *d, const char *name)
{
	(void)d;
	if (strcmp(name, "HOME") == 0)
		return "/home/fuzz";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	return NULL;
}

static void fuzz_check(const struct strmap *m, int rc)
{
	if (rc != 0) {
		if (err_last_code() != rc || !*err_last())
			abort();
		return;
	}
	for (size_t i = 0; i < m->n; i++)
		if (!m->items[i].mark.file || !m->items[i].mark.line)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct interp_env env = {fuzz_lookup, NULL, NULL};
	struct strmap m = STRMAP_INIT;
	int rc;

	log_set_level(LOG_LEVEL_ERROR);
	err_clear();
	rc = dotenv_parse(&m, (const char *)data, size, "fuzz.env", &env);
	fuzz_check(&m, rc);
	if (rc == 0) {
		rc = dotenv_parse(&m, (const char *)data, size, "fuzz.env",
				  NULL);
		fuzz_check(&m, rc);
	}
	strmap_release(&m);
	err_clear();
	rc = dotenv_parse_raw(&m, (const char *)data, size, "fuzz.env");
	fuzz_check(&m, rc);
	strmap_release(&m);
	return 0;
}

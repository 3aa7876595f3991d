/*
 * libFuzzer target: any bytes as a compose file through the whole render
 * pipeline (load, interpolate, extends, merge, schema, normalise,
 * consistency, hashes), read through the loader's file callback so that
 * nothing touches the disk. Any other file the project names is absent.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "err.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

static int fuzz_read(void *arg, const char *path, struct buf *out)
{
	const struct fuzz_input *in = arg;
	const char *base = strrchr(path, '/');

	if (strcmp(base ? base + 1 : path, "compose.yaml") != 0)
		return err_set(MOOR_ENOTFOUND, "cannot open '%s'", path);
	return buf_add(out, in->data, in->size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {"/fuzz/compose.yaml"};
	static char *const environ_none[] = {NULL};
	struct fuzz_input in = {data, size};
	struct compose_options opts;
	struct compose_project *p = NULL;

	log_set_level(LOG_LEVEL_ERROR);
	memset(&opts, 0, sizeof(opts));
	opts.files = files;
	opts.nfiles = 1;
	opts.project_dir = "/fuzz";
	opts.project_name = "fuzz";
	opts.environ = environ_none;
	opts.read_file = fuzz_read;
	opts.read_data = &in;
	if (compose_load(&p, &opts) == 0)
		compose_project_free(p);
	return 0;
}

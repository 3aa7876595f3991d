/* libFuzzer target: any bytes through the YAML loader, under tight limits. */
#include <stddef.h>
#include <stdint.h>

#include "ynode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ynode *n = NULL;
	struct ynode *c;

	if (ynode_load_buffer(&n, (const char *)data, size, "fuzz.yaml",
			      NULL) == 0) {
		/* Exercise the tree operations on whatever loaded. */
		c = ynode_clone(n);
		if (!ynode_equal(n, c))
			__builtin_trap();
		ynode_map_sort(c, true);
		ynode_free(c);
		ynode_free(n);
	}
	return 0;
}

/* cmd_version.c - `mooring version`: the version and the libraries. */
#include "cli.h"

#include <stdio.h>

#include <jansson.h>
#include <openssl/opensslv.h>
#include <yaml.h>

#include "banned.h"

int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_failx("version takes no arguments");
	printf("mooring %s (libyaml %s, jansson %s, %s)\n", MOORING_VERSION,
	       yaml_get_version_string(), JANSSON_VERSION,
	       OPENSSL_VERSION_TEXT);
	return EXIT_OK;
}

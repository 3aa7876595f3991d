/* main.c - process entry: hand argv to the command table in cli.c (or
 * to the git fetch child). */
#include "cli.h"

#include <string.h>

#include "source_git.h"

#include "banned.h"

int main(int argc, char **argv)
{
	/* The network part of a git fetch, run by this same executable (see
	 * source_git_child.c): never a user command. */
	if (argc == 2 && !strcmp(argv[1], SOURCE_GIT_CHILD_ARG))
		return source_git_child_main();
	source_git_use_child("/proc/self/exe");
	return cli_main(argc, argv);
}

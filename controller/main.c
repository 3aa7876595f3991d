/* main.c - process entry: hand argv to the command table in cli.c. */
#include "cli.h"

#include "banned.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}

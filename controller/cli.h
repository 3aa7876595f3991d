/*
 * cli.h - the command table. Each command is cmd_<name>() in its own
 * cmd_<name>.c, taking the argv that follows the command name (argv[0] is
 * the command name) and returning the process exit code: 0 success or in
 * sync, 2 changes or drift present, 1 error.
 */
#ifndef MOORING_CLI_H
#define MOORING_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define MOORING_VERSION "0.1.0"

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_CHANGES = 2,
};

int cli_main(int argc, char **argv);

/* Print "mooring: <err_last()>" on stderr and return EXIT_ERROR. */
int cli_fail(void);
/* Print "mooring: <message>" on stderr and return EXIT_ERROR. */
int cli_failx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * For the commands' getopt_long loops (run with opterr = 0 and an
 * optstring starting with ':'): the error for c == ':' (an option without
 * its value) or any other unexpected c (an unknown option), and, after
 * the loop, the error for operands left over. Both set the message.
 */
int cli_option_error(int c, char **argv);
int cli_no_operands(int argc, char **argv);
/* --format: "json" sets *json, `other` ("text", "yaml") clears it; any
 * other value is MOOR_EINVAL naming both. */
int cli_format(bool *json, const char *arg, const char *other);
/* Write all of data to stdout; EXIT_ERROR (with a message) on failure. */
int cli_write_stdout(const char *data, size_t len);

int cmd_render(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_findings(int argc, char **argv);
int cmd_accept(int argc, char **argv);
int cmd_exception(int argc, char **argv);

#endif

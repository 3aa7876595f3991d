/* cli.c - argv dispatch: one table of commands, usage, exit codes. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

#include "banned.h"

static const struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
    {"render", cmd_render,
     "render  [-f FILE]... [--env-file F] [-p NAME] [--profile P]...\n"
     "        [--project-directory DIR] [--format yaml|json] [--explain]"},
    {"plan", cmd_plan,
     "plan    [-c CONFIG] [--unit U]... [--format text|json] [--no-fetch]\n"
     "        (exit 1 when a unit is error or unknown: never in sync unseen)"},
    {"check-config", cmd_check_config, "check-config [-c CONFIG]"},
    {"apply", cmd_apply,
     "apply   [-c CONFIG] [--unit U]... [--force-recreate] [--remove-orphans]\n"
     "        [--dry-run]"},
    {"audit", cmd_audit,
     "audit   [-c CONFIG] [--since DURATION] [--unit U] [--format text|json]\n"
     "        (changes made outside mooring, from the journal)"},
    {"run", cmd_run,
     "run     [-c CONFIG] [--once] [-v]\n"
     "        (the controller loop and HTTP server; SIGHUP reloads)"},
    {"status", cmd_status,
     "status  [-c CONFIG] [--format text|json]\n"
     "        (every unit's state from the state dir)"},
    {"findings", cmd_findings,
     "findings [-c CONFIG] [--open|--all] [--format text|json]\n"
     "        (findings records from the state dir; exit 2 when some are "
     "open)"},
    {"accept", cmd_accept,
     "accept  [-c CONFIG] --finding ID --reason TEXT\n"
     "        (a finding's runtime values become accepted)"},
    {"exception", cmd_exception,
     "exception add [-c CONFIG] --unit U --incident ID --ttl DURATION\n"
     "        [--service S]... [--field PATH]... [--reason TEXT]"},
    {"version", cmd_version, "version"},
};

static void cli_usage(FILE *to)
{
	fputs("usage: mooring <command> [options]\n\ncommands:\n", to);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const char *u = commands[i].usage;

		fputs("  ", to);
		for (; *u; u++) {
			fputc(*u, to);
			if (*u == '\n')
				fputs("  ", to);
		}
		fputc('\n', to);
	}
	fputs("\nexit codes: 0 ok or in sync, 2 changes present, 1 error\n",
	      to);
}

int cli_fail(void)
{
	fprintf(stderr, "mooring: %s\n",
		err_last()[0] ? err_last() : "unknown error");
	return EXIT_ERROR;
}

int cli_failx(const char *fmt, ...)
{
	va_list ap;

	fputs("mooring: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERROR;
}

int cli_option_error(int c, char **argv)
{
	if (c == ':')
		return err_set(MOOR_EINVAL, "option '%s' needs a value",
			       argv[optind - 1]);
	return err_set(MOOR_EINVAL, "unknown option '%s'", argv[optind - 1]);
}

int cli_no_operands(int argc, char **argv)
{
	if (optind < argc)
		return err_set(MOOR_EINVAL, "unexpected argument '%s'",
			       argv[optind]);
	return 0;
}

int cli_format(bool *json, const char *arg, const char *other)
{
	if (!strcmp(arg, "json"))
		*json = true;
	else if (!strcmp(arg, other))
		*json = false;
	else
		return err_set(MOOR_EINVAL,
			       "unknown format '%s' (expected %s or json)", arg,
			       other);
	return 0;
}

int cli_write_stdout(const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cli_failx("cannot write to stdout: %s",
					 strerror(errno));
		data += n;
		len -= (size_t)n;
	}
	return EXIT_OK;
}

int cli_main(int argc, char **argv)
{
	log_init("mooring", LOG_LEVEL_WARN);
	if (argc < 2) {
		cli_usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_failx("unknown command '%s' (try 'mooring --help')", argv[1]);
	return EXIT_ERROR;
}

/*
 * cmd_status.c - `mooring status [-c CONFIG] [--format text|json]`: every
 * unit's state as `mooring run` last recorded it in the state dir
 * (status.h), with the time of its last successful check. Reads files
 * only: no git, no docker, no lock; works whether the controller runs or
 * not. A record older than stale_after is shown unknown (stale), by this
 * reader's clock: a controller that died does not leave units in sync.
 *
 * Exit: 0 every unit in_sync; 2 some pending, drift or conflict; 1 some
 * error, unknown or stale, or no unit recorded at all.
 */
#include "cli.h"

#include <errno.h>
#include <unistd.h>
#include <sys/file.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "context.h"
#include "err.h"
#include "status.h"
#include "xalloc.h"

#include "banned.h"

#define STATUS_USAGE "usage: mooring status [-c CONFIG] [--format text|json]"

struct status_args {
	const char *config;
	bool json;
};

static int status_parse_args(struct status_args *a, int argc, char **argv)
{
	enum { OPT_FORMAT = 256 };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case OPT_FORMAT:
			if (cli_format(&a->json, optarg, "text") < 0)
				return MOOR_EINVAL;
			break;
		case 'h':
			return 1;
		default:
			return cli_option_error(c, argv);
		}
	}
	return cli_no_operands(argc, argv);
}

/*
 * The pid of the running controller, 0 when none. The lock itself says
 * whether one runs (a pid alone could belong to another process by now,
 * after a crash); the file says which pid holds it.
 */
static long status_controller_pid(const char *state_dir)
{
	struct buf b = BUF_INIT(64);
	char *path = xasprintf("%s/lock", state_dir);
	char *end = NULL;
	long pid = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 &&
	    errno == EWOULDBLOCK && buf_read_file(&b, path) == 0 && b.len) {
		errno = 0;
		pid = strtol(b.data, &end, 10);
		if (errno || end == b.data || pid <= 0)
			pid = -1; /* held, by a pid it does not say */
	}
	if (fd >= 0)
		close(fd); /* also drops a shared lock we may have got */
	err_clear();
	buf_release(&b);
	free(path);
	return pid;
}

/* "12s", "5m", "3h", "2d": how long ago, roughly. */
static void status_age(char *out, size_t size, time_t now, time_t then)
{
	long long d = (long long)(now - then);

	if (!then)
		snprintf(out, size, "never");
	else if (d < 0)
		snprintf(out, size, "in the future");
	else if (d < 120)
		snprintf(out, size, "%llds ago", d);
	else if (d < 7200)
		snprintf(out, size, "%lldm ago", d / 60);
	else if (d < 172800)
		snprintf(out, size, "%lldh ago", d / 3600);
	else
		snprintf(out, size, "%lldd ago", d / 86400);
}

static int status_print_json(const struct status_record *r, size_t n,
			     const char *state_dir, long pid, time_t now)
{
	json_t *doc = json_object(), *units = json_array();
	char when[32];
	char *text;
	int rc;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(units, status_record_json(&r[i]));
	status_format_time(when, sizeof(when), now);
	json_object_set_new(doc, "generated_at", json_string(when));
	json_object_set_new(doc, "state_dir", json_string(state_dir));
	json_object_set_new(
	    doc, "controller",
	    json_pack("{s:b, s:o}", "running", pid != 0, "pid",
		      pid > 0 ? json_integer(pid) : json_null()));
	json_object_set_new(doc, "units", units);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (!text)
		return cli_failx("cannot encode the status");
	rc = cli_write_stdout(text, strlen(text));
	if (rc == EXIT_OK)
		rc = cli_write_stdout("\n", 1);
	free(text);
	return rc;
}

static int status_print_text(const struct status_record *r, size_t n,
			     const char *state_dir, long pid, time_t now)
{
	struct buf out = BUF_INIT(BUF_UNBOUNDED);
	int width = 4, rc;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(r[i].unit) > width)
			width = (int)strlen(r[i].unit);
	if (pid > 0)
		buf_printf(&out, "controller: running (pid %ld)\n", pid);
	else if (pid < 0)
		buf_printf(&out, "controller: running\n");
	else
		buf_printf(&out, "controller: not running\n");
	if (!n)
		buf_printf(&out,
			   "no unit status in '%s/state' (has 'mooring "
			   "run' run?)\n",
			   state_dir);
	else
		buf_printf(&out, "%-*s  %-9s %-10s %-14s %-12s %s\n", width,
			   "UNIT", "STATUS", "FINDINGS", "LAST SUCCESS",
			   "COMMIT", "ERROR");
	for (size_t i = 0; i < n; i++) {
		char age[32];

		status_age(age, sizeof(age), now, r[i].last_success);
		buf_printf(&out, "%-*s  %-9s %-10zu %-14s %-12.12s %s\n", width,
			   r[i].unit,
			   r[i].stale ? "stale" : unit_status_name(r[i].status),
			   r[i].findings, age, r[i].commit ? r[i].commit : "-",
			   r[i].error ? r[i].error : "");
	}
	rc = cli_write_stdout(out.data ? out.data : "", out.len);
	buf_release(&out);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	struct status_args a = {NULL, false};
	struct status_record *recs = NULL;
	struct config *cfg = NULL;
	char *path = NULL;
	size_t n = 0;
	time_t now = time(NULL);
	long pid;
	int parsed, rc = EXIT_ERROR;

	parsed = status_parse_args(&a, argc, argv);
	if (parsed > 0) {
		puts(STATUS_USAGE);
		return EXIT_OK;
	}
	if (parsed < 0 || context_config_path(&path, a.config) < 0 ||
	    config_load(&cfg, path) < 0 ||
	    status_load_all(&recs, &n, cfg->state_dir) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++)
		if (!recs[i].stale)
			status_mark_stale(&recs[i], now, cfg->stale_after_ms,
					  NULL);
	pid = status_controller_pid(cfg->state_dir);
	rc = a.json ? status_print_json(recs, n, cfg->state_dir, pid, now)
		    : status_print_text(recs, n, cfg->state_dir, pid, now);
	if (rc == EXIT_OK)
		rc = status_exit_code(recs, n);
cleanup:
	status_records_free(recs, n);
	config_free(cfg);
	free(path);
	return rc;
}

/*
 * status.c - per-unit status records in the state dir (see status.h):
 * to and from JSON, atomic save, load one or all, staleness.
 */
#define _GNU_SOURCE /* strptime, timegm */
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "state.h"
#include "units.h"
#include "xalloc.h"

#include "banned.h"

#define STATUS_SUFFIX ".status.json"
/* A record is a few hundred bytes; a bigger file is not ours. */
#define STATUS_MAX_FILE (64u << 10)

static const enum unit_status status_all[] = {
    UNIT_IN_SYNC,  UNIT_PENDING, UNIT_DRIFT,
    UNIT_CONFLICT, UNIT_UNKNOWN, UNIT_ERROR,
};

void status_record_release(struct status_record *r)
{
	if (!r)
		return;
	free(r->unit);
	free(r->project);
	free(r->error);
	free(r->commit);
	memset(r, 0, sizeof(*r));
}

static char *status_strdup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void status_record_copy(struct status_record *out,
			const struct status_record *r)
{
	*out = *r;
	out->unit = status_strdup(r->unit);
	out->project = status_strdup(r->project);
	out->error = status_strdup(r->error);
	out->commit = status_strdup(r->commit);
}

int status_parse_name(enum unit_status *out, const char *name)
{
	for (size_t i = 0; i < sizeof(status_all) / sizeof(status_all[0]);
	     i++) {
		if (!strcmp(unit_status_name(status_all[i]), name)) {
			*out = status_all[i];
			return 0;
		}
	}
	return err_set(MOOR_EINVAL, "unknown unit status '%s'", name);
}

void status_format_time(char *out, size_t size, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "1970-01-01T00:00:00Z");
}

int status_parse_time(time_t *out, const char *s)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return err_set(MOOR_EINVAL, "'%s' is not a UTC time", s);
	t = timegm(&tm);
	if (t == (time_t)-1)
		return err_set(MOOR_EINVAL, "'%s' is not a UTC time", s);
	*out = t;
	return 0;
}

static json_t *status_time_json(time_t t)
{
	char text[32];

	if (!t)
		return json_null();
	status_format_time(text, sizeof(text), t);
	return json_string(text);
}

static json_t *status_str_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *status_record_json(const struct status_record *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "unit", json_string(r->unit ? r->unit : ""));
	json_object_set_new(j, "project", status_str_json(r->project));
	json_object_set_new(j, "status",
			    json_string(unit_status_name(r->status)));
	json_object_set_new(j, "error", status_str_json(r->error));
	json_object_set_new(j, "commit", status_str_json(r->commit));
	json_object_set_new(j, "last_check", status_time_json(r->last_check));
	json_object_set_new(j, "last_success",
			    status_time_json(r->last_success));
	json_object_set_new(j, "consecutive_errors",
			    json_integer((json_int_t)r->consecutive_errors));
	json_object_set_new(j, "next_due", status_time_json(r->next_due));
	json_object_set_new(j, "findings",
			    json_integer((json_int_t)r->findings));
	json_object_set_new(j, "stale", json_boolean(r->stale));
	json_object_set_new(j, "pid", json_integer((json_int_t)r->pid));
	return j;
}

/* An optional string member: absent or null is NULL. */
static int status_get_str(char **out, const json_t *j, const char *key)
{
	const json_t *v = json_object_get(j, key);

	if (!v || json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return err_set(MOOR_EINVAL, "'%s' is not a string", key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int status_get_time(time_t *out, const json_t *j, const char *key)
{
	const json_t *v = json_object_get(j, key);

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_set(MOOR_EINVAL, "'%s' is not a time", key);
	if (status_parse_time(out, json_string_value(v)) < 0)
		return err_set(MOOR_EINVAL, "'%s' is not a UTC time", key);
	return 0;
}

static int status_get_count(long long *out, const json_t *j, const char *key)
{
	const json_t *v = json_object_get(j, key);

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return err_set(MOOR_EINVAL, "'%s' is not a count", key);
	*out = json_integer_value(v);
	return 0;
}

int status_record_from_json(struct status_record *out, const json_t *j)
{
	struct status_record r;
	const json_t *v;
	char *status = NULL;
	long long n = 0;
	int error = -1;

	memset(&r, 0, sizeof(r));
	if (!json_is_object(j)) {
		error = err_set(MOOR_EINVAL, "a status record is an object");
		goto cleanup;
	}
	if ((error = status_get_str(&r.unit, j, "unit")) < 0 ||
	    (error = status_get_str(&r.project, j, "project")) < 0 ||
	    (error = status_get_str(&status, j, "status")) < 0 ||
	    (error = status_get_str(&r.error, j, "error")) < 0 ||
	    (error = status_get_str(&r.commit, j, "commit")) < 0 ||
	    (error = status_get_time(&r.last_check, j, "last_check")) < 0 ||
	    (error = status_get_time(&r.last_success, j, "last_success")) < 0 ||
	    (error = status_get_time(&r.next_due, j, "next_due")) < 0)
		goto cleanup;
	if (!r.unit || !unit_name_valid(r.unit)) {
		error = err_set(MOOR_EINVAL, "'unit' is not a unit name");
		goto cleanup;
	}
	if (!status || (error = status_parse_name(&r.status, status)) < 0) {
		error = err_set(MOOR_EINVAL, "'status' is not a unit status");
		goto cleanup;
	}
	if ((error = status_get_count(&n, j, "consecutive_errors")) < 0)
		goto cleanup;
	r.consecutive_errors = n > 1000000 ? 1000000u : (unsigned)n;
	if ((error = status_get_count(&n, j, "findings")) < 0)
		goto cleanup;
	r.findings = (size_t)n;
	if ((error = status_get_count(&n, j, "pid")) < 0)
		goto cleanup;
	r.pid = (long)n;
	v = json_object_get(j, "stale");
	r.stale = v && json_is_true(v);
	*out = r;
	memset(&r, 0, sizeof(r));
	error = 0;
cleanup:
	status_record_release(&r);
	free(status);
	return error;
}

static int status_path(char **out, const char *state_dir, const char *unit)
{
	if (!unit || !unit_name_valid(unit))
		return err_set(MOOR_EINVAL, "invalid unit name '%s'",
			       unit ? unit : "");
	*out = xasprintf("%s/state/%s" STATUS_SUFFIX, state_dir, unit);
	return 0;
}

int status_save(const char *state_dir, const struct status_record *r)
{
	json_t *j = NULL;
	char *path = NULL, *dir = NULL, *text = NULL, *line = NULL;
	int error = -1;

	if ((error = status_path(&path, state_dir, r->unit)) < 0)
		goto cleanup;
	dir = xasprintf("%s/state", state_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		error = err_set_errno(MOOR_EIO, "cannot create directory '%s'",
				      dir);
		goto cleanup;
	}
	j = status_record_json(r);
	text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	if (!text) {
		error = err_set(MOOR_ERR, "cannot encode the status of '%s'",
				r->unit);
		goto cleanup;
	}
	line = xasprintf("%s\n", text);
	error = state_write_atomic(path, line, strlen(line));
cleanup:
	free(line);
	free(text);
	json_decref(j);
	free(dir);
	free(path);
	return error;
}

static int status_load_path(struct status_record *out, const char *path)
{
	struct buf b = BUF_INIT(STATUS_MAX_FILE);
	json_error_t jerr;
	json_t *j = NULL;
	int error = -1;

	if ((error = buf_read_file(&b, path)) < 0)
		goto cleanup;
	j = json_loadb(b.data ? b.data : "", b.len, 0, &jerr);
	if (!j) {
		error = err_set(MOOR_EINVAL, "%s:%d:%d: %s", path, jerr.line,
				jerr.column, jerr.text);
		goto cleanup;
	}
	if ((error = status_record_from_json(out, j)) < 0)
		error = err_set(error, "'%s': %s", path, err_last());
cleanup:
	json_decref(j);
	buf_release(&b);
	return error;
}

int status_load(struct status_record *out, const char *state_dir,
		const char *unit)
{
	struct stat st;
	char *path = NULL;
	int error = -1;

	if ((error = status_path(&path, state_dir, unit)) < 0)
		goto cleanup;
	if (stat(path, &st) < 0 && errno == ENOENT) {
		error =
		    err_set(MOOR_ENOTFOUND, "no status for unit '%s'", unit);
		goto cleanup;
	}
	error = status_load_path(out, path);
cleanup:
	free(path);
	return error;
}

static int status_cmp(const void *a, const void *b)
{
	const struct status_record *x = a, *y = b;

	return strcmp(x->unit, y->unit);
}

/* The unit of "<unit>.status.json", or NULL for another file. */
static char *status_unit_of(const char *file)
{
	size_t n = strlen(file), m = strlen(STATUS_SUFFIX);
	char *unit;

	if (n <= m || strcmp(file + n - m, STATUS_SUFFIX))
		return NULL;
	unit = xstrndup(file, n - m);
	if (!unit_name_valid(unit)) {
		free(unit);
		return NULL;
	}
	return unit;
}

int status_load_all(struct status_record **out, size_t *nout,
		    const char *state_dir)
{
	struct status_record *list = NULL;
	size_t n = 0;
	struct dirent *de;
	char *dir = xasprintf("%s/state", state_dir);
	DIR *d = opendir(dir);
	int error = -1;

	if (!d && errno != ENOENT) {
		error = err_set_errno(MOOR_EIO, "cannot read '%s'", dir);
		goto cleanup;
	}
	while (d && (de = readdir(d))) {
		char *unit = status_unit_of(de->d_name);
		struct status_record r;

		if (!unit)
			continue;
		memset(&r, 0, sizeof(r));
		if (status_load(&r, state_dir, unit) < 0) {
			/* One bad file says so; the others still count. */
			r.unit = xstrdup(unit);
			r.status = UNIT_ERROR;
			r.error = xstrdup(err_last());
			err_clear();
		} else if (strcmp(r.unit, unit)) {
			free(r.error);
			r.error =
			    xasprintf("'%s" STATUS_SUFFIX "' names unit '%s'",
				      unit, r.unit);
			free(r.unit);
			r.unit = xstrdup(unit);
			r.status = UNIT_ERROR;
		}
		free(unit);
		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n++] = r;
	}
	if (n)
		qsort(list, n, sizeof(*list), status_cmp);
	*out = list;
	*nout = n;
	list = NULL;
	n = 0;
	error = 0;
cleanup:
	status_records_free(list, n);
	if (d)
		closedir(d);
	free(dir);
	return error;
}

void status_records_free(struct status_record *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		status_record_release(&r[i]);
	free(r);
}

int status_remove(const char *state_dir, const char *unit)
{
	char *path = NULL;
	int error = -1;

	if ((error = status_path(&path, state_dir, unit)) < 0)
		goto cleanup;
	if (unlink(path) < 0 && errno != ENOENT) {
		error = err_set_errno(MOOR_EIO, "cannot remove '%s'", path);
		goto cleanup;
	}
	error = 0;
cleanup:
	free(path);
	return error;
}

bool status_is_stale(const struct status_record *r, time_t now,
		     long stale_after_ms)
{
	if (stale_after_ms <= 0)
		return false;
	if (!r->last_success)
		return true;
	/* Compare in milliseconds; whole seconds are what the record has. */
	return (long long)(now - r->last_success) * 1000 >
	       (long long)stale_after_ms;
}

bool status_mark_stale(struct status_record *r, time_t now, long stale_after_ms,
		       const char *why)
{
	char when[32], limit[32];
	char *msg;

	/* An error says more than "stale" would, and fails as much. */
	if (r->status == UNIT_ERROR || !status_is_stale(r, now, stale_after_ms))
		return false;
	if (!why && r->status == UNIT_UNKNOWN && r->error &&
	    strncmp(r->error, "stale: ", 7))
		why = r->error;
	if (stale_after_ms % 1000)
		snprintf(limit, sizeof(limit), "%ldms", stale_after_ms);
	else
		snprintf(limit, sizeof(limit), "%lds", stale_after_ms / 1000);
	status_format_time(when, sizeof(when), r->last_success);
	if (r->last_success)
		msg = xasprintf("stale: %s%slast successful check at %s, "
				"more than %s ago",
				why ? why : "", why ? "; " : "", when, limit);
	else
		msg = xasprintf("stale: %s%sno successful check yet",
				why ? why : "", why ? "; " : "");
	free(r->error);
	r->error = msg;
	r->status = UNIT_UNKNOWN;
	r->stale = true;
	return true;
}

int status_exit_code(const struct status_record *r, size_t n)
{
	int rc = 0;

	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++) {
		switch (r[i].status) {
		case UNIT_ERROR:
		case UNIT_UNKNOWN:
			return 1;
		case UNIT_PENDING:
		case UNIT_DRIFT:
		case UNIT_CONFLICT:
			rc = 2;
			break;
		case UNIT_IN_SYNC:
			if (r[i].stale)
				return 1;
			break;
		}
	}
	return rc;
}

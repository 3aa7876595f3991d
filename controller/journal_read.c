/*
 * journal_read.c - the read side of the journal: the line reader every
 * read goes through (a torn or garbage line is skipped, never fatal),
 * bounded reads of whole files and tails, and the outside changes for
 * `mooring audit` across the rotated files.
 */
#include "journal_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

char *journal_file(const char *dir, unsigned n)
{
	if (!n)
		return xasprintf("%s/journal.jsonl", dir);
	return xasprintf("%s/journal.%u.jsonl", dir, n);
}

long long journal_now_nano(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * JOURNAL_NS + ts.tv_nsec;
}

void journal_format_time(char out[32], long long nano)
{
	time_t s;
	struct tm tm;
	size_t n;

	if (nano < 0)
		nano = 0;
	s = (time_t)(nano / JOURNAL_NS);
	if (!gmtime_r(&s, &tm) ||
	    !(n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm)) || n > 24) {
		snprintf(out, 32, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(out + n, 32 - n, ".%03dZ", (int)(nano % JOURNAL_NS / 1000000));
}

long long journal_int(const json_t *rec, const char *key)
{
	return json_integer_value(json_object_get(rec, key));
}

const char *journal_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

long long journal_time(const json_t *rec)
{
	long long t = journal_int(rec, "time_nano");

	return t > 0 && t <= JOURNAL_MAX_NANO ? t : 0;
}

static json_t *journal_parse_line(const char *line, size_t len)
{
	json_t *rec;

	if (!len || len > JOURNAL_MAX_LINE || line[0] != '{')
		return NULL;
	rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(rec) ||
	    !json_is_integer(json_object_get(rec, "seq")) ||
	    journal_int(rec, "seq") < 1 ||
	    journal_int(rec, "seq") > JOURNAL_MAX_SEQ ||
	    !journal_str(rec, "kind")) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

size_t journal_parse(const char *data, size_t len, journal_record_fn fn,
		     void *arg)
{
	size_t bad = 0, pos = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		json_t *rec;
		int stop = 0;

		if (!nl) {
			/* No newline: the append did not finish. */
			bad++;
			break;
		}
		rec = journal_parse_line(data + pos, end - pos);
		if (rec)
			stop = fn ? fn(arg, rec) : 0;
		else if (end > pos)
			bad++;
		json_decref(rec);
		if (stop)
			break;
		pos = end + 1;
	}
	return bad;
}

int journal_read_tail(struct buf *out, off_t *size_out, const char *path,
		      size_t max)
{
	struct stat st;
	off_t start = 0;
	size_t want;
	int fd = -1;
	int error = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(MOOR_ENOTFOUND, "no journal file '%s'",
				       path);
		return err_set_errno(MOOR_EIO, "cannot open '%s'", path);
	}
	if (fstat(fd, &st) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot stat '%s'", path);
		goto cleanup;
	}
	if ((size_t)st.st_size > max)
		start = st.st_size - (off_t)max;
	want = (size_t)(st.st_size - start);
	buf_reset(out);
	while (want > 0) {
		char chunk[65536];
		size_t n = want < sizeof(chunk) ? want : sizeof(chunk);
		ssize_t got = pread(fd, chunk, n, start);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			error =
			    err_set_errno(MOOR_EIO, "cannot read '%s'", path);
			goto cleanup;
		}
		if (got == 0)
			break; /* truncated under us: what there is */
		if ((error = buf_add(out, chunk, (size_t)got)) < 0)
			goto cleanup;
		start += got;
		want -= (size_t)got;
	}
	if ((size_t)st.st_size > max && out->len) {
		/* The tail starts mid-line: drop up to the first newline. */
		char *nl = memchr(out->data, '\n', out->len);
		size_t cut = nl ? (size_t)(nl - out->data) + 1 : out->len;

		memmove(out->data, out->data + cut, out->len - cut);
		out->len -= cut;
		out->data[out->len] = '\0';
	}
	if (size_out)
		*size_out = st.st_size;
	error = 0;
cleanup:
	close(fd);
	return error;
}

struct outside_walk {
	json_t *out;
	long long since_nano;
	const char *unit;
	bool all; /* events and actions, outside mooring or not */
};

static int outside_collect(void *data, json_t *rec)
{
	struct outside_walk *w = data;
	const char *kind = journal_str(rec, "kind");

	if (w->all ? strcmp(kind, "event") && strcmp(kind, "action")
		   : strcmp(kind, "event") ||
			 !json_is_true(json_object_get(rec, "outside_mooring")))
		return 0;
	if (journal_time(rec) < w->since_nano)
		return 0;
	if (w->unit && (!journal_str(rec, "unit") ||
			strcmp(journal_str(rec, "unit"), w->unit)))
		return 0;
	json_array_append(w->out, rec);
	return 0;
}

static int journal_collect(json_t **out, const char *state_dir, time_t since,
			   const char *unit, bool all)
{
	struct buf b = BUF_INIT(JOURNAL_ROTATE_SIZE * 4u);
	struct outside_walk w = {NULL, 0, unit, all};
	char *dir = NULL;
	int error = -1;

	w.out = json_array();
	w.since_nano = since > 0 ? (long long)since * JOURNAL_NS : 0;
	dir = xasprintf("%s/journal", state_dir);
	/* Oldest first, so the array is in time order. */
	for (unsigned n = JOURNAL_KEEP + 1; n-- > 0;) {
		char *path = journal_file(dir, n);

		error = journal_read_tail(&b, NULL, path, b.max);
		free(path);
		if (error == MOOR_ENOTFOUND) {
			err_clear();
			continue;
		}
		if (error < 0)
			goto cleanup;
		journal_parse(b.data, b.len, outside_collect, &w);
	}
	*out = w.out;
	w.out = NULL;
	error = 0;
cleanup:
	json_decref(w.out);
	buf_release(&b);
	free(dir);
	return error;
}

int journal_outside_changes(json_t **out, const char *state_dir, time_t since,
			    const char *unit)
{
	return journal_collect(out, state_dir, since, unit, false);
}

int journal_unit_records(json_t **out, const char *state_dir, time_t since,
			 const char *unit)
{
	return journal_collect(out, state_dir, since, unit, true);
}

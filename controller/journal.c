/*
 * journal.c - the write side of the audit journal (journal.h): opening
 * with recovery of a torn last line, appends shared by threads and
 * processes, rotation, and the records for own actions and daemon events.
 *
 * An append, under j->lock and the flock on journal/lock:
 *   1. journal.jsonl is still the file we have open (another process may
 *      have rotated it: reopen) and has the size we last saw (another
 *      process appended: read its tail again for the last seq);
 *   2. rotate when the line would take the file past the rotate size;
 *   3. write the line with one write() (O_APPEND) and fdatasync it.
 * seq continues from the last good line; it is per journal, not per
 * process, because every writer re-reads it under the flock.
 */
#include "journal_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "err.h"
#include "finding.h"
#include "log.h"
#include "xalloc.h"

#include "banned.h"

/* Attributes copied from an event: at most this many, each value cut. */
#define JOURNAL_MAX_ATTRS      256
#define JOURNAL_MAX_ATTR_VALUE 4096
#define JOURNAL_MAX_COMMAND    512

static struct journal *journal_default_j;

void journal_set_default(struct journal *j)
{
	__atomic_store_n(&journal_default_j, j, __ATOMIC_RELEASE);
}

struct journal *journal_default(void)
{
	return __atomic_load_n(&journal_default_j, __ATOMIC_ACQUIRE);
}

void journal_set_rotate_size(struct journal *j, size_t bytes)
{
	pthread_mutex_lock(&j->lock);
	j->rotate_size = bytes ? bytes : JOURNAL_ROTATE_SIZE;
	pthread_mutex_unlock(&j->lock);
}

time_t journal_last_event_time(struct journal *j)
{
	time_t t;

	pthread_mutex_lock(&j->lock);
	t = (time_t)(j->last_event_nano / JOURNAL_NS);
	pthread_mutex_unlock(&j->lock);
	return t;
}

static int mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	int error = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			error =
			    err_set_errno(MOOR_EIO, "cannot create '%s'", p);
		*s = '/';
		if (error < 0)
			break;
	}
	if (!error && mkdir(p, 0700) < 0 && errno != EEXIST)
		error = err_set_errno(MOOR_EIO, "cannot create '%s'", p);
	free(p);
	return error;
}

static int journal_reopen(struct journal *j)
{
	struct stat st;
	int fd;

	fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set_errno(MOOR_EIO, "cannot open '%s'", j->path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_set_errno(MOOR_EIO, "cannot stat '%s'", j->path);
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = fd;
	j->ino = st.st_ino;
	j->size = st.st_size;
	return 0;
}

struct scan {
	struct journal *j;
	long long seq;
	bool last_good;
};

static int scan_one(void *data, json_t *rec)
{
	struct scan *s = data;
	struct journal *j = s->j;
	long long seq = journal_int(rec, "seq");

	if (seq > s->seq)
		s->seq = seq;
	if (!strcmp(journal_str(rec, "kind"), "event")) {
		long long t = journal_time(rec);

		journal_seen_add(
		    j, journal_event_key(t, journal_str(rec, "container"),
					 journal_str(rec, "action")));
		if (t > j->last_event_nano)
			j->last_event_nano = t;
	}
	return 0;
}

/* Is the last line of data complete and a record? */
static bool last_line_good(const char *data, size_t len)
{
	size_t start;

	if (!len)
		return true;
	if (data[len - 1] != '\n')
		return false;
	start = len - 1;
	while (start > 0 && data[start - 1] != '\n')
		start--;
	return journal_parse(data + start, len - start, NULL, NULL) == 0;
}

/*
 * Read the end of journal.jsonl (or of journal.1.jsonl when it is empty)
 * for the last seq and the recent events. *torn_out: bytes of a last line
 * without its newline (they must be ended before anything is appended);
 * *bad_last_out: the last line (ended) is not a record.
 */
static int journal_scan(struct journal *j, size_t *torn_out, bool *bad_last_out)
{
	struct buf b = BUF_INIT(JOURNAL_ROTATE_SIZE * 2u);
	struct scan s = {j, 0, true};
	off_t size = 0;
	int error = -1;

	*torn_out = 0;
	*bad_last_out = false;
	error = journal_read_tail(&b, &size, j->path, JOURNAL_TAIL);
	if (error < 0)
		goto cleanup;
	if (b.len && b.data[b.len - 1] != '\n') {
		size_t start = b.len;

		while (start > 0 && b.data[start - 1] != '\n')
			start--;
		*torn_out = b.len - start;
		/* Read it as it will be once ended: a whole record that only
		 * lacks its newline keeps its seq (no seq is used twice). */
		if ((error = buf_addc(&b, '\n')) < 0)
			goto cleanup;
	}
	*bad_last_out = !last_line_good(b.data, b.len);
	journal_parse(b.data, b.len, scan_one, &s);
	if (!s.seq && (size_t)size > JOURNAL_TAIL) {
		/* Nothing good in the tail of a big file: all of it. */
		if ((error = journal_read_tail(&b, NULL, j->path, b.max)) < 0)
			goto cleanup;
		journal_parse(b.data, b.len, scan_one, &s);
	}
	if (!s.seq) {
		char *older = journal_file(j->dir, 1);

		if (journal_read_tail(&b, NULL, older, JOURNAL_TAIL) == 0)
			journal_parse(b.data, b.len, scan_one, &s);
		err_clear();
		free(older);
	}
	if (s.seq > j->seq)
		j->seq = s.seq;
	j->size = size;
	error = 0;
cleanup:
	buf_release(&b);
	return error;
}

/*
 * Write data whole (flock held). A failed write takes the file back to
 * its size before, so that the next line does not start on a fragment;
 * when even that fails j->size is unknown (-1) and the next append reads
 * the end again and ends the torn line first. *written_out: the bytes are
 * in the file (only the sync failed): the line counts.
 */
static int write_all(struct journal *j, const char *data, size_t len,
		     bool *written_out)
{
	off_t before = j->size;
	size_t total = len;

	*written_out = false;
	while (len > 0) {
		ssize_t n = write(j->fd, data, len);
		int saved = errno;

		if (n < 0 && saved == EINTR)
			continue;
		if (n < 0) {
			if (before < 0 || ftruncate(j->fd, before) < 0)
				j->size = -1;
			errno = saved;
			return err_set_errno(MOOR_EIO, "cannot write to '%s'",
					     j->path);
		}
		data += n;
		len -= (size_t)n;
	}
	*written_out = true;
	if (before >= 0)
		j->size = before + (off_t)total;
	if (fdatasync(j->fd) < 0)
		return err_set_errno(MOOR_EIO, "cannot sync '%s'", j->path);
	return 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int journal_rotate(struct journal *j)
{
	for (unsigned n = JOURNAL_KEEP; n > 0; n--) {
		char *from = journal_file(j->dir, n - 1);
		char *to = journal_file(j->dir, n);
		int rc = rename(from, to);
		int saved = errno;

		free(from);
		free(to);
		if (rc < 0 && saved != ENOENT) {
			errno = saved;
			return err_set_errno(
			    MOOR_EIO, "cannot rotate the journal in '%s'",
			    j->dir);
		}
	}
	sync_dir(j->dir);
	return journal_reopen(j);
}

static int append_locked(struct journal *j, json_t *rec);

/*
 * Catch up with what other processes did since our last append (flock
 * held): a rotation (reopen), appends (re-read the last seq), a torn
 * last line (ended, and noted with a "recovered" record).
 */
static int journal_sync(struct journal *j, bool opening)
{
	struct stat st;
	size_t torn = 0;
	bool bad_last = false, written = false;
	int error;

	if (stat(j->path, &st) < 0 || st.st_ino != j->ino) {
		if ((error = journal_reopen(j)) < 0)
			return error;
	} else if (st.st_size == j->size && !opening) {
		return 0;
	}
	/* Someone else wrote (or this is the first look): read the end. */
	if ((error = journal_scan(j, &torn, &bad_last)) < 0)
		return error;
	if (torn && (error = write_all(j, "\n", 1, &written)) < 0)
		return error;
	if (torn || (opening && bad_last)) {
		char detail[128];
		json_t *rec;

		if (torn && bad_last)
			snprintf(detail, sizeof(detail),
				 "skipped a torn last line (%zu bytes)", torn);
		else if (torn)
			snprintf(detail, sizeof(detail),
				 "ended a last record that lacked its newline");
		else
			snprintf(detail, sizeof(detail),
				 "skipped a last line that is not a record");
		rec = json_pack("{s:s, s:s}", "kind", "recovered", "detail",
				detail);
		log_warnx("journal '%s': %s", j->path, detail);
		error = append_locked(j, rec);
		json_decref(rec);
	}
	return error;
}

/* rec: kind and fields; seq, time and time_nano (unless rec has one)
 * are put first. */
static int append_locked(struct journal *j, json_t *rec)
{
	json_t *line = NULL;
	char *text = NULL;
	char when[32];
	long long nano = journal_time(rec);
	size_t len;
	bool written = false;
	int error = -1;

	if (!nano)
		nano = journal_now_nano();
	journal_format_time(when, nano);
	line = json_pack("{s:I, s:s, s:I}", "seq", (json_int_t)(j->seq + 1),
			 "time", when, "time_nano", (json_int_t)nano);
	if (!line || json_object_update_missing(line, rec) < 0) {
		error = err_set(MOOR_ERR, "cannot build a journal record");
		goto cleanup;
	}
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text) {
		error = err_set(MOOR_ERR, "cannot encode a journal record");
		goto cleanup;
	}
	len = strlen(text);
	if (len + 1 > JOURNAL_MAX_LINE) {
		error = err_set(MOOR_ELIMIT,
				"journal record of %zu bytes is over the limit "
				"of %u",
				len, JOURNAL_MAX_LINE);
		goto cleanup;
	}
	text[len] = '\n'; /* one write() for the whole line */
	if (j->size > 0 && (size_t)j->size + len + 1 > j->rotate_size &&
	    (error = journal_rotate(j)) < 0)
		goto cleanup;
	error = write_all(j, text, len + 1, &written);
	/* A line in the file used its seq, synced or not. */
	if (written)
		j->seq++;
	if (error < 0)
		goto cleanup;
	error = 0;
cleanup:
	free(text);
	json_decref(line);
	return error;
}

/* Lock both ways, catch up, append, unlock. */
static int journal_append(struct journal *j, json_t *rec)
{
	int error = -1;

	pthread_mutex_lock(&j->lock);
	if (flock(j->lock_fd, LOCK_EX) < 0) {
		error = err_set_errno(
		    MOOR_EIO, "cannot lock the journal in '%s'", j->dir);
		goto cleanup;
	}
	if ((error = journal_sync(j, false)) == 0)
		error = append_locked(j, rec);
	flock(j->lock_fd, LOCK_UN);
cleanup:
	pthread_mutex_unlock(&j->lock);
	return error;
}

int journal_open(struct journal **out, const char *state_dir)
{
	struct journal *j = NULL;
	char *lock_path = NULL;
	bool locked = false;
	int error = -1;

	j = xcalloc(1, sizeof(*j));
	j->fd = -1;
	j->lock_fd = -1;
	j->rotate_size = JOURNAL_ROTATE_SIZE;
	pthread_mutex_init(&j->lock, NULL);
	j->dir = xasprintf("%s/journal", state_dir);
	j->path = journal_file(j->dir, 0);
	if ((error = mkdir_p(j->dir)) < 0)
		goto cleanup;
	lock_path = xasprintf("%s/lock", j->dir);
	j->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->lock_fd < 0) {
		error = err_set_errno(MOOR_EIO, "cannot open '%s'", lock_path);
		goto cleanup;
	}
	if (flock(j->lock_fd, LOCK_EX) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot lock '%s'", lock_path);
		goto cleanup;
	}
	locked = true;
	if ((error = journal_reopen(j)) < 0 ||
	    (error = journal_sync(j, true)) < 0)
		goto cleanup;
	flock(j->lock_fd, LOCK_UN);
	locked = false;
	*out = j;
	j = NULL;
	error = 0;
cleanup:
	if (locked)
		flock(j->lock_fd, LOCK_UN);
	free(lock_path);
	journal_close(j);
	return error;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (journal_default() == j)
		journal_set_default(NULL);
	if (j->fd >= 0)
		close(j->fd);
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	journal_own_release(j);
	pthread_mutex_destroy(&j->lock);
	free(j->dir);
	free(j->path);
	free(j);
}

static void set_str(json_t *rec, const char *key, const char *value)
{
	if (value && *value)
		json_object_set_new(rec, key, json_string(value));
}

int journal_action(struct journal *j, const char *unit, const char *service,
		   const char *container, const char *action,
		   const char *detail)
{
	long long nano = journal_now_nano();
	json_t *rec = NULL;
	int error = -1;

	if (!j)
		return 0;
	rec = json_pack("{s:s}", "kind", "action");
	json_object_set_new(rec, "time_nano", json_integer(nano));
	set_str(rec, "unit", unit);
	set_str(rec, "service", service);
	set_str(rec, "container", container);
	set_str(rec, "action", action);
	set_str(rec, "detail", detail);
	json_object_set_new(rec, "pid", json_integer(getpid()));
	/* In memory first: the event may come back before append returns. */
	pthread_mutex_lock(&j->lock);
	journal_own_add(j, nano, container, action);
	pthread_mutex_unlock(&j->lock);
	error = journal_append(j, rec);
	if (error < 0)
		/* The change goes on; only its audit trail is poorer. */
		log_warnx("cannot journal action '%s' on '%s': %s", action,
			  container ? container : "?", err_last());
	json_decref(rec);
	return error;
}

/* Docker's key=value attributes: labels and a few of its own (name,
 * image, exitCode, execID). Env never comes in an event, but a label can
 * carry anything: secret-looking keys are dropped. */
static json_t *event_attributes(const json_t *attrs)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)attrs, key, v)
	{
		const char *s = json_string_value(v);

		if (!s || finding_key_is_secret(key) ||
		    !strncasecmp(key, "env", 3))
			continue;
		if (++n > JOURNAL_MAX_ATTRS)
			break;
		json_object_set_new(
		    out, key,
		    json_stringn(s, strnlen(s, JOURNAL_MAX_ATTR_VALUE)));
	}
	return out;
}

/* Event time in nanoseconds (timeNano, else time, else now). */
static long long event_nano(const json_t *event)
{
	long long t = json_integer_value(json_object_get(event, "timeNano"));

	if (t > 0 && t <= JOURNAL_MAX_NANO)
		return t;
	t = json_integer_value(json_object_get(event, "time"));
	if (t > 0 && t <= JOURNAL_MAX_NANO / JOURNAL_NS)
		return t * JOURNAL_NS;
	return journal_now_nano();
}

/* Events that report a state or a read, not a change of the container:
 * nobody is to be found for them. */
static bool action_is_change(const char *action)
{
	static const char *const quiet[] = {
	    "health_status", "exec_create", "exec_die", "exec_detach",
	    "attach",	     "detach",	    "resize",	"top",
	    "archive-path",  "export",	    "commit",
	};

	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (!strcmp(action, quiet[i]))
			return false;
	return true;
}

/* The record of an event; *key and the verdict are filled in. */
static json_t *event_record(const json_t *event, const char *unit,
			    char **action_out, const char **id_out,
			    const char **name_out)
{
	const json_t *actor = json_object_get(event, "Actor");
	const json_t *attrs = json_object_get(actor, "Attributes");
	const char *type = journal_str(event, "Type");
	const char *raw = journal_str(event, "Action");
	const char *colon = raw ? strstr(raw, ": ") : NULL;
	char *action;
	json_t *rec;

	if (!raw)
		raw = journal_str(event, "status");
	action = colon ? xstrndup(raw, (size_t)(colon - raw))
		       : xstrdup(raw ? raw : "?");
	rec = json_pack("{s:s}", "kind", "event");
	json_object_set_new(rec, "time_nano", json_integer(event_nano(event)));
	set_str(rec, "type", type && *type ? type : "container");
	set_str(rec, "unit", unit ? unit : journal_str(attrs, LABEL_UNIT));
	set_str(rec, "project", journal_str(attrs, LABEL_PROJECT));
	set_str(rec, "service", journal_str(attrs, LABEL_SERVICE));
	set_str(rec, "container", journal_str(actor, "ID"));
	set_str(rec, "name", journal_str(attrs, "name"));
	set_str(rec, "action", action);
	if (colon && !strncmp(action, "exec_", 5)) {
		/* A command line may carry a password: only when it does not
		 * look like it. */
		const char *cmd = colon + 2;

		if (finding_key_is_secret(cmd))
			set_str(rec, "command", "(not shown: looks secret)");
		else
			json_object_set_new(
			    rec, "command",
			    json_stringn(cmd,
					 strnlen(cmd, JOURNAL_MAX_COMMAND)));
	} else if (colon) {
		set_str(rec, "detail", colon + 2);
	}
	json_object_set_new(rec, "attributes", event_attributes(attrs));
	*action_out = action;
	*id_out = journal_str(actor, "ID");
	*name_out = journal_str(attrs, "name");
	return rec;
}

int journal_event_unit(struct journal *j, const json_t *event, const char *unit,
		       bool *outside_out)
{
	const char *id = NULL, *name = NULL, *type;
	char *action = NULL;
	json_t *rec = NULL;
	long long nano;
	uint64_t key;
	bool outside = false;
	int error = -1;

	if (!json_is_object(event))
		return err_set(MOOR_EINVAL, "a docker event is not an object");
	rec = event_record(event, unit, &action, &id, &name);
	nano = journal_int(rec, "time_nano");
	type = journal_str(rec, "type");
	if (!type)
		type = "container";
	key = journal_event_key(nano, id, action);

	pthread_mutex_lock(&j->lock);
	if (journal_seen(j, key)) {
		pthread_mutex_unlock(&j->lock);
		error = 1;
		goto cleanup;
	}
	/* Only container events are judged: network events of a connect
	 * carry the network as their actor. */
	if (!strcmp(type, "container") && action_is_change(action))
		outside = !journal_own_match(j, nano, id, name, action);
	pthread_mutex_unlock(&j->lock);

	json_object_set_new(rec, "outside_mooring", json_boolean(outside));
	error = journal_append(j, rec);
	if (error == MOOR_ELIMIT) {
		/* Pathological labels: the event without them. */
		json_object_set_new(rec, "attributes", json_object());
		json_object_set_new(rec, "attributes_dropped", json_true());
		error = journal_append(j, rec);
	}
	if (error < 0)
		goto cleanup;
	pthread_mutex_lock(&j->lock);
	journal_seen_add(j, key);
	if (nano > j->last_event_nano)
		j->last_event_nano = nano;
	pthread_mutex_unlock(&j->lock);
	if (outside_out)
		*outside_out = outside;
	error = 0;
cleanup:
	free(action);
	json_decref(rec);
	return error;
}

int journal_event(struct journal *j, const json_t *event, bool *outside_out)
{
	return journal_event_unit(j, event, NULL, outside_out);
}

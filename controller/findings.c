/*
 * findings.c - the findings store (findings.h): fingerprints, stable ids,
 * the lifecycle of <state_dir>/findings/<unit>.json, listing and looking
 * records up; and the file helpers findings_accept.c shares
 * (findings_int.h).
 *
 * A record is found again by its key, never by its id: the id carries
 * the date of first detection and is only a name. Two records may share
 * a key (one resolved, a new one open when the divergence came back);
 * only one is ever open. Ids are unique in a store: a new record whose
 * "drift-<date>-<key>" is taken (resolved and back the same day) gets a
 * suffix "-2", "-3"... findings_assign_ids() computes the same id a pass
 * of findings_update_at() would give, so `mooring plan` and `mooring run`
 * agree on it.
 */
#include "findings.h"
#include "findings_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "digest.h"
#include "err.h"
#include "finding.h"
#include "path.h"
#include "policy.h"
#include "state.h"
#include "units.h"
#include "xalloc.h"

#include "banned.h"

#define FINDINGS_DIR  "findings"
#define FINDINGS_LOCK ".lock"
#define FINDINGS_DAY  86400

/* ---- files, lock, times (findings_int.h) ----------------------------- */

int findings_read_json(json_t **out, const char *path)
{
	struct buf b = BUF_INIT(FINDINGS_MAX_FILE);
	json_error_t jerr;
	json_t *doc = NULL;
	int error = -1;

	if ((error = buf_read_file(&b, path)) < 0)
		goto cleanup;
	doc = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		error = err_set(MOOR_EINVAL, "%s:%d:%d: %s", path, jerr.line,
				jerr.column, jerr.text);
		goto cleanup;
	}
	if (!json_is_object(doc)) {
		error = err_set(MOOR_EINVAL, "'%s' is not a JSON object", path);
		goto cleanup;
	}
	*out = doc;
	doc = NULL;
	error = 0;
cleanup:
	json_decref(doc);
	buf_release(&b);
	return error;
}

int findings_write_json(const char *path, const json_t *doc)
{
	char *text = NULL, *dir = path_dirname(path);
	size_t len;
	int error = -1;

	if ((error = state_mkdirs(dir)) < 0)
		goto cleanup;
	text = json_dumps(doc, JSON_INDENT(2));
	if (!text) {
		error = err_set(MOOR_ERR, "cannot encode '%s'", path);
		goto cleanup;
	}
	len = strlen(text);
	/* Never write what the next read would refuse. */
	if (len + 1 > FINDINGS_MAX_FILE) {
		error = err_set(MOOR_ELIMIT,
				"'%s' would be too large (%zu bytes, limit %u)",
				path, len + 1, FINDINGS_MAX_FILE);
		goto cleanup;
	}
	text[len] = '\n'; /* in place of the NUL: the length is known */
	error = state_write_atomic(path, text, len + 1);
cleanup:
	free(text);
	free(dir);
	return error;
}

int findings_lock(int *fd_out, const char *state_dir)
{
	char *dir = xasprintf("%s/" FINDINGS_DIR, state_dir);
	char *path = xasprintf("%s/" FINDINGS_LOCK, dir);
	int fd = -1, error = -1;

	if ((error = state_mkdirs(dir)) < 0)
		goto cleanup;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		error = err_set_errno(MOOR_EIO, "cannot open '%s'", path);
		goto cleanup;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			error =
			    err_set_errno(MOOR_EIO, "cannot lock '%s'", path);
			goto cleanup;
		}
	}
	*fd_out = fd;
	fd = -1;
	error = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	free(path);
	free(dir);
	return error;
}

void findings_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

time_t findings_parse_time(const char *s)
{
	return s ? policy_parse_time(s) : (time_t)-1;
}

json_t *findings_time_json(time_t t)
{
	char text[32];

	finding_format_time(text, t);
	return json_string(text);
}

/* A name fit for a JSON string, or NULL. */
static const char *findings_user_name(const char *s)
{
	json_t *j;

	if (!s || !*s || strlen(s) > 256)
		return NULL;
	j = json_string(s); /* NULL when not UTF-8 */
	if (!j)
		return NULL;
	json_decref(j);
	return s;
}

char *findings_user(void)
{
	const char *s = findings_user_name(getenv("SUDO_USER"));

	if (!s)
		s = findings_user_name(getenv("USER"));
	if (s)
		return xstrdup(s);
	return xasprintf("uid %ld", (long)getuid());
}

void findings_record_resolve(json_t *rec, time_t now, const char *resolution)
{
	time_t detected = findings_parse_time(
	    json_string_value(json_object_get(rec, "detected_at")));
	long long ttr =
	    detected < 0 || now < detected ? 0 : (long long)(now - detected);

	json_object_set_new(rec, "status", json_string("resolved"));
	json_object_set_new(rec, "resolved_at", findings_time_json(now));
	json_object_set_new(rec, "time_to_resolve_s", json_integer(ttr));
	json_object_set_new(rec, "resolution", json_string(resolution));
}

/* ---- the store ------------------------------------------------------- */

static int findings_store_path(char **out, const char *state_dir,
			       const char *unit)
{
	if (!unit || !unit_name_valid(unit))
		return err_set(MOOR_EINVAL, "invalid unit name '%s'",
			       unit ? unit : "");
	*out = xasprintf("%s/" FINDINGS_DIR "/%s.json", state_dir, unit);
	return 0;
}

static const char *findings_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* What a record must hold for the lifecycle to work on it. */
static int findings_check_record(const json_t *rec, const char *path, size_t i)
{
	const char *status = findings_str(rec, "status");
	const char *why = NULL;

	if (!json_is_object(rec))
		why = "not an object";
	else if (!findings_str(rec, "key"))
		why = "no 'key'";
	else if (!findings_str(rec, "id") || !*findings_str(rec, "id"))
		why = "no 'id'";
	else if (!status ||
		 (strcmp(status, "open") && strcmp(status, "resolved")))
		why = "'status' is neither open nor resolved";
	else if (findings_parse_time(findings_str(rec, "detected_at")) < 0)
		why = "'detected_at' is not a time";
	else if (!json_is_object(json_object_get(rec, "finding")))
		why = "no 'finding' object";
	if (why)
		return err_set(MOOR_EINVAL, "'%s': record %zu: %s", path, i,
			       why);
	return 0;
}

int findings_unit_doc_load(json_t **out, const char *path, const char *unit,
			   const char *list, const char *what,
			   int (*check)(const json_t *e, const char *path,
					size_t i))
{
	json_t *doc = NULL, *items, *e;
	const char *named;
	size_t i;
	int error;

	error = findings_read_json(&doc, path);
	if (error == MOOR_ENOTFOUND) {
		err_clear();
		*out = json_pack("{s:s, s:[]}", "unit", unit, list);
		return 0;
	}
	if (error < 0)
		return error;
	named = findings_str(doc, "unit");
	if (!named || strcmp(named, unit)) {
		error = err_set(MOOR_EINVAL, "'%s' is not the %s of unit '%s'",
				path, what, unit);
		goto cleanup;
	}
	items = json_object_get(doc, list);
	if (!json_is_array(items)) {
		error = err_set(MOOR_EINVAL, "'%s': '%s' is not a list", path,
				list);
		goto cleanup;
	}
	json_array_foreach(items, i, e)
	{
		if ((error = check(e, path, i)) < 0)
			goto cleanup;
	}
	*out = doc;
	doc = NULL;
	error = 0;
cleanup:
	json_decref(doc);
	return error;
}

int findings_store_load(json_t **out, const char *state_dir, const char *unit)
{
	char *path = NULL;
	int error;

	if ((error = findings_store_path(&path, state_dir, unit)) < 0)
		return error;
	error = findings_unit_doc_load(out, path, unit, "records", "findings",
				       findings_check_record);
	free(path);
	return error;
}

int findings_store_save(const char *state_dir, const char *unit,
			const json_t *store)
{
	char *path = NULL;
	int error;

	if ((error = findings_store_path(&path, state_dir, unit)) < 0)
		return error;
	error = findings_write_json(path, store);
	free(path);
	return error;
}

/* ---- keys and ids ---------------------------------------------------- */

static int findings_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void findings_key(char out[13], const json_t *finding, const char *unit)
{
	const json_t *changes = json_object_get(finding, "changes"), *ch;
	struct buf b = BUF_INIT(BUF_UNBOUNDED);
	const char **paths = NULL;
	const char *s;
	size_t i, n = 0;
	char hex[65];

	s = findings_str(finding, "service");
	buf_printf(&b, "%s\n%s\n", unit ? unit : "", s ? s : "-");
	s = findings_str(finding, "relationship");
	buf_printf(&b, "%s\n", s ? s : "");
	s = findings_str(finding, "class");
	buf_printf(&b, "%s\n", s ? s : "");
	json_array_foreach(changes, i, ch)
	{
		if (!(s = findings_str(ch, "path")))
			continue;
		paths = xreallocarray(paths, n + 1, sizeof(*paths));
		paths[n++] = s;
	}
	if (n)
		qsort(paths, n, sizeof(*paths), findings_strcmp);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "\n" : "", paths[i]);
	if (!n && (s = findings_str(finding, "container")))
		buf_adds(&b, s);
	if (digest_sha256_hex(hex, buf_cstr(&b), b.len) < 0) {
		/* Only a broken libcrypto gets here: one key for all rather
		 * than none. */
		err_clear();
		memset(hex, '0', 12);
	}
	memcpy(out, hex, 12);
	out[12] = '\0';
	free(paths);
	buf_release(&b);
}

static bool findings_id_taken(const json_t *records, const char *id)
{
	const json_t *rec;
	size_t i;

	json_array_foreach(records, i, rec)
	{
		const char *other = findings_str(rec, "id");

		if (other && !strcmp(other, id))
			return true;
	}
	return false;
}

/* "drift-<yyyymmdd of t>-<key>", made unique in records. */
static void findings_new_id(char out[64], const json_t *records,
			    const char *key, time_t t)
{
	char day[16];
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	snprintf(out, 64, "drift-%s-%s", day, key);
	for (unsigned n = 2; findings_id_taken(records, out); n++)
		snprintf(out, 64, "drift-%s-%s-%u", day, key, n);
}

/* The open record with this key, borrowed; NULL when none. */
static json_t *findings_open_record(const json_t *records, const char *key)
{
	json_t *rec;
	size_t i;

	json_array_foreach(records, i, rec)
	{
		const char *k = findings_str(rec, "key");
		const char *st = findings_str(rec, "status");

		if (k && st && !strcmp(k, key) && !strcmp(st, "open"))
			return rec;
	}
	return NULL;
}

/* The finding takes the record's name and age. */
static void findings_name(json_t *finding, const json_t *rec)
{
	json_object_set_new(finding, "id",
			    json_string(findings_str(rec, "id")));
	json_object_set(finding, "detected_at",
			json_object_get(rec, "detected_at"));
}

int findings_assign_ids(json_t *findings, const char *state_dir,
			const char *unit)
{
	json_t *store = NULL, *records, *f;
	size_t i;
	int error = -1;

	if (!json_is_array(findings)) {
		error = err_set(MOOR_EINVAL, "findings are not a list");
		goto cleanup;
	}
	if ((error = findings_store_load(&store, state_dir, unit)) < 0)
		goto cleanup;
	records = json_object_get(store, "records");
	json_array_foreach(findings, i, f)
	{
		char key[13], id[64];
		const json_t *rec;
		time_t t;

		if (!json_is_object(f))
			continue;
		findings_key(key, f, unit);
		if ((rec = findings_open_record(records, key))) {
			findings_name(f, rec);
			continue;
		}
		/* Not recorded yet: the id the next recording pass gives it
		 * (the same day). */
		t = findings_parse_time(findings_str(f, "detected_at"));
		if (t < 0) {
			t = time(NULL);
			json_object_set_new(f, "detected_at",
					    findings_time_json(t));
		}
		findings_new_id(id, records, key, t);
		json_object_set_new(f, "id", json_string(id));
	}
	error = 0;
cleanup:
	json_decref(store);
	return error;
}

/* ---- the lifecycle --------------------------------------------------- */

/*
 * The earliest time of the finding's audit events from outside mooring;
 * -1 when none. mooring's own create and start of the container are in
 * the trail too, and they are not the change: counting them would make
 * time_to_detect_s the age of the container.
 */
static time_t findings_changed_at(const json_t *finding)
{
	const json_t *events =
	    json_object_get(json_object_get(finding, "audit"), "events");
	const json_t *ev;
	time_t first = -1;
	size_t i;

	json_array_foreach(events, i, ev)
	{
		time_t t = findings_parse_time(findings_str(ev, "time"));

		if (!json_is_true(json_object_get(ev, "outside_mooring")))
			continue;
		if (t >= 0 && (first < 0 || t < first))
			first = t;
	}
	return first;
}

static json_t *findings_record_new(const char *key, const char *id, time_t now,
				   const json_t *finding)
{
	time_t changed = findings_changed_at(finding);
	json_t *rec = json_object();

	json_object_set_new(rec, "key", json_string(key));
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "status", json_string("open"));
	json_object_set_new(rec, "detected_at", findings_time_json(now));
	json_object_set_new(rec, "changed_at",
			    changed >= 0 ? findings_time_json(changed)
					 : json_null());
	json_object_set_new(rec, "last_seen_at", findings_time_json(now));
	json_object_set_new(rec, "resolved_at", json_null());
	/* A clock that disagrees with the daemon's must not make it
	 * negative. */
	json_object_set_new(rec, "time_to_detect_s",
			    changed < 0 ? json_null()
			    : changed > now
				? json_integer(0)
				: json_integer((json_int_t)(now - changed)));
	json_object_set_new(rec, "time_to_resolve_s", json_null());
	json_object_set_new(rec, "resolution", json_null());
	json_object_set_new(rec, "finding", json_deep_copy(finding));
	return rec;
}

/*
 * The record with this key resolved by `mooring accept` at or after
 * observed_at, borrowed; NULL when none. The plan that found the
 * divergence read the host before the acceptance: its finding is stale,
 * and the next plan, which sees the accepted value, decides.
 */
static json_t *findings_accepted_since(const json_t *records, const char *key,
				       time_t observed_at)
{
	json_t *rec;
	size_t i;

	json_array_foreach(records, i, rec)
	{
		const char *k = findings_str(rec, "key");
		const char *how = findings_str(rec, "resolution");
		time_t at =
		    findings_parse_time(findings_str(rec, "resolved_at"));

		if (k && how && !strcmp(k, key) && !strcmp(how, "accepted") &&
		    at >= 0 && at >= observed_at)
			return rec;
	}
	return NULL;
}

/* Record one finding of the pass: refresh its open record, or open one
 * (appended to opened) unless it was accepted since the plan read the
 * host. seen gets the open record's id. */
static void findings_record_seen(json_t *records, json_t *seen, json_t *opened,
				 json_t *f, const char *unit, time_t now,
				 time_t observed_at)
{
	char key[13], id[64];
	json_t *rec;

	findings_key(key, f, unit);
	rec = findings_open_record(records, key);
	if (!rec &&
	    (rec = findings_accepted_since(records, key, observed_at))) {
		/* Named after the accepted record, which stays as it is:
		 * the id names a record of the store, as every id does. */
		findings_name(f, rec);
		return;
	}
	if (rec) {
		findings_name(f, rec);
		json_object_set_new(rec, "last_seen_at",
				    findings_time_json(now));
		json_object_set_new(rec, "finding", json_deep_copy(f));
	} else {
		findings_new_id(id, records, key, now);
		json_object_set_new(f, "id", json_string(id));
		json_object_set_new(f, "detected_at", findings_time_json(now));
		rec = findings_record_new(key, id, now, f);
		json_array_append_new(records, rec);
		json_array_append(opened, rec);
	}
	json_object_set_new(seen, findings_str(rec, "id"), json_true());
}

/* Resolved long enough ago to be forgotten? */
static bool findings_expired(const json_t *rec, time_t now)
{
	time_t at;

	if (strcmp(findings_str(rec, "status"), "resolved"))
		return false;
	at = findings_parse_time(findings_str(rec, "resolved_at"));
	return at < 0 || (long long)(now - at) >
			     (long long)FINDINGS_KEEP_RESOLVED * FINDINGS_DAY;
}

int findings_update_at(json_t *findings, const char *state_dir,
		       const char *unit, time_t now, time_t observed_at,
		       json_t **opened_out, json_t **resolved_out)
{
	json_t *store = NULL, *records, *kept = json_array();
	json_t *resolved = json_array(), *opened = json_array();
	json_t *seen = json_object(), *f, *rec;
	size_t i;
	int fd = -1, error = -1;

	if (!json_is_array(findings)) {
		error = err_set(MOOR_EINVAL, "findings are not a list");
		goto cleanup;
	}
	if (!unit || !unit_name_valid(unit)) {
		error = err_set(MOOR_EINVAL, "invalid unit name '%s'",
				unit ? unit : "");
		goto cleanup;
	}
	if ((error = findings_lock(&fd, state_dir)) < 0 ||
	    (error = findings_store_load(&store, state_dir, unit)) < 0)
		goto cleanup;
	records = json_object_get(store, "records");
	json_array_foreach(findings, i, f)
	{
		if (json_is_object(f))
			findings_record_seen(records, seen, opened, f, unit,
					     now, observed_at);
	}
	json_array_foreach(records, i, rec)
	{
		const char *id = findings_str(rec, "id");

		if (!strcmp(findings_str(rec, "status"), "open") &&
		    !json_object_get(seen, id)) {
			findings_record_resolve(rec, now, "gone");
			json_array_append_new(resolved, json_deep_copy(rec));
		}
		if (!findings_expired(rec, now))
			json_array_append(kept, rec);
	}
	json_object_set(store, "records", kept);
	if ((error = findings_store_save(state_dir, unit, store)) < 0)
		goto cleanup;
	if (opened_out) {
		*opened_out = opened;
		opened = NULL;
	}
	if (resolved_out) {
		*resolved_out = resolved;
		resolved = NULL;
	}
	error = 0;
cleanup:
	findings_unlock(fd);
	json_decref(store);
	json_decref(kept);
	json_decref(opened);
	json_decref(resolved);
	json_decref(seen);
	return error;
}

int findings_update(json_t *findings, const char *state_dir, const char *unit,
		    time_t now, json_t **resolved_out)
{
	return findings_update_at(findings, state_dir, unit, now, now, NULL,
				  resolved_out);
}

/* ---- reading --------------------------------------------------------- */

/* The unit of "<unit>.json", or NULL for any other entry. */
static char *findings_unit_of(const char *file)
{
	size_t n = strlen(file);
	char *unit;

	if (n <= 5 || strcmp(file + n - 5, ".json"))
		return NULL;
	unit = xstrndup(file, n - 5);
	if (!unit_name_valid(unit)) {
		free(unit);
		return NULL;
	}
	return unit;
}

/* The unit names with a findings file, sorted. */
static int findings_units(char ***out, size_t *nout, const char *state_dir)
{
	char *dir = xasprintf("%s/" FINDINGS_DIR, state_dir);
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int error = -1;

	if (!d && errno != ENOENT) {
		error = err_set_errno(MOOR_EIO, "cannot read '%s'", dir);
		goto cleanup;
	}
	while (d && (de = readdir(d))) {
		char *unit = findings_unit_of(de->d_name);

		if (!unit)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = unit;
	}
	if (n)
		qsort(names, n, sizeof(*names), findings_strcmp);
	*out = names;
	*nout = n;
	error = 0;
cleanup:
	if (d)
		closedir(d);
	free(dir);
	return error;
}

static int findings_record_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a;
	const json_t *y = *(const json_t *const *)b;
	int c = strcmp(findings_str(x, "unit"), findings_str(y, "unit"));
	time_t tx, ty;

	if (c)
		return c;
	tx = findings_parse_time(findings_str(x, "detected_at"));
	ty = findings_parse_time(findings_str(y, "detected_at"));
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(findings_str(x, "id"), findings_str(y, "id"));
}

int findings_list(json_t **out, const char *state_dir, bool open_only)
{
	json_t **all = NULL, *list = NULL, *store = NULL, *rec;
	char **units = NULL;
	size_t nunits = 0, n = 0, i;
	int error = -1;

	if ((error = findings_units(&units, &nunits, state_dir)) < 0)
		goto cleanup;
	for (size_t u = 0; u < nunits; u++) {
		json_decref(store);
		store = NULL;
		if ((error = findings_store_load(&store, state_dir, units[u])) <
		    0)
			goto cleanup;
		json_array_foreach(json_object_get(store, "records"), i, rec)
		{
			json_t *copy;

			if (open_only &&
			    strcmp(findings_str(rec, "status"), "open"))
				continue;
			/* The unit first, then the record as stored. */
			copy = json_pack("{s:s}", "unit", units[u]);
			json_object_update(copy, rec);
			/* The file names the unit: a "unit" key in a record
			 * edited by hand (of any type) must not rename it,
			 * nor leave the sort without a string. Set again, it
			 * stays the first key. */
			json_object_set_new(copy, "unit",
					    json_string(units[u]));
			all = xreallocarray(all, n + 1, sizeof(*all));
			all[n++] = copy;
		}
	}
	if (n)
		qsort(all, n, sizeof(*all), findings_record_cmp);
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, all[i]);
	n = 0;
	*out = list;
	error = 0;
cleanup:
	for (i = 0; i < n; i++)
		json_decref(all[i]);
	free(all);
	json_decref(store);
	for (i = 0; i < nunits; i++)
		free(units[i]);
	free(units);
	return error;
}

int findings_find(json_t **out, const char *state_dir, const char *id)
{
	json_t *all = NULL, *rec;
	size_t i;
	int error = -1;

	if (!id || !*id)
		return err_set(MOOR_EINVAL, "empty finding id");
	if ((error = findings_list(&all, state_dir, false)) < 0)
		goto cleanup;
	json_array_foreach(all, i, rec)
	{
		if (!strcmp(findings_str(rec, "id"), id)) {
			*out = json_incref(rec);
			error = 0;
			goto cleanup;
		}
	}
	error = err_set(MOOR_ENOTFOUND, "unknown finding '%s'", id);
cleanup:
	json_decref(all);
	return error;
}

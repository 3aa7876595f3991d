/*
 * findings_accept.c - what people decide about findings (findings.h):
 * `mooring accept` (the finding's runtime values become accepted, in
 * accepted/<unit>.json, and the record is resolved), whether an accepted
 * value still covers a change, and the exceptions `mooring exception
 * add` keeps in exceptions.json.
 *
 * Both commands journal what they do before they write it, as apply
 * journals an action before the engine call: the audit trail never
 * misses a decision that took effect. Each read-modify-write holds the
 * findings lock (findings_int.h) against `mooring run` rewriting the same
 * files.
 */
#include "findings.h"
#include "findings_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "err.h"
#include "journal.h"
#include "units.h"
#include "xalloc.h"

#include "banned.h"

#define FINDINGS_ACCEPTED_DIR "accepted"
#define FINDINGS_EXCEPTIONS   "exceptions.json"
/* A reason is a sentence or two, an incident an id from a ticket
 * system: anything longer is a mistake (a file pasted in). */
#define FINDINGS_MAX_REASON   1024
#define FINDINGS_MAX_INCIDENT 128
#define FINDINGS_SERVICES     "/services/"

struct findings_accepted_entry {
	char *path;
	char actual_hash[65];
	char desired_hash[65];
};

struct findings_accepted {
	struct findings_accepted_entry *items;
	size_t n;
};

static const char *fa_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * A piece of text a person gave (a reason, an incident id): one line of
 * valid UTF-8 of at most max bytes; with required, not blank either.
 */
static int fa_check_text(const char *what, const char *s, size_t max,
			 bool required)
{
	bool blank = true;
	json_t *j;

	if (!s)
		s = "";
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(MOOR_EINVAL,
				       "%s must be one line of text without "
				       "control characters",
				       what);
		if (*p != ' ')
			blank = false;
	}
	if (required && blank)
		return err_set(MOOR_EINVAL, "%s must not be empty", what);
	if (strlen(s) > max)
		return err_set(MOOR_EINVAL,
			       "%s is too long (%zu bytes, limit %zu)", what,
			       strlen(s), max);
	j = json_string(s);
	if (!j)
		return err_set(MOOR_EINVAL, "%s is not valid UTF-8", what);
	json_decref(j);
	return 0;
}

/* Is s a lowercase sha256 hex? */
static bool fa_is_hash(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		      (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 64;
}

void findings_value_hash(char out[65], const json_t *v)
{
	char *text =
	    json_dumps(v ? v : json_null(),
		       JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);

	if (!text || digest_sha256_hex(out, text, strlen(text)) < 0) {
		/* Nothing a finding holds fails to encode, and only a broken
		 * libcrypto fails to hash: such a value matches nothing
		 * (a hash is never all zeroes in the file). */
		err_clear();
		memset(out, '0', 64);
		out[64] = '\0';
	}
	free(text);
}

/* ---- accepted values ------------------------------------------------- */

static int fa_accepted_path(char **out, const char *state_dir, const char *unit)
{
	if (!unit || !unit_name_valid(unit))
		return err_set(MOOR_EINVAL, "invalid unit name '%s'",
			       unit ? unit : "");
	*out =
	    xasprintf("%s/" FINDINGS_ACCEPTED_DIR "/%s.json", state_dir, unit);
	return 0;
}

/* What an accepted entry must hold for findings_accepted_covers(). */
static int fa_check_entry(const json_t *e, const char *path, size_t i)
{
	if (!fa_str(e, "path") || !fa_is_hash(fa_str(e, "actual_hash")) ||
	    !fa_is_hash(fa_str(e, "desired_hash")))
		return err_set(MOOR_EINVAL,
			       "'%s': entry %zu needs 'path', 'actual_hash' "
			       "and 'desired_hash'",
			       path, i);
	return 0;
}

/* accepted/<unit>.json, checked; {"unit", "accepted": []} when none. */
static int fa_accepted_doc(json_t **out, const char *state_dir,
			   const char *unit)
{
	char *path = NULL;
	int error;

	if ((error = fa_accepted_path(&path, state_dir, unit)) < 0)
		return error;
	error = findings_unit_doc_load(out, path, unit, "accepted",
				       "accepted values", fa_check_entry);
	free(path);
	return error;
}

int findings_accepted_load(struct findings_accepted **out,
			   const char *state_dir, const char *unit)
{
	struct findings_accepted *a = xcalloc(1, sizeof(*a));
	json_t *doc = NULL, *list, *e;
	size_t i;
	int error = -1;

	if ((error = fa_accepted_doc(&doc, state_dir, unit)) < 0)
		goto cleanup;
	list = json_object_get(doc, "accepted");
	if (json_array_size(list))
		a->items = xcalloc(json_array_size(list), sizeof(*a->items));
	json_array_foreach(list, i, e)
	{
		struct findings_accepted_entry *it = &a->items[a->n++];

		it->path = xstrdup(fa_str(e, "path"));
		memcpy(it->actual_hash, fa_str(e, "actual_hash"), 65);
		memcpy(it->desired_hash, fa_str(e, "desired_hash"), 65);
	}
	*out = a;
	a = NULL;
	error = 0;
cleanup:
	findings_accepted_free(a);
	json_decref(doc);
	return error;
}

bool findings_accepted_covers(const struct findings_accepted *a,
			      const char *path, const json_t *desired,
			      const json_t *actual)
{
	char dh[65], ah[65];

	if (!a || !a->n || !path)
		return false;
	findings_value_hash(dh, desired);
	findings_value_hash(ah, actual);
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->items[i].path, path) &&
		    !strcmp(a->items[i].actual_hash, ah) &&
		    !strcmp(a->items[i].desired_hash, dh))
			return true;
	return false;
}

void findings_accepted_free(struct findings_accepted *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->items[i].path);
	free(a->items);
	free(a);
}

/* ---- accept ---------------------------------------------------------- */

/* The service a change path names ("/services/<svc>/..."), new string;
 * NULL when it names none. */
static char *fa_path_service(const char *path)
{
	const char *s, *end;

	if (!path ||
	    strncmp(path, FINDINGS_SERVICES, strlen(FINDINGS_SERVICES)))
		return NULL;
	s = path + strlen(FINDINGS_SERVICES);
	end = strchr(s, '/');
	if (!end || end == s)
		return NULL;
	return xstrndup(s, (size_t)(end - s));
}

/*
 * Why accepted values never cover a finding of this class; NULL when
 * they may. plan_decide.c puts a field an ownership rule or an open
 * exception covers in its bucket before it asks whether the value was
 * accepted, and a policy finding is about the desired state, not a
 * runtime value: accepting one would resolve a record the next pass
 * opens again under a new id.
 */
static const char *fa_class_never_covered(const char *klass)
{
	if (!klass)
		return NULL;
	if (!strcmp(klass, "emergency"))
		return "an open exception already leaves it alone until it "
		       "expires";
	if (!strcmp(klass, "controller_owned"))
		return "an ownership rule of the policy gives the field to "
		       "its owner, who may change it";
	if (!strcmp(klass, "policy"))
		return "a policy finding is about the desired state: fix it "
		       "in git";
	return NULL;
}

/* Does a change carry a value accepted before (plan_decide.c marks
 * it: a waiting deploy would drop it)? */
static bool fa_any_accepted(const json_t *changes)
{
	const json_t *ch;
	size_t i;

	json_array_foreach(changes, i, ch)
	{
		if (json_is_true(json_object_get(ch, "accepted")))
			return true;
	}
	return false;
}

/* Can this open finding be accepted: a runtime value per change, each
 * at a service's field, of a kind accepted values cover? */
static int fa_acceptable(const json_t *rec, const char *id)
{
	const json_t *f = json_object_get(rec, "finding");
	const json_t *changes = json_object_get(f, "changes"), *ch;
	const char *status = fa_str(rec, "status");
	const char *klass = fa_str(f, "class");
	const char *relationship = fa_str(f, "relationship");
	const char *why = fa_class_never_covered(klass);
	size_t i;

	if (strcmp(status, "open"))
		return err_set(
		    MOOR_EINVAL, "finding '%s' is resolved already (%s at %s)",
		    id,
		    fa_str(rec, "resolution") ? fa_str(rec, "resolution")
					      : "resolved",
		    fa_str(rec, "resolved_at") ? fa_str(rec, "resolved_at")
					       : "an unknown time");
	if (klass && (!strcmp(klass, "unmanaged") || !strcmp(klass, "missing")))
		return err_set(MOOR_EINVAL,
			       "finding '%s' is of class '%s': it has no "
			       "runtime value to accept",
			       id, klass);
	if (why)
		return err_set(MOOR_EINVAL, "finding '%s' is of class '%s': %s",
			       id, klass, why);
	/* A conflict is decided before accepted values too (plan_decide.c):
	 * deploying would end the runtime change silently. */
	if (relationship && !strcmp(relationship, "conflict"))
		return err_set(MOOR_EINVAL,
			       "finding '%s' is a conflict: %s; deploy, or "
			       "put the runtime value in git",
			       id,
			       fa_any_accepted(changes)
				   ? "the deploy waiting for the service "
				     "would drop a value accepted before"
				   : "git changed the field too");
	/* The tag resolves to another image than the container runs: the
	 * next deploy recreates it whatever was accepted. */
	if (klass && !strcmp(klass, "dependency") && relationship &&
	    !strcmp(relationship, "actual_vs_desired"))
		return err_set(MOOR_EINVAL,
			       "finding '%s' is a moved tag: the next deploy "
			       "runs the image the tag names now; pin the "
			       "image by digest in git to keep the old one",
			       id);
	if (!json_array_size(changes))
		return err_set(MOOR_EINVAL,
			       "finding '%s' has no changes: no runtime value "
			       "to accept",
			       id);
	json_array_foreach(changes, i, ch)
	{
		char *svc = fa_path_service(fa_str(ch, "path"));

		if (!svc)
			return err_set(MOOR_EINVAL,
				       "finding '%s': change %zu is not at a "
				       "service's field",
				       id, i);
		free(svc);
	}
	return 0;
}

/* The entries of the finding's changes replace those at the same paths. */
static void fa_accept_entries(json_t *list, const json_t *rec,
			      const char *reason, const char *by, time_t now)
{
	const json_t *f = json_object_get(rec, "finding");
	const json_t *ch;
	size_t i;

	json_array_foreach(json_object_get(f, "changes"), i, ch)
	{
		const char *path = fa_str(ch, "path");
		char *svc = fa_path_service(path);
		char ah[65], dh[65];
		json_t *e;

		for (size_t j = json_array_size(list); j-- > 0;)
			if (!strcmp(fa_str(json_array_get(list, j), "path"),
				    path))
				json_array_remove(list, j);
		findings_value_hash(ah, json_object_get(ch, "actual"));
		findings_value_hash(dh, json_object_get(ch, "desired"));
		e = json_object();
		json_object_set_new(e, "finding",
				    json_string(fa_str(rec, "id")));
		json_object_set_new(e, "service",
				    json_string(fa_str(f, "service")
						    ? fa_str(f, "service")
						    : svc));
		json_object_set_new(e, "path", json_string(path));
		json_object_set(e, "actual",
				json_object_get(ch, "actual")
				    ? json_object_get(ch, "actual")
				    : json_null());
		json_object_set_new(e, "actual_hash", json_string(ah));
		json_object_set_new(e, "desired_hash", json_string(dh));
		json_object_set_new(e, "reason", json_string(reason));
		json_object_set_new(e, "by", json_string(by));
		json_object_set_new(e, "time", findings_time_json(now));
		json_array_append_new(list, e);
		free(svc);
	}
}

/* The record with this id in the unit's store, borrowed. */
static json_t *fa_store_record(const json_t *store, const char *id)
{
	json_t *rec;
	size_t i;

	json_array_foreach(json_object_get(store, "records"), i, rec)
	{
		if (!strcmp(fa_str(rec, "id"), id))
			return rec;
	}
	return NULL;
}

int findings_accept(const char *state_dir, const char *id, const char *reason,
		    struct journal *journal, time_t now)
{
	json_t *found = NULL, *store = NULL, *doc = NULL, *rec;
	char *by = NULL, *detail = NULL, *path = NULL;
	const char *unit;
	int fd = -1, error = -1;

	if (!id || !*id) {
		error = err_set(MOOR_EINVAL,
				"accepting needs a finding id (--finding)");
		goto cleanup;
	}
	if ((error = fa_check_text("the reason (--reason)", reason,
				   FINDINGS_MAX_REASON, true)) < 0 ||
	    (error = findings_lock(&fd, state_dir)) < 0)
		goto cleanup;
	error = findings_find(&found, state_dir, id);
	if (error == MOOR_ENOTFOUND)
		error = err_set(MOOR_EINVAL,
				"unknown finding '%s' (see 'mooring findings "
				"--all')",
				id);
	if (error < 0 || (error = fa_acceptable(found, id)) < 0)
		goto cleanup;
	unit = fa_str(found, "unit");
	if ((error = findings_store_load(&store, state_dir, unit)) < 0 ||
	    (error = fa_accepted_doc(&doc, state_dir, unit)) < 0 ||
	    (error = fa_accepted_path(&path, state_dir, unit)) < 0)
		goto cleanup;
	rec = fa_store_record(store, id);
	if (!rec) { /* under the lock, it cannot have gone */
		error = err_set(MOOR_EINVAL, "unknown finding '%s'", id);
		goto cleanup;
	}
	by = findings_user();
	fa_accept_entries(json_object_get(doc, "accepted"), found, reason, by,
			  now);
	findings_record_resolve(rec, now, "accepted");
	detail = xasprintf("%s: %s", id, reason);
	/* The journal first, then the record, then the value: a crash
	 * before the value leaves the divergence unaccepted, and the next
	 * pass opens it again (a person sees it and accepts it again). The
	 * other way round, the record stayed open while the value was
	 * accepted, and the next pass resolved it as "gone". */
	if ((error = journal_action(
		 journal, unit,
		 fa_str(json_object_get(found, "finding"), "service"), NULL,
		 "accept", detail)) < 0 ||
	    (error = findings_store_save(state_dir, unit, store)) < 0 ||
	    (error = findings_write_json(path, doc)) < 0)
		goto cleanup;
	error = 0;
cleanup:
	findings_unlock(fd);
	json_decref(found);
	json_decref(store);
	json_decref(doc);
	free(by);
	free(detail);
	free(path);
	return error;
}

/* ---- exceptions ------------------------------------------------------ */

/* A list of strings (absent: empty); fields must be under a service
 * ("/services/<svc>" or deeper). */
static const char *fa_check_list(const json_t *v, bool fields)
{
	const size_t prefix = strlen(FINDINGS_SERVICES);
	const json_t *s;
	size_t i;

	if (!v)
		return NULL;
	if (!json_is_array(v))
		return fields ? "'fields' is not a list"
			      : "'services' is not a list";
	json_array_foreach(v, i, s)
	{
		const char *str = json_string_value(s);

		if (!str || !*str)
			return fields ? "a field is not a string"
				      : "a service is not a string";
		if (!fields)
			continue;
		if (strncmp(str, FINDINGS_SERVICES, prefix))
			return "a field does not start with '/services/'";
		if (!str[prefix] || str[prefix] == '/')
			return "a field names no service";
	}
	return NULL;
}

/* Why an exception as stored cannot be used; NULL when it can. */
static const char *fa_check_exception(const json_t *e)
{
	const char *why;

	if (!json_is_object(e))
		return "not an object";
	if (!fa_str(e, "incident") || !*fa_str(e, "incident"))
		return "no 'incident'";
	if (!fa_str(e, "unit") || !unit_name_valid(fa_str(e, "unit")))
		return "'unit' is not a unit name";
	if (findings_parse_time(fa_str(e, "expires")) < 0)
		return "'expires' is not a time";
	if ((why = fa_check_list(json_object_get(e, "services"), false)) ||
	    (why = fa_check_list(json_object_get(e, "fields"), true)))
		return why;
	return NULL;
}

/* exceptions.json, checked; {"exceptions": []} when there is none. */
static int fa_exceptions_doc(json_t **out, const char *path)
{
	json_t *doc = NULL, *list, *e;
	const char *why;
	size_t i;
	int error = -1;

	error = findings_read_json(&doc, path);
	if (error == MOOR_ENOTFOUND) {
		err_clear();
		*out = json_pack("{s:[]}", "exceptions");
		return 0;
	}
	if (error < 0)
		goto cleanup;
	list = json_object_get(doc, "exceptions");
	if (!json_is_array(list)) {
		error = err_set(MOOR_EINVAL, "'%s': 'exceptions' is not a list",
				path);
		goto cleanup;
	}
	json_array_foreach(list, i, e)
	{
		if ((why = fa_check_exception(e))) {
			error = err_set(MOOR_EINVAL, "'%s': exception %zu: %s",
					path, i, why);
			goto cleanup;
		}
	}
	*out = doc;
	doc = NULL;
	error = 0;
cleanup:
	json_decref(doc);
	return error;
}

static bool fa_exception_open(const json_t *e, time_t now)
{
	return findings_parse_time(fa_str(e, "expires")) > now;
}

int findings_exceptions_load(json_t **out, const char *state_dir, time_t now)
{
	char *path = xasprintf("%s/" FINDINGS_EXCEPTIONS, state_dir);
	json_t *doc = NULL, *open = NULL, *e;
	size_t i;
	int error = -1;

	if ((error = fa_exceptions_doc(&doc, path)) < 0)
		goto cleanup;
	open = json_array();
	json_array_foreach(json_object_get(doc, "exceptions"), i, e)
	{
		if (fa_exception_open(e, now))
			json_array_append(open, e);
	}
	*out = open;
	open = NULL;
	error = 0;
cleanup:
	json_decref(open);
	json_decref(doc);
	free(path);
	return error;
}

/* An optional string member: absent or null is "". */
static const char *fa_opt_str(const json_t *o, const char *key)
{
	const char *s = fa_str(o, key);

	return s ? s : "";
}

/* The exception as it is stored: the documented keys, checked. */
static int fa_exception_new(json_t **out, const json_t *in, time_t now)
{
	const char *incident = fa_str(in, "incident");
	const char *reason = fa_opt_str(in, "reason");
	const char *why = NULL;
	json_t *services = json_object_get(in, "services");
	json_t *fields = json_object_get(in, "fields");
	char *by = NULL;
	time_t expires;
	int error;

	if (!json_is_object(in))
		return err_set(MOOR_EINVAL, "an exception is an object");
	if ((error = fa_check_text("the incident id", incident,
				   FINDINGS_MAX_INCIDENT, true)) < 0 ||
	    (error = fa_check_text("the reason", reason, FINDINGS_MAX_REASON,
				   false)) < 0)
		return error;
	if (!fa_str(in, "unit") || !unit_name_valid(fa_str(in, "unit")))
		return err_set(MOOR_EINVAL, "invalid unit name '%s'",
			       fa_opt_str(in, "unit"));
	expires = findings_parse_time(fa_str(in, "expires"));
	if (expires < 0)
		return err_set(MOOR_EINVAL,
			       "the expiry '%s' of an exception is not a time",
			       fa_opt_str(in, "expires"));
	if (expires <= now)
		return err_set(MOOR_EINVAL,
			       "the exception for incident '%s' has expired "
			       "already ('%s')",
			       incident, fa_str(in, "expires"));
	if ((why = fa_check_list(services, false)) ||
	    (why = fa_check_list(fields, true)))
		return err_set(MOOR_EINVAL, "exception for incident '%s': %s",
			       incident, why);
	if (fa_str(in, "by") &&
	    !fa_check_text("by", fa_str(in, "by"), 256, true))
		by = xstrdup(fa_str(in, "by"));
	else
		by = findings_user();
	err_clear();
	*out = json_object();
	json_object_set_new(*out, "incident", json_string(incident));
	json_object_set_new(*out, "unit", json_string(fa_str(in, "unit")));
	json_object_set_new(*out, "services",
			    services ? json_deep_copy(services) : json_array());
	json_object_set_new(*out, "fields",
			    fields ? json_deep_copy(fields) : json_array());
	json_object_set_new(*out, "expires", findings_time_json(expires));
	json_object_set_new(*out, "reason", json_string(reason));
	json_object_set_new(*out, "added_at", findings_time_json(now));
	json_object_set_new(*out, "by", json_string(by));
	free(by);
	return 0;
}

int findings_exception_add(const char *state_dir, const json_t *exception,
			   struct journal *journal, time_t now)
{
	char *path = xasprintf("%s/" FINDINGS_EXCEPTIONS, state_dir);
	json_t *doc = NULL, *e = NULL, *kept = NULL, *old;
	char *detail = NULL;
	size_t i;
	int fd = -1, error = -1;

	if ((error = fa_exception_new(&e, exception, now)) < 0 ||
	    (error = findings_lock(&fd, state_dir)) < 0 ||
	    (error = fa_exceptions_doc(&doc, path)) < 0)
		goto cleanup;
	kept = json_array();
	json_array_foreach(json_object_get(doc, "exceptions"), i, old)
	{
		if (fa_exception_open(old, now))
			json_array_append(kept, old);
	}
	json_array_append(kept, e);
	json_object_set(doc, "exceptions", kept);
	detail = xasprintf(
	    "%s until %s: %s", fa_str(e, "incident"), fa_str(e, "expires"),
	    *fa_str(e, "reason") ? fa_str(e, "reason") : "(no reason given)");
	if ((error = journal_action(journal, fa_str(e, "unit"), NULL, NULL,
				    "exception", detail)) < 0 ||
	    (error = findings_write_json(path, doc)) < 0)
		goto cleanup;
	error = 0;
cleanup:
	findings_unlock(fd);
	json_decref(doc);
	json_decref(e);
	json_decref(kept);
	free(detail);
	free(path);
	return error;
}

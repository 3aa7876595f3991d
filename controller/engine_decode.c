/* engine_decode.c - daemon responses and event lines to json_t and errors
 * (see engine_decode.h). */
#include "engine_decode.h"

#include <string.h>

#include "err.h"

#include "banned.h"

int engine_api_version_parse(int *major_out, int *minor_out, const char *s)
{
	int part[2] = {0, 0};
	int i = 0, digits = 0;

	if (!s)
		return MOOR_EINVAL;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 4)
				return MOOR_EINVAL;
			part[i] = part[i] * 10 + (*s - '0');
		} else if (*s == '.' && i == 0 && digits) {
			i = 1;
			digits = 0;
		} else {
			return MOOR_EINVAL;
		}
	}
	if (i != 1 || !digits)
		return MOOR_EINVAL;
	*major_out = part[0];
	*minor_out = part[1];
	return 0;
}

int engine_api_version_cmp(const char *a, const char *b)
{
	int amaj = 0, amin = 0, bmaj = 0, bmin = 0;

	if (engine_api_version_parse(&amaj, &amin, a) < 0 ||
	    engine_api_version_parse(&bmaj, &bmin, b) < 0)
		return a ? (b ? 0 : 1) : -1;
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	return 0;
}

const char *engine_status_text(long status)
{
	static const struct {
		long status;
		const char *text;
	} table[] = {
	    {304, "not modified"},    {400, "bad request"},
	    {401, "unauthorized"},    {403, "forbidden"},
	    {404, "not found"},	      {406, "not acceptable"},
	    {409, "conflict"},	      {500, "server error"},
	    {501, "not implemented"}, {503, "service unavailable"},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].status == status)
			return table[i].text;
	return NULL;
}

/*
 * Copy text from the daemon into dst for an error message: control bytes
 * become spaces (a message must stay one line), trailing space goes, and
 * the cut, if any, does not split a UTF-8 sequence.
 */
static void engine_clean_message(char *dst, size_t dstsize, const char *src,
				 size_t len)
{
	size_t n = len, i;
	bool cut = false;

	if (n > dstsize - 4) {
		n = dstsize - 4;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
		cut = true;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	if (cut) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

static bool engine_status_listed(long status, const int *ok_statuses)
{
	for (; ok_statuses && *ok_statuses; ok_statuses++)
		if (*ok_statuses == status)
			return true;
	return false;
}

static bool engine_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

static int engine_status_error(const char *method, const char *path,
			       long status, const char *body, size_t len)
{
	char msg[ENGINE_MAX_DAEMON_MESSAGE + 4] = "";
	const char *text = engine_status_text(status);
	int code = MOOR_EIO;
	json_t *root = NULL;
	json_t *m;

	if (status == 404)
		code = MOOR_ENOTFOUND;
	else if (status == 409)
		code = MOOR_ECONFLICT;

	if (len && (root = json_loadb(body, len, 0, NULL)) &&
	    json_is_string(m = json_object_get(root, "message")))
		engine_clean_message(msg, sizeof(msg), json_string_value(m),
				     json_string_length(m));
	else if (!root)
		engine_clean_message(msg, sizeof(msg), body ? body : "", len);
	json_decref(root);

	err_set(code, "docker: %s %.*s: %ld%s%s%s%s", method,
		(int)strcspn(path, "?"), path, status, text ? " " : "",
		text ? text : "", *msg ? ": " : "", msg);
	return code;
}

int engine_decode_response(json_t **out, const char *method, const char *path,
			   long status, const char *body, size_t len,
			   const int *ok_statuses)
{
	json_error_t jerr;
	json_t *root = NULL;

	if (status < 200 || status > 299) {
		if (!engine_status_listed(status, ok_statuses))
			return engine_status_error(method, path, status, body,
						   len);
		if (out)
			*out = NULL;
		return 0;
	}
	if (!out)
		return 0;
	if (len && !engine_blank(body, len)) {
		root = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
		if (!root)
			return err_set(MOOR_EIO,
				       "docker: %s %.*s: response is not json: "
				       "%s at byte %d",
				       method, (int)strcspn(path, "?"), path,
				       jerr.text, jerr.position);
	}
	*out = root;
	return 0;
}

void engine_lines_init(struct engine_lines *l, size_t max_line,
		       engine_event_fn cb, void *data)
{
	memset(l, 0, sizeof(*l));
	buf_init(&l->line, max_line);
	l->max_line = max_line;
	l->cb = cb;
	l->data = data;
}

void engine_lines_release(struct engine_lines *l)
{
	buf_release(&l->line);
}

/* One complete line, without its '\n'. */
static int engine_lines_deliver(struct engine_lines *l, const char *s,
				size_t len)
{
	json_error_t jerr;
	json_t *event;
	int rc;

	if (len && s[len - 1] == '\r')
		len--;
	if (engine_blank(s, len))
		return 0;
	event = json_loadb(s, len, 0, &jerr);
	if (!event)
		return err_set(MOOR_EIO,
			       "docker: GET /events: event is not json: %s at "
			       "byte %d",
			       jerr.text, jerr.position);
	if (!json_is_object(event)) {
		json_decref(event);
		return err_set(MOOR_EIO,
			       "docker: GET /events: event is not an object");
	}
	rc = l->cb(l->data, event);
	json_decref(event);
	if (rc) {
		l->stopped = true;
		l->cb_rc = rc;
		return 1;
	}
	return 0;
}

static int engine_lines_too_long(const struct engine_lines *l)
{
	return err_set(MOOR_ELIMIT,
		       "docker: GET /events: event exceeds %zu bytes",
		       l->max_line);
}

int engine_lines_feed(struct engine_lines *l, const char *data, size_t len)
{
	int rc;

	while (len && !l->stopped) {
		const char *nl = memchr(data, '\n', len);
		size_t part = nl ? (size_t)(nl - data) : len;

		if (l->line.len + part > l->max_line)
			return engine_lines_too_long(l);
		if (!nl) {
			if (buf_add(&l->line, data, part) < 0)
				return engine_lines_too_long(l);
			return 0;
		}
		if (l->line.len == 0) {
			/* The common case: a whole line in one piece. */
			rc = engine_lines_deliver(l, data, part);
		} else {
			if (buf_add(&l->line, data, part) < 0)
				return engine_lines_too_long(l);
			rc = engine_lines_deliver(l, l->line.data, l->line.len);
			buf_reset(&l->line);
		}
		if (rc)
			return rc;
		data += part + 1;
		len -= part + 1;
	}
	return l->stopped ? 1 : 0;
}

int engine_lines_finish(struct engine_lines *l)
{
	int rc = 0;

	if (l->stopped)
		return 1;
	if (l->line.len)
		rc = engine_lines_deliver(l, l->line.data, l->line.len);
	buf_reset(&l->line);
	return rc;
}

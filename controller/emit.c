/* emit.c - ynode trees as JSON (through jansson) and readable YAML. */
#include "emit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

/*
 * Reals are printed with 15 significant digits: enough to tell apart every
 * value a compose file can reasonably hold (cpus, ratios), and it keeps
 * 0.1 as "0.1". Same digits everywhere, so the canonical form is stable.
 */
#define EMIT_REAL_PRECISION 15

static int emit_mark_text(char *out, size_t outlen, const struct ymark *m)
{
	if (!m->file && !m->line)
		return snprintf(out, outlen, "-");
	if (!m->line)
		return snprintf(out, outlen, "%s", m->file);
	if (!m->col)
		return snprintf(out, outlen, "%s:%u", m->file ? m->file : "-",
				m->line);
	return snprintf(out, outlen, "%s:%u:%u", m->file ? m->file : "-",
			m->line, m->col);
}

/* ---- JSON ---------------------------------------------------------- */

json_t *emit_to_json(const struct ynode *n)
{
	json_t *j = NULL, *child;
	size_t i;

	switch (n->kind) {
	case YNODE_NULL:
		return json_null();
	case YNODE_BOOL:
		return json_boolean(n->u.b);
	case YNODE_INT:
		return json_integer(n->u.i);
	case YNODE_FLOAT:
		/* JSON has no inf/nan: keep YAML's spelling as a string. */
		if (!isfinite(n->u.f))
			return json_string(isnan(n->u.f) ? ".nan"
					   : n->u.f > 0	 ? ".inf"
							 : "-.inf");
		return json_real(n->u.f);
	case YNODE_STR:
		j = json_stringn(n->text, n->text_len);
		if (!j)
			err_set_at(MOOR_EINVAL, n->mark.file, n->mark.line,
				   n->mark.col, "string is not valid utf-8");
		return j;
	case YNODE_SEQ:
		j = json_array();
		for (i = 0; i < n->u.seq.n; i++) {
			child = emit_to_json(n->u.seq.items[i]);
			if (!child || json_array_append_new(j, child)) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	case YNODE_MAP:
		j = json_object();
		for (i = 0; i < n->u.map.n; i++) {
			const struct ypair *p = &n->u.map.items[i];

			child = emit_to_json(p->value);
			if (!child)
				goto fail;
			if (json_object_set_new(j, p->key, child)) {
				err_set_at(MOOR_EINVAL, p->key_mark.file,
					   p->key_mark.line, p->key_mark.col,
					   "key is not valid utf-8");
				goto fail;
			}
		}
		return j;
	}
fail:
	json_decref(j);
	return NULL;
}

static int emit_json_write(const char *data, size_t len, void *arg)
{
	return buf_add(arg, data, len) ? -1 : 0;
}

static int emit_json_value(struct buf *out, json_t *j, unsigned flags)
{
	size_t jflags =
	    JSON_REAL_PRECISION(EMIT_REAL_PRECISION) | JSON_ENCODE_ANY;

	jflags |= (flags & EMIT_SORTED) ? JSON_SORT_KEYS : 0;
	jflags |= (flags & EMIT_COMPACT) ? JSON_COMPACT : JSON_INDENT(2);
	if (json_dump_callback(j, emit_json_write, out, jflags))
		return err_last_code()
			   ? err_last_code()
			   : err_set(MOOR_ERR, "cannot encode json");
	if (!(flags & EMIT_COMPACT))
		return buf_addc(out, '\n');
	return 0;
}

int emit_json(struct buf *out, const struct ynode *n, unsigned flags)
{
	json_t *j = emit_to_json(n);
	int error;

	if (!j)
		return err_last_code() ? err_last_code() : MOOR_ERR;
	error = emit_json_value(out, j, flags);
	json_decref(j);
	return error;
}

/* ---- provenance ---------------------------------------------------- */

/* Append one JSON pointer token, escaped as RFC 6901 says. */
static void emit_pointer_push(struct buf *path, const char *token)
{
	buf_addc(path, '/');
	for (; *token; token++) {
		if (*token == '~')
			buf_adds(path, "~0");
		else if (*token == '/')
			buf_adds(path, "~1");
		else
			buf_addc(path, *token);
	}
}

static int emit_provenance_walk(json_t *obj, struct buf *path,
				const struct ynode *n)
{
	size_t saved = path->len;
	char where[1024];
	int error = 0;
	size_t i;

	emit_mark_text(where, sizeof(where), &n->mark);
	if (json_object_set_new(obj, path->len ? buf_cstr(path) : "",
				json_string(where)))
		return err_set(MOOR_EINVAL, "path '%s' is not valid utf-8",
			       buf_cstr(path));
	if (n->kind == YNODE_SEQ) {
		for (i = 0; i < n->u.seq.n && !error; i++) {
			char idx[32];

			snprintf(idx, sizeof(idx), "%zu", i);
			emit_pointer_push(path, idx);
			error =
			    emit_provenance_walk(obj, path, n->u.seq.items[i]);
			path->len = saved;
			path->data[saved] = '\0';
		}
	} else if (n->kind == YNODE_MAP) {
		for (i = 0; i < n->u.map.n && !error; i++) {
			emit_pointer_push(path, n->u.map.items[i].key);
			error = emit_provenance_walk(obj, path,
						     n->u.map.items[i].value);
			path->len = saved;
			path->data[saved] = '\0';
		}
	}
	return error;
}

static json_t *emit_provenance(const struct ynode *n)
{
	struct buf path = BUF_INIT(BUF_UNBOUNDED);
	json_t *obj = json_object();

	buf_adds(&path, "");
	if (emit_provenance_walk(obj, &path, n)) {
		json_decref(obj);
		obj = NULL;
	}
	buf_release(&path);
	return obj;
}

int emit_provenance_json(struct buf *out, const struct ynode *n, unsigned flags)
{
	json_t *obj = emit_provenance(n);
	int error;

	if (!obj)
		return err_last_code();
	error = emit_json_value(out, obj, flags);
	json_decref(obj);
	return error;
}

int emit_explain_json(struct buf *out, const struct ynode *model,
		      const struct ynode *hashes, unsigned flags)
{
	json_t *doc = json_object();
	json_t *m = emit_to_json(model);
	json_t *h = emit_to_json(hashes);
	json_t *p = emit_provenance(model);
	int error = err_last_code() ? err_last_code() : MOOR_ERR;

	if (m && h && p) {
		json_object_set_new(doc, "model", m);
		json_object_set_new(doc, "spec_hashes", h);
		json_object_set_new(doc, "provenance", p);
		m = h = p = NULL;
		error = emit_json_value(out, doc, flags);
	}
	json_decref(m);
	json_decref(h);
	json_decref(p);
	json_decref(doc);
	return error;
}

/* ---- YAML ---------------------------------------------------------- */

static bool emit_is_word(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcasecmp(s, *words) == 0)
			return true;
	return false;
}

/*
 * Would this text, written plain, read back as the same string under
 * both YAML 1.2 and 1.1 resolvers? Conservative: when in doubt, quote.
 */
static bool emit_plain_safe(const char *s, size_t len)
{
	static const char *const special[] = {
	    "null", "~", "true", "false", "yes",   "no",   "on", "off",
	    "y",    "n", ".inf", "-.inf", "+.inf", ".nan", "<<", NULL,
	};
	const unsigned char *p = (const unsigned char *)s;

	if (len == 0 || strlen(s) != len)
		return false;
	if (strchr("-?:,[]{}#&*!|>'\"%@` \t", p[0]))
		return false;
	if ((p[0] >= '0' && p[0] <= '9') || p[0] == '.' || p[0] == '+')
		return false;
	if (p[len - 1] == ' ' || p[len - 1] == ':')
		return false;
	if (emit_is_word(s, special))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
		if (p[i] == ':' && (p[i + 1] == ' ' || p[i + 1] == '\0'))
			return false;
		if (p[i] == '#' && i > 0 && p[i - 1] == ' ')
			return false;
	}
	return true;
}

static int emit_yaml_string(struct buf *out, const char *s, size_t len)
{
	json_t *j;
	char *text;
	int error;

	if (emit_plain_safe(s, len))
		return buf_add(out, s, len);
	/* A JSON string is a valid YAML double-quoted scalar. */
	j = json_stringn(s, len);
	if (!j)
		return err_set(MOOR_EINVAL, "string is not valid utf-8");
	text = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	if (!text)
		return err_set(MOOR_ERR, "cannot encode string");
	error = buf_adds(out, text);
	free(text);
	return error;
}

static int emit_yaml_scalar(struct buf *out, const struct ynode *n)
{
	switch (n->kind) {
	case YNODE_NULL:
		return buf_adds(out, "null");
	case YNODE_BOOL:
		return buf_adds(out, n->u.b ? "true" : "false");
	case YNODE_INT:
		return buf_printf(out, "%lld", n->u.i);
	case YNODE_FLOAT: {
		char num[64];

		if (isnan(n->u.f))
			return buf_adds(out, ".nan");
		if (isinf(n->u.f))
			return buf_adds(out, n->u.f > 0 ? ".inf" : "-.inf");
		snprintf(num, sizeof(num), "%.*g", EMIT_REAL_PRECISION, n->u.f);
		if (!strpbrk(num, ".e"))
			return buf_printf(out, "%s.0", num);
		return buf_adds(out, num);
	}
	case YNODE_STR:
		return emit_yaml_string(out, n->text, n->text_len);
	default:
		return 0;
	}
}

static void emit_yaml_comment(struct buf *out, const struct ynode *n,
			      bool explain)
{
	char where[1024];

	if (!explain)
		return;
	emit_mark_text(where, sizeof(where), &n->mark);
	buf_printf(out, "  # %s", where);
}

static bool emit_yaml_inline(const struct ynode *n)
{
	return ynode_is_scalar(n) || ynode_len(n) == 0;
}

static int emit_yaml_inline_value(struct buf *out, const struct ynode *n)
{
	if (n->kind == YNODE_MAP)
		return buf_adds(out, "{}");
	if (n->kind == YNODE_SEQ)
		return buf_adds(out, "[]");
	return emit_yaml_scalar(out, n);
}

/*
 * Write a collection in block style at `indent`. When the cursor is not
 * at the start of a line (just after "- "), the first entry goes on that
 * line, which is how a mapping inside a sequence is written.
 */
static int emit_yaml_node(struct buf *out, const struct ynode *n,
			  unsigned indent, bool explain)
{
	size_t i;
	int error = 0;

	if (n->kind == YNODE_MAP) {
		for (i = 0; i < n->u.map.n && !error; i++) {
			const struct ypair *p = &n->u.map.items[i];

			if (i > 0 || out->len == 0 ||
			    out->data[out->len - 1] == '\n')
				buf_printf(out, "%*s", (int)indent, "");
			error = emit_yaml_string(out, p->key, strlen(p->key));
			buf_addc(out, ':');
			if (emit_yaml_inline(p->value)) {
				buf_addc(out, ' ');
				error =
				    error
					? error
					: emit_yaml_inline_value(out, p->value);
				emit_yaml_comment(out, p->value, explain);
				buf_addc(out, '\n');
			} else {
				emit_yaml_comment(out, p->value, explain);
				buf_addc(out, '\n');
				error =
				    error ? error
					  : emit_yaml_node(out, p->value,
							   indent + 2, explain);
			}
		}
	} else if (n->kind == YNODE_SEQ) {
		for (i = 0; i < n->u.seq.n && !error; i++) {
			const struct ynode *item = n->u.seq.items[i];

			if (i > 0 || out->len == 0 ||
			    out->data[out->len - 1] == '\n')
				buf_printf(out, "%*s", (int)indent, "");
			buf_adds(out, "- ");
			if (emit_yaml_inline(item)) {
				error = emit_yaml_inline_value(out, item);
				emit_yaml_comment(out, item, explain);
				buf_addc(out, '\n');
			} else if (item->kind == YNODE_MAP) {
				error = emit_yaml_node(out, item, indent + 2,
						       explain);
			} else {
				emit_yaml_comment(out, item, explain);
				buf_addc(out, '\n');
				error = emit_yaml_node(out, item, indent + 2,
						       explain);
			}
		}
	} else {
		error = emit_yaml_scalar(out, n);
		emit_yaml_comment(out, n, explain);
		buf_addc(out, '\n');
	}
	return error;
}

int emit_yaml(struct buf *out, const struct ynode *n, bool explain)
{
	if (emit_yaml_inline(n)) {
		int error = emit_yaml_inline_value(out, n);

		emit_yaml_comment(out, n, explain);
		buf_addc(out, '\n');
		return error;
	}
	return emit_yaml_node(out, n, 0, explain);
}

/* interp.c - Compose variable interpolation (see interp.h). */
#include "interp.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

#include "banned.h"

/* Bytes of a template quoted in an error message. */
#define INTERP_QUOTE_MAX 64
/* Trees come from the YAML loader (depth 64); this only guards trees that
 * were built in code. */
#define INTERP_TREE_DEPTH 256

struct interp_ctx {
	const struct interp_env *env;
	const struct ymark *mark;
	/* The whole template being expanded, quoted in messages. */
	const char *tmpl;
	size_t tmpl_len;
};

static int interp_expand(const struct interp_ctx *c, struct buf *out,
			 const char *s, size_t len, unsigned depth);

static int interp_fail(const struct interp_ctx *c, int code, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

static int interp_fail(const struct interp_ctx *c, int code, const char *fmt,
		       ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->mark)
		return err_set_at(code, c->mark->file, c->mark->line,
				  c->mark->col, "%s", msg);
	return err_set(code, "%s", msg);
}

static int interp_invalid(const struct interp_ctx *c)
{
	size_t n = c->tmpl_len;
	const char *more = "";

	if (n > INTERP_QUOTE_MAX) {
		n = INTERP_QUOTE_MAX;
		/* Do not cut a UTF-8 sequence in half. */
		while (n > 0 && ((unsigned char)c->tmpl[n] & 0xC0) == 0x80)
			n--;
		more = "...";
	}
	return interp_fail(c, MOOR_EINVAL, "invalid template: '%.*s%s'", (int)n,
			   c->tmpl, more);
}

static int interp_add(const struct interp_ctx *c, struct buf *out,
		      const char *s, size_t len)
{
	if (buf_add(out, s, len) == 0)
		return 0;
	return interp_fail(c, MOOR_ELIMIT,
			   "interpolated value exceeds the limit of %zu bytes",
			   out->max);
}

static bool interp_name_start(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       ch == '_';
}

static bool interp_name_char(char ch)
{
	return interp_name_start(ch) || (ch >= '0' && ch <= '9');
}

/* The value of a name given as a slice of the template, or NULL. */
static const char *interp_lookup(const struct interp_ctx *c, const char *name,
				 size_t len)
{
	const char *v = NULL;
	char *key;

	if (!c->env || !c->env->lookup)
		return NULL;
	key = xstrndup(name, len);
	v = c->env->lookup(c->env->data, key);
	free(key);
	return v;
}

static void interp_report_unset(const struct interp_ctx *c, const char *name,
				size_t len)
{
	char *key;

	if (!c->env || !c->env->on_unset)
		return;
	key = xstrndup(name, len);
	c->env->on_unset(c->env->data, key, c->mark);
	free(key);
}

static int interp_var(const struct interp_ctx *c, struct buf *out,
		      const char *name, size_t len)
{
	const char *v = interp_lookup(c, name, len);

	if (!v) {
		interp_report_unset(c, name, len);
		return 0;
	}
	return interp_add(c, out, v, strlen(v));
}

/*
 * The '}' that closes a braced template whose argument starts at s[from].
 * Every '{' in the argument opens a level, nested templates and literal
 * JSON alike ("${X:-{"a":1}}"), as Compose counts them.
 */
static bool interp_find_close(size_t *out, const char *s, size_t len,
			      size_t from)
{
	size_t level = 1;

	for (size_t i = from; i < len; i++) {
		if (s[i] == '{') {
			level++;
		} else if (s[i] == '}' && --level == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

static int interp_required(const struct interp_ctx *c, const char *name,
			   size_t nlen, const char *arg, size_t alen,
			   unsigned depth)
{
	struct buf msg = BUF_INIT(INTERP_MAX_OUTPUT);
	int error = -1;

	if ((error = interp_expand(c, &msg, arg, alen, depth + 1)) != 0)
		goto cleanup;
	if (msg.len)
		error =
		    interp_fail(c, MOOR_EINVAL,
				"required variable %.*s is missing a value: %s",
				(int)nlen, name, buf_cstr(&msg));
	else
		error = interp_fail(c, MOOR_EINVAL,
				    "required variable %.*s is missing a value",
				    (int)nlen, name);
cleanup:
	buf_release(&msg);
	return error;
}

/*
 * s[start] is the '$' of "${". Expands the template into out and sets
 * *next to the index after its closing '}'. Only the branch that is used
 * is evaluated, so an unused default neither warns nor fails.
 */
static int interp_braced(const struct interp_ctx *c, struct buf *out,
			 const char *s, size_t len, size_t start, size_t *next,
			 unsigned depth)
{
	size_t p = start + 2, name, nlen, arg, end;
	bool colon = false, usable;
	const char *v;
	char op;

	if (p >= len || !interp_name_start(s[p]))
		return interp_invalid(c);
	name = p;
	while (p < len && interp_name_char(s[p]))
		p++;
	nlen = p - name;
	if (p >= len)
		return interp_invalid(c);
	if (s[p] == '}') {
		*next = p + 1;
		return interp_var(c, out, s + name, nlen);
	}
	if (s[p] == ':') {
		colon = true;
		if (++p >= len)
			return interp_invalid(c);
	}
	op = s[p];
	if (op != '-' && op != '?' && op != '+')
		return interp_invalid(c);
	arg = p + 1;
	if (!interp_find_close(&end, s, len, arg))
		return interp_invalid(c);
	*next = end + 1;

	v = interp_lookup(c, s + name, nlen);
	/* The ":" forms treat set-but-empty as unset. */
	usable = v && (!colon || *v);
	switch (op) {
	case '-':
		if (usable)
			return interp_add(c, out, v, strlen(v));
		return interp_expand(c, out, s + arg, end - arg, depth + 1);
	case '+':
		if (usable)
			return interp_expand(c, out, s + arg, end - arg,
					     depth + 1);
		return 0;
	default: /* '?' */
		if (usable)
			return interp_add(c, out, v, strlen(v));
		return interp_required(c, s + name, nlen, s + arg, end - arg,
				       depth);
	}
}

static int interp_expand(const struct interp_ctx *c, struct buf *out,
			 const char *s, size_t len, unsigned depth)
{
	size_t i = 0;
	int error = 0;

	if (depth > INTERP_MAX_DEPTH)
		return interp_fail(c, MOOR_ELIMIT,
				   "template nests deeper than %d levels",
				   INTERP_MAX_DEPTH);
	while (i < len) {
		const char *dollar = memchr(s + i, '$', len - i);
		size_t lit = dollar ? (size_t)(dollar - (s + i)) : len - i;
		char next;

		if (lit && (error = interp_add(c, out, s + i, lit)) != 0)
			return error;
		i += lit;
		if (i >= len)
			break;
		next = i + 1 < len ? s[i + 1] : '\0';
		if (i + 1 < len && next == '$') {
			error = interp_add(c, out, "$", 1);
			i += 2;
		} else if (i + 1 < len && interp_name_start(next)) {
			size_t j = i + 1;

			while (j < len && interp_name_char(s[j]))
				j++;
			error = interp_var(c, out, s + i + 1, j - i - 1);
			i = j;
		} else if (i + 1 < len && next == '{') {
			error = interp_braced(c, out, s, len, i, &i, depth);
		} else {
			/* "a $ string", "^REGEX$": a lone $ stays. */
			error = interp_add(c, out, "$", 1);
			i++;
		}
		if (error)
			return error;
	}
	return 0;
}

int interp_stringn(char **out, size_t *out_len, const char *tmpl, size_t len,
		   const struct interp_env *env, const struct ymark *mark)
{
	struct buf b = BUF_INIT(INTERP_MAX_OUTPUT);
	struct interp_ctx c = {env, mark, tmpl, len};
	int error = -1;

	if ((error = interp_expand(&c, &b, tmpl, len, 0)) != 0)
		goto cleanup;
	*out = buf_detach(&b, out_len);
cleanup:
	buf_release(&b);
	return error;
}

int interp_string(char **out, const char *tmpl, const struct interp_env *env,
		  const struct ymark *mark)
{
	return interp_stringn(out, NULL, tmpl, strlen(tmpl), env, mark);
}

static int interp_replace_str(struct ynode *n, const char *s, size_t len)
{
	struct ynode *fresh;

	if (strlen(s) == len) {
		ynode_set_str(n, s);
		return 0;
	}
	/* The value holds NUL bytes (from a YAML "\0" escape), which
	 * ynode_set_str() would cut: build the node with its length. */
	fresh = ynode_new_strn(s, len, &n->mark);
	fresh->flags = n->flags;
	ynode_swap(n, fresh);
	ynode_free(fresh);
	return 0;
}

static int interp_node(struct ynode *n, const struct interp_env *env,
		       size_t *total, unsigned depth)
{
	char *s = NULL;
	size_t len = 0;
	int error = 0;

	if (depth > INTERP_TREE_DEPTH)
		return err_set_at(
		    MOOR_ELIMIT, n->mark.file, n->mark.line, n->mark.col,
		    "tree nests deeper than %d levels", INTERP_TREE_DEPTH);
	switch (n->kind) {
	case YNODE_STR:
		if (!n->text || !memchr(n->text, '$', n->text_len))
			return 0;
		error = interp_stringn(&s, &len, n->text, n->text_len, env,
				       &n->mark);
		if (error)
			return error;
		if (len > INTERP_MAX_TOTAL - *total) {
			free(s);
			return err_set_at(
			    MOOR_ELIMIT, n->mark.file, n->mark.line,
			    n->mark.col,
			    "interpolated values exceed the limit of %zu "
			    "bytes",
			    INTERP_MAX_TOTAL);
		}
		*total += len;
		error = interp_replace_str(n, s, len);
		free(s);
		return error;
	case YNODE_SEQ:
		for (size_t i = 0; i < n->u.seq.n && !error; i++)
			error = interp_node(n->u.seq.items[i], env, total,
					    depth + 1);
		return error;
	case YNODE_MAP:
		for (size_t i = 0; i < n->u.map.n && !error; i++)
			error = interp_node(n->u.map.items[i].value, env, total,
					    depth + 1);
		return error;
	default:
		return 0;
	}
}

int interp_tree(struct ynode *root, const struct interp_env *env)
{
	size_t total = 0;

	if (!root)
		return 0;
	return interp_node(root, env, &total, 0);
}

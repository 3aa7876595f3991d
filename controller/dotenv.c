/* dotenv.c - .env and env_file parsing (see dotenv.h). */
#include "dotenv.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

#include "banned.h"

/* strmap is linear; a hostile file must not make each insert walk
 * millions of entries. Real .env files hold tens of variables. */
#define DOTENV_MAX_VARS 10000
/* Source bytes quoted in an error message. */
#define DOTENV_QUOTE_MAX 80

/*
 * Lookups of the keys parsed so far go through a hash of indexes into
 * out->items: a value like "$A$A$A..." may hold half a million
 * references, and a linear strmap_get() for each would be quadratic.
 * Entries are only appended or replaced while a document is parsed, so
 * the indexes stay valid.
 */
struct dotenv_index {
	size_t *slots; /* index + 1 into out->items, 0 when empty */
	size_t cap;    /* power of two */
	size_t n;
};

struct dotenv_parser {
	const char *s; /* the document: BOM gone, CRLF made LF */
	size_t len;
	size_t pos;
	unsigned line;
	const char *file; /* interned, or NULL */
	struct strmap *out;
	const struct interp_env *env;
	struct dotenv_index index;
	size_t total; /* bytes stored, for INTERP_MAX_TOTAL */
};

static int dotenv_fail(const char *file, int code, unsigned line,
		       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "file:line: msg", or "line N: msg" when the input has no file name. */
static int dotenv_fail(const char *file, int code, unsigned line,
		       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (file)
		return err_set_at(code, file, line, 0, "%s", msg);
	return err_set(code, "line %u: %s", line, msg);
}

static uint64_t dotenv_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void dotenv_index_insert(struct dotenv_index *ix, const struct strmap *m,
				size_t i)
{
	size_t mask = ix->cap - 1;
	size_t h = (size_t)dotenv_hash(m->items[i].key) & mask;

	while (ix->slots[h])
		h = (h + 1) & mask;
	ix->slots[h] = i + 1;
	ix->n++;
}

/* Make the index cover every entry of m (new ones are at the end). */
static void dotenv_index_sync(struct dotenv_index *ix, const struct strmap *m)
{
	if (m->n * 2 >= ix->cap) {
		size_t cap = ix->cap ? ix->cap : 64;

		while (m->n * 2 >= cap)
			cap *= 2;
		free(ix->slots);
		ix->slots = xcalloc(cap, sizeof(*ix->slots));
		ix->cap = cap;
		ix->n = 0;
	}
	while (ix->n < m->n)
		dotenv_index_insert(ix, m, ix->n);
}

static const struct strmap_entry *
dotenv_index_find(const struct dotenv_index *ix, const struct strmap *m,
		  const char *key)
{
	size_t mask, h;

	if (!ix->cap)
		return NULL;
	mask = ix->cap - 1;
	h = (size_t)dotenv_hash(key) & mask;
	for (; ix->slots[h]; h = (h + 1) & mask) {
		const struct strmap_entry *e = &m->items[ix->slots[h] - 1];

		if (strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

/* Lookup for values: the caller's env first, then this document. */
static const char *dotenv_lookup(void *data, const char *name)
{
	const struct dotenv_parser *p = data;
	const struct strmap_entry *e;
	const char *v;

	if (p->env && p->env->lookup) {
		v = p->env->lookup(p->env->data, name);
		if (v)
			return v;
	}
	e = dotenv_index_find(&p->index, p->out, name);
	return e ? e->value : NULL;
}

static void dotenv_on_unset(void *data, const char *name,
			    const struct ymark *mark)
{
	const struct dotenv_parser *p = data;

	if (p->env && p->env->on_unset)
		p->env->on_unset(p->env->data, name, mark);
}

static bool dotenv_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\v' || ch == '\f' ||
	       ch == '\r';
}

static bool dotenv_key_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
	       ch == '-' || ch == '[' || ch == ']';
}

/* Length of the valid UTF-8 sequence (2 to 4 bytes) at s, or 0. */
static size_t dotenv_utf8_len(const char *str, size_t avail)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;
	uint32_t cp;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* Append s[0..len) to dst in double quotes, escaping as Go's %q does for
 * the characters that matter here, and cut at DOTENV_QUOTE_MAX. */
static void dotenv_quote(char *dst, size_t size, const char *s, size_t len)
{
	size_t o = 0, i = 0;

#define PUT(...)                                                               \
	do {                                                                   \
		int n_ = snprintf(dst + o, size - o, __VA_ARGS__);             \
		if (n_ < 0 || (size_t)n_ >= size - o)                          \
			return;                                                \
		o += (size_t)n_;                                               \
	} while (0)

	dst[0] = '\0';
	PUT("\"");
	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		size_t n;

		if (i >= DOTENV_QUOTE_MAX) {
			PUT("...");
			break;
		}
		if (ch == '"' || ch == '\\') {
			PUT("\\%c", ch);
		} else if (ch == '\t') {
			PUT("\\t");
		} else if (ch < 0x20 || ch == 0x7F) {
			PUT("\\x%02x", ch);
		} else if (ch >= 0x80) {
			n = dotenv_utf8_len(s + i, len - i);
			if (n) {
				PUT("%.*s", (int)n, s + i);
				i += n;
				continue;
			}
			PUT("\\x%02x", ch);
		} else {
			PUT("%c", ch);
		}
		i++;
	}
	PUT("\"");
#undef PUT
}

static size_t dotenv_eol(const struct dotenv_parser *p, size_t from)
{
	const char *nl = memchr(p->s + from, '\n', p->len - from);

	return nl ? (size_t)(nl - p->s) : p->len;
}

/* Skip blank lines, leading whitespace and comment lines. */
static void dotenv_skip_blank(struct dotenv_parser *p)
{
	while (p->pos < p->len) {
		char ch = p->s[p->pos];

		if (ch == '\n') {
			p->line++;
			p->pos++;
		} else if (dotenv_space(ch)) {
			p->pos++;
		} else if (ch == '#') {
			p->pos = dotenv_eol(p, p->pos);
		} else {
			break;
		}
	}
}

static void dotenv_skip_space(struct dotenv_parser *p)
{
	while (p->pos < p->len && dotenv_space(p->s[p->pos]))
		p->pos++;
}

static int dotenv_store(struct dotenv_parser *p, const char *key,
			const char *value, unsigned line)
{
	struct ymark mark = {p->file, line, 0};
	size_t add = strlen(key) + strlen(value);

	if (add > INTERP_MAX_TOTAL - p->total)
		return dotenv_fail(p->file, MOOR_ELIMIT, line,
				   "values exceed the limit of %zu bytes",
				   INTERP_MAX_TOTAL);
	if (p->out->n >= DOTENV_MAX_VARS &&
	    !dotenv_index_find(&p->index, p->out, key))
		return dotenv_fail(p->file, MOOR_ELIMIT, line,
				   "more than %d variables", DOTENV_MAX_VARS);
	p->total += add;
	strmap_set(p->out, key, value, &mark);
	dotenv_index_sync(&p->index, p->out);
	return 0;
}

/*
 * Read the key of the statement at p->pos: an optional "export " prefix,
 * then letters (any non-ASCII UTF-8 counts as one), digits and _.-[]
 * up to '=' or ':' (YAML style), or to the end of the line for a bare
 * key. Stops on the separator or newline.
 */
static int dotenv_read_key(char **out, bool *bare, struct dotenv_parser *p)
{
	const char *s = p->s;
	size_t start, end;
	char quoted[DOTENV_QUOTE_MAX * 4 + 16], bad[16];

	if (p->len - p->pos > 6 && memcmp(s + p->pos, "export", 6) == 0 &&
	    (s[p->pos + 6] == ' ' || s[p->pos + 6] == '\t')) {
		p->pos += 6;
		dotenv_skip_space(p);
	}
	start = p->pos;
	while (p->pos < p->len) {
		char ch = s[p->pos];
		size_t n;

		if (ch == '=' || ch == ':' || ch == '\n')
			break;
		if (dotenv_space(ch) || dotenv_key_char(ch)) {
			p->pos++;
			continue;
		}
		if ((unsigned char)ch >= 0x80 &&
		    (n = dotenv_utf8_len(s + p->pos, p->len - p->pos))) {
			p->pos += n;
			continue;
		}
		dotenv_quote(bad, sizeof(bad), s + p->pos, 1);
		dotenv_quote(quoted, sizeof(quoted), s + start,
			     dotenv_eol(p, start) - start);
		return dotenv_fail(
		    p->file, MOOR_EINVAL, p->line,
		    "unexpected character %s in variable name %s", bad, quoted);
	}
	*bare = p->pos >= p->len || s[p->pos] == '\n';
	end = p->pos;
	while (end > start && dotenv_space(s[end - 1]))
		end--;
	for (size_t i = start; i < end; i++)
		if (dotenv_space(s[i]))
			return dotenv_fail(p->file, MOOR_EINVAL, p->line,
					   "key cannot contain a space");
	if (!*bare)
		p->pos++; /* the separator */
	*out = xstrndup(s + start, end - start);
	return 0;
}

/* Octal \0NNN (up to three digits after the 0), as UTF-8. */
static int dotenv_octal(struct buf *t, const char *s, size_t len, size_t *i,
			const struct dotenv_parser *p, unsigned line)
{
	unsigned v = 0, digits = 0;
	char enc[4];
	size_t n;

	while (digits < 3 && *i < len && s[*i] >= '0' && s[*i] <= '7') {
		v = v * 8 + (unsigned)(s[*i] - '0');
		(*i)++;
		digits++;
	}
	if (v == 0)
		return dotenv_fail(p->file, MOOR_EINVAL, line,
				   "value contains a nul character");
	if (v == '$')
		return buf_adds(t, "$$"); /* a literal $, not a template */
	if (v < 0x80) {
		enc[0] = (char)v;
		n = 1;
	} else {
		enc[0] = (char)(0xC0 | (v >> 6));
		enc[1] = (char)(0x80 | (v & 0x3F));
		n = 2;
	}
	return buf_add(t, enc, n);
}

/*
 * Turn a double-quoted body into a template: shell escapes are decoded,
 * and a $ that came from an escape is written as $$ so that it stays
 * literal when the template is expanded. Unknown escapes are kept whole.
 */
static int dotenv_unescape(struct buf *t, const char *s, size_t len,
			   const struct dotenv_parser *p, unsigned line)
{
	size_t i = 0;
	int error = 0;

	while (i < len && !error) {
		const char *bs = memchr(s + i, '\\', len - i);
		size_t lit = bs ? (size_t)(bs - (s + i)) : len - i;
		char e, ch = 0;

		if (lit && (error = buf_add(t, s + i, lit)) != 0)
			break;
		i += lit;
		if (i >= len)
			break;
		if (i + 1 >= len) { /* cannot happen: the quote was escaped */
			error = buf_addc(t, '\\');
			break;
		}
		e = s[i + 1];
		i += 2;
		switch (e) {
		case 'a':
			ch = '\a';
			break;
		case 'b':
			ch = '\b';
			break;
		case 'f':
			ch = '\f';
			break;
		case 'n':
			ch = '\n';
			break;
		case 'r':
			ch = '\r';
			break;
		case 't':
			ch = '\t';
			break;
		case 'v':
			ch = '\v';
			break;
		case '\\':
			ch = '\\';
			break;
		case '"':
			ch = '"';
			break;
		case '$':
			error = buf_adds(t, "$$");
			continue;
		case '0':
			error = dotenv_octal(t, s, len, &i, p, line);
			continue;
		default:
			if ((error = buf_addc(t, '\\')) == 0)
				error = buf_addc(t, e);
			continue;
		}
		error = buf_addc(t, ch);
	}
	return error;
}

static int dotenv_expand(char **out, struct dotenv_parser *p, const char *tmpl,
			 size_t len, unsigned line)
{
	struct ymark mark = {p->file, line, 0};
	struct interp_env chain = {dotenv_lookup, p, dotenv_on_unset};
	size_t n = 0;
	char *v = NULL;
	int error;

	if ((error = interp_stringn(&v, &n, tmpl, len, &chain, &mark)) != 0)
		return error;
	*out = v;
	return 0;
}

static int dotenv_quoted_value(char **out, struct dotenv_parser *p)
{
	const char *s = p->s;
	char q = s[p->pos], quoted[DOTENV_QUOTE_MAX * 4 + 16];
	unsigned line = p->line;
	size_t start = p->pos + 1, i = start, lines = 0;
	/* The body is bounded by the file; the expansion by interp. */
	struct buf t = BUF_INIT(BUF_UNBOUNDED);
	int error = -1;

	for (; i < p->len; i++) {
		if (s[i] == '\\' && i + 1 < p->len) {
			if (s[++i] == '\n')
				lines++;
		} else if (s[i] == '\n') {
			lines++;
		} else if (s[i] == q) {
			break;
		}
	}
	if (i >= p->len) {
		dotenv_quote(quoted, sizeof(quoted), s + p->pos,
			     dotenv_eol(p, p->pos) - p->pos);
		return dotenv_fail(p->file, MOOR_EINVAL, line,
				   "unterminated quoted value %s", quoted);
	}
	p->pos = i + 1;
	p->line += (unsigned)lines;
	if (q == '\'') {
		if (i - start > INTERP_MAX_OUTPUT) {
			error = dotenv_fail(p->file, MOOR_ELIMIT, line,
					    "value exceeds the limit of %zu "
					    "bytes",
					    INTERP_MAX_OUTPUT);
			goto cleanup;
		}
		/* Literal, but for \' (the one escape that ends no value). */
		for (size_t j = start; j < i; j++) {
			if (s[j] == '\\' && j + 1 < i && s[j + 1] == '\'')
				j++;
			if ((error = buf_addc(&t, s[j])) != 0)
				goto cleanup;
		}
		*out = buf_detach(&t, NULL);
		error = 0;
		goto cleanup;
	}
	if ((error = dotenv_unescape(&t, s + start, i - start, p, line)) != 0)
		goto cleanup;
	error = dotenv_expand(out, p, t.data ? t.data : "", t.len, line);
cleanup:
	buf_release(&t);
	return error;
}

static int dotenv_plain_value(char **out, struct dotenv_parser *p)
{
	size_t start = p->pos, eol = dotenv_eol(p, p->pos), end = eol;

	/* An inline comment starts at " #"; "a#b" is a value. */
	for (size_t i = start; i + 1 < eol; i++) {
		if (p->s[i] == ' ' && p->s[i + 1] == '#') {
			end = i;
			break;
		}
	}
	while (end > start && dotenv_space(p->s[end - 1]))
		end--;
	p->pos = eol;
	return dotenv_expand(out, p, p->s + start, end - start, p->line);
}

static int dotenv_statement(struct dotenv_parser *p)
{
	unsigned line = p->line;
	char *key = NULL, *value = NULL;
	const char *inherited;
	bool bare = false;
	int error = -1;

	if ((error = dotenv_read_key(&key, &bare, p)) != 0)
		goto cleanup;
	if (bare) {
		inherited = p->env && p->env->lookup
				? p->env->lookup(p->env->data, key)
				: NULL;
		error = inherited ? dotenv_store(p, key, inherited, line) : 0;
		goto cleanup;
	}
	dotenv_skip_space(p);
	if (p->pos < p->len && (p->s[p->pos] == '"' || p->s[p->pos] == '\''))
		error = dotenv_quoted_value(&value, p);
	else
		error = dotenv_plain_value(&value, p);
	if (error)
		goto cleanup;
	error = dotenv_store(p, key, value, line);
cleanup:
	free(key);
	free(value);
	return error;
}

/* A copy without the UTF-8 BOM and with CRLF made LF; NUL is refused. */
static int dotenv_normalise(char **out, size_t *out_len, const char *data,
			    size_t len, const char *file)
{
	char *s;
	size_t o = 0, i = 0;
	unsigned line = 1;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	s = xmalloc(len - i + 1);
	for (; i < len; i++) {
		if (data[i] == '\0') {
			free(s);
			return dotenv_fail(file, MOOR_EINVAL, line,
					   "file contains a nul byte");
		}
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		if (data[i] == '\n')
			line++;
		s[o++] = data[i];
	}
	s[o] = '\0';
	*out = s;
	*out_len = o;
	return 0;
}

int dotenv_parse(struct strmap *out, const char *data, size_t len,
		 const char *filename, const struct interp_env *env)
{
	struct dotenv_parser p;
	char *doc = NULL;
	size_t doclen = 0;
	int error = -1;

	memset(&p, 0, sizeof(p));
	p.file = filename ? ymark_intern(filename) : NULL;
	if ((error = dotenv_normalise(&doc, &doclen, data, len, p.file)) != 0)
		goto cleanup;
	p.s = doc;
	p.len = doclen;
	p.line = 1;
	p.out = out;
	p.env = env;
	dotenv_index_sync(&p.index, out);
	for (;;) {
		dotenv_skip_blank(&p);
		if (p.pos >= p.len)
			break;
		if ((error = dotenv_statement(&p)) != 0)
			goto cleanup;
	}
	error = 0;
cleanup:
	free(p.index.slots);
	free(doc);
	return error;
}

int dotenv_parse_raw(struct strmap *out, const char *data, size_t len,
		     const char *filename)
{
	const char *file = filename ? ymark_intern(filename) : NULL;
	char *doc = NULL, *key = NULL, *value = NULL;
	size_t doclen = 0, pos = 0, total = 0;
	unsigned line = 0;
	int error = -1;

	if ((error = dotenv_normalise(&doc, &doclen, data, len, file)) != 0)
		goto cleanup;
	while (pos < doclen) {
		const char *s = doc + pos, *nl = memchr(s, '\n', doclen - pos);
		size_t n = nl ? (size_t)(nl - s) : doclen - pos;
		const char *eq = memchr(s, '=', n);
		struct ymark mark = {file, ++line, 0};
		size_t lead = 0;

		pos += n + (nl ? 1 : 0);
		while (lead < n && dotenv_space(s[lead]))
			lead++;
		if (lead == n || s[lead] == '#')
			continue;
		if (eq == s) {
			error = dotenv_fail(file, MOOR_EINVAL, line,
					    "missing variable name");
			goto cleanup;
		}
		if (total + n > INTERP_MAX_TOTAL) {
			error = dotenv_fail(file, MOOR_ELIMIT, line,
					    "values exceed the limit of %zu "
					    "bytes",
					    INTERP_MAX_TOTAL);
			goto cleanup;
		}
		total += n;
		key = xstrndup(s, eq ? (size_t)(eq - s) : n);
		/* A line with no '=' declares the key without a value. */
		value = eq ? xstrndup(eq + 1, n - (size_t)(eq - s) - 1) : NULL;
		if (out->n >= DOTENV_MAX_VARS && !strmap_has(out, key)) {
			error = dotenv_fail(file, MOOR_ELIMIT, line,
					    "more than %d variables",
					    DOTENV_MAX_VARS);
			goto cleanup;
		}
		strmap_set(out, key, value, &mark);
		free(key);
		free(value);
		key = value = NULL;
	}
	error = 0;
cleanup:
	free(key);
	free(value);
	free(doc);
	return error;
}

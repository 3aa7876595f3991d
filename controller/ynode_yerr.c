/*
 * ynode_yerr.c - libyaml's errors in our words.
 *
 * libyaml reports a problem, an optional context and a mark (0-based), or
 * for bad bytes a byte offset; we turn that into one "file:line:col: ..."
 * message, and name the usual culprit when it is a tab.
 */
#include "ynode_load.h"

#include <string.h>

#include "err.h"
#include "banned.h"

void ynode_offset_mark(struct ymark *out, const char *data, size_t off)
{
	size_t i;

	out->line = 1;
	out->col = 1;
	for (i = 0; i < off; i++) {
		if (data[i] == '\n') {
			out->line++;
			out->col = 1;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			out->col++;
		}
	}
}

/* Byte offset of a libyaml mark (0-based line, column in characters). */
static size_t mark_offset(const char *data, size_t len, const yaml_mark_t *m)
{
	size_t i = 0, line = 0, col = 0;

	while (i < len && line < m->line)
		if (data[i++] == '\n')
			line++;
	while (i < len && col < m->column) {
		i++;
		while (i < len && ((unsigned char)data[i] & 0xc0) == 0x80)
			i++;
		col++;
	}
	return i;
}

static int reader_error(const yaml_parser_t *p, const char *file,
			const char *data, size_t len)
{
	const char *problem = p->problem ? p->problem : "cannot read input";
	struct ymark m;

	ynode_offset_mark(&m, data,
			  p->problem_offset < len ? p->problem_offset : len);
	if (!strcmp(problem, "invalid leading UTF-8 octet"))
		return err_set_at(MOOR_EINVAL, file, m.line, m.col,
				  "invalid utf-8 (unexpected byte 0x%02x)",
				  (unsigned)p->problem_value & 0xff);
	if (!strcmp(problem, "invalid trailing UTF-8 octet"))
		return err_set_at(MOOR_EINVAL, file, m.line, m.col,
				  "invalid utf-8 (bad continuation byte "
				  "0x%02x)",
				  (unsigned)p->problem_value & 0xff);
	if (strstr(problem, "UTF-8") || strstr(problem, "Unicode"))
		return err_set_at(MOOR_EINVAL, file, m.line, m.col,
				  "invalid utf-8 (%s)", problem);
	if (!strcmp(problem, "control characters are not allowed"))
		return err_set_at(MOOR_EINVAL, file, m.line, m.col,
				  "control character 0x%02x is not allowed",
				  (unsigned)p->problem_value);
	return err_set_at(MOOR_EINVAL, file, m.line, m.col, "%s", problem);
}

int ynode_parser_error(const yaml_parser_t *p, const char *file,
		       const char *data, size_t len)
{
	const char *problem = p->problem ? p->problem : "invalid yaml";
	const yaml_mark_t *m = &p->problem_mark;
	unsigned line = (unsigned)m->line + 1, col = (unsigned)m->column + 1;
	size_t off, i;

	if (p->error == YAML_MEMORY_ERROR)
		return err_set(MOOR_ERR, "%s: out of memory parsing yaml",
			       file);
	if (p->error == YAML_READER_ERROR)
		return reader_error(p, file, data, len);
	off = mark_offset(data, len, m);
	if (off < len && data[off] == '\t') {
		for (i = off;
		     i > 0 && (data[i - 1] == ' ' || data[i - 1] == '\t'); i--)
			;
		return err_set_at(MOOR_EINVAL, file, line, col, "%s (%s)",
				  problem,
				  i == 0 || data[i - 1] == '\n'
				      ? "tabs are not allowed for indentation"
				      : "a tab cannot start a token here");
	}
	/* Say where an unfinished construct began, when it was elsewhere. */
	if (p->context && p->context_mark.line != m->line)
		return err_set_at(
		    MOOR_EINVAL, file, line, col, "%s %s (started at %u:%u)",
		    problem, p->context, (unsigned)p->context_mark.line + 1,
		    (unsigned)p->context_mark.column + 1);
	if (p->context)
		return err_set_at(MOOR_EINVAL, file, line, col, "%s %s",
				  problem, p->context);
	return err_set_at(MOOR_EINVAL, file, line, col, "%s", problem);
}

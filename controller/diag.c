/* diag.c - report every problem, then fail once (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

#include "err.h"
#include "log.h"

#include "banned.h"

void diag_error(struct diag *d, const struct ymark *m, const char *fmt, ...)
{
	const char *file = m && m->file ? m->file : d->file;
	unsigned line = m && m->line ? m->line : 1;
	unsigned col = m && m->line ? m->col : 1;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_errorx("%s:%u:%u: %s", file, line, col, msg);
	d->nerrors++;
}

int diag_finish(const struct diag *d, const char *what)
{
	if (!d->nerrors)
		return 0;
	return err_set(MOOR_EINVAL, "%u error%s in '%s'", d->nerrors,
		       d->nerrors == 1 ? "" : "s", what);
}

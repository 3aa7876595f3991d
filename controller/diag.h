/*
 * diag.h - reporting every problem of a file before failing, as ntpd's
 * parse.y and `check-config` do: each problem is printed as it is found
 * ("mooring: file:line:col: message", through log_errorx), counted, and
 * the caller ends with diag_finish(), which fails with MOOR_EINVAL and
 * "N errors in 'file'" when there was any.
 */
#ifndef MOORING_DIAG_H
#define MOORING_DIAG_H

#include "ynode.h"

struct diag {
	const char *file; /* for problems without a mark, as given */
	unsigned nerrors;
};

/* m may be NULL or carry no position: then file:1:1. */
void diag_error(struct diag *d, const struct ymark *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 0 when nothing was reported, else MOOR_EINVAL with the count. */
int diag_finish(const struct diag *d, const char *what);

#endif

/* buf.c - bounded growable buffer (see buf.h for the invariants). */
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len_out)
{
	char *p = b->data ? b->data : xstrdup("");

	if (len_out)
		*len_out = b->len;
	buf_init(b, b->max);
	return p;
}

const char *buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

static int buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > b->max || b->len > b->max - extra)
		return err_set(MOOR_ELIMIT,
			       "data exceeds the limit of %zu bytes", b->max);
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	if (b->cap > (size_t)-1 / 4)
		return err_set(MOOR_ELIMIT, "buffer size overflow");
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < want)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
	return 0;
}

int buf_add(struct buf *b, const void *data, size_t len)
{
	int error = buf_grow(b, len);

	if (error)
		return error;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, error;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(MOOR_ERR, "bad format string");
	error = buf_grow(b, (size_t)n);
	if (error)
		return error;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_read_file(struct buf *b, const char *path)
{
	char chunk[65536];
	struct stat st;
	int error = MOOR_EIO;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set_errno(errno == ENOENT ? MOOR_ENOTFOUND
						     : MOOR_EIO,
				     "cannot open '%s'", path);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		err_set(MOOR_EIO, "cannot read '%s': is a directory", path);
		goto cleanup;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (unsigned long long)st.st_size > b->max) {
		err_set(MOOR_ELIMIT,
			"'%s' is too large (%lld bytes, limit %zu)", path,
			(long long)st.st_size, b->max);
		error = MOOR_ELIMIT;
		goto cleanup;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set_errno(MOOR_EIO, "cannot read '%s'", path);
			goto cleanup;
		}
		if (n == 0)
			break;
		if (buf_add(b, chunk, (size_t)n) < 0) {
			err_set(MOOR_ELIMIT,
				"'%s' is too large (limit %zu bytes)", path,
				b->max);
			error = MOOR_ELIMIT;
			goto cleanup;
		}
	}
	if (!b->data)
		buf_add(b, "", 0);
	error = 0;
cleanup:
	close(fd);
	return error;
}

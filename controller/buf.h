/*
 * buf.h - a growable byte buffer with a hard maximum.
 *
 * Invariants (as git's strbuf.h):
 *  - data is NULL until the first append; buf_cstr() is then "".
 *  - after any successful append, data[len] == '\0', so data is a C string
 *    whenever the content has no NUL bytes.
 *  - len never exceeds max: an append that would is refused whole, with
 *    MOOR_ELIMIT and a message naming the limit. Every buffer fed from
 *    outside (files, HTTP bodies, blobs) must be given a real maximum.
 *  - the buffer owns data; buf_release() frees it, buf_detach() hands it to
 *    the caller (who frees it with free()).
 */
#ifndef MOORING_BUF_H
#define MOORING_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define BUF_UNBOUNDED ((size_t)-1 / 2)
#define BUF_INIT(maxbytes)                                                     \
	{                                                                      \
		NULL, 0, 0, (maxbytes)                                         \
	}

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Empty the buffer, keeping its storage. */
void buf_reset(struct buf *b);
/* Return the contents (NUL-terminated, never NULL) and re-init the buffer. */
char *buf_detach(struct buf *b, size_t *len_out);
const char *buf_cstr(const struct buf *b);

int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Read a whole file, refusing it if it is larger than b->max (without
 * reading it all first). Errors name the path.
 */
int buf_read_file(struct buf *b, const char *path);

#endif

/*
 * buf: a growable byte buffer, the one container the library passes around
 * for text it builds (normalised articles, JSON, encoded frames).
 *
 * A buffer is meant to be reused: buf_reset() keeps the allocation, so a loop
 * that builds one message per iteration allocates only while the largest
 * message so far grows. The bytes are always NUL-terminated (p[len] == 0) once
 * anything has been appended, so text can be handed to C string functions.
 */
#ifndef ND_BUF_H
#define ND_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Make room for at least `extra` more bytes (plus the NUL). 0 or -ENOMEM. */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_append_char(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Release the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

#endif

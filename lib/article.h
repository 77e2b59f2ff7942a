/*
 * article: an article as the producer takes it in, and the two input forms.
 *
 *   - plain text: the first line is the title, the rest the body;
 *   - a JSON object {"id"?, "title"?, "source"?, "text"} (one per line in a
 *     .jsonl file or on stdin).
 *
 * article_from_* normalise title and body (text.h) and give every article
 * an id: the caller's, or "a" followed by 16 hex digits of a 64-bit FNV-1a
 * hash of the normalised title and body, so the same content always gets
 * the same id. Input that cannot become an article (invalid JSON, no "text",
 * too large) still becomes one, with `error` set: it travels the pipeline
 * and ends as a failed digest that says why, so nothing is lost silently.
 */
#ifndef ND_ARTICLE_H
#define ND_ARTICLE_H

#include <stddef.h>

#include "buf.h"

struct article {
	char *id;
	char *source;
	char *title;
	struct buf text;     /* normalised body */
	char *error;         /* non-NULL: rejected, with the reason */
	char *origin;        /* where it came from, for messages: "a.txt", "stdin:12" */
	size_t invalid_utf8; /* invalid sequences replaced while normalising */
};

/* Build from a plain-text file's contents. */
struct article *article_from_text(const char *data, size_t n, const char *source,
                                  const char *origin);
/* Build from one JSON object (a JSON Lines line). default_source is used when
 * the object has no "source". */
struct article *article_from_json(const char *line, size_t n, const char *default_source,
                                  const char *origin);
/* A rejected article: id from the given id or from hashing raw[0..n). */
struct article *article_rejected(const char *id, const void *raw, size_t n, const char *source,
                                 const char *origin, const char *reason);
/* Safe on NULL. */
void article_free(struct article *a);

#endif

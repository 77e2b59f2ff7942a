/*
 * assemble: collecting the chunk results of each article until it is whole.
 *
 * Results are keyed by (article_id, seq): a second result for the same pair
 * is reported as a duplicate and dropped, so at-least-once delivery from the
 * workers never double-counts. Results may arrive in any order. When an
 * article's `total` changes (the producer re-chunked it on a resend), the
 * result of the newer attempt wins and the older partial is discarded.
 * Partials that stay incomplete longer than a time-to-live are expired by
 * assembler_expire() (the producer resends the article).
 */
#ifndef ND_ASSEMBLE_H
#define ND_ASSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "digest.pb-c.h"

/* The most chunks one article may have. */
#define ASSEMBLE_MAX_CHUNKS 1000000u

enum assemble_status {
	ASSEMBLE_PENDING = 0, /* kept; the article is not complete yet */
	ASSEMBLE_COMPLETE,    /* *done holds the whole article */
	ASSEMBLE_DUPLICATE,   /* (article_id, seq) seen before: dropped */
	ASSEMBLE_STALE,       /* from an older attempt with another chunking: dropped */
	ASSEMBLE_INVALID,     /* empty id, total 0 or too big, seq >= total: dropped */
	ASSEMBLE_NOMEM,       /* dropped */
};

/* A complete article: parts[i]->seq == i for i < total. */
struct assembled {
	char *article_id;
	uint32_t total, have, attempt;
	uint64_t first_seen_ms;
	Nd__ChunkResult **parts;
};

struct assembler;

struct assembler *assembler_new(void);
/* Add one result; the assembler takes ownership of r in every case (it is
 * freed at once when dropped). On ASSEMBLE_COMPLETE, *done is the article,
 * removed from the assembler; free it with assembled_free(). */
enum assemble_status assembler_add(struct assembler *as, Nd__ChunkResult *r, uint64_t now_ms,
                                   struct assembled **done);
/* Is an incomplete article with this id being assembled? */
int assembler_has(const struct assembler *as, const char *article_id);
/* Number of incomplete articles. */
size_t assembler_pending(const struct assembler *as);
typedef void (*assemble_expire_cb)(const struct assembled *a, void *arg);
/* Drop partials first seen more than ttl_ms before now_ms, calling cb (may be
 * NULL) for each first. Returns how many were dropped. */
size_t assembler_expire(struct assembler *as, uint64_t now_ms, uint64_t ttl_ms,
                        assemble_expire_cb cb, void *arg);
/* Safe on NULL. */
void assembler_free(struct assembler *as);
void assembled_free(struct assembled *a);

#endif

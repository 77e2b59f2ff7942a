/*
 * store: the sink's durable record of digests, one SQLite file.
 *
 * One row per article: its digest as JSON (the form the API serves) and as
 * protobuf (the form the stream carries), its status and the time it was
 * stored; `seq` numbers rows in the order they were stored, for paging.
 * store_put() is an idempotent insert: an article already stored is left as
 * it is and reported as not inserted, so a resent article is never stored
 * (or published) twice. The database runs in WAL mode with
 * synchronous=NORMAL: a committed digest survives the process being killed;
 * it can be lost only by a power failure before the next checkpoint.
 */
#ifndef ND_STORE_H
#define ND_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct store;

/* Size of the write-ahead log at which it is copied into the database (a
 * checkpoint), by a thread of the store's own beside the writer; and the
 * size at which the writer's commit copies what is left itself, if that
 * thread has not kept up (see store.c). */
#define STORE_CHECKPOINT_BYTES (2L << 20)
#define STORE_WAL_MAX_BYTES (8L << 20)

/* Open (creating if needed) the store at path. NULL with a message in err. */
struct store *store_open(const char *path, struct buf *err);

/* Insert a digest unless its article is already stored; *inserted says
 * which happened. 0, or -EIO with a message in err. */
int store_put(struct store *s, const char *article_id, int status_ok, uint64_t created_at_us,
              const char *json, size_t json_len, const void *pb, size_t pb_len, int *inserted,
              struct buf *err);

/* Group commit: store_put() calls between store_begin() and
 * store_commit() become durable together, in one transaction and one write
 * of the WAL, instead of one each (the sink commits once per batch of
 * results it drains). Reads on the same store see the uncommitted rows.
 * store_rollback() drops them. Each: 0, or -EIO with a message in err. */
int store_begin(struct store *s, struct buf *err);
int store_commit(struct store *s, struct buf *err);
void store_rollback(struct store *s);

/* Is the article stored? 1 yes (with *status_ok), 0 no, -EIO on error. */
int store_has(struct store *s, const char *article_id, int *status_ok);

/* The JSON of an article's digest into out: 1 found, 0 not, -EIO. */
int store_get_json(struct store *s, const char *article_id, struct buf *out);

/* Digests stored after row `after` (0: from the first), oldest first, at
 * most limit: cb(seq, json, len, arg) for each. Returns how many, or -EIO. */
typedef void (*store_row_cb)(long long seq, const char *json, size_t len, void *arg);
int store_page(struct store *s, long long after, int limit, store_row_cb cb, void *arg);

/* Checkpoints so far: run by the store's thread, and run inside a commit
 * because the WAL reached STORE_WAL_MAX_BYTES. */
void store_checkpoints(struct store *s, unsigned long *background, unsigned long *inline_);

/* Number of stored digests, or -EIO. */
long long store_count(struct store *s);

/* Safe on NULL. */
void store_close(struct store *s);

#endif

/*
 * journal: the producer's durable record of articles it has taken in and
 * not yet seen acknowledged, so that a producer killed at any moment resends
 * them when it starts again, even when their input (stdin, a pipe) cannot be
 * read a second time.
 *
 * The file is JSON Lines: {"add": ARTICLE} when an article is read and
 * {"done": "id"} when it is settled (acknowledged, or given up). Opening a
 * journal reads it, keeps the articles added and not done, and rewrites the
 * file with only those (write to a temporary file, fsync, rename). A
 * journal that stays open (a producer running as a service) is compacted
 * the same way while it runs: once the file passes 4 MiB and its settled
 * records outweigh the pending ones three to one, the pending records are
 * copied to a new file that replaces it. Memory per pending article is a
 * small record (its id and where its line lies), never its text. Records are appended with one
 * write(2) each: a process kill loses nothing the call returned for; a torn last line (power loss)
 * is ignored on the next open.
 */
#ifndef ND_JOURNAL_H
#define ND_JOURNAL_H

#include <stddef.h>

#include "article.h"
#include "buf.h"

struct journal;

/* Open (creating if needed) the journal at path. NULL with a message in err. */
struct journal *journal_open(const char *path, struct buf *err);

/* Articles pending from an earlier run, in the order they were added; the
 * caller owns each (article_free). Returns how many were stored in *out
 * (an array the caller frees), or -ENOMEM. */
int journal_take_pending(struct journal *j, struct article ***out);

/* Record an article taken in / settled. 0 or -EIO. */
int journal_add(struct journal *j, const struct article *a);
int journal_done(struct journal *j, const char *id);

/* Safe on NULL. */
void journal_close(struct journal *j);

#endif

/*
 * text: normalisation of article text before it enters the pipeline.
 *
 * The producer runs every article body and title through text_normalize()
 * once; everything downstream (chunking, tokenizing, hashing for ids) sees
 * only normalised text. Normalisation:
 *   - invalid UTF-8 replaced by U+FFFD (counted in stats);
 *   - Unicode NFC (utf8proc);
 *   - CR LF and lone CR become LF; tabs, NBSP and the other Unicode spaces
 *     become a plain space; other control characters, zero-width characters
 *     and byte-order marks are removed (VT, FF, NEL and U+2028 count as a
 *     newline and U+2029 as a blank line; "removed" means Unicode's Cc and
 *     Cf, soft hyphen and bidi marks included, except the few visible Cf
 *     characters such as U+0600);
 *   - runs of spaces collapse to one; spaces at line ends (and at line
 *     starts) are removed; three or more newlines collapse to a blank line
 *     (two);
 *   - leading and trailing whitespace of the whole text is removed.
 * Typographic quotes, apostrophes and dashes are kept as they are (the key
 * points quote the article verbatim); the tokenizer understands them.
 */
#ifndef ND_TEXT_H
#define ND_TEXT_H

#include <stddef.h>

#include "buf.h"

struct text_stats {
	size_t invalid_utf8;     /* invalid subparts replaced by U+FFFD */
	size_t removed_controls; /* control / zero-width characters dropped */
};

/* Replace out's contents with the normalised form of in[0..n). stats may be
 * NULL. 0 or -ENOMEM. */
int text_normalize(struct buf *out, const char *in, size_t n, struct text_stats *stats);

#endif

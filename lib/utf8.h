/*
 * utf8: strict UTF-8 decoding, validation and repair.
 *
 * "Strict" means RFC 3629: no overlong forms, no surrogates (U+D800..DFFF),
 * nothing above U+10FFFF, no truncated sequences. Repair replaces each
 * maximal invalid subpart with U+FFFD (the Unicode "substitution of maximal
 * subparts" practice), so invalid bytes are never passed on and every valid
 * byte is kept.
 */
#ifndef ND_UTF8_H
#define ND_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define UTF8_REPLACEMENT 0xFFFD

/* Decode the code point at s[*i] (n bytes in all) and advance *i past it.
 * Returns the code point, or -1 for an invalid sequence, in which case *i
 * advances past the maximal invalid subpart (at least one byte). */
int32_t utf8_next(const char *s, size_t n, size_t *i);

/* Encode cp (a valid scalar value) into out (4 bytes of room); returns the
 * number of bytes written. */
size_t utf8_encode(int32_t cp, char *out);

bool utf8_valid(const char *s, size_t n);

/* Append s to out with every invalid subpart replaced by U+FFFD; *replaced
 * (may be NULL) receives the number of replacements. 0 or -ENOMEM. */
int utf8_repair(struct buf *out, const char *s, size_t n, size_t *replaced);

#endif

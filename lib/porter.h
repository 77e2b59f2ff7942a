/*
 * porter: the Porter stemmer (M. F. Porter, "An algorithm for suffix
 * stripping", Program 14(3), 1980), as in the author's reference C
 * implementation (with its published departures from the paper: "bli" ->
 * "ble" instead of "abli" -> "able", and the extra rule "logi" -> "log").
 *
 * Used where a standard measure needs Porter stems (ROUGE, rouge.h), so the
 * figures the project prints compare with those of other tools.
 *
 * The word must be lower-case ASCII letters; anything else is left as it is
 * (the algorithm is defined on English letters only). Words of one or two
 * letters are never changed. No allocation; the stem is never longer than
 * the word.
 */
#ifndef ND_PORTER_H
#define ND_PORTER_H

#include <stddef.h>

/* Stem w[0..n) in place; returns the stem's length (w is not terminated). */
size_t porter_stem(char *w, size_t n);

#endif

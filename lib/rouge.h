/*
 * rouge: ROUGE-1, ROUGE-2 and ROUGE-L (Lin, 2004) between a candidate
 * summary and a reference, for the key-point evaluator (tools/kp-eval.c).
 *
 * Standard definitions, as ROUGE-1.5.5 and Google's rouge-score apply them:
 * the text is lower-cased, every character other than an ASCII letter or
 * digit separates tokens (so punctuation is removed and "Putin's" gives
 * "putin" "s"), and tokens longer than three characters are reduced to
 * their Porter stems (porter.h), so "running" and "runs" both count as
 * "run". Then, for n-gram overlap (n = 1, 2) with counts clipped to the
 * smaller side, and for the longest common subsequence of the two whole
 * token sequences (ROUGE-L at summary level, not the per-sentence "Lsum"):
 *     P = hits / candidate n-grams, R = hits / reference n-grams,
 *     F1 = 2PR / (P + R), 0 when there is no hit.
 * Multiple sentences are compared as their concatenation.
 *
 * Tokens are compared by 64-bit hashes of their stems (a false match needs
 * a collision, about 1 in 10^19 per pair). Cost: linear in the texts plus
 * sorting, and O(n * m) time, O(m) memory for the LCS.
 */
#ifndef ND_ROUGE_H
#define ND_ROUGE_H

#include <stddef.h>

struct rouge_prf {
	double p, r, f;
};

struct rouge_scores {
	struct rouge_prf r1, r2, rl;
};

/* Score cand[0..cn) against ref[0..rn). 0 or -ENOMEM. An empty side scores
 * 0 everywhere. */
int rouge_score(const char *cand, size_t cn, const char *ref, size_t rn, struct rouge_scores *out);

#endif

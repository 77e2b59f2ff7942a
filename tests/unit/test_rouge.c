/* Unit tests for rouge: ROUGE-1, -2 and -L against hand-computed figures. */
#include "check.h"

#include <math.h>
#include <string.h>

#include "rouge.h"

#define CHECK_NEAR(a, b)                                                                           \
	do {                                                                                       \
		double check_x_ = (a), check_y_ = (b);                                             \
		if (fabs(check_x_ - check_y_) > 1e-9) {                                            \
			check_fail(__FILE__, __LINE__, "%s == %s: %.6f != %.6f", #a, #b, check_x_, \
			           check_y_);                                                      \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static int score(const char *c, const char *r, struct rouge_scores *s)
{
	return rouge_score(c, strlen(c), r, strlen(r), s);
}

static void test_identical(void)
{
	struct rouge_scores s;
	CHECK_INT(
	    score("The cat sat on the mat. It purred.", "The cat sat on the mat. It purred.", &s),
	    0);
	CHECK_NEAR(s.r1.f, 1.0);
	CHECK_NEAR(s.r2.f, 1.0);
	CHECK_NEAR(s.rl.f, 1.0);
	CHECK_NEAR(s.rl.p, 1.0);
}

/* cand: the cat sat on the mat; ref: the cat is on the mat.
 * Unigrams 5 of 6 on both sides; bigrams "the cat", "on the", "the mat" =
 * 3 of 5; LCS "the cat on the mat" = 5. */
static void test_small_example(void)
{
	struct rouge_scores s;
	CHECK_INT(score("the cat sat on the mat", "the cat is on the mat", &s), 0);
	CHECK_NEAR(s.r1.p, 5.0 / 6);
	CHECK_NEAR(s.r1.r, 5.0 / 6);
	CHECK_NEAR(s.r1.f, 5.0 / 6);
	CHECK_NEAR(s.r2.f, 3.0 / 5);
	CHECK_NEAR(s.rl.f, 5.0 / 6);
}

/* cand w x y z; ref w y x z q: R-1 P 4/4 R 4/5; no common bigram; LCS 3
 * (w x z): P 3/4, R 3/5. */
static void test_asymmetric(void)
{
	struct rouge_scores s;
	CHECK_INT(score("w x y z", "w y x z q", &s), 0);
	CHECK_NEAR(s.r1.p, 1.0);
	CHECK_NEAR(s.r1.r, 0.8);
	CHECK_NEAR(s.r1.f, 2 * 0.8 / 1.8);
	CHECK_NEAR(s.r2.f, 0.0);
	CHECK_NEAR(s.rl.p, 0.75);
	CHECK_NEAR(s.rl.r, 0.6);
	CHECK_NEAR(s.rl.f, 2 * 0.75 * 0.6 / 1.35);
}

/* "the" three times against once: one hit, P 1/3, R 1/2, F 0.4. */
static void test_clipped_counts(void)
{
	struct rouge_scores s;
	CHECK_INT(score("the the the", "the cat", &s), 0);
	CHECK_NEAR(s.r1.p, 1.0 / 3);
	CHECK_NEAR(s.r1.r, 0.5);
	CHECK_NEAR(s.r1.f, 0.4);
	CHECK_NEAR(s.rl.f, 0.4);
}

static void test_stemming(void)
{
	struct rouge_scores s;
	CHECK_INT(score("running runs", "run run", &s), 0);
	CHECK_NEAR(s.r1.f, 1.0);
	CHECK_NEAR(s.r2.f, 1.0);
	CHECK_NEAR(s.rl.f, 1.0);
}

static void test_case_and_punctuation(void)
{
	struct rouge_scores s;
	CHECK_INT(score("\"The CAT,\" sat -- on (the) mat!", "the cat sat on the mat", &s), 0);
	CHECK_NEAR(s.r1.f, 1.0);
	CHECK_NEAR(s.r2.f, 1.0);
	CHECK_NEAR(s.rl.f, 1.0);
}

static void test_empty(void)
{
	struct rouge_scores s;
	CHECK_INT(score("", "the cat", &s), 0);
	CHECK_NEAR(s.r1.f, 0.0);
	CHECK_NEAR(s.r2.f, 0.0);
	CHECK_NEAR(s.rl.f, 0.0);
	CHECK_INT(score("...", "", &s), 0);
	CHECK_NEAR(s.rl.f, 0.0);
}

static const struct check_case cases[] = {
    CASE(test_identical, "identical texts score 1"),
    CASE(test_small_example, "a one-word change gives hand-computed R-1 R-2 R-L"),
    CASE(test_asymmetric, "precision and recall differ when lengths differ"),
    CASE(test_clipped_counts, "repeated words count at most as often as in the reference"),
    CASE(test_stemming, "running and runs match run"),
    CASE(test_case_and_punctuation, "case and punctuation are ignored"),
    CASE(test_empty, "an empty side scores 0"),
};
CHECK_MAIN(cases)

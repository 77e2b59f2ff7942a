/* Unit tests for score: the worker's local key-point score. */
#include "check.h"

#include <string.h>

#include "ner.h"
#include "score.h"
#include "seg.h"

/* A doc of sentences only: score reads nothing else. */
static void make_doc(struct seg_doc *d, struct seg_sentence *s, size_t n)
{
	memset(d, 0, sizeof *d);
	d->sents = s;
	d->nsents = d->cap_sents = n;
}

static void test_heading_zero(void)
{
	struct seg_sentence s[] = {
	    {0, 40, 0, 6, 6, SEG_SF_HEADING | SEG_SF_PARA_START | SEG_SF_NUMBER},
	    {41, 90, 6, 20, 14, SEG_SF_PARA_START},
	};
	struct ner_mention mv[] = {
	    {0, 2, 0, 10, 0, NER_PERSON},
	    {3, 4, 20, 25, 0, NER_LOC},
	    {8, 9, 50, 55, 1, NER_ORG},
	};
	struct ner_mentions m = {mv, 3, 3};
	struct seg_doc d;
	float sc[2] = {-1, -1};
	make_doc(&d, s, 2);
	score_sentences(&d, &m, sc);
	CHECK(sc[0] == 0.0f);
	CHECK(sc[1] > 0.0f && sc[1] <= 1.0f);
}

static void test_sentence_beats_fragment(void)
{
	struct seg_sentence s[] = {
	    {0, 15, 0, 4, 3, 0},
	    {16, 140, 4, 26, 20, SEG_SF_NUMBER},
	};
	struct ner_mention mv[] = {
	    {5, 7, 20, 30, 1, NER_PERSON},
	    {9, 10, 40, 45, 1, NER_LOC},
	    {12, 13, 60, 64, 1, NER_DATE},
	};
	struct ner_mentions m = {mv, 3, 3};
	struct seg_doc d;
	float sc[2];
	make_doc(&d, s, 2);
	score_sentences(&d, &m, sc);
	CHECK(sc[1] > sc[0]);
	CHECK(sc[1] > 0.7f);
	CHECK(sc[0] < 0.3f);
}

static void test_ideal_length(void)
{
	struct seg_sentence s[] = {
	    {0, 100, 0, 20, 20, 0},
	    {101, 800, 20, 140, 120, 0},
	    {801, 840, 140, 145, 5, 0},
	};
	struct seg_doc d;
	float sc[3];
	make_doc(&d, s, 3);
	score_sentences(&d, NULL, sc);
	CHECK(sc[0] > sc[1]);
	CHECK(sc[0] > sc[2]);
	CHECK(sc[1] > 0.0f);
}

static void test_features_raise_score(void)
{
	struct seg_sentence s[] = {
	    {0, 100, 0, 20, 20, 0},
	    {0, 100, 0, 20, 20, SEG_SF_PARA_START},
	    {0, 100, 0, 20, 20, SEG_SF_NUMBER},
	    {0, 100, 0, 20, 20, SEG_SF_QUOTE},
	    {0, 100, 0, 20, 20, 0},
	};
	struct ner_mention mv[] = {{1, 2, 5, 9, 4, NER_ORG}};
	struct ner_mentions m = {mv, 1, 1};
	struct seg_doc d;
	float sc[5];
	make_doc(&d, s, 5);
	score_sentences(&d, &m, sc);
	CHECK(sc[1] > sc[0]);
	CHECK(sc[2] > sc[0]);
	CHECK(sc[3] < sc[0]);
	CHECK(sc[4] > sc[0]);
}

static void test_range(void)
{
	static const uint32_t kinds[] = {NER_PERSON, NER_ORG,   NER_LOC,    NER_MISC,
	                                 NER_DATE,   NER_MONEY, NER_PERCENT};
	struct ner_mention mv[64];
	for (uint32_t words = 0; words <= 300; words += 7) {
		for (uint32_t flags = 0; flags < 16; flags++) {
			for (uint32_t nm = 0; nm <= 64; nm += 8) {
				struct seg_sentence s = {0, 10, 0, words, words, flags};
				struct seg_doc d;
				float sc = -1.0f;
				for (uint32_t k = 0; k < nm; k++)
					mv[k] = (struct ner_mention){k,     k + 1, k,
					                             k + 1, 0,     kinds[k % 7]};
				struct ner_mentions m = {mv, nm, 64};
				make_doc(&d, &s, 1);
				score_sentences(&d, &m, &sc);
				CHECK(sc >= 0.0f && sc <= 1.0f);
				if (flags & SEG_SF_HEADING || words == 0)
					CHECK(sc == 0.0f);
			}
		}
	}
}

static void test_segmented_text(void)
{
	static const char text[] =
	    "Restoring Diplomatic Ties\n\n"
	    "Russian Foreign Minister Sergei Lavrov announced in Riyadh on Tuesday that both "
	    "countries had agreed to expedite the appointment of ambassadors to Washington "
	    "and Moscow.\n"
	    "Talks went on.";
	struct seg_doc d;
	struct ner_extractor *x = NULL;
	struct ner_mentions m = {NULL, 0, 0};
	float sc[8];
	int ok = 0;
	seg_doc_init(&d);
	if (seg_split(&d, text, strlen(text)) == 0 && d.nsents == 3 && ner_rules_open(&x) == 0 &&
	    ner_extract(x, &d, &m) == 0) {
		score_sentences(&d, &m, sc);
		ok = 1;
	}
	size_t nsents = d.nsents;
	uint32_t h = nsents ? d.sents[0].flags & SEG_SF_HEADING : 0;
	ner_mentions_free(&m);
	ner_close(x);
	seg_doc_free(&d);
	CHECK_INT(nsents, 3);
	CHECK(ok);
	CHECK(h);
	CHECK(sc[0] == 0.0f);
	CHECK(sc[1] > sc[2]);
	CHECK(sc[1] <= 1.0f && sc[2] > 0.0f);
}

static const struct check_case cases[] = {
    CASE(test_heading_zero, "headings score zero"),
    CASE(test_sentence_beats_fragment, "a full sentence with names and a number beats a fragment"),
    CASE(test_ideal_length, "ideal length beats very long and very short"),
    CASE(test_features_raise_score, "paragraph start numbers and names raise and quotes lower"),
    CASE(test_range, "scores stay within zero and one"),
    CASE(test_segmented_text, "segmented and tagged text is scored"),
};

CHECK_MAIN(cases)

/*
 * score: the worker's local key-point score of each sentence.
 *
 * The formula, for a sentence of w words (word and number tokens) with m
 * named mentions (PERSON, ORG, LOC, MISC):
 *
 *     score = L(w) * (0.40 + 0.35 * E + 0.10 * N + 0.15 * P) * (Q ? 0.85 : 1)
 *
 *   L(w) = w / 12                      for w < 12 (fragments, captions)
 *        = 1                           for 12 <= w <= 35 (the ideal range)
 *        = max(0.25, 1 - (w - 35) / 60) for w > 35 (run-ons, lists)
 *   E    = 1 - 0.5^m: 0, 0.5, 0.75, 0.875 ... (each further name adds less)
 *   N    = 1 when the sentence holds a number (SEG_SF_NUMBER) or a DATE,
 *          MONEY or PERCENT mention, else 0
 *   P    = 1 when the sentence opens a paragraph (news paragraphs lead with
 *          their point), else 0
 *   Q    = the sentence holds quoted speech: quotes are colour more often
 *          than they are the story, so they lose 15%.
 *
 * The weights sum to 1, so the score lies in [0, 1]; headings and empty
 * sentences score 0. A plain 20-word sentence scores 0.40, the same with two
 * names and a figure 0.76, a 3-word fragment at most 0.25. The weights are
 * hand-set; the sink combines this score with article-level evidence, so
 * only the order it induces inside a chunk matters much.
 *
 * Mentions are matched to sentences with one cursor, relying on ner.h's
 * guarantee that they come in text order; nothing is allocated.
 */
#include "score.h"

#include <math.h>

static float length_factor(uint32_t w)
{
	if (w < 12)
		return (float)w / 12.0f;
	if (w <= 35)
		return 1.0f;
	float l = 1.0f - (float)(w - 35) / 60.0f;
	return l < 0.25f ? 0.25f : l;
}

void score_sentences(const struct seg_doc *doc, const struct ner_mentions *m, float *scores)
{
	size_t j = 0, nm = m ? m->n : 0;
	for (size_t s = 0; s < doc->nsents; s++) {
		const struct seg_sentence *st = &doc->sents[s];
		unsigned named = 0;
		int number = (st->flags & SEG_SF_NUMBER) != 0;

		while (j < nm && m->v[j].sentence < s)
			j++;
		for (; j < nm && m->v[j].sentence == s; j++) {
			uint32_t t = m->v[j].type;
			if (t == NER_DATE || t == NER_MONEY || t == NER_PERCENT)
				number = 1;
			else if (t != NER_NONE)
				named++;
		}
		if ((st->flags & SEG_SF_HEADING) || st->words == 0) {
			scores[s] = 0.0f;
			continue;
		}
		float e = 1.0f - powf(0.5f, (float)named);
		float p = (st->flags & SEG_SF_PARA_START) ? 1.0f : 0.0f;
		float v = length_factor(st->words) *
		          (0.40f + 0.35f * e + 0.10f * (float)number + 0.15f * p);
		if (st->flags & SEG_SF_QUOTE)
			v *= 0.85f;
		scores[s] = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
	}
}

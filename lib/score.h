/*
 * score: the worker's local key-point score of each sentence.
 *
 * The worker sees one chunk, not the article, so this score uses only what
 * a sentence shows by itself: its length in words (very short and very long
 * sentences are poor key points), entity mentions (news key points name
 * people, places and organisations), numbers, quoted speech, and whether it
 * opens a paragraph. Headings score 0. The sink combines this score with
 * article-level evidence (position, centrality, title overlap, redundancy).
 */
#ifndef ND_SCORE_H
#define ND_SCORE_H

#include "ner.h"
#include "seg.h"

/* Write one score in [0, 1] per sentence of doc into scores[0..doc->nsents). */
void score_sentences(const struct seg_doc *doc, const struct ner_mentions *m, float *scores);

#endif

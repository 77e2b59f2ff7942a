/* libFuzzer target: normalisation, segmentation, chunking and entity
 * extraction (the trained tagger and the rules) over arbitrary bytes, as
 * an article body would reach them. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "chunk.h"
#include "ner.h"
#include "score.h"
#include "seg.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ner_extractor *ner;
	static struct seg_doc doc;
	static struct ner_mentions m;
	static struct chunk_list chunks;
	static struct buf norm;
	if (!ner) {
		/* The worker's extractor: the committed tagger model plus rules. */
		char err[4200];
		if (ner_open(NULL, &ner, err, sizeof err)) {
			fprintf(stderr, "fuzz_text: %s\n", err);
			abort();
		}
		seg_doc_init(&doc);
	}
	/* Raw bytes first (the segmenter must survive anything), then the
	 * normalised text the pipeline really feeds it. */
	seg_split(&doc, (const char *)data, size);
	ner_extract(ner, &doc, &m);
	if (text_normalize(&norm, (const char *)data, size, NULL) == 0 && norm.p) {
		seg_split(&doc, norm.p, norm.len);
		ner_extract(ner, &doc, &m);
		float *scores = malloc((doc.nsents + 1) * sizeof *scores);
		if (scores)
			score_sentences(&doc, &m, scores);
		free(scores);
		chunk_split(norm.p, norm.len, 64, &doc, &chunks);
	}
	return 0;
}

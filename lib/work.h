/*
 * work: what a worker does with one chunk, as a library call, so the worker
 * program, the benchmarks and the tests run exactly the same code.
 *
 * work_chunk() segments the chunk's text, flags bylines, captions and
 * fragments (sentkind.h), extracts entity mentions (none from bylines),
 * scores sentences locally, computes each sentence's terms (terms.h) and
 * encodes the ChunkResult into `out`. All scratch
 * memory lives in the struct work and is reused from chunk to chunk.
 * A chunk the producer rejected (Chunk.error set), or one the NLP core
 * cannot process, yields a result with `error` set rather than no result,
 * so the sink can finish the article as failed.
 *
 * The article step. With `article_step` set (work_set_article_step()), a
 * chunk that is a whole article (total == 1) also gets its digest built
 * here, by the same summary_build() the sink runs, and the result carries
 * the digest instead of its sentences and mentions: the sink then only
 * stores and publishes it. That moves the article step, which is most of
 * the sink's CPU, to the processes that scale with the input.
 */
#ifndef ND_WORK_H
#define ND_WORK_H

#include "buf.h"
#include "digest.pb-c.h"
#include "ner.h"
#include "seg.h"
#include "terms.h"

#include <stdbool.h>

struct work {
	struct ner_extractor *ner; /* borrowed */
	const char *worker_name;   /* borrowed: "host:pid" */
	struct seg_doc doc;
	struct ner_mentions mentions;
	float *scores;
	size_t cap_scores;
	struct buf strings; /* NUL-terminated copies of sentence and mention texts */
	Nd__Sentence *sents;
	Nd__Sentence **sent_ptrs;
	size_t cap_sents;
	Nd__Mention *ments;
	Nd__Mention **ment_ptrs;
	size_t cap_ments;
	size_t tokens;      /* tokens seen in the last chunk (for benchmarks) */
	struct terms terms; /* sentence terms (terms.h) */
	bool terms_ok;      /* false: no stemmer, so no terms are sent */
	uint64_t *termbuf;  /* every sentence's terms, back to back */
	size_t cap_termbuf;
	size_t *term_span; /* per sentence, its [start, end) in termbuf */
	size_t cap_spans;
	bool article_step;     /* build one-chunk articles' digests here */
	int key_points;        /* summary_opts.key_points for them */
	const struct idf *idf; /* borrowed: keyword weights for them, or NULL */
	struct summary *sum;   /* the last digest built, kept until the next chunk */
};

void work_init(struct work *w, struct ner_extractor *ner, const char *worker_name);
/* Build the digests of one-chunk articles in the worker (see above), with
 * key_points and idf (borrowed; NULL: none) as the sink would use them. */
void work_set_article_step(struct work *w, int key_points, const struct idf *idf);
/* Process chunk c; the encoded ChunkResult replaces out's contents. 0 or
 * -ENOMEM (in which case nothing could be encoded). */
int work_chunk(struct work *w, const Nd__Chunk *c, struct buf *out);
void work_free(struct work *w);

#endif

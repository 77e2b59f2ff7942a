/*
 * summary: the sink's article-level step. Given every chunk result of one
 * article, in seq order, build its Digest:
 *   - sentences renumbered per article (chunk order, then index in chunk);
 *   - entities: mentions merged into one entity per referent (possessives
 *     stripped, known aliases joined: "U.S."/"US"/"United States"; a lone
 *     surname joined to the full name: "Waltz" -> "Mike Waltz"), one type by
 *     vote, count, aliases, salience in [0, 1] from count, first position
 *     and spread; sorted by salience, highest first;
 *   - key points: whole sentences, never headings, chosen by the worker's
 *     local score combined with position, centrality against the article,
 *     overlap with the title and redundancy removal; returned in article
 *     order; how many depends on the article's length unless set;
 *   - keywords: ranked phrases of content words;
 *   - stats: chunks, sentences (not counting headings), words, bytes.
 * A chunk result with an error, or an article without any sentence, gives a
 * failed digest carrying the reason.
 *
 * The digest and every string and array it points to belong to the
 * struct summary and are freed with it.
 */
#ifndef ND_SUMMARY_H
#define ND_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "digest.pb-c.h"

struct summary_opts {
	int key_points;               /* 0: chosen by the article's length */
	const char *pipeline_version; /* copied into the digest */
	uint64_t created_at_us;       /* copied into the digest */
	struct terms *terms;          /* tokenizer and stemmer to use; NULL: one per call */
	const struct idf *idf;        /* background weights for keywords; NULL: none */
};

struct summary;
struct terms;
struct idf;

/* Build the digest of an article from its n chunk results parts[0..n),
 * where parts[i]->seq == i and n == parts[0]->total. 0, -ENOMEM, or
 * -EINVAL if the parts do not form one whole article. */
int summary_build(struct summary **out, const Nd__ChunkResult *const *parts, size_t n,
                  const struct summary_opts *opts);

/* A failed digest for an article that could not be processed at all. */
int summary_failed(struct summary **out, const char *article_id, const char *source,
                   const char *title, const char *error, const struct summary_opts *opts);

const Nd__Digest *summary_digest(const struct summary *s);
/* Safe on NULL. */
void summary_free(struct summary *s);

#endif

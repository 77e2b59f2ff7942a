/* work: see work.h. */
#include "work.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"
#include "sentkind.h"
#include "summary.h"
#include "wire.h"

void work_init(struct work *w, struct ner_extractor *ner, const char *worker_name)
{
	memset(w, 0, sizeof *w);
	w->ner = ner;
	w->worker_name = worker_name;
	seg_doc_init(&w->doc);
	w->terms_ok = terms_init(&w->terms) == 0;
}

void work_set_article_step(struct work *w, int key_points, const struct idf *idf)
{
	/* Without a stemmer the sink computes the terms itself; so it builds
	 * the digest too. */
	w->article_step = w->terms_ok;
	w->key_points = key_points;
	w->idf = idf;
}

/* The article step on a chunk that is the whole article; on success the
 * digest replaces the sentences and mentions in r. On failure (out of
 * memory) r is left as it is, for the sink to build the digest. */
static void build_digest(struct work *w, Nd__ChunkResult *r)
{
	summary_free(w->sum);
	w->sum = NULL;
	const struct summary_opts so = {w->key_points, ND_VERSION, wire_now_us(), &w->terms,
	                                w->idf};
	const Nd__ChunkResult *parts[1] = {r};
	if (summary_build(&w->sum, parts, 1, &so))
		return;
	r->digest = (Nd__Digest *)summary_digest(w->sum);
	r->key_points = (uint32_t)w->key_points;
	r->n_sentences = 0;
	r->sentences = NULL;
	r->n_mentions = 0;
	r->mentions = NULL;
}

void work_free(struct work *w)
{
	seg_doc_free(&w->doc);
	ner_mentions_free(&w->mentions);
	free(w->scores);
	buf_free(&w->strings);
	free(w->sents);
	free(w->sent_ptrs);
	free(w->ments);
	free(w->ment_ptrs);
	free(w->termbuf);
	free(w->term_span);
	terms_free(&w->terms);
	summary_free(w->sum);
	memset(w, 0, sizeof *w);
}

static int grow_arrays(struct work *w, size_t nsents, size_t nments)
{
	if (nsents > w->cap_sents) {
		size_t cap = nsents * 2;
		float *sc = realloc(w->scores, cap * sizeof *sc);
		if (sc)
			w->scores = sc;
		Nd__Sentence *s = realloc(w->sents, cap * sizeof *s);
		if (s)
			w->sents = s;
		Nd__Sentence **sp = realloc(w->sent_ptrs, cap * sizeof *sp);
		if (sp)
			w->sent_ptrs = sp;
		if (!sc || !s || !sp)
			return -ENOMEM;
		w->cap_sents = cap;
	}
	if (nments > w->cap_ments) {
		size_t cap = nments * 2;
		Nd__Mention *m = realloc(w->ments, cap * sizeof *m);
		if (m)
			w->ments = m;
		Nd__Mention **mp = realloc(w->ment_ptrs, cap * sizeof *mp);
		if (mp)
			w->ment_ptrs = mp;
		if (!m || !mp)
			return -ENOMEM;
		w->cap_ments = cap;
	}
	return 0;
}

static int grow_spans(struct work *w, size_t nsents)
{
	if (nsents <= w->cap_spans)
		return 0;
	size_t cap = nsents * 2;
	size_t *sp = realloc(w->term_span, cap * 2 * sizeof *sp);
	if (!sp)
		return -ENOMEM;
	w->term_span = sp;
	w->cap_spans = cap;
	return 0;
}

/* Bylines name the writer, not someone in the story. */
static void drop_byline_mentions(struct work *w)
{
	size_t k = 0;
	for (size_t i = 0; i < w->mentions.n; i++) {
		const struct ner_mention *m = &w->mentions.v[i];
		if (!(w->doc.sents[m->sentence].flags & SEG_SF_BYLINE))
			w->mentions.v[k++] = *m;
	}
	w->mentions.n = k;
}

/* Every non-heading sentence's content terms into w->termbuf, and each
 * sentence's [start, end) there into w->term_span. */
static int sentence_terms(struct work *w, const char *text)
{
	size_t n = 0;
	if (grow_spans(w, w->doc.nsents))
		return -ENOMEM;
	for (size_t i = 0; i < w->doc.nsents; i++) {
		const struct seg_sentence *s = &w->doc.sents[i];
		w->term_span[2 * i] = w->term_span[2 * i + 1] = n;
		if (!w->terms_ok || (s->flags & SEG_SF_HEADING))
			continue;
		if (terms_tokenize(&w->terms, text + s->start, s->end - s->start))
			return -ENOMEM;
		for (size_t t = 0; t < w->terms.ntoks; t++) {
			if (w->terms.toks[t].kind != TERMS_CONTENT)
				continue;
			if (n == w->cap_termbuf) {
				size_t cap = w->cap_termbuf ? w->cap_termbuf * 2 : 1024;
				uint64_t *b = realloc(w->termbuf, cap * sizeof *b);
				if (!b)
					return -ENOMEM;
				w->termbuf = b;
				w->cap_termbuf = cap;
			}
			w->termbuf[n++] = w->terms.toks[t].term;
		}
		w->term_span[2 * i + 1] = n;
	}
	return 0;
}

static void result_header(Nd__ChunkResult *r, const Nd__Chunk *c, const struct work *w)
{
	r->schema = WIRE_SCHEMA;
	r->article_id = c->article_id;
	r->seq = c->seq;
	r->total = c->total;
	r->attempt = c->attempt;
	r->worker = (char *)w->worker_name;
	r->source = c->source;
	r->title = c->title;
	r->offset = c->offset;
	r->sent_at_us = c->sent_at_us;
	r->model = (char *)ner_name(w->ner);
	r->bytes = (uint32_t)strlen(c->text);
}

int work_chunk(struct work *w, const Nd__Chunk *c, struct buf *out)
{
	Nd__ChunkResult r = ND__CHUNK_RESULT__INIT;
	result_header(&r, c, w);
	w->tokens = 0;
	if (c->error && *c->error) {
		r.error = c->error;
		return wire_encode(&r.base, out);
	}

	const char *text = c->text;
	size_t len = r.bytes;
	int rc = seg_split(&w->doc, text, len);
	if (!rc) {
		sentkind_mark(&w->doc);
		rc = ner_extract(w->ner, &w->doc, &w->mentions);
	}
	if (!rc)
		drop_byline_mentions(w);
	if (!rc)
		rc = sentence_terms(w, text);
	if (!rc)
		rc = grow_arrays(w, w->doc.nsents, w->mentions.n);
	/* Room for every sentence and mention text plus their NULs, reserved
	 * up front so the pointers into w->strings stay valid. */
	buf_reset(&w->strings);
	size_t need = 0;
	for (size_t i = 0; !rc && i < w->doc.nsents; i++)
		need += w->doc.sents[i].end - w->doc.sents[i].start + 1;
	for (size_t i = 0; !rc && i < w->mentions.n; i++)
		need += w->mentions.v[i].end - w->mentions.v[i].start + 1;
	if (!rc && buf_reserve(&w->strings, need))
		rc = -ENOMEM;
	if (rc) {
		r.error = "the NLP core ran out of memory on this chunk";
		return wire_encode(&r.base, out);
	}
	w->tokens = w->doc.ntoks;
	score_sentences(&w->doc, &w->mentions, w->scores);

	char *p = w->strings.p;
	for (size_t i = 0; i < w->doc.nsents; i++) {
		const struct seg_sentence *s = &w->doc.sents[i];
		Nd__Sentence *ps = &w->sents[i];
		nd__sentence__init(ps);
		size_t n = s->end - s->start;
		memcpy(p, text + s->start, n);
		p[n] = 0;
		ps->text = p;
		p += n + 1;
		ps->index = (uint32_t)i;
		ps->offset = s->start;
		ps->words = s->words;
		ps->score = w->scores[i];
		ps->flags = s->flags;
		ps->n_terms = w->term_span[2 * i + 1] - w->term_span[2 * i];
		ps->terms = ps->n_terms ? w->termbuf + w->term_span[2 * i] : NULL;
		w->sent_ptrs[i] = ps;
	}
	for (size_t i = 0; i < w->mentions.n; i++) {
		const struct ner_mention *m = &w->mentions.v[i];
		Nd__Mention *pm = &w->ments[i];
		nd__mention__init(pm);
		size_t n = m->end - m->start;
		memcpy(p, text + m->start, n);
		p[n] = 0;
		pm->text = p;
		p += n + 1;
		pm->type = (Nd__EntityType)m->type;
		pm->sentence = m->sentence;
		pm->offset = m->start;
		w->ment_ptrs[i] = pm;
	}
	r.n_sentences = w->doc.nsents;
	r.sentences = w->sent_ptrs;
	r.n_mentions = w->mentions.n;
	r.mentions = w->ment_ptrs;
	r.words = (uint32_t)seg_words(&w->doc);
	if (w->article_step && c->total == 1 && c->seq == 0)
		build_digest(w, &r);
	return wire_encode(&r.base, out);
}

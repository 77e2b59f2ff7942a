/*
 * Tests of terms.h (tokens, stop words, stems) and of the terms the worker
 * step sends with each sentence.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ner.h"
#include "terms.h"
#include "wire.h"
#include "work.h"

static struct terms T;

/* The i-th token's lower-cased text. */
static const char *word(size_t i)
{
	static char b[128];
	size_t n = T.toks[i].len < sizeof b - 1 ? T.toks[i].len : sizeof b - 1;
	memcpy(b, T.low + T.toks[i].off, n);
	b[n] = 0;
	return b;
}

static uint64_t term_of(const char *w)
{
	if (terms_tokenize(&T, w, strlen(w)) || T.ntoks != 1)
		return 0;
	return T.toks[0].term;
}

static void test_tokens(void)
{
	CHECK_INT(terms_init(&T), 0);
	const char *s = "Putin’s envoy said the long-term deal, worth 4,000 euros, don't end.";
	CHECK_INT(terms_tokenize(&T, s, strlen(s)), 0);
	CHECK_STR(word(0), "putin"); /* the clitic is cut */
	CHECK_INT(T.toks[0].kind, TERMS_CONTENT);
	CHECK_STR(word(3), "the");
	CHECK_INT(T.toks[3].kind, TERMS_STOP);
	CHECK_STR(word(4), "long-term");
	CHECK_INT(T.toks[4].kind, TERMS_CONTENT);
	CHECK_STR(word(7), "4"); /* "4,000": numbers never become terms */
	CHECK_INT(T.toks[7].kind, TERMS_NUMBER);
	size_t k = 0;
	while (k < T.ntoks && strcmp(word(k), "don't"))
		k++;
	CHECK(k < T.ntoks);
	CHECK_INT(T.toks[k].kind, TERMS_STOP); /* the apostrophe is ASCII now */
	/* Punctuation between two tokens is remembered. */
	CHECK(T.toks[6].brk); /* ", worth" */
	CHECK(!T.toks[1].brk);
	terms_free(&T);
}

static void test_stems(void)
{
	CHECK_INT(terms_init(&T), 0);
	uint64_t talk = term_of("talk");
	CHECK(talk != 0);
	CHECK(term_of("talks") == talk);
	CHECK(term_of("Talked") == talk);
	CHECK(term_of("TALKING") == talk);
	CHECK(term_of("negotiations") == term_of("negotiation"));
	CHECK(term_of("talk") != term_of("walk"));
	/* The term is the hash of the stem. */
	CHECK(term_of("talks") == terms_hash("talk", 4));
	terms_free(&T);
}

static void test_stop_words(void)
{
	CHECK(terms_is_stop("the", 3));
	CHECK(terms_is_stop("would", 5));
	CHECK(terms_is_stop("you've", 6));
	CHECK(!terms_is_stop("harbour", 7));
	CHECK(!terms_is_stop("th", 2));
	CHECK(!terms_is_stop("", 0));
}

/* The worker's result carries each sentence's terms, the same as the
 * tokenizer gives, and no mention from a byline. */
static void test_work_terms(void)
{
	struct ner_extractor *ner;
	CHECK_INT(ner_rules_open(&ner), 0);
	struct work w;
	work_init(&w, ner, "t");
	Nd__Chunk c = ND__CHUNK__INIT;
	c.schema = WIRE_SCHEMA;
	c.article_id = "a";
	c.total = 1;
	c.text = "By Jane Doe and John Roe\n\n"
	         "Harbour talks resumed in Oslo on Monday after the strike.\n\n"
	         "Dockers talked for hours.";
	struct buf out = BUF_INIT;
	CHECK_INT(work_chunk(&w, &c, &out), 0);
	Nd__ChunkResult *r = NULL;
	CHECK_INT(wire_decode_result(out.p, out.len, &r), 0);
	CHECK_INT(r->n_sentences, 3);
	CHECK(r->sentences[0]->flags & ND__SENTENCE_FLAG__SENTENCE_BYLINE);
	for (size_t i = 0; i < r->n_mentions; i++) {
		CHECK(r->mentions[i]->sentence != 0);
		CHECK(strcmp(r->mentions[i]->text, "Jane Doe"));
	}
	CHECK_INT(terms_init(&T), 0);
	const Nd__Sentence *s1 = r->sentences[1];
	CHECK_INT(terms_tokenize(&T, s1->text, strlen(s1->text)), 0);
	size_t k = 0;
	for (size_t i = 0; i < T.ntoks; i++)
		if (T.toks[i].kind == TERMS_CONTENT) {
			CHECK(k < s1->n_terms);
			CHECK(s1->terms[k] == T.toks[i].term);
			k++;
		}
	CHECK_INT(k, s1->n_terms);
	CHECK(k >= 5);
	/* "talks" and "talked" are one term across sentences. */
	const Nd__Sentence *s2 = r->sentences[2];
	CHECK(s2->n_terms >= 2);
	CHECK(s1->terms[1] == s2->terms[1]);
	terms_free(&T);
	wire_free(&r->base);
	buf_free(&out);
	work_free(&w);
	ner_close(ner);
}

static const struct check_case cases[] = {
    CASE(test_tokens, "tokens are lower-cased words with clitics cut"),
    CASE(test_stems, "inflected forms share one stemmed term"),
    CASE(test_stop_words, "stop words are recognised"),
    CASE(test_work_terms, "the worker sends each sentence's terms and no byline mentions"),
};

CHECK_MAIN(cases)

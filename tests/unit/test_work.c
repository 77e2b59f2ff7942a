/* work: the worker's step on one chunk, with and without the article step. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ner.h"
#include "render.h"
#include "summary.h"
#include "wire.h"
#include "work.h"

static const char text[] =
    "Port Aldwin council approved a new harbour bridge on Monday. Mayor Helena Vasquez "
    "said the bridge would open in 2027. Critics said the cost had doubled since 2019.";

/* Run work_chunk on text as chunk seq of total, decoded as the sink gets it;
 * NULL if either fails. */
static Nd__ChunkResult *run(struct work *w, uint32_t seq, uint32_t total)
{
	Nd__Chunk c = ND__CHUNK__INIT;
	c.schema = WIRE_SCHEMA;
	c.article_id = "a-1";
	c.seq = seq;
	c.total = total;
	c.attempt = 1;
	c.source = "test";
	c.title = "Bridge approved";
	c.text = (char *)text;
	struct buf out = BUF_INIT;
	Nd__ChunkResult *r = NULL;
	if (work_chunk(w, &c, &out) || wire_decode_result(out.p, out.len, &r))
		r = NULL;
	buf_free(&out);
	return r;
}

static void a_one_chunk_article_leaves_with_its_digest(void)
{
	struct ner_extractor *ner = NULL;
	CHECK_INT(ner_rules_open(&ner), 0);
	struct work w;
	work_init(&w, ner, "test:1");
	work_set_article_step(&w, 2, NULL);
	Nd__ChunkResult *r = run(&w, 0, 1);
	CHECK(r != NULL);
	CHECK(r->digest != NULL);
	CHECK(strcmp(r->digest->article_id, "a-1") == 0);
	CHECK_INT((int)r->digest->status, ND__STATUS__STATUS_OK);
	CHECK_INT((int)r->digest->n_key_points, 2);
	CHECK_INT((int)r->key_points, 2);
	/* The sink needs neither, so neither is sent. */
	CHECK_INT((int)r->n_sentences, 0);
	CHECK_INT((int)r->n_mentions, 0);
	wire_free(&r->base);
	work_free(&w);
	ner_close(ner);
}

static void a_digest_built_here_equals_the_sinks(void)
{
	struct ner_extractor *ner = NULL;
	CHECK_INT(ner_rules_open(&ner), 0);
	struct work w;
	work_init(&w, ner, "test:1");
	/* Without the article step: what the sink receives and summarises. */
	Nd__ChunkResult *plain = run(&w, 0, 1);
	CHECK(plain != NULL);
	CHECK(plain->digest == NULL);
	CHECK(plain->n_sentences == 3);
	struct summary *s = NULL;
	const struct summary_opts so = {0, ND_VERSION, 0, NULL, NULL};
	const Nd__ChunkResult *parts[1] = {plain};
	CHECK_INT(summary_build(&s, parts, 1, &so), 0);
	struct buf sink_json = BUF_INIT, worker_json = BUF_INIT;
	CHECK_INT(render_json(summary_digest(s), &sink_json), 0);

	work_set_article_step(&w, 0, NULL);
	Nd__ChunkResult *built = run(&w, 0, 1);
	CHECK(built != NULL);
	CHECK(built->digest != NULL);
	CHECK_INT(render_json(built->digest, &worker_json), 0);
	CHECK(strcmp(sink_json.p, worker_json.p) == 0);

	buf_free(&sink_json);
	buf_free(&worker_json);
	summary_free(s);
	wire_free(&plain->base);
	wire_free(&built->base);
	work_free(&w);
	ner_close(ner);
}

static void a_chunk_of_a_longer_article_goes_to_the_sink_whole(void)
{
	struct ner_extractor *ner = NULL;
	CHECK_INT(ner_rules_open(&ner), 0);
	struct work w;
	work_init(&w, ner, "test:1");
	work_set_article_step(&w, 0, NULL);
	Nd__ChunkResult *r = run(&w, 1, 2);
	CHECK(r != NULL);
	CHECK(r->digest == NULL);
	CHECK_INT((int)r->n_sentences, 3);
	CHECK(r->n_mentions > 0);
	wire_free(&r->base);
	work_free(&w);
	ner_close(ner);
}

static const struct check_case cases[] = {
    CASE(a_one_chunk_article_leaves_with_its_digest,
         "a one-chunk article leaves the worker with its digest"),
    CASE(a_digest_built_here_equals_the_sinks, "a digest built by the worker equals the sink's"),
    CASE(a_chunk_of_a_longer_article_goes_to_the_sink_whole,
         "a chunk of a longer article goes to the sink whole"),
};
CHECK_MAIN(cases)

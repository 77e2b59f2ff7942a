/* wire: protobuf round trips and the checks on untrusted frames. */
#include <stdlib.h>

#include "check.h"
#include "wire.h"

static void chunk_round_trip(void)
{
	Nd__Chunk c = ND__CHUNK__INIT;
	c.schema = WIRE_SCHEMA;
	c.article_id = "a0123";
	c.seq = 2;
	c.total = 3;
	c.attempt = 1;
	c.source = "Reuters";
	c.title = "Talks in Riyadh";
	c.text = "Diplomats met in Riyadh. They agreed “to talk”.";
	c.sent_at_us = 1234567890123ULL;
	c.offset = 4096;
	struct buf b = BUF_INIT;
	CHECK_INT(wire_encode(&c.base, &b), 0);
	Nd__Chunk *d = NULL;
	CHECK_INT(wire_decode_chunk(b.p, b.len, &d), 0);
	CHECK_STR(d->article_id, "a0123");
	CHECK_INT(d->seq, 2);
	CHECK_INT(d->total, 3);
	CHECK_INT(d->attempt, 1);
	CHECK_STR(d->source, "Reuters");
	CHECK_STR(d->title, "Talks in Riyadh");
	CHECK_STR(d->text, c.text);
	CHECK_INT(d->sent_at_us, 1234567890123ULL);
	CHECK_INT(d->offset, 4096);
	CHECK_STR(d->error, "");
	wire_free(&d->base);
	buf_free(&b);
}

static void result_round_trip_keeps_sentences_and_mentions(void)
{
	Nd__Sentence s0 = ND__SENTENCE__INIT, s1 = ND__SENTENCE__INIT;
	s0.text = "Waltz spoke.";
	s0.words = 2;
	s0.score = 0.5f;
	s1.text = "He left.";
	s1.index = 1;
	s1.offset = 13;
	s1.flags = 4;
	Nd__Sentence *sents[] = {&s0, &s1};
	Nd__Mention m = ND__MENTION__INIT;
	m.text = "Waltz";
	m.type = ND__ENTITY_TYPE__ENTITY_PERSON;
	Nd__Mention *ments[] = {&m};
	Nd__ChunkResult r = ND__CHUNK_RESULT__INIT;
	r.schema = WIRE_SCHEMA;
	r.article_id = "x";
	r.total = 1;
	r.n_sentences = 2;
	r.sentences = sents;
	r.n_mentions = 1;
	r.mentions = ments;
	struct buf b = BUF_INIT;
	CHECK_INT(wire_encode(&r.base, &b), 0);
	Nd__ChunkResult *d = NULL;
	CHECK_INT(wire_decode_result(b.p, b.len, &d), 0);
	CHECK_INT(d->n_sentences, 2);
	CHECK_STR(d->sentences[1]->text, "He left.");
	CHECK_INT(d->sentences[1]->offset, 13);
	CHECK_INT(d->sentences[1]->flags, 4);
	CHECK(d->sentences[0]->score == 0.5f);
	CHECK_INT(d->n_mentions, 1);
	CHECK_STR(d->mentions[0]->text, "Waltz");
	CHECK_INT(d->mentions[0]->type, ND__ENTITY_TYPE__ENTITY_PERSON);
	wire_free(&d->base);
	buf_free(&b);
}

static void digest_and_ack_round_trip(void)
{
	Nd__Entity e = ND__ENTITY__INIT;
	char *aliases[] = {"Waltz"};
	e.name = "Mike Waltz";
	e.type = ND__ENTITY_TYPE__ENTITY_PERSON;
	e.mentions = 3;
	e.n_aliases = 1;
	e.aliases = aliases;
	e.salience = 0.71f;
	Nd__Entity *ents[] = {&e};
	Nd__Stats st = ND__STATS__INIT;
	st.chunks = 2;
	st.words = 900;
	Nd__Digest d = ND__DIGEST__INIT;
	d.schema = WIRE_SCHEMA;
	d.article_id = "a1";
	d.status = ND__STATUS__STATUS_OK;
	d.n_entities = 1;
	d.entities = ents;
	d.stats = &st;
	struct buf b = BUF_INIT;
	CHECK_INT(wire_encode(&d.base, &b), 0);
	Nd__Digest *x = NULL;
	CHECK_INT(wire_decode_digest(b.p, b.len, &x), 0);
	CHECK_STR(x->entities[0]->name, "Mike Waltz");
	CHECK_STR(x->entities[0]->aliases[0], "Waltz");
	CHECK_INT(x->stats->chunks, 2);
	CHECK_INT(x->stats->words, 900);
	wire_free(&x->base);

	Nd__Ack a = ND__ACK__INIT;
	a.schema = WIRE_SCHEMA;
	a.article_id = "a1";
	a.status = ND__STATUS__STATUS_FAILED;
	a.error = "too large";
	CHECK_INT(wire_encode(&a.base, &b), 0);
	Nd__Ack *y = NULL;
	CHECK_INT(wire_decode_ack(b.p, b.len, &y), 0);
	CHECK_INT(y->status, ND__STATUS__STATUS_FAILED);
	CHECK_STR(y->error, "too large");
	wire_free(&y->base);
	buf_free(&b);
}

static void malformed_frames_are_rejected(void)
{
	static const unsigned char junk[][8] = {
	    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	    {0x12, 0x7f, 'a', 'b'}, /* string field claiming 127 bytes */
	    {0x0a},
	};
	for (size_t i = 0; i < 3; i++) {
		Nd__Chunk *c = (Nd__Chunk *)1;
		CHECK_INT(wire_decode_chunk(junk[i], i == 0 ? 8 : i == 1 ? 4 : 1, &c), WIRE_EPARSE);
		CHECK(c == NULL);
	}
	/* Random bytes never crash the decoder. */
	unsigned char buf[256];
	unsigned x = 12345;
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(x % sizeof buf);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
		}
		Nd__ChunkResult *r = NULL;
		if (wire_decode_result(buf, n, &r) == 0)
			wire_free(&r->base);
	}
}

static void missing_or_newer_schema_is_rejected(void)
{
	Nd__Ack a = ND__ACK__INIT;
	a.article_id = "a1";
	struct buf b = BUF_INIT;
	Nd__Ack *y = NULL;
	CHECK_INT(wire_encode(&a.base, &b), 0);
	CHECK_INT(wire_decode_ack(b.p, b.len, &y), WIRE_ESCHEMA);
	a.schema = WIRE_SCHEMA + 1;
	CHECK_INT(wire_encode(&a.base, &b), 0);
	CHECK_INT(wire_decode_ack(b.p, b.len, &y), WIRE_ESCHEMA);
	buf_free(&b);
}

static void invalid_utf8_strings_are_rejected(void)
{
	Nd__Sentence s = ND__SENTENCE__INIT;
	s.text = "bad \xC3\x28 byte"; /* nested: inside a repeated message */
	Nd__Sentence *sents[] = {&s};
	Nd__ChunkResult r = ND__CHUNK_RESULT__INIT;
	r.schema = WIRE_SCHEMA;
	r.article_id = "x";
	r.total = 1;
	r.n_sentences = 1;
	r.sentences = sents;
	struct buf b = BUF_INIT;
	Nd__ChunkResult *d = NULL;
	CHECK_INT(wire_encode(&r.base, &b), 0);
	CHECK_INT(wire_decode_result(b.p, b.len, &d), WIRE_EUTF8);
	CHECK(d == NULL);
	buf_free(&b);
}

static void errors_have_messages(void)
{
	CHECK_STR(wire_strerror(WIRE_EPARSE), "malformed protobuf frame");
	CHECK(strstr(wire_strerror(WIRE_ESCHEMA), "schema") != NULL);
	CHECK(strstr(wire_strerror(WIRE_EUTF8), "UTF-8") != NULL);
}

static const struct check_case cases[] = {
    CASE(chunk_round_trip, "a chunk survives encode and decode"),
    CASE(result_round_trip_keeps_sentences_and_mentions,
         "a chunk result keeps its sentences and mentions"),
    CASE(digest_and_ack_round_trip, "digests and acks survive encode and decode"),
    CASE(malformed_frames_are_rejected, "malformed frames are rejected without crashing"),
    CASE(missing_or_newer_schema_is_rejected, "a missing or newer schema version is rejected"),
    CASE(invalid_utf8_strings_are_rejected, "invalid UTF-8 in a nested string is rejected"),
    CASE(errors_have_messages, "every wire error has a message"),
};
CHECK_MAIN(cases)

/* assemble: articles from chunk results in any order, duplicates dropped. */
#include <stdio.h>
#include <stdlib.h>

#include "assemble.h"
#include "check.h"
#include "wire.h"

/* A heap-allocated result, as if decoded from the wire. */
static Nd__ChunkResult *result(const char *id, uint32_t seq, uint32_t total, uint32_t attempt)
{
	Nd__ChunkResult r = ND__CHUNK_RESULT__INIT;
	r.schema = WIRE_SCHEMA;
	r.article_id = (char *)id;
	r.seq = seq;
	r.total = total;
	r.attempt = attempt;
	struct buf b = BUF_INIT;
	Nd__ChunkResult *d = NULL;
	if (wire_encode(&r.base, &b) == 0)
		wire_decode_result(b.p, b.len, &d);
	buf_free(&b);
	return d;
}

static void out_of_order_results_complete_the_article(void)
{
	struct assembler *as = assembler_new();
	struct assembled *a = NULL;
	CHECK_INT(assembler_add(as, result("a", 2, 3, 1), 0, &a), ASSEMBLE_PENDING);
	CHECK_INT(assembler_add(as, result("a", 0, 3, 1), 0, &a), ASSEMBLE_PENDING);
	CHECK(assembler_has(as, "a"));
	CHECK_INT(assembler_add(as, result("a", 1, 3, 1), 0, &a), ASSEMBLE_COMPLETE);
	CHECK(a != NULL);
	CHECK_INT(a->total, 3);
	for (uint32_t i = 0; i < 3; i++)
		CHECK_INT(a->parts[i]->seq, i);
	CHECK(!assembler_has(as, "a"));
	CHECK_INT(assembler_pending(as), 0);
	assembled_free(a);
	assembler_free(as);
}

static void duplicate_results_are_counted_once(void)
{
	struct assembler *as = assembler_new();
	struct assembled *a = NULL;
	CHECK_INT(assembler_add(as, result("b", 0, 2, 1), 0, &a), ASSEMBLE_PENDING);
	CHECK_INT(assembler_add(as, result("b", 0, 2, 2), 0, &a), ASSEMBLE_DUPLICATE);
	CHECK_INT(assembler_add(as, result("b", 0, 2, 1), 0, &a), ASSEMBLE_DUPLICATE);
	CHECK_INT(assembler_add(as, result("b", 1, 2, 1), 0, &a), ASSEMBLE_COMPLETE);
	CHECK_INT(a->have, 2);
	CHECK_INT(a->attempt, 2);
	assembled_free(a);
	assembler_free(as);
}

static void interleaved_articles_do_not_mix(void)
{
	struct assembler *as = assembler_new();
	struct assembled *a = NULL;
	CHECK_INT(assembler_add(as, result("x", 1, 2, 1), 0, &a), ASSEMBLE_PENDING);
	CHECK_INT(assembler_add(as, result("y", 0, 2, 1), 0, &a), ASSEMBLE_PENDING);
	CHECK_INT(assembler_add(as, result("y", 1, 2, 1), 0, &a), ASSEMBLE_COMPLETE);
	CHECK_STR(a->article_id, "y");
	assembled_free(a);
	CHECK_INT(assembler_add(as, result("x", 0, 2, 1), 0, &a), ASSEMBLE_COMPLETE);
	CHECK_STR(a->article_id, "x");
	assembled_free(a);
	assembler_free(as);
}

static void a_newer_attempt_with_other_chunking_wins(void)
{
	struct assembler *as = assembler_new();
	struct assembled *a = NULL;
	CHECK_INT(assembler_add(as, result("c", 0, 3, 1), 0, &a), ASSEMBLE_PENDING);
	CHECK_INT(assembler_add(as, result("c", 0, 2, 2), 0, &a), ASSEMBLE_PENDING);
	CHECK_INT(assembler_add(as, result("c", 2, 3, 1), 0, &a), ASSEMBLE_STALE);
	CHECK_INT(assembler_add(as, result("c", 1, 2, 2), 0, &a), ASSEMBLE_COMPLETE);
	CHECK_INT(a->total, 2);
	assembled_free(a);
	assembler_free(as);
}

static void inconsistent_results_are_invalid(void)
{
	struct assembler *as = assembler_new();
	struct assembled *a = NULL;
	CHECK_INT(assembler_add(as, result("d", 3, 3, 1), 0, &a), ASSEMBLE_INVALID);
	CHECK_INT(assembler_add(as, result("d", 0, 0, 1), 0, &a), ASSEMBLE_INVALID);
	CHECK_INT(assembler_add(as, result("", 0, 1, 1), 0, &a), ASSEMBLE_INVALID);
	CHECK_INT(assembler_add(as, result("d", 0, ASSEMBLE_MAX_CHUNKS + 1, 1), 0, &a),
	          ASSEMBLE_INVALID);
	CHECK_INT(assembler_pending(as), 0);
	assembler_free(as);
}

static int expired_seen;
static void count_expired(const struct assembled *a, void *arg)
{
	expired_seen += a->have;
}

static void old_partials_expire(void)
{
	struct assembler *as = assembler_new();
	struct assembled *a = NULL;
	CHECK_INT(assembler_add(as, result("old", 0, 2, 1), 1000, &a), ASSEMBLE_PENDING);
	CHECK_INT(assembler_add(as, result("new", 0, 2, 1), 5000, &a), ASSEMBLE_PENDING);
	expired_seen = 0;
	CHECK_INT(assembler_expire(as, 6000, 3000, count_expired, NULL), 1);
	CHECK_INT(expired_seen, 1);
	CHECK(!assembler_has(as, "old"));
	CHECK(assembler_has(as, "new"));
	assembler_free(as); /* frees the remaining partial */
}

static void many_articles_at_once(void)
{
	struct assembler *as = assembler_new();
	struct assembled *a = NULL;
	char id[32];
	int complete = 0;
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 5000; i++) {
			snprintf(id, sizeof id, "art-%d", i);
			if (assembler_add(as, result(id, (uint32_t)round, 2, 1), 0, &a) ==
			    ASSEMBLE_COMPLETE) {
				complete++;
				assembled_free(a);
			}
		}
	CHECK_INT(complete, 5000);
	CHECK_INT(assembler_pending(as), 0);
	assembler_free(as);
}

static const struct check_case cases[] = {
    CASE(out_of_order_results_complete_the_article, "out-of-order results complete the article"),
    CASE(duplicate_results_are_counted_once, "duplicate results are counted once"),
    CASE(interleaved_articles_do_not_mix, "interleaved articles do not mix"),
    CASE(a_newer_attempt_with_other_chunking_wins, "a newer attempt with other chunking wins"),
    CASE(inconsistent_results_are_invalid, "inconsistent results are dropped as invalid"),
    CASE(old_partials_expire, "partials older than the time-to-live expire"),
    CASE(many_articles_at_once, "thousands of articles assemble at once"),
};
CHECK_MAIN(cases)

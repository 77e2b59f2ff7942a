/* chunk: sentence-aligned chunks that partition the article. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "chunk.h"

/* Spans must cover text exactly, in order, each within max. */
static int partition_ok(const struct chunk_list *l, size_t len, size_t max)
{
	size_t at = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].start != at || l->v[i].len > max || (l->v[i].len == 0 && len))
			return 0;
		at += l->v[i].len;
	}
	return at == len && l->n >= 1;
}

static void short_article_is_one_chunk(void)
{
	const char *t = "One sentence. Another one.";
	struct seg_doc d;
	struct chunk_list l = {0};
	seg_doc_init(&d);
	CHECK_INT(chunk_split(t, strlen(t), 4096, &d, &l), 0);
	CHECK_INT(l.n, 1);
	CHECK(partition_ok(&l, strlen(t), 4096));
	chunk_list_free(&l);
	seg_doc_free(&d);
}

static void chunks_end_at_sentence_boundaries(void)
{
	const char *t = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota. Kappa lambda mu.";
	struct seg_doc d;
	struct chunk_list l = {0};
	seg_doc_init(&d);
	CHECK_INT(chunk_split(t, strlen(t), 40, &d, &l), 0);
	CHECK(partition_ok(&l, strlen(t), 40));
	CHECK_INT(l.n, 2);
	/* The second chunk starts where a sentence starts. */
	CHECK_MEM(t + l.v[1].start, 5, "Eta t");
	chunk_list_free(&l);
	seg_doc_free(&d);
}

static void a_long_sentence_is_cut_at_a_space(void)
{
	char t[600];
	size_t n = 0;
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(t + n, sizeof t - n, "word%02d ", i);
	t[n - 1] = '.';
	struct seg_doc d;
	struct chunk_list l = {0};
	seg_doc_init(&d);
	CHECK_INT(chunk_split(t, n, 100, &d, &l), 0);
	CHECK(partition_ok(&l, n, 100));
	for (size_t i = 1; i < l.n; i++)
		CHECK(t[l.v[i].start - 1] == ' ');
	chunk_list_free(&l);
	seg_doc_free(&d);
}

static void cuts_never_split_a_utf8_character(void)
{
	struct seg_doc d;
	struct chunk_list l = {0};
	char t[300];
	size_t n = 0;
	while (n + 3 < sizeof t) {
		memcpy(t + n, "\xe2\x80\x94", 3); /* em dashes, no spaces */
		n += 3;
	}
	seg_doc_init(&d);
	CHECK_INT(chunk_split(t, n, 32, &d, &l), 0);
	CHECK(partition_ok(&l, n, 32));
	for (size_t i = 0; i < l.n; i++)
		CHECK(((unsigned char)t[l.v[i].start] & 0xC0) != 0x80);
	chunk_list_free(&l);
	seg_doc_free(&d);
}

static void empty_article_is_one_empty_chunk(void)
{
	struct seg_doc d;
	struct chunk_list l = {0};
	seg_doc_init(&d);
	CHECK_INT(chunk_split("", 0, 4096, &d, &l), 0);
	CHECK_INT(l.n, 1);
	CHECK_INT(l.v[0].len, 0);
	CHECK_INT(chunk_split("x", 1, 8, &d, &l), -EINVAL);
	chunk_list_free(&l);
	seg_doc_free(&d);
}

static void real_article_chunks_partition_it(void)
{
	FILE *f = fopen(check_shared_path("examples/riyadh-talks.txt"), "rb");
	if (!f) {
		check_fail(__FILE__, __LINE__, "../shared/examples/riyadh-talks.txt is absent");
		return;
	}
	static char t[65536];
	size_t n = fread(t, 1, sizeof t, f);
	fclose(f);
	struct seg_doc d;
	struct chunk_list l = {0};
	seg_doc_init(&d);
	CHECK_INT(chunk_split(t, n, 1024, &d, &l), 0);
	CHECK(partition_ok(&l, n, 1024));
	CHECK(l.n >= 6);
	chunk_list_free(&l);
	seg_doc_free(&d);
}

static const struct check_case cases[] = {
    CASE(short_article_is_one_chunk, "a short article is one chunk"),
    CASE(chunks_end_at_sentence_boundaries, "chunks end at sentence boundaries"),
    CASE(a_long_sentence_is_cut_at_a_space, "a sentence longer than a chunk is cut at a space"),
    CASE(cuts_never_split_a_utf8_character, "cuts never split a UTF-8 character"),
    CASE(empty_article_is_one_empty_chunk, "an empty article is one empty chunk"),
    CASE(real_article_chunks_partition_it, "the chunks of a real article partition it"),
};
CHECK_MAIN(cases)

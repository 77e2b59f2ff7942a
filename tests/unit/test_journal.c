/* journal: what was added and not done survives reopening; torn lines are
 * ignored; reopening compacts the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "journal.h"

static char path[64];

static void fresh(void)
{
	snprintf(path, sizeof path, "/tmp/nd-journal-test-%d.jsonl", (int)getpid());
	unlink(path);
}

static struct article *art(const char *title, const char *body)
{
	char text[4096];
	snprintf(text, sizeof text, "%s\n%s", title, body);
	return article_from_text(text, strlen(text), "src", title);
}

static long file_lines(void)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;
	while (f && (c = getc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

static void pending_articles_survive_reopening(void)
{
	fresh();
	struct buf err = BUF_INIT;
	struct journal *j = journal_open(path, &err);
	CHECK(j != NULL);
	struct article *a = art("One", "First body."), *b = art("Two", "Second body."),
	               *c = art("Three", "Third body.");
	CHECK_INT(journal_add(j, a), 0);
	CHECK_INT(journal_add(j, b), 0);
	CHECK_INT(journal_add(j, c), 0);
	CHECK_INT(journal_done(j, b->id), 0);
	journal_close(j);

	j = journal_open(path, &err);
	CHECK(j != NULL);
	struct article **p = NULL;
	int n = journal_take_pending(j, &p);
	CHECK_INT(n, 2);
	CHECK_STR(p[0]->id, a->id);
	CHECK_STR(p[0]->title, "One");
	CHECK_STR(p[0]->text.p, "First body.");
	CHECK_STR(p[0]->origin, "One");
	CHECK_STR(p[1]->id, c->id);
	/* Reopening rewrote the file with only the pending two. */
	CHECK_INT(file_lines(), 2);
	for (int i = 0; i < n; i++)
		article_free(p[i]);
	free(p);
	journal_close(j);
	article_free(a);
	article_free(b);
	article_free(c);
	unlink(path);
	buf_free(&err);
}

static void rejected_articles_keep_their_reason(void)
{
	fresh();
	struct buf err = BUF_INIT;
	struct journal *j = journal_open(path, &err);
	struct article *r = article_rejected("bad-7", NULL, 0, "feed", "stdin:7", "invalid JSON");
	CHECK(j && r);
	CHECK_INT(journal_add(j, r), 0);
	journal_close(j);
	j = journal_open(path, &err);
	struct article **p = NULL;
	CHECK_INT(journal_take_pending(j, &p), 1);
	CHECK_STR(p[0]->id, "bad-7");
	CHECK_STR(p[0]->error, "invalid JSON");
	article_free(p[0]);
	free(p);
	journal_close(j);
	article_free(r);
	unlink(path);
	buf_free(&err);
}

static void a_torn_last_line_is_ignored(void)
{
	fresh();
	struct buf err = BUF_INIT;
	struct journal *j = journal_open(path, &err);
	struct article *a = art("Kept", "A body.");
	CHECK(j && a);
	CHECK_INT(journal_add(j, a), 0);
	journal_close(j);
	FILE *f = fopen(path, "a");
	fputs("{\"add\":{\"id\":\"x\",\"tit", f);
	fclose(f);
	j = journal_open(path, &err);
	CHECK(j != NULL);
	struct article **p = NULL;
	CHECK_INT(journal_take_pending(j, &p), 1);
	CHECK_STR(p[0]->title, "Kept");
	article_free(p[0]);
	free(p);
	journal_close(j);
	article_free(a);
	unlink(path);
	buf_free(&err);
}

static void an_unwritable_journal_is_a_clear_error(void)
{
	struct buf err = BUF_INIT;
	CHECK(journal_open("/nonexistent-dir/j.jsonl", &err) == NULL);
	CHECK(strstr(err.p, "/nonexistent-dir/j.jsonl") != NULL);
	buf_free(&err);
}

/* A service journals and settles articles for days: the file must stay
 * bounded, and the articles still pending must come through compaction
 * whole and in order, with appends going on to the new file. */
static void an_open_journal_is_compacted_as_articles_settle(void)
{
	fresh();
	struct buf err = BUF_INIT;
	struct journal *j = journal_open(path, &err);
	CHECK(j != NULL);
	char body[2048], title[64];
	memset(body, 'x', sizeof body - 2);
	body[sizeof body - 2] = '.';
	body[sizeof body - 1] = 0;
	struct article *first = art("Pending first", "Kept across compaction.");
	CHECK_INT(journal_add(j, first), 0);
	struct article *middle = NULL;
	long largest = 0;
	for (int i = 0; i < 6000; i++) {
		snprintf(title, sizeof title, "Story %d", i);
		struct article *a = art(title, body);
		CHECK(a != NULL);
		CHECK_INT(journal_add(j, a), 0);
		if (i == 3000) {
			middle = a; /* stays pending */
			continue;
		}
		CHECK_INT(journal_done(j, a->id), 0);
		article_free(a);
		if (check_file_size(path) > largest)
			largest = check_file_size(path);
	}
	/* 6000 articles of 2 KiB went through; the file never passed the
	 * 4 MiB threshold by more than one record. */
	CHECK(largest < (4L << 20) + 4096);
	CHECK(largest > (4L << 20) - 4096);
	struct article *last = art("Pending last", "Added after compaction.");
	CHECK_INT(journal_add(j, last), 0);
	journal_close(j);

	j = journal_open(path, &err);
	CHECK(j != NULL);
	struct article **p = NULL;
	int n = journal_take_pending(j, &p);
	CHECK_INT(n, 3);
	CHECK_STR(p[0]->id, first->id);
	CHECK_STR(p[0]->text.p, "Kept across compaction.");
	CHECK_STR(p[1]->id, middle->id);
	CHECK_STR(p[1]->title, "Story 3000");
	CHECK_INT((long)p[1]->text.len, (long)strlen(body));
	CHECK_STR(p[2]->id, last->id);
	CHECK_INT(file_lines(), 3);
	for (int i = 0; i < n; i++)
		article_free(p[i]);
	free(p);
	journal_close(j);
	article_free(first);
	article_free(middle);
	article_free(last);
	unlink(path);
	buf_free(&err);
}

static const struct check_case cases[] = {
    CASE(pending_articles_survive_reopening,
         "pending articles survive reopening, settled ones do not"),
    CASE(rejected_articles_keep_their_reason, "rejected articles keep their reason"),
    CASE(a_torn_last_line_is_ignored, "a torn last line is ignored"),
    CASE(an_unwritable_journal_is_a_clear_error, "an unwritable journal is a clear error"),
    CASE(an_open_journal_is_compacted_as_articles_settle,
         "an open journal is compacted as its articles settle, pending ones kept in order"),
};
CHECK_MAIN(cases)

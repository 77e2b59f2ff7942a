/* journal: what was added and not done survives reopening; torn lines are
 * ignored; reopening compacts the file. */
#include <stdio.h>
#include <stdlib.h>
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
	char text[256];
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

static const struct check_case cases[] = {
    CASE(pending_articles_survive_reopening,
         "pending articles survive reopening, settled ones do not"),
    CASE(rejected_articles_keep_their_reason, "rejected articles keep their reason"),
    CASE(a_torn_last_line_is_ignored, "a torn last line is ignored"),
    CASE(an_unwritable_journal_is_a_clear_error, "an unwritable journal is a clear error"),
};
CHECK_MAIN(cases)

/* article: the input forms, ids, and rejected input kept as articles. */
#include <stdlib.h>

#include "article.h"
#include "check.h"

static void plain_text_first_line_is_the_title(void)
{
	const char *t = "A Title\r\nFirst sentence.\r\nSecond  one.\n";
	struct article *a = article_from_text(t, strlen(t), "src", "a.txt");
	CHECK(a != NULL);
	CHECK_STR(a->title, "A Title");
	CHECK_STR(a->text.p, "First sentence.\nSecond one.");
	CHECK_STR(a->source, "src");
	CHECK_STR(a->origin, "a.txt");
	CHECK(a->error == NULL);
	CHECK_INT(strlen(a->id), 17);
	CHECK(a->id[0] == 'a');
	article_free(a);
}

static void same_content_gets_the_same_id(void)
{
	const char *t1 = "Title\nBody text.", *t2 = "Title\nBody text.\n\n",
	           *t3 = "Title\nOther text.";
	struct article *a = article_from_text(t1, strlen(t1), "", "1");
	struct article *b = article_from_text(t2, strlen(t2), "", "2");
	struct article *c = article_from_text(t3, strlen(t3), "", "3");
	CHECK(a && b && c);
	CHECK_STR(a->id, b->id);
	CHECK(strcmp(a->id, c->id) != 0);
	article_free(a);
	article_free(b);
	article_free(c);
}

static void json_line_fields_are_read(void)
{
	const char *l = "{\"id\":\"n-1\",\"title\":\"T\",\"source\":\"AP\",\"text\":\"Hello "
	                "world.\\nBye.\"}";
	struct article *a = article_from_json(l, strlen(l), "stdin", "stdin:1");
	CHECK(a && !a->error);
	CHECK_STR(a->id, "n-1");
	CHECK_STR(a->title, "T");
	CHECK_STR(a->source, "AP");
	CHECK_STR(a->text.p, "Hello world.\nBye.");
	article_free(a);
	const char *l2 = "{\"text\":\"Only text.\"}";
	a = article_from_json(l2, strlen(l2), "stdin", "stdin:2");
	CHECK(a && !a->error);
	CHECK_STR(a->source, "stdin");
	CHECK_STR(a->title, "");
	CHECK(a->id[0] == 'a');
	article_free(a);
}

static void bad_json_becomes_a_rejected_article(void)
{
	const char *bad[] = {"{\"text\": ",
	                     "[1,2]",
	                     "{\"title\":\"no text\"}",
	                     "{\"text\": 42}",
	                     "{\"id\":\"a/b\",\"text\":\"x\"}",
	                     "\x01\x02\xff"};
	const char *why[] = {"invalid JSON",    "not a JSON object", "missing \"text\"",
	                     "must be strings", "\"id\" must be",    "invalid JSON"};
	for (size_t i = 0; i < 6; i++) {
		struct article *a = article_from_json(bad[i], strlen(bad[i]), "stdin", "stdin:9");
		CHECK(a != NULL);
		CHECK(a->error != NULL);
		CHECK(strstr(a->error, why[i]) != NULL);
		CHECK(a->id && *a->id);
		CHECK_INT(a->text.len, 0);
		article_free(a);
	}
}

static void invalid_utf8_is_replaced_and_counted(void)
{
	const char *t = "Title \xff\nBody \xc3\x28 here.";
	struct article *a = article_from_text(t, strlen(t), "s\xfe", "x");
	CHECK(a != NULL);
	CHECK_INT(a->invalid_utf8, 2);
	CHECK(strstr(a->text.p, "\xef\xbf\xbd") != NULL);
	CHECK(strstr(a->source, "\xef\xbf\xbd") != NULL);
	article_free(a);
}

static const struct check_case cases[] = {
    CASE(plain_text_first_line_is_the_title, "in plain text the first line is the title"),
    CASE(same_content_gets_the_same_id, "the same content gets the same id"),
    CASE(json_line_fields_are_read, "JSON line fields are read"),
    CASE(bad_json_becomes_a_rejected_article, "bad JSON becomes a rejected article with a reason"),
    CASE(invalid_utf8_is_replaced_and_counted, "invalid UTF-8 is replaced and counted"),
};
CHECK_MAIN(cases)

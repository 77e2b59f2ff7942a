/* Tests of render: the JSON form of ARCHITECTURE.md and the text view. */
#include "render.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* A digest built by hand, all in static storage. */
struct sample {
	Nd__Digest d;
	Nd__Entity e[2];
	Nd__Entity *ep[2];
	char *aliases[2];
	Nd__KeyPoint k[2];
	Nd__KeyPoint *kp[2];
	Nd__Keyword w[2];
	Nd__Keyword *wp[2];
	Nd__Stats st;
};

static void sample_init(struct sample *s)
{
	Nd__Digest d = ND__DIGEST__INIT;
	Nd__Entity e = ND__ENTITY__INIT;
	Nd__KeyPoint k = ND__KEY_POINT__INIT;
	Nd__Keyword w = ND__KEYWORD__INIT;
	Nd__Stats st = ND__STATS__INIT;
	s->d = d;
	s->d.schema = 1;
	s->d.article_id = (char *)"a1";
	s->d.source = (char *)"wire";
	s->d.title = (char *)"Adviser quits";
	s->d.status = ND__STATUS__STATUS_OK;
	s->e[0] = e;
	s->e[0].name = (char *)"Mike Waltz";
	s->e[0].type = ND__ENTITY_TYPE__ENTITY_PERSON;
	s->e[0].mentions = 3;
	s->aliases[0] = (char *)"Waltz";
	s->e[0].aliases = s->aliases;
	s->e[0].n_aliases = 1;
	s->e[0].salience = 0.71f;
	s->e[1] = e;
	s->e[1].name = (char *)"Yemen";
	s->e[1].type = ND__ENTITY_TYPE__ENTITY_LOC;
	s->e[1].mentions = 1;
	s->e[1].salience = 0.2f;
	s->ep[0] = &s->e[0];
	s->ep[1] = &s->e[1];
	s->d.entities = s->ep;
	s->d.n_entities = 2;
	s->k[0] = k;
	s->k[0].text = (char *)"Mike Waltz resigned on Thursday.";
	s->k[0].sentence_index = 0;
	s->k[0].score = 0.93f;
	s->k[1] = k;
	s->k[1].text = (char *)"He had led the team since January.";
	s->k[1].sentence_index = 4;
	s->k[1].score = 1.0f;
	s->kp[0] = &s->k[0];
	s->kp[1] = &s->k[1];
	s->d.key_points = s->kp;
	s->d.n_key_points = 2;
	s->w[0] = w;
	s->w[0].text = (char *)"security adviser";
	s->w[0].score = 1.0f;
	s->w[1] = w;
	s->w[1].text = (char *)"chat";
	s->w[1].score = 0.5f;
	s->wp[0] = &s->w[0];
	s->wp[1] = &s->w[1];
	s->d.keywords = s->wp;
	s->d.n_keywords = 2;
	s->st = st;
	s->st.chunks = 3;
	s->st.sentences = 41;
	s->st.words = 902;
	s->st.bytes = 5557;
	s->d.stats = &s->st;
	s->d.pipeline_version = (char *)"0.1.0";
	s->d.model = (char *)"rules-1";
}

static const char sample_json[] =
    "{\"article_id\":\"a1\",\"source\":\"wire\",\"title\":\"Adviser quits\",\"status\":\"ok\","
    "\"error\":null,\"entities\":[{\"name\":\"Mike Waltz\",\"type\":\"PERSON\",\"mentions\":3,"
    "\"aliases\":[\"Waltz\"],\"salience\":0.71},{\"name\":\"Yemen\",\"type\":\"LOC\","
    "\"mentions\":1,\"aliases\":[],\"salience\":0.2}],\"key_points\":[{\"text\":\"Mike Waltz "
    "resigned on Thursday.\",\"sentence\":0,\"score\":0.93},{\"text\":\"He had led the team "
    "since January.\",\"sentence\":4,\"score\":1}],\"keywords\":[{\"text\":\"security "
    "adviser\",\"score\":1},{\"text\":\"chat\",\"score\":0.5}],\"stats\":{\"chunks\":3,"
    "\"sentences\":41,\"words\":902,\"bytes\":5557},\"pipeline\":{\"version\":\"0.1.0\","
    "\"model\":\"rules-1\"}}";

static void test_json_exact(void)
{
	static struct sample s;
	sample_init(&s);
	struct buf b = BUF_INIT;
	CHECK_INT(render_json(&s.d, &b), 0);
	CHECK_MEM(b.p, b.len, sample_json);
	buf_free(&b);
}

static int keys_are(const cJSON *o, const char *const *keys, size_t n)
{
	size_t i = 0;
	for (const cJSON *c = o->child; c; c = c->next, i++)
		if (i >= n || strcmp(c->string, keys[i]))
			return 0;
	return i == n;
}

static void test_json_round_trip(void)
{
	static const char *const top[] = {"article_id", "source",   "title",      "status",
	                                  "error",      "entities", "key_points", "keywords",
	                                  "stats",      "pipeline"};
	static const char *const ent[] = {"name", "type", "mentions", "aliases", "salience"};
	static const char *const kp[] = {"text", "sentence", "score"};
	static const char *const kw[] = {"text", "score"};
	static const char *const st[] = {"chunks", "sentences", "words", "bytes"};
	static const char *const pl[] = {"version", "model"};
	static struct sample s;
	sample_init(&s);
	struct buf b = BUF_INIT;
	CHECK_INT(render_json(&s.d, &b), 0);
	cJSON *j = cJSON_Parse(b.p);
	buf_free(&b);
	CHECK(j);
	int ok = keys_are(j, top, 10);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "entities");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "key_points");
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "keywords");
	const cJSON *sj = cJSON_GetObjectItemCaseSensitive(j, "stats");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "pipeline");
	ok = ok && cJSON_GetArraySize(e) == 2 && cJSON_GetArraySize(k) == 2 &&
	     cJSON_GetArraySize(w) == 2;
	for (int i = 0; ok && i < 2; i++)
		ok = keys_are(cJSON_GetArrayItem(e, i), ent, 5) &&
		     keys_are(cJSON_GetArrayItem(k, i), kp, 3) &&
		     keys_are(cJSON_GetArrayItem(w, i), kw, 2);
	ok = ok && keys_are(sj, st, 4) && keys_are(p, pl, 2);
	if (!ok)
		cJSON_Delete(j);
	CHECK(ok);

#define GET(o, key) cJSON_GetObjectItemCaseSensitive(o, key)
	const cJSON *e0 = cJSON_GetArrayItem(e, 0), *k1 = cJSON_GetArrayItem(k, 1);
	const cJSON *w1 = cJSON_GetArrayItem(w, 1);
	int good =
	    !strcmp(GET(j, "article_id")->valuestring, "a1") &&
	    !strcmp(GET(j, "source")->valuestring, "wire") &&
	    !strcmp(GET(j, "title")->valuestring, "Adviser quits") &&
	    !strcmp(GET(j, "status")->valuestring, "ok") && cJSON_IsNull(GET(j, "error")) &&
	    !strcmp(GET(e0, "name")->valuestring, "Mike Waltz") &&
	    !strcmp(GET(e0, "type")->valuestring, "PERSON") &&
	    GET(e0, "mentions")->valuedouble == 3 && cJSON_GetArraySize(GET(e0, "aliases")) == 1 &&
	    !strcmp(cJSON_GetArrayItem(GET(e0, "aliases"), 0)->valuestring, "Waltz") &&
	    GET(e0, "salience")->valuedouble == 0.71 &&
	    !strcmp(GET(cJSON_GetArrayItem(e, 1), "type")->valuestring, "LOC") &&
	    cJSON_GetArraySize(GET(cJSON_GetArrayItem(e, 1), "aliases")) == 0 &&
	    !strcmp(GET(k1, "text")->valuestring, "He had led the team since January.") &&
	    GET(k1, "sentence")->valuedouble == 4 && GET(k1, "score")->valuedouble == 1 &&
	    GET(cJSON_GetArrayItem(k, 0), "score")->valuedouble == 0.93 &&
	    !strcmp(GET(w1, "text")->valuestring, "chat") && GET(w1, "score")->valuedouble == 0.5 &&
	    GET(sj, "chunks")->valuedouble == 3 && GET(sj, "sentences")->valuedouble == 41 &&
	    GET(sj, "words")->valuedouble == 902 && GET(sj, "bytes")->valuedouble == 5557 &&
	    !strcmp(GET(p, "version")->valuestring, "0.1.0") &&
	    !strcmp(GET(p, "model")->valuestring, "rules-1");
#undef GET
	cJSON_Delete(j);
	CHECK(good);
}

static void test_json_escapes(void)
{
	static struct sample s;
	sample_init(&s);
	s.d.title = (char *)"He said \"no\" \\ then\nleft\t\x01\x1f.";
	s.d.source = (char *)"caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x93\xB0 \xE2\x80\xA8";
	struct buf b = BUF_INIT;
	CHECK_INT(render_json(&s.d, &b), 0);
	CHECK(strstr(b.p, "\"title\":\"He said \\\"no\\\" \\\\ then\\nleft\\t\\u0001\\u001f.\""));
	/* Non-ASCII stays UTF-8; U+2028 is escaped for JavaScript's sake. */
	CHECK(strstr(b.p, "\"source\":\"caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x93\xB0 \\u2028\""));
	CHECK(!strchr(b.p, '\n'));
	cJSON *j = cJSON_Parse(b.p);
	buf_free(&b);
	CHECK(j);
	int same = !strcmp(cJSON_GetObjectItemCaseSensitive(j, "title")->valuestring, s.d.title);
	cJSON_Delete(j);
	CHECK(same);
}

static void test_json_invalid_utf8(void)
{
	static struct sample s;
	sample_init(&s);
	s.d.title = (char *)"bad \xC3 here \xED\xA0\x80 and \xFF";
	struct buf b = BUF_INIT;
	CHECK_INT(render_json(&s.d, &b), 0);
	CHECK(strstr(b.p, "\"title\":\"bad \xEF\xBF\xBD here "));
	CHECK(!strchr(b.p, '\xFF'));
	cJSON *j = cJSON_Parse(b.p);
	buf_free(&b);
	CHECK(j);
	cJSON_Delete(j);
}

static void test_json_numbers(void)
{
	static const struct {
		float f;
		const char *want;
	} cases[] = {{0.71f, "0.71"},
	             {0.7f, "0.7"},
	             {1.0f, "1"},
	             {0.0f, "0"},
	             {0.333f, "0.333"},
	             {0.001f, "0.001"},
	             {0.125f, "0.125"},
	             {0.999f, "0.999"},
	             /* beyond three decimals or below zero: the general search */
	             {0.1234f, "0.1234"},
	             {1e-05f, "1e-05"},
	             {-0.5f, "-0.5"},
	             {12.75f, "12.75"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		static struct sample s;
		sample_init(&s);
		s.d.n_entities = 1;
		s.e[0].salience = cases[i].f;
		struct buf b = BUF_INIT;
		CHECK_INT(render_json(&s.d, &b), 0);
		char want[64];
		snprintf(want, sizeof want, "\"salience\":%s}", cases[i].want);
		int found = strstr(b.p, want) != NULL;
		if (!found)
			fprintf(stderr, "  %s not in %s\n", want, b.p);
		buf_free(&b);
		CHECK(found);
	}
}

static void test_json_failed(void)
{
	Nd__Digest d = ND__DIGEST__INIT;
	d.article_id = (char *)"x";
	d.status = ND__STATUS__STATUS_FAILED;
	d.error = (char *)"article has no text";
	struct buf b = BUF_INIT;
	CHECK_INT(render_json(&d, &b), 0);
	CHECK_STR(b.p, "{\"article_id\":\"x\",\"source\":\"\",\"title\":\"\",\"status\":\"failed\","
	               "\"error\":\"article has no text\",\"entities\":[],\"key_points\":[],"
	               "\"keywords\":[],\"stats\":{\"chunks\":0,\"sentences\":0,\"words\":0,"
	               "\"bytes\":0},\"pipeline\":{\"version\":\"\",\"model\":\"\"}}");
	buf_free(&b);
}

static void test_json_appends(void)
{
	static struct sample s;
	sample_init(&s);
	struct buf b = BUF_INIT;
	CHECK_INT(buf_append_str(&b, "prefix "), 0);
	CHECK_INT(render_json(&s.d, &b), 0);
	CHECK_INT(strncmp(b.p, "prefix {\"article_id\"", 20), 0);
	CHECK_INT(b.len, strlen("prefix ") + strlen(sample_json));
	buf_free(&b);
}

static void test_text(void)
{
	static struct sample s;
	sample_init(&s);
	struct buf b = BUF_INIT;
	CHECK_INT(render_text(&s.d, &b), 0);
	CHECK(!strncmp(b.p, "Adviser quits\n", 14));
	CHECK(strstr(b.p, "status ok"));
	CHECK(strstr(b.p, "People        Mike Waltz (3)\n"));
	CHECK(strstr(b.p, "Places        Yemen (1)\n"));
	CHECK(strstr(b.p, "  1. Mike Waltz resigned on Thursday.\n"));
	CHECK(strstr(b.p, "  2. He had led the team since January.\n"));
	CHECK(strstr(b.p, "security adviser, chat\n"));
	CHECK(strstr(b.p, "3 chunks, 41 sentences, 902 words, 5557 bytes\n"));
	CHECK(b.len >= 2 && !strcmp(b.p + b.len - 2, "\n\n"));
	CHECK(!strstr(b.p, "\n\n\n"));
	buf_free(&b);
}

static void test_text_controls(void)
{
	static struct sample s;
	sample_init(&s);
	s.d.title = (char *)"Evil\x1b[2J title\r\xC2\x9B";
	s.d.status = ND__STATUS__STATUS_FAILED;
	s.d.error = (char *)"chunk 1: bad\nthing";
	struct buf b = BUF_INIT;
	CHECK_INT(render_text(&s.d, &b), 0);
	CHECK(!strchr(b.p, '\x1b'));
	CHECK(!strchr(b.p, '\r'));
	CHECK(!strstr(b.p, "\xC2\x9B"));
	CHECK(!strncmp(b.p, "Evil [2J title  \n", 17));
	CHECK(strstr(b.p, "status failed\n  error: chunk 1: bad thing\n"));
	buf_free(&b);
}

static const struct check_case cases[] = {
    CASE(test_json_exact, "json is one line with the documented fields"),
    CASE(test_json_round_trip, "json parses back with every field in order"),
    CASE(test_json_escapes, "json escapes quotes backslashes and controls and keeps non-ASCII"),
    CASE(test_json_invalid_utf8, "json replaces invalid UTF-8"),
    CASE(test_json_numbers, "json numbers are compact"),
    CASE(test_json_failed, "json of a failed digest has its error and empty lists"),
    CASE(test_json_appends, "json appends to what the buffer holds"),
    CASE(test_text, "text view lists entities by type and ends with a blank line"),
    CASE(test_text_controls, "text view blanks control characters"),
};

CHECK_MAIN(cases)

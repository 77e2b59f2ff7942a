/*
 * nlp-bench: throughput of the NLP core on one core, stage by stage.
 *
 * Loads articles (a JSON Lines file with a "text" field per line, default
 * ../shared/data/news-summ/bbc-dev.jsonl, or plain-text files), normalises
 * them once, then times, over the same texts and in this process:
 *   - segmentation (tokenizer and sentence splitter),
 *   - segmentation + entity extraction,
 *   - the whole worker step (work_chunk: segmentation, extraction, scoring
 *     and encoding of the result),
 * and prints tokens per second for each, with the best of --rounds runs
 * (the machine is shared, so the best run is the least disturbed one).
 * --quick runs one short round: CI uses it so the benchmark cannot rot; it
 * asserts nothing about speed.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "ner.h"
#include "seg.h"
#include "text.h"
#include "wire.h"
#include "work.h"

struct corpus {
	struct buf *texts;
	size_t n, cap, bytes;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int corpus_add(struct corpus *c, const char *text, size_t n)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct buf *t = realloc(c->texts, cap * sizeof *t);
		if (!t)
			return -1;
		c->texts = t;
		c->cap = cap;
	}
	struct buf *b = &c->texts[c->n];
	*b = (struct buf)BUF_INIT;
	if (text_normalize(b, text, n, NULL) || !b->p)
		return -1;
	c->bytes += b->len;
	c->n++;
	return 0;
}

static int load(struct corpus *c, const char *path, size_t limit)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr,
		        "nlp-bench: cannot open %s (give a JSON Lines file with a \"text\" "
		        "field, or plain-text files)\n",
		        path);
		return -1;
	}
	struct buf all = BUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&all, tmp, n);
	fclose(f);
	size_t len = strlen(path);
	int rc = 0;
	if (len > 6 && strcmp(path + len - 6, ".jsonl") == 0) {
		char *line = all.p;
		while (line && *line && c->n < limit) {
			char *nl = strchr(line, '\n');
			cJSON *o =
			    cJSON_ParseWithLength(line, nl ? (size_t)(nl - line) : strlen(line));
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "text");
			if (cJSON_IsString(t))
				rc |= corpus_add(c, t->valuestring, strlen(t->valuestring));
			cJSON_Delete(o);
			line = nl ? nl + 1 : NULL;
		}
	} else if (all.p) {
		rc = corpus_add(c, all.p, all.len);
	}
	buf_free(&all);
	return rc;
}

int main(int argc, char **argv)
{
	const char *data, *model;
	long rounds;
	int quick = 0;
	const struct conf_opt opts[] = {
	    {"data", "DIGEST_BENCH_DATA", CONF_STR, "../shared/data/news-summ/bbc-dev.jsonl",
	     "JSON Lines file of articles to time on (plain-text files may follow as arguments)",
	     &data, 0, 0, NULL},
	    {"model", "DIGEST_MODEL", CONF_STR, "",
	     "entity model file, or 'rules' (default: the installed models/ner.model)", &model, 0,
	     0, NULL},
	    {"rounds", "DIGEST_BENCH_ROUNDS", CONF_INT, "5",
	     "timed runs per stage; the best counts", &rounds, 1, 1000, NULL},
	    {"quick", "DIGEST_BENCH_QUICK", CONF_BOOL, "0",
	     "one short round on a few articles (for CI: proves the benchmark runs)", &quick, 0, 0,
	     NULL},
	};
	const struct conf_spec spec = {
	    "nlp-bench",
	    "[options] [FILE...]",
	    "Tokens per second of each stage of the NLP core, on one core.",
	    opts,
	    sizeof opts / sizeof opts[0],
	    NULL};
	struct buf err = BUF_INIT;
	int first;
	int rc = conf_parse_main(&spec, argc, argv, &first);
	if (rc >= 0)
		return rc;
	struct corpus c = {0};
	size_t limit = quick ? 20 : (size_t)-1;
	if (first < argc) {
		for (int i = first; i < argc; i++)
			if (load(&c, argv[i], limit))
				return 1;
	} else if (load(&c, data, limit)) {
		return 1;
	}
	if (quick)
		rounds = 1;

	struct ner_extractor *ner = NULL;
	char why[4200];
	if (ner_open(model, &ner, why, sizeof why)) {
		fprintf(stderr, "nlp-bench: %s\n", why);
		return 1;
	}
	struct seg_doc doc;
	seg_doc_init(&doc);
	struct ner_mentions m = {0};
	struct work w;
	work_init(&w, ner, "bench");
	struct buf out = BUF_INIT;

	size_t tokens = 0;
	for (size_t i = 0; i < c.n; i++) {
		seg_split(&doc, c.texts[i].p, c.texts[i].len);
		tokens += doc.ntoks;
	}
	printf("corpus: %zu articles, %zu bytes, %zu tokens (%s)\n", c.n, c.bytes, tokens,
	       first < argc ? "files" : data);
	printf("%-34s %14s %12s\n", "stage (one core)", "tokens/s", "MB/s");

	/* The entity stage alone runs over documents segmented beforehand. */
	struct seg_doc *docs = calloc(c.n ? c.n : 1, sizeof *docs);
	if (!docs)
		return 1;
	for (size_t i = 0; i < c.n; i++) {
		seg_doc_init(&docs[i]);
		if (seg_split(&docs[i], c.texts[i].p, c.texts[i].len))
			return 1;
	}
	const char *names[] = {"segmentation", "entities (tagger + rules)",
	                       "segmentation + entities", "worker step (seg+ner+score+encode)"};
	for (int stage = 0; stage < 4; stage++) {
		double best = 1e30;
		for (long r = 0; r < rounds; r++) {
			double t0 = now_s();
			for (size_t i = 0; i < c.n; i++) {
				const struct buf *t = &c.texts[i];
				if (stage == 0) {
					seg_split(&doc, t->p, t->len);
				} else if (stage == 1) {
					ner_extract(ner, &docs[i], &m);
				} else if (stage == 2) {
					seg_split(&doc, t->p, t->len);
					ner_extract(ner, &doc, &m);
				} else {
					Nd__Chunk ch = ND__CHUNK__INIT;
					ch.schema = WIRE_SCHEMA;
					ch.article_id = "bench";
					ch.total = 1;
					ch.text = t->p;
					work_chunk(&w, &ch, &out);
				}
			}
			double dt = now_s() - t0;
			if (dt < best)
				best = dt;
		}
		printf("%-34s %14.0f %12.1f\n", names[stage], (double)tokens / best,
		       (double)c.bytes / best / 1e6);
	}
	printf("entity model: %s\n", ner_name(ner));

	for (size_t i = 0; i < c.n; i++)
		seg_doc_free(&docs[i]);
	free(docs);
	work_free(&w);
	buf_free(&out);
	ner_mentions_free(&m);
	seg_doc_free(&doc);
	ner_close(ner);
	for (size_t i = 0; i < c.n; i++)
		buf_free(&c.texts[i]);
	free(c.texts);
	buf_free(&err);
	return 0;
}

/*
 * Tests of the trained entity tagger (tagger.h) and of its place behind the
 * ner interface (ner_tagger.c): feature extraction, decoding constraints,
 * the model file's round trip and errors, training, scoring with
 * conlleval's semantics, and the committed model on real sentences.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ner.h"
#include "seg.h"
#include "tagger.h"

/* ---- helpers ------------------------------------------------------------ */

/* Split a sentence on spaces into toks (pointing into s). */
static size_t split(const char *s, struct tagger_tok *toks, size_t cap)
{
	size_t n = 0;
	while (*s && n < cap) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		const char *e = s;
		while (*e && *e != ' ')
			e++;
		toks[n].s = s;
		toks[n].len = (size_t)(e - s);
		n++;
		s = e;
	}
	return n;
}

/* A small invented corpus in CoNLL layout: people, places and companies in
 * a few sentence patterns, written to a temporary file. */
static const char *const people[][2] = {
    {"Anna", "Kowal"},  {"Pedro", "Lima"},   {"Jonas", "Berg"},  {"Mira", "Tanaka"},
    {"Omar", "Haddad"}, {"Lena", "Fischer"}, {"Ravi", "Menon"},  {"Sofia", "Rossi"},
    {"Ivan", "Petrov"}, {"Grace", "Okafor"}, {"Tomas", "Novak"}, {"Elena", "Vargas"},
};
static const char *const places[] = {"Oslo",  "Lagos", "Lima",   "Perth", "Quito",
                                     "Turin", "Dakar", "Bergen", "Osaka", "Malmo"};
static const char *const firms[] = {"Norcap", "Veltro", "Quantix", "Solvay", "Brightmoor"};

static char *write_corpus(size_t nsents, unsigned seed)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/nd-tagger-%d-%u.conll", (int)getpid(), seed);
	FILE *f = fopen(path, "w");
	if (!f)
		return NULL;
	unsigned x = seed * 2654435761u + 1;
	for (size_t k = 0; k < nsents; k++) {
		x = x * 1103515245u + 12345u;
		const char *const *p = people[(x >> 8) % 12];
		const char *pl = places[(x >> 12) % 10];
		const char *fi = firms[(x >> 16) % 5];
		switch ((x >> 20) % 4) {
		case 0:
			fprintf(f,
			        "%s B-PER\n%s I-PER\nvisited O\n%s B-LOC\non O\nMonday O\n. O\n\n",
			        p[0], p[1], pl);
			break;
		case 1:
			fprintf(f, "The O\nboard O\nof O\n%s B-ORG\nmet O\nin O\n%s B-LOC\n. O\n\n",
			        fi, pl);
			break;
		case 2:
			fprintf(f,
			        "%s B-PER\nsaid O\n%s B-ORG\nCorp I-ORG\nwould O\ngrow O\n. O\n\n",
			        p[1], fi);
			break;
		default:
			fprintf(f,
			        "In O\n%s B-LOC\n, O\n%s B-PER\n%s I-PER\nled O\nthe O\n%s B-MISC\n"
			        "Cup I-MISC\n. O\n\n",
			        pl, p[0], p[1], places[(x >> 24) % 10]);
		}
	}
	fclose(f);
	return path;
}

static struct tagger *train_small(const struct tagger_lexicon *lx, const char *corpus,
                                  unsigned epochs)
{
	struct tagger_corpus c;
	struct tagger *t = NULL;
	if (tagger_corpus_read(corpus, 0, &c))
		return NULL;
	struct tagger_train_opts o = {.epochs = epochs, .seed = 7};
	if (tagger_new(16, lx, &t) || tagger_train(t, &c, &o)) {
		tagger_free(t);
		t = NULL;
	}
	tagger_corpus_free(&c);
	return t;
}

/* Entity F1 (overall) of t on the corpus. */
static double corpus_f1(struct tagger *t, const struct tagger_corpus *c)
{
	struct tagger_score s = {0};
	uint8_t *pred = malloc(c->ntoks ? c->ntoks : 1);
	if (!pred)
		return -1;
	for (size_t k = 0; k < c->nsents; k++) {
		size_t b = c->sent_begin[k], n = c->sent_begin[k + 1] - b;
		if (tagger_tag(t, c->toks + b, n, pred + b)) {
			free(pred);
			return -1;
		}
		tagger_score_add(&s, c->tags + b, pred + b, n);
	}
	free(pred);
	double p, r, f;
	tagger_score_prf(&s, 0, &p, &r, &f);
	return f;
}

static int is_bio(const uint8_t *tags, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (tags[i] >= TAGGER_NTAGS)
			return 0;
		if (tags[i] && !TAGGER_TAG_IS_B(tags[i]) &&
		    (i == 0 || TAGGER_TAG_CLASS(tags[i - 1]) != TAGGER_TAG_CLASS(tags[i])))
			return 0;
	}
	return 1;
}

/* ---- features ----------------------------------------------------------- */

static void test_shapes(void)
{
	char b[32];
	CHECK_INT(tagger_shape("London", 6, 0, b, sizeof b), 5);
	CHECK_STR(b, "Xxxxx");
	tagger_shape("Mississippi", 11, 0, b, sizeof b);
	CHECK_STR(b, "Xxxxx"); /* runs capped: one X and at most four x */
	tagger_shape("Mississippi", 11, 1, b, sizeof b);
	CHECK_STR(b, "Xx");
	tagger_shape("NATO", 4, 0, b, sizeof b);
	CHECK_STR(b, "XXXX");
	tagger_shape("U.S.", 4, 0, b, sizeof b);
	CHECK_STR(b, "X.X.");
	tagger_shape("1996-08-30", 10, 1, b, sizeof b);
	CHECK_STR(b, "d-d-d");
	tagger_shape("McDonald", 8, 1, b, sizeof b);
	CHECK_STR(b, "XxXx");
	/* A small buffer is never overrun and always terminated. */
	CHECK_INT(tagger_shape("abcdef", 6, 0, b, 3), 2);
	CHECK_STR(b, "xx");
}

static void test_features(void)
{
	struct tagger *t;
	CHECK_INT(tagger_new(18, ner_rules_lexicon(), &t), 0);
	struct tagger_tok a[8], b[8], c[8];
	size_t na = split("Talks began in Riyadh on Tuesday", a, 8);
	size_t nb = split("Talks began in Riyadh on Tuesday", b, 8);
	size_t nc = split("Talks began in Zorbla on Tuesday", c, 8);
	uint32_t ra[TAGGER_MAX_FEATS], rb[TAGGER_MAX_FEATS], rc[TAGGER_MAX_FEATS];
	size_t k = tagger_features(t, a, na, 3, ra, TAGGER_MAX_FEATS);
	CHECK(k > 20);
	CHECK_INT(tagger_features(t, b, nb, 3, rb, TAGGER_MAX_FEATS), k);
	CHECK_INT(tagger_features(t, c, nc, 3, rc, TAGGER_MAX_FEATS), k);
	/* The same token in the same context has the same features... */
	CHECK(memcmp(ra, rb, k * sizeof *ra) == 0);
	/* ...every feature fits the table... */
	for (size_t i = 0; i < k; i++)
		CHECK(ra[i] < (1u << 18));
	/* ...and another word (the same shape, not in the place list) shares
	 * its shape features but not its word, affix or list features. */
	size_t same = 0;
	for (size_t i = 0; i < k; i++)
		same += ra[i] == rc[i];
	CHECK(same >= 5);
	CHECK(same <= k - 8);
	/* The neighbour's features see the changed word too. */
	uint32_t na2[TAGGER_MAX_FEATS], nc2[TAGGER_MAX_FEATS];
	tagger_features(t, a, na, 4, na2, TAGGER_MAX_FEATS);
	tagger_features(t, c, nc, 4, nc2, TAGGER_MAX_FEATS);
	CHECK(memcmp(na2, nc2, k * sizeof *na2) != 0);
	/* Out of range: nothing. */
	CHECK_INT(tagger_features(t, a, na, na, ra, TAGGER_MAX_FEATS), 0);
	tagger_free(t);
}

static void test_lexicon(void)
{
	const struct tagger_lexicon *lx = ner_rules_lexicon();
	CHECK(lx);
	CHECK(lx->checksum != 0);
	CHECK(lx->word(lx->ctx, "Russia", 6) != 0);
	CHECK(lx->word(lx->ctx, "RUSSIA", 6) == lx->word(lx->ctx, "Russia", 6));
	CHECK(lx->word(lx->ctx, "Zorbla", 6) == 0);
	CHECK(lx->word(lx->ctx, "Russia", 6) != lx->word(lx->ctx, "Vladimir", 8));
	struct tagger_tok toks[4];
	size_t n = split("Saudi Arabia said", toks, 4);
	uint32_t cls = 0;
	CHECK_INT(lx->phrase(lx->ctx, toks, n, &cls), 2);
	CHECK(cls != 0);
	CHECK_INT(lx->phrase(lx->ctx, toks + 1, n - 1, &cls), 0);
	CHECK(ner_rules_person_word("Biden", 5));
	CHECK(!ner_rules_person_word("Russia", 6));
	CHECK(!ner_rules_person_word("Zorbla", 6));
}

static void test_caps(void)
{
	struct tagger_caps *caps;
	CHECK_INT(tagger_caps_new(&caps), 0);
	static const char *const sents[] = {
	    "The music was loud", "They love music and Oslo", "Critics said Oslo was cold",
	    "We met in Oslo",     "the Music was new",        "They SAID NOTHING",
	    "Music is life",
	};
	struct tagger_tok toks[8];
	for (size_t i = 0; i < sizeof sents / sizeof sents[0]; i++)
		CHECK_INT(tagger_caps_add(caps, toks, split(sents[i], toks, 8)), 0);
	struct tagger *t;
	CHECK_INT(tagger_new(12, NULL, &t), 0);
	CHECK_INT(tagger_set_caps(t, caps, 2), 0);
	tagger_caps_free(caps);
	/* Sentence-initial words do not count: "music" 2 lower, 1 capital. */
	CHECK_INT(tagger_cap_class(t, "Music", 5), 2);
	CHECK_INT(tagger_cap_class(t, "oslo", 4), 4);
	CHECK_INT(tagger_cap_class(t, "was", 3), 1);
	/* Seen once only, or only in a shouted sentence: unknown. */
	CHECK_INT(tagger_cap_class(t, "loud", 4), 0);
	CHECK_INT(tagger_cap_class(t, "nothing", 7), 0);
	CHECK_INT(tagger_cap_class(t, "zorbla", 6), 0);
	/* The classes travel in the model file. */
	char path[64];
	snprintf(path, sizeof path, "/tmp/nd-model-c-%d", (int)getpid());
	CHECK_INT(tagger_save(t, path), 0);
	struct tagger *u;
	CHECK_INT(tagger_load(path, NULL, &u), 0);
	CHECK_INT(tagger_caps_size(u), tagger_caps_size(t));
	CHECK_INT(tagger_cap_class(u, "Oslo", 4), 4);
	CHECK_INT(tagger_cap_class(u, "music", 5), 2);
	tagger_free(t);
	tagger_free(u);
	remove(path);
}

/* ---- decoding ----------------------------------------------------------- */

static void test_bio_repair(void)
{
	uint8_t t[] = {TAGGER_I_PER, TAGGER_I_PER,  TAGGER_O, TAGGER_I_LOC,
	               TAGGER_B_ORG, TAGGER_I_MISC, 200};
	CHECK_INT(tagger_bio_repair(t, 7), 4);
	CHECK_INT(t[0], TAGGER_B_PER);
	CHECK_INT(t[1], TAGGER_I_PER);
	CHECK_INT(t[3], TAGGER_B_LOC);
	CHECK_INT(t[5], TAGGER_B_MISC);
	CHECK_INT(t[6], TAGGER_O);
	CHECK(is_bio(t, 7));
}

static void test_decoding_is_well_formed(void)
{
	char *corpus = write_corpus(300, 1);
	CHECK(corpus);
	struct tagger *t = train_small(ner_rules_lexicon(), corpus, 4);
	remove(corpus);
	CHECK(t);
	/* Whatever the input, Viterbi only returns BIO-valid sequences: an I-X
	 * follows a B-X or an I-X. */
	static const char *const words[] = {"Corp", "Anna", "the",  "Lima", "Cup", ",",     "Mr.",
	                                    "Oslo", "said", "1996", "NATO", "of",  "Veltro"};
	unsigned x = 99;
	for (int round = 0; round < 500; round++) {
		struct tagger_tok toks[40];
		uint8_t tags[40];
		size_t n = 1 + (x % 39);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			const char *w = words[(x >> 10) % 13];
			toks[i] = (struct tagger_tok){w, strlen(w)};
		}
		CHECK_INT(tagger_tag(t, toks, n, tags), 0);
		CHECK(is_bio(tags, n));
	}
	/* An empty sentence is fine. */
	CHECK_INT(tagger_tag(t, NULL, 0, NULL), 0);
	tagger_free(t);
}

/* ---- model file --------------------------------------------------------- */

static void test_round_trip_and_determinism(void)
{
	char *corpus = write_corpus(400, 2);
	CHECK(corpus);
	struct tagger *a = train_small(ner_rules_lexicon(), corpus, 5);
	struct tagger *b = train_small(ner_rules_lexicon(), corpus, 5);
	CHECK(a && b);
	CHECK_INT(tagger_set_version(a, "test-3"), 0);
	CHECK_INT(tagger_set_version(b, "test-3"), 0);
	char pa[64], pb[64];
	snprintf(pa, sizeof pa, "/tmp/nd-model-a-%d", (int)getpid());
	snprintf(pb, sizeof pb, "/tmp/nd-model-b-%d", (int)getpid());
	CHECK_INT(tagger_save(a, pa), 0);
	CHECK_INT(tagger_save(b, pb), 0);
	/* Same data, seed and options: the same bytes. */
	FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
	CHECK(fa && fb);
	int same = 1, ca, cb;
	do {
		ca = fgetc(fa);
		cb = fgetc(fb);
		same &= ca == cb;
	} while (ca != EOF && cb != EOF);
	fclose(fa);
	fclose(fb);
	CHECK(same);
	/* Read back, it is the same model: same version, same tags. */
	struct tagger *c;
	CHECK_INT(tagger_load(pa, ner_rules_lexicon(), &c), 0);
	CHECK_STR(tagger_version(c), "test-3");
	struct tagger_corpus cc;
	CHECK_INT(tagger_corpus_read(corpus, 0, &cc), 0);
	uint8_t *x = malloc(cc.ntoks), *y = malloc(cc.ntoks);
	CHECK(x && y);
	for (size_t k = 0; k < cc.nsents; k++) {
		size_t s0 = cc.sent_begin[k], n = cc.sent_begin[k + 1] - s0;
		CHECK_INT(tagger_tag(a, cc.toks + s0, n, x + s0), 0);
		CHECK_INT(tagger_tag(c, cc.toks + s0, n, y + s0), 0);
	}
	CHECK(memcmp(x, y, cc.ntoks) == 0);
	/* And it has learnt its data. */
	CHECK(corpus_f1(c, &cc) > 95.0);
	free(x);
	free(y);
	tagger_corpus_free(&cc);
	tagger_free(a);
	tagger_free(b);
	tagger_free(c);
	remove(pa);
	remove(pb);
	remove(corpus);
}

/* Copy src to dst, changing it on the way: keep the first keep bytes
 * (-1: all), then set byte at (if >= 0) to v. */
static int copy_model(const char *src, const char *dst, long keep, long at, int v)
{
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	if (!in || !out)
		return -1;
	long i = 0;
	int ch;
	while ((ch = fgetc(in)) != EOF && (keep < 0 || i < keep)) {
		fputc(i == at ? v : ch, out);
		i++;
	}
	fclose(in);
	fclose(out);
	return 0;
}

static void test_model_errors(void)
{
	struct tagger *t;
	CHECK_INT(tagger_new(12, ner_rules_lexicon(), &t), 0);
	char good[64], bad[64];
	snprintf(good, sizeof good, "/tmp/nd-model-g-%d", (int)getpid());
	snprintf(bad, sizeof bad, "/tmp/nd-model-x-%d", (int)getpid());
	CHECK_INT(tagger_save(t, good), 0);
	tagger_free(t);
	long size = check_file_size(good);
	CHECK(size > 1000);
	struct tagger *u = NULL;

	CHECK_INT(tagger_load("/nonexistent/ner.model", ner_rules_lexicon(), &u), TAGGER_ENOENT);
	CHECK(u == NULL);
	CHECK_INT(copy_model(good, bad, size / 2, -1, 0), 0);
	CHECK_INT(tagger_load(bad, ner_rules_lexicon(), &u), TAGGER_ETRUNC);
	CHECK_INT(copy_model(good, bad, 5, -1, 0), 0);
	CHECK_INT(tagger_load(bad, ner_rules_lexicon(), &u), TAGGER_ETRUNC);
	CHECK_INT(copy_model(good, bad, -1, 0, 'X'), 0);
	CHECK_INT(tagger_load(bad, ner_rules_lexicon(), &u), TAGGER_EMAGIC);
	CHECK_INT(copy_model(good, bad, -1, 8, 99), 0); /* format version */
	CHECK_INT(tagger_load(bad, ner_rules_lexicon(), &u), TAGGER_EVERSION);
	CHECK_INT(copy_model(good, bad, -1, size / 2, 0x5a), 0); /* a weight */
	CHECK_INT(tagger_load(bad, ner_rules_lexicon(), &u), TAGGER_ECORRUPT);
	/* Trained with the word lists, it will not load without them. */
	CHECK_INT(tagger_load(good, NULL, &u), TAGGER_ELEXICON);
	CHECK(u == NULL);
	/* Every error has its own message. */
	const char *msgs[] = {tagger_strerror(TAGGER_ENOENT),   tagger_strerror(TAGGER_ETRUNC),
	                      tagger_strerror(TAGGER_EMAGIC),   tagger_strerror(TAGGER_EVERSION),
	                      tagger_strerror(TAGGER_ECORRUPT), tagger_strerror(TAGGER_ELEXICON)};
	for (size_t i = 0; i < 6; i++)
		for (size_t j = i + 1; j < 6; j++)
			CHECK(strcmp(msgs[i], msgs[j]) != 0);
	CHECK(strstr(tagger_strerror(TAGGER_ETRUNC), "truncated"));
	CHECK(strstr(tagger_strerror(TAGGER_EVERSION), "version"));
	/* Through the ner interface the message names the file. */
	struct ner_extractor *x = NULL;
	char err[512];
	CHECK(ner_tagger_open(bad, &x, err, sizeof err) != 0);
	CHECK(x == NULL);
	CHECK(strstr(err, bad));
	CHECK(strstr(err, "corrupt"));
	remove(good);
	remove(bad);
}

/* ---- training and scoring ----------------------------------------------- */

static void test_train_on_conll_slice(void)
{
	const char *train = check_shared_path("data/conll2003/train.txt");
	struct tagger_corpus c;
	if (tagger_corpus_read(train, 2000, &c)) {
		check_fail(__FILE__, __LINE__,
		           "cannot read %s: ../shared/data is absent (the shared folder beside "
		           "the repository holds the CoNLL-2003 data)",
		           train);
		return;
	}
	CHECK_INT(c.nsents, 2000);
	struct tagger *t;
	CHECK_INT(tagger_new(18, ner_rules_lexicon(), &t), 0);
	struct tagger_train_opts o = {.epochs = 6, .seed = 1};
	CHECK_INT(tagger_train(t, &c, &o), 0);
	char path[64];
	snprintf(path, sizeof path, "/tmp/nd-model-s-%d", (int)getpid());
	CHECK_INT(tagger_save(t, path), 0);
	tagger_free(t);
	CHECK_INT(tagger_load(path, ner_rules_lexicon(), &t), 0);
	double f = corpus_f1(t, &c);
	CHECK(f > 97.0);
	tagger_free(t);
	tagger_corpus_free(&c);
	remove(path);
}

static void test_corpus_errors(void)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/nd-bad-%d.conll", (int)getpid());
	FILE *f = fopen(path, "w");
	CHECK(f);
	fputs("Paris NNP B-LOC\nis VBZ O\nnice JJ B-NICE\n", f);
	fclose(f);
	struct tagger_corpus c;
	CHECK_INT(tagger_corpus_read(path, 0, &c), TAGGER_EFORMAT);
	CHECK_INT(tagger_corpus_read("/nonexistent.conll", 0, &c), TAGGER_ENOENT);
	remove(path);
}

static void test_score_semantics(void)
{
	struct tagger_score s = {0};
	double p, r, f;
	/* Exact span and type: a PER chunk cut short is wrong. */
	uint8_t g1[] = {TAGGER_B_PER, TAGGER_I_PER, TAGGER_O};
	uint8_t p1[] = {TAGGER_B_PER, TAGGER_O, TAGGER_O};
	tagger_score_add(&s, g1, p1, 3);
	CHECK_INT(s.correct[0], 0);
	CHECK_INT(s.gold[0], 1);
	CHECK_INT(s.pred[0], 1);
	/* Same span, other type: wrong; same span and type: right. */
	uint8_t g2[] = {TAGGER_B_LOC, TAGGER_O, TAGGER_B_ORG, TAGGER_I_ORG};
	uint8_t p2[] = {TAGGER_B_ORG, TAGGER_O, TAGGER_B_ORG, TAGGER_I_ORG};
	tagger_score_add(&s, g2, p2, 4);
	CHECK_INT(s.correct[0], 1);
	CHECK_INT(s.correct[2], 1);
	CHECK_INT(s.gold[3], 1);
	CHECK_INT(s.pred[2], 2);
	/* An I- after O starts a chunk, as in conlleval. */
	uint8_t g3[] = {TAGGER_O, TAGGER_B_MISC};
	uint8_t p3[] = {TAGGER_O, TAGGER_I_MISC};
	tagger_score_add(&s, g3, p3, 2);
	CHECK_INT(s.correct[4], 1);
	/* Two adjacent chunks of one type are two. */
	uint8_t g4[] = {TAGGER_B_PER, TAGGER_B_PER};
	uint8_t p4[] = {TAGGER_B_PER, TAGGER_I_PER};
	tagger_score_add(&s, g4, p4, 2);
	CHECK_INT(s.gold[1], 3);
	CHECK_INT(s.correct[1], 0);
	tagger_score_prf(&s, 0, &p, &r, &f);
	/* 2 correct of 5 predicted and 6 gold. */
	CHECK_INT(s.pred[0], 5);
	CHECK_INT(s.gold[0], 6);
	CHECK(p > 39.9 && p < 40.1);
	CHECK(r > 33.3 && r < 33.4);
}

/* ---- the committed model behind the ner interface ------------------------ */

struct found {
	char text[64];
	uint32_t type;
};

static size_t extract(const char *text, struct found *out, size_t cap)
{
	char err[512];
	struct ner_extractor *x = NULL;
	if (ner_tagger_open(check_source_path("models/ner.model"), &x, err, sizeof err)) {
		check_fail(__FILE__, __LINE__, "%s", err);
		return 0;
	}
	struct seg_doc d;
	seg_doc_init(&d);
	struct ner_mentions m = {0};
	size_t n = 0;
	if (!seg_split(&d, text, strlen(text)) && !ner_extract(x, &d, &m))
		for (size_t i = 0; i < m.n && n < cap; i++, n++) {
			size_t len = m.v[i].end - m.v[i].start;
			snprintf(out[n].text, sizeof out[n].text, "%.*s", (int)len,
			         text + m.v[i].start);
			out[n].type = m.v[i].type;
		}
	ner_mentions_free(&m);
	seg_doc_free(&d);
	ner_close(x);
	return n;
}

static int has(const struct found *f, size_t n, const char *text, uint32_t type)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].text, text) && f[i].type == type)
			return 1;
	return 0;
}

static void test_model_on_news(void)
{
	struct found f[32];
	size_t n = extract("Talks in Riyadh\n\n"
	                   "President Vladimir Putin’s envoy met Mike Waltz in Riyadh on Tuesday, "
	                   "and the European Union offered $4 billion, up 12%.",
	                   f, 32);
	CHECK(n >= 6);
	/* No title in the person, no clitic, no heading word. */
	CHECK(has(f, n, "Vladimir Putin", NER_PERSON));
	CHECK(has(f, n, "Mike Waltz", NER_PERSON));
	CHECK(has(f, n, "Riyadh", NER_LOC));
	CHECK(has(f, n, "European Union", NER_ORG));
	CHECK(has(f, n, "Tuesday", NER_DATE));
	CHECK(has(f, n, "$4 billion", NER_MONEY));
	CHECK(has(f, n, "12%", NER_PERCENT));
	for (size_t i = 0; i < n; i++)
		CHECK(strcmp(f[i].text, "Talks") != 0);
	/* Mentions come in text order and never overlap. */
	char name[128];
	struct ner_extractor *x = NULL;
	CHECK_INT(ner_tagger_open(check_source_path("models/ner.model"), &x, name, sizeof name), 0);
	CHECK(strstr(ner_name(x), "+rules-"));
	ner_close(x);
}

static void test_typographic_marks(void)
{
	/* Curly apostrophes and quotes tag as their ASCII forms do. */
	struct found a[16], b[16];
	size_t na = extract("Officials said Zelenskyy’s plan was “bold”, Reuters reported.", a, 16);
	size_t nb =
	    extract("Officials said Zelenskyy's plan was \"bold\", Reuters reported.", b, 16);
	CHECK_INT(na, nb);
	CHECK(na >= 2);
	for (size_t i = 0; i < na; i++) {
		CHECK_STR(a[i].text, b[i].text);
		CHECK_INT(a[i].type, b[i].type);
	}
	CHECK(has(a, na, "Reuters", NER_ORG));
}

static void test_sentence_initial_words(void)
{
	/* A capitalised common word opening a sentence is not a name. */
	struct found f[16];
	size_t n = extract("Music veterans The Who and David Bowie earned places on the list. "
	                   "Newcomers Keane came in third place.",
	                   f, 16);
	CHECK(has(f, n, "David Bowie", NER_PERSON));
	for (size_t i = 0; i < n; i++) {
		CHECK(strncmp(f[i].text, "Music", 5) != 0);
		CHECK(strncmp(f[i].text, "Newcomers", 9) != 0);
	}
}

static void test_titles_cut(void)
{
	/* A name never runs into a title. */
	struct found f[16];
	size_t n = extract("The talks were led by U.S. National Security Adviser Mike Waltz on "
	                   "Tuesday.",
	                   f, 16);
	CHECK(has(f, n, "Mike Waltz", NER_PERSON));
	for (size_t i = 0; i < n; i++) {
		CHECK(!strstr(f[i].text, "Security"));
		CHECK(!strstr(f[i].text, "Adviser"));
	}
}

static void test_person_words(void)
{
	/* A lone word the lists know only as a person's name is a person. */
	struct found f[16];
	size_t n = extract("Obstacles were imposed during the Biden administration.", f, 16);
	CHECK(has(f, n, "Biden", NER_PERSON));
}

static const struct check_case cases[] = {
    CASE(test_shapes, "word shapes are long and short class runs"),
    CASE(test_features, "features depend on the word and its context"),
    CASE(test_lexicon, "the rule lists serve as gazetteer features"),
    CASE(test_bio_repair, "bio repair turns stray I tags into B tags"),
    CASE(test_decoding_is_well_formed, "decoding only yields well formed BIO sequences"),
    CASE(test_round_trip_and_determinism,
         "a model trains deterministically and reads back identical"),
    CASE(test_model_errors,
         "missing truncated corrupt and wrong version models are refused clearly"),
    CASE(test_train_on_conll_slice, "trained on a CoNLL slice it tags that slice well"),
    CASE(test_corpus_errors, "bad CoNLL files are refused"),
    CASE(test_score_semantics, "scoring follows conlleval span and type semantics"),
    CASE(test_model_on_news, "the committed model finds typed entities in news"),
    CASE(test_typographic_marks, "curly quotes and apostrophes tag like ASCII ones"),
    CASE(test_person_words, "a word known only as a name is a person"),
    CASE(test_titles_cut, "a name that runs into a title is cut before it"),
    CASE(test_caps, "capitalisation classes are counted away from sentence starts and saved"),
    CASE(test_sentence_initial_words, "capitalised common words opening a sentence are not names"),
};

CHECK_MAIN(cases)

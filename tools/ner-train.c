/*
 * ner-train: train the entity tagger on a CoNLL-format file.
 *
 *     ner-train [--epochs N] [--bits B] [--seed S] [--dev FILE] [--max-sents N]
 *               -o MODEL TRAIN
 *
 * TRAIN holds one token a line with its IOB tag in the last column and blank
 * lines between sentences (the CoNLL-2003 layout). After each epoch a line
 * gives the share of tokens still mistaken, and with --dev the entity F1 of
 * the averaged model so far on that file. The same data, seed and options
 * always give the same model file, byte for byte.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "ner.h"
#include "seg.h"
#include "tagger.h"

struct run {
	const struct tagger_corpus *dev;
	uint8_t *pred;
	double best_f;
	unsigned best_epoch;
	struct timespec t0;
};

static double now_s(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Entity F1 of t over the corpus, into s. */
static int score_corpus(struct tagger *t, const struct tagger_corpus *c, uint8_t *pred,
                        struct tagger_score *s)
{
	memset(s, 0, sizeof *s);
	for (size_t k = 0; k < c->nsents; k++) {
		size_t b = c->sent_begin[k], n = c->sent_begin[k + 1] - b;
		int rc = tagger_tag(t, c->toks + b, n, pred + b);
		if (rc)
			return rc;
		tagger_score_add(s, c->tags + b, pred + b, n);
	}
	return 0;
}

static void on_epoch(struct tagger *t, unsigned epoch, size_t mistakes, size_t tokens, void *arg)
{
	struct run *r = arg;
	fprintf(stderr, "epoch %2u: %5.2f %% of tokens mistaken", epoch,
	        tokens ? 100.0 * (double)mistakes / (double)tokens : 0.0);
	if (r->dev) {
		struct tagger_score s;
		double p, rc, f;
		if (score_corpus(t, r->dev, r->pred, &s) == 0) {
			tagger_score_prf(&s, 0, &p, &rc, &f);
			fprintf(stderr, ", dev P %.2f R %.2f F1 %.2f", p, rc, f);
			if (f > r->best_f) {
				r->best_f = f;
				r->best_epoch = epoch;
			}
		}
	}
	fprintf(stderr, " (%.1f s)\n", now_s(&r->t0));
}

/* Count the capitalisation of the words of a JSON Lines file's texts, as
 * the pipeline segments them. */
static int caps_jsonl(struct tagger_caps *caps, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "ner-train: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct seg_doc d;
	seg_doc_init(&d);
	struct tagger_tok toks[512];
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (!rc && getline(&line, &cap, f) > 0) {
		cJSON *j = cJSON_Parse(line);
		const cJSON *tx = j ? cJSON_GetObjectItemCaseSensitive(j, "text") : NULL;
		if (cJSON_IsString(tx) &&
		    !seg_split(&d, tx->valuestring, strlen(tx->valuestring))) {
			for (size_t k = 0; !rc && k < d.nsents; k++) {
				const struct seg_sentence *st = &d.sents[k];
				size_t n = 0;
				if (st->flags & SEG_SF_HEADING)
					continue;
				for (uint32_t i = st->tok_begin; i < st->tok_end && n < 512; i++)
					toks[n++] = (struct tagger_tok){
					    tx->valuestring + d.toks[i].start, d.toks[i].len};
				rc = tagger_caps_add(caps, toks, n);
			}
		}
		cJSON_Delete(j);
	}
	free(line);
	seg_doc_free(&d);
	fclose(f);
	return rc;
}

/* Give t the capitalisation classes of the training corpus and the
 * unlabeled files. */
static int caps_from(struct tagger *t, const struct tagger_corpus *tc, const char *const *files,
                     size_t nfiles)
{
	struct tagger_caps *caps;
	int rc = tagger_caps_new(&caps);
	for (size_t k = 0; !rc && k < tc->nsents; k++)
		rc = tagger_caps_add(caps, tc->toks + tc->sent_begin[k],
		                     tc->sent_begin[k + 1] - tc->sent_begin[k]);
	for (size_t i = 0; !rc && i < nfiles; i++) {
		size_t len = strlen(files[i]);
		if (len > 6 && !strcmp(files[i] + len - 6, ".jsonl")) {
			rc = caps_jsonl(caps, files[i]);
		} else {
			struct tagger_corpus uc;
			rc = tagger_corpus_read(files[i], 0, &uc);
			if (rc) {
				fprintf(stderr, "ner-train: %s: %s\n", files[i],
				        tagger_strerror(rc));
				break;
			}
			for (size_t k = 0; !rc && k < uc.nsents; k++)
				rc = tagger_caps_add(caps, uc.toks + uc.sent_begin[k],
				                     uc.sent_begin[k + 1] - uc.sent_begin[k]);
			tagger_corpus_free(&uc);
		}
	}
	if (!rc)
		rc = tagger_set_caps(t, caps, 2);
	tagger_caps_free(caps);
	if (rc)
		fprintf(stderr, "ner-train: capitalisation statistics failed\n");
	else
		fprintf(stderr, "ner-train: capitalisation classes for %zu words\n",
		        tagger_caps_size(t));
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ner-train [--epochs N] [--bits B] [--seed S] [--dev FILE] "
	           "[--max-sents N] [--version NAME] -o MODEL TRAIN\n"
	           "  --epochs N     passes over the training data (default 16)\n"
	           "  --bits B       weight table of 2^B rows, 10..24 (default 20)\n"
	           "  --seed S       shuffling seed (default 2)\n"
	           "  --dev FILE     score this CoNLL file after each epoch\n"
	           "  --max-sents N  train on the first N sentences only\n"
	           "  --no-lexicon   without the word-list (gazetteer) features\n"
	           "  --unlabeled F  also learn how words are capitalised from F: JSON Lines\n"
	           "                 with a \"text\" field, or CoNLL columns (repeatable)\n"
	           "  --version NAME the model's name and version, reported in every\n"
	           "                 digest (default ner-2)\n"
	           "  -o MODEL       where to write the model\n");
}

static int num(const char *flag, const char *v, unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(v ? v : "", &end, 10);
	if (!v || !*v || *end || errno) {
		fprintf(stderr, "ner-train: %s needs a whole number, got '%s'\n", flag, v ? v : "");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int no_lexicon = 0;
	unsigned long long epochs = 16, bits = 20, seed = 2, max_sents = 0;
	const char *out = NULL, *dev = NULL, *train = NULL, *version = "ner-2";
	const char *unlabeled[16];
	size_t nunlabeled = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--epochs")) {
			if (num(a, v, &epochs))
				return 2;
			i++;
		} else if (!strcmp(a, "--bits")) {
			if (num(a, v, &bits))
				return 2;
			i++;
		} else if (!strcmp(a, "--seed")) {
			if (num(a, v, &seed))
				return 2;
			i++;
		} else if (!strcmp(a, "--max-sents")) {
			if (num(a, v, &max_sents))
				return 2;
			i++;
		} else if (!strcmp(a, "--dev") && v) {
			dev = v;
			i++;
		} else if (!strcmp(a, "--unlabeled") && v) {
			if (nunlabeled == sizeof unlabeled / sizeof unlabeled[0]) {
				fprintf(stderr, "ner-train: at most 16 --unlabeled files\n");
				return 2;
			}
			unlabeled[nunlabeled++] = v;
			i++;
		} else if (!strcmp(a, "--no-lexicon")) {
			no_lexicon = 1;
		} else if (!strcmp(a, "--version") && v) {
			version = v;
			i++;
		} else if (!strcmp(a, "-o") && v) {
			out = v;
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "ner-train: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (!train) {
			train = a;
		} else {
			fprintf(stderr, "ner-train: one training file only ('%s')\n", a);
			return 2;
		}
	}
	if (!train || !out) {
		usage(stderr);
		return 2;
	}
	if (bits < 10 || bits > 24 || epochs < 1 || epochs > 1000) {
		fprintf(stderr, "ner-train: --bits must be 10..24 and --epochs 1..1000\n");
		return 2;
	}
	struct tagger_corpus tc, dc = {0};
	int rc = tagger_corpus_read(train, (size_t)max_sents, &tc);
	if (rc) {
		fprintf(stderr, "ner-train: %s: %s\n", train, tagger_strerror(rc));
		return 1;
	}
	if (dev && (rc = tagger_corpus_read(dev, 0, &dc))) {
		fprintf(stderr, "ner-train: %s: %s\n", dev, tagger_strerror(rc));
		tagger_corpus_free(&tc);
		return 1;
	}
	fprintf(stderr, "ner-train: %zu sentences, %zu tokens from %s\n", tc.nsents, tc.ntoks,
	        train);
	struct run r = {.dev = dev ? &dc : NULL};
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	if (dev && !(r.pred = malloc(dc.ntoks ? dc.ntoks : 1))) {
		fprintf(stderr, "ner-train: out of memory\n");
		return 1;
	}
	struct tagger *t;
	if ((rc = tagger_new((unsigned)bits, no_lexicon ? NULL : ner_rules_lexicon(), &t))) {
		fprintf(stderr, "ner-train: %s\n", tagger_strerror(rc));
		return 1;
	}
	if ((rc = tagger_set_version(t, version))) {
		fprintf(stderr, "ner-train: --version must be 1 to 32 bytes\n");
		return 2;
	}
	if (caps_from(t, &tc, unlabeled, nunlabeled))
		return 1;
	struct tagger_train_opts o = {
	    .epochs = (unsigned)epochs, .seed = seed, .epoch_cb = on_epoch, .arg = &r};
	rc = tagger_train(t, &tc, &o);
	if (!rc)
		rc = tagger_save(t, out);
	if (rc)
		fprintf(stderr, "ner-train: %s: %s\n", out, tagger_strerror(rc));
	else
		fprintf(stderr, "ner-train: wrote %s (%s)\n", out, version);
	if (!rc && dev)
		fprintf(stderr, "ner-train: best dev F1 %.2f after epoch %u\n", r.best_f,
		        r.best_epoch);
	tagger_free(t);
	free(r.pred);
	tagger_corpus_free(&tc);
	tagger_corpus_free(&dc);
	return rc ? 1 : 0;
}
